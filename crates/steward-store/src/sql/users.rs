use super::{SqlStore, check_versioned_update, now, opt_account_id};
use crate::{Driver, PasswordChanged, Result, Row, StoreError, UserEdit, UserStore, error::duplicate_as};
use steward_domain::{Email, NewUser, Role, User, user::check_scope};

pub(super) const COLUMNS: &str =
    "SELECT u.id, u.email, u.name, u.role, u.department, a.slug, u.active, u.version, u.created_at, u.updated_at";
/// How many columns [`COLUMNS`] selects; a query may add its own after them.
pub(super) const COLUMN_COUNT: usize = 10;
pub(super) const SELECT: &str = "SELECT u.id, u.email, u.name, u.role, u.department, a.slug, u.active, u.version, \
    u.created_at, u.updated_at FROM users u LEFT JOIN accounts a ON a.id = u.account_id";

pub(super) fn user(r: &Row) -> Result<User> {
    Ok(User {
        id: r.int(0)?,
        email: r.parse(1)?,
        name: r.text(2)?,
        role: r.parse(3)?,
        department: r.opt_parse(4)?,
        account: r.opt_parse(5)?,
        active: r.bool(6)?,
        version: r.int(7)?,
        created_at: r.time(8)?,
        updated_at: r.time(9)?,
    })
}

impl<D: Driver> UserStore for SqlStore<D> {
    fn create_user(&self, new: &NewUser) -> Result<User> {
        new.validate()?;
        self.write(|c| {
            let account_id = opt_account_id(c, new.account.as_ref())?;
            let t = now();
            c.execute(
                "INSERT INTO users (email, name, role, department, account_id, password_hash, active, version, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, TRUE, 1, $7, $7)",
                &[
                    new.email.as_str().into(),
                    new.name.as_str().into(),
                    new.role.as_str().into(),
                    new.department.map(|d| d.as_str()).into(),
                    account_id.into(),
                    new.password_hash.as_str().into(),
                    t.into(),
                ],
            )
            .map_err(duplicate_as(|| format!("user {}", new.email)))?;
            one(c, &new.email)
        })
    }

    fn user(&self, email: &Email) -> Result<User> {
        self.read(|c| one(c, email))
    }

    fn users(&self) -> Result<Vec<User>> {
        self.read(|c| c.query(&format!("{SELECT} ORDER BY u.email"), &[])?.iter().map(user).collect())
    }

    fn internal_users(&self) -> Result<Vec<User>> {
        self.read(|c| {
            // The roles by name (not `<> 'client'`) so the role index skips the client users.
            let internal: Vec<String> =
                Role::ALL.iter().filter(|r| **r != Role::Client).map(|r| format!("'{}'", r.as_str())).collect();
            let sql =
                format!("{SELECT} WHERE u.active AND u.role IN ({}) ORDER BY u.name, u.email", internal.join(", "));
            c.query(&sql, &[])?.iter().map(user).collect()
        })
    }

    fn password_hash(&self, email: &Email) -> Result<Option<String>> {
        self.read(|c| {
            c.query_one("SELECT password_hash FROM users WHERE email = $1 AND active", &[email.as_str().into()])?
                .map(|r| r.text(0))
                .transpose()
        })
    }

    fn set_password_hash(
        &self,
        email: &Email,
        password_hash: &str,
        keep_session: Option<&str>,
        revoke_tokens: bool,
    ) -> Result<PasswordChanged> {
        self.write(|c| {
            let current = one(c, email)?;
            c.execute(
                "UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3",
                &[password_hash.into(), now().into(), current.id.into()],
            )?;
            let sessions_ended = c.execute(
                "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2",
                &[current.id.into(), keep_session.unwrap_or_default().into()],
            )?;
            let tokens_revoked = if revoke_tokens { revoke_tokens_of(c, current.id)? } else { 0 };
            Ok(PasswordChanged { sessions_ended, tokens_revoked })
        })
    }

    fn update_user(&self, email: &Email, edit: &UserEdit, version: i64) -> Result<User> {
        check_scope(edit.role, edit.department, edit.account.as_ref())?;
        steward_domain::input::text_field("the name", steward_domain::input::TextKind::Name, &edit.name)?;
        self.write(|c| {
            let current = one(c, email)?;
            let account_id = opt_account_id(c, edit.account.as_ref())?;
            let changed = c.execute(
                "UPDATE users SET name = $1, role = $2, department = $3, account_id = $4, active = $5, \
                 version = version + 1, updated_at = $6 WHERE id = $7 AND version = $8",
                &[
                    edit.name.as_str().into(),
                    edit.role.as_str().into(),
                    edit.department.map(|d| d.as_str()).into(),
                    account_id.into(),
                    edit.active.into(),
                    now().into(),
                    current.id.into(),
                    version.into(),
                ],
            )?;
            check_versioned_update(c, changed, "users", current.id, &format!("user {email}"))?;
            if current.active && !edit.active {
                c.execute("DELETE FROM sessions WHERE user_id = $1", &[current.id.into()])?;
                revoke_tokens_of(c, current.id)?;
            }
            one(c, email)
        })
    }
}

/// Revokes every live API token of the user; how many were.
fn revoke_tokens_of(c: &mut dyn crate::Conn, user_id: steward_domain::Id) -> Result<u64> {
    Ok(c.execute(
        "UPDATE api_tokens SET revoked_at = $1, version = version + 1 WHERE user_id = $2 AND revoked_at IS NULL",
        &[now().into(), user_id.into()],
    )?)
}

fn one(c: &mut dyn crate::Conn, email: &Email) -> Result<User> {
    let row = c
        .query_one(&format!("{SELECT} WHERE u.email = $1"), &[email.as_str().into()])?
        .ok_or_else(|| StoreError::NotFound(format!("user {email}")))?;
    user(&row)
}
