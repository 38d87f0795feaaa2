//! The people behind one account's files: employees and dependents with eligibility spans
//! (hires, terminations, rehires), our memberships, their visits and survey responses.
//! Driven by the account's latent health, which the product never sees.

use crate::plan::AccountPlan;
use crate::rng::Rng;
use chrono::{Days, NaiveDate};
use steward_domain::{Metro, Month};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Relationship {
    Employee,
    Spouse,
    Child,
}

/// Inclusive dates; `end: None` is open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveDate,
    pub end: Option<NaiveDate>,
}

impl Span {
    pub fn covers(&self, day: NaiveDate) -> bool {
        self.start <= day && self.end.is_none_or(|e| day <= e)
    }
}

#[derive(Debug, Clone)]
pub struct Person {
    /// The employer's id: the employee's number, or it plus `-01`, `-02`… for dependents.
    pub member_id: String,
    /// The subscriber (employee) id the person is covered under.
    pub subscriber_id: String,
    pub relationship: Relationship,
    pub first_name: &'static str,
    pub last_name: String,
    pub birth_date: NaiveDate,
    pub sex: u8,
    pub street: String,
    pub zip: String,
    pub worksite: usize,
    pub spans: Vec<Span>,
    pub memberships: Vec<Span>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modality {
    InOffice,
    Video,
    RemoteOther,
}

impl Modality {
    pub fn as_str(self) -> &'static str {
        match self {
            Modality::InOffice => "in_office",
            Modality::Video => "video",
            Modality::RemoteOther => "remote_other",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VisitStatus {
    Completed,
    Cancelled,
    NoShow,
}

impl VisitStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            VisitStatus::Completed => "completed",
            VisitStatus::Cancelled => "cancelled",
            VisitStatus::NoShow => "no_show",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Visit {
    pub seq: u32,
    /// Index into `people`, or `None` for a member the eligibility never mentions.
    pub person: Option<u32>,
    pub unknown_member: Option<String>,
    pub date: NaiveDate,
    /// Minutes after local midnight, for FHIR timestamps.
    pub minute: u16,
    pub modality: Modality,
    pub metro: Metro,
    pub status: VisitStatus,
}

#[derive(Debug, Clone)]
pub struct SurveyResponse {
    pub seq: u32,
    pub person: Option<u32>,
    pub date: NaiveDate,
    pub score: u8,
    pub comment: Option<&'static str>,
}

#[derive(Debug, Clone, Default)]
pub struct Population {
    pub people: Vec<Person>,
    pub visits: Vec<Visit>,
    pub surveys: Vec<SurveyResponse>,
}

impl Population {
    pub fn member_id<'a>(&'a self, visit: &'a Visit) -> &'a str {
        match (visit.person, &visit.unknown_member) {
            (Some(p), _) => &self.people[p as usize].member_id,
            (None, Some(id)) => id,
            (None, None) => "",
        }
    }
}

const COMMENTS: &[&str] = &[
    "Easy to book and the doctor listened.",
    "Waited longer than expected at check-in.",
    "Video visit was quick and helpful.",
    "Front desk was friendly.",
    "Hard to find an appointment this week.",
];

/// The share of `month` inside `not_before..=not_after`: a month a membership starts or the
/// data end in has only that share of a month's visits.
fn share_of_month(month: Month, not_before: NaiveDate, not_after: NaiveDate) -> f64 {
    let lo = month.first_day().max(not_before);
    let hi = month.last_day().min(not_after);
    let days = (hi - lo).num_days() + 1;
    let whole = (month.last_day() - month.first_day()).num_days() + 1;
    days.max(0) as f64 / whole as f64
}

fn day_in_month(rng: &mut Rng, month: Month, not_before: NaiveDate, not_after: NaiveDate) -> Option<NaiveDate> {
    let lo = month.first_day().max(not_before);
    let hi = month.last_day().min(not_after);
    if lo > hi {
        return None;
    }
    let span = (hi - lo).num_days();
    Some(lo + Days::new(rng.range(0, span) as u64))
}

fn birth_date(rng: &mut Rng, as_of: NaiveDate, min_age: i64, max_age: i64) -> NaiveDate {
    let days = rng.range(min_age * 365, max_age * 365 + 364);
    as_of - Days::new(days as u64)
}

struct Household {
    members: Vec<usize>,
    active_from: Option<NaiveDate>,
    rehire_at: Option<Month>,
}

/// Simulates the account from its first data month to its last.
pub fn simulate(plan: &AccountPlan, rng: &mut Rng) -> Population {
    let mut pop = Population::default();
    let Some((first, last)) = plan.data_months() else { return pop };
    let last_day = plan.data_end;
    let mut households: Vec<Household> = Vec::new();
    let mut next_employee = rng.range(1_000, 90_000) as u64;
    let eligible_start = (plan.employees as f64 * 0.85).round() as i64;

    let mut hire = |pop: &mut Population, rng: &mut Rng, start: NaiveDate| -> Household {
        next_employee += rng.range(1, 3) as u64;
        let subscriber_id = format!("{next_employee:07}");
        let worksite = rng.weighted(&plan.worksite_weights);
        let zip = format!("{}{:02}", plan.worksite_zip3[worksite], rng.range(0, 99));
        let street = crate::names::street(rng);
        let last_name = crate::names::surname(rng);
        let mut members = Vec::new();
        let mut add = |pop: &mut Population, rng: &mut Rng, rel: Relationship, suffix: Option<u32>, age: (i64, i64)| {
            let member_id = match suffix {
                None => subscriber_id.clone(),
                Some(n) => format!("{subscriber_id}-{n:02}"),
            };
            pop.people.push(Person {
                member_id,
                subscriber_id: subscriber_id.clone(),
                relationship: rel,
                first_name: crate::names::first_name(rng),
                last_name: last_name.clone(),
                birth_date: birth_date(rng, plan.as_of, age.0, age.1),
                sex: if rng.chance(0.5) { b'F' } else { b'M' },
                street: street.clone(),
                zip: zip.clone(),
                worksite,
                spans: vec![Span { start, end: None }],
                memberships: Vec::new(),
            });
            members.push(pop.people.len() - 1);
        };
        add(pop, rng, Relationship::Employee, None, (21, 66));
        let mut suffix = 1;
        if rng.chance(0.45) {
            add(pop, rng, Relationship::Spouse, Some(suffix), (22, 66));
            suffix += 1;
        }
        if rng.chance(0.5) {
            for _ in 0..rng.range(1, 3) {
                add(pop, rng, Relationship::Child, Some(suffix), (0, 25));
                suffix += 1;
            }
        }
        Household { members, active_from: Some(start), rehire_at: None }
    };

    for _ in 0..eligible_start {
        let h = hire(&mut pop, rng, first.first_day());
        households.push(h);
    }

    let monthly_growth = plan.annual_growth / 12.0;
    let mut month = first;
    while month <= last {
        if month > first {
            let active = households.iter().filter(|h| h.active_from.is_some()).count() as f64;
            for _ in 0..rng.poisson(active * (0.011 + monthly_growth).max(0.0)) {
                if let Some(day) = day_in_month(rng, month, month.first_day(), last_day) {
                    // Coverage usually starts on the 1st after hire.
                    let start = if rng.chance(0.7) { month.first_day().max(day) } else { day };
                    let h = hire(&mut pop, rng, start);
                    households.push(h);
                }
            }
        }
        for h in households.iter_mut() {
            match (h.active_from, h.rehire_at) {
                (Some(from), _) if month.first_day() > from && rng.chance(0.011) => {
                    let end = if rng.chance(0.7) {
                        month.last_day()
                    } else {
                        day_in_month(rng, month, from, last_day).unwrap_or(month.last_day())
                    };
                    if end > last_day {
                        continue;
                    }
                    for &p in &h.members {
                        if let Some(span) = pop.people[p].spans.last_mut() {
                            span.end = Some(end);
                        }
                    }
                    h.active_from = None;
                    if rng.chance(0.04) {
                        h.rehire_at = Some(month.plus(rng.range(3, 12) as i32));
                    }
                }
                (None, Some(at)) if at == month => {
                    let start = month.first_day();
                    for &p in &h.members {
                        pop.people[p].spans.push(Span { start, end: None });
                    }
                    h.active_from = Some(start);
                    h.rehire_at = None;
                }
                _ => {}
            }
        }
        month = month.succ();
    }
    // A churned client's eligibility ends with its contract.
    if plan.churned {
        for p in &mut pop.people {
            for s in &mut p.spans {
                if s.end.is_none_or(|e| e > last_day) {
                    s.end = Some(last_day);
                }
            }
        }
    }
    for i in 0..pop.people.len() {
        enroll(plan, rng, &mut pop.people[i]);
    }
    visits_and_surveys(plan, rng, &mut pop);
    pop
}

/// Our memberships: a jump at launch and at open enrollment, a trickle otherwise, ending
/// with eligibility or an occasional drop-out. Propensity rises with latent health.
fn enroll(plan: &AccountPlan, rng: &mut Rng, person: &mut Person) {
    let Some(launch) = plan.launch.filter(|l| *l <= plan.data_end) else { return };
    let h = plan.latent_health;
    let propensity = match person.relationship {
        Relationship::Employee => 1.0,
        Relationship::Spouse => 0.8,
        Relationship::Child => 0.6,
    } * person_taste(rng);
    let launch_month = Month::of(launch);
    for span in person.spans.clone() {
        let from = span.start.max(launch);
        let until = span.end.unwrap_or(plan.data_end).min(plan.data_end);
        if from > until {
            continue;
        }
        let mut month = Month::of(from);
        let mut member_since: Option<NaiveDate> = None;
        while month <= Month::of(until) {
            match member_since {
                None => {
                    // Convex in health: a struggling program enrolls a trickle, a healthy
                    // one keeps growing between open enrollments.
                    let mut hazard = 0.022 * h * h * propensity;
                    if month.months_until(launch_month).abs() <= 1 {
                        hazard = (0.03 + 0.45 * h * h) * propensity;
                    } else if matches!(month.month(), 1 | 11) {
                        hazard *= 5.0;
                    }
                    if rng.chance(hazard) {
                        member_since = day_in_month(rng, month, from, until);
                    }
                }
                Some(start) => {
                    if rng.chance(0.002 + 0.006 * (1.0 - h)) {
                        let end = day_in_month(rng, month, start, until).unwrap_or(until);
                        person.memberships.push(Span { start, end: Some(end) });
                        member_since = None;
                    }
                }
            }
            month = month.succ();
        }
        if let Some(start) = member_since {
            let end = span.end.filter(|e| *e <= plan.data_end);
            person.memberships.push(Span { start, end });
        }
    }
}

/// Some people are keener than others; keeps enrollment from being a coin flip per person.
fn person_taste(rng: &mut Rng) -> f64 {
    (0.35 * rng.normal()).exp()
}

fn visits_and_surveys(plan: &AccountPlan, rng: &mut Rng, pop: &mut Population) {
    let h = plan.latent_health;
    let Some((first, _)) = plan.data_months() else { return };
    let mut seq = 0u32;
    for (index, person) in pop.people.iter().enumerate() {
        let home_metro = plan.worksite_metros[person.worksite];
        // Care is lumpy: many members rarely visit, a few often (mean 1).
        let taste = (0.9 * rng.normal()).exp() / 1.5;
        for m in &person.memberships {
            let end = m.end.unwrap_or(plan.data_end).min(plan.data_end);
            let mut month = Month::of(m.start);
            while month <= Month::of(end) {
                let years = first.months_until(month) as f64 / 12.0;
                let lambda = (0.035 + 0.13 * h)
                    * (1.0 + 0.18 * years)
                    * taste
                    * plan.visit_intensity
                    * share_of_month(month, m.start, end);
                for _ in 0..rng.poisson(lambda) {
                    let Some(date) = day_in_month(rng, month, m.start, end) else { continue };
                    seq += 1;
                    let virtual_share = (0.30 + 0.05 * years).min(0.6);
                    let modality = if home_metro == Metro::Other || rng.chance(virtual_share) {
                        if rng.chance(0.7) { Modality::Video } else { Modality::RemoteOther }
                    } else {
                        Modality::InOffice
                    };
                    let metro = match modality {
                        Modality::InOffice => home_metro,
                        _ => Metro::Other,
                    };
                    let status = match rng.f64() {
                        x if x < 0.88 => VisitStatus::Completed,
                        x if x < 0.96 => VisitStatus::Cancelled,
                        _ => VisitStatus::NoShow,
                    };
                    pop.visits.push(Visit {
                        seq,
                        person: Some(index as u32),
                        unknown_member: None,
                        date,
                        minute: rng.range(7 * 60, 21 * 60 + 45) as u16,
                        modality,
                        metro,
                        status,
                    });
                }
                month = month.succ();
            }
        }
    }
    // Visits by people the eligibility never mentions: a data-quality figure, not noise to drop.
    let strays = pop.visits.len() / 250;
    for _ in 0..strays {
        let Some(template) = pop.visits.get(rng.range(0, pop.visits.len() as i64 - 1) as usize).cloned() else { break };
        seq += 1;
        pop.visits.push(Visit {
            seq,
            person: None,
            unknown_member: Some(format!("9{:06}", rng.range(0, 999_999))),
            ..template
        });
    }
    pop.visits.sort_by_key(|v| (v.date, v.seq));

    let mut survey_seq = 0u32;
    for v in &pop.visits {
        if v.status != VisitStatus::Completed || !rng.chance(0.18) {
            continue;
        }
        // A response is given up to ten days after the visit; one that would come after the
        // data end has not been given yet.
        let date = v.date + Days::new(rng.range(0, 10) as u64);
        if date > plan.data_end {
            continue;
        }
        let promoter = 0.20 + 0.60 * h;
        let detractor = (0.40 - 0.38 * h).max(0.02);
        let score = match rng.f64() {
            x if x < promoter => rng.range(9, 10),
            x if x < promoter + detractor => rng.range(0, 6),
            _ => rng.range(7, 8),
        } as u8;
        survey_seq += 1;
        pop.surveys.push(SurveyResponse {
            seq: survey_seq,
            person: if rng.chance(0.1) { None } else { v.person },
            date,
            score,
            comment: rng.chance(0.15).then(|| *rng.pick(COMMENTS)),
        });
    }
    pop.surveys.sort_by_key(|s| (s.date, s.seq));
}
