//! Success plans over the API: an account's objectives with where each stands and the tasks
//! serving it, agreeing one, and changing or closing it — the same rules as the pages
//! (`crate::success_plans`). Targets are fractions for the rates, as every API rate is.

use super::handlers::{Page, Paging, paged, whole_number};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::error::WebError;
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use crate::success_plans::{self, Change, ObjectiveInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::Deserialize;
use steward_domain::TargetMetric;
use steward_domain::input::TextKind;
use steward_health::success_plans::ObjectiveView;

pub async fn objectives(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<ObjectiveView>>> {
    let today = app.today();
    let list = app.run(move |store| success_plans::of_account(store, &user, &slug, today)).await?;
    Ok(Json(paged(list, p.page, p.per_page)?))
}

pub async fn objective(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ObjectiveView>> {
    let today = app.today();
    let (view, ..) = app.run(move |store| success_plans::view(store, &user, id, today)).await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
pub struct ObjectiveBody {
    title: String,
    /// Read once the caller may write the account, as everything typed is.
    metric: String,
    target: f64,
    target_date: NaiveDate,
    #[serde(default)]
    agreed_on: Option<NaiveDate>,
}

impl ObjectiveBody {
    fn input(self) -> Result<ObjectiveInput, WebError> {
        let title = crate::forms::checked_text("title", TextKind::Title, &self.title)?;
        let metric: TargetMetric =
            self.metric.parse().map_err(|_| WebError::field("metric", "enrollment_rate, utilization_rate or nps"))?;
        Ok(ObjectiveInput {
            title,
            metric,
            target: self.target,
            target_date: self.target_date,
            agreed_on: self.agreed_on,
        })
    }
}

pub async fn add(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ObjectiveBody>,
) -> ApiResult<impl IntoResponse> {
    let today = app.today();
    let view = app
        .run(move |store| {
            let o = success_plans::add(store, &user, &slug, b.input(), today)?;
            Ok(success_plans::view(store, &user, o.id, today)?.0)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(view)))
}

#[derive(Debug, Deserialize)]
pub struct ObjectiveChangeBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    target: Option<f64>,
    #[serde(default)]
    target_date: Option<NaiveDate>,
    #[serde(default)]
    closed: Option<bool>,
}

/// Changes what is given and keeps the rest; a stale `version` gets 409.
pub async fn change(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ObjectiveChangeBody>,
) -> ApiResult<Json<ObjectiveView>> {
    let today = app.today();
    let view = app
        .run(move |store| {
            success_plans::edit(store, &user, id, |current| {
                let title = match &b.title {
                    Some(t) => crate::forms::checked_text("title", TextKind::Title, t)?,
                    None => current.title.clone(),
                };
                let input = ObjectiveInput {
                    title,
                    metric: current.metric,
                    target: b.target.unwrap_or(current.target),
                    target_date: b.target_date.unwrap_or(current.target_date),
                    agreed_on: Some(current.agreed_on),
                };
                Ok(Change { input, closed: b.closed.unwrap_or(current.closed), version: b.version })
            })?;
            Ok(success_plans::view(store, &user, id, today)?.0)
        })
        .await?;
    Ok(Json(view))
}
