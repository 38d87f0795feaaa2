//! No member value in any message (DOMAIN.md, Privacy). Every way a file can be refused and
//! a row rejected, in every format, is driven through the real binary with canary
//! identifiers planted where member data goes — names, SSN, birth date, address, phone,
//! e-mail, member id, free text — and then stdout, stderr, `imports --json`, the database
//! (its WAL kept by a connection held open) and every file in the data dir are scanned for
//! them. Every reason code is exercised (docs/IMPORTS.md lists them, checked here too).

#![allow(clippy::unwrap_used)]

mod support;

use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::Path;
use steward_ingest::ReasonCode;
use support::{Outcome, steward};

/// Values no byte the import writes may contain, matched without regard to case.
const CANARIES: &[&str] = &[
    "ZEPHYRQUILLNAME",
    "OBADIAHPLANTED",
    "1913-02-03",
    "19130203",
    "02/03/1913",
    "987-65-4329",
    "987654329",
    "7788 SECRETSTREET",
    "555-0199-44",
    "leak@planted.example",
    "PLANTID0042",
    "Plantedcomment about my rash",
    "DL-PLANTED-77",
];

/// A code that no file can reach through the binary, and why.
const UNREACHABLE: &[(ReasonCode, &str)] =
    &[(ReasonCode::Unreadable, "an I/O error while parsing a file that was hashed a moment before")];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Refused whole: exit 1, the batch's first error has the code.
    Refused,
    /// Applied with rows rejected for each of these codes.
    Rejected,
    /// Applied with a warning for the sender.
    Warned,
}

struct Case {
    name: &'static str,
    kind: &'static str,
    args: Vec<&'static str>,
    bytes: Vec<u8>,
    expect: Expect,
    codes: Vec<ReasonCode>,
}

