//! Two experiments with effects planted in the member files: a finished one across the
//! accounts of the segment with the most established clients (a change to our service,
//! onboarding calls), and one running on the worksites of the account with the most of them.
//! Each is designed and split as `steward experiments launch` would — sizes are the units'
//! eligible people on the start day, the split is the recorded seed's — and launched
//! underpowered where the units there are give less than the power asked, with the reason
//! recorded. The treatment arm's lift is written into its people's memberships (see
//! [`crate::initiatives::lift`]) from the start, so a reading has something true to find.
//!
//! Demo scale only: at company scale the book is for benchmarks.

use crate::plan::AccountPlan;
use crate::population::Population;
use crate::rng::Rng;
use chrono::{Datelike, Days, NaiveDate};
use steward_domain::experiment::{
    Arm, Assignment, DesignInput, MAX_SEED, NewExperiment, Randomized, assign, design, power,
};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlannedExperiment {
    pub name: String,
    pub change: String,
    #[serde(flatten)]
    pub randomized: Randomized,
    pub design: DesignInput,
    pub units_per_arm_needed: u64,
    pub planned_power: f64,
    pub seed: u64,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub assignments: Vec<Assignment>,
    pub override_reason: Option<String>,
    /// Enrollment points planted in the treatment arm's worksites from the start.
    pub planned_effect: f64,
}

impl PlannedExperiment {
    /// The experiment as the store records it, launched by `by`.
    pub fn new_experiment(&self, by: Option<steward_domain::Email>) -> NewExperiment {
        NewExperiment {
            name: self.name.clone(),
            change: self.change.clone(),
            randomized: self.randomized.clone(),
            metric: steward_domain::impact::GoalMetric::EnrollmentRate,
            design: self.design,
            units_per_arm_needed: self.units_per_arm_needed,
            planned_power: self.planned_power,
            seed: self.seed,
            start_date: self.start,
            end_date: self.end,
            assignments: self.assignments.clone(),
            override_reason: self.override_reason.clone(),
            created_by: by,
        }
    }
}

/// A lift planted in one account's members: these worksites' non-members join between
/// `start` and `end`, about `points` of their eligible.
#[derive(Debug, Clone, PartialEq)]
pub struct Lift {
    pub sites: Vec<usize>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub points: f64,
}

