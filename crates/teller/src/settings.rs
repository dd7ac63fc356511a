//! The terminal's own settings (server and switcher addresses, language,
//! idle lock), kept as a small JSON file in the data directory. No secret is
//! ever stored here.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Lang, Result, TellerError};

/// The idle lock may be switched off (0) or set up to this many minutes.
pub const MAX_IDLE_LOCK_MINUTES: u32 = 240;

/// What the agent (or a supervisor) set on the settings screen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Bank+ origin; `None` runs on the embedded sandbox.
    pub server: Option<String>,
    /// Switcher origin; with the sandbox, the sandbox is its own switcher.
    pub switcher: Option<String>,
    pub lang: Lang,
    /// Lock the screen after this many idle minutes; 0 never locks.
    pub idle_lock_minutes: u32,
    /// The CUPS printer for receipts; `None` prints to the system default.
    pub printer: Option<String>,
    /// The receipt roll's width in millimetres: 58 (32 columns) or 80 (48).
    pub paper_mm: u32,
    /// A second folder for the automatic daily backup (a USB stick, a
    /// network share); `None` keeps them in the data folder only.
    pub backup_folder: Option<String>,
    /// Where the app looks for signed updates (the bank's `latest.json`,
    /// HTTPS); `None` never checks. Changed only with a supervisor's
    /// approval, like the server (issue 13).
    pub update_endpoint: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            server: None,
            switcher: None,
            lang: Lang::Id,
            idle_lock_minutes: 5,
            printer: None,
            paper_mm: 58,
            backup_folder: None,
            update_endpoint: None,
        }
    }
}

fn origin(label: &str, value: &Option<String>) -> Result<Option<String>> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        let host = r.split('/').next().unwrap_or("");
        !host.is_empty() && !host.contains(char::is_whitespace)
    });
    if !ok {
        return Err(TellerError::Input(words::text!(
            "alamat {label} harus diawali https:// (http:// hanya ke 127.0.0.1)",
            "the {label} address must start with https:// (http:// only to 127.0.0.1)"
        )));
    }
    // Plain http to another host, or credentials in the address, are refused
    // here, before the address can be saved or journaled (`changes`).
    if let Some(why) = bankplus::client::server_url_problem(v) {
        return Err(TellerError::Input(
            words::text!("{label}: {why}", "{label}: {why}"; why),
        ));
    }
    Ok(Some(v.trim_end_matches('/').to_owned()))
}

/// The update endpoint: a full URL (the bank's `latest.json`), HTTPS only
/// (the updater itself refuses plain http in release builds; a debug build
/// may use http://127.0.0.1 for tests), no credentials in it.
fn update_endpoint(value: &Option<String>) -> Result<Option<String>> {
    let Some(v) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    let loopback_http = cfg!(debug_assertions)
        && (v.starts_with("http://127.0.0.1:") || v.starts_with("http://127.0.0.1/"));
    let rest = v
        .strip_prefix("https://")
        .or_else(|| loopback_http.then(|| &v[7..]));
    let host = rest.map(|r| r.split(['/', '?', '#']).next().unwrap_or(""));
    let ok = host.is_some_and(|h| !h.is_empty() && !h.contains(['@', ' ', '\t']))
        && !v.chars().any(|c| c.is_whitespace() || c.is_control());
    if !ok {
        // The rule, not the value: it may hold a password.
        return Err(TellerError::Input(words::text!(
            "alamat pembaruan harus URL https:// lengkap tanpa nama/sandi (mis. https://update.bank.co.id/loket/latest.json)",
            "the update address must be a full https:// URL without credentials (e.g. https://update.bank.co.id/loket/latest.json)"
        )));
    }
    Ok(Some(v.to_owned()))
}

