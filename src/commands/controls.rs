//! `securescore controls`: the built-in control catalog.

use super::emit;
use crate::catalog::Catalog;
use crate::cli::ControlsArgs;
use crate::listing::listing;
use crate::render::Document;
use crate::Outcome;

/// Runs `controls`.
pub fn run(args: &ControlsArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::builtin()?;
    let out = listing(&catalog);
    emit(&args.output, args.format.into(), &Document::Listing(&out), None)?;
    Ok(Outcome::Success)
}
