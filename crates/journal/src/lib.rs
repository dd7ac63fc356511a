//! The teller's journal: every transaction attempt, from the moment its sid is
//! issued (before any request leaves) to its final state, in one SQLite file.
//!
//! A current row per transaction plus append-only events; every state change
//! is one SQLite transaction that checks the state it expects, so a crash at
//! any point leaves a consistent journal, and a second writer cannot move a
//! transaction twice. WAL mode with `synchronous=FULL`: a state that was
//! reported as written survives a power cut.
//!
//! The journal never holds a PIN, a password or a session id: no column can
//! carry one.
//!
//! # Which writes wait for the disk (issue 16)
//!
//! An fsync costs milliseconds on an agent's disk, so a payment pays for
//! exactly the ones the money rules need, and no more:
//!
//! - **`begin` (draft), durable** before the first request carrying the
//!   sid leaves (the inquiry, or the payment of a form without one): a sid
//!   the bank has seen is never issued again after a power cut, and the
//!   attempt is on record.
//! - **`inquired`, not waited for** ([`Journal::step_inquired`], WAL
//!   commit with `synchronous=NORMAL`). It is written before the agent sees
//!   the quote, survives a crash of the process (it is in the WAL), and
//!   becomes durable with the next durable commit, which comes before any
//!   payment request leaves. A power cut in between loses only the quote:
//!   the row is `draft`, recovery makes it `cancelled`, nothing was sent.
//! - **`authorized` and `sending`, one durable transaction**
//!   ([`Journal::authorize_and_send`]), before the payment request leaves:
//!   after it a crash means "unknown", never "not sent". The two events
//!   are still two rows of the chain; no crash can fall between them, so
//!   they need not be two fsyncs. Its crash points are
//!   `journal.step.<kind>.sending.{before,after}_commit` (there is no
//!   `authorized` commit any more); a kill before it leaves the row
//!   `draft`/`inquired` (recovery cancels it, nothing was sent), after it
//!   `sending` (recovery makes it `unknown` and the switcher settles it).
//!   The CLI's `crash_points` test kills at both and checks that nothing
//!   is sent twice or lost, and that this commit is the last point before
//!   the payment request.
//! - **The outcome (succeeded / failed / unknown), durable** before the
//!   agent is told: the agent hands over cash or a receipt on it, and a
//!   repeat is held by it.
//!
//! So a deposit with an inquiry is three fsyncs (begin, authorize+send,
//! outcome), down from five. Every other write (recovery, checks,
//! resolutions, reversals, reprints, supervisor actions) stays durable.

#[doc(hidden)]
pub mod bench_fixture;
pub mod chain;
mod evidence;
mod history;
mod lease;
mod model;
mod outbox;
mod prints;
mod schema;
mod sid;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use money::Rupiah;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

pub use lease::{close_gate, live_processes, Gate, Presence};
use lease::{Lease, Owner};

pub use chain::{Integrity, IntegrityReport};
pub use evidence::{EvidenceLine, UsedLine};
pub use history::{
    check_day, wib_day_bounds, DaySummary, HistoryPage, HistoryQuery, KindSummary, FIRST_DAY,
    LAST_DAY, NARROW, SHORT_SCAN,
};
pub use model::{
    Destination, Event, EventKind, Kind, NewTransaction, Resolution, RowFlags, State, StepFacts,
    TransactionRecord,
};
pub use outbox::{OutboxEvent, TerminalIdentity, TransactionSnapshot};
pub use prints::{OriginalIssue, MAX_ORIGINAL_ISSUES, ORIGINAL_RETRY_WINDOW};

/// What a payment must not repeat while it is in doubt or on its way: its
/// destination and amount (see [`Journal::in_doubt_like`]).
#[derive(Debug, Clone, Copy)]
pub struct Hold<'a> {
    pub bank_code: Option<&'a str>,
    pub account_number: &'a str,
    pub amount: Rupiah,
    /// The doubts a supervisor's override was given for: these do not
    /// hold. Any other payment like this one still does, so an override
    /// never lets through a payment another process put on its way after
    /// the supervisor looked.
    pub approved: &'a [String],
}

/// What [`Journal::authorize_and_send`] did.
#[derive(Debug)]
pub enum Authorized {
    /// The row is `sending`: the request may leave.
    Sending(Box<TransactionRecord>),
    /// Nothing was written: the payment with this sid, like this one, is in
    /// doubt or on its way (in this or another process).
    HeldBy(String),
}

/// How long a journal write waits for another process's write to finish.
/// Writes are short; a long wait is better than a payment whose outcome
/// cannot be recorded.
const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);
pub use sid::wib;

/// What can go wrong with the journal, in words a supervisor can act on.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal file cannot be used ({path}): {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    /// A journal from a newer Loket is never opened by an older one: its
    /// schema could be damaged silently. Nothing is written to the file.
    #[error(
        "this journal was written by a newer Loket (schema {found}, this build knows {known}); Loket neither opens nor changes it. Install the newest Loket"
    )]
    TooNew { found: i64, known: i64 },
    /// The copy written before a schema migration could not be made: the
    /// migration does not run without it.
    #[error(
        "the journal copy taken before a schema update cannot be written ({path}): {detail}; the journal was not changed. Free disk space and start Loket again"
    )]
    Snapshot { path: String, detail: String },
    #[error("no transaction with sid {0} in the journal")]
    NotFound(String),
    #[error("transaction {sid} is {from}, it cannot become {to}")]
    BadTransition { sid: String, from: State, to: State },
    #[error("a new transaction needs a kind")]
    NoKind,
    #[error("the journal is unusable after an earlier crash of this process; restart Loket")]
    Poisoned,
    #[error("journal storage error: {0}")]
    Storage(rusqlite::Error),
    #[error("cannot create the journal file {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "the journal file {path} is damaged ({detail}); Loket does not write to it. Do not delete or overwrite it: copy {path} (and {path}-wal if present) for support, then restore the journal from a backup"
    )]
    Damaged { path: String, detail: String },
    #[error(
        "the disk is full and the journal cannot be written; free space on the data folder's disk, then look at `loket history` before repeating anything"
    )]
    DiskFull,
    #[error(
        "the data folder is read-only and the journal cannot be written; run Loket on a writable data folder"
    )]
    ReadOnly,
    /// A row's state is not what its own (chained, append-only) events say:
    /// journal.db was edited outside Loket (the sqlite3 shell, a hex
    /// editor). Nothing is done with such a row.
    #[error(
        "transaction {sid} was changed outside Loket: its row says {found}, its events say {recorded}; nothing was sent or changed, have a supervisor check the journal (loket verify --full)"
    )]
    RowEdited {
        sid: String,
        found: String,
        recorded: String,
    },
    #[error("cannot write the CSV export: {0}")]
    Export(String),
    /// A history query the caller got wrong (a cursor that is not one):
    /// the caller's input, not a journal failure.
    #[error("{}", .0.en())]
    BadQuery(words::Text),
    #[error("date {0} is outside {1} to {2}")]
    DateOutOfRange(String, NaiveDate, NaiveDate),
    #[error("statement line {provider}:{provider_id} already settled transaction {sid}; one line is evidence for one transaction only")]
    LineUsed {
        provider: String,
        provider_id: String,
        sid: String,
    },
    #[error("cannot take this process's lease on the journal ({path}): {source}")]
    Lease {
        path: String,
        source: std::io::Error,
    },
    #[error("transaction {sid} already has reversal {reversal}, which has not failed")]
    ReversalPending { sid: String, reversal: String },
}

/// A transaction's state in words, each language whole.
impl words::Say for State {
    fn say(&self) -> words::Text {
        use words::text;
        match self {
            State::Draft => text!("draf", "draft"),
            State::Inquired => text!("sudah dicek", "inquired"),
            State::Authorized => text!("disetujui", "authorized"),
            State::Sending => text!("sedang dikirim", "being sent"),
            State::Succeeded => text!("berhasil", "succeeded"),
            State::Failed => text!("gagal", "failed"),
            State::Unknown => text!("dalam proses", "in doubt"),
            State::Reversed => text!("dibatalkan", "reversed"),
            State::Cancelled => text!("batal", "cancelled"),
        }
    }
}

