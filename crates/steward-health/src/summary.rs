//! Where an account stands today: its latest metrics, health and change, the contract up
//! for renewal and its ARR. What a row of the book, the header of Account 360 and the
//! ranking of the work queue all read, worked out in one place.

use crate::history::{AccountData, score_months};
use chrono::NaiveDate;
use steward_domain::health::{Change, HealthScore, Scorecard, change};
use steward_domain::metrics::MonthMetrics;
use steward_domain::portfolio::Term;
use steward_domain::pricing::{Bill, Volume, bill};
use steward_domain::{Account, AccountStatus, Contract, Money, Month};

/// How many months of enrollment rate a sparkline shows.
pub const SPARKLINE_MONTHS: usize = 12;

#[derive(Debug, Clone, PartialEq)]
pub struct AccountSummary {
    pub account: Account,
    /// The latest whole-account metrics of a month not after today.
    pub latest: Option<MonthMetrics>,
    /// The month before `latest`, for changes.
    pub previous: Option<MonthMetrics>,
    pub health: Option<HealthScore>,
    /// Since the month before, with the measures that moved it.
    pub health_change: Option<Change>,
    /// The contract up for renewal: the soonest-ending term still undecided.
    pub contract: Option<Contract>,
    /// Every contract term, with the renewal decided on it.
    pub terms: Vec<Term>,
    /// The contract up for renewal's bill this month × 12. None once a renewal is lost,
    /// though the last term still bills to its end: the portfolio values a renewal from its
    /// opportunity's `renewing_arr` for that reason.
    pub arr: Option<Money>,
    /// Fees at risk under the contract's performance guarantees, this month.
    pub at_risk: Option<Money>,
    /// This month's bill of the contract, line by line: what the ARR is made of.
    pub bill: Option<Bill>,
    /// The day of the latest logged activity with the client, on or before today.
    pub last_activity: Option<NaiveDate>,
    /// Enrollment rate of the last [`SPARKLINE_MONTHS`] months, oldest first.
    pub enrollment_trend: Vec<(Month, Option<f64>)>,
}

impl AccountSummary {
    pub fn of(data: &AccountData, card: &Scorecard, today: NaiveDate) -> Self {
        let this_month = Month::of(today);
        let upto = data.metrics.partition_point(|m| m.month <= this_month);
        let past = &data.metrics[..upto];
        let latest = past.last().cloned();
        let previous = latest.as_ref().and_then(|l| past.iter().rev().find(|m| m.month == l.month.plus(-1)).cloned());
        // An account that left has no health today: nothing to keep, nothing to rank.
        let health = match data.account.status {
            AccountStatus::Churned => Vec::new(),
            _ => score_months(card, data, today).months,
        };
        let now = health.iter().rev().find(|(m, _)| *m <= this_month);
        let before = now.and_then(|(m, _)| health.iter().find(|(p, _)| *p == m.plus(-1)));
        let contract = data.current_contract(today).cloned();
        let volume = latest
            .as_ref()
            .map(|m| Volume { eligible_employees: m.eligible_employees, enrolled_members: m.enrolled_members });
        let bill = contract.as_ref().map(|c| bill(c, this_month, volume.unwrap_or_default()));
        let at_risk = contract
            .as_ref()
            .zip(bill.as_ref())
            .map(|(c, b)| steward_domain::arr::at_risk(c, b.arr, this_month, latest.as_ref()));
        Self {
            at_risk,
            arr: bill.as_ref().map(|b| b.arr),
            bill,
            health_change: now.zip(before).map(|((_, after), (_, was))| change(was, after)),
            health: now.map(|(_, h)| h.clone()),
            enrollment_trend: past[upto.saturating_sub(SPARKLINE_MONTHS)..]
                .iter()
                .map(|m| (m.month, m.enrollment_rate))
                .collect(),
            last_activity: data.activities.iter().map(|a| a.occurred_at.date_naive()).filter(|d| *d <= today).max(),
            account: data.account.clone(),
            terms: data
                .contracts
                .iter()
                .map(|c| Term { id: c.id, end_date: c.end_date, outcome: c.renewal_outcome })
                .collect(),
            latest,
            previous,
            contract,
        }
    }

    pub fn renewal(&self) -> Option<NaiveDate> {
        self.contract.as_ref().map(|c| c.end_date)
    }

    pub fn notice_deadline(&self) -> Option<NaiveDate> {
        self.contract.as_ref().map(|c| c.notice_deadline())
    }
}
