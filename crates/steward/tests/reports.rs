//! A quarterly business review through the command line, on a demo book: its numbers are the
//! numbers `steward metrics` and `steward health` give for the same quarter; the HTML carries
//! the same figures with its sections; a quarter the data do not hold is refused. The
//! director's portfolio report's numbers are the accounts', retention's and goals' own.

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use support::steward;

fn json(out: &str) -> Value {
    serde_json::from_str(out).unwrap()
}

/// One CSV line's fields (RFC 4180 quoting, as the review writes it).
fn fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted, mut chars) = (Vec::new(), String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// A PDF's text, as `pdftotext -layout` reads it.
fn pdf_text(pdf: &std::path::Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", pdf.to_str().unwrap(), "-"])
        .output()
        .expect("pdftotext (poppler-utils; ./test.sh installs it)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A PDF's first `pages` as PNG pictures beside the browser tests' screenshots, `NAME-N.png`.
fn pictures(pdf: &std::path::Path, name: &str, pages: u32) {
    let shots = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let made = std::process::Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", &pages.to_string(), pdf.to_str().unwrap()])
        .arg(shots.join(name))
        .status()
        .expect("pdftoppm (poppler-utils; ./test.sh installs it)");
    assert!(made.success());
}

/// A seeded demo book in `d` whose data run to 2026-11-01.
fn demo_book(d: &std::path::Path, seed: u64, accounts: usize, lives_per_account: u32) {
    let (seed, accounts, lives) = (seed.to_string(), accounts.to_string(), lives_per_account.to_string());
    steward(
        d,
        &[
            "demo",
            "--no-serve",
            "--seed",
            &seed,
            "--accounts",
            &accounts,
            "--lives-per-account",
            &lives,
            "--as-of",
            "2026-11-01",
            "--password",
            "demo-password-1",
        ],
    )
    .ok();
}

#[test]
fn a_review_s_numbers_are_the_metrics_and_health_of_its_quarter() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_book(d, 7, 12, 150);
    let accounts = json(&steward(d, &["accounts", "list", "--json"]).ok().stdout);
    let slug = accounts
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["status"] == "live")
        .map(|a| a["slug"].as_str().unwrap().to_owned())
        .unwrap();
    let csv = steward(d, &["reports", "qbr", "--account", &slug, "--quarter", "2026Q3", "--format", "csv"]).ok().stdout;
    let mut table: BTreeMap<(String, String, String, String), String> = BTreeMap::new();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("section,item,measure,quarter,value"));
    for line in lines {
        let f = fields(line);
        assert_eq!(f.len(), 5, "{line}");
        table.insert((f[0].clone(), f[1].clone(), f[2].clone(), f[3].clone()), f[4].clone());
    }
    let key = |item: &str, measure: &str, quarter: &str| -> Option<f64> {
        table.get(&("key_numbers".into(), item.into(), measure.into(), quarter.into())).and_then(|v| v.parse().ok())
    };
    // The metrics of the quarter's months, as `steward metrics` gives them.
    let months = json(
        &steward(d, &["metrics", "--account", &slug, "--from", "2026-07", "--to", "2026-09", "--json"]).ok().stdout,
    );
    let months = months.as_array().unwrap();
    let end = months.iter().find(|m| m["month"] == "2026-09").unwrap();
    assert_eq!(key("eligible_lives", "value", "2026-Q3"), end["eligible_lives"].as_f64());
    assert_eq!(key("enrolled_members", "value", "2026-Q3"), end["enrolled_members"].as_f64());
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-12,
        (None, None) => true,
        _ => false,
    };
    assert!(close(key("enrollment_rate", "value", "2026-Q3"), end["enrollment_rate"].as_f64()));
    assert!(close(key("utilization_rate", "value", "2026-Q3"), end["utilization_rate"].as_f64()));
    assert!(
        close(key("visits_per_1000", "value", "2026-Q3"), end["visits_per_1000"].as_f64()),
        "{:?} against {}",
        key("visits_per_1000", "value", "2026-Q3"),
        end
    );
    let new: f64 = months.iter().map(|m| m["new_enrollments"].as_f64().unwrap()).sum();
    assert_eq!(key("new_enrollments", "value", "2026-Q3"), Some(new));
    let before = json(
        &steward(d, &["metrics", "--account", &slug, "--from", "2026-06", "--to", "2026-06", "--json"]).ok().stdout,
    );
    assert_eq!(key("enrolled_members", "previous", "2026-Q2"), before[0]["enrolled_members"].as_f64());
    // Visits by modality over the quarter, in the trend section.
    let visits: f64 = months.iter().map(|m| m["visits_in_office"].as_f64().unwrap()).sum();
    let trend = table.get(&("trend".into(), "2026-Q3".into(), "visits_in_office".into(), "2026-Q3".into())).unwrap();
    assert_eq!(trend.parse::<f64>().unwrap(), visits);

    // Health at the quarter's end, as `steward health` scores its last month.
    let health = json(&steward(d, &["health", "--account", &slug, "--month", "2026-09", "--json"]).ok().stdout);
    let score = health[0]["score"].as_f64().or_else(|| health["score"].as_f64());
    let html = steward(d, &["reports", "qbr", "--account", &slug, "--quarter", "2026-Q3"]).ok().stdout;
    for section in [
        "Executive summary",
        "Key numbers",
        "Enrollment and use",
        "Initiatives and their measured impact",
        "Next steps",
    ] {
        assert!(html.contains(section), "{section}");
    }
    if let Some(score) = score {
        let shown = html
            .split("Health at the quarter&#x27;s end</dt><dd>")
            .nth(1)
            .or_else(|| html.split("Health at the quarter's end</dt><dd>").nth(1));
        assert!(
            html.contains(&format!("<dd>{} (", score.round() as i64)),
            "health {score} in the review: {:?}",
            shown.map(|s| &s[..40])
        );
    }
    assert!(html.contains("<style>") && !html.contains("/static/steward.css"), "a file carries its stylesheet");
    assert!(html.matches("<svg").count() >= 3, "the funnel, the rates and the visits");

    let out = d.join("qbr.html");
    steward(d, &["reports", "qbr", "--account", &slug, "--quarter", "2026-Q3", "--out", out.to_str().unwrap()]).ok();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), html, "the same bytes to a file");
    // The PDF: the same bytes twice, the sections in its text, page numbers; its first pages
    // as pictures (pdftoppm) beside the browser tests' screenshots.
    let pdf = |name: &str| {
        let path = d.join(name);
        steward(
            d,
            &[
                "reports",
                "qbr",
                "--account",
                &slug,
                "--quarter",
                "2026-Q3",
                "--format",
                "pdf",
                "--out",
                path.to_str().unwrap(),
            ],
        )
        .ok();
        path
    };
    let (a, b) = (pdf("a.pdf"), pdf("b.pdf"));
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes, std::fs::read(&b).unwrap(), "the same review, the same bytes");
    let text = pdf_text(&a);
    for section in
        ["Executive summary", "Key numbers", "Enrollment and use", "Health and the commercial position", "Next steps"]
    {
        assert!(text.contains(section), "{section} in the PDF's text");
    }
    assert!(text.contains("Page 1 of") && text.contains("2026-Q3"), "{text}");
    pictures(&a, "44-qbr-pdf", 3);

    // The client's version never carries an internal section: read back from its PDF.
    let client = d.join("client.pdf");
    steward(
        d,
        &[
            "reports",
            "qbr",
            "--account",
            &slug,
            "--quarter",
            "2026-Q3",
            "--client",
            "--format",
            "pdf",
            "--out",
            client.to_str().unwrap(),
        ],
    )
    .ok();
    let text = pdf_text(&client);
    assert!(text.contains("prepared for") && text.contains("Key numbers"), "{text}");
    for internal in ["internal", "Health", "ARR", "Renewal", "pulls it down", "at risk", "New enrollments"] {
        assert!(!text.contains(internal), "{internal:?} in the client's PDF:\n{text}");
    }

    // The demo published last quarter's reviews: generating them again changes nothing; a
    // quarter not yet kept is a new version, published as its owner.
    let again = json(&steward(d, &["reports", "generate", "--all", "--quarter", "2026-Q3", "--json"]).ok().stdout);
    let again = again.as_array().unwrap();
    let live = accounts.as_array().unwrap().iter().filter(|a| a["status"] == "live").count();
    assert_eq!(again.len(), live);
    for r in again {
        assert!(
            (r["outcome"] == "unchanged" && r["published"] == true && r["version"] == 1) || r["outcome"] == "refused",
            "{r}"
        );
    }
    assert!(again.iter().any(|r| r["account"] == slug.as_str() && r["outcome"] == "unchanged"));
    let fresh = json(
        &steward(d, &["reports", "generate", "--account", &slug, "--quarter", "2026-Q2", "--publish", "--json"])
            .ok()
            .stdout,
    );
    assert_eq!(
        (fresh[0]["outcome"].clone(), fresh[0]["published"].clone()),
        (serde_json::json!("new"), serde_json::json!(true))
    );
    steward(d, &["reports", "generate", "--quarter", "2026-Q2"]).fails(1, "say whose reviews");

    steward(d, &["reports", "qbr", "--account", &slug, "--quarter", "2030-Q1"]).fails(1, "has no figures for 2030-Q1");
    steward(d, &["reports", "qbr", "--account", &slug, "--quarter", "2026-Q5"]).fails(1, "is not a quarter");
}

