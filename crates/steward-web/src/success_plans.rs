//! Success plans as people change them — agreeing an objective, editing or closing it,
//! adding a task that serves it — one set of rules for the pages and the API: whoever may
//! write the account changes its plan; whoever may read it sees the plan.

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use crate::forms::FieldErrors;
use chrono::NaiveDate;
use steward_domain::input::TextKind;
use steward_domain::success_plan::{NewObjective, Objective, ObjectiveEdit, check_target_date};
use steward_domain::trend::Series;
use steward_domain::{Account, Id, TargetMetric, User};
use steward_health::success_plans::ObjectiveView;
use steward_store::Store;

/// An objective as typed on a page: a rate's target in percent ("30" or "30%"), NPS as a
/// score; the API sends fractions (`ObjectiveInput`).
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct ObjectiveForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub metric: String,
    #[serde(default)]
    pub target: String,
    #[serde(default)]
    pub target_date: String,
    #[serde(default)]
    pub agreed_on: String,
    #[serde(default)]
    pub version: String,
}

/// An objective's fields as checked, before it is for an account.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectiveInput {
    pub title: String,
    pub metric: TargetMetric,
    /// A fraction for the rates, a score for NPS.
    pub target: f64,
    pub target_date: NaiveDate,
    /// Today when not given.
    pub agreed_on: Option<NaiveDate>,
}

/// A target as people type it for `metric`: percent for a rate.
pub fn typed_target(metric: TargetMetric, target: f64) -> String {
    match metric {
        TargetMetric::Nps => format!("{target}"),
        _ => format!("{}", (target * 1000.0).round() / 10.0),
    }
}

impl ObjectiveForm {
    pub fn of(o: &Objective) -> Self {
        Self {
            title: o.title.clone(),
            metric: o.metric.to_string(),
            target: typed_target(o.metric, o.target),
            target_date: o.target_date.to_string(),
            agreed_on: o.agreed_on.to_string(),
            version: o.version.to_string(),
        }
    }

    /// The fields, each problem beside its own; `metric` is fixed once agreed.
    pub fn input(&self, fixed_metric: Option<TargetMetric>) -> Result<ObjectiveInput, WebError> {
        let mut e = FieldErrors::default();
        let title = e.text("title", &self.title, "What was agreed", TextKind::Title);
        let metric = fixed_metric.or_else(|| e.parse::<TargetMetric>("metric", &self.metric, "program metric"));
        if metric.is_none() {
            e.add("metric", "choose the metric it is measured on");
        }
        let percent = self.target.trim().ends_with('%');
        let typed = self.target.trim().trim_end_matches('%').trim();
        let number = e.parse::<f64>("target", typed, "number").filter(|t| t.is_finite());
        if number.is_none() {
            e.add("target", "give the target (a percentage for a rate, a score for NPS)");
        }
        let target_date = e.date("target_date", &self.target_date);
        if target_date.is_none() {
            e.add("target_date", "give the date it is to be reached by");
        }
        let agreed_on = e.date("agreed_on", &self.agreed_on);
        e.check()?;
        let (Some(metric), Some(number), Some(target_date)) = (metric, number, target_date) else {
            return Err(WebError::field("form", "the objective is incomplete"));
        };
        if metric != TargetMetric::Nps && !(0.0..=100.0).contains(&number) {
            return Err(WebError::field("target", "a rate's target is a percentage from 0 to 100"));
        }
        // 0.3 for a rate is more likely a fraction than three tenths of a percent.
        if metric != TargetMetric::Nps && number > 0.0 && number < 1.0 && !percent {
            let as_percent = number * 100.0;
            return Err(WebError::field(
                "target",
                format!("write the target as a percentage ({as_percent} for {as_percent}%)"),
            ));
        }
        let target = if metric == TargetMetric::Nps { number } else { number / 100.0 };
        Ok(ObjectiveInput { title, metric, target, target_date, agreed_on })
    }
}

