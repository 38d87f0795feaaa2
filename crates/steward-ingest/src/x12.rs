//! ANSI X12 834 (005010X220A1), streamed segment by segment.
//!
//! Delimiters come from the ISA segment (element separator at byte 3, repetition at 82,
//! component at 104, segment terminator at 105); a terminator may be followed by CR/LF or
//! be a newline itself. Envelopes nest ISA › GS › ST…SE › GE › IEA, with several ST sets
//! per GS and several GS per ISA, and every count and control number is checked.
//!
//! The file is refused for: no ISA or a malformed one, a segment outside its envelope, a
//! count or control number that does not match (SE01, ST02 = SE02, GE01, GS06 = GE02,
//! IEA01, ISA13 = IEA02), a missing trailer, non-ASCII bytes, or transaction sets that mix
//! full (BGN08 = 4 or RX) and change (BGN08 = 2) purposes. A member loop is rejected
//! (by the number of its INS segment) for: no subscriber id (REF*0F), an unknown
//! relationship or maintenance type, a missing or malformed date, or an end before a start.
//!
//! Member ids: the subscriber's is REF*0F. A dependent's is the REF with the configured
//! qualifier (default 23); without one it is the subscriber id, a hyphen and a two-digit
//! sequence — INS17 when sent, else the dependent's position under that subscriber in the
//! transaction set (1, 2, …). The worksite is read from REF*DX, the zip from N4, the age
//! band from DMG02 on the file date, sex from DMG03; names (NM1) and addresses (N3) are
//! skipped without being kept.

use crate::census::zip3;
use crate::csv_input::{DateFormat, open_ended};
use crate::pseudonym::Pseudonymizer;
use crate::records::{Eligibility, FullEligibility, Parsed};
use crate::report::{FileError, Tally};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use steward_domain::ledger::{EligibilityEvent, PersonFacts};
use steward_domain::{AgeBand, MemberKey, Relationship, Sex, Span};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub element: u8,
    pub repetition: u8,
    pub component: u8,
    pub segment: u8,
}

/// Reads segments one at a time, numbering them from 1 (the ISA).
pub struct Segments<R: Read> {
    reader: BufReader<R>,
    pub delimiters: Delimiters,
    pub number: u64,
    buf: Vec<u8>,
    pub isa: Vec<String>,
}

impl<R: Read> std::fmt::Debug for Segments<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segments").field("delimiters", &self.delimiters).field("number", &self.number).finish()
    }
}

impl<R: Read> Segments<R> {
    pub fn new(reader: R) -> Result<Self, FileError> {
        let mut reader = BufReader::with_capacity(1 << 20, reader);
        let mut isa = [0u8; 106];
        // Tolerate leading blank lines or a BOM before the ISA.
        loop {
            let head = reader.fill_buf().map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
            match head.first() {
                Some(b' ' | b'\r' | b'\n' | b'\t') => reader.consume(1),
                Some(0xEF) if head.starts_with(&[0xEF, 0xBB, 0xBF]) => reader.consume(3),
                _ => break,
            }
        }
        reader
            .read_exact(&mut isa)
            .map_err(|_| FileError::segment(1, "not an X12 file: it is shorter than an ISA segment"))?;
        if &isa[..3] != b"ISA" {
            return Err(FileError::segment(1, "not an X12 file: it does not start with an ISA segment"));
        }
        let delimiters = Delimiters { element: isa[3], repetition: isa[82], component: isa[104], segment: isa[105] };
        let elements: Vec<&[u8]> = isa[..105].split(|b| *b == delimiters.element).collect();
        if elements.len() != 17 || !isa.is_ascii() || delimiters.element.is_ascii_alphanumeric() {
            return Err(FileError::segment(1, "malformed ISA segment: it must be 106 characters with 16 elements"));
        }
        let isa = elements.iter().map(|e| String::from_utf8_lossy(e).trim().to_owned()).collect();
        Ok(Self { reader, delimiters, number: 1, buf: Vec::new(), isa })
    }

