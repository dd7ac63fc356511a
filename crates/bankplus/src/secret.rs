//! Secrets the agent types: PINs, passwords, and the session id the bank
//! hands back. Each is zeroized when dropped (clones too), prints as `***`
//! in `Debug`, and has no `Display` or `Serialize`: the only way out is the
//! crate-private `expose`, used by the request builder in [`crate::client`]
//! at the moment a body or header is built.

use std::fmt;

use zeroize::Zeroizing;

/// A six-digit transaction PIN (agent's `pin`/`pin_transaksi`, customer's `pin_platform`).
#[derive(Clone)]
pub struct Pin(Zeroizing<String>);

/// Why a PIN was not accepted before anything was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a PIN is exactly 6 digits")]
pub struct PinFormatError;

impl Pin {
    /// Takes the typed text; the caller's buffer should be zeroized by the caller.
    pub fn new(text: &str) -> Result<Pin, PinFormatError> {
        let text = text.trim();
        if text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Pin(Zeroizing::new(text.to_owned())))
        } else {
            Err(PinFormatError)
        }
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin(***)")
    }
}

/// A Bank+ password.
#[derive(Clone)]
pub struct Password(Zeroizing<String>);

impl Password {
    pub fn new(text: &str) -> Password {
        Password(Zeroizing::new(text.to_owned()))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

/// The `session_id` from `users/auth`, sent as the `sessionid` header.
/// It lives in memory only.
#[derive(Clone)]
pub struct Session(Zeroizing<String>);

impl Session {
    /// Wraps a `session_id`. The client makes these from the login reply;
    /// a test driver may make one to present a stale or forged session.
    pub fn new(id: String) -> Session {
        Session(Zeroizing::new(id))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }

    pub(crate) fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// For tests and diagnostics that must prove the id never leaks:
    /// compares without revealing it.
    pub fn is(&self, candidate: &str) -> bool {
        self.0.as_str() == candidate
    }
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Session(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pin_is_six_digits() {
        assert_eq!(
            Pin::new("359569").map(|p| p.expose().to_owned()),
            Ok("359569".to_owned())
        );
        assert_eq!(Pin::new(" 359569\n").map(|p| p.expose().len()), Ok(6));
        for bad in ["", "35956", "3595690", "35956a", "３５９５６９", "359 69"] {
            assert_eq!(Pin::new(bad).map(|_| ()), Err(PinFormatError), "{bad:?}");
        }
    }

    #[test]
    fn debug_is_redacted() {
        let pin = Pin::new("359569").unwrap();
        let password = Password::new("T6jkl4ss");
        let session = Session::new("pAUvTI7MKmexnAw4vwO5nbOiwluGIaRJ".to_owned());
        assert_eq!(format!("{pin:?}"), "Pin(***)");
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(format!("{session:?}"), "Session(***)");
        assert!(session.is("pAUvTI7MKmexnAw4vwO5nbOiwluGIaRJ"));
        assert!(!session.is("pAUvTI7MKmexnAw4vwO5nbOiwluGIaR"));
    }
}
