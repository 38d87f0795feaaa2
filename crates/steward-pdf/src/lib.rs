//! Typst markup in, PDF bytes out. The document's images (the reports' SVG charts) are
//! passed in by name, the fonts are Typst's own embedded in the binary, and the date and
//! the document's identity are fixed, so the same markup and images give the same bytes.

use std::sync::OnceLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};
use typst_layout::PagedDocument;

/// Typst's standard library and the embedded fonts, loaded once for the process.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let fonts: Vec<Font> = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data))).collect();
        Shared { library: LazyHash::new(Library::default()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
    })
}

/// One document to typeset: its markup and the files it refers to by path ("/chart-1.svg").
struct Document<'a> {
    main: Source,
    files: &'a [(&'a str, Vec<u8>)],
}

impl World for Document<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.get().vpath().get_without_slash().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let wanted = id.get().vpath().get_without_slash();
        self.files
            .iter()
            .find(|(name, _)| name.trim_start_matches('/') == wanted)
            .map(|(_, bytes)| Bytes::new(bytes.clone()))
            .ok_or_else(|| FileError::NotFound(wanted.into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }

    /// Documents say their own dates; "today" is not theirs to ask.
    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        None
    }
}

/// Typesets `markup` with `files` (path, bytes) beside it.
///
/// Typst lays pages out on rayon's global pool, and this waits for it: a caller typesetting
/// many documents in parallel must do so on a pool of its own (`ThreadPool::install`), or
/// every global worker can end up waiting here for work only they could do. `Err` holds Typst's messages: a
/// defect in the markup the caller wrote, never in data (which the caller escapes).
pub fn typeset(markup: &str, files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, String> {
    // Typst's layout recurses deeply; a worker thread's (or a server's blocking thread's)
    // stack is not always enough, so each document is typeset on a thread of its own.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("typeset".into())
            .stack_size(STACK)
            .spawn_scoped(scope, || typeset_here(markup, files))
            .map_err(|e| format!("no thread to typeset on: {e}"))?
            .join()
            .map_err(|_| "typesetting panicked".to_owned())?
    })
}

/// The stack a document is typeset on.
const STACK: usize = 256 << 20;

fn typeset_here(markup: &str, files: &[(&str, Vec<u8>)]) -> Result<Vec<u8>, String> {
    let path = VirtualPath::new("/main.typ").map_err(|e| format!("{e:?}"))?;
    let main = Source::new(FileId::new(RootedPath::new(VirtualRoot::Project, path)), markup.to_owned());
    let document = Document { main, files };
    let compiled = typst::compile::<PagedDocument>(&document).output;
    // Typst's memo cache outlives the document; a server must not keep every review's.
    comemo::evict(0);
    let compiled =
        compiled.map_err(|errors| errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))?;
    let options = typst_pdf::PdfOptions {
        ident: typst::foundations::Smart::Custom("steward".into()),
        timestamp: None,
        ..Default::default()
    };
    typst_pdf::pdf(&compiled, &options)
        .map_err(|errors| errors.iter().map(|e| e.message.to_string()).collect::<Vec<_>>().join("; "))
}

/// Text as Typst markup shows it literally: every ASCII punctuation character escaped (a
/// backslash before any of them is that character, and none can then start markup — a
/// heading, a list, a comment, a label, a list number's period), line breaks as spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            '\n' | '\r' => out.push(' '),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_markup_gives_the_same_bytes() {
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="50"><rect width="100" height="50" fill="teal"/></svg>"#.to_vec();
        let markup = "= Review\n\nHello #strong[world]. A chart:\n\n#image(\"/chart.svg\", width: 50%)\n";
        let files = [("/chart.svg", svg)];
        let a = typeset(markup, &files).unwrap();
        assert!(a.starts_with(b"%PDF-"));
        assert_eq!(a, typeset(markup, &files).unwrap(), "deterministic");
        assert!(typeset("#image(\"/missing.svg\")", &[]).unwrap_err().contains("not found"));
    }

    #[test]
    fn data_is_shown_literally() {
        for tricky in [
            "Acme #1 *bold* _x_ $5 <tag> @ref = [a] \"q\" ~ ' \\ / - + // not a comment /* nor this",
            "1. not a list\n= not a heading\n- nor a bullet",
            "#set text(fill: red) #panic(\"x\") `raw` \\u{1F600} ] [",
        ] {
            assert!(typeset(&escape(tricky), &[]).is_ok(), "{tricky}");
        }
    }
}
