//! The schedule of an implementation project (DOMAIN.md, "Implementation projects"):
//! worked forward from the start date over business days, with finish-to-start dependencies
//! and lags, the critical path and each task's slack, and slip measured against a baseline.
//!
//! The method is the critical path method on business-day numbers ([`calendar::Days`]): a
//! task of `d` days that may start on day `s` occupies days `s .. s + d` (a milestone, of 0
//! days, happens on day `s`); a successor linked with lag `l` starts no earlier than day
//! `s + d + l`. The backward pass from the project's last day gives each task the latest
//! start that does not move that day; slack is the difference, and the critical tasks are
//! the ones without any.
//!
//! What has happened wins over the plan: a task's actual start and finish fix its days, and
//! on the status date (`today`) a task not started cannot start in the past and one not
//! finished cannot finish before today — which is how lateness moves everything after it.

pub mod calendar;

pub use calendar::{Calendar, Days};
use chrono::NaiveDate;
use std::collections::{BTreeSet, HashMap};
use std::fmt::Display;
use std::hash::Hash;

/// The longest task and lag accepted: two working years.
pub const MAX_DAYS: u32 = 520;

/// "Starts `lag_days` business days after `on` finishes."
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link<K> {
    pub on: K,
    #[serde(default)]
    pub lag_days: u32,
}

/// One task as the schedule needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step<K> {
    pub key: K,
    pub name: String,
    /// 0 for a milestone.
    pub duration_days: u32,
    pub depends_on: Vec<Link<K>>,
    pub actual_start: Option<NaiveDate>,
    pub actual_finish: Option<NaiveDate>,
}

impl<K> Step<K> {
    pub fn new(key: K, name: impl Into<String>, duration_days: u32, depends_on: Vec<Link<K>>) -> Self {
        Self { key, name: name.into(), duration_days, depends_on, actual_start: None, actual_finish: None }
    }

    pub fn is_milestone(&self) -> bool {
        self.duration_days == 0
    }
}

/// Why a plan cannot be scheduled; each names the tasks at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    #[error("two tasks are called {0}")]
    Duplicate(String),
    #[error("{task} depends on {on}, which is not a task of this plan")]
    UnknownDependency { task: String, on: String },
    #[error("{0} depends on itself")]
    OnItself(String),
    #[error("the dependencies go round in a cycle: {}", .0.join(" → "))]
    Cycle(Vec<String>),
    #[error("{task} lasts {days} business days; the most is {MAX_DAYS}")]
    TooLong { task: String, days: u32 },
    #[error("{task} finishes before it starts")]
    FinishBeforeStart { task: String },
}

/// A task's place in the schedule.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Scheduled<K> {
    pub key: K,
    pub start: NaiveDate,
    /// The last day worked on it (a milestone's day).
    pub finish: NaiveDate,
    /// Business days it can slip without moving the project's end.
    pub slack_days: i64,
    /// On the critical path: no slack (or less than none, when what has happened puts it
    /// behind what follows it), and not yet finished.
    pub critical: bool,
    pub done: bool,
}

/// Every task's dates, in the order the steps were given, and the project's end.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Schedule<K> {
    pub tasks: Vec<Scheduled<K>>,
    pub start: NaiveDate,
    pub finish: NaiveDate,
    /// Business days from the start to the end (the critical path's length).
    pub duration_days: i64,
}

impl<K: PartialEq> Schedule<K> {
    pub fn task(&self, key: &K) -> Option<&Scheduled<K>> {
        self.tasks.iter().find(|t| &t.key == key)
    }
}

/// Checks a plan's shape: keys unique, dependencies known and not circular, durations and
/// lags bounded. Returns the steps' positions in an order where every task comes after
/// what it depends on.
pub fn check<K: Clone + Eq + Hash + Display>(steps: &[Step<K>]) -> Result<Vec<usize>, PlanError> {
    let mut at: HashMap<&K, usize> = HashMap::with_capacity(steps.len());
    for (i, s) in steps.iter().enumerate() {
        if at.insert(&s.key, i).is_some() {
            return Err(PlanError::Duplicate(s.key.to_string()));
        }
        let longest_lag = s.depends_on.iter().map(|l| l.lag_days).max().unwrap_or(0);
        if s.duration_days.max(longest_lag) > MAX_DAYS {
            return Err(PlanError::TooLong { task: s.name.clone(), days: s.duration_days.max(longest_lag) });
        }
        if let (Some(a), Some(b)) = (s.actual_start, s.actual_finish)
            && b < a
        {
            return Err(PlanError::FinishBeforeStart { task: s.name.clone() });
        }
    }
    let mut waiting = vec![0usize; steps.len()];
    let mut followers: Vec<Vec<usize>> = vec![Vec::new(); steps.len()];
    for (i, s) in steps.iter().enumerate() {
        for link in &s.depends_on {
            let Some(&p) = at.get(&link.on) else {
                return Err(PlanError::UnknownDependency { task: s.name.clone(), on: link.on.to_string() });
            };
            if p == i {
                return Err(PlanError::OnItself(s.name.clone()));
            }
            waiting[i] += 1;
            followers[p].push(i);
        }
    }
    // Kahn's order, taking ready tasks in the order given so the result is stable.
    let mut ready: BTreeSet<usize> = (0..steps.len()).filter(|&i| waiting[i] == 0).collect();
    let mut order = Vec::with_capacity(steps.len());
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &f in &followers[i] {
            waiting[f] -= 1;
            if waiting[f] == 0 {
                ready.insert(f);
            }
        }
    }
    if order.len() < steps.len() {
        return Err(PlanError::Cycle(cycle(steps, &at, &waiting)));
    }
    Ok(order)
}

