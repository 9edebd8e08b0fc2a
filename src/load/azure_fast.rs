//! Reading an Azure listing document (a Resource Graph result, an ARM page) on every
//! core with the row scanner of [`super::azure_scan`], to the same model and messages as
//! the exact path ([`Loader::object`] and what it calls):
//!
//! - the document's keys are read by the scanner; the `data` or `value` array is read
//!   when the keys before it make the document the listing it names (else nothing is
//!   read here, and the exact path reads the document);
//! - the array's pieces are parsed by workers and applied here in order; a guessed
//!   boundary that proves wrong sends the reading on from the true one;
//! - a row the scanner does not take, or whose recommendation is described by metadata
//!   not merged just before, is read by the exact path ([`Loader::azure_element`]), in
//!   its place, so its messages keep their place;
//! - once rows are added, anything that the exact path would have read otherwise (a
//!   syntax error anywhere in the document, keys after the array that change its shape)
//!   cannot be undone: the loader then reads every input again the exact way
//!   ([`Fast::Failed`], `load`), which is what the exact path gives.

use super::azure::Kind;
use super::azure_scan::{self, Element, End, Row, Scanner, Splitter, Tables};
use super::shape::{self, case_twins, shape_of, Keys, Shape};
use super::{parallel, FileCtx, Loader, PageItems};
use hashbrown::HashMap;
use serde_json::value::RawValue;
use std::sync::atomic::{AtomicBool, Ordering};

/// How reading a document the fast way went.
pub(super) enum Fast {
    /// Not read, and nothing added: the exact path reads the document.
    NotTaken,
    /// Read whole; the document ends at this offset of the text given.
    Read(usize),
    /// Rows were added, then the document proved not to be read so: every input must be
    /// read again the exact way.
    Failed,
}

/// The array a listing document holds.
#[derive(Clone, Copy, PartialEq)]
enum Listing {
    /// A Resource Graph result's `data`.
    Data,
    /// An ARM page's `value`.
    Value,
}

/// Keys that may come before a listing's array: the scanner reads them (they are
/// small); a document with any other key first is left to the exact path.
const WRAPPER_KEYS: [&str; 8] = [
    "count",
    "total_records",
    "totalRecords",
    "skip_token",
    "$skipToken",
    "resultTruncated",
    "facets",
    "nextLink",
];

/// After this many wrong guesses of a boundary in one array, the rest is one piece.
const MAX_ROUNDS: usize = 16;

/// The array a document's keys make it a listing of, if any, with its shape.
fn listing_shape<'k>(
    entries: &[(String, &'k RawValue)],
    array: &RawValue,
    listing: Listing,
) -> Option<Shape<'k>> {
    let keys = Keys::from_entries(entries.to_vec()).unique().ok()?;
    if case_twins(&keys).is_some() {
        return None;
    }
    let found = shape_of(&keys)?;
    if shape::problem(&found, &keys).is_some() {
        return None;
    }
    let ours = match (found, listing) {
        (Shape::GraphResult { data, .. }, Listing::Data) => std::ptr::eq(data, array),
        (Shape::ArmPage { value, .. }, Listing::Value) => std::ptr::eq(value, array),
        _ => false,
    };
    ours.then_some(found)
}

/// What the rows applied so far say, for the rows still to come.
#[derive(Default)]
struct Applied<'a> {
    /// The index of the next element.
    index: usize,
    /// Per recommendation, the raw metadata and display name it was last merged from.
    merged: HashMap<String, (Option<&'a str>, Option<&'a str>)>,
    /// The subscription of the last row, as written (already in the page's set).
    last_subscription: Option<&'a str>,
}

impl<'a> Applied<'a> {
    /// True when merging the row's recommendation again would change nothing: it was
    /// last merged from the same metadata and display name (merging is idempotent).
    fn merged(&self, row: &Row<'a>) -> bool {
        self.merged
            .get(row.facts.key.as_ref())
            .is_some_and(|&(m, d)| m == row.metadata && d == row.display_name)
    }
}

/// How reading an array's pieces went.
enum Progress {
    /// The next element starts here.
    Running(usize),
    /// A guessed boundary was wrong: the true one is here.
    Mismatch(usize),
    /// The array ended; its `]` is before this offset.
    Done(usize),
    Failed,
}

