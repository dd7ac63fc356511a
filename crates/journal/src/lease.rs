//! The lease of one process on a journal: an OS file lock (`flock`) on
//! `leases/<id>.lock` next to the journal file, held for as long as the
//! [`Journal`](crate::Journal) is open. Every row a process begins names its
//! lease id, so crash recovery can tell a row whose process is gone (its lock
//! can be taken) from a row still in flight in another live process (its lock
//! is held), and leaves the latter alone.
//!
//! The OS drops the lock when the process dies, however it dies, so a
//! killed process's rows become recoverable at once. A lock is per open file
//! description: checking a lease by opening its file again sees it held even
//! from inside the process that holds it.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

/// Whether the process behind a lease id still runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Owner {
    /// This very journal handle.
    Me,
    /// Another live process (or another handle in this process).
    Alive,
    /// Nobody holds the lease: the process that began the row is gone.
    Gone,
}

pub(crate) struct Lease {
    id: String,
    /// `leases/` next to the journal file; `None` for an in-memory journal,
    /// which no other process can see.
    dir: Option<PathBuf>,
    /// Held open (and locked) for the lease's lifetime.
    file: Option<File>,
}

fn fresh_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}-{nanos:x}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// Lease ids come from the journal file, which could be edited by hand:
/// only ids this module could have made name a file.
fn plausible(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_hexdigit() || b.is_ascii_digit() || b == b'-')
}

impl Lease {
    pub(crate) fn in_memory() -> Lease {
        Lease {
            id: format!("mem-{}", fresh_id()),
            dir: None,
            file: None,
        }
    }

    /// Takes a new lease next to `journal_path`. The lock is taken on a
    /// temporary name and only then renamed into place, so nobody can find
    /// the lease file unlocked and mistake it for a dead owner's.
    pub(crate) fn take(journal_path: &Path) -> std::io::Result<Lease> {
        let dir = journal_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
            .join("leases");
        std::fs::create_dir_all(&dir)?;
        let id = fresh_id();
        let tmp = dir.join(format!(".{id}.tmp"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(true)
            .write(true)
            .open(&tmp)?;
        file.lock()?;
        std::fs::rename(&tmp, dir.join(format!("{id}.lock")))?;
        let lease = Lease {
            id,
            dir: Some(dir),
            file: Some(file),
        };
        lease.sweep();
        Ok(lease)
    }

    pub(crate) fn id(&self) -> &str {
        &self.id
    }

    fn path_of(&self, id: &str) -> Option<PathBuf> {
        self.dir.as_ref().map(|d| d.join(format!("{id}.lock")))
    }

    /// Whether the owner of a row is alive. When in doubt (a lease file that
    /// cannot be opened for another reason), the owner counts as alive: a
    /// live payment marked `unknown` by someone else is the worse mistake.
    pub(crate) fn owner(&self, id: &str) -> Owner {
        if id == self.id {
            return Owner::Me;
        }
        if !plausible(id) {
            return Owner::Gone;
        }
        let Some(path) = self.path_of(id) else {
            // In memory: no other process shares this journal.
            return Owner::Gone;
        };
        let file = match OpenOptions::new().write(true).open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Owner::Gone,
            Err(_) => return Owner::Alive,
        };
        match file.try_lock() {
            Ok(()) => {
                // Dead owner: its lease file is of no more use.
                let _ = std::fs::remove_file(&path);
                Owner::Gone
            }
            Err(TryLockError::WouldBlock) => Owner::Alive,
            Err(TryLockError::Error(_)) => Owner::Alive,
        }
    }

    /// Removes lease files of processes that are gone, so `leases/` does not grow.
    fn sweep(&self) {
        let Some(dir) = &self.dir else { return };
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(id) = name.to_str().and_then(|n| n.strip_suffix(".lock")) else {
                continue;
            };
            if plausible(id) {
                let _ = self.owner(id);
            }
        }
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(path), Some(file)) = (self.path_of(&self.id), self.file.take()) {
            // Remove while still locked, so nobody sees it free before it is gone.
            let _ = std::fs::remove_file(path);
            drop(file);
        }
    }
}

/// A process's presence on a data directory without a journal connection:
/// the desktop app holds one for as long as it runs, so `loket restore` can
/// see it even before anyone has logged in.
pub struct Presence(#[allow(dead_code)] Lease);

impl Presence {
    /// Announces this process next to `journal_path` (a lease like a journal
    /// handle's, released when the process ends, however it ends).
    pub fn announce(journal_path: &Path) -> std::io::Result<Presence> {
        let _gate = pass_gate(journal_path)?;
        Lease::take(journal_path).map(Presence)
    }
}

/// The restore gate: `leases/.gate` next to the journal. Opening a journal
/// (and announcing a [`Presence`]) passes it shared, from before its SQLite
/// connection opens until its lease is in place; `loket restore` holds it
/// exclusively from its last look for live processes until the restored
/// files are in place. Without it, a process starting between that look and
/// the swap wrote its payment into the journal being moved aside: the row
/// was gone from the restored journal, so nothing held a repeat of it.
pub struct Gate(#[allow(dead_code)] File);

fn gate_file(journal_path: &Path) -> std::io::Result<File> {
    let dir = journal_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join("leases");
    std::fs::create_dir_all(&dir)?;
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".gate"))
}

/// Passes the restore gate (shared): waits while a restore swaps files in.
pub(crate) fn pass_gate(journal_path: &Path) -> std::io::Result<Gate> {
    let f = gate_file(journal_path)?;
    f.lock_shared()?;
    Ok(Gate(f))
}

/// Closes the restore gate (exclusive) for as long as the returned value
/// lives: no journal opens and no presence is announced on this folder
/// meanwhile (they wait). Waits for those already passing it.
pub fn close_gate(journal_path: &Path) -> std::io::Result<Gate> {
    let f = gate_file(journal_path)?;
    f.lock()?;
    Ok(Gate(f))
}

/// How many live processes hold a lease on the journal at `journal_path`
/// (open journals and [`Presence`]s). A lease file that cannot be checked
/// counts as live: restoring under a running process is the worse mistake.
pub fn live_processes(journal_path: &Path) -> usize {
    let dir = journal_path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default()
        .join("leases");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return 0;
    };
    entries
        .flatten()
        .filter(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".lock"))
                .is_some_and(plausible)
        })
        .filter(|e| match OpenOptions::new().write(true).open(e.path()) {
            Ok(f) => !matches!(f.try_lock(), Ok(())),
            Err(err) => err.kind() != std::io::ErrorKind::NotFound,
        })
        .count()
}
