//! The OpenAPI 3.1 document, generated from [`ENDPOINTS`](super::ENDPOINTS) (the table the
//! router is built from) and the schemas below. A snapshot test guards it.

use super::{ENDPOINTS, Param, Schema};
use axum::Json;
use serde_json::{Value, json};
use steward_domain::impact::GoalMetric;
use steward_domain::initiative::InitiativeKind;
use steward_domain::input::TextKind;
use steward_domain::opportunity::{ForecastCategory, OpportunityKind, Scope, Stage};
use steward_domain::success_plan::ObjectiveStatus;
use steward_domain::{ActivityKind, ChangeKind, ContactRole, PricingModel, Priority, TargetMetric};
use steward_health::work::Band;

fn nullable(t: &str) -> Value {
    json!({ "type": [t, "null"] })
}

fn slug() -> Value {
    json!({ "type": "string", "pattern": super::SLUG_PATTERN, "maxLength": 63 })
}

/// An optional body field: absent, null or `schema` (a string's).
fn or_null(schema: &Value) -> Value {
    let mut s = schema.clone();
    s["type"] = json!(["string", "null"]);
    s
}

/// The largest integer a JSON number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// Typed text as `steward_domain::input` accepts it: its kind's length, no control
/// character but tab (and newline where text runs over lines), no direction mark; when
/// `required`, something besides spaces.
fn text(kind: TextKind, required: bool) -> Value {
    let forbidden = if kind == TextKind::Summary { FORBIDDEN_MULTILINE } else { FORBIDDEN_ONE_LINE };
    let pattern = if required {
        format!("^[^{forbidden}]*[^{forbidden}\\s][^{forbidden}]*$")
    } else {
        format!("^[^{forbidden}]*$")
    };
    json!({ "type": "string", "maxLength": kind.max_chars(), "pattern": pattern })
}

const FORBIDDEN_ONE_LINE: &str =
    r"\u0000-\u0008\u000A-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069\uFEFF";
const FORBIDDEN_MULTILINE: &str =
    r"\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028-\u202E\u2066-\u2069\uFEFF";

fn object(required: &[&str], properties: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": properties })
}

/// A contract's priced terms as the API takes and gives them (money in dollars).
fn terms(day: &Value) -> Value {
    let price = json!({ "type": "number", "minimum": 0, "maximum": steward_domain::contract::MAX_PRICE.dollars() });
    let units = json!({ "type": "integer", "minimum": 0, "maximum": steward_domain::contract::MAX_UNITS });
    object(
        &[
            "pricing_model",
            "rate",
            "tiers",
            "annual_escalator_pct",
            "minimum_annual_commitment",
            "add_ons",
            "guarantees",
        ],
        json!({
            "pricing_model": { "enum": PricingModel::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>() },
            "rate": price,
            "tiers": { "type": "array", "description": "graduated tiers: the first starts at 0, each later one at more units; none for a flat fee",
                "items": object(&["from_units", "rate"], json!({ "from_units": units, "rate": price })) },
            "annual_escalator_pct": { "type": "number", "minimum": 0, "maximum": 100 },
            "minimum_annual_commitment": { "type": ["number", "null"], "minimum": 0, "maximum": steward_domain::contract::MAX_PRICE.dollars() },
            "add_ons": { "type": "array", "items": object(&["service", "price_per_event", "events_per_year"], json!({
                "service": text(TextKind::Name, true), "price_per_event": price, "events_per_year": units })) },
            "guarantees": { "type": "array", "items": object(&["metric", "target", "measured_on", "fees_at_risk_pct"], json!({
                "metric": { "enum": TargetMetric::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>() },
                "target": { "type": "number", "description": "a fraction from 0 to 1 for the rates; −100 to 100 for NPS" },
                "measured_on": day, "fees_at_risk_pct": { "type": "number", "exclusiveMinimum": 0, "maximum": 100 } })) }
        }),
    )
}

