//! Experiments as people design, launch and read them — one set of rules for the pages and
//! the API. A test on an account's worksites is its account's: whoever reads the account
//! reads it, whoever writes the account launches it. A test across a segment's accounts is a
//! change to our service: readers of the book read it, the director (or an admin) launches
//! it. A client sees none of it.

use crate::authz::{self, AccountAccess, Capability};
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::experiment::{Experiment, Randomized};
use steward_domain::input::TextKind;
use steward_domain::{Account, Id, Role, User};
use steward_health::experiments::{Ask, Launch, Planned, Refused, Results};
use steward_store::Store;

/// Whether the user's role may ever design or launch experiments (clients never hear of
/// them; colleagues work on their tasks): checked before anything they sent is read.
pub fn may_experiment(user: &User) -> Result<(), WebError> {
    match user.role {
        Role::Client => Err(WebError::NotFound("experiment".into())),
        Role::Colleague => Err(WebError::Forbidden),
        Role::Admin | Role::Director | Role::AccountManager => Ok(()),
    }
}

/// May the user read (or, `write`, launch) experiments on `units`? A worksite experiment
/// answers with its account.
fn access(store: &dyn Store, user: &User, units: &Randomized, write: bool) -> Result<Option<Account>, WebError> {
    if user.role == Role::Client {
        return Err(WebError::NotFound("experiment".into()));
    }
    match units {
        Randomized::Worksites { account } => {
            let need = if write { AccountAccess::Write } else { AccountAccess::Read };
            Ok(Some(authz::load_account(store, user, account.as_str(), need)?.0))
        }
        Randomized::Accounts { .. } => {
            authz::check(user, Capability::Book)?;
            if write && !matches!(user.role, Role::Director | Role::Admin) {
                return Err(WebError::Forbidden);
            }
            Ok(None)
        }
    }
}

/// May the user read experiments on `units`?
pub fn may_read(store: &dyn Store, user: &User, units: &Randomized) -> Result<(), WebError> {
    access(store, user, units, false).map(|_| ())
}

/// May the user launch an experiment on `units`?
pub fn may_launch(store: &dyn Store, user: &User, units: &Randomized) -> Result<(), WebError> {
    access(store, user, units, true).map(|_| ())
}

/// `account` (its worksites) or `segment` (its accounts), exactly one.
pub fn units(account: &str, segment: &str) -> Result<Randomized, WebError> {
    match (account.trim(), segment.trim()) {
        (a, "") if !a.is_empty() => a
            .parse()
            .map(|account| Randomized::Worksites { account })
            .map_err(|_| WebError::NotFound(format!("account {a}"))),
        ("", s) if !s.is_empty() => s
            .parse()
            .map(|segment| Randomized::Accounts { segment })
            .map_err(|_| WebError::field("segment", "a segment: mid_market or large_enterprise")),
        _ => Err(WebError::field(
            "account",
            "randomize an account's worksites (account) or a segment's accounts (segment)",
        )),
    }
}

/// A design's numbers as typed. On the pages the baseline and power are percents; over the
/// API (`fractions`) they are fractions 0–1, as every rate there is. The smallest effect is
/// in enrollment points on both.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct DesignFields {
    #[serde(default)]
    pub mde: String,
    #[serde(default)]
    pub baseline: String,
    #[serde(default)]
    pub alpha: String,
    #[serde(default)]
    pub power: String,
    #[serde(default)]
    pub icc: String,
}

impl DesignFields {
    /// The ask, or `None` with the problems beside their fields (and `mde` missing is
    /// "not asked yet", no problem, unless `required`).
    pub fn ask(&self, e: &mut FieldErrors, fractions: bool, required: bool) -> Option<Ask> {
        let scale = if fractions { 1.0 } else { 100.0 };
        let mut number = |field: &str, text: &str, default: Option<f64>| {
            if text.trim().is_empty() {
                default
            } else {
                e.parse::<f64>(field, text.trim().trim_end_matches('%'), "number")
            }
        };
        let mde = number("mde", &self.mde, None);
        let baseline = number("baseline", &self.baseline, None).map(|b| b / scale);
        let alpha = number("alpha", &self.alpha, Some(0.05));
        let power = number("power", &self.power, Some(0.8 * scale)).map(|p| p / scale);
        let icc = number("icc", &self.icc, Some(0.02));
        if mde.is_none() && required && self.mde.trim().is_empty() {
            e.add("mde", "give the smallest effect worth detecting, in enrollment points");
        }
        Some(Ask { baseline, mde_points: mde?, alpha: alpha?, power: power?, icc: icc? })
    }
}

