//! What Steward keeps about a member: a pseudonymous key and a few coarse attributes
//! (DOMAIN.md "Privacy"). Nothing here can hold a name, a birth date or an address.

use crate::text_enum::text_enum;
use chrono::{Datelike, NaiveDate};

/// A keyed hash of (account, member_id): the only way Steward refers to a person.
/// 64 bits: among 500,000 people of one account the chance of any collision is ~10⁻⁸.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MemberKey(pub u64);

text_enum! {
    pub enum Relationship ("relationship") {
        Employee = "employee",
        Spouse = "spouse",
        Child = "child",
        Other = "other",
    }
}

impl Relationship {
    /// A census word or an X12 individual relationship code (INS02).
    pub fn parse_any(s: &str) -> Option<Self> {
        let s = s.trim();
        let word = s.to_ascii_lowercase();
        match word.as_str() {
            "employee" | "self" | "subscriber" | "ee" | "18" => Some(Relationship::Employee),
            "spouse" | "sp" | "01" | "53" => Some(Relationship::Spouse),
            "child" | "ch" | "dependent" | "19" | "17" | "09" | "10" | "15" => Some(Relationship::Child),
            "other" | "g8" | "23" | "24" | "38" | "60" | "d2" => Some(Relationship::Other),
            _ => None,
        }
    }
}

text_enum! {
    /// Age in the bands DOMAIN.md allows; a birth date is never kept.
    pub enum AgeBand ("age band") {
        Under18 = "0-17",
        From18To25 = "18-25",
        From26To34 = "26-34",
        From35To44 = "35-44",
        From45To54 = "45-54",
        From55To64 = "55-64",
        Over64 = "65+",
    }
}

impl AgeBand {
    /// The band of someone born on `birth`, on `day`. `None` for a birth after `day`.
    pub fn on(birth: NaiveDate, day: NaiveDate) -> Option<Self> {
        let mut age = day.year() - birth.year();
        if (day.month(), day.day()) < (birth.month(), birth.day()) {
            age -= 1;
        }
        Some(match age {
            ..0 => return None,
            0..=17 => AgeBand::Under18,
            18..=25 => AgeBand::From18To25,
            26..=34 => AgeBand::From26To34,
            35..=44 => AgeBand::From35To44,
            45..=54 => AgeBand::From45To54,
            55..=64 => AgeBand::From55To64,
            _ => AgeBand::Over64,
        })
    }
}

text_enum! {
    pub enum Sex ("sex") {
        Female = "F",
        Male = "M",
        Unknown = "U",
    }
}

impl Sex {
    pub fn parse_any(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "f" | "female" => Some(Sex::Female),
            "m" | "male" => Some(Sex::Male),
            "" | "u" | "unknown" | "x" | "other" => Some(Sex::Unknown),
            _ => None,
        }
    }
}

text_enum! {
    pub enum Modality ("modality") {
        InOffice = "in_office",
        Video = "video",
        RemoteOther = "remote_other",
    }
}

text_enum! {
    /// Only completed visits count anywhere.
    pub enum VisitStatus ("visit status") {
        Completed = "completed",
        Cancelled = "cancelled",
        NoShow = "no_show",
    }
}

/// Inclusive dates; `end: None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Span {
    pub fn new(start: NaiveDate, end: Option<NaiveDate>) -> Self {
        Self { start, end }
    }

    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }

    /// True when the two share a day.
    pub fn overlaps(&self, other: &Span) -> bool {
        self.start <= other.end.unwrap_or(NaiveDate::MAX) && other.start <= self.end.unwrap_or(NaiveDate::MAX)
    }

    /// True when the two share a day or one starts the day after the other ends.
    pub fn touches(&self, other: &Span) -> bool {
        let (a, b) = if self.start <= other.start { (self, other) } else { (other, self) };
        a.end.is_none_or(|e| e.succ_opt().is_none_or(|next| b.start <= next))
    }
}

/// Sorts spans and merges those that overlap or abut: eligibility is a state, and one
/// person is eligible or not on any day.
pub fn merge_spans(spans: &mut Vec<Span>) {
    spans.sort();
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans.drain(..) {
        match merged.last_mut() {
            Some(last) if last.touches(&s) => {
                last.end = match (last.end, s.end) {
                    (None, _) | (_, None) => None,
                    (Some(a), Some(b)) => Some(a.max(b)),
                };
            }
            _ => merged.push(s),
        }
    }
    *spans = merged;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn age_bands_turn_on_birthdays() {
        assert_eq!(AgeBand::on(d("2000-06-15"), d("2018-06-14")), Some(AgeBand::Under18));
        assert_eq!(AgeBand::on(d("2000-06-15"), d("2018-06-15")), Some(AgeBand::From18To25));
        assert_eq!(AgeBand::on(d("1960-01-01"), d("2025-01-01")), Some(AgeBand::Over64));
        assert_eq!(AgeBand::on(d("2030-01-01"), d("2025-01-01")), None);
    }

    #[test]
    fn relationships_from_words_and_codes() {
        assert_eq!(Relationship::parse_any("18"), Some(Relationship::Employee));
        assert_eq!(Relationship::parse_any("Spouse"), Some(Relationship::Spouse));
        assert_eq!(Relationship::parse_any("19"), Some(Relationship::Child));
        assert_eq!(Relationship::parse_any("cousin"), None);
    }

    #[test]
    fn spans_merge_when_they_touch() {
        let mut s = vec![
            Span::new(d("2024-03-01"), Some(d("2024-05-31"))),
            Span::new(d("2024-01-01"), Some(d("2024-02-29"))),
            Span::new(d("2024-09-01"), None),
            Span::new(d("2024-10-01"), Some(d("2024-12-31"))),
        ];
        merge_spans(&mut s);
        assert_eq!(s, vec![Span::new(d("2024-01-01"), Some(d("2024-05-31"))), Span::new(d("2024-09-01"), None)]);
    }
}
