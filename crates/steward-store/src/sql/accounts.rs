use super::{SqlStore, account_id, check_versioned_update, now, opt_user_id};
use crate::{AccountStore, Conn, Driver, Result, Row, StoreError, Value, error::duplicate_as};
use steward_domain::{Account, Email, Id, Metro, NewAccount, NewWorksite, Role, Slug, Worksite};

const SELECT: &str = "SELECT a.id, a.slug, a.name, a.segment, a.industry, a.employee_count, a.status, p.slug, \
    u.email, a.launch_date, a.fein, a.enrollment_target, a.version, a.created_at, a.updated_at, a.data_changes \
    FROM accounts a LEFT JOIN accounts p ON p.id = a.parent_id LEFT JOIN users u ON u.id = a.owner_id";

fn account(r: &Row) -> Result<Account> {
    Ok(Account {
        id: r.int(0)?,
        slug: r.parse(1)?,
        name: r.text(2)?,
        segment: r.parse(3)?,
        industry: r.text(4)?,
        employee_count: r.opt_int(5)?,
        status: r.parse(6)?,
        parent: r.opt_parse(7)?,
        owner: r.opt_parse(8)?,
        launch_date: r.opt_date(9)?,
        fein: r.opt_text(10)?,
        enrollment_target: r.real(11)?,
        version: r.int(12)?,
        created_at: r.time(13)?,
        updated_at: r.time(14)?,
        data_changes: r.int(15)?,
    })
}

fn one(c: &mut dyn Conn, slug: &Slug) -> Result<Account> {
    let row = c
        .query_one(&format!("{SELECT} WHERE a.slug = $1"), &[slug.as_str().into()])?
        .ok_or_else(|| StoreError::NotFound(format!("account {slug}")))?;
    account(&row)
}

/// An account is owned by someone who manages accounts, never a colleague or client.
fn owner_id(c: &mut dyn Conn, owner: Option<&Email>) -> Result<Option<Id>> {
    let Some(email) = owner else { return Ok(None) };
    let id = opt_user_id(c, Some(email))?;
    let role = c.query_one("SELECT role FROM users WHERE email = $1", &[email.as_str().into()])?;
    match role.map(|r| r.parse::<Role>(0)).transpose()? {
        Some(Role::AccountManager | Role::Director) => Ok(id),
        _ => Err(StoreError::Invalid(format!("{email} cannot own accounts: only account managers and directors do"))),
    }
}

/// The parent's id, refusing a parent that is (or descends from) the account itself.
fn parent_id(c: &mut dyn Conn, new: &NewAccount, self_id: Option<Id>) -> Result<Option<Id>> {
    let Some(parent) = &new.parent else { return Ok(None) };
    let parent_id = account_id(c, parent)?;
    let mut cursor = Some(parent_id);
    let mut seen = std::collections::HashSet::new();
    while let Some(id) = cursor {
        // `seen` ends the walk even over a cycle that slipped in by a concurrent edit.
        if Some(id) == self_id || !seen.insert(id) {
            return Err(StoreError::Invalid(format!(
                "{parent} is a subsidiary of {}: accounts cannot form a cycle",
                new.slug
            )));
        }
        cursor = c
            .query_one("SELECT parent_id FROM accounts WHERE id = $1", &[Value::Int(id)])?
            .map(|r| r.opt_int(0))
            .transpose()?
            .flatten();
    }
    Ok(Some(parent_id))
}

fn fields(new: &NewAccount, parent: Option<Id>, owner: Option<Id>) -> Vec<Value> {
    vec![
        new.name.as_str().into(),
        new.segment.as_str().into(),
        new.industry.as_str().into(),
        new.employee_count.into(),
        new.status.as_str().into(),
        parent.into(),
        owner.into(),
        new.launch_date.into(),
        new.fein.as_deref().into(),
        new.enrollment_target.into(),
        now().into(),
    ]
}

