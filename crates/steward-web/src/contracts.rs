//! Reading a contract's terms from a form and making the change — signing a term and
//! amending one — with the same rules for the pages and the API: the user must be able to
//! write the account; every field's problem is reported beside it; the store refuses what
//! the domain refuses (overlapping terms, an amendment mid-month) and writes nothing then.

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::contract::written;
use steward_domain::input::TextKind;
use steward_domain::{Amendment, ChangeNote, Contract, Money, Month, NewContract, PricingModel, Terms, User};
use steward_store::Store;

/// A contract's terms as typed, each field as text, so a refused form comes back as it was.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct TermsForm {
    #[serde(default)]
    pub model: String,
    /// Dollars.
    #[serde(default)]
    pub rate: String,
    /// One tier a line, UNITS:DOLLARS.
    #[serde(default)]
    pub tiers: String,
    /// Percent.
    #[serde(default)]
    pub escalator: String,
    /// Dollars; blank for none.
    #[serde(default)]
    pub minimum: String,
    /// One a line, SERVICE:DOLLARS_PER_EVENT:EVENTS_PER_YEAR.
    #[serde(default)]
    pub add_ons: String,
    /// One a line, METRIC:TARGET:MEASURED_ON:PERCENT.
    #[serde(default)]
    pub guarantees: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub notice_days: String,
    /// A checkbox: present when ticked.
    #[serde(default)]
    pub auto_renew: Option<String>,
    #[serde(default)]
    pub reason: String,
    /// Amending: the month the new terms bill from, YYYY-MM.
    #[serde(default)]
    pub from: String,
    /// Signing: the first day of the term.
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub version: String,
}

fn cents(m: Money) -> String {
    format!("{}.{:02}", m.cents / 100, m.cents.abs() % 100)
}

impl TermsForm {
    /// The contract's latest terms, to amend or renew from.
    pub fn of(c: &Contract) -> Self {
        let lines = |v: Vec<String>| v.join("\n");
        Self {
            model: c.pricing_model.to_string(),
            rate: cents(c.rate),
            tiers: lines(c.tiers.iter().map(written::tier_text).collect()),
            escalator: c.annual_escalator_pct.to_string(),
            minimum: c.minimum_annual_commitment.map(cents).unwrap_or_default(),
            add_ons: lines(c.add_ons.iter().map(written::add_on_text).collect()),
            guarantees: lines(c.guarantees.iter().map(written::guarantee_text).collect()),
            end_date: c.end_date.to_string(),
            notice_days: c.notice_days.to_string(),
            auto_renew: c.auto_renew.then(|| "on".to_owned()),
            reason: String::new(),
            from: String::new(),
            start_date: String::new(),
            version: c.version.to_string(),
        }
    }

    /// What was typed, by field name, for a form shown again.
    pub fn values(&self) -> std::collections::BTreeMap<String, String> {
        crate::forms::typed(self)
    }

    /// The priced terms as typed, each problem filed under its field.
    pub(crate) fn terms(&self, e: &mut FieldErrors) -> Terms {
        let model = e.parse::<PricingModel>("model", &self.model, "pricing model");
        if self.model.trim().is_empty() {
            e.add("model", "choose a pricing model");
        }
        let money = |e: &mut FieldErrors, field: &str, text: &str| match Money::parse(text) {
            Ok(m) => Some(m),
            Err(problem) => {
                e.add(field, problem.0);
                None
            }
        };
        let rate = money(e, "rate", &self.rate);
        let minimum = if self.minimum.trim().is_empty() { None } else { money(e, "minimum", &self.minimum) };
        let escalator = if self.escalator.trim().is_empty() {
            0.0
        } else {
            e.parse::<f64>("escalator", &self.escalator, "percentage").unwrap_or_default()
        };
        fn list<T>(
            e: &mut FieldErrors,
            field: &str,
            text: &str,
            one: fn(&str) -> Result<T, steward_domain::ParseError>,
        ) -> Vec<T> {
            written::lines(text, one).unwrap_or_else(|problem| {
                e.add(field, problem.0);
                Vec::new()
            })
        }
        Terms {
            pricing_model: model.unwrap_or(PricingModel::Pepm),
            rate: rate.unwrap_or_default(),
            tiers: list(e, "tiers", &self.tiers, written::tier),
            annual_escalator_pct: escalator,
            minimum_annual_commitment: minimum,
            add_ons: list(e, "add_ons", &self.add_ons, written::add_on),
            guarantees: list(e, "guarantees", &self.guarantees, written::guarantee),
        }
    }