/// The domain's refusal of an objective, beside the field it concerns.
fn checked(input: &ObjectiveInput, agreed_on: NaiveDate) -> Result<(), WebError> {
    input.metric.check_target("an objective's", input.target).map_err(|p| WebError::field("target", p.0))?;
    check_target_date(agreed_on, input.target_date).map_err(|p| WebError::field("target_date", p.0))
}

/// Agrees `input` for the account, once the user is known to write it (so a refusal of the
/// user comes before any of what they typed).
pub fn add(
    store: &dyn Store,
    user: &User,
    slug: &str,
    input: Result<ObjectiveInput, WebError>,
    today: NaiveDate,
) -> Result<Objective, WebError> {
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    let input = input?;
    let agreed_on = input.agreed_on.unwrap_or(today);
    checked(&input, agreed_on)?;
    Ok(store.create_objective(&NewObjective {
        account: account.slug,
        title: input.title,
        metric: input.metric,
        target: input.target,
        agreed_on,
        target_date: input.target_date,
        created_by: Some(user.email.clone()),
    })?)
}

/// An objective with the account it belongs to, as `access` allows.
fn objective_of(
    store: &dyn Store,
    user: &User,
    id: Id,
    access: AccountAccess,
) -> Result<(Objective, Account, AccountAccess), WebError> {
    // Objectives are internal: a client learns nothing, not even which exist.
    if user.role == steward_domain::Role::Client {
        return Err(WebError::NotFound(format!("objective {id}")));
    }
    let objective = store.objective(id)?;
    let (account, has) = authz::load_account(store, user, objective.account.as_str(), access)?;
    Ok((objective, account, has))
}

/// A change to an objective: what was agreed as it now stands, whether it is still pursued,
/// and the version it was read at.
pub struct Change {
    pub input: ObjectiveInput,
    pub closed: bool,
    pub version: i64,
}

impl Change {
    /// The objective as it is, closed or reopened.
    pub fn closing(o: &Objective, closed: bool, version: i64) -> Change {
        let input = ObjectiveInput {
            title: o.title.clone(),
            metric: o.metric,
            target: o.target,
            target_date: o.target_date,
            agreed_on: Some(o.agreed_on),
        };
        Change { input, closed, version }
    }
}

/// Changes an objective by `change` of it as it stands, once the user is known to write
/// its account; its metric and the day it was agreed stay.
pub fn edit(
    store: &dyn Store,
    user: &User,
    id: Id,
    change: impl FnOnce(&Objective) -> Result<Change, WebError>,
) -> Result<Objective, WebError> {
    let (current, ..) = objective_of(store, user, id, AccountAccess::Write)?;
    let Change { input, closed, version } = change(&current)?;
    if input.metric != current.metric {
        return Err(WebError::field(
            "metric",
            "an objective keeps its metric; agree another objective for another metric",
        ));
    }
    checked(&input, current.agreed_on)?;
    let edit = ObjectiveEdit { title: input.title, target: input.target, target_date: input.target_date, closed };
    Ok(store.update_objective(id, &edit, version)?)
}

/// One objective on `today` with its tasks, its metric month by month, its account, and
/// whether the user may change it.
pub fn view(
    store: &dyn Store,
    user: &User,
    id: Id,
    today: NaiveDate,
) -> Result<(ObjectiveView, Series, Account, bool), WebError> {
    let (objective, account, access) = objective_of(store, user, id, AccountAccess::Read)?;
    let write = access.allows(AccountAccess::Write);
    let metrics = steward_health::history::whole_account_metrics(store, &account.slug)?;
    let tasks = store.tasks(&steward_store::TaskFilter { objective: Some(id), ..Default::default() })?;
    let series = steward_domain::trend::series(&metrics, objective.metric);
    let view = steward_health::success_plans::views(vec![objective], &metrics, &tasks, today).remove(0);
    Ok((view, series, account, write))
}

/// The account's plan on `today`, for whoever may read the account.
pub fn of_account(
    store: &dyn Store,
    user: &User,
    slug: &str,
    today: NaiveDate,
) -> Result<Vec<ObjectiveView>, WebError> {
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Read)?;
    Ok(steward_health::success_plans::load(store, &account.slug, today)?)
}
