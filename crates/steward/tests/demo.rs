//! `steward demo`: the same seed gives byte-identical files and equal database contents;
//! a second run reuses the book; `--reset` rebuilds it; other data is never clobbered.

#![allow(clippy::unwrap_used)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;
use support::steward;

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

fn files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(root).unwrap().display().to_string(), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

/// Every row of every table, without what legitimately differs between two runs: when a
/// row was written, and password hashes (each has its own random salt).
fn database(path: &Path) -> BTreeMap<String, Vec<Vec<String>>> {
    const VOLATILE: &[&str] = &["created_at", "updated_at", "closed_at", "applied_at", "password_hash"];
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

#[test]
fn same_seed_same_files_and_database() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = steward(a.path(), ARGS).ok();
    steward(b.path(), ARGS).ok();
    assert!(first.stdout.contains("12 accounts") && first.stdout.contains("admin@steward.example"), "{}", first.stdout);
    assert!(first.stdout.contains("demo-password-1"));

    let (fa, fb) = (files(&a.path().join("demo-files")), files(&b.path().join("demo-files")));
    assert!(
        fa.keys().any(|k| k.ends_with(".edi"))
            && fa.keys().any(|k| k.ends_with(".ndjson"))
            && fa.contains_key("visits.csv")
    );
    assert_eq!(fa, fb, "demo files differ between two data dirs");

    let (da, db) = (database(&a.path().join("steward.db")), database(&b.path().join("steward.db")));
    assert!(da["accounts"].len() == 12 && da["activities"].len() > 100 && da["users"].len() > 12, "book loaded");
    assert_eq!(da, db, "database contents differ between two data dirs");
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
fn refuses_to_mix_with_other_data() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["accounts", "add", "real-client", "--name", "Real Client"]).ok();
    steward(dir.path(), ARGS).fails(1, "already holds accounts that are not a demo book");
}
