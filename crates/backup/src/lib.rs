//! Backups of a counter's data directory, and putting one back.
//!
//! A backup is one file, `loket-backup-<UTC>.tar.gz`: a manifest
//! (`loket-backup.json`: format, when, schema, and the size and SHA-256 of
//! every file) followed by the files. Each SQLite file (the journal with its
//! supervisor tables, the statement cache, the sandbox's ledger) is copied
//! with SQLite's online backup API, so a backup can be taken while the app or
//! a `loket` command is writing, and every copy passes `integrity_check`
//! before it goes in. The small files go in as they are: `settings.json`, and
//! the sealed stores (`*.enc`) **with their keys** (`*.key`) — a backup must
//! restore a counter on a new PC, so the archive is as secret as the data
//! directory itself and is written readable by its owner only.
//!
//! A restore reads and checks the whole archive into a staging folder first
//! (a truncated, altered or foreign file is refused before anything
//! changes), refuses while any Loket process holds the data directory, then
//! moves the current files aside into `before-restore-<UTC>/` and the
//! restored ones into place. Nothing is deleted.

use std::fs::{self, File, OpenOptions};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the manifest's `format` says: anything else is not ours.
pub const FORMAT: &str = "loket-backup";
/// The archive layout this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
/// The manifest's name, the archive's first entry.
pub const MANIFEST: &str = "loket-backup.json";
/// Automatic backups kept in `backups/` (and in the extra folder).
pub const KEEP_DAILY: usize = 7;
/// The folder under the data directory where backups go by default.
pub const BACKUP_DIR: &str = "backups";

/// SQLite files copied with the online backup API, when present.
const DATABASES: &[&str] = &["journal.db", "statements.db", "sandbox-ledger.db"];

/// What can go wrong, in words the agent's IT person can act on.
#[derive(Debug, thiserror::Error)]
#[error("{}", words::Say::say(self).en())]
pub enum BackupError {
    NoJournal {
        dir: String,
    },
    Io {
        path: String,
        source: std::io::Error,
    },
    Exists {
        path: String,
    },
    Copy {
        file: String,
        detail: String,
    },
    CopyDamaged {
        file: String,
        detail: String,
    },
    Foreign {
        path: String,
    },
    Damaged {
        path: String,
        detail: String,
    },
    TooNew {
        path: String,
        found: u32,
        schema: i64,
    },
    Running {
        count: usize,
    },
}

impl BackupError {
    /// A stable code for scripts and the app.
    pub fn code(&self) -> &'static str {
        match self {
            BackupError::NoJournal { .. } => "BACKUP_NO_JOURNAL",
            BackupError::Io { .. } => "BACKUP_IO",
            BackupError::Exists { .. } => "BACKUP_EXISTS",
            BackupError::Copy { .. } => "BACKUP_COPY",
            BackupError::CopyDamaged { .. } => "BACKUP_COPY_DAMAGED",
            BackupError::Foreign { .. } => "BACKUP_FOREIGN",
            BackupError::Damaged { .. } => "BACKUP_DAMAGED",
            BackupError::TooNew { .. } => "BACKUP_TOO_NEW",
            BackupError::Running { .. } => "LOKET_RUNNING",
        }
    }
}

