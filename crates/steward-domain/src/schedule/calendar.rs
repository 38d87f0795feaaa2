//! Business days: Monday to Friday, less the holidays the team configures.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// Which days work happens on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<NaiveDate>,
}

impl Calendar {
    pub fn with_holidays(holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        Self { holidays: holidays.into_iter().collect() }
    }

    pub fn holidays(&self) -> impl Iterator<Item = &NaiveDate> {
        self.holidays.iter()
    }

    pub fn is_business_day(&self, day: NaiveDate) -> bool {
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) && !self.holidays.contains(&day)
    }

    /// The first business day on or after `day`.
    pub fn on_or_after(&self, day: NaiveDate) -> NaiveDate {
        let mut d = day;
        // A weekend and a run of holidays end within weeks; the bound keeps a calendar that
        // lists every day of a year from looping for long.
        for _ in 0..3660 {
            if self.is_business_day(d) {
                return d;
            }
            d += Duration::days(1);
        }
        d
    }

    /// Business days from `from` to `to`: how many lie in `[from, to)`, negative when `to`
    /// comes first. From a Friday to the next Monday is 1.
    pub fn between(&self, from: NaiveDate, to: NaiveDate) -> i64 {
        let (a, b, sign) = if from <= to { (from, to, 1) } else { (to, from, -1) };
        let days = (b - a).num_days();
        let (weeks, rest) = (days / 7, days % 7);
        let mut count = weeks * 5;
        let mut d = a + Duration::days(weeks * 7);
        for _ in 0..rest {
            if !matches!(d.weekday(), Weekday::Sat | Weekday::Sun) {
                count += 1;
            }
            d += Duration::days(1);
        }
        let weekday_holidays =
            self.holidays.range(a..b).filter(|h| !matches!(h.weekday(), Weekday::Sat | Weekday::Sun)).count() as i64;
        sign * (count - weekday_holidays)
    }
}

/// The business days from an anchor, numbered 0, 1, 2, …: a schedule is worked out on
/// these numbers and turned into dates at the end.
#[derive(Debug, Clone)]
pub struct Days<'c> {
    calendar: &'c Calendar,
    dates: Vec<NaiveDate>,
}

impl<'c> Days<'c> {
    /// Day 0 is the first business day on or after `anchor`.
    pub fn from(calendar: &'c Calendar, anchor: NaiveDate) -> Self {
        Self { calendar, dates: vec![calendar.on_or_after(anchor)] }
    }

    fn extend_to(&mut self, n: usize) {
        while self.dates.len() <= n {
            let last = *self.dates.last().expect("day 0 is always there");
            let next = self.calendar.on_or_after(last + Duration::days(1));
            self.dates.push(next);
        }
    }

    /// The date of business day `n` (days before the anchor are the anchor).
    pub fn date(&mut self, n: i64) -> NaiveDate {
        let n = usize::try_from(n).unwrap_or(0);
        self.extend_to(n);
        self.dates[n]
    }

    /// The number of the first business day on or after `day` (0 for any day before the
    /// anchor).
    pub fn number(&mut self, day: NaiveDate) -> i64 {
        if day <= self.dates[0] {
            return 0;
        }
        while *self.dates.last().expect("day 0") < day {
            let n = self.dates.len();
            self.extend_to(n);
        }
        self.dates.partition_point(|d| *d < day) as i64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn weekends_and_holidays_are_not_worked() {
        // 2026-11-26 is Thanksgiving (a Thursday), 2026-11-28/29 a weekend.
        let cal = Calendar::with_holidays([d("2026-11-26"), d("2026-11-27")]);
        assert!(cal.is_business_day(d("2026-11-25")));
        assert!(!cal.is_business_day(d("2026-11-26")));
        assert!(!cal.is_business_day(d("2026-11-28")));
        assert_eq!(cal.on_or_after(d("2026-11-26")), d("2026-11-30"));
        // Wed 25 → Mon 30: only the 25th is worked in between.
        assert_eq!(cal.between(d("2026-11-25"), d("2026-11-30")), 1);
        assert_eq!(cal.between(d("2026-11-30"), d("2026-11-25")), -1);
        // Two full weeks less the two holidays.
        assert_eq!(cal.between(d("2026-11-16"), d("2026-11-30")), 8);
        assert_eq!(Calendar::default().between(d("2026-11-16"), d("2026-11-30")), 10);
    }

    #[test]
    fn days_are_numbered_from_the_anchor() {
        let cal = Calendar::with_holidays([d("2026-12-25")]);
        // Anchored on a Saturday: day 0 is the Monday.
        let mut days = Days::from(&cal, d("2026-12-19"));
        assert_eq!(days.date(0), d("2026-12-21"));
        assert_eq!(days.date(4), d("2026-12-28"), "Christmas Friday skipped");
        assert_eq!(days.number(d("2026-12-25")), 4, "a holiday counts as the next business day");
        assert_eq!(days.number(d("2026-12-28")), 4);
        assert_eq!(days.number(d("2026-12-01")), 0);
        for n in 0..40 {
            let date = days.date(n);
            assert_eq!(days.number(date), n);
            assert_eq!(cal.between(days.date(0), date), n);
        }
    }
}
