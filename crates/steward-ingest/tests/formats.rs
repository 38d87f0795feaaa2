//! Every format, quirk and bad input, each from a fixture file, asserting what was read,
//! what was rejected (by line or segment) and why, and which files are refused whole.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use std::fs::File;
use steward_domain::ledger::{EligibilityEvent, Visit};
use steward_domain::{AgeBand, Metro, Modality, Relationship, Sex, Span, VisitStatus};
use steward_ingest::csv_input::{DateFormat, Mapping};
use steward_ingest::reason::MappingName;
use steward_ingest::records::{ChangeEvents, Eligibility};
use steward_ingest::tables::AccountScope;
use steward_ingest::{Pseudonymizer, census, fhir, tables, x12};

fn fixture(name: &str) -> File {
    File::open(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn keys() -> Pseudonymizer {
    Pseudonymizer::new([1; 32])
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn fhir_options() -> fhir::FhirOptions<'static> {
    fhir::FhirOptions { member_id_system: fhir::DEFAULT_MEMBER_ID_SYSTEM, mapping: None, today: d("2026-01-05") }
}

fn errors(tally: &steward_ingest::report::Tally) -> Vec<(u64, String)> {
    tally.errors.iter().map(|e| (e.line, e.message.clone())).collect()
}

fn assert_rejected(tally: &steward_ingest::report::Tally, expected: &[(u64, &str)]) {
    let got = errors(tally);
    assert_eq!(got.len(), expected.len(), "rejections: {got:?}");
    for ((line, message), (want_line, want)) in got.iter().zip(expected) {
        assert_eq!(line, want_line, "{message}");
        assert!(message.contains(want), "line {line}: {message:?} should mention {want:?}");
    }
}

#[test]
fn census_with_bom_crlf_codes_and_leading_zeros() {
    let k = keys();
    let parsed = census::parse(fixture("census_canonical.csv"), "acme", d("2024-06-01"), None, &k).unwrap();
    assert_eq!((parsed.tally.read, parsed.tally.accepted, parsed.tally.rejected), (3, 3, 0));
    let people = &parsed.data.people;
    assert_eq!(people[0].0, k.member("acme", "000123"));
    assert_ne!(people[0].0, k.member("acme", "123"), "leading zeros are part of the id");
    let (_, ada, spans) = &people[0];
    assert_eq!(
        (ada.relationship, ada.age_band, ada.sex, ada.zip3),
        (Relationship::Employee, Some(AgeBand::From35To44), Sex::Female, Some(*b"021"))
    );
    assert_eq!(ada.worksite.as_deref(), Some("Boston HQ"));
    assert_eq!(spans, &vec![Span::new(d("2024-01-01"), None)]);
    let (_, bo, spans) = &people[1];
    assert_eq!(
        (bo.relationship, bo.age_band),
        (Relationship::Spouse, Some(AgeBand::Under18)),
        "X12 code 01 is a spouse"
    );
    assert_eq!(spans, &vec![Span::new(d("2024-01-01"), Some(d("2024-06-30")))]);
    let (_, cy, spans) = &people[2];
    assert_eq!(
        (cy.relationship, cy.sex, cy.age_band),
        (Relationship::Employee, Sex::Unknown, Some(AgeBand::From55To64))
    );
    assert_eq!(spans[0].end, None, "9999-12-31 means open");
}

#[test]
fn census_through_a_saved_mapping() {
    let mut mapping = Mapping { date_format: DateFormat::Us, ..Mapping::default() };
    for (field, header) in [
        ("member_id", "EE ID"),
        ("relationship", "Rel"),
        ("birth_date", "DOB"),
        ("sex", "Gender"),
        ("zip", "Postal"),
        ("worksite", "Location"),
        ("coverage_start", "Start Date"),
        ("coverage_end", "End Date"),
    ] {
        mapping.columns.insert(field.into(), header.into());
    }
    let name = MappingName::parse("workday").unwrap();
    let named = Some((&name, &mapping));
    let parsed = census::parse(fixture("census_mapped.csv"), "acme", d("2025-01-01"), named, &keys()).unwrap();
    assert_eq!(parsed.tally.accepted, 2);
    assert_eq!(parsed.data.people[1].2, vec![Span::new(d("2024-01-01"), Some(d("2024-12-31")))]);
    assert_eq!(parsed.data.people[1].1.relationship, Relationship::Child);
    let refused = census::parse(fixture("census_mapped.csv"), "acme", d("2025-01-01"), None, &keys()).unwrap_err();
    assert!(
        refused.to_string().contains("missing required columns member_id, relationship, coverage_start"),
        "{refused}"
    );
}

#[test]
fn census_rows_rejected_with_their_line() {
    let parsed = census::parse(fixture("census_bad_rows.csv"), "acme", d("2024-06-01"), None, &keys()).unwrap();
    assert_rejected(
        &parsed.tally,
        &[
            (3, "member_id is empty"),
            (4, "unknown relationship"),
            (5, "coverage_end is before coverage_start"),
            (6, "coverage_start is not a date in YYYY-MM-DD format"),
            (7, "duplicate member: this coverage overlaps the one at line 2"),
        ],
    );
    assert_eq!(
        parsed.tally.accepted, 3,
        "a bad birth date only loses the age band; a separate earlier span is history"
    );
    let one = parsed.data.people.iter().find(|p| p.2.len() == 2).unwrap();
    assert_eq!(one.2, vec![Span::new(d("2024-01-01"), None), Span::new(d("2020-01-01"), Some(d("2020-12-31")))]);
    let k = keys();
    let untouched = &parsed.data.untouched;
    assert!(
        untouched.contains(&k.member("acme", "002")) && untouched.contains(&k.member("acme", "003")),
        "rejected people are left as they are"
    );
    assert!(!untouched.contains(&k.member("acme", "001")), "001 has good rows");
    for (_, message) in errors(&parsed.tally) {
        for value in ["cousin", "2024-13-01", "001", "2024-04-30"] {
            assert!(!message.contains(value), "{message:?} echoes a value");
        }
    }
}

#[test]
fn crlf_rows_keep_their_line_numbers_and_short_rows_are_rejected() {
    let text = "member_id,relationship,coverage_start\r\n1,employee,2024-01-01\r\n2,employee\r\n3,nobody,2024-01-01\r\n\"4\",employee,\"2024-01-01\"\r\n";
    let parsed = census::parse(text.as_bytes(), "acme", d("2024-06-01"), None, &keys()).unwrap();
    assert_rejected(&parsed.tally, &[(3, "the row has 2 fields; the header has 3"), (4, "unknown relationship")]);
    assert_eq!(parsed.tally.accepted, 2);
}

#[test]
fn census_files_refused_whole() {
    let refuse = |name: &str| census::parse(fixture(name), "acme", d("2024-06-01"), None, &keys()).unwrap_err();
    let e = refuse("census_missing_column.csv");
    assert_eq!(e.line, Some(1));
    assert_eq!(
        e.to_string(),
        "line 1: missing required column coverage_start; the header has 5 columns, with member_id at column 1, \
         relationship at column 2, coverage_end at column 5",
        "the header is shown back only as its width and positions"
    );
    assert!(refuse("census_utf16.csv").to_string().contains("UTF-16"));
    let e = refuse("census_latin1.csv");
    assert_eq!(e.line, Some(3));
    assert!(e.to_string().contains("not UTF-8"), "{e}");
}

#[test]
fn csv_feeds_reject_rows_not_files() {
    let known = |s: &str| s == "acme";
    let scope = AccountScope { only: None, known: &known };
    let k = keys();
    let m = tables::memberships(fixture("memberships.csv"), scope, &k).unwrap();
    assert_rejected(
        &m.tally,
        &[
            (4, "the row's account is not the slug of any account"),
            (5, "member_id is empty"),
            (6, "membership_end is before membership_start"),
        ],
    );
    assert_eq!(m.data.len(), 2);

    let today = d("2026-01-05");
    let v = tables::visits(fixture("visits.csv"), scope, &k, today).unwrap();
    assert_rejected(
        &v.tally,
        &[
            (6, "unknown modality; expected in_office, video, remote_other"),
            (7, "unknown metro"),
            (8, "visit_date is not a date"),
            (9, "unknown status"),
        ],
    );
    assert!(
        errors(&v.tally)
            .iter()
            .all(|(_, m)| !m.contains("teleport") && !m.contains("atlantis") && !m.contains("postponed"))
    );
    let rows: Vec<&Visit> = v.data.iter().collect();
    assert_eq!(rows.len(), 4, "a visit by an unknown member is kept: it counts as unmatched");
    assert_eq!(
        (rows[0].clinic_metro, rows[1].clinic_metro, rows[2].status),
        (Some(Metro::Boston), None, VisitStatus::Cancelled)
    );

    let s = tables::surveys(fixture("surveys.csv"), scope, &k, today).unwrap();
    assert_rejected(&s.tally, &[(4, "unknown score; expected a whole number from 0 to 10"), (5, "unknown score")]);
    assert_eq!(s.data.iter().nth(1).unwrap().member, None, "anonymous responses are kept");

    let only_other = |_: &str| true;
    let scoped = AccountScope { only: Some("other"), known: &only_other };
    let m = tables::memberships(fixture("memberships.csv"), scoped, &k).unwrap();
    assert!(errors(&m.tally)[0].1.contains("is not other, the account this import is for"));
}

#[test]
fn fhir_reads_only_what_it_needs() {
    let k = keys();
    let parsed = fhir::parse(fixture("fhir.ndjson"), "acme", fhir_options(), &k).unwrap();
    assert_rejected(&parsed.tally, &[(7, "not a FHIR resource: invalid JSON")]);
    assert_eq!((parsed.tally.read, parsed.tally.accepted), (11, 8));
    assert_eq!(parsed.tally.ignored.get("Observation"), Some(&1), "an Observation is ignored, not accepted");
    assert_eq!(
        parsed.tally.ignored.get("Encounter of class EMER (emergency)"),
        Some(&1),
        "an emergency visit is an encounter, not a primary-care visit"
    );
    let mut ledger = steward_domain::ledger::Ledger::default();
    let (visits, unresolved) = parsed.data.resolve(&mut ledger, fhir::DEFAULT_MEMBER_ID_SYSTEM);
    assert_eq!(unresolved.len(), 1);
    assert_eq!(unresolved[0].0, 6);
    assert!(unresolved[0].1.to_string().contains("neither in this file nor linked by an earlier import"));
    let e1 = &visits[0];
    assert_eq!(e1.date, d("2024-01-31"), "the date as written in its own offset, not shifted to UTC");
    assert_eq!(
        (e1.modality, e1.status, e1.clinic_metro),
        (Modality::InOffice, VisitStatus::Completed, Some(Metro::Seattle))
    );
    assert_eq!(e1.member, k.member("acme", "000123"));
    assert_eq!(visits[1].modality, Modality::RemoteOther, "VR with a messaging type");
    assert_eq!(visits[2].status, VisitStatus::Cancelled);
    assert_eq!(
        (visits[3].member, visits[3].clinic_metro),
        (k.member("acme", "000456"), Some(Metro::Boston)),
        "a Patient after its Encounter"
    );
    assert_eq!((visits[4].key, visits[4].status), (e1.key, VisitStatus::Cancelled), "e1 sent again, entered in error");
    assert_eq!(ledger.patients.len(), 2, "the Patient links are kept for later files");
}

#[test]
fn fhir_encounters_find_patients_of_an_earlier_file() {
    let k = keys();
    let system = fhir::DEFAULT_MEMBER_ID_SYSTEM;
    let patients = format!(
        "{}\n{}\n{}\n",
        r#"{"resourceType":"Patient","id":"p1","identifier":[{"system":"https://steward.example/fhir/member-id","value":"M1"}]}"#,
        r#"{"resourceType":"Patient","id":"p2","identifier":[{"system":"urn:other","value":"X"}]}"#,
        r#"{"resourceType":"Patient","id":"p3","identifier":[{"system":"urn:other","value":"Y"},{"system":"urn:only-mine","value":"Z"}]}"#
    );
    let encounters = format!(
        "{}\n{}\n",
        r#"{"resourceType":"Encounter","id":"e1","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"2024-03-01"}}"#,
        r#"{"resourceType":"Encounter","id":"e2","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p2"},"period":{"start":"2024-03-02"}}"#
    );
    let mut ledger = steward_domain::ledger::Ledger::default();
    let first = fhir::parse(patients.as_bytes(), "acme", fhir_options(), &k).unwrap();
    let expected = "the Patient has no identifier of system https://steward.example/fhir/member-id (the member-id \
                    system); its identifiers are of systems urn:other: pass the right one with --member-id-system";
    assert_rejected(&first.tally, &[(2, expected), (3, expected)]);
    let (none, _) = first.data.resolve(&mut ledger, system);
    assert!(none.is_empty());
    let second = fhir::parse(encounters.as_bytes(), "acme", fhir_options(), &k).unwrap();
    let (visits, unresolved) = second.data.resolve(&mut ledger, system);
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].member, k.member("acme", "M1"));
    assert_eq!(unresolved.len(), 1, "p2 is unknown: no member id in this import or before");
}

