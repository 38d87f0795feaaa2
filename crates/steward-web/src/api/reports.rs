//! Quarterly business reviews over the API: an account's review of a quarter as data (our
//! people; the client's version on request), and the reviews kept for the client — every
//! version for our people, the published ones for the client.

use super::handlers::{Page, Paging, paged};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::authz::{self, AccountAccess};
use crate::error::{ApiResult, WebError};
use crate::extract::api::{Path, Query};
use axum::Json;
use axum::extract::State;
use steward_domain::Role;
use steward_domain::report::{Quarter, StoredReport};
use steward_health::reports::{Audience, Qbr};

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
            if user.role == Role::Client {
                return Err(WebError::NotFound(format!("account {slug}")));
            }
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            let audience = match q.version.as_str() {
                "" | "internal" => Audience::Internal,
                "client" => Audience::Client { threshold },
                _ => return Err(WebError::field("version", "internal or client")),
            };
            let quarter = match q.quarter.trim() {
                "" => crate::client_reports::last_complete_quarter(store.metrics_as_of(&account.slug)?, today),
                text => text.parse::<Quarter>().map_err(|e| WebError::field("quarter", e.0))?,
            };
            steward_health::reports::qbr(store, &card, &account.slug, quarter, today, audience)?
                .map_err(|why| WebError::field("quarter", why))
        })
        .await?;
    Ok(Json(review))
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
