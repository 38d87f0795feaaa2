//! A quarterly business review as a document: HTML (print-ready, the same SVG charts as the
//! pages) and a tidy CSV, from `steward_health::reports::Qbr`. Pure functions of the review,
//! so the page, the command line and batch generation write the same bytes.

use crate::charts::{self, Bars, Series, Unit};
use crate::error::WebError;
use crate::views::{self, percent, thousands};
use minijinja::{Value, context};
use steward_domain::report::{Key, KeyNumber, PeerBasis};
use steward_health::reports::{Audience, Qbr};

mod pdf;
pub use pdf::pdf;

/// A count as read: grouped; hidden from a client as "<11".
fn count(n: Option<i64>, audience: Audience) -> String {
    match (n, audience) {
        (Some(n), _) => thousands(n),
        (None, Audience::Client { threshold }) => views::shown_count(None, threshold),
        (None, Audience::Internal) => "—".into(),
    }
}

/// The suppression threshold a chart marks hidden cells with (none inside).
fn threshold(audience: Audience) -> i64 {
    match audience {
        Audience::Client { threshold } => threshold,
        Audience::Internal => 0,
    }
}

/// A key number's value as read: rates as percentages, NPS whole, counts grouped.
fn shown(key: Key, v: Option<f64>) -> String {
    match (key, v) {
        (_, None) => "—".into(),
        (Key::EnrollmentRate | Key::UtilizationRate, Some(v)) => percent(Some(v)),
        (Key::Nps, Some(v)) => format!("{v:.0}"),
        (_, Some(v)) => thousands(v.round() as i64),
    }
}

/// A change as read: points for rates and NPS, percent for counts.
fn change(key: Key, now: Option<f64>, then: Option<f64>) -> String {
    match (key, now, then) {
        (Key::EnrollmentRate | Key::UtilizationRate, Some(a), Some(b)) => {
            format!("{} pts", views::signed((a - b) * 100.0))
        }
        (Key::Nps, Some(a), Some(b)) => format!("{} pts", views::signed(a - b)),
        (_, Some(a), Some(b)) if b != 0.0 => format!("{}%", views::signed((a - b) / b * 100.0)),
        _ => "—".into(),
    }
}

/// A key number's value for its audience: a count hidden from a client says so.
fn key_value(n: &KeyNumber, audience: Audience) -> String {
    match (n.key, n.value) {
        (Key::EligibleLives | Key::EnrolledMembers | Key::NewEnrollments, None) => count(None, audience),
        (key, v) => shown(key, v),
    }
}

fn key_row(n: &KeyNumber, audience: Audience) -> Value {
    let peer = n.peers.as_ref();
    let value = key_value(n, audience);
    context! {
        label => n.key.label(), value,
        vs_previous => change(n.key, n.value, n.previous), vs_year_ago => change(n.key, n.value, n.year_ago),
        peer_median => peer.and_then(|b| b.median).map(|m| shown(n.key, Some(m))),
        vs_peers => peer.and_then(|b| b.median).map(|m| change(n.key, n.value, Some(m))),
        peer_basis => peer.map(|b| match b.basis {
            PeerBasis::None => b.basis.words().to_owned(),
            _ => format!("median of {} {}", b.peers, b.basis.words()),
        }),
    }
}

