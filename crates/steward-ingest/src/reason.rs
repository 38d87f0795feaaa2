//! Every refusal, rejection and warning Steward writes about a file is built here, and
//! only here (DOMAIN.md, Privacy: "No value in a message").
//!
//! A [`Reason`] cannot hold the file's bytes as such: its parts are numbers, our own names
//! (canonical fields, formats, kinds, account slugs, mapping names) and values that are
//! codes by construction — an [`X12Value`] shows only a string of capital letters and
//! digits, a [`SystemUri`] only a URI, a [`Token`] only a short code, a resource type only
//! a name from the FHIR R4 list. Anything else is described ("a value that is not a code"),
//! never shown. A shifted row that puts a name or an SSN where a code belongs therefore
//! cannot reach a message, the database or a log through here.

use crate::sniff::Format;
use chrono::NaiveDate;
use std::fmt;
use steward_domain::{ImportKind, Slug};

macro_rules! codes {
    ($($variant:ident = $code:literal,)+) => {
        /// What went wrong, as a stable snake_case word (kept with each row error, listed in
        /// docs/IMPORTS.md).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ReasonCode { $($variant,)+ }

        impl ReasonCode {
            pub const ALL: &'static [ReasonCode] = &[$(ReasonCode::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self { $(ReasonCode::$variant => $code,)+ }
            }
        }
    };
}

codes! {
    Unreadable = "unreadable",
    Utf16 = "utf16",
    NotUtf8 = "not_utf8",
    GzipDamaged = "gzip_damaged",
    FormatCannotHoldKind = "format_cannot_hold_kind",
    AccountMissing = "account_missing",
    UnknownMapping = "unknown_mapping",
    UnreadableMapping = "unreadable_mapping",
    MappingNotForFormat = "mapping_not_for_format",
    FormatMismatch = "format_mismatch",
    X12WithoutEnvelope = "x12_without_envelope",
    JsonArray = "json_array",
    FhirBundle = "fhir_bundle",
    PrettyPrintedJson = "pretty_printed_json",
    EveryRowRejected = "every_row_rejected",
    TerminationGuard = "termination_guard",
    NoHeader = "no_header",
    HeaderIsData = "header_is_data",
    MissingColumn = "missing_column",
    DuplicateColumn = "duplicate_column",
    MalformedCsv = "malformed_csv",
    CrLineEndings = "cr_line_endings",
    WrongWidth = "wrong_width",
    AccountEmpty = "account_empty",
    AccountNotThis = "account_not_this",
    AccountUnknown = "account_unknown",
    FieldMissing = "field_missing",
    FieldEmpty = "field_empty",
    FieldTooLong = "field_too_long",
    BadDate = "bad_date",
    ValueIgnored = "value_ignored",
    OptionalColumnMissing = "optional_column_missing",
    DateOutOfRange = "date_out_of_range",
    EndBeforeStart = "end_before_start",
    UnknownValue = "unknown_value",
    DuplicateMember = "duplicate_member",
    IsaMissing = "isa_missing",
    IsaMalformed = "isa_malformed",
    IsaNotFixedWidth = "isa_not_fixed_width",
    SegmentTooLong = "segment_too_long",
    NonAscii = "non_ascii",
    AfterIea = "after_iea",
    OutsideTransactionSet = "outside_transaction_set",
    EnvelopeNesting = "envelope_nesting",
    Not834 = "not_834",
    EnvelopeCount = "envelope_count",
    EnvelopeControl = "envelope_control",
    Truncated = "truncated",
    BgnCount = "bgn_count",
    Bgn08Empty = "bgn08_empty",
    Bgn08Unknown = "bgn08_unknown",
    MixedPurposes = "mixed_purposes",
    NoFileDate = "no_file_date",
    UnsupportedVersion = "unsupported_version",
    NoSubscriberId = "no_subscriber_id",
    Not030InFull = "not_030_in_full",
    IdCollision = "id_collision",
    IdHeldByAnother = "id_held_by_another",
    DependentUnidentified = "dependent_unidentified",
    NotOnFile = "not_on_file",
    TerminationBeforeCoverage = "termination_before_coverage",
    InvalidJson = "invalid_json",
    NotAnObject = "not_an_object",
    UnexpectedShape = "unexpected_shape",
    NotR4 = "not_r4",
    UnmappedClass = "unmapped_class",
    SubjectNotPatient = "subject_not_patient",
    PatientWithoutMemberId = "patient_without_member_id",
    PatientRejected = "patient_rejected",
    PatientUnknown = "patient_unknown",
    NoMemberIdSystem = "no_member_id_system",
}

/// An X12 element shown back only when it has the shape of a code or an envelope value:
/// up to twelve capital letters and digits (ST01, BGN08, GS08, control numbers, segment
/// ids). Anything else is described, never shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct X12Value(Option<String>);

impl X12Value {
    pub fn of(text: &str) -> Self {
        let t = text.trim();
        let code = t.len() <= 12 && t.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        Self(code.then(|| t.to_owned()))
    }

    /// A segment id: two or three capital letters and digits, starting with a letter.
    pub fn segment_id(text: &str) -> Self {
        let b = text.as_bytes();
        let id = (2..=3).contains(&b.len())
            && b[0].is_ascii_uppercase()
            && b.iter().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        Self(id.then(|| text.to_owned()))
    }
}

