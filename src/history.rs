//! Score history (`assess --record`, `trend`; SPEC §5 snapshot lines): one JSON line per
//! run, appended under an exclusive lock, written at once and synced, never rewritten.
//! A line left torn by a crash is skipped on read, and the next append starts on a fresh
//! line; a failed write is cut back, so it leaves none. Only a history (or an empty file)
//! is appended to.

use crate::diag::Diagnostic;
use crate::json_schema;
use crate::load::source::{Limited, TooLarge};
use crate::report::{FiltersOut, GateOut, Report, ScopeOut, ScoreOut};
use crate::score::{ScoringModel, Weighting};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The snapshot schema identifier.
pub const SCHEMA: &str = "securescore.snapshot/v1";

/// One run, as a history line holds it.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct Snapshot {
    #[schemars(schema_with = "schema_id")]
    pub schema: &'static str,
    /// When the run happened (RFC 3339, UTC).
    #[schemars(schema_with = "json_schema::utc_time")]
    pub recorded_at: String,
    /// The date exemptions were judged on.
    #[schemars(schema_with = "json_schema::date")]
    pub as_of: String,
    pub label: Option<String>,
    /// The scoring model the run was scored with (SPEC §7). Always written; lines written
    /// before models have none, and `trend` reads them as `classic`.
    pub model: ScoringModel,
    pub weighting: Weighting,
    pub filters: FiltersOut,
    pub score: ScoreOut,
    pub scopes: Vec<ScopeOut>,
    /// Each control, by id: none under a model without controls (`v1`, `pass-rate`).
    pub controls: Vec<SnapshotControl>,
    /// Under a model whose rows are recommendations (`v1`, `pass-rate`): each counted
    /// recommendation, by id, with its figures under the model.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Vec<SnapshotControl>>,
    /// The gates' verdict of the run, when it had any (so `trend` can draw the
    /// `fail-under` threshold).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateOut>,
    /// SHA-256 over the sorted SHA-256 digests of the inputs.
    #[schemars(schema_with = "json_schema::sha256_hex")]
    pub inputs_digest: String,
}

/// A snapshot's `schema`: [`SCHEMA`].
fn schema_id(_: &mut SchemaGenerator) -> Schema {
    json_schema::constant(SCHEMA)
}

/// A control's figures in a snapshot; under `v1` and `pass-rate` a recommendation's,
/// under the model (its max, current score and resources).
#[derive(Clone, Debug, Serialize, Deserialize, JsonSchema, PartialEq)]
pub struct SnapshotControl {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub max_score: f64,
    #[serde(default)]
    pub current_score: f64,
    #[serde(default)]
    pub healthy_resources: u64,
    #[serde(default)]
    pub unhealthy_resources: u64,
}

impl Snapshot {
    /// The snapshot of a report.
    pub fn of(
        report: &Report,
        recorded_at: String,
        label: Option<String>,
        inputs_digest: String,
    ) -> Snapshot {
        let by_id = |mut rows: Vec<SnapshotControl>| {
            rows.sort_by(|a, b| a.id.cmp(&b.id));
            rows
        };
        let controls = by_id(
            report
                .control_rows()
                .iter()
                .map(|c| SnapshotControl {
                    id: c.id.clone(),
                    name: c.name.clone(),
                    max_score: c.max_score,
                    current_score: c.current_score,
                    healthy_resources: c.healthy_resources,
                    unhealthy_resources: c.unhealthy_resources,
                })
                .collect(),
        );
        let recommendations = report.recommendations.as_ref().map(|rows| {
            by_id(
                rows.iter()
                    .map(|r| SnapshotControl {
                        id: r.id.clone(),
                        name: r.name.clone(),
                        max_score: r.max_score,
                        current_score: r.current_score,
                        healthy_resources: r.healthy_resources,
                        unhealthy_resources: r.unhealthy_resources,
                    })
                    .collect(),
            )
        });
        Snapshot {
            schema: SCHEMA,
            recorded_at,
            as_of: report.as_of.clone(),
            label,
            model: report.model,
            weighting: report.weighting,
            filters: report.filters.clone(),
            score: report.score.clone(),
            scopes: report.scopes.clone(),
            controls,
            recommendations,
            gate: report.gate.clone(),
            inputs_digest,
        }
    }
}

