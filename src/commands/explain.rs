//! `securescore explain CONTROL [FILE]...`: one control, number by number; under a
//! model whose rows are recommendations (`--model v1|pass-rate`), one recommendation.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    resolve_inputs, Scoring,
};
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::evaluation::{evaluate, Evaluation, ReportExtras};
use crate::explain::{
    explain, explain_recommendation, find_control, find_recommendation, ExplainInputs, Explanation,
    FindError, Found, RecommendationInputs,
};
use crate::model::Model;
use crate::render::Document;
use crate::score::ScoringModel;
use crate::text::quoted_name_and_id;
use crate::{Outcome, UsageError};

/// Runs `explain`.
pub fn run(args: &ExplainArgs) -> anyhow::Result<Outcome> {
    let reports = args.common.output.report_files::<ExplainFormat>()?;
    let scoring = Scoring::new(&args.common.scoring, &args.common.output)?;
    let inputs = resolve_inputs(&args.files)?;
    refuse_overwriting(&args.common.output, input_paths(&inputs))?;
    let (mut model, mut diags) = load_inputs(&inputs, &args.common.output.load_options())?;
    fail_on_errors(&diags)?;
    let as_of = scoring.request.as_of();
    let uses = scoring.apply_local_exemptions(&mut model, as_of)?;
    scoring.local_exemption_report(uses.as_ref(), as_of, &mut diags);
    let which = scoring.request.model;
    let query = &args.control;
    // Found before scoring, so that a query that names nothing stops the run at once.
    let subject = if which.ranks_recommendations() {
        match find_recommendation(&model, query).map_err(|e| not_found(e, query, "recommendation"))? {
            Found::Recommendation(r) => r,
            Found::Control(c) => return Err(control_under(&model, c, which).into()),
        }
    } else {
        find_control(&model, query).map_err(|e| not_found(e, query, "control"))?
    };
    let evaluation = evaluate(&model, &scoring.request, &mut diags)?;
    evaluation.require_resource_level(&model, "explain")?;
    let explanation = if which.ranks_recommendations() {
        recommendation_explanation(&model, subject, &evaluation)?
    } else {
        control_explanation(&model, subject, &evaluation)?
    };
    fail_on_warnings(&mut diags, &args.common.output)?;
    print_diagnostics(&diags, args.common.output.quiet);
    emit(
        &args.common.output,
        args.format.into(),
        &reports,
        &Document::Explanation(&explanation),
        None,
    )?;
    Ok(Outcome::Success)
}

/// The usage error for a query that finds no `kind` ("control" or "recommendation").
fn not_found(e: FindError, query: &str, kind: &str) -> UsageError {
    match e {
        FindError::NotFound(near) if !near.is_empty() => UsageError(format!(
            "no {kind} matches {query:?} by id, name or words of its name; did you mean {}?",
            crate::names::either(&near)
        )),
        FindError::NotFound(_) => UsageError(format!(
            "no {kind} matches {query:?} by id, name or words of its name (`securescore assess` lists them)"
        )),
        FindError::Ambiguous(candidates) => UsageError(format!(
            "{query:?} matches several {kind}s; name one of: {}",
            candidates.join("; ")
        )),
    }
}

/// The usage error for control `c` named under `model`, which ranks recommendations:
/// its member recommendations the inputs assess (by id) to choose from.
fn control_under(model: &Model, c: usize, which: ScoringModel) -> UsageError {
    let control = &model.controls[c];
    let assessed = crate::explain::assessed(model);
    let mut members: Vec<&crate::model::Recommendation> = control
        .members
        .iter()
        .filter(|&&m| assessed.get(m as usize).copied().unwrap_or(false))
        .filter_map(|&m| model.recommendations.get(m as usize))
        .collect();
    members.sort_by(|a, b| a.id.cmp(&b.id));
    let labels: Vec<String> = members
        .iter()
        .map(|r| quoted_name_and_id(r.name.as_deref(), &r.id))
        .collect();
    let choose = if labels.is_empty() {
        "the inputs assess none of its recommendations".to_string()
    } else {
        format!(
            "explain one of its recommendations: {}",
            crate::names::either(&labels)
        )
    };
    UsageError(format!(
        "{} is a control, and --model {} ranks recommendations, not controls; {choose}",
        quoted_name_and_id(control.name.as_deref(), &control.id),
        which.as_str()
    ))
}

/// The explanation of control `c`, with its row from the report.
fn control_explanation(model: &Model, c: usize, evaluation: &Evaluation) -> anyhow::Result<Explanation> {
    let full = evaluation.report(model, ReportExtras::default());
    let id = &model.controls[c].id;
    let control = full
        .control_rows()
        .iter()
        .find(|ctl| &ctl.id == id)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("control {id:?} is missing from its own report"))?;
    Ok(explain(
        model,
        c,
        ExplainInputs {
            options: &evaluation.options,
            selection: evaluation.selection.as_ref(),
            score: &evaluation.score,
            control,
            weights: full.weights,
        },
    ))
}

/// The explanation of recommendation `r`, with its row from the report; a usage error
/// when the model does not score it (preview, custom).
fn recommendation_explanation(
    model: &Model,
    r: usize,
    evaluation: &Evaluation,
) -> anyhow::Result<Explanation> {
    let full = evaluation.report(model, ReportExtras::default());
    let rec = &model.recommendations[r];
    let Some(row) = full
        .recommendation_rows()
        .iter()
        .find(|x| x.id == rec.id)
        .cloned()
    else {
        let why = if rec.custom {
            "it is a custom recommendation, which no model scores"
        } else {
            "it is in preview (--include-preview scores it)"
        };
        return Err(UsageError(format!(
            "{} does not count under --model {}: {why}",
            rec.quoted_label(),
            evaluation.options.model.as_str()
        ))
        .into());
    };
    Ok(explain_recommendation(
        model,
        r,
        RecommendationInputs {
            options: &evaluation.options,
            selection: evaluation.selection.as_ref(),
            score: &evaluation.score,
            row,
            weights: full.weights,
        },
    ))
}