impl fmt::Display for X12Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_deref() {
            Some("") => f.write_str("(empty)"),
            Some(code) => f.write_str(code),
            None => f.write_str("(a value that is not a code)"),
        }
    }
}

/// A FHIR identifier or coding system, shown only when it is a URI of the kinds systems
/// use (`http(s)://…`, `urn:…`) without spaces, queries or user parts.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SystemUri(Option<String>);

impl SystemUri {
    pub fn of(text: &str) -> Self {
        let schemes = ["http://", "https://", "urn:"];
        let uri = text.len() <= 200
            && schemes.iter().any(|s| text.starts_with(s))
            && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-._~:/".contains(&b))
            && !looks_personal(text);
        Self(uri.then(|| text.to_owned()))
    }
}

/// Whether `text` holds a run shaped like an SSN (`123-45-6789`) or a date (`1913-02-03`,
/// `19130203`): a system URI never needs one, a sender's mistake can put one there.
fn looks_personal(text: &str) -> bool {
    let b = text.as_bytes();
    let shape = |at: usize, pattern: &[u8]| {
        b.len() >= at + pattern.len()
            && pattern
                .iter()
                .enumerate()
                .all(|(i, p)| if *p == b'9' { b[at + i].is_ascii_digit() } else { b[at + i] == *p })
    };
    let compact_date = |at: usize| shape(at, b"99999999") && (b[at] == b'1' || b[at] == b'2') && !shape(at + 8, b"9");
    (0..b.len()).any(|at| {
        let starts_run = at == 0 || !b[at - 1].is_ascii_digit();
        starts_run && (shape(at, b"999-99-9999") || shape(at, b"9999-99-99") || compact_date(at))
    })
}

impl fmt::Display for SystemUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("(a system that is not a URI)"))
    }
}

/// A short FHIR code (an encounter class code, say): one to eight letters, digits or `_`
/// (`AMB`, `13`, `O`, `OBSENC`); anything else — a date, an SSN, a long id — is described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token(Option<String>);

impl Token {
    pub fn of(text: &str) -> Self {
        let token = (1..=8).contains(&text.len()) && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
        Self(token.then(|| text.to_owned()))
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_deref().unwrap_or("(a value that is not a code)"))
    }
}

/// What a file looked like when it was not what the command said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    X12,
    X12WithoutEnvelope,
    Ndjson,
    JsonDocument,
    Csv,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Seen::X12 => "an X12 interchange (it starts with ISA)",
            Seen::X12WithoutEnvelope => "X12 segments without an envelope",
            Seen::Ndjson => "NDJSON (a JSON object per line)",
            Seen::JsonDocument => "a JSON document",
            Seen::Csv => "CSV",
        })
    }
}

/// What an ISA segment got wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IsaProblem {
    /// The element separator (the byte after `ISA`) is a letter, digit or space.
    ElementSeparator,
    /// Fewer than 16 elements before the end of the segment.
    ElementCount { found: usize },
    /// ISA16 is not one character, so the component separator is unknown.
    ComponentSeparator,
    /// The segment terminator is missing, a letter or digit, or one of the separators.
    Terminator,
    /// An element of the wrong width in an ISA whose delimiters cannot be trusted.
    Width { element: u8, found: usize, expected: usize },
}

/// What an X12 envelope trailer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trailer {
    Se,
    Ge,
    Iea,
}

impl Trailer {
    fn names(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            // (count element, what it counts, control element, the header's control element)
            Trailer::Se => ("SE01", "segments", "SE02", "ST02"),
            Trailer::Ge => ("GE01", "transaction sets", "GE02", "GS06"),
            Trailer::Iea => ("IEA01", "functional groups", "IEA02", "ISA13"),
        }
    }
}

/// How an 834 member id was formed (docs/IMPORTS.md "834 member ids").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IdMethod {
    /// The subscriber's REF*0F.
    Subscriber,
    /// A dependent's REF with the configured qualifier (default 23).
    DependentRef,
    /// A dependent's own REF*0F, different from its subscriber's.
    OwnRef0F,
    /// Subscriber id and birth date (and INS17 for a multiple birth).
    BirthDate,
}

impl IdMethod {
    const ALL: [IdMethod; 4] = [IdMethod::Subscriber, IdMethod::DependentRef, IdMethod::OwnRef0F, IdMethod::BirthDate];

    /// (stored code, label for people, what the id was read from)
    fn words(self) -> (&'static str, &'static str, &'static str) {
        match self {
            IdMethod::Subscriber => ("subscriber_ref_0f", "subscriber's REF*0F", "the subscriber's REF*0F"),
            IdMethod::DependentRef => ("dependent_ref", "dependent's REF", "the dependent's own REF"),
            IdMethod::OwnRef0F => ("own_ref_0f", "dependent's own REF*0F", "the dependent's own REF*0F"),
            IdMethod::BirthDate => {
                ("birth_date", "subscriber id + birth date (formed)", "the subscriber id and the birth date")
            }
        }
    }

    pub fn as_str(self) -> &'static str {
        self.words().0
    }

    /// The method a stored code names, in words for people.
    pub fn label_of(code: &str) -> Option<&'static str> {
        IdMethod::ALL.into_iter().find(|m| m.as_str() == code).map(|m| m.words().1)
    }

    /// Whether Steward formed the id rather than reading one the sender gave.
    pub fn formed(self) -> bool {
        self == IdMethod::BirthDate
    }
}

