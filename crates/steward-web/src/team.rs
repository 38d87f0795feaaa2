//! The director's view of the team: per account manager, their book's money, risk and
//! renewals, and how their work stands — from the book's rows and the open tasks, so it
//! agrees with every AM's own book and queue.

use crate::views::BookRow;
use chrono::{Days, NaiveDate};
use steward_domain::{AccountStatus, Email, Money, Task, User};

/// Tasks due within this many days are "due soon".
pub const DUE_SOON_DAYS: u64 = 7;

/// One account manager's line — or the accounts nobody owns (`email` `None`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TeamRow {
    pub email: Option<String>,
    pub name: String,
    pub accounts: usize,
    pub arr: String,
    pub arr_cents: i64,
    /// Live accounts in the red band.
    pub at_risk: usize,
    pub renewals_this_quarter: usize,
    pub renewals_next_quarter: usize,
    /// Open tasks past their due date, theirs (or, for nobody's accounts, on those accounts).
    pub overdue: usize,
    pub due_soon: usize,
    pub last_activity: Option<NaiveDate>,
}

/// The team on `today`: every active account manager (even with an empty book), then the
/// accounts with no owner when there are any. Accounts that left count nowhere.
pub fn team(managers: &[User], rows: &[BookRow], open: &[Task], today: NaiveDate) -> Vec<TeamRow> {
    let this_q = steward_domain::quarter::Quarter::of_day(today);
    let (this_q, next_q) = (this_q.to_string(), this_q.next().to_string());
    let line = |email: Option<&Email>, name: String| {
        let mine: Vec<&BookRow> = rows
            .iter()
            .filter(|r| r.status != AccountStatus::Churned.as_str())
            .filter(|r| r.owner.as_deref() == email.map(Email::as_str))
            .collect();
        // What their queue holds today: snoozed tasks are out of it until they wake.
        let tasks: Vec<&Task> = open
            .iter()
            .filter(|t| t.is_actionable(today))
            .filter(|t| match email {
                Some(e) => t.owner.as_ref() == Some(e),
                None => t.account.as_ref().is_some_and(|a| mine.iter().any(|r| r.slug == a.as_str())),
            })
            .collect();
        let arr_cents = mine.iter().filter_map(|r| r.arr_cents).sum::<i64>();
        TeamRow {
            email: email.map(|e| e.to_string()),
            name,
            accounts: mine.len(),
            arr: Money::from_cents(arr_cents).short(),
            arr_cents,
            at_risk: mine.iter().filter(|r| r.health.as_ref().is_some_and(|h| h.band == "red")).count(),
            renewals_this_quarter: mine.iter().filter(|r| r.renewal_quarter.as_deref() == Some(&this_q)).count(),
            renewals_next_quarter: mine.iter().filter(|r| r.renewal_quarter.as_deref() == Some(&next_q)).count(),
            overdue: tasks.iter().filter(|t| t.due_date.is_some_and(|d| d < today)).count(),
            due_soon: tasks
                .iter()
                .filter(|t| t.due_date.is_some_and(|d| d >= today && d <= today + Days::new(DUE_SOON_DAYS)))
                .count(),
            last_activity: mine.iter().filter_map(|r| r.last_activity).max(),
        }
    };
    let mut out: Vec<TeamRow> = managers.iter().map(|u| line(Some(&u.email), u.name.clone())).collect();
    let nobody = line(None, "No owner".into());
    if nobody.accounts > 0 {
        out.push(nobody);
    }
    out
}
