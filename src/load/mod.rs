//! Loaders: turn input files into a [`Model`]. Each input holds one or more JSON values
//! (a document, concatenated documents, or JSON Lines); each object is classified by its
//! keys (`shape`, SPEC §2) and streamed into a [`ModelBuilder`], one array element at a
//! time, with ids borrowed from the input where possible.

pub mod azure;
mod azure_fast;
mod azure_scan;
pub mod builder;
mod counts;
mod definitions;
mod exports;
pub mod fast;
mod ignored;
pub mod locate;
pub mod native;
pub mod pages;
pub mod parallel;
pub mod piece_ids;
mod resources;
mod rows;
mod scopes;
mod shape;
pub mod source;

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::model::{Exemption, Model};
use azure::{AzureSink, Fields, Kind};
use builder::ModelBuilder;
use ignored::IgnoredTypes;
use locate::{join_path, push_key, Locator};
use native::{
    AssessmentIn, AssessmentRow, ControlIn, HasExtra, RecommendationIn, ResourceIn, SubscriptionIn,
};
use pages::{Page, PageForm};
use piece_ids::ToGlobal;
use serde::de::{SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use shape::{is_set, shape_of, Keys, ObjectKeys, Shape};
use source::{InputSpec, Source, Stream};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Bare arrays may hold arrays (pages of pages), but not without end: deeper nesting is
/// an error rather than a stack overflow.
const MAX_ARRAY_DEPTH: usize = 8;

/// How to load.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// List keys that are not part of a recognised shape as warnings (`validate`).
    pub report_unknown_keys: bool,
    /// Compute each input's SHA-256 (for `--record`).
    pub digest_inputs: bool,
    /// The most bytes one input may hold (`--max-input-size`).
    pub max_input_size: u64,
    /// Threads to parse an input with (`--threads`); 0: one per core.
    pub threads: usize,
    /// Read the hot shapes with the purpose-built scanners, falling back to the exact
    /// serde path for anything unusual. Off, everything is read by the serde path: the
    /// differential tests and fuzz targets compare the two.
    pub fast_scan: bool,
    /// The size, in bytes, of the pieces an input is cut into for the threads (cut at a
    /// record boundary after it); tests make it tiny to split records every way.
    pub piece_size: usize,
}

/// The default [`LoadOptions::piece_size`]: large enough that handing a piece to a
/// thread costs nothing next to parsing it and that the applying thread looks up each
/// id a piece names once for many rows (measured: 1 MiB reads the benchmark's inputs
/// 10–15% faster than 256 KiB), small enough to keep two cores busy on a file of tens of
/// megabytes.
pub const DEFAULT_PIECE_SIZE: usize = 1 << 20;

impl Default for LoadOptions {
    fn default() -> LoadOptions {
        LoadOptions {
            report_unknown_keys: false,
            digest_inputs: false,
            max_input_size: source::DEFAULT_MAX_INPUT_SIZE,
            threads: 0,
            fast_scan: true,
            piece_size: DEFAULT_PIECE_SIZE,
        }
    }
}

/// Loads every input into one model. Problems are collected in `diags`; the model is
/// only to be scored when no error was recorded.
pub fn load(
    inputs: &[InputSpec],
    catalog: &Catalog,
    options: &LoadOptions,
    diags: &mut Diagnostics,
) -> Model {
    let mark = diags.mark();
    let mut options = options.clone();
    loop {
        match load_once(inputs, catalog, &options, diags) {
            Some(model) => return model,
            // A fast scanner's guess proved wrong after it had added to the model (see
            // `azure_fast`): everything is read again the exact way, which cannot fail so.
            None => {
                diags.roll_back(mark);
                options.fast_scan = false;
            }
        }
    }
}

/// [`load`], or `None` when a fast scanner's guess proved wrong part-way.
fn load_once(
    inputs: &[InputSpec],
    catalog: &Catalog,
    options: &LoadOptions,
    diags: &mut Diagnostics,
) -> Option<Model> {
    let mut loader = Loader {
        builder: ModelBuilder::default(),
        diags,
        options,
        unknown_keys: BTreeMap::new(),
        pages: Vec::new(),
        ignored_scores: BTreeSet::new(),
        anonymous_rows: 0,
        own_outputs: BTreeSet::new(),
        untyped: BTreeMap::new(),
        ignored: IgnoredTypes::default(),
        streams_read: false,
        speculation_failed: false,
    };
    for spec in inputs {
        loader.input(spec);
        if loader.speculation_failed {
            return None;
        }
    }
    let Loader {
        mut builder,
        diags,
        unknown_keys,
        pages,
        ignored,
        ..
    } = loader;
    for w in ignored.warnings() {
        diags.push(w);
    }
    warn_incomplete(&pages, &mut builder, diags);
    warn_unknown_keys(unknown_keys, diags);
    Some(builder.finish(catalog, diags))
}

/// Warns of every listing the pages show to be truncated, and marks the export
/// incomplete.
fn warn_incomplete(pages: &[Page], builder: &mut ModelBuilder, diags: &mut Diagnostics) {
    let subscription = |key: &str| builder.subscription_label(key);
    for (why, files) in pages::incomplete_exports(pages, &subscription) {
        let mut d = Diagnostic::warning(
            "incomplete-export",
            format!(
                "the export is incomplete: {why} ({}); page with --first/--skip-token or follow nextLink, and pass \
                 every page",
                files.join(", ")
            ),
        );
        d.file = files.first().cloned();
        diags.push(d);
        builder.mark_incomplete(format!("{why} ({})", files.join(", ")));
    }
}

/// Warns once of each unknown key, per input and path pattern (`validate`).
fn warn_unknown_keys(
    unknown_keys: BTreeMap<(String, String, String), (u64, Origin)>,
    diags: &mut Diagnostics,
) {
    for ((file, path, key), (count, origin)) in unknown_keys {
        let times = if count > 1 {
            format!(" ({count} times)")
        } else {
            String::new()
        };
        let mut d = Diagnostic::warning(
            "unknown-key",
            format!(
                "unknown key {key:?}{times} is ignored (at {path}: not part of the native or Azure shapes)"
            ),
        )
        .at(origin);
        d.file = Some(file);
        diags.push(d);
    }
}

