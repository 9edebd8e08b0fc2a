//! `securescore trend HISTORY`: the score over time, from the snapshots `assess --record`
//! appended.

use super::{emit, print_diagnostics, render_options};
use crate::cli::TrendArgs;
use crate::diag::Diagnostics;
use crate::render::Document;
use crate::trend::trend;
use crate::Outcome;

/// Runs `trend`.
pub fn run(args: &TrendArgs) -> anyhow::Result<Outcome> {
    let (runs, warnings) = crate::history::read(&args.history)?;
    let skipped = warnings.iter().filter_map(|w| w.line).collect();
    let mut diags = Diagnostics::default();
    for w in warnings {
        diags.push(w);
    }
    let result = trend(&runs, args.since, skipped);
    print_diagnostics(&diags, args.output.quiet);
    emit(
        &args.output,
        args.format.into(),
        &Document::Trend(&result),
        &render_options(&args.output),
    )?;
    Ok(Outcome::Success)
}
