//! The behaviour every backend must show, written once. A backend's test crate runs it
//! with [`conformance_tests!`](crate::conformance_tests), which makes one `#[test]` per
//! case over a fresh, empty store from the given factory.

use crate::ledger_codec::{self, Part};
use crate::{
    ArrFilter, CutKind, ImportWork, LedgerUpdate, OpportunityEdit, OpportunityFilter, PasswordChanged, ProjectFilter,
    Result, StageTotal, Store, StoreError, TaskCreated, TaskFilter, UserEdit, secret_digest,
};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use steward_domain::ledger::{Ledger, PersonFacts, Visit};
use steward_domain::metrics::{self, Cut};
use steward_domain::opportunity::{self, ForecastCategory, Move, NewOpportunity, OpportunityKind, Stage};
use steward_domain::pricing::Volume;
use steward_domain::throttle::{Policy, Rule, Scope};
use steward_domain::{
    AccountStatus, ActivityKind, AddOn, Amendment, ChangeKind, ChangeNote, ContactRole, Department, Email,
    ImportDetails, ImportKind, ImportStatus, Metro, Money, NewAccount, NewActivity, NewContact, NewContract,
    NewCsatRating, NewImportBatch, NewTask, NewUser, NewWorksite, PricingModel, RenewalOutcome, Role, RowError,
    Segment, Slug, TaskAssignment, TaskSource, TaskStatus, Tier, task::Priority,
};
use steward_domain::{MemberKey, Modality, Month, Relationship, Sex, Span, VisitStatus};

/// Generates one `#[test]` per conformance case. `$factory` is an expression returning a
/// value that derefs to a fresh store (and may clean up on drop).
#[macro_export]
macro_rules! conformance_tests {
    ($factory:expr) => {
        $crate::conformance_tests!(@cases $factory;
            schema_is_current, metros_are_seeded, users_round_trip, user_scope_follows_role, sessions_expire_and_end,
            api_tokens_revoke, password_change_ends_other_sessions, deactivating_revokes_tokens_for_good,
            sign_in_failures_slow_the_next_attempt, parallel_sign_ins_queue_on_their_count,
            accounts_round_trip, account_errors, account_hierarchy_has_no_cycles, stale_versions_conflict,
            worksites_round_trip, contacts_and_activities, tasks_deduplicate_by_source_key,
            concurrent_task_triggers_open_one_task, task_filters_and_order, tasks_reassign_and_snooze, contracts_round_trip,
            contract_history_and_arr, billing_starts_at_go_live, one_renewal_per_term, opportunities_move_and_decide_renewals,
            opportunities_page_and_total_by_stage,
            forecast_calls_and_goals, stakeholders_keep_their_history, writes_to_an_account_s_data_are_counted, projects_keep_their_plan, success_plans_and_the_tasks_that_serve_them, initiatives_round_trip, experiments_keep_their_split, reports_keep_their_versions, csat_round_trip, imports_round_trip, settings_round_trip, erase_all_empties_the_book,
            member_ledgers_round_trip, stale_ledger_writes_nothing, metrics_refresh_on_the_current_ledger_only,
            applied_imports_and_mappings);
    };
    (@cases $factory:expr; $($case:ident),+) => {
        $(
            #[test]
            fn $case() {
                let store = $factory;
                $crate::conformance::$case(&*store).expect(stringify!($case));
            }
        )+
    };
}

fn slug(s: &str) -> Slug {
    Slug::parse(s).expect("test slug")
}

fn email(s: &str) -> Email {
    Email::parse(s).expect("test e-mail")
}

fn date(s: &str) -> NaiveDate {
    s.parse().expect("test date")
}

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 15, 30, 0).single().expect("test time")
}

fn user(address: &str, role: Role) -> NewUser {
    NewUser {
        email: email(address),
        name: address.split('@').next().unwrap_or("someone").to_owned(),
        role,
        department: (role == Role::Colleague).then_some(Department::Operations),
        account: None,
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo".to_owned(),
    }
}

fn account(s: &str, name: &str) -> NewAccount {
    NewAccount::new(slug(s), name)
}

fn expect_err<T: std::fmt::Debug>(r: Result<T>, wanted: fn(&StoreError) -> bool, what: &str) -> Result<()> {
    match r {
        Err(e) if wanted(&e) => Ok(()),
        other => Err(StoreError::Backend(format!("{what}: unexpected {other:?}"))),
    }
}

/// `f` run by `n` threads at once, their outcomes in order (a panic is an error).
fn in_parallel<T: Send>(n: usize, f: impl Fn() -> Result<T> + Sync) -> Vec<Result<T>> {
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n).map(|_| scope.spawn(&f)).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(StoreError::Backend("thread panicked".into()))))
            .collect()
    })
}

fn ensure(condition: bool, what: &str) -> Result<()> {
    if condition { Ok(()) } else { Err(StoreError::Backend(format!("expectation failed: {what}"))) }
}

/// An account manager who owns `acme`.
fn book(s: &dyn Store) -> Result<()> {
    s.create_user(&user("am@steward.test", Role::AccountManager))?;
    let mut a = account("acme", "Acme Freight");
    a.owner = Some(email("am@steward.test"));
    s.create_account(&a)?;
    Ok(())
}

pub fn schema_is_current(s: &dyn Store) -> Result<()> {
    ensure(s.schema_version()? == crate::migrate::latest_version(), "schema at the latest version")
}

pub fn metros_are_seeded(s: &dyn Store) -> Result<()> {
    ensure(s.metros()?.len() == Metro::ALL.len(), "every metro seeded")?;
    ensure(s.metros()?.contains(&Metro::SfBayArea), "sf_bay_area present")
}

pub fn users_round_trip(s: &dyn Store) -> Result<()> {
    let created = s.create_user(&user("Dana@Steward.test", Role::Director))?;
    ensure(created.email.as_str() == "dana@steward.test" && created.version == 1 && created.active, "created user")?;
    ensure(s.user(&email("DANA@steward.test"))? == created, "lookup ignores case")?;
    expect_err(
        s.create_user(&user("dana@steward.test", Role::Admin)),
        |e| matches!(e, StoreError::Duplicate(_)),
        "duplicate e-mail",
    )?;
    ensure(s.password_hash(&created.email)?.is_some_and(|h| h.starts_with("$argon2id$")), "hash kept")?;
    s.set_password_hash(&created.email, "$argon2id$v=19$changed", None, false)?;
    ensure(s.password_hash(&created.email)?.as_deref() == Some("$argon2id$v=19$changed"), "password changed")?;
    expect_err(
        s.set_password_hash(&email("nobody@steward.test"), "$argon2id$x", None, false),
        |e| matches!(e, StoreError::NotFound(_)),
        "unknown user's password",
    )?;
    let mut edit = UserEdit::from(&created);
    edit.active = false;
    let off = s.update_user(&created.email, &edit, created.version)?;
    ensure(!off.active && off.version == 2, "deactivated")?;
    ensure(s.password_hash(&created.email)?.is_none(), "inactive users cannot sign in")?;
    expect_err(s.user(&email("nobody@steward.test")), |e| matches!(e, StoreError::NotFound(_)), "unknown user")?;
    ensure(s.users()?.len() == 1, "one user listed")
}

pub fn user_scope_follows_role(s: &dyn Store) -> Result<()> {
    book(s)?;
    let mut client = user("hr@acme.test", Role::Client);
    expect_err(s.create_user(&client), |e| matches!(e, StoreError::Invalid(_)), "client without account")?;
    client.account = Some(slug("acme"));
    ensure(s.create_user(&client)?.account == Some(slug("acme")), "client belongs to acme")?;
    let mut stray = user("stray@acme.test", Role::Client);
    stray.account = Some(slug("nowhere"));
    expect_err(s.create_user(&stray), |e| matches!(e, StoreError::NotFound(_)), "client of unknown account")?;
    let colleague = s.create_user(&user("ops@steward.test", Role::Colleague))?;
    ensure(colleague.department == Some(Department::Operations), "colleague department")?;
    let internal: Vec<String> = s.internal_users()?.iter().map(|u| u.email.to_string()).collect();
    ensure(internal.contains(&"ops@steward.test".to_owned()), "colleagues may own tasks")?;
    ensure(!internal.contains(&"hr@acme.test".to_owned()), "client users may not")
}

pub fn sessions_expire_and_end(s: &dyn Store) -> Result<()> {
    let am = s.create_user(&user("am@steward.test", Role::AccountManager))?;
    let (early, late) = (secret_digest("session-early"), secret_digest("session-late"));
    s.create_session(&am.email, &early, at(2026, 3, 1))?;
    s.create_session(&am.email, &late, at(2026, 6, 1))?;
    expect_err(
        s.create_session(&am.email, &late, at(2026, 7, 1)),
        |e| matches!(e, StoreError::Duplicate(_)),
        "reused id",
    )?;
    expect_err(
        s.create_session(&email("nobody@steward.test"), "x", at(2026, 7, 1)),
        |e| matches!(e, StoreError::NotFound(_)),
        "session of unknown user",
    )?;
    ensure(s.session_user(&early, at(2026, 2, 1))?.is_some_and(|u| u.email == am.email), "live session")?;
    ensure(s.session_user(&early, at(2026, 3, 1))?.is_none(), "expired at its expiry")?;
    ensure(s.session_user(&secret_digest("forged"), at(2026, 2, 1))?.is_none(), "unknown session")?;
    ensure(s.delete_expired_sessions(at(2026, 4, 1))? == 1, "one expired session swept")?;
    s.delete_session(&late)?;
    ensure(s.session_user(&late, at(2026, 2, 1))?.is_none(), "signed out")?;
    s.create_session(&am.email, &early, at(2026, 6, 1))?;
    let mut edit = UserEdit::from(&am);
    edit.active = false;
    let off = s.update_user(&am.email, &edit, am.version)?;
    ensure(s.session_user(&early, at(2026, 2, 1))?.is_none(), "deactivated users' sessions stop working")?;
    edit.active = true;
    s.update_user(&am.email, &edit, off.version)?;
    ensure(s.session_user(&early, at(2026, 2, 1))?.is_none(), "reactivating revives no session")
}

pub fn password_change_ends_other_sessions(s: &dyn Store) -> Result<()> {
    let am = s.create_user(&user("am@steward.test", Role::AccountManager))?;
    let other = s.create_user(&user("other@steward.test", Role::AccountManager))?;
    let (here, there, theirs) = (secret_digest("here"), secret_digest("there"), secret_digest("theirs"));
    for (who, session) in [(&am, &here), (&am, &there), (&other, &theirs)] {
        s.create_session(&who.email, session, at(2026, 6, 1))?;
    }
    let (token, their_token) = (secret_digest("stw_mine"), secret_digest("stw_theirs"));
    s.create_api_token(&am.email, "export", &token, "stw_mine")?;
    s.create_api_token(&other.email, "export", &their_token, "stw_thei")?;
    let changed = s.set_password_hash(&am.email, "$argon2id$v=19$new", Some(&here), false)?;
    ensure(changed == PasswordChanged { sessions_ended: 1, tokens_revoked: 0 }, "one other session ended")?;
    let live = |d: &str| s.session_user(d, at(2026, 2, 1)).map(|u| u.is_some());
    ensure(live(&here)? && !live(&there)? && live(&theirs)?, "the changing session and others' sessions stay")?;
    ensure(s.api_token_user(&token)?.is_some(), "tokens stay unless asked")?;
    let changed = s.set_password_hash(&am.email, "$argon2id$v=19$newer", None, true)?;
    ensure(changed == PasswordChanged { sessions_ended: 1, tokens_revoked: 1 }, "every session and token ended")?;
    ensure(!live(&here)? && s.api_token_user(&token)?.is_none(), "nothing of the old password works")?;
    ensure(s.api_token_user(&their_token)?.is_some() && live(&theirs)?, "another user's untouched")
}