fn full(name: &str) -> steward_ingest::records::FullEligibility {
    match x12::parse(
        fixture(name),
        "acme",
        &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        &keys(),
    )
    .unwrap()
    .data
    {
        Eligibility::Full(f) => f,
        Eligibility::Changes(_) => panic!("{name} should be a full file"),
    }
}

#[test]
fn x12_full_file_in_every_delimiter_style() {
    let k = keys();
    let f = full("834_full_audit.edi");
    assert_eq!(f.as_of, d("2026-01-05"), "BGN03 is the file date");
    let ids: Vec<_> = f.people.iter().map(|p| p.0).collect();
    let expected: Vec<_> = ["E10001", "E10001-D19890702", "E10001-D20170910", "E10003", "E10004"]
        .iter()
        .map(|id| k.member("acme", id))
        .collect();
    assert_eq!(ids, expected, "dependents without REF*23 are known by their subscriber and birth date");
    assert_eq!(f.people[1].1.relationship, Relationship::Spouse);
    assert_eq!(f.people[2].1.age_band, Some(AgeBand::Under18));
    assert!(f.people.iter().all(|p| p.2 == vec![Span::new(d("2026-01-01"), None)]));
    for variant in
        ["834_full_pipes.edi", "834_full_newline_terminator.edi", "834_full_crlf.edi", "834_full_two_groups.edi"]
    {
        let v = full(variant);
        let ids: Vec<_> = v.people.iter().map(|p| p.0).collect();
        assert_eq!(ids, expected, "{variant}");
    }
    // The second group repeats every member: each repeat is a duplicate, rejected.
    let two = x12::parse(
        fixture("834_full_two_groups.edi"),
        "acme",
        &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        &k,
    )
    .unwrap();
    assert_eq!((two.tally.accepted, two.tally.rejected), (5, 5));
    assert!(two.tally.errors[0].message.contains("duplicate member"));
}

