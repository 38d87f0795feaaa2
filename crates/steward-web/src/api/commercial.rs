//! The commercial API: contracts (signing, amending, their history), ARR at every month
//! end and retention. The rules are `crate::contracts`' and the domain's, as on the pages.

use super::handlers::{AccountStatusQuery, Page, Paging, optional, paged, whole_number};
use crate::app::App;
use crate::auth::ApiCaller;
use crate::authz::{self, AccountAccess, Capability};
use crate::contracts::{self, Term};
use crate::error::ApiResult;
use crate::extract::JsonBody;
use crate::extract::api::{Path, Query};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use steward_domain::forecast::{Goal, Quarter};
use steward_domain::opportunity::{ForecastCategory, Move, NewOpportunity, Opportunity, OpportunityKind, Scope, Stage};
use steward_domain::quote::{Quote, QuoteDraft, QuoteStatus};
use steward_domain::{Amendment, Contract, Money, Month, Slug, Terms};
use steward_health::pipeline::NextTerm;
use steward_health::revenue::{RetentionBy, RetentionRow, retention_rows};
use steward_store::{ArrFilter, OpportunityEdit, OpportunityFilter, QuoteFilter};

pub async fn contracts(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<Contract>>> {
    let all = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            Ok(store.contracts(&account.slug)?)
        })
        .await?;
    Ok(Json(paged(all, p.page, p.per_page)?))
}

pub async fn contract(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Contract>> {
    let contract = app
        .run(move |store| {
            let contract = store.contract(id)?;
            authz::load_account(store, &user, contract.account.as_str(), AccountAccess::Read)?;
            Ok(contract)
        })
        .await?;
    Ok(Json(contract))
}

#[derive(Debug, Deserialize)]
pub struct SignBody {
    start_date: NaiveDate,
    end_date: NaiveDate,
    #[serde(deserialize_with = "whole_number")]
    notice_days: i64,
    #[serde(default)]
    auto_renew: bool,
    terms: Terms,
    reason: String,
}

pub async fn sign_contract(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<SignBody>,
) -> ApiResult<impl IntoResponse> {
    let term = Term {
        start_date: b.start_date,
        end_date: b.end_date,
        notice_days: b.notice_days,
        auto_renew: b.auto_renew,
        terms: b.terms,
    };
    let contract = app.run(move |store| contracts::sign(store, &user, &slug, term, &b.reason)).await?;
    app.account_changed(&contract.account).await;
    Ok((StatusCode::CREATED, Json(contract)))
}

#[derive(Debug, Deserialize)]
pub struct AmendBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    effective_from: NaiveDate,
    end_date: NaiveDate,
    #[serde(deserialize_with = "whole_number")]
    notice_days: i64,
    #[serde(default)]
    auto_renew: bool,
    terms: Terms,
    reason: String,
}

pub async fn amend_contract(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<AmendBody>,
) -> ApiResult<Json<Contract>> {
    let amendment = Amendment {
        effective_from: b.effective_from,
        terms: b.terms,
        end_date: b.end_date,
        notice_days: b.notice_days,
        auto_renew: b.auto_renew,
    };
    let contract = app.run(move |store| contracts::amend(store, &user, id, b.version, &amendment, &b.reason)).await?;
    app.account_changed(&contract.account).await;
    Ok(Json(contract))
}