impl<D: Driver> AccountStore for SqlStore<D> {
    fn create_account(&self, new: &NewAccount) -> Result<Account> {
        new.validate()?;
        self.write(|c| {
            let parent = parent_id(c, new, None)?;
            let owner = owner_id(c, new.owner.as_ref())?;
            let mut params = fields(new, parent, owner);
            params.push(new.slug.as_str().into());
            c.execute(
                "INSERT INTO accounts (name, segment, industry, employee_count, status, parent_id, owner_id, launch_date, \
                 fein, enrollment_target, created_at, updated_at, slug, version) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, 1)",
                &params,
            )
            .map_err(duplicate_as(|| format!("account {}", new.slug)))?;
            one(c, &new.slug)
        })
    }

    fn account(&self, slug: &Slug) -> Result<Account> {
        self.read(|c| one(c, slug))
    }

    fn accounts(&self) -> Result<Vec<Account>> {
        self.read(|c| c.query(&format!("{SELECT} ORDER BY a.name, a.slug"), &[])?.iter().map(account).collect())
    }

    fn update_account(&self, edit: &NewAccount, version: i64) -> Result<Account> {
        edit.validate()?;
        self.write(|c| {
            let id = account_id(c, &edit.slug)?;
            let parent = parent_id(c, edit, Some(id))?;
            let owner = owner_id(c, edit.owner.as_ref())?;
            let mut params = fields(edit, parent, owner);
            params.extend([Value::Int(id), Value::Int(version)]);
            let changed = c.execute(
                "UPDATE accounts SET name = $1, segment = $2, industry = $3, employee_count = $4, status = $5, \
                 parent_id = $6, owner_id = $7, launch_date = $8, fein = $9, enrollment_target = $10, updated_at = $11, \
                 version = version + 1 WHERE id = $12 AND version = $13",
                &params,
            )?;
            check_versioned_update(c, changed, "accounts", id, &format!("account {}", edit.slug))?;
            one(c, &edit.slug)
        })
    }

    fn create_worksite(&self, new: &NewWorksite) -> Result<Worksite> {
        new.validate()?;
        self.write(|c| {
            let account = account_id(c, &new.account)?;
            let t = now();
            let row = c
                .query_one(
                    "INSERT INTO worksites (account_id, name, metro, zip3, headcount, version, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, 1, $6, $6) RETURNING id",
                    &[
                        account.into(),
                        new.name.as_str().into(),
                        new.metro.as_str().into(),
                        new.zip3.as_deref().into(),
                        new.headcount.into(),
                        t.into(),
                    ],
                )
                .map_err(duplicate_as(|| format!("worksite {:?} of {}", new.name, new.account)))?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?;
            Ok(Worksite {
                id: row.int(0)?,
                account: new.account.clone(),
                name: new.name.clone(),
                metro: new.metro,
                zip3: new.zip3.clone(),
                headcount: new.headcount,
                version: 1,
                created_at: t,
                updated_at: t,
            })
        })
    }

    fn worksites(&self, account: &Slug) -> Result<Vec<Worksite>> {
        self.read(|c| {
            let id = account_id(c, account)?;
            c.query(
                "SELECT id, name, metro, zip3, headcount, version, created_at, updated_at FROM worksites \
                 WHERE account_id = $1 ORDER BY name",
                &[id.into()],
            )?
            .iter()
            .map(|r| {
                Ok(Worksite {
                    id: r.int(0)?,
                    account: account.clone(),
                    name: r.text(1)?,
                    metro: r.parse(2)?,
                    zip3: r.opt_text(3)?,
                    headcount: r.opt_int(4)?,
                    version: r.int(5)?,
                    created_at: r.time(6)?,
                    updated_at: r.time(7)?,
                })
            })
            .collect()
        })
    }

    fn metros(&self) -> Result<Vec<Metro>> {
        self.read(|c| c.query("SELECT code FROM metros ORDER BY code", &[])?.iter().map(|r| r.parse(0)).collect())
    }
}