impl Settings {
    /// The settings as they will be stored: addresses checked and trimmed,
    /// the idle lock within bounds. Bad input changes nothing.
    pub fn checked(&self) -> Result<Settings> {
        if self.idle_lock_minutes > MAX_IDLE_LOCK_MINUTES {
            return Err(TellerError::Input(words::text!(
                "kunci layar paling lama {MAX_IDLE_LOCK_MINUTES} menit",
                "the idle lock is at most {MAX_IDLE_LOCK_MINUTES} minutes"
            )));
        }
        if !matches!(self.paper_mm, 58 | 80) {
            let mm = self.paper_mm;
            return Err(TellerError::Input(words::text!(
                "lebar kertas {mm} mm; pilih 58 atau 80",
                "paper width {mm} mm; choose 58 or 80"
            )));
        }
        let printer = self
            .printer
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(p) = printer {
            // A CUPS queue name: no spaces, slashes or control characters.
            if p.len() > 127
                || p.chars()
                    .any(|c| c.is_whitespace() || c.is_control() || c == '/' || c == '#')
            {
                // The rule, not the value: a damaged settings.json may hold
                // an address with a password where the printer should be
                // (found by the fuzz driver, issue 12).
                return Err(TellerError::Input(words::text!(
                    "nama printer tidak sah: tanpa spasi, garis miring, # atau karakter kendali, paling panjang 127",
                    "not a printer name: no spaces, slashes, # or control characters, at most 127"
                )));
            }
        }
        let backup_folder = self
            .backup_folder
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty());
        if let Some(folder) = backup_folder {
            // A whole path, so a backup never lands relative to wherever Loket started.
            if folder.len() > 1024
                || folder.chars().any(char::is_control)
                || !Path::new(folder).is_absolute()
            {
                return Err(TellerError::Input(words::text!(
                    "folder cadangan harus jalur lengkap (mis. /media/usb/loket), paling panjang 1024, tanpa karakter kendali",
                    "the backup folder must be a full path (e.g. /media/usb/loket), at most 1024 long, without control characters"
                )));
            }
        }
        Ok(Settings {
            backup_folder: backup_folder.map(str::to_owned),
            server: origin("server", &self.server)?,
            switcher: origin("switcher", &self.switcher)?,
            lang: self.lang,
            idle_lock_minutes: self.idle_lock_minutes,
            printer: printer.map(str::to_owned),
            paper_mm: self.paper_mm,
            update_endpoint: update_endpoint(&self.update_endpoint)?,
        })
    }

    /// The receipt paper these settings choose.
    pub fn paper(&self) -> receipt::Paper {
        if self.paper_mm == 80 {
            receipt::Paper::Roll80
        } else {
            receipt::Paper::Roll58
        }
    }

    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join("settings.json")
    }

    /// Reads the settings; a missing file gives the defaults. A damaged
    /// file gives the defaults with the reason: callers that could end up on
    /// the sandbox because of it use [`Settings::load_checked`] instead.
    pub fn load(data_dir: &Path) -> (Settings, Option<String>) {
        match Settings::load_checked(data_dir) {
            Ok(s) => (s, None),
            Err(damaged) => (Settings::default(), Some(damaged.to_string())),
        }
    }

    /// Reads the settings; a missing file gives the defaults, a file that
    /// cannot be read or used is an error naming it. A damaged file may
    /// have named a real bank: falling back to the defaults would quietly
    /// put the terminal on the sandbox.
    pub fn load_checked(data_dir: &Path) -> std::result::Result<Settings, SettingsDamaged> {
        let path = Settings::path(data_dir);
        let damaged = |reason: words::Text| SettingsDamaged {
            path: path.clone(),
            reason,
        };
        match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(damaged(words::Say::say(&e))),
            // Only where and what kind of error: serde's message can quote a
            // value (an address with a password in it).
            Ok(bytes) => match serde_json::from_slice::<Settings>(&bytes) {
                Err(e) => {
                    let (line, column) = (e.line(), e.column());
                    Err(damaged(words::text!(
                        "JSON rusak di baris {line} kolom {column}",
                        "broken JSON at line {line} column {column}"
                    )))
                }
                Ok(s) => s.checked().map_err(|e| damaged(words::Say::say(&e))),
            },
        }
    }

    /// Writes the settings atomically (a temporary file renamed over the
    /// old one), so a crash leaves either the old or the new settings.
    pub fn save(&self, data_dir: &Path) -> Result<Settings> {
        let checked = self.checked()?;
        let io = |e: std::io::Error| {
            let dir = data_dir.display();
            TellerError::Input(words::text!(
                "pengaturan tidak bisa disimpan di {dir} ({e})",
                "the settings cannot be saved in {dir} ({e})";
                e
            ))
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        let path = Settings::path(data_dir);
        let tmp = path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(&checked).map_err(|e| {
            let e = format!("“{e}”");
            TellerError::Input(words::text!("pengaturan: {e}", "settings: {e}"))
        })?;
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(&body).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &path).map_err(io)?;
        Ok(checked)
    }
}

