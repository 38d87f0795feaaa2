//! Health, backtest, playbooks and the work queue, computed from what the store holds.
//! The rules themselves are pure and live in `steward-domain` (`health`, `pricing`); this
//! crate gathers their inputs account by account.
//!
//! Architecture invariant: no SQL here — only the `Store` traits.

pub mod backtest;
pub mod history;
pub mod playbooks;
pub mod revenue;
pub mod run;
pub mod summary;
pub mod work;

pub use backtest::{Backtest, backtest};
pub use history::{AccountHealth, history};
pub use summary::AccountSummary;
