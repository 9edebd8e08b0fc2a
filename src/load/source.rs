//! Reading an input's bytes and checking them before any JSON is parsed: a regular file
//! is memory-mapped and read whole; a stream (standard input, a pipe, a device) is
//! checked on its first bytes, then read a document or a line at a time, so that memory
//! holds the largest document, not the stream. Every input is refused past
//! `--max-input-size`.

use super::parallel;
use crate::diag::Diagnostic;
use crate::digest::RunningSha256;
use std::io::Read;
use std::ops::Deref;
use std::path::{Path, PathBuf};

/// The default of `--max-input-size`: 64 GiB.
pub const DEFAULT_MAX_INPUT_SIZE: u64 = 64 << 30;

/// How much of a stream is read, and checked, before anything of it is parsed; also the
/// size of each later read.
const CHUNK: usize = 64 << 10;

/// How many first bytes tell an input's encoding.
const ENCODING_HEAD: usize = 64;

/// The UTF-8 byte-order mark.
const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// One input named on the command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputSpec {
    /// Standard input (`-`, or no FILE).
    Stdin,
    /// A file.
    Path(PathBuf),
    /// Text held in memory, under a display name (tests, embedded data).
    Text { name: String, text: String },
    /// Bytes held in memory, read as a pipe is: a [`Stream`] that gets a few bytes a read
    /// (tests and the fuzz targets: the stream reader on any bytes, cut anywhere).
    Piped { name: String, bytes: Vec<u8> },
}

impl InputSpec {
    /// The name under which messages refer to the input.
    pub fn display_name(&self) -> String {
        match self {
            InputSpec::Stdin => "<stdin>".to_string(),
            InputSpec::Path(p) => p.display().to_string(),
            InputSpec::Text { name, .. } | InputSpec::Piped { name, .. } => name.clone(),
        }
    }