/// What a person is told about a journal problem, each language whole.
/// Storage and file errors name their kind, never SQLite's English text.
impl words::Say for JournalError {
    fn say(&self) -> words::Text {
        use words::text;
        let storage = |e: &rusqlite::Error| match e.sqlite_error_code() {
            Some(code) => words::Text::same(format!("SQLite {code:?}")),
            None => text!("kesalahan basis data", "database error"),
        };
        match self {
            JournalError::Open { path, source } => text!(
                "berkas jurnal {path} tidak bisa dipakai ({why})",
                "the journal file {path} cannot be used ({why})";
                why = storage(source)
            ),
            JournalError::TooNew { found, known } => text!(
                "jurnal ini dibuat Loket yang lebih baru (skema {found}, versi ini mengenal {known}); Loket tidak membukanya dan tidak mengubahnya. Pasang Loket versi terbaru",
                "this journal was written by a newer Loket (schema {found}, this build knows {known}); Loket neither opens nor changes it. Install the newest Loket"
            ),
            JournalError::Snapshot { path, .. } => text!(
                "salinan jurnal sebelum pembaruan skema tidak bisa ditulis ({path}); jurnal tidak diubah. Kosongkan ruang disk lalu jalankan Loket lagi",
                "the journal copy taken before a schema update cannot be written ({path}); the journal was not changed. Free disk space and start Loket again"
            ),
            JournalError::NotFound(sid) => {
                let sid = money::preview(sid);
                text!("transaksi {sid} tidak ada di jurnal", "no transaction {sid} in the journal")
            }
            JournalError::BadTransition { sid, from, to } => text!(
                "transaksi {sid} berstatus {from}, tidak bisa menjadi {to}",
                "transaction {sid} is {from}, it cannot become {to}";
                from,
                to
            ),
            JournalError::NoKind => text!(
                "transaksi baru perlu jenis",
                "a new transaction needs a kind"
            ),
            JournalError::Poisoned => text!(
                "jurnal tidak bisa dipakai setelah proses ini gagal; mulai ulang Loket",
                "the journal is unusable after an earlier crash of this process; restart Loket"
            ),
            JournalError::Storage(e) => text!(
                "penyimpanan jurnal bermasalah ({why})",
                "journal storage error ({why})";
                why = storage(e)
            ),
            JournalError::Create { path, source } => text!(
                "berkas jurnal {path} tidak bisa dibuat: {source}",
                "cannot create the journal file {path}: {source}";
                source
            ),
            JournalError::Damaged { path, detail } => text!(
                "berkas jurnal {path} rusak ({detail}); Loket tidak menulis ke berkas itu. Jangan hapus atau timpa berkas itu: salin {path} (dan {path}-wal bila ada) untuk tim dukungan, lalu pulihkan jurnal dari cadangan",
                "the journal file {path} is damaged ({detail}); Loket does not write to it. Do not delete or overwrite it: copy {path} (and {path}-wal if present) for support, then restore the journal from a backup"
            ),
            JournalError::DiskFull => text!(
                "ruang disk habis, jurnal tidak bisa ditulis; kosongkan ruang di disk folder data, lalu lihat `loket history` sebelum mengulang apa pun",
                "the disk is full and the journal cannot be written; free space on the data folder's disk, then look at `loket history` before repeating anything"
            ),
            JournalError::ReadOnly => text!(
                "folder data hanya-baca, jurnal tidak bisa ditulis; jalankan Loket dengan folder data yang bisa ditulis",
                "the data folder is read-only and the journal cannot be written; run Loket on a writable data folder"
            ),
            JournalError::RowEdited { sid, found, recorded } => {
                let (found, recorded) = (format!("“{found}”"), format!("“{recorded}”"));
                text!(
                "transaksi {sid} diubah di luar Loket: tabel berkata {found}, catatan peristiwanya {recorded}; tidak ada yang dikirim atau diubah, minta supervisor memeriksa jurnal (loket verify --full)",
                "transaction {sid} was changed outside Loket: its row says {found}, its events say {recorded}; nothing was sent or changed, have a supervisor check the journal (loket verify --full)"
            )
            }
            // The CSV library's own text is English: only said in the log.
            JournalError::Export(_) => text!(
                "ekspor CSV tidak bisa ditulis",
                "cannot write the CSV export"
            ),
            JournalError::BadQuery(why) => why.clone(),
            JournalError::DateOutOfRange(d, from, to) => text!(
                "tanggal {d} di luar rentang {from} s.d. {to}",
                "date {d} is outside {from} to {to}"
            ),
            JournalError::LineUsed { provider, provider_id, sid } => text!(
                "baris mutasi {provider}:{provider_id} sudah menyelesaikan transaksi {sid}; satu baris hanya bukti untuk satu transaksi",
                "statement line {provider}:{provider_id} already settled transaction {sid}; one line is evidence for one transaction only"
            ),
            JournalError::Lease { path, source } => text!(
                "jurnal tidak bisa dipakai proses ini ({path}): {source}",
                "cannot take this process's lease on the journal ({path}): {source}";
                source
            ),
            JournalError::ReversalPending { sid, reversal } => text!(
                "transaksi {sid} sudah punya pembatalan {reversal} yang belum gagal",
                "transaction {sid} already has reversal {reversal}, which has not failed"
            ),
        }
    }
}

impl From<rusqlite::Error> for JournalError {
    /// A full disk and a read-only folder are named as such: the agent can
    /// act on them, unlike a bare SQLite message.
    fn from(e: rusqlite::Error) -> Self {
        match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::DiskFull) => JournalError::DiskFull,
            Some(rusqlite::ErrorCode::ReadOnly) => JournalError::ReadOnly,
            _ => JournalError::Storage(e),
        }
    }
}

/// Names an error of a write to the journal at `db_path`: SQLite reports a
/// full disk or a read-only file system as a bare "disk I/O error" when it
/// meets them outside a page write (the shared-memory index, a new WAL), so
/// on an I/O error the folder is probed with a small write of its own.
fn named(e: rusqlite::Error, db_path: Option<&Path>) -> JournalError {
    let io = matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::SystemIoFailure | rusqlite::ErrorCode::CannotOpen)
    );
    if io {
        if let Some(dir) = db_path.and_then(Path::parent) {
            match probe(dir) {
                Some(std::io::ErrorKind::StorageFull) => return JournalError::DiskFull,
                Some(std::io::ErrorKind::ReadOnlyFilesystem) => return JournalError::ReadOnly,
                _ => {}
            }
        }
    }
    e.into()
}

/// What a small write next to the journal runs into, if anything.
fn probe(dir: &Path) -> Option<std::io::ErrorKind> {
    use std::io::Write;
    let path = dir.join(format!(".loket-probe-{}", std::process::id()));
    let result = std::fs::File::create(&path).and_then(|mut f| {
        f.write_all(&[0u8; 64 * 1024])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&path);
    result.err().map(|e| e.kind())
}

/// Makes sure the journal file at `path` may be used, before any
/// connection that could write to it: a missing file is created whole (see
/// [`create_whole`]); an empty or damaged one is refused with
/// [`JournalError::Damaged`] and left exactly as it is. Everything that
/// opens the journal file (the supervisor crate too) calls this first.
pub fn check_file(path: &Path) -> Result<()> {
    let open_err = |source| JournalError::Open {
        path: path.display().to_string(),
        source,
    };
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return create_whole(path),
        // A journal is never empty (it is created whole): an empty file is
        // one a crash or a tool cut to nothing, and the rows are gone.
        Ok(m) if m.len() == 0 => {
            return Err(JournalError::Damaged {
                path: path.display().to_string(),
                detail: "0 byte, kosong; 0 bytes, empty".into(),
            })
        }
        _ => {}
    }
    let conn = Connection::open(path).map_err(|e| match named(e, Some(path)) {
        JournalError::Storage(e) => open_err(e),
        other => other,
    })?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
    // Until the file is known sound, closing this connection must not
    // checkpoint a WAL into it (that would write to it).
    conn.set_db_config(
        rusqlite::config::DbConfig::SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
        true,
    )
    .map_err(open_err)?;
    check_sound(&conn, path)
}

/// Creates a new journal file whole: built and migrated under a temporary
/// name, then linked into place, so the journal's name never points at a
/// half-made (or empty) file, and of two processes starting at once one
/// file wins and the other uses it.
fn create_whole(path: &Path) -> Result<()> {
    let create_err = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::StorageFull => JournalError::DiskFull,
        std::io::ErrorKind::ReadOnlyFilesystem => JournalError::ReadOnly,
        _ => JournalError::Create {
            path: path.display().to_string(),
            source,
        },
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("journal.db");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let tmp = path.with_file_name(format!(".{name}.new-{}-{nanos}", std::process::id()));
    let build = || -> Result<()> {
        let mut conn = Connection::open(&tmp)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        prepare_connection(&mut conn)?;
        // Closing checkpoints the WAL into the file and removes it.
        conn.close().map_err(|(_, e)| JournalError::from(e))?;
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(create_err)?;
        match std::fs::hard_link(&tmp, path) {
            Ok(()) => {}
            // Another process created it meanwhile: theirs is the journal.
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            // A file system without hard links: a rename (not atomic
            // against a second creator, which is the rare case here).
            Err(_) if !path.exists() => std::fs::rename(&tmp, path).map_err(create_err)?,
            Err(e) => return Err(create_err(e)),
        }
        if let Some(dir) = path.parent() {
            let _ = std::fs::File::open(dir).and_then(|d| d.sync_all());
        }
        Ok(())
    };
    let result = build().map_err(|e| match e {
        JournalError::Storage(e) => named(e, Some(path)),
        other => other,
    });
    for suffix in ["", "-wal", "-shm"] {
        let mut p = tmp.clone().into_os_string();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
    result
}

/// Whether `e` says the file is not a sound SQLite database.
fn is_damage(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
    )
}

