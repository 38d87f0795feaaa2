//! The values that cross between shared SQL and a backend driver. Each driver binds them
//! to its own wire types (a `Date` is a PostgreSQL `date`, and ISO text in SQLite) and
//! reads columns back into them, so the store logic is written once.

use crate::{Result, StoreError};
use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use std::str::FromStr;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Date(NaiveDate),
    Time(DateTime<Utc>),
    Bytes(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Real(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Self {
        Value::Bool(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<NaiveDate> for Value {
    fn from(v: NaiveDate) -> Self {
        Value::Date(v)
    }
}
impl From<DateTime<Utc>> for Value {
    fn from(v: DateTime<Utc>) -> Self {
        Value::Time(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// The text form SQLite stores a timestamp in: fixed width, so text order is time order.
pub fn timestamp_text(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// One result row; getters convert and say which column was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn at(&self, i: usize) -> Result<&Value> {
        self.0.get(i).ok_or_else(|| StoreError::Backend(format!("row has no column {i}")))
    }

    fn bad(&self, i: usize, wanted: &str) -> StoreError {
        StoreError::Backend(format!("column {i}: expected {wanted}, found {:?}", self.0.get(i)))
    }

    pub fn is_null(&self, i: usize) -> Result<bool> {
        Ok(matches!(self.at(i)?, Value::Null))
    }

    pub fn int(&self, i: usize) -> Result<i64> {
        match self.at(i)? {
            Value::Int(v) => Ok(*v),
            _ => Err(self.bad(i, "an integer")),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>> {
        if self.is_null(i)? { Ok(None) } else { self.int(i).map(Some) }
    }

    pub fn real(&self, i: usize) -> Result<f64> {
        match self.at(i)? {
            Value::Real(v) => Ok(*v),
            Value::Int(v) => Ok(*v as f64),
            _ => Err(self.bad(i, "a number")),
        }
    }

    pub fn bool(&self, i: usize) -> Result<bool> {
        match self.at(i)? {
            Value::Bool(v) => Ok(*v),
            Value::Int(v) => Ok(*v != 0),
            _ => Err(self.bad(i, "a boolean")),
        }
    }

    pub fn text(&self, i: usize) -> Result<String> {
        match self.at(i)? {
            Value::Text(v) => Ok(v.clone()),
            _ => Err(self.bad(i, "text")),
        }
    }

    pub fn opt_text(&self, i: usize) -> Result<Option<String>> {
        if self.is_null(i)? { Ok(None) } else { self.text(i).map(Some) }
    }

    pub fn date(&self, i: usize) -> Result<NaiveDate> {
        match self.at(i)? {
            Value::Date(v) => Ok(*v),
            Value::Text(s) => s.parse().map_err(|_| self.bad(i, "a date")),
            _ => Err(self.bad(i, "a date")),
        }
    }

    pub fn opt_date(&self, i: usize) -> Result<Option<NaiveDate>> {
        if self.is_null(i)? { Ok(None) } else { self.date(i).map(Some) }
    }

    pub fn time(&self, i: usize) -> Result<DateTime<Utc>> {
        match self.at(i)? {
            Value::Time(v) => Ok(*v),
            Value::Text(s) => {
                DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|_| self.bad(i, "a timestamp"))
            }
            _ => Err(self.bad(i, "a timestamp")),
        }
    }

    pub fn opt_time(&self, i: usize) -> Result<Option<DateTime<Utc>>> {
        if self.is_null(i)? { Ok(None) } else { self.time(i).map(Some) }
    }

    pub fn bytes(&self, i: usize) -> Result<&[u8]> {
        match self.at(i)? {
            Value::Bytes(v) => Ok(v),
            _ => Err(self.bad(i, "bytes")),
        }
    }

    /// A column holding a domain word or validated string (`Role`, `Slug`, `Email`…).
    pub fn parse<T: FromStr>(&self, i: usize) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        let s = self.text(i)?;
        s.parse().map_err(|e| StoreError::Backend(format!("column {i}: {e}")))
    }

    pub fn opt_parse<T: FromStr>(&self, i: usize) -> Result<Option<T>>
    where
        T::Err: std::fmt::Display,
    {
        if self.is_null(i)? { Ok(None) } else { self.parse(i).map(Some) }
    }
}
