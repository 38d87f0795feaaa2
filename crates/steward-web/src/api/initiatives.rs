//! Initiatives over the API: listing (an account's, or across the caller's book), recording
//! one, and reading its impact — the same rules as the pages (`crate::initiatives`).

use super::handlers::{AccountQuery, Page, field_text as text, paged};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::error::ApiResult;
use crate::error::WebError;
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use crate::initiatives::{self, InitiativeForm, InitiativeView};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use steward_health::initiatives::Impact;

pub async fn list(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<AccountQuery>,
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

impl InitiativeBody {
    fn form(&self) -> Result<InitiativeForm, WebError> {
        Ok(InitiativeForm {
            title: text("title", &self.title, false)?,
            kind: text("kind", &self.kind, false)?,
            target: text("target", &self.target, false)?,
            start_date: text("start_date", &self.start_date, false)?,
            end_date: text("end_date", &self.end_date, false)?,
            metric: text("metric", &self.metric, false)?,
            cost: text("cost", &self.cost, true)?,
            notes: text("notes", &self.notes, false)?,
        })
    }
}

pub async fn add(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<InitiativeBody>,
) -> ApiResult<impl IntoResponse> {
    let today = app.today();
    let made = app
        .run(move |store| {
            // Who may write first; then what they sent.
            crate::authz::load_account(store, &user, &slug, crate::authz::AccountAccess::Write)?;
            initiatives::add(store, &user, &slug, &b.form()?)
        })
        .await?;
    app.treatments_changed();
    Ok((StatusCode::CREATED, Json(InitiativeView::of(made, today))))
}
