//! Rendering: every command's result is a [`Document`], written in one [`Format`] by
//! [`render`]. There is one module per format ([`table`], [`json`], [`html`], [`markdown`],
//! [`csv`], [`junit`], [`sarif`]), and in it
//! one function (or, for the table, one file) per document kind; each format matches on
//! [`Document`] exhaustively, so a new document kind is added to every format at once.
//! [`time_axis`] places the HTML trend chart's runs by their time and labels its ticks.
//!
//! Adding a format (markdown, csv, …) means:
//! 1. a new module `src/render/<format>.rs` (or a folder, like `table/`) with
//!    `pub fn render(doc: &Document, …, out: &mut dyn Write) -> io::Result<()>`;
//!    a document the format does not offer returns an [`io::ErrorKind::Unsupported`]
//!    error naming it, listed per variant like in [`html`];
//! 2. a [`Format`] variant, and its arm in [`render`];
//! 3. in `cli.rs`, the variant in the `offers` or the `lacks` list of each command's
//!    `format_values!` declaration.
//!
//! The compiler lists every place left: [`render`], the [`Format`] methods and each
//! command's conversions match exhaustively. The snapshot suite renders every command
//! in every format it offers, so an offered format without a renderer fails there.

pub mod csv;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod sarif;
pub mod table;
pub mod time_axis;

use crate::diff::Diff;
use crate::explain::Explanation;
use crate::findings::Findings;
use crate::listing::CatalogListing;
use crate::plan::Plan;
use crate::report::{ControlOut, RankedRecommendationOut, Report};
use crate::side_by_side::SideBySide;
use crate::trend::Trend;
use crate::validation::ValidationReport;
use std::io::{self, Write};

/// An output format. The command line offers each command the subset it supports
/// (`cli::AssessFormat` and its siblings convert into this).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable text and tables, for a terminal or a log.
    Table,
    /// Pretty-printed JSON, the stable machine-readable output.
    Json,
    /// One self-contained HTML page.
    Html,
    /// GitHub-flavoured markdown, for CI summaries and pull request comments.
    Markdown,
    /// RFC 4180 CSV of the report's rows, for spreadsheets.
    Csv,
    /// JUnit XML, for CI systems' test reports.
    Junit,
    /// SARIF 2.1.0, for code scanning and security dashboards.
    Sarif,
}

impl Format {
    /// Every format, in the order `--help` lists them.
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Json,
        Format::Html,
        Format::Markdown,
        Format::Csv,
        Format::Junit,
        Format::Sarif,
    ];

    /// True when the assessment report in this format shows each control's explanation
    /// (the HTML drill-downs): only then are they worth computing.
    pub fn shows_control_details(self) -> bool {
        match self {
            Format::Html => true,
            Format::Table | Format::Json | Format::Markdown | Format::Csv | Format::Junit | Format::Sarif => {
                false
            }
        }
    }

    /// True when the assessment report in this format lists every unhealthy or exempt
    /// (resource, recommendation) pair ([`Findings`]): only then are they worth
    /// collecting.
    pub fn shows_findings(self) -> bool {
        match self {
            Format::Sarif => true,
            Format::Table | Format::Json | Format::Html | Format::Markdown | Format::Csv | Format::Junit => {
                false
            }
        }
    }

    /// True when the assessment report in this format can show the score over time
    /// (`assess --history`).
    pub fn shows_trend(self) -> bool {
        match self {
            Format::Html => true,
            Format::Table | Format::Json | Format::Markdown | Format::Csv | Format::Junit | Format::Sarif => {
                false
            }
        }
    }
}

