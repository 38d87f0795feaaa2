//! FHIR R4 Bulk Data NDJSON: Patient and Encounter resources, one per line (gzip is
//! decompressed on the way in).
//!
//! Only a few fields are read: the Patient's identifier of the configured system (the
//! employer's member id), and the Encounter's id, status, class, type, subject, period.start
//! and serviceProvider/location. Everything else — names, SSNs and other identifiers,
//! addresses, `display` texts, narratives — is never kept.
//!
//! - status `finished` is a completed visit; any other R4 status is kept as not completed,
//!   so a later `finished` (same id) replaces it and counts.
//! - class `AMB` (HL7 v3 ActCode) is in office, `VR` video — unless a type coding says
//!   remote_other (`remote_other`, `messaging`, `telephone`, `asynchronous`). Servers that
//!   code classes their own way (an Epic OID, HL7 v2 table 0004) are read through a saved
//!   mapping of `system|code` to a modality.
//! - the date is period.start as written, in its own offset: never shifted through UTC.
//! - the subject is `Patient/ID`, an absolute URL ending so (Bulk Data allows both), or
//!   either with `/_history/N`: all name the Patient `ID`.
//! - the clinic metro comes from the serviceProvider or location reference or display
//!   where it names one of our metros.
//!
//! Bulk Data exports put each resource type in its own file, so a Patient's link to its
//! member (both as keyed hashes) is kept with the account's data: an Encounter file finds
//! Patients sent in the same import or any earlier one.
//!
//! The file is refused when it is not NDJSON (a JSON array, a Bundle, pretty-printed
//! JSON), when it holds an R5 Encounter (an R5 status, `class` as a list, `actualPeriod`:
//! counting those as R4 would silently lose every visit), or when it has Patients and none
//! of them has an identifier of the member-id system (the refusal lists the systems they
//! do have). Other resource types are counted as ignored, by type. A line is rejected, with
//! the field and what was expected, for: invalid JSON; no resourceType or id; a field of
//! an unexpected shape; a Patient without the member-id identifier or with an empty one;
//! an Encounter with an unknown status, an unmapped class, no or a bad period.start, a
//! subject that is not a Patient, or — when applied — a Patient never linked.

use crate::csv_input::{DateFormat, Mapping, in_range, latest_event_date};
use crate::input::read_error;
use crate::pseudonym::Pseudonymizer;
use crate::reason::{Expected, Reason, SystemUri, Token, r4_resource_type};
use crate::records::Parsed;
use crate::report::{FileError, Tally};
use chrono::NaiveDate;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Read};
use std::sync::OnceLock;
use steward_domain::ledger::Visit;
use steward_domain::{MemberKey, Metro, Modality, VisitStatus};

/// The identifier system whose value is the member id, unless configured otherwise.
pub const DEFAULT_MEMBER_ID_SYSTEM: &str = "https://steward.example/fhir/member-id";

/// Encounter.status in R4 (4.0.1).
pub const R4_ENCOUNTER_STATUSES: &[&str] = &[
    "planned",
    "arrived",
    "triaged",
    "in-progress",
    "onleave",
    "finished",
    "cancelled",
    "entered-in-error",
    "unknown",
];
/// Encounter.status values R5 added: an Encounter with one is not R4.
const R5_ENCOUNTER_STATUSES: &[&str] = &["on-hold", "discharged", "completed", "discontinued"];
/// The systems of HL7 v3 ActCode, whose AMB and VR are read without a mapping.
const ACT_CODE_SYSTEMS: &[&str] =
    &["http://terminology.hl7.org/CodeSystem/v3-ActCode", "http://hl7.org/fhir/v3/ActCode"];
const REMOTE_CODES: &[&str] = &["remote_other", "messaging", "telephone", "asynchronous"];
/// The other classes of HL7 v3 ActCode: encounters, but not the primary-care visits Steward
/// counts (a hospital stay, an emergency visit), so they are ignored by class, not rejected.
const OTHER_ACT_CLASSES: &[(&str, &str)] = &[
    ("IMP", "Encounter of class IMP (inpatient)"),
    ("ACUTE", "Encounter of class ACUTE (inpatient acute)"),
    ("NONAC", "Encounter of class NONAC (inpatient non-acute)"),
    ("EMER", "Encounter of class EMER (emergency)"),
    ("HH", "Encounter of class HH (home health)"),
    ("FLD", "Encounter of class FLD (field)"),
    ("SS", "Encounter of class SS (short stay)"),
    ("OBSENC", "Encounter of class OBSENC (observation)"),
    ("PRENC", "Encounter of class PRENC (pre-admission)"),
];

