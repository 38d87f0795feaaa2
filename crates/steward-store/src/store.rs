//! The storage interface, one trait per concept. [`Store`] is all of them: what the CLI
//! and the web app hold (`Arc<dyn Store>`), whichever backend was chosen at startup.
//!
//! Writes that edit a row take the version the caller last read; a stale one gets
//! [`StoreError::Conflict`](crate::StoreError::Conflict), never a silent overwrite.

use crate::{Dialect, Result};
use chrono::NaiveDate;
use chrono::{DateTime, Utc};
use steward_domain::auth::ApiToken;
use steward_domain::experiment::{Experiment, NewExperiment};
use steward_domain::initiative::{Initiative, NewInitiative};
use steward_domain::ledger::Ledger;
use steward_domain::metrics::{AccountMetrics, Cut, MonthCounts};
use steward_domain::opportunity::{Move, NewOpportunity, Opportunity};
use steward_domain::report::{NewReport, ReportFile, StoredReport};
use steward_domain::success_plan::{NewObjective, Objective, ObjectiveEdit};
use steward_domain::throttle::{Policy, Scope};
use steward_domain::{
    Account, Activity, Amendment, ChangeNote, Contact, Contract, CsatRating, Department, Email, Id, ImportBatch,
    ImportKind, Metro, Month, NewAccount, NewActivity, NewContact, NewContract, NewCsatRating, NewImportBatch, NewTask,
    NewUser, NewWorksite, RenewalOutcome, Role, Slug, Task, TaskAssignment, TaskStatus, User, Worksite,
};

pub trait UserStore {
    fn create_user(&self, new: &NewUser) -> Result<User>;
    fn user(&self, email: &Email) -> Result<User>;
    fn users(&self) -> Result<Vec<User>>;
    /// Active users who are not client users (who may own tasks), by name.
    fn internal_users(&self) -> Result<Vec<User>>;
    /// The argon2id PHC string, for sign-in only; `None` for an unknown or inactive user.
    fn password_hash(&self, email: &Email) -> Result<Option<String>>;
    /// Deactivating a user also ends their sessions and revokes their API tokens, so
    /// reactivating them later revives neither.
    fn update_user(&self, email: &Email, edit: &UserEdit, version: i64) -> Result<User>;
    /// Replaces the user's argon2id PHC string and, in the same transaction, ends every
    /// session of theirs but `keep_session` (the digest of the one changing it, if any) and
    /// with `revoke_tokens` revokes their API tokens: whoever knew the old password is out.
    fn set_password_hash(
        &self,
        email: &Email,
        password_hash: &str,
        keep_session: Option<&str>,
        revoke_tokens: bool,
    ) -> Result<PasswordChanged>;
}

/// What a password change ended besides the old password.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PasswordChanged {
    pub sessions_ended: u64,
    pub tokens_revoked: u64,
}

/// The editable parts of a user (the e-mail is their identity and stays).
#[derive(Debug, Clone)]
pub struct UserEdit {
    pub name: String,
    pub role: Role,
    pub department: Option<Department>,
    pub account: Option<Slug>,
    pub active: bool,
}

impl From<&User> for UserEdit {
    fn from(u: &User) -> Self {
        Self {
            name: u.name.clone(),
            role: u.role,
            department: u.department,
            account: u.account.clone(),
            active: u.active,
        }
    }
}

pub trait AccountStore {
    fn create_account(&self, new: &NewAccount) -> Result<Account>;
    fn account(&self, slug: &Slug) -> Result<Account>;
    /// Every account, by name.
    fn accounts(&self) -> Result<Vec<Account>>;
    /// Replaces the editable fields; `edit.slug` must be the account's slug.
    fn update_account(&self, edit: &NewAccount, version: i64) -> Result<Account>;
    fn create_worksite(&self, new: &NewWorksite) -> Result<Worksite>;
    fn worksites(&self, account: &Slug) -> Result<Vec<Worksite>>;
    fn metros(&self) -> Result<Vec<Metro>>;
}

