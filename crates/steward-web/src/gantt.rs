//! A project's Gantt chart as SVG, drawn on the server like every chart ([`crate::charts`]):
//! one row a task, its bar from start to finish, the baseline as a thin ghost beneath it,
//! the critical path in a strong colour with a heavier outline (so colour is not the only
//! sign), done tasks hatched grey, milestones as diamonds, finish-to-start links as elbows,
//! and a line for today. The numbers are also given as a table.

use crate::charts::{escape, with_numbers};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use std::collections::HashMap;
use std::fmt::Write;

/// One task as the chart draws it.
#[derive(Debug, Clone)]
pub struct Bar<'a> {
    pub id: i64,
    pub label: &'a str,
    pub start: NaiveDate,
    /// The last day worked (a milestone's day).
    pub finish: NaiveDate,
    pub baseline: Option<(NaiveDate, NaiveDate)>,
    pub critical: bool,
    pub done: bool,
    pub milestone: bool,
    pub depends_on: Vec<i64>,
}

const W: f64 = 760.0;
const LABEL: f64 = 230.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 30.0;
const ROW: f64 = 22.0;

pub fn gantt(title: &str, bars: &[Bar], today: NaiveDate) -> String {
    if bars.is_empty() {
        return String::new();
    }
    let first = bars.iter().flat_map(|b| [Some(b.start), b.baseline.map(|x| x.0)]).flatten().min().unwrap_or(today);
    let last = bars.iter().flat_map(|b| [Some(b.finish), b.baseline.map(|x| x.1)]).flatten().max().unwrap_or(today);
    let (lo, hi) = (first, last + Duration::days(1));
    let span = (hi - lo).num_days().max(1) as f64;
    let x = |d: NaiveDate| LABEL + (d - lo).num_days() as f64 / span * (W - LABEL - RIGHT);
    let h = TOP + bars.len() as f64 * ROW + 8.0;
    let mut svg = format!(
        r#"<svg class="chart gantt" viewBox="0 0 {W} {h}" role="img" aria-label="{t}"><title>{t}</title><defs><marker id="gantt-arrow" viewBox="0 0 6 6" refX="6" refY="3" markerWidth="6" markerHeight="6" orient="auto"><path d="M0,0 L6,3 L0,6 z" class="link-head"/></marker><pattern id="gantt-done" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2" height="4" class="done-hatch"/></pattern></defs>"#,
        t = escape(title)
    );
    // Ticks: Mondays for a plan of a few months, the first of each month for a longer one.
    let weekly = span <= 120.0;
    let mut d = lo;
    while d < hi {
        let tick = if weekly { d.weekday() == Weekday::Mon } else { d.day() == 1 };
        if tick {
            let label = if weekly { d.format("%b %-d").to_string() } else { d.format("%b %Y").to_string() };
            let _ = write!(
                svg,
                r#"<line class="grid" x1="{x:.1}" y1="{y0}" x2="{x:.1}" y2="{h}"/><text class="tick" x="{x:.1}" y="{ty}">{label}</text>"#,
                x = x(d),
                y0 = TOP - 6.0,
                ty = TOP - 10.0,
            );
        }
        d += Duration::days(1);
    }
    let row: HashMap<i64, usize> = bars.iter().enumerate().map(|(i, b)| (b.id, i)).collect();
    let mid = |i: usize| TOP + i as f64 * ROW + ROW / 2.0;
    // Links first, so bars are drawn over them.
    for (i, b) in bars.iter().enumerate() {
        for on in &b.depends_on {
            let Some(&p) = row.get(on) else { continue };
            let from = &bars[p];
            let x1 = if from.milestone { x(from.finish) } else { x(from.finish + Duration::days(1)) };
            let x2 = x(b.start);
            let _ = write!(
                svg,
                r#"<path class="link" d="M{x1:.1},{y1:.1} H{xm:.1} V{y2:.1} H{x2:.1}" marker-end="url(#gantt-arrow)"/>"#,
                y1 = mid(p),
                xm = x1.max(x2 - 6.0).min(x1 + 6.0).max(x1 + 3.0),
                y2 = mid(i),
            );
        }
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + i as f64 * ROW;
        let kind = match (b.done, b.critical) {
            (true, _) => "done",
            (false, true) => "critical",
            (false, false) => "planned",
        };
        let shown: String = if b.label.chars().count() > 34 {
            format!("{}…", b.label.chars().take(33).collect::<String>())
        } else {
            b.label.to_owned()
        };
        let _ = write!(svg, r#"<g class="task {kind}"><title>{}</title>"#, escape(&describe(b)));
        let _ = write!(svg, r#"<text class="label" x="4" y="{:.1}">{}</text>"#, y + 15.0, escape(&shown));
        if let Some((bs, bf)) = b.baseline {
            let (x0, x1) = (x(bs), x(bf + Duration::days(1)));
            let _ = write!(
                svg,
                r#"<rect class="baseline" x="{x0:.1}" y="{:.1}" width="{:.1}" height="3"/>"#,
                y + 17.0,
                (x1 - x0).max(2.0)
            );
        }
        if b.milestone {
            let (cx, cy) = (x(b.start), y + ROW / 2.0);
            let _ = write!(svg, r#"<path class="bar milestone" d="M{cx:.1},{:.1} l6,6 l-6,6 l-6,-6 z"/>"#, cy - 6.0);
        } else {
            let (x0, x1) = (x(b.start), x(b.finish + Duration::days(1)));
            // Done bars are hatched by the stylesheet (`.gantt .done .bar`), which outranks
            // an SVG fill attribute.
            let _ = write!(
                svg,
                r#"<rect class="bar" x="{x0:.1}" y="{:.1}" width="{:.1}" height="11" rx="2"/>"#,
                y + 4.0,
                (x1 - x0).max(2.0)
            );
        }
        svg.push_str("</g>");
    }
    if (lo..hi).contains(&today) {
        let tx = x(today);
        let _ = write!(
            svg,
            r#"<line class="today" x1="{tx:.1}" y1="{y0}" x2="{tx:.1}" y2="{h}"/><text class="today-label" x="{tx:.1}" y="{h}">today</text>"#,
            y0 = TOP - 4.0,
        );
    }
    svg.push_str("</svg>");
    let rows = bars
        .iter()
        .map(|b| {
            (
                b.label.to_owned(),
                vec![
                    b.start.to_string(),
                    b.finish.to_string(),
                    b.baseline.map(|(_, f)| f.to_string()).unwrap_or_else(|| "—".into()),
                    if b.done {
                        "done"
                    } else if b.critical {
                        "critical"
                    } else {
                        ""
                    }
                    .to_owned(),
                ],
            )
        })
        .collect();
    with_numbers(title, svg, &["Start", "Finish", "Baseline finish", ""], rows)
}

fn describe(b: &Bar) -> String {
    let when = if b.milestone { b.start.to_string() } else { format!("{} to {}", b.start, b.finish) };
    let state = if b.done {
        ", done"
    } else if b.critical {
        ", on the critical path"
    } else {
        ""
    };
    let baseline = b.baseline.map(|(_, f)| format!("; baseline finish {f}")).unwrap_or_default();
    format!("{}: {when}{state}{baseline}", b.label)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn draws_bars_links_milestones_baselines_and_today() {
        let bars = [
            Bar {
                id: 1,
                label: "Eligibility feed <set up>",
                start: d("2027-01-04"),
                finish: d("2027-01-15"),
                baseline: Some((d("2027-01-04"), d("2027-01-12"))),
                critical: true,
                done: false,
                milestone: false,
                depends_on: vec![],
            },
            Bar {
                id: 2,
                label: "Go-live",
                start: d("2027-01-18"),
                finish: d("2027-01-18"),
                baseline: Some((d("2027-01-13"), d("2027-01-13"))),
                critical: true,
                done: false,
                milestone: true,
                depends_on: vec![1],
            },
        ];
        let svg = gantt("Schedule", &bars, d("2027-01-06"));
        assert!(svg.contains("Eligibility feed &lt;set up&gt;"), "labels escaped");
        assert_eq!(svg.matches(r#"class="baseline""#).count(), 2);
        assert_eq!(svg.matches(r#"class="link""#).count(), 1);
        assert_eq!(svg.matches("milestone").count(), 1);
        assert_eq!(svg.matches(r#"<g class="task critical">"#).count(), 2);
        assert!(svg.contains(r#"class="today""#));
        assert!(svg.contains("<summary>The numbers</summary>"), "the numbers as a table too");
        assert!(
            gantt("Schedule", &bars, d("2027-03-01")).matches(r#"class="today""#).count() == 0,
            "today off the chart"
        );
    }
}
