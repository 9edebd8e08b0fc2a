//! A scanner for the rows of an Azure listing (the `data` of a Resource Graph result, the
//! `value` of an ARM page), built for speed and for agreeing with the exact serde path:
//!
//! - **Pieces.** The array is cut into pieces at guessed element boundaries
//!   ([`Splitter`]): in pretty-printed JSON a line break followed by the first element's
//!   indentation and `{` (a raw line break never lies inside a string), in compact JSON
//!   a `,` followed by the first element's opening up to its first key. A guess is only
//!   trusted once the piece before it, read element by element from a true boundary,
//!   ends exactly there ([`parse_piece`] says where it ended): the caller checks that.
//! - **Rows.** An element is read by [`element`]: every byte is validated as serde_json
//!   validates it, but only the fields an assessment's score needs are picked out
//!   (its id, name, type, status, resource details, the raw `metadata` and display name,
//!   the subscription); prose and links are skipped by the word, eight bytes at a time.
//!   What it does not take as a plain assessment (another type, an escape in a field it
//!   reads, a key given twice, a value of an unexpected type, an assessment the exact
//!   path would refuse) is handed back whole, to be read by the serde path in its place.
//!
//! Nothing here touches the model: workers run it, the loader applies the results in
//! order (`load/azure_fast.rs`).

use super::azure::{self, AssessmentFacts, Details, Fields, Kind, StatusField};
use crate::catalog::Text;
use crate::diag::Origin;
use crate::ids::IdHasher;
use std::borrow::Cow;
use std::sync::atomic::{AtomicBool, Ordering};

/// Nesting deeper than this is not scanned (the serde path reads such an input).
const MAX_DEPTH: usize = 100;

/// How far past a piece's target size a boundary is looked for; beyond it, the rest of
/// the array is one piece.
const SEARCH_LIMIT: usize = 64 << 20;

/// A syntax error, or something the scanner does not read: the exact path decides.
#[derive(Debug, PartialEq)]
pub(super) struct Bad;

type Scan<T> = Result<T, Bad>;

/// One element of an array, as a worker read it.
#[derive(Debug)]
pub(super) enum Element<'a> {
    /// A plain assessment, read whole.
    Row(Box<Row<'a>>),
    /// Any other element (valid JSON): the exact path reads it.
    Other(&'a str),
}

/// A plain assessment row: what the loader adds, and what decides whether its
/// recommendation must be merged again.
#[derive(Debug)]
pub(super) struct Row<'a> {
    /// The element's text (read by the exact path when its metadata is new).
    pub text: &'a str,
    pub facts: AssessmentFacts<'a>,
    /// The raw `metadata` object and display name (as written, escapes and all): a
    /// recommendation merged from the same two is not merged again.
    pub metadata: Option<&'a str>,
    pub display_name: Option<&'a str>,
    /// The subscription its id lies in, as written.
    pub subscription: Option<&'a str>,
    /// [`azure::id_hash`] of its id.
    pub id_hash: Option<u64>,
    /// The hashes of its resource and recommendation ids, for the model's tables.
    pub hashes: (u64, u64),
}

/// A piece of an array, read by a worker.
#[derive(Debug)]
pub(super) struct Piece<'a> {
    /// Where its first element starts (a guess but for the first piece).
    pub start: usize,
    pub elements: Vec<Element<'a>>,
    pub end: End,
}

/// Where a piece ended.
#[derive(Debug, PartialEq)]
pub(super) enum End {
    /// At the start of the next element, the first at or after the piece's bound.
    Next(usize),
    /// At the array's end: the offset after its `]`.
    Array(usize),
    /// At something the scanner does not read (or a syntax error).
    Bad,
}

/// JSON's whitespace.
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\n' | b'\t' | b'\r')
}