    /// The file extension, lower-cased, if the input is a file.
    pub fn extension(&self) -> Option<String> {
        let path: &Path = match self {
            InputSpec::Path(p) => p,
            InputSpec::Text { name, .. } | InputSpec::Piped { name, .. } => Path::new(name),
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

/// An input opened for reading.
pub enum Source {
    /// All of it at once: a regular file (mapped), or text held in memory.
    Whole(Bytes),
    /// A stream, whose first bytes have been checked: read it a piece at a time.
    Stream(Box<Stream>),
}

/// Opens an input: a regular file of at most `limit` bytes is mapped; standard input and
/// any file that cannot be mapped (a pipe, a device, `<(…)`, a file of `/proc`) become a
/// [`Stream`], whose first bytes are checked here. `digest`: a stream keeps the SHA-256 of
/// what it reads ([`Stream::digest`]).
pub fn open(spec: &InputSpec, limit: u64, digest: bool) -> Result<Source, Diagnostic> {
    let name = spec.display_name();
    let unreadable =
        |e: std::io::Error| located(&name, "unreadable-input", format!("cannot read the input: {e}"));
    match spec {
        InputSpec::Stdin => Stream::open(&name, Box::new(std::io::stdin().lock()), limit, digest)
            .map(|s| Source::Stream(Box::new(s))),
        InputSpec::Text { text, .. } => {
            if text.len() as u64 > limit {
                return Err(too_large(
                    &name,
                    TooLarge::Whole {
                        size: text.len() as u64,
                        limit,
                    },
                ));
            }
            Ok(Source::Whole(Bytes::Owned(text.clone().into_bytes())))
        }
        InputSpec::Piped { bytes, .. } => {
            let pipe = Dribble {
                bytes: bytes.clone(),
                at: 0,
            };
            Stream::open(&name, Box::new(pipe), limit, digest).map(|s| Source::Stream(Box::new(s)))
        }
        InputSpec::Path(path) => {
            let file = std::fs::File::open(path).map_err(unreadable)?;
            let meta = file.metadata().map_err(unreadable)?;
            if meta.is_dir() {
                return Err(unreadable(std::io::Error::other("it is a directory")));
            }
            if meta.is_file() && meta.len() > limit {
                return Err(too_large(
                    &name,
                    TooLarge::Whole {
                        size: meta.len(),
                        limit,
                    },
                ));
            }
            // A file of length 0 may still hold bytes (a file of /proc): read as a stream.
            let map = (meta.is_file() && meta.len() > 0)
                // SAFETY: the map is only read. A file truncated by another process while
                // we read it could fault; that is the accepted trade-off of every mapping
                // reader, and it is what keeps multi-gigabyte inventories out of the heap.
                .then(|| unsafe { memmap2::Mmap::map(&file) }.ok())
                .flatten();
            match map {
                Some(map) => Ok(Source::Whole(Bytes::Mapped(map))),
                None => {
                    Stream::open(&name, Box::new(file), limit, digest).map(|s| Source::Stream(Box::new(s)))
                }
            }
        }
    }
}

/// Bytes read a few at a time, as from a pipe whose writer is slow: at most
/// [`Dribble::MOST`] a read, so that every value of an input is cut across reads somewhere.
struct Dribble {
    bytes: Vec<u8>,
    at: usize,
}

impl Dribble {
    const MOST: usize = 7;
}

impl Read for Dribble {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.bytes[self.at..];
        // 1, 2, … MOST bytes by turns.
        let n = rest.len().min(buf.len()).min(1 + self.at % Dribble::MOST);
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

/// An error diagnostic about the input `name` as a whole.
fn located(name: &str, code: &'static str, message: String) -> Diagnostic {
    let mut d = Diagnostic::error(code, message);
    d.file = Some(name.to_string());
    d
}

/// Why an input is too large.
#[derive(Clone, Copy, Debug)]
pub enum TooLarge {
    /// A file (or text) of `size` bytes, more than `limit`.
    Whole { size: u64, limit: u64 },
    /// A stream that delivered more than `limit` bytes.
    Stream { limit: u64 },
}

impl std::fmt::Display for TooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            TooLarge::Whole { size, limit } => write!(
                f,
                "the input is {}, more than --max-input-size {}: pass --max-input-size {} (or more) to read it",
                describe_size(size),
                describe_size(limit),
                round_up(size)
            ),
            TooLarge::Stream { limit } => write!(
                f,
                "the input went on past --max-input-size {} and was not read further: pass a larger \
                 --max-input-size (such as {}) to read it",
                describe_size(limit),
                round_up(limit.saturating_mul(2))
            ),
        }
    }
}

impl std::error::Error for TooLarge {}

fn too_large(name: &str, why: TooLarge) -> Diagnostic {
    located(name, "input-too-large", why.to_string())
}

/// The binary units a size may be given and is shown in, largest first.
const BINARY_UNITS: [(&str, u64); 4] = [
    ("TiB", 1 << 40),
    ("GiB", 1 << 30),
    ("MiB", 1 << 20),
    ("KiB", 1 << 10),
];

/// A size for messages: `64 GiB (68719476736 bytes)` when a binary unit divides it, else
/// `1000 bytes`.
pub fn describe_size(bytes: u64) -> String {
    match BINARY_UNITS
        .iter()
        .find(|(_, unit)| bytes >= *unit && bytes.is_multiple_of(*unit))
    {
        Some((name, unit)) => format!("{} {name} ({bytes} bytes)", bytes / unit),
        None if bytes == 1 => "1 byte".to_string(),
        None => format!("{bytes} bytes"),
    }
}

/// `bytes` rounded up to a whole number of its largest binary unit, as
/// `--max-input-size` takes it: `129K` for 131957 bytes.
fn round_up(bytes: u64) -> String {
    match BINARY_UNITS.iter().find(|(_, unit)| bytes >= *unit) {
        Some((name, unit)) => format!("{}{}", bytes.div_ceil(*unit), &name[..1]),
        None => bytes.to_string(),
    }
}

/// Parses a size (`--max-input-size`): a whole number of bytes, optionally followed by a
/// unit: `K`, `M`, `G`, `T` or `KiB`, `MiB`, `GiB`, `TiB` (powers of 1024, as `head -c`
/// reads them), `KB`, `MB`, `GB`, `TB` (powers of 1000), or `B`; in any case, a space
/// allowed before the unit. Zero, fractions and sizes past 2^64 bytes are refused.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let bad = || {
        format!(
            "{text:?} is not a size: expected a whole number of bytes of at least 1, optionally followed by K, M, G \
             or T (or KiB, MiB, GiB, TiB: powers of 1024) or KB, MB, GB, TB (powers of 1000), such as 64GiB"
        )
    };
    let trimmed = text.trim();
    let digits = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (number, unit) = trimmed.split_at(digits);
    let factor: u64 = match unit.trim_start().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => 1 << 10,
        "m" | "mib" => 1 << 20,
        "g" | "gib" => 1 << 30,
        "t" | "tib" => 1 << 40,
        "kb" => 1_000,
        "mb" => 1_000_000,
        "gb" => 1_000_000_000,
        "tb" => 1_000_000_000_000,
        _ => return Err(bad()),
    };
    let number: u64 = number.parse().map_err(|_| bad())?;
    number.checked_mul(factor).filter(|&n| n > 0).ok_or_else(bad)
}

/// A reader that fails (with a [`TooLarge`] inside the error) once its inner reader has
/// delivered more than `limit` bytes.
pub struct Limited<R> {
    inner: R,
    limit: u64,
    read: u64,
}

impl<R: Read> Limited<R> {
    /// `inner`, refused past `limit` bytes.
    pub fn new(inner: R, limit: u64) -> Limited<R> {
        Limited {
            inner,
            limit,
            read: 0,
        }
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other(TooLarge::Stream { limit: self.limit }));
        }
        Ok(n)
    }
}

/// The [`TooLarge`] an I/O error carries, if it is one from [`Limited`].
pub fn too_large_in(e: &std::io::Error) -> Option<TooLarge> {
    e.get_ref()
        .and_then(|inner| inner.downcast_ref::<TooLarge>())
        .copied()
}

/// A part of a stream: one top-level JSON value, or one line; and where it starts in the
/// stream (1-based line, and column in bytes, as in a file).
pub struct Piece {
    pub text: String,
    pub line: usize,
    pub column: usize,
}

