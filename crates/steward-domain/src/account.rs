use crate::{Email, Id, Metro, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, NaiveDate, Utc};

text_enum! {
    /// Mid-market is 500–4,999 employees; large enterprise 5,000+.
    pub enum Segment ("segment") {
        MidMarket = "mid_market",
        LargeEnterprise = "large_enterprise",
    }
}

impl Segment {
    pub fn for_employees(employees: i64) -> Self {
        if employees >= 5_000 { Segment::LargeEnterprise } else { Segment::MidMarket }
    }
}

text_enum! {
    pub enum AccountStatus ("account status") {
        Prospect = "prospect",
        Implementing = "implementing",
        Live = "live",
        Churned = "churned",
    }
}

/// The share of eligible lives an account is expected to enroll when none is set.
pub const DEFAULT_ENROLLMENT_TARGET: f64 = 0.30;

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Account {
    pub id: Id,
    pub slug: Slug,
    pub name: String,
    pub segment: Segment,
    pub industry: String,
    pub employee_count: Option<i64>,
    pub status: AccountStatus,
    pub parent: Option<Slug>,
    pub owner: Option<Email>,
    pub launch_date: Option<NaiveDate>,
    pub fein: Option<String>,
    pub enrollment_target: f64,
    pub version: i64,
    /// How many writes the account's data (contacts, activities, tasks, contracts, metrics,
    /// …) has had: what a copy of its summary kept in memory compares to know it is current.
    #[serde(skip)]
    pub data_changes: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewAccount {
    pub slug: Slug,
    pub name: String,
    pub segment: Segment,
    pub industry: String,
    pub employee_count: Option<i64>,
    pub status: AccountStatus,
    pub parent: Option<Slug>,
    pub owner: Option<Email>,
    pub launch_date: Option<NaiveDate>,
    pub fein: Option<String>,
    pub enrollment_target: f64,
}

impl From<&Account> for NewAccount {
    /// The account as it is, to change a field of.
    fn from(a: &Account) -> Self {
        Self {
            slug: a.slug.clone(),
            name: a.name.clone(),
            segment: a.segment,
            industry: a.industry.clone(),
            employee_count: a.employee_count,
            status: a.status,
            parent: a.parent.clone(),
            owner: a.owner.clone(),
            launch_date: a.launch_date,
            fein: a.fein.clone(),
            enrollment_target: a.enrollment_target,
        }
    }
}

impl NewAccount {
    /// An account with the defaults a new client starts with.
    pub fn new(slug: Slug, name: impl Into<String>) -> Self {
        Self {
            slug,
            name: name.into(),
            segment: Segment::MidMarket,
            industry: String::new(),
            employee_count: None,
            status: AccountStatus::Prospect,
            parent: None,
            owner: None,
            launch_date: None,
            fein: None,
            enrollment_target: DEFAULT_ENROLLMENT_TARGET,
        }
    }

    pub fn validate(&self) -> Result<(), ParseError> {
        if self.name.trim().is_empty() {
            return Err(ParseError::new("an account needs a name"));
        }
        crate::input::text_field("the name", crate::input::TextKind::Name, &self.name)?;
        if self.employee_count.is_some_and(|n| n < 0) {
            return Err(ParseError::new("employee count cannot be negative"));
        }
        if !(0.0..=1.0).contains(&self.enrollment_target) {
            return Err(ParseError::new("enrollment target is a fraction between 0 and 1"));
        }
        if let Some(fein) = &self.fein {
            validate_fein(fein)?;
        }
        if self.parent.as_ref() == Some(&self.slug) {
            return Err(ParseError::new("an account cannot be its own parent"));
        }
        Ok(())
    }
}

/// A federal employer identification number, written `NN-NNNNNNN`.
pub fn validate_fein(fein: &str) -> Result<(), ParseError> {
    let b = fein.as_bytes();
    let ok = b.len() == 10 && b[2] == b'-' && b.iter().enumerate().all(|(i, c)| i == 2 || c.is_ascii_digit());
    if ok { Ok(()) } else { Err(ParseError::new(format!("invalid FEIN {fein:?}: expected NN-NNNNNNN"))) }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Worksite {
    pub id: Id,
    pub account: Slug,
    pub name: String,
    pub metro: Metro,
    pub zip3: Option<String>,
    pub headcount: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewWorksite {
    pub account: Slug,
    pub name: String,
    pub metro: Metro,
    pub zip3: Option<String>,
    pub headcount: Option<i64>,
}

impl NewWorksite {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.name.trim().is_empty() {
            return Err(ParseError::new("a worksite needs a name"));
        }
        if let Some(z) = &self.zip3
            && (z.len() != 3 || !z.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(ParseError::new(format!("invalid zip3 {z:?}: expected three digits")));
        }
        if self.headcount.is_some_and(|n| n < 0) {
            return Err(ParseError::new("headcount cannot be negative"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_boundary_is_5000() {
        assert_eq!(Segment::for_employees(4_999), Segment::MidMarket);
        assert_eq!(Segment::for_employees(5_000), Segment::LargeEnterprise);
    }

    #[test]
    fn validates_fein_and_target() {
        assert!(validate_fein("12-3456789").is_ok());
        assert!(validate_fein("123456789").is_err());
        let mut a = NewAccount::new(Slug::parse("acme").unwrap(), "Acme");
        a.enrollment_target = 1.5;
        assert!(a.validate().is_err());
        a.enrollment_target = 0.3;
        a.parent = Some(a.slug.clone());
        assert!(a.validate().is_err());
    }
}
