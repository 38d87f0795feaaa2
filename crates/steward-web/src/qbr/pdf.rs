//! The review as a PDF, typeset by Typst (`steward_pdf`): a cover, the same sections as the
//! HTML with tables that carry their header onto the next page, the pages' SVG charts as
//! vectors, and "page N of M" in the footer. The same review gives the same bytes.

use super::{change, count, key_value};
use crate::document::{standalone, table};
use crate::views::{self, percent};
use steward_domain::report::PeerBasis;
use steward_health::reports::{Audience, Qbr};
use steward_pdf::escape as e;

/// The PDF of the review.
pub fn pdf(q: &Qbr) -> Result<Vec<u8>, String> {
    let (f, a) = (&q.figures, q.audience);
    let charts = super::charts(q);
    let files: Vec<(&str, Vec<u8>)> = charts.iter().map(|(name, svg)| (*name, standalone(svg))).collect();
    let title = format!("{} · Quarterly business review {}", q.account.name, q.quarter);
    let version = match a {
        Audience::Internal => "internal version".to_owned(),
        Audience::Client { .. } => format!("prepared for {}", q.account.name),
    };
    let mut m = String::new();
    m.push_str(&crate::document::page_setup(&title, &format!("{title} · {version}")));
    // The cover.
    m.push_str(&format!(
        "#v(30%)\n#text(fill: luma(110))[Quarterly business review · {}]\n#v(0.5em)\n#text(size: 26pt, weight: \"bold\")[{}]\n\n#text(size: 16pt)[{}]\n\n#text(fill: luma(110))[{} · {}{}{}]\n#pagebreak()\n",
        e(&version),
        e(&q.account.name),
        e(&q.quarter.to_string()),
        e(&views::words(q.account.segment.as_str())),
        e(&q.account.industry),
        q.as_of.map(|d| format!(" · data as of {}", e(&d.to_string()))).unwrap_or_default(),
        if q.complete { String::new() } else { " · the quarter is not complete in the data".into() }
    ));
    m.push_str("== Executive summary\n");
    if q.summary.is_empty() {
        m.push_str("No key number moved much from the quarter before.\n");
    }
    for s in &q.summary {
        m.push_str(&format!("- {}\n", e(s)));
    }
    m.push_str("== Key numbers\n");
    let rows: Vec<Vec<String>> = q
        .key_numbers
        .iter()
        .map(|n| {
            let peer = n.peers.as_ref();
            vec![
                n.key.label().to_owned(),
                key_value(n, a),
                change(n.key, n.value, n.previous),
                change(n.key, n.value, n.year_ago),
                peer.and_then(|b| b.median).map_or("—".into(), |m| super::shown(n.key, Some(m))),
                peer.map_or("not benchmarked".into(), |b| match b.basis {
                    PeerBasis::None => "fewer than five peers".into(),
                    PeerBasis::Segment => format!("{} of the segment", b.peers),
                    PeerBasis::SegmentAndIndustry => format!("{} of the segment and industry", b.peers),
                }),
            ]
        })
        .collect();
    let quarter = q.quarter.to_string();
    m.push_str(&table(
        "(2fr, 1fr, 1fr, 1fr, 1fr, 1.6fr)",
        &["Measure", &quarter, "vs quarter before", "vs year before", "Peer median", "Peers"],
        &rows,
    ));
    m.push_str("== Enrollment and use\n#image(\"/funnel.svg\", width: 100%)\n#image(\"/rates.svg\", width: 100%)\n#image(\"/visits.svg\", width: 100%)\n");
    let responses = count(f.nps_responses, a);
    m.push_str(&match f.nps {
        Some(v) => format!("NPS for the quarter: *{}* from {} responses.\n", e(&format!("{v:.0}")), e(&responses)),
        None => format!("NPS for the quarter is not shown ({} responses; it takes 11).\n", e(&responses)),
    });
    if !q.cuts.is_empty() {
        m.push_str("== Metros and worksites at the quarter's end\n");
        let rows: Vec<Vec<String>> = q
            .cuts
            .iter()
            .map(|c| {
                vec![
                    format!("{} ({})", c.name, c.kind),
                    count(c.figures.eligible_lives, a),
                    count(c.figures.enrolled_members, a),
                    percent(c.figures.enrollment_rate),
                    percent(c.figures.utilization_rate),
                ]
            })
            .collect();
        m.push_str(&table(
            "(2fr, 1fr, 1fr, 1fr, 1fr)",
            &["Where", "Eligible", "Enrolled", "Enrollment", "Utilization"],
            &rows,
        ));
    }
    m.push_str("== Initiatives and their measured impact\n");
    if q.initiatives.is_empty() {
        m.push_str("No initiative's outcome window closed by the quarter's end.\n");
    }
    for i in &q.initiatives {
        let read = views::effect_text(i.effect, i.ci_low, i.ci_high, i.unit).map_or_else(
            || format!("no estimate: {}", i.reason.as_deref().unwrap_or("no reading")),
            |w| format!("{w} (95% interval)"),
        );
        m.push_str(&format!("- *{}* ({} to {}): {}\n", e(&i.title), i.start_date, i.end_date, e(&read)));
    }
    if let Some(internal) = &q.internal {
        m.push_str("== Health and the commercial position (internal)\n");
        let mut facts = vec![(
            "Health at the quarter's end".to_owned(),
            internal.health.as_ref().map_or("no score".into(), |h| format!("{:.0} ({})", h.score, h.band.as_str())),
        )];
        if let Some(h) = &internal.health {
            for d in h.drivers.iter().filter(|d| d.points_lost >= 0.5) {
                facts.push(("What pulls it down".into(), views::driver_text(d)));
            }
        }
        facts.push(("ARR".into(), internal.arr.map_or("no contract".into(), |a| a.to_string())));
        if let (Some(r), Some(n)) = (internal.renewal, internal.notice_deadline) {
            facts.push(("Renewal".into(), format!("{r} (notice by {n})")));
        }
        if let Some(at_risk) = internal.at_risk.filter(|m| m.cents > 0) {
            facts.push(("Fees at risk under guarantees".into(), at_risk.to_string()));
        }
        let rows: Vec<Vec<String>> = facts.into_iter().map(|(k, v)| vec![k, v]).collect();
        m.push_str(&table("(1fr, 2fr)", &["", ""], &rows));
    }
    m.push_str("== Next steps\n");
    if q.next_steps.is_empty() {
        m.push_str(if q.internal.is_some() {
            "No open tasks or success-plan objectives.\n"
        } else {
            "No open success-plan objectives.\n"
        });
    }
    for s in &q.next_steps {
        m.push_str(&format!("- {}\n", e(s)));
    }
    steward_pdf::typeset(&m, &files)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts;
    use crate::document::standalone;

    /// Every kind of chart the review draws is an SVG file Typst reads.
    #[test]
    fn the_charts_stand_alone() {
        let labels = vec!["2026-Q1".to_owned(), "2026-Q2".to_owned()];
        for svg in [
            views::funnel_chart("Funnel & more", Some(100), Some(40), Some(10), 0),
            charts::line_chart(
                "Rates",
                &labels,
                &[charts::Series::new("Enrollment", vec![Some(0.2), Some(0.3)])],
                charts::Unit::Percent,
            ),
            charts::stacked_bars(
                "Visits",
                &labels,
                &[charts::Bars::new("In office", vec![Some(3), Some(5)])],
                "visits",
            ),
        ] {
            let file = standalone(&svg);
            let made = steward_pdf::typeset("#image(\"/c.svg\")", &[("/c.svg", file.clone())]);
            assert!(made.is_ok(), "{made:?}\n{}", String::from_utf8_lossy(&file));
        }
    }
}
