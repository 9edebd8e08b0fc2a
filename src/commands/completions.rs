//! `securescore completions`: a shell's completion script, on standard output.

use crate::cli::{completion_script, CompletionsArgs};
use crate::Outcome;

/// Runs `completions`.
pub fn run(args: &CompletionsArgs) -> anyhow::Result<Outcome> {
    crate::output::emit(None, &completion_script(args.shell))?;
    Ok(Outcome::Success)
}
