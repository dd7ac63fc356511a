//! Money movements. Each public operation is one SQLite transaction that
//! checks everything (PIN, unused refnum, accounts, funds) and then posts
//! the debit, the credit and the fee, so it happens entirely or not at all.

use chrono::{DateTime, Utc};
use money::Rupiah;
use rusqlite::{params, OptionalExtension, Transaction};

use super::{load_account, next_seq, same_secret, Account, Ledger, LedgerError, FEE_ACCOUNT};
use crate::banks;
use crate::wire::iso;

/// What kind of operation a transaction is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Deposit,
    OpenAccount,
    Intrabank,
    Interbank,
    SwitcherTransfer,
    Reversal,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Deposit => "deposit",
            Kind::OpenAccount => "open_account",
            Kind::Intrabank => "intrabank",
            Kind::Interbank => "interbank",
            Kind::SwitcherTransfer => "switcher_transfer",
            Kind::Reversal => "reversal",
        }
    }

    /// How a statement line names it.
    fn label(self) -> &'static str {
        match self {
            Kind::Deposit => "SETOR TUNAI",
            Kind::OpenAccount => "SETORAN AWAL BUKA REKENING",
            Kind::Intrabank => "TRANSFER ANTAR BNI",
            Kind::Interbank => "TRANSFER ANTAR BANK",
            Kind::SwitcherTransfer => "TRANSFER",
            Kind::Reversal => "REVERSAL",
        }
    }
}

/// Why a money operation was refused (nothing was posted).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Refusal {
    InvalidPin,
    Duplicate,
    NoSource,
    NoDestination,
    InactiveAccount,
    InsufficientFunds,
    InvalidAmount,
    /// An interbank payment whose inquiry is unknown, used, or for another
    /// destination.
    InvalidTransaction,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum MoneyError {
    #[error("refused: {0:?}")]
    Refused(Refusal),
    #[error(transparent)]
    Ledger(#[from] LedgerError),
}

impl From<rusqlite::Error> for MoneyError {
    fn from(e: rusqlite::Error) -> Self {
        MoneyError::Ledger(e.into())
    }
}

impl From<Refusal> for MoneyError {
    fn from(r: Refusal) -> Self {
        MoneyError::Refused(r)
    }
}

/// Where a journal number comes from: live operations count from 1001,
/// the seeded history has its own lower range so it does not use them up.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Journal {
    Live,
    History,
}

/// One movement of `amount` (plus `fee` to the bank) from `source` to `dest`.
#[derive(Clone, Debug)]
pub(crate) struct Movement {
    pub kind: Kind,
    pub refnum: String,
    pub reference_number: String,
    pub user_id: Option<i64>,
    pub source: (String, String),
    pub dest: (String, String),
    /// How the switcher names the banks; defaults from the ledger codes.
    pub source_label: Option<String>,
    pub dest_label: Option<String>,
    pub amount: Rupiah,
    pub fee: Rupiah,
    pub remark: String,
    pub at: DateTime<Utc>,
    pub journal: Journal,
}

/// A posted movement.
#[derive(Clone, Debug)]
pub(crate) struct Posted {
    pub journal: String,
    pub source: Account,
    pub dest: Account,
}

/// A new BNI account opened by an agent.
#[derive(Clone, Debug)]
pub(crate) struct NewAccount {
    pub name: String,
    pub email: String,
    pub national_id: String,
    pub phone_mobile: String,
    pub phone_home: String,
    pub pin: String,
}

fn ensure_refnum_unused(tx: &Transaction<'_>, refnum: &str) -> Result<(), MoneyError> {
    let used: Option<i64> = tx
        .query_row(
            "SELECT id FROM transactions WHERE refnum = ?1",
            [refnum],
            |r| r.get(0),
        )
        .optional()?;
    match used {
        Some(_) => Err(Refusal::Duplicate.into()),
        None => Ok(()),
    }
}

fn check_agent_pin(tx: &Transaction<'_>, user_id: i64, pin: &str) -> Result<(), MoneyError> {
    let stored: Option<Option<String>> = tx
        .query_row("SELECT pin FROM users WHERE id = ?1", [user_id], |r| {
            r.get(0)
        })
        .optional()?;
    match stored.flatten() {
        Some(s) if same_secret(&s, pin) => Ok(()),
        _ => Err(Refusal::InvalidPin.into()),
    }
}

