//! Experiments on the units that exist: an account's worksites as its data has them, or a
//! segment's live accounts. Designing one (their sizes, how much the sizes vary and today's
//! enrollment, turned into the sample the test needs and the power the units there are
//! would give), launching it (refused underpowered unless someone says why; split by a
//! recorded seed) and reading it (each assigned unit's enrollment on the reading day,
//! compared with always-valid intervals until the data reach the planned end, and the
//! fixed-horizon one from then).

use chrono::{Days, NaiveDate};
use std::hash::{BuildHasher, Hasher};
use steward_domain::experiment::{
    Arm, Design, DesignInput, Experiment, ExperimentStatus, MAX_SEED, NewExperiment, Randomized, Reading, UnitOutcome,
    assign, design, power, read,
};
use steward_domain::impact::{GoalMetric, NO_WORKSITE, Target, Weeks, clusters};
use steward_domain::{AccountStatus, Email, Slug};
use steward_store::Store;

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

/// An account's people on `day` (on the last day its data covers, when that is earlier),
/// by worksite — people without a worksite are no unit of a worksite test, nothing can be
/// changed for them alone — or, `whole`, all of them as one unit named by the account.
fn account_on(
    store: &dyn Store,
    slug: &Slug,
    day: NaiveDate,
    whole: bool,
) -> steward_store::Result<Option<Vec<UnitNow>>> {
    let Some(stored) = store.ledger(slug)? else { return Ok(None) };
    let data_to = stored.ledger.eligibility_as_of.unwrap_or(day);
    let week = Weeks { first: day.min(data_to) - Days::new(6), count: 1 };
    let sites = clusters(&stored.ledger, week, &Target::Account);
    let unit = |name: String, cells: &mut dyn Iterator<Item = &steward_domain::impact::WeekCell>| {
        let (eligible, enrolled) =
            cells.fold((0u64, 0u64), |(e, n), c| (e + u64::from(c.eligible), n + u64::from(c.enrolled)));
        UnitNow { name, eligible, enrolled, data_to }
    };
    Ok(Some(if whole {
        vec![unit(slug.to_string(), &mut sites.iter().map(|c| &c.weeks[0]))]
    } else {
        sites.into_iter().filter(|c| c.name != NO_WORKSITE).map(|c| unit(c.name, &mut c.weeks.iter())).collect()
    }))
}

/// The units there are on `day`: an account's worksites, or a segment's live accounts.
fn units_on(
    store: &dyn Store,
    units: &Randomized,
    day: NaiveDate,
) -> steward_store::Result<Result<Vec<UnitNow>, String>> {
    match units {
        Randomized::Worksites { account } => {
            Ok(account_on(store, account, day, false)?.ok_or_else(|| format!("account {account} has no member data")))
        }
        Randomized::Accounts { segment } => {
            let mut out = Vec::new();
            for a in store.accounts()?.into_iter().filter(|a| a.segment == *segment && a.status == AccountStatus::Live)
            {
                out.extend(account_on(store, &a.slug, day, true)?.into_iter().flatten());
            }
            Ok(Ok(out))
        }
    }
}

/// The design; `Err` says why there is none (no data, too few units, numbers that cannot
/// describe a test).
pub fn plan(
    store: &dyn Store,
    units: &Randomized,
    ask: &Ask,
    today: NaiveDate,
) -> steward_store::Result<Result<Planned, String>> {
    Ok(units_on(store, units, today)?.and_then(|now| planned(units, ask, &now).map(|(p, _)| p)))
}

/// The design over `now`, and the units with people that it counted.
fn planned(units: &Randomized, ask: &Ask, now: &[UnitNow]) -> Result<(Planned, Vec<(String, u64)>), String> {
    let unit = units.unit();
    let sizes: Vec<&UnitNow> = now.iter().filter(|u| u.eligible > 0).collect();
    if sizes.len() < 4 {
        return Err(format!("{} {unit} with people; an experiment needs at least four to split", sizes.len()));
    }
    let counts: Vec<(u64, u64)> = sizes.iter().map(|u| (u.eligible, u.enrolled)).collect();
    let input = DesignInput::for_units(&counts, ask.baseline, ask.mde_points / 100.0, ask.alpha, ask.power, ask.icc)
        .ok_or_else(|| format!("no {unit} with people"))?;
    let d = design(&input)?;
    let per_arm = sizes.len() as u64 / 2;
    let power_available = power(&input, per_arm);
    let planned = Planned {
        unit,
        input,
        design: d,
        available: sizes.len() as u64,
        power_available,
        powered: !input.underpowered(power_available),
    };
    Ok((planned, sizes.iter().map(|u| (u.name.clone(), u.eligible)).collect()))
}

