//! Quarterly business reviews over the API: an account's review of a quarter as data (our
//! people; the client's version on request), and the reviews kept for the client — every
//! version for our people, the published ones for the client; and the director's portfolio.

use super::handlers::{Page, Paging, paged};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::authz::{self, AccountAccess};
use crate::error::ApiResult;
use crate::extract::api::{Path, Query};
use axum::Json;
use axum::extract::State;
use steward_domain::report::StoredReport;
use steward_health::portfolio::Portfolio;
use steward_health::reports::Qbr;

#[derive(Debug, Default, serde::Deserialize)]
pub struct QbrQuery {
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    version: String,
}

pub async fn qbr(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> ApiResult<Json<Qbr>> {
    let (card, today, threshold) = (app.config().scorecard.clone(), app.today(), app.config().suppression_threshold);
    let review = app
        .run(move |store| {
            crate::client_reports::read_review(store, &user, &card, &slug, &q.quarter, &q.version, today, threshold)
        })
        .await?;
    Ok(Json(review))
}

/// The portfolio report, as the page reads it (`/portfolio`).
pub async fn portfolio(State(app): State<App>, ApiCaller(user): ApiCaller) -> ApiResult<Json<Portfolio>> {
    let kept = crate::pages::portfolio::reading(&app, &user).await?;
    Ok(Json(Portfolio::clone(&kept)))
}

pub async fn kept(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<StoredReport>>> {
    let items = app
        .run(move |store| {
            let (account, access) = authz::load_account(store, &user, &slug, AccountAccess::Results)?;
            if access == AccountAccess::Results {
                return crate::client_reports::published(store, &account.slug);
            }
            Ok(store.reports(Some(&account.slug))?)
        })
        .await?;
    Ok(Json(paged(items, p.page, p.per_page)?))
}
