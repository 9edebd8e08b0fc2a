//! The markdown format (SPEC §8): GitHub-flavoured markdown for a CI step summary
//! (`$GITHUB_STEP_SUMMARY`), a pull or merge request comment, or a wiki page. One file
//! per document kind, as in `table/`; here the escaping every one of them uses and the
//! table writer.
//!
//! Text from an input never becomes markup: it goes through [`escape`] and only into a
//! table cell, a heading after fixed words, or a sentence after fixed words, never at the
//! start of a line, where a leading `-`, `+`, `1.` or `>` would start a block. Numbers and
//! the program's own words are written as they are.

mod diff;
mod explain;
mod plan;
mod report;
mod trend;

use super::{Document, RenderOptions};
use crate::text::controls_escaped;
use std::io::{self, Write};

/// Writes `doc` as markdown. `validate` and `controls` have no markdown (SPEC §4).
pub fn render(doc: &Document, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    match doc {
        // The explanations and the trend are the HTML page's extras, as in the table.
        Document::Report { report, .. } => report::write(report, options.top, out),
        Document::Explanation(e) => explain::write(e, out),
        Document::Plan(p) => plan::write(p, out),
        Document::Diff(d) => diff::write(d, out),
        Document::Trend(t) => trend::write(t, out),
        Document::Models(_) | Document::Validation(_) | Document::Listing(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("the markdown format has no page for the {}", doc.name()),
        )),
    }
}

/// An empty HTML comment: it splits the text around it into two text nodes, so that
/// what GitHub and GitLab find in one text node after rendering (an `@` mention, a `#12`
/// reference, a bare `https://` or `www.` link) is not found, and it shows nothing.
const SPLIT: &str = "<!-- -->";

/// Text from an input, made inert in markdown (SPEC §8), for a table cell or the middle
/// of a line:
/// - control and bidirectional characters are shown as `\u{…}`, as on a terminal (§6);
/// - `\`, `` ` ``, `*`, `_`, `[`, `]`, `|`, `~` and `$` (GitHub's maths) are escaped with
///   a backslash, so they open no code, emphasis, link, cell, strike-through or formula;
/// - `<`, `>` and `&` are written as entities, so there is no HTML, autolink or entity;
/// - `@` and `#` are followed by an empty comment (`SPLIT`), so no mention pings anyone,
///   no issue is referenced and no `#` starts a heading; so are the `:` of `://` and the
///   `www` of `www.`, so no bare address becomes a link.
pub fn escape(text: &str) -> String {
    let visible = controls_escaped(text);
    let mut out = String::with_capacity(visible.len() + 16);
    let mut rest: &str = &visible;
    while let Some(c) = rest.chars().next() {
        let mut taken = c.len_utf8();
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' | '$' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '@' | '#' => {
                out.push(c);
                out.push_str(SPLIT);
            }
            ':' if rest[1..].starts_with("//") => {
                out.push(':');
                out.push_str(SPLIT);
            }
            'w' | 'W' if rest.get(..4).is_some_and(|w| w.eq_ignore_ascii_case("www.")) => {
                out.push_str(&rest[..3]);
                out.push_str(SPLIT);
                taken = 3;
            }
            c => out.push(c),
        }
        rest = &rest[taken..];
    }
    out
}

/// A column's alignment.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Right,
}

/// Writes a table: a header row (`columns`: each header with its alignment), the
/// delimiter row, then one line per row. Cells hold markdown already: escaped text, or
/// the program's own words and numbers.
fn write_table(out: &mut dyn Write, columns: &[(&str, Align)], rows: &[Vec<String>]) -> io::Result<()> {
    let header: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
    let delimiter: Vec<&str> = columns
        .iter()
        .map(|(_, align)| match align {
            Align::Left => "---",
            Align::Right => "--:",
        })
        .collect();
    writeln!(out, "| {} |", header.join(" | "))?;
    writeln!(out, "|{}|", delimiter.join("|"))?;
    for row in rows {
        writeln!(out, "| {} |", row.join(" | "))?;
    }
    Ok(())
}