impl Snapshot {
    /// The snapshot as `trend` reads it back.
    pub fn as_recorded(&self) -> Recorded {
        Recorded {
            schema: self.schema.to_string(),
            recorded_at: self.recorded_at.clone(),
            as_of: self.as_of.clone(),
            label: self.label.clone(),
            model: Some(self.model.as_str().to_string()),
            weighting: Some(self.weighting.as_str().to_string()),
            filters: Some(RecordedFilters {
                scope: self.filters.scope.clone(),
                management_group: self.filters.management_group.clone(),
                include_preview: self.filters.include_preview,
                ignore_exemptions: self.filters.ignore_exemptions,
            }),
            score: RecordedScore {
                percentage: self.score.percentage,
            },
            controls: self.controls.clone(),
            recommendations: self.recommendations.clone().unwrap_or_default(),
            gate: self.gate.as_ref().map(|g| RecordedGate {
                fail_under: g.fail_under,
            }),
        }
    }
}

/// What `trend` reads of a line: lenient, so lines written by older and newer versions
/// (missing optional fields, or extra ones) still read.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct Recorded {
    pub schema: String,
    pub recorded_at: String,
    pub as_of: String,
    #[serde(default)]
    pub label: Option<String>,
    /// The scoring model (SPEC §7); absent in lines written before models, which are
    /// classic.
    #[serde(default)]
    pub model: Option<String>,
    /// Absent (older lines): the default, `resources`.
    #[serde(default)]
    pub weighting: Option<String>,
    /// Absent: no filter.
    #[serde(default)]
    pub filters: Option<RecordedFilters>,
    pub score: RecordedScore,
    #[serde(default)]
    pub controls: Vec<SnapshotControl>,
    /// Under `v1` and `pass-rate`: each recommendation's figures.
    #[serde(default)]
    pub recommendations: Vec<SnapshotControl>,
    #[serde(default)]
    pub gate: Option<RecordedGate>,
}

impl Recorded {
    /// The run's model: its `model`, else (a line written before models) `classic`.
    pub fn model_name(&self) -> &str {
        self.model.as_deref().unwrap_or(ScoringModel::Classic.as_str())
    }

    /// The rows the run's model ranks: its recommendations under `v1` and `pass-rate`,
    /// else its controls.
    pub fn rows(&self) -> &[SnapshotControl] {
        if self.model_name() == ScoringModel::Classic.as_str() {
            &self.controls
        } else {
            &self.recommendations
        }
    }
}

/// The filters a run was recorded under; a missing field is the option's default.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct RecordedFilters {
    #[serde(default)]
    pub scope: Vec<String>,
    #[serde(default)]
    pub management_group: Vec<String>,
    #[serde(default)]
    pub include_preview: bool,
    #[serde(default)]
    pub ignore_exemptions: bool,
}

/// The overall figures of a recorded run.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RecordedScore {
    pub percentage: Option<f64>,
}

/// The gate a run was recorded with.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct RecordedGate {
    #[serde(default)]
    pub fail_under: Option<f64>,
}

/// Appends one snapshot as a line: under an exclusive lock, on a fresh line (after a
/// line left torn by a crash), written at once and synced to disk.
pub fn append(path: &Path, snapshot: &Snapshot) -> anyhow::Result<()> {
    let line = serde_json::to_string(snapshot)?;
    refuse_other_files(path)?;
    let existed = path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(|e| anyhow::anyhow!("cannot open the history {}: {e}", path.display()))?;
    if !existed {
        // A new file's name is only durable once its directory is synced.
        if let Some(dir) = path.parent().map(|d| {
            if d.as_os_str().is_empty() {
                Path::new(".")
            } else {
                d
            }
        }) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
    }
    file.lock()
        .map_err(|e| anyhow::anyhow!("cannot lock the history {}: {e}", path.display()))?;
    let torn = ends_without_newline(&mut file)
        .map_err(|e| anyhow::anyhow!("cannot read the history {}: {e}", path.display()))?;
    let mut buf = Vec::with_capacity(line.len() + 2);
    if torn {
        buf.push(b'\n');
    }
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    append_or_restore(&mut file, &buf, |f, bytes| {
        f.write_all(bytes).and_then(|()| f.sync_data())
    })
    .map_err(|e| anyhow::anyhow!("cannot write to the history {}: {e}", path.display()))?;
    // The lock ends when the file is closed.
    Ok(())
}

/// Runs `write` (which appends `bytes` to `file` and syncs them); when it fails (a full
/// disk, a quota, an I/O error), cuts the file back to its length before, so a failed run
/// leaves no partial line behind it. Called under the lock, so no other append is lost.
fn append_or_restore(
    file: &mut File,
    bytes: &[u8],
    write: impl FnOnce(&mut File, &[u8]) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let len = file.metadata()?.len();
    let written = write(file, bytes);
    if written.is_err() {
        // Freeing bytes needs no space, so this works on a full disk; if it fails too, the
        // partial line is a torn line, which readers skip and the next append steps over.
        let _ = file.set_len(len).and_then(|()| file.sync_data());
    }
    written
}

