//! Importing an uploaded file — for the imports page and `POST /api/v1/imports` alike.
//! Three steps, in an order that is the point: [`authorize`] the caller for the account
//! before a byte of the file is read; [`Spool`] the bytes to a private temporary file as
//! they arrive, refusing once past the limit, so an upload never sits in memory; then
//! [`import`] it through the same pipeline as `steward import`, and run the playbooks on
//! what it brought.

use crate::app::App;
use crate::authz::{self, AccountAccess, Capability};
use crate::error::WebError;
use chrono::NaiveDate;
use std::path::PathBuf;
use steward_domain::{ImportBatch, ImportKind, ImportStatus, Slug, User};
use steward_ingest::{ImportError, ImportOptions, MappingName};
use tokio::io::AsyncWriteExt;

/// The largest file accepted over HTTP unless configured otherwise; bigger feeds go
/// through `steward import`.
pub const DEFAULT_UPLOAD_LIMIT: u64 = 256 * 1024 * 1024;

/// Kinds a person uploads for one account (CSAT is entered, not uploaded).
pub const KINDS: [ImportKind; 4] =
    [ImportKind::Eligibility, ImportKind::Memberships, ImportKind::Visits, ImportKind::Surveys];

/// An account the caller may import into; only [`authorize`] makes one.
#[derive(Debug, Clone)]
pub struct Authorized(Slug);

/// Refuses unless `user` may import files into `account`, reading nothing of the upload.
pub async fn authorize(app: &App, user: &User, account: &str) -> Result<Authorized, WebError> {
    authz::check(user, Capability::Imports)?;
    let account = account.trim();
    if account.is_empty() {
        return Err(WebError::field("account", "choose the account the file is for"));
    }
    let (user, account) = (user.clone(), account.to_owned());
    let (account, _) = app.run(move |store| authz::load_account(store, &user, &account, AccountAccess::Write)).await?;
    Ok(Authorized(account.slug))
}

/// Refuses an upload whose declared length is past the limit, before reading it.
pub fn check_declared_length(app: &App, headers: &axum::http::HeaderMap) -> Result<(), WebError> {
    let declared = headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    // The page's form carries a few small fields beside the file.
    let slack = 64 * 1024;
    match declared {
        Some(n) if n > app.config().upload_limit_bytes + slack => Err(WebError::TooLarge),
        _ => Ok(()),
    }
}

/// An upload being written to its private temporary directory under the configured
/// upload directory; the directory goes when the spool (or the received file) is dropped.
#[derive(Debug)]
pub struct Spool {
    // The file closes before its directory goes (fields drop in order).
    file: tokio::fs::File,
    dir: tempfile::TempDir,
    path: PathBuf,
    written: u64,
    limit: u64,
}

impl Spool {
    pub async fn create(app: &App, file_name: &str) -> Result<Spool, WebError> {
        let upload_dir = app.config().upload_dir.clone();
        tokio::fs::create_dir_all(&upload_dir)
            .await
            .map_err(|e| WebError::Internal(format!("cannot create {}: {e}", upload_dir.display())))?;
        let dir = tempfile::Builder::new()
            .prefix("upload-")
            .tempdir_in(&upload_dir)
            .map_err(|e| WebError::Internal(format!("cannot make an upload directory: {e}")))?;
        let path = dir.path().join(safe_file_name(file_name));
        let file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| WebError::Internal(format!("cannot keep the upload: {e}")))?;
        Ok(Spool { file, dir, path, written: 0, limit: app.config().upload_limit_bytes })
    }

    /// Appends a chunk; past the limit the upload is refused (and its file removed on drop).
    pub async fn write(&mut self, chunk: &[u8]) -> Result<(), WebError> {
        self.written += chunk.len() as u64;
        if self.written > self.limit {
            return Err(WebError::TooLarge);
        }
        self.file.write_all(chunk).await.map_err(|e| WebError::Internal(format!("cannot keep the upload: {e}")))
    }

    pub async fn finish(mut self) -> Result<Received, WebError> {
        self.file.flush().await.map_err(|e| WebError::Internal(format!("cannot keep the upload: {e}")))?;
        if self.written == 0 {
            return Err(WebError::field("file", "choose a file to upload (this one is empty)"));
        }
        Ok(Received { _dir: self.dir, path: self.path })
    }
}

