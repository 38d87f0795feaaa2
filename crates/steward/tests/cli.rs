//! The command line on the embedded database: what works, and a clear one-line error with
//! exit code 1 for each way it can be used wrongly (exit 2 for usage errors).

#![allow(clippy::unwrap_used)]

mod support;

use support::{steward, steward_with_input};

#[test]
fn accounts_and_users_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward(d, &["migrate"]).ok();
    steward(d, &["migrate"]).ok();
    steward_with_input(
        d,
        &["users", "add", "Ann.Lark@steward.example", "--role", "account_manager"],
        "long enough password\n",
    )
    .ok();
    let added = steward(
        d,
        &[
            "accounts",
            "add",
            "acme-corp",
            "--name",
            "Acme Corp",
            "--employees",
            "12000",
            "--owner",
            "ann.lark@steward.example",
        ],
    )
    .ok();
    assert!(added.stdout.contains("added account acme-corp"));
    steward_with_input(
        d,
        &["users", "add", "hr@acme.example", "--role", "client", "--account", "acme-corp", "--json"],
        "another long password\n",
    )
    .ok();

    let list = steward(d, &["accounts", "list", "--json"]).ok();
    let accounts: serde_json::Value = serde_json::from_str(&list.stdout).expect("one JSON document");
    assert_eq!(accounts[0]["slug"], "acme-corp");
    assert_eq!(accounts[0]["segment"], "large_enterprise", "segment follows employees");
    assert_eq!(accounts[0]["owner"], "ann.lark@steward.example");

    let users: serde_json::Value = serde_json::from_str(&steward(d, &["users", "list", "--json"]).ok().stdout).unwrap();
    let names: Vec<&str> = users.as_array().unwrap().iter().map(|u| u["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Ann Lark", "Hr"]);
    assert!(users[1]["account"] == "acme-corp" && users[1]["role"] == "client");
    assert!(!list.stdout.contains("password") && !users.to_string().contains("argon2"), "hashes never leave the store");

    let table = steward(d, &["accounts", "list"]).ok();
    assert!(table.stdout.lines().next().unwrap().starts_with("slug"), "{}", table.stdout);
    assert!(table.stdout.contains("12,000"));
}

#[test]
fn duplicate_slug() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["accounts", "add", "acme", "--name", "Acme"]).ok();
    steward(dir.path(), &["accounts", "add", "acme", "--name", "Acme again"])
        .fails(1, "error: account acme already exists");
}

#[test]
fn unknown_account() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["accounts", "add", "acme-west", "--name", "Acme West", "--parent", "acme"])
        .fails(1, "error: account acme not found");
    steward_with_input(
        dir.path(),
        &["users", "add", "hr@acme.example", "--role", "client", "--account", "acme"],
        "long enough password\n",
    )
    .fails(1, "error: account acme not found");
}

#[test]
fn unknown_owner_and_wrong_scope() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["accounts", "add", "acme", "--name", "Acme", "--owner", "ghost@steward.example"])
        .fails(1, "error: user ghost@steward.example not found");
    steward_with_input(dir.path(), &["users", "add", "hr@acme.example", "--role", "client"], "long enough password\n")
        .fails(1, "a client user needs --account SLUG");
}

#[test]
fn bad_database_url() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["--database-url", "mysql://root@localhost/steward", "migrate"])
        .fails(1, "error: unsupported database URL \"mysql://root@localhost/steward\": use postgres://");
    steward(dir.path(), &["--database-url", "postgres://root@127.0.0.1:5432/db?sslmode=bogus", "migrate"])
        .fails(1, "invalid PostgreSQL URL");
}

#[test]
fn unreachable_database() {
    let dir = tempfile::tempdir().unwrap();
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    steward(dir.path(), &["--database-url", "postgres://steward:secret@127.0.0.1:1/steward", "accounts", "list"])
        .fails(1, "error: cannot open postgres://steward:***@127.0.0.1:1/steward: cannot reach the database:");
}

