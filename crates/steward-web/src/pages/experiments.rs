//! Experiments: designing one on an account's worksites (or its segment's accounts) and
//! being told the sample it needs, launching it from there (an underpowered design only with
//! a reason, recorded), and its page — the design it was launched on, the split, and the
//! reading with the interval that applies on the day.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::error::PageResult;
use crate::experiments::{self, DesignFields, LaunchFields};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::forms::{FieldErrors, typed};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::Id;
use steward_domain::experiment::{Arm, Experiment, Randomized};
use steward_health::experiments::Results;

/// The design form's fields, as typed (a GET form: nothing is written).
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct DesignQuery {
    /// `worksites` (the account's) or `segment` (the accounts of its segment).
    #[serde(default)]
    units: String,
    #[serde(flatten)]
    design: DesignFields,
}

/// The launch form: the design as it was worked out, and what launching adds.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct LaunchForm {
    #[serde(default)]
    units: String,
    #[serde(default)]
    mde: String,
    #[serde(default)]
    baseline: String,
    #[serde(default)]
    alpha: String,
    #[serde(default)]
    power: String,
    #[serde(default)]
    icc: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    change: String,
    #[serde(default)]
    start_date: String,
    #[serde(default)]
    end_date: String,
    #[serde(default)]
    seed: String,
    #[serde(default)]
    override_reason: String,
}

impl LaunchForm {
    fn parts(&self) -> (DesignQuery, LaunchFields) {
        let design = DesignFields {
            mde: self.mde.clone(),
            baseline: self.baseline.clone(),
            alpha: self.alpha.clone(),
            power: self.power.clone(),
            icc: self.icc.clone(),
        };
        let launch = LaunchFields {
            name: self.name.clone(),
            change: self.change.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            seed: self.seed.clone(),
            override_reason: self.override_reason.clone(),
        };
        (DesignQuery { units: self.units.clone(), design }, launch)
    }
}

/// A refused launch, shown again beside its fields.
struct Refusal {
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
}

/// Designing an experiment on the account's worksites (or, for a service change, the
/// accounts of its segment): the sample it needs against the units there are, before
/// anything starts; and, once worked out, the form that launches it.
pub async fn design(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    crate::extract::page::Query(q): crate::extract::page::Query<DesignQuery>,
) -> PageResult {
    show(&app, &viewer, slug, q, None).await
}