/// The commercial shapes: contracts and their versions, ARR snapshots, retention.
fn commercial(day: &Value, version: &Value, month: &Value, count: &Value) -> Value {
    let movement = object(
        &["account", "start_arr", "end_arr"],
        json!({
            "account": { "type": "string" }, "start_arr": { "type": "number" }, "end_arr": { "type": "number" }
        }),
    );
    let pattern = |schema: super::Schema| match schema {
        super::Schema::Pattern(p) => p,
        _ => "",
    };
    json!({
        "Terms": terms(day),
        "ContractChange": object(&["version", "kind", "effective_from", "terms", "end_date", "notice_days", "auto_renew", "renewal_outcome", "reason", "changed_at"], json!({
            "version": { "type": "integer" }, "kind": { "enum": ChangeKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "effective_from": { "type": "string", "description": "the day the version's terms bill from" },
            "terms": { "$ref": "#/components/schemas/Terms" }, "end_date": { "type": "string" }, "notice_days": { "type": "integer" },
            "auto_renew": { "type": "boolean" }, "renewal_outcome": { "enum": ["renewed", "churned", "pending"] },
            "reason": { "type": "string" }, "changed_by": nullable("string"), "changed_at": { "type": "string", "format": "date-time" }
        })),
        "Contract": object(&["id", "account", "start_date", "end_date", "pricing_model", "rate", "terms_from", "renewal_outcome", "version", "history"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "start_date": { "type": "string" }, "end_date": { "type": "string" },
            "auto_renew": { "type": "boolean" }, "notice_days": { "type": "integer" },
            "pricing_model": { "enum": PricingModel::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>() },
            "rate": { "type": "number" }, "tiers": { "type": "array" }, "annual_escalator_pct": { "type": "number" },
            "minimum_annual_commitment": nullable("number"), "add_ons": { "type": "array" }, "guarantees": { "type": "array" },
            "terms_from": { "type": "string", "description": "the day the latest terms bill from" },
            "renewal_outcome": { "enum": ["renewed", "churned", "pending"] }, "version": { "type": "integer" },
            "created_at": { "type": "string", "format": "date-time" }, "updated_at": { "type": "string", "format": "date-time" },
            "history": { "type": "array", "items": { "$ref": "#/components/schemas/ContractChange" }, "description": "every version, oldest first" }
        })),
        "ContractSign": object(&["start_date", "end_date", "notice_days", "terms", "reason"], json!({
            "start_date": day, "end_date": day, "notice_days": { "type": "integer", "minimum": 0, "maximum": 3650 },
            "auto_renew": { "type": "boolean" }, "terms": { "$ref": "#/components/schemas/Terms" },
            "reason": text(TextKind::Summary, true)
        })),
        "ContractAmend": object(&["version", "effective_from", "end_date", "notice_days", "terms", "reason"], json!({
            "version": version, "effective_from": { "type": "string", "pattern": pattern(super::DATE), "description": "the first day of a month within the term, not before the latest terms' date" },
            "end_date": day, "notice_days": { "type": "integer", "minimum": 0, "maximum": 3650 },
            "auto_renew": { "type": "boolean" }, "terms": { "$ref": "#/components/schemas/Terms" },
            "reason": text(TextKind::Summary, true)
        })),
        "Opportunity": object(&["id", "account", "kind", "stage", "amount", "forecast_category", "close_date", "contract_id", "version", "history"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" },
            "kind": { "enum": OpportunityKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "scope": { "enum": Scope::ALL.iter().map(|k| Some(k.as_str())).chain([None]).collect::<Vec<_>>() },
            "title": { "type": "string" }, "stage": { "enum": Stage::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "amount": { "type": "number", "description": "dollars of ARR change (a renewal: the change on what it renews)" },
            "renewing_arr": { "type": ["number", "null"] }, "close_date": { "type": "string" },
            "forecast_category": { "enum": ForecastCategory::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "category_overridden": { "type": "boolean" }, "owner": { "type": ["string", "null"] },
            "contract_id": { "type": ["integer", "null"], "description": "the contract term a renewal renews" },
            "lost_reason": { "type": ["string", "null"] }, "closed_on": { "type": ["string", "null"] }, "version": { "type": "integer" },
            "history": { "type": "array", "items": object(&["to", "at"], json!({ "from": { "type": ["string", "null"] }, "to": { "type": "string" }, "by": { "type": ["string", "null"] }, "at": { "type": "string" }, "note": { "type": "string" } })) }
        })),
        "NewOpportunity": object(&["account", "kind", "title", "amount", "close_date"], json!({
            "account": { "type": "string", "pattern": super::SLUG_PATTERN, "maxLength": 63 },
            "kind": { "enum": ["upsell", "expansion"] },
            "scope": { "enum": Scope::ALL.iter().map(|k| Some(k.as_str())).chain([None]).collect::<Vec<_>>() },
            "title": text(TextKind::Title, true),
            "amount": { "type": "number", "minimum": -steward_domain::contract::MAX_PRICE.dollars(), "maximum": steward_domain::contract::MAX_PRICE.dollars() },
            "close_date": day, "owner": { "type": ["string", "null"], "pattern": pattern(super::EMAIL), "maxLength": 254 }
        })),
        "OpportunityMove": object(&["version", "to"], json!({
            "version": version, "to": { "enum": Stage::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() },
            "lost_reason": { "type": ["string", "null"], "description": "one of the configured loss reasons (closed_lost only)" },
            "note": { "type": ["string", "null"], "maxLength": TextKind::Summary.max_chars() },
            "rate": { "type": ["number", "null"], "minimum": 0, "maximum": steward_domain::contract::MAX_PRICE.dollars() },
            "term_months": { "type": ["integer", "null"], "minimum": 1, "maximum": 120 }
        })),
        "OpportunityEdit": object(&["version", "amount", "close_date"], json!({
            "version": version,
            "amount": { "type": "number", "minimum": -steward_domain::contract::MAX_PRICE.dollars(), "maximum": steward_domain::contract::MAX_PRICE.dollars() },
            "close_date": day,
            "forecast_category": { "enum": ForecastCategory::ALL.iter().map(|k| Some(k.as_str())).chain([None]).collect::<Vec<_>>() },
            "owner": { "type": ["string", "null"], "pattern": pattern(super::EMAIL), "maxLength": 254 }
        })),
        "Goal": object(&["owner", "year", "gross_retention", "net_retention", "bookings"], json!({
            "owner": { "type": "string", "pattern": pattern(super::EMAIL), "minLength": 3, "maxLength": 254 },
            "year": { "type": "integer", "minimum": 1900, "maximum": 2200 },
            "gross_retention": { "type": "number", "minimum": 0, "maximum": 1 },
            "net_retention": { "type": "number", "minimum": 0, "maximum": 5 },
            "bookings": { "type": "number", "minimum": 0, "maximum": steward_domain::contract::MAX_PRICE.dollars() }
        })),
        "Attainment": object(&["owner", "year", "gross_retention", "net_retention", "bookings", "bookings_to_date", "retention_month"], json!({
            "owner": { "type": "string" }, "year": { "type": "integer" }, "gross_retention": { "type": "number" },
            "net_retention": { "type": "number" }, "bookings": { "type": "number" },
            "bookings_to_date": { "type": "number", "description": "upsell and expansion ARR won from January 1 to today" },
            "grr": { "type": ["number", "null"] }, "nrr": { "type": ["number", "null"] },
            "retention_month": month
        })),
        "Forecast": object(&["quarter", "won", "commit", "best_case", "pipeline", "owners", "renewals"], json!({
            "quarter": { "type": "string" }, "owner": { "type": ["string", "null"] },
            "won": { "type": "number" }, "commit": { "type": "number" }, "best_case": { "type": "number" }, "pipeline": { "type": "number" },
            "goal": { "type": ["number", "null"], "description": "a quarter's share of the year's bookings goal" },
            "last_week": { "type": ["object", "null"] },
            "owners": { "type": "array" },
            "renewals": { "type": "array", "items": { "$ref": "#/components/schemas/Opportunity" } }
        })),
        "Quote": object(&["id", "account", "terms", "start_date", "term_months", "annual_price", "arr_change", "discount_pct", "status", "version", "history"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "opportunity_id": { "type": ["integer", "null"] },
            "terms": { "$ref": "#/components/schemas/Terms" }, "start_date": { "type": "string" }, "term_months": { "type": "integer" },
            "what_if_points": { "type": "number" },
            "annual_price": { "type": "number", "description": "the first year's bill on the last twelve months of actual volumes" },
            "what_if_annual_price": { "type": "number" }, "arr": { "type": "number" },
            "arr_change": { "type": "number", "description": "against the current contract's ARR" },
            "list_price": { "type": "number" }, "discount_pct": { "type": "number", "description": "from the price book's list price" },
            "approval_threshold_pct": { "type": "number" },
            "status": { "enum": ["draft", "submitted", "approved", "rejected", "accepted"] },
            "created_by": { "type": ["string", "null"] }, "version": { "type": "integer" },
            "history": { "type": "array" }
        })),
        "QuoteScenario": object(&["terms", "start_date", "term_months"], json!({
            "account": { "type": "string", "pattern": super::SLUG_PATTERN, "maxLength": 63, "description": "required when adding" },
            "opportunity_id": { "type": ["integer", "null"], "minimum": 1, "maximum": 9007199254740991_i64 },
            "terms": { "$ref": "#/components/schemas/Terms" }, "start_date": day,
            "term_months": { "type": "integer", "minimum": 1, "maximum": 120 },
            "what_if_points": { "type": ["number", "null"], "minimum": -100, "maximum": 100 },
            "version": { "type": ["integer", "null"], "minimum": 1, "maximum": 9007199254740991_i64, "description": "required when revising" }
        })),
        "Project": object(&["id", "account", "template", "title", "owner", "status", "start_date", "today", "finish", "baseline_finish", "slip_days", "duration_days", "alerts", "tasks", "version"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "template": { "type": "string" },
            "title": { "type": "string" }, "owner": { "type": ["string", "null"] },
            "status": { "enum": ["active", "done", "cancelled"] },
            "start_date": { "type": "string" }, "today": { "type": "string", "description": "the status date the schedule is worked out on" },
            "finish": { "type": "string" }, "baseline_finish": { "type": ["string", "null"] },
            "slip_days": { "type": ["integer", "null"], "description": "business days the end moved past its baseline" },
            "duration_days": { "type": "integer", "description": "business days from the start to the end" },
            "alerts": { "type": "array", "items": { "type": "string" } },
            "tasks": { "type": "array", "items": { "$ref": "#/components/schemas/ProjectTask" } },
            "version": { "type": "integer" }
        })),
        "ProjectTask": object(&["id", "name", "department", "duration_days", "depends_on", "start", "finish", "slack_days", "critical", "baseline_finish", "version"], json!({
            "id": { "type": "integer" }, "key": { "type": "string" }, "name": { "type": "string" },
            "department": { "type": ["string", "null"] }, "client": { "type": "boolean" }, "owner": { "type": ["string", "null"] },
            "duration_days": { "type": "integer", "description": "business days; 0 for a milestone" }, "milestone": { "type": "boolean" },
            "depends_on": { "type": "array", "items": object(&["id", "lag_days"], json!({ "id": { "type": "integer" }, "lag_days": { "type": "integer" } })) },
            "start": { "type": "string" }, "finish": { "type": "string", "description": "on today's date: a task not finished finishes today at the earliest" },
            "due": { "type": "string", "description": "the day it should finish on what has happened; lateness is measured from it" },
            "late_days": { "type": "integer", "description": "business days past `due`, not yet done" },
            "slack_days": { "type": "integer" }, "critical": { "type": "boolean" }, "done": { "type": "boolean" },
            "actual_start": { "type": ["string", "null"] }, "actual_finish": { "type": ["string", "null"] },
            "baseline_start": { "type": ["string", "null"] }, "baseline_finish": { "type": ["string", "null"] },
            "slip_days": { "type": ["integer", "null"] }, "version": { "type": "integer" }
        })),
        "ProjectTaskProgress": object(&["version"], json!({
            "version": version, "started": or_null(day), "finished": or_null(day)
        })),
        "QuoteStep": object(&["version"], json!({
            "version": version, "note": { "type": ["string", "null"], "maxLength": TextKind::Summary.max_chars() }
        })),
        "ContactInput": object(&["name", "role", "influence", "sentiment"], json!({
            "name": text(TextKind::Name, true), "title": or_null(&text(TextKind::Name, false)),
            "role": { "enum": ContactRole::ALL.iter().map(|r| r.as_str()).collect::<Vec<_>>() },
            "influence": { "type": "integer", "minimum": 1, "maximum": 5 }, "sentiment": { "type": "integer", "minimum": -2, "maximum": 2 },
            "email": { "type": ["string", "null"], "pattern": pattern(super::EMAIL), "maxLength": 254 },
            "phone": { "type": ["string", "null"], "pattern": "^[0-9 +().x-]{0,40}$" },
            "version": { "type": ["integer", "null"], "minimum": 1, "maximum": 9007199254740991_i64, "description": "required when editing" }
        })),
        "ContactRetire": object(&["version"], json!({ "version": version, "on": or_null(day) })),
        "ContactCsat": object(&["quarter", "score"], json!({
            "quarter": { "type": "string", "pattern": "^(19[0-9]{2}|2[01][0-9]{2}|2200)-?[Qq][1-4]$" }, "score": { "type": "integer", "minimum": 1, "maximum": 5 }
        })),
        "ContactChange": object(&["version", "change", "name", "role", "changed_at"], json!({
            "version": { "type": "integer" }, "change": { "enum": ["added", "edited", "retired"] }, "name": { "type": "string" },
            "title": { "type": "string" }, "email": { "type": ["string", "null"] }, "phone": { "type": ["string", "null"] },
            "role": { "type": "string" }, "influence": { "type": "integer" }, "sentiment": { "type": "integer" },
            "changed_by": { "type": ["string", "null"] }, "changed_at": { "type": "string" }
        })),
        "CsatRating": object(&["id", "account", "rated_on", "score"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "contact_id": { "type": ["integer", "null"] },
            "rated_on": { "type": "string" }, "score": { "type": "integer" }
        })),
        "ArrSnapshot": object(&["account", "month", "arr", "at_risk"], json!({
            "account": { "type": "string" }, "month": month, "arr": { "type": "number", "description": "dollars: the month's bill × 12, not below the minimum" },
            "at_risk": { "type": "number", "description": "dollars of fees at risk under guarantees still to be measured whose metric misses its target" }
        })),
        "Retention": object(&["group", "month", "start_arr", "end_arr", "grr", "nrr", "churn", "contraction", "expansion", "accounts"], json!({
            "group": { "type": ["string", "null"], "description": "null: the company; else an owner's e-mail (\"unowned\") or a segment" },
            "month": month, "start_arr": { "type": "number" }, "end_arr": { "type": "number" },
            "grr": { "type": ["number", "null"], "minimum": 0, "maximum": 1 }, "nrr": { "type": ["number", "null"], "minimum": 0 },
            "churn": { "type": "number", "maximum": 0 }, "contraction": { "type": "number", "maximum": 0 }, "expansion": { "type": "number", "minimum": 0 },
            "accounts": count,
            "churned": { "type": "array", "items": movement }, "contracted": { "type": "array", "items": movement }, "expanded": { "type": "array", "items": movement }
        }))
    })
}

