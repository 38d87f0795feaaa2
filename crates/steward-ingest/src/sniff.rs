//! Which format a file is in, when the command does not say.

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

/// Looks at the first bytes: an ISA segment is X12, a JSON object per line is NDJSON,
/// anything else is CSV (a census for eligibility).
pub fn sniff(head: &[u8], kind: ImportKind) -> Format {
    let head = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(head);
    let start = head.iter().position(|b| !b.is_ascii_whitespace()).map_or(head, |i| &head[i..]);
    if start.starts_with(b"ISA") {
        Format::X12_834
    } else if start.starts_with(b"{") {
        Format::FhirNdjson
    } else if kind == ImportKind::Eligibility {
        Format::CensusCsv
    } else {
        Format::Csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_by_content() {
        assert_eq!(sniff(b"\r\nISA*00*", ImportKind::Eligibility), Format::X12_834);
        assert_eq!(sniff(b"{\"resourceType\":\"Patient\"}", ImportKind::Visits), Format::FhirNdjson);
        assert_eq!(sniff(b"\xEF\xBB\xBFmember_id,relationship", ImportKind::Eligibility), Format::CensusCsv);
        assert_eq!(sniff(b"account,visit_id", ImportKind::Visits), Format::Csv);
        assert!(!Format::FhirNdjson.holds(ImportKind::Eligibility));
    }
}
