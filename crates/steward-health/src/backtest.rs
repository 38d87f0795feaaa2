//! Does the health score mean anything? Every past renewal decision (renewed or churned)
//! against the account's health some months before it: the area under the ROC curve for
//! "low health predicts churn", churn by band, and a calibration table.

use crate::history::{AccountData, score_months};
use rayon::prelude::*;
use std::collections::BTreeMap;
use steward_domain::health::{Band, Scorecard};
use steward_domain::{Month, RenewalOutcome};
use steward_store::{Result as StoreResult, Store};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BandRate {
    pub band: Band,
    pub decisions: usize,
    pub churned: usize,
    pub churn_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CalibrationRow {
    /// Scores from `from` up to (not including) `from + 20`; the last row includes 100.
    pub from: u32,
    pub decisions: usize,
    pub churn_rate: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Backtest {
    pub months_before: i32,
    /// Probability a churned account scored below a renewed one (ties count half).
    pub auc: Option<f64>,
    pub decisions: usize,
    pub churned: usize,
    /// Decisions without a score that many months before (no data yet then).
    pub skipped: usize,
    pub by_band: Vec<BandRate>,
    pub calibration: Vec<CalibrationRow>,
}

/// A renewal decision's score before it and whether the client churned (`None`: no score
/// that many months before).
type Decision = Option<(f64, bool)>;

/// AUC of `scores` (score, churned) where a lower score should mean churn.
pub fn auc(scores: &[(f64, bool)]) -> Option<f64> {
    let churned: Vec<f64> = scores.iter().filter(|s| s.1).map(|s| s.0).collect();
    let renewed: Vec<f64> = scores.iter().filter(|s| !s.1).map(|s| s.0).collect();
    if churned.is_empty() || renewed.is_empty() {
        return None;
    }
    let mut wins = 0.0;
    for c in &churned {
        for r in &renewed {
            wins += if c < r {
                1.0
            } else if c == r {
                0.5
            } else {
                0.0
            };
        }
    }
    Some(wins / (churned.len() * renewed.len()) as f64)
}

fn rate(churned: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| churned as f64 / n as f64)
}

pub fn backtest(store: &dyn Store, card: &Scorecard, months_before: i32) -> StoreResult<Backtest> {
    let accounts: Vec<_> = store.accounts()?.into_iter().map(|a| a.slug).collect();
    // Per account, in parallel: its decisions and the score `months_before` each.
    let per_account: Vec<StoreResult<Vec<Decision>>> = accounts
        .par_iter()
        .map(|slug| {
            let data = AccountData::load(store, slug)?;
            let decisions: Vec<(Month, bool)> = data
                .contracts
                .iter()
                .filter(|c| c.renewal_outcome != RenewalOutcome::Pending)
                .map(|c| (Month::of(c.end_date), c.renewal_outcome == RenewalOutcome::Churned))
                .collect();
            if decisions.is_empty() {
                return Ok(Vec::new());
            }
            // Every month as of its own end: the decisions are in the past.
            let health = score_months(card, &data, chrono::NaiveDate::MAX);
            Ok(decisions
                .into_iter()
                .map(|(month, churned)| {
                    let at = month.plus(-months_before);
                    health.months.iter().find(|(m, _)| *m == at).map(|(_, h)| (h.score, churned))
                })
                .collect())
        })
        .collect();
    let mut scored: Vec<(f64, bool)> = Vec::new();
    let mut skipped = 0;
    for result in per_account {
        for decision in result? {
            match decision {
                Some(s) => scored.push(s),
                None => skipped += 1,
            }
        }
    }
    let mut bands: BTreeMap<Band, (usize, usize)> = BTreeMap::new();
    let mut buckets = [(0usize, 0usize); 5];
    for (score, churned) in &scored {
        let b = bands.entry(Band::of(*score)).or_default();
        b.0 += 1;
        b.1 += usize::from(*churned);
        let k = ((*score / 20.0) as usize).min(4);
        buckets[k].0 += 1;
        buckets[k].1 += usize::from(*churned);
    }
    Ok(Backtest {
        months_before,
        auc: auc(&scored),
        decisions: scored.len(),
        churned: scored.iter().filter(|s| s.1).count(),
        skipped,
        by_band: Band::ALL
            .iter()
            .copied()
            .map(|band| {
                let (n, c) = bands.get(&band).copied().unwrap_or_default();
                BandRate { band, decisions: n, churned: c, churn_rate: rate(c, n) }
            })
            .collect(),
        calibration: buckets
            .iter()
            .enumerate()
            .map(|(k, (n, c))| CalibrationRow { from: k as u32 * 20, decisions: *n, churn_rate: rate(*c, *n) })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::auc;

    #[test]
    fn auc_by_hand() {
        assert_eq!(auc(&[(10.0, true), (20.0, false), (30.0, false)]), Some(1.0));
        assert_eq!(auc(&[(40.0, true), (20.0, false), (30.0, false)]), Some(0.0));
        // Churned 20 and 30 against renewed 20 and 10: one tie, no wins.
        assert_eq!(auc(&[(20.0, true), (20.0, false), (30.0, true), (10.0, false)]), Some(0.125));
        assert_eq!(auc(&[(20.0, false)]), None);
    }
}
