//! Reading form fields into domain values, collecting a message per bad field so the
//! form can be shown again with each error beside its field and nothing typed lost.

use crate::error::WebError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::str::FromStr;

#[derive(Debug, Default)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    /// A required text field, trimmed.
    pub fn text(&mut self, field: &str, value: &str, what: &str) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, format!("{what} is required"));
        }
        v.to_owned()
    }

    /// An optional date written YYYY-MM-DD.
    pub fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.add(field, "write the date as YYYY-MM-DD");
                None
            }
        }
    }

    /// An optional value of a domain type (an e-mail, a slug, an enum word).
    pub fn parse<T: FromStr>(&mut self, field: &str, value: &str, what: &str) -> Option<T> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        match v.parse() {
            Ok(t) => Some(t),
            Err(_) => {
                self.add(field, format!("not a valid {what}"));
                None
            }
        }
    }

    pub fn check(self) -> Result<(), WebError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(WebError::Invalid { message: "Some fields need another look.".into(), fields: self.0 })
        }
    }
}