/// A stream read through a buffer of `CHUNK` bytes, a piece at a time. It knows where it
/// is (line and column, as a file's would be: after a byte-order mark at its start) and
/// digests every byte it reads when asked.
pub struct Stream {
    name: String,
    reader: Limited<Box<dyn Read>>,
    /// Bytes read and not yet consumed are `buf[start..end]`.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    digest: Option<RunningSha256>,
    /// Offset (a leading byte-order mark excluded) of `buf[start]` in the stream.
    offset: u64,
    /// The line of `buf[start]`, and the offset its line starts at.
    line: usize,
    line_start: u64,
}

impl Stream {
    /// Opens a stream over `reader` and checks its first `CHUNK` bytes (or all, when
    /// shorter): not UTF-16, UTF-32 or binary, and valid UTF-8; a byte-order mark at its
    /// start is skipped. Public for tests and embedders that read from memory.
    pub fn open(name: &str, reader: Box<dyn Read>, limit: u64, digest: bool) -> Result<Stream, Diagnostic> {
        Stream::with_chunk(name, reader, limit, digest, CHUNK)
    }

    /// [`Stream::open`] with a buffer of `chunk` bytes (at least 3, a byte-order mark's).
    fn with_chunk(
        name: &str,
        reader: Box<dyn Read>,
        limit: u64,
        digest: bool,
        chunk: usize,
    ) -> Result<Stream, Diagnostic> {
        let mut stream = Stream {
            name: name.to_string(),
            reader: Limited::new(reader, limit),
            buf: vec![0; chunk.max(BOM.len())],
            start: 0,
            end: 0,
            digest: digest.then(RunningSha256::default),
            offset: 0,
            line: 1,
            line_start: 0,
        };
        while stream.end < stream.buf.len() && stream.fill()? {}
        let head = &stream.buf[..stream.end];
        check_encoding(name, head)?;
        let body = head.strip_prefix(BOM).unwrap_or(head);
        if let Err(e) = std::str::from_utf8(body) {
            // A character cut by the end of the chunk is checked with its document.
            if e.error_len().is_some() || stream.end < stream.buf.len() {
                return Err(invalid_utf8(name, &body[..e.valid_up_to()], (1, 1)));
            }
        }
        if head.starts_with(BOM) {
            stream.start = BOM.len();
        }
        Ok(stream)
    }

    /// Reads once more into the buffer (moving what is left to its front); false at the
    /// end of the stream.
    fn fill(&mut self) -> Result<bool, Diagnostic> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            return Ok(true);
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    if let Some(d) = &mut self.digest {
                        d.update(&self.buf[self.end..self.end + n]);
                    }
                    self.end += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(match too_large_in(&e) {
                        Some(why) => too_large(&self.name, why),
                        None => located(
                            &self.name,
                            "unreadable-input",
                            format!("cannot read the input: {e}"),
                        ),
                    })
                }
            }
        }
    }

    /// Consumes the first `n` unconsumed bytes, keeping count of lines.
    fn consume(&mut self, n: usize) {
        let bytes = &self.buf[self.start..self.start + n];
        if let Some(last) = bytes.iter().rposition(|&b| b == b'\n') {
            self.line += bytes.iter().filter(|&&b| b == b'\n').count();
            self.line_start = self.offset + last as u64 + 1;
        }
        self.offset += n as u64;
        self.start += n;
    }

    /// The line and column of the next unconsumed byte.
    fn place(&self) -> (usize, usize) {
        (self.line, (self.offset - self.line_start) as usize + 1)
    }

    /// Skips JSON whitespace; false at the end of the stream.
    fn skip_whitespace(&mut self) -> Result<bool, Diagnostic> {
        loop {
            let rest = &self.buf[self.start..self.end];
            match rest
                .iter()
                .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            {
                Some(n) => {
                    self.consume(n);
                    return Ok(true);
                }
                None => {
                    self.consume(rest.len());
                    if !self.fill()? {
                        return Ok(false);
                    }
                }
            }
        }
    }

    /// Skips what may come before a value: whitespace, a byte-order mark, whitespace
    /// (as `cat page-*.json` gives from files saved with one); false at the end.
    fn skip_gap(&mut self) -> Result<bool, Diagnostic> {
        if !self.skip_whitespace()? {
            return Ok(false);
        }
        while self.end - self.start < BOM.len() && self.fill()? {}
        if self.buf[self.start..self.end].starts_with(BOM) {
            self.consume(BOM.len());
            return self.skip_whitespace();
        }
        Ok(true)
    }

    /// Fails unless the first value can start an inventory ([`check_start`]), told from
    /// the bytes at hand, before any value is read: a value that never ends (`yes a | tr
    /// -d '\n'`, an endless number or string) is refused at its first character instead
    /// of being gathered up to the size limit. Whitespace before it is consumed; a
    /// byte-order mark and the blanks after it are only looked past (a JSON Lines line
    /// keeps them). When they fill the whole buffer, the first document's own check, after
    /// it is read, decides.
    pub fn check_start(&mut self) -> Result<(), Diagnostic> {
        if !self.skip_whitespace()? {
            return Ok(());
        }
        // Enough for a byte-order mark and one character.
        let want = BOM.len() + 4;
        while self.end - self.start < want.min(self.buf.len()) && self.fill()? {}
        let rest = &self.buf[self.start..self.end];
        let gap = match rest.strip_prefix(BOM) {
            Some(after) => {
                BOM.len()
                    + after
                        .iter()
                        .take_while(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
                        .count()
            }
            None => 0,
        };
        let head = &rest[gap..];
        let text = match std::str::from_utf8(head) {
            Ok(text) => text,
            // A character cut by the buffer's end, or bytes the document's read refuses.
            Err(e) => std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default(),
        };
        let (line, column) = place_after(&rest[..gap], self.place());
        check_start(&self.name, text, line, column)
    }

    /// The next top-level JSON value (or, when the stream ends inside one, what there
    /// is of it), found by a `Scanner`; `None` at the end of the stream.
    pub fn next_document(&mut self) -> Result<Option<Piece>, Diagnostic> {
        if !self.skip_gap()? {
            return Ok(None);
        }
        let at = self.place();
        let mut scanner = Scanner::default();
        let mut bytes = Vec::new();
        loop {
            let rest = &self.buf[self.start..self.end];
            let end = scanner.scan(rest, bytes.len());
            let n = end.unwrap_or(rest.len());
            bytes.extend_from_slice(&rest[..n]);
            self.consume(n);
            if end.is_some() || !self.fill()? {
                break;
            }
        }
        // A number or word ends at the character after it, which a parser read whole
        // sees (and names in an error, `0.` then a line break): it is shown to the
        // parser too, and left for the next document.
        if scanner.scalar && (self.start < self.end || self.fill()?) {
            bytes.push(self.buf[self.start]);
        }
        // A malformed `\u` escape near the value's end: a parser read whole reads the four
        // characters after the `u` before naming the error, some maybe past the value's
        // end, so they are given to the parser too. The value does not parse, which ends
        // the input: they can be taken from the stream.
        if let Some(end) = scanner.unicode_error_end {
            while bytes.len() < end {
                if self.start == self.end && !self.fill()? {
                    break;
                }
                bytes.push(self.buf[self.start]);
                self.consume(1);
            }
        }
        self.piece(bytes, at).map(Some)
    }

    /// The next line, without its line break; `None` at the end of the stream.
    pub fn next_line(&mut self) -> Result<Option<Piece>, Diagnostic> {
        if self.start == self.end && !self.fill()? {
            return Ok(None);
        }
        let at = self.place();
        let mut bytes = Vec::new();
        loop {
            let rest = &self.buf[self.start..self.end];
            if let Some(n) = rest.iter().position(|&b| b == b'\n') {
                bytes.extend_from_slice(&rest[..n]);
                self.consume(n + 1);
                break;
            }
            bytes.extend_from_slice(rest);
            self.consume(rest.len());
            if !self.fill()? {
                break;
            }
        }
        self.piece(bytes, at).map(Some)
    }

    /// A piece of `bytes` starting at `at`, if they are UTF-8.
    fn piece(&self, bytes: Vec<u8>, at: (usize, usize)) -> Result<Piece, Diagnostic> {
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Piece {
                text,
                line: at.0,
                column: at.1,
            }),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                Err(invalid_utf8(&self.name, &e.as_bytes()[..valid], at))
            }
        }
    }

    /// The SHA-256 of every byte read (asked for at [`Stream::open`]), once the stream is
    /// read to its end.
    pub fn digest(self) -> Option<String> {
        self.digest.map(RunningSha256::finish)
    }
}

