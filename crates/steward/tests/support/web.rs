//! A running web app for tests: a small demo book built once per test process (on SQLite a
//! template file, on PostgreSQL a template database), copied into a fresh database for each
//! server, served on 127.0.0.1 port 0; and an HTTP client that signs in like a browser.

#![allow(clippy::unwrap_used, clippy::expect_used, dead_code, unused_macros)]

use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use steward_demo::{Book, DemoConfig, Scale};
use steward_store::Store;

/// One `#[test]` per case and backend: `cases!(a, b)` runs `fn a(&Server)` and `fn b`
/// on SQLite and on PostgreSQL.
macro_rules! cases {
    ($($case:ident),+ $(,)?) => {
        mod sqlite {
            $( #[test] fn $case() { let s = super::Server::start(super::web_support::Backend::Sqlite).unwrap(); super::$case(&s); } )+
        }
        mod postgres {
            $( #[test] fn $case() { let Some(s) = super::Server::start(super::web_support::Backend::Postgres) else { return }; super::$case(&s); } )+
        }
    };
}

pub const PASSWORD: &str = "fixture-password-1";

/// The test servers' upload limit.
pub const UPLOAD_LIMIT: u64 = 1024 * 1024;

pub fn as_of() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 6, 30).unwrap()
}

/// The fixture's book: twelve accounts of a few hundred lives (two account managers), so cuts have small cells.
pub fn book() -> &'static Book {
    static BOOK: OnceLock<Book> = OnceLock::new();
    BOOK.get_or_init(|| steward_demo::generate_book(&config()))
}

fn config() -> DemoConfig {
    DemoConfig { seed: 3, accounts: 12, as_of: as_of(), lives_per_account: Some(500), scale: Scale::Demo }
}

/// Loads the book into `store` through the same path as `steward demo`.
fn fill(store: &dyn Store, key_file: &Path) {
    let files = tempfile::tempdir().unwrap();
    steward_demo::write_files(&config(), book(), files.path()).unwrap();
    let hash = steward_web::credentials::hash_password(PASSWORD).unwrap();
    steward::demo::load_book(store, book(), &hash).unwrap();
    let keys = steward_ingest::Pseudonymizer::load_or_create(key_file).unwrap();
    steward::demo::import_directory(store, &keys, files.path(), false).unwrap();
    let card = steward_domain::health::Scorecard::default();
    let rules = steward_health::playbooks::Playbooks::default();
    steward_health::after_import(store, &card, &rules, &Default::default(), as_of(), None).unwrap();
    steward::demo::commercial(store, as_of()).unwrap();
    steward::demo::projects(store, as_of(), &Default::default()).unwrap();
    steward::demo::success_plans(store, as_of()).unwrap();
}

/// The member-key secret every fixture database was filled with.
fn key_file() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

fn sqlite_template() -> &'static Path {
    static FILE: OnceLock<PathBuf> = OnceLock::new();
    FILE.get_or_init(|| {
        let path = key_file().join("template.db");
        let store = steward_store_sqlite::open(&path).unwrap();
        fill(&store, &key_file().join("secret.key"));
        path
    })
}

fn pg_template() -> Option<&'static steward_store_tests::PgTemplate> {
    static TEMPLATE: OnceLock<Option<steward_store_tests::PgTemplate>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| steward_store_tests::PgTemplate::build(|s| fill(s, &key_file().join("secret.key"))))
        .as_ref()
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A server on its own copy of the fixture; stopped on drop.
pub struct Server {
    pub url: String,
    pub store: Arc<dyn Store>,
    pub data_dir: tempfile::TempDir,
    /// The PostgreSQL URL or SQLite file this server's store opened.
    database: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    runtime: Option<tokio::runtime::Runtime>,
    _postgres: Option<steward_store_tests::TempPostgres>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server").field("url", &self.url).finish()
    }
}

