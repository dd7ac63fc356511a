//! One desktop app per data directory (issue 13 part 5).
//!
//! Two windows on one journal would let two agents (or one agent twice)
//! work the same counter's drawer at once. The guarantee is a lock file in
//! the data directory, held for the app's life: the kernel drops it when the
//! process ends, however it ends. Tauri's single-instance plugin is only the
//! courtesy on top (a second start brings the running window to the front).
//! On Linux that is a Unix socket beside the lock rather than Tauri's
//! single-instance plugin: the plugin keys on a D-Bus *session* name, so it
//! sees nothing without a session bus (a kiosk session, a service, CI), and
//! keyed on the app identifier it would also stop a second counter profile
//! (another data directory) in the same session. Here the key is the data
//! directory, as it must be for a journal. On Windows the plugin is used,
//! with its name keyed the same way (see [`instance_id`]).
//!
//! The `loket` CLI takes no part in this: it runs beside the app, and the
//! journal is safe across processes.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Set (by the updater) before the app restarts itself: the new process
/// waits for the old one to let go of the lock instead of refusing.
pub const RESTARTED_ENV: &str = "LOKET_RESTARTED";

/// The lock file's name inside the data directory.
pub const LOCK_FILE: &str = "desktop.lock";

/// The running app's socket: a second start says "show" on it.
#[cfg(unix)]
pub const SOCKET_FILE: &str = "desktop.sock";

/// Why the app cannot take the data directory.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("Folder data {dir} tidak bisa dipakai ({err}) / the data folder {dir} cannot be used ({err})", dir = .0.display(), err = .1)]
    Io(PathBuf, std::io::Error),
    #[error("Loket sudah berjalan untuk folder data {dir}: pakai jendela yang sudah terbuka (satu aplikasi per loket). / Loket is already running for the data folder {dir}: use the window already open (one app per counter).", dir = .0.display())]
    AlreadyRunning(PathBuf),
}

/// The held lock; dropping it (or the process ending) releases it.
#[derive(Debug)]
pub struct InstanceLock {
    _file: File,
}

/// Tries to take the data directory's lock: `Ok(None)` when another app
/// holds it. After an update's restart (`wait`), waits up to `wait` for
/// the old process to exit.
pub fn claim(
    data_dir: &Path,
    wait: Option<Duration>,
) -> Result<Option<InstanceLock>, InstanceError> {
    let io = |e| InstanceError::Io(data_dir.to_path_buf(), e);
    std::fs::create_dir_all(data_dir).map_err(io)?;
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(data_dir.join(LOCK_FILE))
        .map_err(io)?;
    let deadline = Instant::now() + wait.unwrap_or_default();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(Some(InstanceLock { _file: file })),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::WouldBlock) => return Ok(None),
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
}

/// A name for this counter's app: the identifier plus a hash of the
/// canonical data directory (the single-instance plugin's name on Windows),
/// so one per counter, not one per user session.
#[cfg_attr(not(any(windows, test)), allow(dead_code))]
pub fn instance_id(identifier: &str, data_dir: &Path) -> String {
    let canonical = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_path_buf());
    // FNV-1a: stable across Rust releases (an old and a new Loket must agree).
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in canonical.as_os_str().as_encoded_bytes() {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // A D-Bus name element may not start with a digit.
    format!("{identifier}.d{h:016x}")
}

/// Asks the app that holds `data_dir` to bring its window to the front.
/// `true` when it answered.
#[cfg(unix)]
pub fn ask_running_to_show(data_dir: &Path) -> bool {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::UnixStream;
    let Ok(mut stream) = UnixStream::connect(data_dir.join(SOCKET_FILE)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    if stream.write_all(b"show\n").is_err() {
        return false;
    }
    let mut answer = String::new();
    BufReader::new(stream).read_line(&mut answer).is_ok() && answer.trim() == "ok"
}

/// Listens (on a thread of its own) for a second start's "show" and calls
/// `show` for each; the socket file goes when the listener is dropped.
#[cfg(unix)]
pub struct ShowListener {
    path: PathBuf,
}

#[cfg(unix)]
impl Drop for ShowListener {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Starts the listener; only the lock's holder calls this (so a socket file
/// left by a crashed app can be replaced). A path too long for a Unix
/// socket (108 bytes) or any other failure only loses the courtesy: the
/// lock still keeps the folder to one app.
#[cfg(unix)]
pub fn listen_for_show(
    _lock: &InstanceLock,
    data_dir: &Path,
    show: impl Fn() + Send + 'static,
) -> std::io::Result<ShowListener> {
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::net::UnixListener;
    let path = data_dir.join(SOCKET_FILE);
    let _ = std::fs::remove_file(&path);
    let listener = UnixListener::bind(&path)?;
    // Only this user may knock (the data folder is the user's anyway).
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))?;
    std::thread::Builder::new()
        .name("loket-show".into())
        .spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut line = String::new();
                let read = BufReader::new(&stream).read_line(&mut line);
                if read.is_ok() && line.trim() == "show" {
                    show();
                    let _ = stream.write_all(b"ok\n");
                }
            }
        })?;
    Ok(ShowListener { path })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_claim_on_the_same_folder_is_refused_until_the_first_ends() {
        let dir = tempfile::tempdir().unwrap();
        let first = claim(dir.path(), None).unwrap();
        assert!(first.is_some());
        assert!(
            claim(dir.path(), None).unwrap().is_none(),
            "held by the first"
        );
        // Another counter's folder is not affected.
        let other = tempfile::tempdir().unwrap();
        assert!(claim(other.path(), None).unwrap().is_some());
        drop(first);
        assert!(claim(dir.path(), None).unwrap().is_some(), "free again");
    }

    #[test]
    fn a_second_start_reaches_the_running_app_of_its_folder_only() {
        let dir = tempfile::tempdir().unwrap();
        let other = tempfile::tempdir().unwrap();
        assert!(!ask_running_to_show(dir.path()), "nobody runs yet");
        let lock = claim(dir.path(), None).unwrap().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let listener = listen_for_show(&lock, dir.path(), move || {
            let _ = tx.send(());
        })
        .unwrap();
        assert!(ask_running_to_show(dir.path()));
        rx.recv_timeout(Duration::from_secs(10)).expect("shown");
        assert!(!ask_running_to_show(other.path()));
        drop(listener);
        assert!(!dir.path().join(SOCKET_FILE).exists(), "socket removed");
    }

    #[test]
    fn the_instance_name_is_per_data_folder_and_a_valid_bus_name() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let id = "id.loket.terminal";
        assert_eq!(instance_id(id, a.path()), instance_id(id, a.path()));
        assert_ne!(instance_id(id, a.path()), instance_id(id, b.path()));
        let name = instance_id(id, a.path());
        assert!(name.len() < 255 - ".SingleInstance".len());
        for element in name.split('.') {
            assert!(!element.starts_with(|c: char| c.is_ascii_digit()), "{name}");
        }
    }
}
