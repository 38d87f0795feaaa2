//! Logging an activity and adding a task — the same rules for the pages and the API: the
//! user must be able to write the account, the contacts must be the account's, and a task's
//! owner must be an active internal user.

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use crate::forms::{checked_date, checked_text};
use chrono::NaiveDate;
use steward_domain::input::TextKind;
use steward_domain::{Activity, ActivityKind, Email, Id, NewActivity, NewTask, Priority, Task, TaskSource, User};
use steward_store::Store;

/// What someone wrote about a client interaction.
#[derive(Debug)]
pub struct ActivityInput {
    pub kind: ActivityKind,
    pub day: NaiveDate,
    pub summary: String,
    pub contact_ids: Vec<Id>,
}

pub fn log_activity(store: &dyn Store, user: &User, slug: &str, input: ActivityInput) -> Result<Activity, WebError> {
    let summary = checked_text("summary", TextKind::Summary, &input.summary)?;
    checked_date("occurred_on", Some(input.day))?;
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    let known: Vec<Id> = store.contacts(&account.slug)?.iter().map(|c| c.id).collect();
    if let Some(id) = input.contact_ids.iter().find(|id| !known.contains(id)) {
        return Err(WebError::field("contact_ids", format!("contact {id} is not one of this account's")));
    }
    // A day without a time of its own: noon keeps it on that day in every US time zone.
    let occurred_at = input.day.and_hms_opt(12, 0, 0).map_or_else(chrono::Utc::now, |t| t.and_utc());
    Ok(store.create_activity(&NewActivity {
        account: account.slug,
        kind: input.kind,
        occurred_at,
        author: Some(user.email.clone()),
        summary,
        contact_ids: input.contact_ids,
    })?)
}

#[derive(Debug)]
pub struct TaskInput {
    pub title: String,
    pub detail: String,
    /// The user themselves when `None`.
    pub owner: Option<Email>,
    pub due_date: Option<NaiveDate>,
    pub priority: Option<Priority>,
    /// The task serves the account's renewal (it takes the renewal's deadlines).
    pub for_renewal: bool,
    /// The success-plan objective it serves (one of the account's).
    pub objective: Option<Id>,
}

pub fn add_task(store: &dyn Store, user: &User, slug: &str, input: TaskInput) -> Result<Task, WebError> {
    let title = checked_text("title", TextKind::Title, &input.title)?;
    let detail = checked_text("detail", TextKind::Summary, &input.detail)?;
    checked_date("due_date", input.due_date)?;
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    if let Some(id) = input.objective {
        match store.objective(id) {
            Ok(o) if o.account == account.slug && !o.closed => {}
            Ok(o) if o.account == account.slug => {
                return Err(WebError::field("objective", format!("objective {id} is closed; reopen it first")));
            }
            _ => {
                return Err(WebError::field(
                    "objective",
                    format!("objective {id} is not in this account's success plan"),
                ));
            }
        }
    }
    let owner = input.owner.unwrap_or_else(|| user.email.clone());
    match store.user(&owner) {
        Ok(u) if authz::may_own_tasks(&u) => {}
        _ => return Err(WebError::field("owner", "choose an active colleague, account manager or director")),
    }
    let created = store.create_task(&NewTask {
        account: Some(account.slug),
        title,
        detail,
        owner: Some(owner),
        department: None,
        due_date: input.due_date,
        priority: input.priority.unwrap_or(Priority::Normal),
        escalation: false,
        for_renewal: input.for_renewal,
        source: TaskSource::Manual,
        source_key: None,
        objective: input.objective,
    })?;
    Ok(created.task().clone())
}