#[derive(Debug, Deserialize)]
pub struct ArrQuery {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct ArrRow {
    account: Slug,
    month: Month,
    arr: Money,
    at_risk: Money,
}

const MONTH: &str = "write the month as YYYY-MM";
/// The largest whole number a JSON number holds exactly: what the document allows for ids
/// and versions.
const MAX_SAFE: i64 = (1 << 53) - 1;

pub async fn arr(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<ArrQuery>,
) -> ApiResult<Json<Page<ArrRow>>> {
    authz::check(&user, Capability::Book)?;
    let filter = ArrFilter {
        account: optional(q.account.as_deref(), "account", "not an account")?,
        from: optional(q.from.as_deref(), "from", MONTH)?,
        to: optional(q.to.as_deref(), "to", MONTH)?,
    };
    let rows = app
        .run(move |store| {
            if let Some(slug) = &filter.account {
                authz::load_account(store, &user, slug.as_str(), AccountAccess::Read)?;
            }
            Ok(store.arr_snapshots(&filter)?)
        })
        .await?;
    let rows = rows
        .into_iter()
        .map(|(account, s)| ArrRow { account, month: s.month, arr: s.arr, at_risk: s.at_risk })
        .collect();
    Ok(Json(paged(rows, q.page, q.per_page)?))
}

#[derive(Debug, Deserialize)]
pub struct RetentionQuery {
    #[serde(default)]
    month: Option<String>,
    #[serde(default)]
    by: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

pub async fn retention(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<RetentionQuery>,
) -> ApiResult<Json<Page<RetentionRow>>> {
    authz::check(&user, Capability::Book)?;
    let month =
        optional::<Month>(q.month.as_deref(), "month", MONTH)?.unwrap_or_else(|| Month::of(app.today()).plus(-1));
    let by = match q.by.as_deref().unwrap_or("") {
        "" => None,
        "owner" => Some(RetentionBy::Owner),
        "segment" => Some(RetentionBy::Segment),
        _ => return Err(crate::error::WebError::field("by", "by owner or segment").into()),
    };
    let rows = app.run(move |store| Ok(retention_rows(store, month, by)?)).await?;
    Ok(Json(paged(rows, q.page, q.per_page)?))
}

#[derive(Debug, Deserialize)]
pub struct OpportunityQuery {
    #[serde(default)]
    account: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

pub async fn opportunities(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<OpportunityQuery>,
) -> ApiResult<Json<Page<Opportunity>>> {
    authz::check(&user, Capability::Book)?;
    let filter = OpportunityFilter {
        account: optional(q.account.as_deref(), "account", "not an account slug")?,
        kind: optional(q.kind.as_deref(), "kind", "renewal, upsell or expansion")?,
        stage: optional(q.stage.as_deref(), "stage", "not a stage")?,
        owner: optional(q.owner.as_deref(), "owner", "not an e-mail address")?,
        history: true,
        ..OpportunityFilter::default()
    };
    let list = app
        .run(move |store| {
            if let Some(slug) = &filter.account {
                authz::load_account(store, &user, slug.as_str(), AccountAccess::Read)?;
            }
            Ok(store.opportunities(&filter)?)
        })
        .await?;
    Ok(Json(paged(list, q.page, q.per_page)?))
}

pub async fn opportunity(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
) -> ApiResult<Json<Opportunity>> {
    let o = app
        .run(move |store| {
            let o = store.opportunity(id)?;
            authz::load_account(store, &user, o.account.as_str(), AccountAccess::Read)?;
            Ok(o)
        })
        .await?;
    Ok(Json(o))
}

#[derive(Debug, Deserialize)]
pub struct NewOpportunityBody {
    account: Slug,
    /// Read after the caller's access is known: a wrong word is not news to a stranger.
    kind: String,
    #[serde(default)]
    scope: Option<String>,
    title: String,
    amount: Money,
    close_date: NaiveDate,
    #[serde(default)]
    owner: Option<steward_domain::Email>,
}

pub async fn add_opportunity(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    JsonBody(b): JsonBody<NewOpportunityBody>,
) -> ApiResult<impl IntoResponse> {
    let o = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, b.account.as_str(), AccountAccess::Write)?;
            let kind: OpportunityKind =
                b.kind.parse().map_err(|_| crate::error::WebError::field("kind", "upsell or expansion"))?;
            let scope: Option<Scope> =
                optional(b.scope.as_deref(), "scope", "new_worksite, new_metro, subsidiary or add_on_service")?;
            let new = NewOpportunity {
                owner: b.owner.or(account.owner),
                account: b.account,
                kind,
                scope,
                title: b.title,
                stage: Stage::Identified,
                amount: b.amount,
                renewing_arr: None,
                close_date: b.close_date,
                contract_id: None,
            };
            crate::opportunities::add(store, &user, new)
        })
        .await?;
    app.account_changed(&o.account).await;
    Ok((StatusCode::CREATED, Json(o)))
}

#[derive(Debug, Deserialize)]
pub struct MoveBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    to: Stage,
    #[serde(default)]
    lost_reason: Option<String>,
    #[serde(default)]
    note: Option<String>,
    /// A won renewal's next term.
    #[serde(default)]
    rate: Option<Money>,
    #[serde(default)]
    term_months: Option<u32>,
}

