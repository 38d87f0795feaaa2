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

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn public(name: &str) -> PathBuf {
    fixture(&format!("public/{name}"))
}

/// A change 834 around `members`, one segment per line.
fn change_834(members: &[&str]) -> String {
    let mut segs = vec![
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260105*0930*^*00501*000000007*0*P*:"
            .to_owned(),
        "GS*BE*SENDER*RECEIVER*20260105*0930*7*X*005010X220A1".into(),
        "ST*834*0001*005010X220A1".into(),
        "BGN*00*REF*20260105*0930****2".into(),
    ];
    segs.extend(members.iter().map(|m| (*m).to_owned()));
    let count = segs.len() - 2 + 1;
    segs.extend([format!("SE*{count}*0001"), "GE*1*7".into(), "IEA*1*000000007".into()]);
    segs.iter().map(|s| format!("{s}~\n")).collect()
}

pub fn an_import_that_applied_nothing_blocks_nothing(store: &dyn Store) {
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    let patients = write(
        dir.path(),
        "Patient.ndjson",
        br#"{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://steward.example/fhir/member-id","value":"M1"}]}"#,
    );
    let encounters = write(
        dir.path(),
        "Encounter.ndjson",
        br#"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2025-11-03"}}"#,
    );
    let visits = options(ImportKind::Visits, Some("acme"));
    // Encounters before their Patients: every row rejected, so the file is refused…
    let Err(ImportError::Refused { batch, .. }) = import(store, &encounters, &visits) else { panic!("refused") };
    assert_eq!(batch.errors[0].code, "every_row_rejected");
    assert_eq!(batch.errors[1].code, "patient_unknown", "the rows' reasons follow the refusal");
    // …and blocks nothing: after the Patients, the same bytes are applied.
    import(store, &patients, &visits).unwrap();
    let applied = import(store, &encounters, &visits).unwrap();
    assert!(!applied.duplicate);
    assert_eq!((applied.batch.status, applied.batch.rows_accepted), (ImportStatus::Applied, 1));
    assert!(import(store, &encounters, &visits).unwrap().duplicate, "now it is the same import");

    // The same bytes with other options that change their meaning are another import.
    let file = census(dir.path(), "census.csv", 1..=5);
    let mut as_of = options(ImportKind::Eligibility, Some("acme"));
    as_of.as_of = Some(d("2025-06-30"));
    assert_eq!(import(store, &file, &as_of).unwrap().batch.options, "as_of=2025-06-30");
    as_of.as_of = Some(d("2025-09-30"));
    assert!(!import(store, &file, &as_of).unwrap().duplicate, "another as-of date");
    assert!(import(store, &file, &as_of).unwrap().duplicate);
    let mut other_system = visits.clone();
    other_system.member_id_system = "urn:oid:2.16.840.1.113883.4.1".into();
    let again = import(store, &patients, &other_system);
    assert!(matches!(again, Err(ImportError::Refused { .. })), "read again, with the other system: {again:?}");
}

