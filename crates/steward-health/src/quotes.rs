//! Pricing quotes on what the store holds — the account's actual last twelve months, its
//! current ARR, the configured price book and approval threshold — and moving them through
//! approval.

use chrono::NaiveDate;
use steward_domain::metrics::MonthMetrics;
use steward_domain::quote::{
    DEFAULT_APPROVAL_THRESHOLD_PCT, ListPrice, Quote, QuoteDraft, QuotePrice, QuoteStatus, YearOfVolumes,
    check_transition, default_list_price, price,
};
use steward_domain::{Email, Money, Month, Segment};
use steward_store::{ArrFilter, CutKind, Result as StoreResult, Store, StoreError};

/// The setting holding the approval threshold, in percent.
pub const THRESHOLD: &str = "quote.approval_threshold_pct";
/// The setting holding the price book: JSON `{"mid_market": {"pepm": 7.0, "pmpm": 35.0}, …}`.
pub const PRICE_BOOK: &str = "quote.price_book";

/// Checks a value for one of the commercial settings before it is kept; the message says
/// what the setting takes.
pub fn check_setting(key: &str, value: &str) -> Result<(), String> {
    match key {
        THRESHOLD => match value.trim().parse::<f64>() {
            Ok(t) if (0.0..=100.0).contains(&t) => Ok(()),
            _ => Err("the approval threshold is a percentage from 0 to 100".into()),
        },
        PRICE_BOOK => {
            let book: std::collections::BTreeMap<String, ListPrice> = serde_json::from_str(value).map_err(|e| {
                format!("the price book is JSON like {{\"mid_market\": {{\"pepm\": 7.0, \"pmpm\": 35.0}}}}: {e}")
            })?;
            match book.keys().find(|k| k.parse::<Segment>().is_err()) {
                Some(k) => Err(format!("{k:?} is not a segment (mid_market, large_enterprise)")),
                None => Ok(()),
            }
        }
        crate::pipeline::LOSS_REASONS if value.lines().all(|l| l.trim().is_empty()) => {
            Err("give at least one loss reason, one a line".into())
        }
        crate::pipeline::LOSS_REASONS => Ok(()),
        other => Err(format!(
            "unknown setting {other:?}; the commercial settings are {THRESHOLD}, {PRICE_BOOK} and {}",
            crate::pipeline::LOSS_REASONS
        )),
    }
}

pub fn threshold(store: &dyn Store) -> StoreResult<f64> {
    Ok(store
        .setting(THRESHOLD)?
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|t| (0.0..=100.0).contains(t))
        .unwrap_or(DEFAULT_APPROVAL_THRESHOLD_PCT))
}

pub fn list_price(store: &dyn Store, segment: Segment) -> StoreResult<ListPrice> {
    let configured = store
        .setting(PRICE_BOOK)?
        .and_then(|s| serde_json::from_str::<std::collections::BTreeMap<String, ListPrice>>(&s).ok())
        .and_then(|book| book.get(segment.as_str()).copied());
    Ok(configured.unwrap_or_else(|| default_list_price(segment)))
}

/// Twelve months, oldest first: the last twelve with metrics up to `through`, the earliest
/// repeated before them when there are fewer (a year at the rate first seen).
fn twelve(year: YearOfVolumes, through: Month) -> YearOfVolumes {
    let mut months = year.months;
    let first = months.first().map(|(_, v)| *v).unwrap_or_default();
    while months.len() < 12 {
        let before = months.first().map_or(through, |(m, _)| m.plus(-1));
        months.insert(0, (before, first));
    }
    YearOfVolumes { months }
}

/// Prices `draft` as of `today`: the quote's prices and the threshold in force.
pub fn price_draft(store: &dyn Store, draft: &QuoteDraft, today: NaiveDate) -> StoreResult<(QuotePrice, f64)> {
    let account = store.account(&draft.account)?;
    let as_of = store.metrics_as_of(&draft.account)?;
    let metrics: Vec<MonthMetrics> = store
        .metrics(&draft.account, CutKind::All, None, None)?
        .iter()
        .map(|(cut, m, c)| MonthMetrics::from_counts(*m, cut, c, as_of))
        .filter(|m| !m.partial)
        .collect();
    let through = Month::of(today).plus(-1);
    let actual = twelve(YearOfVolumes::actual(&metrics, through), through);
    let what_if = twelve(YearOfVolumes::what_if(&metrics, through, draft.what_if_points), through);
    let current_arr = store
        .arr_snapshots(&ArrFilter { account: Some(draft.account.clone()), from: None, to: Some(Month::of(today)) })?
        .last()
        .map_or(Money::ZERO, |(_, s)| s.arr);
    let list = list_price(store, account.segment)?;
    let p = price(draft, &actual, &what_if, list, current_arr);
    Ok((p, threshold(store)?))
}