/// Initiatives' shapes.
fn initiatives(day: &Value) -> Value {
    let kinds: Vec<&str> = InitiativeKind::ALL.iter().map(|k| k.as_str()).collect();
    let metrics: Vec<&str> = GoalMetric::ALL.iter().map(|m| m.as_str()).collect();
    let number_or_null = json!({ "type": ["number", "null"] });
    json!({
        "Initiative": object(&["id", "account", "kind", "title", "target", "start_date", "end_date", "metric", "status", "version"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "kind": { "enum": kinds }, "title": { "type": "string" },
            "target": object(&["kind"], json!({
                "kind": { "enum": ["account", "worksites", "metros"] },
                "names": { "type": "array", "items": { "type": "string" } }
            })),
            "start_date": { "type": "string" }, "end_date": { "type": "string" }, "owner": { "type": ["string", "null"] },
            "cost": { "type": ["number", "null"], "description": "dollars; internal" },
            "metric": { "enum": metrics }, "notes": { "type": "string" },
            "status": { "enum": ["planned", "live", "measured"], "description": "planned before the start, live until the outcome window closes, then measured" },
            "version": { "type": "integer" }
        })),
        "InitiativeInput": object(&["title", "kind", "target", "start_date", "end_date", "metric"], json!({
            "title": text(TextKind::Title, true), "kind": { "enum": kinds.clone() },
            "target": { "type": "string", "maxLength": 2000, "pattern": "^(account|(worksites?|metros?):.*[^ ,].*)$", "description": "account, worksite:NAME[,NAME…] or metro:NAME[,NAME…]" },
            "start_date": day, "end_date": day,
            "metric": { "enum": metrics.clone() },
            "cost": { "type": ["number", "null"], "minimum": 0, "maximum": 1e9, "description": "dollars" },
            "notes": or_null(&text(TextKind::Summary, false))
        })),
        "InitiativeImpact": object(&["initiative", "status", "metric", "unit", "method", "effect", "ci_low", "ci_high", "warnings", "baseline", "outcome", "weeks"], json!({
            "initiative": { "type": "integer" }, "status": { "enum": ["planned", "live", "measured"] },
            "metric": { "enum": metrics.clone() }, "unit": { "type": "string" }, "method": { "type": "string" },
            "effect": number_or_null, "ci_low": number_or_null, "ci_high": number_or_null,
            "target_n": { "type": ["integer", "null"] }, "comparison_n": { "type": ["integer", "null"] },
            "clusters": { "type": ["object", "null"] },
            "pretrend_ok": { "type": ["boolean", "null"] }, "pretrend_difference": number_or_null,
            "warnings": { "type": "array", "items": { "type": "string" } },
            "reason": { "type": ["string", "null"], "description": "why there is no estimate" },
            "baseline": { "type": "array" }, "outcome": { "type": "array" },
            "compared_with": { "type": "array", "items": { "type": "string" } },
            "weeks": { "type": "array" }
        }))
    })
}

