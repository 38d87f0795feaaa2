//! Who each 834 member loop is: the member id, formed so that two people never become one.
//!
//! - A subscriber (INS01 = Y) is their REF*0F.
//! - A dependent is, in this order: the REF with the dependent qualifier (default 23); their
//!   own REF*0F when it differs from the REF*0F of the subscriber whose family they follow
//!   (a common deviation: the sender put the dependent's own id there); else an id formed
//!   from what does not change — the subscriber id and the birth date (DMG02), with INS17
//!   (the birth sequence of a multiple birth) when it is 2 or more: `S1-D20150101`,
//!   `S1-D20150101-2`. Position in the family and INS17 alone are not identities (a newborn
//!   listed first would shift every sibling; senders set INS17 to 1 for every singleton), so
//!   a dependent with neither an id nor a birth date is rejected, never guessed.
//! - A family is a subscriber loop and the dependent loops after it in the same transaction
//!   set; dependents sent without their subscriber belong to the family of their REF*0F.
//!
//! Two loops of one file that resolve to one id are both rejected, each naming the other's
//! segment, when the id was formed within one family (twins without INS17) or when their
//! relationships cannot be one person's (employee against dependent, spouse against child).
//! Every id is checked again when applied against the person on file under it.

use super::loops::MemberLoop;
use crate::csv_input::DateFormat;
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

/// Why a loop has no member, and the member it would have named (so that, in a full file,
/// the person on file under it is left as they were rather than terminated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    pub reason: Reason,
    pub key: Option<MemberKey>,
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

/// Resolves every loop's member, in order; loops whose ids collide come back unresolved,
/// each naming the other's segment.
pub fn resolve(loops: &[MemberLoop], account: &str, keys: &Pseudonymizer) -> Vec<Result<Resolved, Unresolved>> {
    let mut out = Vec::with_capacity(loops.len());
    // The subscriber loop heading the dependents that follow it: (set, its REF*0F).
    let mut head: Option<(u32, &str)> = None;
    let mut family_of = Vec::with_capacity(loops.len());
    for m in loops {
        if m.subscriber_id.is_empty() {
            out.push(Err(Unresolved { reason: Reason::NoSubscriberId, key: None }));
            family_of.push(None);
            continue;
        }
        if m.subscriber {
            head = Some((m.set, m.subscriber_id.as_str()));
            family_of.push(Some((m.set, m.subscriber_id.as_str())));
            out.push(Ok(Resolved { key: keys.member(account, &m.subscriber_id), method: IdMethod::Subscriber }));
            continue;
        }
        let headed = head.filter(|(set, _)| *set == m.set).map(|(_, id)| id);
        family_of.push(Some((m.set, headed.unwrap_or(&m.subscriber_id))));
        let resolved = if !m.dependent_id.is_empty() {
            Ok((m.dependent_id.clone(), IdMethod::DependentRef))
        } else if headed.is_some_and(|h| h != m.subscriber_id) {
            Ok((m.subscriber_id.clone(), IdMethod::OwnRef0F))
        } else {
            match DateFormat::Compact.parse(&m.birth) {
                Some(born) => {
                    let twin = m.ins17.parse::<u32>().ok().filter(|n| *n >= 2).map(|n| format!("-{n}"));
                    let id = format!("{}-D{}{}", m.subscriber_id, born.format("%Y%m%d"), twin.unwrap_or_default());
                    Ok((id, IdMethod::BirthDate))
                }
                None => Err(Reason::DependentUnidentified),
            }
        };
        out.push(match resolved {
            Ok((id, method)) => Ok(Resolved { key: keys.member(account, &id), method }),
            Err(reason) => Err(Unresolved { reason, key: None }),
        });
    }
    reject_collisions(loops, &family_of, &mut out);
    out
}

