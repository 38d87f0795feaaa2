//! `bench/fuzz.sh MINUTES [SEED]`: mutates the fixtures (and earlier regression inputs) and
//! runs every parser meant for each on the result, for as long as asked. A panic, a message
//! that shows the value planted in the input, or a parse slower than linear (over a second
//! plus two microseconds a byte) is a failure: its input is kept in
//! `tests/fixtures/fuzz-regressions/` so `tests/robust.rs` replays it forever after. A parse
//! that does not return within a minute is a hang: the watchdog keeps its input and exits.

#[path = "../tests/support/fuzz.rs"]
mod fuzz;

use fuzz::{Outcome, Parser, Rng};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const HANG: Duration = Duration::from_secs(60);

/// What runs now, on which input, since when: the watchdog's view.
type Running = Arc<Mutex<Option<(Parser, Vec<u8>, Instant)>>>;

fn regressions() -> String {
    format!("{}/tests/fixtures/fuzz-regressions", env!("CARGO_MANIFEST_DIR"))
}

/// Keeps `bytes` as a regression input named for the parser and its hash; returns the path.
fn keep(parser: Parser, bytes: &[u8]) -> String {
    let hash = blake3::hash(bytes).to_hex();
    let path = format!("{}/{}-{}.bin", regressions(), parser.name(), &hash[..16]);
    if let Err(e) = std::fs::write(&path, bytes) {
        eprintln!("cannot keep {path}: {e}");
    }
    path
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let minutes: f64 = args.get(1).and_then(|m| m.parse().ok()).unwrap_or(1.0);
    let seed: u64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    let mut seeds = fuzz::seeds(&format!("{}/tests/fixtures", env!("CARGO_MANIFEST_DIR")));
    seeds.retain(|(name, _)| !name.ends_with(".bin"));
    let regression_inputs = fuzz::seeds(&regressions());
    seeds.extend(regression_inputs);
    // Panics are caught and counted; the default hook would print each one.
    std::panic::set_hook(Box::new(|_| {}));

    // The watchdog: what runs now, and since when.
    let current: Running = Arc::new(Mutex::new(None));
    let watched = Arc::clone(&current);
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_millis(500));
            let guard = watched.lock().unwrap_or_else(|p| p.into_inner());
            if let Some((parser, bytes, started)) = guard.as_ref()
                && started.elapsed() > HANG
            {
                let path = keep(*parser, bytes);
                eprintln!("HANG: {} still running after {:?}; input kept as {path}", parser.name(), HANG);
                std::process::exit(1);
            }
        }
    });

    let deadline = Instant::now() + Duration::from_secs_f64(minutes * 60.0);
    let started = Instant::now();
    let mut rng = Rng::new(seed);
    let (mut runs, mut bytes_read, mut failures) = (0u64, 0u64, 0u64);
    let mut per_parser: std::collections::BTreeMap<&str, u64> = Default::default();
    let mut last_report = Instant::now();
    while Instant::now() < deadline {
        let (name, original) = &seeds[rng.below(seeds.len())];
        let input = fuzz::mutate(&mut rng, original, &seeds);
        // Now and then every parser, whatever the seed was meant for.
        let parsers = if rng.below(10) == 0 { fuzz::PARSERS.to_vec() } else { fuzz::parsers_for(name) };
        for parser in parsers {
            *current.lock().unwrap_or_else(|p| p.into_inner()) = Some((parser, input.clone(), Instant::now()));
            let t = Instant::now();
            let outcome = fuzz::run(parser, &input);
            let took = t.elapsed();
            runs += 1;
            bytes_read += input.len() as u64;
            *per_parser.entry(parser.name()).or_default() += 1;
            let slow = took > Duration::from_secs(1) + Duration::from_micros(2 * input.len() as u64);
            let failure = match &outcome {
                Outcome::Panicked(why) => Some(format!("panicked: {why}")),
                Outcome::Answered(messages) => messages
                    .iter()
                    .find(|m| m.to_ascii_lowercase().contains(fuzz::PLANTED))
                    .map(|m| format!("echoed the planted value: {m}"))
                    .or_else(|| slow.then(|| format!("took {took:?} for {} bytes", input.len()))),
            };
            if let Some(what) = failure {
                failures += 1;
                let path = keep(parser, &input);
                eprintln!("FAILURE: {} on a mutated {name}: {what}; input kept as {path}", parser.name());
            }
        }
        *current.lock().unwrap_or_else(|p| p.into_inner()) = None;
        if last_report.elapsed() > Duration::from_secs(60) {
            last_report = Instant::now();
            eprintln!("{:.0} min: {runs} runs, {failures} failures", started.elapsed().as_secs_f64() / 60.0);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let mut out = std::io::stdout().lock();
    let _ = writeln!(
        out,
        "fuzz: seed {seed}, {:.1} min, {} seeds, {runs} parser runs ({:.0}/s) over {:.1} MB, {failures} failures",
        secs / 60.0,
        seeds.len(),
        runs as f64 / secs,
        bytes_read as f64 / 1e6
    );
    let _ = writeln!(out, "runs by parser: {per_parser:?}");
    std::process::exit(i32::from(failures > 0));
}