/// Experiments' shapes.
fn experiments(day: &Value) -> Value {
    let number_or_null = json!({ "type": ["number", "null"] });
    let design = json!({
        "baseline": { "type": "number" }, "mde": { "type": "number", "description": "a fraction (0.03 for 3 points)" },
        "alpha": { "type": "number" }, "power": { "type": "number" }, "cluster_size": { "type": "number" },
        "icc": { "type": "number" }, "size_cv": { "type": "number" }
    });
    let segment = json!({ "enum": ["mid_market", "large_enterprise"] });
    let mut planned = design.clone();
    if let (Some(p), Some(more)) = (
        planned.as_object_mut(),
        json!({
            "unit": { "enum": ["worksites", "accounts"] },
            "persons_per_arm_independent": { "type": "number" }, "design_effect": { "type": "number" },
            "persons_per_arm": { "type": "number" }, "units_per_arm": { "type": "integer" },
            "available": { "type": "integer" }, "power_available": { "type": "number" }, "powered": { "type": "boolean" }
        })
        .as_object(),
    ) {
        p.extend(more.clone());
    }
    json!({
        "Experiment": object(&["id", "name", "change", "unit", "metric", "design", "units_per_arm_needed", "planned_power", "seed", "start_date", "end_date", "assignments", "status"], json!({
            "id": { "type": "integer" }, "name": { "type": "string" }, "change": { "type": "string" },
            "unit": { "enum": ["worksites", "accounts"] }, "account": { "type": "string" }, "segment": segment,
            "metric": { "enum": ["enrollment_rate"] },
            "design": object(&["baseline", "mde", "alpha", "power", "cluster_size", "icc", "size_cv"], design),
            "units_per_arm_needed": { "type": "integer" }, "planned_power": { "type": "number" },
            "seed": { "type": "integer", "description": "the same units and seed make the same split" },
            "start_date": { "type": "string" }, "end_date": { "type": "string" },
            "assignments": { "type": "array", "items": object(&["unit", "size", "arm"], json!({
                "unit": { "type": "string" }, "size": { "type": "integer" }, "arm": { "enum": ["treatment", "control"] }
            })) },
            "override_reason": { "type": ["string", "null"], "description": "why it was launched underpowered" },
            "created_by": { "type": ["string", "null"] }, "created_at": { "type": "string", "format": "date-time" },
            "status": { "enum": ["planned", "running", "finished"] }
        })),
        "ExperimentInput": object(&["name", "change", "mde", "start_date", "end_date"], json!({
            "account": { "type": ["string", "null"], "pattern": super::SLUG_PATTERN, "description": "randomize this account's worksites" },
            "segment": { "enum": ["mid_market", "large_enterprise", null], "description": "or this segment's accounts" },
            "name": text(TextKind::Title, true), "change": text(TextKind::Summary, true),
            "mde": { "type": "number", "minimum": -100, "maximum": 100, "description": "the smallest effect worth detecting, in enrollment points" },
            "baseline": { "type": ["number", "null"], "minimum": 0, "maximum": 1 },
            "alpha": { "type": ["number", "null"], "minimum": 0, "maximum": 1 },
            "power": { "type": ["number", "null"], "minimum": 0, "maximum": 1 },
            "icc": { "type": ["number", "null"], "minimum": 0, "maximum": 1 },
            "start_date": day, "end_date": day,
            "seed": { "type": ["integer", "null"], "minimum": 0, "maximum": steward_domain::experiment::MAX_SEED },
            "override_reason": or_null(&text(TextKind::Summary, false))
        })),
        "ExperimentDesign": object(&["unit", "baseline", "mde", "design_effect", "units_per_arm", "available", "power_available", "powered"], planned),
        "ExperimentResults": object(&["status", "read_on", "horizon", "level", "significant", "warnings", "units"], json!({
            "status": { "enum": ["planned", "running", "finished"] }, "read_on": { "type": "string" },
            "horizon": { "enum": ["sequential", "fixed"], "description": "sequential (always-valid) until every unit's data reach the planned end, fixed from then" },
            "level": { "type": "number", "description": "the intervals' confidence in percent, 100 × (1 − α)" },
            "reading": { "type": ["object", "null"], "description": "rates and the fixed and always-valid intervals as fractions, the arms' units and people, the split check" },
            "effect_points": number_or_null, "ci_low_points": number_or_null, "ci_high_points": number_or_null,
            "significant": { "type": "boolean" }, "reason": { "type": ["string", "null"] },
            "warnings": { "type": "array", "items": { "type": "string" } },
            "units": { "type": "array", "items": object(&["unit", "arm", "size_at_launch", "eligible", "enrolled"], json!({
                "unit": { "type": "string" }, "arm": { "enum": ["treatment", "control"] }, "size_at_launch": { "type": "integer" },
                "eligible": { "type": "integer" }, "enrolled": { "type": "integer" }
            })) }
        }))
    })
}

