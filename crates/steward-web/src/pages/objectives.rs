//! A success-plan objective's page: what was agreed, where it stands on the metrics (the
//! metric month by month, its trend to the target date, the target), the tasks that serve
//! it; editing, closing and reopening it and adding a task for it. Agreeing one is on
//! Account 360 (`add`).

use super::account::FormState;
use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::charts::{self, Series, Unit};
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::forms::typed;
use crate::success_plans::{self, Change, ObjectiveForm, typed_target};
use crate::views;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::success_plan::ObjectiveStatus;
use steward_domain::trend::{Series as Months, projected};
use steward_domain::{Id, Month, TargetMetric};
use steward_health::success_plans::ObjectiveView;

/// The metrics an objective can be set on, for a form's select.
pub fn metric_choices() -> Vec<Value> {
    TargetMetric::ALL.iter().map(|m| context! { value => m.as_str(), label => views::words(m.as_str()) }).collect()
}

fn badge(status: ObjectiveStatus) -> &'static str {
    match status {
        ObjectiveStatus::Achieved | ObjectiveStatus::Met | ObjectiveStatus::OnTrack => "good",
        ObjectiveStatus::OffTrack | ObjectiveStatus::Missed => "warn",
        ObjectiveStatus::NoData | ObjectiveStatus::Measuring | ObjectiveStatus::Closed => "",
    }
}

/// An objective as a row of a plan: Account 360's and the objective page's header.
pub fn row(v: &ObjectiveView) -> Value {
    let (o, p) = (&v.objective, &v.progress);
    let show = |x: f64| o.metric.show(x);
    context! {
        id => o.id, title => o.title, metric => views::words(o.metric.as_str()), target => show(o.target),
        target_date => o.target_date.to_string(), agreed_on => o.agreed_on.to_string(), closed => o.closed,
        status => p.status.label(), badge => badge(p.status),
        baseline => p.baseline.map(show), latest => p.latest.map(|(_, x)| show(x)),
        latest_month => p.latest.map(|(m, _)| m.to_string()), projected => p.projected.map(show),
        open_tasks => v.open_tasks(), version => o.version,
    }
}

/// The metric from six months before it was agreed to its target month (or the last month
/// measured, when later); the trend carried from the last measured month to the target.
fn chart(v: &ObjectiveView, series: &Months) -> String {
    let o = &v.objective;
    let due = Month::of(o.target_date);
    let last = series.iter().rev().find(|(_, x)| x.is_some()).map(|(m, _)| *m);
    let first = Month::of(o.agreed_on).plus(-6);
    let end = last.map_or(due, |l| l.max(due));
    let months: Vec<Month> = (0..=first.months_until(end).max(0)).map(|k| first.plus(k)).collect();
    let at = |m: Month| series.iter().find(|(x, _)| *x == m).and_then(|(_, x)| *x);
    let measured = Series::new("Measured", months.iter().map(|m| at(*m)).collect());
    let trend = Series::new(
        "Trend to the target date",
        months
            .iter()
            .map(|m| match last {
                Some(l) if *m == l => at(l),
                Some(l) if *m > l && *m <= due && !o.closed => projected(series, *m),
                _ => None,
            })
            .collect(),
    );
    let target = Series { reference: true, ..Series::new("Target", vec![Some(o.target); months.len()]) };
    let unit = if o.metric == TargetMetric::Nps { Unit::Score } else { Unit::Percent };
    let labels: Vec<String> = months.iter().map(Month::to_string).collect();
    charts::line_chart(
        &format!("{} against the target", views::words(o.metric.as_str())),
        &labels,
        &[measured, trend, target],
        unit,
    )
}

async fn show(app: &App, viewer: &Viewer, id: Id, refused: Option<FormState>) -> PageResult {
    let (user, today) = (viewer.user.clone(), app.today());
    let (view, series, account, write) = app.run(move |store| success_plans::view(store, &user, id, today)).await?;
    let status =
        if refused.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let FormState { form, values, errors } = refused.unwrap_or_default();
    // The change form shows what was typed only when it was the one refused.
    let (edit_values, values) = match form {
        "edit" => (values, BTreeMap::new()),
        _ => (typed(&ObjectiveForm::of(&view.objective)), values),
    };
    let page = context! {
        o => row(&view),
        account => context! { slug => account.slug.as_str(), name => account.name },
        write,
        chart => chart(&view, &series),
        rate => view.objective.metric != TargetMetric::Nps,
        tasks => view.tasks.iter().map(|t| {
            let open = t.status == steward_domain::TaskStatus::Open;
            context! { status => t.status.as_str(), overdue => open && t.due_date.is_some_and(|d| d < today), ..super::work::task_row(t, today) }
        }).collect::<Vec<_>>(),
        today => today.to_string(),
        form, values, errors, edit_values,
    };
    let mut response = render("objective.html", viewer, "", &view.objective.title, page)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    show(&app, &viewer, id, None).await
}

/// The objective's page again with a refused form's errors and what was typed.
pub(super) async fn again(
    app: &App,
    viewer: &Viewer,
    id: Id,
    form: &'static str,
    values: BTreeMap<String, String>,
    e: WebError,
) -> PageResult {
    let errors = super::refused_fields(e, Some(&format!("/objectives/{id}")))?;
    show(app, viewer, id, Some(FormState { form, values, errors })).await
}

/// Agrees an objective from Account 360; a refusal comes back there.
pub async fn add(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<ObjectiveForm>,
) -> PageResult {
    let (user, account, today, values) = (viewer.user.clone(), slug.clone(), app.today(), typed(&form));
    let done = app.run(move |store| success_plans::add(store, &user, &account, form.input(None), today)).await;
    match done {
        Ok(o) => Ok(Redirect::to(&format!("/objectives/{}", o.id)).into_response()),
        Err(e) => super::account::again(&app, &viewer, slug, "objective", values, e).await,
    }
}

fn version(text: &str) -> Result<i64, WebError> {
    text.trim().parse().map_err(|_| WebError::field("version", "the form is missing its version; reload the page"))
}

pub async fn edit(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<ObjectiveForm>,
) -> PageResult {
    let (user, values) = (viewer.user.clone(), typed(&form));
    let done = app
        .run(move |store| {
            success_plans::edit(store, &user, id, |current| {
                let mut input = form.input(Some(current.metric))?;
                // A target left as shown keeps every digit it was set with.
                if form.target.trim() == typed_target(current.metric, current.target) {
                    input.target = current.target;
                }
                Ok(Change { input, closed: current.closed, version: version(&form.version)? })
            })
        })
        .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/objectives/{id}")).into_response()),
        Err(e) => again(&app, &viewer, id, "edit", values, e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct CloseForm {
    #[serde(default)]
    version: String,
    /// "true" closes, "false" reopens.
    #[serde(default)]
    closed: String,
}

pub async fn close(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<CloseForm>,
) -> PageResult {
    let (user, values) = (viewer.user.clone(), typed(&form));
    let closed = form.closed.trim() == "true";
    let done = app
        .run(move |store| {
            success_plans::edit(store, &user, id, |current| {
                Ok(Change::closing(current, closed, version(&form.version)?))
            })
        })
        .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/objectives/{id}")).into_response()),
        Err(e) => again(&app, &viewer, id, "close", values, e).await,
    }
}