    /// The next segment's elements (the first is the segment id), or `None` at the end.
    pub fn next_segment(&mut self) -> Result<Option<Vec<String>>, FileError> {
        loop {
            self.buf.clear();
            let n = self
                .reader
                .read_until(self.delimiters.segment, &mut self.buf)
                .map_err(|e| FileError::new(format!("cannot read the file: {e}")))?;
            if n == 0 {
                return Ok(None);
            }
            if self.buf.last() == Some(&self.delimiters.segment) {
                self.buf.pop();
            }
            let text = trim(&self.buf);
            if text.is_empty() {
                continue;
            }
            self.number += 1;
            if !text.is_ascii() {
                return Err(FileError::segment(self.number, "a segment holds non-ASCII bytes; X12 files are ASCII"));
            }
            let text = String::from_utf8_lossy(text);
            return Ok(Some(text.split(self.delimiters.element as char).map(str::to_owned).collect()));
        }
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !matches!(c, b'\r' | b'\n' | b' ' | b'\t')).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !matches!(c, b'\r' | b'\n' | b' ' | b'\t')).map_or(start, |i| i + 1);
    &b[start..end]
}

/// Options an account's 834 feed may need.
#[derive(Debug, Clone)]
pub struct X12Options {
    /// The REF qualifier carrying a dependent's member id.
    pub dependent_ref: String,
    /// Overrides the file date (BGN03) as the as-of date of a full file.
    pub as_of: Option<NaiveDate>,
}

impl Default for X12Options {
    fn default() -> Self {
        Self { dependent_ref: "23".into(), as_of: None }
    }
}

#[derive(Default)]
struct MemberLoop {
    segment: u64,
    /// Which transaction set (ST) of the file it is in.
    set: u32,
    subscriber: bool,
    relationship: String,
    maintenance: String,
    ins17: String,
    subscriber_id: String,
    dependent_id: String,
    worksite: String,
    zip: String,
    birth: String,
    sex: String,
    dates: HashMap<String, String>,
    /// Inside loop 2100A (after NM1*IL, before any other NM1): the member's own N4 and DMG.
    in_member_name: bool,
    /// Inside an HD loop for another line of coverage (dental, vision…): its dates are not ours.
    in_other_coverage: bool,
    /// HD01 of our coverage's HD loop, when there is one (024 ends coverage).
    coverage_maintenance: String,
}

fn element(seg: &[String], i: usize) -> &str {
    seg.get(i).map_or("", |s| s.trim())
}

fn d8(text: &str) -> Option<NaiveDate> {
    // RD8 ranges ("CCYYMMDD-CCYYMMDD") give their first date.
    DateFormat::Compact.parse(text.split('-').next().unwrap_or(text))
}

struct Envelope {
    isa13: String,
    groups: u64,
    group: Option<(String, u64)>,
    set: Option<(String, u64)>,
}