impl Server {
    /// `None` only when PostgreSQL tests are skipped on purpose (never in CI).
    pub fn start(backend: Backend) -> Option<Server> {
        let data_dir = tempfile::tempdir().unwrap();
        std::fs::copy(key_file().join("secret.key"), data_dir.path().join("secret.key")).ok();
        let (store, postgres): (Arc<dyn Store>, _) = match backend {
            Backend::Sqlite => {
                let template = sqlite_template();
                let path = data_dir.path().join("steward.db");
                std::fs::copy(template, &path).unwrap();
                (Arc::new(steward_store_sqlite::open(&path).unwrap()), None)
            }
            Backend::Postgres => {
                let db = steward_store_tests::TempPostgres::from_template(pg_template()?);
                (Arc::new(steward_store_postgres::open(&db.url).unwrap()), Some(db))
            }
        };
        let database = match &postgres {
            Some(db) => db.url.clone(),
            None => data_dir.path().join("steward.db").display().to_string(),
        };
        Some(Server::launch(store, data_dir, database, postgres, |_| {}))
    }

    /// Serves `store` with the data dir's member-key secret.
    fn launch(
        store: Arc<dyn Store>,
        data_dir: tempfile::TempDir,
        database: String,
        postgres: Option<steward_store_tests::TempPostgres>,
        configure: impl FnOnce(&mut steward_web::WebConfig),
    ) -> Server {
        let keys = steward_ingest::Pseudonymizer::load_or_create(&data_dir.path().join("secret.key")).unwrap();
        let mut config = steward_web::WebConfig::new(keys, data_dir.path().join("uploads"));
        config.today = Some(as_of());
        // Few free failures and a long first wait, so the throttle tests are quick and sure;
        // other tests sign in correctly. Tests say where they come from in X-Forwarded-For.
        config.sign_in.pair.free = 5;
        config.sign_in.first_wait = chrono::Duration::minutes(1);
        config.behind_proxy = true;
        // A small upload limit, so refusing a file past it is quick to test.
        config.upload_limit_bytes = UPLOAD_LIMIT;
        configure(&mut config);
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = steward_web::App::new(Arc::clone(&store), config);
        runtime.spawn(async move {
            let _ = steward_web::serve_until(listener, app, async {
                let _ = stopped.await;
            })
            .await;
        });
        Server { url, store, data_dir, database, stop: Some(stop), runtime: Some(runtime), _postgres: postgres }
    }

    /// A second server on the same database, with its own connections and memory, as
    /// another `steward serve` process would be.
    pub fn another(&self) -> Server {
        self.another_with(|_| {})
    }

    /// [`another`](Self::another), configured differently.
    pub fn another_with(&self, configure: impl FnOnce(&mut steward_web::WebConfig)) -> Server {
        let store: Arc<dyn Store> = if self.database.starts_with("postgres") {
            Arc::new(steward_store_postgres::open(&self.database).unwrap())
        } else {
            Arc::new(steward_store_sqlite::open(Path::new(&self.database)).unwrap())
        };
        let data_dir = tempfile::tempdir().unwrap();
        std::fs::copy(self.data_dir.path().join("secret.key"), data_dir.path().join("secret.key")).unwrap();
        Server::launch(store, data_dir, self.database.clone(), None, configure)
    }

    pub fn client(&self) -> Client {
        Client::new(&self.url)
    }

    /// A client signed in as `email`.
    pub fn signed_in(&self, email: &str) -> Client {
        let mut c = self.client();
        let r = c.sign_in(email, PASSWORD);
        assert_eq!(r.status, 303, "sign in as {email}: {}", r.body);
        c
    }

    /// A client with a session for `email` made through the store — as one signed in
    /// earlier, before anything that would refuse a sign-in now.
    pub fn signed_in_anyway(&self, email: &str) -> Client {
        let session = steward_web::credentials::new_session_id();
        let who = steward_domain::Email::parse(email).unwrap();
        let expires = chrono::Utc::now() + chrono::Duration::hours(1);
        self.store.create_session(&who, &steward_store::secret_digest(&session), expires).unwrap();
        let mut c = self.client();
        c.set_cookie(steward_web::SESSION_COOKIE.to_owned(), session);
        c
    }

