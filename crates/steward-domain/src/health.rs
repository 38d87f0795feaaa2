//! Account health, 0–100, from a configurable scorecard (DOMAIN.md "Health"): each measure
//! is scored through band points (linear between them, flat beyond), weighted; a measure
//! without data is dropped and the weights renormalized, with the score flagged
//! `insufficient_data`. Every score explains itself: per measure its value, score, weight
//! and the points it cost against a perfect 100, worst first.

use crate::text_enum::text_enum;

text_enum! {
    pub enum Measure ("health measure") {
        /// Enrollment rate as a fraction of the account's target (1.0 = on target).
        EnrollmentVsTarget = "enrollment_vs_target",
        UtilizationRate = "utilization_rate",
        /// Ignored below the minimum response count (11).
        Nps = "nps",
        /// Mean 1–5 rating from the client's HR contacts, last two quarters.
        ClientCsat = "client_csat",
        DaysSinceDecisionMakerTouch = "days_since_decision_maker_touch",
        /// How the people who decide feel about the program: their sentiment (−2 to +2),
        /// weighted by their influence.
        DecisionMakerSentiment = "decision_maker_sentiment",
        OpenEscalations = "open_escalations",
        /// Change in enrollment rate over three months, in percentage points.
        EnrollmentTrend3m = "enrollment_trend_3m",
    }
}

text_enum! {
    /// red < 50 ≤ yellow < 75 ≤ green
    pub enum Band ("health band") {
        Red = "red",
        Yellow = "yellow",
        Green = "green",
    }
}

impl Band {
    pub fn of(score: f64) -> Self {
        if score < 50.0 {
            Band::Red
        } else if score < 75.0 {
            Band::Yellow
        } else {
            Band::Green
        }
    }
}

/// How one measure turns into points.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MeasureRule {
    pub measure: Measure,
    pub weight: f64,
    /// `(value, score)` points, by increasing value; scores between are interpolated.
    pub bands: Vec<(f64, f64)>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Scorecard {
    pub measures: Vec<MeasureRule>,
    /// NPS from fewer responses than this is no data.
    pub min_nps_responses: i64,
}

impl Scorecard {
    /// Refuses a scorecard that would score silently wrong: band points out of order or
    /// outside 0–100, negative weights, a measure listed twice, nothing weighted.
    pub fn validate(&self) -> Result<(), crate::ParseError> {
        let bad = |m: &str| Err(crate::ParseError::new(m.to_owned()));
        let mut seen = Vec::new();
        for r in &self.measures {
            if seen.contains(&r.measure) {
                return bad(&format!("measure {} is listed twice", r.measure));
            }
            seen.push(r.measure);
            if !(r.weight >= 0.0 && r.weight.is_finite()) {
                return bad(&format!("measure {}: the weight must be zero or more", r.measure));
            }
            if r.bands.is_empty() || r.bands.windows(2).any(|w| w[1].0 <= w[0].0) {
                return bad(&format!("measure {}: band points need strictly increasing values", r.measure));
            }
            if r.bands.iter().any(|(_, s)| !(0.0..=100.0).contains(s)) {
                return bad(&format!("measure {}: band scores are 0 to 100", r.measure));
            }
        }
        if self.measures.iter().all(|r| r.weight <= 0.0) {
            return bad("no measure has a weight");
        }
        Ok(())
    }
}

impl Default for Scorecard {
    fn default() -> Self {
        use Measure::*;
        let rule = |measure, weight, bands: &[(f64, f64)]| MeasureRule { measure, weight, bands: bands.to_vec() };
        Self {
            measures: vec![
                rule(EnrollmentVsTarget, 25.0, &[(0.25, 0.0), (0.6, 40.0), (0.9, 80.0), (1.1, 100.0)]),
                rule(UtilizationRate, 15.0, &[(0.25, 0.0), (0.45, 50.0), (0.6, 100.0)]),
                rule(Nps, 15.0, &[(-20.0, 0.0), (20.0, 50.0), (50.0, 100.0)]),
                rule(ClientCsat, 15.0, &[(2.0, 0.0), (3.5, 60.0), (4.5, 100.0)]),
                // Capped at 5 and gently sloped: one logged call after months of silence
                // moves the score by a few points, never a band by itself.
                rule(DaysSinceDecisionMakerTouch, 5.0, &[(30.0, 100.0), (90.0, 60.0), (180.0, 0.0)]),
                rule(DecisionMakerSentiment, 10.0, &[(-2.0, 0.0), (0.0, 50.0), (1.5, 100.0)]),
                rule(OpenEscalations, 10.0, &[(0.0, 100.0), (1.0, 60.0), (3.0, 0.0)]),
                rule(EnrollmentTrend3m, 10.0, &[(-3.0, 0.0), (0.0, 60.0), (2.0, 100.0)]),
            ],
            min_nps_responses: 11,
        }
    }
}