/// The closed lists a field's value must come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    Relationship,
    Ins02,
    Ins03,
    Modality,
    VisitStatus,
    Metro,
    Score,
    EncounterStatus,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let join = |words: &[&str]| words.join(", ");
        match self {
            Expected::Relationship => f.write_str("employee, spouse, child, other or an X12 code (18, 01, 19, …)"),
            Expected::Ins02 => f.write_str("an X12 individual relationship code (18 self, 01 spouse, 19 child, …)"),
            Expected::Ins03 => {
                f.write_str("021 (addition), 024 (termination), 025 (reinstatement), 001 (change) or 030 (audit)")
            }
            Expected::Modality => {
                f.write_str(&join(&steward_domain::Modality::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>()))
            }
            Expected::VisitStatus => {
                f.write_str(&join(&steward_domain::VisitStatus::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>()))
            }
            Expected::Metro => write!(
                f,
                "{} (or empty when the visit had no clinic)",
                join(&steward_domain::Metro::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>())
            ),
            Expected::Score => f.write_str("a whole number from 0 to 10"),
            Expected::EncounterStatus => f.write_str(&join(crate::fhir::R4_ENCOUNTER_STATUSES)),
        }
    }
}

/// Why a file was refused, a row rejected, or a sender warned. Display is the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    // Any file.
    Unreadable {
        kind: std::io::ErrorKind,
    },
    Utf16,
    NotUtf8,
    GzipDamaged,
    FormatCannotHoldKind {
        format: Format,
        kind: ImportKind,
    },
    AccountMissing {
        format: Format,
    },
    UnknownMapping {
        account: Slug,
        name: MappingName,
    },
    UnreadableMapping {
        name: MappingName,
    },
    MappingNotForFormat {
        format: Format,
    },
    FormatMismatch {
        given: Format,
        seen: Seen,
    },
    X12WithoutEnvelope,
    JsonArray,
    FhirBundle,
    PrettyPrintedJson,
    EveryRowRejected {
        rows: u64,
        ignored: u64,
    },
    TerminationGuard {
        terminated: usize,
        eligible: usize,
        percent: u32,
        allowed_percent: u32,
    },
    // CSV files and rows.
    NoHeader,
    HeaderIsData {
        columns: usize,
    },
    MissingColumn {
        missing: Vec<&'static str>,
        columns: usize,
        found: Vec<(&'static str, usize)>,
        mapping: Option<MappingName>,
    },
    DuplicateColumn {
        field: &'static str,
        first: usize,
        second: usize,
    },
    MalformedCsv,
    CrLineEndings,
    NoAccountColumn,
    WrongWidth {
        fields: usize,
        columns: usize,
    },
    AccountEmpty,
    AccountNotThis {
        only: Slug,
    },
    AccountUnknown,
    FieldMissing {
        field: &'static str,
    },
    FieldEmpty {
        field: &'static str,
    },
    FieldTooLong {
        field: &'static str,
        max: usize,
    },
    BadDate {
        field: &'static str,
        format: &'static str,
        /// Another date format the text is written in, when it fits one (a shape, not a value).
        looks_like: Option<&'static str>,
    },
    /// A row kept without one of its attributes, which was not readable (a warning).
    ValueIgnored {
        field: &'static str,
        expected: &'static str,
    },
    /// A column the file does not have, so everyone lacks what it holds (a warning).
    OptionalColumnMissing {
        column: &'static str,
        consequence: &'static str,
    },
    DateOutOfRange {
        field: &'static str,
        earliest: NaiveDate,
        latest: NaiveDate,
    },
    EndBeforeStart {
        end: &'static str,
        start: &'static str,
    },
    UnknownValue {
        field: &'static str,
        expected: Expected,
    },
    DuplicateMember {
        other: u64,
        unit: Unit,
    },
    // X12 834.
    IsaMissing,
    IsaShort,
    IsaMalformed {
        problem: IsaProblem,
    },
    IsaNotFixedWidth {
        element: u8,
        found: usize,
        expected: usize,
    },
    SegmentTooLong {
        max: usize,
    },
    NonAscii,
    AfterIea {
        segment: X12Value,
    },
    OutsideTransactionSet {
        segment: X12Value,
    },
    /// An envelope header or trailer where the nesting does not allow it.
    EnvelopeNesting {
        segment: &'static str,
        problem: &'static str,
    },
    Not834 {
        st01: X12Value,
    },
    EnvelopeCount {
        trailer: Trailer,
        said: X12Value,
        counted: u64,
    },
    EnvelopeControl {
        trailer: Trailer,
        trailer_value: X12Value,
        header_value: X12Value,
    },
    Truncated,
    BgnCount,
    Bgn08Empty {
        bgn07: Option<X12Value>,
    },
    Bgn08Unknown {
        value: X12Value,
    },
    MixedPurposes {
        purposes: Vec<X12Value>,
    },
    NoFileDate,
    UnsupportedVersion {
        version: X12Value,
    },
    NoSubscriberId,
    UnknownCode {
        element: &'static str,
        expected: Expected,
    },
    BadDtpDate {
        qualifier: &'static str,
    },
    NoCoverageBegin {
        what: &'static str,
    },
    NoCoverageEnd,
    Not030InFull,
    IdCollision {
        other: u64,
    },
    IdHeldByAnother {
        method: IdMethod,
    },
    DependentUnidentified,
    NotOnFile {
        what: &'static str,
        hint: &'static str,
    },
    TerminationBeforeCoverage,
    // FHIR NDJSON.
    InvalidJson {
        column: usize,
    },
    NotAnObject,
    UnexpectedShape {
        field: &'static str,
        expected: &'static str,
    },
    DuplicateField,
    NotR4 {
        resource: &'static str,
        signal: &'static str,
    },
    UnmappedClass {
        system: Option<SystemUri>,
        code: Token,
    },
    SubjectNotPatient,
    PatientWithoutMemberId {
        system: SystemUri,
        seen: Vec<SystemUri>,
    },
    PatientUnknown {
        system: SystemUri,
    },
    PatientRejected {
        line: u64,
    },
    NoMemberIdSystem {
        patients: u64,
        system: SystemUri,
        seen: Vec<(SystemUri, u64)>,
    },
}

