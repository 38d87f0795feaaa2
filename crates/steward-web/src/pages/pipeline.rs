//! The pipeline: an account manager's open opportunities as a board by stage (a director's:
//! everyone's, or one owner's), each moved on by a button that works without JavaScript;
//! adding an upsell or expansion; and an opportunity's own page — its history, its
//! decision makers and when each was last met, moving it (won, lost with a reason) and
//! editing its amount, close date and forecast category.

use super::account::FormState;
use super::render;
use crate::app::App;
use crate::auth::{Viewer, safe_path};
use crate::authz::{self, AccountAccess, Capability};
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::{Path, Query};
use crate::forms::typed;
use crate::opportunities::{AddForm, EditForm, MoveForm, add_form, edit_form, move_form};
use crate::views;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::opportunity::{ForecastCategory, Opportunity, OpportunityKind, Scope, Stage};
use steward_domain::{Email, Role, User};
use steward_store::OpportunityFilter;

#[derive(Debug, Default, serde::Deserialize)]
pub struct PipelineQuery {
    #[serde(default)]
    owner: Option<String>,
    /// One stage's every card, a page at a time (the board shows each stage's first few).
    #[serde(default)]
    stage: Option<String>,
    #[serde(default)]
    page: Option<usize>,
}

/// The cards a board's column shows: those closing soonest; the rest are a click away.
const CARDS_PER_COLUMN: usize = 20;
/// The cards of one stage's page.
const CARDS_PER_PAGE: usize = 50;

/// The kinds an account manager adds by hand (renewals open themselves).
fn added_kinds() -> Vec<Value> {
    words_of(&[OpportunityKind::Upsell, OpportunityKind::Expansion], OpportunityKind::as_str)
}

fn words_of<T: Copy>(all: &[T], word: fn(T) -> &'static str) -> Vec<Value> {
    all.iter().map(|&x| context! { value => word(x), label => views::words(word(x)) }).collect()
}

pub fn card(o: &Opportunity, names: &BTreeMap<String, String>, today: NaiveDate) -> Value {
    let next = Stage::ALL.iter().position(|s| *s == o.stage).and_then(|i| Stage::ALL.get(i + 1)).copied();
    context! {
        id => o.id, account => o.account.as_str(),
        account_name => names.get(o.account.as_str()).cloned().unwrap_or_else(|| o.account.to_string()),
        title => o.title, kind => views::words(o.kind.as_str()), scope => o.scope.map(|s| views::words(s.as_str())),
        stage => o.stage.as_str(), stage_label => views::words(o.stage.as_str()),
        amount => o.amount.to_string(), renewing_arr => o.renewing_arr.map(|m| m.to_string()),
        category => views::words(o.forecast_category.as_str()), overridden => o.category_overridden,
        close_date => o.close_date.to_string(), late => !o.stage.closed() && o.close_date < today,
        version => o.version,
        // One click on: the next open stage (won and lost are chosen on the opportunity's page).
        advance => next.filter(|s| !s.closed()).map(|s| context! { value => s.as_str(), label => views::words(s.as_str()) }),
    }
}

fn owner_filter(user: &User, asked: Option<&str>) -> Result<Option<Email>, WebError> {
    match asked.map(str::trim).filter(|a| !a.is_empty()) {
        Some("all") => Ok(None),
        Some(e) => Email::parse(e).map(Some).map_err(|_| WebError::field("owner", "not an e-mail address")),
        None if user.role == Role::AccountManager => Ok(Some(user.email.clone())),
        None => Ok(None),
    }
}

/// `/pipeline?owner=…&stage=…&page=…` for this board.
fn link(owner: Option<&Email>, stage: Option<Stage>, page: Option<usize>) -> String {
    let pairs: Vec<String> = [
        ("owner", owner.map(|e| views::url_encode(e.as_str()))),
        ("stage", stage.map(|s| s.as_str().to_owned())),
        ("page", page.filter(|p| *p > 1).map(|p| p.to_string())),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some(format!("{k}={}", v?)))
    .collect();
    if pairs.is_empty() { "/pipeline".into() } else { format!("/pipeline?{}", pairs.join("&")) }
}

