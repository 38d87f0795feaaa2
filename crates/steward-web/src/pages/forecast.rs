//! The quarter's forecast: commit, best case and pipeline against the goal with what is
//! won, what was called a week ago, each owner's line and the renewals due; goals with
//! their attainment, set by the director.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::error::{PageError, PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Query;
use crate::forms::FieldErrors;
use crate::views::percent;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use chrono::Datelike;
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::forecast::{Goal, Quarter, Totals};
use steward_domain::{Email, Money, Role};

#[derive(Debug, Default, serde::Deserialize)]
pub struct ForecastQuery {
    #[serde(default)]
    quarter: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    /// `all`: every row of every table (the first screenful shows the rows that need a look).
    #[serde(default)]
    rows: Option<String>,
}

/// The rows a company-wide table shows before "every row".
const ROWS: usize = 25;

/// The first `ROWS` of `list` unless every row was asked for, and how many there are.
fn first<T>(list: Vec<T>, every: bool) -> (Vec<T>, usize) {
    let n = list.len();
    (list.into_iter().take(if every { usize::MAX } else { ROWS }).collect(), n)
}

fn totals(t: &Totals) -> Value {
    context! { won => t.won.to_string(), commit => t.commit.to_string(), best_case => t.best_case.to_string(), pipeline => t.pipeline.to_string() }
}

fn share(part: Money, whole: Option<Money>) -> Option<String> {
    whole.filter(|w| w.cents > 0).map(|w| format!("{:.0}%", part.cents as f64 * 100.0 / w.cents as f64))
}

/// What the forecast page reads for a quarter and an owner, kept a short while
/// ([`App::forecast_reading`]): the forecast, the goals with their attainment, and the
/// account managers' names.
#[derive(Debug)]
pub struct Reading {
    forecast: steward_health::forecast::Forecast,
    goals: Vec<steward_health::forecast::Attainment>,
    names: BTreeMap<String, String>,
}

