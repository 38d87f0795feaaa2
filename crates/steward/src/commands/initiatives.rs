//! `steward initiatives`: record engagement initiatives and read their impact.

use super::{outln, print_json, print_table, today};
use crate::Settings;
use crate::cli::InitiativesCommand;
use anyhow::Result;
use steward_domain::initiative::{NewInitiative, Windows, parse_target};
use steward_domain::{Email, Money};
use steward_health::initiatives::{Impact, impact};

fn print_impact(i: &Impact) -> Result<()> {
    match (i.effect, i.ci_low, i.ci_high) {
        (Some(e), Some(lo), Some(hi)) => {
            outln!("effect {e:+.2} {} (95% interval {lo:+.2} to {hi:+.2})", i.unit);
            outln!(
                "{} people targeted, {} compared; {}",
                i.target_n.unwrap_or(0),
                i.comparison_n.unwrap_or(0),
                i.method
            );
        }
        _ => outln!("no estimate: {}", i.reason.as_deref().unwrap_or("unknown")),
    }
    outln!("baseline {} to {}, outcome {} to {}", i.baseline.0, i.baseline.1, i.outcome.0, i.outcome.1);
    for w in &i.warnings {
        outln!("warning: {w}");
    }
    Ok(())
}

pub fn run(settings: &Settings, command: InitiativesCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        InitiativesCommand::Add(a) => {
            let kind: steward_domain::initiative::InitiativeKind = a.kind.parse()?;
            let owner = match a.owner.as_deref().map(Email::parse).transpose()? {
                Some(e) => Some(store.user(&e)?.email),
                None => store.account(&a.account)?.owner,
            };
            let new = NewInitiative {
                account: a.account.clone(),
                kind,
                title: a
                    .title
                    .clone()
                    .unwrap_or_else(|| format!("{} from {}", kind.as_str().replace('_', " "), a.start)),
                target: parse_target(&a.target)?,
                start_date: a.start,
                end_date: a.end,
                owner,
                cost: a.cost.as_deref().map(Money::parse).transpose()?,
                metric: a.metric.parse()?,
                notes: a.notes.clone(),
            };
            let made = store.create_initiative(&new)?;
            if a.json {
                return print_json(&made);
            }
            outln!("initiative {}: {} for {}", made.id, made.title, made.account);
            Ok(())
        }
        InitiativesCommand::List(a) => {
            let day = today(a.today);
            let w = Windows::default();
            let list = store.initiatives(a.account.as_ref())?;
            if a.json {
                let rows: Vec<serde_json::Value> = list
                    .iter()
                    .map(|i| {
                        let mut v = serde_json::to_value(i).unwrap_or_default();
                        v["status"] = serde_json::json!(i.status_on(day, &w));
                        v
                    })
                    .collect();
                return print_json(&rows);
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|i| {
                    vec![
                        i.id.to_string(),
                        i.account.to_string(),
                        i.title.clone(),
                        i.start_date.to_string(),
                        i.end_date.to_string(),
                        i.metric.to_string(),
                        i.status_on(day, &w).to_string(),
                    ]
                })
                .collect();
            print_table(&["id", "account", "initiative", "start", "end", "metric", "status"], &rows)
        }
        InitiativesCommand::Impact(a) => {
            let windows =
                Windows { baseline_weeks: a.baseline_weeks, outcome_weeks: a.outcome_weeks, ..Windows::default() };
            let day = today(a.today);
            if let Some(id) = a.id {
                let read = impact(store.as_ref(), &store.initiative(id)?, &windows, day)?;
                return if a.json { print_json(&read) } else { print_impact(&read) };
            }
            let started = std::time::Instant::now();
            let measured: Vec<_> = store
                .initiatives(a.account.as_ref())?
                .into_iter()
                .filter(|i| i.status_on(day, &windows) == steward_domain::initiative::InitiativeStatus::Measured)
                .collect();
            let mut reader = steward_health::initiatives::Reader::new(store.as_ref());
            let reads = measured.iter().map(|i| reader.impact(i, &windows, day)).collect::<Result<Vec<_>, _>>()?;
            crate::errln!("{} measured initiatives read in {:.2} s", reads.len(), started.elapsed().as_secs_f64());
            if a.json {
                return print_json(&reads);
            }
            for (i, read) in measured.iter().zip(&reads) {
                outln!("{} {}: {}", i.id, i.account, i.title);
                print_impact(read)?;
            }
            Ok(())
        }
    }
}
