//! A small secret document sealed at rest in a data directory, with its key
//! in a file beside it. Used for the statement providers' settings
//! (`providers.key` / `providers.enc`, crates/mutasi) and the fleet URL
//! (`fleet.key` / `fleet.enc`, crates/fleet), which had two copies of this.
//!
//! - key file: 32 random bytes, created once with mode 0600;
//! - data file: `MAGIC` (8 bytes) ‖ 12-byte random nonce ‖ ChaCha20-Poly1305
//!   ciphertext and tag of the document; the magic is also the AAD, so a
//!   file of one kind never opens as the other.
//!
//! Both files are written to a `.tmp` beside them (0600, synced) and renamed
//! over, so a crash leaves the old file or the new one, never half of one.
//! The callers turn a [`SealedError`] into their own message (what the
//! person should do differs: store the fleet URL again, re-enter the
//! provider settings).

use std::io::Write;
use std::path::{Path, PathBuf};

use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroizing;

const KEY_LEN: usize = 32;

/// Why a sealed file could not be written or opened.
#[derive(Debug, thiserror::Error)]
pub enum SealedError {
    #[error("the system random source failed")]
    Random,
    #[error("encryption failed")]
    Encrypt,
    /// The data file exists but its key file does not.
    #[error("the key file {0} is missing")]
    KeyMissing(PathBuf),
    #[error("the key file {0} is damaged")]
    KeyDamaged(PathBuf),
    /// Wrong magic, too short, a changed byte, or sealed with another key.
    #[error("the file {0} is damaged or was altered")]
    Refused(PathBuf),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What a person is told, each language whole.
impl words::Say for SealedError {
    fn say(&self) -> words::Text {
        use words::text;
        match self {
            SealedError::Random => text!(
                "sumber acak sistem gagal",
                "the system random source failed"
            ),
            SealedError::Encrypt => text!("enkripsi gagal", "encryption failed"),
            SealedError::KeyMissing(p) => {
                let p = p.display();
                text!("kunci {p} hilang", "the key file {p} is missing")
            }
            SealedError::KeyDamaged(p) => {
                let p = p.display();
                text!("kunci {p} rusak", "the key file {p} is damaged")
            }
            SealedError::Refused(p) => {
                let p = p.display();
                text!(
                    "berkas {p} rusak atau telah diubah",
                    "the file {p} is damaged or was altered"
                )
            }
            SealedError::Io { path, source } => {
                let path = path.display();
                text!("{path}: {source}", "{path}: {source}"; source)
            }
        }
    }
}

fn io(path: &Path, source: std::io::Error) -> SealedError {
    SealedError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// One sealed document: its directory, file names and magic.
#[derive(Debug, Clone)]
pub struct SealedFile {
    dir: PathBuf,
    key_file: &'static str,
    data_file: &'static str,
    magic: &'static [u8; 8],
}

impl SealedFile {
    pub fn new(
        dir: &Path,
        key_file: &'static str,
        data_file: &'static str,
        magic: &'static [u8; 8],
    ) -> SealedFile {
        SealedFile {
            dir: dir.to_path_buf(),
            key_file,
            data_file,
            magic,
        }
    }

    pub fn key_path(&self) -> PathBuf {
        self.dir.join(self.key_file)
    }

    pub fn data_path(&self) -> PathBuf {
        self.dir.join(self.data_file)
    }

    /// The key; made (0600) when `create` and there is none yet.
    fn key(&self, create: bool) -> Result<LessSafeKey, SealedError> {
        let path = self.key_path();
        let bytes = match std::fs::read(&path) {
            Ok(b) => Zeroizing::new(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
                let mut fresh = Zeroizing::new(vec![0u8; KEY_LEN]);
                SystemRandom::new()
                    .fill(&mut fresh)
                    .map_err(|_| SealedError::Random)?;
                // Never replace a key that appeared meanwhile (another
                // process sealing at the same time): its file would no
                // longer open. Use that one instead.
                match write_private(&path, &fresh, true) {
                    Ok(()) => fresh,
                    Err(SealedError::Io { source, .. })
                        if source.kind() == std::io::ErrorKind::AlreadyExists =>
                    {
                        Zeroizing::new(std::fs::read(&path).map_err(|e| io(&path, e))?)
                    }
                    Err(e) => return Err(e),
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(SealedError::KeyMissing(path))
            }
            Err(e) => return Err(io(&path, e)),
        };
        if bytes.len() != KEY_LEN {
            return Err(SealedError::KeyDamaged(path));
        }
        let key = UnboundKey::new(&CHACHA20_POLY1305, &bytes)
            .map_err(|_| SealedError::KeyDamaged(path))?;
        Ok(LessSafeKey::new(key))
    }

    /// Seals `plain` (replacing the stored document; the key is kept, or
    /// made on first use).
    pub fn seal(&self, plain: &[u8]) -> Result<(), SealedError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| io(&self.dir, e))?;
        let key = self.key(true)?;
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealedError::Random)?;
        let mut buf = Zeroizing::new(plain.to_vec());
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(self.magic),
            &mut *buf,
        )
        .map_err(|_| SealedError::Encrypt)?;
        let mut out = Vec::with_capacity(self.magic.len() + NONCE_LEN + buf.len());
        out.extend_from_slice(self.magic);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&buf);
        write_private(&self.data_path(), &out, false)
    }

    /// The document, or `None` when nothing is stored.
    pub fn open(&self) -> Result<Option<Zeroizing<Vec<u8>>>, SealedError> {
        let path = self.data_path();
        let sealed = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&path, e)),
        };
        let m = self.magic.len();
        if sealed.len() < m + NONCE_LEN || &sealed[..m] != self.magic {
            return Err(SealedError::Refused(path));
        }
        let key = self.key(false)?;
        let mut nonce = [0u8; NONCE_LEN];
        nonce.copy_from_slice(&sealed[m..m + NONCE_LEN]);
        let mut buf = Zeroizing::new(sealed[m + NONCE_LEN..].to_vec());
        let plain = key
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(self.magic),
                &mut buf,
            )
            .map_err(|_| SealedError::Refused(path))?;
        Ok(Some(Zeroizing::new(plain.to_vec())))
    }

    /// Forgets the stored document (the key stays).
    pub fn remove(&self) -> Result<(), SealedError> {
        let p = self.data_path();
        match std::fs::remove_file(&p) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(io(&p, e)),
        }
    }
}

