//! Initiatives over the API: listing (an account's, or across the caller's book), recording
//! one, and reading its impact — the same rules as the pages (`crate::initiatives`).

use super::handlers::{Page, paged};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use crate::initiatives::{self, InitiativeForm, InitiativeView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use steward_health::initiatives::Impact;

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

pub async fn list(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<ListQuery>,
) -> ApiResult<Json<Page<InitiativeView>>> {
    let today = app.today();
    let account = q.account.clone();
    let all = app.run(move |store| initiatives::list(store, &user, account.as_deref())).await?;
    let views = all.into_iter().map(|i| InitiativeView::of(i, today)).collect();
    Ok(Json(paged(views, q.page, q.per_page)?))
}

pub async fn one(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<InitiativeView>> {
    let today = app.today();
    let (i, ..) = app.run(move |store| initiatives::load(store, &user, id)).await?;
    Ok(Json(InitiativeView::of(i, today)))
}

pub async fn impact(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Impact>> {
    let today = app.today();
    let (.., read) = app.run(move |store| initiatives::impact(store, &user, id, today)).await?;
    Ok(Json(read))
}

/// What the API sends: the page's fields, with the cost as a number of dollars.
#[derive(Debug, Deserialize)]
pub struct InitiativeBody {
    title: String,
    kind: String,
    /// Text; anything else is refused beside the field once the caller may write.
    target: serde_json::Value,
    start_date: String,
    end_date: String,
    metric: String,
    #[serde(default)]
    cost: Option<f64>,
    #[serde(default)]
    notes: Option<String>,
}

pub async fn add(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<InitiativeBody>,
) -> ApiResult<impl IntoResponse> {
    let today = app.today();
    let form = InitiativeForm {
        title: b.title,
        kind: b.kind,
        target: b.target.as_str().map(str::to_owned).unwrap_or_default(),
        start_date: b.start_date,
        end_date: b.end_date,
        metric: b.metric,
        cost: b.cost.map(|c| format!("{c:.2}")).unwrap_or_default(),
        notes: b.notes.unwrap_or_default(),
    };
    let made = app.run(move |store| initiatives::add(store, &user, &slug, &form)).await?;
    Ok((StatusCode::CREATED, Json(InitiativeView::of(made, today))))
}
