//! Completing, snoozing and reassigning a task from any page, each naming the version it
//! saw: a task someone changed meanwhile is a conflict, never overwritten.

use super::conflict_page;
use crate::app::App;
use crate::auth::Viewer;
use crate::auth::safe_path;
use crate::error::{PageResult, WebError};
use crate::extract::Signed;
use crate::extract::page::Path;
use crate::tasks::{Change, apply};
use axum::extract::State;
use axum::response::{IntoResponse, Redirect};
use steward_domain::Email;

#[derive(Debug, serde::Deserialize)]
pub struct TaskAction {
    version: i64,
    #[serde(default)]
    back: String,
    /// Snooze until this day (YYYY-MM-DD).
    #[serde(default)]
    until: String,
    /// Reassign to this user.
    #[serde(default)]
    owner: String,
}

async fn act(app: App, viewer: Viewer, id: i64, form: TaskAction, change: Change) -> PageResult {
    let back = safe_path(&form.back, "/work").to_owned();
    let user = viewer.user.clone();
    let version = form.version;
    let task =
        app.run(move |store| apply(store, &user, id, version, change)).await.map_err(|e| conflict_page(e, &back))?;
    if let Some(account) = &task.account {
        app.account_changed(account).await;
    }
    Ok(Redirect::to(&back).into_response())
}

pub async fn complete(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    act(app, viewer, id, form, Change::Complete).await
}

pub async fn snooze(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let until = chrono::NaiveDate::parse_from_str(form.until.trim(), "%Y-%m-%d")
        .map_err(|_| WebError::field("until", "write the snooze date as YYYY-MM-DD"))?;
    let until = crate::tasks::snooze_until(until, app.today())?;
    act(app, viewer, id, form, Change::Snooze(until)).await
}

pub async fn reassign(
    State(app): State<App>,
    Path(id): Path<i64>,
    Signed { viewer, form }: Signed<TaskAction>,
) -> PageResult {
    let owner = Email::parse(form.owner.trim()).map_err(|_| WebError::field("owner", "choose who should do it"))?;
    act(app, viewer, id, form, Change::Reassign(owner)).await
}
