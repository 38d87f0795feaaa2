//! The same binary on PostgreSQL: one `--database-url` and everything works alike.

#![allow(clippy::unwrap_used)]

mod support;

use support::steward;

#[test]
fn accounts_and_demo_on_postgres() {
    let Some(db) = steward_store_tests::TempPostgres::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.as_str();
    let migrated = steward(dir.path(), &["--database-url", url, "migrate"]).ok();
    assert!(migrated.stdout.contains("(postgres)"), "{}", migrated.stdout);
    steward(dir.path(), &["--database-url", url, "accounts", "add", "acme", "--name", "Acme"]).ok();
    steward(dir.path(), &["--database-url", url, "accounts", "add", "acme", "--name", "Acme"])
        .fails(1, "account acme already exists");
    steward(dir.path(), &["--database-url", url, "accounts", "add", "other", "--name", "Other", "--parent", "ghost"])
        .fails(1, "account ghost not found");

    let demo_dir = tempfile::tempdir().unwrap();
    let Some(demo_db) = steward_store_tests::TempPostgres::new() else { return };
    let args = [
        "--database-url",
        demo_db.url.as_str(),
        "demo",
        "--no-serve",
        "--accounts",
        "5",
        "--lives-per-account",
        "100",
        "--as-of",
        "2026-11-01",
        "--password",
        "demo-password-1",
    ];
    steward(demo_dir.path(), &args).ok();
    assert!(steward(demo_dir.path(), &args).ok().stdout.contains("Reusing the demo book"));
    let list = steward(demo_dir.path(), &["--database-url", demo_db.url.as_str(), "accounts", "list", "--json"]).ok();
    let accounts: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(accounts.as_array().unwrap().len(), 5);
}
