//! ANSI X12 834, streamed segment by segment: 005010X220A1 and 004010X095A1 (whose member
//! loops read the same), the version recorded with the batch; any other version is refused
//! naming it.
//!
//! Envelopes nest ISA › GS › ST…SE › GE › IEA, with several ST sets per GS and several GS
//! per ISA, and every count and control number is checked. The file is refused for: no
//! ISA or one whose delimiters cannot be told ([`segments`]), X12 segments without their
//! envelope, a segment outside its envelope, a count or control number that does not match
//! (SE01, ST02 = SE02, GE01, GS06 = GE02, IEA01, ISA13 = IEA02), a missing trailer,
//! non-ASCII bytes, a segment too long to be one, a BGN08 that is empty or unknown (unless
//! every member loop is an audit, 030), or sets that mix full (BGN08 = 4 or RX) and change
//! (2) files. Member loops are read by their loop structure ([`loops`]), their ids formed
//! so two people never become one ([`identity`]), and a loop is rejected (by the number of
//! its INS segment) for: no REF*0F, an id that collides, an unknown INS02 or INS03, a
//! missing or malformed date, or an end before a start.

pub mod identity;
pub mod loops;
pub mod segments;

use crate::census::zip3;
use crate::csv_input::{DateFormat, in_range, latest_date, open_ended};
use crate::pseudonym::Pseudonymizer;
use crate::reason::{Expected, Reason, Trailer, Unit, X12Value};
use crate::records::{ChangeEvents, Eligibility, Gathered, IdCheck, Parsed};
use crate::report::{FileError, Tally};
use chrono::NaiveDate;
use identity::{Resolved, Unresolved};
use loops::{Coverage, LoopReader, MemberLoop};
use segments::{Segments, element};
use std::io::Read;
use steward_domain::ledger::{EligibilityEvent, PersonFacts};
use steward_domain::{AgeBand, MemberKey, Relationship, Sex, Span};

/// Options an account's 834 feed may need.
#[derive(Debug, Clone)]
pub struct X12Options {
    /// The REF qualifier carrying a dependent's member id.
    pub dependent_ref: String,
    /// Overrides the file date (BGN03) as the as-of date.
    pub as_of: Option<NaiveDate>,
    /// The import's day: a change file without BGN03 is dated by it.
    pub today: NaiveDate,
}

/// The dependent REF qualifier unless an account's feed says otherwise.
pub const DEFAULT_DEPENDENT_REF: &str = "23";

impl X12Options {
    pub fn new(today: NaiveDate) -> Self {
        Self { dependent_ref: DEFAULT_DEPENDENT_REF.into(), as_of: None, today }
    }
}

/// The implementation guides read (GS08), as the batch records them.
const VERSIONS: &[&str] = &["005010X220A1", "005010X220", "004010X095A1", "004010X095"];

fn d8(text: &str) -> Option<NaiveDate> {
    // RD8 ranges ("CCYYMMDD-CCYYMMDD") give their first date.
    DateFormat::Compact.parse(text.split('-').next().unwrap_or(text))
}

/// One transaction set's BGN: where it is, BGN07 and BGN08.
struct Bgn {
    segment: u64,
    bgn07: String,
    bgn08: String,
}

#[derive(Default)]
struct Envelope {
    groups: u64,
    group: Option<(String, u64)>,
    /// The open set: ST02, segments counted, BGNs seen.
    set: Option<(String, u64, u32)>,
    ended: bool,
}

/// A trailer's count, read as a number (`GE*01` counts one).
fn count(trailer: Trailer, said: &str, counted: u64) -> Option<Reason> {
    (said.parse::<u64>() != Ok(counted)).then(|| Reason::EnvelopeCount { trailer, said: X12Value::of(said), counted })
}

fn control(trailer: Trailer, trailer_value: &str, header_value: &str) -> Option<Reason> {
    (trailer_value != header_value).then(|| Reason::EnvelopeControl {
        trailer,
        trailer_value: X12Value::of(trailer_value),
        header_value: X12Value::of(header_value),
    })
}

fn nesting(segment: &'static str, problem: &'static str) -> Reason {
    Reason::EnvelopeNesting { segment, problem }
}