struct Loader<'d> {
    builder: ModelBuilder,
    diags: &'d mut Diagnostics,
    options: &'d LoadOptions,
    /// (file, path pattern, key) → (times seen, first place).
    unknown_keys: BTreeMap<(String, String, String), (u64, Origin)>,
    /// Every ARM list page and Resource Graph result read, to tell a truncated export.
    pages: Vec<Page>,
    /// Secure score names other than `ascScore` already warned about.
    ignored_scores: BTreeSet<String>,
    /// Rows read without an id so far (each counts as a distinct row).
    anonymous_rows: u64,
    /// securescore's own outputs met, per (input, schema): each is one error.
    own_outputs: BTreeSet<(u16, String)>,
    /// Azure objects of no type (and an id naming none) per input: only the first is an
    /// error of its own.
    untyped: BTreeMap<u16, u64>,
    /// Objects of the types that are not read, skipped and counted.
    ignored: IgnoredTypes,
    /// A stream was read: it cannot be read again, so no guess may be made after it.
    streams_read: bool,
    /// A fast scanner's guess proved wrong after it had added to the model: the inputs
    /// are to be read again the exact way.
    speculation_failed: bool,
}

/// What the items of one page say about the listing.
#[derive(Default)]
struct PageItems {
    /// The kind of its first item read.
    kind: Option<Kind>,
    /// The type of its first item: `Some(kind)`, or `None` for a type that is not read.
    first: Option<Option<Kind>>,
    /// Items of more than one type (a type not read counts as one).
    mixed: bool,
    subscriptions: BTreeSet<String>,
    rows: Vec<u64>,
}

impl PageItems {
    /// Notes an item of `kind` (`None`: a type that is not read).
    fn note(&mut self, kind: Option<Kind>) {
        if let Some(k) = kind {
            self.kind.get_or_insert(k);
        }
        match self.first {
            None => self.first = Some(kind),
            Some(first) => self.mixed |= first != kind,
        }
    }

    /// The page read from `file`, its form made of the subscriptions and rows noted.
    fn page(self, file: &str, form: impl FnOnce(BTreeSet<String>, Vec<u64>) -> PageForm) -> Page {
        Page {
            file: file.to_string(),
            kind: self.kind,
            mixed: self.mixed,
            ignored_only: self.first.is_some() && self.kind.is_none(),
            form: form(self.subscriptions, self.rows),
        }
    }
}

/// What one Azure object is, for page bookkeeping.
enum Item {
    /// An object of a kind read.
    Read {
        kind: Kind,
        subscription: Option<String>,
        id_hash: Option<u64>,
    },
    /// An object of a type not read, skipped.
    Skipped { id_hash: Option<u64> },
}

/// One input being read.
struct FileCtx<'a> {
    input: u16,
    locator: Locator<'a>,
}

/// True when the input is read one JSON value per line, so that a bad line does not hide
/// the rest: `.jsonl` and `.ndjson` files. Any other input is read as a stream of JSON
/// values, which takes JSON Lines as they come too.
fn is_json_lines(spec: &InputSpec) -> bool {
    matches!(spec.extension().as_deref(), Some("jsonl" | "ndjson"))
}

/// Calls `each(index, element)` for every element of a JSON array, without collecting them.
fn for_each_element<'a>(
    raw: &'a RawValue,
    each: impl FnMut(usize, &'a RawValue),
) -> Result<(), serde_json::Error> {
    struct Elements<F>(F);
    impl<'de, F: FnMut(usize, &'de RawValue)> Visitor<'de> for Elements<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(el) = seq.next_element::<&'de RawValue>()? {
                (self.0)(i, el);
                i += 1;
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_seq(&mut de, Elements(each))
}

/// JSON's whitespace: what may stand between values.
const JSON_WHITESPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// `text` after its leading JSON whitespace and a byte-order mark, if one comes next.
fn after_bom(text: &str) -> Option<&str> {
    text.trim_start_matches(JSON_WHITESPACE).strip_prefix('\u{FEFF}')
}

/// The value a JSON Lines line holds: the line without its CR and a byte-order mark
/// (after any blanks); `None` for a blank line, one of JSON whitespace only. (Another
/// blank, such as a vertical tab, is no JSON: read whole, an input starting with it is
/// refused at its first character, and so it is read as a stream, a line at a time.)
fn line_value(line: &str) -> Option<&str> {
    let line = line.strip_suffix('\r').unwrap_or(line);
    let line = after_bom(line).unwrap_or(line);
    (!line.trim_matches(JSON_WHITESPACE).is_empty()).then_some(line)
}

/// `path` with `key` appended.
fn join_key(path: &str, key: &str) -> String {
    let mut at = path.to_string();
    push_key(&mut at, key);
    at
}

/// A JSON path with its indexes dropped (`assessments[3].x` → `assessments[].x`), or
/// "the top level".
fn path_pattern(path: &str) -> String {
    let mut out = String::new();
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' => in_index = false,
            _ if !in_index => out.push(c),
            _ => {}
        }
    }
    if out.is_empty() {
        "the top level".to_string()
    } else {
        out
    }
}

/// What a document securescore wrote under `schema` is, and what to pass instead, in one
/// sentence.
fn own_output_advice(schema: &str) -> String {
    let command = schema
        .strip_prefix("securescore.")
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default();
    let schema = crate::text::controls_escaped(schema);
    let instead = "pass the inventory it was made from";
    match command {
        "report" => format!(
            "a securescore report ({schema}), not an inventory: {instead}; to compare runs use \
             `securescore diff` on their inventories, for the score over time `securescore trend` on a history"
        ),
        "snapshot" => format!(
            "a securescore history (lines of {schema}, written by assess --record), not an inventory: \
             {instead}; for the score over time use `securescore trend` on this file"
        ),
        "trend" => format!(
            "the output of securescore trend ({schema}), not an inventory: {instead}; `securescore trend` \
             reads the history file itself"
        ),
        "explain" | "plan" | "diff" | "validate" => format!(
            "the output of securescore {command} ({schema}), not an inventory: {instead}"
        ),
        _ => format!("a document securescore wrote ({schema}), not an inventory: {instead}"),
    }
}

