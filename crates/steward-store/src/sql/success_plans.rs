use super::{SqlStore, account_id, check_versioned_update, now};
use crate::{Conn, Driver, Result, Row, StoreError, SuccessPlanStore, Value};
use steward_domain::success_plan::{NewObjective, Objective, ObjectiveEdit};
use steward_domain::{Id, Slug};

const SELECT: &str = "SELECT o.id, a.slug, o.title, o.metric, o.target, o.agreed_on, o.target_date, o.closed, \
    o.created_by, o.version, o.created_at, o.updated_at FROM success_objectives o JOIN accounts a ON a.id = o.account_id";

fn objective(r: &Row) -> Result<Objective> {
    Ok(Objective {
        id: r.int(0)?,
        account: r.parse(1)?,
        title: r.text(2)?,
        metric: r.parse(3)?,
        target: r.real(4)?,
        agreed_on: r.date(5)?,
        target_date: r.date(6)?,
        closed: r.bool(7)?,
        created_by: r.opt_parse(8)?,
        version: r.int(9)?,
        created_at: r.time(10)?,
        updated_at: r.time(11)?,
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Objective> {
    let row = c
        .query_one(&format!("{SELECT} WHERE o.id = $1"), &[id.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("objective {id}")))?;
    objective(&row)
}

impl<D: Driver> SuccessPlanStore for SqlStore<D> {
    fn create_objective(&self, new: &NewObjective) -> Result<Objective> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let t = now();
            let id = c
                .query_one(
                    "INSERT INTO success_objectives (account_id, title, metric, target, agreed_on, target_date, closed, \
                     created_by, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7, 1, $8, $8) RETURNING id",
                    &[
                        account.into(),
                        new.title.trim().into(),
                        new.metric.as_str().into(),
                        new.target.into(),
                        new.agreed_on.into(),
                        new.target_date.into(),
                        new.created_by.as_ref().map(|e| e.as_str().to_owned()).into(),
                        t.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            one(c, id)
        })
    }

    fn objective(&self, id: Id) -> Result<Objective> {
        self.read(|c| one(c, id))
    }

    fn objectives(&self, account: &Slug) -> Result<Vec<Objective>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            let rows = c.query(
                &format!("{SELECT} WHERE o.account_id = $1 ORDER BY o.closed, o.target_date, o.id"),
                &[Value::Int(id)],
            )?;
            rows.iter().map(objective).collect()
        })
    }

    fn update_objective(&self, id: Id, edit: &ObjectiveEdit, version: i64) -> Result<Objective> {
        self.write(|c| {
            let current = one(c, id)?;
            edit.validate(&current)?;
            let changed = c.execute(
                "UPDATE success_objectives SET title = $1, target = $2, target_date = $3, closed = $4, updated_at = $5, \
                 version = version + 1 WHERE id = $6 AND version = $7",
                &[
                    edit.title.trim().into(),
                    edit.target.into(),
                    edit.target_date.into(),
                    edit.closed.into(),
                    now().into(),
                    id.into(),
                    version.into(),
                ],
            )?;
            check_versioned_update(c, changed, "success_objectives", id, &format!("objective {id}"))?;
            one(c, id)
        })
    }
}
