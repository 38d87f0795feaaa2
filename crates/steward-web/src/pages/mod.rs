//! The HTML pages: one module per page, the routes, and the layout every page shares.

mod account;
mod admin;
mod book;
mod client;
mod contacts;
mod contracts;
mod experiments;
pub(crate) mod forecast;
mod imports;
mod initiatives;
mod objectives;
mod password;
mod pipeline;
pub(crate) mod portfolio;
mod projects;
mod quotes;
mod reports;
mod revenue;
mod tasks;
mod team;
mod work;

use crate::app::App;
use crate::auth::{self, Viewer};
use crate::authz::{self, Capability};
use crate::error::{PageError, PageResult, WebError};
use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use minijinja::{Value, context};
use steward_domain::Role;

pub fn routes() -> Router<App> {
    Router::new()
        .route("/", get(home))
        .route("/healthz", get(healthz))
        .route("/static/steward.css", get(stylesheet))
        .route("/sign-in", get(auth::sign_in_page).post(auth::sign_in))
        .route("/sign-out", post(auth::sign_out))
        .route("/book", get(book::page))
        .route("/accounts", get(book::search))
        .route("/accounts/{slug}", get(account::page))
        .route("/accounts/{slug}/activities", post(account::log_activity))
        .route("/accounts/{slug}/tasks", post(account::add_task))
        .route("/accounts/{slug}/client", get(client::preview))
        .route("/accounts/{slug}/contracts", post(contracts::sign_page))
        .route("/contracts/{id}", get(contracts::page))
        .route("/contracts/{id}/amend", post(contracts::amend_page))
        .route("/accounts/{slug}/projects", post(projects::start))
        .route("/projects/{id}", get(projects::page))
        .route("/projects/{id}/tasks", post(projects::add_task))
        .route("/projects/{id}/status", post(projects::set_status))
        .route("/projects/{id}/tasks/{task}/progress", post(projects::progress))
        .route("/projects/{id}/tasks/{task}/edit", post(projects::edit_task))
        .route("/projects/{id}/tasks/{task}/remove", post(projects::remove_task))
        .route("/retention", get(revenue::page))
        .route("/pipeline", get(pipeline::page))
        .route("/forecast", get(forecast::page))
        .route("/goals", post(forecast::set_goal))
        .route("/initiatives", get(initiatives::book))
        .route("/initiatives/{id}", get(initiatives::page))
        .route("/accounts/{slug}/initiatives", post(initiatives::add))
        .route("/accounts/{slug}/experiment-design", get(experiments::design))
        .route("/accounts/{slug}/experiments", post(experiments::launch))
        .route("/experiments/{id}", get(experiments::page))
        .route("/accounts/{slug}/qbr", get(reports::page))
        .route("/accounts/{slug}/qbr.csv", get(reports::csv))
        .route("/accounts/{slug}/qbr.pdf", get(reports::pdf))
        .route("/accounts/{slug}/reports", post(reports::generate))
        .route("/reports/{id}/publish", post(reports::publish))
        .route("/reports/{file}", get(reports::kept_file))
        .route("/accounts/{slug}/objectives", post(objectives::add))
        .route("/objectives/{id}", get(objectives::page))
        .route("/objectives/{id}/edit", post(objectives::edit))
        .route("/objectives/{id}/close", post(objectives::close))
        .route("/accounts/{slug}/contacts", post(contacts::add_page))
        .route("/contacts/{id}", get(contacts::page))
        .route("/contacts/{id}/edit", post(contacts::edit_page))
        .route("/contacts/{id}/retire", post(contacts::retire_page))
        .route("/contacts/{id}/csat", post(contacts::csat_page))
        .route("/accounts/{slug}/quotes/new", get(quotes::new_page))
        .route("/accounts/{slug}/quotes", post(quotes::create_page))
        .route("/quotes/{id}", get(quotes::page))
        .route("/quotes/{id}/revise", post(quotes::revise_page))
        .route("/quotes/{id}/submit", post(quotes::submit))
        .route("/quotes/{id}/approve", post(quotes::approve))
        .route("/quotes/{id}/reject", post(quotes::reject))
        .route("/quotes/{id}/accept", post(quotes::accept))
        .route("/opportunities", post(pipeline::add))
        .route("/opportunities/{id}", get(pipeline::opportunity))
        .route("/opportunities/{id}/move", post(pipeline::move_page))
        .route("/opportunities/{id}/edit", post(pipeline::edit_page))
        .route("/client", get(client::page))
        .route("/client/tasks/{id}/done", post(client::task_done))
        .route("/work", get(work::page))
        .route("/team", get(team::page))
        .route("/portfolio", get(portfolio::page))
        .route("/portfolio.pdf", get(portfolio::pdf))
        .route("/portfolio.csv", get(portfolio::csv))
        .route("/tasks/{id}", get(tasks::page))
        .route("/tasks/{id}/complete", post(tasks::complete))
        .route("/tasks/{id}/reopen", post(tasks::reopen))
        .route("/tasks/{id}/snooze", post(tasks::snooze))
        .route("/tasks/{id}/wake", post(tasks::wake))
        .route("/tasks/{id}/reassign", post(tasks::reassign))
        .route("/imports", get(imports::list).post(imports::upload).layer(axum::extract::DefaultBodyLimit::disable()))
        .route("/imports/{id}", get(imports::batch))
        .route("/admin/users", get(admin::users).post(admin::invite))
        .route("/admin/users/{email}", post(admin::edit_user))
        .route("/password", get(password::page).post(password::change))
        .route("/tokens", get(admin::tokens).post(admin::create_token))
        .route("/tokens/{id}/revoke", post(admin::revoke_token))
        .fallback(|| async { PageError(WebError::NotFound("this page".into())) })
        .method_not_allowed_fallback(|| async { PageError(WebError::MethodNotAllowed) })
}

