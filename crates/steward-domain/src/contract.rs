use crate::{Id, Money, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

text_enum! {
    /// PEPM: rate × eligible employees a month. PMPM: rate × enrolled members a month.
    /// Flat annual: a fee billed in twelfths.
    pub enum PricingModel ("pricing model") {
        Pepm = "pepm",
        Pmpm = "pmpm",
        FlatAnnual = "flat_annual",
    }
}

text_enum! {
    pub enum RenewalOutcome ("renewal outcome") {
        Renewed = "renewed",
        Churned = "churned",
        Pending = "pending",
    }
}

/// A graduated volume tier: units from `from_units` up (to the next tier's start) are
/// billed at `rate`. The first tier starts at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tier {
    pub from_units: i64,
    pub rate: Money,
}

/// An add-on service billed per event (onsite clinic days, flu-shot events).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AddOn {
    pub service: String,
    pub price_per_event: Money,
    pub events_per_year: i64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contract {
    pub id: Id,
    pub account: Slug,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub pricing_model: PricingModel,
    /// Per employee or member per month, or the annual fee for flat-annual contracts.
    pub rate: Money,
    pub tiers: Vec<Tier>,
    pub annual_escalator_pct: f64,
    pub minimum_annual_commitment: Option<Money>,
    pub add_ons: Vec<AddOn>,
    pub renewal_outcome: RenewalOutcome,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// The last day a client's users may use Steward: no end while the account is a client or
/// becoming one; for a churned account, `grace_days` after its last contract ended (so the
/// reports they were given stay theirs that long), and at once without a contract
/// (`NaiveDate::MIN`: the date is not one to show).
pub fn client_access_until(status: crate::AccountStatus, contracts: &[Contract], grace_days: u64) -> Option<NaiveDate> {
    if status != crate::AccountStatus::Churned {
        return None;
    }
    // A churned account with no contract on record has nothing to keep access for.
    let Some(ended) = contracts.iter().map(|c| c.end_date).max() else { return Some(NaiveDate::MIN) };
    // Grace past the last representable day means no end.
    ended.checked_add_days(chrono::Days::new(grace_days))
}

impl Contract {
    /// The last day to give notice of non-renewal.
    pub fn notice_deadline(&self) -> NaiveDate {
        self.end_date - chrono::Days::new(self.notice_days.max(0) as u64)
    }

    /// The renewal window opens 180 days before the contract ends.
    pub fn renewal_window_opens(&self) -> NaiveDate {
        self.end_date - chrono::Days::new(180)
    }

    pub fn term_months(&self) -> i64 {
        term_months(self.start_date, self.end_date)
    }
}

/// Whole months from start to the day after end (a 2024-01-01..2026-12-31 term is 36).
pub fn term_months(start: NaiveDate, end: NaiveDate) -> i64 {
    let after = end.succ_opt().unwrap_or(end);
    (after.year() - start.year()) as i64 * 12 + after.month() as i64 - start.month() as i64
}

#[derive(Debug, Clone)]
pub struct NewContract {
    pub account: Slug,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub pricing_model: PricingModel,
    pub rate: Money,
    pub tiers: Vec<Tier>,
    pub annual_escalator_pct: f64,
    pub minimum_annual_commitment: Option<Money>,
    pub add_ons: Vec<AddOn>,
    pub renewal_outcome: RenewalOutcome,
}

impl NewContract {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.end_date <= self.start_date {
            return Err(ParseError::new("a contract ends after it starts"));
        }
        if self.notice_days < 0 {
            return Err(ParseError::new("notice days cannot be negative"));
        }
        if self.rate.cents < 0 || self.minimum_annual_commitment.is_some_and(|m| m.cents < 0) {
            return Err(ParseError::new("prices cannot be negative"));
        }
        if !(0.0..=100.0).contains(&self.annual_escalator_pct) {
            return Err(ParseError::new("the annual escalator is a percentage from 0 to 100"));
        }
        if let Some(first) = self.tiers.first() {
            if first.from_units != 0 {
                return Err(ParseError::new("the first tier starts at 0 units"));
            }
            if self.tiers.windows(2).any(|w| w[1].from_units <= w[0].from_units) {
                return Err(ParseError::new("tiers must start at increasing volumes"));
            }
            if self.pricing_model == PricingModel::FlatAnnual {
                return Err(ParseError::new("a flat annual fee has no volume tiers"));
            }
        }
        if self.add_ons.iter().any(|a| a.events_per_year < 0 || a.price_per_event.cents < 0) {
            return Err(ParseError::new("add-on prices and events cannot be negative"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn term_and_deadlines() {
        assert_eq!(term_months(d("2024-01-01"), d("2026-12-31")), 36);
        assert_eq!(term_months(d("2024-07-15"), d("2025-07-14")), 12);
        let c = NewContract {
            account: Slug::parse("acme").unwrap(),
            start_date: d("2024-01-01"),
            end_date: d("2025-12-31"),
            auto_renew: true,
            notice_days: 90,
            pricing_model: PricingModel::Pepm,
            rate: Money::from_cents(450),
            tiers: vec![
                Tier { from_units: 0, rate: Money::from_cents(450) },
                Tier { from_units: 0, rate: Money::ZERO },
            ],
            annual_escalator_pct: 3.0,
            minimum_annual_commitment: None,
            add_ons: vec![],
            renewal_outcome: RenewalOutcome::Pending,
        };
        assert!(c.validate().is_err(), "tiers must increase");
    }

    #[test]
    fn a_churned_client_keeps_access_for_the_grace_days_after_its_last_contract() {
        use crate::AccountStatus::*;
        let contract = |end: &str| Contract {
            id: 1,
            account: Slug::parse("acme").unwrap(),
            start_date: d("2023-01-01"),
            end_date: d(end),
            auto_renew: false,
            notice_days: 90,
            pricing_model: PricingModel::Pepm,
            rate: Money::from_cents(450),
            tiers: vec![],
            annual_escalator_pct: 0.0,
            minimum_annual_commitment: None,
            add_ons: vec![],
            renewal_outcome: RenewalOutcome::Churned,
            version: 1,
            created_at: DateTime::<Utc>::MIN_UTC,
            updated_at: DateTime::<Utc>::MIN_UTC,
        };
        let contracts = [contract("2024-12-31"), contract("2025-12-31")];
        assert_eq!(client_access_until(Live, &contracts, 90), None);
        assert_eq!(client_access_until(Churned, &contracts, 90), Some(d("2026-03-31")));
        assert_eq!(client_access_until(Churned, &contracts, u64::MAX), None, "endless grace: no end");
        assert_eq!(client_access_until(Churned, &[], 90), Some(NaiveDate::MIN), "no contract: ended");
    }
}
