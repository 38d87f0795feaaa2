//! Importing an uploaded file — for the imports page and `POST /api/v1/imports` alike:
//! the bytes go to a private temporary file, through the same pipeline as
//! `steward import`, and the playbooks run on what it brought.

use crate::app::App;
use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use chrono::NaiveDate;
use std::io::Write;
use steward_domain::{ImportBatch, ImportKind, ImportStatus, User};
use steward_ingest::{ImportError, ImportOptions, MappingName};

/// The largest file accepted over HTTP; bigger feeds go through `steward import`.
pub const MAX_UPLOAD_BYTES: usize = 256 * 1024 * 1024;

#[derive(Debug)]
pub struct Upload {
    pub account: String,
    pub kind: ImportKind,
    pub file_name: String,
    pub bytes: axum::body::Bytes,
    pub as_of: Option<NaiveDate>,
    pub force: bool,
    /// A saved column mapping of the account, by name (census files).
    pub mapping: Option<String>,
}

/// Kinds a person uploads for one account (CSAT is entered, not uploaded).
pub const KINDS: [ImportKind; 4] =
    [ImportKind::Eligibility, ImportKind::Memberships, ImportKind::Visits, ImportKind::Surveys];

/// Imports the upload as one batch; a refused file is recorded and returned like any other
/// batch (its status says so), so the page can show why.
pub async fn import(app: &App, user: &User, upload: Upload) -> Result<ImportBatch, WebError> {
    if upload.bytes.is_empty() {
        return Err(WebError::field("file", "choose a file to upload (this one is empty)"));
    }
    let mapping = match upload.mapping.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(name) => Some(MappingName::parse(name).map_err(|e| WebError::field("mapping", e))?),
        None => None,
    };
    // Only the last path component, and only characters safe in a file name.
    let file_name: String = upload
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .collect();
    let file_name = if file_name.trim_matches('.').is_empty() { "upload".to_owned() } else { file_name };
    let (user, app2) = (user.clone(), app.clone());
    let batch = app
        .run(move |store| {
            let app = app2;
            let (account, _) = authz::load_account(store, &user, &upload.account, AccountAccess::Write)?;
            let config = app.config();
            std::fs::create_dir_all(&config.upload_dir)
                .map_err(|e| WebError::Internal(format!("cannot create {}: {e}", config.upload_dir.display())))?;
            let dir = tempfile::Builder::new()
                .prefix("upload-")
                .tempdir_in(&config.upload_dir)
                .map_err(|e| WebError::Internal(format!("cannot make an upload directory: {e}")))?;
            let path = dir.path().join(&file_name);
            std::fs::File::create(&path)
                .and_then(|mut f| f.write_all(&upload.bytes))
                .map_err(|e| WebError::Internal(format!("cannot keep the upload: {e}")))?;
            let today = app.today();
            let mut options = ImportOptions::new(upload.kind, today);
            options.account = Some(account.slug.clone());
            options.as_of = upload.as_of;
            options.force = upload.force;
            options.created_by = Some(user.email.clone());
            options.mapping = mapping;
            let batch = match steward_ingest::import_file(store, &config.member_keys, &path, &options, &|_, _| {}) {
                Ok(outcome) => outcome.batch,
                Err(ImportError::Refused { batch, .. }) => *batch,
                Err(ImportError::Store(e)) => return Err(e.into()),
                Err(ImportError::Io(e)) => return Err(WebError::Internal(e)),
            };
            if batch.status == ImportStatus::Applied {
                steward_health::run::run(
                    store,
                    &config.scorecard,
                    &config.playbooks,
                    today,
                    Some(&[account.slug]),
                    false,
                )?;
            }
            Ok(batch)
        })
        .await?;
    if let Some(account) = &batch.account {
        app.account_changed(account).await;
    }
    Ok(batch)
}