/// The design of a test on `units` today.
pub fn design(
    store: &dyn Store,
    user: &User,
    units: &Randomized,
    ask: &Ask,
    today: NaiveDate,
) -> Result<Planned, WebError> {
    access(store, user, units, false)?;
    steward_health::experiments::plan(store, units, ask, today)?.map_err(|why| WebError::field("form", why))
}

/// What launching takes beyond the design, as typed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct LaunchFields {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub change: String,
    #[serde(default)]
    pub start_date: String,
    #[serde(default)]
    pub end_date: String,
    /// Blank: a fresh seed, recorded.
    #[serde(default)]
    pub seed: String,
    /// Why an underpowered design runs anyway.
    #[serde(default)]
    pub override_reason: String,
}

/// Designs, splits and records the experiment, launched by the user; a refusal names the
/// field it is about (an underpowered design without a reason: `override_reason`).
pub fn launch(
    store: &dyn Store,
    user: &User,
    units: &Randomized,
    design: &DesignFields,
    fractions: bool,
    l: &LaunchFields,
    today: NaiveDate,
) -> Result<Experiment, WebError> {
    access(store, user, units, true)?;
    let mut e = FieldErrors::default();
    let ask = design.ask(&mut e, fractions, true);
    let name = e.text("name", &l.name, "A name", TextKind::Title);
    let change = e.text("change", &l.change, "What the treatment arm gets", TextKind::Summary);
    let start = e.date("start_date", &l.start_date);
    let end = e.date("end_date", &l.end_date);
    for (field, value, what) in
        [("start_date", start.is_some(), "give the day it starts"), ("end_date", end.is_some(), "give its planned end")]
    {
        if !value {
            e.add(field, what);
        }
    }
    let seed = e.parse::<u64>("seed", &l.seed, "whole number");
    if seed.is_some_and(|s| s > steward_domain::experiment::MAX_SEED) {
        e.add("seed", format!("a seed is at most {}", steward_domain::experiment::MAX_SEED));
    }
    let reason = l.override_reason.trim();
    if !reason.is_empty() {
        e.text("override_reason", reason, "The reason", TextKind::Summary);
    }
    e.check()?;
    let (Some(ask), Some(start), Some(end)) = (ask, start, end) else {
        return Err(WebError::field("form", "the experiment is incomplete"));
    };
    let launch = Launch {
        name,
        change: steward_domain::input::normalize_newlines(&change),
        units: units.clone(),
        ask,
        start,
        end,
        seed,
        override_reason: (!reason.is_empty()).then(|| steward_domain::input::normalize_newlines(reason)),
    };
    match steward_health::experiments::launch(store, &launch, Some(user.email.clone()), today)? {
        Ok(made) => Ok(made),
        Err(Refused::Underpowered(why)) => Err(WebError::field("override_reason", why)),
        Err(Refused::Invalid(field, why)) => Err(WebError::field(field, why)),
    }
}

/// One experiment and its account (for a worksite experiment), if the user may read it.
pub fn load(store: &dyn Store, user: &User, id: Id) -> Result<(Experiment, Option<Account>), WebError> {
    if user.role == Role::Client {
        return Err(WebError::NotFound(format!("experiment {id}")));
    }
    let e = store.experiment(id)?;
    let account = access(store, user, &e.randomized, false)?;
    Ok((e, account))
}

/// The experiments the user reads: an account's, or across the book (an account manager's
/// own accounts' and the segment-wide ones; everyone's for the others who read the book).
pub fn list(store: &dyn Store, user: &User, account: Option<&str>) -> Result<Vec<Experiment>, WebError> {
    authz::check(user, Capability::Book)?;
    if let Some(slug) = account {
        let (a, _) = authz::load_account(store, user, slug, AccountAccess::Read)?;
        return Ok(store.experiments(Some(&a.slug))?);
    }
    let all = store.experiments(None)?;
    if user.role != Role::AccountManager {
        return Ok(all);
    }
    let own = authz::owned_accounts(store, user)?;
    Ok(all
        .into_iter()
        .filter(|e| match &e.randomized {
            Randomized::Worksites { account } => own.contains(account),
            Randomized::Accounts { .. } => true,
        })
        .collect())
}

/// One experiment read on `today`.
pub fn results(
    store: &dyn Store,
    user: &User,
    id: Id,
    today: NaiveDate,
) -> Result<(Experiment, Option<Account>, Results), WebError> {
    let (e, account) = load(store, user, id)?;
    let read = steward_health::experiments::results(store, &e, today)?;
    Ok((e, account, read))
}
