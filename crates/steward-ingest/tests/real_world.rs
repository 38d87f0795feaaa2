//! What real senders' files did to the parsers (issue 9), each case as the file showed it:
//! X12 identities that must never merge two people, member data from the member's own loop
//! only, envelopes real senders get wrong, and FHIR exports whose shapes, references, class
//! codes and dates differ from the textbook.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use steward_domain::ledger::{EligibilityEvent, Ledger};
use steward_domain::{Modality, Relationship};
use steward_ingest::csv_input::Mapping;
use steward_ingest::reason::{IdMethod, Reason, ReasonCode};
use steward_ingest::records::{ChangeEvents, Eligibility};
use steward_ingest::report::Tally;
use steward_ingest::{Pseudonymizer, fhir, x12};

fn keys() -> Pseudonymizer {
    Pseudonymizer::new([5; 32])
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const ISA: &str =
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260105*0930*^*00501*000000007*0*P*:";

/// An 834 around `members`, one segment per line, with the ISA and BGN given.
fn x12_file(isa: &str, bgn: &str, members: &[&str]) -> String {
    let mut segs = vec![
        isa.to_owned(),
        "GS*BE*SENDER*RECEIVER*20260105*0930*7*X*005010X220A1".into(),
        "ST*834*0001*005010X220A1".into(),
        bgn.to_owned(),
    ];
    segs.extend(members.iter().map(|m| (*m).to_owned()));
    let count = segs.len() - 2 + 1;
    segs.push(format!("SE*{count}*0001"));
    segs.push("GE*1*7".into());
    segs.push("IEA*1*000000007".into());
    segs.iter().map(|s| format!("{s}~\n")).collect()
}

fn change_file(members: &[&str]) -> String {
    x12_file(ISA, "BGN*00*REF*20260105*0930****2", members)
}

fn parse(
    text: &str,
    dependent_ref: &str,
) -> Result<steward_ingest::records::Parsed<Eligibility>, steward_ingest::FileError> {
    let options = x12::X12Options { dependent_ref: dependent_ref.into(), as_of: None };
    x12::parse(text.as_bytes(), "acme", &options, &keys())
}

fn events(parsed: steward_ingest::records::Parsed<Eligibility>) -> (Vec<(u64, EligibilityEvent)>, Tally) {
    match parsed.data {
        Eligibility::Changes(ChangeEvents { events, .. }) => (events, parsed.tally),
        Eligibility::Full(_) => panic!("a change file"),
    }
}

/// INS with INS17 (the birth sequence number) set.
fn ins_with_17(relationship: &str, ins17: &str) -> String {
    format!("INS*N*{relationship}*021*28*A{}{ins17}", "*".repeat(12))
}

#[test]
fn a_spouse_by_position_and_a_child_by_ins17_never_become_one_person() {
    let child = ins_with_17("19", "1");
    let text = change_file(&[
        "INS*Y*18*021*28*A",
        "REF*0F*S1",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
        // The spouse has no INS17: position 1 → S1-01.
        "INS*N*01*021*28*A",
        "REF*0F*S1",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
        // The child's INS17 is 1 → S1-01 as well.
        &child,
        "REF*0F*S1",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
    ]);
    let (events, tally) = events(parse(&text, "23").unwrap());
    assert_eq!(events.len(), 1, "only the subscriber is applied");
    let errors: Vec<(u64, &str, &str)> =
        tally.errors.iter().map(|e| (e.line, e.code.as_str(), e.message.as_str())).collect();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!((errors[0].0, errors[0].1), (9, "id_collision"));
    assert!(errors[0].2.contains("the one at segment 13"), "{}", errors[0].2);
    assert_eq!((errors[1].0, errors[1].1), (13, "id_collision"));
    assert!(errors[1].2.contains("the one at segment 9"), "{}", errors[1].2);
}

#[test]
fn ids_steward_forms_are_checked_against_the_people_on_file() {
    let k = keys();
    let text = change_file(&[&ins_with_17("19", "1"), "REF*0F*S1", "HD*021**HLT", "DTP*348*D8*20260101"]);
    let parsed = parse(&text, "23").unwrap();
    let Eligibility::Changes(changes) = parsed.data else { panic!("a change file") };
    assert_eq!(changes.checks.len(), 1, "an INS17 id is checked before it is applied");
    assert_eq!((changes.checks[0].key, changes.checks[0].method), (k.member("acme", "S1-01"), IdMethod::Ins17));
    // On file: S1-01 is a spouse (sent with REF*23 by an earlier file).
    let mut ledger = Ledger::default();
    let spouse = change_file(&["INS*N*01*021*28*A", "REF*0F*S1", "REF*23*S1-01", "HD*021**HLT", "DTP*348*D8*20250101"]);
    for (_, e) in events(parse(&spouse, "23").unwrap()).0 {
        ledger.apply_event(e).unwrap();
    }
    let held = steward_ingest::x12::identity::held_by_another(&ledger, &changes.checks);
    assert_eq!(held.len(), 1, "the child's formed id belongs to the spouse on file");
    assert_eq!(held[0].2.code(), ReasonCode::IdHeldByAnother);
    assert_eq!(ledger.person(k.member("acme", "S1-01")).unwrap().relationship, Relationship::Spouse);
}

#[test]
fn a_reporting_category_ref_never_names_a_dependent() {
    // --dependent-ref 17: the member's own 2000-loop REF*17 names them; the REF*17 of a 2750
    // reporting category must not.
    let text = change_file(&[
        "INS*N*19*021*28*A",
        "REF*0F*S1",
        "NM1*IL*1*X*Y",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
        "LS*2700",
        "LX*1",
        "N1*75*PLAN CATEGORY",
        "REF*17*CATEGORY7",
        "LE*2700",
        "INS*N*19*021*28*A",
        "REF*0F*S2",
        "REF*17*S2-OWN",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
    ]);
    let (events, tally) = events(parse(&text, "17").unwrap());
    let k = keys();
    let key = |e: &EligibilityEvent| match e {
        EligibilityEvent::Addition { key, .. } => *key,
        other => panic!("{other:?}"),
    };
    assert_eq!(key(&events[0].1), k.member("acme", "S1-01"), "not the 2750 loop's CATEGORY7");
    assert_ne!(key(&events[0].1), k.member("acme", "CATEGORY7"));
    assert_eq!(key(&events[1].1), k.member("acme", "S2-OWN"));
    assert_eq!(tally.member_ids.get(&IdMethod::DependentRef), Some(&1));
    assert_eq!(tally.member_ids.get(&IdMethod::Position), Some(&1));
}

#[test]
fn an_unpadded_isa_is_read_by_its_delimiters_with_a_warning() {
    let unpadded = "ISA*00*          *00*          *ZZ*SENDER*ZZ*RECEIVER*260105*0930*^*00501*000000007*0*P*:";
    let text = x12_file(
        unpadded,
        "BGN*00*REF*20260105*0930****2",
        &["INS*Y*18*021*28*A", "REF*0F*S1", "HD*021**HLT", "DTP*348*D8*20260101"],
    );
    let parsed = parse(&text, "23").unwrap();
    assert_eq!(parsed.tally.accepted, 1);
    let warning = &parsed.tally.warnings[0];
    assert_eq!((warning.line, warning.code.as_str()), (1, "isa_not_fixed_width"));
    assert!(warning.message.contains("ISA06 has 6 characters, not 15"), "{}", warning.message);
}

#[test]
fn bgn08_empty_is_named_not_called_a_mix() {
    let members = ["INS*Y*18*021*28*A", "REF*0F*S1", "HD*021**HLT", "DTP*348*D8*20260101"];
    let early = x12_file(ISA, "BGN*00*REF*20260105*0930***2", &members);
    let e = parse(&early, "23").unwrap_err();
    assert_eq!((e.line, e.reason.code()), (Some(4), ReasonCode::Bgn08Empty));
    let text = e.to_string();
    assert!(text.contains("BGN08 (the action code) is empty; it must be 2 (change), 4"), "{text}");
    assert!(text.contains("BGN07 holds 2: is the action code one element early?"), "{text}");
    assert!(!text.contains("mix"), "{text}");
    let odd = x12_file(ISA, "BGN*00*REF*20260105*0930****7", &members);
    assert!(parse(&odd, "23").unwrap_err().to_string().contains("BGN08 (the action code) is 7"));
}

#[test]
fn x12_without_its_envelope_says_so() {
    let segments_only = "ST*834*0001*005010X220A1~BGN*00*R*20260105*0930****2~INS*Y*18*021*28*A~REF*0F*S1~SE*5*0001~";
    let e = parse(segments_only, "23").unwrap_err();
    assert_eq!(e.reason, Reason::X12WithoutEnvelope);
    assert!(e.to_string().contains("X12 segments without their envelope"), "{e}");
}

fn options(mapping: Option<&Mapping>) -> fhir::FhirOptions<'_> {
    fhir::FhirOptions { member_id_system: fhir::DEFAULT_MEMBER_ID_SYSTEM, mapping, today: d("2026-12-01") }
}