/// Adds `delta` sen to an account and writes its posting.
pub(super) fn move_money(
    tx: &Transaction<'_>,
    tx_id: Option<i64>,
    account: (&str, &str),
    delta: i64,
    description: &str,
    at: &str,
) -> Result<(), MoneyError> {
    if delta == 0 {
        return Ok(());
    }
    let balance: i64 = tx.query_row(
        "UPDATE accounts SET balance = balance + ?1 WHERE bank = ?2 AND number = ?3 \
         RETURNING balance",
        params![delta, account.0, account.1],
        |r| r.get(0),
    )?;
    tx.execute(
        "INSERT INTO postings (tx_id, bank, account_number, direction, amount, balance_after, \
         description, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            tx_id,
            account.0,
            account.1,
            if delta > 0 { "C" } else { "D" },
            delta.abs(),
            balance,
            description,
            at
        ],
    )?;
    Ok(())
}

/// An opening balance (seeding only): a credit with no transaction.
pub(crate) fn opening_balance(
    tx: &Transaction<'_>,
    account: (&str, &str),
    amount: Rupiah,
    at: DateTime<Utc>,
) -> Result<(), MoneyError> {
    move_money(tx, None, account, amount.sen(), "SALDO AWAL", &iso(at))
}

/// Posts a movement inside an open transaction, after checking the refnum,
/// both accounts and the funds.
pub(crate) fn post(tx: &Transaction<'_>, m: &Movement) -> Result<Posted, MoneyError> {
    let zero_allowed = m.kind == Kind::OpenAccount;
    if m.amount.is_negative() || (!zero_allowed && !m.amount.is_positive()) || m.fee.is_negative() {
        return Err(Refusal::InvalidAmount.into());
    }
    ensure_refnum_unused(tx, &m.refnum)?;
    let source = load_account(tx, &m.source.0, &m.source.1)?.ok_or(Refusal::NoSource)?;
    let dest = load_account(tx, &m.dest.0, &m.dest.1)?.ok_or(Refusal::NoDestination)?;
    if !source.active || !dest.active {
        return Err(Refusal::InactiveAccount.into());
    }
    let total = m.amount.checked_add(m.fee).ok_or(Refusal::InvalidAmount)?;
    if source.balance < total {
        return Err(Refusal::InsufficientFunds.into());
    }

    let journal = next_seq(
        tx,
        match m.journal {
            Journal::Live => "journal",
            Journal::History => "history_journal",
        },
    )?
    .to_string();
    let at = iso(m.at);
    let source_label = m
        .source_label
        .clone()
        .unwrap_or_else(|| banks::switch_label(&m.source.0));
    let dest_label = m
        .dest_label
        .clone()
        .unwrap_or_else(|| banks::switch_label(&m.dest.0));
    tx.execute(
        "INSERT INTO transactions (kind, refnum, journal, reference_number, user_id, \
         src_bank, src_number, src_label, dst_bank, dst_number, dst_label, amount, fee, remark, \
         status, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, 'posted', ?15)",
        params![
            m.kind.as_str(),
            m.refnum,
            journal,
            m.reference_number,
            m.user_id,
            m.source.0,
            m.source.1,
            source_label,
            m.dest.0,
            m.dest.1,
            dest_label,
            m.amount.sen(),
            m.fee.sen(),
            m.remark,
            at
        ],
    )?;
    let tx_id = tx.last_insert_rowid();
    let label = m.kind.label();
    let src = (m.source.0.as_str(), m.source.1.as_str());
    let dst = (m.dest.0.as_str(), m.dest.1.as_str());
    move_money(
        tx,
        Some(tx_id),
        src,
        -m.amount.sen(),
        &format!("{label} KE {} {} {}", dst.0, dst.1, m.refnum),
        &at,
    )?;
    move_money(
        tx,
        Some(tx_id),
        dst,
        m.amount.sen(),
        &format!("{label} DARI {} {} {}", src.0, src.1, m.refnum),
        &at,
    )?;
    move_money(
        tx,
        Some(tx_id),
        src,
        -m.fee.sen(),
        &format!("BIAYA ADMIN {label} {}", m.refnum),
        &at,
    )?;
    move_money(
        tx,
        Some(tx_id),
        FEE_ACCOUNT,
        m.fee.sen(),
        &format!("FEE {label} {}", m.refnum),
        &at,
    )?;

    let source = load_account(tx, src.0, src.1)?.ok_or(Refusal::NoSource)?;
    let dest = load_account(tx, dst.0, dst.1)?.ok_or(Refusal::NoDestination)?;
    Ok(Posted {
        journal,
        source,
        dest,
    })
}

