//! A program metric month by month and where its recent trend carries it: what a guarantee
//! and a success-plan objective are judged on before their date.

use crate::Month;
use crate::contract::TargetMetric;
use crate::metrics::MonthMetrics;

/// A metric month by month, oldest first (`None`: not measured that month).
pub type Series = Vec<(Month, Option<f64>)>;

/// `metric` in each complete month of `metrics` (a month still under way is left out).
pub fn series<'a>(metrics: impl IntoIterator<Item = &'a MonthMetrics>, metric: TargetMetric) -> Series {
    metrics.into_iter().filter(|m| !m.partial).map(|m| (m.month, crate::arr::value(m, metric))).collect()
}

/// The last measured value at or before `at`.
pub fn value_at(series: &[(Month, Option<f64>)], at: Month) -> Option<(Month, f64)> {
    series.iter().rev().filter(|(m, _)| *m <= at).find_map(|(m, v)| Some((*m, (*v)?)))
}

/// A metric's value carried to `at` along its last three months' straight-line trend (the
/// last value when there are fewer than two).
pub fn projected(series: &[(Month, Option<f64>)], at: Month) -> Option<f64> {
    let known: Vec<(Month, f64)> = series.iter().filter_map(|(m, v)| Some((*m, (*v)?))).collect();
    let last = *known.last()?;
    // The three calendar months ending with the last one measured.
    let first = *known.iter().find(|(m, _)| *m >= last.0.plus(-2))?;
    let span = first.0.months_until(last.0);
    if span == 0 {
        return Some(last.1);
    }
    let slope = (last.1 - first.1) / f64::from(span);
    Some(last.1 + slope * f64::from(last.0.months_until(at).max(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    #[test]
    fn a_projection_carries_the_last_three_months_trend() {
        let series =
            [(m("2026-01"), Some(0.40)), (m("2026-03"), Some(0.30)), (m("2026-04"), None), (m("2026-05"), Some(0.26))];
        // 0.30 → 0.26 over March..May is −0.02 a month; to September, four months on: 0.18.
        let p = projected(&series, m("2026-09")).unwrap();
        assert!((p - 0.18).abs() < 1e-9, "{p}");
        assert_eq!(projected(&[(m("2026-05"), Some(0.3))], m("2026-09")), Some(0.3), "one month: itself");
        assert_eq!(projected(&[], m("2026-09")), None);
        assert_eq!(value_at(&series, m("2026-04")), Some((m("2026-03"), 0.30)), "the last measured by then");
        assert_eq!(value_at(&series, m("2025-12")), None);
    }
}
