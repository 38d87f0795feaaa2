//! Account 360: is this client healthy, why, and what is next — header, health with its
//! drivers, key metrics with their changes, charts by metro or worksite, stakeholders,
//! timeline, tasks, contract and imports. Logging an activity and adding a task.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess};
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::{Path, Query};
use crate::forms::FieldErrors;
use crate::memo::Lookup;
use crate::views::{self, HealthView, percent, signed, thousands};
use crate::writes::{self, ActivityInput, TaskInput};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::initiative::{Initiative, InitiativeStatus, Windows};
use steward_domain::input::TextKind;
use steward_domain::metrics::MonthMetrics;
use steward_domain::suppression::ProgramMonth;
use steward_domain::{
    Account, ActivityKind, Contact, ContactRole, Contract, Id, ImportBatch, Priority, RenewalOutcome, Task, TaskStatus,
    User, Worksite,
};
use steward_health::AccountSummary;
use steward_health::history::AccountData;
use steward_health::initiatives::{Impact, Reader};
use steward_store::{CutKind, Store, TaskFilter};

/// How many activities the timeline shows.
const TIMELINE_ROWS: usize = 50;

#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
pub struct ViewQuery {
    /// "metro" or "worksite": cut the charts.
    #[serde(default)]
    pub by: Option<String>,
    /// Which metro or worksite.
    #[serde(default)]
    pub cut: Option<String>,
    /// A task just marked done here, to offer to undo.
    #[serde(default, skip_serializing)]
    pub done: Option<i64>,
}

/// A form shown again with its errors and what was typed.
#[derive(Debug, Default)]
pub struct FormState {
    pub form: &'static str,
    pub values: BTreeMap<String, String>,
    pub errors: BTreeMap<String, String>,
}

struct Loaded {
    user: User,
    /// Implementation projects, newest first (read access only).
    projects: Vec<steward_domain::project::Project>,
    /// The success plan with each objective's open tasks (read access only).
    objectives: Vec<steward_health::success_plans::ObjectiveView>,
    /// Engagement initiatives, latest start first, with the impact of each measured one (read
    /// access only).
    initiatives: Measured,
    /// Experiments on its worksites, latest start first (read access only).
    experiments: Vec<steward_domain::experiment::Experiment>,
    /// Client reviews kept for it, latest quarter and version first (read access only), and
    /// the quarter a new one would cover.
    reports: Vec<steward_domain::report::StoredReport>,
    review_quarter: Option<steward_domain::report::Quarter>,
    account: Account,
    access: AccountAccess,
    summary: Option<AccountSummary>,
    worksites: Vec<Worksite>,
    contacts: Vec<Contact>,
    /// Each contact's last meeting, by id ([`steward_domain::contact::last_met`]).
    last_met: BTreeMap<i64, chrono::NaiveDate>,
    /// The last day a decision maker was met, as health and the playbooks count it.
    decision_maker_touch: Option<chrono::NaiveDate>,
    activities: Vec<steward_domain::Activity>,
    tasks: Vec<Task>,
    imports: Vec<ImportBatch>,
    cut_metrics: Vec<MonthMetrics>,
    /// A colleague's view: each worksite's latest month (marketing).
    worksite_enrollment: Vec<MonthMetrics>,
    owners: Vec<User>,
    owner_name: Option<String>,
}