/// The fields read; every other field is skipped by the parser without being kept.
#[derive(serde::Deserialize)]
struct Line {
    #[serde(rename = "resourceType")]
    resource_type: Option<Value>,
    id: Option<Value>,
    identifier: Option<Value>,
    status: Option<Value>,
    class: Option<Value>,
    #[serde(rename = "type")]
    kind: Option<Value>,
    subject: Option<Value>,
    period: Option<Value>,
    #[serde(rename = "actualPeriod")]
    actual_period: Option<serde::de::IgnoredAny>,
    #[serde(rename = "serviceProvider")]
    service_provider: Option<Value>,
    location: Option<Value>,
}

/// The metro a reference or its display names, if any.
pub fn metro_hint(text: &str) -> Option<Metro> {
    static NEEDLES: OnceLock<Vec<(String, Metro)>> = OnceLock::new();
    let needles = NEEDLES.get_or_init(|| {
        Metro::served()
            .iter()
            .flat_map(|m| {
                [m.as_str().to_owned(), m.as_str().replace('_', "-"), m.display_name().to_ascii_lowercase()]
                    .map(|n| (n, *m))
            })
            .collect()
    });
    let t = text.to_ascii_lowercase();
    needles.iter().find(|(n, _)| t.contains(n.as_str())).map(|(_, m)| *m)
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

/// A FHIR file, pseudonymized: Patient links, Patients rejected (by their line), and
/// Encounters.
#[derive(Debug, Default)]
pub struct FhirVisits {
    pub patients: Vec<(u64, MemberKey)>,
    pub rejected_patients: HashMap<u64, u64>,
    pub encounters: Vec<PendingVisit>,
}

impl FhirVisits {
    /// Links the Patients to `ledger`'s and turns each Encounter into a visit; encounters
    /// whose Patient is not linked come back as `(line, reason)`.
    pub fn resolve(
        self,
        ledger: &mut steward_domain::ledger::Ledger,
        member_id_system: &str,
    ) -> (Vec<Visit>, Vec<(u64, Reason)>) {
        ledger.link_patients(self.patients);
        let mut visits = Vec::with_capacity(self.encounters.len());
        let mut rejected = Vec::new();
        for e in self.encounters {
            match (ledger.patients.get(&e.patient), self.rejected_patients.get(&e.patient)) {
                (Some(member), _) => visits.push(Visit { member: *member, ..e.visit }),
                (None, Some(line)) => rejected.push((e.line, Reason::PatientRejected { line: *line })),
                (None, None) => {
                    rejected.push((e.line, Reason::PatientUnknown { system: SystemUri::of(member_id_system) }))
                }
            }
        }
        (visits, rejected)
    }
}

/// What the parser needs besides the bytes.
#[derive(Debug, Clone, Copy)]
pub struct FhirOptions<'a> {
    pub member_id_system: &'a str,
    pub mapping: Option<&'a Mapping>,
    /// The import's day: an encounter dated later has not happened.
    pub today: NaiveDate,
}

/// What the file's Patients had, for the refusal when none has the member-id system.
#[derive(Default)]
struct PatientSystems {
    patients: u64,
    with_member_id: u64,
    /// How many Patients have an identifier of each system.
    seen: BTreeMap<SystemUri, u64>,
    /// Patients without the member-id system, with the systems they have, by line.
    pending: Vec<(u64, Vec<SystemUri>)>,
}

