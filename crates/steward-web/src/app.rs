//! The application value every handler receives, the router, and starting a server.

use crate::book::{Book, BookCache};
use crate::credentials::ServerKeys;
use crate::error::WebError;
use crate::memo::Lookup;
use axum::Router;
use chrono::NaiveDate;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use steward_domain::health::Scorecard;
use steward_domain::{Slug, Task, User};
use steward_health::playbooks::Playbooks;
use steward_health::work::{self, RankInputs, WorkRow};
use steward_ingest::Pseudonymizer;
use steward_store::Store;

/// What the web app is configured with; built by the caller (CLI or test), never global.
#[derive(Debug)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when the app is served behind TLS).
    pub secure_cookies: bool,
    pub session_hours: i64,
    /// Client-facing counts below this are shown as "<N" (DOMAIN.md: default 11).
    pub suppression_threshold: i64,
    pub scorecard: Scorecard,
    /// Run on an account after a file for it is imported.
    pub playbooks: Playbooks,
    /// What implementation projects are made from.
    pub project_templates: steward_domain::project::Templates,
    /// The business days projects are scheduled on.
    pub calendar: steward_domain::schedule::Calendar,
    /// Pages compute "today" from the clock unless this fixes it (tests, a dated demo).
    pub today: Option<NaiveDate>,
    /// Keys member ids of uploaded files; never stored in the database.
    pub member_keys: Pseudonymizer,
    /// Where uploads wait while they are imported.
    pub upload_dir: PathBuf,
    /// The largest file accepted over HTTP.
    pub upload_limit_bytes: u64,
    /// How long a churned client's users keep their access after its last contract ends.
    pub client_access_grace_days: u64,
    /// How failed sign-ins slow the next attempt (shared by every server on the database).
    pub sign_in: steward_domain::throttle::Policy,
    /// Behind a reverse proxy, a client's address is the last one it adds to
    /// `X-Forwarded-For`; otherwise the connection's peer.
    pub behind_proxy: bool,
    /// How long the book's rows, and readings worked out from many rows (the forecast), are
    /// served before they are checked against the store ([`crate::book`], [`crate::memo`]):
    /// how soon a change made by another server or the command line shows (a reading may be
    /// served up to three times this while it is worked out again).
    pub book_fresh_for: std::time::Duration,
}

impl WebConfig {
    pub fn new(member_keys: Pseudonymizer, upload_dir: PathBuf) -> Self {
        Self {
            secure_cookies: false,
            session_hours: 12,
            suppression_threshold: 11,
            scorecard: Scorecard::default(),
            playbooks: Playbooks::default(),
            project_templates: steward_domain::project::Templates::default(),
            calendar: steward_domain::schedule::Calendar::default(),
            today: None,
            member_keys,
            upload_dir,
            upload_limit_bytes: crate::upload::DEFAULT_UPLOAD_LIMIT,
            client_access_grace_days: 90,
            sign_in: steward_domain::throttle::Policy::default(),
            behind_proxy: false,
            book_fresh_for: crate::book::FRESH_FOR,
        }
    }
}

/// Shared by every request: the store, the configuration and the keys derived from it.
#[derive(Debug, Clone)]
pub struct App {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    store: Arc<dyn Store>,
    config: WebConfig,
    keys: ServerKeys,
    book: BookCache,
    /// The forecast page's reading of a quarter, per owner (`None`: the company's) and day.
    forecasts: crate::memo::Memo<ForecastKey, Arc<crate::pages::forecast::Reading>>,
    /// The portfolio report of a day.
    portfolios: crate::memo::Memo<NaiveDate, Arc<steward_health::portfolio::Portfolio>>,
    /// A measured initiative's impact, by initiative, version and day: each reading takes its
    /// matched accounts' ledgers, most of Account 360's time at company scale.
    impacts: crate::memo::Memo<ImpactKey, steward_health::initiatives::Impact>,
}

pub(crate) type ImpactKey = (steward_domain::Id, i64, NaiveDate);

type ForecastKey = (steward_domain::forecast::Quarter, Option<steward_domain::Email>, NaiveDate);

/// Which of the app's memos a reading is kept in.
type MemoOf<K, V> = fn(&App) -> &crate::memo::Memo<K, Arc<V>>;

impl App {
    pub fn new(store: Arc<dyn Store>, config: WebConfig) -> Self {
        let keys = ServerKeys::derive(&config.member_keys);
        Self {
            inner: Arc::new(Inner {
                store,
                forecasts: crate::memo::Memo::new(config.book_fresh_for),
                portfolios: crate::memo::Memo::new(config.book_fresh_for),
                impacts: crate::memo::Memo::new(config.book_fresh_for),
                config,
                keys,
                book: BookCache::default(),
            }),
        }
    }

    pub fn config(&self) -> &WebConfig {
        &self.inner.config
    }

    pub(crate) fn keys(&self) -> &ServerKeys {
        &self.inner.keys
    }

    pub fn today(&self) -> NaiveDate {
        self.inner.config.today.unwrap_or_else(|| chrono::Local::now().date_naive())
    }

