//! `securescore plan [FILE]... (--target PCT | --steps N)`: an ordered remediation plan.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    resolve_inputs, Scoring,
};
use crate::cli::{PlanArgs, PlanFormat};
use crate::evaluation::evaluate;
use crate::plan::{plan, Goal};
use crate::render::Document;
use crate::Outcome;

/// Runs `plan`.
pub fn run(args: &PlanArgs) -> anyhow::Result<Outcome> {
    let reports = args.common.output.report_files::<PlanFormat>()?;
    let scoring = Scoring::new(&args.common.scoring, &args.common.output)?;
    let inputs = resolve_inputs(&args.files)?;
    refuse_overwriting(&args.common.output, input_paths(&inputs))?;
    let (mut model, mut diags) = load_inputs(&inputs, &args.common.output.load_options())?;
    fail_on_errors(&diags)?;
    let as_of = scoring.request.as_of();
    let uses = scoring.apply_local_exemptions(&mut model, as_of)?;
    scoring.local_exemption_report(uses.as_ref(), as_of, &mut diags);
    let evaluation = evaluate(&model, &scoring.request, &mut diags)?;
    evaluation.require_resource_level(&model, "plan")?;
    let goal = match (args.target, args.steps) {
        (Some(t), _) => Goal::Target(t),
        (None, Some(n)) => Goal::Steps(n as usize),
        (None, None) => anyhow::bail!("plan needs --target or --steps"),
    };
    let result = plan(
        &mut model,
        &evaluation.options,
        evaluation.selection.as_ref(),
        goal,
    );
    fail_on_warnings(&mut diags, &args.common.output)?;
    print_diagnostics(&diags, args.common.output.quiet);
    emit(
        &args.common.output,
        args.format.into(),
        &reports,
        &Document::Plan(&result),
        None,
    )?;
    Ok(Outcome::Success)
}
