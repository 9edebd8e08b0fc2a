//! Turning byte offsets in an input into line and column numbers, and serde errors into
//! located diagnostics.

use crate::diag::{Diagnostic, Origin};
use serde_path_to_error::Segment;

/// Finds line and column numbers in one input's text, or in a piece of a stream (a
/// document or a line) that starts at a known place. Lookups usually move forward, so it
/// keeps its place instead of counting from the start each time.
pub struct Locator<'a> {
    text: &'a str,
    name: String,
    offset: usize,
    line: usize,
    line_start: usize,
    /// Where the text starts in its input: 1 and 1 for a whole input.
    first_line: usize,
    first_column: usize,
}

impl<'a> Locator<'a> {
    /// A locator over `text`, the input called `name`.
    pub fn new(name: &str, text: &'a str) -> Locator<'a> {
        Locator::at(name, text, 1, 1)
    }

    /// A locator over `text`, a piece of the input called `name` that starts at `line`
    /// and `column` of it.
    pub fn at(name: &str, text: &'a str, line: usize, column: usize) -> Locator<'a> {
        Locator {
            text,
            name: name.to_string(),
            offset: 0,
            line,
            line_start: 0,
            first_line: line,
            first_column: column,
        }
    }

    /// The input's display name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The byte offset of `slice`, which must lie inside the text.
    pub fn offset_of(&self, slice: &str) -> usize {
        (slice.as_ptr() as usize).saturating_sub(self.text.as_ptr() as usize)
    }

    /// 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&mut self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            (self.offset, self.line, self.line_start) = (0, self.first_line, 0);
        }
        for (i, b) in self.text.as_bytes()[self.offset..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        let column = offset - self.line_start + 1;
        if self.line == self.first_line {
            // Still on the piece's first line, which started at its first column.
            (self.line, column + self.first_column - 1)
        } else {
            (self.line, column)
        }
    }

    /// Where `slice` starts, with a JSON path.
    pub fn origin(&mut self, slice: &str, path: String) -> Origin {
        let (line, column) = self.line_col(self.offset_of(slice));
        Origin {
            file: self.name.clone(),
            line: Some(line),
            column: Some(column),
            path: (!path.is_empty()).then_some(path),
        }
    }

    /// A diagnostic for a serde_json error met while parsing `slice` (a part of the
    /// text), whose own positions are relative to `slice`.
    pub fn json_error(&mut self, slice: &str, path: String, err: &serde_json::Error) -> Diagnostic {
        let eof = err.classify() == serde_json::error::Category::Eof;
        let at = self.offset_of(slice) + error_offset(slice, err.line(), err.column(), eof);
        let (line, column) = self.line_col(at);
        let text = err.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let code = match err.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "malformed-json",
            _ if message.starts_with("duplicate key") => "malformed-json",
            _ if message.starts_with("missing field") => "missing-field",
            _ if message.starts_with("invalid type") => "wrong-type",
            _ => "invalid-value",
        };
        let message = if code == "malformed-json" {
            format!("malformed JSON: {message}")
        } else {
            message
        };
        Diagnostic::error(code, message).at(Origin {
            file: self.name.clone(),
            line: Some(line),
            column: Some(column),
            path: (!path.is_empty()).then_some(path),
        })
    }
}

/// The byte offset in `slice` that a serde_json position (1-based line, column counting
/// the bytes of the line read so far, so 0 right after a line break) points at: the byte
/// that stopped the parser, or, at the end of the input, the place just after the last
/// byte, where the missing text belongs. Line 0 (no position) is the slice's start.
fn error_offset(slice: &str, line: usize, column: usize, eof: bool) -> usize {
    if line == 0 {
        return 0;
    }
    let line_start = if line == 1 {
        0
    } else {
        slice
            .bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .nth(line - 2)
            .map_or(slice.len(), |(i, _)| i + 1)
    };
    let end = line_start + column;
    // Column 0 is the line break that ended the line before.
    let at = if eof { end } else { end.saturating_sub(1) };
    at.min(slice.len())
}

/// `prefix` followed by the path serde_path_to_error tracked, as `a.b[3].c`.
pub fn join_path(prefix: &str, path: &serde_path_to_error::Path) -> String {
    let mut out = prefix.to_string();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } => push_key(&mut out, key),
            Segment::Enum { variant } => push_key(&mut out, variant),
            Segment::Unknown => push_key(&mut out, "?"),
        }
    }
    out
}

/// Appends `.key` (or `key` at the start) to a JSON path.
pub fn push_key(path: &mut String, key: &str) {
    if !path.is_empty() {
        path.push('.');
    }
    path.push_str(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_lines_and_columns_forward_and_backward() {
        let text = "ab\ncde\n\nf";
        let mut loc = Locator::new("t", text);
        assert_eq!(loc.line_col(4), (2, 2));
        assert_eq!(loc.line_col(8), (4, 1));
        assert_eq!(loc.line_col(1), (1, 2));
    }

    #[test]
    fn a_piece_counts_from_where_it_starts() {
        // "[1,\n x]" starting at line 3, column 5 of its stream: `x` is at 4:2, `1` at 3:6.
        let text = "[1,\n x]";
        let mut loc = Locator::at("t", text, 3, 5);
        assert_eq!(loc.line_col(5), (4, 2));
        assert_eq!(loc.line_col(1), (3, 6));
    }

    #[test]
    fn relative_serde_positions_become_absolute() {
        let text = "{\"a\": 1}\n  {\"x\":\n tru}";
        let mut loc = Locator::new("t", text);
        let part = &text[11..];
        let err = serde_json::from_str::<serde_json::Value>(part).unwrap_err();
        let d = loc.json_error(part, String::new(), &err);
        assert_eq!((d.line, d.code), (Some(3), "malformed-json"));
    }

    /// The place of a serde_json error in `text`, read whole.
    fn place(text: &str) -> (Option<usize>, Option<usize>) {
        let mut loc = Locator::new("t", text);
        let err = serde_json::Deserializer::from_str(text)
            .into_iter::<serde_json::Value>()
            .find_map(Result::err)
            .unwrap();
        let d = loc.json_error(text, String::new(), &err);
        (d.line, d.column)
    }

    #[test]
    fn columns_are_one_based_at_the_end_of_the_input_and_of_a_line() {
        // Ends after the colon: the value is missing just after it (column 11).
        assert_eq!(place("{\"broken\":"), (Some(1), Some(11)));
        // ... and after a line break: the start of the empty last line, not column 0.
        assert_eq!(place("{\"broken\":\n"), (Some(2), Some(1)));
        assert_eq!(place("{\"a\": 1}\r\n{\"broken\":"), (Some(2), Some(11)));
        // A line break that stops the parser is the last byte of its line.
        assert_eq!(place("{\"a\": tru\n}"), (Some(1), Some(10)));
        // Any other byte is pointed at itself.
        assert_eq!(place("{\"a\": 1 \"b\": 2}"), (Some(1), Some(9)));
        assert_eq!(place("[1,\n  x]"), (Some(2), Some(3)));
    }

    #[test]
    fn json_lines_errors_point_into_their_line() {
        let text = "{\"a\": 1}\n{\"broken\":\n";
        let mut loc = Locator::new("t", text);
        // The second line without its line break, as the JSON Lines reader takes it.
        let line = &text[9..19];
        assert_eq!(line, "{\"broken\":");
        let err = serde_json::from_str::<serde_json::Value>(line).unwrap_err();
        let d = loc.json_error(line, String::new(), &err);
        assert_eq!((d.line, d.column), (Some(2), Some(11)));
    }
}
