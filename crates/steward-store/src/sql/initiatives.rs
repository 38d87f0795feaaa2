use super::{SqlStore, account_id, from_json, now, opt_user_id, to_json};
use crate::{Conn, Driver, InitiativeStore, Result, Row, StoreError, Value};
use steward_domain::initiative::{Initiative, NewInitiative};
use steward_domain::{Id, Money, Slug};

const SELECT: &str = "SELECT i.id, a.slug, i.kind, i.title, i.target, i.start_date, i.end_date, u.email, i.cost_cents, \
    i.metric, i.notes, i.version, i.created_at, i.updated_at FROM initiatives i JOIN accounts a ON a.id = i.account_id \
    LEFT JOIN users u ON u.id = i.owner_id";

fn initiative(r: &Row) -> Result<Initiative> {
    Ok(Initiative {
        id: r.int(0)?,
        account: r.parse(1)?,
        kind: r.parse(2)?,
        title: r.text(3)?,
        target: from_json(&r.text(4)?)?,
        start_date: r.date(5)?,
        end_date: r.date(6)?,
        owner: r.opt_parse(7)?,
        cost: r.opt_int(8)?.map(Money::from_cents),
        metric: r.parse(9)?,
        notes: r.text(10)?,
        version: r.int(11)?,
        created_at: r.time(12)?,
        updated_at: r.time(13)?,
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Initiative> {
    let row = c
        .query_one(&format!("{SELECT} WHERE i.id = $1"), &[id.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("initiative {id}")))?;
    initiative(&row)
}

impl<D: Driver> InitiativeStore for SqlStore<D> {
    fn create_initiative(&self, new: &NewInitiative) -> Result<Initiative> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let owner = opt_user_id(c, new.owner.as_ref())?;
            let t = now();
            let id = c
                .query_one(
                    "INSERT INTO initiatives (account_id, kind, title, target, start_date, end_date, owner_id, cost_cents, \
                     metric, notes, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id",
                    &[
                        account.into(),
                        new.kind.as_str().into(),
                        new.title.trim().into(),
                        to_json(&new.target)?.into(),
                        new.start_date.into(),
                        new.end_date.into(),
                        owner.into(),
                        new.cost.map(|m| m.cents).into(),
                        new.metric.as_str().into(),
                        new.notes.trim().into(),
                        t.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            one(c, id)
        })
    }

    fn initiative(&self, id: Id) -> Result<Initiative> {
        self.read(|c| one(c, id))
    }

    fn initiatives(&self, account: Option<&Slug>) -> Result<Vec<Initiative>> {
        self.read(|c| {
            let rows = match account {
                Some(slug) => {
                    let id = account_id(c, slug)?;
                    c.query(
                        &format!("{SELECT} WHERE i.account_id = $1 ORDER BY i.start_date DESC, i.id DESC"),
                        &[Value::Int(id)],
                    )?
                }
                None => c.query(&format!("{SELECT} ORDER BY i.start_date DESC, i.id DESC"), &[])?,
            };
            rows.iter().map(initiative).collect()
        })
    }
}
