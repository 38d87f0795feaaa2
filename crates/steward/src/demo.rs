//! Loading a generated demo book into a store through the ordinary store API.

use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use steward_demo::Book;
use steward_domain::{Amendment, ChangeNote, NewActivity, NewCsatRating, NewUser, TaskStatus};
use steward_store::Store;

/// The setting that marks a data dir as holding a complete demo book.
pub const MARKER: &str = "demo.book";

/// What `steward demo` records about the book in the data dir: written before loading
/// starts and completed at the end, so an interrupted build is recognized as its own and
/// rebuilt rather than mistaken for someone's data.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Marker {
    pub seed: u64,
    pub as_of: NaiveDate,
    pub accounts: usize,
    pub lives_per_account: Option<u32>,
    pub complete: bool,
}

pub fn put_marker(store: &dyn Store, marker: &Marker) -> Result<()> {
    Ok(store.put_setting(MARKER, &serde_json::to_string(marker)?)?)
}

pub fn marker(store: &dyn Store) -> Result<Option<Marker>> {
    match store.setting(MARKER)? {
        Some(json) => Ok(Some(serde_json::from_str(&json).context("the demo marker in the database is unreadable")?)),
        None => Ok(None),
    }
}

/// Creates every user (all with `password_hash`), account and its rows, in book order so
/// ids come out the same for the same seed.
pub fn load_book(store: &dyn Store, book: &Book, password_hash: &str) -> Result<()> {
    let (clients, staff): (Vec<_>, Vec<_>) = book.users.iter().partition(|u| u.account.is_some());
    let new_user = |u: &steward_demo::DemoUser| NewUser {
        email: u.email.clone(),
        name: u.name.clone(),
        role: u.role,
        department: u.department,
        account: u.account.clone(),
        password_hash: password_hash.to_owned(),
    };
    for u in &staff {
        store.create_user(&new_user(u))?;
    }
    for a in &book.accounts {
        store.create_account(&a.account)?;
        for w in &a.worksites {
            store.create_worksite(w)?;
        }
        let mut contact_ids = Vec::with_capacity(a.contacts.len());
        for c in &a.contacts {
            contact_ids.push(store.create_contact(c, a.account.owner.as_ref())?.id);
        }
        for act in &a.activities {
            store.create_activity(&NewActivity {
                account: a.account.slug.clone(),
                kind: act.kind,
                occurred_at: act.occurred_at,
                author: a.account.owner.clone(),
                summary: act.summary.clone(),
                contact_ids: act.contacts.iter().map(|&k| contact_ids[k]).collect(),
            })?;
        }
        for t in &a.tasks {
            let created = store.create_task(&t.task)?;
            if t.done {
                store.set_task_status(created.task().id, TaskStatus::Done, created.task().version)?;
            }
        }
        let by = a.account.owner.clone();
        for c in &a.contracts {
            let signed = store.create_contract(&c.contract, &ChangeNote::new(by.clone(), "signed"))?;
            if let Some(change) = &c.amendment {
                let amendment =
                    Amendment { terms: change.terms.clone(), ..Amendment::of(&signed, change.effective_from) };
                store.amend_contract(
                    signed.id,
                    &amendment,
                    &ChangeNote::new(by.clone(), change.reason),
                    signed.version,
                )?;
            }
        }
        for r in &a.csat {
            store.create_csat(&NewCsatRating {
                account: a.account.slug.clone(),
                contact_id: Some(contact_ids[r.contact]),
                rated_on: r.rated_on,
                score: r.score,
            })?;
        }
        for i in &a.initiatives {
            store.create_initiative(&steward_domain::initiative::NewInitiative {
                account: a.account.slug.clone(),
                kind: i.kind,
                title: i.title.clone(),
                target: i.target.clone(),
                start_date: i.start,
                end_date: i.end,
                owner: a.account.owner.clone(),
                cost: Some(steward_domain::Money::from_dollars(i.cost_dollars as f64)),
                metric: i.metric,
                notes: String::new(),
            })?;
        }
    }
    for u in &clients {
        store.create_user(&new_user(u))?;
    }
    // Launched as the account's owner (a worksite test) or the director (a segment's).
    let director = book.users.iter().find(|u| u.role == steward_domain::Role::Director).map(|u| u.email.clone());
    for e in &book.experiments {
        let by = match &e.randomized {
            steward_domain::experiment::Randomized::Worksites { account } => {
                book.accounts.iter().find(|a| a.account.slug == *account).and_then(|a| a.account.owner.clone())
            }
            steward_domain::experiment::Randomized::Accounts { .. } => director.clone(),
        };
        store.create_experiment(&e.new_experiment(by))?;
    }
    Ok(())
}

