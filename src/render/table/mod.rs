//! The table format: human-readable text and tables for a terminal or a log, readable at
//! 80 columns. One file per document kind; here the shared table look and the dispatch.

mod diff;
mod explain;
mod listing;
mod plan;
mod report;
mod trend;
mod validation;

use super::{Document, RenderOptions, Style};
use comfy_table::{presets, CellAlignment, ContentArrangement, Table, TableComponent};
use std::io::{self, Write};

/// Writes `doc` as text.
pub fn render(doc: &Document, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let style = options.style;
    match doc {
        // The explanations and the trend are the HTML page's extras; the table shows the
        // report alone (`explain` and `trend` show the rest).
        Document::Report { report, .. } => report::write(report, style, options.top, out),
        Document::Explanation(e) => explain::write(e, style, out),
        Document::Plan(p) => plan::write(p, style, out),
        Document::Diff(d) => diff::write(d, style, out),
        Document::Trend(t) => trend::write(t, style, out),
        Document::Validation(v) => validation::write(v, out),
        Document::Listing(l) => listing::write(l, style, out),
    }
}

/// A table with the project's look, fitted to `style`.
pub fn new_table(style: Style, header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .remove_style(TableComponent::LeftBorderIntersections)
        .remove_style(TableComponent::RightBorderIntersections)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied());
    match style.width {
        Some(w) => {
            table.set_width(w);
        }
        None => {
            if table.width().is_none() {
                table.set_width(80);
            }
        }
    }
    if style.color {
        table.enforce_styling();
    } else {
        table.force_no_tty();
    }
    table
}

/// Right-aligns the given columns.
pub fn align_right(table: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(c) = table.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// ANSI colour around `text` when `on`.
pub fn paint(text: &str, code: &str, on: bool) -> String {
    if on {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

/// The ANSI colour code for a score: green from 80, yellow from 50, red below.
pub fn score_color(percentage: f64) -> &'static str {
    if percentage >= 80.0 {
        "32"
    } else if percentage >= 50.0 {
        "33"
    } else {
        "31"
    }
}