/// What a person is told, each language whole; technical details are
/// quoted as they are (they are for support).
impl words::Say for BackupError {
    fn say(&self) -> words::Text {
        use words::text;
        match self {
            BackupError::NoJournal { dir } => text!(
                "Folder data {dir} tidak berisi journal.db; tidak ada yang dicadangkan.",
                "The data folder {dir} has no journal.db; there is nothing to back up."
            ),
            BackupError::Io { path, source } => text!(
                "Berkas {path} tidak bisa dibaca atau ditulis: {source}.",
                "Cannot read or write {path}: {source}.";
                source
            ),
            BackupError::Exists { path } => text!(
                "{path} sudah ada; Loket tidak menimpa berkas. Pilih nama lain.",
                "{path} already exists; Loket does not overwrite files. Choose another name."
            ),
            BackupError::Copy { file, detail } => {
                let detail = format!("“{detail}”");
                text!(
                    "Salinan {file} gagal: {detail}. Cadangan tidak dibuat.",
                    "Copying {file} failed: {detail}. No backup was made."
                )
            }
            BackupError::CopyDamaged { file, detail } => {
                let detail = format!("“{detail}”");
                text!(
                    "Salinan {file} tidak lolos pemeriksaan integritas ({detail}); cadangan tidak dibuat.",
                    "The copy of {file} failed its integrity check ({detail}); no backup was made."
                )
            }
            BackupError::Foreign { path } => text!(
                "{path} bukan cadangan Loket; tidak ada yang diubah.",
                "{path} is not a Loket backup; nothing was changed."
            ),
            BackupError::Damaged { path, detail } => {
                let detail = format!("“{detail}”");
                text!(
                    "Cadangan {path} rusak atau terpotong ({detail}); tidak ada yang diubah. Pakai cadangan lain.",
                    "The backup {path} is damaged or cut short ({detail}); nothing was changed. Use another backup."
                )
            }
            BackupError::TooNew { path, found, schema } => text!(
                "Cadangan {path} dibuat Loket yang lebih baru (format {found}, skema jurnal {schema}); tidak ada yang diubah. Pasang Loket terbaru, lalu pulihkan.",
                "The backup {path} was made by a newer Loket (format {found}, journal schema {schema}); nothing was changed. Install the newest Loket, then restore."
            ),
            BackupError::Running { count } => text!(
                "Loket sedang berjalan pada folder data ini ({count} proses); tidak ada yang diubah. Tutup aplikasi dan semua perintah loket, lalu pulihkan.",
                "Loket is running on this data folder ({count} process(es)); nothing was changed. Close the app and every loket command, then restore."
            ),
        }
    }
}

pub type Result<T> = std::result::Result<T, BackupError>;

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// One file in a backup.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileEntry {
    pub name: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The archive's first entry: what it holds and how to check it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub format_version: u32,
    pub created_at: DateTime<Utc>,
    /// The Loket that wrote it.
    pub loket_version: String,
    /// `PRAGMA user_version` of the journal copy.
    pub journal_schema: i64,
    /// Transactions in the journal copy (shown before a restore).
    pub transactions: i64,
    pub files: Vec<FileEntry>,
}

/// A backup written and checked.
#[derive(Debug, Clone, Serialize)]
pub struct BackupReport {
    pub path: PathBuf,
    /// Size of the archive on disk.
    pub bytes: u64,
    /// Size of the files inside, before compression.
    pub data_bytes: u64,
    pub manifest: Manifest,
    pub took: Duration,
}

/// A restore done: where the previous data went.
#[derive(Debug, Clone, Serialize)]
pub struct RestoreReport {
    pub manifest: Manifest,
    /// The previous files, kept (`None` when the folder held none).
    pub kept_aside: Option<PathBuf>,
}

/// A backup found in a folder.
#[derive(Debug, Clone, Serialize)]
pub struct BackupFile {
    pub path: PathBuf,
    pub made_at: DateTime<Utc>,
    pub bytes: u64,
}

/// A time in a file name; milliseconds, so two backups in one second
/// (the daily one and a button press) get two names.
fn stamp(at: DateTime<Utc>) -> String {
    at.format("%Y%m%dT%H%M%S%.3fZ").to_string()
}

fn parse_stamp(name: &str) -> Option<DateTime<Utc>> {
    let s = name
        .strip_prefix("loket-backup-")?
        .strip_suffix(".tar.gz")?;
    chrono::NaiveDateTime::parse_from_str(s, "%Y%m%dT%H%M%S%.3fZ")
        .ok()
        .map(|t| t.and_utc())
}

