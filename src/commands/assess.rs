//! `securescore assess`: load, filter, score, rank, report, gate.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    resolve_inputs,
};
use crate::cli::AssessArgs;
use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics};
use crate::evaluation::{evaluate, Evaluation, ReportExtras};
use crate::explain::{explain, ExplainInputs, Explanation};
use crate::gate;
use crate::history::{Runs, Snapshot};
use crate::load::LoadOptions;
use crate::model::Model;
use crate::output::same_file;
use crate::render::{Document, Format};
use crate::report::{GateOut, WarningOut};
use crate::trend::Trend;
use crate::Outcome;
use crate::UsageError;
use std::path::PathBuf;

/// A history file's runs and the warnings about its lines.
type History = (Runs, Vec<Diagnostic>);

/// Runs `assess`.
pub fn run(args: &AssessArgs) -> anyhow::Result<Outcome> {
    let format = Format::from(args.format);
    if args.history.is_some() && !format.shows_trend() {
        return Err(UsageError(
            "--history adds the score over time to the HTML report: use it with -f html".to_string(),
        )
        .into());
    }
    let inputs = resolve_inputs(&args.files)?;
    let history_files = [&args.history, &args.record].into_iter().flatten();
    refuse_overwriting(
        &args.output,
        input_paths(&inputs).chain(history_files.map(PathBuf::as_path)),
    )?;
    let load_options = LoadOptions {
        digest_inputs: args.record.is_some(),
        ..args.output.load_options()
    };
    let (model, mut diags) = load_inputs(&inputs, &load_options)?;
    fail_on_errors(&diags)?;
    let evaluation = evaluate(&model, &args.scoring.request(), &mut diags)?;
    let groups = match &args.group_by {
        Some(by) => Some(evaluation.group_scores(&model, by).map_err(UsageError)?),
        None => None,
    };
    let history = read_history(args)?;
    let verdict = args
        .fail_under
        .map(|threshold| gate::fail_under(threshold, evaluation.score.percentage, &model.incomplete));
    let report = evaluation.report(
        &model,
        ReportExtras {
            warnings: report_warnings(&diags, history.as_ref()),
            gate: verdict.as_ref().map(GateOut::from),
            groups,
        },
    );
    if let Some((_, warnings)) = &history {
        for w in warnings {
            diags.push(w.clone());
        }
    }
    let snapshot = args.record.as_ref().map(|_| {
        Snapshot::of(
            &report,
            Date::now_rfc3339(),
            args.label.clone(),
            model.inputs_digest(),
        )
    });
    let charted = args.history.as_deref().zip(history);
    let trend = charted.map(|(path, history)| chart_history(args, path, history, snapshot.as_ref()));
    let mixed = trend.as_ref().zip(args.history.as_deref());
    if let Some(w) = mixed.and_then(|(t, path)| crate::trend::mixed_series_warning(t, path)) {
        diags.push(w);
    }
    fail_on_warnings(&mut diags, &args.output)?;
    print_diagnostics(&diags, args.output.quiet);
    let details = if format.shows_control_details() {
        control_details(&model, &evaluation, &report)
    } else {
        Vec::new()
    };
    let doc = Document::Report {
        report: &report,
        details: &details,
        trend: trend.as_ref(),
    };
    emit(&args.output, format, &doc, args.top)?;
    // Last, once nothing else can fail: a run that stops with an error records nothing,
    // so a retried CI job does not record twice.
    if let (Some(history), Some(snapshot)) = (&args.record, &snapshot) {
        crate::history::append(history, snapshot)?;
    }
    Ok(gate::outcome(verdict.iter()))
}

/// The runs of `--history` and the warnings about its lines (none when this run starts
/// the history by recording into it).
fn read_history(args: &AssessArgs) -> anyhow::Result<Option<History>> {
    let Some(path) = &args.history else {
        return Ok(None);
    };
    let starts_here = !path.exists() && args.record.as_deref().is_some_and(|r| same_file(r, path));
    if starts_here {
        return Ok(Some((Vec::new(), Vec::new())));
    }
    Ok(Some(crate::history::read(path, args.output.max_input_size)?))
}

/// The warnings the report lists: the inputs' and the evaluation's, then the history's.
fn report_warnings(diags: &Diagnostics, history: Option<&History>) -> Vec<WarningOut> {
    let history_warnings = history.into_iter().flat_map(|(_, warnings)| warnings);
    diags
        .warnings()
        .chain(history_warnings)
        .map(WarningOut::from)
        .collect()
}

/// The trend the HTML report charts: the history's runs, and this run when it is
/// recorded into the history shown; every series of the history, with this run's
/// `--fail-under` as the gate's line when it has one.
fn chart_history(
    args: &AssessArgs,
    path: &std::path::Path,
    (mut runs, warnings): History,
    snapshot: Option<&Snapshot>,
) -> Trend {
    if let (Some(record), Some(s)) = (&args.record, snapshot) {
        if same_file(record, path) {
            runs.push((runs.last().map_or(1, |(line, _)| line + 1), s.as_recorded()));
        }
    }
    let history = crate::trend::History {
        path,
        runs: &runs,
        warnings: &warnings,
    };
    crate::trend::whole(&history, args.fail_under)
}

/// The explanation of every control of the report, in its order (the HTML drill-downs).
pub fn control_details(
    model: &Model,
    evaluation: &Evaluation,
    report: &crate::report::Report,
) -> Vec<Explanation> {
    report
        .controls
        .iter()
        .filter_map(|c| {
            let i = model.controls.iter().position(|m| m.id == c.id)?;
            Some(explain(
                model,
                i,
                ExplainInputs {
                    options: &evaluation.options,
                    selection: evaluation.selection.as_ref(),
                    score: &evaluation.score,
                    control: c.clone(),
                    weights: report.weights,
                },
            ))
        })
        .collect()
}