fn load(
    store: &dyn Store,
    user: &User,
    slug: &str,
    q: &ViewQuery,
    app_today: chrono::NaiveDate,
    card: &steward_domain::health::Scorecard,
    impacts: Impacts<'_>,
) -> Result<Loaded, WebError> {
    let (account, access) = authz::load_account(store, user, slug, AccountAccess::Basics)?;
    let worksites = store.worksites(&account.slug)?;
    let open = store.tasks(&TaskFilter {
        account: Some(account.slug.clone()),
        status: Some(TaskStatus::Open),
        ..TaskFilter::default()
    })?;
    let owner_name = match &account.owner {
        Some(e) => store.user(e).ok().map(|u| u.name),
        None => None,
    };
    if !access.allows(AccountAccess::Read) {
        // A colleague sees the basics, their own tasks there, and what their department's
        // work on it needs.
        let tasks = open.into_iter().filter(|t| authz::is_assigned(user, t)).collect();
        let needs = authz::colleague_view(user.department);
        let contacts =
            store.contacts(&account.slug)?.into_iter().filter(|c| needs.contact_roles.contains(&c.role)).collect();
        let imports =
            if needs.imports { store.imports(Some(&account.slug))?.into_iter().take(5).collect() } else { Vec::new() };
        let worksite_enrollment = if needs.worksite_enrollment {
            let as_of = store.metrics_as_of(&account.slug)?;
            let rows =
                store.metrics(&account.slug, CutKind::Worksite, None, Some(steward_domain::Month::of(app_today)))?;
            let mut latest: BTreeMap<String, MonthMetrics> = BTreeMap::new();
            for (cut, month, counts) in &rows {
                latest.insert(cut.value().to_owned(), MonthMetrics::from_counts(*month, cut, counts, as_of));
            }
            latest.into_values().collect()
        } else {
            Vec::new()
        };
        return Ok(Loaded {
            user: user.clone(),
            account,
            access,
            summary: None,
            worksites,
            contacts,
            last_met: BTreeMap::new(),
            decision_maker_touch: None,
            activities: Vec::new(),
            tasks,
            imports,
            cut_metrics: Vec::new(),
            worksite_enrollment,
            owners: Vec::new(),
            projects: Vec::new(),
            objectives: Vec::new(),
            initiatives: Vec::new(),
            experiments: Vec::new(),
            reports: Vec::new(),
            review_quarter: None,
            owner_name,
        });
    }
    let data = AccountData::load(store, &account.slug)?;
    let summary = AccountSummary::of(&data, card, app_today);
    let initiatives = measured(store, &account.slug, app_today, impacts)?;
    let cut_metrics = match (crate::results::cut_kind(q.by.as_deref())?, q.cut.as_deref()) {
        (kind, Some(value)) if kind != CutKind::All => store
            .metrics(&account.slug, kind, None, None)?
            .iter()
            .filter(|(cut, _, _)| cut.value() == value)
            .map(|(cut, month, counts)| MonthMetrics::from_counts(*month, cut, counts, data.metrics_as_of))
            .collect(),
        _ => data.metrics.clone(),
    };
    let owners = store.internal_users()?;
    Ok(Loaded {
        user: user.clone(),
        last_met: data
            .contacts
            .iter()
            .filter_map(|c| steward_domain::contact::last_met(c, &data.activities, app_today).map(|d| (c.id, d)))
            .collect(),
        decision_maker_touch: data.last_decision_maker_touch(app_today),
        contacts: data.contacts.clone(),
        // The health history already read every activity, newest first.
        activities: data.activities.iter().take(TIMELINE_ROWS).cloned().collect(),
        imports: store.imports(Some(&account.slug))?.into_iter().take(10).collect(),
        initiatives,
        experiments: store.experiments(Some(&account.slug))?,
        reports: store.reports(Some(&account.slug))?,
        review_quarter: Some(crate::client_reports::last_complete_quarter(data.metrics_as_of, app_today)),
        objectives: steward_health::success_plans::views(
            store.objectives(&account.slug)?,
            &data.metrics,
            &open,
            app_today,
        ),
        tasks: open,
        projects: store.projects(&steward_store::ProjectFilter {
            account: Some(account.slug.clone()),
            ..steward_store::ProjectFilter::default()
        })?,
        summary: Some(summary),
        account,
        access,
        worksites,
        cut_metrics,
        worksite_enrollment: Vec::new(),
        owners,
        owner_name,
    })
}

pub async fn page(
    State(app): State<App>,
    viewer: Viewer,
    Path(slug): Path<String>,
    Query(q): Query<ViewQuery>,
) -> PageResult {
    show(&app, &viewer, slug, q.normalized(), None).await
}

impl ViewQuery {
    /// The page's one select sends `cut=metro:boston`; links may send `by=metro&cut=boston`.
    fn normalized(self) -> Self {
        match (&self.by, self.cut.as_deref().and_then(|c| c.split_once(':'))) {
            (None, Some((by, cut))) => ViewQuery { by: Some(by.to_owned()), cut: Some(cut.to_owned()), done: None },
            _ if self.cut.as_deref().is_none_or(str::is_empty) => ViewQuery::default(),
            _ => self,
        }
    }
}

