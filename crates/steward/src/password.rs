//! Passwords: argon2id with a fresh salt, and reading one without echo.

use anyhow::{Context, Result, anyhow, bail};
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng};
use std::io::{BufRead, IsTerminal};

pub const MIN_LENGTH: usize = 10;

/// An argon2id PHC string (OWASP's default parameters, a fresh random salt).
pub fn hash(password: &str) -> Result<String> {
    if password.chars().count() < MIN_LENGTH {
        bail!("the password is too short: use at least {MIN_LENGTH} characters");
    }
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow!("cannot hash the password: {e}"))
}

pub fn verify(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

/// Prompts on a terminal (twice, without echo); otherwise reads the first line of stdin.
pub fn read(for_whom: &str) -> Result<String> {
    if std::io::stdin().is_terminal() {
        let first =
            rpassword::prompt_password(format!("Password for {for_whom}: ")).context("cannot read the password")?;
        let again = rpassword::prompt_password("Again: ").context("cannot read the password")?;
        if first != again {
            bail!("the two passwords differ");
        }
        return Ok(first);
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).context("cannot read the password from stdin")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password on stdin: pipe one in, e.g. `echo \"$PASSWORD\" | steward users add …`");
    }
    Ok(password)
}

/// A random password for demo users: 16 letters and digits.
pub fn generate() -> String {
    use argon2::password_hash::rand_core::RngCore;
    const ALPHABET: &[u8] = b"abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_salts_differ() {
        let a = hash("correct horse battery").unwrap();
        let b = hash("correct horse battery").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(verify("correct horse battery", &a));
        assert!(!verify("wrong horse battery", &a));
        assert!(hash("short").is_err());
        assert_eq!(generate().len(), 16);
    }
}
