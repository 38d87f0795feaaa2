//! Who each 834 member loop is: the member id, formed so that two people never become one.
//!
//! - A subscriber (INS01 = Y) is their REF*0F.
//! - A dependent is, in this order: the REF with the dependent qualifier (default 23);
//!   their own REF*0F when it differs from the REF*0F of the subscriber whose family they
//!   follow (a common deviation: the sender put the dependent's own id there); the
//!   subscriber id, a hyphen and INS17 (01, 02, …); else the subscriber id, a hyphen and the
//!   dependent's position in the family (formed — reliable only when the whole family is
//!   sent).
//! - A family is a subscriber loop and the dependent loops after it in the same transaction
//!   set; dependents sent without their subscriber form a family per REF*0F.
//!
//! Ids Steward forms (INS17, position) or reads against the standard (a dependent's own
//! REF*0F) can name someone else: two loops that resolve to one id are both rejected when
//! either id was formed within one family or their relationships differ (employee against
//! dependent, spouse against child), and at apply time such an id is rejected when the
//! person on file under it has another relationship.

use super::loops::MemberLoop;
use crate::pseudonym::Pseudonymizer;
use crate::reason::{IdMethod, Reason};
use crate::records::IdCheck;
use std::collections::HashMap;
use steward_domain::ledger::Ledger;
use steward_domain::{MemberKey, Relationship};

/// A loop's member: its key and how the id was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub key: MemberKey,
    pub method: IdMethod,
}

/// Whether two relationships can be one person's (an `other` can be any dependent).
pub fn same_kind(a: Relationship, b: Relationship) -> bool {
    use Relationship::*;
    match (a, b) {
        (Employee, Employee) => true,
        (Employee, _) | (_, Employee) => false,
        (Other, _) | (_, Other) => true,
        (a, b) => a == b,
    }
}

/// Resolves every loop's member, in order; loops whose ids collide come back rejected,
/// each naming the other's segment.
pub fn resolve(loops: &[MemberLoop], account: &str, keys: &Pseudonymizer) -> Vec<Result<Resolved, Reason>> {
    let mut out = Vec::with_capacity(loops.len());
    // (set, family number, the family subscriber's REF*0F, a subscriber loop heads it)
    let mut current: Option<(u32, u32, String)> = None;
    let mut headless: HashMap<(u32, String), u32> = HashMap::new();
    let mut families = 0u32;
    let mut positions: HashMap<u32, u32> = HashMap::new();
    let mut family_of = Vec::with_capacity(loops.len());
    for m in loops {
        if m.subscriber_id.is_empty() {
            out.push(Err(Reason::NoSubscriberId));
            family_of.push(u32::MAX);
            continue;
        }
        if m.subscriber {
            families += 1;
            current = Some((m.set, families, m.subscriber_id.clone()));
            family_of.push(families);
            out.push(Ok(Resolved { key: keys.member(account, &m.subscriber_id), method: IdMethod::Subscriber }));
            continue;
        }
        let (family, head) = match &current {
            Some((set, family, head)) if *set == m.set => (*family, Some(head.as_str())),
            _ => {
                let next = families + 1;
                let family = *headless.entry((m.set, m.subscriber_id.clone())).or_insert(next);
                families = families.max(family);
                (family, None)
            }
        };
        family_of.push(family);
        let position = positions.entry(family).or_insert(0);
        *position += 1;
        let ins17 = m.ins17.parse::<u32>().ok().filter(|n| *n >= 1);
        let (id, method) = if !m.dependent_id.is_empty() {
            (m.dependent_id.clone(), IdMethod::DependentRef)
        } else if head.is_some_and(|h| h != m.subscriber_id) {
            (m.subscriber_id.clone(), IdMethod::OwnRef0F)
        } else if let Some(n) = ins17 {
            (format!("{}-{n:02}", m.subscriber_id), IdMethod::Ins17)
        } else {
            (format!("{}-{:02}", m.subscriber_id, *position), IdMethod::Position)
        };
        out.push(Ok(Resolved { key: keys.member(account, &id), method }));
    }
    reject_collisions(loops, &family_of, &mut out);
    out
}

fn reject_collisions(loops: &[MemberLoop], family_of: &[u32], out: &mut [Result<Resolved, Reason>]) {
    let mut by_key: HashMap<MemberKey, Vec<usize>> = HashMap::new();
    for (i, r) in out.iter().enumerate() {
        if let Ok(r) = r {
            by_key.entry(r.key).or_default().push(i);
        }
    }
    let relationship = |i: usize| Relationship::parse_any(&loops[i].relationship);
    let mut rejected: Vec<(usize, Reason)> = Vec::new();
    for indexes in by_key.values().filter(|v| v.len() > 1) {
        for (n, &a) in indexes.iter().enumerate() {
            for &b in &indexes[n + 1..] {
                let (Ok(ra), Ok(rb)) = (&out[a], &out[b]) else { continue };
                let formed = ra.method.formed() || rb.method.formed();
                let kinds = match (relationship(a), relationship(b)) {
                    (Some(x), Some(y)) => same_kind(x, y),
                    _ => true,
                };
                if (formed && family_of[a] == family_of[b]) || !kinds {
                    let method =
                        if rb.method.formed() || rb.method == IdMethod::OwnRef0F { rb.method } else { ra.method };
                    rejected.push((a, Reason::IdCollision { other: loops[b].segment, method }));
                    rejected.push((b, Reason::IdCollision { other: loops[a].segment, method }));
                }
            }
        }
    }
    for (i, reason) in rejected {
        if out[i].is_ok() {
            out[i] = Err(reason);
        }
    }
}

/// The checks of ids Steward formed or read against the standard, against the people on
/// file: each id held by someone of another relationship, with its segment.
pub fn held_by_another(ledger: &Ledger, checks: &[IdCheck]) -> Vec<(u64, MemberKey, Reason)> {
    checks
        .iter()
        .filter(|c| ledger.people.get(&c.key).is_some_and(|p| !same_kind(p.relationship, c.relationship)))
        .map(|c| (c.segment, c.key, Reason::IdHeldByAnother { method: c.method }))
        .collect()
}
