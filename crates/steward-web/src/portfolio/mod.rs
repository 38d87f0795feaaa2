//! The director's portfolio report as a document: the page and its HTML file (print-ready,
//! the same SVG charts as the pages), a PDF and a tidy CSV, from
//! `steward_health::portfolio::Portfolio`. Every table is written once, as text ([`tables`]),
//! and the HTML and the PDF lay out the same cells.

use crate::charts::{self, Bars};
use crate::error::WebError;
use crate::views::{self, percent};
use minijinja::context;
use steward_domain::portfolio::{BookLine, RenewalCall};
use steward_domain::{Email, Money};
use steward_health::portfolio::Portfolio;
use steward_health::revenue::RetentionRow;

mod pdf;
pub use pdf::pdf;

/// A table of the report, its cells as people read them.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Table {
    pub id: &'static str,
    pub title: String,
    /// Said under the title: what the table counts.
    pub note: String,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
    /// Said instead of an empty table.
    pub empty: String,
    /// The chart drawn above it: its file's name in [`charts`].
    pub chart: Option<&'static str>,
    /// Typst column widths, the first column wider.
    #[serde(skip)]
    pub columns: &'static str,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Row {
    pub cells: Vec<String>,
    /// Where the first cell leads on the page.
    pub href: Option<String>,
    /// A total.
    pub total: bool,
}

fn row(cells: Vec<String>) -> Row {
    Row { cells, href: None, total: false }
}

/// A book's retention; the company's for `None`.
fn retention<'a>(p: &'a Portfolio, book: Option<&BookLine>) -> Option<&'a RetentionRow> {
    match book {
        None => p.retention.first(),
        Some(l) => p.retention_of(l.owner.as_ref()),
    }
}

/// GRR and NRR as read.
fn rates(r: Option<&RetentionRow>) -> (String, String) {
    (percent(r.and_then(|r| r.retention.grr)), percent(r.and_then(|r| r.retention.nrr)))
}

/// The headline: the company's book in a few facts.
pub fn facts(p: &Portfolio) -> Vec<(String, String)> {
    let c = &p.books.company;
    let (grr, nrr) = rates(retention(p, None));
    vec![
        ("Clients".into(), views::thousands(c.accounts as i64)),
        ("ARR".into(), c.arr.to_string()),
        ("ARR in the red band".into(), format!("{} ({} clients)", c.bands.red_arr, c.bands.red)),
        ("Fees at risk under guarantees".into(), c.fees_at_risk.to_string()),
        (format!("GRR, 12 months to {}", p.retention_month), grr),
        (format!("NRR, 12 months to {}", p.retention_month), nrr),
        (
            format!("Renewals from {} to {}", first_quarter(p), last_quarter(p)),
            format!("{} ({} renewing)", c.renewals, c.renewing_arr),
        ),
    ]
}

/// Every table of the report, in its order.
pub fn tables(p: &Portfolio) -> Vec<Table> {
    vec![books(p), renewals(p), health(p), goals(p), at_risk(p)]
}

