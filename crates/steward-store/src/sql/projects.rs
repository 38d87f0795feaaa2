use super::{SqlStore, account_id, check_versioned_update, now, opt_user_id};
use crate::{Conn, Driver, ProjectFilter, ProjectStore, Result, StoreError, Value};
use std::collections::HashMap;
use steward_domain::project::{NewProject, NewProjectTask, Project, ProjectStatus, ProjectTask, ProjectTaskEdit};
use steward_domain::schedule::Link;
use steward_domain::{Id, input};

fn one(c: &mut dyn Conn, id: Id) -> Result<Project> {
    let r = c
        .query_one(
            "SELECT p.id, a.slug, p.template, p.title, u.email, p.start_date, p.status, p.version, p.created_at, \
             p.updated_at FROM projects p JOIN accounts a ON a.id = p.account_id LEFT JOIN users u ON u.id = p.owner_id \
             WHERE p.id = $1",
            &[id.into()],
        )?
        .ok_or_else(|| StoreError::NotFound(format!("project {id}")))?;
    let mut project = Project {
        id: r.int(0)?,
        account: r.parse(1)?,
        template: r.text(2)?,
        title: r.text(3)?,
        owner: r.opt_parse(4)?,
        start_date: r.date(5)?,
        status: r.parse(6)?,
        version: r.int(7)?,
        created_at: r.time(8)?,
        updated_at: r.time(9)?,
        tasks: Vec::new(),
    };
    let mut links: HashMap<Id, Vec<Link<Id>>> = HashMap::new();
    for l in c.query(
        "SELECT l.task_id, l.on_task_id, l.lag_days FROM project_links l JOIN project_tasks t ON t.id = l.task_id \
         WHERE t.project_id = $1 ORDER BY l.task_id, l.on_task_id",
        &[id.into()],
    )? {
        let lag = u32::try_from(l.int(2)?).map_err(|_| StoreError::Backend("a lag out of range".into()))?;
        links.entry(l.int(0)?).or_default().push(Link { on: l.int(1)?, lag_days: lag });
    }
    for t in c.query(
        "SELECT t.id, t.task_key, t.name, t.department, t.client, u.email, t.duration_days, t.actual_start, \
         t.actual_finish, t.baseline_start, t.baseline_finish, t.completed_by, t.go_live, t.version \
         FROM project_tasks t LEFT JOIN users u ON u.id = t.owner_id WHERE t.project_id = $1 ORDER BY t.seq, t.id",
        &[id.into()],
    )? {
        let task_id = t.int(0)?;
        project.tasks.push(ProjectTask {
            id: task_id,
            key: t.text(1)?,
            name: t.text(2)?,
            department: t.opt_parse(3)?,
            client: t.bool(4)?,
            owner: t.opt_parse(5)?,
            duration_days: u32::try_from(t.int(6)?)
                .map_err(|_| StoreError::Backend("a duration out of range".into()))?,
            depends_on: links.remove(&task_id).unwrap_or_default(),
            actual_start: t.opt_date(7)?,
            actual_finish: t.opt_date(8)?,
            baseline_start: t.opt_date(9)?,
            baseline_finish: t.opt_date(10)?,
            completed_by: t.opt_parse(11)?,
            go_live: t.bool(12)?,
            version: t.int(13)?,
        });
    }
    Ok(project)
}

/// The whole plan after a change holds (no cycle, no link out of the project).
fn checked(c: &mut dyn Conn, id: Id) -> Result<Project> {
    let project = one(c, id)?;
    project.check().map_err(StoreError::Invalid)?;
    Ok(project)
}

/// Any change to a project's plan moves its version: edits to it are made against the plan
/// as it was read.
fn bump(c: &mut dyn Conn, project: Id, expected: Option<i64>) -> Result<()> {
    let changed = match expected {
        Some(v) => c.execute(
            "UPDATE projects SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3",
            &[now().into(), project.into(), v.into()],
        )?,
        None => c.execute(
            "UPDATE projects SET version = version + 1, updated_at = $1 WHERE id = $2",
            &[now().into(), project.into()],
        )?,
    };
    check_versioned_update(c, changed, "projects", project, &format!("project {project}"))
}

fn check_task(t: &NewProjectTask) -> Result<()> {
    input::text_field("a task's name", input::TextKind::Title, &t.name)?;
    if t.key.trim().is_empty() {
        return Err(StoreError::Invalid("a task needs a key".into()));
    }
    if t.client && t.department.is_some() {
        return Err(StoreError::Invalid(format!(
            "{} is the client's and a department's; it is one or the other",
            t.name
        )));
    }
    Ok(())
}

