//! Turning byte offsets in an input into line and column numbers, and serde errors into
//! located diagnostics.

use crate::diag::{Diagnostic, Origin};
use serde_path_to_error::Segment;

/// Finds line and column numbers in one input's text. Lookups usually move forward, so it
/// keeps its place instead of counting from the start each time.
pub struct Locator<'a> {
    text: &'a str,
    name: String,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Locator<'a> {
    /// A locator over `text`, the input called `name`.
    pub fn new(name: &str, text: &'a str) -> Locator<'a> {
        Locator {
            text,
            name: name.to_string(),
            offset: 0,
            line: 1,
            line_start: 0,
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
            (self.offset, self.line, self.line_start) = (0, 1, 0);
        }
        for (i, b) in self.text.as_bytes()[self.offset..offset].iter().enumerate() {
            if *b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        (self.line, offset - self.line_start + 1)
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
        let (base_line, base_col) = self.line_col(self.offset_of(slice));
        let (line, column) = match (err.line(), err.column()) {
            (0, _) => (base_line, base_col),
            (1, c) => (base_line, base_col + c.saturating_sub(1)),
            (l, c) => (base_line + l - 1, c),
        };
        let text = err.to_string();
        let message = match text.rfind(" at line ") {
            Some(i) => text[..i].to_string(),
            None => text,
        };
        let code = match err.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => "malformed-json",
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
    fn relative_serde_positions_become_absolute() {
        let text = "{\"a\": 1}\n  {\"x\":\n tru}";
        let mut loc = Locator::new("t", text);
        let part = &text[11..];
        let err = serde_json::from_str::<serde_json::Value>(part).unwrap_err();
        let d = loc.json_error(part, String::new(), &err);
        assert_eq!((d.line, d.code), (Some(3), "malformed-json"));
    }
}
