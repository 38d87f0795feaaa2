//! Retention for the company, each owner's book and each segment, from the stored ARR
//! snapshots (the rule itself is `steward_domain::arr::retention`).

use std::collections::{BTreeMap, HashMap};
use steward_domain::arr::{Movement, Retention, retention};
use steward_domain::{Month, Slug};
use steward_store::{ArrFilter, Result as StoreResult, Store};

/// How to split the company's retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetentionBy {
    Owner,
    Segment,
}

/// One group's retention: the company's (`group` `None`), an owner's book (their e-mail;
/// "unowned" for accounts without one) or a segment.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RetentionRow {
    pub group: Option<String>,
    #[serde(flatten)]
    pub retention: Retention<Slug>,
}

fn arr_at(store: &dyn Store, month: Month) -> StoreResult<HashMap<Slug, steward_domain::Money>> {
    let filter = ArrFilter { account: None, from: Some(month), to: Some(month) };
    Ok(store.arr_snapshots(&filter)?.into_iter().map(|(slug, s)| (slug, s.arr)).collect())
}

/// Retention over the twelve months ending with `month`: the company's first, then each
/// group's by name. Accounts are grouped by who owns them (or their segment) today.
pub fn retention_rows(store: &dyn Store, month: Month, by: Option<RetentionBy>) -> StoreResult<Vec<RetentionRow>> {
    let (before, now) = (arr_at(store, month.plus(-12))?, arr_at(store, month)?);
    let movements: Vec<Movement<Slug>> = before
        .into_iter()
        .map(|(key, start_arr)| Movement { end_arr: now.get(&key).copied().unwrap_or_default(), start_arr, key })
        .collect();
    let mut rows = vec![RetentionRow { group: None, retention: retention(month, movements.clone()) }];
    let Some(by) = by else { return Ok(rows) };
    let group_of: HashMap<Slug, String> = store
        .accounts()?
        .into_iter()
        .map(|a| {
            let group = match by {
                RetentionBy::Owner => a.owner.map_or_else(|| "unowned".to_owned(), |e| e.to_string()),
                RetentionBy::Segment => a.segment.to_string(),
            };
            (a.slug, group)
        })
        .collect();
    let mut groups: BTreeMap<String, Vec<Movement<Slug>>> = BTreeMap::new();
    for m in movements {
        let group = group_of.get(&m.key).cloned().unwrap_or_else(|| "unowned".to_owned());
        groups.entry(group).or_default().push(m);
    }
    rows.extend(
        groups.into_iter().map(|(group, ms)| RetentionRow { group: Some(group), retention: retention(month, ms) }),
    );
    Ok(rows)
}