pub fn parse<R: Read>(
    reader: R,
    account: &str,
    options: FhirOptions,
    keys: &Pseudonymizer,
) -> Result<Parsed<FhirVisits>, FileError> {
    let mut reader = crate::csv_input::utf8_reader(reader)?;
    let mut tally = Tally::default();
    let mut out = FhirVisits::default();
    let mut systems = PatientSystems::default();
    let mut buf = Vec::new();
    let mut line = 0u64;
    let mut first = true;
    loop {
        buf.clear();
        if reader.read_until(b'\n', &mut buf).map_err(|e| FileError::new(read_error(&e)))? == 0 {
            break;
        }
        line += 1;
        let text = std::str::from_utf8(&buf).map_err(|_| FileError::at(line, Reason::NotUtf8))?;
        let trimmed = text.trim();
        if trimmed.is_empty() {
            continue;
        }
        let parsed: Result<Line, serde_json::Error> = serde_json::from_str(trimmed);
        if std::mem::take(&mut first) {
            not_ndjson(trimmed, &parsed).map_or(Ok(()), |reason| Err(FileError::at(line, reason)))?;
        }
        let resource = match parsed {
            Ok(r) => r,
            // serde's message quotes the offending value, which may be an identifier.
            // A data error at an object's top level can only be a field named twice.
            Err(e) if e.is_data() && trimmed.starts_with('{') => {
                tally.reject(line, Reason::DuplicateField);
                continue;
            }
            Err(e) if e.is_data() => {
                tally.reject(line, Reason::NotAnObject);
                continue;
            }
            Err(e) => {
                tally.reject(line, Reason::InvalidJson { column: e.column() });
                continue;
            }
        };
        match read_resource(&resource, account, options, keys, line, &mut systems, &mut out) {
            Ok(Outcome::Accepted) => tally.accept(),
            Ok(Outcome::Ignored(what)) => tally.ignore(what),
            // Said once the whole file is read: only systems many Patients share are named.
            Ok(Outcome::Rejected(Reason::PatientWithoutMemberId { seen, .. })) => systems.pending.push((line, seen)),
            Ok(Outcome::Rejected(reason)) => tally.reject(line, reason),
            Err(refusal) => return Err(FileError::at(line, refusal)),
        }
    }
    if systems.patients > 0 && systems.with_member_id == 0 {
        // The systems many Patients share, most shared first: a value that appears on one
        // Patient only is no system, whatever its shape.
        let mut seen: Vec<(SystemUri, u64)> = systems.seen.into_iter().filter(|(_, n)| *n >= 2).collect();
        seen.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        seen.truncate(5);
        let system = SystemUri::of(options.member_id_system);
        return Err(FileError::new(Reason::NoMemberIdSystem { patients: systems.patients, system, seen }));
    }
    for (line, seen) in std::mem::take(&mut systems.pending) {
        let seen = seen.into_iter().filter(|s| systems.seen.get(s).is_some_and(|n| *n >= 2)).collect();
        tally.reject(line, Reason::PatientWithoutMemberId { system: SystemUri::of(options.member_id_system), seen });
    }
    tally.errors.sort_by_key(|e| e.line);
    if tally.accepted > 0 {
        tally.standard = Some("FHIR R4");
    }
    Ok(Parsed { data: out, tally })
}

/// Why a file whose first line is `text` is not NDJSON at all, if it is not.
fn not_ndjson(text: &str, parsed: &Result<Line, serde_json::Error>) -> Option<Reason> {
    if text.starts_with('[') {
        return Some(Reason::JsonArray);
    }
    match parsed {
        Ok(line) if line.resource_type.as_ref().and_then(Value::as_str) == Some("Bundle") => Some(Reason::FhirBundle),
        // An object that does not close on its line: JSON written over several lines.
        Err(e) if text.starts_with('{') && e.is_eof() => Some(Reason::PrettyPrintedJson),
        _ => None,
    }
}

enum Outcome {
    Accepted,
    Ignored(&'static str),
    Rejected(Reason),
}

fn shape(field: &'static str, expected: &'static str) -> Reason {
    Reason::UnexpectedShape { field, expected }
}

/// A string field: `None` when absent or null, a rejection naming `field` when of another
/// shape.
fn string<'v>(
    value: Option<&'v Value>,
    field: &'static str,
    expected: &'static str,
) -> Result<Option<&'v str>, Reason> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(shape(field, expected)),
    }
}

/// An object field: `None` when absent or null, a rejection when of another shape.
fn object<'v>(
    value: Option<&'v Value>,
    field: &'static str,
    expected: &'static str,
) -> Result<Option<&'v serde_json::Map<String, Value>>, Reason> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(map)) => Ok(Some(map)),
        Some(_) => Err(shape(field, expected)),
    }
}

