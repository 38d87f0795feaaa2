//! An account's success plan as people read it: each objective with where it stands on
//! the metrics (`steward_domain::success_plan::progress`) and the tasks that serve it.

use chrono::NaiveDate;
use steward_domain::metrics::MonthMetrics;
use steward_domain::success_plan::{Objective, Progress, progress};
use steward_domain::{Slug, Task, TaskStatus};
use steward_store::{Store, TaskFilter};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObjectiveView {
    #[serde(flatten)]
    pub objective: Objective,
    pub progress: Progress,
    /// The tasks serving it, open ones first.
    pub tasks: Vec<Task>,
}

impl ObjectiveView {
    pub fn open_tasks(&self) -> usize {
        self.tasks.iter().filter(|t| t.status == TaskStatus::Open).count()
    }
}

/// `objectives` judged on `today` from the account's whole-account `metrics`, each with
/// those of `tasks` that serve it.
pub fn views(
    objectives: Vec<Objective>,
    metrics: &[MonthMetrics],
    tasks: &[Task],
    today: NaiveDate,
) -> Vec<ObjectiveView> {
    objectives
        .into_iter()
        .map(|o| {
            let series = steward_domain::trend::series(metrics, o.metric);
            let mut served: Vec<Task> = tasks.iter().filter(|t| t.objective == Some(o.id)).cloned().collect();
            served.sort_by_key(|t| t.status != TaskStatus::Open);
            ObjectiveView { progress: progress(&o, &series, today), objective: o, tasks: served }
        })
        .collect()
}

/// The account's success plan on `today`.
pub fn load(store: &dyn Store, account: &Slug, today: NaiveDate) -> steward_store::Result<Vec<ObjectiveView>> {
    let objectives = store.objectives(account)?;
    if objectives.is_empty() {
        return Ok(Vec::new());
    }
    let metrics = crate::history::whole_account_metrics(store, account)?;
    // Each objective's own tasks (an indexed read apiece), not every task the account had.
    let mut tasks = Vec::new();
    for o in &objectives {
        tasks.extend(store.tasks(&TaskFilter { objective: Some(o.id), ..TaskFilter::default() })?);
    }
    Ok(views(objectives, &metrics, &tasks, today))
}
