//! The fast path for the hottest shape: a native assessment standing alone, as JSON
//! Lines hold millions of them (`{"resource": …, "recommendation": …, "status": …}`,
//! with an optional `exemption`). A hand-written scanner reads it in one pass, borrowing
//! its ids from the input, instead of serde parsing the line twice (once to find the
//! value, once to read its fields).
//!
//! The scanner only ever answers for rows it is certain the serde path
//! ([`super::native::AssessmentRow`], read by `Loader::plain_row`) reads the same, with
//! no message: keys in any order, each once, among the four known; strings without
//! escapes or control characters; ids non-empty; a status [`Status::parse`] takes; an
//! exemption of a known category with a reason and an expiry date (or nulls) and no other
//! keys; JSON whitespace anywhere JSON allows it, and nothing after the object. For
//! anything else it answers `None`, and the caller reads the value through the serde
//! path, which gives every message its place. The `fast_native` fuzz target and
//! `tests/parallel.rs` check that both paths build the same model.

use super::piece_ids::PieceIds;
use crate::date::Date;
use crate::ids::IdHasher;
use crate::model::{Exemption, ExemptionCategory, Status};

/// One line of JSON Lines as a worker thread leaves it for the caller.
#[derive(Debug, PartialEq)]
pub enum Line<'a> {
    /// A native assessment the scanner read, its ids numbered in the piece's [`Scanned`].
    Row(NumberedRow),
    /// Any other value (a line without its blanks, CR and byte-order mark), to be read
    /// through the serde path.
    Other(&'a str),
}

/// A row whose ids are numbers in its piece's [`Scanned::resources`] and
/// [`Scanned::recommendations`].
#[derive(Debug, PartialEq)]
pub struct NumberedRow {
    pub resource: u32,
    pub recommendation: u32,
    pub status: Status,
    /// Boxed: few rows have one, and a row waits in a piece's results until applied.
    pub exemption: Option<Box<Exemption>>,
}

/// A piece of JSON Lines as a worker scanned it: its lines in order, and the ids its rows
/// name, each once, hashed by a clone of the builder's hasher
/// ([`IdHasher::identity_hash`] of a resource, [`IdHasher::exact_hash`] of a
/// recommendation), so that the builder's thread looks each up once a piece.
#[derive(Debug, Default)]
pub struct Scanned<'a> {
    pub lines: Vec<Line<'a>>,
    pub resources: PieceIds<'a>,
    pub recommendations: PieceIds<'a>,
}

/// Cuts `text` into pieces of whole lines: each runs from where the last ended to the
/// first line break at or after `size` bytes on (or to the end), so no line is split.
pub fn pieces(text: &str, size: usize) -> impl Iterator<Item = &str> + Send {
    let mut rest = text;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let from = size.max(1) - 1;
        let end = rest
            .as_bytes()
            .get(from..)
            .and_then(|tail| memchr::memchr(b'\n', tail))
            .map_or(rest.len(), |i| from + i + 1);
        // A line break is one byte, so the cut falls between characters.
        let (piece, after) = rest.split_at_checked(end)?;
        rest = after;
        Some(piece)
    })
}

/// The values of the lines of `piece` (blank lines left out), each read by the scanner
/// when it can, its ids numbered and hashed with `hasher` (a clone of the builder's).
pub fn scan_lines<'a>(piece: &'a str, hasher: &IdHasher) -> Scanned<'a> {
    let mut scanned = Scanned::default();
    let mut at = 0;
    while at < piece.len() {
        // A row is read straight off the piece, up to its line break; any other line
        // (a byte-order mark, a blank, something the scanner leaves) is cut out first.
        let row = match row_line(piece, at) {
            Some((row, next)) => {
                at = next;
                row
            }
            None => {
                // `at` is always where a line starts, after a line break.
                let rest = piece.get(at..).unwrap_or_default();
                let len = memchr::memchr(b'\n', rest.as_bytes()).unwrap_or(rest.len());
                let line = rest.get(..len).unwrap_or(rest);
                at += len + 1;
                let Some(value) = super::line_value(line) else {
                    continue;
                };
                match assessment(value) {
                    Some(row) => row,
                    None => {
                        scanned.lines.push(Line::Other(value));
                        continue;
                    }
                }
            }
        };
        let numbered = NumberedRow {
            resource: scanned.resources.number(
                row.resource,
                |id| hasher.identity_hash(id),
                crate::ids::same_identity,
            ),
            recommendation: scanned.recommendations.number(
                row.recommendation,
                |id| hasher.exact_hash(id),
                |a, b| a == b,
            ),
            status: row.status,
            exemption: row.exemption,
        };
        scanned.lines.push(Line::Row(numbered));
    }
    scanned
}