/// What importing the demo files did.
#[derive(Debug, Clone, Copy, Default)]
pub struct Imported {
    pub accounts_created: usize,
    pub files: usize,
    pub rows: i64,
    pub rejected: i64,
}

/// A census file's as-of date, from its name (`census-2026-11-26.csv`).
fn census_as_of(file: &str) -> Option<NaiveDate> {
    let stem = file.rsplit('/').next()?.strip_prefix("census-")?.strip_suffix(".csv")?;
    stem.parse().ok()
}

/// Imports a directory written by `demo-files` through the ordinary import path: creates
/// the accounts of `accounts.csv` that do not exist yet, then each account's eligibility
/// (in order) and FHIR visits, then the shared memberships, visits and surveys. Every file
/// is its own batch. `side_by_side` imports accounts in parallel (faster, but batches are
/// then numbered in completion order; the demo keeps them in manifest order).
pub fn import_directory(
    store: &dyn Store,
    keys: &steward_ingest::Pseudonymizer,
    dir: &std::path::Path,
    side_by_side: bool,
) -> Result<Imported> {
    use rayon::prelude::*;
    use std::sync::Mutex;
    use steward_domain::{AccountStatus, ImportKind, NewAccount, Segment, Slug};
    use steward_ingest::{ImportOptions, import_file};
    let manifest: steward_demo::Manifest = serde_json::from_slice(
        &std::fs::read(dir.join("manifest.json"))
            .with_context(|| format!("cannot read {}/manifest.json", dir.display()))?,
    )?;
    let mut imported = Imported::default();
    let existing: std::collections::HashSet<String> =
        store.accounts()?.into_iter().map(|a| a.slug.to_string()).collect();
    let accounts = std::fs::read_to_string(dir.join("accounts.csv"))
        .with_context(|| format!("cannot read {}/accounts.csv", dir.display()))?;
    for line in accounts.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let [slug, name, segment, industry, employees, status] = f[..] else {
            bail!("malformed accounts.csv line {line:?}")
        };
        if existing.contains(slug) {
            continue;
        }
        let mut account = NewAccount::new(Slug::parse(slug)?, name);
        account.segment = segment.parse::<Segment>()?;
        account.industry = industry.to_owned();
        account.employee_count = employees.parse().ok();
        account.status = status.parse::<AccountStatus>()?;
        store.create_account(&account)?;
        imported.accounts_created += 1;
    }
    let totals = Mutex::new(imported);
    let run = |kind: ImportKind, account: Option<&str>, file: &str| -> Result<()> {
        let mut options = ImportOptions::new(kind, manifest.as_of);
        options.account = account.map(Slug::parse).transpose()?;
        options.format = file.ends_with(".ndjson").then_some(steward_ingest::Format::FhirNdjson);
        // A census states eligibility as of the date in its name; an 834 carries its own.
        options.as_of = census_as_of(file);
        let outcome = import_file(store, keys, &dir.join(file), &options, &|_, _| {})?;
        let mut t = totals.lock().unwrap_or_else(|p| p.into_inner());
        t.files += 1;
        t.rows += outcome.batch.rows_read;
        t.rejected += outcome.batch.rows_rejected;
        Ok(())
    };
    let phase = std::time::Instant::now();
    let account_files = |account: &steward_demo::ManifestAccount| -> Result<()> {
        for file in &account.eligibility {
            run(ImportKind::Eligibility, Some(&account.slug), file)?;
        }
        if let Some(file) = &account.visits {
            run(ImportKind::Visits, Some(&account.slug), file)?;
        }
        Ok(())
    };
    if side_by_side {
        manifest.accounts.par_iter().try_for_each(account_files)?;
    } else {
        manifest.accounts.iter().try_for_each(account_files)?;
    }
    crate::errln!(
        "  eligibility and FHIR visits of {} accounts: {:.1} s",
        manifest.accounts.len(),
        phase.elapsed().as_secs_f64()
    );
    for (kind, file) in [
        (ImportKind::Memberships, &manifest.memberships),
        (ImportKind::Visits, &manifest.visits),
        (ImportKind::Surveys, &manifest.surveys),
    ] {
        let phase = std::time::Instant::now();
        run(kind, None, file)?;
        crate::errln!("  {file}: {:.1} s", phase.elapsed().as_secs_f64());
    }
    Ok(totals.into_inner().unwrap_or_else(|p| p.into_inner()))
}

