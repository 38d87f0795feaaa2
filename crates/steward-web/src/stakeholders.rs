//! The client's stakeholders as people edit them — add, edit, retire, and CSAT rated per
//! contact per quarter — one set of rules for the pages and the API: whoever may write the
//! account; business contacts of the client's staff, never members.

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::forecast::Quarter;
use steward_domain::input::TextKind;
use steward_domain::{Contact, ContactRole, CsatRating, Email, NewContact, NewCsatRating, User};
use steward_store::Store;

/// A stakeholder as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct ContactForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub role: String,
    #[serde(default)]
    pub influence: String,
    #[serde(default)]
    pub sentiment: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub version: String,
}

impl ContactForm {
    pub fn of(c: &Contact) -> Self {
        Self {
            name: c.name.clone(),
            title: c.title.clone(),
            role: c.role.to_string(),
            influence: c.influence.to_string(),
            sentiment: c.sentiment.to_string(),
            email: c.email.as_ref().map(|e| e.to_string()).unwrap_or_default(),
            phone: c.phone.clone().unwrap_or_default(),
            version: c.version.to_string(),
        }
    }

    /// The contact as typed, for `account`; each problem beside its field.
    pub fn contact(
        &self,
        account: steward_domain::Slug,
        last_touch: Option<NaiveDate>,
    ) -> Result<NewContact, WebError> {
        let mut e = FieldErrors::default();
        let name = e.text("name", &self.name, "A name", TextKind::Name);
        let title = if self.title.trim().is_empty() {
            String::new()
        } else {
            e.text("title", &self.title, "A title", TextKind::Name)
        };
        let role = e.parse::<ContactRole>("role", &self.role, "role");
        if role.is_none() {
            e.add("role", "choose their role");
        }
        let influence = e.parse::<i64>("influence", &self.influence, "number from 1 to 5").unwrap_or(3);
        let sentiment =
            e.parse::<i64>("sentiment", &self.sentiment.replace('+', ""), "number from −2 to +2").unwrap_or(0);
        let email = e.parse::<Email>("email", &self.email, "e-mail address");
        let phone = Some(self.phone.trim().to_owned()).filter(|p| !p.is_empty());
        if let Some(p) = &phone
            && (p.len() > 40 || !p.chars().all(|c| c.is_ascii_digit() || " +-().x".contains(c)))
        {
            e.add("phone", "a phone number is digits, spaces and + - ( ) . x");
        }
        e.check()?;
        let new = NewContact {
            account,
            name,
            title,
            email,
            phone,
            role: role.unwrap_or(ContactRole::Other),
            influence,
            sentiment,
            last_touch,
        };
        new.validate().map_err(|p| {
            let field = if p.0.contains("influence") {
                "influence"
            } else if p.0.contains("sentiment") {
                "sentiment"
            } else {
                "name"
            };
            WebError::field(field, p.0)
        })?;
        Ok(new)
    }
}

pub fn add(store: &dyn Store, user: &User, slug: &str, form: &ContactForm) -> Result<Contact, WebError> {
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    let new = form.contact(account.slug, None)?;
    Ok(store.create_contact(&new, Some(&user.email))?)
}

pub fn edit(store: &dyn Store, user: &User, id: i64, form: &ContactForm) -> Result<Contact, WebError> {
    let current = store.contact(id)?;
    authz::load_account(store, user, current.account.as_str(), AccountAccess::Write)?;
    let version = form.version.trim().parse::<i64>().map_err(|_| WebError::field("version", "not a version"))?;
    let edit = form.contact(current.account.clone(), current.last_touch)?;
    Ok(store.update_contact(id, &edit, Some(&user.email), version)?)
}

pub fn retire(store: &dyn Store, user: &User, id: i64, on: NaiveDate, version: i64) -> Result<Contact, WebError> {
    let current = store.contact(id)?;
    authz::load_account(store, user, current.account.as_str(), AccountAccess::Write)?;
    Ok(store.retire_contact(id, on, Some(&user.email), version)?)
}

/// A client's satisfaction as `contact` rated it for `quarter` (kept on the quarter's last day).
pub fn rate(store: &dyn Store, user: &User, id: i64, quarter: Quarter, score: i64) -> Result<CsatRating, WebError> {
    let contact = store.contact(id)?;
    authz::load_account(store, user, contact.account.as_str(), AccountAccess::Write)?;
    let rating = NewCsatRating { account: contact.account, contact_id: Some(id), rated_on: quarter.last_day(), score };
    rating.validate().map_err(|p| WebError::field("score", p.0))?;
    Ok(store.create_csat(&rating)?)
}
