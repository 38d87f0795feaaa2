//! Arguments, as clap derives them. Flags use DOMAIN.md's words.

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use steward_domain::{Department, Role, Segment, Slug};
use steward_ingest::MappingName;

#[derive(Debug, Parser)]
#[command(name = "steward", version, about = "Steward: the working system of an enterprise client-services team")]
pub struct Cli {
    /// Where the embedded database, the member-key secret and demo files live.
    #[arg(long, global = true, env = "STEWARD_DATA_DIR", default_value = "steward-data")]
    pub data_dir: PathBuf,
    /// postgres://user@host:port/db for a shared PostgreSQL; default: the SQLite file in the data dir.
    #[arg(long, global = true, env = "STEWARD_DATABASE_URL")]
    pub database_url: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create the database or bring its schema up to date.
    Migrate,
    /// Client accounts.
    #[command(subcommand)]
    Accounts(AccountsCommand),
    /// People who sign in.
    #[command(subcommand)]
    Users(UsersCommand),
    /// API tokens, for scripts and data loaders calling the HTTP API.
    #[command(subcommand)]
    Tokens(TokensCommand),
    /// Import member-level files (each file one all-or-nothing batch).
    Import(ImportArgs),
    /// List import batches, newest first.
    Imports(ImportsArgs),
    /// Program metrics by month (DOMAIN.md definitions).
    Metrics(MetricsArgs),
    /// Account health 0–100 with its drivers (the scorecard in force: `scorecard show`).
    Health(HealthArgs),
    /// Does health predict churn? Past renewal decisions against health before them.
    Backtest(BacktestArgs),
    /// The health scorecard.
    #[command(subcommand)]
    Scorecard(ScorecardCommand),
    /// One user's open tasks and alerts across their book, ranked, each with its reason.
    Work(WorkArgs),
    /// Playbook rules that open tasks.
    #[command(subcommand)]
    Playbooks(PlaybooksCommand),
    /// Implementation project templates.
    #[command(subcommand)]
    Templates(TemplatesCommand),
    /// Implementation projects: made from a template, scheduled over business days, with
    /// the critical path and slip against the baseline.
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// Success plans: the objectives agreed with a client, each on a program metric with a
    /// target and a date, and where it stands on the metrics.
    #[command(subcommand)]
    Objectives(ObjectivesCommand),
    /// Engagement initiatives and their measured impact on the metric they meant to move.
    #[command(subcommand)]
    Initiatives(InitiativesCommand),
    /// Experiments: the sample a test needs before it starts, launching and reading them.
    #[command(subcommand)]
    Experiments(ExperimentsCommand),
    /// Reports: an account's quarterly business review.
    #[command(subcommand)]
    Reports(ReportsCommand),
    /// Saved column mappings for employers' census layouts.
    #[command(subcommand)]
    Mappings(MappingsCommand),
    /// The client's stakeholders: add, edit and retire them (their history is kept).
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Contracts: terms, amendments and their history.
    #[command(subcommand)]
    Contracts(ContractsCommand),
    /// ARR at every month end, with the fees at risk under performance guarantees.
    Arr(ArrArgs),
    /// Renewal opportunities: opened when a contract's renewal window opens.
    #[command(subcommand)]
    Renewals(RenewalsCommand),
    /// Renewal, upsell and expansion opportunities.
    #[command(subcommand)]
    Opportunities(OpportunitiesCommand),
    /// Quotes: pricing scenarios priced by the billing engine, and their approval.
    #[command(subcommand)]
    Quotes(QuotesCommand),
    /// The commercial settings: approval threshold, price book, loss reasons.
    #[command(subcommand)]
    Settings(SettingsCommand),
    /// The quarter's forecast: commit, best case and pipeline against the goal.
    Forecast(ForecastArgs),
    /// Goals per account manager per year, with attainment to date.
    #[command(subcommand)]
    Goals(GoalsCommand),
    /// Gross and net revenue retention over the trailing twelve months.
    Retention(RetentionArgs),
    /// Serve the web app and the JSON API.
    Serve(ServeArgs),
    /// Build a fictional demo book in the data dir (reused when already there) and summarize it.
    Demo(DemoArgs),
    /// Write the demo book's member-level files (every ingest format) to a directory.
    DemoFiles(DemoFilesArgs),
    /// Import a directory written by demo-files: its accounts, then every file as a batch.
    DemoImport(DemoImportArgs),
}

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Add a client account.
    Add(AccountAddArgs),
    /// List every account.
    List(JsonFlag),
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// Print one JSON document on stdout.
    #[arg(long)]
    pub json: bool,
}

