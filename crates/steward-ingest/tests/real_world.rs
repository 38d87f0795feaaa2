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
    let options = x12::X12Options {
        dependent_ref: dependent_ref.into(),
        ..x12::X12Options::new(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
    };
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
fn a_spouse_and_a_child_without_ids_never_become_one_person() {
    // The real file: a spouse without INS17 and a child with INS17 = 1, neither with REF*23.
    // Numbering by position or INS17 gave both `-01`; their birth dates tell them apart.
    let child = ins_with_17("19", "1");
    let k = keys();
    let text = change_file(&[
        "INS*Y*18*021*28*A",
        "REF*0F*S1",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
        "INS*N*01*021*28*A",
        "REF*0F*S1",
        "NM1*IL*1*X*Y",
        "DMG*D8*19800101*F",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
        &child,
        "REF*0F*S1",
        "NM1*IL*1*X*Z",
        "DMG*D8*20150101*M",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
    ]);
    let (events, tally) = events(parse(&text, "23").unwrap());
    assert_eq!(tally.rejected, 0, "{:?}", tally.errors);
    let keys: Vec<_> = events
        .iter()
        .map(|(_, e)| match e {
            EligibilityEvent::Addition { key, .. } => *key,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(keys, [k.member("acme", "S1"), k.member("acme", "S1-D19800101"), k.member("acme", "S1-D20150101")]);
    assert_eq!(tally.member_ids.get(&IdMethod::BirthDate), Some(&2));
}

#[test]
fn twins_without_ins17_are_rejected_naming_each_other() {
    let text = change_file(&[
        "INS*Y*18*021*28*A",
        "REF*0F*S1",
        "HD*021**HLT",
        "DTP*348*D8*20260101",
        "INS*N*19*021*28*A",
        "REF*0F*S1",
        "NM1*IL*1*X*Y",
        "DMG*D8*20200101*F",
        "INS*N*19*021*28*A",
        "REF*0F*S1",
        "NM1*IL*1*X*Z",
        "DMG*D8*20200101*M",
        // A dependent with neither an id nor a birth date cannot be told from another.
        "INS*N*19*024*07*A",
        "REF*0F*S1",
        "DTP*357*D8*20260131",
    ]);
    let (events, tally) = events(parse(&text, "23").unwrap());
    assert_eq!(events.len(), 1, "only the subscriber is applied");
    let errors: Vec<(u64, &str)> = tally.errors.iter().map(|e| (e.line, e.code.as_str())).collect();
    assert_eq!(errors, [(9, "id_collision"), (13, "id_collision"), (17, "dependent_unidentified")]);
    assert!(tally.errors[0].message.contains("the one at segment 13"), "{}", tally.errors[0].message);
    assert!(tally.errors[1].message.contains("the one at segment 9"), "{}", tally.errors[1].message);
}

#[test]
fn every_id_is_checked_against_the_people_on_file() {
    let k = keys();
    let apply = |ledger: &mut Ledger, text: &str| -> Vec<(u64, Reason)> {
        let parsed = parse(text, "23").unwrap();
        let Eligibility::Changes(changes) = parsed.data else { panic!("a change file") };
        let held = steward_ingest::x12::identity::held_by_another(ledger, &changes.checks);
        for (segment, e) in changes.events {
            if held.iter().all(|(s, _, _)| *s != segment) {
                ledger.apply_event(e).unwrap();
            }
        }
        held.into_iter().map(|(s, _, r)| (s, r)).collect()
    };
    let mut ledger = Ledger::default();
    // A's family, then B's spouse sent after it with B's REF*0F: read as the spouse's own id.
    let first = change_file(&[
        "INS*Y*18*021*28*A",
        "REF*0F*A",
        "HD*021**HLT",
        "DTP*348*D8*20250101",
        "INS*N*01*021*28*A",
        "REF*0F*B",
        "HD*021**HLT",
        "DTP*348*D8*20250101",
    ]);
    assert!(apply(&mut ledger, &first).is_empty());
    assert_eq!(ledger.person(k.member("acme", "B")).unwrap().relationship, Relationship::Spouse);
    // B the subscriber arrives: the id is a spouse's on file, so B is refused, not merged.
    let second = change_file(&["INS*Y*18*021*28*A", "REF*0F*B", "HD*021**HLT", "DTP*348*D8*20250601"]);
    let held = apply(&mut ledger, &second);
    assert_eq!(held.len(), 1);
    assert_eq!((held[0].0, held[0].1.code()), (5, ReasonCode::IdHeldByAnother));
    assert!(held[0].1.to_string().contains("the subscriber's REF*0F"), "{}", held[0].1);
    assert_eq!(ledger.person(k.member("acme", "B")).unwrap().relationship, Relationship::Spouse, "B's spouse kept");
}

#[test]
fn a_reporting_category_ref_never_names_a_dependent() {
    // --dependent-ref 17: the member's own 2000-loop REF*17 names them; the REF*17 of a 2750
    // reporting category must not.
    let text = change_file(&[
        "INS*N*19*021*28*A",
        "REF*0F*S1",
        "NM1*IL*1*X*Y",
        "DMG*D8*20150101*F",
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
    assert_eq!(key(&events[0].1), k.member("acme", "S1-D20150101"), "not the 2750 loop's CATEGORY7");
    assert_ne!(key(&events[0].1), k.member("acme", "CATEGORY7"));
    assert_eq!(key(&events[1].1), k.member("acme", "S2-OWN"));
    assert_eq!(tally.member_ids.get(&IdMethod::DependentRef), Some(&1));
    assert_eq!(tally.member_ids.get(&IdMethod::BirthDate), Some(&1));
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
fn a_change_file_of_audits_stays_a_change_file() {
    // BGN08 = 2 with every loop 030: the audits replace these people's spans and nobody
    // else is terminated; only when BGN08 says nothing do all-audit loops make a full file.
    let audits = ["INS*Y*18*030*XN*A", "REF*0F*S1", "HD*030**HLT", "DTP*348*D8*20250601"];
    let (events, _) = events(parse(&change_file(&audits), "23").unwrap());
    assert!(matches!(events[..], [(_, EligibilityEvent::Audit { .. })]), "{events:?}");
    let silent = x12_file(ISA, "BGN*00*REF*20260105*0930****", &audits);
    assert!(matches!(parse(&silent, "23").unwrap().data, Eligibility::Full(_)));
}

#[test]
fn plan_changes_between_medical_lines_are_coverage_that_goes_on() {
    // A PPO line ending and an HMO line beginning, in either order: covered from the HMO's
    // begin, never terminated, never "end before start".
    for lines in [
        ["HD*024**PPO", "DTP*349*D8*20260131", "HD*021**HMO", "DTP*348*D8*20260201"],
        ["HD*021**HMO", "DTP*348*D8*20260201", "HD*024**PPO", "DTP*349*D8*20260131"],
    ] {
        let mut members = vec!["INS*Y*18*001*AI*A", "REF*0F*S1"];
        members.extend(lines);
        let (events, tally) = events(parse(&change_file(&members), "23").unwrap());
        assert_eq!(tally.rejected, 0, "{:?}", tally.errors);
        match &events[0].1 {
            EligibilityEvent::Change { span: Some(span), .. } => {
                assert_eq!((span.start, span.end), (d("2026-02-01"), None));
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn envelope_counts_are_numbers() {
    let text = change_file(&["INS*Y*18*021*28*A", "REF*0F*S1", "HD*021**HLT", "DTP*348*D8*20260101"])
        .replace("GE*1*7", "GE*01*7")
        .replace("IEA*1*", "IEA*00001*");
    assert!(parse(&text, "23").is_ok(), "GE*01 counts one");
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
