use crate::input::{TextKind, date_field, text_field};
use crate::{Email, Id, Money, ParseError, Slug, text_enum::text_enum};
use chrono::{DateTime, Datelike, NaiveDate, Utc};

text_enum! {
    /// PEPM: rate × eligible employees a month. PMPM: rate × enrolled members a month.
    /// Flat annual: a fee billed in twelfths.
    pub enum PricingModel ("pricing model") {
        Pepm = "pepm",
        Pmpm = "pmpm",
        FlatAnnual = "flat_annual",
    }
}

text_enum! {
    pub enum RenewalOutcome ("renewal outcome") {
        Renewed = "renewed",
        Churned = "churned",
        Pending = "pending",
    }
}

text_enum! {
    /// What a version of a contract records: its signing, an amendment of its terms, or
    /// the decision on its renewal.
    pub enum ChangeKind ("contract change") {
        Signed = "signed",
        Amended = "amended",
        Outcome = "outcome",
        /// Billing started: the term moved to begin on the day the client went live.
        Started = "started",
    }
}

text_enum! {
    /// A program metric a target is set on — a performance guarantee, a success-plan
    /// objective (DOMAIN.md definitions).
    pub enum TargetMetric ("program metric") {
        EnrollmentRate = "enrollment_rate",
        UtilizationRate = "utilization_rate",
        Nps = "nps",
    }
}

/// A graduated volume tier: units from `from_units` up (to the next tier's start) are
/// billed at `rate`. The first tier starts at 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Tier {
    pub from_units: i64,
    pub rate: Money,
}

/// An add-on service billed per event (onsite clinic days, flu-shot events).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AddOn {
    pub service: String,
    pub price_per_event: Money,
    pub events_per_year: i64,
}

/// A share of the annual fees put at risk against a program target: "5% of fees if the
/// enrollment rate is under 25% on 2026-12-31".
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Guarantee {
    pub metric: TargetMetric,
    /// A fraction for the rates (0.25), a score for NPS (40).
    pub target: f64,
    pub measured_on: NaiveDate,
    pub fees_at_risk_pct: f64,
}

impl TargetMetric {
    /// Refuses a target the metric cannot reach: rates are fractions, NPS a score.
    pub fn check_target(self, whose: &str, target: f64) -> Result<(), ParseError> {
        let (low, high) = match self {
            TargetMetric::Nps => (-100.0, 100.0),
            _ => (0.0, 1.0),
        };
        if (low..=high).contains(&target) {
            return Ok(());
        }
        Err(ParseError::new(format!("{whose} {} target is between {low} and {high}", self.as_str().replace('_', " "))))
    }

    /// A value as people read it: a rate as a percentage, NPS as a whole score.
    pub fn show(self, value: f64) -> String {
        match self {
            TargetMetric::Nps => format!("{value:.0}"),
            _ => format!("{:.1}%", 100.0 * value),
        }
    }
}

impl Guarantee {
    fn validate(&self) -> Result<(), ParseError> {
        self.metric.check_target("a guarantee's", self.target)?;
        if !(self.fees_at_risk_pct > 0.0 && self.fees_at_risk_pct <= 100.0) {
            return Err(ParseError::new("a guarantee puts between 0 and 100% of fees at risk"));
        }
        date_field("a guarantee's measurement date", Some(self.measured_on))
    }

    /// Met by a month's value of its metric; an unmeasured month does not meet it.
    pub fn met_by(&self, value: Option<f64>) -> bool {
        value.is_some_and(|v| v >= self.target)
    }
}

/// The priced part of a contract — what an amendment changes from its date.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Terms {
    pub pricing_model: PricingModel,
    /// Per employee or member per month, or the annual fee for flat-annual contracts.
    pub rate: Money,
    pub tiers: Vec<Tier>,
    pub annual_escalator_pct: f64,
    pub minimum_annual_commitment: Option<Money>,
    pub add_ons: Vec<AddOn>,
    pub guarantees: Vec<Guarantee>,
}

/// The largest price a contract may name: a billion dollars (so no bill can overflow).
pub const MAX_PRICE: Money = Money::from_cents(100_000_000_000);
/// The longest notice period a contract may ask for.
pub const MAX_NOTICE_DAYS: i64 = 3650;
/// The most units a tier may start at, or events a year an add-on may have.
pub const MAX_UNITS: i64 = 100_000_000;

