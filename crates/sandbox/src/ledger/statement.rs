//! What the statement providers read: an account's movements with the
//! balance after each, one line per transaction (an amount and its admin
//! fee are one debit, as the terminal's journal records the total).

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::params;

use super::{Ledger, LedgerError};

/// One statement line as the ledger knows it.
#[derive(Clone, Debug)]
pub(crate) struct StatementRow {
    /// The first posting's id: stable, unique, the provider's line id.
    pub id: i64,
    pub at: DateTime<Utc>,
    pub credit: bool,
    pub amount: Rupiah,
    pub balance_after: Rupiah,
    pub description: String,
}

/// An agent's own account, as the providers list it.
#[derive(Clone, Debug)]
pub(crate) struct AgentAccount {
    pub user_id: i64,
    pub bank: String,
    pub number: String,
    pub name: String,
    pub balance: Rupiah,
}

impl Ledger {
    /// The accounts of the agents (the only accounts the demo provider
    /// users have registered).
    pub fn agent_accounts(&self) -> Result<Vec<AgentAccount>, LedgerError> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT u.id, a.bank, a.number, a.name, a.balance FROM users u \
             JOIN accounts a ON a.bank = u.account_bank AND a.number = u.account_number \
             WHERE u.kelompok_id = '4' ORDER BY u.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AgentAccount {
                user_id: r.get(0)?,
                bank: r.get(1)?,
                number: r.get(2)?,
                name: r.get(3)?,
                balance: Rupiah::from_sen(r.get(4)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// The account's lines booked in `[from, to)`, oldest first.
    pub fn statement(
        &self,
        bank: &str,
        number: &str,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<StatementRow>, LedgerError> {
        let iso = |t: DateTime<Utc>| crate::wire::iso(t);
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT id, tx_id, direction, amount, balance_after, description, created_at \
             FROM postings WHERE bank = ?1 AND account_number = ?2 \
             AND created_at >= ?3 AND created_at < ?4 ORDER BY id",
        )?;
        let raw = stmt.query_map(params![bank, number, iso(from), iso(to)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, Option<i64>>(1)?,
                r.get::<_, String>(2)? == "C",
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
            ))
        })?;
        let mut out: Vec<(Option<i64>, i64, StatementRow)> = Vec::new();
        for row in raw {
            let (id, tx_id, credit, amount, balance, description, at) = row?;
            let signed = if credit { amount } else { -amount };
            // Postings of one transaction on one account are consecutive:
            // fold the fee into the principal's line.
            if let Some((Some(prev_tx), net, line)) = out.last_mut() {
                if tx_id == Some(*prev_tx) {
                    *net += signed;
                    line.balance_after = Rupiah::from_sen(balance);
                    if !credit && description.starts_with("BIAYA ADMIN") {
                        line.description = format!(
                            "{} TERMASUK BIAYA ADMIN {}",
                            line.description,
                            Rupiah::from_sen(amount)
                        );
                    }
                    continue;
                }
            }
            let at = DateTime::parse_from_rfc3339(&at)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| LedgerError::Internal(format!("posting time {at:?}: {e}")))?;
            out.push((
                tx_id,
                signed,
                StatementRow {
                    id,
                    at,
                    credit,
                    amount: Rupiah::from_sen(amount),
                    balance_after: Rupiah::from_sen(balance),
                    description,
                },
            ));
        }
        Ok(out
            .into_iter()
            .filter(|(_, net, _)| *net != 0)
            .map(|(_, net, mut line)| {
                line.credit = net > 0;
                line.amount = Rupiah::from_sen(net.abs());
                line
            })
            .collect())
    }
}
