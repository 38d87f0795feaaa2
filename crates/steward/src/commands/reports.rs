//! `steward reports qbr`: an account's quarterly business review, as the page shows it
//! (`steward_web::qbr`), written to a file or standard output.

use crate::Settings;
use crate::cli::{ReportFormat, ReportsCommand};
use anyhow::{Context, Result};
use std::io::Write as _;
use steward_domain::report::Quarter;

/// The stylesheet a review file carries inside it, so it opens and prints anywhere.
const STYLESHEET: &str = include_str!("../../../steward-web/static/steward.css");

pub fn run(settings: &Settings, command: ReportsCommand) -> Result<()> {
    let ReportsCommand::Qbr(a) = command;
    let quarter: Quarter = a.quarter.parse()?;
    let store = crate::open::open_store(settings)?;
    let (card, _) = super::health::scorecard(settings)?;
    let today = chrono::Local::now().date_naive();
    let audience = if a.client {
        steward_health::reports::Audience::Client { threshold: steward_domain::suppression::DEFAULT_THRESHOLD }
    } else {
        steward_health::reports::Audience::Internal
    };
    let qbr = steward_health::reports::qbr(store.as_ref(), &card, &a.account, quarter, today, audience)?
        .map_err(anyhow::Error::msg)?;
    let bytes = match a.format {
        ReportFormat::Html => steward_web::qbr::html(&qbr, Some(STYLESHEET))?.into_bytes(),
        ReportFormat::Pdf => {
            steward_web::qbr::pdf(&qbr).map_err(|why| anyhow::anyhow!("typesetting the review: {why}"))?
        }
        ReportFormat::Csv => steward_web::qbr::csv(&qbr).into_bytes(),
    };
    match &a.out {
        Some(path) => std::fs::write(path, &bytes).with_context(|| format!("writing {}", path.display()))?,
        None => std::io::stdout().lock().write_all(&bytes)?,
    }
    Ok(())
}
