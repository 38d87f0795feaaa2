use super::*;

/// Fleiss's worked numbers for 40% against 60% at α 0.05 and power 0.80: 96.9 people per
/// arm without the continuity correction, 107 with it (Fleiss, Levin & Paik, Table A.4;
/// the same figure on statpages.org's two-proportion calculator, which follows it).
#[test]
fn the_power_formula_against_fleiss() {
    let n = persons_per_arm(0.40, 0.60, 0.05, 0.80);
    assert!((n - 96.92).abs() < 0.01, "{n}");
    assert_eq!(with_continuity_correction(n, 0.20).ceil(), 107.0);
    // By hand: z = 1.95996 and 0.84162; (1.95996 × √0.5 + 0.84162 × √0.48)² ÷ 0.04.
    let by_hand = (1.959_964 * 0.5f64.sqrt() + 0.841_621 * 0.48f64.sqrt()).powi(2) / 0.04;
    assert!((n - by_hand).abs() < 1e-3);
}

/// Twenty people a worksite and an ICC of 0.05: a design effect of 1.95, so 96.9 × 1.95 =
/// 189 people, ten worksites an arm by the normal formula — twelve once the reading's t on
/// so few worksites is counted.
#[test]
fn a_clustered_design_counts_its_design_effect() {
    let input = DesignInput {
        baseline: 0.40,
        mde: 0.20,
        alpha: 0.05,
        power: 0.80,
        cluster_size: 20.0,
        icc: 0.05,
        size_cv: 0.0,
    };
    let d = design(&input).unwrap();
    assert!((d.design_effect - 1.95).abs() < 1e-12);
    assert!((d.persons_per_arm - 96.92 * 1.95).abs() < 0.05, "{}", d.persons_per_arm);
    assert_eq!((d.persons_per_arm / 20.0).ceil(), 10.0);
    assert_eq!(d.units_per_arm, 12, "{d:?}");
    assert!(power(&input, d.units_per_arm) >= 0.80 && power(&input, d.units_per_arm - 1) < 0.80);
    // Units of unequal size (CV 0.5) count for less: 1 + (1.25 × 20 − 1) × 0.05 = 2.2.
    assert!((DesignInput { size_cv: 0.5, ..input }.design_effect() - 2.2).abs() < 1e-12);
    let one_by_one = DesignInput { cluster_size: 1.0, icc: 0.0, ..input };
    assert_eq!(design(&one_by_one).unwrap().units_per_arm, 97);
    for bad in [
        DesignInput { baseline: 0.9, mde: 0.2, ..input },
        DesignInput { mde: 0.0, ..input },
        DesignInput { power: 0.3, ..input },
        DesignInput { icc: 1.5, ..input },
    ] {
        assert!(design(&bad).is_err(), "{bad:?}");
    }
}

/// The same units and seed give the same split; each pair of neighbours in size is split.
#[test]
fn randomization_is_seeded_and_stratified_by_size() {
    let units: Vec<(String, u64)> = (0..21).map(|i| (format!("site {i:02}"), 50 + (i * 37 % 400) as u64)).collect();
    let a = randomize(&units, 42);
    assert_eq!(a, randomize(&units, 42), "reproducible");
    assert_ne!(a, randomize(&units, 43), "the seed decides");
    let treated = a.iter().filter(|(_, arm)| *arm == Arm::Treatment).count();
    assert!(treated == 10 || treated == 11, "{treated}");
    let mut by_size = units.clone();
    by_size.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
    let arm_of = |id: &String| a.iter().find(|(u, _)| u == id).unwrap().1;
    for pair in by_size.chunks(2).filter(|p| p.len() == 2) {
        assert_ne!(arm_of(&pair[0].0), arm_of(&pair[1].0), "a stratum of two is split");
    }
    let size = |arm| {
        a.iter().filter(|(_, x)| *x == arm).map(|(u, _)| units.iter().find(|(v, _)| v == u).unwrap().1).sum::<u64>()
    };
    let (t, c) = (size(Arm::Treatment) as f64, size(Arm::Control) as f64);
    assert!((t - c).abs() / (t + c) < 0.1, "balanced on size: {t} vs {c}");
}

