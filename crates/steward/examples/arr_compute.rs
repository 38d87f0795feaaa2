//! How long ARR snapshots and retention take to compute for a whole book, apart from
//! reading its inputs: every account's contracts and whole-account metrics are read once
//! (timed on their own), then every account's snapshots at every month end and the
//! company's and each owner's retention are computed from them (timed), as the store does
//! on each write. `bench/commercial.sh` runs it on the 6,000-account book.
//! usage: cargo run --release --example arr_compute -- DATA_DIR [RUNS]

use std::collections::HashMap;
use std::time::Instant;
use steward_domain::arr::{Movement, retention, snapshots};
use steward_domain::metrics::MonthMetrics;
use steward_domain::{Month, Slug};
use steward_store::CutKind;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let data_dir = args.next().ok_or_else(|| anyhow::anyhow!("usage: arr_compute DATA_DIR [RUNS]"))?;
    let runs: usize = args.next().map_or(Ok(5), |r| r.parse())?;
    let settings = steward::Settings { data_dir: data_dir.into(), database_url: None };
    let store = steward::open::open_store(&settings)?;
    let read = Instant::now();
    let accounts = store.accounts()?;
    let mut inputs = Vec::with_capacity(accounts.len());
    for a in &accounts {
        let metrics: Vec<MonthMetrics> = store
            .metrics(&a.slug, CutKind::All, None, None)?
            .iter()
            .map(|(cut, m, c)| MonthMetrics::from_counts(*m, cut, c, None))
            .collect();
        inputs.push((a.slug.clone(), a.owner.clone(), store.contracts(&a.slug)?, metrics));
    }
    let read = read.elapsed();
    let month = Month::parse("2026-10")?;
    let mut times = Vec::new();
    let (mut count, mut grr) = (0, None);
    for _ in 0..runs {
        let started = Instant::now();
        let all: Vec<(&Slug, Vec<steward_domain::arr::ArrSnapshot>)> =
            inputs.iter().map(|(slug, _, contracts, metrics)| (slug, snapshots(contracts, metrics))).collect();
        let at = |snaps: &[steward_domain::arr::ArrSnapshot], m: Month| {
            snaps.iter().find(|s| s.month == m).map(|s| s.arr).unwrap_or_default()
        };
        let movements: Vec<Movement<Slug>> = all
            .iter()
            .map(|(slug, s)| Movement {
                key: (*slug).clone(),
                start_arr: at(s, month.plus(-12)),
                end_arr: at(s, month),
            })
            .collect();
        let company = retention(month, movements.clone());
        let mut by_owner: HashMap<Option<&steward_domain::Email>, Vec<Movement<Slug>>> = HashMap::new();
        for ((_, owner, _, _), m) in inputs.iter().zip(movements) {
            by_owner.entry(owner.as_ref()).or_default().push(m);
        }
        let owners: Vec<_> = by_owner.into_values().map(|ms| retention(month, ms)).collect();
        times.push(started.elapsed());
        count = all.iter().map(|(_, s)| s.len()).sum::<usize>();
        assert!(!owners.is_empty());
        grr = company.grr;
    }
    times.sort();
    println!(
        "{} accounts, {} account-month snapshots; read in {:.2} s; computed (snapshots + company and per-owner retention) in median {:.0} ms over {runs} runs; GRR {:.3}",
        accounts.len(),
        count,
        read.as_secs_f64(),
        times[times.len() / 2].as_secs_f64() * 1000.0,
        grr.unwrap_or_default()
    );
    Ok(())
}