/// Finds where a top-level JSON value ends, fed its bytes a chunk at a time: counts the
/// depth of brackets outside strings (a string ends at a quote not escaped by a
/// backslash). An object, array or string ends after its last byte; a number or literal
/// before the first byte that cannot continue it (whitespace or punctuation), as the
/// JSON parser ends it; a stray `}`, `]`, `,` or `:` is a value of its own, which the
/// parser then refuses. Bytes of malformed JSON are cut so that the parser meets the
/// error in them as it would in the whole input.
#[derive(Default)]
struct Scanner {
    started: bool,
    depth: usize,
    in_string: bool,
    escaped: bool,
    scalar: bool,
    /// Hex digits still expected after a `\u` in a string.
    hex_left: u8,
    /// Where, counted from the value's first byte, a parser stops reading a malformed
    /// `\u` escape (four characters after the `u`, the first not a hex digit among them).
    unicode_error_end: Option<usize>,
}

impl Scanner {
    /// Scans the value's next bytes: `Some(n)` when it ends after the first `n` of them.
    /// Runs of bytes that change nothing (inside a string, between brackets) are skipped
    /// with one search each.
    /// `base` is how many of the value's bytes came before these.
    fn scan(&mut self, bytes: &[u8], base: usize) -> Option<usize> {
        let mut i = 0;
        if !self.started && !bytes.is_empty() {
            self.started = true;
            i = 1;
            match bytes[0] {
                b'{' | b'[' => self.depth = 1,
                b'"' => self.in_string = true,
                b'}' | b']' | b',' | b':' => return Some(1),
                _ => self.scalar = true,
            }
        }
        while i < bytes.len() {
            if self.scalar {
                let end = bytes[i..].iter().position(|&b| {
                    matches!(
                        b,
                        b' ' | b'\t' | b'\n' | b'\r' | b'{' | b'}' | b'[' | b']' | b',' | b':' | b'"'
                    )
                });
                return end.map(|n| i + n);
            }
            if self.escaped {
                self.escaped = false;
                self.hex_left = if bytes[i] == b'u' { 4 } else { 0 };
                i += 1;
                continue;
            }
            if self.hex_left > 0 {
                if bytes[i].is_ascii_hexdigit() {
                    self.hex_left -= 1;
                    i += 1;
                    continue;
                }
                // The string is malformed: the parser reads four characters after the
                // `u` before it says so, which may lie past the value's end.
                let end = base + i + usize::from(self.hex_left);
                self.unicode_error_end.get_or_insert(end);
                self.hex_left = 0;
            }
            let rest = &bytes[i..];
            if self.in_string {
                let n = rest.iter().position(|&b| b == b'"' || b == b'\\')?;
                i += n;
                if bytes[i] == b'\\' {
                    self.escaped = true;
                } else {
                    self.in_string = false;
                    if self.depth == 0 {
                        return Some(i + 1);
                    }
                }
            } else {
                let n = rest
                    .iter()
                    .position(|&b| matches!(b, b'"' | b'{' | b'}' | b'[' | b']'))?;
                i += n;
                match bytes[i] {
                    b'"' => self.in_string = true,
                    b'{' | b'[' => self.depth += 1,
                    _ => {
                        self.depth = self.depth.saturating_sub(1);
                        if self.depth == 0 {
                            return Some(i + 1);
                        }
                    }
                }
            }
            i += 1;
        }
        None
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

/// Fails when `bytes`, an input's first bytes, show it to be UTF-16, UTF-32 or a binary
/// rather than UTF-8 text.
pub fn check_encoding(name: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
    match foreign_encoding(&bytes[..bytes.len().min(ENCODING_HEAD)]) {
        Some(foreign) => Err(located(name, foreign.code(), foreign.message())),
        None => Ok(()),
    }
}

/// The `invalid-utf8` error for an input whose bytes are valid up to the end of `valid`,
/// which starts at `at` (line, column).
fn invalid_utf8(name: &str, valid: &[u8], at: (usize, usize)) -> Diagnostic {
    let (line, column) = place_after(valid, at);
    let mut d = located(
        name,
        "invalid-utf8",
        "the input is not valid UTF-8: expected JSON text in UTF-8".to_string(),
    );
    d.line = Some(line);
    d.column = Some(column);
    d
}

/// The line and column just after `bytes`, which start at `at`.
fn place_after(bytes: &[u8], (line, column): (usize, usize)) -> (usize, usize) {
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last) => (
            line + bytes.iter().filter(|&&b| b == b'\n').count(),
            bytes.len() - last,
        ),
        None => (line, column + bytes.len()),
    }
}