/// Where a backup made now goes when no `--to` is given.
pub fn default_target(data_dir: &Path, at: DateTime<Utc>) -> PathBuf {
    data_dir
        .join(BACKUP_DIR)
        .join(format!("loket-backup-{}.tar.gz", stamp(at)))
}

/// A fresh folder name next to `base` (same file system, so renames are atomic).
fn scratch(base: &Path, what: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    base.join(format!(".{what}-{}-{nanos:x}", std::process::id()))
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let mut f = File::open(path).map_err(io(path))?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    let mut total = 0u64;
    loop {
        let n = f.read(&mut buf).map_err(io(path))?;
        if n == 0 {
            break;
        }
        total += n as u64;
        h.update(&buf[..n]);
    }
    Ok((total, hex::encode(h.finalize())))
}

/// A consistent copy of the database at `src` (which others may be writing)
/// into `dst`, checked with `integrity_check`.
fn copy_database(src: &Path, dst: &Path) -> Result<()> {
    let name = src
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let copy_err = |e: rusqlite::Error| BackupError::Copy {
        file: name.clone(),
        detail: e.to_string(),
    };
    // Opened read-write only because a read-only connection cannot open a
    // WAL database whose `-shm` is missing; nothing is written through it.
    let from = rusqlite::Connection::open(src).map_err(copy_err)?;
    from.busy_timeout(Duration::from_secs(30))
        .map_err(copy_err)?;
    let mut to = rusqlite::Connection::open(dst).map_err(copy_err)?;
    {
        let b = rusqlite::backup::Backup::new(&from, &mut to).map_err(copy_err)?;
        // All pages in one step: one read transaction, so one instant of the
        // database, while writers in WAL mode go on.
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match b.step(-1).map_err(copy_err)? {
                rusqlite::backup::StepResult::Done => break,
                // Another connection holds a lock for a moment: try again.
                _ if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => {
                    return Err(BackupError::Copy {
                        file: name.clone(),
                        detail: "the database stayed locked for 60 s".into(),
                    })
                }
            }
        }
    }
    let verdict: String = to
        .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
        .map_err(copy_err)?;
    if verdict != "ok" {
        return Err(BackupError::CopyDamaged {
            file: name,
            detail: verdict,
        });
    }
    // The copy stands alone: no WAL beside it.
    to.pragma_update(None, "journal_mode", "DELETE")
        .map_err(copy_err)?;
    to.close().map_err(|(_, e)| copy_err(e))?;
    Ok(())
}

/// The small files that belong in a backup: settings and sealed stores with
/// their keys, at the top of the data directory.
fn small_files(data_dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(data_dir).map_err(io(data_dir))? {
        let entry = entry.map_err(io(data_dir))?;
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let wanted = name == "settings.json" || name.ends_with(".enc") || name.ends_with(".key");
        if wanted
            && !name.starts_with('.')
            && entry.file_type().map(|t| t.is_file()).unwrap_or(false)
        {
            names.push(name);
        }
    }
    names.sort();
    Ok(names)
}

fn db_facts(path: &Path) -> (i64, i64) {
    let Ok(c) =
        rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
    else {
        return (0, 0);
    };
    let schema = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap_or(0);
    let rows = c
        .query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))
        .unwrap_or(0);
    (schema, rows)
}

/// Writes a backup of `data_dir` to `target` (never over an existing file)
/// and reads it back to check it.
pub fn create(data_dir: &Path, target: &Path) -> Result<BackupReport> {
    let started = Instant::now();
    if !data_dir.join("journal.db").is_file() {
        return Err(BackupError::NoJournal {
            dir: data_dir.display().to_string(),
        });
    }
    if target.exists() {
        return Err(BackupError::Exists {
            path: target.display().to_string(),
        });
    }
    let parent = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(io(parent))?;
    let work = scratch(parent, "backup");
    fs::create_dir_all(&work).map_err(io(&work))?;
    let result = write_archive(data_dir, target, &work);
    let _ = fs::remove_dir_all(&work);
    let (manifest, data_bytes) = match result {
        Ok(m) => m,
        Err(e) => {
            let _ = fs::remove_file(partial_name(target));
            return Err(e);
        }
    };
    let bytes = fs::metadata(target).map_err(io(target))?.len();
    Ok(BackupReport {
        path: target.to_path_buf(),
        bytes,
        data_bytes,
        manifest,
        took: started.elapsed(),
    })
}

