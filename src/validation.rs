//! The validation report of `securescore validate`: every problem found in the inputs,
//! with the counts a reader needs to judge them. Built by a pure function from the loaded
//! model and its diagnostics; rendered by `render` like any other document.

use crate::diag::{Diagnostic, Diagnostics, Level};
use crate::model::Model;
use serde::Serialize;

/// What `validate` found. The JSON shows the serialised fields only; the skipped ones
/// are for the text summary line.
#[derive(Debug, Serialize)]
pub struct ValidationReport<'a> {
    /// The JSON schema identifier, `securescore.validate/v1`.
    pub schema: &'static str,
    /// True when no input has an error (warnings allowed).
    pub valid: bool,
    /// The inputs read, in order.
    pub inputs: &'a [String],
    /// Errors found, including any not listed.
    pub errors: usize,
    /// Warnings kept.
    pub warnings: usize,
    /// Every problem kept, errors and warnings, in input order.
    pub problems: &'a [Diagnostic],
    /// Problems counted beyond those kept (text only: the v1 JSON schema has no field
    /// for it).
    #[serde(skip)]
    pub dropped: usize,
    /// Resources in the loaded model.
    #[serde(skip)]
    pub resources: usize,
    /// Assessments in the loaded model.
    #[serde(skip)]
    pub assessments: usize,
    /// Controls in the loaded model.
    #[serde(skip)]
    pub controls: usize,
}

/// The validation report of `model` given the diagnostics found loading and scoring it.
pub fn report<'a>(model: &'a Model, diags: &'a Diagnostics) -> ValidationReport<'a> {
    let errors = diags.error_count();
    ValidationReport {
        schema: "securescore.validate/v1",
        valid: errors == 0,
        inputs: &model.inputs,
        errors,
        warnings: diags.items().iter().filter(|d| d.level == Level::Warning).count(),
        problems: diags.items(),
        dropped: diags.dropped(),
        resources: model.resources.len(),
        assessments: model.assessments.len(),
        controls: model.controls.len(),
    }
}
