//! Quotes: a pricing scenario for an account, priced by the one engine on the account's
//! actual last twelve months of volumes and on a what-if volume, with the effective
//! discount against the price book and the approval a deep discount needs (DOMAIN.md
//! "Commercial terms").

use crate::contract::{Contract, PricingModel, Terms};
use crate::metrics::MonthMetrics;
use crate::pricing::{Volume, annual_billed, bill};
use crate::{Email, Id, Money, Month, ParseError, Segment, Slug, text_enum::text_enum};
use chrono::{DateTime, NaiveDate, Utc};

text_enum! {
    /// draft → submitted → approved or rejected; approved → accepted. A discount within
    /// the threshold is approved on submission.
    pub enum QuoteStatus ("quote status") {
        Draft = "draft",
        Submitted = "submitted",
        Approved = "approved",
        Rejected = "rejected",
        Accepted = "accepted",
    }
}

/// List prices of a segment: what a quote's discount is measured from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ListPrice {
    pub pepm: Money,
    pub pmpm: Money,
}

/// The default price book; a configured one replaces it (`quote.price_book`).
pub fn default_list_price(segment: Segment) -> ListPrice {
    match segment {
        Segment::MidMarket => ListPrice { pepm: Money::from_cents(700), pmpm: Money::from_cents(3_500) },
        Segment::LargeEnterprise => ListPrice { pepm: Money::from_cents(600), pmpm: Money::from_cents(3_000) },
    }
}

/// Discounts deeper than this many percent need a director's approval, by default.
pub const DEFAULT_APPROVAL_THRESHOLD_PCT: f64 = 10.0;

/// One year of volumes a quote is priced on: the account's last twelve months with
/// metrics, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct YearOfVolumes {
    pub months: Vec<(Month, Volume)>,
}

impl YearOfVolumes {
    /// The last twelve months of `metrics` up to `through`, as they were.
    pub fn actual(metrics: &[MonthMetrics], through: Month) -> Self {
        let months = metrics
            .iter()
            .filter(|m| m.month <= through && m.month > through.plus(-12))
            .map(|m| {
                (m.month, Volume { eligible_employees: m.eligible_employees, enrolled_members: m.enrolled_members })
            })
            .collect();
        Self { months }
    }

    /// The same months with enrollment `points` percentage points higher (of eligible
    /// lives), never above the eligible lives.
    pub fn what_if(metrics: &[MonthMetrics], through: Month, points: f64) -> Self {
        let months = metrics
            .iter()
            .filter(|m| m.month <= through && m.month > through.plus(-12))
            .map(|m| {
                let more = (points / 100.0 * m.eligible_lives as f64).round() as i64;
                let enrolled = (m.enrolled_members + more).clamp(0, m.eligible_lives.max(m.enrolled_members));
                (m.month, Volume { eligible_employees: m.eligible_employees, enrolled_members: enrolled })
            })
            .collect();
        Self { months }
    }
}

/// A quote's prices, all from the engine.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct QuotePrice {
    /// The first contract year's bill on the actual volumes (floored by the minimum).
    pub annual_price: Money,
    /// The same on the what-if volumes.
    pub what_if_annual_price: Money,
    /// ARR on the quoted terms at the latest month's volumes.
    pub arr: Money,
    /// Against the current contract's ARR.
    pub arr_change: Money,
    /// The same volumes at list prices.
    pub list_price: Money,
    /// (list − price) ÷ list, in percent; 0 when there is no list price.
    pub discount_pct: f64,
}

/// The quoted terms as a contract starting on `start`, to price with the engine.
pub fn as_contract(account: &Slug, terms: &Terms, start: NaiveDate, term_months: u32) -> Contract {
    let end =
        start.checked_add_months(chrono::Months::new(term_months.max(1))).and_then(|d| d.pred_opt()).unwrap_or(start);
    Contract::unsaved(account.clone(), (start, end), terms.clone())
}

/// The months of a year's volumes billed as the first contract year: the same volumes, in
/// the same order, placed in the months from `start` on (so the escalator does not apply).
fn first_year(start: NaiveDate, year: &YearOfVolumes) -> Vec<(Month, Volume)> {
    let first = Month::of(start);
    year.months.iter().enumerate().map(|(i, (_, v))| (first.plus(i as i32), *v)).collect()
}

