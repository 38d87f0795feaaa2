//! The conformance suite on the embedded SQLite backend, each case on its own file.

#![allow(clippy::unwrap_used)]

steward_store::conformance_tests!(steward_store_tests::TempSqlite::new());

#[test]
fn reopening_keeps_data_and_does_not_migrate_twice() {
    use steward_store::{AccountStore, Store};
    let temp = steward_store_tests::TempSqlite::new();
    temp.create_account(&steward_domain_account("acme")).expect("create");
    let again = steward_store_sqlite::open(&temp.path()).expect("reopen");
    assert_eq!(again.accounts().expect("list").len(), 1);
    assert_eq!(again.schema_version().expect("version"), steward_store::migrate::latest_version());
}

fn steward_domain_account(slug: &str) -> steward_domain::NewAccount {
    steward_domain::NewAccount::new(steward_domain::Slug::parse(slug).expect("slug"), "Acme")
}

/// A database an earlier build wrote: its series hold fifteen counts a month, not today's
/// eighteen. They read with the new counts as zero, are listed as outdated, and a refresh
/// brings them up to date.
#[test]
fn series_an_earlier_build_wrote_read_and_refresh() {
    use steward_store::{AccountStore, CutKind, MemberStore};
    let temp = steward_store_tests::TempSqlite::new();
    temp.create_account(&steward_domain_account("acme")).expect("create");
    let acme = steward_domain::Slug::parse("acme").expect("slug");
    // One month: 300 eligible lives, 12 visits in office, the other thirteen counts zero.
    let mut old = vec![0xAC, 0x02, 0, 0, 0, 12];
    old.extend([0; 10]);
    let db = rusqlite::Connection::open(temp.path()).expect("open the file");
    db.execute(
        "INSERT INTO account_metrics (account_id, cut_kind, cut_value, first_month, months, counts, counts_fields) \
         SELECT id, 'all', '', '2025-01-01', 1, ?1, 15 FROM accounts WHERE slug = 'acme'",
        [old],
    )
    .expect("an old series");
    let read = temp.metrics(&acme, CutKind::All, None, None).expect("read");
    assert_eq!((read[0].2.eligible_lives, read[0].2.visits_in_office, read[0].2.visitors_in_office_3m), (300, 12, 0));
    assert_eq!(temp.outdated_metrics().expect("outdated"), std::slice::from_ref(&acme));
    temp.refresh_metrics(&acme, 0, None).expect("refresh");
    assert!(temp.outdated_metrics().expect("outdated").is_empty());
}

/// A forecast snapshot an earlier build kept under "2027Q1": migration 23 rewrites it as
/// "2027-Q1", the one way a quarter is written, so the forecast's history still finds it.
#[test]
fn forecast_snapshots_an_earlier_build_kept_are_found_after_migrating() {
    use steward_store::{ForecastStore, Store};
    let temp = steward_store_tests::TempSqlite::new();
    let db = rusqlite::Connection::open(temp.path()).expect("open the file");
    db.execute_batch(
        "DELETE FROM schema_migrations WHERE version = 23;
         INSERT INTO forecast_snapshots (week, quarter, owner, won_cents, commit_cents, best_case_cents, pipeline_cents, taken_at)
         VALUES ('2027-01-04', '2027Q1', '', 100, 200, 300, 400, '2027-01-04T09:00:00Z');",
    )
    .expect("a database as the earlier build left it");
    drop(db);
    let again = steward_store_sqlite::open(&temp.path()).expect("reopen and migrate");
    assert_eq!(again.schema_version().expect("version"), steward_store::migrate::latest_version());
    let quarter = steward_domain::forecast::Quarter::parse("2027Q1").expect("quarter");
    let history = again.forecast_history(quarter, None).expect("history");
    assert_eq!(history.len(), 1, "kept under the quarter's one text");
    assert_eq!((history[0].week.to_string(), history[0].totals.commit.cents), ("2027-01-04".into(), 200));
}