/// The offset of the first byte at or after `i` that is not whitespace.
pub(super) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// The offset of the first byte at or after `i` that ends a string's plain run: a quote,
/// a backslash or a control character (`b.len()` if none). Eight bytes at a time: a byte
/// is flagged when it equals `"` or `\`, or is below 0x20; the lowest flag is exact.
fn plain_run_end(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    while let Some(chunk) = b.get(i..i + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        let zero = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
        let found = zero(w ^ (ONES * u64::from(b'"')))
            | zero(w ^ (ONES * u64::from(b'\\')))
            | (w.wrapping_sub(ONES * 0x20) & !w & HIGHS);
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && !matches!(b[i], b'"' | b'\\' | 0..=0x1F) {
        i += 1;
    }
    i
}

/// A string starting at `i` (its opening quote): the offset after its closing quote, and
/// whether it holds an escape.
fn string(b: &[u8], i: usize) -> Scan<(usize, bool)> {
    let mut j = i + 1;
    let mut escaped = false;
    loop {
        j = plain_run_end(b, j);
        match b.get(j) {
            Some(b'"') => return Ok((j + 1, escaped)),
            Some(b'\\') => {
                escaped = true;
                j = escape(b, j + 1)?;
            }
            _ => return Err(Bad),
        }
    }
}

/// An escape after its backslash (at `j`): the offset after it. As serde_json checks it
/// in a value it skips: a `\u` needs four hex digits, whatever code point they make.
fn escape(b: &[u8], j: usize) -> Scan<usize> {
    match b.get(j) {
        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => Ok(j + 1),
        Some(b'u') => match b.get(j + 1..j + 5) {
            Some(hex) if hex.iter().all(u8::is_ascii_hexdigit) => Ok(j + 5),
            _ => Err(Bad),
        },
        _ => Err(Bad),
    }
}

/// The digits at `i`: the offset after them, and whether there was one.
fn digits(b: &[u8], mut i: usize) -> (usize, bool) {
    let start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    (i, i > start)
}

/// A number at `i`, as JSON writes one:
/// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
fn number(b: &[u8], mut i: usize) -> Scan<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    match b.get(i) {
        Some(b'0') => {
            i += 1;
            if b.get(i).is_some_and(u8::is_ascii_digit) {
                return Err(Bad);
            }
        }
        Some(b'1'..=b'9') => i = digits(b, i).0,
        _ => return Err(Bad),
    }
    if b.get(i) == Some(&b'.') {
        let (end, any) = digits(b, i + 1);
        if !any {
            return Err(Bad);
        }
        i = end;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let (end, any) = digits(b, i);
        if !any {
            return Err(Bad);
        }
        i = end;
    }
    Ok(i)
}

/// `word` at `i`: the offset after it.
fn literal(b: &[u8], i: usize, word: &[u8]) -> Scan<usize> {
    match b.get(i..i + word.len()) {
        Some(w) if w.iter().zip(word).all(|(x, y)| x == y) => Ok(i + word.len()),
        _ => Err(Bad),
    }
}

/// Expects `byte` at `i` (after whitespace): the offset after it, and after the
/// whitespace that follows.
fn expect(b: &[u8], i: usize, byte: u8) -> Scan<usize> {
    let i = skip_ws(b, i);
    if b.get(i) == Some(&byte) {
        Ok(skip_ws(b, i + 1))
    } else {
        Err(Bad)
    }
}

