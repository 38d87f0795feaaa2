//! Answers worked out from many rows (a quarter's forecast for the company), kept for a
//! short while as the book's rows are: a change made through this process drops them at
//! once, so people see their own changes; another process's change shows once the answer
//! is older than the memo's `fresh_for`.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct Memo<K, V> {
    kept: Mutex<HashMap<K, (Instant, V)>>,
    /// Bumped by every [`clear`](Memo::clear): an answer worked out from before a change is
    /// not kept after it.
    generation: AtomicU64,
    fresh_for: Duration,
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    pub fn new(fresh_for: Duration) -> Self {
        Self { kept: Mutex::new(HashMap::new()), generation: AtomicU64::new(0), fresh_for }
    }

    /// The answer kept for `key`, unless it is older than `fresh_for`.
    pub fn get(&self, key: &K) -> Option<V> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(key).filter(|(at, _)| at.elapsed() < self.fresh_for).map(|(_, v)| v.clone())
    }

    /// Where the memo stands: take it before working an answer out, give it to [`put`](Memo::put).
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps `value` for `key` unless the memo was cleared since `generation` (the answer
    /// may predate a change), and forgets what has gone stale (so the map stays small).
    pub fn put(&self, key: K, value: V, generation: u64) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        if self.generation() != generation {
            return;
        }
        kept.retain(|_, (at, _)| at.elapsed() < self.fresh_for);
        kept.insert(key, (Instant::now(), value));
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
        assert_eq!(memo.get(&"q"), None);
        memo.put("q", 7, memo.generation());
        assert_eq!(memo.get(&"q"), Some(7));
        memo.clear();
        assert_eq!(memo.get(&"q"), None, "a change drops what was kept");
    }

    #[test]
    fn an_answer_from_before_a_change_is_not_kept() {
        let memo: Memo<&str, i32> = Memo::new(Duration::from_secs(60));
        let before = memo.generation();
        memo.clear();
        memo.put("q", 7, before);
        assert_eq!(memo.get(&"q"), None);
    }

    #[test]
    fn an_answer_older_than_its_freshness_is_read_again() {
        let memo: Memo<&str, i32> = Memo::new(Duration::from_millis(20));
        memo.put("q", 7, memo.generation());
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(memo.get(&"q"), None);
    }
}