pub trait ContactStore {
    fn create_contact(&self, new: &NewContact, by: Option<&Email>) -> Result<Contact>;
    fn contact(&self, id: Id) -> Result<Contact>;
    /// Every version, oldest first.
    fn contact_history(&self, id: Id) -> Result<Vec<steward_domain::contact::ContactChange>>;
    /// They are no longer a stakeholder: kept for the history, no longer listed.
    fn retire_contact(&self, id: Id, on: NaiveDate, by: Option<&Email>, version: i64) -> Result<Contact>;
    fn contacts(&self, account: &Slug) -> Result<Vec<Contact>>;
    /// Replaces the editable fields of contact `id`; `edit.account` must be its account.
    fn update_contact(&self, id: Id, edit: &NewContact, by: Option<&Email>, version: i64) -> Result<Contact>;
    fn create_csat(&self, new: &NewCsatRating) -> Result<CsatRating>;
    fn csat_ratings(&self, account: &Slug) -> Result<Vec<CsatRating>>;
}

pub trait ActivityStore {
    /// Records the activity and moves the `last_touch` of the contacts involved forward.
    fn create_activity(&self, new: &NewActivity) -> Result<Activity>;
    /// Newest first, at most `limit`.
    fn activities(&self, account: &Slug, limit: i64) -> Result<Vec<Activity>>;
}

/// What [`TaskStore::create_task`] did: playbooks and projects call it on every run and
/// rely on the second call finding the open task instead of opening another.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskCreated {
    Created(Task),
    AlreadyOpen(Task),
}

impl TaskCreated {
    pub fn task(&self) -> &Task {
        match self {
            TaskCreated::Created(t) | TaskCreated::AlreadyOpen(t) => t,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub account: Option<Slug>,
    pub owner: Option<Email>,
    pub department: Option<Department>,
    pub status: Option<TaskStatus>,
    /// Those serving this success-plan objective.
    pub objective: Option<Id>,
}

pub trait TaskStore {
    fn create_task(&self, new: &NewTask) -> Result<TaskCreated>;
    fn task(&self, id: Id) -> Result<Task>;
    /// By due date (undated last), then id.
    fn tasks(&self, filter: &TaskFilter) -> Result<Vec<Task>>;
    fn set_task_status(&self, id: Id, status: TaskStatus, version: i64) -> Result<Task>;
    /// Reassigns, reschedules or snoozes a task.
    fn assign_task(&self, id: Id, assignment: &TaskAssignment, version: i64) -> Result<Task>;
}

/// Contracts and their histories: every change is a new version, kept whole with who made
/// it, when and why. Each write also rewrites the account's ARR snapshots.
pub trait ContractStore {
    /// Refused (`Invalid`, nothing written) when the terms are wrong or overlap another
    /// contract of the account.
    fn create_contract(&self, new: &NewContract, note: &ChangeNote) -> Result<Contract>;
    fn contract(&self, id: Id) -> Result<Contract>;
    /// Oldest first, each with its history.
    fn contracts(&self, account: &Slug) -> Result<Vec<Contract>>;
    fn amend_contract(&self, id: Id, amendment: &Amendment, note: &ChangeNote, version: i64) -> Result<Contract>;
    fn set_renewal_outcome(&self, id: Id, outcome: RenewalOutcome, note: &ChangeNote, version: i64)
    -> Result<Contract>;
    /// An implementing account goes live on `day`, in one transaction: live with that launch
    /// date, and the term its launch begins (the earliest undecided one not ended by then)
    /// moved to begin that day, kept as a `started` version (`Contract::started_on`).
    fn go_live(&self, account: &Slug, day: NaiveDate, note: &ChangeNote) -> Result<GoLive>;
}

/// What going live did.
#[derive(Debug, Clone, PartialEq)]
pub enum GoLive {
    /// The account was not implementing: nothing changed.
    NotImplementing,
    /// Live; the contract now billing from the day (`None`: none to move, or it already
    /// started that day).
    Live(Option<Contract>),
    /// Live, but the contract kept its dates, for `reason`.
    BillingKept { contract: Id, start: NaiveDate, reason: String },
}

/// Which opportunities to list; all when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpportunityFilter {
    pub account: Option<Slug>,
    pub kind: Option<steward_domain::opportunity::OpportunityKind>,
    pub stage: Option<steward_domain::opportunity::Stage>,
    pub owner: Option<Email>,
    pub close_from: Option<NaiveDate>,
    pub close_to: Option<NaiveDate>,
    /// Those expected to close, or closed, within these days (both included).
    pub closing_within: Option<(NaiveDate, NaiveDate)>,
    /// Only those not yet won or lost.
    pub open_only: bool,
    /// With each one's stage history (a list that shows it asks; boards and sums do not).
    pub history: bool,
    /// At most this many, after the first `offset` (a page the database cuts; `offset`
    /// counts only with a `limit`).
    pub limit: Option<usize>,
    pub offset: usize,
}

/// How many opportunities of one stage a filter holds, and their amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StageTotal {
    pub stage: steward_domain::opportunity::Stage,
    pub count: i64,
    pub amount: steward_domain::Money,
}

