//! An experiment as launched: what changes for the treatment arm, the design it was launched
//! on, the seed and the split it made, and — when the design was underpowered — who launched
//! it anyway and why. The record is the proof: [`NewExperiment::validate`] refuses a split the
//! seed does not make and an underpowered launch nobody owned.

use super::{Arm, DesignInput, randomize};
use crate::impact::GoalMetric;
use crate::input::{TextKind, date_field, text_field};
use crate::text_enum::text_enum;
use crate::{Email, Id, ParseError, Segment, Slug};
use chrono::{DateTime, NaiveDate, Utc};

/// What is randomized: an account's worksites, or a segment's accounts (a service change).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "unit", rename_all = "snake_case")]
pub enum Randomized {
    Worksites { account: Slug },
    Accounts { segment: Segment },
}

impl Randomized {
    /// "worksites" or "accounts".
    pub fn unit(&self) -> &'static str {
        match self {
            Self::Worksites { .. } => "worksites",
            Self::Accounts { .. } => "accounts",
        }
    }
}

/// One unit's place in the split: its name (a worksite's, or an account's slug), its
/// eligible people when it was randomized, and its arm.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Assignment {
    pub unit: String,
    pub size: u64,
    pub arm: Arm,
}

text_enum! {
    /// Launched ahead of its start; running to its planned end; then finished (read at the
    /// fixed horizon).
    pub enum ExperimentStatus ("experiment status") {
        Planned = "planned",
        Running = "running",
        Finished = "finished",
    }
}

/// Seeds stay below 2⁵³ so every JSON reader holds them exactly.
pub const MAX_SEED: u64 = (1 << 53) - 1;