/// The board: each open stage's count and amount and its cards closing soonest, cut by the
/// database (a director's whole company holds thousands); or, with `stage`, that stage's
/// every card a page at a time.
pub async fn page(State(app): State<App>, viewer: Viewer, Query(q): Query<PipelineQuery>) -> PageResult {
    authz::check(&viewer.user, Capability::Book)?;
    let owner = owner_filter(&viewer.user, q.owner.as_deref())?;
    let only: Option<Stage> = match q.stage.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => match s.parse::<Stage>() {
            Ok(stage) if !stage.closed() => Some(stage),
            _ => return Err(WebError::field("stage", "choose an open stage").into()),
        },
    };
    let asked_page = q.page.unwrap_or(1).clamp(1, crate::book::MAX_PAGE);
    let open = OpportunityFilter { owner: owner.clone(), open_only: true, ..OpportunityFilter::default() };
    let stages: Vec<Stage> =
        Stage::ALL.iter().copied().filter(|s| !s.closed() && only.is_none_or(|o| o == *s)).collect();
    let (totals, cards, owners, page_no) = app
        .run(move |store| {
            let totals = store.opportunity_totals(&open)?;
            // A page past a stage's last shows its last.
            let in_stage = only.and_then(|s| totals.iter().find(|t| t.stage == s)).map_or(0, |t| t.count as usize);
            let page_no = asked_page.min(in_stage.div_ceil(CARDS_PER_PAGE).max(1));
            let mut cards = Vec::new();
            for &stage in &stages {
                let (limit, offset) = match only {
                    Some(_) => (CARDS_PER_PAGE, (page_no - 1) * CARDS_PER_PAGE),
                    None => (CARDS_PER_COLUMN, 0),
                };
                let filter = OpportunityFilter { stage: Some(stage), limit: Some(limit), offset, ..open.clone() };
                cards.push((stage, store.opportunities(&filter)?));
            }
            let owners: Vec<(String, String)> = store
                .internal_users()?
                .into_iter()
                .filter(|u| matches!(u.role, Role::AccountManager | Role::Director) && u.active)
                .map(|u| (u.email.to_string(), u.name))
                .collect();
            Ok((totals, cards, owners, page_no))
        })
        .await?;
    // Account names and who may add to which from the book's rows in memory rather than
    // every account read again. New opportunities go on the board owner's accounts.
    let book = app.book().await?;
    let names = book.names(cards.iter().flat_map(|(_, list)| list.iter().map(|o| o.account.as_str())));
    let writable: Vec<Value> = match &owner {
        None => Vec::new(),
        Some(o) => book
            .rows
            .iter()
            .filter(|r| r.account().owner.as_ref() == Some(o))
            .filter(|r| authz::account_access(&viewer.user, r.account(), false).allows(AccountAccess::Write))
            .map(|r| context! { slug => r.slug, name => r.name })
            .collect(),
    };
    let today = app.today();
    let count = totals.iter().map(|t| t.count).sum::<i64>();
    let columns: Vec<Value> = cards
        .iter()
        .map(|(stage, list)| {
            let total = totals.iter().find(|t| t.stage == *stage);
            let n = total.map_or(0, |t| t.count);
            let shown_to = match only {
                Some(_) => ((page_no - 1) * CARDS_PER_PAGE + list.len()) as i64,
                None => list.len() as i64,
            };
            context! {
                stage => stage.as_str(), label => views::words(stage.as_str()), count => n,
                total => total.map_or(steward_domain::Money::ZERO, |t| t.amount).to_string(),
                cards => list.iter().map(|o| card(o, &names, today)).collect::<Vec<_>>(),
                more => (only.is_none() && n > shown_to).then(|| context! { n => n - shown_to, href => link(owner.as_ref(), Some(*stage), None) }),
                prev => (only.is_some() && page_no > 1).then(|| link(owner.as_ref(), only, Some(page_no - 1))),
                next => (only.is_some() && n > shown_to).then(|| link(owner.as_ref(), only, Some(page_no + 1))),
            }
        })
        .collect();
    let page = context! {
        columns,
        count,
        stage => only.map(|s| views::words(s.as_str())),
        board => link(owner.as_ref(), None, None),
        owner => owner.as_ref().map(|e| e.to_string()),
        owner_name => owner.as_ref().and_then(|e| owners.iter().find(|(m, _)| m == e.as_str()).map(|(_, n)| n.clone())),
        owners => owners.iter().map(|(e, n)| context! { email => e, name => n }).collect::<Vec<_>>(),
        director => viewer.user.role != Role::AccountManager,
        writable,
        kinds => added_kinds(),
        scopes => words_of(Scope::ALL, Scope::as_str),
        back => link(owner.as_ref(), only, Some(page_no)),
    };
    render("pipeline.html", &viewer, "/pipeline", "Pipeline", page)
}

