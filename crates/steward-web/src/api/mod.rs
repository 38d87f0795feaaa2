//! The JSON API under `/api/v1`: what the pages show and change, for scripts and other
//! systems, by bearer token, with the same authorization as the pages. The router is
//! built from [`ENDPOINTS`], the same table the OpenAPI document is generated from, so the
//! two cannot drift apart.

mod commercial;
mod handlers;
pub mod openapi;
mod projects;

use crate::app::App;
use axum::Router;
use axum::routing::{MethodRouter, get, post};

/// One route: what the OpenAPI document says about it, and its handler.
#[derive(Debug)]
pub struct Endpoint {
    pub method: &'static str,
    pub path: &'static str,
    pub operation_id: &'static str,
    pub summary: &'static str,
    /// Who may call it, in words (authorization itself is in `authz`).
    pub roles: &'static str,
    pub query: &'static [Param],
    /// The request body's schema, if any.
    pub body: Option<&'static str>,
    /// The success response's schema.
    pub response: &'static str,
    pub paged: bool,
    /// Answers 201 Created (it makes a record) rather than 200.
    pub created: bool,
    pub handler: fn() -> MethodRouter<App>,
}

/// A query parameter: what the server accepts, which the document says in JSON Schema.
#[derive(Debug, Clone, Copy)]
pub struct Param {
    pub name: &'static str,
    pub schema: Schema,
    pub required: bool,
    pub description: &'static str,
}

/// What a query parameter's value may be. Each one is what the handler enforces; the
/// OpenAPI document is written from it, and schemathesis checks the two agree.
#[derive(Debug, Clone, Copy)]
pub enum Schema {
    Text,
    /// One of these words; empty means the parameter is absent.
    Words(&'static [&'static str]),
    Integer {
        min: i64,
        max: i64,
    },
    Boolean,
    /// Text matching this ECMA pattern.
    Pattern(&'static str),
    /// An account slug (2–63 lowercase letters, digits and single hyphens); when the
    /// parameter is optional, empty too.
    Slug,
}

const fn optional(name: &'static str, schema: Schema, description: &'static str) -> Param {
    Param { name, schema, required: false, description }
}

const fn required(name: &'static str, schema: Schema, description: &'static str) -> Param {
    Param { name, schema, required: true, description }
}

/// An account slug as `steward_domain::Slug` reads one.
pub const SLUG_PATTERN: &str = "^[a-z0-9](-?[a-z0-9])+$";
/// A month from 1900-01 to 9999-12, YYYY-MM, or empty.
pub const MONTH: Schema = Schema::Pattern("^((19|[2-9][0-9])[0-9]{2}-(0[1-9]|1[0-2]))?$");
/// A day from 1900-01-01 to 2200-12-31, YYYY-MM-DD (the server refuses impossible days too).
pub const DATE: Schema = Schema::Pattern(
    "^((19[0-9]{2}|2[01][0-9]{2})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])|2200-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]))$",
);
/// An e-mail address as Steward reads one (no space, control or invisible character — ECMA's
/// `\s` and Rust's whitespace differ only in U+0085, a control, and U+FEFF, refused by both),
/// or empty.
pub const EMAIL: Schema = Schema::Pattern(concat!(
    "^([^\\s@\\u0000-\\u001F\\u007F-\\u009F]+@[^\\s@.\\u0000-\\u001F\\u007F-\\u009F]",
    "([^\\s@\\u0000-\\u001F\\u007F-\\u009F]*[^\\s@.\\u0000-\\u001F\\u007F-\\u009F])?",
    "\\.[^\\s@\\u0000-\\u001F\\u007F-\\u009F]*[^\\s@.\\u0000-\\u001F\\u007F-\\u009F]|)$"
));

const PAGING: [Param; 2] = [
    optional("page", Schema::Integer { min: 1, max: crate::book::MAX_PAGE as i64 }, "1-based page"),
    optional(
        "per_page",
        Schema::Integer { min: 1, max: crate::book::MAX_PER_PAGE as i64 },
        "rows per page (default 50, at most 200)",
    ),
];

