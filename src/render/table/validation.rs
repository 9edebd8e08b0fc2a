//! The human-readable validation report: one line per problem, as on standard error,
//! then a summary line.

use crate::diag::Level;
use crate::text::terminal_safe;
use crate::validation::ValidationReport;
use std::io::{self, Write};

/// Writes the validation report as text.
pub fn write(report: &ValidationReport, out: &mut dyn Write) -> io::Result<()> {
    for d in report.problems {
        let label = if d.level == Level::Error {
            "error"
        } else {
            "warning"
        };
        writeln!(out, "{label}: {}", terminal_safe(&d.to_string()))?;
    }
    if report.dropped > 0 {
        writeln!(out, "… and {} more problem(s) not shown", report.dropped)?;
    }
    writeln!(
        out,
        "{}: {} error(s), {} warning(s) in {} input(s); {} resources, {} assessments, {} controls",
        if report.valid { "valid" } else { "invalid" },
        report.errors,
        report.warnings,
        report.inputs.len(),
        report.resources,
        report.assessments,
        report.controls
    )
}