/// Prices `draft`'s terms on the actual year, on the what-if year, against the list and
/// against `current_arr`.
pub fn price(
    draft: &QuoteDraft,
    actual: &YearOfVolumes,
    what_if: &YearOfVolumes,
    list: ListPrice,
    current_arr: Money,
) -> QuotePrice {
    let (account, terms, start, term_months) = (&draft.account, &draft.terms, draft.start_date, draft.term_months);
    let contract = as_contract(account, terms, start, term_months);
    let year = first_year(start, actual);
    let annual_price = annual_billed(&contract, &year);
    let what_if_annual_price = annual_billed(&contract, &first_year(start, what_if));
    let latest = year.last().map(|(_, v)| *v).unwrap_or_default();
    let arr = bill(&contract, Month::of(start), latest).arr;
    // The list is the same service at list rates: usage at the list rate for the model
    // (a flat fee is measured against list PEPM), add-ons as quoted.
    let list_terms = Terms {
        pricing_model: if terms.pricing_model == PricingModel::Pmpm { PricingModel::Pmpm } else { PricingModel::Pepm },
        rate: if terms.pricing_model == PricingModel::Pmpm { list.pmpm } else { list.pepm },
        tiers: Vec::new(),
        annual_escalator_pct: 0.0,
        minimum_annual_commitment: None,
        add_ons: terms.add_ons.clone(),
        guarantees: Vec::new(),
    };
    let list_price = annual_billed(&as_contract(account, &list_terms, start, term_months), &year);
    let discount_pct = if list_price.cents > 0 {
        (list_price.cents - annual_price.cents) as f64 * 100.0 / list_price.cents as f64
    } else if list_terms.rate.cents > 0 && terms.pricing_model != PricingModel::FlatAnnual {
        // No volumes to price on (an account not live yet): the rates themselves compared,
        // so a deep discount still needs its approval.
        (list_terms.rate.cents - terms.rate.cents) as f64 * 100.0 / list_terms.rate.cents as f64
    } else {
        0.0
    };
    QuotePrice {
        annual_price,
        what_if_annual_price,
        arr,
        arr_change: Money::from_cents(arr.cents - current_arr.cents),
        list_price,
        discount_pct,
    }
}

/// One step of a quote's life: who moved it where, when and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct QuoteEvent {
    pub status: QuoteStatus,
    pub by: Option<Email>,
    pub at: DateTime<Utc>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Quote {
    pub id: Id,
    pub account: Slug,
    pub opportunity_id: Option<Id>,
    pub terms: Terms,
    pub start_date: NaiveDate,
    pub term_months: u32,
    /// Enrollment percentage points added for the what-if price.
    pub what_if_points: f64,
    #[serde(flatten)]
    pub price: QuotePrice,
    /// The threshold in force when it was priced.
    pub approval_threshold_pct: f64,
    pub status: QuoteStatus,
    pub created_by: Option<Email>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Oldest first.
    pub history: Vec<QuoteEvent>,
}

impl Quote {
    pub fn needs_approval(&self) -> bool {
        self.price.discount_pct > self.approval_threshold_pct + 1e-9
    }
}

/// A scenario to price: terms, when they would start, for how long, and the what-if.
#[derive(Debug, Clone, PartialEq)]
pub struct QuoteDraft {
    pub account: Slug,
    pub opportunity_id: Option<Id>,
    pub terms: Terms,
    pub start_date: NaiveDate,
    pub term_months: u32,
    pub what_if_points: f64,
}

impl QuoteDraft {
    pub fn validate(&self) -> Result<(), ParseError> {
        self.terms.validate()?;
        crate::input::date_field("the start date", Some(self.start_date))?;
        if !(1..=120).contains(&self.term_months) {
            return Err(ParseError::new("a term is 1 to 120 months"));
        }
        if !(-100.0..=100.0).contains(&self.what_if_points) {
            return Err(ParseError::new("the what-if is from −100 to 100 enrollment points"));
        }
        Ok(())
    }
}

