//! The sandbox bank's books: one SQLite database (a file, or memory) with
//! users, accounts, transactions, postings and what the dashboards count.
//!
//! A bank does not forget: a file ledger keeps balances, transactions and
//! used sids across restarts, until it is reset. The connection sits behind
//! a mutex and every money operation is one SQLite transaction (see
//! [`payments`]), so a payment either happens entirely or not at all.

mod payments;
mod reports;
pub(crate) mod schema;
mod statement;
mod switcher;

use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use serde_json::{json, Value};

pub(crate) use self::payments::{
    create_account, opening_balance, post, Journal, Kind, MoneyError, Movement, NewAccount, Refusal,
};
pub(crate) use self::reports::WilayahQuery;
use self::schema::{DDL, SCHEMA_VERSION, TABLES};
pub(crate) use self::statement::{AgentAccount, StatementRow};
pub(crate) use self::switcher::{ReversalError, TxView};
use crate::LedgerLocation;

/// The bank's fee-income account, credited with every admin fee.
pub(crate) const FEE_ACCOUNT: (&str, &str) = ("BNI", "9990000001");

#[derive(Debug, thiserror::Error)]
pub(crate) enum LedgerError {
    #[error("{0}")]
    Sql(#[from] rusqlite::Error),
    #[error(
        "it was written by another version of the sandbox (schema {found}, this one writes {SCHEMA_VERSION}); \
         start the sandbox with reset to wipe and re-seed it"
    )]
    Schema { found: String },
    #[error(
        "it is a SQLite database but not a sandbox ledger; choose another file \
         (the sandbox never wipes a database it did not create)"
    )]
    Foreign,
    #[error("{0}")]
    Internal(String),
}

/// A Bank+ user.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub id: i64,
    pub kelompok_id: String,
    /// The agent's own account (bank, number); staff have none.
    pub account: Option<(String, String)>,
    /// The login reply's `data` object.
    pub profile: Value,
}

impl User {
    fn field(&self, key: &str) -> &str {
        self.profile.get(key).and_then(Value::as_str).unwrap_or("")
    }

    /// `kode_mitra + kode_cabang + kode_loket`, e.g. `BNI014100294`.
    pub fn kode_agen(&self) -> String {
        format!(
            "{}{}{}",
            self.field("kode_mitra"),
            self.field("kode_cabang"),
            self.field("kode_loket")
        )
    }

    /// The `agent` object of transaction replies.
    pub fn agent_object(&self) -> Value {
        json!({
            "kode_agen": self.kode_agen(),
            "nama": self.field("nama"),
            "alamat": format!(
                "{} {} {} {}, {}",
                self.field("alamat_jalan"),
                self.field("alamat_rt_perum"),
                self.field("alamat_kelurahan"),
                self.field("alamat_kabupaten_kota"),
                self.field("alamat_propinsi"),
            ),
        })
    }

    pub fn is_agent(&self) -> bool {
        self.kelompok_id == "4" && self.account.is_some()
    }
}

/// An account as handlers see it (never its PIN).
#[derive(Clone, Debug)]
pub(crate) struct Account {
    pub bank: String,
    pub number: String,
    pub name: String,
    pub balance: Rupiah,
    pub phone_mobile: String,
    pub phone_home: String,
    pub phone_office: String,
    pub active: bool,
}

const ACCOUNT_COLUMNS: &str =
    "bank, number, name, balance, phone_mobile, phone_home, phone_office, status";

fn account_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    Ok(Account {
        bank: row.get(0)?,
        number: row.get(1)?,
        name: row.get(2)?,
        balance: Rupiah::from_sen(row.get(3)?),
        phone_mobile: row.get(4)?,
        phone_home: row.get(5)?,
        phone_office: row.get(6)?,
        active: row.get::<_, String>(7)? == "active",
    })
}

pub(crate) fn load_account(
    conn: &Connection,
    bank: &str,
    number: &str,
) -> rusqlite::Result<Option<Account>> {
    conn.query_row(
        &format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE bank = ?1 AND number = ?2"),
        params![bank, number],
        account_from_row,
    )
    .optional()
}