fn reject_collisions(
    loops: &[MemberLoop],
    family_of: &[Option<(u32, &str)>],
    out: &mut [Result<Resolved, Unresolved>],
) {
    let mut by_key: HashMap<MemberKey, Vec<usize>> = HashMap::new();
    for (i, r) in out.iter().enumerate() {
        if let Ok(r) = r {
            by_key.entry(r.key).or_default().push(i);
        }
    }
    let relationship = |i: usize| Relationship::parse_any(&loops[i].relationship);
    let mut rejected: Vec<(usize, Unresolved)> = Vec::new();
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
                    let key = Some(ra.key);
                    let reason = |other: usize| Reason::IdCollision { other: loops[other].segment };
                    rejected.push((a, Unresolved { reason: reason(b), key }));
                    rejected.push((b, Unresolved { reason: reason(a), key }));
                }
            }
        }
    }
    for (i, unresolved) in rejected {
        if out[i].is_ok() {
            out[i] = Err(unresolved);
        }
    }
}

/// The loops whose id belongs, on file, to someone of another relationship: applying them
/// would make two people one. Each with its segment and key.
pub fn held_by_another(ledger: &Ledger, checks: &[IdCheck]) -> Vec<(u64, MemberKey, Reason)> {
    checks
        .iter()
        .filter(|c| ledger.people.get(&c.key).is_some_and(|p| !same_kind(p.relationship, c.relationship)))
        .map(|c| (c.segment, c.key, Reason::IdHeldByAnother { method: c.method }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn member(subscriber: bool, relationship: &str, ref_0f: &str, birth: &str) -> MemberLoop {
        MemberLoop {
            segment: 0,
            set: 1,
            subscriber,
            relationship: relationship.into(),
            subscriber_id: ref_0f.into(),
            birth: birth.into(),
            ..MemberLoop::default()
        }
    }

    #[test]
    fn siblings_keep_their_ids_whatever_their_order() {
        let k = Pseudonymizer::new([1; 32]);
        let family = |order: &[(&str, &str)]| -> Vec<MemberKey> {
            let mut loops = vec![member(true, "18", "S", "19800101")];
            loops.extend(order.iter().map(|(rel, born)| member(false, rel, "S", born)));
            resolve(&loops, "a", &k).into_iter().map(|r| r.unwrap().key).collect()
        };
        let first = family(&[("19", "20150101"), ("19", "20170505")]);
        let newborn_first = family(&[("19", "20260301"), ("19", "20150101"), ("19", "20170505")]);
        assert_eq!(first[1], newborn_first[2], "a newborn listed first shifts nobody");
        assert_eq!(first[2], newborn_first[3]);
        assert_eq!(first[1], k.member("a", "S-D20150101"));
    }

    #[test]
    fn twins_need_ins17_and_a_dependent_needs_an_id_or_a_birth_date() {
        let k = Pseudonymizer::new([1; 32]);
        let mut twin_a = member(false, "19", "S", "20200101");
        twin_a.segment = 7;
        let mut twin_b = twin_a.clone();
        twin_b.segment = 9;
        let loops = vec![member(true, "18", "S", "19800101"), twin_a.clone(), twin_b.clone()];
        let out = resolve(&loops, "a", &k);
        assert_eq!(out[1].as_ref().unwrap_err().reason, Reason::IdCollision { other: 9 });
        assert_eq!(out[2].as_ref().unwrap_err().reason, Reason::IdCollision { other: 7 });
        assert_eq!(out[1].as_ref().unwrap_err().key, Some(k.member("a", "S-D20200101")), "the person is known");
        twin_b.ins17 = "2".into();
        let out = resolve(&[member(true, "18", "S", "19800101"), twin_a, twin_b], "a", &k);
        assert_eq!(out[2].as_ref().unwrap().key, k.member("a", "S-D20200101-2"));
        let unknown = resolve(&[member(false, "19", "S", "")], "a", &k);
        assert_eq!(unknown[0].as_ref().unwrap_err().reason, Reason::DependentUnidentified);
    }
}
