//! "My work": one ranked list of what a user should do across their book — their open
//! tasks (their own, the alerts the playbooks opened for them, and for a colleague their
//! department's unowned ones) and, for whoever owns accounts, each renewal deadline that no
//! open task serves.
//!
//! Rows fall in three bands, in this order ([`Band`]):
//! 1. **Overdue** — tasks past their due date;
//! 2. **Renewal deadlines** — the work of a renewal whose notice deadline is within
//!    [`NOTICE_HORIZON_DAYS`] or whose contract ends within [`RENEWAL_HORIZON_DAYS`]: tasks
//!    that serve the renewal, and the deadline itself when no open task serves it;
//! 3. **Upcoming** — everything else.
//!
//! Within a band a score of 0–100 orders the rows, from three parts, each 0–1:
//! - **urgency** (weight 0.5) of the row's own date — a task's due date; for a task that
//!   serves the renewal the nearest of its due date, the notice deadline and the renewal —
//!   1 when overdue or today, falling linearly to 0 at 90 days out. A task that does not
//!   serve the renewal never borrows the account's deadlines;
//! - **money at stake** (0.25): the account's ARR, 1 at $1M or more, linear below;
//! - **health risk** (0.25): (100 − health) / 100, 0.5 when there is no score.
//!
//! Then 10 points for an escalation and 5 for an urgent task (capped at 100). Ties go to the
//! earlier date. Every row says why in one line ("notice deadline in 20 days · $540K ARR ·
//! health 46 (↓8)") and carries its score's parts for whoever asks.

use chrono::NaiveDate;
use steward_domain::words;
use steward_domain::{Money, Priority};

/// What ranks one row.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RankInputs {
    pub due: Option<NaiveDate>,
    pub renewal: Option<NaiveDate>,
    pub notice_deadline: Option<NaiveDate>,
    pub arr: Option<Money>,
    pub health: Option<f64>,
    pub health_change: Option<f64>,
    pub escalation: bool,
    pub priority: Option<Priority>,
    /// The row serves the account's renewal: its deadlines are the row's own.
    pub for_renewal: bool,
    /// Rank and explain by the task alone (due date, escalation, priority), not by the
    /// account's renewal, ARR or health: for colleagues, who may not see those.
    pub task_only: bool,
}

/// A notice deadline this close puts the renewal's work in the deadline band.
pub const NOTICE_HORIZON_DAYS: i64 = 60;
/// A contract ending this soon puts the renewal's work in the deadline band.
pub const RENEWAL_HORIZON_DAYS: i64 = 120;
const HORIZON_DAYS: f64 = 90.0;
const FULL_ARR_DOLLARS: f64 = 1_000_000.0;

/// Where a row stands in the queue; bands come first, the score orders within one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Band {
    Overdue,
    RenewalDeadline,
    Upcoming,
}

impl Band {
    pub const ALL: [Band; 3] = [Band::Overdue, Band::RenewalDeadline, Band::Upcoming];

    pub fn as_str(self) -> &'static str {
        match self {
            Band::Overdue => "overdue",
            Band::RenewalDeadline => "renewal_deadline",
            Band::Upcoming => "upcoming",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Band::Overdue => "Overdue",
            Band::RenewalDeadline => "Renewal deadlines",
            Band::Upcoming => "Upcoming",
        }
    }
}

/// One part of a score: what it is, in words, and the points it gives.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ScorePart {
    pub part: String,
    pub points: f64,
}

/// A row's place: its band, score and parts, and the one-line reason.
#[derive(Debug, Clone, PartialEq)]
pub struct Rank {
    pub band: Band,
    pub score: f64,
    pub parts: Vec<ScorePart>,
    pub reason: String,
}

fn urgency(days: i64) -> f64 {
    (1.0 - days.max(0) as f64 / HORIZON_DAYS).clamp(0.0, 1.0)
}