impl Envelope {
    /// Checks one envelope segment; `None` when it fits.
    fn check(&mut self, id: &str, seg: &[String], isa13: &str, standard: &mut Option<&'static str>) -> Option<Reason> {
        match id {
            "GS" => {
                if self.group.is_some() {
                    return Some(nesting("GS", "inside an open functional group (missing GE)"));
                }
                let version = element(seg, 8);
                match VERSIONS.iter().find(|v| **v == version) {
                    Some(v) => *standard = standard.or(Some(v)),
                    None => return Some(Reason::UnsupportedVersion { version: X12Value::of(version) }),
                }
                self.group = Some((element(seg, 6).to_owned(), 0));
            }
            "ST" => {
                let Some((_, sets)) = self.group.as_mut() else {
                    return Some(nesting("ST", "outside a functional group (GS…GE)"));
                };
                if self.set.is_some() {
                    return Some(nesting("ST", "inside an open transaction set (missing SE)"));
                }
                if element(seg, 1) != "834" {
                    return Some(Reason::Not834 { st01: X12Value::of(element(seg, 1)) });
                }
                *sets += 1;
                self.set = Some((element(seg, 2).to_owned(), 1, 0));
            }
            "BGN" => {
                if let Some((_, _, bgns)) = self.set.as_mut() {
                    *bgns += 1;
                }
            }
            "SE" => {
                let Some((st02, counted, bgns)) = self.set.take() else { return Some(nesting("SE", "without ST")) };
                // Without this, a set lacking its BGN would leave the purposes agreeing with anything.
                return count(Trailer::Se, element(seg, 1), counted)
                    .or_else(|| control(Trailer::Se, element(seg, 2), &st02))
                    .or_else(|| (bgns != 1).then_some(Reason::BgnCount));
            }
            "GE" => {
                if self.set.is_some() {
                    return Some(nesting("GE", "inside an open transaction set (missing SE)"));
                }
                let Some((gs06, sets)) = self.group.take() else { return Some(nesting("GE", "without GS")) };
                self.groups += 1;
                return count(Trailer::Ge, element(seg, 1), sets)
                    .or_else(|| control(Trailer::Ge, element(seg, 2), &gs06));
            }
            "IEA" => {
                if self.group.is_some() {
                    return Some(nesting("IEA", "inside an open functional group (missing GE)"));
                }
                self.ended = true;
                return count(Trailer::Iea, element(seg, 1), self.groups)
                    .or_else(|| control(Trailer::Iea, element(seg, 2), isa13));
            }
            _ => {}
        }
        None
    }
}

/// Streams an 834 into pseudonymized eligibility for `account`.
pub fn parse<R: Read>(
    reader: R,
    account: &str,
    options: &X12Options,
    keys: &Pseudonymizer,
) -> Result<Parsed<Eligibility>, FileError> {
    let mut segs = Segments::new(reader)?;
    let isa13 = segs.isa[12].clone();
    let mut tally = Tally::default();
    if let Some(warning) = segs.warning.take() {
        tally.warn(1, warning);
    }
    let mut env = Envelope::default();
    let mut bgns: Vec<Bgn> = Vec::new();
    let mut file_date: Option<NaiveDate> = None;
    let mut members = LoopReader::new(&options.dependent_ref);
    while let Some(seg) = segs.next_segment()? {
        let n = segs.number;
        let id = seg[0].as_str();
        if env.ended {
            return Err(FileError::segment(n, Reason::AfterIea { segment: X12Value::segment_id(id) }));
        }
        if !matches!(id, "ST" | "GS" | "GE" | "IEA" | "SE") && env.set.is_none() {
            let reason = Reason::OutsideTransactionSet { segment: X12Value::segment_id(id) };
            return Err(FileError::segment(n, reason));
        }
        if let Some((_, counted, _)) = env.set.as_mut() {
            *counted += 1;
        }
        if let Some(reason) = env.check(id, &seg, &isa13, &mut tally.standard) {
            return Err(FileError::segment(n, reason));
        }
        match id {
            "ST" => members.start_set(),
            "SE" => members.end_set(),
            "BGN" => {
                bgns.push(Bgn { segment: n, bgn07: element(&seg, 7).to_owned(), bgn08: element(&seg, 8).to_owned() });
                file_date = file_date.or_else(|| d8(element(&seg, 3)));
            }
            "GS" | "GE" | "IEA" => {}
            _ => members.segment(n, &seg),
        }
    }
    if !env.ended {
        return Err(FileError::segment(segs.number, Reason::Truncated));
    }
    let loops = std::mem::take(&mut members.done);
    let full = purpose(&bgns, &loops)?;
    // A full file's date says as of when it states everyone; a change file is dated by its
    // BGN03, or by the day it is imported.
    let as_of = match (options.as_of.or(file_date), full) {
        (Some(d), _) => d,
        (None, true) => return Err(FileError::new(Reason::NoFileDate)),
        (None, false) => options.today,
    };
    interpret(loops, account, as_of, full, keys, tally)
}