/// Journals up to this size get SQLite's whole `quick_check` at every open
/// (tens of milliseconds at most); larger ones the bounded check of
/// [`check_sound`], so start-up does not grow with the journal.
pub const FULL_CHECK_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Refuses a journal file that SQLite finds damaged (a torn page, random
/// bytes, a truncated file), before anything writes to it.
///
/// Always: the file header (SQLite's magic, a valid page size, and a file
/// as long as the page count the header records: a cut file fails here).
/// Then a small journal gets `PRAGMA quick_check` over every page. A large
/// one (above [`FULL_CHECK_MAX_BYTES`]) gets the schema and the root and
/// first and last leaf of every table instead: reading every page of a
/// 1,000,000-row journal at each start costs seconds on an agent's PC,
/// and made every process start slower as the journal grew. A damaged
/// page deeper in a large journal is reported by the query that reaches it
/// (SQLite checks each page it reads) and by `loket verify --full`, which
/// runs the whole `quick_check` (`Integrity::verify_pages`).
fn check_sound(conn: &Connection, path: &Path) -> Result<()> {
    let damaged = |detail: String| JournalError::Damaged {
        path: path.display().to_string(),
        detail,
    };
    let size = match check_header(conn, path) {
        Ok(size) => size,
        Err(CheckFailed::Damaged(detail)) => return Err(damaged(detail)),
        Err(CheckFailed::Sqlite(e)) if is_damage(&e) => return Err(damaged(e.to_string())),
        Err(CheckFailed::Sqlite(e)) => return Err(named(e, Some(path))),
    };
    let verdict: rusqlite::Result<String> = if size <= FULL_CHECK_MAX_BYTES {
        conn.query_row("PRAGMA quick_check(1)", [], |r| r.get(0))
    } else {
        probe_tables(conn).map(|()| "ok".to_owned())
    };
    match verdict {
        Ok(v) if v == "ok" => Ok(()),
        Ok(v) => Err(damaged(v)),
        Err(e) if is_damage(&e) => Err(damaged(e.to_string())),
        Err(e) => Err(named(e, Some(path))),
    }
}

/// The journal file's size when SQLite's header agrees with it, else what
/// is wrong, in words for the damaged-journal message.
///
/// The header is read through SQLite (`page_size`, `page_count`; a file
/// that is not SQLite fails there) and the size through `stat`, never
/// through a file handle of our own: closing any handle on the file drops
/// every POSIX lock this process holds on it, including the locks of the
/// journal handles already open (POSIX locks belong to the process). Without
/// them another process closing its connection believes itself the last,
/// checkpoints and deletes the WAL this one still writes to, and rows are
/// lost (found by the simulator; test
/// `a_process_that_writes_and_exits_loses_no_row_of_another_that_stays`).
fn check_header(conn: &Connection, path: &Path) -> std::result::Result<u64, CheckFailed> {
    let size = std::fs::metadata(path)
        .map_err(|e| CheckFailed::Damaged(e.to_string()))?
        .len();
    let page: i64 = conn.query_row("PRAGMA page_size", [], |r| r.get(0))?;
    let pages: i64 = conn.query_row("PRAGMA page_count", [], |r| r.get(0))?;
    let page = u64::try_from(page)
        .ok()
        .filter(|p| *p >= 512)
        .ok_or_else(|| {
            CheckFailed::Damaged("ukuran halaman tidak sah; invalid page size".into())
        })?;
    let pages = u64::try_from(pages).unwrap_or(0);
    // With frames in the WAL the page count is the WAL's (pages a
    // checkpoint cut short by a crash had not yet written: SQLite completes
    // it), so the length is not judged then. Without, SQLite takes the
    // header's count when it is valid, else the file's length.
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let wal_frames = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 32);
    if size % page != 0 || (!wal_frames && size < pages.saturating_mul(page)) {
        return Err(CheckFailed::Damaged(format!(
            "berkas terpotong ({size} byte); the file is cut short ({size} bytes)"
        )));
    }
    Ok(size)
}

/// Why [`check_header`] refused a file.
enum CheckFailed {
    /// Damage, in words.
    Damaged(String),
    /// SQLite's own error (damage or not: [`check_sound`] tells).
    Sqlite(rusqlite::Error),
}

impl From<rusqlite::Error> for CheckFailed {
    fn from(e: rusqlite::Error) -> Self {
        CheckFailed::Sqlite(e)
    }
}

/// Reads the schema and, for every ordinary table, its root page and its
/// first and last leaf (a torn root or edge page fails here).
fn probe_tables(conn: &Connection) -> rusqlite::Result<()> {
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%' \
             AND sql NOT LIKE '%WITHOUT ROWID%' AND name NOT LIKE 'sqlite_%'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    for table in tables {
        let quoted = table.replace('"', "\"\"");
        // Apart: min() and max() together are a scan, each alone a descent.
        for edge in ["min", "max"] {
            conn.query_row(
                &format!("SELECT {edge}(rowid) FROM \"{quoted}\""),
                [],
                |_| Ok(()),
            )?;
        }
    }
    Ok(())
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

pub type Result<T> = std::result::Result<T, JournalError>;

/// A supervisor-approved action that belongs to no transaction.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Authorization {
    pub at: DateTime<Utc>,
    pub action: String,
    pub actor: String,
    pub authorized_by: String,
    pub detail: Option<String>,
}

/// The journal of one terminal.
pub struct Journal {
    conn: Mutex<Connection>,
    /// This handle's lease: rows it begins name it as their owner.
    lease: Lease,
    /// The last sid step issued by this process; see [`sid`].
    last_step: Mutex<i64>,
    /// Set while a write runs with `synchronous=NORMAL`
    /// ([`Journal::step_inquired`]); if it could not be set back to FULL,
    /// the handle refuses every later use rather than write undurably.
    relaxed: std::sync::atomic::AtomicBool,
}

const COLUMNS: &str = "sid, kind, state, created_at, updated_at, operator, agent_code, \
    amount_sen, fee_sen, total_sen, dest_bank_code, dest_bank_name, dest_account, dest_name, \
    narration, inquiry_ref, bank_reference, bank_code, bank_message, override_of, resolution, \
    resolution_note, resolved_by";

