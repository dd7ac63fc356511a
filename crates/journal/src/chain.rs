//! Tamper evidence for a journal on a PC the agent controls.
//!
//! Every chained row (events, authorizations, supervisors, the supervisor
//! lockout and integrity notes) gets a row in `chain`, written by an AFTER
//! trigger in the same SQLite transaction: `seq` (this terminal's sequence
//! number, 1, 2, 3, … — also the key fleet replication ships), the source
//! table and row, and `hash` = SHA-256 over the previous hash and the row's
//! content. The triggers call `loket_chain`, an application function that
//! only Loket registers ([`register`]): an insert or update from the
//! `sqlite3` shell fails for want of it, so editing the file needs dropping
//! triggers, which [`Integrity::verify`] notices, as it notices any changed,
//! deleted or unchained row.
//!
//! The chain has no key: someone who rewrites the whole chain with their own
//! script is caught only once the chain is compared with a copy held
//! elsewhere (the fleet, issue 14). Until then it makes casual edits —
//! deleting the supervisor, resetting the lockout — evident and refused.

use std::collections::HashMap;
use std::fmt::Write as _;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension};

/// The SQL function the chain triggers call.
pub const FUNCTION: &str = "loket_chain";

/// The columns each chained table contributes to its row's hash, in hash
/// order: the one list the triggers, the adoption of older rows and the
/// verification all build their `json_array(...)` from.
const EVENTS: &[&str] = &[
    "id",
    "sid",
    "at",
    "from_state",
    "to_state",
    "actor",
    "note",
    "kind",
    "authorized_by",
];
const AUTHORIZATIONS: &[&str] = &["id", "at", "action", "actor", "authorized_by", "detail"];
const NOTES: &[&str] = &["id", "at", "kind", "detail"];
const SUPERVISORS: &[&str] = &["name", "phc", "created_at", "created_by"];
const LOCKOUT: &[&str] = &["failures", "locked_until", "attempts"];

/// `json_array(p.c1, p.c2, …)` over `cols` (`p.` omitted when `prefix` is empty).
fn json_of(prefix: &str, cols: &[&str]) -> String {
    let dot = if prefix.is_empty() { "" } else { "." };
    let list: Vec<String> = cols.iter().map(|c| format!("{prefix}{dot}{c}")).collect();
    format!("json_array({})", list.join(", "))
}

/// The next `seq` and the previous hash, as a FROM clause.
const NEXT: &str = "FROM (SELECT coalesce(max(seq), 0) + 1 AS n, \
     (SELECT hash FROM chain ORDER BY seq DESC LIMIT 1) AS p FROM chain)";

/// Creates the AFTER triggers that chain every new or changed row (part of
/// the migration that adds the chain).
pub(crate) fn create_chain_triggers(conn: &Connection) -> rusqlite::Result<()> {
    // Append-only tables (events, authorizations, notes) are read back when
    // verifying, so their chain row keeps no payload; mutable rows
    // (supervisors, the lockout) keep each state as the payload.
    for (trigger, event, table, key, cols, stored) in [
        ("chain_events", "INSERT", "events", "id", EVENTS, "NULL"),
        (
            "chain_authorizations",
            "INSERT",
            "authorizations",
            "id",
            AUTHORIZATIONS,
            "NULL",
        ),
        (
            "chain_notes",
            "INSERT",
            "integrity_notes",
            "id",
            NOTES,
            "NULL",
        ),
        (
            "chain_supervisors_i",
            "INSERT",
            "supervisors",
            "rowid",
            SUPERVISORS,
            "v",
        ),
        (
            "chain_supervisors_u",
            "UPDATE",
            "supervisors",
            "rowid",
            SUPERVISORS,
            "v",
        ),
        (
            "chain_lockout",
            "UPDATE",
            "supervisor_lockout",
            "id",
            LOCKOUT,
            "v",
        ),
    ] {
        conn.execute_batch(&format!(
            "CREATE TRIGGER {trigger} AFTER {event} ON {table} BEGIN \
             INSERT INTO chain (seq, source, source_id, payload, hash) \
             SELECT n, '{table}', NEW.{key}, {stored}, loket_chain(p, n, '{table}', NEW.{key}, v) \
             FROM (SELECT coalesce(max(seq), 0) + 1 AS n, \
                   (SELECT hash FROM chain ORDER BY seq DESC LIMIT 1) AS p, {} AS v FROM chain); END;",
            json_of("NEW", cols)
        ))?;
    }
    Ok(())
}

