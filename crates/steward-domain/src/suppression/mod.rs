//! Client privacy (DOMAIN.md "Privacy"): everything a client user sees passes through
//! [`client_figures`], which turns internal figures into client figures — small cells hidden
//! ("<11", rates blanked), complementary cells hidden where subtraction would reveal one,
//! counts rounded up to a multiple of five, rates from the rounded counts, survey figures per
//! calendar quarter, trailing-twelve-month flows at quarter ends only, and only for periods
//! that are complete. Internal pages keep monthly, exact figures ([`ProgramMonth::exact`]).
//!
//! Zero is a count like any other: "nobody at this worksite enrolled" is also about fewer
//! than eleven people. Only a cell nobody sees and that counts nobody — what the cuts leave
//! out when every person is in a cut — protects no one and hides nothing.

mod cells;
mod client;

pub use cells::Cells;
pub use client::{ClientMonth, ClientQuarter, ROUNDING, client_figures, monthly_surveys, round_up};

use crate::Month;
use crate::metrics::MonthMetrics;

/// The smallest group a client figure may count (DOMAIN.md: 11).
pub const DEFAULT_THRESHOLD: i64 = 11;

/// A configured threshold, checked: never below one (which would show every cell), and
/// below [`DEFAULT_THRESHOLD`] only when whoever configures it says they accept the risk —
/// then client figures may reveal groups of fewer than eleven people.
pub fn checked_threshold(threshold: i64, accept_risk: bool) -> Result<i64, String> {
    match threshold {
        ..1 => Err(format!("a suppression threshold of {threshold} would show every cell; it must be at least 1")),
        n if n < DEFAULT_THRESHOLD && !accept_risk => Err(format!(
            "a suppression threshold of {n} shows client users groups of fewer than {DEFAULT_THRESHOLD} people; \
             add --accept-small-cell-risk to do so on purpose"
        )),
        n => Ok(n),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Suppressor {
    pub threshold: i64,
}

impl Default for Suppressor {
    fn default() -> Self {
        Self { threshold: DEFAULT_THRESHOLD }
    }
}

impl Suppressor {
    pub fn new(threshold: i64) -> Self {
        Self { threshold }
    }

    /// The count, or `None` when it is too small to show.
    pub fn count(&self, n: i64) -> Option<i64> {
        (n >= self.threshold).then_some(n)
    }

    /// Cells that add up to a total the viewer can see (or work out): each small cell is
    /// hidden, then more as [`Suppressor::protect`] requires.
    pub fn group(&self, cells: &[i64]) -> Vec<Option<i64>> {
        let mut shown: Vec<bool> = cells.iter().map(|n| self.count(*n).is_some()).collect();
        self.protect(cells, &mut shown, &[(0..cells.len()).collect()]);
        cells.iter().zip(shown).map(|(n, s)| s.then_some(*n)).collect()
    }

    /// Complementary suppression: hides more cells until, in every group (cells that add up
    /// to a total the viewer can see or work out), no small cell can be worked out: the
    /// hidden cells hold none under the threshold, or there are at least two of them and
    /// together they count at least the threshold. The smallest shown cell goes first;
    /// groups overlap (worksites within metros within the account), so this repeats until
    /// nothing changes. Returns whether anything was hidden.
    pub fn protect(&self, values: &[i64], shown: &mut [bool], groups: &[Vec<usize>]) -> bool {
        let mut any = false;
        loop {
            let mut changed = false;
            for group in groups {
                let hidden: Vec<usize> = group.iter().copied().filter(|i| !shown[*i]).collect();
                let small = hidden.iter().any(|i| values[*i] < self.threshold);
                let hidden_sum: i64 = hidden.iter().map(|i| values[*i]).sum();
                if !small || (hidden.len() >= 2 && hidden_sum >= self.threshold) {
                    continue;
                }
                if let Some(&i) = group.iter().filter(|i| shown[**i]).min_by_key(|i| values[**i]) {
                    shown[i] = false;
                    changed = true;
                }
            }
            if !changed {
                return any;
            }
            any = true;
        }
    }
}

/// One month's program results as internal pages draw them: every figure exact.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ProgramMonth {
    pub month: Month,
    pub eligible_lives: Option<i64>,
    pub enrolled_members: Option<i64>,
    pub enrollment_rate: Option<f64>,
    pub active_members_12m: Option<i64>,
    pub utilization_rate: Option<f64>,
    pub visits_in_office: Option<i64>,
    pub visits_video: Option<i64>,
    pub visits_remote_other: Option<i64>,
    pub visits_per_1000: Option<f64>,
    pub nps: Option<f64>,
    pub nps_responses: Option<i64>,
    /// The month to date (see [`MonthMetrics::partial`]).
    pub partial: bool,
}

impl ProgramMonth {
    /// The month as internal users see it: exact, nothing hidden.
    pub fn exact(m: &MonthMetrics) -> Self {
        ProgramMonth {
            month: m.month,
            eligible_lives: Some(m.eligible_lives),
            enrolled_members: Some(m.enrolled_members),
            enrollment_rate: m.enrollment_rate,
            active_members_12m: Some(m.active_members_12m),
            utilization_rate: m.utilization_rate,
            visits_in_office: Some(m.visits_in_office),
            visits_video: Some(m.visits_video),
            visits_remote_other: Some(m.visits_remote_other),
            visits_per_1000: m.visits_per_1000,
            nps: m.nps,
            nps_responses: Some(m.nps_responses),
            partial: m.partial,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn hidden_cells_together_count_at_least_the_threshold() {
        // 500, 5 and 3 of a shown 508: hiding 5 and 3 would say "8 people in those two".
        assert_eq!(Suppressor::default().group(&[500, 5, 3]), vec![None, None, None]);
        assert_eq!(Suppressor::default().group(&[500, 5, 3, 40]), vec![Some(500), None, None, None]);
        assert_eq!(Suppressor::default().group(&[500, 9, 3, 40]), vec![Some(500), None, None, Some(40)]);
    }

    #[test]
    fn a_hidden_cell_of_many_people_needs_no_companion() {
        // A remainder of 15 people nobody sees: working it out says "15 people", no one.
        let s = Suppressor::default();
        let (values, mut shown) = ([500, 300, 15], [true, true, false]);
        assert!(!s.protect(&values, &mut shown, &[vec![0, 1, 2]]));
        // Of 6 people, it takes the smaller metro with it.
        let (values, mut shown) = ([500, 300, 6], [true, true, false]);
        assert!(s.protect(&values, &mut shown, &[vec![0, 1, 2]]));
        assert_eq!(shown, [true, false, false]);
    }

    #[test]
    fn thresholds_below_eleven_need_the_risk_accepted() {
        assert_eq!(checked_threshold(11, false), Ok(11));
        assert_eq!(checked_threshold(25, false), Ok(25));
        assert!(checked_threshold(5, false).is_err());
        assert_eq!(checked_threshold(5, true), Ok(5));
        for never in [0, -3] {
            assert!(checked_threshold(never, true).is_err(), "{never}");
        }
    }

    proptest! {
        /// No hidden small cell of a group can be worked out from the shown cells and the
        /// total: either none is hidden, or at least two cells are and they count at least
        /// the threshold together.
        #[test]
        fn hidden_cells_cannot_be_worked_out(cells in proptest::collection::vec(0i64..40, 1..6)) {
            let out = Suppressor::default().group(&cells);
            let hidden: Vec<i64> = out.iter().zip(&cells).filter(|(c, _)| c.is_none()).map(|(_, n)| *n).collect();
            // All hidden is fine: then the total is as small and hidden in its own place.
            prop_assert!(hidden.is_empty() || hidden.len() == cells.len() || (hidden.len() >= 2 && hidden.iter().sum::<i64>() >= DEFAULT_THRESHOLD));
            for (shown, raw) in out.iter().zip(&cells) {
                if let Some(n) = shown {
                    prop_assert!(*n >= DEFAULT_THRESHOLD && n == raw);
                }
            }
        }
    }
}
