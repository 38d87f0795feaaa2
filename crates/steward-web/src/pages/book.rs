//! My book (the director's: every book) and account search.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::book::{BookQuery, SORTS, select, totals};
use crate::error::PageResult;
use crate::extract::page::Query;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::context;

pub async fn page(State(app): State<App>, viewer: Viewer, Query(q): Query<BookQuery>) -> PageResult {
    authz::check(&viewer.user, Capability::Book)?;
    q.validate()?;
    let book = app.book().await?;
    let rows = select(&book, &q, &viewer.user);
    let total = totals(&rows);
    let (page, per_page) = (q.page(), q.per_page());
    let pages = rows.len().div_ceil(per_page).max(1);
    let shown: Vec<_> = rows.iter().skip((page - 1).saturating_mul(per_page)).take(per_page).collect();
    let owner = q.owner_for(&viewer.user);
    // Links keep every filter and change one thing.
    let link = |change: &dyn Fn(&mut BookQuery)| {
        let mut next = q.clone();
        next.owner = Some(owner.clone().unwrap_or_else(|| "all".into()));
        change(&mut next);
        // Unset filters are left out of the link (serde_urlencoded skips `None`).
        format!("/book?{}", serde_urlencoded::to_string(&next).unwrap_or_default())
    };
    let sort_links: Vec<_> = SORTS
        .iter()
        .map(|s| {
            let current = q.sort.as_deref().unwrap_or("name") == *s;
            let dir = if current && q.dir.as_deref() != Some("desc") { "desc" } else { "asc" };
            let href = link(&|n| {
                n.sort = Some((*s).into());
                n.dir = Some(dir.into());
                n.page = None;
            });
            let aria = match (current, q.dir.as_deref()) {
                (true, Some("desc")) => "descending",
                (true, _) => "ascending",
                _ => "none",
            };
            (s.to_string(), context! { href, aria })
        })
        .collect();
    let title = if owner.as_deref() == Some(viewer.user.email.as_str()) { "My book" } else { "Book" };
    let page_view = context! {
        rows => shown,
        totals => total,
        query => q,
        owner => owner,
        owners => book.owners,
        metros => book.metros.iter().map(|m| context! { value => m.as_str(), label => m.display_name() }).collect::<Vec<_>>(),
        quarters => quarters(&app),
        sorts => minijinja::Value::from_iter(sort_links),
        page => page,
        pages => pages,
        prev => (page > 1).then(|| link(&|n| n.page = Some(page - 1))),
        next => (page < pages).then(|| link(&|n| n.page = Some(page + 1))),
        today => app.today().to_string(),
    };
    render("book.html", &viewer, "/book", title, page_view)
}

/// The next six quarters, for the renewal filter.
fn quarters(app: &App) -> Vec<String> {
    let first = steward_domain::quarter::Quarter::of_day(app.today());
    (0..6).map(|i| first.plus(i).to_string()).collect()
}

#[derive(Debug, serde::Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// Finds accounts by name or slug; one match opens it.
pub async fn search(State(app): State<App>, viewer: Viewer, Query(s): Query<SearchQuery>) -> PageResult {
    authz::check(&viewer.user, Capability::Book)?;
    let needle = s.q.trim().to_lowercase();
    let book = app.book().await?;
    let found: Vec<_> = book
        .rows
        .iter()
        .filter(|r| needle.is_empty() || r.name.to_lowercase().contains(&needle) || r.slug.contains(&needle))
        .collect();
    if found.len() == 1 && !needle.is_empty() {
        return Ok(Redirect::to(&format!("/accounts/{}", found[0].slug)).into_response());
    }
    render("search.html", &viewer, "", "Accounts", context! { q => s.q, rows => found })
}