fn books(p: &Portfolio) -> Table {
    // Each book, then the company's (`None`).
    let line = |book: Option<&BookLine>| {
        let l = book.unwrap_or(&p.books.company);
        let (grr, nrr) = rates(retention(p, book));
        Row {
            cells: vec![
                l.name.clone(),
                views::thousands(l.accounts as i64),
                l.arr.short(),
                percent(l.share),
                l.bands.green.to_string(),
                l.bands.yellow.to_string(),
                l.bands.red.to_string(),
                l.bands.unscored.to_string(),
                l.bands.red_arr.short(),
                format!("{} ({})", l.renewals, l.renewing_arr.short()),
                grr,
                nrr,
            ],
            href: book.and_then(|l| l.owner.as_ref()).map(|e| format!("/book?owner={}", views::url_encode(e.as_str()))),
            total: book.is_none(),
        }
    };
    let rows: Vec<Row> = p.books.lines.iter().map(Some).chain([None]).map(line).collect();
    Table {
        id: "books",
        title: "Books by account manager".into(),
        note: format!(
            "Clients (live or implementing) by owner; health bands today; renewals are terms ending in {} to {}; retention over the 12 months to {}.",
            first_quarter(p),
            last_quarter(p),
            p.retention_month
        ),
        header: [
            "Book",
            "Clients",
            "ARR",
            "Share",
            "Green",
            "Yellow",
            "Red",
            "No score",
            "ARR in red",
            "Renewals",
            "GRR",
            "NRR",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        empty: String::new(),
        chart: Some(BANDS),
        columns: "(2.2fr, 1fr, 1fr, 1fr, 0.9fr, 0.9fr, 0.9fr, 0.9fr, 1fr, 1.4fr, 0.9fr, 0.9fr)",
    }
}

fn first_quarter(p: &Portfolio) -> String {
    p.books.renewals.first().map(|r| r.quarter.to_string()).unwrap_or_default()
}

fn last_quarter(p: &Portfolio) -> String {
    p.books.renewals.last().map(|r| r.quarter.to_string()).unwrap_or_default()
}

/// An owner as the report names them: their book's name, else their e-mail.
fn owner_name(p: &Portfolio, owner: Option<&Email>) -> String {
    match owner {
        None => "No owner".to_owned(),
        Some(e) => {
            p.books.lines.iter().find(|l| l.owner.as_ref() == Some(e)).map_or_else(|| e.to_string(), |l| l.name.clone())
        }
    }
}

fn renewals(p: &Portfolio) -> Table {
    let cell = |renewals: usize, arr: Money| {
        if renewals == 0 { "—".to_owned() } else { format!("{renewals} · {}", arr.short()) }
    };
    let mut header = vec!["Quarter".to_owned()];
    header.extend(RenewalCall::ALL.iter().map(|c| c.label().to_owned()));
    header.push("All".into());
    Table {
        id: "renewals",
        title: "Renewals by quarter and forecast call".into(),
        note: "Contract terms ending in each quarter (a client that left this quarter's too): how many, and the ARR they renew, by where each renewal stands — won, its opportunity's forecast category, lost, or not opened yet (the window opens 180 days before the end). A renewal counts in the quarter its term ends; the forecast counts it where it is expected to close.".into(),
        header,
        rows: p
            .books
            .renewals
            .iter()
            .map(|q| {
                let mut cells = vec![q.quarter.to_string()];
                cells.extend(q.cells.iter().map(|c| cell(c.renewals, c.arr)));
                cells.push(cell(q.renewals, q.arr));
                row(cells)
            })
            .collect(),
        empty: String::new(),
        chart: Some(RENEWALS),
        columns: "(1.1fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr)",
    }
}

fn health(p: &Portfolio) -> Table {
    let b = &p.books.company.bands;
    let total = p.books.company.arr.cents;
    let share = |m: Money| percent((total > 0).then(|| m.cents as f64 / total as f64));
    let line =
        |name: &str, n: usize, arr: Money| row(vec![name.to_owned(), n.to_string(), arr.to_string(), share(arr)]);
    Table {
        id: "health",
        title: "Health distribution".into(),
        note: "Every client by its health band today (red < 50 ≤ yellow < 75 ≤ green).".into(),
        header: ["Band", "Clients", "ARR", "Share of ARR"].map(String::from).to_vec(),
        rows: vec![
            line("Green", b.green, b.green_arr),
            line("Yellow", b.yellow, b.yellow_arr),
            line("Red", b.red, b.red_arr),
            line("No score", b.unscored, b.unscored_arr),
        ],
        empty: String::new(),
        chart: None,
        columns: "(2fr, 1fr, 1.4fr, 1fr)",
    }
}

fn goals(p: &Portfolio) -> Table {
    let met = |v: Option<f64>, goal: f64| match v {
        Some(v) if v >= goal => format!("{} ✓", percent(Some(v))),
        v => percent(v),
    };
    Table {
        id: "goals",
        title: format!("Goal attainment, {}", p.as_of.format("%Y")),
        note: format!(
            "Bookings: upsell and expansion won since January 1. Retention of each book over the 12 months to {}; ✓ where the goal is met.",
            p.retention_month
        ),
        header: ["Account manager", "Bookings goal", "Won to date", "Attained", "GRR goal", "GRR", "NRR goal", "NRR"]
            .map(String::from)
            .to_vec(),
        rows: p
            .goals
            .iter()
            .map(|g| {
                let goal = g.goal.bookings.cents;
                row(vec![
                    owner_name(p, Some(&g.goal.owner)),
                    g.goal.bookings.short(),
                    g.bookings_to_date.short(),
                    percent((goal > 0).then(|| g.bookings_to_date.cents as f64 / goal as f64)),
                    percent(Some(g.goal.gross_retention)),
                    met(g.grr, g.goal.gross_retention),
                    percent(Some(g.goal.net_retention)),
                    met(g.nrr, g.goal.net_retention),
                ])
            })
            .collect(),
        empty: format!("No goals are set for {}.", p.as_of.format("%Y")),
        chart: None,
        columns: "(2fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr, 1fr)",
    }
}

/// How many accounts at risk the document lists; the CSV has every one.
pub const AT_RISK_SHOWN: usize = 50;

fn at_risk(p: &Portfolio) -> Table {
    let all = &p.books.at_risk;
    Table {
        id: "at-risk",
        title: "Accounts at risk".into(),
        note: match all.len() {
            n if n > AT_RISK_SHOWN => format!(
                "The {AT_RISK_SHOWN} largest by ARR of the {n} clients in the red band (the CSV lists every one with its score and ARR), with what pulls each down most and where its next renewal stands."
            ),
            _ => "Clients in the red band, largest ARR first, with what pulls each down most and where its next renewal stands.".into(),
        },
        header: ["Account", "Owner", "Health", "Pulls it down most", "ARR", "Renewal", "Call"].map(String::from).to_vec(),
        rows: all
            .iter()
            .take(AT_RISK_SHOWN)
            .map(|a| Row {
                cells: vec![
                    a.name.clone(),
                    owner_name(p, a.owner.as_ref()),
                    format!("{:.0}", a.score),
                    a.driver.as_ref().map_or_else(|| "—".into(), views::driver_text),
                    a.arr.short(),
                    a.renewal.map_or_else(|| "—".into(), |d| d.to_string()),
                    a.call.map_or("—", RenewalCall::label).to_owned(),
                ],
                href: Some(format!("/accounts/{}", a.slug)),
                total: false,
            })
            .collect(),
        empty: "No client is in the red band.".into(),
        chart: None,
        columns: "(1.8fr, 1.3fr, 0.7fr, 2.4fr, 0.9fr, 1.1fr, 1fr)",
    }
}

/// The charts' files, by name.
const BANDS: &str = "/bands.svg";
const RENEWALS: &str = "/renewals.svg";

/// The most books the health chart draws.
const CHARTED_BOOKS: usize = 12;

/// The report's charts, named as the PDF's files: each book's clients by health band, and
/// each quarter's renewing ARR by call.
fn charts(p: &Portfolio) -> [(&'static str, String); 2] {
    // A bar a book reads up to a dozen books; beyond that, the largest.
    let mut lines: Vec<&BookLine> = p.books.lines.iter().collect();
    let title = if lines.len() > CHARTED_BOOKS {
        lines.sort_by(|a, b| b.arr.cents.cmp(&a.arr.cents).then_with(|| a.name.cmp(&b.name)));
        lines.truncate(CHARTED_BOOKS);
        format!("Clients by health band: the {CHARTED_BOOKS} largest books by ARR")
    } else {
        "Clients by health band, book by book".to_owned()
    };
    let names: Vec<String> = lines.iter().map(|l| l.name.clone()).collect();
    let band = |f: fn(&BookLine) -> usize| lines.iter().map(|l| Some(f(l) as i64)).collect::<Vec<_>>();
    let bands = [
        Bars::new("Green", band(|l| l.bands.green)).coloured("var(--green, #1e7a46)"),
        Bars::new("Yellow", band(|l| l.bands.yellow)).coloured("var(--yellow, #a15c07)"),
        Bars::new("Red", band(|l| l.bands.red)).coloured("var(--red, #b42318)"),
        Bars::new("No score", band(|l| l.bands.unscored)).coloured("#c3c8d0"),
    ];
    let quarters: Vec<String> = p.books.renewals.iter().map(|q| q.quarter.to_string()).collect();
    let colour = |c: RenewalCall| match c {
        RenewalCall::Won => "var(--green, #1e7a46)",
        RenewalCall::Commit => "var(--accent, #2357c6)",
        RenewalCall::BestCase => "#7aa2e3",
        RenewalCall::Pipeline => "#b9cbe9",
        RenewalCall::Omitted => "#8a919c",
        RenewalCall::Lost => "var(--red, #b42318)",
        RenewalCall::NotOpened => "#dde1e7",
    };
    let calls: Vec<Bars> = RenewalCall::ALL
        .iter()
        .enumerate()
        .map(|(k, &call)| {
            // In thousands of dollars, rounded: the bars count whole units.
            let values = p.books.renewals.iter().map(|q| Some((q.cells[k].arr.cents + 50_000) / 100_000)).collect();
            Bars::new(call.label(), values).coloured(colour(call))
        })
        .collect();
    [
        (BANDS, charts::stacked_bars(&title, &names, &bands, "clients")),
        (RENEWALS, charts::stacked_bars("Renewing ARR by quarter and call", &quarters, &calls, "$K ARR")),
    ]
}

/// The document; `stylesheet` is the CSS put inline for a file (the page links to it and
/// offers the PDF and CSV).
pub fn html(p: &Portfolio, stylesheet: Option<&str>) -> Result<String, WebError> {
    let page = context! {
        stylesheet,
        as_of => p.as_of.to_string(),
        facts => facts(p),
        tables => tables(p),
        charts => charts(p).into_iter().collect::<std::collections::BTreeMap<_, _>>(),
    };
    crate::templates::render("portfolio.html", page)
}

/// The report as one tidy table, one observation a row: `section,item,measure,value`.
/// Sections:
/// - `books`: item the owner's e-mail (`unowned` for nobody's, `company` for the total);
///   measures `clients`, `arr`, `share`, `green`, `yellow`, `red`, `unscored`, `red_arr`,
///   `fees_at_risk`, `renewals`, `renewing_arr`, `grr`, `nrr`;
/// - `renewals`: item `QUARTER:CALL` (`2027-Q1:commit`; calls `won`, `commit`, `best_case`, `pipeline`,
///   `omitted`, `lost`, `not_opened`); measures `renewals`, `arr`, `change`;
/// - `goals`: item the owner's e-mail; measures `bookings_goal`, `bookings_to_date`,
///   `grr_goal`, `grr`, `nrr_goal`, `nrr`;
/// - `at_risk`: item the account's slug; measures `score`, `arr`.
///
/// Money in dollars, rates and shares as fractions (1 is 100%; NRR can be above it); empty
/// is no value.
pub fn csv(p: &Portfolio) -> String {
    use crate::document::{csv_field, csv_number};
    let mut out = String::from("section,item,measure,value\n");
    let mut put = |section: &str, item: &str, measure: &str, value: Option<f64>| {
        out.push_str(&format!("{section},{},{measure},{}\n", csv_field(item), csv_number(value)));
    };
    let dollars = |m: Money| Some(m.cents as f64 / 100.0);
    // Each book, then the company's (`None`).
    for book in p.books.lines.iter().map(Some).chain([None]) {
        let l = book.unwrap_or(&p.books.company);
        let item = match book {
            None => "company".to_owned(),
            Some(l) => l.owner.as_ref().map_or_else(|| "unowned".to_owned(), |e| e.to_string()),
        };
        let r = retention(p, book);
        let n = |v: usize| Some(v as f64);
        for (measure, v) in [
            ("clients", n(l.accounts)),
            ("arr", dollars(l.arr)),
            ("share", l.share),
            ("green", n(l.bands.green)),
            ("yellow", n(l.bands.yellow)),
            ("red", n(l.bands.red)),
            ("unscored", n(l.bands.unscored)),
            ("red_arr", dollars(l.bands.red_arr)),
            ("fees_at_risk", dollars(l.fees_at_risk)),
            ("renewals", n(l.renewals)),
            ("renewing_arr", dollars(l.renewing_arr)),
            ("grr", r.and_then(|r| r.retention.grr)),
            ("nrr", r.and_then(|r| r.retention.nrr)),
        ] {
            put("books", &item, measure, v);
        }
    }
    for q in &p.books.renewals {
        for c in &q.cells {
            let item = format!("{}:{}", q.quarter, c.call);
            put("renewals", &item, "renewals", Some(c.renewals as f64));
            put("renewals", &item, "arr", dollars(c.arr));
            put("renewals", &item, "change", dollars(c.change));
        }
    }
    for g in &p.goals {
        let item = g.goal.owner.to_string();
        for (measure, v) in [
            ("bookings_goal", dollars(g.goal.bookings)),
            ("bookings_to_date", dollars(g.bookings_to_date)),
            ("grr_goal", Some(g.goal.gross_retention)),
            ("grr", g.grr),
            ("nrr_goal", Some(g.goal.net_retention)),
            ("nrr", g.nrr),
        ] {
            put("goals", &item, measure, v);
        }
    }
    for a in &p.books.at_risk {
        put("at_risk", a.slug.as_str(), "score", Some(a.score));
        put("at_risk", a.slug.as_str(), "arr", dollars(a.arr));
    }
    out
}
