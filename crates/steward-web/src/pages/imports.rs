//! Imports: the history of batches, uploading a file for an account, and one batch's
//! result with its row errors.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess, Capability};
use crate::error::{PageResult, WebError};
use crate::extract::page::{Path, Query};
use crate::upload::{self, KINDS, Upload};
use crate::views::{thousands, words};
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::{ImportBatch, Slug};

pub fn batch_row(b: &ImportBatch) -> Value {
    context! {
        id => b.id,
        when => b.created_at.format("%Y-%m-%d %H:%M").to_string(),
        kind => words(b.kind.as_str()),
        format => b.format,
        file_name => b.file_name,
        account => b.account.as_ref().map(|s| s.as_str()),
        read => thousands(b.rows_read),
        accepted => thousands(b.rows_accepted),
        rejected => thousands(b.rows_rejected),
        status => b.status.as_str(),
        by => b.created_by.as_ref().map(|e| e.as_str()),
        unit => crate::views::words(b.position_unit()),
        errors => b.errors.iter().map(row_error).collect::<Vec<_>>(),
        warnings => b.details.warnings.iter().map(row_error).collect::<Vec<_>>(),
        standard => b.details.standard,
        ignored => counts(&b.details.ignored),
        ignored_total => thousands(b.details.ignored.values().sum::<u64>() as i64),
        member_ids => counts(&b.details.member_ids.iter().map(|(k, n)| {
            (steward_ingest::reason::IdMethod::label_of(k).unwrap_or(k).to_owned(), *n)
        }).collect()),
        options => (!b.options.is_empty()).then(|| b.options.replace(';', " · ")),
    }
}

/// What happened to the file, in one plain sentence, and how it should look: most rows
/// failing is never shown as a success.
fn outcome(b: &ImportBatch) -> (&'static str, &'static str, String) {
    use steward_domain::ImportStatus;
    let (read, accepted, rejected) = (b.rows_read, b.rows_accepted, b.rows_rejected);
    match b.status {
        ImportStatus::Refused => ("refused", "Refused", "Nothing in this file was applied.".into()),
        ImportStatus::Duplicate => {
            ("duplicate", "Already imported", "The same content was imported before: nothing changed.".into())
        }
        ImportStatus::Applied if rejected == 0 => {
            ("applied", "Applied", format!("All {} rows are in, and the metrics are up to date.", thousands(accepted)))
        }
        ImportStatus::Applied if accepted < rejected => (
            "failed-mostly",
            "Most rows failed",
            format!(
                "Only {} of {} rows ({:.0}%) were applied; the people on the other rows were left as they were. \
                 Fix the errors below and send the file again.",
                thousands(accepted),
                thousands(read),
                100.0 * accepted as f64 / read.max(1) as f64
            ),
        ),
        ImportStatus::Applied => (
            "applied-with-errors",
            "Applied with errors",
            format!(
                "{} of {} rows were applied; {} rejected, and {} left as they were.",
                thousands(accepted),
                thousands(read),
                thousands(rejected),
                if rejected == 1 { "its person" } else { "their people" }
            ),
        ),
    }
}

/// What someone can do about a reason, in the web's words.
fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "bad_date" => {
            "Check the date with the sender. If they write dates another way throughout, read the file with a column mapping that has their date format."
        }
        "missing_column" => {
            "Choose the employer's saved column mapping below, or ask the data team to save one for this layout."
        }
        "wrong_width" => {
            "The row has more or fewer fields than the header — often a comma inside a field that is not quoted."
        }
        "unknown_value" => "The value is not one Steward knows; the file's specification lists the allowed values.",
        "end_before_start" => "The end date is before the start date: the sender should check the row.",
        "duplicate_member" => {
            "The same person appears twice for overlapping dates: the sender should send one row per coverage span."
        }
        "termination_guard" => {
            "If the employer confirms these terminations, upload the file again with “Apply even if it ends more than 20% of eligibility” ticked."
        }
        "value_ignored" => "The row was kept without that detail; ask the sender to fix it in the next file.",
        "optional_column_missing" => "Ask the sender to include the column in the next file.",
        _ => return None,
    })
}