/// A saved mapping's name, as the command gave it: letters, digits, `-` and `_`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MappingName(String);

impl MappingName {
    pub fn parse(name: &str) -> Result<Self, String> {
        let ok = !name.is_empty()
            && name.len() <= 64
            && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(name.to_owned()))
        } else {
            Err("a mapping name is 1 to 64 letters, digits, '-' or '_'".to_owned())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for MappingName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a file's positions count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Line,
    Segment,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Line => "line",
            Unit::Segment => "segment",
        }
    }
}

impl Reason {
    pub fn code(&self) -> ReasonCode {
        use ReasonCode as C;
        match self {
            Reason::Unreadable { .. } => C::Unreadable,
            Reason::Utf16 => C::Utf16,
            Reason::NotUtf8 => C::NotUtf8,
            Reason::GzipDamaged => C::GzipDamaged,
            Reason::FormatCannotHoldKind { .. } => C::FormatCannotHoldKind,
            Reason::AccountMissing { .. } | Reason::NoAccountColumn => C::AccountMissing,
            Reason::UnknownMapping { .. } => C::UnknownMapping,
            Reason::UnreadableMapping { .. } => C::UnreadableMapping,
            Reason::MappingNotForFormat { .. } => C::MappingNotForFormat,
            Reason::FormatMismatch { .. } => C::FormatMismatch,
            Reason::X12WithoutEnvelope => C::X12WithoutEnvelope,
            Reason::JsonArray => C::JsonArray,
            Reason::FhirBundle => C::FhirBundle,
            Reason::PrettyPrintedJson => C::PrettyPrintedJson,
            Reason::EveryRowRejected { .. } => C::EveryRowRejected,
            Reason::TerminationGuard { .. } => C::TerminationGuard,
            Reason::NoHeader => C::NoHeader,
            Reason::HeaderIsData { .. } => C::HeaderIsData,
            Reason::MissingColumn { .. } => C::MissingColumn,
            Reason::DuplicateColumn { .. } => C::DuplicateColumn,
            Reason::MalformedCsv => C::MalformedCsv,
            Reason::CrLineEndings => C::CrLineEndings,
            Reason::WrongWidth { .. } => C::WrongWidth,
            Reason::AccountEmpty => C::AccountEmpty,
            Reason::AccountNotThis { .. } => C::AccountNotThis,
            Reason::AccountUnknown => C::AccountUnknown,
            Reason::FieldMissing { .. } | Reason::NoCoverageBegin { .. } | Reason::NoCoverageEnd => C::FieldMissing,
            Reason::FieldEmpty { .. } => C::FieldEmpty,
            Reason::FieldTooLong { .. } => C::FieldTooLong,
            Reason::BadDate { .. } | Reason::BadDtpDate { .. } => C::BadDate,
            Reason::ValueIgnored { .. } => C::ValueIgnored,
            Reason::OptionalColumnMissing { .. } => C::OptionalColumnMissing,
            Reason::DateOutOfRange { .. } => C::DateOutOfRange,
            Reason::EndBeforeStart { .. } => C::EndBeforeStart,
            Reason::UnknownValue { .. } | Reason::UnknownCode { .. } => C::UnknownValue,
            Reason::DuplicateMember { .. } => C::DuplicateMember,
            Reason::IsaMissing | Reason::IsaShort => C::IsaMissing,
            Reason::IsaMalformed { .. } => C::IsaMalformed,
            Reason::IsaNotFixedWidth { .. } => C::IsaNotFixedWidth,
            Reason::SegmentTooLong { .. } => C::SegmentTooLong,
            Reason::NonAscii => C::NonAscii,
            Reason::AfterIea { .. } => C::AfterIea,
            Reason::OutsideTransactionSet { .. } => C::OutsideTransactionSet,
            Reason::EnvelopeNesting { .. } => C::EnvelopeNesting,
            Reason::Not834 { .. } => C::Not834,
            Reason::EnvelopeCount { .. } => C::EnvelopeCount,
            Reason::EnvelopeControl { .. } => C::EnvelopeControl,
            Reason::Truncated => C::Truncated,
            Reason::BgnCount => C::BgnCount,
            Reason::Bgn08Empty { .. } => C::Bgn08Empty,
            Reason::Bgn08Unknown { .. } => C::Bgn08Unknown,
            Reason::MixedPurposes { .. } => C::MixedPurposes,
            Reason::NoFileDate => C::NoFileDate,
            Reason::UnsupportedVersion { .. } => C::UnsupportedVersion,
            Reason::NoSubscriberId => C::NoSubscriberId,
            Reason::Not030InFull => C::Not030InFull,
            Reason::IdCollision { .. } => C::IdCollision,
            Reason::IdHeldByAnother { .. } => C::IdHeldByAnother,
            Reason::DependentUnidentified => C::DependentUnidentified,
            Reason::NotOnFile { .. } => C::NotOnFile,
            Reason::TerminationBeforeCoverage => C::TerminationBeforeCoverage,
            Reason::InvalidJson { .. } => C::InvalidJson,
            Reason::NotAnObject => C::NotAnObject,
            Reason::UnexpectedShape { .. } | Reason::DuplicateField => C::UnexpectedShape,
            Reason::NotR4 { .. } => C::NotR4,
            Reason::UnmappedClass { .. } => C::UnmappedClass,
            Reason::SubjectNotPatient => C::SubjectNotPatient,
            Reason::PatientWithoutMemberId { .. } => C::PatientWithoutMemberId,
            Reason::PatientRejected { .. } => C::PatientRejected,
            Reason::PatientUnknown { .. } => C::PatientUnknown,
            Reason::NoMemberIdSystem { .. } => C::NoMemberIdSystem,
        }
    }
}