/// Whether the file is a full file (`true`) or a change file, from every set's BGN08. A
/// change file whose loops are all audits (030) stays a change file: its audits replace
/// those people's spans and nobody else's.
fn purpose(bgns: &[Bgn], loops: &[MemberLoop]) -> Result<bool, FileError> {
    let all_audit = !loops.is_empty() && loops.iter().all(|m| m.maintenance == "030");
    let mut purposes = Vec::with_capacity(bgns.len());
    for b in bgns {
        let full = match b.bgn08.as_str() {
            "4" | "RX" => true,
            "2" => false,
            // BGN08 says nothing of use, but every loop an audit (030) states the whole file.
            _ if all_audit => true,
            "" => {
                let bgn07 = (!b.bgn07.is_empty()).then(|| X12Value::of(&b.bgn07));
                return Err(FileError::segment(b.segment, Reason::Bgn08Empty { bgn07 }));
            }
            other => return Err(FileError::segment(b.segment, Reason::Bgn08Unknown { value: X12Value::of(other) })),
        };
        purposes.push(full);
    }
    let full = purposes.iter().all(|f| *f);
    if !full && purposes.iter().any(|f| *f) {
        let purposes = bgns.iter().map(|b| X12Value::of(&b.bgn08)).collect();
        return Err(FileError::new(Reason::MixedPurposes { purposes }));
    }
    Ok(full && !purposes.is_empty())
}

struct Decoded {
    facts: PersonFacts,
    /// INS03, or 024 when every medical coverage line ends.
    maintenance: String,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
}

fn date(text: Option<&String>, qualifier: &'static str) -> Result<Option<NaiveDate>, Reason> {
    match text {
        None => Ok(None),
        Some(text) => d8(text).map(Some).ok_or(Reason::BadDtpDate { qualifier }),
    }
}

/// The member's coverage from their medical lines (HD): while any line goes on, from the
/// earliest begin of those that do to their latest end (open if any is); when every line
/// ends (HD01 024), up to the latest end — a plan change (PPO ending, HMO beginning) is
/// coverage that goes on. Without medical lines, the member-level eligibility dates.
fn coverage(m: &MemberLoop) -> Result<(Option<NaiveDate>, Option<NaiveDate>, bool), Reason> {
    let ongoing: Vec<&Coverage> = m.coverages.iter().filter(|c| c.hd01 != "024").collect();
    let ending = !m.coverages.is_empty() && ongoing.is_empty();
    let lines: Vec<&Coverage> = if ending { m.coverages.iter().collect() } else { ongoing };
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    let mut open = false;
    for line in &lines {
        begins.extend(date(line.begin.as_ref(), "348")?);
        match date(line.end.as_ref(), "349")? {
            Some(e) if !open_ended(e) => ends.push(e),
            _ => open = true,
        }
    }
    let begin = match begins.into_iter().min() {
        Some(b) => Some(b),
        None => date(m.eligibility.0.as_ref(), "356")?,
    };
    let member_end = date(m.eligibility.1.as_ref(), "357")?.filter(|e| !open_ended(*e));
    let end = if ends.is_empty() || (open && !ending) { member_end } else { ends.into_iter().max() };
    Ok((begin, end, ending))
}