    /// Sends `request` by hand and reads the answer, waiting at most ten seconds. With
    /// `stall`, the connection then stays open sending nothing more — as a huge or slow
    /// upload would look while the server waits for the rest. Errors writing are ignored:
    /// a server may answer and close before taking the whole request.
    pub fn raw(&self, request: &[u8], stall: bool) -> Raw {
        use std::io::{Read, Write};
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut writer = stream.try_clone().unwrap();
        let request = request.to_vec();
        let sending = std::thread::spawn(move || {
            let _ = writer.write_all(&request);
            if stall {
                std::thread::sleep(std::time::Duration::from_secs(12));
            }
        });
        let mut answer = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&buf[..n]),
                Err(_) => break,
            }
            if complete(&answer) {
                break;
            }
        }
        drop(stream);
        if !stall {
            sending.join().unwrap();
        }
        let text = String::from_utf8_lossy(&answer).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        Raw { status, head: head.to_owned(), body: body.to_owned() }
    }

    /// A bearer token for `email`, created through the store as `steward tokens create` does.
    pub fn token(&self, email: &str) -> String {
        let token = steward_web::credentials::new_token();
        let who = steward_domain::Email::parse(email).unwrap();
        self.store
            .create_api_token(
                &who,
                "test",
                &steward_store::secret_digest(&token),
                steward_web::credentials::shown_prefix(&token),
            )
            .unwrap();
        token
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }
}

/// The first user of `role` in the fixture (an account manager with accounts, a client
/// user of an account that is live).
pub fn user(role: steward_domain::Role) -> String {
    use steward_domain::{AccountStatus, Role};
    let b = book();
    let pick = b.users.iter().find(|u| {
        u.role == role
            && match role {
                Role::AccountManager => b
                    .accounts
                    .iter()
                    .any(|a| a.account.owner.as_ref() == Some(&u.email) && a.account.status == AccountStatus::Live),
                Role::Client => b
                    .accounts
                    .iter()
                    .any(|a| Some(&a.account.slug) == u.account.as_ref() && a.account.status == AccountStatus::Live),
                _ => true,
            }
    });
    pick.unwrap_or_else(|| panic!("the fixture has no {role}")).email.to_string()
}

/// The client user of the fixture's account `slug`.
pub fn client_of(slug: &str) -> String {
    book()
        .users
        .iter()
        .find(|u| u.role == steward_domain::Role::Client && u.account.as_ref().map(|s| s.as_str()) == Some(slug))
        .unwrap()
        .email
        .to_string()
}

/// An answer read by [`Server::raw`]; status 0 when none came.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// Whether `answer` holds a whole response with a Content-Length body.
fn complete(answer: &[u8]) -> bool {
    let text = String::from_utf8_lossy(answer);
    let Some((head, body)) = text.split_once("\r\n\r\n") else { return false };
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_owned()))
        .and_then(|v| v.parse::<usize>().ok());
    length.is_some_and(|n| body.len() >= n)
}

#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub content_type: String,
    pub set_cookies: Vec<String>,
    /// Every header, names in lower case.
    pub headers: Vec<(String, String)>,
}

