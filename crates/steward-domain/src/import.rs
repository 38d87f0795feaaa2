use crate::{Email, Id, Slug, text_enum::text_enum};
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

text_enum! {
    /// What a file holds (DOMAIN.md "Data that comes in").
    pub enum ImportKind ("import kind") {
        Eligibility = "eligibility",
        Memberships = "memberships",
        Visits = "visits",
        Surveys = "surveys",
        Csat = "csat",
    }
}

text_enum! {
    /// `applied`: the batch's accepted rows are in. `refused`: the file as a whole was
    /// rejected and nothing changed. `duplicate`: the same content was already applied.
    pub enum ImportStatus ("import status") {
        Applied = "applied",
        Refused = "refused",
        Duplicate = "duplicate",
    }
}

/// A problem with one row (CSV, NDJSON line) or segment (X12 834), by its number.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    pub line: u64,
    /// What went wrong as a stable word (docs/IMPORTS.md lists them); empty in batches
    /// recorded before codes existed.
    #[serde(default)]
    pub code: String,
    pub message: String,
}

/// What a batch knows beyond its counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ImportDetails {
    /// The standard and version the file declared ("005010X220A1", "FHIR R4").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard: Option<String>,
    /// How the 834's member ids were formed, by method, so a sender's habits show.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub member_ids: BTreeMap<String, u64>,
    /// Rows read that carry nothing for Steward, by what they were (FHIR resource types).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub ignored: BTreeMap<String, u64>,
    /// What did not stop the file but its sender should fix.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<RowError>,
    /// How many rows were rejected or warned about, by reason code — every one, where the
    /// errors and warnings keep the first hundred in full.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub by_reason: BTreeMap<String, u64>,
}

/// One import of one file: all or nothing, recorded whatever the outcome.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ImportBatch {
    pub id: Id,
    pub kind: ImportKind,
    pub format: String,
    pub file_name: String,
    /// BLAKE3 of the file's bytes, hex: the same content imported twice changes nothing.
    pub content_hash: String,
    pub account: Option<Slug>,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub rows_rejected: i64,
    pub status: ImportStatus,
    /// The first errors (the count is in `rows_rejected`).
    pub errors: Vec<RowError>,
    /// The options that change what the file means (as-of date, mapping, dependent REF,
    /// member-id system), as `name=value;…`: the same bytes with other options are another
    /// import.
    pub options: String,
    pub details: ImportDetails,
    pub created_by: Option<Email>,
    pub created_at: DateTime<Utc>,
}

impl ImportBatch {
    /// What the numbers of its errors count: segments of an X12 file, lines of the others.
    pub fn position_unit(&self) -> &'static str {
        if self.format == "x12-834" { "segment" } else { "line" }
    }
}

#[derive(Debug, Clone)]
pub struct NewImportBatch {
    pub kind: ImportKind,
    pub format: String,
    pub file_name: String,
    pub content_hash: String,
    pub account: Option<Slug>,
    pub rows_read: i64,
    pub rows_accepted: i64,
    pub rows_rejected: i64,
    pub status: ImportStatus,
    pub errors: Vec<RowError>,
    pub options: String,
    pub details: ImportDetails,
    pub created_by: Option<Email>,
}
