//! Chooses the backend once, at startup, from the settings.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use steward_store::Store;

/// Where Steward keeps its state; passed in, never global.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
}

impl Settings {
    /// Creates the data dir if needed and proves it writable, so a bad path fails here
    /// with its name rather than later as an obscure database error.
    pub fn ensure_data_dir(&self) -> Result<&Path> {
        let dir = &self.data_dir;
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create data directory {}", dir.display()))?;
        let probe = dir.join(".steward-write-test");
        std::fs::write(&probe, b"").with_context(|| format!("data directory {} is not writable", dir.display()))?;
        let _ = std::fs::remove_file(probe);
        Ok(dir)
    }
}

/// The member-key secret: `STEWARD_MEMBER_KEY_FILE`, else `<data-dir>/secret.key`
/// (created on first use). It never goes into the database.
pub fn member_keys(settings: &Settings) -> Result<steward_ingest::Pseudonymizer> {
    let path = match std::env::var_os("STEWARD_MEMBER_KEY_FILE") {
        Some(p) => PathBuf::from(p),
        None => settings.ensure_data_dir()?.join("secret.key"),
    };
    steward_ingest::Pseudonymizer::load_or_create(&path)
        .with_context(|| format!("cannot use the member-key secret {}", path.display()))
}

/// Opens the configured database, applies pending migrations, and recomputes the metrics an
/// earlier version stored without counts this one keeps (until then client figures that
/// need them stay hidden) and the ARR history it did not keep.
pub fn open_store(settings: &Settings) -> Result<Arc<dyn Store>> {
    let store = open_backend(settings)?;
    let (refreshed, failed) = steward_ingest::refresh_outdated_metrics(store.as_ref())
        .context("cannot list the metrics an earlier version stored")?;
    if refreshed > 0 {
        eprintln!(
            "Recomputed the metrics of {refreshed} accounts from their member data (stored by an earlier version)."
        );
    }
    for (account, e) in failed {
        eprintln!(
            "warning: cannot recompute the metrics of {account} ({e}); its client visit figures stay hidden until its next import"
        );
    }
    // ARR history is derived; a database from before it was kept gets it now.
    for account in store.outdated_arr().context("cannot list the accounts without ARR history")? {
        if let Err(e) = store.refresh_arr(&account) {
            eprintln!("warning: cannot compute the ARR history of {account} ({e}); it is computed at its next import");
        }
    }
    Ok(store)
}

fn open_backend(settings: &Settings) -> Result<Arc<dyn Store>> {
    match settings.database_url.as_deref() {
        None => {
            let dir = settings.ensure_data_dir()?;
            open_sqlite(&dir.join("steward.db"))
        }
        Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
            let store = steward_store_postgres::open(url).with_context(|| format!("cannot open {}", redact(url)))?;
            Ok(Arc::new(store))
        }
        Some(url) if url.starts_with("sqlite:") => {
            let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
            if path.is_empty() {
                bail!("invalid database URL {url:?}: expected sqlite://PATH");
            }
            open_sqlite(Path::new(path))
        }
        Some(url) => bail!(
            "unsupported database URL {:?}: use postgres://user@host:port/db, or sqlite://PATH (default: the SQLite file in the data dir)",
            redact(url)
        ),
    }
}

fn open_sqlite(path: &Path) -> Result<Arc<dyn Store>> {
    let store = steward_store_sqlite::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    Ok(Arc::new(store))
}

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    match rest.split_once('@') {
        Some((userinfo, host)) if userinfo.contains(':') => {
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{scheme}://{user}:***@{host}")
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords() {
        assert_eq!(redact("postgres://ann:s3cret@db:5432/steward"), "postgres://ann:***@db:5432/steward");
        assert_eq!(redact("postgres://ann@db/steward"), "postgres://ann@db/steward");
    }
}