/// Reviews' shapes.
/// The director's portfolio report (money in dollars, shares as fractions).
fn portfolio(day: &Value, month: &Value, count: &Value) -> Value {
    use steward_domain::portfolio::RenewalCall;
    let money = json!({ "type": "number" });
    let calls: Vec<&str> = RenewalCall::ALL.iter().map(|c| c.as_str()).collect();
    let bands = object(
        &["green", "yellow", "red", "unscored", "green_arr", "yellow_arr", "red_arr", "unscored_arr"],
        json!({
            "green": count, "yellow": count, "red": count, "unscored": count,
            "green_arr": money, "yellow_arr": money, "red_arr": money, "unscored_arr": money
        }),
    );
    let book = object(
        &["owner", "name", "accounts", "arr", "share", "bands", "fees_at_risk", "renewals", "renewing_arr"],
        json!({
            "owner": { "type": ["string", "null"], "description": "null: the accounts nobody owns, or the company's line" },
            "name": { "type": "string" },
            "accounts": { "type": "integer", "minimum": 0, "description": "clients: live or implementing" },
            "arr": money, "share": { "type": ["number", "null"], "minimum": 0, "maximum": 1 },
            "bands": bands, "fees_at_risk": money,
            "renewals": { "type": "integer", "minimum": 0, "description": "contract terms ending in the report's quarters" },
            "renewing_arr": money
        }),
    );
    let cell = object(
        &["call", "renewals", "arr", "change"],
        json!({ "call": { "enum": calls }, "renewals": count, "arr": money, "change": money }),
    );
    let at_risk = object(
        &["slug", "name", "owner", "score", "arr"],
        json!({
            "slug": { "type": "string" }, "name": { "type": "string" }, "owner": { "type": ["string", "null"] },
            "score": { "type": "number", "minimum": 0, "maximum": 100 },
            "driver": { "type": ["object", "null"], "description": "the measure that pulls the score down most" },
            "arr": money, "renewal": or_null(day),
            "call": { "enum": calls.iter().map(|c| Some(*c)).chain([None]).collect::<Vec<_>>() }
        }),
    );
    json!({
        "Portfolio": object(&["as_of", "lines", "company", "renewals", "at_risk", "retention_month", "retention", "goals"], json!({
            "as_of": day,
            "lines": { "type": "array", "items": book },
            "company": book,
            "renewals": { "type": "array", "items": object(&["quarter", "cells", "renewals", "arr"], json!({
                "quarter": { "type": "string" }, "cells": { "type": "array", "items": cell }, "renewals": count, "arr": money
            })) },
            "at_risk": { "type": "array", "items": at_risk },
            "retention_month": month,
            "retention": { "type": "array", "items": { "$ref": "#/components/schemas/Retention" } },
            "goals": { "type": "array", "items": { "$ref": "#/components/schemas/Attainment" } }
        }))
    })
}

