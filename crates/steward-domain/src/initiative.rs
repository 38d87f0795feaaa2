//! Engagement initiatives: a push for a client's employees (a campaign, a webinar, a fair…)
//! with a target, dates, an owner, a cost and the metric it means to move. Its status comes
//! from its dates; its impact from [`crate::impact`] over the windows around them.

use crate::impact::{GoalMetric, Target, Weeks, Window};
use crate::input::{TextKind, date_field, text_field};
use crate::text_enum::text_enum;
use crate::{Email, Id, Money, ParseError, Slug};
use chrono::{DateTime, Days, NaiveDate, Utc};

text_enum! {
    pub enum InitiativeKind ("initiative kind") {
        EmailCampaign = "email_campaign",
        Webinar = "webinar",
        OnsiteEvent = "onsite_event",
        BenefitsFair = "benefits_fair",
        FluShotClinic = "flu_shot_clinic",
        ManagerToolkit = "manager_toolkit",
        Other = "other",
    }
}

text_enum! {
    /// Planned until it starts; live until its outcome window closes; then measured.
    pub enum InitiativeStatus ("initiative status") {
        Planned = "planned",
        Live = "live",
        Measured = "measured",
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Initiative {
    pub id: Id,
    pub account: Slug,
    pub kind: InitiativeKind,
    pub title: String,
    pub target: Target,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub owner: Option<Email>,
    /// What it cost us (internal; never shown to a client).
    pub cost: Option<Money>,
    pub metric: GoalMetric,
    pub notes: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewInitiative {
    pub account: Slug,
    pub kind: InitiativeKind,
    pub title: String,
    pub target: Target,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub owner: Option<Email>,
    pub cost: Option<Money>,
    pub metric: GoalMetric,
    pub notes: String,
}

/// The most an initiative may cost (a typo guard, as the OpenAPI document says).
pub const MAX_COST: Money = Money::from_cents(100_000_000_000);

/// The longest initiative: longer pushes are programs, not initiatives.
pub const MAX_DAYS: i64 = 366;

impl NewInitiative {
    pub fn validate(&self) -> Result<(), ParseError> {
        if self.title.trim().is_empty() {
            return Err(ParseError::new("an initiative has a title"));
        }
        text_field("an initiative's title", TextKind::Title, &self.title)?;
        text_field("the notes", TextKind::Summary, &self.notes)?;
        date_field("the start", Some(self.start_date))?;
        date_field("the end", Some(self.end_date))?;
        if self.end_date < self.start_date {
            return Err(ParseError::new(format!(
                "the initiative ends ({}) before it starts ({})",
                self.end_date, self.start_date
            )));
        }
        if (self.end_date - self.start_date).num_days() > MAX_DAYS {
            return Err(ParseError::new(format!("an initiative runs at most {MAX_DAYS} days")));
        }
        match &self.target {
            Target::Worksites(names) if names.is_empty() || names.iter().any(|n| n.trim().is_empty()) => {
                Err(ParseError::new("name the worksites it targets"))
            }
            Target::Worksites(names) => names.iter().try_for_each(|n| text_field("a worksite", TextKind::Name, n)),
            Target::Metros(metros) if metros.is_empty() => Err(ParseError::new("name the metros it targets")),
            _ => Ok(()),
        }?;
        if self.cost.is_some_and(|c| c.cents < 0) {
            return Err(ParseError::new("a cost cannot be negative"));
        }
        if self.cost.is_some_and(|c| c.cents > MAX_COST.cents) {
            return Err(ParseError::new(format!("a cost above {MAX_COST} is not taken")));
        }
        Ok(())
    }
}

/// The weeks around an initiative that its impact is read over (DOMAIN.md: 8 weeks before
/// the start, 8 after the end; pre-trends over the 26 before the baseline).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Windows {
    pub baseline_weeks: u32,
    pub outcome_weeks: u32,
    pub pretrend_weeks: u32,
}

impl Default for Windows {
    fn default() -> Self {
        Self { baseline_weeks: 8, outcome_weeks: 8, pretrend_weeks: 26 }
    }
}

/// An initiative's weeks: all of them, and the windows within.
#[derive(Debug, Clone, PartialEq)]
pub struct Timeline {
    pub weeks: Weeks,
    pub pretrend: Window,
    pub baseline: Window,
    /// The weeks it ran (between the windows).
    pub running: Window,
    pub outcome: Window,
}

impl Timeline {
    /// The last day of the outcome window: when the impact can be read.
    pub fn outcome_closes(&self) -> NaiveDate {
        self.weeks.last_day(self.outcome.end - 1)
    }
}

impl Initiative {
    /// Week 0 begins `pretrend + baseline` weeks before the start; the running weeks cover
    /// the start to the end; the outcome window follows them.
    pub fn timeline(&self, w: &Windows) -> Timeline {
        timeline(self.start_date, self.end_date, w)
    }

    pub fn status_on(&self, today: NaiveDate, w: &Windows) -> InitiativeStatus {
        if today < self.start_date {
            InitiativeStatus::Planned
        } else if today <= self.timeline(w).outcome_closes() {
            InitiativeStatus::Live
        } else {
            InitiativeStatus::Measured
        }
    }
}

/// The weeks of an initiative running `start..=end` ([`Initiative::timeline`]).
pub fn timeline(start: NaiveDate, end: NaiveDate, w: &Windows) -> Timeline {
    let before = (w.pretrend_weeks + w.baseline_weeks) as usize;
    let first = start - Days::new(7 * before as u64);
    let running = ((end - start).num_days() / 7 + 1) as usize;
    let outcome_start = before + running;
    let count = outcome_start + w.outcome_weeks as usize;
    Timeline {
        weeks: Weeks { first, count },
        pretrend: 0..w.pretrend_weeks as usize,
        baseline: w.pretrend_weeks as usize..before,
        running: before..outcome_start,
        outcome: outcome_start..count,
    }
}

/// A target as written on the command line: `account`, `worksite:NAME[,NAME…]` or
/// `metro:NAME[,NAME…]`.
pub fn parse_target(text: &str) -> Result<Target, ParseError> {
    let text = text.trim();
    if text == "account" {
        return Ok(Target::Account);
    }
    let list =
        |rest: &str| rest.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect::<Vec<_>>();
    match text.split_once(':') {
        Some(("worksite" | "worksites", rest)) => Ok(Target::Worksites(list(rest))),
        Some(("metro" | "metros", rest)) => {
            Ok(Target::Metros(list(rest).iter().map(|m| m.parse()).collect::<Result<_, _>>()?))
        }
        _ => Err(ParseError::new(format!("{text:?} is not a target: account, worksite:NAME[,…] or metro:NAME[,…]"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn fair() -> Initiative {
        Initiative {
            id: 1,
            account: Slug::parse("acme").unwrap(),
            kind: InitiativeKind::BenefitsFair,
            title: "Spring benefits fair".into(),
            target: Target::Worksites(vec!["Plant".into()]),
            start_date: d("2026-03-02"),
            end_date: d("2026-03-13"),
            owner: None,
            cost: None,
            metric: GoalMetric::EnrollmentRate,
            notes: String::new(),
            version: 1,
            created_at: DateTime::UNIX_EPOCH,
            updated_at: DateTime::UNIX_EPOCH,
        }
    }

    /// Two weeks from Monday 2026-03-02: week 0 is 34 weeks earlier (2025-07-07); baseline
    /// weeks 26–33 (2026-01-05 to 03-01); running 34–35; outcome 36–43, closing 2026-05-10.
    #[test]
    fn the_windows_around_an_initiative() {
        let t = fair().timeline(&Windows::default());
        assert_eq!(t.weeks.first, d("2025-07-07"));
        assert_eq!(
            (t.pretrend.clone(), t.baseline.clone(), t.running.clone(), t.outcome.clone()),
            (0..26, 26..34, 34..36, 36..44)
        );
        assert_eq!(t.weeks.last_day(t.baseline.end - 1), d("2026-03-01"), "the baseline ends the day before it starts");
        assert_eq!(t.outcome_closes(), d("2026-05-10"));
        let w = Windows::default();
        assert_eq!(fair().status_on(d("2026-03-01"), &w), InitiativeStatus::Planned);
        assert_eq!(fair().status_on(d("2026-05-10"), &w), InitiativeStatus::Live);
        assert_eq!(fair().status_on(d("2026-05-11"), &w), InitiativeStatus::Measured);
    }

    #[test]
    fn targets_are_written_as_people_type_them() {
        assert_eq!(parse_target("account"), Ok(Target::Account));
        assert_eq!(
            parse_target("worksite:Plant, Office"),
            Ok(Target::Worksites(vec!["Plant".into(), "Office".into()]))
        );
        assert_eq!(
            parse_target("metro:boston,seattle").unwrap(),
            Target::Metros(vec![crate::Metro::Boston, crate::Metro::Seattle])
        );
        assert!(parse_target("metro:atlantis").is_err());
        assert!(parse_target("everyone").unwrap_err().0.contains("account, worksite:NAME"));
    }
}
