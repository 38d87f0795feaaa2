//! Census CSV: one row per person and coverage span, a full statement of the account's
//! eligibility as of the file's date. Names are never read; a birth date becomes an age
//! band on the as-of date and a zip code its first three digits.
//!
//! A row is rejected for: an empty member_id, an unknown relationship, a missing or
//! malformed coverage_start or coverage_end, an end before the start, or a span that
//! overlaps another row of the same member (a duplicate). A malformed birth date or sex
//! only loses that attribute.

use crate::csv_input::{ColumnMapping, Columns, DateFormat, csv_reader, date, next_record, optional_end};
use crate::pseudonym::Pseudonymizer;
use crate::records::{FullEligibility, Parsed};
use crate::report::{FileError, Tally};
use chrono::NaiveDate;
use std::collections::HashMap;
use std::io::Read;
use steward_domain::ledger::PersonFacts;
use steward_domain::{AgeBand, Relationship, Sex, Span};

const REQUIRED: &[&str] = &["member_id", "relationship", "coverage_start"];
const OPTIONAL: &[&str] = &["birth_date", "sex", "zip", "worksite", "coverage_end"];

pub fn zip3(zip: &str) -> Option<[u8; 3]> {
    let b = zip.trim().as_bytes();
    (b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit)).then(|| [b[0], b[1], b[2]])
}

pub fn parse<R: Read>(
    reader: R,
    account: &str,
    as_of: NaiveDate,
    mapping: Option<&ColumnMapping>,
    keys: &Pseudonymizer,
) -> Result<Parsed<FullEligibility>, FileError> {
    let (mut csv, header) = csv_reader(reader)?;
    let cols = Columns::resolve(&header, REQUIRED, OPTIONAL, mapping)?;
    let format = mapping.map_or(DateFormat::Iso, |m| m.date_format);
    let mut tally = Tally::default();
    let mut people: Vec<(steward_domain::MemberKey, PersonFacts, Vec<Span>)> = Vec::new();
    let mut seen: HashMap<steward_domain::MemberKey, (usize, Vec<u64>)> = HashMap::new();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_record(&mut csv, &mut record)? {
        let field = |name: &str| cols.get(&record, name, line);
        let member_id = field("member_id")?;
        if member_id.is_empty() {
            tally.reject(line, "member_id is empty");
            continue;
        }
        let rel_text = field("relationship")?;
        let Some(relationship) = Relationship::parse_any(rel_text) else {
            tally.reject(line, format!("unknown relationship {rel_text:?}; use employee, spouse, child, other or an X12 code (18, 01, 19, …)"));
            continue;
        };
        let start = match date(field("coverage_start")?, "coverage_start", format) {
            Ok(d) => d,
            Err(e) => {
                tally.reject(line, e);
                continue;
            }
        };
        let end = match optional_end(field("coverage_end")?, "coverage_end", format) {
            Ok(d) => d,
            Err(e) => {
                tally.reject(line, e);
                continue;
            }
        };
        if end.is_some_and(|e| e < start) {
            tally.reject(
                line,
                format!(
                    "coverage_end {} is before coverage_start {start}",
                    end.map_or(String::new(), |e| e.to_string())
                ),
            );
            continue;
        }
        let facts = PersonFacts {
            relationship,
            age_band: format.parse(field("birth_date")?).and_then(|b| AgeBand::on(b, as_of)),
            sex: Sex::parse_any(field("sex")?).unwrap_or(Sex::Unknown),
            zip3: zip3(field("zip")?),
            worksite: Some(field("worksite")?).filter(|w| !w.is_empty()).map(str::to_owned),
            metro: None,
        };
        let key = keys.member(account, member_id);
        let span = Span::new(start, end);
        match seen.get_mut(&key) {
            Some((i, lines)) => {
                let (_, existing_facts, spans) = &mut people[*i];
                if let Some(k) = spans.iter().position(|s| overlaps(s, &span)) {
                    tally.reject(
                        line,
                        format!("duplicate member_id {member_id:?}: its span overlaps line {}", lines[k]),
                    );
                    continue;
                }
                *existing_facts = facts;
                spans.push(span);
                lines.push(line);
            }
            None => {
                seen.insert(key, (people.len(), vec![line]));
                people.push((key, facts, vec![span]));
            }
        }
        tally.accept();
    }
    Ok(Parsed { data: FullEligibility { as_of, people }, tally })
}

fn overlaps(a: &Span, b: &Span) -> bool {
    a.start <= b.end.unwrap_or(chrono::NaiveDate::MAX) && b.start <= a.end.unwrap_or(chrono::NaiveDate::MAX)
}
