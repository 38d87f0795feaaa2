//! A task's own page — its notes, the facts it was opened on, who holds it — and the actions
//! on it from any page: done (and undo), snooze (and wake), reassign with a note. Each
//! names the version it saw: a task someone changed meanwhile is a conflict, never
//! overwritten. A refused snooze or reassignment comes back on the task's page with the
//! problem beside the field and what was entered kept.

use super::account::FormState;
use super::{conflict_page, render};
use crate::app::App;
use crate::auth::Viewer;
use crate::auth::safe_path;
use crate::authz;
use crate::error::{PageError, PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::tasks::{Change, apply};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::{Email, Task, User, words};

#[derive(Debug, serde::Deserialize)]
pub struct TaskAction {
    version: i64,
    #[serde(default)]
    back: String,
    /// Snooze until this day (YYYY-MM-DD).
    #[serde(default)]
    until: String,
    /// Reassign to this user.
    #[serde(default)]
    owner: String,
    /// A note for whoever gets the task.
    #[serde(default)]
    note: String,
}

/// The snooze choices offered, as (label, date): the dates in the app's one format.
pub fn snooze_choices(today: NaiveDate) -> Vec<Value> {
    [(1, "Tomorrow"), (3, "3 days"), (7, "1 week"), (14, "2 weeks"), (30, "1 month")]
        .into_iter()
        .map(|(n, label)| {
            let day = today + chrono::Days::new(n);
            context! { value => day.to_string(), short => label, label => format!("{label} · {}", day.format("%a %Y-%m-%d")) }
        })
        .collect()
}

/// Everyone a task can go to, told apart by more than a first name.
fn people(users: Vec<User>) -> Vec<Value> {
    users
        .into_iter()
        .filter(authz::may_own_tasks)
        .map(|u| {
            let department = u.department.map(|d| crate::views::words(d.as_str()));
            let role = crate::views::words(u.role.as_str());
            let about = department.map_or(role.clone(), |d| format!("{d} · {role}"));
            context! { email => u.email.as_str(), label => format!("{} — {about}", u.name) }
        })
        .collect()
}

/// Where the task came from, in words.
fn origin(t: &Task) -> String {
    let created = t.created_at.date_naive();
    match t.source {
        steward_domain::TaskSource::Playbook => format!("Opened by a playbook on {created}"),
        steward_domain::TaskSource::Project => format!("Opened by a project on {created}"),
        steward_domain::TaskSource::Manual => format!("Added on {created}"),
    }
}

/// The task's page, with a form's problems and entries when it comes back refused.
async fn show(app: &App, viewer: &Viewer, id: i64, refused: Option<FormState>) -> PageResult {
    let user = viewer.user.clone();
    let (task, users, may_change) = app
        .run(move |store| {
            let task = store.task(id)?;
            if !authz::may_see_task(&user, &task) {
                return Err(authz::refusal(&user, &format!("task {id}")));
            }
            let may_change = crate::tasks::changeable(store, &user, id).is_ok();
            Ok((task, store.internal_users()?, may_change))
        })
        .await?;
    let today = app.today();
    // The holder is one of the people a task can go to.
    let owner = task.owner.as_ref().and_then(|e| users.iter().find(|u| &u.email == e)).map(|u| u.name.clone());
    let FormState { form, values, errors } = refused.unwrap_or_default();
    let due = task.due_date.map(|d| format!("{d} ({})", words::from_today((d - today).num_days())));
    let page = context! {
        task => super::work::task_row(&task, today),
        notes => task.detail.split("\n\n").filter(|p| !p.trim().is_empty()).collect::<Vec<_>>(),
        status => task.status.as_str(),
        due => due,
        owner => owner.or(task.owner.as_ref().map(|e| e.to_string())),
        origin => origin(&task),
        for_renewal => task.for_renewal,
        may_change => may_change,
        people => people(users),
        snooze_choices => snooze_choices(today),
        form => form,
        values => values,
        errors => errors,
    };
    let mut response = render("task.html", viewer, "/work", &task.title, page)?;
    if !form.is_empty() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    show(&app, &viewer, id, None).await
}

/// `back` with `key=value` added to its query (before any fragment).
fn with_param(back: &str, key: &str, value: i64) -> String {
    let (path, fragment) = back.split_once('#').map_or((back, None), |(p, f)| (p, Some(f)));
    let joint = if path.contains('?') { '&' } else { '?' };
    let fragment = fragment.map(|f| format!("#{f}")).unwrap_or_default();
    format!("{path}{joint}{key}={value}{fragment}")
}

/// How long after marking a task done the page it came from offers to undo it.
const UNDO_MINUTES: i64 = 10;

/// The task `done` names, for the page's "Undo" notice: when it is done, by a change in the
/// last few minutes, and the viewer may reopen it.
pub async fn just_done(app: &App, viewer: &Viewer, done: Option<i64>) -> Result<Option<Value>, WebError> {
    let Some(id) = done else { return Ok(None) };
    let user = viewer.user.clone();
    let task = app.run(move |store| Ok(crate::tasks::changeable(store, &user, id).ok())).await?;
    let recent = |t: &Task| {
        t.status == steward_domain::TaskStatus::Done
            && t.closed_at.is_some_and(|at| chrono::Utc::now() - at < chrono::Duration::minutes(UNDO_MINUTES))
    };
    Ok(task.filter(recent).map(|t| context! { id => t.id, version => t.version, title => t.title }))
}

async fn act(app: App, viewer: Viewer, id: i64, form: TaskAction, change: Change) -> Result<(Task, String), PageError> {
    let back = safe_path(&form.back, "/work").to_owned();
    let user = viewer.user.clone();
    let version = form.version;
    let task =
        app.run(move |store| apply(store, &user, id, version, change)).await.map_err(|e| conflict_page(e, &back))?;
    if let Some(account) = &task.account {
        app.account_changed(account).await;
    }
    Ok((task, back))
}

/// A refused entry goes back to the task's page with the problem beside its field.
async fn refused(
    app: &App,
    viewer: &Viewer,
    id: i64,
    form: &'static str,
    values: BTreeMap<String, String>,
    e: PageError,
) -> PageResult {
    let errors = super::refused_fields(e.0, None)?;
    show(app, viewer, id, Some(FormState { form, values, errors })).await
}

pub async fn complete(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let (task, back) = act(app, viewer, id, form, Change::Complete).await?;
    // The page it came from offers to undo it.
    Ok(Redirect::to(&with_param(&back, "done", task.id)).into_response())
}

pub async fn reopen(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let (_, back) = act(app, viewer, id, form, Change::Reopen).await?;
    Ok(Redirect::to(&back).into_response())
}

pub async fn wake(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let (_, back) = act(app, viewer, id, form, Change::Wake).await?;
    Ok(Redirect::to(&back).into_response())
}

pub async fn snooze(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let values = BTreeMap::from([("until".to_owned(), form.until.clone())]);
    let until = NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::field("until", "write the day as YYYY-MM-DD, e.g. 2026-12-09"))
        .and_then(|d| crate::tasks::snooze_until(d, app.today()));
    act_on_entry(app, viewer, id, form, until.map(Change::Snooze), "snooze", values).await
}

pub async fn reassign(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let values = BTreeMap::from([("owner".to_owned(), form.owner.clone()), ("note".to_owned(), form.note.clone())]);
    let change =
        Email::parse(form.owner.trim()).map_err(|_| WebError::field("owner", "choose who should do it")).map(|owner| {
            Change::Reassign { owner, note: steward_domain::input::normalize_newlines(&form.note), on: app.today() }
        });
    act_on_entry(app, viewer, id, form, change, "reassign", values).await
}

/// A change read from what someone entered in `form_name`: made and back where they came
/// from, or — refused, by the entry or by the task — the task's page with the problem.
async fn act_on_entry(
    app: App,
    viewer: Viewer,
    id: i64,
    form: TaskAction,
    change: Result<Change, WebError>,
    form_name: &'static str,
    values: BTreeMap<String, String>,
) -> PageResult {
    let done = match change {
        Ok(change) => act(app.clone(), viewer.clone(), id, form, change).await,
        Err(e) => Err(PageError(e)),
    };
    match done {
        Ok((_, back)) => Ok(Redirect::to(&back).into_response()),
        Err(e) => refused(&app, &viewer, id, form_name, values, e).await,
    }
}
