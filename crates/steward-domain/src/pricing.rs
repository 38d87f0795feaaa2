//! The one pricing engine: what a contract bills for a month, a year and as ARR
//! (DOMAIN.md "Commercial terms"). Billing, ARR, renewals and quotes all call it.
//!
//! - PEPM bills eligible employees, PMPM enrolled members, a flat fee a twelfth of the
//!   annual amount each month.
//! - Graduated tiers bill the units within each tier at that tier's rate.
//! - The annual escalator raises rates at each anniversary of the start: a month is billed
//!   at the rate of the contract year its first day falls in. Rates an amendment set are
//!   the rates in force from its date, raised at the anniversaries after it.
//! - A month is billed on the terms in effect on its first day (amendments take effect on
//!   the first of a month), so ARR, a bill and a quote read one version of the terms.
//! - Add-on services are billed per event; a year's events are spread over its months.
//! - A minimum annual commitment floors the annual amount, and ARR with it.

use crate::contract::{Contract, PricingModel, Tier};
use crate::{Money, Month};
use chrono::{Datelike, NaiveDate};

/// The volumes a month is billed on (metrics at the month's end).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Volume {
    pub eligible_employees: i64,
    pub enrolled_members: i64,
}

/// Whole contract years completed by `day` (anniversaries of `start` on or before it).
pub fn contract_years(start: NaiveDate, day: NaiveDate) -> i64 {
    if day < start {
        return 0;
    }
    let mut years = i64::from(day.year() - start.year());
    let anniversary_this_year = start.with_year(day.year()).unwrap_or_else(|| {
        // 29 February: the anniversary falls on 1 March in common years.
        NaiveDate::from_ymd_opt(day.year(), 3, 1).unwrap_or(day)
    });
    if day < anniversary_this_year {
        years -= 1;
    }
    years.max(0)
}

/// One usage line of a month's bill: the units within one tier (the whole volume when the
/// contract has no tiers) at that tier's rate as escalated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct UsageLine {
    pub from_units: i64,
    /// The next tier's start; `None` for the last (or only) tier.
    pub to_units: Option<i64>,
    pub units: i64,
    /// The tier's rate as written in the contract.
    pub base_rate: Money,
    /// The rate in force this month, in cents, after the escalator (not rounded).
    pub rate_cents: f64,
    /// Units × rate in force, in cents (not rounded).
    pub cents: f64,
}

/// One add-on service's share of a month: a year's events spread over twelve months.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AddOnLine {
    pub service: String,
    pub price_per_event: Money,
    pub events_per_year: i64,
    pub cents: f64,
}

/// One month's bill taken apart — what ARR is made of, line by line — so a person can
/// check it by hand. [`monthly_billed`] and [`arr`] are read from it: there is no other
/// arithmetic.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bill {
    pub month: Month,
    pub model: PricingModel,
    /// The contract year the month falls in (1 for the first).
    pub contract_year: i64,
    pub escalator_pct: f64,
    /// (1 + escalator) to the power of the anniversaries passed since the terms took effect.
    pub escalation: f64,
    /// Units billed: eligible employees (PEPM) or enrolled members (PMPM); `None` for a flat fee.
    pub units: Option<i64>,
    /// For a flat fee, one line of the annual fee spread over twelve months.
    pub usage: Vec<UsageLine>,
    pub add_ons: Vec<AddOnLine>,
    /// The month's bill, to the cent.
    pub monthly: Money,
    /// The month's bill × 12.
    pub run_rate: Money,
    pub minimum: Option<Money>,
    /// The run rate, not below the minimum annual commitment.
    pub arr: Money,
}

