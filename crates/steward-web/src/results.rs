//! Program results as a client user sees them: every month of the account, or of one metro
//! or worksite, through small-cell suppression (`steward_domain::suppression`). The client
//! page and the API's metrics for client users both read them here.

use crate::error::WebError;
use std::collections::BTreeMap;
use steward_domain::metrics::MonthMetrics;
use steward_domain::suppression::{ClientMonth, Suppressor};
use steward_domain::{Account, Month};
use steward_store::{CutKind, Store};

#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ClientQuery {
    #[serde(default)]
    pub by: Option<String>,
    #[serde(default)]
    pub cut: Option<String>,
}

/// The suppressed months of the whole account, or of one metro or worksite (suppressed
/// together with its sibling cuts, which add up to the account).
pub fn client_months(
    store: &dyn Store,
    account: &Account,
    s: Suppressor,
    q: &ClientQuery,
) -> Result<Vec<ClientMonth>, WebError> {
    let kind = match q.by.as_deref() {
        Some("metro") => CutKind::Metro,
        Some("worksite") => CutKind::Worksite,
        _ => CutKind::All,
    };
    let rows = store.metrics(&account.slug, kind, None, None)?;
    let cut = q.cut.as_deref().filter(|c| !c.is_empty());
    if kind == CutKind::All || cut.is_none() {
        let all = if kind == CutKind::All { rows } else { store.metrics(&account.slug, CutKind::All, None, None)? };
        return Ok(all.iter().map(|(cut, m, c)| s.month(&MonthMetrics::from_counts(*m, cut, c))).collect());
    }
    let wanted = cut.unwrap_or_default();
    let mut by_month: BTreeMap<Month, Vec<MonthMetrics>> = BTreeMap::new();
    for (cut, m, c) in &rows {
        by_month.entry(*m).or_default().push(MonthMetrics::from_counts(*m, cut, c));
    }
    let mut out = Vec::new();
    for cuts in by_month.values() {
        let shown = s.cuts(cuts);
        if let Some(i) = cuts.iter().position(|m| {
            m.metro.map(|x| x.as_str().to_owned()).or_else(|| m.worksite.clone()).as_deref() == Some(wanted)
        }) {
            out.push(shown[i].clone());
        }
    }
    Ok(out)
}
