//! Experiments (DOMAIN.md, "Engagement initiatives and experiments"): a test designed with
//! enough power before it starts, randomized by a recorded seed and stratified by size, and
//! read with a cluster-aware comparison of two proportions, a check of its split, and
//! intervals that stay valid however often they are looked at before the planned end.

use crate::stats::{Rng, chi2_1_survival, normal_cdf, normal_quantile, t_quantile};

/// What a design is asked to detect.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct DesignInput {
    /// The control arm's expected proportion (e.g. an enrollment rate of 0.22).
    pub baseline: f64,
    /// The smallest difference worth detecting, as a proportion (0.03 for 3 points).
    pub mde: f64,
    pub alpha: f64,
    pub power: f64,
    /// People per unit (a worksite's eligible people; 1 for people randomized one by one).
    pub cluster_size: f64,
    /// Intra-cluster correlation of the outcome.
    pub icc: f64,
    /// How much units' sizes vary (their coefficient of variation): unequal units carry
    /// less than their count (Eldridge, Ashby & Kerry, 2006).
    #[serde(default)]
    pub size_cv: f64,
}

impl DesignInput {
    /// The input for units of these (eligible, enrolled) people — their mean size, how much
    /// the sizes vary and, unless `baseline` is given, their pooled enrollment — and the ask.
    /// `None` for units with no one in them.
    pub fn for_units(
        units: &[(u64, u64)],
        baseline: Option<f64>,
        mde: f64,
        alpha: f64,
        power: f64,
        icc: f64,
    ) -> Option<Self> {
        let people: f64 = units.iter().map(|u| u.0 as f64).sum();
        if units.is_empty() || people <= 0.0 {
            return None;
        }
        let mean = people / units.len() as f64;
        let spread = units.iter().map(|u| (u.0 as f64 - mean).powi(2)).sum::<f64>() / units.len() as f64;
        Some(Self {
            baseline: baseline.unwrap_or(units.iter().map(|u| u.1 as f64).sum::<f64>() / people),
            mde,
            alpha,
            power,
            cluster_size: mean,
            icc,
            size_cv: spread.sqrt() / mean,
        })
    }

    /// Whether `achieved` power falls short of what was asked.
    pub fn underpowered(&self, achieved: f64) -> bool {
        achieved + 1e-9 < self.power
    }

    /// 1 + ((1 + CV²) × mean size − 1) × ICC.
    pub fn design_effect(&self) -> f64 {
        1.0 + ((1.0 + self.size_cv * self.size_cv) * self.cluster_size - 1.0) * self.icc
    }
}

/// What it takes.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Design {
    /// People per arm were people independent (Fleiss, no continuity correction).
    pub persons_per_arm_independent: f64,
    /// 1 + ((1 + CV²) × cluster size − 1) × ICC.
    pub design_effect: f64,
    /// People per arm once clustering is counted.
    pub persons_per_arm: f64,
    /// Units per arm, rounded up.
    pub units_per_arm: u64,
}

/// People per arm to detect `p1` against `p2` with a two-sided test at `alpha` with `power`
/// (Fleiss, Levin & Paik, *Statistical Methods for Rates and Proportions*, 3rd ed., eq.
/// 4.14, without the continuity correction).
pub fn persons_per_arm(p1: f64, p2: f64, alpha: f64, power: f64) -> f64 {
    let z_a = normal_quantile(1.0 - alpha / 2.0);
    let z_b = normal_quantile(power);
    let p_bar = (p1 + p2) / 2.0;
    let top = z_a * (2.0 * p_bar * (1.0 - p_bar)).sqrt() + z_b * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    (top / (p2 - p1)).powi(2)
}

/// [`persons_per_arm`] with Fleiss's continuity correction (eq. 4.15): n/4 × (1 + √(1 + 4 ÷ (n|p2 − p1|)))².
pub fn with_continuity_correction(n: f64, difference: f64) -> f64 {
    n / 4.0 * (1.0 + (1.0 + 4.0 / (n * difference.abs())).sqrt()).powi(2)
}

