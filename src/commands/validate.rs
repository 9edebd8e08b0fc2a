//! `securescore validate`: load every input and list every problem, errors and warnings.

use super::{emit, load_inputs, resolve_inputs};
use crate::cli::{TextFormat, ValidateArgs};
use crate::crosscheck::check;
use crate::diag::{Diagnostic, Level};
use crate::evaluation::{ExportedWeights, ScoringRequest};
use crate::load::LoadOptions;
use crate::render;
use crate::score::score;
use crate::text::terminal_safe;
use crate::Outcome;
use serde::Serialize;
use std::io::Write;

#[derive(Serialize)]
struct ValidationReport<'a> {
    schema: &'static str,
    valid: bool,
    inputs: &'a [String],
    errors: usize,
    warnings: usize,
    problems: &'a [Diagnostic],
}

/// Runs `validate`: exit 2 when any input has an error, 0 when there are only warnings.
pub fn run(args: &ValidateArgs) -> anyhow::Result<Outcome> {
    let inputs = resolve_inputs(&args.files)?;
    let options = LoadOptions {
        report_unknown_keys: true,
        ..LoadOptions::default()
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
    let errors = diags.error_count();
    let report = ValidationReport {
        schema: "securescore.validate/v1",
        valid: errors == 0,
        inputs: &model.inputs,
        errors,
        warnings: diags.items().iter().filter(|d| d.level == Level::Warning).count(),
        problems: diags.items(),
    };
    emit(&args.output, |buf| match args.format {
        TextFormat::Table => write_text(&report, diags.dropped(), &model, buf),
        TextFormat::Json => render::json::write(&report, buf),
    })?;
    if errors > 0 {
        if args.output.quiet {
            super::print_diagnostics(&diags, true);
        }
        anyhow::bail!("{errors} input error(s) found");
    }
    Ok(Outcome::Success)
}

fn write_text(
    report: &ValidationReport,
    dropped: usize,
    model: &crate::model::Model,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    for d in report.problems {
        let label = if d.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        writeln!(out, "{label}: {}", terminal_safe(&d.to_string()))?;
    }
    if dropped > 0 {
        writeln!(out, "… and {dropped} more problem(s) not shown")?;
    }
    writeln!(
        out,
        "{}: {} error(s), {} warning(s) in {} input(s); {} resources, {} assessments, {} controls",
        if report.valid { "valid" } else { "invalid" },
        report.errors,
        report.warnings,
        report.inputs.len(),
        model.resources.len(),
        model.assessments.len(),
        model.controls.len()
    )
}
