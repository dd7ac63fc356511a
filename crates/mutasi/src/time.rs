//! Provider times: the documents write local (WIB) times without a zone,
//! `2021-01-02 09:03:20` or a bare date `2025-10-02`; lines carry UTC.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};

/// Western Indonesian Time, UTC+7.
pub fn wib() -> FixedOffset {
    FixedOffset::east_opt(7 * 3600).expect("UTC+7 is a valid offset")
}

/// 00:00 WIB of a day, as UTC.
pub fn wib_day_start(day: NaiveDate) -> DateTime<Utc> {
    let local = day.and_time(NaiveTime::MIN);
    match wib().from_local_datetime(&local).single() {
        Some(t) => t.with_timezone(&Utc),
        // A fixed offset has exactly one mapping; this is never reached.
        None => Utc.from_utc_datetime(&local),
    }
}

/// A provider's local time: `(utc, date_only)`. Accepts `YYYY-MM-DD HH:MM:SS`
/// (also with `T`, fractions, or one stray colon as BRI's `HH:mm::ss` header
/// suggests), RFC 3339 with a zone, and a bare `YYYY-MM-DD`.
pub(crate) fn parse_local(text: &str) -> Option<(DateTime<Utc>, bool)> {
    let t = text.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(t) {
        return Some((dt.with_timezone(&Utc), false));
    }
    let cleaned = t.replace("::", ":").replace('T', " ");
    for fmt in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(&cleaned, fmt) {
            let utc = wib().from_local_datetime(&n).single()?.with_timezone(&Utc);
            return Some((utc, false));
        }
    }
    if let Ok(d) = NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        return Some((wib_day_start(d), true));
    }
    None
}

/// `yyyy-MM-ddTHH:mm:ss.SSSZ` in UTC, as BRI wants `BRI-Timestamp`.
pub(crate) fn bri_timestamp(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

/// ISO 8601 with the WIB offset, `2020-12-17T10:55:00+07:00`, as SNAP wants `X-TIMESTAMP`.
pub(crate) fn snap_timestamp(t: DateTime<Utc>) -> String {
    t.with_timezone(&wib())
        .format("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_are_wib() {
        let (t, d) = parse_local("2021-01-02 09:03:20").unwrap();
        assert_eq!(t.to_rfc3339(), "2021-01-02T02:03:20+00:00");
        assert!(!d);
        let (t, d) = parse_local("2025-10-02").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-10-01T17:00:00+00:00");
        assert!(d);
        assert!(parse_local("02/10/2025").is_none());
    }

    #[test]
    fn timestamps() {
        let t = Utc.with_ymd_and_hms(2021, 1, 2, 3, 4, 5).unwrap();
        assert_eq!(bri_timestamp(t), "2021-01-02T03:04:05.000Z");
        assert_eq!(snap_timestamp(t), "2021-01-02T10:04:05+07:00");
    }
}
