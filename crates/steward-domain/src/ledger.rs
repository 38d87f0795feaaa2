//! An account's member-level state, pseudonymized: who is eligible when, who is a member
//! when, their visits and survey responses. Imports change it only through the rules here,
//! which are the project's written merge rules for full and change files.
//!
//! Full files (census CSV, 834 with BGN08 = 4/RX or all 030) state the whole eligibility as
//! of a date D:
//! - a person in the file keeps their history before the earliest span the file gives
//!   them (a span running into it is cut the day before), and takes the file's spans from
//!   there on;
//! - a person absent from the file who was eligible on or after D is terminated on D − 1
//!   (termination by omission); a span that would start on or after D is removed;
//! - attributes (relationship, age band, sex, zip3, worksite) are the file's;
//! - a person the file names only in rejected rows is left as they were.
//!
//! Change events (834 with BGN08 = 2) apply in file order: an addition (021) adds a span,
//! a termination (024) ends coverage on its date (spans after it are removed, none is
//! extended), a reinstatement (025) reopens the span with the same start or adds one, a
//! change (001) updates the attributes it carries and, with coverage dates, the span as an
//! addition would. An audit record (030) inside a change
//! file is the person's full state: their spans from its start on are replaced.
//!
//! Memberships files are our own system's full export: for each account in the file, its
//! memberships are replaced. Visits and survey responses are keyed by their source id: the
//! same id sent again replaces the earlier record; none is ever deleted by omission.

use crate::Metro;
use crate::member::{AgeBand, MemberKey, Modality, Relationship, Sex, Span, VisitStatus, merge_spans};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// What the eligibility says about a person (everything Steward may keep).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFacts {
    pub relationship: Relationship,
    pub age_band: Option<AgeBand>,
    pub sex: Sex,
    pub zip3: Option<[u8; 3]>,
    pub worksite: Option<String>,
    pub metro: Option<Metro>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub key: MemberKey,
    pub relationship: Relationship,
    pub age_band: Option<AgeBand>,
    pub sex: Sex,
    pub zip3: Option<[u8; 3]>,
    /// Index into [`Ledger::worksites`].
    pub worksite: Option<u32>,
    pub metro: Option<Metro>,
    /// Disjoint, sorted.
    pub eligibility: Vec<Span>,
    /// Sorted, as our system reported them.
    pub memberships: Vec<Span>,
}

impl Person {
    fn new(key: MemberKey) -> Self {
        Self {
            key,
            relationship: Relationship::Other,
            age_band: None,
            sex: Sex::Unknown,
            zip3: None,
            worksite: None,
            metro: None,
            eligibility: Vec::new(),
            memberships: Vec::new(),
        }
    }

    pub fn eligible_on(&self, day: NaiveDate) -> bool {
        self.eligibility.iter().any(|s| s.covers(day))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Visit {
    /// Keyed hash of the source visit id (CSV `visit_id`, FHIR Encounter id).
    pub key: u64,
    pub member: MemberKey,
    pub date: NaiveDate,
    pub modality: Modality,
    pub status: VisitStatus,
    /// Where the clinic is: a separate dimension from the member's metro.
    pub clinic_metro: Option<Metro>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SurveyResponse {
    pub key: u64,
    pub member: Option<MemberKey>,
    pub date: NaiveDate,
    pub score: u8,
}

/// One change-file event, already pseudonymized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EligibilityEvent {
    Addition { key: MemberKey, facts: PersonFacts, span: Span },
    Termination { key: MemberKey, end: NaiveDate },
    Reinstatement { key: MemberKey, facts: PersonFacts, span: Span },
    Change { key: MemberKey, facts: PersonFacts, span: Option<Span> },
    Audit { key: MemberKey, facts: PersonFacts, span: Span },
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    pub worksites: Vec<String>,
    /// By key: imports add people anywhere in key order, so a sorted vector would move
    /// half of a large account for every addition.
    pub people: BTreeMap<MemberKey, Person>,
    /// Sorted by key.
    pub visits: Vec<Visit>,
    /// Sorted by key.
    pub surveys: Vec<SurveyResponse>,
    /// FHIR Patient logical ids (keyed hashes) → the member they are: Bulk Data sends
    /// Patients and Encounters in separate files, so the link must outlive one import.
    pub patients: BTreeMap<u64, MemberKey>,
    /// The latest as-of date of an eligibility file (a full file's, or a change file's date):
    /// data runs at least to it, and the month holding it is partial unless it ends there.
    pub eligibility_as_of: Option<NaiveDate>,
}

/// Why a change event was not applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventRefusal {
    TerminationNotOnFile,
    TerminationBeforeCoverage,
    ChangeNotOnFile,
}

/// How a full file changed the eligibility, for the guard and the batch record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FullFileEffect {
    /// Persons eligible on the as-of date before the file.
    pub eligible_before: usize,
    /// Of those, how many the file terminates by omission.
    pub terminated: usize,
}

