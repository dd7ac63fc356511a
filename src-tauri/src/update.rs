//! Signed in-app updates (issue 13 part 2).
//!
//! The bank serves a `latest.json` (Tauri's updater format) from its own
//! HTTPS server; the address is a setting a supervisor approves
//! (`update_endpoint`, empty = never check). The app checks at start and
//! every few hours and shows "Pembaruan tersedia vX"; nothing is installed
//! until the agent accepts, and never while a payment is being sent: the
//! payment command is refused while an update installs, and an update is
//! refused while this app or any process on the journal has a payment on
//! the wire. The package must carry the bank's Ed25519 signature (the public
//! key is in tauri.conf.json), be a .deb, and be newer; anything else is
//! refused with one message and nothing is installed. After `dpkg -i` the
//! app starts again with the same environment, so the same data directory.

use std::sync::{Arc, Mutex};
use std::time::Duration;
use words::Text;

use serde::Serialize;
use specta::Type;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_updater::UpdaterExt;

use crate::runtime::Loket;
use crate::view::CommandError;

/// How often the app looks for an update after the first check.
const EVERY: Duration = Duration::from_secs(4 * 60 * 60);
/// The first check waits until the start-up work is done.
const FIRST_AFTER: Duration = Duration::from_secs(5);

/// What the status bar shows about updates.
#[derive(Debug, Clone, Default, Serialize, Type)]
pub struct UpdateStatus {
    /// The running version.
    pub current: String,
    /// A newer, announced version (its signature is checked when it is
    /// downloaded, before anything is installed).
    pub available: Option<String>,
    /// The release notes of `available`.
    pub notes: Option<String>,
    /// The last check's or install's outcome when it is worth saying (a
    /// refusal, an unreachable server), Indonesian / English.
    pub message: Option<String>,
    /// A check or an install is running.
    pub busy: bool,
    /// Whether an update address is set at all.
    pub enabled: bool,
}

/// The updater's state, managed by Tauri.
#[derive(Default)]
pub struct Updates {
    status: Mutex<UpdateStatus>,
    pending: Mutex<Option<tauri_plugin_updater::Update>>,
    /// One check or install at a time.
    turn: tokio::sync::Mutex<()>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Registers the state and starts the periodic check.
pub fn start<R: Runtime>(app: &AppHandle<R>) {
    app.manage(Updates::default());
    {
        let updates = app.state::<Updates>();
        let mut st = lock(&updates.status);
        st.current = app.package_info().version.to_string();
    }
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(FIRST_AFTER).await;
        loop {
            check_now(&app).await;
            tokio::time::sleep(EVERY).await;
        }
    });
}

fn publish<R: Runtime>(app: &AppHandle<R>, status: &UpdateStatus) {
    let _ = app.emit("update-status", status.clone());
}

/// Checks the bank's server now and publishes what it found.
pub async fn check_now<R: Runtime>(app: &AppHandle<R>) -> UpdateStatus {
    let updates = app.state::<Updates>();
    let _turn = updates.turn.lock().await;
    let loket = app.state::<Arc<Loket>>().inner().clone();
    {
        let mut st = lock(&updates.status);
        st.busy = true;
        st.enabled = loket.settings().update_endpoint.is_some();
    }
    let found = check(app, &loket).await;
    let status = {
        let mut st = lock(&updates.status);
        st.busy = false;
        match found {
            Ok(Some(update)) => {
                st.available = Some(update.version.clone());
                st.notes = update.body.clone();
                st.message = None;
                *lock(&updates.pending) = Some(update);
            }
            Ok(None) => {
                st.available = None;
                st.notes = None;
                st.message = None;
                *lock(&updates.pending) = None;
            }
            Err(why) => {
                st.available = None;
                st.notes = None;
                st.message = Some(loket.say(&why));
                *lock(&updates.pending) = None;
            }
        }
        st.clone()
    };
    if let Some(m) = &status.message {
        eprintln!("loket: update: {m}");
    }
    publish(app, &status);
    status
}

