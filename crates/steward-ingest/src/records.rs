//! What parsers hand to the pipeline: already pseudonymized, grouped by account, with no
//! field that could name a member.

use crate::report::Tally;
use chrono::NaiveDate;
use std::collections::HashMap;
use steward_domain::ledger::{EligibilityEvent, PersonFacts, SurveyResponse, Visit};
use steward_domain::{MemberKey, Span};

/// A full file: each listed person once, with every span the file gives them.
#[derive(Debug, Default)]
pub struct FullEligibility {
    pub as_of: NaiveDate,
    pub people: Vec<(MemberKey, PersonFacts, Vec<Span>)>,
    /// People the file names only in rejected rows: left as they are, not terminated.
    pub untouched: Vec<MemberKey>,
}

#[derive(Debug)]
pub enum Eligibility {
    Full(FullEligibility),
    /// Events in file order, each with its line or segment number.
    Changes(Vec<(u64, EligibilityEvent)>),
}

/// Rows for several accounts, by the account's slug as written in the file.
#[derive(Debug)]
pub struct ByAccount<T> {
    pub accounts: Vec<String>,
    /// `(account index, row)`
    pub rows: Vec<(u32, T)>,
    index: HashMap<String, u32>,
}

impl<T> Default for ByAccount<T> {
    fn default() -> Self {
        Self { accounts: Vec::new(), rows: Vec::new(), index: HashMap::new() }
    }
}

impl<T> ByAccount<T> {
    pub fn account(&mut self, slug: &str) -> u32 {
        if let Some(&i) = self.index.get(slug) {
            return i;
        }
        let i = self.accounts.len() as u32;
        self.accounts.push(slug.to_owned());
        self.index.insert(slug.to_owned(), i);
        i
    }

    /// The rows grouped by account, in the order accounts first appeared.
    pub fn into_groups(self) -> Vec<(String, Vec<T>)> {
        let mut groups: Vec<(String, Vec<T>)> = self.accounts.into_iter().map(|a| (a, Vec::new())).collect();
        for (i, row) in self.rows {
            groups[i as usize].1.push(row);
        }
        groups
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
