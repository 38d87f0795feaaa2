//! The API's handlers: each reads its caller, asks `authz`, and answers with DOMAIN.md's
//! names. Failures become the one error body in `error`.

use crate::app::App;
use crate::auth::ApiCaller;
use crate::authz::{self, AccountAccess, Capability};
use crate::book::{BookQuery, select};
use crate::error::{ApiError, ApiResult, WebError};
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use crate::results::{ClientQuery, client_results};
use crate::tasks::{Change, apply};
use crate::upload::{self, Upload};
use crate::writes::{self, ActivityInput, TaskInput};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use steward_domain::metrics::MonthMetrics;
use steward_domain::suppression::ClientMonth;
use steward_domain::{ActivityKind, Email, Month};
use steward_store::TaskFilter;

/// A JSON integer, written `7` or `7.0` (JSON Schema's `integer` allows both).
pub(super) fn whole_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    n.as_i64()
        .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15).map(|f| f as i64))
        .ok_or_else(|| serde::de::Error::custom(format!("{n} is not a whole number")))
}

fn whole_numbers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<i64>, D::Error> {
    #[derive(Deserialize)]
    struct Whole(#[serde(deserialize_with = "whole_number")] i64);
    Ok(Vec::<Whole>::deserialize(d)?.into_iter().map(|w| w.0).collect())
}

/// An optional query or body value of a domain type; an empty one is absent. Taken as
/// sent: spaces around it make it another value, as the API document says.
pub(super) fn optional<T: std::str::FromStr>(
    value: Option<&str>,
    field: &str,
    problem: &str,
) -> Result<Option<T>, WebError> {
    match value.filter(|v| !v.is_empty()) {
        Some(v) if v.trim() != v => Err(WebError::field(field, problem)),
        Some(v) => v.parse().map(Some).map_err(|_| WebError::field(field, problem)),
        None => Ok(None),
    }
}

/// `{"items": [...], "page": N, "per_page": M, "total": T}`.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub page: usize,
    pub per_page: usize,
    pub total: usize,
}

/// A list narrowed to an account and a status word, a page at a time (quotes, projects).
#[derive(Debug, Default, Deserialize)]
pub struct AccountStatusQuery {
    #[serde(default)]
    pub(super) account: Option<String>,
    #[serde(default)]
    pub(super) status: Option<String>,
    #[serde(default)]
    pub(super) page: Option<usize>,
    #[serde(default)]
    pub(super) per_page: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    #[serde(default)]
    pub(super) page: Option<usize>,
    #[serde(default)]
    pub(super) per_page: Option<usize>,
}

pub(super) fn paged<T>(all: Vec<T>, page: Option<usize>, per_page: Option<usize>) -> Result<Page<T>, WebError> {
    crate::book::check_paging(page, per_page)?;
    let page = page.unwrap_or(1).max(1);
    let per_page = per_page.unwrap_or(crate::book::DEFAULT_PER_PAGE).clamp(1, crate::book::MAX_PER_PAGE);
    let total = all.len();
    Ok(Page {
        items: all.into_iter().skip((page - 1).saturating_mul(per_page)).take(per_page).collect(),
        page,
        per_page,
        total,
    })
}

pub async fn not_found() -> ApiError {
    ApiError(WebError::NotFound("this API route".into()))
}

pub async fn method_not_allowed() -> ApiError {
    ApiError(WebError::MethodNotAllowed)
}

#[derive(Debug, Serialize)]
pub struct AccountRow {
    slug: String,
    name: String,
    segment: String,
    status: String,
    owner: Option<String>,
    health: Option<HealthBrief>,
    eligible_lives: Option<i64>,
    enrolled_members: Option<i64>,
    enrollment_rate: Option<f64>,
    utilization_rate: Option<f64>,
    nps: Option<f64>,
    nps_responses: i64,
    arr: Option<f64>,
    renewal_date: Option<NaiveDate>,
    days_to_notice_deadline: Option<i64>,
}

#[derive(Debug, Serialize)]
pub struct HealthBrief {
    score: i64,
    band: String,
    change: Option<f64>,
    /// Some measures had no data; the score uses the others.
    insufficient_data: bool,
}

