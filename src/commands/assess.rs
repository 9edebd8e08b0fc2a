//! `securescore assess`: load, filter, score, rank, report, gate.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    resolve_inputs, Scoring,
};
use crate::cli::{AssessArgs, AssessFormat};
use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics};
use crate::evaluation::{evaluate, Evaluation, ReportExtras};
use crate::explain::{explain, ExplainInputs, Explanation};
use crate::findings::findings;
use crate::gate::{self, GatePolicy};
use crate::history::{RecordedFilters, Runs, Snapshot};
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
    if let Some(runs) = Scoring::side_by_side(&args.scoring, &args.output)? {
        return super::side_by_side::run(args, &runs);
    }
    let format = Format::from(args.format);
    let scoring = Scoring::new(&args.scoring, &args.output)?;
    let reports = args.output.report_files::<AssessFormat>()?;
    let formats: Vec<Format> = std::iter::once(format)
        .chain(reports.iter().map(|r| r.format))
        .collect();
    let policy = scoring
        .gate_policy()
        .overridden_by(args.fail_under, args.max_drop);
    check_gate_options(
        args,
        &policy,
        scoring.request.model,
        scoring.config_file().as_deref(),
        &formats,
    )?;
    let inputs = resolve_inputs(&args.files)?;
    let history_files = [&args.history, &args.record, &args.baseline]
        .into_iter()
        .flatten();
    refuse_overwriting(
        &args.output,
        input_paths(&inputs).chain(history_files.map(PathBuf::as_path)),
    )?;
    let load_options = LoadOptions {
        digest_inputs: args.record.is_some(),
        ..args.output.load_options()
    };
    let (mut model, mut diags) = load_inputs(&inputs, &load_options)?;
    fail_on_errors(&diags)?;
    let as_of = scoring.request.as_of();
    let uses = scoring.apply_local_exemptions(&mut model, as_of)?;
    let local_exemptions = scoring.local_exemption_report(uses.as_ref(), as_of, &mut diags);
    let evaluation = evaluate(&model, &scoring.request, &mut diags)?;
    let groups = match &args.group_by {
        Some(by) => Some(evaluation.group_scores(&model, by).map_err(UsageError)?),
        None => None,
    };
    let history = read_history(args)?;
    let verdicts = check_gates(args, &policy, &model, &evaluation, history.as_ref())?;
    let report = evaluation.report(
        &model,
        ReportExtras {
            warnings: report_warnings(&diags, history.as_ref()),
            gate: (!policy.is_empty()).then(|| GateOut::new(&verdicts)),
            groups,
            config: scoring.config_file(),
            local_exemptions,
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
    // Charted only where a format shows it: read for --max-drop alone, the history's
    // series are not drawn, so whether they mix is no concern.
    let charted = args
        .history
        .as_deref()
        .zip(history)
        .filter(|_| formats.iter().any(|f| f.shows_trend()));
    let trend = charted.map(|(path, history)| chart_history(args, &policy, path, history, snapshot.as_ref()));
    let mixed = trend.as_ref().zip(args.history.as_deref());
    if let Some(w) = mixed.and_then(|(t, path)| crate::trend::mixed_series_warning(t, path)) {
        diags.push(w);
    }
    fail_on_warnings(&mut diags, &args.output)?;
    print_diagnostics(&diags, args.output.quiet);
    let details = if formats.iter().any(|f| f.shows_control_details()) {
        control_details(&model, &evaluation, &report)
    } else {
        Vec::new()
    };
    let findings = formats
        .iter()
        .any(|f| f.shows_findings())
        .then(|| findings(&model, &evaluation.options, evaluation.selection.as_ref()));
    let doc = Document::Report {
        report: &report,
        details: &details,
        trend: trend.as_ref(),
        findings: findings.as_ref(),
    };
    emit(&args.output, format, &reports, &doc, args.top)?;
    // Last, once nothing else can fail: a run that stops with an error records nothing,
    // so a retried CI job does not record twice.
    if let (Some(history), Some(snapshot)) = (&args.record, &snapshot) {
        crate::history::append(history, snapshot)?;
    }
    Ok(gate::outcome(&verdicts))
}

/// Refuses (exit 2), before anything is read, gate options that cannot work together:
/// `max-drop` without a score to compare with (naming the config file when the rule is
/// its own), `--baseline` without `max-drop`,
/// `--history` with neither an HTML output to chart it in nor `max-drop` to read it for,
/// and `gate.controls` under a model that has no controls (`v1`, `pass-rate`: a minimum
/// per control would judge nothing, and pass silently).
fn check_gate_options(
    args: &AssessArgs,
    policy: &GatePolicy,
    model: crate::score::ScoringModel,
    config: Option<&str>,
    formats: &[Format],
) -> anyhow::Result<()> {
    let usage = |text: &str| Err(UsageError(text.to_string()).into());
    if !policy.controls.is_empty() && model.ranks_recommendations() {
        let place = config.map_or(String::new(), |file| format!(" of {file}"));
        return usage(&format!(
            "[gate.controls]{place} sets a minimum per control, and the {model} model has no controls \
             (it scores recommendations): score with --model classic, or use a configuration without [gate.controls]"
        ));
    }
    if let (Some(limit), None, None) = (policy.max_drop, &args.baseline, &args.history) {
        // Name the rule where it was written: a config file's rule is not on the
        // command line a reader would look at.
        let rule = match (args.max_drop, config) {
            (None, Some(file)) => format!("max-drop = {limit} in the [gate] of {file}"),
            _ => "--max-drop on assess".to_string(),
        };
        return usage(&format!(
            "{rule} measures the drop from an earlier score: give --baseline REPORT.json \
             (a report written by assess -f json) or --history HISTORY (its last run scored the same way)"
        ));
    }
    if args.baseline.is_some() && policy.max_drop.is_none() {
        return usage("--baseline is the earlier report --max-drop compares with: give --max-drop PCT too");
    }
    let charted = formats.iter().any(|f| f.shows_trend());
    if args.history.is_some() && !charted && policy.max_drop.is_none() {
        return usage(
            "--history adds the score over time to the HTML report, or is what --max-drop compares with: \
             use it with -f html (or --report html=PATH) or --max-drop",
        );
    }
    Ok(())
}

/// Every gate rule's verdict on this run (none when no rule is asked for); a
/// `gate.controls` entry that names no control is a usage error.
fn check_gates(
    args: &AssessArgs,
    policy: &GatePolicy,
    model: &Model,
    evaluation: &Evaluation,
    history: Option<&History>,
) -> anyhow::Result<Vec<gate::Verdict>> {
    let baseline = match (&args.baseline, policy.max_drop) {
        (Some(path), Some(_)) => Some(crate::report::read_baseline(
            path,
            args.output.max_input_size,
            evaluation.options.model,
        )?),
        (None, Some(_)) => history.and_then(|(runs, _)| last_comparable_run(args, evaluation, runs)),
        _ => None,
    };
    let facts = gate::Facts {
        incomplete: &model.incomplete,
        baseline: baseline.as_ref(),
        selection: evaluation.selection.as_ref(),
    };
    let verdicts =
        gate::check(policy, model, &evaluation.score, &evaluation.options, &facts).map_err(UsageError)?;
    Ok(verdicts)
}

/// The score of the last run of the history scored as this one is (same model,
/// weighting and filters): the baseline `--max-drop` compares with; `None` when there is
/// none yet.
fn last_comparable_run(args: &AssessArgs, evaluation: &Evaluation, runs: &Runs) -> Option<gate::Baseline> {
    let options = &evaluation.options;
    let filters = RecordedFilters {
        scope: evaluation.filters.scopes.clone(),
        management_group: evaluation.filters.management_groups.clone(),
        include_preview: options.include_preview,
        ignore_exemptions: options.ignore_exemptions,
    };
    let (line, run) =
        crate::trend::last_of_series(runs, options.model.as_str(), options.weighting.as_str(), filters)?;
    let path = args.history.as_deref()?;
    Some(gate::Baseline {
        percentage: run.score.percentage,
        source: format!(
            "the run recorded at {} (line {line} of {})",
            run.recorded_at,
            path.display()
        ),
        incomplete: false,
    })
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
pub(super) fn report_warnings(diags: &Diagnostics, history: Option<&History>) -> Vec<WarningOut> {
    let history_warnings = history.into_iter().flat_map(|(_, warnings)| warnings);
    diags
        .warnings()
        .chain(history_warnings)
        .map(WarningOut::from)
        .collect()
}

/// The trend the HTML report charts: the history's runs, and this run when it is
/// recorded into the history shown; every series of the history, with this run's
/// `fail-under` as the gate's line when it has one.
fn chart_history(
    args: &AssessArgs,
    policy: &GatePolicy,
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
    crate::trend::whole(&history, policy.fail_under)
}

/// The explanation of every control of the report, in its order (the HTML drill-downs).
pub fn control_details(
    model: &Model,
    evaluation: &Evaluation,
    report: &crate::report::Report,
) -> Vec<Explanation> {
    report
        .control_rows()
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