const PATIENT: &str = r#"{"resourceType":"Patient","id":"85","identifier":[{"system":"https://steward.example/fhir/member-id","value":"M85"}]}"#;

fn encounter(id: &str, fields: &str) -> String {
    format!(r#"{{"resourceType":"Encounter","id":"{id}","status":"finished",{fields}}}"#)
}

#[test]
fn subject_references_absolute_and_versioned_find_their_patient() {
    let class = r#""class":{"code":"AMB"},"period":{"start":"2026-03-01"}"#;
    let lines = [
        PATIENT.to_owned(),
        encounter("e1", &format!(r#""subject":{{"reference":"https://fhir.example/r4/Patient/85"}},{class}"#)),
        encounter("e2", &format!(r#""subject":{{"reference":"Patient/85/_history/2"}},{class}"#)),
        encounter(
            "e3",
            &format!(r#""subject":{{"reference":"https://fhir.example/r4/Patient/85/_history/3"}},{class}"#),
        ),
    ];
    let k = keys();
    let parsed = fhir::parse(lines.join("\n").as_bytes(), "acme", options(None), &k).unwrap();
    assert_eq!(parsed.tally.rejected, 0, "{:?}", parsed.tally.errors);
    let mut ledger = Ledger::default();
    let (visits, unresolved) = parsed.data.resolve(&mut ledger, fhir::DEFAULT_MEMBER_ID_SYSTEM);
    assert!(unresolved.is_empty());
    assert_eq!(visits.len(), 3);
    assert!(visits.iter().all(|v| v.member == k.member("acme", "M85")));
}

#[test]
fn vendor_class_codes_are_named_and_read_through_a_saved_mapping() {
    let epic = "urn:oid:1.2.840.114350.1.72.1.7.7.10696.1";
    let lines = [
        PATIENT.to_owned(),
        encounter(
            "e1",
            &format!(r#""class":{{"system":"{epic}","code":"13"}},"subject":{{"reference":"Patient/85"}},"period":{{"start":"2026-03-01"}}"#),
        ),
        encounter(
            "e2",
            r#""class":{"system":"http://terminology.hl7.org/CodeSystem/v2-0004","code":"O"},"subject":{"reference":"Patient/85"},"period":{"start":"2026-03-02"}"#,
        ),
    ]
    .join("\n");
    let k = keys();
    let plain = fhir::parse(lines.as_bytes(), "acme", options(None), &k).unwrap();
    let messages: Vec<&str> = plain.tally.errors.iter().map(|e| e.message.as_str()).collect();
    assert!(messages[0].starts_with(&format!("encounter class 13 of system {epic} is neither")), "{messages:?}");
    assert!(messages[1].contains("class O of system http://terminology.hl7.org/CodeSystem/v2-0004"), "{messages:?}");
    let mut mapping = Mapping::default();
    mapping.classes.insert(format!("{epic}|13"), Modality::InOffice);
    mapping.classes.insert("http://terminology.hl7.org/CodeSystem/v2-0004|O".into(), Modality::InOffice);
    let mapped = fhir::parse(lines.as_bytes(), "acme", options(Some(&mapping)), &k).unwrap();
    assert_eq!((mapped.tally.accepted, mapped.tally.rejected), (3, 0));
}

#[test]
fn shapes_other_than_r4_are_named_field_by_field() {
    let subject = r#""subject":{"reference":"Patient/85"}"#;
    let lines = [
        PATIENT.to_owned(),
        // A line without resourceType is not invalid JSON.
        r#"{"id":"x1","status":"finished"}"#.to_owned(),
        encounter("e1", &format!(r#""class":{{"code":"AMB"}},{subject},"period":{{"start":20260301}}"#)),
        r#"{"resourceType":"Patient","id":"86","identifier":[{"system":"https://steward.example/fhir/member-id","value":86}]}"#
            .to_owned(),
        r#"{"resourceType":"Patient","id":"87","identifier":[{"system":"https://steward.example/fhir/member-id","value":""}]}"#
            .to_owned(),
        // A Procedure's location is an object, not a list: it is ignored, not rejected.
        r#"{"resourceType":"Procedure","id":"pr1","location":{"reference":"Location/1"}}"#.to_owned(),
        r#"{"resourceType":"Location","id":"l1"}"#.to_owned(),
        r#"{"resourceType":"Organization","id":"o1"}"#.to_owned(),
        r#"{"resourceType":"Practitioner","id":"pr1"}"#.to_owned(),
        r#"{"resourceType":"PractitionerRole","id":"prr1"}"#.to_owned(),
        encounter("e2", &format!(r#""class":{{"code":"AMB"}},{subject},"period":{{"start":"9999-12-31"}}"#)),
    ];
    let parsed = fhir::parse(lines.join("\n").as_bytes(), "acme", options(None), &keys()).unwrap();
    let t = &parsed.tally;
    let errors: Vec<(u64, &str, &str)> =
        t.errors.iter().map(|e| (e.line, e.code.as_str(), e.message.as_str())).collect();
    assert_eq!(
        errors,
        [
            (2, "field_missing", "resourceType is missing"),
            (3, "unexpected_shape", "period.start is not a date or dateTime string"),
            (4, "unexpected_shape", "identifier.value is not a string"),
            (5, "field_empty", "the member-id identifier's value is empty"),
            (11, "date_out_of_range", "period.start is outside the dates Steward accepts (1900-01-01 to 2026-12-02)"),
        ]
    );
    let ignored: Vec<(&str, u64)> = t.ignored.iter().map(|(k, n)| (*k, *n)).collect();
    assert_eq!(
        ignored,
        [("Location", 1), ("Organization", 1), ("Practitioner", 1), ("PractitionerRole", 1), ("Procedure", 1)]
    );
    assert_eq!((t.read, t.accepted, t.rejected), (11, 1, 5), "ignored rows are read, never accepted");
}

#[test]
fn r5_encounters_refuse_the_file_instead_of_counting_nothing() {
    let subject = r#""subject":{"reference":"Patient/85"}"#;
    for (fields, signal) in [
        (format!(r#""class":{{"code":"AMB"}},{subject},"period":{{"start":"2026-03-01"}}"#), "status completed"),
        (
            format!(r#""class":[{{"coding":[{{"code":"AMB"}}]}}],{subject},"period":{{"start":"2026-03-01"}}"#),
            "class is a list",
        ),
        (
            format!(r#""class":{{"code":"AMB"}},{subject},"actualPeriod":{{"start":"2026-03-01"}}"#),
            "it has actualPeriod",
        ),
    ] {
        let line = if signal == "status completed" {
            encounter("e1", &fields).replace("\"finished\"", "\"completed\"")
        } else {
            encounter("e1", &fields)
        };
        let text = format!("{PATIENT}\n{line}\n");
        let e = fhir::parse(text.as_bytes(), "acme", options(None), &keys()).unwrap_err();
        assert_eq!((e.line, e.reason.clone()), (Some(2), Reason::NotR4 { resource: "Encounter", signal }), "{e}");
    }
}
