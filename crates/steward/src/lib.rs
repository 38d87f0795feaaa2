//! The `steward` command line. `main` only parses arguments and maps the outcome to an
//! exit code; every command is a function here, so tests can run them the same way.

/// `eprintln!` that never panics: with stderr closed (a pipe whose reader is gone) the
/// line is lost, not the process — exit codes stay 0, 1 or 2.
#[macro_export]
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

pub mod cli;
mod commands;
pub mod demo;
pub mod open;
pub mod password;

pub use open::Settings;

/// Runs one parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<()> {
    let settings = Settings { data_dir: cli.data_dir.clone(), database_url: cli.database_url.clone() };
    commands::run(&settings, cli.command)
}