/// What an owner changes on an opportunity besides its stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpportunityEdit {
    pub amount: steward_domain::Money,
    pub close_date: NaiveDate,
    /// `None`: the category follows the stage.
    pub forecast_category: Option<steward_domain::opportunity::ForecastCategory>,
    pub owner: Option<Email>,
}

/// Renewal, upsell and expansion opportunities with their stage history.
pub trait OpportunityStore {
    /// Refused as `Duplicate` for a second renewal of one contract term.
    fn create_opportunity(&self, new: &NewOpportunity, by: Option<&Email>) -> Result<Opportunity>;
    /// The renewal of `new`'s contract term, created unless it exists — safe when two
    /// processes run it at once; `true` when this call created it.
    fn ensure_renewal(&self, new: &NewOpportunity, by: Option<&Email>) -> Result<(Opportunity, bool)>;
    fn opportunity(&self, id: Id) -> Result<Opportunity>;
    /// By close date, then id.
    fn opportunities(&self, filter: &OpportunityFilter) -> Result<Vec<Opportunity>>;
    /// The count and amount of each stage among those the filter holds (its page ignored),
    /// stages with none left out.
    fn opportunity_totals(&self, filter: &OpportunityFilter) -> Result<Vec<StageTotal>>;
    /// Moves to another stage. A renewal won signs `next_term` and marks its contract
    /// renewed; lost marks it churned — in the same transaction.
    fn move_opportunity(
        &self,
        id: Id,
        mv: &Move,
        next_term: Option<&NewContract>,
        by: Option<&Email>,
        version: i64,
    ) -> Result<Opportunity>;
    fn edit_opportunity(&self, id: Id, edit: &OpportunityEdit, version: i64) -> Result<Opportunity>;
}

/// The forecast as called in one week.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ForecastSnapshot {
    /// The Monday of the week.
    pub week: NaiveDate,
    pub quarter: steward_domain::forecast::Quarter,
    /// `None`: the company's.
    pub owner: Option<Email>,
    pub totals: steward_domain::forecast::Totals,
}

/// Goals per account manager per year, and the forecast kept week by week.
pub trait ForecastStore {
    /// Sets (or replaces) an owner's goal for a year.
    fn set_goal(&self, goal: &steward_domain::forecast::Goal, by: Option<&Email>) -> Result<()>;
    /// One year's goals (every year's when `None`), by owner.
    fn goals(&self, year: Option<i32>) -> Result<Vec<steward_domain::forecast::Goal>>;
    /// Keeps each week's call unless one is kept already (the first call of a week stands),
    /// all in one transaction.
    fn keep_forecast(&self, snapshots: &[ForecastSnapshot]) -> Result<()>;
    /// A quarter's calls for an owner (`None`: the company), oldest week first.
    fn forecast_history(
        &self,
        quarter: steward_domain::forecast::Quarter,
        owner: Option<&Email>,
    ) -> Result<Vec<ForecastSnapshot>>;
}

/// Which projects to list; all when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProjectFilter {
    pub account: Option<Slug>,
    pub status: Option<steward_domain::project::ProjectStatus>,
    /// Projects where this person owns a task not yet done…
    pub task_owner: Option<Email>,
    /// …or where a task not yet done is nobody's and this department's.
    pub task_department: Option<steward_domain::Department>,
}

