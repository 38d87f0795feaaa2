//! The X12 tokenizer: delimiters from the ISA segment, then one segment at a time.
//!
//! The ISA is fixed-width by the standard (106 characters: the element separator at byte
//! 3, ISA11 at 82, the component separator at 104, the segment terminator at 105), but
//! real senders leave ISA06/ISA08 unpadded. The ISA is therefore read by its delimiters:
//! the character after `ISA` separates elements, the character after the sixteenth
//! separator is the component separator (ISA16) and the next one ends the segment. When
//! those are unambiguous (not letters, digits or spaces, and distinct), an ISA of the wrong
//! widths is accepted with a warning for the sender; when they are not, the refusal names
//! the first element of the wrong width. A terminator may be followed by CR/LF, or be a
//! newline itself.

use crate::input::read_error;
use crate::reason::{IsaProblem, Reason};
use crate::report::FileError;
use crate::sniff::look;
use std::io::{BufRead, BufReader, Cursor, Read};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delimiters {
    pub element: u8,
    pub component: u8,
    pub segment: u8,
}

/// The widths of ISA01–ISA16 in a fixed-width ISA.
const ISA_WIDTHS: [usize; 16] = [2, 10, 2, 10, 2, 15, 2, 15, 6, 4, 1, 5, 9, 1, 1, 1];
/// How much of the file's start is looked at for the ISA.
const ISA_MAX: usize = 512;
/// The longest segment read; longer means a wrong terminator, not a segment.
pub const MAX_SEGMENT: usize = 1 << 16;

/// Reads segments one at a time, numbering them from 1 (the ISA).
pub struct Segments<R: Read> {
    reader: BufReader<std::io::Chain<Cursor<Vec<u8>>, R>>,
    pub delimiters: Delimiters,
    pub number: u64,
    buf: Vec<u8>,
    /// ISA01–ISA16, trimmed (ISA13 is `isa[12]`).
    pub isa: Vec<String>,
    /// Found while reading the ISA: what the sender should fix.
    pub warning: Option<Reason>,
}

impl<R: Read> std::fmt::Debug for Segments<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Segments").field("delimiters", &self.delimiters).field("number", &self.number).finish()
    }
}

fn isa_error(problem: IsaProblem) -> FileError {
    FileError::segment(1, Reason::IsaMalformed { problem })
}

/// The delimiters and elements of the ISA at the start of `head`, and where it ends.
fn read_isa(head: &[u8]) -> Result<(Delimiters, Vec<String>, usize, Option<Reason>), FileError> {
    if !head.starts_with(b"ISA") {
        let reason = match look(head) {
            crate::reason::Seen::X12WithoutEnvelope => Reason::X12WithoutEnvelope,
            _ if head.len() < 4 => Reason::IsaShort,
            _ => Reason::IsaMissing,
        };
        return Err(FileError::segment(1, reason));
    }
    let Some(&element) = head.get(3) else { return Err(FileError::segment(1, Reason::IsaShort)) };
    if element.is_ascii_alphanumeric() || element.is_ascii_whitespace() {
        return Err(isa_error(IsaProblem::ElementSeparator));
    }
    // Where each element starts (just after its separator), up to the sixteenth.
    let mut starts = Vec::with_capacity(16);
    for (i, &b) in head.iter().enumerate().skip(3) {
        if b == element {
            starts.push(i + 1);
            if starts.len() == 16 {
                break;
            }
        } else if b == b'\n' || b == b'\r' {
            break;
        }
    }
    if starts.len() < 16 {
        return Err(isa_error(IsaProblem::ElementCount { found: starts.len() }));
    }
    let widths: Vec<usize> = starts.windows(2).map(|w| w[1] - w[0] - 1).collect();
    let wrong_width = widths.iter().zip(ISA_WIDTHS).position(|(found, expected)| *found != expected);
    let named = |fallback: IsaProblem| match wrong_width {
        Some(i) => isa_error(IsaProblem::Width { element: i as u8 + 1, found: widths[i], expected: ISA_WIDTHS[i] }),
        None => isa_error(fallback),
    };
    let at16 = starts[15];
    let component = *head.get(at16).ok_or_else(|| named(IsaProblem::ComponentSeparator))?;
    if component.is_ascii_alphanumeric() || component.is_ascii_whitespace() || component == element {
        return Err(named(IsaProblem::ComponentSeparator));
    }
    let mut segment = *head.get(at16 + 1).ok_or_else(|| named(IsaProblem::Terminator))?;
    let mut end = at16 + 2;
    if segment == b'\r' && head.get(end) == Some(&b'\n') {
        // CRLF-terminated segments: the LF ends them, the CR is trimmed.
        segment = b'\n';
        end += 1;
    }
    if (segment.is_ascii_alphanumeric() || segment == b' ') || segment == element || segment == component {
        return Err(named(IsaProblem::Terminator));
    }
    if !head[..end].is_ascii() {
        return Err(FileError::segment(1, Reason::NonAscii));
    }
    let mut elements: Vec<String> =
        starts.windows(2).map(|w| String::from_utf8_lossy(&head[w[0]..w[1] - 1]).trim().to_owned()).collect();
    elements.push((component as char).to_string());
    let warning = wrong_width.map(|i| Reason::IsaNotFixedWidth {
        element: i as u8 + 1,
        found: widths[i],
        expected: ISA_WIDTHS[i],
    });
    Ok((Delimiters { element, component, segment }, elements, end, warning))
}