/// Whether the account's renewal is close enough for its work to be in the deadline band.
pub fn renewal_is_near(renewal: Option<NaiveDate>, notice_deadline: Option<NaiveDate>, today: NaiveDate) -> bool {
    let within =
        |d: Option<NaiveDate>, horizon: i64| d.is_some_and(|d| (0..=horizon).contains(&(d - today).num_days()));
    within(notice_deadline, NOTICE_HORIZON_DAYS) || within(renewal, RENEWAL_HORIZON_DAYS)
}

/// The band, score, parts and reason of a row as of `today`.
pub fn rank(inputs: &RankInputs, today: NaiveDate) -> Rank {
    let task_only;
    let inputs = if inputs.task_only {
        task_only = RankInputs {
            due: inputs.due,
            escalation: inputs.escalation,
            priority: inputs.priority,
            task_only: true,
            ..RankInputs::default()
        };
        &task_only
    } else {
        inputs
    };
    let days = |d: Option<NaiveDate>| d.map(|d| (d - today).num_days());
    // The row's own dates — the renewal's too when it serves the renewal — most pressing first.
    let mut dates: Vec<(i64, String)> = Vec::new();
    if let Some(n) = days(inputs.due) {
        dates.push((
            n,
            match n {
                ..0 => format!("overdue by {}", words::days(-n)),
                0 => "due today".into(),
                n => format!("due in {}", words::days(n)),
            },
        ));
    }
    if inputs.for_renewal {
        if let Some(n) = days(inputs.notice_deadline).filter(|n| *n >= 0) {
            dates.push((n, format!("notice deadline {}", words::from_today(n))));
        }
        if let Some(n) = days(inputs.renewal).filter(|n| *n >= 0) {
            dates.push((n, format!("renewal {}", words::from_today(n))));
        }
    }
    dates.sort_by_key(|(n, _)| *n);
    let band = if days(inputs.due).is_some_and(|n| n < 0) {
        Band::Overdue
    } else if inputs.for_renewal && renewal_is_near(inputs.renewal, inputs.notice_deadline, today) {
        Band::RenewalDeadline
    } else {
        Band::Upcoming
    };
    let mut parts = Vec::new();
    let mut reason: Vec<String> = Vec::new();
    let u = dates.first().map_or(0.0, |(n, _)| urgency(*n));
    let when = dates.first().map_or_else(|| "no date".to_owned(), |(_, w)| w.clone());
    parts.push(ScorePart { part: format!("Urgency: {when}"), points: 50.0 * u });
    if !dates.is_empty() {
        reason.push(when);
    }
    if !inputs.task_only {
        let m = inputs.arr.map_or(0.0, |a| (a.dollars() / FULL_ARR_DOLLARS).clamp(0.0, 1.0));
        let money = inputs.arr.filter(|a| a.cents > 0).map(|a| format!("{} ARR", a.short()));
        parts.push(ScorePart {
            part: format!("Money at stake: {}", money.clone().unwrap_or_else(|| "no ARR".into())),
            points: 25.0 * m,
        });
        reason.extend(money);
        let r = inputs.health.map_or(0.5, |h| ((100.0 - h) / 100.0).clamp(0.0, 1.0));
        let health = inputs.health.map(|h| {
            let arrow = match inputs.health_change {
                Some(c) if c <= -0.5 => format!(" (↓{:.0})", -c),
                Some(c) if c >= 0.5 => format!(" (↑{c:.0})"),
                _ => String::new(),
            };
            format!("health {h:.0}{arrow}")
        });
        parts.push(ScorePart {
            part: format!("Health risk: {}", health.clone().unwrap_or_else(|| "no score (counted as 50)".into())),
            points: 25.0 * r,
        });
        reason.extend(health);
    }
    if inputs.escalation {
        parts.push(ScorePart { part: "Escalation".into(), points: 10.0 });
        reason.push("escalation".into());
    }
    if inputs.priority == Some(Priority::Urgent) {
        parts.push(ScorePart { part: "Urgent".into(), points: 5.0 });
    }
    let score = parts.iter().map(|p| p.points).sum::<f64>().min(100.0);
    Rank { band, score, parts, reason: reason.join(" · ") }
}