impl FullFileEffect {
    pub fn terminated_share(&self) -> f64 {
        if self.eligible_before == 0 { 0.0 } else { self.terminated as f64 / self.eligible_before as f64 }
    }
}

impl Ledger {
    fn worksite_index(&mut self, name: Option<&str>) -> Option<u32> {
        let name = name?.trim();
        if name.is_empty() {
            return None;
        }
        match self.worksites.iter().position(|w| w.eq_ignore_ascii_case(name)) {
            Some(i) => Some(i as u32),
            None => {
                self.worksites.push(name.to_owned());
                Some(self.worksites.len() as u32 - 1)
            }
        }
    }

    fn person_mut(&mut self, key: MemberKey) -> &mut Person {
        self.people.entry(key).or_insert_with(|| Person::new(key))
    }

    pub fn person(&self, key: MemberKey) -> Option<&Person> {
        self.people.get(&key)
    }

    fn set_facts(&mut self, key: MemberKey, facts: &PersonFacts) {
        let worksite = self.worksite_index(facts.worksite.as_deref());
        let p = self.person_mut(key);
        p.relationship = facts.relationship;
        p.age_band = facts.age_band;
        p.sex = facts.sex;
        p.zip3 = facts.zip3;
        p.worksite = worksite;
        p.metro = facts.metro;
    }

    /// A change carries only what changed: keep what it leaves out.
    fn merge_facts(&mut self, key: MemberKey, facts: &PersonFacts) {
        let worksite = self.worksite_index(facts.worksite.as_deref());
        let p = self.person_mut(key);
        p.relationship = facts.relationship;
        p.age_band = facts.age_band.or(p.age_band);
        if facts.sex != Sex::Unknown {
            p.sex = facts.sex;
        }
        p.zip3 = facts.zip3.or(p.zip3);
        p.worksite = worksite.or(p.worksite);
        p.metro = if worksite.is_some() || facts.zip3.is_some() { facts.metro.or(p.metro) } else { p.metro };
    }

    /// What a full file as of `as_of` listing `file` would do, without doing it.
    pub fn full_file_effect(
        &self,
        as_of: NaiveDate,
        file: &[(MemberKey, PersonFacts, Vec<Span>)],
        untouched: &[MemberKey],
    ) -> FullFileEffect {
        let mut listed: Vec<MemberKey> = file.iter().map(|(k, _, _)| *k).chain(untouched.iter().copied()).collect();
        listed.sort_unstable();
        let (mut eligible_before, mut terminated) = (0, 0);
        for p in self.people.values().filter(|p| p.eligible_on(as_of)) {
            eligible_before += 1;
            terminated += usize::from(listed.binary_search(&p.key).is_err());
        }
        FullFileEffect { eligible_before, terminated }
    }