fn read_resource(
    r: &Line,
    account: &str,
    options: FhirOptions,
    keys: &Pseudonymizer,
    line: u64,
    systems: &mut PatientSystems,
    out: &mut FhirVisits,
) -> Result<Outcome, Reason> {
    let kind = match string(r.resource_type.as_ref(), "resourceType", "a string") {
        Ok(Some(kind)) => kind,
        Ok(None) => return Ok(Outcome::Rejected(Reason::FieldMissing { field: "resourceType" })),
        Err(reason) => return Ok(Outcome::Rejected(reason)),
    };
    if !matches!(kind, "Patient" | "Encounter") {
        return Ok(match r4_resource_type(kind) {
            Some("Bundle") => Outcome::Rejected(Reason::FhirBundle),
            Some(known) => Outcome::Ignored(known),
            None => Outcome::Ignored("other (not an R4 resource type)"),
        });
    }
    if kind == "Encounter"
        && let Some(signal) = r5_signal(r)
    {
        return Err(Reason::NotR4 { resource: "Encounter", signal });
    }
    let id = match string(r.id.as_ref(), "id", "a string") {
        Ok(Some(id)) if !id.is_empty() => id,
        Ok(_) => return Ok(Outcome::Rejected(Reason::FieldMissing { field: "id" })),
        Err(reason) => return Ok(Outcome::Rejected(reason)),
    };
    let outcome = if kind == "Patient" {
        patient(r, account, options, keys, systems).map(|member| {
            out.patients.push((keys.record(account, b'p', id), member));
        })
    } else {
        let modality = match class_of(r, options.mapping) {
            Ok(Class::Visit(modality)) => modality,
            Ok(Class::NotAVisit(what)) => return Ok(Outcome::Ignored(what)),
            Err(reason) => return Ok(Outcome::Rejected(reason)),
        };
        encounter(r, keys.record(account, b'v', id), options, modality).map(|(patient, visit)| {
            out.encounters.push(PendingVisit { line, patient: keys.record(account, b'p', patient), visit });
        })
    };
    Ok(match outcome {
        Ok(()) => Outcome::Accepted,
        Err(reason) => {
            if kind == "Patient" {
                out.rejected_patients.insert(keys.record(account, b'p', id), line);
            }
            Outcome::Rejected(reason)
        }
    })
}

/// What marks an Encounter as R5 rather than R4, if anything does.
fn r5_signal(r: &Line) -> Option<&'static str> {
    if let Some(Value::String(status)) = &r.status
        && let Some(s) = R5_ENCOUNTER_STATUSES.iter().find(|s| *s == status)
    {
        return Some(match *s {
            "on-hold" => "status on-hold",
            "discharged" => "status discharged",
            "completed" => "status completed",
            _ => "status discontinued",
        });
    }
    if matches!(r.class, Some(Value::Array(_))) {
        return Some("class is a list");
    }
    r.actual_period.is_some().then_some("it has actualPeriod")
}

fn patient(
    r: &Line,
    account: &str,
    options: FhirOptions,
    keys: &Pseudonymizer,
    systems: &mut PatientSystems,
) -> Result<MemberKey, Reason> {
    systems.patients += 1;
    let identifiers = match &r.identifier {
        None | Some(Value::Null) => &[][..],
        Some(Value::Array(list)) => list.as_slice(),
        Some(_) => return Err(shape("identifier", "a list of identifiers")),
    };
    let mut seen = Vec::new();
    for identifier in identifiers {
        let Value::Object(identifier) = identifier else { return Err(shape("identifier", "a list of identifiers")) };
        let system = string(identifier.get("system"), "identifier.system", "a string")?;
        if system == Some(options.member_id_system) {
            systems.with_member_id += 1;
            return match identifier.get("value") {
                Some(Value::String(v)) if !v.trim().is_empty() => Ok(keys.member(account, v)),
                Some(Value::String(_)) | None | Some(Value::Null) => {
                    Err(Reason::FieldEmpty { field: "the member-id identifier's value" })
                }
                Some(_) => Err(shape("identifier.value", "a string")),
            };
        }
        if let Some(system) = system.map(SystemUri::of)
            && !seen.contains(&system)
        {
            *systems.seen.entry(system.clone()).or_default() += 1;
            seen.push(system);
        }
    }
    Err(Reason::PatientWithoutMemberId { system: SystemUri::of(options.member_id_system), seen })
}

/// The Patient id a subject reference names: `Patient/ID`, a URL ending `/Patient/ID`, or
/// either with `/_history/N`.
fn patient_id(reference: &str) -> Option<&str> {
    let reference = reference.split_once("/_history/").map_or(reference, |(r, _)| r);
    let mut parts = reference.rsplit('/');
    let id = parts.next().filter(|id| !id.is_empty() && !id.contains(['?', '#', ':']))?;
    (parts.next() == Some("Patient")).then_some(id)
}

