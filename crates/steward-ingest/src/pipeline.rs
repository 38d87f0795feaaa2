//! One file, one batch: hash it, refuse it if it was applied before, parse it streaming,
//! apply it to the ledgers of the accounts it names and refresh their metrics — all in one
//! store transaction, so an interrupted import leaves the database as it was.

use crate::census;
use crate::csv_input::ColumnMapping;
use crate::fhir;
use crate::metro_map;
use crate::pseudonym::Pseudonymizer;
use crate::records::{Eligibility, FullEligibility, Parsed};
use crate::report::{FileError, Tally};
use crate::sniff::{Format, sniff};
use crate::tables::{self, AccountScope};
use crate::x12::{self, X12Options};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::Read;
use std::path::Path;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use steward_domain::ledger::{EligibilityEvent, Ledger, PersonFacts, SurveyResponse, Visit};
use steward_domain::{
    Email, ImportBatch, ImportKind, ImportStatus, MemberKey, Metro, NewImportBatch, RowError, Slug, Span, metrics,
};
use steward_store::ledger_codec::{self, Part};
use steward_store::{ImportWork, LedgerUpdate, Store, StoreError};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub kind: ImportKind,
    pub format: Option<Format>,
    pub account: Option<Slug>,
    /// A saved column mapping of the account (census files).
    pub mapping: Option<String>,
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
            dependent_ref: X12Options::default().dependent_ref,
            member_id_system: fhir::DEFAULT_MEMBER_ID_SYSTEM.to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The file was refused as a whole; the refusal is recorded as a batch.
    #[error("{file} refused: {error}")]
    Refused { file: String, error: FileError, batch: Box<ImportBatch> },
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

enum Payload {
    Fhir(fhir::FhirVisits),
    Full(FullEligibility),
    Changes(Vec<(u64, EligibilityEvent)>),
    Memberships(Vec<(String, Vec<(MemberKey, Span)>)>),
    Visits(Vec<(String, Vec<Visit>)>),
    Surveys(Vec<(String, Vec<SurveyResponse>)>),
}

