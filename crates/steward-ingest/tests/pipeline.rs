//! The import pipeline on real databases (a SQLite file and, in CI, PostgreSQL): batches
//! are all or nothing, the same content twice changes nothing, the 20% guard, change
//! files in order, and rejections recorded with their line or segment.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use std::path::{Path, PathBuf};
use steward_domain::{ImportKind, ImportStatus, Metro, NewAccount, NewWorksite, Slug};
use steward_ingest::{Format, ImportError, ImportOptions, ImportOutcome, Pseudonymizer, import_file};
use steward_store::{CutKind, Store};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR")))
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn acme(store: &dyn Store) {
    store.create_account(&NewAccount::new(Slug::parse("acme").unwrap(), "Acme")).unwrap();
    let site = |name: &str, metro| NewWorksite {
        account: Slug::parse("acme").unwrap(),
        name: name.into(),
        metro,
        zip3: None,
        headcount: None,
    };
    store.create_worksite(&site("Boston HQ", Metro::Boston)).unwrap();
}

fn options(kind: ImportKind, account: Option<&str>) -> ImportOptions {
    let mut o = ImportOptions::new(kind, d("2026-01-05"));
    o.account = account.map(|a| Slug::parse(a).unwrap());
    o
}

fn import(store: &dyn Store, path: &Path, o: &ImportOptions) -> Result<ImportOutcome, ImportError> {
    import_file(store, &Pseudonymizer::new([3; 32]), path, o, &|_, _| {})
}