async fn show(app: &App, viewer: &Viewer, slug: String, q: ViewQuery, form: Option<FormState>) -> PageResult {
    let (user, today, card) = (viewer.user.clone(), app.today(), app.config().scorecard.clone());
    let query = q.clone();
    let generation = app.impacts().generation();
    let book = app.book_at_hand().await?;
    let kept = app.clone();
    let loaded = app
        .run(move |store| {
            let impacts = Impacts { app: &kept, generation, book: book.as_deref() };
            load(store, &user, &slug, &query, today, &card, impacts)
        })
        .await?;
    let status = if form.is_some() { axum::http::StatusCode::UNPROCESSABLE_ENTITY } else { axum::http::StatusCode::OK };
    let done = super::tasks::just_done(app, viewer, q.done).await?;
    let templates: Vec<Value> = app
        .config()
        .project_templates
        .templates
        .iter()
        .map(|t| context! { name => t.name, title => t.title })
        .collect();
    let view = context! { done => done, project_templates => templates, ..view(&loaded, &q, today, form) };
    let mut response = render("account.html", viewer, "", &loaded.account.name, view)?;
    *response.status_mut() = status;
    Ok(response)
}

fn change(now: Option<f64>, before: Option<f64>, scale: f64, unit: &str) -> Option<Value> {
    let delta = (now? - before?) * scale;
    Some(context! { text => format!("{}{unit}", signed(delta)), arrow => views::arrow(delta), down => delta < 0.0 })
}

fn key_metrics(s: &AccountSummary) -> Vec<Value> {
    let (Some(m), p) = (s.latest.as_ref(), s.previous.as_ref()) else { return Vec::new() };
    let prev = |f: fn(&MonthMetrics) -> Option<f64>| p.and_then(f);
    vec![
        context! { label => "Eligible lives", value => thousands(m.eligible_lives), note => format!("{} employees", thousands(m.eligible_employees)), change => change(Some(m.eligible_lives as f64), prev(|p| Some(p.eligible_lives as f64)), 1.0, "") },
        context! { label => "Enrollment rate", value => percent(m.enrollment_rate), note => format!("{} of {} eligible · target {}", thousands(m.enrolled_members), thousands(m.eligible_lives), percent(Some(s.account.enrollment_target))), change => change(m.enrollment_rate, prev(|p| p.enrollment_rate), 100.0, " pts") },
        context! { label => "Utilization (12 mo)", value => percent(m.utilization_rate), note => format!("{} active of {} enrolled", thousands(m.active_members_12m), thousands(m.enrolled_members)), change => change(m.utilization_rate, prev(|p| p.utilization_rate), 100.0, " pts") },
        context! { label => "Visits per 1,000 / yr", value => m.visits_per_1000.map_or("—".into(), |v| format!("{v:.0}")), note => format!("virtual share {}", percent(m.virtual_share)), change => change(m.visits_per_1000, prev(|p| p.visits_per_1000), 1.0, "") },
        context! { label => "NPS (12 mo)", value => m.nps.map_or("—".into(), |v| format!("{v:.0}")), note => format!("{} responses", thousands(m.nps_responses)), change => change(m.nps, prev(|p| p.nps), 1.0, "") },
    ]
}

/// An account's initiatives, each measured one with its impact.
type Measured = Vec<(Initiative, Option<Impact>)>;

/// What the measured initiatives are read with: the impacts the app keeps, where the memo
/// stood before the book's rows were taken, and those rows when they are at hand.
struct Impacts<'a> {
    app: &'a App,
    generation: u64,
    book: Option<&'a crate::book::Book>,
}

impl Impacts<'_> {
    /// `initiative`'s impact read with `reader` (one for a view, so matched accounts'
    /// ledgers are read once for all its initiatives), and kept. The accounts the matched
    /// comparison is chosen from come from the book's rows when they are at hand: reading
    /// every account again is most of a reading's time at company scale.
    fn read<'s>(
        &self,
        store: &'s dyn Store,
        reader: &mut Option<Reader<'s>>,
        initiative: &Initiative,
        today: chrono::NaiveDate,
    ) -> steward_store::Result<Impact> {
        let reader = reader.get_or_insert_with(|| match self.book {
            Some(book) => Reader::new(store).knowing(book.rows.iter().map(|r| r.account().clone()).collect()),
            None => Reader::new(store),
        });
        let read = reader.impact(initiative, &Windows::default(), today)?;
        self.app.impacts().put((initiative.id, initiative.version, today), read.clone(), self.generation);
        Ok(read)
    }
}

