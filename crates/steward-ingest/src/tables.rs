//! The CSV feeds from our own systems, each row naming its account (or `--account` for
//! all): memberships, visits and survey responses. These files are the big ones (millions
//! of rows), so they are read in blocks cut at row boundaries and parsed on every core,
//! keeping file order.
//!
//! Rows are rejected for: an empty or unknown account, an account other than `--account`,
//! an empty member_id (visits; surveys may be anonymous) or record id, a malformed date,
//! an end before a start, an unknown modality or status, a score outside 0–10, or a clinic
//! metro that is not one of ours.

use crate::csv_input::{
    Columns, DateFormat, Mapping, date, id, latest_date, latest_event_date, optional_end, utf8_reader,
};
use crate::input::read_error;
use crate::pseudonym::Pseudonymizer;
use crate::reason::{Expected, MappingName, Reason};
use crate::records::{ByAccount, Memberships, Parsed, Surveys, Visits};
use crate::report::{FileError, Tally};
use chrono::NaiveDate;
use rayon::prelude::*;
use std::io::{BufRead, Read};
use steward_domain::ledger::{SurveyResponse, Visit};
use steward_domain::{MemberKey, Metro, Modality, Span, VisitStatus};

/// Which accounts rows may name, and the one `--account` names (if any).
#[derive(Clone, Copy)]
pub struct AccountScope<'a> {
    pub only: Option<&'a str>,
    pub known: &'a (dyn Fn(&str) -> bool + Sync),
}

impl std::fmt::Debug for AccountScope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountScope").field("only", &self.only).finish_non_exhaustive()
    }
}

impl AccountScope<'_> {
    /// The account a row is for: the one it names, or `None` for the `--account` one.
    fn resolve<'r>(&self, written: &'r str, has_column: bool) -> Result<Option<&'r str>, Reason> {
        let account = match (has_column, self.only) {
            (true, Some(only)) if !written.is_empty() && written != only => {
                let only = steward_domain::Slug::parse(only).map_err(|_| Reason::AccountUnknown)?;
                return Err(Reason::AccountNotThis { only });
            }
            (true, _) if !written.is_empty() => Some(written),
            (_, Some(_)) => None,
            _ => return Err(Reason::AccountEmpty),
        };
        let name = account.or(self.only).unwrap_or_default();
        if (self.known)(name) { Ok(account) } else { Err(Reason::AccountUnknown) }
    }

    fn name<'r>(&self, resolved: Option<&'r str>) -> &'r str
    where
        Self: 'r,
    {
        resolved.or(self.only).unwrap_or_default()
    }
}

/// What a row parser makes of one record: its value, or why it was rejected (never
/// quoting the row's values).
pub(crate) enum Row<T> {
    Accept(T),
    Reject(Reason),
}

/// One block's rows, in order.
struct Block<T> {
    rows: ByAccount<T>,
    rejected: Vec<(u64, Reason)>,
}

const BLOCK: usize = 8 << 20;

/// Finds where rows end in a growing buffer, scanning each byte once: a quote opens a
/// quoted field only at the start of a field and `""` inside one is a literal quote — as
/// csv-core reads it, so a stray quote mid-field cannot mislead the cut.
#[derive(Debug, Default)]
struct RowEnds {
    /// How far the buffer has been scanned.
    scanned: usize,
    quoted: bool,
    field_start: bool,
    /// A quote inside a quoted field was the last byte scanned: the next byte decides.
    pending_quote: bool,
    /// Just after the last newline outside a quoted field.
    last: Option<usize>,
}

impl RowEnds {
    fn new() -> Self {
        Self { field_start: true, ..Self::default() }
    }

    /// Scans what was appended to `bytes` since the last call.
    fn scan(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate().skip(self.scanned) {
            if self.pending_quote {
                self.pending_quote = false;
                if b == b'"' {
                    // `""`: a literal quote, still inside the field.
                    continue;
                }
                self.quoted = false;
            }
            if self.quoted {
                self.pending_quote = b == b'"';
                continue;
            }
            match b {
                b'"' if self.field_start => {
                    self.quoted = true;
                    self.field_start = false;
                }
                b',' => self.field_start = true,
                b'\n' => {
                    self.last = Some(i + 1);
                    self.field_start = true;
                }
                // A lone CR ends a record for csv-core too (a quote after it opens a field);
                // blocks are cut only after LF, which is enough.
                b'\r' => self.field_start = true,
                _ => self.field_start = false,
            }
        }
        self.scanned = bytes.len();
    }
}