/// Rejection reasons name the segment and element, never the value in it.
fn decode(m: &MemberLoop, relationship: Relationship, as_of: NaiveDate) -> Result<Decoded, Reason> {
    let (start, end, ending) = coverage(m)?;
    // An end far in the future means "no end"; any other date must be a sane one.
    let start = start.map(|s| in_range(s, "the coverage begin date", latest_date())).transpose()?;
    let end = end.map(|e| in_range(e, "the coverage end date", latest_date())).transpose()?;
    let maintenance = if ending { "024".to_owned() } else { m.maintenance.clone() };
    if let (Some(s), Some(e)) = (start, end)
        && e < s
        && maintenance != "024"
    {
        return Err(Reason::EndBeforeStart { end: "the coverage end", start: "its begin" });
    }
    let facts = PersonFacts {
        relationship,
        age_band: DateFormat::Compact.parse(&m.birth).and_then(|b| AgeBand::on(b, as_of)),
        sex: Sex::parse_any(&m.sex).unwrap_or(Sex::Unknown),
        zip3: zip3(&m.zip),
        worksite: (!m.worksite.is_empty()).then(|| m.worksite.clone()),
        metro: None,
    };
    Ok(Decoded { facts, maintenance, start, end })
}

fn interpret(
    loops: Vec<MemberLoop>,
    account: &str,
    as_of: NaiveDate,
    full: bool,
    keys: &Pseudonymizer,
    mut tally: Tally,
) -> Result<Parsed<Eligibility>, FileError> {
    let resolved = identity::resolve(&loops, account, keys);
    let mut events = Vec::new();
    let mut people = Gathered::default();
    let mut untouched = Vec::new();
    let mut checks = Vec::new();
    for (m, resolved) in loops.iter().zip(resolved) {
        let Resolved { key, method } = match resolved {
            Ok(r) => r,
            Err(Unresolved { reason, key }) => {
                tally.reject(m.segment, reason);
                // Whoever it would have named stays as they were, not terminated by omission.
                untouched.extend(key);
                continue;
            }
        };
        match member_event(m, key, as_of, full, &mut people) {
            Ok(event) => {
                events.extend(event.map(|e| (m.segment, e)));
                tally.accept();
                *tally.member_ids.entry(method).or_default() += 1;
                let relationship = Relationship::parse_any(&m.relationship).unwrap_or(Relationship::Other);
                checks.push(IdCheck { segment: m.segment, key, relationship, method });
            }
            Err(reason) => {
                tally.reject(m.segment, reason);
                untouched.push(key);
            }
        }
    }
    let data = if full {
        Eligibility::Full(people.into_file(as_of, untouched, checks))
    } else {
        Eligibility::Changes(ChangeEvents { as_of, events, checks })
    };
    Ok(Parsed { data, tally })
}

/// What one loop does: a change event, or (in a full file) a person's span gathered.
fn member_event(
    m: &MemberLoop,
    key: MemberKey,
    as_of: NaiveDate,
    full: bool,
    people: &mut Gathered,
) -> Result<Option<EligibilityEvent>, Reason> {
    let relationship = Relationship::parse_any(&m.relationship)
        .ok_or(Reason::UnknownCode { element: "INS02", expected: Expected::Ins02 })?;
    let d = decode(m, relationship, as_of)?;
    let need_start = |what: &'static str| d.start.map(|s| Span::new(s, d.end)).ok_or(Reason::NoCoverageBegin { what });
    // Medical lines that all end (HD01 024) end coverage whatever INS03 says.
    match d.maintenance.as_str() {
        "030" | "021" | "025" if full => {
            people.add(key, d.facts.clone(), need_start("a member")?, m.segment, Unit::Segment)?;
            Ok(None)
        }
        "024" | "001" if full => Err(Reason::Not030InFull),
        "030" => Ok(Some(EligibilityEvent::Audit { key, facts: d.facts, span: need_start("an audit record")? })),
        "021" => Ok(Some(EligibilityEvent::Addition { key, facts: d.facts, span: need_start("an addition")? })),
        "025" => {
            Ok(Some(EligibilityEvent::Reinstatement { key, facts: d.facts, span: need_start("a reinstatement")? }))
        }
        "024" => Ok(Some(EligibilityEvent::Termination { key, end: d.end.ok_or(Reason::NoCoverageEnd)? })),
        "001" => Ok(Some(EligibilityEvent::Change { key, facts: d.facts, span: d.start.map(|s| Span::new(s, d.end)) })),
        _ => Err(Reason::UnknownCode { element: "INS03", expected: Expected::Ins03 }),
    }
}
