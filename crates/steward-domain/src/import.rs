use crate::{Email, Id, Slug, text_enum::text_enum};
use chrono::{DateTime, Utc};

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
    pub message: String,
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
    pub created_by: Option<Email>,
    pub created_at: DateTime<Utc>,
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
    pub created_by: Option<Email>,
}
