//! Charts drawn as SVG on the server, so a page needs no script and a printed or PDF report
//! can reuse the same drawing. Pure functions of numbers and labels; every label is
//! escaped. Sizes are in CSS pixels; the SVG scales to its container.

use std::fmt::Write;

/// The series colours: one accent and two quieter companions (never health colours).
const SERIES: [&str; 3] = ["var(--accent, #2357c6)", "#7aa2e3", "#b9cbe9"];

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A small trend line for a table cell; gaps where a value is missing.
pub fn sparkline(values: &[Option<f64>], label: &str) -> String {
    let (w, h) = (80.0, 20.0);
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let mut svg = format!(
        r#"<svg class="spark" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" aria-label="{}">"#,
        escape(label)
    );
    if let (Some(lo), Some(hi)) = (known.iter().copied().reduce(f64::min), known.iter().copied().reduce(f64::max)) {
        let span = if hi - lo < 1e-9 { 1.0 } else { hi - lo };
        let step = if values.len() > 1 { (w - 4.0) / (values.len() - 1) as f64 } else { 0.0 };
        let mut path = String::new();
        let mut pen_up = true;
        for (i, v) in values.iter().enumerate() {
            match v {
                Some(v) => {
                    let (x, y) = (2.0 + i as f64 * step, h - 2.0 - (v - lo) / span * (h - 4.0));
                    let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_up { "M" } else { "L" });
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let _ = write!(svg, r#"<path d="{}" fill="none" stroke="{}" stroke-width="1.5"/>"#, path.trim_end(), SERIES[0]);
    }
    svg.push_str("</svg>");
    svg
}

/// How a chart writes its values on the axis.
#[derive(Debug, Clone, Copy)]
pub enum Unit {
    /// Fractions 0–1 shown as percentages.
    Percent,
    /// Plain numbers with thousands separators.
    Count,
    /// A score such as NPS (−100..100).
    Score,
}

impl Unit {
    /// `v` on an axis whose ticks are `step` apart: as many decimals as the step needs, so
    /// ticks of a small range read 0%, 0.2%, 0.4% rather than 0%, 0%, 0%.
    fn format(self, v: f64, step: f64) -> String {
        let shown = if matches!(self, Unit::Percent) { 100.0 } else { 1.0 };
        let decimals = (-(step * shown).log10().floor()).clamp(0.0, 3.0) as usize;
        match self {
            Unit::Percent => format!("{:.decimals$}%", v * 100.0),
            Unit::Count => crate::views::thousands(v.round() as i64),
            Unit::Score => format!("{v:.decimals$}"),
        }
    }
}

/// One named line of a line chart.
#[derive(Debug, Clone)]
pub struct Series {
    pub name: String,
    pub values: Vec<Option<f64>>,
    /// Points hidden to protect privacy (not missing data): marked "<11", never left blank.
    pub hidden: Vec<bool>,
    /// A reference line (a target), drawn dashed and grey rather than in a series colour.
    pub reference: bool,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<Option<f64>>) -> Self {
        Self { name: name.into(), values, hidden: Vec::new(), reference: false }
    }

    /// Values of which `None` is a hidden cell, not missing data.
    pub fn suppressed(name: impl Into<String>, values: Vec<Option<f64>>) -> Self {
        let hidden = values.iter().map(Option::is_none).collect();
        Self { hidden, ..Self::new(name, values) }
    }
}

/// One named series of stacked bars; `hidden` as for [`Series`].
#[derive(Debug, Clone)]
pub struct Bars {
    pub name: String,
    pub values: Vec<Option<i64>>,
    pub hidden: Vec<bool>,
    /// Its own colour where it means something (a health band); else the next of the series'.
    pub colour: Option<&'static str>,
}

impl Bars {
    pub fn new(name: impl Into<String>, values: Vec<Option<i64>>) -> Self {
        Self { name: name.into(), values, hidden: Vec::new(), colour: None }
    }

    pub fn coloured(self, colour: &'static str) -> Self {
        Self { colour: Some(colour), ..self }
    }

    pub fn suppressed(name: impl Into<String>, values: Vec<Option<i64>>) -> Self {
        let hidden = values.iter().map(Option::is_none).collect();
        Self { name: name.into(), values, hidden, colour: None }
    }
}

/// The mark of a hidden cell, in every chart alike.
pub const HIDDEN: &str = "<11";

const REFERENCE: &str = "#8a93a3";

const W: f64 = 640.0;
const H: f64 = 220.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

fn frame(title: &str, unit_label: &str) -> String {
    format!(
        r#"<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-label="{}"><title>{}</title><text class="axis-title" x="4" y="{}" transform="rotate(-90 10 {})">{}</text>"#,
        escape(title),
        escape(title),
        H / 2.0,
        H / 2.0,
        escape(unit_label)
    )
}

/// A nice upper bound for an axis: 1, 2 or 5 times a power of ten.
fn nice_max(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let power = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 5.0, 10.0].iter().map(|m| m * power).find(|v| *v >= max).unwrap_or(max)
}

/// Gridlines at round values: five steps when the span starts with 1 or 5 (0, 0.1, … 0.5),
/// four when it starts with 2 (0, 500, … 2,000) — and for counts never a step under one,
/// so a small range reads 0, 1, 2 rather than 0, 0, 1, 1.
fn y_axis(svg: &mut String, lo: f64, hi: f64, unit: Unit) {
    let span = hi - lo;
    let leading = span / 10f64.powf(span.log10().floor());
    let mut steps = if (leading - 2.0).abs() < 1e-9 { 4 } else { 5 };
    if matches!(unit, Unit::Count) && span < steps as f64 {
        steps = (span.round() as usize).max(1);
    }
    let step = span / steps as f64;
    for i in 0..=steps {
        let v = lo + span * i as f64 / steps as f64;
        let y = TOP + (H - TOP - BOTTOM) * (1.0 - i as f64 / steps as f64);
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{LEFT}" x2="{}" y1="{y:.1}" y2="{y:.1}"/><text class="tick" x="{}" y="{:.1}" text-anchor="end">{}</text>"#,
            W - RIGHT,
            LEFT - 4.0,
            y + 4.0,
            escape(&unit.format(v, step))
        );
    }
}

