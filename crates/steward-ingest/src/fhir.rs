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
//! Bulk Data exports put each resource type in its own file, so a Patient's link to its
//! member (both as keyed hashes) is kept with the account's data: an Encounter file finds
//! Patients sent in the same import or any earlier one.
//!
//! A line is rejected for: invalid JSON, a resource without an id, an encounter without a
//! date or with another class, a subject that is not a Patient reference, or — when the
//! import is applied — a Patient never sent, or sent without a member id of the configured
//! system. Other resource types are skipped. Messages never quote the line's values.

use crate::pseudonym::Pseudonymizer;
use crate::records::Parsed;
use crate::report::{FileError, Tally};
use std::io::{BufRead, Read};
use steward_domain::ledger::Visit;
use steward_domain::{MemberKey, Metro, Modality, VisitStatus};

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

/// An Encounter whose Patient is resolved when the import is applied to the account.
#[derive(Debug, Clone)]
pub struct PendingVisit {
    pub line: u64,
    /// Keyed hash of the subject's Patient id.
    pub patient: u64,
    /// The visit, its `member` still unset.
    pub visit: Visit,
}

/// A FHIR file, pseudonymized: Patient links (`None`: no member id of the configured
/// system) and Encounters.
#[derive(Debug, Default)]
pub struct FhirVisits {
    pub patients: Vec<(u64, Option<MemberKey>)>,
    pub encounters: Vec<PendingVisit>,
}

impl FhirVisits {
    /// Links the Patients to `ledger`'s and turns each Encounter into a visit; encounters
    /// whose Patient is unknown, or has no member id, come back as `(line, reason)`.
    pub fn resolve(
        self,
        ledger: &mut steward_domain::ledger::Ledger,
        member_id_system: &str,
    ) -> (Vec<Visit>, Vec<(u64, String)>) {
        let without_member: std::collections::HashSet<u64> =
            self.patients.iter().filter(|(_, m)| m.is_none()).map(|(p, _)| *p).collect();
        ledger.link_patients(self.patients.into_iter().filter_map(|(p, m)| m.map(|m| (p, m))));
        let mut visits = Vec::with_capacity(self.encounters.len());
        let mut rejected = Vec::new();
        for e in self.encounters {
            match ledger.patients.get(&e.patient) {
                Some(member) if !without_member.contains(&e.patient) => {
                    visits.push(Visit { member: *member, ..e.visit })
                }
                _ if without_member.contains(&e.patient) => rejected
                    .push((e.line, format!("the encounter's Patient has no identifier of system {member_id_system}"))),
                _ => rejected
                    .push((e.line, "the encounter's subject is not a Patient of this import or an earlier one".into())),
            }
        }
        (visits, rejected)
    }
}

pub fn parse<R: Read>(
    reader: R,
    account: &str,
    member_id_system: &str,
    keys: &Pseudonymizer,
) -> Result<Parsed<FhirVisits>, FileError> {
    let mut reader = crate::csv_input::utf8_reader(reader)?;
    let mut tally = Tally::default();
    let mut out = FhirVisits::default();
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
        let Some(id) = resource.id.as_deref().filter(|i| !i.is_empty()) else {
            tally.reject(line, "a resource without an id");
            continue;
        };
        match resource.resource_type.as_str() {
            "Patient" => {
                let member = resource
                    .identifier
                    .iter()
                    .find(|i| i.system.as_deref() == Some(member_id_system))
                    .and_then(|i| i.value.as_deref())
                    .map(|m| keys.member(account, m));
                out.patients.push((keys.record(account, b'p', id), member));
                tally.skip();
            }
            "Encounter" => match encounter(&resource, keys.record(account, b'v', id)) {
                Ok((patient, visit)) => {
                    out.encounters.push(PendingVisit { line, patient: keys.record(account, b'p', &patient), visit });
                    tally.accept();
                }
                Err(e) => tally.reject(line, e),
            },
            _ => tally.skip(),
        }
    }
    Ok(Parsed { data: out, tally })
}

fn encounter(r: &Resource, key: u64) -> Result<(String, Visit), String> {
    let start = r.period.as_ref().and_then(|p| p.start.as_deref()).ok_or("Encounter without period.start")?;
    let date =
        start.get(..10).and_then(|d| crate::csv_input::DateFormat::Iso.parse(d)).ok_or("period.start is not a date")?;
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
    let visit = Visit { key, member: MemberKey(0), date, modality, status, clinic_metro: metro };
    Ok((patient, visit))
}
