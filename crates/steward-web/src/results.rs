//! Program results as a client user sees them: every month of the account, or of one metro
//! or worksite, through small-cell suppression (`steward_domain::suppression`). The client
//! page and the API's metrics for client users both read them here.

use crate::error::WebError;
use std::collections::BTreeMap;
use steward_domain::metrics::{Cut, MonthCounts, MonthMetrics};
use steward_domain::suppression::{ProgramMonth, Suppressor};
use steward_domain::{Account, Month};
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

/// The suppressed months of the whole account, or of one metro or worksite — suppressed
/// together with its sibling cuts and with what the cuts leave out (people without a
/// worksite), since all of them add up to the account's total.
pub fn client_months(
    store: &dyn Store,
    account: &Account,
    s: Suppressor,
    q: &ClientQuery,
) -> Result<Vec<ProgramMonth>, WebError> {
    let kind = cut_kind(q.by.as_deref())?;
    let all = store.metrics(&account.slug, CutKind::All, None, None)?;
    let cut = q.cut.as_deref().filter(|c| !c.is_empty());
    let (Some(wanted), false) = (cut, kind == CutKind::All) else {
        return Ok(all.iter().map(|(cut, m, c)| s.month(&MonthMetrics::from_counts(*m, cut, c))).collect());
    };
    let mut by_month: BTreeMap<Month, Vec<(Cut, MonthCounts)>> = BTreeMap::new();
    for (cut, m, c) in store.metrics(&account.slug, kind, None, None)? {
        by_month.entry(m).or_default().push((cut, c));
    }
    let mut out = Vec::new();
    for (cut, month, total) in &all {
        let Some(cuts) = by_month.get(month) else { continue };
        let Some(i) = cuts.iter().position(|(c, _)| c.value() == wanted) else { continue };
        let mut months: Vec<MonthMetrics> = cuts.iter().map(|(c, n)| MonthMetrics::from_counts(*month, c, n)).collect();
        let covered = cuts.iter().fold(MonthCounts::default(), |sum, (_, n)| sum.plus(n));
        months.push(MonthMetrics::from_counts(*month, cut, &total.minus(&covered)));
        out.push(s.cuts(&months).swap_remove(i));
    }
    Ok(out)
}
