//! How a file went: rows read, accepted, rejected and ignored (with the first reasons by
//! line or segment number), warnings for its sender, how its member ids were formed — or
//! why the whole file was refused. Every text here comes from [`Reason`].

use crate::reason::{IdMethod, Reason, Unit};
use std::collections::BTreeMap;
use steward_domain::{ImportDetails, RowError};

/// How many rejected rows (and warnings) a batch keeps the reasons of.
pub const KEPT_ERRORS: usize = 100;

/// A problem that refuses the whole file; nothing of it is applied.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}{reason}", line.map(|l| format!("{} {l}: ", unit.as_str())).unwrap_or_default())]
pub struct FileError {
    /// The line (CSV, NDJSON) or segment (X12) it was found at, when there is one.
    pub line: Option<u64>,
    pub unit: Unit,
    pub reason: Reason,
}

impl FileError {
    pub fn new(reason: Reason) -> Self {
        Self { line: None, unit: Unit::Line, reason }
    }

    pub fn at(line: u64, reason: Reason) -> Self {
        Self { line: Some(line), unit: Unit::Line, reason }
    }

    pub fn segment(number: u64, reason: Reason) -> Self {
        Self { line: Some(number), unit: Unit::Segment, reason }
    }

    /// The refusal as the batch keeps it.
    pub fn row_error(&self) -> RowError {
        row_error(self.line.unwrap_or(0), &self.reason)
    }
}

impl From<Reason> for FileError {
    fn from(reason: Reason) -> Self {
        FileError::new(reason)
    }
}

/// The one way a reason becomes stored text.
pub fn row_error(line: u64, reason: &Reason) -> RowError {
    RowError { line, code: reason.code().as_str().to_owned(), message: reason.to_string() }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tally {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub errors: Vec<RowError>,
    /// Rows read that carry nothing for Steward, by what they were (FHIR resource types).
    pub ignored: BTreeMap<&'static str, u64>,
    pub warnings: Vec<RowError>,
    /// How many member ids each method formed (X12).
    pub member_ids: BTreeMap<IdMethod, u64>,
    /// The standard and version the file declared.
    pub standard: Option<&'static str>,
    /// Every rejection and warning counted by its reason, beyond the ones kept in full.
    pub by_reason: BTreeMap<crate::reason::ReasonCode, u64>,
}

impl Tally {
    pub fn accept(&mut self) {
        self.read += 1;
        self.accepted += 1;
    }

    pub fn reject(&mut self, line: u64, reason: Reason) {
        self.read += 1;
        self.rejected += 1;
        *self.by_reason.entry(reason.code()).or_default() += 1;
        if self.errors.len() < KEPT_ERRORS {
            self.errors.push(row_error(line, &reason));
        }
    }

    /// A row read but not for Steward (a FHIR Location, say).
    pub fn ignore(&mut self, what: &'static str) {
        self.read += 1;
        *self.ignored.entry(what).or_default() += 1;
    }

    /// Something the sender should fix that did not stop the file.
    pub fn warn(&mut self, line: u64, reason: Reason) {
        *self.by_reason.entry(reason.code()).or_default() += 1;
        if self.warnings.len() < KEPT_ERRORS {
            self.warnings.push(row_error(line, &reason));
        }
    }

    /// Moves an accepted row to rejected (a later check found it wrong).
    pub fn retract(&mut self, line: u64, reason: Reason) {
        self.accepted -= 1;
        self.read -= 1;
        self.reject(line, reason);
    }

    pub fn ignored_total(&self) -> u64 {
        self.ignored.values().sum()
    }

    /// Rows were read and none of them could be used.
    pub fn nothing_accepted(&self) -> bool {
        self.rejected > 0 && self.accepted == 0
    }

    /// What the batch keeps beside its counts.
    pub fn details(&self) -> ImportDetails {
        ImportDetails {
            standard: self.standard.map(str::to_owned),
            member_ids: self.member_ids.iter().map(|(m, n)| (m.as_str().to_owned(), *n)).collect(),
            ignored: self.ignored.iter().map(|(t, n)| ((*t).to_owned(), *n)).collect(),
            warnings: self.warnings.clone(),
            by_reason: self.by_reason.iter().map(|(c, n)| (c.as_str().to_owned(), *n)).collect(),
        }
    }
}
