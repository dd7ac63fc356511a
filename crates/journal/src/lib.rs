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

pub mod chain;
mod history;
mod model;
mod schema;
mod sid;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, Connection, OptionalExtension, Row};

pub use chain::{Integrity, IntegrityReport};
pub use history::{wib_day_bounds, DaySummary, HistoryPage, HistoryQuery, KindSummary};
pub use model::{
    Destination, Event, EventKind, Kind, NewTransaction, Resolution, State, StepFacts,
    TransactionRecord,
};
pub use sid::wib;

/// What can go wrong with the journal, in words a supervisor can act on.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("the journal file cannot be used ({path}): {source}")]
    Open {
        path: String,
        source: rusqlite::Error,
    },
    #[error(
        "the journal was written by a newer Loket (schema {found}, this build knows {known}); update Loket"
    )]
    TooNew { found: i64, known: i64 },
    #[error("no transaction with sid {0} in the journal")]
    NotFound(String),
    #[error("transaction {sid} is {from}, it cannot become {to}")]
    BadTransition { sid: String, from: State, to: State },
    #[error("a new transaction needs a kind")]
    NoKind,
    #[error("the journal is unusable after an earlier crash of this process; restart Loket")]
    Poisoned,
    #[error("journal storage error: {0}")]
    Storage(#[from] rusqlite::Error),
    #[error("cannot write the CSV export: {0}")]
    Export(String),
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
    /// The last sid step issued by this process; see [`sid`].
    last_step: Mutex<i64>,
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
        let conn = Connection::open(path).map_err(open_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(open_err)?;
        Self::setup(conn)
    }

    /// A journal that lives in memory only (tests, benchmarks).
    pub fn open_in_memory() -> Result<Journal> {
        let conn = Connection::open_in_memory().map_err(|source| JournalError::Open {
            path: ":memory:".into(),
            source,
        })?;
        Self::setup(conn)
    }

    fn setup(mut conn: Connection) -> Result<Journal> {
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        prepare_connection(&mut conn)?;
        let last_sid: Option<String> =
            conn.query_row("SELECT max(sid) FROM transactions", [], |r| r.get(0))?;
        let last_step = last_sid.as_deref().and_then(sid::parse_step).unwrap_or(0);
        Ok(Journal {
            conn: Mutex::new(conn),
            last_step: Mutex::new(last_step),
        })
    }

    /// Appends an integrity note (`settings` fingerprint, `tamper` finding)
    /// to the chain; an unchanged `tamper` finding is not repeated.
    pub fn record_integrity_note(&self, kind: &str, detail: &str) -> Result<bool> {
        let conn = self.conn()?;
        Ok(chain::record_note(
            &conn,
            kind,
            detail,
            Utc::now().timestamp_millis(),
        )?)
    }
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
        schema::migrate(conn)?;
        Ok(())
    }
}