/// `Ok(None)`: nothing to do (no address, or the server has nothing).
async fn check<R: Runtime>(
    app: &AppHandle<R>,
    loket: &Loket,
) -> Result<Option<tauri_plugin_updater::Update>, Text> {
    let Some(endpoint) = loket.settings().update_endpoint else {
        return Ok(None);
    };
    // The start-up check (settings.json against the journal) runs here.
    loket.ready().await.map_err(|e| Text::same(e.message))?;
    if !loket.settings_trusted() {
        return Err(words::text!("settings.json diubah di luar Loket: alamat pembaruan tidak dipakai sampai supervisor menyetujui pengaturan.", "settings.json was changed outside Loket: the update address is not used until a supervisor approves the settings."));
    }
    let url: tauri::Url = endpoint.parse().map_err(|e| {
        let e = format!("“{e}”");
        words::text!("alamat pembaruan tidak sah: {e}", "bad update address: {e}")
    })?;
    let current = app.package_info().version.clone();
    // An announced version older than this one (a mistake or a downgrade
    // attempt) is said; the same version is simply "up to date".
    let older: Arc<Mutex<Option<String>>> = Arc::default();
    let seen = older.clone();
    #[allow(unused_mut)]
    let mut builder = app
        .updater_builder()
        .endpoints(vec![url])
        .map_err(|e| describe(&e, &current.to_string()))?
        .timeout(Duration::from_secs(120))
        .version_comparator(move |current, release| {
            if release.version < current {
                *lock(&seen) = Some(release.version.to_string());
            }
            release.version > current
        });
    // Tests sign with a throwaway key; a release build knows only the bank's.
    #[cfg(debug_assertions)]
    if let Some(key) = std::env::var("LOKET_UPDATE_PUBKEY")
        .ok()
        .filter(|k| !k.is_empty())
    {
        builder = builder.pubkey(key);
    }
    let updater = builder
        .build()
        .map_err(|e| describe(&e, &current.to_string()))?;
    match updater.check().await {
        Ok(Some(update)) => Ok(Some(update)),
        Ok(None) => match lock(&older).clone() {
            Some(v) => Err(words::text!("Versi {v} di server pembaruan tidak lebih baru dari versi terpasang {current}: tidak dipasang.", "Version {v} on the update server is not newer than the installed {current}: not installed.")),
            None => Ok(None),
        },
        Err(e) => Err(describe(&e, &current.to_string())),
    }
}

/// One message per kind of refusal, Indonesian then English.
fn describe(e: &tauri_plugin_updater::Error, current: &str) -> Text {
    use tauri_plugin_updater::Error as E;
    let raw = format!("“{e}”");
    match e {
        E::Minisign(_)
        | E::Base64(_)
        | E::SignatureUtf8(_)
        | E::SignedVersionMismatch { .. }
        | E::MissingSignedVersion => words::text!("Tanda tangan pembaruan tidak sah (berkas diubah, atau bukan dari bank): tidak dipasang, versi {current} tetap dipakai.", "The update's signature does not verify (the file was altered, or is not from the bank): nothing installed, {current} stays."),
        E::InvalidUpdaterFormat => not_a_deb(current),
        E::InsecureTransportProtocol => words::text!("Alamat pembaruan harus https://", "the update address must be https://"),
        E::TargetNotFound(_) | E::TargetsNotFound(_) => words::text!("latest.json di server tidak punya paket untuk komputer ini (linux-x86_64-deb)", "the server's latest.json has no package for this computer"),
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound | E::Serialization(_) => words::text!("Server pembaruan tidak bisa dihubungi atau jawabannya rusak; dicoba lagi nanti. ({raw})", "The update server cannot be reached or sent a broken answer; trying again later. ({raw})"),
        _ => words::text!("Pembaruan gagal: {raw}", "the update failed: {raw}"),
    }
}

fn not_a_deb(current: &str) -> Text {
    words::text!(
        "Berkas pembaruan bukan paket .deb: tidak dipasang, versi {current} tetap dipakai.",
        "The update file is not a .deb package: nothing installed, {current} stays."
    )
}

/// A Debian package is an `ar` archive whose first member is `debian-binary`.
fn is_deb(bytes: &[u8]) -> bool {
    bytes.starts_with(b"!<arch>\ndebian-binary")
}

fn refusal(loket: &Loket, why: &Text) -> CommandError {
    loket.refuse("UPDATE_REFUSED", why)
}

/// Downloads, verifies and installs the pending update, then restarts.
/// Returns only when it was refused or failed (with why); nothing is
/// installed then.
pub async fn install<R: Runtime>(app: &AppHandle<R>) -> Result<(), CommandError> {
    let updates = app.state::<Updates>();
    let _turn = updates.turn.lock().await;
    let loket = app.state::<Arc<Loket>>().inner().clone();
    let current = app.package_info().version.to_string();
    let Some(update) = lock(&updates.pending).clone() else {
        return Err(refusal(
            &loket,
            &words::text!("Tidak ada pembaruan yang menunggu", "no update is waiting"),
        ));
    };
    let set_busy = |busy: bool, message: Option<String>| {
        let mut st = lock(&updates.status);
        st.busy = busy;
        if message.is_some() {
            st.message = message;
        }
        let status = st.clone();
        drop(st);
        publish(app, &status);
    };
    let outcome = install_inner(&loket, &update, &current, &set_busy).await;
    match outcome {
        Ok(()) => {
            // The next process waits for this one's lock on the data folder.
            std::env::set_var(crate::instance::RESTARTED_ENV, "1");
            println!(
                "loket: update {current} -> {} installed; restarting",
                update.version
            );
            app.restart();
        }
        Err(why) => {
            eprintln!("loket: update refused: {}", why.en());
            // A refused package is not offered again until the next check.
            if why != in_flight_message() {
                *lock(&updates.pending) = None;
                lock(&updates.status).available = None;
            }
            set_busy(false, Some(loket.say(&why)));
            Err(refusal(&loket, &why))
        }
    }
}