pub async fn move_opportunity(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<MoveBody>,
) -> ApiResult<Json<Opportunity>> {
    let today = app.today();
    if b.term_months.is_some_and(|m| !(1..=120).contains(&m)) {
        return Err(crate::error::WebError::field("term_months", "a term is 1 to 120 months").into());
    }
    if b.rate.is_some_and(|r| r.cents < 0 || r > steward_domain::contract::MAX_PRICE) {
        return Err(crate::error::WebError::field("rate", "a rate from $0 to $1,000,000,000").into());
    }
    let mv = Move {
        to: b.to,
        lost_reason: b.lost_reason.filter(|r| !r.is_empty()),
        note: b.note.unwrap_or_default(),
        on: today,
    };
    let next = NextTerm { rate: b.rate, term_months: b.term_months };
    let o =
        app.run(move |store| crate::opportunities::move_opportunity(store, &user, id, &mv, next, b.version)).await?;
    app.account_changed(&o.account).await;
    Ok(Json(o))
}

#[derive(Debug, Deserialize)]
pub struct EditBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    amount: Money,
    close_date: NaiveDate,
    /// Null: the category follows the stage.
    #[serde(default)]
    forecast_category: Option<ForecastCategory>,
    #[serde(default)]
    owner: Option<steward_domain::Email>,
}

pub async fn edit_opportunity(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<EditBody>,
) -> ApiResult<Json<Opportunity>> {
    let edit = OpportunityEdit {
        amount: b.amount,
        close_date: b.close_date,
        forecast_category: b.forecast_category,
        owner: b.owner,
    };
    let o = app.run(move |store| crate::opportunities::edit(store, &user, id, &edit, b.version)).await?;
    app.account_changed(&o.account).await;
    Ok(Json(o))
}

#[derive(Debug, Deserialize)]
pub struct ForecastQuery {
    #[serde(default)]
    quarter: Option<String>,
    #[serde(default)]
    owner: Option<String>,
}

pub async fn forecast(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<ForecastQuery>,
) -> ApiResult<Json<steward_health::forecast::Forecast>> {
    authz::check(&user, Capability::Book)?;
    let today = app.today();
    let quarter = optional::<Quarter>(q.quarter.as_deref(), "quarter", "a quarter like 2027-Q1")?
        .unwrap_or_else(|| Quarter::of_day(today));
    let owner: Option<steward_domain::Email> = optional(q.owner.as_deref(), "owner", "not an e-mail address")?;
    let f =
        app.run(move |store| Ok(steward_health::forecast::forecast(store, quarter, owner.as_ref(), today)?)).await?;
    Ok(Json(f))
}

#[derive(Debug, Deserialize)]
pub struct GoalsQuery {
    #[serde(default)]
    year: Option<String>,
    #[serde(default)]
    page: Option<usize>,
    #[serde(default)]
    per_page: Option<usize>,
}

pub async fn goals(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<GoalsQuery>,
) -> ApiResult<Json<Page<steward_health::forecast::Attainment>>> {
    authz::check(&user, Capability::Book)?;
    let today = app.today();
    let year: i32 =
        optional(q.year.as_deref(), "year", "a year like 2027")?.unwrap_or_else(|| chrono::Datelike::year(&today));
    if !(1900..=2200).contains(&year) {
        return Err(crate::error::WebError::field("year", "a year from 1900 to 2200").into());
    }
    let rows = app.run(move |store| Ok(steward_health::forecast::attainment(store, year, today)?)).await?;
    Ok(Json(paged(rows, q.page, q.per_page)?))
}

#[derive(Debug, Deserialize)]
pub struct GoalBody {
    owner: steward_domain::Email,
    #[serde(deserialize_with = "whole_number")]
    year: i64,
    gross_retention: f64,
    net_retention: f64,
    bookings: Money,
}

pub async fn set_goal(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    JsonBody(b): JsonBody<GoalBody>,
) -> ApiResult<Json<steward_domain::forecast::Goal>> {
    authz::check(&user, Capability::Team)?;
    let year = i32::try_from(b.year).map_err(|_| crate::error::WebError::field("year", "not a year"))?;
    let goal = Goal {
        owner: b.owner,
        year,
        gross_retention: b.gross_retention,
        net_retention: b.net_retention,
        bookings: b.bookings,
    };
    let kept = goal.clone();
    app.run(move |store| {
        match store.user(&goal.owner) {
            Ok(u) if u.role == steward_domain::Role::AccountManager => {}
            _ => return Err(crate::error::WebError::field("owner", "goals are set for account managers")),
        }
        Ok(store.set_goal(&goal, Some(&user.email))?)
    })
    .await?;
    app.goals_changed();
    Ok(Json(kept))
}

