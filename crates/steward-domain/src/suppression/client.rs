//! Internal figures in, client figures out: the one way anything reaches a client user
//! (portal pages, the client's API answers, client reports). The rules, so that no figure
//! and no difference between two figures pins down fewer than `threshold` people:
//!
//! - Only complete periods: a month is shown once the data are as of its last day, a
//!   quarter once its last month is — a month to date would be revised as it fills, and the
//!   revision would be a small group.
//! - Month-end stocks (eligible lives, enrolled members, enrollment rate) monthly.
//! - Flows per calendar quarter, which do not overlap: visits by modality in the quarter, and
//!   survey figures (NPS and its responses) from the quarter's responses alone, each needing
//!   at least `threshold` responses in that quarter.
//! - Trailing-twelve-month figures (active members, utilization, visits per 1,000) at quarter
//!   ends only: two of them a month apart differ by that month alone.
//! - Every count hidden under the threshold, and more where subtraction within a group of
//!   cells adding up to a shown total would reveal one ([`super::Suppressor::protect`]); a
//!   part of a shown whole (enrolled of eligible, active of enrolled) also when what it
//!   leaves of the whole is small.
//! - Every count shown rounded up to a multiple of [`ROUNDING`] (11 → 15), and every rate
//!   computed from the rounded counts; NPS to a whole number.

use super::{Cells, Suppressor};
use crate::metrics::{Cut, MonthCounts};
use crate::{Metro, Month};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// Client counts are rounded up to a multiple of this.
pub const ROUNDING: i64 = 5;

/// `n` rounded up to a multiple of [`ROUNDING`]: 11 → 15, 15 → 15.
pub fn round_up(n: i64) -> i64 {
    (n + ROUNDING - 1).div_euclid(ROUNDING) * ROUNDING
}

/// One complete month as a client sees it; `None` is a hidden cell (or a blank rate).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClientMonth {
    pub month: Month,
    pub eligible_lives: Option<i64>,
    pub enrolled_members: Option<i64>,
    pub enrollment_rate: Option<f64>,
    /// On a quarter's last month: the quarter's figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quarter: Option<ClientQuarter>,
}

/// One complete calendar quarter as a client sees it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ClientQuarter {
    /// "2026-Q3".
    pub quarter: String,
    /// Enrolled members with a visit in the twelve months to the quarter's end.
    pub active_members_12m: Option<i64>,
    pub utilization_rate: Option<f64>,
    /// Visits in the quarter, by modality.
    pub visits_in_office: Option<i64>,
    pub visits_video: Option<i64>,
    pub visits_remote_other: Option<i64>,
    /// Over the twelve months to the quarter's end.
    pub visits_per_1000: Option<f64>,
    /// From the quarter's responses alone.
    pub nps: Option<f64>,
    pub nps_responses: Option<i64>,
}

/// Every cut's counts of one month.
#[derive(Debug, Clone, Default)]
struct MonthRow {
    total: Option<MonthCounts>,
    metros: Vec<(Cut, MonthCounts)>,
    sites: Vec<(Cut, MonthCounts)>,
}

impl MonthRow {
    fn cells(&self, wanted: &Cut, metro_of: &dyn Fn(&str) -> Option<Metro>) -> Option<Cells> {
        let total = self.total.as_ref()?;
        let cells = match wanted {
            Cut::All => Cells::whole(total),
            Cut::Metro(_) => Cells::metros(&self.metros, total),
            Cut::Worksite(_) => Cells::worksites(&self.sites, &self.metros, metro_of, total),
        };
        cells.position(wanted).map(|_| cells)
    }
}

/// The survey responses of each month of a cut, recovered from its trailing-twelve-month
/// sums: window(m) starts at the account's first month, so x(m) = R(m) − R(m−1) + x(m−12).
pub fn monthly_surveys(series: &[MonthCounts]) -> Vec<[i64; 3]> {
    let mut out: Vec<[i64; 3]> = Vec::with_capacity(series.len());
    for (i, c) in series.iter().enumerate() {
        let now = [c.promoters_12m, c.detractors_12m, c.responses_12m];
        let before = i.checked_sub(1).map_or([0; 3], |j| {
            let p = &series[j];
            [p.promoters_12m, p.detractors_12m, p.responses_12m]
        });
        let year_ago = i.checked_sub(12).map_or([0; 3], |j| out[j]);
        out.push([0, 1, 2].map(|k| now[k] - before[k] + year_ago[k]));
    }
    out
}