/// The units per arm a design needs (refused when the numbers cannot describe a test).
pub fn design(input: &DesignInput) -> Result<Design, String> {
    let DesignInput { baseline, mde, alpha, power, cluster_size, icc, size_cv } = *input;
    let p2 = baseline + mde;
    if !(0.0 < baseline && baseline < 1.0 && 0.0 < p2 && p2 < 1.0) {
        return Err(format!(
            "the baseline {baseline} and baseline + effect {p2} must both be proportions between 0 and 1"
        ));
    }
    if mde == 0.0 {
        return Err("the smallest effect worth detecting cannot be zero".into());
    }
    if !(alpha > 0.0 && alpha < 0.5 && (0.5..1.0).contains(&power)) {
        return Err(format!("α is between 0 and 0.5 and power between 0.5 and 1 (got α {alpha}, power {power})"));
    }
    if !(cluster_size >= 1.0 && (0.0..=1.0).contains(&icc) && size_cv >= 0.0) {
        return Err(format!("a unit holds at least one person and the ICC is 0 to 1 (got {cluster_size}, {icc})"));
    }
    let independent = persons_per_arm(baseline, p2, alpha, power);
    let design_effect = input.design_effect();
    let persons = independent * design_effect;
    // The formula assumes a normal test; the reading's t on few units is weaker, so units
    // are added until the power with t's critical value reaches what was asked.
    let mut units = ((persons / cluster_size).ceil() as u64).max(2);
    while self::power(input, units) < power && units < 1_000_000 {
        units += 1;
    }
    Ok(Design {
        persons_per_arm_independent: independent,
        design_effect,
        persons_per_arm: persons,
        units_per_arm: units,
    })
}

/// The power a design has with `units_per_arm` units of `input.cluster_size` people, read as
/// [`read`] reads it: the critical value is t's with one less degree of freedom than units
/// per arm when people are randomized in units, the normal's when one by one.
pub fn power(input: &DesignInput, units_per_arm: u64) -> f64 {
    let (p1, p2) = (input.baseline, input.baseline + input.mde);
    let n = units_per_arm as f64 * input.cluster_size / input.design_effect();
    let p_bar = (p1 + p2) / 2.0;
    let z_a = if input.cluster_size > 1.0 && units_per_arm >= 2 {
        t_quantile(1.0 - input.alpha / 2.0, units_per_arm as f64 - 1.0)
    } else {
        normal_quantile(1.0 - input.alpha / 2.0)
    };
    let z = (input.mde.abs() * n.sqrt() - z_a * (2.0 * p_bar * (1.0 - p_bar)).sqrt())
        / (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    // The formula leaves out the far tail; a two-sided test rejects at least α of the time.
    normal_cdf(z).max(input.alpha)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    Treatment,
    Control,
}

/// Units (an id and a size) split into arms by `seed`: sorted by size, the units are taken
/// in pairs of neighbours and a coin sends one of each pair to treatment (an odd unit out
/// gets its own coin), so the arms are balanced on size. The same units and seed give the
/// same split.
pub fn randomize<T: Clone + Ord>(units: &[(T, u64)], seed: u64) -> Vec<(T, Arm)> {
    let mut sorted = units.to_vec();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let mut rng = Rng::new(seed);
    let mut out = Vec::with_capacity(units.len());
    for pair in sorted.chunks(2) {
        let first_treated = rng.below(2) == 0;
        for (k, (id, _)) in pair.iter().enumerate() {
            let treated = (k == 0) == first_treated;
            out.push((id.clone(), if treated { Arm::Treatment } else { Arm::Control }));
        }
    }
    out
}

/// One unit's outcome: its arm, its people and how many of them succeeded (enrolled, …).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct UnitOutcome {
    pub arm: Arm,
    pub persons: u64,
    pub successes: u64,
}

