//! The sid / refnum: `YYMMDDHHiissSSSS`, 16 digits.
//!
//! The switcher document types `refnum` as String(14), but its format and
//! every sample (`2006041538496600`) are 16 digits, so 16 it is.

use std::fmt;

use chrono::{DateTime, FixedOffset};

/// A transaction reference: the `sid` header on Bank+ calls, the `refnum`
/// on the switcher.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not a sid: it must be 16 digits YYMMDDHHiissSSSS")]
pub struct SidError(pub String);

impl Sid {
    pub fn parse(text: &str) -> Result<Sid, SidError> {
        let t = text.trim();
        if t.len() == 16 && t.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Sid(t.to_owned()))
        } else {
            Err(SidError(text.to_owned()))
        }
    }

    /// A sid for a WIB time and a 4-digit suffix (`SSSS`, 0..=9999).
    pub fn from_wib(time: DateTime<FixedOffset>, suffix: u16) -> Sid {
        Sid(format!(
            "{}{:04}",
            time.format("%y%m%d%H%M%S"),
            suffix.min(9999)
        ))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Sid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sid({})", self.0)
    }
}
