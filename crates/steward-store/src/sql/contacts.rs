use super::{SqlStore, account_id, check_versioned_update, now};
use crate::{Conn, ContactStore, Driver, Result, Row, StoreError, Value};
use steward_domain::contact::{ContactChange, ContactChangeKind};
use steward_domain::{Contact, CsatRating, Email, Id, NewContact, NewCsatRating, Slug};

const SELECT: &str = "SELECT c.id, a.slug, c.name, c.title, c.email, c.phone, c.role, c.influence, c.sentiment, \
    c.last_touch, c.version, c.created_at, c.updated_at, c.retired_on FROM contacts c JOIN accounts a ON a.id = c.account_id";

fn contact(r: &Row) -> Result<Contact> {
    Ok(Contact {
        id: r.int(0)?,
        account: r.parse(1)?,
        name: r.text(2)?,
        title: r.text(3)?,
        email: r.opt_parse(4)?,
        phone: r.opt_text(5)?,
        role: r.parse(6)?,
        influence: r.int(7)?,
        sentiment: r.int(8)?,
        last_touch: r.opt_date(9)?,
        version: r.int(10)?,
        created_at: r.time(11)?,
        updated_at: r.time(12)?,
        retired_on: r.opt_date(13)?,
    })
}

/// Keeps the contact as it now stands as its next version.
fn record(c: &mut dyn Conn, id: Id, change: ContactChangeKind, by: Option<&Email>) -> Result<Contact> {
    let k = one(c, id)?;
    c.execute(
        "INSERT INTO contact_changes (contact_id, version, change, name, title, email, phone, role, influence, sentiment, \
         changed_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        &[
            id.into(),
            k.version.into(),
            change.as_str().into(),
            k.name.as_str().into(),
            k.title.as_str().into(),
            k.email.as_ref().map(|e| e.as_str()).into(),
            k.phone.as_deref().into(),
            k.role.as_str().into(),
            k.influence.into(),
            k.sentiment.into(),
            by.map(|e| e.as_str()).into(),
            k.updated_at.into(),
        ],
    )?;
    Ok(k)
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Contact> {
    let row = c
        .query_one(&format!("{SELECT} WHERE c.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("contact {id}")))?;
    contact(&row)
}

fn fields(new: &NewContact) -> Vec<Value> {
    vec![
        new.name.as_str().into(),
        new.title.as_str().into(),
        new.email.as_ref().map(|e| e.as_str()).into(),
        new.phone.as_deref().into(),
        new.role.as_str().into(),
        new.influence.into(),
        new.sentiment.into(),
        new.last_touch.into(),
        now().into(),
    ]
}

/// The contact's id, if it belongs to `account` (a contact id from another account is
/// treated as unknown, so one client's people never attach to another's records).
pub(crate) fn contact_of(c: &mut dyn Conn, account: Id, contact: Id) -> Result<Id> {
    c.query_one("SELECT id FROM contacts WHERE id = $1 AND account_id = $2", &[contact.into(), account.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("contact {contact} of this account")))?
        .int(0)
}

impl<D: Driver> ContactStore for SqlStore<D> {
    fn create_contact(&self, new: &NewContact, by: Option<&Email>) -> Result<Contact> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let mut params = fields(new);
            params.push(account.into());
            let id = c
                .query_one(
                    "INSERT INTO contacts (name, title, email, phone, role, influence, sentiment, last_touch, created_at, \
                     updated_at, account_id, version) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $10, 1) RETURNING id",
                    &params,
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            record(c, id, ContactChangeKind::Added, by)
        })
    }

    fn contact(&self, id: Id) -> Result<Contact> {
        self.read(|c| one(c, id))
    }

    fn contact_history(&self, id: Id) -> Result<Vec<ContactChange>> {
        self.read(|c| {
            c.query(
                "SELECT version, change, name, title, email, phone, role, influence, sentiment, changed_by, changed_at \
                 FROM contact_changes WHERE contact_id = $1 ORDER BY version, id",
                &[id.into()],
            )?
            .iter()
            .map(|r| {
                Ok(ContactChange {
                    version: r.int(0)?,
                    change: r.parse(1)?,
                    name: r.text(2)?,
                    title: r.text(3)?,
                    email: r.opt_parse(4)?,
                    phone: r.opt_text(5)?,
                    role: r.parse(6)?,
                    influence: r.int(7)?,
                    sentiment: r.int(8)?,
                    changed_by: r.opt_parse(9)?,
                    changed_at: r.time(10)?,
                })
            })
            .collect()
        })
    }

    fn retire_contact(&self, id: Id, on: chrono::NaiveDate, by: Option<&Email>, version: i64) -> Result<Contact> {
        steward_domain::input::date_field("the day they left", Some(on))?;
        self.write(|c| {
            let changed = c.execute(
                "UPDATE contacts SET retired_on = $1, updated_at = $2, version = version + 1 \
                 WHERE id = $3 AND version = $4 AND retired_on IS NULL",
                &[on.into(), now().into(), id.into(), version.into()],
            )?;
            if changed == 0 && one(c, id)?.retired_on.is_some() {
                return Err(StoreError::Invalid(format!("contact {id} is retired already")));
            }
            check_versioned_update(c, changed, "contacts", id, &format!("contact {id}"))?;
            record(c, id, ContactChangeKind::Retired, by)
        })
    }

    fn contacts(&self, account: &Slug) -> Result<Vec<Contact>> {
        self.read(|c| {
            c.query(
                &format!("{SELECT} WHERE a.slug = $1 AND c.retired_on IS NULL ORDER BY c.influence DESC, c.name"),
                &[account.as_str().into()],
            )?
            .iter()
            .map(contact)
            .collect()
        })
    }

    fn update_contact(&self, id: Id, edit: &NewContact, by: Option<&Email>, version: i64) -> Result<Contact> {
        edit.validate()?;
        self.write(|c| {
            let account = account_id(c, &edit.account)?;
            contact_of(c, account, id)?;
            let mut params = fields(edit);
            params.extend([Value::Int(id), Value::Int(version)]);
            let changed = c.execute(
                "UPDATE contacts SET name = $1, title = $2, email = $3, phone = $4, role = $5, influence = $6, \
                 sentiment = $7, last_touch = $8, updated_at = $9, version = version + 1 WHERE id = $10 AND version = $11",
                &params,
            )?;
            check_versioned_update(c, changed, "contacts", id, &format!("contact {}", edit.name))?;
            record(c, id, ContactChangeKind::Edited, by)
        })
    }

    fn create_csat(&self, new: &NewCsatRating) -> Result<CsatRating> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            if let Some(contact) = new.contact_id {
                contact_of(c, account, contact)?;
            }
            let t = now();
            let id = c
                .query_one(
                    "INSERT INTO csat_ratings (account_id, contact_id, rated_on, score, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, 1, $5, $5) RETURNING id",
                    &[account.into(), new.contact_id.into(), new.rated_on.into(), new.score.into(), t.into()],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            Ok(CsatRating {
                id,
                account: new.account.clone(),
                contact_id: new.contact_id,
                rated_on: new.rated_on,
                score: new.score,
                created_at: t,
            })
        })
    }

    fn csat_ratings(&self, account: &Slug) -> Result<Vec<CsatRating>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            c.query(
                "SELECT id, contact_id, rated_on, score, created_at FROM csat_ratings WHERE account_id = $1 \
                 ORDER BY rated_on, id",
                &[id.into()],
            )?
            .iter()
            .map(|r| {
                Ok(CsatRating {
                    id: r.int(0)?,
                    account: account.clone(),
                    contact_id: r.opt_int(1)?,
                    rated_on: r.date(2)?,
                    score: r.int(3)?,
                    created_at: r.time(4)?,
                })
            })
            .collect()
        })
    }
}
