use crate::{Id, ParseError, Slug};
use chrono::{DateTime, NaiveDate, Utc};

/// A 1–5 satisfaction rating given by one of the client's HR contacts.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CsatRating {
    pub id: Id,
    pub account: Slug,
    pub contact_id: Option<Id>,
    pub rated_on: NaiveDate,
    pub score: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewCsatRating {
    pub account: Slug,
    pub contact_id: Option<Id>,
    pub rated_on: NaiveDate,
    pub score: i64,
}

impl NewCsatRating {
    pub fn validate(&self) -> Result<(), ParseError> {
        if (1..=5).contains(&self.score) {
            Ok(())
        } else {
            Err(ParseError::new(format!("CSAT is rated 1 to 5, not {}", self.score)))
        }
    }
}
