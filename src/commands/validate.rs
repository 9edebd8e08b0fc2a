//! `securescore validate`: load every input and list every problem, errors and warnings.

use super::{emit, input_paths, load_inputs, refuse_overwriting, resolve_inputs};
use crate::cli::{ValidateArgs, ValidateFormat};
use crate::crosscheck::check;
use crate::evaluation::{ExportedWeights, ScoringRequest};
use crate::load::LoadOptions;
use crate::render::Document;
use crate::score::score;
use crate::Outcome;

/// Runs `validate`: exit 2 when any input has an error, 0 when there are only warnings.
pub fn run(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let reports = args.output.report_files::<ValidateFormat>()?;
    let inputs = resolve_inputs(&args.files)?;
    refuse_overwriting(&args.output, input_paths(&inputs))?;
    let options = LoadOptions {
        report_unknown_keys: true,
        ..args.output.load_options()
    };
    let (model, mut diags) = load_inputs(&inputs, &options)?;
    if diags.error_count() == 0 {
        // How the inputs score by default, and whether Azure's exported figures agree.
        let defaults = ScoringRequest::default().options(ExportedWeights::Allowed);
        let result = score(&model, &defaults, None);
        for w in result
            .warnings
            .iter()
            .cloned()
            .chain(check(&model, &result, false))
        {
            diags.push(w);
        }
    }
    // Under --strict every warning is an error, listed as one.
    let escalated = if args.output.strict {
        diags.escalate_warnings()
    } else {
        0
    };
    let report = crate::validation::report(&model, &diags);
    emit(
        &args.output,
        args.format.into(),
        &reports,
        &Document::Validation(&report),
        None,
    )?;
    let errors = report.errors;
    if errors > 0 {
        if args.output.quiet {
            super::print_diagnostics(&diags, true);
        }
        if escalated > 0 {
            anyhow::bail!(
                "{errors} input error(s) found ({escalated} of them warnings, errors under --strict)"
            );
        }
        anyhow::bail!("{errors} input error(s) found");
    }
    Ok(Outcome::Success)
}