impl Terms {
    pub fn validate(&self) -> Result<(), ParseError> {
        let prices = std::iter::once(self.rate)
            .chain(self.minimum_annual_commitment)
            .chain(self.tiers.iter().map(|t| t.rate))
            .chain(self.add_ons.iter().map(|a| a.price_per_event));
        for price in prices {
            if price.cents < 0 {
                return Err(ParseError::new("prices cannot be negative"));
            }
            if price > MAX_PRICE {
                return Err(ParseError::new(format!("prices above {MAX_PRICE} are not taken")));
            }
        }
        if self
            .tiers
            .iter()
            .map(|t| t.from_units)
            .chain(self.add_ons.iter().map(|a| a.events_per_year))
            .any(|n| n > MAX_UNITS)
        {
            return Err(ParseError::new(format!(
                "tiers and events a year stop at {}",
                crate::money::group_digits(MAX_UNITS as u64)
            )));
        }
        if !(0.0..=100.0).contains(&self.annual_escalator_pct) {
            return Err(ParseError::new("the annual escalator is a percentage from 0 to 100"));
        }
        if let Some(first) = self.tiers.first() {
            if first.from_units != 0 {
                return Err(ParseError::new("the first tier starts at 0 units"));
            }
            if self.tiers.windows(2).any(|w| w[1].from_units <= w[0].from_units) {
                return Err(ParseError::new("tiers must start at increasing volumes"));
            }
            if self.pricing_model == PricingModel::FlatAnnual {
                return Err(ParseError::new("a flat annual fee has no volume tiers"));
            }
        }
        if self.add_ons.iter().any(|a| a.events_per_year < 0) {
            return Err(ParseError::new("add-on events cannot be negative"));
        }
        // A year of an add-on is a price like any other: no bill can overflow.
        if self
            .add_ons
            .iter()
            .any(|a| i128::from(a.price_per_event.cents) * i128::from(a.events_per_year) > i128::from(MAX_PRICE.cents))
        {
            return Err(ParseError::new(format!("an add-on's year (price × events) above {MAX_PRICE} is not taken")));
        }
        for a in &self.add_ons {
            if a.service.trim().is_empty() {
                return Err(ParseError::new("an add-on names its service"));
            }
            text_field("an add-on's service", TextKind::Name, &a.service)?;
        }
        self.guarantees.iter().try_for_each(Guarantee::validate)
    }
}

/// One version of a contract: what changed, from when, who changed it and why. The
/// contract's history is these, oldest first; each holds the whole contract as it stood.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ContractChange {
    pub version: i64,
    pub kind: ChangeKind,
    /// The day the version's terms bill from (the start for the signed version).
    pub effective_from: NaiveDate,
    pub terms: Terms,
    pub end_date: NaiveDate,
    pub notice_days: i64,
    pub auto_renew: bool,
    pub renewal_outcome: RenewalOutcome,
    pub reason: String,
    pub changed_by: Option<Email>,
    pub changed_at: DateTime<Utc>,
}

/// Who made a change and why, as a contract's history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNote {
    pub by: Option<Email>,
    pub reason: String,
}

impl ChangeNote {
    pub fn new(by: Option<Email>, reason: impl Into<String>) -> Self {
        Self { by, reason: reason.into() }
    }