    /// The book's rows as [`book`](Self::book) gives them (stale ones refreshed in the
    /// background), but only once they are built today: for a page that reads its own
    /// account fresh and takes the others' from here when it can, and should not wait for
    /// the book's first build.
    pub(crate) async fn book_at_hand(&self) -> Result<Option<Arc<Book>>, WebError> {
        if self.inner.book.current(self.today(), std::time::Duration::MAX).is_none() {
            return Ok(None);
        }
        self.book().await.map(Some)
    }

    /// The book's rows ([`crate::book`]): as at hand, refreshed in the background when
    /// stale, built here only when there are none for today.
    pub(crate) async fn book(&self) -> Result<Arc<Book>, WebError> {
        let today = self.today();
        let cache = &self.inner.book;
        let fresh_for = self.config().book_fresh_for;
        if let Some((book, fresh)) = cache.current(today, fresh_for) {
            if !fresh && cache.start_refresh() {
                let app = self.clone();
                tokio::spawn(async move {
                    if let Err(e) = app.rebuild_book(today, true).await {
                        tracing::warn!("cannot refresh the book: {e}");
                    }
                });
            }
            return Ok(book);
        }
        let _one_builder = cache.building.lock().await;
        if let Some((book, _)) = cache.current(today, fresh_for) {
            return Ok(book);
        }
        cache.start_refresh();
        self.rebuild_book(today, false).await?;
        cache
            .current(today, fresh_for)
            .map(|(book, _)| book)
            .ok_or_else(|| WebError::Internal("the book was not kept".into()))
    }

    /// Works out again the rows whose accounts moved (every row when there are none for
    /// `today`) and installs them, with the rows of accounts changed meanwhile redone; the
    /// caller has claimed the refresh. In the `background`, on one thread; otherwise
    /// someone is waiting, on every core.
    async fn rebuild_book(&self, today: chrono::NaiveDate, background: bool) -> Result<(), WebError> {
        let (card, app) = (self.config().scorecard.clone(), self.clone());
        let previous = self.inner.book.current(today, self.config().book_fresh_for).map(|(book, _)| book);
        let built = self
            .run(move |store| {
                let book = if background {
                    crate::book::load_in_background(store, &card, today, previous.as_deref())?
                } else {
                    crate::book::load(store, &card, today, previous.as_deref())?
                };
                app.inner.book.finish_refresh(store, &card, book)
            })
            .await;
        match built {
            // Readings kept from the rows before are older than these now, unless no row moved.
            Ok(moved) => {
                if moved {
                    self.forget_readings();
                }
                Ok(())
            }
            Err(e) => {
                self.inner.book.abandon_refresh();
                Err(e)
            }
        }
    }

    /// The user's ranked queue: their tasks read fresh, each account's part of the rank
    /// (renewal, ARR, health) taken from the book's rows rather than read again.
    pub(crate) async fn work_queue(&self, user: User) -> Result<Vec<(WorkRow, Option<Task>)>, WebError> {
        let book = self.book().await?;
        let (today, card) = (self.today(), self.config().scorecard.clone());
        self.run(move |store| {
            let known: HashMap<&str, &RankInputs> =
                book.rows.iter().map(|r| (r.slug.as_str(), &r.rank_inputs)).collect();
            let inputs = |slug: &Slug| match known.get(slug.as_str()) {
                Some(i) => Ok((*i).clone()),
                None => work::account_inputs(store, &card, slug, today),
            };
            let accounts: Vec<&steward_domain::Account> = book.rows.iter().map(|r| r.account()).collect();
            Ok(work::ranked_with(store, &user, today, &accounts, inputs)?)
        })
        .await
    }

    /// After a change to one account through this process: its book row is worked out
    /// again before the response, so the change shows at once.
    pub(crate) async fn account_changed(&self, slug: &Slug) {
        let (app, slug) = (self.clone(), slug.clone());
        let card = self.config().scorecard.clone();
        let refreshed = self.run(move |store| app.inner.book.refresh_account(store, &card, &slug)).await;
        if let Err(e) = refreshed {
            tracing::warn!("cannot refresh a book row: {e}");
            self.inner.book.expire();
        }
        // Any account's change may move a forecast or the portfolio (its opportunities,
        // quotes, terms, health); after the row, so no reading kept from here on holds the
        // row as it was.
        self.forget_readings();
    }

    /// After a change that may touch every row (a user's name or role).
    pub(crate) fn book_changed(&self) {
        self.inner.book.expire();
        self.forget_readings();
    }

    /// After a goal is set: the forecasts and portfolios that show it are worked out again.
    pub(crate) fn goals_changed(&self) {
        self.forget_readings();
    }

    /// After an initiative is recorded or an experiment launched: either takes its accounts
    /// out of other initiatives' matched comparisons.
    pub(crate) fn treatments_changed(&self) {
        self.forget_readings();
    }

    fn forget_readings(&self) {
        self.inner.forecasts.clear();
        self.inner.portfolios.clear();
        self.inner.impacts.clear();
    }