const BY: Param = optional("by", Schema::Words(&["metro", "worksite"]), "cut by metro or worksite");
const CUT: Param = optional("cut", Schema::Text, "one metro or worksite (with by)");
const FROM: Param = optional("from", MONTH, "first month, YYYY-MM");
const TO: Param = optional("to", MONTH, "last month, YYYY-MM");

pub const ENDPOINTS: &[Endpoint] = &[
    Endpoint {
        method: "get",
        path: "/accounts",
        operation_id: "listAccounts",
        summary: "The book: accounts with health, metrics, ARR and renewal, filtered and sorted like the book page",
        roles: "admin, director, account_manager",
        query: &[
            optional(
                "owner",
                Schema::Text,
                "an owner's e-mail or `all` (an account manager's default is their own book)",
            ),
            optional(
                "status",
                Schema::Words(&["live", "implementing", "churned", "prospect", "all"]),
                "default: live and implementing",
            ),
            optional("segment", Schema::Words(&["mid_market", "large_enterprise"]), "the account's segment"),
            optional("metro", Schema::Text, "a metro with a worksite"),
            optional("band", Schema::Words(&["red", "yellow", "green", "none"]), "health band; none: not scored"),
            optional("renewal", Schema::Pattern("^([0-9]{4}-Q[1-4])?$"), "renewal quarter, e.g. 2027-Q1"),
            optional("sort", Schema::Words(crate::book::SORTS), "the column to sort by"),
            optional("dir", Schema::Words(&["asc", "desc"]), "sort direction"),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "AccountRow",
        paged: true,
        created: false,
        handler: || get(handlers::accounts),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}",
        operation_id: "getAccount",
        summary: "One account: its facts; for internal readers also health, ARR and the contract up for renewal",
        roles: "internal users who may see the account; a client user, their own account's name only",
        query: &[],
        body: None,
        response: "AccountDetail",
        paged: false,
        created: false,
        handler: || get(handlers::account),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}/metrics",
        operation_id: "getMetrics",
        summary: "Program metrics by month, exact (DOMAIN.md definitions)",
        roles: "internal readers of the account",
        query: &[FROM, TO, BY, CUT, PAGING[0], PAGING[1]],
        body: None,
        response: "MonthMetrics",
        paged: true,
        created: false,
        handler: || get(handlers::metrics),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}/results",
        operation_id: "getResults",
        summary: "Program results as the client sees them: complete months only; counts under the threshold (and those \
                  that would reveal them) hidden, the rest rounded up to a multiple of 5, rates from the rounded counts; \
                  visits, utilization and NPS per calendar quarter",
        roles: "a client user for their own account; internal readers (a preview)",
        query: &[FROM, TO, BY, CUT, PAGING[0], PAGING[1]],
        body: None,
        response: "ClientMonth",
        paged: true,
        created: false,
        handler: || get(handlers::results),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}/health",
        operation_id: "getHealth",
        summary: "Health score by month with its drivers",
        roles: "internal readers of the account",
        query: &[PAGING[0], PAGING[1]],
        body: None,
        response: "HealthMonth",
        paged: true,
        created: false,
        handler: || get(handlers::health),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}/contacts",
        operation_id: "listContacts",
        summary: "The client's stakeholders",
        roles: "internal readers of the account",
        query: &[PAGING[0], PAGING[1]],
        body: None,
        response: "Contact",
        paged: true,
        created: false,
        handler: || get(handlers::contacts),
    },
    Endpoint {
        method: "post",
        path: "/accounts/{slug}/contacts",
        operation_id: "addContact",
        summary: "Add a stakeholder (a business contact of the client's staff, never a member)",
        roles: "whoever may write the account",
        query: &[],
        body: Some("ContactInput"),
        response: "Contact",
        paged: false,
        created: true,
        handler: || post(commercial::add_contact),
    },
    Endpoint {
        method: "post",
        path: "/contacts/{id}/edit",
        operation_id: "editContact",
        summary: "Edit a stakeholder (`version` required); kept as a new version with who changed it",
        roles: "whoever may write its account",
        query: &[],
        body: Some("ContactInput"),
        response: "Contact",
        paged: false,
        created: false,
        handler: || post(commercial::edit_contact),
    },
    Endpoint {
        method: "post",
        path: "/contacts/{id}/retire",
        operation_id: "retireContact",
        summary: "Retire a stakeholder (no longer listed; kept for the history) from a day (`on`, default today)",
        roles: "whoever may write its account",
        query: &[],
        body: Some("ContactRetire"),
        response: "Contact",
        paged: false,
        created: false,
        handler: || post(commercial::retire_contact),
    },
    Endpoint {
        method: "post",
        path: "/contacts/{id}/csat",
        operation_id: "rateContact",
        summary: "Record the client CSAT a stakeholder gave for a quarter (1 to 5)",
        roles: "whoever may write its account",
        query: &[],
        body: Some("ContactCsat"),
        response: "CsatRating",
        paged: false,
        created: true,
        handler: || post(commercial::rate_contact),
    },
    Endpoint {
        method: "get",
        path: "/contacts/{id}/history",
        operation_id: "contactHistory",
        summary: "Every version of a stakeholder, oldest first, with who changed it",
        roles: "internal readers of its account",
        query: &[PAGING[0], PAGING[1]],
        body: None,
        response: "ContactChange",
        paged: true,
        created: false,
        handler: || get(commercial::contact_history),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}/activities",
        operation_id: "listActivities",
        summary: "The account's timeline, newest first",
        roles: "internal readers of the account",
        query: &[PAGING[0], PAGING[1]],
        body: None,
        response: "Activity",
        paged: true,
        created: false,
        handler: || get(handlers::activities),
    },
    Endpoint {
        method: "post",
        path: "/accounts/{slug}/activities",
        operation_id: "logActivity",
        summary: "Log an activity (meeting, call, e-mail, note, QBR, onsite)",
        roles: "whoever may write the account",
        query: &[],
        body: Some("NewActivity"),
        response: "Activity",
        paged: false,
        created: true,
        handler: || post(handlers::log_activity),
    },
    Endpoint {
        method: "get",
        path: "/accounts/{slug}/contracts",
        operation_id: "listContracts",
        summary: "The account's contracts, oldest first, each with every version (who, when, why)",
        roles: "internal readers of the account",
        query: &[PAGING[0], PAGING[1]],
        body: None,
        response: "Contract",
        paged: true,
        created: false,
        handler: || get(commercial::contracts),
    },
    Endpoint {
        method: "post",
        path: "/accounts/{slug}/contracts",
        operation_id: "signContract",
        summary: "Sign a contract term; refused (422, nothing written) when its terms are wrong or it overlaps another term",
        roles: "whoever may write the account",
        query: &[],
        body: Some("ContractSign"),
        response: "Contract",
        paged: false,
        created: true,
        handler: || post(commercial::sign_contract),
    },
    Endpoint {
        method: "get",
        path: "/contracts/{id}",
        operation_id: "getContract",
        summary: "One contract with every version",
        roles: "internal readers of its account",
        query: &[],
        body: None,
        response: "Contract",
        paged: false,
        created: false,
        handler: || get(commercial::contract),
    },
    Endpoint {
        method: "post",
        path: "/contracts/{id}/amend",
        operation_id: "amendContract",
        summary: "Amend a contract: new terms billed from the first of a month (`effective_from`), kept as a new version; a stale version gets 409",
        roles: "whoever may write its account",
        query: &[],
        body: Some("ContractAmend"),
        response: "Contract",
        paged: false,
        created: false,
        handler: || post(commercial::amend_contract),
    },
    Endpoint {
        method: "get",
        path: "/arr",
        operation_id: "listArr",
        summary: "ARR at every month end by account, with the fees at risk under performance guarantees",
        roles: "admin, director, account_manager",
        query: &[optional("account", Schema::Slug, "account slug"), FROM, TO, PAGING[0], PAGING[1]],
        body: None,
        response: "ArrSnapshot",
        paged: true,
        created: false,
        handler: || get(commercial::arr),
    },
    Endpoint {
        method: "get",
        path: "/retention",
        operation_id: "getRetention",
        summary: "GRR and NRR over the twelve months ending with `month` (default: last month): the company's first, then each owner's book or segment (`by`), with churn, contraction and expansion and the accounts behind each",
        roles: "admin, director, account_manager",
        query: &[
            optional("month", MONTH, "the last month of the twelve, YYYY-MM"),
            optional("by", Schema::Words(&["owner", "segment"]), "also each owner's book or each segment"),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "Retention",
        paged: true,
        created: false,
        handler: || get(commercial::retention),
    },
    Endpoint {
        method: "get",
        path: "/opportunities",
        operation_id: "listOpportunities",
        summary: "Renewal, upsell and expansion opportunities by close date",
        roles: "admin, director, account_manager",
        query: &[
            optional("account", Schema::Slug, "account slug"),
            optional("kind", Schema::Words(&["renewal", "upsell", "expansion"]), "the opportunity's kind"),
            optional(
                "stage",
                Schema::Words(&["identified", "proposal", "negotiation", "verbal", "closed_won", "closed_lost"]),
                "the opportunity's stage",
            ),
            optional("owner", EMAIL, "owner e-mail"),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "Opportunity",
        paged: true,
        created: false,
        handler: || get(commercial::opportunities),
    },
    Endpoint {
        method: "post",
        path: "/opportunities",
        operation_id: "addOpportunity",
        summary: "Add an upsell or expansion (renewals open themselves when a term's renewal window opens)",
        roles: "whoever may write the account",
        query: &[],
        body: Some("NewOpportunity"),
        response: "Opportunity",
        paged: false,
        created: true,
        handler: || post(commercial::add_opportunity),
    },
    Endpoint {
        method: "get",
        path: "/opportunities/{id}",
        operation_id: "getOpportunity",
        summary: "One opportunity with its stage history",
        roles: "internal readers of its account",
        query: &[],
        body: None,
        response: "Opportunity",
        paged: false,
        created: false,
        handler: || get(commercial::opportunity),
    },
    Endpoint {
        method: "post",
        path: "/opportunities/{id}/move",
        operation_id: "moveOpportunity",
        summary: "Move an opportunity to another stage: lost names a configured reason; a won renewal signs its next term (`rate`, `term_months`, else as the one it renews)",
        roles: "whoever may write its account",
        query: &[],
        body: Some("OpportunityMove"),
        response: "Opportunity",
        paged: false,
        created: false,
        handler: || post(commercial::move_opportunity),
    },
    Endpoint {
        method: "post",
        path: "/opportunities/{id}/edit",
        operation_id: "editOpportunity",
        summary: "Change an opportunity's amount, close date, forecast category (null: follow the stage) or owner",
        roles: "whoever may write its account",
        query: &[],
        body: Some("OpportunityEdit"),
        response: "Opportunity",
        paged: false,
        created: false,
        handler: || post(commercial::edit_opportunity),
    },
    Endpoint {
        method: "get",
        path: "/forecast",
        operation_id: "getForecast",
        summary: "A quarter's forecast (default: this one) for an owner or the company: won, commit (with won), best case (with commit), pipeline (with best case), the goal, last week's call, each owner's line and the renewals due",
        roles: "admin, director, account_manager",
        query: &[
            optional("quarter", Schema::Pattern("^([0-9]{4}-?[Qq][1-4])?$"), "e.g. 2027Q1"),
            optional("owner", EMAIL, "an account manager's e-mail; empty: the company"),
        ],
        body: None,
        response: "Forecast",
        paged: false,
        created: false,
        handler: || get(commercial::forecast),
    },
    Endpoint {
        method: "get",
        path: "/goals",
        operation_id: "listGoals",
        summary: "A year's goals per account manager (default: this year) with their attainment to date",
        roles: "admin, director, account_manager",
        query: &[
            optional("year", Schema::Pattern("^((19[0-9]{2}|2[01][0-9]{2}|2200))?$"), "e.g. 2027"),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "Attainment",
        paged: true,
        created: false,
        handler: || get(commercial::goals),
    },
    Endpoint {
        method: "post",
        path: "/goals",
        operation_id: "setGoal",
        summary: "Set an account manager's goals for a year (replacing any set before)",
        roles: "admin, director",
        query: &[],
        body: Some("Goal"),
        response: "Goal",
        paged: false,
        created: false,
        handler: || post(commercial::set_goal),
    },
    Endpoint {
        method: "get",
        path: "/quotes",
        operation_id: "listQuotes",
        summary: "Quotes, newest first, with their prices and approval history",
        roles: "admin, director, account_manager",
        query: &[
            optional("account", Schema::Slug, "account slug"),
            optional(
                "status",
                Schema::Words(&["draft", "submitted", "approved", "rejected", "accepted"]),
                "the quote's status",
            ),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "Quote",
        paged: true,
        created: false,
        handler: || get(commercial::quotes),
    },
    Endpoint {
        method: "get",
        path: "/projects",
        operation_id: "listProjects",
        summary: "Implementation projects, newest first, each with its schedule on today's date (tasks with start, finish, slack, critical, baseline) and its alerts",
        roles: "internal readers of their accounts",
        query: &[
            optional("account", Schema::Slug, "account slug"),
            optional("status", Schema::Words(&["active", "done", "cancelled"]), "the project's status"),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "Project",
        paged: true,
        created: false,
        handler: || get(projects::projects),
    },
    Endpoint {
        method: "get",
        path: "/projects/{id}",
        operation_id: "getProject",
        summary: "One project's schedule on today's date and its alerts",
        roles: "internal readers of its account, and whoever does one of its tasks",
        query: &[],
        body: None,
        response: "Project",
        paged: false,
        created: false,
        handler: || get(projects::project),
    },
    Endpoint {
        method: "post",
        path: "/projects/{id}/tasks/{task}/progress",
        operation_id: "recordProjectTask",
        summary: "Record the day a project task started or finished (`started`, `finished`); the schedule and the owner's alerts move with it; a stale version gets 409",
        roles: "whoever does the task, or may write its account",
        query: &[],
        body: Some("ProjectTaskProgress"),
        response: "Project",
        paged: false,
        created: false,
        handler: || post(projects::progress),
    },
    Endpoint {
        method: "post",
        path: "/quotes",
        operation_id: "addQuote",
        summary: "Price a scenario for an account (`account`, optionally for an opportunity) on its last twelve months of volumes and a what-if; a draft",
        roles: "whoever may write the account",
        query: &[],
        body: Some("QuoteScenario"),
        response: "Quote",
        paged: false,
        created: true,
        handler: || post(commercial::add_quote),
    },
    Endpoint {
        method: "get",
        path: "/quotes/{id}",
        operation_id: "getQuote",
        summary: "One quote",
        roles: "internal readers of its account",
        query: &[],
        body: None,
        response: "Quote",
        paged: false,
        created: false,
        handler: || get(commercial::quote),
    },
    Endpoint {
        method: "post",
        path: "/quotes/{id}/revise",
        operation_id: "reviseQuote",
        summary: "New terms, priced again: the quote is a draft again (an approval does not carry over); a stale `version` gets 409",
        roles: "whoever may write its account",
        query: &[],
        body: Some("QuoteScenario"),
        response: "Quote",
        paged: false,
        created: false,
        handler: || post(commercial::revise_quote),
    },
    Endpoint {
        method: "post",
        path: "/quotes/{id}/submit",
        operation_id: "submitQuote",
        summary: "Submit a quote: a discount within the threshold is approved at once, a deeper one waits for a director",
        roles: "whoever may write its account",
        query: &[],
        body: Some("QuoteStep"),
        response: "Quote",
        paged: false,
        created: false,
        handler: || post(commercial::submit_quote),
    },
    Endpoint {
        method: "post",
        path: "/quotes/{id}/approve",
        operation_id: "approveQuote",
        summary: "Approve a submitted quote",
        roles: "admin, director",
        query: &[],
        body: Some("QuoteStep"),
        response: "Quote",
        paged: false,
        created: false,
        handler: || post(commercial::approve_quote),
    },
    Endpoint {
        method: "post",
        path: "/quotes/{id}/reject",
        operation_id: "rejectQuote",
        summary: "Reject a submitted quote",
        roles: "admin, director",
        query: &[],
        body: Some("QuoteStep"),
        response: "Quote",
        paged: false,
        created: false,
        handler: || post(commercial::reject_quote),
    },
    Endpoint {
        method: "post",
        path: "/quotes/{id}/accept",
        operation_id: "acceptQuote",
        summary: "The client accepted an approved quote: its ARR change becomes its opportunity's amount",
        roles: "whoever may write its account",
        query: &[],
        body: Some("QuoteStep"),
        response: "Quote",
        paged: false,
        created: false,
        handler: || post(commercial::accept_quote),
    },
    Endpoint {
        method: "get",
        path: "/tasks",
        operation_id: "listTasks",
        summary: "Tasks the caller may see: one account's, one owner's, by status",
        roles: "internal users (a colleague sees the tasks assigned to them or their department)",
        query: &[
            optional("account", Schema::Slug, "account slug"),
            optional("owner", EMAIL, "owner e-mail"),
            optional("status", Schema::Words(&["open", "done", "dismissed"]), "the task's status"),
            PAGING[0],
            PAGING[1],
        ],
        body: None,
        response: "Task",
        paged: true,
        created: false,
        handler: || get(handlers::tasks),
    },
    Endpoint {
        method: "post",
        path: "/tasks",
        operation_id: "createTask",
        summary: "Add a task on an account",
        roles: "whoever may write the account",
        query: &[],
        body: Some("NewTask"),
        response: "Task",
        paged: false,
        created: true,
        handler: || post(handlers::create_task),
    },
    Endpoint {
        method: "get",
        path: "/tasks/{id}",
        operation_id: "getTask",
        summary: "One task",
        roles: "internal users who may see it",
        query: &[],
        body: None,
        response: "Task",
        paged: false,
        created: false,
        handler: || get(handlers::task),
    },
    Endpoint {
        method: "post",
        path: "/tasks/{id}/complete",
        operation_id: "completeTask",
        summary: "Mark a task done; a stale version gets 409 with the current task",
        roles: "the task's assignee, or whoever may write its account",
        query: &[],
        body: Some("TaskVersion"),
        response: "Task",
        paged: false,
        created: false,
        handler: || post(handlers::complete_task),
    },
    Endpoint {
        method: "post",
        path: "/tasks/{id}/reopen",
        operation_id: "reopenTask",
        summary: "Undo a completion: the task is open again; a stale version gets 409 with the current task",
        roles: "the task's assignee, or whoever may write its account",
        query: &[],
        body: Some("TaskVersion"),
        response: "Task",
        paged: false,
        created: false,
        handler: || post(handlers::reopen_task),
    },
    Endpoint {
        method: "post",
        path: "/tasks/{id}/snooze",
        operation_id: "snoozeTask",
        summary: "Keep a task out of the work queue until a day (`until`)",
        roles: "the task's assignee, or whoever may write its account",
        query: &[],
        body: Some("TaskSnooze"),
        response: "Task",
        paged: false,
        created: false,
        handler: || post(handlers::snooze_task),
    },
    Endpoint {
        method: "post",
        path: "/tasks/{id}/wake",
        operation_id: "wakeTask",
        summary: "End a snooze: the task is back in the work queue today",
        roles: "the task's assignee, or whoever may write its account",
        query: &[],
        body: Some("TaskVersion"),
        response: "Task",
        paged: false,
        created: false,
        handler: || post(handlers::wake_task),
    },
    Endpoint {
        method: "post",
        path: "/tasks/{id}/reassign",
        operation_id: "reassignTask",
        summary: "Give a task to someone else (`owner`), with an optional `note` added to the task's notes",
        roles: "the task's assignee, or whoever may write its account",
        query: &[],
        body: Some("TaskReassign"),
        response: "Task",
        paged: false,
        created: false,
        handler: || post(handlers::reassign_task),
    },
    Endpoint {
        method: "get",
        path: "/work",
        operation_id: "getWork",
        summary: "The caller's ranked work queue, with the reason for each row",
        roles: "internal users",
        query: &[PAGING[0], PAGING[1]],
        body: None,
        response: "WorkRow",
        paged: true,
        created: false,
        handler: || get(handlers::work),
    },
    Endpoint {
        method: "get",
        path: "/imports",
        operation_id: "listImports",
        summary: "Import batches, newest first, with their row errors",
        roles: "admin, director, account_manager",
        query: &[optional("account", Schema::Slug, "account slug"), PAGING[0], PAGING[1]],
        body: None,
        response: "ImportBatch",
        paged: true,
        created: false,
        handler: || get(handlers::imports),
    },
    Endpoint {
        method: "post",
        path: "/imports",
        operation_id: "importFile",
        summary: "Import a file (the request body, as is) for an account; the batch says what was applied or why it was refused",
        roles: "whoever may write the account",
        query: &[
            required("account", Schema::Slug, "account slug"),
            required(
                "kind",
                Schema::Words(&["eligibility", "memberships", "visits", "surveys"]),
                "what the file holds",
            ),
            optional("file_name", Schema::Text, "the file's name, for the record"),
            optional("as_of", DATE, "full-file date, YYYY-MM-DD"),
            optional("force", Schema::Boolean, "apply even past the termination guard"),
            optional("mapping", Schema::Text, "a saved census column mapping"),
        ],
        body: Some("File"),
        response: "ImportBatch",
        paged: false,
        created: true,
        handler: || post(handlers::import),
    },
    Endpoint {
        method: "get",
        path: "/imports/{id}",
        operation_id: "getImport",
        summary: "One import batch",
        roles: "admin, director, account_manager",
        query: &[],
        body: None,
        response: "ImportBatch",
        paged: false,
        created: false,
        handler: || get(handlers::import_batch),
    },
    Endpoint {
        method: "get",
        path: "/openapi.json",
        operation_id: "getOpenApi",
        summary: "This document",
        roles: "anyone",
        query: &[],
        body: None,
        response: "OpenApi",
        paged: false,
        created: false,
        handler: || get(openapi::document),
    },
];

pub fn routes() -> Router<App> {
    ENDPOINTS
        .iter()
        .fold(Router::new(), |router, e| router.route(e.path, (e.handler)()))
        .fallback(handlers::not_found)
        .method_not_allowed_fallback(handlers::method_not_allowed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use steward_domain::{AccountStatus, ImportKind, Segment, TaskStatus};

    fn words(operation: &str, name: &str) -> Vec<&'static str> {
        let e = ENDPOINTS.iter().find(|e| e.operation_id == operation).unwrap();
        match e.query.iter().find(|p| p.name == name).unwrap().schema {
            Schema::Words(w) => w.to_vec(),
            other => panic!("{operation} {name}: {other:?}"),
        }
    }

    /// The words the document lists are the domain's own (and the handlers parse them
    /// with the same types), so a new status or kind cannot be left out of the document.
    #[test]
    fn listed_words_are_the_domains() {
        let names = |all: &[&'static str]| all.to_vec();
        let mut statuses = names(&AccountStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        statuses.push("all");
        let mut listed = words("listAccounts", "status");
        listed.sort_unstable();
        statuses.sort_unstable();
        assert_eq!(listed, statuses);
        assert_eq!(words("listAccounts", "segment"), Segment::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        assert_eq!(words("listTasks", "status"), TaskStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>());
        let kinds: Vec<&str> = crate::upload::KINDS.iter().map(|k: &ImportKind| k.as_str()).collect();
        assert_eq!(words("importFile", "kind"), kinds);
        assert_eq!(words("listAccounts", "sort"), crate::book::SORTS.to_vec());
    }
}