fn case(name: &'static str, kind: &'static str, args: &[&'static str], bytes: impl Into<Vec<u8>>) -> Case {
    Case { name, kind, args: args.to_vec(), bytes: bytes.into(), expect: Expect::Refused, codes: Vec::new() }
}

impl Case {
    fn refused(mut self, code: ReasonCode) -> Self {
        (self.expect, self.codes) = (Expect::Refused, vec![code]);
        self
    }
    fn rejects(mut self, codes: &[ReasonCode]) -> Self {
        (self.expect, self.codes) = (Expect::Rejected, codes.to_vec());
        self
    }
    fn warns(mut self, code: ReasonCode) -> Self {
        (self.expect, self.codes) = (Expect::Warned, vec![code]);
        self
    }
}

const CENSUS_HEADER: &str =
    "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n";

/// The ten people acme's census holds: kept in every full file so the guard stays quiet.
fn good_census_rows() -> String {
    (1..=10).map(|i| format!("E{i:03},employee,Ann,Good,1980-01-01,F,98101,Seattle HQ,2024-01-01,\n")).collect()
}

/// A census row for the canary person with `coverage_start` and a free-form tail.
fn canary_census_row(relationship: &str, start: &str) -> String {
    format!("PLANTID0042,{relationship},Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,{start},\n")
}

const ISA: &str =
    "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260105*0930*^*00501*000000007*0*P*:";

/// An 834 with `bgn`, `members` inside one set, the envelope's counts right.
fn x12(isa: &str, gs08: &str, bgn: &str, members: &[&str]) -> Vec<u8> {
    let mut segs = vec![
        isa.to_owned(),
        format!("GS*BE*SENDER*RECEIVER*20260105*0930*7*X*{gs08}"),
        "ST*834*0001*005010X220A1".into(),
    ];
    // An empty BGN leaves the set without one.
    segs.extend((!bgn.is_empty()).then(|| bgn.to_owned()));
    segs.extend(members.iter().map(|m| (*m).to_owned()));
    let count = segs.len() - 2 + 1;
    segs.extend([format!("SE*{count}*0001"), "GE*1*7".into(), "IEA*1*000000007".into()]);
    segs.iter().map(|s| format!("{s}~\n")).collect::<String>().into_bytes()
}

fn change(members: &[&str]) -> Vec<u8> {
    x12(ISA, "005010X220A1", "BGN*00*REF*20260105*0930****2", members)
}

/// The canary person's member loop (an addition), with every kind of member data.
const CANARY_LOOP: &[&str] = &[
    "INS*Y*18*021*28*A***FT",
    "REF*0F*PLANTID0042",
    "NM1*IL*1*ZEPHYRQUILLNAME*OBADIAHPLANTED****34*987-65-4329",
    "PER*IP**TE*555-0199-44*EM*leak@planted.example",
    "N3*7788 SECRETSTREET RD",
    "N4*SEATTLE*WA*98101",
    "DMG*D8*19130203*M",
    "HD*021**HLT",
    "DTP*348*D8*20250101",
];

fn with_canary(members: &[&'static str]) -> Vec<&'static str> {
    CANARY_LOOP.iter().copied().chain(members.iter().copied()).collect()
}

const MEMBER_SYSTEM: &str = "https://steward.example/fhir/member-id";

fn canary_patient(id: &str, identifiers: &str) -> String {
    format!(
        r#"{{"resourceType":"Patient","id":"{id}","identifier":[{identifiers}],"name":[{{"family":"Zephyrquillname","given":["Obadiahplanted"]}}],"telecom":[{{"system":"phone","value":"555-0199-44"}},{{"system":"email","value":"leak@planted.example"}}],"birthDate":"1913-02-03","address":[{{"line":["7788 Secretstreet Rd"]}}],"text":{{"div":"<div>Plantedcomment about my rash</div>"}}}}"#
    )
}

fn member_identifier(value: &str) -> String {
    format!(r#"{{"system":"{MEMBER_SYSTEM}","value":"{value}"}}"#)
}

const SSN_AND_LICENCE: &str = r#"{"system":"http://hl7.org/fhir/sid/us-ssn","value":"987-65-4329"},{"system":"urn:oid:2.16.840.1.113883.4.3.25","value":"DL-PLANTED-77"}"#;

fn canary_encounter(id: &str, fields: &str) -> String {
    format!(
        r#"{{"resourceType":"Encounter","id":"{id}","status":"finished","subject":{{"reference":"Patient/p1","display":"Obadiahplanted Zephyrquillname"}},"text":{{"div":"Plantedcomment about my rash"}},{fields}}}"#
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

const VISITS_HEADER: &str = "account,visit_id,member_id,visit_date,modality,metro,status\n";

fn cases() -> Vec<Case> {
    use ReasonCode as C;
    let acme = &["--account", "acme", "--as-of", "2024-01-31"][..];
    let census_canaries = canary_census_row("employee", "2024-01-01");
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(format!("{CENSUS_HEADER}{census_canaries}").encode_utf16().flat_map(u16::to_le_bytes));
    let latin1 = [
        CENSUS_HEADER.as_bytes(),
        good_census_rows().as_bytes(),
        b"PLANTID0042,employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattl\xe9 HQ,2024-01-01,\n",
    ]
    .concat();
    let zipped = gzip(format!("{CENSUS_HEADER}{}{census_canaries}", good_census_rows()).as_bytes());
    let long_line = "PLANTID0042,Zephyrquillname,987-65-4329,".repeat(2_000);
    let row_problems = [
        CENSUS_HEADER.to_owned(),
        good_census_rows(),
        "PLANTID0042,employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,,987-65-4329\n"
            .into(),
        canary_census_row("Zephyrquillname", "2024-01-01").replace("PLANTID0042", "PLANTID0043"),
        canary_census_row("employee", "1913-02-03x").replace("PLANTID0042", "PLANTID0044"),
        canary_census_row("employee", "1850-01-01").replace("PLANTID0042", "PLANTID0045"),
        "PLANTID0046,employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,2023-01-01\n"
            .into(),
        "E001,employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2023-06-01,\n".into(),
        ",employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,\n".into(),
        "PLANTID0042".repeat(20)
            + ",employee,Obadiahplanted,Zephyrquillname,1913-02-03,M,98101,Seattle HQ,2024-01-01,\n",
    ]
    .concat();
    let good_visit = "acme,V1,E001,2025-03-01,video,,completed\n";
    let long_visit_id = format!("acme,{},PLANTID0042,2025-03-01,video,,completed\n", "987-65-4329".repeat(20));
    let visit_rows = [
        VISITS_HEADER,
        good_visit,
        ",V2,PLANTID0042,2025-03-01,video,,completed\n",
        "PLANTID0042,V3,PLANTID0042,2025-03-01,video,,completed\n",
        "acme,V4,PLANTID0042,2025-03-01,Zephyrquillname,,completed\n",
        "acme,V5,PLANTID0042,1913-02-03x,video,,completed\n",
        "acme,V6,PLANTID0042,9999-12-31,video,,completed\n",
        "acme,V7,,2025-03-01,video,,completed\n",
        &long_visit_id,
        "acme,V9,PLANTID0042,2025-03-01,video,,completed,Plantedcomment about my rash\n",
    ]
    .concat();
    let fhir_rows = [
        canary_patient("p1", &member_identifier("PLANTID0042")),
        r#"{"resourceType":"Patient","id":"p2","identifier":[{"system":"http://hl7.org/fhir/sid/us-ssn","value":"987-65-4329"},{"system":"https://steward.example/fhir/member-id","value":""}],"name":[{"family":"Zephyrquillname"}]}"#.to_owned(),
        canary_patient("p3", SSN_AND_LICENCE),
        r#"{"resourceType":"Patient","id":"p4","identifier":[{"system":"https://steward.example/fhir/member-id","value":987654329}]}"#.to_owned(),
        r#"{"resourceType":"Encounter","id":"e0","status":"finished","class":{"code":"AMB"},"subject":{"reference":"Patient/p1","display":"Zephyrquillname"},"period":{"start":"1913-02-03"#.to_owned(),
        r#""ZEPHYRQUILLNAME Obadiahplanted 987-65-4329""#.to_owned(),
        r#"{"id":"x1","name":[{"family":"Zephyrquillname"}],"birthDate":"1913-02-03"}"#.to_owned(),
        canary_encounter("e1", r#""class":{"code":"AMB"},"period":{"start":19130203}"#),
        canary_encounter("e2", r#""class":{"system":"urn:oid:1.2.840.114350.1.72.1.7.7.10696.1","code":"987-65-4329"},"period":{"start":"2025-03-01"}"#),
        canary_encounter("e10", r#""class":{"system":"urn:ssn:987-65-4329","code":"PLANTID0042"},"period":{"start":"2025-03-01"}"#),
        canary_patient("p5", r#"{"system":"urn:ssn:987-65-4329","value":"1"},{"system":"https://ehr.example/p/Zephyrquillname","value":"2"}"#),
        r#"{"resourceType":"Patient","id":"p6","id":"PLANTID0042"}"#.to_owned(),
        canary_encounter("e3", r#""class":{"code":"AMB"},"period":{"start":"1913-02-0X"}"#),
        canary_encounter("e4", r#""class":{"code":"AMB"},"period":{"start":"9999-12-31"}"#),
        canary_encounter("e5", r#""class":{"code":"AMB"},"period":{"start":"2025-03-01"}"#).replace("Patient/p1", "Group/PLANTID0042"),
        canary_encounter("e6", r#""class":{"code":"AMB"},"period":{"start":"2025-03-01"}"#).replace("Patient/p1", "Patient/p99"),
        canary_encounter("e7", r#""class":{"code":"AMB"},"period":{"start":"2025-03-01"}"#).replace("Patient/p1", "Patient/p3"),
        canary_encounter("e8", r#""class":{"code":"AMB"}"#),
        canary_encounter("e9", r#""class":{"code":"AMB"},"period":{"start":"2025-03-01"}"#),
    ]
    .join("\n");
    let pretty =
        serde_json::to_string_pretty(&serde_json::from_str::<Value>(&canary_patient("p1", SSN_AND_LICENCE)).unwrap())
            .unwrap();
    let bundle = format!(
        r#"{{"resourceType":"Bundle","type":"collection","entry":[{{"resource":{}}}]}}"#,
        canary_patient("p1", SSN_AND_LICENCE)
    );
    let r5 = canary_encounter("e1", r#""class":[{"coding":[{"code":"AMB"}]}],"actualPeriod":{"start":"2025-03-01"}"#)
        .replace("finished", "completed");
    let big_name = format!("NM1*IL*1*{}", "ZEPHYRQUILLNAME".repeat(5_000));
    let unpadded = "ISA*00*          *00*          *ZZ*SENDER*ZZ*RECEIVER*260105*0930*^*00501*000000007*0*P*:";
    let full = "BGN*00*REF*20260105*0930****4";
    let good_loop = ["INS*Y*18*021*28*A", "REF*0F*GOOD1", "HD*021**HLT", "DTP*348*D8*20250101"];
    vec![
        case("census-setup.csv", "eligibility", acme, format!("{CENSUS_HEADER}{}", good_census_rows())).rejects(&[]),
        case("census-utf16.csv", "eligibility", acme, utf16).refused(C::Utf16),
        case("census-latin1.csv", "eligibility", acme, latin1).refused(C::NotUtf8),
        case("census-cut.csv.gz", "eligibility", acme, zipped[..zipped.len() * 2 / 3].to_vec()).refused(C::GzipDamaged),
        case("census-no-header.csv", "eligibility", acme, format!("{census_canaries}{census_canaries}")).refused(C::HeaderIsData),
        case("census-names-as-header.csv", "eligibility", acme, "ZEPHYRQUILLNAME,OBADIAHPLANTED,PLANTID0042\nA,B,C\n").refused(C::MissingColumn),
        case("census-twice.csv", "eligibility", acme, format!("member_id,relationship,coverage_start,member_id\n{}", "PLANTID0042,employee,2024-01-01,987-65-4329\n")).refused(C::DuplicateColumn),
        case("census-empty.csv", "eligibility", acme, "").refused(C::NoHeader),
        case("census-mac.csv", "eligibility", acme, format!("{CENSUS_HEADER}{census_canaries}").replace('\n', "\r")).refused(C::CrLineEndings),
        case("census-one-long-line.csv", "eligibility", acme, long_line).refused(C::FieldTooLong),
        case("census-rows.csv", "eligibility", acme, row_problems).rejects(&[
            C::WrongWidth, C::UnknownValue, C::BadDate, C::DateOutOfRange, C::EndBeforeStart, C::DuplicateMember, C::FieldEmpty, C::FieldTooLong,
        ]),
        case("census-odd-birth.csv", "eligibility", acme, format!("{CENSUS_HEADER}{}PLANTID0042,employee,Obadiahplanted,Zephyrquillname,ZEPHYRQUILLNAME,987-65-4329,98101,Seattle HQ,2024-01-01,\n", good_census_rows())).warns(C::ValueIgnored),
        case("census-no-birth.csv", "eligibility", acme, format!("member_id,relationship,sex,coverage_start\n{}PLANTID0042,employee,M,2024-01-01\n", (1..=10).map(|i| format!("E{i:03},employee,F,2024-01-01\n")).collect::<String>())).warns(C::OptionalColumnMissing),
        case("census-short.csv", "eligibility", acme, format!("{CENSUS_HEADER}E001,employee,Ann,Good,1980-01-01,F,98101,Seattle HQ,2024-01-01,\n{census_canaries}")).refused(C::TerminationGuard),
        case("census-no-account.csv", "eligibility", &[], format!("{CENSUS_HEADER}{census_canaries}")).refused(C::AccountMissing),
        case("census-unknown-mapping.csv", "eligibility", &["--account", "acme", "--mapping", "nosuch"], format!("{CENSUS_HEADER}{census_canaries}")).refused(C::UnknownMapping),
        case("census-broken-mapping.csv", "eligibility", &["--account", "acme", "--mapping", "broken"], format!("{CENSUS_HEADER}{census_canaries}")).refused(C::UnreadableMapping),
        case("census-really-ndjson.csv", "eligibility", &["--account", "acme", "--format", "census-csv"], canary_patient("p1", SSN_AND_LICENCE)).refused(C::FormatMismatch),
        case("834-no-envelope.edi", "eligibility", &["--account", "acme"], with_canary(&[]).join("~") + "~").refused(C::X12WithoutEnvelope),
        case("834-really-csv.edi", "eligibility", &["--account", "acme", "--format", "x12-834"], format!("{CENSUS_HEADER}{census_canaries}")).refused(C::IsaMissing),
        case("834-bad-isa.edi", "eligibility", &["--account", "acme"], format!("ISA*00*ZEPHYRQUILLNAME*PLANTID0042~\n{}", CANARY_LOOP.join("~\n"))).refused(C::IsaMalformed),
        case("834-long-segment.edi", "eligibility", &["--account", "acme"], change(&[CANARY_LOOP[0], CANARY_LOOP[1], &big_name])).refused(C::SegmentTooLong),
        case("834-non-ascii.edi", "eligibility", &["--account", "acme"], change(&with_canary(&["NM1*IL*1*ZEPHYRQUILLNAMÉ*OBADIAHPLANTED"]))).refused(C::NonAscii),
        case("834-after-iea.edi", "eligibility", &["--account", "acme"], [change(&good_loop), with_canary(&[]).join("~\n").into_bytes()].concat()).refused(C::AfterIea),
        case("834-outside-set.edi", "eligibility", &["--account", "acme"], text_replace(&change(&good_loop), "ST*834", "NM1*IL*1*ZEPHYRQUILLNAME~\nST*834")).refused(C::OutsideTransactionSet),
        case("834-no-gs.edi", "eligibility", &["--account", "acme"], text_replace(&change(&with_canary(&[])), "GS*BE*SENDER*RECEIVER*20260105*0930*7*X*005010X220A1~\n", "")).refused(C::EnvelopeNesting),
        case("834-not-834.edi", "eligibility", &["--account", "acme"], text_replace(&change(&with_canary(&[])), "ST*834*0001*005010X220A1", "ST*270*0001*005010X279A1")).refused(C::Not834),
        case("834-se-count.edi", "eligibility", &["--account", "acme"], text_replace(&change(&with_canary(&[])), "\nSE*", "\nSE*9")).refused(C::EnvelopeCount),
        case("834-se-control.edi", "eligibility", &["--account", "acme"], text_replace(&change(&with_canary(&[])), "*0001~\nGE", "*0002~\nGE")).refused(C::EnvelopeControl),
        case("834-truncated.edi", "eligibility", &["--account", "acme"], text_replace(&change(&with_canary(&[])), "IEA*1*000000007~\n", "")).refused(C::Truncated),
        case("834-no-bgn.edi", "eligibility", &["--account", "acme"], x12(ISA, "005010X220A1", "", &with_canary(&[]))).refused(C::BgnCount),
        case("834-bgn08-early.edi", "eligibility", &["--account", "acme"], x12(ISA, "005010X220A1", "BGN*00*REF*20260105*0930***2", &with_canary(&[]))).refused(C::Bgn08Empty),
        case("834-bgn08-odd.edi", "eligibility", &["--account", "acme"], x12(ISA, "005010X220A1", "BGN*00*REF*20260105*0930****7", &with_canary(&[]))).refused(C::Bgn08Unknown),
        case("834-mixed.edi", "eligibility", &["--account", "acme"], text_replace(&change(&with_canary(&[])), "GE*1*7", "ST*834*0002*005010X220A1~\nBGN*00*R*20260105*0930****4~\nSE*3*0002~\nGE*2*7")).refused(C::MixedPurposes),
        case("834-no-date.edi", "eligibility", &["--account", "acme"], x12(ISA, "005010X220A1", "BGN*00*REF**0930****4", &with_canary(&[]))).refused(C::NoFileDate),
        case("834-version.edi", "eligibility", &["--account", "acme"], x12(ISA, "004010X096A1", "BGN*00*REF*20260105*0930****2", &with_canary(&[]))).refused(C::UnsupportedVersion),
        case("834-spouse.edi", "eligibility", &["--account", "acme"], change(&["INS*N*01*021*28*A", "REF*0F*S1", "REF*23*S1-D20200101", "HD*021**HLT", "DTP*348*D8*20250101"])).rejects(&[]),
        case("834-rows.edi", "eligibility", &["--account", "acme"], change(&[
            // A child sent without its subscriber: S1 and the birth date form the spouse's id.
            &["INS*N*19*021*28*A", "REF*0F*S1", "NM1*IL*1*ZEPHYRQUILLNAME", "DMG*D8*20200101*F", "HD*021**HLT", "DTP*348*D8*20250601"][..],
            &good_loop[..],
            &["INS*Y*18*021*28*A", "NM1*IL*1*ZEPHYRQUILLNAME", "HD*021**HLT", "DTP*348*D8*20250101"],
            &["INS*Y*77*021*28*A", "REF*0F*PLANTID0042", "DMG*D8*19130203*M", "HD*021**HLT", "DTP*348*D8*20250101"],
            &["INS*Y*18*021*28*A", "REF*0F*PLANTID0043", "HD*021**HLT", "DTP*348*D8*1913020X"],
            &["INS*Y*18*021*28*A", "REF*0F*PLANTID0044", "HD*021**HLT", "DTP*348*D8*18500101"],
            &["INS*Y*18*021*28*A", "REF*0F*PLANTID0045", "NM1*IL*1*ZEPHYRQUILLNAME", "N3*7788 SECRETSTREET RD"],
            &["INS*Y*18*021*28*A", "REF*0F*S7", "HD*021**HLT", "DTP*348*D8*20250101"],
            // Twins without INS17: one id for two people.
            &["INS*N*19*021*28*A", "REF*0F*S7", "NM1*IL*1*ZEPHYRQUILLNAME", "DMG*D8*20180101*F", "HD*021**HLT", "DTP*348*D8*20250101"],
            &["INS*N*19*021*28*A", "REF*0F*S7", "NM1*IL*1*ZEPHYRQUILLNAME", "DMG*D8*20180101*M", "HD*021**HLT", "DTP*348*D8*20250101"],
            // A dependent with neither an id nor a birth date.
            &["INS*N*19*024*07*A", "REF*0F*S7", "NM1*IL*1*ZEPHYRQUILLNAME", "DTP*357*D8*20250101"],
            &["INS*Y*18*001*25*A", "REF*0F*PLANTID0046", "NM1*IL*1*ZEPHYRQUILLNAME", "HD*001**HLT", "DTP*348*D8*20250601"],
            &["INS*Y*18*024*07*A", "REF*0F*E001", "HD*024**HLT", "DTP*349*D8*20230101"],
        ].concat())).rejects(&[
            C::NoSubscriberId, C::UnknownValue, C::BadDate, C::DateOutOfRange, C::FieldMissing, C::IdCollision, C::IdHeldByAnother, C::DependentUnidentified, C::NotOnFile, C::TerminationBeforeCoverage,
        ]),
        case("834-full-with-024.edi", "eligibility", &["--account", "acme", "--force"], x12(ISA, "005010X220A1", full, &[
            &["INS*Y*18*030*XN*A", "REF*0F*E001", "HD*030**HLT", "DTP*348*D8*20240101"][..],
            &["INS*Y*18*024*07*A", "REF*0F*PLANTID0042", "NM1*IL*1*ZEPHYRQUILLNAME", "HD*024**HLT", "DTP*349*D8*20250101"],
        ].concat())).rejects(&[C::Not030InFull]),
        case("834-unpadded.edi", "eligibility", &["--account", "acme"], x12(unpadded, "005010X220A1", "BGN*00*REF*20260105*0930****2", &["INS*Y*18*021*28*A", "REF*0F*GOOD2", "NM1*IL*1*ZEPHYRQUILLNAME", "HD*021**HLT", "DTP*348*D8*20250101"])).warns(C::IsaNotFixedWidth),
        case("fhir-array.json", "visits", &["--account", "acme"], format!("[{}]", canary_patient("p1", SSN_AND_LICENCE))).refused(C::JsonArray),
        case("fhir-bundle.json", "visits", &["--account", "acme"], bundle).refused(C::FhirBundle),
        case("fhir-pretty.json", "visits", &["--account", "acme"], pretty).refused(C::PrettyPrintedJson),
        case("fhir-no-member-id.ndjson", "visits", &["--account", "acme"], canary_patient("p1", SSN_AND_LICENCE)).refused(C::NoMemberIdSystem),
        case("fhir-r5.ndjson", "visits", &["--account", "acme"], format!("{}\n{r5}\n", canary_patient("p1", &member_identifier("PLANTID0042")))).refused(C::NotR4),
        case("fhir-as-eligibility.ndjson", "eligibility", &["--account", "acme"], canary_patient("p1", SSN_AND_LICENCE)).refused(C::FormatCannotHoldKind),
        case("fhir-no-account.ndjson", "visits", &[], canary_patient("p1", SSN_AND_LICENCE)).refused(C::AccountMissing),
        case("fhir-as-csv.ndjson", "visits", &["--format", "csv"], canary_patient("p1", SSN_AND_LICENCE)).refused(C::FormatMismatch),
        // A download cut short at its start: no longer NDJSON at all, read as CSV.
        case("fhir-cut-at-start.ndjson", "visits", &["--account", "acme"], format!("{}\n{}\n", &canary_patient("p1", SSN_AND_LICENCE)[40..], canary_patient("p2", SSN_AND_LICENCE))).refused(C::MissingColumn),
        case("fhir-rows.ndjson", "visits", &["--account", "acme"], fhir_rows).rejects(&[
            C::InvalidJson, C::NotAnObject, C::FieldMissing, C::UnexpectedShape, C::FieldEmpty, C::PatientWithoutMemberId, C::PatientRejected, C::UnmappedClass, C::BadDate, C::DateOutOfRange, C::SubjectNotPatient, C::PatientUnknown,
        ]),
        case("visits-mapping.csv", "visits", &["--mapping", "broken"], format!("{VISITS_HEADER}{good_visit}")).refused(C::MappingNotForFormat),
        case("visits-no-account.csv", "visits", &[], "visit_id,member_id,visit_date,modality,status\nV1,PLANTID0042,1913-02-03,video,completed\n").refused(C::AccountMissing),
        case("visits-unclosed.csv", "visits", &[], format!("{VISITS_HEADER}{good_visit}acme,V2,\"PLANTID0042,Zephyrquillname,987-65-4329\n")).refused(C::MalformedCsv),
        case("visits-all-bad.csv", "visits", &[], format!("{VISITS_HEADER}acme,V1,PLANTID0042,2025-03-01,Zephyrquillname,,completed\nacme,V2,PLANTID0042,1913-02-03x,video,,completed\n")).refused(C::EveryRowRejected),
        case("visits-rows.csv", "visits", &[], visit_rows).rejects(&[
            C::AccountEmpty, C::AccountUnknown, C::UnknownValue, C::BadDate, C::DateOutOfRange, C::FieldEmpty, C::FieldTooLong, C::WrongWidth,
        ]),
        case("visits-other-account.csv", "visits", &["--account", "acme"], format!("{VISITS_HEADER}{good_visit}PLANTID0042,V2,PLANTID0042,2025-03-01,video,,completed\n")).rejects(&[C::AccountNotThis]),
        case("surveys-rows.csv", "surveys", &[], "account,response_id,member_id,response_date,score,comment\nacme,R1,E001,2025-03-01,9,Plantedcomment about my rash\nacme,R2,PLANTID0042,2025-03-01,987-65-4329,Plantedcomment about my rash\n").rejects(&[C::UnknownValue]),
        case("memberships-rows.csv", "memberships", &[], "account,member_id,membership_start,membership_end\nacme,E001,2024-02-01,\nacme,PLANTID0042,2025-01-01,1913-02-03\n").rejects(&[C::EndBeforeStart]),
    ]
}

/// Replaces text inside bytes.
fn text_replace(bytes: &[u8], from: &str, to: &str) -> Vec<u8> {
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(text.contains(from), "{from:?} not in the file");
    text.replacen(from, to, 1).into_bytes()
}

fn scan(label: &str, bytes: &[u8]) {
    for canary in CANARIES {
        let found = bytes.windows(canary.len()).any(|w| w.eq_ignore_ascii_case(canary.as_bytes()));
        assert!(!found, "{canary:?} found in {label}");
    }
}

/// The reason codes docs/IMPORTS.md lists in its table of reasons.
fn documented_codes() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/IMPORTS.md")).unwrap();
    let table = doc.split("## Reasons").nth(1).expect("docs/IMPORTS.md has a Reasons section");
    table
        .lines()
        .take_while(|l| !l.starts_with("## "))
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn no_refusal_or_rejection_quotes_a_member_value() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let files = tempfile::tempdir().unwrap();
    steward(&data, &["accounts", "add", "acme", "--name", "Acme"]).ok();
    steward(&data, &["mappings", "set", "--account", "acme", "broken", "--column", "member_id=ID"]).ok();
    // Held open for the whole test, so SQLite keeps its WAL and the scan reads it too.
    let held = rusqlite::Connection::open(data.join("steward.db")).unwrap();
    held.execute("UPDATE column_mappings SET mapping = '{not json' WHERE name = 'broken'", []).unwrap();

    let mut printed: Vec<(String, Outcome)> = Vec::new();
    let cases = cases();
    for c in &cases {
        let path = files.path().join(c.name);
        std::fs::write(&path, &c.bytes).unwrap();
        let mut args = vec!["import", c.kind, path.to_str().unwrap()];
        args.extend(&c.args);
        let out = support::steward(&data, &args);
        let expected_exit = if c.expect == Expect::Refused { 1 } else { 0 };
        assert_eq!(out.code, expected_exit, "{}: exit\nstdout: {}\nstderr: {}", c.name, out.stdout, out.stderr);
        assert!(!out.stderr.contains("panicked"), "{}: {}", c.name, out.stderr);
        printed.push((c.name.to_owned(), out));
    }
    let listed = steward(&data, &["imports", "--json"]).ok();
    let batches: Vec<Value> = serde_json::from_str(&listed.stdout).unwrap();
    let by_file: BTreeMap<&str, &Value> = batches.iter().map(|b| (b["file_name"].as_str().unwrap(), b)).collect();

    let mut exercised = BTreeSet::new();
    for c in &cases {
        let batch = by_file.get(c.name).unwrap_or_else(|| panic!("{}: no batch recorded", c.name));
        let list = |field: &str| -> Vec<String> {
            batch[field].as_array().into_iter().flatten().map(|e| e["code"].as_str().unwrap_or("").to_owned()).collect()
        };
        let codes = match c.expect {
            Expect::Refused => {
                assert_eq!(batch["status"], "refused", "{}", c.name);
                list("errors").into_iter().take(1).collect::<Vec<_>>()
            }
            Expect::Rejected => {
                assert_eq!(batch["status"], "applied", "{}: {batch}", c.name);
                list("errors")
            }
            Expect::Warned => {
                assert_eq!(batch["status"], "applied", "{}: {batch}", c.name);
                batch["details"]["warnings"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|w| w["code"].as_str().unwrap().to_owned())
                    .collect()
            }
        };
        let got: BTreeSet<&str> = codes.iter().map(String::as_str).collect();
        let want: BTreeSet<&str> = c.codes.iter().map(|c| c.as_str()).collect();
        assert_eq!(got, want, "{}: the codes recorded\n{batch:#}", c.name);
        exercised.extend(codes.iter().cloned());
        // Every error (refusals and rows alike) is recorded with its code.
        for e in batch["errors"].as_array().unwrap() {
            exercised.insert(e["code"].as_str().unwrap().to_owned());
        }
    }

    // Every reason code is documented, and every one that a file can reach was reached.
    let all: BTreeSet<String> = ReasonCode::ALL.iter().map(|c| c.as_str().to_owned()).collect();
    assert_eq!(documented_codes(), all, "docs/IMPORTS.md lists every reason code, and only those");
    let unreachable: BTreeSet<String> = UNREACHABLE.iter().map(|(c, _)| c.as_str().to_owned()).collect();
    let missed: Vec<&String> = all.difference(&exercised).filter(|c| !unreachable.contains(*c)).collect();
    assert!(missed.is_empty(), "reason codes no case reached: {missed:?}");

    // Nothing printed, listed or written holds a canary.
    for (name, out) in &printed {
        scan(&format!("{name}: stdout"), out.stdout.as_bytes());
        scan(&format!("{name}: stderr"), out.stderr.as_bytes());
    }
    scan("imports --json", listed.stdout.as_bytes());
    let mut scanned = Vec::new();
    for path in support::files_under(&data) {
        scan(&path.display().to_string(), &std::fs::read(&path).unwrap());
        scanned.push(path.file_name().unwrap().to_string_lossy().into_owned());
    }
    assert!(scanned.iter().any(|n| n.ends_with("-wal")), "the WAL was scanned: {scanned:?}");
    drop(held);
}

/// The tool that checks itself: a canary in the database is found.
#[test]
fn the_scan_finds_a_planted_canary() {
    let result = std::panic::catch_unwind(|| scan("test", b"xx zephyrquillname xx"));
    assert!(result.is_err());
}

/// With stderr a closed pipe, a failing command still exits 1 — never a panic (101).
#[test]
fn a_closed_stderr_is_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let (out_reader, out_writer) = std::io::pipe().unwrap();
    drop(out_reader);
    let missing = dir.path().join("missing.csv");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "visits", missing.to_str().unwrap()])
        .stdout(out_writer)
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "a closed stderr and stdout: the error is lost, not the exit code");
    let path = write_file(dir.path(), "v.csv", b"visit_id\n");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .arg("--data-dir")
        .arg(dir.path())
        .args(["import", "visits", path.to_str().unwrap()])
        .stderr(writer)
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(1), "a refused file with a closed stderr");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_steward"))
        .args(["import", "--no-such-flag"])
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(2), "a usage error stays 2");
}

fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}
