use crate::{Department, Email, Id, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, NaiveDate, Utc};

text_enum! {
    pub enum TaskStatus ("task status") {
        Open = "open",
        Done = "done",
        Dismissed = "dismissed",
    }
}

text_enum! {
    /// Where a task came from; playbook and project tasks carry a source key.
    pub enum TaskSource ("task source") {
        Manual = "manual",
        Playbook = "playbook",
        Project = "project",
    }
}

text_enum! {
    pub enum Priority ("priority") {
        Low = "low",
        Normal = "normal",
        High = "high",
        Urgent = "urgent",
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Task {
    pub id: Id,
    pub account: Option<Slug>,
    pub title: String,
    pub detail: String,
    pub owner: Option<Email>,
    pub department: Option<Department>,
    pub due_date: Option<NaiveDate>,
    pub status: TaskStatus,
    pub priority: Priority,
    pub escalation: bool,
    /// The task serves the account's renewal: the renewal's deadlines are its own.
    pub for_renewal: bool,
    pub source: TaskSource,
    /// Identifies what created the task (e.g. a playbook rule and account), so the same
    /// trigger never opens a second task while one is open.
    pub source_key: Option<String>,
    /// The success-plan objective the task serves.
    pub objective: Option<Id>,
    pub closed_at: Option<DateTime<Utc>>,
    /// An open task leaves the work queue until this day.
    pub snoozed_until: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewTask {
    pub account: Option<Slug>,
    pub title: String,
    pub detail: String,
    pub owner: Option<Email>,
    pub department: Option<Department>,
    pub due_date: Option<NaiveDate>,
    pub priority: Priority,
    pub escalation: bool,
    /// The task serves the account's renewal: the renewal's deadlines are its own.
    pub for_renewal: bool,
    pub source: TaskSource,
    pub source_key: Option<String>,
    /// The success-plan objective the task serves (one of the task's account's).
    pub objective: Option<Id>,
}

/// Work is someone's when it is theirs, or nobody's and their department's.
pub fn assigned(
    owner: Option<&Email>,
    department: Option<Department>,
    email: &Email,
    theirs: Option<Department>,
) -> bool {
    owner == Some(email) || (owner.is_none() && department.is_some() && department == theirs)
}

impl Task {
    /// Whether the task is this person's to do: theirs, or their department's unowned task.
    pub fn is_assigned_to(&self, email: &Email, department: Option<Department>) -> bool {
        assigned(self.owner.as_ref(), self.department, email, department)
    }

    /// Whether the task waits in the work queue on `today` (open and not snoozed past it).
    pub fn is_actionable(&self, today: NaiveDate) -> bool {
        self.status == TaskStatus::Open && self.snoozed_until.is_none_or(|d| d <= today)
    }
}

/// Who does an open task and by when, and its notes: what reassigning or snoozing changes.
#[derive(Debug, Clone, PartialEq)]
pub struct TaskAssignment {
    pub owner: Option<Email>,
    pub department: Option<Department>,
    pub due_date: Option<NaiveDate>,
    pub snoozed_until: Option<NaiveDate>,
    /// The task's notes; a reassignment's note is added to them.
    pub detail: String,
}

impl TaskAssignment {
    pub fn of(task: &Task) -> Self {
        Self {
            owner: task.owner.clone(),
            department: task.department,
            due_date: task.due_date,
            snoozed_until: task.snoozed_until,
            detail: task.detail.clone(),
        }
    }

    /// The assignment with `note` added to the task's notes, signed and dated.
    pub fn with_note(mut self, note: &str, by: &str, on: NaiveDate) -> Self {
        let note = note.trim();
        if !note.is_empty() {
            let line = format!("{note} — {by}, {on}");
            self.detail = if self.detail.trim().is_empty() { line } else { format!("{}\n\n{line}", self.detail) };
        }
        self
    }

    pub fn validate(&self) -> Result<(), ParseError> {
        if self.owner.is_none() && self.department.is_none() {
            return Err(ParseError::new("a task needs an owner or a department"));
        }
        crate::input::date_field("the due date", self.due_date)?;
        crate::input::date_field("the snooze date", self.snoozed_until)?;
        crate::input::text_field("the task's notes", crate::input::TextKind::Summary, &self.detail)
    }
}

impl NewTask {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.title.trim().is_empty() {
            return Err(ParseError::new("a task needs a title"));
        }
        if self.owner.is_none() && self.department.is_none() {
            return Err(ParseError::new("a task needs an owner or a department"));
        }
        if self.source != TaskSource::Manual && self.source_key.is_none() {
            return Err(ParseError::new("playbook and project tasks need a source key"));
        }
        crate::input::text_field("the title", crate::input::TextKind::Title, &self.title)?;
        crate::input::text_field("the detail", crate::input::TextKind::Summary, &self.detail)?;
        crate::input::date_field("the due date", self.due_date)
    }
}
