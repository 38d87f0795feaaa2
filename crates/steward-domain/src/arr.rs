//! ARR at every month end and retention over trailing twelve months (DOMAIN.md
//! "Commercial terms"). ARR is read from the one pricing engine's bill for the month, on
//! the terms in effect and that month's volumes, so a snapshot, an invoice line and a
//! quote cannot disagree.

use crate::contract::{Contract, TargetMetric};
use crate::metrics::MonthMetrics;
use crate::pricing::{Volume, bill};
use crate::{Money, Month};

/// An account's ARR at one month end, with the fees at risk under its guarantees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ArrSnapshot {
    pub month: Month,
    pub arr: Money,
    /// Fees of guarantees still to be measured whose metric misses its target this month.
    pub at_risk: Money,
}

/// A month's value of a guarantee's metric.
pub fn value(m: &MonthMetrics, metric: TargetMetric) -> Option<f64> {
    match metric {
        TargetMetric::EnrollmentRate => m.enrollment_rate,
        TargetMetric::UtilizationRate => m.utilization_rate,
        TargetMetric::Nps => m.nps,
    }
}

/// The fees `contract` has at risk at the end of `month`, given that month's metrics: each
/// guarantee not yet past its measurement month whose metric misses the target (or was not
/// measured) puts its share of the ARR at risk.
pub fn at_risk(contract: &Contract, arr: Money, month: Month, metrics: Option<&MonthMetrics>) -> Money {
    let terms = contract.on(month.first_day());
    let cents: f64 = terms
        .guarantees
        .iter()
        .filter(|g| g.measured_on >= month.first_day())
        .filter(|g| !g.met_by(metrics.and_then(|m| value(m, g.metric))))
        .map(|g| arr.cents as f64 * g.fees_at_risk_pct / 100.0)
        .sum();
    Money::from_cents(cents.round() as i64)
}

/// ARR at each month end from the month the first contract starts to the last month with
/// metrics: the bill of the contract in force on the month's last day, on that month's
/// volumes (the latest month with metrics before it when it has none); zero with no
/// contract in force. `metrics` are whole-account, oldest first.
pub fn snapshots(contracts: &[Contract], metrics: &[MonthMetrics]) -> Vec<ArrSnapshot> {
    let (Some(first), Some(last)) =
        (contracts.iter().map(|c| Month::of(c.start_date)).min(), metrics.last().map(|m| m.month))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut latest: Option<&MonthMetrics> = None;
    let mut next = metrics.iter().peekable();
    let mut month = first;
    while month <= last {
        while let Some(m) = next.next_if(|m| m.month <= month) {
            latest = Some(m);
        }
        let this_month = latest.filter(|m| m.month == month);
        let volume = latest
            .map(|m| Volume { eligible_employees: m.eligible_employees, enrolled_members: m.enrolled_members })
            .unwrap_or_default();
        let snapshot = match contracts.iter().find(|c| c.in_force(month.last_day())) {
            Some(c) => {
                let arr = bill(c, month, volume).arr;
                ArrSnapshot { month, arr, at_risk: at_risk(c, arr, month, this_month) }
            }
            None => ArrSnapshot { month, arr: Money::ZERO, at_risk: Money::ZERO },
        };
        out.push(snapshot);
        month = month.succ();
    }
    out
}

/// Where one account of a retention cohort went: its ARR twelve months before and now.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Movement<K> {
    #[serde(rename = "account")]
    pub key: K,
    pub start_arr: Money,
    pub end_arr: Money,
}

impl<K> Movement<K> {
    /// The ARR change: negative for churn and contraction.
    pub fn change(&self) -> Money {
        Money::from_cents(self.end_arr.cents - self.start_arr.cents)
    }
}