impl Journal {
    pub(crate) fn conn(&self) -> Result<MutexGuard<'_, Connection>> {
        self.conn.lock().map_err(|_| JournalError::Poisoned)
    }

    /// Issues a sid and records the new transaction as `draft`, before any
    /// request carrying that sid leaves the terminal.
    pub fn begin(&self, new: NewTransaction) -> Result<String> {
        self.begin_at(new, Utc::now())
    }

    /// [`Journal::begin`] with an explicit clock, for tests and data generation.
    pub fn begin_at(&self, new: NewTransaction, now: DateTime<Utc>) -> Result<String> {
        let kind = new.kind.ok_or(JournalError::NoKind)?;
        let mut conn = self.conn()?;
        let mut last = self.last_step.lock().map_err(|_| JournalError::Poisoned)?;
        let mut step = sid::steps_of(now).max(*last + 1);
        loop {
            let sid = sid::format_step(step);
            let tx = conn.transaction()?;
            let inserted = tx.execute(
                "INSERT INTO transactions (sid, kind, state, created_at, updated_at, operator, agent_code, \
                 amount_sen, fee_sen, total_sen, dest_bank_code, dest_bank_name, dest_account, dest_name, \
                 narration, override_of) \
                 VALUES (?1, ?2, 'draft', ?3, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) \
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
            )?;
            refresh_search(&tx, &sid)?;
            tx.commit()?;
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
        self.step_at(sid, from, to, actor, note, facts, Utc::now())
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
        let tx = conn.transaction()?;
        let current = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        if current.state != from || !from.can_move_to(to) {
            return Err(JournalError::BadTransition {
                sid: sid.to_owned(),
                from: current.state,
                to,
            });
        }
        let dest = facts.destination.clone().unwrap_or_default();
        let total = facts
            .total
            .or_else(|| match (facts.amount, facts.admin_fee) {
                (Some(_), _) | (_, Some(_)) => total_of(
                    facts.amount.or(current.amount),
                    facts.admin_fee.or(current.admin_fee),
                ),
                _ => None,
            });
        tx.execute(
            "UPDATE transactions SET state = ?2, updated_at = ?3, \
             amount_sen = coalesce(?4, amount_sen), fee_sen = coalesce(?5, fee_sen), \
             total_sen = coalesce(?6, total_sen), \
             dest_bank_code = coalesce(?7, dest_bank_code), dest_bank_name = coalesce(?8, dest_bank_name), \
             dest_account = coalesce(?9, dest_account), dest_name = coalesce(?10, dest_name), \
             inquiry_ref = coalesce(?11, inquiry_ref), bank_reference = coalesce(?12, bank_reference), \
             bank_code = coalesce(?13, bank_code), bank_message = coalesce(?14, bank_message), \
             resolution = coalesce(?15, resolution), resolution_note = coalesce(?16, resolution_note), \
             resolved_by = coalesce(?17, resolved_by), override_of = coalesce(?19, override_of) \
             WHERE sid = ?1 AND state = ?18",
            params![
                sid,
                to.as_str(),
                now.timestamp_millis(),
                facts.amount.map(Rupiah::sen),
                facts.admin_fee.map(Rupiah::sen),
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
            ],
        )?;
        insert_event(
            &tx,
            sid,
            now,
            Some(from),
            to,
            actor,
            note,
            facts.authorized_by.as_deref(),
        )?;
        if facts.destination.is_some() {
            refresh_search(&tx, sid)?;
        }
        let updated = load(&tx, sid)?.ok_or_else(|| JournalError::NotFound(sid.to_owned()))?;
        tx.commit()?;
        Ok(updated)
    }

    /// The current row of a transaction.
    pub fn get(&self, sid: &str) -> Result<Option<TransactionRecord>> {
        let conn = self.conn()?;
        load(&conn, sid)
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
        self.record_reprint_at(sid, actor, supervisor, Utc::now())
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
        tx.commit()?;
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
        let conn = self.conn()?;
        conn.prepare_cached(
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
    pub fn in_doubt_like(
        &self,
        bank_code: Option<&str>,
        account_number: &str,
        amount: Rupiah,
    ) -> Result<Option<TransactionRecord>> {
        let conn = self.conn()?;
        let sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE state = 'unknown' AND dest_account = ?1 \
             AND amount_sen = ?2 AND (?3 IS NULL OR dest_bank_code IS NULL OR dest_bank_code = ?3) \
             ORDER BY created_at LIMIT 1"
        );
        Ok(conn
            .query_row(
                &sql,
                params![account_number, amount.sen(), bank_code],
                record,
            )
            .optional()?)
    }

    /// After a restart: a transaction left `sending` may have reached the
    /// bank, so it becomes `unknown`; one left before sending was never
    /// sent, so it becomes `cancelled`. Returns the sids now in doubt.
    pub fn recover(&self, actor: &str) -> Result<Vec<String>> {
        let open: Vec<(String, State)> = {
            let conn = self.conn()?;
            let mut stmt = conn.prepare(
                "SELECT sid, state FROM transactions WHERE state IN ('draft','inquired','authorized','sending')",
            )?;
            let rows =
                stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
            rows.filter_map(|r| match r {
                Ok((sid, state)) => State::parse(&state).map(|s| Ok((sid, s))),
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<Vec<_>>>()?
        };
        let mut doubtful = Vec::new();
        for (sid, state) in open {
            let (to, note) = if state == State::Sending {
                (
                    State::Unknown,
                    "interrupted while sending: the bank may have booked it",
                )
            } else {
                (State::Cancelled, "interrupted before anything was sent")
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
) -> rusqlite::Result<()> {
    conn.prepare_cached(
        "INSERT INTO events (sid, at, from_state, to_state, actor, note, authorized_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        sid,
        at.timestamp_millis(),
        from.map(State::as_str),
        to.as_str(),
        actor,
        note,
        authorized_by
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

fn load(conn: &Connection, sid: &str) -> Result<Option<TransactionRecord>> {
    let sql = format!("SELECT {COLUMNS} FROM transactions WHERE sid = ?1");
    Ok(conn.query_row(&sql, [sid], record).optional()?)
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
