//! The director's portfolio report: every book (`steward_domain::portfolio`) with its
//! retention over the trailing twelve months and each manager's goal attainment, read from
//! the store. The pages and `steward reports portfolio` both come through here.

use crate::AccountSummary;
use crate::forecast::{Attainment, attained};
use crate::history::AccountData;
use crate::revenue::{RetentionBy, RetentionRow, retention_rows_of};
use chrono::{Datelike, NaiveDate};
use std::collections::HashMap;
use steward_domain::health::Scorecard;
use steward_domain::opportunity::{OpportunityKind, Stage};
use steward_domain::portfolio::{Books, Holding, books};
use steward_domain::{Account, Email, Month, Role};
use steward_store::{OpportunityFilter, Result as StoreResult, Store};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Portfolio {
    pub as_of: NaiveDate,
    #[serde(flatten)]
    pub books: Books,
    /// The last month of the twelve retention is measured over: last month.
    pub retention_month: Month,
    /// The company's first, then each owner's book by e-mail ("unowned" for nobody's).
    pub retention: Vec<RetentionRow>,
    /// This year's goals, each with its attainment to date.
    pub goals: Vec<Attainment>,
}

impl Portfolio {
    /// A book's retention: the accounts nobody owns for `None` (the company's is the first
    /// row of [`Self::retention`]).
    pub fn retention_of(&self, owner: Option<&Email>) -> Option<&RetentionRow> {
        let group = owner.map_or_else(|| "unowned".to_owned(), Email::to_string);
        self.retention.iter().skip(1).find(|r| r.group.as_deref() == Some(group.as_str()))
    }
}

/// What the portfolio reads of an account's summary.
pub fn holding(summary: &AccountSummary) -> Holding {
    Holding {
        account: summary.account.clone(),
        arr: summary.arr,
        health: summary.health.clone(),
        terms: summary.terms.clone(),
        fees_at_risk: summary.at_risk,
    }
}

/// Every account's holding on `today`, read account by account in parallel (the web app's
/// book holds them already).
pub fn holdings(store: &dyn Store, card: &Scorecard, today: NaiveDate) -> StoreResult<Vec<Holding>> {
    use rayon::prelude::*;
    store
        .accounts()?
        .par_iter()
        .map(|a| Ok(holding(&AccountSummary::of(&AccountData::load(store, &a.slug)?, card, today))))
        .collect()
}

/// The portfolio of every account held (`holdings`: the book's rows) on `today`: a book for
/// each active account manager, by name, and for anyone else who owns an account.
pub fn portfolio(store: &dyn Store, holdings: &[Holding], today: NaiveDate) -> StoreResult<Portfolio> {
    let mut users = store.users()?;
    users.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.email.cmp(&b.email)));
    let managers: Vec<(Email, String)> = users
        .iter()
        .filter(|u| u.active && u.role == Role::AccountManager)
        .map(|u| (u.email.clone(), u.name.clone()))
        .collect();
    let names: HashMap<Email, String> = users.into_iter().map(|u| (u.email, u.name)).collect();
    let renewals = store
        .opportunities(&OpportunityFilter { kind: Some(OpportunityKind::Renewal), ..OpportunityFilter::default() })?;
    let won =
        store.opportunities(&OpportunityFilter { stage: Some(Stage::ClosedWon), ..OpportunityFilter::default() })?;
    let accounts: Vec<&Account> = holdings.iter().map(|h| &h.account).collect();
    let retention_month = Month::of(today).plus(-1);
    let retention = retention_rows_of(store, &accounts, retention_month, Some(RetentionBy::Owner))?;
    let goals = attained(store.goals(Some(today.year()))?, &won, &retention, retention_month, today);
    Ok(Portfolio {
        as_of: today,
        books: books(holdings, &managers, &names, &renewals, today),
        retention_month,
        retention,
        goals,
    })
}
