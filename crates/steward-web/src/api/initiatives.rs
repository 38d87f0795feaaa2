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

/// What the API sends: the page's fields, with the cost as a number of dollars. Every field
/// is read as it came, so a caller who may not write the account hears that first, and a
/// wrong field is refused beside its name once they may.
#[derive(Debug, Deserialize)]
pub struct InitiativeBody {
    #[serde(default)]
    title: serde_json::Value,
    #[serde(default)]
    kind: serde_json::Value,
    #[serde(default)]
    target: serde_json::Value,
    #[serde(default)]
    start_date: serde_json::Value,
    #[serde(default)]
    end_date: serde_json::Value,
    #[serde(default)]
    metric: serde_json::Value,
    #[serde(default)]
    cost: serde_json::Value,
    #[serde(default)]
    notes: serde_json::Value,
}

/// A JSON value as the text a form field would hold (a number as written; nothing when null).
fn text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

pub async fn add(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<InitiativeBody>,
) -> ApiResult<impl IntoResponse> {
    let today = app.today();
    let form = InitiativeForm {
        title: text(&b.title),
        kind: text(&b.kind),
        target: text(&b.target),
        start_date: text(&b.start_date),
        end_date: text(&b.end_date),
        metric: text(&b.metric),
        cost: text(&b.cost),
        notes: text(&b.notes),
    };
    let made = app.run(move |store| initiatives::add(store, &user, &slug, &form)).await?;
    Ok((StatusCode::CREATED, Json(InitiativeView::of(made, today))))
}
