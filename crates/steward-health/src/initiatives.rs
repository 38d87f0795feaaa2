//! An initiative's impact read from the pseudonymized ledgers: its account's worksites week
//! by week, the comparison (the account's untargeted worksites, or — when the whole account
//! was targeted — the worksites of the accounts of its segment closest to it in level and
//! trend before the start), the difference in differences with its interval, the pre-trend
//! check, and the weekly series the chart draws.

use chrono::NaiveDate;
use std::collections::HashMap;
use steward_domain::experiment::{Arm, Randomized};
use steward_domain::impact::{self, Cluster, GoalMetric, Target, Weeks};
use steward_domain::initiative::{Initiative, InitiativeStatus, Timeline, Windows};
use steward_domain::{Account, Id, Slug};
use steward_store::Store;

/// How many accounts of the segment a whole-account initiative is compared with…
pub const MATCHED_ACCOUNTS: usize = 5;
/// …chosen among this many of the segment closest to it in size, so a reading loads a
/// bounded number of ledgers however large the book.
pub const CANDIDATES: usize = 20;

/// One week of the chart: the target's and the comparison's metric.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct WeekPoint {
    pub week_ending: NaiveDate,
    pub target: Option<f64>,
    pub comparison: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Impact {
    pub initiative: Id,
    pub status: InitiativeStatus,
    pub metric: GoalMetric,
    pub unit: &'static str,
    pub method: String,
    /// Target's change minus comparison's; `None` with `reason`.
    pub effect: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// People (eligible on average over the baseline) on each side.
    pub target_n: Option<u64>,
    pub comparison_n: Option<u64>,
    /// Worksites on each side.
    pub clusters: Option<Clusters>,
    /// Target and comparison moving alike before the baseline; `None` when unchecked.
    pub pretrend_ok: Option<bool>,
    pub pretrend_difference: Option<f64>,
    pub warnings: Vec<String>,
    /// Why there is no estimate.
    pub reason: Option<String>,
    pub baseline: (NaiveDate, NaiveDate),
    pub outcome: (NaiveDate, NaiveDate),
    /// The accounts compared with, when the whole account was targeted.
    pub compared_with: Vec<Slug>,
    pub weeks: Vec<WeekPoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Clusters {
    pub target: usize,
    pub comparison: usize,
}

fn span(t: &Timeline, w: &std::ops::Range<usize>) -> (NaiveDate, NaiveDate) {
    (t.weeks.first + chrono::Days::new(7 * w.start as u64), t.weeks.last_day(w.end - 1))
}

/// The person-weighted metric of one side, week by week.
fn side_by_week(clusters: &[Cluster], target: bool, metric: GoalMetric, weeks: usize) -> Vec<Option<f64>> {
    (0..weeks)
        .map(|k| {
            let cells: Vec<_> =
                clusters.iter().filter(|c| c.target == target).filter_map(|c| c.weeks.get(k).copied()).collect();
            metric.over(&cells)
        })
        .collect()
}

/// Reads impacts, each account's ledger once: its worksites week by week on one grid of
/// weeks per weekday the initiatives start on, sliced for each initiative. The one to use
/// when reading many (`steward initiatives impact` without an id, a page listing several).
#[derive(Debug)]
pub struct Reader<'s> {
    store: &'s dyn Store,
    accounts: Option<Vec<Account>>,
    initiatives: Option<Vec<Initiative>>,
    grids: HashMap<(Slug, u32), Option<Grid>>,
    /// Each account's experiment treatments: their days and the experiment's name.
    treated: Option<Treated>,
    /// Each segment's accounts by size, and each account's initiatives' days.
    peers: Option<Peers>,
}

/// Each account's experiment treatments: their first and last days and the experiment's name.
type Treated = HashMap<Slug, Vec<(NaiveDate, NaiveDate, String)>>;

type Peers = (HashMap<steward_domain::Segment, Vec<Account>>, HashMap<Slug, Vec<(NaiveDate, NaiveDate)>>);

fn size(a: &Account) -> i64 {
    a.employee_count.unwrap_or(0)
}

/// An account's worksites on a grid of weeks, and the day its eligibility data runs to.
type Grid = (Weeks, Vec<Cluster>, Option<NaiveDate>);

