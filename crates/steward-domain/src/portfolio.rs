//! The director's portfolio (DOMAIN.md "Reports"): each account manager's book — its
//! accounts, ARR and health bands — the renewals of the coming quarters by where each one
//! stands, and the accounts at risk, from what every account holds today. Retention and
//! goals are the commercial rules' own (`arr::retention`, `forecast::Goal`); the caller
//! joins them in.

use crate::forecast::Quarter;
use crate::health::{Band, Driver, HealthScore};
use crate::opportunity::{ForecastCategory, Opportunity, OpportunityKind, Stage};
use crate::{Account, AccountStatus, Email, Id, Money, RenewalOutcome, Slug, text_enum::text_enum};
use chrono::NaiveDate;
use std::collections::{BTreeMap, HashMap};

/// How many quarters of renewals the portfolio looks at, today's included.
pub const RENEWAL_QUARTERS: usize = 4;

/// One account as the portfolio reads it today.
#[derive(Debug, Clone, PartialEq)]
pub struct Holding {
    pub account: Account,
    pub arr: Option<Money>,
    pub health: Option<HealthScore>,
    /// Every contract term, whatever became of its renewal: a term renews (or not) at its
    /// end, and its renewal opportunity names it.
    pub terms: Vec<Term>,
    /// Fees at risk under the term's performance guarantees this month.
    pub fees_at_risk: Option<Money>,
}

/// A contract term as the portfolio reads it: its last day and the renewal decided on it
/// (a decision recorded on the contract needs no opportunity: the demo's past terms, a
/// renewal settled before the window opened).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Term {
    pub id: Id,
    pub end_date: NaiveDate,
    pub outcome: RenewalOutcome,
}

impl Holding {
    /// A client today: live, or implementing. Prospects and accounts that left count in
    /// no book's clients.
    fn is_client(&self) -> bool {
        matches!(self.account.status, AccountStatus::Live | AccountStatus::Implementing)
    }

    /// Whether `term` renews in the portfolio: a client's every term; an account that
    /// left, the term it left at the end of (the renewal it lost).
    fn renews(&self, term: &Term) -> bool {
        match self.account.status {
            AccountStatus::Live | AccountStatus::Implementing => true,
            AccountStatus::Churned => term.outcome == RenewalOutcome::Churned,
            AccountStatus::Prospect => false,
        }
    }

    fn arr_cents(&self) -> i64 {
        self.arr.map_or(0, |m| m.cents)
    }
}

/// Accounts and their ARR by health band; `unscored` have no score this month (no measure
/// had data, or the account is still implementing).
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct Bands {
    pub green: usize,
    pub yellow: usize,
    pub red: usize,
    pub unscored: usize,
    pub green_arr: Money,
    pub yellow_arr: Money,
    pub red_arr: Money,
    pub unscored_arr: Money,
}

impl Bands {
    fn add(&mut self, band: Option<Band>, arr: i64) {
        let (count, money) = match band {
            Some(Band::Green) => (&mut self.green, &mut self.green_arr),
            Some(Band::Yellow) => (&mut self.yellow, &mut self.yellow_arr),
            Some(Band::Red) => (&mut self.red, &mut self.red_arr),
            None => (&mut self.unscored, &mut self.unscored_arr),
        };
        *count += 1;
        money.cents += arr;
    }
}

/// One book: an account manager's (`owner`), or the accounts nobody owns (`owner` `None`);
/// also the company's total ([`Books::company`], `owner` `None` too).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct BookLine {
    pub owner: Option<Email>,
    pub name: String,
    pub accounts: usize,
    pub arr: Money,
    /// Of the company's ARR, a fraction; `None` when the company has none.
    pub share: Option<f64>,
    pub bands: Bands,
    pub fees_at_risk: Money,
    /// Terms ending in the portfolio's renewal quarters (a client that left this quarter's
    /// too), and the ARR they renew.
    pub renewals: usize,
    pub renewing_arr: Money,
}

impl BookLine {
    fn new(owner: Option<Email>, name: String) -> Self {
        Self {
            owner,
            name,
            accounts: 0,
            arr: Money::ZERO,
            share: None,
            bands: Bands::default(),
            fees_at_risk: Money::ZERO,
            renewals: 0,
            renewing_arr: Money::ZERO,
        }
    }

