//! `steward experiments design|launch|list|results`: the sample a test needs before it
//! starts, launching it on a recorded split, and reading it (`steward_health::experiments`).

use super::{outln, print_json, print_table, today};
use crate::Settings;
use crate::cli::{ExperimentDesignArgs, ExperimentsCommand};
use anyhow::{Result, bail};
use steward_domain::Email;
use steward_domain::experiment::{Arm, Experiment, Randomized};
use steward_health::experiments::{Ask, Launch, Listed, Results, launch, plan, results};
use steward_store::Store;

fn units(a: &ExperimentDesignArgs) -> Result<Randomized> {
    Ok(match (&a.account, &a.segment) {
        (Some(slug), None) => Randomized::Worksites { account: slug.clone() },
        (None, Some(segment)) => Randomized::Accounts { segment: segment.parse()? },
        _ => bail!("say what is randomized: --account SLUG (its worksites) or --segment SEGMENT (its accounts)"),
    })
}

fn ask(a: &ExperimentDesignArgs) -> Ask {
    Ask { baseline: a.baseline, mde_points: a.mde, alpha: a.alpha, power: a.power, icc: a.icc }
}

pub fn run(settings: &Settings, command: ExperimentsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    match command {
        ExperimentsCommand::Design(a) => design(store.as_ref(), &a),
        ExperimentsCommand::Launch(l) => {
            let by = match l.by.as_deref().map(Email::parse).transpose()? {
                Some(e) => Some(store.user(&e)?.email),
                None => match &l.design.account {
                    Some(slug) => store.account(slug)?.owner,
                    None => None,
                },
            };
            let ask = Launch {
                name: l.name.clone(),
                change: l.change.clone(),
                units: units(&l.design)?,
                ask: ask(&l.design),
                start: l.start,
                end: l.end,
                seed: l.seed,
                override_reason: l.override_reason.clone(),
            };
            let made = launch(store.as_ref(), &ask, by, today(l.design.today))?.map_err(anyhow::Error::msg)?;
            if l.design.json {
                return print_json(&made);
            }
            let count = |arm| made.assignments.iter().filter(|a| a.arm == arm).count();
            outln!(
                "experiment {}: {} — {} {} in treatment, {} in control (seed {}){}",
                made.id,
                made.name,
                count(Arm::Treatment),
                made.randomized.unit(),
                count(Arm::Control),
                made.seed,
                made.override_reason.as_ref().map_or(String::new(), |r| format!("; launched underpowered: {r}"))
            );
            Ok(())
        }
        ExperimentsCommand::List(a) => {
            let day = today(a.today);
            let list = store.experiments(a.account.as_ref())?;
            if a.json {
                return print_json(&list.into_iter().map(|e| Listed::of(e, day)).collect::<Vec<_>>());
            }
            let rows: Vec<Vec<String>> = list
                .iter()
                .map(|e| {
                    vec![
                        e.id.to_string(),
                        e.name.clone(),
                        match &e.randomized {
                            Randomized::Worksites { account } => format!("worksites of {account}"),
                            Randomized::Accounts { segment } => format!("{} accounts", segment.as_str()),
                        },
                        e.start_date.to_string(),
                        e.end_date.to_string(),
                        e.status_on(day).as_str().to_owned(),
                    ]
                })
                .collect();
            print_table(&["id", "name", "units", "start", "end", "status"], &rows)
        }
        ExperimentsCommand::Results(a) => {
            let experiment = store.experiment(a.id)?;
            let read = results(store.as_ref(), &experiment, today(a.today))?;
            if a.json {
                return print_json(&read);
            }
            print_results(&experiment, &read)
        }
    }
}

fn design(store: &dyn Store, a: &ExperimentDesignArgs) -> Result<()> {
    let planned = plan(store, &units(a)?, &ask(a), today(a.today))?.map_err(anyhow::Error::msg)?;
    if a.json {
        return print_json(&planned);
    }
    let (d, unit) = (&planned.design, planned.unit);
    outln!(
        "to detect {:+.1} points on {:.1}% at α {} with power {}: {} {unit} an arm ({:.0} people; design effect {:.2} at ICC {})",
        a.mde,
        planned.input.baseline * 100.0,
        a.alpha,
        a.power,
        d.units_per_arm,
        d.persons_per_arm,
        d.design_effect,
        a.icc
    );
    outln!(
        "there are {} {unit} ({} an arm): power {:.0}%{}",
        planned.available,
        planned.available / 2,
        planned.power_available * 100.0,
        if planned.powered { "" } else { " — underpowered" }
    );
    Ok(())
}

fn print_results(e: &Experiment, r: &Results) -> Result<()> {
    outln!("{} ({}, read on {}, {} interval)", e.name, r.status.as_str(), r.read_on, r.horizon);
    match (&r.reading, r.effect_points, r.ci_low_points, r.ci_high_points) {
        (Some(x), Some(effect), Some(lo), Some(hi)) => {
            outln!(
                "treatment {:.1}% against control {:.1}%: {effect:+.2} points ({lo:+.2} to {hi:+.2}){}",
                x.treatment_rate * 100.0,
                x.control_rate * 100.0,
                if r.significant { ", significant" } else { "" }
            );
            outln!(
                "{} and {} units with {} and {} people; split check p = {:.3}",
                x.treatment_units,
                x.control_units,
                x.treatment_persons,
                x.control_persons,
                x.srm_p
            );
        }
        _ => outln!("no reading: {}", r.reason.as_deref().unwrap_or("unknown")),
    }
    for w in &r.warnings {
        outln!("warning: {w}");
    }
    Ok(())
}
