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
use steward_health::reports::Qbr;

#[derive(Debug, Default, serde::Deserialize)]
pub struct QbrQuery {
    #[serde(default)]
    quarter: String,
    /// `client`: the version for the client, every figure through the client-privacy rule.
    #[serde(default)]
    version: String,
}

async fn load(app: &App, viewer: &Viewer, slug: String, q: QbrQuery) -> Result<Qbr, WebError> {
    let (user, card, today, threshold) =
        (viewer.user.clone(), app.config().scorecard.clone(), app.today(), app.config().suppression_threshold);
    app.run(move |store| {
        crate::client_reports::read_review(store, &user, &card, &slug, &q.quarter, &q.version, today, threshold)
    })
    .await
}

/// A file to download: its type, its disposition (with the file's name) and its bytes.
pub(super) fn file(content_type: &str, disposition: String, bytes: Vec<u8>) -> axum::response::Response {
    ([(header::CONTENT_TYPE, content_type.to_owned()), (header::CONTENT_DISPOSITION, disposition)], bytes)
        .into_response()
}

pub async fn page(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> PageResult {
    let qbr = load(&app, &viewer, slug, q).await?;
    Ok(Html(crate::qbr::html(&qbr, None)?).into_response())
}

pub async fn pdf(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> PageResult {
    let qbr = load(&app, &viewer, slug, q).await?;
    let name = format!("inline; filename=\"qbr-{}-{}.pdf\"", qbr.account.slug, qbr.quarter);
    let bytes = typeset("the review", move || crate::qbr::pdf(&qbr)).await?;
    Ok(file("application/pdf", name, bytes))
}

pub async fn csv(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<QbrQuery>,
) -> PageResult {
    let qbr = load(&app, &viewer, slug, q).await?;
    let name = format!("attachment; filename=\"qbr-{}-{}.csv\"", qbr.account.slug, qbr.quarter);
    Ok(file("text/csv; charset=utf-8", name, crate::qbr::csv(&qbr).into_bytes()))
}

/// A document typeset off the async runtime (Typst lays out on threads of its own and waits
/// for them); `what` names it in the error.
pub(super) async fn typeset<F>(what: &str, typeset: F) -> Result<Vec<u8>, WebError>
where
    F: FnOnce() -> Result<Vec<u8>, String> + Send + 'static,
{
    tokio::task::spawn_blocking(typeset)
        .await
        .map_err(|e| WebError::Internal(format!("typesetting: {e}")))?
        .map_err(|why| WebError::Internal(format!("typesetting {what}: {why}")))
}

/// The quarter to generate, as the form sends it.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct GenerateForm {
    #[serde(default)]
    quarter: String,
}

/// Generates the account's client review of a quarter from Account 360 and goes back there.
pub async fn generate(
    State(app): State<App>,
    Path(slug): Path<String>,
    crate::extract::Signed { viewer, form }: crate::extract::Signed<GenerateForm>,
) -> PageResult {
    let (user, card, today, threshold) =
        (viewer.user.clone(), app.config().scorecard.clone(), app.today(), app.config().suppression_threshold);
    let account = slug.clone();
    app.run(move |store| {
        // Who may write first; then what they sent.
        authz::load_account(store, &user, &account, AccountAccess::Write)?;
        let quarter: Quarter =
            form.quarter.trim().parse().map_err(|e: steward_domain::ParseError| WebError::field("quarter", e.0))?;
        crate::client_reports::generate(store, &user, &card, &account, quarter, today, threshold)
    })
    .await?;
    Ok(axum::response::Redirect::to(&format!("/accounts/{slug}#reviews")).into_response())
}

/// A form that sends nothing but its CSRF token.
#[derive(Debug, Default, serde::Deserialize)]
pub struct Nothing {}

/// Publishes a kept review: the client sees it from now on.
pub async fn publish(
    State(app): State<App>,
    Path(id): Path<steward_domain::Id>,
    crate::extract::Signed { viewer, .. }: crate::extract::Signed<Nothing>,
) -> PageResult {
    let user = viewer.user.clone();
    let report = app.run(move |store| crate::client_reports::publish(store, &user, id)).await?;
    Ok(axum::response::Redirect::to(&format!("/accounts/{}#reviews", report.account)).into_response())
}

async fn kept(
    app: App,
    viewer: Viewer,
    id: steward_domain::Id,
    kind: steward_domain::report::ReportFile,
) -> PageResult {
    let user = viewer.user.clone();
    let (report, bytes) = app.run(move |store| crate::client_reports::file(store, &user, id, kind)).await?;
    let (content_type, ext) = match kind {
        steward_domain::report::ReportFile::Pdf => ("application/pdf", "pdf"),
        steward_domain::report::ReportFile::Csv => ("text/csv; charset=utf-8", "csv"),
    };
    let name = format!("attachment; filename=\"qbr-{}-{}-v{}.{ext}\"", report.account, report.quarter, report.version);
    Ok(file(content_type, name, bytes))
}

/// A kept review's file, `/reports/{id}.pdf` or `/reports/{id}.csv`: our people's, or a
/// client's published one.
pub async fn kept_file(State(app): State<App>, viewer: Viewer, Path(file): Path<String>) -> PageResult {
    use steward_domain::report::ReportFile;
    let (id, kind) = match file.rsplit_once('.') {
        Some((id, "pdf")) => (id, ReportFile::Pdf),
        Some((id, "csv")) => (id, ReportFile::Csv),
        _ => return Err(WebError::NotFound(format!("report {file}")).into()),
    };
    let id = id.parse().map_err(|_| WebError::NotFound(format!("report {file}")))?;
    kept(app, viewer, id, kind).await
}
