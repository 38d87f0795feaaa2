//! The generator's promises: determinism, internally consistent people and files, and
//! outcomes that really depend on the latent health written to truth.json.

#![allow(clippy::unwrap_used)]

use chrono::{Datelike, NaiveDate};
use steward_demo::{DemoConfig, generate_book, write_files};
use steward_store_tests::read_tree;

fn config(accounts: usize) -> DemoConfig {
    let mut c = DemoConfig::new(42, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    c.accounts = accounts;
    c.lives_per_account = Some(300);
    c
}

#[test]
fn same_seed_same_bytes_different_seed_different_bytes() {
    let (a, b, c) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let cfg = config(8);
    write_files(&cfg, &generate_book(&cfg), a.path()).unwrap();
    write_files(&cfg, &generate_book(&cfg), b.path()).unwrap();
    let mut other = config(8);
    other.seed = 43;
    write_files(&other, &generate_book(&other), c.path()).unwrap();
    let (ta, tb, tc) = (read_tree(a.path()), read_tree(b.path()), read_tree(c.path()));
    assert!(ta.len() > 10, "expected many files, got {:?}", ta.keys());
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (name, bytes) in &ta {
        assert!(bytes == &tb[name], "{name} differs between two runs of one seed");
    }
    assert_ne!(ta.get("visits.csv"), tc.get("visits.csv"), "another seed gives another book");
}

#[test]
fn every_format_is_written_and_listed_in_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(12);
    write_files(&cfg, &generate_book(&cfg), dir.path()).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("manifest.json")).unwrap()).unwrap();
    let mut formats = std::collections::BTreeSet::new();
    for a in manifest["accounts"].as_array().unwrap() {
        for f in a["eligibility"].as_array().unwrap() {
            let path = dir.path().join(f.as_str().unwrap());
            assert!(path.is_file(), "{path:?} listed but missing");
            formats.insert(path.extension().unwrap().to_string_lossy().into_owned());
        }
        if let Some(v) = a["visits"].as_str() {
            assert!(dir.path().join(v).is_file());
            formats.insert("ndjson".into());
        }
    }
    assert_eq!(formats.into_iter().collect::<Vec<_>>(), ["csv", "edi", "ndjson"]);
    for table in ["memberships.csv", "visits.csv", "surveys.csv", "truth.json"] {
        assert!(dir.path().join(table).metadata().unwrap().len() > 100, "{table}");
    }
}

#[test]
fn people_memberships_and_visits_are_consistent() {
    let cfg = config(10);
    let book = generate_book(&cfg);
    let mut checked = 0;
    for a in &book.accounts {
        let pop = steward_demo::simulate_account(cfg.seed, &a.plan);
        for p in &pop.people {
            for s in &p.spans {
                assert!(s.end.is_none_or(|e| s.start <= e), "span ends before it starts");
                assert!(s.start <= cfg.as_of && s.end.is_none_or(|e| e <= cfg.as_of), "no future data");
            }
            for m in &p.memberships {
                let inside = p
                    .spans
                    .iter()
                    .any(|s| s.start <= m.start && (s.end.is_none() || m.end.is_some_and(|e| Some(e) <= s.end)));
                assert!(inside, "membership {m:?} outside eligibility {:?}", p.spans);
                if let Some(launch) = a.plan.launch {
                    assert!(m.start >= launch, "membership before launch");
                }
            }
        }
        for v in &pop.visits {
            assert!(v.date <= a.plan.data_end);
            if let Some(i) = v.person {
                let p = &pop.people[i as usize];
                assert!(
                    p.memberships.iter().any(|m| m.start <= v.date && m.end.is_none_or(|e| v.date <= e)),
                    "visit outside membership"
                );
            }
        }
        checked += pop.visits.len();
    }
    assert!(checked > 100, "too few visits to check: {checked}");
}

#[test]
fn a_month_to_date_holds_only_the_visits_of_its_days() {
    // As of the 2nd: December has had two of its 31 days.
    let mut cfg = config(10);
    cfg.as_of = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
    let book = generate_book(&cfg);
    let (mut november, mut december, mut responses_on_the_last_day, mut responses) = (0, 0, 0, 0);
    for a in book.accounts.iter().filter(|a| a.plan.data_end == cfg.as_of) {
        let pop = steward_demo::simulate_account(cfg.seed, &a.plan);
        for v in &pop.visits {
            match (v.date.format("%Y-%m").to_string().as_str(), v.date.format("%d").to_string().as_str()) {
                ("2026-11", _) => november += 1,
                ("2026-12", "01" | "02") => december += 1,
                ("2026-12", day) => panic!("a visit on December {day}, after the data end"),
                _ => {}
            }
        }
        responses += pop.surveys.len();
        responses_on_the_last_day += pop.surveys.iter().filter(|s| s.date == cfg.as_of).count();
    }
    assert!(november > 200, "a whole month of visits: {november}");
    // Two days of 31 (with Poisson noise): far from a whole month crammed into them.
    let expected = november as f64 * 2.0 / 30.0;
    assert!((december as f64) < 2.0 * expected + 20.0, "December 1–2 hold {december} visits; ~{expected:.0} expected");
    assert!(december > 0, "the first days of the month have visits too");
    let per_day = responses as f64 / (3.0 * 365.0);
    assert!(
        (responses_on_the_last_day as f64) < 4.0 * per_day + 10.0,
        "{responses_on_the_last_day} responses piled on the last day (~{per_day:.1} a day)"
    );
}

