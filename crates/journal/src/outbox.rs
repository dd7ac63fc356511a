//! The fleet outbox (issue 14): this terminal's identity and what it has
//! shipped to the central replica.
//!
//! Every chained row (see [`crate::chain`]) already has a per-terminal,
//! gap-free, append-only sequence number: the chain's `seq`. That is the
//! outbox order; nothing new is numbered. Migration 8 adds only two one-row
//! tables outside the chain (so the chain and its checkpoint stay as they
//! were): `fleet_terminal` (a random UUID made once per journal, and a
//! label) and `fleet_ack` (the last `seq` the central database confirmed,
//! which may only move forward).
//!
//! What leaves through [`Journal::outbox`] is what the journal keeps, minus
//! what must not leave the counter: a supervisor row goes without its PIN
//! hash. The journal never holds a PIN, a password or a session id.

use rusqlite::{params, TransactionBehavior};
use serde::Serialize;

use crate::{Journal, Result};

/// Migration 8: the terminal's identity and the shipped mark.
pub(crate) const MIGRATION: &str = r#"
    CREATE TABLE fleet_terminal (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        terminal_id  TEXT NOT NULL,
        label        TEXT,
        created_at   INTEGER NOT NULL
    ) STRICT;
    -- A random (version 4) UUID, made once, in the migration's transaction.
    INSERT INTO fleet_terminal (id, terminal_id, label, created_at)
    SELECT 1,
           substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-4' || substr(h, 14, 3) || '-' ||
           substr('89ab', (abs(random()) % 4) + 1, 1) || substr(h, 18, 3) || '-' || substr(h, 21, 12),
           NULL, CAST(unixepoch('subsec') * 1000 AS INTEGER)
    FROM (SELECT lower(hex(randomblob(16))) AS h);
    CREATE TRIGGER fleet_terminal_id_is_kept BEFORE UPDATE OF terminal_id ON fleet_terminal
    BEGIN SELECT RAISE(ABORT, 'the terminal id is never changed'); END;
    CREATE TRIGGER fleet_terminal_is_kept BEFORE DELETE ON fleet_terminal
    BEGIN SELECT RAISE(ABORT, 'the terminal id is never deleted'); END;

    CREATE TABLE fleet_ack (
        id         INTEGER PRIMARY KEY CHECK (id = 1),
        acked_seq  INTEGER NOT NULL,
        at         INTEGER
    ) STRICT;
    INSERT INTO fleet_ack (id, acked_seq, at) VALUES (1, 0, NULL);
    CREATE TRIGGER fleet_ack_moves_forward BEFORE UPDATE ON fleet_ack
    WHEN NEW.acked_seq < OLD.acked_seq
    BEGIN SELECT RAISE(ABORT, 'the fleet acknowledgement never moves back'); END;
    CREATE TRIGGER fleet_ack_is_kept BEFORE DELETE ON fleet_ack
    BEGIN SELECT RAISE(ABORT, 'the fleet acknowledgement is never deleted'); END;
"#;

/// This terminal as the fleet knows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TerminalIdentity {
    /// Random UUID, made once per journal (data directory).
    pub terminal_id: String,
    /// The label set with [`Journal::set_terminal_label`], if any.
    pub label: Option<String>,
}

/// A transaction's row as it is when its event is shipped: what the
/// central `transactions` view needs (money as sen; no secret exists here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TransactionSnapshot {
    pub kind: String,
    pub state: String,
    pub created_at_ms: i64,
    pub operator: String,
    pub agent_code: String,
    pub amount_sen: Option<i64>,
    pub fee_sen: Option<i64>,
    pub total_sen: Option<i64>,
    pub fee_differs: bool,
    pub dest_bank_code: Option<String>,
    pub dest_account: Option<String>,
    pub dest_name: Option<String>,
    pub bank_reference: Option<String>,
    pub reversal_of: Option<String>,
}