fn partial_name(target: &Path) -> PathBuf {
    let mut p = target.as_os_str().to_owned();
    p.push(".partial");
    PathBuf::from(p)
}

fn write_archive(data_dir: &Path, target: &Path, work: &Path) -> Result<(Manifest, u64)> {
    let mut names = Vec::new();
    for db in DATABASES {
        let src = data_dir.join(db);
        if src.is_file() {
            copy_database(&src, &work.join(db))?;
            names.push(db.to_string());
        }
    }
    for name in small_files(data_dir)? {
        let src = data_dir.join(&name);
        fs::copy(&src, work.join(&name)).map_err(io(&src))?;
        names.push(name);
    }
    let mut files = Vec::new();
    let mut data_bytes = 0;
    for name in &names {
        let (bytes, sha256) = sha256_file(&work.join(name))?;
        data_bytes += bytes;
        files.push(FileEntry {
            name: name.clone(),
            bytes,
            sha256,
        });
    }
    let (journal_schema, transactions) = db_facts(&work.join("journal.db"));
    let manifest = Manifest {
        format: FORMAT.into(),
        format_version: FORMAT_VERSION,
        created_at: Utc::now(),
        loket_version: env!("CARGO_PKG_VERSION").into(),
        journal_schema,
        transactions,
        files,
    };
    let manifest_json = serde_json::to_vec_pretty(&manifest).map_err(|e| BackupError::Copy {
        file: MANIFEST.into(),
        detail: e.to_string(),
    })?;

    // Written under a temporary name and renamed when whole and synced: a
    // crash never leaves a half archive under the backup's name.
    let partial = partial_name(target);
    let file = open_private(&partial)?;
    let gz = flate2::write::GzEncoder::new(BufWriter::new(file), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    append_bytes(&mut tar, MANIFEST, &manifest_json, &partial)?;
    for f in &manifest.files {
        let path = work.join(&f.name);
        let mut src = File::open(&path).map_err(io(&path))?;
        let mut header = tar::Header::new_gnu();
        header.set_size(f.bytes);
        header.set_mode(0o600);
        header.set_mtime(manifest.created_at.timestamp().max(0) as u64);
        header.set_cksum();
        tar.append_data(&mut header, &f.name, &mut src)
            .map_err(io(&partial))?;
    }
    let gz = tar.into_inner().map_err(io(&partial))?;
    let writer = gz.finish().map_err(io(&partial))?;
    let file = writer.into_inner().map_err(|e| BackupError::Io {
        path: partial.display().to_string(),
        source: e.into_error(),
    })?;
    file.sync_all().map_err(io(&partial))?;
    drop(file);

    // Read back what was written: the archive on disk is the backup.
    let check = scratch(work, "check");
    fs::create_dir_all(&check).map_err(io(&check))?;
    let read_back = unpack(&partial, &check);
    let _ = fs::remove_dir_all(&check);
    let read_back = read_back?;
    if read_back != manifest {
        return Err(BackupError::Damaged {
            path: partial.display().to_string(),
            detail: "read back differs from what was written".into(),
        });
    }
    fs::rename(&partial, target).map_err(io(target))?;
    if let Some(dir) = target.parent() {
        let _ = File::open(dir).and_then(|d| d.sync_all());
    }
    Ok((manifest, data_bytes))
}

fn open_private(path: &Path) -> Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(io(path))
}

