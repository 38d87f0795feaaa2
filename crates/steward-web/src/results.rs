//! Program results as a client user sees them: every month of the account, or of one metro
//! or worksite, through small-cell suppression (`steward_domain::suppression`). The client
//! page and the API's metrics for client users both read them here.

use crate::error::WebError;
use std::collections::{BTreeMap, HashMap};
use steward_domain::metrics::{Cut, MonthCounts, MonthMetrics};
use steward_domain::suppression::{ProgramMonth, Suppressor};
use steward_domain::{Account, Metro, Month};
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

/// The suppressed months of the whole account, or of one metro or worksite. A cut is
/// suppressed together with everything it adds up with: its sibling cuts, what the cuts
/// leave out (people without a worksite), and — for a worksite — the other worksites of its
/// metro, whose total the metro view shows.
pub fn client_months(
    store: &dyn Store,
    account: &Account,
    s: Suppressor,
    q: &ClientQuery,
) -> Result<Vec<ProgramMonth>, WebError> {
    let kind = cut_kind(q.by.as_deref())?;
    let all = store.metrics(&account.slug, CutKind::All, None, None)?;
    let as_of = store.metrics_as_of(&account.slug)?;
    let cut = q.cut.as_deref().filter(|c| !c.is_empty());
    let (Some(wanted), false) = (cut, kind == CutKind::All) else {
        return Ok(all.iter().map(|(cut, m, c)| s.month(&MonthMetrics::from_counts(*m, cut, c, as_of))).collect());
    };
    let by_month = |kind| -> Result<BTreeMap<Month, Vec<(Cut, MonthCounts)>>, WebError> {
        let mut out: BTreeMap<Month, Vec<(Cut, MonthCounts)>> = BTreeMap::new();
        for (cut, m, c) in store.metrics(&account.slug, kind, None, None)? {
            out.entry(m).or_default().push((cut, c));
        }
        Ok(out)
    };
    let metros = by_month(CutKind::Metro)?;
    let sites = if kind == CutKind::Worksite { by_month(CutKind::Worksite)? } else { BTreeMap::new() };
    let metro_of: HashMap<String, Metro> =
        store.worksites(&account.slug)?.into_iter().map(|w| (w.name, w.metro)).collect();
    let mut out = Vec::new();
    for (all_cut, month, total) in &all {
        let month_metros = metros.get(month).map_or(&[][..], Vec::as_slice);
        let cells = match kind {
            CutKind::Metro => Cells::metros(month_metros, total),
            _ => Cells::worksites(sites.get(month).map_or(&[][..], Vec::as_slice), month_metros, &metro_of, total),
        };
        let Some(i) = cells.cuts.iter().position(|(c, _)| c.value() == wanted) else { continue };
        let months: Vec<MonthMetrics> = cells
            .cuts
            .iter()
            .map(|(c, n)| MonthMetrics::from_counts(*month, c, n, as_of))
            .chain(cells.remainders.iter().map(|n| MonthMetrics::from_counts(*month, all_cut, n, as_of)))
            .collect();
        out.push(s.cuts(&months, &cells.groups).swap_remove(i));
    }
    Ok(out)
}

/// One month's cuts, the remainders they leave (never shown, but derivable), and the groups
/// of cells that add up to a total the viewer can see. Cells are numbered cuts first, then
/// remainders.
struct Cells {
    cuts: Vec<(Cut, MonthCounts)>,
    remainders: Vec<MonthCounts>,
    groups: Vec<Vec<usize>>,
}

impl Cells {
    fn metros(metros: &[(Cut, MonthCounts)], total: &MonthCounts) -> Cells {
        let covered = metros.iter().fold(MonthCounts::default(), |sum, (_, n)| sum.plus(n));
        Cells {
            cuts: metros.to_vec(),
            remainders: vec![total.minus(&covered)],
            groups: vec![(0..=metros.len()).collect()],
        }
    }

    fn worksites(
        sites: &[(Cut, MonthCounts)],
        metros: &[(Cut, MonthCounts)],
        metro_of: &HashMap<String, Metro>,
        total: &MonthCounts,
    ) -> Cells {
        let n = sites.len();
        let mut remainders = Vec::new();
        let mut groups = Vec::new();
        for (metro_cut, metro_total) in metros {
            let members: Vec<usize> = (0..n)
                .filter(|i| metro_of.get(sites[*i].0.value()).map(|m| m.as_str()) == Some(metro_cut.value()))
                .collect();
            let covered = members.iter().fold(MonthCounts::default(), |sum, i| sum.plus(&sites[*i].1));
            remainders.push(metro_total.minus(&covered));
            groups.push(members.into_iter().chain([n + remainders.len() - 1]).collect());
        }
        let in_metros = metros.iter().fold(MonthCounts::default(), |sum, (_, c)| sum.plus(c));
        remainders.push(total.minus(&in_metros));
        // Every worksite, every metro's remainder and the account's add up to the account.
        groups.push((0..n + remainders.len()).collect());
        Cells { cuts: sites.to_vec(), remainders, groups }
    }
}
