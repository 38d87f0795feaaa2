//! Implementation projects through the command line.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::json;
use support::{steward, steward_with_input};

#[test]
fn templates_show_what_is_in_force_and_refuse_a_bad_file_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let shown = steward(d, &["templates", "show"]).ok().stdout;
    assert!(shown.contains("# project templates in force: built-in defaults"), "{shown}");
    assert!(shown.contains("# new_client_launch: 28 business days"), "{shown}");
    for name in ["new_client_launch", "new_metro_expansion", "renewal_with_plan_change", "eligibility_feed_change"] {
        assert!(shown.contains(&format!("name = \"{name}\"")), "{name} shipped");
    }
    // What `show` prints is a valid file: edited, it is the one in force.
    let longer = shown.replacen("days = 10\n", "days = 12\n", 1);
    std::fs::write(d.join("project_templates.toml"), &longer).unwrap();
    let again = steward(d, &["templates", "show"]).ok().stdout;
    assert!(
        again.contains("project_templates.toml") && again.contains("# new_client_launch: 30 business days"),
        "{again}"
    );

    let cycle = shown.replacen("after = [\"feed_spec\"]", "after = [\"launch_email_sent\"]", 1);
    std::fs::write(d.join("project_templates.toml"), cycle).unwrap();
    let refused = steward(d, &["templates", "show"]).fails(1, "the dependencies go round in a cycle: feed_setup → ");
    assert_eq!(refused.stderr.trim().lines().count(), 1, "{}", refused.stderr);
    std::fs::write(
        d.join("project_templates.toml"),
        shown.replacen("after = [\"kickoff\"]", "after = [\"kick-off\"]", 1),
    )
    .unwrap();
    steward(d, &["templates", "show"]).fails(1, "feed_spec depends on kick-off, which is not a task of this plan");
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap()
}

fn task<'a>(project: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    project["tasks"].as_array().unwrap().iter().find(|t| t["key"] == key).unwrap()
}

/// A new client's launch from the shipped template: the schedule read out with every field
/// the issue names, a late critical task raising one alert however often the run goes, the
/// first eligibility file completing "test file validated", and go-live making the
/// implementing account live.
#[test]
fn a_launch_runs_from_plan_to_go_live() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let password = "long enough password\n";
    steward_with_input(d, &["users", "add", "am@steward.example", "--role", "account_manager"], password).ok();
    steward_with_input(
        d,
        &["users", "add", "ivo@steward.example", "--role", "colleague", "--department", "it"],
        password,
    )
    .ok();
    steward(
        d,
        &["accounts", "add", "acme", "--name", "Acme", "--owner", "am@steward.example", "--status", "implementing"],
    )
    .ok();
    // New Year's Day off: the plan from Monday 2027-01-04 is not touched by it, but a
    // holiday inside it would be.
    std::fs::write(d.join("calendar.toml"), "holidays = [2027-01-01, 2027-01-18]\n").unwrap();
    let made = json(
        &steward(
            d,
            &[
                "projects",
                "new",
                "--account",
                "acme",
                "--template",
                "new_client_launch",
                "--start",
                "2027-01-04",
                "--json",
            ],
        )
        .ok()
        .stdout,
    );
    let id = made["id"].as_i64().unwrap().to_string();
    let feed = task(&made, "feed_setup");
    for field in [
        "id",
        "name",
        "department",
        "duration_days",
        "depends_on",
        "start",
        "finish",
        "slack_days",
        "critical",
        "baseline_finish",
    ] {
        assert!(!feed[field].is_null(), "{field} in {feed}");
    }
    assert_eq!(feed["owner"], "ivo@steward.example", "the IT colleague");
    assert_eq!(feed["depends_on"][0]["id"], task(&made, "feed_spec")["id"]);
    assert_eq!(feed["depends_on"][0]["lag_days"], 0);
    // Days 7–16, with Monday 18 January off: Wednesday 13 to Wednesday 27 January.
    assert_eq!((feed["start"].as_str(), feed["finish"].as_str()), (Some("2027-01-13"), Some("2027-01-27")));
    assert_eq!(task(&made, "go_live")["critical"], true);
    let listed = json(&steward(d, &["projects", "list", "--account", "acme", "--json"]).ok().stdout);
    assert_eq!(listed.as_array().unwrap().len(), 1);

    // Everything else due by now done on plan; the feed started on time and not finished.
    for key in [
        "contract_signed",
        "kickoff",
        "feed_spec",
        "test_file_sent",
        "clinic_capacity",
        "launch_kit",
        "launch_email_approved",
        "benefits_team_trained",
    ] {
        let t = task(&made, key);
        let t_id = t["id"].as_i64().unwrap().to_string();
        steward(d, &["projects", "task", &t_id, "--started", t["start"].as_str().unwrap()]).ok();
        steward(d, &["projects", "task", &t_id, "--done", "--on", t["finish"].as_str().unwrap()]).ok();
    }
    let feed_id = feed["id"].as_i64().unwrap().to_string();
    steward(d, &["projects", "task", &feed_id, "--started", "2027-01-13"]).ok();
    let on = |day: &str| json(&steward(d, &["projects", "show", &id, "--today", day, "--json"]).ok().stdout);
    let late = on("2027-02-02");
    assert_eq!(late["alerts"][0], "Eligibility feed set up (IT) is 4 business days late and on the critical path");
    assert!(late["slip_days"].as_i64().unwrap() > 0, "{late}");
    steward(d, &["projects", "run", "--today", "2027-02-02"]).ok();
    steward(d, &["projects", "run", "--today", "2027-02-02"]).ok();
    let queue =
        json(&steward(d, &["work", "--user", "am@steward.example", "--today", "2027-02-02", "--json"]).ok().stdout);
    let alerts: Vec<&serde_json::Value> = queue
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["task"].as_str().is_some_and(|t| t.contains("Eligibility feed set up (IT) is 4 business days late"))
        })
        .collect();
    assert_eq!(alerts.len(), 2, "the late task and the go-live it moves, once each: {queue}");

    // An eligibility file accepted completes "test file validated" on its own.
    steward(d, &["projects", "task", &feed_id, "--done", "--on", "2027-02-02"]).ok();
    let census = d.join("census.csv");
    std::fs::write(
        &census,
        "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n\
         1001,employee,Ann,Hand,1980-01-01,F,98101,Seattle HQ,2027-01-01,\n",
    )
    .unwrap();
    steward(d, &["import", "eligibility", census.to_str().unwrap(), "--account", "acme", "--as-of", "2027-02-02"]).ok();
    let after = on("2027-02-03");
    assert_eq!(task(&after, "test_file_validated")["done"], true, "{after}");

    // Go-live done: the implementing account is live from that day, and its year's
    // contract, signed to start on 2027-02-15, bills from go-live for a year.
    let signed = [
        "contracts",
        "add",
        "--account",
        "acme",
        "--start",
        "2027-02-15",
        "--end",
        "2028-02-14",
        "--model",
        "pepm",
        "--rate",
        "4.50",
    ];
    steward(d, &signed).ok();
    let go_live = task(&after, "go_live")["id"].as_i64().unwrap().to_string();
    steward(d, &["projects", "task", &go_live, "--done", "--on", "2027-03-01"]).ok();
    let accounts = json(&steward(d, &["accounts", "list", "--json"]).ok().stdout);
    assert_eq!(accounts[0]["status"], "live");
    assert_eq!(accounts[0]["launch_date"], "2027-03-01");
    let contracts = json(&steward(d, &["contracts", "list", "--json"]).ok().stdout);
    assert_eq!((&contracts[0]["start_date"], &contracts[0]["end_date"]), (&json!("2027-03-01"), &json!("2028-02-29")));
    let history = contracts[0]["history"].as_array().unwrap();
    assert_eq!(history.last().unwrap()["kind"], "started", "{contracts}");
    assert_eq!(history.last().unwrap()["reason"], "billing starts at go-live on 2027-03-01");

    // Bad input is refused in a line that names the problem.
    steward(d, &["projects", "new", "--account", "acme", "--template", "moon_landing", "--start", "2027-01-04"])
        .fails(1, "there is no template moon_landing; the templates are new_client_launch");
    steward(d, &["projects", "task", "999999", "--done"]).fails(1, "project task 999999");
}

