//! Program results as a client user sees them — the whole account, or one metro or
//! worksite — read from the store and passed through the one client-privacy function,
//! `steward_domain::suppression::client_figures`. The client page and the API's results
//! both read them here; nothing else a client sees is computed anywhere else.

use crate::error::WebError;
use steward_domain::metrics::Cut;
use steward_domain::suppression::ClientMonth;
use steward_domain::{Account, Metro};
use steward_store::{CutKind, Store};

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClientQuery {
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub cut: Option<String>,
}

/// `by=metro|worksite`, or the whole account when absent.
pub fn cut_kind(by: Option<&str>) -> Result<CutKind, WebError> {
    match by {
        None | Some("") => Ok(CutKind::All),
        Some("metro") => Ok(CutKind::Metro),
        Some("worksite") => Ok(CutKind::Worksite),
        Some(_) => Err(WebError::field("by", "by is metro or worksite")),
    }
}

/// The cut a query asks for: the whole account unless `by` and `cut` name one.
fn wanted(q: &ClientQuery) -> Result<Cut, WebError> {
    let cut = q.cut.as_deref().filter(|c| !c.is_empty());
    Ok(match (cut_kind(q.by.as_deref())?, cut) {
        (CutKind::All, _) | (_, None) => Cut::All,
        // A cut that names no metro names nothing here, like an unknown worksite.
        (CutKind::Metro, Some(m)) => {
            Cut::Metro(m.parse::<Metro>().map_err(|_| WebError::NotFound("that metro".into()))?)
        }
        (CutKind::Worksite, Some(w)) => Cut::Worksite(w.to_owned()),
    })
}

/// The client figures of the cut `q` asks for, complete months only.
pub fn client_results(
    store: &dyn Store,
    account: &Account,
    threshold: i64,
    q: &ClientQuery,
) -> Result<Vec<ClientMonth>, WebError> {
    Ok(steward_health::reports::client_months(store, &account.slug, threshold, &wanted(q)?)?)
}
