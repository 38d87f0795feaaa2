//! "My work": one ranked list of a user's open tasks across their book — their own, the
//! alerts the playbooks opened for them, and (for a colleague) their department's.
//!
//! Each row scores 0–100 from three parts, each 0–1:
//! - **urgency** (weight 0.5): the nearest of the task's due date, the account's renewal and
//!   its notice deadline — 1 when overdue or today, falling linearly to 0 at 90 days out;
//! - **money at stake** (0.25): the account's ARR, 1 at $1M or more, linear below;
//! - **health risk** (0.25): (100 − health) / 100, 0.5 when there is no score.
//!
//! Then 10 points for an escalation and 5 for an urgent task (capped at 100). Ties go to the
//! earlier due date. Every row says why in one line:
//! "renewal in 41 days · $1.2M ARR · health 38 (↓12)".

use chrono::NaiveDate;
use steward_domain::{Money, Priority};

/// What ranks one task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankInputs {
    pub due: Option<NaiveDate>,
    pub renewal: Option<NaiveDate>,
    pub notice_deadline: Option<NaiveDate>,
    pub arr: Option<Money>,
    pub health: Option<f64>,
    pub health_change: Option<f64>,
    pub escalation: bool,
    pub priority: Option<Priority>,
    /// Rank and explain by the task alone (due date, escalation, priority), not by the
    /// account's renewal, ARR or health: for colleagues, who may not see those.
    pub task_only: bool,
}

const HORIZON_DAYS: f64 = 90.0;
const FULL_ARR_DOLLARS: f64 = 1_000_000.0;

fn urgency(days: i64) -> f64 {
    (1.0 - days.max(0) as f64 / HORIZON_DAYS).clamp(0.0, 1.0)
}

/// The score and the one-line reason of a task as of `today`.
pub fn rank(inputs: &RankInputs, today: NaiveDate) -> (f64, String) {
    let task_only;
    let inputs = if inputs.task_only {
        task_only = RankInputs {
            due: inputs.due,
            escalation: inputs.escalation,
            priority: inputs.priority,
            ..RankInputs::default()
        };
        &task_only
    } else {
        inputs
    };
    let days = |d: Option<NaiveDate>| d.map(|d| (d - today).num_days());
    // The most pressing date, and the words for it.
    let mut dates: Vec<(i64, String)> = Vec::new();
    if let Some(n) = days(inputs.due) {
        dates.push((
            n,
            if n < 0 {
                format!("overdue by {} days", -n)
            } else if n == 0 {
                "due today".into()
            } else {
                format!("due in {n} days")
            },
        ));
    }
    if let Some(n) = days(inputs.renewal).filter(|n| *n >= 0) {
        dates.push((n, format!("renewal in {n} days")));
    }
    if let Some(n) = days(inputs.notice_deadline).filter(|n| *n >= 0) {
        dates.push((n, format!("notice deadline in {n} days")));
    }
    dates.sort_by_key(|(n, _)| *n);
    let u = dates.first().map_or(0.0, |(n, _)| urgency(*n));
    let m = inputs.arr.map_or(0.0, |a| (a.dollars() / FULL_ARR_DOLLARS).clamp(0.0, 1.0));
    let r = inputs.health.map_or(0.5, |h| ((100.0 - h) / 100.0).clamp(0.0, 1.0));
    let mut score = 100.0 * (0.5 * u + 0.25 * m + 0.25 * r);
    if inputs.escalation {
        score += 10.0;
    }
    if inputs.priority == Some(Priority::Urgent) {
        score += 5.0;
    }
    let mut reason: Vec<String> = dates.into_iter().take(1).map(|(_, words)| words).collect();
    if let Some(a) = inputs.arr.filter(|a| a.cents > 0) {
        reason.push(format!("{} ARR", a.short()));
    }
    if let Some(h) = inputs.health {
        let arrow = match inputs.health_change {
            Some(c) if c <= -0.5 => format!(" (↓{:.0})", -c),
            Some(c) if c >= 0.5 => format!(" (↑{c:.0})"),
            _ => String::new(),
        };
        reason.push(format!("health {h:.0}{arrow}"));
    }
    if inputs.escalation {
        reason.push("escalation".into());
    }
    (score.min(100.0), reason.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ranked_by_hand() {
        let today = d("2026-06-01");
        let inputs = RankInputs {
            due: Some(d("2026-06-20")),
            renewal: Some(d("2026-07-12")),
            notice_deadline: None,
            arr: Some(Money::from_cents(120_000_000)),
            health: Some(38.0),
            health_change: Some(-12.0),
            escalation: false,
            priority: Some(Priority::High),
            task_only: false,
        };
        let (score, reason) = rank(&inputs, today);
        // urgency: due in 19 days → 1 − 19/90; money: $1.2M → 1; risk: 0.62.
        let expected = 100.0 * (0.5 * (1.0 - 19.0 / 90.0) + 0.25 * 1.0 + 0.25 * 0.62);
        assert!((score - expected).abs() < 1e-9, "{score} vs {expected}");
        assert_eq!(reason, "due in 19 days · $1.2M ARR · health 38 (↓12)");
        // A colleague's queue ranks and explains by the task alone.
        let (alone, plain) = rank(&RankInputs { task_only: true, ..inputs }, today);
        assert_eq!(plain, "due in 19 days");
        assert!((alone - 100.0 * (0.5 * (1.0 - 19.0 / 90.0) + 0.25 * 0.5)).abs() < 1e-9, "{alone}");
    }

    #[test]
    fn overdue_escalations_rise_to_the_top() {
        let today = d("2026-06-01");
        let calm = RankInputs { due: Some(d("2026-08-30")), health: Some(90.0), ..RankInputs::default() };
        let burning = RankInputs {
            due: Some(d("2026-05-25")),
            health: Some(40.0),
            escalation: true,
            priority: Some(Priority::Urgent),
            ..RankInputs::default()
        };
        let (low, _) = rank(&calm, today);
        let (high, why) = rank(&burning, today);
        assert!(high > low);
        assert_eq!(why, "overdue by 7 days · health 40 · escalation");
        // 0.5 × 1 + 0.25 × 0 + 0.25 × 0.6 = 0.65 → 65 + 10 + 5 = 80.
        assert!((high - 80.0).abs() < 1e-9);
        let (renewal_first, why) = rank(
            &RankInputs { due: Some(d("2026-09-01")), renewal: Some(d("2026-06-11")), ..RankInputs::default() },
            today,
        );
        assert_eq!(why, "renewal in 10 days");
        assert!((renewal_first - 100.0 * (0.5 * (1.0 - 10.0 / 90.0) + 0.25 * 0.5)).abs() < 1e-9);
    }
}

/// One row of the queue.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkRow {
    pub rank: usize,
    pub task: String,
    pub task_id: i64,
    pub account: Option<steward_domain::Slug>,
    pub due: Option<NaiveDate>,
    pub reason: String,
    pub score: f64,
}

