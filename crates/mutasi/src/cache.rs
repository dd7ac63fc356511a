//! Statement lines kept in SQLite, keyed by provider and provider id, so a
//! second fetch of the same range (or a webhook for a line already fetched)
//! stores nothing twice. Webhook deliveries are remembered by signature so
//! a replayed body is recognised even when its lines are new to us.
//!
//! Amounts are INTEGER sen; times are UTC milliseconds. The schema is
//! versioned with `PRAGMA user_version` and migrated forward on open.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, Connection};

use crate::{DateRange, Direction, MutasiError, ProviderKind, StatementLine};

const MIGRATIONS: &[&str] = &[
    // 1: lines and webhook deliveries.
    "CREATE TABLE statement_lines (
        provider     TEXT NOT NULL,
        provider_id  TEXT NOT NULL,
        account      TEXT NOT NULL,
        posted_at    INTEGER NOT NULL,
        date_only    INTEGER NOT NULL,
        direction    TEXT NOT NULL CHECK (direction IN ('CR', 'DB')),
        amount_sen   INTEGER NOT NULL CHECK (amount_sen >= 0),
        balance_sen  INTEGER,
        description  TEXT NOT NULL,
        reference    TEXT,
        received_at  INTEGER NOT NULL,
        via          TEXT NOT NULL CHECK (via IN ('fetch', 'webhook')),
        PRIMARY KEY (provider, provider_id)
     );
     CREATE INDEX statement_lines_account ON statement_lines (provider, account, posted_at);
     CREATE TABLE webhook_deliveries (
        signature   TEXT PRIMARY KEY,
        webhook_id  TEXT,
        received_at INTEGER NOT NULL
     );",
];

/// What a store did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stored {
    pub new: usize,
    pub known: usize,
}

/// How a line arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Fetch,
    Webhook,
}

pub struct StatementCache {
    conn: Mutex<Connection>,
}

impl StatementCache {
    pub fn open(path: &Path) -> Result<StatementCache, MutasiError> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        Self::setup(conn)
    }

    pub fn open_in_memory() -> Result<StatementCache, MutasiError> {
        Self::setup(Connection::open_in_memory()?)
    }

    fn setup(mut conn: Connection) -> Result<StatementCache, MutasiError> {
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(MutasiError::Settings(words::text!(
                "cache mutasi dibuat Loket yang lebih baru (skema {version}, versi ini mengenal {known}); perbarui Loket",
                "the statement cache is from a newer Loket (schema {version}, this one knows {known}); update Loket"
            )));
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(version.max(0) as usize) {
            let tx = conn.transaction()?;
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(StatementCache {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic mid-insert rolls the SQLite transaction back; nothing to repair.
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stores lines; one already known (same provider and id) is left as it is.
    pub fn store(&self, lines: &[StatementLine], via: Via) -> Result<Stored, MutasiError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let stored = insert_lines(&tx, lines, via)?;
        tx.commit()?;
        Ok(stored)
    }

    /// The cached lines of an account in a range, oldest first.
    pub fn lines(
        &self,
        provider: Option<ProviderKind>,
        account: &str,
        range: DateRange,
    ) -> Result<Vec<StatementLine>, MutasiError> {
        let (from, to) = range.utc_bounds();
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT provider, provider_id, account, posted_at, date_only, direction, amount_sen, \
             balance_sen, description, reference FROM statement_lines \
             WHERE (?1 IS NULL OR provider = ?1) AND account = ?2 AND posted_at >= ?3 AND posted_at < ?4 \
             ORDER BY posted_at, provider_id",
        )?;
        let rows = stmt.query_map(
            params![
                provider.map(ProviderKind::as_str),
                account,
                from.timestamp_millis(),
                to.timestamp_millis()
            ],
            |r| {
                let provider: String = r.get(0)?;
                let direction: String = r.get(5)?;
                Ok(StatementLine {
                    provider: ProviderKind::parse(&provider).unwrap_or(ProviderKind::Mutasibank),
                    provider_id: r.get(1)?,
                    account: r.get(2)?,
                    posted_at: DateTime::<Utc>::from_timestamp_millis(r.get(3)?)
                        .unwrap_or_default(),
                    date_only: r.get(4)?,
                    direction: Direction::parse(&direction).unwrap_or(Direction::Debit),
                    amount: Rupiah::from_sen(r.get(6)?),
                    balance: r.get::<_, Option<i64>>(7)?.map(Rupiah::from_sen),
                    description: r.get(8)?,
                    reference: r.get(9)?,
                })
            },
        )?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Every cached line (tests, diagnostics).
    pub fn count(&self) -> Result<u64, MutasiError> {
        let n: i64 = self
            .conn()
            .query_row("SELECT count(*) FROM statement_lines", [], |r| r.get(0))?;
        Ok(n.max(0) as u64)
    }

    /// Stores a verified webhook delivery and its lines in one transaction:
    /// `None` when a delivery with this signature was stored before (a
    /// replay), so nothing is stored twice and nothing is half-stored.
    pub fn store_delivery(
        &self,
        signature: &str,
        webhook_id: Option<&str>,
        lines: &[StatementLine],
    ) -> Result<Option<Stored>, MutasiError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let fresh = tx.execute(
            "INSERT INTO webhook_deliveries (signature, webhook_id, received_at) VALUES (?1, ?2, ?3) \
             ON CONFLICT (signature) DO NOTHING",
            params![
                signature.trim().to_ascii_lowercase(),
                webhook_id,
                Utc::now().timestamp_millis()
            ],
        )?;
        if fresh == 0 {
            return Ok(None);
        }
        let stored = insert_lines(&tx, lines, Via::Webhook)?;
        tx.commit()?;
        Ok(Some(stored))
    }
}

fn insert_lines(
    tx: &rusqlite::Transaction<'_>,
    lines: &[StatementLine],
    via: Via,
) -> Result<Stored, MutasiError> {
    let mut stored = Stored::default();
    let mut stmt = tx.prepare_cached(
        "INSERT INTO statement_lines (provider, provider_id, account, posted_at, date_only, \
         direction, amount_sen, balance_sen, description, reference, received_at, via) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12) \
         ON CONFLICT (provider, provider_id) DO NOTHING",
    )?;
    let now = Utc::now().timestamp_millis();
    for l in lines {
        let n = stmt.execute(params![
            l.provider.as_str(),
            l.provider_id,
            l.account,
            l.posted_at.timestamp_millis(),
            l.date_only,
            l.direction.as_str(),
            l.amount.sen(),
            l.balance.map(Rupiah::sen),
            l.description,
            l.reference,
            now,
            match via {
                Via::Fetch => "fetch",
                Via::Webhook => "webhook",
            },
        ])?;
        if n == 1 {
            stored.new += 1;
        } else {
            stored.known += 1;
        }
    }
    Ok(stored)
}
