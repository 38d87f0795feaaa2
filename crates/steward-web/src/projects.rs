//! The project rules pages and the API share: who may see a project, and recording a task's
//! start or finish (with its version, so a change made meanwhile is a conflict).

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

/// Records that task `task` of project `id` started or finished, as `user`, against the
/// task's `version`; returns the project's account.
pub fn record(
    store: &dyn Store,
    user: &User,
    id: Id,
    task: Id,
    version: i64,
    started: Option<NaiveDate>,
    finished: Option<NaiveDate>,
) -> Result<Slug, WebError> {
    let (project, account, _) = load(store, user, id)?;
    let t = project.task(task).ok_or_else(|| WebError::NotFound(format!("task {task} of project {id}")))?;
    if !authz::may_record(user, &account, t) {
        return Err(WebError::Forbidden);
    }
    if version != t.version {
        return Err(
            steward_store::StoreError::Conflict { what: format!("project task {task}"), current: t.version }.into()
        );
    }
    if started.is_none() && finished.is_none() {
        return Err(WebError::field("started", "give the day it started or the day it was done"));
    }
    steward_health::projects::record(store, task, started, finished)?;
    Ok(account.slug)
}