/// Adds an upsell or expansion from the pipeline; a refusal comes back as a page of its
/// own with the form as typed.
pub async fn add(State(app): State<App>, Signed { viewer, form }: Signed<AddForm>) -> PageResult {
    let user = viewer.user.clone();
    let typed_form = form.clone();
    match app.run(move |store| add_form(store, &user, &form)).await {
        Ok(o) => {
            app.account_changed(&o.account).await;
            Ok(Redirect::to(&format!("/opportunities/{}", o.id)).into_response())
        }
        Err(e) => {
            let fields = super::refused_fields(e, None)?;
            let values = typed(&typed_form);
            let page = context! { values, errors => fields,
            kinds => added_kinds(),
            scopes => words_of(Scope::ALL, Scope::as_str) };
            let mut response = render("opportunity_new.html", &viewer, "/pipeline", "New opportunity", page)?;
            *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn show(app: &App, viewer: &Viewer, id: i64, form: Option<FormState>) -> PageResult {
    let user = viewer.user.clone();
    let today = app.today();
    let (o, account, write, contacts, activities, reasons, owners, quotes) = app
        .run(move |store| {
            let o = store.opportunity(id)?;
            let (account, access) = authz::load_account(store, &user, o.account.as_str(), AccountAccess::Read)?;
            let owners: Vec<(String, String)> = store
                .users()?
                .into_iter()
                .filter(|u| matches!(u.role, Role::AccountManager | Role::Director) && u.active)
                .map(|u| (u.email.to_string(), u.name))
                .collect();
            Ok((
                o,
                account.clone(),
                access.allows(AccountAccess::Write),
                store.contacts(&account.slug)?,
                store.activities(&account.slug, i64::MAX)?,
                steward_health::pipeline::loss_reasons(store)?,
                owners,
                store.quotes(&steward_store::QuoteFilter { opportunity: Some(id), ..Default::default() })?,
            ))
        })
        .await?;
    let names = BTreeMap::from([(account.slug.to_string(), account.name.clone())]);
    let deciders: Vec<Value> = contacts
        .iter()
        .filter(|c| c.role.decides())
        .map(|c| {
            let met = steward_domain::contact::last_met(c, &activities, today);
            context! {
                name => c.name, title => c.title, role => views::words(c.role.as_str()),
                last_met => met.map(|d| format!("{d} ({})", steward_domain::words::from_today((d - today).num_days()))),
            }
        })
        .collect();
    let FormState { form, values, errors } = form.unwrap_or_default();
    let refused = !form.is_empty();
    let page = context! {
        o => card(&o, &names, today),
        account_name => account.name,
        contract => o.contract_id,
        renewal => o.kind == OpportunityKind::Renewal,
        lost_reason => o.lost_reason, closed_on => o.closed_on.map(|d| d.to_string()), closed => o.stage.closed(),
        owner => o.owner.as_ref().map(|e| e.to_string()),
        history => o.history.iter().rev().map(|h| context! {
            from => h.from.map(|s| views::words(s.as_str())), to => views::words(h.to.as_str()),
            by => h.by.as_ref().map(|e| e.to_string()), at => h.at.format("%Y-%m-%d %H:%M").to_string(), note => h.note,
        }).collect::<Vec<_>>(),
        deciders,
        quotes => quotes.iter().map(|q| context! {
            id => q.id, status => views::words(q.status.as_str()), annual_price => q.price.annual_price.to_string(),
            discount => format!("{:.1}%", q.price.discount_pct), arr_change => q.price.arr_change.to_string(),
        }).collect::<Vec<_>>(),
        write,
        stages => Stage::ALL.iter().filter(|s| **s != o.stage).map(|s| context! { value => s.as_str(), label => views::words(s.as_str()) }).collect::<Vec<_>>(),
        reasons,
        categories => words_of(ForecastCategory::ALL, ForecastCategory::as_str),
        owners => owners.iter().map(|(e, n)| context! { email => e, name => n }).collect::<Vec<_>>(),
        form, values, errors,
    };
    let mut response = render("opportunity.html", viewer, "/pipeline", &o.title, page)?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn opportunity(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    show(&app, &viewer, id, None).await
}

/// A refused form back on the opportunity's page with what was typed.
async fn again(
    app: &App,
    viewer: &Viewer,
    id: i64,
    form: &'static str,
    values: BTreeMap<String, String>,
    e: WebError,
) -> PageResult {
    let errors = super::refused_fields(e, Some(&format!("/opportunities/{id}")))?;
    show(app, viewer, id, Some(FormState { form, values, errors })).await
}

pub async fn move_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<MoveForm>,
) -> PageResult {
    let (user, today, values) = (viewer.user.clone(), app.today(), typed(&form));
    let fallback = format!("/opportunities/{id}");
    let back = safe_path(&form.back, &fallback).to_owned();
    match app.run(move |store| move_form(store, &user, id, &form, today)).await {
        Ok(o) => {
            app.account_changed(&o.account).await;
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => again(&app, &viewer, id, "move", values, e).await,
    }
}

pub async fn edit_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<EditForm>,
) -> PageResult {
    let (user, values) = (viewer.user.clone(), typed(&form));
    match app.run(move |store| edit_form(store, &user, id, &form)).await {
        Ok(o) => {
            app.account_changed(&o.account).await;
            Ok(Redirect::to(&format!("/opportunities/{id}")).into_response())
        }
        Err(e) => again(&app, &viewer, id, "edit", values, e).await,
    }
}