impl<'s> Reader<'s> {
    pub fn new(store: &'s dyn Store) -> Self {
        Self { store, accounts: None, initiatives: None, grids: HashMap::new(), treated: None, peers: None }
    }

    /// A reader that takes every account from `accounts` (a caller holds them: the web
    /// app's book) instead of reading them all from the store.
    pub fn knowing(mut self, accounts: Vec<Account>) -> Self {
        self.accounts = Some(accounts);
        self
    }

    fn accounts(&mut self) -> steward_store::Result<&[Account]> {
        if self.accounts.is_none() {
            self.accounts = Some(self.store.accounts()?);
        }
        Ok(self.accounts.as_deref().unwrap_or_default())
    }

    fn initiatives(&mut self) -> steward_store::Result<&[Initiative]> {
        if self.initiatives.is_none() {
            self.initiatives = Some(self.store.initiatives(None)?);
        }
        Ok(self.initiatives.as_deref().unwrap_or_default())
    }

    /// The accounts an experiment's treatment arm reached (a segment test's treated accounts,
    /// a worksite test's account), with its days: their enrollment moved for that reason.
    fn treated(&mut self) -> steward_store::Result<&Treated> {
        if self.treated.is_none() {
            let mut treated: Treated = HashMap::new();
            for e in self.store.experiments(None)? {
                let span = (e.start_date, e.end_date, e.name.clone());
                match &e.randomized {
                    Randomized::Worksites { account } => treated.entry(account.clone()).or_default().push(span),
                    Randomized::Accounts { .. } => {
                        for a in e.assignments.iter().filter(|a| a.arm == Arm::Treatment) {
                            if let Ok(slug) = a.unit.parse() {
                                treated.entry(slug).or_default().push(span.clone());
                            }
                        }
                    }
                }
            }
            self.treated = Some(treated);
        }
        Ok(self.treated.get_or_insert_default())
    }

    /// The account's worksites over `weeks` as `target` marks them, and the last day its
    /// eligibility data runs to; `None` without member data.
    fn clusters(
        &mut self,
        slug: &Slug,
        weeks: Weeks,
        target: &Target,
    ) -> steward_store::Result<Option<(Vec<Cluster>, Option<NaiveDate>)>> {
        if let Target::Metros(_) = target {
            // Which worksites a metro holds is a question of its people: read them.
            let Some(stored) = self.store.ledger(slug)? else { return Ok(None) };
            return Ok(Some((impact::clusters(&stored.ledger, weeks, target), stored.ledger.eligibility_as_of)));
        }
        let weekday = chrono::Datelike::weekday(&weeks.first).num_days_from_monday();
        let key = (slug.clone(), weekday);
        if !self.grids.contains_key(&key) {
            let grid = match self.store.ledger(slug)? {
                None => None,
                Some(stored) => {
                    let l = &stored.ledger;
                    let first_day = l.people.values().flat_map(|p| p.eligibility.iter().map(|s| s.start)).min();
                    first_day.map(|day| {
                        // From the week holding the first eligible day, on this weekday, to a
                        // year past the data.
                        let back = (chrono::Datelike::weekday(&day).num_days_from_monday() + 7 - weekday) % 7;
                        let first = day - chrono::Days::new(u64::from(back));
                        let last = l.eligibility_as_of.unwrap_or(day) + chrono::Days::new(371);
                        let grid = Weeks { first, count: ((last - first).num_days() / 7 + 1) as usize };
                        (grid, impact::clusters(l, grid, &Target::Account), l.eligibility_as_of)
                    })
                }
            };
            self.grids.insert(key.clone(), grid);
        }
        let Some((grid, all, data_to)) = self.grids.get(&key).and_then(Option::as_ref) else { return Ok(None) };
        let offset = (weeks.first - grid.first).num_days().div_euclid(7);
        let sliced = all
            .iter()
            .map(|c| Cluster {
                name: c.name.clone(),
                target: match target {
                    Target::Worksites(names) => names.contains(&c.name),
                    _ => true,
                },
                weeks: (0..weeks.count as i64)
                    .map(|k| usize::try_from(offset + k).ok().and_then(|k| c.weeks.get(k)).copied().unwrap_or_default())
                    .collect(),
            })
            .collect();
        Ok(Some((sliced, *data_to)))
    }

