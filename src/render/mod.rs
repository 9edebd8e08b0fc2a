//! Renderers: each writes a finished report value to a `Write`, in one format.

pub mod diff;
pub mod explain;
pub mod html;
pub mod json;
pub mod plan;
pub mod table;
pub mod trend;

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