/// Kept row errors grouped by what is wrong: one line a reason, with how many rows it hit
/// (every one, counted, where only the first hundred are kept in full), some of their
/// lines, and a hint.
pub(super) fn grouped(errors: &[steward_domain::RowError], by_reason: &BTreeMap<String, u64>) -> Vec<Value> {
    let mut groups: Vec<(&str, &str, Vec<u64>)> = Vec::new();
    for e in errors {
        match groups.iter_mut().find(|(c, m, _)| *c == e.code && *m == e.message) {
            Some((_, _, lines)) => lines.push(e.line),
            None => groups.push((&e.code, &e.message, vec![e.line])),
        }
    }
    groups
        .iter()
        .enumerate()
        .map(|(i, (code, message, lines))| {
            let whole_file = lines.iter().all(|l| *l == 0);
            let shown: Vec<String> = lines.iter().filter(|l| **l > 0).take(8).map(|l| thousands(*l as i64)).collect();
            let more = if whole_file { 0 } else { lines.len() - shown.len() };
            // Rows of this kind beyond the ones kept in full are counted, not listed: said
            // once, after the last group of the kind (their messages may differ).
            let last_of_kind = !groups[i + 1..].iter().any(|(c, _, _)| c == code);
            let kept: usize = groups.iter().filter(|(c, _, _)| c == code).map(|(_, _, l)| l.len()).sum();
            let unlisted = by_reason.get(*code).map_or(0, |n| n.saturating_sub(kept as u64));
            context! {
                code, message, whole_file,
                rows => thousands(lines.len() as i64),
                many => lines.len() > 1,
                lines => shown.join(", "),
                more => (more > 0).then(|| thousands(more as i64)),
                unlisted => (last_of_kind && unlisted > 0).then(|| thousands(unlisted as i64)),
                hint => hint(code),
            }
        })
        .collect()
}

fn row_error(e: &steward_domain::RowError) -> Value {
    context! { line => e.line, code => e.code, message => e.message }
}

/// "Location 12 · Organization 3", with its counts grouped.
fn counts(m: &BTreeMap<String, u64>) -> Option<String> {
    let parts: Vec<String> = m.iter().map(|(k, n)| format!("{k}: {}", thousands(*n as i64))).collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    account: Option<String>,
}

async fn show(
    app: &App,
    viewer: &Viewer,
    account: Option<String>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> PageResult {
    authz::check(&viewer.user, Capability::Imports)?;
    let user = viewer.user.clone();
    let (batches, accounts, mappings) = app
        .run(move |store| {
            let filter = account.as_deref().filter(|a| !a.is_empty()).map(Slug::parse).transpose()?;
            let batches: Vec<ImportBatch> = store.imports(filter.as_ref())?.into_iter().take(100).collect();
            // Upload is offered for the accounts the user may write.
            let accounts: Vec<(String, String)> = store
                .accounts()?
                .into_iter()
                .filter(|a| authz::account_access(&user, a, false).allows(AccountAccess::Write))
                .map(|a| (a.slug.to_string(), a.name))
                .collect();
            let mappings: Vec<(String, String)> = store
                .column_mappings()?
                .into_iter()
                .filter_map(|(slug, name)| {
                    accounts.iter().find(|(s, _)| *s == slug.as_str()).map(|(_, account)| (name, account.clone()))
                })
                .collect();
            Ok((batches, accounts, mappings))
        })
        .await?;
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    let page = context! {
        batches => batches.iter().map(batch_row).collect::<Vec<_>>(),
        accounts => accounts.into_iter().map(|(slug, name)| context! { slug, name }).collect::<Vec<_>>(),
        kinds => KINDS.iter().map(|k| context! { value => k.as_str(), label => words(k.as_str()) }).collect::<Vec<_>>(),
        mappings => mappings.into_iter().map(|(name, account)| context! { name, account }).collect::<Vec<_>>(),
        values => values,
        errors => errors,
        max_mb => app.config().upload_limit_bytes / (1024 * 1024),
    };
    let mut response = render("imports.html", viewer, "/imports", "Imports", page)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn list(State(app): State<App>, viewer: Viewer, Query(q): Query<ListQuery>) -> PageResult {
    show(&app, &viewer, q.account, BTreeMap::new(), BTreeMap::new()).await
}

/// The upload form as read: its small fields, the file if one could be taken, and what was
/// wrong with the fields.
struct UploadForm {
    fields: BTreeMap<String, String>,
    file: Option<(upload::Authorized, upload::Received)>,
    errors: crate::forms::FieldErrors,
}

/// The form's fields other than the file are short; more or longer is not our form.
const MAX_FIELDS: usize = 16;
const MAX_FIELD_BYTES: usize = 4096;

fn multipart_error(e: axum::extract::multipart::MultipartError) -> WebError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        WebError::TooLarge
    } else {
        WebError::invalid(format!("the upload was cut short: {}", e.body_text()))
    }
}

async fn small_text(mut field: axum::extract::multipart::Field<'_>) -> Result<String, WebError> {
    let mut bytes = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
        bytes.extend_from_slice(&chunk);
        if bytes.len() > MAX_FIELD_BYTES {
            return Err(WebError::invalid("a field of the upload form is longer than the form allows"));
        }
    }
    String::from_utf8(bytes).map_err(|_| WebError::invalid("a field of the upload form is not text"))
}