impl Response {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The value of the first `name="csrf"` hidden field on the page.
    pub fn csrf(&self) -> String {
        let at = self.body.find(r#"name="csrf" value=""#).expect("a CSRF field on the page");
        let rest = &self.body[at + r#"name="csrf" value=""#.len()..];
        rest[..rest.find('"').unwrap()].to_owned()
    }
}

/// An HTTP client that keeps cookies and does not follow redirects.
pub struct Client {
    base: String,
    agent: ureq::Agent,
    cookies: BTreeMap<String, String>,
    pub bearer: Option<String>,
    /// The address the test servers' proxy setting takes this client to come from.
    pub from: Option<String>,
}

impl Client {
    pub fn new(base: &str) -> Self {
        // No pooled connections: a server may close one it answered early (before reading a
        // refused body), and a request sent on it would fail with "unexpected EOF".
        let agent = ureq::AgentBuilder::new().redirects(0).max_idle_connections(0).build();
        Client { base: base.to_owned(), agent, cookies: BTreeMap::new(), bearer: None, from: None }
    }

    fn send(&mut self, method: &str, path: &str, content_type: Option<&str>, body: Option<&[u8]>) -> Response {
        self.send_raw(method, path, content_type.map(|ct| (ct, body.unwrap_or_default())), None)
    }

    /// Any method, an optional body with its content type, and an `Authorization` header
    /// written as given (else the client's bearer token, if any).
    pub fn send_raw(
        &mut self,
        method: &str,
        path: &str,
        body: Option<(&str, &[u8])>,
        authorization: Option<&str>,
    ) -> Response {
        let mut req = self.agent.request(method, &format!("{}{path}", self.base));
        if !self.cookies.is_empty() {
            let jar: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
            req = req.set("Cookie", &jar.join("; "));
        }
        if let Some(header) = authorization {
            req = req.set("Authorization", header);
        } else if let Some(token) = &self.bearer {
            req = req.set("Authorization", &format!("Bearer {token}"));
        }
        if let Some(address) = &self.from {
            req = req.set("X-Forwarded-For", address);
        }
        let result = match body {
            Some((content_type, bytes)) => req.set("Content-Type", content_type).send_bytes(bytes),
            None => req.call(),
        };
        let resp = match result {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("{method} {path}: {e}"),
        };
        let set_cookies: Vec<String> = resp.all("set-cookie").into_iter().map(str::to_owned).collect();
        for set in &set_cookies {
            let pair = set.split(';').next().unwrap_or("");
            if let Some((k, v)) = pair.split_once('=') {
                if v.is_empty() || set.contains("Max-Age=0") {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_owned(), v.to_owned());
                }
            }
        }
        let status = resp.status();
        let headers = resp
            .headers_names()
            .into_iter()
            .flat_map(|name| resp.all(&name).into_iter().map(move |v| (name.clone(), v.to_owned())).collect::<Vec<_>>())
            .collect();
        let location = resp.header("location").map(str::to_owned);
        let content_type = resp.header("content-type").unwrap_or("").to_owned();
        let body = resp.into_string().unwrap_or_default();
        Response { status, body, location, content_type, set_cookies, headers }
    }

    pub fn get(&mut self, path: &str) -> Response {
        self.send("GET", path, None, None)
    }

    pub fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Response {
        let body: Vec<String> = fields.iter().map(|(k, v)| format!("{}={}", encode(k), encode(v))).collect();
        self.send("POST", path, Some("application/x-www-form-urlencoded"), Some(body.join("&").as_bytes()))
    }

    pub fn post_json(&mut self, path: &str, body: &serde_json::Value) -> Response {
        self.send("POST", path, Some("application/json"), Some(body.to_string().as_bytes()))
    }

    pub fn post_bytes(&mut self, path: &str, content_type: &str, body: &[u8]) -> Response {
        self.send("POST", path, Some(content_type), Some(body))
    }

    pub fn sign_in(&mut self, email: &str, password: &str) -> Response {
        let page = self.get("/sign-in");
        let csrf = page.csrf();
        self.post_form("/sign-in", &[("email", email), ("password", password), ("csrf", &csrf), ("next", "/")])
    }

    pub fn cookies(&self) -> Vec<(String, String)> {
        self.cookies.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
    }

    pub fn set_cookie(&mut self, name: String, value: String) {
        self.cookies.insert(name, value);
    }

    pub fn has_session(&self) -> bool {
        self.cookies.contains_key("steward_session")
    }
}

pub fn encode(v: &str) -> String {
    steward_web::url_encode(v)
}

/// A multipart form body: the text fields in order, then the file.
pub fn multipart(boundary: &str, fields: &[(&str, &str)], file: (&str, &[u8])) -> Vec<u8> {
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes());
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{}\"\r\nContent-Type: text/csv\r\n\r\n", file.0).as_bytes());
    body.extend(file.1);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    body
}