fn list<T: fmt::Display>(items: &[T]) -> String {
    items.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reason::Unreadable { kind } => write!(f, "cannot read the file ({kind})"),
            Reason::Utf16 => f.write_str("the file is UTF-16 encoded; save it as UTF-8"),
            Reason::NotUtf8 => {
                f.write_str("the file is not UTF-8 (an invalid byte in this line); save it as UTF-8")
            }
            Reason::GzipDamaged => f.write_str("the file is gzip-compressed, but its compressed data is damaged or cut short"),
            Reason::FormatCannotHoldKind { format, kind } => {
                write!(f, "a {} file cannot hold {kind}", format.as_str())
            }
            Reason::AccountMissing { format } => {
                write!(f, "a {} file does not name its account: give it with --account SLUG", format.as_str())
            }
            Reason::UnknownMapping { account, name } => {
                write!(f, "{account} has no mapping named {name}; save one with `steward mappings set`")
            }
            Reason::UnreadableMapping { name } => write!(f, "the saved mapping {name} is unreadable; save it again"),
            Reason::MappingNotForFormat { format } => write!(
                f,
                "a mapping applies to census CSV (columns) and FHIR NDJSON (encounter classes), not to a {} file",
                format.as_str()
            ),
            Reason::FormatMismatch { given, seen } => write!(
                f,
                "the file looks like {seen}, but it was imported as {}; leave out --format to let Steward tell",
                given.as_str()
            ),
            Reason::X12WithoutEnvelope => f.write_str(
                "the file is X12 segments without their envelope: an 834 must begin with its ISA interchange \
                 header and GS group header (ask the sender for the whole file)",
            ),
            Reason::JsonArray => f.write_str(
                "the file is a JSON array, not NDJSON: FHIR Bulk Data files hold one resource per line",
            ),
            Reason::FhirBundle => f.write_str(
                "a FHIR Bundle, not NDJSON: export with Bulk Data ($export), which writes one resource per line",
            ),
            Reason::PrettyPrintedJson => f.write_str(
                "the file is pretty-printed JSON (one resource over several lines), not NDJSON with one resource per line",
            ),
            Reason::EveryRowRejected { rows, ignored } => {
                let rows = steward_domain::money::group_digits(*rows);
                write!(f, "none of its rows could be applied: {rows} rejected (the row errors say why)")?;
                if *ignored > 0 {
                    write!(f, " and {} ignored as not for Steward", steward_domain::money::group_digits(*ignored))?;
                }
                f.write_str(", so nothing was applied")
            }
            Reason::TerminationGuard { terminated, eligible, percent, allowed_percent } => write!(
                f,
                "this full file would terminate {terminated} of the account's {eligible} eligible lives ({percent}%), \
                 more than the {allowed_percent}% allowed; check that it is complete — if the employer confirms, \
                 apply it with the termination override"
            ),
            Reason::NoHeader => f.write_str("the file is empty or has no header"),
            Reason::HeaderIsData { columns } => write!(
                f,
                "the first line looks like data, not a header (some of its {columns} fields are dates or numbers): \
                 the file must start with a header row naming its columns"
            ),
            Reason::MissingColumn { missing, columns, found, mapping } => {
                let s = if missing.len() == 1 { "" } else { "s" };
                write!(f, "missing required column{s} {}", missing.join(", "))?;
                if let Some(m) = mapping {
                    write!(f, " (through the mapping {m})")?;
                }
                write!(f, "; the header has {columns} column{}", if *columns == 1 { "" } else { "s" })?;
                if !found.is_empty() {
                    let at: Vec<String> = found.iter().map(|(c, i)| format!("{c} at column {}", i + 1)).collect();
                    write!(f, ", with {}", at.join(", "))?;
                }
                Ok(())
            }
            Reason::DuplicateColumn { field, first, second } => write!(
                f,
                "the header names {field} twice (columns {} and {}); keep one",
                first + 1,
                second + 1
            ),
            Reason::MalformedCsv => f.write_str("malformed CSV (an unclosed quote?)"),
            Reason::CrLineEndings => {
                f.write_str("the file's lines end with CR alone (an old Mac format); save it with LF or CRLF line endings")
            }
            Reason::NoAccountColumn => {
                f.write_str("the file has no account column: name the account with --account SLUG")
            }
            Reason::WrongWidth { fields, columns } => {
                write!(f, "the row has {fields} fields; the header has {columns}")
            }
            Reason::AccountEmpty => f.write_str("account is empty (or name one with --account)"),
            Reason::AccountNotThis { only } => {
                write!(f, "the row's account is not {only}, the account this import is for")
            }
            Reason::AccountUnknown => f.write_str("the row's account is not the slug of any account"),
            Reason::FieldMissing { field } => write!(f, "{field} is missing"),
            Reason::FieldEmpty { field } => write!(f, "{field} is empty"),
            Reason::FieldTooLong { field, max } => write!(f, "{field} is longer than {max} characters"),
            Reason::BadDate { field, format, looks_like: None } => write!(f, "{field} is not a date in {format} format"),
            Reason::BadDate { field, format, looks_like: Some(shape) } => write!(
                f,
                "{field} is not a date in {format} format; the file writes dates as {shape}: read it with a column \
                 mapping whose date format is {shape}"
            ),
            Reason::ValueIgnored { field, expected } => {
                write!(f, "{field} is not {expected}: the row is kept without it")
            }
            Reason::OptionalColumnMissing { column, consequence } => {
                write!(f, "the file has no {column} column: {consequence}")
            }
            Reason::DateOutOfRange { field, earliest, latest } => {
                write!(f, "{field} is outside the dates Steward accepts ({earliest} to {latest})")
            }
            Reason::EndBeforeStart { end, start } => write!(f, "{end} is before {start}"),
            Reason::UnknownValue { field, expected } => write!(f, "unknown {field}; expected {expected}"),
            Reason::DuplicateMember { other, unit } => write!(
                f,
                "duplicate member: this coverage overlaps the one at {} {other} for the same member",
                unit.as_str()
            ),
            Reason::IsaMissing => f.write_str("not an X12 file: it does not start with an ISA segment"),
            Reason::IsaShort => f.write_str("not an X12 file: it is shorter than an ISA segment"),
            Reason::IsaMalformed { problem } => match problem {
                IsaProblem::ElementSeparator => f.write_str(
                    "malformed ISA segment: the element separator (the character after ISA) is a letter, digit or space",
                ),
                IsaProblem::ElementCount { found } => {
                    write!(f, "malformed ISA segment: it has {found} elements; it must have 16")
                }
                IsaProblem::ComponentSeparator => {
                    f.write_str("malformed ISA segment: ISA16, the component separator, must be one character")
                }
                IsaProblem::Terminator => f.write_str(
                    "malformed ISA segment: no segment terminator after ISA16, or one that is a letter, a digit or a separator",
                ),
                IsaProblem::Width { element, found, expected } => write!(
                    f,
                    "malformed ISA segment: ISA{element:02} has {found} characters where {expected} are expected"
                ),
            },
            Reason::IsaNotFixedWidth { element, found, expected } => write!(
                f,
                "the ISA segment is not fixed-width (ISA{element:02} has {found} characters, not {expected}); \
                 its delimiters were unambiguous, so it was read by them"
            ),
            Reason::SegmentTooLong { max } => write!(
                f,
                "a segment longer than {} characters (is the segment terminator in ISA16's place wrong?)",
                steward_domain::money::group_digits(*max as u64)
            ),
            Reason::NonAscii => f.write_str("a segment holds non-ASCII bytes; X12 files are ASCII"),
            Reason::AfterIea { segment } => write!(f, "segment {segment} after the IEA trailer"),
            Reason::OutsideTransactionSet { segment } => {
                write!(f, "segment {segment} outside a transaction set (ST…SE)")
            }
            Reason::EnvelopeNesting { segment, problem } => write!(f, "{segment} {problem}"),
            Reason::Not834 { st01 } => write!(f, "transaction set {st01} is not an 834"),
            Reason::EnvelopeCount { trailer, said, counted } => {
                let (element, what, _, _) = trailer.names();
                write!(f, "{element} says {said} {what} but there are {counted}")
            }
            Reason::EnvelopeControl { trailer, trailer_value, header_value } => {
                let (_, _, element, header) = trailer.names();
                write!(f, "{element} {trailer_value} does not match {header} {header_value}")
            }
            Reason::Truncated => f.write_str("the file ends before its IEA trailer (truncated?)"),
            Reason::BgnCount => f.write_str("every transaction set needs exactly one BGN segment"),
            Reason::Bgn08Empty { bgn07 } => {
                f.write_str(
                    "BGN08 (the action code) is empty; it must be 2 (change), 4 (verify: a full file) or RX (replace: a full file)",
                )?;
                match bgn07 {
                    Some(code) => write!(f, "; BGN07 holds {code}: is the action code one element early?"),
                    None => Ok(()),
                }
            }
            Reason::Bgn08Unknown { value } => write!(
                f,
                "BGN08 (the action code) is {value}; it must be 2 (change), 4 (verify: a full file) or RX (replace: a full file)"
            ),
            Reason::MixedPurposes { purposes } => write!(
                f,
                "the transaction sets mix full and change files (BGN08: {}); send full (4 or RX) and change (2) files separately",
                list(purposes)
            ),
            Reason::NoFileDate => f.write_str("no file date: BGN03 is missing and no --as-of was given"),
            Reason::UnsupportedVersion { version } => write!(
                f,
                "the file is version {version}; Steward reads 834s of version 005010X220A1 and 004010X095A1"
            ),
            Reason::NoSubscriberId => f.write_str("member loop without a subscriber id (REF*0F)"),
            Reason::UnknownCode { element, expected } => write!(f, "unknown code in {element}; expected {expected}"),
            Reason::BadDtpDate { qualifier } => write!(f, "DTP*{qualifier} is not a CCYYMMDD date"),
            Reason::NoCoverageBegin { what } => {
                write!(f, "{what} without a coverage begin date (DTP*348 or DTP*356)")
            }
            Reason::NoCoverageEnd => f.write_str("a termination without an end date (DTP*349 or DTP*357)"),
            Reason::Not030InFull => f.write_str(
                "a termination or change (INS03, or HD01 of the coverage) in a full file, where every member is 030",
            ),
            Reason::IdCollision { other } => write!(
                f,
                "this member and the one at segment {other} resolve to one id but cannot be one person; both are \
                 rejected so that two people do not become one: send each dependent's own id (the dependent REF)"
            ),
            Reason::IdHeldByAnother { method } => write!(
                f,
                "the id read from {} belongs to a person on file with another relationship; the loop is rejected \
                 so that two people do not become one",
                method.words().2
            ),
            Reason::DependentUnidentified => f.write_str(
                "a dependent without its own id (the dependent REF) or a birth date (DMG02): which person it is \
                 cannot be told, so the loop is rejected rather than guessed",
            ),
            Reason::NotOnFile { what, hint } => write!(f, "{what} for a member who is not on file{hint}"),
            Reason::TerminationBeforeCoverage => f.write_str("termination dated before any coverage of this member"),
            Reason::InvalidJson { column } => write!(f, "not a FHIR resource: invalid JSON at column {column}"),
            Reason::NotAnObject => f.write_str("the line is JSON but not an object; NDJSON holds one resource object per line"),
            Reason::UnexpectedShape { field, expected } => write!(f, "{field} is not {expected}"),
            Reason::DuplicateField => f.write_str("the line names a field twice; a resource names each field once"),
            Reason::NotR4 { resource, signal } => write!(
                f,
                "an {resource} that is not FHIR R4 ({signal}; an R5 resource?): Steward reads FHIR R4 Bulk Data, \
                 so the file was not applied — export it as R4"
            ),
            Reason::UnmappedClass { system, code } => {
                write!(f, "encounter class {code}")?;
                if let Some(system) = system {
                    write!(f, " of system {system}")?;
                }
                f.write_str(
                    " is neither ambulatory (AMB) nor virtual (VR) of HL7 v3 ActCode; save a class mapping for \
                     this system (steward mappings set … --class SYSTEM|CODE=in_office) and import with --mapping",
                )
            }
            Reason::SubjectNotPatient => {
                f.write_str("the encounter's subject is not a Patient reference (Patient/ID, or a URL ending so)")
            }
            Reason::PatientWithoutMemberId { system, seen } => {
                write!(f, "the Patient has no identifier of system {system} (the member-id system)")?;
                if seen.is_empty() {
                    f.write_str("; none of its identifiers is of a system other Patients share")
                } else {
                    let seen: Vec<&SystemUri> = seen.iter().take(5).collect();
                    write!(f, "; its identifiers are of systems {}: pass the right one with --member-id-system", list(&seen))
                }
            }
            Reason::PatientUnknown { system } => write!(
                f,
                "the encounter's Patient is neither in this file nor linked by an earlier import (a Patient is linked \
                 by its identifier of system {system}): import Patient.ndjson first"
            ),
            Reason::PatientRejected { line } => {
                write!(f, "the encounter's Patient, on line {line}, was rejected (see that line)")
            }
            Reason::NoMemberIdSystem { patients, system, seen } => {
                write!(f, "none of the file's {patients} Patients has an identifier of system {system} (the member-id system)")?;
                if seen.is_empty() {
                    f.write_str("; they have no identifiers with a system")
                } else {
                    let systems: Vec<String> = seen.iter().map(|(s, n)| format!("{s} ({n})")).collect();
                    write!(f, "; their identifiers are of systems {}: pass the right one with --member-id-system", systems.join(", "))
                }
            }
        }
    }
}

