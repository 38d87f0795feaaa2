use crate::{Email, Id, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, Utc};

text_enum! {
    pub enum ActivityKind ("activity kind") {
        Meeting = "meeting",
        Call = "call",
        Email = "email",
        Note = "note",
        Qbr = "qbr",
        Onsite = "onsite",
    }
}

/// Something that happened with a client, for the account's timeline.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Activity {
    pub id: Id,
    pub account: Slug,
    pub kind: ActivityKind,
    pub occurred_at: DateTime<Utc>,
    pub author: Option<Email>,
    pub summary: String,
    /// The contacts involved, by id, ascending.
    pub contact_ids: Vec<Id>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewActivity {
    pub account: Slug,
    pub kind: ActivityKind,
    pub occurred_at: DateTime<Utc>,
    pub author: Option<Email>,
    pub summary: String,
    pub contact_ids: Vec<Id>,
}

impl NewActivity {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.summary.trim().is_empty() {
            return Err(ParseError::new("an activity needs a summary"));
        }
        crate::input::text_field("the summary", crate::input::TextKind::Summary, &self.summary)?;
        crate::input::date_field("the day it happened", Some(self.occurred_at.date_naive()))
    }
}
