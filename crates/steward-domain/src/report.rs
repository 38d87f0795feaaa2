//! Quarterly business reviews (DOMAIN.md "Reports"): an account's figures for a calendar
//! quarter, each against the quarter before, the same quarter a year before and the peer
//! median, and an executive summary written from them — the three largest changes, in
//! sentences made from templates, nothing invented.

mod benchmark;
mod stored;

pub use crate::quarter::Quarter;
pub use benchmark::{Benchmark, MIN_PEERS, Peer, PeerBasis, peer_median};
pub use stored::{NewReport, ReportFile, StoredReport};

use crate::metrics::MonthCounts;
use crate::{Month, suppression};
use std::collections::BTreeMap;

/// A quarter's figures for one account: stocks and trailing-twelve-month figures at its
/// end, flows summed over its months, NPS from its own responses. Internal figures are exact
/// and whole; a client's come from [`suppression::client_figures`], where `None` is a hidden
/// cell (or a figure a client is not given).
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize)]
pub struct QuarterFigures {
    pub eligible_lives: Option<i64>,
    pub enrolled_members: Option<i64>,
    pub enrollment_rate: Option<f64>,
    pub new_enrollments: Option<i64>,
    pub active_members_12m: Option<i64>,
    pub utilization_rate: Option<f64>,
    pub visits_in_office: Option<i64>,
    pub visits_video: Option<i64>,
    pub visits_remote_other: Option<i64>,
    pub visits_per_1000: Option<f64>,
    pub nps: Option<f64>,
    pub nps_responses: Option<i64>,
}

fn ratio(n: i64, d: i64) -> Option<f64> {
    (d > 0).then(|| n as f64 / d as f64)
}

/// The figures of `quarter` from an account's monthly series (whole account, any order);
/// `None` when the series does not hold the quarter's last month.
pub fn quarter_figures(series: &BTreeMap<Month, MonthCounts>, quarter: Quarter) -> Option<QuarterFigures> {
    let (months, counts): (Vec<Month>, Vec<MonthCounts>) = series.iter().map(|(m, c)| (*m, *c)).unzip();
    let surveys = suppression::monthly_surveys(&counts);
    let [first, _, last] = quarter.months();
    let end = series.get(&last)?;
    let within = |m: &Month| *m >= first && *m <= last;
    let in_quarter: Vec<usize> = (0..months.len()).filter(|i| within(&months[*i])).collect();
    let sum = |f: fn(&MonthCounts) -> i64| in_quarter.iter().map(|i| f(&counts[*i])).sum::<i64>();
    let survey = |k: usize| in_quarter.iter().map(|i| surveys[*i][k]).sum::<i64>();
    let (promoters, detractors, responses) = (survey(0), survey(1), survey(2));
    Some(QuarterFigures {
        eligible_lives: Some(end.eligible_lives),
        enrolled_members: Some(end.enrolled_members),
        enrollment_rate: ratio(end.enrolled_members, end.eligible_lives),
        new_enrollments: Some(sum(|c| c.new_enrollments)),
        active_members_12m: Some(end.active_members_12m),
        utilization_rate: ratio(end.active_members_12m, end.enrolled_members),
        visits_in_office: Some(sum(|c| c.visits_in_office)),
        visits_video: Some(sum(|c| c.visits_video)),
        visits_remote_other: Some(sum(|c| c.visits_remote_other)),
        visits_per_1000: ratio(end.visits_12m * 12_000, end.member_months_12m),
        nps: ratio((promoters - detractors) * 100, responses).filter(|_| responses >= NPS_RESPONSES),
        nps_responses: Some(responses),
    })
}

/// The fewest responses an NPS is given from (DOMAIN.md: 11).
pub const NPS_RESPONSES: i64 = 11;

/// A client's figures of `quarter`, as the one client-privacy function gives them (its
/// months, `client_figures`' output): the quarter's last month and the quarter it closes.
/// `None` when that month is not among them (incomplete, or no data). A client is not given
/// new enrollments (a flow over a group too small to show by month).
pub fn client_quarter_figures(months: &[suppression::ClientMonth], quarter: Quarter) -> Option<QuarterFigures> {
    let end = months.iter().find(|m| m.month == quarter.last_month())?;
    let q = end.quarter.as_ref();
    Some(QuarterFigures {
        eligible_lives: end.eligible_lives,
        enrolled_members: end.enrolled_members,
        enrollment_rate: end.enrollment_rate,
        new_enrollments: None,
        active_members_12m: q.and_then(|q| q.active_members_12m),
        utilization_rate: q.and_then(|q| q.utilization_rate),
        visits_in_office: q.and_then(|q| q.visits_in_office),
        visits_video: q.and_then(|q| q.visits_video),
        visits_remote_other: q.and_then(|q| q.visits_remote_other),
        visits_per_1000: q.and_then(|q| q.visits_per_1000),
        nps: q.and_then(|q| q.nps),
        nps_responses: q.and_then(|q| q.nps_responses),
    })
}

/// A key number of a review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    EligibleLives,
    EnrolledMembers,
    EnrollmentRate,
    NewEnrollments,
    UtilizationRate,
    #[serde(rename = "visits_per_1000")]
    VisitsPer1000,
    Nps,
}

impl Key {
    pub const ALL: [Key; 7] = [
        Key::EligibleLives,
        Key::EnrolledMembers,
        Key::EnrollmentRate,
        Key::NewEnrollments,
        Key::UtilizationRate,
        Key::VisitsPer1000,
        Key::Nps,
    ];

