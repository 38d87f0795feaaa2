//! The one implementation of [`Store`](crate::Store), written once over a [`Driver`].
//! Each file holds one concept's queries; SQL is portable between SQLite and PostgreSQL
//! (`$n` placeholders, `RETURNING`, partial indexes), and anything that is not lives in
//! the migrations' dialect markers.

mod accounts;
mod activities;
mod arr;
mod auth;
mod contacts;
mod contracts;
mod experiments;
mod forecasts;
mod imports;
mod initiatives;
mod members;
mod opportunities;
mod projects;
mod quotes;
mod reports;
mod settings;
mod success_plans;
mod tasks;
mod users;

use crate::{Conn, Dialect, Driver, Result, Store, StoreError, Value, migrate};
use chrono::{DateTime, SubsecRound, Utc};
use steward_domain::{Email, Id, Slug};

/// A [`Store`] over any backend driver.
#[derive(Debug)]
pub struct SqlStore<D: Driver> {
    driver: D,
}

impl<D: Driver> SqlStore<D> {
    /// Opens the store, applying any migrations this build has that the database lacks.
    pub fn open(driver: D) -> Result<Self> {
        let dialect = driver.dialect();
        driver.transaction(true, |conn| migrate::migrate(conn, dialect, &crate::timestamp_text(&now())))?;
        Ok(Self { driver })
    }

    pub fn driver(&self) -> &D {
        &self.driver
    }

    fn read<R>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<R>) -> Result<R> {
        self.driver.transaction(false, f)
    }

    fn write<R>(&self, f: impl FnOnce(&mut dyn Conn) -> Result<R>) -> Result<R> {
        self.driver.transaction(true, f)
    }
}

impl<D: Driver> Store for SqlStore<D> {
    fn dialect(&self) -> Dialect {
        self.driver.dialect()
    }

    fn schema_version(&self) -> Result<i64> {
        self.read(|c| {
            let row = c.query_one("SELECT MAX(version) FROM schema_migrations", &[])?;
            Ok(row.map(|r| r.opt_int(0)).transpose()?.flatten().unwrap_or(0))
        })
    }

    fn erase_all(&self) -> Result<()> {
        self.write(migrate::erase_all)
    }
}

/// The time rows are stamped with, at the microsecond precision both backends keep.
pub(crate) fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

pub(crate) fn account_id(c: &mut dyn Conn, slug: &Slug) -> Result<Id> {
    c.query_one("SELECT id FROM accounts WHERE slug = $1", &[slug.as_str().into()])?
        .ok_or_else(|| StoreError::NotFound(format!("account {slug}")))?
        .int(0)
}

pub(crate) fn opt_account_id(c: &mut dyn Conn, slug: Option<&Slug>) -> Result<Option<Id>> {
    slug.map(|s| account_id(c, s)).transpose()
}

pub(crate) fn user_id(c: &mut dyn Conn, email: &Email) -> Result<Id> {
    c.query_one("SELECT id FROM users WHERE email = $1", &[email.as_str().into()])?
        .ok_or_else(|| StoreError::NotFound(format!("user {email}")))?
        .int(0)
}

pub(crate) fn opt_user_id(c: &mut dyn Conn, email: Option<&Email>) -> Result<Option<Id>> {
    email.map(|e| user_id(c, e)).transpose()
}

/// After an `UPDATE … WHERE id = $ AND version = $` that changed `changed` rows: a stale
/// version is a conflict carrying the current one, a missing row is not found.
pub(crate) fn check_versioned_update(c: &mut dyn Conn, changed: u64, table: &str, id: Id, what: &str) -> Result<()> {
    if changed == 1 {
        return Ok(());
    }
    let current = c.query_one(&format!("SELECT version FROM {table} WHERE id = $1"), &[Value::Int(id)])?;
    match current {
        Some(row) => Err(StoreError::Conflict { what: what.to_owned(), current: row.int(0)? }),
        None => Err(StoreError::NotFound(what.to_owned())),
    }
}

pub(crate) fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Backend(e.to_string()))
}

pub(crate) fn from_json<T: serde::de::DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Backend(format!("stored JSON: {e}")))
}
