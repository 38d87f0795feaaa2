//! Engagement initiatives through the command line, on files written here with a known
//! effect: the binary's estimate recovers it.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::steward;

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap()
}

/// Ten worksites of 150 eligible people each, 30 + 3k of them members since 2025. On
/// 2026-03-05 every site gains 2 + k % 3 members (a common drift); the five targeted by the
/// fair gain 9 more (6 points). By hand: targets' changes (9 + 2 + k % 3) ÷ 150 and the
/// comparison's (2 + k % 3) ÷ 150, equal weights: the effect is 6 points, plus the
/// difference in the drift's means.
#[test]
fn an_initiative_s_impact_recovers_what_was_planted() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward(d, &["accounts", "add", "acme", "--name", "Acme", "--status", "live"]).ok();
    let mut census = String::from(
        "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n",
    );
    let mut members = String::from("account,member_id,membership_start,membership_end\n");
    let mut drift = [0.0; 2];
    for k in 0..10usize {
        let site = format!("Site {}", k + 1);
        let (joined, extra) = (30 + 3 * k, 2 + k % 3 + if k < 5 { 9 } else { 0 });
        drift[usize::from(k < 5)] += (2 + k % 3) as f64 / 5.0;
        for p in 0..150 {
            let id = format!("E{k:02}{p:03}");
            census.push_str(&format!("{id},employee,Ann,Doe,1980-01-01,F,98101,{site},2025-01-01,\n"));
            if p < joined {
                members.push_str(&format!("acme,{id},2025-02-01,\n"));
            } else if p < joined + extra {
                members.push_str(&format!("acme,{id},2026-03-05,\n"));
            }
        }
    }
    let (census_file, members_file) = (d.join("census.csv"), d.join("members.csv"));
    std::fs::write(&census_file, census).unwrap();
    std::fs::write(&members_file, members).unwrap();
    steward(d, &["import", "eligibility", census_file.to_str().unwrap(), "--account", "acme", "--as-of", "2026-06-30"])
        .ok();
    steward(d, &["import", "memberships", members_file.to_str().unwrap()]).ok();

    let targets = "worksite:Site 1,Site 2,Site 3,Site 4,Site 5";
    let add = [
        "initiatives",
        "add",
        "--account",
        "acme",
        "--kind",
        "benefits_fair",
        "--target",
        targets,
        "--start",
        "2026-03-02",
        "--end",
        "2026-03-13",
        "--metric",
        "enrollment_rate",
        "--cost",
        "2500",
        "--json",
    ];
    let made = json(&steward(d, &add).ok().stdout);
    let id = made["id"].as_i64().unwrap().to_string();
    assert_eq!(
        made["target"],
        json!({ "kind": "worksites", "names": ["Site 1", "Site 2", "Site 3", "Site 4", "Site 5"] })
    );

    let read = json(&steward(d, &["initiatives", "impact", &id, "--today", "2026-06-30", "--json"]).ok().stdout);
    let expected = 6.0 + (drift[1] - drift[0]) / 150.0 * 100.0;
    let effect = read["effect"].as_f64().unwrap();
    assert!((effect - expected).abs() < 1e-9, "{effect} vs {expected}: {read}");
    let (lo, hi) = (read["ci_low"].as_f64().unwrap(), read["ci_high"].as_f64().unwrap());
    assert!(lo <= 6.0 && 6.0 <= hi && lo < hi, "the planted 6 points within [{lo}, {hi}]");
    assert_eq!((read["target_n"].clone(), read["comparison_n"].clone()), (json!(750), json!(750)));
    assert_eq!(read["clusters"], json!({ "target": 5, "comparison": 5 }));
    assert_eq!(read["pretrend_ok"], true, "nothing moved before: {read}");
    assert_eq!(read["status"], "measured");
    assert_eq!(
        (read["baseline"].clone(), read["outcome"].clone()),
        (json!(["2026-01-05", "2026-03-01"]), json!(["2026-03-16", "2026-05-10"]))
    );
    assert!(read["method"].as_str().unwrap().contains("targeted worksites against the account's other worksites"));
    assert!(read["weeks"].as_array().unwrap().len() >= 44, "the weekly series for the chart");

    // Before the outcome window closes: no number, and why.
    let early = json(&steward(d, &["initiatives", "impact", &id, "--today", "2026-04-01", "--json"]).ok().stdout);
    assert_eq!(early["effect"], serde_json::Value::Null);
    assert_eq!(early["reason"], "the outcome window closes on 2026-05-10; the impact is read after it");
    // Two targeted worksites: too few for an honest interval.
    let mut two = add;
    two[7] = "worksite:Site 1,Site 2";
    let id2 = json(&steward(d, &two).ok().stdout)["id"].as_i64().unwrap().to_string();
    let few = json(&steward(d, &["initiatives", "impact", &id2, "--today", "2026-06-30", "--json"]).ok().stdout);
    assert_eq!(few["reason"], "2 targeted worksites with people in both windows; an estimate needs at least 3");
    let listed =
        json(&steward(d, &["initiatives", "list", "--account", "acme", "--today", "2026-06-30", "--json"]).ok().stdout);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[0]["status"], "measured");
    let text = steward(d, &["initiatives", "impact", &id, "--today", "2026-06-30"]).ok().stdout;
    assert!(text.contains("effect +") && text.contains("percentage points (95% interval"), "{text}");

    // Designing a test on these ten worksites: the sample it needs, from the data.
    let planned = json(
        &steward(
            d,
            &[
                "experiments",
                "design",
                "--account",
                "acme",
                "--mde",
                "10",
                "--icc",
                "0.05",
                "--today",
                "2026-06-30",
                "--json",
            ],
        )
        .ok()
        .stdout,
    );
    assert_eq!(
        (planned["unit"].clone(), planned["cluster_size"].clone(), planned["available"].clone()),
        (json!("worksites"), json!(150.0), json!(10))
    );
    let input = steward_domain::experiment::DesignInput {
        baseline: planned["baseline"].as_f64().unwrap(),
        mde: 0.10,
        alpha: 0.05,
        power: 0.8,
        cluster_size: 150.0,
        icc: 0.05,
        size_cv: 0.0,
    };
    let expected = steward_domain::experiment::design(&input).unwrap();
    assert_eq!(planned["units_per_arm"], json!(expected.units_per_arm));
    assert_eq!(planned["powered"], json!(expected.units_per_arm <= 5), "{planned}");
    steward(d, &["experiments", "design", "--mde", "3"]).fails(1, "say what is randomized");

    let mut backwards = add;
    backwards[11] = "2026-02-01";
    steward(d, &backwards).fails(1, "the initiative ends (2026-02-01) before it starts (2026-03-02)");
    let mut nowhere = add;
    nowhere[7] = "everyone";
    steward(d, &nowhere).fails(1, "is not a target: account, worksite:NAME[,…] or metro:NAME[,…]");
}

