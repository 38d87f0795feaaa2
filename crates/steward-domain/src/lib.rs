//! Steward's domain: the pure types and rules every other crate speaks in.
//!
//! Names follow `DOMAIN.md` verbatim. Values are parsed at the boundary into types
//! that cannot hold a bad value (a [`Slug`], an [`Email`], a [`Month`]), so code past
//! the boundary never re-validates. This crate does no IO.

mod text_enum;

pub mod account;
pub mod activity;
pub mod arr;
pub mod auth;
pub mod contact;
pub mod contract;
pub mod csat;
pub mod email;
pub mod experiment;
pub mod forecast;
pub mod health;
pub mod impact;
pub mod import;
pub mod initiative;
pub mod input;
pub mod ledger;
pub mod member;
pub mod metrics;
pub mod metro;
pub mod money;
pub mod month;
pub mod opportunity;
pub mod portfolio;
pub mod pricing;
pub mod project;
pub mod quarter;
pub mod quote;
pub mod report;
pub mod schedule;
pub mod slug;
pub mod stats;
pub mod success_plan;
pub mod suppression;
pub mod task;
pub mod throttle;
pub mod trend;
pub mod user;
pub mod words;

pub use account::{Account, AccountStatus, NewAccount, NewWorksite, Segment, Worksite};
pub use activity::{Activity, ActivityKind, NewActivity};
pub use contact::{Contact, ContactRole, NewContact};
pub use contract::{
    AddOn, Amendment, ChangeKind, ChangeNote, Contract, ContractChange, Guarantee, NewContract, PricingModel,
    RenewalOutcome, Started, TargetMetric, Terms, Tier,
};
pub use csat::{CsatRating, NewCsatRating};
pub use email::Email;
pub use import::{ImportBatch, ImportDetails, ImportKind, ImportStatus, NewImportBatch, RowError};
pub use member::{AgeBand, MemberKey, Modality, Relationship, Sex, Span, VisitStatus, merge_spans};
pub use metro::Metro;
pub use money::Money;
pub use month::Month;
pub use slug::Slug;
pub use task::{NewTask, Priority, Task, TaskAssignment, TaskSource, TaskStatus};
pub use user::{Department, NewUser, Role, User};

/// A value that failed to parse at the boundary, with a sentence for a person.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ParseError(pub String);

impl ParseError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Database identity of a row. Ids are internal; URLs and files use slugs and e-mails.
pub type Id = i64;
