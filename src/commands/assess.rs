//! `securescore assess`: load, filter, score, rank, report, gate.

use super::{
    emit, evaluate, fail_on_errors, load_inputs, print_diagnostics, raw_percentage, resolve_inputs, style,
    Evaluation,
};
use crate::cli::AssessArgs;
use crate::date::Date;
use crate::diag::Diagnostics;
use crate::explain::{explain, ExplainInputs, Explanation};
use crate::groups::{groups, GroupBy};
use crate::history::Snapshot;
use crate::load::LoadOptions;
use crate::model::Model;
use crate::render;
use crate::report::{self, GateOut, WarningOut};
use crate::report::{sort_groups, GroupOut, ScoreOut};
use crate::score::score;
use crate::text::{fmt2, round2};
use crate::Outcome;
use crate::UsageError;

/// Runs `assess`.
pub fn run(args: &AssessArgs) -> anyhow::Result<Outcome> {
    if args.history.is_some() && args.format != "html" {
        return Err(UsageError(
            "--history adds the score over time to the HTML report: use it with -f html".to_string(),
        )
        .into());
    }
    let inputs = resolve_inputs(&args.files)?;
    let load_options = LoadOptions {
        digest_inputs: args.record.is_some(),
        ..LoadOptions::default()
    };
    let (model, mut diags) = load_inputs(&inputs, &load_options)?;
    fail_on_errors(&diags, args.output.quiet)?;
    let evaluation = evaluate(&model, &args.scoring, &mut diags)?;
    let mut report = evaluation.report(&model, warnings(&diags));
    if let Some(by) = &args.group_by {
        report.groups = Some(group_scores(&model, by, &evaluation)?);
    }
    let failure = args.fail_under.and_then(|threshold| {
        let above = report.score.percentage.is_some_and(|p| round2(p) >= threshold);
        let passed = above && model.incomplete.is_empty();
        report.gate = Some(GateOut {
            fail_under: threshold,
            passed,
        });
        (!passed).then(|| match report.score.percentage {
            Some(p) if !above => format!("secure score {}% is below --fail-under {threshold}", fmt2(p)),
            Some(_) => format!(
                "the export is incomplete ({}), so --fail-under {threshold} cannot pass",
                model.incomplete.join("; ")
            ),
            None => format!(
                "secure score is undefined (no control with points applies), so it cannot reach --fail-under {threshold}"
            ),
        })
    });
    let snapshot = args.record.as_ref().map(|_| {
        Snapshot::of(
            &report,
            Date::now_rfc3339(),
            args.label.clone(),
            model.inputs_digest(),
        )
    });
    let trend = match &args.history {
        Some(path) => {
            // A history this run starts by recording into is empty until then.
            let starts_here = !path.exists() && args.record.as_deref().is_some_and(|r| same_file(r, path));
            let (mut runs, warnings) = if starts_here {
                (Vec::new(), Vec::new())
            } else {
                crate::history::read(path)?
            };
            // Recording into the history shown: the chart includes this run.
            if let (Some(record), Some(s)) = (&args.record, &snapshot) {
                if same_file(record, path) {
                    runs.push((runs.last().map_or(1, |(line, _)| line + 1), s.as_recorded()));
                }
            }
            let skipped = warnings.iter().filter_map(|w| w.line).collect();
            for w in warnings {
                report.warnings.push(WarningOut::from(&w));
                diags.push(w);
            }
            Some(crate::trend::trend(&runs, None, skipped))
        }
        None => None,
    };
    print_diagnostics(&diags, args.output.quiet);
    let details = if args.format == "html" {
        control_details(&model, &evaluation, &report)
    } else {
        Vec::new()
    };
    let style = style(&args.output);
    emit(&args.output, |buf| match args.format.as_str() {
        "json" => render::json::write(&report, buf),
        "html" => render::html::write_report(&report, &details, trend.as_ref(), buf),
        _ => render::table::write(&report, style, args.top, buf),
    })?;
    // Last, once nothing else can fail: a run that stops with an error records nothing,
    // so a retried CI job does not record twice.
    if let (Some(history), Some(snapshot)) = (&args.record, &snapshot) {
        crate::history::append(history, snapshot)?;
    }
    Ok(failure.map_or(Outcome::Success, Outcome::GateFailed))
}

/// True when two paths name one file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    }
}

/// The explanation of every control of the report, in its order (the HTML drill-downs).
fn control_details(model: &Model, evaluation: &Evaluation, report: &report::Report) -> Vec<Explanation> {
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

/// Each group's score (SPEC §1.3), lowest first.
fn group_scores(model: &Model, by: &GroupBy, evaluation: &Evaluation) -> anyhow::Result<Vec<GroupOut>> {
    let groups = groups(model, by, evaluation.selection.as_ref()).map_err(UsageError)?;
    // A group below subscription level changes what each scope holds, so Azure's
    // exported weights no longer apply (SPEC §1.1), as under a --scope filter.
    let whole_scopes = matches!(by, GroupBy::Subscription | GroupBy::ManagementGroup);
    let options = crate::score::ScoreOptions {
        allow_exported_weights: evaluation.options.allow_exported_weights && whole_scopes,
        ..evaluation.options.clone()
    };
    let mut out: Vec<GroupOut> = groups
        .iter()
        .map(|g| {
            let scored = score(model, &options, Some(&g.selection));
            let raw = raw_percentage(model, &options, Some(&g.selection), &scored);
            GroupOut {
                by: by.name(),
                id: g.id.clone(),
                score: ScoreOut::new(&scored, raw),
            }
        })
        .collect();
    sort_groups(&mut out);
    Ok(out)
}

fn warnings(diags: &Diagnostics) -> Vec<WarningOut> {
    diags.warnings().map(WarningOut::from).collect()
}
