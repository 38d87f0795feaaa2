//! Engagement initiatives with known true effects. Each live account with a year of data
//! gets up to three — one measured, one under way, one planned — each targeting a few of its
//! worksites when it has six or more, else the whole account, and each with a true lift in
//! enrollment of 0, 1.5 or 3 points. [`plant`] writes the lift into the members before their
//! files are written (people enrolled from the start to the end), and `truth.json` records
//! it, so a study can check what Steward estimates against what happened.
//!
//! Drawn from their own random stream, so the rest of the book is the same with or without
//! them.

use crate::plan::AccountPlan;
use crate::population::{Population, Span};
use crate::rng::Rng;
use chrono::{Days, NaiveDate};
use steward_domain::impact::{GoalMetric, Target};
use steward_domain::initiative::{InitiativeKind, Windows};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PlannedInitiative {
    pub kind: InitiativeKind,
    pub title: String,
    pub target: Target,
    /// Worksite indices the target names (every worksite for the whole account).
    #[serde(skip)]
    pub sites: Vec<usize>,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub metric: GoalMetric,
    /// Enrollment points it was planned to add to the targeted worksites from the start.
    pub planned_effect: f64,
    pub cost_dollars: i64,
}

const KINDS: [(InitiativeKind, &str); 5] = [
    (InitiativeKind::BenefitsFair, "Benefits fair"),
    (InitiativeKind::EmailCampaign, "Enrollment e-mail campaign"),
    (InitiativeKind::OnsiteEvent, "Onsite clinic day"),
    (InitiativeKind::Webinar, "Lunch-and-learn webinar"),
    (InitiativeKind::ManagerToolkit, "Manager toolkit"),
];

/// The account's initiatives (none for an account without a year of data and a launch).
pub fn plan(seed: u64, plan: &AccountPlan) -> Vec<PlannedInitiative> {
    let Some(start) = plan.data_start else { return Vec::new() };
    let launched = plan.launch.is_some_and(|l| l + Days::new(365) <= plan.as_of);
    if !launched || plan.churned || start + Days::new(400) > plan.as_of {
        return Vec::new();
    }
    let mut rng = Rng::derive(seed, "initiatives", plan.index as u64);
    let sites = plan.worksite_names.len();
    let monday = |d: NaiveDate| d - Days::new(u64::from(chrono::Datelike::weekday(&d).num_days_from_monday()));
    // Measured: ended at least ten weeks ago, any time in the last year and a half (after
    // the 34 weeks of data its reading looks back on). Under way: started two weeks ago.
    // Planned: in a month.
    let earliest = start + Days::new(7 * 35);
    let starts = [
        monday(plan.as_of - Days::new(7 * (14 + rng.range(0, 64) as u64))).max(monday(earliest) + Days::new(7)),
        monday(plan.as_of - Days::new(14)),
        monday(plan.as_of + Days::new(30)),
    ];
    let kept: Vec<NaiveDate> =
        starts.iter().enumerate().filter(|(k, _)| *k == 0 || rng.chance(0.5)).map(|(_, s)| *s).collect();
    kept.into_iter()
        .map(|start| {
            let (kind, name) = *rng.pick(&KINDS);
            let end = start + Days::new(7 * rng.range(1, 3) as u64 - 3);
            let (target, chosen) = if sites >= 6 {
                let mut all: Vec<usize> = (0..sites).collect();
                for i in (1..all.len()).rev() {
                    all.swap(i, rng.range(0, i as i64) as usize);
                }
                let mut chosen: Vec<usize> = all[..sites / 2].to_vec();
                chosen.sort_unstable();
                (Target::Worksites(chosen.iter().map(|&s| plan.worksite_names[s].clone()).collect()), chosen)
            } else {
                (Target::Account, (0..sites).collect())
            };
            PlannedInitiative {
                kind,
                title: format!("{name}, {}", start.format("%B %Y")),
                target,
                sites: chosen,
                start,
                end,
                metric: GoalMetric::EnrollmentRate,
                planned_effect: *rng.pick(&[0.0, 1.5, 3.0]),
                cost_dollars: rng.range(5, 60) * 100,
            }
        })
        .collect()
}