/// The triggers whose absence means someone edited the schema.
const TRIGGERS: &[&str] = &[
    "chain_events",
    "chain_authorizations",
    "chain_supervisors_i",
    "chain_supervisors_u",
    "chain_lockout",
    "chain_notes",
    "chain_is_append_only_u",
    "chain_is_append_only_d",
    "supervisors_are_kept",
    "notes_are_append_only_u",
    "notes_are_append_only_d",
    "events_are_append_only_u",
    "events_are_append_only_d",
    "authorizations_are_append_only_u",
    "authorizations_are_append_only_d",
    "checkpoint_by_loket_i",
    "checkpoint_by_loket_u",
];

/// The migration that adds the chain (appended to the journal's MIGRATIONS).
pub(crate) const MIGRATION: &str = r#"
    -- The supervisor tables (crates/supervisor) now belong to the journal's
    -- schema, so their rows can be chained from the first one on.
    CREATE TABLE IF NOT EXISTS supervisors (
        name        TEXT PRIMARY KEY COLLATE NOCASE,
        phc         TEXT NOT NULL,
        created_at  INTEGER NOT NULL,
        created_by  TEXT
    ) STRICT;
    CREATE TABLE IF NOT EXISTS supervisor_lockout (
        id            INTEGER PRIMARY KEY CHECK (id = 1),
        failures      INTEGER NOT NULL,
        locked_until  INTEGER
    ) STRICT;
    ALTER TABLE supervisor_lockout ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
    INSERT OR IGNORE INTO supervisor_lockout (id, failures, locked_until) VALUES (1, 0, NULL);

    -- Settings-file hashes and detected tampering: append-only.
    CREATE TABLE integrity_notes (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        kind    TEXT NOT NULL,   -- 'settings' | 'tamper'
        detail  TEXT NOT NULL
    ) STRICT;

    CREATE TABLE chain (
        seq        INTEGER PRIMARY KEY,  -- per-terminal sequence number
        source     TEXT NOT NULL,
        source_id  INTEGER NOT NULL,
        payload    TEXT,                 -- kept for mutable rows (supervisors, lockout)
        hash       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX chain_by_source ON chain(source, source_id);

    CREATE TRIGGER chain_is_append_only_u BEFORE UPDATE ON chain
    BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only'); END;
    CREATE TRIGGER chain_is_append_only_d BEFORE DELETE ON chain
    BEGIN SELECT RAISE(ABORT, 'the journal chain is append-only'); END;
    CREATE TRIGGER supervisors_are_kept BEFORE DELETE ON supervisors
    BEGIN SELECT RAISE(ABORT, 'supervisors are never deleted'); END;
    CREATE TRIGGER notes_are_append_only_u BEFORE UPDATE ON integrity_notes
    BEGIN SELECT RAISE(ABORT, 'integrity notes are append-only'); END;
    CREATE TRIGGER notes_are_append_only_d BEFORE DELETE ON integrity_notes
    BEGIN SELECT RAISE(ABORT, 'integrity notes are append-only'); END;

"#;

/// Chains the rows a journal held before the chain existed (run once, by
/// the migration that adds it), so an upgraded terminal starts clean:
/// events and authorizations by id, then supervisors, then the lockout row
/// as it is.
pub(crate) fn adopt_existing(conn: &Connection) -> rusqlite::Result<()> {
    let sources = [
        (
            "SELECT id FROM events ORDER BY id".to_owned(),
            format!(
                "INSERT INTO chain (seq, source, source_id, payload, hash) \
                 SELECT n, 'events', ?1, NULL, loket_chain(p, n, 'events', ?1, \
                 (SELECT {} FROM events e WHERE e.id = ?1)) {NEXT}",
                json_of("e", EVENTS)
            ),
        ),
        (
            "SELECT id FROM authorizations ORDER BY id".to_owned(),
            format!(
                "INSERT INTO chain (seq, source, source_id, payload, hash) \
                 SELECT n, 'authorizations', ?1, NULL, loket_chain(p, n, 'authorizations', ?1, \
                 (SELECT {} FROM authorizations a WHERE a.id = ?1)) {NEXT}",
                json_of("a", AUTHORIZATIONS)
            ),
        ),
        (
            "SELECT rowid FROM supervisors ORDER BY rowid".to_owned(),
            format!(
                "INSERT INTO chain (seq, source, source_id, payload, hash) \
                 SELECT n, 'supervisors', ?1, v, loket_chain(p, n, 'supervisors', ?1, v) \
                 FROM (SELECT coalesce(max(seq), 0) + 1 AS n, \
                   (SELECT hash FROM chain ORDER BY seq DESC LIMIT 1) AS p, \
                   (SELECT {} FROM supervisors s WHERE s.rowid = ?1) AS v FROM chain)",
                json_of("s", SUPERVISORS)
            ),
        ),
    ];
    for (ids_sql, insert_sql) in &sources {
        let ids: Vec<i64> = {
            let mut st = conn.prepare(ids_sql)?;
            let rows = st.query_map([], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        let mut insert = conn.prepare(insert_sql)?;
        for id in ids {
            insert.execute([id])?;
        }
    }
    // Fires chain_lockout, so the lockout row as it is becomes the chained state.
    conn.execute(
        "UPDATE supervisor_lockout SET failures = failures WHERE id = 1",
        [],
    )?;
    Ok(())
}

/// The chain hash: SHA-256 over the previous hash and the row.
pub fn link(prev: Option<&str>, seq: i64, source: &str, source_id: i64, payload: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(prev.unwrap_or("").as_bytes());
    ctx.update(b"\n");
    ctx.update(seq.to_string().as_bytes());
    ctx.update(b"\n");
    ctx.update(source.as_bytes());
    ctx.update(b"\n");
    ctx.update(source_id.to_string().as_bytes());
    ctx.update(b"\n");
    ctx.update(payload.as_bytes());
    hex(ctx.finish().as_ref())
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// SHA-256 of some bytes, hex (the settings file's fingerprint).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(ring::digest::digest(&ring::digest::SHA256, bytes).as_ref())
}

/// Registers `loket_chain` on a connection; every Loket connection to the
/// journal file needs it, or its inserts into chained tables fail.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        FUNCTION,
        5,
        FunctionFlags::SQLITE_UTF8
            | FunctionFlags::SQLITE_DETERMINISTIC
            | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let prev: Option<String> = ctx.get(0)?;
            let seq: i64 = ctx.get(1)?;
            let source: String = ctx.get(2)?;
            let source_id: i64 = ctx.get(3)?;
            let payload: String = ctx.get(4)?;
            Ok(link(prev.as_deref(), seq, &source, source_id, &payload))
        },
    )
}

