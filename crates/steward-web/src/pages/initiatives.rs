//! Engagement initiatives: the list across the book, an initiative's page with its impact
//! (the estimate and its interval, or why there is none; the pre-trend check; the target
//! against the comparison week by week with the windows shaded), and recording one from
//! Account 360 (`add`).

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::charts::{self, Series, Shade, Unit};
use crate::error::PageResult;
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::forms::typed;
use crate::initiatives::{self, InitiativeForm};
use crate::views;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use steward_domain::impact::GoalMetric;
use steward_domain::initiative::{Initiative, InitiativeKind, Windows};
use steward_domain::{Id, Slug};
use steward_health::initiatives::Impact;

/// The kinds and metrics, for a form's selects.
pub fn choices() -> Value {
    let words = |s: &str| views::words(s);
    context! {
        kinds => InitiativeKind::ALL.iter().map(|k| context! { value => k.as_str(), label => words(k.as_str()) }).collect::<Vec<_>>(),
        metrics => GoalMetric::ALL.iter().map(|m| context! { value => m.as_str(), label => words(m.as_str()) }).collect::<Vec<_>>(),
    }
}

fn target_words(i: &Initiative) -> String {
    match &i.target {
        steward_domain::impact::Target::Account => "the whole account".into(),
        steward_domain::impact::Target::Worksites(names) => names.join(", "),
        steward_domain::impact::Target::Metros(metros) => {
            metros.iter().map(|m| m.display_name()).collect::<Vec<_>>().join(", ")
        }
    }
}

use crate::views::effect_words;

/// Cites, beside each health driver, the account's initiatives whose goal metric bears on
/// its measure: a measured one from the last year with its effect, a live one as under way
/// (one measured without an estimate says nothing about the measure). At most two a driver,
/// latest first.
pub fn cite(
    health: &mut crate::views::HealthView,
    initiatives: &[(Initiative, Option<Impact>)],
    today: chrono::NaiveDate,
) {
    use steward_domain::initiative::InitiativeStatus;
    let windows = Windows::default();
    for driver in &mut health.drivers {
        driver.cites = initiatives
            .iter()
            .filter(|(i, _)| i.metric.bears_on(driver.measure))
            .filter_map(|(i, read)| {
                let words = match (i.status_on(today, &windows), read) {
                    (InitiativeStatus::Live, _) => {
                        format!("under way; measured after {}", i.timeline(&windows).outcome_closes())
                    }
                    (InitiativeStatus::Measured, Some(r)) if (today - r.outcome.1).num_days() <= 365 => {
                        format!("{} {}", views::words(i.metric.as_str()).to_lowercase(), effect_words(r)?)
                    }
                    _ => return None,
                };
                Some(crate::views::Cite { id: i.id, title: i.title.clone(), words })
            })
            .take(2)
            .collect();
    }
}

/// An initiative as a row of a list; `read` when its impact was worked out.
pub fn row(i: &Initiative, today: chrono::NaiveDate, read: Option<&Impact>) -> Value {
    let status = i.status_on(today, &Windows::default());
    context! {
        id => i.id, account => i.account.as_str(), title => i.title, kind => views::words(i.kind.as_str()),
        target => target_words(i), start => i.start_date.to_string(), end => i.end_date.to_string(),
        metric => views::words(i.metric.as_str()), status => status.as_str(),
        effect => read.and_then(effect_words),
        significant => read.and_then(|r| Some(r.ci_low? > 0.0 || r.ci_high? < 0.0)).unwrap_or(false),
        reason => read.and_then(|r| r.reason.clone()),
    }
}

/// The book's initiatives and experiments.
pub async fn book(State(app): State<App>, viewer: Viewer) -> PageResult {
    let (user, today) = (viewer.user.clone(), app.today());
    let (list, tests) = app
        .run(move |store| Ok((initiatives::list(store, &user, None)?, crate::experiments::list(store, &user, None)?)))
        .await?;
    let page = context! {
        rows => list.iter().map(|i| row(i, today, None)).collect::<Vec<_>>(),
        experiments => tests.iter().map(|e| super::experiments::row(e, today)).collect::<Vec<_>>(),
    };
    render("initiatives.html", &viewer, "initiatives", "Initiatives", page)
}

/// The weekly series with the baseline and outcome windows shaded.
fn chart(i: &Initiative, read: &Impact) -> String {
    let labels: Vec<String> = read.weeks.iter().map(|w| w.week_ending.to_string()).collect();
    // Rates are drawn as percentages; the other metrics as plain numbers.
    let (unit, scale) = match i.metric {
        GoalMetric::EnrollmentRate | GoalMetric::Utilization => (Unit::Percent, 0.01),
        _ => (Unit::Count, 1.0),
    };
    let side = |f: fn(&steward_health::initiatives::WeekPoint) -> Option<f64>| {
        read.weeks.iter().map(|w| f(w).map(|v| v * scale)).collect::<Vec<_>>()
    };
    let series = [
        Series::new("Targeted", side(|w| w.target)),
        Series::new(
            if i.target == steward_domain::impact::Target::Account { "Matched accounts" } else { "Other worksites" },
            side(|w| w.comparison),
        ),
    ];
    let at = |day: chrono::NaiveDate| read.weeks.iter().position(|w| w.week_ending >= day);
    let mut shades = Vec::new();
    if let (Some(from), Some(to)) = (at(read.baseline.0), at(read.baseline.1)) {
        shades.push(Shade { from, to, label: "baseline" });
    }
    if let (Some(from), Some(to)) = (at(read.outcome.0), at(read.outcome.1)) {
        shades.push(Shade { from, to, label: "outcome" });
    }
    let title = format!("{}, targeted against the comparison, week by week", views::words(i.metric.as_str()));
    charts::shaded_line_chart(&title, &labels, &series, unit, &shades)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    let (user, today) = (viewer.user.clone(), app.today());
    let (i, account, _, read) = app.run(move |store| initiatives::impact(store, &user, id, today)).await?;
    let page = context! {
        i => row(&i, today, Some(&read)),
        account => context! { slug => account.slug.as_str(), name => account.name },
        owner => i.owner.as_ref().map(|e| e.to_string()),
        cost => i.cost.map(|c| c.to_string()),
        notes => i.notes,
        read => context! {
            effect => effect_words(&read), reason => read.reason, method => read.method, unit => read.unit,
            target_n => read.target_n, comparison_n => read.comparison_n,
            clusters => read.clusters.map(|c| context! { target => c.target, comparison => c.comparison }),
            pretrend_ok => read.pretrend_ok, pretrend => read.pretrend_difference.map(|d| format!("{d:+.2}")),
            warnings => read.warnings,
            baseline => format!("{} to {}", read.baseline.0, read.baseline.1),
            outcome => format!("{} to {}", read.outcome.0, read.outcome.1),
            compared_with => read.compared_with.iter().map(Slug::as_str).collect::<Vec<_>>(),
        },
        chart => (!read.weeks.is_empty()).then(|| chart(&i, &read)),
    };
    render("initiative.html", &viewer, "initiatives", &i.title, page)
}

/// Records an initiative from Account 360; a refusal comes back there.
pub async fn add(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<InitiativeForm>,
) -> PageResult {
    let (user, account, values) = (viewer.user.clone(), slug.clone(), typed(&form));
    match app.run(move |store| initiatives::add(store, &user, &account, &form)).await {
        Ok(i) => {
            app.treatments_changed();
            Ok(Redirect::to(&format!("/initiatives/{}", i.id)).into_response())
        }
        Err(e) => super::account::again(&app, &viewer, slug, "initiative", values, e).await,
    }
}
