//! One error type for every Bank+ and switcher call, sorted by what the
//! caller can do about it.

/// What went wrong with a call, and so what the caller may do next.
///
/// For a call that moves money, only [`Error::NotSent`] and the bank's own
/// refusals ([`Error::InvalidPin`], [`Error::Refused`], [`Error::SessionExpired`],
/// [`Error::BadLogin`], [`Error::NotFound`]) mean the money did not move.
/// [`Error::OutcomeUnknown`] and [`Error::Malformed`] mean it may have: the
/// transaction is in doubt until the switcher's `/check` (or a statement)
/// says otherwise. Nothing here is ever retried automatically.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The request never left this machine (connection refused, bad address,
    /// DNS failure). Safe to try again.
    #[error("the server could not be reached, nothing was sent: {reason}")]
    NotSent { reason: String },

    /// The request was refused here, before sending: the input cannot be
    /// expressed in the protocol (e.g. sen on a transfer amount).
    #[error("{message}; nothing was sent")]
    BadInput { message: String },

    /// The request was sent (or may have been) and no answer came back: a
    /// timeout or a connection lost mid-way. The bank may have acted on it.
    #[error(
        "no answer from the server after the request was sent ({reason}); the outcome is unknown"
    )]
    OutcomeUnknown { reason: String },

    /// `SESSION_NOT_FOUND`: log in again, then resume the step.
    #[error("the session has expired; log in again")]
    SessionExpired,

    /// `INVALID_PIN`: nothing was done.
    #[error("wrong PIN: {message}")]
    InvalidPin { message: String },

    /// `2102` on login.
    #[error("wrong username or password: {message}")]
    BadLogin { message: String },

    /// `NOT_FOUND`: no data for what was asked (a dashboard month, a region).
    #[error("not found: {message}")]
    NotFound { message: String },

    /// The bank or the switcher refused, with its code and words
    /// (`-1` / `[0108] NO SUCH ACCOUNT`, `UPDATE_NONE`, `0101`, …).
    #[error("refused by the bank ({code}): {message}")]
    Refused {
        code: String,
        message: String,
        /// The platform's trace code (`BLB…`), when given.
        trace_code: Option<String>,
    },

    /// A reply that is not the documented JSON (an HTML 502 page, cut-off
    /// JSON, missing fields). For a payment the outcome is unknown.
    #[error("the server sent an unreadable reply (HTTP {status}): {detail}")]
    Malformed { status: u16, detail: String },
}

impl Error {
    /// Whether the bank's answer settles the outcome: the request either was
    /// never sent or the bank clearly refused it.
    pub fn outcome_known(&self) -> bool {
        !matches!(self, Error::OutcomeUnknown { .. } | Error::Malformed { .. })
    }

    /// The reason code inside the bank's message brackets: `0108` from
    /// `[0108] NO SUCH ACCOUNT`, `76` from `[76] Invalid account`.
    pub fn bank_reason(&self) -> Option<&str> {
        match self {
            Error::Refused { message, .. } => bracketed(message),
            _ => None,
        }
    }

    /// A short stable code for this error, for journals, JSON and the UI.
    pub fn code(&self) -> &str {
        match self {
            Error::NotSent { .. } => "NOT_SENT",
            Error::BadInput { .. } => "BAD_INPUT",
            Error::OutcomeUnknown { .. } => "OUTCOME_UNKNOWN",
            Error::SessionExpired => "SESSION_NOT_FOUND",
            Error::InvalidPin { .. } => "INVALID_PIN",
            Error::BadLogin { .. } => "2102",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::Refused { code, .. } => code,
            Error::Malformed { .. } => "MALFORMED_REPLY",
        }
    }
}

fn bracketed(message: &str) -> Option<&str> {
    let rest = message.trim_start().strip_prefix('[')?;
    let (code, _) = rest.split_once(']')?;
    Some(code.trim())
}