/// The longest experiment (a longer test is a program, and its reading would wait a year).
pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Experiment {
    pub id: Id,
    pub name: String,
    /// What the treatment arm gets that the control arm does not.
    pub change: String,
    #[serde(flatten)]
    pub randomized: Randomized,
    pub metric: GoalMetric,
    /// The design it was launched on.
    pub design: DesignInput,
    /// Units an arm needed for the power asked, and the power the units it has give.
    pub units_per_arm_needed: u64,
    pub planned_power: f64,
    pub seed: u64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub assignments: Vec<Assignment>,
    /// Why it was launched underpowered, when it was.
    pub override_reason: Option<String>,
    pub created_by: Option<Email>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewExperiment {
    pub name: String,
    pub change: String,
    pub randomized: Randomized,
    pub metric: GoalMetric,
    pub design: DesignInput,
    pub units_per_arm_needed: u64,
    pub planned_power: f64,
    pub seed: u64,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub assignments: Vec<Assignment>,
    pub override_reason: Option<String>,
    pub created_by: Option<Email>,
}

impl NewExperiment {
    /// Everything but its power: names, dates, the design's numbers, the split and its seed,
    /// and that the power and units recorded are the design's own.
    pub fn validate_split(&self) -> Result<(), ParseError> {
        if self.name.trim().is_empty() {
            return Err(ParseError::new("an experiment has a name"));
        }
        text_field("an experiment's name", TextKind::Title, &self.name)?;
        if self.change.trim().is_empty() {
            return Err(ParseError::new("say what the treatment arm gets that the control arm does not"));
        }
        text_field("the change tested", TextKind::Summary, &self.change)?;
        date_field("the start", Some(self.start_date))?;
        date_field("the end", Some(self.end_date))?;
        if self.end_date <= self.start_date {
            return Err(ParseError::new(format!(
                "the experiment ends ({}) on or before it starts ({})",
                self.end_date, self.start_date
            )));
        }
        if (self.end_date - self.start_date).num_days() > MAX_DAYS {
            return Err(ParseError::new(format!("an experiment runs at most {MAX_DAYS} days")));
        }
        if self.metric != GoalMetric::EnrollmentRate {
            return Err(ParseError::new("an experiment compares enrollment rates (a proportion of people)"));
        }
        if self.seed > MAX_SEED {
            return Err(ParseError::new(format!("a seed is at most {MAX_SEED}")));
        }
        let needed = super::design(&self.design).map_err(ParseError::new)?.units_per_arm;
        let arms = |arm| self.assignments.iter().filter(|a| a.arm == arm).count();
        if arms(Arm::Treatment) < 2 || arms(Arm::Control) < 2 {
            return Err(ParseError::new("an experiment needs at least two units in each arm"));
        }

        let mut names: Vec<&str> = self.assignments.iter().map(|a| a.unit.as_str()).collect();
        names.sort_unstable();
        if names.windows(2).any(|w| w[0] == w[1]) {
            return Err(ParseError::new("a unit is in the split twice"));
        }
        if !self.reproduces() {
            return Err(ParseError::new("the split is not the one its seed makes"));
        }
        let smaller = arms(Arm::Treatment).min(arms(Arm::Control)) as u64;
        if needed != self.units_per_arm_needed
            || (super::power(&self.design, smaller) - self.planned_power).abs() > 1e-9
        {
            return Err(ParseError::new("the recorded power and units needed are not the design's"));
        }
        match &self.override_reason {
            Some(_) if !self.design.underpowered(self.planned_power) => {
                Err(ParseError::new("an override is for an underpowered design; this one has the power asked"))
            }
            Some(reason) if reason.trim().is_empty() => {
                Err(ParseError::new("an override says why the test runs underpowered"))
            }
            Some(reason) => text_field("the override's reason", TextKind::Summary, reason),
            None => Ok(()),
        }
    }

    pub fn validate(&self) -> Result<(), ParseError> {
        self.validate_split()?;
        self.unowned_underpowered().map_or(Ok(()), |why| Err(ParseError::new(why)))
    }

    /// Why it may not launch as it is: it is underpowered and no one said why it runs anyway.
    pub fn unowned_underpowered(&self) -> Option<String> {
        (self.override_reason.is_none() && self.design.underpowered(self.planned_power)).then(|| {
            format!(
                "the design is underpowered ({:.0}% against the {:.0}% asked, {} {} an arm needed): \
                 launching it anyway takes an override with a reason",
                self.planned_power * 100.0,
                self.design.power * 100.0,
                self.units_per_arm_needed,
                self.randomized.unit()
            )
        })
    }

    /// The recorded seed and units' sizes make the recorded split.
    pub fn reproduces(&self) -> bool {
        reproduces(&self.assignments, self.seed)
    }
}

fn reproduces(assignments: &[Assignment], seed: u64) -> bool {
    let units: Vec<(String, u64)> = assignments.iter().map(|a| (a.unit.clone(), a.size)).collect();
    let mut made = randomize(&units, seed);
    made.sort();
    let mut recorded: Vec<(String, Arm)> = assignments.iter().map(|a| (a.unit.clone(), a.arm)).collect();
    recorded.sort();
    made == recorded
}

/// Units split by `seed` into [`Assignment`]s, in the order [`randomize`] gives them.
pub fn assign(units: &[(String, u64)], seed: u64) -> Vec<Assignment> {
    let size = |name: &str| units.iter().find(|(u, _)| u == name).map_or(0, |u| u.1);
    randomize(units, seed).into_iter().map(|(unit, arm)| Assignment { size: size(&unit), unit, arm }).collect()
}

impl Experiment {
    pub fn status_on(&self, today: NaiveDate) -> ExperimentStatus {
        if today < self.start_date {
            ExperimentStatus::Planned
        } else if today < self.end_date {
            ExperimentStatus::Running
        } else {
            ExperimentStatus::Finished
        }
    }

    /// The share of units randomized into treatment (what the split check expects).
    pub fn treatment_share(&self) -> f64 {
        let treated = self.assignments.iter().filter(|a| a.arm == Arm::Treatment).count();
        treated as f64 / self.assignments.len().max(1) as f64
    }

    pub fn reproduces(&self) -> bool {
        reproduces(&self.assignments, self.seed)
    }

    /// Launched with less power than asked (and so with a reason).
    pub fn underpowered(&self) -> bool {
        self.design.underpowered(self.planned_power)
    }

    /// The intervals' confidence, in percent (95 at α 0.05).
    pub fn level(&self) -> f64 {
        (1.0 - self.design.alpha) * 100.0
    }
}

impl Arm {
    pub fn as_str(self) -> &'static str {
        match self {
            Arm::Treatment => "treatment",
            Arm::Control => "control",
        }
    }
}

impl std::str::FromStr for Arm {
    type Err = ParseError;
    fn from_str(s: &str) -> Result<Self, ParseError> {
        match s {
            "treatment" => Ok(Arm::Treatment),
            "control" => Ok(Arm::Control),
            other => Err(ParseError::new(format!("unknown arm {other:?} (treatment or control)"))),
        }
    }
}