pub fn deactivating_revokes_tokens_for_good(s: &dyn Store) -> Result<()> {
    let am = s.create_user(&user("am@steward.test", Role::AccountManager))?;
    let token = secret_digest("stw_mine");
    s.create_api_token(&am.email, "export", &token, "stw_mine")?;
    let mut edit = UserEdit::from(&am);
    edit.active = false;
    let off = s.update_user(&am.email, &edit, am.version)?;
    edit.active = true;
    let on = s.update_user(&am.email, &edit, off.version)?;
    ensure(on.active && s.api_token_user(&token)?.is_none(), "a reactivated user's old token stays revoked")?;
    ensure(s.api_tokens(Some(&am.email))?.iter().all(|t| t.revoked_at.is_some()), "listed as revoked")
}

pub fn api_tokens_revoke(s: &dyn Store) -> Result<()> {
    let am = s.create_user(&user("am@steward.test", Role::AccountManager))?;
    let ops = s.create_user(&user("ops@steward.test", Role::Admin))?;
    let digest = secret_digest("stw_first");
    let first = s.create_api_token(&am.email, " nightly export ", &digest, "stw_firs")?;
    ensure(first.name == "nightly export" && first.last_used_at.is_none() && first.revoked_at.is_none(), "created")?;
    expect_err(
        s.create_api_token(&am.email, "copy", &digest, "stw_firs"),
        |e| matches!(e, StoreError::Duplicate(_)),
        "same secret",
    )?;
    expect_err(s.create_api_token(&am.email, "  ", "d", "p"), |e| matches!(e, StoreError::Invalid(_)), "unnamed")?;
    s.create_api_token(&ops.email, "loader", &secret_digest("stw_second"), "stw_seco")?;
    ensure(s.api_token_user(&digest)?.is_some_and(|u| u.email == am.email), "token signs in")?;
    ensure(s.api_token_user(&secret_digest("stw_forged"))?.is_none(), "unknown token")?;
    let mine = s.api_tokens(Some(&am.email))?;
    ensure(mine.len() == 1 && mine[0].last_used_at.is_some(), "use is noted")?;
    ensure(s.api_tokens(None)?.len() == 2, "everyone's tokens")?;
    ensure(s.api_token(first.id)?.last_used_at.is_some(), "one token by id")?;
    expect_err(s.revoke_api_token(first.id, first.version + 5), |e| matches!(e, StoreError::Conflict { .. }), "stale")?;
    let revoked = s.revoke_api_token(first.id, first.version)?;
    ensure(revoked.revoked_at.is_some() && revoked.version == first.version + 1, "revoked")?;
    ensure(s.api_token_user(&digest)?.is_none(), "revoked tokens sign nobody in")?;
    expect_err(s.revoke_api_token(9_999, 1), |e| matches!(e, StoreError::NotFound(_)), "unknown token id")?;
    expect_err(s.api_token(9_999), |e| matches!(e, StoreError::NotFound(_)), "no such token")?;
    Ok(())
}

fn throttle_policy() -> Policy {
    let rule = |free| Rule { free, max_wait: chrono::Duration::seconds(60) };
    Policy {
        pair: rule(2),
        address: rule(4),
        account: rule(6),
        first_wait: chrono::Duration::seconds(10),
        forget_after: chrono::Duration::hours(1),
    }
}

fn throttle_keys(address: &str, account: &str) -> Vec<(Scope, String)> {
    vec![
        (Scope::Pair, format!("{address}|{account}")),
        (Scope::Address, address.to_owned()),
        (Scope::Account, account.to_owned()),
    ]
}

pub fn sign_in_failures_slow_the_next_attempt(s: &dyn Store) -> Result<()> {
    let p = throttle_policy();
    let t0 = at(2026, 6, 1);
    let secs = |n| t0 + chrono::Duration::seconds(n);
    let guesser = throttle_keys("addr-1", "dana");
    for n in 0..2 {
        ensure(s.claim_sign_in(&guesser, &p, secs(n))?.is_ok(), "two failures without a wait")?;
    }
    ensure(s.claim_sign_in(&guesser, &p, secs(2))? == Err(secs(11)), "then 10 s from the last")?;
    ensure(s.claim_sign_in(&guesser, &p, secs(10))? == Err(secs(11)), "a refused attempt counts nothing")?;
    ensure(s.claim_sign_in(&guesser, &p, secs(11))?.is_ok(), "allowed after the wait")?;
    ensure(s.claim_sign_in(&guesser, &p, secs(12))? == Err(secs(31)), "the wait doubles")?;
    // The owner, from another address, is not slowed by the guesser's pair.
    let owner = throttle_keys("addr-2", "dana");
    ensure(s.claim_sign_in(&owner, &p, secs(13))?.is_ok(), "the owner elsewhere signs in")?;
    s.forgive_sign_in(&owner[..1], &owner[1..])?;
    // A success clears its pair and takes its attempt back from the address and account.
    ensure(s.claim_sign_in(&guesser, &p, secs(31))?.is_ok(), "allowed after the wait")?;
    s.forgive_sign_in(&guesser[..1], &guesser[1..])?;
    ensure(s.claim_sign_in(&guesser, &p, secs(32))?.is_ok(), "the pair starts again")?;
    // One address over many accounts: four failures, then it waits.
    let spray = |at, from: i32| -> Result<bool> {
        let mut all = true;
        for i in from..from + 4 {
            all &= s.claim_sign_in(&throttle_keys("addr-3", &format!("user-{i}")), &p, at)?.is_ok();
        }
        Ok(all)
    };
    ensure(spray(secs(40), 0)?, "four attempts from one address")?;
    ensure(s.claim_sign_in(&throttle_keys("addr-3", "user-9"), &p, secs(41))?.is_err(), "the address waits")?;
    // An hour without failures and the address starts again: four more at once.
    ensure(spray(secs(41) + p.forget_after, 10)?, "forgotten")?;
    // A success does not keep an address's failures alive: they are forgotten an hour
    // after the last failure, not the last attempt.
    for i in 0..3 {
        ensure(s.claim_sign_in(&throttle_keys("addr-9", &format!("typo-{i}")), &p, secs(100))?.is_ok(), "typos")?;
    }
    let success = throttle_keys("addr-9", "finn");
    ensure(s.claim_sign_in(&success, &p, secs(100) + p.forget_after / 2)?.is_ok(), "finn signs in")?;
    s.forgive_sign_in(&success[..1], &success[1..])?;
    let after = secs(101) + p.forget_after;
    for i in 0..4 {
        let keys = throttle_keys("addr-9", &format!("next-{i}"));
        ensure(s.claim_sign_in(&keys, &p, after)?.is_ok(), "the typos are forgotten on time")?;
    }
    Ok(())
}

pub fn parallel_sign_ins_queue_on_their_count(s: &dyn Store) -> Result<()> {
    let p = throttle_policy();
    let keys = throttle_keys("addr-1", "dana");
    let now = at(2026, 6, 1);
    let mut allowed = 0;
    for outcome in in_parallel(8, || s.claim_sign_in(&keys, &p, now)) {
        if outcome?.is_ok() {
            allowed += 1;
        }
    }
    ensure(allowed == 2, &format!("two failures before a wait, however parallel: {allowed}"))
}

pub fn accounts_round_trip(s: &dyn Store) -> Result<()> {
    book(s)?;
    let mut a = account("blue-harbor", "Blue Harbor Logistics");
    a.segment = Segment::LargeEnterprise;
    a.industry = "logistics".into();
    a.employee_count = Some(12_400);
    a.status = AccountStatus::Live;
    a.parent = Some(slug("acme"));
    a.owner = Some(email("am@steward.test"));
    a.launch_date = Some(date("2023-02-01"));
    a.fein = Some("12-3456789".into());
    a.enrollment_target = 0.35;
    let created = s.create_account(&a)?;
    let read = s.account(&slug("blue-harbor"))?;
    ensure(read == created, "read equals created")?;
    ensure(read.parent == Some(slug("acme")) && read.owner == Some(email("am@steward.test")), "links")?;
    ensure(read.launch_date == Some(date("2023-02-01")) && read.enrollment_target == 0.35, "values")?;
    let names: Vec<String> = s.accounts()?.into_iter().map(|a| a.name).collect();
    ensure(names == ["Acme Freight", "Blue Harbor Logistics"], "listed by name")
}

pub fn account_errors(s: &dyn Store) -> Result<()> {
    book(s)?;
    expect_err(
        s.create_account(&account("acme", "Again")),
        |e| matches!(e, StoreError::Duplicate(_)),
        "duplicate slug",
    )?;
    let mut a = account("orphan", "Orphan");
    a.owner = Some(email("ghost@steward.test"));
    expect_err(s.create_account(&a), |e| matches!(e, StoreError::NotFound(_)), "unknown owner")?;
    s.create_user(&user("ops@steward.test", Role::Colleague))?;
    a.owner = Some(email("ops@steward.test"));
    expect_err(s.create_account(&a), |e| matches!(e, StoreError::Invalid(_)), "colleague cannot own")?;
    a.owner = None;
    a.enrollment_target = 2.0;
    expect_err(s.create_account(&a), |e| matches!(e, StoreError::Invalid(_)), "target out of range")?;
    expect_err(s.account(&slug("missing")), |e| matches!(e, StoreError::NotFound(_)), "unknown account")
}

pub fn account_hierarchy_has_no_cycles(s: &dyn Store) -> Result<()> {
    book(s)?;
    let mut child = account("acme-west", "Acme West");
    child.parent = Some(slug("acme"));
    s.create_account(&child)?;
    let parent = s.account(&slug("acme"))?;
    let mut edit = account("acme", "Acme Freight");
    edit.owner = parent.owner.clone();
    edit.parent = Some(slug("acme-west"));
    expect_err(s.update_account(&edit, parent.version), |e| matches!(e, StoreError::Invalid(_)), "cycle refused")
}

