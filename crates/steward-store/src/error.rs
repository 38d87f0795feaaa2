use std::fmt;

/// What went wrong in storage, in terms a caller can act on. The HTTP layer and the CLI
/// each map it to a status or exit code in one place.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StoreError {
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    Duplicate(String),
    /// A write carried a version someone else already replaced.
    #[error("{what} was changed by someone else meanwhile (it is now at version {current}); reload and try again")]
    Conflict { what: String, current: i64 },
    #[error("{0}")]
    Invalid(String),
    #[error("cannot reach the database: {0}")]
    Unavailable(String),
    /// Anything unexpected; the text is for logs, not for people.
    #[error("database error: {0}")]
    Backend(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl From<steward_domain::ParseError> for StoreError {
    fn from(e: steward_domain::ParseError) -> Self {
        StoreError::Invalid(e.0)
    }
}

/// A failure reported by a backend driver, classified so shared code can tell a
/// constraint violation from an outage without knowing the backend.
#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    Unique(String),
    ForeignKey(String),
    Check(String),
    Unavailable(String),
    Other(String),
}

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DbError::Unique(m) => write!(f, "unique constraint: {m}"),
            DbError::ForeignKey(m) => write!(f, "foreign key constraint: {m}"),
            DbError::Check(m) => write!(f, "check constraint: {m}"),
            DbError::Unavailable(m) => write!(f, "unavailable: {m}"),
            DbError::Other(m) => f.write_str(m),
        }
    }
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unavailable(m) => StoreError::Unavailable(m),
            other => StoreError::Backend(other.to_string()),
        }
    }
}

/// Maps a unique violation to `Duplicate(what)`; other errors as usual.
pub(crate) fn duplicate_as(what: impl FnOnce() -> String) -> impl FnOnce(DbError) -> StoreError {
    move |e| match e {
        DbError::Unique(_) => StoreError::Duplicate(what()),
        other => other.into(),
    }
}
