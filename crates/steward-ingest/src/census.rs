//! Census CSV: one row per person and coverage span, a full statement of the account's
//! eligibility as of the file's date. Names are never read; a birth date becomes an age
//! band on the as-of date and a zip code its first three digits.
//!
//! A row is rejected for: a field count unlike the header's, an empty member_id, an
//! unknown relationship, a missing or malformed coverage_start or coverage_end, an end
//! before the start, or a span that overlaps another row of the same member (a duplicate).
//! A malformed birth date or sex only loses that attribute. A person whose row was
//! rejected is left as they were — never terminated by omission for a typo. Rejection
//! messages name the field, never its value.

use crate::csv_input::{DateFormat, Mapping, date, id, latest_date, optional_end};
use crate::pseudonym::Pseudonymizer;
use crate::reason::{Expected, MappingName, Reason, Unit};
use crate::records::{FullEligibility, Gathered, Parsed};
use crate::report::FileError;
use crate::tables::{AccountScope, Row, parse_rows};
use chrono::NaiveDate;
use std::io::Read;
use steward_domain::ledger::PersonFacts;
use steward_domain::{AgeBand, MemberKey, Relationship, Sex, Span};

const REQUIRED: &[&str] = &["member_id", "relationship", "coverage_start"];
const OPTIONAL: &[&str] = &["birth_date", "sex", "zip", "worksite", "coverage_end"];

pub fn zip3(zip: &str) -> Option<[u8; 3]> {
    let b = zip.trim().as_bytes();
    (b.len() >= 3 && b[..3].iter().all(u8::is_ascii_digit)).then(|| [b[0], b[1], b[2]])
}

/// One row as parsed (on any core), before rows of one person are put together.
enum CensusRow {
    Span {
        line: u64,
        key: MemberKey,
        facts: PersonFacts,
        span: Span,
        /// What the row lost (an unreadable birth date or sex) or the file lacks.
        warnings: Vec<Reason>,
    },
    /// A rejected row whose person is known: they stay as they were.
    Rejected { line: u64, key: MemberKey, reason: Reason },
}

pub fn parse<R: Read>(
    reader: R,
    account: &str,
    as_of: NaiveDate,
    mapping: Option<(&MappingName, &Mapping)>,
    keys: &Pseudonymizer,
) -> Result<Parsed<FullEligibility>, FileError> {
    let format = mapping.map_or(DateFormat::Iso, |(_, m)| m.date_format);
    let any = |_: &str| true;
    let scope = AccountScope { only: Some(account), known: &any };
    let parsed = parse_rows(reader, REQUIRED, OPTIONAL, mapping, scope, |cols, record, line, _| {
        let field = |name: &str| cols.get(record, name, line);
        let member_id = match id(field("member_id")?, "member_id") {
            Ok(id) => id,
            Err(reason) => return Ok(Row::Reject(reason)),
        };
        let key = keys.member(account, member_id);
        let rejected = |reason: Reason| Ok(Row::Accept(CensusRow::Rejected { line, key, reason }));
        let Some(relationship) = Relationship::parse_any(field("relationship")?) else {
            return rejected(Reason::UnknownValue { field: "relationship", expected: Expected::Relationship });
        };
        let start = match date(field("coverage_start")?, "coverage_start", format, latest_date()) {
            Ok(d) => d,
            Err(e) => return rejected(e),
        };
        let end = match optional_end(field("coverage_end")?, "coverage_end", format) {
            Ok(d) => d,
            Err(e) => return rejected(e),
        };
        if end.is_some_and(|e| e < start) {
            return rejected(Reason::EndBeforeStart { end: "coverage_end", start: "coverage_start" });
        }
        let mut warnings = Vec::new();
        if !cols.has("birth_date") {
            warnings.push(Reason::OptionalColumnMissing {
                column: "birth_date",
                consequence: "everyone's age band is unknown, and age cuts leave them out",
            });
        }
        let birth_date = field("birth_date")?;
        let born = format.parse(birth_date);
        if born.is_none() && !birth_date.is_empty() {
            warnings.push(Reason::ValueIgnored { field: "birth_date", expected: format.described() });
        }
        let sex_text = field("sex")?;
        let sex = Sex::parse_any(sex_text);
        if sex.is_none() && !sex_text.is_empty() {
            warnings.push(Reason::ValueIgnored { field: "sex", expected: "one of M, F, U (or male, female, unknown)" });
        }
        let facts = PersonFacts {
            relationship,
            age_band: born.and_then(|b| AgeBand::on(b, as_of)),
            sex: sex.unwrap_or(Sex::Unknown),
            zip3: zip3(field("zip")?),
            worksite: Some(field("worksite")?).filter(|w| !w.is_empty()).map(str::to_owned),
            metro: None,
        };
        Ok(Row::Accept(CensusRow::Span { line, key, facts, span: Span::new(start, end), warnings }))
    })?;
    let mut tally = parsed.tally;
    let mut people = Gathered::default();
    let mut untouched = Vec::new();
    let mut column_said = false;
    for row in parsed.data.groups.into_iter().flatten() {
        match row {
            CensusRow::Rejected { line, key, reason } => {
                tally.retract(line, reason);
                untouched.push(key);
            }
            CensusRow::Span { line, key, facts, span, warnings } => {
                if let Err(reason) = people.add(key, facts, span, line, Unit::Line) {
                    tally.retract(line, reason);
                    continue;
                }
                // Only a row that was kept is "kept without" something.
                for w in warnings {
                    // A missing column is the file's, said once.
                    match w {
                        Reason::OptionalColumnMissing { .. } if !column_said => {
                            column_said = true;
                            tally.warn(0, w);
                        }
                        Reason::OptionalColumnMissing { .. } => {}
                        w => tally.warn(line, w),
                    }
                }
            }
        }
    }
    Ok(Parsed { data: people.into_file(as_of, untouched, Vec::new()), tally })
}