/// Implementation projects. The store keeps the plan, its baseline and what happened; the
/// schedule is the domain's, worked out on read. Every change is checked as a whole plan
/// (`steward_domain::project::Project::check`) inside its transaction, so no cycle or
/// dangling link is ever kept, and bumps the project's version.
pub trait ProjectStore {
    /// The project, its tasks and their links (by key), in one transaction.
    fn create_project(&self, new: &steward_domain::project::NewProject) -> Result<steward_domain::project::Project>;
    fn project(&self, id: Id) -> Result<steward_domain::project::Project>;
    /// The project a task belongs to.
    fn project_with_task(&self, task: Id) -> Result<steward_domain::project::Project>;
    /// Newest first, each with its tasks.
    fn projects(&self, filter: &ProjectFilter) -> Result<Vec<steward_domain::project::Project>>;
    /// One task changed (progress, owner, duration, links), given the task's version.
    fn update_project_task(
        &self,
        task: Id,
        edit: &steward_domain::project::ProjectTaskEdit,
        version: i64,
    ) -> Result<steward_domain::project::Project>;
    /// A task added to a project (links by key), given the project's version.
    fn add_project_task(
        &self,
        project: Id,
        task: &steward_domain::project::NewProjectTask,
        version: i64,
    ) -> Result<steward_domain::project::Project>;
    /// A task taken out, refused while another task waits for it.
    fn remove_project_task(&self, task: Id, version: i64) -> Result<steward_domain::project::Project>;
    fn set_project_status(
        &self,
        project: Id,
        status: steward_domain::project::ProjectStatus,
        version: i64,
    ) -> Result<steward_domain::project::Project>;
}

/// Which quotes to list; all when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuoteFilter {
    pub account: Option<Slug>,
    pub opportunity: Option<Id>,
    pub status: Option<steward_domain::quote::QuoteStatus>,
}

/// Quotes and their approvals. Pricing is the caller's (the engine's); the store keeps the
/// prices with the terms they were computed from, and the steps each quote took.
pub trait QuoteStore {
    fn create_quote(
        &self,
        draft: &steward_domain::quote::QuoteDraft,
        price: &steward_domain::quote::QuotePrice,
        threshold_pct: f64,
        by: Option<&Email>,
    ) -> Result<steward_domain::quote::Quote>;
    fn quote(&self, id: Id) -> Result<steward_domain::quote::Quote>;
    /// Newest first.
    fn quotes(&self, filter: &QuoteFilter) -> Result<Vec<steward_domain::quote::Quote>>;
    /// New terms, newly priced: the quote is a draft again (an approval does not carry over).
    fn revise_quote(
        &self,
        id: Id,
        draft: &steward_domain::quote::QuoteDraft,
        price: &steward_domain::quote::QuotePrice,
        threshold_pct: f64,
        by: Option<&Email>,
        version: i64,
    ) -> Result<steward_domain::quote::Quote>;
    /// Moves a quote along (`steward_domain::quote::check_transition`, checked by the
    /// caller for who may); accepting one fills its opportunity's amount in the same
    /// transaction.
    fn set_quote_status(
        &self,
        id: Id,
        to: steward_domain::quote::QuoteStatus,
        by: Option<&Email>,
        note: &str,
        version: i64,
    ) -> Result<steward_domain::quote::Quote>;
}

/// Which ARR snapshots to read; all when empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ArrFilter {
    pub account: Option<Slug>,
    pub from: Option<Month>,
    pub to: Option<Month>,
}

/// ARR at every month end (DOMAIN.md), kept as history and rewritten whenever an account's
/// metrics or contracts change.
pub trait ArrStore {
    /// By account slug, then month.
    fn arr_snapshots(&self, filter: &ArrFilter) -> Result<Vec<(Slug, steward_domain::arr::ArrSnapshot)>>;
    /// Accounts with contracts and metrics but no snapshots (a database from before they
    /// were kept).
    fn outdated_arr(&self) -> Result<Vec<Slug>>;
    fn refresh_arr(&self, account: &Slug) -> Result<()>;
}

pub trait ImportStore {
    fn record_import(&self, new: &NewImportBatch) -> Result<ImportBatch>;
    fn import_batch(&self, id: Id) -> Result<ImportBatch>;
    /// Newest first; one account's or all.
    fn imports(&self, account: Option<&Slug>) -> Result<Vec<ImportBatch>>;
}

/// Small named values the application keeps about itself (e.g. which demo book is loaded).
pub trait SettingStore {
    fn setting(&self, key: &str) -> Result<Option<String>>;
    fn put_setting(&self, key: &str, value: &str) -> Result<()>;
}

/// An account's member ledger as stored, with the version a write must name.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredLedger {
    pub version: i64,
    pub ledger: Ledger,
}

