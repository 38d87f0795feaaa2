//! Quotes: building one for an account (from an opportunity), its printable page with the
//! engine's prices — the year on actual volumes, the what-if, the list price and the
//! discount, the ARR change — its approval history, and the steps: submit, approve or
//! reject (a director's), accept, revise (back to draft: an approval does not carry over).

use super::{conflict_page, render};
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess, Capability};
use crate::contracts::TermsForm;
use crate::error::{PageError, PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::{Path, Query};
use crate::forms::typed;
use crate::quotes::{QuoteForm, create, revise, transition};
use crate::views;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::quote::{Quote, QuoteStatus};
use steward_domain::{Month, PricingModel, Slug};

#[derive(Debug, Default, serde::Deserialize)]
pub struct NewQuery {
    #[serde(default)]
    opportunity: Option<i64>,
}

fn models() -> Vec<Value> {
    PricingModel::ALL.iter().map(|m| context! { value => m.as_str(), label => views::words(m.as_str()) }).collect()
}

/// The form for a new quote: the terms of the contract it would follow, from the day after
/// it ends, for as long.
async fn new_form(
    app: &App,
    viewer: &Viewer,
    slug: String,
    opportunity: Option<i64>,
    refused: Option<(BTreeMap<String, String>, BTreeMap<String, String>)>,
) -> PageResult {
    let user = viewer.user.clone();
    let today = app.today();
    let (account, contract) = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Write)?;
            let contracts = store.contracts(&account.slug)?;
            let renewed = match opportunity {
                Some(id) => {
                    store.opportunity(id)?.contract_id.and_then(|c| contracts.iter().find(|k| k.id == c).cloned())
                }
                None => None,
            };
            Ok((account, renewed.or_else(|| contracts.last().cloned())))
        })
        .await?;
    let (values, errors, status) = match refused {
        Some((values, errors)) => (values, errors, axum::http::StatusCode::UNPROCESSABLE_ENTITY),
        None => {
            let mut f = QuoteForm::default();
            let next_month = Month::of(today).succ().first_day();
            if let Some(c) = &contract {
                f.terms = TermsForm::of(c);
                // A guarantee is measured within its own term: a new term's are agreed anew.
                f.terms.guarantees.clear();
                f.term_months = c.term_months().clamp(1, 120).to_string();
                f.terms.start_date = c.end_date.succ_opt().filter(|d| *d > today).unwrap_or(next_month).to_string();
            } else {
                f.term_months = "24".into();
                f.terms.start_date = next_month.to_string();
            }
            f.what_if_points = "5".into();
            f.opportunity_id = opportunity.map(|o| o.to_string()).unwrap_or_default();
            (typed(&f), BTreeMap::new(), axum::http::StatusCode::OK)
        }
    };
    let page = context! { account => context! { slug => account.slug.as_str(), name => account.name }, values, errors, models => models() };
    let mut response = render("quote_new.html", viewer, "/pipeline", "New quote", page)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn new_page(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<NewQuery>,
) -> PageResult {
    new_form(&app, &viewer, slug, q.opportunity, None).await
}

pub async fn create_page(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<QuoteForm>,
) -> PageResult {
    let (user, today, values) = (viewer.user.clone(), app.today(), typed(&form));
    let account = slug.clone();
    let made = app
        .run(move |store| {
            authz::load_account(store, &user, &account, AccountAccess::Write)?;
            let slug = Slug::parse(&account).map_err(|_| WebError::NotFound(format!("account {account}")))?;
            create(store, &user, &form.draft(slug)?, today)
        })
        .await;
    match made {
        Ok(q) => Ok(Redirect::to(&format!("/quotes/{}", q.id)).into_response()),
        Err(e) => {
            let fields = super::refused_fields(e, None)?;
            let opportunity = values.get("opportunity_id").and_then(|o| o.parse().ok());
            new_form(&app, &viewer, slug, opportunity, Some((values, fields))).await
        }
    }
}

fn view(q: &Quote, write: bool, director: bool, name: String) -> Value {
    let t = &q.terms;
    context! {
        id => q.id, account => q.account.as_str(), account_name => name, opportunity => q.opportunity_id,
        status => q.status.as_str(), status_label => views::words(q.status.as_str()), version => q.version,
        model => views::words(t.pricing_model.as_str()), rate => t.rate.to_string(),
        tiers => t.tiers.iter().map(steward_domain::contract::written::tier_text).collect::<Vec<_>>(),
        escalator => t.annual_escalator_pct, minimum => t.minimum_annual_commitment.map(|m| m.to_string()),
        add_ons => t.add_ons.iter().map(|a| format!("{}: {} × {} a year", views::words(&a.service), a.price_per_event, a.events_per_year)).collect::<Vec<_>>(),
        guarantees => t.guarantees.iter().map(|g| format!(
            "{} of at least {} on {}: {}% of fees at risk",
            views::words(g.metric.as_str()),
            g.metric.show(g.target),
            g.measured_on, g.fees_at_risk_pct
        )).collect::<Vec<_>>(),
        start => q.start_date.to_string(), months => q.term_months, what_if_points => q.what_if_points,
        annual_price => q.price.annual_price.to_string(), what_if_price => q.price.what_if_annual_price.to_string(),
        list_price => q.price.list_price.to_string(),
        discount => if q.price.discount_pct < 0.0 { format!("none: {:.1}% above list", -q.price.discount_pct) } else { format!("{:.1}%", q.price.discount_pct) },
        arr => q.price.arr.to_string(),
        arr_change => if q.price.arr_change.cents > 0 { format!("+{}", q.price.arr_change) } else { q.price.arr_change.to_string() },
        threshold => q.approval_threshold_pct, needs_approval => q.needs_approval(),
        history => q.history.iter().map(|h| context! {
            status => views::words(h.status.as_str()), by => h.by.as_ref().map(|e| e.to_string()),
            at => h.at.format("%Y-%m-%d %H:%M").to_string(), note => h.note,
        }).collect::<Vec<_>>(),
        may_submit => write && matches!(q.status, QuoteStatus::Draft | QuoteStatus::Rejected),
        may_decide => director && q.status == QuoteStatus::Submitted,
        may_accept => write && q.status == QuoteStatus::Approved,
        may_revise => write && q.status != QuoteStatus::Accepted,
        awaiting => q.status == QuoteStatus::Submitted,
    }
}