/// One row of the queue: a task, or a renewal deadline no open task serves.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WorkRow {
    pub rank: usize,
    pub band: Band,
    /// What to do: the task's title, or the deadline's.
    pub task: String,
    /// `None` for a renewal deadline no open task serves.
    pub task_id: Option<i64>,
    pub account: Option<steward_domain::Slug>,
    /// The task's due date, or the deadline's date.
    pub due: Option<NaiveDate>,
    pub reason: String,
    pub score: f64,
    pub parts: Vec<ScorePart>,
}

impl WorkRow {
    fn new(
        task: String,
        task_id: Option<i64>,
        account: Option<steward_domain::Slug>,
        due: Option<NaiveDate>,
        r: Rank,
    ) -> Self {
        WorkRow { rank: 0, band: r.band, task, task_id, account, due, reason: r.reason, score: r.score, parts: r.parts }
    }
}

/// Bands first, then the score, then the earlier date (undated last), then the task.
pub fn order<T>(rows: &mut [(WorkRow, T)]) {
    rows.sort_by(|(a, _), (b, _)| {
        a.band
            .cmp(&b.band)
            .then(b.score.total_cmp(&a.score))
            .then((a.due.is_none(), a.due).cmp(&(b.due.is_none(), b.due)))
            .then(a.task_id.cmp(&b.task_id))
    });
    for (i, (r, _)) in rows.iter_mut().enumerate() {
        r.rank = i + 1;
    }
}

/// What ranks rows of one account (worked out once per account).
pub fn account_inputs(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    account: &steward_domain::Slug,
    today: NaiveDate,
) -> steward_store::Result<RankInputs> {
    let data = crate::history::AccountData::load(store, account)?;
    Ok(RankInputs::for_account(&crate::AccountSummary::of(&data, card, today)))
}

impl RankInputs {
    /// The account's part of a row's rank; the task adds its own due date and flags.
    pub fn for_account(summary: &crate::AccountSummary) -> Self {
        RankInputs {
            renewal: summary.renewal(),
            notice_deadline: summary.notice_deadline(),
            arr: summary.arr_at_stake(),
            health: summary.health.as_ref().map(|h| h.score),
            health_change: summary.health_change.as_ref().map(|c| c.delta),
            ..RankInputs::default()
        }
    }
}

/// The row of an account's renewal when no open task serves it.
pub fn deadline_row(account: &steward_domain::Slug, inputs: &RankInputs, today: NaiveDate) -> Option<WorkRow> {
    if !renewal_is_near(inputs.renewal, inputs.notice_deadline, today) {
        return None;
    }
    let renewal = inputs.renewal?;
    let notice = inputs.notice_deadline.filter(|d| *d >= today);
    let title = match notice {
        Some(n) => format!("Renewal on {renewal}, notice by {n}: no open task serves it"),
        None => format!("Renewal on {renewal}: no open task serves it"),
    };
    let inputs = RankInputs { due: None, for_renewal: true, escalation: false, priority: None, ..inputs.clone() };
    Some(WorkRow::new(title, None, Some(account.clone()), Some(notice.unwrap_or(renewal)), rank(&inputs, today)))
}

/// The open tasks that are the user's to do: theirs, and their department's unowned ones
/// (snoozed or not).
pub fn assigned_open(
    store: &dyn steward_store::Store,
    who: &steward_domain::User,
) -> steward_store::Result<Vec<steward_domain::Task>> {
    use steward_store::TaskFilter;
    let open =
        |filter: TaskFilter| store.tasks(&TaskFilter { status: Some(steward_domain::TaskStatus::Open), ..filter });
    let mut mine = open(TaskFilter { owner: Some(who.email.clone()), ..TaskFilter::default() })?;
    if let Some(department) = who.department {
        let theirs = open(TaskFilter { department: Some(department), ..TaskFilter::default() })?;
        mine.extend(theirs.into_iter().filter(|t| t.owner.is_none()));
    }
    Ok(mine)
}

