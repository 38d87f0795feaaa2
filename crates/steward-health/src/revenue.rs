//! Retention for the company, each owner's book and each segment, from the stored ARR
//! snapshots (the rule itself is `steward_domain::arr::retention`).

use std::collections::{BTreeMap, HashMap};
use steward_domain::arr::{Movement, Retention, retention};
use steward_domain::{Account, AccountStatus, Month, Slug};
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
    let accounts = store.accounts()?;
    retention_rows_of(store, &accounts.iter().collect::<Vec<_>>(), month, by)
}

/// [`retention_rows`] of these accounts only (the first row is theirs together), for a
/// caller that holds the accounts already.
pub fn retention_rows_of(
    store: &dyn Store,
    accounts: &[&Account],
    month: Month,
    by: Option<RetentionBy>,
) -> StoreResult<Vec<RetentionRow>> {
    let (mut before, now) = (arr_at(store, month.plus(-12))?, arr_at(store, month)?);
    let chosen: std::collections::HashSet<&Slug> = accounts.iter().map(|a| &a.slug).collect();
    before.retain(|slug, _| chosen.contains(slug));
    let still_clients: std::collections::HashSet<&Slug> = accounts
        .iter()
        .filter(|a| matches!(a.status, AccountStatus::Live | AccountStatus::Implementing))
        .map(|a| &a.slug)
        .collect();
    let mut movements = Vec::with_capacity(before.len());
    for (key, start_arr) in before {
        let end_arr = match now.get(&key) {
            Some(arr) => *arr,
            // A client whose data for the month has not come in yet keeps its last ARR: a
            // late file is not churn. A client that left has none.
            None if still_clients.contains(&key) => {
                let filter = ArrFilter { account: Some(key.clone()), from: None, to: Some(month) };
                store.arr_snapshots(&filter)?.last().map(|(_, s)| s.arr).unwrap_or_default()
            }
            None => steward_domain::Money::ZERO,
        };
        movements.push(Movement { key, start_arr, end_arr });
    }
    let mut rows = vec![RetentionRow { group: None, retention: retention(month, movements.clone()) }];
    let Some(by) = by else { return Ok(rows) };
    let group_of: HashMap<Slug, String> = accounts
        .iter()
        .map(|a| {
            let group = match by {
                RetentionBy::Owner => a.owner.as_ref().map_or_else(|| "unowned".to_owned(), |e| e.to_string()),
                RetentionBy::Segment => a.segment.to_string(),
            };
            (a.slug.clone(), group)
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
