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
    let shown = steward(d, &["scorecard", "show"]).ok().stdout;
    assert!(shown.contains("built-in defaults") && shown.contains("enrollment_vs_target"), "{shown}");
}
