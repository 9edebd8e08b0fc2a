//! `securescore assess`: load, filter, score, rank, report, gate.

use super::{emit, fail_on_errors, load_inputs, print_diagnostics, resolve_inputs, style};
use crate::cli::AssessArgs;
use crate::diag::{Diagnostic, Diagnostics};
use crate::load::LoadOptions;
use crate::render;
use crate::report::{self, GateOut, ReportInputs, WarningOut};
use crate::score::{score, ScoreOptions};
use crate::select::select;
use crate::text::{fmt2, round2};
use crate::{Outcome, UsageError};

/// Runs `assess`.
pub fn run(args: &AssessArgs) -> anyhow::Result<Outcome> {
    let inputs = resolve_inputs(&args.files)?;
    let (model, mut diags) = load_inputs(&inputs, &LoadOptions::default())?;
    fail_on_errors(&diags, args.output.quiet)?;
    let options = args.scoring.options();
    let filters = args.scoring.filters();
    let selection = select(&model, &filters).map_err(UsageError)?;
    if let Some(sel) = &selection {
        let any = model.assessments.iter().any(|a| sel[a.resource as usize]);
        if !any {
            diags.push(Diagnostic::warning(
                "filter-selects-nothing",
                "the filters select no assessed resource: the score is undefined",
            ));
        }
    }
    let result = score(&model, &options, selection.as_deref());
    let raw_options = ScoreOptions {
        ignore_exemptions: true,
        ..options.clone()
    };
    let raw = score(&model, &raw_options, selection.as_deref());
    let mut report = report::build(
        &result,
        ReportInputs {
            model: &model,
            options: &options,
            filters: &filters,
            raw_percentage: raw.percentage,
            warnings: warnings(&diags),
        },
    );
    let failure = args.fail_under.and_then(|threshold| {
        let passed = report.score.percentage.is_some_and(|p| round2(p) >= threshold);
        report.gate = Some(GateOut {
            fail_under: threshold,
            passed,
        });
        (!passed).then(|| match report.score.percentage {
            Some(p) => format!("secure score {}% is below --fail-under {threshold}", fmt2(p)),
            None => format!(
                "secure score is undefined (no control with points applies), so it cannot reach --fail-under {threshold}"
            ),
        })
    });
    print_diagnostics(&diags, args.output.quiet);
    let style = style(&args.output);
    emit(&args.output, |buf| match args.format.as_str() {
        "json" => render::json::write(&report, buf),
        _ => render::table::write(&report, style, args.top, buf),
    })?;
    Ok(failure.map_or(Outcome::Success, Outcome::GateFailed))
}

fn warnings(diags: &Diagnostics) -> Vec<WarningOut> {
    diags.warnings().map(WarningOut::from).collect()
}
