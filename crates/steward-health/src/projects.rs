//! Implementation projects at work: starting one from a template with its owners, the
//! events that complete tasks, go-live making an account live, and the alerts that reach
//! the project owner's queue.

use chrono::{DateTime, NaiveDate, Utc};
use steward_domain::import::{ImportKind, ImportStatus};
use steward_domain::project::{self, CompletedBy, Project, ProjectStatus, ProjectTaskEdit, Template};
use steward_domain::schedule::Calendar;
use steward_domain::{Department, Email, NewTask, Priority, Role, Slug, TaskSource};
use steward_store::{GoLive, ProjectFilter, Store, StoreError, TaskCreated};

/// Who a department's tasks go to: its first active colleague by name (nobody when it has
/// none, and the task waits in the department's view).
pub fn department_owners(store: &dyn Store) -> steward_store::Result<impl Fn(Department) -> Option<Email>> {
    let mut colleagues: Vec<_> = store
        .users()?
        .into_iter()
        .filter(|u| u.active && u.role == Role::Colleague && u.department.is_some())
        .collect();
    colleagues.sort_by(|a, b| a.name.cmp(&b.name).then_with(|| a.email.cmp(&b.email)));
    Ok(move |d: Department| colleagues.iter().find(|u| u.department == Some(d)).map(|u| u.email.clone()))
}

/// A project from `template` for `account`, starting on `start`, owned by `owner` (the
/// account's owner when none is given); its baseline is the plan as it stands today.
pub fn start(
    store: &dyn Store,
    template: &Template,
    account: &Slug,
    start: NaiveDate,
    owner: Option<Email>,
    calendar: &Calendar,
) -> steward_store::Result<Project> {
    let owner = match owner {
        Some(o) => Some(o),
        None => store.account(account)?.owner,
    };
    let new = project::plan(template, account.clone(), owner, start, calendar, department_owners(store)?)
        .map_err(StoreError::Invalid)?;
    store.create_project(&new)
}

/// Records a task's start or finish (`started` / `finished`) against the task's `version`
/// (`None`: as it is now), `by` whom; finishing a go-live task makes an implementing account
/// live from that day. A finish with no start recorded leaves the start to the schedule (its
/// duration back from the finish).
pub fn record(
    store: &dyn Store,
    task: steward_domain::Id,
    version: Option<i64>,
    (started, finished): (Option<NaiveDate>, Option<NaiveDate>),
    by: Option<&Email>,
) -> steward_store::Result<Project> {
    let project = store.project_with_task(task)?;
    let current = project.task(task).ok_or_else(|| StoreError::NotFound(format!("project task {task}")))?;
    let mut edit = ProjectTaskEdit::of(current);
    if started.is_some() {
        edit.actual_start = started;
    }
    if finished.is_some() {
        edit.actual_finish = finished;
    }
    let after = store.update_project_task(task, &edit, version.unwrap_or(current.version))?;
    if let (true, Some(day)) = (current.go_live, finished) {
        went_live(store, &after.account, day, by)?;
    }
    Ok(after)
}

/// Go-live done: an implementing account is live from `day` (its launch date) and its
/// contract bills from that day, in one transaction (`ContractStore::go_live`). When the
/// contract's start cannot move (amended, or it would overlap another term), the owner is
/// given a task saying why instead.
fn went_live(store: &dyn Store, account: &Slug, day: NaiveDate, by: Option<&Email>) -> steward_store::Result<()> {
    let note = steward_domain::ChangeNote::new(by.cloned(), format!("billing starts at go-live on {day}"));
    let GoLive::BillingKept { contract, start, reason } = store.go_live(account, day, &note)? else { return Ok(()) };
    let a = store.account(account)?;
    let task = NewTask {
        account: Some(account.clone()),
        title: format!("Contract {contract} still bills from {start}: {reason}"),
        detail: format!("{} went live on {day}; its contract's billing was not moved to that day.", a.name),
        department: a.owner.is_none().then_some(Department::Operations),
        owner: a.owner.clone(),
        due_date: Some(day),
        priority: Priority::High,
        escalation: false,
        for_renewal: false,
        source: TaskSource::Project,
        source_key: Some(format!("contract:{contract}:go-live")),
        objective: None,
    };
    store.create_task(&task).map(|_| ())
}

/// A dependency as read out: the task waited for, and the lag.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DependsOn {
    pub id: steward_domain::Id,
    pub lag_days: u32,
}