fn reports() -> Value {
    let nullable_date = json!({ "type": ["string", "null"] });
    json!({
        "Qbr": object(&["account", "quarter", "complete", "figures", "key_numbers", "summary", "trend", "cuts", "initiatives", "next_steps", "audience"], json!({
            "account": { "type": "object" }, "quarter": { "type": "string" }, "as_of": nullable_date, "complete": { "type": "boolean" },
            "figures": { "type": "object", "description": "the quarter's figures; null is a hidden cell in the client's version" },
            "key_numbers": { "type": "array", "items": { "type": "object" } },
            "summary": { "type": "array", "items": { "type": "string" } },
            "trend": { "type": "array" }, "cuts": { "type": "array" }, "initiatives": { "type": "array" },
            "next_steps": { "type": "array", "items": { "type": "string" } },
            "audience": { "type": "object" },
            "internal": { "type": ["object", "null"], "description": "health and the commercial position; null in the client's version" }
        })),
        "StoredReport": object(&["id", "account", "quarter", "version", "generated_at"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "quarter": { "type": "string" },
            "version": { "type": "integer", "minimum": 1 }, "ledger_version": { "type": ["integer", "null"] },
            "data_as_of": nullable_date, "digest": { "type": "string", "description": "BLAKE3 of the PDF and the CSV; not in a client's listing, nor who generated it from which ledger version" },
            "generated_by": { "type": ["string", "null"] }, "generated_at": { "type": "string", "format": "date-time" },
            "published_by": { "type": ["string", "null"] },
            "published_at": { "type": ["string", "null"], "format": "date-time" }
        }))
    })
}

/// A success plan's shapes.
fn success_plans(day: &Value, version: &Value) -> Value {
    json!({
        "Objective": object(&["id", "account", "title", "metric", "target", "agreed_on", "target_date", "closed", "progress", "tasks", "version"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "title": { "type": "string" },
            "metric": { "enum": TargetMetric::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>() },
            "target": { "type": "number", "description": "a fraction for the rates, a score for NPS" },
            "agreed_on": { "type": "string" }, "target_date": { "type": "string" }, "closed": { "type": "boolean" },
            "created_by": { "type": ["string", "null"] }, "version": { "type": "integer" },
            "progress": object(&["status"], json!({
                "status": { "enum": ObjectiveStatus::ALL.iter().map(|s| s.as_str()).collect::<Vec<_>>(), "description": "after the target date: achieved or missed on the last month measured by then; before it: met, or on or off track by the last three months' trend" },
                "baseline": { "type": ["number", "null"], "description": "the metric when it was agreed" },
                "latest": { "type": ["array", "null"], "description": "[month, value]: the last month measured (by the target date once it has passed)" },
                "projected": { "type": ["number", "null"], "description": "the last three months' trend carried to the target month" }
            })),
            "tasks": { "type": "array", "items": { "$ref": "#/components/schemas/Task" } }
        })),
        "ObjectiveInput": object(&["title", "metric", "target", "target_date"], json!({
            "title": text(TextKind::Title, true),
            "metric": { "enum": TargetMetric::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>() },
            "target": { "type": "number", "description": "a fraction 0–1 for the rates, a score −100..100 for NPS" },
            "target_date": day, "agreed_on": or_null(day)
        })),
        "ObjectiveChange": object(&["version"], json!({
            "version": version, "title": or_null(&text(TextKind::Title, true)),
            "target": { "type": ["number", "null"] }, "target_date": or_null(day), "closed": { "type": ["boolean", "null"] }
        }))
    })
}

