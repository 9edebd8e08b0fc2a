//! `securescore explain CONTROL [FILE]...`: one control, number by number.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    resolve_inputs, Scoring,
};
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::evaluation::{evaluate, ReportExtras};
use crate::explain::{explain, find_control, ExplainInputs, FindError};
use crate::render::Document;
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
    let c = find_control(&model, &args.control).map_err(|e| match e {
        FindError::NotFound(near) if !near.is_empty() => UsageError(format!(
            "no control matches {:?} by id, name or words of its name; did you mean {}?",
            args.control,
            crate::names::either(&near)
        )),
        FindError::NotFound(_) => UsageError(format!(
            "no control matches {:?} by id, name or words of its name (`securescore assess` lists them)",
            args.control
        )),
        FindError::Ambiguous(candidates) => UsageError(format!(
            "{:?} matches several controls; name one of: {}",
            args.control,
            candidates.join("; ")
        )),
    })?;
    let evaluation = evaluate(&model, &scoring.request, &mut diags)?;
    evaluation.require_resource_level(&model, "explain")?;
    let full = evaluation.report(&model, ReportExtras::default());
    let id = &model.controls[c].id;
    let control = full
        .control_rows()
        .iter()
        .find(|ctl| &ctl.id == id)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("control {id:?} is missing from its own report"))?;
    let explanation = explain(
        &model,
        c,
        ExplainInputs {
            options: &evaluation.options,
            selection: evaluation.selection.as_ref(),
            score: &evaluation.score,
            control,
            weights: full.weights,
        },
    );
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