/// Fails when `path` holds something else than a history (an inventory given by
/// mistake, a one-line or binary file): only an empty file, or one whose first non-blank
/// whole line is a snapshot, or one whose only content is a torn snapshot line (see
/// [`is_torn_snapshot`]) is appended to.
fn refuse_other_files(path: &Path) -> anyhow::Result<()> {
    let Ok(file) = File::open(path) else {
        return Ok(());
    };
    let mut head = Vec::new();
    file.take(FIRST_LINE_LIMIT)
        .read_to_end(&mut head)
        .map_err(|e| anyhow::anyhow!("cannot read the history {}: {e}", path.display()))?;
    let mut rest: &[u8] = &head;
    while let Some(end) = rest.iter().position(|&b| b == b'\n') {
        let (line, after) = (&rest[..end], &rest[end + 1..]);
        let text = String::from_utf8_lossy(line);
        if text.trim().is_empty() {
            rest = after;
            continue;
        }
        let parsed = serde_json::from_str::<Recorded>(text.trim())
            .map_err(|e| e.to_string())
            .and_then(check);
        return match parsed {
            Ok(_) => Ok(()),
            Err(why) => Err(not_a_history(
                path,
                &format!("its first line is not a snapshot: {why}"),
            )),
        };
    }
    // No whole line (within the limit): a torn first snapshot, or something else.
    if is_torn_snapshot(rest) {
        Ok(())
    } else {
        Err(not_a_history(
            path,
            "it holds no whole line and does not start like a snapshot line",
        ))
    }
}

/// How much of a file [`refuse_other_files`] reads to find its first line.
const FIRST_LINE_LIMIT: u64 = 1 << 20;

/// How every snapshot line starts, as [`append`] writes it.
const LINE_START: &[u8] = b"{\"schema\":\"securescore.snapshot/";

/// True when `bytes` (a file's content after its last newline, or all of it) can be what a
/// crash left of a line [`append`] was writing: nothing but blanks, or a start of
/// [`LINE_START`], or bytes beginning with it. A one-line file of anything else (a minified
/// inventory, a text, a binary) is not a history.
fn is_torn_snapshot(bytes: &[u8]) -> bool {
    let bytes = bytes.trim_ascii_start();
    bytes.starts_with(LINE_START) || LINE_START.starts_with(bytes)
}

fn not_a_history(path: &Path, why: &str) -> anyhow::Error {
    anyhow::anyhow!(
        "{} is not a history written by assess --record ({why}); nothing was recorded",
        path.display()
    )
}

fn ends_without_newline(file: &mut File) -> std::io::Result<bool> {
    let len = file.metadata()?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] != b'\n')
}

/// A line's snapshot, or why it is not a usable one: the schema of this major version,
/// a time of the run, a percentage from 0 to 100 (or none).
fn check(r: Recorded) -> Result<Recorded, String> {
    let version_ok = r.schema == SCHEMA || r.schema.starts_with(&format!("{SCHEMA}."));
    if !version_ok {
        return Err(format!("schema {:?} is not {SCHEMA}", r.schema));
    }
    let time = &r.recorded_at;
    if time.len() <= 10 || time.trim() != time || crate::date::Date::parse_date_or_time(time).is_err() {
        return Err(format!("recorded_at {time:?} is not an RFC 3339 time"));
    }
    if let Some(c) = r
        .controls
        .iter()
        .chain(&r.recommendations)
        .find(|c| !(0.0..=1e9).contains(&c.current_score))
    {
        return Err(format!(
            "control {:?} has current_score {} out of range",
            c.id, c.current_score
        ));
    }
    if r.score.percentage.is_some_and(|p| !(0.0..=100.0).contains(&p)) {
        return Err("score.percentage is not from 0 to 100".to_string());
    }
    Ok(r)
}

/// Recorded runs with their line numbers, in file order.
pub type Runs = Vec<(usize, Recorded)>;

