//! The relationship side of the book: users, accounts, worksites, contacts, activities,
//! tasks, contracts and CSAT — the rows `steward demo` loads through the store.

use crate::plan::AccountPlan;
use crate::rng::Rng;
use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Utc};
use steward_domain::{
    AccountStatus, ActivityKind, AddOn, ContactRole, Department, Email, Guarantee, Metro, Money, Month, NewAccount,
    NewContact, NewContract, NewTask, NewWorksite, PricingModel, RenewalOutcome, Role, Slug, TargetMetric, TaskSource,
    Terms, Tier, task::Priority,
};

/// A user to create; the password is chosen when loading.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoUser {
    pub email: Email,
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    pub account: Option<Slug>,
}

/// An activity whose contacts are indexes into its account's contact list (ids exist
/// only once the contacts are stored).
#[derive(Debug, Clone)]
pub struct DemoActivity {
    pub kind: ActivityKind,
    pub occurred_at: DateTime<Utc>,
    pub summary: String,
    pub contacts: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct DemoTask {
    pub task: NewTask,
    pub done: bool,
}

#[derive(Debug, Clone)]
pub struct DemoCsat {
    pub contact: usize,
    pub rated_on: NaiveDate,
    pub score: i64,
}

#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub plan: AccountPlan,
    pub account: NewAccount,
    pub worksites: Vec<NewWorksite>,
    pub contacts: Vec<NewContact>,
    pub activities: Vec<DemoActivity>,
    pub tasks: Vec<DemoTask>,
    pub contracts: Vec<DemoContract>,
    pub csat: Vec<DemoCsat>,
    /// Its engagement initiatives, with the true effects planted in its member files.
    pub initiatives: Vec<crate::initiatives::PlannedInitiative>,
}

/// A contract term as signed, and the amendment made to it mid-term, if any.
#[derive(Debug, Clone)]
pub struct DemoContract {
    pub contract: NewContract,
    pub amendment: Option<DemoAmendment>,
}

#[derive(Debug, Clone)]
pub struct DemoAmendment {
    pub effective_from: NaiveDate,
    pub terms: Terms,
    pub reason: &'static str,
}

#[derive(Debug, Clone)]
pub struct Book {
    pub seed: u64,
    pub as_of: NaiveDate,
    pub users: Vec<DemoUser>,
    pub accounts: Vec<DemoAccount>,
    /// Experiments launched on the book, their treatment arms' lifts in the member files.
    pub experiments: Vec<crate::experiments::PlannedExperiment>,
}

const OUR_DOMAIN: &str = "steward.example";

fn email(local: &str, domain: &str) -> Email {
    Email::parse(&format!("{local}@{domain}")).expect("generated e-mail is valid")
}

fn person(rng: &mut Rng) -> (String, String) {
    let first = crate::names::first_name(rng);
    let last = crate::names::surname(rng);
    (format!("{first} {last}"), format!("{}.{}", first.to_lowercase(), last.to_lowercase()))
}

pub fn users(seed: u64, plans: &[AccountPlan], contacts: &[Vec<NewContact>]) -> Vec<DemoUser> {
    let mut rng = Rng::derive(seed, "users", 0);
    let mut users = vec![DemoUser {
        email: email("admin", OUR_DOMAIN),
        name: "Steward Admin".into(),
        role: Role::Admin,
        department: None,
        account: None,
    }];
    let (name, local) = person(&mut rng);
    users.push(DemoUser {
        email: email(&local, OUR_DOMAIN),
        name,
        role: Role::Director,
        department: None,
        account: None,
    });
    for _ in 0..account_managers(plans.len()) {
        let (name, local) = person(&mut rng);
        users.push(DemoUser {
            email: email(&local, OUR_DOMAIN),
            name,
            role: Role::AccountManager,
            department: None,
            account: None,
        });
    }
    for dept in Department::ALL {
        let (name, local) = person(&mut rng);
        users.push(DemoUser {
            email: email(&local, OUR_DOMAIN),
            name,
            role: Role::Colleague,
            department: Some(*dept),
            account: None,
        });
    }
    // One HR user per client, the benefits contact, who sees only their own program.
    for (plan, people) in plans.iter().zip(contacts) {
        if plan.status == AccountStatus::Prospect {
            continue;
        }
        let hr = people.iter().find(|c| c.role == ContactRole::HrBenefits).or(people.first());
        if let Some(c) = hr.and_then(|c| c.email.clone()) {
            users.push(DemoUser {
                email: c,
                name: hr.map(|c| c.name.clone()).unwrap_or_default(),
                role: Role::Client,
                department: None,
                account: Some(plan.slug.clone()),
            });
        }
    }
    dedupe_emails(users)
}