/// The study of bench/impact.sh at a small scale: a 30-account demo book whose initiatives
/// (in every status) carry known true effects in their member files; the estimates the
/// binary reads from the imported files hold the true effect in their intervals, with a
/// small mean error, and rarely call a zero effect significant. (The full study, with
/// hundreds of initiatives against the 90–99% bounds, is `bench/impact.sh`;
/// docs/VALIDATION.md has its figures.)
#[test]
fn the_demo_s_planted_effects_are_recovered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let demo = [
        "demo",
        "--no-serve",
        "--seed",
        "7",
        "--accounts",
        "30",
        "--as-of",
        "2026-06-30",
        "--password",
        "impact-study-1",
    ];
    steward(d, &demo).ok();
    let list = json(&steward(d, &["initiatives", "list", "--today", "2026-06-30", "--json"]).ok().stdout);
    let statuses: std::collections::BTreeSet<&str> =
        list.as_array().unwrap().iter().map(|i| i["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["live", "measured", "planned"].into_iter().collect(), "every status in the demo");
    let impacts = json(&steward(d, &["initiatives", "impact", "--today", "2026-06-30", "--json"]).ok().stdout);
    let truth = json(&std::fs::read_to_string(d.join("demo-files/truth.json")).unwrap());
    let true_effect = |id: &serde_json::Value| {
        let i = list.as_array().unwrap().iter().find(|i| &i["id"] == id).unwrap();
        let account = truth.as_array().unwrap().iter().find(|a| a["slug"] == i["account"]).unwrap();
        let t = account["initiatives"].as_array().unwrap().iter().find(|t| t["title"] == i["title"]).unwrap();
        (t["planned_effect"].as_f64().unwrap(), t["true_effect"].as_f64().unwrap())
    };
    let (mut n, mut covered, mut error, mut zeros, mut alarms) = (0, 0, 0.0, 0, 0);
    for r in impacts.as_array().unwrap().iter().filter(|r| !r["effect"].is_null()) {
        let (planned, truth) = true_effect(&r["initiative"]);
        let (est, lo, hi) =
            (r["effect"].as_f64().unwrap(), r["ci_low"].as_f64().unwrap(), r["ci_high"].as_f64().unwrap());
        n += 1;
        covered += usize::from(lo <= truth && truth <= hi);
        error += est - truth;
        if planned == 0.0 {
            zeros += 1;
            alarms += usize::from(lo > 0.0 || hi < 0.0);
        }
    }
    let (coverage, bias) = (covered as f64 / n as f64, error / n as f64);
    eprintln!(
        "{n} estimates: coverage {coverage:.3}, mean error {bias:+.3}, {alarms} of {zeros} zero effects significant"
    );
    assert!(n >= 10, "{n} estimates");
    assert!(coverage >= 0.8, "coverage {coverage}");
    assert!(bias.abs() < 1.0, "mean error {bias}");
    assert!(alarms <= 1 && zeros >= 3, "{alarms} of {zeros}");
}