    /// The [`CANDIDATES`] accounts of `account`'s segment closest to it in size (then by
    /// slug) with no initiative running between `from` and `to`. Found by widening a window
    /// around its place in the segment's accounts sorted by size, so a book of thousands is
    /// not sorted again for each initiative.
    fn nearest_peers(
        &mut self,
        account: &Account,
        from: NaiveDate,
        to: NaiveDate,
    ) -> steward_store::Result<Vec<Account>> {
        if self.peers.is_none() {
            let mut by_segment: HashMap<steward_domain::Segment, Vec<Account>> = HashMap::new();
            for a in self.accounts()?.to_vec() {
                by_segment.entry(a.segment).or_default().push(a);
            }
            for list in by_segment.values_mut() {
                list.sort_by_key(|a| (size(a), a.slug.clone()));
            }
            let mut running: HashMap<Slug, Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
            for i in self.initiatives()? {
                running.entry(i.account.clone()).or_default().push((i.start_date, i.end_date));
            }
            for (slug, spans) in self.treated()? {
                running.entry(slug.clone()).or_default().extend(spans.iter().map(|(s, e, _)| (*s, *e)));
            }
            self.peers = Some((by_segment, running));
        }
        let Some((by_segment, running)) = &self.peers else { return Ok(Vec::new()) };
        let Some(list) = by_segment.get(&account.segment) else { return Ok(Vec::new()) };
        let busy =
            |slug: &Slug| running.get(slug).is_some_and(|spans| spans.iter().any(|(s, e)| *s <= to && from <= *e));
        let me = size(account);
        let gap = |a: &Account| (size(a) - me).abs();
        let at = list.partition_point(|a| size(a) < me);
        let mut half = 2 * CANDIDATES;
        loop {
            let (lo, hi) = (at.saturating_sub(half), (at + half).min(list.len()));
            let mut window: Vec<&Account> =
                list[lo..hi].iter().filter(|a| a.slug != account.slug && !busy(&a.slug)).collect();
            window.sort_by_key(|a| (gap(a), a.slug.clone()));
            window.truncate(CANDIDATES);
            // Exact once nothing outside the window could come before the last one chosen.
            let outside = [lo.checked_sub(1).map(|k| gap(&list[k])), list.get(hi).map(gap)].into_iter().flatten().min();
            let settled = match (outside, window.last()) {
                (None, _) => true,
                (Some(o), Some(last)) => window.len() == CANDIDATES && gap(last) < o,
                (Some(_), None) => false,
            };
            if settled {
                return Ok(window.into_iter().cloned().collect());
            }
            half *= 2;
        }
    }

