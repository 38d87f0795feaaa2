//! The PostgreSQL backend: for a team, several `steward serve` processes on one database.
//!
//! Architecture invariant: this crate only moves [`Value`]s and classifies errors; every
//! query lives in `steward-store`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use postgres::error::SqlState;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{Client, NoTls, Statement};
use std::collections::HashMap;
use std::error::Error;
use std::time::Duration;
use steward_store::{Conn, DbError, Dialect, Driver, Result, Row, SqlStore, StoreError, Value};

/// Connects to `url` (`postgres://user@host:port/db`) and brings the schema up to date.
pub fn open(url: &str) -> Result<SqlStore<PgDriver>> {
    SqlStore::open(PgDriver::new(url)?)
}

#[derive(Debug)]
pub struct PgDriver {
    pool: r2d2::Pool<Manager>,
}

impl PgDriver {
    pub fn new(url: &str) -> Result<Self> {
        let mut config: postgres::Config =
            url.parse().map_err(|e| StoreError::Invalid(format!("invalid PostgreSQL URL: {e}")))?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(5));
        }
        let manager = Manager { config };
        // Connect once up front so a wrong host or database fails now, with its reason.
        drop(r2d2::ManageConnection::connect(&manager).map_err(|e| StoreError::Unavailable(describe(&e)))?);
        let pool = r2d2::Pool::builder()
            .max_size(8)
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(10))
            .build_unchecked(manager);
        Ok(Self { pool })
    }
}

/// The server's own words when it sent some ("database \"x\" does not exist").
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => e.source().map_or_else(|| e.to_string(), |s| s.to_string()),
    }
}

struct Manager {
    config: postgres::Config,
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Manager").field("dbname", &self.config.get_dbname()).finish()
    }
}

/// A client and the statements already prepared on it.
struct PgConnection {
    client: Client,
    statements: HashMap<String, Statement>,
}

impl r2d2::ManageConnection for Manager {
    type Connection = PgConnection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgConnection, postgres::Error> {
        Ok(PgConnection { client: self.config.connect(NoTls)?, statements: HashMap::new() })
    }

    fn is_valid(&self, conn: &mut PgConnection) -> Result<(), postgres::Error> {
        conn.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, conn: &mut PgConnection) -> bool {
        conn.client.is_closed()
    }
}

impl Driver for PgDriver {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn transaction<R>(&self, _write: bool, f: impl FnOnce(&mut dyn Conn) -> Result<R>) -> Result<R> {
        let mut pooled = self.pool.get().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let PgConnection { client, statements } = &mut *pooled;
        let tx = client.transaction().map_err(classify)?;
        let mut conn = PgConn { tx, statements };
        let out = f(&mut conn)?;
        conn.tx.commit().map_err(classify)?;
        Ok(out)
    }
}

struct PgConn<'a> {
    tx: postgres::Transaction<'a>,
    statements: &'a mut HashMap<String, Statement>,
}

impl PgConn<'_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.tx.prepare(sql).map_err(classify_db)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

#[derive(Debug)]
struct Param<'a>(&'a Value);

impl ToSql for Param<'_> {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self.0 {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(v) => match *ty {
                Type::INT2 => i16::try_from(*v)?.to_sql_checked(ty, out),
                Type::INT4 => i32::try_from(*v)?.to_sql_checked(ty, out),
                _ => v.to_sql_checked(ty, out),
            },
            Value::Real(v) => v.to_sql_checked(ty, out),
            Value::Text(v) => v.to_sql_checked(ty, out),
            Value::Bool(v) => v.to_sql_checked(ty, out),
            Value::Date(v) => v.to_sql_checked(ty, out),
            Value::Time(v) => v.to_sql_checked(ty, out),
            Value::Bytes(v) => v.to_sql_checked(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

fn column(row: &postgres::Row, i: usize) -> Result<Value, postgres::Error> {
    let ty = row.columns()[i].type_().clone();
    Ok(match ty {
        Type::BOOL => row.try_get::<_, Option<bool>>(i)?.map(Value::Bool),
        Type::INT2 => row.try_get::<_, Option<i16>>(i)?.map(|v| Value::Int(v.into())),
        Type::INT4 => row.try_get::<_, Option<i32>>(i)?.map(|v| Value::Int(v.into())),
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::FLOAT4 => row.try_get::<_, Option<f32>>(i)?.map(|v| Value::Real(v.into())),
        Type::FLOAT8 => row.try_get::<_, Option<f64>>(i)?.map(Value::Real),
        Type::DATE => row.try_get::<_, Option<NaiveDate>>(i)?.map(Value::Date),
        Type::TIMESTAMPTZ => row.try_get::<_, Option<DateTime<Utc>>>(i)?.map(Value::Time),
        Type::TIMESTAMP => row.try_get::<_, Option<NaiveDateTime>>(i)?.map(|t| Value::Time(t.and_utc())),
        Type::VOID => None,
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Bytes),
        _ => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
    }
    .unwrap_or(Value::Null))
}

impl Conn for PgConn<'_> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let stmt = self.statement(sql)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.tx.execute(&stmt, &refs).map_err(classify_db)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let stmt = self.statement(sql)?;
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        let refs: Vec<&(dyn ToSql + Sync)> = params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        let rows = self.tx.query(&stmt, &refs).map_err(classify_db)?;
        rows.iter()
            .map(|r| (0..r.len()).map(|i| column(r, i)).collect::<Result<Vec<_>, _>>().map(Row))
            .collect::<Result<_, _>>()
            .map_err(classify_db)
    }

    fn execute_batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.tx.batch_execute(sql).map_err(classify_db)
    }
}

fn classify_db(e: postgres::Error) -> DbError {
    let message = describe(&e);
    match e.code() {
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => DbError::Unique(message),
        Some(c) if *c == SqlState::FOREIGN_KEY_VIOLATION => DbError::ForeignKey(message),
        Some(c) if *c == SqlState::CHECK_VIOLATION || *c == SqlState::NOT_NULL_VIOLATION => DbError::Check(message),
        None if e.is_closed() => DbError::Unavailable(message),
        _ => DbError::Other(message),
    }
}

fn classify(e: postgres::Error) -> StoreError {
    classify_db(e).into()
}
