//! An implementation project's page: its schedule as a Gantt chart and a table, the alerts
//! its owner is given, and — for whoever does a task — recording its start and finish; for
//! whoever may write the account, changing the plan (a task's name, owner, length and what
//! it waits for; adding and removing tasks; closing the project) and starting a project from
//! a template on Account 360. Every change is checked as a whole plan (a cycle is refused,
//! naming its tasks) and followed by the project alerts, so a change that moves go-live
//! reaches its owner's queue at once.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz;
use crate::error::{PageError, PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::forms::FieldErrors;
use crate::gantt::{Bar, gantt};
use crate::projects::load;
use crate::views;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use minijinja::{Value, context};
use steward_domain::project::{NewProjectTask, ProjectStatus, ProjectTaskEdit};
use steward_domain::schedule::Link;
use steward_domain::{Account, Department, Email, Id, Slug, User};
use steward_health::projects::ProjectView;

/// A posted form as its fields, in order: "waits for" repeats its field once per task.
type Fields = Vec<(String, String)>;

fn field<'a>(fields: &'a Fields, name: &str) -> &'a str {
    fields.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim())
}

/// A date field, read as every form reads one ([`FieldErrors::date`]).
fn date(fields: &Fields, name: &str) -> Result<Option<NaiveDate>, WebError> {
    let mut errors = FieldErrors::default();
    let day = errors.date(name, field(fields, name));
    errors.check().map(|()| day)
}

/// A required field of a domain type ([`FieldErrors::parse`]).
fn number<T: std::str::FromStr>(fields: &Fields, name: &str, what: &str) -> Result<T, WebError> {
    let mut errors = FieldErrors::default();
    let value = errors.parse(name, field(fields, name), what);
    errors.check()?;
    value.ok_or_else(|| WebError::field(name, format!("{what} is required")))
}

fn version(fields: &Fields) -> Result<i64, WebError> {
    number(fields, "version", "version")
}

/// The tasks a task waits for, from the repeated `after` field (task ids).
fn after(fields: &Fields) -> Result<Vec<Id>, WebError> {
    fields
        .iter()
        .filter(|(k, _)| k == "after")
        .map(|(_, v)| v.parse().map_err(|_| WebError::field("after", "choose tasks of this project")))
        .collect()
}

fn who(t: &steward_health::projects::TaskView, names: &std::collections::HashMap<Email, String>) -> String {
    match (t.client, t.department, &t.owner) {
        (true, _, _) => "The client".into(),
        (false, _, Some(e)) => names.get(e).cloned().unwrap_or_else(|| e.to_string()),
        (false, Some(d), None) => format!("{} (anyone)", d.label()),
        (false, None, None) => "Nobody yet".into(),
    }
}

/// `recordable`: the tasks the viewer may mark started or done.
fn view(
    view: &ProjectView,
    account: &Account,
    users: &[User],
    recordable: &[Id],
    plan: bool,
    error: Option<String>,
) -> Value {
    let names: std::collections::HashMap<Email, String> =
        users.iter().map(|u| (u.email.clone(), u.name.clone())).collect();
    let label =
        |id: Id| view.tasks.iter().find(|t| t.id == id).map_or_else(|| format!("task {id}"), |t| t.name.clone());
    let bars: Vec<Bar> = view
        .tasks
        .iter()
        .map(|t| Bar {
            id: t.id,
            label: &t.name,
            start: t.start,
            finish: t.finish,
            baseline: t.baseline_start.zip(t.baseline_finish),
            critical: t.critical,
            done: t.done,
            milestone: t.milestone,
            depends_on: t.depends_on.iter().map(|d| d.id).collect(),
        })
        .collect();
    let project = context! {
        id => view.id, title => view.title, status => view.status.as_str(), version => view.version,
        template => views::words(&view.template),
        owner => view.owner.as_ref().map(|e| names.get(e).cloned().unwrap_or_else(|| e.to_string())),
        start => view.start_date.to_string(), finish => view.finish.to_string(),
        baseline_finish => view.baseline_finish.map(|d| d.to_string()),
        slip => view.slip_days.filter(|n| *n != 0).map(|n| {
            let days = steward_domain::words::count(n.abs(), "business day", "business days");
            if n > 0 { format!("{days} later than planned") } else { format!("{days} earlier than planned") }
        }),
        late => view.slip_days.is_some_and(|n| n > 0),
        today => view.today.to_string(),
        active => view.status == ProjectStatus::Active,
    };
    let tasks: Vec<Value> = view
        .tasks
        .iter()
        .map(|t| {
            context! {
                id => t.id, name => t.name, who => who(t, &names), days => t.duration_days, milestone => t.milestone,
                start => t.start.to_string(), finish => t.finish.to_string(), slack => t.slack_days,
                critical => t.critical, done => t.done, version => t.version,
                started => t.actual_start.map(|d| d.to_string()), finished => t.actual_finish.map(|d| d.to_string()),
                baseline_finish => t.baseline_finish.map(|d| d.to_string()),
                slip => t.slip_days.filter(|n| *n != 0).map(|n| format!("{n:+} business days")),
                waits_for => t.depends_on.iter().map(|d| {
                    if d.lag_days > 0 { format!("{} + {} days", label(d.id), d.lag_days) } else { label(d.id) }
                }).collect::<Vec<_>>(),
                depends_on => t.depends_on.iter().map(|d| d.id).collect::<Vec<_>>(),
                owner => t.owner.as_ref().map(Email::as_str),
                record => recordable.contains(&t.id),
            }
        })
        .collect();
    context! {
        account => context! { slug => account.slug.as_str(), name => account.name },
        project, tasks, plan, error,
        alerts => view.alerts,
        chart => gantt(&format!("Schedule of {}", view.title), &bars, view.today),
        people => users.iter().filter(|u| authz::may_own_tasks(u)).map(|u| context! {
            email => u.email.as_str(),
            label => format!("{} — {}", u.name, u.department.map_or_else(|| views::words(u.role.as_str()), |d| d.label().to_owned())),
        }).collect::<Vec<_>>(),
        departments => Department::ALL.iter().map(|d| context! { value => d.as_str(), label => d.label() }).collect::<Vec<_>>(),
    }
}

