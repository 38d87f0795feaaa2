//! The CSV feeds from our own systems, each row naming its account (or `--account` for
//! all): memberships, visits and survey responses.
//!
//! Rows are rejected for: an empty or unknown account, an account other than `--account`,
//! an empty member_id (visits; surveys may be anonymous) or record id, a malformed date,
//! an end before a start, an unknown modality or status, a score outside 0–10, or a clinic
//! metro that is not one of ours.

use crate::csv_input::{Columns, DateFormat, csv_reader, date, next_record, optional_end};
use crate::pseudonym::Pseudonymizer;
use crate::records::{ByAccount, Memberships, Parsed, Surveys, Visits};
use crate::report::{FileError, Tally};
use std::io::Read;
use steward_domain::ledger::{SurveyResponse, Visit};
use steward_domain::{Metro, Modality, Span, VisitStatus};

/// Which accounts rows may name, and the one `--account` names (if any).
#[derive(Clone, Copy)]
pub struct AccountScope<'a> {
    pub only: Option<&'a str>,
    pub known: &'a dyn Fn(&str) -> bool,
}

impl std::fmt::Debug for AccountScope<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountScope").field("only", &self.only).finish_non_exhaustive()
    }
}

impl AccountScope<'_> {
    fn resolve<'r>(&self, written: &'r str, has_column: bool) -> Result<&'r str, String>
    where
        Self: 'r,
    {
        let account = match (has_column, self.only) {
            (true, Some(only)) if !written.is_empty() && written != only => {
                return Err(format!("account {written:?} is not {only}, the account this import is for"));
            }
            (true, _) if !written.is_empty() => written,
            (_, Some(only)) => only,
            _ => return Err("account is empty (or name one with --account)".into()),
        };
        if (self.known)(account) { Ok(account) } else { Err(format!("unknown account {account:?}")) }
    }
}

fn missing_account(cols: &Columns, scope: &AccountScope) -> Result<(), FileError> {
    if !cols.has("account") && scope.only.is_none() {
        return Err(FileError::at(1, "the file has no account column: name the account with --account SLUG"));
    }
    Ok(())
}

macro_rules! row_try {
    ($tally:expr, $line:expr, $e:expr) => {
        match $e {
            Ok(v) => v,
            Err(message) => {
                $tally.reject($line, message);
                continue;
            }
        }
    };
}

pub fn memberships<R: Read>(
    reader: R,
    scope: AccountScope,
    keys: &Pseudonymizer,
) -> Result<Parsed<Memberships>, FileError> {
    let (mut csv, header) = csv_reader(reader)?;
    let cols = Columns::resolve(&header, &["member_id", "membership_start"], &["account", "membership_end"], None)?;
    missing_account(&cols, &scope)?;
    let mut tally = Tally::default();
    let mut out = ByAccount::default();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_record(&mut csv, &mut record)? {
        let field = |name: &str| cols.get(&record, name, line);
        let account = row_try!(tally, line, scope.resolve(field("account")?, cols.has("account")));
        let member_id = field("member_id")?;
        if member_id.is_empty() {
            tally.reject(line, "member_id is empty");
            continue;
        }
        let start = row_try!(tally, line, date(field("membership_start")?, "membership_start", DateFormat::Iso));
        let end = row_try!(tally, line, optional_end(field("membership_end")?, "membership_end", DateFormat::Iso));
        if end.is_some_and(|e| e < start) {
            tally.reject(line, "membership_end is before membership_start");
            continue;
        }
        let key = keys.member(account, member_id);
        let i = out.account(account);
        out.rows.push((i, (key, Span::new(start, end))));
        tally.accept();
    }
    Ok(Parsed { data: out, tally })
}

pub fn visits<R: Read>(reader: R, scope: AccountScope, keys: &Pseudonymizer) -> Result<Parsed<Visits>, FileError> {
    let (mut csv, header) = csv_reader(reader)?;
    let cols = Columns::resolve(
        &header,
        &["visit_id", "member_id", "visit_date", "modality", "status"],
        &["account", "metro"],
        None,
    )?;
    missing_account(&cols, &scope)?;
    let mut tally = Tally::default();
    let mut out = ByAccount::default();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_record(&mut csv, &mut record)? {
        let field = |name: &str| cols.get(&record, name, line);
        let account = row_try!(tally, line, scope.resolve(field("account")?, cols.has("account")));
        let (visit_id, member_id) = (field("visit_id")?, field("member_id")?);
        if visit_id.is_empty() || member_id.is_empty() {
            tally.reject(line, if visit_id.is_empty() { "visit_id is empty" } else { "member_id is empty" });
            continue;
        }
        let day = row_try!(tally, line, date(field("visit_date")?, "visit_date", DateFormat::Iso));
        let modality: Modality =
            row_try!(tally, line, field("modality")?.parse().map_err(|e: steward_domain::ParseError| e.0));
        let status: VisitStatus =
            row_try!(tally, line, field("status")?.parse().map_err(|e: steward_domain::ParseError| e.0));
        let metro_text = field("metro")?;
        let clinic_metro = if metro_text.is_empty() {
            None
        } else {
            Some(row_try!(tally, line, metro_text.parse::<Metro>().map_err(|e| e.0)))
        };
        let visit = Visit {
            key: keys.record(account, b'v', visit_id),
            member: keys.member(account, member_id),
            date: day,
            modality,
            status,
            clinic_metro,
        };
        let i = out.account(account);
        out.rows.push((i, visit));
        tally.accept();
    }
    Ok(Parsed { data: out, tally })
}

pub fn surveys<R: Read>(reader: R, scope: AccountScope, keys: &Pseudonymizer) -> Result<Parsed<Surveys>, FileError> {
    let (mut csv, header) = csv_reader(reader)?;
    // Comment columns are never read: free text can hold health information.
    let cols = Columns::resolve(&header, &["response_id", "response_date", "score"], &["account", "member_id"], None)?;
    missing_account(&cols, &scope)?;
    let mut tally = Tally::default();
    let mut out = ByAccount::default();
    let mut record = csv::ByteRecord::new();
    while let Some(line) = next_record(&mut csv, &mut record)? {
        let field = |name: &str| cols.get(&record, name, line);
        let account = row_try!(tally, line, scope.resolve(field("account")?, cols.has("account")));
        let response_id = field("response_id")?;
        if response_id.is_empty() {
            tally.reject(line, "response_id is empty");
            continue;
        }
        let day = row_try!(tally, line, date(field("response_date")?, "response_date", DateFormat::Iso));
        let score_text = field("score")?;
        let score = match score_text.parse::<u8>() {
            Ok(s) if s <= 10 => s,
            _ => {
                tally.reject(line, format!("score {score_text:?} is not a whole number from 0 to 10"));
                continue;
            }
        };
        let member_id = field("member_id")?;
        let response = SurveyResponse {
            key: keys.record(account, b's', response_id),
            member: (!member_id.is_empty()).then(|| keys.member(account, member_id)),
            date: day,
            score,
        };
        let i = out.account(account);
        out.rows.push((i, response));
        tally.accept();
    }
    Ok(Parsed { data: out, tally })
}
