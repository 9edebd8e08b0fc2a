//! Reading an input's bytes (memory-mapped file, or standard input) and checking its
//! encoding before any JSON is parsed.

use crate::diag::Diagnostic;
use std::io::Read;
use std::ops::Deref;
use std::path::{Path, PathBuf};

/// One input named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSpec {
    /// Standard input (`-`, or no FILE).
    Stdin,
    /// A file.
    Path(PathBuf),
    /// Text held in memory, under a display name (tests, embedded data).
    Text { name: String, text: String },
}

impl InputSpec {
    /// The name under which messages refer to the input.
    pub fn display_name(&self) -> String {
        match self {
            InputSpec::Stdin => "<stdin>".to_string(),
            InputSpec::Path(p) => p.display().to_string(),
            InputSpec::Text { name, .. } => name.clone(),
        }
    }

    /// The file extension, lower-cased, if the input is a file.
    pub fn extension(&self) -> Option<String> {
        let path: &Path = match self {
            InputSpec::Path(p) => p,
            InputSpec::Text { name, .. } => Path::new(name),
            InputSpec::Stdin => return None,
        };
        path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase())
    }
}

/// An input's bytes: mapped from a file (so the page cache, not the heap, holds them),
/// or owned.
pub enum Bytes {
    Mapped(memmap2::Mmap),
    Owned(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Mapped(m) => m,
            Bytes::Owned(v) => v,
        }
    }
}

/// Reads an input whole.
pub fn read(spec: &InputSpec) -> Result<Bytes, Diagnostic> {
    let name = spec.display_name();
    let unreadable = |e: std::io::Error| {
        let mut d = Diagnostic::error("unreadable-input", format!("cannot read the input: {e}"));
        d.file = Some(name.clone());
        d
    };
    match spec {
        InputSpec::Stdin => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(unreadable)?;
            Ok(Bytes::Owned(buf))
        }
        InputSpec::Text { text, .. } => Ok(Bytes::Owned(text.clone().into_bytes())),
        InputSpec::Path(path) => {
            let file = std::fs::File::open(path).map_err(unreadable)?;
            let meta = file.metadata().map_err(unreadable)?;
            if meta.is_dir() {
                return Err(unreadable(std::io::Error::other("it is a directory")));
            }
            if !meta.is_file() || meta.len() == 0 {
                // Pipes and devices cannot be mapped; empty files need no mapping.
                let mut buf = Vec::new();
                (&file).read_to_end(&mut buf).map_err(unreadable)?;
                return Ok(Bytes::Owned(buf));
            }
            // SAFETY: the map is only read. A file truncated by another process while we
            // read it could fault; that is the accepted trade-off of every mapping reader,
            // and it is what keeps multi-gigabyte inventories out of the heap.
            match unsafe { memmap2::Mmap::map(&file) } {
                Ok(map) => Ok(Bytes::Mapped(map)),
                Err(_) => {
                    let mut buf = Vec::new();
                    (&file).read_to_end(&mut buf).map_err(unreadable)?;
                    Ok(Bytes::Owned(buf))
                }
            }
        }
    }
}

/// What an input that is not UTF-8 text is, told from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Foreign {
    Utf16,
    Utf32Le,
    Utf32Be,
    /// NUL bytes in no UTF-16 or UTF-32 pattern (a file of zeros, a binary).
    Binary,
}

impl Foreign {
    fn code(self) -> &'static str {
        match self {
            Foreign::Utf16 => "utf16-input",
            Foreign::Utf32Le | Foreign::Utf32Be => "utf32-input",
            Foreign::Binary => "binary-input",
        }
    }

    fn message(self) -> String {
        let resave =
            "re-save it as UTF-8, e.g. `Get-Content in.json | Set-Content -Encoding utf8 out.json`, \
                      or use `Out-File -Encoding utf8`";
        match self {
            Foreign::Utf16 => {
                format!("the input is UTF-16 (as Windows PowerShell's `>` writes it), not UTF-8: {resave}")
            }
            Foreign::Utf32Le => format!("the input is UTF-32 (little-endian), not UTF-8: {resave}"),
            Foreign::Utf32Be => format!("the input is UTF-32 (big-endian), not UTF-8: {resave}"),
            Foreign::Binary => {
                "the input is binary (it holds NUL bytes), not JSON: expected JSON text in UTF-8".to_string()
            }
        }
    }
}

/// The encoding of `head` (an input's first bytes) when it is not UTF-8: by its byte-order
/// mark, else by where its NUL bytes fall: JSON text starts with an ASCII character, which
/// is one byte beside three NULs in UTF-32 (whose every unit has a NUL high byte) and one
/// beside one NUL in UTF-16. NULs in no such place (or nothing else) are a binary.
fn foreign_encoding(head: &[u8]) -> Option<Foreign> {
    if head.starts_with(&[0xFF, 0xFE, 0, 0]) {
        return Some(Foreign::Utf32Le);
    }
    if head.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Some(Foreign::Utf32Be);
    }
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return Some(Foreign::Utf16);
    }
    if !head.contains(&0) {
        return None;
    }
    let all_units = |n: usize, nul: usize| head.chunks_exact(n).all(|u| u[nul] == 0);
    match head {
        _ if head.iter().all(|&b| b == 0) => Some(Foreign::Binary),
        [a, 0, 0, 0, ..] if *a != 0 && all_units(4, 3) => Some(Foreign::Utf32Le),
        [0, 0, 0, a, ..] if *a != 0 && all_units(4, 0) => Some(Foreign::Utf32Be),
        [a, 0, ..] | [0, a, ..] if *a != 0 => Some(Foreign::Utf16),
        _ => Some(Foreign::Binary),
    }
}