/// What [`Integrity::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IntegrityReport {
    /// Rows in the chain (the last `seq`).
    pub chained: i64,
    /// What differs, one sentence each (English; names table, row and seq).
    pub problems: Vec<String>,
    /// Whether this journal has ever had a supervisor (the chain remembers).
    pub ever_had_supervisor: bool,
    /// The last settings fingerprint recorded (`integrity_notes`), if any.
    pub last_settings: Option<String>,
}

impl IntegrityReport {
    pub fn is_clean(&self) -> bool {
        self.problems.is_empty()
    }

    /// The problems as one line (for errors and the tamper note).
    pub fn summary(&self) -> String {
        const SHOWN: usize = 5;
        let mut s = self
            .problems
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ");
        if self.problems.len() > SHOWN {
            let _ = write!(s, "; and {} more", self.problems.len() - SHOWN);
        }
        s
    }
}

/// The migration that adds the verification checkpoint: the last chain
/// `seq` verified clean and the chain's hash there. Only a connection with
/// `loket_chain` can write it (its triggers call the function), like the
/// chained rows; a shell must drop those triggers first, which is noticed.
pub(crate) const CHECKPOINT_MIGRATION: &str = r#"
    CREATE TABLE verify_checkpoint (
        id    INTEGER PRIMARY KEY CHECK (id = 1),
        seq   INTEGER NOT NULL,
        hash  TEXT NOT NULL,
        at    INTEGER NOT NULL
    ) STRICT;
    CREATE TRIGGER checkpoint_by_loket_i BEFORE INSERT ON verify_checkpoint
    BEGIN SELECT loket_chain(NULL, NEW.seq, 'verify_checkpoint', 1, NEW.hash); END;
    CREATE TRIGGER checkpoint_by_loket_u BEFORE UPDATE ON verify_checkpoint
    BEGIN SELECT loket_chain(NULL, NEW.seq, 'verify_checkpoint', 1, NEW.hash); END;
"#;

/// Checks the journal's chain against its rows.
pub struct Integrity;

impl Integrity {
    /// Verifies every row of the chain (see [`verify_connection`]); what
    /// `loket verify --full` runs.
    pub fn verify(journal: &crate::Journal) -> crate::Result<IntegrityReport> {
        let conn = journal.conn()?;
        Ok(verify_connection(&conn)?)
    }

