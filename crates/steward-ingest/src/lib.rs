//! Getting member-level data into Steward: streaming parsers for every format (generic
//! over `Read`; a file is never held whole), the pseudonymizer that turns member ids into
//! keyed hashes the moment they are read, and the pipeline that applies one file as one
//! all-or-nothing batch and refreshes the metrics of the accounts it touched.
//!
//! Architecture invariant: no parser output holds a name, birth date, address, phone,
//! e-mail, SSN or free text; only [`Pseudonymizer`] ever sees a raw member id.

mod apply;
pub mod census;
pub mod csv_input;
pub mod fhir;
pub mod input;
mod metro_map;
pub mod pipeline;
pub mod pseudonym;
pub mod reason;
pub mod records;
pub mod report;
pub mod sniff;
pub mod tables;
pub mod x12;

pub use apply::refresh_outdated_metrics;
pub use pipeline::{ImportError, ImportOptions, ImportOutcome, import_file};
pub use pseudonym::Pseudonymizer;
pub use reason::{MappingName, Reason, ReasonCode};
pub use report::FileError;
pub use sniff::Format;
