//! Exact rupiah amounts.
//!
//! Money is an integer count of sen (1/100 rupiah), never a float. This crate
//! parses every amount form the Bank+ documents use on the wire (`25000`,
//! `"25000"`, `"1400000.00"`, `"25.000"`, `"202.696.682"`), the forms an agent
//! types (`25000`, `25.000`, `Rp25.000`), and formats the Indonesian way
//! (`Rp25.000`, `Rp18.309.905,40`) including the amount in words (terbilang).
//! Anything ambiguous is rejected, never guessed.

use std::fmt;

mod terbilang;

pub use terbilang::terbilang;

/// An exact amount of Indonesian rupiah, held as sen.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rupiah {
    sen: i64,
}

/// Why a text is not an amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("amount is empty")]
    Empty,
    #[error("{text:?} is not an amount: {why}")]
    Invalid { text: String, why: &'static str },
    #[error("{text:?} is too large to be an amount")]
    TooLarge { text: String },
}

/// The parse error in words, each language whole (`Display` is English, for logs).
impl words::Say for AmountError {
    fn say(&self) -> words::Text {
        use words::text;
        match self {
            AmountError::Empty => text!("nominal kosong", "the amount is empty"),
            AmountError::Invalid { text, why } => {
                let id = match *why {
                    "an amount has no sign" => "nominal tidak bertanda",
                    "unexpected characters" => "ada karakter yang tidak dikenal",
                    "sen have one or two digits after the decimal separator" => {
                        "sen ditulis satu atau dua angka setelah koma"
                    }
                    "use dots only to group thousands, e.g. 25.000" => {
                        "titik hanya untuk ribuan, mis. 25.000"
                    }
                    _ => "bentuknya tidak dikenal",
                };
                words::Text::new(
                    format!("{text:?} bukan nominal: {id}"),
                    format!("{text:?} is not an amount: {why}"),
                )
            }
            AmountError::TooLarge { text } => text!(
                "{text:?} terlalu besar untuk nominal",
                "{text:?} is too large to be an amount"
            ),
        }
    }
}

impl AmountError {
    fn invalid(text: &str, why: &'static str) -> Self {
        AmountError::Invalid {
            text: preview(text),
            why,
        }
    }
}

