//! Throwaway databases for tests: a fresh SQLite file in a temporary directory, or a fresh
//! PostgreSQL database that is dropped afterwards.
//!
//! PostgreSQL tests read `STEWARD_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`, the server this machine kind runs). An
//! unreachable server fails them: a parity claim must not pass without PostgreSQL. Only an
//! explicit `STEWARD_SKIP_POSTGRES=1` skips them (and says so).

use std::ops::Deref;
use std::sync::atomic::{AtomicU32, Ordering};
use steward_store::SqlStore;
use steward_store_postgres::PgDriver;
use steward_store_sqlite::SqliteDriver;

/// A store on a new SQLite file, deleted with the directory on drop.
#[derive(Debug)]
pub struct TempSqlite {
    store: SqlStore<SqliteDriver>,
    pub dir: tempfile::TempDir,
}

impl TempSqlite {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temporary directory");
        let store = steward_store_sqlite::open(&dir.path().join("steward.db")).expect("open SQLite store");
        Self { store, dir }
    }

    pub fn path(&self) -> std::path::PathBuf {
        self.dir.path().join("steward.db")
    }
}

impl Default for TempSqlite {
    fn default() -> Self {
        Self::new()
    }
}

impl Deref for TempSqlite {
    type Target = SqlStore<SqliteDriver>;
    fn deref(&self) -> &Self::Target {
        &self.store
    }
}

/// Every file under `root` (recursively), by its path relative to `root`: for tests that
/// compare what two runs wrote.
pub fn read_tree(root: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("readable directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(root).expect("under root").display().to_string();
                out.insert(rel, std::fs::read(&path).expect("readable file"));
            }
        }
    }
    out
}

/// The server URL tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("STEWARD_TEST_POSTGRES_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn postgres_skipped() -> bool {
    std::env::var("STEWARD_SKIP_POSTGRES").is_ok_and(|v| v == "1")
}

/// A new, empty database on the test server, dropped (connections and all) on drop.
#[derive(Debug)]
pub struct TempPostgres {
    store: Option<SqlStore<PgDriver>>,
    pub url: String,
    name: String,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A filled database kept for the whole test process and copied for each test
/// (`CREATE DATABASE … TEMPLATE`), so an expensive fixture is built once.
#[derive(Debug)]
pub struct PgTemplate {
    name: String,
}

impl PgTemplate {
    /// Builds the template with `fill`; `None` only when PostgreSQL tests are skipped.
    pub fn build(fill: impl FnOnce(&SqlStore<PgDriver>)) -> Option<Self> {
        let mut db = TempPostgres::new()?;
        drop_orphaned_templates();
        fill(&db);
        // A template may have no open connections; the database outlives this value.
        drop(db.store.take());
        let name = format!("steward_tpl_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
        let mut client = admin_client();
        client.batch_execute(&format!("ALTER DATABASE {} RENAME TO {name}", db.name)).expect("rename template");
        db.name = name.clone();
        std::mem::forget(db);
        Some(Self { name })
    }
}

/// Templates of test processes that have ended (their pid is gone).
fn drop_orphaned_templates() {
    let mut client = admin_client();
    let Ok(rows) = client.query("SELECT datname FROM pg_database WHERE datname LIKE 'steward_tpl_%'", &[]) else {
        return;
    };
    for row in rows {
        let name: String = row.get(0);
        let pid = name.trim_start_matches("steward_tpl_").split('_').next().unwrap_or("");
        if !std::path::Path::new(&format!("/proc/{pid}")).exists() {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

fn admin_client() -> postgres::Client {
    let admin = postgres_admin_url();
    postgres::Client::connect(&admin, postgres::NoTls).unwrap_or_else(|e| {
        panic!(
            "PostgreSQL at {admin} is unreachable ({e}): start it, point STEWARD_TEST_POSTGRES_URL at one, \
             or set STEWARD_SKIP_POSTGRES=1 to skip these tests"
        )
    })
}

/// Copies from one template at a time: PostgreSQL refuses a copy while the template is busy.
static TEMPLATE_LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());

impl TempPostgres {
    /// A new database holding a copy of `template`.
    pub fn from_template(template: &PgTemplate) -> Self {
        let name = fresh_name();
        {
            let _one_at_a_time = TEMPLATE_LOCK.lock().unwrap_or_else(|p| p.into_inner());
            admin_client()
                .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {}", template.name))
                .expect("copy the template database");
        }
        let url = with_database(&postgres_admin_url(), &name);
        let store = steward_store_postgres::open(&url).expect("open PostgreSQL store");
        Self { store: Some(store), url, name }
    }

    /// `None` (after saying so) only when `STEWARD_SKIP_POSTGRES=1`.
    pub fn new() -> Option<Self> {
        if postgres_skipped() {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must run the PostgreSQL tests: STEWARD_SKIP_POSTGRES is not allowed there"
            );
            eprintln!("SKIPPED: PostgreSQL tests (STEWARD_SKIP_POSTGRES=1)");
            return None;
        }
        let name = fresh_name();
        admin_client().batch_execute(&format!("CREATE DATABASE {name}")).expect("create test database");
        let url = with_database(&postgres_admin_url(), &name);
        let store = steward_store_postgres::open(&url).expect("open PostgreSQL store");
        Some(Self { store: Some(store), url, name })
    }
}

fn fresh_name() -> String {
    format!(
        "steward_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.subsec_nanos())
    )
}

/// `admin` with its database replaced by `name`.
pub fn with_database(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{name}?{q}"),
        None => format!("{base}/{name}"),
    }
}

impl Deref for TempPostgres {
    type Target = SqlStore<PgDriver>;
    fn deref(&self) -> &Self::Target {
        self.store.as_ref().expect("store lives until drop")
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        drop(self.store.take());
        if let Ok(mut client) = postgres::Client::connect(&postgres_admin_url(), postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn swaps_the_database_in_a_url() {
        assert_eq!(with_database("postgres://root@127.0.0.1:5432/postgres", "t1"), "postgres://root@127.0.0.1:5432/t1");
        assert_eq!(with_database("postgres://root@localhost", "t1"), "postgres://root@localhost/t1");
        assert_eq!(with_database("postgres://h/db?sslmode=disable", "t1"), "postgres://h/t1?sslmode=disable");
    }
}
