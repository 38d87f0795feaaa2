use crate::ParseError;
use chrono::{Datelike, NaiveDate};
use std::fmt;

/// A calendar month, "YYYY-MM". Stocks are measured on its last day (DOMAIN.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    pub fn new(year: i32, month: u32) -> Result<Self, ParseError> {
        if (1..=12).contains(&month) && (1900..=9999).contains(&year) {
            Ok(Self { year, month })
        } else {
            Err(ParseError::new(format!("invalid month {year}-{month:02}")))
        }
    }

    pub fn of(date: NaiveDate) -> Self {
        Self { year: date.year(), month: date.month() }
    }

    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let bad = || ParseError::new(format!("invalid month {s:?}: expected YYYY-MM"));
        let (y, m) = s.split_once('-').ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad());
        }
        Self::new(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?).map_err(|_| bad())
    }

    pub fn year(self) -> i32 {
        self.year
    }

    pub fn month(self) -> u32 {
        self.month
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("Month holds a valid year and month")
    }

    /// Month end: the day stocks are measured on.
    pub fn last_day(self) -> NaiveDate {
        self.succ().first_day().pred_opt().expect("a month start always has a previous day")
    }

    /// Its calendar quarter, "2026-Q3".
    pub fn quarter(self) -> String {
        crate::quarter::Quarter::of(self).to_string()
    }

    /// The last month of a calendar quarter (March, June, September, December).
    pub fn ends_quarter(self) -> bool {
        self.month.is_multiple_of(3)
    }

    pub fn succ(self) -> Self {
        self.plus(1)
    }

    pub fn plus(self, months: i32) -> Self {
        let index = self.year * 12 + self.month as i32 - 1 + months;
        Self { year: index.div_euclid(12), month: index.rem_euclid(12) as u32 + 1 }
    }

    /// Whole months from `self` to `later` (negative when `later` is earlier).
    pub fn months_until(self, later: Month) -> i32 {
        (later.year - self.year) * 12 + later.month as i32 - self.month as i32
    }
}

impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl serde::Serialize for Month {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

crate::text_enum::parse_impls!(Month);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_steps() {
        let m = Month::parse("2024-12").unwrap();
        assert_eq!(m.succ().to_string(), "2025-01");
        assert_eq!(m.plus(-12).to_string(), "2023-12");
        assert_eq!(m.last_day(), NaiveDate::from_ymd_opt(2024, 12, 31).unwrap());
        assert_eq!(Month::parse("2024-02").unwrap().last_day().to_string(), "2024-02-29");
        assert_eq!(m.months_until(Month::parse("2025-03").unwrap()), 3);
        for bad in ["2024-13", "2024-1", "24-01", "2024/01", ""] {
            assert!(Month::parse(bad).is_err(), "{bad:?}");
        }
    }
}
