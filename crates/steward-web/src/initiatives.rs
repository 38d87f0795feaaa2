//! Engagement initiatives as people record and read them — one set of rules for the pages
//! and the API: whoever may write the account records one; whoever may read it sees its
//! impact; a client sees none of it (costs and internals are never theirs).

use crate::authz::{self, AccountAccess, Capability};
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::impact::GoalMetric;
use steward_domain::initiative::{Initiative, InitiativeKind, NewInitiative, parse_target};
use steward_domain::input::TextKind;
use steward_domain::{Account, Email, Id, Money, Role, User};
use steward_health::initiatives::Impact;
use steward_store::Store;

/// An initiative as typed on a page or sent to the API (every field text, read once the
/// caller may write the account).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct InitiativeForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub kind: String,
    /// `account`, `worksite:NAME[,…]` or `metro:NAME[,…]`.
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    #[serde(default)]
    pub metric: String,
    /// Dollars; empty when none.
    #[serde(default)]
    pub cost: String,
    #[serde(default)]
    pub notes: String,
}

impl InitiativeForm {
    fn initiative(&self, account: &Account, owner: Option<Email>) -> Result<NewInitiative, WebError> {
        let mut e = FieldErrors::default();
        let title = e.text("title", &self.title, "A title", TextKind::Title);
        let kind = e.parse::<InitiativeKind>("kind", &self.kind, "kind of initiative");
        let metric = e.parse::<GoalMetric>("metric", &self.metric, "goal metric");
        let target = match parse_target(&self.target) {
            Ok(t) => Some(t),
            Err(p) => {
                e.add("target", p.0);
                None
            }
        };
        let start = e.date("start_date", &self.start_date);
        let end = e.date("end_date", &self.end_date);
        let cost = if self.cost.trim().is_empty() {
            None
        } else {
            match Money::parse(self.cost.trim()) {
                Ok(m) => Some(m),
                Err(_) => {
                    e.add("cost", "a cost in dollars (2500 or 2,500.00)");
                    None
                }
            }
        };
        for (field, value, what) in [
            ("kind", &kind.is_some(), "choose its kind"),
            ("metric", &metric.is_some(), "choose the metric it means to move"),
        ] {
            if !value {
                e.add(field, what);
            }
        }
        if start.is_none() {
            e.add("start_date", "give the day it starts");
        }
        if end.is_none() {
            e.add("end_date", "give the day it ends");
        }
        e.check()?;
        let (Some(kind), Some(metric), Some(target), Some(start_date), Some(end_date)) =
            (kind, metric, target, start, end)
        else {
            return Err(WebError::field("form", "the initiative is incomplete"));
        };
        let new = NewInitiative {
            account: account.slug.clone(),
            kind,
            title,
            target,
            start_date,
            end_date,
            owner,
            cost,
            metric,
            notes: steward_domain::input::normalize_newlines(self.notes.trim()),
        };
        new.validate().map_err(|p| WebError::field("form", p.0))?;
        Ok(new)
    }
}

/// An initiative with its status on the day it is read (the API's shape).
#[derive(Debug, Clone, serde::Serialize)]
pub struct InitiativeView {
    #[serde(flatten)]
    pub initiative: Initiative,
    pub status: steward_domain::initiative::InitiativeStatus,
}

impl InitiativeView {
    pub fn of(initiative: Initiative, today: NaiveDate) -> Self {
        let status = initiative.status_on(today, &Default::default());
        Self { initiative, status }
    }
}

/// Records an initiative on `slug`, owned by the user.
pub fn add(store: &dyn Store, user: &User, slug: &str, form: &InitiativeForm) -> Result<Initiative, WebError> {
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    Ok(store.create_initiative(&form.initiative(&account, Some(user.email.clone()))?)?)
}

/// One initiative, its account and whether the user may change its account.
pub fn load(store: &dyn Store, user: &User, id: Id) -> Result<(Initiative, Account, bool), WebError> {
    if user.role == Role::Client {
        return Err(WebError::NotFound(format!("initiative {id}")));
    }
    let initiative = store.initiative(id)?;
    let (account, access) = authz::load_account(store, user, initiative.account.as_str(), AccountAccess::Read)?;
    Ok((initiative, account, access.allows(AccountAccess::Write)))
}

/// The initiatives the user reads: an account's, or across the book (an account manager's
/// own accounts; everyone's for the others who read the book).
pub fn list(store: &dyn Store, user: &User, account: Option<&str>) -> Result<Vec<Initiative>, WebError> {
    authz::check(user, Capability::Book)?;
    if let Some(slug) = account {
        let (a, _) = authz::load_account(store, user, slug, AccountAccess::Read)?;
        return Ok(store.initiatives(Some(&a.slug))?);
    }
    let all = store.initiatives(None)?;
    if user.role != Role::AccountManager {
        return Ok(all);
    }
    let own = authz::owned_accounts(store, user)?;
    Ok(all.into_iter().filter(|i| own.contains(&i.account)).collect())
}

/// One initiative's impact on `today`.
pub fn impact(
    store: &dyn Store,
    user: &User,
    id: Id,
    today: NaiveDate,
) -> Result<(Initiative, Account, bool, Impact), WebError> {
    let (initiative, account, write) = load(store, user, id)?;
    let read = steward_health::initiatives::impact(store, &initiative, &Default::default(), today)?;
    Ok((initiative, account, write, read))
}
