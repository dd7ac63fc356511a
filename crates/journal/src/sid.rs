//! Issuing sids: one per transaction attempt, `YYMMDDHHiissSSSS` in WIB.
//!
//! `SSSS` counts tenths of a millisecond, so a sid is a point on a 100 µs
//! grid. The next sid is the later of "now" and "the last one issued plus one
//! step", which keeps sids unique and increasing even for many attempts in
//! the same millisecond, and across restarts (the last one issued is read
//! back from the journal) or a clock that stepped backwards.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};

/// Western Indonesian Time, UTC+7, no daylight saving.
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// Steps of 100 µs since the Unix epoch.
pub(crate) fn steps_of(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros().div_euclid(100)
}

/// The 16-digit sid for a step.
pub(crate) fn format_step(step: i64) -> String {
    let micros = step * 100;
    let t = DateTime::<Utc>::from_timestamp_micros(micros).unwrap_or_default();
    let local = t.with_timezone(&wib());
    let tenths = (micros.rem_euclid(1_000_000)) / 100;
    format!("{}{:04}", local.format("%y%m%d%H%M%S"), tenths)
}

/// The step a stored sid stands for, if it is one of ours.
pub(crate) fn parse_step(sid: &str) -> Option<i64> {
    if sid.len() != 16 || !sid.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    // `YY` is 2000 + YY: chrono's `%y` reads 70–99 as 1970–1999, which put a
    // sid from 2070 on behind every other after a restart (found by the sid
    // property test, issue 12).
    let naive = NaiveDateTime::parse_from_str(&format!("20{}", &sid[..12]), "%Y%m%d%H%M%S").ok()?;
    let local = wib().from_local_datetime(&naive).single()?;
    let tenths: i64 = sid[12..].parse().ok()?;
    Some(local.with_timezone(&Utc).timestamp() * 10_000 + tenths)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_matches_the_switcher_refnum() {
        // 2020-04-21 12:31:42.611 UTC is 19:31:42.611 WIB.
        let t = Utc.with_ymd_and_hms(2020, 4, 21, 12, 31, 42).unwrap()
            + chrono::Duration::microseconds(611_000);
        let sid = format_step(steps_of(t));
        assert_eq!(sid, "2004211931426110");
        assert_eq!(parse_step(&sid), Some(steps_of(t)));
    }

    #[test]
    fn steps_round_trip() {
        for step in [0_i64, 1, 9_999, 10_000, 16_000_000_000_000 + 12_345] {
            let step = step + 15_000_000_000_000; // a date in this century
            assert_eq!(parse_step(&format_step(step)), Some(step));
        }
        // Years 2070 to 2099 too (chrono's `%y` would read them as 19YY).
        let t = Utc.with_ymd_and_hms(2075, 6, 1, 0, 0, 0).unwrap();
        assert_eq!(parse_step(&format_step(steps_of(t))), Some(steps_of(t)));
        assert_eq!(parse_step("20042119314261"), None);
        assert_eq!(parse_step("200421193142611x"), None);
    }
}