/// One task with its place in the schedule on the status date.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TaskView {
    pub id: steward_domain::Id,
    pub key: String,
    pub name: String,
    pub department: Option<Department>,
    pub client: bool,
    pub owner: Option<Email>,
    pub duration_days: u32,
    pub milestone: bool,
    pub depends_on: Vec<DependsOn>,
    pub start: NaiveDate,
    /// On the status date: a task not finished finishes today at the earliest.
    pub finish: NaiveDate,
    /// The day it should finish on what has happened (its start, or what it waits for, plus
    /// its duration), today aside: what "late" is measured from.
    pub due: NaiveDate,
    /// Business days past `due`, not yet done.
    pub late_days: i64,
    pub slack_days: i64,
    pub critical: bool,
    pub done: bool,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
    pub baseline_start: Option<NaiveDate>,
    pub baseline_finish: Option<NaiveDate>,
    /// Business days its finish moved past its baseline (negative: earlier).
    pub slip_days: Option<i64>,
    pub version: i64,
}

/// A project as people read it: the schedule on `today`, the end against its baseline,
/// and what its owner is being told.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ProjectView {
    pub id: steward_domain::Id,
    pub account: Slug,
    pub template: String,
    pub title: String,
    pub owner: Option<Email>,
    pub status: ProjectStatus,
    pub start_date: NaiveDate,
    pub today: NaiveDate,
    pub finish: NaiveDate,
    pub baseline_finish: Option<NaiveDate>,
    pub slip_days: Option<i64>,
    pub duration_days: i64,
    pub alerts: Vec<String>,
    pub tasks: Vec<TaskView>,
    pub version: i64,
}

impl ProjectView {
    pub fn of(p: &Project, calendar: &Calendar, today: NaiveDate) -> steward_store::Result<Self> {
        let plan = |e: steward_domain::schedule::PlanError| StoreError::Invalid(e.to_string());
        let s = p.schedule(calendar, Some(today)).map_err(plan)?;
        let as_happened = p.schedule(calendar, None).map_err(plan)?;
        let alerts = p.alerts(calendar, today).map_err(plan)?;
        let tasks = p
            .tasks
            .iter()
            .zip(&s.tasks)
            .zip(&as_happened.tasks)
            .map(|((t, at), due)| TaskView {
                id: t.id,
                key: t.key.clone(),
                name: t.name.clone(),
                department: t.department,
                client: t.client,
                owner: t.owner.clone(),
                duration_days: t.duration_days,
                milestone: t.duration_days == 0,
                depends_on: t.depends_on.iter().map(|l| DependsOn { id: l.on, lag_days: l.lag_days }).collect(),
                start: at.start,
                finish: at.finish,
                due: due.finish,
                late_days: if t.done() { 0 } else { steward_domain::schedule::days_late(calendar, due.finish, today) },
                slack_days: at.slack_days,
                critical: at.critical,
                done: at.done,
                actual_start: t.actual_start,
                actual_finish: t.actual_finish,
                baseline_start: t.baseline_start,
                baseline_finish: t.baseline_finish,
                slip_days: t.baseline_finish.map(|b| steward_domain::schedule::slip(calendar, b, at.finish)),
                version: t.version,
            })
            .collect::<Vec<_>>();
        let end = p.end_task().and_then(|e| tasks.iter().find(|t| t.id == e.id));
        Ok(Self {
            id: p.id,
            account: p.account.clone(),
            template: p.template.clone(),
            title: p.title.clone(),
            owner: p.owner.clone(),
            status: p.status,
            start_date: p.start_date,
            today,
            finish: s.finish,
            baseline_finish: end.and_then(|e| e.baseline_finish),
            slip_days: end.and_then(|e| e.slip_days),
            duration_days: s.duration_days,
            alerts: alerts.iter().map(|a| a.reason().to_owned()).collect(),
            tasks,
            version: p.version,
        })
    }
}

/// One project task in someone's queue of project work.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssignedTask {
    pub project: steward_domain::Id,
    pub project_title: String,
    pub account: Slug,
    pub task: TaskView,
}

/// The open tasks that are `who`'s in active projects — theirs, or nobody's and their
/// department's — across accounts, soonest due first.
pub fn assigned(
    store: &dyn Store,
    who: &steward_domain::User,
    calendar: &Calendar,
    today: NaiveDate,
) -> steward_store::Result<Vec<AssignedTask>> {
    let filter = ProjectFilter {
        task_owner: Some(who.email.clone()),
        task_department: who.department,
        status: Some(ProjectStatus::Active),
        ..ProjectFilter::default()
    };
    let mut rows = Vec::new();
    for p in store.projects(&filter)? {
        let theirs: Vec<steward_domain::Id> = p
            .tasks
            .iter()
            .filter(|t| !t.done() && t.is_assigned_to(&who.email, who.department))
            .map(|t| t.id)
            .collect();
        let view = ProjectView::of(&p, calendar, today)?;
        for t in view.tasks.into_iter().filter(|t| theirs.contains(&t.id)) {
            rows.push(AssignedTask {
                project: p.id,
                project_title: p.title.clone(),
                account: p.account.clone(),
                task: t,
            });
        }
    }
    rows.sort_by_key(|r| (r.task.due, r.project, r.task.id));
    Ok(rows)
}