/// A finished result of one command, ready to be written in any format.
#[derive(Clone, Copy, Debug)]
pub enum Document<'a> {
    /// `assess`: the report, and what only some formats show of it.
    Report {
        /// The report itself (all that the table and JSON show).
        report: &'a Report,
        /// The explanation of each control, in `report.controls` order (the HTML
        /// drill-downs); empty when the format does not show them
        /// ([`Format::shows_control_details`]).
        details: &'a [Explanation],
        /// The score over time (`--history`), for the formats that show it.
        trend: Option<&'a Trend>,
        /// Every unhealthy or exempt pair, for the formats that list them
        /// ([`Format::shows_findings`]); `None` otherwise.
        findings: Option<&'a Findings>,
    },
    /// `assess --model all`: every model's report of one selection, side by side.
    Models(&'a SideBySide),
    /// `explain`: one control, number by number.
    Explanation(&'a Explanation),
    /// `plan`: the ordered remediation steps.
    Plan(&'a Plan),
    /// `diff`: what changed between two inventories.
    Diff(&'a Diff),
    /// `trend`: the score over time.
    Trend(&'a Trend),
    /// `validate`: every problem found in the inputs.
    Validation(&'a ValidationReport<'a>),
    /// `controls`: the built-in control catalog.
    Listing(&'a CatalogListing<'a>),
}

impl Document<'_> {
    /// What the document is, in words (for errors).
    pub fn name(&self) -> &'static str {
        match self {
            Document::Report { .. } => "assessment report",
            Document::Models(_) => "side-by-side view of the models",
            Document::Explanation(_) => "control explanation",
            Document::Plan(_) => "remediation plan",
            Document::Diff(_) => "diff",
            Document::Trend(_) => "trend",
            Document::Validation(_) => "validation report",
            Document::Listing(_) => "control catalog",
        }
    }
}

/// How a human-readable renderer should look.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
    /// Table width in columns (see [`crate::output::Terminal::width`]).
    pub width: u16,
}

/// What, beyond the document, shapes the output; formats that have no use for an option
/// ignore it.
#[derive(Clone, Copy, Debug)]
pub struct RenderOptions {
    /// The look of human-readable output.
    pub style: Style,
    /// Show only the first N ranked rows (controls, or recommendations under `v1` and
    /// `pass-rate`) of the assessment report's table.
    pub top: Option<usize>,
}

/// Writes `doc` in `format`. Fails with [`io::ErrorKind::Unsupported`] for a document the
/// format does not offer (the command line never asks for one).
pub fn render(
    format: Format,
    doc: &Document,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::render(doc, options, out),
        Format::Json => json::render(doc, out),
        Format::Html => html::render(doc, out),
        Format::Markdown => markdown::render(doc, options, out),
        Format::Csv => csv::render(doc, out),
        Format::Junit => junit::render(doc, out),
        Format::Sarif => sarif::render(doc, out),
    }
}

/// Writes the line naming the controls that no assessed resource makes apply, each as
/// `name` shows it (with a blank line before); nothing when every control applies.
fn write_not_applicable(
    report: &Report,
    name: impl Fn(&ControlOut) -> String,
    out: &mut dyn Write,
) -> io::Result<()> {
    let idle: Vec<String> = report
        .control_rows()
        .iter()
        .filter(|c| c.rank.is_none())
        .map(name)
        .collect();
    if idle.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\nNot applicable (no assessed resource): {}",
        idle.join(", ")
    )
}

/// `(v1)` or `(pass-rate)` after "Secure score" in a headline, with a space before it;
/// nothing under `classic`, whose headlines stay as they were (SPEC §7: a headline names
/// the model when it is not `classic`).
fn model_tag(report: &Report) -> String {
    if report.model.ranks_recommendations() {
        format!(" ({})", report.model.as_str())
    } else {
        String::new()
    }
}

/// True when a row's `v1` points are securescore's default for its severity rather than
/// the input's `points`.
fn default_points(r: &RankedRecommendationOut) -> bool {
    r.points_from == Some("severity")
}

/// The mark after `v1` points that are securescore's default (see [`points_note`]).
const DEFAULT_MARK: &str = "*";

/// A row's `v1` points as shown, marked when they are securescore's default; empty
/// under `pass-rate`.
fn points_cell(r: &RankedRecommendationOut) -> String {
    match r.points {
        Some(p) if default_points(r) => format!("{}{DEFAULT_MARK}", crate::text::fmt2(p)),
        Some(p) => crate::text::fmt2(p),
        None => String::new(),
    }
}