/// One value starting at `i` (no whitespace before it), checked as serde_json checks a
/// value it skips: the offset after it.
pub(super) fn skip_value(b: &[u8], i: usize, depth: usize) -> Scan<usize> {
    match b.get(i) {
        Some(b'"') => Ok(string(b, i)?.0),
        Some(b'{') => {
            if depth >= MAX_DEPTH {
                return Err(Bad);
            }
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b'}') {
                return Ok(j + 1);
            }
            loop {
                if b.get(j) != Some(&b'"') {
                    return Err(Bad);
                }
                j = string(b, j)?.0;
                j = expect(b, j, b':')?;
                j = skip_ws(b, skip_value(b, j, depth + 1)?);
                match b.get(j) {
                    Some(b',') => j = skip_ws(b, j + 1),
                    Some(b'}') => return Ok(j + 1),
                    _ => return Err(Bad),
                }
            }
        }
        Some(b'[') => {
            if depth >= MAX_DEPTH {
                return Err(Bad);
            }
            let mut j = skip_ws(b, i + 1);
            if b.get(j) == Some(&b']') {
                return Ok(j + 1);
            }
            loop {
                j = skip_ws(b, skip_value(b, j, depth + 1)?);
                match b.get(j) {
                    Some(b',') => j = skip_ws(b, j + 1),
                    Some(b']') => return Ok(j + 1),
                    _ => return Err(Bad),
                }
            }
        }
        Some(b't') => literal(b, i, b"true"),
        Some(b'f') => literal(b, i, b"false"),
        Some(b'n') => literal(b, i, b"null"),
        Some(b'-' | b'0'..=b'9') => number(b, i),
        _ => Err(Bad),
    }
}

/// What the scanner does with the value of one of [`Fields::KEYS`].
#[derive(Clone, Copy, Debug, PartialEq)]
enum Role {
    Id,
    Name,
    Type,
    DisplayName,
    SubscriptionId,
    Properties,
    ResourceDetails,
    Status,
    Metadata,
    /// A boolean (`preview`), read by nothing an assessment needs.
    Flag,
    /// A string read by nothing an assessment needs (`severity` outside `metadata`…).
    Prose,
    /// Anything else (scores, counts, definitions): only null is taken.
    Other,
}

fn role(key: &str) -> Role {
    match key {
        "id" => Role::Id,
        "name" => Role::Name,
        "type" => Role::Type,
        "displayName" => Role::DisplayName,
        "subscriptionId" => Role::SubscriptionId,
        "properties" => Role::Properties,
        "resourceDetails" => Role::ResourceDetails,
        "status" => Role::Status,
        "metadata" => Role::Metadata,
        "preview" => Role::Flag,
        "severity" | "assessmentType" | "description" | "remediationDescription" | "sourceType" => {
            Role::Prose
        }
        _ => Role::Other,
    }
}

/// Finds a key among a record's keys, ignoring ASCII case, by its length first.
struct KeyTable {
    keys: &'static [&'static str],
    /// For each length, the indexes of the keys of that length.
    by_len: Vec<Vec<u8>>,
}

impl KeyTable {
    fn new(keys: &'static [&'static str]) -> KeyTable {
        let longest = keys.iter().map(|k| k.len()).max().unwrap_or(0);
        let mut by_len = vec![Vec::new(); longest + 1];
        for (i, k) in keys.iter().enumerate() {
            by_len[k.len()].push(i as u8);
        }
        KeyTable { keys, by_len }
    }

    /// The index of `key` among the keys.
    fn find(&self, key: &[u8]) -> Option<usize> {
        self.by_len
            .get(key.len())?
            .iter()
            .map(|&i| usize::from(i))
            .find(|&i| self.keys[i].as_bytes().eq_ignore_ascii_case(key))
    }
}

/// The key tables of the records a row is read into.
pub(super) struct Tables {
    fields: KeyTable,
    roles: Vec<Role>,
    details: KeyTable,
    status: KeyTable,
}

impl Tables {
    pub(super) fn new() -> Tables {
        Tables {
            fields: KeyTable::new(Fields::KEYS),
            roles: Fields::KEYS.iter().map(|k| role(k)).collect(),
            details: KeyTable::new(Details::KEYS),
            status: KeyTable::new(StatusField::KEYS),
        }
    }
}

/// What one level of an Azure object (the object, or its `properties`) gives. `None`
/// for a key absent or null, as serde reads it into an `Option`.
#[derive(Default)]
struct Level<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    kind: Option<&'a str>,
    display_name: Option<&'a str>,
    subscription_id: Option<&'a str>,
    details: Option<Details<'a>>,
    status: Option<StatusField<'a>>,
    metadata: Option<&'a str>,
}