/// Writes `bytes` to `path` through a synced 0600 `.tmp` and a rename.
/// With `create_new`, an existing `path` is left alone (`AlreadyExists`).
pub fn write_private(path: &Path, bytes: &[u8], create_new: bool) -> Result<(), SealedError> {
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
    if create_new {
        // hard_link fails if `path` exists: no window where a key written
        // by someone else is replaced.
        let linked = std::fs::hard_link(&tmp, path);
        let _ = std::fs::remove_file(&tmp);
        return linked.map_err(|e| io(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAGIC: &[u8; 8] = b"LOKETFL1";

    /// The layout both stores wrote before this crate, built here by hand
    /// (ring directly, fixed key and nonce): such a file must still open.
    #[test]
    fn a_file_in_the_old_layout_opens_and_a_changed_byte_is_refused() {
        let d = tempfile::tempdir().expect("dir");
        let key = [7u8; KEY_LEN];
        let nonce = [9u8; NONCE_LEN];
        let sealing = LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, &key).expect("key"));
        let mut buf = b"postgres://t:OldSecret@127.0.0.1:5432/postgres".to_vec();
        sealing
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(MAGIC),
                &mut buf,
            )
            .expect("seal");
        let mut file = MAGIC.to_vec();
        file.extend_from_slice(&nonce);
        file.extend_from_slice(&buf);
        std::fs::write(d.path().join("fleet.key"), key).expect("key file");
        std::fs::write(d.path().join("fleet.enc"), &file).expect("data file");

        let s = SealedFile::new(d.path(), "fleet.key", "fleet.enc", MAGIC);
        let plain = s.open().expect("open").expect("stored");
        assert_eq!(
            &plain[..],
            b"postgres://t:OldSecret@127.0.0.1:5432/postgres"
        );

        // Another kind's magic (the providers' file) does not open as this one.
        let other = SealedFile::new(d.path(), "fleet.key", "fleet.enc", b"LOKETPV1");
        assert!(matches!(other.open(), Err(SealedError::Refused(_))));

        let mut bad = file.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        std::fs::write(d.path().join("fleet.enc"), bad).expect("write");
        assert!(matches!(s.open(), Err(SealedError::Refused(_))));
    }

    #[test]
    fn seal_keeps_the_key_and_the_files_are_private() {
        let d = tempfile::tempdir().expect("dir");
        let s = SealedFile::new(d.path(), "x.key", "x.enc", MAGIC);
        assert!(s.open().expect("open").is_none());
        s.seal(b"first").expect("seal");
        let key = std::fs::read(s.key_path()).expect("key");
        s.seal(b"second").expect("seal again");
        assert_eq!(
            std::fs::read(s.key_path()).expect("key"),
            key,
            "the key is kept"
        );
        assert_eq!(&s.open().expect("open").expect("stored")[..], b"second");
        let raw = std::fs::read(s.data_path()).expect("enc");
        assert!(!raw.windows(6).any(|w| w == b"second"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for p in [s.key_path(), s.data_path()] {
                let mode = std::fs::metadata(&p).expect("meta").permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{}", p.display());
            }
        }
        std::fs::remove_file(s.key_path()).expect("rm key");
        assert!(matches!(s.open(), Err(SealedError::KeyMissing(_))));
        s.remove().expect("remove");
        assert!(s.open().expect("open").is_none());
    }
}
