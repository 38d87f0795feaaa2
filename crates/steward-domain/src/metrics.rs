//! The program metrics of DOMAIN.md, computed exactly from an account's ledger, for every
//! month and for the whole account, each metro and each worksite (the member's, not the
//! clinic's). Counts are what gets stored; rates are derived from them on the way out, so
//! a rate is never averaged and a zero denominator is `None`, never 0.

use crate::ledger::{Ledger, Person};
use crate::member::{Modality, Relationship, Span, VisitStatus};
use crate::{Metro, Month};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// A slice of an account's members.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Cut {
    All,
    Metro(Metro),
    Worksite(String),
}

impl Cut {
    pub fn kind(&self) -> &'static str {
        match self {
            Cut::All => "all",
            Cut::Metro(_) => "metro",
            Cut::Worksite(_) => "worksite",
        }
    }

    pub fn value(&self) -> &str {
        match self {
            Cut::All => "",
            Cut::Metro(m) => m.as_str(),
            Cut::Worksite(w) => w,
        }
    }
}

/// The stored counts of one month of one cut. Window figures cover window(m).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthCounts {
    pub eligible_lives: i64,
    pub eligible_employees: i64,
    pub enrolled_members: i64,
    pub new_enrollments: i64,
    pub visits_in_office: i64,
    pub visits_video: i64,
    pub visits_remote_other: i64,
    /// Completed visits whose member never appears in the eligibility (whole account only).
    pub unmatched_visits: i64,
    pub active_members_12m: i64,
    pub visits_12m: i64,
    pub virtual_visits_12m: i64,
    pub member_months_12m: i64,
    pub promoters_12m: i64,
    pub detractors_12m: i64,
    pub responses_12m: i64,
    /// Matched members with a completed visit of each modality in the three months ending
    /// with this one — at a quarter's end, the people behind the quarter's visits of that kind.
    pub visitors_in_office_3m: i64,
    pub visitors_video_3m: i64,
    pub visitors_remote_other_3m: i64,
}

impl MonthCounts {
    /// Every count of `self` less `other`'s: what a whole account holds beyond its cuts
    /// (people with no worksite, survey responses with no member).
    pub fn minus(&self, other: &MonthCounts) -> MonthCounts {
        self.zip(other, |a, b| a - b)
    }

    pub fn plus(&self, other: &MonthCounts) -> MonthCounts {
        self.zip(other, |a, b| a + b)
    }

    fn zip(&self, o: &MonthCounts, f: impl Fn(i64, i64) -> i64) -> MonthCounts {
        MonthCounts {
            eligible_lives: f(self.eligible_lives, o.eligible_lives),
            eligible_employees: f(self.eligible_employees, o.eligible_employees),
            enrolled_members: f(self.enrolled_members, o.enrolled_members),
            new_enrollments: f(self.new_enrollments, o.new_enrollments),
            visits_in_office: f(self.visits_in_office, o.visits_in_office),
            visits_video: f(self.visits_video, o.visits_video),
            visits_remote_other: f(self.visits_remote_other, o.visits_remote_other),
            unmatched_visits: f(self.unmatched_visits, o.unmatched_visits),
            active_members_12m: f(self.active_members_12m, o.active_members_12m),
            visits_12m: f(self.visits_12m, o.visits_12m),
            virtual_visits_12m: f(self.virtual_visits_12m, o.virtual_visits_12m),
            member_months_12m: f(self.member_months_12m, o.member_months_12m),
            promoters_12m: f(self.promoters_12m, o.promoters_12m),
            detractors_12m: f(self.detractors_12m, o.detractors_12m),
            responses_12m: f(self.responses_12m, o.responses_12m),
            visitors_in_office_3m: f(self.visitors_in_office_3m, o.visitors_in_office_3m),
            visitors_video_3m: f(self.visitors_video_3m, o.visitors_video_3m),
            visitors_remote_other_3m: f(self.visitors_remote_other_3m, o.visitors_remote_other_3m),
        }
    }
}