/// The account's initiatives, each measured one with its impact: kept from an earlier view
/// until a change (a stale one read again in the background by the view told to), else
/// read while the viewer waits.
fn measured(
    store: &dyn Store,
    slug: &steward_domain::Slug,
    today: chrono::NaiveDate,
    impacts: Impacts<'_>,
) -> steward_store::Result<Measured> {
    let windows = Windows::default();
    let claimed_at = impacts.app.impacts().generation();
    let mut stale = Vec::new();
    // Each initiative with what is kept for it: `None` when it is not measured, `Missing`
    // when its impact is to be read here.
    let looked_up: Vec<(Initiative, Option<Lookup<Impact>>)> = store
        .initiatives(Some(slug))?
        .into_iter()
        .map(|i| {
            let kept = (i.status_on(today, &windows) == InitiativeStatus::Measured)
                .then(|| impacts.app.impacts().lookup(&(i.id, i.version, today)));
            if let Some(Lookup::Stale { read_again: true, .. }) = kept {
                stale.push(i.clone());
            }
            (i, kept)
        })
        .collect();
    // Claimed: handed over before anything here can fail, so no claim is dropped unread.
    read_again(impacts.app, stale, today, claimed_at);
    let mut reader = None;
    looked_up
        .into_iter()
        .map(|(i, kept)| {
            let impact = match kept {
                None => None,
                Some(Lookup::Fresh(value) | Lookup::Stale { value, .. }) => Some(value),
                Some(Lookup::Missing) => Some(impacts.read(store, &mut reader, &i, today)?),
            };
            Ok((i, impact))
        })
        .collect()
}

/// Reads `initiatives`' impacts again in the background, as the book's rows are: the view
/// that found them stale showed what was kept. `generation` is the memo's when they were
/// claimed (before the rows are taken).
fn read_again(app: &App, initiatives: Vec<Initiative>, today: chrono::NaiveDate, generation: u64) {
    if initiatives.is_empty() {
        return;
    }
    let app = app.clone();
    tokio::spawn(async move {
        let book = app.book_at_hand().await.ok().flatten();
        let (kept, stale) = (app.clone(), initiatives.clone());
        let read = app
            .run(move |store| {
                let impacts = Impacts { app: &kept, generation, book: book.as_deref() };
                let mut reader = None;
                for i in &stale {
                    impacts.read(store, &mut reader, i, today)?;
                }
                Ok(())
            })
            .await;
        if let Err(e) = read {
            tracing::warn!("cannot read initiatives' impact again: {e}");
            for i in &initiatives {
                app.impacts().release(&(i.id, i.version, today), generation);
            }
        }
    });
}