/// Where a quote may go from `from`, and whether `by_director` may take it there.
pub fn check_transition(from: QuoteStatus, to: QuoteStatus, by_director: bool) -> Result<(), ParseError> {
    use QuoteStatus::*;
    let ok = match (from, to) {
        (Draft | Rejected, Submitted) => true,
        (Submitted, Approved | Rejected) => {
            if !by_director {
                return Err(ParseError::new("only a director approves or rejects a quote"));
            }
            true
        }
        (Approved, Accepted) => true,
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(ParseError::new(format!("a quote that is {} cannot become {}", from.as_str(), to.as_str())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{AddOn, Tier};
    use proptest::prelude::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn year(employees: i64, enrolled: i64) -> YearOfVolumes {
        YearOfVolumes {
            months: (0..12)
                .map(|i| {
                    (
                        m("2025-12").plus(i),
                        Volume { eligible_employees: employees + i as i64, enrolled_members: enrolled },
                    )
                })
                .collect(),
        }
    }

    fn pepm(cents: i64) -> Terms {
        Terms {
            pricing_model: PricingModel::Pepm,
            rate: Money::from_cents(cents),
            tiers: vec![],
            annual_escalator_pct: 3.0,
            minimum_annual_commitment: None,
            add_ons: vec![],
            guarantees: vec![],
        }
    }

    /// By hand: PEPM $6.30 on 1,000..1,011 employees (12,066 employee-months) is
    /// $76,015.80 a year; list $7.00 is $84,462.00; discount 10.0%; ARR at the last month
    /// (1,011 × $6.30 × 12) $76,431.60, $6,431.60 above a $70,000 contract.
    #[test]
    fn a_quote_by_hand() {
        let slug = Slug::parse("acme").unwrap();
        let start = "2027-01-01".parse().unwrap();
        let list = default_list_price(Segment::MidMarket);
        let draft = QuoteDraft {
            account: slug,
            opportunity_id: None,
            terms: pepm(630),
            start_date: start,
            term_months: 24,
            what_if_points: 0.0,
        };
        let p = price(&draft, &year(1_000, 300), &year(1_000, 300), list, Money::from_cents(7_000_000));
        assert_eq!(p.annual_price, Money::from_cents(7_601_580));
        assert_eq!(p.list_price, Money::from_cents(8_446_200));
        assert!((p.discount_pct - 10.0).abs() < 1e-9, "{}", p.discount_pct);
        assert_eq!(p.arr, Money::from_cents(7_643_160));
        assert_eq!(p.arr_change, Money::from_cents(643_160));
    }

    /// An account with no volumes yet prices at nothing, list or not: the discount is then
    /// the rates' (PEPM $0.50 against $7.00 is 92.9%), so it still needs its approval.
    #[test]
    fn no_volumes_measure_the_discount_by_the_rates() {
        let draft = QuoteDraft {
            account: Slug::parse("acme").unwrap(),
            opportunity_id: None,
            terms: pepm(50),
            start_date: "2027-01-01".parse().unwrap(),
            term_months: 12,
            what_if_points: 0.0,
        };
        let none = YearOfVolumes { months: (0..12).map(|i| (m("2025-12").plus(i), Volume::default())).collect() };
        let p = price(&draft, &none, &none, default_list_price(Segment::MidMarket), Money::ZERO);
        assert_eq!(p.list_price, Money::ZERO);
        assert!((p.discount_pct - 92.857_142_857).abs() < 1e-6, "{}", p.discount_pct);
    }

    #[test]
    fn approval_moves() {
        use QuoteStatus::*;
        assert!(check_transition(Draft, Submitted, false).is_ok());
        assert!(check_transition(Submitted, Approved, false).unwrap_err().0.contains("only a director"));
        assert!(check_transition(Submitted, Approved, true).is_ok());
        assert!(check_transition(Draft, Approved, true).is_err(), "approval follows submission");
        assert!(check_transition(Approved, Accepted, false).is_ok());
        assert!(check_transition(Rejected, Submitted, false).is_ok(), "a rejected quote may be changed and sent again");
        assert!(check_transition(Accepted, Submitted, false).is_err());
    }

    fn any_terms() -> impl Strategy<Value = Terms> {
        (0..3usize, 100..5_000i64, proptest::option::of(0..200_000_000_i64), 0..5i64, 0..2_000i64, proptest::bool::ANY)
            .prop_map(|(model, rate, minimum, events, second_tier, tiered)| {
                let pricing_model = [PricingModel::Pepm, PricingModel::Pmpm, PricingModel::FlatAnnual][model];
                let rate = if pricing_model == PricingModel::FlatAnnual {
                    Money::from_cents(rate * 10_000)
                } else {
                    Money::from_cents(rate)
                };
                Terms {
                    pricing_model,
                    rate,
                    tiers: if tiered && pricing_model != PricingModel::FlatAnnual {
                        vec![
                            Tier { from_units: 0, rate },
                            Tier { from_units: 500 + second_tier, rate: Money::from_cents(rate.cents * 8 / 10) },
                        ]
                    } else {
                        vec![]
                    },
                    annual_escalator_pct: 3.0,
                    minimum_annual_commitment: minimum.map(Money::from_cents),
                    add_ons: vec![AddOn {
                        service: "flu_shot_event".into(),
                        price_per_event: Money::from_cents(350_000),
                        events_per_year: events,
                    }],
                    guarantees: vec![],
                }
            })
    }

    proptest! {
        /// A quote's price is the engine's bill: each month billed as a contract on those
        /// terms bills it, summed and floored by the minimum, whatever the terms and volumes.
        #[test]
        fn a_quote_is_the_engines_bill(terms in any_terms(), employees in 0..20_000i64, enrolled in 0..8_000i64) {
            let slug = Slug::parse("acme").unwrap();
            let start: NaiveDate = "2027-03-01".parse().unwrap();
            let actual = year(employees, enrolled);
            let draft = QuoteDraft { account: slug.clone(), opportunity_id: None, terms: terms.clone(), start_date: start, term_months: 36, what_if_points: 0.0 };
            let p = price(&draft, &actual, &actual, default_list_price(Segment::LargeEnterprise), Money::ZERO);
            let contract = as_contract(&slug, &terms, start, 36);
            let billed: i64 = actual.months.iter().enumerate()
                .map(|(i, (_, v))| bill(&contract, Month::of(start).plus(i as i32), *v).monthly.cents)
                .sum();
            let minimum = terms.minimum_annual_commitment.map_or(0, |m| m.cents);
            prop_assert_eq!(p.annual_price.cents, billed.max(minimum));
            prop_assert_eq!(p.arr, bill(&contract, Month::of(start), actual.months[11].1).arr);
        }
    }
}