/// The commercial cycle in the demo book, after its renewals opened: renewals moved into
/// every stage with their price changes (one won, one lost), upsell and expansion at a third
/// of the live clients (some won this year), and each account manager's goals — all
/// decided by position, so the same seed and day give the same book.
pub fn commercial(store: &dyn Store, as_of: NaiveDate) -> Result<()> {
    use steward_domain::opportunity::{Move, NewOpportunity, OpportunityKind, Scope, Stage};
    use steward_domain::{AccountStatus, Money, Role};
    use steward_health::pipeline::{NextTerm, move_to};
    use steward_store::OpportunityFilter;
    let renewals = store
        .opportunities(&OpportunityFilter { kind: Some(OpportunityKind::Renewal), ..OpportunityFilter::default() })?;
    // (stage reached, ARR change in tenths of a percent of the renewing ARR)
    const PATHS: [(Stage, i64); 8] = [
        (Stage::Identified, 0),
        (Stage::Proposal, 30),
        (Stage::Negotiation, 50),
        (Stage::Verbal, 35),
        (Stage::Proposal, -40),
        (Stage::ClosedWon, 30),
        (Stage::Negotiation, 0),
        (Stage::ClosedLost, 0),
    ];
    let mv = |to: Stage, on: NaiveDate| Move {
        to,
        lost_reason: (to == Stage::ClosedLost).then(|| "went with a competitor".to_owned()),
        note: String::new(),
        on,
    };
    for (i, o) in renewals.iter().enumerate() {
        let (stage, tenths) = PATHS[i % PATHS.len()];
        let change = Money::from_cents(o.renewing_arr.unwrap_or_default().cents * tenths / 1000);
        let edit = steward_store::OpportunityEdit {
            amount: change,
            close_date: o.close_date,
            forecast_category: None,
            owner: o.owner.clone(),
        };
        let mut current = store.edit_opportunity(o.id, &edit, o.version)?;
        for step in Stage::ALL.iter().copied().filter(|s| !s.closed()).skip(1) {
            if step > stage || stage == Stage::ClosedLost && step > Stage::Proposal {
                break;
            }
            current = move_to(
                store,
                o.id,
                &mv(step, as_of),
                NextTerm::default(),
                current.owner.as_ref(),
                Some(current.version),
            )?;
        }
        if stage.closed() {
            let rate = (stage == Stage::ClosedWon).then(|| {
                let k = store.contract(o.contract_id.unwrap_or_default()).map(|k| k.rate).unwrap_or_default();
                Money::from_cents(k.cents * 103 / 100)
            });
            // A contract that could not be read keeps its rate rather than renewing at nothing.
            let next = NextTerm { rate: rate.filter(|m| m.cents > 0), term_months: None };
            move_to(store, o.id, &mv(stage, as_of), next, current.owner.as_ref(), Some(current.version))?;
        }
    }
    // Quotes: a deep discount for the first renewal in negotiation, waiting for a director; a
    // modest one for the first at verbal, approved on submission and accepted.
    let open = store.opportunities(&OpportunityFilter {
        kind: Some(OpportunityKind::Renewal),
        open_only: true,
        ..OpportunityFilter::default()
    })?;
    for (stage, percent_of_rate, accept) in [(Stage::Negotiation, 78, false), (Stage::Verbal, 97, true)] {
        let Some(o) = open.iter().find(|o| o.stage == stage) else { continue };
        let Some(renewed) = o.contract_id.map(|c| store.contract(c)).transpose()? else { continue };
        let mut terms = renewed.terms();
        terms.rate = Money::from_cents(terms.rate.cents * percent_of_rate / 100);
        for t in &mut terms.tiers {
            t.rate = Money::from_cents(t.rate.cents * percent_of_rate / 100);
        }
        terms.guarantees.clear();
        let draft = steward_domain::quote::QuoteDraft {
            account: o.account.clone(),
            opportunity_id: Some(o.id),
            terms,
            start_date: renewed.end_date.succ_opt().unwrap_or(renewed.end_date),
            term_months: renewed.term_months().clamp(12, 36) as u32,
            what_if_points: 5.0,
        };
        let q = steward_health::quotes::create(store, &draft, o.owner.as_ref(), as_of)?;
        use steward_domain::quote::QuoteStatus;
        let q = steward_health::quotes::transition(
            store,
            q.id,
            QuoteStatus::Submitted,
            false,
            o.owner.as_ref(),
            "",
            q.version,
            as_of,
        )?;
        if accept && q.status == QuoteStatus::Approved {
            steward_health::quotes::transition(
                store,
                q.id,
                QuoteStatus::Accepted,
                false,
                o.owner.as_ref(),
                "signed off by the client's CFO",
                q.version,
                as_of,
            )?;
        }
    }
    let live: Vec<_> = store.accounts()?.into_iter().filter(|a| a.status == AccountStatus::Live).collect();
    for (i, a) in live.iter().enumerate().filter(|(i, _)| i % 3 == 1) {
        let (kind, scope, title, dollars) = match i % 4 {
            1 => (OpportunityKind::Upsell, Scope::AddOnService, "Onsite flu-shot clinics at every worksite", 18_000),
            3 => (OpportunityKind::Expansion, Scope::NewMetro, "Open a second metro", 96_000),
            0 => (OpportunityKind::Expansion, Scope::Subsidiary, "Bring the subsidiary onto the program", 140_000),
            _ => (OpportunityKind::Expansion, Scope::NewWorksite, "Add the new distribution center", 42_000),
        };
        let new = NewOpportunity {
            account: a.slug.clone(),
            kind,
            scope: Some(scope),
            title: title.to_owned(),
            stage: Stage::Identified,
            amount: Money::from_cents(dollars * 100),
            renewing_arr: None,
            close_date: as_of + chrono::Days::new(20 + (i as u64 * 17) % 150),
            owner: a.owner.clone(),
            contract_id: None,
        };
        let o = store.create_opportunity(&new, a.owner.as_ref())?;
        let target = [Stage::Proposal, Stage::Verbal, Stage::ClosedWon, Stage::Negotiation][i % 4];
        let mut current = o;
        for step in [Stage::Proposal, Stage::Negotiation, Stage::Verbal, Stage::ClosedWon] {
            if step > target {
                break;
            }
            let on = if step == Stage::ClosedWon { as_of - chrono::Days::new(30 + i as u64) } else { as_of };
            current = move_to(
                store,
                current.id,
                &mv(step, on),
                NextTerm::default(),
                a.owner.as_ref(),
                Some(current.version),
            )?;
        }
    }
    let year = chrono::Datelike::year(&as_of);
    for u in store.users()?.into_iter().filter(|u| u.role == Role::AccountManager) {
        let goal = steward_domain::forecast::Goal {
            owner: u.email.clone(),
            year,
            gross_retention: 0.92,
            net_retention: 1.05,
            bookings: Money::from_cents(40_000_000),
        };
        store.set_goal(&goal, None)?;
    }
    Ok(())
}

