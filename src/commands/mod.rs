//! One module per subcommand, each a short composition of loading, scoring, reporting
//! and rendering; and the plumbing they share.

pub mod assess;
pub mod controls;
pub mod diff;
pub mod explain;
pub mod plan;
pub mod trend;
pub mod validate;

use crate::catalog::Catalog;
use crate::cli::{ColorChoice, OutputArgs, ScoringArgs};
use crate::diag::{Diagnostic, Diagnostics, Level};
use crate::load::source::InputSpec;
use crate::load::{load, LoadOptions};
use crate::model::Model;
use crate::output::diagnostic_line;
use crate::render::Style;
use crate::score::{score, Score, ScoreOptions, Weighting};
use crate::select::{select, Filters};
use crate::text::terminal_safe;
use crate::UsageError;
use std::io::IsTerminal;
use std::path::PathBuf;

/// The inputs named by FILE arguments: standard input for none or `-`. With no FILE and a
/// terminal on standard input, a usage error (rather than waiting for typing).
pub fn resolve_inputs(files: &[PathBuf]) -> anyhow::Result<Vec<InputSpec>> {
    if files.is_empty() {
        if std::io::stdin().is_terminal() {
            return Err(UsageError(
                "no input: name inventory files, or pipe one into standard input".to_string(),
            )
            .into());
        }
        return Ok(vec![InputSpec::Stdin]);
    }
    Ok(files
        .iter()
        .map(|f| {
            if f.as_os_str() == "-" {
                InputSpec::Stdin
            } else {
                InputSpec::Path(f.clone())
            }
        })
        .collect())
}

/// Loads inputs with the built-in catalog.
pub fn load_inputs(inputs: &[InputSpec], options: &LoadOptions) -> anyhow::Result<(Model, Diagnostics)> {
    let catalog = Catalog::builtin()?;
    let mut diags = Diagnostics::default();
    let model = load(inputs, &catalog, options, &mut diags);
    diags.sort_by_location(&model.inputs);
    Ok((model, diags))
}

/// Prints diagnostics on standard error: errors always, warnings unless `quiet`.
pub fn print_diagnostics(diags: &Diagnostics, quiet: bool) {
    for d in diags.items() {
        if d.level == Level::Warning && quiet {
            continue;
        }
        let label = if d.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        diagnostic_line(&format!("{label}: {}", terminal_safe(&d.to_string())));
    }
    if diags.dropped() > 0 && !(quiet && diags.error_count() == 0) {
        diagnostic_line(&format!("… and {} more problem(s) not shown", diags.dropped()));
    }
}

/// Fails with the input errors found, after printing every diagnostic.
pub fn fail_on_errors(diags: &Diagnostics, quiet: bool) -> anyhow::Result<()> {
    if diags.error_count() == 0 {
        return Ok(());
    }
    // Only the errors: warnings about how a broken input would score are noise here.
    let _ = quiet;
    print_diagnostics(diags, true);
    anyhow::bail!(
        "{} input error(s); nothing was scored (run `securescore validate` to list every problem)",
        diags.error_count()
    )
}

/// The look of human-readable output for these output options.
pub fn style(output: &OutputArgs) -> Style {
    let terminal = crate::output::is_terminal(output.output.as_deref());
    let color = match output.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => terminal && std::env::var_os("NO_COLOR").is_none(),
    };
    Style {
        color,
        width: if terminal { None } else { Some(80) },
    }
}

/// Renders with `render` and writes the result where the output options say (nothing on
/// standard output under `--quiet`).
pub fn emit(
    output: &OutputArgs,
    render: impl FnOnce(&mut Vec<u8>) -> std::io::Result<()>,
) -> anyhow::Result<()> {
    if output.quiet && output.output.is_none() {
        return Ok(());
    }
    let mut buf = Vec::new();
    render(&mut buf)?;
    crate::output::emit(output.output.as_deref(), &buf)
}

/// A scored inventory under the command line's scoring options.
pub struct Evaluation {
    pub options: ScoreOptions,
    pub filters: Filters,
    pub score: Score,
    /// The percentage with every exemption ignored; `None` when undefined or when a
    /// scope is scored from counts (whose raw statuses are unknown).
    pub raw_percentage: Option<f64>,
    /// What the filters keep (`None`: everything).
    pub selection: Option<crate::select::Selection>,
}