/// The director's portfolio report through the command line: its books' clients are the
/// accounts' own, its retention is `steward retention`'s, its goals are `steward goals`'s,
/// and its PDF is the same bytes twice, with every section in its text.
#[test]
fn the_portfolio_is_the_book_s_own_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    demo_book(d, 3, 10, 120);
    let today = "2026-11-02";
    let csv = steward(d, &["reports", "portfolio", "--today", today, "--format", "csv"]).ok().stdout;
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some("section,item,measure,value"));
    let table: BTreeMap<(String, String, String), String> = lines
        .map(|line| {
            let f = fields(line);
            assert_eq!(f.len(), 4, "{line}");
            ((f[0].clone(), f[1].clone(), f[2].clone()), f[3].clone())
        })
        .collect();
    let value = |section: &str, item: &str, measure: &str| -> Option<f64> {
        table.get(&(section.into(), item.into(), measure.into())).and_then(|v| v.parse().ok())
    };
    let accounts = json(&steward(d, &["accounts", "list", "--json"]).ok().stdout);
    let clients: Vec<&Value> = accounts
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["status"] == "live" || a["status"] == "implementing")
        .collect();
    assert_eq!(value("books", "company", "clients"), Some(clients.len() as f64));
    let retention = json(&steward(d, &["retention", "--month", "2026-10", "--by", "owner", "--json"]).ok().stdout);
    let close = |a: Option<f64>, b: Option<f64>| match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() < 1e-12,
        (a, b) => a == b,
    };
    for row in retention.as_array().unwrap() {
        let item = row["group"].as_str().unwrap_or("company");
        assert!(close(value("books", item, "grr"), row["grr"].as_f64()), "{item}: {row}");
        assert!(close(value("books", item, "nrr"), row["nrr"].as_f64()), "{item}: {row}");
        let owned = clients
            .iter()
            .filter(|a| match row["group"].as_str() {
                None => true,
                Some("unowned") => a["owner"].is_null(),
                Some(owner) => a["owner"] == owner,
            })
            .count();
        assert_eq!(value("books", item, "clients"), Some(owned as f64), "{item}");
    }
    let goals = json(&steward(d, &["goals", "list", "--today", today, "--json"]).ok().stdout);
    let goals = goals.as_array().unwrap();
    assert!(!goals.is_empty(), "the demo sets goals");
    for g in goals {
        let owner = g["owner"].as_str().unwrap();
        assert_eq!(value("goals", owner, "bookings_to_date"), g["bookings_to_date"].as_f64(), "{g}");
        assert_eq!(value("goals", owner, "bookings_goal"), g["bookings"].as_f64(), "{g}");
    }
    // Renewals: the contract terms ending from 2026-Q4 to 2027-Q3 of every account but a
    // prospect (one that left this quarter lost its renewal in it), whatever became of their
    // renewal, each under one call.
    let contracts = json(&steward(d, &["contracts", "list", "--json"]).ok().stdout);
    let slugs_where = |keep: fn(&Value) -> bool| -> Vec<&str> {
        accounts
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| keep(&a["status"]))
            .map(|a| a["slug"].as_str().unwrap())
            .collect()
    };
    let slugs = slugs_where(|status| status != "prospect");
    let churned = slugs_where(|status| status == "churned");
    let in_window: Vec<&Value> = contracts
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| slugs.contains(&c["account"].as_str().unwrap()))
        // An account that left counts the term it left at the end of, not one it quit.
        .filter(|c| !churned.contains(&c["account"].as_str().unwrap()) || c["renewal_outcome"] == "churned")
        .filter(|c| ("2026-10-01".."2027-10-01").contains(&c["end_date"].as_str().unwrap()))
        .collect();
    let ending = in_window.len();
    assert!(ending > 0, "the demo has renewals in the year");
    // A renewal decided on the term (with or without its opportunity) is won or lost.
    let calls = |call: &str| -> f64 {
        table
            .iter()
            .filter(|((section, item, measure), _)| {
                section == "renewals" && item.ends_with(&format!(":{call}")) && measure == "renewals"
            })
            .map(|(_, v)| v.parse::<f64>().unwrap())
            .sum()
    };
    let decided = |outcome: &str| in_window.iter().filter(|c| c["renewal_outcome"] == outcome).count() as f64;
    assert_eq!((calls("won"), calls("lost")), (decided("renewed"), decided("churned")), "{csv}");
    let renewals: f64 = table
        .iter()
        .filter(|((section, _, measure), _)| section == "renewals" && measure == "renewals")
        .map(|(_, v)| v.parse::<f64>().unwrap())
        .sum();
    assert_eq!(renewals, ending as f64, "{csv}");
    assert_eq!(Some(renewals), value("books", "company", "renewals"));

    let (a, b) = (d.join("a.pdf"), d.join("b.pdf"));
    for out in [&a, &b] {
        steward(d, &["reports", "portfolio", "--today", today, "--format", "pdf", "--out", out.to_str().unwrap()]).ok();
    }
    let bytes = std::fs::read(&a).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert_eq!(bytes, std::fs::read(&b).unwrap(), "the same portfolio, the same bytes");
    let text = pdf_text(&a);
    for section in [
        "Books by account manager",
        "Renewals by quarter and forecast call",
        "Health distribution",
        "Goal attainment",
        "Accounts at risk",
        "Page 1 of",
    ] {
        assert!(text.contains(section), "{section} in the PDF:\n{text}");
    }
    pictures(&a, "48-portfolio-pdf", 2);
    let html = steward(d, &["reports", "portfolio"]).ok().stdout;
    assert!(html.contains("<style>") && html.contains("Books by account manager"), "a file that prints anywhere");
}
