use super::{outln, print_json, print_table};
use crate::Settings;
use crate::cli::{BacktestArgs, HealthArgs};
use anyhow::{Context, Result};
use steward_domain::health::{Change, Driver, HealthScore, Measure, Scorecard, change};
use steward_domain::{Month, Slug};
use steward_health::playbooks::Playbooks;

/// A configuration file of the data dir, or `T`'s built-in default when there is none;
/// returns where it came from.
pub(crate) fn config<T: serde::de::DeserializeOwned + Default>(
    settings: &Settings,
    file: &str,
    what: &str,
) -> Result<(T, String)> {
    let path = settings.data_dir.join(file);
    match std::fs::read_to_string(&path) {
        // The TOML error draws a multi-line picture; one line says it.
        Ok(text) => match toml::from_str(&text) {
            Ok(value) => Ok((value, path.display().to_string())),
            Err(e) => Err(anyhow::anyhow!("{} is not a valid {what}: {}", path.display(), e.message())),
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((T::default(), "built-in defaults".into())),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The scorecard in force: `<data-dir>/scorecard.toml` when there is one, else the default.
pub fn scorecard(settings: &Settings) -> Result<(Scorecard, String)> {
    let (card, from): (Scorecard, String) = config(settings, "scorecard.toml", "scorecard")?;
    card.validate().map_err(|e| anyhow::anyhow!("{from} is not a valid scorecard: {e}"))?;
    Ok((card, from))
}

/// The playbook rules in force: `<data-dir>/playbooks.toml` when there is one, else the default.
pub fn playbooks(settings: &Settings) -> Result<(Playbooks, String)> {
    let (rules, from): (Playbooks, String) = config(settings, "playbooks.toml", "playbook file")?;
    rules.validate().map_err(|e| anyhow::anyhow!("{from} is not a valid playbook file: {e}"))?;
    Ok((rules, from))
}

pub fn show_playbooks(settings: &Settings) -> Result<()> {
    let (rules, from) = playbooks(settings)?;
    outln!("# playbooks in force: {from}");
    outln!("{}", toml::to_string_pretty(&rules)?);
    Ok(())
}

/// The work after an import ([`steward_health::after_import`]) as of `today`, saying what
/// it opened (stderr).
pub fn run_after(settings: &Settings, store: &dyn steward_store::Store, today: chrono::NaiveDate) -> Result<()> {
    let (card, _) = scorecard(settings)?;
    let (rules, _) = playbooks(settings)?;
    let calendar = super::projects::calendar(settings)?;
    let done = steward_health::after_import(store, &card, &rules, &calendar, today, None)?;
    let p = &done.playbooks;
    crate::errln!(
        "playbooks opened {} task(s) ({} already open, {} cooling down); {} renewal opportunit{} opened; \
         {} project task(s) completed, {} project alert(s) opened",
        p.opened.len(),
        p.already_open,
        p.cooling_down,
        done.renewals.opened.len(),
        if done.renewals.opened.len() == 1 { "y" } else { "ies" },
        done.projects.completed.len(),
        done.projects.alerts_opened,
    );
    Ok(())
}

pub fn run_playbooks(settings: &Settings, args: crate::cli::PlaybooksRunArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let (card, _) = scorecard(settings)?;
    let (rules, _) = playbooks(settings)?;
    let today = args.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let outcome = steward_health::run::run(&*store, &card, &rules, today, None, args.dry_run)?;
    if args.json {
        return print_json(&outcome);
    }
    let verb = if args.dry_run { "would open" } else { "opened" };
    outln!(
        "{verb} {} task(s); {} already open, {} cooling down",
        outcome.opened.len(),
        outcome.already_open,
        outcome.cooling_down
    );
    let rows: Vec<Vec<String>> = outcome
        .opened
        .iter()
        .map(|p| vec![p.account.to_string(), p.rule.clone(), p.due_date.to_string(), p.title.clone()])
        .collect();
    print_table(&["account", "rule", "due", "task"], &rows)
}

pub fn show_scorecard(settings: &Settings) -> Result<()> {
    let (card, from) = scorecard(settings)?;
    outln!("# scorecard in force: {from}");
    outln!("{}", toml::to_string_pretty(&card)?);
    Ok(())
}

/// One account's score in the month asked for, and how it moved since the month before.
type Picked = (Slug, Month, HealthScore, Option<Change>);

#[derive(serde::Serialize)]
struct Row<'a> {
    account: &'a Slug,
    month: Month,
    score: f64,
    band: steward_domain::health::Band,
    insufficient_data: bool,
    drivers: &'a [Driver],
    change: Option<ChangeOut>,
}

#[derive(serde::Serialize)]
struct ChangeOut {
    delta: f64,
    movers: Vec<Mover>,
}

#[derive(serde::Serialize)]
struct Mover {
    measure: Measure,
    points: f64,
}

fn change_out(c: Change) -> ChangeOut {
    ChangeOut {
        delta: c.delta,
        movers: c.movers.into_iter().map(|(measure, points)| Mover { measure, points }).collect(),
    }
}

pub fn run(settings: &Settings, args: HealthArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let (card, _) = scorecard(settings)?;
    let accounts = match &args.account {
        Some(slug) => vec![store.account(slug)?],
        None => store.accounts()?,
    };
    use rayon::prelude::*;
    let today = chrono::Local::now().date_naive();
    // Accounts are independent: score them on every core, keep their order.
    let scored: Vec<Result<Option<Picked>>> = accounts
        .par_iter()
        .map(|account| {
            let history = steward_health::history(&*store, &card, &account.slug, today)?;
            let at = match args.month {
                Some(m) => history.months.iter().position(|(month, _)| *month == m),
                None => history.months.len().checked_sub(1),
            };
            let Some(i) = at else { return Ok(None) };
            let (month, score) = history.months[i].clone();
            let previous = i.checked_sub(1).map(|k| &history.months[k]).filter(|(m, _)| *m == month.plus(-1));
            let moved = previous.map(|(_, p)| change(p, &score));
            Ok(Some((account.slug.clone(), month, score, moved)))
        })
        .collect();
    let mut picked = Vec::new();
    for s in scored {
        picked.extend(s?);
    }
    if args.json {
        let rows: Vec<Row> = picked
            .iter()
            .map(|(account, month, s, c)| Row {
                account,
                month: *month,
                score: s.score,
                band: s.band,
                insufficient_data: s.insufficient_data,
                drivers: &s.drivers,
                change: c.clone().map(change_out),
            })
            .collect();
        return print_json(&rows);
    }
    let table: Vec<Vec<String>> = picked
        .iter()
        .map(|(account, month, s, c)| {
            let top: Vec<String> = s
                .drivers
                .iter()
                .filter(|d| d.points_lost >= 1.0)
                .take(2)
                .map(|d| format!("{} {:.0} (−{:.0} pts)", d.measure, d.value_display(), d.points_lost))
                .collect();
            vec![
                account.to_string(),
                month.to_string(),
                format!("{:.0}", s.score),
                format!("{}{}", s.band, if s.insufficient_data { " (insufficient data)" } else { "" }),
                c.as_ref().map_or(String::new(), |c| format!("{:+.0}", c.delta)),
                top.join("; "),
            ]
        })
        .collect();
    print_table(&["account", "month", "health", "band", "change", "pulled down by"], &table)
}

trait Display {
    fn value_display(&self) -> f64;
}

impl Display for Driver {
    /// Rates read as percentages; everything else as is.
    fn value_display(&self) -> f64 {
        match self.measure {
            Measure::EnrollmentVsTarget | Measure::UtilizationRate => self.value * 100.0,
            _ => self.value,
        }
    }
}

pub fn backtest(settings: &Settings, args: BacktestArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let (card, _) = scorecard(settings)?;
    let result = steward_health::backtest(&*store, &card, args.months_before)?;
    if args.json {
        return print_json(&result);
    }
    let pct = |r: Option<f64>| r.map_or("—".into(), |r| format!("{:.0}%", 100.0 * r));
    outln!(
        "{} renewal decisions scored {} months before ({} churned, {} without a score then); AUC {}",
        result.decisions,
        result.months_before,
        result.churned,
        result.skipped,
        result.auc.map_or("—".into(), |a| format!("{a:.2}"))
    );
    let rows: Vec<Vec<String>> =
        result.by_band.iter().map(|b| vec![b.band.to_string(), b.decisions.to_string(), pct(b.churn_rate)]).collect();
    print_table(&["band", "decisions", "churned"], &rows)?;
    outln!();
    let rows: Vec<Vec<String>> = result
        .calibration
        .iter()
        .map(|c| vec![format!("{}–{}", c.from, c.from + 20), c.decisions.to_string(), pct(c.churn_rate)])
        .collect();
    print_table(&["health", "decisions", "churned"], &rows)
}

pub fn work(settings: &Settings, args: crate::cli::WorkArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let (card, _) = scorecard(settings)?;
    let user = steward_domain::Email::parse(&args.user)?;
    let today = args.today.unwrap_or_else(|| chrono::Local::now().date_naive());
    let rows = steward_health::work::queue(&*store, &card, &user, today)?;
    if args.json {
        return print_json(&rows);
    }
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.rank.to_string(),
                r.band.label().to_owned(),
                r.task.clone(),
                r.account.as_ref().map(|a| a.to_string()).unwrap_or_default(),
                r.due.map(|d| d.to_string()).unwrap_or_default(),
                r.reason.clone(),
            ]
        })
        .collect();
    print_table(&["rank", "band", "task", "account", "due", "why"], &table)
}