pub async fn accounts(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<BookQuery>,
) -> ApiResult<Json<Page<AccountRow>>> {
    authz::check(&user, Capability::Book)?;
    q.validate()?;
    let book = app.book().await?;
    let rows: Vec<AccountRow> = select(&book, &q, &user)
        .into_iter()
        .map(|r| AccountRow {
            slug: r.slug.clone(),
            name: r.name.clone(),
            segment: r.segment.clone(),
            status: r.status.clone(),
            owner: r.owner.clone(),
            health: r.health.as_ref().map(|h| HealthBrief {
                score: h.score,
                band: h.band.to_owned(),
                change: h.change_points,
                insufficient_data: h.insufficient_data,
            }),
            eligible_lives: r.eligible_lives,
            enrolled_members: r.enrolled_members,
            enrollment_rate: r.enrollment_rate,
            utilization_rate: r.utilization_rate,
            nps: r.nps,
            nps_responses: r.nps_responses,
            arr: r.arr_cents.map(|c| c as f64 / 100.0),
            renewal_date: r.renewal,
            days_to_notice_deadline: r.days_to_notice,
        })
        .collect();
    Ok(Json(paged(rows, Some(q.page()), Some(q.per_page()))?))
}

pub async fn account(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let (today, card) = (app.today(), app.config().scorecard.clone());
    let body = app
        .run(move |store| {
            let (account, access) = authz::load_account(store, &user, &slug, AccountAccess::None)?;
            if access == AccountAccess::Results {
                return Ok(serde_json::json!({ "slug": account.slug, "name": account.name }));
            }
            let worksites = store.worksites(&account.slug)?;
            let mut body = serde_json::json!({
                "slug": account.slug, "name": account.name, "segment": account.segment, "industry": account.industry,
                "status": account.status, "owner": account.owner, "parent": account.parent,
                "employee_count": account.employee_count, "enrollment_target": account.enrollment_target,
                "worksites": worksites.iter().map(|w| serde_json::json!({ "name": w.name, "metro": w.metro })).collect::<Vec<_>>(),
                "version": account.version,
            });
            if access.allows(AccountAccess::Read) {
                let data = steward_health::history::AccountData::load(store, &account.slug)?;
                let s = steward_health::AccountSummary::of(&data, &card, today);
                body["health"] = serde_json::to_value(&s.health).unwrap_or_default();
                body["health_change"] = serde_json::to_value(&s.health_change).unwrap_or_default();
                body["arr"] = serde_json::to_value(s.arr).unwrap_or_default();
                body["contract"] = serde_json::to_value(&s.contract).unwrap_or_default();
                body["latest_metrics"] = serde_json::to_value(&s.latest).unwrap_or_default();
            }
            Ok(body)
        })
        .await?;
    Ok(Json(body))
}

#[derive(Debug, Default, Deserialize)]
pub struct MetricsQuery {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    cut: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

pub async fn metrics(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<MetricsQuery>,
) -> ApiResult<Json<Page<serde_json::Value>>> {
    const MONTH: &str = "write the month as YYYY-MM";
    let from: Option<Month> = optional(q.from.as_deref(), "from", MONTH)?;
    let to: Option<Month> = optional(q.to.as_deref(), "to", MONTH)?;
    let kind = crate::results::cut_kind(q.by.as_deref())?;
    let items = app
        .run(move |store| {
            // Exact figures are internal: a client reads their program through `results`.
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            let rows = store.metrics(&account.slug, kind, from, to)?;
            let as_of = store.metrics_as_of(&account.slug)?;
            Ok(rows
                .iter()
                .filter(|(cut, _, _)| q.cut.as_deref().is_none_or(|c| c.is_empty() || cut.value() == c))
                .map(|(cut, m, c)| MonthMetrics::from_counts(*m, cut, c, as_of))
                .filter_map(|m| serde_json::to_value(m).ok())
                .collect())
        })
        .await?;
    Ok(Json(paged(items, q.page, q.per_page)?))
}

/// The program as its client sees it: every figure through the client-privacy function.
pub async fn results(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(q): Query<MetricsQuery>,
) -> ApiResult<Json<Page<ClientMonth>>> {
    const MONTH: &str = "write the month as YYYY-MM";
    let from: Option<Month> = optional(q.from.as_deref(), "from", MONTH)?;
    let to: Option<Month> = optional(q.to.as_deref(), "to", MONTH)?;
    let threshold = app.config().suppression_threshold;
    let items = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Results)?;
            let cq = ClientQuery { by: q.by.clone(), cut: q.cut.clone() };
            let in_range = |m: Month| from.is_none_or(|f| m >= f) && to.is_none_or(|t| m <= t);
            Ok(client_results(store, &account, threshold, &cq)?.into_iter().filter(|m| in_range(m.month)).collect())
        })
        .await?;
    Ok(Json(paged(items, q.page, q.per_page)?))
}

pub async fn health(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<serde_json::Value>>> {
    let (card, today) = (app.config().scorecard.clone(), app.today());
    let months = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            let h = steward_health::history(store, &card, &account.slug, today)?;
            Ok(h.months
                .iter()
                .map(|(m, s)| serde_json::json!({ "month": m, "score": s.score, "band": s.band, "insufficient_data": s.insufficient_data, "drivers": s.drivers }))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(Json(paged(months, p.page, p.per_page)?))
}

pub async fn contacts(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<steward_domain::Contact>>> {
    let contacts = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            Ok(store.contacts(&account.slug)?)
        })
        .await?;
    Ok(Json(paged(contacts, p.page, p.per_page)?))
}

pub async fn activities(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<steward_domain::Activity>>> {
    let activities = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            Ok(store.activities(&account.slug, i64::MAX)?)
        })
        .await?;
    Ok(Json(paged(activities, p.page, p.per_page)?))
}