/// What the scorecard reads for one account and month; `None` is no data.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Inputs {
    pub enrollment_rate: Option<f64>,
    pub enrollment_target: f64,
    pub utilization_rate: Option<f64>,
    pub nps: Option<f64>,
    pub nps_responses: i64,
    pub client_csat: Option<f64>,
    pub days_since_decision_maker_touch: Option<i64>,
    pub decision_maker_sentiment: Option<f64>,
    pub open_escalations: i64,
    pub enrollment_trend_3m: Option<f64>,
}

impl Inputs {
    pub fn value(&self, measure: Measure, min_nps_responses: i64) -> Option<f64> {
        match measure {
            Measure::EnrollmentVsTarget => {
                self.enrollment_rate.filter(|_| self.enrollment_target > 0.0).map(|r| r / self.enrollment_target)
            }
            Measure::UtilizationRate => self.utilization_rate,
            Measure::Nps => self.nps.filter(|_| self.nps_responses >= min_nps_responses),
            Measure::ClientCsat => self.client_csat,
            Measure::DaysSinceDecisionMakerTouch => self.days_since_decision_maker_touch.map(|d| d as f64),
            Measure::DecisionMakerSentiment => self.decision_maker_sentiment,
            Measure::OpenEscalations => Some(self.open_escalations as f64),
            Measure::EnrollmentTrend3m => self.enrollment_trend_3m,
        }
    }
}

/// One measure's part in a score.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Driver {
    pub measure: Measure,
    pub value: f64,
    pub measure_score: f64,
    /// Share of the total weight, after renormalization (sums to 1).
    pub weight: f64,
    /// What this measure cost against a perfect 100, in points of the overall score.
    pub points_lost: f64,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HealthScore {
    pub score: f64,
    pub band: Band,
    pub insufficient_data: bool,
    /// Worst first.
    pub drivers: Vec<Driver>,
}

/// The score of `value` through `bands`: linear between points, flat beyond the ends.
pub fn band_score(bands: &[(f64, f64)], value: f64) -> f64 {
    let (Some(first), Some(last)) = (bands.first(), bands.last()) else { return 0.0 };
    if value <= first.0 {
        return first.1;
    }
    if value >= last.0 {
        return last.1;
    }
    for w in bands.windows(2) {
        let ((x0, y0), (x1, y1)) = (w[0], w[1]);
        if value <= x1 {
            return if x1 == x0 { y1 } else { y0 + (y1 - y0) * (value - x0) / (x1 - x0) };
        }
    }
    last.1
}

/// Scores one account-month. `None` when no measure but open escalations has data: a count
/// of zero escalations alone says nothing about a client.
pub fn score(card: &Scorecard, inputs: &Inputs) -> Option<HealthScore> {
    let present: Vec<(&MeasureRule, f64)> = card
        .measures
        .iter()
        .filter(|r| r.weight > 0.0)
        .filter_map(|r| inputs.value(r.measure, card.min_nps_responses).map(|v| (r, v)))
        .collect();
    let total: f64 = present.iter().map(|(r, _)| r.weight).sum();
    if total <= 0.0 || present.iter().all(|(r, _)| r.measure == Measure::OpenEscalations) {
        return None;
    }
    let mut drivers: Vec<Driver> = present
        .iter()
        .map(|(r, value)| {
            let measure_score = band_score(&r.bands, *value).clamp(0.0, 100.0);
            let weight = r.weight / total;
            Driver {
                measure: r.measure,
                value: *value,
                measure_score,
                weight,
                points_lost: weight * (100.0 - measure_score),
            }
        })
        .collect();
    let score = drivers.iter().map(|d| d.weight * d.measure_score).sum::<f64>();
    drivers.sort_by(|a, b| b.points_lost.total_cmp(&a.points_lost));
    let insufficient_data = present.len() < card.measures.iter().filter(|r| r.weight > 0.0).count();
    Some(HealthScore { score, band: Band::of(score), insufficient_data, drivers })
}