/// The names of the resource types of FHIR R4 (4.0.1): a resource type is shown back only
/// when it is one of them.
pub const R4_RESOURCE_TYPES: &[&str] = &[
    "Account",
    "ActivityDefinition",
    "AdverseEvent",
    "AllergyIntolerance",
    "Appointment",
    "AppointmentResponse",
    "AuditEvent",
    "Basic",
    "Binary",
    "BiologicallyDerivedProduct",
    "BodyStructure",
    "Bundle",
    "CapabilityStatement",
    "CarePlan",
    "CareTeam",
    "CatalogEntry",
    "ChargeItem",
    "ChargeItemDefinition",
    "Claim",
    "ClaimResponse",
    "ClinicalImpression",
    "CodeSystem",
    "Communication",
    "CommunicationRequest",
    "CompartmentDefinition",
    "Composition",
    "ConceptMap",
    "Condition",
    "Consent",
    "Contract",
    "Coverage",
    "CoverageEligibilityRequest",
    "CoverageEligibilityResponse",
    "DetectedIssue",
    "Device",
    "DeviceDefinition",
    "DeviceMetric",
    "DeviceRequest",
    "DeviceUseStatement",
    "DiagnosticReport",
    "DocumentManifest",
    "DocumentReference",
    "EffectEvidenceSynthesis",
    "Encounter",
    "Endpoint",
    "EnrollmentRequest",
    "EnrollmentResponse",
    "EpisodeOfCare",
    "EventDefinition",
    "Evidence",
    "EvidenceVariable",
    "ExampleScenario",
    "ExplanationOfBenefit",
    "FamilyMemberHistory",
    "Flag",
    "Goal",
    "GraphDefinition",
    "Group",
    "GuidanceResponse",
    "HealthcareService",
    "ImagingStudy",
    "Immunization",
    "ImmunizationEvaluation",
    "ImmunizationRecommendation",
    "ImplementationGuide",
    "InsurancePlan",
    "Invoice",
    "Library",
    "Linkage",
    "List",
    "Location",
    "Measure",
    "MeasureReport",
    "Media",
    "Medication",
    "MedicationAdministration",
    "MedicationDispense",
    "MedicationKnowledge",
    "MedicationRequest",
    "MedicationStatement",
    "MedicinalProduct",
    "MedicinalProductAuthorization",
    "MedicinalProductContraindication",
    "MedicinalProductIndication",
    "MedicinalProductIngredient",
    "MedicinalProductInteraction",
    "MedicinalProductManufactured",
    "MedicinalProductPackaged",
    "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect",
    "MessageDefinition",
    "MessageHeader",
    "MolecularSequence",
    "NamingSystem",
    "NutritionOrder",
    "Observation",
    "ObservationDefinition",
    "OperationDefinition",
    "OperationOutcome",
    "Organization",
    "OrganizationAffiliation",
    "Parameters",
    "Patient",
    "PaymentNotice",
    "PaymentReconciliation",
    "Person",
    "PlanDefinition",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "Questionnaire",
    "QuestionnaireResponse",
    "RelatedPerson",
    "RequestGroup",
    "ResearchDefinition",
    "ResearchElementDefinition",
    "ResearchStudy",
    "ResearchSubject",
    "RiskAssessment",
    "RiskEvidenceSynthesis",
    "Schedule",
    "SearchParameter",
    "ServiceRequest",
    "Slot",
    "Specimen",
    "SpecimenDefinition",
    "StructureDefinition",
    "StructureMap",
    "Subscription",
    "Substance",
    "SubstanceNucleicAcid",
    "SubstancePolymer",
    "SubstanceProtein",
    "SubstanceReferenceInformation",
    "SubstanceSourceMaterial",
    "SubstanceSpecification",
    "SupplyDelivery",
    "SupplyRequest",
    "Task",
    "TerminologyCapabilities",
    "TestReport",
    "TestScript",
    "ValueSet",
    "VerificationResult",
    "VisionPrescription",
];