/// A `settings.json` that exists but cannot be used. The terminal must not
/// quietly run on the embedded sandbox instead: it may be set up for a real bank.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", words::Say::say(self).en())]
pub struct SettingsDamaged {
    pub path: PathBuf,
    pub reason: words::Text,
}

impl words::Say for SettingsDamaged {
    fn say(&self) -> words::Text {
        let path = self.path.display();
        let reason = &self.reason;
        words::text!(
            "Berkas pengaturan {path} rusak: {reason}. Terminal TIDAK dijalankan di SANDBOX. Perbaiki berkas itu, atau hapus lalu atur ulang server (dengan persetujuan supervisor).",
            "The settings file {path} is damaged ({reason}); the terminal will NOT fall back to the SANDBOX. Repair the file, or delete it and set the server again (with a supervisor's approval).";
            reason
        )
    }
}

impl SettingsDamaged {
    /// A stable code for the desktop shell and `--json`.
    pub fn code(&self) -> &'static str {
        "SETTINGS_DAMAGED"
    }
}

/// The settings file's fingerprint as the journal records it after every
/// change (issue 10, defect 23): `sha256=<hex of the file, or
/// none>;server=<origin or ->;switcher=<origin or ->;update=<URL or ->`.
/// Every setting that only a supervisor may change (the server, the
/// switcher, the update endpoint) is kept in clear, so a mismatch can say
/// what it was and a hand edit of any of them is refused alike.
/// Fingerprints recorded by older versions end at the server or the
/// switcher (see [`check_settings`] for how they are taken over).
pub fn fingerprint(data_dir: &Path) -> String {
    let path = Settings::path(data_dir);
    let hash = match std::fs::read(&path) {
        Ok(bytes) => journal::chain::sha256_hex(&bytes),
        Err(_) => "none".to_owned(),
    };
    let (settings, _) = Settings::load(data_dir);
    format!(
        "sha256={hash};server={};switcher={};update={}",
        settings.server.as_deref().unwrap_or("-"),
        settings.switcher.as_deref().unwrap_or("-"),
        settings.update_endpoint.as_deref().unwrap_or("-")
    )
}

fn server_of(fingerprint: &str) -> &str {
    let server = fingerprint
        .split_once(";server=")
        .map(|(_, s)| s)
        .unwrap_or("-");
    server.split_once(";switcher=").map_or(server, |(s, _)| s)
}

/// `None` for a fingerprint recorded before the switcher was part of it.
fn switcher_of(fingerprint: &str) -> Option<&str> {
    let switcher = fingerprint.split_once(";switcher=").map(|(_, s)| s)?;
    Some(switcher.split_once(";update=").map_or(switcher, |(s, _)| s))
}

/// `None` for a fingerprint recorded before the update endpoint was part of it.
fn update_of(fingerprint: &str) -> Option<&str> {
    fingerprint.split_once(";update=").map(|(_, s)| s)
}

fn hash_of(fingerprint: &str) -> &str {
    fingerprint.split(';').next().unwrap_or("")
}

/// How the settings file differs from what the journal last recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsMismatch {
    /// The recorded and the current server (`-` = the embedded sandbox).
    pub recorded_server: String,
    pub current_server: String,
    /// The recorded and the current switcher (`None` recorded: a
    /// fingerprint from before the switcher was recorded).
    pub recorded_switcher: Option<String>,
    pub current_switcher: String,
    /// The recorded and the current update endpoint (`-` = none). `None`
    /// recorded: an older fingerprint, and the file changed since, so what
    /// the endpoint was is not known (see [`SettingsMismatch::update_changed`]).
    pub recorded_update: Option<String>,
    pub current_update: String,
}

