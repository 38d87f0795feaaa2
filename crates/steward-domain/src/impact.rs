//! Did an initiative work? A difference in differences of its goal metric, target against
//! comparison, at weekly resolution, with worksites as the clusters (DOMAIN.md, "Engagement
//! initiatives and experiments"). People of one worksite are not independent, so every
//! interval comes from the spread *between* worksites: each worksite's own change from the
//! baseline window to the outcome window is one observation, the groups' person-weighted
//! means are compared, their variance is the cluster-robust (CR2) one, and the interval uses
//! Student's t with conservative degrees of freedom (below) — honest with few worksites, where
//! a normal or a bootstrap interval is too narrow. Too few worksites or people on a side give
//! no estimate and the reason, never a confident number from nothing.

mod panel;

pub use panel::{NO_WORKSITE, Target, Weeks, clusters};

use crate::stats::t_quantile;
use crate::text_enum::text_enum;

text_enum! {
    /// What an initiative means to move.
    pub enum GoalMetric ("goal metric") {
        /// Enrolled ÷ eligible, in percentage points.
        EnrollmentRate = "enrollment_rate",
        /// People whose membership began that week, per 1,000 eligible.
        NewEnrollments = "new_enrollments",
        /// Enrolled people with a visit that week, in percent of the enrolled.
        Utilization = "utilization",
        /// Completed visits per 1,000 eligible a year.
        VisitsPer1000 = "visits_per_1000",
    }
}

impl GoalMetric {
    /// Whether moving this metric moves a health measure: enrollment's two measures for the
    /// enrollment metrics, utilization's for the visit metrics.
    pub fn bears_on(self, measure: crate::health::Measure) -> bool {
        use crate::health::Measure;
        match self {
            Self::EnrollmentRate | Self::NewEnrollments => {
                matches!(measure, Measure::EnrollmentVsTarget | Measure::EnrollmentTrend3m)
            }
            Self::Utilization | Self::VisitsPer1000 => measure == Measure::UtilizationRate,
        }
    }

    /// The unit an effect is given in.
    pub fn unit(self) -> &'static str {
        match self {
            Self::EnrollmentRate | Self::Utilization => "percentage points",
            Self::NewEnrollments => "new enrollments a week per 1,000 eligible",
            Self::VisitsPer1000 => "visits a year per 1,000 eligible",
        }
    }

    /// The metric over some weeks of one worksite: the sum of its numerators over the sum
    /// of its denominators, in the metric's unit; `None` with no one to count.
    pub fn over(self, weeks: &[WeekCell]) -> Option<f64> {
        let sum = |f: fn(&WeekCell) -> u32| weeks.iter().map(|w| f64::from(f(w))).sum::<f64>();
        let (num, den, scale) = match self {
            Self::EnrollmentRate => (sum(|w| w.enrolled), sum(|w| w.eligible), 100.0),
            Self::NewEnrollments => (sum(|w| w.new_enrollments), sum(|w| w.eligible), 1000.0),
            Self::Utilization => (sum(|w| w.visitors), sum(|w| w.enrolled), 100.0),
            Self::VisitsPer1000 => (sum(|w| w.visits), sum(|w| w.eligible), 1000.0 * 52.0),
        };
        (den > 0.0).then(|| num / den * scale)
    }
}

/// One worksite's week, counted on the week's last day (eligible, enrolled) or over the
/// week (new enrollments, visitors, visits).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WeekCell {
    pub eligible: u32,
    pub enrolled: u32,
    pub new_enrollments: u32,
    /// Enrolled people with a completed visit in the week.
    pub visitors: u32,
    pub visits: u32,
}

/// A worksite (or a comparison account's worksite) week by week over the panel's weeks.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    pub name: String,
    pub target: bool,
    pub weeks: Vec<WeekCell>,
}

/// Weeks `start..end` of the panel.
pub type Window = std::ops::Range<usize>;

/// An estimate needs at least this many worksites with people on each side…
pub const MIN_CLUSTERS: usize = 3;
/// …and at least this many people on each side.
pub const MIN_PERSONS: f64 = 100.0;

/// A difference in differences with its 95% interval.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Estimate {
    /// Target's change minus comparison's, in the metric's unit.
    pub effect: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    pub standard_error: f64,
    /// Degrees of freedom of the t interval.
    pub df: f64,
    /// People eligible on average over the baseline window, each side.
    pub target_n: u64,
    pub comparison_n: u64,
    /// Worksites with people in both windows, each side.
    pub target_clusters: usize,
    pub comparison_clusters: usize,
}

impl Estimate {
    /// The interval leaves out zero.
    pub fn significant(&self) -> bool {
        self.ci_low > 0.0 || self.ci_high < 0.0
    }
}