/// Removes uploads a crashed server left behind (member files must not linger); only those
/// an hour old, so another server's upload in flight on the same data dir stays.
pub fn sweep_leftovers(upload_dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(upload_dir) else { return };
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in entries.flatten() {
        let left = entry.file_name().to_string_lossy().starts_with("upload-")
            && entry.metadata().and_then(|m| m.modified()).is_ok_and(|t| t < hour_ago);
        if left && let Err(e) = std::fs::remove_dir_all(entry.path()) {
            tracing::warn!("cannot remove a leftover upload {}: {e}", entry.path().display());
        }
    }
}

/// A whole upload on disk.
#[derive(Debug)]
pub struct Received {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

/// Only the last path component, and only characters safe in a file name.
fn safe_file_name(given: &str) -> String {
    let name: String = given
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("upload")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' })
        .take(120)
        .collect();
    if name.trim_matches('.').is_empty() { "upload".to_owned() } else { name }
}

#[derive(Debug)]
pub struct Upload {
    pub account: Authorized,
    pub kind: ImportKind,
    pub file: Received,
    pub as_of: Option<NaiveDate>,
    pub force: bool,
    /// A saved column mapping of the account, by name (census files).
    pub mapping: Option<String>,
}

/// Parses the kind a person chose for an upload.
pub fn kind(given: &str) -> Result<ImportKind, WebError> {
    let refused = || WebError::field("kind", "kind is eligibility, memberships, visits or surveys");
    let kind: ImportKind = given.trim().parse().map_err(|_| refused())?;
    if KINDS.contains(&kind) { Ok(kind) } else { Err(refused()) }
}

/// Imports the upload as one batch; a refused file is recorded and returned like any other
/// batch (its status says so), so the page can show why.
pub async fn import(app: &App, user: &User, upload: Upload) -> Result<ImportBatch, WebError> {
    let mapping = match upload.mapping.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        Some(name) => Some(MappingName::parse(name).map_err(|e| WebError::field("mapping", e))?),
        None => None,
    };
    let (user, app2) = (user.clone(), app.clone());
    let (batch, followed) = app
        .run(move |store| {
            let app = app2;
            let config = app.config();
            let Authorized(account) = upload.account;
            let today = app.today();
            let mut options = ImportOptions::new(upload.kind, today);
            options.account = Some(account.clone());
            options.as_of = upload.as_of;
            options.force = upload.force;
            options.created_by = Some(user.email.clone());
            options.mapping = mapping;
            let path = &upload.file.path;
            let batch = match steward_ingest::import_file(store, &config.member_keys, path, &options, &|_, _| {}) {
                Ok(outcome) => outcome.batch,
                Err(ImportError::Refused { batch, .. }) => *batch,
                Err(ImportError::Store(e)) => return Err(e.into()),
                Err(ImportError::Io(e)) => return Err(WebError::Internal(e)),
            };
            let followed = match batch.status {
                ImportStatus::Applied => steward_health::after_import(
                    store,
                    &config.scorecard,
                    &config.playbooks,
                    &config.calendar,
                    today,
                    Some(&[account]),
                )
                .map(drop),
                _ => Ok(()),
            };
            Ok((batch, followed))
        })
        .await?;
    // The batch is in whatever its follow-up did: its account's row and the readings go.
    if let Some(account) = &batch.account {
        app.account_changed(account).await;
    }
    followed?;
    Ok(batch)
}

#[cfg(test)]
mod tests {
    #[test]
    fn leftovers_an_hour_old_are_swept() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join("upload-old");
        let fresh = dir.path().join("upload-fresh");
        for d in [&old, &fresh] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("census.csv"), "member_id\n").unwrap();
        }
        let two_hours_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(7200);
        std::fs::File::open(&old).unwrap().set_modified(two_hours_ago).unwrap();
        super::sweep_leftovers(dir.path());
        assert!(!old.exists(), "a crash's leftover is removed");
        assert!(fresh.exists(), "an upload in flight stays");
    }
}
