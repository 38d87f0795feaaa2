//! Limits on what people type into Steward, wherever they type it (pages, the API, the
//! CLI): a length per kind of text, no control character but a tab (and a newline where
//! text runs over lines), no invisible direction mark that would make text read
//! differently from what it holds, and dates between 1900 and 2200. Each refusal names
//! the rule, never the text.

use chrono::NaiveDate;

/// What a piece of text is, and so how long it may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextKind {
    /// A person's, account's, contact's or token's name: one line.
    Name,
    /// A task's title: one line.
    Title,
    /// An activity's summary or a task's detail: may run over lines.
    Summary,
}

impl TextKind {
    /// The most characters (not bytes) it may have.
    pub const fn max_chars(self) -> usize {
        match self {
            TextKind::Name => 200,
            TextKind::Title => 200,
            TextKind::Summary => 5000,
        }
    }

    const fn multiline(self) -> bool {
        matches!(self, TextKind::Summary)
    }
}

/// Characters that reorder how text is shown (Trojan Source, CVE-2021-42574), the Unicode
/// line and paragraph separators, which break lines where no newline is, and the
/// zero-width no-break space (a stray byte-order mark).
fn invisible_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}'
    )
}

/// Refuses text of `kind` that breaks a limit; `Ok` for any other (empty included: whether
/// a field is required is its form's business).
pub fn check_text(kind: TextKind, text: &str) -> Result<(), String> {
    let chars = text.chars().count();
    if chars > kind.max_chars() {
        return Err(format!("is {chars} characters long; at most {} are kept", kind.max_chars()));
    }
    let allowed = |c: char| c == '\t' || (c == '\n' && kind.multiline());
    if let Some(c) = text.chars().find(|c| (c.is_control() && !allowed(*c)) || invisible_control(*c)) {
        let what = match c {
            '\n' => "a line break; keep it to one line".to_owned(),
            c if invisible_control(c) => format!("an invisible direction or line mark (U+{:04X})", c as u32),
            c => format!("a control character (U+{:04X})", c as u32),
        };
        return Err(format!("holds {what}"));
    }
    Ok(())
}

/// [`check_text`] for a named field of a record: "the title is 201 characters long; …".
pub fn text_field(what: &str, kind: TextKind, text: &str) -> Result<(), crate::ParseError> {
    check_text(kind, text).map_err(|problem| crate::ParseError::new(format!("{what} {problem}")))
}

/// [`check_date`] for a named field of a record.
pub fn date_field(what: &str, date: Option<NaiveDate>) -> Result<(), crate::ParseError> {
    date.map_or(Ok(()), check_date).map_err(|problem| crate::ParseError::new(format!("{what}: {problem}")))
}

/// Text as a browser sends a textarea (CRLF line ends), as it is kept (LF).
pub fn normalize_newlines(text: &str) -> String {
    text.replace("\r\n", "\n")
}

pub const EARLIEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
pub const LATEST_DATE: NaiveDate = NaiveDate::from_ymd_opt(2200, 12, 31).expect("a valid date");

/// Refuses a date no one means (a year typed as 0026 or 20266).
pub fn check_date(date: NaiveDate) -> Result<(), String> {
    if (EARLIEST_DATE..=LATEST_DATE).contains(&date) {
        Ok(())
    } else {
        Err(format!("{date} is not between {EARLIEST_DATE} and {LATEST_DATE}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_limits() {
        assert_eq!(check_text(TextKind::Name, "Dana Osei\tJr."), Ok(()));
        assert_eq!(check_text(TextKind::Summary, "Called.\nThey renew."), Ok(()));
        assert!(check_text(TextKind::Title, "Two\nlines").unwrap_err().contains("one line"));
        assert!(check_text(TextKind::Name, "nul\0byte").unwrap_err().contains("U+0000"));
        assert!(check_text(TextKind::Summary, "a\r\nb").is_err(), "a bare CR is refused; normalize first");
        assert_eq!(check_text(TextKind::Summary, &normalize_newlines("a\r\nb")), Ok(()));
        let trojan = "access granted\u{202E} \u{2066}// admin\u{2069}";
        assert!(check_text(TextKind::Summary, trojan).unwrap_err().contains("U+202E"));
        assert_eq!(check_text(TextKind::Name, &"é".repeat(200)), Ok(()), "characters, not bytes");
        assert!(check_text(TextKind::Name, &"é".repeat(201)).unwrap_err().contains("201 characters"));
        let secret = "do-not-echo\u{7}";
        assert!(!check_text(TextKind::Name, secret).unwrap_err().contains("do-not-echo"), "the text is never repeated");
    }

    #[test]
    fn dates_between_1900_and_2200() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(check_date(d(1900, 1, 1)), Ok(()));
        assert_eq!(check_date(d(2200, 12, 31)), Ok(()));
        assert!(check_date(d(26, 6, 1)).unwrap_err().contains("between 1900-01-01 and 2200-12-31"));
        assert!(check_date(d(2201, 1, 1)).is_err());
    }
}