#[test]
fn a_reading_checks_its_split_and_stays_valid_when_peeked_at() {
    let unit = |arm, persons, successes| UnitOutcome { arm, persons, successes };
    let units = [
        unit(Arm::Treatment, 100, 30),
        unit(Arm::Treatment, 200, 58),
        unit(Arm::Treatment, 150, 48),
        unit(Arm::Control, 120, 24),
        unit(Arm::Control, 180, 40),
        unit(Arm::Control, 150, 30),
    ];
    let r = read(&units, 0.5, 0.05, 0.05).unwrap();
    // 136 of 450 against 94 of 450.
    assert!((r.treatment_rate - 136.0 / 450.0).abs() < 1e-12 && (r.control_rate - 94.0 / 450.0).abs() < 1e-12);
    assert!((r.effect - 42.0 / 450.0).abs() < 1e-12);
    assert!(r.sequential_low < r.ci_low && r.ci_high < r.sequential_high, "always-valid is wider: {r:?}");
    assert!(!r.sample_ratio_mismatch && r.srm_p == 1.0, "three units against three as planned");
    assert_eq!((r.treatment_persons, r.control_persons, r.treatment_units), (450, 450, 3));
    // Units, not people: 40 worksites randomized into each arm, of which only 10 control
    // ones still have people: χ² = 15²/25 + 15²/25 = 18.
    let lost: Vec<UnitOutcome> = (0..80)
        .map(|k| unit(if k < 40 { Arm::Treatment } else { Arm::Control }, if k < 50 { 30 } else { 0 }, 5))
        .collect();
    let skewed = read(&lost, 0.5, 0.05, 0.05).unwrap();
    assert!((skewed.srm_p - chi2_1_survival(18.0)).abs() < 1e-12 && skewed.sample_ratio_mismatch);
    // Unequal worksites are no mismatch: 3 × 1,000 people against 3 × 100.
    let unequal: Vec<UnitOutcome> = (0..6)
        .map(|k| unit(if k < 3 { Arm::Treatment } else { Arm::Control }, if k < 3 { 1000 } else { 100 }, 20))
        .collect();
    assert!(!read(&unequal, 0.5, 0.05, 0.05).unwrap().sample_ratio_mismatch);
    assert!(read(&units[..4], 0.5, 0.05, 0.05).is_err(), "one control unit is not a comparison");
}

/// Worksites of twenty whose people succeed with their worksite's own chance (the ICC),
/// randomized in the designed numbers: the share of experiments whose interval leaves out
/// zero is the power the design predicted, within five points — and about α with no effect.
#[test]
fn the_predicted_power_is_the_simulated_one() {
    let mut rng = Rng::new(99);
    let input = DesignInput {
        baseline: 0.30,
        mde: 0.10,
        alpha: 0.05,
        power: 0.80,
        cluster_size: 20.0,
        icc: 0.05,
        size_cv: 0.0,
    };
    let d = design(&input).unwrap();
    let predicted = power(&input, d.units_per_arm);
    let mut run = |effect: f64| {
        let units: Vec<UnitOutcome> = (0..2 * d.units_per_arm)
            .map(|i| {
                let arm = if i % 2 == 0 { Arm::Treatment } else { Arm::Control };
                let p = input.baseline + if arm == Arm::Treatment { effect } else { 0.0 };
                let chance = (p + (input.icc * p * (1.0 - p)).sqrt() * rng.normal()).clamp(0.0, 1.0);
                let successes = (0..20).filter(|_| rng.uniform() < chance).count() as u64;
                UnitOutcome { arm, persons: 20, successes }
            })
            .collect();
        let r = read(&units, 0.5, input.alpha, input.mde).unwrap();
        r.ci_low > 0.0 || r.ci_high < 0.0
    };
    let trials = 2_000;
    let rejected = (0..trials).filter(|_| run(input.mde)).count() as f64 / trials as f64;
    let false_alarms = (0..trials).filter(|_| run(0.0)).count() as f64 / trials as f64;
    eprintln!("units {} predicted {predicted:.3} simulated {rejected:.3} at zero {false_alarms:.3}", d.units_per_arm);
    assert!((rejected - predicted).abs() <= 0.05, "predicted {predicted:.3}, simulated {rejected:.3}");
    assert!(false_alarms <= 0.07, "{false_alarms}");
}