/// Reads the next block of whole rows: at least `BLOCK` bytes (or the rest of the file),
/// cut after the last complete row. A row longer than a block makes the block longer; the
/// bytes already scanned are not scanned again, so an unclosed quote costs linear time. A
/// file that ends inside a quoted field is refused at the line where that row starts: the
/// quote swallowed every row after it.
fn next_block(reader: &mut impl BufRead, carry: &mut Vec<u8>, first_line: u64) -> Result<Option<Vec<u8>>, FileError> {
    next_block_of(reader, carry, first_line, BLOCK)
}

fn next_block_of(
    reader: &mut impl BufRead,
    carry: &mut Vec<u8>,
    first_line: u64,
    size: usize,
) -> Result<Option<Vec<u8>>, FileError> {
    let read = |e: std::io::Error| FileError::new(read_error(&e));
    let mut block = std::mem::take(carry);
    let mut wanted = size;
    let mut ends = RowEnds::new();
    loop {
        while block.len() < wanted {
            let buf = reader.fill_buf().map_err(read)?;
            if buf.is_empty() {
                break;
            }
            let n = buf.len();
            block.extend_from_slice(buf);
            reader.consume(n);
        }
        let at_end = reader.fill_buf().map_err(read)?.is_empty();
        if block.is_empty() {
            return Ok(None);
        }
        ends.scan(&block);
        if at_end {
            if ends.quoted && !ends.pending_quote {
                let start = ends.last.unwrap_or(0);
                let line = first_line + block[..start].iter().filter(|b| **b == b'\n').count() as u64;
                return Err(FileError::at(line, Reason::MalformedCsv));
            }
            return Ok(Some(block));
        }
        if let Some(cut) = ends.last {
            *carry = block.split_off(cut);
            return Ok(Some(block));
        }
        wanted = block.len() + size;
    }
}

/// The blocks a CSV file is cut into with blocks of at least `size` bytes: for property
/// tests and the fuzzer, which use small sizes to cut small inputs many ways.
#[doc(hidden)]
pub fn blocks_of(bytes: &[u8], size: usize) -> Result<Vec<Vec<u8>>, FileError> {
    let mut reader = std::io::BufReader::with_capacity(size.max(1), bytes);
    let (mut carry, mut out, mut line) = (Vec::new(), Vec::new(), 1u64);
    while let Some(block) = next_block_of(&mut reader, &mut carry, line, size.max(1))? {
        line += block.iter().filter(|b| **b == b'\n').count() as u64;
        out.push(block);
    }
    Ok(out)
}

/// The 1-based line of `offset` in `bytes`, counting from `first_line`, moving forward
/// from a previous answer: csv reports lines one short after CRLF, so count ourselves.
struct Lines {
    first_line: u64,
    at: usize,
    newlines: u64,
}

impl Lines {
    fn line(&mut self, bytes: &[u8], offset: usize) -> u64 {
        let mut offset = offset.min(bytes.len());
        // After CRLF, csv places the next record at the LF: the record starts past it.
        while offset < bytes.len() && matches!(bytes[offset], b'\r' | b'\n') {
            offset += 1;
        }
        if offset >= self.at {
            self.newlines += bytes[self.at..offset].iter().filter(|b| **b == b'\n').count() as u64;
            self.at = offset;
        }
        self.first_line + self.newlines
    }
}

/// The longest header line read: a "header" longer than this is not one.
const MAX_HEADER: u64 = 1 << 16;