impl Journal {
    /// Opens (creating if needed) the journal file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Journal> {
        let open_err = |source| JournalError::Open {
            path: path.display().to_string(),
            source,
        };
        // Not while a restore swaps the files (see `lease::Gate`): held
        // until this handle's lease is in place.
        let gate = lease::pass_gate(path).map_err(|source| JournalError::Lease {
            path: path.display().to_string(),
            source,
        })?;
        check_file(path)?;
        let conn = Connection::open(path).map_err(|e| match named(e, Some(path)) {
            JournalError::Storage(e) => open_err(e),
            other => other,
        })?;
        // Before anything that may need a lock: wait for other processes.
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| {
                if is_damage(&e) {
                    return JournalError::Damaged {
                        path: path.display().to_string(),
                        detail: e.to_string(),
                    };
                }
                match named(e, Some(path)) {
                    JournalError::Storage(e) => open_err(e),
                    other => other,
                }
            })?;
        let lease = Lease::take(path).map_err(|source| JournalError::Lease {
            path: path.display().to_string(),
            source,
        })?;
        drop(gate);
        Self::setup(conn, lease).map_err(|e| match e {
            JournalError::Storage(e) => named(e, Some(path)),
            other => other,
        })
    }

    /// A journal that lives in memory only (tests, benchmarks).
    pub fn open_in_memory() -> Result<Journal> {
        let conn = Connection::open_in_memory().map_err(|source| JournalError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::setup(conn, Lease::in_memory())
    }

    fn setup(mut conn: Connection, lease: Lease) -> Result<Journal> {
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Freed cell space is zeroed where that costs no extra write: every
        // step rewrites the row's index entries, and stale copies of them
        // (account numbers next to leftover digits of sids) otherwise stay
        // in the file's free space, where the simulator's secret scan read
        // "14047" + "0" as a customer's PIN (seed 144).
        conn.pragma_update(None, "secure_delete", "FAST")?;
        prepare_connection(&mut conn)?;
        let last_sid: Option<String> =
            conn.query_row("SELECT max(sid) FROM transactions", [], |r| r.get(0))?;
        let last_step = last_sid.as_deref().and_then(sid::parse_step).unwrap_or(0);
        Ok(Journal {
            conn: Mutex::new(conn),
            lease,
            last_step: Mutex::new(last_step),
            relaxed: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// Appends an integrity note (`settings` fingerprint, `tamper` finding)
    /// to the chain; an unchanged `tamper` finding is not repeated.
    pub fn record_integrity_note(&self, kind: &str, detail: &str) -> Result<bool> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let recorded = chain::record_note(&tx, kind, detail, Utc::now().timestamp_millis())?;
        commit(tx, format_args!("journal.note.{kind}"))?;
        Ok(recorded)
    }
}

/// The journal's clock: the system's, except that debug builds honor the
/// test hooks `LOKET_CLOCK_OFFSET_SECS` / `LOKET_CLOCK_AT_MS` (see the
/// `failpoint` crate) so tests can move the clock back or stop it.
pub fn now() -> DateTime<Utc> {
    let real = Utc::now();
    if !failpoint::ENABLED {
        return real;
    }
    DateTime::from_timestamp_millis(failpoint::clock_ms(real.timestamp_millis())).unwrap_or(real)
}

/// Commits `tx`, passing the crash points `<point>.before_commit` and
/// `<point>.after_commit` (see the `failpoint` crate; debug builds only).
/// Every write to the journal file commits through here, the supervisor
/// crate's too, so the crash tests can kill a process on either side of
/// every commit.
pub fn commit(tx: rusqlite::Transaction<'_>, point: std::fmt::Arguments<'_>) -> Result<()> {
    failpoint::hit_args(format_args!("{point}.before_commit"));
    let db = tx.path().map(std::path::PathBuf::from);
    tx.commit().map_err(|e| named(e, db.as_deref()))?;
    failpoint::hit_args(format_args!("{point}.after_commit"));
    Ok(())
}

/// Makes a connection to the journal file fit for Loket: registers the chain
/// function (see [`chain`]) and brings the schema up to date. Every
/// connection that writes to the file (the supervisor crate's too) uses it.
pub fn prepare_connection(conn: &mut Connection) -> Result<()> {
    {
        chain::register(conn)?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if version > schema::latest() {
            return Err(JournalError::TooNew {
                found: version,
                known: schema::latest(),
            });
        }
        if version >= 1 && version < schema::latest() {
            snapshot_before_migration(conn, version)?;
        }
        schema::migrate(conn)?;
        Ok(())
    }
}

/// Writes a consistent copy of an existing journal file next to it before
/// its schema is migrated forward (`journal.db.v6-before-v7-<UTC>.snapshot`),
/// so an update that goes wrong can be undone by hand. The copy is SQLite's
/// own (`VACUUM INTO`, under a read transaction), never a file copy of a
/// database other processes may be writing. Two processes starting at once
/// may each write one; that costs disk, not correctness.
fn snapshot_before_migration(conn: &Connection, version: i64) -> Result<()> {
    let Some(db) = conn.path().filter(|p| !p.is_empty()).map(Path::new) else {
        return Ok(()); // In memory: nothing to keep.
    };
    let name = db
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("journal.db");
    let stamp = Utc::now().format("%Y%m%dT%H%M%S%.3fZ");
    let target = db.with_file_name(format!(
        "{name}.v{version}-before-v{}-{stamp}.snapshot",
        schema::latest()
    ));
    snapshot_to(conn, &target)?;
    tracing::info!(snapshot = %target.display(), from = version, to = schema::latest(), "journal snapshot before migration");
    Ok(())
}

/// A consistent copy of the database behind `conn`, written to `target`.
fn snapshot_to(conn: &Connection, target: &Path) -> Result<()> {
    let failed = |detail: String| JournalError::Snapshot {
        path: target.display().to_string(),
        detail,
    };
    let target_text = target
        .to_str()
        .ok_or_else(|| failed("path is not UTF-8".into()))?;
    conn.execute("VACUUM INTO ?1", [target_text])
        .map_err(|e| failed(e.to_string()))?;
    std::fs::File::open(target)
        .and_then(|f| f.sync_all())
        .map_err(|e| failed(e.to_string()))?;
    Ok(())
}

/// The newest journal schema this build reads and writes.
pub fn schema_version() -> i64 {
    schema::latest()
}

/// The `*.snapshot` files written before migrations, next to `journal_path`.
pub fn migration_snapshots(journal_path: &Path) -> Vec<std::path::PathBuf> {
    let Some(dir) = journal_path.parent() else {
        return Vec::new();
    };
    let prefix = journal_path
        .file_name()
        .and_then(|n| n.to_str())
        .map(|n| format!("{n}.v"))
        .unwrap_or_default();
    let mut found: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".snapshot"))
        })
        .collect();
    found.sort();
    found
}

