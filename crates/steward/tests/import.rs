//! Importing through the real binary: a small account worked by hand and checked field for
//! field; identifiers planted in every format that must never reach a byte on disk; and a
//! `kill -9` in the middle of an import that must leave the database exactly as it was.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::{Value, json};
use std::path::Path;
use support::steward;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn hand_computed_metrics_match_field_for_field() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward(d, &["accounts", "add", "acme", "--name", "Acme"]).ok();
    // Spans ending on and off month ends, a re-enrollment, dependents.
    let census = write(
        d,
        "census.csv",
        "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end
1001,employee,Ann,Hand,1980-01-01,F,98101,Seattle HQ,2024-01-01,
1001-01,spouse,Ben,Hand,1981-01-01,M,98101,Seattle HQ,2024-01-01,2024-02-29
2002-02,child,Cal,Hand,2015-01-01,M,02139,Boston Plant,2024-02-15,2024-03-30
2002,employee,Dee,Hand,1975-01-01,F,02139,Boston Plant,2024-01-10,2024-01-30
2002,employee,Dee,Hand,1975-01-01,F,02139,Boston Plant,2024-03-01,
",
    );
    let memberships = write(
        d,
        "memberships.csv",
        "account,member_id,membership_start,membership_end
acme,1001,2024-01-15,
acme,1001-01,2024-02-01,2024-02-29
acme,2002,2024-03-01,
",
    );
    // A cancelled visit, a no-show, and two visits by someone the eligibility never lists.
    let visits = write(
        d,
        "visits.csv",
        "account,visit_id,member_id,visit_date,modality,metro,status
acme,V1,1001,2024-01-20,in_office,seattle,completed
acme,V2,1001,2024-03-05,video,,completed
acme,V3,1001,2024-03-10,in_office,seattle,cancelled
acme,V4,1001-01,2024-02-10,remote_other,,completed
acme,V5,2002,2024-03-15,in_office,boston,completed
acme,V6,9999,2024-02-02,in_office,boston,completed
acme,V7,9999,2024-02-03,in_office,boston,no_show
",
    );
    let surveys = write(
        d,
        "surveys.csv",
        "account,response_id,member_id,response_date,score
acme,R1,1001,2024-01-25,10
acme,R2,,2024-02-01,3
acme,R3,1001-01,2024-03-01,8
acme,R4,2002,2024-03-20,9
",
    );
    steward(d, &["import", "eligibility", &census, "--account", "acme", "--as-of", "2024-03-31"]).ok();
    steward(d, &["import", "memberships", &memberships]).ok();
    steward(d, &["import", "visits", &visits]).ok();
    steward(d, &["import", "surveys", &surveys]).ok();

    let all: Value =
        serde_json::from_str(&steward(d, &["metrics", "--account", "acme", "--json"]).ok().stdout).unwrap();
    let expected = json!([
        {"month": "2024-01", "eligible_lives": 2, "eligible_employees": 1, "enrolled_members": 1, "enrollment_rate": 0.5,
         "new_enrollments": 1, "visits_in_office": 1, "visits_video": 0, "visits_remote_other": 0, "active_members_12m": 1,
         "utilization_rate": 1.0, "visits_12m": 1, "visits_per_1000": 12000.0, "virtual_share": 0.0, "nps": 100.0, "nps_responses": 1, "unmatched_visits": 0, "partial": false},
        {"month": "2024-02", "eligible_lives": 3, "eligible_employees": 1, "enrolled_members": 2, "enrollment_rate": 2.0 / 3.0,
         "new_enrollments": 1, "visits_in_office": 0, "visits_video": 0, "visits_remote_other": 1, "active_members_12m": 2,
         "utilization_rate": 1.0, "visits_12m": 2, "visits_per_1000": 8000.0, "virtual_share": 0.5, "nps": 0.0, "nps_responses": 2, "unmatched_visits": 1, "partial": false},
        {"month": "2024-03", "eligible_lives": 2, "eligible_employees": 2, "enrolled_members": 2, "enrollment_rate": 1.0,
         "new_enrollments": 1, "visits_in_office": 1, "visits_video": 1, "visits_remote_other": 0, "active_members_12m": 2,
         "utilization_rate": 1.0, "visits_12m": 4, "visits_per_1000": 9600.0, "virtual_share": 0.5, "nps": 25.0, "nps_responses": 4, "unmatched_visits": 0, "partial": false}
    ]);
    assert_eq!(all, expected);

    let by_metro: Value = serde_json::from_str(
        &steward(d, &["metrics", "--account", "acme", "--by", "metro", "--from", "2024-02", "--json"]).ok().stdout,
    )
    .unwrap();
    let row = |metro: &str, month: &str| {
        by_metro.as_array().unwrap().iter().find(|r| r["metro"] == metro && r["month"] == month).unwrap().clone()
    };
    let boston = row("boston", "2024-02");
    assert_eq!(
        (boston["eligible_lives"].clone(), boston["enrollment_rate"].clone(), boston["utilization_rate"].clone()),
        (json!(1), json!(0.0), Value::Null)
    );
    let seattle = row("seattle", "2024-03");
    assert_eq!(
        (seattle["visits_per_1000"].clone(), seattle["nps"].clone(), seattle["nps_responses"].clone()),
        (json!(9000.0), json!(50.0), json!(2))
    );
    assert_eq!(seattle["unmatched_visits"], Value::Null, "an unmatched visit belongs to no cut");
    assert_eq!(by_metro.as_array().unwrap().len(), 4, "two metros, two months");

    // Each worksite here is in one metro, so its rows are that metro's, named by worksite.
    let by_site: Value =
        serde_json::from_str(&steward(d, &["metrics", "--account", "acme", "--by", "worksite", "--json"]).ok().stdout)
            .unwrap();
    let site =
        by_site.as_array().unwrap().iter().find(|r| r["worksite"] == "Seattle HQ" && r["month"] == "2024-03").unwrap();
    for field in [
        "eligible_lives",
        "enrolled_members",
        "active_members_12m",
        "visits_per_1000",
        "virtual_share",
        "nps",
        "nps_responses",
    ] {
        assert_eq!(site[field], seattle[field], "{field}");
    }
    assert_eq!(by_site.as_array().unwrap().len(), 6, "two worksites, three months");
}