impl<'a> Level<'a> {
    /// Fills what this level lacks from `inner`, as [`Fields::flatten`] does.
    fn fill_from(&mut self, inner: Level<'a>) {
        self.id = self.id.or(inner.id);
        self.name = self.name.or(inner.name);
        self.kind = self.kind.or(inner.kind);
        self.display_name = self.display_name.or(inner.display_name);
        self.subscription_id = self.subscription_id.or(inner.subscription_id);
        self.details = self.details.take().or(inner.details);
        self.status = self.status.take().or(inner.status);
        self.metadata = self.metadata.or(inner.metadata);
    }
}

fn borrowed(s: Option<&str>) -> Option<Text<'_>> {
    s.map(|s| Text(Cow::Borrowed(s)))
}

/// The key at `j` (its opening quote) and where its value starts; an escaped key
/// (which could spell a key read) is not read here.
pub(super) fn key_at(text: &str, j: usize) -> Scan<KeyAt<'_>> {
    let b = text.as_bytes();
    if b.get(j) != Some(&b'"') {
        return Err(Bad);
    }
    let (end, escaped) = string(b, j)?;
    if escaped {
        return Err(Bad);
    }
    let key = text.get(j + 1..end - 1).ok_or(Bad)?;
    Ok((key, expect(b, end, b':')?))
}

/// After a member's value (at `j`): `Ok` with the next key's offset, or `Err` at the
/// object's end, with the offset after its `}`.
pub(super) fn after_member(b: &[u8], j: usize) -> Scan<Result<usize, usize>> {
    let j = skip_ws(b, j);
    match b.get(j) {
        Some(b',') => Ok(Ok(skip_ws(b, j + 1))),
        Some(b'}') => Ok(Err(j + 1)),
        _ => Err(Bad),
    }
}

/// Reads objects out of one text.
struct Reader<'a, 't> {
    text: &'a str,
    b: &'a [u8],
    tables: &'t Tables,
}

/// What a worker reads rows with: the key tables, and the model's id hasher.
pub(super) struct Scanner<'h> {
    pub tables: Tables,
    pub hasher: &'h IdHasher,
}

/// A key's place in a record: an unescaped string, its text, and the offset after the
/// `:` and whitespace that follow it.
type KeyAt<'a> = (&'a str, usize);