pub async fn quotes(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Query(q): Query<AccountStatusQuery>,
) -> ApiResult<Json<Page<Quote>>> {
    authz::check(&user, Capability::Book)?;
    let filter = QuoteFilter {
        account: optional(q.account.as_deref(), "account", "not an account slug")?,
        status: optional(q.status.as_deref(), "status", "draft, submitted, approved, rejected or accepted")?,
        opportunity: None,
    };
    let list = app
        .run(move |store| {
            if let Some(slug) = &filter.account {
                authz::load_account(store, &user, slug.as_str(), AccountAccess::Read)?;
            }
            Ok(store.quotes(&filter)?)
        })
        .await?;
    Ok(Json(paged(list, q.page, q.per_page)?))
}

pub async fn quote(State(app): State<App>, ApiCaller(user): ApiCaller, Path(id): Path<i64>) -> ApiResult<Json<Quote>> {
    let q = app
        .run(move |store| {
            let q = store.quote(id)?;
            authz::load_account(store, &user, q.account.as_str(), AccountAccess::Read)?;
            Ok(q)
        })
        .await?;
    Ok(Json(q))
}

#[derive(Debug, Deserialize)]
pub struct QuoteBody {
    #[serde(default)]
    account: Option<Slug>,
    #[serde(default)]
    opportunity_id: Option<i64>,
    terms: Terms,
    start_date: NaiveDate,
    #[serde(deserialize_with = "whole_number")]
    term_months: i64,
    #[serde(default)]
    what_if_points: Option<f64>,
    #[serde(default)]
    version: Option<i64>,
}

impl QuoteBody {
    fn draft(&self, account: Slug) -> Result<QuoteDraft, crate::error::WebError> {
        let term_months = u32::try_from(self.term_months)
            .map_err(|_| crate::error::WebError::field("term_months", "a term is 1 to 120 months"))?;
        Ok(QuoteDraft {
            account,
            opportunity_id: self.opportunity_id,
            terms: self.terms.clone(),
            start_date: self.start_date,
            term_months,
            what_if_points: self.what_if_points.unwrap_or(5.0),
        })
    }
}

pub async fn add_quote(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    JsonBody(b): JsonBody<QuoteBody>,
) -> ApiResult<impl IntoResponse> {
    if b.version.is_some_and(|v| !(1..=MAX_SAFE).contains(&v))
        || b.opportunity_id.is_some_and(|o| !(1..=MAX_SAFE).contains(&o))
    {
        return Err(crate::error::WebError::field("version", "versions and ids are 1 or more").into());
    }
    let today = app.today();
    let q = app
        .run(move |store| {
            let account = b.account.clone().ok_or_else(|| crate::error::WebError::field("account", "which account"))?;
            authz::load_account(store, &user, account.as_str(), AccountAccess::Write)?;
            crate::quotes::create(store, &user, &b.draft(account)?, today)
        })
        .await?;
    Ok((StatusCode::CREATED, Json(q)))
}

pub async fn revise_quote(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<QuoteBody>,
) -> ApiResult<Json<Quote>> {
    if b.version.is_some_and(|v| !(1..=MAX_SAFE).contains(&v)) {
        return Err(crate::error::WebError::field("version", "a version is a whole number from 1").into());
    }
    let today = app.today();
    let q = app
        .run(move |store| {
            let account = store.quote(id)?.account;
            authz::load_account(store, &user, account.as_str(), AccountAccess::Write)?;
            let version = b.version.ok_or_else(|| crate::error::WebError::field("version", "the version you read"))?;
            crate::quotes::revise(store, &user, id, &b.draft(account)?, version, today)
        })
        .await?;
    Ok(Json(q))
}

#[derive(Debug, Deserialize)]
pub struct QuoteStepBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    #[serde(default)]
    note: Option<String>,
}

async fn quote_step(
    app: App,
    user: steward_domain::User,
    id: i64,
    b: QuoteStepBody,
    to: QuoteStatus,
) -> ApiResult<Json<Quote>> {
    let (note, today) = (b.note.unwrap_or_default(), app.today());
    let q = app.run(move |store| crate::quotes::transition(store, &user, id, to, &note, b.version, today)).await?;
    app.account_changed(&q.account).await;
    Ok(Json(q))
}

pub async fn submit_quote(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<QuoteStepBody>,
) -> ApiResult<Json<Quote>> {
    quote_step(app, user, id, b, QuoteStatus::Submitted).await
}