/// Implementation projects in the demo book: one in flight — a new client's launch for the
/// first implementing account (or, in a book without one, a new metro for a live client) —
/// whose longest early task started on time and is four business days late, so its end moves
/// and its owner is told; and the finished launch of the most recently launched live client.
/// All from the shipped templates, on `calendar`.
pub fn projects(store: &dyn Store, as_of: NaiveDate, calendar: &steward_domain::schedule::Calendar) -> Result<()> {
    use steward_domain::project::{ProjectStatus, Templates};
    use steward_domain::{AccountStatus, schedule::Days};
    use steward_health::projects::{record, start};
    let templates = Templates::default();
    let launch = templates.get("new_client_launch").expect("a shipped template");
    let accounts = store.accounts()?;
    let mut days = Days::from(calendar, as_of - chrono::Duration::days(400));
    let back = |days: &mut Days, from: NaiveDate, n: i64| {
        let at = days.number(from);
        days.date(at - n)
    };
    let recent = accounts
        .iter()
        .filter(|a| a.status == AccountStatus::Live && a.launch_date.is_some_and(|d| d <= as_of))
        .max_by_key(|a| (a.launch_date, a.slug.clone()));
    let in_flight = match accounts.iter().find(|a| a.status == AccountStatus::Implementing) {
        Some(a) => Some((a, launch, "feed_setup")),
        None => accounts
            .iter()
            .find(|a| a.status == AccountStatus::Live && Some(&a.slug) != recent.map(|r| &r.slug))
            .map(|a| (a, templates.get("new_metro_expansion").expect("a shipped template"), "clinic_capacity")),
    };
    if let Some((a, template, late_key)) = in_flight {
        // Started so that today is four business days past the late task's planned finish.
        // The template's own schedule, on business-day numbers from 0: where the late task ends.
        let plan =
            steward_domain::schedule::schedule(&template.steps().map_err(anyhow::Error::msg)?, as_of, calendar, None)?;
        let finish_day = plan.task(&late_key.to_owned()).expect("a task of the template").finish;
        let back_by = Days::from(calendar, plan.start).number(finish_day) + 4;
        let p = start(store, template, &a.slug, back(&mut days, as_of, back_by), None, calendar)?;
        let feed = p.tasks.iter().find(|t| t.key == late_key).map(|t| t.id);
        // The feed and everything after it wait; in plan order, a task's predecessors come first.
        let mut held: Vec<steward_domain::Id> = feed.into_iter().collect();
        for t in &p.tasks {
            if t.depends_on.iter().any(|l| held.contains(&l.on)) {
                held.push(t.id);
            }
        }
        for t in &p.tasks {
            let (Some(s), Some(f)) = (t.baseline_start, t.baseline_finish) else { continue };
            if Some(t.id) == feed {
                record(store, t.id, None, (Some(s), None), None)?;
            } else if held.contains(&t.id) {
                continue;
            } else if f < as_of {
                record(store, t.id, None, (Some(s), Some(f)), None)?;
            } else if s <= as_of {
                record(store, t.id, None, (Some(s), None), None)?;
            }
        }
        steward_health::projects::run(store, calendar, as_of, Some(std::slice::from_ref(&a.slug)))?;
    }
    if let Some((a, launched)) = recent.and_then(|a| Some((a, a.launch_date?))) {
        // Planned to go live on the launch day; the onsite event ran two days over.
        let p = start(store, launch, &a.slug, back(&mut days, launched, 28), None, calendar)?;
        for t in &p.tasks {
            let (Some(s), Some(f)) = (t.baseline_start, t.baseline_finish) else { continue };
            let late = if t.key == "onsite_launch" || t.key == "go_live" { 2 } else { 0 };
            let at = days.number(f);
            let finish = days.date(at + late);
            record(store, t.id, None, (Some(s.min(finish)), Some(finish)), None)?;
        }
        let done = store.project(p.id)?;
        store.set_project_status(p.id, ProjectStatus::Done, done.version)?;
    }
    Ok(())
}