impl SettingsMismatch {
    /// Whether money must stop: the server or the switcher is not the
    /// approved one. The switcher settles doubts and carries reversals, so
    /// one the agent chose could call a booked payment "not found" (then
    /// failed, and paid again) as surely as a false server could.
    pub fn server_changed(&self) -> bool {
        self.recorded_server != self.current_server || self.switcher_changed()
    }

    /// Whether the update endpoint is not the approved one: where the app
    /// fetches the code it installs, so a supervisor approves it like the
    /// server. Against an older fingerprint (endpoint not recorded) of a
    /// file changed since, any endpoint set counts as changed: nothing
    /// shows that a supervisor approved it.
    pub fn update_changed(&self) -> bool {
        match self.recorded_update.as_deref() {
            Some(recorded) => recorded != self.current_update,
            None => self.current_update != "-",
        }
    }

    /// Whether anything only a supervisor may change differs: the server,
    /// the switcher or the update endpoint. Such a file is refused.
    pub fn guarded_changed(&self) -> bool {
        self.server_changed() || self.update_changed()
    }

    /// Whether the switcher differs from the recorded one.
    pub fn switcher_changed(&self) -> bool {
        self.recorded_switcher
            .as_deref()
            .is_some_and(|s| s != self.current_switcher)
    }

    /// The recorded and current addresses, for a message: the server, and
    /// the switcher when that is what changed.
    pub fn addresses(&self) -> (String, String) {
        if self.update_changed() && !self.server_changed() {
            (
                format!(
                    "{} (update {})",
                    self.recorded_server,
                    self.recorded_update.as_deref().unwrap_or("?")
                ),
                format!("{} (update {})", self.current_server, self.current_update),
            )
        } else if self.switcher_changed() {
            (
                format!(
                    "{} (switcher {})",
                    self.recorded_server,
                    self.recorded_switcher.as_deref().unwrap_or("-")
                ),
                format!(
                    "{} (switcher {})",
                    self.current_server, self.current_switcher
                ),
            )
        } else {
            (self.recorded_server.clone(), self.current_server.clone())
        }
    }

    /// What differs, for the journal's `tamper` note (a record kept in
    /// English, like every note Loket writes).
    pub fn describe(&self) -> String {
        if self.server_changed() || self.switcher_changed() || self.update_changed() {
            let (recorded, current) = self.addresses();
            format!("settings.json was changed outside Loket: server {recorded} -> {current}")
        } else {
            "settings.json was changed outside Loket (the server is unchanged)".to_owned()
        }
    }
}

/// Compares the settings file with the journal's last recorded fingerprint.
/// With none recorded yet (a journal from before the chain), the current
/// file is recorded as the baseline. A fingerprint in an older form (without
/// the switcher or the update endpoint) of the very same file (same hash) is
/// taken over once: the current form is recorded, nothing is reported. An
/// older form of a file changed since is compared field by field, an update
/// endpoint it did not record counting as changed when one is set.
pub fn check_settings(
    data_dir: &Path,
    journal: &journal::Journal,
    report: &journal::IntegrityReport,
) -> std::result::Result<Option<SettingsMismatch>, journal::JournalError> {
    let now = fingerprint(data_dir);
    match report.last_settings.as_deref() {
        None => {
            journal.record_integrity_note("settings", &now)?;
            Ok(None)
        }
        Some(recorded) if recorded == now => Ok(None),
        Some(recorded) if update_of(recorded).is_none() && hash_of(recorded) == hash_of(&now) => {
            journal.record_integrity_note("settings", &now)?;
            Ok(None)
        }
        Some(recorded) => Ok(Some(SettingsMismatch {
            recorded_server: server_of(recorded).to_owned(),
            current_server: server_of(&now).to_owned(),
            recorded_switcher: switcher_of(recorded).map(str::to_owned),
            current_switcher: switcher_of(&now).unwrap_or("-").to_owned(),
            recorded_update: update_of(recorded).map(str::to_owned),
            current_update: update_of(&now).unwrap_or("-").to_owned(),
        })),
    }
}

/// Records the settings file as it is now (after Loket saved it).
pub fn record_settings(
    data_dir: &Path,
    journal: &journal::Journal,
) -> std::result::Result<(), journal::JournalError> {
    journal.record_integrity_note("settings", &fingerprint(data_dir))?;
    Ok(())
}