/// The warnings of a document, as a table (in its `<details>` block), or a sentence when
/// there are none.
fn write_warnings(out: &mut dyn Write, warnings: &[crate::report::WarningOut]) -> io::Result<()> {
    if warnings.is_empty() {
        return writeln!(out, "No warnings.");
    }
    let rows: Vec<Vec<String>> = warnings
        .iter()
        .map(|w| {
            let place = match (&w.file, &w.path) {
                (Some(f), Some(p)) => format!("{f}:{p}"),
                (Some(f), None) => f.clone(),
                (None, Some(p)) => p.clone(),
                (None, None) => String::new(),
            };
            vec![escape(w.code), escape(&place), escape(&w.message)]
        })
        .collect();
    write_table(
        out,
        &[
            ("Code", Align::Left),
            ("Where", Align::Left),
            ("Message", Align::Left),
        ],
        &rows,
    )
}

/// `n` and the noun, in the plural unless `n` is 1 (`1 scope`, `3 scopes`).
fn count<N: std::fmt::Display + PartialEq + From<u8>>(n: N, noun: &str) -> String {
    let plural = if n == N::from(1) { "" } else { "s" };
    format!("{n} {noun}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(escape("a|b"), "a\\|b");
        assert_eq!(escape("`code`"), "\\`code\\`");
        assert_eq!(escape("*bold* _it_"), "\\*bold\\* \\_it\\_");
        assert_eq!(escape("[x](y)"), "\\[x\\](y)");
        assert_eq!(escape("~~gone~~ $x$"), "\\~\\~gone\\~\\~ \\$x\\$");
        // A backslash of the input escapes nothing of ours.
        assert_eq!(escape("\\*"), "\\\\\\*");
        assert_eq!(escape("plain words, 1.5 (ok)"), "plain words, 1.5 (ok)");
    }

    #[test]
    fn html_is_written_as_entities() {
        assert_eq!(
            escape("<script>alert(1)</script> & <b>"),
            "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;"
        );
        // An entity of the input shows as itself.
        assert_eq!(escape("&amp;"), "&amp;amp;");
    }

    #[test]
    fn mentions_references_and_headings_are_split() {
        assert_eq!(escape("@user"), "@<!-- -->user");
        assert_eq!(escape("a@b.example"), "a@<!-- -->b.example");
        assert_eq!(escape("# Heading"), "#<!-- --> Heading");
        assert_eq!(escape("fix #12"), "fix #<!-- -->12");
    }

    #[test]
    fn bare_addresses_do_not_become_links() {
        assert_eq!(escape("https://evil.example/x"), "https:<!-- -->//evil.example/x");
        assert_eq!(escape("see www.evil.example"), "see www<!-- -->.evil.example");
        assert_eq!(escape("WWW.X"), "WWW<!-- -->.X");
        // Only the sequences that link are split.
        assert_eq!(escape("a: b, www, wwwx"), "a: b, www, wwwx");
        assert_eq!(escape("w"), "w");
    }

    #[test]
    fn control_characters_are_shown_as_on_a_terminal() {
        // The `\` of `\u{…}` is escaped, so the page shows `\u{1b}` as a terminal does.
        assert_eq!(escape("a\u{1b}[31m"), "a\\\\u{1b}\\[31m");
        assert_eq!(escape("x\ny\r\tz"), "x\\\\u{a}y\\\\u{d}\\\\u{9}z");
        assert_eq!(escape("\u{202e}evil"), "\\\\u{202e}evil");
        assert!(!escape("a\nb\u{2028}c").contains(['\n', '\u{2028}']));
    }

    #[test]
    fn non_ascii_text_is_kept() {
        assert_eq!(escape("Zürich → 東京 ✓"), "Zürich → 東京 ✓");
        // `www.` found after multi-byte characters too.
        assert_eq!(escape("é www.x"), "é www<!-- -->.x");
    }

    #[test]
    fn tables_align_numbers_right() {
        let mut out = Vec::new();
        write_table(
            &mut out,
            &[("Name", Align::Left), ("N", Align::Right)],
            &[vec!["a".to_string(), "1".to_string()]],
        )
        .unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "| Name | N |\n|---|--:|\n| a | 1 |\n"
        );
    }

    #[test]
    fn catalog_and_validation_have_no_markdown() {
        let listing = crate::listing::CatalogListing {
            schema: "securescore.controls/v1",
            total_max_score: 0.0,
            controls: Vec::new(),
        };
        let options = RenderOptions {
            style: crate::render::Style {
                color: false,
                width: 80,
            },
            top: None,
        };
        let mut out = Vec::new();
        let err = render(&Document::Listing(&listing), &options, &mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Unsupported);
        assert!(out.is_empty());
    }
}