fn monday(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

/// Each worksite's eligible people on `day`, and how many of them were members.
fn sites_on(pop: &Population, sites: usize, day: NaiveDate) -> Vec<(u64, u64)> {
    let mut out = vec![(0, 0); sites];
    for p in pop.people.iter().filter(|p| p.spans.iter().any(|s| s.covers(day))) {
        out[p.worksite].0 += 1;
        out[p.worksite].1 += u64::from(p.memberships.iter().any(|m| m.covers(day)));
    }
    out
}

/// The design of a test of `mde` points on units of these (eligible, enrolled) sizes, as
/// `steward experiments design` makes it with its defaults.
fn designed(units: &[(u64, u64)], mde: f64) -> Option<(DesignInput, u64, f64)> {
    let input = DesignInput::for_units(units, None, mde / 100.0, 0.05, 0.8, 0.02)?;
    let needed = design(&input).ok()?.units_per_arm;
    Some((input, needed, power(&input, units.len() as u64 / 2)))
}

/// The book's experiments, and the lifts they plant by account (plan index).
pub fn plan(seed: u64, plans: &[AccountPlan]) -> (Vec<PlannedExperiment>, Vec<(usize, Lift)>) {
    let Some(as_of) = plans.first().map(|p| p.as_of) else { return (Vec::new(), Vec::new()) };
    let mut rng = Rng::derive(seed, "experiments", 0);
    let (mut experiments, mut lifts) = (Vec::new(), Vec::new());
    let established = |p: &&AccountPlan, start: NaiveDate| {
        !p.churned
            && p.data_end >= as_of
            && p.data_start.is_some_and(|d| d + Days::new(7 * 12) <= start)
            && p.launch.is_some_and(|l| l + Days::new(365) <= start)
    };
    let population =
        |p: &AccountPlan| crate::population::simulate(p, &mut Rng::derive(seed, "members", p.index as u64));

    // Finished: onboarding calls across a segment, eighteen weeks ago for twelve weeks.
    let start = monday(as_of - Days::new(7 * 18));
    let segment = [steward_domain::Segment::MidMarket, steward_domain::Segment::LargeEnterprise]
        .into_iter()
        .max_by_key(|s| plans.iter().filter(|p| p.segment == *s && established(p, start)).count());
    let accounts: Vec<&AccountPlan> = match segment {
        Some(s) => plans.iter().filter(|p| p.segment == s && established(p, start)).collect(),
        None => Vec::new(),
    };
    if let Some(segment) = segment
        && accounts.len() >= 6
    {
        // As launch counts them: the units with people.
        let (accounts, sizes): (Vec<&AccountPlan>, Vec<(u64, u64)>) = accounts
            .iter()
            .map(|p| {
                let whole = sites_on(&population(p), p.worksite_names.len(), start)
                    .iter()
                    .fold((0, 0), |a, s| (a.0 + s.0, a.1 + s.1));
                (*p, whole)
            })
            .filter(|(_, s)| s.0 > 0)
            .unzip();
        let units: Vec<(String, u64)> = accounts.iter().zip(&sizes).map(|(p, s)| (p.slug.to_string(), s.0)).collect();
        let experiment_seed = rng.next_u64() & MAX_SEED;
        let assignments = assign(&units, experiment_seed);
        let Some((input, needed, planned_power)) = designed(&sizes, 3.0) else { return (experiments, lifts) };
        for a in assignments.iter().filter(|a| a.arm == Arm::Treatment) {
            if let Some(p) = accounts.iter().find(|p| p.slug.as_str() == a.unit) {
                let sites = (0..p.worksite_names.len()).collect();
                lifts.push((p.index, Lift { sites, start, end: start + Days::new(27), points: 3.0 }));
            }
        }
        experiments.push(PlannedExperiment {
            name: "Onboarding call within a week of enrolling".into(),
            change: "Every new member gets a care-team call in their first week".into(),
            randomized: Randomized::Accounts { segment },
            design: input,
            units_per_arm_needed: needed,
            planned_power,
            seed: experiment_seed,
            start,
            end: start + Days::new(7 * 12),
            override_reason: input
                .underpowered(planned_power)
                .then(|| "Every established account of the segment is in it: a first read before the fall".to_owned()),
            assignments,
            planned_effect: 3.0,
        });
    }

    // Running: reminder e-mails on the worksites of the account with the most, three weeks in.
    let start = monday(as_of - Days::new(21));
    if let Some(p) = plans
        .iter()
        .filter(|p| established(p, start))
        .max_by_key(|p| (p.worksite_names.len(), std::cmp::Reverse(p.index)))
        && p.worksite_names.len() >= 4
    {
        let (names, sizes): (Vec<&String>, Vec<(u64, u64)>) = p
            .worksite_names
            .iter()
            .zip(sites_on(&population(p), p.worksite_names.len(), start))
            .filter(|(_, s)| s.0 > 0)
            .unzip();
        let units: Vec<(String, u64)> = names.iter().zip(&sizes).map(|(name, s)| ((*name).clone(), s.0)).collect();
        let experiment_seed = rng.next_u64() & MAX_SEED;
        let assignments = assign(&units, experiment_seed);
        let Some((input, needed, planned_power)) = designed(&sizes, 3.0) else { return (experiments, lifts) };
        let sites = assignments
            .iter()
            .filter(|a| a.arm == Arm::Treatment)
            .filter_map(|a| p.worksite_names.iter().position(|n| *n == a.unit))
            .collect();
        lifts.push((p.index, Lift { sites, start, end: start + Days::new(13), points: 2.0 }));
        experiments.push(PlannedExperiment {
            name: "Second enrollment reminder".into(),
            change: "A second reminder e-mail a week after the first, to people not yet enrolled".into(),
            randomized: Randomized::Worksites { account: p.slug.clone() },
            design: input,
            units_per_arm_needed: needed,
            planned_power,
            seed: experiment_seed,
            start,
            end: start + Days::new(7 * 12),
            override_reason: input
                .underpowered(planned_power)
                .then(|| "A pilot on the client that asked for it; a wider test follows if it reads well".to_owned()),
            assignments,
            planned_effect: 2.0,
        });
    }
    (experiments, lifts)
}
