//! Designing an experiment on the units that exist: an account's worksites as its data has
//! them, or a segment's accounts — their sizes, how much the sizes vary, and today's
//! enrollment — turned into the sample the test needs and the power the units there are
//! would give.

use chrono::NaiveDate;
use steward_domain::experiment::{Design, DesignInput, design, power};
use steward_domain::impact::{Target, Weeks, clusters};
use steward_domain::{Segment, Slug};
use steward_store::Store;

/// What is randomized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Units {
    /// An account's worksites.
    Worksites(Slug),
    /// A segment's accounts (a service change).
    Accounts(Segment),
}

/// What the person designing asks for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ask {
    /// The control arm's expected enrollment rate; the units' own today when `None`.
    pub baseline: Option<f64>,
    /// The smallest effect worth detecting, in enrollment points.
    pub mde_points: f64,
    pub alpha: f64,
    pub power: f64,
    pub icc: f64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Planned {
    pub unit: &'static str,
    #[serde(flatten)]
    pub input: DesignInput,
    #[serde(flatten)]
    pub design: Design,
    /// Units there are to randomize, and the power half of them an arm would give.
    pub available: u64,
    pub power_available: f64,
    /// Enough units for the power asked.
    pub powered: bool,
}

/// The design; `Err` says why there is none (no data, too few units, numbers that cannot
/// describe a test).
pub fn plan(
    store: &dyn Store,
    units: &Units,
    ask: &Ask,
    today: NaiveDate,
) -> steward_store::Result<Result<Planned, String>> {
    // Each unit as (people, enrolled).
    let (unit, sizes): (&'static str, Vec<(f64, f64)>) = match units {
        Units::Worksites(slug) => {
            let Some(stored) = store.ledger(slug)? else {
                return Ok(Err(format!("account {slug} has no member data to randomize")));
            };
            let week = Weeks { first: today - chrono::Days::new(6), count: 1 };
            let sites = clusters(&stored.ledger, week, &Target::Account);
            let sizes = sites.iter().map(|c| (f64::from(c.weeks[0].eligible), f64::from(c.weeks[0].enrolled)));
            ("worksites", sizes.filter(|(n, _)| *n > 0.0).collect())
        }
        Units::Accounts(segment) => {
            let mut sizes = Vec::new();
            for account in store.accounts()?.into_iter().filter(|a| a.segment == *segment) {
                let latest = crate::history::whole_account_metrics(store, &account.slug)?
                    .into_iter()
                    .rfind(|m| !m.partial && m.eligible_lives > 0);
                if let Some(m) = latest {
                    sizes.push((m.eligible_lives as f64, m.enrolled_members as f64));
                }
            }
            ("accounts", sizes)
        }
    };
    if sizes.len() < 4 {
        return Ok(Err(format!("{} {unit} with people; an experiment needs at least four to split", sizes.len())));
    }
    let people: f64 = sizes.iter().map(|u| u.0).sum();
    let mean = people / sizes.len() as f64;
    let cv = (sizes.iter().map(|u| (u.0 - mean).powi(2)).sum::<f64>() / sizes.len() as f64).sqrt() / mean;
    let input = DesignInput {
        baseline: ask.baseline.unwrap_or(sizes.iter().map(|u| u.1).sum::<f64>() / people),
        mde: ask.mde_points / 100.0,
        alpha: ask.alpha,
        power: ask.power,
        cluster_size: mean,
        icc: ask.icc,
        size_cv: cv,
    };
    let d = match design(&input) {
        Ok(d) => d,
        Err(why) => return Ok(Err(why)),
    };
    let per_arm = sizes.len() as u64 / 2;
    Ok(Ok(Planned {
        unit,
        input,
        design: d,
        available: sizes.len() as u64,
        power_available: power(&input, per_arm),
        powered: per_arm >= d.units_per_arm,
    }))
}
