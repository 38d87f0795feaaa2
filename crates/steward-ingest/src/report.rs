//! How a file went: rows read, accepted and rejected (with the first reasons by line or
//! segment number), or why the whole file was refused.

use steward_domain::RowError;

/// How many rejected rows a batch keeps the reasons of.
pub const KEPT_ERRORS: usize = 100;

/// A problem that refuses the whole file; nothing of it is applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}{message}", line.map(|l| format!("{unit} {l}: ")).unwrap_or_default())]
pub struct FileError {
    /// The line (CSV, NDJSON) or segment (X12) it was found at, when there is one.
    pub line: Option<u64>,
    /// "line" or "segment".
    pub unit: &'static str,
    pub message: String,
}

impl FileError {
    pub fn new(message: impl Into<String>) -> Self {
        Self { line: None, unit: "line", message: message.into() }
    }

    pub fn at(line: u64, message: impl Into<String>) -> Self {
        Self { line: Some(line), unit: "line", message: message.into() }
    }

    pub fn segment(number: u64, message: impl Into<String>) -> Self {
        Self { line: Some(number), unit: "segment", message: message.into() }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tally {
    pub read: u64,
    pub accepted: u64,
    pub rejected: u64,
    pub errors: Vec<RowError>,
}

impl Tally {
    pub fn accept(&mut self) {
        self.read += 1;
        self.accepted += 1;
    }

    pub fn reject(&mut self, line: u64, message: impl Into<String>) {
        self.read += 1;
        self.rejected += 1;
        if self.errors.len() < KEPT_ERRORS {
            self.errors.push(RowError { line, message: message.into() });
        }
    }

    /// A row read and counted but carrying nothing to apply (e.g. a Patient line).
    pub fn skip(&mut self) {
        self.read += 1;
        self.accepted += 1;
    }

    /// Moves an accepted row to rejected (a later check found it wrong).
    pub fn retract(&mut self, line: u64, message: impl Into<String>) {
        self.accepted -= 1;
        self.read -= 1;
        self.reject(line, message);
    }
}
