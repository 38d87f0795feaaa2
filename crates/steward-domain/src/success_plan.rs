//! Success plans: the objectives an account manager agrees with a client ("enrollment 30%
//! by renewal"), each on one program metric with a target and a date. An objective's status
//! is worked out from the metrics, never typed in: met or missed once its date has passed,
//! before that whether the last three months' trend reaches the target by then.

use crate::contract::TargetMetric;
use crate::input::{TextKind, date_field, text_field};
use crate::text_enum::text_enum;
use crate::trend::{projected, value_at};
use crate::{Email, Id, Month, ParseError, Slug};
use chrono::{DateTime, NaiveDate, Utc};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Objective {
    pub id: Id,
    pub account: Slug,
    pub title: String,
    pub metric: TargetMetric,
    /// A fraction for the rates (0.30), a score for NPS (40).
    pub target: f64,
    /// When it was agreed with the client: where progress is measured from.
    pub agreed_on: NaiveDate,
    pub target_date: NaiveDate,
    /// No longer pursued (dropped or replaced); kept with the plan's history.
    pub closed: bool,
    pub created_by: Option<Email>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewObjective {
    pub account: Slug,
    pub title: String,
    pub metric: TargetMetric,
    pub target: f64,
    pub agreed_on: NaiveDate,
    pub target_date: NaiveDate,
    pub created_by: Option<Email>,
}

/// What can change once agreed: the wording, the target and its date, and whether it is
/// still pursued. The metric and the day it was agreed stay (another metric is another
/// objective).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveEdit {
    pub title: String,
    pub target: f64,
    pub target_date: NaiveDate,
    pub closed: bool,
}

impl ObjectiveEdit {
    pub fn of(o: &Objective) -> Self {
        Self { title: o.title.clone(), target: o.target, target_date: o.target_date, closed: o.closed }
    }
}

fn check(
    title: &str,
    metric: TargetMetric,
    target: f64,
    agreed_on: NaiveDate,
    target_date: NaiveDate,
) -> Result<(), ParseError> {
    if title.trim().is_empty() {
        return Err(ParseError::new("an objective says what was agreed (a title)"));
    }
    text_field("an objective's title", TextKind::Title, title)?;
    metric.check_target("an objective's", target)?;
    date_field("the target date", Some(target_date))?;
    date_field("the day it was agreed", Some(agreed_on))?;
    check_target_date(agreed_on, target_date)
}

/// An objective is reached after it is agreed, not before.
pub fn check_target_date(agreed_on: NaiveDate, target_date: NaiveDate) -> Result<(), ParseError> {
    if target_date < agreed_on {
        return Err(ParseError::new(format!(
            "the target date {target_date} is before the day it was agreed, {agreed_on}"
        )));
    }
    Ok(())
}

impl NewObjective {
    pub fn validate(&self) -> Result<(), ParseError> {
        check(&self.title, self.metric, self.target, self.agreed_on, self.target_date)
    }
}

impl ObjectiveEdit {
    pub fn validate(&self, o: &Objective) -> Result<(), ParseError> {
        check(&self.title, o.metric, self.target, o.agreed_on, self.target_date)
    }
}

text_enum! {
    /// Where an objective stands on a day, from the metrics.
    pub enum ObjectiveStatus ("objective status") {
        /// Its date passed with the target reached in the last month measured by then.
        Achieved = "achieved",
        /// Its date passed short of the target.
        Missed = "missed",
        /// Its date passed; the month that decides it is not complete yet.
        Measuring = "measuring",
        /// Before its date, the target already reached.
        Met = "met",
        /// Before its date, the trend reaches the target by then.
        OnTrack = "on_track",
        /// Before its date, the trend falls short.
        OffTrack = "off_track",
        /// Nothing measured yet to judge it by.
        NoData = "no_data",
        Closed = "closed",
    }
}

impl ObjectiveStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Achieved => "achieved",
            Self::Missed => "missed",
            Self::Measuring => "awaiting its month's data",
            Self::Met => "target met",
            Self::OnTrack => "on track",
            Self::OffTrack => "off track",
            Self::NoData => "no data yet",
            Self::Closed => "closed",
        }
    }
}

/// An objective judged on `today` against its metric's series (complete months only).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Progress {
    pub status: ObjectiveStatus,
    /// The metric when it was agreed: its month's value (or the last measured before).
    pub baseline: Option<f64>,
    /// The last month measured and its value; once the date has passed, the target month's.
    pub latest: Option<(Month, f64)>,
    /// Where the last three months' trend carries it by the target date.
    pub projected: Option<f64>,
}