#[derive(Debug, Deserialize)]
pub struct ActivityBody {
    kind: String,
    #[serde(default)]
    occurred_on: Option<NaiveDate>,
    summary: String,
    #[serde(default, deserialize_with = "whole_numbers")]
    contact_ids: Vec<i64>,
}

pub async fn log_activity(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<ActivityBody>,
) -> ApiResult<impl IntoResponse> {
    let kind: ActivityKind = body.kind.parse().map_err(|e: steward_domain::ParseError| WebError::field("kind", e.0))?;
    if body.summary.trim().is_empty() {
        return Err(WebError::field("summary", "a summary is required").into());
    }
    let input = ActivityInput {
        kind,
        day: body.occurred_on.unwrap_or(app.today()),
        summary: body.summary,
        contact_ids: body.contact_ids,
    };
    let activity = app.run(move |store| writes::log_activity(store, &user, &slug, input)).await?;
    app.account_changed(&activity.account).await;
    Ok((StatusCode::CREATED, Json(activity)))
}

#[derive(Debug, Default, Deserialize)]
pub struct TaskQuery {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

pub async fn tasks(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<TaskQuery>,
) -> ApiResult<Json<Page<steward_domain::Task>>> {
    authz::check(&user, Capability::Work)?;
    let filter = TaskFilter {
        department: None,
        objective: None,
        account: optional(q.account.as_deref(), "account", "not an account slug")?,
        owner: optional(q.owner.as_deref(), "owner", "not an e-mail address")?,
        status: optional(q.status.as_deref(), "status", "status is open, done or dismissed")?,
    };
    let tasks = app
        .run(move |store| Ok(store.tasks(&filter)?.into_iter().filter(|t| authz::may_see_task(&user, t)).collect()))
        .await?;
    Ok(Json(paged(tasks, q.page, q.per_page)?))
}

pub async fn task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<steward_domain::Task>> {
    let task = app
        .run(move |store| {
            let task = store.task(id)?;
            if authz::may_see_task(&user, &task) { Ok(task) } else { Err(authz::refusal(&user, &format!("task {id}"))) }
        })
        .await?;
    Ok(Json(task))
}

#[derive(Debug, Deserialize)]
pub struct TaskBody {
    account: String,
    title: String,
    #[serde(default)]
    detail: String,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    due_date: Option<NaiveDate>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    for_renewal: Option<bool>,
    #[serde(default)]
    objective: Option<i64>,
}

pub async fn create_task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    JsonBody(body): JsonBody<TaskBody>,
) -> ApiResult<impl IntoResponse> {
    if body.title.trim().is_empty() {
        return Err(WebError::field("title", "a title is required").into());
    }
    let owner = optional(body.owner.as_deref(), "owner", "not an e-mail address")?;
    let priority = optional(body.priority.as_deref(), "priority", "priority is low, normal, high or urgent")?;
    let input = TaskInput {
        title: body.title,
        detail: body.detail,
        owner,
        due_date: body.due_date,
        priority,
        for_renewal: body.for_renewal.unwrap_or(false),
        objective: body.objective,
    };
    let task = app.run(move |store| writes::add_task(store, &user, &body.account, input)).await?;
    if let Some(account) = &task.account {
        app.account_changed(account).await;
    }
    Ok((StatusCode::CREATED, Json(task)))
}

#[derive(Debug, Deserialize)]
pub struct TaskChangeBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    #[serde(default)]
    until: Option<NaiveDate>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    note: Option<String>,
}

async fn change_task(
    app: App,
    user: steward_domain::User,
    id: i64,
    version: i64,
    change: Change,
) -> ApiResult<Json<steward_domain::Task>> {
    let task = app.run(move |store| apply(store, &user, id, version, change)).await?;
    if let Some(account) = &task.account {
        app.account_changed(account).await;
    }
    Ok(Json(task))
}

pub async fn complete_task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TaskChangeBody>,
) -> ApiResult<Json<steward_domain::Task>> {
    change_task(app, user, id, b.version, Change::Complete).await
}

pub async fn reopen_task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TaskChangeBody>,
) -> ApiResult<Json<steward_domain::Task>> {
    change_task(app, user, id, b.version, Change::Reopen).await
}

pub async fn wake_task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TaskChangeBody>,
) -> ApiResult<Json<steward_domain::Task>> {
    change_task(app, user, id, b.version, Change::Wake).await
}