async fn show(
    app: &App,
    viewer: &Viewer,
    id: i64,
    refused: Option<(BTreeMap<String, String>, BTreeMap<String, String>)>,
) -> PageResult {
    let user = viewer.user.clone();
    let (q, access, name) = app
        .run(move |store| {
            let q = store.quote(id)?;
            let (account, access) = authz::load_account(store, &user, q.account.as_str(), AccountAccess::Read)?;
            Ok((q, access, account.name))
        })
        .await?;
    let write = access.allows(AccountAccess::Write);
    let director = authz::may(&viewer.user, Capability::Team);
    let (values, errors) = refused.clone().unwrap_or_else(|| {
        let mut f = QuoteForm::default();
        f.terms.model = q.terms.pricing_model.to_string();
        f.terms.rate = format!("{:.2}", q.terms.rate.dollars());
        f.terms.tiers =
            q.terms.tiers.iter().map(steward_domain::contract::written::tier_text).collect::<Vec<_>>().join("\n");
        f.terms.escalator = q.terms.annual_escalator_pct.to_string();
        f.terms.minimum = q.terms.minimum_annual_commitment.map(|m| format!("{:.2}", m.dollars())).unwrap_or_default();
        f.terms.add_ons =
            q.terms.add_ons.iter().map(steward_domain::contract::written::add_on_text).collect::<Vec<_>>().join("\n");
        f.terms.guarantees = q
            .terms
            .guarantees
            .iter()
            .map(steward_domain::contract::written::guarantee_text)
            .collect::<Vec<_>>()
            .join("\n");
        f.terms.start_date = q.start_date.to_string();
        f.term_months = q.term_months.to_string();
        f.what_if_points = q.what_if_points.to_string();
        f.opportunity_id = q.opportunity_id.map(|o| o.to_string()).unwrap_or_default();
        (typed(&f), BTreeMap::new())
    });
    let page = context! { q => view(&q, write, director, name), values, errors, models => models() };
    let mut response = render("quote.html", viewer, "/pipeline", &format!("Quote {id}"), page)?;
    if refused.is_some() {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    show(&app, &viewer, id, None).await
}

pub async fn revise_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<QuoteForm>,
) -> PageResult {
    let (user, today, values) = (viewer.user.clone(), app.today(), typed(&form));
    let version = form.terms.version.trim().parse::<i64>().unwrap_or(0);
    let done = app
        .run(move |store| {
            let account = store.quote(id)?.account;
            revise(store, &user, id, &form.draft(account)?, version, today)
        })
        .await;
    match done {
        Ok(_) => Ok(Redirect::to(&format!("/quotes/{id}")).into_response()),
        Err(e) => {
            let fields = super::refused_fields(e, Some(&format!("/quotes/{id}")))?;
            show(&app, &viewer, id, Some((values, fields))).await
        }
    }
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct StepForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    note: String,
}

async fn step(app: App, viewer: Viewer, id: i64, form: StepForm, to: QuoteStatus) -> PageResult {
    let (user, today) = (viewer.user.clone(), app.today());
    let version = form.version.trim().parse::<i64>().map_err(|_| WebError::field("version", "not a version"))?;
    let note = steward_domain::input::normalize_newlines(&form.note);
    match app.run(move |store| transition(store, &user, id, to, &note, version, today)).await {
        Ok(q) => {
            app.account_changed(&q.account).await;
            Ok(Redirect::to(&format!("/quotes/{id}")).into_response())
        }
        Err(e @ WebError::Conflict { .. }) => Err(PageError(conflict_page(e, &format!("/quotes/{id}")))),
        Err(e) => Err(PageError(e)),
    }
}

pub async fn submit(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<StepForm>,
) -> PageResult {
    step(app, viewer, id, form, QuoteStatus::Submitted).await
}

pub async fn approve(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<StepForm>,
) -> PageResult {
    step(app, viewer, id, form, QuoteStatus::Approved).await
}

pub async fn reject(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<StepForm>,
) -> PageResult {
    step(app, viewer, id, form, QuoteStatus::Rejected).await
}

pub async fn accept(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<StepForm>,
) -> PageResult {
    step(app, viewer, id, form, QuoteStatus::Accepted).await
}
