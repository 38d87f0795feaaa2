use std::fmt;

/// An amount of US dollars held as whole cents, so sums are exact. Serialized as a
/// number of dollars with cents (CONVENTIONS.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money {
    pub cents: i64,
}

impl Money {
    pub const ZERO: Money = Money { cents: 0 };

    pub const fn from_cents(cents: i64) -> Self {
        Self { cents }
    }

    pub fn dollars(self) -> f64 {
        self.cents as f64 / 100.0
    }

    /// Rounds to the nearest cent; used where money enters as a decimal number.
    pub fn from_dollars(dollars: f64) -> Self {
        Self { cents: (dollars * 100.0).round() as i64 }
    }

    /// Exact dollars as people type them: `4.50`, `$1,200`, `-3`; at most two decimals.
    pub fn parse(text: &str) -> Result<Self, crate::ParseError> {
        let bad = || crate::ParseError::new(format!("{text:?} is not an amount of dollars (like 4.50 or 1,200)"));
        let t = text.trim();
        let (negative, t) = t.strip_prefix('-').map_or((false, t), |rest| (true, rest));
        let t = t.strip_prefix('$').unwrap_or(t).replace(',', "");
        let (whole, fraction) = t.split_once('.').unwrap_or((&t, ""));
        let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
        if whole.is_empty() || !digits(whole) || !digits(fraction) || fraction.len() > 2 || whole.len() > 13 {
            return Err(bad());
        }
        let cents = whole.parse::<i64>().map_err(|_| bad())? * 100
            + format!("{fraction:0<2}").parse::<i64>().map_err(|_| bad())?;
        Ok(Self { cents: if negative { -cents } else { cents } })
    }

    /// Rounded for a glance: `$1.2M`, `$640K`, `$980`.
    pub fn short(self) -> String {
        let d = self.dollars();
        if d.abs() >= 1_000_000.0 {
            format!("${:.1}M", d / 1_000_000.0)
        } else if d.abs() >= 1_000.0 {
            format!("${:.0}K", d / 1_000.0)
        } else {
            format!("${d:.0}")
        }
    }
}

/// `1234567` → `1,234,567`: how every count and amount is written for people.
pub fn group_digits(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

impl fmt::Display for Money {
    /// `$1,234,567.89` (negative as `-$12.00`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(f, "{sign}${}.{:02}", group_digits(abs / 100), abs % 100)
    }
}

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(self.dollars())
    }
}

impl<'de> serde::Deserialize<'de> for Money {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Self::from_dollars(f64::deserialize(d)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_parse_exactly() {
        let cents = |s: &str| Money::parse(s).map(|m| m.cents);
        assert_eq!(cents("4.50"), Ok(450));
        assert_eq!(cents("4.5"), Ok(450));
        assert_eq!(cents("$1,200"), Ok(120_000));
        assert_eq!(cents("0.07"), Ok(7));
        assert_eq!(cents("-3"), Ok(-300));
        for bad in ["", "4.505", "four", "1e3", "$", ".5", "4.5.0", "99999999999999"] {
            assert!(Money::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_with_grouping() {
        assert_eq!(Money::from_cents(123_456_789).to_string(), "$1,234,567.89");
        assert_eq!(Money::from_cents(-1200).to_string(), "-$12.00");
        assert_eq!(Money::from_cents(5).to_string(), "$0.05");
        assert_eq!(Money::from_dollars(4.5).cents, 450);
    }
}