/// The runs of a history, in file order, each with its line number; lines that are not
/// valid snapshots are skipped with a warning naming their line. Read a line at a time,
/// and refused past `limit` bytes (`--max-input-size`): a file or stream of anything else
/// (zeros, a binary, lines of text) is refused on its first bytes or first line, not read
/// to its end.
pub fn read(path: &Path, limit: u64) -> anyhow::Result<(Runs, Vec<Diagnostic>)> {
    let cannot =
        |e: &dyn std::fmt::Display| anyhow::anyhow!("cannot read the history {}: {e}", path.display());
    let file = File::open(path).map_err(|e| cannot(&e))?;
    let meta = file.metadata().map_err(|e| cannot(&e))?;
    if meta.is_file() && meta.len() > limit {
        return Err(cannot(&TooLarge::Whole {
            size: meta.len(),
            limit,
        }));
    }
    let mut reader = BufReader::new(Limited::new(file, limit));
    let head = reader.fill_buf().map_err(|e| cannot(&e))?;
    if let Err(d) = crate::load::source::check_encoding(&path.display().to_string(), head) {
        anyhow::bail!(
            "{} is not a history written by assess --record: {}",
            path.display(),
            d.message
        );
    }
    let mut runs = Vec::new();
    let mut warnings = Vec::new();
    let mut bytes = Vec::new();
    let mut number = 0;
    // The last line read, when it ends without a newline and is the start of a snapshot
    // line: a crash during an append.
    let mut torn_last = false;
    loop {
        bytes.clear();
        if let Some(first) = no_snapshot_start(&mut reader).map_err(|e| cannot(&e))? {
            // A line that cannot be a snapshot, told from its first character: judged
            // without being gathered, so an endless one (`yes a | tr -d '\n'`) is refused
            // at once when it is the first, and skipped in bounded memory after.
            if runs.is_empty() && warnings.is_empty() {
                return Err(no_snapshot(path));
            }
            number += 1;
            skip_line(&mut reader).map_err(|e| cannot(&e))?;
            torn_last = false;
            warnings.push(invalid_snapshot(
                path,
                number,
                &format!("it starts with '{}', not with {{", char::from(first)),
            ));
            continue;
        }
        if reader.read_until(b'\n', &mut bytes).map_err(|e| cannot(&e))? == 0 {
            break;
        }
        number += 1;
        let ended = bytes.ends_with(b"\n");
        let text = String::from_utf8_lossy(&bytes);
        let line = text.strip_suffix('\n').unwrap_or(&text);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let parsed = serde_json::from_str::<Recorded>(line)
            .map_err(|e| e.to_string())
            .and_then(check);
        match parsed {
            Ok(r) => runs.push((number, r)),
            Err(why) => {
                if runs.is_empty() && warnings.is_empty() && !is_torn_snapshot(line.as_bytes()) {
                    // A first line that no append can have written: not a history, and
                    // what follows it is not read.
                    return Err(no_snapshot(path));
                }
                torn_last = !ended && is_torn_snapshot(line.as_bytes());
                warnings.push(invalid_snapshot(path, number, &why));
            }
        }
    }
    // A file whose only line is torn (a crash during the first append, no newline yet)
    // is a history; a file of other lines is not.
    let torn_only = warnings.len() == 1 && torn_last;
    if runs.is_empty() && !warnings.is_empty() && !torn_only {
        return Err(no_snapshot(path));
    }
    Ok((runs, warnings))
}

/// The warning for line `number` of `path`, which is not a valid snapshot because of `why`.
fn invalid_snapshot(path: &Path, number: usize, why: &str) -> Diagnostic {
    let mut d = Diagnostic::warning(
        "invalid-snapshot",
        format!("line {number} is not a valid snapshot and is skipped ({why})"),
    );
    d.file = Some(path.display().to_string());
    d.line = Some(number);
    d
}

/// Skips the blanks (space, tab, CR) that start the next line, and returns its first
/// character when that is printable ASCII other than `{`: such a line is no snapshot,
/// which is a JSON object. `None` for a line that may be one (or is blank, or starts
/// with another byte, which the line's parse judges), and at the end.
fn no_snapshot_start(reader: &mut impl BufRead) -> std::io::Result<Option<u8>> {
    loop {
        let buf = reader.fill_buf()?;
        let blanks = buf
            .iter()
            .take_while(|b| matches!(b, b' ' | b'\t' | b'\r'))
            .count();
        if blanks == buf.len() && !buf.is_empty() {
            reader.consume(blanks);
            continue;
        }
        let first = buf.get(blanks).copied();
        reader.consume(blanks);
        return Ok(first.filter(|&b| b.is_ascii_graphic() && b != b'{'));
    }
}

/// Reads past the rest of the line, its newline included, holding none of it.
fn skip_line(reader: &mut impl BufRead) -> std::io::Result<()> {
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        if let Some(end) = buf.iter().position(|&b| b == b'\n') {
            reader.consume(end + 1);
            return Ok(());
        }
        let n = buf.len();
        reader.consume(n);
    }
}

