//! My work: the ranked queue with why each row is there; done, snooze and reassign inline.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::error::PageResult;
use axum::extract::State;
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::Task;

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

/// The kind of reason a row leads with, for the counts above the queue.
fn category(reason: &str) -> &'static str {
    match reason.split(' ').next().unwrap_or("") {
        "overdue" => "Overdue",
        "due" => "Due soon",
        "renewal" => "Renewal",
        "notice" => "Notice deadline",
        _ => "Other",
    }
}

pub async fn page(State(app): State<App>, viewer: Viewer) -> PageResult {
    authz::check(&viewer.user, Capability::Work)?;
    let today = app.today();
    let rows = app.work_queue(viewer.user.clone()).await?;
    let owners = app.run(|store| Ok(store.internal_users()?)).await?;
    let owners: Vec<(String, String)> = owners.into_iter().map(|u| (u.email.to_string(), u.name)).collect();
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    let queue: Vec<Value> = rows
        .iter()
        .map(|(r, task)| {
            *counts.entry(category(&r.reason)).or_default() += 1;
            context! { rank => r.rank, reason => r.reason, score => format!("{:.0}", r.score), task => task_row(task, today) }
        })
        .collect();
    let page = context! {
        queue => queue,
        counts => counts.into_iter().map(|(k, n)| context! { label => k, n }).collect::<Vec<_>>(),
        owners => owners.into_iter().map(|(email, name)| context! { email, name }).collect::<Vec<_>>(),
        snooze_default => (today + chrono::Days::new(7)).to_string(),
        today => today.to_string(),
    };
    render("work.html", &viewer, "/work", "My work", page)
}
