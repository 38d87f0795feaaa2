//! The demo's seeded generator: the domain's SplitMix64 (`steward_domain::stats::Rng`),
//! written out there rather than taken from a crate so that the demo's bytes depend only on
//! this workspace: the same seed gives the same book on every platform and every future
//! build. Here: named streams and the draws the simulation uses.

#[derive(Debug, Clone)]
pub struct Rng(steward_domain::stats::Rng);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(steward_domain::stats::Rng::new(seed ^ 0x9E37_79B9_7F4A_7C15))
    }

    /// An independent stream for a named part of the book (e.g. account 17's members), so
    /// parts can be generated in parallel and in any order with identical results.
    pub fn derive(seed: u64, stream: &str, index: u64) -> Self {
        let mut h = blake3::Hasher::new();
        h.update(&seed.to_le_bytes());
        h.update(stream.as_bytes());
        h.update(&index.to_le_bytes());
        let bytes = h.finalize();
        let mut first = [0u8; 8];
        first.copy_from_slice(&bytes.as_bytes()[..8]);
        Self::new(u64::from_le_bytes(first))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in [0, 1).
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi] (inclusive).
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len() as i64 - 1) as usize]
    }

    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = self.f64().max(f64::MIN_POSITIVE);
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    /// Poisson-distributed count with mean `lambda` (Knuth; the demo's means are small).
    pub fn poisson(&mut self, lambda: f64) -> u32 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda > 30.0 {
            return (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u32;
        }
        let limit = (-lambda).exp();
        let mut k = 0;
        let mut p = self.f64();
        while p > limit {
            k += 1;
            p *= self.f64();
        }
        k
    }

    /// Index drawn with probability proportional to `weights`.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut x = self.f64() * total;
        for (i, w) in weights.iter().enumerate() {
            if x < *w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let a: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        let b: Vec<u64> = (0..5)
            .map({
                let mut r = Rng::new(7);
                move |_| r.next_u64()
            })
            .collect();
        assert_eq!(a, b);
        assert_ne!(Rng::derive(7, "members", 1).next_u64(), Rng::derive(7, "members", 2).next_u64());
    }

    #[test]
    fn distributions_are_sane() {
        let mut r = Rng::new(1);
        let n = 20_000;
        let mean = (0..n).map(|_| r.poisson(2.5) as f64).sum::<f64>() / n as f64;
        assert!((mean - 2.5).abs() < 0.1, "poisson mean {mean}");
        let m = (0..n).map(|_| r.normal()).sum::<f64>() / n as f64;
        assert!(m.abs() < 0.05, "normal mean {m}");
        assert!((0..1000).all(|_| (3..=9).contains(&r.range(3, 9))));
    }
}