/// One account's new ledger (encoded with [`ledger_codec`](crate::ledger_codec)) and the
/// metrics computed from it, written together.
#[derive(Debug)]
pub struct LedgerUpdate {
    pub account: Slug,
    /// The version read before changing it; `None` when the account had no ledger.
    pub expected_version: Option<i64>,
    /// The parts the import changed, encoded; the others stay as stored.
    pub parts: Vec<(crate::ledger_codec::Part, Vec<u8>)>,
    pub people: i64,
    pub visits: i64,
    pub survey_responses: i64,
    /// The date the account's eligibility is stated as of (its months end there).
    pub as_of: Option<NaiveDate>,
    /// `None` when the account has no eligibility yet (nothing to measure).
    pub metrics: Option<AccountMetrics>,
}

/// An import in progress, pulled by [`MemberStore::commit_import`] inside its transaction,
/// so only a few accounts' data are in memory at once however large the file.
pub trait ImportWork {
    /// The next account's update, or `None` when every account is done.
    fn next_update(&mut self) -> Result<Option<LedgerUpdate>>;
    /// The batch record, once every update was taken (its counts include late rejections).
    fn batch(&self) -> NewImportBatch;
}

pub trait MemberStore {
    fn ledger(&self, account: &Slug) -> Result<Option<StoredLedger>>;
    /// The batch that already applied exactly this content, with these options, for this
    /// kind and account — one that accepted rows: a batch that applied nothing blocks nothing.
    fn applied_import(
        &self,
        kind: ImportKind,
        account: Option<&Slug>,
        content_hash: &str,
        options: &str,
    ) -> Result<Option<ImportBatch>>;
    /// Writes every update of `work` and records its batch, all in one transaction. A
    /// ledger changed since it was read is a conflict, and then nothing is written.
    fn commit_import(&self, work: &mut dyn ImportWork) -> Result<ImportBatch>;
    /// Stored counts of one kind of cut, by cut then month, within `from..=to`.
    fn metrics(
        &self,
        account: &Slug,
        cut_kind: CutKind,
        from: Option<Month>,
        to: Option<Month>,
    ) -> Result<Vec<(Cut, Month, MonthCounts)>>;
    /// The date the account's metrics are as of (its latest eligibility file's): a month
    /// ending after it is partial. `None` before any eligibility.
    fn metrics_as_of(&self, account: &Slug) -> Result<Option<NaiveDate>>;
    /// Accounts whose stored metrics an earlier build wrote, without counts this one keeps
    /// (they read as zero): to recompute from their ledgers with [`MemberStore::refresh_metrics`].
    fn outdated_metrics(&self) -> Result<Vec<Slug>>;
    /// Replaces an account's metrics with ones computed from its ledger at `ledger_version`.
    /// A ledger changed since is a conflict, and nothing is written (the change wrote its own).
    fn refresh_metrics(&self, account: &Slug, ledger_version: i64, metrics: Option<&AccountMetrics>) -> Result<()>;
    fn column_mapping(&self, account: &Slug, name: &str) -> Result<Option<String>>;
    fn put_column_mapping(&self, account: &Slug, name: &str, mapping_json: &str) -> Result<()>;
    /// Every saved mapping's name, by account.
    fn column_mappings(&self) -> Result<Vec<(Slug, String)>>;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CutKind {
    All,
    Metro,
    Worksite,
}

impl CutKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CutKind::All => "all",
            CutKind::Metro => "metro",
            CutKind::Worksite => "worksite",
        }
    }
}

