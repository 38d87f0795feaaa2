//! Changing a task — complete, snooze, reassign — for pages and the API alike, each
//! naming the version the user saw: a task changed meanwhile is a conflict carrying the
//! task as it is now, never overwritten.

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use steward_domain::{Email, Task, TaskAssignment, TaskStatus, User};
use steward_store::Store;

/// The task, if the user may change it; a task on an account a client cannot see is
/// not found for them.
pub fn changeable(store: &dyn Store, user: &User, id: i64) -> Result<Task, WebError> {
    let task = store.task(id)?;
    let access = match &task.account {
        Some(slug) => {
            let account = store.account(slug)?;
            authz::account_access(user, &account, authz::is_assigned(user, &task))
        }
        None => AccountAccess::None,
    };
    if authz::may_change_task(user, &task, access) {
        Ok(task)
    } else {
        Err(authz::refusal(user, &format!("task {id}")))
    }
}

/// What a task action does to the task, given the version the user saw.
pub enum Change {
    Complete,
    Snooze(chrono::NaiveDate),
    Reassign(Email),
}

pub fn apply(store: &dyn Store, user: &User, id: i64, version: i64, change: Change) -> Result<Task, WebError> {
    let task = changeable(store, user, id)?;
    if task.status != TaskStatus::Open {
        return Err(WebError::Conflict {
            message: format!("task {id} is already {}.", task.status),
            current: serde_json::to_value(&task).ok(),
        });
    }
    let stale = |e: steward_store::StoreError| match e {
        steward_store::StoreError::Conflict { .. } => WebError::Conflict {
            message: format!("Task “{}” was changed by someone else meanwhile.", task.title),
            current: store.task(id).ok().and_then(|t| serde_json::to_value(&t).ok()),
        },
        other => other.into(),
    };
    match change {
        Change::Complete => store.set_task_status(id, TaskStatus::Done, version).map_err(stale),
        Change::Snooze(until) => {
            let assignment = TaskAssignment { snoozed_until: Some(until), ..TaskAssignment::of(&task) };
            store.assign_task(id, &assignment, version).map_err(stale)
        }
        Change::Reassign(owner) => {
            match store.user(&owner) {
                Ok(u) if authz::may_own_tasks(&u) => {}
                _ => return Err(WebError::field("owner", "choose an active colleague, account manager or director")),
            }
            let assignment = TaskAssignment { owner: Some(owner), department: None, ..TaskAssignment::of(&task) };
            store.assign_task(id, &assignment, version).map_err(stale)
        }
    }
}

/// A snooze date someone chose: after today, and a date anyone means.
pub fn snooze_until(until: chrono::NaiveDate, today: chrono::NaiveDate) -> Result<chrono::NaiveDate, WebError> {
    crate::forms::checked_date("until", Some(until))?;
    if until <= today {
        return Err(WebError::field("until", "snooze until a day after today"));
    }
    Ok(until)
}