/// Two generated people can share a name; the second gets a number.
fn dedupe_emails(users: Vec<DemoUser>) -> Vec<DemoUser> {
    let mut seen = std::collections::BTreeSet::new();
    users
        .into_iter()
        .map(|mut u| {
            let mut n = 1;
            while !seen.insert(u.email.clone()) {
                n += 1;
                let (local, domain) = u.email.as_str().split_once('@').expect("e-mail has @");
                let local = local.trim_end_matches(|c: char| c.is_ascii_digit());
                u.email = email(&format!("{local}{n}"), domain);
            }
            u
        })
        .collect()
}

/// One account manager per ten accounts (at least one).
pub fn account_managers(accounts: usize) -> usize {
    accounts.div_ceil(10).max(1)
}

fn at(day: NaiveDate, rng: &mut Rng) -> DateTime<Utc> {
    let naive = day.and_hms_opt(rng.range(14, 23) as u32, rng.range(0, 3) as u32 * 15, 0).expect("valid time");
    Utc.from_utc_datetime(&naive)
}

pub fn contacts(seed: u64, plan: &AccountPlan) -> Vec<NewContact> {
    let mut rng = Rng::derive(seed, "contacts", plan.index as u64);
    let domain = format!("{}.example", plan.slug);
    let titles = crate::names::contact_titles();
    let mut picks = vec![0, 2, 3];
    for k in [1, 4, 5, 6, 7, 8] {
        if rng.chance(0.45) {
            picks.push(k);
        }
    }
    let h = plan.latent_health;
    picks
        .into_iter()
        .map(|k| {
            let (title, role) = titles[k];
            let (name, local) = person(&mut rng);
            let influence = match role {
                ContactRole::ExecutiveSponsor | ContactRole::DecisionMaker => 5 - rng.range(0, 1),
                ContactRole::Champion | ContactRole::BrokerConsultant | ContactRole::Finance => rng.range(2, 4),
                _ => rng.range(1, 3),
            };
            let sentiment = ((h - 0.5) * 4.0 + rng.normal() * 0.8).round().clamp(-2.0, 2.0) as i64;
            NewContact {
                account: plan.slug.clone(),
                name,
                title: title.into(),
                email: Some(email(&local, &domain)),
                phone: Some(format!("+1 555 01{:02}", rng.range(0, 99))),
                role,
                influence,
                sentiment,
                last_touch: None,
            }
        })
        .collect()
}

const SUMMARIES: &[(ActivityKind, &str)] = &[
    (ActivityKind::Meeting, "Program check-in: reviewed enrollment and the next campaign"),
    (ActivityKind::Call, "Call about open enrollment timing and communications"),
    (ActivityKind::Email, "Sent the monthly utilization summary"),
    (ActivityKind::Note, "Noted a question about adding a new worksite"),
    (ActivityKind::Qbr, "Quarterly business review with the benefits team"),
    (ActivityKind::Onsite, "Onsite benefits fair with a clinic tour"),
    (ActivityKind::Call, "Escalation follow-up on appointment availability"),
    (ActivityKind::Meeting, "Renewal planning and pricing options"),
];

fn activities(seed: u64, plan: &AccountPlan, contacts: &[NewContact]) -> Vec<DemoActivity> {
    let mut rng = Rng::derive(seed, "activities", plan.index as u64);
    let Some(first) = plan.launch.map(|l| Month::of(l).plus(-4).max(Month::of(plan.as_of).plus(-35))) else {
        return Vec::new();
    };
    let h = plan.latent_health;
    let deciders: Vec<usize> = (0..contacts.len()).filter(|&k| contacts[k].role.decides()).collect();
    let others: Vec<usize> = (0..contacts.len()).filter(|&k| !contacts[k].role.decides()).collect();
    let mut out = Vec::new();
    let mut month = first;
    while month <= Month::of(plan.data_end) {
        for _ in 0..rng.poisson(1.0 + 3.0 * h) {
            let day = month.first_day() + Days::new(rng.range(0, 27) as u64);
            if day > plan.data_end {
                continue;
            }
            let (kind, summary) = *rng.pick(SUMMARIES);
            let mut involved = Vec::new();
            if !others.is_empty() && kind != ActivityKind::Note {
                involved.push(*rng.pick(&others));
            }
            // Healthy relationships reach the people who decide.
            if !deciders.is_empty() && kind != ActivityKind::Note && rng.chance(0.1 + 0.5 * h) {
                involved.push(*rng.pick(&deciders));
            }
            out.push(DemoActivity {
                kind,
                occurred_at: at(day, &mut rng),
                summary: summary.into(),
                contacts: involved,
            });
        }
        month = month.succ();
    }
    out
}