/// The `empty-input` error.
pub fn empty_input(name: &str) -> Diagnostic {
    located(
        name,
        "empty-input",
        "the input is empty: expected a JSON document or JSON Lines".to_string(),
    )
}

/// The input as UTF-8 text without its byte-order mark, or the reason it is not; checked
/// on up to `threads` threads.
pub fn decode<'a>(name: &str, bytes: &'a [u8], threads: usize) -> Result<&'a str, Diagnostic> {
    check_encoding(name, bytes)?;
    let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
    // Checked with SIMD (several times faster on a file of a gigabyte), on every thread;
    // only a text that fails is checked again to find where.
    let parts = utf8_parts(body, threads);
    let covered = parts.iter().map(|p| p.len()).sum::<usize>() == body.len();
    let text = if covered && parallel::all(&parts, |p| simdutf8::basic::from_utf8(p).is_ok()) {
        // SAFETY: the parts are the body cut into consecutive slices (`utf8_parts`
        // splits it in turn; `covered` checks they add up to it), each valid UTF-8; valid
        // UTF-8 strings joined are valid UTF-8, wherever the cuts fall.
        unsafe { std::str::from_utf8_unchecked(body) }
    } else {
        std::str::from_utf8(body).map_err(|e| invalid_utf8(name, &body[..e.valid_up_to()], (1, 1)))?
    };
    // Empty as a stream is: nothing before its first value but what comes before each
    // document (so a second byte-order mark, or a space that is not JSON's, is not
    // "empty" here and something else there).
    if skip_gap(text).is_empty() {
        return Err(empty_input(name));
    }
    Ok(text)
}

/// Inputs smaller than this are checked for UTF-8 on one thread: starting one costs more.
const UTF8_PART_MIN: usize = 4 << 20;

/// `bytes` cut into at most `threads` consecutive parts of similar size, each cut at a
/// byte that starts a character, so that the parts of valid UTF-8 are valid UTF-8 (and
/// valid parts joined always are).
fn utf8_parts(bytes: &[u8], threads: usize) -> Vec<&[u8]> {
    let count = threads.clamp(1, (bytes.len() / UTF8_PART_MIN).max(1));
    let size = bytes.len() / count;
    let mut parts = Vec::with_capacity(count);
    let mut rest = bytes;
    for _ in 1..count {
        let is_continuation = |b: &u8| b & 0xC0 == 0x80;
        let cut = rest
            .get(size..)
            .and_then(|tail| tail.iter().position(|b| !is_continuation(b)))
            .map_or(rest.len(), |i| size + i);
        let (part, after) = rest.split_at(cut);
        parts.push(part);
        rest = after;
    }
    parts.push(rest);
    parts
}