/// Reads the multipart form in its order: the CSRF token first, so a forged upload is
/// refused before anything else is read; then the account and kind, so the caller is
/// authorized for the account before a byte of the file is read; the file itself goes
/// straight to disk, never past the upload limit.
async fn read_form(app: &App, viewer: &Viewer, mut form: Multipart) -> Result<UploadForm, WebError> {
    let mut fields = BTreeMap::new();
    let mut errors = crate::forms::FieldErrors::default();
    let mut file = None;
    let mut checked = false;
    let mut file_parts = 0;
    while let Some(mut field) = form.next_field().await.map_err(multipart_error)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "csrf" && !checked {
            return Err(WebError::Csrf);
        }
        if fields.len() >= MAX_FIELDS {
            return Err(WebError::invalid("the upload form has more fields than it should"));
        }
        if name == "file" {
            file_parts += 1;
            if file_parts > 1 {
                return Err(WebError::invalid("the upload form carries one file"));
            }
        }
        if name != "file" {
            let text = small_text(field).await?;
            if name == "csrf" {
                viewer.check_csrf(&text)?;
                checked = true;
            }
            fields.insert(name, text);
            continue;
        }
        let account = fields.get("account").map(String::as_str).unwrap_or_default();
        let kind = upload::kind(fields.get("kind").map(String::as_str).unwrap_or_default());
        if account.trim().is_empty() || kind.is_err() {
            // The file is not read: the form comes back to say what to choose.
            if account.trim().is_empty() {
                errors.add("account", "An account is required");
            }
            if kind.is_err() {
                errors.add("kind", "choose what the file holds");
            }
            continue;
        }
        let authorized = upload::authorize(app, &viewer.user, account).await?;
        let mut spool = upload::Spool::create(app, field.file_name().unwrap_or("upload")).await?;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            spool.write(&chunk).await?;
        }
        match spool.finish().await {
            Ok(received) => file = Some((authorized, received)),
            Err(WebError::Invalid { fields, .. }) => fields.into_iter().for_each(|(k, v)| errors.add(&k, v)),
            Err(e) => return Err(e),
        }
    }
    if !checked {
        return Err(WebError::Csrf);
    }
    if file.is_none() {
        errors.add("file", "choose a file to upload");
    }
    Ok(UploadForm { fields, file, errors })
}

pub async fn upload(
    State(app): State<App>,
    viewer: Viewer,
    headers: axum::http::HeaderMap,
    form: Result<Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    authz::check(&viewer.user, Capability::Imports)?;
    upload::check_declared_length(&app, &headers)?;
    let form =
        form.map_err(|e| WebError::invalid(format!("the upload is not a form with a file: {}", e.body_text())))?;
    let UploadForm { fields, file, mut errors } = read_form(&app, &viewer, form).await?;
    let kind = upload::kind(fields.get("kind").map(String::as_str).unwrap_or_default()).ok();
    let as_of = errors.date("as_of", fields.get("as_of").map(String::as_str).unwrap_or_default());
    let mut values = fields.clone();
    values.remove("csrf");
    let (Some(kind), Some((account, file)), true) = (kind, file, errors.0.is_empty()) else {
        return show(&app, &viewer, None, values, errors.0).await;
    };
    let request = Upload {
        account,
        kind,
        file,
        as_of,
        force: fields.get("force").is_some_and(|v| v == "on" || v == "true"),
        mapping: fields.get("mapping").map(|m| m.trim().to_owned()).filter(|m| !m.is_empty()),
    };
    match upload::import(&app, &viewer.user, request).await {
        Ok(batch) => Ok(Redirect::to(&format!("/imports/{}", batch.id)).into_response()),
        Err(WebError::Invalid { message, mut fields }) => {
            if fields.is_empty() {
                fields.insert("file".into(), message);
            }
            show(&app, &viewer, None, values, fields).await
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn batch(State(app): State<App>, viewer: Viewer, Path(id): Path<i64>) -> PageResult {
    authz::check(&viewer.user, Capability::Imports)?;
    let batch = app.run(move |store| Ok(store.import_batch(id)?)).await?;
    let (tone, headline, sentence) = outcome(&batch);
    let page = context! {
        tone, headline, sentence,
        error_groups => grouped(&batch.errors, &batch.details.by_reason),
        warning_groups => grouped(&batch.details.warnings, &batch.details.by_reason),
        ..batch_row(&batch)
    };
    render("import.html", &viewer, "/imports", &format!("Import {}: {}", batch.id, batch.file_name), page)
}