    fn add(&mut self, h: &Holding) {
        self.accounts += 1;
        self.arr.cents += h.arr_cents();
        self.bands.add(h.health.as_ref().map(|s| s.band), h.arr_cents());
        self.fees_at_risk.cents += h.fees_at_risk.map_or(0, |m| m.cents);
    }

    fn renew(&mut self, arr: i64) {
        self.renewals += 1;
        self.renewing_arr.cents += arr;
    }
}

text_enum! {
    /// Where a renewal stands: won or lost (by its opportunity, or as recorded on the
    /// term), its open opportunity's forecast category, or not opened (no opportunity yet:
    /// the window opens 180 days before the term ends).
    pub enum RenewalCall ("renewal call") {
        Won = "won",
        Commit = "commit",
        BestCase = "best_case",
        Pipeline = "pipeline",
        Omitted = "omitted",
        Lost = "lost",
        NotOpened = "not_opened",
    }
}

impl RenewalCall {
    /// Where the renewal of a term stands: its opportunity's standing, else the outcome
    /// recorded on the term.
    pub fn of(renewal: Option<&Opportunity>, outcome: RenewalOutcome) -> Self {
        match renewal {
            None => match outcome {
                RenewalOutcome::Renewed => RenewalCall::Won,
                RenewalOutcome::Churned => RenewalCall::Lost,
                RenewalOutcome::Pending => RenewalCall::NotOpened,
            },
            Some(o) => match (o.stage, o.forecast_category) {
                (Stage::ClosedWon, _) => RenewalCall::Won,
                (Stage::ClosedLost, _) => RenewalCall::Lost,
                (_, ForecastCategory::Commit) => RenewalCall::Commit,
                (_, ForecastCategory::BestCase) => RenewalCall::BestCase,
                (_, ForecastCategory::Pipeline) => RenewalCall::Pipeline,
                (_, ForecastCategory::Omitted) => RenewalCall::Omitted,
            },
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RenewalCall::Won => "Won",
            RenewalCall::Commit => "Commit",
            RenewalCall::BestCase => "Best case",
            RenewalCall::Pipeline => "Pipeline",
            RenewalCall::Omitted => "Omitted",
            RenewalCall::Lost => "Lost",
            RenewalCall::NotOpened => "Not opened",
        }
    }
}

/// The renewals of one call in one quarter: how many terms end, the ARR they renew (as their
/// renewal opportunity recorded it when it opened; the account's ARR today before it opens)
/// and the ARR change their opportunities expect (none for omitted, lost or unopened ones,
/// as the forecast counts none).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct RenewalCell {
    pub call: RenewalCall,
    pub renewals: usize,
    pub arr: Money,
    pub change: Money,
}

/// A quarter's renewals: a cell for every call, empty ones included, in `RenewalCall::ALL`'s order.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct RenewalQuarter {
    pub quarter: Quarter,
    pub cells: Vec<RenewalCell>,
    pub renewals: usize,
    pub arr: Money,
}

/// A client in the red band.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct AtRisk {
    pub slug: Slug,
    pub name: String,
    pub owner: Option<Email>,
    pub score: f64,
    /// What pulls the score down most.
    pub driver: Option<Driver>,
    pub arr: Money,
    /// Its next renewal not yet won (the first such term ending today or later) and where
    /// it stands.
    pub renewal: Option<NaiveDate>,
    pub call: Option<RenewalCall>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Books {
    /// Every manager given (an empty book too), then anyone else who owns an account (a
    /// former manager's book of accounts that left still has retention), then the accounts
    /// nobody owns when there are any.
    pub lines: Vec<BookLine>,
    /// Every client together (`owner` `None`, named "Company").
    pub company: BookLine,
    /// Today's quarter and the [`RENEWAL_QUARTERS`] − 1 after it.
    pub renewals: Vec<RenewalQuarter>,
    /// Largest ARR first.
    pub at_risk: Vec<AtRisk>,
}