/// A quarter's counts in a [`MonthCounts`]: stocks and trailing figures at its end (the
/// three months' visitors at its end are the quarter's), visits summed over its months, and — in the `*_12m` survey fields — its own responses summed.
fn quarter_counts(months: &[(MonthCounts, [i64; 3])]) -> Option<MonthCounts> {
    let (end, _) = months.last()?;
    let mut q = *end;
    q.visits_in_office = months.iter().map(|(c, _)| c.visits_in_office).sum();
    q.visits_video = months.iter().map(|(c, _)| c.visits_video).sum();
    q.visits_remote_other = months.iter().map(|(c, _)| c.visits_remote_other).sum();
    q.promoters_12m = months.iter().map(|(_, s)| s[0]).sum();
    q.detractors_12m = months.iter().map(|(_, s)| s[1]).sum();
    q.responses_12m = months.iter().map(|(_, s)| s[2]).sum();
    Some(q)
}

fn ratio(numerator: Option<i64>, denominator: Option<i64>) -> Option<f64> {
    match (numerator, denominator) {
        (Some(n), Some(d)) if d > 0 => Some(n as f64 / d as f64),
        _ => None,
    }
}

/// One count of every cell, suppressed, with the wanted cell's value rounded when shown.
fn protected(
    s: &Suppressor,
    cells: &Cells,
    at: usize,
    count: impl Fn(&MonthCounts) -> i64,
    also: impl Fn(usize) -> bool,
) -> (Option<i64>, Vec<bool>) {
    let values = cells.values(count);
    let shown = cells.shown(s, &values, also);
    (shown[at].then(|| round_up(values[at])), shown)
}

/// One modality's visits in the quarter for the cell at `at`, suppressed. Visits are derived
/// from the people who made them: a cell whose quarter had fewer visitors of the modality
/// than the threshold is hidden however many visits they made — and counts as a small cell
/// for complementary suppression, so it cannot be worked out from a total either.
fn visit_figure(s: &Suppressor, cells: &Cells, at: usize, count: impl Fn(&MonthCounts) -> (i64, i64)) -> Option<i64> {
    let real = cells.values(|c| count(c).0);
    let people = cells.values(|c| count(c).1);
    // Few people: a small value (one visit) for the suppressor, unless it counts nothing.
    let guarded: Vec<i64> =
        real.iter().zip(&people).map(|(v, p)| if *p < s.threshold && *v > 0 { 1 } else { *v }).collect();
    let shown = cells.shown(s, &guarded, |_| true);
    shown[at].then(|| round_up(real[at]))
}

