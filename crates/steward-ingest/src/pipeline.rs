//! One file, one batch: hash it, tell its format, refuse it if it was applied before with
//! the same options, parse it streaming, and hand each account's share to [`crate::apply`],
//! which applies it in one store transaction — so an interrupted import leaves the
//! database as it was. Every refusal is recorded as a batch with its reason.

use crate::apply::{Task, commit};
use crate::csv_input::Mapping;
use crate::input::{decompressed, read_error};
use crate::pseudonym::Pseudonymizer;
use crate::reason::{MappingName, Reason};
use crate::records::{Eligibility, Parsed};
use crate::report::{FileError, KEPT_ERRORS, Tally};
use crate::sniff::{Format, choose};
use crate::tables::{self, AccountScope};
use crate::x12::{self, X12Options};
use crate::{census, fhir};
use chrono::NaiveDate;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;
use steward_domain::{Email, ImportBatch, ImportKind, ImportStatus, NewImportBatch, Slug};
use steward_store::{Store, StoreError};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: ImportKind,
    pub format: Option<Format>,
    pub account: Option<Slug>,
    /// A saved mapping of the account (census columns, FHIR encounter classes).
    pub mapping: Option<MappingName>,
    /// Apply a full file even if it terminates more than `max_termination_share`.
    pub force: bool,
    /// The date a full file states eligibility as of (default: the 834's date, else today).
    pub as_of: Option<NaiveDate>,
    pub today: NaiveDate,
    pub created_by: Option<Email>,
    pub max_termination_share: f64,
    pub dependent_ref: String,
    pub member_id_system: String,
}

impl ImportOptions {
    pub fn new(kind: ImportKind, today: NaiveDate) -> Self {
        Self {
            kind,
            format: None,
            account: None,
            mapping: None,
            force: false,
            as_of: None,
            today,
            created_by: None,
            max_termination_share: 0.20,
            dependent_ref: x12::DEFAULT_DEPENDENT_REF.to_owned(),
            member_id_system: fhir::DEFAULT_MEMBER_ID_SYSTEM.to_owned(),
        }
    }

    /// The options that change what a file of `format` means, as `name=value;…` (empty
    /// when none applies): the same bytes imported with others are another import. A
    /// census states eligibility as of its import day unless told otherwise, so that day
    /// is part of it; a mapping is named with a digest of what it held, so a mapping saved
    /// anew reads the file anew; options left at their defaults are left out, so batches
    /// recorded before options were keep matching. Every value is validated at the door
    /// (a date, a mapping name, an X12 code, a URI), so none holds `;` or `=`.
    pub fn meaning(&self, format: Format, mapping_json: Option<&str>) -> String {
        let mut parts = Vec::new();
        match format {
            Format::CensusCsv => parts.push(format!("as_of={}", self.as_of.unwrap_or(self.today))),
            Format::X12_834 => parts.extend(self.as_of.map(|d| format!("as_of={d}"))),
            _ => {}
        }
        if let (Some(name), Some(json), Format::CensusCsv | Format::FhirNdjson) = (&self.mapping, mapping_json, format)
        {
            parts.push(format!("mapping={name}@{}", &blake3::hash(json.as_bytes()).to_hex()[..12]));
        }
        if format == Format::X12_834 && self.dependent_ref != x12::DEFAULT_DEPENDENT_REF {
            parts.push(format!("dependent_ref={}", self.dependent_ref));
        }
        if format == Format::FhirNdjson && self.member_id_system != fhir::DEFAULT_MEMBER_ID_SYSTEM {
            parts.push(format!("member_id_system={}", self.member_id_system));
        }
        parts.join(";")
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file was refused as a whole; the refusal is recorded as a batch.
    #[error("{file} refused: {error}")]
    Refused { file: String, error: Box<FileError>, batch: Box<ImportBatch> },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Io(String),
}

#[derive(Debug, Clone)]
pub struct ImportOutcome {
    pub batch: ImportBatch,
    /// The same content was applied before; nothing changed.
    pub duplicate: bool,
}

/// Counts bytes and lines as they are read, for the progress bar.
struct Progress<'a, R> {
    inner: R,
    read: u64,
    lines: u64,
    reported: u64,
    report: &'a (dyn Fn(u64, u64) + Sync),
}

impl<R: Read> Read for Progress<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        self.lines += buf[..n].iter().filter(|b| **b == b'\n').count() as u64;
        if self.read - self.reported >= 1 << 20 || n == 0 {
            (self.report)(self.read, self.lines);
            self.reported = self.read;
        }
        Ok(n)
    }
}

