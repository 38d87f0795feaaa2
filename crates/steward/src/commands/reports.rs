//! `steward reports qbr`: an account's quarterly business review, as the page shows it
//! (`steward_web::qbr`), written to a file or standard output; `steward reports generate`:
//! the client's reviews of a book, generated in parallel and kept (`steward_web::client_reports`);
//! `steward reports portfolio`: the director's portfolio report (`steward_web::portfolio`).

use super::{outln, print_json};
use crate::Settings;
use crate::cli::{GenerateArgs, PortfolioArgs, ReportFormat, ReportsCommand};
use anyhow::{Context, Result, bail};
use rayon::prelude::*;
use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use steward_domain::report::Quarter;
use steward_domain::{AccountStatus, Email};

/// The stylesheet a review file carries inside it, so it opens and prints anywhere.
const STYLESHEET: &str = include_str!("../../../steward-web/static/steward.css");

pub fn run(settings: &Settings, command: ReportsCommand) -> Result<()> {
    let a = match command {
        ReportsCommand::Qbr(a) => a,
        ReportsCommand::Generate(g) => return generate(settings, &g),
        ReportsCommand::Portfolio(p) => return portfolio(settings, &p),
    };
    let quarter: Quarter = a.quarter.parse()?;
    let store = crate::open::open_store(settings)?;
    let (card, _) = super::health::scorecard(settings)?;
    let today = chrono::Local::now().date_naive();
    let audience = if a.client {
        let threshold = steward_domain::suppression::checked_threshold(a.suppression_threshold, false)
            .map_err(anyhow::Error::msg)?;
        steward_health::reports::Audience::Client { threshold }
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
    write_out(a.out.as_deref(), &bytes)
}

/// A document to its file, or to standard output.
fn write_out(out: Option<&std::path::Path>, bytes: &[u8]) -> Result<()> {
    match out {
        Some(path) => std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display())),
        None => Ok(std::io::stdout().lock().write_all(bytes)?),
    }
}

fn portfolio(settings: &Settings, a: &PortfolioArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let (card, _) = super::health::scorecard(settings)?;
    let today = super::today(a.today);
    let holdings = steward_health::portfolio::holdings(store.as_ref(), &card, today)?;
    let p = steward_health::portfolio::portfolio(store.as_ref(), &holdings, today)?;
    let bytes = match a.format {
        ReportFormat::Html => steward_web::portfolio::html(&p, Some(STYLESHEET))?.into_bytes(),
        ReportFormat::Pdf => {
            steward_web::portfolio::pdf(&p).map_err(|why| anyhow::anyhow!("typesetting the portfolio: {why}"))?
        }
        ReportFormat::Csv => steward_web::portfolio::csv(&p).into_bytes(),
    };
    write_out(a.out.as_deref(), &bytes)
}

#[derive(Debug, serde::Serialize)]
struct Generated {
    account: String,
    quarter: Option<String>,
    id: Option<i64>,
    version: Option<i64>,
    /// `new`, `unchanged` (the quarter's last version is this document) or `refused`.
    outcome: &'static str,
    published: bool,
    reason: Option<String>,
}

fn generate(settings: &Settings, g: &GenerateArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let (card, _) = super::health::scorecard(settings)?;
    let today = chrono::Local::now().date_naive();
    let quarter: Option<Quarter> = g.quarter.as_deref().map(str::parse).transpose()?;
    let owner = g.owner.as_deref().map(Email::parse).transpose()?;
    let accounts: Vec<_> = match (&g.account, g.all, &owner) {
        (Some(slug), _, _) => vec![store.account(slug)?],
        (None, true, _) | (None, false, Some(_)) => store
            .accounts()?
            .into_iter()
            .filter(|a| a.status == AccountStatus::Live)
            .filter(|a| owner.as_ref().is_none_or(|o| a.owner.as_ref() == Some(o)))
            .collect(),
        _ => bail!("say whose reviews: --all, --owner EMAIL or --account SLUG"),
    };
    let threshold =
        steward_domain::suppression::checked_threshold(g.suppression_threshold, false).map_err(anyhow::Error::msg)?;
    let audience = steward_health::reports::Audience::Client { threshold };
    let started = std::time::Instant::now();
    // Each account's quarter, and every quarter's peers read once for the whole batch.
    let mut quarters = Vec::with_capacity(accounts.len());
    for a in &accounts {
        quarters.push(match quarter {
            Some(q) => q,
            None => steward_web::client_reports::last_complete_quarter(store.metrics_as_of(&a.slug)?, today),
        });
    }
    let mut peers = std::collections::HashMap::new();
    for q in &quarters {
        if !peers.contains_key(q) {
            peers.insert(*q, steward_health::reports::Peers::load(store.as_ref(), *q, None, audience)?);
        }
    }
    let (done, total) = (AtomicUsize::new(0), accounts.len());
    // On a pool of its own: Typst typesets on rayon's global one (see `steward_pdf::typeset`).
    let pool = rayon::ThreadPoolBuilder::new().build()?;
    let results: Vec<Generated> = pool.install(|| {
        accounts
            .par_iter()
            .zip(quarters.par_iter())
            .map(|(account, &q)| {
                let one = || -> Result<Generated> {
                    let by = account.owner.clone();
                    let kept = steward_web::client_reports::generate_as(
                        store.as_ref(),
                        &card,
                        &account.slug,
                        q,
                        today,
                        threshold,
                        by.clone(),
                        peers.get(&q),
                    );
                    Ok(match kept {
                        Ok((mut report, new)) => {
                            if g.publish {
                                let Some(by) = &by else { bail!("{} has no owner to publish as", account.slug) };
                                report = store.publish_report(report.id, by)?;
                            }
                            Generated {
                                account: account.slug.to_string(),
                                quarter: Some(q.to_string()),
                                id: Some(report.id),
                                version: Some(report.version),
                                outcome: if new { "new" } else { "unchanged" },
                                published: report.published(),
                                reason: None,
                            }
                        }
                        Err(e) => Generated {
                            account: account.slug.to_string(),
                            quarter: Some(q.to_string()),
                            id: None,
                            version: None,
                            outcome: "refused",
                            published: false,
                            reason: Some(e.to_string()),
                        },
                    })
                };
                let out = one().unwrap_or_else(|e| Generated {
                    account: account.slug.to_string(),
                    quarter: None,
                    id: None,
                    version: None,
                    outcome: "refused",
                    published: false,
                    reason: Some(format!("{e:#}")),
                });
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n == total || n % (total / 20).max(1) == 0 {
                    eprint!("\rreviews: {n} of {total} ({:.1} s)", started.elapsed().as_secs_f64());
                    if n == total {
                        eprintln!();
                    }
                }
                out
            })
            .collect()
    });
    if g.json {
        return print_json(&results);
    }
    let count = |o: &str| results.iter().filter(|r| r.outcome == o).count();
    outln!(
        "{} new, {} unchanged, {} refused, {} published ({:.1} s)",
        count("new"),
        count("unchanged"),
        count("refused"),
        results.iter().filter(|r| r.published).count(),
        started.elapsed().as_secs_f64()
    );
    for r in results.iter().filter(|r| r.outcome == "refused") {
        outln!("{}: {}", r.account, r.reason.as_deref().unwrap_or("refused"));
    }
    Ok(())
}
