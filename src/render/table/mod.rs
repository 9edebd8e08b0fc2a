//! The table format: human-readable text and tables for a terminal or a log, readable at
//! 80 columns. One file per document kind; here the shared table look and the dispatch.

mod diff;
mod explain;
mod listing;
mod plan;
mod report;
mod side_by_side;
mod trend;
mod validation;

use super::{Document, RenderOptions, Style};
use crate::text::{fmt2, log_safe, signed, terminal_safe};
use comfy_table::{
    presets, Cell, CellAlignment, ColumnConstraint, ContentArrangement, Table, TableComponent, Width,
};
use std::borrow::Cow;
use std::io::{self, Write};

/// Writes `doc` as text, with no trailing space on any line (comfy-table pads every
/// cell, the last one too). Every piece from an input was made [`terminal_safe`]; the
/// whole goes through [`log_safe`] too, so that no line can hold a CI log command
/// whatever the pieces form together.
pub fn render(doc: &Document, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    render_padded(doc, options, &mut text)?;
    let text = strip_trailing_spaces(&text);
    out.write_all(log_safe(&String::from_utf8_lossy(&text)).as_bytes())
}

fn render_padded(doc: &Document, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let style = options.style;
    match doc {
        // The explanations and the trend are the HTML page's extras; the table shows the
        // report alone (`explain` and `trend` show the rest).
        Document::Report { report, .. } => report::write(report, style, options.top, out),
        Document::Models(m) => side_by_side::write(m, style, options.top, out),
        Document::Explanation(e) => explain::write(e, style, out),
        Document::Plan(p) => plan::write(p, style, out),
        Document::Diff(d) => diff::write(d, style, out),
        Document::Trend(t) => trend::write(t, style, out),
        Document::Validation(v) => validation::write(v, out),
        Document::Listing(l) => listing::write(l, style, out),
    }
}

/// `text` with the spaces at the end of each line removed.
fn strip_trailing_spaces(text: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len());
    for line in text.split_inclusive(|&b| b == b'\n') {
        let (body, newline) = match line.split_last() {
            Some((b'\n', body)) => (body, true),
            _ => (line, false),
        };
        let end = body.iter().rposition(|&b| b != b' ').map_or(0, |i| i + 1);
        out.extend_from_slice(&body[..end]);
        if newline {
            out.push(b'\n');
        }
    }
    out
}

/// The longest word a table keeps whole: a GUID in parentheses with a comma after it
/// (39 characters) fits. A longer word (a resource or resource group id) may be broken
/// after a `/`; a column is never narrower than the longest word or piece up to this.
pub const MAX_WORD: usize = 40;

/// The most characters of a line a table cell shows; a longer line is cut, at a word or
/// `/` boundary within [`MAX_WORD`] characters before this when there is one (so an id's
/// GUID is never cut in two), and ends with `…`. It bounds the text the layout and
/// comfy-table wrap, whose work grows with the square of a line's length: a megabyte name
/// or label is shown by its start in linear time. JSON and HTML keep every text whole.
pub const MAX_CELL_LINE: usize = 400;

/// `text` with each line longer than [`MAX_CELL_LINE`] characters cut (see there); the
/// text itself when no line is.
fn fit_cell(text: &str) -> Cow<'_, str> {
    if text.split('\n').all(|line| cut_at(line).is_none()) {
        return Cow::Borrowed(text);
    }
    let lines: Vec<Cow<str>> = text
        .split('\n')
        .map(|line| match cut_at(line) {
            Some(end) => Cow::Owned(format!("{}…", line[..end].trim_end())),
            None => Cow::Borrowed(line),
        })
        .collect();
    Cow::Owned(lines.join("\n"))
}

/// The byte offset at which `line` is cut, if it is longer than [`MAX_CELL_LINE`]
/// characters: after its last space or `/` among the [`MAX_WORD`] characters before the
/// limit, else at the limit. One pass over at most the first [`MAX_CELL_LINE`] + 1 characters.
fn cut_at(line: &str) -> Option<usize> {
    let mut chars = line.char_indices().skip(MAX_CELL_LINE);
    let (limit, next) = chars.next()?;
    let window_start = line[..limit]
        .char_indices()
        .rev()
        .nth(MAX_WORD - 1)
        .map_or(0, |(i, _)| i);
    // Already at a boundary when the cut falls between words.
    if next.is_whitespace() {
        return Some(limit);
    }
    let boundary = line[window_start..limit]
        .rfind(|c: char| c.is_whitespace() || c == '/')
        .map(|i| window_start + i + 1);
    Some(boundary.unwrap_or(limit))
}