/// Looking eight times as worksites accrue, with no effect: the fixed-horizon interval leaves
/// out zero at some look far more often than 5% of the time; the always-valid one does not.
#[test]
fn peeking_at_the_always_valid_interval_keeps_its_error() {
    let mut rng = Rng::new(7);
    let (trials, mut fixed_alarms, mut sequential_alarms) = (1_000, 0, 0);
    for _ in 0..trials {
        let mut units = Vec::new();
        let (mut fixed, mut sequential) = (false, false);
        for look in 1..=8 {
            while units.len() < look * 10 {
                let arm = if units.len() % 2 == 0 { Arm::Treatment } else { Arm::Control };
                let chance = (0.3 + 0.02 * rng.normal()).clamp(0.0, 1.0);
                let successes = (0..20).filter(|_| rng.uniform() < chance).count() as u64;
                units.push(UnitOutcome { arm, persons: 20, successes });
            }
            let r = read(&units, 0.5, 0.05, 0.05).unwrap();
            fixed |= r.ci_low > 0.0 || r.ci_high < 0.0;
            sequential |= r.sequential_low > 0.0 || r.sequential_high < 0.0;
        }
        fixed_alarms += usize::from(fixed);
        sequential_alarms += usize::from(sequential);
    }
    let (fixed, sequential) = (fixed_alarms as f64 / trials as f64, sequential_alarms as f64 / trials as f64);
    eprintln!("peeking eight times: fixed {fixed:.3}, always-valid {sequential:.3}");
    assert!(fixed > 0.10, "peeking inflates a fixed interval's error: {fixed}");
    assert!(sequential <= 0.05, "{sequential}");
}

/// A launch is recorded only as its seed made it, and an underpowered one only with a
/// reason.
#[test]
fn a_launch_keeps_its_seed_honest_and_its_override_owned() {
    let units: Vec<(String, u64)> = (0..12).map(|i| (format!("site {i:02}"), 40 + i * 13)).collect();
    let input = DesignInput {
        baseline: 0.25,
        mde: 0.05,
        alpha: 0.05,
        power: 0.8,
        cluster_size: 100.0,
        icc: 0.02,
        size_cv: 0.3,
    };
    let new = NewExperiment {
        name: "Enrollment nudge".into(),
        change: "A second reminder e-mail".into(),
        randomized: Randomized::Worksites { account: "acme".parse().unwrap() },
        metric: crate::impact::GoalMetric::EnrollmentRate,
        design: input,
        units_per_arm_needed: design(&input).unwrap().units_per_arm,
        planned_power: power(&input, 6),
        seed: 7,
        start_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 2).unwrap(),
        end_date: chrono::NaiveDate::from_ymd_opt(2026, 5, 25).unwrap(),
        assignments: assign(&units, 7),
        override_reason: None,
        created_by: None,
    };
    assert!(new.reproduces());
    let refused = new.validate().unwrap_err().0;
    assert!(refused.contains("underpowered") && refused.contains("override"), "{refused}");
    let owned = NewExperiment { override_reason: Some("A pilot before the fall".into()), ..new.clone() };
    owned.validate().unwrap();
    let blank = NewExperiment { override_reason: Some("  ".into()), ..new.clone() };
    assert!(blank.validate().is_err());
    // The same units under another seed, or one arm flipped, is not what seed 7 makes.
    let mut flipped = owned.clone();
    flipped.assignments[0].arm = match flipped.assignments[0].arm {
        Arm::Treatment => Arm::Control,
        Arm::Control => Arm::Treatment,
    };
    assert!(flipped.validate().unwrap_err().0.contains("seed"));
    let other_seed = NewExperiment { seed: 8, ..owned.clone() };
    assert_ne!(assign(&units, 8), owned.assignments, "seed 8 splits differently");
    assert!(other_seed.validate().is_err());
    // The power recorded is the design's own, not a number the caller chose.
    let claimed = NewExperiment { planned_power: 0.9, ..new.clone() };
    assert!(claimed.validate().unwrap_err().0.contains("not the design's"));
    // Six worksites an arm detect 30 points: no override, and none taken.
    let big = DesignInput { mde: 0.3, ..input };
    let powered = NewExperiment {
        design: big,
        units_per_arm_needed: design(&big).unwrap().units_per_arm,
        planned_power: power(&big, 6),
        ..new
    };
    powered.validate().unwrap();
    let needless = NewExperiment { override_reason: Some("just in case".into()), ..powered };
    assert!(needless.validate().unwrap_err().0.contains("has the power asked"));
}