fn append_bytes<W: Write>(
    tar: &mut tar::Builder<W>,
    name: &str,
    bytes: &[u8],
    archive: &Path,
) -> Result<()> {
    let mut header = tar::Header::new_gnu();
    header.set_size(bytes.len() as u64);
    header.set_mode(0o600);
    header.set_cksum();
    tar.append_data(&mut header, name, bytes)
        .map_err(io(archive))
}

/// A name an archive may use: one plain file name, nothing that climbs out.
fn plain_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 128
        && !name.starts_with('.')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
}

/// Reads the whole archive into `into` (an empty folder), checking every
/// file against the manifest and every database with `integrity_check`.
fn unpack(archive: &Path, into: &Path) -> Result<Manifest> {
    let shown = archive.display().to_string();
    let damaged = |detail: String| BackupError::Damaged {
        path: shown.clone(),
        detail,
    };
    let foreign = || BackupError::Foreign {
        path: shown.clone(),
    };
    let file = File::open(archive).map_err(io(archive))?;
    let mut magic = [0u8; 2];
    {
        let mut peek = File::open(archive).map_err(io(archive))?;
        if peek.read_exact(&mut magic).is_err() || magic != [0x1f, 0x8b] {
            return Err(foreign());
        }
    }
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let mut entries = tar.entries().map_err(|e| damaged(e.to_string()))?;

    // The manifest comes first; without it this is somebody else's archive.
    let mut first = match entries.next() {
        Some(Ok(e)) => e,
        Some(Err(e)) => return Err(damaged(e.to_string())),
        None => return Err(foreign()),
    };
    let first_name = first
        .path()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    if first_name != MANIFEST || first.size() > 1 << 20 {
        return Err(foreign());
    }
    let mut text = Vec::new();
    first
        .read_to_end(&mut text)
        .map_err(|e| damaged(e.to_string()))?;
    drop(first);
    let value: serde_json::Value = serde_json::from_slice(&text).map_err(|_| foreign())?;
    if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
        return Err(foreign());
    }
    let found = value
        .get("format_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0) as u32;
    let schema = value
        .get("journal_schema")
        .and_then(|v| v.as_i64())
        .unwrap_or(0);
    if found > FORMAT_VERSION || schema > journal::schema_version() {
        return Err(BackupError::TooNew {
            path: shown.clone(),
            found,
            schema,
        });
    }
    let manifest: Manifest =
        serde_json::from_value(value).map_err(|e| damaged(format!("manifest: {e}")))?;
    if !manifest.files.iter().any(|f| f.name == "journal.db") {
        return Err(damaged("no journal.db".into()));
    }
    let mut seen = std::collections::BTreeSet::new();
    for f in &manifest.files {
        if !plain_name(&f.name) || f.name == MANIFEST || !seen.insert(f.name.clone()) {
            return Err(damaged(format!("manifest names {:?}", f.name)));
        }
    }

    let mut got = std::collections::BTreeSet::new();
    for entry in &mut entries {
        let mut entry = entry.map_err(|e| damaged(e.to_string()))?;
        let name = entry
            .path()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let Some(expected) = manifest.files.iter().find(|f| f.name == name) else {
            return Err(damaged(format!("unexpected entry {name:?}")));
        };
        if !entry.header().entry_type().is_file() || !got.insert(name.clone()) {
            return Err(damaged(format!("entry {name:?}")));
        }
        let path = into.join(&name);
        let mut out = open_private(&path)?;
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        let mut total = 0u64;
        loop {
            let n = entry.read(&mut buf).map_err(|e| damaged(e.to_string()))?;
            if n == 0 {
                break;
            }
            total += n as u64;
            h.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io(&path))?;
        }
        out.sync_all().map_err(io(&path))?;
        if total != expected.bytes || hex::encode(h.finalize()) != expected.sha256 {
            return Err(damaged(format!("{name} does not match its checksum")));
        }
    }
    // Read the compressed stream to its end: only there does gzip check its
    // CRC and length, which is what catches an archive cut short after the
    // last file.
    let mut rest = tar.into_inner();
    std::io::copy(&mut rest, &mut std::io::sink()).map_err(|e| damaged(e.to_string()))?;
    if got.len() != manifest.files.len() {
        let missing: Vec<_> = manifest
            .files
            .iter()
            .filter(|f| !got.contains(&f.name))
            .map(|f| f.name.as_str())
            .collect();
        return Err(damaged(format!("missing {}", missing.join(", "))));
    }
    for f in &manifest.files {
        if DATABASES.contains(&f.name.as_str()) {
            let c = rusqlite::Connection::open_with_flags(
                into.join(&f.name),
                rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
            )
            .map_err(|e| damaged(format!("{}: {e}", f.name)))?;
            let verdict: String = c
                .query_row("PRAGMA integrity_check(1)", [], |r| r.get(0))
                .map_err(|e| damaged(format!("{}: {e}", f.name)))?;
            if verdict != "ok" {
                return Err(damaged(format!("{}: {verdict}", f.name)));
            }
        }
    }
    Ok(manifest)
}