pub fn a_mapping_saved_anew_reads_the_file_anew(store: &dyn Store) {
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    let acme = Slug::parse("acme").unwrap();
    let lines = [
        r#"{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://steward.example/fhir/member-id","value":"M1"}]}"#,
        r#"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"urn:oid:1.2.3","code":"13"},"subject":{"reference":"Patient/p1"},"period":{"start":"2025-11-03"}}"#,
        r#"{"resourceType":"Encounter","id":"e2","status":"finished","class":{"system":"urn:oid:1.2.3","code":"14"},"subject":{"reference":"Patient/p1"},"period":{"start":"2025-11-04"}}"#,
    ];
    let file = write(dir.path(), "Encounter.ndjson", lines.join("\n").as_bytes());
    let mut visits = options(ImportKind::Visits, Some("acme"));
    visits.mapping = Some(steward_ingest::MappingName::parse("epic").unwrap());
    store.put_column_mapping(&acme, "epic", r#"{"classes":{"urn:oid:1.2.3|13":"in_office"}}"#).unwrap();
    let first = import(store, &file, &visits).unwrap().batch;
    assert_eq!((first.rows_accepted, first.rows_rejected), (2, 1), "code 14 is not mapped yet");
    assert!(first.options.starts_with("mapping=epic@"), "{}", first.options);
    assert!(import(store, &file, &visits).unwrap().duplicate, "the same mapping: the same import");
    store
        .put_column_mapping(&acme, "epic", r#"{"classes":{"urn:oid:1.2.3|13":"in_office","urn:oid:1.2.3|14":"video"}}"#)
        .unwrap();
    let again = import(store, &file, &visits).unwrap();
    assert!(!again.duplicate, "the mapping changed: the file is read anew");
    assert_eq!((again.batch.rows_accepted, again.batch.rows_rejected), (3, 0));
    // A census without --as-of states eligibility as of its import day: that day is part of it.
    let census = census(dir.path(), "census.csv", 1..=3);
    let batch = import(store, &census, &options(ImportKind::Eligibility, Some("acme"))).unwrap().batch;
    assert_eq!(batch.options, "as_of=2026-01-05");
}

pub fn batches_record_standard_and_how_ids_were_formed(store: &dyn Store) {
    acme(store);
    let eligibility = options(ImportKind::Eligibility, Some("acme"));
    let family = import(store, &public("pyx12_834_deident_family.txt"), &eligibility).unwrap().batch;
    assert_eq!(family.details.standard.as_deref(), Some("005010X220A1"));
    let methods: Vec<(&str, u64)> = family.details.member_ids.iter().map(|(k, n)| (k.as_str(), *n)).collect();
    assert_eq!(methods, [("own_ref_0f", 2), ("subscriber_ref_0f", 1)]);
    assert_eq!(family.options, "", "options left at their defaults are left out");
    let old = import(store, &public("pyx12_834_lui_id_4010.txt"), &eligibility).unwrap().batch;
    assert_eq!(old.details.standard.as_deref(), Some("004010X095A1"), "the 4010 version is recorded");
    let listed = store.import_batch(old.id).unwrap();
    assert_eq!(listed.details, old.details, "details are stored");
}

pub fn changes_never_invent_or_merge_people(store: &dyn Store) {
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    let eligibility = options(ImportKind::Eligibility, Some("acme"));
    // A's family, then a spouse sent after it with B's REF*0F: the spouse's own id, B.
    let first = change_834(&[
        "INS*Y*18*021*28*A",
        "REF*0F*A",
        "HD*021**HLT",
        "DTP*348*D8*20250101",
        "INS*N*01*021*28*A",
        "REF*0F*B",
        "HD*021**HLT",
        "DTP*348*D8*20250101",
    ]);
    import(store, &write(dir.path(), "first.edi", first.as_bytes()), &eligibility).unwrap();
    let next = change_834(&[
        // B the subscriber: the id is the spouse's on file.
        "INS*Y*18*021*28*A",
        "REF*0F*B",
        "HD*021**HLT",
        "DTP*348*D8*20250601",
        // A change (001) for somebody never added, dated: rejected, never created.
        "INS*Y*18*001*25*A",
        "REF*0F*NOBODY",
        "HD*001**HLT",
        "DTP*348*D8*20250601",
        "INS*Y*18*021*28*A",
        "REF*0F*S9",
        "HD*021**HLT",
        "DTP*348*D8*20250601",
    ]);
    let batch = import(store, &write(dir.path(), "next.edi", next.as_bytes()), &eligibility).unwrap().batch;
    let errors: Vec<(u64, &str)> = batch.errors.iter().map(|e| (e.line, e.code.as_str())).collect();
    assert_eq!(errors, [(5, "id_held_by_another"), (9, "not_on_file")]);
    assert_eq!((batch.rows_accepted, batch.rows_rejected), (1, 2));
    let ledger = store.ledger(&Slug::parse("acme").unwrap()).unwrap().unwrap().ledger;
    let keys = Pseudonymizer::new([3; 32]);
    assert_eq!(ledger.people.len(), 3, "A, the spouse B and S9");
    let spouse = ledger.person(keys.member("acme", "B")).unwrap();
    assert_eq!(spouse.relationship, steward_domain::Relationship::Spouse, "the spouse stays who they were");
    assert!(ledger.person(keys.member("acme", "NOBODY")).is_none(), "a change invents nobody");
}

pub fn gzip_files_are_read_through(store: &dyn Store) {
    use std::io::Write;
    acme(store);
    let dir = tempfile::tempdir().unwrap();
    import(store, &fixture("census_canonical.csv"), &options(ImportKind::Eligibility, Some("acme"))).unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&std::fs::read(fixture("fhir.ndjson")).unwrap()).unwrap();
    let zipped = write(dir.path(), "Encounter.ndjson.gz", &gz.finish().unwrap());
    let mut fhir = options(ImportKind::Visits, Some("acme"));
    fhir.format = None;
    let batch = import(store, &zipped, &fhir).unwrap().batch;
    assert_eq!((batch.format.as_str(), batch.rows_accepted), ("fhir-ndjson", 7), "{:?}", batch.errors);
    let bytes = std::fs::read(&zipped).unwrap();
    let cut = write(dir.path(), "cut.ndjson.gz", &bytes[..bytes.len() / 2]);
    let Err(ImportError::Refused { batch, .. }) = import(store, &cut, &fhir) else { panic!("refused") };
    assert_eq!(batch.errors[0].code, "gzip_damaged");
}

/// One `#[test]` per case on a backend; `$make` gives a fresh store or `None` to skip.
macro_rules! on_backend {
    ($backend:ident, $make:expr; $($case:ident),+ $(,)?) => {
        mod $backend {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[test]
                fn $case() {
                    let Some(s) = $make else { return };
                    super::$case(&*s);
                }
            )+
        }
    };
}

macro_rules! cases {
    ($backend:ident, $make:expr) => {
        on_backend!($backend, $make;
            same_content_twice_changes_nothing,
            a_refused_file_changes_nothing,
            a_full_file_terminating_too_many_needs_force,
            x12_change_after_full,
            visits_by_id_and_accounts_by_row,
            an_import_that_applied_nothing_blocks_nothing,
            a_mapping_saved_anew_reads_the_file_anew,
            batches_record_standard_and_how_ids_were_formed,
            changes_never_invent_or_merge_people,
            gzip_files_are_read_through,
        );
    };
}

cases!(sqlite, Some(steward_store_tests::TempSqlite::new()));
cases!(postgres, steward_store_tests::TempPostgres::new());