/// The check before anything is sent to a bank (the CLI's every server
/// command): a settings.json whose server is not the last recorded one is
/// refused, and the finding is recorded as a `tamper` note. A change that
/// keeps the server (language, printer) is only noted.
pub fn guard(
    data_dir: &Path,
    journal: &journal::Journal,
    report: &journal::IntegrityReport,
) -> Result<()> {
    let Some(mismatch) = check_settings(data_dir, journal, report)? else {
        return Ok(());
    };
    journal.record_integrity_note("tamper", &mismatch.describe())?;
    if mismatch.guarded_changed() {
        let (recorded, current) = mismatch.addresses();
        return Err(TellerError::SettingsChanged { recorded, current });
    }
    Ok(())
}

/// A supervisor accepts settings.json as it is now: the change (recorded
/// server -> current) is journaled as an authorization and the file's
/// fingerprint becomes the recorded one. Returns the change approved, or
/// `None` when the file already matched.
pub fn approve(
    data_dir: &Path,
    journal: &journal::Journal,
    report: &journal::IntegrityReport,
    approval: &supervisor::SupervisorApproval,
    actor: &str,
) -> Result<Option<SettingsMismatch>> {
    let supervisor = approval.check()?.name().to_owned();
    let Some(mismatch) = check_settings(data_dir, journal, report)? else {
        return Ok(None);
    };
    let now = fingerprint(data_dir);
    journal.record_authorization(
        "settings-approve",
        actor,
        &supervisor,
        &format!(
            "server: {} -> {}; {now}",
            mismatch.recorded_server, mismatch.current_server
        ),
    )?;
    record_settings(data_dir, journal)?;
    Ok(Some(mismatch))
}