/// An 834 with the envelope written around `members` (one segment per line).
fn x12(purpose: &str, members: &[&str]) -> String {
    let mut segs = vec![
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260105*0930*^*00501*000000007*0*P*:"
            .to_owned(),
        "GS*BE*SENDER*RECEIVER*20260105*0930*7*X*005010X220A1".into(),
        "ST*834*0001*005010X220A1".into(),
        format!("BGN*00*REF*20260105*0930****{purpose}"),
    ];
    segs.extend(members.iter().map(|m| (*m).to_owned()));
    let count = segs.len() - 2 + 1;
    segs.push(format!("SE*{count}*0001"));
    segs.push("GE*1*7".into());
    segs.push("IEA*1*000000007".into());
    segs.iter().map(|s| format!("{s}~\n")).collect()
}

#[test]
fn x12_member_loops_read_the_right_segments() {
    let k = keys();
    let text = x12(
        "2",
        &[
            // A dependent with REF*23; a provider's N4 and another coverage line must not leak in.
            "INS*N*19*021*28*A",
            "REF*0F*S1",
            "REF*23*S1-CHILD",
            "REF*DX*Plant",
            "NM1*IL*1*X*Y",
            "N4*CITY*WA*98101",
            "DMG*D8*20150101*F",
            "NM1*31*1",
            "N4*OTHER*NY*10001",
            "DMG*D8*19000101*M",
            "HD*021**DEN",
            "DTP*348*D8*20250101",
            "HD*021**HLT",
            "DTP*348*D8*20260101",
            // Only eligibility dates (356/357): the fallback.
            "INS*Y*18*021*28*A",
            "REF*0F*S2",
            "DTP*356*D8*20260201",
            // A change whose HD loop terminates our coverage.
            "INS*Y*18*001*25*A",
            "REF*0F*S3",
            "HD*024**HLT",
            "DTP*349*D8*20260131",
            // An audit record inside a change file.
            "INS*Y*18*030*XN*A",
            "REF*0F*S4",
            "HD*030**HLT",
            "DTP*348*D8*20250601",
        ],
    );
    let parsed =
        x12::parse(text.as_bytes(), "acme", &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), &k)
            .unwrap();
    assert_eq!(parsed.tally.rejected, 0, "{:?}", parsed.tally.errors);
    let Eligibility::Changes(ChangeEvents { events, .. }) = parsed.data else { panic!("a change file") };
    match &events[0].1 {
        EligibilityEvent::Addition { key, facts, span } => {
            assert_eq!(*key, k.member("acme", "S1-CHILD"), "REF*23 names the dependent");
            let seen = (facts.zip3, facts.age_band, facts.sex);
            assert_eq!(seen, (Some(*b"981"), Some(AgeBand::Under18), Sex::Female), "the member's own N4 and DMG only");
            assert_eq!(span.start, d("2026-01-01"), "the dental HD loop's date is not ours");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(&events[1].1, EligibilityEvent::Addition { span, .. } if span.start == d("2026-02-01")));
    assert!(matches!(&events[2].1, EligibilityEvent::Termination { end, .. } if *end == d("2026-01-31")));
    assert!(matches!(&events[3].1, EligibilityEvent::Audit { span, .. } if span.start == d("2025-06-01")));
}

