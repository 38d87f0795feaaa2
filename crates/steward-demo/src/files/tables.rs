//! The CSV feeds that carry an `account` column, shared by every account in one file:
//! memberships, visits and survey responses.

use super::{push_date, push_u64};
use crate::plan::AccountPlan;
use crate::population::Population;

pub const MEMBERSHIPS_HEADER: &str = "account,member_id,membership_start,membership_end\n";
pub const VISITS_HEADER: &str = "account,visit_id,member_id,visit_date,modality,metro,status\n";
/// The canonical survey layout plus the free-text comment real survey tools export,
/// which Steward never stores.
pub const SURVEYS_HEADER: &str = "account,response_id,member_id,response_date,score,comment\n";

pub fn memberships(plan: &AccountPlan, pop: &Population, out: &mut Vec<u8>) {
    for p in &pop.people {
        for m in &p.memberships {
            out.extend_from_slice(plan.slug.as_str().as_bytes());
            out.push(b',');
            out.extend_from_slice(p.member_id.as_bytes());
            out.push(b',');
            push_date(out, m.start);
            out.push(b',');
            if let Some(end) = m.end {
                push_date(out, end);
            }
            out.push(b'\n');
        }
    }
}

/// A visit id unique across the book: the account's number and the visit's.
pub fn visit_id(plan: &AccountPlan, seq: u32, out: &mut Vec<u8>) {
    out.push(b'V');
    push_u64(out, plan.index as u64 * 10_000_000 + seq as u64);
}

pub fn visits(plan: &AccountPlan, pop: &Population, out: &mut Vec<u8>) {
    for v in &pop.visits {
        out.extend_from_slice(plan.slug.as_str().as_bytes());
        out.push(b',');
        visit_id(plan, v.seq, out);
        out.push(b',');
        out.extend_from_slice(pop.member_id(v).as_bytes());
        out.push(b',');
        push_date(out, v.date);
        out.push(b',');
        out.extend_from_slice(v.modality.as_str().as_bytes());
        out.push(b',');
        out.extend_from_slice(v.metro.as_str().as_bytes());
        out.push(b',');
        out.extend_from_slice(v.status.as_str().as_bytes());
        out.push(b'\n');
    }
}

pub fn surveys(plan: &AccountPlan, pop: &Population, out: &mut Vec<u8>) {
    for s in &pop.surveys {
        out.extend_from_slice(plan.slug.as_str().as_bytes());
        out.extend_from_slice(b",S");
        push_u64(out, plan.index as u64 * 10_000_000 + s.seq as u64);
        out.push(b',');
        if let Some(p) = s.person {
            out.extend_from_slice(pop.people[p as usize].member_id.as_bytes());
        }
        out.push(b',');
        push_date(out, s.date);
        out.push(b',');
        push_u64(out, s.score as u64);
        out.push(b',');
        if let Some(comment) = s.comment {
            out.push(b'"');
            out.extend_from_slice(comment.replace('"', "\"\"").as_bytes());
            out.push(b'"');
        }
        out.push(b'\n');
    }
}