    /// Every page of the journal file, as SQLite checks it (`PRAGMA
    /// quick_check`): what `loket verify --full` adds to [`Integrity::verify`].
    /// A start reads only the header and the tables' edges of a large
    /// journal (see `check_sound`), so a torn page deep in one is found here
    /// or by the query that reaches it. Returns the problems found.
    pub fn verify_pages(journal: &crate::Journal) -> crate::Result<Vec<String>> {
        let conn = journal.conn()?;
        let mut stmt = conn.prepare("PRAGMA quick_check(10)")?;
        let verdicts = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(verdicts
            .into_iter()
            .filter(|v| v != "ok")
            .map(|v| format!("the journal file is damaged: {v}"))
            .collect())
    }

    /// The check at every start: the rows added since the last clean
    /// verification, plus everything cheap (see [`verify_since_checkpoint`]).
    pub fn verify_at_start(journal: &crate::Journal) -> crate::Result<IntegrityReport> {
        let conn = journal.conn()?;
        Ok(verify_since_checkpoint(&conn)?)
    }
}

const MAX_PROBLEMS: usize = 50;

fn note(problems: &mut Vec<String>, p: String) {
    if problems.len() < MAX_PROBLEMS {
        problems.push(p);
    }
}

/// Full verification: one pass over the whole chain in `seq` order
/// (linear), then one pass over the supervisors and a lookup per
/// unchained-row check.
///
/// Also lists every transaction row whose state is not the one its last
/// (chained) event recorded: the row itself is not chained, so a state set
/// in the sqlite3 shell shows only here (and is refused when the row is
/// used, see `JournalError::RowEdited`).
pub fn verify_connection(conn: &Connection) -> rusqlite::Result<IntegrityReport> {
    let (mut report, _) = verify_from(conn, None)?;
    let mut stmt = conn.prepare(
        "SELECT t.sid, t.state, (SELECT e.to_state FROM events e WHERE e.sid = t.sid \
         ORDER BY e.id DESC LIMIT 1) FROM transactions t ORDER BY t.sid",
    )?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Option<String>>(2)?,
        ))
    })?;
    for row in rows {
        let (sid, state, recorded) = row?;
        if recorded.as_deref() != Some(state.as_str()) {
            note(
                &mut report.problems,
                format!(
                    "transaction {sid} says {state}, but its events say {}",
                    recorded.as_deref().unwrap_or("nothing")
                ),
            );
        }
    }
    Ok(report)
}

/// The start-up verification. With a checkpoint whose hash is still the
/// chain's at its `seq`, only later chain rows are re-hashed; the triggers,
/// unchained rows, supervisors (against every chained state of theirs) and
/// the lockout are checked in full as always. A checkpoint that does not
/// match the chain, or any finding, leads to a full verification, so the
/// report names everything. A clean result moves the checkpoint forward.
///
/// What this leaves to the full verification (`loket verify --full`): an
/// old row edited by someone who also restores every trigger exactly.
pub fn verify_since_checkpoint(conn: &Connection) -> rusqlite::Result<IntegrityReport> {
    let checkpoint: Option<(i64, String)> = conn
        .query_row(
            "SELECT seq, hash FROM verify_checkpoint WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let (report, last) = match &checkpoint {
        None => verify_from(conn, None)?,
        Some((seq, hash)) => {
            let at: Option<String> = conn
                .query_row("SELECT hash FROM chain WHERE seq = ?1", [seq], |r| r.get(0))
                .optional()?;
            if at.as_deref() == Some(hash.as_str()) {
                let quick = verify_from(conn, Some((*seq, hash.clone())))?;
                if quick.0.is_clean() {
                    quick
                } else {
                    verify_from(conn, None)?
                }
            } else {
                let (mut full, last) = verify_from(conn, None)?;
                full.problems.insert(
                    0,
                    format!(
                        "the verification checkpoint (chain seq {seq}) does not match the chain: \
                         it was changed outside Loket"
                    ),
                );
                (full, last)
            }
        }
    };
    if let (true, Some(last)) = (report.is_clean(), last) {
        if checkpoint
            .as_ref()
            .is_none_or(|(seq, _)| report.chained > *seq)
        {
            // Best effort: a checkpoint not saved (a busy or read-only
            // journal) only makes the next start verify more.
            let _ = conn.execute(
                "INSERT INTO verify_checkpoint (id, seq, hash, at) VALUES (1, ?1, ?2, ?3) \
                 ON CONFLICT(id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, at = excluded.at \
                 WHERE excluded.seq > verify_checkpoint.seq",
                rusqlite::params![
                    report.chained,
                    last,
                    chrono::Utc::now().timestamp_millis()
                ],
            );
        }
    }
    Ok(report)
}

