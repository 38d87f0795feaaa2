//! Every parser run on arbitrary bytes, for the property tests (`tests/robust.rs`) and the
//! randomized run of `bench/fuzz.sh` (`examples/fuzz.rs`): seeds from the fixtures, the
//! mutations real files suffer (a flipped bit, a stray delimiter, a cut, a splice, a long
//! run), and each parser's answer — its messages — or the panic it died of.

#![allow(dead_code)]

use chrono::NaiveDate;
use std::io::Read;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use steward_ingest::report::{FileError, Tally};
use steward_ingest::tables::{self, AccountScope};
use steward_ingest::{Pseudonymizer, census, fhir, input, sniff, x12};

/// Planted in mutated inputs: no code of any kind (lower case, a space), so no message may
/// ever show it.
pub const PLANTED: &str = "zqx canary";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Parser {
    Census,
    Memberships,
    Visits,
    Surveys,
    X12,
    Fhir,
    Sniff,
    Gzip,
    CsvBlocks,
}

pub const PARSERS: &[Parser] = &[
    Parser::Census,
    Parser::Memberships,
    Parser::Visits,
    Parser::Surveys,
    Parser::X12,
    Parser::Fhir,
    Parser::Sniff,
    Parser::Gzip,
    Parser::CsvBlocks,
];

impl Parser {
    pub fn name(self) -> &'static str {
        match self {
            Parser::Census => "census",
            Parser::Memberships => "memberships",
            Parser::Visits => "visits",
            Parser::Surveys => "surveys",
            Parser::X12 => "x12",
            Parser::Fhir => "fhir",
            Parser::Sniff => "sniff",
            Parser::Gzip => "gzip",
            Parser::CsvBlocks => "csv-blocks",
        }
    }
}

#[derive(Debug)]
pub enum Outcome {
    /// Every message the parser produced (refusal, rejections, warnings).
    Answered(Vec<String>),
    Panicked(String),
}

fn messages(result: Result<Tally, FileError>) -> Vec<String> {
    match result {
        Ok(t) => t.errors.iter().chain(&t.warnings).map(|e| e.message.clone()).collect(),
        Err(e) => vec![e.to_string()],
    }
}

/// Runs `parser` on `bytes`, catching a panic.
pub fn run(parser: Parser, bytes: &[u8]) -> Outcome {
    let keys = Pseudonymizer::new([9; 32]);
    let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap_or(NaiveDate::MIN);
    let any = |_: &str| true;
    let scope = AccountScope { only: Some("acme"), known: &any };
    let answer = catch_unwind(AssertUnwindSafe(|| match parser {
        Parser::Census => messages(census::parse(bytes, "acme", today, None, &keys).map(|p| p.tally)),
        Parser::Memberships => messages(tables::memberships(bytes, scope, &keys).map(|p| p.tally)),
        Parser::Visits => messages(tables::visits(bytes, scope, &keys, today).map(|p| p.tally)),
        Parser::Surveys => messages(tables::surveys(bytes, scope, &keys, today).map(|p| p.tally)),
        Parser::X12 => messages(x12::parse(bytes, "acme", &x12::X12Options::new(today), &keys).map(|p| p.tally)),
        Parser::Fhir => {
            let options = fhir::FhirOptions { member_id_system: fhir::DEFAULT_MEMBER_ID_SYSTEM, mapping: None, today };
            messages(fhir::parse(bytes, "acme", options, &keys).map(|p| p.tally))
        }
        Parser::Sniff => match sniff::choose(None, bytes, steward_domain::ImportKind::Visits) {
            Ok(_) => Vec::new(),
            Err(reason) => vec![reason.to_string()],
        },
        Parser::Gzip => match input::decompressed(bytes) {
            Ok((mut r, _)) => match r.read_to_end(&mut Vec::new()) {
                Ok(_) => Vec::new(),
                Err(e) => vec![input::read_error(&e).to_string()],
            },
            Err(e) => vec![input::read_error(&e).to_string()],
        },
        Parser::CsvBlocks => match tables::blocks_of(bytes, 7) {
            Ok(blocks) if blocks.concat() == bytes => Vec::new(),
            Ok(_) => panic!("the blocks are not the file"),
            Err(e) => vec![e.to_string()],
        },
    }));
    match answer {
        Ok(messages) => Outcome::Answered(messages),
        Err(panic) => Outcome::Panicked(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default(),
        ),
    }
}

/// The parsers a seed file is meant for (all of them, for a regression input).
pub fn parsers_for(name: &str) -> Vec<Parser> {
    let by_extension: &[Parser] = match name.rsplit('.').next().unwrap_or("") {
        "csv" => &[Parser::Census, Parser::Memberships, Parser::Visits, Parser::Surveys, Parser::CsvBlocks],
        "edi" | "txt" | "x12" => &[Parser::X12],
        "ndjson" | "json" => &[Parser::Fhir],
        "gz" => &[Parser::Gzip],
        _ => PARSERS,
    };
    by_extension.iter().copied().chain([Parser::Sniff]).collect()
}

/// Every file under `dir` (but notes in Markdown), by name, sorted.
pub fn seeds(dir: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![Path::new(dir).to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_none_or(|e| e != "md")
                && let Ok(bytes) = std::fs::read(&path)
            {
                out.push((path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default(), bytes));
            }
        }
    }
    out.sort();
    out
}

/// SplitMix64: the same seed, the same run.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
}

/// Bytes that mean something to one format or another.
const SPECIAL: &[u8] = b"~*:^|!\n\r,\"{}[]\\\0\xff\xe9 ISA0123456789";

/// `original` with one to eight mutations and the planted value inserted once.
pub fn mutate(rng: &mut Rng, original: &[u8], seeds: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = original.to_vec();
    for _ in 0..1 + rng.below(8) {
        let at = rng.below(b.len() + 1);
        match rng.below(8) {
            0 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 if !b.is_empty() => {
                let i = rng.below(b.len());
                b[i] = SPECIAL[rng.below(SPECIAL.len())];
            }
            2 => b.insert(at, SPECIAL[rng.below(SPECIAL.len())]),
            3 if !b.is_empty() => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at.min(end)..end);
            }
            4 if !b.is_empty() => {
                let start = rng.below(b.len());
                let end = (start + 1 + rng.below(64)).min(b.len());
                let piece = b[start..end].to_vec();
                b.splice(at..at, piece);
            }
            5 => b.truncate(at),
            6 if !seeds.is_empty() => {
                let other = &seeds[rng.below(seeds.len())].1;
                let start = rng.below(other.len());
                let end = (start + 1 + rng.below(256)).min(other.len());
                b.splice(at..at, other[start..end].iter().copied());
            }
            _ => {
                let byte = SPECIAL[rng.below(SPECIAL.len())];
                b.splice(at..at, std::iter::repeat_n(byte, 100 + rng.below(5_000)));
            }
        }
    }
    let at = rng.below(b.len() + 1);
    b.splice(at..at, PLANTED.bytes());
    b
}