async fn show(app: &App, viewer: &Viewer, slug: String, q: DesignQuery, refusal: Option<Refusal>) -> PageResult {
    let (user, today, values) = (viewer.user.clone(), app.today(), typed(&q));
    let mut errors = FieldErrors::default();
    let ask = q.design.ask(&mut errors, false, false);
    let by_segment = q.units == "segment";
    let checked = errors.check();
    let (account, planned, may_launch) = app
        .run(move |store| {
            let (account, _) = authz::load_account(store, &user, &slug, AccountAccess::Read)?;
            let units = if by_segment {
                Randomized::Accounts { segment: account.segment }
            } else {
                Randomized::Worksites { account: account.slug.clone() }
            };
            let may_launch = experiments::may_launch(store, &user, &units).is_ok();
            let planned = match (ask, checked) {
                (Some(ask), Ok(())) => Some(steward_health::experiments::plan(store, &units, &ask, today)?),
                _ => None,
            };
            Ok((account, planned, may_launch))
        })
        .await?;
    let result = planned.as_ref().map(|p| match p {
        Ok(p) => context! {
            units => p.design.units_per_arm, unit => p.unit, people => format!("{:.0}", p.design.persons_per_arm),
            design_effect => format!("{:.2}", p.design.design_effect), baseline => format!("{:.1}%", p.input.baseline * 100.0),
            cluster => format!("{:.0}", p.input.cluster_size), cv => format!("{:.2}", p.input.size_cv),
            available => p.available, per_arm => p.available / 2, power => format!("{:.0}%", p.power_available * 100.0),
            powered => p.powered,
        },
        Err(why) => context! { refused => why },
    });
    let status =
        if refusal.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let (launch_values, launch_errors) = refusal.map_or_else(Default::default, |r| (r.values, r.errors));
    let page = context! {
        account => context! { slug => account.slug.as_str(), name => account.name, segment => crate::views::words(account.segment.as_str()) },
        values, result, may_launch,
        launch => context! { values => launch_values, errors => launch_errors },
        starts => today.to_string(),
    };
    let mut response = render("experiment_design.html", viewer, "initiatives", "Design an experiment", page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// Launches from the design page; a refusal comes back there beside its field.
pub async fn launch(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form }: Signed<LaunchForm>,
) -> PageResult {
    let (user, today, values) = (viewer.user.clone(), app.today(), typed(&form));
    let (query, fields) = form.parts();
    let by_segment = query.units == "segment";
    let design = query.design.clone();
    let account = slug.clone();
    let made = app
        .run(move |store| {
            let (a, _) = authz::load_account(store, &user, &account, AccountAccess::Read)?;
            let units = if by_segment {
                Randomized::Accounts { segment: a.segment }
            } else {
                Randomized::Worksites { account: a.slug }
            };
            experiments::launch(store, &user, &units, &design, false, &fields, today)
        })
        .await;
    match made {
        Ok(e) => {
            app.treatments_changed();
            Ok(Redirect::to(&format!("/experiments/{}", e.id)).into_response())
        }
        Err(e) => {
            let errors = super::refused_fields(e, None)?;
            show(&app, &viewer, slug, query, Some(Refusal { values, errors })).await
        }
    }
}

/// "12 worksites of Acme" or "40 mid-market accounts".
fn units_words(e: &Experiment, account: Option<&steward_domain::Account>) -> String {
    match (&e.randomized, account) {
        (Randomized::Worksites { .. }, Some(a)) => format!("{} worksites of {}", e.assignments.len(), a.name),
        (Randomized::Worksites { account }, None) => format!("{} worksites of {account}", e.assignments.len()),
        (Randomized::Accounts { segment }, _) => {
            format!("{} {} accounts", e.assignments.len(), crate::views::words(segment.as_str()).to_lowercase())
        }
    }
}

/// An experiment as a row of a list.
pub fn row(e: &Experiment, today: chrono::NaiveDate) -> Value {
    context! {
        id => e.id, name => e.name, units => units_words(e, None), start => e.start_date.to_string(),
        end => e.end_date.to_string(), status => e.status_on(today).as_str(),
        account => match &e.randomized { Randomized::Worksites { account } => Some(account.as_str()), _ => None },
        underpowered => e.underpowered(),
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn reading(r: &Results) -> Value {
    let interval = match (r.effect_points, r.ci_low_points, r.ci_high_points) {
        (Some(e), Some(lo), Some(hi)) => Some(format!("{e:+.1} points ({lo:+.1} to {hi:+.1})")),
        _ => None,
    };
    context! {
        interval, significant => r.significant, horizon => r.horizon, read_on => r.read_on.to_string(),
        level => format!("{:.0}%", r.level),
        reason => r.reason, warnings => r.warnings,
        arms => r.reading.as_ref().map(|x| context! {
            treatment => pct(x.treatment_rate), control => pct(x.control_rate),
            treatment_units => x.treatment_units, control_units => x.control_units,
            treatment_persons => x.treatment_persons, control_persons => x.control_persons,
            fixed => format!("{:+.1} to {:+.1} points", x.ci_low * 100.0, x.ci_high * 100.0),
            srm_p => format!("{:.3}", x.srm_p), mismatch => x.sample_ratio_mismatch,
        }),
        units => r.units.iter().map(|u| context! {
            unit => u.unit, arm => u.arm.as_str(), treated => u.arm == Arm::Treatment, size => u.size_at_launch,
            eligible => u.eligible, enrolled => u.enrolled,
            rate => (u.eligible > 0).then(|| pct(u.enrolled as f64 / u.eligible as f64)),
        }).collect::<Vec<_>>(),
    }
}

pub async fn page(State(app): State<App>, viewer: Viewer, Path(id): Path<Id>) -> PageResult {
    let (user, today) = (viewer.user.clone(), app.today());
    let (e, account, read) = app.run(move |store| experiments::results(store, &user, id, today)).await?;
    let d = &e.design;
    let page = context! {
        e => row(&e, today),
        units => units_words(&e, account.as_ref()), unit => e.randomized.unit(),
        account => account.as_ref().map(|a| context! { slug => a.slug.as_str(), name => a.name }),
        change => e.change, by => e.created_by.as_ref().map(ToString::to_string),
        override_reason => e.override_reason, underpowered => e.underpowered(),
        design => context! {
            baseline => pct(d.baseline), mde => format!("{:+.1}", d.mde * 100.0), alpha => d.alpha, power => pct(d.power),
            design_effect => format!("{:.2}", d.design_effect()), cluster => format!("{:.0}", d.cluster_size),
            needed => e.units_per_arm_needed,
            treated => e.assignments.iter().filter(|a| a.arm == Arm::Treatment).count(),
            control => e.assignments.iter().filter(|a| a.arm == Arm::Control).count(),
            planned_power => format!("{:.0}%", e.planned_power * 100.0), seed => e.seed.to_string(),
        },
        read => reading(&read),
    };
    render("experiment.html", &viewer, "initiatives", &e.name, page)
}
