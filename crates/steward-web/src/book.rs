//! The book: one row per account with its health, metrics, ARR and renewal, and the
//! filters, sorts and totals of the book page and `/api/v1/accounts`.
//!
//! Working out every account's row reads each account's data — about three seconds for
//! 6,000 accounts on SQLite, minutes on PostgreSQL — so the rows are kept in memory
//! ([`BookCache`]):
//! - a change made through this process recomputes the rows of the account it touched
//!   before the response goes out, so people see their own changes at once;
//! - when the rows are older than the configured freshness (`WebConfig::book_fresh_for`),
//!   the next request starts a refresh in the background and is served from the rows at
//!   hand. The refresh reads every account's `version` and `data_changes` (counted by the
//!   database on every write of the account's data, whoever wrote it: another server, an
//!   import from the command line) and works out again only the rows whose account moved,
//!   so it costs one read of the accounts when nothing changed;
//! - only the very first request (or the first after midnight) builds the book inline.
//!
//! Account 360 reads its account's data fresh, and takes the accounts an initiative's
//! matched comparison is chosen from from these rows once they are built. My work reads its
//! tasks fresh and takes each account's part of the rank, and which accounts are whose, from
//! these rows; the pipeline, the forecast and the portfolio take names, owners, holdings and
//! the accounts behind each goal's retention from them — accepting that a change made
//! elsewhere shows there within the book's freshness, as on the book itself.

use crate::error::WebError;
use crate::views::BookRow;
use chrono::NaiveDate;
use serde::Deserialize;
use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};
use steward_domain::health::Scorecard;
use steward_domain::{Account, AccountStatus, Email, Metro, Role, Slug, User};
use steward_health::AccountSummary;
use steward_health::history::AccountData;
use steward_store::Store;

/// How long the rows are served before a request checks them against the store.
pub const FRESH_FOR: Duration = Duration::from_secs(10);
pub const DEFAULT_PER_PAGE: usize = 50;
pub const MAX_PER_PAGE: usize = 200;
/// The highest page number asked for that is not a mistake.
pub const MAX_PAGE: usize = 100_000;

#[derive(Debug, Clone)]
pub struct Book {
    pub rows: Vec<BookRow>,
    /// Account managers and directors who own accounts: (e-mail, name), by name.
    pub owners: Vec<(String, String)>,
    pub metros: Vec<Metro>,
    /// Where each account's row is in `rows`, by slug.
    at: HashMap<String, usize>,
    today: NaiveDate,
    built: Instant,
    /// Marked stale by a change that may touch every row (a user's name).
    expired: bool,
    /// Some row was worked out again in this build, or one came or went: readings worked
    /// out from the rows before are older than these.
    moved: bool,
}

/// One account's row.
fn row(
    store: &dyn Store,
    card: &Scorecard,
    today: NaiveDate,
    account: &Account,
    names: &HashMap<Email, String>,
) -> Result<BookRow, WebError> {
    let data = AccountData::load(store, &account.slug)?;
    let summary = AccountSummary::of(&data, card, today);
    let metros: BTreeSet<Metro> = store.worksites(&account.slug)?.into_iter().map(|w| w.metro).collect();
    let owner_name = account.owner.as_ref().and_then(|e| names.get(e).cloned());
    Ok(BookRow::of(&summary, owner_name, &metros.into_iter().collect::<Vec<_>>(), today))
}

fn names(store: &dyn Store) -> Result<HashMap<Email, String>, WebError> {
    Ok(store.users()?.into_iter().map(|u| (u.email, u.name)).collect())
}

/// A row kept from an earlier build, while its account has not moved since: its owner's
/// name read again (a user's name is not the account's data).
fn kept(row: &BookRow, account: &Account, names: &HashMap<Email, String>) -> Option<BookRow> {
    let same = row.account().version == account.version && row.account().data_changes == account.data_changes;
    same.then(|| BookRow { owner_name: account.owner.as_ref().and_then(|e| names.get(e).cloned()), ..row.clone() })
}

impl Book {
    fn assemble(rows: Vec<BookRow>, today: NaiveDate) -> Self {
        let owners: BTreeSet<(String, String)> =
            rows.iter().filter_map(|r| Some((r.owner_name.clone()?, r.owner.clone()?))).collect();
        let metros: BTreeSet<Metro> =
            rows.iter().flat_map(|r| r.metros.iter().filter_map(|m| m.parse().ok())).collect();
        let at = rows.iter().enumerate().map(|(i, r)| (r.slug.clone(), i)).collect();
        Book {
            rows,
            at,
            owners: owners.into_iter().map(|(name, email)| (email, name)).collect(),
            metros: metros.into_iter().collect(),
            today,
            built: Instant::now(),
            expired: false,
            moved: true,
        }
    }