#[test]
fn x12_more_refusals() {
    let k = keys();
    let ok = x12("2", &["INS*Y*18*021*28*A", "REF*0F*S1", "DTP*348*D8*20260101"]);
    assert!(
        x12::parse(ok.as_bytes(), "acme", &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), &k)
            .is_ok(),
        "the base file is valid"
    );
    let refuse = |text: String| {
        x12::parse(text.as_bytes(), "acme", &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), &k)
            .unwrap_err()
    };
    let e = refuse(ok.replace("GE*1*7", "GE*2*7"));
    assert!(
        e.to_string().contains("GE01 says 2 transaction sets but there are 1") && e.unit.as_str() == "segment",
        "{e}"
    );
    assert!(refuse(ok.replace("IEA*1*", "IEA*3*")).to_string().contains("IEA01 says 3 functional groups"));
    assert!(refuse(ok.replace("ST*834*0001*005010X220A1~\n", "")).to_string().contains("outside a transaction set"));
    assert!(refuse(ok.replace("REF*0F*S1", "REF*0F*S\u{e9}")).to_string().contains("non-ASCII"));
    assert!(refuse(ok.replace("*0*P*:", "*0*P")).to_string().contains("ISA"));
    let second = "ST*834*0002*005010X220A1~\nBGN*00*R*20260105*0930****4~\nSE*3*0002~\n";
    let mixed = ok.replace("GE*1*7", &format!("{second}GE*2*7"));
    assert!(refuse(mixed).to_string().contains("mix full and change files"));
    let no_bgn = ok.replace("GE*1*7", "ST*834*0002*005010X220A1~\nSE*2*0002~\nGE*2*7");
    assert!(refuse(no_bgn).to_string().contains("exactly one BGN"), "a set without BGN is not a full file");
}

