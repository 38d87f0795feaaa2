//! What a backend provides: connections that run SQL with [`Value`] parameters, inside a
//! transaction, and the dialect it speaks. Everything else is shared.

use crate::{DbError, Result, Row, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

impl Dialect {
    pub fn name(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
        }
    }
}

/// One connection inside a transaction. SQL uses `$1`, `$2`… placeholders on every backend.
pub trait Conn {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// Several statements without parameters (migrations).
    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError>;

    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, DbError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }
}

/// A pool of connections to one database.
pub trait Driver: Send + Sync + std::fmt::Debug + 'static {
    fn dialect(&self) -> Dialect;

    /// Runs `f` in one transaction, committed when it returns `Ok` and rolled back
    /// otherwise. Writers are serialized where the backend needs it (SQLite).
    fn transaction<R>(&self, write: bool, f: impl FnOnce(&mut dyn Conn) -> Result<R>) -> Result<R>;
}
