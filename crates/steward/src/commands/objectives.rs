//! `steward objectives`: an account's success plan — the objectives agreed with the client
//! and where each stands on its metric.

use super::{outln, print_json, print_table, today};
use crate::Settings;
use crate::cli::ObjectivesCommand;
use anyhow::Result;
use steward_domain::success_plan::{NewObjective, Objective, ObjectiveEdit};
use steward_domain::{Email, TargetMetric};
use steward_health::success_plans::{ObjectiveView, load};

/// A target as typed: a percentage ("30%") is a fraction for a rate; otherwise as given.
fn target(metric: TargetMetric, typed: &str) -> Result<f64> {
    let text = typed.trim();
    let (number, percent) = match text.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (text, false),
    };
    let value: f64 =
        number.parse().map_err(|_| anyhow::anyhow!("{typed:?} is not a target (0.30, 30% or an NPS score)"))?;
    Ok(if percent && metric != TargetMetric::Nps { value / 100.0 } else { value })
}

fn print_plan(views: &[ObjectiveView]) -> Result<()> {
    let rows: Vec<Vec<String>> = views
        .iter()
        .map(|v| {
            let (o, p) = (&v.objective, &v.progress);
            vec![
                o.id.to_string(),
                o.title.clone(),
                o.metric.to_string(),
                p.latest.map_or("—".into(), |(m, x)| format!("{} ({m})", o.metric.show(x))),
                o.metric.show(o.target),
                o.target_date.to_string(),
                p.status.label().to_owned(),
                v.open_tasks().to_string(),
            ]
        })
        .collect();
    print_table(&["id", "objective", "metric", "now", "target", "by", "status", "open tasks"], &rows)
}

fn print_one(o: &Objective, json: bool) -> Result<()> {
    if json {
        return print_json(o);
    }
    outln!(
        "objective {}: {} — {} {} by {}{}",
        o.id,
        o.title,
        o.metric,
        o.metric.show(o.target),
        o.target_date,
        if o.closed { " (closed)" } else { "" }
    );
    Ok(())
}

pub fn run(settings: &Settings, command: ObjectivesCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        ObjectivesCommand::List(a) => {
            let views = load(store.as_ref(), &a.account, today(a.today))?;
            if a.json { print_json(&views) } else { print_plan(&views) }
        }
        ObjectivesCommand::Add(a) => {
            let metric: TargetMetric = a.metric.parse()?;
            let new = NewObjective {
                account: a.account.clone(),
                title: a.title.trim().to_owned(),
                metric,
                target: target(metric, &a.target)?,
                agreed_on: today(a.agreed),
                target_date: a.by,
                created_by: match a.who.as_deref().map(Email::parse).transpose()? {
                    Some(who) => Some(store.user(&who)?.email),
                    None => None,
                },
            };
            print_one(&store.create_objective(&new)?, a.json)
        }
        ObjectivesCommand::Edit(a) => {
            let current = store.objective(a.id)?;
            let mut edit = ObjectiveEdit::of(&current);
            if let Some(t) = &a.title {
                edit.title = t.trim().to_owned();
            }
            if let Some(t) = &a.target {
                edit.target = target(current.metric, t)?;
            }
            if let Some(by) = a.by {
                edit.target_date = by;
            }
            edit.closed = (current.closed || a.close) && !a.reopen;
            print_one(&store.update_objective(a.id, &edit, current.version)?, a.json)
        }
    }
}
