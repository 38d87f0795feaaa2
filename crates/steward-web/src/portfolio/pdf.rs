//! The portfolio report as a PDF, typeset by Typst (`steward_pdf`) in landscape: the
//! headline facts, then each table of [`super::tables`] with its header carried onto the
//! next page, and the pages' two charts as vectors. The same portfolio gives the same bytes.

use crate::document::{page_setup, standalone, table};
use steward_health::portfolio::Portfolio;
use steward_pdf::escape as e;

pub fn pdf(p: &Portfolio) -> Result<Vec<u8>, String> {
    let charts = super::charts(p);
    let files: Vec<(&str, Vec<u8>)> = charts.iter().map(|(name, svg)| (*name, standalone(svg))).collect();
    let title = format!("Portfolio report · as of {}", p.as_of);
    let mut m = page_setup(&title, &title);
    // The books' table is wide: the report is read across.
    m.push_str("#set page(flipped: true)\n");
    m.push_str(&format!("#text(size: 20pt, weight: \"bold\")[{}]\n\n", e(&title)));
    let facts: Vec<Vec<String>> = super::facts(p).into_iter().map(|(k, v)| vec![k, v]).collect();
    m.push_str(&table("(1fr, 1.6fr)", &["", ""], &facts));
    for t in super::tables(p) {
        m.push_str(&format!("== {}\n{}\n\n", e(&t.title), e(&t.note)));
        if let Some(chart) = t.chart {
            m.push_str(&format!("#image(\"{chart}\", width: 70%)\n"));
        }
        if t.rows.is_empty() {
            m.push_str(&format!("{}\n", e(&t.empty)));
            continue;
        }
        let header: Vec<&str> = t.header.iter().map(String::as_str).collect();
        let rows: Vec<Vec<String>> = t.rows.into_iter().map(|r| r.cells).collect();
        m.push_str(&table(t.columns, &header, &rows));
    }
    steward_pdf::typeset(&m, &files)
}
