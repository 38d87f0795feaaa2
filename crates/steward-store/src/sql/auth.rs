use super::{SqlStore, check_versioned_update, now, user_id, users};
use crate::{AuthStore, Conn, Driver, Result, Row, StoreError, Value, error::duplicate_as};
use chrono::{DateTime, Utc};
use steward_domain::throttle::{Failures, Policy, Scope};
use steward_domain::{Email, Id, User, auth::ApiToken};

const TOKEN_SELECT: &str = "SELECT t.id, u.email, t.name, t.prefix, t.created_at, t.last_used_at, t.revoked_at, \
    t.version FROM api_tokens t JOIN users u ON u.id = t.user_id";

fn token(r: &Row) -> Result<ApiToken> {
    Ok(ApiToken {
        id: r.int(0)?,
        user: r.parse(1)?,
        name: r.text(2)?,
        prefix: r.text(3)?,
        created_at: r.time(4)?,
        last_used_at: r.opt_time(5)?,
        revoked_at: r.opt_time(6)?,
        version: r.int(7)?,
    })
}

fn one_token(c: &mut dyn Conn, id: Id) -> Result<ApiToken> {
    let row = c
        .query_one(&format!("{TOKEN_SELECT} WHERE t.id = $1"), &[Value::Int(id)])?
        .ok_or_else(|| StoreError::NotFound(format!("API token {id}")))?;
    token(&row)
}

impl<D: Driver> AuthStore for SqlStore<D> {
    fn create_session(&self, user: &Email, id_digest: &str, expires_at: DateTime<Utc>) -> Result<()> {
        self.write(|c| {
            let uid = user_id(c, user)?;
            // Only for an active user, in the same transaction: a sign-in racing a
            // deactivation cannot leave a session for reactivation to revive.
            let made = c
                .execute(
                    "INSERT INTO sessions (id_hash, user_id, created_at, expires_at) \
                     SELECT $1, id, $3, $4 FROM users WHERE id = $2 AND active",
                    &[id_digest.into(), uid.into(), now().into(), expires_at.into()],
                )
                .map_err(duplicate_as(|| "session".to_owned()))?;
            if made == 0 {
                return Err(StoreError::NotFound(format!("active user {user}")));
            }
            Ok(())
        })
    }

    fn session_user(&self, id_digest: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        self.read(|c| {
            c.query_one(
                &format!(
                    "{} JOIN sessions s ON s.user_id = u.id WHERE s.id_hash = $1 AND s.expires_at > $2 AND u.active",
                    users::SELECT
                ),
                &[id_digest.into(), now.into()],
            )?
            .map(|r| users::user(&r))
            .transpose()
        })
    }

    fn delete_session(&self, id_digest: &str) -> Result<()> {
        self.write(|c| {
            c.execute("DELETE FROM sessions WHERE id_hash = $1", &[id_digest.into()])?;
            Ok(())
        })
    }

    fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        self.write(|c| Ok(c.execute("DELETE FROM sessions WHERE expires_at <= $1", &[now.into()])?))
    }

    fn create_api_token(&self, user: &Email, name: &str, token_digest: &str, prefix: &str) -> Result<ApiToken> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("an API token needs a name".into()));
        }
        steward_domain::input::text_field("the token's name", steward_domain::input::TextKind::Name, name)?;
        self.write(|c| {
            let uid = user_id(c, user)?;
            let id = c
                .query_one(
                    "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, version) \
                     VALUES ($1, $2, $3, $4, $5, 1) RETURNING id",
                    &[uid.into(), name.into(), token_digest.into(), prefix.into(), now().into()],
                )
                .map_err(duplicate_as(|| "API token".to_owned()))?
                .ok_or_else(|| StoreError::Backend("INSERT returned no id".into()))?
                .int(0)?;
            one_token(c, id)
        })
    }

    fn api_token_user(&self, token_digest: &str) -> Result<Option<User>> {
        let found = self.read(|c| {
            let row = c.query_one(
                &format!(
                    "{}, t.last_used_at FROM users u LEFT JOIN accounts a ON a.id = u.account_id \
                     JOIN api_tokens t ON t.user_id = u.id \
                     WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active",
                    users::COLUMNS
                ),
                &[token_digest.into()],
            )?;
            row.map(|r| Ok::<_, crate::StoreError>((users::user(&r)?, r.opt_time(users::COLUMN_COUNT)?))).transpose()
        })?;
        let Some((user, last_used)) = found else { return Ok(None) };
        // Noting each use would make every API request a write; once a minute is enough
        // to tell which tokens are in use.
        let t = now();
        if last_used.is_none_or(|l| t - l > chrono::Duration::minutes(1)) {
            self.write(|c| {
                let sql = "UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2";
                Ok(c.execute(sql, &[t.into(), token_digest.into()])?)
            })?;
        }
        Ok(Some(user))
    }

    fn api_token(&self, id: Id) -> Result<ApiToken> {
        self.read(|c| one_token(c, id))
    }

    fn api_tokens(&self, user: Option<&Email>) -> Result<Vec<ApiToken>> {
        self.read(|c| {
            let rows = match user {
                Some(email) => c.query(
                    &format!("{TOKEN_SELECT} WHERE u.email = $1 ORDER BY t.created_at DESC, t.id DESC"),
                    &[email.as_str().into()],
                )?,
                None => c.query(&format!("{TOKEN_SELECT} ORDER BY t.created_at DESC, t.id DESC"), &[])?,
            };
            rows.iter().map(token).collect()
        })
    }

    fn revoke_api_token(&self, id: Id, version: i64) -> Result<ApiToken> {
        self.write(|c| {
            let changed = c.execute(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1), version = version + 1 \
                 WHERE id = $2 AND version = $3",
                &[now().into(), id.into(), version.into()],
            )?;
            check_versioned_update(c, changed, "api_tokens", id, &format!("API token {id}"))?;
            one_token(c, id)
        })
    }

    fn claim_sign_in(
        &self,
        keys: &[(Scope, String)],
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<(), DateTime<Utc>>> {
        let forget_before = policy.forget_before(now);
        self.write(|c| {
            c.execute("DELETE FROM sign_in_failures WHERE last_failure_at < $1", &[forget_before.into()])?;
            let mut counted = Vec::with_capacity(keys.len());
            for (scope, key) in keys {
                // An upsert that changes nothing, so the row is locked (PostgreSQL) until
                // this attempt is decided and counted; SQLite holds the database already.
                let row = c
                    .query_one(
                        "INSERT INTO sign_in_failures (scope, key_digest, failures, last_failure_at) \
                         VALUES ($1, $2, 0, $3) ON CONFLICT (scope, key_digest) \
                         DO UPDATE SET failures = sign_in_failures.failures RETURNING failures, last_failure_at",
                        &[scope.as_str().into(), key.as_str().into(), now.into()],
                    )?
                    .ok_or_else(|| StoreError::Backend("upsert returned no row".into()))?;
                let count = u32::try_from(row.int(0)?).unwrap_or(u32::MAX);
                let failures = Failures { count, last_at: row.time(1)? };
                counted.push((*scope, (count > 0 && failures.last_at >= forget_before).then_some(failures)));
            }
            if let Err(at) = policy.decide(&counted, now) {
                return Ok(Err(at));
            }
            for ((scope, key), (_, before)) in keys.iter().zip(&counted) {
                let failures = before.map_or(1, |f| i64::from(f.count) + 1);
                let previous = before.map(|f| f.last_at);
                c.execute(
                    "UPDATE sign_in_failures SET failures = $1, last_failure_at = $2, previous_failure_at = $3 \
                     WHERE scope = $4 AND key_digest = $5",
                    &[failures.into(), now.into(), previous.into(), scope.as_str().into(), key.as_str().into()],
                )?;
            }
            Ok(Ok(()))
        })
    }

    fn forgive_sign_in(&self, clear: &[(Scope, String)], uncount: &[(Scope, String)]) -> Result<()> {
        self.write(|c| {
            for (scope, key) in clear {
                c.execute(
                    "DELETE FROM sign_in_failures WHERE scope = $1 AND key_digest = $2",
                    &[scope.as_str().into(), key.as_str().into()],
                )?;
            }
            for (scope, key) in uncount {
                // The attempt was not a failure: its time goes too, so a key that only
                // succeeds is forgotten on time.
                c.execute(
                    "UPDATE sign_in_failures SET failures = failures - 1, \
                     last_failure_at = COALESCE(previous_failure_at, last_failure_at), previous_failure_at = NULL \
                     WHERE scope = $1 AND key_digest = $2 AND failures > 0",
                    &[scope.as_str().into(), key.as_str().into()],
                )?;
            }
            Ok(())
        })
    }
}
