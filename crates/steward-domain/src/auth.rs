//! What the store keeps about signed-in people: API tokens (listed by prefix, never shown
//! again after creation) — and sessions, which carry no more than a user and an expiry.

use crate::{Email, Id};
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiToken {
    pub id: Id,
    pub user: Email,
    pub name: String,
    /// The token's first characters, to tell tokens apart; not enough to use one.
    pub prefix: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub version: i64,
}