#[test]
fn x12_envelopes_count_their_segments() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(6);
    write_files(&cfg, &generate_book(&cfg), dir.path()).unwrap();
    let mut files = 0;
    for (name, bytes) in read_tree(dir.path()) {
        if !name.ends_with(".edi") {
            continue;
        }
        files += 1;
        let text = String::from_utf8(bytes).unwrap();
        let segments: Vec<&str> = text.split("~\n").filter(|s| !s.is_empty()).collect();
        assert!(segments[0].starts_with("ISA*") && segments[0].len() == 105, "{name}: ISA is fixed width");
        let st = segments.iter().position(|s| s.starts_with("ST*")).unwrap();
        let se = segments.iter().position(|s| s.starts_with("SE*")).unwrap();
        let declared: usize = segments[se].split('*').nth(1).unwrap().parse().unwrap();
        assert_eq!(declared, se - st + 1, "{name}: SE01 counts ST through SE");
        assert_eq!(segments.last().unwrap().split('*').nth(2), segments[0].split('*').nth(13), "{name}: IEA02 = ISA13");
    }
    assert!(files >= 2, "expected 834 files");
}

#[test]
fn churn_follows_latent_health() {
    let mut cfg = DemoConfig::new(5, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    cfg.accounts = 400;
    let book = generate_book(&cfg);
    let (mut churned, mut stayed) = (Vec::new(), Vec::new());
    for a in &book.accounts {
        if a.plan.churned {
            churned.push(a.plan.latent_health)
        } else if a.plan.status == steward_domain::AccountStatus::Live {
            stayed.push(a.plan.latent_health)
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    assert!(churned.len() > 20 && stayed.len() > 200, "{} churned, {} stayed", churned.len(), stayed.len());
    assert!(mean(&churned) + 0.15 < mean(&stayed), "churned {:.2} vs stayed {:.2}", mean(&churned), mean(&stayed));
    let renewals: Vec<_> = book
        .accounts
        .iter()
        .filter(|a| a.plan.status == steward_domain::AccountStatus::Live)
        .filter_map(|a| a.contracts.last().map(|c| &c.contract))
        .collect();
    assert!(
        renewals.iter().all(|c| c.end_date > cfg.as_of && c.end_date <= cfg.as_of + chrono::Days::new(365)),
        "live renewals fall in the next 12 months"
    );
}

#[test]
fn every_contract_of_a_large_book_is_valid() {
    let mut cfg = DemoConfig::new(1, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap());
    cfg.accounts = 6_000;
    for a in &generate_book(&cfg).accounts {
        for c in &a.contracts {
            c.contract.validate(&[]).unwrap_or_else(|e| panic!("{}: {e}", a.account.slug));
            if let Some(change) = &c.amendment {
                change.terms.validate().unwrap_or_else(|e| panic!("{}: {e}", a.account.slug));
                assert_eq!(change.effective_from.day(), 1, "{}", a.account.slug);
                assert!(change.effective_from > c.contract.start_date && change.effective_from < c.contract.end_date);
            }
        }
        for pair in a.contracts.windows(2) {
            assert!(pair[0].contract.end_date < pair[1].contract.start_date, "{}: terms overlap", a.account.slug);
        }
    }
}

#[test]
fn demo_names_are_invented() {
    let book = generate_book(&DemoConfig::new(1, NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
    for real in ["Airbnb", "Uber", "Blue Apron", "BuzzFeed", "Etsy", "One Medical", "Amazon"] {
        assert!(book.accounts.iter().all(|a| !a.account.name.contains(real)), "{real}");
    }
    assert_eq!(book.accounts.len(), 30);
    let large = book.accounts.iter().filter(|a| a.account.segment == steward_domain::Segment::LargeEnterprise).count();
    assert!((5..=20).contains(&large), "{large} large enterprises");
}

/// The demo book (30 accounts) carries one finished experiment across a segment's accounts
/// and one running on an account's worksites, each split as its recorded seed splits its
/// units and launched underpowered only with a reason; the treatment arms' lifts are planted
/// in exactly the treated accounts' worksites.
#[test]
fn the_demo_carries_a_finished_and_a_running_experiment() {
    use steward_domain::experiment::{Arm, ExperimentStatus, Randomized};
    let cfg = DemoConfig::new(1, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    let book = generate_book(&cfg);
    let mut statuses = Vec::new();
    for e in &book.experiments {
        let new = e.new_experiment(None);
        new.validate().unwrap();
        assert!(e.assignments.iter().all(|a| a.size > 0), "sizes are the units' eligible people");
        let today = cfg.as_of;
        statuses.push(if today < e.end { ExperimentStatus::Running } else { ExperimentStatus::Finished });
        let treated = |name: &str| e.assignments.iter().any(|a| a.unit == name && a.arm == Arm::Treatment);
        for a in &book.accounts {
            let mut lifted: Vec<usize> =
                a.plan.lifts.iter().filter(|l| l.start == e.start).flat_map(|l| l.sites.clone()).collect();
            lifted.sort_unstable();
            let expected: Vec<usize> = match &e.randomized {
                Randomized::Accounts { .. } if treated(a.plan.slug.as_str()) => {
                    (0..a.plan.worksite_names.len()).collect()
                }
                Randomized::Worksites { account } if *account == a.plan.slug => {
                    (0..a.plan.worksite_names.len()).filter(|&k| treated(&a.plan.worksite_names[k])).collect()
                }
                _ => Vec::new(),
            };
            assert_eq!(lifted, expected, "{}'s lift from {}", a.plan.slug, e.start);
        }
    }
    statuses.sort_by_key(|s| s.as_str());
    assert_eq!(statuses, vec![ExperimentStatus::Finished, ExperimentStatus::Running]);
}
