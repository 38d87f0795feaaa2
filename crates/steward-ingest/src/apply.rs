//! Applying a parsed file: each account's share is worked out against its ledger (in
//! parallel, a chunk of accounts at a time) and streamed to the store's one write
//! transaction with the recomputed metrics. Rows the ledger refuses become rejections; a
//! file none of whose rows could be applied is refused, so it never counts as imported.

use crate::ImportOptions;
use crate::fhir;
use crate::metro_map;
use crate::reason::Reason;
use crate::records::{ChangeEvents, FullEligibility, IdCheck};
use crate::report::{FileError, Tally};
use crate::x12::identity::held_by_another;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use steward_domain::ledger::{EligibilityEvent, EventRefusal, Ledger, PersonFacts, SurveyResponse, Visit};
use steward_domain::{ImportBatch, MemberKey, Metro, NewImportBatch, Slug, Span, metrics};
use steward_store::ledger_codec::{self, Part};
use steward_store::{ImportWork, LedgerUpdate, Store, StoreError};

/// One account's share of the file.
pub enum Task {
    Fhir(fhir::FhirVisits),
    Full(FullEligibility),
    Changes(ChangeEvents),
    Memberships(Vec<(MemberKey, Span)>),
    Visits(Vec<Visit>),
    Surveys(Vec<SurveyResponse>),
}

/// How many accounts are worked on at once (in parallel) ahead of the writer.
const CHUNK: usize = 32;

type Outcome = Result<Result<Applied, FileError>, StoreError>;

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

impl<B: Fn(&Tally) -> NewImportBatch> Work<B> {
    fn refuse(&mut self, error: FileError) -> StoreError {
        self.refusal = Some(error);
        StoreError::Invalid("the file was refused".into())
    }
}

impl<B: Fn(&Tally) -> NewImportBatch> ImportWork for Work<B> {
    fn next_update(&mut self) -> Result<Option<LedgerUpdate>, StoreError> {
        match self.results.recv() {
            // Every sender is gone: every account is done.
            Err(_) if self.tally.nothing_accepted() => {
                let (rows, ignored) = (self.tally.rejected, self.tally.ignored_total());
                Err(self.refuse(FileError::new(Reason::EveryRowRejected { rows, ignored })))
            }
            Err(_) => Ok(None),
            Ok(Err(e)) => Err(e),
            Ok(Ok(Err(refusal))) => Err(self.refuse(refusal)),
            Ok(Ok(Ok(applied))) => {
                for (line, reason) in applied.rejected {
                    self.tally.retract(line, reason);
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
/// file for many streams its accounts to the writer from a producer thread. A refusal comes
/// back with the rows' tally as far as it got.
pub fn commit(
    store: &dyn Store,
    options: &ImportOptions,
    tasks: Vec<(Slug, Task)>,
    tally: Tally,
    batch: impl Fn(&Tally) -> NewImportBatch,
) -> (Result<ImportBatch, StoreError>, Option<(FileError, Tally)>) {
    let mut tasks: VecDeque<(Slug, Task)> = tasks.into();
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
        (committed, work.refusal.take().map(|r| (r, work.tally)))
    })
}

struct Applied {
    update: LedgerUpdate,
    rejected: Vec<(u64, Reason)>,
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

/// An account's metrics from its ledger, whose people carry their metros already (resolved
/// as they were imported).
fn account_metrics(ledger: &Ledger) -> Option<metrics::AccountMetrics> {
    metrics::compute(ledger, |_| None)
}

/// Recomputes, from their ledgers, the metrics an earlier build stored without counts this
/// one keeps ([`steward_store::MemberStore::outdated_metrics`]): how many accounts were
/// brought up to date, and those that could not be — each keeps its old series (its client
/// visit figures hidden) and stops nothing else. An account whose ledger changes meanwhile
/// is left to the change, which wrote its own.
pub fn refresh_outdated_metrics(store: &dyn Store) -> Result<(usize, Vec<(Slug, StoreError)>), StoreError> {
    let (mut refreshed, mut failed) = (0, Vec::new());
    for account in store.outdated_metrics()? {
        let done = store.ledger(&account).and_then(|stored| match stored {
            None => store.refresh_metrics(&account, 0, None),
            Some(s) => store.refresh_metrics(&account, s.version, account_metrics(&s.ledger).as_ref()),
        });
        match done {
            Ok(()) => refreshed += 1,
            Err(StoreError::Conflict { .. }) => {}
            Err(e) => failed.push((account, e)),
        }
    }
    Ok((refreshed, failed))
}

fn refusal(e: EventRefusal) -> Reason {
    match e {
        EventRefusal::TerminationNotOnFile => Reason::NotOnFile { what: "a termination (INS03 024)", hint: "" },
        EventRefusal::TerminationBeforeCoverage => Reason::TerminationBeforeCoverage,
        EventRefusal::ChangeNotOnFile => {
            Reason::NotOnFile { what: "a change (INS03 001)", hint: "; send an addition (021) first" }
        }
    }
}

/// Ids formed from a family that the ledger holds for someone of another relationship:
/// their loops are rejected (and their people left as they were).
fn check_ids(ledger: &Ledger, checks: &[IdCheck], rejected: &mut Vec<(u64, Reason)>) -> HashSet<u64> {
    let held = held_by_another(ledger, checks);
    let segments = held.iter().map(|(segment, _, _)| *segment).collect();
    rejected.extend(held.into_iter().map(|(segment, _, reason)| (segment, reason)));
    segments
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
            let held = check_ids(&ledger, &file.checks, &mut rejected);
            let keys: HashSet<MemberKey> =
                file.checks.iter().filter(|c| held.contains(&c.segment)).map(|c| c.key).collect();
            file.people.retain(|(key, _, _)| !keys.contains(key));
            file.untouched.extend(keys);
            resolve_metros(store, &account, file.people.iter_mut().map(|(_, f, _)| f))?;
            let effect = ledger.full_file_effect(file.as_of, &file.people, &file.untouched);
            if effect.terminated_share() > options.max_termination_share && !options.force {
                return Ok(Err(FileError::new(Reason::TerminationGuard {
                    terminated: effect.terminated,
                    eligible: effect.eligible_before,
                    percent: (100.0 * effect.terminated_share()).round() as u32,
                    allowed_percent: (100.0 * options.max_termination_share).round() as u32,
                })));
            }
            ledger.apply_full_file(file.as_of, file.people, &file.untouched);
            ledger.prune();
        }
        Task::Changes(ChangeEvents { as_of, mut events, checks }) => {
            let held = check_ids(&ledger, &checks, &mut rejected);
            events.retain(|(segment, _)| !held.contains(segment));
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
            for (segment, event) in events {
                if let Err(e) = ledger.apply_event(event) {
                    rejected.push((segment, refusal(e)));
                }
            }
            ledger.note_as_of(as_of);
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
    let metrics = account_metrics(&ledger);
    let update = LedgerUpdate {
        account,
        expected_version,
        parts: vec![(part, ledger_codec::encode(&ledger, part))],
        people: ledger.people.len() as i64,
        visits: ledger.visits.len() as i64,
        survey_responses: ledger.surveys.len() as i64,
        as_of: ledger.eligibility_as_of,
        metrics,
    };
    Ok(Ok(Applied { update, rejected }))
}