    pub fn validate(&self) -> Result<(), ParseError> {
        if self.reason.trim().is_empty() {
            return Err(ParseError::new("say why the contract changed (a reason)"));
        }
        text_field("the reason", TextKind::Summary, &self.reason)
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Contract {
    pub id: Id,
    pub account: Slug,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub pricing_model: PricingModel,
    /// Per employee or member per month, or the annual fee for flat-annual contracts.
    pub rate: Money,
    pub tiers: Vec<Tier>,
    pub annual_escalator_pct: f64,
    pub minimum_annual_commitment: Option<Money>,
    pub add_ons: Vec<AddOn>,
    pub guarantees: Vec<Guarantee>,
    /// The day these terms bill from: the start, or the date of the amendment that set them.
    /// The escalator raises them at each anniversary of the start after this day.
    pub terms_from: NaiveDate,
    pub renewal_outcome: RenewalOutcome,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Every version, oldest first (empty for a contract built in memory).
    pub history: Vec<ContractChange>,
}

/// The last day a client's users may use Steward: no end while the account is a client or
/// becoming one; for a churned account, `grace_days` after its last contract ended (so the
/// reports they were given stay theirs that long), and at once without a contract
/// (`NaiveDate::MIN`: the date is not one to show).
pub fn client_access_until(status: crate::AccountStatus, contracts: &[Contract], grace_days: u64) -> Option<NaiveDate> {
    if status != crate::AccountStatus::Churned {
        return None;
    }
    // A churned account with no contract on record has nothing to keep access for.
    let Some(ended) = contracts.iter().map(|c| c.end_date).max() else { return Some(NaiveDate::MIN) };
    // Grace past the last representable day means no end.
    ended.checked_add_days(chrono::Days::new(grace_days))
}

impl Contract {
    /// The last day to give notice of non-renewal.
    pub fn notice_deadline(&self) -> NaiveDate {
        self.end_date.checked_sub_days(chrono::Days::new(self.notice_days.max(0) as u64)).unwrap_or(self.start_date)
    }

    /// The renewal window opens 180 days before the contract ends.
    pub fn renewal_window_opens(&self) -> NaiveDate {
        self.end_date - chrono::Days::new(180)
    }

    pub fn term_months(&self) -> i64 {
        term_months(self.start_date, self.end_date)
    }

    /// A contract held in memory only (no id, no history): `terms` from `start` to `end`,
    /// renewal undecided — what a quote is priced as, and what tests build on.
    pub fn unsaved(account: Slug, (start, end): (NaiveDate, NaiveDate), terms: Terms) -> Contract {
        Contract {
            id: 0,
            account,
            start_date: start,
            end_date: end,
            auto_renew: false,
            notice_days: 0,
            pricing_model: terms.pricing_model,
            rate: terms.rate,
            tiers: terms.tiers,
            annual_escalator_pct: terms.annual_escalator_pct,
            minimum_annual_commitment: terms.minimum_annual_commitment,
            add_ons: terms.add_ons,
            guarantees: terms.guarantees,
            terms_from: start,
            renewal_outcome: RenewalOutcome::Pending,
            version: 0,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
            history: Vec::new(),
        }
    }

    /// In force on `day`: started and not yet ended.
    pub fn in_force(&self, day: NaiveDate) -> bool {
        self.start_date <= day && day <= self.end_date
    }

    /// The terms as they stand in the latest version.
    pub fn terms(&self) -> Terms {
        Terms {
            pricing_model: self.pricing_model,
            rate: self.rate,
            tiers: self.tiers.clone(),
            annual_escalator_pct: self.annual_escalator_pct,
            minimum_annual_commitment: self.minimum_annual_commitment,
            add_ons: self.add_ons.clone(),
            guarantees: self.guarantees.clone(),
        }
    }

    /// The contract as it bills on `day`: with the terms of the latest version in effect by
    /// then (an amendment bills from its date, not before); before the start (the first
    /// month of a term that starts mid-month), the terms it was signed on.
    ///
    /// An amendment that leaves the rates as they were (an add-on, a guarantee) keeps the
    /// raises they earned: the escalator counts from when those rates took effect.
    pub fn on(&self, day: NaiveDate) -> Contract {
        let priced = self.priced();
        let at = priced.iter().rposition(|c| c.effective_from <= day).or((!priced.is_empty()).then_some(0));
        let mut on = Contract { history: Vec::new(), ..self.clone() };
        if let Some(i) = at {
            let same_rates = |a: &Terms, b: &Terms| {
                a.pricing_model == b.pricing_model
                    && a.rate == b.rate
                    && a.tiers == b.tiers
                    && a.annual_escalator_pct == b.annual_escalator_pct
            };
            let mut since = i;
            while since > 0 && same_rates(&priced[since - 1].terms, &priced[i].terms) {
                since -= 1;
            }
            on.set_terms(&priced[i].terms, priced[since].effective_from);
        }
        on
    }

    fn set_terms(&mut self, terms: &Terms, from: NaiveDate) {
        self.pricing_model = terms.pricing_model;
        self.rate = terms.rate;
        self.tiers = terms.tiers.clone();
        self.annual_escalator_pct = terms.annual_escalator_pct;
        self.minimum_annual_commitment = terms.minimum_annual_commitment;
        self.add_ons = terms.add_ons.clone();
        self.guarantees = terms.guarantees.clone();
        self.terms_from = from;
    }

    /// The versions that set terms, oldest first. A term moved to start at go-live bills on
    /// its signed terms from then: the versions before the move priced a start that never was.
    fn priced(&self) -> Vec<&ContractChange> {
        let restarted = self.history.iter().rposition(|c| c.kind == ChangeKind::Started).unwrap_or(0);
        self.history[restarted..].iter().filter(|c| c.kind != ChangeKind::Outcome).collect()
    }

    /// The latest date an amendment took effect from (the start when there is none).
    pub fn last_effective(&self) -> NaiveDate {
        let amended = self.priced().iter().map(|c| c.effective_from).max();
        amended.unwrap_or(self.terms_from).max(self.terms_from).max(self.start_date)
    }

    /// The term moved to begin on `day`, as long as before (start, end; as many months when
    /// it ran whole months): billing starts the
    /// day the client goes live. Refused once its terms were amended or its renewal decided
    /// (those were agreed on the start as it stood), or when the moved term would share a day
    /// with another of `others` (the account's contracts).
    pub fn started_on(&self, day: NaiveDate, others: &[Contract]) -> Result<Started, ParseError> {
        if self.history.iter().any(|c| c.kind == ChangeKind::Amended) {
            return Err(ParseError::new(format!(
                "contract {}'s terms were amended, so its start is not moved; amend it to bill from {day}",
                self.id
            )));
        }
        if self.renewal_outcome != RenewalOutcome::Pending {
            return Err(ParseError::new(format!(
                "contract {}'s renewal is decided, so its start is not moved",
                self.id
            )));
        }
        // A term of whole months stays that many months: to the day before the same day of
        // the month n months on, or to the end of a month too short to have it (from Feb 29
        // a year runs to Feb 28); any other term keeps its days.
        let months = |from: NaiveDate| {
            let n = u32::try_from(self.term_months()).ok()?;
            let on = from.checked_add_months(chrono::Months::new(n))?;
            if on.day() == from.day() { on.pred_opt() } else { Some(on) }
        };
        let shift = day - self.start_date;
        let end = match months(self.start_date) {
            Some(end) if end == self.end_date => months(day).unwrap_or(self.end_date + shift),
            _ => self.end_date + shift,
        };
        let others: Vec<Contract> = others.iter().filter(|o| o.id != self.id).cloned().collect();
        check_no_overlap(&others, day, end)?;
        // A guarantee measured at the term's end still is; any other moves with the start.
        let mut terms = self.terms();
        for g in &mut terms.guarantees {
            g.measured_on = if g.measured_on == self.end_date { end } else { g.measured_on + shift };
        }
        Ok(Started { start: day, end, terms })
    }
}

/// A term moved to begin at go-live ([`Contract::started_on`]): its days, and its terms with
/// the guarantees' measurement dates moved with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Started {
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub terms: Terms,
}

/// The written forms of tiers, add-ons and guarantees, as flags and forms take them:
/// `5000:3.80`, `onsite_clinic_day:1800:12`, `enrollment_rate:0.25:2026-12-31:5`.
pub mod written {
    use super::{AddOn, Guarantee, Tier};
    use crate::{Money, ParseError};

