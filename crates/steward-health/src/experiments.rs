//! Experiments on the units that exist: an account's worksites as its data has them, or a
//! segment's accounts. Designing one (their sizes, how much the sizes vary and today's
//! enrollment, turned into the sample the test needs and the power the units there are
//! would give), launching it (refused underpowered unless someone says why; split by a
//! recorded seed) and reading it (each unit's enrollment on the reading day, compared with
//! always-valid intervals while it runs and the fixed-horizon one at its end).

use chrono::{Days, NaiveDate};
use std::hash::{BuildHasher, Hasher};
use steward_domain::experiment::{
    Arm, Design, DesignInput, Experiment, ExperimentStatus, MAX_SEED, NewExperiment, Randomized, Reading, UnitOutcome,
    assign, design, power, read,
};
use steward_domain::impact::{GoalMetric, NO_WORKSITE, Target, Weeks, clusters};
use steward_domain::{AccountStatus, Email, Segment, Slug};
use steward_store::Store;

/// What is randomized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Units {
    /// An account's worksites.
    Worksites(Slug),
    /// A segment's accounts (a service change).
    Accounts(Segment),
}

impl Units {
    fn randomized(&self) -> Randomized {
        match self {
            Units::Worksites(account) => Randomized::Worksites { account: account.clone() },
            Units::Accounts(segment) => Randomized::Accounts { segment: *segment },
        }
    }

    fn of(r: &Randomized) -> Self {
        match r {
            Randomized::Worksites { account } => Units::Worksites(account.clone()),
            Randomized::Accounts { segment } => Units::Accounts(*segment),
        }
    }
}

/// What the person designing asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ask {
    /// The control arm's expected enrollment rate; the units' own today when `None`.
    pub baseline: Option<f64>,
    /// The smallest effect worth detecting, in enrollment points.
    pub mde_points: f64,
    pub alpha: f64,
    pub power: f64,
    pub icc: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Planned {
    pub unit: &'static str,
    #[serde(flatten)]
    pub input: DesignInput,
    #[serde(flatten)]
    pub design: Design,
    /// Units there are to randomize, and the power half of them an arm would give.
    pub available: u64,
    pub power_available: f64,
    /// Enough units for the power asked.
    pub powered: bool,
}

/// One unit on a day: its name, eligible people and how many of them were enrolled, and the
/// last day its data covers (it is counted on that day when it is earlier).
#[derive(Debug, Clone, PartialEq, Eq)]
struct UnitNow {
    name: String,
    eligible: u64,
    enrolled: u64,
    data_to: NaiveDate,
}

/// The week ending on `day`, on which a unit's enrollment is counted.
fn week_ending(day: NaiveDate) -> Weeks {
    Weeks { first: day - Days::new(6), count: 1 }
}

/// An account's worksites on `day` (people without a worksite are no unit: nothing can be
/// changed for them alone), and the day its eligibility data runs to.
fn worksites_on(
    store: &dyn Store,
    slug: &Slug,
    day: NaiveDate,
) -> steward_store::Result<Option<(Vec<UnitNow>, NaiveDate)>> {
    let Some(stored) = store.ledger(slug)? else { return Ok(None) };
    let data_to = stored.ledger.eligibility_as_of.unwrap_or(day);
    let sites = clusters(&stored.ledger, week_ending(day.min(data_to)), &Target::Account)
        .into_iter()
        .filter(|c| c.name != NO_WORKSITE)
        .map(|c| UnitNow {
            name: c.name,
            eligible: c.weeks[0].eligible.into(),
            enrolled: c.weeks[0].enrolled.into(),
            data_to,
        })
        .collect();
    Ok(Some((sites, data_to)))
}

/// The units on `day`: an account's worksites, or a segment's live accounts (each counted
/// on the last day its data covers, when that is earlier).
fn units_on(store: &dyn Store, units: &Units, day: NaiveDate) -> steward_store::Result<Result<Vec<UnitNow>, String>> {
    match units {
        Units::Worksites(slug) => match worksites_on(store, slug, day)? {
            Some((sites, _)) => Ok(Ok(sites)),
            None => Ok(Err(format!("account {slug} has no member data"))),
        },
        Units::Accounts(segment) => {
            let mut out = Vec::new();
            let live =
                store.accounts()?.into_iter().filter(|a| a.segment == *segment && a.status == AccountStatus::Live);
            for account in live {
                if let Some((sites, data_to)) = worksites_on(store, &account.slug, day)? {
                    out.push(UnitNow {
                        name: account.slug.to_string(),
                        eligible: sites.iter().map(|s| s.eligible).sum(),
                        enrolled: sites.iter().map(|s| s.enrolled).sum(),
                        data_to,
                    });
                }
            }
            Ok(Ok(out))
        }
    }
}

