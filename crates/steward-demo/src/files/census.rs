//! Census CSV in the canonical layout: one row per person and coverage span, with the
//! personal details a real employer file carries (which Steward must drop at the door).

use super::push_date;
use crate::plan::AccountPlan;
use crate::population::{Population, Relationship};

pub const HEADER: &str =
    "member_id,relationship,first_name,last_name,birth_date,sex,zip,worksite,coverage_start,coverage_end\n";

pub fn render(plan: &AccountPlan, pop: &Population) -> Vec<u8> {
    let mut out = Vec::with_capacity(pop.people.len() * 96 + HEADER.len());
    out.extend_from_slice(HEADER.as_bytes());
    for p in &pop.people {
        for span in &p.spans {
            out.extend_from_slice(p.member_id.as_bytes());
            out.extend_from_slice(match p.relationship {
                Relationship::Employee => b",employee,",
                Relationship::Spouse => b",spouse,",
                Relationship::Child => b",child,",
            });
            out.extend_from_slice(p.first_name.as_bytes());
            out.push(b',');
            out.extend_from_slice(p.last_name.as_bytes());
            out.push(b',');
            push_date(&mut out, p.birth_date);
            out.push(b',');
            out.push(p.sex);
            out.push(b',');
            out.extend_from_slice(p.zip.as_bytes());
            out.push(b',');
            out.extend_from_slice(plan.worksite_names[p.worksite].as_bytes());
            out.push(b',');
            push_date(&mut out, span.start);
            out.push(b',');
            if let Some(end) = span.end {
                push_date(&mut out, end);
            }
            out.push(b'\n');
        }
    }
    out
}