impl Journal {
    pub(crate) fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        let conn = self.conn.lock().map_err(|_| JournalError::Poisoned)?;
        if self.relaxed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(JournalError::Poisoned);
        }
        Ok(conn)
    }

    /// Issues a sid and records the new transaction as `draft`, before any
    /// request carrying that sid leaves the terminal.
    pub fn begin(&self, new: NewTransaction) -> Result<String> {
        self.begin_at(new, now())
    }

    /// [`Journal::begin`] with an explicit clock, for tests and data generation.
    pub fn begin_at(&self, new: NewTransaction, now: DateTime<Utc>) -> Result<String> {
        self.begin_inner(new, now, None)
    }

    /// Begins the reversal of `original` as its own row, and in the same
    /// SQLite transaction marks the original as having it, but only if the
    /// original is `succeeded` and has no reversal that could still book
    /// (one that is in flight, in doubt or succeeded). This compare-and-set
    /// holds across processes: of two supervisors reversing at once, one
    /// gets [`JournalError::ReversalPending`]. A reversal that failed or was
    /// cancelled releases the original for another attempt.
    pub fn begin_reversal(&self, original: &str, new: NewTransaction) -> Result<String> {
        self.begin_inner(new, now(), Some(original))
    }

    fn begin_inner(
        &self,
        new: NewTransaction,
        now: DateTime<Utc>,
        reversal_of: Option<&str>,
    ) -> Result<String> {
        let kind = new.kind.ok_or(JournalError::NoKind)?;
        let mut conn = self.conn()?;
        let mut last = self.last_step.lock().map_err(|_| JournalError::Poisoned)?;
        let mut step = sid::steps_of(now).max(*last + 1);
        loop {
            let sid = sid::format_step(step);
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            if let Some(original) = reversal_of {
                let current = load(&tx, original)?
                    .ok_or_else(|| JournalError::NotFound(original.to_owned()))?;
                if current.state != State::Succeeded {
                    return Err(JournalError::BadTransition {
                        sid: original.to_owned(),
                        from: current.state,
                        to: State::Reversed,
                    });
                }
                let pending: Option<String> = tx
                    .query_row(
                        "SELECT o.reversal_sid FROM transactions o JOIN transactions r \
                     ON r.sid = o.reversal_sid WHERE o.sid = ?1 \
                     AND r.state NOT IN ('failed', 'cancelled')",
                        [original],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(reversal) = pending {
                    return Err(JournalError::ReversalPending {
                        sid: original.to_owned(),
                        reversal,
                    });
                }
            }
            let inserted = tx.execute(
                "INSERT INTO transactions (sid, kind, state, created_at, updated_at, operator, agent_code, \
                 amount_sen, fee_sen, total_sen, dest_bank_code, dest_bank_name, dest_account, dest_name, \
                 narration, override_of, owner, reversal_of, quoted_fee_sen) \
                 VALUES (?1, ?2, 'draft', ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?7) \
                 ON CONFLICT(sid) DO NOTHING",
                params![
                    sid,
                    kind.as_str(),
                    now.timestamp_millis(),
                    new.operator,
                    new.agent_code,
                    new.amount.map(Rupiah::sen),
                    new.admin_fee.map(Rupiah::sen),
                    total_of(new.amount, new.admin_fee).map(Rupiah::sen),
                    new.destination.bank_code,
                    new.destination.bank_name,
                    new.destination.account_number,
                    new.destination.account_name,
                    new.narration,
                    new.override_of,
                    self.lease.id(),
                    reversal_of,
                ],
            )?;
            if inserted == 0 {
                // Another process on the same journal took this sid: try the next step.
                drop(tx);
                step += 1;
                continue;
            }
            let note = new
                .override_of
                .as_ref()
                .map(|o| format!("allowed although {o} is in doubt"));
            insert_event(
                &tx,
                &sid,
                now,
                None,
                State::Draft,
                &new.operator,
                note.as_deref(),
                None,
                "state",
            )?;
            refresh_search(&tx, &sid)?;
            if let Some(original) = reversal_of {
                tx.execute(
                    "UPDATE transactions SET reversal_sid = ?2 WHERE sid = ?1",
                    params![original, sid],
                )?;
            }
            let what = if reversal_of.is_some() {
                "begin_reversal"
            } else {
                "begin"
            };
            commit(tx, format_args!("journal.{what}.{kind}"))?;
            *last = step;
            return Ok(sid);
        }
    }

    /// Moves a transaction from `from` to `to`, filling in what the step
    /// learned. Refused unless the transaction is in `from` right now and the
    /// state machine allows the move.
    pub fn step(
        &self,
        sid: &str,
        from: State,
        to: State,
        actor: &str,
        note: Option<&str>,
        facts: StepFacts,
    ) -> Result<TransactionRecord> {
        self.step_at(sid, from, to, actor, note, facts, now())
    }

    #[allow(clippy::too_many_arguments)]
    pub fn step_at(
        &self,
        sid: &str,
        from: State,
        to: State,
        actor: &str,
        note: Option<&str>,
        facts: StepFacts,
        now: DateTime<Utc>,
    ) -> Result<TransactionRecord> {
        let mut conn = self.conn()?;
        // The write lock up front: a deferred transaction that reads and then
        // writes fails at once ("database is locked") instead of waiting.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        if current.state != from || !from.can_move_to(to) {
            return Err(JournalError::BadTransition {
                sid: sid.to_owned(),
                from: current.state,
                to,
            });
        }
        let updated = apply_step(&tx, &current, to, actor, note, &facts, now, "state")?;
        commit(tx, format_args!("journal.step.{}.{to}", current.kind))?;
        Ok(updated)
    }

    /// Records an inquiry's answer (`draft -> inquired`) without waiting
    /// for the disk: see "Which writes wait for the disk" in the module
    /// docs. The commit is in the WAL (a crash of the process keeps it) and
    /// becomes durable with the next durable commit.
    pub fn step_inquired(
        &self,
        sid: &str,
        actor: &str,
        facts: StepFacts,
    ) -> Result<TransactionRecord> {
        let mut conn = self.conn()?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Until `synchronous` is FULL again, `conn()` refuses this handle.
        self.relaxed
            .store(true, std::sync::atomic::Ordering::SeqCst);
        let result = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
            if current.state != State::Draft {
                return Err(JournalError::BadTransition {
                    sid: sid.to_owned(),
                    from: current.state,
                    to: State::Inquired,
                });
            }
            let updated = apply_step(
                &tx,
                &current,
                State::Inquired,
                actor,
                None,
                &facts,
                now(),
                "state",
            )?;
            commit(tx, format_args!("journal.step.{}.inquired", current.kind))?;
            Ok(updated)
        })();
        conn.pragma_update(None, "synchronous", "FULL")?;
        self.relaxed
            .store(false, std::sync::atomic::Ordering::SeqCst);
        result
    }

    /// Moves a quoted transaction (`draft` or `inquired`) to `authorized`
    /// and on to `sending` in one durable SQLite transaction, the last write
    /// before the payment request leaves: two events, one fsync (see the
    /// module docs). After it, a crash means "unknown".
    ///
    /// With `hold`, the hold on a repeat is decided inside the same write
    /// transaction: if a payment like this one (same destination and
    /// amount) is in doubt or on its way in any process, nothing is written
    /// and [`Authorized::HeldBy`] names it. A check made before (a plain
    /// read) is not enough: two processes paying the same deposit at once
    /// both read "nothing in doubt" and both sent (two credits for one
    /// handful of cash), the second one's write merely waiting for the
    /// first one's lock.
    pub fn authorize_and_send(
        &self,
        sid: &str,
        from: State,
        actor: &str,
        note: Option<&str>,
        facts: StepFacts,
        hold: Option<Hold<'_>>,
    ) -> Result<Authorized> {
        let mut conn = self.conn()?;
        // Crash point (debug builds): the tests stop a payer here, its hold
        // read and its write not yet begun, to pay the same in another process.
        failpoint::hit("journal.authorize_and_send.before_lock");
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        if current.state != from || !from.can_move_to(State::Authorized) {
            return Err(JournalError::BadTransition {
                sid: sid.to_owned(),
                from: current.state,
                to: State::Authorized,
            });
        }
        if let Some(hold) = hold {
            let doubt = doubts_like(&tx, &hold)?
                .into_iter()
                .find(|d| d != sid && !hold.approved.contains(d));
            if let Some(doubt) = doubt {
                return Ok(Authorized::HeldBy(doubt));
            }
        }
        let now = now();
        let authorized = apply_step(
            &tx,
            &current,
            State::Authorized,
            actor,
            note,
            &facts,
            now,
            "state",
        )?;
        let sending = apply_step(
            &tx,
            &authorized,
            State::Sending,
            actor,
            None,
            &StepFacts::default(),
            now,
            "state",
        )?;
        commit(tx, format_args!("journal.step.{}.sending", current.kind))?;
        Ok(Authorized::Sending(Box::new(sending)))
    }

    /// Records that a transaction recorded `failed` was in fact booked, as
    /// its own `correction` event carrying the evidence (a switcher answer
    /// or a statement line). The row is flagged `corrected` and listed by
    /// [`Journal::corrections`] for a supervisor's attention. Only
    /// `failed -> succeeded` is a correction; nothing else may be undone.
    pub fn correct_failed_to_succeeded(
        &self,
        sid: &str,
        actor: &str,
        evidence: &str,
        facts: StepFacts,
    ) -> Result<TransactionRecord> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        if current.state != State::Failed {
            return Err(JournalError::BadTransition {
                sid: sid.to_owned(),
                from: current.state,
                to: State::Succeeded,
            });
        }
        let note = format!("KOREKSI / CORRECTION: recorded failed, but booked: {evidence}");
        let facts = StepFacts {
            resolution_note: facts.resolution_note.clone().or(Some(evidence.to_owned())),
            ..facts
        };
        let updated = apply_step(
            &tx,
            &current,
            State::Succeeded,
            actor,
            Some(&note),
            &facts,
            Utc::now(),
            "correction",
        )?;
        tx.execute(
            "UPDATE transactions SET corrected = 1 WHERE sid = ?1",
            [sid],
        )?;
        commit(tx, format_args!("journal.correct.{}", current.kind))?;
        Ok(updated)
    }

    /// Rows recorded `failed` and later proven booked (see
    /// [`Journal::correct_failed_to_succeeded`]), oldest first: a supervisor
    /// must look at each (the customer or the agent may be owed money).
    pub fn corrections(&self) -> Result<Vec<TransactionRecord>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE corrected = 1 ORDER BY created_at, sid"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], record)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// What the journal knows about a row beyond [`TransactionRecord`]:
    /// its owner, its reversal, the quoted and replied fee, corrections.
    pub fn flags(&self, sid: &str) -> Result<Option<RowFlags>> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                "SELECT owner, reversal_sid, reversal_of, quoted_fee_sen, replied_fee_sen, \
                 replied_total_sen, fee_differs, corrected, \
                 (SELECT max(at) FROM events e WHERE e.sid = t.sid AND e.to_state = 'sending') \
                 FROM transactions t WHERE sid = ?1",
                [sid],
                |r| {
                    Ok(RowFlags {
                        owner: r.get(0)?,
                        reversal_sid: r.get(1)?,
                        reversal_of: r.get(2)?,
                        quoted_fee: opt_money(r.get(3)?),
                        replied_fee: opt_money(r.get(4)?),
                        replied_total: opt_money(r.get(5)?),
                        fee_differs: r.get::<_, i64>(6)? != 0,
                        corrected: r.get::<_, i64>(7)? != 0,
                        sent_at: r.get::<_, Option<i64>>(8)?.map(millis),
                    })
                },
            )
            .optional()?)
    }

    /// This handle's lease id (rows it begins are owned by it).
    pub fn lease_id(&self) -> &str {
        self.lease.id()
    }
}

