//! Who may do what: the one place it is decided (DOMAIN.md roles). Handlers ask here for
//! every permission; they look at a role only to pick a start page or a default filter.
//!
//! - admin: everything, including users and settings;
//! - director: every book, reads and writes every account;
//! - account_manager: reads every account, writes their own, sees their book by default;
//! - colleague: their (and their department's) tasks and the basics of those accounts;
//! - client: one account's program results, suppressed; nothing internal. An account that
//!   is not theirs does not exist for them (404, never 403).

use crate::error::WebError;
use steward_domain::project::{Project, ProjectTask};
use steward_domain::{Account, ContactRole, Department, Role, Task, User};

/// How much of one account a user may see or change. `Results` (a client's) and `Basics`
/// (a colleague's) are separate views; `Read` includes both, `Write` includes `Read`. Ask
/// with [`AccountAccess::allows`], never by comparing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccountAccess {
    None,
    /// The program results, suppressed for small cells (a client user).
    Results,
    /// Name, segment, industry, owner and worksites (a colleague with a task there).
    Basics,
    /// Everything internal: health, contacts, activities, tasks, contract, imports.
    Read,
    /// Read, plus log activities, add tasks, import files, edit the account.
    Write,
}

impl AccountAccess {
    /// Whether this access includes `need`; `need = None` asks for any view at all.
    pub fn allows(self, need: AccountAccess) -> bool {
        use AccountAccess::*;
        match (self, need) {
            (None, _) => false,
            (_, None) => true,
            (have, Results | Basics) => have == need || matches!(have, Read | Write),
            (Read, Read) | (Write, Read | Write) => true,
            _ => false,
        }
    }
}

/// Capabilities that are not about one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capability {
    /// The book of accounts and account search.
    Book,
    /// The ranked work queue.
    Work,
    /// The import history across accounts and uploading files.
    Imports,
    /// Users and everyone's API tokens.
    Admin,
    /// Creating one's own API tokens.
    OwnTokens,
    /// The team page, and any account manager's queue.
    Team,
    /// The director's portfolio report: every book's money, health, renewals and goals.
    Portfolio,
}

/// The accounts an account manager owns, for lists across the book that show them only
/// their own.
pub fn owned_accounts(
    store: &dyn steward_store::Store,
    user: &User,
) -> Result<std::collections::HashSet<steward_domain::Slug>, WebError> {
    Ok(store.accounts()?.into_iter().filter(|a| a.owner.as_ref() == Some(&user.email)).map(|a| a.slug).collect())
}

/// `has_task_there`: the user (or their department) has a task on the account.
pub fn account_access(user: &User, account: &Account, has_task_there: bool) -> AccountAccess {
    match user.role {
        Role::Admin | Role::Director => AccountAccess::Write,
        Role::AccountManager if account.owner.as_ref() == Some(&user.email) => AccountAccess::Write,
        Role::AccountManager => AccountAccess::Read,
        Role::Colleague if has_task_there => AccountAccess::Basics,
        Role::Client if user.account.as_ref() == Some(&account.slug) => AccountAccess::Results,
        Role::Colleague | Role::Client => AccountAccess::None,
    }
}

/// Reads the account and the user's access to it, requiring `need`. A missing account and
/// one a client may not know about give the same answer.
pub fn load_account(
    store: &dyn steward_store::Store,
    user: &User,
    slug: &str,
    need: AccountAccess,
) -> Result<(Account, AccountAccess), WebError> {
    let what = format!("account {slug}");
    let slug = steward_domain::Slug::parse(slug).map_err(|_| WebError::NotFound(what.clone()))?;
    let account = store.account(&slug)?;
    // Only a colleague's access depends on their tasks; read them only then.
    let has_task = user.role == Role::Colleague
        && store
            .tasks(&steward_store::TaskFilter { account: Some(slug), ..Default::default() })?
            .iter()
            .any(|t| t.status == steward_domain::TaskStatus::Open && is_assigned(user, t));
    let access = account_access(user, &account, has_task);
    require(user, access, need, &what)?;
    Ok((account, access))
}