async fn show(app: &App, viewer: &Viewer, id: Id, error: Option<String>) -> PageResult {
    let (user, calendar, today) = (viewer.user.clone(), app.config().calendar.clone(), app.today());
    let refused = error.is_some();
    let (project_view, account, users, recordable, plan) = app
        .run(move |store| {
            let (project, account, plan) = load(store, &user, id)?;
            let v = ProjectView::of(&project, &calendar, today)?;
            let recordable: Vec<Id> =
                project.tasks.iter().filter(|t| authz::may_record(&user, &account, t)).map(|t| t.id).collect();
            Ok((v, account, store.internal_users()?, recordable, plan))
        })
        .await?;
    let title = format!("{} · {}", project_view.title, account.name);
    let page = view(&project_view, &account, &users, &recordable, plan, error);
    let mut response = render("project.html", viewer, "", &title, page)?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    show(&app, &viewer, id, None).await
}

/// After a change: the project's alerts as of today (a moved go-live reaches its owner's
/// queue now), then the project page — or the page again with the refusal at its top.
async fn finish(app: &App, viewer: &Viewer, id: Id, done: Result<Slug, WebError>) -> PageResult {
    match done {
        Ok(account) => {
            crate::projects::after_change(app, &account).await?;
            Ok(Redirect::to(&format!("/projects/{id}")).into_response())
        }
        Err(e) => {
            let fields = super::refused_fields(e, Some(&format!("/projects/{id}")))?;
            let message = fields.into_values().collect::<Vec<_>>().join("; ");
            show(app, viewer, id, Some(message)).await
        }
    }
}

/// Started or done: whoever does the task, or may write the account.
pub async fn progress(
    State(app): State<App>,
    Path((id, task)): Path<(Id, Id)>,
    Signed { viewer, form }: Signed<Fields>,
) -> PageResult {
    let user = viewer.user.clone();
    let done = app
        .run(move |store| {
            // One day, and which it was: the day work began, or the day it was done.
            let days = || {
                let on =
                    date(&form, "on")?.ok_or_else(|| WebError::field("on", "the day is a date like 2027-01-04"))?;
                match field(&form, "mark") {
                    "started" => Ok((Some(on), None)),
                    "done" => Ok((None, Some(on))),
                    _ => Err(WebError::field("mark", "say whether it started or is done")),
                }
            };
            crate::projects::record(store, &user, Some(id), task, version(&form)?, days)
        })
        .await;
    finish(&app, &viewer, id, done).await
}

/// A change to the plan by whoever may write the account, then [`finish`].
async fn change_plan<F>(app: &App, viewer: Viewer, id: Id, form: Fields, change: F) -> PageResult
where
    F: FnOnce(&dyn steward_store::Store, &steward_domain::project::Project, &Fields) -> Result<(), WebError>
        + Send
        + 'static,
{
    let user = viewer.user.clone();
    let done = app
        .run(move |store| {
            let (project, account, plan) = load(store, &user, id)?;
            if !plan {
                return Err(WebError::Forbidden);
            }
            change(store, &project, &form)?;
            Ok(account.slug)
        })
        .await;
    finish(app, &viewer, id, done).await
}

