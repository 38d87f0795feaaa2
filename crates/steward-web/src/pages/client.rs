//! The client view: an employer's program results as their HR users see them — the same
//! metrics and charts, every small cell suppressed ("<11"), nothing internal. Internal users
//! can preview it for any account they can read.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::charts::{self, Series, Unit};
use crate::error::{PageResult, WebError};
use crate::results::{ClientQuery, client_months};
use crate::views::{percent, thousands};
use axum::extract::{Path, Query, State};
use minijinja::{Value, context};
use steward_domain::suppression::{ClientMonth, Suppressor};
use steward_domain::{Account, Role};

const MONTHS: usize = 24;

fn shown(n: Option<i64>, s: Suppressor) -> String {
    n.map_or_else(|| format!("<{}", s.threshold), thousands)
}

fn view(account: &Account, months: &[ClientMonth], s: Suppressor, metros: Vec<Value>, q: &ClientQuery) -> Value {
    let recent = &months[months.len().saturating_sub(MONTHS)..];
    let labels: Vec<String> = recent.iter().map(|m| m.month.to_string()).collect();
    let scope = q.cut.clone().map_or_else(|| "all employees".to_owned(), |c| c.replace('_', " "));
    let latest = recent.last();
    let rates = [
        Series { name: "Enrollment rate".into(), values: recent.iter().map(|m| m.enrollment_rate).collect() },
        Series { name: "Utilization (12 mo)".into(), values: recent.iter().map(|m| m.utilization_rate).collect() },
    ];
    let visits = [
        ("In office".to_owned(), recent.iter().map(|m| m.visits_in_office).collect()),
        ("Video".to_owned(), recent.iter().map(|m| m.visits_video).collect()),
        ("Other remote".to_owned(), recent.iter().map(|m| m.visits_remote_other).collect()),
    ];
    let nps = [Series { name: "NPS (12 months)".into(), values: recent.iter().map(|m| m.nps).collect() }];
    context! {
        name => account.name,
        slug => account.slug.as_str(),
        scope => scope,
        threshold => s.threshold,
        month => latest.map(|m| m.month.to_string()),
        numbers => latest.map(|m| vec![
            context! { label => "Eligible lives", value => shown(m.eligible_lives, s) },
            context! { label => "Enrolled members", value => shown(m.enrolled_members, s) },
            context! { label => "Enrollment rate", value => percent(m.enrollment_rate) },
            context! { label => "Active members (12 mo)", value => shown(m.active_members_12m, s) },
            context! { label => "Utilization (12 mo)", value => percent(m.utilization_rate) },
            context! { label => "Visits per 1,000 / yr", value => m.visits_per_1000.map_or("—".into(), |v| format!("{v:.0}")) },
            context! { label => "NPS (12 mo)", value => m.nps.map_or("—".into(), |v| format!("{v:.0}")), note => format!("{} responses", shown(m.nps_responses, s)) },
        ]).unwrap_or_default(),
        funnel => latest.map(|m| charts::funnel(&format!("Enrollment funnel, {} ({scope})", m.month), &[
            ("Eligible".into(), m.eligible_lives, shown(m.eligible_lives, s)),
            ("Enrolled".into(), m.enrolled_members, shown(m.enrolled_members, s)),
            ("Active (12 mo)".into(), m.active_members_12m, shown(m.active_members_12m, s)),
        ])),
        rates => charts::line_chart(&format!("Enrollment and utilization by month ({scope})"), &labels, &rates, Unit::Percent),
        visits => charts::stacked_bars(&format!("Visits by modality by month ({scope})"), &labels, &visits, "visits"),
        nps => charts::line_chart(&format!("NPS over the trailing 12 months ({scope})"), &labels, &nps, Unit::Score),
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
