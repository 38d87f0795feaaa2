//! Experiments over the API: the design a test needs, launching one, listing them and
//! reading one — the same rules as the pages (`crate::experiments`). Rates are fractions
//! 0–1 here, as everywhere in the API; the smallest effect is in enrollment points.

use super::handlers::{AccountQuery, Page, field_text as text, paged};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::error::{ApiResult, WebError};
use crate::experiments::{self, DesignFields, LaunchFields};
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::Deserialize;
use steward_health::experiments::{Listed, Planned, Results};

pub async fn list(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<AccountQuery>,
) -> ApiResult<Json<Page<Listed>>> {
    let today = app.today();
    let account = q.account.clone();
    let all = app.run(move |store| experiments::list(store, &user, account.as_deref())).await?;
    Ok(Json(paged(all.into_iter().map(|e| Listed::of(e, today)).collect(), q.page, q.per_page)?))
}

pub async fn one(State(app): State<App>, ApiCaller(user): ApiCaller, Path(id): Path<i64>) -> ApiResult<Json<Listed>> {
    let today = app.today();
    let (e, _) = app.run(move |store| experiments::load(store, &user, id)).await?;
    Ok(Json(Listed::of(e, today)))
}

pub async fn results(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Results>> {
    let today = app.today();
    let (.., read) = app.run(move |store| experiments::results(store, &user, id, today)).await?;
    Ok(Json(read))
}

/// What is randomized and the design's numbers, as the query gives them.
#[derive(Debug, Default, Deserialize)]
pub struct DesignQuery {
    #[serde(default)]
    account: String,
    #[serde(default)]
    segment: String,
    #[serde(default)]
    mde: String,
    #[serde(default)]
    baseline: String,
    #[serde(default)]
    alpha: String,
    #[serde(default)]
    power: String,
    #[serde(default)]
    icc: String,
}

pub async fn design(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<DesignQuery>,
) -> ApiResult<Json<Planned>> {
    let today = app.today();
    let planned = app
        .run(move |store| {
            // Who may read these units first; then the numbers, as the document writes them.
            experiments::may_experiment(&user)?;
            let units = experiments::units(&q.account, &q.segment)?;
            experiments::may_read(store, &user, &units)?;
            for (field, value, required) in [
                ("mde", &q.mde, true),
                ("baseline", &q.baseline, false),
                ("alpha", &q.alpha, false),
                ("power", &q.power, false),
                ("icc", &q.icc, false),
            ] {
                if !decimal(value, required) {
                    return Err(WebError::field(field, "a decimal number such as 3 or 0.05"));
                }
            }
            let fields = DesignFields { mde: q.mde, baseline: q.baseline, alpha: q.alpha, power: q.power, icc: q.icc };
            let mut e = crate::forms::FieldErrors::default();
            let ask = fields.ask(&mut e, true, true);
            e.check()?;
            let ask = ask.ok_or_else(|| WebError::field("mde", "the design is incomplete"))?;
            experiments::design(store, &user, &units, &ask, today)
        })
        .await?;
    Ok(Json(planned))
}

/// `^-?[0-9]{1,6}(\.[0-9]{1,9})?$` (the document's pattern), or empty when not `required`.
fn decimal(text: &str, required: bool) -> bool {
    if text.is_empty() {
        return !required;
    }
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    let all_digits = |s: &str, most: usize| (1..=most).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole, 6) && fraction.is_none_or(|f| all_digits(f, 9))
}

/// What the API sends to launch one. Every field is read as it came, so a caller who may not
/// launch on those units hears that first, and a wrong field is refused beside its name once
/// they may.
#[derive(Debug, Deserialize)]
pub struct LaunchBody {
    #[serde(default)]
    account: serde_json::Value,
    #[serde(default)]
    segment: serde_json::Value,
    #[serde(default)]
    name: serde_json::Value,
    #[serde(default)]
    change: serde_json::Value,
    #[serde(default)]
    mde: serde_json::Value,
    #[serde(default)]
    baseline: serde_json::Value,
    #[serde(default)]
    alpha: serde_json::Value,
    #[serde(default)]
    power: serde_json::Value,
    #[serde(default)]
    icc: serde_json::Value,
    #[serde(default)]
    start_date: serde_json::Value,
    #[serde(default)]
    end_date: serde_json::Value,
    #[serde(default)]
    seed: serde_json::Value,
    #[serde(default)]
    override_reason: serde_json::Value,
}

pub async fn launch(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    JsonBody(b): JsonBody<LaunchBody>,
) -> ApiResult<impl IntoResponse> {
    let today = app.today();
    let made = app
        .run(move |store| {
            // Who may launch on these units first; then what they sent.
            experiments::may_experiment(&user)?;
            let units = experiments::units(&text("account", &b.account, false)?, &text("segment", &b.segment, false)?)?;
            experiments::may_launch(store, &user, &units)?;
            let design = DesignFields {
                mde: text("mde", &b.mde, true)?,
                baseline: text("baseline", &b.baseline, true)?,
                alpha: text("alpha", &b.alpha, true)?,
                power: text("power", &b.power, true)?,
                icc: text("icc", &b.icc, true)?,
            };
            let fields = LaunchFields {
                name: text("name", &b.name, false)?,
                change: text("change", &b.change, false)?,
                start_date: text("start_date", &b.start_date, false)?,
                end_date: text("end_date", &b.end_date, false)?,
                seed: text("seed", &b.seed, true)?,
                override_reason: text("override_reason", &b.override_reason, false)?,
            };
            experiments::launch(store, &user, &units, &design, true, &fields, today)
        })
        .await?;
    app.treatments_changed();
    Ok((StatusCode::CREATED, Json(Listed::of(made, today))))
}