/// The file's first bytes, decompressed, for telling its format.
fn head(path: &Path) -> std::io::Result<Vec<u8>> {
    let (reader, _) = decompressed(std::fs::File::open(path)?)?;
    let mut head = Vec::with_capacity(4096);
    reader.take(4096).read_to_end(&mut head)?;
    Ok(head)
}

/// Imports the file at `path` as one batch; `progress` hears how many bytes (of the file
/// as stored) and lines were read so far.
pub fn import_file(
    store: &dyn Store,
    keys: &Pseudonymizer,
    path: &Path,
    options: &ImportOptions,
    progress: &(dyn Fn(u64, u64) + Sync),
) -> Result<ImportOutcome, ImportError> {
    let file_name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
    let io = |e: std::io::Error| ImportError::Io(format!("cannot read {}: {e}", path.display()));
    let mut hasher = blake3::Hasher::new();
    hasher.update_reader(std::fs::File::open(path).map_err(io)?).map_err(io)?;
    let content_hash = hasher.finalize().to_hex().to_string();
    if let Some(account) = &options.account {
        store.account(account)?;
    }
    let chosen = head(path)
        .map_err(|e| FileError::new(read_error(&e)))
        .and_then(|head| choose(options.format, &head, options.kind).map_err(FileError::new));
    let format = chosen.as_ref().map_or(options.format.unwrap_or(Format::Csv), |f| *f);
    // The saved mapping is read once: its content is part of what the import is.
    let mapping_json = match (&options.mapping, &options.account) {
        (Some(name), Some(account)) => store.column_mapping(account, name.as_str())?,
        _ => None,
    };
    let meaning = options.meaning(format, mapping_json.as_deref());
    let batch = |status: ImportStatus, tally: &Tally, errors| NewImportBatch {
        kind: options.kind,
        format: format.as_str().to_owned(),
        file_name: file_name.clone(),
        content_hash: content_hash.clone(),
        account: options.account.clone(),
        rows_read: tally.read as i64,
        rows_accepted: tally.accepted as i64,
        rows_rejected: tally.rejected as i64,
        status,
        errors,
        options: meaning.clone(),
        details: tally.details(),
        created_by: options.created_by.clone(),
    };
    // The refusal first, then the rows' own reasons (when every row was rejected, they say why).
    let refuse = |error: FileError, tally: &Tally| -> ImportError {
        let errors = std::iter::once(error.row_error()).chain(tally.errors.iter().cloned()).take(KEPT_ERRORS).collect();
        match store.record_import(&batch(ImportStatus::Refused, tally, errors)) {
            Ok(recorded) => {
                ImportError::Refused { file: file_name.clone(), error: Box::new(error), batch: Box::new(recorded) }
            }
            Err(e) => ImportError::Store(e),
        }
    };
    if let Err(error) = chosen {
        return Err(refuse(error, &Tally::default()));
    }
    let duplicate = || -> Result<ImportOutcome, ImportError> {
        let recorded = store.record_import(&batch(ImportStatus::Duplicate, &Tally::default(), Vec::new()))?;
        Ok(ImportOutcome { batch: recorded, duplicate: true })
    };
    if store.applied_import(options.kind, options.account.as_ref(), &content_hash, &meaning)?.is_some() {
        return duplicate();
    }
    let mut attempts = 0;
    loop {
        attempts += 1;
        let raw = Progress {
            inner: std::fs::File::open(path).map_err(io)?,
            read: 0,
            lines: 0,
            reported: 0,
            report: progress,
        };
        let (reader, _) = decompressed(raw).map_err(io)?;
        let (tasks, tally) = match parse(store, keys, reader, format, options, mapping_json.as_deref()) {
            Ok(parsed) => parsed,
            Err(ParseFailure::File(e)) => return Err(refuse(e, &Tally::default())),
            Err(ParseFailure::Store(e)) => return Err(e.into()),
        };
        let (committed, refusal) = commit(store, options, tasks, tally, |tally: &Tally| {
            batch(ImportStatus::Applied, tally, tally.errors.clone())
        });
        match (committed, refusal) {
            (Ok(recorded), _) => return Ok(ImportOutcome { batch: recorded, duplicate: false }),
            (Err(_), Some((error, tally))) => return Err(refuse(error, &tally)),
            // Another process applied the same content while this one worked.
            (Err(StoreError::Duplicate(_)), None) => return duplicate(),
            // Another import changed one of these accounts meanwhile: start again from it.
            (Err(StoreError::Conflict { .. }), None) if attempts < 3 => continue,
            (Err(e), None) => return Err(e.into()),
        }
    }
}

enum ParseFailure {
    File(FileError),
    Store(StoreError),
}