/// An experiment read out.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Reading {
    pub treatment_rate: f64,
    pub control_rate: f64,
    /// Treatment minus control, as a proportion.
    pub effect: f64,
    /// The fixed-horizon 95% interval (t on the units, cluster-robust).
    pub ci_low: f64,
    pub ci_high: f64,
    /// The always-valid interval: may be looked at any day without inflating the error.
    pub sequential_low: f64,
    pub sequential_high: f64,
    /// Units with people in each arm, and their people.
    pub treatment_units: u64,
    pub control_units: u64,
    pub treatment_persons: u64,
    pub control_persons: u64,
    /// The split's χ² p-value: units with people in each arm against the share randomized
    /// into treatment. Units, not people: randomized whole, a worksite's people move
    /// together, and a test on people would call every unequal pair of worksites a mismatch.
    pub srm_p: f64,
    /// p < 0.001: the split is not what randomization made; the reading is not to be trusted.
    pub sample_ratio_mismatch: bool,
}

/// Reads outcomes: `planned_share` is the share of units the randomization put in
/// treatment; `alpha` the test's level; `mde` the planned effect, which sets the mixing
/// variance (τ = mde) of the always-valid interval (Johari, Pekelis & Walsh, "Always Valid
/// Inference", 2017, the normal-mixture sequential test inverted).
pub fn read(units: &[UnitOutcome], planned_share: f64, alpha: f64, mde: f64) -> Result<Reading, String> {
    let arm = |a: Arm| units.iter().filter(move |u| u.arm == a && u.persons > 0);
    let (nt, nc) = (arm(Arm::Treatment).count(), arm(Arm::Control).count());
    if nt < 2 || nc < 2 {
        return Err(format!("{nt} treatment and {nc} control units with people; a reading needs two of each"));
    }
    // Each arm's person-weighted rate and its cluster-robust variance.
    let summary = |a: Arm| {
        let people: f64 = arm(a).map(|u| u.persons as f64).sum();
        let rate = arm(a).map(|u| u.successes as f64).sum::<f64>() / people;
        let n = arm(a).count() as f64;
        let spread =
            arm(a).map(|u| (u.successes as f64 - rate * u.persons as f64).powi(2)).sum::<f64>() / (people * people);
        (rate, spread * n / (n - 1.0), people, n)
    };
    let (rt, vt, pt, kt) = summary(Arm::Treatment);
    let (rc, vc, pc, kc) = summary(Arm::Control);
    let effect = rt - rc;
    let variance = vt + vc;
    let df = if variance > 0.0 {
        (variance.powi(2) / (vt * vt / (kt - 1.0) + vc * vc / (kc - 1.0))).min(kt.min(kc) - 1.0).max(1.0)
    } else {
        1.0
    };
    let t = t_quantile(1.0 - alpha / 2.0, df);
    let half = t * variance.sqrt();
    let tau2 = mde * mde;
    // The mixture boundary assumes a known variance; with few units the variance is itself
    // estimated, so it is widened by the same factor as t widens the normal.
    let sequential = if variance > 0.0 {
        let mixture =
            (variance * (variance + tau2) / tau2) * (2.0 * (1.0 / alpha).ln() + ((variance + tau2) / variance).ln());
        mixture.sqrt() * t / normal_quantile(1.0 - alpha / 2.0)
    } else {
        0.0
    };
    let total = kt + kc;
    let expected = [total * planned_share, total * (1.0 - planned_share)];
    let chi2 = (kt - expected[0]).powi(2) / expected[0] + (kc - expected[1]).powi(2) / expected[1];
    let srm_p = chi2_1_survival(chi2);
    Ok(Reading {
        treatment_rate: rt,
        control_rate: rc,
        effect,
        ci_low: effect - half,
        ci_high: effect + half,
        sequential_low: effect - sequential,
        sequential_high: effect + sequential,
        treatment_units: nt as u64,
        control_units: nc as u64,
        treatment_persons: pt as u64,
        control_persons: pc as u64,
        srm_p,
        sample_ratio_mismatch: srm_p < 0.001,
    })
}

mod record;
pub use record::{Assignment, Experiment, ExperimentStatus, MAX_SEED, NewExperiment, Randomized, assign};

#[cfg(test)]
mod tests;