pub async fn approve_quote(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<QuoteStepBody>,
) -> ApiResult<Json<Quote>> {
    quote_step(app, user, id, b, QuoteStatus::Approved).await
}

pub async fn reject_quote(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<QuoteStepBody>,
) -> ApiResult<Json<Quote>> {
    quote_step(app, user, id, b, QuoteStatus::Rejected).await
}

pub async fn accept_quote(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<QuoteStepBody>,
) -> ApiResult<Json<Quote>> {
    quote_step(app, user, id, b, QuoteStatus::Accepted).await
}

#[derive(Debug, Deserialize)]
pub struct ContactBody {
    name: String,
    #[serde(default)]
    title: Option<String>,
    role: String,
    #[serde(deserialize_with = "whole_number")]
    influence: i64,
    #[serde(deserialize_with = "whole_number")]
    sentiment: i64,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    version: Option<i64>,
}

impl ContactBody {
    /// The same reading as the page's form.
    fn form(&self) -> Result<crate::stakeholders::ContactForm, crate::error::WebError> {
        if self.version.is_some_and(|v| !(1..=MAX_SAFE).contains(&v)) {
            return Err(crate::error::WebError::field("version", "a version is a whole number from 1"));
        }
        Ok(self.form_fields())
    }

    fn form_fields(&self) -> crate::stakeholders::ContactForm {
        crate::stakeholders::ContactForm {
            name: self.name.clone(),
            title: self.title.clone().unwrap_or_default(),
            role: self.role.clone(),
            influence: self.influence.to_string(),
            sentiment: self.sentiment.to_string(),
            email: self.email.clone().unwrap_or_default(),
            phone: self.phone.clone().unwrap_or_default(),
            version: self.version.map(|v| v.to_string()).unwrap_or_default(),
        }
    }
}

pub async fn add_contact(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ContactBody>,
) -> ApiResult<impl IntoResponse> {
    let c = app.run(move |store| crate::stakeholders::add(store, &user, &slug, &b.form()?)).await?;
    app.account_changed(&c.account).await;
    Ok((StatusCode::CREATED, Json(c)))
}

pub async fn edit_contact(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<ContactBody>,
) -> ApiResult<Json<steward_domain::Contact>> {
    let c = app.run(move |store| crate::stakeholders::edit(store, &user, id, &b.form()?)).await?;
    app.account_changed(&c.account).await;
    Ok(Json(c))
}

#[derive(Debug, Deserialize)]
pub struct RetireBody {
    #[serde(deserialize_with = "whole_number")]
    version: i64,
    #[serde(default)]
    on: Option<NaiveDate>,
}

pub async fn retire_contact(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<RetireBody>,
) -> ApiResult<Json<steward_domain::Contact>> {
    let on = b.on.unwrap_or_else(|| app.today());
    let c = app.run(move |store| crate::stakeholders::retire(store, &user, id, on, b.version)).await?;
    app.account_changed(&c.account).await;
    Ok(Json(c))
}

#[derive(Debug, Deserialize)]
pub struct CsatBody {
    quarter: String,
    #[serde(deserialize_with = "whole_number")]
    score: i64,
}

pub async fn rate_contact(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    JsonBody(b): JsonBody<CsatBody>,
) -> ApiResult<impl IntoResponse> {
    let r = app
        .run(move |store| {
            let contact = store.contact(id)?;
            authz::load_account(store, &user, contact.account.as_str(), AccountAccess::Write)?;
            let quarter = Quarter::parse(&b.quarter).map_err(|p| crate::error::WebError::field("quarter", p.0))?;
            crate::stakeholders::rate(store, &user, id, quarter, b.score)
        })
        .await?;
    app.account_changed(&r.account).await;
    Ok((StatusCode::CREATED, Json(r)))
}

pub async fn contact_history(
    State(app): State<App>,
    ApiCaller(user): ApiCaller,
    Path(id): Path<i64>,
    Query(p): Query<Paging>,
) -> ApiResult<Json<Page<steward_domain::contact::ContactChange>>> {
    let history = app
        .run(move |store| {
            let contact = store.contact(id)?;
            authz::load_account(store, &user, contact.account.as_str(), AccountAccess::Read)?;
            Ok(store.contact_history(id)?)
        })
        .await?;
    Ok(Json(paged(history, p.page, p.per_page)?))
}
