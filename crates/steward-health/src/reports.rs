//! A quarterly business review's content for one account (DOMAIN.md "Reports"), read from
//! the store: the quarter's figures against the quarter before, a year before and the peer
//! median; the executive summary; the quarters before it for the charts; metros and
//! worksites at the quarter's end; the initiatives measured by then; next steps; and — in the
//! internal version only — health with its drivers and the commercial position. The client
//! version takes every figure of the account from [`client_months`], the client-privacy
//! function the portal and the client API read through, so it can show nothing they hide.

use crate::AccountSummary;
use crate::history::AccountData;
use chrono::NaiveDate;
use std::collections::BTreeMap;
use steward_domain::health::{HealthScore, Scorecard};
use steward_domain::initiative::{Initiative, InitiativeStatus, Windows};
use steward_domain::metrics::{Cut, MonthCounts};
use steward_domain::report::{
    Key, KeyNumber, Peer, Quarter, QuarterFigures, client_quarter_figures, peer_median, quarter_figures, summary,
};
use steward_domain::suppression::{ClientMonth, client_figures};
use steward_domain::{Account, Metro, Money, Month, Slug, TaskStatus};
use steward_store::{CutKind, Store, TaskFilter};

/// How many quarters the charts show, this one included.
pub const TREND_QUARTERS: i32 = 8;

/// An initiative in a review: what it was, when, and what it did to its metric. In the
/// client's version no number but the effect and its interval (to a tenth), and only where
/// both sides counted at least the threshold's people; never the reason's counts, the
/// comparison accounts, the cost or the notes.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct InitiativeRead {
    pub title: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub metric: steward_domain::impact::GoalMetric,
    pub unit: &'static str,
    pub effect: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub reason: Option<String>,
}

impl InitiativeRead {
    fn of(i: &Initiative, r: &crate::initiatives::Impact, audience: Audience) -> Self {
        let mut read = Self {
            title: i.title.clone(),
            start_date: i.start_date,
            end_date: i.end_date,
            metric: i.metric,
            unit: r.unit,
            effect: r.effect,
            ci_low: r.ci_low,
            ci_high: r.ci_high,
            reason: r.reason.clone(),
        };
        if let Audience::Client { threshold } = audience {
            let counted = |n: Option<u64>| n.is_some_and(|n| n >= threshold.max(0) as u64);
            let tenth = |v: Option<f64>| v.map(|v| (v * 10.0).round() / 10.0);
            if counted(r.target_n) && counted(r.comparison_n) && r.effect.is_some() {
                (read.effect, read.ci_low, read.ci_high) = (tenth(r.effect), tenth(r.ci_low), tenth(r.ci_high));
                read.reason = None;
            } else {
                (read.effect, read.ci_low, read.ci_high) = (None, None, None);
                read.reason = Some("not enough data to measure it".into());
            }
        }
        read
    }
}

/// A metro or worksite at the quarter's end.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CutRow {
    /// `metro` or `worksite`.
    pub kind: &'static str,
    pub name: String,
    pub figures: QuarterFigures,
}

/// Who the review is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "audience")]
pub enum Audience {
    /// Our people: exact figures, health, the commercial position, every open task.
    Internal,
    /// The client: figures through the client-privacy function with this threshold.
    Client { threshold: i64 },
}

/// What the internal version adds.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Internal {
    /// Health at the quarter's end, with its drivers.
    pub health: Option<HealthScore>,
    pub arr: Option<Money>,
    pub renewal: Option<NaiveDate>,
    pub notice_deadline: Option<NaiveDate>,
    /// Fees at risk under the guarantees at the quarter's end.
    pub at_risk: Option<Money>,
}