/// Streams an 834 into pseudonymized eligibility for `account`.
pub fn parse<R: Read>(
    reader: R,
    account: &str,
    options: &X12Options,
    keys: &Pseudonymizer,
) -> Result<Parsed<Eligibility>, FileError> {
    let mut segs = Segments::new(reader)?;
    let mut env = Envelope { isa13: segs.isa[13].clone(), groups: 0, group: None, set: None };
    let mut purposes: Vec<String> = Vec::new();
    let mut file_date: Option<NaiveDate> = None;
    let mut loops: Vec<MemberLoop> = Vec::new();
    let mut current: Option<MemberLoop> = None;
    let mut ended = false;
    let mut set_number = 0u32;
    while let Some(seg) = segs.next_segment()? {
        let n = segs.number;
        if ended {
            return Err(FileError::segment(n, format!("segment {} after IEA", seg[0])));
        }
        let id = seg[0].as_str();
        if !matches!(id, "ST" | "GS" | "GE" | "IEA" | "SE") && env.set.is_none() {
            return Err(FileError::segment(n, format!("segment {id} outside a transaction set (ST…SE)")));
        }
        if let Some((_, count)) = env.set.as_mut() {
            *count += 1;
        }
        match id {
            "GS" => {
                if env.group.is_some() {
                    return Err(FileError::segment(n, "GS inside an open functional group (missing GE)"));
                }
                env.group = Some((element(&seg, 6).to_owned(), 0));
            }
            "ST" => {
                let Some((_, sets)) = env.group.as_mut() else {
                    return Err(FileError::segment(n, "ST outside a functional group (GS…GE)"));
                };
                if env.set.is_some() {
                    return Err(FileError::segment(n, "ST inside an open transaction set (missing SE)"));
                }
                if element(&seg, 1) != "834" {
                    return Err(FileError::segment(n, format!("transaction set {} is not an 834", element(&seg, 1))));
                }
                *sets += 1;
                env.set = Some((element(&seg, 2).to_owned(), 1));
                set_number += 1;
            }
            "BGN" => {
                purposes.push(element(&seg, 8).to_owned());
                if file_date.is_none() {
                    file_date = d8(element(&seg, 3));
                }
            }
            "INS" => {
                loops.extend(current.take());
                current = Some(MemberLoop {
                    segment: n,
                    set: set_number,
                    subscriber: element(&seg, 1) == "Y",
                    relationship: element(&seg, 2).to_owned(),
                    maintenance: element(&seg, 3).to_owned(),
                    ins17: element(&seg, 17).to_owned(),
                    ..MemberLoop::default()
                });
            }
            "REF" | "DTP" | "N4" | "DMG" | "NM1" | "HD" if current.is_some() => {
                let m = current.as_mut().expect("checked above");
                match (id, element(&seg, 1)) {
                    ("NM1", q) => m.in_member_name = q == "IL",
                    ("HD", _) => {
                        m.in_member_name = false;
                        m.in_other_coverage = !matches!(element(&seg, 3), "" | "HLT");
                        if !m.in_other_coverage {
                            m.coverage_maintenance = element(&seg, 1).to_owned();
                        }
                    }
                    ("REF", "0F") => m.subscriber_id = element(&seg, 2).to_owned(),
                    ("REF", "DX") => m.worksite = element(&seg, 2).to_owned(),
                    ("REF", q) if q == options.dependent_ref => m.dependent_id = element(&seg, 2).to_owned(),
                    ("DTP", q @ ("348" | "349")) if !m.in_other_coverage => {
                        m.dates.insert(q.to_owned(), element(&seg, 3).to_owned());
                    }
                    ("DTP", q @ ("356" | "357")) => {
                        m.dates.insert(q.to_owned(), element(&seg, 3).to_owned());
                    }
                    ("N4", _) if m.in_member_name => m.zip = element(&seg, 3).to_owned(),
                    ("DMG", _) if m.in_member_name => {
                        m.birth = element(&seg, 2).to_owned();
                        m.sex = element(&seg, 3).to_owned();
                    }
                    _ => {}
                }
            }
            "SE" => {
                loops.extend(current.take());
                let Some((control, count)) = env.set.take() else { return Err(FileError::segment(n, "SE without ST")) };
                if element(&seg, 1) != count.to_string() {
                    return Err(FileError::segment(
                        n,
                        format!("SE01 says {} segments but the set has {count}", element(&seg, 1)),
                    ));
                }
                if element(&seg, 2) != control {
                    return Err(FileError::segment(
                        n,
                        format!("SE02 {} does not match ST02 {control}", element(&seg, 2)),
                    ));
                }
            }
            "GE" => {
                if env.set.is_some() {
                    return Err(FileError::segment(n, "GE inside an open transaction set (missing SE)"));
                }
                let Some((control, sets)) = env.group.take() else {
                    return Err(FileError::segment(n, "GE without GS"));
                };
                if element(&seg, 1) != sets.to_string() {
                    return Err(FileError::segment(
                        n,
                        format!("GE01 says {} transaction sets but the group has {sets}", element(&seg, 1)),
                    ));
                }
                if element(&seg, 2) != control {
                    return Err(FileError::segment(
                        n,
                        format!("GE02 {} does not match GS06 {control}", element(&seg, 2)),
                    ));
                }
                env.groups += 1;
            }
            "IEA" => {
                if env.group.is_some() {
                    return Err(FileError::segment(n, "IEA inside an open functional group (missing GE)"));
                }
                if element(&seg, 1) != env.groups.to_string() {
                    return Err(FileError::segment(
                        n,
                        format!(
                            "IEA01 says {} functional groups but the interchange has {}",
                            element(&seg, 1),
                            env.groups
                        ),
                    ));
                }
                if element(&seg, 2) != env.isa13 {
                    return Err(FileError::segment(
                        n,
                        format!("IEA02 {} does not match ISA13 {}", element(&seg, 2), env.isa13),
                    ));
                }
                ended = true;
            }
            _ => {}
        }
    }
    if !ended {
        return Err(FileError::segment(segs.number, "the file ends before its IEA trailer (truncated?)"));
    }
    // Without this, a set lacking its BGN would leave `purposes` agreeing with anything.
    if purposes.len() != set_number as usize {
        return Err(FileError::new("every transaction set needs exactly one BGN segment"));
    }
    let full_purpose = purposes.iter().all(|p| p == "4" || p == "RX");
    let change_purpose = purposes.iter().all(|p| p == "2");
    let all_audit = !loops.is_empty() && loops.iter().all(|m| m.maintenance == "030");
    if !full_purpose && !change_purpose && !all_audit {
        return Err(FileError::new(format!(
            "the transaction sets mix purposes (BGN08: {}); send full (4) and change (2) files separately",
            purposes.join(", ")
        )));
    }
    let as_of = options
        .as_of
        .or(file_date)
        .ok_or_else(|| FileError::new("no file date: BGN03 is missing and no --as-of was given"))?;
    let full = full_purpose || all_audit;
    interpret(loops, account, as_of, full, keys)
}

