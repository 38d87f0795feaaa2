//! Building, revising and moving quotes through approval — one set of rules for the pages
//! and the API: whoever may write the account builds, submits and accepts; only a director
//! (or an admin) approves or rejects; prices are the engine's (`steward_health::quotes`).

use crate::authz::{self, AccountAccess, Capability};
use crate::contracts::TermsForm;
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::quote::{Quote, QuoteDraft, QuoteStatus};
use steward_domain::{Slug, User};
use steward_store::Store;

/// A quote's scenario as typed: the terms (as a contract's), when it would start, for how
/// long, and the enrollment what-if.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct QuoteForm {
    #[serde(flatten)]
    pub terms: TermsForm,
    #[serde(default)]
    pub term_months: String,
    #[serde(default)]
    pub what_if_points: String,
    #[serde(default)]
    pub opportunity_id: String,
}

impl QuoteForm {
    pub fn draft(&self, account: Slug) -> Result<QuoteDraft, WebError> {
        let mut e = FieldErrors::default();
        let terms = self.terms.terms(&mut e);
        let start_date = e.date("start_date", &self.terms.start_date);
        let term_months = e.parse::<u32>("term_months", &self.term_months, "number of months");
        let what_if_points = e.parse::<f64>("what_if_points", &self.what_if_points, "number of points").unwrap_or(5.0);
        let opportunity_id = e.parse::<i64>("opportunity_id", &self.opportunity_id, "opportunity");
        e.check()?;
        let (Some(start_date), Some(term_months)) = (start_date, term_months) else {
            return Err(WebError::field("start_date", "the start date and the term in months are required"));
        };
        Ok(QuoteDraft { account, opportunity_id, terms, start_date, term_months, what_if_points })
    }
}

fn writable_account(store: &dyn Store, user: &User, slug: &str) -> Result<Slug, WebError> {
    Ok(authz::load_account(store, user, slug, AccountAccess::Write)?.0.slug)
}

pub fn create(store: &dyn Store, user: &User, draft: &QuoteDraft, today: NaiveDate) -> Result<Quote, WebError> {
    writable_account(store, user, draft.account.as_str())?;
    Ok(steward_health::quotes::create(store, draft, Some(&user.email), today)?)
}

pub fn revise(
    store: &dyn Store,
    user: &User,
    id: i64,
    draft: &QuoteDraft,
    version: i64,
    today: NaiveDate,
) -> Result<Quote, WebError> {
    let q = store.quote(id)?;
    writable_account(store, user, q.account.as_str())?;
    if draft.account != q.account {
        return Err(WebError::invalid("a quote stays with its account"));
    }
    Ok(steward_health::quotes::revise(store, id, draft, Some(&user.email), version, today)?)
}

/// Moves quote `id` to `to`: approving and rejecting are a director's; the rest are
/// whoever may write the account's.
pub fn transition(
    store: &dyn Store,
    user: &User,
    id: i64,
    to: QuoteStatus,
    note: &str,
    version: i64,
    today: NaiveDate,
) -> Result<Quote, WebError> {
    let q = store.quote(id)?;
    let director = authz::may(user, Capability::Team);
    let need = if matches!(to, QuoteStatus::Approved | QuoteStatus::Rejected) {
        if !director {
            return Err(authz::refusal(user, &format!("approving quote {id}")));
        }
        AccountAccess::Read
    } else {
        AccountAccess::Write
    };
    authz::load_account(store, user, q.account.as_str(), need)?;
    Ok(steward_health::quotes::transition(store, id, to, director, Some(&user.email), note, version, today)?)
}