fn parse_slug(s: &str) -> Result<Slug, String> {
    Slug::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct AccountAddArgs {
    /// The account's short name in URLs and files, e.g. acme-corp.
    #[arg(value_parser = parse_slug)]
    pub slug: Slug,
    #[arg(long)]
    pub name: String,
    /// mid_market or large_enterprise (default: from --employees, else mid_market).
    #[arg(long, value_parser = |s: &str| s.parse::<Segment>().map_err(|e| e.to_string()))]
    pub segment: Option<Segment>,
    #[arg(long, default_value = "")]
    pub industry: String,
    #[arg(long)]
    pub employees: Option<i64>,
    /// The account manager who owns it.
    #[arg(long)]
    pub owner: Option<String>,
    /// Parent account's slug, for a subsidiary.
    #[arg(long, value_parser = parse_slug)]
    pub parent: Option<Slug>,
    #[arg(long)]
    pub fein: Option<String>,
    /// Expected enrollment rate, a fraction (default 0.30).
    #[arg(long)]
    pub enrollment_target: Option<f64>,
    /// prospect (default), implementing, live or churned.
    #[arg(long, value_parser = |s: &str| s.parse::<steward_domain::AccountStatus>().map_err(|e| e.to_string()))]
    pub status: Option<steward_domain::AccountStatus>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Add a user; the password is read from stdin (or prompted for on a terminal).
    Add(UserAddArgs),
    /// List every user.
    List(JsonFlag),
}

#[derive(Debug, Subcommand)]
pub enum TokensCommand {
    /// Create a token for a user; it is printed once and never shown again.
    Create(TokenCreateArgs),
    /// List tokens (by prefix, never the secret), newest first.
    List(TokenListArgs),
    /// Revoke a token by its id; it stops working at once.
    Revoke(TokenRevokeArgs),
}

#[derive(Debug, Args)]
pub struct TokenCreateArgs {
    /// The user the token acts as (or `--user EMAIL`).
    #[arg(required_unless_present = "user", conflicts_with = "user")]
    pub email: Option<String>,
    #[arg(long)]
    pub user: Option<String>,
    /// What the token is for ("nightly eligibility loader").
    #[arg(long)]
    pub name: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenListArgs {
    /// Only this user's tokens.
    #[arg(long)]
    pub user: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct TokenRevokeArgs {
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    pub email: String,
    #[arg(long, value_parser = |s: &str| s.parse::<Role>().map_err(|e| e.to_string()))]
    pub role: Role,
    /// The client's account (client users only).
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// operations, marketing, sales, clinical or it (colleagues only).
    #[arg(long, value_parser = |s: &str| s.parse::<Department>().map_err(|e| e.to_string()))]
    pub department: Option<Department>,
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScaleArg {
    Demo,
    Company,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (port 0: any free port; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8080", env = "STEWARD_BIND")]
    pub bind: String,
    /// Mark session cookies Secure: set this when users reach Steward over HTTPS.
    #[arg(long, env = "STEWARD_SECURE_COOKIES")]
    pub secure_cookies: bool,
    /// Pages compute as of this day instead of today (e.g. a dated demo book).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Client-facing counts below this are shown as "<N" (at least 11 unless
    /// --accept-small-cell-risk).
    #[arg(long, default_value_t = steward_domain::suppression::DEFAULT_THRESHOLD, allow_negative_numbers = true)]
    pub suppression_threshold: i64,
    /// Allow a suppression threshold under 11: client users may then see groups of fewer
    /// than 11 people. Logged at every start.
    #[arg(long)]
    pub accept_small_cell_risk: bool,
    /// Days a churned client's users keep their access after its last contract ends.
    #[arg(long, default_value_t = 90)]
    pub client_access_days: u64,
    /// The largest file accepted over HTTP, in MiB; bigger feeds go through `steward import`.
    #[arg(long, default_value_t = 256)]
    pub upload_limit_mb: u64,
    /// Served behind a reverse proxy: a client's address is the last one the proxy adds
    /// to X-Forwarded-For (sign-in throttling keys on it).
    #[arg(long)]
    pub behind_proxy: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, default_value_t = 30)]
    pub accounts: usize,
    /// Password for every demo user (default: a generated one, printed once).
    #[arg(long)]
    pub password: Option<String>,
    /// Build and summarize, then exit instead of serving.
    #[arg(long)]
    pub no_serve: bool,
    /// Where to serve the demo.
    #[arg(long, default_value = "127.0.0.1:8080", env = "STEWARD_BIND")]
    pub bind: String,
    /// Throw away the data dir's demo book and build it again (never other data).
    #[arg(long)]
    pub reset: bool,
    /// The book's "today" (default: today). Seed and as-of date fix every byte of the book.
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// Average eligible lives per account (default: realistic sizes).
    #[arg(long)]
    pub lives_per_account: Option<u32>,
}

#[derive(Debug, Args)]
pub struct DemoFilesArgs {
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Default 30, or 6,000 with --scale company.
    #[arg(long)]
    pub accounts: Option<usize>,
    #[arg(long)]
    pub lives_per_account: Option<u32>,
    #[arg(long, value_enum, default_value = "demo")]
    pub scale: ScaleArg,
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    Eligibility,
    Memberships,
    Visits,
    Surveys,
}

impl KindArg {
    pub fn kind(self) -> steward_domain::ImportKind {
        use steward_domain::ImportKind;
        match self {
            KindArg::Eligibility => ImportKind::Eligibility,
            KindArg::Memberships => ImportKind::Memberships,
            KindArg::Visits => ImportKind::Visits,
            KindArg::Surveys => ImportKind::Surveys,
        }
    }
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[arg(value_enum)]
    pub kind: KindArg,
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// The account the files are for (required for census, 834 and FHIR files).
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// census-csv, x12-834, csv or fhir-ndjson (default: sniffed from the content).
    #[arg(long, value_parser = |s: &str| s.parse::<steward_ingest::Format>())]
    pub format: Option<steward_ingest::Format>,
    /// A saved mapping of the account: a census in another layout, or a FHIR server's own
    /// encounter class codes.
    #[arg(long, value_parser = parse_mapping_name)]
    pub mapping: Option<MappingName>,
    /// Apply a full file even if it terminates more than --max-termination-percent of the eligible lives.
    #[arg(long)]
    pub force: bool,
    /// The share of eligible lives a full file may terminate by omission before it is refused.
    #[arg(long, default_value_t = 20.0, value_parser = parse_percent)]
    pub max_termination_percent: f64,
    /// The date a full file states eligibility as of (default: the 834's date, else today).
    #[arg(long)]
    pub as_of: Option<NaiveDate>,
    /// The REF qualifier that carries a dependent's member id in 834 files.
    #[arg(long, default_value = steward_ingest::x12::DEFAULT_DEPENDENT_REF, value_parser = parse_dependent_ref)]
    pub dependent_ref: String,
    /// The FHIR identifier system whose value is the member id (a URI).
    #[arg(long, default_value = steward_ingest::fhir::DEFAULT_MEMBER_ID_SYSTEM, value_parser = parse_system)]
    pub member_id_system: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ImportsArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    Metro,
    Worksite,
}

#[derive(Debug, Args)]
pub struct MetricsArgs {
    /// One account (default: every account, each row naming its account).
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    #[arg(long, value_parser = |s: &str| steward_domain::Month::parse(s).map_err(|e| e.to_string()))]
    pub from: Option<steward_domain::Month>,
    #[arg(long, value_parser = |s: &str| steward_domain::Month::parse(s).map_err(|e| e.to_string()))]
    pub to: Option<steward_domain::Month>,
    #[arg(long, value_enum)]
    pub by: Option<ByArg>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum MappingsCommand {
    /// Save (or replace) a mapping: --column canonical=Header for each renamed census
    /// column, --class 'SYSTEM|CODE=modality' for each FHIR encounter class a server codes
    /// its own way.
    Set(MappingSetArgs),
    /// Print a saved mapping as JSON.
    Show(MappingShowArgs),
}

#[derive(Debug, Args)]
pub struct MappingSetArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    #[arg(value_parser = parse_mapping_name)]
    pub name: MappingName,
    /// canonical=Header, e.g. member_id="EE ID" (repeat for each column).
    #[arg(long = "column", value_parser = parse_pair)]
    pub columns: Vec<(String, String)>,
    /// SYSTEM|CODE=modality, e.g. 'urn:oid:1.2.840.114350.1.13.0.1.7.10.698084.30|13=in_office'
    /// (repeat for each class; modality is in_office, video or remote_other).
    #[arg(long = "class", value_parser = parse_class)]
    pub classes: Vec<(String, steward_domain::Modality)>,
    /// YYYY-MM-DD, MM/DD/YYYY or YYYYMMDD.
    #[arg(long, default_value = "YYYY-MM-DD")]
    pub date_format: String,
}

#[derive(Debug, Args)]
pub struct MappingShowArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    #[arg(value_parser = parse_mapping_name)]
    pub name: MappingName,
}

fn parse_mapping_name(s: &str) -> Result<MappingName, String> {
    MappingName::parse(s)
}

fn parse_dependent_ref(s: &str) -> Result<String, String> {
    let code = (2..=3).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    match s {
        "0F" | "DX" => {
            Err(format!("REF*{s} has its own meaning (subscriber id, worksite); a dependent REF is another"))
        }
        _ if code => Ok(s.to_owned()),
        _ => Err("a REF qualifier is two or three capital letters or digits, such as 23 or 17".to_owned()),
    }
}

fn parse_system(s: &str) -> Result<String, String> {
    if steward_ingest::reason::SystemUri::of(s).to_string() == s {
        Ok(s.to_owned())
    } else {
        Err("a member-id system is a URI: http(s)://…, urn:oid:… or urn:uuid:…".to_owned())
    }
}

fn parse_class(s: &str) -> Result<(String, steward_domain::Modality), String> {
    let usage = "expected SYSTEM|CODE=modality, e.g. 'urn:oid:1.2.3|13=in_office'";
    let (class, modality) = s.rsplit_once('=').ok_or(usage)?;
    let (system, code) = class.split_once('|').ok_or(usage)?;
    if code.trim().is_empty() {
        return Err(usage.to_owned());
    }
    let modality = modality.trim().parse().map_err(|e: steward_domain::ParseError| e.to_string())?;
    Ok((format!("{}|{}", system.trim(), code.trim()), modality))
}

fn parse_pair(s: &str) -> Result<(String, String), String> {
    let (k, v) = s.split_once('=').ok_or_else(|| format!("expected canonical=Header, got {s:?}"))?;
    const FIELDS: &[&str] =
        &["member_id", "relationship", "birth_date", "sex", "zip", "worksite", "coverage_start", "coverage_end"];
    if !FIELDS.contains(&k.trim()) {
        return Err(format!("unknown census field {:?}; one of: {}", k.trim(), FIELDS.join(", ")));
    }
    Ok((k.trim().to_owned(), v.trim().to_owned()))
}

#[derive(Debug, Args)]
pub struct DemoImportArgs {
    /// A directory written by `steward demo-files`.
    pub dir: PathBuf,
}

fn parse_percent(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("{s:?} is not a percentage from 0 to 100")),
    }
}