/// One row of `steward metrics --json`: DOMAIN.md's names, rates as fractions, `None`
/// (JSON null) where the denominator is zero.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct MonthMetrics {
    pub month: Month,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metro: Option<Metro>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worksite: Option<String>,
    pub eligible_lives: i64,
    pub eligible_employees: i64,
    pub enrolled_members: i64,
    pub enrollment_rate: Option<f64>,
    pub new_enrollments: i64,
    pub visits_in_office: i64,
    pub visits_video: i64,
    pub visits_remote_other: i64,
    pub active_members_12m: i64,
    pub utilization_rate: Option<f64>,
    /// Matched visits in window(m), the numerator of `visits_per_1000`.
    pub visits_12m: i64,
    pub visits_per_1000: Option<f64>,
    pub virtual_share: Option<f64>,
    pub nps: Option<f64>,
    pub nps_responses: i64,
    /// Null in a metro or worksite cut: an unmatched visit belongs to no known person.
    pub unmatched_visits: Option<i64>,
    /// The month ends after the date the account's data are as of (the month to date, or a
    /// month beyond it): its stocks are as of that date and its flows are not yet whole.
    pub partial: bool,
}

fn ratio(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

impl MonthMetrics {
    /// One month's figures from its counts; `as_of` is the date the account's data are as of
    /// (a month ending after it is partial).
    pub fn from_counts(month: Month, cut: &Cut, c: &MonthCounts, as_of: Option<NaiveDate>) -> Self {
        Self {
            month,
            metro: match cut {
                Cut::Metro(m) => Some(*m),
                _ => None,
            },
            worksite: match cut {
                Cut::Worksite(w) => Some(w.clone()),
                _ => None,
            },
            eligible_lives: c.eligible_lives,
            eligible_employees: c.eligible_employees,
            enrolled_members: c.enrolled_members,
            enrollment_rate: ratio(c.enrolled_members, c.eligible_lives),
            new_enrollments: c.new_enrollments,
            visits_in_office: c.visits_in_office,
            visits_video: c.visits_video,
            visits_remote_other: c.visits_remote_other,
            active_members_12m: c.active_members_12m,
            utilization_rate: ratio(c.active_members_12m, c.enrolled_members),
            visits_12m: c.visits_12m,
            visits_per_1000: ratio(12_000 * c.visits_12m, c.member_months_12m),
            virtual_share: ratio(c.virtual_visits_12m, c.visits_12m),
            nps: ratio(100 * (c.promoters_12m - c.detractors_12m), c.responses_12m),
            nps_responses: c.responses_12m,
            unmatched_visits: (*cut == Cut::All).then_some(c.unmatched_visits),
            partial: is_partial(month, as_of),
        }
    }
}

/// Whether `month` ends after `as_of`, the date the account's data are as of.
pub fn is_partial(month: Month, as_of: Option<NaiveDate>) -> bool {
    as_of.is_some_and(|d| month.last_day() > d)
}

/// Every cut's counts for every month from `first` on.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountMetrics {
    pub first: Month,
    pub months: usize,
    pub cuts: BTreeMap<Cut, Vec<MonthCounts>>,
}

impl AccountMetrics {
    pub fn month(&self, i: usize) -> Month {
        self.first.plus(i as i32)
    }
}

/// Per-month tallies of one cut before window sums.
#[derive(Clone)]
struct Tally {
    eligible: Vec<i64>,
    employees: Vec<i64>,
    enrolled: Vec<i64>,
    new_enrollments: Vec<i64>,
    visits: [Vec<i64>; 3],
    unmatched: Vec<i64>,
    active: Vec<i64>,
    /// By modality, difference arrays: +1 where a person's three-month visiting run starts,
    /// −1 after it.
    visitors: [Vec<i64>; 3],
    promoters: Vec<i64>,
    detractors: Vec<i64>,
    responses: Vec<i64>,
}

impl Tally {
    fn new(n: usize) -> Self {
        let z = vec![0; n + 1];
        Self {
            eligible: z.clone(),
            employees: z.clone(),
            enrolled: z.clone(),
            new_enrollments: z.clone(),
            visits: [z.clone(), z.clone(), z.clone()],
            unmatched: z.clone(),
            active: z.clone(),
            visitors: [z.clone(), z.clone(), z.clone()],
            promoters: z.clone(),
            detractors: z.clone(),
            responses: z,
        }
    }
}

