use super::{outln, print_json, print_table, thousands};
use crate::Settings;
use crate::cli::{ByArg, MetricsArgs};
use anyhow::Result;
use steward_domain::metrics::MonthMetrics;
use steward_store::CutKind;

pub fn run(settings: &Settings, args: MetricsArgs) -> Result<()> {
    let store = crate::open::open_store(settings)?;
    let kind = match args.by {
        None => CutKind::All,
        Some(ByArg::Metro) => CutKind::Metro,
        Some(ByArg::Worksite) => CutKind::Worksite,
    };
    let metrics_of = |slug: &steward_domain::Slug| -> Result<Vec<MonthMetrics>> {
        let as_of = store.metrics_as_of(slug)?;
        Ok(store
            .metrics(slug, kind, args.from, args.to)?
            .iter()
            .map(|(cut, month, counts)| MonthMetrics::from_counts(*month, cut, counts, as_of))
            .collect())
    };
    let Some(account) = &args.account else {
        // Every account: one document, each row naming its account.
        if !args.json {
            anyhow::bail!("metrics for every account come as JSON only: add --json, or name one with --account SLUG");
        }
        #[derive(serde::Serialize)]
        struct Row<'a> {
            account: &'a str,
            #[serde(flatten)]
            metrics: &'a MonthMetrics,
        }
        let mut all = Vec::new();
        for a in store.accounts()? {
            all.push((a.slug.to_string(), metrics_of(&a.slug)?));
        }
        let rows: Vec<Row> =
            all.iter().flat_map(|(slug, ms)| ms.iter().map(move |m| Row { account: slug, metrics: m })).collect();
        return print_json(&rows);
    };
    let rows = metrics_of(account)?;
    if args.json {
        return print_json(&rows);
    }
    if rows.is_empty() {
        outln!("{account} has no metrics yet: import its eligibility first");
        return Ok(());
    }
    let pct = |r: Option<f64>| r.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", 100.0 * r));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|m| {
            let cut = m.metro.map(|x| x.to_string()).or_else(|| m.worksite.clone()).unwrap_or_default();
            vec![
                if m.partial { format!("{} (to date)", m.month) } else { m.month.to_string() },
                cut,
                thousands(m.eligible_lives),
                thousands(m.enrolled_members),
                pct(m.enrollment_rate),
                thousands(m.new_enrollments),
                thousands(m.visits_in_office + m.visits_video + m.visits_remote_other),
                pct(m.utilization_rate),
                m.visits_per_1000.map_or_else(|| "—".into(), |v| format!("{v:.0}")),
                pct(m.virtual_share),
                m.nps.map_or_else(|| "—".into(), |v| format!("{v:.0} ({})", m.nps_responses)),
                m.unmatched_visits.map(thousands).unwrap_or_default(),
            ]
        })
        .collect();
    print_table(
        &[
            "month",
            "cut",
            "eligible",
            "enrolled",
            "enrolled %",
            "new",
            "visits",
            "utilization",
            "visits/1000",
            "virtual",
            "nps (n)",
            "unmatched",
        ],
        &table,
    )?;
    Ok(())
}
