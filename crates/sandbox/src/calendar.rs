//! Calendar months as the dashboards mean them: `YYYY-MM` in WIB, so a
//! month's transactions are those between its local midnights.

use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Utc};

use crate::wire::wib;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Month {
    pub year: i32,
    /// 1..=12
    pub month: u32,
}

impl Month {
    /// The WIB month an instant falls in.
    pub fn of(t: DateTime<Utc>) -> Month {
        let local = t.with_timezone(&wib());
        Month {
            year: local.year(),
            month: local.month(),
        }
    }

    /// Parses `YYYY-MM`.
    pub fn parse(text: &str) -> Option<Month> {
        let (y, m) = text.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        ((1..=12).contains(&month) && (1970..=9999).contains(&year))
            .then_some(Month { year, month })
    }

    /// This month moved by `n` months (negative: back).
    pub fn offset(self, n: i32) -> Month {
        let index = self.year * 12 + (self.month as i32 - 1) + n;
        Month {
            year: index.div_euclid(12),
            month: index.rem_euclid(12) as u32 + 1,
        }
    }

    /// The instant this month starts (local midnight on the 1st), in UTC.
    pub fn start(self) -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN);
        let local = date.and_hms_opt(0, 0, 0).unwrap_or_default();
        wib()
            .from_local_datetime(&local)
            .single()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_default()
    }

    /// The instant the next month starts.
    pub fn end(self) -> DateTime<Utc> {
        self.offset(1).start()
    }

    /// `YYYY-MM`.
    pub fn label(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_wib_months() {
        let m = Month::parse("2020-01").expect("valid");
        assert_eq!(crate::wire::iso(m.start()), "2019-12-31T17:00:00.000Z");
        assert_eq!(crate::wire::iso(m.end()), "2020-01-31T17:00:00.000Z");
        assert_eq!(m.offset(-1).label(), "2019-12");
        assert_eq!(m.offset(13).label(), "2021-02");
        assert_eq!(Month::of(m.start()), m);
        for bad in ["2020-13", "2020-1", "20-01", "2020/01", "", "abcd-ef"] {
            assert!(Month::parse(bad).is_none(), "{bad}");
        }
    }
}
