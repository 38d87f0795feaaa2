//! A review as generated and kept for a client: one version of one account's quarter, with
//! the inputs it was made from, and — once published — who published it and when.

use super::Quarter;
use crate::{Email, Id, Slug};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StoredReport {
    pub id: Id,
    pub account: Slug,
    pub quarter: Quarter,
    /// 1 for the quarter's first; a new one each time regenerating changes its files.
    pub version: i64,
    /// The member ledger's version and the date the data were as of, when it was made.
    pub ledger_version: Option<i64>,
    pub data_as_of: Option<NaiveDate>,
    /// BLAKE3 of the PDF and then the CSV (none in a client's listing).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub digest: String,
    pub generated_by: Option<Email>,
    pub generated_at: DateTime<Utc>,
    pub published_by: Option<Email>,
    pub published_at: Option<DateTime<Utc>>,
}

impl StoredReport {
    pub fn published(&self) -> bool {
        self.published_at.is_some()
    }

    /// What a client is shown of it: which review, its version and data date, and when it
    /// was published — not who made it, from which ledger, nor its digest.
    pub fn for_client(self) -> Self {
        Self { ledger_version: None, digest: String::new(), generated_by: None, ..self }
    }
}

/// A review to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewReport {
    pub account: Slug,
    pub quarter: Quarter,
    pub ledger_version: Option<i64>,
    pub data_as_of: Option<NaiveDate>,
    pub pdf: Vec<u8>,
    pub csv: String,
    pub generated_by: Option<Email>,
}

/// A kept review's files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportFile {
    Pdf,
    Csv,
}
