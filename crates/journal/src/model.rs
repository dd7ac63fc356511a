//! What the journal records: kinds of teller transactions, their states and
//! the allowed moves between states, the current row and its events.

use chrono::{DateTime, Utc};
use money::Rupiah;
use serde::Serialize;

/// A teller operation, as the journal and history name it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    CheckAccount,
    CustomerBalance,
    AgentBalance,
    OpenAccount,
    Deposit,
    IntrabankTransfer,
    InterbankTransfer,
    /// A switcher reversal of an earlier transaction (its own refnum).
    Reversal,
}

impl Kind {
    pub const ALL: [Kind; 8] = [
        Kind::CheckAccount,
        Kind::CustomerBalance,
        Kind::AgentBalance,
        Kind::OpenAccount,
        Kind::Deposit,
        Kind::IntrabankTransfer,
        Kind::InterbankTransfer,
        Kind::Reversal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CheckAccount => "check_account",
            Kind::CustomerBalance => "customer_balance",
            Kind::AgentBalance => "agent_balance",
            Kind::OpenAccount => "open_account",
            Kind::Deposit => "deposit",
            Kind::IntrabankTransfer => "intrabank_transfer",
            Kind::InterbankTransfer => "interbank_transfer",
            Kind::Reversal => "reversal",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        let wanted = text.trim().replace('-', "_").to_ascii_lowercase();
        Kind::ALL.into_iter().find(|k| k.as_str() == wanted)
    }

    /// A read-only look-up (an account or balance check): nothing moves.
    pub fn is_lookup(self) -> bool {
        matches!(
            self,
            Kind::CheckAccount | Kind::CustomerBalance | Kind::AgentBalance
        )
    }

    /// Whether this operation moves money out of the agent's account.
    pub fn moves_money(self) -> bool {
        matches!(
            self,
            Kind::OpenAccount | Kind::Deposit | Kind::IntrabankTransfer | Kind::InterbankTransfer
        )
    }
}

/// Where a transaction stands.
///
/// ```text
/// draft -> inquired -> authorized -> sending -> succeeded | failed | unknown
/// unknown -> succeeded | failed          (switcher check, statement, supervisor)
/// succeeded -> reversed                  (supervisor, switcher reversal)
/// draft | inquired | authorized -> cancelled   (abandoned before anything was sent)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Inquired,
    Authorized,
    Sending,
    Succeeded,
    Failed,
    Unknown,
    Reversed,
    Cancelled,
}

impl State {
    pub const ALL: [State; 9] = [
        State::Draft,
        State::Inquired,
        State::Authorized,
        State::Sending,
        State::Succeeded,
        State::Failed,
        State::Unknown,
        State::Reversed,
        State::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Inquired => "inquired",
            State::Authorized => "authorized",
            State::Sending => "sending",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::Unknown => "unknown",
            State::Reversed => "reversed",
            State::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<State> {
        let wanted = text.trim().to_ascii_lowercase();
        State::ALL.into_iter().find(|s| s.as_str() == wanted)
    }

    /// The state machine. Anything not listed here is refused by the journal.
    pub fn can_move_to(self, next: State) -> bool {
        use State::*;
        matches!(
            (self, next),
            (Draft, Inquired | Authorized | Sending | Failed | Cancelled)
                | (Inquired, Authorized | Failed | Cancelled)
                | (Authorized, Sending | Cancelled)
                | (Sending, Succeeded | Failed | Unknown)
                | (Unknown, Succeeded | Failed)
                | (Succeeded, Reversed)
        )
    }

    /// Whether the transaction may still change on its own (nothing final yet).
    pub fn is_open(self) -> bool {
        matches!(
            self,
            State::Draft | State::Inquired | State::Authorized | State::Sending | State::Unknown
        )
    }
}

/// Where the money goes (or which account was looked at).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Destination {
    /// Bank code as Bank+ uses it (`BNI` for the home bank, `008` for another bank).
    pub bank_code: Option<String>,
    pub bank_name: Option<String>,
    pub account_number: Option<String>,
    pub account_name: Option<String>,
}

/// How an in-doubt or succeeded transaction was settled after the fact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resolution {
    /// The switcher's `/check` said what happened.
    Switcher,
    /// A matching line on the agent's bank statement.
    Statement,
    /// A supervisor decided, with a reason.
    Supervisor,
}

impl Resolution {
    pub fn as_str(self) -> &'static str {
        match self {
            Resolution::Switcher => "switcher",
            Resolution::Statement => "statement",
            Resolution::Supervisor => "supervisor",
        }
    }

    pub fn parse(text: &str) -> Option<Resolution> {
        match text {
            "switcher" => Some(Resolution::Switcher),
            "statement" => Some(Resolution::Statement),
            "supervisor" => Some(Resolution::Supervisor),
            _ => None,
        }
    }
}