/// The design; `Err` says why there is none (no data, too few units, numbers that cannot
/// describe a test).
pub fn plan(
    store: &dyn Store,
    units: &Units,
    ask: &Ask,
    today: NaiveDate,
) -> steward_store::Result<Result<Planned, String>> {
    Ok(match units_on(store, units, today)? {
        Ok(now) => planned(units, ask, &now).map(|(p, _)| p),
        Err(why) => Err(why),
    })
}

/// The design over `now`, and the units with people that it counted.
fn planned(units: &Units, ask: &Ask, now: &[UnitNow]) -> Result<(Planned, Vec<(String, u64)>), String> {
    let unit = Units::randomized(units).unit();
    let sizes: Vec<&UnitNow> = now.iter().filter(|u| u.eligible > 0).collect();
    if sizes.len() < 4 {
        return Err(format!("{} {unit} with people; an experiment needs at least four to split", sizes.len()));
    }
    let people: f64 = sizes.iter().map(|u| u.eligible as f64).sum();
    let mean = people / sizes.len() as f64;
    let cv = (sizes.iter().map(|u| (u.eligible as f64 - mean).powi(2)).sum::<f64>() / sizes.len() as f64).sqrt() / mean;
    let input = DesignInput {
        baseline: ask.baseline.unwrap_or(sizes.iter().map(|u| u.enrolled as f64).sum::<f64>() / people),
        mde: ask.mde_points / 100.0,
        alpha: ask.alpha,
        power: ask.power,
        cluster_size: mean,
        icc: ask.icc,
        size_cv: cv,
    };
    let d = design(&input)?;
    let per_arm = sizes.len() as u64 / 2;
    let planned = Planned {
        unit,
        input,
        design: d,
        available: sizes.len() as u64,
        power_available: power(&input, per_arm),
        powered: per_arm >= d.units_per_arm,
    };
    Ok((planned, sizes.iter().map(|u| (u.name.clone(), u.eligible)).collect()))
}

/// An experiment to launch.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub name: String,
    pub change: String,
    pub units: Units,
    pub ask: Ask,
    pub start: NaiveDate,
    pub end: NaiveDate,
    /// The seed to split by; a fresh one (recorded) when `None`.
    pub seed: Option<u64>,
    /// Why an underpowered design runs anyway.
    pub override_reason: Option<String>,
}

/// Why a launch was refused (nothing is written).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// The units there are give less power than asked, and no one said why it runs anyway.
    Underpowered(String),
    /// No design: no data, too few units, numbers that describe no test, bad dates.
    Invalid(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Underpowered(why) | Refused::Invalid(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for Refused {}

/// Designs, splits and records the experiment.
pub fn launch(
    store: &dyn Store,
    launch: &Launch,
    by: Option<Email>,
    today: NaiveDate,
) -> steward_store::Result<Result<Experiment, Refused>> {
    let invalid = |why: String| Ok(Err(Refused::Invalid(why)));
    if launch.start < today {
        return invalid(format!(
            "an experiment starts today or later ({} is past): its split is made when it is launched",
            launch.start
        ));
    }
    let now = match units_on(store, &launch.units, today)? {
        Ok(now) => now,
        Err(why) => return invalid(why),
    };
    let (p, sizes) = match planned(&launch.units, &launch.ask, &now) {
        Ok(p) => p,
        Err(why) => return invalid(why),
    };
    let seed = launch
        .seed
        .unwrap_or_else(|| std::collections::hash_map::RandomState::new().build_hasher().finish() & MAX_SEED);
    let new = NewExperiment {
        name: launch.name.trim().to_owned(),
        change: launch.change.trim().to_owned(),
        randomized: launch.units.randomized(),
        metric: GoalMetric::EnrollmentRate,
        design: p.input,
        units_per_arm_needed: p.design.units_per_arm,
        planned_power: p.power_available,
        seed,
        start_date: launch.start,
        end_date: launch.end,
        assignments: assign(&sizes, seed),
        override_reason: launch.override_reason.as_ref().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()),
        created_by: by,
    };
    if let Some(why) = new.unowned_underpowered() {
        return Ok(Err(Refused::Underpowered(why)));
    }
    if let Err(why) = new.validate() {
        return invalid(why.0);
    }
    store.create_experiment(&new).map(Ok)
}

/// One unit's outcome on the reading day.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UnitResult {
    pub unit: String,
    pub arm: Arm,
    /// Eligible when randomized, and on the reading day.
    pub size_at_launch: u64,
    pub eligible: u64,
    pub enrolled: u64,
}

