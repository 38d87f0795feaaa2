use super::{SqlStore, account_id, contacts::contact_of, now, opt_user_id};
use crate::{ActivityStore, Driver, Result, StoreError};
use std::collections::BTreeMap;
use steward_domain::{Activity, Id, NewActivity, Slug};

impl<D: Driver> ActivityStore for SqlStore<D> {
    fn create_activity(&self, new: &NewActivity) -> Result<Activity> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let author = opt_user_id(c, new.author.as_ref())?;
            let mut contact_ids = new.contact_ids.clone();
            contact_ids.sort_unstable();
            contact_ids.dedup();
            for &contact in &contact_ids {
                contact_of(c, account, contact)?;
            }
            let t = now();
            let id = c
                .query_one(
                    "INSERT INTO activities (account_id, kind, occurred_at, author_id, summary, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
                    &[
                        account.into(),
                        new.kind.as_str().into(),
                        new.occurred_at.into(),
                        author.into(),
                        new.summary.as_str().into(),
                        t.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            let touched = new.occurred_at.date_naive();
            for &contact in &contact_ids {
                c.execute(
                    "INSERT INTO activity_contacts (activity_id, contact_id) VALUES ($1, $2)",
                    &[id.into(), contact.into()],
                )?;
                // A touch only ever moves forward; logging an old meeting keeps the newer one.
                c.execute(
                    "UPDATE contacts SET last_touch = $1 WHERE id = $2 AND (last_touch IS NULL OR last_touch < $1)",
                    &[touched.into(), contact.into()],
                )?;
            }
            Ok(Activity {
                id,
                account: new.account.clone(),
                kind: new.kind,
                occurred_at: new.occurred_at,
                author: new.author.clone(),
                summary: new.summary.clone(),
                contact_ids,
                version: 1,
                created_at: t,
                updated_at: t,
            })
        })
    }

    fn activities(&self, account: &Slug, limit: i64) -> Result<Vec<Activity>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            let rows = c.query(
                "SELECT v.id, v.kind, v.occurred_at, u.email, v.summary, v.version, v.created_at, v.updated_at \
                 FROM activities v LEFT JOIN users u ON u.id = v.author_id WHERE v.account_id = $1 \
                 ORDER BY v.occurred_at DESC, v.id DESC LIMIT $2",
                &[id.into(), limit.max(0).into()],
            )?;
            let mut contacts: BTreeMap<Id, Vec<Id>> = BTreeMap::new();
            if !rows.is_empty() {
                let ids = rows.iter().map(|r| Ok(r.int(0)?.to_string())).collect::<Result<Vec<_>>>()?;
                // By the activities' own ids (integers read from the database: safe to write into
                // the statement), so the key's index answers. Joined back to activities by account
                // and time, PostgreSQL hashed every link of the company: 47 ms an account.
                let links = c.query(
                    &format!(
                        "SELECT activity_id, contact_id FROM activity_contacts WHERE activity_id IN ({}) \
                         ORDER BY contact_id",
                        ids.join(", ")
                    ),
                    &[],
                )?;
                for link in links {
                    contacts.entry(link.int(0)?).or_default().push(link.int(1)?);
                }
            }
            rows.iter()
                .map(|r| {
                    let id = r.int(0)?;
                    Ok(Activity {
                        id,
                        account: account.clone(),
                        kind: r.parse(1)?,
                        occurred_at: r.time(2)?,
                        author: r.opt_parse(3)?,
                        summary: r.text(4)?,
                        contact_ids: contacts.remove(&id).unwrap_or_default(),
                        version: r.int(5)?,
                        created_at: r.time(6)?,
                        updated_at: r.time(7)?,
                    })
                })
                .collect()
        })
    }
}
