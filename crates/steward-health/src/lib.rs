//! Health, backtest, playbooks and the work queue, computed from what the store holds.
//! The rules themselves are pure and live in `steward-domain` (`health`, `pricing`); this
//! crate gathers their inputs account by account.
//!
//! Architecture invariant: no SQL here — only the `Store` traits.

pub mod backtest;
pub mod experiments;
pub mod forecast;
pub mod history;
pub mod initiatives;
pub mod pipeline;
pub mod playbooks;
pub mod portfolio;
pub mod projects;
pub mod quotes;
pub mod renewals;
pub mod reports;
pub mod revenue;
pub mod run;
pub mod success_plans;
pub mod summary;
pub mod work;

pub use backtest::{Backtest, backtest};
pub use history::{AccountHealth, history};
pub use summary::AccountSummary;

/// What the work after an import did: the playbooks' tasks, the renewals opened and the
/// projects' completed tasks and alerts.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct AfterImport {
    pub playbooks: run::RunOutcome,
    pub renewals: renewals::RenewalRun,
    pub projects: projects::ProjectRun,
    /// "Review the impact" tasks opened for initiatives whose outcome window closed.
    pub initiative_reviews: usize,
}

/// The one workflow after an import (the command line's and an upload's): new data may
/// fire playbook rules, open renewal windows, complete project tasks and open the review of
/// an initiative whose outcome window has closed.
pub fn after_import(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    playbooks: &playbooks::Playbooks,
    calendar: &steward_domain::schedule::Calendar,
    today: chrono::NaiveDate,
    only: Option<&[steward_domain::Slug]>,
) -> steward_store::Result<AfterImport> {
    Ok(AfterImport {
        playbooks: run::run(store, card, playbooks, today, only, false)?,
        renewals: renewals::run(store, today, only)?,
        projects: projects::run(store, calendar, today, only)?,
        initiative_reviews: initiatives::open_reviews(store, today, only)?,
    })
}