/// Retention over the twelve months ending with `month`, over the accounts with ARR at
/// the month end twelve months before. The change splits into churn (ARR now zero),
/// contraction and expansion — signed, so the three add up to `end_arr − start_arr`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Retention<K> {
    pub month: Month,
    pub start_arr: Money,
    pub end_arr: Money,
    /// Σ min(ARRₘ, ARR₀) ÷ Σ ARR₀; `None` for an empty cohort.
    pub grr: Option<f64>,
    /// Σ ARRₘ ÷ Σ ARR₀; `None` for an empty cohort.
    pub nrr: Option<f64>,
    pub churn: Money,
    pub contraction: Money,
    pub expansion: Money,
    /// The accounts behind each part, largest change first.
    pub churned: Vec<Movement<K>>,
    pub contracted: Vec<Movement<K>>,
    pub expanded: Vec<Movement<K>>,
    /// Accounts in the cohort.
    pub accounts: usize,
}

/// Retention of `cohort`: each account's ARR at the month end twelve months before
/// `month` and at `month`'s end (zero when it has none). Accounts without ARR then are
/// not in the cohort (new accounts are excluded).
pub fn retention<K: Clone>(month: Month, cohort: impl IntoIterator<Item = Movement<K>>) -> Retention<K> {
    let mut r = Retention {
        month,
        start_arr: Money::ZERO,
        end_arr: Money::ZERO,
        grr: None,
        nrr: None,
        churn: Money::ZERO,
        contraction: Money::ZERO,
        expansion: Money::ZERO,
        churned: Vec::new(),
        contracted: Vec::new(),
        expanded: Vec::new(),
        accounts: 0,
    };
    let mut kept = 0i64;
    for m in cohort.into_iter().filter(|m| m.start_arr.cents > 0) {
        r.accounts += 1;
        r.start_arr.cents += m.start_arr.cents;
        r.end_arr.cents += m.end_arr.cents;
        kept += m.end_arr.cents.min(m.start_arr.cents);
        let change = m.change().cents;
        let (total, list) = if m.end_arr.cents <= 0 {
            (&mut r.churn, &mut r.churned)
        } else if change < 0 {
            (&mut r.contraction, &mut r.contracted)
        } else if change > 0 {
            (&mut r.expansion, &mut r.expanded)
        } else {
            continue;
        };
        total.cents += change;
        list.push(m);
    }
    for list in [&mut r.churned, &mut r.contracted, &mut r.expanded] {
        list.sort_by_key(|m| std::cmp::Reverse(m.change().cents.abs()));
    }
    if r.start_arr.cents > 0 {
        r.grr = Some(kept as f64 / r.start_arr.cents as f64);
        r.nrr = Some(r.end_arr.cents as f64 / r.start_arr.cents as f64);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{ChangeKind, ContractChange, Guarantee, PricingModel, RenewalOutcome, Terms};
    use crate::metrics::{Cut, MonthCounts};
    use crate::{Email, Slug};
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn terms(rate_cents: i64, escalator: f64) -> Terms {
        Terms {
            pricing_model: PricingModel::Pepm,
            rate: Money::from_cents(rate_cents),
            tiers: vec![],
            annual_escalator_pct: escalator,
            minimum_annual_commitment: None,
            add_ons: vec![],
            guarantees: vec![],
        }
    }

    fn change(version: i64, kind: ChangeKind, from: &str, terms: Terms) -> ContractChange {
        ContractChange {
            version,
            kind,
            effective_from: d(from),
            terms,
            end_date: d("2027-12-31"),
            notice_days: 90,
            auto_renew: false,
            renewal_outcome: RenewalOutcome::Pending,
            reason: "signed".into(),
            changed_by: Email::parse("am@example.com").ok(),
            changed_at: chrono::DateTime::UNIX_EPOCH,
        }
    }

    /// A PEPM contract from 2025-01-01 at $5.00 with a 3% escalator, amended to $4.00 from
    /// 2025-07-01.
    fn amended() -> Contract {
        let signed = terms(500, 3.0);
        let amended = terms(400, 3.0);
        Contract {
            id: 7,
            notice_days: 90,
            terms_from: d("2025-07-01"),
            version: 2,
            history: vec![
                change(1, ChangeKind::Signed, "2025-01-01", signed),
                change(2, ChangeKind::Amended, "2025-07-01", amended.clone()),
            ],
            ..Contract::unsaved(Slug::parse("acme").unwrap(), (d("2025-01-01"), d("2027-12-31")), amended)
        }
    }

    fn month_metrics(month: &str, employees: i64, enrolled: i64) -> MonthMetrics {
        let counts =
            MonthCounts { eligible_employees: employees, enrolled_members: enrolled, ..MonthCounts::default() };
        MonthMetrics::from_counts(m(month), &Cut::All, &counts, None)
    }

    /// Worked by hand: 1,000 employees all along; 1,100 from 2026-02.
    /// - 2025-06, before the amendment: $5.00 × 1,000 = $5,000 a month, ARR $60,000.
    /// - 2025-07, amended: $4.00 × 1,000 = $4,000, ARR $48,000.
    /// - 2025-12: still $48,000 (the anniversary is 2026-01-01).
    /// - 2026-01, after the anniversary: $4.00 × 1.03 × 1,000 = $4,120, ARR $49,440 (the
    ///   escalator raises the amended rate, not the signed one).
    /// - 2026-02: 1,100 employees × $4.12 = $4,532, ARR $54,384.
    /// - 2026-03, no metrics: February's volumes carried, $54,384.
    #[test]
    fn arr_across_an_amendment_and_an_anniversary() {
        let contract = amended();
        let metrics: Vec<MonthMetrics> = ["2025-01", "2025-06", "2025-07", "2025-12", "2026-01"]
            .iter()
            .map(|month| month_metrics(month, 1_000, 300))
            .chain([month_metrics("2026-02", 1_100, 300), month_metrics("2026-04", 1_100, 300)])
            .collect();
        let snaps = snapshots(std::slice::from_ref(&contract), &metrics);
        let at = |month: &str| snaps.iter().find(|s| s.month == m(month)).unwrap().arr;
        assert_eq!(snaps.first().unwrap().month, m("2025-01"));
        assert_eq!(snaps.last().unwrap().month, m("2026-04"), "through the last month with metrics");
        assert_eq!(at("2025-06"), Money::from_cents(6_000_000));
        assert_eq!(at("2025-07"), Money::from_cents(4_800_000));
        assert_eq!(at("2025-12"), Money::from_cents(4_800_000));
        assert_eq!(at("2026-01"), Money::from_cents(4_944_000));
        assert_eq!(at("2026-02"), Money::from_cents(5_438_400));
        assert_eq!(at("2026-03"), Money::from_cents(5_438_400));
    }

    /// An amendment that only adds an add-on keeps the raise the rate had earned: $4.00
    /// amended in 2025-07 is $4.12 from 2026-01; adding an add-on from 2026-03 leaves it $4.12.
    #[test]
    fn an_add_on_keeps_the_raises_earned() {
        let mut c = amended();
        let mut with_add_on = c.history[1].terms.clone();
        with_add_on.add_ons.push(crate::contract::AddOn {
            service: "onsite_clinic_day".into(),
            price_per_event: Money::from_cents(120_000),
            events_per_year: 12,
        });
        c.history.push(change(3, ChangeKind::Amended, "2026-03-01", with_add_on));
        let volume = Volume { eligible_employees: 1_000, enrolled_members: 300 };
        let b = bill(&c, m("2026-03"), volume);
        assert!((b.usage[0].rate_cents - 412.0).abs() < 1e-9, "{}", b.usage[0].rate_cents);
        assert_eq!(b.monthly, Money::from_cents(412_000 + 120_000));
    }

    #[test]
    fn no_contract_in_force_is_no_arr() {
        let mut c = amended();
        c.end_date = d("2025-06-15");
        let metrics = vec![month_metrics("2025-05", 1_000, 300), month_metrics("2025-07", 1_000, 300)];
        let snaps = snapshots(&[c], &metrics);
        let arr: Vec<i64> = snaps.iter().map(|s| s.arr.cents).collect();
        assert_eq!(arr[4], 6_000_000, "May: in force");
        assert_eq!(&arr[5..], &[0, 0], "June ends after the contract; July too");
    }

    #[test]
    fn a_guarantee_puts_its_share_at_risk_until_measured() {
        let mut c = amended();
        let g = Guarantee {
            metric: TargetMetric::EnrollmentRate,
            target: 0.25,
            measured_on: d("2025-12-31"),
            fees_at_risk_pct: 5.0,
        };
        for h in &mut c.history {
            h.terms.guarantees = vec![g];
        }
        c.guarantees = vec![g];
        // 300 of 1,000 employees' lives: the rate is read from metrics (enrolled ÷ eligible lives).
        let meets = {
            let counts = MonthCounts {
                eligible_lives: 1_000,
                eligible_employees: 1_000,
                enrolled_members: 300,
                ..MonthCounts::default()
            };
            MonthMetrics::from_counts(m("2025-10"), &Cut::All, &counts, None)
        };
        let misses = {
            let counts = MonthCounts {
                eligible_lives: 1_000,
                eligible_employees: 1_000,
                enrolled_members: 200,
                ..MonthCounts::default()
            };
            MonthMetrics::from_counts(m("2025-11"), &Cut::All, &counts, None)
        };
        let arr = Money::from_cents(4_800_000);
        assert_eq!(at_risk(&c, arr, m("2025-10"), Some(&meets)), Money::ZERO);
        assert_eq!(at_risk(&c, arr, m("2025-11"), Some(&misses)), Money::from_cents(240_000), "5% of $48,000");
        assert_eq!(at_risk(&c, arr, m("2025-11"), None), Money::from_cents(240_000), "unmeasured is not met");
        assert_eq!(at_risk(&c, arr, m("2026-01"), Some(&misses)), Money::ZERO, "measured and settled");
    }

    fn mv(key: &str, start: i64, end: i64) -> Movement<String> {
        Movement { key: key.into(), start_arr: Money::from_cents(start * 100), end_arr: Money::from_cents(end * 100) }
    }

    /// A book worked by hand. A year ago: A $100k, B $200k, C $50k, D $150k; E was not a
    /// client (new). Now: A churned ($0), B contracted to $150k, C expanded to $80k, D flat,
    /// E $500k.
    /// - start = 100 + 200 + 50 + 150 = $500k; end = 0 + 150 + 80 + 150 = $380k (E excluded)
    /// - GRR = (0 + 150 + 50 + 150) ÷ 500 = 70%; NRR = 380 ÷ 500 = 76%
    /// - churn −$100k, contraction −$50k, expansion +$30k: −$120k = 380 − 500.
    #[test]
    fn grr_and_nrr_by_hand() {
        let r = retention(
            m("2026-11"),
            [
                mv("a", 100_000, 0),
                mv("b", 200_000, 150_000),
                mv("c", 50_000, 80_000),
                mv("d", 150_000, 150_000),
                mv("e", 0, 500_000),
            ],
        );
        assert_eq!(r.accounts, 4);
        assert_eq!(r.start_arr, Money::from_cents(50_000_000));
        assert_eq!(r.end_arr, Money::from_cents(38_000_000));
        assert_eq!(r.grr, Some(0.70));
        assert_eq!(r.nrr, Some(0.76));
        assert_eq!(r.churn, Money::from_cents(-10_000_000));
        assert_eq!(r.contraction, Money::from_cents(-5_000_000));
        assert_eq!(r.expansion, Money::from_cents(3_000_000));
        assert_eq!(r.churn.cents + r.contraction.cents + r.expansion.cents, r.end_arr.cents - r.start_arr.cents);
        let keys = |l: &[Movement<String>]| l.iter().map(|m| m.key.clone()).collect::<Vec<_>>();
        assert_eq!(
            (keys(&r.churned), keys(&r.contracted), keys(&r.expanded)),
            (vec!["a".into()], vec!["b".into()], vec!["c".into()])
        );
        let empty = retention::<String>(m("2026-11"), []);
        assert_eq!((empty.grr, empty.nrr), (None, None));
    }
}
