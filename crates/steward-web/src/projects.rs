//! The project rules pages and the API share: who may see a project, recording a task's
//! start or finish against the version the caller saw, and what follows any change.

use crate::app::App;
use crate::authz;
use crate::error::WebError;
use chrono::NaiveDate;
use steward_domain::project::Project;
use steward_domain::{Account, Id, Role, Slug, User};
use steward_store::Store;

/// The project and its account, for a user who may see it, and whether they may change its
/// plan. A client is told it does not exist.
pub fn load(store: &dyn Store, user: &User, id: Id) -> Result<(Project, Account, bool), WebError> {
    let project = store.project(id).map_err(|e| match user.role {
        Role::Client => WebError::NotFound(format!("project {id}")),
        _ => e.into(),
    })?;
    let account = store.account(&project.account)?;
    let (see, plan) = authz::project_rights(user, &account, &project);
    if !see {
        return Err(authz::refusal(user, &format!("project {id}")));
    }
    Ok((project, account, plan))
}

/// Records that `task` (of `project`, when the caller named one) started or finished, as
/// `user`, against the task's `version`; returns the project's account. Whoever does the
/// task may (a client, their own tasks), and whoever may write the account. `days` reads
/// the (started, finished) days from the request only once the caller may and the version
/// is current, so nobody learns more from a refusal than they may.
pub fn record(
    store: &dyn Store,
    user: &User,
    project: Option<Id>,
    task: Id,
    version: i64,
    days: impl FnOnce() -> Result<(Option<NaiveDate>, Option<NaiveDate>), WebError>,
) -> Result<Slug, WebError> {
    let missing = || WebError::NotFound(format!("project task {task}"));
    let p = store.project_with_task(task).map_err(|_| missing())?;
    if project.is_some_and(|id| id != p.id) {
        return Err(missing());
    }
    let account = store.account(&p.account)?;
    let t = p.task(task).ok_or_else(missing)?;
    if !authz::may_record(user, &account, t) {
        return Err(authz::refusal(user, &format!("project task {task}")));
    }
    if version != t.version {
        return Err(
            steward_store::StoreError::Conflict { what: format!("project task {task}"), current: t.version }.into()
        );
    }
    let (started, finished) = days()?;
    if started.is_none() && finished.is_none() {
        return Err(WebError::field("started", "give the day it started or the day it was done"));
    }
    steward_health::projects::record(store, task, Some(version), (started, finished), Some(&user.email))?;
    Ok(account.slug)
}

/// After any change to a project of `account`: its alerts as of today (a go-live that moved
/// reaches its owner's queue now), and the account's row in the book.
pub async fn after_change(app: &App, account: &Slug) -> Result<(), WebError> {
    let (calendar, today, slug) = (app.config().calendar.clone(), app.today(), account.clone());
    app.run(move |store| Ok(steward_health::projects::run(store, &calendar, today, Some(&[slug]))?)).await?;
    app.account_changed(account).await;
    Ok(())
}
