//! Moving opportunities through their stages with the rules that need the store: a loss
//! names one of the configured reasons, and a won renewal signs its next term — on the
//! terms of its accepted quote when it has one, else the terms it renews at a new rate if
//! one is given — for as long as the quote (or the term before) unless told otherwise.

use steward_domain::opportunity::{DEFAULT_LOSS_REASONS, Move, Opportunity, OpportunityKind, Stage};
use steward_domain::quote::QuoteStatus;
use steward_domain::{Email, Money, NewContract};
use steward_store::{QuoteFilter, Result as StoreResult, Store};

/// The setting that holds the loss reasons, one a line.
pub const LOSS_REASONS: &str = "opportunity.loss_reasons";

/// The reasons a deal may be lost for: the setting's, else the defaults.
pub fn loss_reasons(store: &dyn Store) -> StoreResult<Vec<String>> {
    let configured: Vec<String> = store
        .setting(LOSS_REASONS)?
        .map(|s| s.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default();
    Ok(if configured.is_empty() { DEFAULT_LOSS_REASONS.iter().map(|r| r.to_string()).collect() } else { configured })
}

/// A won renewal's next term, where it differs from the term it renews.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NextTerm {
    pub rate: Option<Money>,
    pub term_months: Option<u32>,
}

/// Moves opportunity `id` as `mv` says, naming the version read (`None`: the current one).
pub fn move_to(
    store: &dyn Store,
    id: i64,
    mv: &Move,
    next: NextTerm,
    by: Option<&Email>,
    version: Option<i64>,
) -> StoreResult<Opportunity> {
    let current = store.opportunity(id)?;
    // A stale version is a conflict before anything else: what was read is not what is.
    if version.is_some_and(|v| v != current.version) {
        return Err(steward_store::StoreError::Conflict {
            what: format!("opportunity {id}"),
            current: current.version,
        });
    }
    mv.validate(current.stage, &loss_reasons(store)?)?;
    let next_term = match (current.kind, current.contract_id, mv.to) {
        (OpportunityKind::Renewal, Some(contract), Stage::ClosedWon) => {
            let renewed = store.contract(contract)?;
            let accepted = store
                .quotes(&QuoteFilter { opportunity: Some(id), status: Some(QuoteStatus::Accepted), account: None })?
                .into_iter()
                .next();
            let start = renewed.end_date.succ_opt().unwrap_or(renewed.end_date);
            let months = next
                .term_months
                .or(accepted.as_ref().map(|q| q.term_months))
                .unwrap_or(renewed.term_months().clamp(1, 120) as u32);
            let end = start
                .checked_add_months(chrono::Months::new(months))
                .and_then(|d| d.pred_opt())
                .ok_or_else(|| steward_domain::ParseError::new("the next term ends past any date"))?;
            let quoted = accepted.is_some();
            let terms = accepted.map_or_else(|| renewed.on(renewed.end_date).terms(), |q| q.terms);
            // Renewing on the same terms starts from the rate reached, raises included.
            let reached = if quoted {
                1.0
            } else {
                let in_force = renewed.on(renewed.end_date);
                let raises = steward_domain::pricing::contract_years(in_force.start_date, renewed.end_date)
                    - steward_domain::pricing::contract_years(in_force.start_date, in_force.terms_from);
                (1.0 + terms.annual_escalator_pct / 100.0).powi(raises.max(0) as i32)
            };
            let rate = next.rate.unwrap_or(Money::from_cents((terms.rate.cents as f64 * reached).round() as i64));
            // New tier rates keep their proportions to the base rate (in i128: no overflow).
            let scale = |m: Money| {
                if terms.rate.cents == 0 {
                    m
                } else {
                    let cents = i128::from(m.cents) * i128::from(rate.cents) / i128::from(terms.rate.cents);
                    Money::from_cents(i64::try_from(cents).unwrap_or(i64::MAX))
                }
            };
            let mut next = NewContract::of_terms(
                renewed.account.clone(),
                (start, end),
                renewed.notice_days,
                renewed.auto_renew,
                steward_domain::Terms {
                    rate,
                    tiers: terms.tiers.iter().map(|t| steward_domain::Tier { rate: scale(t.rate), ..*t }).collect(),
                    ..terms.clone()
                },
            );
            // A guarantee belongs to the term it is measured in.
            next.guarantees.retain(|g| (start..=end).contains(&g.measured_on));
            Some(next)
        }
        _ => None,
    };
    store.move_opportunity(id, mv, next_term.as_ref(), by, version.unwrap_or(current.version))
}
