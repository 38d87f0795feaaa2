//! Running the playbooks over the store: gather each account's facts, propose tasks, and
//! open those not already open and not cooling down.

use crate::history::{AccountData, AccountHealth, score_months};
use crate::playbooks::{Facts, Playbooks, Proposal, propose};
use chrono::{Days, NaiveDate};
use rayon::prelude::*;
use steward_domain::health::Scorecard;
use steward_domain::{AccountStatus, NewTask, Slug, Task, TaskStatus};
use steward_store::{Result as StoreResult, Store, TaskCreated, TaskFilter};

/// An account's facts as the rules see them on `today`.
pub fn facts(data: &AccountData, health: &AccountHealth, today: NaiveDate) -> Facts {
    let metrics: Vec<_> = data.metrics.iter().filter(|m| m.month.first_day() <= today).collect();
    let current = data.current_contract(today);
    let seen = |d: NaiveDate| d <= today;
    Facts {
        enrollment: metrics.iter().map(|m| (m.month, m.enrollment_rate)).collect(),
        utilization: metrics.iter().map(|m| (m.month, m.utilization_rate)).collect(),
        health: health.months.iter().filter(|(m, _)| m.first_day() <= today).map(|(m, h)| (*m, h.score)).collect(),
        renewal: current.map(|c| c.end_date),
        notice_deadline: current.map(|c| c.notice_deadline()),
        last_decision_maker_touch: data.last_decision_maker_touch(today),
        // A conversation with the client: an activity with one of their people in it.
        last_activity: data
            .activities
            .iter()
            .filter(|a| !a.contact_ids.is_empty())
            .map(|a| a.occurred_at.date_naive())
            .filter(|d| seen(*d))
            .max(),
        renewal_stage: current
            .and_then(|c| data.renewals.iter().find(|o| o.contract_id == Some(c.id)))
            .map(|o| o.stage),
        // The guarantees of the term billed today: a lost renewal's fees stay at risk to its end.
        guarantees: data
            .billing_contract(today)
            .map(|c| c.on(today).guarantees)
            .unwrap_or_default()
            .into_iter()
            .map(|g| {
                let series = steward_domain::trend::series(metrics.iter().copied(), g.metric);
                (g, series)
            })
            .collect(),
    }
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
    // Rules look after clients: not prospects, not accounts that left.
    let accounts: Vec<Slug> = store
        .accounts()?
        .into_iter()
        .filter(|a| matches!(a.status, AccountStatus::Live | AccountStatus::Implementing))
        .filter(|a| only.is_none_or(|o| o.contains(&a.slug)))
        .map(|a| a.slug)
        .collect();
    // Reading and evaluating is per account and parallel; opening tasks is not.
    let proposals: Vec<StoreResult<(Vec<Proposal>, Vec<Task>)>> = accounts
        .par_iter()
        .map(|slug| {
            let data = AccountData::with_renewals(store, slug)?;
            let health = score_months(card, &data, today);
            let proposals = propose(playbooks, slug, data.account.owner.as_ref(), &facts(&data, &health, today), today);
            let tasks = if proposals.is_empty() {
                Vec::new()
            } else {
                store.tasks(&TaskFilter { account: Some(slug.clone()), ..TaskFilter::default() })?
            };
            Ok((proposals, tasks))
        })
        .collect();
    for result in proposals {
        let (proposals, tasks) = result?;
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
                    for_renewal: p.for_renewal,
                    source: p.source,
                    source_key: Some(p.source_key.clone()),
                    objective: None,
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
