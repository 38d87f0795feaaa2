//! Answers worked out from many rows (a quarter's forecast for the company), kept for a
//! short while as the book's rows are: a change made through this process drops them at
//! once, so people see their own changes; another process's change shows within
//! [`FRESH_FOR`](crate::book::FRESH_FOR).

use crate::book::FRESH_FOR;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

#[derive(Debug)]
pub struct Memo<K, V> {
    kept: Mutex<HashMap<K, (Instant, V)>>,
    /// Bumped by every [`clear`](Memo::clear): an answer worked out from before a change is
    /// not kept after it.
    generation: AtomicU64,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self { kept: Mutex::new(HashMap::new()), generation: AtomicU64::new(0) }
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// The answer kept for `key`, unless it is older than `FRESH_FOR`.
    pub fn get(&self, key: &K) -> Option<V> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(key).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, v)| v.clone())
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
        kept.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
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
        let memo: Memo<&str, i32> = Memo::default();
        assert_eq!(memo.get(&"q"), None);
        memo.put("q", 7, memo.generation());
        assert_eq!(memo.get(&"q"), Some(7));
        memo.clear();
        assert_eq!(memo.get(&"q"), None, "a change drops what was kept");
    }

    #[test]
    fn an_answer_from_before_a_change_is_not_kept() {
        let memo: Memo<&str, i32> = Memo::default();
        let before = memo.generation();
        memo.clear();
        memo.put("q", 7, before);
        assert_eq!(memo.get(&"q"), None);
    }
}