/// Month indexes whose last day `span` covers, as a half-open range, within `0..n`.
fn covered(span: &Span, first: Month, n: usize) -> Option<(usize, usize)> {
    // The first month end on or after start is start's own month end.
    let lo = first.months_until(Month::of(span.start)).max(0);
    let hi = match span.end {
        None => n as i32,
        Some(e) => {
            let m = Month::of(e);
            // A span covers its end month's last day only if it ends on that day.
            let last = if e == m.last_day() { m } else { m.plus(-1) };
            (first.months_until(last) + 1).min(n as i32)
        }
    };
    (lo < hi).then_some((lo as usize, hi as usize))
}

fn intersect(a: &Span, b: &Span) -> Option<Span> {
    let start = a.start.max(b.start);
    let end = match (a.end, b.end) {
        (None, e) | (e, None) => e,
        (Some(x), Some(y)) => Some(x.min(y)),
    };
    end.is_none_or(|e| start <= e).then_some(Span { start, end })
}

/// The months an account's metrics run over: from its first month with eligibility to the
/// last month with any of its data (eligibility and membership starts, eligibility file
/// dates, visits, surveys). An end date is not data — it says when something stops, and a
/// planned end must not stretch the series into the future.
pub fn month_range(ledger: &Ledger) -> Option<(Month, Month)> {
    let first = ledger.people.values().flat_map(|p| p.eligibility.iter().map(|s| s.start)).min()?;
    let mut last: NaiveDate = first;
    let mut see = |d: NaiveDate| last = last.max(d);
    for p in ledger.people.values() {
        p.eligibility.iter().for_each(|s| see(s.start));
        p.memberships.iter().for_each(|m| see(m.start));
    }
    ledger.visits.iter().for_each(|v| see(v.date));
    ledger.surveys.iter().for_each(|s| see(s.date));
    ledger.eligibility_as_of.into_iter().for_each(&mut see);
    Some((Month::of(first), Month::of(last)))
}

fn index(first: Month, n: usize, day: NaiveDate) -> Option<usize> {
    let i = first.months_until(Month::of(day));
    (0..n as i32).contains(&i).then_some(i as usize)
}

/// Computes every cut's counts. `None` when the account has no eligibility yet.
pub fn compute(ledger: &Ledger, metro_of_worksite: impl Fn(&str) -> Option<Metro>) -> Option<AccountMetrics> {
    let (first, last) = month_range(ledger)?;
    let n = (first.months_until(last) + 1) as usize;
    let mut cuts: BTreeMap<Cut, usize> = BTreeMap::new();
    let mut tallies: Vec<Tally> = Vec::new();
    let mut cut_id = |cut: Cut, tallies: &mut Vec<Tally>| {
        *cuts.entry(cut).or_insert_with(|| {
            tallies.push(Tally::new(n));
            tallies.len() - 1
        })
    };
    let all = cut_id(Cut::All, &mut tallies);

    // Visits and responses grouped by member, so each person is visited once.
    let mut visits: Vec<(u64, NaiveDate, Modality)> = ledger
        .visits
        .iter()
        .filter(|v| v.status == VisitStatus::Completed)
        .map(|v| (v.member.0, v.date, v.modality))
        .collect();
    visits.sort_unstable_by_key(|v| (v.0, v.1));
    let mut surveys: Vec<(u64, NaiveDate, u8)> =
        ledger.surveys.iter().filter_map(|s| s.member.map(|m| (m.0, s.date, s.score))).collect();
    surveys.sort_unstable_by_key(|s| (s.0, s.1));

    let mut metro_ids: [Option<usize>; 10] = [None; 10];
    let mut site_ids: Vec<Option<usize>> = vec![None; ledger.worksites.len()];
    let (mut vi, mut si) = (0, 0);
    let mut enrolled_months: Vec<usize> = Vec::new();
    let mut visit_months: Vec<usize> = Vec::new();
    for p in ledger.people.values() {
        let key = p.key.0;
        // Visits of members nobody lists come before this person's in key order.
        while vi < visits.len() && visits[vi].0 < key {
            if let Some(i) = index(first, n, visits[vi].1) {
                tallies[all].unmatched[i] += 1;
            }
            vi += 1;
        }
        let mine_v = vi;
        while vi < visits.len() && visits[vi].0 == key {
            vi += 1;
        }
        while si < surveys.len() && surveys[si].0 < key {
            si += 1;
        }
        let mine_s = si;
        while si < surveys.len() && surveys[si].0 == key {
            si += 1;
        }
        let metro = p.metro.or_else(|| p.worksite.and_then(|w| metro_of_worksite(&ledger.worksites[w as usize])));
        // Cut ids are looked up once per metro and worksite, not once per person.
        let mut ids = [all; 3];
        let mut n_ids = 1;
        if let Some(m) = metro {
            let slot = &mut metro_ids[Metro::ALL.iter().position(|x| *x == m).unwrap_or(0)];
            ids[n_ids] = *slot.get_or_insert_with(|| cut_id(Cut::Metro(m), &mut tallies));
            n_ids += 1;
        }
        if let Some(w) = p.worksite {
            let slot = &mut site_ids[w as usize];
            ids[n_ids] =
                *slot.get_or_insert_with(|| cut_id(Cut::Worksite(ledger.worksites[w as usize].clone()), &mut tallies));
            n_ids += 1;
        }
        let ids = &ids[..n_ids];
        tally_person(
            p,
            first,
            n,
            &visits[mine_v..vi],
            &surveys[mine_s..si],
            ids,
            &mut tallies,
            &mut enrolled_months,
            &mut visit_months,
        );
    }
    for v in &visits[vi..] {
        if let Some(i) = index(first, n, v.1) {
            tallies[all].unmatched[i] += 1;
        }
    }
    // Responses count in the whole account whoever gave them, with a member or without.
    for s in &ledger.surveys {
        if let Some(i) = index(first, n, s.date) {
            add_response(&mut tallies[all], i, s.score);
        }
    }

    let counts = cuts.into_iter().map(|(cut, id)| (cut, finish(&tallies[id], n))).collect();
    Some(AccountMetrics { first, months: n, cuts: counts })
}

