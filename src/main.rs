//! The `securescore` binary: parse the command line, run, map the outcome to an exit code
//! (0 success, 1 a gate failed, 2 the command could not run).

use clap::Parser;
use securescore::output::diagnostic_line;
use securescore::text::terminal_safe;
use securescore::{cli::Cli, run, Outcome, UsageError};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::GateFailed(reasons)) => {
            for reason in reasons {
                diagnostic_line(&format!("securescore: gate failed: {}", terminal_safe(&reason)));
            }
            ExitCode::from(1)
        }
        Err(e) => {
            let kind = if e.is::<UsageError>() { "usage" } else { "error" };
            diagnostic_line(&format!(
                "securescore: {kind}: {}",
                terminal_safe(&format!("{e:#}"))
            ));
            ExitCode::from(2)
        }
    }
}