/// Writes a census of `n` employees (ids 1..=n), all covered from 2025-01-01.
fn census(dir: &Path, name: &str, ids: impl Iterator<Item = u32>) -> PathBuf {
    let mut text = String::from("member_id,relationship,coverage_start,coverage_end,worksite\n");
    for i in ids {
        text += &format!("{i:05},employee,2025-01-01,,Boston HQ\n");
    }
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// Everything the member data of `acme` consists of, to compare before and after.
fn snapshot(store: &dyn Store) -> (Option<i64>, usize) {
    let acme = Slug::parse("acme").unwrap();
    (store.ledger(&acme).unwrap().map(|l| l.version), store.metrics(&acme, CutKind::All, None, None).unwrap().len())
}

pub fn same_content_twice_changes_nothing(store: &dyn Store) {
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    let file = census(dir.path(), "census.csv", 1..=20);
    let first = import(store, &file, &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    assert!(!first.duplicate && first.batch.status == ImportStatus::Applied && first.batch.rows_accepted == 20);
    let before = snapshot(store);
    assert_eq!(before.0, Some(1));
    let again = import(store, &file, &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    assert!(again.duplicate && again.batch.status == ImportStatus::Duplicate);
    assert_eq!(snapshot(store), before, "nothing changed");
    let counts = store.metrics(&Slug::parse("acme").unwrap(), CutKind::All, None, None).unwrap();
    assert_eq!(counts.last().unwrap().2.eligible_lives, 20);
    let metro = store.metrics(&Slug::parse("acme").unwrap(), CutKind::Metro, None, None).unwrap();
    assert!(
        metro.iter().all(|(cut, _, _)| *cut == steward_domain::metrics::Cut::Metro(Metro::Boston)),
        "worksite gives the metro"
    );
}

pub fn a_refused_file_changes_nothing(store: &dyn Store) {
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    import(store, &census(dir.path(), "census.csv", 1..=10), &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    let before = snapshot(store);
    let err = import(store, &fixture("census_missing_column.csv"), &options(ImportKind::Eligibility, Some("acme")))
        .unwrap_err();
    let ImportError::Refused { error, batch, .. } = err else { panic!("refused") };
    assert!(error.to_string().contains("missing required column coverage_start"), "{error}");
    assert_eq!(batch.status, ImportStatus::Refused);
    assert_eq!(batch.errors[0].line, 1);
    assert_eq!(snapshot(store), before);
    let bad_format =
        import(store, &fixture("fhir.ndjson"), &options(ImportKind::Eligibility, Some("acme"))).unwrap_err();
    assert!(bad_format.to_string().contains("a fhir-ndjson file cannot hold eligibility"), "{bad_format}");
    let no_account = import(store, &fixture("fhir.ndjson"), &options(ImportKind::Visits, None)).unwrap_err();
    assert!(no_account.to_string().contains("give it with --account SLUG"), "{no_account}");
}

pub fn a_full_file_terminating_too_many_needs_force(store: &dyn Store) {
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    import(store, &census(dir.path(), "all.csv", 1..=10), &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    let before = snapshot(store);
    let short = census(dir.path(), "short.csv", 1..=7);
    let err = import(store, &short, &options(ImportKind::Eligibility, Some("acme"))).unwrap_err();
    assert!(
        err.to_string()
            .contains("would terminate 3 of the account's 10 eligible lives (30%), more than the 20% allowed"),
        "{err}"
    );
    assert_eq!(snapshot(store), before);
    let mut forced = options(ImportKind::Eligibility, Some("acme"));
    forced.force = true;
    import(store, &short, &forced).unwrap();
    let counts = store.metrics(&Slug::parse("acme").unwrap(), CutKind::All, None, None).unwrap();
    let (_, month, last) = counts.last().unwrap();
    assert_eq!(
        (month.to_string(), last.eligible_lives),
        ("2026-01".to_owned(), 7),
        "terminated the day before the as-of date"
    );
    let december = counts.iter().find(|(_, m, _)| m.to_string() == "2025-12").unwrap();
    assert_eq!(december.2.eligible_lives, 10, "history kept");
}

pub fn x12_change_after_full(store: &dyn Store) {
    acme(store);
    import(store, &fixture("834_full_audit.edi"), &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    let out = import(store, &fixture("834_change_2tx.edi"), &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    assert_eq!((out.batch.rows_read, out.batch.rows_accepted, out.batch.rows_rejected), (6, 5, 1));
    assert_eq!(out.batch.errors[0].line, 30, "the INS segment of the termination");
    assert!(out.batch.errors[0].message.contains("a termination (INS03 024) for a member who is not on file"));
    assert_eq!(out.batch.errors[0].code, "not_on_file");
    assert_eq!(out.batch.format, "x12-834");
    let ledger = store.ledger(&Slug::parse("acme").unwrap()).unwrap().unwrap().ledger;
    assert_eq!(ledger.people.len(), 5);
}

pub fn visits_by_id_and_accounts_by_row(store: &dyn Store) {
    acme(store);
    import(store, &fixture("census_canonical.csv"), &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    let out = import(store, &fixture("visits.csv"), &options(ImportKind::Visits, None)).unwrap();
    assert_eq!((out.batch.rows_accepted, out.batch.rows_rejected, out.batch.account.clone()), (4, 4, None));
    let m = import(store, &fixture("memberships.csv"), &options(ImportKind::Memberships, None)).unwrap();
    assert_eq!(m.batch.errors[0].message, "the row's account is not the slug of any account");
    assert_eq!(m.batch.errors[0].code, "account_unknown");
    let mut fhir = options(ImportKind::Visits, Some("acme"));
    fhir.format = Some(Format::FhirNdjson);
    import(store, &fixture("fhir.ndjson"), &fhir).unwrap();
    let ledger = store.ledger(&Slug::parse("acme").unwrap()).unwrap().unwrap().ledger;
    assert_eq!(ledger.visits.len(), 4 + 4, "four CSV visits, four distinct encounters");
    let listed = store.imports(None).unwrap();
    assert_eq!(listed.len(), 4);
}

macro_rules! on_backend {
    ($backend:ident, $make:expr) => {
        mod $backend {
            #[allow(unused_imports)]
            use super::*;
            #[test]
            fn same_content_twice_changes_nothing() {
                let Some(s) = $make else { return };
                super::same_content_twice_changes_nothing(&*s);
            }
            #[test]
            fn a_refused_file_changes_nothing() {
                let Some(s) = $make else { return };
                super::a_refused_file_changes_nothing(&*s);
            }
            #[test]
            fn a_full_file_terminating_too_many_needs_force() {
                let Some(s) = $make else { return };
                super::a_full_file_terminating_too_many_needs_force(&*s);
            }
            #[test]
            fn x12_change_after_full() {
                let Some(s) = $make else { return };
                super::x12_change_after_full(&*s);
            }
            #[test]
            fn visits_by_id_and_accounts_by_row() {
                let Some(s) = $make else { return };
                super::visits_by_id_and_accounts_by_row(&*s);
            }
        }
    };
}

on_backend!(sqlite, Some(steward_store_tests::TempSqlite::new()));
on_backend!(postgres, steward_store_tests::TempPostgres::new());
