//! The terminal's fleet connection string, sealed at rest by the same code
//! as the statement providers' settings (crates/sealed): `fleet.key`
//! (32 random bytes, mode 0600) and `fleet.enc` = `LOKETFL1` ‖ 12-byte
//! nonce ‖ ChaCha20-Poly1305 of the URL (the magic is the AAD). Never in
//! `settings.json`, never logged: only [`FleetUrl::redacted`] is shown.
//!
//! `LOKET_FLEET_URL`, when set, wins over the stored URL (a cron job, a
//! test). With neither, the fleet is off and nothing changes.

use std::path::Path;

use sealed::{SealedError, SealedFile};
use zeroize::Zeroizing;

use crate::connect::FleetUrl;
use crate::error::FleetError;

const MAGIC: &[u8; 8] = b"LOKETFL1";
const KEY_FILE: &str = "fleet.key";
const DATA_FILE: &str = "fleet.enc";

/// The environment variable that gives the URL without storing it.
pub const URL_VAR: &str = "LOKET_FLEET_URL";

/// Every variable that may carry a fleet URL (with its password).
pub const URL_VARS: [&str; 4] = [
    URL_VAR,
    "LOKET_FLEET_ADMIN_URL",
    "LOKET_FLEET_VIEWER_URL",
    "LOKET_FLEET_NEW_URL",
];

/// Fleet URLs taken out of the environment by [`take_env_urls`].
static TAKEN: std::sync::OnceLock<Vec<(&'static str, Zeroizing<String>)>> =
    std::sync::OnceLock::new();

/// Moves every `LOKET_FLEET_*_URL` out of the process environment into
/// memory: a URL holds a password, and a child process (a print job's
/// `lp`, anything started later) would inherit it, and it would sit in
/// `/proc/<pid>/environ` for the whole run. [`env_url`] still answers.
///
/// Call it first thing in `main` (after argument parsing that reads these
/// variables), while the process has one thread: `remove_var` races with
/// any other thread reading the environment.
pub fn take_env_urls() {
    let mut taken = Vec::new();
    for name in URL_VARS {
        if let Some(value) = std::env::var_os(name) {
            std::env::remove_var(name);
            if let Ok(v) = value.into_string() {
                taken.push((name, Zeroizing::new(v)));
            }
        }
    }
    let _ = TAKEN.set(taken);
}

/// A fleet URL variable: as taken at start, else (nothing was taken: a
/// test, a library user) from the environment.
pub fn env_url(name: &str) -> Option<Zeroizing<String>> {
    match TAKEN.get() {
        Some(taken) => taken
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone()),
        None => std::env::var(name).ok().map(Zeroizing::new),
    }
}

/// The sealed fleet URL of one data directory.
pub struct FleetStore {
    file: SealedFile,
}

fn err(id: &str, en: &str) -> FleetError {
    FleetError::Settings(words::Text::new(id, en))
}

/// The sealed file's error in this store's words (what to do: store the URL again).
fn sealed_error(e: SealedError) -> FleetError {
    match e {
        SealedError::KeyMissing(_) => err(
            "kunci fleet.key hilang; simpan ulang alamat armada",
            "fleet.key is missing; store the fleet URL again",
        ),
        SealedError::KeyDamaged(_) => err("fleet.key rusak", "fleet.key is damaged"),
        SealedError::Refused(_) => err(
            "fleet.enc rusak atau telah diubah; simpan ulang alamat armada",
            "fleet.enc is damaged or was altered; store the fleet URL again",
        ),
        other => FleetError::Settings(words::Say::say(&other)),
    }
}

impl FleetStore {
    pub fn new(data_dir: &Path) -> FleetStore {
        FleetStore {
            file: SealedFile::new(data_dir, KEY_FILE, DATA_FILE, MAGIC),
        }
    }

    /// The URL to ship with: `LOKET_FLEET_URL`, else the sealed one, else
    /// `None` (the fleet is off).
    pub fn url(&self) -> Result<Option<FleetUrl>, FleetError> {
        if let Some(v) = env_url(URL_VAR).filter(|v| !v.trim().is_empty()) {
            return FleetUrl::parse(&v).map(Some);
        }
        match self.load()? {
            None => Ok(None),
            Some(text) => FleetUrl::parse(&text).map(Some),
        }
    }

    /// Seals `url` (replacing any stored one).
    pub fn save(&self, url: &FleetUrl) -> Result<(), FleetError> {
        let text = Zeroizing::new(url.to_secret_string());
        self.file.seal(text.as_bytes()).map_err(sealed_error)
    }

    /// Forgets the stored URL (the fleet is off again unless the variable is set).
    pub fn remove(&self) -> Result<(), FleetError> {
        self.file.remove().map_err(sealed_error)
    }

    fn load(&self) -> Result<Option<Zeroizing<String>>, FleetError> {
        let Some(plain) = self.file.open().map_err(sealed_error)? else {
            return Ok(None);
        };
        let text = std::str::from_utf8(&plain)
            .map_err(|_| sealed_error(SealedError::Refused(self.file.data_path())))?;
        Ok(Some(Zeroizing::new(text.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_is_sealed_and_a_changed_byte_is_refused() {
        let d = tempfile::tempdir().expect("dir");
        let s = FleetStore::new(d.path());
        let u = FleetUrl::parse("postgres://t:VerySecretPw@127.0.0.1:5432/postgres").expect("url");
        s.save(&u).expect("save");
        let raw = std::fs::read(d.path().join(DATA_FILE)).expect("enc");
        assert!(!String::from_utf8_lossy(&raw).contains("VerySecretPw"));
        let back = s.load().expect("load").expect("some");
        assert!(back.contains("VerySecretPw"));
        let mut bad = raw.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        std::fs::write(d.path().join(DATA_FILE), bad).expect("write");
        assert!(s.load().is_err());
        s.remove().expect("remove");
        assert!(s.load().expect("load").is_none());
    }

    #[test]
    fn fleet_urls_leave_the_environment_and_children_never_see_them() {
        // Own variables for this process (nextest runs each test alone).
        std::env::set_var(URL_VAR, "postgres://t:ShipSecret9@127.0.0.1:1/postgres");
        std::env::set_var(
            "LOKET_FLEET_VIEWER_URL",
            "postgres://v:ViewSecret9@127.0.0.1:1/postgres",
        );
        take_env_urls();
        assert!(std::env::var_os(URL_VAR).is_none());
        assert!(std::env::var_os("LOKET_FLEET_VIEWER_URL").is_none());
        // Still usable by this process.
        assert!(env_url("LOKET_FLEET_VIEWER_URL").is_some_and(|v| v.contains("ViewSecret9")));
        let d = tempfile::tempdir().expect("dir");
        let u = FleetStore::new(d.path())
            .url()
            .expect("url")
            .expect("from the environment");
        assert_eq!(u.user(), "t");
        // A child process (a print job, anything) inherits none of it.
        let out = std::process::Command::new("env")
            .output()
            .expect("env runs");
        let seen = String::from_utf8_lossy(&out.stdout);
        assert!(
            !seen.contains("ShipSecret9") && !seen.contains("ViewSecret9"),
            "{seen}"
        );
        assert!(!seen.contains("LOKET_FLEET_"), "{seen}");
    }
}