const TASKS: &[&str] = &[
    "Send Q{q} utilization report to the benefits team",
    "Plan the open-enrollment webinar",
    "Confirm onsite flu-shot event dates",
    "Follow up on eligibility file errors",
    "Prepare renewal pricing options",
    "Schedule executive sponsor check-in",
];

fn tasks(seed: u64, plan: &AccountPlan, owner: Option<&Email>) -> Vec<DemoTask> {
    let mut rng = Rng::derive(seed, "tasks", plan.index as u64);
    if plan.status != AccountStatus::Live && plan.status != AccountStatus::Implementing {
        return Vec::new();
    }
    (0..rng.range(2, 5))
        .map(|k| {
            let title = rng.pick(TASKS).replace("{q}", &(((Month::of(plan.as_of).month() - 1) / 3) + 1).to_string());
            let due = plan.as_of + Days::new(rng.range(0, 55) as u64) - Days::new(12);
            let by_department = k == 0 && rng.chance(0.4);
            let for_renewal = title.contains("renewal");
            DemoTask {
                task: NewTask {
                    account: Some(plan.slug.clone()),
                    title,
                    detail: String::new(),
                    owner: if by_department { None } else { owner.cloned() },
                    department: by_department.then_some(Department::Marketing),
                    due_date: Some(due),
                    priority: *rng.pick(&[Priority::Normal, Priority::Normal, Priority::High, Priority::Low]),
                    escalation: rng.chance(0.08 + 0.2 * (1.0 - plan.latent_health)),
                    for_renewal,
                    source: TaskSource::Manual,
                    source_key: None,
                    objective: None,
                },
                done: rng.chance(0.25),
            }
        })
        .collect()
}

/// A term of 18 months or more is sometimes amended a year in (from the first of that month,
/// when that day has come): onsite clinic days added, or the rate lowered for a larger
/// population. Some current terms carry an enrollment guarantee measured at their end.
fn amend(seed: u64, plan: &AccountPlan, contracts: Vec<NewContract>) -> Vec<DemoContract> {
    let mut rng = Rng::derive(seed, "amendments", plan.index as u64);
    contracts
        .into_iter()
        .map(|mut contract| {
            if contract.end_date >= plan.as_of && rng.chance(0.3) {
                contract.guarantees = vec![Guarantee {
                    metric: TargetMetric::EnrollmentRate,
                    target: 0.25,
                    measured_on: contract.end_date,
                    fees_at_risk_pct: *rng.pick(&[5.0, 10.0]),
                }];
            }
            let year_in = contract.start_date.with_day(1).and_then(|d| d.checked_add_months(chrono::Months::new(12)));
            let amendment = year_in
                .filter(|from| contract.end_date - *from >= chrono::Duration::days(180) && *from <= plan.as_of)
                .filter(|_| rng.chance(0.35))
                .map(|effective_from| {
                    let mut terms = contract.terms();
                    let reason = if rng.chance(0.5) {
                        terms.add_ons.push(AddOn {
                            service: "onsite_clinic_day".into(),
                            price_per_event: Money::from_cents(180_000),
                            events_per_year: rng.range(6, 24),
                        });
                        "Onsite clinic days added at the client's request"
                    } else {
                        terms.rate = Money::from_cents(terms.rate.cents * 95 / 100);
                        for t in &mut terms.tiers {
                            t.rate = Money::from_cents(t.rate.cents * 95 / 100);
                        }
                        "Rate lowered 5% for a larger covered population"
                    };
                    DemoAmendment { effective_from, terms, reason }
                });
            DemoContract { contract, amendment }
        })
        .collect()
}

