//! The sid / refnum: `YYMMDDHHiissSSSS`, 16 ASCII digits, WIB.
//!
//! The switcher document types `refnum` as String(14), but its format and
//! every sample (`2006041538496600`, `2004211931426110`) are 16 digits, so
//! 16 it is; anything else is refused with a clear error. How sids are
//! generated (uniqueness per terminal, stored before sending) is decided by
//! the teller core; this type only guarantees the shape.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, NaiveDateTime, TimeZone};

use crate::domain::wib;

/// A transaction reference: the `sid` header on Bank+ calls, the `refnum`
/// (and `refnumTarget`) on the switcher.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sid(String);

/// Why a text is not a sid.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SidError {
    /// Not 16 ASCII digits.
    #[error("{0:?} is not a sid: it must be exactly 16 digits, YYMMDDHHiissSSSS")]
    Shape(String),
    /// 16 digits, but `YYMMDDHHiiss` is not a date and time.
    #[error("{0:?} is not a sid: its first 12 digits are not a date and time (YYMMDDHHiiss)")]
    Time(String),
    /// The 4-digit suffix was more than 9999.
    #[error("a sid suffix is 4 digits (0 to 9999), not {0}")]
    Suffix(u16),
    /// The time cannot be written with a two-digit year.
    #[error("a sid cannot be made for the year {0}: YY covers 2000 to 2099")]
    Year(i32),
}

/// The same, each language whole.
impl words::Say for SidError {
    fn say(&self) -> words::Text {
        use words::text;
        match self {
            SidError::Shape(t) => {
                let t = money::preview(t);
                text!(
                    "{t:?} bukan sid: harus tepat 16 angka, YYMMDDHHiissSSSS",
                    "{t:?} is not a sid: it must be exactly 16 digits, YYMMDDHHiissSSSS"
                )
            }
            SidError::Time(t) => {
                let t = money::preview(t);
                text!(
                    "{t:?} bukan sid: 12 angka pertamanya bukan tanggal dan jam (YYMMDDHHiiss)",
                    "{t:?} is not a sid: its first 12 digits are not a date and time (YYMMDDHHiiss)"
                )
            }
            SidError::Suffix(n) => text!(
                "akhiran sid 4 angka (0 sampai 9999), bukan {n}",
                "a sid suffix is 4 digits (0 to 9999), not {n}"
            ),
            SidError::Year(y) => text!(
                "sid tidak bisa dibuat untuk tahun {y}: YY mencakup 2000 sampai 2099",
                "a sid cannot be made for the year {y}: YY covers 2000 to 2099"
            ),
        }
    }
}

impl Sid {
    /// Reads a sid: exactly 16 ASCII digits whose first 12 are a valid
    /// `YYMMDDHHiiss`. Surrounding whitespace is ignored.
    pub fn parse(text: &str) -> Result<Sid, SidError> {
        let t = text.trim();
        if t.len() != 16 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(SidError::Shape(text.to_owned()));
        }
        if NaiveDateTime::parse_from_str(&t[..12], "%y%m%d%H%M%S").is_err() {
            return Err(SidError::Time(text.to_owned()));
        }
        Ok(Sid(t.to_owned()))
    }

    /// The sid for an instant, written in WIB, and a 4-digit suffix
    /// (`SSSS`, 0..=9999). Any time zone may be passed; it is converted to
    /// WIB first, so `Utc::now()` gives the same sid as the WIB clock.
    pub fn from_wib<Tz: TimeZone>(time: DateTime<Tz>, suffix: u16) -> Result<Sid, SidError> {
        if suffix > 9999 {
            return Err(SidError::Suffix(suffix));
        }
        let local = time.with_timezone(&wib());
        let year = chrono::Datelike::year(&local);
        if !(2000..=2099).contains(&year) {
            return Err(SidError::Year(year));
        }
        Ok(Sid(format!("{}{suffix:04}", local.format("%y%m%d%H%M%S"))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Sid {
    type Err = SidError;

    fn from_str(s: &str) -> Result<Sid, SidError> {
        Sid::parse(s)
    }
}

impl AsRef<str> for Sid {
    fn as_ref(&self) -> &str {
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    #[test]
    fn sixteen_digits_with_a_real_time() {
        for sample in ["2006041538496600", "2006051013592980", "2004211931426110"] {
            assert_eq!(
                Sid::parse(sample).map(|s| s.to_string()),
                Ok(sample.to_owned())
            );
        }
        assert_eq!(
            " 2006041538496600 ".parse::<Sid>().map(|s| s.0),
            Ok("2006041538496600".into())
        );
    }

    #[test]
    fn everything_else_is_refused() {
        // The document's String(14) would be a truncated refnum.
        assert!(matches!(
            Sid::parse("20060415384966"),
            Err(SidError::Shape(_))
        ));
        assert!(matches!(
            Sid::parse("200604153849660"),
            Err(SidError::Shape(_))
        ));
        assert!(matches!(
            Sid::parse("20060415384966001"),
            Err(SidError::Shape(_))
        ));
        assert!(matches!(
            Sid::parse("200604153849660a"),
            Err(SidError::Shape(_))
        ));
        assert!(matches!(Sid::parse(""), Err(SidError::Shape(_))));
        assert!(matches!(
            Sid::parse("２００６０４１５３８４９６６００"),
            Err(SidError::Shape(_))
        ));
        assert!(
            matches!(Sid::parse("2013041538496600"), Err(SidError::Time(_))),
            "month 13"
        );
        assert!(
            matches!(Sid::parse("2006042538496600"), Err(SidError::Time(_))),
            "hour 25"
        );
        let e = Sid::parse("123").unwrap_err().to_string();
        assert!(e.contains("exactly 16 digits"), "{e}");
    }

    #[test]
    fn made_from_a_time_in_wib() {
        // 08:38:49 UTC is 15:38:49 WIB.
        let t = Utc.with_ymd_and_hms(2020, 6, 4, 8, 38, 49).unwrap();
        assert_eq!(
            Sid::from_wib(t, 6600).map(|s| s.0),
            Ok("2006041538496600".into())
        );
        let t = t.with_timezone(&wib());
        assert_eq!(
            Sid::from_wib(t, 7).map(|s| s.0),
            Ok("2006041538490007".into())
        );
        assert_eq!(Sid::from_wib(t, 10_000), Err(SidError::Suffix(10_000)));
        let old = Utc.with_ymd_and_hms(1999, 12, 31, 0, 0, 0).unwrap();
        assert_eq!(Sid::from_wib(old, 1), Err(SidError::Year(1999)));
        // What is made can be read back.
        let made = Sid::from_wib(Utc::now(), 9999).unwrap();
        assert_eq!(Sid::parse(made.as_str()), Ok(made));
    }
}