/// Parses every row with `row`, on all cores, returning rows by account in file order.
pub(crate) fn parse_rows<R: Read, T: Send>(
    reader: R,
    required: &[&'static str],
    optional: &[&'static str],
    mapping: Option<(&MappingName, &Mapping)>,
    scope: AccountScope,
    // (columns, record, line, the row's account) → the row
    row: impl Fn(&Columns, &csv::ByteRecord, u64, &str) -> Result<Row<T>, FileError> + Sync,
) -> Result<Parsed<ByAccount<T>>, FileError> {
    let mut reader = utf8_reader(reader)?;
    let mut header_line = Vec::new();
    (&mut reader).take(MAX_HEADER).read_until(b'\n', &mut header_line).map_err(|e| FileError::new(read_error(&e)))?;
    // A CR not followed by LF inside the first line: the lines end with CR alone, and the
    // whole file would be read as one header.
    if header_line.windows(2).any(|w| w[0] == b'\r' && w[1] != b'\n') {
        return Err(FileError::at(1, Reason::CrLineEndings));
    }
    if header_line.len() as u64 >= MAX_HEADER && header_line.last() != Some(&b'\n') {
        let max = MAX_HEADER as usize;
        return Err(FileError::at(1, Reason::FieldTooLong { field: "the header line", max }));
    }
    let header = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&header_line[..])
        .byte_records()
        .next()
        .transpose()
        .map_err(|_| FileError::at(1, Reason::MalformedCsv))?
        .filter(|h| h.len() > 1 || h.get(0).is_some_and(|f| !f.is_empty()))
        .ok_or_else(|| FileError::at(1, Reason::NoHeader))?;
    let cols = Columns::resolve(&header, required, optional, mapping)?;
    if !cols.has("account") && scope.only.is_none() {
        return Err(FileError::at(1, Reason::NoAccountColumn));
    }
    let parse_block = |first_line: u64, bytes: &[u8]| -> Result<Block<T>, FileError> {
        let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
        let mut out = Block { rows: ByAccount::default(), rejected: Vec::new() };
        let mut record = csv::ByteRecord::new();
        let mut lines = Lines { first_line, at: 0, newlines: 0 };
        loop {
            let start = csv.position().byte() as usize;
            match csv.read_byte_record(&mut record) {
                Ok(false) => break,
                Ok(true) => {}
                Err(e) => {
                    let line = lines.line(bytes, e.position().map_or(start, |p| p.byte() as usize));
                    return Err(FileError::at(line, Reason::MalformedCsv));
                }
            }
            let line = lines.line(bytes, record.position().map_or(start, |p| p.byte() as usize));
            if record.len() != cols.width {
                out.rejected.push((line, Reason::WrongWidth { fields: record.len(), columns: cols.width }));
                continue;
            }
            let account = match scope.resolve(cols.get(&record, "account", line)?, cols.has("account")) {
                Ok(account) => scope.name(account),
                Err(reason) => {
                    out.rejected.push((line, reason));
                    continue;
                }
            };
            match row(&cols, &record, line, account)? {
                Row::Accept(value) => {
                    let i = out.rows.account(account);
                    out.rows.push(i, value);
                }
                Row::Reject(reason) => out.rejected.push((line, reason)),
            }
        }
        Ok(out)
    };
    let mut tally = Tally::default();
    let mut all = ByAccount::default();
    let mut carry = Vec::new();
    let mut next_line = 2u64;
    let per_round = 2 * rayon::current_num_threads();
    loop {
        let mut blocks = Vec::with_capacity(per_round);
        while blocks.len() < per_round {
            let Some(block) = next_block(&mut reader, &mut carry, next_line)? else { break };
            let lines = block.iter().filter(|b| **b == b'\n').count() as u64;
            blocks.push((next_line, block));
            next_line += lines;
        }
        if blocks.is_empty() {
            break;
        }
        let parsed: Vec<Result<Block<T>, FileError>> =
            blocks.par_iter().map(|(line, bytes)| parse_block(*line, bytes)).collect();
        for block in parsed {
            let block = block?;
            let accepted = block.rows.len() as u64;
            tally.accepted += accepted;
            tally.read += accepted;
            all.append(block.rows);
            for (line, reason) in block.rejected {
                tally.reject(line, reason);
            }
        }
    }
    Ok(Parsed { data: all, tally })
}

/// Turns a row-level problem into a rejection, continuing with the next row.
macro_rules! row_try {
    ($e:expr) => {
        match $e {
            Ok(v) => v,
            Err(reason) => return Ok(Row::Reject(reason)),
        }
    };
}

pub fn memberships<R: Read>(
    reader: R,
    scope: AccountScope,
    keys: &Pseudonymizer,
) -> Result<Parsed<Memberships>, FileError> {
    parse_rows(
        reader,
        &["member_id", "membership_start"],
        &["account", "membership_end"],
        None,
        scope,
        |cols, record, line, name| {
            let field = |field: &str| cols.get(record, field, line);
            let member_id = row_try!(id(field("member_id")?, "member_id"));
            let start = row_try!(date(field("membership_start")?, "membership_start", DateFormat::Iso, latest_date()));
            let end = row_try!(optional_end(field("membership_end")?, "membership_end", DateFormat::Iso));
            if end.is_some_and(|e| e < start) {
                return Ok(Row::Reject(Reason::EndBeforeStart { end: "membership_end", start: "membership_start" }));
            }
            Ok(Row::Accept((keys.member(name, member_id), Span::new(start, end))))
        },
    )
}

/// Visits imported on `today` (a visit dated later has not happened).
pub fn visits<R: Read>(
    reader: R,
    scope: AccountScope,
    keys: &Pseudonymizer,
    today: NaiveDate,
) -> Result<Parsed<Visits>, FileError> {
    let required = &["visit_id", "member_id", "visit_date", "modality", "status"];
    let latest = latest_event_date(today);
    parse_rows(reader, required, &["account", "metro"], None, scope, |cols, record, line, name| {
        let field = |field: &str| cols.get(record, field, line);
        let visit_id = row_try!(id(field("visit_id")?, "visit_id"));
        let member_id = row_try!(id(field("member_id")?, "member_id"));
        let day = row_try!(date(field("visit_date")?, "visit_date", DateFormat::Iso, latest));
        let unknown = |field, expected| Reason::UnknownValue { field, expected };
        let modality: Modality =
            row_try!(field("modality")?.parse().map_err(|_| unknown("modality", Expected::Modality)));
        let status: VisitStatus =
            row_try!(field("status")?.parse().map_err(|_| unknown("status", Expected::VisitStatus)));
        // Empty: the visit had no clinic (a video visit, say).
        let metro_text = field("metro")?;
        let clinic_metro = if metro_text.is_empty() {
            None
        } else {
            Some(row_try!(metro_text.parse::<Metro>().map_err(|_| unknown("metro", Expected::Metro))))
        };
        let visit = Visit {
            key: keys.record(name, b'v', visit_id),
            member: keys.member(name, member_id),
            date: day,
            modality,
            status,
            clinic_metro,
        };
        Ok(Row::Accept(visit))
    })
}

/// Survey responses imported on `today`.
pub fn surveys<R: Read>(
    reader: R,
    scope: AccountScope,
    keys: &Pseudonymizer,
    today: NaiveDate,
) -> Result<Parsed<Surveys>, FileError> {
    let latest = latest_event_date(today);
    // Comment columns are never read: free text can hold health information.
    parse_rows(
        reader,
        &["response_id", "response_date", "score"],
        &["account", "member_id"],
        None,
        scope,
        |cols, record, line, name| {
            let field = |field: &str| cols.get(record, field, line);
            let response_id = row_try!(id(field("response_id")?, "response_id"));
            let day = row_try!(date(field("response_date")?, "response_date", DateFormat::Iso, latest));
            let score = match field("score")?.parse::<u8>() {
                Ok(s) if s <= 10 => s,
                _ => return Ok(Row::Reject(Reason::UnknownValue { field: "score", expected: Expected::Score })),
            };
            let member_id = field("member_id")?;
            let member: Option<MemberKey> =
                if member_id.is_empty() { None } else { Some(keys.member(name, row_try!(id(member_id, "member_id")))) };
            Ok(Row::Accept(SurveyResponse { key: keys.record(name, b's', response_id), member, date: day, score }))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_cut_between_rows_never_inside_quotes() {
        let text = b"a,\"x\ny\",1\nb,pl\"ain,2\nc,\"q\"\"\n\",3\n".repeat(400_000);
        let mut reader = std::io::BufReader::new(&text[..]);
        let (mut carry, mut total, mut rows) = (Vec::new(), 0, 0);
        while let Some(block) = next_block(&mut reader, &mut carry, 1).unwrap() {
            let mut csv = csv::ReaderBuilder::new().has_headers(false).from_reader(&block[..]);
            for record in csv.byte_records() {
                assert_eq!(record.unwrap().len(), 3, "a row was split");
                rows += 1;
            }
            total += block.len();
        }
        assert_eq!((total, rows), (text.len(), 1_200_000));
    }

    /// Where the last row of `bytes` ends: just after its last newline outside quotes.
    fn last_row_end(bytes: &[u8]) -> Option<usize> {
        let mut ends = RowEnds::new();
        ends.scan(bytes);
        ends.last
    }

    #[test]
    fn row_ends_agree_however_the_buffer_grows() {
        let text = b"a,\"x\ny\",1\nb,pl\"ain,2\nc,\"q\"\"\n\",3\nd,\"\"\"\"\n";
        let whole = last_row_end(text);
        assert_eq!(whole, Some(text.len()));
        for split in 0..text.len() {
            let mut ends = RowEnds::new();
            ends.scan(&text[..split]);
            ends.scan(text);
            assert_eq!(ends.last, whole, "split at {split}");
        }
        assert_eq!(last_row_end(b"a,\"open\n"), None);
    }

    #[test]
    fn an_unclosed_quote_reads_to_the_end_without_hanging() {
        let mut text = b"a,\"never closed\n".to_vec();
        text.extend(b"b,2\n".repeat(5_000_000));
        let mut reader = std::io::BufReader::new(&text[..]);
        let mut carry = Vec::new();
        let e = next_block(&mut reader, &mut carry, 1).unwrap_err();
        assert_eq!((e.line, e.reason), (Some(1), Reason::MalformedCsv), "the row whose quote never closes");
    }
}