/// At most the first 32 characters of a rejected text: an error names what
/// was typed without echoing a hostile megabyte back (issue 12, part 5).
pub fn preview(text: &str) -> String {
    const SHOWN: usize = 32;
    match text.char_indices().nth(SHOWN) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

impl Rupiah {
    pub const ZERO: Rupiah = Rupiah { sen: 0 };

    /// The largest amount one transaction may carry: Rp1.000.000.000.000
    /// (one trillion rupiah). Far above anything an agent's counter handles
    /// (the Bank+ documents set no ceiling, and agent limits are millions),
    /// yet 92.000 times below `i64::MAX` sen, so sums of a journal's rows
    /// stay far from overflow. Checked before anything is journaled or sent.
    pub const MAX_TRANSACTION: Rupiah = Rupiah {
        sen: 1_000_000_000_000 * 100,
    };

    /// Whether this is at most [`Rupiah::MAX_TRANSACTION`] (and not negative).
    pub fn within_transaction_limit(self) -> bool {
        self.sen >= 0 && self.sen <= Self::MAX_TRANSACTION.sen
    }

    pub const fn from_sen(sen: i64) -> Self {
        Rupiah { sen }
    }

    /// Whole rupiah; `None` on overflow.
    pub const fn from_rupiah(rupiah: i64) -> Option<Self> {
        match rupiah.checked_mul(100) {
            Some(sen) => Some(Rupiah { sen }),
            None => None,
        }
    }

    pub const fn sen(self) -> i64 {
        self.sen
    }

    /// The amount in whole rupiah when it has no sen part.
    pub const fn whole_rupiah(self) -> Option<i64> {
        if self.sen % 100 == 0 {
            Some(self.sen / 100)
        } else {
            None
        }
    }

    pub fn is_positive(self) -> bool {
        self.sen > 0
    }

    pub fn is_negative(self) -> bool {
        self.sen < 0
    }

    pub fn checked_add(self, other: Rupiah) -> Option<Rupiah> {
        self.sen.checked_add(other.sen).map(Rupiah::from_sen)
    }

    pub fn checked_sub(self, other: Rupiah) -> Option<Rupiah> {
        self.sen.checked_sub(other.sen).map(Rupiah::from_sen)
    }

    /// Parses an amount as the Bank+ documents send it inside a JSON string
    /// or as the text of a JSON number:
    /// - plain digits: `25000`
    /// - a decimal point with one or two decimals: `1400000.00`
    /// - Indonesian grouping with dots, optionally a comma and sen: `202.696.682`, `18.309.905,40`
    /// - a decimal comma: `25000,50`
    ///
    /// A leading minus is allowed (balances can be negative). A dot followed by
    /// exactly three digits is a thousands separator (`25.000` is twenty-five
    /// thousand), which is how every document sample reads.
    pub fn parse_wire(text: &str) -> Result<Rupiah, AmountError> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(AmountError::Empty);
        }
        let (negative, body) = match trimmed.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        let sen = parse_unsigned(body, text, true)?;
        Ok(Rupiah::from_sen(if negative { -sen } else { sen }))
    }

    /// Parses what an agent types: `25000`, `25.000`, `Rp25.000`, `Rp 25.000`,
    /// `Rp25.000,50`. No sign and no decimal point (a point is always a
    /// thousands separator for a person in Indonesia, so `25.5` is refused
    /// rather than guessed).
    pub fn parse_input(text: &str) -> Result<Rupiah, AmountError> {
        let mut body = text.trim();
        for prefix in ["Rp.", "RP.", "rp.", "Rp", "RP", "rp", "IDR", "idr"] {
            if let Some(rest) = body.strip_prefix(prefix) {
                body = rest.trim_start();
                break;
            }
        }
        if body.is_empty() {
            return Err(AmountError::Empty);
        }
        if body.starts_with('-') || body.starts_with('+') {
            return Err(AmountError::invalid(text, "an amount has no sign"));
        }
        parse_unsigned(body, text, false).map(Rupiah::from_sen)
    }

    /// The plain wire form: `25000`, or `1400000.50` when there are sen.
    pub fn to_plain_string(self) -> String {
        let sign = if self.sen < 0 { "-" } else { "" };
        let abs = self.sen.unsigned_abs();
        if abs.is_multiple_of(100) {
            format!("{sign}{}", abs / 100)
        } else {
            format!("{sign}{}.{:02}", abs / 100, abs % 100)
        }
    }

    /// Indonesian grouping without the currency: `25.000`, `18.309.905,40`.
    pub fn to_grouped_string(self) -> String {
        let sign = if self.sen < 0 { "-" } else { "" };
        let abs = self.sen.unsigned_abs();
        let whole = group_thousands(abs / 100);
        if abs.is_multiple_of(100) {
            format!("{sign}{whole}")
        } else {
            format!("{sign}{whole},{:02}", abs % 100)
        }
    }
}

/// `Rp25.000`, `Rp18.309.905,40`, `-Rp5.000`.
impl fmt::Display for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sen < 0 {
            write!(f, "-Rp{}", Rupiah::from_sen(-self.sen).to_grouped_string())
        } else {
            write!(f, "Rp{}", self.to_grouped_string())
        }
    }
}

impl fmt::Debug for Rupiah {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Rupiah({self})")
    }
}

/// Serialized as the exact plain decimal string (`"25000"`, `"1400000.50"`),
/// so no JSON reader can round it through a float.
impl serde::Serialize for Rupiah {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_plain_string())
    }
}

