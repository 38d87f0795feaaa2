//! `steward experiments design`: the units a test needs before it starts, from the units
//! that exist (`steward_health::experiments`).

use super::{outln, print_json, today};
use crate::Settings;
use crate::cli::ExperimentsCommand;
use anyhow::{Result, bail};
use steward_health::experiments::{Ask, Units, plan};

pub fn run(settings: &Settings, command: ExperimentsCommand) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let ExperimentsCommand::Design(a) = command;
    let units = match (&a.account, &a.segment) {
        (Some(slug), None) => Units::Worksites(slug.clone()),
        (None, Some(segment)) => Units::Accounts(segment.parse()?),
        _ => bail!("say what is randomized: --account SLUG (its worksites) or --segment SEGMENT (its accounts)"),
    };
    let ask = Ask { baseline: a.baseline, mde_points: a.mde, alpha: a.alpha, power: a.power, icc: a.icc };
    let planned = plan(store.as_ref(), &units, &ask, today(a.today))?.map_err(anyhow::Error::msg)?;
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