/// Succeeds when `have` reaches `need`. A client user below it learns nothing: the
/// account does not exist for them.
pub fn require(user: &User, have: AccountAccess, need: AccountAccess, what: &str) -> Result<(), WebError> {
    if have.allows(need) { Ok(()) } else { Err(refusal(user, what)) }
}

/// How to refuse `user` something: a client user is told it does not exist, since even
/// its existence is internal; anyone else that their role may not.
pub fn refusal(user: &User, what: &str) -> WebError {
    if user.role == Role::Client { WebError::NotFound(what.to_owned()) } else { WebError::Forbidden }
}

/// For a client user whose employer churned more than the grace days ago, the day their
/// access ended if a contract says (`Some(None)` if none does): they may no longer use
/// Steward. `None` for everyone else.
pub fn client_access_ended(
    store: &dyn steward_store::Store,
    user: &User,
    today: chrono::NaiveDate,
    grace_days: u64,
) -> Result<Option<Option<chrono::NaiveDate>>, WebError> {
    if user.role != Role::Client {
        return Ok(None);
    }
    let Some(slug) = &user.account else { return Ok(Some(None)) };
    let account = store.account(slug)?;
    let contracts = store.contracts(slug)?;
    let until = steward_domain::contract::client_access_until(account.status, &contracts, grace_days);
    Ok(until.filter(|last| today > *last).map(|last| (last != chrono::NaiveDate::MIN).then_some(last)))
}

pub fn may(user: &User, capability: Capability) -> bool {
    match capability {
        Capability::Book | Capability::Imports => {
            matches!(user.role, Role::Admin | Role::Director | Role::AccountManager)
        }
        Capability::Work => user.role != Role::Client,
        Capability::Admin => user.role == Role::Admin,
        Capability::OwnTokens => true,
        Capability::Team | Capability::Portfolio => matches!(user.role, Role::Admin | Role::Director),
    }
}

pub fn check(user: &User, capability: Capability) -> Result<(), WebError> {
    if may(user, capability) { Ok(()) } else { Err(WebError::Forbidden) }
}

/// Whether the task is the user's to do: theirs, or their department's unowned task.
pub fn is_assigned(user: &User, task: &Task) -> bool {
    task.is_assigned_to(&user.email, user.department)
}

/// Complete, snooze or reassign a task: whoever it is assigned to, or whoever may write
/// its account.
pub fn may_change_task(user: &User, task: &Task, account: AccountAccess) -> bool {
    user.role != Role::Client && (is_assigned(user, task) || account.allows(AccountAccess::Write))
}

/// Whether the user may see this task: internal users may, a colleague only their own.
pub fn may_see_task(user: &User, task: &Task) -> bool {
    match user.role {
        Role::Client => false,
        Role::Colleague => is_assigned(user, task),
        _ => true,
    }
}

/// What a colleague with a task on an account sees beyond its basics, for their department's
/// work — and nothing else of the account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColleagueView {
    /// The account's recent imports and their errors (those who fix feeds).
    pub imports: bool,
    /// Enrollment by worksite (those who run campaigns).
    pub worksite_enrollment: bool,
    /// The client contacts their work deals with.
    pub contact_roles: &'static [ContactRole],
}

pub fn colleague_view(department: Option<Department>) -> ColleagueView {
    use ContactRole::*;
    match department {
        Some(Department::Operations | Department::It) => {
            ColleagueView { imports: true, worksite_enrollment: false, contact_roles: &[HrBenefits, BrokerConsultant] }
        }
        Some(Department::Marketing) => {
            ColleagueView { imports: false, worksite_enrollment: true, contact_roles: &[HrBenefits, Champion] }
        }
        Some(Department::Sales | Department::Clinical) | None => {
            ColleagueView { imports: false, worksite_enrollment: false, contact_roles: &[HrBenefits] }
        }
    }
}

/// Whether `user` does this project task: it is theirs, or nobody's and their department's.
pub fn does_project_task(user: &User, task: &ProjectTask) -> bool {
    user.role != Role::Client && task.is_assigned_to(&user.email, user.department)
}

/// What a user may do with a project: see it (whoever may read its account, and anyone
/// who does one of its tasks) and change its plan (whoever may write the account).
pub fn project_rights(user: &User, account: &Account, project: &Project) -> (bool, bool) {
    let access = account_access(user, account, false);
    let see = access.allows(AccountAccess::Read) || project.tasks.iter().any(|t| does_project_task(user, t));
    (see, access.allows(AccountAccess::Write))
}