#[test]
fn the_month_holding_the_as_of_date_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    steward(d, &["accounts", "add", "acme", "--name", "Acme"]).ok();
    let census =
        write(d, "census.csv", "member_id,relationship,coverage_start\n1,employee,2024-01-01\n2,employee,2024-02-10\n");
    steward(d, &["import", "eligibility", &census, "--account", "acme", "--as-of", "2024-03-15"]).ok();
    let rows: Value =
        serde_json::from_str(&steward(d, &["metrics", "--account", "acme", "--json"]).ok().stdout).unwrap();
    let partial: Vec<(&str, bool)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["month"].as_str().unwrap(), r["partial"].as_bool().unwrap()))
        .collect();
    assert_eq!(partial, [("2024-01", false), ("2024-02", false), ("2024-03", true)], "March to date");
    let table = steward(d, &["metrics", "--account", "acme"]).ok().stdout;
    assert!(table.contains("2024-03 (to date)"), "{table}");
    // A change file dated the month's last day makes it whole.
    let change = write(
        d,
        "change.edi",
        &[
            "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240331*0800*^*00501*000000001*0*P*:~",
            "GS*BE*SENDER*RECEIVER*20240331*0800*1*X*005010X220A1~",
            "ST*834*0001*005010X220A1~",
            "BGN*00*REF1*20240331*0800****2~",
            "INS*Y*18*021*28*A~",
            "REF*0F*3~",
            "HD*021**HLT~",
            "DTP*348*D8*20240320~",
            "SE*7*0001~",
            "GE*1*1~",
            "IEA*1*000000001~",
        ]
        .join("\n"),
    );
    steward(d, &["import", "eligibility", &change, "--account", "acme"]).ok();
    let rows: Value =
        serde_json::from_str(&steward(d, &["metrics", "--account", "acme", "--json"]).ok().stdout).unwrap();
    assert!(rows.as_array().unwrap().iter().all(|r| r["partial"] == false), "{rows}");
}

