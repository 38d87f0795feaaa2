//! My work: the ranked queue with why each row is there; done, snooze and reassign inline.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::error::PageResult;
use crate::error::WebError;
use crate::extract::page::Query;
use axum::extract::State;
use minijinja::{Value, context};
use std::collections::BTreeSet;
use steward_domain::Task;
use steward_health::work::{Band, WorkRow};

/// A task as a table row shows it.
pub fn task_row(t: &Task, today: chrono::NaiveDate) -> Value {
    context! {
        id => t.id,
        version => t.version,
        title => t.title,
        detail => shorten(&t.detail, 140),
        account => t.account.as_ref().map(|s| s.as_str()),
        due => t.due_date.map(|d| d.to_string()),
        overdue => t.due_date.is_some_and(|d| d < today),
        owner => t.owner.as_ref().map(|e| e.as_str()),
        department => t.department.map(|d| crate::views::words(d.as_str())),
        priority => t.priority.as_str(),
        escalation => t.escalation,
        source => t.source.as_str(),
        snoozed_until => t.snoozed_until.filter(|d| *d > today).map(|d| d.to_string()),
    }
}

/// At most `max` characters, cut at a word with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head))
}

/// The filter for tasks snoozed out of the queue.
const SNOOZED: &str = "snoozed";

/// Which rows My work shows: one band, one account, or both.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkQuery {
    #[serde(default)]
    band: Option<String>,
    #[serde(default)]
    account: Option<String>,
    /// A task just marked done, to offer to undo.
    #[serde(default)]
    done: Option<i64>,
    /// Someone else's queue (directors and admins, from the team page).
    #[serde(default)]
    user: Option<String>,
}

/// The query string of a filter, with `band` or `account` changed ("" drops it), for
/// `user`'s queue (none: the viewer's own).
fn link(band: Option<&str>, account: Option<&str>, user: Option<&str>) -> String {
    let pairs: Vec<String> = [("user", user), ("band", band), ("account", account)]
        .into_iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| format!("{k}={}", crate::views::url_encode(v))))
        .collect();
    if pairs.is_empty() { "/work".into() } else { format!("/work?{}", pairs.join("&")) }
}

pub async fn page(State(app): State<App>, viewer: Viewer, Query(q): Query<WorkQuery>) -> PageResult {
    authz::check(&viewer.user, Capability::Work)?;
    let snoozed_only = q.band.as_deref() == Some(SNOOZED);
    let band = match q.band.as_deref().filter(|b| !b.is_empty() && *b != SNOOZED) {
        None => None,
        Some(b) => Some(
            Band::ALL.into_iter().find(|x| x.as_str() == b).ok_or_else(|| WebError::NotFound(format!("band {b}")))?,
        ),
    };
    let account = q.account.filter(|a| !a.is_empty());
    let today = app.today();
    // Whose queue: the viewer's, or (for a director) the account manager they chose.
    let other = q.user.as_deref().filter(|u| !u.is_empty() && *u != viewer.user.email.as_str());
    let who = match other {
        None => viewer.user.clone(),
        Some(email) => {
            authz::check(&viewer.user, Capability::Team)?;
            let email = steward_domain::Email::parse(email).map_err(|_| WebError::NotFound(format!("user {email}")))?;
            app.run(move |store| Ok(store.user(&email)?)).await?
        }
    };
    let rows = app.work_queue(who.clone()).await?;
    let mut snoozed: Vec<Task> = app
        .run({
            let who = who.clone();
            move |store| Ok(steward_health::work::assigned_open(store, &who)?)
        })
        .await?
        .into_iter()
        .filter(|t| !t.is_actionable(today))
        .collect();
    snoozed.sort_by_key(|t| (t.snoozed_until, t.id));
    let (calendar, whose) = (app.config().calendar.clone(), who.clone());
    let project_tasks =
        app.run(move |store| Ok(steward_health::projects::assigned(store, &whose, &calendar, today)?)).await?;
    let owners = app.run(|store| Ok(store.internal_users()?)).await?;
    let owners: Vec<(String, String)> = owners.into_iter().map(|u| (u.email.to_string(), u.name)).collect();
    // Counts by band within the chosen account, and the accounts in the queue.
    let of_account =
        |r: &WorkRow| account.as_deref().is_none_or(|a| r.account.as_ref().is_some_and(|s| s.as_str() == a));
    let accounts: BTreeSet<&str> = rows.iter().filter_map(|(r, _)| r.account.as_ref().map(|s| s.as_str())).collect();
    let total = rows.iter().filter(|(r, _)| of_account(r)).count();
    let counts: Vec<Value> = Band::ALL
        .iter()
        .map(|b| {
            let n = rows.iter().filter(|(r, _)| r.band == *b && of_account(r)).count();
            context! { label => b.label(), n, href => link(Some(b.as_str()), account.as_deref(), other), current => band == Some(*b) }
        })
        .collect();
    let mut groups: Vec<Value> = Vec::new();
    for b in Band::ALL.into_iter().filter(|b| !snoozed_only && band.is_none_or(|x| x == *b)) {
        let queue: Vec<Value> = rows
            .iter()
            .filter(|(r, _)| r.band == b && of_account(r))
            .map(|(r, task)| {
                let parts: Vec<Value> =
                    r.parts.iter().map(|p| context! { part => p.part, points => format!("{:.1}", p.points) }).collect();
                context! {
                    rank => r.rank,
                    title => r.task,
                    account => r.account.as_ref().map(|s| s.as_str()),
                    due => r.due.map(|d| d.to_string()),
                    reason => r.reason,
                    score => format!("{:.0}", r.score),
                    parts => parts,
                    task => task.as_ref().map(|t| task_row(t, today)),
                }
            })
            .collect();
        if !queue.is_empty() {
            groups.push(context! { label => b.label(), band => b.as_str(), queue });
        }
    }
    let page = context! {
        groups => groups,
        total => total,
        all_href => link(None, account.as_deref(), other),
        user => other,
        back => link(None, None, other),
        whose => other.map(|_| who.name.clone()),
        filtered => band.is_some() || snoozed_only,
        snoozed_only => snoozed_only,
        snoozed_href => link(Some(SNOOZED), account.as_deref(), other),
        snoozed => snoozed.iter().filter(|t| account.as_deref().is_none_or(|a| t.account.as_ref().is_some_and(|s| s.as_str() == a))).map(|t| task_row(t, today)).collect::<Vec<_>>(),
        counts => counts,
        accounts => accounts.into_iter().collect::<Vec<_>>(),
        account => account,
        band => band.map(|b| b.as_str()),
        owners => owners.into_iter().map(|(email, name)| context! { email, name }).collect::<Vec<_>>(),
        snooze_choices => super::tasks::snooze_choices(today),
        project_tasks => project_tasks
            .iter()
            .filter(|r| account.as_deref().is_none_or(|a| r.account.as_str() == a))
            .map(|r| context! {
                project => r.project, project_title => r.project_title, account => r.account.as_str(),
                id => r.task.id, name => r.task.name, start => r.task.start.to_string(), finish => r.task.due.to_string(),
                critical => r.task.critical, started => r.task.actual_start.is_some(),
                late => (r.task.late_days > 0).then(|| steward_domain::words::count(r.task.late_days, "business day late", "business days late")),
            })
            .collect::<Vec<_>>(),
        done => super::tasks::just_done(&app, &viewer, q.done).await?,
        today => today.to_string(),
    };
    let title = match other {
        Some(_) => format!("{}'s work", who.name),
        None => "My work".to_owned(),
    };
    render("work.html", &viewer, if other.is_some() { "/team" } else { "/work" }, &title, page)
}
