//! `securescore query`: load the definitions given (else the built-in catalog), build the
//! [`QueryRequest`] the scoring options ask for, and print
//! the engine's query.

use super::{
    fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    Scoring,
};
use crate::cli::{EngineArg, QueryArgs, SourceArg};
use crate::diag::Diagnostic;
use crate::load::source::InputSpec;
use crate::query::{Engine, QueryRequest, Source};
use crate::{Outcome, UsageError};

/// Runs `query`: exit 0 with the query written, 2 on a usage or input error.
pub fn run(args: &QueryArgs) -> anyhow::Result<Outcome> {
    if let Some(r) = args.output.reports.first() {
        return Err(UsageError(format!(
            "--report {}={}: query writes one query, to standard output or -o",
            r.format,
            r.path.display()
        ))
        .into());
    }
    let scoring = Scoring::new(&args.scoring.scoring_args(), &args.output)?;
    if scoring.local_exemptions_apply() {
        return Err(UsageError(
            "the configuration's [[exemptions]] cannot be written into a query: give --ignore-exemptions \
             or --no-config, or score the assessments with assess"
                .to_string(),
        )
        .into());
    }
    // No FILE: the built-in catalog alone (a query needs no inventory).
    let inputs: Vec<InputSpec> = args.files.iter().map(|f| super::input_spec(f)).collect();
    refuse_overwriting(&args.output, input_paths(&inputs))?;
    let (model, mut diags) = load_inputs(&inputs, &args.output.load_options())?;
    fail_on_errors(&diags)?;
    if !model.assessments.is_empty() {
        diags.push(Diagnostic::warning(
            "assessments-ignored",
            format!(
                "{} assessment(s) in the inputs are not counted: the query counts the engine's table; \
                 only the inputs' definitions are written into it",
                model.assessments.len()
            ),
        ));
    }
    let request = QueryRequest::new(
        engine(args.engine),
        args.source.map(source),
        args.table.as_deref(),
        &scoring.request,
        args.group_by.as_ref(),
        &model,
    )?;
    fail_on_warnings(&mut diags, &args.output)?;
    print_diagnostics(&diags, args.output.quiet);
    let mut text = Vec::new();
    crate::query::write(&request, &mut text)?;
    if args.output.quiet && args.output.output.is_none() {
        return Ok(Outcome::Success);
    }
    crate::output::emit_all(&[(args.output.output.as_deref(), text.as_slice())])?;
    Ok(Outcome::Success)
}

fn engine(arg: EngineArg) -> Engine {
    match arg {
        EngineArg::ResourceGraph => Engine::ResourceGraph,
        EngineArg::LogAnalytics => Engine::LogAnalytics,
        EngineArg::Spark => Engine::Spark,
        EngineArg::DuckDb => Engine::DuckDb,
    }
}

fn source(arg: SourceArg) -> Source {
    match arg {
        SourceArg::Native => Source::Native,
        SourceArg::ResourceGraph => Source::ResourceGraph,
    }
}