/// The targeted worksites' enrollment rate over an initiative's outcome window, pooled over
/// its weeks' last days as the estimate pools them.
fn outcome_rate(i: &PlannedInitiative, pop: &Population) -> Option<f64> {
    let t = steward_domain::initiative::timeline(i.start, i.end, &Windows::default());
    let (mut eligible, mut enrolled) = (0u64, 0u64);
    for k in t.outcome.clone() {
        let day = t.weeks.last_day(k);
        for p in pop.people.iter().filter(|p| i.sites.contains(&p.worksite) && p.spans.iter().any(|s| s.covers(day))) {
            eligible += 1;
            enrolled += u64::from(p.memberships.iter().any(|m| m.covers(day)));
        }
    }
    (eligible > 0).then(|| enrolled as f64 / eligible as f64 * 100.0)
}

/// Enrolls, at a day between each initiative's start and end, about enough of the targeted
/// worksites' eligible non-members to lift their enrollment by its planned effect: each
/// with probability effect ÷ (share not enrolled), a membership to the end of their coverage
/// (or the day before their next membership). Returns each initiative's true effect: the
/// targeted worksites' enrollment over its outcome window with the lift less without it —
/// what an estimate of it should find (`None` for one not under way by the data's end).
pub fn plant(
    seed: u64,
    plan: &AccountPlan,
    initiatives: &[PlannedInitiative],
    pop: &mut Population,
) -> Vec<Option<f64>> {
    let mut rng = Rng::derive(seed, "initiative-lift", plan.index as u64);
    let mut truths = Vec::with_capacity(initiatives.len());
    for i in initiatives {
        if i.start > plan.data_end {
            truths.push(None);
            continue;
        }
        let before = outcome_rate(i, pop);
        lift(&mut rng, plan, &i.sites, (i.start, i.end), i.planned_effect, pop);
        truths.push(before.zip(outcome_rate(i, pop)).map(|(b, a)| a - b));
    }
    truths
}

/// Enrolls, at a day from `start` to `end`, about enough of `sites`' eligible non-members on
/// the start day to lift their enrollment by `points`: each with probability points ÷ (share
/// not enrolled), a membership to the end of their coverage (or the day before their next).
pub(crate) fn lift(
    rng: &mut Rng,
    plan: &AccountPlan,
    sites: &[usize],
    (start, end): (NaiveDate, NaiveDate),
    points: f64,
    pop: &mut Population,
) {
    if points <= 0.0 {
        return;
    }
    let targeted = |p: &crate::population::Person| sites.contains(&p.worksite);
    let eligible = |p: &crate::population::Person| p.spans.iter().any(|s| s.covers(start));
    let member = |p: &crate::population::Person| p.memberships.iter().any(|m| m.covers(start));
    let pool = pop.people.iter().filter(|p| targeted(p) && eligible(p)).count();
    let open: Vec<usize> = (0..pop.people.len())
        .filter(|&k| targeted(&pop.people[k]) && eligible(&pop.people[k]) && !member(&pop.people[k]))
        .collect();
    if open.is_empty() {
        return;
    }
    let q = (points / 100.0 * pool as f64 / open.len() as f64).min(1.0);
    let days = (end - start).num_days().max(0);
    for k in open {
        if !rng.chance(q) {
            continue;
        }
        let day = (start + Days::new(rng.range(0, days) as u64)).min(plan.data_end);
        let person = &mut pop.people[k];
        // Someone who joined on their own by then is a member already.
        if person.memberships.iter().any(|m| start <= m.start && m.start <= day) {
            continue;
        }
        let Some(span) = person.spans.iter().find(|s| s.covers(start)).copied() else { continue };
        let next = person.memberships.iter().filter(|m| m.start >= day).map(|m| m.start).min();
        let end = match (span.end.filter(|e| *e <= plan.data_end), next) {
            (_, Some(n)) => Some(n - Days::new(1)),
            (e, None) => e,
        };
        if end.is_some_and(|e| e < day) {
            continue;
        }
        person.memberships.push(Span { start: day, end });
        person.memberships.sort_by_key(|m| m.start);
    }
}

/// When an initiative can be measured: its outcome window's last day.
pub fn outcome_closes(i: &PlannedInitiative) -> NaiveDate {
    steward_domain::initiative::timeline(i.start, i.end, &Windows::default()).outcome_closes()
}
