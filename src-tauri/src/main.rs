//! The Loket desktop shell: a thin door between the web UI and the core
//! crates. It registers commands, holds the app state, and nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod armada;
mod backups;
mod commands;
mod error_code;
mod instance;
#[cfg(test)]
mod mixed_language;
mod receipts;
mod runtime;
mod statements;
mod supervisors;
mod update;
mod view;

/// The command set; `cargo run -p loket-desktop -- --export-bindings` writes the TypeScript.
fn specta_builder() -> tauri_specta::Builder<tauri::Wry> {
    tauri_specta::Builder::<tauri::Wry>::new()
        .commands(tauri_specta::collect_commands![
            commands::app_info,
            commands::set_lang,
            commands::save_settings,
            commands::login,
            commands::logout,
            commands::change_password,
            commands::agent_balance,
            commands::check_account,
            commands::customer_balance,
            commands::banks,
            commands::master_list,
            commands::postal_codes,
            commands::dashboard,
            commands::quote_deposit,
            commands::quote_transfer,
            commands::quote_open_account,
            commands::cancel,
            commands::pay,
            commands::history,
            commands::today,
            commands::transaction,
            commands::in_doubt,
            commands::check_status,
            commands::day_summary,
            commands::export_csv,
            commands::painted,
            statements::statement_providers,
            statements::save_statement_provider,
            statements::remove_statement_provider,
            statements::reconcile_statement,
            statements::resolve_from_statement,
            receipts::has_supervisor,
            receipts::create_supervisor,
            receipts::receipt,
            receipts::print_receipt,
            receipts::save_receipt_pdf,
            receipts::reprint_receipt,
            receipts::resolve_transaction,
            supervisors::supervisors,
            supervisors::add_supervisor,
            supervisors::change_supervisor_password,
            supervisors::disable_supervisor,
            supervisors::reverse_transaction,
            backups::backup_status,
            backups::backup_now,
            update::update_status,
            update::check_update,
            update::install_update,
            armada::fleet_status,
            armada::fleet_view,
        ])
        // `events` drops tauri's `Channel` from the exported types, so the
        // bindings import it (`TAURI_CHANNEL`) rather than declare it as `null`.
        .events(tauri_specta::collect_events![])
        // The words that mark a language, from their one definition: the
        // UI's catalogue is checked against the same lists as the core's
        // messages (ui/src/lib/i18n.test.ts).
        // One constant, not three: tauri-specta keeps constants in a hash
        // map, so several would be written in a different order each run.
        .constant(
            "LANGUAGE_MARKERS",
            LanguageMarkers {
                id: words::markers::ID_MARKERS.to_vec(),
                en: words::markers::EN_MARKERS.to_vec(),
                proper_nouns: words::markers::PROPER_NOUNS.to_vec(),
            },
        )
}

/// `words::markers` for the UI's catalogue test.
#[derive(serde::Serialize, specta::Type)]
struct LanguageMarkers {
    id: Vec<&'static str>,
    en: Vec<&'static str>,
    proper_nouns: Vec<&'static str>,
}

