//! `securescore validate`: load every input and list every problem, errors and warnings.

use super::{emit, input_paths, load_inputs, refuse_overwriting, resolve_inputs};
use crate::cli::{ValidateArgs, ValidateFormat};
use crate::crosscheck::check;
use crate::evaluation::{untrue_under, ExportedWeights, ScoringRequest};
use crate::load::LoadOptions;
use crate::render::Document;
use crate::score::{score, ScoreOptions, ScoringModel};
use crate::Outcome;
use crate::UsageError;

/// Runs `validate`: exit 2 when any input has an error, 0 when there are only warnings.
pub fn run(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let chosen = match args.model {
        None => ScoringModel::Classic,
        Some(m) => m.model().ok_or_else(|| {
            UsageError(
                "validate checks the inputs under one model: choose classic, v1 or pass-rate".to_string(),
            )
        })?,
    };
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
        // The cross-check is classic's whatever the model: Azure exports classic figures.
        let defaults = ScoringRequest::default().options(ExportedWeights::Allowed);
        let result = score(&model, &defaults, None);
        let scoring = match chosen {
            ScoringModel::Classic => result.warnings.clone(),
            other => {
                let options = ScoreOptions {
                    model: other,
                    ..defaults.clone()
                };
                score(&model, &options, None).warnings
            }
        };
        for w in scoring.into_iter().chain(check(&model, &result, false)) {
            diags.push(w);
        }
        for code in untrue_under(chosen) {
            diags.withdraw_warnings(code);
        }
        // Counts rows written for another model cannot be scored under this one.
        if let Err(message) = crate::evaluation::check_row_model(&model, chosen, None) {
            diags.push(crate::diag::Diagnostic::error("model-mismatch", message));
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