/// The review's charts, named as the PDF's files: the funnel at the quarter's end,
/// enrollment and utilization by quarter, and visits by modality by quarter (hidden cells
/// marked in the client's version).
fn charts(q: &Qbr) -> [(&'static str, String); 3] {
    let labels: Vec<String> = q.trend.iter().map(|(quarter, _)| quarter.to_string()).collect();
    let f = &q.figures;
    let rates = [
        Series::new("Enrollment rate", q.trend.iter().map(|(_, f)| f.enrollment_rate).collect()),
        Series::new("Utilization (12 mo)", q.trend.iter().map(|(_, f)| f.utilization_rate).collect()),
    ];
    let visits = [
        Bars::new("In office", q.trend.iter().map(|(_, f)| f.visits_in_office).collect()),
        Bars::new("Video", q.trend.iter().map(|(_, f)| f.visits_video).collect()),
        Bars::new("Other remote", q.trend.iter().map(|(_, f)| f.visits_remote_other).collect()),
    ];
    [
        (
            "/funnel.svg",
            views::funnel_chart(
                &format!("Enrollment funnel at the end of {}", q.quarter),
                f.eligible_lives,
                f.enrolled_members,
                f.active_members_12m,
                threshold(q.audience),
            ),
        ),
        ("/rates.svg", charts::line_chart("Enrollment and utilization by quarter", &labels, &rates, Unit::Percent)),
        ("/visits.svg", charts::stacked_bars("Visits by modality by quarter", &labels, &visits, "visits")),
    ]
}

/// The document; `stylesheet` is the CSS put inline for a file (a page links to it).
pub fn html(q: &Qbr, stylesheet: Option<&str>) -> Result<String, WebError> {
    let [funnel, rates, visits] = charts(q);
    let (f, a) = (&q.figures, q.audience);
    let internal = q.internal.as_ref();
    let page = context! {
        stylesheet,
        client => matches!(a, Audience::Client { .. }),
        account => context! { name => q.account.name, slug => q.account.slug.as_str(), segment => views::words(q.account.segment.as_str()), industry => q.account.industry },
        quarter => q.quarter.to_string(), as_of => q.as_of.map(|d| d.to_string()), complete => q.complete,
        summary => q.summary,
        key_numbers => q.key_numbers.iter().map(|n| key_row(n, a)).collect::<Vec<_>>(),
        funnel => funnel.1, rates => rates.1, visits => visits.1,
        nps => context! { value => f.nps.map(|v| format!("{v:.0}")), responses => count(f.nps_responses, a) },
        cuts => q.cuts.iter().map(|c| context! {
            kind => c.kind, name => c.name, eligible => count(c.figures.eligible_lives, a),
            enrolled => count(c.figures.enrolled_members, a), rate => percent(c.figures.enrollment_rate),
            utilization => percent(c.figures.utilization_rate),
        }).collect::<Vec<_>>(),
        initiatives => q.initiatives.iter().map(|i| context! {
            title => i.title, runs => format!("{} to {}", i.start_date, i.end_date),
            effect => views::effect_text(i.effect, i.ci_low, i.ci_high, i.unit), reason => i.reason,
        }).collect::<Vec<_>>(),
        next_steps => q.next_steps,
        internal => internal.map(|i| context! {
            health => i.health.as_ref().map(|h| context! {
                score => h.score.round() as i64, band => h.band.as_str(),
                drivers => h.drivers.iter().filter(|d| d.points_lost >= 0.5).map(views::driver_text).collect::<Vec<_>>(),
            }),
            arr => i.arr.map(|m| m.to_string()),
            renewal => i.renewal.map(|d| d.to_string()),
            notice => i.notice_deadline.map(|d| d.to_string()),
            at_risk => i.at_risk.filter(|m| m.cents > 0).map(|m| m.to_string()),
        }),
    };
    crate::templates::render("qbr.html", page)
}

/// The review as one tidy table, one observation a row: `section,item,measure,quarter,value`.
/// Sections: `key_numbers` (item the key; measures `value`, `previous`, `year_ago`,
/// `peer_median`, `peers`), `trend` (item the quarter; the quarter's figures), `cuts` (item
/// `metro:NAME` or `worksite:NAME`; its figures at the quarter's end) and `initiatives` (item
/// the title; `effect`, `ci_low`, `ci_high`). Rates are fractions 0–1; empty is no value
/// (in a client's version also a cell hidden to protect privacy).
pub fn csv(q: &Qbr) -> String {
    let mut out = String::from("section,item,measure,quarter,value\n");
    let quarter = q.quarter.to_string();
    let mut row = |section: &str, item: &str, measure: &str, at: &str, value: Option<f64>| {
        out.push_str(&format!(
            "{section},{},{measure},{at},{}\n",
            crate::document::csv_field(item),
            crate::document::csv_number(value)
        ));
    };
    for n in &q.key_numbers {
        let key = n.key.as_str();
        row("key_numbers", key, "value", &quarter, n.value);
        row("key_numbers", key, "previous", &q.quarter.previous().to_string(), n.previous);
        row("key_numbers", key, "year_ago", &q.quarter.year_ago().to_string(), n.year_ago);
        if let Some(b) = &n.peers {
            row("key_numbers", key, "peer_median", &quarter, b.median);
            row("key_numbers", key, "peers", &quarter, Some(b.peers as f64));
        }
    }
    let client = matches!(q.audience, Audience::Client { .. });
    let figures = |f: &steward_domain::report::QuarterFigures| -> Vec<(&'static str, Option<f64>)> {
        let n = |v: Option<i64>| v.map(|v| v as f64);
        let all = vec![
            ("eligible_lives", n(f.eligible_lives)),
            ("enrolled_members", n(f.enrolled_members)),
            ("enrollment_rate", f.enrollment_rate),
            ("new_enrollments", n(f.new_enrollments)),
            ("active_members_12m", n(f.active_members_12m)),
            ("utilization_rate", f.utilization_rate),
            ("visits_in_office", n(f.visits_in_office)),
            ("visits_video", n(f.visits_video)),
            ("visits_remote_other", n(f.visits_remote_other)),
            ("visits_per_1000", f.visits_per_1000),
            ("nps", f.nps),
            ("nps_responses", n(f.nps_responses)),
        ];
        // A client is not given new enrollments (see `client_quarter_figures`).
        all.into_iter().filter(|(m, _)| !(client && *m == "new_enrollments")).collect()
    };
    for (at, f) in &q.trend {
        for (measure, v) in figures(f) {
            row("trend", &at.to_string(), measure, &at.to_string(), v);
        }
    }
    for c in &q.cuts {
        for (measure, v) in figures(&c.figures) {
            row("cuts", &format!("{}:{}", c.kind, c.name), measure, &quarter, v);
        }
    }
    for i in &q.initiatives {
        for (measure, v) in [("effect", i.effect), ("ci_low", i.ci_low), ("ci_high", i.ci_high)] {
            row("initiatives", &i.title, measure, &quarter, v);
        }
    }
    out
}