/// Imports the file at `path` as one batch; `progress` hears how many bytes and lines
/// were read so far.
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
    let mut head = Vec::with_capacity(4096);
    std::fs::File::open(path).map_err(io)?.take(4096).read_to_end(&mut head).map_err(io)?;
    let format = options.format.unwrap_or_else(|| sniff(&head, options.kind));
    let batch = |status: ImportStatus, tally: &Tally, errors: Vec<RowError>| NewImportBatch {
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
        created_by: options.created_by.clone(),
    };
    if store.applied_import(options.kind, options.account.as_ref(), &content_hash)?.is_some() {
        let recorded = store.record_import(&batch(ImportStatus::Duplicate, &Tally::default(), Vec::new()))?;
        return Ok(ImportOutcome { batch: recorded, duplicate: true });
    }
    let refuse = |error: FileError| -> ImportError {
        let errors = vec![RowError { line: error.line.unwrap_or(0), message: error.message.clone() }];
        match store.record_import(&batch(ImportStatus::Refused, &Tally::default(), errors)) {
            Ok(recorded) => ImportError::Refused { file: file_name.clone(), error, batch: Box::new(recorded) },
            Err(e) => ImportError::Store(e),
        }
    };
    let mut attempts = 0;
    loop {
        attempts += 1;
        let reader = Progress {
            inner: std::fs::File::open(path).map_err(io)?,
            read: 0,
            lines: 0,
            reported: 0,
            report: progress,
        };
        let (payload, tally) = match parse(store, keys, reader, format, options) {
            Ok(parsed) => parsed,
            Err(ParseFailure::File(e)) => return Err(refuse(e)),
            Err(ParseFailure::Store(e)) => return Err(e.into()),
        };
        let (committed, refusal) = commit(store, options, payload, tally, |tally: &Tally| {
            batch(ImportStatus::Applied, tally, tally.errors.clone())
        });
        match (committed, refusal) {
            (Ok(recorded), _) => return Ok(ImportOutcome { batch: recorded, duplicate: false }),
            (Err(_), Some(refusal)) => return Err(refuse(refusal)),
            // Another process applied the same content while this one worked.
            (Err(StoreError::Duplicate(_)), None) => {
                let recorded = store.record_import(&batch(ImportStatus::Duplicate, &Tally::default(), Vec::new()))?;
                return Ok(ImportOutcome { batch: recorded, duplicate: true });
            }
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

fn parse<R: Read>(
    store: &dyn Store,
    keys: &Pseudonymizer,
    reader: R,
    format: Format,
    options: &ImportOptions,
) -> Result<(Payload, Tally), ParseFailure> {
    if !format.holds(options.kind) {
        return Err(FileError::new(format!("a {} file cannot hold {}", format.as_str(), options.kind)).into());
    }
    let single = || -> Result<&Slug, ParseFailure> {
        options.account.as_ref().ok_or_else(|| {
            FileError::new(format!("a {} file does not name its account: give it with --account SLUG", format.as_str()))
                .into()
        })
    };
    // Only files naming accounts row by row need the list of accounts.
    let known: HashSet<String> = if format == Format::Csv {
        store.accounts().map_err(ParseFailure::Store)?.into_iter().map(|a| a.slug.to_string()).collect()
    } else {
        HashSet::new()
    };
    let is_known = |slug: &str| known.contains(slug);
    let is_known: &(dyn Fn(&str) -> bool + Sync) = &is_known;
    let scope = AccountScope { only: options.account.as_ref().map(Slug::as_str), known: is_known };
    if options.mapping.is_some() && format != Format::CensusCsv {
        return Err(FileError::new("column mappings apply to census CSV files only").into());
    }
    Ok(match format {
        Format::CensusCsv => {
            let account = single()?;
            let mapping = match &options.mapping {
                None => None,
                Some(name) => {
                    let json = store.column_mapping(account, name).map_err(ParseFailure::Store)?.ok_or_else(|| {
                        FileError::new(format!(
                            "{account} has no column mapping named {name:?}; save one with `steward mappings set`"
                        ))
                    })?;
                    Some(
                        serde_json::from_str::<ColumnMapping>(&json)
                            .map_err(|e| FileError::new(format!("column mapping {name:?} is unreadable: {e}")))?,
                    )
                }
            };
            let as_of = options.as_of.unwrap_or(options.today);
            let Parsed { data, tally } = census::parse(reader, account.as_str(), as_of, mapping.as_ref(), keys)?;
            (Payload::Full(data), tally)
        }
        Format::X12_834 => {
            let account = single()?;
            let x = X12Options { dependent_ref: options.dependent_ref.clone(), as_of: options.as_of };
            let Parsed { data, tally } = x12::parse(reader, account.as_str(), &x, keys)?;
            match data {
                Eligibility::Full(f) => (Payload::Full(f), tally),
                Eligibility::Changes(c) => (Payload::Changes(c), tally),
            }
        }
        Format::FhirNdjson => {
            let account = single()?;
            let Parsed { data, tally } = fhir::parse(reader, account.as_str(), &options.member_id_system, keys)?;
            (Payload::Fhir(data), tally)
        }
        Format::Csv => match options.kind {
            ImportKind::Memberships => {
                let Parsed { data, tally } = tables::memberships(reader, scope, keys)?;
                (Payload::Memberships(data.into_groups()), tally)
            }
            ImportKind::Visits => {
                let Parsed { data, tally } = tables::visits(reader, scope, keys)?;
                (Payload::Visits(data.into_groups()), tally)
            }
            ImportKind::Surveys => {
                let Parsed { data, tally } = tables::surveys(reader, scope, keys)?;
                (Payload::Surveys(data.into_groups()), tally)
            }
            other => return Err(FileError::new(format!("a CSV import of {other} is not supported")).into()),
        },
    })
}

/// One account's share of the file.
enum Task {
    Fhir(fhir::FhirVisits),
    Full(FullEligibility),
    Changes(Vec<(u64, EligibilityEvent)>),
    Memberships(Vec<(MemberKey, Span)>),
    Visits(Vec<Visit>),
    Surveys(Vec<SurveyResponse>),
}

/// How many accounts are worked on at once (in parallel) ahead of the writer.
const CHUNK: usize = 32;

type Outcome = Result<Result<Applied, FileError>, StoreError>;

fn tasks_of(payload: Payload, options: &ImportOptions) -> VecDeque<(Slug, Task)> {
    let single = |task| options.account.clone().map(|a| (a, task)).into_iter().collect();
    let many = |groups: Vec<(String, Task)>| {
        groups.into_iter().filter_map(|(slug, task)| Slug::parse(&slug).ok().map(|s| (s, task))).collect()
    };
    match payload {
        Payload::Fhir(f) => single(Task::Fhir(f)),
        Payload::Full(f) => single(Task::Full(f)),
        Payload::Changes(c) => single(Task::Changes(c)),
        Payload::Memberships(g) => many(g.into_iter().map(|(s, r)| (s, Task::Memberships(r))).collect()),
        Payload::Visits(g) => many(g.into_iter().map(|(s, r)| (s, Task::Visits(r))).collect()),
        Payload::Surveys(g) => many(g.into_iter().map(|(s, r)| (s, Task::Surveys(r))).collect()),
    }
}

/// Works out accounts a chunk at a time, in parallel, and hands each result to the writer
/// in order; stops as soon as the writer stops listening or a result is an error.
fn produce(store: &dyn Store, options: &ImportOptions, mut tasks: VecDeque<(Slug, Task)>, out: &SyncSender<Outcome>) {
    while !tasks.is_empty() {
        let n = CHUNK.min(tasks.len());
        let chunk: Vec<(Slug, Task)> = tasks.drain(..n).collect();
        let results: Vec<Outcome> =
            chunk.into_par_iter().map(|(account, task)| apply(store, options, account, task)).collect();
        for result in results {
            let failed = !matches!(result, Ok(Ok(_)));
            if out.send(result).is_err() || failed {
                return;
            }
        }
    }
}

/// The writer's side: takes each account's update as it is ready.
struct Work<B: Fn(&Tally) -> NewImportBatch> {
    results: Receiver<Outcome>,
    tally: Tally,
    batch: B,
    refusal: Option<FileError>,
}

impl<B: Fn(&Tally) -> NewImportBatch> ImportWork for Work<B> {
    fn next_update(&mut self) -> Result<Option<LedgerUpdate>, StoreError> {
        match self.results.recv() {
            // Every sender is gone: every account is done.
            Err(_) => Ok(None),
            Ok(Err(e)) => Err(e),
            Ok(Ok(Err(refusal))) => {
                self.refusal = Some(refusal);
                Err(StoreError::Invalid("the file was refused".into()))
            }
            Ok(Ok(Ok(applied))) => {
                for (line, message) in applied.rejected {
                    self.tally.retract(line, message);
                }
                Ok(Some(applied.update))
            }
        }
    }

    fn batch(&self) -> NewImportBatch {
        (self.batch)(&self.tally)
    }
}

/// Applies the parsed file in one store transaction. A file for one account is worked out
/// before the transaction opens, so imports running side by side queue only to write; a
/// file for many streams its accounts to the writer from a producer thread.
fn commit(
    store: &dyn Store,
    options: &ImportOptions,
    payload: Payload,
    tally: Tally,
    batch: impl Fn(&Tally) -> NewImportBatch,
) -> (Result<ImportBatch, StoreError>, Option<FileError>) {
    let mut tasks = tasks_of(payload, options);
    let (tx, rx) = sync_channel::<Outcome>(CHUNK * 2);
    std::thread::scope(|scope| {
        if tasks.len() <= 1 {
            if let Some((account, task)) = tasks.pop_front() {
                // The channel holds CHUNK * 2, so this send never blocks.
                let _ = tx.send(apply(store, options, account, task));
            }
            drop(tx);
        } else {
            scope.spawn(move || produce(store, options, tasks, &tx));
        }
        let mut work = Work { results: rx, tally, batch, refusal: None };
        let committed = store.commit_import(&mut work);
        (committed, work.refusal.take())
    })
}

struct Applied {
    update: LedgerUpdate,
    rejected: Vec<(u64, String)>,
}

fn resolve_metros<'f>(
    store: &dyn Store,
    account: &Slug,
    facts: impl Iterator<Item = &'f mut PersonFacts>,
) -> Result<(), StoreError> {
    let sites: HashMap<String, Metro> =
        store.worksites(account)?.into_iter().map(|w| (w.name.to_ascii_lowercase(), w.metro)).collect();
    for f in facts {
        let by_site = f.worksite.as_ref().and_then(|w| sites.get(&w.to_ascii_lowercase()).copied());
        f.metro = Some(by_site.or_else(|| f.zip3.and_then(metro_map::from_zip3)).unwrap_or(Metro::Other));
    }
    Ok(())
}

fn apply(
    store: &dyn Store,
    options: &ImportOptions,
    account: Slug,
    task: Task,
) -> Result<Result<Applied, FileError>, StoreError> {
    let stored = store.ledger(&account)?;
    let expected_version = stored.as_ref().map(|s| s.version);
    let mut ledger = stored.map(|s| s.ledger).unwrap_or_else(Ledger::default);
    let mut rejected = Vec::new();
    let part = match &task {
        Task::Full(_) | Task::Changes(_) | Task::Memberships(_) => Part::People,
        Task::Visits(_) | Task::Fhir(_) => Part::Visits,
        Task::Surveys(_) => Part::Surveys,
    };
    match task {
        Task::Full(mut file) => {
            resolve_metros(store, &account, file.people.iter_mut().map(|(_, f, _)| f))?;
            let effect = ledger.full_file_effect(file.as_of, &file.people, &file.untouched);
            if effect.terminated_share() > options.max_termination_share && !options.force {
                return Ok(Err(FileError::new(format!(
                    "this full file would terminate {} of the account's {} eligible lives ({:.0}%), more than the {:.0}% allowed; \
                     check that it is complete, or import it with --force",
                    effect.terminated,
                    effect.eligible_before,
                    100.0 * effect.terminated_share(),
                    100.0 * options.max_termination_share
                ))));
            }
            ledger.apply_full_file(file.as_of, file.people, &file.untouched);
            ledger.prune();
        }
        Task::Changes(mut events) => {
            resolve_metros(
                store,
                &account,
                events.iter_mut().filter_map(|(_, e)| match e {
                    EligibilityEvent::Addition { facts, .. }
                    | EligibilityEvent::Reinstatement { facts, .. }
                    | EligibilityEvent::Change { facts, .. }
                    | EligibilityEvent::Audit { facts, .. } => Some(facts),
                    EligibilityEvent::Termination { .. } => None,
                }),
            )?;
            for (line, event) in events {
                if let Err(message) = ledger.apply_event(event) {
                    rejected.push((line, message));
                }
            }
        }
        Task::Memberships(rows) => ledger.replace_memberships(rows),
        Task::Visits(rows) => ledger.upsert_visits(rows),
        Task::Fhir(file) => {
            let (visits, unresolved) = file.resolve(&mut ledger, &options.member_id_system);
            ledger.upsert_visits(visits);
            rejected.extend(unresolved);
        }
        Task::Surveys(rows) => ledger.upsert_surveys(rows),
    }
    let metrics = metrics::compute(&ledger, |_| None);
    let update = LedgerUpdate {
        account,
        expected_version,
        parts: vec![(part, ledger_codec::encode(&ledger, part))],
        people: ledger.people.len() as i64,
        visits: ledger.visits.len() as i64,
        survey_responses: ledger.surveys.len() as i64,
        metrics,
    };
    Ok(Ok(Applied { update, rejected }))
}