    /// The accounts of `account`'s segment closest to it before the start — by the metric's
    /// level over the baseline and its change over the pre-trend weeks, each in the metric's
    /// unit — among those with no initiative of their own over the windows.
    fn matched(
        &mut self,
        account: &Account,
        own: &[Cluster],
        metric: GoalMetric,
        t: &Timeline,
    ) -> steward_store::Result<(Vec<Slug>, Vec<Cluster>)> {
        let profile = |clusters: &[Cluster]| -> Option<(f64, f64)> {
            let cells = |w: &std::ops::Range<usize>| -> Vec<_> {
                clusters.iter().flat_map(|c| c.weeks.get(w.clone()).unwrap_or(&[]).iter().copied()).collect()
            };
            let half = t.pretrend.start + t.pretrend.len() / 2;
            let level = metric.over(&cells(&t.baseline))?;
            let trend =
                metric.over(&cells(&(half..t.pretrend.end)))? - metric.over(&cells(&(t.pretrend.start..half)))?;
            Some((level, trend))
        };
        let Some((level, trend)) = profile(own) else { return Ok((Vec::new(), Vec::new())) };
        // An account with an initiative of its own between the baseline and the outcome
        // window moved for its own reasons: it is no comparison.
        let (from, to) = (t.weeks.first + chrono::Days::new(7 * t.baseline.start as u64), t.outcome_closes());
        let peers = self.nearest_peers(account, from, to)?;
        let mut candidates = Vec::new();
        for other in peers {
            let Some((mut clusters, data_to)) = self.clusters(&other.slug, t.weeks, &Target::Account)? else {
                continue;
            };
            // A peer whose data stops before the outcome window closes has no outcome.
            if data_to.is_none_or(|d| d < to) {
                continue;
            }
            for c in &mut clusters {
                c.target = false;
                c.name = format!("{}/{}", other.slug, c.name);
            }
            if let Some((l, tr)) = profile(&clusters) {
                candidates.push(((l - level).abs() + (tr - trend).abs(), other.slug, clusters));
            }
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
        let chosen: Vec<_> = candidates.into_iter().take(MATCHED_ACCOUNTS).collect();
        let slugs = chosen.iter().map(|(_, s, _)| s.clone()).collect();
        Ok((slugs, chosen.into_iter().flat_map(|(_, _, c)| c).collect()))
    }
}

/// The impact of `initiative` as of `today` (one reading; [`Reader::impact`] for many).
pub fn impact(
    store: &dyn Store,
    initiative: &Initiative,
    windows: &Windows,
    today: NaiveDate,
) -> steward_store::Result<Impact> {
    Reader::new(store).impact(initiative, windows, today)
}

impl Reader<'_> {
    /// The impact of `initiative` as of `today`.
    pub fn impact(
        &mut self,
        initiative: &Initiative,
        windows: &Windows,
        today: NaiveDate,
    ) -> steward_store::Result<Impact> {
        let t = initiative.timeline(windows);
        let metric = initiative.metric;
        let account = self.store.account(&initiative.account)?;
        let (mut clusters, data_to) =
            self.clusters(&initiative.account, t.weeks, &initiative.target)?.unwrap_or_default();
        let mut compared_with = Vec::new();
        let mut report_notes = Vec::new();
        let from = t.weeks.first + chrono::Days::new(7 * t.baseline.start as u64);
        let closes_on = t.outcome_closes();
        if let Some(spans) = self.treated()?.get(&initiative.account) {
            for (_, _, name) in spans.iter().filter(|(s, e, _)| *s <= closes_on && from <= *e) {
                report_notes.push(format!(
                    "the experiment “{name}” treated this account between the baseline and the outcome window: what it did is in this estimate too"
                ));
            }
        }
        // Matching reads the peers' ledgers: only worth it once the impact can be read.
        let closes = t.outcome_closes();
        let method = if initiative.target == Target::Account && today <= closes {
            "difference in differences: the account's worksites against those of the accounts of its segment closest to it in level and trend before the start, chosen once the outcome window closes; a cluster-robust t interval over worksites".to_owned()
        } else if initiative.target == Target::Account {
            let (slugs, others) = self.matched(&account, &clusters, metric, &t)?;
            compared_with = slugs;
            clusters.extend(others);
            // Said plainly, so nobody reads more into the numbers than they hold.
            report_notes.push(
                "the comparison accounts were chosen for moving like this one before the baseline, so the pre-trend check confirms the match rather than tests it".to_owned(),
            );
            report_notes.push(
                "the targeted worksites all belong to one account and share its fortunes; the interval counts worksites, so a shock to the whole account can look like an effect".to_owned(),
            );
            format!(
                "difference in differences: the account's worksites against those of the {} accounts of its segment closest to it in level and trend before the start; a cluster-robust t interval over worksites",
                compared_with.len()
            )
        } else {
            "difference in differences: the targeted worksites against the account's other worksites; a cluster-robust t interval over worksites".to_owned()
        };
        let mut report = Impact {
            initiative: initiative.id,
            status: initiative.status_on(today, windows),
            metric,
            unit: metric.unit(),
            method,
            effect: None,
            ci_low: None,
            ci_high: None,
            target_n: None,
            comparison_n: None,
            clusters: None,
            pretrend_ok: None,
            pretrend_difference: None,
            warnings: report_notes,
            reason: None,
            baseline: span(&t, &t.baseline),
            outcome: span(&t, &t.outcome),
            compared_with,
            weeks: Vec::new(),
        };
        let shown_weeks = (0..t.weeks.count).filter(|k| data_to.is_some_and(|d| t.weeks.last_day(*k) <= d)).count();
        let (targets, comparisons) =
            (side_by_week(&clusters, true, metric, shown_weeks), side_by_week(&clusters, false, metric, shown_weeks));
        report.weeks = (0..shown_weeks)
            .map(|k| WeekPoint { week_ending: t.weeks.last_day(k), target: targets[k], comparison: comparisons[k] })
            .collect();
        if today <= closes {
            report.reason = Some(format!("the outcome window closes on {closes}; the impact is read after it"));
            return Ok(report);
        }
        match data_to {
            Some(d) if d >= closes => {}
            Some(d) => {
                report.reason =
                    Some(format!("the eligibility data runs to {d}; the outcome window closes on {closes}"));
                return Ok(report);
            }
            None => {
                report.reason = Some("the account has no eligibility data".into());
                return Ok(report);
            }
        }
        match impact::did(&clusters, metric, &t.baseline, &t.outcome) {
            Ok(e) => {
                report.effect = Some(e.effect);
                report.ci_low = Some(e.ci_low);
                report.ci_high = Some(e.ci_high);
                report.target_n = Some(e.target_n);
                report.comparison_n = Some(e.comparison_n);
                report.clusters = Some(Clusters { target: e.target_clusters, comparison: e.comparison_clusters });
                if e.target_clusters < 5 || e.comparison_clusters < 5 {
                    report.warnings.push(format!(
                        "{} targeted and {} comparison worksites: with so few the interval is wide",
                        e.target_clusters, e.comparison_clusters
                    ));
                }
            }
            Err(why) => report.reason = Some(why),
        }
        match impact::pretrend(&clusters, metric, &t.pretrend) {
            Ok(p) => {
                report.pretrend_ok = Some(p.ok);
                report.pretrend_difference = Some(p.difference);
                if !p.ok {
                    report.warnings.push(format!(
                    "before the baseline the target was already moving apart from the comparison ({:+.2} {} over the {} weeks before it): the estimate may carry that difference",
                    p.difference,
                    metric.unit(),
                    windows.pretrend_weeks
                ));
                }
            }
            Err(why) => report.warnings.push(format!("pre-trends were not checked: {why}")),
        }
        Ok(report)
    }
}