/// The R4 name of a resource type, or `None` for anything else (never the text itself).
pub fn r4_resource_type(name: &str) -> Option<&'static str> {
    R4_RESOURCE_TYPES.iter().copied().find(|t| *t == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_shown_only_when_they_are_codes() {
        assert_eq!(X12Value::of("005010X220A1").to_string(), "005010X220A1");
        assert_eq!(X12Value::of(" 0001 ").to_string(), "0001");
        assert_eq!(X12Value::of("").to_string(), "(empty)");
        for member_data in ["Zephyrquillname", "987-65-4329", "7788 SECRETSTREET RD", "19130203X SMITH JOHN"] {
            assert_eq!(X12Value::of(member_data).to_string(), "(a value that is not a code)", "{member_data}");
        }
        let epic = "urn:oid:1.2.840.114350.1.13.0.1.7.5.737384.14";
        assert_eq!(SystemUri::of(epic).to_string(), epic);
        for not_a_system in ["leak@planted.example", "Zephyr Quill", "http://x/?name=Zephyr", "tel:555-0199"] {
            assert_eq!(SystemUri::of(not_a_system).to_string(), "(a system that is not a URI)", "{not_a_system}");
        }
        assert_eq!(Token::of("13").to_string(), "13");
        for not_a_code in ["Zephyr Quill", "987-65-4329", "1913-02-03", "PLANTID0042"] {
            assert_eq!(Token::of(not_a_code).to_string(), "(a value that is not a code)", "{not_a_code}");
        }
        for personal in
            ["urn:ssn:987-65-4329", "https://ehr.example/p/1913-02-03", "urn:x:19130203", "https://a/Zephyr%20Quill"]
        {
            assert_eq!(SystemUri::of(personal).to_string(), "(a system that is not a URI)", "{personal}");
        }
        assert_eq!(SystemUri::of("urn:oid:2.16.840.1.113883.4.1").to_string(), "urn:oid:2.16.840.1.113883.4.1");
        let uuid = "urn:uuid:3f0e3b7e-4c1e-4f4f-9b7b-8c1d1f2b6a11";
        assert_eq!(SystemUri::of(uuid).to_string(), uuid);
        assert_eq!(r4_resource_type("Location"), Some("Location"));
        assert_eq!(r4_resource_type("ZEPHYRQUILLNAME"), None);
        assert!(MappingName::parse("../etc").is_err());
    }

    #[test]
    fn every_code_is_distinct() {
        let mut codes: Vec<&str> = ReasonCode::ALL.iter().map(|c| c.as_str()).collect();
        codes.sort_unstable();
        let n = codes.len();
        codes.dedup();
        assert_eq!(codes.len(), n);
    }
}
