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
    /// hidden, and when exactly one is, the smallest shown cell is hidden with it.
    pub fn group(&self, cells: &[i64]) -> Vec<Option<i64>> {
        let mut out: Vec<Option<i64>> = cells.iter().map(|n| self.count(*n)).collect();
        if out.iter().filter(|c| c.is_none()).count() == 1 {
            let smallest = out.iter().enumerate().filter_map(|(i, c)| c.map(|n| (n, i))).min();
            if let Some((_, i)) = smallest {
                out[i] = None;
            }
        }
        out
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
        }
    }

    /// A month's cuts (every metro, or every worksite) together: the cuts add up to the
    /// account's total, so on top of each cut's own suppression a count hidden in exactly
    /// one cut is hidden in the next smallest cut too. When the cuts do not cover the whole
    /// account (people without a worksite), pass the remainder as one more cut: it is never
    /// shown, but a small one is a hidden cell all the same.
    pub fn cuts(&self, cuts: &[MonthMetrics]) -> Vec<ProgramMonth> {
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
        for (field, raw) in fields {
            let shown: Vec<usize> = (0..out.len()).filter(|i| field(&mut out[*i]).is_some()).collect();
            if out.len() - shown.len() == 1
                && let Some(i) = shown.into_iter().min_by_key(|i| raw(&cuts[*i]))
            {
                *field(&mut out[i]) = None;
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
        MonthMetrics::from_counts(Month::new(2026, 6).unwrap(), &Cut::All, &counts)
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
        let cuts =
            s.cuts(&[month(500, 150, 60, [0; 3], 30), month(300, 90, 40, [0; 3], 20), month(8, 3, 1, [0; 3], 0)]);
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
        let cuts = s.cuts(&[
            month(500, 150, 60, [90, 50, 20], 30),
            month(300, 90, 40, [60, 30, 20], 20),
            month(200, 60, 30, [40, 5, 20], 12),
        ]);
        assert_eq!(cuts[2].visits_video, None);
        assert_eq!(cuts[1].visits_video, None, "the next smallest video count");
        assert_eq!(cuts[0].visits_video, Some(50));
    }

    #[test]
    fn what_the_cuts_leave_out_counts_as_a_hidden_cell() {
        // Two metros and six people with no worksite: total − metros would reveal the six.
        let s = Suppressor::default();
        let shown =
            s.cuts(&[month(500, 150, 60, [0; 3], 30), month(300, 90, 40, [0; 3], 20), month(6, 2, 1, [0; 3], 0)]);
        assert_eq!(shown[1].eligible_lives, None, "the smaller metro is hidden with the remainder");
        assert_eq!(shown[0].eligible_lives, Some(500));
    }

    proptest! {
        /// No hidden cell of a group can be worked out from the shown cells and the total:
        /// either nothing is hidden or at least two cells are.
        #[test]
        fn groups_never_hide_exactly_one_cell(cells in proptest::collection::vec(0i64..40, 1..6)) {
            let out = Suppressor::default().group(&cells);
            let hidden = out.iter().filter(|c| c.is_none()).count();
            prop_assert!(hidden != 1 || cells.len() == 1);
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