/// How long after an outcome window closes its "review the impact" task may still open.
pub const REVIEW_WITHIN_DAYS: u64 = 30;

/// Opens a task for the owner of each initiative (the account's owner when it has none)
/// whose outcome window closed within the last [`REVIEW_WITHIN_DAYS`]: the impact is there
/// to read. Once per initiative, however often it runs. Returns how many it opened.
pub fn open_reviews(store: &dyn Store, today: NaiveDate, only: Option<&[Slug]>) -> steward_store::Result<usize> {
    use steward_domain::{Department, NewTask, Priority, TaskSource};
    let windows = Windows::default();
    let mut opened = 0;
    let all = match only {
        Some(slugs) => {
            let mut v = Vec::new();
            for s in slugs {
                v.extend(store.initiatives(Some(s))?);
            }
            v
        }
        None => store.initiatives(None)?,
    };
    for i in all {
        let closes = i.timeline(&windows).outcome_closes();
        if !(closes < today && today <= closes + chrono::Days::new(REVIEW_WITHIN_DAYS)) {
            continue;
        }
        // Not before the data covers the window: the review would find no number yet.
        if store.metrics_as_of(&i.account)?.is_none_or(|d| d < closes) {
            continue;
        }
        let owner = match &i.owner {
            Some(o) => Some(o.clone()),
            None => store.account(&i.account)?.owner,
        };
        let task = NewTask {
            account: Some(i.account.clone()),
            title: format!("Review the impact of “{}”", i.title),
            detail: format!("Its outcome window closed on {closes}; the impact is on initiative {}'s page.", i.id),
            department: owner.is_none().then_some(Department::Operations),
            owner,
            due_date: Some(closes + chrono::Days::new(14)),
            priority: Priority::Normal,
            escalation: false,
            for_renewal: false,
            source: TaskSource::Playbook,
            // One for good: the key carries the window, so closing the task does not reopen it
            // while the window is unchanged.
            source_key: Some(format!("initiative:{}:review:{closes}", i.id)),
            objective: None,
        };
        let done_before = store
            .tasks(&steward_store::TaskFilter { account: Some(i.account.clone()), ..Default::default() })?
            .iter()
            .any(|t| t.source_key == task.source_key);
        if done_before {
            continue;
        }
        if let steward_store::TaskCreated::Created(_) = store.create_task(&task)? {
            opened += 1;
        }
    }
    Ok(opened)
}