/// Moves `current` to `to` inside an open write transaction: the row, its
/// event, and what follows from the move (a reversal that succeeded makes
/// its original `reversed` in the same transaction).
#[allow(clippy::too_many_arguments)]
fn apply_step(
    tx: &Connection,
    current: &TransactionRecord,
    to: State,
    actor: &str,
    note: Option<&str>,
    facts: &StepFacts,
    now: DateTime<Utc>,
    event_kind: &str,
) -> Result<TransactionRecord> {
    let sid = current.sid.as_str();
    let from = current.state;
    {
        let dest = facts.destination.clone().unwrap_or_default();
        // A reply whose fee differs from the quote (an interbank reply with
        // `admin_fee: 0` after a 6500 quote): both are kept, and the money
        // that left the agent is the larger known figure until the bank's
        // statement or the switcher says otherwise.
        let (fee, replied_total, differs) = match facts.replied_fee {
            Some(replied) => {
                let quoted = current.admin_fee;
                let differs = quoted.is_some_and(|q| q != replied);
                let fee = quoted.map_or(replied, |q| q.max(replied));
                (Some(fee), facts.replied_total, differs)
            }
            None => (facts.admin_fee, None, false),
        };
        let amount = facts.amount.or(current.amount);
        let total = if facts.replied_fee.is_some() {
            let computed = total_of(amount, fee);
            match (computed, facts.replied_total) {
                (Some(c), Some(r)) => Some(c.max(r)),
                (c, r) => c.or(r),
            }
        } else {
            facts
                .total
                .or_else(|| match (facts.amount, facts.admin_fee) {
                    (Some(_), _) | (_, Some(_)) => {
                        total_of(amount, facts.admin_fee.or(current.admin_fee))
                    }
                    _ => None,
                })
        };
        tx.execute(
            "UPDATE transactions SET state = ?2, updated_at = ?3, \
             amount_sen = coalesce(?4, amount_sen), fee_sen = coalesce(?5, fee_sen), \
             total_sen = coalesce(?6, total_sen), \
             dest_bank_code = coalesce(?7, dest_bank_code), dest_bank_name = coalesce(?8, dest_bank_name), \
             dest_account = coalesce(?9, dest_account), dest_name = coalesce(?10, dest_name), \
             inquiry_ref = coalesce(?11, inquiry_ref), bank_reference = coalesce(?12, bank_reference), \
             bank_code = coalesce(?13, bank_code), bank_message = coalesce(?14, bank_message), \
             resolution = coalesce(?15, resolution), resolution_note = coalesce(?16, resolution_note), \
             resolved_by = coalesce(?17, resolved_by), override_of = coalesce(?19, override_of), \
             quoted_fee_sen = CASE WHEN ?20 IS NOT NULL THEN fee_sen ELSE coalesce(?21, quoted_fee_sen) END, \
             replied_fee_sen = coalesce(?20, replied_fee_sen), \
             replied_total_sen = coalesce(?22, replied_total_sen), \
             fee_differs = fee_differs OR ?23 \
             WHERE sid = ?1 AND state = ?18",
            params![
                sid,
                to.as_str(),
                now.timestamp_millis(),
                facts.amount.map(Rupiah::sen),
                fee.map(Rupiah::sen),
                total.map(Rupiah::sen),
                dest.bank_code,
                dest.bank_name,
                dest.account_number,
                dest.account_name,
                facts.inquiry_ref,
                facts.bank_reference,
                facts.bank_code,
                facts.bank_message,
                facts.resolution.map(Resolution::as_str),
                facts.resolution_note,
                facts.resolved_by,
                from.as_str(),
                facts.override_of,
                facts.replied_fee.map(Rupiah::sen),
                facts.admin_fee.map(Rupiah::sen),
                replied_total.map(Rupiah::sen),
                differs,
            ],
        )?;
        insert_event(
            tx,
            sid,
            now,
            Some(from),
            to,
            actor,
            note,
            facts.authorized_by.as_deref(),
            event_kind,
        )?;
        if facts.destination.is_some() {
            refresh_search(tx, sid)?;
        }
    }
    // A reversal that succeeded (by its reply, a switcher check, a statement
    // line or a supervisor) reverses its original in the same transaction.
    if current.kind == Kind::Reversal && to == State::Succeeded {
        let original: Option<String> = tx
            .query_row(
                "SELECT reversal_of FROM transactions WHERE sid = ?1",
                [sid],
                |r| r.get(0),
            )
            .optional()?
            .flatten();
        if let Some(original) = original {
            if let Some(orig) = load(tx, &original)? {
                if orig.state == State::Succeeded {
                    let why = current.narration.clone().unwrap_or_default();
                    let orig_facts = StepFacts {
                        resolution_note: Some(why.clone()),
                        resolved_by: facts.resolved_by.clone(),
                        authorized_by: facts.authorized_by.clone(),
                        ..StepFacts::default()
                    };
                    apply_step(
                        tx,
                        &orig,
                        State::Reversed,
                        actor,
                        Some(&format!("reversed by {sid}: {why}")),
                        &orig_facts,
                        now,
                        "state",
                    )?;
                }
            }
        }
    }
    load(tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))
}

impl Journal {
    /// The current row of a transaction.
    pub fn get(&self, sid: &str) -> Result<Option<TransactionRecord>> {
        let conn = self.conn()?;
        if !conn.is_autocommit() {
            return load(&conn, sid);
        }
        // The row and its last event are read in one snapshot: read by two
        // statements on their own, another process's step committed between
        // them looked like a row edited outside Loket (ROW_EDITED, seen once
        // by the counter-day simulator while another process settled a doubt).
        let snapshot = conn.unchecked_transaction()?;
        let found = load(&snapshot, sid);
        drop(snapshot);
        found
    }

