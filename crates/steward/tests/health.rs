//! Health on the demo book, whose churn depends on a latent health the generator knows:
//! the default scorecard must rank churned accounts below renewed ones (AUC ≥ 0.75).

#![allow(clippy::unwrap_used)]

mod support;

use support::steward;

#[test]
fn the_default_scorecard_predicts_churn_on_the_demo_book() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward(d, &["demo", "--no-serve", "--as-of", "2026-11-26", "--password", "demo-password-1"]).ok();
    let out: serde_json::Value = serde_json::from_str(&steward(d, &["backtest", "--json"]).ok().stdout).unwrap();
    let auc = out["auc"].as_f64().unwrap();
    assert!(out["decisions"].as_u64().unwrap() >= 20 && out["churned"].as_u64().unwrap() >= 3, "{out}");
    assert!(auc >= 0.75, "AUC {auc}: {out}");

    let health: serde_json::Value = serde_json::from_str(&steward(d, &["health", "--json"]).ok().stdout).unwrap();
    let rows = health.as_array().unwrap();
    assert!(rows.len() >= 25, "a score for every account with data");
    for row in rows {
        let score = row["score"].as_f64().unwrap();
        assert!((0.0..=100.0).contains(&score));
        let lost: f64 = row["drivers"].as_array().unwrap().iter().map(|d| d["points_lost"].as_f64().unwrap()).sum();
        assert!((100.0 - lost - score).abs() < 1e-6, "drivers explain the score: {row}");
    }
    // The demo ran the playbooks after importing; running them again opens nothing new.
    let again = steward(d, &["playbooks", "run", "--today", "2026-11-26", "--json"]).ok().stdout;
    let again: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["opened"].as_array().unwrap().len(), 0, "{again}");
    assert!(again["already_open"].as_u64().unwrap() > 0, "{again}");

    let users: serde_json::Value = serde_json::from_str(&steward(d, &["users", "list", "--json"]).ok().stdout).unwrap();
    let am = users.as_array().unwrap().iter().find(|u| u["role"] == "account_manager").unwrap()["email"]
        .as_str()
        .unwrap()
        .to_owned();
    let work: serde_json::Value =
        serde_json::from_str(&steward(d, &["work", "--user", &am, "--today", "2026-11-26", "--json"]).ok().stdout)
            .unwrap();
    let rows = work.as_array().unwrap();
    assert!(rows.len() >= 5, "{work}");
    // Bands first (overdue, renewal deadlines, upcoming), then the score within a band.
    let band = |r: &serde_json::Value| {
        ["overdue", "renewal_deadline", "upcoming"].iter().position(|b| r["band"] == *b).unwrap()
    };
    let keys: Vec<(usize, f64)> = rows.iter().map(|r| (band(r), -r["score"].as_f64().unwrap())).collect();
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "ranked by band, then score: {keys:?}");
    assert!(rows.iter().enumerate().all(|(i, r)| r["rank"] == i + 1 && !r["reason"].as_str().unwrap().is_empty()));
    assert!(
        rows.iter().any(|r| r["task"].as_str().unwrap().contains("decision-maker")
            || r["task"].as_str().unwrap().contains("Renewal")),
        "playbook tasks are in the queue"
    );

    let shown = steward(d, &["scorecard", "show"]).ok().stdout;
    assert!(shown.contains("built-in defaults") && shown.contains("enrollment_vs_target"), "{shown}");

    // What `show` prints is a valid configuration file: edit it, and it is the one in force.
    std::fs::write(d.join("scorecard.toml"), shown.replace("min_nps_responses = 11", "min_nps_responses = 30"))
        .unwrap();
    let rules = steward(d, &["playbooks", "show"]).ok().stdout;
    std::fs::write(d.join("playbooks.toml"), rules.replace("cooldown_days = 60", "cooldown_days = 90")).unwrap();
    assert!(steward(d, &["scorecard", "show"]).ok().stdout.contains("min_nps_responses = 30"));
    assert!(steward(d, &["playbooks", "show"]).ok().stdout.contains("cooldown_days = 90"));
    steward(d, &["playbooks", "run", "--dry-run", "--today", "2026-11-26"]).ok();
    std::fs::write(d.join("scorecard.toml"), "measures = 7").unwrap();
    steward(d, &["health"]).fails(1, "scorecard.toml is not a valid scorecard");
}