pub fn stale_versions_conflict(s: &dyn Store) -> Result<()> {
    book(s)?;
    let before = s.account(&slug("acme"))?;
    let mut edit = account("acme", "Acme Freight & Co");
    edit.owner = before.owner.clone();
    let after = s.update_account(&edit, before.version)?;
    ensure(after.version == before.version + 1 && after.name == "Acme Freight & Co", "update applied")?;
    match s.update_account(&edit, before.version) {
        Err(StoreError::Conflict { current, .. }) => {
            ensure(current == after.version, "conflict carries current version")?
        }
        other => return Err(StoreError::Backend(format!("stale account edit: {other:?}"))),
    }
    ensure(s.account(&slug("acme"))?.name == "Acme Freight & Co", "stale write changed nothing")?;
    expect_err(
        s.update_account(&account("ghost", "Ghost"), 1),
        |e| matches!(e, StoreError::NotFound(_)),
        "unknown account",
    )?;

    let contact = s.create_contact(&contact("acme", "Rosa Quill", ContactRole::HrBenefits), None)?;
    let mut c = contact_edit(&contact);
    c.sentiment = 2;
    s.update_contact(contact.id, &c, None, contact.version)?;
    expect_err(
        s.update_contact(contact.id, &c, None, contact.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale contact",
    )?;

    let task = s.create_task(&manual_task("Call Rosa"))?.task().clone();
    s.set_task_status(task.id, TaskStatus::Done, task.version)?;
    expect_err(
        s.set_task_status(task.id, TaskStatus::Dismissed, task.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale task",
    )?;

    let contract = s.create_contract(&new_contract("acme"), &signed())?;
    s.set_renewal_outcome(contract.id, RenewalOutcome::Renewed, &signed(), contract.version)?;
    expect_err(
        s.set_renewal_outcome(contract.id, RenewalOutcome::Churned, &signed(), contract.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale contract",
    )?;

    let am = s.user(&email("am@steward.test"))?;
    s.update_user(&am.email, &UserEdit::from(&am), am.version)?;
    expect_err(
        s.update_user(&am.email, &UserEdit::from(&am), am.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale user",
    )
}

fn contact(account: &str, name: &str, role: ContactRole) -> NewContact {
    NewContact {
        account: slug(account),
        name: name.into(),
        title: "Director of Benefits".into(),
        email: Some(email("rosa.quill@acme.test")),
        phone: Some("+1 555 0100".into()),
        role,
        influence: 4,
        sentiment: 1,
        last_touch: None,
    }
}

fn contact_edit(c: &steward_domain::Contact) -> NewContact {
    NewContact {
        account: c.account.clone(),
        name: c.name.clone(),
        title: c.title.clone(),
        email: c.email.clone(),
        phone: c.phone.clone(),
        role: c.role,
        influence: c.influence,
        sentiment: c.sentiment,
        last_touch: c.last_touch,
    }
}

fn manual_task(title: &str) -> NewTask {
    NewTask {
        account: Some(slug("acme")),
        title: title.into(),
        detail: String::new(),
        owner: Some(email("am@steward.test")),
        department: None,
        due_date: None,
        priority: Priority::Normal,
        escalation: false,
        for_renewal: false,
        source: TaskSource::Manual,
        source_key: None,
        objective: None,
    }
}

fn signed() -> ChangeNote {
    ChangeNote::new(Some(email("am@steward.test")), "signed")
}

fn new_contract(account: &str) -> NewContract {
    NewContract {
        account: slug(account),
        start_date: date("2024-01-01"),
        end_date: date("2026-12-31"),
        auto_renew: true,
        notice_days: 90,
        pricing_model: PricingModel::Pepm,
        rate: Money::from_cents(475),
        tiers: vec![
            Tier { from_units: 0, rate: Money::from_cents(475) },
            Tier { from_units: 5_000, rate: Money::from_cents(410) },
        ],
        annual_escalator_pct: 3.5,
        minimum_annual_commitment: Some(Money::from_cents(12_000_000)),
        add_ons: vec![AddOn {
            service: "flu_shot_event".into(),
            price_per_event: Money::from_cents(250_000),
            events_per_year: 4,
        }],
        guarantees: vec![],
        renewal_outcome: RenewalOutcome::Pending,
    }
}

pub fn worksites_round_trip(s: &dyn Store) -> Result<()> {
    book(s)?;
    let site = NewWorksite {
        account: slug("acme"),
        name: "Harbor Point HQ".into(),
        metro: Metro::Seattle,
        zip3: Some("981".into()),
        headcount: Some(2_300),
    };
    let created = s.create_worksite(&site)?;
    ensure(s.worksites(&slug("acme"))? == vec![created], "listed")?;
    expect_err(s.create_worksite(&site), |e| matches!(e, StoreError::Duplicate(_)), "duplicate worksite name")?;
    let mut bad = site.clone();
    bad.name = "Elsewhere".into();
    bad.zip3 = Some("98".into());
    expect_err(s.create_worksite(&bad), |e| matches!(e, StoreError::Invalid(_)), "bad zip3")
}

pub fn contacts_and_activities(s: &dyn Store) -> Result<()> {
    book(s)?;
    s.create_account(&account("other", "Other Co"))?;
    let rosa = s.create_contact(&contact("acme", "Rosa Quill", ContactRole::DecisionMaker), None)?;
    let mut low = contact("acme", "Theo Marsh", ContactRole::Champion);
    low.influence = 2;
    let theo = s.create_contact(&low, None)?;
    let stranger = s.create_contact(&contact("other", "Ivy Stone", ContactRole::Finance), None)?;
    ensure(s.contacts(&slug("acme"))?.iter().map(|c| c.id).collect::<Vec<_>>() == [rosa.id, theo.id], "by influence")?;

    let log = |when, ids: Vec<i64>, summary: &str| NewActivity {
        account: slug("acme"),
        kind: ActivityKind::Meeting,
        occurred_at: when,
        author: Some(email("am@steward.test")),
        summary: summary.into(),
        contact_ids: ids,
    };
    s.create_activity(&log(at(2025, 3, 10), vec![theo.id, rosa.id, rosa.id], "Quarterly review"))?;
    s.create_activity(&log(at(2025, 1, 5), vec![rosa.id], "Older call logged late"))?;
    s.create_activity(&log(at(2025, 4, 1), vec![], "Internal note"))?;
    expect_err(
        s.create_activity(&log(at(2025, 4, 2), vec![stranger.id], "x")),
        |e| matches!(e, StoreError::NotFound(_)),
        "other account's contact",
    )?;

    let timeline = s.activities(&slug("acme"), 10)?;
    let summaries: Vec<&str> = timeline.iter().map(|a| a.summary.as_str()).collect();
    ensure(summaries == ["Internal note", "Quarterly review", "Older call logged late"], "newest first")?;
    ensure(timeline[1].contact_ids == vec![rosa.id, theo.id], "contacts deduplicated and sorted")?;
    ensure(timeline[1].occurred_at == at(2025, 3, 10), "time kept exactly")?;
    ensure(s.activities(&slug("acme"), 1)?.len() == 1, "limit")?;
    let rosa_now = s.contacts(&slug("acme"))?.into_iter().find(|c| c.id == rosa.id);
    ensure(rosa_now.and_then(|c| c.last_touch) == Some(date("2025-03-10")), "last touch only moves forward")
}

pub fn tasks_deduplicate_by_source_key(s: &dyn Store) -> Result<()> {
    book(s)?;
    let mut t = manual_task("Renewal in 120 days with low enrollment");
    t.source = TaskSource::Playbook;
    t.source_key = Some("renewal_low_enrollment:acme".into());
    let first = s.create_task(&t)?;
    ensure(matches!(first, TaskCreated::Created(_)), "first run creates")?;
    let second = s.create_task(&t)?;
    ensure(matches!(&second, TaskCreated::AlreadyOpen(x) if x.id == first.task().id), "second run finds it")?;
    s.set_task_status(first.task().id, TaskStatus::Done, first.task().version)?;
    let third = s.create_task(&t)?;
    ensure(matches!(&third, TaskCreated::Created(x) if x.id != first.task().id), "after closing, a new one")?;
    let closed = s.task(first.task().id)?;
    ensure(closed.closed_at.is_some() && closed.status == TaskStatus::Done, "closed stamped")?;
    expect_err(
        s.set_task_status(closed.id, TaskStatus::Open, closed.version),
        |e| matches!(e, StoreError::Duplicate(_)),
        "reopen while another is open",
    )?;
    let mut nobody = manual_task("Nobody's");
    nobody.owner = None;
    expect_err(s.create_task(&nobody), |e| matches!(e, StoreError::Invalid(_)), "task without owner or department")
}

pub fn concurrent_task_triggers_open_one_task(s: &dyn Store) -> Result<()> {
    book(s)?;
    let mut t = manual_task("Health fell 15 points");
    t.source = TaskSource::Playbook;
    t.source_key = Some("health_drop:acme:2025-06".into());
    let mut created = 0;
    for outcome in in_parallel(6, || s.create_task(&t)) {
        if matches!(outcome?, TaskCreated::Created(_)) {
            created += 1;
        }
    }
    ensure(created == 1, "exactly one racer creates")?;
    let open = s.tasks(&TaskFilter { status: Some(TaskStatus::Open), ..TaskFilter::default() })?;
    ensure(open.len() == 1, "one open task")
}

pub fn task_filters_and_order(s: &dyn Store) -> Result<()> {
    book(s)?;
    s.create_user(&user("other-am@steward.test", Role::AccountManager))?;
    let mut later = manual_task("Later");
    later.due_date = Some(date("2025-09-01"));
    let mut sooner = manual_task("Sooner");
    sooner.due_date = Some(date("2025-08-01"));
    let undated = manual_task("Undated");
    let mut dept = manual_task("Ship launch kit");
    dept.owner = None;
    dept.department = Some(Department::Marketing);
    let mut theirs = manual_task("Theirs");
    theirs.owner = Some(email("other-am@steward.test"));
    for t in [&later, &sooner, &undated, &dept, &theirs] {
        s.create_task(t)?;
    }
    let mine = s.tasks(&TaskFilter { owner: Some(email("am@steward.test")), ..TaskFilter::default() })?;
    let titles: Vec<&str> = mine.iter().map(|t| t.title.as_str()).collect();
    ensure(titles == ["Sooner", "Later", "Undated"], "due first, undated last")?;
    ensure(s.tasks(&TaskFilter { account: Some(slug("acme")), ..TaskFilter::default() })?.len() == 5, "by account")?;
    let by_department = s.tasks(&TaskFilter { department: Some(Department::Marketing), ..TaskFilter::default() })?;
    ensure(by_department.len() == 1 && by_department[0].title == "Ship launch kit", "by department")?;
    let open_mine =
        TaskFilter { owner: Some(email("am@steward.test")), status: Some(TaskStatus::Open), ..TaskFilter::default() };
    ensure(s.tasks(&open_mine)?.len() == 3, "by owner and status")?;
    let marketing = s.tasks(&TaskFilter::default())?.into_iter().find(|t| t.title == "Ship launch kit");
    ensure(
        marketing.is_some_and(|t| t.department == Some(Department::Marketing) && t.owner.is_none()),
        "department task",
    )
}

pub fn tasks_reassign_and_snooze(s: &dyn Store) -> Result<()> {
    book(s)?;
    s.create_user(&user("other-am@steward.test", Role::AccountManager))?;
    let task = s.create_task(&manual_task("Call the benefits lead"))?.task().clone();
    ensure(task.snoozed_until.is_none() && task.is_actionable(date("2025-06-01")), "new task is actionable")?;
    let moved = TaskAssignment {
        owner: Some(email("other-am@steward.test")),
        due_date: Some(date("2025-07-01")),
        snoozed_until: Some(date("2025-06-15")),
        ..TaskAssignment::of(&task)
    }
    .with_note("They met the sponsor last week", "Dev Zanlark", date("2025-06-01"));
    let after = s.assign_task(task.id, &moved, task.version)?;
    ensure(after.detail == "They met the sponsor last week — Dev Zanlark, 2025-06-01", "the note is kept")?;
    ensure(TaskAssignment::of(&after) == moved && after.version == task.version + 1, "assignment kept")?;
    ensure(s.task(task.id)? == after, "read back")?;
    ensure(!after.is_actionable(date("2025-06-14")) && after.is_actionable(date("2025-06-15")), "snoozed")?;
    let stale = s.assign_task(task.id, &moved, task.version);
    ensure(
        matches!(stale, Err(StoreError::Conflict { current, .. }) if current == after.version),
        "stale version conflicts with the current one",
    )?;
    let nobody = TaskAssignment { owner: None, department: None, ..moved.clone() };
    expect_err(s.assign_task(task.id, &nobody, after.version), |e| matches!(e, StoreError::Invalid(_)), "no owner")?;
    let ghost = TaskAssignment { owner: Some(email("ghost@steward.test")), ..moved };
    expect_err(s.assign_task(task.id, &ghost, after.version), |e| matches!(e, StoreError::NotFound(_)), "unknown owner")
}

pub fn contracts_round_trip(s: &dyn Store) -> Result<()> {
    book(s)?;
    let created = s.create_contract(&new_contract("acme"), &signed())?;
    let listed = s.contracts(&slug("acme"))?;
    ensure(listed == vec![created.clone()], "listed")?;
    ensure(created.tiers.len() == 2 && created.tiers[1].rate == Money::from_cents(410), "tiers kept")?;
    ensure(
        created.add_ons[0].events_per_year == 4
            && created.minimum_annual_commitment == Some(Money::from_cents(12_000_000)),
        "terms kept",
    )?;
    ensure(created.notice_deadline() == date("2026-10-02"), "notice deadline")?;
    let mut bad = new_contract("acme");
    bad.end_date = date("2023-12-31");
    expect_err(s.create_contract(&bad, &signed()), |e| matches!(e, StoreError::Invalid(_)), "ends before start")
}

/// Amendments are versions kept whole; refusals write nothing; ARR snapshots follow the
/// contracts and the metrics in the transaction that changes them, and equal the engine's
/// bill for the same terms and volumes.
pub fn contract_history_and_arr(s: &dyn Store) -> Result<()> {
    book(s)?;
    let acme = slug("acme");
    let created = s.create_contract(&new_contract("acme"), &signed())?;
    ensure(created.history.len() == 1 && created.history[0].kind == ChangeKind::Signed, "signing is version 1")?;
    ensure(created.history[0].changed_by == Some(email("am@steward.test")), "who signed is kept")?;
    let mut overlapping = new_contract("acme");
    overlapping.start_date = date("2026-06-01");
    overlapping.end_date = date("2027-05-31");
    expect_err(s.create_contract(&overlapping, &signed()), |e| matches!(e, StoreError::Invalid(_)), "overlap")?;
    expect_err(
        s.create_contract(&new_contract("acme"), &ChangeNote::new(None, " ")),
        |e| matches!(e, StoreError::Invalid(_)),
        "a change needs a reason",
    )?;
    ensure(s.contracts(&acme)?.len() == 1, "refusals write nothing")?;

    // Metrics for 2025-01 and 2025-02: snapshots run from the contract's start to February.
    let l = sample_ledger();
    s.commit_import(&mut Updates { items: [update(&l, None, &Part::ALL)].into(), batch: ledger_batch("h1") })?;
    let snaps = |s: &dyn Store| s.arr_snapshots(&ArrFilter { account: Some(slug("acme")), ..ArrFilter::default() });
    let first = snaps(s)?;
    ensure(first.len() == 14 && first[0].1.month == Month::parse("2024-01")?, "a snapshot for every month end")?;
    ensure(first.iter().all(|(_, x)| x.arr == Money::from_cents(12_000_000)), "the minimum floors ARR")?;

    let mut amendment = Amendment::of(&created, date("2025-02-01"));
    amendment.terms.minimum_annual_commitment = None;
    amendment.terms.rate = Money::from_cents(900);
    amendment.terms.tiers = vec![];
    let why = ChangeNote::new(Some(email("am@steward.test")), "minimum dropped for a higher rate");
    expect_err(
        s.amend_contract(created.id, &amendment, &why, created.version + 1),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale contract version",
    )?;
    let mid_month = Amendment { effective_from: date("2025-02-14"), ..amendment.clone() };
    expect_err(
        s.amend_contract(created.id, &mid_month, &why, created.version),
        |e| matches!(e, StoreError::Invalid(_)),
        "mid-month",
    )?;
    let amended = s.amend_contract(created.id, &amendment, &why, created.version)?;
    ensure(amended.version == created.version + 1 && amended.rate == Money::from_cents(900), "amended")?;
    ensure(
        amended.history.len() == 2 && amended.history[0].terms.rate == Money::from_cents(475),
        "history kept whole",
    )?;
    ensure(amended.history[1].reason == "minimum dropped for a higher rate", "why is kept")?;
    ensure(s.contracts(&acme)? == vec![amended.clone()], "read back with its history")?;

    let after = snaps(s)?;
    let counts = s.metrics(&acme, CutKind::All, None, None)?;
    for (month, c) in counts.iter().map(|(_, m, c)| (*m, c)) {
        let volume = Volume { eligible_employees: c.eligible_employees, enrolled_members: c.enrolled_members };
        let engine = steward_domain::pricing::bill(&amended, month, volume).arr;
        let stored = after.iter().find(|(_, x)| x.month == month).map(|(_, x)| x.arr);
        ensure(stored == Some(engine), &format!("{month}: the snapshot is the engine's ARR"))?;
    }
    ensure(after[12].1.arr == Money::from_cents(12_000_000), "January is before the amendment")?;
    ensure(after[13].1.arr != Money::from_cents(12_000_000), "February bills on the amended terms")?;
    ensure(s.outdated_arr()?.is_empty(), "every account with contracts and metrics has snapshots")?;

    s.refresh_metrics(&acme, 1, None)?;
    ensure(snaps(s)?.is_empty(), "no metrics, no months to snapshot")?;

    let decided = s.set_renewal_outcome(amended.id, RenewalOutcome::Renewed, &signed(), amended.version)?;
    ensure(decided.history.last().is_some_and(|h| h.kind == ChangeKind::Outcome), "the decision is a version")?;
    ensure(decided.on(date("2025-03-01")).rate == Money::from_cents(900), "a decision changes no terms")
}

/// A term signed from 2024-01-01 whose client goes live on 2025-02-10: in one transaction
/// the account is live and the term moves as a version, and ARR is snapshotted from
/// February, not from the signed start. A second go-live changes nothing; an amended term
/// keeps its dates and says why.
pub fn billing_starts_at_go_live(s: &dyn Store) -> Result<()> {
    use crate::GoLive;
    book(s)?;
    let acme = slug("acme");
    let mut implementing = steward_domain::NewAccount::from(&s.account(&acme)?);
    implementing.status = AccountStatus::Implementing;
    s.update_account(&implementing, s.account(&acme)?.version)?;
    let l = sample_ledger();
    s.commit_import(&mut Updates { items: [update(&l, None, &Part::ALL)].into(), batch: ledger_batch("h1") })?;
    let signed_terms = s.create_contract(&new_contract("acme"), &signed())?;
    let why = ChangeNote::new(Some(email("am@steward.test")), "went live");
    let GoLive::Live(Some(started)) = s.go_live(&acme, date("2025-02-10"), &why)? else {
        return Err(StoreError::Backend("expectation failed: the term moves".into()));
    };
    let live = s.account(&acme)?;
    ensure((live.status, live.launch_date) == (AccountStatus::Live, Some(date("2025-02-10"))), "live from go-live")?;
    ensure(
        (started.id, started.start_date, started.end_date, started.terms_from)
            == (signed_terms.id, date("2025-02-10"), date("2028-02-09"), date("2025-02-10")),
        "the term moves to go-live, as many months as signed",
    )?;
    ensure(
        started.history.last().is_some_and(|h| {
            h.kind == ChangeKind::Started
                && h.effective_from == date("2025-02-10")
                && h.changed_by == Some(email("am@steward.test"))
        }),
        "the move is a version, with who",
    )?;
    let snaps = s.arr_snapshots(&ArrFilter { account: Some(acme.clone()), ..ArrFilter::default() })?;
    ensure(
        snaps.iter().map(|(_, x)| x.month).collect::<Vec<_>>() == vec![Month::parse("2025-02")?],
        "ARR from go-live's month",
    )?;
    ensure(s.go_live(&acme, date("2025-03-01"), &why)? == GoLive::NotImplementing, "once")?;
    ensure(s.contracts(&acme)? == vec![started.clone()], "the second go-live changed nothing")?;

    // An amended term keeps its dates, and the account still goes live.
    let amended = s.amend_contract(started.id, &Amendment::of(&started, date("2025-03-01")), &why, started.version)?;
    let again = s.account(&acme)?;
    let mut back = steward_domain::NewAccount::from(&again);
    back.status = AccountStatus::Implementing;
    s.update_account(&back, again.version)?;
    let kept = s.go_live(&acme, date("2025-04-01"), &why)?;
    ensure(
        matches!(&kept, GoLive::BillingKept { contract, reason, .. } if *contract == amended.id && reason.contains("amended")),
        "an amended term keeps its start",
    )?;
    ensure(s.account(&acme)?.status == AccountStatus::Live, "live all the same")?;
    ensure(s.contracts(&acme)? == vec![amended], "the contract untouched")
}

/// Objectives are kept as agreed, edited against their version, listed open first, and
/// tasks serve only their own account's objectives.
pub fn success_plans_and_the_tasks_that_serve_them(s: &dyn Store) -> Result<()> {
    use steward_domain::success_plan::{NewObjective, ObjectiveEdit};
    book(s)?;
    s.create_account(&account("bolt", "Bolt Logistics"))?;
    let acme = slug("acme");
    let new = |title: &str, target_date: &str| NewObjective {
        account: acme.clone(),
        title: title.into(),
        metric: steward_domain::TargetMetric::EnrollmentRate,
        target: 0.3,
        agreed_on: date("2026-01-15"),
        target_date: date(target_date),
        created_by: Some(email("am@steward.test")),
    };
    let later = s.create_objective(&new("Enrollment 30% by renewal", "2026-12-31"))?;
    let sooner = s.create_objective(&new("Enrollment 30% by the fair", "2026-06-30"))?;
    expect_err(
        s.create_objective(&NewObjective { target: 30.0, ..new("Thirty", "2026-12-31") }),
        |e| matches!(e, StoreError::Invalid(_)),
        "a rate's target is a fraction",
    )?;
    ensure(later.created_by == Some(email("am@steward.test")) && later.target == 0.3, "kept as agreed")?;
    let mut edit = ObjectiveEdit::of(&sooner);
    edit.closed = true;
    expect_err(
        s.update_objective(sooner.id, &edit, sooner.version + 1),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale objective version",
    )?;
    let closed = s.update_objective(sooner.id, &edit, sooner.version)?;
    ensure(closed.closed && closed.version == sooner.version + 1, "closed")?;
    let listed: Vec<steward_domain::Id> = s.objectives(&acme)?.iter().map(|o| o.id).collect();
    ensure(listed == vec![later.id, sooner.id], "open ones first")?;

    let serving =
        NewTask { account: Some(acme.clone()), objective: Some(later.id), ..manual_task("Run a benefits fair") };
    let TaskCreated::Created(task) = s.create_task(&serving)? else {
        return Err(StoreError::Backend("no task".into()));
    };
    ensure(task.objective == Some(later.id), "the task says what it serves")?;
    s.create_task(&manual_task("Something else"))?;
    let served = s.tasks(&TaskFilter { objective: Some(later.id), ..TaskFilter::default() })?;
    ensure(served.iter().map(|t| t.id).collect::<Vec<_>>() == vec![task.id], "the objective's tasks")?;
    let elsewhere = NewTask { account: Some(slug("bolt")), ..serving.clone() };
    expect_err(s.create_task(&elsewhere), |e| matches!(e, StoreError::Invalid(_)), "another account's objective")?;
    expect_err(s.objective(999_999), |e| matches!(e, StoreError::NotFound(_)), "no such objective")?;
    Ok(())
}

/// Initiatives keep their target, dates, owner, cost and metric; a bad one writes nothing.
pub fn initiatives_round_trip(s: &dyn Store) -> Result<()> {
    use steward_domain::impact::{GoalMetric, Target};
    use steward_domain::initiative::{InitiativeKind, NewInitiative};
    book(s)?;
    let new = NewInitiative {
        account: slug("acme"),
        kind: InitiativeKind::BenefitsFair,
        title: "Spring benefits fair".into(),
        target: Target::Worksites(vec!["Plant".into(), "Office".into()]),
        start_date: date("2026-03-02"),
        end_date: date("2026-03-13"),
        owner: Some(email("am@steward.test")),
        cost: Some(Money::from_cents(250_000)),
        metric: GoalMetric::EnrollmentRate,
        notes: "Two tables, one at each site".into(),
    };
    let made = s.create_initiative(&new)?;
    ensure(
        (made.target.clone(), made.cost, made.owner.clone(), made.metric)
            == (new.target.clone(), new.cost, new.owner.clone(), GoalMetric::EnrollmentRate),
        "kept as given",
    )?;
    let later = s.create_initiative(&NewInitiative {
        target: Target::Metros(vec![steward_domain::Metro::Boston]),
        start_date: date("2026-09-01"),
        end_date: date("2026-09-01"),
        cost: None,
        ..new.clone()
    })?;
    expect_err(
        s.create_initiative(&NewInitiative { end_date: date("2026-02-01"), ..new.clone() }),
        |e| matches!(e, StoreError::Invalid(_)),
        "ends before it starts",
    )?;
    let listed: Vec<steward_domain::Id> = s.initiatives(Some(&slug("acme")))?.iter().map(|i| i.id).collect();
    ensure(listed == vec![later.id, made.id], "latest start first, nothing else kept")?;
    ensure(s.initiative(made.id)? == made, "read back")?;
    expect_err(s.initiative(999_999), |e| matches!(e, StoreError::NotFound(_)), "no such initiative")
}

/// An experiment keeps its design, seed and split exactly (floats to the bit); a split its
/// seed does not make, or an underpowered launch without a reason, writes nothing.
pub fn experiments_keep_their_split(s: &dyn Store) -> Result<()> {
    use steward_domain::experiment::{DesignInput, NewExperiment, Randomized, assign, design, power};
    book(s)?;
    let units: Vec<(String, u64)> = (0..10).map(|i| (format!("Site {i}"), 120 + i * 31)).collect();
    let input = DesignInput {
        baseline: 0.231_457_812_3,
        mde: 0.04,
        alpha: 0.05,
        power: 0.8,
        cluster_size: 259.5,
        icc: 0.015,
        size_cv: 0.317_2,
    };
    let new = NewExperiment {
        name: "Second reminder".into(),
        change: "A second enrollment reminder a week after the first".into(),
        randomized: Randomized::Worksites { account: slug("acme") },
        metric: steward_domain::impact::GoalMetric::EnrollmentRate,
        design: input,
        units_per_arm_needed: design(&input).map_err(StoreError::Invalid)?.units_per_arm,
        planned_power: power(&input, 5),
        seed: steward_domain::experiment::MAX_SEED,
        start_date: date("2026-03-02"),
        end_date: date("2026-05-25"),
        assignments: assign(&units, steward_domain::experiment::MAX_SEED),
        override_reason: Some("A pilot: the account has ten worksites".into()),
        created_by: Some(email("am@steward.test")),
    };
    let made = s.create_experiment(&new)?;
    ensure(made.design == new.design && made.planned_power == new.planned_power, "floats kept to the bit")?;
    ensure(made.seed == new.seed && made.reproduces(), "the seed and its split")?;
    let mut kept = made.assignments.clone();
    let mut given = new.assignments.clone();
    kept.sort_by(|a, b| a.unit.cmp(&b.unit));
    given.sort_by(|a, b| a.unit.cmp(&b.unit));
    ensure(kept == given, "every unit with its size and arm")?;
    ensure(made.override_reason == new.override_reason && made.created_by == new.created_by, "who and why")?;
    let segment = s.create_experiment(&NewExperiment {
        randomized: Randomized::Accounts { segment: steward_domain::Segment::MidMarket },
        start_date: date("2026-06-01"),
        end_date: date("2026-08-31"),
        ..new.clone()
    })?;
    let before = s.experiments(None)?.len();
    expect_err(
        s.create_experiment(&NewExperiment { override_reason: None, ..new.clone() }),
        |e| matches!(e, StoreError::Invalid(m) if m.contains("underpowered")),
        "underpowered without a reason",
    )?;
    let mut flipped = new.clone();
    let (a, b) = (flipped.assignments[0].arm, flipped.assignments[1].arm);
    flipped.assignments[0].arm = b;
    flipped.assignments[1].arm = a;
    ensure(a != b, "the first two units were split")?;
    expect_err(s.create_experiment(&flipped), |e| matches!(e, StoreError::Invalid(_)), "a split not its seed's")?;
    ensure(s.experiments(None)?.len() == before, "a refused experiment writes nothing")?;
    let all: Vec<steward_domain::Id> = s.experiments(None)?.iter().map(|e| e.id).collect();
    ensure(all == vec![segment.id, made.id], "latest start first")?;
    let on_acme: Vec<steward_domain::Id> = s.experiments(Some(&slug("acme")))?.iter().map(|e| e.id).collect();
    ensure(on_acme == vec![made.id], "an account's are its worksite experiments")?;
    ensure(s.experiment(made.id)? == made, "read back")?;
    expect_err(s.experiment(999_999), |e| matches!(e, StoreError::NotFound(_)), "no such experiment")
}

/// A quarter's review keeps each version that changed something, byte for byte; publishing
/// records who and when once.
pub fn reports_keep_their_versions(s: &dyn Store) -> Result<()> {
    use steward_domain::report::{NewReport, ReportFile};
    book(s)?;
    let q2: steward_domain::report::Quarter = "2026-Q2".parse().map_err(StoreError::from)?;
    let new = NewReport {
        account: slug("acme"),
        quarter: q2,
        ledger_version: Some(3),
        data_as_of: Some(date("2026-06-30")),
        pdf: b"%PDF-1.7 first\x00\xff".to_vec(),
        csv: "section,item,measure,quarter,value\n".into(),
        generated_by: Some(email("am@steward.test")),
    };
    let (first, made) = s.save_report(&new)?;
    ensure(made && first.version == 1 && first.published_at.is_none(), "a first version, a draft")?;
    let (same, made) = s.save_report(&new)?;
    ensure(!made && same == first, "the same document is no new version")?;
    let late = NewReport { ledger_version: Some(4), pdf: b"%PDF-1.7 second".to_vec(), ..new.clone() };
    let (second, made) = s.save_report(&late)?;
    ensure(made && second.version == 2 && second.ledger_version == Some(4), "a late file, a new version")?;
    let q1 = s.save_report(&NewReport { quarter: "2026-Q1".parse().map_err(StoreError::from)?, ..new.clone() })?.0;
    let listed: Vec<(String, i64)> =
        s.reports(Some(&slug("acme")))?.iter().map(|r| (r.quarter.to_string(), r.version)).collect();
    ensure(listed == vec![("2026-Q2".into(), 2), ("2026-Q2".into(), 1), ("2026-Q1".into(), 1)], "latest first")?;
    ensure(s.report_file(first.id, ReportFile::Pdf)? == new.pdf, "the PDF byte for byte")?;
    ensure(s.report_file(q1.id, ReportFile::Csv)? == new.csv.as_bytes(), "the CSV")?;
    let published = s.publish_report(second.id, &email("am@steward.test"))?;
    ensure(published.published() && published.published_by == Some(email("am@steward.test")), "published")?;
    s.create_user(&user("director@steward.test", Role::Director))?;
    let again = s.publish_report(second.id, &email("director@steward.test"))?;
    ensure(again.published_at == published.published_at && again.published_by == published.published_by, "once")?;
    expect_err(s.report(999_999), |e| matches!(e, StoreError::NotFound(_)), "no such report")
}

fn renewal_of(contract: &steward_domain::Contract) -> NewOpportunity {
    NewOpportunity {
        account: contract.account.clone(),
        kind: OpportunityKind::Renewal,
        scope: None,
        title: "Renewal".into(),
        stage: Stage::Identified,
        amount: Money::ZERO,
        renewing_arr: Some(Money::from_cents(12_000_000)),
        close_date: contract.end_date,
        owner: Some(email("am@steward.test")),
        contract_id: Some(contract.id),
    }
}

/// However many writers race to open a term's renewal, it exists once.
pub fn one_renewal_per_term(s: &dyn Store) -> Result<()> {
    book(s)?;
    let contract = s.create_contract(&new_contract("acme"), &signed())?;
    let new = renewal_of(&contract);
    let outcomes = in_parallel(8, || s.ensure_renewal(&new, None));
    let mut created = 0;
    for outcome in outcomes {
        let (o, made) = outcome?;
        ensure(o.contract_id == Some(contract.id), "the renewal of the term")?;
        created += usize::from(made);
    }
    ensure(created == 1, &format!("one writer created it, not {created}"))?;
    let filter = OpportunityFilter { kind: Some(OpportunityKind::Renewal), ..OpportunityFilter::default() };
    ensure(s.opportunities(&filter)?.len() == 1, "exactly one renewal")?;
    expect_err(s.create_opportunity(&new, None), |e| matches!(e, StoreError::Duplicate(_)), "a second renewal")
}

/// A board reads a page of each stage and every stage's count and amount from the database.
pub fn opportunities_page_and_total_by_stage(s: &dyn Store) -> Result<()> {
    book(s)?;
    let am = email("am@steward.test");
    let add = |title: &str, stage: Stage, dollars: i64, close: &str| {
        s.create_opportunity(
            &NewOpportunity {
                account: slug("acme"),
                kind: OpportunityKind::Upsell,
                scope: None,
                title: title.into(),
                stage,
                amount: Money::from_cents(dollars * 100),
                renewing_arr: None,
                close_date: date(close),
                owner: Some(am.clone()),
                contract_id: None,
            },
            Some(&am),
        )
    };
    add("c", Stage::Proposal, 300, "2027-03-01")?;
    add("a", Stage::Proposal, 100, "2027-01-01")?;
    add("b", Stage::Proposal, 200, "2027-02-01")?;
    add("d", Stage::Identified, 50, "2027-01-15")?;
    let proposals = OpportunityFilter { stage: Some(Stage::Proposal), ..OpportunityFilter::default() };
    let titles = |f: &OpportunityFilter| -> Result<Vec<String>> {
        Ok(s.opportunities(f)?.into_iter().map(|o| o.title).collect())
    };
    ensure(titles(&proposals)? == ["a", "b", "c"], "by close date")?;
    let page = OpportunityFilter { limit: Some(2), offset: 1, ..proposals.clone() };
    ensure(titles(&page)? == ["b", "c"], "a page cut by the database")?;
    let won = s
        .opportunities(&proposals)?
        .into_iter()
        .find(|o| o.title == "c")
        .ok_or_else(|| StoreError::NotFound("c".into()))?;
    let mv = Move { to: Stage::ClosedWon, lost_reason: None, note: "won".into(), on: date("2026-12-15") };
    s.move_opportunity(won.id, &mv, None, Some(&am), won.version)?;
    let within = |from: &str, to: &str| OpportunityFilter {
        closing_within: Some((date(from), date(to))),
        ..OpportunityFilter::default()
    };
    ensure(titles(&within("2027-01-01", "2027-01-31"))? == ["a", "d"], "expected to close within")?;
    ensure(titles(&within("2026-12-01", "2026-12-31"))? == ["c"], "closed within, whatever it expected")?;
    let totals = s.opportunity_totals(&OpportunityFilter { limit: Some(1), ..OpportunityFilter::default() })?;
    let expected = [
        StageTotal { stage: Stage::Identified, count: 1, amount: Money::from_cents(5_000) },
        StageTotal { stage: Stage::Proposal, count: 2, amount: Money::from_cents(30_000) },
        StageTotal { stage: Stage::ClosedWon, count: 1, amount: Money::from_cents(30_000) },
    ];
    ensure(totals == expected, &format!("totals by stage in stage order, the page ignored: {totals:?}"))?;
    let someone_else = OpportunityFilter { owner: Some(email("nobody@steward.test")), ..OpportunityFilter::default() };
    ensure(s.opportunity_totals(&someone_else)?.is_empty(), "a filter that holds none")
}

pub fn opportunities_move_and_decide_renewals(s: &dyn Store) -> Result<()> {
    book(s)?;
    let am = email("am@steward.test");
    let day = date("2026-11-30");
    let upsell = s.create_opportunity(
        &NewOpportunity {
            account: slug("acme"),
            kind: OpportunityKind::Expansion,
            scope: Some(opportunity::Scope::NewMetro),
            title: "Open Denver".into(),
            stage: Stage::Identified,
            amount: Money::from_cents(4_000_000),
            renewing_arr: None,
            close_date: date("2027-02-15"),
            owner: Some(am.clone()),
            contract_id: None,
        },
        Some(&am),
    )?;
    ensure(
        upsell.forecast_category == ForecastCategory::Pipeline && upsell.history.len() == 1,
        "opened at identified",
    )?;
    let mv = |to: Stage| Move { to, lost_reason: None, note: "moved".into(), on: day };
    let proposal = s.move_opportunity(upsell.id, &mv(Stage::Proposal), None, Some(&am), upsell.version)?;
    expect_err(
        s.move_opportunity(upsell.id, &mv(Stage::Negotiation), None, Some(&am), upsell.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale opportunity",
    )?;
    let edit = OpportunityEdit {
        amount: Money::from_cents(5_000_000),
        close_date: date("2027-03-01"),
        forecast_category: Some(ForecastCategory::Commit),
        owner: Some(am.clone()),
    };
    let edited = s.edit_opportunity(upsell.id, &edit, proposal.version)?;
    ensure(edited.category_overridden && edited.forecast_category == ForecastCategory::Commit, "overridden")?;
    let negotiating = s.move_opportunity(upsell.id, &mv(Stage::Negotiation), None, Some(&am), edited.version)?;
    ensure(negotiating.forecast_category == ForecastCategory::Commit, "an override outlives a move")?;
    ensure(
        negotiating.history.iter().map(|h| h.to).collect::<Vec<_>>()
            == [Stage::Identified, Stage::Proposal, Stage::Negotiation],
        "stage history",
    )?;

    // A renewal won signs the next term and marks the one it renews renewed.
    let contract = s.create_contract(&new_contract("acme"), &signed())?;
    let (renewal, _) = s.ensure_renewal(&renewal_of(&contract), None)?;
    let mut next = new_contract("acme");
    next.start_date = date("2027-01-01");
    next.end_date = date("2029-12-31");
    expect_err(
        s.move_opportunity(renewal.id, &mv(Stage::ClosedWon), None, Some(&am), renewal.version),
        |e| matches!(e, StoreError::Invalid(_)),
        "a won renewal needs its next term",
    )?;
    ensure(s.opportunity(renewal.id)?.stage == Stage::Identified, "a refused move writes nothing")?;
    let won = s.move_opportunity(renewal.id, &mv(Stage::ClosedWon), Some(&next), Some(&am), renewal.version)?;
    ensure(won.closed_on == Some(day) && won.forecast_category == ForecastCategory::Commit, "won")?;
    let terms = s.contracts(&slug("acme"))?;
    ensure(terms.len() == 2 && terms[0].renewal_outcome == RenewalOutcome::Renewed, "renewed, next term signed")?;
    ensure(terms[1].start_date == date("2027-01-01"), "the next term")?;
    expect_err(
        s.move_opportunity(renewal.id, &mv(Stage::Verbal), None, Some(&am), won.version),
        |e| matches!(e, StoreError::Invalid(_)),
        "a closed opportunity stays closed",
    )?;

    // Lost: the term it renews churns at its end.
    let (second, _) = s.ensure_renewal(&renewal_of(&terms[1]), None)?;
    let lost = Move { to: Stage::ClosedLost, lost_reason: Some("price".into()), note: String::new(), on: day };
    let closed = s.move_opportunity(second.id, &lost, None, Some(&am), second.version)?;
    ensure(closed.lost_reason.as_deref() == Some("price"), "the reason is kept")?;
    let decided = s.contract(terms[1].id)?;
    ensure(decided.renewal_outcome == RenewalOutcome::Churned, "churns at its end")?;
    ensure(decided.history.last().is_some_and(|h| h.reason.contains("price")), "why, in the contract's history")
}

/// A week's first call stands; goals replace the year's goal of the same person.
pub fn forecast_calls_and_goals(s: &dyn Store) -> Result<()> {
    use steward_domain::forecast::{Goal, Quarter, Totals};
    book(s)?;
    let am = email("am@steward.test");
    let q = Quarter::parse("2027Q1")?;
    let call = |dollars: i64, week: &str, owner: Option<Email>| crate::ForecastSnapshot {
        week: date(week),
        quarter: q,
        owner,
        totals: Totals { commit: Money::from_cents(dollars * 100), ..Totals::default() },
    };
    s.keep_forecast(&[call(100, "2026-11-23", None)])?;
    s.keep_forecast(&[call(999, "2026-11-23", None)])?;
    s.keep_forecast(&[call(120, "2026-11-30", None)])?;
    s.keep_forecast(&[call(50, "2026-11-30", Some(am.clone()))])?;
    let company = s.forecast_history(q, None)?;
    ensure(
        company.len() == 2 && company[0].totals.commit == Money::from_cents(10_000),
        "the first call of a week stands",
    )?;
    ensure(s.forecast_history(q, Some(&am))?.len() == 1, "each owner's calls apart")?;
    let goal = Goal {
        owner: am.clone(),
        year: 2027,
        gross_retention: 0.9,
        net_retention: 1.05,
        bookings: Money::from_cents(100),
    };
    s.set_goal(&goal, None)?;
    s.set_goal(&Goal { bookings: Money::from_cents(200), ..goal.clone() }, None)?;
    ensure(s.goals(Some(2027))? == vec![Goal { bookings: Money::from_cents(200), ..goal.clone() }], "replaced")?;
    ensure(s.goals(Some(2026))?.is_empty(), "by year")?;
    expect_err(
        s.set_goal(&Goal { gross_retention: 1.5, ..goal }, None),
        |e| matches!(e, StoreError::Invalid(_)),
        "GRR above 100%",
    )
}

/// Adding, editing and retiring a stakeholder each keep a version with who did it; a
/// retired one is no longer listed, and cannot be retired twice.
pub fn stakeholders_keep_their_history(s: &dyn Store) -> Result<()> {
    use steward_domain::contact::ContactChangeKind;
    book(s)?;
    let am = email("am@steward.test");
    let rosa = s.create_contact(&contact("acme", "Rosa Quill", ContactRole::HrBenefits), Some(&am))?;
    let mut edit = contact_edit(&rosa);
    edit.role = ContactRole::DecisionMaker;
    edit.title = "VP People".into();
    let edited = s.update_contact(rosa.id, &edit, Some(&am), rosa.version)?;
    let retired = s.retire_contact(rosa.id, date("2026-11-30"), Some(&am), edited.version)?;
    ensure(retired.retired_on == Some(date("2026-11-30")), "retired on the day")?;
    ensure(s.contacts(&slug("acme"))?.is_empty(), "no longer listed")?;
    ensure(s.contact(rosa.id)?.title == "VP People", "still readable")?;
    let history = s.contact_history(rosa.id)?;
    let kinds: Vec<ContactChangeKind> = history.iter().map(|h| h.change).collect();
    ensure(
        kinds == [ContactChangeKind::Added, ContactChangeKind::Edited, ContactChangeKind::Retired],
        "every version",
    )?;
    ensure(
        history[0].role == ContactRole::HrBenefits && history[1].role == ContactRole::DecisionMaker,
        "as they were",
    )?;
    ensure(history.iter().all(|h| h.changed_by.as_ref() == Some(&am)), "who")?;
    expect_err(
        s.retire_contact(rosa.id, date("2026-12-01"), None, retired.version),
        |e| matches!(e, StoreError::Invalid(_)),
        "retired twice",
    )
}

/// Every write to an account's data moves its `data_changes`, and no other account's: a
/// copy of its summary kept in memory (the web's book) knows from it alone whether it is
/// current, whoever wrote. A refused write moves nothing.
pub fn writes_to_an_account_s_data_are_counted(s: &dyn Store) -> Result<()> {
    book(s)?;
    s.create_account(&account("other", "Other Co"))?;
    let count = |name: &str| -> Result<i64> { Ok(s.account(&slug(name))?.data_changes) };
    let untouched = count("other")?;
    let mut before = count("acme")?;
    let mut moved = |what: &str| -> Result<()> {
        let now = count("acme")?;
        ensure(now > before, what)?;
        before = now;
        Ok(())
    };
    let site = NewWorksite {
        account: slug("acme"),
        name: "Harbor Point HQ".into(),
        metro: Metro::Seattle,
        zip3: Some("981".into()),
        headcount: Some(2_300),
    };
    s.create_worksite(&site)?;
    moved("a worksite")?;
    let rosa = s.create_contact(&contact("acme", "Rosa Quill", ContactRole::DecisionMaker), None)?;
    moved("a contact")?;
    let mut edit = contact_edit(&rosa);
    edit.sentiment = -1;
    let rosa = s.update_contact(rosa.id, &edit, None, rosa.version)?;
    moved("a contact's sentiment")?;
    s.create_activity(&NewActivity {
        account: slug("acme"),
        kind: ActivityKind::Meeting,
        occurred_at: at(2025, 3, 10),
        author: Some(email("am@steward.test")),
        summary: "Quarterly review".into(),
        contact_ids: vec![rosa.id],
    })?;
    moved("an activity with who was met")?;
    let task = s.create_task(&manual_task("Call Rosa"))?.task().clone();
    moved("a task")?;
    s.set_task_status(task.id, TaskStatus::Done, task.version)?;
    moved("a task done")?;
    let contract = s.create_contract(&new_contract("acme"), &signed())?;
    moved("a contract signed")?;
    let mut amendment = Amendment::of(&contract, date("2025-02-01"));
    amendment.terms.rate = Money::from_cents(900);
    s.amend_contract(contract.id, &amendment, &signed(), contract.version)?;
    moved("a contract amended")?;
    s.create_csat(&NewCsatRating {
        account: slug("acme"),
        contact_id: Some(rosa.id),
        rated_on: date("2025-05-02"),
        score: 4,
    })?;
    moved("a CSAT rating")?;
    s.commit_import(&mut Updates {
        items: [update(&sample_ledger(), None, &Part::ALL)].into(),
        batch: ledger_batch("h1"),
    })?;
    moved("an import's ledger and metrics")?;
    let bad = NewCsatRating { account: slug("acme"), contact_id: None, rated_on: date("2025-05-02"), score: 6 };
    expect_err(s.create_csat(&bad), |e| matches!(e, StoreError::Invalid(_)), "score out of range")?;
    ensure(count("acme")? == before, "a refused write moves nothing")?;
    ensure(count("other")? == untouched, "another account's count stays")
}

/// A project keeps its plan whole: tasks, links, owners and baseline as planned; changes
/// against a stale version are conflicts; a change that would make a cycle, or link out of
/// the project, or leave a task waiting for nothing, is refused with nothing written.
pub fn projects_keep_their_plan(s: &dyn Store) -> Result<()> {
    use steward_domain::project::{self, NewProjectTask, ProjectStatus, ProjectTaskEdit, Templates};
    use steward_domain::schedule::{Calendar, Link};
    book(s)?;
    let mut ivo = user("ivo@steward.test", Role::Colleague);
    ivo.department = Some(steward_domain::Department::It);
    s.create_user(&ivo)?;
    let templates = Templates::default();
    let launch = templates.get("new_client_launch").expect("shipped");
    let it = |d: steward_domain::Department| (d == steward_domain::Department::It).then(|| email("ivo@steward.test"));
    let new = project::plan(
        launch,
        slug("acme"),
        Some(email("am@steward.test")),
        date("2027-01-04"),
        &Calendar::default(),
        it,
    )
    .map_err(StoreError::Invalid)?;
    let created = s.create_project(&new)?;
    ensure(created.tasks.len() == launch.tasks.len() && created.status == ProjectStatus::Active, "every task")?;
    ensure(s.project(created.id)? == created, "read back whole")?;
    let key = |p: &project::Project, k: &str| p.tasks.iter().find(|t| t.key == k).cloned().expect("a task of the plan");
    let feed = key(&created, "feed_setup");
    ensure(feed.depends_on == [Link { on: key(&created, "feed_spec").id, lag_days: 0 }], "links by id")?;
    ensure(feed.owner == Some(email("ivo@steward.test")), "the department's person")?;
    ensure(key(&created, "onsite_launch").depends_on.iter().any(|l| l.lag_days == 5), "lags kept")?;
    let planned = created.schedule(&Calendar::default(), None).map_err(|e| StoreError::Invalid(e.to_string()))?;
    ensure(
        created.tasks.iter().all(|t| planned.task(&t.id).is_some_and(|p| Some(p.finish) == t.baseline_finish)),
        "the baseline is the plan at launch",
    )?;
    let of = |owner: &str| s.projects(&ProjectFilter { task_owner: Some(email(owner)), ..ProjectFilter::default() });
    ensure(of("ivo@steward.test")?.len() == 1 && of("am@steward.test")?.len() == 1, "by who owns open tasks")?;
    ensure(
        s.projects(&ProjectFilter { account: Some(slug("acme")), ..ProjectFilter::default() })?.len() == 1,
        "by account",
    )?;

    let mut started = ProjectTaskEdit::of(&feed);
    started.actual_start = Some(date("2027-01-13"));
    let after = s.update_project_task(feed.id, &started, feed.version)?;
    ensure(key(&after, "feed_setup").actual_start == Some(date("2027-01-13")), "progress kept")?;
    ensure(after.version == created.version + 1, "the project's version moves")?;
    expect_err(
        s.update_project_task(feed.id, &started, feed.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale task",
    )?;
    let spec = key(&after, "feed_spec");
    let mut circular = ProjectTaskEdit::of(&spec);
    circular.depends_on.push(Link { on: key(&after, "go_live").id, lag_days: 0 });
    expect_err(
        s.update_project_task(spec.id, &circular, spec.version),
        |e| matches!(e, StoreError::Invalid(m) if m.contains("cycle")),
        "a cycle",
    )?;
    ensure(s.project(created.id)? == after, "a refused change writes nothing")?;

    let other = s.create_project(&new)?;
    let mut outside = ProjectTaskEdit::of(&spec);
    outside.depends_on = vec![Link { on: key(&other, "kickoff").id, lag_days: 0 }];
    expect_err(
        s.update_project_task(spec.id, &outside, spec.version),
        |e| matches!(e, StoreError::Invalid(_)),
        "another project's task",
    )?;

    let extra = NewProjectTask {
        key: "payroll_check".into(),
        name: "Payroll deduction checked".into(),
        department: Some(steward_domain::Department::Operations),
        client: false,
        owner: None,
        duration_days: 2,
        after: vec![Link { on: "nowhere".into(), lag_days: 0 }],
        completed_by: None,
        go_live: false,
        baseline_start: None,
        baseline_finish: None,
    };
    expect_err(
        s.add_project_task(created.id, &extra, after.version),
        |e| matches!(e, StoreError::Invalid(_)),
        "unknown key",
    )?;
    let extra = NewProjectTask { after: vec![Link { on: "kickoff".into(), lag_days: 1 }], ..extra };
    expect_err(
        s.add_project_task(created.id, &extra, created.version),
        |e| matches!(e, StoreError::Conflict { .. }),
        "stale project",
    )?;
    let grown = s.add_project_task(created.id, &extra, after.version)?;
    ensure(
        grown.tasks.len() == after.tasks.len() + 1
            && grown.tasks.last().map(|t| t.key.as_str()) == Some("payroll_check"),
        "added last",
    )?;
    expect_err(
        s.remove_project_task(key(&grown, "kickoff").id, grown.version),
        |e| matches!(e, StoreError::Invalid(m) if m.contains("waits for Implementation kickoff")),
        "a task others wait for",
    )?;
    let shrunk = s.remove_project_task(key(&grown, "payroll_check").id, grown.version)?;
    ensure(shrunk.tasks.len() == after.tasks.len(), "removed")?;
    let done = s.set_project_status(created.id, ProjectStatus::Done, shrunk.version)?;
    ensure(done.status == ProjectStatus::Done, "closed")?;
    ensure(
        s.projects(&ProjectFilter { status: Some(ProjectStatus::Active), ..ProjectFilter::default() })?
            .iter()
            .map(|p| p.id)
            .collect::<Vec<_>>()
            == [other.id],
        "by status",
    )
}

pub fn csat_round_trip(s: &dyn Store) -> Result<()> {
    book(s)?;
    let rosa = s.create_contact(&contact("acme", "Rosa Quill", ContactRole::HrBenefits), None)?;
    let r = s.create_csat(&NewCsatRating {
        account: slug("acme"),
        contact_id: Some(rosa.id),
        rated_on: date("2025-05-02"),
        score: 4,
    })?;
    ensure(s.csat_ratings(&slug("acme"))? == vec![r], "listed")?;
    let bad = NewCsatRating { account: slug("acme"), contact_id: None, rated_on: date("2025-05-02"), score: 6 };
    expect_err(s.create_csat(&bad), |e| matches!(e, StoreError::Invalid(_)), "score out of range")
}

pub fn imports_round_trip(s: &dyn Store) -> Result<()> {
    book(s)?;
    let batch = |file: &str, account: Option<&str>| NewImportBatch {
        kind: ImportKind::Eligibility,
        format: "census-csv".into(),
        file_name: file.into(),
        content_hash: blake3_hex(file),
        account: account.map(slug),
        rows_read: 120,
        rows_accepted: 118,
        rows_rejected: 2,
        status: ImportStatus::Applied,
        errors: vec![RowError {
            line: 7,
            code: "end_before_start".into(),
            message: "coverage_end is before coverage_start".into(),
        }],
        options: "as_of=2025-01-31".into(),
        details: ImportDetails {
            standard: Some("005010X220A1".into()),
            member_ids: [("dependent_ref".to_owned(), 3)].into(),
            ignored: [("Location".to_owned(), 2)].into(),
            warnings: vec![RowError { line: 1, code: "isa_not_fixed_width".into(), message: "not fixed".into() }],
            by_reason: [("end_before_start".to_owned(), 2), ("isa_not_fixed_width".to_owned(), 1)].into(),
        },
        created_by: Some(email("am@steward.test")),
    };
    s.record_import(&batch("census-jan.csv", Some("acme")))?;
    let second = s.record_import(&batch("visits.csv", None))?;
    let all = s.imports(None)?;
    ensure(all.len() == 2 && all[0] == second, "newest first")?;
    let acme = s.imports(Some(&slug("acme")))?;
    ensure(acme.len() == 1 && acme[0].errors[0].line == 7 && acme[0].rows_rejected == 2, "errors kept")?;
    let first = batch("census-jan.csv", Some("acme"));
    ensure(acme[0].errors == first.errors && acme[0].errors[0].code == "end_before_start", "codes kept")?;
    ensure(acme[0].options == first.options && acme[0].details == first.details, "options and details kept")?;
    ensure(s.import_batch(second.id)? == second, "one batch by id")?;
    expect_err(s.import_batch(second.id + 100), |e| matches!(e, StoreError::NotFound(_)), "unknown batch")?;
    expect_err(s.imports(Some(&slug("ghost"))), |e| matches!(e, StoreError::NotFound(_)), "unknown account")
}

fn blake3_hex(s: &str) -> String {
    blake3::hash(s.as_bytes()).to_hex().to_string()
}

pub fn settings_round_trip(s: &dyn Store) -> Result<()> {
    ensure(s.setting("demo")?.is_none(), "absent")?;
    s.put_setting("demo", "seed=1")?;
    s.put_setting("demo", "seed=2")?;
    ensure(s.setting("demo")?.as_deref() == Some("seed=2"), "overwritten")
}

pub fn erase_all_empties_the_book(s: &dyn Store) -> Result<()> {
    book(s)?;
    let mut client = user("hr@acme.test", Role::Client);
    client.account = Some(slug("acme"));
    s.create_user(&client)?;
    s.create_task(&manual_task("Something"))?;
    s.erase_all()?;
    ensure(s.accounts()?.is_empty() && s.users()?.is_empty(), "empty")?;
    ensure(s.metros()?.len() == Metro::ALL.len(), "reference data kept")?;
    book(s)
}

/// Updates handed to `commit_import` as a file's import would.
struct Updates {
    items: std::collections::VecDeque<LedgerUpdate>,
    batch: NewImportBatch,
}

impl ImportWork for Updates {
    fn next_update(&mut self) -> Result<Option<LedgerUpdate>> {
        Ok(self.items.pop_front())
    }

    fn batch(&self) -> NewImportBatch {
        self.batch.clone()
    }
}

fn ledger_batch(hash: &str) -> NewImportBatch {
    NewImportBatch {
        kind: ImportKind::Eligibility,
        format: "census-csv".into(),
        file_name: "census.csv".into(),
        content_hash: hash.into(),
        account: Some(slug("acme")),
        rows_read: 2,
        rows_accepted: 2,
        rows_rejected: 0,
        status: ImportStatus::Applied,
        errors: vec![],
        options: String::new(),
        details: ImportDetails::default(),
        created_by: None,
    }
}

fn sample_ledger() -> Ledger {
    let mut l = Ledger::default();
    let facts = PersonFacts {
        relationship: Relationship::Employee,
        age_band: None,
        sex: Sex::Female,
        zip3: Some(*b"021"),
        worksite: Some("Boston HQ".into()),
        metro: Some(Metro::Boston),
    };
    l.apply_full_file(
        date("2025-01-01"),
        vec![
            (MemberKey(1), facts.clone(), vec![Span::new(date("2025-01-01"), None)]),
            (MemberKey(2), facts, vec![Span::new(date("2025-01-01"), None)]),
        ],
        &[],
    );
    l.replace_memberships(vec![(MemberKey(1), Span::new(date("2025-01-10"), None))]);
    l.upsert_visits(vec![Visit {
        key: 7,
        member: MemberKey(1),
        date: date("2025-02-03"),
        modality: Modality::Video,
        status: VisitStatus::Completed,
        clinic_metro: None,
    }]);
    l
}

fn update(l: &Ledger, expected_version: Option<i64>, parts: &[Part]) -> LedgerUpdate {
    LedgerUpdate {
        account: slug("acme"),
        expected_version,
        parts: parts.iter().map(|p| (*p, ledger_codec::encode(l, *p))).collect(),
        people: l.people.len() as i64,
        visits: l.visits.len() as i64,
        survey_responses: l.surveys.len() as i64,
        as_of: l.eligibility_as_of,
        metrics: metrics::compute(l, |_| None),
    }
}

pub fn member_ledgers_round_trip(s: &dyn Store) -> Result<()> {
    book(s)?;
    ensure(s.ledger(&slug("acme"))?.is_none(), "no ledger yet")?;
    ensure(s.metrics_as_of(&slug("acme"))?.is_none(), "no as-of date before any eligibility")?;
    let mut l = sample_ledger();
    l.note_as_of(chrono::NaiveDate::from_ymd_opt(2025, 2, 14).ok_or_else(|| StoreError::Backend("date".into()))?);
    let mut work = Updates { items: [update(&l, None, &Part::ALL)].into(), batch: ledger_batch("h1") };
    let batch = s.commit_import(&mut work)?;
    ensure(batch.status == ImportStatus::Applied && batch.rows_accepted == 2, "batch recorded")?;
    let stored = s.ledger(&slug("acme"))?.ok_or_else(|| StoreError::Backend("ledger missing".into()))?;
    ensure(stored.version == 1 && stored.ledger == l, "ledger round trip")?;
    ensure(s.metrics_as_of(&slug("acme"))? == l.eligibility_as_of, "the metrics' as-of date is kept")?;
    let all = s.metrics(&slug("acme"), CutKind::All, None, None)?;
    ensure(all.len() == 2 && all[1].1 == Month::parse("2025-02")? && all[1].2.visits_video == 1, "metrics stored")?;
    ensure(all[0].2.eligible_lives == 2 && all[0].2.enrolled_members == 1, "counts kept exactly")?;
    let feb = s.metrics(&slug("acme"), CutKind::All, Some(Month::parse("2025-02")?), None)?;
    ensure(feb.len() == 1, "from filter")?;
    let metro = s.metrics(&slug("acme"), CutKind::Metro, None, Some(Month::parse("2025-01")?))?;
    ensure(metro.len() == 1 && metro[0].0 == Cut::Metro(Metro::Boston), "metro cut, to filter")?;

    // A second import rewrites only the part it changed.
    let mut changed = l.clone();
    changed.replace_memberships(vec![]);
    changed.visits.clear();
    let mut work = Updates { items: [update(&changed, Some(1), &[Part::People])].into(), batch: ledger_batch("h2") };
    s.commit_import(&mut work)?;
    let stored = s.ledger(&slug("acme"))?.ok_or_else(|| StoreError::Backend("ledger missing".into()))?;
    ensure(stored.version == 2 && stored.ledger.visits == l.visits, "visits part untouched")?;
    ensure(stored.ledger.people == changed.people, "people part replaced")
}

pub fn metrics_refresh_on_the_current_ledger_only(s: &dyn Store) -> Result<()> {
    book(s)?;
    let l = sample_ledger();
    s.commit_import(&mut Updates { items: [update(&l, None, &Part::ALL)].into(), batch: ledger_batch("h1") })?;
    ensure(s.outdated_metrics()?.is_empty(), "metrics this build wrote are current")?;
    let mut fewer = l.clone();
    fewer.visits.clear();
    let recomputed = metrics::compute(&fewer, |_| None);
    expect_err(
        s.refresh_metrics(&slug("acme"), 2, recomputed.as_ref()),
        |e| matches!(e, StoreError::Conflict { current: 1, .. }),
        "a ledger version that is not the stored one",
    )?;
    let visits = |s: &dyn Store| -> Result<i64> {
        Ok(s.metrics(&slug("acme"), CutKind::All, None, None)?.iter().map(|(_, _, c)| c.visits_video).sum())
    };
    ensure(visits(s)? == 1, "a refused refresh writes nothing")?;
    s.refresh_metrics(&slug("acme"), 1, recomputed.as_ref())?;
    ensure(visits(s)? == 0, "the refresh replaced the series")?;
    s.refresh_metrics(&slug("acme"), 1, None)?;
    ensure(s.metrics(&slug("acme"), CutKind::All, None, None)?.is_empty(), "no metrics, no rows")
}

pub fn stale_ledger_writes_nothing(s: &dyn Store) -> Result<()> {
    book(s)?;
    let l = sample_ledger();
    s.commit_import(&mut Updates { items: [update(&l, None, &Part::ALL)].into(), batch: ledger_batch("h1") })?;
    let before = s.imports(None)?.len();
    for stale in [None, Some(7)] {
        let outcome = s.commit_import(&mut Updates {
            items: [update(&l, stale, &[Part::People])].into(),
            batch: ledger_batch("h2"),
        });
        expect_err(outcome, |e| matches!(e, StoreError::Conflict { current: 1, .. }), "stale ledger version")?;
    }
    ensure(s.imports(None)?.len() == before, "no batch recorded for a rolled-back import")?;
    ensure(s.ledger(&slug("acme"))?.is_some_and(|x| x.version == 1), "ledger unchanged")
}

pub fn applied_imports_and_mappings(s: &dyn Store) -> Result<()> {
    book(s)?;
    s.commit_import(&mut Updates {
        items: [update(&sample_ledger(), None, &Part::ALL)].into(),
        batch: ledger_batch("same"),
    })?;
    let found = s.applied_import(ImportKind::Eligibility, Some(&slug("acme")), "same", "")?;
    ensure(found.is_some_and(|b| b.content_hash == "same"), "applied batch found")?;
    ensure(s.applied_import(ImportKind::Visits, Some(&slug("acme")), "same", "")?.is_none(), "kind matters")?;
    ensure(s.applied_import(ImportKind::Eligibility, None, "same", "")?.is_none(), "account matters")?;
    ensure(
        s.applied_import(ImportKind::Eligibility, Some(&slug("acme")), "same", "as_of=2025-01-31")?.is_none(),
        "options matter",
    )?;
    let mut refused = ledger_batch("other");
    refused.status = ImportStatus::Refused;
    s.record_import(&refused)?;
    ensure(
        s.applied_import(ImportKind::Eligibility, Some(&slug("acme")), "other", "")?.is_none(),
        "a refused batch is not applied",
    )?;
    let mut nothing = ledger_batch("nothing");
    (nothing.rows_accepted, nothing.rows_rejected) = (0, 2);
    s.record_import(&nothing)?;
    ensure(
        s.applied_import(ImportKind::Eligibility, Some(&slug("acme")), "nothing", "")?.is_none(),
        "a batch that applied no row blocks nothing",
    )?;
    ensure(s.column_mapping(&slug("acme"), "workday")?.is_none(), "no mapping yet")?;
    s.put_column_mapping(&slug("acme"), "workday", r#"{"columns":{"member_id":"EE ID"}}"#)?;
    s.put_column_mapping(&slug("acme"), "workday", r#"{"columns":{"member_id":"Employee"}}"#)?;
    ensure(s.column_mapping(&slug("acme"), "workday")?.is_some_and(|m| m.contains("Employee")), "mapping replaced")?;
    s.put_column_mapping(&slug("acme"), "adp", r#"{"columns":{}}"#)?;
    ensure(
        s.column_mappings()? == [(slug("acme"), "adp".to_owned()), (slug("acme"), "workday".to_owned())],
        "every mapping listed once, by account and name",
    )
}