    /// The account's row.
    pub fn row(&self, slug: &str) -> Option<&BookRow> {
        self.at.get(slug).and_then(|&i| self.rows.get(i))
    }

    /// The names of these accounts, by slug (each account's slug where it has no row yet).
    pub fn names<'a>(&self, slugs: impl IntoIterator<Item = &'a str>) -> std::collections::BTreeMap<String, String> {
        slugs
            .into_iter()
            .map(|s| (s.to_owned(), self.row(s).map_or_else(|| s.to_owned(), |r| r.name.clone())))
            .collect()
    }

    /// This book with one account's row worked out again (added if new).
    fn with_account(&self, store: &dyn Store, card: &Scorecard, slug: &Slug) -> Result<Book, WebError> {
        let account = store.account(slug)?;
        let fresh = row(store, card, self.today, &account, &names(store)?)?;
        let mut rows = self.rows.clone();
        match rows.iter_mut().find(|r| r.slug == slug.as_str()) {
            Some(r) => *r = fresh,
            None => rows.push(fresh),
        }
        Ok(Book { built: self.built, expired: self.expired, ..Book::assemble(rows, self.today) })
    }
}

/// [`load`] on one thread of its own: a background refresh leaves the machine's other
/// cores to the requests served meanwhile (it takes longer; nobody waits for it).
pub fn load_in_background(
    store: &dyn Store,
    card: &Scorecard,
    today: NaiveDate,
    previous: Option<&Book>,
) -> Result<Book, WebError> {
    static ONE_THREAD: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = ONE_THREAD.get_or_init(|| {
        rayon::ThreadPoolBuilder::new().num_threads(1).thread_name(|_| "book-refresh".into()).build().ok()
    });
    match pool {
        Some(pool) => pool.install(|| load(store, card, today, previous)),
        None => load(store, card, today, previous),
    }
}

/// Every account's row: kept from `previous` (a book of the same day) where the account
/// has not moved since, else worked out again — accounts in parallel, each reading only
/// its own data. The account is read before its data, so a write landing in between shows
/// as a move at the next refresh rather than being missed.
pub fn load(store: &dyn Store, card: &Scorecard, today: NaiveDate, previous: Option<&Book>) -> Result<Book, WebError> {
    use rayon::prelude::*;
    let names = names(store)?;
    let previous = previous.filter(|b| b.today == today);
    let rows: Vec<(BookRow, bool)> = store
        .accounts()?
        .par_iter()
        .map(|a| match previous.and_then(|b| b.row(a.slug.as_str())).and_then(|r| kept(r, a, &names)) {
            Some(row) => Ok((row, false)),
            None => Ok((row(store, card, today, a, &names)?, true)),
        })
        .collect::<Result<_, WebError>>()?;
    let recomputed = rows.iter().filter(|(_, fresh)| *fresh).count();
    tracing::debug!(rows = rows.len(), recomputed, "book rows worked out");
    let moved = recomputed > 0 || previous.is_none_or(|b| b.rows.len() != rows.len());
    Ok(Book { moved, ..Book::assemble(rows.into_iter().map(|(r, _)| r).collect(), today) })
}

/// The rows at hand. Row updates are serialized (`updating`), and accounts changed while a
/// full refresh runs are remembered (`dirty`) and applied to its result, so neither a
/// concurrent change nor a refresh that started earlier can put an older row back.
#[derive(Debug, Default)]
pub struct BookCache {
    book: RwLock<Option<Arc<Book>>>,
    updating: Mutex<()>,
    refreshing: AtomicBool,
    dirty: Mutex<Vec<Slug>>,
    /// Only one request builds a missing book; the others wait for it.
    pub(crate) building: tokio::sync::Mutex<()>,
}

impl BookCache {
    /// The book for `today` if there is one, and whether it was built in the last `fresh_for`.
    pub fn current(&self, today: NaiveDate, fresh_for: Duration) -> Option<(Arc<Book>, bool)> {
        let book = self.book.read().unwrap_or_else(|p| p.into_inner());
        book.as_ref().filter(|b| b.today == today).map(|b| (Arc::clone(b), !b.expired && b.built.elapsed() < fresh_for))
    }

    pub fn put(&self, book: Arc<Book>) {
        *self.book.write().unwrap_or_else(|p| p.into_inner()) = Some(book);
    }

    /// Claims the one background refresh; false when another is running.
    pub fn start_refresh(&self) -> bool {
        !self.refreshing.swap(true, Ordering::AcqRel)
    }

