use std::process::ExitCode;

fn main() -> ExitCode {
    // Usage errors exit 2 (clap's own); everything else that fails is one line and exit 1.
    let cli = <steward::cli::Cli as clap::Parser>::parse();
    match steward::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        // Output piped into a reader that stopped (`| head`) is not a failure.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            steward::errln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