/// A success plan from the command line: an objective agreed, judged on the account's
/// imported metrics, changed and closed; refusals in one line that names the rule.
#[test]
fn a_success_plan_is_judged_on_the_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward(d, &["accounts", "add", "acme", "--name", "Acme", "--status", "live"]).ok();
    let census = d.join("census.csv");
    std::fs::write(
        &census,
        "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n\
         1001,employee,Ann,Hand,1980-01-01,F,98101,Seattle HQ,2026-12-01,\n\
         1002,employee,Bo,Hand,1981-01-01,M,98101,Seattle HQ,2026-12-01,\n",
    )
    .unwrap();
    steward(d, &["import", "eligibility", census.to_str().unwrap(), "--account", "acme", "--as-of", "2027-02-02"]).ok();
    let add = [
        "objectives",
        "add",
        "--account",
        "acme",
        "--title",
        "Enrollment 30% by renewal",
        "--metric",
        "enrollment_rate",
        "--target",
        "30%",
        "--by",
        "2027-12-31",
        "--agreed",
        "2027-01-15",
        "--json",
    ];
    let made = json(&steward(d, &add).ok().stdout);
    assert_eq!((made["target"].clone(), made["agreed_on"].clone()), (json!(0.3), json!("2027-01-15")));
    let id = made["id"].as_i64().unwrap().to_string();
    let plan =
        json(&steward(d, &["objectives", "list", "--account", "acme", "--today", "2027-03-10", "--json"]).ok().stdout);
    // Nobody enrolled: 0% in January, and a flat trend never reaches 30%.
    assert_eq!(plan[0]["progress"]["latest"], json!(["2027-01", 0.0]), "{plan}");
    assert_eq!(plan[0]["progress"]["status"], "off_track");
    let table = steward(d, &["objectives", "list", "--account", "acme", "--today", "2027-03-10"]).ok().stdout;
    assert!(table.contains("Enrollment 30% by renewal") && table.contains("off track"), "{table}");

    let changed = json(&steward(d, &["objectives", "edit", &id, "--target", "0", "--json"]).ok().stdout);
    assert_eq!(changed["target"], json!(0.0));
    let plan =
        json(&steward(d, &["objectives", "list", "--account", "acme", "--today", "2027-03-10", "--json"]).ok().stdout);
    assert_eq!(plan[0]["progress"]["status"], "met", "0% reached already");
    steward(d, &["objectives", "edit", &id, "--close"]).ok();
    let plan = json(&steward(d, &["objectives", "list", "--account", "acme", "--json"]).ok().stdout);
    assert_eq!((plan[0]["closed"].clone(), plan[0]["progress"]["status"].clone()), (json!(true), json!("closed")));

    let mut too_much = add;
    too_much[9] = "130%";
    steward(d, &too_much).fails(1, "an objective's enrollment rate target is between 0 and 1");
    let mut backwards = add;
    backwards[11] = "2026-12-31";
    steward(d, &backwards).fails(1, "the target date 2026-12-31 is before the day it was agreed, 2027-01-15");
    steward(d, &["objectives", "edit", "999999", "--close"]).fails(1, "objective 999999");
}