impl<'a> Reader<'a, '_> {
    fn key(&self, j: usize) -> Scan<KeyAt<'a>> {
        key_at(self.text, j)
    }

    fn next_member(&self, j: usize) -> Scan<Result<usize, usize>> {
        after_member(self.b, j)
    }

    /// Calls `member(key, value offset)` for each member of the object at `i` (its `{`),
    /// which returns the offset after the value; the offset after the object.
    fn object(&self, i: usize, mut member: impl FnMut(&'a str, usize) -> Scan<usize>) -> Scan<usize> {
        if self.b.get(i) != Some(&b'{') {
            return Err(Bad);
        }
        let mut j = skip_ws(self.b, i + 1);
        if self.b.get(j) == Some(&b'}') {
            return Ok(j + 1);
        }
        loop {
            let (key, value) = self.key(j)?;
            match self.next_member(member(key, value)?)? {
                Ok(next) => j = next,
                Err(end) => return Ok(end),
            }
        }
    }

    /// A string read whole (no escape), or null: its text, and the offset after it.
    fn plain_text(&self, i: usize) -> Scan<(Option<&'a str>, usize)> {
        match self.b.get(i) {
            Some(b'"') => {
                let (end, escaped) = string(self.b, i)?;
                if escaped {
                    return Err(Bad);
                }
                Ok((Some(self.text.get(i + 1..end - 1).ok_or(Bad)?), end))
            }
            Some(b'n') => Ok((None, literal(self.b, i, b"null")?)),
            _ => Err(Bad),
        }
    }

    /// A string read by nothing an assessment's facts need, or null: its text as written
    /// (escapes and all, to compare), and the offset after it. A `\u` escape is left to
    /// the exact path, which refuses a lone surrogate where one is read as a string.
    fn prose(&self, i: usize) -> Scan<(Option<&'a str>, usize)> {
        match self.b.get(i) {
            Some(b'"') => {
                let (end, escaped) = string(self.b, i)?;
                let raw = self.text.get(i + 1..end - 1).ok_or(Bad)?;
                if escaped && raw.contains("\\u") {
                    return Err(Bad);
                }
                Ok((Some(raw), end))
            }
            Some(b'n') => Ok((None, literal(self.b, i, b"null")?)),
            _ => Err(Bad),
        }
    }

    /// True when the value at `i` is null (then also the offset after it).
    fn null(&self, i: usize) -> Option<usize> {
        literal(self.b, i, b"null").ok()
    }

    /// A record of string fields (`resourceDetails`, `status`) at `i`: each field found
    /// by `table`, each given once; `set(index, text)` stores one.
    fn strings(&self, i: usize, table: &KeyTable, mut set: impl FnMut(usize, Text<'a>)) -> Scan<usize> {
        let mut seen = 0u64;
        self.object(i, |key, at| match table.find(key.as_bytes()) {
            None => skip_value(self.b, at, 2),
            Some(k) => {
                if seen & (1 << k) != 0 {
                    return Err(Bad);
                }
                seen |= 1 << k;
                let (value, end) = self.plain_text(at)?;
                if let Some(v) = value {
                    set(k, Text(Cow::Borrowed(v)));
                }
                Ok(end)
            }
        })
    }

    /// One level of an Azure object at `i`; `top` for the object itself (whose
    /// `properties` is the level below).
    fn level(&self, i: usize, top: bool, out: &mut Level<'a>, inner: &mut Level<'a>) -> Scan<usize> {
        let mut seen = 0u64;
        self.object(i, |key, at| {
            let Some(k) = self.tables.fields.find(key.as_bytes()) else {
                return skip_value(self.b, at, 2);
            };
            if seen & (1 << k) != 0 {
                return Err(Bad);
            }
            seen |= 1 << k;
            let slot = match self.tables.roles[k] {
                Role::Id => &mut out.id,
                Role::Name => &mut out.name,
                Role::Type => &mut out.kind,
                Role::DisplayName => {
                    let (value, end) = self.prose(at)?;
                    out.display_name = value;
                    return Ok(end);
                }
                Role::SubscriptionId => &mut out.subscription_id,
                Role::Prose => return Ok(self.prose(at)?.1),
                Role::Properties if top => {
                    if let Some(end) = self.null(at) {
                        return Ok(end);
                    }
                    return self.level(at, false, inner, &mut Level::default());
                }
                Role::ResourceDetails => {
                    if let Some(end) = self.null(at) {
                        return Ok(end);
                    }
                    let mut d = Details::default();
                    let end = self.strings(at, &self.tables.details, |k, v| set_detail(&mut d, k, v))?;
                    out.details = Some(d);
                    return Ok(end);
                }
                Role::Status => {
                    if let Some(end) = self.null(at) {
                        return Ok(end);
                    }
                    let mut s = StatusField::default();
                    let end = self.strings(at, &self.tables.status, |k, v| match k {
                        0 => s.code = Some(v),
                        _ => s.cause = Some(v),
                    })?;
                    out.status = Some(s);
                    return Ok(end);
                }
                Role::Metadata => {
                    if let Some(end) = self.null(at) {
                        return Ok(end);
                    }
                    if self.b.get(at) != Some(&b'{') {
                        return Err(Bad);
                    }
                    let end = skip_value(self.b, at, 2)?;
                    out.metadata = Some(self.text.get(at..end).ok_or(Bad)?);
                    return Ok(end);
                }
                Role::Flag => {
                    return match self.b.get(at) {
                        Some(b't') => literal(self.b, at, b"true"),
                        Some(b'f') => literal(self.b, at, b"false"),
                        _ => self.null(at).ok_or(Bad),
                    };
                }
                Role::Properties | Role::Other => return self.null(at).ok_or(Bad),
            };
            let (value, end) = self.plain_text(at)?;
            *slot = value;
            Ok(end)
        })
    }
}

/// Stores field `k` of [`Details::KEYS`].
fn set_detail<'a>(d: &mut Details<'a>, k: usize, v: Text<'a>) {
    let slot = match Details::KEYS.get(k).copied() {
        Some("source") => &mut d.source,
        Some("id") => &mut d.id,
        Some("ResourceId") => &mut d.resource_id,
        Some("AzureResourceId") => &mut d.azure_resource_id,
        Some("AwsResourceId") => &mut d.aws_resource_id,
        Some("GcpResourceId") => &mut d.gcp_resource_id,
        Some("vmuuid") => &mut d.vmuuid,
        Some("machineName") => &mut d.machine_name,
        Some("workspaceId") => &mut d.workspace_id,
        Some("serverName") => &mut d.server_name,
        Some("databaseName") => &mut d.database_name,
        Some("connectorId") => &mut d.connector_id,
        _ => return,
    };
    *slot = Some(v);
}

