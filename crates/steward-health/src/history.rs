//! An account's health for every month it has metrics: the scorecard's inputs gathered
//! from metrics, the contract target, CSAT, activities with decision makers and open
//! escalations, each as it stood at that month's end.

use chrono::{DateTime, NaiveDate, Utc};
use steward_domain::health::{self, HealthScore, Inputs, Scorecard};
use steward_domain::metrics::MonthMetrics;
use steward_domain::{Account, Activity, Contact, Contract, Month, RenewalOutcome, Slug, TaskSource};
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
    pub contacts: Vec<Contact>,
    pub csat: Vec<(NaiveDate, i64)>,
    /// Escalation tasks: when opened, when closed.
    pub escalations: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    pub contracts: Vec<Contract>,
    /// Renewal opportunities of its terms (what the playbooks ask of a renewal's progress);
    /// empty unless read [`with_renewals`](Self::with_renewals).
    pub renewals: Vec<steward_domain::opportunity::Opportunity>,
}

/// An account's whole-account metrics month by month, oldest first.
pub fn whole_account_metrics(store: &dyn Store, slug: &Slug) -> StoreResult<Vec<MonthMetrics>> {
    whole_account_metrics_as_of(store, slug, store.metrics_as_of(slug)?)
}

fn whole_account_metrics_as_of(
    store: &dyn Store,
    slug: &Slug,
    as_of: Option<NaiveDate>,
) -> StoreResult<Vec<MonthMetrics>> {
    let rows = store.metrics(slug, CutKind::All, None, None)?;
    Ok(rows.iter().map(|(cut, month, counts)| MonthMetrics::from_counts(*month, cut, counts, as_of)).collect())
}

impl AccountData {
    pub fn load(store: &dyn Store, slug: &Slug) -> StoreResult<Self> {
        // The account first: its `data_changes` then predates every read of its data, so a
        // copy kept from it (the web's book) is never newer than it says.
        let account = store.account(slug)?;
        let metrics_as_of = store.metrics_as_of(slug)?;
        Ok(Self {
            account,
            metrics: whole_account_metrics_as_of(store, slug, metrics_as_of)?,
            metrics_as_of,
            activities: store.activities(slug, i64::MAX)?,
            contacts: store.contacts(slug)?,
            csat: store.csat_ratings(slug)?.into_iter().map(|r| (r.rated_on, r.score)).collect(),
            escalations: store
                .tasks(&TaskFilter { account: Some(slug.clone()), ..TaskFilter::default() })?
                .into_iter()
                // Client escalations: a playbook's reminder is not the client escalating.
                .filter(|t| t.escalation && t.source != TaskSource::Playbook)
                .map(|t| (t.created_at, t.closed_at))
                .collect(),
            contracts: store.contracts(slug)?,
            // Only the playbooks ask (`with_renewals`); the book, read every half minute, does not.
            renewals: Vec::new(),
        })
    }

    /// [`load`](Self::load) with the renewal opportunities of the account's terms.
    pub fn with_renewals(store: &dyn Store, slug: &Slug) -> StoreResult<Self> {
        let mut data = Self::load(store, slug)?;
        data.renewals = store.opportunities(&steward_store::OpportunityFilter {
            account: Some(slug.clone()),
            kind: Some(steward_domain::opportunity::OpportunityKind::Renewal),
            ..steward_store::OpportunityFilter::default()
        })?;
        Ok(data)
    }

    /// The contract up for renewal on `today`: the soonest-ending one still pending.
    pub fn current_contract(&self, today: NaiveDate) -> Option<&Contract> {
        self.contracts
            .iter()
            .filter(|c| c.renewal_outcome == RenewalOutcome::Pending && c.end_date >= today)
            .min_by_key(|c| c.end_date)
    }

    /// The term the client is billed under on `today`: the one in force, else (before the
    /// first starts) the one up for renewal. A lost renewal's term bills to its end.
    pub fn billing_contract(&self, today: NaiveDate) -> Option<&Contract> {
        self.contracts
            .iter()
            .filter(|c| c.in_force(today))
            .max_by_key(|c| c.start_date)
            .or_else(|| self.current_contract(today))
    }

    /// The last day a decision maker was met, on or before `as_of`
    /// ([`steward_domain::contact::last_decision_maker_touch`]).
    pub fn last_decision_maker_touch(&self, as_of: NaiveDate) -> Option<NaiveDate> {
        steward_domain::contact::last_decision_maker_touch(&self.contacts, &self.activities, as_of)
    }

    /// How the people who decide feel, as of `as_of` (−2 to +2, weighted by influence). A
    /// contact's sentiment is kept as it is now, not as it was: it counts for the latest
    /// months (`current`), and for an earlier month only when the contact was last changed by
    /// its end — otherwise today's feelings would leak into the past, and into the backtest.
    pub fn decision_maker_sentiment(&self, as_of: NaiveDate, current: bool) -> Option<f64> {
        let known: Vec<&Contact> = self
            .contacts
            .iter()
            .filter(|c| c.role.decides() && (current || c.updated_at.date_naive() <= as_of))
            .collect();
        let weight: i64 = known.iter().map(|c| c.influence.max(1)).sum();
        (weight > 0)
            .then(|| known.iter().map(|c| (c.sentiment * c.influence.max(1)) as f64).sum::<f64>() / weight as f64)
    }

