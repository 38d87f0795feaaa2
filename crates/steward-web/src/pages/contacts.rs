//! A stakeholder's page: who they are, every version of them with who changed it, their
//! CSAT by quarter; editing, retiring and rating them. Adding one is on Account 360.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::forms::typed;
use crate::stakeholders::{ContactForm, add, edit, rate, retire};
use crate::views;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::ContactRole;
use steward_domain::forecast::Quarter;

fn roles() -> Vec<Value> {
    ContactRole::ALL.iter().map(|r| context! { value => r.as_str(), label => views::words(r.as_str()) }).collect()
}

async fn show(app: &App, viewer: &Viewer, id: i64, refused: Option<super::account::FormState>) -> PageResult {
    let user = viewer.user.clone();
    let (contact, account, write, history, csat) = app
        .run(move |store| {
            let contact = store.contact(id)?;
            let (account, access) = authz::load_account(store, &user, contact.account.as_str(), AccountAccess::Read)?;
            let csat: Vec<_> =
                store.csat_ratings(&account.slug)?.into_iter().filter(|r| r.contact_id == Some(id)).collect();
            Ok((contact, account, access.allows(AccountAccess::Write), store.contact_history(id)?, csat))
        })
        .await?;
    let refused_now = refused.is_some();
    let super::account::FormState { form, values, errors } = refused.unwrap_or_default();
    let values = if form == "edit" { values } else { typed(&ContactForm::of(&contact)) };
    let today = app.today();
    let page = context! {
        c => context! {
            id => contact.id, name => contact.name, title => contact.title, role => views::words(contact.role.as_str()),
            influence => contact.influence, sentiment => contact.sentiment, email => contact.email.as_ref().map(|e| e.to_string()),
            phone => contact.phone, retired_on => contact.retired_on.map(|d| d.to_string()), version => contact.version,
        },
        account => context! { slug => account.slug.as_str(), name => account.name },
        write => write && contact.retired_on.is_none(),
        history => history.iter().rev().map(|h| context! {
            version => h.version, change => views::words(h.change.as_str()), name => h.name, title => h.title,
            role => views::words(h.role.as_str()), influence => h.influence, sentiment => h.sentiment,
            by => h.changed_by.as_ref().map(|e| e.to_string()), at => h.changed_at.format("%Y-%m-%d %H:%M").to_string(),
        }).collect::<Vec<_>>(),
        csat => csat.iter().map(|r| context! { quarter => Quarter::of_day(r.rated_on).to_string(), score => r.score }).collect::<Vec<_>>(),
        quarter => Quarter::of_day(today).to_string(),
        today => today.to_string(),
        roles => roles(),
        form, values, errors,
    };
    let mut response = render("contact.html", viewer, "", &contact.name, page)?;
    if refused_now {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    show(&app, &viewer, id, None).await
}

async fn again(
    app: &App,
    viewer: &Viewer,
    id: i64,
    form: &'static str,
    values: BTreeMap<String, String>,
    e: WebError,
) -> PageResult {
    let errors = super::refused_fields(e, Some(&format!("/contacts/{id}")))?;
    show(app, viewer, id, Some(super::account::FormState { form, values, errors })).await
}

pub async fn edit_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<ContactForm>,
) -> PageResult {
    let (user, values) = (viewer.user.clone(), typed(&form));
    match app.run(move |store| edit(store, &user, id, &form)).await {
        Ok(c) => {
            app.account_changed(&c.account).await;
            Ok(Redirect::to(&format!("/contacts/{id}")).into_response())
        }
        Err(e) => again(&app, &viewer, id, "edit", values, e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct RetireForm {
    #[serde(default)]
    version: String,
    #[serde(default)]
    on: String,
}

pub async fn retire_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<RetireForm>,
) -> PageResult {
    let (user, values) = (viewer.user.clone(), typed(&form));
    let on = form.on.trim().parse::<chrono::NaiveDate>().unwrap_or_else(|_| app.today());
    let version = form.version.trim().parse::<i64>().unwrap_or(0);
    match app.run(move |store| retire(store, &user, id, on, version)).await {
        Ok(c) => {
            app.account_changed(&c.account).await;
            Ok(Redirect::to(&format!("/accounts/{}#stakeholders", c.account)).into_response())
        }
        Err(e) => again(&app, &viewer, id, "retire", values, e).await,
    }
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct CsatForm {
    #[serde(default)]
    quarter: String,
    #[serde(default)]
    score: String,
}

pub async fn csat_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<CsatForm>,
) -> PageResult {
    let (user, values) = (viewer.user.clone(), typed(&form));
    let quarter = Quarter::parse(&form.quarter).map_err(|p| WebError::field("quarter", p.0));
    let score = form.score.trim().parse::<i64>().map_err(|_| WebError::field("score", "CSAT is rated 1 to 5"));
    let done = match (quarter, score) {
        (Ok(q), Ok(s)) => app.run(move |store| rate(store, &user, id, q, s)).await,
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    match done {
        Ok(r) => {
            app.account_changed(&r.account).await;
            Ok(Redirect::to(&format!("/contacts/{id}#csat")).into_response())
        }
        Err(e) => again(&app, &viewer, id, "csat", values, e).await,
    }
}

/// Adds a stakeholder from Account 360; a refusal comes back on the account's page.
pub async fn add_page(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<ContactForm>,
) -> PageResult {
    let user = viewer.user.clone();
    let account = slug.clone();
    let values = typed(&form);
    match app.run(move |store| add(store, &user, &account, &form)).await {
        Ok(c) => {
            app.account_changed(&c.account).await;
            Ok(Redirect::to(&format!("/accounts/{slug}#stakeholders")).into_response())
        }
        Err(e) => super::account::again(&app, &viewer, slug, "contact", values, e).await,
    }
}