/// Where a role starts: an account manager's day starts with what to do next.
async fn home(viewer: Viewer) -> Redirect {
    Redirect::to(match viewer.user.role {
        Role::Client => "/client",
        Role::Colleague | Role::AccountManager => "/work",
        Role::Admin | Role::Director => "/book",
    })
}

/// A trivial page for load balancers and for benchmarks to compare against.
async fn healthz() -> &'static str {
    "ok"
}

async fn stylesheet() -> Response {
    let mut response = include_str!("../../static/steward.css").into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/css; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=3600"));
    response
}

/// The navigation, signed-in user and CSRF token every page's layout shows.
fn layout(viewer: &Viewer, active: &str) -> Value {
    let user = &viewer.user;
    let mut nav: Vec<(&str, &str)> = Vec::new();
    if authz::may(user, Capability::Work) {
        nav.push(("/work", "My work"));
    }
    if authz::may(user, Capability::Team) {
        nav.push(("/team", "Team"));
    }
    if authz::may(user, Capability::Portfolio) {
        nav.push(("/portfolio", "Portfolio"));
    }
    if authz::may(user, Capability::Book) {
        nav.push(("/book", if user.role == Role::AccountManager { "My book" } else { "Book" }));
    }
    if authz::may(user, Capability::Book) {
        nav.push(("/pipeline", "Pipeline"));
        nav.push(("/forecast", "Forecast"));
        nav.push(("/retention", "Retention"));
        nav.push(("/initiatives", "Initiatives"));
    }
    if authz::may(user, Capability::Imports) {
        nav.push(("/imports", "Imports"));
    }
    if user.role == Role::Client {
        nav.push(("/client", "Program results"));
    }
    if authz::may(user, Capability::Admin) {
        nav.push(("/admin/users", "Users"));
    }
    nav.push(("/tokens", "API tokens"));
    context! {
        name => user.name,
        email => user.email.as_str(),
        role => crate::views::words(user.role.as_str()),
        nav => nav.into_iter().map(|(href, label)| context! { href, label, active => href == active }).collect::<Vec<_>>(),
        csrf => viewer.csrf,
        search => authz::may(user, Capability::Book),
    }
}

/// Renders a page inside the layout.
fn render(template: &str, viewer: &Viewer, active: &str, title: &str, page: Value) -> PageResult {
    let html = crate::templates::render(template, context! { layout => layout(viewer, active), title, page })?;
    Ok(Html(html).into_response())
}

/// What a refused form shows beside its fields: the refusal's own fields, or — when the
/// entry as a whole was refused — its message at the top (`form`). Anything else is the
/// page's failure; a stale version offers `reload` when there is a page to reload.
fn refused_fields(e: WebError, reload: Option<&str>) -> Result<std::collections::BTreeMap<String, String>, PageError> {
    match e {
        WebError::Invalid { message, mut fields } => {
            if fields.is_empty() {
                fields.insert("form".into(), message);
            }
            Ok(fields)
        }
        e @ WebError::Conflict { .. } if reload.is_some() => Err(PageError(conflict_page(e, reload.unwrap_or("")))),
        other => Err(PageError(other)),
    }
}

/// A stale version: say so, and offer the page again with the record as it is now.
fn conflict_page(e: WebError, reload: &str) -> WebError {
    match e {
        WebError::Conflict { message, current } => {
            WebError::Conflict { message: format!("{message} Reload {reload} to see the change."), current }
        }
        other => other,
    }
}