/// `text` from its first value on: after JSON whitespace, one byte-order mark and JSON
/// whitespace, as before each document of a stream.
pub fn skip_gap(text: &str) -> &str {
    let ws = [' ', '\t', '\r', '\n'];
    let rest = text.trim_start_matches(ws);
    rest.strip_prefix('\u{FEFF}')
        .unwrap_or(rest)
        .trim_start_matches(ws)
}

/// Fails unless `rest`, an input from its first value on (which is at `line`:`column`),
/// can be an inventory: a JSON object or array. Markup (HTML, such as securescore's own
/// HTML report, or XML) is named as such, in one line; anything else (a number, a word,
/// random bytes) is refused at its first character, so that a stream of it is not read
/// on. Nothing left (blank text) is for the caller to judge.
pub fn check_start(name: &str, rest: &str, line: usize, column: usize) -> Result<(), Diagnostic> {
    let Some(first) = rest.chars().next() else {
        return Ok(());
    };
    match first {
        '{' | '[' => Ok(()),
        '<' => Err(located(
            name,
            "not-an-inventory",
            "the input is HTML or XML, not JSON (an HTML report cannot be read back): pass the inventory, or \
             Azure's JSON export"
                .to_string(),
        )),
        _ => {
            let mut d = located(
                name,
                "not-an-inventory",
                format!(
                    "the input starts with {}, not with {{ or [: expected an inventory (a JSON object, an array \
                     of them, or JSON Lines of them), or Azure's JSON export",
                    crate::text::controls_escaped(&format!("{first:?}"))
                ),
            );
            d.line = Some(line);
            d.column = Some(column);
            Err(d)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader giving at most `step` bytes a call, so that pieces cross reads.
    struct Trickle {
        bytes: Vec<u8>,
        at: usize,
        step: usize,
    }

    impl Read for Trickle {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.bytes.len() - self.at);
            buf[..n].copy_from_slice(&self.bytes[self.at..self.at + n]);
            self.at += n;
            Ok(n)
        }
    }

    /// A stream over `bytes` with a buffer of `chunk` bytes, read `step` bytes at a time.
    fn stream(bytes: &[u8], chunk: usize, step: usize) -> Result<Stream, Diagnostic> {
        let reader = Trickle {
            bytes: bytes.to_vec(),
            at: 0,
            step,
        };
        Stream::with_chunk("s", Box::new(reader), 1 << 20, true, chunk)
    }

    /// Every document of `bytes` (text, line, column), read through every buffer size
    /// from 3 bytes to the whole: each must give the same.
    fn documents_through_every_chunk(bytes: &[u8]) -> Vec<(String, usize, usize)> {
        let mut first = None;
        for chunk in 3..=bytes.len() + 1 {
            let mut s = stream(bytes, chunk, 2).unwrap();
            let mut docs = Vec::new();
            while let Some(p) = s.next_document().unwrap() {
                docs.push((p.text, p.line, p.column));
            }
            match &first {
                None => first = Some(docs),
                Some(expected) => assert_eq!(&docs, expected, "chunk of {chunk} bytes"),
            }
        }
        first.unwrap_or_default()
    }

    fn doc(text: &str, line: usize, column: usize) -> (String, usize, usize) {
        (text.to_string(), line, column)
    }

    #[test]
    fn documents_are_split_whole_across_reads() {
        // Braces and brackets inside strings, an escaped quote and an escaped backslash
        // before a closing quote, a string holding `}{`, nested containers.
        let text = "{\"a\": \"}{\", \"b\": [1, {\"c\": \"\\\"]\"}]}{\"d\": \"x\\\\\"}\n[[], {}]";
        let docs = documents_through_every_chunk(text.as_bytes());
        assert_eq!(
            docs,
            vec![
                doc("{\"a\": \"}{\", \"b\": [1, {\"c\": \"\\\"]\"}]}", 1, 1),
                // The first document is 35 bytes: `{"a": "}{",` 11, ` "b": [1, ` 10,
                // `{"c": "\"]"}` 13, `]}` 2.
                doc("{\"d\": \"x\\\\\"}", 1, 36),
                doc("[[], {}]", 2, 1),
            ]
        );
    }

    #[test]
    fn byte_order_marks_and_crlf_between_documents_are_skipped_and_counted() {
        // A mark at the very start is not counted in columns (as a file's is not); one
        // before a later document is (3 bytes); CRLF ends a line.
        let bytes = [BOM, b"{\"a\": 1}\r\n", BOM, b"{\"b\": 2}\r\n  ", BOM, b" [3]"].concat();
        let docs = documents_through_every_chunk(&bytes);
        assert_eq!(
            docs,
            vec![doc("{\"a\": 1}", 1, 1), doc("{\"b\": 2}", 2, 4), doc("[3]", 3, 7),]
        );
    }

    #[test]
    fn numbers_literals_strings_and_stray_punctuation_are_values_of_their_own() {
        let docs = documents_through_every_chunk(b"12 true\"s\\\"}\"}-1.5e3]x{}");
        let texts: Vec<&str> = docs.iter().map(|d| d.0.as_str()).collect();
        // A number or word carries the character that ended it, which stays in the stream:
        // the parser reads it as it would in a file (an error in "0." is at that character).
        assert_eq!(
            texts,
            ["12 ", "true\"", "\"s\\\"}\"", "}", "-1.5e3]", "]", "x{", "{}"]
        );
        // A document the stream ends inside is what there is of it.
        let docs = documents_through_every_chunk(b"{\"a\": [1, \n");
        assert_eq!(docs, vec![doc("{\"a\": [1, \n", 1, 1)]);
        assert!(documents_through_every_chunk(b" \r\n\t ").is_empty());
    }

    #[test]
    fn a_malformed_unicode_escape_takes_what_a_parser_reads_past_the_value() {
        // `\u` then `"`: a parser reads four characters after the `u` (`"}] `) before it
        // names the error, the last two past the value's end; those after them are not read.
        let docs = documents_through_every_chunk(b"{ \"\\u\"}] \n[1]");
        assert_eq!(docs[0], doc("{ \"\\u\"}] ", 1, 1));
        // One hex digit, then the string's end: three characters are read from the quote.
        let docs = documents_through_every_chunk(b"[\"\\u0\"]}}}");
        assert_eq!(docs[0], doc("[\"\\u0\"]}", 1, 1));
        // Four hex digits are a well-formed escape: the value ends where it ends.
        let docs = documents_through_every_chunk(b"{\"\\u00e9\": 1} [2]");
        assert_eq!(docs, vec![doc("{\"\\u00e9\": 1}", 1, 1), doc("[2]", 1, 15)]);
    }

    #[test]
    fn lines_keep_their_numbers_and_lose_their_breaks() {
        let mut s = stream(&[BOM, b"{\"a\":1}\r\n\n{\"b\":2}"].concat(), 4, 3).unwrap();
        let mut lines = Vec::new();
        while let Some(p) = s.next_line().unwrap() {
            lines.push((p.text, p.line, p.column));
        }
        assert_eq!(
            lines,
            vec![doc("{\"a\":1}\r", 1, 1), doc("", 2, 1), doc("{\"b\":2}", 3, 1)]
        );
    }

    #[test]
    fn a_stream_digest_is_the_digest_of_its_bytes() {
        let bytes = [BOM, b"{\"a\": 1}\n", BOM, b"{\"b\": 2}\n"].concat();
        let mut s = stream(&bytes, 5, 3).unwrap();
        while s.next_document().unwrap().is_some() {}
        assert_eq!(s.digest(), Some(crate::digest::sha256_hex(&bytes)));
    }

    #[test]
    fn invalid_utf8_in_a_later_document_is_placed_in_the_stream() {
        // Checked on the first 4 bytes only; the bad byte is in the third document, on
        // line 3 after `{"c": "`: column 8.
        let bytes = b"{}\n[]\n{\"c\": \"\xFF\"}";
        let mut s = stream(bytes, 4, 4).unwrap();
        assert!(s.next_document().unwrap().is_some());
        assert!(s.next_document().unwrap().is_some());
        let d = s.next_document().err().unwrap();
        assert_eq!((d.code, d.line, d.column), ("invalid-utf8", Some(3), Some(8)));
    }

    /// A reader that never ends: `byte` forever.
    struct Endless(u8);

    impl Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(self.0);
            Ok(buf.len())
        }
    }

    #[test]
    fn endless_zeros_or_invalid_bytes_are_refused_on_their_first_chunk() {
        let open = |b| {
            Stream::open("s", Box::new(Endless(b)), u64::MAX, false)
                .err()
                .unwrap()
        };
        assert_eq!(open(0).code, "binary-input");
        let d = open(0xFF);
        assert_eq!((d.code, d.line, d.column), ("invalid-utf8", Some(1), Some(1)));
    }

    #[test]
    fn a_stream_is_refused_once_past_the_limit() {
        let mut s = Stream::with_chunk("s", Box::new(Endless(b' ')), 1000, false, 64).unwrap();
        let d = s.next_document().err().unwrap();
        assert_eq!(d.code, "input-too-large");
        assert!(d.message.contains("--max-input-size 1000 bytes"), "{}", d.message);
        // Exactly the limit is accepted.
        let mut s =
            Stream::with_chunk("s", Box::new(std::io::Cursor::new(b"[1]".to_vec())), 3, false, 64).unwrap();
        assert_eq!(s.next_document().unwrap().map(|p| p.text).as_deref(), Some("[1]"));
        assert!(s.next_document().unwrap().is_none());
    }

    #[test]
    fn sizes_parse_with_binary_and_decimal_units() {
        assert_eq!(parse_size("1"), Ok(1));
        assert_eq!(parse_size("1M"), Ok(1_048_576));
        assert_eq!(parse_size("64GiB"), Ok(64 * 1024 * 1024 * 1024));
        assert_eq!(parse_size("64 gib"), Ok(68_719_476_736));
        assert_eq!(parse_size("2k"), Ok(2048));
        assert_eq!(parse_size("3KB"), Ok(3000));
        assert_eq!(parse_size("1TB"), Ok(1_000_000_000_000));
        assert_eq!(parse_size("5B"), Ok(5));
        for bad in [
            "",
            "0",
            "0M",
            "M",
            "1.5G",
            "-1",
            "12 parsecs",
            "1 G B",
            "99999999999T",
        ] {
            assert!(parse_size(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            describe_size(DEFAULT_MAX_INPUT_SIZE),
            "64 GiB (68719476736 bytes)"
        );
        assert_eq!(describe_size(1000), "1000 bytes");
        assert_eq!(describe_size(3 << 20), "3 MiB (3145728 bytes)");
        // 131957 bytes are 128.9 KiB: 129K reads them.
        assert_eq!(round_up(131_957), "129K");
        assert_eq!(round_up((1 << 20) + 1), "2M");
        assert_eq!(round_up(64 << 30), "64G");
        assert_eq!(round_up(100), "100");
        assert_eq!(parse_size(&round_up(131_957)), Ok(129 * 1024));
    }

    #[test]
    fn only_an_object_or_array_may_start_an_input() {
        assert!(check_start("f", "{\"a\": 1}", 1, 1).is_ok());
        assert!(check_start("f", "[1]", 1, 1).is_ok());
        assert!(check_start("f", "", 1, 1).is_ok());
        let d = check_start("f", "42", 2, 3).unwrap_err();
        assert_eq!((d.code, d.line, d.column), ("not-an-inventory", Some(2), Some(3)));
        assert!(
            d.message.starts_with("the input starts with '4'"),
            "{}",
            d.message
        );
        let html = check_start("r.html", "<!DOCTYPE html><html>", 1, 3).unwrap_err();
        assert_eq!(
            (html.code, html.file.as_deref(), html.line),
            ("not-an-inventory", Some("r.html"), None)
        );
        assert_eq!(skip_gap(" \r\n\u{FEFF} \n[1]"), "[1]");
        assert_eq!(skip_gap("\u{A0}[1]"), "\u{A0}[1]");
    }

    #[test]
    fn rejects_utf16_and_empty_and_accepts_bom() {
        let utf16: Vec<u8> = "{\"a\":1}".encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(decode("f", &utf16, 2).unwrap_err().code, "utf16-input");
        let with_bom = [&[0xFF, 0xFE][..], &utf16].concat();
        assert_eq!(decode("f", &with_bom, 2).unwrap_err().code, "utf16-input");
        assert_eq!(decode("f", b"  \r\n", 2).unwrap_err().code, "empty-input");
        assert_eq!(decode("f", b"", 2).unwrap_err().code, "empty-input");
        // Two byte-order marks and nothing else are as empty as one (a fuzzer's find: the
        // file was read as an empty inventory, standard input as an empty input).
        let two_boms = b"\xEF\xBB\xBF\xEF\xBB\xBF";
        assert_eq!(decode("f", two_boms, 2).unwrap_err().code, "empty-input");
        assert_eq!(decode("f", b"\xEF\xBB\xBF{}", 2).unwrap(), "{}");
        let bad = decode("f", b"{\n \"a\": \"\xFF\"}", 2).unwrap_err();
        assert_eq!(
            (bad.code, bad.line, bad.column),
            ("invalid-utf8", Some(2), Some(8))
        );
    }

    /// The parts join into the input, there are as many as asked (inputs big enough),
    /// and each after the first starts a character.
    #[test]
    fn utf8_parts_cut_where_characters_start() {
        let text = "aé日😀".repeat(UTF8_PART_MIN / 5 + 1);
        for threads in [0, 1, 2, 3, 4] {
            let parts = utf8_parts(text.as_bytes(), threads);
            assert_eq!(parts.concat(), text.as_bytes());
            assert_eq!(parts.len(), threads.clamp(1, 2), "{threads}");
            for p in parts.iter().skip(1) {
                assert!(std::str::from_utf8(p).is_ok(), "{threads}");
            }
        }
        assert_eq!(utf8_parts(b"", 2), [b""]);
        assert_eq!(utf8_parts(b"small", 4), [b"small"]);
    }

    /// A big input checked in parts on threads is refused exactly where it is on one,
    /// with a bad byte in either part or on either side of a cut.
    #[test]
    fn invalid_utf8_in_a_big_input_is_placed_as_on_one_thread() {
        let line = "[\"\u{E9}\u{65E5}\u{1F600}\"]\n";
        let text = line.repeat(2 * UTF8_PART_MIN / line.len() + 1);
        let middle = utf8_parts(text.as_bytes(), 2)[0].len();
        for at in [5, middle - 1, middle, middle + 1, text.len() - 3] {
            let mut bytes = text.clone().into_bytes();
            bytes[at] = 0xFF;
            let (one, two) = (
                decode("f", &bytes, 1).unwrap_err(),
                decode("f", &bytes, 2).unwrap_err(),
            );
            assert_eq!(
                (&one.code, one.line, one.column),
                (&two.code, two.line, two.column),
                "{at}"
            );
            assert_eq!(one.code, "invalid-utf8");
        }
        assert_eq!(decode("f", text.as_bytes(), 2).unwrap(), text);
    }

    #[test]
    fn names_utf32_and_nul_bytes_rightly() {
        let utf32le: Vec<u8> = "{\"a\":\"\u{1F600}\"}"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let utf32be: Vec<u8> = "[1]".chars().flat_map(|c| (c as u32).to_be_bytes()).collect();
        let code = |b: &[u8]| decode("f", b, 2).unwrap_err().code;
        assert_eq!(code(&utf32le), "utf32-input");
        assert_eq!(code(&utf32be), "utf32-input");
        assert!(decode("f", &utf32le, 2)
            .unwrap_err()
            .message
            .contains("little-endian"));
        assert!(decode("f", &utf32be, 2)
            .unwrap_err()
            .message
            .contains("big-endian"));
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
}