/// A hidden cell's mark at `x`, just above the axis.
fn hidden_mark(svg: &mut String, x: f64, what: &str) {
    let _ = write!(
        svg,
        r#"<g class="hidden-cell"><rect x="{:.1}" y="{:.1}" width="22" height="12" rx="2" fill="none" stroke="{REFERENCE}" stroke-dasharray="2 2"/><text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text><title>{}: hidden to protect privacy</title></g>"#,
        x - 11.0,
        H - BOTTOM - 14.0,
        H - BOTTOM - 5.0,
        escape(HIDDEN),
        escape(what)
    );
}

fn x_labels(svg: &mut String, labels: &[String], x: impl Fn(usize) -> f64) {
    let every = labels.len().div_ceil(8).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{:.1}" y="{}" text-anchor="middle">{}</text>"#,
            x(i),
            H - BOTTOM + 16.0,
            escape(label)
        );
    }
}

fn legend(svg: &mut String, names: &[(&str, &str)]) {
    let mut x = LEFT;
    for (name, colour) in names {
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{}" width="10" height="10" fill="{}"/><text class="tick" x="{:.1}" y="{}">{}</text>"#,
            H - 14.0,
            colour,
            x + 14.0,
            H - 5.0,
            escape(name)
        );
        x += 24.0 + 7.0 * name.chars().count() as f64;
    }
}

/// Lines over months (`labels`), one per series; a missing value breaks its line.
pub fn line_chart(title: &str, labels: &[String], series: &[Series], unit: Unit) -> String {
    shaded_line_chart(title, labels, series, unit, &[])
}

/// A stretch of a chart's periods drawn as a labelled band behind the lines (an
/// initiative's baseline and outcome windows): periods `from..=to`.
#[derive(Debug, Clone, Copy)]
pub struct Shade<'a> {
    pub from: usize,
    pub to: usize,
    pub label: &'a str,
}

