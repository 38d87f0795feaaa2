//! The `steward` command line. `main` only parses arguments and maps the outcome to an
//! exit code; every command is a function here, so tests can run them the same way.

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
