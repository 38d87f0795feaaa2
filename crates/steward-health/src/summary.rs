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
    /// The term the client is billed under today: the one in force, else (before the first
    /// starts) the one up for renewal. It differs from `contract` once a renewal is decided
    /// before its term ends: won, the next term waits to start; lost, none is up for renewal.
    pub billing: Option<Contract>,
    /// Every contract term, with the renewal decided on it.
    pub terms: Vec<Term>,
    /// The billing term's bill this month × 12: what the client pays today. A client whose
    /// renewal was lost pays to its term's end. (The ARR history takes the term in force on
    /// each month's last day, so the two differ in a month a term ends or starts within.)
    pub arr: Option<Money>,
    /// Fees at risk under the billing term's performance guarantees, this month.
    pub at_risk: Option<Money>,
    /// This month's bill of the billing term, line by line: what the ARR is made of.
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
        let billing = data.billing_contract(today).cloned();
        let volume = latest
            .as_ref()
            .map(|m| Volume { eligible_employees: m.eligible_employees, enrolled_members: m.enrolled_members });
        let bill = billing.as_ref().map(|c| bill(c, this_month, volume.unwrap_or_default()));
        let at_risk = billing
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
            billing,
        }
    }

    /// The ARR a renewal still open puts at stake: none once the renewal is lost, though
    /// the term bills to its end.
    pub fn arr_at_stake(&self) -> Option<Money> {
        self.contract.as_ref().and(self.arr)
    }

    pub fn renewal(&self) -> Option<NaiveDate> {
        self.contract.as_ref().map(|c| c.end_date)
    }

    pub fn notice_deadline(&self) -> Option<NaiveDate> {
        self.contract.as_ref().map(|c| c.notice_deadline())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::PricingModel;
    use steward_domain::contract::RenewalOutcome;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// A flat-annual term: its ARR is its fee, whatever the volumes.
    fn term(id: i64, (start, end): (&str, &str), fee_dollars: i64, outcome: RenewalOutcome) -> Contract {
        let terms = steward_domain::Terms {
            pricing_model: PricingModel::FlatAnnual,
            rate: Money::from_cents(fee_dollars * 100),
            tiers: Vec::new(),
            annual_escalator_pct: 0.0,
            minimum_annual_commitment: None,
            add_ons: Vec::new(),
            guarantees: Vec::new(),
        };
        let mut c = Contract::unsaved(steward_domain::Slug::parse("acme").unwrap(), (d(start), d(end)), terms);
        c.id = id;
        c.renewal_outcome = outcome;
        c
    }

    fn summary(contracts: Vec<Contract>, today: &str) -> AccountSummary {
        let mut data = crate::history::tests::data();
        data.contracts = contracts;
        AccountSummary::of(&data, &Scorecard::default(), d(today))
    }

    #[test]
    fn a_lost_renewal_bills_to_its_term_s_end_with_nothing_at_stake() {
        let s = summary(vec![term(1, ("2025-07-01", "2026-12-31"), 120_000, RenewalOutcome::Churned)], "2026-06-20");
        assert_eq!(s.contract, None, "no term is up for renewal");
        assert_eq!(s.billing.as_ref().map(|c| c.id), Some(1));
        assert_eq!(s.arr, Some(Money::from_cents(12_000_000)), "the client pays to the term's end");
        assert_eq!(s.arr_at_stake(), None, "a lost renewal puts nothing at stake");
        assert_eq!(s.renewal(), None);
    }

    #[test]
    fn a_won_renewal_bills_the_term_in_force_and_the_next_is_up_for_renewal() {
        let s = summary(
            vec![
                term(1, ("2025-07-01", "2026-12-31"), 120_000, RenewalOutcome::Renewed),
                term(2, ("2027-01-01", "2027-12-31"), 150_000, RenewalOutcome::Pending),
            ],
            "2026-06-20",
        );
        assert_eq!(s.contract.as_ref().map(|c| c.id), Some(2));
        assert_eq!(s.billing.as_ref().map(|c| c.id), Some(1));
        assert_eq!(s.arr, Some(Money::from_cents(12_000_000)), "today's bill, not the next term's");
        assert_eq!(s.arr_at_stake(), s.arr);
        assert_eq!(s.renewal(), Some(d("2027-12-31")));
    }

    #[test]
    fn before_its_first_term_starts_a_client_is_billed_on_the_term_ahead() {
        let s = summary(vec![term(1, ("2026-09-01", "2027-08-31"), 90_000, RenewalOutcome::Pending)], "2026-06-20");
        assert_eq!(s.billing, s.contract);
        assert_eq!(s.arr, Some(Money::from_cents(9_000_000)));
        let ended = summary(vec![term(1, ("2025-01-01", "2025-12-31"), 90_000, RenewalOutcome::Churned)], "2026-06-20");
        assert_eq!((ended.billing, ended.arr), (None, None), "a term that ended bills nothing");
    }
}