/// A table with the project's look: comfy-table's [`Table`] (its header, style and
/// column alignment, through `Deref`) and the rows, which [`write_table`] lays out so
/// that ids stay whole. It has no `Display`, so no table is written another way.
pub struct Grid {
    table: Table,
    rows: Vec<Vec<Cell>>,
}

impl std::ops::Deref for Grid {
    type Target = Table;

    fn deref(&self) -> &Table {
        &self.table
    }
}

impl std::ops::DerefMut for Grid {
    fn deref_mut(&mut self) -> &mut Table {
        &mut self.table
    }
}

impl Grid {
    /// Adds a row.
    pub fn add_row<C: Into<Cell>>(&mut self, row: Vec<C>) -> &mut Self {
        self.rows.push(row.into_iter().map(Into::into).collect());
        self
    }
}

/// The characters of `word` that must stay on one line: the whole word up to
/// [`MAX_WORD`], else its longest `/`-ended piece (up to [`MAX_WORD`] too).
fn unbreakable(word: &str) -> usize {
    let n = word.chars().count();
    if n <= MAX_WORD {
        return n;
    }
    word.split_inclusive('/')
        .map(|p| p.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_WORD)
}

/// The widest unbreakable part of any word of `text`.
fn longest_word(text: &str) -> usize {
    text.split_whitespace().map(unbreakable).max().unwrap_or(0)
}

/// `text` with each word wider than `width` broken into lines after a `/` (greedy: as
/// many pieces on a line as fit), so comfy-table need not cut it.
fn break_long_words(text: &str, width: usize) -> String {
    let break_word = |word: &str| {
        if word.chars().count() <= width {
            return word.to_string();
        }
        let mut lines: Vec<String> = vec![String::new()];
        for piece in word.split_inclusive('/') {
            let last = lines.last().map_or(0, |l| l.chars().count());
            if last > 0 && last + piece.chars().count() > width {
                lines.push(String::new());
            }
            if let Some(l) = lines.last_mut() {
                l.push_str(piece);
            }
        }
        lines.join("\n")
    };
    text.split('\n')
        .map(|line| line.split(' ').map(break_word).collect::<Vec<_>>().join(" "))
        .collect::<Vec<_>>()
        .join("\n")
}

/// A table with the project's look, `style.width` columns wide at most.
pub fn new_table(style: Style, header: &[&str]) -> Grid {
    let mut table = Table::new();
    table
        .load_preset(presets::UTF8_HORIZONTAL_ONLY)
        .remove_style(TableComponent::HorizontalLines)
        .remove_style(TableComponent::MiddleIntersections)
        .remove_style(TableComponent::LeftBorderIntersections)
        .remove_style(TableComponent::RightBorderIntersections)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_header(header.iter().copied())
        .set_width(style.width);
    if style.color {
        // Only the text: a coloured padding space would end a line.
        table.enforce_styling().style_text_only();
    } else {
        table.force_no_tty();
    }
    Grid {
        table,
        rows: Vec::new(),
    }
}

/// Writes `grid` and a newline, its columns laid out by `column_widths` so that names
/// wrap at spaces and ids stay whole (a long id broken after a `/`), each cell's lines
/// cut to [`MAX_CELL_LINE`] characters first.
pub fn write_table(out: &mut dyn Write, grid: &Grid) -> io::Result<()> {
    let mut table = grid.table.clone();
    let rows: Vec<Vec<Cell>> = grid
        .rows
        .iter()
        .map(|row| row.iter().map(fitted).collect())
        .collect();
    let mut columns: Vec<ColumnText> = Vec::new();
    let mut measure = |i: usize, text: &str, is_header: bool| {
        if columns.len() <= i {
            columns.resize(i + 1, ColumnText::default());
        }
        let c = &mut columns[i];
        let line = text.lines().map(|l| l.chars().count()).max().unwrap_or(0);
        c.longest_line = c.longest_line.max(line);
        if is_header {
            c.header_word = c.header_word.max(longest_word(text));
        } else {
            c.longest_word = c.longest_word.max(longest_word(text));
        }
    };
    if let Some(header) = table.header() {
        for (i, cell) in header.cell_iter().enumerate() {
            measure(i, &cell.content(), true);
        }
    }
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            measure(i, &cell.content(), false);
        }
    }
    let width = usize::from(table.width().unwrap_or(crate::output::DEFAULT_WIDTH));
    let widths = column_widths(&columns, width);
    for (i, &w) in widths.iter().enumerate() {
        // The constraint counts the cell's padding (one space each side).
        let w = u16::try_from(w + 2).unwrap_or(u16::MAX);
        if let Some(c) = table.column_mut(i) {
            c.set_constraint(ColumnConstraint::Absolute(Width::Fixed(w)));
        }
    }
    for row in &rows {
        let cells: Vec<Cell> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let text = cell.content();
                let w = widths.get(i).copied().unwrap_or(width);
                if text.split_whitespace().any(|word| word.chars().count() > w) {
                    // A plain cell: only ids this long are broken, and they carry no colour.
                    Cell::new(break_long_words(&text, w))
                } else {
                    cell.clone()
                }
            })
            .collect();
        table.add_row(cells);
    }
    writeln!(out, "{table}")
}