/// What a JSON value is, for messages.
fn json_kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl Loader<'_> {
    /// Reads one input, then counts the objects of no type it held beyond the first.
    fn input(&mut self, spec: &InputSpec) {
        self.read_input(spec);
        let input = (self.builder.input_count() - 1) as u16;
        self.report_untyped_repeats(input, &spec.display_name());
    }

    /// Registers an input and reads every JSON value in it: whole when it is a file (or
    /// text), a piece at a time when it is a stream.
    fn read_input(&mut self, spec: &InputSpec) {
        let name = spec.display_name();
        let input = self.builder.add_input(&name);
        let limit = self.options.max_input_size;
        let result = match source::open(spec, limit, self.options.digest_inputs) {
            Ok(Source::Whole(bytes)) => self.whole_input(spec, input, &name, &bytes),
            Ok(Source::Stream(stream)) => {
                self.streams_read = true;
                self.stream_input(spec, input, &name, *stream)
            }
            Err(d) => Err(d),
        };
        if let Err(d) = result {
            self.diags.push(d);
        }
    }

    /// Decodes an input held whole (and digests it when asked), checks how it starts,
    /// and reads every JSON value in it.
    fn whole_input(
        &mut self,
        spec: &InputSpec,
        input: u16,
        name: &str,
        bytes: &[u8],
    ) -> Result<(), Diagnostic> {
        if self.options.digest_inputs {
            self.builder.add_digest(crate::digest::sha256_hex(bytes));
        }
        let text = source::decode(name, bytes, parallel::thread_count(self.options.threads))?;
        let mut file = FileCtx {
            input,
            locator: Locator::new(name, text),
        };
        let first = source::skip_gap(text);
        let (line, column) = file.locator.line_col(file.locator.offset_of(first));
        source::check_start(name, first, line, column)?;
        if is_json_lines(spec) {
            self.json_lines(&mut file, text);
        } else {
            self.json_stream(&mut file, text);
        }
        Ok(())
    }

    /// Reads a stream a document (or, for JSON Lines, a line) at a time, each dropped once
    /// read, so memory holds the largest document rather than the stream. As for a file,
    /// the first value must start like an inventory (told from its first bytes, before the
    /// document is read), and the first document that does not parse ends the input. The digest is of every byte, so the stream is read to its end.
    fn stream_input(
        &mut self,
        spec: &InputSpec,
        input: u16,
        name: &str,
        mut stream: Stream,
    ) -> Result<(), Diagnostic> {
        stream.check_start()?;
        let lines = is_json_lines(spec);
        let mut first = true;
        loop {
            let piece = if lines {
                stream.next_line()?
            } else {
                stream.next_document()?
            };
            let Some(piece) = piece else {
                break;
            };
            let mut file = FileCtx {
                input,
                locator: Locator::at(name, &piece.text, piece.line, piece.column),
            };
            let value = if lines {
                line_value(&piece.text)
            } else {
                Some(piece.text.as_str())
            };
            let Some(value) = value else {
                continue;
            };
            if std::mem::take(&mut first) {
                // Checked from its first character, as an input read whole is (a line's
                // byte-order mark is already skipped).
                let start = value.trim_start_matches(JSON_WHITESPACE);
                let (line, column) = file.locator.line_col(file.locator.offset_of(start));
                source::check_start(name, start, line, column)?;
            }
            if lines {
                self.stream_line(&mut file, value);
            } else if !self.json_document(&mut file, value) {
                return Ok(());
            }
        }
        if first {
            return Err(source::empty_input(name));
        }
        if let Some(digest) = stream.digest() {
            self.builder.add_digest(digest);
        }
        Ok(())
    }

    /// One JSON value per line: a line that does not parse is an error of its own, and
    /// the lines after it are still read. With the fast scanner, the text is cut into
    /// pieces of whole lines that the threads scan; the rows they read are added, and
    /// every other line read through the serde path, in the order of the lines.
    fn json_lines<'a>(&mut self, file: &mut FileCtx<'a>, text: &'a str) {
        if !self.scans_fast() {
            for line in text.split('\n') {
                if let Some(value) = line_value(line) {
                    self.json_line(file, value);
                }
            }
            return;
        }
        let threads = parallel::thread_count(self.options.threads);
        let pieces = fast::pieces(text, self.options.piece_size);
        let hasher = self.builder.id_hasher().clone();
        let scan = |piece| fast::scan_lines(piece, &hasher);
        parallel::ordered_map(pieces, threads, scan, |scanned| {
            let mut resources = ToGlobal::new(&scanned.resources);
            let mut recommendations = ToGlobal::new(&scanned.recommendations);
            for line in scanned.lines {
                let row = match line {
                    fast::Line::Row(row) => row,
                    fast::Line::Other(value) => {
                        self.json_line(file, value);
                        continue;
                    }
                };
                let builder = &mut self.builder;
                let resource = resources.get(&scanned.resources, row.resource, |id, hash| {
                    builder.resource_hashed(id, hash)
                });
                let recommendation =
                    recommendations.get(&scanned.recommendations, row.recommendation, |id, hash| {
                        builder.recommendation_hashed(id, hash)
                    });
                // The scanner numbers every id its rows name.
                debug_assert!(resource.is_some() && recommendation.is_some());
                if let (Some(resource), Some(recommendation)) = (resource, recommendation) {
                    let exemption = row.exemption.map(|e| *e);
                    builder.add_assessment_indexed(
                        resource,
                        recommendation,
                        row.status,
                        exemption,
                        file.input,
                    );
                }
            }
        });
    }

    /// Whether the hot shapes are read by the fast scanner: asked for, and not under
    /// `validate`, which lists the unknown keys the serde path keeps.
    fn scans_fast(&self) -> bool {
        self.options.fast_scan && !self.options.report_unknown_keys
    }

    /// Adds an assessment the fast scanner read.
    fn add_row(&mut self, file: &FileCtx, row: fast::Row) {
        self.builder.add_assessment(
            row.resource,
            row.recommendation,
            row.status,
            row.exemption.map(|e| *e),
            file.input,
        );
    }

    /// A line of a stream of JSON Lines: as a row when the fast scanner reads it, else
    /// through the serde path.
    fn stream_line<'a>(&mut self, file: &mut FileCtx<'a>, value: &'a str) {
        match self.scans_fast().then(|| fast::assessment(value)).flatten() {
            Some(row) => self.add_row(file, row),
            None => self.json_line(file, value),
        }
    }

    /// The value of one JSON Lines line (see [`line_value`]); an error of its own when it
    /// does not parse.
    fn json_line<'a>(&mut self, file: &mut FileCtx<'a>, line: &'a str) {
        match serde_json::from_str::<&RawValue>(line) {
            Ok(raw) => self.value(file, raw, String::new(), 0),
            Err(e) => {
                let d = file.locator.json_error(line, String::new(), &e);
                self.diags.push(d);
            }
        }
    }

    /// One document of a stream, cut by the stream's scanner; false when it does not
    /// parse (which ends the input, as in a file).
    fn json_document<'a>(&mut self, file: &mut FileCtx<'a>, text: &'a str) -> bool {
        let mut values = serde_json::Deserializer::from_str(text).into_iter::<&RawValue>();
        match values.next() {
            Some(Ok(raw)) => {
                self.value(file, raw, String::new(), 0);
                true
            }
            Some(Err(e)) => {
                let d = file.locator.json_error(text, String::new(), &e);
                self.diags.push(d);
                false
            }
            None => true,
        }
    }

    /// A stream of JSON values: the first that does not parse ends the input, as the
    /// stream cannot find where the next value starts. A byte-order mark before a value
    /// is skipped: files saved with one and concatenated (`cat page-*.json`) keep theirs.
    ///
    /// Each value is offered to the fast reader of Azure listings first (`azure_fast`).
    fn json_stream<'a>(&mut self, file: &mut FileCtx<'a>, text: &'a str) {
        let mut rest = after_bom(text).unwrap_or(text);
        loop {
            let end = match self.fast_documents().then(|| self.fast_document(file, rest)) {
                Some(azure_fast::Fast::Read(end)) => end,
                Some(azure_fast::Fast::Failed) => {
                    self.speculation_failed = true;
                    return;
                }
                Some(azure_fast::Fast::NotTaken) | None => {
                    let mut stream = serde_json::Deserializer::from_str(rest).into_iter::<&RawValue>();
                    match stream.next() {
                        None => return,
                        Some(Ok(raw)) => self.value(file, raw, String::new(), 0),
                        Some(Err(e)) => {
                            let d = file.locator.json_error(rest, String::new(), &e);
                            return self.diags.push(d);
                        }
                    }
                    stream.byte_offset()
                }
            };
            // A value read, the rest of the text is a new stream (as when it goes on with
            // a byte-order mark).
            let next = rest.get(end..).unwrap_or_default();
            rest = after_bom(next).unwrap_or(next);
        }
    }

    /// One error for all the objects of no type in input `input` after the first (which
    /// had an error of its own).
    fn report_untyped_repeats(&mut self, input: u16, name: &str) {
        let Some(&n) = self.untyped.get(&input) else {
            return;
        };
        if n > 1 {
            let mut d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "… and {} more objects of no type in this input (listed once above)",
                    n - 1
                ),
            );
            d.file = Some(name.to_string());
            self.diags.push(d);
        }
    }

    /// One JSON value at the top level of an input (or an element of a bare array).
    fn value<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String, depth: usize) {
        if depth > MAX_ARRAY_DEPTH {
            let d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "arrays nested more than {MAX_ARRAY_DEPTH} deep: expected objects (or an array of them)"
                ),
            )
            .at(file.locator.origin(raw.get(), path));
            return self.diags.push(d);
        }
        match raw.get().as_bytes().first() {
            Some(b'{') => self.object(file, raw, path),
            Some(b'[') => {
                let result = for_each_element(raw, |i, el| {
                    self.value(file, el, format!("{path}[{i}]"), depth + 1)
                });
                if let Err(e) = result {
                    let d = file.locator.json_error(raw.get(), path, &e);
                    self.diags.push(d);
                }
            }
            _ => {
                let d = Diagnostic::error(
                    "unrecognised-shape",
                    format!(
                        "a value of no recognised shape: expected a JSON object (a native document or an assessment) \
                         or an array of them, found {}",
                        json_kind(raw)
                    ),
                )
                .at(file.locator.origin(raw.get(), path));
                self.diags.push(d);
            }
        }
    }

    /// One JSON object: read by its [`Shape`].
    fn object<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) {
        if !self.options.report_unknown_keys && self.plain_row(file, raw) {
            return;
        }
        let Some(keys) = self.object_keys(file, raw, &path) else {
            return;
        };
        let shape = shape_of(&keys);
        if let Some((key, message)) = shape.as_ref().and_then(|s| shape::problem(s, &keys)) {
            let at = if key.is_empty() {
                path
            } else {
                join_key(&path, &key)
            };
            let value = if key.is_empty() {
                raw.get()
            } else {
                keys[&key].get()
            };
            let d = Diagnostic::error("unrecognised-shape", message).at(file.locator.origin(value, at));
            return self.diags.push(d);
        }
        match shape {
            Some(Shape::OwnOutput { schema }) => self.own_output(file, raw, schema, path),
            Some(Shape::CountsRow) => self.counts_row(file, raw, path),
            Some(Shape::NativeDocument) => self.native_document(file, &keys, &path),
            Some(Shape::AssessmentRow) => self.assessment_row(file, raw, path),
            Some(Shape::ArmPage { value, next_link }) => self.arm_page(file, value, next_link, &path),
            Some(Shape::GraphResult {
                data,
                total,
                skip_token,
                truncated,
            }) => self.graph_result(file, data, total, skip_token, truncated, &path),
            Some(Shape::ErrorResponse { error }) => self.error_response(file, raw, error, path),
            Some(Shape::AzureObject) => {
                self.azure_item(file, raw, path);
            }
            None => self.no_shape(file, raw, &keys, path),
        }
    }

    /// The common JSON Lines row with no other keys, read in one pass without looking at
    /// its keys first (by the fast scanner when it can); false (and nothing recorded) for
    /// any other object.
    fn plain_row(&mut self, file: &FileCtx, raw: &RawValue) -> bool {
        if let Some(row) = self
            .options
            .fast_scan
            .then(|| fast::assessment(raw.get()))
            .flatten()
        {
            self.add_row(file, row);
            return true;
        }
        let Ok(row) = serde_json::from_str::<AssessmentRow>(raw.get()) else {
            return false;
        };
        let exemption = row.exemption.map(Exemption::from);
        self.builder.add_assessment(
            &row.resource.0,
            &row.recommendation.0,
            row.status,
            exemption,
            file.input,
        );
        true
    }

    /// An object's keys, each once; `None` (with an error) when it does not parse or
    /// repeats a key.
    fn object_keys<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: &str,
    ) -> Option<ObjectKeys<'a>> {
        let keys: Keys<'a> = match serde_json::from_str(raw.get()) {
            Ok(k) => k,
            Err(e) => {
                self.diags
                    .push(file.locator.json_error(raw.get(), path.to_string(), &e));
                return None;
            }
        };
        match keys.unique() {
            Ok(k) => match shape::case_twins(&k) {
                None => Some(k),
                Some((first, second)) => {
                    let d = Diagnostic::error(
                        "malformed-json",
                        format!(
                            "malformed JSON: duplicate key {second:?}, also written {first:?} (keys match in any case): \
                             expected each key once"
                        ),
                    )
                    .at(file.locator.origin(raw.get(), path.to_string()));
                    self.diags.push(d);
                    None
                }
            },
            Err(repeated) => {
                let d = Diagnostic::error(
                    "malformed-json",
                    format!("key {repeated:?} appears twice in one object: expected each key once"),
                )
                .at(file.locator.origin(raw.get(), path.to_string()));
                self.diags.push(d);
                None
            }
        }
    }

    /// A native document: each section in key order; other keys are unknown.
    fn native_document<'a>(&mut self, file: &mut FileCtx<'a>, keys: &ObjectKeys<'a>, path: &str) {
        for (key, &value) in keys {
            let at = join_key(path, key);
            match key.as_str() {
                "subscriptions" => self.section(file, value, at, Self::subscription),
                "controls" => {
                    self.section(file, value, at.clone(), Self::control);
                    self.refused_controls(file, value, &at);
                }
                "recommendations" => self.section(file, value, at, Self::recommendation),
                "resources" => self.section(file, value, at, Self::resource),
                "assessments" => self.section(file, value, at, Self::assessment),
                "counts" => self.section(file, value, at, Self::counts_item),
                _ => self.unknown_key(file, value, path, key),
            }
        }
    }

    /// The entries of a `controls` section refused for their max score alone (each an
    /// error already): noted so that a different definition of the same id, before or
    /// after, is still reported as a conflict, and `validate` lists every problem.
    fn refused_controls<'a>(&mut self, file: &mut FileCtx<'a>, value: &'a RawValue, path: &str) {
        /// A control entry read without the max score's range check.
        #[derive(Deserialize)]
        struct Unchecked {
            #[serde(deserialize_with = "native::Id::owned")]
            id: String,
            #[serde(default)]
            name: Option<String>,
            #[serde(default)]
            description: Option<String>,
            max_score: f64,
            recommendations: Vec<String>,
        }
        // A section that is not an array is an error of its own already.
        let _ = for_each_element(value, |i, el| {
            let Ok(c) = serde_json::from_str::<Unchecked>(el.get()) else {
                return;
            };
            if native::check_max_score(c.max_score).is_ok() {
                return;
            }
            let def = crate::catalog::ControlDef {
                id: c.id,
                name: c.name,
                description: c.description,
                max_score: c.max_score,
                recommendations: c.recommendations,
            };
            let at = file.locator.origin(el.get(), format!("{path}[{i}]"));
            let r = self.builder.refuse_control(def, at);
            self.report(r);
        });
    }

    /// `Some` when `raw`, an item of an Azure listing, is a counts row (a Resource Graph
    /// result of a counting query holds them, SPEC §10), with the hash of its `id` (the
    /// row's keys, which Resource Graph pages by) when it has one: a row repeated on two
    /// pages is then one row of the result's total.
    fn counts_row_id(&self, raw: &RawValue) -> Option<Option<u64>> {
        let keys = serde_json::from_str::<Keys>(raw.get()).ok()?.unique().ok()?;
        shape::is_counts_row(&keys).then(|| {
            let id = keys
                .get("id")
                .and_then(|v| serde_json::from_str::<&str>(v.get()).ok())?;
            Some(self.builder.id_hasher().exact_hash(id))
        })
    }

    /// A counts row standing alone (a line, an element of a bare array or of a Resource
    /// Graph result's rows).
    fn counts_row<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) {
        if let Some(value) = counts::from_log_analytics(raw.get()) {
            return self.log_analytics_row(file, raw, value, path);
        }
        if let Some((row, origin)) = self.element::<counts::CountsRowIn>(file, raw, path) {
            self.counts_item(file, row, origin);
        }
    }

    /// A counts row as `az monitor log-analytics query` printed it, its values made the
    /// query's ([`counts::from_log_analytics`]); an error is placed at the row, with the
    /// key it is about.
    fn log_analytics_row<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        value: serde_json::Value,
        path: String,
    ) {
        match serde_path_to_error::deserialize::<_, counts::CountsRowIn>(value) {
            Ok(row) => {
                let origin = file.locator.origin(raw.get(), path);
                self.counts_item(file, row, origin);
            }
            Err(e) => {
                let at = join_path(&path, e.path());
                let message = e.into_inner().to_string();
                let code = if message.starts_with("missing field") {
                    "missing-field"
                } else if message.starts_with("invalid type") {
                    "wrong-type"
                } else {
                    "invalid-value"
                };
                let d = Diagnostic::error(code, message).at(file.locator.origin(raw.get(), at));
                self.diags.push(d);
            }
        }
    }

    /// Adds one counts row read, or says why it cannot be read.
    fn counts_item(&mut self, _: &mut FileCtx, row: counts::CountsRowIn, at: Origin) {
        let r = self.builder.add_counts_row(&row, at);
        self.report(r);
    }

    /// A native assessment standing alone that [`Loader::plain_row`] did not take: with
    /// other keys, or under `validate`.
    fn assessment_row<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) {
        if let Some((a, origin)) = self.element::<AssessmentIn>(file, raw, path) {
            self.assessment(file, a, origin);
        }
    }

    /// An ARM list page: its items (`value`, an array), and the page for the truncation
    /// check.
    fn arm_page<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        value: &'a RawValue,
        next_link: Option<&'a RawValue>,
        path: &str,
    ) {
        let items = self.azure_items(file, value, join_key(path, "value"));
        self.arm_page_of(file, items, next_link);
    }

    /// Notes an ARM page whose items are read, for the truncation check.
    fn arm_page_of(&mut self, file: &FileCtx, items: PageItems, next_link: Option<&RawValue>) {
        let next_link = next_link.filter(|v| is_set(v)).map(|v| {
            serde_json::from_str::<&str>(v.get())
                .ok()
                .and_then(azure::listing_scope)
        });
        let page = items.page(file.locator.name(), |subscriptions, _| PageForm::Arm {
            next_link,
            subscriptions,
        });
        self.pages.push(page);
    }

    /// A Resource Graph result: its rows (`data`), and the page for the truncation check
    /// (from the `total`, `skip_token` and `truncated` the result gives, if any).
    fn graph_result<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        data: &'a RawValue,
        total: Option<&'a RawValue>,
        skip_token: Option<&'a RawValue>,
        truncated: Option<&'a RawValue>,
        path: &str,
    ) {
        if !data.get().starts_with('[') {
            let d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "a Resource Graph result whose data is {}: expected an array of rows (run az graph query \
                     with the default object output, not a table)",
                    json_kind(data)
                ),
            )
            .at(file.locator.origin(data.get(), join_key(path, "data")));
            return self.diags.push(d);
        }
        let items = self.azure_items(file, data, join_key(path, "data"));
        self.graph_page(file, items, total, skip_token, truncated);
    }

    /// Notes a Resource Graph result whose rows are read, for the truncation check.
    fn graph_page(
        &mut self,
        file: &FileCtx,
        items: PageItems,
        total: Option<&RawValue>,
        skip_token: Option<&RawValue>,
        truncated: Option<&RawValue>,
    ) {
        let total = total.and_then(|v| serde_json::from_str::<u64>(v.get()).ok());
        let truncated = truncated.is_some_and(|v| matches!(v.get(), "true" | "\"true\"" | "\"True\""));
        let skip_token = skip_token.is_some_and(is_set);
        let page = items.page(file.locator.name(), |_, rows| PageForm::Graph {
            total,
            skip_token,
            truncated,
            rows,
        });
        self.pages.push(page);
    }

    /// A document securescore wrote, given where an inventory was expected: one error per
    /// input and schema (a history holds one such line per run), saying what to pass.
    fn own_output<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        schema: &'a RawValue,
        path: String,
    ) {
        let schema = serde_json::from_str::<&str>(schema.get()).unwrap_or_default();
        if !self.own_outputs.insert((file.input, schema.to_string())) {
            return;
        }
        let d = Diagnostic::error("not-an-inventory", own_output_advice(schema))
            .at(file.locator.origin(raw.get(), path));
        self.diags.push(d);
    }

    /// An Azure error response, given where an export was expected.
    fn error_response<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        error: &'a RawValue,
        path: String,
    ) {
        let error = error.get();
        let d = Diagnostic::error(
            "unrecognised-shape",
            format!(
                "an Azure error response, not an export: {}",
                crate::text::controls_escaped(&error.chars().take(300).collect::<String>())
            ),
        )
        .at(file.locator.origin(raw.get(), path));
        self.diags.push(d);
    }

    /// An object of no shape.
    fn no_shape<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        keys: &ObjectKeys<'a>,
        path: String,
    ) {
        let names: Vec<&str> = keys.keys().map(String::as_str).collect();
        let d =
            Diagnostic::error(
                "unrecognised-shape",
                format!(
                "a value of no recognised shape (keys: {}): expected a native document (with subscriptions, \
                 controls, recommendations, resources or assessments), an assessment (resource, \
                 recommendation, status), or an Azure export (an object with a type, an ARM page with \
                 value, a Resource Graph result with data)",
                if names.is_empty() { "none".to_string() } else { names.join(", ") }
            ),
            )
            .at(file.locator.origin(raw.get(), path));
        self.diags.push(d);
    }

    /// Reads the items of an ARM page or Resource Graph result.
    fn azure_items<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) -> PageItems {
        let mut page = PageItems::default();
        let result = for_each_element(raw, |i, el| {
            self.azure_element(file, &mut page, i, el, &path);
        });
        if let Err(e) = result {
            let d = file.locator.json_error(raw.get(), path, &e);
            self.diags.push(d);
        }
        page
    }

    /// Reads item `i` of an ARM page or Resource Graph result into the model and notes
    /// it on the page; the kind it was read as (`None`: an error, or a type not read).
    fn azure_element<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        page: &mut PageItems,
        i: usize,
        el: &'a RawValue,
        path: &str,
    ) -> Option<Kind> {
        let at = format!("{path}[{i}]");
        if !el.get().starts_with('{') {
            let d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "an item of an Azure listing is {}: expected an Azure object",
                    json_kind(el)
                ),
            )
            .at(file.locator.origin(el.get(), at));
            self.diags.push(d);
            return None;
        }
        if let Some(id) = el
            .get()
            .contains(counts::KEY)
            .then(|| self.counts_row_id(el))
            .flatten()
        {
            self.counts_row(file, el, at);
            page.note(Some(Kind::CountsRow));
            self.anonymous_rows += 1;
            page.rows.push(id.unwrap_or(u64::MAX - self.anonymous_rows));
            return Some(Kind::CountsRow);
        }
        let (id_hash, read) = match self.azure_item(file, el, at)? {
            Item::Read {
                kind,
                subscription,
                id_hash,
            } => {
                page.note(Some(kind));
                if let Some(sub) = subscription {
                    if !page.subscriptions.contains(&sub) {
                        page.subscriptions.insert(sub);
                    }
                }
                (id_hash, Some(kind))
            }
            Item::Skipped { id_hash } => {
                // Counted as a row all the same: a result's total counts it.
                page.note(None);
                (id_hash, None)
            }
        };
        self.anonymous_rows += 1;
        page.rows.push(id_hash.unwrap_or(u64::MAX - self.anonymous_rows));
        read
    }

    /// Reads one Azure object into the model, or skips (and counts) one of a type that is
    /// not read; says what it was. `None` after an error.
    fn azure_item<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) -> Option<Item> {
        let fields = match serde_json::from_str::<Fields>(raw.get()) {
            Ok(f) => f.flatten(),
            // An object of another type may hold anything under a key read for the
            // types read: its type alone decides. Otherwise the error is reported.
            Err(_) => match ignored::head(raw) {
                Some(head) if ignored::is_unread(&head) => head,
                _ => {
                    self.parse::<Fields>(file, raw, &path);
                    return None;
                }
            },
        };
        let kind = match azure::kind_of(&fields) {
            Ok(k) => k,
            Err(found) => return self.unread_item(file, raw, found, &fields, path),
        };
        let item = Item::Read {
            kind,
            subscription: azure::subscription_key(&fields),
            id_hash: azure::id_hash(&fields),
        };
        let mut sink = AzureSink {
            builder: &mut self.builder,
            diags: self.diags,
            ignored_scores: &mut self.ignored_scores,
        };
        let locator = &mut file.locator;
        let mut at = || locator.origin(raw.get(), path.clone());
        if let Err(d) = sink.add(kind, fields, file.input, &mut at) {
            self.diags.push(d);
        }
        Some(item)
    }

    /// An Azure object of no kind read: skipped and counted when it has a type (or an id
    /// naming one), else an error (one per input: a page of them is one mistake).
    fn unread_item<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        found: Option<String>,
        fields: &Fields,
        path: String,
    ) -> Option<Item> {
        if let Some(type_name) = ignored::unread_type(found, fields) {
            let locator = &mut file.locator;
            self.ignored.count(&type_name, || locator.origin(raw.get(), path));
            return Some(Item::Skipped {
                id_hash: azure::id_hash(fields),
            });
        }
        let seen = self.untyped.entry(file.input).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            return None;
        }
        let keys = serde_json::from_str::<Keys>(raw.get())
            .map(|k| k.names().join(", "))
            .unwrap_or_default();
        let d = Diagnostic::error(
            "unrecognised-shape",
            format!(
                "an object of no recognised shape (keys: {}): no type, and no id naming one: expected an Azure \
                 object with a type, such as Microsoft.Security/assessments",
                if keys.is_empty() { "none" } else { keys.as_str() }
            ),
        )
        .at(file.locator.origin(raw.get(), path));
        self.diags.push(d);
        None
    }

    /// Streams the elements of one native section into `handle`.
    fn section<'a, T: Deserialize<'a> + HasExtra>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: String,
        handle: fn(&mut Self, &mut FileCtx<'a>, T, Origin),
    ) {
        if raw.get() == "null" {
            return;
        }
        if !raw.get().starts_with('[') {
            let d = Diagnostic::error(
                "wrong-type",
                format!("expected an array, found {}", json_kind(raw)),
            )
            .at(file.locator.origin(raw.get(), path));
            return self.diags.push(d);
        }
        let result = for_each_element(raw, |i, el| {
            if let Some((item, origin)) = self.element::<T>(file, el, format!("{path}[{i}]")) {
                handle(self, file, item, origin);
            }
        });
        if let Err(e) = result {
            let d = file.locator.json_error(raw.get(), path, &e);
            self.diags.push(d);
        }
    }

    /// Deserializes one element, recording any error with its path and position. Unknown
    /// keys are tallied for `validate`.
    fn element<'a, T: Deserialize<'a> + HasExtra>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: String,
    ) -> Option<(T, Origin)> {
        match self.parse::<T>(file, raw, &path) {
            Some(item) => {
                let origin = file.locator.origin(raw.get(), path);
                if self.options.report_unknown_keys {
                    for (key, at) in item.extra_keys() {
                        let mut full = origin.path.clone().unwrap_or_default();
                        if !at.is_empty() {
                            push_key(&mut full, &at);
                        }
                        self.tally_unknown(file, &origin, &full, key);
                    }
                }
                Some((item, origin))
            }
            None => None,
        }
    }

    /// Deserializes one value, recording any error with its JSON path and position. The
    /// path is tracked only on failure: tracking costs an allocation per key.
    fn parse<'a, T: Deserialize<'a>>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: &str,
    ) -> Option<T> {
        if let Ok(item) = serde_json::from_str::<T>(raw.get()) {
            return Some(item);
        }
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let (full, error) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(item) => return Some(item),
            Err(e) => (join_path(path, e.path()), e.into_inner()),
        };
        let d = file.locator.json_error(raw.get(), full, &error);
        self.diags.push(d);
        None
    }

    fn unknown_key<'a>(&mut self, file: &mut FileCtx<'a>, value: &'a RawValue, path: &str, key: &str) {
        if self.options.report_unknown_keys {
            let origin = file.locator.origin(value.get(), path.to_string());
            self.tally_unknown(file, &origin, path, key);
        }
    }

    /// Counts an unknown key under its path pattern, keeping where it was first seen.
    fn tally_unknown(&mut self, file: &FileCtx, origin: &Origin, path: &str, key: &str) {
        // Group repeated keys by path pattern so a stream of a million rows with one
        // extra key gives one warning.
        let entry = self
            .unknown_keys
            .entry((
                file.locator.name().to_string(),
                path_pattern(path),
                key.to_string(),
            ))
            .or_insert_with(|| (0, origin.clone()));
        entry.0 += 1;
    }

    fn report(&mut self, result: Result<(), Diagnostic>) {
        if let Err(d) = result {
            self.diags.push(d);
        }
    }

    fn subscription(&mut self, _: &mut FileCtx, s: SubscriptionIn, at: Origin) {
        let r = self.builder.define_subscription(s.into(), at);
        self.report(r);
    }

    fn control(&mut self, _: &mut FileCtx, c: ControlIn, at: Origin) {
        let r = self.builder.define_control(c.into(), at);
        self.report(r);
    }

    fn recommendation(&mut self, _: &mut FileCtx, r: RecommendationIn, at: Origin) {
        let r = self.builder.define_recommendation(r, at);
        self.report(r);
    }

    fn resource(&mut self, _: &mut FileCtx, r: ResourceIn, at: Origin) {
        let r = self.builder.define_resource(r.into(), at);
        self.report(r);
    }

    fn assessment(&mut self, file: &mut FileCtx, a: AssessmentIn, _: Origin) {
        let exemption = a.exemption.map(Exemption::from);
        self.builder.add_assessment(
            &a.resource.0,
            &a.recommendation.0,
            a.status,
            exemption,
            file.input,
        );
    }
}

