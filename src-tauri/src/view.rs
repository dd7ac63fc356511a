//! The shapes that cross IPC, with TypeScript generated from them
//! (`ui/src/lib/bindings.ts`). Money crosses as exact decimal strings of
//! rupiah ("25000", "1400000.50"), never as floats.

use serde::{Deserialize, Serialize};
use specta::Type;

/// An error as the UI receives it: a stable code and a message in the
/// chosen language, saying what happened and what to do.
#[derive(Debug, Clone, Serialize, Type)]
pub struct CommandError {
    pub code: String,
    pub message: String,
    /// Money may have moved: show as in doubt, never as failure.
    pub outcome_unknown: bool,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct AppInfo {
    pub version: String,
    pub sandbox: bool,
    pub server: String,
    pub lang: Lang,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, Type, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Id,
    En,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Profile {
    pub name: String,
    pub username: String,
    pub agent_code: String,
    pub is_agent: bool,
    pub bank_name: Option<String>,
    pub bank_colour: Option<String>,
    pub address: String,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Account {
    pub account_number: String,
    pub account_name: String,
    /// Exact rupiah as a decimal string.
    pub balance: Option<String>,
    /// `Rp202.696.682`.
    pub balance_display: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Quote {
    pub sid: String,
    pub kind: String,
    pub bank_name: Option<String>,
    pub account_number: String,
    pub account_masked: String,
    pub account_name: String,
    pub amount: String,
    pub amount_display: String,
    pub admin_fee_display: String,
    pub total_display: String,
    pub terbilang: String,
    pub in_doubt: Option<String>,
}

#[derive(Debug, Clone, Serialize, Type)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Succeeded,
    Failed,
    Unknown,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Outcome {
    pub sid: String,
    pub status: Status,
    pub account_name: Option<String>,
    pub total_display: Option<String>,
    /// The bank's or Loket's reason when it did not succeed.
    pub error: Option<CommandError>,
}

#[derive(Debug, Clone, Serialize, Type)]
pub struct Transaction {
    pub sid: String,
    pub kind: String,
    pub state: String,
    pub time_wib: String,
    pub account_number: Option<String>,
    pub account_name: Option<String>,
    pub total_display: Option<String>,
}