/// `cell`, or a plain cell with its text cut when a line of it is too long (see
/// [`fit_cell`]; only a long name or label is, and it carries no colour).
fn fitted(cell: &Cell) -> Cell {
    match fit_cell(&cell.content()) {
        Cow::Borrowed(_) => cell.clone(),
        Cow::Owned(text) => Cell::new(text),
    }
}

/// The fewest characters of a header word on one line when the width is short (a table
/// with an id to keep whole can be): `Resou` / `rces` stays readable.
const HEADER_PIECE: usize = 5;

/// What a column holds, measured in characters.
#[derive(Clone, Copy, Debug, Default)]
struct ColumnText {
    /// Its longest line: the width it needs not to wrap.
    longest_line: usize,
    /// The widest unbreakable part of a word of its cells (see [`unbreakable`]): below
    /// this an id would be cut.
    longest_word: usize,
    /// The longest word of its header: below this a header word wraps.
    header_word: usize,
}

/// The content width of each column in a table `width` characters wide (each column
/// adds a space of padding on each side, and columns are a space apart). Every column
/// gets its cells' longest word, so no id is cut, and [`HEADER_PIECE`] characters of its
/// header's longest word; then, while width is left, each its header's longest word, then
/// its longest line, the columns that need the least first.
/// A table whose words do not fit is wider than asked. (comfy-table's own lower bounds
/// are not kept once it shares out the space, hence this.)
fn column_widths(columns: &[ColumnText], width: usize) -> Vec<usize> {
    let overhead = (3 * columns.len()).saturating_sub(1);
    let mut widths: Vec<usize> = columns
        .iter()
        .map(|c| c.longest_word.max(c.header_word.min(HEADER_PIECE)).max(1))
        .collect();
    let mut spare = width.saturating_sub(overhead + widths.iter().sum::<usize>());
    let tiers: [fn(&ColumnText) -> usize; 2] = [|c| c.header_word.max(c.longest_word), |c| c.longest_line];
    for target in tiers {
        let mut order: Vec<(usize, usize)> = columns
            .iter()
            .zip(&widths)
            .enumerate()
            .map(|(i, (c, &w))| (target(c).saturating_sub(w), i))
            .collect();
        order.sort_unstable();
        for (want, i) in order {
            let given = want.min(spare);
            widths[i] += given;
            spare -= given;
        }
    }
    widths
}

/// The table of controls whose current score moved: each row a control's name (its id
/// when it has none), its score on each side (`-` where that side lacks it) and the
/// change; `sides` names the two score columns.
pub fn control_moves<'a>(
    style: Style,
    sides: [&str; 2],
    rows: impl Iterator<Item = (Option<&'a str>, &'a str, Option<f64>, Option<f64>, f64)>,
) -> Grid {
    row_moves(style, ["Control", sides[0], sides[1]], rows)
}

/// [`control_moves`] of rows of any kind: `headers` names the row's column and the two
/// sides.
pub fn row_moves<'a>(
    style: Style,
    headers: [&str; 3],
    rows: impl Iterator<Item = (Option<&'a str>, &'a str, Option<f64>, Option<f64>, f64)>,
) -> Grid {
    let mut table = new_table(style, &[headers[0], headers[1], headers[2], "Change"]);
    let show = |v: Option<f64>| v.map_or("-".to_string(), fmt2);
    for (name, id, from, to, change) in rows {
        table.add_row(vec![
            terminal_safe(name.unwrap_or(id)).into_owned(),
            show(from),
            show(to),
            signed(change),
        ]);
    }
    align_right(&mut table, &[1, 2, 3]);
    table
}