/// The portfolio of `holdings` (every account, any status) on `today`: a book per manager
/// (`managers`: e-mail and name, in the order to show; `names` for other owners) counting
/// its clients, the terms ending in the coming quarters joined to their renewals
/// (`renewals`: matched by the contract term each renews) and the clients in the red band.
pub fn books(
    holdings: &[Holding],
    managers: &[(Email, String)],
    names: &HashMap<Email, String>,
    renewals: &[Opportunity],
    today: NaiveDate,
) -> Books {
    let quarters: Vec<Quarter> =
        std::iter::successors(Some(Quarter::of_day(today)), |q| Some(q.next())).take(RENEWAL_QUARTERS).collect();
    let window = |day: NaiveDate| quarters.iter().position(|q| q.contains(day));
    // A term has one renewal; were there two, the latest stands.
    let mut renewal_of: HashMap<Id, &Opportunity> = HashMap::new();
    for o in renewals.iter().filter(|o| o.kind == OpportunityKind::Renewal) {
        if let Some(term) = o.contract_id {
            let kept = renewal_of.entry(term).or_insert(o);
            if o.id > kept.id {
                *kept = o;
            }
        }
    }
    let mut lines: Vec<BookLine> = managers.iter().map(|(e, n)| BookLine::new(Some(e.clone()), n.clone())).collect();
    let line_of: HashMap<&Email, usize> = managers.iter().enumerate().map(|(at, (e, _))| (e, at)).collect();
    let mut others: BTreeMap<Email, BookLine> = BTreeMap::new();
    let mut nobody = BookLine::new(None, "No owner".into());
    let mut company = BookLine::new(None, "Company".into());
    let mut cells: Vec<Vec<RenewalCell>> = quarters
        .iter()
        .map(|_| {
            RenewalCall::ALL
                .iter()
                .map(|&call| RenewalCell { call, renewals: 0, arr: Money::ZERO, change: Money::ZERO })
                .collect()
        })
        .collect();
    let mut at_risk = Vec::new();
    // A prospect is in no book: no client, no term.
    for h in holdings.iter().filter(|h| h.account.status != AccountStatus::Prospect) {
        let line = match &h.account.owner {
            Some(e) => match line_of.get(e) {
                Some(&at) => &mut lines[at],
                None => others.entry(e.clone()).or_insert_with(|| {
                    BookLine::new(Some(e.clone()), names.get(e).cloned().unwrap_or_else(|| e.to_string()))
                }),
            },
            None => &mut nobody,
        };
        for term in h.terms.iter().filter(|t| h.renews(t)) {
            let Some(at) = window(term.end_date) else { continue };
            let renewal = renewal_of.get(&term.id).copied();
            let call = RenewalCall::of(renewal, term.outcome);
            let arr = renewal.and_then(|o| o.renewing_arr).map_or(h.arr_cents(), |m| m.cents);
            let cell = &mut cells[at][RenewalCall::ALL.iter().position(|c| *c == call).unwrap_or(0)];
            cell.renewals += 1;
            cell.arr.cents += arr;
            if !matches!(call, RenewalCall::Omitted | RenewalCall::Lost | RenewalCall::NotOpened) {
                cell.change.cents += renewal.map_or(0, |o| o.amount.cents);
            }
            line.renew(arr);
            company.renew(arr);
        }
        if !h.is_client() {
            continue;
        }
        line.add(h);
        company.add(h);
        if let Some(score) = h.health.as_ref().filter(|s| s.band == Band::Red) {
            let call = |t: &Term| RenewalCall::of(renewal_of.get(&t.id).copied(), t.outcome);
            let next = h
                .terms
                .iter()
                .filter(|t| t.end_date >= today && call(t) != RenewalCall::Won)
                .min_by_key(|t| t.end_date);
            at_risk.push(AtRisk {
                slug: h.account.slug.clone(),
                name: h.account.name.clone(),
                owner: h.account.owner.clone(),
                score: score.score,
                driver: score.drivers.first().cloned(),
                arr: Money::from_cents(h.arr_cents()),
                renewal: next.map(|t| t.end_date),
                call: next.map(call),
            });
        }
    }
    lines.extend(others.into_values());
    if holdings.iter().any(|h| h.account.owner.is_none() && h.account.status != AccountStatus::Prospect) {
        lines.push(nobody);
    }
    let total = company.arr.cents;
    for line in lines.iter_mut().chain(std::iter::once(&mut company)) {
        line.share = (total > 0).then(|| line.arr.cents as f64 / total as f64);
    }
    at_risk.sort_by(|a, b| b.arr.cents.cmp(&a.arr.cents).then_with(|| a.name.cmp(&b.name)));
    let renewals = quarters
        .into_iter()
        .zip(cells)
        .map(|(quarter, cells)| RenewalQuarter {
            quarter,
            renewals: cells.iter().map(|c| c.renewals).sum(),
            arr: Money::from_cents(cells.iter().map(|c| c.arr.cents).sum()),
            cells,
        })
        .collect();
    Books { lines, company, renewals, at_risk }
}

#[cfg(test)]
mod tests;
