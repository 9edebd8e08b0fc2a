//! `securescore diff BEFORE AFTER`: what changed between two inventories and why the
//! score moved, as a waterfall of causes.

use super::{
    emit, fail_on_errors, fail_on_warnings, input_paths, load_inputs, print_diagnostics, refuse_overwriting,
    Scoring,
};
use crate::cli::{DiffArgs, DiffFormat};
use crate::diag::{Diagnostic, Diagnostics};
use crate::diff::{diff, Diff, DropGate};
use crate::evaluation::{unknown_scope, ExportedWeights};
use crate::gate;
use crate::load::source::InputSpec;
use crate::load::LoadOptions;
use crate::model::Model;
use crate::render::Document;
use crate::report::WarningOut;
use crate::select::unknown_scopes;
use crate::{Outcome, UsageError};
use anyhow::Context;
use std::path::Path;

/// The inputs of one side: the file, or the directory's `*.json`, `*.jsonl` and
/// `*.ndjson` files (not recursive, hidden files skipped), sorted by name.
fn side_inputs(path: &Path) -> anyhow::Result<Vec<InputSpec>> {
    if path.as_os_str() == "-" {
        return Ok(vec![InputSpec::Stdin]);
    }
    if !path.is_dir() {
        return Ok(vec![InputSpec::Path(path.to_path_buf())]);
    }
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(path).with_context(|| format!("cannot read directory {}", path.display()))?
    {
        let entry = entry.with_context(|| format!("cannot read directory {}", path.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let lower = name.to_lowercase();
        let wanted = [".json", ".jsonl", ".ndjson"]
            .iter()
            .any(|ext| lower.ends_with(ext));
        if wanted && !name.starts_with('.') && entry.path().is_file() {
            files.push(entry.path());
        }
    }
    if files.is_empty() {
        return Err(UsageError(format!(
            "{} holds no *.json, *.jsonl or *.ndjson file to compare",
            path.display()
        ))
        .into());
    }
    files.sort();
    Ok(files.into_iter().map(InputSpec::Path).collect())
}

/// Loads one side (`path`, read from `inputs`), failing on input errors and on scopes
/// scored from counts.
fn load_side(
    path: &Path,
    inputs: &[InputSpec],
    options: &LoadOptions,
) -> anyhow::Result<(Model, Diagnostics)> {
    let (model, diags) = load_inputs(inputs, options)?;
    fail_on_errors(&diags)?;
    if let Some((i, scope)) = model.scopes.iter().enumerate().find(|(_, s)| s.count_level) {
        let (source, advice) = model.count_level_source(i);
        return Err(UsageError(format!(
            "diff needs resource-level assessments, and {} in {} is scored from {source} ({advice})",
            scope.label(),
            path.display()
        ))
        .into());
    }
    Ok((model, diags))
}

/// Runs `diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    if args.before.as_os_str() == "-" && args.after.as_os_str() == "-" {
        return Err(UsageError("only one side can be read from standard input".to_string()).into());
    }
    let reports = args.common.output.report_files::<DiffFormat>()?;
    let quiet = args.common.output.quiet;
    let scoring = Scoring::new(&args.common.scoring, &args.common.output)?;
    let (before_inputs, after_inputs) = (side_inputs(&args.before)?, side_inputs(&args.after)?);
    // The sides themselves (a folder, too) and every file read from them.
    let reads = [args.before.as_path(), args.after.as_path()]
        .into_iter()
        .chain(input_paths(&before_inputs))
        .chain(input_paths(&after_inputs));
    refuse_overwriting(&args.common.output, reads)?;
    let (mut before, before_diags) =
        load_side(&args.before, &before_inputs, &args.common.output.load_options())?;
    let (mut after, after_diags) = load_side(&args.after, &after_inputs, &args.common.output.load_options())?;
    let request = &scoring.request;
    let options = request.options(ExportedWeights::Ignored);
    let before_as_of = args.before_as_of.unwrap_or(options.as_of);
    // Each side's local exemptions are judged on its own date, as its data's own are.
    let before_uses = scoring.apply_local_exemptions(&mut before, before_as_of)?;
    let mut uses = scoring.apply_local_exemptions(&mut after, options.as_of)?;
    if let (Some(after_uses), Some(before_uses)) = (&mut uses, &before_uses) {
        after_uses.add(before_uses);
    }
    // A name is resolved once, in AFTER and else in BEFORE, as assess resolves it: a
    // subscription renamed between the two is one selection on both sides.
    let filters = crate::select::resolve_names(&after, &request.filters)
        .and_then(|f| crate::select::resolve_names(&before, &f))
        .map_err(UsageError)?;
    let comparison = diff(&before, &after, &options, before_as_of, &filters).map_err(UsageError)?;
    let mut diags = Diagnostics::default();
    for (side, side_diags) in [("before", &before_diags), ("after", &after_diags)] {
        for d in side_diags.items() {
            diags.push(Diagnostic {
                message: format!("{side}: {}", d.message),
                ..d.clone()
            });
        }
    }
    // Loading warnings that are not true under the model (a recommendation in no control
    // scores under v1 and pass-rate).
    for code in crate::evaluation::untrue_under(options.model) {
        diags.withdraw_warnings(code);
    }
    scoring.local_exemption_report(uses.as_ref(), options.as_of, &mut diags);
    let unknown_before: Vec<String> = unknown_scopes(&before, &filters)
        .into_iter()
        .map(|(f, _)| f)
        .collect();
    for (f, near) in unknown_scopes(&after, &filters) {
        if unknown_before.contains(&f) {
            diags.push(unknown_scope(&f, &near));
        }
    }
    if !filters.is_empty() && comparison.before.resources == 0 && comparison.after.resources == 0 {
        diags.push(crate::diag::Diagnostic::warning(
            "filter-selects-nothing",
            "the filters select no assessed resource on either side: both scores are undefined",
        ));
    }
    fail_on_warnings(&mut diags, &args.common.output)?;
    let warnings = diags.warnings().map(WarningOut::from).collect();
    print_diagnostics(&diags, quiet);
    let incomplete = !before.incomplete.is_empty() || !after.incomplete.is_empty();
    // The config file's max-drop applies as assess's does, the command line's replacing
    // it; its other rules judge one evaluation, so diff leaves them to assess.
    let max_drop = scoring.gate_policy().overridden_by(None, args.max_drop).max_drop;
    let verdict = max_drop.map(|limit| {
        let (b, a) = (comparison.before.percentage, comparison.after.percentage);
        gate::max_drop(limit, b, a, incomplete)
    });
    let drop_gate = verdict.as_ref().map(DropGate::from);
    let result = Diff::new(comparison, drop_gate, warnings);
    emit(
        &args.common.output,
        args.format.into(),
        &reports,
        &Document::Diff(&result),
        None,
    )?;
    Ok(gate::outcome(verdict.iter()))
}