    fn parts<'a>(text: &'a str, n: usize, form: &str) -> Result<Vec<&'a str>, ParseError> {
        let parts: Vec<&str> = text.trim().split(':').map(str::trim).collect();
        if parts.len() == n { Ok(parts) } else { Err(ParseError::new(format!("{text:?} is not written as {form}"))) }
    }

    fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, ParseError> {
        text.parse().map_err(|_| ParseError::new(format!("{text:?} is not a {what}")))
    }

    pub fn tier(text: &str) -> Result<Tier, ParseError> {
        let p = parts(text, 2, "UNITS:DOLLARS (5000:3.80)")?;
        Ok(Tier { from_units: number(p[0], "number of units")?, rate: Money::parse(p[1])? })
    }

    pub fn add_on(text: &str) -> Result<AddOn, ParseError> {
        let p = parts(text, 3, "SERVICE:DOLLARS_PER_EVENT:EVENTS_PER_YEAR (onsite_clinic_day:1800:12)")?;
        Ok(AddOn {
            service: p[0].to_owned(),
            price_per_event: Money::parse(p[1])?,
            events_per_year: number(p[2], "number of events")?,
        })
    }

    pub fn guarantee(text: &str) -> Result<Guarantee, ParseError> {
        let p = parts(text, 4, "METRIC:TARGET:MEASURED_ON:PERCENT (enrollment_rate:0.25:2026-12-31:5)")?;
        Ok(Guarantee {
            metric: p[0].parse()?,
            target: number(p[1], "target")?,
            measured_on: number(p[2], "date (YYYY-MM-DD)")?,
            fees_at_risk_pct: number(p[3], "percentage")?,
        })
    }

    /// Each of `lines` (blank ones skipped) read by `one`.
    pub fn lines<T>(lines: &str, one: fn(&str) -> Result<T, ParseError>) -> Result<Vec<T>, ParseError> {
        lines.lines().filter(|l| !l.trim().is_empty()).map(one).collect()
    }

    pub fn tier_text(t: &Tier) -> String {
        format!("{}:{}", t.from_units, t.rate.cents as f64 / 100.0)
    }

    pub fn add_on_text(a: &AddOn) -> String {
        format!("{}:{}:{}", a.service, a.price_per_event.cents as f64 / 100.0, a.events_per_year)
    }

    pub fn guarantee_text(g: &Guarantee) -> String {
        format!("{}:{}:{}:{}", g.metric, g.target, g.measured_on, g.fees_at_risk_pct)
    }
}

