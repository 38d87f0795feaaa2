use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit 2 (clap's own); everything else that fails is one line and exit 1.
    let cli = <steward::cli::Cli as clap::Parser>::parse();
    match steward::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