/// The model of one native inventory given as text, for unit tests elsewhere in the
/// crate; panics when loading it records an error, as such a test's fixture is wrong.
#[cfg(test)]
pub(crate) fn model_of_text(text: &str, catalog: &Catalog) -> Model {
    let mut diags = Diagnostics::default();
    let input = InputSpec::Text {
        name: "inventory.json".into(),
        text: text.to_string(),
    };
    let model = load(&[input], catalog, &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    model
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A problem's code and place (line, column).
    type Problem = (&'static str, Option<usize>, Option<usize>);

    /// Every problem when `bytes`, named `name`, are loaded whole and when they are read
    /// as a pipe.
    fn problems(name: &str, bytes: &[u8]) -> [Vec<Problem>; 2] {
        let whole = InputSpec::Text {
            name: name.to_string(),
            text: String::from_utf8(bytes.to_vec()).unwrap(),
        };
        let piped = InputSpec::Piped {
            name: name.to_string(),
            bytes: bytes.to_vec(),
        };
        [whole, piped].map(|spec| {
            let mut diags = Diagnostics::default();
            load(&[spec], &Catalog::empty(), &LoadOptions::default(), &mut diags);
            diags.items().iter().map(|d| (d.code, d.line, d.column)).collect()
        })
    }

    #[test]
    fn a_blank_line_is_one_of_json_whitespace() {
        assert_eq!(line_value(" \t\r"), None);
        assert_eq!(line_value("\u{FEFF} {}\r"), Some(" {}"));
        assert_eq!(line_value("\u{B}"), Some("\u{B}"));
        assert_eq!(line_value("\u{A0}"), Some("\u{A0}"));
    }

    #[test]
    fn json_lines_are_refused_at_their_first_character_read_whole_or_piped() {
        // A fuzzer's find: read whole, the input was refused at the tab (line 2, column 1);
        // read as a pipe, the tab's line was blank and the input empty.
        let refused = vec![("not-an-inventory", Some(2), Some(1))];
        assert_eq!(problems("x.jsonl", b"\n\x0B\n"), [refused.clone(), refused]);
        // After a first value, such a line is a line that does not parse, either way.
        let [whole, piped] = problems("x.jsonl", b"{\"assessments\": []}\n\x0B\n");
        assert_eq!(whole, piped);
        assert_eq!(whole, vec![("malformed-json", Some(2), Some(1))]);
        // The first value is checked from its first character, read either way (another
        // find: the pipe named the line's first column, before its blanks).
        let refused = vec![("not-an-inventory", Some(2), Some(3))];
        assert_eq!(problems("x.jsonl", b"\n  nu@g\"}"), [refused.clone(), refused]);
        // Three byte-order marks: the first is the input's, the second the line's, the
        // third (at byte 4 after the first) what the input starts with.
        let refused = vec![("not-an-inventory", Some(1), Some(4))];
        let three_boms = b"\xEF\xBB\xBF\xEF\xBB\xBF\xEF\xBB\xBF";
        assert_eq!(problems("x.jsonl", three_boms), [refused.clone(), refused]);
    }

    #[test]
    fn a_broken_number_is_placed_where_the_parser_stops_read_whole_or_piped() {
        // A third find: "0." is wrong at the character after it (the line break, line 2
        // column 3); read as a pipe, the number was cut before it and placed at the dot.
        let broken = vec![("malformed-json", Some(2), Some(3))];
        let inventory = b"{\"assessments\": []}\n0.\n{}";
        assert_eq!(problems("x.json", inventory), [broken.clone(), broken]);
    }
}