/// A task's name, owner, length and what it waits for (lags of links kept are kept).
pub async fn edit_task(
    State(app): State<App>,
    Path((id, task)): Path<(Id, Id)>,
    Signed { viewer, form }: Signed<Fields>,
) -> PageResult {
    change_plan(&app, viewer, id, form, move |store, project, form| {
        let t = project.task(task).ok_or_else(|| WebError::NotFound(format!("task {task} of project {id}")))?;
        let mut edit = ProjectTaskEdit::of(t);
        edit.name = field(form, "name").to_owned();
        edit.owner = match field(form, "owner") {
            "" => None,
            e => {
                let person = Email::parse(e).ok().and_then(|e| store.user(&e).ok());
                match person.filter(authz::may_own_tasks) {
                    Some(p) => Some(p.email),
                    None => return Err(WebError::field("owner", "choose a person who works here")),
                }
            }
        };
        edit.duration_days = number(form, "days", "number of business days")?;
        edit.depends_on = after(form)?
            .into_iter()
            .map(|on| t.depends_on.iter().find(|l| l.on == on).cloned().unwrap_or(Link { on, lag_days: 0 }))
            .collect();
        store.update_project_task(task, &edit, version(form)?)?;
        Ok(())
    })
    .await
}

/// A task added at the end of the plan, for a department, the client or the project's owner.
pub async fn add_task(
    State(app): State<App>,
    Path(id): Path<Id>,
    Signed { viewer, form }: Signed<Fields>,
) -> PageResult {
    change_plan(&app, viewer, id, form, move |store, project, form| {
        let name = field(form, "name").to_owned();
        if name.is_empty() {
            return Err(WebError::field("name", "a task needs a name"));
        }
        let (department, client) = match field(form, "who") {
            "client" => (None, true),
            "" | "owner" => (None, false),
            d => (Some(d.parse::<Department>().map_err(|e| WebError::field("who", e.to_string()))?), false),
        };
        let key_of = |on: Id| {
            project
                .task(on)
                .map(|t| t.key.clone())
                .ok_or_else(|| WebError::field("after", "choose tasks of this project"))
        };
        let new = NewProjectTask {
            key: format!("added_{}", project.tasks.iter().map(|t| t.id).max().unwrap_or(0) + 1),
            name,
            department,
            client,
            owner: (!client && department.is_none()).then(|| project.owner.clone()).flatten(),
            duration_days: number(form, "days", "number of business days")?,
            after: after(form)?
                .into_iter()
                .map(|on| Ok(Link { on: key_of(on)?, lag_days: 0 }))
                .collect::<Result<_, WebError>>()?,
            completed_by: None,
            go_live: false,
            baseline_start: None,
            baseline_finish: None,
        };
        store.add_project_task(id, &new, version(form)?)?;
        Ok(())
    })
    .await
}

pub async fn remove_task(
    State(app): State<App>,
    Path((id, task)): Path<(Id, Id)>,
    Signed { viewer, form }: Signed<Fields>,
) -> PageResult {
    change_plan(&app, viewer, id, form, move |store, project, form| {
        if project.task(task).is_none() {
            return Err(WebError::NotFound(format!("task {task} of project {id}")));
        }
        store.remove_project_task(task, version(form)?)?;
        Ok(())
    })
    .await
}

/// Done or cancelled (or active again).
pub async fn set_status(
    State(app): State<App>,
    Path(id): Path<Id>,
    Signed { viewer, form }: Signed<Fields>,
) -> PageResult {
    change_plan(&app, viewer, id, form, move |store, _, form| {
        let status: ProjectStatus = field(form, "status")
            .parse()
            .map_err(|e: steward_domain::ParseError| WebError::field("status", e.to_string()))?;
        store.set_project_status(id, status, version(form)?)?;
        Ok(())
    })
    .await
}

/// A project from a template for the account (Account 360's form); its owner is the
/// account's.
pub async fn start(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<Fields>,
) -> PageResult {
    let (user, calendar) = (viewer.user.clone(), app.config().calendar.clone());
    let templates = app.config().project_templates.clone();
    let made = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, authz::AccountAccess::Write)?;
            let template = templates
                .get(field(&form, "template"))
                .ok_or_else(|| WebError::field("template", "choose one of the templates"))?;
            let start =
                date(&form, "start")?.ok_or_else(|| WebError::field("start", "the start is a date like 2027-01-04"))?;
            Ok(steward_health::projects::start(store, template, &account.slug, start, None, &calendar)?)
        })
        .await
        .map_err(PageError)?;
    finish(&app, &viewer, made.id, Ok(made.account)).await
}