    /// A transaction's timeline, oldest first.
    pub fn events(&self, sid: &str) -> Result<Vec<Event>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT at, from_state, to_state, actor, note, kind, authorized_by FROM events \
             WHERE sid = ?1 ORDER BY id",
        )?;
        let rows = stmt.query_map([sid], |r| {
            Ok(Event {
                at: millis(r.get(0)?),
                kind: EventKind::parse(&r.get::<_, String>(5)?)
                    .ok_or_else(|| bad_column(5, "event kind"))?,
                from: r
                    .get::<_, Option<String>>(1)?
                    .and_then(|s| State::parse(&s)),
                to: State::parse(&r.get::<_, String>(2)?).unwrap_or(State::Draft),
                actor: r.get(3)?,
                note: r.get(4)?,
                authorized_by: r.get(6)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records that a copy of a transaction's receipt was printed, authorized
    /// by `supervisor`, and returns the copy's number: 1 for the first
    /// reprint of this sid, then 2, 3, … Counting and recording happen in one
    /// SQLite transaction, so two terminals on one journal never print the
    /// same number. The state is unchanged (the event goes from it to itself).
    pub fn record_reprint(&self, sid: &str, actor: &str, supervisor: &str) -> Result<u32> {
        self.record_reprint_at(sid, actor, supervisor, now())
    }

    pub fn record_reprint_at(
        &self,
        sid: &str,
        actor: &str,
        supervisor: &str,
        now: DateTime<Utc>,
    ) -> Result<u32> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        let done: i64 = tx.query_row(
            "SELECT count(*) FROM events WHERE sid = ?1 AND kind = 'reprint'",
            [sid],
            |r| r.get(0),
        )?;
        let copy = u32::try_from(done + 1).unwrap_or(u32::MAX);
        tx.prepare_cached(
            "INSERT INTO events (sid, at, from_state, to_state, actor, note, kind, authorized_by) \
             VALUES (?1, ?2, ?3, ?3, ?4, ?5, 'reprint', ?6)",
        )?
        .execute(params![
            sid,
            now.timestamp_millis(),
            current.state.as_str(),
            actor,
            format!("SALINAN KE-{copy}"),
            supervisor
        ])?;
        commit(tx, format_args!("journal.reprint"))?;
        Ok(copy)
    }

    /// Records a supervisor-approved action outside any transaction (a
    /// settings change): append-only, like the events.
    pub fn record_authorization(
        &self,
        action: &str,
        actor: &str,
        authorized_by: &str,
        detail: &str,
    ) -> Result<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction()?;
        tx.prepare_cached(
            "INSERT INTO authorizations (at, action, actor, authorized_by, detail) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![
            Utc::now().timestamp_millis(),
            action,
            actor,
            authorized_by,
            detail
        ])?;
        commit(tx, format_args!("journal.authorization"))?;
        Ok(())
    }

    /// Every recorded authorization, oldest first.
    pub fn authorizations(&self) -> Result<Vec<Authorization>> {
        let conn = self.conn()?;
        let mut stmt = conn.prepare_cached(
            "SELECT at, action, actor, authorized_by, detail FROM authorizations ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(Authorization {
                at: DateTime::from_timestamp_millis(r.get(0)?).unwrap_or_default(),
                action: r.get(1)?,
                actor: r.get(2)?,
                authorized_by: r.get(3)?,
                detail: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// How many copies of a transaction's receipt have been printed.
    pub fn reprints(&self, sid: &str) -> Result<u32> {
        let conn = self.conn()?;
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM events WHERE sid = ?1 AND kind = 'reprint'",
            [sid],
            |r| r.get(0),
        )?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    /// Every money-moving transaction whose outcome is unknown, oldest first.
    pub fn in_doubt(&self) -> Result<Vec<TransactionRecord>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE state = 'unknown' ORDER BY created_at, sid"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], record)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The sids of transactions being sent right now (state `sending`), by
    /// any process on this journal: nothing may replace the program (an
    /// update) under them (issue 13).
    pub fn sending(&self) -> Result<Vec<String>> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare_cached("SELECT sid FROM transactions WHERE state = 'sending' ORDER BY sid")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every transaction created in `[from, to)`, oldest first: what a
    /// reconciliation compares with the statement of the same days.
    pub fn between(
        &self,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<TransactionRecord>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE created_at >= ?1 AND created_at < ?2 \
             ORDER BY created_at, sid"
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![from.timestamp_millis(), to.timestamp_millis()],
            record,
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The in-doubt payment to the same destination for the same amount, if
    /// any: a new payment like it must wait until the doubt is resolved.
    /// A payment still on its way (`authorized` or `sending`, in this or in
    /// another process on the same folder: the app while `loket` runs, or the
    /// other way round) counts too: until its answer is in, it may be booked,
    /// and a repeat typed meanwhile would pay the customer twice.
    /// Every payment like this one (destination and amount) in doubt or on
    /// its way, oldest first: what a supervisor's override is given for.
    pub fn all_in_doubt_like(&self, hold: &Hold<'_>) -> Result<Vec<String>> {
        let conn = self.conn()?;
        doubts_like(&conn, hold)
    }

    pub fn in_doubt_like(
        &self,
        bank_code: Option<&str>,
        account_number: &str,
        amount: Rupiah,
    ) -> Result<Option<TransactionRecord>> {
        let conn = self.conn()?;
        Ok(conn
            .query_row(
                &in_doubt_like_sql(),
                params![account_number, amount.sen(), bank_code],
                record,
            )
            .optional()?)
    }

    /// After a crash: a transaction left `sending` may have reached the
    /// bank, so it becomes `unknown`; one left before sending was never
    /// sent, so it becomes `cancelled`. Only rows whose owner is gone are
    /// touched (their lease is free, or they have none, being older than
    /// leases): a row in flight in this handle or in another live process is
    /// left alone, whatever its state. Looks only at unfinished rows (by the
    /// `tx_open` index). Returns the sids now in doubt.
    pub fn recover(&self, actor: &str) -> Result<Vec<String>> {
        self.recover_rows(actor, None)
    }

    /// [`Journal::recover`] for one row: a row in flight whose process is
    /// gone (killed while sending, after this process's own start-up
    /// recovery ran) becomes `unknown` (or `cancelled`, if nothing was
    /// sent) now, so a long-running process (the desktop app) can settle it
    /// by `/check` instead of calling it "being sent" until its next start.
    /// A row of a live process is left alone. Returns whether it moved.
    pub fn recover_row(&self, sid: &str, actor: &str) -> Result<bool> {
        let before = self.get(sid)?.map(|r| r.state);
        self.recover_rows(actor, Some(sid))?;
        Ok(self.get(sid)?.map(|r| r.state) != before)
    }

    fn recover_rows(&self, actor: &str, only: Option<&str>) -> Result<Vec<String>> {
        let open: Vec<(String, State, Option<String>)> = {
            let conn = self.conn()?;
            let sql = match only {
                Some(_) => format!("{UNFINISHED_SQL} AND sid = ?1"),
                None => UNFINISHED_SQL.to_owned(),
            };
            let mut stmt = conn.prepare(&sql)?;
            let args: Vec<&str> = only.into_iter().collect();
            let rows = stmt.query_map(rusqlite::params_from_iter(args), |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ))
            })?;
            rows.filter_map(|r| match r {
                Ok((sid, state, owner)) => State::parse(&state).map(|s| Ok((sid, s, owner))),
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut owners: std::collections::HashMap<String, Owner> = Default::default();
        let mut doubtful = Vec::new();
        for (sid, state, owner) in open {
            if let Some(owner) = owner {
                let status = *owners
                    .entry(owner.clone())
                    .or_insert_with(|| self.lease.owner(&owner));
                if status != Owner::Gone {
                    continue;
                }
            }
            let (to, note) = if state == State::Sending {
                (
                    State::Unknown,
                    "interrupted while sending (its process is gone): the bank may have booked it",
                )
            } else {
                (
                    State::Cancelled,
                    "interrupted before anything was sent (its process is gone)",
                )
            };
            match self.step(&sid, state, to, actor, Some(note), StepFacts::default()) {
                Ok(_) => {
                    if to == State::Unknown {
                        doubtful.push(sid);
                    }
                }
                // Another process moved it meanwhile: its state is already right.
                Err(JournalError::BadTransition { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(doubtful)
    }

    /// Counts of rows, for diagnostics and tests.
    pub fn count(&self) -> Result<u64> {
        let conn = self.conn()?;
        let n: i64 = conn.query_row("SELECT count(*) FROM transactions", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }
}

/// The hold on a repeat: only rows in doubt or on their way (tx_in_doubt:
/// `unknown`, `authorized`, `sending`) and rows whose last event put them
/// in doubt (events_to_unknown; a row edited from `unknown` still holds),
/// never a walk over every row of a busy account. The state list must stay
/// the same text as tx_in_doubt's WHERE, or SQLite cannot use the index.
/// The sids of [`in_doubt_like_sql`], all of them.
fn doubts_like(conn: &rusqlite::Connection, hold: &Hold<'_>) -> Result<Vec<String>> {
    let sql = in_doubt_like_sql().replace(" LIMIT 1", "");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(
        params![hold.account_number, hold.amount.sen(), hold.bank_code],
        |r| r.get::<_, String>(0),
    )?;
    Ok(rows.collect::<std::result::Result<Vec<_>, _>>()?)
}

fn in_doubt_like_sql() -> String {
    format!(
        "SELECT {COLUMNS} FROM transactions WHERE rowid IN ( \
           SELECT rowid FROM transactions WHERE state IN ('unknown', 'authorized', 'sending') \
             AND dest_account = ?1 AND amount_sen = ?2 \
           UNION ALL \
           SELECT t.rowid FROM events e JOIN transactions t ON t.sid = e.sid \
             WHERE e.to_state = 'unknown' \
             AND t.state NOT IN ('unknown', 'authorized', 'sending') \
             AND t.dest_account = ?1 AND t.amount_sen = ?2 \
             AND (SELECT e2.to_state FROM events e2 WHERE e2.sid = t.sid \
              ORDER BY e2.id DESC LIMIT 1) = 'unknown') \
         AND (?3 IS NULL OR dest_bank_code IS NULL OR dest_bank_code = ?3) \
         ORDER BY created_at LIMIT 1"
    )
}

/// Rows in flight, for recovery (by the state index: never a table scan).
const UNFINISHED_SQL: &str = "SELECT sid, state, owner FROM transactions \
     WHERE state IN ('draft','inquired','authorized','sending')";

fn total_of(amount: Option<Rupiah>, fee: Option<Rupiah>) -> Option<Rupiah> {
    match (amount, fee) {
        (Some(a), Some(f)) => a.checked_add(f),
        (Some(a), None) => Some(a),
        _ => None,
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_event(
    conn: &Connection,
    sid: &str,
    at: DateTime<Utc>,
    from: Option<State>,
    to: State,
    actor: &str,
    note: Option<&str>,
    authorized_by: Option<&str>,
    kind: &str,
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (sid, at, from_state, to_state, actor, note, authorized_by, kind) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        sid,
        at.timestamp_millis(),
        from.map(State::as_str),
        to.as_str(),
        actor,
        note,
        authorized_by,
        kind
    ])?;
    Ok(())
}

/// Keeps the substring index in step with the row's sid, account and name.
fn refresh_search(conn: &Connection, sid: &str) -> rusqlite::Result<()> {
    let (rowid, text): (i64, String) = conn.query_row(
        "SELECT rowid, sid || ' ' || coalesce(dest_account, '') || ' ' || coalesce(dest_name, '') \
         FROM transactions WHERE sid = ?1",
        [sid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    conn.prepare_cached("DELETE FROM tx_search WHERE rowid = ?1")?
        .execute([rowid])?;
    conn.prepare_cached("INSERT INTO tx_search (rowid, text) VALUES (?1, ?2)")?
        .execute(params![rowid, text])?;
    Ok(())
}

/// One row, for reading or for a write that follows. Its state must be the
/// one its last event recorded: events are append-only and chained, the row
/// is not, so a state edited in the file (an `unknown` made `failed` to
/// lift the hold on a repeat, a `failed` made `succeeded` to reverse it) is
/// refused here, before any step, check, resolve, reversal or reprint.
fn load(conn: &Connection, sid: &str) -> Result<Option<TransactionRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM transactions WHERE sid = ?1");
    let Some(row) = conn.query_row(&sql, [sid], record).optional()? else {
        return Ok(None);
    };
    let recorded: Option<String> = conn
        .prepare_cached("SELECT to_state FROM events WHERE sid = ?1 ORDER BY id DESC LIMIT 1")?
        .query_row([sid], |r| r.get(0))
        .optional()?;
    if recorded.as_deref() != Some(row.state.as_str()) {
        return Err(JournalError::RowEdited {
            sid: sid.to_owned(),
            found: row.state.as_str().to_owned(),
            recorded: recorded.unwrap_or_else(|| "-".to_owned()),
        });
    }
    Ok(Some(row))
}

pub(crate) fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default()
}

fn opt_money(v: Option<i64>) -> Option<Rupiah> {
    v.map(Rupiah::from_sen)
}

fn bad_column(index: usize, what: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        index,
        rusqlite::types::Type::Text,
        format!("unknown {what} in the journal").into(),
    )
}

pub(crate) fn record(r: &Row<'_>) -> rusqlite::Result<TransactionRecord> {
    let kind: String = r.get(1)?;
    let state: String = r.get(2)?;
    Ok(TransactionRecord {
        sid: r.get(0)?,
        kind: Kind::parse(&kind).ok_or_else(|| bad_column(1, "kind"))?,
        state: State::parse(&state).ok_or_else(|| bad_column(2, "state"))?,
        created_at: millis(r.get(3)?),
        updated_at: millis(r.get(4)?),
        operator: r.get(5)?,
        agent_code: r.get(6)?,
        amount: opt_money(r.get(7)?),
        admin_fee: opt_money(r.get(8)?),
        total: opt_money(r.get(9)?),
        destination: Destination {
            bank_code: r.get(10)?,
            bank_name: r.get(11)?,
            account_number: r.get(12)?,
            account_name: r.get(13)?,
        },
        narration: r.get(14)?,
        inquiry_ref: r.get(15)?,
        bank_reference: r.get(16)?,
        bank_code: r.get(17)?,
        bank_message: r.get(18)?,
        override_of: r.get(19)?,
        resolution: r
            .get::<_, Option<String>>(20)?
            .and_then(|s| Resolution::parse(&s)),
        resolution_note: r.get(21)?,
        resolved_by: r.get(22)?,
    })
}

/// Upgrades and downgrades of the journal file (issue 13): a snapshot before
/// every migration, and a newer journal refused untouched.
#[cfg(test)]
mod upgrade_tests {
    use super::*;

    fn journal_at(path: &Path, version: i64) {
        let mut conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        chain::register(&conn).unwrap();
        schema::migrate_until(&mut conn, version).unwrap();
    }

    fn version_of(path: &Path) -> i64 {
        Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    }

    #[test]
    fn a_migration_first_writes_a_snapshot_of_the_old_journal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        let old = schema::latest() - 1;
        journal_at(&path, old);
        assert!(migration_snapshots(&path).is_empty());

        let j = Journal::open(&path).unwrap();
        drop(j);
        let snaps = migration_snapshots(&path);
        assert_eq!(snaps.len(), 1, "{snaps:?}");
        assert_eq!(version_of(&snaps[0]), old, "the snapshot is the old schema");
        assert_eq!(version_of(&path), schema::latest());
        let name = snaps[0].file_name().unwrap().to_str().unwrap().to_owned();
        assert!(
            name.starts_with(&format!("journal.db.v{old}-before-v{}", schema::latest())),
            "{name}"
        );

        // An up-to-date journal is not copied again.
        drop(Journal::open(&path).unwrap());
        assert_eq!(migration_snapshots(&path).len(), 1);
    }

    #[test]
    fn a_new_journal_needs_no_snapshot() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        drop(Journal::open(&path).unwrap());
        assert!(migration_snapshots(&path).is_empty());
    }

    #[test]
    fn a_snapshot_that_cannot_be_written_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        journal_at(&path, schema::latest() - 1);
        let conn = Connection::open(&path).unwrap();
        let nowhere = dir.path().join("missing-folder").join("copy.snapshot");
        let err = snapshot_to(&conn, &nowhere).expect_err("no folder, no copy");
        assert!(matches!(err, JournalError::Snapshot { .. }), "{err}");
        let said = words::Say::say(&err);
        let text = format!("{} | {}", said.id(), said.en());
        assert!(
            text.contains("tidak diubah") && text.contains("not changed"),
            "{text}"
        );
    }

    #[test]
    fn a_journal_from_a_newer_loket_is_refused_and_left_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.db");
        drop(Journal::open(&path).unwrap());
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", schema::latest() + 1)
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Journal::open(&path)
            .err()
            .expect("a newer journal is refused");
        assert!(
            matches!(err, JournalError::TooNew { found, known } if found == schema::latest() + 1 && known == schema::latest()),
            "{err}"
        );
        let said = words::Say::say(&err);
        let text = format!("{} | {}", said.id(), said.en());
        assert!(
            text.contains("lebih baru") && text.contains("newer"),
            "{text}"
        );
        assert_eq!(
            std::fs::read(&path).unwrap(),
            before,
            "the file is unchanged"
        );
        assert!(migration_snapshots(&path).is_empty());
    }
}

/// Issue 16: the queries a start, a payment and the history screen make
/// are answered from indexes, whatever the journal's size. SQLite's own
/// plan says so (no timing): no full scan of a big table, no sort of a
/// whole result for a page.
#[cfg(test)]
mod plan_tests {
    use super::*;

    fn plan(conn: &Connection, sql: &str, args: &[rusqlite::types::Value]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(args.iter()), |r| {
                r.get::<_, String>(3)
            })
            .unwrap()
            .collect::<rusqlite::Result<Vec<_>>>()
            .unwrap();
        rows.join(" | ")
    }

    fn scans(plan: &str) -> bool {
        plan.split(" | ").any(|step| {
            (step.starts_with("SCAN transactions")
                || step.starts_with("SCAN t")
                || step.starts_with("SCAN e"))
                && !step.contains("INDEX")
        })
    }

    fn journal() -> (tempfile::TempDir, Journal) {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&dir.path().join("journal.db")).unwrap();
        (dir, j)
    }

    #[test]
    fn the_hold_on_a_repeat_reads_only_rows_in_doubt() {
        let (_d, j) = journal();
        let conn = j.conn().unwrap();
        let p = plan(
            &conn,
            &in_doubt_like_sql(),
            &[
                "14047".to_string().into(),
                100_000i64.into(),
                rusqlite::types::Value::Null,
            ],
        );
        assert!(!scans(&p), "{p}");
        assert!(p.contains("tx_in_doubt"), "{p}");
        assert!(p.contains("events_to_unknown"), "{p}");
    }

    #[test]
    fn recovery_reads_only_unfinished_rows() {
        let (_d, j) = journal();
        let conn = j.conn().unwrap();
        let p = plan(&conn, UNFINISHED_SQL, &[]);
        assert!(!scans(&p), "{p}");
        assert!(p.contains("INDEX"), "{p}");
    }

    #[test]
    fn the_day_summary_reads_only_the_time_index() {
        let (_d, j) = journal();
        let conn = j.conn().unwrap();
        let p = plan(&conn, history::DAY_SQL, &[0i64.into(), 1i64.into()]);
        assert!(p.contains("COVERING INDEX tx_by_time"), "{p}");
    }

    #[test]
    fn every_history_page_streams_from_an_index_without_a_sort() {
        let (_d, j) = journal();
        let conn = j.conn().unwrap();
        let (from, to) = wib_day_bounds(NaiveDate::from_ymd_opt(2026, 8, 1).unwrap());
        let queries = [
            HistoryQuery::default(),
            HistoryQuery {
                after: Some("1785000000000:2608010000000001".into()),
                ..Default::default()
            },
            HistoryQuery {
                from: Some(from),
                to: Some(to),
                ..Default::default()
            },
            HistoryQuery {
                kind: Some(Kind::Deposit),
                ..Default::default()
            },
            HistoryQuery {
                state: Some(State::Unknown),
                ..Default::default()
            },
            HistoryQuery {
                kind: Some(Kind::InterbankTransfer),
                state: Some(State::Failed),
                ..Default::default()
            },
            HistoryQuery {
                account: Some("12345".into()),
                ..Default::default()
            },
        ];
        for q in queries {
            let (sql, args) = history::first_page_sql(&q);
            let p = plan(&conn, &sql, &args);
            assert!(!p.contains("TEMP B-TREE"), "{q:?}: {p}");
            assert!(!scans(&p), "{q:?}: {p}");
        }
    }
}