#[derive(Debug, Args)]
pub struct HealthArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// The month to score (default: each account's latest).
    #[arg(long, value_parser = |s: &str| steward_domain::Month::parse(s).map_err(|e| e.to_string()))]
    pub month: Option<steward_domain::Month>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// How many months before each renewal decision to take the score.
    #[arg(long, default_value_t = 3)]
    pub months_before: i32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ScorecardCommand {
    /// Print the scorecard in force (`<data-dir>/scorecard.toml`, else the built-in one) as TOML.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// Print the project templates in force (`<data-dir>/project_templates.toml`, else the
    /// built-in ones) as TOML, each with its schedule's length and critical tasks.
    Show,
}

#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// Start a project for an account from a template; its baseline is the plan as made.
    New(ProjectNewArgs),
    /// Projects, newest first.
    List(ProjectListArgs),
    /// One project's schedule: each task's dates, slack, critical or not, and baseline.
    Show(ProjectShowArgs),
    /// Record a task's start or its finish.
    Task(ProjectTaskArgs),
    /// Complete the tasks events have completed and raise the alerts of every active
    /// project in their owners' queues (this also runs after every import).
    Run(ProjectRunArgs),
}

#[derive(Debug, Args)]
pub struct ProjectNewArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// A template's name (`steward templates show`).
    #[arg(long)]
    pub template: String,
    #[arg(long)]
    pub start: NaiveDate,
    /// Default: the account's owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProjectListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// active, done or cancelled.
    #[arg(long, value_parser = parse_word::<steward_domain::project::ProjectStatus>)]
    pub status: Option<steward_domain::project::ProjectStatus>,
    /// The status date the schedule is worked out on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProjectShowArgs {
    pub id: i64,
    /// The status date the schedule is worked out on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("progress").required(true).args(["started", "done"])))]
