//! Minimize at the door: a member id becomes a keyed hash the moment it is read, and the
//! key lives outside the database (DOMAIN.md "Privacy").

use std::io::{self, Read, Write};
use std::path::Path;
use steward_domain::MemberKey;

/// Keyed BLAKE3 over (account, id), with a per-deployment secret.
#[derive(Clone)]
pub struct Pseudonymizer {
    key: [u8; 32],
}

impl std::fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pseudonymizer(<secret>)")
    }
}

impl Pseudonymizer {
    pub fn new(key: [u8; 32]) -> Self {
        Self { key }
    }

    fn hash(&self, domain: u8, account: &str, id: &str) -> u64 {
        let id = id.trim();
        // One call over one buffer: most ids are short, and per-call setup dominates.
        let mut stack = [0u8; 128];
        let len = 2 + account.len() + id.len();
        let mut heap = Vec::new();
        let buf: &mut [u8] = if len <= stack.len() {
            &mut stack[..len]
        } else {
            heap.resize(len, 0);
            &mut heap
        };
        buf[0] = domain;
        buf[1..1 + account.len()].copy_from_slice(account.as_bytes());
        buf[1 + account.len()] = 0;
        buf[2 + account.len()..].copy_from_slice(id.as_bytes());
        let mut out = [0u8; 8];
        out.copy_from_slice(&blake3::keyed_hash(&self.key, buf).as_bytes()[..8]);
        u64::from_le_bytes(out)
    }

    /// A key for another purpose derived from the deployment's secret, so one secret file
    /// serves (and is backed up) for all; no derived key tells the secret or another.
    pub fn derive_key(&self, purpose: &str) -> [u8; 32] {
        blake3::derive_key(purpose, &self.key)
    }

    /// The person `member_id` of `account`.
    pub fn member(&self, account: &str, member_id: &str) -> MemberKey {
        MemberKey(self.hash(b'm', account, member_id))
    }

    /// A visit or survey response id: hashed too, so nothing links back to a source record.
    pub fn record(&self, account: &str, kind: u8, id: &str) -> u64 {
        self.hash(kind, account, id)
    }

    /// Reads the secret from `path`, creating it (32 random bytes, hex, mode 0600) when
    /// it does not exist.
    pub fn load_or_create(path: &Path) -> io::Result<Self> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::from_hex(text.trim()).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{} does not hold a 64-digit hex key", path.display()),
                )
            }),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                std::fs::File::open("/dev/urandom")?.read_exact(&mut key)?;
                let mut options = std::fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path)?;
                let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
                file.write_all(hex.as_bytes())?;
                file.write_all(b"\n")?;
                file.sync_all()?;
                Ok(Self::new(key))
            }
            Err(e) => Err(io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    }

    fn from_hex(text: &str) -> Option<Self> {
        if text.len() != 64 {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, byte) in key.iter_mut().enumerate() {
            *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(Self::new(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_account_id_and_secret() {
        let p = Pseudonymizer::new([7; 32]);
        assert_eq!(p.member("acme", "0012"), p.member("acme", " 0012 "));
        assert_ne!(p.member("acme", "0012"), p.member("acme", "12"), "leading zeros matter");
        assert_ne!(p.member("acme", "0012"), p.member("other", "0012"));
        assert_ne!(p.member("acme", "0012"), Pseudonymizer::new([8; 32]).member("acme", "0012"));
        assert_ne!(p.record("acme", b'v', "1"), p.record("acme", b's', "1"));
    }

    #[test]
    fn secret_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let a = Pseudonymizer::load_or_create(&path).unwrap();
        let b = Pseudonymizer::load_or_create(&path).unwrap();
        assert_eq!(a.member("acme", "1"), b.member("acme", "1"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
        std::fs::write(&path, "nope").unwrap();
        assert!(Pseudonymizer::load_or_create(&path).is_err());
    }
}
