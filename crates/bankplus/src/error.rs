//! One error type for every Bank+ and switcher call, sorted by what the
//! caller can do about it.
//!
//! The deciding question for a payment is "may the money have moved?";
//! [`Error::outcome_known`] answers it. Messages are written for the person
//! at the counter: what happened and what to do next. They never carry a
//! PIN, a password or a session id (see `decode::snippet` for how reply
//! fragments are cleaned before they land in [`Error::Malformed`]).

/// What went wrong with a call, and so what the caller may do next.
///
/// For a call that moves money (open account, deposit, the two transfer
/// payments, switcher transfer and reversal), only [`Error::NotSent`],
/// [`Error::BadInput`] and the bank's own answers ([`Error::InvalidPin`],
/// [`Error::Refused`], [`Error::SessionExpired`], [`Error::BadLogin`],
/// [`Error::NotFound`]) mean the money did not move.
/// [`Error::OutcomeUnknown`] **and** [`Error::Malformed`] mean it may have:
/// the transaction is in doubt until the switcher's `/check` (or a
/// statement line) says otherwise, and it must never be reported as failed.
/// Nothing in this crate is ever retried automatically.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The request never left this machine (connection refused, DNS
    /// failure, bad address, a request that could not be built). Safe to
    /// try again.
    #[error("the server could not be reached and nothing was sent ({reason}); check the network and try again")]
    NotSent { reason: String },

    /// Refused here, before sending: the input cannot be expressed in the
    /// protocol (sen on a transfer amount, a non-digit account number, …).
    #[error("{}; nothing was sent, correct it and try again", message.en())]
    BadInput { message: words::Text },

    /// The request was sent (or may have been) and no complete answer came
    /// back: a timeout, or the connection lost or closed mid-way. The bank
    /// may have acted on it. Never "failed".
    #[error(
        "no answer from the server after the request was sent ({reason}); the outcome is unknown: check the transaction status before trying again"
    )]
    OutcomeUnknown { reason: String },

    /// `SESSION_NOT_FOUND`: log in again, then resume the step.
    #[error("the session has expired; log in again")]
    SessionExpired,

    /// `INVALID_PIN`: nothing was done.
    #[error("wrong PIN, nothing was done: {message}")]
    InvalidPin { message: String },

    /// `2102` on `users/auth`.
    #[error("wrong username or password: {message}")]
    BadLogin { message: String },

    /// `NOT_FOUND`: no data for what was asked (a dashboard month, a region).
    #[error("no data found: {message}")]
    NotFound { message: String },

    /// The bank or the switcher refused, with its code and words:
    /// `-1` / `[0108] NO SUCH ACCOUNT`, `-1` / `[76] Invalid account`,
    /// `UPDATE_NONE`, switcher `0101`, `-1` / `Reversal already executed`,
    /// `-1` / `refnum provided was not found`, … Nothing was done.
    #[error("refused by the bank (code {code}): {}", if message.is_empty() { "no reason given" } else { message.as_str() })]
    Refused {
        code: String,
        message: String,
        /// The platform's trace code (`BLB…`), when given; quote it to the bank.
        trace_code: Option<String>,
    },

    /// A reply that is not the documented JSON (an HTML 502 page, cut-off
    /// JSON, missing fields, an unreadable amount), with the raw HTTP status
    /// and a short, secret-free piece of the body. For a payment the
    /// outcome is unknown, exactly as with [`Error::OutcomeUnknown`].
    #[error("the server sent an unreadable reply (HTTP {status}: {detail}); if this was a payment, check its status before trying again")]
    Malformed { status: u16, detail: String },
}

impl Error {
    /// Whether the outcome is settled: the request was never sent, or the
    /// bank answered clearly. `false` means a payment may have moved money.
    pub fn outcome_known(&self) -> bool {
        !matches!(self, Error::OutcomeUnknown { .. } | Error::Malformed { .. })
    }

    /// Whether the request certainly never reached the server, so sending
    /// it again cannot do anything twice.
    pub fn nothing_sent(&self) -> bool {
        matches!(self, Error::NotSent { .. } | Error::BadInput { .. })
    }

    /// The reason code inside the bank's message brackets: `0108` from
    /// `[0108] NO SUCH ACCOUNT`, `76` from `[76] Invalid account`.
    pub fn bank_reason(&self) -> Option<&str> {
        match self {
            Error::Refused { message, .. } => bracketed(message),
            _ => None,
        }
    }

    /// The platform's trace code of a refusal (`BLB20041614483274585`).
    pub fn trace_code(&self) -> Option<&str> {
        match self {
            Error::Refused { trace_code, .. } => trace_code.as_deref(),
            _ => None,
        }
    }

    /// A short stable code for this error, for journals, logs and the UI:
    /// the bank's own code where there is one.
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

    /// Puts the real HTTP status on a [`Error::Malformed`] raised while
    /// converting a reply's data (the converters do not see the status).
    pub(crate) fn at_status(self, status: u16) -> Error {
        match self {
            Error::Malformed { detail, .. } => Error::Malformed { status, detail },
            other => other,
        }
    }
}

