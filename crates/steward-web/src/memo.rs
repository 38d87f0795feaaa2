//! Answers worked out from many rows (a quarter's forecast for the company), kept as the
//! book's rows are: a change made through this process drops them at once, so people see
//! their own changes. An answer older than the memo's `fresh_for` is still served, up to
//! three times that age, while one caller works it out again in the background: a change
//! made elsewhere shows once that reading is put (about `fresh_for` for pages viewed
//! steadily, at most three times it), and only a viewer after a longer quiet waits.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How many times `fresh_for` an answer may be served while it is read again; older ones
/// are read while the caller waits.
const SERVED_STALE_FOR: u32 = 3;

#[derive(Debug)]
pub struct Memo<K, V> {
    kept: Mutex<HashMap<K, Kept<V>>>,
    /// Bumped by every [`clear`](Memo::clear): an answer worked out from before a change is
    /// not kept after it.
    generation: AtomicU64,
    fresh_for: Duration,
}

#[derive(Debug)]
struct Kept<V> {
    at: Instant,
    value: V,
    /// A caller is working it out again.
    reading: bool,
}

/// What the memo holds for a key.
#[derive(Debug, PartialEq)]
pub enum Lookup<V> {
    /// Worked out in the last `fresh_for`.
    Fresh(V),
    /// Older, still to be served; the caller told so is the one to work it out again (and
    /// to [`put`](Memo::put) it, or [`release`](Memo::release) the key if it cannot).
    Stale {
        value: V,
        read_again: bool,
    },
    Missing,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn new(fresh_for: Duration) -> Self {
        Self { kept: Mutex::new(HashMap::new()), generation: AtomicU64::new(0), fresh_for }
    }

    fn served_for(&self) -> Duration {
        self.fresh_for.saturating_mul(SERVED_STALE_FOR)
    }

    pub fn lookup(&self, key: &K) -> Lookup<V> {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        let Some(k) = kept.get_mut(key) else { return Lookup::Missing };
        let age = k.at.elapsed();
        if age < self.fresh_for {
            Lookup::Fresh(k.value.clone())
        } else if age < self.served_for() {
            let read_again = !std::mem::replace(&mut k.reading, true);
            Lookup::Stale { value: k.value.clone(), read_again }
        } else {
            Lookup::Missing
        }
    }

    /// Where the memo stands: take it before working an answer out, give it to [`put`](Memo::put).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `value` for `key` unless the memo was cleared since `generation` (the answer
    /// may predate a change), and forgets what is too old to serve (so the map stays small).
    pub fn put(&self, key: K, value: V, generation: u64) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if self.generation() != generation {
            return;
        }
        let served_for = self.served_for();
        kept.retain(|_, k| k.at.elapsed() < served_for);
        kept.insert(key, Kept { at: Instant::now(), value, reading: false });
    }

    /// The caller told to read `key` again (at `generation`) could not: the next caller may
    /// try. After a change the claim is gone with what was kept, and a later one stands.
    pub fn release(&self, key: &K, generation: u64) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if self.generation() != generation {
            return;
        }
        if let Some(k) = kept.get_mut(key) {
            k.reading = false;
        }
    }

    pub fn clear(&self) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        kept.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_until_cleared() {
        let memo: Memo<&str, i32> = Memo::new(Duration::from_secs(60));
        assert_eq!(memo.lookup(&"q"), Lookup::Missing);
        memo.put("q", 7, memo.generation());
        assert_eq!(memo.lookup(&"q"), Lookup::Fresh(7));
        memo.clear();
        assert_eq!(memo.lookup(&"q"), Lookup::Missing, "a change drops what was kept");
    }

    #[test]
    fn an_answer_from_before_a_change_is_not_kept() {
        let memo: Memo<&str, i32> = Memo::new(Duration::from_secs(60));
        let before = memo.generation();
        memo.clear();
        memo.put("q", 7, before);
        assert_eq!(memo.lookup(&"q"), Lookup::Missing);
    }

    #[test]
    fn a_stale_answer_is_served_while_one_caller_reads_it_again() {
        let memo: Memo<&str, i32> = Memo::new(Duration::from_millis(20));
        memo.put("q", 7, memo.generation());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(memo.lookup(&"q"), Lookup::Stale { value: 7, read_again: true }, "the first caller reads it again");
        assert_eq!(memo.lookup(&"q"), Lookup::Stale { value: 7, read_again: false }, "the others are served");
        memo.release(&"q", memo.generation() + 1);
        assert_eq!(memo.lookup(&"q"), Lookup::Stale { value: 7, read_again: false }, "a release from before a change");
        memo.release(&"q", memo.generation());
        assert_eq!(memo.lookup(&"q"), Lookup::Stale { value: 7, read_again: true }, "released: the next one tries");
        memo.put("q", 8, memo.generation());
        assert_eq!(memo.lookup(&"q"), Lookup::Fresh(8));
    }

    #[test]
    fn an_answer_too_old_to_serve_is_read_while_the_caller_waits() {
        let memo: Memo<&str, i32> = Memo::new(Duration::from_millis(10));
        memo.put("q", 7, memo.generation());
        std::thread::sleep(Duration::from_millis(10 * u64::from(SERVED_STALE_FOR) + 20));
        assert_eq!(memo.lookup(&"q"), Lookup::Missing);
    }
}