    /// Applies a full file (see the module rules). Each person appears once in `file`;
    /// `untouched` are people named only in rejected rows.
    pub fn apply_full_file(
        &mut self,
        as_of: NaiveDate,
        file: Vec<(MemberKey, PersonFacts, Vec<Span>)>,
        untouched: &[MemberKey],
    ) {
        let mut listed: Vec<MemberKey> = Vec::with_capacity(file.len() + untouched.len());
        listed.extend_from_slice(untouched);
        for (key, facts, mut spans) in file {
            listed.push(key);
            merge_spans(&mut spans);
            self.set_facts(key, &facts);
            let first = spans.first().map_or(as_of, |s| s.start);
            let p = self.person_mut(key);
            keep_before(&mut p.eligibility, first);
            p.eligibility.extend(spans);
            merge_spans(&mut p.eligibility);
        }
        listed.sort_unstable();
        for p in self.people.values_mut() {
            if listed.binary_search(&p.key).is_ok() {
                continue;
            }
            keep_before(&mut p.eligibility, as_of);
        }
        self.note_as_of(as_of);
    }

    /// An eligibility file states the account's eligibility as of `as_of`: the data run at
    /// least to it, and the month holding it is complete only if it is the month's last day.
    pub fn note_as_of(&mut self, as_of: NaiveDate) {
        self.eligibility_as_of = self.eligibility_as_of.max(Some(as_of));
    }

    /// Applies one change event; `Err` says why it could not (the row is rejected).
    pub fn apply_event(&mut self, event: EligibilityEvent) -> Result<(), EventRefusal> {
        match event {
            EligibilityEvent::Addition { key, facts, span } => {
                self.set_facts(key, &facts);
                let p = self.person_mut(key);
                p.eligibility.push(span);
                merge_spans(&mut p.eligibility);
            }
            EligibilityEvent::Termination { key, end } => {
                let p = self.people.get_mut(&key).ok_or(EventRefusal::TerminationNotOnFile)?;
                if !p.eligibility.iter().any(|s| s.start <= end) {
                    return Err(EventRefusal::TerminationBeforeCoverage);
                }
                // No coverage after the termination date; an earlier end stays earlier.
                let after = end.succ_opt().unwrap_or(end);
                keep_before(&mut p.eligibility, after);
            }
            EligibilityEvent::Reinstatement { key, facts, span } => {
                self.set_facts(key, &facts);
                let p = self.person_mut(key);
                match p.eligibility.iter_mut().find(|s| s.start == span.start) {
                    Some(existing) => existing.end = span.end,
                    None => p.eligibility.push(span),
                }
                merge_spans(&mut p.eligibility);
            }
            EligibilityEvent::Change { key, facts, span } => {
                // A change names someone already on file; an unknown member is an addition
                // the sender missed, never one Steward invents from a change.
                if !self.people.contains_key(&key) {
                    return Err(EventRefusal::ChangeNotOnFile);
                }
                self.merge_facts(key, &facts);
                if let Some(span) = span {
                    let p = self.person_mut(key);
                    p.eligibility.push(span);
                    merge_spans(&mut p.eligibility);
                }
            }
            EligibilityEvent::Audit { key, facts, span } => {
                self.set_facts(key, &facts);
                let p = self.person_mut(key);
                keep_before(&mut p.eligibility, span.start);
                p.eligibility.push(span);
                merge_spans(&mut p.eligibility);
            }
        }
        Ok(())
    }

    /// Replaces every membership of this account with `memberships` (our full export).
    pub fn replace_memberships(&mut self, mut memberships: Vec<(MemberKey, Span)>) {
        for p in self.people.values_mut() {
            p.memberships.clear();
        }
        memberships.sort_unstable();
        memberships.dedup();
        for (key, span) in memberships {
            self.person_mut(key).memberships.push(span);
        }
    }

    /// Adds or replaces visits by key; the later of two with one key wins.
    pub fn upsert_visits(&mut self, incoming: Vec<Visit>) {
        upsert(&mut self.visits, incoming, |v| v.key);
    }

    /// Remembers which member each FHIR Patient is (a later link replaces an earlier one).
    pub fn link_patients(&mut self, links: impl IntoIterator<Item = (u64, MemberKey)>) {
        self.patients.extend(links);
    }

    pub fn upsert_surveys(&mut self, incoming: Vec<SurveyResponse>) {
        upsert(&mut self.surveys, incoming, |s| s.key);
    }

    /// Drops people who hold nothing (no eligibility, no membership) — left by a full file
    /// that removed spans starting after its date, for instance.
    pub fn prune(&mut self) {
        self.people.retain(|_, p| !p.eligibility.is_empty() || !p.memberships.is_empty());
    }
}

