//! Imports: the history of batches, uploading a file for an account, and one batch's
//! result with its row errors.

use super::render;
use crate::app::App;
use crate::auth::Viewer;
use crate::authz::{self, AccountAccess, Capability};
use crate::error::{PageResult, WebError};
use crate::upload::{self, KINDS, MAX_UPLOAD_BYTES, Upload};
use crate::views::{thousands, words};
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect};
use minijinja::{Value, context};
use std::collections::BTreeMap;
use steward_domain::{ImportBatch, ImportKind, Slug};

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
    let (batches, accounts) = app
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
            Ok((batches, accounts))
        })
        .await?;
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    let page = context! {
        batches => batches.iter().map(batch_row).collect::<Vec<_>>(),
        accounts => accounts.into_iter().map(|(slug, name)| context! { slug, name }).collect::<Vec<_>>(),
        kinds => KINDS.iter().map(|k| context! { value => k.as_str(), label => words(k.as_str()) }).collect::<Vec<_>>(),
        values => values,
        errors => errors,
        max_mb => MAX_UPLOAD_BYTES / (1024 * 1024),
    };
    let mut response = render("imports.html", viewer, "/imports", "Imports", page)?;
    *response.status_mut() = status;
    Ok(response)
}

pub async fn list(State(app): State<App>, viewer: Viewer, Query(q): Query<ListQuery>) -> PageResult {
    show(&app, &viewer, q.account, BTreeMap::new(), BTreeMap::new()).await
}

/// Reads the multipart form; the file is held in memory up to the upload limit. The form
/// puts its CSRF token first, so a forged upload is refused before its file is read.
async fn read_form(
    viewer: &Viewer,
    mut form: Multipart,
) -> Result<(BTreeMap<String, String>, Option<(String, axum::body::Bytes)>), WebError> {
    let cut_short =
        |e: axum::extract::multipart::MultipartError| WebError::invalid(format!("the upload was cut short: {e}"));
    let mut fields = BTreeMap::new();
    let mut file = None;
    let mut checked = false;
    while let Some(field) = form.next_field().await.map_err(cut_short)? {
        let name = field.name().unwrap_or_default().to_owned();
        if name != "csrf" && !checked {
            return Err(WebError::Csrf);
        }
        if name == "file" {
            let file_name = field.file_name().unwrap_or("upload").to_owned();
            file = Some((file_name, field.bytes().await.map_err(cut_short)?));
        } else {
            let text = field.text().await.map_err(cut_short)?;
            if name == "csrf" {
                viewer.check_csrf(&text)?;
                checked = true;
            }
            fields.insert(name, text);
        }
    }
    if !checked {
        return Err(WebError::Csrf);
    }
    Ok((fields, file))
}

pub async fn upload(State(app): State<App>, viewer: Viewer, form: Multipart) -> PageResult {
    authz::check(&viewer.user, Capability::Imports)?;
    let (fields, file) = read_form(&viewer, form).await?;
    let mut errors = crate::forms::FieldErrors::default();
    let account = errors.text("account", fields.get("account").map(String::as_str).unwrap_or_default(), "An account");
    let kind: Option<ImportKind> =
        errors.parse("kind", fields.get("kind").map(String::as_str).unwrap_or_default(), "kind of file");
    let as_of = errors.date("as_of", fields.get("as_of").map(String::as_str).unwrap_or_default());
    if kind.is_none() {
        errors.add("kind", "choose what the file holds");
    }
    let file = match file {
        Some((name, bytes)) if !bytes.is_empty() => Some((name, bytes)),
        _ => {
            errors.add("file", "choose a file to upload");
            None
        }
    };
    let mut values = fields.clone();
    values.remove("csrf");
    let (Some(kind), Some((file_name, bytes)), true) = (kind, file, errors.0.is_empty()) else {
        return show(&app, &viewer, None, values, errors.0).await;
    };
    let request = Upload {
        account,
        kind,
        file_name,
        bytes,
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
    render("import.html", &viewer, "/imports", &format!("Import {}", batch.id), batch_row(&batch))
}