/// The row on the line of `piece` that starts at `start`, and where the next line
/// starts; `None` unless the line is a row the scanner reads, with nothing but blanks
/// around it (no line break inside, no byte-order mark). What it reads is what
/// [`assessment`] reads of the line's value ([`super::line_value`]): the value is the
/// line without a last CR, which is a blank to the scanner either way.
fn row_line(piece: &str, start: usize) -> Option<(Row<'_>, usize)> {
    let mut at = Cursor::<true> {
        text: piece,
        at: start,
    };
    let row = at.row()?;
    at.blanks();
    match piece.as_bytes().get(at.at) {
        None => Some((row, at.at)),
        Some(b'\n') => Some((row, at.at + 1)),
        Some(_) => None,
    }
}

/// A native assessment read by the scanner.
#[derive(Debug, PartialEq)]
pub struct Row<'a> {
    pub resource: &'a str,
    pub recommendation: &'a str,
    pub status: Status,
    /// Boxed: few rows have one, and a row waits in a piece's results until applied.
    pub exemption: Option<Box<Exemption>>,
}

/// Reads `value`, the text of one JSON value (blanks around it allowed), as a native
/// assessment; `None` when it is anything the scanner cannot vouch for.
pub fn assessment(value: &str) -> Option<Row<'_>> {
    let mut at = Cursor::<false> { text: value, at: 0 };
    let row = at.row()?;
    at.end()?;
    Some(row)
}

/// The keys of an assessment, in the order [`Cursor::row`] numbers them.
const ROW_KEYS: [&[u8]; 4] = [b"resource", b"recommendation", b"status", b"exemption"];

/// The keys of an exemption, in the order [`Cursor::exemption`] numbers them.
const EXEMPTION_KEYS: [&[u8]; 3] = [b"category", b"reason", b"expires"];

/// The statuses as most inputs spell them, each with its closing quote: compared
/// whole before the string is searched for its end.
const STATUS_WORDS: [(&[u8], Status); 3] = [
    (b"healthy\"", Status::Healthy),
    (b"unhealthy\"", Status::Unhealthy),
    (b"not_applicable\"", Status::NotApplicable),
];

/// Stores the value of a key met for the first time; `None` for a repeated key (which
/// serde reports).
fn set_once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

/// A place in the text being scanned. On a line of a piece (`LINE`), a line break is
/// not a blank but the line's end.
struct Cursor<'a, const LINE: bool> {
    text: &'a str,
    at: usize,
}