impl From<FileError> for ParseFailure {
    fn from(e: FileError) -> Self {
        ParseFailure::File(e)
    }
}

impl From<Reason> for ParseFailure {
    fn from(reason: Reason) -> Self {
        ParseFailure::File(FileError::new(reason))
    }
}

/// The saved mapping the options name, read from its stored `json`, if any.
fn mapping(account: &Slug, options: &ImportOptions, json: Option<&str>) -> Result<Option<Mapping>, Reason> {
    let Some(name) = &options.mapping else { return Ok(None) };
    let json = json.ok_or_else(|| Reason::UnknownMapping { account: account.clone(), name: name.clone() })?;
    let mapping =
        serde_json::from_str::<Mapping>(json).map_err(|_| Reason::UnreadableMapping { name: name.clone() })?;
    Ok(Some(mapping))
}

/// Parses the file into each account's share of it.
fn parse<R: Read>(
    store: &dyn Store,
    keys: &Pseudonymizer,
    reader: R,
    format: Format,
    options: &ImportOptions,
    mapping_json: Option<&str>,
) -> Result<(Vec<(Slug, Task)>, Tally), ParseFailure> {
    if !format.holds(options.kind) {
        return Err(Reason::FormatCannotHoldKind { format, kind: options.kind }.into());
    }
    if options.mapping.is_some() && !matches!(format, Format::CensusCsv | Format::FhirNdjson) {
        return Err(Reason::MappingNotForFormat { format }.into());
    }
    let single = || -> Result<&Slug, ParseFailure> {
        options.account.as_ref().ok_or_else(|| Reason::AccountMissing { format }.into())
    };
    let one = |task: Task| -> Result<Vec<(Slug, Task)>, ParseFailure> { Ok(vec![(single()?.clone(), task)]) };
    Ok(match format {
        Format::CensusCsv => {
            let account = single()?;
            let mapping = mapping(account, options, mapping_json)?;
            let named = options.mapping.as_ref().zip(mapping.as_ref());
            let as_of = options.as_of.unwrap_or(options.today);
            let Parsed { data, tally } = census::parse(reader, account.as_str(), as_of, named, keys)?;
            (one(Task::Full(data))?, tally)
        }
        Format::X12_834 => {
            let account = single()?;
            let x =
                X12Options { dependent_ref: options.dependent_ref.clone(), as_of: options.as_of, today: options.today };
            let Parsed { data, tally } = x12::parse(reader, account.as_str(), &x, keys)?;
            match data {
                Eligibility::Full(f) => (one(Task::Full(f))?, tally),
                Eligibility::Changes(c) => (one(Task::Changes(c))?, tally),
            }
        }
        Format::FhirNdjson => {
            let account = single()?;
            let mapping = mapping(account, options, mapping_json)?;
            let fhir_options = fhir::FhirOptions {
                member_id_system: &options.member_id_system,
                mapping: mapping.as_ref(),
                today: options.today,
            };
            let Parsed { data, tally } = fhir::parse(reader, account.as_str(), fhir_options, keys)?;
            (one(Task::Fhir(data))?, tally)
        }
        Format::Csv => {
            // Only files naming accounts row by row need the list of accounts.
            let known: HashSet<String> =
                store.accounts().map_err(ParseFailure::Store)?.into_iter().map(|a| a.slug.to_string()).collect();
            let is_known = |slug: &str| known.contains(slug);
            let scope = AccountScope { only: options.account.as_ref().map(Slug::as_str), known: &is_known };
            let groups = |groups: Vec<(String, Task)>| -> Vec<(Slug, Task)> {
                groups.into_iter().filter_map(|(slug, task)| Slug::parse(&slug).ok().map(|s| (s, task))).collect()
            };
            match options.kind {
                ImportKind::Memberships => {
                    let Parsed { data, tally } = tables::memberships(reader, scope, keys)?;
                    (groups(data.into_groups().into_iter().map(|(s, r)| (s, Task::Memberships(r))).collect()), tally)
                }
                ImportKind::Visits => {
                    let Parsed { data, tally } = tables::visits(reader, scope, keys, options.today)?;
                    (groups(data.into_groups().into_iter().map(|(s, r)| (s, Task::Visits(r))).collect()), tally)
                }
                ImportKind::Surveys => {
                    let Parsed { data, tally } = tables::surveys(reader, scope, keys, options.today)?;
                    (groups(data.into_groups().into_iter().map(|(s, r)| (s, Task::Surveys(r))).collect()), tally)
                }
                kind => return Err(Reason::FormatCannotHoldKind { format, kind }.into()),
            }
        }
    })
}