    /// Days from the last decision-maker touch to `as_of`; never met counts from the
    /// account's first month of data (so a relationship nobody built still ages).
    pub fn days_since_decision_maker_touch(&self, as_of: NaiveDate) -> Option<i64> {
        let since_first = self.metrics.first().map(|m| m.month.first_day());
        self.last_decision_maker_touch(as_of).or(since_first).map(|d| (as_of - d).num_days())
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

/// Scores every month of `data`, each as of its last day — the month holding `today` as of
/// `today`, so its relationship measures read as they do everywhere else today.
pub fn score_months(card: &Scorecard, data: &AccountData, today: NaiveDate) -> AccountHealth {
    let metrics = &data.metrics;
    let mut months = Vec::with_capacity(metrics.len());
    for (i, m) in metrics.iter().enumerate() {
        let end = m.month.last_day().min(today);
        let at = end_of(m.month);
        let inputs = Inputs {
            enrollment_rate: m.enrollment_rate,
            enrollment_target: data.account.enrollment_target,
            utilization_rate: m.utilization_rate,
            nps: m.nps,
            nps_responses: m.nps_responses,
            client_csat: csat(&data.csat, m.month),
            days_since_decision_maker_touch: data.days_since_decision_maker_touch(end),
            // Sentiment as it is now also scores the month before, so "since last month"
            // compares like with like; never earlier months, never the backtest.
            decision_maker_sentiment: data.decision_maker_sentiment(end, m.month >= Month::of(today).plus(-1)),
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

/// Loads an account and scores every month, the month holding `today` as of `today`.
pub fn history(store: &dyn Store, card: &Scorecard, account: &Slug, today: NaiveDate) -> StoreResult<AccountHealth> {
    Ok(score_months(card, &AccountData::load(store, account)?, today))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use steward_domain::metrics::{Cut, MonthCounts};
    use steward_domain::{ActivityKind, ContactRole, health::Measure};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn at(day: &str) -> DateTime<Utc> {
        d(day).and_hms_opt(10, 0, 0).unwrap().and_utc()
    }

    /// An account with data since April, a decision maker met on 10 June and a champion on
    /// 14 June.
    pub(crate) fn data() -> AccountData {
        let slug = Slug::parse("acme").unwrap();
        let now = at("2026-06-01");
        let contact = |id, role| Contact {
            retired_on: None,
            id,
            account: slug.clone(),
            name: format!("Contact {id}"),
            title: String::new(),
            email: None,
            phone: None,
            role,
            influence: 3,
            sentiment: 0,
            last_touch: None,
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let activity = |id, day, with: i64| Activity {
            id,
            account: slug.clone(),
            kind: ActivityKind::Meeting,
            occurred_at: at(day),
            author: None,
            summary: "met".into(),
            contact_ids: vec![with],
            version: 1,
            created_at: now,
            updated_at: now,
        };
        let counts = MonthCounts { eligible_lives: 100, enrolled_members: 30, ..MonthCounts::default() };
        AccountData {
            account: Account {
                id: 1,
                slug: slug.clone(),
                name: "Acme".into(),
                segment: steward_domain::Segment::MidMarket,
                industry: String::new(),
                employee_count: None,
                status: steward_domain::AccountStatus::Live,
                parent: None,
                owner: None,
                launch_date: None,
                fein: None,
                enrollment_target: 0.3,
                version: 1,
                data_changes: 0,
                created_at: now,
                updated_at: now,
            },
            metrics: (4..=6)
                .map(|m| MonthMetrics::from_counts(Month::new(2026, m).unwrap(), &Cut::All, &counts, None))
                .collect(),
            metrics_as_of: None,
            activities: vec![activity(2, "2026-06-14", 2), activity(1, "2026-06-10", 1)],
            contacts: vec![contact(1, ContactRole::DecisionMaker), contact(2, ContactRole::Champion)],
            csat: Vec::new(),
            escalations: Vec::new(),
            contracts: Vec::new(),
            renewals: vec![],
        }
    }

    fn days_in_health(h: &AccountHealth, month: u32) -> Option<f64> {
        let (_, score) = h.months.iter().find(|(m, _)| m.month() == month)?;
        score.drivers.iter().find(|d| d.measure == Measure::DaysSinceDecisionMakerTouch).map(|d| d.value)
    }

    /// Mid-month, the month to date counts the days to today — not to the month's end —
    /// as the playbooks and the stakeholder list do; a champion is no decision maker.
    #[test]
    fn the_month_to_date_counts_to_today() {
        let data = data();
        let today = d("2026-06-15");
        let health = score_months(&Scorecard::default(), &data, today);
        assert_eq!(days_in_health(&health, 6), Some(5.0), "10 June to 15 June");
        assert_eq!(data.last_decision_maker_touch(today), Some(d("2026-06-10")));
        // Before any meeting, the days count from the account's first data (1 April).
        assert_eq!(days_in_health(&health, 5), Some(60.0), "1 April to 31 May");
        // A past month is as of its end whatever today is; sentiment known only now scores
        // this month and the one before, not April.
        let sentiment = |h: &AccountHealth, month: u32| {
            let (_, s) = h.months.iter().find(|(m, _)| m.month() == month).unwrap();
            s.drivers.iter().any(|d| d.measure == Measure::DecisionMakerSentiment)
        };
        assert_eq!([sentiment(&health, 4), sentiment(&health, 5), sentiment(&health, 6)], [false, true, true]);
        let later = score_months(&Scorecard::default(), &data, d("2026-09-01"));
        assert_eq!(days_in_health(&later, 6), Some(20.0), "10 June to 30 June");
    }
}