/// The current row of one transaction.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TransactionRecord {
    pub sid: String,
    pub kind: Kind,
    pub state: State,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The Bank+ username who did it.
    pub operator: String,
    pub agent_code: String,
    #[serde(serialize_with = "ser_money")]
    pub amount: Option<Rupiah>,
    #[serde(serialize_with = "ser_money")]
    pub admin_fee: Option<Rupiah>,
    #[serde(serialize_with = "ser_money")]
    pub total: Option<Rupiah>,
    pub destination: Destination,
    pub narration: Option<String>,
    /// The bank's id of the inquiry the payment refers to (interbank `transaction_id`).
    pub inquiry_ref: Option<String>,
    /// The bank's reference for the outcome (`referenceNumber`, `trace_code`, switcher journal).
    pub bank_reference: Option<String>,
    /// The last code and message the bank gave.
    pub bank_code: Option<String>,
    pub bank_message: Option<String>,
    /// Set when this payment was allowed although `override_of` was in doubt.
    pub override_of: Option<String>,
    pub resolution: Option<Resolution>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<String>,
}

fn ser_money<S: serde::Serializer>(v: &Option<Rupiah>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(r) => s.serialize_str(&r.to_plain_string()),
        None => s.serialize_none(),
    }
}

/// What an event records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    /// The transaction moved from one state to another (or was created).
    State,
    /// A copy of the receipt was printed; the state is unchanged.
    Reprint,
    /// The original receipt was printed or saved (see `prints.rs`); the state is unchanged.
    Original,
    /// A recorded outcome proven wrong by evidence (`failed -> succeeded`).
    Correction,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::State => "state",
            EventKind::Reprint => "reprint",
            EventKind::Original => "original",
            EventKind::Correction => "correction",
        }
    }

    pub fn parse(text: &str) -> Option<EventKind> {
        match text {
            "state" => Some(EventKind::State),
            "reprint" => Some(EventKind::Reprint),
            "original" => Some(EventKind::Original),
            "correction" => Some(EventKind::Correction),
            _ => None,
        }
    }
}

/// One line of a transaction's timeline. Events are never changed or deleted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub from: Option<State>,
    pub to: State,
    pub actor: String,
    pub note: Option<String>,
    /// The supervisor who authorized this event (resolve, reverse, reprint).
    pub authorized_by: Option<String>,
}

/// What is known when a transaction starts.
#[derive(Debug, Clone, Default)]
pub struct NewTransaction {
    pub kind: Option<Kind>,
    pub operator: String,
    pub agent_code: String,
    pub amount: Option<Rupiah>,
    pub admin_fee: Option<Rupiah>,
    pub destination: Destination,
    pub narration: Option<String>,
    /// The in-doubt transaction this one is knowingly allowed beside.
    pub override_of: Option<String>,
}

/// Fields a step may fill in as it moves the transaction on. `None` leaves
/// the stored value as it is.
#[derive(Debug, Clone, Default)]
pub struct StepFacts {
    pub amount: Option<Rupiah>,
    pub admin_fee: Option<Rupiah>,
    pub total: Option<Rupiah>,
    pub destination: Option<Destination>,
    pub inquiry_ref: Option<String>,
    pub bank_reference: Option<String>,
    pub bank_code: Option<String>,
    pub bank_message: Option<String>,
    pub resolution: Option<Resolution>,
    pub resolution_note: Option<String>,
    pub resolved_by: Option<String>,
    /// The in-doubt transaction this one is knowingly allowed beside.
    pub override_of: Option<String>,
    /// The supervisor who authorized this step; recorded on its event.
    pub authorized_by: Option<String>,
    /// The fee the bank's payment reply gave, kept beside the quoted one
    /// (which stays in `admin_fee` unless the reply's is larger).
    pub replied_fee: Option<Rupiah>,
    /// The total the bank's payment reply gave.
    pub replied_total: Option<Rupiah>,
}

/// What the journal knows about a row beyond [`TransactionRecord`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RowFlags {
    /// The lease id of the process that began the row.
    pub owner: Option<String>,
    /// The reversal begun for this row, if any (only one that can still book at a time).
    pub reversal_sid: Option<String>,
    /// For a reversal row: the transaction it reverses.
    pub reversal_of: Option<String>,
    #[serde(serialize_with = "ser_money")]
    pub quoted_fee: Option<Rupiah>,
    #[serde(serialize_with = "ser_money")]
    pub replied_fee: Option<Rupiah>,
    #[serde(serialize_with = "ser_money")]
    pub replied_total: Option<Rupiah>,
    /// The reply's fee differed from the quote's.
    pub fee_differs: bool,
    /// Recorded `failed`, later proven booked (a correction event).
    pub corrected: bool,
    /// When the request left (the move to `sending`).
    pub sent_at: Option<DateTime<Utc>>,
}