/// Right-aligns the given columns.
pub fn align_right(table: &mut Grid, columns: &[usize]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailing_spaces_go_and_nothing_else_changes() {
        assert_eq!(strip_trailing_spaces(b" a  b  \n\n  \nc "), b" a  b\n\n\nc");
        assert_eq!(strip_trailing_spaces(b"x\n"), b"x\n");
    }

    #[test]
    fn long_ids_break_after_a_slash_and_guids_stay_whole() {
        let id = "/subscriptions/3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384/resourcegroups/rg-web";
        // Pieces of 15, 37 (the GUID and its slash), 15 and 6 characters: 15 + 37 = 52 and
        // 37 + 15 = 52 exceed 48, 15 + 6 = 21 does not.
        assert_eq!(
            break_long_words(id, 48),
            "/subscriptions/\n3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384/\nresourcegroups/rg-web"
        );
        assert_eq!(break_long_words(&format!("x {id}"), 80), format!("x {id}"));
        // The unbreakable part of the id is its GUID piece; of a GUID, the whole GUID.
        assert_eq!(longest_word(id), 37);
        assert_eq!(longest_word("name (3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384)"), 38);
    }

    fn column(word: usize, header: usize, line: usize) -> ColumnText {
        ColumnText {
            longest_line: line,
            longest_word: word,
            header_word: header,
        }
    }

    #[test]
    fn columns_get_their_longest_word_then_headers_then_lines() {
        // Everything fits in 80 (overhead 3 × 2 − 1 = 5): every column its longest line.
        assert_eq!(
            column_widths(&[column(10, 4, 30), column(5, 5, 5)], 80),
            vec![30, 5]
        );
        // 30 columns: 25 of content; the words (38 + 5) do not fit, so the table is wider
        // than asked rather than cut the id.
        assert_eq!(
            column_widths(&[column(38, 4, 60), column(5, 9, 5)], 30),
            vec![38, 5]
        );
        // 60 columns: 55 of content; 38 + 5 = 43, 12 left: the header wants 4 more (to 9),
        // then the long column takes the last 8.
        assert_eq!(
            column_widths(&[column(38, 4, 60), column(5, 9, 5)], 60),
            vec![46, 9]
        );
    }

    #[test]
    fn a_long_line_is_cut_before_a_guid_it_would_split() {
        let guid = "3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384";
        // 390 characters of words, then " (guid)": the limit (400) falls inside the GUID,
        // which starts at 392, so the cut is after the space at 390.
        let line = format!("{} ({guid}) tail", "w".repeat(390));
        let cut = fit_cell(&line);
        assert_eq!(cut, format!("{}…", "w".repeat(390)));
        // An id: cut after the `/` before the GUID (15 + 360 + 15 = 390 characters).
        let id = format!("/subscriptions/{}/{}/{guid}/x", "a".repeat(359), "b".repeat(14));
        assert_eq!(
            fit_cell(&id),
            format!("/subscriptions/{}/{}/…", "a".repeat(359), "b".repeat(14))
        );
        // A word with no boundary near the limit is cut at the limit; short lines stay.
        let word = "n".repeat(1000);
        assert_eq!(
            fit_cell(&format!("ok\n{word}")),
            format!("ok\n{}…", "n".repeat(400))
        );
        assert!(matches!(fit_cell("short\nlines"), Cow::Borrowed(_)));
        assert!(matches!(fit_cell(&"x".repeat(400)), Cow::Borrowed(_)));
    }

    /// One table of a name column and a score, with `name` in its row.
    fn table_bytes(name: &str) -> Vec<u8> {
        let mut grid = new_table(
            Style {
                color: false,
                width: 80,
            },
            &["Control", "Score"],
        );
        grid.add_row(vec![name.to_string(), "50.00%".to_string()]);
        let mut out = Vec::new();
        assert!(write_table(&mut out, &grid).is_ok());
        out
    }

    /// Complexity of table layout (an 80 KB name took 5 s, a 5 MB label ten minutes,
    /// wrapping growing with the square of a line). A structural check rather than a timing:
    /// a name of 1 MB and one of 2 MB give the same bytes, so the layout and comfy-table see
    /// the same bounded text however long the input, and what reaches them is found by one
    /// pass that reads at most `MAX_CELL_LINE` + 1 characters of a line.
    #[test]
    fn a_long_cell_is_laid_out_in_bounded_work() {
        let words = |n: usize| "name ".repeat(n / 5);
        let (small, large) = (table_bytes(&words(1 << 20)), table_bytes(&words(2 << 20)));
        assert_eq!(small, large);
        let text = String::from_utf8_lossy(&small);
        assert!(text.len() < 4 * MAX_CELL_LINE, "{} bytes", text.len());
        assert!(text.contains("name…"), "{text}");
    }
}