    /// Installs a fully rebuilt book, with the rows of accounts changed meanwhile redone;
    /// whether any row moved.
    pub fn finish_refresh(&self, store: &dyn Store, card: &Scorecard, mut book: Book) -> Result<bool, WebError> {
        let _one_writer = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let changed: Vec<Slug> = std::mem::take(&mut *self.dirty.lock().unwrap_or_else(|p| p.into_inner()));
        for slug in &changed {
            book = book.with_account(store, card, slug)?;
        }
        let moved = book.moved || !changed.is_empty();
        self.put(Arc::new(book));
        self.refreshing.store(false, Ordering::Release);
        Ok(moved)
    }

    pub fn abandon_refresh(&self) {
        self.refreshing.store(false, Ordering::Release);
    }

    /// Recomputes one account's row in the book at hand (nothing to do without one).
    pub fn refresh_account(&self, store: &dyn Store, card: &Scorecard, slug: &Slug) -> Result<(), WebError> {
        let _one_writer = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        if self.refreshing.load(Ordering::Acquire) {
            self.dirty.lock().unwrap_or_else(|p| p.into_inner()).push(slug.clone());
        }
        let Some(book) = self.book.read().unwrap_or_else(|p| p.into_inner()).clone() else { return Ok(()) };
        let updated = book.with_account(store, card, slug)?;
        self.put(Arc::new(updated));
        Ok(())
    }

    /// Makes the book stale so the next request refreshes it in the background.
    pub fn expire(&self) {
        let _one_writer = self.updating.lock().unwrap_or_else(|p| p.into_inner());
        let mut book = self.book.write().unwrap_or_else(|p| p.into_inner());
        if let Some(b) = book.as_ref() {
            *book = Some(Arc::new(Book { expired: true, ..(**b).clone() }));
        }
    }
}

/// The book page's and API's query string; every field optional, so URLs stay short.
#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct BookQuery {
    #[serde(default, deserialize_with = "empty_as_none")]
    pub segment: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub metro: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub band: Option<String>,
    /// "2027-Q1".
    #[serde(default, deserialize_with = "empty_as_none")]
    pub renewal: Option<String>,
    /// live, implementing, churned, prospect, or "all"; by default live and implementing
    /// accounts (the ones being served).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub status: Option<String>,
    /// An owner's e-mail, or "all". An account manager sees their own book by default.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub sort: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub dir: Option<String>,
    #[serde(default)]
    pub page: Option<usize>,
    #[serde(default)]
    pub per_page: Option<usize>,
}

/// "2027-Q1".
fn is_quarter(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 7 && b[..4].iter().all(u8::is_ascii_digit) && &b[4..6] == b"-Q" && (b'1'..=b'4').contains(&b[6])
}

/// Refuses a page or page size out of range (the API document says the same).
pub fn check_paging(page: Option<usize>, per_page: Option<usize>) -> Result<(), WebError> {
    if page.is_some_and(|p| !(1..=MAX_PAGE).contains(&p)) {
        return Err(WebError::field("page", format!("page is from 1 to {MAX_PAGE}")));
    }
    if per_page.is_some_and(|n| !(1..=MAX_PER_PAGE).contains(&n)) {
        return Err(WebError::field("per_page", format!("per_page is from 1 to {MAX_PER_PAGE}")));
    }
    Ok(())
}

/// A filter left empty in a form arrives as `owner=`; it means no filter.
fn empty_as_none<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()))
}

pub const SORTS: &[&str] =
    &["name", "health", "eligible_lives", "enrollment_rate", "utilization_rate", "nps", "arr", "renewal", "notice"];

impl BookQuery {
    /// The owner filter in force: the account manager's own book unless they ask for
    /// another or "all".
    pub fn owner_for(&self, viewer: &User) -> Option<String> {
        match self.owner.as_deref() {
            Some("all") => None,
            Some(owner) => Some(owner.to_owned()),
            None if viewer.role == Role::AccountManager => Some(viewer.email.to_string()),
            None => None,
        }
    }

    pub fn page(&self) -> usize {
        self.page.unwrap_or(1).max(1)
    }

    pub fn per_page(&self) -> usize {
        self.per_page.unwrap_or(DEFAULT_PER_PAGE).clamp(1, MAX_PER_PAGE)
    }

