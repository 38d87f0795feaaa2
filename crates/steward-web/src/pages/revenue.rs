//! Retention: GRR and NRR over the trailing twelve months for the company, each owner's
//! book and each segment, with churn, contraction and expansion and the accounts behind
//! each — from the stored ARR snapshots (DOMAIN.md definitions).

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, Capability};
use crate::error::{PageResult, WebError};
use crate::extract::page::Query;
use crate::views::percent;
use axum::extract::State;
use minijinja::{Value, context};
use std::collections::HashMap;
use steward_domain::arr::{Movement, Retention};
use steward_domain::{Money, Month, Slug};
use steward_health::revenue::{RetentionBy, RetentionRow, retention_rows};

#[derive(Debug, Default, serde::Deserialize)]
pub struct RetentionQuery {
    #[serde(default)]
    month: Option<String>,
}

fn signed(m: Money) -> String {
    if m.cents > 0 { format!("+{m}") } else { m.to_string() }
}

fn movements(list: &[Movement<Slug>], names: &HashMap<Slug, String>) -> Vec<Value> {
    list.iter()
        .map(|m| {
            context! {
                slug => m.key.as_str(), name => names.get(&m.key).cloned().unwrap_or_else(|| m.key.to_string()),
                start => m.start_arr.to_string(), end => m.end_arr.to_string(), change => signed(m.change()),
            }
        })
        .collect()
}

fn row(r: &RetentionRow, label: String, names: &HashMap<Slug, String>) -> Value {
    let x: &Retention<Slug> = &r.retention;
    context! {
        label, accounts => x.accounts, start => x.start_arr.to_string(), end => x.end_arr.to_string(),
        grr => percent(x.grr), nrr => percent(x.nrr),
        churn => signed(x.churn), contraction => signed(x.contraction), expansion => signed(x.expansion),
        churned => movements(&x.churned, names), contracted => movements(&x.contracted, names), expanded => movements(&x.expanded, names),
    }
}

pub async fn page(State(app): State<App>, viewer: Viewer, Query(q): Query<RetentionQuery>) -> PageResult {
    authz::check(&viewer.user, Capability::Book)?;
    let last = Month::of(app.today()).plus(-1);
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => last,
        Some(m) => Month::parse(m).map_err(|_| WebError::field("month", "write the month as YYYY-MM"))?,
    };
    let (company, owners, segments, names, users) = app
        .run(move |store| {
            let owners = retention_rows(store, month, Some(RetentionBy::Owner))?;
            let segments = retention_rows(store, month, Some(RetentionBy::Segment))?;
            let names: HashMap<Slug, String> = store.accounts()?.into_iter().map(|a| (a.slug, a.name)).collect();
            let users: HashMap<String, String> =
                store.users()?.into_iter().map(|u| (u.email.to_string(), u.name)).collect();
            let company = owners.first().cloned();
            Ok((company, owners, segments, names, users))
        })
        .await?;
    let groups = |rows: &[RetentionRow], label: &dyn Fn(&str) -> String| -> Vec<Value> {
        rows.iter().skip(1).map(|r| row(r, label(r.group.as_deref().unwrap_or("")), &names)).collect()
    };
    let page = context! {
        month => month.to_string(),
        from => month.plus(-12).to_string(),
        company => company.map(|r| row(&r, "Company".into(), &names)),
        owners => groups(&owners, &|e| users.get(e).cloned().unwrap_or_else(|| crate::views::words(e))),
        segments => groups(&segments, &crate::views::words),
    };
    render("retention.html", &viewer, "/retention", &format!("Retention to {month}"), page)
}
