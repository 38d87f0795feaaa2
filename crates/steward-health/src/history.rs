//! An account's health for every month it has metrics: the scorecard's inputs gathered
//! from metrics, the contract target, CSAT, activities with decision makers and open
//! escalations, each as it stood at that month's end.

use chrono::{DateTime, NaiveDate, Utc};
use steward_domain::health::{self, HealthScore, Inputs, Scorecard};
use steward_domain::metrics::MonthMetrics;
use steward_domain::{Account, Activity, Contract, Month, RenewalOutcome, Slug, TaskSource};
use steward_store::{CutKind, Result as StoreResult, Store, TaskFilter};

/// Health by month, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountHealth {
    pub account: Slug,
    pub months: Vec<(Month, HealthScore)>,
}

/// Everything health, playbooks and the work queue read about one account, read once.
#[derive(Debug, Clone)]
pub struct AccountData {
    pub account: Account,
    /// Whole-account metrics, oldest first.
    pub metrics: Vec<MonthMetrics>,
    /// The date the metrics are as of: the month holding it is the month to date.
    pub metrics_as_of: Option<NaiveDate>,
    /// Newest first, as the store lists them.
    pub activities: Vec<Activity>,
    pub decision_maker_ids: Vec<i64>,
    pub csat: Vec<(NaiveDate, i64)>,
    /// Escalation tasks: when opened, when closed.
    pub escalations: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub contracts: Vec<Contract>,
}

impl AccountData {
    pub fn load(store: &dyn Store, slug: &Slug) -> StoreResult<Self> {
        let metrics_as_of = store.metrics_as_of(slug)?;
        Ok(Self {
            account: store.account(slug)?,
            metrics: store
                .metrics(slug, CutKind::All, None, None)?
                .iter()
                .map(|(cut, month, counts)| MonthMetrics::from_counts(*month, cut, counts, metrics_as_of))
                .collect(),
            metrics_as_of,
            activities: store.activities(slug, i64::MAX)?,
            decision_maker_ids: store.contacts(slug)?.into_iter().filter(|c| c.role.decides()).map(|c| c.id).collect(),
            csat: store.csat_ratings(slug)?.into_iter().map(|r| (r.rated_on, r.score)).collect(),
            escalations: store
                .tasks(&TaskFilter { account: Some(slug.clone()), ..TaskFilter::default() })?
                .into_iter()
                // Client escalations: a playbook's reminder is not the client escalating.
                .filter(|t| t.escalation && t.source != TaskSource::Playbook)
                .map(|t| (t.created_at, t.closed_at))
                .collect(),
            contracts: store.contracts(slug)?,
        })
    }

    /// The contract up for renewal on `today`: the soonest-ending one still pending.
    pub fn current_contract(&self, today: NaiveDate) -> Option<&Contract> {
        self.contracts
            .iter()
            .filter(|c| c.renewal_outcome == RenewalOutcome::Pending && c.end_date >= today)
            .min_by_key(|c| c.end_date)
    }

    /// Days of activities that involved a decision maker, oldest first.
    pub fn decision_maker_touches(&self) -> Vec<NaiveDate> {
        let mut days: Vec<NaiveDate> = self
            .activities
            .iter()
            .filter(|a| a.contact_ids.iter().any(|c| self.decision_maker_ids.contains(c)))
            .map(|a| a.occurred_at.date_naive())
            .collect();
        days.sort_unstable();
        days
    }
}

fn end_of(month: Month) -> DateTime<Utc> {
    month.last_day().and_hms_opt(23, 59, 59).map_or(DateTime::UNIX_EPOCH, |t| t.and_utc())
}

/// Mean of the CSAT ratings in the six months ending with `month`.
fn csat(ratings: &[(NaiveDate, i64)], month: Month) -> Option<f64> {
    let (from, to) = (month.plus(-5).first_day(), month.last_day());
    let window: Vec<i64> = ratings.iter().filter(|(d, _)| *d >= from && *d <= to).map(|(_, s)| *s).collect();
    (!window.is_empty()).then(|| window.iter().sum::<i64>() as f64 / window.len() as f64)
}

/// Scores every month of `data`.
pub fn score_months(card: &Scorecard, data: &AccountData) -> AccountHealth {
    let touches = data.decision_maker_touches();
    let metrics = &data.metrics;
    // Never having met a decision maker counts as long as the account has had data.
    let since_first = metrics.first().map(|m| m.month.first_day());
    let mut months = Vec::with_capacity(metrics.len());
    for (i, m) in metrics.iter().enumerate() {
        let end = m.month.last_day();
        let last_touch = touches.partition_point(|d| *d <= end).checked_sub(1).map(|k| touches[k]);
        let at = end_of(m.month);
        let inputs = Inputs {
            enrollment_rate: m.enrollment_rate,
            enrollment_target: data.account.enrollment_target,
            utilization_rate: m.utilization_rate,
            nps: m.nps,
            nps_responses: m.nps_responses,
            client_csat: csat(&data.csat, m.month),
            days_since_decision_maker_touch: last_touch.or(since_first).map(|d| (end - d).num_days()),
            open_escalations: data
                .escalations
                .iter()
                .filter(|(opened, closed)| *opened <= at && closed.is_none_or(|c| c > at))
                .count() as i64,
            enrollment_trend_3m: i
                .checked_sub(3)
                .and_then(|k| Some((m.enrollment_rate? - metrics[k].enrollment_rate?) * 100.0)),
        };
        if let Some(score) = health::score(card, &inputs) {
            months.push((m.month, score));
        }
    }
    AccountHealth { account: data.account.slug.clone(), months }
}

/// Loads an account and scores every month.
pub fn history(store: &dyn Store, card: &Scorecard, account: &Slug) -> StoreResult<AccountHealth> {
    Ok(score_months(card, &AccountData::load(store, account)?))
}
