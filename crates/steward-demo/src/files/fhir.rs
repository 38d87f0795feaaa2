//! FHIR R4 Bulk Data NDJSON: the Patients seen, then their Encounters. Real exports carry
//! names, SSNs, addresses and narrative text, so these do too — Steward must drop them.

use crate::plan::AccountPlan;
use crate::population::{Modality, Population, VisitStatus};
use serde_json::json;
use steward_domain::Metro;

/// The identifier system whose value is the employer's member id.
pub const MEMBER_ID_SYSTEM: &str = "https://steward.example/fhir/member-id";

fn offset(metro: Metro) -> &'static str {
    match metro {
        Metro::Boston | Metro::NewYork | Metro::WashingtonDc => "-05:00",
        Metro::Chicago => "-06:00",
        Metro::Phoenix => "-07:00",
        _ => "-08:00",
    }
}

pub fn render(plan: &AccountPlan, pop: &Population) -> Vec<u8> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for v in &pop.visits {
        let patient = patient_id(plan, v.person, pop.member_id(v));
        if !seen.insert(patient.clone()) {
            continue;
        }
        let mut resource = json!({
            "resourceType": "Patient",
            "id": patient,
            "identifier": [
                {"system": MEMBER_ID_SYSTEM, "value": pop.member_id(v)},
                {"system": "http://hl7.org/fhir/sid/us-ssn", "value": format!("9{:02}-{:02}-{:04}", v.seq % 100, (v.seq / 7) % 100, v.seq % 10_000)}
            ]
        });
        if let Some(p) = v.person.map(|i| &pop.people[i as usize]) {
            resource["name"] = json!([{"family": p.last_name, "given": [p.first_name]}]);
            resource["gender"] = json!(if p.sex == b'F' { "female" } else { "male" });
            resource["birthDate"] = json!(p.birth_date.to_string());
            resource["address"] = json!([{"line": [p.street], "postalCode": p.zip}]);
        }
        serde_json::to_writer(&mut out, &resource).expect("JSON to memory");
        out.push(b'\n');
    }
    for v in &pop.visits {
        let home = v.person.map_or(Metro::Other, |i| plan.worksite_metros[pop.people[i as usize].worksite]);
        let start = format!("{}T{:02}:{:02}:00{}", v.date, v.minute / 60, v.minute % 60, offset(home));
        let class = if v.modality == Modality::InOffice { "AMB" } else { "VR" };
        let display = v.person.map_or_else(
            || "Unknown patient".to_owned(),
            |i| {
                let p = &pop.people[i as usize];
                format!("{} {}", p.first_name, p.last_name)
            },
        );
        let mut resource = json!({
            "resourceType": "Encounter",
            "id": format!("enc-{}-{}", plan.index, v.seq),
            "status": if v.status == VisitStatus::Completed { "finished" } else { "cancelled" },
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": class},
            "subject": {"reference": format!("Patient/{}", patient_id(plan, v.person, pop.member_id(v))), "display": display},
            "period": {"start": start},
            "serviceProvider": {"reference": format!("Organization/clinic-{}", v.metro.as_str())},
            "text": {"status": "generated", "div": format!("<div xmlns=\"http://www.w3.org/1999/xhtml\">Visit for {display}</div>")}
        });
        if v.modality == Modality::RemoteOther {
            resource["type"] =
                json!([{"coding": [{"system": "https://steward.example/fhir/modality", "code": "remote_other"}]}]);
        }
        serde_json::to_writer(&mut out, &resource).expect("JSON to memory");
        out.push(b'\n');
    }
    out
}

fn patient_id(plan: &AccountPlan, person: Option<u32>, member_id: &str) -> String {
    match person {
        Some(i) => format!("pt-{}-{i}", plan.index),
        None => format!("pt-{}-x{member_id}", plan.index),
    }
}