pub async fn snooze_task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TaskChangeBody>,
) -> ApiResult<Json<steward_domain::Task>> {
    let until = b.until.ok_or_else(|| WebError::field("until", "until (YYYY-MM-DD) is required"))?;
    let until = crate::tasks::snooze_until(until, app.today())?;
    change_task(app, user, id, b.version, Change::Snooze(until)).await
}

pub async fn reassign_task(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<TaskChangeBody>,
) -> ApiResult<Json<steward_domain::Task>> {
    let owner = b
        .owner
        .as_deref()
        .map(Email::parse)
        .transpose()
        .map_err(|_| WebError::field("owner", "not an e-mail address"))?;
    let owner = owner.ok_or_else(|| WebError::field("owner", "owner is required"))?;
    let note = steward_domain::input::normalize_newlines(&b.note.unwrap_or_default());
    let change = Change::Reassign { owner, note, on: app.today() };
    change_task(app, user, id, b.version, change).await
}

pub async fn work(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<steward_health::work::WorkRow>>> {
    // Paged here, not by the database: the rank is worked out over every open task.
    authz::check(&user, Capability::Work)?;
    let rows = app.work_queue(user).await?.into_iter().map(|(row, _)| row).collect();
    Ok(Json(paged(rows, p.page, p.per_page)?))
}

/// A JSON body's field as the text a form field would hold, for bodies read only once the
/// caller may write: a string (where text is asked), nothing for null, a number as written
/// (where a number is asked); anything else refused beside its name.
pub(super) fn field_text(field: &str, v: &serde_json::Value, number: bool) -> Result<String, WebError> {
    match v {
        serde_json::Value::String(s) if !number => Ok(s.clone()),
        serde_json::Value::Null => Ok(String::new()),
        serde_json::Value::Number(n) if number => Ok(n.to_string()),
        _ => Err(WebError::field(field, if number { "a number" } else { "text" })),
    }
}

/// A list of one account's (or every account's) things, a page at a time.
#[derive(Debug, Default, Deserialize)]
pub struct AccountQuery {
    #[serde(default)]
    pub(super) account: Option<String>,
    #[serde(default)]
    pub(super) page: Option<usize>,
    #[serde(default)]
    pub(super) per_page: Option<usize>,
}

pub async fn imports(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<AccountQuery>,
) -> ApiResult<Json<Page<steward_domain::ImportBatch>>> {
    authz::check(&user, Capability::Imports)?;
    let account = optional(q.account.as_deref(), "account", "not an account slug")?;
    let batches = app.run(move |store| Ok(store.imports(account.as_ref())?)).await?;
    Ok(Json(paged(batches, q.page, q.per_page)?))
}

pub async fn import_batch(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<steward_domain::ImportBatch>> {
    authz::check(&user, Capability::Imports)?;
    Ok(Json(app.run(move |store| Ok(store.import_batch(id)?)).await?))
}

#[derive(Debug, Deserialize)]
pub struct ImportQuery {
    #[serde(default)]
    account: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    file_name: Option<String>,
    #[serde(default)]
    as_of: Option<NaiveDate>,
    #[serde(default)]
    force: bool,
    #[serde(default)]
    mapping: Option<String>,
}

pub async fn import(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<ImportQuery>,
    headers: axum::http::HeaderMap,
    body: axum::body::Body,
) -> ApiResult<impl IntoResponse> {
    use http_body_util::BodyExt;
    // Everything about the caller and the request is settled before the body is read.
    let account = upload::authorize(&app, &user, &q.account).await?;
    let kind = upload::kind(&q.kind)?;
    let as_of = crate::forms::checked_date("as_of", q.as_of)?;
    upload::check_declared_length(&app, &headers)?;
    let file_name = q.file_name.unwrap_or_else(|| format!("{}.upload", kind.as_str()));
    let mut spool = upload::Spool::create(&app, &file_name).await?;
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| WebError::invalid(format!("the upload was cut short: {e}")))?;
        if let Ok(chunk) = frame.into_data() {
            spool.write(&chunk).await?;
        }
    }
    let request = Upload { account, kind, file: spool.finish().await?, as_of, force: q.force, mapping: q.mapping };
    let batch = upload::import(&app, &user, request).await?;
    if batch.status == steward_domain::ImportStatus::Refused {
        let why = batch.errors.first().map_or_else(|| "the file was refused".to_owned(), |e| e.message.clone());
        let message = format!("{} was refused and nothing of it was applied: {why}", batch.file_name);
        return Err(WebError::ImportRefused { message, batch: serde_json::to_value(&batch).unwrap_or_default() }.into());
    }
    Ok((StatusCode::CREATED, Json(batch)))
}