/// Checks a backup whole without changing anything.
pub fn verify(archive: &Path) -> Result<Manifest> {
    let base = std::env::temp_dir();
    let work = scratch(&base, "loket-verify");
    fs::create_dir_all(&work).map_err(io(&work))?;
    let result = unpack(archive, &work);
    let _ = fs::remove_dir_all(&work);
    result
}

/// The files a restore replaces (with SQLite's companions), when present.
fn current_files(data_dir: &Path, incoming: &Manifest) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    let mut push = |n: String| {
        if data_dir.join(&n).exists() && !names.contains(&n) {
            names.push(n);
        }
    };
    for f in &incoming.files {
        push(f.name.clone());
    }
    for db in DATABASES {
        push(db.to_string());
    }
    for db in DATABASES
        .iter()
        .map(|d| d.to_string())
        .chain(incoming.files.iter().map(|f| f.name.clone()))
    {
        push(format!("{db}-wal"));
        push(format!("{db}-shm"));
        push(format!("{db}-journal"));
    }
    if data_dir.is_dir() {
        for n in small_files(data_dir)? {
            push(n);
        }
    }
    Ok(names)
}

/// Puts the backup `archive` back into `data_dir`. Refused while a Loket
/// process holds the folder; the current files are moved aside first.
pub fn restore(archive: &Path, data_dir: &Path) -> Result<RestoreReport> {
    let journal_path = data_dir.join("journal.db");
    let running = journal::live_processes(&journal_path);
    if running > 0 {
        return Err(BackupError::Running { count: running });
    }
    fs::create_dir_all(data_dir).map_err(io(data_dir))?;
    let staging = scratch(data_dir, "restore");
    fs::create_dir_all(&staging).map_err(io(&staging))?;
    let manifest = match unpack(archive, &staging) {
        Ok(m) => m,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // Checked again after the slow part, behind the restore gate: a process
    // that started meanwhile is seen here, and one starting from now on
    // waits until the restored files are in place (see `journal::Gate`).
    let gate = match journal::close_gate(&journal_path) {
        Ok(g) => g,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(io(&journal_path)(e));
        }
    };
    let running = journal::live_processes(&journal_path);
    if running > 0 {
        let _ = fs::remove_dir_all(&staging);
        return Err(BackupError::Running { count: running });
    }
    failpoint::hit("backup.restore.before_swap");
    let result = swap_in(data_dir, &staging, &manifest);
    drop(gate);
    let _ = fs::remove_dir_all(&staging);
    let kept_aside = result?;
    Ok(RestoreReport {
        manifest,
        kept_aside,
    })
}

