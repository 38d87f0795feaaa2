//! Implementation projects: their templates.

use super::outln;
use crate::Settings;
use anyhow::Result;
use steward_domain::project::Templates;
use steward_domain::schedule::{Calendar, schedule};

/// The project templates in force: `<data-dir>/project_templates.toml` when there is one,
/// else the built-in ones.
pub fn templates(settings: &Settings) -> Result<(Templates, String)> {
    let (templates, from): (Templates, String) =
        super::health::config(settings, "project_templates.toml", "project template file")?;
    templates.validate().map_err(|e| anyhow::anyhow!("{from} is not a valid project template file: {e}"))?;
    Ok((templates, from))
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