    fn common(&self, e: &mut FieldErrors) -> (Terms, Option<NaiveDate>, i64, bool) {
        let terms = self.terms(e);
        let end = e.date("end_date", &self.end_date);
        if self.end_date.trim().is_empty() {
            e.add("end_date", "the end date is required");
        }
        let notice = if self.notice_days.trim().is_empty() {
            0
        } else {
            e.parse::<i64>("notice_days", &self.notice_days, "number of days").unwrap_or_default()
        };
        (terms, end, notice, self.auto_renew.is_some())
    }
}

/// The domain's refusal of a whole change, shown beside the field it is about.
fn refused(e: WebError) -> WebError {
    match e {
        WebError::Invalid { message, fields } if fields.is_empty() => {
            let field = if message.contains("amendment takes effect") {
                "from"
            } else if message.contains("overlaps") || message.contains("ends after") {
                "end_date"
            } else {
                "form"
            };
            WebError::field(field, message)
        }
        other => other,
    }
}

/// Amends contract `id` as the form says.
pub fn amend_form(store: &dyn Store, user: &User, id: i64, form: &TermsForm) -> Result<Contract, WebError> {
    // Who may is answered before what was typed is judged.
    authz::load_account(store, user, store.contract(id)?.account.as_str(), AccountAccess::Write)?;
    let mut e = FieldErrors::default();
    let from = match Month::parse(form.from.trim()) {
        Ok(m) => Some(m.first_day()),
        Err(_) => {
            e.add("from", "choose the month the new terms bill from (YYYY-MM)");
            None
        }
    };
    let (terms, end, notice_days, auto_renew) = form.common(&mut e);
    let version = e.parse::<i64>("version", &form.version, "version");
    let reason = e.text("reason", &form.reason, "a reason", TextKind::Summary);
    e.check()?;
    let (Some(effective_from), Some(end_date), Some(version)) = (from, end, version) else {
        return Err(WebError::invalid("Some fields need another look."));
    };
    amend(store, user, id, version, &Amendment { effective_from, terms, end_date, notice_days, auto_renew }, &reason)
}

/// Amends contract `id`, which `user` must be able to write, naming the version they read.
pub fn amend(
    store: &dyn Store,
    user: &User,
    id: i64,
    version: i64,
    amendment: &Amendment,
    reason: &str,
) -> Result<Contract, WebError> {
    let current = store.contract(id)?;
    authz::load_account(store, user, current.account.as_str(), AccountAccess::Write)?;
    let note = ChangeNote::new(Some(user.email.clone()), reason);
    note.validate().map_err(|e| WebError::field("reason", e.0))?;
    store.amend_contract(id, amendment, &note, version).map_err(|e| refused(e.into()))
}

/// Signs a new term for the account `slug` as the form says.
pub fn sign_form(store: &dyn Store, user: &User, slug: &str, form: &TermsForm) -> Result<Contract, WebError> {
    authz::load_account(store, user, slug, AccountAccess::Write)?;
    let mut e = FieldErrors::default();
    let start = e.date("start_date", &form.start_date);
    if form.start_date.trim().is_empty() {
        e.add("start_date", "the start date is required");
    }
    let (terms, end, notice_days, auto_renew) = form.common(&mut e);
    let reason = e.text("reason", &form.reason, "a reason", TextKind::Summary);
    e.check()?;
    let (Some(start_date), Some(end_date)) = (start, end) else {
        return Err(WebError::invalid("Some fields need another look."));
    };
    sign(store, user, slug, Term { start_date, end_date, notice_days, auto_renew, terms }, &reason)
}

/// A term to sign: its dates, notice and renewal, and its priced terms.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Term {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub notice_days: i64,
    pub auto_renew: bool,
    pub terms: Terms,
}

/// Signs `term` for the account `slug`, which `user` must be able to write.
pub fn sign(store: &dyn Store, user: &User, slug: &str, term: Term, reason: &str) -> Result<Contract, WebError> {
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    let note = ChangeNote::new(Some(user.email.clone()), reason);
    note.validate().map_err(|e| WebError::field("reason", e.0))?;
    let new = NewContract::of_terms(
        account.slug,
        (term.start_date, term.end_date),
        term.notice_days,
        term.auto_renew,
        term.terms,
    );
    store.create_contract(&new, &note).map_err(|e| refused(e.into()))
}
