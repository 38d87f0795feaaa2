//! Implementation projects: their templates, the holiday calendar, and
//! `steward projects new|list|show|task|run`.

use super::{outln, print_json, print_table, today};
use crate::Settings;
use crate::cli::ProjectsCommand;
use anyhow::Result;
use steward_domain::Email;
use steward_domain::project::Templates;
use steward_domain::schedule::{Calendar, schedule};
use steward_health::projects::{ProjectView, record, start};
use steward_store::ProjectFilter;

/// The project templates in force: `<data-dir>/project_templates.toml` when there is one,
/// else the built-in ones.
pub fn templates(settings: &Settings) -> Result<(Templates, String)> {
    let (templates, from): (Templates, String) =
        super::health::config(settings, "project_templates.toml", "project template file")?;
    templates.validate().map_err(|e| anyhow::anyhow!("{from} is not a valid project template file: {e}"))?;
    Ok((templates, from))
}

/// `<data-dir>/calendar.toml`: the days no one works besides weekends.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CalendarFile {
    #[serde(default)]
    holidays: Vec<Holiday>,
}

/// A TOML date (`2026-12-25`) or the same in quotes.
#[derive(Debug, serde::Deserialize)]
#[serde(untagged)]
enum Holiday {
    Text(chrono::NaiveDate),
    Toml(toml::value::Datetime),
}

/// The business calendar projects are scheduled on: weekends, and the holidays listed in
/// `<data-dir>/calendar.toml` (`holidays = [2026-12-25, …]`), none when there is no file.
pub fn calendar(settings: &Settings) -> Result<Calendar> {
    let (file, from): (CalendarFile, String) = super::health::config(settings, "calendar.toml", "calendar")?;
    let days =
        file.holidays
            .into_iter()
            .map(|h| match h {
                Holiday::Text(d) => Some(d),
                Holiday::Toml(t) => t.date.filter(|_| t.time.is_none()).and_then(|d| {
                    chrono::NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
                }),
            })
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| anyhow::anyhow!("{from} is not a valid calendar: a holiday is a date, like 2026-12-25"))?;
    Ok(Calendar::with_holidays(days))
}

pub fn show_templates(settings: &Settings) -> Result<()> {
    let (templates, from) = templates(settings)?;
    outln!("# project templates in force: {from}");
    for t in &templates.templates {
        // Scheduled from an arbitrary Monday with no holidays: only the length is read.
        let monday = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date");
        let plan = schedule(&t.steps().map_err(anyhow::Error::msg)?, monday, &Calendar::default(), None)?;
        let critical: Vec<&str> = plan.tasks.iter().filter(|s| s.critical).map(|s| s.key.as_str()).collect();
        outln!("# {}: {} business days; critical: {}", t.name, plan.duration_days, critical.join(", "));
    }
    outln!("{}", toml::to_string_pretty(&templates)?);
    Ok(())
}

fn print_project(view: &ProjectView) -> Result<()> {
    let slip = match view.slip_days {
        Some(0) | None => String::new(),
        Some(n) => format!(
            ", {n:+} business days against its baseline {}",
            view.baseline_finish.map(|d| d.to_string()).unwrap_or_default()
        ),
    };
    outln!(
        "project {} — {} for {} ({}), {} to {}{slip}",
        view.id,
        view.title,
        view.account,
        view.status,
        view.start_date,
        view.finish
    );
    for a in &view.alerts {
        outln!("  ! {a}");
    }
    let rows: Vec<Vec<String>> = view
        .tasks
        .iter()
        .map(|t| {
            vec![
                t.id.to_string(),
                t.name.clone(),
                match (t.client, t.department) {
                    (true, _) => "client".into(),
                    (false, Some(d)) => d.label().into(),
                    (false, None) => t.owner.as_ref().map(Email::to_string).unwrap_or_default(),
                },
                t.duration_days.to_string(),
                t.start.to_string(),
                t.finish.to_string(),
                t.slack_days.to_string(),
                if t.done {
                    "done".into()
                } else if t.critical {
                    "critical".into()
                } else {
                    String::new()
                },
                t.baseline_finish.map(|d| d.to_string()).unwrap_or_default(),
            ]
        })
        .collect();
    print_table(&["id", "task", "who", "days", "start", "finish", "slack", "", "baseline_finish"], &rows)
}

pub fn run(settings: &Settings, command: ProjectsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let cal = calendar(settings)?;
    match command {
        ProjectsCommand::New(args) => {
            let (templates, _) = templates(settings)?;
            let template = templates.get(&args.template).ok_or_else(|| {
                let names: Vec<&str> = templates.templates.iter().map(|t| t.name.as_str()).collect();
                anyhow::anyhow!("there is no template {}; the templates are {}", args.template, names.join(", "))
            })?;
            let owner = args.owner.as_deref().map(Email::parse).transpose()?;
            let project = start(store.as_ref(), template, &args.account, args.start, owner, &cal)?;
            let view = ProjectView::of(&project, &cal, today(None))?;
            if args.json { print_json(&view) } else { print_project(&view) }
        }
        ProjectsCommand::List(args) => {
            let filter = ProjectFilter { account: args.account, status: args.status, ..ProjectFilter::default() };
            let day = today(args.today);
            let views = store
                .projects(&filter)?
                .iter()
                .map(|p| ProjectView::of(p, &cal, day))
                .collect::<steward_store::Result<Vec<_>>>()?;
            if args.json {
                return print_json(&views);
            }
            let rows: Vec<Vec<String>> = views
                .iter()
                .map(|v| {
                    vec![
                        v.id.to_string(),
                        v.account.to_string(),
                        v.title.clone(),
                        v.status.to_string(),
                        v.start_date.to_string(),
                        v.finish.to_string(),
                        v.slip_days.map(|n| format!("{n:+}")).unwrap_or_default(),
                        v.alerts.len().to_string(),
                    ]
                })
                .collect();
            print_table(&["id", "account", "title", "status", "start", "finish", "slip", "alerts"], &rows)
        }
        ProjectsCommand::Show(args) => {
            let view = ProjectView::of(&store.project(args.id)?, &cal, today(args.today))?;
            if args.json { print_json(&view) } else { print_project(&view) }
        }
        ProjectsCommand::Task(args) => {
            let finished = args.done.then(|| today(args.on));
            let project = record(store.as_ref(), args.id, None, (args.started, finished), None)?;
            let view = ProjectView::of(&project, &cal, today(None))?;
            if args.json { print_json(&view) } else { print_project(&view) }
        }
        ProjectsCommand::Run(args) => {
            let done = steward_health::projects::run(store.as_ref(), &cal, today(args.today), None)?;
            if args.json {
                return print_json(&done);
            }
            outln!("{} task(s) completed by events; {} alert(s) opened", done.completed.len(), done.alerts_opened);
            Ok(())
        }
    }
}
