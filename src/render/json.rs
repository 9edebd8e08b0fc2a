//! The JSON format: each document's stable machine-readable shape, pretty-printed, with a
//! final newline.

use super::Document;
use serde::Serialize;
use std::io::{self, Write};

/// Writes `doc` as JSON.
pub fn render(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    match doc {
        // The report's JSON is the report alone: the explanations are `explain`'s JSON
        // and the trend is `trend`'s.
        Document::Report { report, .. } => write(report, out),
        Document::Models(m) => write(m, out),
        Document::Explanation(e) => write(e, out),
        Document::Plan(p) => write(p, out),
        Document::Diff(d) => write(d, out),
        Document::Trend(t) => write(t, out),
        Document::Validation(v) => write(v, out),
        Document::Listing(l) => write(l, out),
    }
}

/// Writes `value` as pretty-printed JSON followed by a newline.
fn write<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
