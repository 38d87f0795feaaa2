//! One module per command. Human output goes to stdout; `--json` prints exactly one JSON
//! document there instead; progress and logs go to stderr.

mod accounts;
mod contracts;
mod demo;
mod experiments;
mod health;
mod import;
mod initiatives;
mod metrics;
mod objectives;
mod opportunities;
mod projects;
mod reports;
mod serve;
mod tokens;
mod users;

use crate::Settings;
use crate::cli::Command;
use anyhow::Result;

pub fn run(settings: &Settings, command: Command) -> Result<()> {
    match command {
        Command::Migrate => {
            let store = crate::open::open_store(settings)?;
            outln!("database is at schema version {} ({})", store.schema_version()?, store.dialect().name());
            Ok(())
        }
        Command::Accounts(c) => accounts::run(settings, c),
        Command::Users(c) => users::run(settings, c),
        Command::Tokens(c) => tokens::run(settings, c),
        Command::Import(args) => import::run(settings, args),
        Command::Imports(args) => import::list(settings, args),
        Command::Metrics(args) => metrics::run(settings, args),
        Command::Mappings(c) => import::mappings(settings, c),
        Command::Health(args) => health::run(settings, args),
        Command::Backtest(args) => health::backtest(settings, args),
        Command::Scorecard(_) => health::show_scorecard(settings),
        Command::Templates(_) => projects::show_templates(settings),
        Command::Projects(c) => projects::run(settings, c),
        Command::Objectives(c) => objectives::run(settings, c),
        Command::Initiatives(c) => initiatives::run(settings, c),
        Command::Experiments(c) => experiments::run(settings, c),
        Command::Reports(c) => reports::run(settings, c),
        Command::Work(args) => health::work(settings, args),
        Command::Playbooks(crate::cli::PlaybooksCommand::Show) => health::show_playbooks(settings),
        Command::Playbooks(crate::cli::PlaybooksCommand::Run(args)) => health::run_playbooks(settings, args),
        Command::Contracts(c) => contracts::run(settings, c),
        Command::Contacts(c) => accounts::contacts(settings, c),
        Command::Arr(args) => contracts::arr(settings, args),
        Command::Retention(args) => contracts::retention(settings, args),
        Command::Renewals(c) => opportunities::renewals(settings, c),
        Command::Opportunities(c) => opportunities::run(settings, c),
        Command::Forecast(args) => opportunities::forecast(settings, args),
        Command::Quotes(c) => contracts::quotes(settings, c),
        Command::Goals(c) => opportunities::goals(settings, c),
        Command::Settings(c) => opportunities::settings(settings, c),
        Command::Serve(args) => serve::run(settings, args),
        Command::Demo(args) => demo::run(settings, args),
        Command::DemoFiles(args) => demo::files(args),
        Command::DemoImport(args) => demo::import_dir(settings, args),
    }
}

/// `println!` that returns an error instead of panicking when stdout is closed (a pipe
/// into `head`, say); `main` treats that error as a quiet success.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        writeln!(std::io::stdout().lock(), $($arg)*)?;
    }};
}
pub(crate) use outln;

/// The day given, else today's date here.
pub(crate) fn today(day: Option<chrono::NaiveDate>) -> chrono::NaiveDate {
    day.unwrap_or_else(|| chrono::Local::now().date_naive())
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<()> {
    outln!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// A plain aligned table: numbers right-aligned, text left-aligned.
pub(crate) fn print_table(headers: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let widths: Vec<usize> = (0..headers.len())
        .map(|i| rows.iter().map(|r| r[i].chars().count()).chain([headers[i].len()]).max().unwrap_or(0))
        .collect();
    let numeric: Vec<bool> = (0..headers.len())
        .map(|i| {
            !rows.is_empty()
                && rows.iter().all(|r| r[i].is_empty() || r[i].replace([',', '.', '%', '$'], "").parse::<f64>().is_ok())
        })
        .collect();
    let line = |cells: Vec<&str>| -> Result<()> {
        let parts: Vec<String> = cells
            .iter()
            .enumerate()
            .map(
                |(i, c)| if numeric[i] { format!("{c:>w$}", w = widths[i]) } else { format!("{c:<w$}", w = widths[i]) },
            )
            .collect();
        outln!("{}", parts.join("  ").trim_end());
        Ok(())
    };
    line(headers.to_vec())?;
    for r in rows {
        line(r.iter().map(String::as_str).collect())?;
    }
    Ok(())
}

/// `12,480`
pub(crate) fn thousands(n: i64) -> String {
    let grouped = steward_domain::money::group_digits(n.unsigned_abs());
    if n < 0 { format!("-{grouped}") } else { grouped }
}