/// The user's queue: their open tasks (theirs, and their department's unowned ones) and the
/// renewal deadlines of the accounts they own that no open task serves, ranked, each task
/// row with its task.
pub fn ranked(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    who: &steward_domain::User,
    today: NaiveDate,
) -> steward_store::Result<Vec<(WorkRow, Option<steward_domain::Task>)>> {
    let accounts = store.accounts()?;
    ranked_with(store, who, today, &accounts.iter().collect::<Vec<_>>(), |account| {
        account_inputs(store, card, account, today)
    })
}

/// [`ranked`], with every account and each account's part of the rank from
/// `account_inputs` (read once per account): a caller that already holds the accounts and
/// their summaries passes them in.
pub fn ranked_with(
    store: &dyn steward_store::Store,
    who: &steward_domain::User,
    today: NaiveDate,
    accounts: &[&steward_domain::Account],
    mut account_inputs: impl FnMut(&steward_domain::Slug) -> steward_store::Result<RankInputs>,
) -> steward_store::Result<Vec<(WorkRow, Option<steward_domain::Task>)>> {
    use std::collections::{HashMap, HashSet};
    use steward_domain::{AccountStatus, Role, TaskStatus};
    use steward_store::TaskFilter;
    let open = |filter: TaskFilter| store.tasks(&TaskFilter { status: Some(TaskStatus::Open), ..filter });
    let mut mine = assigned_open(store, who)?;
    let task_only = who.role == Role::Colleague;
    let mut per_account: HashMap<steward_domain::Slug, RankInputs> = HashMap::new();
    let mut inputs_of = |a: &steward_domain::Slug| -> steward_store::Result<RankInputs> {
        if let Some(i) = per_account.get(a) {
            return Ok(i.clone());
        }
        let i = account_inputs(a)?;
        per_account.insert(a.clone(), i.clone());
        Ok(i)
    };
    let mut rows = Vec::new();
    let mut team_reason: HashMap<i64, &'static str> = HashMap::new();
    let accounts = if task_only { &[][..] } else { accounts };
    // A renewal is served only by a renewal task in this person's own queue today: one they
    // gave a colleague (who ranks by the task alone) or snoozed leaves the deadline here.
    let served: HashSet<steward_domain::Slug> = mine
        .iter()
        .filter(|t| t.for_renewal && t.owner.as_ref() == Some(&who.email) && t.is_actionable(today))
        .filter_map(|t| t.account.clone())
        .collect();
    if who.role == Role::Director {
        // What the team let slip that is the director's to chase: overdue work on accounts
        // nobody owns, and overdue escalations, whoever holds them.
        let unowned: HashSet<&steward_domain::Slug> = accounts
            .iter()
            .filter(|a| a.owner.is_none() && a.status != AccountStatus::Churned)
            .map(|a| &a.slug)
            .collect();
        let listed: HashSet<&steward_domain::Slug> = accounts.iter().map(|a| &a.slug).collect();
        // An account newer than the caller's list is read to see whether anyone owns it.
        let nobody_owns = |a: &steward_domain::Slug| {
            if listed.contains(a) {
                unowned.contains(a)
            } else {
                store.account(a).is_ok_and(|x| x.owner.is_none() && x.status != AccountStatus::Churned)
            }
        };
        let held: HashSet<i64> = mine.iter().map(|t| t.id).collect();
        for t in open(TaskFilter::default())? {
            let overdue = t.due_date.is_some_and(|d| d < today);
            if !overdue || held.contains(&t.id) {
                continue;
            }
            let why = if t.account.as_ref().is_some_and(nobody_owns) {
                "the account has no owner"
            } else if t.escalation {
                "an escalation the team has not closed"
            } else {
                continue;
            };
            team_reason.insert(t.id, why);
            mine.push(t);
        }
    }
    for t in mine.into_iter().filter(|t| t.is_actionable(today)) {
        let mut inputs = match &t.account {
            Some(a) => inputs_of(a)?,
            None => RankInputs::default(),
        };
        inputs.due = t.due_date;
        inputs.escalation = t.escalation;
        inputs.priority = Some(t.priority);
        inputs.for_renewal = t.for_renewal;
        inputs.task_only = task_only;
        let mut row = WorkRow::new(t.title.clone(), Some(t.id), t.account.clone(), t.due_date, rank(&inputs, today));
        if let Some(why) = team_reason.get(&t.id) {
            row.reason = format!("{} · {why}", row.reason);
        }
        rows.push((row, Some(t)));
    }
    for account in accounts {
        let owned = account.owner.as_ref() == Some(&who.email) && account.status != AccountStatus::Churned;
        if !owned || served.contains(&account.slug) {
            continue;
        }
        let inputs = inputs_of(&account.slug)?;
        rows.extend(deadline_row(&account.slug, &inputs, today).map(|r| (r, None)));
    }
    order(&mut rows);
    Ok(rows)
}

