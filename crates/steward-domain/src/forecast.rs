//! The quarter's forecast (DOMAIN.md "Commercial terms"): open and won amounts by forecast
//! category, commit including won and best case including commit; and goals per account
//! manager per year.

use crate::opportunity::{ForecastCategory, Opportunity, OpportunityKind, Stage};
use crate::{Email, Money, ParseError};
use chrono::NaiveDate;

pub use crate::quarter::Quarter;

/// The quarter's calls. `commit` includes what is won, `best_case` includes `commit`, and
/// `pipeline` includes `best_case`: each is "at least this much, if…".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub won: Money,
    pub commit: Money,
    pub best_case: Money,
    pub pipeline: Money,
}

/// The quarter an opportunity counts in: a won one where it was won, an open one where it
/// is expected to close; a lost one nowhere.
pub fn counts_in(o: &Opportunity, quarter: Quarter) -> bool {
    match o.stage {
        Stage::ClosedLost => false,
        Stage::ClosedWon => o.closed_on.is_some_and(|d| quarter.contains(d)),
        _ => quarter.contains(o.close_date),
    }
}

/// Sums `opportunities` that count in `quarter`.
pub fn totals<'a>(quarter: Quarter, opportunities: impl IntoIterator<Item = &'a Opportunity>) -> Totals {
    let (mut won, mut commit, mut best, mut pipeline) = (0i64, 0i64, 0i64, 0i64);
    for o in opportunities.into_iter().filter(|o| counts_in(o, quarter)) {
        let cents = o.amount.cents;
        match (o.stage, o.forecast_category) {
            (Stage::ClosedWon, _) => won += cents,
            (_, ForecastCategory::Commit) => commit += cents,
            (_, ForecastCategory::BestCase) => best += cents,
            (_, ForecastCategory::Pipeline) => pipeline += cents,
            (_, ForecastCategory::Omitted) => {}
        }
    }
    let commit = won + commit;
    let best_case = commit + best;
    Totals {
        won: Money::from_cents(won),
        commit: Money::from_cents(commit),
        best_case: Money::from_cents(best_case),
        pipeline: Money::from_cents(best_case + pipeline),
    }
}

/// Bookings: the ARR of upsell and expansion won on days in `from..=to`.
pub fn bookings<'a>(opportunities: impl IntoIterator<Item = &'a Opportunity>, from: NaiveDate, to: NaiveDate) -> Money {
    Money::from_cents(
        opportunities
            .into_iter()
            .filter(|o| o.kind != OpportunityKind::Renewal && o.stage == Stage::ClosedWon)
            .filter(|o| o.closed_on.is_some_and(|d| (from..=to).contains(&d)))
            .map(|o| o.amount.cents)
            .sum(),
    )
}

/// What a director asks of an account manager for a year.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Goal {
    pub owner: Email,
    pub year: i32,
    /// Gross revenue retention, a fraction (0.92).
    pub gross_retention: f64,
    /// Net revenue retention, a fraction (1.05).
    pub net_retention: f64,
    /// Upsell and expansion ARR won in the year.
    pub bookings: Money,
}

impl Goal {
    pub fn validate(&self) -> Result<(), ParseError> {
        if !(0.0..=1.0).contains(&self.gross_retention) {
            return Err(ParseError::new("gross retention is a fraction from 0 to 1 (0.92 for 92%)"));
        }
        if !(0.0..=5.0).contains(&self.net_retention) {
            return Err(ParseError::new("net retention is a fraction from 0 to 5 (1.05 for 105%)"));
        }
        if self.bookings.cents < 0 || self.bookings > crate::contract::MAX_PRICE {
            return Err(ParseError::new("bookings are between $0 and $1,000,000,000"));
        }
        crate::input::date_field("the year", NaiveDate::from_ymd_opt(self.year, 1, 1))
    }

    /// A quarter's share of the year's bookings.
    pub fn quarter_bookings(&self) -> Money {
        Money::from_cents(self.bookings.cents / 4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Slug;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn opp(kind: OpportunityKind, stage: Stage, category: ForecastCategory, dollars: i64, close: &str) -> Opportunity {
        Opportunity {
            id: 1,
            account: Slug::parse("acme").unwrap(),
            kind,
            scope: None,
            title: "x".into(),
            stage,
            amount: Money::from_cents(dollars * 100),
            renewing_arr: None,
            close_date: d(close),
            forecast_category: category,
            category_overridden: false,
            owner: None,
            contract_id: None,
            lost_reason: None,
            closed_on: stage.closed().then(|| d(close)),
            version: 1,
            created_at: chrono::DateTime::UNIX_EPOCH,
            updated_at: chrono::DateTime::UNIX_EPOCH,
            history: vec![],
        }
    }

    /// By hand, 2027-Q1: won $10k (expansion) and $2k (renewal uplift); commit $5k open;
    /// best case $7k; pipeline $3k; omitted $50k; lost $9k; next quarter's $100k.
    /// won 12; commit 12 + 5 = 17; best case 17 + 7 = 24; pipeline 24 + 3 = 27.
    #[test]
    fn forecast_sums_by_hand() {
        use ForecastCategory::*;
        use OpportunityKind::*;
        let book = [
            opp(Expansion, Stage::ClosedWon, Commit, 10_000, "2027-02-10"),
            opp(Renewal, Stage::ClosedWon, Commit, 2_000, "2027-03-31"),
            opp(Upsell, Stage::Verbal, Commit, 5_000, "2027-03-15"),
            opp(Upsell, Stage::Negotiation, BestCase, 7_000, "2027-01-20"),
            opp(Expansion, Stage::Identified, Pipeline, 3_000, "2027-02-01"),
            opp(Expansion, Stage::Proposal, Omitted, 50_000, "2027-02-01"),
            opp(Upsell, Stage::ClosedLost, Omitted, 9_000, "2027-02-01"),
            opp(Upsell, Stage::Verbal, Commit, 100_000, "2027-04-01"),
        ];
        let t = totals(Quarter::parse("2027Q1").unwrap(), &book);
        let k = |dollars: i64| Money::from_cents(dollars * 100);
        assert_eq!(t, Totals { won: k(12_000), commit: k(17_000), best_case: k(24_000), pipeline: k(27_000) });
        assert_eq!(bookings(&book, d("2027-01-01"), d("2027-12-31")), k(10_000), "renewals are not bookings");
    }
}
