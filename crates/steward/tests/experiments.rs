//! An experiment through the command line: designed on an account's worksites, refused
//! underpowered until someone says why, split by its recorded seed, and read — always-valid
//! while it runs, fixed-horizon at its end — against an effect written into the files here.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use support::steward;

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap()
}

const HEADER: &str =
    "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n";

/// Twelve worksites of 100 eligible people; site k has 20 + k members since 2025.
fn book(d: &std::path::Path) {
    steward(d, &["accounts", "add", "acme", "--name", "Acme", "--status", "live"]).ok();
    let mut census = String::from(HEADER);
    for k in 0..12 {
        for p in 0..100 {
            census.push_str(&format!("E{k:02}{p:03},employee,Ann,Doe,1980-01-01,F,98101,Site {k:02},2025-01-01,\n"));
        }
    }
    let file = d.join("census.csv");
    std::fs::write(&file, census).unwrap();
    steward(d, &["import", "eligibility", file.to_str().unwrap(), "--account", "acme", "--as-of", "2026-06-30"]).ok();
    memberships(d, &[]);
}

/// Every member: the first 20 + k of site k since 2025, and ten more at each `treated`
/// site from 2026-03-10.
fn memberships(d: &std::path::Path, treated: &[usize]) {
    let mut rows = String::from("account,member_id,membership_start,membership_end\n");
    for k in 0..12 {
        for p in 0..20 + k {
            rows.push_str(&format!("acme,E{k:02}{p:03},2025-02-01,\n"));
        }
        if treated.contains(&k) {
            for p in 20 + k..30 + k {
                rows.push_str(&format!("acme,E{k:02}{p:03},2026-03-10,\n"));
            }
        }
    }
    let file = d.join("members.csv");
    std::fs::write(&file, rows).unwrap();
    steward(d, &["import", "memberships", file.to_str().unwrap()]).ok();
}