/// An experiment read on a day.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Results {
    pub status: ExperimentStatus,
    /// The day each unit's enrollment is counted on: today, or the planned end once passed.
    pub read_on: NaiveDate,
    /// `sequential` (always-valid, while it runs) or `fixed` (at the planned end).
    pub horizon: &'static str,
    /// The comparison; `None` with `reason` when there is none yet.
    pub reading: Option<Reading>,
    /// The interval that applies on `read_on` (the always-valid one while running), in points.
    pub effect_points: Option<f64>,
    pub ci_low_points: Option<f64>,
    pub ci_high_points: Option<f64>,
    /// The interval leaves out zero.
    pub significant: bool,
    pub reason: Option<String>,
    pub warnings: Vec<String>,
    pub units: Vec<UnitResult>,
}

/// Reads `experiment` as of `today`.
pub fn results(store: &dyn Store, experiment: &Experiment, today: NaiveDate) -> steward_store::Result<Results> {
    let status = experiment.status_on(today);
    let read_on = today.min(experiment.end_date);
    let horizon = if status == ExperimentStatus::Finished { "fixed" } else { "sequential" };
    let mut out = Results {
        status,
        read_on,
        horizon,
        reading: None,
        effect_points: None,
        ci_low_points: None,
        ci_high_points: None,
        significant: false,
        reason: None,
        warnings: Vec::new(),
        units: Vec::new(),
    };
    if today < experiment.start_date + Days::new(7) {
        out.reason = Some(format!("it starts on {}; a reading needs its first week", experiment.start_date));
        return Ok(out);
    }
    let now = match units_on(store, &Units::of(&experiment.randomized), read_on)? {
        Ok(found) => found,
        Err(why) => {
            out.reason = Some(why);
            return Ok(out);
        }
    };
    let stale: Vec<&UnitNow> =
        now.iter().filter(|u| u.data_to < read_on && experiment.assignments.iter().any(|a| a.unit == u.name)).collect();
    match (&experiment.randomized, stale.first()) {
        (_, None) => {}
        (Randomized::Worksites { .. }, Some(u)) => out.warnings.push(format!(
            "the account's eligibility data runs to {}: its worksites are counted on that day",
            u.data_to
        )),
        (Randomized::Accounts { .. }, Some(_)) => out.warnings.push(format!(
            "{} of the accounts' data ends before {read_on}: each is counted on its last day",
            stale.len()
        )),
    }
    out.units = experiment
        .assignments
        .iter()
        .map(|a| {
            let found = now.iter().find(|u| u.name == a.unit);
            UnitResult {
                unit: a.unit.clone(),
                arm: a.arm,
                size_at_launch: a.size,
                eligible: found.map_or(0, |u| u.eligible),
                enrolled: found.map_or(0, |u| u.enrolled),
            }
        })
        .collect();
    let outcomes: Vec<UnitOutcome> =
        out.units.iter().map(|u| UnitOutcome { arm: u.arm, persons: u.eligible, successes: u.enrolled }).collect();
    match read(&outcomes, experiment.treatment_share(), experiment.design.alpha, experiment.design.mde) {
        Ok(r) => {
            let (low, high) =
                if horizon == "fixed" { (r.ci_low, r.ci_high) } else { (r.sequential_low, r.sequential_high) };
            out.effect_points = Some(r.effect * 100.0);
            out.ci_low_points = Some(low * 100.0);
            out.ci_high_points = Some(high * 100.0);
            out.significant = low > 0.0 || high < 0.0;
            if r.sample_ratio_mismatch {
                out.warnings.push(format!(
                    "sample-ratio mismatch (p = {:.1e}): {} treatment and {} control units still have people, \
                     against the split made; the reading is not to be trusted",
                    r.srm_p, r.treatment_units, r.control_units
                ));
            }
            out.reading = Some(r);
        }
        Err(why) => out.reason = Some(why),
    }
    Ok(out)
}