/// The ranked rows of [`ranked`] for the user with this e-mail.
pub fn queue(
    store: &dyn steward_store::Store,
    card: &steward_domain::health::Scorecard,
    user: &steward_domain::Email,
    today: NaiveDate,
) -> steward_store::Result<Vec<WorkRow>> {
    let who = store.user(user)?;
    Ok(ranked(store, card, &who, today)?.into_iter().map(|(row, _)| row).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn ranked_by_hand() {
        let today = d("2026-06-01");
        let inputs = RankInputs {
            due: Some(d("2026-06-20")),
            renewal: Some(d("2026-07-12")),
            notice_deadline: None,
            arr: Some(Money::from_cents(120_000_000)),
            health: Some(38.0),
            health_change: Some(-12.0),
            escalation: false,
            priority: Some(Priority::High),
            for_renewal: false,
            task_only: false,
        };
        let r = rank(&inputs, today);
        // urgency: due in 19 days → 1 − 19/90 (the renewal is not this task's); money:
        // $1.2M → 1; risk: 0.62.
        let expected = 100.0 * (0.5 * (1.0 - 19.0 / 90.0) + 0.25 * 1.0 + 0.25 * 0.62);
        assert!((r.score - expected).abs() < 1e-9, "{} vs {expected}", r.score);
        assert_eq!((r.band, r.reason.as_str()), (Band::Upcoming, "due in 19 days · $1.2M ARR · health 38 (↓12)"));
        let parts: Vec<&str> = r.parts.iter().map(|p| p.part.as_str()).collect();
        assert_eq!(parts, ["Urgency: due in 19 days", "Money at stake: $1.2M ARR", "Health risk: health 38 (↓12)"]);
        // Serving the renewal, it takes the renewal's date: 41 days, and the deadline band.
        let renewal = rank(&RankInputs { due: Some(d("2026-08-30")), for_renewal: true, ..inputs.clone() }, today);
        assert_eq!(
            (renewal.band, renewal.reason.as_str()),
            (Band::RenewalDeadline, "renewal in 41 days · $1.2M ARR · health 38 (↓12)")
        );
        // A colleague's queue ranks and explains by the task alone.
        let alone = rank(&RankInputs { task_only: true, ..inputs }, today);
        assert_eq!(alone.reason, "due in 19 days");
        assert!((alone.score - 50.0 * (1.0 - 19.0 / 90.0)).abs() < 1e-9, "{}", alone.score);
    }

    #[test]
    fn overdue_escalations_rise_to_the_top() {
        let today = d("2026-06-01");
        let burning = RankInputs {
            due: Some(d("2026-05-25")),
            health: Some(40.0),
            escalation: true,
            priority: Some(Priority::Urgent),
            ..RankInputs::default()
        };
        let r = rank(&burning, today);
        assert_eq!((r.band, r.reason.as_str()), (Band::Overdue, "overdue by 7 days · health 40 · escalation"));
        // 50 × 1 + 25 × 0 + 25 × 0.6 = 65 → 65 + 10 + 5 = 80.
        assert!((r.score - 80.0).abs() < 1e-9);
        assert_eq!(r.parts.iter().map(|p| p.points).sum::<f64>(), r.score, "the parts add up to the score");
        let one = rank(&RankInputs { due: Some(d("2026-05-31")), ..RankInputs::default() }, today);
        assert_eq!(one.reason, "overdue by 1 day");
    }

    /// The morning of issue 11: a report due in 14 days came first, an overdue renewal task
    /// on an at-risk account renewing in 26 days sixth, and the only notice deadline sat
    /// under an unrelated report of its account. Ranked again: overdue work first, then the
    /// renewal deadlines — the one no task serves as its own row — then the rest, where the
    /// unrelated report no longer borrows its account's renewal.
    #[test]
    fn the_morning_of_issue_11() {
        let today = d("2026-12-02");
        let slug = |s: &str| steward_domain::Slug::parse(s).unwrap();
        let account = |renewal: &str, notice: &str, arr: i64, health: f64| RankInputs {
            renewal: Some(d(renewal)),
            notice_deadline: Some(d(notice)),
            arr: Some(Money::from_cents(arr * 100)),
            health: Some(health),
            ..RankInputs::default()
        };
        // Wren renews in 26 days and is at risk; Pike's notice deadline is in 12 days;
        // Lark is healthy with a renewal next autumn.
        let wren = account("2026-12-28", "2026-11-28", 540_000, 46.0);
        let pike = account("2027-02-28", "2026-12-14", 310_000, 62.0);
        let lark = account("2027-09-30", "2027-07-02", 900_000, 81.0);
        let task = |id: i64, title: &str, who: &RankInputs, due: &str, for_renewal: bool, account: &str| {
            let inputs = RankInputs { due: Some(d(due)), for_renewal, priority: Some(Priority::Normal), ..who.clone() };
            (WorkRow::new(title.into(), Some(id), Some(slug(account)), Some(d(due)), rank(&inputs, today)), ())
        };
        let mut rows = vec![
            task(1, "Send Q4 utilization report", &lark, "2026-12-16", false, "lark"),
            task(2, "Plan the open-enrollment webinar", &lark, "2026-12-09", false, "lark"),
            task(3, "Send Q4 utilization report", &wren, "2026-12-20", false, "wren"),
            task(4, "Confirm onsite flu-shot event dates", &pike, "2026-12-30", false, "pike"),
            task(5, "Prepare renewal pricing options", &wren, "2026-11-27", true, "wren"),
            task(6, "Schedule executive sponsor check-in", &lark, "2026-12-04", false, "lark"),
        ];
        rows.push((deadline_row(&slug("pike"), &pike, today).expect("Pike's notice deadline is near"), ()));
        assert!(deadline_row(&slug("lark"), &lark, today).is_none(), "a renewal next autumn is no deadline yet");
        order(&mut rows);
        let got: Vec<(Band, Option<i64>, &str)> =
            rows.iter().map(|(r, _)| (r.band, r.task_id, r.reason.as_str())).collect();
        assert_eq!(
            got,
            [
                (Band::Overdue, Some(5), "overdue by 5 days · $540K ARR · health 46"),
                (Band::RenewalDeadline, None, "notice deadline in 12 days · $310K ARR · health 62"),
                (Band::Upcoming, Some(6), "due in 2 days · $900K ARR · health 81"),
                (Band::Upcoming, Some(2), "due in 7 days · $900K ARR · health 81"),
                (Band::Upcoming, Some(1), "due in 14 days · $900K ARR · health 81"),
                (Band::Upcoming, Some(3), "due in 18 days · $540K ARR · health 46"),
                (Band::Upcoming, Some(4), "due in 28 days · $310K ARR · health 62"),
            ]
        );
        assert_eq!(rows[1].0.task, "Renewal on 2027-02-28, notice by 2026-12-14: no open task serves it");
    }
}
