//! Answers worked out from many rows (a quarter's forecast for the company), kept for a
//! short while as the book's rows are: a change made through this process drops them at
//! once, so people see their own changes; another process's change shows within
//! [`FRESH_FOR`](crate::book::FRESH_FOR).

use crate::book::FRESH_FOR;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

#[derive(Debug)]
pub struct Memo<K, V> {
    kept: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Self { kept: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash, V: Clone> Memo<K, V> {
    /// The answer kept for `key`, unless it is older than `FRESH_FOR`.
    pub fn get(&self, key: &K) -> Option<V> {
        let kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.get(key).filter(|(at, _)| at.elapsed() < FRESH_FOR).map(|(_, v)| v.clone())
    }

    /// Keeps `value` for `key`, and forgets what has gone stale (so the map stays small).
    pub fn put(&self, key: K, value: V) {
        let mut kept = self.kept.lock().unwrap_or_else(|p| p.into_inner());
        kept.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
        kept.insert(key, (Instant::now(), value));
    }

    pub fn clear(&self) {
        self.kept.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_until_cleared() {
        let memo: Memo<&str, i32> = Memo::default();
        assert_eq!(memo.get(&"q"), None);
        memo.put("q", 7);
        assert_eq!(memo.get(&"q"), Some(7));
        memo.clear();
        assert_eq!(memo.get(&"q"), None, "a change drops what was kept");
    }
}