pub struct ProjectTaskArgs {
    /// A task's id (`steward projects show`).
    pub id: i64,
    /// The day work on it began.
    #[arg(long)]
    pub started: Option<NaiveDate>,
    /// It is finished (on `--on`, default today).
    #[arg(long)]
    pub done: bool,
    #[arg(long, requires = "done")]
    pub on: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ProjectRunArgs {
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum PlaybooksCommand {
    /// Run every rule over every account (they also run after each import).
    Run(PlaybooksRunArgs),
    /// Print the rules in force (`<data-dir>/playbooks.toml`, else the built-in ones) as TOML.
    Show,
}

#[derive(Debug, Args)]
pub struct PlaybooksRunArgs {
    /// List what would be opened without opening anything.
    #[arg(long)]
    pub dry_run: bool,
    /// The day to run as of (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct WorkArgs {
    #[arg(long)]
    pub user: String,
    /// The day to rank as of (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

fn parse_money(s: &str) -> Result<steward_domain::Money, String> {
    steward_domain::Money::parse(s).map_err(|e| e.to_string())
}

fn parse_month(s: &str) -> Result<steward_domain::Month, String> {
    steward_domain::Month::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum ContractsCommand {
    /// Every contract of an account (or of every account), oldest first.
    List(ContractListArgs),
    /// One contract: its terms and every version.
    Show(ContractShowArgs),
    /// Sign a contract (a new term; it may not overlap another of the account).
    Add(ContractAddArgs),
    /// Amend a contract from the first of a month: the terms given replace the current
    /// ones, the rest stay as they are.
    Amend(ContractAmendArgs),
}

#[derive(Debug, Args)]
pub struct ContractListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ContractShowArgs {
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

/// Priced terms as flags; on `amend`, only those given change.
#[derive(Debug, Args)]
pub struct TermsArgs {
    /// pepm, pmpm or flat_annual.
    #[arg(long, value_parser = |s: &str| s.parse::<steward_domain::PricingModel>().map_err(|e| e.to_string()))]
    pub model: Option<steward_domain::PricingModel>,
    /// Dollars per employee or member a month, or the annual fee (flat_annual).
    #[arg(long, value_parser = parse_money)]
    pub rate: Option<steward_domain::Money>,
    /// A graduated tier, UNITS:DOLLARS (repeat; the first starts at 0).
    #[arg(long = "tier")]
    pub tiers: Vec<String>,
    /// No volume tiers.
    #[arg(long, conflicts_with = "tiers")]
    pub no_tiers: bool,
    /// Annual escalator, percent.
    #[arg(long)]
    pub escalator: Option<f64>,
    /// Minimum annual commitment, dollars.
    #[arg(long, value_parser = parse_money)]
    pub minimum: Option<steward_domain::Money>,
    #[arg(long, conflicts_with = "minimum")]
    pub no_minimum: bool,
    /// An add-on service, SERVICE:DOLLARS_PER_EVENT:EVENTS_PER_YEAR (repeat).
    #[arg(long = "add-on")]
    pub add_ons: Vec<String>,
    #[arg(long, conflicts_with = "add_ons")]
    pub no_add_ons: bool,
    /// A performance guarantee, METRIC:TARGET:MEASURED_ON:PERCENT_OF_FEES (repeat), e.g.
    /// enrollment_rate:0.25:2026-12-31:5.
    #[arg(long = "guarantee")]
    pub guarantees: Vec<String>,
    #[arg(long, conflicts_with = "guarantees")]
    pub no_guarantees: bool,
}

#[derive(Debug, Args)]
pub struct ContractAddArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    #[arg(long)]
    pub start: NaiveDate,
    #[arg(long)]
    pub end: NaiveDate,
    #[command(flatten)]
    pub terms: TermsArgs,
    #[arg(long, default_value_t = 90)]
    pub notice_days: i64,
    #[arg(long)]
    pub auto_renew: bool,
    /// Why (kept in the contract's history).
    #[arg(long, default_value = "signed")]
    pub reason: String,
    /// Who made the change (kept in the history).
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ContractAmendArgs {
    pub id: i64,
    /// The first of the month the new terms bill from.
    #[arg(long)]
    pub from: NaiveDate,
    #[command(flatten)]
    pub terms: TermsArgs,
    #[arg(long)]
    pub end: Option<NaiveDate>,
    #[arg(long)]
    pub notice_days: Option<i64>,
    #[arg(long)]
    pub auto_renew: Option<bool>,
    /// Why (kept in the contract's history).
    #[arg(long)]
    pub reason: String,
    #[arg(long)]
    pub by: Option<String>,
    /// The version you last read; a stale one is refused (default: the current one).
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ArrArgs {
    /// Recompute every account's snapshots from its contracts and metrics first (they are
    /// kept current on every change; this is for after restoring a backup or by hand).
    #[arg(long)]
    pub refresh: bool,
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// First month, YYYY-MM.
    #[arg(long, value_parser = parse_month)]
    pub from: Option<steward_domain::Month>,
    /// Last month, YYYY-MM.
    #[arg(long, value_parser = parse_month)]
    pub to: Option<steward_domain::Month>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RetentionByArg {
    Owner,
    Segment,
}

#[derive(Debug, Args)]
pub struct RetentionArgs {
    /// The last month of the twelve, YYYY-MM (default: last month).
    #[arg(long, value_parser = parse_month)]
    pub month: Option<steward_domain::Month>,
    /// Also each owner's book or each segment.
    #[arg(long, value_enum)]
    pub by: Option<RetentionByArg>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RenewalsCommand {
    /// Open the renewal opportunity of every undecided term whose window (180 days before
    /// its end) has opened; safe to run any number of times, on any number of servers.
    Run(RenewalsRunArgs),
}

#[derive(Debug, Args)]
pub struct RenewalsRunArgs {
    /// Run as of this day (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

fn parse_word<T: std::str::FromStr<Err = steward_domain::ParseError>>(s: &str) -> Result<T, String> {
    s.parse().map_err(|e: steward_domain::ParseError| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum OpportunitiesCommand {
    /// Opportunities by close date.
    List(OpportunityListArgs),
    /// Add an upsell or expansion (renewals open themselves).
    Add(OpportunityAddArgs),
    /// Move an opportunity to another stage.
    Move(OpportunityMoveArgs),
}

#[derive(Debug, Args)]
pub struct OpportunityListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// renewal, upsell or expansion.
    #[arg(long, value_parser = parse_word::<steward_domain::opportunity::OpportunityKind>)]
    pub kind: Option<steward_domain::opportunity::OpportunityKind>,
    /// identified, proposal, negotiation, verbal, closed_won or closed_lost.
    #[arg(long, value_parser = parse_word::<steward_domain::opportunity::Stage>)]
    pub stage: Option<steward_domain::opportunity::Stage>,
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OpportunityAddArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// upsell or expansion.
    #[arg(long, value_parser = parse_word::<steward_domain::opportunity::OpportunityKind>)]
    pub kind: steward_domain::opportunity::OpportunityKind,
    /// new_worksite, new_metro, subsidiary or add_on_service.
    #[arg(long, value_parser = parse_word::<steward_domain::opportunity::Scope>)]
    pub scope: Option<steward_domain::opportunity::Scope>,
    #[arg(long)]
    pub title: String,
    /// The ARR it adds, dollars.
    #[arg(long, value_parser = parse_money)]
    pub amount: steward_domain::Money,
    #[arg(long)]
    pub close_date: NaiveDate,
    /// Default: the account's owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, value_parser = parse_word::<steward_domain::opportunity::Stage>, default_value = "identified")]
    pub stage: steward_domain::opportunity::Stage,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct OpportunityMoveArgs {
    pub id: i64,
    #[arg(long, value_parser = parse_word::<steward_domain::opportunity::Stage>)]
    pub to: steward_domain::opportunity::Stage,
    /// Why it was lost (one of the configured reasons), for closed_lost.
    #[arg(long)]
    pub reason: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    /// A won renewal's next term: its rate, dollars (default: the current rate).
    #[arg(long, value_parser = parse_money)]
    pub rate: Option<steward_domain::Money>,
    /// A won renewal's next term, in months (default: as long as the one it renews).
    #[arg(long)]
    pub term_months: Option<u32>,
    #[arg(long)]
    pub by: Option<String>,
    /// The day it moved (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    #[arg(long)]
    pub version: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

fn parse_quarter(s: &str) -> Result<steward_domain::forecast::Quarter, String> {
    steward_domain::forecast::Quarter::parse(s).map_err(|e| e.to_string())
}

#[derive(Debug, Args)]
pub struct ForecastArgs {
    /// e.g. 2027-Q1 (default: this quarter).
    #[arg(long, value_parser = parse_quarter)]
    pub quarter: Option<steward_domain::forecast::Quarter>,
    /// One account manager's (default: the company's, with every owner's line).
    #[arg(long)]
    pub owner: Option<String>,
    /// As of this day (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum GoalsCommand {
    /// Set an account manager's goals for a year (replacing any set before).
    Set(GoalSetArgs),
    /// Goals with their attainment to date.
    List(GoalListArgs),
}

#[derive(Debug, Args)]
pub struct GoalSetArgs {
    #[arg(long)]
    pub owner: String,
    #[arg(long)]
    pub year: i32,
    /// Gross revenue retention, a fraction (0.92).
    #[arg(long)]
    pub grr: f64,
    /// Net revenue retention, a fraction (1.05).
    #[arg(long)]
    pub nrr: f64,
    /// Upsell and expansion ARR to win in the year, dollars.
    #[arg(long, value_parser = parse_money)]
    pub bookings: steward_domain::Money,
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct GoalListArgs {
    /// Default: this year.
    #[arg(long)]
    pub year: Option<i32>,
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum QuotesCommand {
    /// Quotes, newest first.
    List(QuoteListArgs),
    /// Price a scenario for an account on its last twelve months of volumes (a draft).
    Add(QuoteAddArgs),
    /// One quote with its prices and approval history.
    Show(QuoteShowArgs),
    /// Submit a quote: within the approval threshold it is approved at once.
    Submit(QuoteStepArgs),
    /// Approve a submitted quote (a director).
    Approve(QuoteStepArgs),
    /// Reject a submitted quote (a director).
    Reject(QuoteStepArgs),
    /// The client accepted an approved quote.
    Accept(QuoteStepArgs),
}

#[derive(Debug, Args)]
pub struct QuoteAddArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// The opportunity it prices.
    #[arg(long)]
    pub opportunity: Option<i64>,
    /// The first day of the quoted term (default: the day after the current contract ends).
    #[arg(long)]
    pub start: Option<NaiveDate>,
    /// Default: as long as the current contract.
    #[arg(long)]
    pub term_months: Option<u32>,
    /// The terms (default: the current contract's; only those given change).
    #[command(flatten)]
    pub terms: TermsArgs,
    /// Enrollment percentage points added for the what-if price.
    #[arg(long, default_value_t = 5.0, allow_negative_numbers = true)]
    pub what_if_points: f64,
    #[arg(long)]
    pub by: Option<String>,
    /// Price as of this day (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QuoteListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// draft, submitted, approved, rejected or accepted.
    #[arg(long, value_parser = parse_word::<steward_domain::quote::QuoteStatus>)]
    pub status: Option<steward_domain::quote::QuoteStatus>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QuoteShowArgs {
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct QuoteStepArgs {
    pub id: i64,
    /// Who (approving and rejecting: a director or an admin).
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long, default_value = "")]
    pub note: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// An account's quarterly business review (the internal version): HTML to print or
    /// send, a PDF typeset with fonts embedded, or its figures as one tidy CSV table.
    Qbr(QbrArgs),
    /// Generate and keep the client's review of a quarter for many accounts at once (in
    /// parallel): `--all`, one owner's book, or one account. A version is new only when the
    /// document changed since the quarter's last one.
    Generate(GenerateArgs),
    /// The director's portfolio report as of today: each book's clients, ARR and health
    /// bands, renewals of the next four quarters by forecast call, retention, goal
    /// attainment and the accounts at risk — as HTML, a PDF or one tidy CSV table.
    Portfolio(PortfolioArgs),
}

#[derive(Debug, Args)]
pub struct PortfolioArgs {
    /// The day it is as of (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// Where to write it (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// 2026-Q3 (default: the last quarter the data complete, account by account).
    #[arg(long)]
    pub quarter: Option<String>,
    #[arg(long, conflicts_with_all = ["owner", "account"])]
    pub all: bool,
    /// The accounts this account manager owns.
    #[arg(long, conflicts_with = "account")]
    pub owner: Option<String>,
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// Publish each to its client too, as its account's owner.
    #[arg(long)]
    pub publish: bool,
    /// The suppression threshold: the one `serve` is run with.
    #[arg(long, default_value_t = steward_domain::suppression::DEFAULT_THRESHOLD)]
    pub suppression_threshold: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Html,
    Pdf,
    Csv,
}

#[derive(Debug, Args)]
pub struct QbrArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// 2026-Q3 (or 2026Q3).
    #[arg(long)]
    pub quarter: String,
    #[arg(long, value_enum, default_value = "html")]
    pub format: ReportFormat,
    /// The client's version: every figure through the client-privacy rule (small cells
    /// hidden, counts rounded, survey figures by quarter), no internal section.
    #[arg(long)]
    pub client: bool,
    /// The client version's suppression threshold: the one `serve` is run with.
    #[arg(long, default_value_t = steward_domain::suppression::DEFAULT_THRESHOLD)]
    pub suppression_threshold: i64,
    /// Where to write it (default: standard output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum ExperimentsCommand {
    /// How many units (worksites of an account, or accounts of a segment) a test needs to
    /// detect an effect with the power asked, counting the clustering (design effect).
    Design(ExperimentDesignArgs),
    /// Design, split by a recorded seed (stratified by size) and record an experiment. An
    /// underpowered design is refused unless `--override REASON` says why it runs anyway.
    Launch(ExperimentLaunchArgs),
    /// Experiments, latest start first, with their status.
    List(AccountListArgs),
    /// Read one: the two arms' enrollment, the effect with its always-valid interval while it
    /// runs (fixed-horizon at its end), and the split check.
    Results(ExperimentResultsArgs),
}

#[derive(Debug, Args)]
pub struct ExperimentLaunchArgs {
    #[command(flatten)]
    pub design: ExperimentDesignArgs,
    #[arg(long)]
    pub name: String,
    /// What the treatment arm gets that the control arm does not.
    #[arg(long)]
    pub change: String,
    #[arg(long)]
    pub start: NaiveDate,
    #[arg(long)]
    pub end: NaiveDate,
    /// The seed to split by (default: a fresh one, recorded).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Launch an underpowered design anyway, for this reason (recorded).
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    /// Who launches it (default: the account's owner for worksites).
    #[arg(long)]
    pub by: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExperimentResultsArgs {
    pub id: i64,
    /// The day it is read on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExperimentDesignArgs {
    /// Randomize this account's worksites (its people and worksites are read from its data).
    #[arg(long, value_parser = parse_slug, conflicts_with = "segment")]
    pub account: Option<Slug>,
    /// Randomize the accounts of this segment (a service change).
    #[arg(long)]
    pub segment: Option<String>,
    /// The control arm's expected enrollment rate (default: the units' own today).
    #[arg(long)]
    pub baseline: Option<f64>,
    /// The smallest effect worth detecting, in enrollment points (3 for 3 points).
    #[arg(long)]
    pub mde: f64,
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    #[arg(long, default_value_t = 0.8)]
    pub power: f64,
    /// Intra-cluster correlation of enrollment.
    #[arg(long, default_value_t = 0.02)]
    pub icc: f64,
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum InitiativesCommand {
    /// Record an initiative.
    Add(InitiativeAddArgs),
    /// Initiatives, latest start first, with their status.
    List(AccountListArgs),
    /// The impact of one (or of every measured one): a difference in differences with its 95%
    /// interval, the pre-trend check and the weekly series behind it.
    Impact(InitiativeImpactArgs),
}

#[derive(Debug, Args)]
pub struct InitiativeAddArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// email_campaign, webinar, onsite_event, benefits_fair, flu_shot_clinic, manager_toolkit or other.
    #[arg(long)]
    pub kind: String,
    /// `account`, `worksite:NAME[,NAME…]` or `metro:NAME[,NAME…]`.
    #[arg(long)]
    pub target: String,
    #[arg(long)]
    pub start: NaiveDate,
    #[arg(long)]
    pub end: NaiveDate,
    /// enrollment_rate, new_enrollments, utilization or visits_per_1000.
    #[arg(long)]
    pub metric: String,
    /// Dollars.
    #[arg(long)]
    pub cost: Option<String>,
    /// Default: the kind and the start.
    #[arg(long)]
    pub title: Option<String>,
    /// Default: the account's owner.
    #[arg(long)]
    pub owner: Option<String>,
    #[arg(long, default_value = "")]
    pub notes: String,
    #[arg(long)]
    pub json: bool,
}

/// A list of one account's things, or the book's, with their status on a day.
#[derive(Debug, Args)]
pub struct AccountListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Option<Slug>,
    /// The day statuses are read on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct InitiativeImpactArgs {
    /// One initiative; without it, every measured initiative (of `--account`, else the book).
    pub id: Option<i64>,
    #[arg(long, value_parser = parse_slug, conflicts_with = "id")]
    pub account: Option<Slug>,
    /// The day it is read on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Weeks before the start (default 8).
    #[arg(long, default_value_t = 8)]
    pub baseline_weeks: u32,
    /// Weeks after the end (default 8).
    #[arg(long, default_value_t = 8)]
    pub outcome_weeks: u32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ObjectivesCommand {
    /// An account's success plan: each objective with its status on the metrics, open first.
    List(ObjectiveListArgs),
    /// Agree an objective with the client.
    Add(ObjectiveAddArgs),
    /// Change an objective's wording, target or date, or close or reopen it.
    Edit(ObjectiveEditArgs),
}

#[derive(Debug, Args)]
pub struct ObjectiveListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// The day to judge them on (default: today).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ObjectiveAddArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    /// What was agreed ("Enrollment 30% by renewal").
    #[arg(long)]
    pub title: String,
    /// enrollment_rate, utilization_rate or nps.
    #[arg(long)]
    pub metric: String,
    /// A rate as a fraction (0.30) or a percentage (30%); NPS as a score.
    #[arg(long, allow_negative_numbers = true)]
    pub target: String,
    /// The date it is to be reached by.
    #[arg(long)]
    pub by: NaiveDate,
    /// The day it was agreed (default: today).
    #[arg(long)]
    pub agreed: Option<NaiveDate>,
    /// Who agreed it (an internal user's e-mail).
    #[arg(long)]
    pub who: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ObjectiveEditArgs {
    pub id: i64,
    #[arg(long)]
    pub title: Option<String>,
    /// As for `add`.
    #[arg(long, allow_negative_numbers = true)]
    pub target: Option<String>,
    #[arg(long)]
    pub by: Option<NaiveDate>,
    /// No longer pursued.
    #[arg(long, conflicts_with = "reopen")]
    pub close: bool,
    #[arg(long)]
    pub reopen: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// An account's stakeholders (`--all` with the retired ones).
    List(ContactListArgs),
    /// Add a stakeholder.
    Add(ContactAddArgs),
    /// Edit a stakeholder: the fields given change.
    Edit(ContactEditArgs),
    /// They are no longer a stakeholder (kept for the history).
    Retire(ContactRetireArgs),
}

#[derive(Debug, Args)]
pub struct ContactListArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ContactFields {
    #[arg(long)]
    pub name: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// executive_sponsor, decision_maker, champion, hr_benefits, broker_consultant, finance or other.
    #[arg(long)]
    pub role: Option<String>,
    /// 1 to 5.
    #[arg(long)]
    pub influence: Option<i64>,
    /// −2 to +2.
    #[arg(long, allow_negative_numbers = true)]
    pub sentiment: Option<i64>,
    /// Their work e-mail.
    #[arg(long)]
    pub email: Option<String>,
    /// Their work phone.
    #[arg(long)]
    pub phone: Option<String>,
}

#[derive(Debug, Args)]
pub struct ContactAddArgs {
    #[arg(long, value_parser = parse_slug)]
    pub account: Slug,
    #[command(flatten)]
    pub fields: ContactFields,
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ContactEditArgs {
    pub id: i64,
    #[command(flatten)]
    pub fields: ContactFields,
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ContactRetireArgs {
    pub id: i64,
    /// The day they stopped being a stakeholder (default: today).
    #[arg(long)]
    pub on: Option<NaiveDate>,
    #[arg(long)]
    pub by: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum SettingsCommand {
    /// Every setting with the value in force.
    Show(JsonFlag),
    /// Set one: quote.approval_threshold_pct (a percentage), quote.price_book (JSON, e.g.
    /// {"mid_market": {"pepm": 7.0, "pmpm": 35.0}, "large_enterprise": {"pepm": 6.0, "pmpm": 30.0}})
    /// or opportunity.loss_reasons (one a line).
    Set(SettingSetArgs),
}

#[derive(Debug, Args)]
pub struct SettingSetArgs {
    pub key: String,
    pub value: String,
}
