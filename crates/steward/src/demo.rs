//! Loading a generated demo book into a store through the ordinary store API.

use anyhow::{Context, Result};
use chrono::NaiveDate;
use steward_demo::Book;
use steward_domain::{NewActivity, NewCsatRating, NewUser, TaskStatus};
use steward_store::Store;

/// The setting that marks a data dir as holding a complete demo book.
pub const MARKER: &str = "demo.book";

/// What `steward demo` records once the whole book is in, so a second run reuses it.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Marker {
    pub seed: u64,
    pub as_of: NaiveDate,
    pub accounts: usize,
    pub lives_per_account: Option<u32>,
}

pub fn marker(store: &dyn Store) -> Result<Option<Marker>> {
    match store.setting(MARKER)? {
        Some(json) => Ok(Some(serde_json::from_str(&json).context("the demo marker in the database is unreadable")?)),
        None => Ok(None),
    }
}

#[derive(Debug, Clone, Copy, Default)]
pub struct Loaded {
    pub users: usize,
    pub accounts: usize,
    pub contacts: usize,
    pub activities: usize,
    pub tasks: usize,
    pub contracts: usize,
}

/// Creates every user (all with `password_hash`), account and its rows, in book order so
/// ids come out the same for the same seed. The marker is written last: a book
/// interrupted halfway is never mistaken for a finished one.
pub fn load_book(store: &dyn Store, book: &Book, password_hash: &str, marker: &Marker) -> Result<Loaded> {
    let mut loaded = Loaded::default();
    let (clients, staff): (Vec<_>, Vec<_>) = book.users.iter().partition(|u| u.account.is_some());
    let new_user = |u: &steward_demo::DemoUser| NewUser {
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role,
        department: u.department,
        account: u.account.clone(),
        password_hash: password_hash.to_owned(),
    };
    for u in &staff {
        store.create_user(&new_user(u))?;
        loaded.users += 1;
    }
    for a in &book.accounts {
        store.create_account(&a.account)?;
        loaded.accounts += 1;
        for w in &a.worksites {
            store.create_worksite(w)?;
        }
        let mut contact_ids = Vec::with_capacity(a.contacts.len());
        for c in &a.contacts {
            contact_ids.push(store.create_contact(c)?.id);
            loaded.contacts += 1;
        }
        for act in &a.activities {
            store.create_activity(&NewActivity {
                account: a.account.slug.clone(),
                kind: act.kind,
                occurred_at: act.occurred_at,
                author: a.account.owner.clone(),
                summary: act.summary.clone(),
                contact_ids: act.contacts.iter().map(|&k| contact_ids[k]).collect(),
            })?;
            loaded.activities += 1;
        }
        for t in &a.tasks {
            let created = store.create_task(&t.task)?;
            if t.done {
                store.set_task_status(created.task().id, TaskStatus::Done, created.task().version)?;
            }
            loaded.tasks += 1;
        }
        for c in &a.contracts {
            store.create_contract(c)?;
            loaded.contracts += 1;
        }
        for r in &a.csat {
            store.create_csat(&NewCsatRating {
                account: a.account.slug.clone(),
                contact_id: Some(contact_ids[r.contact]),
                rated_on: r.rated_on,
                score: r.score,
            })?;
        }
    }
    for u in &clients {
        store.create_user(&new_user(u))?;
        loaded.users += 1;
    }
    store.put_setting(MARKER, &serde_json::to_string(marker)?)?;
    Ok(loaded)
}
