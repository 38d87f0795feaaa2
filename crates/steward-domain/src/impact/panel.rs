//! An account's pseudonymized ledger as worksites week by week: who was eligible and
//! enrolled on each week's last day, whose membership began in the week, and the completed
//! visits — the cells the impact estimate is worked out from. Each person adds to ranges of
//! weeks (a difference array per worksite), so the cost is the people's spans, not people ×
//! weeks.

use super::{Cluster, WeekCell};
use crate::Metro;
use crate::ledger::Ledger;
use crate::member::{Span, VisitStatus, merge_spans};
use chrono::{Days, NaiveDate};
use std::collections::BTreeMap;

/// Weeks of seven days from `first` (week k runs from `first` + 7k).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weeks {
    pub first: NaiveDate,
    pub count: usize,
}

impl Weeks {
    /// The week `day` falls in, if within.
    pub fn of(&self, day: NaiveDate) -> Option<usize> {
        let k = (day - self.first).num_days().div_euclid(7);
        (0..self.count as i64).contains(&k).then_some(k as usize)
    }

    pub fn last_day(&self, k: usize) -> NaiveDate {
        self.first + Days::new(7 * k as u64 + 6)
    }

    /// The weeks whose last day falls within `span` (clipped to these weeks).
    fn ends_within(&self, span: &Span) -> std::ops::Range<usize> {
        let from = (span.start - self.first).num_days() - 6;
        let start = if from <= 0 { 0 } else { ((from + 6) / 7) as usize };
        let end = match span.end {
            None => self.count,
            Some(e) => {
                let to = (e - self.first).num_days() - 6;
                if to < 0 { 0 } else { ((to / 7) as usize + 1).min(self.count) }
            }
        };
        start.min(end)..end
    }
}

/// Which of an account's people an initiative reached.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", content = "names", rename_all = "snake_case")]
pub enum Target {
    /// Everyone: the comparison has to come from other accounts.
    Account,
    Worksites(Vec<String>),
    Metros(Vec<Metro>),
}

/// The cluster of the people whose file names no worksite.
pub const NO_WORKSITE: &str = "(no worksite)";

