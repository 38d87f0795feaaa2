//! FHIR R4 Bulk Data NDJSON: Patient and Encounter resources, one per line.
//!
//! Only a few fields are read: the Patient's identifier of the configured system (the
//! employer's member id), and the Encounter's id, status, class, type, subject, period.start
//! and serviceProvider/location. Everything else — names, SSNs and other identifiers,
//! addresses, `display` texts, narratives — is skipped by the parser and never held.
//!
//! - status `finished` is a completed visit; any other status is kept as not completed,
//!   so a later `finished` (same id) replaces it and counts.
//! - class `AMB` is in office, `VR` video — unless a type coding says remote_other
//!   (codes `remote_other`, `messaging`, `telephone`, `asynchronous`).
//! - the date is period.start as written, in its own offset: never shifted through UTC.
//! - the clinic metro comes from the serviceProvider or location reference or display
//!   where it names one of our metros.
//!
//! A line is rejected for: invalid JSON, a resource without an id, an encounter without a
//! date or with another class, a subject that is not a Patient of this file or a Patient
//! without a member id of the configured system. Other resource types are skipped.

use crate::pseudonym::Pseudonymizer;
use crate::records::{Parsed, Visits};
use crate::report::{FileError, Tally};
use std::collections::HashMap;
use std::io::{BufRead, Read};
use steward_domain::ledger::Visit;
use steward_domain::{Metro, Modality, VisitStatus};

/// The identifier system whose value is the member id, unless configured otherwise.
pub const DEFAULT_MEMBER_ID_SYSTEM: &str = "https://steward.example/fhir/member-id";

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    resource_type: String,
    id: Option<String>,
    #[serde(default)]
    identifier: Vec<Identifier>,
    status: Option<String>,
    class: Option<Coding>,
    #[serde(default, rename = "type")]
    kind: Vec<Concept>,
    subject: Option<Reference>,
    period: Option<Period>,
    service_provider: Option<Reference>,
    #[serde(default)]
    location: Vec<LocationRef>,
}

#[derive(serde::Deserialize)]
struct Identifier {
    system: Option<String>,
    value: Option<String>,
}

#[derive(serde::Deserialize)]
struct Coding {
    code: Option<String>,
}

#[derive(serde::Deserialize)]
struct Concept {
    #[serde(default)]
    coding: Vec<Coding>,
}

/// `display` is read only to find a metro name and then dropped with the resource.
#[derive(serde::Deserialize)]
struct Reference {
    reference: Option<String>,
    display: Option<String>,
}

#[derive(serde::Deserialize)]
struct LocationRef {
    location: Option<Reference>,
}

#[derive(serde::Deserialize)]
struct Period {
    start: Option<String>,
}

const REMOTE_CODES: &[&str] = &["remote_other", "messaging", "telephone", "asynchronous"];

/// The metro a reference or its display names, if any.
pub fn metro_hint(text: &str) -> Option<Metro> {
    let t = text.to_ascii_lowercase();
    Metro::served().iter().copied().find(|m| {
        let code = m.as_str();
        t.contains(code) || t.contains(&code.replace('_', "-")) || t.contains(&m.display_name().to_ascii_lowercase())
    })
}

struct Pending {
    line: u64,
    id: String,
    patient: String,
    date: chrono::NaiveDate,
    modality: Modality,
    status: VisitStatus,
    metro: Option<Metro>,
}

pub fn parse<R: Read>(
    reader: R,
    account: &str,
    member_id_system: &str,
    keys: &Pseudonymizer,
) -> Result<Parsed<Visits>, FileError> {
    let mut reader = crate::csv_input::utf8_reader(reader)?;
    let mut tally = Tally::default();
    let mut patients: HashMap<String, Option<String>> = HashMap::new();
    let mut encounters: Vec<Pending> = Vec::new();
    let mut buf = Vec::new();
    let mut line = 0u64;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(|e| FileError::new(format!("cannot read the file: {e}")))? == 0 {
            break;
        }
        line += 1;
        let text =
            std::str::from_utf8(&buf).map_err(|_| FileError::at(line, "the file is not UTF-8; save it as UTF-8"))?;
        if text.trim().is_empty() {
            continue;
        }
        let resource: Resource = match serde_json::from_str(text) {
            Ok(r) => r,
            // serde's message quotes the offending value, which may be an identifier.
            Err(e) => {
                tally.reject(line, format!("not a FHIR resource: invalid JSON at column {}", e.column()));
                continue;
            }
        };
        let Some(id) = resource.id.clone().filter(|i| !i.is_empty()) else {
            tally.reject(line, format!("{} without an id", resource.resource_type));
            continue;
        };
        match resource.resource_type.as_str() {
            "Patient" => {
                let member = resource
                    .identifier
                    .iter()
                    .find(|i| i.system.as_deref() == Some(member_id_system))
                    .and_then(|i| i.value.clone());
                patients.insert(id, member);
                tally.skip();
            }
            "Encounter" => match encounter(&resource, id, line) {
                Ok(p) => {
                    encounters.push(p);
                    tally.accept();
                }
                Err(e) => tally.reject(line, e),
            },
            _ => tally.skip(),
        }
    }
    let mut out = Visits::default();
    let account_index = out.account(account);
    for e in encounters {
        let member = match patients.get(&e.patient) {
            Some(Some(member)) => member,
            Some(None) => {
                tally.retract(e.line, format!("the encounter's Patient has no identifier of system {member_id_system}"));
                continue;
            }
            None => {
                tally.retract(e.line, "the encounter's subject is not a Patient in this file");
                continue;
            }
        };
        out.rows.push((
            account_index,
            Visit {
                key: keys.record(account, b'v', &e.id),
                member: keys.member(account, member),
                date: e.date,
                modality: e.modality,
                status: e.status,
                clinic_metro: e.metro,
            },
        ));
    }
    Ok(Parsed { data: out, tally })
}

fn encounter(r: &Resource, id: String, line: u64) -> Result<Pending, String> {
    let start = r.period.as_ref().and_then(|p| p.start.as_deref()).ok_or("Encounter without period.start")?;
    let date = start
        .get(..10)
        .and_then(|d| crate::csv_input::DateFormat::Iso.parse(d))
        .ok_or_else(|| format!("period.start {start:?} is not a date"))?;
    let class = r.class.as_ref().and_then(|c| c.code.as_deref()).unwrap_or("");
    let remote = r
        .kind
        .iter()
        .flat_map(|k| &k.coding)
        .any(|c| c.code.as_deref().is_some_and(|code| REMOTE_CODES.contains(&code)));
    let modality = match (class, remote) {
        ("AMB", _) => Modality::InOffice,
        ("VR", true) => Modality::RemoteOther,
        ("VR", false) => Modality::Video,
        _ => return Err("encounter class is neither ambulatory (AMB) nor virtual (VR)".into()),
    };
    let status = match r.status.as_deref() {
        Some("finished") => VisitStatus::Completed,
        _ => VisitStatus::Cancelled,
    };
    let patient = r
        .subject
        .as_ref()
        .and_then(|s| s.reference.as_deref())
        .and_then(|s| s.strip_prefix("Patient/"))
        .ok_or("Encounter whose subject is not a Patient reference")?
        .to_owned();
    let places = r.service_provider.iter().chain(r.location.iter().filter_map(|l| l.location.as_ref()));
    let metro = places.flat_map(|p| [p.reference.as_deref(), p.display.as_deref()]).flatten().find_map(metro_hint);
    Ok(Pending { line, id, patient, date, modality, status, metro })
}