fn add_response(t: &mut Tally, i: usize, score: u8) {
    t.responses[i] += 1;
    match score {
        9..=10 => t.promoters[i] += 1,
        0..=6 => t.detractors[i] += 1,
        _ => {}
    }
}

#[allow(clippy::too_many_arguments)]
fn tally_person(
    p: &Person,
    first: Month,
    n: usize,
    visits: &[(u64, NaiveDate, Modality)],
    surveys: &[(u64, NaiveDate, u8)],
    ids: &[usize],
    tallies: &mut [Tally],
    enrolled_months: &mut Vec<usize>,
    visit_months: &mut Vec<usize>,
) {
    let matched = !p.eligibility.is_empty();
    for s in &p.eligibility {
        if let Some((lo, hi)) = covered(s, first, n) {
            for &id in ids {
                tallies[id].eligible[lo] += 1;
                tallies[id].eligible[hi] -= 1;
                if p.relationship == Relationship::Employee {
                    tallies[id].employees[lo] += 1;
                    tallies[id].employees[hi] -= 1;
                }
            }
        }
    }
    enrolled_months.clear();
    for e in &p.eligibility {
        for m in &p.memberships {
            if let Some((lo, hi)) = intersect(e, m).and_then(|x| covered(&x, first, n)) {
                enrolled_months.extend(lo..hi);
            }
        }
    }
    enrolled_months.sort_unstable();
    enrolled_months.dedup();
    let mut starts: Vec<usize> = p.memberships.iter().filter_map(|m| index(first, n, m.start)).collect();
    starts.sort_unstable();
    starts.dedup();

    visit_months.clear();
    // A visit in month i counts its person among the visitors of its modality in i, i+1
    // and i+2 — once, however many visits fall in those months (visits come in date order).
    let mut counted_until = [0usize; 3];
    for v in visits {
        let Some(i) = index(first, n, v.1) else { continue };
        if matched {
            visit_months.push(i);
            let modality = match v.2 {
                Modality::InOffice => 0,
                Modality::Video => 1,
                Modality::RemoteOther => 2,
            };
            for &id in ids {
                tallies[id].visits[modality][i] += 1;
            }
            let (lo, hi) = (i.max(counted_until[modality]), (i + 3).min(n));
            if lo < hi {
                for &id in ids {
                    tallies[id].visitors[modality][lo] += 1;
                    tallies[id].visitors[modality][hi] -= 1;
                }
                counted_until[modality] = hi;
            }
        } else {
            tallies[ids[0]].unmatched[i] += 1;
        }
    }
    // Active in month m: enrolled at its end with a matched visit in window(m).
    let mut cursor = 0;
    for &m in enrolled_months.iter() {
        let from = m.saturating_sub(11);
        while cursor < visit_months.len() && visit_months[cursor] < from {
            cursor += 1;
        }
        let active = cursor < visit_months.len() && visit_months[cursor] <= m;
        for &id in ids {
            tallies[id].enrolled[m] += 1;
            if active {
                tallies[id].active[m] += 1;
            }
        }
    }
    for &m in &starts {
        for &id in ids {
            tallies[id].new_enrollments[m] += 1;
        }
    }
    for s in surveys {
        if let Some(i) = index(first, n, s.1) {
            for &id in &ids[1..] {
                add_response(&mut tallies[id], i, s.2);
            }
        }
    }
}