/// Creates a BNI account with the next account number.
pub(crate) fn create_account(
    tx: &Transaction<'_>,
    a: &NewAccount,
    at: DateTime<Utc>,
) -> Result<String, MoneyError> {
    let number = next_seq(tx, "account_number")?.to_string();
    tx.execute(
        "INSERT INTO accounts (bank, number, name, balance, pin, phone_mobile, phone_home, \
         phone_office, email, national_id, opened_at) \
         VALUES (?1, ?2, ?3, 0, ?4, ?5, ?6, ?6, ?7, ?8, ?9)",
        params![
            banks::HOME_BANK,
            number,
            a.name,
            a.pin,
            a.phone_mobile,
            a.phone_home,
            a.email,
            a.national_id,
            iso(at)
        ],
    )?;
    Ok(number)
}

impl Ledger {
    /// A Bank+ payment (deposit, intrabank) or a switcher transfer; with
    /// `agent_pin` the paying agent's PIN is checked first.
    pub fn pay(&self, m: &Movement, agent_pin: Option<(i64, &str)>) -> Result<Posted, MoneyError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        if let Some((user_id, pin)) = agent_pin {
            check_agent_pin(&tx, user_id, pin)?;
        }
        let posted = post(&tx, m)?;
        tx.commit()?;
        Ok(posted)
    }

    /// Opens a BNI account and moves the first deposit into it from the
    /// agent's account (`m.dest` is filled in with the new number).
    pub fn open_account(
        &self,
        new: &NewAccount,
        m: &Movement,
        agent_pin: (i64, &str),
    ) -> Result<Posted, MoneyError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        check_agent_pin(&tx, agent_pin.0, agent_pin.1)?;
        ensure_refnum_unused(&tx, &m.refnum)?;
        let number = create_account(&tx, new, m.at)?;
        let mut m = m.clone();
        m.dest = (banks::HOME_BANK.to_owned(), number);
        let posted = post(&tx, &m)?;
        tx.commit()?;
        Ok(posted)
    }

    /// Records an interbank inquiry and its fee quote; the nine-digit
    /// `transaction_id` the payment must quote back.
    pub fn interbank_quote(
        &self,
        user_id: i64,
        account: &Account,
        fee: Rupiah,
        at: DateTime<Utc>,
    ) -> Result<String, LedgerError> {
        let conn = self.conn();
        loop {
            let id = (100_000_000 + crate::ids::small_random() % 900_000_000).to_string();
            let inserted = conn.execute(
                "INSERT OR IGNORE INTO interbank_inquiries \
                 (transaction_id, user_id, bank, account_number, fee, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    id,
                    user_id,
                    account.bank,
                    account.number,
                    fee.sen(),
                    iso(at)
                ],
            )?;
            if inserted == 1 {
                return Ok(id);
            }
        }
    }

    /// An interbank payment: charges the fee quoted at inquiry, whatever
    /// the request says. Returns the fee charged with the posting.
    pub fn interbank_pay(
        &self,
        transaction_id: &str,
        m: &Movement,
        agent_pin: (i64, &str),
    ) -> Result<(Posted, Rupiah), MoneyError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        check_agent_pin(&tx, agent_pin.0, agent_pin.1)?;
        // A replayed sid is reported as such even though its inquiry is
        // used up too: that is the answer that tells the client the truth.
        ensure_refnum_unused(&tx, &m.refnum)?;
        let quote: Option<(i64, String, String, i64, Option<i64>)> = tx
            .query_row(
                "SELECT user_id, bank, account_number, fee, used_by FROM interbank_inquiries \
                 WHERE transaction_id = ?1",
                [transaction_id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let fee = match quote {
            Some((user, bank, number, fee, None))
                if user == agent_pin.0 && bank == m.dest.0 && number == m.dest.1 =>
            {
                Rupiah::from_sen(fee)
            }
            _ => return Err(Refusal::InvalidTransaction.into()),
        };
        let mut m = m.clone();
        m.fee = fee;
        let posted = post(&tx, &m)?;
        tx.execute(
            "UPDATE interbank_inquiries SET used_by = \
             (SELECT id FROM transactions WHERE refnum = ?1) WHERE transaction_id = ?2",
            params![m.refnum, transaction_id],
        )?;
        tx.commit()?;
        Ok((posted, fee))
    }
}
