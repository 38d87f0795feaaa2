//! What parsers hand to the pipeline: already pseudonymized, grouped by account, with no
//! field that could name a member.

use crate::reason::{IdMethod, Reason, Unit};
use crate::report::Tally;
use chrono::NaiveDate;
use std::collections::HashMap;
use steward_domain::ledger::{EligibilityEvent, PersonFacts, SurveyResponse, Visit};
use steward_domain::{MemberKey, Relationship, Span};

/// A full file: each listed person once, with every span the file gives them.
#[derive(Debug, Default)]
pub struct FullEligibility {
    pub as_of: NaiveDate,
    pub people: Vec<(MemberKey, PersonFacts, Vec<Span>)>,
    /// People the file names only in rejected rows: left as they are, not terminated.
    pub untouched: Vec<MemberKey>,
    /// Ids to check against the people on file before applying (X12).
    pub checks: Vec<IdCheck>,
}

/// A full file's people gathered row by row (census) or loop by loop (834): each person
/// once with the facts of their last row, their spans in file order. A span overlapping one
/// the file already gave the same person is a duplicate, named by where that one was.
#[derive(Debug, Default)]
pub struct Gathered {
    people: Vec<(MemberKey, PersonFacts, Vec<Span>)>,
    /// Where each person is, and the line or segment of each of their spans.
    index: HashMap<MemberKey, (usize, Vec<u64>)>,
}

impl Gathered {
    pub fn add(&mut self, key: MemberKey, facts: PersonFacts, span: Span, at: u64, unit: Unit) -> Result<(), Reason> {
        match self.index.get_mut(&key) {
            Some((i, places)) => {
                let (_, existing, spans) = &mut self.people[*i];
                if let Some(k) = spans.iter().position(|s| s.overlaps(&span)) {
                    return Err(Reason::DuplicateMember { other: places[k], unit });
                }
                *existing = facts;
                spans.push(span);
                places.push(at);
            }
            None => {
                self.index.insert(key, (self.people.len(), vec![at]));
                self.people.push((key, facts, vec![span]));
            }
        }
        Ok(())
    }

    pub fn contains(&self, key: &MemberKey) -> bool {
        self.index.contains_key(key)
    }

    /// The full file: `untouched` are the people named only in rejected rows.
    pub fn into_file(self, as_of: NaiveDate, mut untouched: Vec<MemberKey>, checks: Vec<IdCheck>) -> FullEligibility {
        // A person with one good row and one rejected row keeps what the good rows say.
        untouched.retain(|k| !self.index.contains_key(k));
        FullEligibility { as_of, people: self.people, untouched, checks }
    }
}

/// A change file's events in file order, each with its segment number, and the date the
/// file states them as of (BGN03, or `--as-of`).
#[derive(Debug, Default)]
pub struct ChangeEvents {
    pub as_of: NaiveDate,
    pub events: Vec<(u64, EligibilityEvent)>,
    pub checks: Vec<IdCheck>,
}

#[derive(Debug)]
pub enum Eligibility {
    Full(FullEligibility),
    Changes(ChangeEvents),
}

/// A member id Steward formed (or read against the standard): before it is applied, the
/// person on file under it must be of the same kind of relationship, or two people would
/// become one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCheck {
    pub segment: u64,
    pub key: MemberKey,
    pub relationship: Relationship,
    pub method: IdMethod,
}

/// Rows for several accounts, grouped by the account's slug as written in the file (rows
/// keep their file order within an account).
#[derive(Debug)]
pub struct ByAccount<T> {
    pub accounts: Vec<String>,
    pub groups: Vec<Vec<T>>,
    index: HashMap<String, u32>,
}

impl<T> Default for ByAccount<T> {
    fn default() -> Self {
        Self { accounts: Vec::new(), groups: Vec::new(), index: HashMap::new() }
    }
}

impl<T> ByAccount<T> {
    pub fn account(&mut self, slug: &str) -> u32 {
        if let Some(&i) = self.index.get(slug) {
            return i;
        }
        let i = self.accounts.len() as u32;
        self.accounts.push(slug.to_owned());
        self.groups.push(Vec::new());
        self.index.insert(slug.to_owned(), i);
        i
    }

    pub fn push(&mut self, account: u32, row: T) {
        self.groups[account as usize].push(row);
    }

    /// Appends `other`'s rows after this one's, account by account.
    pub fn append(&mut self, other: ByAccount<T>) {
        for (slug, rows) in other.accounts.into_iter().zip(other.groups) {
            let i = self.account(&slug) as usize;
            self.groups[i].extend(rows);
        }
    }

    pub fn len(&self) -> usize {
        self.groups.iter().map(Vec::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every row, account by account.
    pub fn iter(&self) -> impl Iterator<Item = &T> {
        self.groups.iter().flatten()
    }

    pub fn into_groups(self) -> Vec<(String, Vec<T>)> {
        self.accounts.into_iter().zip(self.groups).collect()
    }
}

pub type Memberships = ByAccount<(MemberKey, Span)>;
pub type Visits = ByAccount<Visit>;
pub type Surveys = ByAccount<SurveyResponse>;

/// A parsed file and how its rows went.
#[derive(Debug)]
pub struct Parsed<T> {
    pub data: T,
    pub tally: Tally,
}