/// The shapes the API speaks, by name.
fn schemas() -> Value {
    let rate = json!({ "type": ["number", "null"], "minimum": 0, "maximum": 1, "description": "a fraction; null when the denominator is zero" });
    let month = json!({ "type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$" });
    let count = json!({ "type": "integer", "minimum": 0 });
    let version = json!({ "type": "integer", "minimum": 1, "maximum": MAX_SAFE, "description": "the version last read; a stale one gets 409" });
    let pattern = |schema: super::Schema| match schema {
        super::Schema::Pattern(p) => p,
        _ => "",
    };
    let day = json!({ "type": "string", "pattern": pattern(super::DATE) });
    let email = json!({ "type": "string", "pattern": pattern(super::EMAIL), "maxLength": 254 });
    let slug = slug();
    let client_count = json!({
        "type": ["integer", "null"], "minimum": 0, "multipleOf": 5,
        "description": "null when hidden (fewer than the threshold, or it would reveal such a count); else rounded up to a multiple of 5"
    });
    let mut all = json!({
        "Error": object(&["error"], json!({ "error": object(&["code", "message"], json!({
            "code": { "type": "string" }, "message": { "type": "string" },
            "fields": { "type": "object", "additionalProperties": { "type": "string" } },
            "current": { "description": "the record as it is now (409 only)" }
        })) })),
        "AccountRow": object(&["slug", "name", "segment", "status"], json!({
            "slug": { "type": "string" }, "name": { "type": "string" },
            "segment": { "enum": ["mid_market", "large_enterprise"] },
            "status": { "enum": ["prospect", "implementing", "live", "churned"] },
            "owner": nullable("string"),
            "health": { "oneOf": [{ "type": "null" }, object(&["score", "band", "insufficient_data"], json!({ "score": { "type": "integer" }, "band": { "enum": ["red", "yellow", "green"] }, "change": nullable("number"), "insufficient_data": { "type": "boolean", "description": "some measures had no data; the score uses the others" } }))] },
            "eligible_lives": nullable("integer"), "enrolled_members": nullable("integer"),
            "enrollment_rate": rate, "utilization_rate": rate, "nps": nullable("number"), "nps_responses": count,
            "arr": nullable("number"), "renewal_date": nullable("string"), "days_to_notice_deadline": nullable("integer")
        })),
        "AccountDetail": object(&["slug", "name"], json!({
            "slug": { "type": "string" }, "name": { "type": "string" }, "segment": { "type": "string" },
            "industry": { "type": "string" }, "status": { "type": "string" }, "owner": nullable("string"),
            "worksites": { "type": "array", "items": object(&["name", "metro"], json!({ "name": { "type": "string" }, "metro": { "type": "string" } })) },
            "health": { "description": "score, band, insufficient_data and drivers (internal readers)" },
            "arr": { "type": ["number", "null"], "description": "this month's bill × 12 under the term in force (internal readers)" }, "contract": { "description": "the contract up for renewal (internal readers)" },
            "latest_metrics": { "$ref": "#/components/schemas/MonthMetrics" }, "version": { "type": "integer" }
        })),
        "MonthMetrics": object(&["month"], json!({
            "month": month, "metro": nullable("string"), "worksite": nullable("string"),
            "eligible_lives": count, "eligible_employees": count, "enrolled_members": count, "enrollment_rate": rate,
            "new_enrollments": count, "visits_in_office": count, "visits_video": count, "visits_remote_other": count,
            "active_members_12m": count, "utilization_rate": rate, "visits_12m": count, "visits_per_1000": nullable("number"),
            "virtual_share": rate, "nps": nullable("number"), "nps_responses": count, "unmatched_visits": nullable("integer"),
            "partial": { "type": "boolean", "description": "the month ends after the date the data are as of: the month to date" }
        })),
        "ClientMonth": object(&["month", "eligible_lives", "enrolled_members", "enrollment_rate"], json!({
            "month": month,
            "eligible_lives": client_count, "enrolled_members": client_count, "enrollment_rate": rate,
            "quarter": { "$ref": "#/components/schemas/ClientQuarter" }
        })),
        "ClientQuarter": object(&["quarter"], json!({
            "quarter": { "type": "string", "pattern": "^[0-9]{4}-Q[1-4]$" },
            "active_members_12m": client_count, "utilization_rate": rate,
            "visits_in_office": client_count, "visits_video": client_count, "visits_remote_other": client_count,
            "visits_per_1000": nullable("number"), "nps": nullable("number"), "nps_responses": client_count
        })),
        "HealthMonth": object(&["month", "score", "band", "insufficient_data", "drivers"], json!({
            "month": month, "score": { "type": "number" }, "band": { "enum": ["red", "yellow", "green"] },
            "insufficient_data": { "type": "boolean" },
            "drivers": { "type": "array", "items": object(&["measure", "value", "measure_score", "weight", "points_lost"], json!({
                "measure": { "type": "string" }, "value": { "type": "number" }, "measure_score": { "type": "number" },
                "weight": { "type": "number" }, "points_lost": { "type": "number" }
            })) }
        })),
        "Contact": object(&["id", "account", "name", "role", "influence", "sentiment", "version"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" }, "name": { "type": "string" }, "title": { "type": "string" },
            "email": nullable("string"), "phone": nullable("string"), "role": { "type": "string" },
            "influence": { "type": "integer" }, "sentiment": { "type": "integer" }, "last_touch": nullable("string"), "version": { "type": "integer" }
        })),
        "Activity": object(&["id", "account", "kind", "occurred_at", "summary", "contact_ids", "version"], json!({
            "id": { "type": "integer" }, "account": { "type": "string" },
            "kind": { "enum": ["meeting", "call", "email", "note", "qbr", "onsite"] },
            "occurred_at": { "type": "string", "format": "date-time" }, "author": nullable("string"), "summary": { "type": "string" },
            "contact_ids": { "type": "array", "items": { "type": "integer" } }, "version": { "type": "integer" }
        })),
        "NewActivity": object(&["kind", "summary"], json!({
            "kind": { "enum": ActivityKind::ALL.iter().map(|k| k.as_str()).collect::<Vec<_>>() }, "occurred_on": or_null(&day),
            "summary": text(TextKind::Summary, true),
            "contact_ids": { "type": "array", "items": { "type": "integer", "minimum": 1, "maximum": MAX_SAFE } }
        })),
        "Task": object(&["id", "title", "status", "priority", "escalation", "source", "version"], json!({
            "id": { "type": "integer" }, "account": nullable("string"), "title": { "type": "string" }, "detail": { "type": "string" },
            "owner": nullable("string"), "department": nullable("string"), "due_date": nullable("string"),
            "status": { "enum": ["open", "done", "dismissed"] }, "priority": { "enum": ["low", "normal", "high", "urgent"] },
            "escalation": { "type": "boolean" }, "for_renewal": { "type": "boolean" }, "source": { "enum": ["manual", "playbook", "project"] },
            "source_key": nullable("string"), "closed_at": nullable("string"), "snoozed_until": nullable("string"), "version": { "type": "integer" },
            "objective": { "type": ["integer", "null"], "description": "the success-plan objective it serves" }
        })),
        "NewTask": object(&["account", "title"], json!({
            "account": slug, "title": text(TextKind::Title, true), "detail": text(TextKind::Summary, false),
            "owner": or_null(&email), "due_date": or_null(&day),
            "for_renewal": { "type": ["boolean", "null"], "description": "the task serves the account's renewal and takes its deadlines in the work queue; null: false" },
            "objective": { "type": ["integer", "null"], "minimum": 1, "maximum": MAX_SAFE, "description": "a success-plan objective of the account that the task serves" },
            "priority": { "enum": Priority::ALL.iter().map(|p| Some(p.as_str())).chain([Some(""), None]).collect::<Vec<_>>(), "description": "empty or null: normal" }
        })),
        "TaskVersion": object(&["version"], json!({ "version": version })),
        "TaskSnooze": object(&["version", "until"], json!({ "version": version, "until": day })),
        "TaskReassign": object(&["version", "owner"], json!({ "version": version, "owner": email, "note": or_null(&text(TextKind::Summary, false)) })),
        "WorkRow": object(&["rank", "band", "task", "task_id", "reason", "score", "parts"], json!({
            "rank": { "type": "integer" },
            "band": { "enum": Band::ALL.iter().map(|b| b.as_str()).collect::<Vec<_>>(), "description": "bands come first (overdue, renewal_deadline, upcoming); the score orders within one" },
            "task": { "type": "string", "description": "the task's title, or a renewal deadline's" },
            "task_id": { "type": ["integer", "null"], "description": "null: a renewal deadline no open task serves" },
            "account": nullable("string"), "due": nullable("string"), "reason": { "type": "string" }, "score": { "type": "number" },
            "parts": { "type": "array", "items": object(&["part", "points"], json!({ "part": { "type": "string" }, "points": { "type": "number" } })) }
        })),
        "RowError": object(&["line", "code", "message"], json!({
            "line": { "type": "integer", "description": "the line (segment for X12); 0 for the file as a whole" },
            "code": { "type": "string", "description": "the reason's stable code (docs/IMPORTS.md, Reasons)" },
            "message": { "type": "string", "description": "the reason in words; never a value from the file" }
        })),
        "ImportBatch": object(&["id", "kind", "format", "file_name", "content_hash", "rows_read", "rows_accepted", "rows_rejected", "status", "errors", "options", "details"], json!({
            "id": { "type": "integer" }, "kind": { "type": "string" }, "format": { "type": "string" }, "file_name": { "type": "string" },
            "content_hash": { "type": "string" }, "account": nullable("string"),
            "rows_read": count, "rows_accepted": count, "rows_rejected": count,
            "status": { "enum": ["applied", "refused", "duplicate"] },
            "errors": { "type": "array", "items": { "$ref": "#/components/schemas/RowError" } },
            "options": { "type": "string", "description": "the options that change what the file means, name=value;…" },
            "details": object(&[], json!({
                "standard": { "type": "string", "description": "the standard and version the file declared" },
                "member_ids": { "type": "object", "additionalProperties": count, "description": "834 member ids by how they were formed" },
                "ignored": { "type": "object", "additionalProperties": count, "description": "rows read that carry nothing for Steward, by type" },
                "warnings": { "type": "array", "items": { "$ref": "#/components/schemas/RowError" } }
            })),
            "created_by": nullable("string"), "created_at": { "type": "string", "format": "date-time" }
        })),
        "File": { "type": "string", "contentMediaType": "application/octet-stream" },
        "OpenApi": { "type": "object" }
    });
    for more in [
        commercial(&day, &version, &month, &count),
        success_plans(&day, &version),
        initiatives(&day),
        experiments(&day),
        reports(),
        portfolio(&day, &month, &count),
    ] {
        if let (Some(all), Value::Object(more)) = (all.as_object_mut(), more) {
            all.extend(more);
        }
    }
    all
}

