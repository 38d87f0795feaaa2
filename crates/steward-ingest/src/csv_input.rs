//! What every CSV feed shares: UTF-8 with or without BOM, CRLF or LF, header names mapped
//! to canonical fields (directly or through a saved column mapping), dates in a known
//! format, and ids kept as text so leading zeros survive.

use crate::input::read_error;
use crate::reason::{MappingName, Reason};
use crate::report::FileError;
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

/// A saved per-account mapping from a sender's layout to the canonical one: an employer's
/// census columns and date format, or a FHIR server's own encounter class codes.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Mapping {
    /// canonical field → the file's header name
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub date_format: DateFormat,
    /// FHIR encounter class as `system|code` → the modality it is.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub classes: BTreeMap<String, steward_domain::Modality>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum DateFormat {
    #[default]
    #[serde(rename = "YYYY-MM-DD")]
    Iso,
    #[serde(rename = "MM/DD/YYYY")]
    Us,
    #[serde(rename = "YYYYMMDD")]
    Compact,
}

impl std::str::FromStr for DateFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "YYYY-MM-DD" => Ok(DateFormat::Iso),
            "MM/DD/YYYY" => Ok(DateFormat::Us),
            "YYYYMMDD" => Ok(DateFormat::Compact),
            other => Err(format!("unknown date format {other:?}; expected YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD")),
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + u32::from(d - b'0')))
}

impl DateFormat {
    pub const ALL: [DateFormat; 3] = [DateFormat::Iso, DateFormat::Us, DateFormat::Compact];

    /// Parses from fixed positions, without allocating.
    pub fn parse(self, s: &str) -> Option<NaiveDate> {
        let b = s.trim().as_bytes();
        let (y, m, d) = match self {
            DateFormat::Iso if b.len() == 10 && b[4] == b'-' && b[7] == b'-' => (&b[0..4], &b[5..7], &b[8..10]),
            DateFormat::Compact if b.len() == 8 => (&b[0..4], &b[4..6], &b[6..8]),
            DateFormat::Us => {
                let mut parts = s.trim().split('/');
                let (m, d, y) = (parts.next()?, parts.next()?, parts.next()?);
                if parts.next().is_some() || y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2
                {
                    return None;
                }
                return NaiveDate::from_ymd_opt(
                    digits(y.as_bytes())? as i32,
                    digits(m.as_bytes())?,
                    digits(d.as_bytes())?,
                );
            }
            _ => return None,
        };
        NaiveDate::from_ymd_opt(digits(y)? as i32, digits(m)?, digits(d)?)
    }

    /// "a date in YYYY-MM-DD format", for messages.
    pub fn described(self) -> &'static str {
        match self {
            DateFormat::Iso => "a date in YYYY-MM-DD format",
            DateFormat::Us => "a date in MM/DD/YYYY format",
            DateFormat::Compact => "a date in YYYYMMDD format",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            DateFormat::Iso => "YYYY-MM-DD",
            DateFormat::Us => "MM/DD/YYYY",
            DateFormat::Compact => "YYYYMMDD",
        }
    }
}

/// End dates that mean "no end" in real files.
pub fn open_ended(d: NaiveDate) -> bool {
    d >= NaiveDate::from_ymd_opt(9999, 1, 1).unwrap_or(NaiveDate::MAX)
        || d == NaiveDate::from_ymd_opt(2099, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The dates Steward accepts in any file: anything earlier or later is a typo or a
/// placeholder, and would stretch an account's months across centuries.
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1900, 1, 1).unwrap_or(NaiveDate::MIN)
}

pub fn latest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2200, 12, 31).unwrap_or(NaiveDate::MAX)
}

/// The latest date an event (a visit, a survey response) can have when imported on
/// `today`: it has happened, give or take a time zone.
pub fn latest_event_date(today: NaiveDate) -> NaiveDate {
    today.checked_add_days(Days::new(1)).unwrap_or(today)
}

/// `date` if it lies in `earliest..=latest`.
pub fn in_range(date: NaiveDate, field: &'static str, latest: NaiveDate) -> Result<NaiveDate, Reason> {
    if (earliest_date()..=latest).contains(&date) {
        Ok(date)
    } else {
        Err(Reason::DateOutOfRange { field, earliest: earliest_date(), latest })
    }
}

/// The longest id (member, visit, response) Steward reads; longer is a shifted field.
pub const MAX_ID_LEN: usize = 128;

/// A non-empty id of at most [`MAX_ID_LEN`] characters.
pub fn id<'a>(text: &'a str, field: &'static str) -> Result<&'a str, Reason> {
    if text.is_empty() {
        Err(Reason::FieldEmpty { field })
    } else if text.len() > MAX_ID_LEN {
        Err(Reason::FieldTooLong { field, max: MAX_ID_LEN })
    } else {
        Ok(text)
    }
}

/// Refuses UTF-16 and drops a UTF-8 byte-order mark. The first bytes are read whole, however
/// the reader below hands them out (a decompressor may give one byte at a time).
pub fn utf8_reader<R: Read>(mut reader: R) -> Result<impl BufRead, FileError> {
    let mut head = [0u8; 3];
    let mut n = 0;
    while n < head.len() {
        match reader.read(&mut head[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(FileError::new(read_error(&e))),
        }
    }
    let head = &head[..n];
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::at(1, Reason::Utf16));
    }
    let skip = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    Ok(BufReader::with_capacity(1 << 20, std::io::Cursor::new(head[skip..].to_vec()).chain(reader)))
}

