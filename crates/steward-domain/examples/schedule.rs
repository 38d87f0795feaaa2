//! How long scheduling a large project takes: a 500-task plan (each task waiting on up to
//! three of the 40 before it, with lags, a third already done, holidays over two years),
//! worked out on a status date many times; prints the median and the slowest.
//! usage: cargo run --release -p steward-domain --example schedule [TASKS] [RUNS]

use chrono::{Duration, NaiveDate};
use std::time::Instant;
use steward_domain::schedule::{Calendar, Link, Step, schedule};

/// A small deterministic generator: the same plan every run, no dependency needed.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n, runs) = (args.first().copied().unwrap_or(500), args.get(1).copied().unwrap_or(200));
    let start = NaiveDate::from_ymd_opt(2027, 1, 4).expect("a date");
    let calendar = Calendar::with_holidays((0..24).map(|m| start + Duration::days(17 + 30 * m)));
    let mut rng = Lcg(7);
    let mut steps: Vec<Step<u32>> = (0..n as u32)
        .map(|i| {
            let mut on: Vec<Link<u32>> = (0..rng.below(4))
                .filter(|_| i > 0)
                .map(|_| Link { on: i - 1 - rng.below(u64::from(i.min(40))) as u32, lag_days: rng.below(3) as u32 })
                .collect();
            on.sort_by_key(|l| l.on);
            on.dedup_by_key(|l| l.on);
            Step::new(i, format!("task {i}"), rng.below(11) as u32, on)
        })
        .collect();
    // A third done as planned; the status date is where they leave off.
    let planned = schedule(&steps, start, &calendar, None).expect("a plan without cycles");
    for (step, at) in steps.iter_mut().zip(&planned.tasks).take(n / 3) {
        (step.actual_start, step.actual_finish) = (Some(at.start), Some(at.finish));
    }
    let today = planned.tasks[n / 3].start;
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let s = schedule(&steps, start, &calendar, Some(today)).expect("schedules");
            std::hint::black_box(&s);
            t.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let s = schedule(&steps, start, &calendar, Some(today)).expect("schedules");
    let links: usize = steps.iter().map(|s| s.depends_on.len()).sum();
    println!(
        "{n} tasks, {links} links, {} business days, {} critical: median {:.3} ms, slowest {:.3} ms over {runs} runs",
        s.duration_days,
        s.tasks.iter().filter(|t| t.critical).count(),
        times[times.len() / 2],
        times[times.len() - 1]
    );
}