fn in_flight_message() -> Text {
    words::text!("Pembayaran sedang dikirim: pembaruan dipasang setelah hasilnya keluar. Coba lagi sebentar lagi.", "A payment is being sent: the update is installed after its result is in. Try again in a moment.")
}

async fn install_inner(
    loket: &Loket,
    update: &tauri_plugin_updater::Update,
    current: &str,
    set_busy: &(dyn Fn(bool, Option<String>) + Sync),
) -> Result<(), Text> {
    if tauri::utils::platform::bundle_type() != Some(tauri::utils::config::BundleType::Deb) {
        return Err(words::text!("Loket ini tidak dipasang dari paket .deb: pasang versi baru lewat paket.", "This Loket was not installed from a .deb package: install the new version as a package."));
    }
    // From here no payment starts (the pay command refuses) until the hold
    // is dropped; one already on the wire refuses the update instead.
    let hold = loket.begin_update().ok_or_else(in_flight_message)?;
    let ready = loket.ready().await.map_err(|e| Text::same(e.message))?;
    let sending = ready.teller.journal().sending().map_err(|e| {
        let e = words::Say::say(&teller::TellerError::from(e));
        words::text!("jurnal: {e}", "journal: {e}"; e)
    })?;
    if !sending.is_empty() {
        return Err(in_flight_message());
    }
    set_busy(true, None);
    // Downloading verifies the signature (and the signed version) first.
    let bytes = update
        .download(|_, _| {}, || {})
        .await
        .map_err(|e| describe(&e, current))?;
    if !is_deb(&bytes) {
        return Err(not_a_deb(current));
    }
    let dir =
        tempfile_dir().map_err(|e| words::text!("folder sementara: {e}", "temp folder: {e}"; e))?;
    let file = dir.join(format!("loket_{}.deb", update.version));
    std::fs::write(&file, &bytes).map_err(|e| {
        let f = file.display();
        words::text!("{f}: {e}", "{f}: {e}"; e)
    })?;
    let result = run_dpkg(&file);
    let _ = std::fs::remove_dir_all(&dir);
    result?;
    let _ = ready.teller.journal().record_integrity_note(
        "update",
        &format!(
            "{current} -> {} installed (signature verified)",
            update.version
        ),
    );
    // Kept until the process restarts: no payment starts in between.
    std::mem::forget(hold);
    Ok(())
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("loket-update-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// `dpkg -i` as root, through `pkexec` (the desktop's admin prompt) otherwise.
fn run_dpkg(file: &std::path::Path) -> Result<(), Text> {
    #[cfg(unix)]
    let root = unsafe { libc::geteuid() } == 0;
    #[cfg(not(unix))]
    let root = false;
    let mut cmd = if root {
        std::process::Command::new("dpkg")
    } else {
        let mut c = std::process::Command::new("pkexec");
        c.arg("dpkg");
        c
    };
    cmd.arg("-i").arg(file);
    let out = cmd.output().map_err(|e| {
        words::text!("Pemasang paket tidak bisa dijalankan (dpkg/pkexec): {e}. Minta IT memasang pembaruan.", "The package installer cannot run (dpkg/pkexec): {e}. Ask IT to install the update."; e)
    })?;
    if out.status.success() {
        return Ok(());
    }
    let tail: String = String::from_utf8_lossy(&out.stderr)
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .join(" | ");
    Err(words::text!(
        "Paket pembaruan tidak terpasang (dpkg: “{tail}”); versi lama tetap dipakai.",
        "The update package did not install (dpkg: “{tail}”); the old version stays."
    ))
}

#[tauri::command]
#[specta::specta]
pub async fn update_status(app: AppHandle) -> Result<UpdateStatus, CommandError> {
    Ok(lock(&app.state::<Updates>().status).clone())
}

#[tauri::command]
#[specta::specta]
pub async fn check_update(app: AppHandle) -> Result<UpdateStatus, CommandError> {
    Ok(check_now(&app).await)
}

/// The agent (or supervisor) accepted the update shown in the status bar.
#[tauri::command]
#[specta::specta]
pub async fn install_update(app: AppHandle) -> Result<(), CommandError> {
    install(&app).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_debian_package_passes_as_one() {
        assert!(is_deb(
            b"!<arch>\ndebian-binary   1700000000  0     0     100644  4         `\n2.0\n"
        ));
        assert!(!is_deb(b"\x7fELF\x02\x01\x01"));
        assert!(!is_deb(b"!<arch>\nsomething-else"));
        assert!(!is_deb(b""));
    }
}