/// What [`run`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ProjectRun {
    /// Tasks completed by an event: (project, task name, the day).
    pub completed: Vec<(steward_domain::Id, String, NaiveDate)>,
    /// Alerts opened in owners' queues (already open ones are not counted).
    pub alerts_opened: usize,
    /// Projects whose event could not be recorded this time (their plan changed meanwhile).
    pub skipped: Vec<steward_domain::Id>,
}

/// The work on active projects after new data, and daily: tasks an event completes (the
/// first eligibility file accepted after the project began), then the alerts of every
/// active project as of `today`, each a task in its owner's queue — one open task per
/// alert, however often this runs.
pub fn run(
    store: &dyn Store,
    calendar: &Calendar,
    today: NaiveDate,
    only: Option<&[Slug]>,
) -> steward_store::Result<ProjectRun> {
    let mut done = ProjectRun::default();
    let mut active = active_projects(store, only)?;
    for p in &mut active {
        let waiting: Vec<(steward_domain::Id, String, Option<NaiveDate>)> = p
            .tasks
            .iter()
            .filter(|t| !t.done() && t.completed_by == Some(CompletedBy::EligibilityFileAccepted))
            .map(|t| (t.id, t.name.clone(), t.actual_start))
            .collect();
        let accepted =
            if waiting.is_empty() { None } else { first_accepted_eligibility(store, &p.account, p.created_at)? };
        for (task, name, started) in waiting {
            if let Some(day) = accepted {
                // Not before the day it was recorded as started.
                let day = started.map_or(day, |s| day.max(s));
                match record(store, task, None, (None, Some(day)), None) {
                    Ok(updated) => {
                        done.completed.push((p.id, name, day));
                        *p = updated;
                    }
                    // One project's refusal (a plan changed meanwhile) stops neither the
                    // import's other work nor the other projects; the next run tries again.
                    Err(StoreError::Conflict { .. } | StoreError::Invalid(_)) => done.skipped.push(p.id),
                    Err(e) => return Err(e),
                }
            }
        }
        // A go-live recorded done whose account did not turn live (a change to the account
        // got there first) is put right here.
        if let Some(day) = p.tasks.iter().find(|t| t.go_live).and_then(|t| t.actual_finish) {
            went_live(store, &p.account, day, None)?;
        }
    }
    for p in &active {
        let alerts = p.alerts(calendar, today).map_err(|e| StoreError::Invalid(e.to_string()))?;
        for alert in alerts {
            let (key, title) = match &alert {
                project::Alert::Late { task, .. } => {
                    (format!("project:{}:late:{task}", p.id), alert.reason().to_owned())
                }
                project::Alert::EndMoves { .. } => (format!("project:{}:end", p.id), alert.reason().to_owned()),
            };
            let owner = match &p.owner {
                Some(o) => Some(o.clone()),
                None => store.account(&p.account)?.owner,
            };
            let task = NewTask {
                account: Some(p.account.clone()),
                title,
                detail: format!("From the project “{}” (project {}), as of {today}.", p.title, p.id),
                department: owner.is_none().then_some(Department::Operations),
                owner,
                due_date: Some(today),
                priority: Priority::High,
                escalation: false,
                for_renewal: false,
                source: TaskSource::Project,
                source_key: Some(key),
                objective: None,
            };
            if let TaskCreated::Created(_) = store.create_task(&task)? {
                done.alerts_opened += 1;
            }
        }
    }
    Ok(done)
}

/// The active projects of the accounts in `only` (every account's when `None`): an import's
/// work reads its own accounts' projects, not the company's.
fn active_projects(store: &dyn Store, only: Option<&[Slug]>) -> steward_store::Result<Vec<Project>> {
    let of = |account: Option<Slug>| ProjectFilter {
        account,
        status: Some(ProjectStatus::Active),
        ..ProjectFilter::default()
    };
    match only {
        None => store.projects(&of(None)),
        Some(slugs) => Ok(slugs
            .iter()
            .map(|s| store.projects(&of(Some(s.clone()))))
            .collect::<steward_store::Result<Vec<_>>>()?
            .into_iter()
            .flatten()
            .collect()),
    }
}

/// The day of the account's first eligibility file applied since `since`.
fn first_accepted_eligibility(
    store: &dyn Store,
    account: &Slug,
    since: DateTime<Utc>,
) -> steward_store::Result<Option<NaiveDate>> {
    Ok(store
        .imports(Some(account))?
        .into_iter()
        .filter(|b| b.kind == ImportKind::Eligibility && b.status == ImportStatus::Applied && b.created_at >= since)
        .map(|b| b.created_at.date_naive())
        .min())
}
