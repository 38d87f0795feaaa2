//! Bearer secrets: API tokens and session ids. Only their digests are stored
//! ([`steward_store::secret_digest`]); the secret itself is shown once.

use argon2::password_hash::rand_core::{OsRng, RngCore};

/// What every API token starts with, so secret scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "stw_";

/// How many leading characters of a token are kept to tell tokens apart.
const SHOWN: usize = TOKEN_PREFIX.len() + 6;

/// A fresh API token: the prefix and 256 random bits in hex.
pub fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", random_hex())
}

/// A fresh session id (no prefix: it lives in a cookie, never in a script).
pub fn new_session_id() -> String {
    random_hex()
}

/// The part of a token that may be listed.
pub fn shown_prefix(token: &str) -> &str {
    &token[..SHOWN.min(token.len())]
}

fn random_hex() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_listed_by_prefix_only() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(TOKEN_PREFIX) && a.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(shown_prefix(&a), &a[..10]);
        assert_eq!(new_session_id().len(), 64);
    }
}
