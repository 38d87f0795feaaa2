//! Public sample files nobody here wrote (tests/fixtures/public/SOURCES.md names each
//! source): what Steward must make of each — read exactly, or refused with the reason a
//! data engineer can act on.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use std::fs::File;
use steward_domain::ledger::{EligibilityEvent, Ledger};
use steward_domain::{AgeBand, Relationship, Span};
use steward_ingest::reason::{IdMethod, Reason, ReasonCode};
use steward_ingest::records::{ChangeEvents, Eligibility, Parsed};
use steward_ingest::{Pseudonymizer, fhir, x12};

fn public(name: &str) -> File {
    File::open(format!("{}/tests/fixtures/public/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn keys() -> Pseudonymizer {
    Pseudonymizer::new([3; 32])
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn x12_with(name: &str, dependent_ref: &str) -> Result<Parsed<Eligibility>, steward_ingest::FileError> {
    let options = x12::X12Options {
        dependent_ref: dependent_ref.into(),
        ..x12::X12Options::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
    };
    x12::parse(public(name), "acme", &options, &keys())
}

fn changes(parsed: Parsed<Eligibility>) -> Vec<(u64, EligibilityEvent)> {
    match parsed.data {
        Eligibility::Changes(ChangeEvents { events, .. }) => events,
        Eligibility::Full(_) => panic!("a change file"),
    }
}

#[test]
fn pyx12_family_whose_dependents_carry_their_own_ref_0f() {
    let parsed = x12_with("pyx12_834_deident_family.txt", "23").unwrap();
    let methods: Vec<(IdMethod, u64)> = parsed.tally.member_ids.iter().map(|(m, n)| (*m, *n)).collect();
    assert_eq!(methods, [(IdMethod::Subscriber, 1), (IdMethod::OwnRef0F, 2)]);
    let k = keys();
    let added: Vec<_> = changes(parsed)
        .into_iter()
        .map(|(_, e)| match e {
            EligibilityEvent::Addition { key, facts, span } => (key, facts.relationship, span),
            other => panic!("{other:?}"),
        })
        .collect();
    let start = Span::new(d("2026-04-01"), None);
    assert_eq!(
        added,
        [
            (k.member("acme", "M000002"), Relationship::Employee, start),
            (k.member("acme", "M000003"), Relationship::Spouse, start),
            (k.member("acme", "M000004"), Relationship::Child, start),
        ],
        "each dependent is the person its own REF*0F names, not an invented M000002-01"
    );
}

#[test]
fn pyx12_member_data_only_from_the_member_s_own_loops() {
    // REF*17 sits in loop 2300 and REF*ZZ/REF*17 in the 2750 reporting categories; the
    // member name is NM1*74 (corrected), beside an incorrect-name loop, a mailing address
    // and a responsible party, each with its own N4 and DMG.
    let parsed = x12_with("pyx12_834_ls_le_ls_2700.txt", "17").unwrap();
    assert_eq!(parsed.tally.rejected, 0, "{:?}", parsed.tally.errors);
    let k = keys();
    match &changes(parsed)[0].1 {
        EligibilityEvent::Change { key, facts, span } => {
            assert_eq!(*key, k.member("acme", "REF OF"), "a subscriber is their REF*0F");
            assert_eq!(facts.zip3, Some(*b"975"), "the member's own N4, not the mailing address");
            assert_eq!(
                facts.age_band,
                Some(AgeBand::From26To34),
                "born 1983 (2100A), not 1993 (2100B): 29 on 2013-03-12"
            );
            assert_eq!(*span, Some(Span::new(d("2012-09-01"), Some(d("2013-03-31")))));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pyx12_version_4010_is_read_and_named() {
    let parsed = x12_with("pyx12_834_lui_id_4010.txt", "23").unwrap();
    assert_eq!(parsed.tally.standard, Some("004010X095A1"));
    match parsed.data {
        Eligibility::Full(full) => {
            assert_eq!(full.as_of, d("2007-03-05"));
            assert_eq!(full.people.len(), 1);
            assert_eq!(full.people[0].0, keys().member("acme", "00389999"));
            assert_eq!(full.people[0].2, [Span::new(d("2007-03-01"), None)], "HD03 AK is not medical: DTP*356");
        }
        Eligibility::Changes(_) => panic!("BGN08 4 is a full file"),
    }
}

#[test]
fn pyx12_odd_delimiters_and_repeated_sets() {
    // A backslash component separator and a space after each terminator.
    let one = x12_with("pyx12_example834_5010.txt", "23").unwrap();
    assert_eq!((one.tally.accepted, one.tally.rejected), (1, 0));
    // Four sets, each with the same subscriber: one person, three duplicates named.
    let four = x12_with("pyx12_834_multiple_st_loops.txt", "23").unwrap();
    assert_eq!((four.tally.accepted, four.tally.rejected), (1, 3));
    assert!(four.tally.errors.iter().all(|e| e.code == "duplicate_member"), "{:?}", four.tally.errors);
}

#[test]
fn stupidedi_exchange_834_is_refused_naming_its_version() {
    let e = x12_with("stupidedi_834_X307_shop_enrollment_oneline.edi", "23").unwrap_err();
    assert_eq!(e.reason.code(), ReasonCode::UnsupportedVersion);
    assert!(e.to_string().contains("version 005010X307"), "{e}");
}

fn fhir_options(system: &str) -> fhir::FhirOptions<'_> {
    fhir::FhirOptions { member_id_system: system, mapping: None, today: d("2026-12-01") }
}

#[test]
fn synthea_bulk_export_reads_whole_through_its_own_member_id_system() {
    let system = "https://github.com/synthetichealth/synthea";
    let k = keys();
    let patients = fhir::parse(public("smart_bulk_10pt_Patient.000.ndjson"), "acme", fhir_options(system), &k).unwrap();
    assert_eq!((patients.tally.accepted, patients.tally.rejected), (13, 0));
    let encounters =
        fhir::parse(public("smart_bulk_10pt_Encounter.000.first200.ndjson"), "acme", fhir_options(system), &k).unwrap();
    let t = &encounters.tally;
    assert_eq!((t.read, t.accepted, t.rejected, t.ignored_total()), (200, 193, 0, 7));
    assert_eq!(t.ignored.get("Encounter of class IMP (inpatient)"), Some(&3), "{:?}", t.ignored);
    let mut ledger = Ledger::default();
    patients.data.resolve(&mut ledger, system);
    let (visits, unresolved) = encounters.data.resolve(&mut ledger, system);
    assert_eq!((visits.len(), unresolved.len()), (193, 0), "every encounter finds its Patient");

    // The default member-id system is in none of them: the refusal lists what they carry.
    let e = fhir::parse(
        public("smart_bulk_10pt_Patient.000.ndjson"),
        "acme",
        fhir_options(fhir::DEFAULT_MEMBER_ID_SYSTEM),
        &k,
    )
    .unwrap_err();
    let text = e.to_string();
    assert_eq!(e.reason.code(), ReasonCode::NoMemberIdSystem);
    assert!(text.contains("none of the file's 13 Patients"), "{text}");
    assert!(text.contains("https://github.com/synthetichealth/synthea (13)"), "{text}");
    assert!(text.contains("http://hl7.org/fhir/sid/us-ssn (13)"), "the system, never an SSN: {text}");
}

#[test]
fn cumulus_escaped_slashes_and_resource_type_last() {
    let k = keys();
    let system = fhir::DEFAULT_MEMBER_ID_SYSTEM;
    let e = fhir::parse(public("cumulus_simple_Patient.ndjson"), "acme", fhir_options(system), &k).unwrap_err();
    assert!(e.to_string().contains("they have no identifiers with a system"), "{e}");
    let encounters = fhir::parse(public("cumulus_simple_Encounter.ndjson"), "acme", fhir_options(system), &k).unwrap();
    let t = &encounters.tally;
    assert_eq!((t.read, t.accepted, t.rejected), (2, 0, 0), "two inpatient stays: ignored, not visits");
}

/// A pretty-printed JSON file made one line, as a sender might "fix" it.
fn minified(name: &str) -> String {
    let value: serde_json::Value =
        serde_json::from_reader(std::io::BufReader::new(public(name))).unwrap_or_else(|_| {
            let text = std::fs::read_to_string(format!("{}/tests/fixtures/public/{name}", env!("CARGO_MANIFEST_DIR")))
                .unwrap();
            serde_json::from_str(text.trim_start_matches('\u{feff}')).unwrap()
        });
    serde_json::to_string(&value).unwrap() + "\n"
}

#[test]
fn json_documents_are_refused_as_files_not_rows() {
    let k = keys();
    let options = fhir_options(fhir::DEFAULT_MEMBER_ID_SYSTEM);
    for name in [
        "uscore_Encounter-1036.json",
        "hl7r4_Bundle-bundle-references.json",
        "hl7r4_Bundle-father_document.json",
        "msfhir_r5_Encounter-For-Patient-f001.json",
    ] {
        let e = fhir::parse(public(name), "acme", options, &k).unwrap_err();
        assert_eq!((e.line, e.reason.code()), (Some(1), ReasonCode::PrettyPrintedJson), "{name}: {e}");
    }
    for name in ["hl7r4_Bundle-bundle-references.json", "hl7r4_Bundle-father_document.json"] {
        let e = fhir::parse(minified(name).as_bytes(), "acme", options, &k).unwrap_err();
        assert_eq!(e.reason, Reason::FhirBundle, "{name}");
    }
    let r5 = fhir::parse(minified("msfhir_r5_Encounter-For-Patient-f001.json").as_bytes(), "acme", options, &k);
    let e = r5.unwrap_err();
    assert_eq!(e.reason, Reason::NotR4 { resource: "Encounter", signal: "status completed" });
    assert!(e.to_string().contains("export it as R4"), "{e}");
}