/// Strings no byte under the data dir may contain, in the forms the files carry them.
const PLANTED: &[&str] = &[
    "ZEPHYRQUILLNAME",
    "Zephyrquillname",
    "OBADIAHPLANTED",
    "Obadiahplanted",
    "1913-02-03",
    "19130203",
    "PLANTID0042",
    "7788 Secretstreet Rd",
    "7788 SECRETSTREET RD",
    "987-65-4329",
    "555-0199-44",
    "leak@planted.example",
    "Plantedtextnarrative",
    "Plantedcomment about my rash",
];

#[test]
fn no_identifier_reaches_the_disk() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let files = tempfile::tempdir().unwrap();
    let f = files.path();
    steward(&data, &["accounts", "add", "acme", "--name", "Acme"]).ok();
    let census = write(
        f,
        "census.csv",
        "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end
PLANTID0042,employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,
PLANTID0044,Zephyrquillname,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,
PLANTID0045,employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,1913-02-03x,
PLANTID0046,employee,leak@planted.example,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,,extra
",
    );
    let x12 = write(f, "change.edi", &[
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240201*0800*^*00501*000000001*0*P*:~",
        "GS*BE*SENDER*RECEIVER*20240201*0800*1*X*005010X220A1~",
        "ST*834*0001*005010X220A1~",
        "BGN*00*REF1*20240201*0800****2~",
        "INS*Y*18*021*28*A***FT~",
        "REF*0F*PLANTID0043~",
        "NM1*IL*1*ZEPHYRQUILLNAME*OBADIAHPLANTED****34*987-65-4329~",
        "PER*IP**TE*555-0199-44*EM*leak@planted.example~",
        "N3*7788 SECRETSTREET RD~",
        "N4*SEATTLE*WA*98101~",
        "DMG*D8*19130203*M~",
        "HD*021**HLT~",
        "DTP*348*D8*20240201~",
        "SE*12*0001~",
        "GE*1*1~",
        "IEA*1*000000001~",
    ].join("\n"));
    let memberships = write(
        f,
        "memberships.csv",
        "account,member_id,membership_start,membership_end\nacme,PLANTID0042,2024-01-15,\n",
    );
    let visits = write(
        f,
        "visits.csv",
        "account,visit_id,member_id,visit_date,modality,metro,status\nacme,V1,PLANTID0042,2024-01-20,video,,completed
acme,V2,PLANTID0042,2024-01-21,Obadiahplanted,,completed\nacme,V3,PLANTID0042,1913-02-03x,video,Zephyrquillname,completed\n",
    );
    let fhir = write(
        f,
        "fhir.ndjson",
        &format!(
            "{}\n{}\n{}\n",
            r#"{"resourceType":"Patient","id":"PLANTID0042","name":"Zephyrquillname","identifier":7}"#,
            r#"{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://steward.example/fhir/member-id","value":"PLANTID0042"},{"system":"http://hl7.org/fhir/sid/us-ssn","value":"987-65-4329"}],"name":[{"family":"Zephyrquillname","given":["Obadiahplanted"]}],"telecom":[{"system":"email","value":"leak@planted.example"},{"system":"phone","value":"555-0199-44"}],"birthDate":"1913-02-03","address":[{"line":["7788 Secretstreet Rd"]}]}"#,
            r#"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1","display":"Obadiahplanted Zephyrquillname"},"period":{"start":"2024-01-22T10:00:00-08:00"},"text":{"status":"generated","div":"<div>Plantedtextnarrative</div>"}}"#
        ),
    );
    let surveys = write(
        f,
        "surveys.csv",
        "account,response_id,member_id,response_date,score,comment\nacme,R1,PLANTID0042,2024-01-25,9,Plantedcomment about my rash
acme,R2,PLANTID0042,2024-01-26,987-65-4329,Plantedcomment about my rash\n",
    );
    let census_out =
        steward(&data, &["import", "eligibility", &census, "--account", "acme", "--as-of", "2024-01-31"]).ok();
    assert!(census_out.stdout.contains("3 rejected"), "the planted bad rows were rejected: {}", census_out.stdout);
    let out = steward(&data, &["import", "eligibility", &x12, "--account", "acme"]).ok();
    assert!(out.stdout.contains("0 rejected"), "{}", out.stdout);
    steward(&data, &["import", "memberships", &memberships]).ok();
    steward(&data, &["import", "visits", &visits]).ok();
    steward(&data, &["import", "visits", &fhir, "--account", "acme"]).ok();
    steward(&data, &["import", "surveys", &surveys]).ok();
    let metrics = steward(&data, &["metrics", "--account", "acme", "--json"]).ok();
    assert!(metrics.stdout.contains("\"eligible_lives\": 2"), "the planted people were imported: {}", metrics.stdout);

    let mut scanned = 0;
    for path in support::files_under(&data) {
        let bytes = std::fs::read(&path).unwrap();
        scanned += bytes.len();
        for planted in PLANTED {
            let found = bytes.windows(planted.len()).any(|w| w.eq_ignore_ascii_case(planted.as_bytes()));
            assert!(!found, "{planted:?} found in {}", path.display());
        }
    }
    assert!(scanned > 50_000, "the scan read the database: {scanned} bytes");
    let batches = steward(&data, &["imports", "--json"]).ok().stdout;
    assert!(batches.matches("\"line\"").count() >= 6, "rejections were recorded (and scanned): {batches}");
}

