//! `steward renewals run` and `steward opportunities list|add|move`.

use super::{outln, print_json, print_table};
use crate::Settings;
use crate::cli::{OpportunitiesCommand, RenewalsCommand};
use anyhow::Result;
use steward_domain::Email;
use steward_domain::opportunity::{Move, NewOpportunity, Opportunity, OpportunityKind};
use steward_health::pipeline::{NextTerm, move_to};
use steward_store::OpportunityFilter;

fn today(day: Option<chrono::NaiveDate>) -> chrono::NaiveDate {
    day.unwrap_or_else(|| chrono::Local::now().date_naive())
}

pub fn renewals(settings: &Settings, command: RenewalsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let RenewalsCommand::Run(args) = command;
    let run = steward_health::renewals::run(store.as_ref(), today(args.today), None)?;
    if args.json {
        return print_json(&run);
    }
    outln!("opened {} renewal opportunities; {} terms already had theirs", run.opened.len(), run.existing);
    for o in &run.opened {
        outln!("  {} {}: {} (closes {})", o.id, o.account, o.title, o.close_date);
    }
    Ok(())
}

fn table(list: &[Opportunity]) -> Result<()> {
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.account.to_string(),
                o.kind.to_string(),
                o.stage.to_string(),
                o.amount.to_string(),
                o.forecast_category.to_string(),
                o.close_date.to_string(),
                o.contract_id.map(|c| c.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["id", "account", "kind", "stage", "amount", "forecast_category", "close_date", "contract_id"], &rows)
}

pub fn run(settings: &Settings, command: OpportunitiesCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        OpportunitiesCommand::List(args) => {
            let filter = OpportunityFilter {
                account: args.account,
                kind: args.kind,
                stage: args.stage,
                owner: args.owner.as_deref().map(Email::parse).transpose()?,
                history: true,
                ..OpportunityFilter::default()
            };
            let list = store.opportunities(&filter)?;
            if args.json { print_json(&list) } else { table(&list) }
        }
        OpportunitiesCommand::Add(args) => {
            if args.kind == OpportunityKind::Renewal {
                anyhow::bail!("renewals open themselves when a term's renewal window opens (`steward renewals run`)");
            }
            let account = store.account(&args.account)?;
            let owner = match args.owner.as_deref() {
                Some(e) => Some(Email::parse(e)?),
                None => account.owner.clone(),
            };
            let new = NewOpportunity {
                account: account.slug,
                kind: args.kind,
                scope: args.scope,
                title: args.title,
                stage: args.stage,
                amount: args.amount,
                renewing_arr: None,
                close_date: args.close_date,
                owner: owner.clone(),
                contract_id: None,
            };
            let o = store.create_opportunity(&new, owner.as_ref())?;
            if args.json {
                return print_json(&o);
            }
            outln!("added opportunity {} for {} ({}, {})", o.id, o.account, o.kind, o.amount);
            Ok(())
        }
        OpportunitiesCommand::Move(args) => {
            let mv = Move { to: args.to, lost_reason: args.reason, note: args.note, on: today(args.on) };
            let by = args.by.as_deref().map(Email::parse).transpose()?;
            let next = NextTerm { rate: args.rate, term_months: args.term_months };
            let o = move_to(store.as_ref(), args.id, &mv, next, by.as_ref(), args.version)?;
            if args.json {
                return print_json(&o);
            }
            outln!("opportunity {} is now {} ({})", o.id, o.stage, o.forecast_category);
            Ok(())
        }
    }
}

fn percent(x: Option<f64>) -> String {
    x.map_or("-".to_owned(), |x| format!("{:.1}%", x * 100.0))
}

pub fn forecast(settings: &Settings, args: crate::cli::ForecastArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let today = today(args.today);
    let quarter = args.quarter.unwrap_or_else(|| steward_domain::forecast::Quarter::of_day(today));
    let owner = args.owner.as_deref().map(Email::parse).transpose()?;
    let f = steward_health::forecast::forecast(store.as_ref(), quarter, owner.as_ref(), today)?;
    if args.json {
        return print_json(&f);
    }
    let who = owner.map_or("the company".to_owned(), |e| e.to_string());
    outln!("Forecast for {quarter}, {who}");
    outln!(
        "  won {}  commit {}  best case {}  pipeline {}  goal {}",
        f.totals.won,
        f.totals.commit,
        f.totals.best_case,
        f.totals.pipeline,
        f.goal.map_or("-".to_owned(), |g| g.to_string())
    );
    if let Some(w) = f.last_week {
        outln!("  last week: commit {}  best case {}  pipeline {}", w.commit, w.best_case, w.pipeline);
    }
    for o in &f.owners {
        outln!(
            "  {}: won {}  commit {}  best case {}  pipeline {}",
            o.owner,
            o.totals.won,
            o.totals.commit,
            o.totals.best_case,
            o.totals.pipeline
        );
    }
    outln!("  {} renewals due in the quarter", f.renewals.len());
    Ok(())
}

pub fn goals(settings: &Settings, command: crate::cli::GoalsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        crate::cli::GoalsCommand::Set(a) => {
            let goal = steward_domain::forecast::Goal {
                owner: Email::parse(&a.owner)?,
                year: a.year,
                gross_retention: a.grr,
                net_retention: a.nrr,
                bookings: a.bookings,
            };
            store.set_goal(&goal, a.by.as_deref().map(Email::parse).transpose()?.as_ref())?;
            outln!("goals for {} in {} set", goal.owner, goal.year);
            Ok(())
        }
        crate::cli::GoalsCommand::List(a) => {
            let today = today(a.today);
            let year = a.year.unwrap_or_else(|| chrono::Datelike::year(&today));
            let rows = steward_health::forecast::attainment(store.as_ref(), year, today)?;
            if a.json {
                return print_json(&rows);
            }
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.goal.owner.to_string(),
                        percent(Some(r.goal.gross_retention)),
                        percent(r.grr),
                        percent(Some(r.goal.net_retention)),
                        percent(r.nrr),
                        r.goal.bookings.to_string(),
                        r.bookings_to_date.to_string(),
                    ]
                })
                .collect();
            print_table(&["owner", "grr goal", "grr", "nrr goal", "nrr", "bookings goal", "bookings"], &table)
        }
    }
}

pub fn settings(settings: &Settings, command: crate::cli::SettingsCommand) -> Result<()> {
    use steward_health::{pipeline, quotes};
    let store = crate::open::open_store(settings)?;
    match command {
        crate::cli::SettingsCommand::Show(flag) => {
            let book: std::collections::BTreeMap<&str, steward_domain::quote::ListPrice> = steward_domain::Segment::ALL
                .iter()
                .map(|s| Ok((s.as_str(), quotes::list_price(store.as_ref(), *s)?)))
                .collect::<Result<_>>()?;
            let shown = serde_json::json!({
                quotes::THRESHOLD: quotes::threshold(store.as_ref())?,
                quotes::PRICE_BOOK: book,
                pipeline::LOSS_REASONS: pipeline::loss_reasons(store.as_ref())?,
            });
            if flag.json {
                return print_json(&shown);
            }
            outln!("{}", serde_json::to_string_pretty(&shown)?);
            Ok(())
        }
        crate::cli::SettingsCommand::Set(a) => {
            quotes::check_setting(&a.key, &a.value).map_err(anyhow::Error::msg)?;
            store.put_setting(&a.key, &a.value)?;
            outln!("{} set", a.key);
            Ok(())
        }
    }
}