impl<R: Read> Segments<R> {
    pub fn new(mut reader: R) -> Result<Self, FileError> {
        let read = |e: std::io::Error| FileError::new(read_error(&e));
        let mut head = Vec::with_capacity(ISA_MAX);
        (&mut reader).take(ISA_MAX as u64).read_to_end(&mut head).map_err(read)?;
        // Tolerate a BOM or blank lines before the ISA.
        let mut skip = if head.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
        skip += head[skip..].iter().take_while(|b| matches!(b, b' ' | b'\r' | b'\n' | b'\t')).count();
        let (delimiters, isa, end, warning) = read_isa(&head[skip..])?;
        let rest = head.split_off(skip + end);
        Ok(Self {
            reader: BufReader::with_capacity(1 << 20, Cursor::new(rest).chain(reader)),
            delimiters,
            number: 1,
            buf: Vec::new(),
            isa,
            warning,
        })
    }

    /// Reads up to the next terminator into `buf`; `false` at the end of the file.
    fn read_raw(&mut self) -> Result<bool, FileError> {
        self.buf.clear();
        loop {
            let available = self.reader.fill_buf().map_err(|e| FileError::new(read_error(&e)))?;
            if available.is_empty() {
                return Ok(!self.buf.is_empty());
            }
            let found = available.iter().position(|b| *b == self.delimiters.segment);
            let take = found.unwrap_or(available.len());
            self.buf.extend_from_slice(&available[..take]);
            self.reader.consume(take + usize::from(found.is_some()));
            if self.buf.len() > MAX_SEGMENT {
                return Err(FileError::segment(self.number + 1, Reason::SegmentTooLong { max: MAX_SEGMENT }));
            }
            if found.is_some() {
                return Ok(true);
            }
        }
    }

    /// The next segment's elements (the first is the segment id), or `None` at the end.
    pub fn next_segment(&mut self) -> Result<Option<Vec<String>>, FileError> {
        loop {
            if !self.read_raw()? {
                return Ok(None);
            }
            let text = trim(&self.buf);
            if text.is_empty() {
                continue;
            }
            self.number += 1;
            if !text.is_ascii() {
                return Err(FileError::segment(self.number, Reason::NonAscii));
            }
            let text = String::from_utf8_lossy(text);
            return Ok(Some(text.split(self.delimiters.element as char).map(str::to_owned).collect()));
        }
    }
}

/// Element `i` of a segment, trimmed ("" when absent).
pub fn element(seg: &[String], i: usize) -> &str {
    seg.get(i).map_or("", |s| s.trim())
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !matches!(c, b'\r' | b'\n' | b' ' | b'\t')).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !matches!(c, b'\r' | b'\n' | b' ' | b'\t')).map_or(start, |i| i + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXED: &str =
        "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260105*0930*^*00501*000000007*0*P*:~";

    fn isa(text: &str) -> Result<(Delimiters, Vec<String>, usize, Option<Reason>), FileError> {
        read_isa(text.as_bytes())
    }

    #[test]
    fn a_fixed_width_isa_reads_without_warning() {
        let (d, elements, end, warning) = isa(FIXED).unwrap();
        assert_eq!((d.element, d.component, d.segment, end, warning), (b'*', b':', b'~', 106, None));
        assert_eq!(elements[12], "000000007");
    }

    #[test]
    fn an_unpadded_isa_with_clear_delimiters_is_read_with_a_warning() {
        let text = "ISA*00*          *00*          *ZZ*SENDER*ZZ*RECEIVER*260105*0930*^*00501*000000007*0*P*:~";
        let (d, elements, _, warning) = isa(text).unwrap();
        assert_eq!((d.segment, elements[5].as_str()), (b'~', "SENDER"));
        assert_eq!(warning, Some(Reason::IsaNotFixedWidth { element: 6, found: 6, expected: 15 }));
        let newline =
            "ISA*00*          *00*          *ZZ*SENDER*ZZ*RECEIVER*260105*0930*^*00501*000000007*0*P*:\r\nGS*";
        assert_eq!(isa(newline).unwrap().0.segment, b'\n', "CRLF terminators");
    }

    #[test]
    fn an_ambiguous_isa_names_the_element() {
        // ISA16 is two characters: the terminator cannot be known; ISA06 is the culprit named.
        let text = "ISA*00*          *00*          *ZZ*SENDER*ZZ*RECEIVER*260105*0930*^*00501*000000007*0*P*:A~";
        let e = isa(text).unwrap_err();
        assert_eq!(
            e.reason,
            Reason::IsaMalformed { problem: IsaProblem::Width { element: 6, found: 6, expected: 15 } }
        );
        assert!(e.to_string().contains("ISA06 has 6 characters where 15 are expected"), "{e}");
        let few = isa("ISA*00*  *00*\nGS*").unwrap_err();
        assert_eq!(few.reason, Reason::IsaMalformed { problem: IsaProblem::ElementCount { found: 4 } });
        assert_eq!(isa("ST*834*0001~").unwrap_err().reason, Reason::X12WithoutEnvelope);
        assert_eq!(isa("member_id,relationship").unwrap_err().reason, Reason::IsaMissing);
        assert_eq!(isa("ISA1").unwrap_err().reason, Reason::IsaMalformed { problem: IsaProblem::ElementSeparator });
    }

    #[test]
    fn an_overlong_segment_is_refused_not_buffered() {
        let mut text = FIXED.to_owned();
        text.push_str(&"A".repeat(MAX_SEGMENT + 10));
        let mut segs = Segments::new(text.as_bytes()).unwrap();
        let e = segs.next_segment().unwrap_err();
        assert_eq!((e.line, e.reason), (Some(2), Reason::SegmentTooLong { max: MAX_SEGMENT }));
    }
}
