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