#[test]
fn an_experiment_is_launched_on_its_seed_and_read_honestly() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    book(d);
    let launch = |extra: &[&str]| {
        let mut args = vec![
            "experiments",
            "launch",
            "--account",
            "acme",
            "--mde",
            "10",
            "--icc",
            "0.02",
            "--name",
            "Second reminder",
            "--change",
            "A second enrollment reminder e-mail",
            "--start",
            "2026-03-02",
            "--end",
            "2026-05-25",
            "--seed",
            "20260302",
            "--today",
            "2026-03-01",
            "--json",
        ];
        args.extend_from_slice(extra);
        steward(d, &args)
    };
    // Twelve worksites of 100 at an ICC of 0.02: a design effect of 2.98 asks for more than
    // six an arm. Refused, and nothing recorded, until the override says why.
    let refused = launch(&[]).fails(1, "underpowered");
    assert!(refused.stderr.contains("override"), "{}", refused.stderr);
    assert_eq!(json(&steward(d, &["experiments", "list", "--json"]).ok().stdout), json!([]));
    let made = json(&launch(&["--override", "A pilot on the one account that asked"]).ok().stdout);
    assert_eq!(made["override_reason"], "A pilot on the one account that asked");
    assert_eq!(
        (made["unit"].clone(), made["account"].clone(), made["seed"].clone()),
        (json!("worksites"), json!("acme"), json!(20260302))
    );
    assert!(made["planned_power"].as_f64().unwrap() < 0.8);

    // The split is the seed's: the same units and seed make it again; six an arm.
    let split: Vec<(String, u64)> = made["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["unit"].as_str().unwrap().to_owned(), a["size"].as_u64().unwrap()))
        .collect();
    assert_eq!(split.len(), 12);
    assert!(split.iter().all(|(_, size)| *size == 100));
    let again = steward_domain::experiment::assign(&split, 20260302);
    let arm_of =
        |unit: &str| made["assignments"].as_array().unwrap().iter().find(|a| a["unit"] == unit).unwrap()["arm"].clone();
    for a in &again {
        assert_eq!(arm_of(&a.unit), json!(a.arm), "{} is where seed 20260302 puts it", a.unit);
    }
    let treated: Vec<usize> = again
        .iter()
        .filter(|a| a.arm == steward_domain::experiment::Arm::Treatment)
        .map(|a| a.unit["Site ".len()..].parse().unwrap())
        .collect();
    assert_eq!(treated.len(), 6);

    // The change works: ten more members at each treated site from 2026-03-10.
    memberships(d, &treated);
    let id = made["id"].as_i64().unwrap().to_string();
    let read = |day: &str| json(&steward(d, &["experiments", "results", &id, "--today", day, "--json"]).ok().stdout);
    let early = read("2026-03-05");
    assert_eq!(early["reason"], "it starts on 2026-03-02; a reading needs its first week");
    assert_eq!(early["status"], "running");

    // At the end, by hand: treatment (Σ 20 + k + 10) ÷ 600 against control (Σ 20 + k) ÷ 600.
    let done = read("2026-06-01");
    let sum = |set: &dyn Fn(usize) -> bool| (0..12).filter(|k| set(*k)).map(|k| 20 + k).sum::<usize>() as f64;
    let t = (sum(&|k| treated.contains(&k)) + 60.0) / 600.0;
    let c = sum(&|k| !treated.contains(&k)) / 600.0;
    assert_eq!(
        (done["status"].clone(), done["horizon"].clone(), done["read_on"].clone()),
        (json!("finished"), json!("fixed"), json!("2026-05-25"))
    );
    let effect = done["effect_points"].as_f64().unwrap();
    assert!((effect - (t - c) * 100.0).abs() < 1e-9, "{effect} against {}", (t - c) * 100.0);
    let (lo, hi) = (done["ci_low_points"].as_f64().unwrap(), done["ci_high_points"].as_f64().unwrap());
    assert!(lo > 0.0 && lo < effect && effect < hi, "ten more members in each treated site is an effect: [{lo}, {hi}]");
    assert_eq!(done["significant"], true);
    assert!((done["reading"]["ci_low"].as_f64().unwrap() * 100.0 - lo).abs() < 1e-9, "the fixed interval at the end");
    assert_eq!(done["reading"]["sample_ratio_mismatch"], false);
    assert_eq!(
        (done["reading"]["treatment_units"].clone(), done["reading"]["control_units"].clone()),
        (json!(6), json!(6))
    );

    // While it runs: the always-valid interval, wider than the fixed one of the same day.
    let running = read("2026-04-15");
    assert_eq!((running["status"].clone(), running["horizon"].clone()), (json!("running"), json!("sequential")));
    let r = &running["reading"];
    assert!(running["ci_low_points"].as_f64().unwrap() < r["ci_low"].as_f64().unwrap() * 100.0);
    assert!(running["ci_high_points"].as_f64().unwrap() > r["ci_high"].as_f64().unwrap() * 100.0);

    let text = steward(d, &["experiments", "results", &id, "--today", "2026-06-01"]).ok().stdout;
    assert!(
        text.contains("Second reminder (finished, read on 2026-05-25, fixed interval)") && text.contains("significant"),
        "{text}"
    );
    let listed =
        json(&steward(d, &["experiments", "list", "--account", "acme", "--today", "2026-04-01", "--json"]).ok().stdout);
    assert_eq!((listed[0]["id"].clone(), listed[0]["status"].clone()), (made["id"].clone(), json!("running")));

    // An initiative whose windows hold the test is told the test's effect is in its estimate.
    let add = [
        "initiatives",
        "add",
        "--account",
        "acme",
        "--kind",
        "webinar",
        "--target",
        "worksite:Site 00,Site 01,Site 02",
        "--start",
        "2026-03-02",
        "--end",
        "2026-03-06",
        "--metric",
        "enrollment_rate",
        "--json",
    ];
    let initiative = json(&steward(d, &add).ok().stdout)["id"].as_i64().unwrap().to_string();
    let impact =
        json(&steward(d, &["initiatives", "impact", &initiative, "--today", "2026-06-30", "--json"]).ok().stdout);
    assert!(
        impact["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w.as_str().unwrap().contains("the experiment “Second reminder” treated this account")),
        "{impact}"
    );

    // Data that stop before the first week ends give no reading, whatever the day.
    let late = [
        "experiments",
        "launch",
        "--account",
        "acme",
        "--mde",
        "10",
        "--name",
        "Late files",
        "--change",
        "x",
        "--start",
        "2026-06-27",
        "--end",
        "2026-09-19",
        "--today",
        "2026-06-20",
        "--override",
        "a pilot",
        "--json",
    ];
    let late = json(&steward(d, &late).ok().stdout)["id"].as_i64().unwrap().to_string();
    let unread = json(&steward(d, &["experiments", "results", &late, "--today", "2026-10-01", "--json"]).ok().stdout);
    assert_eq!(unread["reason"], "the data run to 2026-06-30, before the experiment's first week ends (2026-07-04)");
    assert_eq!(unread["effect_points"], Value::Null);

    // A split is made when it is launched, not back-dated.
    let past = steward(
        d,
        &[
            "experiments",
            "launch",
            "--account",
            "acme",
            "--mde",
            "10",
            "--name",
            "Late",
            "--change",
            "x",
            "--start",
            "2026-03-02",
            "--end",
            "2026-05-25",
            "--today",
            "2026-03-05",
        ],
    );
    past.fails(1, "an experiment starts today or later (2026-03-02 is past)");
    steward(d, &["experiments", "results", "999"]).fails(1, "experiment 999");
}
