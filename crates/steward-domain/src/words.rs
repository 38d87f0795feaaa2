//! Counts and day distances in the words people use: "1 day", "3 days", "in 12 days",
//! "passed 64 days ago" — the same everywhere a person reads them.

/// "1 day", "2 days"; `plural` for words not made with an s.
/// A count with thousands separators; a negative one with a true minus sign.
pub fn thousands(n: i64) -> String {
    let grouped = crate::money::group_digits(n.unsigned_abs());
    if n < 0 { format!("−{grouped}") } else { grouped }
}

pub fn count(n: i64, one: &str, plural: &str) -> String {
    if n == 1 { format!("1 {one}") } else { format!("{n} {plural}") }
}

/// "1 day", "12 days".
pub fn days(n: i64) -> String {
    count(n, "day", "days")
}

/// How far a date is from today, as a phrase: "today", "in 1 day", "12 days ago".
pub fn from_today(days_until: i64) -> String {
    match days_until {
        0 => "today".into(),
        n if n > 0 => format!("in {}", days(n)),
        n => format!("{} ago", days(-n)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn singular_and_plural() {
        assert_eq!([days(1), days(0), days(12)], ["1 day", "0 days", "12 days"]);
        assert_eq!(count(1, "account", "accounts"), "1 account");
        assert_eq!([from_today(0), from_today(1), from_today(-64)], ["today", "in 1 day", "64 days ago"]);
    }
}
