//! The director's portfolio report: the page (`/portfolio`, print-ready), its PDF
//! (`/portfolio.pdf`) and its figures as CSV (`/portfolio.csv`), from the book's rows as
//! they stand (`crate::book`) and the store's renewals, retention and goals.

use super::reports::file;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::error::{PageResult, WebError};
use axum::extract::State;
use axum::response::{Html, IntoResponse};
use std::sync::Arc;
use steward_domain::User;
use steward_health::portfolio::Portfolio;

/// The day's portfolio for `user` (a director or an admin), kept as the forecast's reading
/// is (`App::portfolio_reading`): the page's, its files' and the API's.
pub(crate) async fn reading(app: &App, user: &User) -> Result<Arc<Portfolio>, WebError> {
    authz::check(user, Capability::Portfolio)?;
    let today = app.today();
    app.portfolio_reading(today, move |store, book| {
        let holdings: Vec<_> = book.rows.iter().map(|r| r.holding.clone()).collect();
        Ok(steward_health::portfolio::portfolio(store, &holdings, today)?)
    })
    .await
}

pub async fn page(State(app): State<App>, viewer: Viewer) -> PageResult {
    let portfolio = reading(&app, &viewer.user).await?;
    Ok(Html(crate::portfolio::html(&portfolio, None)?).into_response())
}

pub async fn pdf(State(app): State<App>, viewer: Viewer) -> PageResult {
    let portfolio = reading(&app, &viewer.user).await?;
    let name = format!("inline; filename=\"portfolio-{}.pdf\"", portfolio.as_of);
    let bytes = super::reports::typeset("the portfolio", move || crate::portfolio::pdf(&portfolio)).await?;
    Ok(file("application/pdf", name, bytes))
}

pub async fn csv(State(app): State<App>, viewer: Viewer) -> PageResult {
    let portfolio = reading(&app, &viewer.user).await?;
    let name = format!("attachment; filename=\"portfolio-{}.csv\"", portfolio.as_of);
    Ok(file("text/csv; charset=utf-8", name, crate::portfolio::csv(&portfolio).into_bytes()))
}