/// A query parameter's JSON Schema, from what its handler accepts.
fn param_schema(p: &Param) -> Value {
    match p.schema {
        Schema::Text => json!({ "type": "string" }),
        Schema::Words(words) => {
            let mut allowed: Vec<&str> = words.to_vec();
            if !p.required {
                allowed.push("");
            }
            json!({ "type": "string", "enum": allowed })
        }
        Schema::Integer { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        Schema::Boolean => json!({ "type": "boolean" }),
        Schema::Pattern(pattern) => json!({ "type": "string", "pattern": pattern }),
        Schema::Slug if p.required => slug(),
        Schema::Slug => json!({ "anyOf": [slug(), { "const": "" }] }),
    }
}

fn error_response(description: &str) -> Value {
    json!({ "description": description, "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } })
}

pub fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for e in ENDPOINTS {
        let mut parameters: Vec<Value> = e
            .path
            .split('/')
            .filter_map(|part| part.strip_prefix('{').and_then(|p| p.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": if name == "id" { "integer" } else { "string" } } }))
            .collect();
        parameters.extend(e.query.iter().map(|p| {
            json!({ "name": p.name, "in": "query", "required": p.required, "description": p.description, "schema": param_schema(p) })
        }));
        let schema = json!({ "$ref": format!("#/components/schemas/{}", e.response) });
        let body = if e.paged {
            json!({ "type": "object", "required": ["items", "page", "per_page", "total"], "properties": {
                "items": { "type": "array", "items": schema }, "page": { "type": "integer" },
                "per_page": { "type": "integer" }, "total": { "type": "integer" } } })
        } else {
            schema
        };
        let status = if e.created { "201" } else { "200" };
        let mut op = json!({
            "operationId": e.operation_id,
            "summary": e.summary,
            "description": format!("Who may call it: {}.", e.roles),
            "parameters": parameters,
            "responses": {
                status: { "description": "success", "content": { "application/json": { "schema": body } } },
                "401": error_response("no valid bearer token"),
                "403": error_response("the caller's role may not do this"),
                "404": error_response("not found, or not visible to the caller"),
                "422": error_response("invalid input; `fields` says what is wrong"),
            },
        });
        if e.operation_id == "getOpenApi" {
            op["security"] = json!([]);
        }
        if let Some(b) = e.body {
            let media = if b == "File" { "application/octet-stream" } else { "application/json" };
            op["requestBody"] = json!({ "required": true, "content": { media: { "schema": { "$ref": format!("#/components/schemas/{b}") } } } });
        }
        match e.body {
            Some(b) if b.starts_with("Task") && b != "Task" => {
                op["responses"]["409"] = error_response("the task changed meanwhile; `current` holds it as it is now");
            }
            Some("ContractAmend") => {
                op["responses"]["409"] = error_response("the contract changed meanwhile (a stale `version`)");
            }
            Some("QuoteStep") => {
                op["responses"]["409"] = error_response("the quote changed meanwhile (a stale `version`)");
            }
            Some("QuoteScenario") if e.operation_id == "reviseQuote" => {
                op["responses"]["409"] = error_response("the quote changed meanwhile (a stale `version`)");
            }
            Some("ProjectTaskProgress") => {
                op["responses"]["409"] = error_response("the task changed meanwhile (a stale `version`)");
            }
            Some("ObjectiveChange") => {
                op["responses"]["409"] = error_response("the objective changed meanwhile (a stale `version`)");
            }
            Some("ContactRetire") => {
                op["responses"]["409"] = error_response("the stakeholder changed meanwhile (a stale `version`)");
            }
            Some("ContactInput") if e.operation_id == "editContact" => {
                op["responses"]["409"] = error_response("the stakeholder changed meanwhile (a stale `version`)");
            }
            Some("OpportunityMove" | "OpportunityEdit") => {
                op["responses"]["409"] = error_response("the opportunity changed meanwhile (a stale `version`)");
            }
            _ => {}
        }
        let entry = paths.entry(e.path.to_owned()).or_insert_with(|| json!({}));
        entry[e.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Steward API",
            "version": "1",
            "description": "Accounts, program metrics, health, tasks, activities, contacts, imports and the work queue. Names, units and rates follow DOMAIN.md: months YYYY-MM, dates YYYY-MM-DD, money in dollars, rates as fractions. Lists are paged; writes name the version they read.",
        },
        "servers": [{ "url": "/api/v1" }],
        "security": [{ "bearer": [] }],
        "paths": paths,
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer", "description": "a token from the API tokens page or `steward tokens create`" } },
            "schemas": schemas(),
        },
    })
}

pub async fn document() -> Json<Value> {
    Json(build())
}
