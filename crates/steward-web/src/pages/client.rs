//! The client view: an employer's program results as their HR users see them — the same
//! metrics and charts, every small cell suppressed ("<11"), nothing internal. Internal users
//! can preview it for any account they can read.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::error::{PageResult, WebError};
use crate::extract::page::{Path, Query};
use crate::results::{ClientQuery, client_results};
use crate::views::{self, percent, shown_count};
use axum::extract::State;
use axum::response::IntoResponse;
use minijinja::{Value, context};
use steward_domain::suppression::ClientMonth;
use steward_domain::{Account, Role};

fn view(account: &Account, months: &[ClientMonth], threshold: i64, metros: Vec<Value>, q: &ClientQuery) -> Value {
    let scope = views::scope_label(q.by.as_deref(), q.cut.as_deref(), "all employees");
    let latest = months.last();
    let quarter = months.iter().rev().find_map(|m| m.quarter.as_ref());
    let count = |n| shown_count(n, threshold);
    let number = |v: Option<f64>| v.map_or("—".into(), |v| format!("{v:.0}"));
    let mut numbers = Vec::new();
    if let Some(m) = latest {
        numbers.extend([
            context! { label => "Eligible lives", value => count(m.eligible_lives), note => m.month.to_string() },
            context! { label => "Enrolled members", value => count(m.enrolled_members), note => m.month.to_string() },
            context! { label => "Enrollment rate", value => percent(m.enrollment_rate), note => m.month.to_string() },
        ]);
    }
    if let Some(q) = quarter {
        let to_end = format!("12 months to the end of {}", q.quarter);
        numbers.extend([
            context! { label => "Active members", value => count(q.active_members_12m), note => to_end },
            context! { label => "Utilization", value => percent(q.utilization_rate), note => to_end },
            context! { label => "Visits per 1,000 a year", value => number(q.visits_per_1000), note => to_end },
            context! { label => "NPS", value => number(q.nps), note => format!("{} responses in {}", count(q.nps_responses), q.quarter) },
        ]);
    }
    context! {
        name => account.name,
        slug => account.slug.as_str(),
        scope => scope,
        threshold => threshold,
        month => latest.map(|m| m.month.to_string()),
        numbers => numbers,
        charts => (!months.is_empty()).then(|| views::client_charts(months, threshold, &scope)),
        metros => metros,
        cut => q.cut,
    }
}

async fn show(app: App, viewer: Viewer, slug: String, q: ClientQuery, preview: bool) -> PageResult {
    let user = viewer.user.clone();
    let threshold = app.config().suppression_threshold;
    let query = q.clone();
    let (calendar, today) = (app.config().calendar.clone(), app.today());
    let (account, months, metros, tasks, reports) = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Results)?;
            let months = client_results(store, &account, threshold, &query)?;
            let mut metros: Vec<_> = store.worksites(&account.slug)?.into_iter().map(|w| w.metro).collect();
            metros.sort();
            metros.dedup();
            let tasks = client_tasks(store, &account, &calendar, today)?;
            let reports = crate::client_reports::published(store, &account.slug)?;
            Ok((account, months, metros, tasks, reports))
        })
        .await?;
    let metros = metros.iter().map(|m| context! { value => m.as_str(), label => m.display_name() }).collect();
    let reports: Vec<Value> = reports
        .iter()
        .map(|r| {
            context! {
                id => r.id, quarter => r.quarter.to_string(), version => r.version,
                published => r.published_at.map(|t| t.format("%Y-%m-%d").to_string()),
            }
        })
        .collect();
    let mut page =
        context! { client_tasks => tasks, reviews => reports, ..view(&account, &months, threshold, metros, &q) };
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

/// The client's own tasks in the account's active projects ("send the eligibility test
/// file"), with the day each is planned to be done by — nothing else of the project.
fn client_tasks(
    store: &dyn steward_store::Store,
    account: &Account,
    calendar: &steward_domain::schedule::Calendar,
    today: chrono::NaiveDate,
) -> Result<Vec<Value>, WebError> {
    let filter = steward_store::ProjectFilter {
        account: Some(account.slug.clone()),
        status: Some(steward_domain::project::ProjectStatus::Active),
        ..Default::default()
    };
    let mut rows = Vec::new();
    for p in store.projects(&filter)? {
        let view = steward_health::projects::ProjectView::of(&p, calendar, today)?;
        for t in view.tasks.iter().filter(|t| t.client) {
            rows.push(context! {
                id => t.id, project => p.id, project_title => p.title, name => t.name, version => t.version,
                due => t.due.to_string(), overdue => t.late_days > 0, done => t.actual_finish.map(|d| d.to_string()),
            });
        }
    }
    Ok(rows)
}

/// The client marks one of their own project tasks done, today; the same rules and what
/// follows as anyone's recording (`crate::projects`).
pub async fn task_done(
    State(app): State<App>,
    Path(id): Path<i64>,
    crate::extract::Signed { viewer, form }: crate::extract::Signed<Vec<(String, String)>>,
) -> PageResult {
    let (user, today) = (viewer.user.clone(), app.today());
    let version: i64 = form
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| WebError::field("version", "the version is a whole number"))?;
    if user.role != Role::Client {
        return Err(WebError::NotFound(format!("task {id}")).into());
    }
    let account = app
        .run(move |store| crate::projects::record(store, &user, None, id, version, || Ok((None, Some(today)))))
        .await?;
    crate::projects::after_change(&app, &account).await?;
    Ok(axum::response::Redirect::to("/client#tasks").into_response())
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
