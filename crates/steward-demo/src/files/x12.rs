//! ANSI X12 834 (005010X220A1) files: a full file (maintenance type 030, BGN08 = 4) as of
//! the account's first data day, then one change file (BGN08 = 2) per month with its
//! additions (021), terminations (024), reinstatements after a rehire (025) and
//! demographic changes (001). `*` elements, `^` repetitions, `:` components, `~` + LF.

use super::{push_date_d8, state};
use crate::plan::AccountPlan;
use crate::population::{Person, Population, Relationship, Span};
use crate::rng::Rng;
use chrono::NaiveDate;
use steward_domain::Month;

/// One file: its name and bytes.
pub type File = (String, Vec<u8>);

#[derive(Clone, Copy, PartialEq, Eq)]
enum Event {
    Audit,
    Addition,
    Reinstatement,
    Termination,
    Change,
}

impl Event {
    fn code(self) -> &'static str {
        match self {
            Event::Audit => "030",
            Event::Addition => "021",
            Event::Reinstatement => "025",
            Event::Termination => "024",
            Event::Change => "001",
        }
    }

    /// INS04, the maintenance reason.
    fn reason(self) -> &'static str {
        match self {
            Event::Audit => "XN",
            Event::Addition => "28",
            Event::Reinstatement => "41",
            Event::Termination => "07",
            Event::Change => "25",
        }
    }
}

struct Writer {
    out: Vec<u8>,
    segments: u32,
}

impl Writer {
    fn seg(&mut self, elements: &[&str]) {
        self.out.extend_from_slice(elements.join("*").as_bytes());
        self.out.extend_from_slice(b"~\n");
        self.segments += 1;
    }
}

fn d8(d: NaiveDate) -> String {
    let mut v = Vec::with_capacity(8);
    push_date_d8(&mut v, d);
    String::from_utf8(v).expect("digits are UTF-8")
}

fn member(w: &mut Writer, plan: &AccountPlan, p: &Person, event: Event, span: Span, address: (&str, &str)) {
    let (subscriber, rel) = match p.relationship {
        Relationship::Employee => ("Y", "18"),
        Relationship::Spouse => ("N", "01"),
        Relationship::Child => ("N", "19"),
    };
    w.seg(&["INS", subscriber, rel, event.code(), event.reason(), "A", "", "", "FT"]);
    w.seg(&["REF", "0F", &p.subscriber_id]);
    if p.relationship != Relationship::Employee {
        w.seg(&["REF", "23", &p.member_id]);
    }
    w.seg(&["REF", "DX", &plan.worksite_names[p.worksite]]);
    match event {
        Event::Termination => w.seg(&["DTP", "357", "D8", &d8(span.end.unwrap_or(span.start))]),
        Event::Change => {}
        _ => w.seg(&["DTP", "356", "D8", &d8(span.start)]),
    }
    w.seg(&["NM1", "IL", "1", &p.last_name.to_uppercase(), &p.first_name.to_uppercase()]);
    w.seg(&["N3", address.0]);
    w.seg(&["N4", "CITY", state(address.1), address.1]);
    let sex = [p.sex];
    w.seg(&["DMG", "D8", &d8(p.birth_date), std::str::from_utf8(&sex).unwrap_or("U")]);
    if event == Event::Change {
        return; // A demographic change carries no coverage loop.
    }
    w.seg(&["HD", event.code(), "", "HLT", "STEWARD-MEMBERSHIP", "EMP"]);
    w.seg(&["DTP", "348", "D8", &d8(span.start)]);
    if let (Event::Termination, Some(end)) = (event, span.end) {
        w.seg(&["DTP", "349", "D8", &d8(end)]);
    }
}

fn envelope(plan: &AccountPlan, control: u32, date: NaiveDate, full: bool, body: impl FnOnce(&mut Writer)) -> Vec<u8> {
    let mut w = Writer { out: Vec::new(), segments: 0 };
    let sender = format!("{:<15}", format!("EMP{:06}", plan.index));
    let isa_date = &d8(date)[2..];
    w.out.extend_from_slice(
        format!(
            "ISA*00*          *00*          *ZZ*{sender}*ZZ*STEWARDDEMO    *{isa_date}*0800*^*00501*{control:09}*0*P*:~\n"
        )
        .as_bytes(),
    );
    w.seg(&[
        "GS",
        "BE",
        sender.trim_end(),
        "STEWARDDEMO",
        &d8(date),
        "0800",
        &control.to_string(),
        "X",
        "005010X220A1",
    ]);
    w.segments = 0;
    w.seg(&["ST", "834", "0001", "005010X220A1"]);
    w.seg(&[
        "BGN",
        "00",
        &format!("{}-{control}", plan.slug),
        &d8(date),
        "0800",
        "",
        "",
        "",
        if full { "4" } else { "2" },
    ]);
    w.seg(&["REF", "38", &format!("POLICY{:06}", plan.index)]);
    w.seg(&["DTP", "007", "D8", &d8(date)]);
    w.seg(&["N1", "P5", &plan.name, "FI", &format!("{:09}", 100_000_000 + plan.index)]);
    w.seg(&["N1", "IN", "STEWARD DEMO CARE", "FI", "999999999"]);
    body(&mut w);
    let count = (w.segments + 1).to_string();
    w.seg(&["SE", &count, "0001"]);
    w.seg(&["GE", "1", &control.to_string()]);
    w.seg(&["IEA", "1", &format!("{control:09}")]);
    w.out
}

/// The full file and the monthly change files, oldest first.
pub fn render(plan: &AccountPlan, pop: &Population, rng: &mut Rng) -> Vec<File> {
    let Some((first, last)) = plan.data_months() else { return Vec::new() };
    let Some(start) = plan.data_start else { return Vec::new() };
    let mut files = Vec::new();
    let full = envelope(plan, 1, start, true, |w| {
        for p in &pop.people {
            if let Some(span) = p.spans.iter().find(|s| s.covers(start)) {
                member(w, plan, p, Event::Audit, *span, (&p.street, &p.zip));
            }
        }
    });
    files.push((format!("834-full-{}.edi", d8(start)), full));
    let mut month: Month = first;
    let mut control = 1;
    while month <= last {
        let date = month.last_day().min(plan.data_end);
        control += 1;
        let body = |w: &mut Writer| {
            for p in &pop.people {
                for (k, span) in p.spans.iter().enumerate() {
                    if span.start > start && Month::of(span.start) == month {
                        let event = if k == 0 { Event::Addition } else { Event::Reinstatement };
                        member(w, plan, p, event, *span, (&p.street, &p.zip));
                    }
                    if let Some(end) = span.end.filter(|e| Month::of(*e) == month && *e >= start) {
                        member(
                            w,
                            plan,
                            p,
                            Event::Termination,
                            Span { start: span.start, end: Some(end) },
                            (&p.street, &p.zip),
                        );
                    }
                }
                if p.spans.iter().any(|s| s.covers(date)) && rng.chance(0.002) {
                    let moved = crate::names::street(rng);
                    member(w, plan, p, Event::Change, p.spans[0], (&moved, &p.zip));
                }
            }
        };
        files.push((format!("834-change-{}.edi", d8(date)), envelope(plan, control, date, false, body)));
        month = month.succ();
    }
    files
}