/// One outbox entry: a chained row, in `seq` order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OutboxEvent {
    /// The chain's `seq`: this terminal's sequence number (1, 2, 3, …).
    pub seq: i64,
    /// `events`, `authorizations`, `integrity_notes`, `supervisors` or
    /// `supervisor_lockout`.
    pub source: String,
    pub source_id: i64,
    /// When it happened (Unix ms); 0 for the lockout, which has no time of its own.
    pub at_ms: i64,
    /// The chain hash at this `seq` (a copy held elsewhere, see [`crate::chain`]).
    pub hash: String,
    /// The row's columns by name (a supervisor's without its PIN hash).
    pub row: serde_json::Value,
    /// For `events`: the transaction's row at shipping time.
    pub transaction: Option<TransactionSnapshot>,
}

impl Journal {
    /// This terminal's id and label.
    pub fn terminal_identity(&self) -> Result<TerminalIdentity> {
        let conn = self.conn()?;
        Ok(conn.query_row(
            "SELECT terminal_id, label FROM fleet_terminal WHERE id = 1",
            [],
            |r| {
                Ok(TerminalIdentity {
                    terminal_id: r.get(0)?,
                    label: r.get(1)?,
                })
            },
        )?)
    }

    /// Sets (or with `None` clears) the terminal's label.
    pub fn set_terminal_label(&self, label: Option<&str>) -> Result<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE fleet_terminal SET label = ?1 WHERE id = 1",
            [label.map(str::trim).filter(|l| !l.is_empty())],
        )?;
        crate::commit(tx, format_args!("journal.fleet.label"))
    }

    /// The last `seq` the central database confirmed (0: nothing yet).
    pub fn fleet_acked(&self) -> Result<i64> {
        let conn = self.conn()?;
        Ok(
            conn.query_row("SELECT acked_seq FROM fleet_ack WHERE id = 1", [], |r| {
                r.get(0)
            })?,
        )
    }

    /// The newest `seq` (0 on an empty journal).
    pub fn last_seq(&self) -> Result<i64> {
        let conn = self.conn()?;
        Ok(conn.query_row("SELECT coalesce(max(seq), 0) FROM chain", [], |r| r.get(0))?)
    }

    /// Records that the central database committed everything up to `seq`.
    /// Call only after that commit; an older `seq` than the stored one is
    /// ignored (a re-sent batch), so the mark only moves forward.
    pub fn fleet_ack(&self, seq: i64) -> Result<()> {
        let mut conn = self.conn()?;
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(
            "UPDATE fleet_ack SET acked_seq = ?1, at = ?2 WHERE id = 1 AND acked_seq < ?1",
            params![seq, crate::now().timestamp_millis()],
        )?;
        crate::commit(tx, format_args!("journal.fleet.ack"))
    }

    /// Up to `limit` outbox entries after `after` (a `seq`), in order. One
    /// short read: WAL readers never block the teller's writes.
    pub fn outbox(&self, after: i64, limit: usize) -> Result<Vec<OutboxEvent>> {
        let conn = self.conn()?;
        let mut st = conn.prepare_cached(
            "SELECT c.seq, c.source, c.source_id, c.hash, c.payload, \
               e.sid, e.at, e.from_state, e.to_state, e.actor, e.note, e.kind, e.authorized_by, \
               a.at, a.action, a.actor, a.authorized_by, a.detail, \
               n.at, n.kind, n.detail, \
               t.kind, t.state, t.created_at, t.operator, t.agent_code, t.amount_sen, t.fee_sen, \
               t.total_sen, t.fee_differs, t.dest_bank_code, t.dest_account, t.dest_name, \
               t.bank_reference, t.reversal_of \
             FROM chain c \
             LEFT JOIN events e ON c.source = 'events' AND e.id = c.source_id \
             LEFT JOIN transactions t ON t.sid = e.sid \
             LEFT JOIN authorizations a ON c.source = 'authorizations' AND a.id = c.source_id \
             LEFT JOIN integrity_notes n ON c.source = 'integrity_notes' AND n.id = c.source_id \
             WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = st.query_map(params![after, limit], |r| {
            let seq: i64 = r.get(0)?;
            let source: String = r.get(1)?;
            let source_id: i64 = r.get(2)?;
            let hash: String = r.get(3)?;
            let payload: Option<String> = r.get(4)?;
            let mut transaction = None;
            let (at_ms, row) = match source.as_str() {
                "events" => {
                    if let Some(kind) = r.get::<_, Option<String>>(21)? {
                        transaction = Some(TransactionSnapshot {
                            kind,
                            state: r.get(22)?,
                            created_at_ms: r.get(23)?,
                            operator: r.get(24)?,
                            agent_code: r.get(25)?,
                            amount_sen: r.get(26)?,
                            fee_sen: r.get(27)?,
                            total_sen: r.get(28)?,
                            fee_differs: r.get::<_, i64>(29)? != 0,
                            dest_bank_code: r.get(30)?,
                            dest_account: r.get(31)?,
                            dest_name: r.get(32)?,
                            bank_reference: r.get(33)?,
                            reversal_of: r.get(34)?,
                        });
                    }
                    let at: i64 = r.get::<_, Option<i64>>(6)?.unwrap_or(0);
                    (
                        at,
                        serde_json::json!({
                            "sid": r.get::<_, Option<String>>(5)?,
                            "at": at,
                            "from_state": r.get::<_, Option<String>>(7)?,
                            "to_state": r.get::<_, Option<String>>(8)?,
                            "actor": r.get::<_, Option<String>>(9)?,
                            "note": r.get::<_, Option<String>>(10)?,
                            "kind": r.get::<_, Option<String>>(11)?,
                            "authorized_by": r.get::<_, Option<String>>(12)?,
                        }),
                    )
                }
                "authorizations" => {
                    let at: i64 = r.get::<_, Option<i64>>(13)?.unwrap_or(0);
                    (
                        at,
                        serde_json::json!({
                            "at": at,
                            "action": r.get::<_, Option<String>>(14)?,
                            "actor": r.get::<_, Option<String>>(15)?,
                            "authorized_by": r.get::<_, Option<String>>(16)?,
                            "detail": r.get::<_, Option<String>>(17)?,
                        }),
                    )
                }
                "integrity_notes" => {
                    let at: i64 = r.get::<_, Option<i64>>(18)?.unwrap_or(0);
                    (
                        at,
                        serde_json::json!({
                            "at": at,
                            "kind": r.get::<_, Option<String>>(19)?,
                            "detail": r.get::<_, Option<String>>(20)?,
                        }),
                    )
                }
                "supervisors" => {
                    // The chained state: [name, phc, created_at, created_by];
                    // the PIN hash (phc) stays on the counter.
                    let v: Vec<serde_json::Value> = payload
                        .as_deref()
                        .and_then(|p| serde_json::from_str(p).ok())
                        .unwrap_or_default();
                    let at = v.get(2).and_then(|x| x.as_i64()).unwrap_or(0);
                    (
                        at,
                        serde_json::json!({
                            "name": v.first(),
                            "created_at": at,
                            "created_by": v.get(3),
                        }),
                    )
                }
                _ => {
                    // supervisor_lockout: [failures, locked_until, attempts].
                    let v: Vec<serde_json::Value> = payload
                        .as_deref()
                        .and_then(|p| serde_json::from_str(p).ok())
                        .unwrap_or_default();
                    (
                        0,
                        serde_json::json!({
                            "failures": v.first(),
                            "locked_until": v.get(1),
                            "attempts": v.get(2),
                        }),
                    )
                }
            };
            Ok(OutboxEvent {
                seq,
                source,
                source_id,
                at_ms,
                hash,
                row,
                transaction,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