/// What `contract` bills for `month` at `volume`, line by line.
pub fn bill(contract: &Contract, month: Month, volume: Volume) -> Bill {
    let contract = &contract.on(month.first_day());
    let years = contract_years(contract.start_date, month.first_day());
    let raises = years - contract_years(contract.start_date, contract.terms_from);
    let escalation = (1.0 + contract.annual_escalator_pct / 100.0).powi(raises.max(0) as i32);
    let units = match contract.pricing_model {
        PricingModel::Pepm => Some(volume.eligible_employees.max(0)),
        PricingModel::Pmpm => Some(volume.enrolled_members.max(0)),
        PricingModel::FlatAnnual => None,
    };
    let usage: Vec<UsageLine> = match units {
        None => vec![UsageLine {
            from_units: 0,
            to_units: None,
            units: 1,
            base_rate: contract.rate,
            rate_cents: contract.rate.cents as f64 / 12.0 * escalation,
            cents: contract.rate.cents as f64 / 12.0 * escalation,
        }],
        Some(units) => {
            let tiers = if contract.tiers.is_empty() {
                vec![Tier { from_units: 0, rate: contract.rate }]
            } else {
                contract.tiers.clone()
            };
            let mut lines = Vec::new();
            for (i, tier) in tiers.iter().enumerate() {
                let to_units = tiers.get(i + 1).map(|next| next.from_units);
                let in_tier = units.min(to_units.unwrap_or(i64::MAX)) - tier.from_units;
                if in_tier > 0 || i == 0 {
                    let rate_cents = tier.rate.cents as f64 * escalation;
                    let in_tier = in_tier.max(0);
                    lines.push(UsageLine {
                        from_units: tier.from_units,
                        to_units,
                        units: in_tier,
                        base_rate: tier.rate,
                        rate_cents,
                        cents: rate_cents * in_tier as f64,
                    });
                }
            }
            lines
        }
    };
    let add_ons: Vec<AddOnLine> = contract
        .add_ons
        .iter()
        .map(|a| AddOnLine {
            service: a.service.clone(),
            price_per_event: a.price_per_event,
            events_per_year: a.events_per_year,
            cents: a.price_per_event.cents as f64 * a.events_per_year as f64 / 12.0,
        })
        .collect();
    // The total in the order bills were always computed — usage at base rates, then escalated,
    // then the add-ons — so a bill is the same to the cent whichever way it is read.
    let base: f64 = match units {
        None => contract.rate.cents as f64 / 12.0,
        Some(_) => usage.iter().map(|l| l.base_rate.cents as f64 * l.units as f64).sum(),
    };
    let cents = base * escalation + add_ons.iter().map(|a| a.cents).sum::<f64>();
    let monthly = Money::from_cents(cents.round() as i64);
    let run_rate = Money::from_cents(monthly.cents * 12);
    let minimum = contract.minimum_annual_commitment;
    Bill {
        month,
        model: contract.pricing_model,
        contract_year: years + 1,
        escalator_pct: contract.annual_escalator_pct,
        escalation,
        units,
        usage,
        add_ons,
        monthly,
        run_rate,
        minimum,
        arr: Money::from_cents(run_rate.cents.max(minimum.map_or(0, |m| m.cents))),
    }
}

/// What `contract` bills for `month` at `volume`: usage (escalated) plus add-ons.
pub fn monthly_billed(contract: &Contract, month: Month, volume: Volume) -> Money {
    bill(contract, month, volume).monthly
}

/// A contract year's bill: the months' sum, floored by the minimum annual commitment.
pub fn annual_billed(contract: &Contract, months: &[(Month, Volume)]) -> Money {
    let sum: i64 = months.iter().map(|(m, v)| monthly_billed(contract, *m, *v).cents).sum();
    Money::from_cents(sum.max(contract.minimum_annual_commitment.map_or(0, |m| m.cents)))
}