fn encounter<'r>(r: &'r Line, key: u64, options: FhirOptions, modality: Modality) -> Result<(&'r str, Visit), Reason> {
    let status = string(r.status.as_ref(), "status", "a string")?.ok_or(Reason::FieldMissing { field: "status" })?;
    if !R4_ENCOUNTER_STATUSES.contains(&status) {
        return Err(Reason::UnknownValue { field: "status", expected: Expected::EncounterStatus });
    }
    let period = object(r.period.as_ref(), "period", "an object")?;
    let start = period.map(|p| string(p.get("start"), "period.start", "a date or dateTime string")).transpose()?;
    let start = start.flatten().ok_or(Reason::FieldMissing { field: "period.start" })?;
    let date = start.get(..10).and_then(|d| DateFormat::Iso.parse(d)).ok_or(Reason::BadDate {
        field: "period.start",
        format: "YYYY-MM-DD (a full date)",
        looks_like: None,
    })?;
    let date = in_range(date, "period.start", latest_event_date(options.today))?;
    let status = if status == "finished" { VisitStatus::Completed } else { VisitStatus::Cancelled };
    let subject = object(r.subject.as_ref(), "subject", "a Reference object")?;
    let reference = subject.map(|s| string(s.get("reference"), "subject.reference", "a string")).transpose()?;
    let patient = reference.flatten().and_then(patient_id).ok_or(Reason::SubjectNotPatient)?;
    let visit = Visit { key, member: MemberKey(0), date, modality, status, clinic_metro: metro(r) };
    Ok((patient, visit))
}

/// What an encounter's class makes it.
enum Class {
    Visit(Modality),
    /// Another kind of encounter (a hospital stay, say), ignored under this label.
    NotAVisit(&'static str),
}

/// The encounter's modality from its class (through the mapping first) and type.
fn class_of(r: &Line, mapping: Option<&Mapping>) -> Result<Class, Reason> {
    let class = object(r.class.as_ref(), "class", "a Coding object")?.ok_or(Reason::FieldMissing { field: "class" })?;
    let system = string(class.get("system"), "class.system", "a string")?;
    let code = string(class.get("code"), "class.code", "a string")?.unwrap_or("");
    if let Some(mapped) = mapping.and_then(|m| m.classes.get(&format!("{}|{code}", system.unwrap_or("")))) {
        return Ok(Class::Visit(*mapped));
    }
    let remote = r
        .kind
        .as_ref()
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|concept| concept.get("coding").and_then(Value::as_array))
        .flatten()
        .any(|c| c.get("code").and_then(Value::as_str).is_some_and(|code| REMOTE_CODES.contains(&code)));
    let act_code = system.is_none_or(|s| ACT_CODE_SYSTEMS.contains(&s));
    match (act_code, code, remote) {
        (true, "AMB", _) => Ok(Class::Visit(Modality::InOffice)),
        (true, "VR", true) => Ok(Class::Visit(Modality::RemoteOther)),
        (true, "VR", false) => Ok(Class::Visit(Modality::Video)),
        (true, code, _) => match OTHER_ACT_CLASSES.iter().find(|(c, _)| *c == code) {
            Some((_, what)) => Ok(Class::NotAVisit(what)),
            None => Err(Reason::UnmappedClass { system: system.map(SystemUri::of), code: Token::of(code) }),
        },
        _ => Err(Reason::UnmappedClass { system: system.map(SystemUri::of), code: Token::of(code) }),
    }
}

/// The clinic metro a serviceProvider or location names, if any; an odd shape names none.
fn metro(r: &Line) -> Option<Metro> {
    let locations =
        r.location.as_ref().and_then(Value::as_array).into_iter().flatten().filter_map(|l| l.get("location"));
    r.service_provider
        .iter()
        .chain(locations)
        .flat_map(|reference| ["reference", "display"].map(|k| reference.get(k).and_then(Value::as_str)))
        .flatten()
        .find_map(metro_hint)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_references_in_every_form_name_the_patient() {
        for (reference, id) in [
            ("Patient/85", Some("85")),
            ("https://server.example/fhir/Patient/85", Some("85")),
            ("Patient/85/_history/2", Some("85")),
            ("https://server.example/fhir/Patient/85/_history/2", Some("85")),
            ("Group/85", None),
            ("urn:uuid:3f0e3b7e-4c1e-4f4f-9b7b-8c1d1f2b6a11", None),
            ("Patient?identifier=123", None),
            ("Patient/", None),
        ] {
            assert_eq!(patient_id(reference), id, "{reference}");
        }
    }

    #[test]
    fn metros_are_found_in_references_and_displays() {
        assert_eq!(metro_hint("Organization/clinic-san-diego-1"), Some(Metro::SanDiego));
        assert_eq!(metro_hint("Our SF Bay Area office"), None);
        assert_eq!(metro_hint("Location/nowhere"), None);
    }
}
