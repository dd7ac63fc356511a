//! The switcher's view of the books: payment codes handed out by
//! `/inquiry`, any transaction looked up by its refnum (a Bank+ sid or a
//! switcher refnum) for `/check`, and reversals.

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, OptionalExtension};

use super::payments::{move_money, Kind, MoneyError};
use super::{load_account, next_seq, Account, Ledger, LedgerError, FEE_ACCOUNT};
use crate::wire::iso;

/// A reversal that went through.
#[derive(Clone, Debug)]
pub(crate) struct Reversed {
    pub view: TxView,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum ReversalError {
    #[error("not found")]
    NotFound,
    #[error("already reversed")]
    AlreadyReversed,
    #[error("a reversal cannot be reversed")]
    NotReversible,
    #[error("the beneficiary has spent the money")]
    InsufficientFunds,
    #[error("the refnum is already used")]
    Duplicate,
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl From<rusqlite::Error> for ReversalError {
    fn from(e: rusqlite::Error) -> Self {
        ReversalError::Ledger(e.into())
    }
}

/// A transaction as the switcher's `/check` and `/reversal` show it.
#[derive(Clone, Debug)]
pub(crate) struct TxView {
    pub id: i64,
    pub kind: String,
    pub refnum: String,
    pub journal: String,
    pub source_label: String,
    pub source_account: String,
    pub source_name: String,
    pub dest_label: String,
    pub dest_account: String,
    pub dest_name: String,
    pub amount: Rupiah,
    pub fee: Rupiah,
    pub remark: String,
    pub reversed: bool,
    pub created_at: String,
}

fn find_view(tx: &rusqlite::Connection, refnum: &str) -> rusqlite::Result<Option<TxView>> {
    tx.query_row(
        "SELECT t.id, t.kind, t.refnum, t.journal, t.src_label, t.src_number, \
                coalesce(s.name, ''), t.dst_label, t.dst_number, coalesce(d.name, ''), \
                t.amount, t.fee, t.remark, t.status, t.created_at \
         FROM transactions t \
         LEFT JOIN accounts s ON s.bank = t.src_bank AND s.number = t.src_number \
         LEFT JOIN accounts d ON d.bank = t.dst_bank AND d.number = t.dst_number \
         WHERE t.refnum = ?1",
        [refnum],
        |r| {
            Ok(TxView {
                id: r.get(0)?,
                kind: r.get(1)?,
                refnum: r.get(2)?,
                journal: r.get(3)?,
                source_label: r.get(4)?,
                source_account: r.get(5)?,
                source_name: r.get(6)?,
                dest_label: r.get(7)?,
                dest_account: r.get(8)?,
                dest_name: r.get(9)?,
                amount: Rupiah::from_sen(r.get(10)?),
                fee: Rupiah::from_sen(r.get(11)?),
                remark: r.get(12)?,
                reversed: r.get::<_, String>(13)? == "reversed",
                created_at: r.get(14)?,
            })
        },
    )
    .optional()
}

impl Ledger {
    /// Records a switcher inquiry under its payment code.
    pub fn switcher_inquiry(
        &self,
        payment_code: &str,
        refnum: &str,
        account: &Account,
        bank_label: &str,
        at: DateTime<Utc>,
    ) -> Result<(), LedgerError> {
        self.conn().execute(
            "INSERT INTO switcher_inquiries (payment_code, refnum, bank, bank_label, account, \
             created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                payment_code,
                refnum,
                account.bank,
                bank_label,
                account.number,
                iso(at)
            ],
        )?;
        Ok(())
    }

    /// The destination a payment code stands for: (bank, label, account).
    pub fn payment_target(
        &self,
        payment_code: &str,
    ) -> Result<Option<(String, String, String)>, LedgerError> {
        Ok(self
            .conn()
            .query_row(
                "SELECT bank, bank_label, account FROM switcher_inquiries WHERE payment_code = ?1",
                [payment_code],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
    }

    /// Any transaction by its refnum (Bank+ sid or switcher refnum).
    pub fn find_transaction(&self, refnum: &str) -> Result<Option<TxView>, LedgerError> {
        Ok(find_view(&self.conn(), refnum)?)
    }

    /// Reverses a posted transaction: the beneficiary gives back the amount,
    /// the bank gives back the fee, the source gets both.
    pub fn reverse(
        &self,
        target_refnum: &str,
        journal: Option<&str>,
        new_refnum: &str,
        at: DateTime<Utc>,
    ) -> Result<Reversed, ReversalError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let target = find_view(&tx, target_refnum)?.ok_or(ReversalError::NotFound)?;
        if journal.is_some_and(|j| j != target.journal) {
            return Err(ReversalError::NotFound);
        }
        if target.kind == Kind::Reversal.as_str() {
            return Err(ReversalError::NotReversible);
        }
        if target.reversed {
            return Err(ReversalError::AlreadyReversed);
        }
        let (src_bank, src_number, dst_bank, dst_number): (String, String, String, String) = tx
            .query_row(
                "SELECT src_bank, src_number, dst_bank, dst_number FROM transactions WHERE id = ?1",
                [target.id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )?;
        let beneficiary =
            load_account(&tx, &dst_bank, &dst_number)?.ok_or(ReversalError::NotFound)?;
        // Sending money back to yourself (the document's own sample) only
        // returns the fee, so only a different beneficiary must still have it.
        let same = src_bank == dst_bank && src_number == dst_number;
        if !same && beneficiary.balance < target.amount {
            return Err(ReversalError::InsufficientFunds);
        }
        let used: Option<i64> = tx
            .query_row(
                "SELECT id FROM transactions WHERE refnum = ?1",
                [new_refnum],
                |r| r.get(0),
            )
            .optional()?;
        if used.is_some() {
            return Err(ReversalError::Duplicate);
        }
        let journal = next_seq(&tx, "journal")?.to_string();
        let at_text = iso(at);
        let remark = format!(
            "Reversal from {} to {}",
            target.dest_account, target.source_account
        );
        tx.execute(
            "INSERT INTO transactions (kind, refnum, journal, reference_number, user_id, \
             src_bank, src_number, src_label, dst_bank, dst_number, dst_label, amount, fee, remark, \
             status, reverses, created_at) \
             VALUES ('reversal', ?1, ?2, ?3, NULL, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'posted', \
             ?13, ?14)",
            params![
                new_refnum,
                journal,
                crate::wire::trace_code(at),
                dst_bank,
                dst_number,
                target.dest_label,
                src_bank,
                src_number,
                target.source_label,
                target.amount.sen(),
                target.fee.sen(),
                remark,
                target.id,
                at_text
            ],
        )?;
        let id = tx.last_insert_rowid();
        let desc = format!("REVERSAL {}", target.refnum);
        let dst = (dst_bank.as_str(), dst_number.as_str());
        let src = (src_bank.as_str(), src_number.as_str());
        let as_money = |r: Result<(), MoneyError>| match r {
            Ok(()) => Ok(()),
            Err(MoneyError::Ledger(e)) => Err(ReversalError::Ledger(e)),
            Err(MoneyError::Refused(_)) => Err(ReversalError::NotFound),
        };
        as_money(move_money(
            &tx,
            Some(id),
            dst,
            -target.amount.sen(),
            &desc,
            &at_text,
        ))?;
        as_money(move_money(
            &tx,
            Some(id),
            FEE_ACCOUNT,
            -target.fee.sen(),
            &desc,
            &at_text,
        ))?;
        as_money(move_money(
            &tx,
            Some(id),
            src,
            target.amount.sen() + target.fee.sen(),
            &desc,
            &at_text,
        ))?;
        tx.execute(
            "UPDATE transactions SET status = 'reversed', reversed_by = ?1 WHERE id = ?2",
            params![id, target.id],
        )?;
        let view = find_view(&tx, new_refnum)?.ok_or(ReversalError::NotFound)?;
        tx.commit()?;
        Ok(Reversed { view })
    }
}