/// How a score moved since the month before, and which measures moved it (points gained
/// per measure, largest move first).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Change {
    pub delta: f64,
    pub movers: Vec<(Measure, f64)>,
}

pub fn change(before: &HealthScore, after: &HealthScore) -> Change {
    let contribution = |s: &HealthScore, m: Measure| {
        s.drivers.iter().find(|d| d.measure == m).map_or(0.0, |d| d.weight * d.measure_score)
    };
    let mut measures: Vec<Measure> = before.drivers.iter().chain(&after.drivers).map(|d| d.measure).collect();
    measures.sort();
    measures.dedup();
    let mut movers: Vec<(Measure, f64)> = measures
        .into_iter()
        .map(|m| (m, contribution(after, m) - contribution(before, m)))
        .filter(|(_, d)| d.abs() >= 0.05)
        .collect();
    movers.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    Change { delta: after.score - before.score, movers }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Inputs {
        Inputs {
            enrollment_rate: Some(0.15),
            enrollment_target: 0.30,
            utilization_rate: Some(0.50),
            nps: Some(35.0),
            nps_responses: 40,
            client_csat: Some(4.0),
            days_since_decision_maker_touch: Some(45),
            decision_maker_sentiment: Some(0.75),
            open_escalations: 1,
            enrollment_trend_3m: Some(-1.5),
        }
    }

    #[test]
    fn bands_interpolate_and_clamp() {
        let b = [(0.0, 100.0), (1.0, 60.0), (3.0, 0.0)];
        assert_eq!(band_score(&b, -5.0), 100.0);
        assert_eq!(band_score(&b, 2.0), 30.0);
        assert_eq!(band_score(&b, 9.0), 0.0);
    }

    #[test]
    fn scored_by_hand() {
        // enrollment 0.15/0.30 = 0.5 of target → 40 × (0.5−0.25)/(0.6−0.25) = 28.571…
        // utilization 0.50 → 50 + 50 × 0.05/0.15 = 66.667; NPS 35 → 50 + 50 × 15/30 = 75
        // CSAT 4.0 → 60 + 40 × 0.5 = 80; touch 45 days → 100 − 40 × 15/60 = 90;
        // sentiment +0.75 → 50 + 50 × 0.75/1.5 = 75; 1 escalation → 60; trend −1.5 → 30.
        // Weights 25/15/15/15/5/10/10/10 of 105.
        let s = score(&Scorecard::default(), &full()).unwrap();
        let expected = (25.0 * (40.0 * 0.25 / 0.35)
            + 15.0 * (50.0 + 50.0 / 3.0)
            + 15.0 * 75.0
            + 15.0 * 80.0
            + 5.0 * 90.0
            + 10.0 * 75.0
            + 10.0 * 60.0
            + 10.0 * 30.0)
            / 105.0;
        assert!((s.score - expected).abs() < 1e-9, "{} vs {expected}", s.score);
        assert_eq!(s.band, Band::Yellow);
        assert!(!s.insufficient_data);
        assert_eq!(s.drivers[0].measure, Measure::EnrollmentVsTarget, "the worst driver first");
        assert!((s.drivers[0].points_lost - 25.0 / 105.0 * (100.0 - 40.0 * 0.25 / 0.35)).abs() < 1e-9);
        let lost: f64 = s.drivers.iter().map(|d| d.points_lost).sum();
        assert!((100.0 - lost - s.score).abs() < 1e-9, "points lost add up to the gap to 100");
    }

    #[test]
    fn missing_measures_renormalize() {
        let mut i = full();
        i.nps_responses = 10; // below 11: no data
        i.client_csat = None;
        let s = score(&Scorecard::default(), &i).unwrap();
        assert!(s.insufficient_data);
        assert_eq!(s.drivers.len(), 6);
        assert!((s.drivers.iter().map(|d| d.weight).sum::<f64>() - 1.0).abs() < 1e-12);
        let enrollment = s.drivers.iter().find(|d| d.measure == Measure::EnrollmentVsTarget).unwrap();
        assert!((enrollment.weight - 25.0 / 75.0).abs() < 1e-12);
        // Renormalized by hand: utilization 66.667, CSAT 80 over weights 15 + 15 → 73.333.
        let two = Inputs {
            utilization_rate: Some(0.50),
            client_csat: Some(4.0),
            enrollment_target: 0.3,
            ..Inputs::default()
        };
        let mut card = Scorecard::default();
        card.measures.retain(|r| matches!(r.measure, Measure::UtilizationRate | Measure::ClientCsat));
        let s = score(&card, &two).unwrap();
        assert!((s.score - (0.5 * (50.0 + 50.0 / 3.0) + 0.5 * 80.0)).abs() < 1e-9, "{}", s.score);
        let nothing = Inputs { enrollment_target: 0.3, open_escalations: 0, ..Inputs::default() };
        assert_eq!(score(&Scorecard::default(), &nothing), None, "escalations alone are no data");
    }

    /// Issue 11, item 5: an account at risk — CSAT 2.8, both decision makers negative, no
    /// decision maker met for 140 days — logs one call. Its score moves a few points and it
    /// stays at risk; the old card (touch weighted 10, 0 points at 120 days, no sentiment)
    /// took it from 46 to 52.
    #[test]
    fn one_call_does_not_swing_the_band() {
        let at_risk = Inputs {
            enrollment_rate: Some(0.16),
            enrollment_target: 0.30,
            utilization_rate: Some(0.42),
            nps: Some(22.0),
            nps_responses: 30,
            client_csat: Some(2.8),
            days_since_decision_maker_touch: Some(140),
            decision_maker_sentiment: Some(-1.5),
            open_escalations: 1,
            enrollment_trend_3m: Some(0.5),
        };
        let called = Inputs { days_since_decision_maker_touch: Some(0), ..at_risk };
        let card = Scorecard::default();
        let (before, after) = (score(&card, &at_risk).unwrap(), score(&card, &called).unwrap());
        assert!(after.score - before.score < 4.0, "{} → {}", before.score, after.score);
        assert_eq!((before.band, after.band), (Band::Red, Band::Red));
        let mut old = Scorecard::default();
        old.measures.retain(|r| r.measure != Measure::DecisionMakerSentiment);
        for r in &mut old.measures {
            if r.measure == Measure::DaysSinceDecisionMakerTouch {
                *r = MeasureRule {
                    measure: r.measure,
                    weight: 10.0,
                    bands: vec![(30.0, 100.0), (60.0, 60.0), (120.0, 0.0)],
                };
            }
        }
        let (was, now) = (score(&old, &at_risk).unwrap(), score(&old, &called).unwrap());
        assert!(now.score - was.score > 9.0, "the old card swung it: {} → {}", was.score, now.score);
    }

    #[test]
    fn change_names_the_measures_that_moved() {
        let before = score(&Scorecard::default(), &full()).unwrap();
        let mut worse = full();
        worse.open_escalations = 3;
        worse.client_csat = Some(3.5);
        let after = score(&Scorecard::default(), &worse).unwrap();
        let c = change(&before, &after);
        // Escalations 60 → 0 at weight 10/105, CSAT 80 → 60 at 15/105.
        assert!((c.delta - (-600.0 - 300.0) / 105.0).abs() < 1e-9, "{c:?}");
        assert_eq!(c.movers.iter().map(|m| m.0).collect::<Vec<_>>(), [Measure::OpenEscalations, Measure::ClientCsat]);
    }

    #[test]
    fn bad_scorecards_are_refused() {
        assert!(Scorecard::default().validate().is_ok());
        let mut c = Scorecard::default();
        c.measures[0].bands = vec![(1.0, 0.0), (0.5, 100.0)];
        assert!(c.validate().unwrap_err().0.contains("strictly increasing"));
        let mut c = Scorecard::default();
        c.measures[1].bands[0].1 = 120.0;
        assert!(c.validate().is_err());
        let mut c = Scorecard::default();
        c.measures.push(c.measures[0].clone());
        assert!(c.validate().unwrap_err().0.contains("twice"));
    }

    #[test]
    fn bands() {
        assert_eq!(
            (Band::of(49.99), Band::of(50.0), Band::of(74.99), Band::of(75.0)),
            (Band::Red, Band::Yellow, Band::Yellow, Band::Green)
        );
    }
}