fn swap_in(data_dir: &Path, staging: &Path, manifest: &Manifest) -> Result<Option<PathBuf>> {
    let current = current_files(data_dir, manifest)?;
    let kept_aside = if current.is_empty() {
        None
    } else {
        let mut aside = data_dir.join(format!("before-restore-{}", stamp(Utc::now())));
        let mut n = 1;
        while aside.exists() {
            n += 1;
            aside = data_dir.join(format!("before-restore-{}-{n}", stamp(Utc::now())));
        }
        fs::create_dir(&aside).map_err(io(&aside))?;
        for name in &current {
            let from = data_dir.join(name);
            fs::rename(&from, aside.join(name)).map_err(io(&from))?;
        }
        Some(aside)
    };
    for f in &manifest.files {
        let from = staging.join(&f.name);
        fs::rename(&from, data_dir.join(&f.name)).map_err(io(&from))?;
    }
    let _ = File::open(data_dir).and_then(|d| d.sync_all());
    Ok(kept_aside)
}

/// The backups in `folder`, newest first.
pub fn list(folder: &Path) -> Vec<BackupFile> {
    let mut found: Vec<BackupFile> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let made_at = parse_stamp(&name)?;
            let bytes = e.metadata().ok()?.len();
            Some(BackupFile {
                path: e.path(),
                made_at,
                bytes,
            })
        })
        .collect();
    found.sort_by_key(|b| std::cmp::Reverse(b.made_at));
    found
}

/// The newest backup in the data directory's own folder.
pub fn last(data_dir: &Path) -> Option<BackupFile> {
    list(&data_dir.join(BACKUP_DIR)).into_iter().next()
}

fn wib_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&journal::wib()).date_naive()
}

/// Keeps the newest `keep` backups in `folder`; returns what was removed.
pub fn prune(folder: &Path, keep: usize) -> Vec<PathBuf> {
    let mut removed = Vec::new();
    for old in list(folder).into_iter().skip(keep) {
        if fs::remove_file(&old.path).is_ok() {
            removed.push(old.path);
        }
    }
    removed
}

/// A backup made now into `backups/` (the last [`KEEP_DAILY`] kept), copied
/// to `extra` too when given (e.g. a USB stick): the app's "Cadangkan
/// sekarang" and each day's automatic backup.
pub fn now(data_dir: &Path, extra: Option<&Path>, at: DateTime<Utc>) -> Result<BackupReport> {
    let report = create(data_dir, &default_target(data_dir, at))?;
    prune(&data_dir.join(BACKUP_DIR), KEEP_DAILY);
    if let Some(extra) = extra {
        copy_to_folder(&report.path, extra)?;
        prune(extra, KEEP_DAILY);
    }
    Ok(report)
}

/// The automatic daily backup: [`now`], once per WIB day. `None` when
/// today's exists already.
pub fn daily(
    data_dir: &Path,
    extra: Option<&Path>,
    now: DateTime<Utc>,
) -> Result<Option<BackupReport>> {
    if let Some(last) = last(data_dir) {
        if wib_day(last.made_at) == wib_day(now) {
            return Ok(None);
        }
    }
    self::now(data_dir, extra, now).map(Some)
}

/// Copies a finished backup into `folder` (written whole, then renamed).
pub fn copy_to_folder(backup: &Path, folder: &Path) -> Result<PathBuf> {
    fs::create_dir_all(folder).map_err(io(folder))?;
    let name = backup.file_name().unwrap_or_default();
    let target = folder.join(name);
    if target.exists() {
        return Err(BackupError::Exists {
            path: target.display().to_string(),
        });
    }
    let partial = partial_name(&target);
    let mut out = open_private(&partial)?;
    let mut src = File::open(backup).map_err(io(backup))?;
    std::io::copy(&mut src, &mut out).map_err(io(&partial))?;
    out.sync_all().map_err(io(&partial))?;
    drop(out);
    fs::rename(&partial, &target).map_err(io(&target))?;
    Ok(target)
}