/// Last quarter's client review of every live account, generated and published by its
/// owner, so the portal and Account 360 show real reviews on first start.
pub fn publish_reviews(store: &dyn Store, card: &steward_domain::health::Scorecard, as_of: NaiveDate) -> Result<()> {
    use rayon::prelude::*;
    let live: Vec<_> =
        store.accounts()?.into_iter().filter(|a| a.status == steward_domain::AccountStatus::Live).collect();
    let threshold = steward_domain::suppression::DEFAULT_THRESHOLD;
    // The book's data run to one day: one quarter, its peers read once for every review.
    let peers = steward_health::reports::Peers::load(
        store,
        steward_web::client_reports::last_complete_quarter(Some(as_of), as_of),
        None,
        steward_health::reports::Audience::Client { threshold },
    )?;
    // Made in parallel on a pool of their own (Typst typesets on rayon's global one, see
    // `steward_pdf::typeset`), kept in book order so ids come out the same for the same seed.
    let pool = rayon::ThreadPoolBuilder::new().build()?;
    let made: Vec<Result<Option<steward_domain::report::NewReport>>> = pool.install(|| {
        live.par_iter()
            .map(|a| {
                let (Some(owner), Some(data_as_of)) = (&a.owner, store.metrics_as_of(&a.slug)?) else {
                    return Ok(None);
                };
                let quarter = steward_web::client_reports::last_complete_quarter(Some(data_as_of), as_of);
                let by = Some(owner.clone());
                match steward_web::client_reports::prepare(
                    store,
                    card,
                    &a.slug,
                    quarter,
                    as_of,
                    threshold,
                    by,
                    Some(&peers),
                ) {
                    Ok(new) => Ok(Some(new)),
                    // An account too new for a whole quarter has none to review.
                    Err(steward_web::WebError::Invalid { .. }) => Ok(None),
                    Err(e) => Err(anyhow::anyhow!("{}'s review of {quarter}: {e}", a.slug)),
                }
            })
            .collect()
    });
    for new in made {
        if let Some(new) = new? {
            let (report, _) = store.save_report(&new)?;
            if let Some(owner) = &new.generated_by {
                store.publish_report(report.id, owner)?;
            }
        }
    }
    Ok(())
}