/// The client figures of `wanted` — the whole account, a metro or a worksite — from the
/// account's stored series of every cut (`rows`: the whole account's, every metro's and
/// every worksite's, by month), the metro of each worksite, and the date the data are as of.
pub fn client_figures(
    rows: &[(Cut, Month, MonthCounts)],
    metro_of: &dyn Fn(&str) -> Option<Metro>,
    as_of: Option<NaiveDate>,
    wanted: &Cut,
    threshold: i64,
) -> Vec<ClientMonth> {
    let s = Suppressor::new(threshold);
    let mut months: BTreeMap<Month, MonthRow> = BTreeMap::new();
    let mut series: HashMap<&Cut, Vec<(Month, MonthCounts)>> = HashMap::new();
    for (cut, month, counts) in rows {
        let row = months.entry(*month).or_default();
        match cut {
            Cut::All => row.total = Some(*counts),
            Cut::Metro(_) => row.metros.push((cut.clone(), *counts)),
            Cut::Worksite(_) => row.sites.push((cut.clone(), *counts)),
        }
        series.entry(cut).or_default().push((*month, *counts));
    }
    // Each cut's responses month by month, for quarters that do not overlap.
    let mut surveys: HashMap<(Cut, Month), [i64; 3]> = HashMap::new();
    for (cut, mut list) in series {
        list.sort_by_key(|(m, _)| *m);
        let counts: Vec<MonthCounts> = list.iter().map(|(_, c)| *c).collect();
        for ((month, _), monthly) in list.iter().zip(monthly_surveys(&counts)) {
            surveys.insert((cut.clone(), *month), monthly);
        }
    }
    let complete = |m: Month| as_of.is_none_or(|d| m.last_day() <= d);
    let mut out = Vec::new();
    for (&month, row) in months.iter().filter(|(m, _)| complete(**m)) {
        let Some(cells) = row.cells(wanted, metro_of) else { continue };
        let Some(at) = cells.position(wanted) else { continue };
        let (eligible, eligible_shown) = protected(&s, &cells, at, |c| c.eligible_lives, |_| true);
        // A part of a shown whole also hides when what it leaves of the whole is small.
        let rest_is_large = |i: usize, whole: &[bool], part: fn(&MonthCounts) -> i64, of: fn(&MonthCounts) -> i64| {
            let c = &cells.cuts[i].1;
            !whole[i] || of(c) - part(c) >= threshold
        };
        let (enrolled, enrolled_shown) = protected(
            &s,
            &cells,
            at,
            |c| c.enrolled_members,
            |i| rest_is_large(i, &eligible_shown, |c| c.enrolled_members, |c| c.eligible_lives),
        );
        let quarter = month
            .ends_quarter()
            .then(|| quarter(&s, &months, &surveys, month, wanted, metro_of, &enrolled_shown))
            .flatten();
        out.push(ClientMonth {
            month,
            eligible_lives: eligible,
            enrolled_members: enrolled,
            enrollment_rate: ratio(enrolled, eligible),
            quarter: quarter.map(|mut q| {
                q.utilization_rate = ratio(q.active_members_12m, enrolled);
                q
            }),
        });
    }
    out
}

