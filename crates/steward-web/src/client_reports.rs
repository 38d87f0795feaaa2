//! Reviews kept for clients — one set of rules for the pages, the portal and the command
//! line: whoever writes an account generates its client review (a new version only when the
//! document changed) and publishes it; our people read every version; a client reads the
//! published ones of their own account, nothing else.

use crate::authz::{self, AccountAccess};
use crate::error::WebError;
use chrono::NaiveDate;
use steward_domain::health::Scorecard;
use steward_domain::report::{NewReport, Quarter, ReportFile, StoredReport};
use steward_domain::{Id, Role, Slug, User};
use steward_health::reports::{Audience, Peers, qbr_among};
use steward_store::Store;

/// Generates `slug`'s client review of `quarter` and keeps it, as `by` (no check of who:
/// callers check first); `peers` are a batch's, read once for all its reviews. `true` when
/// it is a new version.
#[allow(clippy::too_many_arguments)]
pub fn generate_as(
    store: &dyn Store,
    card: &Scorecard,
    slug: &Slug,
    quarter: Quarter,
    today: NaiveDate,
    threshold: i64,
    by: Option<steward_domain::Email>,
    peers: Option<&Peers>,
) -> Result<(StoredReport, bool), WebError> {
    let new = prepare(store, card, slug, quarter, today, threshold, by, peers)?;
    Ok(store.save_report(&new)?)
}

/// [`generate_as`]'s review, made but not kept (a batch makes them in parallel and keeps
/// them in its own order).
#[allow(clippy::too_many_arguments)]
pub fn prepare(
    store: &dyn Store,
    card: &Scorecard,
    slug: &Slug,
    quarter: Quarter,
    today: NaiveDate,
    threshold: i64,
    by: Option<steward_domain::Email>,
    peers: Option<&Peers>,
) -> Result<NewReport, WebError> {
    let review = qbr_among(store, card, slug, quarter, today, Audience::Client { threshold }, peers)?
        .map_err(|why| WebError::field("quarter", why))?;
    let pdf = crate::qbr::pdf(&review).map_err(|why| WebError::Internal(format!("typesetting the review: {why}")))?;
    Ok(NewReport {
        account: slug.clone(),
        quarter,
        ledger_version: store.ledger(slug)?.map(|l| l.version),
        data_as_of: review.as_of,
        pdf,
        csv: crate::qbr::csv(&review),
        generated_by: by,
    })
}

/// Generates the client review as `user`, who must write the account.
pub fn generate(
    store: &dyn Store,
    user: &User,
    card: &Scorecard,
    slug: &str,
    quarter: Quarter,
    today: NaiveDate,
    threshold: i64,
) -> Result<(StoredReport, bool), WebError> {
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Write)?;
    generate_as(store, card, &account.slug, quarter, today, threshold, Some(user.email.clone()), None)
}

/// An account's review as asked for by its page or the API (`quarter` "2026-Q3" or empty for
/// the last the data complete; `version` `internal`, `client` or empty): our people who
/// read the account, who are checked before anything they sent is read.
#[allow(clippy::too_many_arguments)]
pub fn read_review(
    store: &dyn Store,
    user: &User,
    card: &Scorecard,
    slug: &str,
    quarter: &str,
    version: &str,
    today: NaiveDate,
    threshold: i64,
) -> Result<steward_health::reports::Qbr, WebError> {
    if user.role == Role::Client {
        return Err(WebError::NotFound(format!("account {slug}")));
    }
    let (account, _) = authz::load_account(store, user, slug, AccountAccess::Read)?;
    let audience = match version {
        "" | "internal" => Audience::Internal,
        "client" => Audience::Client { threshold },
        _ => return Err(WebError::field("version", "internal or client")),
    };
    let quarter = match quarter.trim() {
        "" => last_complete_quarter(store.metrics_as_of(&account.slug)?, today),
        text => text.parse::<Quarter>().map_err(|e| WebError::field("quarter", e.0))?,
    };
    steward_health::reports::qbr(store, card, &account.slug, quarter, today, audience)?
        .map_err(|why| WebError::field("quarter", why))
}

/// Publishes a kept review: whoever writes its account.
pub fn publish(store: &dyn Store, user: &User, id: Id) -> Result<StoredReport, WebError> {
    let report = load(store, user, id)?;
    authz::load_account(store, user, report.account.as_str(), AccountAccess::Write)?;
    Ok(store.publish_report(id, &user.email)?)
}

/// A kept review the user may read: our people any version of an account they read; a
/// client a published one of their own account (anything else is not there for them).
pub fn load(store: &dyn Store, user: &User, id: Id) -> Result<StoredReport, WebError> {
    let missing = || WebError::NotFound(format!("report {id}"));
    let report = store.report(id).map_err(|_| missing())?;
    if user.role == Role::Client {
        let theirs = user.account.as_ref() == Some(&report.account) && report.published();
        return if theirs { Ok(report) } else { Err(missing()) };
    }
    authz::load_account(store, user, report.account.as_str(), AccountAccess::Read)?;
    Ok(report)
}

/// A kept review's file.
pub fn file(store: &dyn Store, user: &User, id: Id, kind: ReportFile) -> Result<(StoredReport, Vec<u8>), WebError> {
    let report = load(store, user, id)?;
    Ok((report, store.report_file(id, kind)?))
}

/// What a client's portal lists: each quarter's latest published version, latest first.
pub fn published(store: &dyn Store, account: &Slug) -> Result<Vec<StoredReport>, WebError> {
    let mut out: Vec<StoredReport> = Vec::new();
    for r in store.reports(Some(account))?.into_iter().filter(StoredReport::published) {
        if out.last().is_none_or(|last| last.quarter != r.quarter) {
            out.push(r.for_client());
        }
    }
    Ok(out)
}

/// The last quarter the account's data complete on `today` (a review's default quarter).
pub fn last_complete_quarter(as_of: Option<NaiveDate>, today: NaiveDate) -> Quarter {
    let through = as_of.unwrap_or(today).min(today);
    let month = steward_domain::Month::of(through);
    let done = if through == month.last_day() { month } else { month.plus(-1) };
    Quarter::of(done.plus(-((done.month() % 3) as i32)))
}