struct Decoded {
    key: MemberKey,
    facts: PersonFacts,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

/// The member's key, when the loop names them (REF*0F, and for a dependent REF*23 or the
/// documented fallback).
fn member_key(m: &MemberLoop, ordinal: u32, account: &str, keys: &Pseudonymizer) -> Option<MemberKey> {
    if m.subscriber_id.is_empty() {
        return None;
    }
    let member_id = if m.subscriber {
        m.subscriber_id.clone()
    } else if !m.dependent_id.is_empty() {
        m.dependent_id.clone()
    } else {
        let seq = m.ins17.parse::<u32>().unwrap_or(ordinal);
        format!("{}-{seq:02}", m.subscriber_id)
    };
    Some(keys.member(account, &member_id))
}

/// Rejection messages name the segment and element, never the value in it.
fn decode(m: &MemberLoop, key: MemberKey, as_of: NaiveDate) -> Result<Decoded, String> {
    let relationship = Relationship::parse_any(&m.relationship).ok_or("unknown relationship code in INS02")?;
    let date = |q: &str| -> Result<Option<NaiveDate>, String> {
        match m.dates.get(q) {
            None => Ok(None),
            Some(text) => d8(text).map(Some).ok_or_else(|| format!("DTP*{q} is not a CCYYMMDD date")),
        }
    };
    let start = date("348")?.or(date("356")?);
    let end = date("349")?.or(date("357")?).filter(|d| !open_ended(*d));
    if let (Some(s), Some(e)) = (start, end) {
        if e < s && m.maintenance != "024" {
            return Err("coverage ends before it begins".into());
        }
    }
    let facts = PersonFacts {
        relationship,
        age_band: DateFormat::Compact.parse(&m.birth).and_then(|b| AgeBand::on(b, as_of)),
        sex: Sex::parse_any(&m.sex).unwrap_or(Sex::Unknown),
        zip3: zip3(&m.zip),
        worksite: (!m.worksite.is_empty()).then(|| m.worksite.clone()),
        metro: None,
    };
    Ok(Decoded { key, facts, start, end })
}

fn interpret(
    loops: Vec<MemberLoop>,
    account: &str,
    as_of: NaiveDate,
    full: bool,
    keys: &Pseudonymizer,
) -> Result<Parsed<Eligibility>, FileError> {
    let mut tally = Tally::default();
    let mut ordinals: HashMap<(u32, String), u32> = HashMap::new();
    let mut events = Vec::new();
    let mut people: Vec<(MemberKey, PersonFacts, Vec<Span>)> = Vec::new();
    let mut index: HashMap<MemberKey, usize> = HashMap::new();
    let mut untouched = Vec::new();
    for m in loops {
        let ordinal = if m.subscriber {
            0
        } else {
            let n = ordinals.entry((m.set, m.subscriber_id.clone())).or_insert(0);
            *n += 1;
            *n
        };
        let Some(key) = member_key(&m, ordinal, account, keys) else {
            tally.reject(m.segment, "member loop without a subscriber id (REF*0F)");
            continue;
        };
        let d = match decode(&m, key, as_of) {
            Ok(d) => d,
            Err(e) => {
                tally.reject(m.segment, e);
                untouched.push(key);
                continue;
            }
        };
        // An HD loop terminating our coverage ends it whatever INS03 says.
        let maintenance = if m.coverage_maintenance == "024" { "024" } else { m.maintenance.as_str() };
        let need_start = |what: &str| {
            d.start
                .map(|s| Span::new(s, d.end))
                .ok_or_else(|| format!("{what} without a coverage begin date (DTP*348 or DTP*356)"))
        };
        let event = match maintenance {
            "030" | "021" | "025" if full => need_start("a member").and_then(|span| match index.get(&d.key) {
                Some(&i) if people[i].2.iter().any(|s: &Span| s.overlaps(&span)) => {
                    Err("duplicate member: this loop's coverage overlaps an earlier loop of the same member".to_owned())
                }
                Some(&i) => {
                    people[i].2.push(span);
                    Ok(None)
                }
                None => {
                    index.insert(d.key, people.len());
                    people.push((d.key, d.facts.clone(), vec![span]));
                    Ok(None)
                }
            }),
            _ if full => Err("maintenance type in INS03 is not 030 in a full file".to_owned()),
            "030" => need_start("an audit record")
                .map(|span| Some(EligibilityEvent::Audit { key: d.key, facts: d.facts, span })),
            "021" => need_start("an addition")
                .map(|span| Some(EligibilityEvent::Addition { key: d.key, facts: d.facts, span })),
            "025" => need_start("a reinstatement")
                .map(|span| Some(EligibilityEvent::Reinstatement { key: d.key, facts: d.facts, span })),
            "024" => d
                .end
                .map(|end| Some(EligibilityEvent::Termination { key: d.key, end }))
                .ok_or_else(|| "a termination without an end date (DTP*349 or DTP*357)".to_owned()),
            "001" => Ok(Some(EligibilityEvent::Change {
                key: d.key,
                facts: d.facts,
                span: d.start.map(|s| Span::new(s, d.end)),
            })),
            _ => Err("unknown maintenance type in INS03".to_owned()),
        };
        match event {
            Ok(Some(e)) => {
                events.push((m.segment, e));
                tally.accept();
            }
            Ok(None) => tally.accept(),
            Err(e) => {
                tally.reject(m.segment, e);
                untouched.push(d.key);
            }
        }
    }
    untouched.retain(|k| !index.contains_key(k));
    let data = if full {
        Eligibility::Full(FullEligibility { as_of, people, untouched })
    } else {
        Eligibility::Changes(events)
    };
    Ok(Parsed { data, tally })
}