/// Column positions of the canonical fields a parser reads.
#[derive(Debug)]
pub struct Columns {
    positions: BTreeMap<&'static str, usize>,
    pub width: usize,
}

impl Columns {
    /// Resolves `required` and `optional` canonical fields against the header, through
    /// `mapping` where given. A missing required column refuses the file; the refusal names
    /// the header's width and where the columns it did find are, never the header's text.
    pub fn resolve(
        header: &csv::ByteRecord,
        required: &[&'static str],
        optional: &[&'static str],
        mapping: Option<(&MappingName, &Mapping)>,
    ) -> Result<Self, FileError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| std::str::from_utf8(h).map(|s| s.trim().to_ascii_lowercase()))
            .collect::<Result<_, _>>()
            .map_err(|_| FileError::at(1, Reason::NotUtf8))?;
        let find = |field: &'static str| -> Result<Option<usize>, FileError> {
            let wanted = mapping
                .and_then(|(_, m)| m.columns.get(field))
                .map_or(field.to_owned(), |h| h.trim().to_ascii_lowercase());
            let mut at = names.iter().enumerate().filter(|(_, n)| **n == wanted).map(|(i, _)| i);
            match (at.next(), at.next()) {
                (Some(first), Some(second)) => Err(FileError::at(1, Reason::DuplicateColumn { field, first, second })),
                (first, _) => Ok(first),
            }
        };
        let mut positions = BTreeMap::new();
        let mut missing = Vec::new();
        for &field in required.iter().chain(optional) {
            match find(field)? {
                Some(at) => {
                    positions.insert(field, at);
                }
                None if required.contains(&field) => missing.push(field),
                None => {}
            }
        }
        if !missing.is_empty() {
            if looks_like_data(header) {
                return Err(FileError::at(1, Reason::HeaderIsData { columns: names.len() }));
            }
            let mut found: Vec<(&'static str, usize)> = positions.iter().map(|(f, i)| (*f, *i)).collect();
            found.sort_by_key(|(_, i)| *i);
            return Err(FileError::at(
                1,
                Reason::MissingColumn {
                    missing,
                    columns: names.len(),
                    found,
                    mapping: mapping.map(|(n, _)| n.clone()),
                },
            ));
        }
        Ok(Self { positions, width: names.len() })
    }

    pub fn has(&self, field: &str) -> bool {
        self.positions.contains_key(field)
    }

    /// The field's text ("" when the column is absent), or a file error for bad UTF-8.
    pub fn get<'r>(&self, record: &'r csv::ByteRecord, field: &str, line: u64) -> Result<&'r str, FileError> {
        match self.positions.get(field).and_then(|&i| record.get(i)) {
            Some(bytes) => std::str::from_utf8(bytes).map(str::trim).map_err(|_| FileError::at(line, Reason::NotUtf8)),
            None => Ok(""),
        }
    }
}

/// A header row is data when a required column is missing and some of its fields are
/// dates or long numbers: a file sent without its header.
fn looks_like_data(header: &csv::ByteRecord) -> bool {
    header.iter().filter_map(|f| std::str::from_utf8(f).ok()).map(str::trim).any(|f| {
        let number = f.len() >= 3 && f.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        number || [DateFormat::Iso, DateFormat::Us, DateFormat::Compact].iter().any(|d| d.parse(f).is_some())
    })
}

/// Parses a date field in `earliest..=latest`, or says what was wrong with it: which
/// field and the format wanted, never the value (it may be anything).
/// The reason a date did not parse: with the format it is written in, when it fits another.
pub fn bad_date(text: &str, field: &'static str, format: DateFormat) -> Reason {
    let looks_like = DateFormat::ALL.into_iter().filter(|f| *f != format).find(|f| f.parse(text).is_some());
    Reason::BadDate { field, format: format.name(), looks_like: looks_like.map(DateFormat::name) }
}

pub fn date(text: &str, field: &'static str, format: DateFormat, latest: NaiveDate) -> Result<NaiveDate, Reason> {
    let d = format.parse(text).ok_or_else(|| bad_date(text, field, format))?;
    in_range(d, field, latest)
}

/// An end date: empty, or one of the far-future dates that mean "no end", is open.
pub fn optional_end(text: &str, field: &'static str, format: DateFormat) -> Result<Option<NaiveDate>, Reason> {
    if text.is_empty() {
        return Ok(None);
    }
    let d = format.parse(text).ok_or_else(|| bad_date(text, field, format))?;
    if open_ended(d) {
        return Ok(None);
    }
    in_range(d, field, latest_date()).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_formats() {
        let d = NaiveDate::from_ymd_opt(2024, 3, 9).unwrap();
        assert_eq!(DateFormat::Iso.parse("2024-03-09"), Some(d));
        assert_eq!(DateFormat::Us.parse("03/09/2024"), Some(d));
        assert_eq!(DateFormat::Us.parse("3/9/2024"), Some(d));
        assert_eq!(DateFormat::Compact.parse("20240309"), Some(d));
        for bad in ["2024-3-9", "2024-02-30", "2024/03/09", "", "20240399"] {
            assert_eq!(DateFormat::Iso.parse(bad), None, "{bad}");
        }
        assert_eq!(DateFormat::Us.parse("13/01/2024"), None);
        assert!(open_ended(NaiveDate::from_ymd_opt(9999, 12, 31).unwrap()));
    }
}