/// Filters and scores the model, and adds to `diags` what the reader must know about
/// the figures: an empty selection, options count-level data cannot honour, weights,
/// and the cross-check of Azure's exported figures.
pub fn evaluate(model: &Model, args: &ScoringArgs, diags: &mut Diagnostics) -> anyhow::Result<Evaluation> {
    let filters = args.filters();
    let below_scopes = crate::select::below_scopes(model, &filters);
    let options = ScoreOptions {
        allow_exported_weights: !below_scopes,
        ..args.options()
    };
    let selection = select(model, &filters).map_err(UsageError)?;
    if model.assessments.is_empty() && model.exported.controls.is_empty() {
        diags.push(Diagnostic::warning(
            "no-data",
            "the inputs hold no assessment and no secure score control counts: there is nothing to score",
        ));
    }
    if let Some(sel) = &selection {
        let any_resource = model
            .assessments
            .iter()
            .any(|a| sel.resource(a.resource as usize));
        let any_counts = model
            .scopes
            .iter()
            .enumerate()
            .any(|(i, s)| s.count_level && sel.scope(i));
        if !any_resource && !any_counts {
            diags.push(Diagnostic::warning(
                "filter-selects-nothing",
                "the filters select no assessed resource: the score is undefined",
            ));
        }
    }
    let result = score(model, &options, selection.as_ref());
    let unhonoured = args.resource_level_options();
    if result.count_level && !unhonoured.is_empty() {
        diags.push(Diagnostic::warning(
            "option-not-applicable",
            format!(
                "{} cannot apply to scopes scored from exported counts (no assessments were given for them): \
                 their figures are Azure's as exported",
                unhonoured.join(", ")
            ),
        ));
    }
    for w in &result.warnings {
        diags.push(w.clone());
    }
    if args.is_default_computation() && !below_scopes {
        let default_weighting = options.weighting == Weighting::Resources;
        let checked = if default_weighting {
            None
        } else {
            let per_scope = ScoreOptions {
                weighting: Weighting::Resources,
                ..options.clone()
            };
            Some(score(model, &per_scope, selection.as_ref()))
        };
        for w in crate::crosscheck::check(model, checked.as_ref().unwrap_or(&result), !filters.is_empty()) {
            diags.push(w);
        }
    }
    let raw_percentage = raw_percentage(model, &options, selection.as_ref(), &result);
    Ok(Evaluation {
        options,
        filters,
        score: result,
        raw_percentage,
        selection,
    })
}

/// The percentage of `scored` with every exemption ignored; `None` when a scope is
/// scored from counts, whose raw statuses are unknown.
pub fn raw_percentage(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&crate::select::Selection>,
    scored: &Score,
) -> Option<f64> {
    if scored.count_level {
        return None;
    }
    let raw_options = ScoreOptions {
        ignore_exemptions: true,
        ..options.clone()
    };
    score(model, &raw_options, selection).percentage
}

impl Evaluation {
    /// The report of this evaluation, with these warnings.
    pub fn report(&self, model: &Model, warnings: Vec<crate::report::WarningOut>) -> crate::report::Report {
        crate::report::build(
            &self.score,
            crate::report::ReportInputs {
                model,
                options: &self.options,
                filters: &self.filters,
                raw_percentage: self.raw_percentage,
                warnings,
            },
        )
    }
}

/// Fails when the selection holds a scope scored from exported counts: `what` needs
/// resource-level assessments (SPEC §3).
pub fn require_resource_level(model: &Model, evaluation: &Evaluation, what: &str) -> anyhow::Result<()> {
    let counts_only = model
        .scopes
        .iter()
        .enumerate()
        .find(|(i, s)| s.count_level && evaluation.selection.as_ref().is_none_or(|sel| sel.scope(*i)));
    if let Some((_, scope)) = counts_only {
        return Err(UsageError(format!(
            "{what} needs resource-level assessments, and {} is scored from exported counts: export \
             Microsoft.Security/assessments for it, or leave it out with --scope",
            scope.id.as_deref().unwrap_or("a scope")
        ))
        .into());
    }
    Ok(())
}