/// The error for a file that holds no snapshot.
fn no_snapshot(path: &Path) -> anyhow::Error {
    anyhow::anyhow!(
        "{} holds no snapshot (none of its lines is a {SCHEMA} line): is it a history written by assess --record?",
        path.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_torn_snapshot_is_any_start_of_a_snapshot_line_and_nothing_else() {
        for torn in [
            &b""[..],
            b"  ",
            b"{",
            b"{\"sch",
            b"{\"schema\":\"securescore.snapshot/",
            b"{\"schema\":\"securescore.snapshot/v1\",\"recorded_at\":\"2026-11-",
        ] {
            assert!(is_torn_snapshot(torn), "{:?}", String::from_utf8_lossy(torn));
        }
        for other in [
            &b"{\"controls\":[]}"[..],
            b"{\"schema\":\"other\"}",
            b"hello",
            b"[",
            b"\x7fELF\x02\x01\x01",
            b"\xff\xfe{\x00",
        ] {
            assert!(!is_torn_snapshot(other), "{:?}", String::from_utf8_lossy(other));
        }
    }

    #[test]
    fn a_line_that_cannot_be_a_snapshot_is_told_from_its_first_character_and_skipped() {
        // Blanks before it are passed; `{` (a snapshot's start), a line break, the end and
        // bytes that are not printable ASCII (another blank, say) are left to the parse.
        let first = |bytes: &[u8]| {
            let mut reader = std::io::Cursor::new(bytes.to_vec());
            let found = no_snapshot_start(&mut reader).unwrap();
            (found, reader.position())
        };
        assert_eq!(first(b" \t\r x"), (Some(b'x'), 4));
        assert_eq!(first(b"[1]"), (Some(b'['), 0));
        assert_eq!(first(b"  {\"schema\""), (None, 2));
        assert_eq!(first(b" \n"), (None, 1));
        assert_eq!(first(b""), (None, 0));
        assert_eq!(first(b"\xC2\xA0"), (None, 0));
        // Through a small buffer, as a long line crosses reads: its line break is found.
        let mut reader = BufReader::with_capacity(4, std::io::Cursor::new(b"  aaaaaaaaaa\n{".to_vec()));
        assert_eq!(no_snapshot_start(&mut reader).unwrap(), Some(b'a'));
        skip_line(&mut reader).unwrap();
        let mut rest = String::new();
        reader.read_to_string(&mut rest).unwrap();
        assert_eq!(rest, "{");
    }

    #[test]
    fn a_line_of_another_start_after_a_snapshot_is_skipped_with_its_number() {
        let whole = std::fs::read_to_string("fixtures/history/runs.jsonl").unwrap();
        let snapshot = whole.lines().next().unwrap();
        let long = "a".repeat(100_000);
        let content = format!("{snapshot}\n  {long}\n\n{snapshot}\n");
        let path = scratch("other-line", content.as_bytes());
        let (runs, warnings) = read(&path, u64::MAX).unwrap();
        assert_eq!(runs.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 4]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, Some(2));
        assert!(warnings[0]
            .message
            .contains("line 2 is not a valid snapshot and is skipped (it starts with 'a', not with {)"));
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }

    /// A scratch file with `content`, in a fresh folder named after the test.
    fn scratch(name: &str, content: &[u8]) -> std::path::PathBuf {
        let dir =
            std::env::temp_dir().join(format!("securescore-history-unit-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("history.jsonl");
        std::fs::write(&path, content).unwrap();
        path
    }

    /// A write that fails half-way (as on a full disk) leaves the file as it was: its
    /// bytes and its length, so no partial line stays behind.
    #[test]
    fn a_failed_append_is_cut_back_to_the_length_before() {
        let before = b"{\"schema\":\"securescore.snapshot/v1\"}\n";
        let path = scratch("failed-write", before);
        let mut file = OpenOptions::new().read(true).append(true).open(&path).unwrap();
        let line = b"\n{\"schema\":\"securescore.snapshot/v1\",\"recorded_at\":\"2026\"}\n";
        let result = append_or_restore(&mut file, line, |f, bytes| {
            f.write_all(&bytes[..bytes.len() / 2])?;
            Err(std::io::Error::from_raw_os_error(28)) // ENOSPC
        });
        assert_eq!(result.unwrap_err().raw_os_error(), Some(28));
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), before);
        // A write that succeeds is kept whole.
        let mut file = OpenOptions::new().read(true).append(true).open(&path).unwrap();
        append_or_restore(&mut file, line, |f, bytes| f.write_all(bytes)).unwrap();
        drop(file);
        assert_eq!(std::fs::read(&path).unwrap(), [&before[..], line].concat());
        let _ = std::fs::remove_dir_all(path.parent().unwrap());
    }
}