/// [`line_chart`] with `shades` behind the lines.
pub fn shaded_line_chart(title: &str, labels: &[String], series: &[Series], unit: Unit, shades: &[Shade]) -> String {
    let mut svg = frame(title, unit_name(unit));
    let values = series.iter().flat_map(|s| s.values.iter().flatten().copied());
    let (min, max) = values.fold((0f64, f64::MIN), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let lo = if min < 0.0 { -nice_max(-min) } else { 0.0 };
    let hi = if max == f64::MIN { 1.0 } else { nice_max(max) };
    y_axis(&mut svg, lo, hi, unit);
    let n = labels.len().max(1);
    let x = |i: usize| LEFT + (W - LEFT - RIGHT) * if n > 1 { i as f64 / (n - 1) as f64 } else { 0.5 };
    let y = |v: f64| TOP + (H - TOP - BOTTOM) * (1.0 - (v - lo) / (hi - lo));
    x_labels(&mut svg, labels, x);
    for s in shades.iter().filter(|s| s.from <= s.to && s.to < n) {
        let (x0, x1) = (x(s.from), x(s.to));
        let _ = write!(
            svg,
            r#"<g class="window"><rect x="{x0:.1}" y="{TOP}" width="{:.1}" height="{:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></g>"#,
            (x1 - x0).max(2.0),
            H - TOP - BOTTOM,
            (x0 + x1) / 2.0,
            TOP + 10.0,
            escape(s.label)
        );
    }
    for (k, s) in series.iter().enumerate() {
        let mut path = String::new();
        let mut pen_up = true;
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => {
                    let _ = write!(path, "{}{:.1},{:.1} ", if pen_up { "M" } else { "L" }, x(i), y(*v));
                    pen_up = false;
                }
                None => pen_up = true,
            }
        }
        let (colour, dash) = line_style(s, k);
        let _ = write!(
            svg,
            r#"<path d="{}" fill="none" stroke="{colour}" stroke-width="2"{dash}><title>{}</title></path>"#,
            path.trim_end(),
            escape(&s.name)
        );
        // A lone point between gaps draws no line: mark it so it shows.
        for (i, v) in s.values.iter().enumerate() {
            let alone = |j: Option<usize>| j.and_then(|j| s.values.get(j)).is_none_or(Option::is_none);
            if let Some(v) = v.filter(|_| alone(i.checked_sub(1)) && alone(Some(i + 1))) {
                let _ = write!(svg, r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{colour}"/>"#, x(i), y(v));
            }
        }
        for (i, _) in s.hidden.iter().enumerate().filter(|(_, h)| **h) {
            hidden_mark(&mut svg, x(i), &format!("{} {}", labels.get(i).map_or("", String::as_str), s.name));
        }
    }
    let names: Vec<(&str, &str)> =
        series.iter().enumerate().map(|(k, s)| (s.name.as_str(), line_style(s, k).0)).collect();
    legend(&mut svg, &names);
    svg.push_str("</svg>");
    let show = |v: f64| match unit {
        Unit::Percent => format!("{:.1}%", v * 100.0),
        Unit::Count => crate::views::thousands(v.round() as i64),
        Unit::Score => format!("{v:.0}"),
    };
    let rows = table_rows(labels, series.iter().map(|s| (&s.values, &s.hidden)).collect(), show);
    let columns: Vec<&str> = series.iter().map(|s| s.name.as_str()).collect();
    with_numbers(title, svg, &columns, rows)
}

/// Stacked bars over periods (`labels`); a hidden segment is marked "<11" above its bar.
pub fn stacked_bars(title: &str, labels: &[String], series: &[Bars], unit_label: &str) -> String {
    let mut svg = frame(title, unit_label);
    let totals: Vec<i64> =
        (0..labels.len()).map(|i| series.iter().filter_map(|b| b.values.get(i).copied().flatten()).sum()).collect();
    let hi = nice_max(totals.iter().copied().max().unwrap_or(0) as f64);
    y_axis(&mut svg, 0.0, hi, Unit::Count);
    let n = labels.len().max(1);
    let slot = (W - LEFT - RIGHT) / n as f64;
    let x = |i: usize| LEFT + slot * (i as f64 + 0.5);
    x_labels(&mut svg, labels, x);
    let scale = (H - TOP - BOTTOM) / hi;
    for (i, label) in labels.iter().enumerate() {
        let mut base = H - BOTTOM;
        let hidden: Vec<&str> =
            series.iter().filter(|b| b.hidden.get(i).copied().unwrap_or(false)).map(|b| b.name.as_str()).collect();
        for (k, Bars { name, values, colour, .. }) in series.iter().enumerate() {
            let Some(v) = values.get(i).copied().flatten() else { continue };
            let height = v as f64 * scale;
            base -= height;
            let _ = write!(
                svg,
                r#"<rect x="{:.1}" y="{base:.1}" width="{:.1}" height="{height:.1}" fill="{}"><title>{} {}: {}</title></rect>"#,
                x(i) - slot * 0.35,
                slot * 0.7,
                colour.unwrap_or(SERIES[k % SERIES.len()]),
                escape(label),
                escape(name),
                crate::views::thousands(v)
            );
        }
        if !hidden.is_empty() {
            let _ = write!(
                svg,
                r#"<g class="hidden-cell"><text class="tick" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><title>{label} {}: hidden to protect privacy</title></g>"#,
                x(i),
                (base - 4.0).max(TOP + 8.0),
                escape(HIDDEN),
                escape(&hidden.join(", "))
            );
        }
    }
    let names: Vec<(&str, &str)> = series
        .iter()
        .enumerate()
        .map(|(k, b)| (b.name.as_str(), b.colour.unwrap_or(SERIES[k % SERIES.len()])))
        .collect();
    legend(&mut svg, &names);
    svg.push_str("</svg>");
    let rows = table_rows(labels, series.iter().map(|b| (&b.values, &b.hidden)).collect(), crate::views::thousands);
    let columns: Vec<&str> = series.iter().map(|b| b.name.as_str()).collect();
    with_numbers(title, svg, &columns, rows)
}

