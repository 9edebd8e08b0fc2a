//! `securescore trend HISTORY`: the score over time, from the snapshots `assess --record`
//! appended.

use super::{emit, fail_on_warnings, print_diagnostics, refuse_overwriting};
use crate::cli::{TrendArgs, TrendFormat};
use crate::diag::Diagnostics;
use crate::render::Document;
use crate::trend::{mixed_series_warning, trend, History, TrendRequest};
use crate::{Outcome, UsageError};

/// Runs `trend`.
pub fn run(args: &TrendArgs) -> anyhow::Result<Outcome> {
    let reports = args.output.report_files::<TrendFormat>()?;
    refuse_overwriting(&args.output, [args.history.as_path()])?;
    let (runs, warnings) = crate::history::read(&args.history, args.output.max_input_size)?;
    let history = History {
        path: &args.history,
        runs: &runs,
        warnings: &warnings,
    };
    let model = match args.model {
        Some(m) => Some(m.model().ok_or_else(|| {
            UsageError("trend --model selects the runs of one model: classic, v1 or pass-rate".to_string())
        })?),
        None => None,
    };
    let request = TrendRequest {
        since: args.since,
        series: args.series.clone(),
        model,
        threshold: args.threshold,
    };
    let result = trend(&history, &request).map_err(UsageError)?;
    let mut diags = Diagnostics::default();
    for w in warnings
        .iter()
        .cloned()
        .chain(mixed_series_warning(&result, &args.history))
    {
        diags.push(w);
    }
    fail_on_warnings(&mut diags, &args.output)?;
    print_diagnostics(&diags, args.output.quiet);
    emit(
        &args.output,
        args.format.into(),
        &reports,
        &Document::Trend(&result),
        None,
    )?;
    Ok(Outcome::Success)
}