/// Keeps only coverage before `day`: later spans go, a span running into it ends the day
/// before.
fn keep_before(spans: &mut Vec<Span>, day: NaiveDate) {
    let before = day.pred_opt().unwrap_or(day);
    spans.retain(|s| s.start < day);
    for s in spans.iter_mut() {
        if s.end.is_none_or(|e| e >= day) {
            s.end = Some(before);
        }
    }
}

/// Existing records first, then incoming in order; a stable sort keeps that order within a
/// key, so keeping the last of each key lets the newest win.
fn upsert<T: Copy>(existing: &mut Vec<T>, incoming: Vec<T>, key: impl Fn(&T) -> u64) {
    if incoming.is_empty() {
        return;
    }
    existing.extend(incoming);
    existing.sort_by_key(&key);
    let mut out: Vec<T> = Vec::with_capacity(existing.len());
    for item in existing.drain(..) {
        match out.last_mut() {
            Some(last) if key(last) == key(&item) => *last = item,
            _ => out.push(item),
        }
    }
    *existing = out;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts(worksite: &str) -> PersonFacts {
        PersonFacts {
            relationship: Relationship::Employee,
            age_band: Some(AgeBand::From26To34),
            sex: Sex::Female,
            zip3: Some(*b"981"),
            worksite: Some(worksite.into()),
            metro: Some(Metro::Seattle),
        }
    }

    fn span(a: &str, b: Option<&str>) -> Span {
        Span::new(d(a), b.map(d))
    }

    #[test]
    fn full_file_keeps_history_and_terminates_by_omission() {
        let mut l = Ledger::default();
        l.apply_full_file(
            d("2024-01-01"),
            vec![
                (MemberKey(1), facts("HQ"), vec![span("2020-01-01", Some("2021-06-30")), span("2023-01-01", None)]),
                (MemberKey(2), facts("HQ"), vec![span("2023-05-01", None)]),
                (MemberKey(3), facts("Plant"), vec![span("2024-03-01", None)]),
            ],
            &[],
        );
        let file = vec![(MemberKey(1), facts("Plant"), vec![span("2023-01-01", None)])];
        let effect = l.full_file_effect(d("2024-02-01"), &file, &[]);
        assert_eq!(effect, FullFileEffect { eligible_before: 2, terminated: 1 }, "member 3 starts later; 2 is dropped");
        l.apply_full_file(d("2024-02-01"), file, &[]);
        let p1 = l.person(MemberKey(1)).unwrap();
        assert_eq!(
            p1.eligibility,
            vec![span("2020-01-01", Some("2021-06-30")), span("2023-01-01", None)],
            "history kept"
        );
        assert_eq!(l.worksites[p1.worksite.unwrap() as usize], "Plant", "attributes are the file's");
        assert_eq!(l.person(MemberKey(2)).unwrap().eligibility, vec![span("2023-05-01", Some("2024-01-31"))]);
        assert!(l.person(MemberKey(3)).unwrap().eligibility.is_empty(), "future span removed");
        l.prune();
        assert!(l.person(MemberKey(3)).is_none());
    }

    #[test]
    fn a_restated_full_file_keeps_older_history_and_spares_rejected_rows() {
        let mut l = Ledger::default();
        l.apply_full_file(
            d("2020-01-01"),
            vec![
                (MemberKey(1), facts("HQ"), vec![span("2020-01-01", None)]),
                (MemberKey(2), facts("HQ"), vec![span("2020-01-01", None)]),
            ],
            &[],
        );
        // The next plan year's file restates coverage from 2026-01-01 only; member 2's row was rejected.
        l.apply_full_file(
            d("2026-01-01"),
            vec![(MemberKey(1), facts("HQ"), vec![span("2026-01-01", None)])],
            &[MemberKey(2)],
        );
        assert_eq!(
            l.person(MemberKey(1)).unwrap().eligibility,
            vec![span("2020-01-01", None)],
            "history up to the restated start is kept"
        );
        assert_eq!(
            l.person(MemberKey(2)).unwrap().eligibility,
            vec![span("2020-01-01", None)],
            "not terminated for a rejected row"
        );
    }

    #[test]
    fn change_events_apply_in_order() {
        let mut l = Ledger::default();
        let k = MemberKey(7);
        l.apply_event(EligibilityEvent::Addition { key: k, facts: facts("HQ"), span: span("2024-01-01", None) })
            .unwrap();
        l.apply_event(EligibilityEvent::Termination { key: k, end: d("2024-06-30") }).unwrap();
        assert_eq!(l.person(k).unwrap().eligibility, vec![span("2024-01-01", Some("2024-06-30"))]);
        l.apply_event(EligibilityEvent::Reinstatement { key: k, facts: facts("HQ"), span: span("2024-01-01", None) })
            .unwrap();
        assert_eq!(l.person(k).unwrap().eligibility, vec![span("2024-01-01", None)], "reinstated");
        let mut moved = facts("Plant");
        moved.zip3 = None;
        l.apply_event(EligibilityEvent::Change { key: k, facts: moved, span: None }).unwrap();
        assert_eq!(l.worksites.len(), 2);
        assert_eq!(l.person(k).unwrap().zip3, Some(*b"981"), "a change keeps what it does not carry");
        let mut unsited = facts("HQ");
        unsited.worksite = None;
        l.apply_event(EligibilityEvent::Change { key: k, facts: unsited, span: None }).unwrap();
        assert_eq!(l.worksites[l.person(k).unwrap().worksite.unwrap() as usize], "Plant");
        // Terminating never extends an ended span, and removes coverage after the date.
        l.apply_event(EligibilityEvent::Addition { key: k, facts: facts("HQ"), span: span("2025-01-01", None) })
            .unwrap();
        l.apply_event(EligibilityEvent::Termination { key: k, end: d("2024-09-30") }).unwrap();
        assert_eq!(l.person(k).unwrap().eligibility, vec![span("2024-01-01", Some("2024-09-30"))]);
        l.apply_event(EligibilityEvent::Termination { key: k, end: d("2024-12-31") }).unwrap();
        assert_eq!(l.person(k).unwrap().eligibility, vec![span("2024-01-01", Some("2024-09-30"))], "not extended");
        assert!(l.apply_event(EligibilityEvent::Termination { key: MemberKey(8), end: d("2024-01-01") }).is_err());
        assert!(l.apply_event(EligibilityEvent::Change { key: MemberKey(8), facts: facts("HQ"), span: None }).is_err());
        let dated =
            EligibilityEvent::Change { key: MemberKey(8), facts: facts("HQ"), span: Some(span("2024-01-01", None)) };
        assert_eq!(l.apply_event(dated), Err(EventRefusal::ChangeNotOnFile), "a dated change invents nobody");
        assert!(l.person(MemberKey(8)).is_none());
    }

    #[test]
    fn visits_upsert_by_key_newest_wins() {
        let v = |key, status| Visit {
            key,
            member: MemberKey(1),
            date: d("2024-01-05"),
            modality: Modality::Video,
            status,
            clinic_metro: None,
        };
        let mut l = Ledger::default();
        l.upsert_visits(vec![v(2, VisitStatus::Completed), v(1, VisitStatus::Completed)]);
        l.upsert_visits(vec![v(2, VisitStatus::Cancelled)]);
        assert_eq!(
            l.visits.iter().map(|v| (v.key, v.status)).collect::<Vec<_>>(),
            [(1, VisitStatus::Completed), (2, VisitStatus::Cancelled)]
        );
    }

    #[test]
    fn memberships_are_replaced_whole() {
        let mut l = Ledger::default();
        l.replace_memberships(vec![(MemberKey(1), span("2024-01-10", None)), (MemberKey(2), span("2024-02-01", None))]);
        l.replace_memberships(vec![(MemberKey(1), span("2024-01-10", Some("2024-05-31")))]);
        assert_eq!(l.person(MemberKey(1)).unwrap().memberships, vec![span("2024-01-10", Some("2024-05-31"))]);
        assert!(l.person(MemberKey(2)).unwrap().memberships.is_empty());
    }
}
