//! Team: a director's view of every account manager's book and work, each line a way into
//! that person's queue and book.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::error::PageResult;
use axum::extract::State;
use minijinja::context;
use steward_domain::{Role, TaskStatus};
use steward_store::TaskFilter;

pub async fn page(State(app): State<App>, viewer: Viewer) -> PageResult {
    authz::check(&viewer.user, Capability::Team)?;
    let today = app.today();
    let book = app.book().await?;
    let (managers, open) = app
        .run(|store| {
            let managers: Vec<_> =
                store.users()?.into_iter().filter(|u| u.active && u.role == Role::AccountManager).collect();
            let open = store.tasks(&TaskFilter { status: Some(TaskStatus::Open), ..TaskFilter::default() })?;
            Ok((managers, open))
        })
        .await?;
    let rows: Vec<_> = crate::team::team(&managers, &book.rows, &open, today)
        .into_iter()
        .map(|r| {
            let email = r.email.as_deref().map(crate::views::url_encode);
            context! {
                work_href => email.as_ref().map(|e| format!("/work?user={e}")),
                book_href => email.as_ref().map(|e| format!("/book?owner={e}")),
                ..minijinja::Value::from_serialize(&r)
            }
        })
        .collect();
    let page = context! {
        rows => rows,
        today => today.to_string(),
        this_quarter => crate::views::quarter(today),
        due_soon_days => crate::team::DUE_SOON_DAYS,
    };
    render("team.html", &viewer, "/team", "Team", page)
}