/// The first of `others` whose term shares a day with `start..=end`.
pub fn overlapping(others: &[Contract], start: NaiveDate, end: NaiveDate) -> Option<&Contract> {
    others.iter().find(|o| o.start_date <= end && start <= o.end_date)
}

/// Refuses a term that shares a day with another contract of the account.
pub fn check_no_overlap(others: &[Contract], start: NaiveDate, end: NaiveDate) -> Result<(), ParseError> {
    match overlapping(others, start, end) {
        Some(o) => Err(ParseError::new(format!(
            "the term overlaps contract {} ({} to {}); an account has one contract in force at a time",
            o.id, o.start_date, o.end_date
        ))),
        None => Ok(()),
    }
}

/// A change to a contract in force: new terms from a date (the first of a month, as billing
/// is monthly), and the term's end, notice and auto-renewal as they now stand.
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub effective_from: NaiveDate,
    pub terms: Terms,
    pub end_date: NaiveDate,
    pub notice_days: i64,
    pub auto_renew: bool,
}

impl Amendment {
    /// Nothing changed yet: the contract's latest terms, from `effective_from`.
    pub fn of(contract: &Contract, effective_from: NaiveDate) -> Self {
        Self {
            effective_from,
            terms: contract.terms(),
            end_date: contract.end_date,
            notice_days: contract.notice_days,
            auto_renew: contract.auto_renew,
        }
    }

    /// Refuses an amendment `contract` cannot take; `others` are the account's other contracts.
    pub fn validate(&self, contract: &Contract, others: &[Contract]) -> Result<(), ParseError> {
        date_field("the amendment's date", Some(self.effective_from))?;
        date_field("the end date", Some(self.end_date))?;
        if self.effective_from.day() != 1 {
            return Err(ParseError::new(format!(
                "an amendment takes effect on the first day of a month (billing is monthly), not {}",
                self.effective_from
            )));
        }
        if self.end_date <= contract.start_date {
            return Err(ParseError::new("a contract ends after it starts"));
        }
        if self.effective_from < contract.start_date || self.effective_from > self.end_date {
            return Err(ParseError::new(format!(
                "an amendment takes effect within the contract's term ({} to {})",
                contract.start_date, self.end_date
            )));
        }
        let last = contract.last_effective();
        if self.effective_from < last {
            return Err(ParseError::new(format!(
                "an amendment cannot take effect before the contract's latest terms ({last}); amend from then on"
            )));
        }
        if !(0..=MAX_NOTICE_DAYS).contains(&self.notice_days) {
            return Err(ParseError::new(format!("notice is 0 to {MAX_NOTICE_DAYS} days")));
        }
        self.terms.validate()?;
        let others: Vec<Contract> = others.iter().filter(|o| o.id != contract.id).cloned().collect();
        check_no_overlap(&others, contract.start_date, self.end_date)
    }
}

/// Whole months from start to the day after end (a 2024-01-01..2026-12-31 term is 36).
pub fn term_months(start: NaiveDate, end: NaiveDate) -> i64 {
    let after = end.succ_opt().unwrap_or(end);
    (after.year() - start.year()) as i64 * 12 + after.month() as i64 - start.month() as i64
}

