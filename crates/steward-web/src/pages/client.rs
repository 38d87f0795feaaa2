//! The client view: an employer's program results as their HR users see them — the same
//! metrics and charts, every small cell suppressed ("<11"), nothing internal. Internal users
//! can preview it for any account they can read.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::error::{PageResult, WebError};
use crate::results::{ClientQuery, client_months};
use crate::views::{self, percent, shown_count};
use axum::extract::{Path, Query, State};
use minijinja::{Value, context};
use steward_domain::suppression::{ProgramMonth, Suppressor};
use steward_domain::{Account, Role};

fn view(account: &Account, months: &[ProgramMonth], s: Suppressor, metros: Vec<Value>, q: &ClientQuery) -> Value {
    let scope = views::scope_label(q.by.as_deref(), q.cut.as_deref(), "all employees");
    let latest = months.last();
    let numbers = latest.map(|m| {
        let number = |v: Option<f64>, digits: usize| v.map_or("—".into(), |v| format!("{v:.digits$}"));
        vec![
            context! { label => "Eligible lives", value => shown_count(m.eligible_lives, s) },
            context! { label => "Enrolled members", value => shown_count(m.enrolled_members, s) },
            context! { label => "Enrollment rate", value => percent(m.enrollment_rate) },
            context! { label => "Active members (12 mo)", value => shown_count(m.active_members_12m, s) },
            context! { label => "Utilization (12 mo)", value => percent(m.utilization_rate) },
            context! { label => "Visits per 1,000 / yr", value => number(m.visits_per_1000, 0) },
            context! { label => "NPS (12 mo)", value => number(m.nps, 0), note => format!("{} responses", shown_count(m.nps_responses, s)) },
        ]
    });
    context! {
        name => account.name,
        slug => account.slug.as_str(),
        scope => scope,
        threshold => s.threshold,
        month => latest.map(|m| views::month_label(m.month, m.partial)),
        numbers => numbers.unwrap_or_default(),
        charts => views::program_charts(months, s, None, &scope),
        metros => metros,
        cut => q.cut,
    }
}

async fn show(app: App, viewer: Viewer, slug: String, q: ClientQuery, preview: bool) -> PageResult {
    let user = viewer.user.clone();
    let s = Suppressor::new(app.config().suppression_threshold);
    let query = q.clone();
    let (account, months, metros) = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Results)?;
            let months = client_months(store, &account, s, &query)?;
            let mut metros: Vec<_> = store.worksites(&account.slug)?.into_iter().map(|w| w.metro).collect();
            metros.sort();
            metros.dedup();
            Ok((account, months, metros))
        })
        .await?;
    let metros = metros.iter().map(|m| context! { value => m.as_str(), label => m.display_name() }).collect();
    let mut page = view(&account, &months, s, metros, &q);
    if preview {
        page = context! { preview => true, ..page };
    }
    render(
        "client.html",
        &viewer,
        if preview { "" } else { "/client" },
        &format!("{} — program results", account.name),
        page,
    )
}

/// A client user's own program.
pub async fn page(State(app): State<App>, viewer: Viewer, Query(q): Query<ClientQuery>) -> PageResult {
    let slug = match (&viewer.user.role, &viewer.user.account) {
        (Role::Client, Some(slug)) => slug.to_string(),
        _ => return Err(WebError::NotFound("a client program for this user".into()).into()),
    };
    show(app, viewer, slug, q, false).await
}

/// What the client sees, previewed by an internal user who may read the account.
pub async fn preview(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<ClientQuery>,
) -> PageResult {
    // Internal readers only: for a client user no account is found here (theirs is /client).
    let (user, target) = (viewer.user.clone(), slug.clone());
    app.run(move |store| authz::load_account(store, &user, &target, AccountAccess::Read).map(|_| ())).await?;
    show(app, viewer, slug, q, true).await
}
