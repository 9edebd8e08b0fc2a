//! `securescore assess --model all` (SPEC §7): load once, score the selection under every
//! model, show the reports side by side. Gates and the history options follow one
//! model's score, so they are refused here.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    resolve_inputs, Scoring,
};
use crate::cli::{AssessArgs, AssessFormat};
use crate::diag::{Diagnostic, Diagnostics};
use crate::evaluation::{evaluate, ReportExtras};
use crate::render::{Document, Format};
use crate::report::{Report, WarningOut};
use crate::side_by_side::SideBySide;
use crate::Outcome;
use crate::UsageError;

/// Runs `assess --model all` with `runs`, the scoring of each model (classic first).
pub fn run(args: &AssessArgs, runs: &[Scoring]) -> anyhow::Result<Outcome> {
    let base = runs
        .first()
        .ok_or_else(|| anyhow::anyhow!("--model all has no model to score with"))?;
    let format = Format::from(args.format);
    let report_files = args.output.report_files::<AssessFormat>()?;
    refuse_options(args, format, &report_files)?;
    let inputs = resolve_inputs(&args.files)?;
    refuse_overwriting(&args.output, input_paths(&inputs))?;
    let (mut model, mut diags) = load_inputs(&inputs, &args.output.load_options())?;
    fail_on_errors(&diags)?;
    if let Some(c) = base.config.as_ref().filter(|c| c.gate.is_some()) {
        diags.push(Diagnostic::warning(
            "option-not-applicable",
            format!(
                "the [gate] of {} is not applied with --model all, which compares the models: \
                 a gate holds one model's score to its limits (choose it with --model)",
                c.file
            ),
        ));
    }
    let as_of = base.request.as_of();
    let uses = base.apply_local_exemptions(&mut model, as_of)?;
    let local_exemptions = base.local_exemption_report(uses.as_ref(), as_of, &mut diags);
    // Each model's evaluation warns on its own; standard error gives each warning once.
    let mut evaluation_warnings: Vec<Diagnostic> = Vec::new();
    let mut reports: Vec<Report> = Vec::new();
    for scoring in runs {
        let mut own = Diagnostics::default();
        let evaluation = evaluate(&model, &scoring.request, &mut own)?;
        let groups = match &args.group_by {
            Some(by) => Some(evaluation.group_scores(&model, by).map_err(UsageError)?),
            None => None,
        };
        let untrue = crate::evaluation::untrue_under(scoring.request.model);
        let warnings = diags
            .warnings()
            .filter(|d| !untrue.contains(&d.code))
            .chain(own.warnings())
            .map(WarningOut::from)
            .collect();
        reports.push(evaluation.report(
            &model,
            ReportExtras {
                warnings,
                gate: None,
                groups,
                config: scoring.config_file(),
                local_exemptions: local_exemptions.clone(),
            },
        ));
        for d in own.items() {
            if !evaluation_warnings.contains(d) {
                evaluation_warnings.push(d.clone());
            }
        }
    }
    for d in evaluation_warnings {
        diags.push(d);
    }
    fail_on_warnings(&mut diags, &args.output)?;
    print_diagnostics(&diags, args.output.quiet);
    let view = SideBySide::new(reports);
    emit(
        &args.output,
        format,
        &report_files,
        &Document::Models(&view),
        args.top,
    )?;
    Ok(Outcome::Success)
}

/// Refuses (exit 2), before anything is read, what the side-by-side view cannot do:
/// formats other than the table and JSON, gates on the command line, and the history
/// options, which each follow one model's score. (A configuration's `[gate]` is left
/// unapplied with a warning: the configuration's defaults and local exemptions still
/// hold, and the view is for reading, not for gating.)
fn refuse_options(
    args: &AssessArgs,
    format: Format,
    report_files: &[crate::output::ReportFile],
) -> anyhow::Result<()> {
    let usage = |text: String| -> anyhow::Result<()> { Err(UsageError(text).into()) };
    let formats = std::iter::once(format).chain(report_files.iter().map(|r| r.format));
    if let Some(f) = formats
        .into_iter()
        .find(|f| !matches!(f, Format::Table | Format::Json))
    {
        let name = format!("{f:?}").to_lowercase();
        return usage(format!(
            "--model all writes a table or JSON (-f table, -f json), not {name}: for {name}, choose one model with --model"
        ));
    }
    let given: Vec<&str> = [("--fail-under", args.fail_under), ("--max-drop", args.max_drop)]
        .into_iter()
        .filter_map(|(flag, value)| value.map(|_| flag))
        .collect();
    if !given.is_empty() {
        return usage(format!(
            "gates are not allowed with --model all: a gate compares one model's score, and {} would \
             hold three to it; choose the model to gate with --model classic, v1 or pass-rate",
            given.join(" and ")
        ));
    }
    let history = [
        ("--record", args.record.is_some()),
        ("--history", args.history.is_some()),
        ("--baseline", args.baseline.is_some()),
        ("--label", args.label.is_some()),
    ];
    if let Some((flag, _)) = history.iter().find(|(_, given)| *given) {
        return usage(format!(
            "{flag} follows one model's score over time and is not allowed with --model all; \
             choose the model with --model classic, v1 or pass-rate"
        ));
    }
    Ok(())
}
