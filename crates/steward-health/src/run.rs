//! Running the playbooks over the store: gather each account's facts, propose tasks, and
//! open those not already open and not cooling down.

use crate::history::history;
use crate::playbooks::{Facts, Playbooks, Proposal, propose};
use chrono::{Days, NaiveDate};
use steward_domain::health::Scorecard;
use steward_domain::metrics::MonthMetrics;
use steward_domain::{AccountStatus, NewTask, RenewalOutcome, Slug, Task, TaskStatus};
use steward_store::{CutKind, Result as StoreResult, Store, TaskCreated, TaskFilter};

/// An account's facts as the rules see them on `today`.
pub fn facts(store: &dyn Store, card: &Scorecard, account: &Slug, today: NaiveDate) -> StoreResult<Facts> {
    let metrics: Vec<MonthMetrics> = store
        .metrics(account, CutKind::All, None, None)?
        .iter()
        .map(|(cut, month, counts)| MonthMetrics::from_counts(*month, cut, counts))
        .filter(|m| m.month.first_day() <= today)
        .collect();
    let health = history(store, card, account)?
        .months
        .into_iter()
        .filter(|(m, _)| m.first_day() <= today)
        .map(|(m, h)| (m, h.score))
        .collect();
    let current = store
        .contracts(account)?
        .into_iter()
        .filter(|c| c.renewal_outcome == RenewalOutcome::Pending && c.end_date >= today)
        .min_by_key(|c| c.end_date);
    let deciders: Vec<i64> = store.contacts(account)?.into_iter().filter(|c| c.role.decides()).map(|c| c.id).collect();
    let activities: Vec<_> =
        store.activities(account, i64::MAX)?.into_iter().filter(|a| a.occurred_at.date_naive() <= today).collect();
    Ok(Facts {
        enrollment: metrics.iter().map(|m| (m.month, m.enrollment_rate)).collect(),
        utilization: metrics.iter().map(|m| (m.month, m.utilization_rate)).collect(),
        health,
        renewal: current.as_ref().map(|c| c.end_date),
        notice_deadline: current.as_ref().map(|c| c.notice_deadline()),
        last_decision_maker_touch: activities
            .iter()
            .filter(|a| a.contact_ids.iter().any(|c| deciders.contains(c)))
            .map(|a| a.occurred_at.date_naive())
            .max(),
        last_activity: activities.iter().map(|a| a.occurred_at.date_naive()).max(),
    })
}

/// What a run did (or, dry, would do).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RunOutcome {
    pub opened: Vec<Proposal>,
    /// Fired, but the rule's task for that account is still open.
    pub already_open: usize,
    /// Fired, but the rule's last task for that account closed within its cooldown.
    pub cooling_down: usize,
}

fn cooling_down(tasks: &[Task], p: &Proposal, today: NaiveDate) -> bool {
    let since = today - Days::new(p.cooldown_days.max(0) as u64);
    tasks.iter().any(|t| {
        t.source_key.as_deref() == Some(p.source_key.as_str())
            && t.status != TaskStatus::Open
            && t.closed_at.is_some_and(|c| c.date_naive() > since)
    })
}

/// Runs every rule for every account (or the ones given) as of `today`.
pub fn run(
    store: &dyn Store,
    card: &Scorecard,
    playbooks: &Playbooks,
    today: NaiveDate,
    only: Option<&[Slug]>,
    dry_run: bool,
) -> StoreResult<RunOutcome> {
    let mut outcome = RunOutcome::default();
    for account in store.accounts()? {
        // Rules look after clients: not prospects, not accounts that left.
        let active = matches!(account.status, AccountStatus::Live | AccountStatus::Implementing);
        if !active || only.is_some_and(|o| !o.contains(&account.slug)) {
            continue;
        }
        let facts = facts(store, card, &account.slug, today)?;
        let proposals = propose(playbooks, &account.slug, account.owner.as_ref(), &facts, today);
        if proposals.is_empty() {
            continue;
        }
        let tasks = store.tasks(&TaskFilter { account: Some(account.slug.clone()), ..TaskFilter::default() })?;
        for p in proposals {
            if cooling_down(&tasks, &p, today) {
                outcome.cooling_down += 1;
                continue;
            }
            if tasks
                .iter()
                .any(|t| t.status == TaskStatus::Open && t.source_key.as_deref() == Some(p.source_key.as_str()))
            {
                outcome.already_open += 1;
                continue;
            }
            if !dry_run {
                let created = store.create_task(&NewTask {
                    account: Some(p.account.clone()),
                    title: p.title.clone(),
                    detail: p.detail.clone(),
                    owner: p.owner.clone(),
                    department: p.department,
                    due_date: Some(p.due_date),
                    priority: p.priority,
                    escalation: p.escalation,
                    source: p.source,
                    source_key: Some(p.source_key.clone()),
                })?;
                // Another process may have opened it between our look and our write.
                if let TaskCreated::AlreadyOpen(_) = created {
                    outcome.already_open += 1;
                    continue;
                }
            }
            outcome.opened.push(p);
        }
    }
    Ok(outcome)
}