/// Inserts a task at `seq` (its links follow, once every key has an id).
fn insert_task(c: &mut dyn Conn, project: Id, seq: i64, t: &NewProjectTask) -> Result<Id> {
    check_task(t)?;
    let owner = opt_user_id(c, t.owner.as_ref())?;
    let stamp = now();
    let id = c
        .query_one(
            "INSERT INTO project_tasks (project_id, seq, task_key, name, department, client, owner_id, duration_days, \
             baseline_start, baseline_finish, completed_by, go_live, version, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $13) RETURNING id",
            &[
                project.into(),
                seq.into(),
                t.key.trim().into(),
                t.name.trim().into(),
                t.department.map(|d| d.as_str()).into(),
                t.client.into(),
                owner.into(),
                i64::from(t.duration_days).into(),
                t.baseline_start.into(),
                t.baseline_finish.into(),
                t.completed_by.map(|e| e.as_str()).into(),
                t.go_live.into(),
                stamp.into(),
            ],
        )?
        .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
        .int(0)?;
    Ok(id)
}

fn insert_links(
    c: &mut dyn Conn,
    task: Id,
    name: &str,
    after: &[Link<String>],
    keys: &HashMap<String, Id>,
) -> Result<()> {
    for l in after {
        let on = keys.get(&l.on).ok_or_else(|| {
            StoreError::Invalid(format!("{name} waits for {}, which is not a task of this project", l.on))
        })?;
        link(c, task, &Link { on: *on, lag_days: l.lag_days })?;
    }
    Ok(())
}

fn link(c: &mut dyn Conn, task: Id, l: &Link<Id>) -> Result<()> {
    c.execute(
        "INSERT INTO project_links (task_id, on_task_id, lag_days) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        &[task.into(), l.on.into(), i64::from(l.lag_days).into()],
    )?;
    Ok(())
}

fn project_of_task(c: &mut dyn Conn, task: Id) -> Result<Id> {
    c.query_one("SELECT project_id FROM project_tasks WHERE id = $1", &[task.into()])?
        .ok_or_else(|| StoreError::NotFound(format!("project task {task}")))?
        .int(0)
}