/// The input as UTF-8 text without its byte-order mark, or the reason it is not.
pub fn decode<'a>(name: &str, bytes: &'a [u8]) -> Result<&'a str, Diagnostic> {
    let located = |code, msg: String| {
        let mut d = Diagnostic::error(code, msg);
        d.file = Some(name.to_string());
        d
    };
    if let Some(foreign) = foreign_encoding(&bytes[..bytes.len().min(64)]) {
        return Err(located(foreign.code(), foreign.message()));
    }
    let body = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let text = std::str::from_utf8(body).map_err(|e| {
        let upto = &body[..e.valid_up_to()];
        let line = upto.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = upto.len() - upto.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) + 1;
        let mut d = located(
            "invalid-utf8",
            "the input is not valid UTF-8: expected JSON text in UTF-8".to_string(),
        );
        d.line = Some(line);
        d.column = Some(column);
        d
    })?;
    if text.trim().is_empty() {
        return Err(located(
            "empty-input",
            "the input is empty: expected a JSON document or JSON Lines".to_string(),
        ));
    }
    Ok(text)
}

/// Fails when the text is markup (HTML, such as securescore's own HTML report, or XML)
/// rather than JSON: one line saying so, not a JSON syntax error at its first `<`.
pub fn refuse_markup(name: &str, text: &str) -> Result<(), Diagnostic> {
    if !text.trim_start().starts_with('<') {
        return Ok(());
    }
    let mut d = Diagnostic::error(
        "not-an-inventory",
        "the input is HTML or XML, not JSON (an HTML report cannot be read back): pass the inventory, or \
         Azure's JSON export",
    );
    d.file = Some(name.to_string());
    Err(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_utf16_and_empty_and_accepts_bom() {
        let utf16: Vec<u8> = "{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode("f", &utf16).unwrap_err().code, "utf16-input");
        let with_bom = [&[0xFF, 0xFE][..], &utf16].concat();
        assert_eq!(decode("f", &with_bom).unwrap_err().code, "utf16-input");
        assert_eq!(decode("f", b"  \r\n").unwrap_err().code, "empty-input");
        assert_eq!(decode("f", b"").unwrap_err().code, "empty-input");
        assert_eq!(decode("f", b"\xEF\xBB\xBF{}").unwrap(), "{}");
        let bad = decode("f", b"{\n \"a\": \"\xFF\"}").unwrap_err();
        assert_eq!(
            (bad.code, bad.line, bad.column),
            ("invalid-utf8", Some(2), Some(8))
        );
    }

    #[test]
    fn names_utf32_and_nul_bytes_rightly() {
        let utf32le: Vec<u8> = "{\"a\":\"\u{1F600}\"}"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let utf32be: Vec<u8> = "[1]".chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let code = |b: &[u8]| decode("f", b).unwrap_err().code;
        assert_eq!(code(&utf32le), "utf32-input");
        assert_eq!(code(&utf32be), "utf32-input");
        assert!(decode("f", &utf32le)
            .unwrap_err()
            .message
            .contains("little-endian"));
        assert!(decode("f", &utf32be).unwrap_err().message.contains("big-endian"));
        // With their byte-order marks, which begin as UTF-16's do.
        assert_eq!(code(&[&[0xFF, 0xFE, 0, 0][..], &utf32le].concat()), "utf32-input");
        assert_eq!(code(&[&[0, 0, 0xFE, 0xFF][..], &utf32be].concat()), "utf32-input");
        // UTF-16 big-endian, and little-endian with a character of two non-NUL bytes.
        let utf16be: Vec<u8> = "[1]".encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(code(&utf16be), "utf16-input");
        let utf16le: Vec<u8> = "[\"\u{4E2D}\"]"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        assert_eq!(code(&utf16le), "utf16-input");
        // NULs alone, or after UTF-8 text, or in a binary's header are none of these.
        assert_eq!(code(&[0; 100]), "binary-input");
        assert_eq!(code(&[0]), "binary-input");
        assert_eq!(code(b"{\"a\": 1}\0\0\0\0"), "binary-input");
        assert_eq!(code(b"\x7fELF\x02\x01\x01\0\0\0"), "binary-input");
    }

    #[test]
    fn markup_is_refused_and_json_is_not() {
        let html = refuse_markup("r.html", "\n  <!DOCTYPE html><html>").unwrap_err();
        assert_eq!(
            (html.code, html.file.as_deref()),
            ("not-an-inventory", Some("r.html"))
        );
        assert!(refuse_markup("x.xml", "<?xml version=\"1.0\"?>").is_err());
        assert!(refuse_markup("a.json", " {\"assessments\": []}").is_ok());
        assert!(refuse_markup("a.json", "[\"<b>\"]").is_ok());
    }
}