#[test]
fn unwritable_data_dir() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-directory");
    std::fs::write(&file, "x").unwrap();
    // Root ignores permission bits, so use a path that cannot be a directory at all.
    steward(&file.join("data"), &["accounts", "list"]).fails(1, "error: cannot create data directory");
}

#[test]
fn bad_password_input() {
    let dir = tempfile::tempdir().unwrap();
    steward_with_input(dir.path(), &["users", "add", "ann@steward.example", "--role", "admin"], "short\n")
        .fails(1, "the password is too short");
    steward_with_input(dir.path(), &["users", "add", "ann@steward.example", "--role", "admin"], "")
        .fails(1, "no password on stdin");
    steward_with_input(dir.path(), &["users", "add", "not-an-email", "--role", "admin"], "long enough password\n")
        .fails(1, "invalid e-mail address");
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    steward(dir.path(), &["accounts", "add", "Not A Slug", "--name", "x"]).fails(2, "invalid slug");
    steward(dir.path(), &["users", "add", "a@b.example", "--role", "wizard"]).fails(2, "unknown role");
    steward(dir.path(), &["frobnicate"]).fails(2, "unrecognized subcommand");
}

#[test]
fn api_tokens_are_shown_once_and_stored_as_digests() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward_with_input(d, &["users", "add", "loader@steward.example", "--role", "admin"], "long enough password\n")
        .ok();
    let created =
        steward(d, &["tokens", "create", "loader@steward.example", "--name", "nightly loader", "--json"]).ok();
    let created: serde_json::Value = serde_json::from_str(&created.stdout).expect("one JSON document");
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("stw_") && created["prefix"] == token[..10]);

    let listed = steward(d, &["tokens", "list", "--user", "loader@steward.example"]).ok().stdout;
    assert!(listed.contains("nightly loader") && listed.contains("never"), "{listed}");
    assert!(!listed.contains(&token), "the secret is never listed");
    let db = rusqlite::Connection::open(d.join("steward.db")).unwrap();
    let stored: String = db.query_row("SELECT token_hash FROM api_tokens", [], |r| r.get(0)).unwrap();
    assert_eq!(stored, steward_store::secret_digest(&token), "only the digest is kept");

    let id = created["id"].to_string();
    assert!(steward(d, &["tokens", "revoke", &id]).ok().stdout.contains("revoked token"));
    let after: serde_json::Value =
        serde_json::from_str(&steward(d, &["tokens", "list", "--json"]).ok().stdout).unwrap();
    assert!(after[0]["revoked_at"].is_string());
    steward(d, &["tokens", "revoke", "999"]).fails(1, "error: API token 999");
    steward(d, &["tokens", "create", "nobody@steward.example", "--name", "x"])
        .fails(1, "error: user nobody@steward.example");
    steward(d, &["tokens", "create", "loader@steward.example", "--name", " "]).fails(1, "needs a name");
}

#[test]
fn a_suppression_threshold_under_eleven_is_refused_unless_the_risk_is_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for threshold in ["0", "-1", "5"] {
        steward(d, &["serve", "--bind", "127.0.0.1:0", "--suppression-threshold", threshold])
            .fails(1, "suppression threshold");
    }
    // With the risk accepted, 0 is still refused: it would show every cell.
    steward(d, &["serve", "--bind", "127.0.0.1:0", "--suppression-threshold", "0", "--accept-small-cell-risk"])
        .fails(1, "would show every cell");
}