impl<D: Driver> ProjectStore for SqlStore<D> {
    fn create_project(&self, new: &NewProject) -> Result<Project> {
        input::text_field("a project's title", input::TextKind::Title, &new.title)?;
        if new.tasks.is_empty() {
            return Err(StoreError::Invalid("a project needs at least one task".into()));
        }
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let owner = opt_user_id(c, new.owner.as_ref())?;
            let stamp = now();
            let id = c
                .query_one(
                    "INSERT INTO projects (account_id, template, title, owner_id, start_date, status, version, \
                     created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'active', 1, $6, $6) RETURNING id",
                    &[
                        account.into(),
                        new.template.as_str().into(),
                        new.title.trim().into(),
                        owner.into(),
                        new.start_date.into(),
                        stamp.into(),
                    ],
                )?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            let mut keys = HashMap::new();
            for (seq, t) in new.tasks.iter().enumerate() {
                let task = insert_task(c, id, seq as i64, t)?;
                if keys.insert(t.key.trim().to_owned(), task).is_some() {
                    return Err(StoreError::Invalid(format!("two tasks have the key {}", t.key.trim())));
                }
            }
            for t in &new.tasks {
                insert_links(c, keys[t.key.trim()], &t.name, &t.after, &keys)?;
            }
            checked(c, id)
        })
    }

    fn project(&self, id: Id) -> Result<Project> {
        self.read(|c| one(c, id))
    }

    fn project_with_task(&self, task: Id) -> Result<Project> {
        self.read(|c| {
            let id = project_of_task(c, task)?;
            one(c, id)
        })
    }

    fn projects(&self, filter: &ProjectFilter) -> Result<Vec<Project>> {
        self.read(|c| {
            let mut sql = "SELECT p.id FROM projects p JOIN accounts a ON a.id = p.account_id WHERE 1 = 1".to_owned();
            let mut args: Vec<Value> = Vec::new();
            if let Some(a) = &filter.account {
                args.push(a.as_str().into());
                sql.push_str(&format!(" AND a.slug = ${}", args.len()));
            }
            if let Some(s) = filter.status {
                args.push(s.as_str().into());
                sql.push_str(&format!(" AND p.status = ${}", args.len()));
            }
            if filter.task_owner.is_some() || filter.task_department.is_some() {
                let mut whose = Vec::new();
                if let Some(e) = &filter.task_owner {
                    args.push(e.as_str().into());
                    whose.push(format!("t.owner_id = (SELECT id FROM users WHERE email = ${})", args.len()));
                }
                if let Some(d) = filter.task_department {
                    args.push(d.as_str().into());
                    whose.push(format!("(t.owner_id IS NULL AND NOT t.client AND t.department = ${})", args.len()));
                }
                sql.push_str(&format!(
                    " AND EXISTS (SELECT 1 FROM project_tasks t WHERE t.project_id = p.id AND t.actual_finish IS NULL \
                     AND ({}))",
                    whose.join(" OR ")
                ));
            }
            sql.push_str(" ORDER BY p.id DESC");
            let ids: Vec<Id> = c.query(&sql, &args)?.iter().map(|r| r.int(0)).collect::<Result<_>>()?;
            ids.into_iter().map(|id| one(c, id)).collect()
        })
    }

    fn update_project_task(&self, task: Id, edit: &ProjectTaskEdit, version: i64) -> Result<Project> {
        self.write(|c| {
            let id = project_of_task(c, task)?;
            // The project's row first, as every change to a plan takes it: two changes to
            // one plan queue behind each other rather than deadlock.
            bump(c, id, None)?;
            let project = one(c, id)?;
            let current = project.task(task).ok_or_else(|| StoreError::NotFound(format!("project task {task}")))?;
            if current.version != version {
                return Err(StoreError::Conflict { what: format!("project task {task}"), current: current.version });
            }
            let after = project.edited(task, edit).map_err(StoreError::Invalid)?;
            let t = after.task(task).expect("the edited task");
            let owner = opt_user_id(c, t.owner.as_ref())?;
            let changed = c.execute(
                "UPDATE project_tasks SET name = $1, owner_id = $2, duration_days = $3, actual_start = $4, \
                 actual_finish = $5, updated_at = $6, version = version + 1 WHERE id = $7 AND version = $8",
                &[
                    t.name.as_str().into(),
                    owner.into(),
                    i64::from(t.duration_days).into(),
                    t.actual_start.into(),
                    t.actual_finish.into(),
                    now().into(),
                    task.into(),
                    version.into(),
                ],
            )?;
            check_versioned_update(c, changed, "project_tasks", task, &format!("project task {task}"))?;
            if t.depends_on != current.depends_on {
                c.execute("DELETE FROM project_links WHERE task_id = $1", &[task.into()])?;
                for l in &t.depends_on {
                    link(c, task, l)?;
                }
            }
            checked(c, project.id)
        })
    }

    fn add_project_task(&self, project: Id, task: &NewProjectTask, version: i64) -> Result<Project> {
        self.write(|c| {
            bump(c, project, Some(version))?;
            let current = one(c, project)?;
            let keys: HashMap<String, Id> = current.tasks.iter().map(|t| (t.key.clone(), t.id)).collect();
            if keys.contains_key(task.key.trim()) {
                return Err(StoreError::Invalid(format!(
                    "this project already has a task with the key {}",
                    task.key.trim()
                )));
            }
            let seq = c
                .query_one(
                    "SELECT COALESCE(MAX(seq), -1) + 1 FROM project_tasks WHERE project_id = $1",
                    &[project.into()],
                )?
                .ok_or_else(|| StoreError::Backend("no next position".into()))?
                .int(0)?;
            let id = insert_task(c, project, seq, task)?;
            insert_links(c, id, &task.name, &task.after, &keys)?;
            checked(c, project)
        })
    }

    fn remove_project_task(&self, task: Id, version: i64) -> Result<Project> {
        self.write(|c| {
            let project = project_of_task(c, task)?;
            bump(c, project, Some(version))?;
            let current = one(c, project)?;
            let gone = current.task(task).map(|t| t.name.clone()).unwrap_or_default();
            if let Some(waiting) = current.tasks.iter().find(|t| t.depends_on.iter().any(|l| l.on == task)) {
                return Err(StoreError::Invalid(format!(
                    "{} waits for {gone}; change what it waits for first",
                    waiting.name
                )));
            }
            c.execute("DELETE FROM project_tasks WHERE id = $1", &[task.into()])?;
            checked(c, project)
        })
    }

    fn set_project_status(&self, project: Id, status: ProjectStatus, version: i64) -> Result<Project> {
        self.write(|c| {
            let changed = c.execute(
                "UPDATE projects SET status = $1, updated_at = $2, version = version + 1 WHERE id = $3 AND version = $4",
                &[status.as_str().into(), now().into(), project.into(), version.into()],
            )?;
            check_versioned_update(c, changed, "projects", project, &format!("project {project}"))?;
            one(c, project)
        })
    }
}
