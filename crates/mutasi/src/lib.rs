//! The agent's bank statement (mutasi rekening) from four providers behind
//! one trait, normalized once at the edge into [`StatementLine`]s.
//!
//! - [`providers::Mutasibank`]: Mutasibank REST API v1 (bearer token).
//! - [`providers::Moota`]: Moota API v2 mutations (bearer token, filters, pages).
//! - [`providers::Bri`]: BRI API Info Mutasi v2.0 (OAuth2 + `BRI-Signature`).
//! - [`providers::BankRaya`]: Bank Raya SNAP bank-statement (B2B token + `X-SIGNATURE`).
//!
//! Each provider's wire types mirror its document; everything after the
//! edge speaks [`StatementLine`] with exact [`money::Rupiah`] amounts and UTC
//! times. [`cache::StatementCache`] keeps lines in SQLite, keyed by provider
//! and provider id, so fetching again never duplicates a line;
//! [`webhook`] takes Mutasibank pushes after verifying them.
//!
//! Secrets (tokens, client secrets, private keys) live only in [`Secret`]:
//! zeroized on drop, `***` in `Debug`, never serialized.

pub mod cache;
mod error;
mod http;
pub mod providers;
mod secret;
mod settings;
pub mod sign;
pub mod store;
mod time;
pub mod webhook;

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, NaiveDate, Utc};
use money::Rupiah;
use serde::{Deserialize, Serialize};

pub use error::{MutasiError, RefusalKind};
pub use secret::Secret;
pub use settings::{
    BankRayaSettings, BriSettings, MootaSettings, MutasibankSettings, ProviderSettings,
    ProvidersFile,
};
pub use store::{ProviderForm, ProviderStore, StoredProvider};
pub use time::{wib, wib_day_start};

/// Which provider a line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Mutasibank,
    Moota,
    Bri,
    Bankraya,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 4] = [
        ProviderKind::Mutasibank,
        ProviderKind::Moota,
        ProviderKind::Bri,
        ProviderKind::Bankraya,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Mutasibank => "mutasibank",
            ProviderKind::Moota => "moota",
            ProviderKind::Bri => "bri",
            ProviderKind::Bankraya => "bankraya",
        }
    }

    pub fn parse(text: &str) -> Option<ProviderKind> {
        let t = text.trim().to_ascii_lowercase();
        ProviderKind::ALL.into_iter().find(|p| p.as_str() == t)
    }

    /// How a person reads the name.
    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::Mutasibank => "Mutasibank",
            ProviderKind::Moota => "Moota",
            ProviderKind::Bri => "BRI Info Mutasi",
            ProviderKind::Bankraya => "Bank Raya SNAP",
        }
    }
}

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Money in (credit) or out (debit) of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    #[serde(rename = "CR")]
    Credit,
    #[serde(rename = "DB")]
    Debit,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Credit => "CR",
            Direction::Debit => "DB",
        }
    }

    /// `CR`/`DB` (Mutasibank, Moota) or `Credit`/`Debit` (BRI, Bank Raya).
    pub fn parse(text: &str) -> Option<Direction> {
        match text.trim().to_ascii_lowercase().as_str() {
            "cr" | "c" | "credit" | "kredit" => Some(Direction::Credit),
            "db" | "d" | "debit" => Some(Direction::Debit),
            _ => None,
        }
    }
}

/// One line of an account statement, the same whichever provider said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatementLine {
    pub provider: ProviderKind,
    /// The account as the caller named it (not the provider's padded form).
    pub account: String,
    /// When the bank booked it, UTC. With `date_only`, 00:00 WIB of that day.
    pub posted_at: DateTime<Utc>,
    /// The provider gave a date without a time.
    pub date_only: bool,
    #[serde(rename = "type")]
    pub direction: Direction,
    /// Always positive; the direction says which way.
    pub amount: Rupiah,
    /// The balance after this line, when the provider gives it.
    pub balance: Option<Rupiah>,
    pub description: String,
    /// The provider's own id of the line (the cache key with the provider).
    pub provider_id: String,
    /// A reference the provider carries besides the description (BRI `referenceId`).
    pub reference: Option<String>,
}

/// A provider's type and amount as one CR/DB and a non-negative amount,
/// decided in this one place. When the provider gives a type, the type
/// decides and a minus sign only restates it (some banks write debits as
/// negative): the sign is never applied a second time. Without a type, the
/// sign decides (negative is a debit).
pub fn direction_and_amount(kind: Option<Direction>, amount: Rupiah) -> (Direction, Rupiah) {
    let size = Rupiah::from_sen(amount.sen().saturating_abs());
    let direction = kind.unwrap_or(if amount.is_negative() {
        Direction::Debit
    } else {
        Direction::Credit
    });
    (direction, size)
}

impl StatementLine {
    /// The amount with its sign: credits positive, debits negative.
    pub fn signed_sen(&self) -> i64 {
        match self.direction {
            Direction::Credit => self.amount.sen(),
            Direction::Debit => -self.amount.sen(),
        }
    }
}

/// WIB calendar days, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl DateRange {
    /// Refuses a range that ends before it starts.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<DateRange, MutasiError> {
        if to < from {
            return Err(MutasiError::Input(words::text!(
                "tanggal akhir {to} sebelum tanggal awal {from}",
                "the end date {to} is before the start date {from}"
            )));
        }
        Ok(DateRange { from, to })
    }

    /// Days in the range, both ends counted.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// Consecutive pieces of at most `max_days` days each, covering the range.
    pub fn split(&self, max_days: i64) -> Vec<DateRange> {
        let max_days = max_days.max(1);
        let mut out = Vec::new();
        let mut start = self.from;
        while start <= self.to {
            let end = (start + chrono::Duration::days(max_days - 1)).min(self.to);
            out.push(DateRange {
                from: start,
                to: end,
            });
            start = end + chrono::Duration::days(1);
        }
        out
    }

    /// The UTC instants of the range: 00:00 WIB of `from` to 00:00 WIB after `to`.
    pub fn utc_bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (
            wib_day_start(self.from),
            wib_day_start(self.to + chrono::Duration::days(1)),
        )
    }
}

/// How far a fetch has come, for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Requests answered so far.
    pub done: usize,
    /// Requests planned (grows when a provider reveals more pages).
    pub total: usize,
    /// Lines received so far.
    pub lines: usize,
}

/// A progress callback; called after each request.
pub type ProgressFn<'a> = &'a (dyn Fn(Progress) + Send + Sync);

/// A boxed future, so that a `dyn StatementSource` can be chosen at run time.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Something that can list an account's statement lines for a date range.
pub trait StatementSource: Send + Sync {
    fn kind(&self) -> ProviderKind;

    /// Every line of `account` booked in `range`, oldest first, fetching as
    /// many pages or windows as the provider needs.
    fn fetch<'a>(
        &'a self,
        account: &'a str,
        range: DateRange,
        progress: ProgressFn<'a>,
    ) -> BoxFuture<'a, Result<Vec<StatementLine>, MutasiError>>;
}

/// A client for the provider these settings describe.
pub fn source(settings: &ProviderSettings) -> Result<Box<dyn StatementSource>, MutasiError> {
    Ok(match settings {
        ProviderSettings::Mutasibank(s) => Box::new(providers::Mutasibank::new(s)?),
        ProviderSettings::Moota(s) => Box::new(providers::Moota::new(s)?),
        ProviderSettings::Bri(s) => Box::new(providers::Bri::new(s)?),
        ProviderSettings::Bankraya(s) => Box::new(providers::BankRaya::new(s)?),
    })
}

/// A no-op progress callback.
pub fn no_progress(_: Progress) {}