struct Side {
    mean: f64,
    variance: f64,
    clusters: usize,
    /// Kish's effective number of worksites, (Σw)² ÷ Σw²: unequal sizes carry less
    /// information than their count, and the degrees of freedom say so.
    effective: f64,
    persons: f64,
}

/// The person-weighted mean of the worksites' changes and its cluster-robust variance.
fn side(changes: &[(f64, f64)]) -> Side {
    let total: f64 = changes.iter().map(|(_, w)| w).sum();
    let mean = changes.iter().map(|(d, w)| d * w).sum::<f64>() / total;
    // CR2: each worksite's residual scaled up by its leverage w ÷ Σw, which is the n ÷ (n − 1)
    // of CR1 when sizes are equal and more for a worksite that weighs much.
    let variance =
        changes.iter().map(|(d, w)| (w * (d - mean)).powi(2) / (1.0 - w / total)).sum::<f64>() / (total * total);
    let effective = total * total / changes.iter().map(|(_, w)| w * w).sum::<f64>();
    Side { mean, variance, clusters: changes.len(), effective, persons: total }
}

/// The difference in differences of `metric` between `before` and `after`, target against
/// comparison; `Err` says why there is none.
pub fn did(clusters: &[Cluster], metric: GoalMetric, before: &Window, after: &Window) -> Result<Estimate, String> {
    let mut changes: [Vec<(f64, f64)>; 2] = [Vec::new(), Vec::new()];
    for c in clusters {
        let (Some(b), Some(a)) = (window(c, before), window(c, after)) else { continue };
        let (Some(pre), Some(post)) = (metric.over(b), metric.over(a)) else { continue };
        let persons = b.iter().map(|w| f64::from(w.eligible)).sum::<f64>() / b.len() as f64;
        if persons > 0.0 {
            changes[usize::from(c.target)].push((post - pre, persons));
        }
    }
    let [comparison, target] = &changes;
    for (name, group) in [("targeted", target), ("comparison", comparison)] {
        if group.len() < MIN_CLUSTERS {
            return Err(format!(
                "{} {name} worksites with people in both windows; an estimate needs at least {MIN_CLUSTERS}",
                group.len()
            ));
        }
        let persons: f64 = group.iter().map(|(_, w)| w).sum();
        if persons < MIN_PERSONS {
            return Err(format!("{persons:.0} {name} people; an estimate needs at least {MIN_PERSONS:.0}"));
        }
    }
    let (t, c) = (side(target), side(comparison));
    let variance = t.variance + c.variance;
    let se = variance.sqrt();
    let welch =
        variance.powi(2) / (t.variance.powi(2) / (t.effective - 1.0) + c.variance.powi(2) / (c.effective - 1.0));
    // Welch–Satterthwaite on the effective counts, but never more than the smaller side's
    // effective worksites less one (the conservative two-sample rule): with three or four
    // worksites of unequal size a side, Welch alone called a zero effect significant up to
    // 9% of the time in the simulation test; this keeps it under 5%.
    let df = if variance > 0.0 { welch.min(t.effective.min(c.effective) - 1.0).max(1.0) } else { 1.0 };
    let effect = t.mean - c.mean;
    let half = t_quantile(0.975, df.max(1.0)) * se;
    Ok(Estimate {
        effect,
        ci_low: effect - half,
        ci_high: effect + half,
        standard_error: se,
        df,
        target_n: t.persons.round() as u64,
        comparison_n: c.persons.round() as u64,
        target_clusters: t.clusters,
        comparison_clusters: c.clusters,
    })
}

fn window<'a>(c: &'a Cluster, w: &Window) -> Option<&'a [WeekCell]> {
    c.weeks.get(w.clone()).filter(|weeks| !weeks.is_empty())
}

/// Were target and comparison moving alike before? The same estimator between the two
/// halves of the weeks before the baseline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PreTrend {
    /// Target's change minus comparison's between the halves, in the metric's unit.
    pub difference: f64,
    pub ci_low: f64,
    pub ci_high: f64,
    /// The interval holds zero: no sign they were moving apart.
    pub ok: bool,
}

pub fn pretrend(clusters: &[Cluster], metric: GoalMetric, before_baseline: &Window) -> Result<PreTrend, String> {
    let mid = before_baseline.start + before_baseline.len() / 2;
    let e = did(clusters, metric, &(before_baseline.start..mid), &(mid..before_baseline.end))?;
    Ok(PreTrend { difference: e.effect, ci_low: e.ci_low, ci_high: e.ci_high, ok: !e.significant() })
}

#[cfg(test)]
mod tests;