pub fn create(store: &dyn Store, draft: &QuoteDraft, by: Option<&Email>, today: NaiveDate) -> StoreResult<Quote> {
    draft.validate()?;
    let (p, t) = price_draft(store, draft, today)?;
    store.create_quote(draft, &p, t, by)
}

pub fn revise(
    store: &dyn Store,
    id: i64,
    draft: &QuoteDraft,
    by: Option<&Email>,
    version: i64,
    today: NaiveDate,
) -> StoreResult<Quote> {
    draft.validate()?;
    let (p, t) = price_draft(store, draft, today)?;
    let revised = store.revise_quote(id, draft, &p, t, by, version)?;
    close_approval_tasks(store, &revised)?;
    Ok(revised)
}

/// Moves quote `id` to `to` on `today`. Submitting a discount within the threshold approves
/// it at once (no director needed); a deeper one waits for a director, and every director
/// finds it in My work until one of them decides.
#[allow(clippy::too_many_arguments)]
pub fn transition(
    store: &dyn Store,
    id: i64,
    to: QuoteStatus,
    by_director: bool,
    by: Option<&Email>,
    note: &str,
    version: i64,
    today: NaiveDate,
) -> StoreResult<Quote> {
    let q = store.quote(id)?;
    if q.version != version {
        return Err(StoreError::Conflict { what: format!("quote {id}"), current: q.version });
    }
    check_transition(q.status, to, by_director)?;
    steward_domain::input::text_field("the note", steward_domain::input::TextKind::Summary, note)?;
    let moved = store.set_quote_status(id, to, by, note, version)?;
    if to == QuoteStatus::Submitted {
        if !moved.needs_approval() {
            let within = format!("a discount within the {}% threshold needs no approval", moved.approval_threshold_pct);
            return store.set_quote_status(id, QuoteStatus::Approved, None, &within, moved.version);
        }
        ask_directors(store, &moved, today)?;
    } else {
        close_approval_tasks(store, &moved)?;
    }
    Ok(moved)
}

fn approval_key(quote: i64) -> String {
    format!("quote:{quote}:approval:")
}

/// One task per active director: any of them may decide.
fn ask_directors(store: &dyn Store, q: &Quote, today: NaiveDate) -> StoreResult<()> {
    for d in store.users()?.into_iter().filter(|u| u.role == steward_domain::Role::Director && u.active) {
        store.create_task(&steward_domain::NewTask {
            account: Some(q.account.clone()),
            title: format!("Approve quote {}: {:.1}% off list for {}", q.id, q.price.discount_pct, q.account),
            detail: format!(
                "The discount is over the {}% threshold. A year on its terms is {} against {} at list; ARR {} against the current contract. The quote: /quotes/{}",
                q.approval_threshold_pct, q.price.annual_price, q.price.list_price, q.price.arr_change, q.id
            ),
            owner: Some(d.email.clone()),
            department: None,
            due_date: Some(today + chrono::Days::new(2)),
            priority: steward_domain::Priority::High,
            escalation: false,
            for_renewal: false,
            source: steward_domain::TaskSource::Manual,
            source_key: Some(format!("{}{}", approval_key(q.id), d.email)),
            objective: None,
        })?;
    }
    Ok(())
}

/// The approval is no longer waited for: its tasks are done, whoever held them.
pub fn close_approval_tasks(store: &dyn Store, q: &Quote) -> StoreResult<()> {
    let key = approval_key(q.id);
    let filter = steward_store::TaskFilter {
        account: Some(q.account.clone()),
        status: Some(steward_domain::TaskStatus::Open),
        ..steward_store::TaskFilter::default()
    };
    for t in store.tasks(&filter)? {
        if t.source_key.as_deref().is_some_and(|k| k.starts_with(&key)) {
            match store.set_task_status(t.id, steward_domain::TaskStatus::Done, t.version) {
                Ok(_) | Err(StoreError::Conflict { .. }) => {}
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}
