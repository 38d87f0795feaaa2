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

/// Two processes on one PostgreSQL database open renewals again and again, at once: each
/// term in its window ends with exactly one renewal opportunity.
#[test]
fn renewals_exist_once_however_many_processes_race() {
    let Some(db) = steward_store_tests::TempPostgres::new() else { return };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.as_str();
    let terms = 12;
    for i in 0..terms {
        let slug = format!("client-{i}");
        let name = format!("Client {i}");
        steward(dir.path(), &["--database-url", url, "accounts", "add", &slug, "--name", &name, "--status", "live"])
            .ok();
        steward(
            dir.path(),
            &[
                "--database-url",
                url,
                "contracts",
                "add",
                "--account",
                &slug,
                "--start",
                "2025-01-01",
                "--end",
                "2027-03-31",
                "--model",
                "pepm",
                "--rate",
                "4.50",
            ],
        )
        .ok();
    }
    let racers: Vec<std::thread::JoinHandle<()>> = (0..2)
        .map(|_| {
            let (dir, url) = (dir.path().to_owned(), url.to_owned());
            std::thread::spawn(move || {
                for _ in 0..4 {
                    steward(&dir, &["--database-url", &url, "renewals", "run", "--today", "2026-12-01", "--json"]).ok();
                }
            })
        })
        .collect();
    for r in racers {
        r.join().unwrap();
    }
    let listed =
        steward(dir.path(), &["--database-url", url, "opportunities", "list", "--kind", "renewal", "--json"]).ok();
    let list: serde_json::Value = serde_json::from_str(&listed.stdout).unwrap();
    let mut contracts: Vec<i64> = list.as_array().unwrap().iter().map(|o| o["contract_id"].as_i64().unwrap()).collect();
    contracts.sort_unstable();
    let before = contracts.len();
    contracts.dedup();
    assert_eq!(before, contracts.len(), "a term with two renewals");
    assert_eq!(contracts.len(), terms, "every term in its window has its renewal");
}
