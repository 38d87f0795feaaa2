//! Steward's storage: the [`Store`] trait (one trait per concept), the error type, and the
//! single SQL implementation [`SqlStore`] that every backend shares through a small
//! [`Driver`]. Backends live in their own crates and only move values and classify errors.
//!
//! Architecture invariant: no store method returns or accepts a member identifier.

mod driver;
mod error;
pub mod ledger_codec;
pub mod migrate;
mod series_codec;
mod sql;
mod store;
mod value;

#[cfg(feature = "conformance")]
pub mod conformance;

pub use driver::{Conn, Dialect, Driver};
pub use error::{DbError, Result, StoreError};
pub use sql::SqlStore;
pub use store::{
    AccountStore, ActivityStore, ArrFilter, ArrStore, AuthStore, ContactStore, ContractStore, CutKind, ExperimentStore,
    ForecastSnapshot, ForecastStore, GoLive, ImportStore, ImportWork, InitiativeStore, LedgerUpdate, MemberStore,
    OpportunityEdit, OpportunityFilter, OpportunityStore, PasswordChanged, ProjectFilter, ProjectStore, QuoteFilter,
    QuoteStore, ReportStore, SettingStore, StageTotal, Store, StoredLedger, SuccessPlanStore, TaskCreated, TaskFilter,
    TaskStore, UserEdit, UserStore, secret_digest,
};
pub use value::{Row, Value, timestamp_text};