/// An experiment to launch.
#[derive(Debug, Clone, PartialEq)]
pub struct Launch {
    pub name: String,
    pub change: String,
    pub units: Randomized,
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
    /// The field it is about (`form` for the whole), and why.
    Invalid(&'static str, String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::Underpowered(why) | Refused::Invalid(_, why) => f.write_str(why),
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
    let invalid = |field, why: String| Ok(Err(Refused::Invalid(field, why)));
    if launch.start < today {
        return invalid(
            "start_date",
            format!(
                "an experiment starts today or later ({} is past): its split is made when it is launched",
                launch.start
            ),
        );
    }
    let now = match units_on(store, &launch.units, today)? {
        Ok(now) => now,
        Err(why) => return invalid("form", why),
    };
    let (p, sizes) = match planned(&launch.units, &launch.ask, &now) {
        Ok(p) => p,
        Err(why) => return invalid("form", why),
    };
    let seed = launch
        .seed
        .unwrap_or_else(|| std::collections::hash_map::RandomState::new().build_hasher().finish() & MAX_SEED);
    let new = NewExperiment {
        name: launch.name.trim().to_owned(),
        change: launch.change.trim().to_owned(),
        randomized: launch.units.clone(),
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
    if let Err(why) = new.validate_split() {
        let field =
            if new.override_reason.is_some() && why.0.contains("override") { "override_reason" } else { "form" };
        return invalid(field, why.0);
    }
    if let Some(why) = new.unowned_underpowered() {
        return Ok(Err(Refused::Underpowered(why)));
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
    /// `sequential` (always-valid: until the data reach the planned end) or `fixed` (from then).
    pub horizon: &'static str,
    /// The intervals' confidence, in percent (1 − α).
    pub level: f64,
    /// The comparison; `None` with `reason` when there is none yet.
    pub reading: Option<Reading>,
    /// The interval that applies on `read_on` (the always-valid one until the horizon), in points.
    pub effect_points: Option<f64>,
    pub ci_low_points: Option<f64>,
    pub ci_high_points: Option<f64>,
    /// The interval leaves out zero.
    pub significant: bool,
    pub reason: Option<String>,
    pub warnings: Vec<String>,
    pub units: Vec<UnitResult>,
}

/// Each assigned unit on `day`, whatever became of it since (an account that churned or
/// moved segment is still read: leaving it out would bias the comparison); `None` for a unit
/// with no data.
fn assigned_on(store: &dyn Store, e: &Experiment, day: NaiveDate) -> steward_store::Result<Vec<Option<UnitNow>>> {
    match &e.randomized {
        Randomized::Worksites { account } => {
            let sites = account_on(store, account, day, false)?.unwrap_or_default();
            Ok(e.assignments.iter().map(|a| sites.iter().find(|s| s.name == a.unit).cloned()).collect())
        }
        Randomized::Accounts { .. } => e
            .assignments
            .iter()
            .map(|a| match a.unit.parse::<Slug>() {
                Ok(slug) => Ok(account_on(store, &slug, day, true)?.and_then(|mut u| u.pop())),
                Err(_) => Ok(None),
            })
            .collect(),
    }
}

/// Reads `experiment` as of `today`.
pub fn results(store: &dyn Store, experiment: &Experiment, today: NaiveDate) -> steward_store::Result<Results> {
    let status = experiment.status_on(today);
    let read_on = today.min(experiment.end_date);
    let mut out = Results {
        status,
        read_on,
        horizon: "sequential",
        level: experiment.level(),
        reading: None,
        effect_points: None,
        ci_low_points: None,
        ci_high_points: None,
        significant: false,
        reason: None,
        warnings: Vec::new(),
        units: Vec::new(),
    };
    let first_week = experiment.start_date + Days::new(7);
    if today < first_week {
        out.reason = Some(format!("it starts on {}; a reading needs its first week", experiment.start_date));
        return Ok(out);
    }
    let found = assigned_on(store, experiment, read_on)?;
    // The data decide what can be read: none before the first week is in, the fixed horizon
    // only once every unit's data reach the planned end.
    let data_to = found.iter().flatten().map(|u| u.data_to).min();
    if let Some(d) = data_to.filter(|d| *d < first_week) {
        out.reason = Some(format!("the data run to {d}, before the experiment's first week ends ({first_week})"));
        return Ok(out);
    }
    if status == ExperimentStatus::Finished {
        match data_to {
            Some(d) if d < experiment.end_date => out.warnings.push(format!(
                "the data run to {d}, before the planned end: the always-valid interval applies until they reach it"
            )),
            _ => out.horizon = "fixed",
        }
    }
    out.units = experiment
        .assignments
        .iter()
        .zip(&found)
        .map(|(a, u)| UnitResult {
            unit: a.unit.clone(),
            arm: a.arm,
            size_at_launch: a.size,
            eligible: u.as_ref().map_or(0, |u| u.eligible),
            enrolled: u.as_ref().map_or(0, |u| u.enrolled),
        })
        .collect();
    let empty = |arm| out.units.iter().filter(|u| u.arm == arm && u.eligible == 0).count();
    let (lost_t, lost_c) = (empty(Arm::Treatment), empty(Arm::Control));
    if lost_t + lost_c > 0 {
        out.warnings.push(format!(
            "{lost_t} treatment and {lost_c} control {} have no one eligible on {read_on}: units lost unevenly can \
             bias the comparison",
            experiment.randomized.unit()
        ));
    }
    let outcomes: Vec<UnitOutcome> =
        out.units.iter().map(|u| UnitOutcome { arm: u.arm, persons: u.eligible, successes: u.enrolled }).collect();
    match read(&outcomes, experiment.treatment_share(), experiment.design.alpha, experiment.design.mde) {
        Ok(r) => {
            let (low, high) =
                if out.horizon == "fixed" { (r.ci_low, r.ci_high) } else { (r.sequential_low, r.sequential_high) };
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

/// An experiment with its status on a day (the API's and the command line's shape).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Listed {
    #[serde(flatten)]
    pub experiment: Experiment,
    pub status: ExperimentStatus,
}

impl Listed {
    pub fn of(experiment: Experiment, today: NaiveDate) -> Self {
        Self { status: experiment.status_on(today), experiment }
    }
}
