//! Which format a file is in, when the command does not say — and what a file looks like,
//! so one imported with the wrong `--format` is refused for that reason rather than parsed
//! as something it is not.

use crate::reason::{Reason, Seen};
use steward_domain::ImportKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    CensusCsv,
    X12_834,
    Csv,
    FhirNdjson,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::CensusCsv => "census-csv",
            Format::X12_834 => "x12-834",
            Format::Csv => "csv",
            Format::FhirNdjson => "fhir-ndjson",
        }
    }

    /// Whether a file of this format can hold `kind`.
    pub fn holds(self, kind: ImportKind) -> bool {
        matches!(
            (kind, self),
            (ImportKind::Eligibility, Format::CensusCsv | Format::X12_834)
                | (ImportKind::Memberships | ImportKind::Surveys, Format::Csv)
                | (ImportKind::Visits, Format::Csv | Format::FhirNdjson)
        )
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "census-csv" => Ok(Format::CensusCsv),
            "x12-834" => Ok(Format::X12_834),
            "csv" => Ok(Format::Csv),
            "fhir-ndjson" => Ok(Format::FhirNdjson),
            other => Err(format!("unknown format {other:?}; expected census-csv, x12-834, csv or fhir-ndjson")),
        }
    }
}

/// Segment ids an 834 starts its segments with, for telling X12 sent without its envelope.
const X12_SEGMENTS: &[&[u8]] =
    &[b"GS", b"ST", b"BGN", b"REF", b"DTP", b"QTY", b"N1", b"INS", b"NM1", b"HD", b"SE", b"GE", b"IEA"];

/// What the first bytes (decompressed) look like.
pub fn look(head: &[u8]) -> Seen {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).map_or(&head[head.len()..], |i| &head[i..]);
    if start.starts_with(b"ISA") && start.get(3).is_some_and(|b| !b.is_ascii_alphanumeric()) {
        return Seen::X12;
    }
    let segment = X12_SEGMENTS.iter().any(|id| {
        start.starts_with(id) && start.get(id.len()).is_some_and(|b| matches!(b, b'*' | b'|' | b'^' | b'!' | b'~'))
    });
    if segment {
        Seen::X12WithoutEnvelope
    } else if start.starts_with(b"[") {
        Seen::JsonDocument
    } else if start.starts_with(b"{") {
        Seen::Ndjson
    } else {
        Seen::Csv
    }
}

/// The format to parse with: the one given, unless the content plainly is something else
/// (then the refusal says what it looks like), else the one the content shows.
pub fn choose(given: Option<Format>, head: &[u8], kind: ImportKind) -> Result<Format, Reason> {
    let seen = look(head);
    let Some(given) = given else {
        return Ok(match seen {
            Seen::X12 | Seen::X12WithoutEnvelope => Format::X12_834,
            Seen::Ndjson | Seen::JsonDocument => Format::FhirNdjson,
            Seen::Csv if kind == ImportKind::Eligibility => Format::CensusCsv,
            Seen::Csv => Format::Csv,
        });
    };
    let contradicts = match given {
        Format::Csv | Format::CensusCsv => seen != Seen::Csv,
        Format::X12_834 => matches!(seen, Seen::Ndjson | Seen::JsonDocument),
        Format::FhirNdjson => matches!(seen, Seen::X12 | Seen::X12WithoutEnvelope),
    };
    if contradicts { Err(Reason::FormatMismatch { given, seen }) } else { Ok(given) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        let choose = |head: &[u8], kind| choose(None, head, kind).unwrap();
        assert_eq!(choose(b"\r\nISA*00*", ImportKind::Eligibility), Format::X12_834);
        assert_eq!(choose(b"ST*834*0001~BGN*00", ImportKind::Eligibility), Format::X12_834);
        assert_eq!(look(b"ST*834*0001~BGN*00"), Seen::X12WithoutEnvelope);
        assert_eq!(choose(b"{\"resourceType\":\"Patient\"}", ImportKind::Visits), Format::FhirNdjson);
        assert_eq!(choose(b"\xEF\xBB\xBFmember_id,relationship", ImportKind::Eligibility), Format::CensusCsv);
        assert_eq!(choose(b"account,visit_id", ImportKind::Visits), Format::Csv);
        assert_eq!(look(b"ISAAC,employee"), Seen::Csv, "a census starting with a name is still CSV");
        assert_eq!(look(b"STATE,INSURED"), Seen::Csv);
        assert!(!Format::FhirNdjson.holds(ImportKind::Eligibility));
    }

    #[test]
    fn a_given_format_the_content_contradicts_is_refused() {
        let ndjson = b"{\"resourceType\":\"Encounter\"}\n";
        assert_eq!(
            super::choose(Some(Format::Csv), ndjson, ImportKind::Visits),
            Err(Reason::FormatMismatch { given: Format::Csv, seen: Seen::Ndjson })
        );
        assert!(super::choose(Some(Format::CensusCsv), b"ISA*00*", ImportKind::Eligibility).is_err());
        assert!(super::choose(Some(Format::FhirNdjson), b"ISA*00*", ImportKind::Visits).is_err());
        assert_eq!(super::choose(Some(Format::X12_834), b"ISA*00*", ImportKind::Eligibility), Ok(Format::X12_834));
    }
}