    /// The measured initiatives' impacts kept since the last change (as the book's rows
    /// are kept); take its generation before the rows an impact is read with.
    pub(crate) fn impacts(&self) -> &crate::memo::Memo<ImpactKey, steward_health::initiatives::Impact> {
        &self.inner.impacts
    }

    /// The forecast page's reading for `key` as kept ([`kept_or_read`](Self::kept_or_read)),
    /// else `read`'s.
    pub(crate) async fn forecast_reading<F>(
        &self,
        key: ForecastKey,
        read: F,
    ) -> Result<Arc<crate::pages::forecast::Reading>, WebError>
    where
        F: FnOnce(&dyn Store, &Book) -> Result<crate::pages::forecast::Reading, WebError> + Send + 'static,
    {
        self.kept_or_read(|app| &app.inner.forecasts, key, read).await
    }

    /// The portfolio report of `today` as kept ([`kept_or_read`](Self::kept_or_read)), else `read`'s.
    pub(crate) async fn portfolio_reading<F>(
        &self,
        today: NaiveDate,
        read: F,
    ) -> Result<Arc<steward_health::portfolio::Portfolio>, WebError>
    where
        F: FnOnce(&dyn Store, &Book) -> Result<steward_health::portfolio::Portfolio, WebError> + Send + 'static,
    {
        self.kept_or_read(|app| &app.inner.portfolios, today, read).await
    }

    /// `memo`'s answer for `key`, else `read`'s from the store and the book's rows, kept. A
    /// stale answer is served while `read` works it out again in the background.
    async fn kept_or_read<K, V, F>(&self, memo: MemoOf<K, V>, key: K, read: F) -> Result<Arc<V>, WebError>
    where
        K: Eq + std::hash::Hash + Clone + Send + 'static,
        V: Send + Sync + 'static,
        F: FnOnce(&dyn Store, &Book) -> Result<V, WebError> + Send + 'static,
    {
        let generation = memo(self).generation();
        match memo(self).lookup(&key) {
            Lookup::Fresh(kept) => Ok(kept),
            Lookup::Stale { value, read_again } => {
                if read_again {
                    let app = self.clone();
                    tokio::spawn(async move {
                        if let Err(e) = app.read_into(memo, key.clone(), read).await {
                            tracing::warn!("cannot work a kept reading out again: {e}");
                            memo(&app).release(&key, generation);
                        }
                    });
                }
                Ok(value)
            }
            Lookup::Missing => self.read_into(memo, key, read).await,
        }
    }

    /// `read`'s answer from the store and the book's rows, kept in `memo` for `key`.
    async fn read_into<K, V, F>(&self, memo: MemoOf<K, V>, key: K, read: F) -> Result<Arc<V>, WebError>
    where
        K: Eq + std::hash::Hash,
        V: Send + Sync + 'static,
        F: FnOnce(&dyn Store, &Book) -> Result<V, WebError> + Send + 'static,
    {
        // Where the memo stands before the rows are taken: a change after this point drops
        // what is worked out from them.
        let generation = memo(self).generation();
        let book = self.book().await?;
        let reading = Arc::new(self.run(move |store| read(store, &book)).await?);
        memo(self).put(key, Arc::clone(&reading), generation);
        Ok(reading)
    }

    /// Runs blocking store work off the async runtime; the stores are synchronous.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, WebError>
    where
        T: Send + 'static,
        F: FnOnce(&dyn Store) -> Result<T, WebError> + Send + 'static,
    {
        let store = Arc::clone(&self.inner.store);
        tokio::task::spawn_blocking(move || work(&*store))
            .await
            .map_err(|e| WebError::Internal(format!("a request's store work panicked: {e}")))?
    }
}

/// Every page and API route.
pub fn router(app: App) -> Router {
    Router::new()
        .merge(crate::pages::routes())
        .nest("/api/v1", crate::api::routes())
        .layer(axum::middleware::from_fn_with_state(app.clone(), crate::headers::security_headers))
        .with_state(app)
}

/// Serves until the process is interrupted (Ctrl-C or SIGTERM), finishing requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, app: App) -> std::io::Result<()> {
    serve_until(listener, app, interrupted()).await
}

/// Serves until `stop` completes (tests stop their servers without signals).
pub async fn serve_until(
    listener: tokio::net::TcpListener,
    app: App,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    crate::templates::check().map_err(std::io::Error::other)?;
    let uploads = app.config().upload_dir.clone();
    tokio::task::spawn_blocking(move || crate::upload::sweep_leftovers(&uploads));
    let sweeper = tokio::spawn(sweep_sessions(app.clone()));
    let result = axum::serve(listener, router(app).into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(stop)
        .await;
    sweeper.abort();
    result
}

/// Deletes expired sessions hourly; any server may do it, so it needs no coordination.
async fn sweep_sessions(app: App) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every.tick().await;
        if let Err(e) = app.run(|store| Ok(store.delete_expired_sessions(chrono::Utc::now())?)).await {
            tracing::warn!("cannot delete expired sessions: {e}");
        }
    }
}

async fn interrupted() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
