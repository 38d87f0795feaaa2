//! Reading form fields into domain values, collecting a message per bad field so the
//! form can be shown again with each error beside its field and nothing typed lost.

use crate::error::WebError;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::str::FromStr;
use steward_domain::input::{self, TextKind};

/// Text typed into `field`, within its kind's limits ([`steward_domain::input`]), checked
/// as sent (a page's form normalizes a textarea's CRLF first) and kept trimmed.
pub fn checked_text(field: &str, kind: TextKind, value: &str) -> Result<String, WebError> {
    input::check_text(kind, value).map_err(|problem| WebError::field(field, format!("this {problem}")))?;
    Ok(value.trim().to_owned())
}

/// A date typed into `field`, within the range any date may have.
pub fn checked_date(field: &str, date: Option<NaiveDate>) -> Result<Option<NaiveDate>, WebError> {
    match date {
        Some(d) => input::check_date(d).map(|()| Some(d)).map_err(|problem| WebError::field(field, problem)),
        None => Ok(None),
    }
}

#[derive(Debug, Default)]
pub struct FieldErrors(pub BTreeMap<String, String>);

impl FieldErrors {
    pub fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_insert_with(|| message.into());
    }

    /// A required text field of `kind`, trimmed and within its limits.
    pub fn text(&mut self, field: &str, value: &str, what: &str, kind: TextKind) -> String {
        let v = value.trim();
        if v.is_empty() {
            self.add(field, format!("{what} is required"));
        }
        match checked_text(field, kind, &input::normalize_newlines(v)) {
            Ok(text) => text,
            Err(e) => {
                self.take(e);
                v.to_owned()
            }
        }
    }

    /// Files an error for a field under that field.
    fn take(&mut self, e: WebError) {
        if let WebError::Invalid { fields, .. } = e {
            fields.into_iter().for_each(|(k, v)| self.add(&k, v));
        }
    }

    /// An optional date written YYYY-MM-DD.
    pub fn date(&mut self, field: &str, value: &str) -> Option<NaiveDate> {
        let v = value.trim();
        if v.is_empty() {
            return None;
        }
        match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => match checked_date(field, Some(d)) {
                Ok(d) => d,
                Err(e) => {
                    self.take(e);
                    None
                }
            },
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

/// What was typed into a form, by field name, to show it again after a refusal.
pub fn typed<T: serde::Serialize>(form: &T) -> BTreeMap<String, String> {
    serde_json::to_value(form)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .map(|o| o.into_iter().filter_map(|(k, v)| Some((k, v.as_str()?.to_owned()))).collect())
        .unwrap_or_default()
}
