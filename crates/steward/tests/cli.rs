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
