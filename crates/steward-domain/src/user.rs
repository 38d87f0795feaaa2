use crate::{Email, Id, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, Utc};

text_enum! {
    /// What a signed-in person may see and do (DOMAIN.md "The business").
    pub enum Role ("role") {
        Admin = "admin",
        Director = "director",
        AccountManager = "account_manager",
        Colleague = "colleague",
        Client = "client",
    }
}

text_enum! {
    /// The departments colleagues work in; implementation tasks are assigned to them.
    pub enum Department ("department") {
        Operations = "operations",
        Marketing = "marketing",
        Sales = "sales",
        Clinical = "clinical",
        It = "it",
    }
}

impl Department {
    /// As people write it: "Operations", "IT".
    pub fn label(self) -> &'static str {
        match self {
            Department::Operations => "Operations",
            Department::Marketing => "Marketing",
            Department::Sales => "Sales",
            Department::Clinical => "Clinical",
            Department::It => "IT",
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct User {
    pub id: Id,
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    /// The one account a client user belongs to.
    pub account: Option<Slug>,
    pub active: bool,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    pub account: Option<Slug>,
    /// An argon2id PHC string; never a password.
    pub password_hash: String,
}

impl NewUser {
    /// A client user belongs to exactly one account; a colleague to a department; nobody
    /// else to either, so a role can never carry stale scope.
    pub fn validate(&self) -> Result<(), ParseError> {
        check_scope(self.role, self.department, self.account.as_ref())?;
        if self.name.trim().is_empty() {
            return Err(ParseError::new("a user needs a name"));
        }
        crate::input::text_field("the name", crate::input::TextKind::Name, &self.name)
    }
}

pub fn check_scope(role: Role, department: Option<Department>, account: Option<&Slug>) -> Result<(), ParseError> {
    match (role, department.is_some(), account.is_some()) {
        (Role::Client, false, true) | (Role::Colleague, true, false) => Ok(()),
        (Role::Client, _, false) => {
            Err(ParseError::new("a client user needs --account SLUG (the employer they work for)"))
        }
        (Role::Colleague, false, _) => Err(ParseError::new("a colleague needs a department")),
        (_, _, true) => Err(ParseError::new(format!("only client users belong to an account, not role {role}"))),
        (_, true, _) => Err(ParseError::new(format!("only colleagues have a department, not role {role}"))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_follows_role() {
        let acme = Slug::parse("acme").unwrap();
        assert!(check_scope(Role::Client, None, Some(&acme)).is_ok());
        assert!(check_scope(Role::Client, None, None).is_err());
        assert!(check_scope(Role::Colleague, Some(Department::It), None).is_ok());
        assert!(check_scope(Role::Colleague, None, None).is_err());
        assert!(check_scope(Role::AccountManager, None, Some(&acme)).is_err());
        assert!(check_scope(Role::Director, Some(Department::Sales), None).is_err());
        assert!(check_scope(Role::Admin, None, None).is_ok());
    }
}
