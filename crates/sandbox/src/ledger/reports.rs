//! Read-only queries behind the dashboards and the wilayah lookup.

use rusqlite::params;

use super::{Ledger, LedgerError};

/// The BSA dashboard's three counts for one period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct BsaCounts {
    pub open_account: i64,
    pub deposit: i64,
    pub customer_balance: i64,
}

/// The wilayah filter; `None` fields match anything.
#[derive(Clone, Debug, Default)]
pub(crate) struct WilayahQuery {
    pub propinsi: Option<String>,
    pub jenis: Option<String>,
    pub kabupaten: Option<String>,
    pub kecamatan: Option<String>,
    pub kelurahan: Option<String>,
}

impl Ledger {
    /// Real transactions between two UTC instants (ISO text, `[from, to)`).
    pub fn bsa_counts(&self, from: &str, to: &str) -> Result<BsaCounts, LedgerError> {
        let conn = self.conn();
        let count_tx = |kind: &str| -> rusqlite::Result<i64> {
            conn.query_row(
                "SELECT count(*) FROM transactions WHERE kind = ?1 AND created_at >= ?2 \
                 AND created_at < ?3",
                params![kind, from, to],
                |r| r.get(0),
            )
        };
        Ok(BsaCounts {
            open_account: count_tx("open_account")?,
            deposit: count_tx("deposit")?,
            customer_balance: conn.query_row(
                "SELECT count(*) FROM activity WHERE kind = 'customer_balance' \
                 AND created_at >= ?1 AND created_at < ?2",
                params![from, to],
                |r| r.get(0),
            )?,
        })
    }

    /// A seeded board (`bill` or `purchase`) for a month: (title, count).
    pub fn board(&self, board: &str, month: &str) -> Result<Vec<(String, i64)>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT title, count FROM board_counts WHERE board = ?1 AND month = ?2 \
             ORDER BY position",
        )?;
        let rows = stmt
            .query_map(params![board, month], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// New agents per month for the given months (oldest first), from the
    /// first month that has any.
    pub fn agent_growth(&self, months: &[String]) -> Result<Vec<(String, i64)>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn.prepare("SELECT count(*) FROM agents WHERE joined_month = ?1")?;
        let mut out = Vec::new();
        for month in months {
            let n: i64 = stmt.query_row([month], |r| r.get(0))?;
            if n > 0 || !out.is_empty() {
                out.push((month.clone(), n));
            }
        }
        Ok(out)
    }

    /// Agents per province who had joined by the end of `month`.
    pub fn agent_spread(&self, month: &str) -> Result<Vec<(String, i64)>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT province, count(*) FROM agents WHERE joined_month <= ?1 \
             GROUP BY province ORDER BY province",
        )?;
        let rows = stmt
            .query_map([month], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Postal codes matching the filter (case-insensitive), distinct.
    pub fn wilayah(&self, q: &WilayahQuery) -> Result<Vec<i64>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT DISTINCT kodepos FROM wilayah \
             WHERE (?1 IS NULL OR lower(propinsi) = lower(?1)) \
               AND (?2 IS NULL OR lower(jenis) = lower(?2)) \
               AND (?3 IS NULL OR lower(kabupaten) = lower(?3)) \
               AND (?4 IS NULL OR lower(kecamatan) = lower(?4)) \
               AND (?5 IS NULL OR lower(kelurahan) = lower(?5)) \
             ORDER BY kodepos",
        )?;
        let rows = stmt
            .query_map(
                params![q.propinsi, q.jenis, q.kabupaten, q.kecamatan, q.kelurahan],
                |r| r.get(0),
            )?
            .collect::<Result<Vec<i64>, _>>()?;
        Ok(rows)
    }
}