/// Record a project task's start or finish: whoever does it (the client's own tasks, their
/// users), or whoever may write the account.
pub fn may_record(user: &User, account: &Account, task: &ProjectTask) -> bool {
    match user.role {
        Role::Client => task.client && user.account.as_ref() == Some(&account.slug),
        _ => does_project_task(user, task) || account_access(user, account, false).allows(AccountAccess::Write),
    }
}

/// Whether a user may be given tasks (internal people, active).
pub fn may_own_tasks(user: &User) -> bool {
    user.active && user.role != Role::Client
}

/// Whether the user sees client-facing (suppressed) numbers rather than internal ones.
pub fn sees_suppressed(user: &User) -> bool {
    user.role == Role::Client
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::{Department, Email, Slug};

    fn user(role: Role) -> User {
        let now = chrono::Utc::now();
        User {
            id: 1,
            email: Email::parse("u@steward.test").unwrap(),
            name: "U".into(),
            role,
            department: (role == Role::Colleague).then_some(Department::It),
            account: (role == Role::Client).then(|| Slug::parse("acme").unwrap()),
            active: true,
            version: 1,
            created_at: now,
            updated_at: now,
        }
    }

    fn account(slug: &str, owner: Option<&str>) -> Account {
        let now = chrono::Utc::now();
        let new = steward_domain::NewAccount::new(Slug::parse(slug).unwrap(), slug);
        Account {
            id: 1,
            slug: new.slug,
            name: new.name,
            segment: new.segment,
            industry: new.industry,
            employee_count: None,
            status: new.status,
            parent: None,
            owner: owner.map(|o| Email::parse(o).unwrap()),
            launch_date: None,
            fein: None,
            enrollment_target: new.enrollment_target,
            version: 1,
            data_changes: 0,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn access_follows_role_ownership_and_tasks() {
        let mine = account("acme", Some("u@steward.test"));
        let theirs = account("globex", Some("other@steward.test"));
        use AccountAccess::*;
        assert_eq!(account_access(&user(Role::AccountManager), &mine, false), Write);
        assert_eq!(account_access(&user(Role::AccountManager), &theirs, false), Read);
        assert_eq!(account_access(&user(Role::Director), &theirs, false), Write);
        assert_eq!(account_access(&user(Role::Colleague), &theirs, true), Basics);
        assert_eq!(account_access(&user(Role::Colleague), &theirs, false), None);
        assert_eq!(account_access(&user(Role::Client), &mine, true), Results);
        assert_eq!(account_access(&user(Role::Client), &theirs, true), None);
    }

    #[test]
    fn clients_learn_nothing_others_are_refused() {
        let client = user(Role::Client);
        let err = require(&client, AccountAccess::Results, AccountAccess::Read, "account acme").unwrap_err();
        assert!(matches!(err, WebError::NotFound(_)));
        let colleague = user(Role::Colleague);
        let err = require(&colleague, AccountAccess::Basics, AccountAccess::Read, "account acme").unwrap_err();
        assert!(matches!(err, WebError::Forbidden));
        assert!(require(&colleague, AccountAccess::Basics, AccountAccess::Basics, "x").is_ok());
        let err = require(&colleague, AccountAccess::Basics, AccountAccess::Results, "x").unwrap_err();
        assert!(matches!(err, WebError::Forbidden), "a colleague's basics are not a client's results");
        assert!(require(&client, AccountAccess::Results, AccountAccess::Basics, "x").is_err());
        assert!(
            AccountAccess::Read.allows(AccountAccess::Results) && AccountAccess::Write.allows(AccountAccess::Basics)
        );
        assert!(!AccountAccess::None.allows(AccountAccess::None) && AccountAccess::Results.allows(AccountAccess::None));
        assert!(!may(&client, Capability::Work) && !may(&client, Capability::Book));
        assert!(may(&colleague, Capability::Work) && !may(&colleague, Capability::Book));
        assert!(may(&user(Role::Admin), Capability::Admin) && !may(&user(Role::Director), Capability::Admin));
    }
}
