//! `securescore controls`: the built-in control catalog.

use super::{emit, refuse_overwriting};
use crate::catalog::Catalog;
use crate::cli::{ControlsArgs, ControlsFormat};
use crate::listing::listing;
use crate::render::Document;
use crate::Outcome;

/// Runs `controls`.
pub fn run(args: &ControlsArgs) -> anyhow::Result<Outcome> {
    let reports = args.output.report_files::<ControlsFormat>()?;
    refuse_overwriting(&args.output, [])?;
    let catalog = Catalog::builtin()?;
    let out = listing(&catalog);
    emit(
        &args.output,
        args.format.into(),
        &reports,
        &Document::Listing(&out),
        None,
    )?;
    Ok(Outcome::Success)
}
