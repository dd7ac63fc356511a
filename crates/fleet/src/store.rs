//! The terminal's fleet connection string, sealed at rest the way the
//! statement providers' settings are (crates/mutasi store): `fleet.key`
//! (32 random bytes, mode 0600) and `fleet.enc` = `LOKETFL1` ‖ 12-byte
//! nonce ‖ ChaCha20-Poly1305 of the URL (the magic is the AAD). Never in
//! `settings.json`, never logged: only [`FleetUrl::redacted`] is shown.
//!
//! `LOKET_FLEET_URL`, when set, wins over the stored URL (a cron job, a
//! test). With neither, the fleet is off and nothing changes.

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

use crate::connect::FleetUrl;
use crate::error::FleetError;

const MAGIC: &[u8; 8] = b"LOKETFL1";
const KEY_FILE: &str = "fleet.key";
const DATA_FILE: &str = "fleet.enc";
const KEY_LEN: usize = 32;

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
    dir: PathBuf,
}

fn err(id: &str, en: &str) -> FleetError {
    FleetError::Settings(format!("{id} / {en}"))
}

fn io(path: &Path, e: std::io::Error) -> FleetError {
    FleetError::Settings(format!("{}: {e}", path.display()))
}

impl FleetStore {
    pub fn new(data_dir: &Path) -> FleetStore {
        FleetStore {
            dir: data_dir.to_path_buf(),
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
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
        let key = self.key(true)?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| err("acak sistem gagal", "the system random source failed"))?;
        let mut buf = Zeroizing::new(url.to_secret_string().into_bytes());
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(MAGIC),
            &mut *buf,
        )
        .map_err(|_| err("enkripsi gagal", "encryption failed"))?;
        let mut out = Vec::with_capacity(MAGIC.len() + NONCE_LEN + buf.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        write_private(&self.dir.join(DATA_FILE), &out)
    }

    /// Forgets the stored URL (the fleet is off again unless the variable is set).
    pub fn remove(&self) -> Result<(), FleetError> {
        let p = self.dir.join(DATA_FILE);
        match std::fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&p, e)),
        }
    }

    fn key(&self, create: bool) -> Result<LessSafeKey, FleetError> {
        let path = self.dir.join(KEY_FILE);
        let bytes = match std::fs::read(&path) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut fresh = Zeroizing::new(vec![0u8; KEY_LEN]);
                SystemRandom::new()
                    .fill(&mut fresh)
                    .map_err(|_| err("acak sistem gagal", "the system random source failed"))?;
                write_private(&path, &fresh)?;
                fresh
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(err(
                    "kunci fleet.key hilang; simpan ulang alamat armada",
                    "fleet.key is missing; store the fleet URL again",
                ))
            }
            Err(e) => return Err(io(&path, e)),
        };
        if bytes.len() != KEY_LEN {
            return Err(err("fleet.key rusak", "fleet.key is damaged"));
        }
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .map_err(|_| err("fleet.key rusak", "fleet.key is damaged"))?;
        Ok(LessSafeKey::new(key))
    }

    fn load(&self) -> Result<Option<Zeroizing<String>>, FleetError> {
        let path = self.dir.join(DATA_FILE);
        let sealed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path, e)),
        };
        let refused = || {
            err(
                "fleet.enc rusak atau telah diubah; simpan ulang alamat armada",
                "fleet.enc is damaged or was altered; store the fleet URL again",
            )
        };
        if sealed.len() < MAGIC.len() + NONCE_LEN || &sealed[..MAGIC.len()] != MAGIC {
            return Err(refused());
        }
        let key = self.key(false)?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[MAGIC.len()..MAGIC.len() + NONCE_LEN]);
        let mut buf = Zeroizing::new(sealed[MAGIC.len() + NONCE_LEN..].to_vec());
        let plain = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(MAGIC),
                &mut buf,
            )
            .map_err(|_| refused())?;
        let text = std::str::from_utf8(plain).map_err(|_| refused())?;
        Ok(Some(Zeroizing::new(text.to_owned())))
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FleetError> {
    let tmp = path.with_extension("tmp");
    let _ = std::fs::remove_file(&tmp);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&tmp).map_err(|e| io(&tmp, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
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