fn main() {
    // First, while this is the only thread: fleet URLs (they carry a
    // password) leave the environment, so no child process inherits them.
    fleet::store::take_env_urls();
    let builder = specta_builder();
    if std::env::args().any(|a| a == "--export-bindings") {
        let out = std::env::args()
            .skip_while(|a| a != "--export-bindings")
            .nth(1)
            .unwrap_or_else(|| "ui/src/lib/bindings.ts".into());
        match builder.export(specta_typescript::Typescript::default(), &out) {
            Ok(()) => return,
            Err(e) => {
                eprintln!("cannot write {out}: {e}");
                std::process::exit(1);
            }
        }
    }
    let server = std::env::var("LOKET_SERVER")
        .ok()
        .filter(|s| !s.trim().is_empty());
    let data_dir = teller::data_dir::resolve(None);
    // After an update's restart the old process may still be exiting.
    let restarted = std::env::var_os(instance::RESTARTED_ENV).is_some();
    if restarted {
        std::env::remove_var(instance::RESTARTED_ENV);
    }
    let wait = restarted.then_some(std::time::Duration::from_secs(30));
    let held = match instance::claim(&data_dir, wait) {
        Ok(held) => held,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    #[cfg(unix)]
    let Some(lock) = held
    else {
        // Another app holds this counter's folder: bring its window forward
        // rather than open a second one on the same journal.
        if instance::ask_running_to_show(&data_dir) {
            println!("Loket sudah berjalan: jendelanya dibawa ke depan / Loket is already running: its window was brought to the front");
            std::process::exit(0);
        }
        eprintln!("{}", instance::InstanceError::AlreadyRunning(data_dir));
        std::process::exit(1);
    };
    let state = runtime::Loket::new(data_dir.clone(), server);
    #[allow(unused_mut)]
    let mut context = tauri::generate_context!();
    // The version the updater compares and the app shows is tauri.conf.json's,
    // unless the build sets LOKET_BUILD_VERSION: the update test builds "the
    // next version" that way, which recompiles this crate only (TAURI_CONFIG
    // would recompile tauri and every plugin once more).
    if let Some(v) = option_env!("LOKET_BUILD_VERSION") {
        match v.parse() {
            Ok(v) => context.package_info_mut().version = v,
            Err(e) => {
                eprintln!("LOKET_BUILD_VERSION {v:?} is not a version: {e}");
                std::process::exit(1);
            }
        }
    }
    let guard = state.clone();
    backups::start_daily(state.clone());
    armada::start(state.clone());
    #[cfg(unix)]
    let socket = data_dir.join(instance::SOCKET_FILE);
    #[allow(unused_mut)]
    let mut app = tauri::Builder::default();
    #[cfg(windows)]
    {
        // The plugin's named mutex, keyed on the folder like the lock; the
        // lock (checked in setup) still decides.
        let id = instance::instance_id(&context.config().identifier, &data_dir);
        app = app.plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(id)
                .callback(|app, _argv, _cwd| show_main_window(app))
                .build(),
        );
    }
    let result = app
        .plugin(tauri_plugin_updater::Builder::new().build())
        .manage(state)
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            use tauri::Manager;
            #[cfg(windows)]
            let Some(lock) = held
            else {
                eprintln!("{}", instance::InstanceError::AlreadyRunning(data_dir));
                std::process::exit(1);
            };
            #[cfg(unix)]
            {
                let handle = app.handle().clone();
                match instance::listen_for_show(&lock, &data_dir, move || {
                    show_main_window(&handle)
                }) {
                    Ok(listener) => {
                        app.manage(ShowListenerHolder(listener));
                    }
                    Err(e) => eprintln!(
                        "loket: a second start cannot bring this window forward ({e}); it is still refused"
                    ),
                }
            }
            app.manage(LockHolder(lock));
            update::start(app.handle());
            Ok(())
        })
        .on_window_event(move |window, event| {
            // Closing while a payment is on the wire would lose its answer:
            // the window stays, and the page says to wait for the result.
            if let tauri::WindowEvent::CloseRequested { api, .. } = event {
                if guard.payments_in_flight() > 0 {
                    api.prevent_close();
                    use tauri::Emitter;
                    let _ = window.emit("close-blocked", guard.payments_in_flight());
                }
            }
        })
        .build(context);
    match result {
        Ok(app) => app.run(move |_, event| {
            // The lock goes with the process; the socket file is tidied here.
            #[cfg(unix)]
            if let tauri::RunEvent::Exit = event {
                let _ = std::fs::remove_file(&socket);
            }
            #[cfg(not(unix))]
            let _ = event;
        }),
        Err(e) => {
            eprintln!("Loket tidak bisa dimulai / could not start: {e}");
            std::process::exit(1);
        }
    }
}

/// The data directory's lock, kept for the app's life.
struct LockHolder(#[allow(dead_code)] instance::InstanceLock);

#[cfg(unix)]
struct ShowListenerHolder(#[allow(dead_code)] instance::ShowListener);

/// A second start knocked: the agent sees this window instead of a new one.
fn show_main_window<R: tauri::Runtime>(app: &tauri::AppHandle<R>) {
    use tauri::Manager;
    let app2 = app.clone();
    let _ = app.run_on_main_thread(move || {
        if let Some(w) = app2.get_webview_window("main") {
            let _ = w.unminimize();
            let _ = w.show();
            let _ = w.set_focus();
        }
    });
    println!("loket: a second start brought the running window to the front");
}
