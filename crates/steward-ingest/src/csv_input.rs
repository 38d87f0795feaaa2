//! What every CSV feed shares: UTF-8 with or without BOM, CRLF or LF, header names mapped
//! to canonical fields (directly or through a saved column mapping), dates in a known
//! format, and ids kept as text so leading zeros survive.

use crate::report::FileError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};

/// A saved per-account mapping from an employer's layout to the canonical one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ColumnMapping {
    /// canonical field → the file's header name
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    #[serde(default)]
    pub date_format: DateFormat,
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

/// Refuses UTF-16 and drops a UTF-8 byte-order mark.
pub fn utf8_reader<R: Read>(reader: R) -> Result<impl BufRead, FileError> {
    let mut reader = BufReader::with_capacity(1 << 20, reader);
    let head = reader.fill_buf().map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::at(1, "the file is UTF-16 encoded; save it as UTF-8"));
    }
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    Ok(reader)
}

/// Column positions of the canonical fields a parser reads.
#[derive(Debug)]
pub struct Columns {
    positions: BTreeMap<&'static str, usize>,
    pub width: usize,
}

impl Columns {
    /// Resolves `required` and `optional` canonical fields against the header, through
    /// `mapping` where given. A missing required column refuses the file.
    pub fn resolve(
        header: &csv::ByteRecord,
        required: &[&'static str],
        optional: &[&'static str],
        mapping: Option<&ColumnMapping>,
    ) -> Result<Self, FileError> {
        let names: Vec<String> = header
            .iter()
            .map(|h| std::str::from_utf8(h).map(|s| s.trim().to_ascii_lowercase()))
            .collect::<Result<_, _>>()
            .map_err(|_| FileError::at(1, "the header is not UTF-8; save the file as UTF-8"))?;
        let find = |field: &str| -> Option<usize> {
            let wanted =
                mapping.and_then(|m| m.columns.get(field)).map_or(field.to_owned(), |h| h.trim().to_ascii_lowercase());
            names.iter().position(|n| *n == wanted)
        };
        let mut positions = BTreeMap::new();
        for &field in required {
            let at = find(field).ok_or_else(|| {
                let via = mapping
                    .and_then(|m| m.columns.get(field))
                    .map(|h| format!(" (mapped to {h:?})"))
                    .unwrap_or_default();
                FileError::at(1, format!("missing required column {field}{via}; the header has: {}", names.join(", ")))
            })?;
            positions.insert(field, at);
        }
        for &field in optional {
            if let Some(at) = find(field) {
                positions.insert(field, at);
            }
        }
        Ok(Self { positions, width: names.len() })
    }

    pub fn has(&self, field: &str) -> bool {
        self.positions.contains_key(field)
    }

    /// The field's text ("" when the column is absent), or a file error for bad UTF-8.
    pub fn get<'r>(&self, record: &'r csv::ByteRecord, field: &str, line: u64) -> Result<&'r str, FileError> {
        match self.positions.get(field).and_then(|&i| record.get(i)) {
            Some(bytes) => std::str::from_utf8(bytes).map(str::trim).map_err(|_| {
                FileError::at(line, "the file is not UTF-8 (an invalid byte in this line); save it as UTF-8")
            }),
            None => Ok(""),
        }
    }
}

/// Parses a date field, or says what was wrong with it.
/// Says which field is wrong and the format wanted, never the value (it may be anything).
pub fn date(text: &str, field: &str, format: DateFormat) -> Result<NaiveDate, String> {
    format.parse(text).ok_or_else(|| format!("{field} is not a date in {} format", format.name()))
}

pub fn optional_end(text: &str, field: &str, format: DateFormat) -> Result<Option<NaiveDate>, String> {
    if text.is_empty() {
        return Ok(None);
    }
    let d = date(text, field, format)?;
    Ok((!open_ended(d)).then_some(d))
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
