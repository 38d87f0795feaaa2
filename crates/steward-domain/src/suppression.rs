//! Small-cell suppression for everything a client user sees (DOMAIN.md "Privacy"): a count
//! of fewer than `threshold` persons is hidden (shown "<11") and the rates derived from it
//! blanked; a second cell is hidden wherever subtraction from a shown total would reveal a
//! hidden one (complementary suppression).
//!
//! Zero is a count like any other: "nobody at this worksite enrolled" is also about fewer
//! than eleven people. Visit counts are suppressed by the same threshold; a visit count
//! below it certainly comes from fewer people than that.

use crate::Month;
use crate::metrics::MonthMetrics;

pub const DEFAULT_THRESHOLD: i64 = 11;

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

    /// Shows every count: the same shape for internal users, who see unsuppressed numbers.
    pub fn none() -> Self {
        Self { threshold: 0 }
    }

    /// The count, or `None` when it is too small to show.
    pub fn count(&self, n: i64) -> Option<i64> {
        (n >= self.threshold).then_some(n)
    }

    /// A part of a shown whole: hidden when it is small, or when the rest of the whole is
    /// (subtracting it from the whole would reveal the rest).
    pub fn part(&self, part: i64, whole: Option<i64>) -> Option<i64> {
        match whole {
            Some(whole) if whole - part < self.threshold => None,
            _ => self.count(part),
        }
    }

    /// Cells that add up to a total the viewer can see (or work out): each small cell is
    /// hidden, then more as [`Suppressor::protect`] requires.
    pub fn group(&self, cells: &[i64]) -> Vec<Option<i64>> {
        let mut shown: Vec<bool> = cells.iter().map(|n| self.count(*n).is_some()).collect();
        self.protect(cells, &mut shown, &[(0..cells.len()).collect()]);
        cells.iter().zip(shown).map(|(n, s)| s.then_some(*n)).collect()
    }

    /// Complementary suppression: hides more cells until, in every group (cells that add up
    /// to a total the viewer can see or work out), the hidden cells are either none or at
    /// least two that together count at least the threshold — so neither subtraction nor
    /// adding up what is hidden tells anything about fewer people. The smallest shown cell
    /// goes first; groups may overlap (worksites within metros within the account), so
    /// this repeats until nothing changes. Returns whether anything was hidden.
    pub fn protect(&self, values: &[i64], shown: &mut [bool], groups: &[Vec<usize>]) -> bool {
        let mut any = false;
        loop {
            let mut changed = false;
            for group in groups {
                let hidden: Vec<usize> = group.iter().copied().filter(|i| !shown[*i]).collect();
                let hidden_sum: i64 = hidden.iter().map(|i| values[*i]).sum();
                if hidden.is_empty() || (hidden.len() >= 2 && hidden_sum >= self.threshold) {
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

fn rate(numerator: Option<i64>, denominator: Option<i64>, value: Option<f64>) -> Option<f64> {
    numerator.and(denominator).and(value)
}

/// One month's program results as shown to a viewer: `None` is a hidden cell or a blank
/// rate. Client users get them through the threshold; internal users through
/// [`Suppressor::none`], which hides nothing, so both draw the same charts.
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

impl Suppressor {
    /// One cut's month. Eligible → enrolled → active are nested wholes and parts; the three
    /// modalities add up to the visits a viewer can work out from visits per 1,000.
    pub fn month(&self, m: &MonthMetrics) -> ProgramMonth {
        let eligible = self.count(m.eligible_lives);
        // Eligible alone does not reveal a hidden enrolled count (its rate is blanked too).
        let enrolled = self.part(m.enrolled_members, eligible);
        let active = enrolled.and_then(|e| self.part(m.active_members_12m, Some(e)));
        let visits = self.group(&[m.visits_in_office, m.visits_video, m.visits_remote_other]);
        let responses = self.count(m.nps_responses);
        ProgramMonth {
            month: m.month,
            eligible_lives: eligible,
            enrolled_members: enrolled,
            enrollment_rate: rate(enrolled, eligible, m.enrollment_rate),
            active_members_12m: active,
            utilization_rate: rate(active, enrolled, m.utilization_rate),
            visits_in_office: visits[0],
            visits_video: visits[1],
            visits_remote_other: visits[2],
            // Per 1,000 with the member-months known would give the visit count back.
            visits_per_1000: enrolled.and(self.count(m.visits_12m)).and(m.visits_per_1000),
            nps: responses.and(m.nps),
            nps_responses: responses,
            partial: m.partial,
        }
    }

    /// A month's cuts together (every metro, or every worksite and what each metro and the
    /// account hold beyond them), with `groups` naming the cuts that add up to a total the
    /// viewer can see. Each cut is suppressed on its own, then across the groups
    /// ([`Suppressor::protect`]) count by count. Cells that are not cuts of their own (the
    /// remainders) are passed like cuts; the caller shows only the cuts it asked for.
    pub fn cuts(&self, cuts: &[MonthMetrics], groups: &[Vec<usize>]) -> Vec<ProgramMonth> {
        let mut out: Vec<ProgramMonth> = cuts.iter().map(|m| self.month(m)).collect();
        type Field = fn(&mut ProgramMonth) -> &mut Option<i64>;
        type Raw = fn(&MonthMetrics) -> i64;
        let fields: [(Field, Raw); 7] = [
            (|c| &mut c.eligible_lives, |m| m.eligible_lives),
            (|c| &mut c.enrolled_members, |m| m.enrolled_members),
            (|c| &mut c.active_members_12m, |m| m.active_members_12m),
            (|c| &mut c.nps_responses, |m| m.nps_responses),
            (|c| &mut c.visits_in_office, |m| m.visits_in_office),
            (|c| &mut c.visits_video, |m| m.visits_video),
            (|c| &mut c.visits_remote_other, |m| m.visits_remote_other),
        ];
        // Hiding an enrolled count hides the active count in that cut, which may call for
        // more hiding among the active counts: repeat until nothing changes.
        loop {
            let mut changed = false;
            for (field, raw) in fields {
                let values: Vec<i64> = cuts.iter().map(raw).collect();
                let mut shown: Vec<bool> = out.iter_mut().map(|c| field(c).is_some()).collect();
                if self.protect(&values, &mut shown, groups) {
                    changed = true;
                    for (c, show) in out.iter_mut().zip(shown) {
                        if !show {
                            *field(c) = None;
                        }
                    }
                }
            }
            for c in &mut out {
                if c.enrolled_members.is_none() && c.active_members_12m.is_some() {
                    c.active_members_12m = None;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for c in &mut out {
            if c.enrolled_members.is_none() {
                (c.enrollment_rate, c.utilization_rate, c.visits_per_1000, c.active_members_12m) =
                    (None, None, None, None);
            }
            if c.eligible_lives.is_none() {
                c.enrollment_rate = None;
            }
            if c.active_members_12m.is_none() {
                c.utilization_rate = None;
            }
            if c.nps_responses.is_none() {
                c.nps = None;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{Cut, MonthCounts};
    use proptest::prelude::*;

    fn month(eligible: i64, enrolled: i64, active: i64, visits: [i64; 3], responses: i64) -> MonthMetrics {
        let counts = MonthCounts {
            eligible_lives: eligible,
            eligible_employees: eligible,
            enrolled_members: enrolled,
            active_members_12m: active,
            visits_in_office: visits[0],
            visits_video: visits[1],
            visits_remote_other: visits[2],
            visits_12m: visits.iter().sum::<i64>() * 4,
            member_months_12m: enrolled * 12,
            promoters_12m: responses / 2,
            responses_12m: responses,
            ..MonthCounts::default()
        };
        MonthMetrics::from_counts(Month::new(2026, 6).unwrap(), &Cut::All, &counts, None)
    }

    #[test]
    fn large_counts_show_with_their_rates() {
        let c = Suppressor::default().month(&month(1000, 300, 120, [200, 80, 40], 50));
        assert_eq!((c.eligible_lives, c.enrolled_members, c.active_members_12m), (Some(1000), Some(300), Some(120)));
        assert_eq!(c.enrollment_rate, Some(0.3));
        assert_eq!(c.utilization_rate, Some(0.4));
        assert_eq!(c.nps_responses, Some(50));
        assert!(c.nps.is_some() && c.visits_per_1000.is_some());
    }

    #[test]
    fn small_counts_hide_and_blank_their_rates() {
        let c = Suppressor::default().month(&month(1000, 300, 9, [200, 80, 40], 10));
        assert_eq!(c.active_members_12m, None);
        assert_eq!(c.utilization_rate, None);
        assert_eq!((c.nps, c.nps_responses), (None, None));
        assert_eq!(c.enrollment_rate, Some(0.3));
    }

    #[test]
    fn none_shows_everything() {
        let m = month(5, 3, 1, [1, 0, 2], 2);
        let c = Suppressor::none().month(&m);
        assert_eq!((c.eligible_lives, c.enrolled_members, c.active_members_12m), (Some(5), Some(3), Some(1)));
        assert_eq!((c.visits_in_office, c.visits_video, c.nps_responses), (Some(1), Some(0), Some(2)));
        assert_eq!(c.enrollment_rate, m.enrollment_rate);
    }

    #[test]
    fn a_small_remainder_hides_the_part() {
        // 295 of 300 enrolled members active: the 5 inactive would be revealed.
        let c = Suppressor::default().month(&month(1000, 300, 295, [200, 80, 40], 50));
        assert_eq!(c.active_members_12m, None);
        assert_eq!(c.utilization_rate, None);
    }

    #[test]
    fn one_small_modality_takes_the_next_smallest_with_it() {
        let c = Suppressor::default().month(&month(1000, 300, 120, [200, 80, 4], 50));
        assert_eq!((c.visits_in_office, c.visits_video, c.visits_remote_other), (Some(200), None, None));
    }

    #[test]
    fn one_small_metro_takes_the_next_smallest_with_it() {
        let s = Suppressor::default();
        let cuts = s.cuts(
            &[month(500, 150, 60, [0; 3], 30), month(300, 90, 40, [0; 3], 20), month(8, 3, 1, [0; 3], 0)],
            &[vec![0, 1, 2]],
        );
        assert_eq!(cuts[2].eligible_lives, None);
        assert_eq!(cuts[1].eligible_lives, None, "complementary");
        assert_eq!(cuts[0].eligible_lives, Some(500));
        assert_eq!(cuts[1].enrollment_rate, None);
    }

    #[test]
    fn visits_per_1000_is_blank_when_few_visits_are_behind_it() {
        // 2 × 4 = 8 visits in the window: with enrolled known, per 1,000 would give them back.
        let c = Suppressor::default().month(&month(1000, 300, 120, [2, 0, 0], 50));
        assert_eq!(c.visits_per_1000, None);
        assert!(Suppressor::default().month(&month(1000, 300, 120, [20, 0, 0], 50)).visits_per_1000.is_some());
    }

    #[test]
    fn one_small_visit_count_among_metros_takes_another_with_it() {
        let s = Suppressor::default();
        let cuts = s.cuts(
            &[
                month(500, 150, 60, [90, 50, 20], 30),
                month(300, 90, 40, [60, 30, 20], 20),
                month(200, 60, 30, [40, 5, 20], 12),
            ],
            &[vec![0, 1, 2]],
        );
        assert_eq!(cuts[2].visits_video, None);
        assert_eq!(cuts[1].visits_video, None, "the next smallest video count");
        assert_eq!(cuts[0].visits_video, Some(50));
    }

    #[test]
    fn what_the_cuts_leave_out_counts_as_a_hidden_cell() {
        // Two metros and six people with no worksite: total − metros would reveal the six.
        let s = Suppressor::default();
        let shown = s.cuts(
            &[month(500, 150, 60, [0; 3], 30), month(300, 90, 40, [0; 3], 20), month(6, 2, 1, [0; 3], 0)],
            &[vec![0, 1, 2]],
        );
        assert_eq!(shown[1].eligible_lives, None, "the smaller metro is hidden with the remainder");
        assert_eq!(shown[0].eligible_lives, Some(500));
    }

    #[test]
    fn hidden_cells_together_count_at_least_the_threshold() {
        // 500, 5 and 3 of a shown 508: hiding 5 and 3 would say "8 people in those two".
        assert_eq!(Suppressor::default().group(&[500, 5, 3]), vec![None, None, None]);
        assert_eq!(Suppressor::default().group(&[500, 5, 3, 40]), vec![Some(500), None, None, None]);
        assert_eq!(Suppressor::default().group(&[500, 9, 3, 40]), vec![Some(500), None, None, Some(40)]);
    }

    #[test]
    fn worksites_are_protected_within_their_metro_too() {
        // Boston = HQ 495 + Lab 5; Chicago = Plant 300 + Depot 200 (no remainders). Hiding
        // Lab and Depot across the account is not enough: Boston's shown 500 − 495 = Lab.
        let s = Suppressor::default();
        let (hq, lab, plant, depot) = (0, 1, 2, 3);
        let groups = vec![vec![hq, lab], vec![plant, depot], vec![hq, lab, plant, depot]];
        let shown = s.cuts(
            &[
                month(495, 100, 50, [0; 3], 20),
                month(5, 1, 1, [0; 3], 0),
                month(300, 90, 40, [0; 3], 20),
                month(200, 60, 30, [0; 3], 12),
            ],
            &groups,
        );
        assert_eq!(shown[lab].eligible_lives, None);
        assert_eq!(shown[hq].eligible_lives, None, "HQ hides with Lab inside Boston");
        assert_eq!(
            (shown[plant].eligible_lives, shown[depot].eligible_lives),
            (Some(300), Some(200)),
            "Chicago is left alone"
        );
    }

    proptest! {
        /// No hidden cell of a group can be worked out from the shown cells and the total:
        /// either nothing is hidden, or at least two cells are and they count at least the
        /// threshold together.
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

        /// Whatever the counts, no shown count is below the threshold and no rate is shown
        /// without both of its counts.
        #[test]
        fn client_months_show_no_small_cell(
            eligible in 0i64..60, enrolled_share in 0.0f64..1.0, active_share in 0.0f64..1.0,
            visits in proptest::array::uniform3(0i64..30), responses in 0i64..30,
        ) {
            let enrolled = (eligible as f64 * enrolled_share) as i64;
            let active = (enrolled as f64 * active_share) as i64;
            let c = Suppressor::default().month(&month(eligible, enrolled, active, visits, responses));
            for n in [c.eligible_lives, c.enrolled_members, c.active_members_12m, c.visits_in_office, c.visits_video, c.visits_remote_other, c.nps_responses].into_iter().flatten() {
                prop_assert!(n >= DEFAULT_THRESHOLD);
            }
            if let Some(e) = c.eligible_lives.zip(c.enrolled_members) { prop_assert!(e.0 - e.1 >= DEFAULT_THRESHOLD); }
            if let Some(e) = c.enrolled_members.zip(c.active_members_12m) { prop_assert!(e.0 - e.1 >= DEFAULT_THRESHOLD); }
            prop_assert!(c.enrollment_rate.is_none() || (c.enrolled_members.is_some() && c.eligible_lives.is_some()));
            prop_assert!(c.utilization_rate.is_none() || (c.enrolled_members.is_some() && c.active_members_12m.is_some()));
            prop_assert!(c.nps.is_none() || c.nps_responses.is_some());
        }
    }
}