/// What ranks tasks of one account (worked out once per account).
pub fn account_inputs(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    account: &steward_domain::Slug,
    today: NaiveDate,
) -> steward_store::Result<RankInputs> {
    let data = crate::history::AccountData::load(store, account)?;
    Ok(RankInputs::for_account(&crate::AccountSummary::of(&data, card, today)))
}

impl RankInputs {
    /// The account's part of a task's rank; the task adds its own due date and flags.
    pub fn for_account(summary: &crate::AccountSummary) -> Self {
        RankInputs {
            renewal: summary.renewal(),
            notice_deadline: summary.notice_deadline(),
            arr: summary.arr,
            health: summary.health.as_ref().map(|h| h.score),
            health_change: summary.health_change.as_ref().map(|c| c.delta),
            ..RankInputs::default()
        }
    }
}

/// The user's open tasks (theirs, and their department's unowned ones), ranked, each with
/// the task itself.
pub fn ranked(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    who: &steward_domain::User,
    today: NaiveDate,
) -> steward_store::Result<Vec<(WorkRow, steward_domain::Task)>> {
    ranked_with(store, who, today, |account| account_inputs(store, card, account, today))
}

/// [`ranked`], with each account's part of the rank from `account_inputs` (read once per
/// account): a caller that already holds the accounts' summaries passes them in.
pub fn ranked_with(
    store: &dyn steward_store::Store,
    who: &steward_domain::User,
    today: NaiveDate,
    mut account_inputs: impl FnMut(&steward_domain::Slug) -> steward_store::Result<RankInputs>,
) -> steward_store::Result<Vec<(WorkRow, steward_domain::Task)>> {
    use std::collections::HashMap;
    use steward_domain::{Role, TaskStatus};
    use steward_store::TaskFilter;
    let open = |filter: TaskFilter| store.tasks(&TaskFilter { status: Some(TaskStatus::Open), ..filter });
    let mut mine = open(TaskFilter { owner: Some(who.email.clone()), ..TaskFilter::default() })?;
    if let Some(department) = who.department {
        let theirs = open(TaskFilter { department: Some(department), ..TaskFilter::default() })?;
        mine.extend(theirs.into_iter().filter(|t| t.owner.is_none()));
    }
    let mut per_account: HashMap<steward_domain::Slug, RankInputs> = HashMap::new();
    let mut rows = Vec::new();
    for t in mine.into_iter().filter(|t| t.is_actionable(today)) {
        let mut inputs = match &t.account {
            Some(a) => match per_account.get(a) {
                Some(i) => i.clone(),
                None => {
                    let i = account_inputs(a)?;
                    per_account.insert(a.clone(), i.clone());
                    i
                }
            },
            None => RankInputs::default(),
        };
        inputs.due = t.due_date;
        inputs.escalation = t.escalation;
        inputs.priority = Some(t.priority);
        inputs.task_only = who.role == Role::Colleague;
        let (score, reason) = rank(&inputs, today);
        let row = WorkRow {
            rank: 0,
            task: t.title.clone(),
            task_id: t.id,
            account: t.account.clone(),
            due: t.due_date,
            reason,
            score,
        };
        rows.push((row, t));
    }
    // Ties: the earlier due date first, undated last.
    rows.sort_by(|(a, _), (b, _)| {
        b.score
            .total_cmp(&a.score)
            .then((a.due.is_none(), a.due).cmp(&(b.due.is_none(), b.due)))
            .then(a.task_id.cmp(&b.task_id))
    });
    for (i, (r, _)) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
    Ok(rows)
}

/// The ranked rows of [`ranked`] for the user with this e-mail.
pub fn queue(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    user: &steward_domain::Email,
    today: NaiveDate,
) -> steward_store::Result<Vec<WorkRow>> {
    let who = store.user(user)?;
    Ok(ranked(store, card, &who, today)?.into_iter().map(|(row, _)| row).collect())
}