/// A funnel of stages (eligible → enrolled → active): bars narrowing with the counts, each
/// labelled with its count and its share of the first stage. `None` is a suppressed count.
pub fn funnel(title: &str, stages: &[(String, Option<i64>, String)]) -> String {
    let row = 40.0;
    let h = row * stages.len() as f64 + 8.0;
    let mut svg = format!(
        r#"<svg class="chart funnel" viewBox="0 0 {W} {h}" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    let first = stages.first().and_then(|s| s.1).unwrap_or(0).max(1) as f64;
    // Room on the left for the stage, on the right for its count.
    let (label_w, value_w) = (150.0, 150.0);
    for (i, (name, count, text)) in stages.iter().enumerate() {
        let y = 4.0 + row * i as f64;
        let width = count.map_or(0.0, |c| (W - label_w - value_w) * (c as f64 / first).clamp(0.0, 1.0));
        let _ = write!(
            svg,
            r#"<text class="tick" x="0" y="{:.1}">{}</text><rect x="{label_w}" y="{y:.1}" width="{width:.1}" height="{}" fill="{}"/><text class="value" x="{:.1}" y="{:.1}">{}</text>"#,
            y + row / 2.0,
            escape(name),
            row - 10.0,
            SERIES[i.min(SERIES.len() - 1)],
            label_w + width + 6.0,
            y + row / 2.0,
            escape(text)
        );
    }
    svg.push_str("</svg>");
    let rows = stages.iter().map(|(name, _, text)| (name.clone(), vec![text.clone()])).collect();
    with_numbers(title, svg, &["People"], rows)
}

/// A chart as a page shows it: its title in words above, the drawing, and the same numbers as
/// a table for screen readers and anyone who wants them (one row a period or stage).
pub(crate) fn with_numbers(title: &str, svg: String, columns: &[&str], rows: Vec<(String, Vec<String>)>) -> String {
    let mut out = format!(r#"<p class="chart-title">{}</p>{svg}"#, escape(title));
    out.push_str(
        r#"<details class="chart-data"><summary>The numbers</summary><table><thead><tr><th scope="col"></th>"#,
    );
    for c in columns {
        let _ = write!(out, r#"<th scope="col" class="num">{}</th>"#, escape(c));
    }
    out.push_str("</tr></thead><tbody>");
    for (label, cells) in rows {
        let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, escape(&label));
        for cell in cells {
            let _ = write!(out, r#"<td class="num">{}</td>"#, escape(&cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></details>");
    out
}

/// A chart's table rows: one a label, a cell a series.
fn table_rows<T: Copy>(
    labels: &[String],
    series: Vec<(&Vec<Option<T>>, &Vec<bool>)>,
    show: impl Fn(T) -> String + Copy,
) -> Vec<(String, Vec<String>)> {
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let cells = series
                .iter()
                .map(|(values, hidden)| {
                    cell(values.get(i).copied().flatten(), hidden.get(i).copied().unwrap_or(false), show)
                })
                .collect();
            (l.clone(), cells)
        })
        .collect()
}

/// A value in a chart's table: hidden cells marked as on the chart, missing ones a dash.
fn cell<T>(value: Option<T>, hidden: bool, show: impl Fn(T) -> String) -> String {
    match value {
        Some(v) => show(v),
        None if hidden => HIDDEN.to_owned(),
        None => "—".to_owned(),
    }
}

fn line_style(s: &Series, k: usize) -> (&'static str, &'static str) {
    if s.reference { (REFERENCE, r#" stroke-dasharray="6 4""#) } else { (SERIES[k % SERIES.len()], "") }
}

fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Percent => "%",
        Unit::Count => "count",
        Unit::Score => "score",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped() {
        let svg = line_chart("<script>", &["2026-01".into()], &[Series::new("a&b", vec![Some(0.5)])], Unit::Percent);
        assert!(!svg.contains("<script>") && svg.contains("&lt;script&gt;") && svg.contains("a&amp;b"));
    }

    #[test]
    fn sparkline_breaks_at_gaps_and_handles_flat_and_empty_series() {
        let svg = sparkline(&[Some(0.1), None, Some(0.2), Some(0.3)], "trend");
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
        assert!(sparkline(&[Some(0.2), Some(0.2)], "flat").contains("<path"));
        assert!(!sparkline(&[None, None], "none").contains("<path"));
    }

    #[test]
    fn hidden_bars_are_marked_not_left_out() {
        let labels = vec!["2026-Q1".to_owned(), "2026-Q2".to_owned()];
        let svg = stacked_bars("Visits", &labels, &[Bars::suppressed("In office", vec![Some(40), None])], "visits");
        assert_eq!(svg.matches("<rect x").count() - 1, 1, "one bar plus the legend swatch: {svg}");
        assert_eq!(svg.matches("hidden-cell").count(), 1, "the hidden quarter is marked: {svg}");
        assert!(svg.contains("2026-Q2 In office: hidden to protect privacy") && svg.contains("&lt;11"));
        // Missing data (not hidden) is simply not drawn.
        let svg = stacked_bars("Visits", &labels, &[Bars::new("In office", vec![Some(40), None])], "visits");
        assert!(!svg.contains("hidden-cell"));
    }

    #[test]
    fn hidden_points_are_marked_and_lone_points_drawn() {
        let labels = vec!["a".to_owned(), "b".to_owned(), "c".to_owned()];
        let svg =
            line_chart("NPS", &labels, &[Series::suppressed("NPS", vec![Some(30.0), None, Some(40.0)])], Unit::Score);
        assert_eq!(svg.matches("hidden-cell").count(), 1, "{svg}");
        assert_eq!(svg.matches("<circle").count(), 2, "two lone points between gaps");
    }

    #[test]
    fn ticks_of_small_ranges_are_distinct() {
        let ticks = |hi: f64, unit: Unit| {
            let mut svg = String::new();
            y_axis(&mut svg, 0.0, hi, unit);
            svg.split("text-anchor=\"end\">")
                .skip(1)
                .map(|t| t.split('<').next().unwrap_or("").to_owned())
                .collect::<Vec<_>>()
        };
        assert_eq!(ticks(1.0, Unit::Count), ["0", "1"]);
        assert_eq!(ticks(2.0, Unit::Count), ["0", "1", "2"]);
        assert_eq!(ticks(0.005, Unit::Percent), ["0.0%", "0.1%", "0.2%", "0.3%", "0.4%", "0.5%"]);
        assert_eq!(ticks(0.5, Unit::Percent), ["0%", "10%", "20%", "30%", "40%", "50%"]);
        let cases = [(Unit::Count, [1.0, 2.0, 5.0, 10.0, 20.0]), (Unit::Percent, [0.01, 0.02, 0.05, 0.5, 1.0])];
        for (unit, highs) in cases {
            for hi in highs {
                let t = ticks(hi, unit);
                let mut d = t.clone();
                d.dedup();
                assert_eq!(d, t, "{hi} {unit:?}");
            }
        }
    }

    #[test]
    fn targets_are_dashed() {
        let target = Series { reference: true, ..Series::new("Target", vec![Some(0.3), Some(0.3)]) };
        let svg = line_chart("Enrollment", &["a".into(), "b".into()], &[target], Unit::Percent);
        assert!(svg.contains("stroke-dasharray"));
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_max(0.37), 0.5);
        assert_eq!(nice_max(1234.0), 2000.0);
        assert_eq!(nice_max(0.0), 1.0);
    }
}