/// What a person at the counter is told, each language whole. The bank's
/// own reason is quoted as the bank sent it (its words are data, not
/// Loket's; the code beside it is what to look up).
impl words::Say for Error {
    fn say(&self) -> words::Text {
        use words::text;
        fn quoted(m: &str) -> String {
            if m.trim().is_empty() {
                "-".into()
            } else {
                format!("“{}”", m.trim())
            }
        }
        match self {
            Error::NotSent { .. } => text!(
                "Server Bank+ tidak bisa dihubungi; tidak ada yang dikirim. Periksa jaringan lalu coba lagi.",
                "The Bank+ server cannot be reached; nothing was sent. Check the network and try again."
            ),
            Error::BadInput { message } => text!(
                "Isian belum benar: {message}. Tidak ada yang dikirim.",
                "Input is not right: {message}. Nothing was sent.";
                message
            ),
            Error::OutcomeUnknown { .. } | Error::Malformed { .. } => text!(
                "Status belum diketahui: permintaan sudah terkirim tetapi jawaban bank tidak diterima. \
                 Jangan ulangi transaksi; cek status.",
                "Outcome unknown: the request was sent but no readable answer came back. \
                 Do not repeat the transaction; check its status."
            ),
            Error::SessionExpired => text!(
                "Sesi habis. Silakan masuk lagi.",
                "The session has expired. Log in again."
            ),
            Error::InvalidPin { .. } => text!(
                "PIN salah. Tidak ada transaksi yang terjadi; masukkan PIN yang benar.",
                "Wrong PIN. Nothing was done; enter the right PIN."
            ),
            Error::BadLogin { .. } => text!(
                "Username atau password salah. Periksa lalu coba lagi.",
                "Wrong username or password. Check them and try again."
            ),
            Error::NotFound { message } => {
                let message = quoted(message);
                text!("Data tidak ditemukan ({message}).", "Nothing found ({message}).")
            }
            Error::Refused { code, message, .. } => {
                let message = quoted(message);
                text!(
                    "Ditolak bank ({code}): {message}. Tidak ada uang yang berpindah.",
                    "Refused by the bank ({code}): {message}. No money moved."
                )
            }
        }
    }
}

/// The text between a leading `[` and the first `]`, trimmed.
fn bracketed(message: &str) -> Option<&str> {
    let rest = message.trim_start().strip_prefix('[')?;
    let (code, _) = rest.split_once(']')?;
    let code = code.trim();
    (!code.is_empty()).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(message: &str) -> Error {
        Error::Refused {
            code: "-1".into(),
            message: message.into(),
            trace_code: Some("BLB1".into()),
        }
    }

    #[test]
    fn bank_reason_is_the_bracketed_code() {
        assert_eq!(
            refused("[0108] NO SUCH ACCOUNT").bank_reason(),
            Some("0108")
        );
        assert_eq!(refused("[76] Invalid account").bank_reason(), Some("76"));
        assert_eq!(refused("Reversal already executed").bank_reason(), None);
        assert_eq!(refused("[] nothing").bank_reason(), None);
        assert_eq!(refused("[0108 unclosed").bank_reason(), None);
        assert_eq!(refused("x").trace_code(), Some("BLB1"));
    }

    #[test]
    fn only_unknown_and_malformed_leave_the_outcome_open() {
        let unknown = Error::OutcomeUnknown { reason: "t".into() };
        let malformed = Error::Malformed {
            status: 502,
            detail: "d".into(),
        };
        assert!(!unknown.outcome_known() && !malformed.outcome_known());
        assert!(!unknown.nothing_sent() && !malformed.nothing_sent());
        for known in [
            Error::NotSent { reason: "r".into() },
            Error::SessionExpired,
            Error::InvalidPin {
                message: "m".into(),
            },
            Error::BadLogin {
                message: "m".into(),
            },
            Error::NotFound {
                message: "m".into(),
            },
            refused("[0108] NO SUCH ACCOUNT"),
        ] {
            assert!(known.outcome_known(), "{known:?}");
        }
        assert!(Error::NotSent { reason: "r".into() }.nothing_sent());
        assert!(!Error::SessionExpired.nothing_sent());
    }

    #[test]
    fn messages_say_what_to_do() {
        assert!(Error::SessionExpired.to_string().contains("log in again"));
        assert!(Error::OutcomeUnknown {
            reason: "timed out".into()
        }
        .to_string()
        .contains("check the transaction status"));
        let e = Error::Refused {
            code: "-1".into(),
            message: String::new(),
            trace_code: None,
        };
        assert_eq!(
            e.to_string(),
            "refused by the bank (code -1): no reason given"
        );
        assert_eq!(
            Error::Malformed {
                status: 200,
                detail: "x".into()
            }
            .at_status(502),
            Error::Malformed {
                status: 502,
                detail: "x".into()
            }
        );
    }
}
