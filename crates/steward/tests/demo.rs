//! `steward demo`: the same seed gives byte-identical files and equal database contents;
//! a second run reuses the book; `--reset` rebuilds it; other data is never clobbered.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use steward_store_tests::read_tree;
use support::{steward, steward_env};

const ARGS: &[&str] = &[
    "demo",
    "--no-serve",
    "--seed",
    "7",
    "--accounts",
    "12",
    "--lives-per-account",
    "150",
    "--as-of",
    "2026-11-01",
    "--password",
    "demo-password-1",
];

/// Every row of every table, without what legitimately differs between two runs: when a
/// row was written, and password hashes (each has its own random salt).
fn database(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    const VOLATILE: &[&str] = &[
        "created_at",
        "updated_at",
        "closed_at",
        "applied_at",
        "changed_at",
        "set_at",
        "taken_at",
        "generated_at",
        "published_at",
        "password_hash",
    ];
    let db = rusqlite::Connection::open(path).unwrap();
    let mut out = BTreeMap::new();
    for table in steward_store::migrate::TABLES.iter().chain(&["schema_migrations"]) {
        let columns: Vec<String> = db
            .prepare(&format!("PRAGMA table_info({table})"))
            .unwrap()
            .query_map([], |r| r.get::<_, String>(1))
            .unwrap()
            .map(Result::unwrap)
            .filter(|c| !VOLATILE.contains(&c.as_str()))
            .collect();
        let sql = format!(
            "SELECT {} FROM {table} ORDER BY 1, 2",
            columns.iter().map(|c| format!("quote({c})")).collect::<Vec<_>>().join(", ")
        );
        let mut stmt = db.prepare(&sql).unwrap();
        let rows: Vec<Vec<String>> = stmt
            .query_map([], |r| (0..columns.len()).map(|i| r.get::<_, String>(i)).collect())
            .unwrap()
            .map(Result::unwrap)
            .collect();
        out.insert(table.to_string(), rows);
    }
    out
}

/// Asserts equality table by table, naming the first table and row that differ.
fn assert_same_database(a: &BTreeMap<String, Vec<Vec<String>>>, b: &BTreeMap<String, Vec<Vec<String>>>) {
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (table, rows) in a {
        assert_eq!(rows.len(), b[table].len(), "{table}: row counts differ");
        if let Some((i, (x, y))) = rows.iter().zip(&b[table]).enumerate().find(|(_, (x, y))| x != y) {
            panic!("{table} row {i} differs:\n  {x:?}\n  {y:?}");
        }
    }
}

#[test]
fn same_seed_same_files_and_database() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    // One deployment secret for both, as member keys depend on it by design.
    let secret = tempfile::tempdir().unwrap();
    let key = secret.path().join("secret.key");
    std::fs::write(&key, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\n").unwrap();
    let env = [("STEWARD_MEMBER_KEY_FILE", key.as_path())];
    let first = steward_env(a.path(), ARGS, &env).ok();
    steward_env(b.path(), ARGS, &env).ok();
    assert!(first.stdout.contains("12 accounts") && first.stdout.contains("admin@steward.example"), "{}", first.stdout);
    assert!(first.stdout.contains("demo-password-1"));

    let (fa, fb) = (read_tree(&a.path().join("demo-files")), read_tree(&b.path().join("demo-files")));
    assert!(
        fa.keys().any(|k| k.ends_with(".edi"))
            && fa.keys().any(|k| k.ends_with(".ndjson"))
            && fa.contains_key("visits.csv")
    );
    assert_eq!(fa, fb, "demo files differ between two data dirs");

    let (da, db) = (database(&a.path().join("steward.db")), database(&b.path().join("steward.db")));
    assert!(da["accounts"].len() == 12 && da["activities"].len() > 100 && da["users"].len() > 12, "book loaded");
    assert!(da["member_ledgers"].len() >= 10 && da["account_metrics"].len() > 20, "member files imported");
    assert_same_database(&da, &db);
}

#[test]
fn second_run_reuses_and_reset_rebuilds() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), ARGS).ok();
    let before = database(&dir.path().join("steward.db"));
    let again = steward(dir.path(), ARGS).ok();
    assert!(again.stdout.contains("Reusing the demo book"), "{}", again.stdout);
    assert_eq!(database(&dir.path().join("steward.db")), before, "reuse changes nothing");

    let mut reset: Vec<&str> = ARGS.iter().map(|a| if *a == "7" { "8" } else { a }).collect();
    reset.push("--reset");
    let rebuilt = steward(dir.path(), &reset).ok();
    assert!(!rebuilt.stdout.contains("Reusing"));
    assert_ne!(database(&dir.path().join("steward.db"))["accounts"], before["accounts"], "a new seed, a new book");
}

#[test]
fn refuses_to_mix_with_other_data_even_with_reset() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["accounts", "add", "real-client", "--name", "Real Client"]).ok();
    steward(dir.path(), ARGS).fails(1, "already holds accounts that are not a demo book");
    let mut reset = ARGS.to_vec();
    reset.push("--reset");
    steward(dir.path(), &reset).fails(1, "already holds accounts that are not a demo book");
    assert!(steward(dir.path(), &["accounts", "list"]).ok().stdout.contains("real-client"), "nothing erased");
}

#[test]
fn an_interrupted_build_is_rebuilt() {
    use steward_store::{AccountStore, SettingStore};
    let dir = tempfile::tempdir().unwrap();
    {
        // What a build killed halfway leaves: its marker, incomplete, and part of the book.
        let store = steward_store_sqlite::open(&dir.path().join("steward.db")).unwrap();
        store
            .put_setting(
                "demo.book",
                r#"{"seed":7,"as_of":"2026-11-01","accounts":12,"lives_per_account":150,"complete":false}"#,
            )
            .unwrap();
        store
            .create_account(&steward_domain::NewAccount::new(
                steward_domain::Slug::parse("half-loaded").unwrap(),
                "Half",
            ))
            .unwrap();
    }
    let out = steward(dir.path(), ARGS).ok();
    assert!(out.stderr.contains("interrupted; rebuilding"), "{}", out.stderr);
    let list = steward(dir.path(), &["accounts", "list"]).ok();
    assert!(!list.stdout.contains("half-loaded") && list.stdout.lines().count() == 13, "{}", list.stdout);
}

#[test]
fn a_short_password_fails_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let args: Vec<&str> = ARGS.iter().map(|a| if *a == "demo-password-1" { "short" } else { a }).collect();
    steward(dir.path(), &args).fails(1, "the password is too short");
    assert!(!dir.path().join("demo-files").exists());
}