/// The element at `i` (no whitespace before it), and the offset after it.
pub(super) fn element<'a>(text: &'a str, i: usize, scanner: &Scanner) -> Scan<(Element<'a>, usize)> {
    let reader = Reader {
        text,
        b: text.as_bytes(),
        tables: &scanner.tables,
    };
    if let Ok((row, end)) = row(&reader, i, scanner.hasher) {
        return Ok((Element::Row(Box::new(row)), end));
    }
    let end = skip_value(reader.b, i, 1)?;
    Ok((Element::Other(text.get(i..end).ok_or(Bad)?), end))
}

/// A plain assessment at `i`, or [`Bad`] for anything else.
fn row<'a>(reader: &Reader<'a, '_>, i: usize, hasher: &IdHasher) -> Scan<(Row<'a>, usize)> {
    let text = reader.text;
    let (mut top, mut inner) = (Level::default(), Level::default());
    let end = reader.level(i, true, &mut top, &mut inner)?;
    top.fill_from(inner);
    let mut fields = Fields::default();
    fields.id = borrowed(top.id);
    fields.name = borrowed(top.name);
    fields.kind = borrowed(top.kind);
    fields.subscription_id = borrowed(top.subscription_id);
    fields.resource_details = top.details;
    fields.status = top.status;
    if azure::kind_of(&fields) != Ok(Kind::Assessment) {
        return Err(Bad);
    }
    let subscription = top.id.and_then(crate::ids::subscription_of);
    let id_hash = azure::id_hash(&fields);
    let AssessmentFacts {
        key,
        resource,
        status,
        exemption,
        scope_hint,
    } = azure::assessment_facts(&fields, &mut Origin::default).map_err(|_| Bad)?;
    let hashes = (hasher.identity_hash(&resource), hasher.exact_hash(&key));
    let facts = AssessmentFacts {
        key: within(text, key),
        resource: within(text, resource),
        status,
        exemption,
        scope_hint,
    };
    Ok((
        Row {
            text: text.get(i..end).ok_or(Bad)?,
            facts,
            metadata: top.metadata,
            display_name: top.display_name,
            subscription,
            id_hash,
            hashes,
        },
        end,
    ))
}

