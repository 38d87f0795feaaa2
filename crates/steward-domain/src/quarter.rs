//! Calendar quarters, written "2026-Q3" (read also as "2026Q3"): what a quarterly business
//! review covers, what a forecast sums and where the portfolio's renewals fall.

use crate::{Month, ParseError};
use chrono::{Datelike, NaiveDate};
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    year: i32,
    /// 1 to 4.
    number: u32,
}

/// The years a quarter may fall in: those a date may hold (`input::check_date`).
const FIRST_YEAR: i32 = 1900;
const LAST_YEAR: i32 = 2200;

impl Quarter {
    pub fn new(year: i32, number: u32) -> Result<Self, ParseError> {
        if (1..=4).contains(&number) && (FIRST_YEAR..=LAST_YEAR).contains(&year) {
            Ok(Self { year, number })
        } else {
            Err(ParseError::new(format!("{year}-Q{number} is not a quarter (Q1 to Q4 of {FIRST_YEAR} to {LAST_YEAR})")))
        }
    }

    /// The quarter numbered `index` (year × 4 + quarter − 1), held within the years a
    /// quarter may fall in so every quarter has months.
    fn at(index: i32) -> Self {
        let index = index.clamp(FIRST_YEAR * 4, LAST_YEAR * 4 + 3);
        Self { year: index.div_euclid(4), number: index.rem_euclid(4) as u32 + 1 }
    }

    /// The quarter a month falls in.
    pub fn of(month: Month) -> Self {
        Self::at(month.year() * 4 + (month.month() as i32 - 1) / 3)
    }

    /// The quarter a day falls in.
    pub fn of_day(day: NaiveDate) -> Self {
        Self::at(day.year() * 4 + day.month0() as i32 / 3)
    }

    /// Reads "2026-Q3" or "2026Q3" ([`FromStr`](std::str::FromStr)).
    pub fn parse(text: &str) -> Result<Self, ParseError> {
        text.parse()
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn first_day(self) -> NaiveDate {
        self.months()[0].first_day()
    }

    pub fn last_day(self) -> NaiveDate {
        self.last_month().last_day()
    }

    pub fn next(self) -> Self {
        self.plus(1)
    }

    pub fn contains(self, day: NaiveDate) -> bool {
        (self.first_day()..=self.last_day()).contains(&day)
    }

    /// Its three months, first to last.
    pub fn months(self) -> [Month; 3] {
        let last = self.last_month();
        [last.plus(-2), last.plus(-1), last]
    }

    pub fn last_month(self) -> Month {
        Month::new(self.year, self.number * 3).unwrap_or_else(|_| unreachable!("a quarter's last month is a month"))
    }

    /// `quarters` later (earlier when negative), held within 1900-Q1 to 2200-Q4.
    pub fn plus(self, quarters: i32) -> Self {
        Self::at(self.year * 4 + self.number as i32 - 1 + quarters)
    }

    pub fn previous(self) -> Self {
        self.plus(-1)
    }

    pub fn year_ago(self) -> Self {
        self.plus(-4)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-Q{}", self.year, self.number)
    }
}

impl std::str::FromStr for Quarter {
    type Err = ParseError;

    /// "2026-Q3", "2026Q3" or "2026-q3".
    fn from_str(s: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::new(format!("{s:?} is not a quarter: write it 2026-Q3"));
        let upper = s.trim().to_ascii_uppercase();
        let (year, number) = upper.split_once('Q').ok_or_else(bad)?;
        let year = year.strip_suffix('-').unwrap_or(year);
        if year.len() != 4 || number.len() != 1 {
            return Err(bad());
        }
        Self::new(year.parse().map_err(|_| bad())?, number.parse().map_err(|_| bad())?)
    }
}

impl serde::Serialize for Quarter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarters_read_and_count() {
        let q: Quarter = "2026Q1".parse().unwrap();
        assert_eq!(q, "2026-q1".parse().unwrap());
        assert_eq!(q.to_string(), "2026-Q1");
        assert_eq!(q.months().map(|m| m.to_string()), ["2026-01", "2026-02", "2026-03"]);
        assert_eq!((q.previous().to_string(), q.year_ago().to_string()), ("2025-Q4".into(), "2025-Q1".into()));
        assert_eq!(Quarter::of(Month::parse("2026-11").unwrap()).to_string(), "2026-Q4");
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(Quarter::of_day(d("2026-11-30")), Quarter::of(Month::parse("2026-11").unwrap()));
        assert_eq!((q.first_day(), q.last_day()), (d("2026-01-01"), d("2026-03-31")));
        assert!(q.contains(d("2026-03-31")) && !q.contains(d("2026-04-01")));
        assert_eq!(q.next().to_string(), "2026-Q2");
        // The next quarter turns the year.
        assert_eq!(Quarter::of_day(d("2026-12-02")).next().first_day(), d("2027-01-01"));
        assert_eq!(Quarter::of_day(d("2026-01-31")).next().first_day(), d("2026-04-01"));
        assert_eq!(Quarter::of_day(d("2026-09-30")).next().first_day(), d("2026-10-01"));
        let first: Quarter = "1900-Q1".parse().unwrap();
        assert_eq!(
            (first.year_ago(), first.plus(-9).last_month().to_string()),
            (first, "1900-03".into()),
            "held in range"
        );
        let last: Quarter = "2200-Q4".parse().unwrap();
        assert_eq!((last.next(), Quarter::of_day(d("2262-04-11"))), (last, last), "held in range");
        assert_eq!(Quarter::of_day(d("1066-10-14")), first);
        for bad in ["2026-Q5", "2026", "26-Q1", "2026-Q", "Q3-2026", "2026-Q10", "20x7Q1", "Q1", "2201-Q1", "1899Q4"] {
            assert!(bad.parse::<Quarter>().is_err(), "{bad}");
        }
    }
}
