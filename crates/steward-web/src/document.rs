//! What the typeset documents (an account's quarterly review, the director's portfolio)
//! share: the page's furniture and tables in Typst markup, the pages' SVG charts as files
//! Typst reads, and CSV cells.

use steward_pdf::escape as e;

/// The document's settings and page furniture: its title, a running head from the second
/// page on, and "Page N of M" in the footer.
pub fn page_setup(title: &str, running_head: &str) -> String {
    format!(
        "#set document(title: [{}], author: \"Steward\")\n\
         #set text(size: 10pt)\n\
         #set page(paper: \"us-letter\", margin: (x: 2cm, top: 2.4cm, bottom: 2.2cm),\n  \
           header: context {{ if here().page() > 1 {{ text(size: 8pt, fill: luma(110))[{}] }} }},\n  \
           footer: context {{ align(center, text(size: 8pt, fill: luma(110))[Page #counter(page).display() of #counter(page).final().first()]) }})\n\
         #show heading.where(level: 2): set block(above: 1.4em, below: 0.8em)\n",
        e(title),
        e(running_head),
    )
}

/// A chart of the pages (its title, the SVG and its numbers as a table) as an SVG file of its
/// own: the drawing alone, with the namespace, the styles the pages' stylesheet gives its
/// text and grid, and each `var(--name, fallback)` colour as its fallback.
pub fn standalone(chart: &str) -> Vec<u8> {
    const STYLE: &str = "<style>.grid{stroke:#d9dde3}.tick,.value,.axis-title{font-size:11px;fill:#5b6472;font-family:sans-serif}text{font-family:sans-serif}</style>";
    let from = chart.find("<svg").unwrap_or(0);
    let to = chart.rfind("</svg>").map_or(chart.len(), |at| at + "</svg>".len());
    let mut svg = chart[from..to].replacen("<svg ", "<svg xmlns=\"http://www.w3.org/2000/svg\" ", 1);
    while let Some(at) = svg.find("var(--") {
        let Some(close) = svg[at..].find(')').map(|c| at + c) else { break };
        let fallback = svg[at..close].split_once(',').map_or("#2357c6", |(_, f)| f.trim()).to_owned();
        svg.replace_range(at..=close, &fallback);
    }
    match svg.find('>') {
        Some(at) => format!("{}{STYLE}{}", &svg[..=at], &svg[at + 1..]).into_bytes(),
        None => svg.into_bytes(),
    }
}

/// A table's rows as Typst cells, each cell's text escaped.
fn cells(rows: &[Vec<String>]) -> String {
    rows.iter()
        .map(|r| r.iter().map(|c| format!("[{}]", e(c))).collect::<Vec<_>>().join(", "))
        .collect::<Vec<_>>()
        .join(",\n  ")
}

/// A table whose header repeats on each page it runs onto; no header when every heading is
/// empty.
pub fn table(columns: &str, header: &[&str], rows: &[Vec<String>]) -> String {
    let head = match header.iter().all(|h| h.is_empty()) {
        true => String::new(),
        false => format!(
            "table.header({}),\n  ",
            header.iter().map(|h| format!("[*{}*]", e(h))).collect::<Vec<_>>().join(", ")
        ),
    };
    format!(
        "#table(columns: {columns}, stroke: (x: none, y: 0.4pt + luma(200)), inset: 5pt,\n  {head}{}\n)\n",
        cells(rows)
    )
}

/// A CSV text cell: quoted when it holds a separator, a quote or a line break, and never
/// read as a formula by a spreadsheet (a leading `= + - @` is preceded by an apostrophe).
pub fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) { format!("'{s}") } else { s.to_owned() };
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// A CSV number: whole numbers without a decimal point; empty for none.
pub fn csv_number(value: Option<f64>) -> String {
    value.map(|v| if v.fract() == 0.0 { format!("{v:.0}") } else { format!("{v}") }).unwrap_or_default()
}
