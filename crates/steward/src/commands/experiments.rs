//! `steward experiments design`: the units a test needs before it starts, from the units
//! that exist — an account's worksites as its data has them, or a segment's accounts.

use super::{outln, print_json, today};
use crate::Settings;
use crate::cli::ExperimentsCommand;
use anyhow::{Result, bail};
use steward_domain::experiment::{Design, DesignInput, design, power};
use steward_domain::impact::{Target, Weeks, clusters};

#[derive(serde::Serialize)]
struct Planned {
    unit: &'static str,
    #[serde(flatten)]
    input: DesignInput,
    #[serde(flatten)]
    design: Design,
    /// Units there are to randomize, and the power they would give.
    available: u64,
    power_available: f64,
    /// Enough units for the power asked.
    powered: bool,
}

pub fn run(settings: &Settings, command: ExperimentsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let ExperimentsCommand::Design(a) = command;
    let day = today(a.today);
    // The units: (people, enrolled) each.
    let (unit, units): (&'static str, Vec<(f64, f64)>) = match (&a.account, &a.segment) {
        (Some(slug), None) => {
            let Some(stored) = store.ledger(slug)? else { bail!("account {slug} has no member data to randomize") };
            let weeks = Weeks { first: day - chrono::Days::new(6), count: 1 };
            let sites = clusters(&stored.ledger, weeks, &Target::Account);
            (
                "worksites",
                sites
                    .iter()
                    .map(|c| (f64::from(c.weeks[0].eligible), f64::from(c.weeks[0].enrolled)))
                    .filter(|(n, _)| *n > 0.0)
                    .collect(),
            )
        }
        (None, Some(segment)) => {
            let segment: steward_domain::Segment = segment.parse()?;
            let mut units = Vec::new();
            for account in store.accounts()?.into_iter().filter(|x| x.segment == segment) {
                let latest = steward_health::history::whole_account_metrics(store.as_ref(), &account.slug)?
                    .into_iter()
                    .rfind(|m| !m.partial && m.eligible_lives > 0);
                if let Some(m) = latest {
                    units.push((m.eligible_lives as f64, m.enrolled_members as f64));
                }
            }
            ("accounts", units)
        }
        _ => bail!("say what is randomized: --account SLUG (its worksites) or --segment SEGMENT (its accounts)"),
    };
    if units.len() < 4 {
        bail!("{} {unit} with people; an experiment needs at least four to split", units.len());
    }
    let people: f64 = units.iter().map(|u| u.0).sum();
    let mean = people / units.len() as f64;
    let cv = (units.iter().map(|u| (u.0 - mean).powi(2)).sum::<f64>() / units.len() as f64).sqrt() / mean;
    let baseline = a.baseline.unwrap_or(units.iter().map(|u| u.1).sum::<f64>() / people);
    let input = DesignInput {
        baseline,
        mde: a.mde / 100.0,
        alpha: a.alpha,
        power: a.power,
        cluster_size: mean,
        icc: a.icc,
        size_cv: cv,
    };
    let d = design(&input).map_err(anyhow::Error::msg)?;
    let available = units.len() as u64 / 2;
    let planned = Planned {
        unit,
        input,
        design: d,
        available: units.len() as u64,
        power_available: power(&input, available),
        powered: available >= d.units_per_arm,
    };
    if a.json {
        return print_json(&planned);
    }
    outln!(
        "to detect {:+.1} points on {:.1}% at α {} with power {}: {} {unit} an arm ({:.0} people; design effect {:.2} at ICC {})",
        a.mde,
        baseline * 100.0,
        a.alpha,
        a.power,
        d.units_per_arm,
        d.persons_per_arm,
        d.design_effect,
        a.icc
    );
    outln!(
        "there are {} {unit} ({} an arm): power {:.0}%{}",
        units.len(),
        available,
        planned.power_available * 100.0,
        if planned.powered { "" } else { " — underpowered" }
    );
    Ok(())
}
