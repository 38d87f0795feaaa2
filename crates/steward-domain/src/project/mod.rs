//! Implementation projects (DOMAIN.md, "Implementation projects"): a plan made from a
//! template for an account, its tasks with their owners, the baseline frozen at launch and
//! what has happened since. The schedule is worked out from these whenever it is read
//! ([`Project::schedule`]) and never stored, so it cannot disagree with its inputs.

mod templates;

pub use templates::{After, Template, TemplateTask, Templates};

use crate::schedule::{self, Calendar, Link, PlanError, Schedule, Step};
use crate::text_enum::text_enum;
use crate::user::Department;
use crate::{Email, Id, Slug};
use chrono::{DateTime, NaiveDate, Utc};

text_enum! {
    /// Something that happens outside a project and completes one of its tasks.
    pub enum CompletedBy ("event") {
        /// The account's first eligibility file imported and accepted.
        EligibilityFileAccepted = "eligibility_file_accepted",
    }
}

text_enum! {
    pub enum ProjectStatus ("project status") {
        Active = "active",
        Done = "done",
        Cancelled = "cancelled",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProjectTask {
    pub id: Id,
    /// From the template (`feed_setup`); a task added later gets one of its own.
    pub key: String,
    pub name: String,
    pub department: Option<Department>,
    /// The client's own task, shown in their portal.
    pub client: bool,
    pub owner: Option<Email>,
    /// Business days; 0 for a milestone.
    pub duration_days: u32,
    pub depends_on: Vec<Link<Id>>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    /// As planned at launch; none for a task added after it.
    pub baseline_start: Option<NaiveDate>,
    pub baseline_finish: Option<NaiveDate>,
    pub completed_by: Option<CompletedBy>,
    /// Completing it makes an implementing account live.
    pub go_live: bool,
    pub version: i64,
}

impl ProjectTask {
    pub fn done(&self) -> bool {
        self.actual_finish.is_some()
    }

    pub fn is_assigned_to(&self, email: &Email, department: Option<Department>) -> bool {
        crate::task::assigned(self.owner.as_ref(), self.department, email, department)
    }

    /// "Eligibility feed set up (IT)": the task as a sentence names it.
    pub fn label(&self) -> String {
        match (self.client, self.department) {
            (true, _) => format!("{} (client)", self.name),
            (false, Some(d)) => format!("{} ({})", self.name, d.label()),
            (false, None) => self.name.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Project {
    pub id: Id,
    pub account: Slug,
    pub template: String,
    pub title: String,
    pub owner: Option<Email>,
    pub start_date: NaiveDate,
    pub status: ProjectStatus,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// In plan order.
    pub tasks: Vec<ProjectTask>,
}

impl Project {
    pub fn steps(&self) -> Vec<Step<Id>> {
        self.tasks
            .iter()
            .map(|t| Step {
                key: t.id,
                name: t.name.clone(),
                duration_days: t.duration_days,
                depends_on: t.depends_on.clone(),
                actual_start: t.actual_start,
                actual_finish: t.actual_finish,
            })
            .collect()
    }

    /// The schedule on `today` (the status date): what is late moves what follows it.
    pub fn schedule(&self, calendar: &Calendar, today: Option<NaiveDate>) -> Result<Schedule<Id>, PlanError> {
        schedule::schedule(&self.steps(), self.start_date, calendar, today)
    }

    pub fn task(&self, id: Id) -> Option<&ProjectTask> {
        self.tasks.iter().find(|t| t.id == id)
    }

    /// The task whose finish is the project's: its go-live, else the one planned last.
    pub fn end_task(&self) -> Option<&ProjectTask> {
        self.tasks
            .iter()
            .find(|t| t.go_live)
            .or_else(|| self.tasks.iter().filter(|t| t.baseline_finish.is_some()).max_by_key(|t| t.baseline_finish))
    }

    /// What the project owner should hear on `today`: the critical tasks that are late,
    /// and how far that — or any change to the plan — moves the end past its baseline.
    ///
    /// A task is late by its own doing: everything it waits for is done, and it has not
    /// finished by the day it would have on what has happened (its start, or its
    /// predecessors' finishes, plus its duration). The tasks queued behind it are not named:
    /// they move because of it.
    pub fn alerts(&self, calendar: &Calendar, today: NaiveDate) -> Result<Vec<Alert>, PlanError> {
        if self.status != ProjectStatus::Active {
            return Ok(Vec::new());
        }
        let now = self.schedule(calendar, Some(today))?;
        let as_happened = self.schedule(calendar, None)?;
        let ready = |t: &ProjectTask| t.depends_on.iter().all(|l| self.task(l.on).is_some_and(ProjectTask::done));
        let late: Vec<(&ProjectTask, i64)> = self
            .tasks
            .iter()
            .filter(|t| !t.done() && ready(t) && now.task(&t.id).is_some_and(|s| s.critical))
            .filter_map(|t| {
                let days = schedule::days_late(calendar, as_happened.task(&t.id)?.finish, today);
                (days > 0).then_some((t, days))
            })
            .collect();
        let late_by = |t: &ProjectTask, days: i64| format!("{} is {} late", t.label(), business_days(days));
        let mut alerts: Vec<Alert> = late
            .iter()
            .map(|&(t, days)| Alert::Late {
                task: t.id,
                days,
                reason: format!("{} and on the critical path", late_by(t, days)),
            })
            .collect();
        if let Some(end) = self.end_task()
            && let (Some(baseline), Some(planned)) = (end.baseline_finish, now.task(&end.id))
        {
            let slip = schedule::slip(calendar, baseline, planned.finish);
            if slip > 0 {
                let why = if late.is_empty() {
                    "the plan changed since launch".to_owned()
                } else {
                    late.iter().map(|&(t, days)| late_by(t, days)).collect::<Vec<_>>().join("; ")
                };
                let reason = format!("{} moves {}: {why}", end.name, business_days(slip));
                alerts.push(Alert::EndMoves { days: slip, reason });
            }
        }
        Ok(alerts)
    }
}

fn business_days(n: i64) -> String {
    crate::words::count(n, "business day", "business days")
}

/// Something the project's owner is told through a task in their queue.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub enum Alert {
    /// A critical task past the day it should have finished on what has happened.
    Late { task: Id, days: i64, reason: String },
    /// The project's end planned later than its baseline.
    EndMoves { days: i64, reason: String },
}

impl Alert {
    pub fn reason(&self) -> &str {
        match self {
            Alert::Late { reason, .. } | Alert::EndMoves { reason, .. } => reason,
        }
    }
}

/// A change to one task: its progress, who does it, how long it takes, what it waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectTaskEdit {
    pub name: String,
    pub owner: Option<Email>,
    pub duration_days: u32,
    pub depends_on: Vec<Link<Id>>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
}

impl ProjectTaskEdit {
    /// The task as it is, to change a field of.
    pub fn of(t: &ProjectTask) -> Self {
        Self {
            name: t.name.clone(),
            owner: t.owner.clone(),
            duration_days: t.duration_days,
            depends_on: t.depends_on.clone(),
            actual_start: t.actual_start,
            actual_finish: t.actual_finish,
        }
    }
}

impl Project {
    /// The project with `edit` made to task `id`, refused in words when the plan would
    /// not hold (a cycle, a link to a task of another project, a finish before its start).
    pub fn edited(&self, id: Id, edit: &ProjectTaskEdit) -> Result<Project, String> {
        use crate::input::{TextKind, date_field, text_field};
        let name = edit.name.trim().to_owned();
        text_field("a task's name", TextKind::Title, &name).map_err(|e| e.to_string())?;
        date_field("started", edit.actual_start).map_err(|e| e.to_string())?;
        date_field("finished", edit.actual_finish).map_err(|e| e.to_string())?;
        let mut p = self.clone();
        let t = p.tasks.iter_mut().find(|t| t.id == id).ok_or_else(|| format!("task {id} is not in this project"))?;
        (t.name, t.owner, t.duration_days) = (name, edit.owner.clone(), edit.duration_days);
        (t.depends_on, t.actual_start, t.actual_finish) =
            (edit.depends_on.clone(), edit.actual_start, edit.actual_finish);
        p.check()?;
        Ok(p)
    }

    /// The plan holds: links within the project, no cycle, durations bounded.
    pub fn check(&self) -> Result<(), String> {
        schedule::check(&self.steps()).map(|_| ()).map_err(|e| e.to_string())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProjectTask {
    pub key: String,
    pub name: String,
    pub department: Option<Department>,
    pub client: bool,
    pub owner: Option<Email>,
    pub duration_days: u32,
    /// By key, within the project.
    pub after: Vec<Link<String>>,
    pub completed_by: Option<CompletedBy>,
    pub go_live: bool,
    pub baseline_start: Option<NaiveDate>,
    pub baseline_finish: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProject {
    pub account: Slug,
    pub template: String,
    pub title: String,
    pub owner: Option<Email>,
    pub start_date: NaiveDate,
    pub tasks: Vec<NewProjectTask>,
}

/// A project planned from `template` for `account` from `start`: each task with its owner
/// (the department's person from `department_owner`, the project's owner for a task no
/// department does, nobody for the client's) and its baseline — the schedule as planned
/// now, frozen.
pub fn plan(
    template: &Template,
    account: Slug,
    owner: Option<Email>,
    start: NaiveDate,
    calendar: &Calendar,
    department_owner: impl Fn(Department) -> Option<Email>,
) -> Result<NewProject, String> {
    crate::input::date_field("the start", Some(start)).map_err(|e| e.to_string())?;
    let steps = template.steps()?;
    let planned = schedule::schedule(&steps, start, calendar, None).map_err(|e| e.to_string())?;
    let tasks = template
        .tasks
        .iter()
        .zip(steps)
        .zip(&planned.tasks)
        .map(|((t, step), at)| NewProjectTask {
            key: t.key.clone(),
            name: t.name.clone(),
            department: t.department,
            client: t.client,
            owner: match (t.client, t.department) {
                (true, _) => None,
                (false, Some(d)) => department_owner(d),
                (false, None) => owner.clone(),
            },
            duration_days: step.duration_days,
            after: step.depends_on,
            completed_by: t.completed_by,
            go_live: t.go_live,
            baseline_start: Some(at.start),
            baseline_finish: Some(at.finish),
        })
        .collect();
    Ok(NewProject {
        account,
        template: template.name.clone(),
        title: template.title.clone(),
        owner,
        start_date: planned.start,
        tasks,
    })
}

#[cfg(test)]
mod tests;
