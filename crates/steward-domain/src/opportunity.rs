//! Opportunities: renewals, upsell and expansion, their stages and forecast categories
//! (DOMAIN.md "Commercial terms").

use crate::input::{TextKind, date_field, text_field};
use crate::{Email, Id, Money, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, NaiveDate, Utc};

text_enum! {
    pub enum OpportunityKind ("opportunity kind") {
        Renewal = "renewal",
        Upsell = "upsell",
        Expansion = "expansion",
    }
}

text_enum! {
    /// What an upsell or expansion adds.
    pub enum Scope ("opportunity scope") {
        NewWorksite = "new_worksite",
        NewMetro = "new_metro",
        Subsidiary = "subsidiary",
        AddOnService = "add_on_service",
    }
}

text_enum! {
    /// Stages in order; the last two close the opportunity.
    pub enum Stage ("stage") {
        Identified = "identified",
        Proposal = "proposal",
        Negotiation = "negotiation",
        Verbal = "verbal",
        ClosedWon = "closed_won",
        ClosedLost = "closed_lost",
    }
}

text_enum! {
    pub enum ForecastCategory ("forecast category") {
        Commit = "commit",
        BestCase = "best_case",
        Pipeline = "pipeline",
        Omitted = "omitted",
    }
}

impl Stage {
    pub fn closed(self) -> bool {
        matches!(self, Stage::ClosedWon | Stage::ClosedLost)
    }

    /// The category a stage puts an opportunity in unless its owner says otherwise.
    pub fn default_category(self) -> ForecastCategory {
        match self {
            Stage::Identified | Stage::Proposal => ForecastCategory::Pipeline,
            Stage::Negotiation => ForecastCategory::BestCase,
            Stage::Verbal | Stage::ClosedWon => ForecastCategory::Commit,
            Stage::ClosedLost => ForecastCategory::Omitted,
        }
    }

    /// Past "proposal": negotiation, verbal or won.
    pub fn past_proposal(self) -> bool {
        matches!(self, Stage::Negotiation | Stage::Verbal | Stage::ClosedWon)
    }
}

/// Why deals are lost, unless the configuration says otherwise.
pub const DEFAULT_LOSS_REASONS: &[&str] =
    &["price", "went with a competitor", "budget cut", "low utilization", "acquired or merged", "no decision"];

/// One move between stages.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StageChange {
    pub from: Option<Stage>,
    pub to: Stage,
    pub by: Option<Email>,
    pub at: DateTime<Utc>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Opportunity {
    pub id: Id,
    pub account: Slug,
    pub kind: OpportunityKind,
    pub scope: Option<Scope>,
    pub title: String,
    pub stage: Stage,
    /// The ARR change it brings (a renewal: the change on the renewing ARR).
    pub amount: Money,
    /// A renewal's ARR as it renews (before the change).
    pub renewing_arr: Option<Money>,
    pub close_date: NaiveDate,
    pub forecast_category: ForecastCategory,
    /// The owner chose the category; otherwise it follows the stage.
    pub category_overridden: bool,
    pub owner: Option<Email>,
    /// The contract term a renewal renews.
    pub contract_id: Option<Id>,
    pub lost_reason: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Stage moves, oldest first.
    pub history: Vec<StageChange>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewOpportunity {
    pub account: Slug,
    pub kind: OpportunityKind,
    pub scope: Option<Scope>,
    pub title: String,
    pub stage: Stage,
    pub amount: Money,
    pub renewing_arr: Option<Money>,
    pub close_date: NaiveDate,
    pub owner: Option<Email>,
    pub contract_id: Option<Id>,
}

impl NewOpportunity {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.title.trim().is_empty() {
            return Err(ParseError::new("an opportunity needs a title"));
        }
        text_field("the title", TextKind::Title, &self.title)?;
        date_field("the close date", Some(self.close_date))?;
        if self.stage.closed() {
            return Err(ParseError::new("an opportunity starts open; move it to a closed stage once it is decided"));
        }
        match (self.kind, self.contract_id) {
            (OpportunityKind::Renewal, None) => Err(ParseError::new("a renewal names the contract it renews")),
            (OpportunityKind::Renewal, _) if self.scope.is_some() => {
                Err(ParseError::new("a renewal has no scope; upsell and expansion do"))
            }
            _ if self.amount.cents.abs() > crate::contract::MAX_PRICE.cents => {
                Err(ParseError::new(format!("amounts above {} are not taken", crate::contract::MAX_PRICE)))
            }
            _ => Ok(()),
        }
    }
}

/// A move to another stage: with a reason from the configured list when lost.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    pub to: Stage,
    pub lost_reason: Option<String>,
    pub note: String,
    pub on: NaiveDate,
}

impl Move {
    pub fn validate(&self, from: Stage, reasons: &[String]) -> Result<(), ParseError> {
        if from.closed() {
            return Err(ParseError::new(format!("the opportunity is already {}", from.as_str().replace('_', " "))));
        }
        if from == self.to {
            return Err(ParseError::new(format!("the opportunity is already at {}", from.as_str().replace('_', " "))));
        }
        text_field("the note", TextKind::Summary, &self.note)?;
        match (&self.to, &self.lost_reason) {
            (Stage::ClosedLost, None) => Err(ParseError::new("say why it was lost")),
            (Stage::ClosedLost, Some(r)) if !reasons.iter().any(|x| x == r) => {
                Err(ParseError::new(format!("lost for one of: {}", reasons.join(", "))))
            }
            (Stage::ClosedLost, _) => Ok(()),
            (_, Some(_)) => Err(ParseError::new("only a lost opportunity has a loss reason")),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_default_their_category() {
        let cats: Vec<&str> = Stage::ALL.iter().map(|s| s.default_category().as_str()).collect();
        assert_eq!(cats, ["pipeline", "pipeline", "best_case", "commit", "commit", "omitted"]);
    }

    #[test]
    fn a_loss_needs_a_listed_reason() {
        let reasons: Vec<String> = DEFAULT_LOSS_REASONS.iter().map(|r| r.to_string()).collect();
        let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let lost = |reason: Option<&str>| Move {
            to: Stage::ClosedLost,
            lost_reason: reason.map(str::to_owned),
            note: String::new(),
            on: day,
        };
        assert!(lost(None).validate(Stage::Proposal, &reasons).unwrap_err().0.contains("why"));
        assert!(lost(Some("weather")).validate(Stage::Proposal, &reasons).unwrap_err().0.contains("one of: price"));
        assert_eq!(lost(Some("price")).validate(Stage::Proposal, &reasons), Ok(()));
        assert!(lost(Some("price")).validate(Stage::ClosedWon, &reasons).unwrap_err().0.contains("already closed won"));
        let won = Move { to: Stage::ClosedWon, lost_reason: Some("price".into()), note: String::new(), on: day };
        assert!(won.validate(Stage::Verbal, &reasons).is_err());
    }
}
