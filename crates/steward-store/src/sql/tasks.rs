use super::{SqlStore, check_versioned_update, now, opt_account_id, opt_user_id};
use crate::{Conn, DbError, Driver, Result, Row, StoreError, TaskCreated, TaskFilter, TaskStore, Value};
use steward_domain::{Id, NewTask, Task, TaskAssignment, TaskStatus};

const SELECT: &str = "SELECT t.id, a.slug, t.title, t.detail, u.email, t.department, t.due_date, t.status, \
    t.priority, t.escalation, t.source, t.source_key, t.closed_at, t.snoozed_until, t.version, t.created_at, t.updated_at, \
    t.for_renewal, t.objective_id FROM tasks t LEFT JOIN accounts a ON a.id = t.account_id LEFT JOIN users u ON u.id = t.owner_id";

fn task(r: &Row) -> Result<Task> {
    Ok(Task {
        id: r.int(0)?,
        account: r.opt_parse(1)?,
        title: r.text(2)?,
        detail: r.text(3)?,
        owner: r.opt_parse(4)?,
        department: r.opt_parse(5)?,
        due_date: r.opt_date(6)?,
        status: r.parse(7)?,
        priority: r.parse(8)?,
        escalation: r.bool(9)?,
        source: r.parse(10)?,
        source_key: r.opt_text(11)?,
        closed_at: r.opt_time(12)?,
        snoozed_until: r.opt_date(13)?,
        version: r.int(14)?,
        created_at: r.time(15)?,
        updated_at: r.time(16)?,
        for_renewal: r.bool(17)?,
        objective: r.opt_int(18)?,
    })
}

fn one(c: &mut dyn Conn, id: Id) -> Result<Task> {
    let row = c
        .query_one(&format!("{SELECT} WHERE t.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("task {id}")))?;
    task(&row)
}

fn open_with_key(c: &mut dyn Conn, key: &str) -> Result<Option<Task>> {
    c.query_one(&format!("{SELECT} WHERE t.source_key = $1 AND t.status = 'open'"), &[key.into()])?
        .map(|r| task(&r))
        .transpose()
}

impl<D: Driver> TaskStore for SqlStore<D> {
    fn create_task(&self, new: &NewTask) -> Result<TaskCreated> {
        new.validate()?;
        self.write(|c| {
            let account = opt_account_id(c, new.account.as_ref())?;
            let owner = opt_user_id(c, new.owner.as_ref())?;
            if let Some(objective) = new.objective {
                let of = c.query_one("SELECT account_id FROM success_objectives WHERE id = $1", &[objective.into()])?;
                if account.is_none() || of.map(|r| r.int(0)).transpose()? != account {
                    return Err(StoreError::Invalid(format!(
                        "objective {objective} is not in the task's account's success plan"
                    )));
                }
            }
            let t = now();
            // The partial unique index makes "one open task per trigger" hold even when two
            // processes race: the loser inserts nothing and finds the winner's task.
            let inserted = c.query_one(
                "INSERT INTO tasks (account_id, title, detail, owner_id, department, due_date, status, priority, \
                 escalation, source, source_key, version, created_at, updated_at, for_renewal, objective_id) \
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8, $9, $10, 1, $11, $11, $12, $13) \
                 ON CONFLICT (source_key) WHERE status = 'open' DO NOTHING RETURNING id",
                &[
                    account.into(),
                    new.title.as_str().into(),
                    new.detail.as_str().into(),
                    owner.into(),
                    new.department.map(|d| d.as_str()).into(),
                    new.due_date.into(),
                    new.priority.as_str().into(),
                    new.escalation.into(),
                    new.source.as_str().into(),
                    new.source_key.as_deref().into(),
                    t.into(),
                    new.for_renewal.into(),
                    new.objective.into(),
                ],
            )?;
            match (inserted, new.source_key.as_deref()) {
                (Some(row), _) => Ok(TaskCreated::Created(one(c, row.int(0)?)?)),
                (None, Some(key)) => open_with_key(c, key)?
                    .map(TaskCreated::AlreadyOpen)
                    .ok_or_else(|| StoreError::Backend(format!("task {key} neither inserted nor open"))),
                (None, None) => Err(StoreError::Backend("INSERT returned no id".into())),
            }
        })
    }

    fn task(&self, id: Id) -> Result<Task> {
        self.read(|c| one(c, id))
    }

    fn tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>> {
        self.read(|c| {
            let mut sql = format!("{SELECT} WHERE 1 = 1");
            let mut params: Vec<Value> = Vec::new();
            // Subqueries rather than filters on the joined tables, so the task indexes serve.
            if let Some(account) = &filter.account {
                params.push(account.as_str().into());
                sql += &format!(" AND t.account_id = (SELECT id FROM accounts WHERE slug = ${})", params.len());
            }
            if let Some(owner) = &filter.owner {
                params.push(owner.as_str().into());
                sql += &format!(" AND t.owner_id = (SELECT id FROM users WHERE email = ${})", params.len());
            }
            if let Some(department) = filter.department {
                params.push(department.as_str().into());
                sql += &format!(" AND t.department = ${}", params.len());
            }
            if let Some(status) = filter.status {
                params.push(status.as_str().into());
                sql += &format!(" AND t.status = ${}", params.len());
            }
            if let Some(objective) = filter.objective {
                params.push(objective.into());
                sql += &format!(" AND t.objective_id = ${}", params.len());
            }
            sql += " ORDER BY t.due_date IS NULL, t.due_date, t.id";
            c.query(&sql, &params)?.iter().map(task).collect()
        })
    }

    fn set_task_status(&self, id: Id, status: TaskStatus, version: i64) -> Result<Task> {
        self.write(|c| {
            let t = now();
            let closed_at = (status != TaskStatus::Open).then_some(t);
            let changed = c
                .execute(
                    "UPDATE tasks SET status = $1, closed_at = $2, updated_at = $3, version = version + 1 \
                     WHERE id = $4 AND version = $5",
                    &[status.as_str().into(), closed_at.into(), t.into(), id.into(), version.into()],
                )
                .map_err(|e| match e {
                    DbError::Unique(_) => StoreError::Duplicate("an open task for the same trigger".into()),
                    other => other.into(),
                })?;
            check_versioned_update(c, changed, "tasks", id, &format!("task {id}"))?;
            one(c, id)
        })
    }

    fn assign_task(&self, id: Id, assignment: &TaskAssignment, version: i64) -> Result<Task> {
        assignment.validate()?;
        self.write(|c| {
            let owner = opt_user_id(c, assignment.owner.as_ref())?;
            let changed = c.execute(
                "UPDATE tasks SET owner_id = $1, department = $2, due_date = $3, snoozed_until = $4, \
                 updated_at = $5, version = version + 1, detail = $8 WHERE id = $6 AND version = $7",
                &[
                    owner.into(),
                    assignment.department.map(|d| d.as_str()).into(),
                    assignment.due_date.into(),
                    assignment.snoozed_until.into(),
                    now().into(),
                    id.into(),
                    version.into(),
                    assignment.detail.as_str().into(),
                ],
            )?;
            check_versioned_update(c, changed, "tasks", id, &format!("task {id}"))?;
            one(c, id)
        })
    }
}
