//! The quarter's forecast for an owner or the company, as called now and as called a week
//! ago, with the renewals due in it; and goals with their attainment to date.

use crate::revenue::{RetentionBy, RetentionRow, retention_rows_of};
use chrono::{Datelike, Days, NaiveDate};
use std::collections::BTreeMap;
use steward_domain::forecast::{Goal, Quarter, Totals, bookings, counts_in, totals};
use steward_domain::opportunity::{Opportunity, OpportunityKind, Stage};
use steward_domain::{Account, Email, Money, Month};
use steward_store::{ForecastSnapshot, OpportunityFilter, Result as StoreResult, Store};

/// The Monday of `day`'s week: the week a call is kept under.
pub fn week_of(day: NaiveDate) -> NaiveDate {
    day - Days::new(u64::from(day.weekday().num_days_from_monday()))
}

/// One owner's line of the forecast.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct OwnerForecast {
    pub owner: Email,
    #[serde(flatten)]
    pub totals: Totals,
    /// A quarter's share of their year's bookings goal.
    pub goal: Option<Money>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Forecast {
    pub quarter: Quarter,
    /// `None`: the company's.
    pub owner: Option<Email>,
    #[serde(flatten)]
    pub totals: Totals,
    pub goal: Option<Money>,
    /// The call kept for the week before this one, when there was one.
    pub last_week: Option<Totals>,
    /// Each owner's (the company's forecast only).
    pub owners: Vec<OwnerForecast>,
    /// Renewals expected to close in the quarter, with their category.
    pub renewals: Vec<Opportunity>,
}

/// The forecast of `quarter` for `owner` (the company's when `None`) as of `today`. Keeps
/// this week's call for the company and each owner unless one is kept already.
pub fn forecast(store: &dyn Store, quarter: Quarter, owner: Option<&Email>, today: NaiveDate) -> StoreResult<Forecast> {
    forecast_of(store, &store.opportunities(&read_for(quarter, today))?, quarter, owner, today)
}

/// The opportunities a quarter's forecast and its year's goals need: those expected to
/// close, or closed, from the first of the year to the later of the quarter's end and
/// today — not the company's every opportunity since it began.
pub fn read_for(quarter: Quarter, today: NaiveDate) -> OpportunityFilter {
    let first = NaiveDate::from_ymd_opt(quarter.year(), 1, 1).unwrap_or_else(|| quarter.first_day());
    OpportunityFilter { closing_within: Some((first, quarter.last_day().max(today))), ..OpportunityFilter::default() }
}

/// [`forecast`] of opportunities the caller has read already (at least those of
/// [`read_for`]).
pub fn forecast_of(
    store: &dyn Store,
    all: &[Opportunity],
    quarter: Quarter,
    owner: Option<&Email>,
    today: NaiveDate,
) -> StoreResult<Forecast> {
    let goals: BTreeMap<Email, Goal> =
        store.goals(Some(quarter.year()))?.into_iter().map(|g| (g.owner.clone(), g)).collect();
    // Everyone with a goal has a line, with or without opportunities in the quarter.
    let mut by_owner: BTreeMap<Email, Vec<&Opportunity>> = goals.keys().map(|e| (e.clone(), Vec::new())).collect();
    for o in all {
        if let Some(e) = &o.owner {
            by_owner.entry(e.clone()).or_default().push(o);
        }
    }
    let week = week_of(today);
    let company = totals(quarter, all);
    let mut owners = Vec::new();
    for (e, list) in &by_owner {
        let t = totals(quarter, list.iter().copied());
        owners.push(OwnerForecast { owner: e.clone(), totals: t, goal: goals.get(e).map(Goal::quarter_bookings) });
    }
    let history = store.forecast_history(quarter, owner)?;
    // The week's calls are kept once, by the first look of the week, in one transaction.
    let company_calls = if owner.is_none() { history.clone() } else { store.forecast_history(quarter, None)? };
    if !company_calls.iter().any(|s| s.week == week) {
        let calls: Vec<ForecastSnapshot> =
            std::iter::once(ForecastSnapshot { week, quarter, owner: None, totals: company })
                .chain(owners.iter().map(|o| ForecastSnapshot {
                    week,
                    quarter,
                    owner: Some(o.owner.clone()),
                    totals: o.totals,
                }))
                .collect();
        store.keep_forecast(&calls)?;
    }
    let mine: Vec<&Opportunity> = match owner {
        Some(e) => by_owner.get(e).cloned().unwrap_or_default(),
        None => all.iter().collect(),
    };
    let goal = match owner {
        Some(e) => goals.get(e).map(Goal::quarter_bookings),
        None => {
            (!goals.is_empty()).then(|| Money::from_cents(goals.values().map(|g| g.quarter_bookings().cents).sum()))
        }
    };
    let last_week = history.into_iter().find(|s| s.week == week - Days::new(7)).map(|s| s.totals);
    Ok(Forecast {
        quarter,
        owner: owner.cloned(),
        totals: totals(quarter, mine.iter().copied()),
        goal,
        last_week,
        owners: if owner.is_none() { owners } else { Vec::new() },
        renewals: mine
            .iter()
            .filter(|o| o.kind == OpportunityKind::Renewal && (counts_in(o, quarter) || quarter.contains(o.close_date)))
            .map(|o| (*o).clone())
            .collect(),
    })
}

