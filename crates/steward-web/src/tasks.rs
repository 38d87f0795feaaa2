//! Changing a task — complete, reopen, snooze, wake, reassign — for pages and the API alike, each
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
    /// Undoes a completion.
    Reopen,
    Snooze(chrono::NaiveDate),
    /// Ends a snooze: back in the queue today.
    Wake,
    /// To `owner`, with an optional note for them, added to the task's notes on `on`.
    Reassign {
        owner: Email,
        note: String,
        on: chrono::NaiveDate,
    },
}

pub fn apply(store: &dyn Store, user: &User, id: i64, version: i64, change: Change) -> Result<Task, WebError> {
    let task = changeable(store, user, id)?;
    let needs = if matches!(change, Change::Reopen) { TaskStatus::Done } else { TaskStatus::Open };
    if task.status != needs {
        return Err(WebError::Conflict {
            message: format!("Task “{}” is {} now.", task.title, task.status),
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
        Change::Reopen => store.set_task_status(id, TaskStatus::Open, version).map_err(|e| match e {
            steward_store::StoreError::Duplicate(_) => WebError::Conflict {
                message: format!("A playbook opened “{}” again meanwhile: that task is in the queue.", task.title),
                current: None,
            },
            other => stale(other),
        }),
        Change::Wake => {
            let assignment = TaskAssignment { snoozed_until: None, ..TaskAssignment::of(&task) };
            store.assign_task(id, &assignment, version).map_err(stale)
        }
        Change::Snooze(until) => {
            let assignment = TaskAssignment { snoozed_until: Some(until), ..TaskAssignment::of(&task) };
            store.assign_task(id, &assignment, version).map_err(stale)
        }
        Change::Reassign { owner, note, on } => {
            match store.user(&owner) {
                Ok(u) if authz::may_own_tasks(&u) => {}
                _ => return Err(WebError::field("owner", "choose an active colleague, account manager or director")),
            }
            crate::forms::checked_text("note", steward_domain::input::TextKind::Summary, &note)?;
            let assignment = TaskAssignment { owner: Some(owner), department: None, ..TaskAssignment::of(&task) }
                .with_note(&note, &user.name, on);
            if assignment.detail.chars().count() > steward_domain::input::TextKind::Summary.max_chars() {
                return Err(WebError::field("note", "the task's notes are full: shorten the note"));
            }
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
