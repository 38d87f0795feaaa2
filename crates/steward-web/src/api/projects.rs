//! Implementation projects over the API: a project's schedule as the pages show it, the
//! projects of an account or status, and recording a task's start or finish — the same
//! rules as the pages (`crate::projects`).

use super::handlers::{AccountStatusQuery, Page, optional, paged, whole_number};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::authz::{self, AccountAccess, Capability};
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use serde::Deserialize;
use steward_health::projects::ProjectView;
use steward_store::ProjectFilter;

pub async fn projects(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<AccountStatusQuery>,
) -> ApiResult<Json<Page<ProjectView>>> {
    authz::check(&user, Capability::Book)?;
    let filter = ProjectFilter {
        account: optional(q.account.as_deref(), "account", "not an account slug")?,
        status: optional(q.status.as_deref(), "status", "active, done or cancelled")?,
        task_owner: None,
        task_department: None,
    };
    let (calendar, today) = (app.config().calendar.clone(), app.today());
    let list = app
        .run(move |store| {
            if let Some(slug) = &filter.account {
                authz::load_account(store, &user, slug.as_str(), AccountAccess::Read)?;
            }
            let mut views = Vec::new();
            for p in store.projects(&filter)? {
                let account = store.account(&p.account)?;
                if authz::project_rights(&user, &account, &p).0 {
                    views.push(ProjectView::of(&p, &calendar, today)?);
                }
            }
            Ok(views)
        })
        .await?;
    Ok(Json(paged(list, q.page, q.per_page)?))
}

pub async fn project(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<ProjectView>> {
    let (calendar, today) = (app.config().calendar.clone(), app.today());
    let view = app
        .run(move |store| {
            let (project, _, _) = crate::projects::load(store, &user, id)?;
            Ok(ProjectView::of(&project, &calendar, today)?)
        })
        .await?;
    Ok(Json(view))
}

#[derive(Debug, Deserialize)]
pub struct ProgressBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    #[serde(default)]
    started: Option<NaiveDate>,
    #[serde(default)]
    finished: Option<NaiveDate>,
}

pub async fn progress(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path((id, task)): Path<(i64, i64)>,
    JsonBody(body): JsonBody<ProgressBody>,
) -> ApiResult<Json<ProjectView>> {
    let (version, started, finished) = (body.version, body.started, body.finished);
    let account = app
        .run(move |store| crate::projects::record(store, &user, Some(id), task, version, || Ok((started, finished))))
        .await?;
    crate::projects::after_change(&app, &account).await?;
    let (calendar, today) = (app.config().calendar.clone(), app.today());
    Ok(Json(app.run(move |store| Ok(ProjectView::of(&store.project(id)?, &calendar, today)?)).await?))
}