/// Success plans for the live clients: an enrollment objective agreed four months ago
/// for the renewal, with a task serving it; an NPS objective; and, for every third
/// account, last year's utilization objective judged at its date. Targets are set
/// from each account's own metrics, so the book shows every status.
pub fn success_plans(store: &dyn Store, as_of: NaiveDate) -> Result<()> {
    use steward_domain::success_plan::NewObjective;
    use steward_domain::trend::{projected, series, value_at};
    use steward_domain::{AccountStatus, Month, NewTask, Priority, TargetMetric, TaskSource};
    let agreed = as_of - chrono::Months::new(4);
    let live = store.accounts()?.into_iter().filter(|a| a.status == AccountStatus::Live);
    for (i, a) in live.enumerate() {
        let metrics = steward_health::history::whole_account_metrics(store, &a.slug)?;
        let now = |metric| value_at(&series(&metrics, metric), Month::of(as_of)).map(|(_, v)| v);
        let renewal = store.contracts(&a.slug)?.iter().map(|c| c.end_date).filter(|d| *d > as_of).min();
        let objective = |title: String, metric, target: f64, agreed_on, target_date| NewObjective {
            account: a.slug.clone(),
            title,
            metric,
            target,
            agreed_on,
            target_date,
            created_by: a.owner.clone(),
        };
        let enrollment = series(&metrics, TargetMetric::EnrollmentRate);
        let by = renewal.unwrap_or(as_of + chrono::Months::new(6));
        if let Some(trend) = projected(&enrollment, Month::of(by)) {
            // Half where the trend gets to by the renewal (on track), half three points past it.
            let points = if i % 2 == 0 { (trend * 100.0).floor() } else { ((trend + 0.03) * 100.0).round() };
            let target = points.clamp(1.0, 100.0) / 100.0;
            let title = format!(
                "Enrollment {:.0}% by {}",
                target * 100.0,
                if renewal.is_some() { "renewal" } else { "mid-year" }
            );
            let o = store.create_objective(&objective(title, TargetMetric::EnrollmentRate, target, agreed, by))?;
            store.create_task(&NewTask {
                account: Some(a.slug.clone()),
                title: "Plan an enrollment push with HR before open enrollment".into(),
                detail: String::new(),
                owner: a.owner.clone(),
                department: None,
                due_date: Some(as_of + chrono::Days::new(14 + (i % 10) as u64)),
                priority: Priority::Normal,
                escalation: false,
                for_renewal: false,
                source: TaskSource::Manual,
                source_key: None,
                objective: Some(o.id),
            })?;
        }
        if let Some(nps) = now(TargetMetric::Nps) {
            // Holding a score already reached, or eight points up.
            let target = (if i % 2 == 0 { nps - 5.0 } else { nps + 8.0 }).clamp(-100.0, 100.0).round();
            let by = as_of + chrono::Months::new(8);
            let title = format!("NPS of {target:.0} by {}", by.format("%B %Y"));
            store.create_objective(&objective(title, TargetMetric::Nps, target, agreed, by))?;
        }
        let last_year = as_of - chrono::Months::new(14);
        let judged_on = as_of - chrono::Months::new(2);
        let then = value_at(&series(&metrics, TargetMetric::UtilizationRate), Month::of(judged_on));
        if let (0, Some((_, utilization))) = (i % 3, then) {
            // Half met it, half fell a point short.
            let target = (((if i % 2 == 0 { utilization - 0.01 } else { utilization + 0.01 }) * 100.0).round() / 100.0)
                .clamp(0.0, 1.0);
            let title = format!("Utilization {:.0}% by {}", target * 100.0, judged_on.format("%B %Y"));
            store.create_objective(&objective(title, TargetMetric::UtilizationRate, target, last_year, judged_on))?;
        }
    }
    Ok(())
}