/// One cycle among the tasks Kahn's order could not place, named by its tasks.
fn cycle<K: Eq + Hash>(steps: &[Step<K>], at: &HashMap<&K, usize>, waiting: &[usize]) -> Vec<String> {
    // Every unplaced task waits on another unplaced one; walking back through them must
    // come round to a task already seen.
    let start = waiting.iter().position(|&w| w > 0).expect("a task left over");
    let mut seen: Vec<usize> = Vec::new();
    let mut i = start;
    while !seen.contains(&i) {
        seen.push(i);
        i = steps[i]
            .depends_on
            .iter()
            .filter_map(|l| at.get(&l.on).copied())
            .find(|&p| waiting[p] > 0)
            .expect("an unplaced task waits on an unplaced task");
    }
    let from = seen.iter().position(|&s| s == i).expect("seen");
    // Walked against the arrows: turn it round to read "a → b" as "b follows a", and begin
    // at the task given first so the same plan is always named the same way.
    let mut ring: Vec<usize> = seen[from..].iter().rev().copied().collect();
    let first = ring.iter().enumerate().min_by_key(|(_, s)| **s).map_or(0, |(k, _)| k);
    ring.rotate_left(first);
    ring.push(ring[0]);
    ring.into_iter().map(|s| steps[s].name.clone()).collect()
}

/// Works out the schedule from `start`; `today` (the status date) moves what is late.
pub fn schedule<K: Clone + Eq + Hash + Display>(
    steps: &[Step<K>],
    start: NaiveDate,
    calendar: &Calendar,
    today: Option<NaiveDate>,
) -> Result<Schedule<K>, PlanError> {
    let order = check(steps)?;
    let mut days = Days::from(calendar, start);
    let at: HashMap<&K, usize> = steps.iter().enumerate().map(|(i, s)| (&s.key, i)).collect();
    let now = today.map(|t| days.number(t));
    let n = steps.len();
    let (mut early_start, mut early_end) = (vec![0i64; n], vec![0i64; n]);
    for &i in &order {
        let s = &steps[i];
        let duration = i64::from(s.duration_days);
        let after = s.depends_on.iter().map(|l| early_end[at[&l.on]] + i64::from(l.lag_days)).max().unwrap_or(0);
        let (begin, end) = match (s.actual_start, s.actual_finish) {
            (_, Some(finish)) => {
                // Done: its days are history. A finish on a holiday counts as the next day's.
                let last = days.number(finish);
                let first = s.actual_start.map_or(last - (duration - 1).max(0), |a| days.number(a));
                (first, if s.is_milestone() { last } else { last + 1 })
            }
            (Some(started), None) => {
                let first = days.number(started);
                let end = (first + duration).max(now.map_or(0, |t| if s.is_milestone() { t } else { t + 1 }));
                (first, end)
            }
            (None, None) => {
                let first = after.max(now.unwrap_or(0));
                (first, first + duration)
            }
        };
        early_start[i] = begin;
        early_end[i] = end;
    }
    let project_end = early_end.iter().copied().max().unwrap_or(0);
    // Backward: the latest each task may end without moving the project's end.
    let mut late_end = vec![project_end; n];
    for &i in order.iter().rev() {
        let late_start = late_end[i] - (early_end[i] - early_start[i]);
        for link in &steps[i].depends_on {
            let p = at[&link.on];
            late_end[p] = late_end[p].min(late_start - i64::from(link.lag_days));
        }
    }
    let mut tasks = Vec::with_capacity(n);
    for (i, s) in steps.iter().enumerate() {
        let slack = late_end[i] - early_end[i];
        let done = s.actual_finish.is_some();
        let last_day = if s.is_milestone() { early_end[i] } else { early_end[i] - 1 };
        tasks.push(Scheduled {
            key: s.key.clone(),
            start: days.date(early_start[i]),
            finish: days.date(last_day.max(early_start[i])),
            slack_days: slack,
            critical: slack <= 0 && !done,
            done,
        });
    }
    let finish = tasks.iter().map(|t| t.finish).max().unwrap_or_else(|| days.date(0));
    Ok(Schedule { start: days.date(0), finish, duration_days: project_end, tasks })
}

/// How far a task's finish moved from its baseline, in business days (positive: later).
pub fn slip(calendar: &Calendar, baseline_finish: NaiveDate, finish: NaiveDate) -> i64 {
    calendar.between(calendar.on_or_after(baseline_finish), calendar.on_or_after(finish))
}

/// How many business days late a task not finished is on `today`, given the last day it
/// was planned to be worked on: none on that day itself, one on the next business day.
pub fn days_late(calendar: &Calendar, planned_finish: NaiveDate, today: NaiveDate) -> i64 {
    calendar.between(calendar.on_or_after(planned_finish), today).max(0)
}

#[cfg(test)]
mod tests;