pub async fn page(State(app): State<App>, viewer: Viewer, Query(q): Query<ForecastQuery>) -> PageResult {
    authz::check(&viewer.user, Capability::Book)?;
    let today = app.today();
    let quarter = match q.quarter.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Quarter::parse(s).map_err(|e| WebError::field("quarter", e.0))?,
        None => Quarter::of_day(today),
    };
    let owner: Option<Email> = match q.owner.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some("all") => None,
        Some(e) => Some(Email::parse(e).map_err(|_| WebError::field("owner", "not an e-mail address"))?),
        None if viewer.user.role == Role::AccountManager => Some(viewer.user.email.clone()),
        None => None,
    };
    let asked = owner.clone();
    let every = q.rows.as_deref() == Some("all");
    // Accounts from the book's rows in memory rather than every account read again.
    let book = app.book().await?;
    let reading = app
        .forecast_reading((quarter, asked.clone(), today), move |store, held| {
            // Read once for both the forecast and the goals' bookings.
            let all = store.opportunities(&steward_health::forecast::read_for(quarter, today))?;
            let f = steward_health::forecast::forecast_of(store, &all, quarter, asked.as_ref(), today)?;
            let held: Vec<&steward_domain::Account> = held.rows.iter().map(|r| r.account()).collect();
            let goals =
                steward_health::forecast::attainment_of(store, &held, &all, quarter.year(), today, asked.as_ref())?;
            let names: BTreeMap<String, String> = store
                .internal_users()?
                .into_iter()
                .filter(|u| u.role == Role::AccountManager)
                .map(|u| (u.email.to_string(), u.name))
                .collect();
            Ok(Reading { forecast: f, goals, names })
        })
        .await?;
    let Reading { forecast: f, goals, names } = &*reading;
    let name = |e: &Email| names.get(e.as_str()).cloned().unwrap_or_else(|| e.to_string());
    // Furthest behind first: the most goal not yet committed; owners without a goal last.
    let mut by_owner: Vec<_> = f.owners.iter().collect();
    by_owner
        .sort_by_cached_key(|o| (std::cmp::Reverse(o.goal.map(|g| g.cents - o.totals.commit.cents)), name(&o.owner)));
    let (by_owner, owners_n) = first(by_owner, every);
    // Those still to be decided first, each part by close date (the order they come in).
    let mut renewals: Vec<_> = f.renewals.iter().collect();
    renewals.sort_by_key(|o| o.stage.closed());
    let (renewals, renewals_n) = first(renewals, every);
    let accounts = book.names(renewals.iter().map(|o| o.account.as_str()));
    let mut goals: Vec<&steward_health::forecast::Attainment> = goals.iter().collect();
    // Furthest from the bookings goal first; a goal of nothing is met, so last.
    let done = |g: &steward_health::forecast::Attainment| match g.goal.bookings.cents {
        0 => f64::INFINITY,
        goal => g.bookings_to_date.cents as f64 / goal as f64,
    };
    goals.sort_by(|a, b| done(a).total_cmp(&done(b)).then_with(|| name(&a.goal.owner).cmp(&name(&b.goal.owner))));
    let (goals, goals_n) = first(goals, every);
    let owner_q = owner.as_ref().map_or_else(|| "all".to_owned(), |e| crate::views::url_encode(e.as_str()));
    let page = context! {
        quarter => quarter.to_string(),
        // None at the ends of the quarters a date may fall in.
        previous => Some(quarter.previous()).filter(|q| *q != quarter).map(|q| q.to_string()),
        next => Some(quarter.next()).filter(|q| *q != quarter).map(|q| q.to_string()),
        owner => owner.as_ref().map(|e| e.to_string()),
        owner_q => owner_q,
        owner_name => owner.as_ref().map(&name),
        totals => totals(&f.totals),
        goal => f.goal.map(|g| g.to_string()),
        won_share => share(f.totals.won, f.goal),
        commit_share => share(f.totals.commit, f.goal),
        last_week => f.last_week.as_ref().map(totals),
        owners_n, renewals_n, goals_n,
        every_href => format!("/forecast?quarter={quarter}&owner={owner_q}&rows=all"),
        owners => by_owner.iter().map(|o| context! {
            email => o.owner.as_str(), email_q => crate::views::url_encode(o.owner.as_str()), name => name(&o.owner), totals => totals(&o.totals),
            goal => o.goal.map(|g| g.to_string()), commit_share => share(o.totals.commit, o.goal),
        }).collect::<Vec<_>>(),
        renewals => renewals.iter().map(|o| super::pipeline::card(o, &accounts, today)).collect::<Vec<_>>(),
        goals => goals.iter().map(|g| context! {
            email => g.goal.owner.as_str(), name => name(&g.goal.owner), year => g.goal.year,
            grr_goal => percent(Some(g.goal.gross_retention)), grr => percent(g.grr),
            grr_met => g.grr.is_some_and(|x| x >= g.goal.gross_retention),
            nrr_goal => percent(Some(g.goal.net_retention)), nrr => percent(g.nrr),
            nrr_met => g.nrr.is_some_and(|x| x >= g.goal.net_retention),
            bookings_goal => g.goal.bookings.to_string(), bookings => g.bookings_to_date.to_string(),
            bookings_share => share(g.bookings_to_date, Some(g.goal.bookings)),
            month => g.retention_month.to_string(),
        }).collect::<Vec<_>>(),
        may_set_goals => authz::may(&viewer.user, Capability::Team),
        managers => names.iter().map(|(e, n)| context! { email => e, name => n }).collect::<Vec<_>>(),
        year => quarter.year(),
        this_year => today.year(),
    };
    let title = format!("Forecast {quarter}");
    render("forecast.html", &viewer, "/forecast", &title, page)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct GoalForm {
    #[serde(default)]
    owner: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    grr: String,
    #[serde(default)]
    nrr: String,
    #[serde(default)]
    bookings: String,
}

/// Reads a percentage typed as "92" or "92%" into a fraction.
fn percent_field(e: &mut FieldErrors, field: &str, text: &str) -> f64 {
    e.parse::<f64>(field, text.trim().trim_end_matches('%'), "percentage").map_or(0.0, |p| p / 100.0)
}

/// A director sets an account manager's goals for a year.
pub async fn set_goal(State(app): State<App>, Signed { viewer, form }: Signed<GoalForm>) -> PageResult {
    authz::check(&viewer.user, Capability::Team)?;
    let mut e = FieldErrors::default();
    let owner = e.parse::<Email>("owner", &form.owner, "e-mail address");
    let year = e.parse::<i32>("year", &form.year, "year");
    let gross_retention = percent_field(&mut e, "grr", &form.grr);
    let net_retention = percent_field(&mut e, "nrr", &form.nrr);
    let bookings = Money::parse(&form.bookings).unwrap_or_else(|p| {
        e.add("bookings", p.0);
        Money::ZERO
    });
    e.check().map_err(PageError)?;
    let (Some(owner), Some(year)) = (owner, year) else {
        return Err(PageError(WebError::field("owner", "choose whose goals these are")));
    };
    let goal = Goal { owner, year, gross_retention, net_retention, bookings };
    let by = viewer.user.email.clone();
    app.run(move |store| {
        match store.user(&goal.owner) {
            Ok(u) if u.role == Role::AccountManager => {}
            _ => return Err(WebError::field("owner", "goals are set for account managers")),
        }
        Ok(store.set_goal(&goal, Some(&by))?)
    })
    .await?;
    app.goals_changed();
    Ok(Redirect::to(&format!("/forecast?quarter={year}-Q1&owner=all#goals")).into_response())
}
