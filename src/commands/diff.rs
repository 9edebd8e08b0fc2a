//! `securescore diff BEFORE AFTER`: what changed between two inventories and why the
//! score moved, as a waterfall of causes.

use super::{emit, fail_on_errors, load_inputs, print_diagnostics, style};
use crate::cli::DiffArgs;
use crate::diff::diff;
use crate::load::source::InputSpec;
use crate::load::LoadOptions;
use crate::model::Model;
use crate::render;
use crate::text::{fmt2, round2};
use crate::{Outcome, UsageError};
use anyhow::Context;
use std::path::Path;

/// The inputs of one side: the file, or the directory's `*.json`, `*.jsonl` and
/// `*.ndjson` files (not recursive, hidden files skipped), sorted by name.
fn side_inputs(path: &Path) -> anyhow::Result<Vec<InputSpec>> {
    if !path.is_dir() {
        return Ok(vec![InputSpec::Path(path.to_path_buf())]);
    }
    let mut files = Vec::new();
    for entry in
        std::fs::read_dir(path).with_context(|| format!("cannot read directory {}", path.display()))?
    {
        let entry = entry.with_context(|| format!("cannot read directory {}", path.display()))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let wanted = [".json", ".jsonl", ".ndjson"]
            .iter()
            .any(|ext| name.ends_with(ext));
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

/// Loads one side, failing on input errors and on scopes scored from counts.
fn load_side(path: &Path, quiet: bool) -> anyhow::Result<(Model, crate::diag::Diagnostics)> {
    let (model, diags) = load_inputs(&side_inputs(path)?, &LoadOptions::default())?;
    fail_on_errors(&diags, quiet)?;
    if let Some(scope) = model.scopes.iter().find(|s| s.count_level) {
        return Err(UsageError(format!(
            "diff needs resource-level assessments, and {} in {} is scored from exported counts \
             (export Microsoft.Security/assessments for it)",
            scope.id.as_deref().unwrap_or("a scope"),
            path.display()
        ))
        .into());
    }
    Ok((model, diags))
}

/// Runs `diff`.
pub fn run(args: &DiffArgs) -> anyhow::Result<Outcome> {
    let (before, before_diags) = load_side(&args.before, args.common.output.quiet)?;
    let (after, after_diags) = load_side(&args.after, args.common.output.quiet)?;
    let options = crate::score::ScoreOptions {
        allow_exported_weights: false,
        ..args.common.scoring.options()
    };
    let filters = args.common.scoring.filters();
    let result = diff(&before, &after, &options, &filters).map_err(UsageError)?;
    print_diagnostics(&before_diags, args.common.output.quiet);
    print_diagnostics(&after_diags, args.common.output.quiet);
    let drop = result.before.percentage.unwrap_or(0.0) - result.after.percentage.unwrap_or(0.0);
    let failure = args.max_drop.filter(|&limit| round2(drop) > limit).map(|limit| {
        format!(
            "secure score fell by {} points, more than --max-drop {limit}",
            fmt2(drop)
        )
    });
    let style = style(&args.common.output);
    emit(&args.common.output, |buf| match args.common.format.as_str() {
        "json" => render::json::write(&result, buf),
        _ => render::diff::write(&result, style, args.max_drop, buf),
    })?;
    Ok(failure.map_or(Outcome::Success, Outcome::GateFailed))
}