impl<'a, const LINE: bool> Cursor<'a, LINE> {
    /// Steps over JSON whitespace (exactly serde_json's four characters).
    fn blanks(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.at) {
            match b {
                b' ' | b'\t' | b'\r' => {}
                b'\n' if !LINE => {}
                _ => return,
            }
            self.at += 1;
        }
    }

    /// The next byte after blanks, stepped over.
    fn next(&mut self) -> Option<u8> {
        self.blanks();
        let b = *self.text.as_bytes().get(self.at)?;
        self.at += 1;
        Some(b)
    }

    /// Nothing but blanks up to the end.
    fn end(&mut self) -> Option<()> {
        self.blanks();
        (self.at == self.text.len()).then_some(())
    }

    /// The text from here on, as bytes.
    fn rest(&self) -> &'a [u8] {
        self.text.as_bytes().get(self.at..).unwrap_or_default()
    }

    /// A native assessment: its four keys in any order, each at most once.
    fn row(&mut self) -> Option<Row<'a>> {
        let (mut resource, mut recommendation, mut status, mut exemption) = (None, None, None, None);
        self.object(&ROW_KEYS, |at, key| match key {
            0 => set_once(&mut resource, at.id()?),
            1 => set_once(&mut recommendation, at.id()?),
            2 => set_once(&mut status, at.status()?),
            _ => set_once(&mut exemption, at.exemption()?),
        })?;
        Some(Row {
            resource: resource?,
            recommendation: recommendation?,
            status: status?,
            exemption: exemption.flatten().map(Box::new),
        })
    }

    /// A JSON object whose keys are among `keys`, written plainly (no escapes): each is
    /// handed, by its place in `keys`, to `field`, which reads the value after the colon.
    fn object(
        &mut self,
        keys: &[&[u8]],
        mut field: impl FnMut(&mut Self, usize) -> Option<()>,
    ) -> Option<()> {
        if self.next()? != b'{' {
            return None;
        }
        self.blanks();
        if self.rest().first() == Some(&b'}') {
            self.at += 1;
            return Some(());
        }
        loop {
            if self.next()? != b'"' {
                return None;
            }
            let key = self.key(keys)?;
            if self.next()? != b':' {
                return None;
            }
            field(self, key)?;
            match self.next()? {
                b',' => continue,
                b'}' => return Some(()),
                _ => return None,
            }
        }
    }

    /// After an opening quote, which of `keys` the string is (stepped over, with its
    /// closing quote); `None` for any other string.
    fn key(&mut self, keys: &[&[u8]]) -> Option<usize> {
        let rest = self.rest();
        let i = keys
            .iter()
            .position(|k| rest.starts_with(k) && rest.get(k.len()) == Some(&b'"'))?;
        self.at += keys[i].len() + 1;
        Some(i)
    }

    /// A string with no escapes and no control characters (both of which the serde
    /// path handles), borrowed from the text.
    fn string(&mut self) -> Option<&'a str> {
        if self.next()? != b'"' {
            return None;
        }
        let start = self.at;
        let len = plain_string_len(self.rest())?;
        self.at = start + len + 1;
        self.text.get(start..start + len)
    }

    /// A status: one of [`STATUS_WORDS`], else any string [`Status::parse`] takes.
    fn status(&mut self) -> Option<Status> {
        self.blanks();
        let rest = self.rest();
        if rest.first() == Some(&b'"') {
            for (word, status) in STATUS_WORDS {
                if rest.get(1..).is_some_and(|r| r.starts_with(word)) {
                    self.at += 1 + word.len();
                    return Some(status);
                }
            }
        }
        Status::parse(self.string()?)
    }

    /// A non-empty string, as [`super::native::Id`] requires.
    fn id(&mut self) -> Option<&'a str> {
        self.string().filter(|s| !s.is_empty())
    }

    /// `null` when it comes next (stepped over), as serde reads an absent option.
    fn null(&mut self) -> bool {
        self.blanks();
        let found = self.text.as_bytes().get(self.at..self.at + 4) == Some(b"null");
        if found {
            self.at += 4;
        }
        found
    }

    /// An optional string: `null` or a plain string.
    fn optional_string(&mut self) -> Option<Option<&'a str>> {
        if self.null() {
            return Some(None);
        }
        self.string().map(Some)
    }

    /// An assessment's `exemption`: `null`, or an object of a category, a reason and an
    /// expiry date and nothing else (other keys are kept for `validate` by the serde
    /// path, so such an exemption is left to it).
    fn exemption(&mut self) -> Option<Option<Exemption>> {
        if self.null() {
            return Some(None);
        }
        let (mut category, mut reason, mut expires) = (None, None, None);
        self.object(&EXEMPTION_KEYS, |at, key| match key {
            0 => set_once(&mut category, ExemptionCategory::parse(at.string()?)?),
            1 => set_once(&mut reason, at.optional_string()?),
            _ => {
                let date = match at.optional_string()? {
                    None => None,
                    Some(text) => Some(Date::parse_date_or_time(text).ok()?),
                };
                set_once(&mut expires, date)
            }
        })?;
        Some(Some(Exemption {
            category: category?,
            expires: expires.flatten(),
            reason: reason.flatten().map(str::to_string),
            hides_status: false,
        }))
    }
}

