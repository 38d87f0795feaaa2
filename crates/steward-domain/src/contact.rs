use crate::{Email, Id, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, NaiveDate, Utc};

text_enum! {
    /// A client stakeholder's part in the relationship.
    pub enum ContactRole ("contact role") {
        ExecutiveSponsor = "executive_sponsor",
        DecisionMaker = "decision_maker",
        Champion = "champion",
        HrBenefits = "hr_benefits",
        BrokerConsultant = "broker_consultant",
        Finance = "finance",
        Other = "other",
    }
}

impl ContactRole {
    /// Touches with these people count for "days since last touch with a decision maker".
    pub fn decides(self) -> bool {
        matches!(self, ContactRole::ExecutiveSponsor | ContactRole::DecisionMaker)
    }
}

/// The last day, on or before `as_of`, that `contact` was met: a logged activity they took
/// part in, or the last touch recorded on them (kept when an activity is logged, or given
/// when the contact was added).
pub fn last_met(contact: &Contact, activities: &[crate::Activity], as_of: NaiveDate) -> Option<NaiveDate> {
    activities
        .iter()
        .filter(|a| a.contact_ids.contains(&contact.id))
        .map(|a| a.occurred_at.date_naive())
        .chain(contact.last_touch)
        .filter(|d| *d <= as_of)
        .max()
}

/// The last day, on or before `as_of`, that someone who decides — an executive sponsor or a
/// decision maker ([`ContactRole::decides`]) — was met ([`last_met`]). The one definition
/// health, playbooks, tasks and the stakeholder list share.
pub fn last_decision_maker_touch(
    contacts: &[Contact],
    activities: &[crate::Activity],
    as_of: NaiveDate,
) -> Option<NaiveDate> {
    contacts.iter().filter(|c| c.role.decides()).filter_map(|c| last_met(c, activities, as_of)).max()
}

/// One of the client's HR or business people (not a member: business details are fine).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contact {
    pub id: Id,
    pub account: Slug,
    pub name: String,
    pub title: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub role: ContactRole,
    /// 1 (little say) to 5 (decides).
    pub influence: i64,
    /// −2 (detractor) to +2 (advocate).
    pub sentiment: i64,
    pub last_touch: Option<NaiveDate>,
    /// The day they stopped being a stakeholder (left the company, changed role).
    pub retired_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

text_enum! {
    pub enum ContactChangeKind ("contact change") {
        Added = "added",
        Edited = "edited",
        Retired = "retired",
    }
}

/// One version of a stakeholder as it was kept, with who changed it and when.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ContactChange {
    pub version: i64,
    pub change: ContactChangeKind,
    pub name: String,
    pub title: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub role: ContactRole,
    pub influence: i64,
    pub sentiment: i64,
    pub changed_by: Option<Email>,
    pub changed_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewContact {
    pub account: Slug,
    pub name: String,
    pub title: String,
    pub email: Option<Email>,
    pub phone: Option<String>,
    pub role: ContactRole,
    pub influence: i64,
    pub sentiment: i64,
    pub last_touch: Option<NaiveDate>,
}

impl NewContact {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.name.trim().is_empty() {
            return Err(ParseError::new("a contact needs a name"));
        }
        crate::input::text_field("the name", crate::input::TextKind::Name, &self.name)?;
        if !(1..=5).contains(&self.influence) {
            return Err(ParseError::new("influence is 1 to 5"));
        }
        if !(-2..=2).contains(&self.sentiment) {
            return Err(ParseError::new("sentiment is −2 to +2"));
        }
        Ok(())
    }
}