/// Compares secrets without an early exit on the first differing byte.
pub(crate) fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a customer-PIN check found.
pub(crate) enum PinCheck {
    NoAccount,
    WrongPin,
    Ok(Account),
}

pub(crate) struct Ledger {
    conn: Mutex<Connection>,
    file_backed: bool,
}

impl Ledger {
    /// Opens (creating and seeding if new, or wiping and re-seeding when
    /// `reset`) the ledger at `location`.
    pub fn open(location: &LedgerLocation, reset: bool) -> Result<Ledger, LedgerError> {
        let (conn, file_backed) = match location {
            LedgerLocation::Memory => (Connection::open_in_memory()?, false),
            LedgerLocation::File(path) => (Connection::open(path)?, true),
        };
        conn.busy_timeout(Duration::from_secs(5))?;
        if file_backed {
            // WAL: readers do not block the writer; FULL: a committed
            // payment survives a power cut.
            let _mode: String = conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))?;
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        conn.pragma_update(None, "foreign_keys", true)?;

        let ledger = Ledger {
            conn: Mutex::new(conn),
            file_backed,
        };
        let version = ledger.schema_version()?;
        match version {
            // Checked before `reset`: never wipe a database we did not make.
            Versioned::Foreign => return Err(LedgerError::Foreign),
            _ if reset => ledger.reset()?,
            Versioned::Empty => ledger.reset()?,
            Versioned::Version(v) if v == SCHEMA_VERSION.to_string() => {}
            Versioned::Version(found) => return Err(LedgerError::Schema { found }),
        }
        Ok(ledger)
    }

    fn schema_version(&self) -> Result<Versioned, LedgerError> {
        let conn = self.conn();
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
            [],
            |r| r.get(0),
        )?;
        if tables == 0 {
            return Ok(Versioned::Empty);
        }
        let has_meta: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'",
            [],
            |r| r.get(0),
        )?;
        if has_meta == 0 {
            return Ok(Versioned::Foreign);
        }
        let v: Option<String> = conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'schema_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        Ok(v.map_or(Versioned::Foreign, Versioned::Version))
    }

    /// The connection; see [`crate::state::lock`] for why poisoning is
    /// recovered from.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        crate::state::lock(&self.conn)
    }

    /// Wipes every table and seeds the demo bank again, in one transaction.
    pub fn reset(&self) -> Result<(), LedgerError> {
        let mut conn = self.conn();
        // Dropping tables that reference each other is simplest without
        // foreign-key checks; the pragma cannot change inside a transaction.
        conn.pragma_update(None, "foreign_keys", false)?;
        let result = (|| -> Result<(), LedgerError> {
            let tx = conn.transaction()?;
            for table in TABLES {
                tx.execute_batch(&format!("DROP TABLE IF EXISTS {table};"))?;
            }
            tx.execute_batch(DDL)?;
            tx.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?1)",
                [SCHEMA_VERSION.to_string()],
            )?;
            crate::seed::seed(&tx, Utc::now())?;
            tx.commit()?;
            Ok(())
        })();
        conn.pragma_update(None, "foreign_keys", true)?;
        result
    }

    /// Moves the write-ahead log into the database file, so a copied or
    /// backed-up ledger file is complete.
    pub fn checkpoint(&self) {
        if self.file_backed {
            let conn = self.conn();
            if let Err(e) = conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(())) {
                tracing::warn!("ledger checkpoint failed: {e}");
            }
        }
    }

    // -- users ---------------------------------------------------------------

    fn user_where(
        &self,
        clause: &str,
        param: &dyn rusqlite::ToSql,
    ) -> Result<Option<(User, String)>, LedgerError> {
        let conn = self.conn();
        let row = conn
            .query_row(
                &format!(
                    "SELECT id, kelompok_id, account_bank, account_number, profile, password \
                     FROM users WHERE {clause}"
                ),
                [param],
                |r| {
                    let bank: Option<String> = r.get(2)?;
                    let number: Option<String> = r.get(3)?;
                    let profile: String = r.get(4)?;
                    Ok((
                        User {
                            id: r.get(0)?,
                            kelompok_id: r.get(1)?,
                            account: bank.zip(number),
                            profile: serde_json::from_str(&profile).unwrap_or_else(|_| json!({})),
                        },
                        r.get::<_, String>(5)?,
                    ))
                },
            )
            .optional()?;
        Ok(row)
    }

    /// The user whose username and password match (usernames are
    /// case-sensitive, like the platform's).
    pub fn login(&self, username: &str, password: &str) -> Result<Option<User>, LedgerError> {
        Ok(self
            .user_where("username = ?1", &username)?
            .filter(|(user, stored)| {
                same_secret(stored, password) && user.profile.get("status") == Some(&json!("1"))
            })
            .map(|(user, _)| user))
    }

    pub fn user(&self, id: i64) -> Result<Option<User>, LedgerError> {
        Ok(self.user_where("id = ?1", &id)?.map(|(user, _)| user))
    }

    /// Changes a password if `old` is the current one; false otherwise.
    pub fn change_password(
        &self,
        user_id: i64,
        old: &str,
        new: &str,
        at: DateTime<Utc>,
    ) -> Result<bool, LedgerError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let row: Option<(String, String)> = tx
            .query_row(
                "SELECT password, profile FROM users WHERE id = ?1",
                [user_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let Some((stored, profile)) = row else {
            return Ok(false);
        };
        if !same_secret(&stored, old) {
            return Ok(false);
        }
        let mut profile: Value = serde_json::from_str(&profile).unwrap_or_else(|_| json!({}));
        profile["password_updated_at"] = json!(crate::wire::iso(at));
        tx.execute(
            "UPDATE users SET password = ?1, profile = ?2 WHERE id = ?3",
            params![new, profile.to_string(), user_id],
        )?;
        tx.commit()?;
        Ok(true)
    }

    // -- accounts ------------------------------------------------------------

    pub fn account(&self, bank: &str, number: &str) -> Result<Option<Account>, LedgerError> {
        Ok(load_account(&self.conn(), bank, number)?)
    }

    /// Checks a customer's PIN and, when right, counts a customer balance
    /// inquiry for the dashboards.
    pub fn customer_balance(
        &self,
        user_id: i64,
        bank: &str,
        number: &str,
        pin: &str,
        at: DateTime<Utc>,
    ) -> Result<PinCheck, LedgerError> {
        let conn = self.conn();
        let stored: Option<Option<String>> = conn
            .query_row(
                "SELECT pin FROM accounts WHERE bank = ?1 AND number = ?2",
                params![bank, number],
                |r| r.get(0),
            )
            .optional()?;
        let Some(stored) = stored else {
            return Ok(PinCheck::NoAccount);
        };
        if !stored.is_some_and(|s| same_secret(&s, pin)) {
            return Ok(PinCheck::WrongPin);
        }
        conn.execute(
            "INSERT INTO activity (kind, user_id, bank, account_number, created_at) \
             VALUES ('customer_balance', ?1, ?2, ?3, ?4)",
            params![user_id, bank, number, crate::wire::iso(at)],
        )?;
        match load_account(&conn, bank, number)? {
            Some(a) => Ok(PinCheck::Ok(a)),
            None => Ok(PinCheck::NoAccount),
        }
    }

    /// How many transactions carry this refnum (a Bank+ sid or a switcher
    /// refnum): 0 or 1, since refnums are unique.
    pub fn transactions_with_refnum(&self, refnum: &str) -> Result<usize, LedgerError> {
        let n: i64 = self.conn().query_row(
            "SELECT count(*) FROM transactions WHERE refnum = ?1",
            [refnum],
            |r| r.get(0),
        )?;
        Ok(usize::try_from(n).unwrap_or(0))
    }
}

enum Versioned {
    Empty,
    Foreign,
    Version(String),
}

/// The next value of a named sequence (journal numbers, account numbers).
pub(crate) fn next_seq(tx: &Transaction<'_>, name: &str) -> rusqlite::Result<i64> {
    let value: i64 = tx.query_row("SELECT next FROM sequences WHERE name = ?1", [name], |r| {
        r.get(0)
    })?;
    tx.execute(
        "UPDATE sequences SET next = next + 1 WHERE name = ?1",
        [name],
    )?;
    Ok(value)
}