/// Reads what [`Rupiah`] serializes to, any wire form, or a JSON integer of rupiah.
impl<'de> serde::Deserialize<'de> for Rupiah {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Rupiah;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an amount of rupiah")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Rupiah, E> {
                Rupiah::parse_wire(v).map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Rupiah, E> {
                Rupiah::from_rupiah(v).ok_or_else(|| E::custom("amount too large"))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Rupiah, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(Rupiah::from_rupiah)
                    .ok_or_else(|| E::custom("amount too large"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

fn group_thousands(mut n: u64) -> String {
    let mut groups = Vec::new();
    loop {
        if n < 1000 {
            groups.push(n.to_string());
            break;
        }
        groups.push(format!("{:03}", n % 1000));
        n /= 1000;
    }
    groups.reverse();
    groups.join(".")
}

fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

fn digits_to_i64(digits: &str, original: &str) -> Result<i64, AmountError> {
    let mut value: i64 = 0;
    for b in digits.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or_else(|| AmountError::TooLarge {
                text: preview(original),
            })?;
    }
    Ok(value)
}

fn sen_part(decimals: &str, original: &str) -> Result<i64, AmountError> {
    match decimals.len() {
        1 => Ok(digits_to_i64(decimals, original)? * 10),
        2 => digits_to_i64(decimals, original),
        _ => Err(AmountError::invalid(
            original,
            "sen have one or two digits after the decimal separator",
        )),
    }
}

fn combine(whole: i64, sen: i64, original: &str) -> Result<i64, AmountError> {
    whole
        .checked_mul(100)
        .and_then(|w| w.checked_add(sen))
        .ok_or_else(|| AmountError::TooLarge {
            text: original.to_owned(),
        })
}

/// The shared grammar of both parsers; `allow_decimal_point` is the wire-only
/// `1400000.00` form.
fn parse_unsigned(
    body: &str,
    original: &str,
    allow_decimal_point: bool,
) -> Result<i64, AmountError> {
    // Split off a decimal comma first: "18.309.905,40" or "25000,50".
    let (whole_text, comma_sen) = match body.split_once(',') {
        Some((w, s)) => {
            if !all_digits(s) {
                return Err(AmountError::invalid(original, "unexpected characters"));
            }
            (w, Some(s))
        }
        None => (body, None),
    };

    if all_digits(whole_text) {
        let whole = digits_to_i64(whole_text, original)?;
        let sen = match comma_sen {
            Some(s) => sen_part(s, original)?,
            None => 0,
        };
        return combine(whole, sen, original);
    }

    let parts: Vec<&str> = whole_text.split('.').collect();
    if parts.len() < 2 || !parts.iter().all(|p| all_digits(p)) {
        return Err(AmountError::invalid(original, "unexpected characters"));
    }

    let grouped = parts[0].len() <= 3 && parts[1..].iter().all(|p| p.len() == 3);
    if grouped {
        let joined: String = parts.concat();
        let whole = digits_to_i64(&joined, original)?;
        let sen = match comma_sen {
            Some(s) => sen_part(s, original)?,
            None => 0,
        };
        return combine(whole, sen, original);
    }

    if allow_decimal_point && parts.len() == 2 && comma_sen.is_none() {
        let whole = digits_to_i64(parts[0], original)?;
        let sen = sen_part(parts[1], original)?;
        return combine(whole, sen, original);
    }

    Err(AmountError::invalid(
        original,
        "use dots only to group thousands, e.g. 25.000",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 12 part 5: a 2 MB text sent over IPC came back whole in the
    /// error; an error names at most the first 32 characters.
    #[test]
    fn a_rejected_text_is_named_not_echoed() {
        let huge = "9".repeat(2_000_000);
        let e = Rupiah::parse_input(&huge).expect_err("too large");
        assert!(e.to_string().len() < 100, "{}", e.to_string().len());
        let e = Rupiah::parse_input(&format!("{huge}x")).expect_err("not an amount");
        assert!(e.to_string().len() < 150, "{}", e.to_string().len());
        assert_eq!(preview("１２３"), "１２３");
        assert_eq!(preview(&"é".repeat(40)), format!("{}…", "é".repeat(32)));
    }

    fn rp(r: i64) -> Rupiah {
        Rupiah::from_rupiah(r).unwrap()
    }

    #[test]
    fn wire_forms_from_the_documents() {
        assert_eq!(Rupiah::parse_wire("25000"), Ok(rp(25_000)));
        assert_eq!(Rupiah::parse_wire("25.000"), Ok(rp(25_000)));
        assert_eq!(Rupiah::parse_wire("202.696.682"), Ok(rp(202_696_682)));
        assert_eq!(
            Rupiah::parse_wire("1400000.00"),
            Ok(rp(1_400_000)),
            "a decimal point with two decimals"
        );
        assert_eq!(
            Rupiah::parse_wire("602577171334.84"),
            Ok(Rupiah::from_sen(60_257_717_133_484))
        );
        assert_eq!(
            Rupiah::parse_wire("18.309.905,40"),
            Ok(Rupiah::from_sen(1_830_990_540))
        );
        assert_eq!(Rupiah::parse_wire("0"), Ok(Rupiah::ZERO));
        assert_eq!(Rupiah::parse_wire("-5.000"), Ok(rp(-5_000)));
        assert_eq!(Rupiah::parse_wire("100.5"), Ok(Rupiah::from_sen(10_050)));
    }

    #[test]
    fn ambiguous_or_broken_wire_forms_are_refused() {
        for bad in [
            "",
            " ",
            "abc",
            "1.2.3",
            "12.3456",
            "1,400,000.00",
            "25.000.00",
            "1e5",
            "Rp25.000",
            "25 000",
            "1.0000",
            "0.30000000000000004",
            "--5",
            ".5",
            "5.",
        ] {
            assert!(Rupiah::parse_wire(bad).is_err(), "{bad:?} must be refused");
        }
        assert!(matches!(
            Rupiah::parse_wire("99999999999999999999"),
            Err(AmountError::TooLarge { .. })
        ));
    }

    #[test]
    fn what_an_agent_types() {
        assert_eq!(Rupiah::parse_input("25000"), Ok(rp(25_000)));
        assert_eq!(Rupiah::parse_input("25.000"), Ok(rp(25_000)));
        assert_eq!(Rupiah::parse_input("Rp25.000"), Ok(rp(25_000)));
        assert_eq!(Rupiah::parse_input("Rp 25.000"), Ok(rp(25_000)));
        assert_eq!(Rupiah::parse_input("rp.1.000.000"), Ok(rp(1_000_000)));
        assert_eq!(
            Rupiah::parse_input("Rp25.000,50"),
            Ok(Rupiah::from_sen(2_500_050))
        );
        for bad in [
            "",
            "Rp",
            "-25000",
            "25.5",
            "25,000.00",
            "dua puluh",
            "1.00",
            "+5",
        ] {
            assert!(Rupiah::parse_input(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn indonesian_display() {
        assert_eq!(rp(25_000).to_string(), "Rp25.000");
        assert_eq!(rp(202_696_682).to_string(), "Rp202.696.682");
        assert_eq!(
            Rupiah::from_sen(1_830_990_540).to_string(),
            "Rp18.309.905,40"
        );
        assert_eq!(rp(0).to_string(), "Rp0");
        assert_eq!(rp(999).to_string(), "Rp999");
        assert_eq!(rp(1_000).to_string(), "Rp1.000");
        assert_eq!(rp(-5_000).to_string(), "-Rp5.000");
        assert_eq!(rp(25_000).to_plain_string(), "25000");
        assert_eq!(
            Rupiah::from_sen(140_000_005).to_plain_string(),
            "1400000.05"
        );
        assert_eq!(rp(202_696_682).to_grouped_string(), "202.696.682");
    }

    #[test]
    fn round_trips() {
        for sen in [0, 1, 99, 100, 2_500_000, 1_830_990_540, i64::MAX / 2] {
            let a = Rupiah::from_sen(sen);
            assert_eq!(Rupiah::parse_wire(&a.to_plain_string()), Ok(a));
            assert_eq!(Rupiah::parse_wire(&a.to_grouped_string()), Ok(a));
            assert_eq!(Rupiah::parse_input(&a.to_string()), Ok(a));
        }
    }

    #[test]
    fn arithmetic_is_checked() {
        assert_eq!(rp(50_000).checked_add(rp(1_000)), Some(rp(51_000)));
        assert_eq!(
            Rupiah::from_sen(i64::MAX).checked_add(Rupiah::from_sen(1)),
            None
        );
        assert_eq!(rp(25_000).whole_rupiah(), Some(25_000));
        assert_eq!(Rupiah::from_sen(2_500_050).whole_rupiah(), None);
    }
}

#[cfg(test)]
mod indonesian_messages {
    use super::*;

    #[test]
    fn every_parse_error_has_an_indonesian_text() {
        for bad in ["", "-5", "1e9", "25,505", "2.50.0", "99999999999999999999"] {
            let e = Rupiah::parse_input(bad).expect_err(bad);
            let id = words::Say::say(&e).id().to_owned();
            assert!(
                !id.contains("tidak dikenal\"") && !id.is_empty(),
                "{bad}: {id}"
            );
            for english in [" is ", "amount", "unexpected", "digits", "use dots"] {
                assert!(!id.contains(english), "{bad}: {id}");
            }
        }
    }
}