/// `s` as a slice of `text` when it is one (a field read from it), else owned.
fn within<'a>(text: &'a str, s: Cow<'_, str>) -> Cow<'a, str> {
    let offset = (s.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    match text.get(offset..offset.wrapping_add(s.len())) {
        Some(slice) if matches!(s, Cow::Borrowed(_)) && slice.as_ptr() == s.as_ptr() => Cow::Borrowed(slice),
        _ => Cow::Owned(s.into_owned()),
    }
}

/// Reads the elements of an array from `start` (a true element boundary, or a guess),
/// up to the first element that starts at or after `bound`, or after `most` bytes from
/// `start` (whichever comes first), so that a piece whose bound was guessed far away
/// (elements that give the guess nothing to find) holds a bounded number of elements.
pub(super) fn parse_piece<'a>(
    text: &'a str,
    start: usize,
    bound: usize,
    most: usize,
    scanner: &Scanner,
) -> Piece<'a> {
    let b = text.as_bytes();
    let mut elements = Vec::new();
    let mut pos = start;
    let end = loop {
        let Ok((el, after)) = element(text, pos, scanner) else {
            break End::Bad;
        };
        elements.push(el);
        let j = skip_ws(b, after);
        match b.get(j) {
            Some(b',') => {
                pos = skip_ws(b, j + 1);
                if pos >= bound || pos - start >= most {
                    break End::Next(pos);
                }
            }
            Some(b']') => break End::Array(j + 1),
            _ => break End::Bad,
        }
    };
    Piece { start, elements, end }
}

/// Guesses where the pieces of an array start: an iterator of (start, bound) pairs, each
/// piece's bound being the next one's start (`usize::MAX` for the last). Stops early
/// once `stop` is set (the caller found the array's end, or a wrong guess).
pub(super) struct Splitter<'a, 's> {
    b: &'a [u8],
    /// What precedes and opens every element but the first.
    pattern: Vec<u8>,
    /// Where the element starts in the pattern.
    lead: usize,
    piece_size: usize,
    next: Option<usize>,
    stop: &'s AtomicBool,
}

impl<'a, 's> Splitter<'a, 's> {
    /// The pieces from `start` on, of the array whose `[` is at `open` and whose first
    /// element is at `first`.
    pub(super) fn new(
        b: &'a [u8],
        open: usize,
        first: usize,
        start: usize,
        piece_size: usize,
        stop: &'s AtomicBool,
    ) -> Splitter<'a, 's> {
        let gap = b.get(open + 1..first).unwrap_or_default();
        let mut pattern = Vec::new();
        if let Some(nl) = gap.iter().rposition(|&c| c == b'\n') {
            // Pretty-printed: a line break, the first element's indentation, `{`.
            pattern.extend_from_slice(&gap[nl..]);
            pattern.push(b'{');
        } else if let Some(colon) = first_key_end(b, first) {
            // Compact: `,`, the gap, and the first element's opening through its first
            // key and colon (a quote cannot stand unescaped inside a string).
            pattern.push(b',');
            pattern.extend_from_slice(gap);
            pattern.extend_from_slice(b.get(first..colon).unwrap_or_default());
        }
        let lead = if pattern.first() == Some(&b',') {
            1 + gap.len()
        } else {
            pattern.len().saturating_sub(1)
        };
        Splitter {
            b,
            pattern,
            lead,
            piece_size: piece_size.max(1),
            next: Some(start),
            stop,
        }
    }
}

/// The offset after the `:` of the first key of the object at `i`.
fn first_key_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let j = skip_ws(b, i + 1);
    if b.get(j) != Some(&b'"') {
        return None;
    }
    let (end, _) = string(b, j).ok()?;
    let colon = skip_ws(b, end);
    (b.get(colon) == Some(&b':')).then_some(colon + 1)
}

impl Iterator for Splitter<'_, '_> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        let start = self.next.take()?;
        if self.stop.load(Ordering::Relaxed) {
            return None;
        }
        let target = start.saturating_add(self.piece_size);
        let end = self.b.len().min(target.saturating_add(SEARCH_LIMIT));
        self.next = match self.b.get(target..end) {
            Some(hay) if !self.pattern.is_empty() => {
                memchr::memmem::find(hay, &self.pattern).map(|m| target + m + self.lead)
            }
            _ => None,
        };
        Some((start, self.next.unwrap_or(usize::MAX)))
    }
}