/// The ledger's worksites over `weeks`; a worksite is targeted when `target` names it, or
/// (metros) when most of its people live in a named metro, or (the whole account) always.
/// People without a worksite form one "(no worksite)" cluster.
pub fn clusters(ledger: &Ledger, weeks: Weeks, target: &Target) -> Vec<Cluster> {
    let name = |i: Option<u32>| i.and_then(|i| ledger.worksites.get(i as usize)).map_or(NO_WORKSITE, String::as_str);
    // Per worksite: +1/−1 at range edges for eligible and enrolled; counts for the rest.
    type Tally = (Vec<i64>, Vec<i64>, Vec<WeekCell>);
    let mut diffs: BTreeMap<&str, Tally> = BTreeMap::new();
    let mut in_metro: BTreeMap<&str, (u64, u64)> = BTreeMap::new();
    let mut site_of = BTreeMap::new();
    let mut enrolled_spans = BTreeMap::new();
    for p in ledger.people.values() {
        let site = name(p.worksite);
        site_of.insert(p.key, site);
        let counted = in_metro.entry(site).or_default();
        counted.1 += 1;
        if let (Target::Metros(metros), Some(m)) = (target, p.metro) {
            counted.0 += u64::from(metros.contains(&m));
        }
        let (eligible, enrolled, cells) = diffs.entry(site).or_insert_with(|| {
            (vec![0; weeks.count + 1], vec![0; weeks.count + 1], vec![WeekCell::default(); weeks.count])
        });
        // As our system reported them, memberships may overlap: one person is one member.
        let mut memberships = p.memberships.clone();
        merge_spans(&mut memberships);
        for e in &p.eligibility {
            let r = weeks.ends_within(e);
            eligible[r.start] += 1;
            eligible[r.end] -= 1;
            for m in &memberships {
                let both = Span::new(
                    e.start.max(m.start),
                    match (e.end, m.end) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    },
                );
                if both.end.is_some_and(|end| end < both.start) {
                    continue;
                }
                let r = weeks.ends_within(&both);
                enrolled[r.start] += 1;
                enrolled[r.end] -= 1;
            }
        }
        for m in &memberships {
            if let Some(k) = weeks.of(m.start).filter(|k| p.eligible_on(weeks.last_day(*k))) {
                cells[k].new_enrollments += 1;
            }
        }
        enrolled_spans.insert(p.key, memberships);
    }
    let mut seen: BTreeMap<(&str, usize), std::collections::BTreeSet<crate::MemberKey>> = BTreeMap::new();
    for v in ledger.visits.iter().filter(|v| v.status == VisitStatus::Completed) {
        let (Some(site), Some(k)) = (site_of.get(&v.member), weeks.of(v.date)) else { continue };
        if let Some((_, _, cells)) = diffs.get_mut(site) {
            cells[k].visits += 1;
            // Utilization is of the enrolled: a visitor counts when a member that day.
            let member =
                enrolled_spans.get(&v.member).is_some_and(|spans: &Vec<Span>| spans.iter().any(|s| s.covers(v.date)));
            if member {
                seen.entry((site, k)).or_default().insert(v.member);
            }
        }
    }
    for ((site, k), people) in seen {
        if let Some((_, _, cells)) = diffs.get_mut(site) {
            cells[k].visitors = people.len() as u32;
        }
    }
    diffs
        .into_iter()
        .map(|(site, (eligible, enrolled, mut cells))| {
            let (mut e, mut n) = (0i64, 0i64);
            for (k, cell) in cells.iter_mut().enumerate() {
                e += eligible[k];
                n += enrolled[k];
                cell.eligible = e.max(0) as u32;
                cell.enrolled = n.max(0) as u32;
            }
            let targeted = match target {
                Target::Account => true,
                Target::Worksites(names) => names.iter().any(|n| n == site),
                Target::Metros(_) => {
                    let (inside, all) = in_metro.get(site).copied().unwrap_or_default();
                    2 * inside > all
                }
            };
            Cluster { name: site.to_owned(), target: targeted, weeks: cells }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Person, Visit};
    use crate::member::{MemberKey, Modality, Relationship, Sex};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn person(key: u64, site: u32, eligible: Span, member: Option<Span>) -> Person {
        Person {
            key: MemberKey(key),
            relationship: Relationship::Employee,
            age_band: None,
            sex: Sex::Unknown,
            zip3: None,
            worksite: Some(site),
            metro: None,
            eligibility: vec![eligible],
            memberships: member.into_iter().collect(),
        }
    }

    /// Four weeks from Monday 2026-01-05 (weeks end on the 11th, 18th, 25th and Feb 1).
    #[test]
    fn people_count_on_each_weeks_last_day() {
        let weeks = Weeks { first: d("2026-01-05"), count: 4 };
        let mut ledger = Ledger { worksites: vec!["Plant".into(), "Office".into()], ..Ledger::default() };
        let add = |l: &mut Ledger, p: Person| {
            l.people.insert(p.key, p);
        };
        // Eligible all along, enrolled from the 14th (week 1).
        add(&mut ledger, person(1, 0, Span::new(d("2025-01-01"), None), Some(Span::new(d("2026-01-14"), None))));
        // Eligible until the 20th: counted at the ends of weeks 0 and 1 only.
        add(&mut ledger, person(2, 0, Span::new(d("2025-01-01"), Some(d("2026-01-20"))), None));
        // Two overlapping memberships from the 12th (week 1): one member, one new enrollment.
        let mut twice = person(4, 0, Span::new(d("2025-01-01"), None), Some(Span::new(d("2026-01-12"), None)));
        twice.memberships.push(Span::new(d("2026-01-13"), Some(d("2026-01-30"))));
        add(&mut ledger, twice);
        // Eligible from the 25th, the last day of week 2.
        add(&mut ledger, person(3, 1, Span::new(d("2026-01-25"), None), Some(Span::new(d("2026-01-25"), None))));
        ledger.visits = vec![
            Visit {
                key: 1,
                member: MemberKey(1),
                date: d("2026-01-15"),
                modality: Modality::InOffice,
                status: VisitStatus::Completed,
                clinic_metro: None,
            },
            Visit {
                key: 2,
                member: MemberKey(1),
                date: d("2026-01-16"),
                modality: Modality::Video,
                status: VisitStatus::Completed,
                clinic_metro: None,
            },
            Visit {
                key: 3,
                member: MemberKey(1),
                date: d("2026-01-17"),
                modality: Modality::Video,
                status: VisitStatus::NoShow,
                clinic_metro: None,
            },
        ];
        let c = clusters(&ledger, weeks, &Target::Worksites(vec!["Office".into()]));
        let plant = c.iter().find(|c| c.name == "Plant").unwrap();
        assert!(!plant.target);
        let eligible: Vec<u32> = plant.weeks.iter().map(|w| w.eligible).collect();
        let enrolled: Vec<u32> = plant.weeks.iter().map(|w| w.enrolled).collect();
        assert_eq!((eligible, enrolled), (vec![3, 3, 2, 2], vec![0, 2, 2, 2]));
        assert_eq!(plant.weeks[1], WeekCell { eligible: 3, enrolled: 2, new_enrollments: 2, visitors: 1, visits: 2 });
        let office = c.iter().find(|c| c.name == "Office").unwrap();
        assert!(office.target);
        assert_eq!(
            office.weeks.iter().map(|w| (w.eligible, w.enrolled, w.new_enrollments)).collect::<Vec<_>>(),
            [(0, 0, 0), (0, 0, 0), (1, 1, 1), (1, 1, 0)]
        );
    }
}