fn view(l: &Loaded, q: &ViewQuery, today: chrono::NaiveDate, form: Option<FormState>) -> Value {
    let a = &l.account;
    let read = l.access.allows(AccountAccess::Read);
    let scope = views::scope_label(q.by.as_deref(), q.cut.as_deref(), "whole account");
    let mut metros: Vec<_> = l.worksites.iter().map(|w| w.metro).collect();
    metros.sort();
    metros.dedup();
    let mut by_role: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for c in &l.contacts {
        by_role.entry(role_label(c.role)).or_default().push(context! {
            id => c.id, name => c.name, title => c.title, influence => c.influence, sentiment => c.sentiment,
            sentiment_word => match c.sentiment { s if s > 0 => "positive", 0 => "neutral", _ => "negative" },
            last_met => l.last_met.get(&c.id).map(|d| d.to_string()),
        });
    }
    let contact_names: BTreeMap<i64, &str> = l.contacts.iter().map(|c| (c.id, c.name.as_str())).collect();
    let summary = l.summary.as_ref();
    let form = form.unwrap_or_default();
    context! {
        slug => a.slug.as_str(),
        name => a.name,
        segment => views::words(a.segment.as_str()),
        industry => a.industry,
        status => views::words(a.status.as_str()),
        owner => l.owner_name.clone().or_else(|| a.owner.as_ref().map(|e| e.to_string())),
        employees => a.employee_count.map(thousands),
        eligible_employees => summary.and_then(|s| s.latest.as_ref()).map(|m| thousands(m.eligible_employees)),
        worksites => l.worksites.iter().map(|w| context! { name => w.name, metro => w.metro.display_name(), headcount => w.headcount.map(thousands) }).collect::<Vec<_>>(),
        read => read,
        write => l.access.allows(AccountAccess::Write),
        arr => summary.and_then(|s| s.arr).map(|m| m.short()),
        at_risk => summary.and_then(|s| s.at_risk).filter(|m| m.cents > 0).map(|m| m.short()),
        renewal => summary.and_then(|s| s.contract.as_ref()).map(|c| term_view(c, today)),
        term => summary.and_then(|s| s.billing.as_ref()).map(|c| term_view(c, today)),
        bill => summary.and_then(|s| s.bill.as_ref()).map(views::bill_view),
        health => summary.and_then(HealthView::of).map(|mut h| {
            super::initiatives::cite(&mut h, &l.initiatives, today);
            h
        }),
        metrics => summary.map(key_metrics).unwrap_or_default(),
        month => summary.and_then(|s| s.latest.as_ref()).map(|m| views::month_label(m.month, m.partial)),
        charts => (read && !l.cut_metrics.is_empty()).then(|| {
            let months: Vec<_> = l.cut_metrics.iter().map(ProgramMonth::exact).collect();
            views::program_charts(&months, q.cut.is_none().then_some(a.enrollment_target), &scope)
        }),
        by => q.by, cut => q.cut, scope => scope,
        metro_cuts => metros.iter().map(|m| context! { value => m.as_str(), label => m.display_name() }).collect::<Vec<_>>(),
        worksite_cuts => l.worksites.iter().map(|w| w.name.clone()).collect::<Vec<_>>(),
        decision_maker_touch => l.decision_maker_touch.map(|d| context! {
            date => d.to_string(),
            ago => steward_domain::words::from_today((d - today).num_days()),
        }),
        colleague_contacts => l.contacts.iter().map(|c| context! {
            name => c.name, title => c.title, role => role_label(c.role)[2..].to_owned(),
            email => c.email.as_ref().map(|e| e.to_string()), phone => c.phone,
        }).collect::<Vec<_>>(),
        worksite_enrollment => l.worksite_enrollment.iter().map(|m| context! {
            worksite => m.worksite, month => views::month_label(m.month, m.partial), eligible => thousands(m.eligible_lives),
            enrolled => thousands(m.enrolled_members), rate => views::percent(m.enrollment_rate),
        }).collect::<Vec<_>>(),
        import_results => (!read).then(|| l.imports.iter().map(|b| context! {
            file_name => b.file_name, when => b.created_at.format("%Y-%m-%d").to_string(), status => b.status.as_str(),
            accepted => thousands(b.rows_accepted), rejected => thousands(b.rows_rejected),
            errors => super::imports::grouped(&b.errors, &b.details.by_reason),
        }).collect::<Vec<_>>()),
        stakeholders => by_role.into_iter().map(|(role, people)| context! { role, people }).collect::<Vec<_>>(),
        contacts => l.contacts.iter().map(|c| context! { id => c.id, name => c.name }).collect::<Vec<_>>(),
        roles => ContactRole::ALL.iter().map(|r| context! { value => r.as_str(), label => views::words(r.as_str()) }).collect::<Vec<_>>(),
        timeline => l.activities.iter().map(|t| context! {
            when => t.occurred_at.date_naive().to_string(), kind => views::words(t.kind.as_str()), summary => t.summary,
            author => t.author.as_ref().map(|e| e.to_string()),
            with => t.contact_ids.iter().filter_map(|id| contact_names.get(id).copied()).collect::<Vec<_>>(),
        }).collect::<Vec<_>>(),
        tasks => l.tasks.iter().map(|t| {
            let row = super::work::task_row(t, today);
            context! { can_change => authz::may_change_task(&l.user, t, l.access), ..row }
        }).collect::<Vec<_>>(),
        snooze_choices => super::tasks::snooze_choices(today),
        imports => l.imports.iter().map(super::imports::batch_row).collect::<Vec<_>>(),
        owners => l.owners.iter().map(|u| context! { email => u.email.as_str(), name => u.name }).collect::<Vec<_>>(),
        projects => l.projects.iter().map(|p| context! {
            id => p.id, title => p.title, status => p.status.as_str(), start => p.start_date.to_string(),
            done => p.tasks.iter().filter(|t| t.done()).count(), tasks => p.tasks.len(),
        }).collect::<Vec<_>>(),
        objectives => l.objectives.iter().map(super::objectives::row).collect::<Vec<_>>(),
        initiatives => l.initiatives.iter().map(|(i, read)| super::initiatives::row(i, today, read.as_ref())).collect::<Vec<_>>(),
        experiments => l.experiments.iter().map(|e| super::experiments::row(e, today)).collect::<Vec<_>>(),
        reports => l.reports.iter().map(|r| context! {
            id => r.id, quarter => r.quarter.to_string(), version => r.version,
            generated => r.generated_at.format("%Y-%m-%d").to_string(), by => r.generated_by.as_ref().map(|e| e.to_string()),
            data_as_of => r.data_as_of.map(|d| d.to_string()),
            published => r.published_at.map(|t| t.format("%Y-%m-%d").to_string()),
            published_by => r.published_by.as_ref().map(|e| e.to_string()),
        }).collect::<Vec<_>>(),
        review_quarter => l.review_quarter.map(|q| q.to_string()),
        initiative_choices => super::initiatives::choices(),
        metric_choices => super::objectives::metric_choices(),
        kinds => ActivityKind::ALL.iter().map(|k| context! { value => k.as_str(), label => views::words(k.as_str()) }).collect::<Vec<_>>(),
        priorities => Priority::ALL.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
        today => today.to_string(),
        form => form.form, values => form.values, errors => form.errors,
    }
}

