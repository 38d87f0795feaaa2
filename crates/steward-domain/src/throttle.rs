//! How failed sign-ins slow the next attempt. Failures are counted under three keys at
//! once, each with its own rule:
//!
//! - an address and an account together ([`Scope::Pair`]): someone guessing one account's
//!   password from one place waits longer after each failure, up to 15 minutes, while the
//!   account's owner signing in from anywhere else is not slowed at all;
//! - an address, whatever the account ([`Scope::Address`]): one place spraying guesses
//!   over many accounts is slowed the same way, after more failures (an office behind one
//!   address has many people who mistype);
//! - an account, from any address ([`Scope::Account`]): guesses spread over many
//!   addresses are slowed too, but never more than a minute between attempts, so no one
//!   can lock the owner out by failing on purpose.
//!
//! Past a rule's free failures, the wait doubles with each failure from one second. A key
//! whose last failure is older than [`Policy::forget_after`] starts again from nothing; a
//! successful sign-in clears its pair and takes its own attempt back from the others.
//! The counts live in the store, so every server on one database shares them.

use crate::text_enum::text_enum;
use chrono::{DateTime, Duration, Utc};

text_enum! {
    /// What a failure is counted against.
    pub enum Scope ("sign-in scope") {
        Pair = "pair",
        Address = "address",
        Account = "account",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// Failures in a row before the next attempt must wait.
    pub free: u32,
    /// The longest wait between attempts.
    pub max_wait: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub pair: Rule,
    pub address: Rule,
    pub account: Rule,
    /// The first wait past a rule's free failures; each further failure doubles it.
    pub first_wait: Duration,
    /// Failures this old are forgotten.
    pub forget_after: Duration,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            pair: Rule { free: 5, max_wait: Duration::minutes(15) },
            address: Rule { free: 30, max_wait: Duration::minutes(15) },
            account: Rule { free: 50, max_wait: Duration::minutes(1) },
            first_wait: Duration::seconds(1),
            forget_after: Duration::hours(24),
        }
    }
}

/// The failures counted against one key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Failures {
    pub count: u32,
    pub last_at: DateTime<Utc>,
}

impl Policy {
    pub fn rule(&self, scope: Scope) -> Rule {
        match scope {
            Scope::Pair => self.pair,
            Scope::Address => self.address,
            Scope::Account => self.account,
        }
    }

    /// Failures whose last one happened before this are forgotten.
    pub fn forget_before(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        now - self.forget_after
    }

    /// How long after its last failure a key may try again.
    pub fn wait(&self, scope: Scope, count: u32) -> Duration {
        let rule = self.rule(scope);
        if count < rule.free {
            return Duration::zero();
        }
        // 2^30 seconds is past any sane maximum; the shift cannot overflow.
        let doublings = (count - rule.free).min(30);
        (self.first_wait * (1_i32 << doublings)).min(rule.max_wait)
    }

    /// Whether an attempt may be made at `now` given the failures counted under each
    /// scope; refused, the time it may be made. Forgotten failures count as none.
    pub fn decide(&self, counted: &[(Scope, Option<Failures>)], now: DateTime<Utc>) -> Result<(), DateTime<Utc>> {
        let forget_before = self.forget_before(now);
        let not_before = counted
            .iter()
            .filter_map(|(scope, f)| f.filter(|f| f.last_at >= forget_before).map(|f| (scope, f)))
            .map(|(scope, f)| f.last_at + self.wait(*scope, f.count))
            .max();
        match not_before {
            Some(at) if at > now => Err(at),
            _ => Ok(()),
        }
    }
}

/// "8 seconds", "3 minutes": how long until `at`, rounded up, for a person to read.
pub fn wait_text(now: DateTime<Utc>, at: DateTime<Utc>) -> String {
    let seconds = (at - now).num_seconds().max(1);
    let (n, unit) = if seconds < 90 { (seconds, "second") } else { ((seconds + 59) / 60, "minute") };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + Duration::seconds(1_000_000 + seconds)
    }

    #[test]
    fn waits_double_past_the_free_failures_up_to_the_maximum() {
        let p = Policy::default();
        let waits: Vec<i64> = (4..=16).map(|n| p.wait(Scope::Pair, n).num_seconds()).collect();
        assert_eq!(waits, [0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]);
        assert_eq!(p.wait(Scope::Pair, u32::MAX), Duration::minutes(15), "no overflow");
        assert_eq!(p.wait(Scope::Account, 80), Duration::minutes(1), "an account is never held longer");
    }

    #[test]
    fn the_longest_wait_of_any_scope_decides() {
        let p = Policy::default();
        let pair = Failures { count: 8, last_at: at(0) }; // waits 8 s
        let address = Failures { count: 3, last_at: at(5) }; // free
        let counted = [(Scope::Pair, Some(pair)), (Scope::Address, Some(address)), (Scope::Account, None)];
        assert_eq!(p.decide(&counted, at(3)), Err(at(8)));
        assert_eq!(p.decide(&counted, at(8)), Ok(()));
    }

    #[test]
    fn old_failures_are_forgotten() {
        let p = Policy::default();
        let long_ago = Failures { count: 40, last_at: at(0) };
        let later = at(0) + p.forget_after;
        assert_eq!(p.decide(&[(Scope::Pair, Some(long_ago))], later), Ok(()));
        assert!(p.decide(&[(Scope::Pair, Some(long_ago))], at(60)).is_err());
    }

    #[test]
    fn waits_read_as_people_say_them() {
        assert_eq!(wait_text(at(0), at(1)), "1 second");
        assert_eq!(wait_text(at(0), at(8)), "8 seconds");
        assert_eq!(wait_text(at(0), at(600)), "10 minutes");
        assert_eq!(wait_text(at(0), at(601)), "11 minutes");
    }
}
