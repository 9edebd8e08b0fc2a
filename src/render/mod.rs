//! Renderers: each writes a finished report value to a `Write`, in one format.

pub mod diff;
pub mod explain;
pub mod html;
pub mod json;
pub mod plan;
pub mod table;
pub mod trend;

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
}

impl Format {
    /// True when the assessment report in this format shows each control's explanation
    /// (the HTML drill-downs): only then are they worth computing.
    pub fn shows_control_details(self) -> bool {
        match self {
            Format::Html => true,
            Format::Table | Format::Json => false,
        }
    }

    /// True when the assessment report in this format can show the score over time
    /// (`assess --history`).
    pub fn shows_trend(self) -> bool {
        match self {
            Format::Html => true,
            Format::Table | Format::Json => false,
        }
    }
}

/// How a human-readable renderer should look.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Emit ANSI colours.
    pub color: bool,
    /// Table width in columns; `None` lets the table fit the terminal.
    pub width: Option<u16>,
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