/// A contract term as Account 360 shows it: the term billed today, or the one up for renewal.
fn term_view(c: &Contract, today: chrono::NaiveDate) -> Value {
    context! {
        id => c.id,
        amendments => c.history.iter().filter(|h| h.kind == steward_domain::ChangeKind::Amended).count(),
        guarantees => c.on(today).guarantees.len(),
        end => c.end_date.to_string(),
        days => (c.end_date - today).num_days(),
        notice => c.notice_deadline().to_string(),
        notice_days => (c.notice_deadline() - today).num_days(),
        model => views::words(c.pricing_model.as_str()),
        rate => c.rate.to_string(),
        auto_renew => c.auto_renew,
        start => c.start_date.to_string(),
        minimum => c.minimum_annual_commitment.map(|m| m.to_string()),
        notice_period => c.notice_days,
        outcome => (c.renewal_outcome != RenewalOutcome::Pending).then(|| c.renewal_outcome.as_str()),
        renewal_words => steward_domain::words::from_today((c.end_date - today).num_days()),
        notice_words => match (c.notice_deadline() - today).num_days() {
            n if n < 0 => format!("passed {}", steward_domain::words::from_today(n)),
            n => steward_domain::words::from_today(n),
        },
    }
}

fn role_label(role: ContactRole) -> &'static str {
    match role {
        ContactRole::ExecutiveSponsor => "1 Executive sponsors",
        ContactRole::DecisionMaker => "2 Decision makers",
        ContactRole::Champion => "3 Champions",
        ContactRole::HrBenefits => "4 HR and benefits",
        ContactRole::BrokerConsultant => "5 Brokers and consultants",
        ContactRole::Finance => "6 Finance",
        ContactRole::Other => "7 Others",
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct ActivityForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    occurred_on: String,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    contact: String,
}

/// Shows the page again with the form's errors, or passes any other failure on.
pub(super) async fn again(
    app: &App,
    viewer: &Viewer,
    slug: String,
    form: &'static str,
    values: BTreeMap<String, String>,
    e: WebError,
) -> PageResult {
    let mut fields = super::refused_fields(e, None)?;
    // The API's name for the contacts; the page has one "contact" field.
    if let Some(problem) = fields.remove("contact_ids") {
        fields.insert("contact".into(), problem);
    }
    show(app, viewer, slug, ViewQuery::default(), Some(FormState { form, values, errors: fields })).await
}