    pub fn validate(&self) -> Result<(), WebError> {
        if let Some(sort) = &self.sort
            && !SORTS.contains(&sort.as_str())
        {
            return Err(WebError::field("sort", format!("sort by one of: {}", SORTS.join(", "))));
        }
        if let Some(dir) = &self.dir
            && dir != "asc"
            && dir != "desc"
        {
            return Err(WebError::field("dir", "dir is asc or desc"));
        }
        if let Some(status) = &self.status
            && !["all", "live", "implementing", "churned", "prospect"].contains(&status.as_str())
        {
            return Err(WebError::field("status", "status is live, implementing, churned, prospect or all"));
        }
        if let Some(band) = &self.band
            && !["red", "yellow", "green", "none"].contains(&band.as_str())
        {
            return Err(WebError::field("band", "band is red, yellow, green or none"));
        }
        if let Some(segment) = &self.segment
            && !["mid_market", "large_enterprise"].contains(&segment.as_str())
        {
            return Err(WebError::field("segment", "segment is mid_market or large_enterprise"));
        }
        if let Some(renewal) = &self.renewal
            && !is_quarter(renewal)
        {
            return Err(WebError::field("renewal", "renewal is a quarter, e.g. 2027-Q1"));
        }
        check_paging(self.page, self.per_page)?;
        Ok(())
    }
}

/// The rows that pass the filters, sorted; the caller pages them.
pub fn select<'a>(book: &'a Book, q: &BookQuery, viewer: &User) -> Vec<&'a BookRow> {
    let owner = q.owner_for(viewer);
    let mut rows: Vec<&BookRow> = book
        .rows
        .iter()
        .filter(|r| owner.as_deref().is_none_or(|o| r.owner.as_deref() == Some(o)))
        .filter(|r| match q.status.as_deref() {
            None => r.status == "live" || r.status == "implementing",
            Some("all") => true,
            Some(s) => r.status == s,
        })
        .filter(|r| q.segment.as_deref().is_none_or(|s| r.segment == s))
        .filter(|r| q.metro.as_deref().is_none_or(|m| r.metros.iter().any(|x| x == m)))
        .filter(|r| {
            q.band.as_deref().is_none_or(|b| match &r.health {
                Some(h) => h.band == b,
                None => b == "none",
            })
        })
        .filter(|r| q.renewal.as_deref().is_none_or(|want| r.renewal_quarter.as_deref() == Some(want)))
        .collect();
    let desc = q.dir.as_deref() == Some("desc");
    // Missing values sort last in either direction.
    fn by<T: PartialOrd>(a: Option<T>, b: Option<T>, desc: bool) -> std::cmp::Ordering {
        use std::cmp::Ordering::*;
        match (a, b) {
            (Some(a), Some(b)) => {
                let o = a.partial_cmp(&b).unwrap_or(Equal);
                if desc { o.reverse() } else { o }
            }
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (None, None) => Equal,
        }
    }
    rows.sort_by(|a, b| {
        let o = match q.sort.as_deref().unwrap_or("name") {
            "health" => by(a.health.as_ref().map(|h| h.score), b.health.as_ref().map(|h| h.score), desc),
            "eligible_lives" => by(a.eligible_lives, b.eligible_lives, desc),
            "enrollment_rate" => by(a.enrollment_rate, b.enrollment_rate, desc),
            "utilization_rate" => by(a.utilization_rate, b.utilization_rate, desc),
            "nps" => by(a.nps, b.nps, desc),
            "arr" => by(a.arr_cents, b.arr_cents, desc),
            "renewal" => by(a.renewal, b.renewal, desc),
            "notice" => by(a.days_to_notice, b.days_to_notice, desc),
            _ => by(Some(a.name.to_lowercase()), Some(b.name.to_lowercase()), desc),
        };
        o.then_with(|| a.slug.cmp(&b.slug))
    });
    rows
}

/// The totals row: lives and ARR summed, rates weighted by their denominators.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Totals {
    /// The accounts the totals count: every listed one but those that left.
    pub accounts: usize,
    /// Listed accounts that left, shown but not counted in the live totals.
    pub churned: usize,
    pub eligible_lives: i64,
    pub enrolled_members: i64,
    pub enrollment_rate: Option<f64>,
    pub utilization_rate: Option<f64>,
    pub arr: String,
}

pub fn totals(rows: &[&BookRow]) -> Totals {
    let all = rows.len();
    let rows: Vec<&BookRow> = rows.iter().copied().filter(|r| r.status != AccountStatus::Churned.as_str()).collect();
    let sum = |f: fn(&BookRow) -> Option<i64>| rows.iter().filter_map(|r| f(r)).sum::<i64>();
    let (eligible, enrolled, active) =
        (sum(|r| r.eligible_lives), sum(|r| r.enrolled_members), sum(|r| r.active_members_12m));
    let ratio = |n: i64, d: i64| (d > 0).then(|| n as f64 / d as f64);
    Totals {
        accounts: rows.len(),
        churned: all - rows.len(),
        eligible_lives: eligible,
        enrolled_members: enrolled,
        enrollment_rate: ratio(enrolled, eligible),
        utilization_rate: ratio(active, enrolled),
        arr: steward_domain::Money::from_cents(sum(|r| r.arr_cents)).short(),
    }
}
