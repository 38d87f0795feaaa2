//! An account's quarterly business review: the document (`/accounts/{slug}/qbr`) and its
//! figures as CSV (`/accounts/{slug}/qbr.csv`), for the people who read the account inside
//! the company. `quarter` defaults to the last one the data complete.

use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::error::{PageResult, WebError};
use crate::extract::page::{Path, Query};
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use steward_domain::report::Quarter;
use steward_domain::{Month, Role};
use steward_health::reports::{Audience, Qbr};

#[derive(Debug, Default, serde::Deserialize)]
pub struct QbrQuery {
    #[serde(default)]
    quarter: String,
    /// `client`: the version for the client, every figure through the client-privacy rule.
    #[serde(default)]
    version: String,
}

async fn load(app: &App, viewer: &Viewer, slug: String, q: &QbrQuery) -> Result<Qbr, WebError> {
    if viewer.user.role == Role::Client {
        return Err(WebError::NotFound(format!("account {slug}")));
    }
    let asked = match q.quarter.trim() {
        "" => None,
        text => Some(text.parse::<Quarter>().map_err(|e| WebError::field("quarter", e.0))?),
    };
    let audience = match q.version.as_str() {
        "" | "internal" => Audience::Internal,
        "client" => Audience::Client { threshold: app.config().suppression_threshold },
        _ => return Err(WebError::field("version", "internal or client")),
    };
    let (user, card, today) = (viewer.user.clone(), app.config().scorecard.clone(), app.today());
    app.run(move |store| {
        let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
        // The last quarter the data complete, or the one before today's.
        let quarter = asked.unwrap_or_else(|| {
            let through = store.metrics_as_of(&account.slug).ok().flatten().unwrap_or(today).min(today);
            let month = Month::of(through);
            let done = if through == month.last_day() { month } else { month.plus(-1) };
            Quarter::of(done.plus(-((done.month() % 3) as i32)))
        });
        steward_health::reports::qbr(store, &card, &account.slug, quarter, today, audience)?
            .map_err(|why| WebError::field("quarter", why))
    })
    .await
}

pub async fn page(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> PageResult {
    let qbr = load(&app, &viewer, slug, &q).await?;
    Ok(Html(crate::qbr::html(&qbr, None)?).into_response())
}

pub async fn pdf(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> PageResult {
    let qbr = load(&app, &viewer, slug, &q).await?;
    let name = format!("inline; filename=\"qbr-{}-{}.pdf\"", qbr.account.slug, qbr.quarter);
    let bytes = tokio::task::spawn_blocking(move || crate::qbr::pdf(&qbr))
        .await
        .map_err(|e| WebError::Internal(format!("typesetting: {e}")))?
        .map_err(|why| WebError::Internal(format!("typesetting the review: {why}")))?;
    Ok(([(header::CONTENT_TYPE, "application/pdf".to_owned()), (header::CONTENT_DISPOSITION, name)], bytes)
        .into_response())
}

pub async fn csv(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> PageResult {
    let qbr = load(&app, &viewer, slug, &q).await?;
    let name = format!("attachment; filename=\"qbr-{}-{}.csv\"", qbr.account.slug, qbr.quarter);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, name)],
        crate::qbr::csv(&qbr),
    )
        .into_response())
}