impl<'d> Loader<'d> {
    /// True when documents may be read the fast way: asked for, not under `validate`
    /// (which lists unknown keys), and no stream read yet (a stream cannot be read again).
    pub(super) fn fast_documents(&self) -> bool {
        self.options.fast_scan && !self.options.report_unknown_keys && !self.streams_read
    }

    /// Reads the document at the start of `rest` (after any whitespace) when it is an
    /// Azure listing.
    pub(super) fn fast_document<'a>(&mut self, file: &mut FileCtx<'a>, rest: &'a str) -> Fast {
        let Ok(array) = serde_json::from_str::<&'static RawValue>("[]") else {
            return Fast::NotTaken;
        };
        let b = rest.as_bytes();
        let i = azure_scan::skip_ws(b, 0);
        if b.get(i) != Some(&b'{') {
            return Fast::NotTaken;
        }
        // Nothing added yet, the exact path reads the document; rows added, it reads all.
        let unread = |read: &Option<_>| {
            if read.is_some() {
                Fast::Failed
            } else {
                Fast::NotTaken
            }
        };
        let mut entries: Vec<(String, &'a RawValue)> = Vec::new();
        let mut read: Option<(Listing, PageItems)> = None;
        let mut j = azure_scan::skip_ws(b, i + 1);
        let end = if b.get(j) == Some(&b'}') {
            j + 1
        } else {
            loop {
                let Ok((key, at)) = azure_scan::key_at(rest, j) else {
                    return unread(&read);
                };
                let listing = if key.eq_ignore_ascii_case("data") {
                    Some(Listing::Data)
                } else if key.eq_ignore_ascii_case("value") {
                    Some(Listing::Value)
                } else {
                    None
                };
                let after = match listing {
                    Some(listing) if read.is_none() && b.get(at) == Some(&b'[') => {
                        entries.push((key.to_string(), array));
                        if listing_shape(&entries, array, listing).is_none() {
                            return Fast::NotTaken;
                        }
                        let path = if listing == Listing::Data { "data" } else { "value" };
                        let Some((items, after)) = self.fast_array(file, rest, at, path) else {
                            return Fast::Failed;
                        };
                        read = Some((listing, items));
                        after
                    }
                    _ => {
                        if read.is_none() && !WRAPPER_KEYS.iter().any(|k| k.eq_ignore_ascii_case(key)) {
                            return Fast::NotTaken;
                        }
                        let Ok(after) = azure_scan::skip_value(b, at, 1) else {
                            return unread(&read);
                        };
                        let Some(Ok(raw)) = rest.get(at..after).map(serde_json::from_str::<&RawValue>) else {
                            return unread(&read);
                        };
                        entries.push((key.to_string(), raw));
                        after
                    }
                };
                match azure_scan::after_member(b, after) {
                    Ok(Ok(next)) => j = next,
                    Ok(Err(end)) => break end,
                    Err(_) => return unread(&read),
                }
            }
        };
        let Some((listing, items)) = read else {
            return Fast::NotTaken;
        };
        // The keys after the array could have made the document something else.
        match listing_shape(&entries, array, listing) {
            Some(Shape::GraphResult {
                total,
                skip_token,
                truncated,
                ..
            }) => self.graph_page(file, items, total, skip_token, truncated),
            Some(Shape::ArmPage { next_link, .. }) => self.arm_page_of(file, items, next_link),
            _ => return Fast::Failed,
        }
        Fast::Read(end)
    }

    /// Reads the array whose `[` is at `open` in `text`, on every core: its items, and
    /// the offset after its `]`. `None` once the array proves not to be read so.
    fn fast_array<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        text: &'a str,
        open: usize,
        path: &str,
    ) -> Option<(PageItems, usize)> {
        let b = text.as_bytes();
        let first = azure_scan::skip_ws(b, open + 1);
        let mut page = PageItems::default();
        if b.get(first) == Some(&b']') {
            return Some((page, first + 1));
        }
        let hasher = self.builder.id_hasher().clone();
        let scanner = Scanner {
            tables: Tables::new(),
            hasher: &hasher,
        };
        let mut applied = Applied::default();
        let mut from = first;
        // A piece ends past this even when its guessed end is further: what a worker
        // holds stays bounded whatever the elements.
        let most = self.options.piece_size.saturating_mul(2);
        for round in 0.. {
            let (threads, piece_size) = if round < MAX_ROUNDS {
                (
                    parallel::thread_count(self.options.threads),
                    self.options.piece_size,
                )
            } else {
                (1, usize::MAX)
            };
            let stop = AtomicBool::new(false);
            let pieces = Splitter::new(b, open, first, from, piece_size, &stop);
            let mut progress = Progress::Running(from);
            parallel::ordered_map(
                pieces,
                threads,
                |(start, bound)| {
                    if stop.load(Ordering::Relaxed) {
                        return azure_scan::Piece {
                            start,
                            elements: Vec::new(),
                            end: End::Bad,
                        };
                    }
                    azure_scan::parse_piece(text, start, bound, most, &scanner)
                },
                |piece| {
                    let Progress::Running(expected) = progress else {
                        return;
                    };
                    let bad = |piece: &azure_scan::Piece| piece.end == End::Bad;
                    progress = if piece.start != expected {
                        Progress::Mismatch(expected)
                    } else if bad(&piece)
                        || piece.elements.into_iter().any(|el| {
                            self.fast_element(file, &mut page, &mut applied, el, path)
                                .is_none()
                        })
                    {
                        Progress::Failed
                    } else {
                        match piece.end {
                            End::Next(next) => Progress::Running(next),
                            End::Array(end) => Progress::Done(end),
                            End::Bad => Progress::Failed,
                        }
                    };
                    if !matches!(progress, Progress::Running(_)) {
                        stop.store(true, Ordering::Relaxed);
                    }
                },
            );
            match progress {
                Progress::Done(end) => return Some((page, end)),
                Progress::Failed => return None,
                Progress::Running(next) | Progress::Mismatch(next) => from = next,
            }
        }
        None
    }

    /// Applies one element a worker read; `None` when it proves not to be valid JSON.
    fn fast_element<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        page: &mut PageItems,
        applied: &mut Applied<'a>,
        element: Element<'a>,
        path: &str,
    ) -> Option<()> {
        let index = applied.index;
        applied.index += 1;
        match element {
            Element::Row(row) if applied.merged(&row) => {
                self.add_scanned_row(file, page, applied, *row);
            }
            Element::Row(row) => {
                // Its recommendation's metadata is new: read exactly, which merges it.
                let errors = self.diags.error_count();
                let raw = serde_json::from_str::<&RawValue>(row.text).ok()?;
                let kind = self.azure_element(file, page, index, raw, path);
                if kind == Some(Kind::Assessment) && self.diags.error_count() == errors {
                    applied
                        .merged
                        .insert(row.facts.key.to_string(), (row.metadata, row.display_name));
                } else if kind.is_some() {
                    applied.merged.clear();
                }
            }
            Element::Other(text) => {
                let raw = serde_json::from_str::<&RawValue>(text).ok()?;
                // An object read may have merged any recommendation.
                if self.azure_element(file, page, index, raw, path).is_some() {
                    applied.merged.clear();
                }
            }
        }
        Some(())
    }

    /// Adds a plain assessment whose recommendation needs no merging, as
    /// [`Loader::azure_element`] would.
    fn add_scanned_row<'a>(
        &mut self,
        file: &FileCtx<'a>,
        page: &mut PageItems,
        applied: &mut Applied<'a>,
        row: Row<'a>,
    ) {
        super::azure::add_assessment(&mut self.builder, row.facts, Some(row.hashes), file.input);
        page.note(Some(Kind::Assessment));
        if let Some(sub) = row.subscription {
            if applied.last_subscription != Some(sub) {
                let folded = sub.to_lowercase();
                if !page.subscriptions.contains(&folded) {
                    page.subscriptions.insert(folded);
                }
                applied.last_subscription = Some(sub);
            }
        }
        self.anonymous_rows += 1;
        page.rows
            .push(row.id_hash.unwrap_or(u64::MAX - self.anonymous_rows));
    }
}
