//! Secrets people and programs sign in with: argon2id password hashes, API tokens and
//! session ids. Only digests of tokens and session ids are stored
//! ([`steward_store::secret_digest`]); the secret itself is shown once.

use argon2::Argon2;
use argon2::password_hash::rand_core::{OsRng, RngCore};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

pub const MIN_PASSWORD_LENGTH: usize = 10;

/// What every API token starts with, so secret scanners and people can recognise one.
pub const TOKEN_PREFIX: &str = "stw_";

/// How many leading characters of a token are kept to tell tokens apart.
const SHOWN: usize = TOKEN_PREFIX.len() + 6;

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("the password is too short: use at least {MIN_PASSWORD_LENGTH} characters")]
    TooShort,
    #[error("cannot hash the password: {0}")]
    Hash(String),
}

/// An argon2id PHC string (OWASP's default parameters, a fresh random salt).
pub fn hash_password(password: &str) -> Result<String, PasswordError> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(PasswordError::TooShort);
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// A hash no password matches, verified when the e-mail is unknown so that a wrong
/// e-mail takes as long as a wrong password (no user enumeration by timing).
pub fn decoy_hash() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash_password(&random_hex()).unwrap_or_default())
}

/// A random password for a new user, shown once: 16 letters and digits (about 93 bits),
/// without look-alikes such as l/1 and O/0.
pub fn new_password() -> String {
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

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

/// Keys the web app derives from the deployment's secret, one per purpose.
pub struct ServerKeys {
    throttle: [u8; 32],
    sign_in_form: [u8; 32],
}

impl std::fmt::Debug for ServerKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ServerKeys(<secret>)")
    }
}

impl ServerKeys {
    pub fn derive(secret: &steward_ingest::Pseudonymizer) -> Self {
        ServerKeys {
            throttle: secret.derive_key("steward 2026 sign-in throttle key"),
            sign_in_form: secret.derive_key("steward 2026 sign-in form key"),
        }
    }

    /// What a sign-in throttle key is stored as: keyed, so the table names no address or
    /// e-mail even to someone who guesses them.
    pub fn throttle_key(&self, parts: &[&str]) -> String {
        blake3::keyed_hash(&self.throttle, parts.join("\0").as_bytes()).to_hex().to_string()
    }

    /// The token the sign-in form must carry for the random value in its cookie: only this
    /// server can make one, so a cookie planted by another site (a sibling subdomain) is
    /// no use without the form this server gave with it.
    pub fn sign_in_form_token(&self, cookie_value: &str) -> String {
        blake3::keyed_hash(&self.sign_in_form, cookie_value.as_bytes()).to_hex().to_string()
    }
}

/// The CSRF token of a session: derived from its secret id, which only the browser holding
/// the HttpOnly cookie knows, so no other site can compute it.
pub fn csrf_token(session_id: &str) -> String {
    blake3::derive_key("steward 2026 csrf token", session_id.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
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

    #[test]
    fn hashes_verify_and_salts_differ() {
        let a = hash_password("correct horse battery").unwrap();
        let b = hash_password("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify_password("correct horse battery", &a));
        assert!(!verify_password("wrong horse battery", &a));
        assert!(matches!(hash_password("short"), Err(PasswordError::TooShort)));
        assert!(!verify_password("", decoy_hash()));
        let p = new_password();
        assert_eq!(p.len(), 16);
        assert!(hash_password(&p).is_ok());
    }

    #[test]
    fn csrf_tokens_differ_per_session() {
        let (a, b) = (new_session_id(), new_session_id());
        assert_eq!(csrf_token(&a), csrf_token(&a));
        assert_ne!(csrf_token(&a), csrf_token(&b));
        assert_ne!(csrf_token(&a), a);
    }
}