/// Once the target date has passed, the objective is judged on its target month alone, and
/// only when that month is complete (`series` holds complete months): a later file cannot
/// turn a verdict around, and a month from before the date never stands in for it.
pub fn progress(o: &Objective, series: &[(Month, Option<f64>)], today: NaiveDate) -> Progress {
    use ObjectiveStatus::*;
    let due = Month::of(o.target_date);
    let baseline = value_at(series, Month::of(o.agreed_on)).map(|(_, v)| v);
    let reached = |v: f64| v >= o.target;
    if today > o.target_date {
        let month = series.iter().find(|(m, _)| *m == due);
        let latest = month.and_then(|(m, v)| Some((*m, (*v)?)));
        let status = match (o.closed, month, latest) {
            (true, ..) => Closed,
            (false, None, _) => Measuring,
            (false, Some(_), None) => NoData,
            (false, Some(_), Some((_, v))) => {
                if reached(v) {
                    Achieved
                } else {
                    Missed
                }
            }
        };
        return Progress { status, baseline, latest, projected: latest.map(|(_, v)| v) };
    }
    let latest = value_at(series, Month::of(today));
    let projected = projected(series, due);
    let status = match (o.closed, latest, projected) {
        (true, ..) => Closed,
        (false, None, _) => NoData,
        (false, Some((_, v)), _) if reached(v) => Met,
        (false, Some(_), Some(p)) if reached(p) => OnTrack,
        (false, Some(_), _) => OffTrack,
    };
    Progress { status, baseline, latest, projected }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn m(s: &str) -> Month {
        Month::parse(s).unwrap()
    }

    fn objective(target: f64, target_date: &str) -> Objective {
        Objective {
            id: 1,
            account: Slug::parse("acme").unwrap(),
            title: "Enrollment 30% by renewal".into(),
            metric: TargetMetric::EnrollmentRate,
            target,
            agreed_on: d("2026-01-15"),
            target_date: d(target_date),
            closed: false,
            created_by: None,
            version: 1,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    /// Enrollment 22% in December, then 24, 25, 26 — a point a month over the last three.
    fn series() -> Vec<(Month, Option<f64>)> {
        vec![
            (m("2025-12"), Some(0.22)),
            (m("2026-01"), Some(0.24)),
            (m("2026-02"), Some(0.25)),
            (m("2026-03"), Some(0.26)),
        ]
    }

    #[test]
    fn status_by_hand() {
        let s = series();
        let on = |target: f64, date: &str, today: &str| progress(&objective(target, date), &s, d(today));
        // From 26% in March at a point a month, December is nine months on: 35%.
        let p = on(0.30, "2026-12-31", "2026-04-10");
        assert_eq!(p.status, ObjectiveStatus::OnTrack);
        assert_eq!(p.baseline, Some(0.24), "January's value when agreed in January");
        assert_eq!(p.latest, Some((m("2026-03"), 0.26)));
        assert!((p.projected.unwrap() - 0.35).abs() < 1e-9);
        // By June the trend reaches only 29%.
        assert_eq!(on(0.30, "2026-06-30", "2026-04-10").status, ObjectiveStatus::OffTrack);
        assert_eq!(on(0.25, "2026-12-31", "2026-04-10").status, ObjectiveStatus::Met);
        // After the date: judged on its month alone (February's 25%).
        assert_eq!(on(0.25, "2026-02-28", "2026-04-10").status, ObjectiveStatus::Achieved);
        let missed = on(0.255, "2026-02-28", "2026-04-10");
        assert_eq!((missed.status, missed.latest), (ObjectiveStatus::Missed, Some((m("2026-02"), 0.25))));
        // April is not complete yet: no verdict from March.
        let waiting = on(0.25, "2026-04-05", "2026-04-10");
        assert_eq!((waiting.status, waiting.latest), (ObjectiveStatus::Measuring, None));
        let unmeasured = [(m("2026-02"), None), (m("2026-03"), Some(0.3))];
        let judged = progress(&objective(0.25, "2026-02-28"), &unmeasured, d("2026-04-10"));
        assert_eq!(judged.status, ObjectiveStatus::NoData, "its month had nothing to measure");
        assert_eq!(progress(&objective(0.3, "2026-12-31"), &[], d("2026-04-10")).status, ObjectiveStatus::NoData);
        let closed = Objective { closed: true, ..objective(0.3, "2026-12-31") };
        assert_eq!(progress(&closed, &s, d("2026-04-10")).status, ObjectiveStatus::Closed);
    }

    #[test]
    fn refusals_name_the_rule_in_one_line() {
        let new = NewObjective {
            account: Slug::parse("acme").unwrap(),
            title: "Enrollment 30% by renewal".into(),
            metric: TargetMetric::EnrollmentRate,
            target: 0.3,
            agreed_on: d("2026-01-15"),
            target_date: d("2026-12-31"),
            created_by: None,
        };
        assert_eq!(new.validate(), Ok(()));
        let refusal = |change: &dyn Fn(&mut NewObjective)| {
            let mut n = new.clone();
            change(&mut n);
            n.validate().unwrap_err().0
        };
        assert!(refusal(&|n| n.target = 30.0).contains("enrollment rate target is between 0 and 1"));
        assert!(refusal(&|n| n.title = " ".into()).contains("a title"));
        assert!(refusal(&|n| n.target_date = d("2025-12-31")).contains("before the day it was agreed, 2026-01-15"));
        let nps = NewObjective { metric: TargetMetric::Nps, target: 45.0, ..new.clone() };
        assert_eq!(nps.validate(), Ok(()));
    }
}