/// The commercial commands on a demo book: every list speaks JSON with the fields the issue
/// names; a contract refusal is one line; a quote past the threshold is not approved by an
/// account manager; the renewal job is idempotent.
#[test]
fn the_commercial_cycle_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let args = [
        "demo",
        "--no-serve",
        "--accounts",
        "8",
        "--lives-per-account",
        "60",
        "--as-of",
        "2026-11-30",
        "--password",
        "demo-password-1",
    ];
    steward(d, &args).ok();
    let json = |args: &[&str]| -> serde_json::Value { serde_json::from_str(&steward(d, args).ok().stdout).unwrap() };
    let arr = json(&["arr", "--json"]);
    let row = &arr.as_array().unwrap()[0];
    for field in ["account", "month", "arr", "at_risk"] {
        assert!(row.get(field).is_some(), "arr rows have {field}");
    }
    let retention = json(&["retention", "--month", "2026-10", "--by", "segment", "--json"]);
    for field in ["month", "grr", "nrr", "start_arr", "churn", "contraction", "expansion"] {
        assert!(retention[0].get(field).is_some(), "retention has {field}");
    }
    let opportunities = json(&["opportunities", "list", "--json"]);
    let renewal = opportunities.as_array().unwrap().iter().find(|o| o["kind"] == "renewal").expect("a renewal").clone();
    for field in ["id", "account", "kind", "stage", "amount", "forecast_category", "close_date", "contract_id"] {
        assert!(renewal.get(field).is_some(), "opportunities have {field}");
    }
    let again = steward(d, &["renewals", "run", "--today", "2026-11-30", "--json"]).ok();
    let run: serde_json::Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(run["opened"].as_array().unwrap().len(), 0, "the demo opened them already: none twice");
    let forecast = json(&["forecast", "--quarter", "2027Q1", "--today", "2026-11-30", "--json"]);
    assert!(forecast["commit"].as_f64().unwrap() >= forecast["won"].as_f64().unwrap());
    assert!(forecast["pipeline"].as_f64().unwrap() >= forecast["best_case"].as_f64().unwrap());
    let contracts = json(&["contracts", "list", "--json"]);
    let c = &contracts.as_array().unwrap()[0];
    let id = c["id"].to_string();
    let bad = steward(d, &["contracts", "amend", &id, "--from", "2026-12-15", "--reason", "mid-month"]);
    let bad = bad.fails(1, "first day of a month");
    assert_eq!(bad.stderr.trim().lines().count(), 1, "one line: {}", bad.stderr);
    let account = renewal["account"].as_str().unwrap();
    let quote = json(&[
        "quotes",
        "add",
        "--account",
        account,
        "--opportunity",
        &renewal["id"].to_string(),
        "--rate",
        "0.50",
        "--today",
        "2026-11-30",
        "--json",
    ]);
    for field in ["annual_price", "arr_change", "discount_pct", "status"] {
        assert!(quote.get(field).is_some(), "quotes show {field}");
    }
    let q = quote["id"].to_string();
    let submitted = json(&["quotes", "submit", &q, "--json"]);
    assert_eq!(submitted["status"], "submitted", "far past the threshold: it waits");
    let users = json(&["users", "list", "--json"]);
    let by_role = |role: &str| {
        users.as_array().unwrap().iter().find(|u| u["role"] == role).unwrap()["email"].as_str().unwrap().to_owned()
    };
    steward(d, &["quotes", "approve", &q, "--by", &by_role("account_manager")]).fails(1, "only a director");
    let approved = json(&["quotes", "approve", &q, "--by", &by_role("director"), "--json"]);
    assert_eq!(approved["status"], "approved");
    let listed = json(&["quotes", "list", "--status", "approved", "--json"]);
    assert!(listed.as_array().unwrap().iter().any(|x| x["id"] == quote["id"]), "the approved quote is listed");
    steward(d, &["settings", "set", "quote.approval_threshold_pct", "250"]).fails(1, "percentage from 0 to 100");
    steward(d, &["settings", "set", "opportunity.loss_reasons", "price\nno budget"]).ok();
    let shown = json(&["settings", "show", "--json"]);
    assert_eq!(shown["opportunity.loss_reasons"], serde_json::json!(["price", "no budget"]));
}