    /// Its name in CSV and JSON: the metric's, as DOMAIN.md writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Key::EligibleLives => "eligible_lives",
            Key::EnrolledMembers => "enrolled_members",
            Key::EnrollmentRate => "enrollment_rate",
            Key::NewEnrollments => "new_enrollments",
            Key::UtilizationRate => "utilization_rate",
            Key::VisitsPer1000 => "visits_per_1000",
            Key::Nps => "nps",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Key::EligibleLives => "Eligible lives",
            Key::EnrolledMembers => "Enrolled members",
            Key::EnrollmentRate => "Enrollment rate",
            Key::NewEnrollments => "New enrollments in the quarter",
            Key::UtilizationRate => "Utilization (12 months)",
            Key::VisitsPer1000 => "Visits per 1,000 members a year",
            Key::Nps => "NPS (the quarter's responses)",
        }
    }

    pub fn of(self, f: &QuarterFigures) -> Option<f64> {
        let count = |n: Option<i64>| n.map(|n| n as f64);
        match self {
            Key::EligibleLives => count(f.eligible_lives),
            Key::EnrolledMembers => count(f.enrolled_members),
            Key::EnrollmentRate => f.enrollment_rate,
            Key::NewEnrollments => count(f.new_enrollments),
            Key::UtilizationRate => f.utilization_rate,
            Key::VisitsPer1000 => f.visits_per_1000,
            Key::Nps => f.nps,
        }
    }

    /// `v` as a client reads it: a rate to the whole point, NPS and visits whole.
    pub fn rounded(self, v: f64) -> f64 {
        match self {
            Key::EnrollmentRate | Key::UtilizationRate => (v * 100.0).round() / 100.0,
            _ => v.round(),
        }
    }

    /// Rates compare across accounts; counts do not (a bigger client is no better one).
    pub fn benchmarked(self) -> bool {
        matches!(self, Key::EnrollmentRate | Key::UtilizationRate | Key::VisitsPer1000 | Key::Nps)
    }

    /// A change as people say it: points for rates and NPS, percent for counts.
    fn change_words(self, from: f64, to: f64) -> (String, f64) {
        match self {
            Key::EnrollmentRate | Key::UtilizationRate => {
                let points = (to - from) * 100.0;
                (format!("{:.1} points to {:.1}%", points.abs(), to * 100.0), points / 2.0)
            }
            Key::Nps => (format!("{:.0} points to {:.0}", (to - from).abs(), to), (to - from) / 10.0),
            _ => {
                // A count of a handful swings by half on one person: not news.
                let small = from.abs().max(to.abs()) < 20.0;
                let pct = if from != 0.0 && !small { (to - from) / from.abs() * 100.0 } else { 0.0 };
                (format!("{:.0}% to {}", pct.abs(), crate::words::thousands(to.round() as i64)), pct / 10.0)
            }
        }
    }

    /// What a move means, in the client's terms.
    fn meaning(self, up: bool) -> &'static str {
        match (self, up) {
            (Key::EligibleLives, true) => "the client's workforce on the plan grew",
            (Key::EligibleLives, false) => "fewer people are eligible, through turnover or a smaller plan",
            (Key::EnrolledMembers, true) => "more people joined than left",
            (Key::EnrolledMembers, false) => "more members left than joined",
            (Key::EnrollmentRate, true) => "more of the eligible employees and dependents are members",
            (Key::EnrollmentRate, false) => {
                "a smaller share of the eligible are members: an enrollment push is worth planning"
            }
            (Key::NewEnrollments, true) => "more people joined this quarter",
            (Key::NewEnrollments, false) => "fewer people joined this quarter",
            (Key::UtilizationRate, true) => "more members are using their care",
            (Key::UtilizationRate, false) => {
                "fewer members used care over the year: outreach to members who have not visited may help"
            }
            (Key::VisitsPer1000, true) => "members are visiting more often",
            (Key::VisitsPer1000, false) => "members are visiting less often",
            (Key::Nps, true) => "members are more likely to recommend us",
            (Key::Nps, false) => "members are less likely to recommend us: their comments are worth a review",
        }
    }
}

/// A key number: this quarter, the quarter before, a year before, and the peer median.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct KeyNumber {
    pub key: Key,
    pub value: Option<f64>,
    pub previous: Option<f64>,
    pub year_ago: Option<f64>,
    /// Rates only (see [`Key::benchmarked`]).
    pub peers: Option<Benchmark>,
}

/// The executive summary: the three largest changes from the quarter before, each as a
/// sentence. Changes are made comparable by scale — two points of a rate, ten of NPS and ten
/// percent of a count weigh the same — and one too small to matter (under a point of a rate,
/// five of NPS, five percent of a count, any change of a count under 20 or from zero) is
/// left out.
pub fn summary(numbers: &[KeyNumber]) -> Vec<String> {
    let mut moves: Vec<(f64, String)> = numbers
        .iter()
        .filter_map(|n| {
            let (now, before) = (n.value?, n.previous?);
            let (words, weight) = n.key.change_words(before, now);
            let up = now > before;
            (weight.abs() >= 0.5).then(|| {
                let verb = if up { "rose" } else { "fell" };
                (weight.abs(), format!("{} {verb} {words}: {}.", n.key.label(), n.key.meaning(up)))
            })
        })
        .collect();
    moves.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    moves.into_iter().take(3).map(|(_, s)| s).collect()
}

#[cfg(test)]
mod tests;