/// The client figures of one cut of an account (the whole account, a metro or a worksite),
/// complete months only: the one path from stored counts to what a client sees.
pub fn client_months(
    store: &dyn Store,
    slug: &Slug,
    threshold: i64,
    wanted: &Cut,
) -> steward_store::Result<Vec<ClientMonth>> {
    let mut rows = store.metrics(slug, CutKind::All, None, None)?;
    // A cut is suppressed together with everything it adds up with: its sibling cuts, what
    // they leave out, and — for a worksite — its metro's other worksites and the metro.
    if !matches!(wanted, Cut::All) {
        rows.extend(store.metrics(slug, CutKind::Metro, None, None)?);
    }
    if matches!(wanted, Cut::Worksite(_)) {
        rows.extend(store.metrics(slug, CutKind::Worksite, None, None)?);
    }
    let metro_of: std::collections::HashMap<String, Metro> =
        store.worksites(slug)?.into_iter().map(|w| (w.name, w.metro)).collect();
    let as_of = store.metrics_as_of(slug)?;
    Ok(client_figures(&rows, &|site| metro_of.get(site).copied(), as_of, wanted, threshold))
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Qbr {
    pub account: Account,
    pub quarter: Quarter,
    /// The day the account's data are as of; a quarter ending after it is not yet complete.
    pub as_of: Option<NaiveDate>,
    pub complete: bool,
    pub figures: QuarterFigures,
    pub key_numbers: Vec<KeyNumber>,
    pub summary: Vec<String>,
    /// The quarters up to this one, oldest first (those the data hold).
    pub trend: Vec<(Quarter, QuarterFigures)>,
    pub cuts: Vec<CutRow>,
    /// Initiatives whose outcome window closed by the quarter's end, with their estimate.
    pub initiatives: Vec<InitiativeRead>,
    /// Open success-plan objectives still ahead at the quarter's end and — internal only —
    /// the open tasks, as lines.
    pub next_steps: Vec<String>,
    pub audience: Audience,
    /// The internal version's sections; `None` in the client's.
    pub internal: Option<Internal>,
}

fn series(rows: Vec<(Cut, Month, MonthCounts)>) -> BTreeMap<Cut, BTreeMap<Month, MonthCounts>> {
    let mut out: BTreeMap<Cut, BTreeMap<Month, MonthCounts>> = BTreeMap::new();
    for (cut, month, counts) in rows {
        out.entry(cut).or_default().insert(month, counts);
    }
    out
}

/// Every account's figures of one quarter, read once: the peers the reviews of a batch
/// compare with (one review alone reads its segment's).
#[derive(Debug, Clone)]
pub struct Peers {
    quarter: Quarter,
    audience: Audience,
    figures: Vec<(Account, QuarterFigures)>,
}

impl Peers {
    /// The accounts' (of `segment`, or all) figures of `quarter` as `audience` may know
    /// them: for a client's review, each peer's own client figures, so no median can be a
    /// cell the peer's own client would not see.
    pub fn load(
        store: &dyn Store,
        quarter: Quarter,
        segment: Option<steward_domain::Segment>,
        audience: Audience,
    ) -> steward_store::Result<Self> {
        let mut figures = Vec::new();
        for a in store.accounts()?.into_iter().filter(|a| segment.is_none_or(|s| a.segment == s)) {
            let f = match audience {
                Audience::Client { threshold } => {
                    client_quarter_figures(&client_months(store, &a.slug, threshold, &Cut::All)?, quarter)
                }
                Audience::Internal => quarter_figures(
                    &series(store.metrics(&a.slug, CutKind::All, None, None)?).remove(&Cut::All).unwrap_or_default(),
                    quarter,
                ),
            };
            if let Some(f) = f {
                figures.push((a, f));
            }
        }
        Ok(Self { quarter, audience, figures })
    }
}

/// The review of `slug` for `quarter`, written on `today`, for `audience`; `Err` says why
/// there is none (no figures for it).
pub fn qbr(
    store: &dyn Store,
    card: &Scorecard,
    slug: &Slug,
    quarter: Quarter,
    today: NaiveDate,
    audience: Audience,
) -> steward_store::Result<Result<Qbr, String>> {
    qbr_among(store, card, slug, quarter, today, audience, None)
}

/// [`qbr`] with the peers of a batch, when they are of this quarter.
pub fn qbr_among(
    store: &dyn Store,
    card: &Scorecard,
    slug: &Slug,
    quarter: Quarter,
    today: NaiveDate,
    audience: Audience,
    peers: Option<&Peers>,
) -> steward_store::Result<Result<Qbr, String>> {
    let account = store.account(slug)?;
    let whole = series(store.metrics(slug, CutKind::All, None, None)?).remove(&Cut::All).unwrap_or_default();
    // The account's own figures of a quarter (and of a metro or worksite), for the audience.
    let client_whole = match audience {
        Audience::Client { threshold } => Some(client_months(store, slug, threshold, &Cut::All)?),
        Audience::Internal => None,
    };
    let of = |q: Quarter| match &client_whole {
        Some(months) => client_quarter_figures(months, q),
        None => quarter_figures(&whole, q),
    };
    let Some(figures) = of(quarter) else {
        return Ok(Err(format!("{} has no figures for {quarter}", account.name)));
    };
    let as_of = store.metrics_as_of(slug)?;
    let end = quarter.last_month().last_day();
    let (previous, year_ago) = (of(quarter.previous()), of(quarter.year_ago()));
    // The other accounts' same quarter, for the rates' medians (over five accounts or more,
    // which says nothing of any one of them).
    let loaded;
    let peers: &Peers = match peers.filter(|p| p.quarter == quarter && p.audience == audience) {
        Some(p) => p,
        None => {
            loaded = Peers::load(store, quarter, Some(account.segment), audience)?;
            &loaded
        }
    };
    let peers: Vec<&(Account, QuarterFigures)> =
        peers.figures.iter().filter(|(a, _)| a.slug != *slug && a.segment == account.segment).collect();
    let key_numbers: Vec<KeyNumber> = Key::ALL
        .iter()
        .filter(|key| client_whole.is_none() || **key != Key::NewEnrollments)
        .map(|&key| KeyNumber {
            key,
            value: key.of(&figures),
            previous: previous.as_ref().and_then(|f| key.of(f)),
            year_ago: year_ago.as_ref().and_then(|f| key.of(f)),
            peers: key.benchmarked().then(|| {
                let list: Vec<Peer> = peers
                    .iter()
                    .map(|(a, f)| Peer { segment: a.segment, industry: &a.industry, value: key.of(f) })
                    .collect();
                let mut b = peer_median(account.segment, &account.industry, &list);
                // A client is told the median as they read their own rates: to the point.
                if audience != Audience::Internal {
                    b.median = b.median.map(|m| key.rounded(m));
                }
                b
            }),
        })
        .collect();
    let trend = (0..TREND_QUARTERS).rev().map(|k| quarter.plus(-k)).filter_map(|q| of(q).map(|f| (q, f))).collect();
    let mut cuts = Vec::new();
    for (kind, word) in [(CutKind::Metro, "metro"), (CutKind::Worksite, "worksite")] {
        for (cut, months) in series(store.metrics(slug, kind, None, Some(quarter.last_month()))?) {
            let f = match audience {
                Audience::Client { threshold } => {
                    client_quarter_figures(&client_months(store, slug, threshold, &cut)?, quarter)
                }
                Audience::Internal => quarter_figures(&months, quarter),
            };
            if let Some(f) = f {
                let name = match &cut {
                    Cut::Metro(m) => m.display_name().to_owned(),
                    other => other.value().to_owned(),
                };
                cuts.push(CutRow { kind: word, name, figures: f });
            }
        }
    }
    let windows = Windows::default();
    let mut reader = crate::initiatives::Reader::new(store);
    let mut initiatives = Vec::new();
    for i in store.initiatives(Some(slug))? {
        let closes = i.timeline(&windows).outcome_closes();
        if i.status_on(end, &windows) == InitiativeStatus::Measured && closes <= end {
            let read = reader.impact(&i, &windows, end)?;
            initiatives.push(InitiativeRead::of(&i, &read, audience));
        }
    }
    let mut next_steps: Vec<String> = Vec::new();
    if audience == Audience::Internal {
        let mut open = store.tasks(&TaskFilter {
            account: Some(slug.clone()),
            status: Some(TaskStatus::Open),
            ..TaskFilter::default()
        })?;
        open.sort_by_key(|t| (t.due_date, t.id));
        next_steps.extend(open.iter().take(5).map(|t| match t.due_date {
            Some(d) => format!("{} (due {d})", t.title),
            None => t.title.clone(),
        }));
    }
    // What is still ahead at the quarter's end: an objective whose day has passed is judged,
    // not a next step.
    for o in store.objectives(slug)?.into_iter().filter(|o| !o.closed && o.target_date > end) {
        next_steps.push(format!("Success plan: {} by {}", o.title, o.target_date));
    }
    let internal = match audience {
        Audience::Client { .. } => None,
        Audience::Internal => {
            let data = AccountData::load(store, slug)?;
            let at_end = AccountSummary::of(&data, card, end);
            // Health as the history scores the quarter's last month: what was known of it then.
            let health = crate::history::score_months(card, &data, today)
                .months
                .into_iter()
                .find(|(m, _)| *m == quarter.last_month())
                .map(|(_, h)| h);
            Some(Internal {
                health,
                arr: at_end.arr,
                renewal: at_end.contract.as_ref().map(|c| c.end_date),
                notice_deadline: at_end.contract.as_ref().map(|c| c.notice_deadline()),
                at_risk: at_end.at_risk,
            })
        }
    };
    Ok(Ok(Qbr {
        summary: summary(&key_numbers),
        complete: as_of.is_some_and(|d| d >= end),
        account,
        quarter,
        as_of,
        figures,
        key_numbers,
        trend,
        cuts,
        initiatives,
        next_steps,
        audience,
        internal,
    }))
}
