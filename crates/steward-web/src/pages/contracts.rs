//! A contract's page: the terms in force and the bill they make, ARR at every month end
//! with the fees at risk, the guarantees and how they stand, every version with who, when
//! and why — and, for whoever may write the account, amending it from a month and signing
//! the next term. A refused form comes back with the problem beside its field.

use super::account::FormState;
use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::contracts::{TermsForm, amend_form, sign_form};
use crate::error::{PageError, PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::views::{self, thousands};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use chrono::NaiveDate;
use minijinja::{Value, context};
use steward_domain::arr::ArrSnapshot;
use steward_domain::metrics::MonthMetrics;
use steward_domain::pricing::{Volume, bill};
use steward_domain::{Account, Contract, Month};
use steward_store::{ArrFilter, CutKind};

struct Loaded {
    account: Account,
    contract: Contract,
    /// The account's contracts: the next term is offered only on the latest.
    latest: bool,
    write: bool,
    arr: Vec<ArrSnapshot>,
    latest_metrics: Option<MonthMetrics>,
}

fn view(l: &Loaded, today: NaiveDate, form: Option<FormState>) -> Value {
    let c = &l.contract;
    let month = Month::of(today.clamp(c.start_date, c.end_date));
    let volume = l
        .latest_metrics
        .as_ref()
        .map(|m| Volume { eligible_employees: m.eligible_employees, enrolled_members: m.enrolled_members })
        .unwrap_or_default();
    let in_force = c.on(month.first_day());
    let form = form.unwrap_or_default();
    let amend_values = if form.form == "amend" { form.values.clone() } else { TermsForm::of(c).values() };
    let next = {
        // The next term starts from the rates reached, raises included.
        let last = c.on(c.end_date);
        let reached = bill(c, Month::of(c.end_date), Volume::default()).escalation;
        let mut at_end = last.clone();
        at_end.rate = steward_domain::Money::from_cents((last.rate.cents as f64 * reached).round() as i64);
        for t in &mut at_end.tiers {
            t.rate = steward_domain::Money::from_cents((t.rate.cents as f64 * reached).round() as i64);
        }
        at_end.guarantees.clear();
        let mut f = TermsForm::of(&at_end);
        let start = c.end_date.succ_opt().unwrap_or(c.end_date);
        f.start_date = start.to_string();
        f.end_date = start
            .checked_add_months(chrono::Months::new(c.term_months().max(1) as u32))
            .and_then(|d| d.pred_opt())
            .unwrap_or(start)
            .to_string();
        f.reason = "renewed".to_owned();
        if form.form == "sign" { form.values.clone() } else { f.values() }
    };
    let status = if today < c.start_date {
        "starts later"
    } else if today > c.end_date {
        "ended"
    } else {
        "in force"
    };
    context! {
        account => context! { slug => l.account.slug.as_str(), name => l.account.name },
        contract => context! {
            id => c.id, start => c.start_date.to_string(), end => c.end_date.to_string(), version => c.version,
            model => views::words(in_force.pricing_model.as_str()), rate => in_force.rate.to_string(),
            escalator => in_force.annual_escalator_pct, minimum => in_force.minimum_annual_commitment.map(|m| m.to_string()),
            terms_from => in_force.terms_from.to_string(),
            notice => c.notice_deadline().to_string(), notice_days => c.notice_days, auto_renew => c.auto_renew,
            outcome => c.renewal_outcome.as_str(), status,
            months => c.term_months(),
            later_terms => (c.terms_from > month.first_day()).then(|| c.terms_from.to_string()),
        },
        bill => views::bill_view(&bill(c, month, volume)),
        guarantees => in_force.guarantees.iter().map(|g| {
            let value = l.latest_metrics.as_ref().and_then(|m| steward_domain::arr::value(m, g.metric));
            context! {
                metric => views::words(g.metric.as_str()),
                target => g.metric.show(g.target),
                now => value.map_or("—".to_owned(), |x| g.metric.show(x)),
                met => g.met_by(value),
                measured_on => g.measured_on.to_string(),
                settled => g.measured_on < today,
                pct => g.fees_at_risk_pct,
            }
        }).collect::<Vec<_>>(),
        arr => l.arr.iter().rev().map(|s| context! {
            month => s.month.to_string(), arr => s.arr.to_string(),
            at_risk => (s.at_risk.cents > 0).then(|| s.at_risk.to_string()),
        }).collect::<Vec<_>>(),
        history => c.history.iter().rev().map(|h| context! {
            version => h.version, kind => views::words(h.kind.as_str()), effective => h.effective_from.to_string(),
            terms => format!("{} {}{}", views::words(h.terms.pricing_model.as_str()), h.terms.rate,
                if h.terms.add_ons.is_empty() { String::new() } else {
                    format!(" + {}", h.terms.add_ons.iter().map(|a| format!("{} × {} a year", views::words(&a.service), thousands(a.events_per_year))).collect::<Vec<_>>().join(", "))
                }),
            end => h.end_date.to_string(), outcome => views::words(h.renewal_outcome.as_str()),
            by => h.changed_by.as_ref().map(|e| e.to_string()), when => h.changed_at.format("%Y-%m-%d %H:%M").to_string(),
            reason => h.reason,
        }).collect::<Vec<_>>(),
        write => l.write,
        latest => l.latest,
        models => steward_domain::PricingModel::ALL.iter().map(|m| context! { value => m.as_str(), label => views::words(m.as_str()) }).collect::<Vec<_>>(),
        this_month => Month::of(today).to_string(),
        amend => amend_values,
        next => next,
        form => form.form,
        errors => form.errors,
    }
}

async fn show(app: &App, viewer: &Viewer, id: i64, form: Option<FormState>) -> PageResult {
    let user = viewer.user.clone();
    let loaded = app
        .run(move |store| {
            let contract = store.contract(id)?;
            let (account, access) = authz::load_account(store, &user, contract.account.as_str(), AccountAccess::Read)?;
            let all = store.contracts(&account.slug)?;
            let latest = all.last().is_some_and(|k| k.id == id);
            let filter = ArrFilter {
                account: Some(account.slug.clone()),
                from: Some(Month::of(contract.start_date)),
                to: Some(Month::of(contract.end_date)),
            };
            let arr = store.arr_snapshots(&filter)?.into_iter().map(|(_, s)| s).collect();
            let as_of = store.metrics_as_of(&account.slug)?;
            let latest_metrics = store
                .metrics(&account.slug, CutKind::All, None, None)?
                .last()
                .map(|(cut, month, counts)| MonthMetrics::from_counts(*month, cut, counts, as_of));
            Ok(Loaded { write: access.allows(AccountAccess::Write), account, contract, latest, arr, latest_metrics })
        })
        .await?;
    let title = format!("Contract {} · {}", loaded.contract.id, loaded.account.name);
    let refused = form.is_some();
    let mut response = render("contract.html", viewer, "", &title, view(&loaded, app.today(), form))?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    show(&app, &viewer, id, None).await
}

/// A refused form back on the contract's page, with what was typed.
async fn again(app: &App, viewer: &Viewer, id: i64, form: &'static str, typed: &TermsForm, e: WebError) -> PageResult {
    let errors = super::refused_fields(e, Some(&format!("/contracts/{id}")))?;
    show(app, viewer, id, Some(FormState { form, values: typed.values(), errors })).await
}

pub async fn amend_page(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TermsForm>,
) -> PageResult {
    let user = viewer.user.clone();
    let typed = form.clone();
    match app.run(move |store| amend_form(store, &user, id, &form)).await {
        Ok(c) => {
            app.account_changed(&c.account).await;
            Ok(Redirect::to(&format!("/contracts/{id}#history")).into_response())
        }
        Err(e) => again(&app, &viewer, id, "amend", &typed, e).await,
    }
}

pub async fn sign_page(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<TermsForm>,
) -> PageResult {
    let user = viewer.user.clone();
    let typed = form.clone();
    let account = slug.clone();
    match app.run(move |store| sign_form(store, &user, &account, &form)).await {
        Ok(c) => {
            app.account_changed(&c.account).await;
            Ok(Redirect::to(&format!("/contracts/{}", c.id)).into_response())
        }
        Err(e) => {
            // Shown again on the page of the account's latest contract, where the form is.
            let user = viewer.user.clone();
            let latest = app
                .run(move |store| {
                    let (a, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
                    Ok(store.contracts(&a.slug)?.last().map(|c| c.id))
                })
                .await?;
            match latest {
                Some(id) => again(&app, &viewer, id, "sign", &typed, e).await,
                None => Err(PageError(e)),
            }
        }
    }
}