#[test]
fn fhir_rejections_never_quote_the_value() {
    let bad = r#"{"resourceType":"Encounter","id":"e9","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1"},"period":{"start":"Plantedvalue-01"}}"#;
    let parsed = fhir::parse(bad.as_bytes(), "acme", fhir_options(), &keys()).unwrap();
    assert_rejected(&parsed.tally, &[(1, "period.start is not a date")]);
    assert!(!format!("{:?}", parsed.tally.errors).contains("Plantedvalue"));
}

#[test]
fn x12_change_file_events_in_order() {
    let k = keys();
    let parsed = x12::parse(
        fixture("834_change_2tx.edi"),
        "acme",
        &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()),
        &k,
    )
    .unwrap();
    let Eligibility::Changes(ChangeEvents { events, .. }) = parsed.data else { panic!("a change file") };
    let summary: Vec<(u64, &str)> = events
        .iter()
        .map(|(seg, e)| {
            (
                *seg,
                match e {
                    EligibilityEvent::Addition { .. } => "addition",
                    EligibilityEvent::Termination { .. } => "termination",
                    EligibilityEvent::Reinstatement { .. } => "reinstatement",
                    EligibilityEvent::Change { .. } => "change",
                    EligibilityEvent::Audit { .. } => "audit",
                },
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (9, "addition"),
            (18, "addition"),
            (24, "addition"),
            (30, "termination"),
            (43, "change"),
            (50, "reinstatement")
        ]
    );
    assert!(
        matches!(&events[3].1, EligibilityEvent::Termination { key, end } if *key == k.member("acme", "E10002") && *end == d("2026-01-31"))
    );
    assert!(matches!(&events[4].1, EligibilityEvent::Change { facts, span: None, .. } if facts.zip3 == Some(*b"618")));
    let custom = x12::X12Options {
        dependent_ref: "17".into(),
        ..x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
    };
    assert!(x12::parse(fixture("834_change_2tx.edi"), "acme", &custom, &k).is_ok());
}

#[test]
fn x12_files_refused_whole() {
    let refuse = |name: &str| {
        x12::parse(fixture(name), "acme", &x12::X12Options::new(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()), &keys())
            .unwrap_err()
    };
    let cases = [
        ("834_bad_isa.edi", Some(1), "malformed ISA segment: it has 3 elements; it must have 16"),
        ("834_bad_se_count.edi", Some(39), "SE01 says 36 segments but there are 37"),
        ("834_bad_st_se_control.edi", Some(39), "SE02 0002 does not match ST02 0001"),
        ("834_bad_ge_control.edi", Some(40), "GE02 999 does not match GS06 102"),
        ("834_bad_iea_control.edi", Some(41), "IEA02 000000103 does not match ISA13 000000102"),
        ("834_truncated.edi", Some(38), "ends before its IEA trailer"),
    ];
    for (name, line, message) in cases {
        let e = refuse(name);
        assert_eq!(e.line, line, "{name}: {e}");
        assert!(e.to_string().contains(message), "{name}: {e}");
    }
}