pub async fn log_activity(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form: f }: Signed<ActivityForm>,
) -> PageResult {
    let mut errors = FieldErrors::default();
    let kind: Option<ActivityKind> = errors.parse("kind", &f.kind, "kind of activity");
    let day = errors.date("occurred_on", &f.occurred_on).unwrap_or(app.today());
    let summary = errors.text("summary", &f.summary, "A summary", TextKind::Summary);
    let contact: Option<i64> = errors.parse("contact", &f.contact, "contact");
    let values = BTreeMap::from([
        ("kind".to_owned(), f.kind.clone()),
        ("occurred_on".to_owned(), f.occurred_on.clone()),
        ("summary".to_owned(), f.summary.clone()),
        ("contact".to_owned(), f.contact.clone()),
    ]);
    if kind.is_none() && !errors.0.contains_key("kind") {
        errors.add("kind", "choose what kind of activity this was");
    }
    if let Err(e) = errors.check() {
        return again(&app, &viewer, slug, "activity", values, e).await;
    }
    let (user, target) = (viewer.user.clone(), slug.clone());
    let input = ActivityInput {
        kind: kind.unwrap_or(ActivityKind::Note),
        day,
        summary,
        contact_ids: contact.into_iter().collect(),
    };
    let result = app.run(move |store| Ok(writes::log_activity(store, &user, &target, input)?.account)).await;
    match result {
        Ok(account) => {
            app.account_changed(&account).await;
            Ok(Redirect::to(&format!("/accounts/{slug}#timeline")).into_response())
        }
        Err(e) => again(&app, &viewer, slug, "activity", values, e).await,
    }
}

#[derive(Debug, serde::Deserialize)]
pub struct TaskForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    owner: String,
    #[serde(default)]
    priority: String,
    /// A checkbox: present ("on") when ticked.
    #[serde(default)]
    for_renewal: Option<String>,
    /// The objective the task serves (an id, or empty).
    #[serde(default)]
    objective: String,
}

pub async fn add_task(
    State(app): State<App>,
    Path(slug): Path<String>,
    Signed { viewer, form: f }: Signed<TaskForm>,
) -> PageResult {
    let mut errors = FieldErrors::default();
    let title = errors.text("title", &f.title, "A title", TextKind::Title);
    let due_date = errors.date("due_date", &f.due_date);
    let owner: Option<steward_domain::Email> = errors.parse("owner", &f.owner, "owner");
    let priority: Option<Priority> = errors.parse("priority", &f.priority, "priority");
    let objective: Option<Id> = errors.parse("objective", &f.objective, "objective");
    let values = BTreeMap::from([
        ("objective".to_owned(), f.objective.clone()),
        ("title".to_owned(), f.title.clone()),
        ("due_date".to_owned(), f.due_date.clone()),
        ("owner".to_owned(), f.owner.clone()),
        ("priority".to_owned(), f.priority.clone()),
        ("for_renewal".to_owned(), f.for_renewal.clone().unwrap_or_default()),
    ]);
    if let Err(e) = errors.check() {
        return task_refused(&app, &viewer, slug, objective, values, e).await;
    }
    let (user, target) = (viewer.user.clone(), slug.clone());
    let for_renewal = f.for_renewal.is_some();
    let input = TaskInput { title, detail: String::new(), owner, due_date, priority, for_renewal, objective };
    let result = app.run(move |store| writes::add_task(store, &user, &target, input)).await;
    match result {
        Ok(task) => {
            if let Some(account) = &task.account {
                app.account_changed(account).await;
            }
            let back = match objective {
                Some(id) => format!("/objectives/{id}#tasks"),
                None => format!("/accounts/{slug}#tasks"),
            };
            Ok(Redirect::to(&back).into_response())
        }
        Err(e) => task_refused(&app, &viewer, slug, objective, values, e).await,
    }
}

/// A task added on an objective's page goes back there, refused or not — unless the
/// objective itself was refused (not this account's), which Account 360's form shows.
async fn task_refused(
    app: &App,
    viewer: &Viewer,
    slug: String,
    objective: Option<Id>,
    values: BTreeMap<String, String>,
    e: WebError,
) -> PageResult {
    let about_objective = matches!(&e, WebError::Invalid { fields, .. } if fields.contains_key("objective"));
    match objective {
        // An objective that is not there (a hand-made form) sends the refusal to the account.
        Some(id) if !about_objective && app.run(move |store| Ok(store.objective(id).is_ok())).await? => {
            super::objectives::again(app, viewer, id, "task", values, e).await
        }
        _ => again(app, viewer, slug, "task", values, e).await,
    }
}