#[test]
fn kill_9_mid_import_leaves_the_database_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let files = tempfile::tempdir().unwrap();
    // Enough accounts and visits that the write transaction runs for a while.
    let accounts = 300;
    for i in 0..accounts {
        steward(d, &["accounts", "add", &format!("acct-{i}"), "--name", &format!("Account {i}")]).ok();
    }
    let census = write(files.path(), "census.csv", "member_id,relationship,coverage_start\n1,employee,2024-01-01\n");
    steward(d, &["import", "eligibility", &census, "--account", "acct-0", "--as-of", "2024-01-31"]).ok();
    let mut text = String::from("account,visit_id,member_id,visit_date,modality,metro,status\n");
    for i in 0..accounts {
        for v in 0..4_000 {
            text += &format!("acct-{i},V{i}-{v},{},2024-01-{:02},video,,completed\n", v % 500, v % 28 + 1);
        }
    }
    let visits = write(files.path(), "visits.csv", &text);
    let db = d.join("steward.db");
    let before = dump(&db);

    let wal = d.join("steward.db-wal");
    let wal_at_start = std::fs::metadata(&wal).map_or(0, |m| m.len());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["--data-dir", d.to_str().unwrap(), "import", "visits", &visits])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Wait until the transaction is writing (the WAL grows), then kill without warning.
    let started = std::time::Instant::now();
    let killed_mid_write = loop {
        if std::fs::metadata(&wal).map_or(0, |m| m.len()) > wal_at_start + (2 << 20) {
            child.kill().unwrap();
            break true;
        }
        if child.try_wait().unwrap().is_some() || started.elapsed().as_secs() > 120 {
            break false;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    };
    child.wait().unwrap();
    assert!(killed_mid_write, "the import finished before it could be killed mid-write");
    assert_eq!(dump(&db), before, "the killed batch left a trace");
    // And the database is usable: the same import now goes through.
    steward(d, &["import", "visits", &visits]).ok();
    assert_ne!(dump(&db), before);
}

/// Every table's rows, for comparing a database before and after.
fn dump(path: &Path) -> Vec<(String, Vec<String>)> {
    let db = rusqlite::Connection::open(path).unwrap();
    let tables: Vec<String> = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    tables
        .into_iter()
        .map(|t| {
            let mut stmt = db.prepare(&format!("SELECT * FROM {t}")).unwrap();
            let n = stmt.column_count();
            let mut rows: Vec<String> = stmt
                .query_map([], |r| {
                    Ok((0..n).map(|i| format!("{:?}", r.get_ref(i).unwrap())).collect::<Vec<_>>().join("|"))
                })
                .unwrap()
                .map(Result::unwrap)
                .collect();
            rows.sort();
            (t, rows)
        })
        .collect()
}
