//! Steward's web application: server-rendered pages for account managers, their director,
//! colleagues and client users, and the JSON API under `/api/v1` with its OpenAPI document.
//!
//! Architecture invariants:
//! - only this crate knows HTTP; it reaches data through the `Store` traits and knows
//!   nothing of SQL;
//! - who may do what is decided in [`authz`], nowhere else;
//! - every failure becomes a response in [`error`], the one place that picks a status;
//! - processes keep no session state (sessions live in the store), so several servers can
//!   share one PostgreSQL.

mod api;
mod app;
mod auth;
pub mod authz;
mod book;
pub mod charts;
pub mod client_reports;
mod contracts;
pub mod credentials;
mod document;
mod error;
mod experiments;
mod extract;
mod forms;
mod gantt;
mod headers;
mod initiatives;
mod memo;
mod opportunities;
mod pages;
pub mod portfolio;
mod projects;
pub mod qbr;
mod quotes;
mod results;
mod stakeholders;
mod success_plans;
mod tasks;
mod team;
mod templates;
mod upload;
mod views;
mod writes;

pub use app::{App, WebConfig, router, serve, serve_until};
pub use auth::SESSION_COOKIE;
pub use error::WebError;
pub use views::url_encode;