#[derive(Debug, Clone)]
pub struct NewContract {
    pub account: Slug,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub auto_renew: bool,
    pub notice_days: i64,
    pub pricing_model: PricingModel,
    pub rate: Money,
    pub tiers: Vec<Tier>,
    pub annual_escalator_pct: f64,
    pub minimum_annual_commitment: Option<Money>,
    pub add_ons: Vec<AddOn>,
    pub guarantees: Vec<Guarantee>,
    pub renewal_outcome: RenewalOutcome,
}

impl NewContract {
    /// A term to sign on `terms`, its renewal undecided.
    pub fn of_terms(
        account: Slug,
        (start_date, end_date): (NaiveDate, NaiveDate),
        notice_days: i64,
        auto_renew: bool,
        terms: Terms,
    ) -> Self {
        NewContract {
            account,
            start_date,
            end_date,
            auto_renew,
            notice_days,
            pricing_model: terms.pricing_model,
            rate: terms.rate,
            tiers: terms.tiers,
            annual_escalator_pct: terms.annual_escalator_pct,
            minimum_annual_commitment: terms.minimum_annual_commitment,
            add_ons: terms.add_ons,
            guarantees: terms.guarantees,
            renewal_outcome: RenewalOutcome::Pending,
        }
    }

    /// Refuses a contract that cannot be signed; `others` are the account's contracts.
    pub fn validate(&self, others: &[Contract]) -> Result<(), ParseError> {
        date_field("the start date", Some(self.start_date))?;
        date_field("the end date", Some(self.end_date))?;
        if self.end_date <= self.start_date {
            return Err(ParseError::new("a contract ends after it starts"));
        }
        if !(0..=MAX_NOTICE_DAYS).contains(&self.notice_days) {
            return Err(ParseError::new(format!("notice is 0 to {MAX_NOTICE_DAYS} days")));
        }
        self.terms().validate()?;
        check_no_overlap(others, self.start_date, self.end_date)
    }