/// Verifies the chain after `from` (`seq`, hash there), or all of it; also
/// returns the chain's last hash.
fn verify_from(
    conn: &Connection,
    from: Option<(i64, String)>,
) -> rusqlite::Result<(IntegrityReport, Option<String>)> {
    let mut report = IntegrityReport::default();
    let problems = &mut report.problems;

    let mut present = std::collections::HashSet::new();
    {
        let mut st = conn.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            present.insert(r?);
        }
    }
    for t in TRIGGERS {
        if !present.contains(*t) {
            note(problems, format!("trigger {t} was removed"));
        }
    }

    let mut supervisors: HashMap<i64, String> = HashMap::new();
    let mut lockout: Option<String> = None;
    let (start_seq, mut prev) = match from {
        Some((seq, hash)) => (seq, Some(hash)),
        None => (0, None),
    };
    if start_seq > 0 {
        // The verified part: the supervisors' and the lockout's chained
        // states (few rows, found by index), each re-hashed against the
        // stored hash before it, and the last settings fingerprint.
        let mut st = conn.prepare(
            "SELECT c.seq, c.source, c.source_id, c.payload, c.hash, \
               (SELECT p.hash FROM chain p WHERE p.seq = c.seq - 1) \
             FROM chain c WHERE c.source IN ('supervisors', 'supervisor_lockout') \
               AND c.seq <= ?1 ORDER BY c.seq",
        )?;
        let mut rows = st.query([start_seq])?;
        while let Some(r) = rows.next()? {
            let seq: i64 = r.get(0)?;
            let source: String = r.get(1)?;
            let id: i64 = r.get(2)?;
            let payload: Option<String> = r.get(3)?;
            let hash: String = r.get(4)?;
            let before: Option<String> = r.get(5)?;
            let payload = payload.unwrap_or_default();
            if link(before.as_deref(), seq, &source, id, &payload) != hash {
                note(
                    problems,
                    format!("{source} row {id} (chain seq {seq}) was changed"),
                );
            }
            if source == "supervisors" {
                report.ever_had_supervisor = true;
                supervisors.insert(id, payload);
            } else {
                lockout = Some(payload);
            }
        }
        report.last_settings = conn
            .query_row(
                "SELECT n.detail FROM chain c JOIN integrity_notes n ON n.id = c.source_id \
                 WHERE c.source = 'integrity_notes' AND c.seq <= ?1 AND n.kind = 'settings' \
                 ORDER BY c.seq DESC LIMIT 1",
                [start_seq],
                |r| r.get(0),
            )
            .optional()?;
        report.chained = start_seq;
    }

    let sql = format!(
        "SELECT c.seq, c.source, c.source_id, c.payload, c.hash, CASE c.source \
           WHEN 'events' THEN (SELECT {} FROM events e WHERE e.id = c.source_id) \
           WHEN 'authorizations' THEN (SELECT {} FROM authorizations a WHERE a.id = c.source_id) \
           WHEN 'integrity_notes' THEN (SELECT {} FROM integrity_notes n WHERE n.id = c.source_id) \
           END, \
           CASE c.source WHEN 'integrity_notes' THEN (SELECT n.kind || char(31) || n.detail \
                FROM integrity_notes n WHERE n.id = c.source_id) END \
         FROM chain c WHERE c.seq > ?1 ORDER BY c.seq",
        json_of("e", EVENTS),
        json_of("a", AUTHORIZATIONS),
        json_of("n", NOTES),
    );
    let mut st = conn.prepare(&sql)?;
    let mut rows = st.query([start_seq])?;
    let mut expected_seq = start_seq + 1;
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let source: String = r.get(1)?;
        let id: i64 = r.get(2)?;
        let stored: Option<String> = r.get(3)?;
        let hash: String = r.get(4)?;
        let live: Option<String> = r.get(5)?;
        if seq != expected_seq {
            note(
                problems,
                format!("chain rows {expected_seq}..{} are missing", seq - 1),
            );
        }
        expected_seq = seq + 1;
        let payload = match (&stored, &live) {
            (Some(p), _) => p.clone(),
            (None, Some(l)) => l.clone(),
            (None, None) => {
                note(
                    problems,
                    format!("{source} row {id} (chain seq {seq}) was deleted"),
                );
                prev = Some(hash);
                continue;
            }
        };
        if link(prev.as_deref(), seq, &source, id, &payload) != hash {
            note(
                problems,
                format!("{source} row {id} (chain seq {seq}) was changed"),
            );
        }
        match source.as_str() {
            "supervisors" => {
                report.ever_had_supervisor = true;
                supervisors.insert(id, payload);
            }
            "supervisor_lockout" => lockout = Some(payload),
            "integrity_notes" => {
                if let Some(kd) = r.get::<_, Option<String>>(6)? {
                    if let Some(fp) = kd.strip_prefix("settings\u{1f}") {
                        report.last_settings = Some(fp.to_owned());
                    }
                }
            }
            _ => {}
        }
        prev = Some(hash);
        report.chained = seq;
    }
    drop(rows);

    for (table, key) in [
        ("events", "id"),
        ("authorizations", "id"),
        ("integrity_notes", "id"),
    ] {
        // After a checkpoint, only ids above the last one chained by then
        // (or below 1) can be new: these tables are append-only, so an id in
        // between is taken unless a row was deleted, which the full pass names.
        let sql = format!(
            "SELECT t.{key} FROM {table} t WHERE (?1 = 0 OR t.{key} < 1 OR t.{key} > \
               (SELECT coalesce(max(c.source_id), 0) FROM chain c \
                WHERE c.source = '{table}' AND c.seq <= ?1)) \
             AND NOT EXISTS \
             (SELECT 1 FROM chain c WHERE c.source = '{table}' AND c.source_id = t.{key}) \
             ORDER BY t.{key} LIMIT 5"
        );
        let mut st = conn.prepare(&sql)?;
        let ids = st.query_map([start_seq], |r| r.get::<_, i64>(0))?;
        for id in ids {
            note(
                problems,
                format!(
                    "{table} row {} was added outside Loket (not in the chain)",
                    id?
                ),
            );
        }
    }

    let mut st = conn.prepare(&format!(
        "SELECT rowid, name, {} FROM supervisors",
        json_of("", SUPERVISORS)
    ))?;
    let current = st.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
        ))
    })?;
    let mut seen = std::collections::HashSet::new();
    for row in current {
        let (rowid, name, payload) = row?;
        seen.insert(rowid);
        match supervisors.get(&rowid) {
            None => note(
                problems,
                format!("supervisor {name} was added outside Loket (not in the chain)"),
            ),
            Some(p) if *p != payload => note(
                problems,
                format!("supervisor {name} was changed outside Loket"),
            ),
            Some(_) => {}
        }
    }
    let mut gone: Vec<_> = supervisors.keys().filter(|k| !seen.contains(k)).collect();
    gone.sort();
    for rowid in gone {
        let name = serde_json::from_str::<Vec<serde_json::Value>>(&supervisors[rowid])
            .ok()
            .and_then(|v| v.first().and_then(|n| n.as_str().map(str::to_owned)))
            .unwrap_or_else(|| format!("row {rowid}"));
        note(problems, format!("supervisor {name} was deleted"));
    }

    let now: Option<String> = conn
        .query_row(
            &format!(
                "SELECT {} FROM supervisor_lockout WHERE id = 1",
                json_of("", LOCKOUT)
            ),
            [],
            |r| r.get(0),
        )
        .optional()?;
    let expected = lockout.unwrap_or_else(|| "[0,null,0]".to_owned());
    match now {
        None => note(problems, "the supervisor lockout row was deleted".into()),
        Some(n) if n != expected => note(
            problems,
            format!("the supervisor lockout row was changed outside Loket (now {n}, chained {expected})"),
        ),
        Some(_) => {}
    }
    Ok((report, prev))
}

/// Appends an integrity note (`settings` fingerprint or `tamper` finding);
/// a `tamper` note is not repeated while the finding is the same.
pub fn record_note(
    conn: &Connection,
    kind: &str,
    detail: &str,
    at_ms: i64,
) -> rusqlite::Result<bool> {
    let last: Option<String> = conn
        .query_row(
            "SELECT detail FROM integrity_notes WHERE kind = ?1 ORDER BY id DESC LIMIT 1",
            [kind],
            |r| r.get(0),
        )
        .optional()?;
    if last.as_deref() == Some(detail) {
        return Ok(false);
    }
    conn.execute(
        "INSERT INTO integrity_notes (at, kind, detail) VALUES (?1, ?2, ?3)",
        rusqlite::params![at_ms, kind, detail],
    )?;
    Ok(true)
}