/// The note under a `v1` table whose rows show default points (SPEC §7: Microsoft never
/// published how severity maps to points; securescore says so wherever it shows them);
/// `None` when every row's points come from the input, or the model has no points.
fn points_note(report: &Report) -> Option<String> {
    if !report.recommendation_rows().iter().any(default_points) {
        return None;
    }
    Some(format!("{DEFAULT_MARK} points: {}", default_points_text()))
}

/// What every output showing `v1` points says of the default ones: securescore's by
/// severity, with the mapping, and that Microsoft never published its own.
pub(crate) fn default_points_text() -> String {
    use crate::model::Severity;
    use crate::score::recommendations::default_points as points_of;
    let severities = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];
    let mut mapping: Vec<String> = severities
        .iter()
        .map(|&s| format!("{} {}", s.as_str(), points_of(Some(s))))
        .collect();
    mapping.push(format!("unknown {}", points_of(None)));
    format!(
        "securescore's default by severity ({}); Microsoft never published \
         its mapping; set `points` on a recommendation to override",
        mapping.join(", ")
    )
}

/// The note under a `v1` plan: its points come from the recommendations' points, which
/// are securescore's default unless the input sets them (SPEC §7).
pub(crate) fn plan_points_note(plan: &crate::plan::Plan) -> Option<String> {
    (plan.model == crate::score::ScoringModel::V1 && !plan.steps.is_empty()).then(|| {
        format!(
            "v1 points: a recommendation's own `points` where the input sets them, else {}.",
            default_points_text()
        )
    })
}

/// The note under the scopes of a model whose rows are recommendations, when several are
/// listed: each scope is scored from its own resources alone (SPEC §7).
fn scopes_note(report: &Report) -> Option<String> {
    (report.model.ranks_recommendations() && report.scopes.len() > 1).then(|| {
        format!(
            "Each scope's {} score counts only its own resources: the scopes' scores do not add up \
             to the overall one.",
            report.model.as_str()
        )
    })
}

/// The line naming the recommendations that apply to no resource (their assessments
/// all not applicable), each as `name` shows it, as [`write_not_applicable`] names idle
/// controls; `None` when every row applies.
fn not_applicable_recommendations(
    report: &Report,
    name: impl Fn(&RankedRecommendationOut) -> String,
) -> Option<String> {
    let idle: Vec<String> = report
        .recommendation_rows()
        .iter()
        .filter(|r| r.rank.is_none())
        .map(name)
        .collect();
    (!idle.is_empty()).then(|| format!("Not applicable (no assessed resource): {}", idle.join(", ")))
}

/// A scope row's points cells under the report's model, as the table and markdown show
/// them: classic `current / max` and the weight; v1 `current / max`; pass-rate the
/// recommendations passing of those scored.
pub(crate) fn scope_points_cells(
    model: crate::score::ScoringModel,
    s: &crate::report::ScopeOut,
) -> Vec<String> {
    use crate::score::ScoringModel;
    use crate::text::fmt2;
    match model {
        ScoringModel::Classic => vec![
            format!("{} / {}", fmt2(s.current), fmt2(s.max)),
            s.weight.to_string(),
        ],
        ScoringModel::V1 => vec![format!("{} / {}", fmt2(s.current), fmt2(s.max))],
        ScoringModel::PassRate => vec![format!("{} / {}", s.current.round(), s.max.round())],
    }
}

#[cfg(test)]
mod tests {
    use super::Format;

    #[test]
    fn all_lists_every_format_once() {
        // The match fails to compile on a new variant until it has its place here, and
        // the array's length then fails until `ALL` holds it.
        let place = |f: Format| match f {
            Format::Table => 0,
            Format::Json => 1,
            Format::Html => 2,
            Format::Markdown => 3,
            Format::Csv => 4,
            Format::Junit => 5,
            Format::Sarif => 6,
        };
        for (i, f) in Format::ALL.into_iter().enumerate() {
            assert_eq!(place(f), i, "{f:?}");
        }
    }
}