/// The length of a string's text up to its closing quote, `rest` being what follows
/// the opening one; `None` when an escape or a control character (below U+0020, which a
/// JSON string may not hold raw) comes first, or no quote does. Eight bytes are looked at
/// a time: in each word, the lowest byte flagged by any of the three tests is the first
/// special byte (a test's flags above its lowest may be false, never below it).
fn plain_string_len(rest: &[u8]) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([1; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    let below = |w: u64, n: u8| w.wrapping_sub(ONES * u64::from(n)) & !w & HIGHS;
    let mut at = 0;
    for chunk in rest.chunks_exact(8) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let flags =
            below(w ^ (ONES * u64::from(b'"')), 1) | below(w ^ (ONES * u64::from(b'\\')), 1) | below(w, 0x20);
        if flags != 0 {
            at += (flags.trailing_zeros() / 8) as usize;
            return (rest[at] == b'"').then_some(at);
        }
        at += 8;
    }
    for &b in rest.get(at..)? {
        match b {
            b'"' => return Some(at),
            b'\\' | 0..=0x1F => return None,
            _ => at += 1,
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(value: &str) -> Option<(String, String, Status, Option<Exemption>)> {
        assessment(value).map(|r| {
            (
                r.resource.to_string(),
                r.recommendation.to_string(),
                r.status,
                r.exemption.map(|e| *e),
            )
        })
    }

    /// What the serde path reads from `value` when it takes it as a plain row.
    fn serde_row(value: &str) -> Option<(String, String, Status, Option<Exemption>)> {
        let raw: &serde_json::value::RawValue = serde_json::from_str(value).ok()?;
        let r: super::super::native::AssessmentRow = serde_json::from_str(raw.get()).ok()?;
        Some((
            r.resource.0.into_owned(),
            r.recommendation.0.into_owned(),
            r.status,
            r.exemption.map(Exemption::from),
        ))
    }

    #[test]
    fn pieces_are_runs_of_whole_lines_that_make_up_the_text() {
        let text = "ab\r\n\u{FEFF}é\n\nxyz\n日本";
        for size in 0..=text.len() + 1 {
            let pieces: Vec<&str> = pieces(text, size).collect();
            assert_eq!(pieces.concat(), text, "{size}");
            let (last, whole) = pieces.split_last().unwrap();
            assert!(whole.iter().all(|p| p.ends_with('\n')), "{size}: {pieces:?}");
            // A piece ends at the first line break of its `size`th byte or after.
            for p in whole {
                let from = size.max(1) - 1;
                assert!(p.len() >= size, "{size}: {pieces:?}");
                assert!(
                    !p.as_bytes()[from..p.len() - 1].contains(&b'\n'),
                    "{size}: {pieces:?}"
                );
            }
            assert!(!last.is_empty());
        }
        assert_eq!(pieces(text, 1).count(), 5);
        assert_eq!(pieces(text, 1 << 20).collect::<Vec<_>>(), [text]);
        assert_eq!(pieces("", 4).count(), 0);
    }

    #[test]
    fn a_string_ends_at_its_first_quote_unless_an_escape_or_a_control_comes_first() {
        // What the eight-at-a-time search must agree with: one byte at a time.
        let naive = |rest: &[u8]| {
            let i = rest.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
            (rest[i] == b'"').then_some(i)
        };
        // Fillers next to the special bytes in value (`!` and `#` around `"`, `[` and `]`
        // around `\`, a space just above the controls) and bytes of multi-byte characters.
        let filler = b"a!#[] \x7F\xC3\xA9\xFF";
        for len in 0..40 {
            for special in [b'"', b'\\', 0x00, 0x1F, b'\n', b'\r'] {
                for at in 0..=len {
                    let mut bytes: Vec<u8> = (0..len).map(|i| filler[(i * 7 + at) % filler.len()]).collect();
                    if at < len {
                        bytes[at] = special;
                    }
                    assert_eq!(plain_string_len(&bytes), naive(&bytes), "{bytes:?}");
                    bytes.push(b'"');
                    assert_eq!(plain_string_len(&bytes), naive(&bytes), "{bytes:?}");
                }
            }
        }
    }

    /// A line as the caller sees it once the numbers of its ids are looked up: the ids,
    /// their hashes, the status and the exemption; or the text of any other line.
    type Resolved<'a> = Result<(&'a str, u64, &'a str, u64, Status, Option<Exemption>), &'a str>;

    fn resolve<'a>(scanned: &Scanned<'a>) -> Vec<Resolved<'a>> {
        scanned
            .lines
            .iter()
            .map(|line| match line {
                Line::Row(r) => {
                    let (resource, resource_hash) = scanned.resources.get(r.resource).unwrap();
                    let (rec, rec_hash) = scanned.recommendations.get(r.recommendation).unwrap();
                    Ok((
                        resource,
                        resource_hash,
                        rec,
                        rec_hash,
                        r.status,
                        r.exemption.as_deref().cloned(),
                    ))
                }
                Line::Other(value) => Err(*value),
            })
            .collect()
    }

    /// Rows read straight off a piece are those read line by line from each line's
    /// value, and every other line is left whole.
    #[test]
    fn scanning_a_piece_reads_what_reading_line_by_line_reads() {
        let row = r#"{"resource": "r", "recommendation": "c", "status": "healthy"}"#;
        let other = r#"{"resource": "R", "recommendation": "d", "status": "unhealthy"}"#;
        let text = format!(
            "{row}\n \t{row}\r\n{other}\n{row} \r\r\n\u{FEFF}{row}\n \u{FEFF}{row}\n\n\r\n{row} x\n\
             {{\"resource\": \"r\",\n\"recommendation\": \"c\", \"status\": \"healthy\"}}\n{row}\n{other}\n{row}"
        );
        let hasher = IdHasher::default();
        let line_by_line: Vec<Resolved> = text
            .split('\n')
            .filter_map(super::super::line_value)
            .map(|value| match assessment(value) {
                Some(row) => Ok((
                    row.resource,
                    hasher.identity_hash(row.resource),
                    row.recommendation,
                    hasher.exact_hash(row.recommendation),
                    row.status,
                    row.exemption.map(|e| *e),
                )),
                None => Err(value),
            })
            .collect();
        let scanned = scan_lines(&text, &hasher);
        let resolved = resolve(&scanned);
        assert_eq!(resolved, line_by_line);
        // Each row's ids are borrowed from the input, not copied.
        let input = text.as_bytes().as_ptr_range();
        for row in resolved.iter().flatten() {
            assert!(input.contains(&row.0.as_ptr()) && input.contains(&row.2.as_ptr()));
        }
        let rows = resolved.iter().filter(|l| l.is_ok()).count();
        assert_eq!((rows, resolved.len()), (9, 12));
        // Each id once, exactly as spelt, in the order first met.
        fn ids<'a>(p: &PieceIds<'a>) -> Vec<&'a str> {
            (0..p.len() as u32).map(|i| p.id(i).unwrap()).collect()
        }
        assert_eq!(ids(&scanned.resources), ["r", "R"]);
        assert_eq!(ids(&scanned.recommendations), ["c", "d"]);
    }

    /// The results of the pieces waiting to be applied hold a line each: two numbers, a
    /// status and a boxed exemption, or a line's text.
    #[test]
    fn a_line_waiting_to_be_applied_is_small() {
        assert!(
            std::mem::size_of::<Line>() <= 24,
            "{}",
            std::mem::size_of::<Line>()
        );
    }

    #[test]
    fn reads_a_plain_row_in_any_key_order_and_spacing() {
        let expected = Some(("r/1".to_string(), "rec".to_string(), Status::Healthy, None));
        for text in [
            r#"{"resource": "r/1", "recommendation": "rec", "status": "healthy"}"#,
            r#"{"status":"Healthy","recommendation":"rec","resource":"r/1"}"#,
            " \t{ \"resource\" :\r\"r/1\" ,\n\"recommendation\":\"rec\",\"status\":\"HEALTHY\", \"exemption\": null } \r",
        ] {
            assert_eq!(row(text), expected, "{text}");
            assert_eq!(serde_row(text), expected, "{text}");
        }
    }

    #[test]
    fn reads_an_exemption_as_the_serde_path_does() {
        let text = r#"{"resource": "r", "recommendation": "c", "status": "not_applicable",
            "exemption": {"expires": "2027-01-31T20:00:00-05:00", "category": "Mitigated", "reason": "ok"}}"#;
        let read = row(text);
        assert_eq!(read, serde_row(text));
        let exemption = read.and_then(|r| r.3).unwrap();
        // 20:00 at UTC-05:00 on 31 January is 1 February in UTC.
        assert_eq!(exemption.expires.unwrap().to_string(), "2027-02-01");
        assert_eq!(exemption.category, ExemptionCategory::Mitigated);
        assert_eq!(exemption.reason.as_deref(), Some("ok"));
        let nulls = r#"{"resource": "r", "recommendation": "c", "status": "healthy",
            "exemption": {"category": "waiver", "reason": null, "expires": null}}"#;
        assert_eq!(row(nulls), serde_row(nulls));
        assert!(row(nulls).unwrap().3.is_some());
    }

    /// Everything the scanner leaves to the serde path: each either differs there (an
    /// error, a warning, an unknown key kept) or needs its unescaping.
    #[test]
    fn leaves_anything_unusual_to_the_serde_path() {
        let plain = r#""resource": "r", "recommendation": "c""#;
        for text in [
            format!(r#"{{{plain}, "status": "healthy"}} x"#),
            format!(r#"{{{plain}, "status": "healthy",}}"#),
            format!(r#"{{{plain}, "status": "healthy"}}}}"#),
            format!(r#"{{{plain}, "status": "good"}}"#),
            format!(r#"{{{plain}, "status": "h\u0065althy"}}"#),
            format!(r#"{{{plain}, "status": "healthy", "status": "healthy"}}"#),
            format!(r#"{{{plain}, "status": "healthy", "extra": 1}}"#),
            format!(r#"{{{plain}, "status": null}}"#),
            format!(r#"{{{plain}}}"#),
            format!("{{{plain}, \"status\": \"healthy\u{1}\"}}"),
            format!("{{{plain}, \"status\": \"healthy\"\u{B}}}"),
            format!(r#"{{{plain}, "status": "healthy", "exemption": {{}}}}"#),
            format!(r#"{{{plain}, "status": "healthy", "exemption": {{"category": "other"}}}}"#),
            format!(r#"{{{plain}, "status": "healthy", "exemption": {{"category": "waiver", "x": 1}}}}"#),
            format!(
                r#"{{{plain}, "status": "healthy", "exemption": {{"category": "waiver", "expires": "soon"}}}}"#
            ),
            format!(
                r#"{{{plain}, "status": "healthy", "exemption": {{"category": "waiver", "reason": 3}}}}"#
            ),
            format!(r#"{{{plain}, "status": "healthy", "exemption": nul}}"#),
            format!(r#"{{{plain}, "status": "healthy", "exemption": []}}"#),
            r#"{"resource": "", "recommendation": "c", "status": "healthy"}"#.to_string(),
            r#"{"resource": "r\/1", "recommendation": "c", "status": "healthy"}"#.to_string(),
            r#"{"res\u006furce": "r", "recommendation": "c", "status": "healthy"}"#.to_string(),
            r#"{"resource": "r", "recommendation": "c", "status": "healthy""#.to_string(),
            r#"["resource"]"#.to_string(),
            String::new(),
        ] {
            assert_eq!(row(&text), None, "{text}");
        }
    }
}