/// A goal and how far along it is.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Attainment {
    #[serde(flatten)]
    pub goal: Goal,
    /// Upsell and expansion won from January 1 to today.
    pub bookings_to_date: Money,
    /// Their book's retention over the twelve months to the end of last month.
    pub grr: Option<f64>,
    pub nrr: Option<f64>,
    pub retention_month: Month,
}

/// Every goal of `year` with its attainment as of `today`.
pub fn attainment(store: &dyn Store, year: i32, today: NaiveDate) -> StoreResult<Vec<Attainment>> {
    let won =
        store.opportunities(&OpportunityFilter { stage: Some(Stage::ClosedWon), ..OpportunityFilter::default() })?;
    let accounts = store.accounts()?;
    attainment_of(store, &accounts.iter().collect::<Vec<_>>(), &won, year, today, None)
}

/// [`attainment`] from what the caller has read already: every account and the
/// opportunities (won ones among them); with `owner`, only that owner's goal.
pub fn attainment_of(
    store: &dyn Store,
    accounts: &[&Account],
    opportunities: &[Opportunity],
    year: i32,
    today: NaiveDate,
    owner: Option<&Email>,
) -> StoreResult<Vec<Attainment>> {
    let goals: Vec<Goal> =
        store.goals(Some(year))?.into_iter().filter(|g| owner.is_none_or(|o| *o == g.owner)).collect();
    if goals.is_empty() {
        return Ok(Vec::new());
    }
    let month = Month::of(today).plus(-1);
    // One owner's goal needs only their book's retention.
    let theirs: Vec<&Account> =
        accounts.iter().copied().filter(|a| owner.is_none_or(|o| a.owner.as_ref() == Some(o))).collect();
    let retention = retention_rows_of(store, &theirs, month, Some(RetentionBy::Owner))?;
    Ok(attained(goals, opportunities, &retention, month, today))
}

/// `goals` with their attainment on `today`, given the opportunities (the won ones among
/// them) and the books' retention by owner over the twelve months ending with `month`.
pub fn attained(
    goals: Vec<Goal>,
    opportunities: &[Opportunity],
    retention: &[RetentionRow],
    month: Month,
    today: NaiveDate,
) -> Vec<Attainment> {
    let won: Vec<&Opportunity> = opportunities.iter().filter(|o| o.stage == Stage::ClosedWon).collect();
    goals
        .into_iter()
        .map(|goal| {
            let from = NaiveDate::from_ymd_opt(goal.year, 1, 1).unwrap_or(today);
            let theirs = won.iter().copied().filter(|o| o.owner.as_ref() == Some(&goal.owner));
            let r = retention.iter().find(|r| r.group.as_deref() == Some(goal.owner.as_str()));
            Attainment {
                bookings_to_date: bookings(theirs, from, today),
                grr: r.and_then(|r| r.retention.grr),
                nrr: r.and_then(|r| r.retention.nrr),
                retention_month: month,
                goal,
            }
        })
        .collect()
}