/// Turns difference arrays into stocks and per-month flows into window(m) sums.
fn finish(t: &Tally, n: usize) -> Vec<MonthCounts> {
    let window = |v: &[i64], i: usize| v[i.saturating_sub(11)..=i].iter().sum::<i64>();
    let (mut eligible, mut employees, mut visitors) = (0, 0, [0i64; 3]);
    (0..n)
        .map(|i| {
            eligible += t.eligible[i];
            employees += t.employees[i];
            for (running, diff) in visitors.iter_mut().zip(&t.visitors) {
                *running += diff[i];
            }
            let virtual_visits_12m = window(&t.visits[1], i) + window(&t.visits[2], i);
            MonthCounts {
                eligible_lives: eligible,
                eligible_employees: employees,
                enrolled_members: t.enrolled[i],
                new_enrollments: t.new_enrollments[i],
                visits_in_office: t.visits[0][i],
                visits_video: t.visits[1][i],
                visits_remote_other: t.visits[2][i],
                unmatched_visits: t.unmatched[i],
                active_members_12m: t.active[i],
                visits_12m: window(&t.visits[0], i) + virtual_visits_12m,
                virtual_visits_12m,
                member_months_12m: window(&t.enrolled, i),
                promoters_12m: window(&t.promoters, i),
                detractors_12m: window(&t.detractors, i),
                responses_12m: window(&t.responses, i),
                visitors_in_office_3m: visitors[0],
                visitors_video_3m: visitors[1],
                visitors_remote_other_3m: visitors[2],
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    //! A small account worked by hand: spans ending on and off month ends, a re-enrollment,
    //! dependents, a cancelled visit, a visit by an unknown member, a response without one.
    use super::*;
    use crate::ledger::{PersonFacts, SurveyResponse, Visit};
    use crate::member::{MemberKey, Sex};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_ending_after_the_data_s_date_is_partial() {
        let dec = Month::new(2026, 12).unwrap();
        assert!(is_partial(dec, Some(d("2026-12-02"))), "the month to date");
        assert!(!is_partial(dec, Some(d("2026-12-31"))), "as of its last day, whole");
        assert!(is_partial(dec, Some(d("2026-11-30"))), "a month beyond the data");
        assert!(!is_partial(dec, Some(d("2027-01-05"))));
        assert!(!is_partial(dec, None), "no date, nothing to say");
        let m = MonthMetrics::from_counts(dec, &Cut::All, &MonthCounts::default(), Some(d("2026-12-02")));
        assert!(m.partial);
    }

    fn span(a: &str, b: Option<&str>) -> Span {
        Span::new(d(a), b.map(d))
    }

    fn ledger() -> Ledger {
        let mut l = Ledger::default();
        let facts = |rel, metro, site: &str| PersonFacts {
            relationship: rel,
            age_band: None,
            sex: Sex::Unknown,
            zip3: None,
            worksite: Some(site.into()),
            metro: Some(metro),
        };
        use Relationship::*;
        l.apply_full_file(
            d("2024-01-01"),
            vec![
                (MemberKey(10), facts(Employee, Metro::Seattle, "HQ"), vec![span("2024-01-01", None)]),
                (MemberKey(20), facts(Spouse, Metro::Seattle, "HQ"), vec![span("2024-01-01", Some("2024-02-29"))]),
                (MemberKey(30), facts(Child, Metro::Boston, "Plant"), vec![span("2024-02-15", Some("2024-03-30"))]),
                (
                    MemberKey(40),
                    facts(Employee, Metro::Boston, "Plant"),
                    vec![span("2024-01-10", Some("2024-01-30")), span("2024-03-01", None)],
                ),
            ],
            &[],
        );
        l.replace_memberships(vec![
            (MemberKey(10), span("2024-01-15", None)),
            (MemberKey(20), span("2024-02-01", Some("2024-02-29"))),
            (MemberKey(40), span("2024-03-01", None)),
        ]);
        let visit = |key, member, date, modality, status| Visit {
            key,
            member: MemberKey(member),
            date: d(date),
            modality,
            status,
            clinic_metro: None,
        };
        use Modality::*;
        use VisitStatus::*;
        l.upsert_visits(vec![
            visit(1, 10, "2024-01-20", InOffice, Completed),
            visit(2, 10, "2024-03-05", Video, Completed),
            visit(3, 10, "2024-03-10", InOffice, Cancelled),
            visit(4, 20, "2024-02-10", RemoteOther, Completed),
            visit(5, 40, "2024-03-15", InOffice, Completed),
            visit(6, 99, "2024-02-02", InOffice, Completed),
            visit(7, 99, "2024-02-03", InOffice, NoShow),
        ]);
        let response = |key, member: Option<u64>, date, score| SurveyResponse {
            key,
            member: member.map(MemberKey),
            date: d(date),
            score,
        };
        l.upsert_surveys(vec![
            response(1, Some(10), "2024-01-25", 10),
            response(2, None, "2024-02-01", 3),
            response(3, Some(20), "2024-03-01", 8),
            response(4, Some(40), "2024-03-20", 9),
        ]);
        l
    }

    fn rows(cut: Cut) -> Vec<MonthMetrics> {
        let m = compute(&ledger(), |_| None).unwrap();
        assert_eq!((m.first, m.months), (Month::parse("2024-01").unwrap(), 3));
        m.cuts[&cut].iter().enumerate().map(|(i, c)| MonthMetrics::from_counts(m.month(i), &cut, c, None)).collect()
    }

    #[test]
    fn whole_account_by_hand() {
        let r = rows(Cut::All);
        let pick = |m: &MonthMetrics| (m.eligible_lives, m.eligible_employees, m.enrolled_members, m.new_enrollments);
        assert_eq!(r.iter().map(pick).collect::<Vec<_>>(), [(2, 1, 1, 1), (3, 1, 2, 1), (2, 2, 2, 1)]);
        let visits = |m: &MonthMetrics| (m.visits_in_office, m.visits_video, m.visits_remote_other, m.unmatched_visits);
        assert_eq!(
            r.iter().map(visits).collect::<Vec<_>>(),
            [(1, 0, 0, Some(0)), (0, 0, 1, Some(1)), (1, 1, 0, Some(0))]
        );
        assert_eq!(r.iter().map(|m| m.active_members_12m).collect::<Vec<_>>(), [1, 2, 2]);
        assert_eq!(r.iter().map(|m| m.enrollment_rate).collect::<Vec<_>>(), [Some(0.5), Some(2.0 / 3.0), Some(1.0)]);
        assert_eq!(r.iter().map(|m| m.utilization_rate).collect::<Vec<_>>(), [Some(1.0), Some(1.0), Some(1.0)]);
        assert_eq!(
            r.iter().map(|m| m.visits_per_1000).collect::<Vec<_>>(),
            [Some(12_000.0), Some(8_000.0), Some(9_600.0)]
        );
        assert_eq!(r.iter().map(|m| m.virtual_share).collect::<Vec<_>>(), [Some(0.0), Some(0.5), Some(0.5)]);
        assert_eq!(
            r.iter().map(|m| (m.nps, m.nps_responses)).collect::<Vec<_>>(),
            [(Some(100.0), 1), (Some(0.0), 2), (Some(25.0), 4)]
        );
    }

    /// One employee, eligible since January 2023, with no worksite.
    fn one_person() -> Ledger {
        let mut l = Ledger::default();
        let facts = PersonFacts {
            relationship: Relationship::Employee,
            age_band: None,
            sex: Sex::Unknown,
            zip3: None,
            worksite: None,
            metro: None,
        };
        l.apply_full_file(d("2023-01-01"), vec![(MemberKey(1), facts, vec![span("2023-01-01", None)])], &[]);
        l
    }

    #[test]
    fn visitors_are_people_over_three_months() {
        let m = compute(&ledger(), |_| None).unwrap();
        let visitors = |cut: Cut| {
            m.cuts[&cut]
                .iter()
                .map(|c| [c.visitors_in_office_3m, c.visitors_video_3m, c.visitors_remote_other_3m])
                .collect::<Vec<_>>()
        };
        // In office: 10 in Jan (and so Feb, Mar), 40 in Mar. Video: 10 in Mar. Other remote:
        // 20 in Feb (and Mar). The unknown member's visit is nobody's; the cancelled one no visit.
        assert_eq!(visitors(Cut::All), [[1, 0, 0], [1, 0, 1], [2, 1, 1]]);
        assert_eq!(visitors(Cut::Metro(Metro::Boston)), [[0, 0, 0], [0, 0, 0], [1, 0, 0]]);

        let mut l = one_person();
        let visit = |key, date| Visit {
            key,
            member: MemberKey(1),
            date: d(date),
            modality: Modality::Video,
            status: VisitStatus::Completed,
            clinic_metro: None,
        };
        l.upsert_visits(vec![visit(1, "2023-01-31"), visit(2, "2023-02-02"), visit(3, "2023-06-09")]);
        let m = compute(&l, |_| None).unwrap();
        let all: Vec<i64> = m.cuts[&Cut::All].iter().map(|c| c.visitors_video_3m).collect();
        assert_eq!(all, [1, 1, 1, 1, 0, 1], "one person, however many visits; not a member, still a visitor");
    }

    #[test]
    fn cuts_by_hand() {
        let seattle = rows(Cut::Metro(Metro::Seattle));
        assert_eq!(
            seattle.iter().map(|m| (m.eligible_lives, m.enrolled_members, m.active_members_12m)).collect::<Vec<_>>(),
            [(2, 1, 1), (2, 2, 2), (1, 1, 1)]
        );
        assert_eq!(seattle[2].visits_per_1000, Some(9_000.0));
        assert_eq!(seattle[2].virtual_share, Some(2.0 / 3.0));
        assert_eq!(
            (seattle[1].nps, seattle[1].nps_responses),
            (Some(100.0), 1),
            "a response without a member is in no cut"
        );
        assert_eq!((seattle[2].nps, seattle[2].nps_responses), (Some(50.0), 2));
        assert_eq!(seattle[0].unmatched_visits, None);

        let boston = rows(Cut::Metro(Metro::Boston));
        assert_eq!(boston[0].enrollment_rate, None, "no eligible lives: undefined, not 0");
        assert_eq!(
            (boston[1].eligible_lives, boston[1].enrollment_rate, boston[1].utilization_rate),
            (1, Some(0.0), None)
        );
        assert_eq!((boston[2].eligible_lives, boston[2].enrolled_members, boston[2].new_enrollments), (1, 1, 1));
        assert_eq!((boston[2].visits_per_1000, boston[2].nps), (Some(12_000.0), Some(100.0)));

        let plant = rows(Cut::Worksite("Plant".into()));
        assert_eq!(plant.iter().map(|m| m.eligible_lives).collect::<Vec<_>>(), [0, 1, 1]);
    }

    #[test]
    fn the_window_stops_after_twelve_months() {
        let mut l = one_person();
        l.replace_memberships(vec![(MemberKey(1), span("2023-01-01", None))]);
        l.upsert_visits(vec![Visit {
            key: 1,
            member: MemberKey(1),
            date: d("2023-01-31"),
            modality: Modality::Video,
            status: VisitStatus::Completed,
            clinic_metro: None,
        }]);
        l.upsert_surveys(vec![SurveyResponse { key: 1, member: None, date: d("2024-01-05"), score: 7 }]);
        let m = compute(&l, |_| None).unwrap();
        let all = &m.cuts[&Cut::All];
        assert_eq!(m.months, 13);
        assert_eq!(
            (all[11].active_members_12m, all[11].visits_12m, all[11].member_months_12m),
            (1, 1, 12),
            "Dec 2023 window is Jan–Dec"
        );
        assert_eq!(
            (all[12].active_members_12m, all[12].visits_12m, all[12].member_months_12m),
            (0, 0, 12),
            "Jan 2024 window starts Feb 2023"
        );
    }
}