/// Sessions and API tokens, kept as digests of their secrets ([`secret_digest`]).
pub trait AuthStore {
    fn create_session(&self, user: &Email, id_digest: &str, expires_at: chrono::DateTime<chrono::Utc>) -> Result<()>;
    /// The session's user if it exists, has not expired at `now` and the user is active.
    fn session_user(&self, id_digest: &str, now: chrono::DateTime<chrono::Utc>) -> Result<Option<User>>;
    fn delete_session(&self, id_digest: &str) -> Result<()>;
    /// Removes sessions expired by `now`; returns how many.
    fn delete_expired_sessions(&self, now: chrono::DateTime<chrono::Utc>) -> Result<u64>;
    fn create_api_token(&self, user: &Email, name: &str, token_digest: &str, prefix: &str) -> Result<ApiToken>;
    /// The token's user if it is not revoked and the user is active; notes the use.
    fn api_token_user(&self, token_digest: &str) -> Result<Option<User>>;
    fn api_token(&self, id: Id) -> Result<ApiToken>;
    /// One user's tokens, or everyone's; newest first.
    fn api_tokens(&self, user: Option<&Email>) -> Result<Vec<ApiToken>>;
    fn revoke_api_token(&self, id: Id, version: i64) -> Result<ApiToken>;
    /// One sign-in attempt under `keys` (a scope and a digest of its key each), in one
    /// transaction so attempts made in parallel, on any server, queue: the failures counted
    /// against each key go to `policy`; an attempt it allows is counted as a failure against
    /// every key until [`forgive_sign_in`](Self::forgive_sign_in) says it succeeded. A
    /// refused attempt counts nothing and says when one may be made.
    fn claim_sign_in(
        &self,
        keys: &[(Scope, String)],
        policy: &Policy,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<(), DateTime<Utc>>>;
    /// After a successful sign-in: forgets the failures counted against `clear` and takes
    /// the attempt back from `uncount`.
    fn forgive_sign_in(&self, clear: &[(Scope, String)], uncount: &[(Scope, String)]) -> Result<()>;
}

/// The digest a session id or API token is stored as: its BLAKE3 hash. The secrets are
/// long random strings, so no key or salt is needed to make the digest useless to a thief.
pub fn secret_digest(secret: &str) -> String {
    blake3::hash(secret.as_bytes()).to_hex().to_string()
}

/// Success plans: the objectives agreed with a client. Their status is worked out from the
/// metrics on read (`steward_domain::success_plan::progress`).
pub trait SuccessPlanStore {
    fn create_objective(&self, new: &NewObjective) -> Result<Objective>;
    fn objective(&self, id: Id) -> Result<Objective>;
    /// Open ones first, then by target date.
    fn objectives(&self, account: &Slug) -> Result<Vec<Objective>>;
    fn update_objective(&self, id: Id, edit: &ObjectiveEdit, version: i64) -> Result<Objective>;
}

/// Engagement initiatives (their impact is worked out from the ledgers, never stored).
pub trait InitiativeStore {
    fn create_initiative(&self, new: &NewInitiative) -> Result<Initiative>;
    fn initiative(&self, id: Id) -> Result<Initiative>;
    /// The account's (everyone's when `None`), latest start first.
    fn initiatives(&self, account: Option<&Slug>) -> Result<Vec<Initiative>>;
}

/// Experiments as launched: the design, the seed and its split (results are read from the
/// ledgers, never stored).
pub trait ExperimentStore {
    /// Refused unless [`NewExperiment::validate`] passes: the split is its seed's and an
    /// underpowered launch carries its reason.
    fn create_experiment(&self, new: &NewExperiment) -> Result<Experiment>;
    fn experiment(&self, id: Id) -> Result<Experiment>;
    /// The account's (worksite experiments on it) or every one when `None`; latest start first.
    fn experiments(&self, account: Option<&Slug>) -> Result<Vec<Experiment>>;
}

/// Reviews generated for clients, each quarter's versions with their files.
pub trait ReportStore {
    /// Keeps `new` as the next version of its quarter — unless its PDF is the latest
    /// version's to the byte, which is returned as it is (`false`: nothing new).
    fn save_report(&self, new: &NewReport) -> Result<(StoredReport, bool)>;
    fn report(&self, id: Id) -> Result<StoredReport>;
    /// The account's (everyone's when `None`): latest quarter first, latest version first.
    fn reports(&self, account: Option<&Slug>) -> Result<Vec<StoredReport>>;
    fn report_file(&self, id: Id, file: ReportFile) -> Result<Vec<u8>>;
    /// Publishes it (once: publishing again keeps the first who and when).
    fn publish_report(&self, id: Id, by: &Email) -> Result<StoredReport>;
}

pub trait Store:
    UserStore
    + AuthStore
    + MemberStore
    + AccountStore
    + ContactStore
    + ActivityStore
    + TaskStore
    + ContractStore
    + ArrStore
    + OpportunityStore
    + ForecastStore
    + QuoteStore
    + ProjectStore
    + SuccessPlanStore
    + InitiativeStore
    + ExperimentStore
    + ReportStore
    + ImportStore
    + SettingStore
    + Send
    + Sync
    + std::fmt::Debug
{
    fn dialect(&self) -> Dialect;
    fn schema_version(&self) -> Result<i64>;
    /// Deletes every row but reference data (`steward demo --reset`).
    fn erase_all(&self) -> Result<()>;
}
