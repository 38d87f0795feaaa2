use crate::ParseError;
use std::fmt;

/// An account's stable name in URLs, files and commands: 2–63 of `a-z 0-9 -`,
/// starting and ending with a letter or digit, no `--`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

impl Slug {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        let ok_len = (2..=63).contains(&s.len());
        let ok_chars = s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        let ok_ends = !s.starts_with('-') && !s.ends_with('-') && !s.contains("--");
        if ok_len && ok_chars && ok_ends {
            Ok(Self(s.to_owned()))
        } else {
            Err(ParseError::new(format!(
                "invalid slug {s:?}: use 2–63 lowercase letters, digits and single hyphens, e.g. \"acme-corp\""
            )))
        }
    }

    /// The slug a display name suggests ("Harbor & Pine Co." → "harbor-pine-co").
    pub fn suggest(name: &str) -> Result<Self, ParseError> {
        let mut out = String::with_capacity(name.len());
        for c in name.chars().flat_map(char::to_lowercase) {
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        out.truncate(63);
        Self::parse(out.trim_end_matches('-'))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

crate::text_enum::parse_impls!(Slug);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_and_rejects() {
        assert!(Slug::parse("acme-corp").is_ok());
        assert!(Slug::parse("a1").is_ok());
        for bad in ["", "a", "Acme", "-acme", "acme-", "ac--me", "acme corp", "acmé"] {
            assert!(Slug::parse(bad).is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn suggests_from_names() {
        assert_eq!(Slug::suggest("Harbor & Pine Co.").unwrap().as_str(), "harbor-pine-co");
        assert_eq!(Slug::suggest("  Nimbus   Freight ").unwrap().as_str(), "nimbus-freight");
    }
}