    pub fn terms(&self) -> Terms {
        Terms {
            pricing_model: self.pricing_model,
            rate: self.rate,
            tiers: self.tiers.clone(),
            annual_escalator_pct: self.annual_escalator_pct,
            minimum_annual_commitment: self.minimum_annual_commitment,
            add_ons: self.add_ons.clone(),
            guarantees: self.guarantees.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pepm(cents: i64) -> Terms {
        Terms {
            pricing_model: PricingModel::Pepm,
            rate: Money::from_cents(cents),
            tiers: vec![],
            annual_escalator_pct: 0.0,
            minimum_annual_commitment: None,
            add_ons: vec![],
            guarantees: vec![],
        }
    }

    /// ACME's PEPM contract at `cents` from `start` to `end`, 90 days' notice.
    fn contract(start: &str, end: &str, cents: i64) -> Contract {
        Contract {
            id: 1,
            notice_days: 90,
            ..Contract::unsaved(Slug::parse("acme").unwrap(), (d(start), d(end)), pepm(cents))
        }
    }

    #[test]
    fn term_and_deadlines() {
        assert_eq!(term_months(d("2024-01-01"), d("2026-12-31")), 36);
        assert_eq!(term_months(d("2024-07-15"), d("2025-07-14")), 12);
        let c = NewContract {
            account: Slug::parse("acme").unwrap(),
            start_date: d("2024-01-01"),
            end_date: d("2025-12-31"),
            auto_renew: true,
            notice_days: 90,
            pricing_model: PricingModel::Pepm,
            rate: Money::from_cents(450),
            tiers: vec![
                Tier { from_units: 0, rate: Money::from_cents(450) },
                Tier { from_units: 0, rate: Money::ZERO },
            ],
            annual_escalator_pct: 3.0,
            minimum_annual_commitment: None,
            add_ons: vec![],
            guarantees: vec![],
            renewal_outcome: RenewalOutcome::Pending,
        };
        assert!(c.validate(&[]).is_err(), "tiers must increase");
    }

    /// Every refusal is one line naming the rule, and nothing about the contract is changed
    /// by validating.
    #[test]
    fn amendments_are_refused_in_one_line() {
        let contract =
            Contract { terms_from: d("2025-07-01"), version: 2, ..contract("2025-01-01", "2026-12-31", 450) };
        let next = Contract { id: 2, start_date: d("2027-01-01"), end_date: d("2027-12-31"), ..contract.clone() };
        let others = [contract.clone(), next];
        let ok = Amendment::of(&contract, d("2026-03-01"));
        assert_eq!(ok.validate(&contract, &others), Ok(()));
        let refusal = |change: &dyn Fn(&mut Amendment)| {
            let mut a = ok.clone();
            change(&mut a);
            a.validate(&contract, &others).unwrap_err().0
        };
        assert!(refusal(&|a| a.effective_from = d("2026-03-15")).contains("first day of a month"));
        assert!(
            refusal(&|a| a.effective_from = d("2025-03-01"))
                .contains("before the contract's latest terms (2025-07-01)")
        );
        assert!(refusal(&|a| a.effective_from = d("2027-03-01")).contains("within the contract's term"));
        assert!(refusal(&|a| a.end_date = d("2024-12-31")).contains("ends after it starts"));
        assert!(refusal(&|a| a.end_date = d("2027-06-30")).contains("overlaps contract 2 (2027-01-01 to 2027-12-31)"));
        assert!(refusal(&|a| a.terms.rate = Money::from_cents(-1)).contains("cannot be negative"));
        assert!(
            refusal(&|a| {
                a.terms.tiers = vec![
                    Tier { from_units: 0, rate: Money::from_cents(450) },
                    Tier { from_units: 5_000, rate: Money::from_cents(400) },
                    Tier { from_units: 2_000, rate: Money::from_cents(300) },
                ]
            })
            .contains("increasing volumes")
        );
        assert!(
            refusal(&|a| a.terms.guarantees = vec![Guarantee {
                metric: TargetMetric::EnrollmentRate,
                target: 25.0,
                measured_on: d("2026-12-31"),
                fees_at_risk_pct: 5.0,
            }])
            .contains("target is between 0 and 1")
        );
        assert!(
            refusal(&|a| a.notice_days = 999_999_999).contains("notice is 0 to 3650 days"),
            "no deadline before any date"
        );
        for message in [refusal(&|a| a.notice_days = -1), refusal(&|a| a.terms.annual_escalator_pct = 300.0)] {
            assert!(!message.contains('\n'), "{message}");
        }
    }

    #[test]
    fn a_contract_bills_on_the_terms_in_effect() {
        let change = |version, kind, from: &str, cents| ContractChange {
            version,
            kind,
            effective_from: d(from),
            terms: pepm(cents),
            end_date: d("2026-12-31"),
            notice_days: 90,
            auto_renew: false,
            renewal_outcome: RenewalOutcome::Pending,
            reason: "why".into(),
            changed_by: None,
            changed_at: DateTime::<Utc>::MIN_UTC,
        };
        let mut c = Contract { terms_from: d("2026-01-01"), version: 4, ..contract("2025-01-01", "2026-12-31", 300) };
        c.history = vec![
            change(1, ChangeKind::Signed, "2025-01-01", 500),
            change(2, ChangeKind::Amended, "2025-06-01", 400),
            change(3, ChangeKind::Amended, "2026-01-01", 300),
            change(4, ChangeKind::Outcome, "2026-11-01", 999),
        ];
        let rate_on = |day: &str| (c.on(d(day)).rate.cents, c.on(d(day)).terms_from);
        assert_eq!(rate_on("2024-12-01"), (500, d("2025-01-01")), "a month before the start bills as signed");
        assert_eq!(rate_on("2025-05-31"), (500, d("2025-01-01")));
        assert_eq!(rate_on("2025-06-01"), (400, d("2025-06-01")));
        assert_eq!(rate_on("2026-12-01"), (300, d("2026-01-01")), "a renewal decision changes no terms");
    }

    /// Go-live on 2027-01-18 for a year signed from 2027-01-01: the term moves 17 days, and
    /// from then the contract bills from the go-live, its anniversaries counted from it.
    #[test]
    fn billing_starts_at_go_live() {
        let signed = |c: &Contract| ContractChange {
            version: 1,
            kind: ChangeKind::Signed,
            effective_from: c.start_date,
            terms: c.terms(),
            end_date: c.end_date,
            notice_days: 90,
            auto_renew: false,
            renewal_outcome: RenewalOutcome::Pending,
            reason: "signed".into(),
            changed_by: None,
            changed_at: DateTime::<Utc>::MIN_UTC,
        };
        let mut c = contract("2027-01-01", "2027-12-31", 450);
        c.annual_escalator_pct = 10.0;
        c.history = vec![signed(&c)];
        let earlier = Contract { id: 2, ..contract("2025-01-01", "2026-12-31", 400) };
        let days = |c: &Contract, day: &str| c.started_on(d(day), &[]).map(|s| (s.start, s.end));
        let moved = c.started_on(d("2027-01-18"), &[earlier.clone(), c.clone()]).unwrap();
        assert_eq!((moved.start, moved.end), (d("2027-01-18"), d("2028-01-17")));
        let odd = contract("2027-01-05", "2027-03-01", 450);
        assert_eq!(days(&odd, "2027-01-10"), Ok((d("2027-01-10"), d("2027-03-06"))), "not whole months: days");
        let leap = contract("2024-01-01", "2026-12-31", 450);
        assert_eq!(days(&leap, "2025-02-10"), Ok((d("2025-02-10"), d("2028-02-09"))), "36 months, not days");
        let year = contract("2024-01-01", "2024-12-31", 450);
        assert_eq!(days(&year, "2024-02-29"), Ok((d("2024-02-29"), d("2025-02-28"))), "a year from a leap day");
        assert_eq!(days(&year, "2024-01-31"), Ok((d("2024-01-31"), d("2025-01-30"))));
        assert_eq!(days(&year, "2027-03-01"), Ok((d("2027-03-01"), d("2028-02-29"))), "to a leap day");
        let month = contract("2024-01-01", "2024-01-31", 450);
        assert_eq!(days(&month, "2024-01-31"), Ok((d("2024-01-31"), d("2024-02-29"))), "to the end of a short month");
        let guaranteed = Contract {
            guarantees: vec![
                Guarantee {
                    metric: TargetMetric::Nps,
                    target: 40.0,
                    measured_on: d("2027-12-31"),
                    fees_at_risk_pct: 5.0,
                },
                Guarantee {
                    metric: TargetMetric::Nps,
                    target: 40.0,
                    measured_on: d("2027-06-30"),
                    fees_at_risk_pct: 5.0,
                },
            ],
            ..c.clone()
        };
        let measured: Vec<NaiveDate> = guaranteed
            .started_on(d("2027-01-18"), &[])
            .unwrap()
            .terms
            .guarantees
            .iter()
            .map(|g| g.measured_on)
            .collect();
        assert_eq!(measured, [d("2028-01-17"), d("2027-07-17")], "at the term's end, or moved with the start");
        let refusal = c.started_on(d("2026-12-20"), &[earlier, c.clone()]).unwrap_err().0;
        assert!(refusal.contains("overlaps contract 2"), "{refusal}");

        let mut moved = Contract {
            start_date: d("2027-01-18"),
            end_date: d("2028-01-17"),
            terms_from: d("2027-01-18"),
            ..c.clone()
        };
        moved.history.push(ContractChange { version: 2, kind: ChangeKind::Started, ..signed(&moved) });
        assert_eq!(moved.on(d("2027-06-01")).terms_from, d("2027-01-18"), "its years count from go-live");
        assert_eq!(moved.last_effective(), d("2027-01-18"));

        let mut amended = c.clone();
        amended.history.push(ContractChange { version: 2, kind: ChangeKind::Amended, ..signed(&c) });
        assert!(amended.started_on(d("2027-01-18"), &[]).unwrap_err().0.contains("amend it to bill from 2027-01-18"));
        let decided = Contract { renewal_outcome: RenewalOutcome::Renewed, ..c };
        assert!(decided.started_on(d("2027-01-18"), &[]).is_err());
    }

    #[test]
    fn a_churned_client_keeps_access_for_the_grace_days_after_its_last_contract() {
        use crate::AccountStatus::*;
        let contract =
            |end: &str| Contract { renewal_outcome: RenewalOutcome::Churned, ..contract("2023-01-01", end, 450) };
        let contracts = [contract("2024-12-31"), contract("2025-12-31")];
        assert_eq!(client_access_until(Live, &contracts, 90), None);
        assert_eq!(client_access_until(Churned, &contracts, 90), Some(d("2026-03-31")));
        assert_eq!(client_access_until(Churned, &contracts, u64::MAX), None, "endless grace: no end");
        assert_eq!(client_access_until(Churned, &[], 90), Some(NaiveDate::MIN), "no contract: ended");
    }
}
