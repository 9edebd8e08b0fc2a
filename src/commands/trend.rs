//! `securescore trend HISTORY`: the score over time, from the snapshots `assess --record`
//! appended.

use super::{emit, print_diagnostics, style};
use crate::cli::{TrendArgs, TrendFormat};
use crate::diag::Diagnostics;
use crate::render;
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
    let style = style(&args.output);
    emit(&args.output, |buf| match args.format {
        TrendFormat::Table => render::trend::write(&result, style, buf),
        TrendFormat::Json => render::json::write(&result, buf),
        TrendFormat::Html => render::html::write_trend(&result, buf),
    })?;
    Ok(Outcome::Success)
}
