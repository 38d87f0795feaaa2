//! Adding, moving and editing opportunities — one set of rules for the pages and the API:
//! the user must be able to write the account; a loss names a configured reason; a won
//! renewal signs its next term (`steward_health::pipeline`).

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::input::TextKind;
use steward_domain::opportunity::{ForecastCategory, Move, NewOpportunity, Opportunity, OpportunityKind, Scope, Stage};
use steward_domain::{Email, Money, User};
use steward_health::pipeline::{NextTerm, move_to};
use steward_store::{OpportunityEdit, Store};

fn writable(store: &dyn Store, user: &User, id: i64) -> Result<Opportunity, WebError> {
    let o = store.opportunity(id)?;
    authz::load_account(store, user, o.account.as_str(), AccountAccess::Write)?;
    Ok(o)
}

/// The domain's refusal of a move, beside the field it is about.
fn refused(e: WebError) -> WebError {
    match e {
        WebError::Invalid { message, fields } if fields.is_empty() => {
            let field = if message.contains("lost") { "lost_reason" } else { "to" };
            WebError::field(field, message)
        }
        other => other,
    }
}

pub fn add(store: &dyn Store, user: &User, new: NewOpportunity) -> Result<Opportunity, WebError> {
    authz::load_account(store, user, new.account.as_str(), AccountAccess::Write)?;
    if new.kind == OpportunityKind::Renewal {
        return Err(WebError::field("kind", "renewals open themselves when a term's renewal window opens"));
    }
    check_owner(store, new.owner.as_ref())?;
    Ok(store.create_opportunity(&new, Some(&user.email))?)
}

/// An opportunity's owner is an active account manager or director.
fn check_owner(store: &dyn Store, owner: Option<&Email>) -> Result<(), WebError> {
    let Some(owner) = owner else { return Ok(()) };
    match store.user(owner) {
        Ok(u)
            if matches!(u.role, steward_domain::Role::AccountManager | steward_domain::Role::Director) && u.active =>
        {
            Ok(())
        }
        _ => Err(WebError::field("owner", "choose an active account manager or director")),
    }
}

pub fn move_opportunity(
    store: &dyn Store,
    user: &User,
    id: i64,
    mv: &Move,
    next: NextTerm,
    version: i64,
) -> Result<Opportunity, WebError> {
    writable(store, user, id)?;
    move_to(store, id, mv, next, Some(&user.email), Some(version)).map_err(|e| refused(e.into()))
}

pub fn edit(
    store: &dyn Store,
    user: &User,
    id: i64,
    edit: &OpportunityEdit,
    version: i64,
) -> Result<Opportunity, WebError> {
    writable(store, user, id)?;
    check_owner(store, edit.owner.as_ref())?;
    Ok(store.edit_opportunity(id, edit, version)?)
}

/// A new upsell or expansion as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct AddForm {
    #[serde(default)]
    pub account: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub close_date: String,
}

fn money(e: &mut FieldErrors, field: &str, text: &str) -> Money {
    Money::parse(text).unwrap_or_else(|problem| {
        e.add(field, problem.0);
        Money::ZERO
    })
}

pub fn add_form(store: &dyn Store, user: &User, form: &AddForm) -> Result<Opportunity, WebError> {
    let (account, _) = authz::load_account(store, user, form.account.trim(), AccountAccess::Write)?;
    let mut e = FieldErrors::default();
    let kind = e.parse::<OpportunityKind>("kind", &form.kind, "kind");
    if kind.is_none() {
        e.add("kind", "choose upsell or expansion");
    }
    let scope = e.parse::<Scope>("scope", &form.scope, "scope");
    let title = e.text("title", &form.title, "A title", TextKind::Title);
    let amount = money(&mut e, "amount", &form.amount);
    let close_date = e.date("close_date", &form.close_date);
    if form.close_date.trim().is_empty() {
        e.add("close_date", "the expected close date is required");
    }
    e.check()?;
    let (Some(kind), Some(close_date)) = (kind, close_date) else {
        return Err(WebError::invalid("Some fields need another look."));
    };
    let owner = account.owner.clone().or_else(|| Some(user.email.clone()));
    let new = NewOpportunity {
        account: account.slug,
        kind,
        scope,
        title,
        stage: Stage::Identified,
        amount,
        renewing_arr: None,
        close_date,
        owner,
        contract_id: None,
    };
    add(store, user, new)
}

/// A move as typed: the stage, a loss reason, a note, and a won renewal's next term.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct MoveForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub to: String,
    #[serde(default)]
    pub lost_reason: String,
    #[serde(default)]
    pub note: String,
    #[serde(default)]
    pub rate: String,
    #[serde(default)]
    pub term_months: String,
    #[serde(default)]
    pub back: String,
}

pub fn move_form(
    store: &dyn Store,
    user: &User,
    id: i64,
    form: &MoveForm,
    today: NaiveDate,
) -> Result<Opportunity, WebError> {
    writable(store, user, id)?;
    let mut e = FieldErrors::default();
    let to = e.parse::<Stage>("to", &form.to, "stage");
    if to.is_none() {
        e.add("to", "choose a stage");
    }
    let version = e.parse::<i64>("version", &form.version, "version");
    let rate = (!form.rate.trim().is_empty()).then(|| money(&mut e, "rate", &form.rate));
    let term_months = e.parse::<u32>("term_months", &form.term_months, "number of months");
    if term_months.is_some_and(|m| !(1..=120).contains(&m)) {
        e.add("term_months", "a term is 1 to 120 months");
    }
    let note = steward_domain::input::normalize_newlines(form.note.trim());
    if let Err(problem) = steward_domain::input::check_text(TextKind::Summary, &note) {
        e.add("note", format!("this {problem}"));
    }
    e.check()?;
    let (Some(to), Some(version)) = (to, version) else {
        return Err(WebError::invalid("Some fields need another look."));
    };
    let lost_reason = Some(form.lost_reason.trim().to_owned()).filter(|r| !r.is_empty() && to == Stage::ClosedLost);
    let mv = Move { to, lost_reason, note, on: today };
    move_opportunity(store, user, id, &mv, NextTerm { rate, term_months }, version)
}

/// The owner's changes as typed: amount, close date, category ("" follows the stage), owner.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct EditForm {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub amount: String,
    #[serde(default)]
    pub close_date: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub owner: String,
}

pub fn edit_form(store: &dyn Store, user: &User, id: i64, form: &EditForm) -> Result<Opportunity, WebError> {
    writable(store, user, id)?;
    let mut e = FieldErrors::default();
    let version = e.parse::<i64>("version", &form.version, "version");
    let amount = money(&mut e, "amount", &form.amount);
    let close_date = e.date("close_date", &form.close_date);
    let forecast_category = e.parse::<ForecastCategory>("category", &form.category, "forecast category");
    let owner = e.parse::<Email>("owner", &form.owner, "e-mail address");
    e.check()?;
    let (Some(version), Some(close_date)) = (version, close_date) else {
        return Err(WebError::field("close_date", "the expected close date is required"));
    };
    edit(store, user, id, &OpportunityEdit { amount, close_date, forecast_category, owner }, version)
}