/// What changed between two settings, for the journal ("server: – -> https://…").
pub fn changes(before: &Settings, after: &Settings) -> String {
    let show = |v: &Option<String>| v.clone().unwrap_or_else(|| "–".into());
    let mut out = Vec::new();
    let mut field = |name: &str, a: String, b: String| {
        if a != b {
            out.push(format!("{name}: {a} -> {b}"));
        }
    };
    field("server", show(&before.server), show(&after.server));
    field("switcher", show(&before.switcher), show(&after.switcher));
    field(
        "lang",
        format!("{:?}", before.lang),
        format!("{:?}", after.lang),
    );
    field(
        "idle_lock_minutes",
        before.idle_lock_minutes.to_string(),
        after.idle_lock_minutes.to_string(),
    );
    field("printer", show(&before.printer), show(&after.printer));
    field(
        "paper_mm",
        before.paper_mm.to_string(),
        after.paper_mm.to_string(),
    );
    field(
        "backup_folder",
        show(&before.backup_folder),
        show(&after.backup_folder),
    );
    field(
        "update_endpoint",
        show(&before.update_endpoint),
        show(&after.update_endpoint),
    );
    if out.is_empty() {
        "no change".into()
    } else {
        out.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_name_what_changed() {
        let a = Settings::default();
        let b = Settings {
            idle_lock_minutes: 9,
            ..Settings::default()
        };
        assert_eq!(changes(&a, &b), "idle_lock_minutes: 5 -> 9");
        assert_eq!(changes(&a, &a), "no change");
    }

    #[test]
    fn a_backup_folder_is_a_whole_path() {
        let with = |f: &str| Settings {
            backup_folder: Some(f.into()),
            ..Settings::default()
        };
        assert_eq!(
            with(" /media/usb/loket ")
                .checked()
                .unwrap()
                .backup_folder
                .as_deref(),
            Some("/media/usb/loket")
        );
        assert_eq!(with("  ").checked().unwrap().backup_folder, None);
        for bad in ["usb/loket", "/media/\nusb", "./x"] {
            assert!(with(bad).checked().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn missing_file_gives_defaults_and_saved_settings_come_back() {
        let dir = tempfile::tempdir().unwrap();
        let (s, warning) = Settings::load(dir.path());
        assert_eq!(s, Settings::default());
        assert!(warning.is_none());
        let wanted = Settings {
            server: Some(" https://bankplus.example/ ".into()),
            switcher: None,
            lang: Lang::En,
            idle_lock_minutes: 10,
            printer: Some(" kasir-80 ".into()),
            paper_mm: 80,
            backup_folder: Some(" /media/usb ".into()),
            update_endpoint: Some(" https://update.bank.example/loket/latest.json ".into()),
        };
        let stored = wanted.save(dir.path()).unwrap();
        assert_eq!(stored.server.as_deref(), Some("https://bankplus.example"));
        assert_eq!(stored.printer.as_deref(), Some("kasir-80"));
        assert_eq!(stored.paper(), receipt::Paper::Roll80);
        assert_eq!(
            stored.update_endpoint.as_deref(),
            Some("https://update.bank.example/loket/latest.json")
        );
        assert_eq!(Settings::load(dir.path()).0, stored);
    }

    #[test]
    fn bad_input_is_refused_and_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let good = Settings::default().save(dir.path()).unwrap();
        for bad in [
            Settings {
                server: Some("ftp://x".into()),
                ..Settings::default()
            },
            Settings {
                switcher: Some("http://".into()),
                ..Settings::default()
            },
            Settings {
                idle_lock_minutes: 10_000,
                ..Settings::default()
            },
            Settings {
                paper_mm: 57,
                ..Settings::default()
            },
            Settings {
                printer: Some("two words".into()),
                ..Settings::default()
            },
            Settings {
                update_endpoint: Some("http://update.bank.example/latest.json".into()),
                ..Settings::default()
            },
            Settings {
                update_endpoint: Some("https://it:rahasia@update.bank.example/latest.json".into()),
                ..Settings::default()
            },
            Settings {
                update_endpoint: Some("update.bank.example/latest.json".into()),
                ..Settings::default()
            },
        ] {
            let err = bad.save(dir.path()).unwrap_err();
            assert!(matches!(err, TellerError::Input(_)), "{err:?}");
        }
        assert_eq!(Settings::load(dir.path()).0, good);
    }

    #[test]
    fn remote_http_and_credentials_in_addresses_are_refused_unechoed() {
        let dir = tempfile::tempdir().unwrap();
        for (server, switcher) in [
            ("http://apidev.bankplus.id", None),
            (
                "https://apidev.bankplus.id",
                Some("http://192.168.172.15:7221"),
            ),
            ("https://agent:pw-4e1b@apidev.bankplus.id", None),
            (
                "https://apidev.bankplus.id",
                Some("https://u:pw-4e1b@sw.example"),
            ),
        ] {
            let bad = Settings {
                server: Some(server.into()),
                switcher: switcher.map(str::to_owned),
                ..Settings::default()
            };
            let err = bad.save(dir.path()).unwrap_err().message(Lang::Id);
            assert!(!err.contains("pw-4e1b"), "{err}");
            assert!(!Settings::path(dir.path()).exists(), "{server} was stored");
        }
        let ok = Settings {
            server: Some("http://127.0.0.1:7221".into()),
            switcher: Some("https://192.168.172.15:7221".into()),
            ..Settings::default()
        };
        assert!(ok.save(dir.path()).is_ok());
    }

    #[test]
    fn a_damaged_file_is_an_error_naming_it_without_values() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            Settings::path(dir.path()),
            br#"{"server": "https://u:pw-4e1b@bank.example", "paper_mm": "x"}"#,
        )
        .unwrap();
        let err = Settings::load_checked(dir.path()).unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("settings.json") && text.contains("SANDBOX"),
            "{text}"
        );
        assert!(!text.contains("pw-4e1b"), "{text}");
        std::fs::write(
            Settings::path(dir.path()),
            br#"{"server": "https://u:pw-4e1b@bank.example"}"#,
        )
        .unwrap();
        let text = Settings::load_checked(dir.path()).unwrap_err().to_string();
        assert!(!text.contains("pw-4e1b"), "{text}");
    }

    #[test]
    fn a_damaged_file_gives_defaults_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(Settings::path(dir.path()), b"{not json").unwrap();
        let (s, warning) = Settings::load(dir.path());
        assert_eq!(s, Settings::default());
        assert!(warning.unwrap().contains("settings.json"));
    }
}