/// Annual recurring revenue: the current month's bill × 12, not below the minimum.
pub fn arr(contract: &Contract, month: Month, volume: Volume) -> Money {
    bill(contract, month, volume).arr
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Slug;
    use crate::contract::AddOn;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn contract(
        model: PricingModel,
        rate_cents: i64,
        tiers: Vec<Tier>,
        escalator: f64,
        minimum: Option<i64>,
    ) -> Contract {
        let terms = crate::contract::Terms {
            pricing_model: model,
            rate: Money::from_cents(rate_cents),
            tiers,
            annual_escalator_pct: escalator,
            minimum_annual_commitment: minimum.map(Money::from_cents),
            add_ons: vec![],
            guarantees: vec![],
        };
        Contract::unsaved(Slug::parse("acme").unwrap(), (d("2024-07-15"), d("2027-07-14")), terms)
    }

    #[test]
    fn hand_computed_bills() {
        let v = Volume { eligible_employees: 6_000, enrolled_members: 1_500 };
        // PEPM $4.50, tiers: first 5,000 at $4.50, the rest at $3.80: 22,500 + 3,800 = $26,300.
        let tiers = vec![
            Tier { from_units: 0, rate: Money::from_cents(450) },
            Tier { from_units: 5_000, rate: Money::from_cents(380) },
        ];
        let pepm = contract(PricingModel::Pepm, 450, tiers, 3.0, None);
        assert_eq!(monthly_billed(&pepm, m("2024-08"), v), Money::from_cents(2_630_000));
        // Second contract year (from 2025-07-15): August 2025 is escalated 3%, July 2025 not yet.
        assert_eq!(monthly_billed(&pepm, m("2025-07"), v), Money::from_cents(2_630_000));
        assert_eq!(monthly_billed(&pepm, m("2025-08"), v), Money::from_cents(2_708_900));
        // PMPM $30 on 1,500 enrolled = $45,000; flat $240,000 a year = $20,000 a month.
        assert_eq!(
            monthly_billed(&contract(PricingModel::Pmpm, 3_000, vec![], 0.0, None), m("2024-08"), v),
            Money::from_cents(4_500_000)
        );
        let mut flat = contract(PricingModel::FlatAnnual, 24_000_000, vec![], 0.0, None);
        flat.add_ons = vec![AddOn {
            service: "flu_shot_event".into(),
            price_per_event: Money::from_cents(300_000),
            events_per_year: 4,
        }];
        // Plus 4 × $3,000 flu-shot events a year = $1,000 a month.
        assert_eq!(monthly_billed(&flat, m("2024-08"), v), Money::from_cents(2_100_000));
        assert_eq!(arr(&flat, m("2024-08"), v), Money::from_cents(25_200_000));
        // A minimum of $400,000 floors both the year and ARR of a $26,300-a-month contract.
        let floored = contract(PricingModel::Pepm, 450, vec![], 0.0, Some(40_000_000));
        let year: Vec<(Month, Volume)> =
            (0..12).map(|i| (m("2024-08").plus(i), Volume { eligible_employees: 1_000, ..v })).collect();
        assert_eq!(annual_billed(&floored, &year), Money::from_cents(40_000_000));
        assert_eq!(
            arr(&floored, m("2024-08"), Volume { eligible_employees: 1_000, ..v }),
            Money::from_cents(40_000_000)
        );
    }

    /// The review's case: $5.00 PEPM, 3% a year, third year, ten employees — 5,304.5 cents,
    /// billed $53.05 as it always was (multiplying the rate first gives 5,304.4999…).
    #[test]
    fn a_bill_is_the_same_to_the_cent() {
        let mut c = contract(PricingModel::Pepm, 500, vec![], 3.0, None);
        c.add_ons.clear();
        let third_year = m("2026-08");
        let b = bill(&c, third_year, Volume { eligible_employees: 10, enrolled_members: 0 });
        assert_eq!((b.contract_year, b.monthly.cents), (3, 5305));
    }

    #[test]
    fn contract_years_turn_on_anniversaries() {
        assert_eq!(contract_years(d("2024-07-15"), d("2025-07-14")), 0);
        assert_eq!(contract_years(d("2024-07-15"), d("2025-07-15")), 1);
        assert_eq!(contract_years(d("2024-02-29"), d("2025-02-28")), 0);
        assert_eq!(contract_years(d("2024-02-29"), d("2025-03-01")), 1);
        assert_eq!(contract_years(d("2024-07-15"), d("2020-01-01")), 0);
    }

    fn any_contract() -> impl Strategy<Value = Contract> {
        (
            prop_oneof![Just(PricingModel::Pepm), Just(PricingModel::Pmpm), Just(PricingModel::FlatAnnual)],
            1..5_000i64,
            proptest::collection::vec((1..20_000i64, 1..5_000i64), 0..4),
            0.0..10.0f64,
            proptest::option::of(0..50_000_000i64),
        )
            .prop_map(|(model, rate, mut tier_specs, escalator, minimum)| {
                tier_specs.sort();
                tier_specs.dedup_by_key(|t| t.0);
                let mut tiers = vec![];
                if !tier_specs.is_empty() && model != PricingModel::FlatAnnual {
                    tiers.push(Tier { from_units: 0, rate: Money::from_cents(rate) });
                    tiers.extend(
                        tier_specs.into_iter().map(|(from, r)| Tier { from_units: from, rate: Money::from_cents(r) }),
                    );
                }
                contract(model, rate, tiers, escalator, minimum)
            })
    }

    proptest! {
        #[test]
        fn bills_never_fall_as_volume_rises(c in any_contract(), a in 0..100_000i64, extra in 0..100_000i64, month in 0..48i32) {
            let month = m("2024-08").plus(month);
            let low = Volume { eligible_employees: a, enrolled_members: a };
            let high = Volume { eligible_employees: a + extra, enrolled_members: a + extra };
            prop_assert!(monthly_billed(&c, month, low) <= monthly_billed(&c, month, high));
            prop_assert!(arr(&c, month, low) <= arr(&c, month, high));
        }

        /// A bill taken apart adds up: its usage lines hold every unit once, and the lines
        /// (each units × rate in force, add-ons a twelfth of a year's events) make the month.
        #[test]
        fn a_bill_s_lines_add_up(c in any_contract(), volume in 0..100_000i64, month in 0..48i32) {
            let v = Volume { eligible_employees: volume, enrolled_members: volume };
            let b = bill(&c, m("2024-08").plus(month), v);
            if let Some(units) = b.units {
                prop_assert_eq!(b.usage.iter().map(|l| l.units).sum::<i64>(), units);
            }
            for l in &b.usage {
                prop_assert!((l.cents - l.rate_cents * l.units as f64).abs() < 1e-6);
                let per_month = if b.units.is_none() { 12.0 } else { 1.0 };
                let expected = l.base_rate.cents as f64 * b.escalation / per_month;
                prop_assert!((l.rate_cents - expected).abs() < 1e-6, "rate {} vs {}", l.rate_cents, expected);
            }
            let lines: f64 = b.usage.iter().map(|l| l.cents).sum::<f64>() + b.add_ons.iter().map(|a| a.cents).sum::<f64>();
            prop_assert!((b.monthly.cents as f64 - lines).abs() <= 0.5 + 1e-6 * lines.abs(), "{} vs {}", b.monthly.cents, lines);
            prop_assert_eq!(b.arr.cents, (b.monthly.cents * 12).max(b.minimum.map_or(0, |m| m.cents)));
        }

        #[test]
        fn the_minimum_is_always_respected(c in any_contract(), volume in 0..100_000i64) {
            let v = Volume { eligible_employees: volume, enrolled_members: volume };
            let year: Vec<(Month, Volume)> = (0..12).map(|i| (m("2024-08").plus(i), v)).collect();
            let minimum = c.minimum_annual_commitment.unwrap_or(Money::ZERO);
            prop_assert!(annual_billed(&c, &year) >= minimum);
            prop_assert!(arr(&c, m("2024-08"), v) >= minimum);
        }

        #[test]
        fn the_escalator_applies_at_anniversaries_only(
            mut c in any_contract(),
            volume in 1..100_000i64,
            start in 0..1_500u64,
            k in 1..4i32,
            offset in 0..11i32,
        ) {
            // Any start (29 February included), any of the first anniversaries.
            c.start_date = d("2020-01-01") + chrono::Days::new(start);
            c.terms_from = c.start_date;
            let v = Volume { eligible_employees: volume, enrolled_members: volume };
            let anniversary = (k..=k + 1)
                .map(|y| c.start_date.with_year(c.start_date.year() + y).unwrap_or_else(|| d(&format!("{}-03-01", c.start_date.year() + y))))
                .next()
                .unwrap();
            let before = Month::of(anniversary.pred_opt().unwrap());
            let after = if anniversary.day() == 1 { Month::of(anniversary) } else { Month::of(anniversary).succ() };
            // Months wholly inside one contract year bill the same ...
            let earlier = before.plus(-(offset % 11)).max(Month::of(c.start_date).succ());
            if contract_years(c.start_date, earlier.first_day()) == i64::from(k - 1) {
                prop_assert_eq!(monthly_billed(&c, earlier, v), monthly_billed(&c, before, v));
            }
            // ... and across the anniversary the usage rises by the escalator.
            let (b, a) = (monthly_billed(&c, before, v).cents as f64, monthly_billed(&c, after, v).cents as f64);
            let factor = 1.0 + c.annual_escalator_pct / 100.0;
            // Both bills are rounded to the cent: half a cent each side, scaled.
            prop_assert!((a - b * factor).abs() <= 0.5 + 0.5 * factor + b * factor * 1e-9, "{} vs {}", a, b * factor);
        }
    }
}
