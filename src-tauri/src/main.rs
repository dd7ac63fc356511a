//! The Loket desktop shell: a thin door between the web UI and the core
//! crates. It registers commands, holds the app state, and nothing else.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod backups;
mod commands;
mod error_code;
mod receipts;
mod runtime;
mod statements;
mod supervisors;
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
        ])
        // `events` drops tauri's `Channel` from the exported types, so the
        // bindings import it (`TAURI_CHANNEL`) rather than declare it as `null`.
        .events(tauri_specta::collect_events![])
}

fn main() {
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
    let state = runtime::Loket::new(teller::data_dir::resolve(None), server);
    let context = tauri::generate_context!("../tauri.conf.json");
    let guard = state.clone();
    backups::start_daily(state.clone());
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(builder.invoke_handler())
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
        .run(context);
    if let Err(e) = result {
        eprintln!("Loket tidak bisa dimulai / could not start: {e}");
        std::process::exit(1);
    }
}