/// The quarter ending with `end`, for `wanted`; `enrolled_shown` says which cells' enrolled
/// counts the quarter's last month shows (active members are a part of them).
fn quarter(
    s: &Suppressor,
    months: &BTreeMap<Month, MonthRow>,
    surveys: &HashMap<(Cut, Month), [i64; 3]>,
    end: Month,
    wanted: &Cut,
    metro_of: &dyn Fn(&str) -> Option<Metro>,
    enrolled_shown: &[bool],
) -> Option<ClientQuarter> {
    let span: Vec<Month> = (0..3).rev().map(|k| end.plus(-k)).filter(|m| months.contains_key(m)).collect();
    let of_cut = |cut: &Cut, get: &dyn Fn(&MonthRow) -> Option<MonthCounts>| -> Option<MonthCounts> {
        let parts: Vec<(MonthCounts, [i64; 3])> = span
            .iter()
            .map(|m| {
                let counts = months.get(m).and_then(get).unwrap_or_default();
                (counts, surveys.get(&(cut.clone(), *m)).copied().unwrap_or_default())
            })
            .collect();
        quarter_counts(&parts)
    };
    let last = months.get(&end)?;
    let quartered = MonthRow {
        total: of_cut(&Cut::All, &|r| r.total),
        metros: last
            .metros
            .iter()
            .filter_map(|(cut, _)| {
                let found = |r: &MonthRow| r.metros.iter().find(|(c, _)| c == cut).map(|(_, n)| *n);
                of_cut(cut, &found).map(|q| (cut.clone(), q))
            })
            .collect(),
        sites: last
            .sites
            .iter()
            .filter_map(|(cut, _)| {
                let found = |r: &MonthRow| r.sites.iter().find(|(c, _)| c == cut).map(|(_, n)| *n);
                of_cut(cut, &found).map(|q| (cut.clone(), q))
            })
            .collect(),
    };
    let cells = quartered.cells(wanted, metro_of)?;
    let at = cells.position(wanted)?;
    let threshold = s.threshold;
    let (active, _) = protected(
        s,
        &cells,
        at,
        |c| c.active_members_12m,
        |i| {
            let c = &cells.cuts[i].1;
            enrolled_shown.get(i).copied().unwrap_or(false) && c.enrolled_members - c.active_members_12m >= threshold
        },
    );
    let visits = [
        visit_figure(s, &cells, at, |c| (c.visits_in_office, c.visitors_in_office_3m)),
        visit_figure(s, &cells, at, |c| (c.visits_video, c.visitors_video_3m)),
        visit_figure(s, &cells, at, |c| (c.visits_remote_other, c.visitors_remote_other_3m)),
    ];
    // No figure shows the quarter's visits in all, so a hidden modality cannot be worked
    // out from the others: each stands or hides on its own.
    let (responses, _) = protected(s, &cells, at, |c| c.responses_12m, |_| true);
    let wanted_counts = &cells.cuts[at].1;
    let nps = responses.map(|_| {
        let c = wanted_counts;
        (100.0 * (c.promoters_12m - c.detractors_12m) as f64 / c.responses_12m as f64).round()
    });
    // Per 1,000 from rounded visits and member-months, only when both count enough and the
    // twelve months' visits come from enough people (active members undercount them: a
    // visitor who left is not active, so this errs towards hiding).
    let per_1000 = match (s.count(wanted_counts.visits_12m), s.count(wanted_counts.member_months_12m)) {
        (Some(v), Some(mm)) if wanted_counts.active_members_12m >= threshold => {
            ratio(Some(12_000 * round_up(v)), Some(round_up(mm)))
        }
        _ => None,
    };
    Some(ClientQuarter {
        quarter: end.quarter(),
        active_members_12m: active,
        utilization_rate: None,
        visits_in_office: visits[0],
        visits_video: visits[1],
        visits_remote_other: visits[2],
        visits_per_1000: per_1000,
        nps,
        nps_responses: responses,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ledger::{Ledger, PersonFacts, SurveyResponse, Visit};
    use crate::member::{MemberKey, Modality, Relationship, Sex, Span, VisitStatus};
    use crate::metrics::{self, AccountMetrics};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Three worksites in two metros.
    const SITES: [(&str, Metro); 3] = [("HQ", Metro::Boston), ("Lab", Metro::Boston), ("Plant", Metro::Chicago)];

    fn metro_of(site: &str) -> Option<Metro> {
        SITES.iter().find(|(s, _)| *s == site).map(|(_, m)| *m)
    }

    /// Everything the stored series would hold, as the store hands it out.
    fn rows(m: &AccountMetrics) -> Vec<(Cut, Month, MonthCounts)> {
        m.cuts
            .iter()
            .flat_map(|(cut, months)| months.iter().enumerate().map(|(i, c)| (cut.clone(), m.month(i), *c)))
            .collect()
    }

    #[derive(Debug, Clone)]
    struct Person {
        site: usize,
        start: u32,
        length: Option<u32>,
        member_from: Option<u32>,
        visits: Vec<(u32, u8)>,
        surveys: Vec<(u32, u8)>,
    }

    fn person() -> impl Strategy<Value = Person> {
        (
            0usize..3,
            0u32..20,
            prop::option::of(1u32..20),
            prop::option::of(0u32..6),
            prop::collection::vec((0u32..700, 0u8..3), 0..4),
            prop::collection::vec((0u32..700, 0u8..11), 0..3),
        )
            .prop_map(|(site, start, length, member_from, visits, surveys)| Person {
                site,
                start,
                length,
                member_from,
                visits,
                surveys,
            })
    }

    fn ledger(people: &[Person]) -> Ledger {
        let first = d("2024-01-01");
        let month = |k: u32| Month::of(first).plus(k as i32);
        let mut l = Ledger::default();
        let mut file = Vec::new();
        let mut memberships = Vec::new();
        let mut visits = Vec::new();
        let mut surveys = Vec::new();
        for (i, p) in people.iter().enumerate() {
            let key = MemberKey(i as u64 + 1);
            let (site, metro) = SITES[p.site];
            let facts = PersonFacts {
                relationship: Relationship::Employee,
                age_band: None,
                sex: Sex::Unknown,
                zip3: None,
                worksite: Some(site.into()),
                metro: Some(metro),
            };
            let start = month(p.start).first_day();
            let end = p.length.map(|n| month(p.start + n).last_day());
            file.push((key, facts, vec![Span::new(start, end)]));
            if let Some(after) = p.member_from {
                memberships.push((key, Span::new(month(p.start + after).first_day(), end)));
            }
            for (n, (day, modality)) in p.visits.iter().enumerate() {
                let modality = [Modality::InOffice, Modality::Video, Modality::RemoteOther][*modality as usize];
                let date = first + chrono::Days::new(u64::from(*day));
                visits.push(Visit {
                    key: (i * 10 + n) as u64,
                    member: key,
                    date,
                    modality,
                    status: VisitStatus::Completed,
                    clinic_metro: None,
                });
            }
            for (n, (day, score)) in p.surveys.iter().enumerate() {
                let date = first + chrono::Days::new(u64::from(*day));
                surveys.push(SurveyResponse { key: (i * 10 + n) as u64, member: Some(key), date, score: *score });
            }
        }
        l.apply_full_file(first, file, &[]);
        l.replace_memberships(memberships);
        l.upsert_visits(visits);
        l.upsert_surveys(surveys);
        l
    }

    #[test]
    fn monthly_responses_come_back_from_trailing_sums() {
        let mut series = Vec::new();
        let monthly = [3, 0, 5, 1, 0, 0, 2, 7, 0, 1, 4, 0, 6, 2, 0, 3];
        for i in 0..monthly.len() {
            let window: i64 = monthly[i.saturating_sub(11)..=i].iter().sum();
            series.push(MonthCounts { responses_12m: window, ..MonthCounts::default() });
        }
        let back: Vec<i64> = monthly_surveys(&series).iter().map(|s| s[2]).collect();
        assert_eq!(back, monthly);
    }

    #[test]
    fn counts_round_up_and_rates_come_from_the_rounded_counts() {
        assert_eq!([round_up(11), round_up(15), round_up(16), round_up(0)], [15, 15, 20, 0]);
        let counts = MonthCounts { eligible_lives: 103, enrolled_members: 41, ..MonthCounts::default() };
        let month = Month::new(2026, 5).unwrap();
        let shown = client_figures(&[(Cut::All, month, counts)], &metro_of, None, &Cut::All, 11);
        assert_eq!((shown[0].eligible_lives, shown[0].enrolled_members), (Some(105), Some(45)));
        assert_eq!(shown[0].enrollment_rate, Some(45.0 / 105.0));
        assert_eq!(shown[0].quarter, None, "May ends no quarter");
    }

    #[test]
    fn only_complete_periods_are_shown() {
        let counts = MonthCounts { eligible_lives: 103, enrolled_members: 41, ..MonthCounts::default() };
        let rows: Vec<(Cut, Month, MonthCounts)> =
            (1..=6).map(|m| (Cut::All, Month::new(2026, m).unwrap(), counts)).collect();
        let shown = client_figures(&rows, &metro_of, Some(d("2026-06-29")), &Cut::All, 11);
        let months: Vec<u32> = shown.iter().map(|m| m.month.month()).collect();
        assert_eq!(months, [1, 2, 3, 4, 5], "June is not over: neither it nor its quarter shows");
        assert!(shown[2].quarter.is_some(), "Q1 is");
    }

    /// Sixty people over two years, all eligible from the start at three worksites, with
    /// membership, visits and survey responses by person; the account's metrics as of the
    /// end of 2025.
    fn sixty(
        member: impl Fn(usize) -> bool,
        visits: impl Fn(usize) -> Vec<(u32, u8)>,
        surveys: impl Fn(usize) -> Vec<(u32, u8)>,
    ) -> AccountMetrics {
        let people: Vec<Person> = (0..60)
            .map(|i| Person {
                site: i % 3,
                start: 0,
                length: None,
                member_from: member(i).then_some(0),
                visits: visits(i),
                surveys: surveys(i),
            })
            .collect();
        let mut l = ledger(&people);
        l.note_as_of(d("2025-12-31"));
        metrics::compute(&l, |_| None).unwrap()
    }

    #[test]
    fn a_program_of_many_people_shows_its_quarters() {
        // 60 eligible, 45 members, 30 people with two visits a quarter, everyone answering
        // a survey each quarter: the figures show, rounded.
        let m = sixty(
            |i| i % 4 != 0,
            |i| match i % 2 {
                0 => (0..16).map(|k| (k * 45 + 20 + i as u32 % 10, (k % 3) as u8)).collect(),
                _ => Vec::new(),
            },
            |i| (0..8).map(|k| (k * 90 + 5, (i % 11) as u8)).collect(),
        );
        let shown = client_figures(&rows(&m), &metro_of, Some(d("2025-12-31")), &Cut::All, 11);
        assert_eq!(shown.len(), 24);
        let q = shown[20].quarter.as_ref().expect("2025-Q3");
        assert_eq!((q.quarter.as_str(), shown[20].eligible_lives, q.nps_responses), ("2025-Q3", Some(60), Some(60)));
        assert_eq!((shown[20].enrolled_members, q.active_members_12m), (Some(45), Some(15)));
        assert!(
            q.visits_in_office.is_some() && q.nps.is_some() && q.utilization_rate.is_some(),
            "{q:?} {:?}",
            shown[20]
        );
        assert_eq!(shown[23].quarter.as_ref().map(|q| q.nps_responses), Some(None), "no responses in 2025-Q4");
        // Boston (HQ and Lab) and Chicago (Plant) split 40/20: both show.
        let boston = client_figures(&rows(&m), &metro_of, Some(d("2025-12-31")), &Cut::Metro(Metro::Boston), 11);
        assert_eq!(boston[23].eligible_lives, Some(40));
    }

    #[test]
    fn visits_of_a_few_people_show_nothing_however_many() {
        // 60 eligible members; 4 of them visit every week.
        let m = sixty(
            |_| true,
            |i| if i < 4 { (0..100).map(|k| (k * 7 + 3, 0)).collect() } else { Vec::new() },
            |_| Vec::new(),
        );
        let shown = client_figures(&rows(&m), &metro_of, Some(d("2025-12-31")), &Cut::All, 11);
        let q = shown[20].quarter.as_ref().expect("2025-Q3");
        assert_eq!(q.active_members_12m, None, "four visitors");
        assert_eq!(
            (q.visits_in_office, q.visits_video, q.visits_remote_other, q.visits_per_1000),
            (None, None, None, None),
            "their visits are theirs: {q:?}"
        );
    }

    #[test]
    fn a_quarter_s_visits_need_the_quarter_s_visitors() {
        // 60 eligible, 45 members; 30 of the members visited in early 2025 (active through the
        // year), and in 2025-Q3 only three of them, weekly for nine weeks: the quarter's
        // visits are theirs alone.
        let m = sixty(
            |i| i < 45,
            |i| match i {
                0..3 => (0..9).map(|k| (547 + k * 7, 0)).chain([(370, 1)]).collect(),
                3..30 => vec![(370 + i as u32, 1)],
                _ => Vec::new(),
            },
            |_| Vec::new(),
        );
        let shown = client_figures(&rows(&m), &metro_of, Some(d("2025-12-31")), &Cut::All, 11);
        let q1 = shown[14].quarter.as_ref().expect("2025-Q1");
        assert_eq!(q1.visits_video, Some(30), "thirty visitors in Q1: {q1:?}");
        let q3 = shown[20].quarter.as_ref().expect("2025-Q3");
        assert_eq!(q3.active_members_12m, Some(30), "thirty active over the year");
        assert_eq!((q3.visits_in_office, q3.visits_video, q3.visits_remote_other), (None, None, None), "{q3:?}");
    }

    /// The review's two attacks: Chicago's four visitors' many visits worked out as the whole
    /// account less Boston, and one person's video visits shown because eleven others came in
    /// person.
    #[test]
    fn visits_of_few_people_cannot_be_subtracted_or_borrowed() {
        // Q1 2025 (days 366–455): 30 Boston people one in-office visit each, 4 Chicago
        // people nine each; one Boston person also makes nine video visits.
        let m = sixty(
            |_| true,
            |i| match (i % 3, i) {
                (2, 0..12) => (0..9).map(|k| (370 + k * 9, 0)).collect(),
                (2, _) => Vec::new(),
                (_, 0) => (0..9).map(|k| (372 + k * 9, 1)).chain([(371, 0)]).collect(),
                (_, 1..46) => vec![(371, 0)],
                _ => Vec::new(),
            },
            |_| Vec::new(),
        );
        let q1 = |cut: Cut| {
            let shown = client_figures(&rows(&m), &metro_of, Some(d("2025-12-31")), &cut, 11);
            shown[14].quarter.clone().expect("2025-Q1")
        };
        let (all, boston, chicago) = (q1(Cut::All), q1(Cut::Metro(Metro::Boston)), q1(Cut::Metro(Metro::Chicago)));
        assert_eq!(chicago.visits_in_office, None, "four Chicago visitors");
        assert!(
            all.visits_in_office.is_none() || boston.visits_in_office.is_none(),
            "the whole account less Boston would be Chicago's: {all:?} {boston:?}"
        );
        assert_eq!((all.visits_video, boston.visits_video), (None, None), "one person's video visits");
    }

    /// Which people of the generated population a cut holds.
    fn in_cut(cut: &Cut, p: &Person) -> bool {
        let (site, metro) = SITES[p.site];
        match cut {
            Cut::All => true,
            Cut::Metro(m) => *m == metro,
            Cut::Worksite(w) => w == site,
        }
    }

    /// The generated people's visits of modality `k` in the quarter ending with `end`, in `cut`.
    fn quarter_visit_days(people: &[Person], cut: &Cut, end: Month, k: usize) -> Vec<(usize, NaiveDate)> {
        let (from, to) = (end.plus(-2).first_day(), end.last_day());
        people
            .iter()
            .enumerate()
            .filter(|(_, p)| in_cut(cut, p))
            .flat_map(|(i, p)| {
                p.visits
                    .iter()
                    .filter(|(_, m)| usize::from(*m) == k)
                    .map(move |(day, _)| (i, d("2024-01-01") + chrono::Days::new(u64::from(*day))))
            })
            .filter(|(_, day)| *day >= from && *day <= to)
            .collect()
    }

    fn quarter_visitors(people: &[Person], cut: &Cut, end: Month, k: usize) -> usize {
        let mut who: Vec<usize> = quarter_visit_days(people, cut, end, k).into_iter().map(|(i, _)| i).collect();
        who.dedup();
        who.len()
    }

    fn quarter_visits(people: &[Person], cut: &Cut, end: Month, k: usize) -> usize {
        quarter_visit_days(people, cut, end, k).len()
    }

    /// What an attacker knows of a shown count `x`: the true count lies in `x-4..=x`.
    fn interval(x: i64) -> (i64, i64) {
        (x - (ROUNDING - 1), x)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

        /// For random small populations over two years, everything the function returns for
        /// the account, each metro and each worksite: no shown figure counts fewer than the
        /// threshold; no two figures of one measure and cut, subtracted, pin a number down
        /// (each is known only to within five); every rate is the ratio of shown counts;
        /// survey figures count the quarter's own responses (no overlapping windows); and
        /// trailing figures appear at quarter ends only.
        #[test]
        fn nothing_a_client_sees_pins_down_a_small_group(people in prop::collection::vec(person(), 0..45)) {
            let l = ledger(&people);
            let Some(m) = metrics::compute(&l, |_| None) else { return Ok(()) };
            let rows = rows(&m);
            let as_of = Some(d("2025-10-15"));
            let mut cuts = vec![Cut::All];
            cuts.extend(m.cuts.keys().filter(|c| !matches!(c, Cut::All)).cloned());
            let mut visit_figures: BTreeMap<(Cut, Month), [Option<i64>; 3]> = BTreeMap::new();
            for cut in &cuts {
                let shown = client_figures(&rows, &metro_of, as_of, cut, 11);
                let mut series: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
                for month in &shown {
                    prop_assert!(month.month.last_day() <= d("2025-10-15"), "only complete months");
                    let mut counts = vec![("eligible", month.eligible_lives), ("enrolled", month.enrolled_members)];
                    if let Some(q) = &month.quarter {
                        prop_assert!(month.month.ends_quarter());
                        counts.extend([
                            ("active", q.active_members_12m), ("in_office", q.visits_in_office),
                            ("video", q.visits_video), ("remote", q.visits_remote_other), ("responses", q.nps_responses),
                        ]);
                        prop_assert_eq!(q.utilization_rate, ratio(q.active_members_12m, month.enrolled_members));
                        prop_assert!(q.nps.is_none() || q.nps_responses.is_some());
                        // Each modality's visits: the quarter's visitors of that modality in the
                        // cut, counted straight from the people, are enough.
                        let figures = [q.visits_in_office, q.visits_video, q.visits_remote_other];
                        for (k, figure) in figures.iter().enumerate() {
                            if figure.is_some() {
                                let n = quarter_visitors(&people, cut, month.month, k);
                                prop_assert!(n >= 11, "{cut:?} {} modality {k}: visits of {n} people", q.quarter);
                            }
                        }
                        visit_figures.insert((cut.clone(), month.month), figures);
                        if *cut == Cut::All {
                            // The quarter's responses, counted straight from the ledger (the
                            // months measured start with the first eligibility).
                            let first = month.month.plus(-2).first_day().max(m.first.first_day());
                            let own = l.surveys.iter().filter(|s| s.date >= first && s.date <= month.month.last_day()).count() as i64;
                            if let Some(n) = q.nps_responses {
                                prop_assert!(own >= 11 && n == round_up(own), "responses {n} vs {own} in the quarter");
                            } else {
                                prop_assert!(own < 11);
                            }
                        }
                    }
                    prop_assert_eq!(month.enrollment_rate, ratio(month.enrolled_members, month.eligible_lives));
                    for (name, value) in counts {
                        if let Some(n) = value {
                            prop_assert!(n >= 11 && n % ROUNDING == 0, "{cut:?} {name} {n}");
                            series.entry(name).or_default().push(n);
                        }
                    }
                }
                // Two shown figures of one measure: their true difference is known only to
                // within nine values, never exactly.
                for values in series.values() {
                    for (i, a) in values.iter().enumerate() {
                        for b in &values[i + 1..] {
                            let ((alo, ahi), (blo, bhi)) = (interval(*a), interval(*b));
                            prop_assert!((ahi - blo) - (alo - bhi) >= 2 * (ROUNDING - 1));
                        }
                    }
                }
            }
            // Across cuts: whole account less one metro is the other metro (everyone has a
            // metro here). When both are shown, what they leave must come from enough people.
            let metros = [Cut::Metro(Metro::Boston), Cut::Metro(Metro::Chicago)];
            for ((cut, month), all) in visit_figures.iter().filter(|((c, _), _)| *c == Cut::All) {
                let _ = cut;
                for (shown_metro, other) in [(&metros[0], &metros[1]), (&metros[1], &metros[0])] {
                    let Some(part) = visit_figures.get(&(shown_metro.clone(), *month)) else { continue };
                    for k in 0..3 {
                        if all[k].is_some() && part[k].is_some() {
                            let n = quarter_visitors(&people, other, *month, k);
                            let visits = quarter_visits(&people, other, *month, k);
                            prop_assert!(n >= 11 || visits == 0 && n == 0, "{other:?} {month} modality {k}: {visits} visits of {n} people, by subtraction");
                        }
                    }
                }
            }
        }
    }
}
