//! Parsers survive any input: generated and mutated bytes go through the CSV block splitter,
//! every CSV parser, the X12 tokenizer and loop reader, and the NDJSON reader — no panic,
//! and no message holding a value planted in the input. `bench/fuzz.sh` runs the same
//! parsers on mutated fixtures for as long as asked; what it finds lands in
//! `tests/fixtures/fuzz-regressions/`, replayed here.

#![allow(clippy::unwrap_used)]

#[path = "support/fuzz.rs"]
mod fuzz;

use fuzz::Outcome;
use proptest::prelude::*;
use steward_ingest::reason::Reason;
use steward_ingest::tables::blocks_of;

/// Bytes that matter to CSV: delimiters, quotes, line ends and a few letters.
fn csv_bytes() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(prop::sample::select(&b"ab,,\"\"\n\n\r 1"[..]), 0..160)
}

/// The records the csv crate reads from `bytes`, as the importer configures it.
fn records(bytes: &[u8]) -> Vec<Vec<Vec<u8>>> {
    let mut csv = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    csv.byte_records().map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// However small the blocks, they cut only between rows: together they are the file,
    /// and the csv crate reads the same records from them as from the whole — or the file
    /// ends inside a quote and is refused.
    #[test]
    fn csv_blocks_cut_only_between_rows(text in csv_bytes(), size in 1usize..48) {
        match blocks_of(&text, size) {
            Ok(blocks) => {
                prop_assert_eq!(blocks.concat(), text.clone());
                let from_blocks: Vec<_> = blocks.iter().flat_map(|b| records(b)).collect();
                prop_assert_eq!(from_blocks, records(&text));
            }
            Err(e) => prop_assert_eq!(e.reason, Reason::MalformedCsv),
        }
    }

    /// Any bytes through every parser: an answer, never a panic.
    #[test]
    fn any_bytes_get_an_answer(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        for parser in fuzz::PARSERS {
            prop_assert!(!matches!(fuzz::run(*parser, &bytes), Outcome::Panicked(_)), "{parser:?}");
        }
    }

    /// Fixtures mutated the ways real files go wrong, with a value planted that is no code
    /// of any kind: every parser answers, and no message holds the value.
    #[test]
    fn mutated_fixtures_never_echo_a_planted_value(seed in any::<u64>(), which in any::<prop::sample::Index>()) {
        let seeds = fuzz::seeds(&format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR")));
        let (name, original) = which.get(&seeds);
        let mut rng = fuzz::Rng::new(seed);
        let mutated = fuzz::mutate(&mut rng, original, &seeds);
        for parser in fuzz::parsers_for(name) {
            match fuzz::run(parser, &mutated) {
                Outcome::Panicked(why) => prop_assert!(false, "{parser:?} panicked on a mutated {name}: {why}"),
                Outcome::Answered(messages) => {
                    for m in messages {
                        prop_assert!(!m.to_ascii_lowercase().contains(fuzz::PLANTED), "{parser:?} echoed the planted value: {m}");
                    }
                }
            }
        }
    }
}

#[test]
fn every_regression_input_gets_an_answer() {
    let dir = format!("{}/tests/fixtures/fuzz-regressions", env!("CARGO_MANIFEST_DIR"));
    for (name, bytes) in fuzz::seeds(&dir) {
        for parser in fuzz::PARSERS {
            assert!(!matches!(fuzz::run(*parser, &bytes), Outcome::Panicked(_)), "{name}: {parser:?}");
        }
    }
}

#[test]
fn an_unclosed_quote_of_many_megabytes_is_refused_in_one_pass() {
    // Quadratic rescans made this take minutes; one pass takes a blink.
    let mut text = b"account,visit_id\nacme,\"never closed\n".to_vec();
    text.extend(b"acme,V1\n".repeat(3_000_000));
    let e = blocks_of(&text, 1 << 20).unwrap_err();
    assert_eq!((e.line, e.reason), (Some(2), Reason::MalformedCsv));
}

#[test]
fn the_planted_value_is_not_a_code_of_any_kind() {
    use steward_ingest::reason::{SystemUri, Token, X12Value};
    let p = fuzz::PLANTED;
    assert!(!X12Value::of(p).to_string().contains(p));
    assert!(!X12Value::of(&p.to_uppercase()).to_string().contains(&p.to_uppercase()));
    assert!(!SystemUri::of(p).to_string().contains(p));
    assert!(!Token::of(p).to_string().contains(p));
}
