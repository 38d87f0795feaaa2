//! Playbooks over several runs on a real store: one task per rule and account while open,
//! none during the cooldown after it closes, a new one after.

#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use steward_domain::{
    Email, Money, NewAccount, NewContract, NewUser, PricingModel, RenewalOutcome, Role, Slug, TaskStatus,
};
use steward_health::playbooks::{Condition, Playbooks};
use steward_health::run::run;
use steward_store::{AccountStore, Store, TaskFilter, TaskStore};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn book(store: &dyn Store) {
    store
        .create_user(&NewUser {
            email: Email::parse("am@steward.example").unwrap(),
            name: "Am".into(),
            role: Role::AccountManager,
            department: None,
            account: None,
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        })
        .unwrap();
    let mut a = NewAccount::new(Slug::parse("acme").unwrap(), "Acme");
    a.owner = Some(Email::parse("am@steward.example").unwrap());
    a.status = steward_domain::AccountStatus::Live;
    store.create_account(&a).unwrap();
    store
        .create_contract(
            &NewContract {
                account: Slug::parse("acme").unwrap(),
                start_date: d("2024-01-01"),
                end_date: d("2026-12-31"),
                auto_renew: false,
                notice_days: 90,
                pricing_model: PricingModel::Pepm,
                rate: Money::from_cents(500),
                tiers: vec![],
                annual_escalator_pct: 0.0,
                minimum_annual_commitment: None,
                add_ons: vec![],
                guarantees: vec![],
                renewal_outcome: RenewalOutcome::Pending,
            },
            &steward_domain::ChangeNote::new(None, "signed"),
        )
        .unwrap();
}

#[test]
fn no_duplicates_while_open_and_a_cooldown_after() {
    let store = steward_store_tests::TempSqlite::new();
    book(&*store);
    let card = Default::default();
    // Only the touch rule, so the test reads plainly: nobody has met a decision maker.
    let mut playbooks = Playbooks::default();
    playbooks.rules.retain(|r| matches!(r.condition, Condition::NoDecisionMakerTouch { .. }));
    let today = d("2026-06-01");

    let dry = run(&*store, &card, &playbooks, today, None, true).unwrap();
    assert_eq!(dry.opened.len(), 1);
    assert!(store.tasks(&TaskFilter::default()).unwrap().is_empty(), "a dry run opens nothing");

    let first = run(&*store, &card, &playbooks, today, None, false).unwrap();
    assert_eq!((first.opened.len(), first.already_open), (1, 0));
    let second = run(&*store, &card, &playbooks, d("2026-06-02"), None, false).unwrap();
    assert_eq!((second.opened.len(), second.already_open), (0, 1), "still open: no duplicate");

    let task = store.tasks(&TaskFilter::default()).unwrap().remove(0);
    assert_eq!(task.owner, Some(Email::parse("am@steward.example").unwrap()));
    assert!(
        task.detail.starts_with("No decision maker or executive sponsor met for ") && !task.detail.contains(" = "),
        "a sentence, not the rule's variables: {}",
        task.detail
    );
    store.set_task_status(task.id, TaskStatus::Done, task.version).unwrap();
    let closed_on = store.task(task.id).unwrap().closed_at.unwrap().date_naive();

    let cooling = run(&*store, &card, &playbooks, closed_on, None, false).unwrap();
    assert_eq!((cooling.opened.len(), cooling.cooling_down), (0, 1), "closed within the cooldown");
    let last_day = run(&*store, &card, &playbooks, closed_on + chrono::Days::new(29), None, false).unwrap();
    assert_eq!((last_day.opened.len(), last_day.cooling_down), (0, 1), "29 days after closing: still cooling down");
    let after = run(&*store, &card, &playbooks, closed_on + chrono::Days::new(30), None, false).unwrap();
    assert_eq!(after.opened.len(), 1, "30 days after closing, the cooldown is over: a new task");

    // Prospects and churned clients are left alone.
    let mut prospect = steward_domain::NewAccount::new(Slug::parse("maybe").unwrap(), "Maybe");
    prospect.owner = Some(Email::parse("am@steward.example").unwrap());
    store.create_account(&prospect).unwrap();
    let later = run(&*store, &card, &playbooks, closed_on + chrono::Days::new(32), None, true).unwrap();
    assert!(later.opened.iter().all(|p| p.account.as_str() != "maybe"));
    assert_eq!(store.tasks(&TaskFilter { status: Some(TaskStatus::Open), ..TaskFilter::default() }).unwrap().len(), 1);
}
