//! The conformance suite on PostgreSQL, each case in its own new database.
//! Fails without a server unless `STEWARD_SKIP_POSTGRES=1` says to skip.

#![allow(clippy::unwrap_used)]

macro_rules! postgres_or_skip {
    () => {
        match steward_store_tests::TempPostgres::new() {
            Some(db) => db,
            None => return,
        }
    };
}

steward_store::conformance_tests!(postgres_or_skip!());