fn contracts(seed: u64, plan: &AccountPlan) -> Vec<NewContract> {
    let mut rng = Rng::derive(seed, "contracts", plan.index as u64);
    let model = *rng.pick(&[PricingModel::Pepm, PricingModel::Pepm, PricingModel::Pmpm, PricingModel::FlatAnnual]);
    let rate = match model {
        PricingModel::Pepm => Money::from_cents(rng.range(300, 900)),
        PricingModel::Pmpm => Money::from_cents(rng.range(1_500, 4_500)),
        PricingModel::FlatAnnual => Money::from_cents(plan.employees * rng.range(4_000, 9_000)),
    };
    let tiers = if model != PricingModel::FlatAnnual && plan.employees > 5_000 {
        vec![Tier { from_units: 0, rate }, Tier { from_units: 5_000, rate: Money::from_cents(rate.cents * 85 / 100) }]
    } else {
        Vec::new()
    };
    let add_ons = if rng.chance(0.4) {
        vec![AddOn {
            service: "flu_shot_event".into(),
            price_per_event: Money::from_cents(350_000),
            events_per_year: rng.range(1, 6),
        }]
    } else {
        Vec::new()
    };
    plan.contracts
        .iter()
        .map(|term| NewContract {
            account: plan.slug.clone(),
            start_date: term.start,
            end_date: term.end,
            auto_renew: rng.chance(0.5),
            notice_days: *rng.pick(&[60, 90, 90, 120]),
            pricing_model: model,
            rate,
            tiers: tiers.clone(),
            annual_escalator_pct: *rng.pick(&[0.0, 2.0, 3.0, 3.5, 4.0]),
            minimum_annual_commitment: (model != PricingModel::FlatAnnual && rng.chance(0.4))
                .then(|| Money::from_cents(rate.cents * plan.employees * 12 * 6 / 10)),
            add_ons: add_ons.clone(),
            guarantees: Vec::new(),
            renewal_outcome: term.outcome,
        })
        .collect()
}

fn csat(seed: u64, plan: &AccountPlan, contacts: &[NewContact]) -> Vec<DemoCsat> {
    let mut rng = Rng::derive(seed, "csat", plan.index as u64);
    let raters: Vec<usize> = (0..contacts.len())
        .filter(|&k| matches!(contacts[k].role, ContactRole::HrBenefits | ContactRole::DecisionMaker))
        .collect();
    let Some(launch) = plan.launch else { return Vec::new() };
    let mut out = Vec::new();
    let mut month = Month::of(launch).max(Month::of(plan.as_of).plus(-35));
    while month <= Month::of(plan.data_end) {
        if month.month().is_multiple_of(3) {
            for &contact in &raters {
                if rng.chance(0.7) {
                    let score = (1.5 + 3.5 * plan.latent_health + 0.7 * rng.normal()).round().clamp(1.0, 5.0) as i64;
                    let rated_on = month.last_day().min(plan.data_end);
                    out.push(DemoCsat { contact, rated_on, score });
                }
            }
        }
        month = month.succ();
    }
    out
}

pub fn account(seed: u64, plan: &AccountPlan, contacts: Vec<NewContact>, owner: Option<&Email>) -> DemoAccount {
    let mut rng = Rng::derive(seed, "account-row", plan.index as u64);
    let account = NewAccount {
        slug: plan.slug.clone(),
        name: plan.name.clone(),
        segment: plan.segment,
        industry: plan.industry.into(),
        employee_count: Some(plan.employees),
        status: plan.status,
        parent: None,
        owner: owner.cloned(),
        launch_date: plan.launch,
        fein: Some(format!("{:02}-{:07}", rng.range(10, 98), rng.range(0, 9_999_999))),
        enrollment_target: *rng.pick(&[0.25, 0.30, 0.30, 0.35]),
    };
    let worksites = plan
        .worksite_names
        .iter()
        .enumerate()
        .map(|(k, name)| NewWorksite {
            account: plan.slug.clone(),
            name: name.clone(),
            metro: plan.worksite_metros[k],
            zip3: Some(plan.worksite_zip3[k].to_owned()),
            headcount: Some(
                (plan.employees as f64 * plan.worksite_weights[k] / plan.worksite_weights.iter().sum::<f64>()).round()
                    as i64,
            ),
        })
        .collect();
    DemoAccount {
        activities: activities(seed, plan, &contacts),
        tasks: tasks(seed, plan, owner),
        contracts: amend(seed, plan, contracts(seed, plan)),
        csat: csat(seed, plan, &contacts),
        initiatives: crate::initiatives::plan(seed, plan),
        plan: plan.clone(),
        account,
        worksites,
        contacts,
    }
}

/// Metros in the book, for the summary.
pub fn metros(book: &Book) -> std::collections::BTreeSet<Metro> {
    book.accounts.iter().flat_map(|a| a.plan.worksite_metros.iter().copied()).collect()
}

pub fn renewal_outcomes(book: &Book) -> (usize, usize) {
    let decided = book
        .accounts
        .iter()
        .flat_map(|a| a.contracts.iter().map(|c| &c.contract))
        .filter(|c| c.renewal_outcome != RenewalOutcome::Pending);
    decided.fold((0, 0), |(r, c), k| if k.renewal_outcome == RenewalOutcome::Renewed { (r + 1, c) } else { (r, c + 1) })
}
