//! `securescore schema`: the JSON Schemas describe what the program reads and writes,
//! checked with a JSON Schema validator (the `boon` crate, draft 2020-12):
//!
//! - each schema is a valid draft 2020-12 schema;
//! - every native inventory among the examples and fixtures validates against
//!   `schema inventory`, and every fixture of `fixtures/errors` gets the verdict that
//!   `securescore validate` gives it (but for the errors only the whole of the inputs
//!   shows, listed);
//! - hand-made inventories, valid and not, get from the schema the verdict the program
//!   gives them;
//! - every report and history line that the snapshot files hold (what the test suite's
//!   runs wrote), every history fixture and a history line recorded now validate against
//!   `schema report` and `schema snapshot`;
//! - the example configuration and every configuration fixture, read as TOML and
//!   converted to JSON, get from `schema config` the verdict the program gives them, as
//!   do hand-made configurations, valid and not; every report written under a
//!   configuration (local exemptions, gate rules) validates against `schema report`;
//! - documents broken in one place each fail, so no schema accepts everything.

mod common;

use common::{assert_exit, run};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Every document `securescore schema` describes.
const DOCUMENTS: [&str; 4] = ["inventory", "report", "snapshot", "config"];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The schema `securescore schema DOCUMENT` prints.
fn schema(document: &str) -> Value {
    let out = run(&["schema", document]);
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A compiled schema.
struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Validator {
    /// Compiles `schema`, which must be valid against its meta-schema (draft 2020-12).
    fn new(schema: Value) -> Result<Validator, String> {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        let failed = |e: boon::CompileError| format!("{e:#}");
        compiler
            .add_resource("securescore.schema.json", schema)
            .map_err(failed)?;
        let index = compiler
            .compile("securescore.schema.json", &mut schemas)
            .map_err(failed)?;
        Ok(Validator { schemas, index })
    }

    fn is_valid(&self, value: &Value) -> bool {
        self.schemas.validate(value, self.index).is_ok()
    }
}

/// A validator of the schema `securescore schema DOCUMENT` prints.
fn validator(document: &str) -> Validator {
    Validator::new(schema(document)).unwrap()
}

/// Asserts `value` is valid, listing every error if not.
#[track_caller]
fn assert_valid(v: &Validator, value: &Value, what: &str) {
    if let Err(e) = v.schemas.validate(value, v.index) {
        panic!("{what}: {e:#}");
    }
}

/// The JSON values of an input as the program cuts it: one per line of a `.jsonl` file,
/// else each concatenated document; a byte-order mark before any is skipped. `None` for
/// a value that does not parse (the program refuses it as no JSON, before any shape).
fn values(path: &Path) -> Vec<Option<Value>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Vec::new();
    };
    let trim = |t: &str| {
        t.trim_start_matches([' ', '\t', '\r', '\n', '\u{feff}'])
            .to_string()
    };
    if path.extension().is_some_and(|e| e == "jsonl") {
        return text
            .lines()
            .map(trim)
            .filter(|l| !l.is_empty())
            .map(|l| serde_json::from_str(&l).ok())
            .collect();
    }
    let mut out = Vec::new();
    let mut rest = trim(&text);
    while !rest.is_empty() {
        let mut stream = serde_json::Deserializer::from_str(&rest).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                out.push(Some(v));
                rest = trim(&rest[stream.byte_offset()..]);
            }
            _ => {
                out.push(None);
                break;
            }
        }
    }
    out
}

const SECTIONS: [&str; 6] = [
    "subscriptions",
    "controls",
    "recommendations",
    "resources",
    "assessments",
    "counts",
];

/// Whether the program reads `v` as native (SPEC §2): an object with a section, with
/// an assessment's three keys or a counts row's `securescore_counts` (SPEC §10) (or an
/// array holding one), that is none of securescore's own outputs (a history line has
/// `controls` too).
fn is_native(v: &Value) -> bool {
    let own = |s: &str| s.starts_with("securescore.") && !s.starts_with("securescore.controls/");
    match v {
        Value::Array(items) => items.iter().any(is_native),
        Value::Object(o) if o.get("schema").and_then(Value::as_str).is_some_and(own) => false,
        Value::Object(o) => {
            SECTIONS.iter().any(|s| o.contains_key(*s))
                || o.contains_key("securescore_counts")
                || ["resource", "recommendation", "status"]
                    .iter()
                    .all(|k| o.contains_key(*k))
        }
        _ => false,
    }
}

/// Every `.json` and `.jsonl` file under `dir` (relative to the root), recursively,
/// sorted.
fn files_under(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root().join(dir)];
    while let Some(d) = dirs.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json" || e == "jsonl") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema() {
    for document in DOCUMENTS {
        let s = schema(document);
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert!(s["title"].as_str().is_some_and(|t| !t.is_empty()), "{document}");
        // Compiling checks the schema against the draft 2020-12 meta-schema.
        if let Err(e) = Validator::new(s) {
            panic!("{document}: {e}");
        }
    }
    let out = run(&["schema", "nonsense"]);
    assert_exit(&out, 2);
}

#[test]
fn the_same_schema_every_time() {
    for document in DOCUMENTS {
        assert_eq!(
            run(&["schema", document]).stdout,
            run(&["schema", document]).stdout
        );
    }
}

#[test]
fn every_native_example_and_fixture_validates() {
    let v = validator("inventory");
    // The examples' own inventories (examples/azure holds Azure exports, and the figures
    // expected of them), and every fixture but the broken ones.
    let mut files: Vec<PathBuf> = files_under("examples")
        .into_iter()
        .filter(|f| f.parent() == Some(&root().join("examples")))
        .collect();
    files.extend(
        files_under("fixtures")
            .into_iter()
            .filter(|f| !f.starts_with(root().join("fixtures/errors"))),
    );
    let mut checked = 0;
    for file in files {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        for value in values(&file).into_iter().flatten().filter(is_native) {
            assert_valid(&v, &value, &name);
            checked += 1;
        }
    }
    // examples/contoso.json, the fixtures' native documents and JSON Lines rows.
    assert!(checked >= 30, "only {checked} native values");
}

/// The input errors of `fixtures/errors` that only the whole of the inputs shows (or that
/// JSON, read as a value, hides), which a schema of one value cannot see.
const WHOLE_INPUT_ERRORS: [&str; 9] = [
    // Two lines assess one pair differently.
    "conflicting-assessments.jsonl",
    // Counts rows that name controls no input given to `validate` alone defines (these
    // files are read beside the control definitions in tests/cases), and rows that only
    // the others of their scope, or the rest of the inputs, contradict.
    "counts-conflicting.jsonl",
    "counts-missing-weight.jsonl",
    "counts-mixed-groups.jsonl",
    "counts-mixed-kinds.jsonl",
    "counts-unknown-control.json",
    "counts-with-assessments.json",
    // One id defined twice, differently.
    "conflicting-definitions.json",
    // A key repeated in one object (a JSON value keeps one of them).
    "repeated-section.json",
];

/// Whether `securescore validate` accepts `file` (exit 0; warnings allowed).
fn program_accepts(file: &Path) -> bool {
    let out = common::securescore(["validate".as_ref(), file.as_os_str()])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(matches!(out.status.code(), Some(0 | 2)), "{}", file.display());
    out.status.code() == Some(0)
}

#[test]
fn error_fixtures_get_the_programs_verdict() {
    let v = validator("inventory");
    let mut compared = 0;
    for file in files_under("fixtures/errors") {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let values = values(&file);
        // Not JSON, or not UTF-8: refused before any shape, nothing for a schema to judge.
        if values.is_empty() || values.iter().any(Option::is_none) {
            continue;
        }
        let schema_accepts = values.iter().flatten().all(|value| v.is_valid(value));
        let program = program_accepts(&file);
        if WHOLE_INPUT_ERRORS.contains(&name.as_str()) {
            assert!(
                schema_accepts && !program,
                "{name}: schema {schema_accepts}, program {program}"
            );
        } else {
            assert_eq!(schema_accepts, program, "{name}");
        }
        compared += 1;
    }
    // bad-values, empty-id, huge and subnormal maxima, missing-field, no-shape, report,
    // wrong-type, unknown-keys, escapes, separators, duplicates, …
    assert!(compared >= 15, "only {compared} compared");
}

/// Whether `securescore validate -` accepts `doc` on standard input.
fn program_accepts_text(doc: &str) -> bool {
    let mut child = common::securescore(["validate", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(doc.as_bytes()).unwrap();
    let status = child.wait().unwrap();
    assert!(matches!(status.code(), Some(0 | 2)), "{doc}");
    status.code() == Some(0)
}

/// A small valid document with `change` applied to a copy of it.
fn inventory_with(change: impl FnOnce(&mut Value)) -> Value {
    let mut doc = json!({
        "subscriptions": [{"id": "s1", "name": "prod", "management_groups": ["root"]}],
        "controls": [{"id": "c1", "name": "Enable MFA", "max_score": 10, "description": null,
                      "recommendations": ["r1"]}],
        "recommendations": [{"id": "r1", "name": "MFA", "severity": "high", "preview": false,
                             "description": "d", "remediation": null}],
        "resources": [{"id": "/subscriptions/s1/vm1", "name": "vm1", "type": "vm",
                       "subscription": "s1", "tags": {"owner": "web"}}],
        "assessments": [{"resource": "/subscriptions/s1/vm1", "recommendation": "r1",
                         "status": "unhealthy",
                         "exemption": {"category": "waiver", "reason": "r", "expires": "2027-01-31"}}]
    });
    change(&mut doc);
    doc
}

#[test]
fn hand_made_inventories_get_the_programs_verdict() {
    let v = validator("inventory");
    let cases: Vec<(&str, Value, bool)> = vec![
        ("the base document", inventory_with(|_| {}), true),
        (
            "a status in another spelling",
            inventory_with(|d| d["assessments"][0]["status"] = json!("Not_Applicable")),
            true,
        ),
        (
            "NotApplicable",
            inventory_with(|d| d["assessments"][0]["status"] = json!("NotApplicable")),
            true,
        ),
        (
            "a severity in capitals",
            inventory_with(|d| d["recommendations"][0]["severity"] = json!("HIGH")),
            true,
        ),
        (
            "no severity",
            inventory_with(|d| d["recommendations"][0]["severity"] = Value::Null),
            true,
        ),
        (
            "v1 points of 50",
            inventory_with(|d| d["recommendations"][0]["points"] = json!(50)),
            true,
        ),
        (
            "v1 points of 0.5",
            inventory_with(|d| d["recommendations"][0]["points"] = json!(0.5)),
            true,
        ),
        (
            "null v1 points",
            inventory_with(|d| d["recommendations"][0]["points"] = Value::Null),
            true,
        ),
        (
            "v1 points of 0",
            inventory_with(|d| d["recommendations"][0]["points"] = json!(0)),
            false,
        ),
        (
            "subnormal v1 points",
            inventory_with(|d| d["recommendations"][0]["points"] = json!(5e-324)),
            false,
        ),
        (
            "the least normal v1 points",
            inventory_with(|d| d["recommendations"][0]["points"] = json!(f64::MIN_POSITIVE)),
            true,
        ),
        (
            "v1 points above 50",
            inventory_with(|d| d["recommendations"][0]["points"] = json!(50.5)),
            false,
        ),
        (
            "v1 points as text",
            inventory_with(|d| d["recommendations"][0]["points"] = json!("40")),
            false,
        ),
        (
            "a category in capitals",
            inventory_with(|d| d["assessments"][0]["exemption"]["category"] = json!("Mitigated")),
            true,
        ),
        (
            "an RFC 3339 expiry with spaces",
            inventory_with(|d| {
                d["assessments"][0]["exemption"]["expires"] = json!(" 2027-01-31T20:00:00-05:00 ")
            }),
            true,
        ),
        (
            "no expiry",
            inventory_with(|d| d["assessments"][0]["exemption"]["expires"] = Value::Null),
            true,
        ),
        (
            "an unknown key",
            inventory_with(|d| d["resources"][0]["colour"] = json!("blue")),
            true,
        ),
        (
            "a null section",
            inventory_with(|d| d["subscriptions"] = Value::Null),
            true,
        ),
        ("one section alone", json!({"controls": []}), true),
        (
            "a control listing",
            json!({"schema": "securescore.controls/v1", "controls": []}),
            true,
        ),
        (
            "an assessment alone",
            json!({"resource": "r", "recommendation": "a", "status": "healthy"}),
            true,
        ),
        (
            "an array of documents",
            json!([{"resources": []}, {"resource": "r", "recommendation": "a", "status": "healthy"}]),
            true,
        ),
        (
            "a max score of 0",
            inventory_with(|d| d["controls"][0]["max_score"] = json!(0)),
            true,
        ),
        (
            "an unknown status",
            inventory_with(|d| d["assessments"][0]["status"] = json!("broken")),
            false,
        ),
        (
            "a status with a dash",
            inventory_with(|d| d["assessments"][0]["status"] = json!("not-applicable")),
            false,
        ),
        (
            "an unknown severity",
            inventory_with(|d| d["recommendations"][0]["severity"] = json!("urgent")),
            false,
        ),
        (
            "an unknown category",
            inventory_with(|d| d["assessments"][0]["exemption"]["category"] = json!("forgiven")),
            false,
        ),
        (
            "an expiry that is no date",
            inventory_with(|d| d["assessments"][0]["exemption"]["expires"] = json!("soon")),
            false,
        ),
        (
            "an exemption without category",
            inventory_with(|d| d["assessments"][0]["exemption"] = json!({"reason": "r"})),
            false,
        ),
        (
            "a negative max score",
            inventory_with(|d| d["controls"][0]["max_score"] = json!(-1)),
            false,
        ),
        (
            "a max score over the limit",
            inventory_with(|d| d["controls"][0]["max_score"] = json!(2e9)),
            false,
        ),
        (
            "a subnormal max score",
            inventory_with(|d| d["controls"][0]["max_score"] = json!(1e-310)),
            false,
        ),
        (
            "a max score as text",
            inventory_with(|d| d["controls"][0]["max_score"] = json!("10")),
            false,
        ),
        (
            "a control without members",
            inventory_with(|d| {
                d["controls"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("recommendations")
                    .map(drop)
                    .unwrap_or(())
            }),
            false,
        ),
        (
            "an empty id",
            inventory_with(|d| d["resources"][0]["id"] = json!("")),
            false,
        ),
        (
            "an assessment without resource",
            inventory_with(|d| {
                d["assessments"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("resource")
                    .map(drop)
                    .unwrap_or(())
            }),
            false,
        ),
        (
            "a section that is no array",
            inventory_with(|d| d["resources"] = json!({"id": "x"})),
            false,
        ),
        (
            "a tag that is no string",
            inventory_with(|d| d["resources"][0]["tags"] = json!({"n": 1})),
            false,
        ),
        (
            "preview as text",
            inventory_with(|d| d["recommendations"][0]["preview"] = json!("no")),
            false,
        ),
        ("an object of no shape", json!({"foo": 1}), false),
        (
            "a report",
            json!({"schema": "securescore.report/v1", "controls": []}),
            false,
        ),
        ("a number", json!(42), false),
    ];
    for (what, doc, valid) in cases {
        let text = doc.to_string();
        assert_eq!(v.is_valid(&doc), valid, "schema: {what}");
        assert_eq!(program_accepts_text(&text), valid, "program: {what}");
    }
}

/// A run as a snapshot file shows it: its command line, standard output, and the file
/// it wrote (`<TMP>`), if any.
struct ShownRun {
    command: String,
    stdout: String,
    written: Option<String>,
}

/// The runs of a snapshot file (format: tests/snapshots.rs).
fn shown_runs(text: &str) -> Vec<ShownRun> {
    text.split("==> ")
        .filter(|block| !block.is_empty())
        .filter_map(|block| {
            let (command, rest) = block.split_once('\n')?;
            let (_, rest) = rest.split_once("--- stdout\n")?;
            let (stdout, rest) = rest.split_once("--- stderr\n")?;
            let written = rest
                .split_once("--- <TMP>\n")
                .map(|(_, written)| written.to_string());
            Some(ShownRun {
                command: command.to_string(),
                stdout: stdout.to_string(),
                written,
            })
        })
        .collect()
}

/// The JSON documents of `text` whose `schema` starts with `prefix`: the text whole, or
/// each of its lines.
fn documents(text: &str, prefix: &str) -> Vec<Value> {
    let whole = serde_json::from_str::<Value>(text).map(|v| vec![v]);
    let values = whole.unwrap_or_else(|_| {
        text.lines()
            .filter_map(|l| serde_json::from_str::<Value>(l).ok())
            .collect()
    });
    values
        .into_iter()
        .filter(|v| v["schema"].as_str().is_some_and(|s| s.starts_with(prefix)))
        .collect()
}

#[test]
fn every_report_and_history_line_the_snapshots_hold_validates() {
    let report = validator("report");
    let snapshot = validator("snapshot");
    let (mut reports, mut lines) = (0, 0);
    let mut snaps: Vec<PathBuf> = std::fs::read_dir(root().join("tests/snapshots"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    snaps.sort();
    for snap in snaps {
        let text = std::fs::read_to_string(&snap).unwrap();
        for shown in shown_runs(&text) {
            let what = format!("{}: {}", snap.display(), shown.command);
            // The recorded times are placeholders in the snapshots.
            let written = shown
                .written
                .unwrap_or_default()
                .replace("<RECORDED_AT>", "2026-12-01T14:07:13Z");
            for text in [&shown.stdout, &written] {
                for doc in documents(text, "securescore.report") {
                    assert_valid(&report, &doc, &what);
                    reports += 1;
                }
                for doc in documents(text, "securescore.snapshot") {
                    assert_valid(&snapshot, &doc, &what);
                    lines += 1;
                }
            }
        }
    }
    // Every inventory's `assess -f json`, the options' runs, `-o` and `--record`.
    assert!(reports >= 80, "only {reports} reports");
    assert!(lines >= 1, "only {lines} history lines");
}

#[test]
fn every_history_fixture_line_validates() {
    let v = validator("snapshot");
    let mut checked = 0;
    for file in files_under("fixtures/history") {
        // A line torn by a crash is no JSON: `trend` skips it, and so does this.
        for mut line in values(&file).into_iter().flatten() {
            // Lines written before the gate had rules (`two-series.jsonl`: a gate of
            // `fail_under`, `passed` and `reason`), which `trend` still reads: the schema
            // is of what this version writes, so their gate is left out of the check.
            if line["gate"].is_object() && line["gate"].get("rules").is_none() {
                assert!(line["gate"]["reason"].is_string(), "{}", file.display());
                line.as_object_mut().unwrap().remove("gate");
            }
            // Lines written before models (SPEC §7) name none, and `trend` reads them as
            // classic: so they are checked.
            if line.get("model").is_none() {
                line["model"] = json!("classic");
            }
            assert_valid(&v, &line, &file.display().to_string());
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} lines");
}

/// A fresh path in a folder of its own under the temporary directory, removed when
/// dropped.
struct TempPath(PathBuf);

impl TempPath {
    fn new(name: &str) -> TempPath {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("securescore-schemas-{name}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempPath(dir.join(name))
    }
}

impl Drop for TempPath {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

/// A report and the history line of one run now, on the demo estate with a gate and
/// groups (the parts a report has only when asked for).
fn report_and_line() -> (Value, Value) {
    let history = TempPath::new("history.jsonl");
    let out = run(&[
        "assess",
        "examples/contoso.json",
        "--as-of",
        "2026-11-22",
        "-f",
        "json",
        "--fail-under",
        "90",
        "--group-by",
        "subscription",
        "--record",
        history.0.to_str().unwrap(),
        "--label",
        "now",
    ]);
    assert_exit(&out, 1);
    let report = serde_json::from_slice(&out.stdout).unwrap();
    let line = serde_json::from_str(&std::fs::read_to_string(&history.0).unwrap()).unwrap();
    (report, line)
}

#[test]
fn a_report_and_a_history_line_written_now_validate() {
    let (report, line) = report_and_line();
    assert!(report["gate"].is_object() && report["groups"].is_array());
    assert_valid(&validator("report"), &report, "report");
    assert_valid(&validator("snapshot"), &line, "history line");
}

/// A change that breaks a document in one place, and what it breaks.
type Break = (&'static str, fn(&mut Value));

/// Each change breaks a valid document in one place: none is valid.
#[track_caller]
fn assert_each_breaks(v: &Validator, valid: &Value, changes: &[Break]) {
    assert_valid(v, valid, "unchanged");
    for (what, change) in changes {
        let mut doc = valid.clone();
        change(&mut doc);
        assert!(!v.is_valid(&doc), "accepted: {what}");
    }
}

#[test]
fn broken_reports_and_history_lines_fail() {
    let (report, line) = report_and_line();
    assert_each_breaks(
        &validator("report"),
        &report,
        &[
            ("another schema version", |r| {
                r["schema"] = json!("securescore.report/v2")
            }),
            ("no score", |r| drop(r.as_object_mut().unwrap().remove("score"))),
            ("an unknown key", |r| r["extra"] = json!(1)),
            ("a max score as text", |r| {
                r["controls"][0]["max_score"] = json!("6")
            }),
            ("a severity never written", |r| {
                r["controls"][0]["recommendations"][0]["severity"] = json!("urgent")
            }),
            ("a gate without verdict", |r| {
                drop(r["gate"].as_object_mut().unwrap().remove("passed"))
            }),
            ("an unknown weighting", |r| r["weighting"] = json!("heavy")),
            ("a negative count", |r| r["score"]["resources"] = json!(-1)),
            ("a date of another form", |r| r["as_of"] = json!("22/11/2026")),
            (
                "a warning code with spaces",
                |r| r["warnings"] = json!([{"code": "no code", "message": "m", "file": null, "path": null}]),
            ),
            ("a group without score", |r| {
                drop(r["groups"][0].as_object_mut().unwrap().remove("score"))
            }),
        ],
    );
    assert_each_breaks(
        &validator("snapshot"),
        &line,
        &[
            ("a digest that is no SHA-256", |l| {
                l["inputs_digest"] = json!("xyz")
            }),
            ("a time that is no RFC 3339 UTC time", |l| {
                l["recorded_at"] = json!("yesterday")
            }),
            ("an unknown model", |l| l["model"] = json!("v2")),
            ("no controls", |l| {
                drop(l.as_object_mut().unwrap().remove("controls"))
            }),
            ("a report's schema", |l| {
                l["schema"] = json!("securescore.report/v1")
            }),
            ("a control without id", |l| {
                drop(l["controls"][0].as_object_mut().unwrap().remove("id"))
            }),
        ],
    );
}

/// A TOML value as JSON, the form `schema config` describes: a table is an object and a
/// date or time the string the program reads it as (`toml::value::Datetime`'s text). JSON
/// has no NaN nor infinity: such a float becomes its TOML spelling, a string, which no
/// number in the schema matches (the program refuses it as no percentage either).
fn toml_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => json!(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(f.to_string())),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(key, value)| (key, toml_json(value)))
                .collect(),
        ),
    }
}

/// A configuration's text as JSON; `None` when it is no TOML (refused before any key, as
/// JSON that does not parse is: nothing for a schema to judge).
fn config_json(text: &str) -> Option<Value> {
    text.parse::<toml::Table>()
        .ok()
        .map(|table| toml_json(toml::Value::Table(table)))
}

/// Whether the program accepts the configuration file at `path`: `assess` of the demo
/// estate under it runs (exit 0, or 1 when its gate fails). A refusal must be the
/// configuration's: exit 2 naming the file. The command line gives `--max-drop` and the
/// history it compares with (one its run's model finds a run of, or none: a baseline
/// report would be of one model), so that a file's `max-drop` (read and checked all the
/// same, then replaced) is not refused for want of one.
fn program_accepts_config(path: &Path) -> bool {
    let out = common::securescore([
        "assess".as_ref(),
        "examples/contoso.json".as_ref(),
        "--as-of".as_ref(),
        "2026-11-22".as_ref(),
        "-f".as_ref(),
        "json".as_ref(),
        "--max-drop".as_ref(),
        "100".as_ref(),
        "--history".as_ref(),
        "fixtures/history/runs.jsonl".as_ref(),
        "--config".as_ref(),
        path.as_os_str(),
    ])
    .stdin(Stdio::null())
    .output()
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    match out.status.code() {
        Some(0 | 1) => true,
        Some(2) => {
            let name = path.file_name().unwrap().to_string_lossy();
            assert!(stderr.contains(&*name), "{}: {stderr}", path.display());
            false
        }
        other => panic!("{}: exit {other:?}: {stderr}", path.display()),
    }
}

/// Every configuration among the examples and fixtures, sorted.
fn config_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("examples/securescore.toml")];
    for entry in std::fs::read_dir(root().join("fixtures/config")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn every_configuration_fixture_gets_the_programs_verdict() {
    let v = validator("config");
    let (mut accepted, mut refused) = (0, 0);
    for file in config_files() {
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let text = std::fs::read_to_string(&file).unwrap();
        let json = config_json(&text).unwrap_or_else(|| panic!("{name} is no TOML"));
        let program = program_accepts_config(&file);
        if program {
            assert_valid(&v, &json, &name);
            accepted += 1;
        } else {
            assert!(!v.is_valid(&json), "the schema accepts {name}");
            refused += 1;
        }
    }
    // The example, azure-exemptions, defaults, spec-example, two-failing-rules; typo and
    // wrong-type.
    assert!(
        accepted >= 5 && refused >= 2,
        "{accepted} accepted, {refused} refused"
    );
}

/// One local exemption's keys, every one valid, before `extra`.
fn exemption(extra: &str) -> String {
    format!(
        "[[exemptions]]\nrecommendation = \"r1\"\nresource = \"/subscriptions/s1/*\"\ncategory = \"waiver\"\n\
         expires = 2027-03-31\n{extra}"
    )
}

#[test]
fn hand_made_configurations_get_the_programs_verdict() {
    let v = validator("config");
    let with_reason = |extra: &str| exemption(&format!("reason = \"r\"\n{extra}"));
    let cases: Vec<(&str, String, bool)> = vec![
        ("an empty file", String::new(), true),
        (
            "every default",
            "[defaults]\nmodel = \"classic\"\nas-of = 2026-11-22\nscope = [\"s1\", \"\"]\nmanagement-group = []\n\
             weighting = \"pooled\"\ninclude-preview = true\nignore-exemptions = false\n"
                .to_string(),
            true,
        ),
        (
            "a date as a string with spaces",
            "[defaults]\nas-of = \" 2026-01-02\\t\"\n".to_string(),
            true,
        ),
        (
            "every gate rule",
            "[gate]\nfail-under = 70\nmax-drop = 2.5\n[gate.controls]\n\"Enable MFA\" = { min-percentage = 100 }\n\
             \"61702b76-1fab-41f2-bcbc-50b7870dcf38\" = { min-percentage = 0.0 }\n[gate.unhealthy]\ncritical = 0\nhigh = 5\nmedium = 9\nlow = 99\n"
                .to_string(),
            true,
        ),
        ("an exemption", with_reason(""), true),
        (
            "an exemption in other spellings",
            exemption(
                "reason = \"\\ufeff\"\n",
            )
            .replace("\"waiver\"", "\"MITIGATED\"")
            .replace("2027-03-31", "\"2027-01-31T23:30:00-05:00\""),
            true,
        ),
        (
            "an expiry as a TOML time with its offset",
            exemption("reason = \"r\"\n").replace("2027-03-31", "2027-01-31 10:00:00.5+02:00"),
            true,
        ),
        (
            "every recommendation on one resource",
            with_reason("").replace("\"r1\"", "\"*\""),
            true,
        ),
        (
            "one recommendation on every resource",
            with_reason("").replace("\"/subscriptions/s1/*\"", "\"/*\""),
            true,
        ),
        ("an unknown section", "[default]\nweighting = \"equal\"\n".to_string(), false),
        ("an unknown top-level key", "version = 1\n".to_string(), false),
        (
            "an unknown default",
            "[defaults]\ninclude-preveiw = true\n".to_string(),
            false,
        ),
        (
            "a default in snake case",
            "[defaults]\ninclude_preview = true\n".to_string(),
            false,
        ),
        ("the classic model", "[defaults]\nmodel = \"classic\"\n".to_string(), true),
        ("the v1 model", "[defaults]\nmodel = \"v1\"\n".to_string(), true),
        ("the pass-rate model", "[defaults]\nmodel = \"pass-rate\"\n".to_string(), true),
        ("a model that is no model", "[defaults]\nmodel = \"v2\"\n".to_string(), false),
        ("the side-by-side view, which is no one model", "[defaults]\nmodel = \"all\"\n".to_string(), false),
        (
            "v1 with a weighting, which it does not apply",
            "[defaults]\nmodel = \"v1\"\nweighting = \"pooled\"\n".to_string(),
            false,
        ),
        (
            "classic with a weighting",
            "[defaults]\nmodel = \"classic\"\nweighting = \"pooled\"\n".to_string(),
            true,
        ),
        ("a model in capitals", "[defaults]\nmodel = \"Classic\"\n".to_string(), false),
        ("a model as a number", "[defaults]\nmodel = 1\n".to_string(), false),
        ("an unknown gate rule", "[gate]\nmin-score = 1\n".to_string(), false),
        (
            "an unknown key of a control's rule",
            "[gate.controls]\n\"Enable MFA\" = { min-percent = 80 }\n".to_string(),
            false,
        ),
        ("an unknown severity", "[gate.unhealthy]\nsevere = 1\n".to_string(), false),
        ("an unknown key of an exemption", with_reason("owner = \"me\"\n"), false),
        (
            "a flag as text",
            "[defaults]\ninclude-preview = \"yes\"\n".to_string(),
            false,
        ),
        ("a scope that is no list", "[defaults]\nscope = \"s1\"\n".to_string(), false),
        ("a scope of numbers", "[defaults]\nscope = [1]\n".to_string(), false),
        (
            "an unknown weighting",
            "[defaults]\nweighting = \"by-size\"\n".to_string(),
            false,
        ),
        (
            "a weighting in capitals",
            "[defaults]\nweighting = \"Equal\"\n".to_string(),
            false,
        ),
        ("a date that is no date", "[defaults]\nas-of = \"tomorrow\"\n".to_string(), false),
        (
            "a time for as-of",
            "[defaults]\nas-of = 2026-11-22T10:00:00Z\n".to_string(),
            false,
        ),
        ("a date as a number", "[defaults]\nas-of = 20261122\n".to_string(), false),
        ("a percentage as text", "[gate]\nfail-under = \"seventy\"\n".to_string(), false),
        ("a percentage over 100", "[gate]\nfail-under = 170\n".to_string(), false),
        ("a negative drop", "[gate]\nmax-drop = -0.5\n".to_string(), false),
        ("a drop of nan", "[gate]\nmax-drop = nan\n".to_string(), false),
        (
            "an infinite minimum",
            "[gate.controls]\nc1 = { min-percentage = inf }\n".to_string(),
            false,
        ),
        (
            "a control's rule without its minimum",
            "[gate.controls]\nc1 = {}\n".to_string(),
            false,
        ),
        ("a negative limit", "[gate.unhealthy]\ncritical = -1\n".to_string(), false),
        ("a fractional limit", "[gate.unhealthy]\nhigh = 1.5\n".to_string(), false),
        ("a gate that is no table", "gate = 1\n".to_string(), false),
        ("exemptions that are no list", "exemptions = \"none\"\n".to_string(), false),
        ("an exemption without reason", exemption(""), false),
        (
            "an exemption without expiry",
            with_reason("").replace("expires = 2027-03-31\n", ""),
            false,
        ),
        ("a blank reason", exemption("reason = \" \\t\"\n"), false),
        (
            "a reason of a next-line character",
            exemption("reason = \"\\u0085\"\n"),
            false,
        ),
        (
            "an empty resource",
            with_reason("").replace("\"/subscriptions/s1/*\"", "\"\""),
            false,
        ),
        (
            "an unknown category",
            with_reason("").replace("\"waiver\"", "\"accepted\""),
            false,
        ),
        (
            "an expiry that is no date",
            with_reason("").replace("2027-03-31", "\"soon\""),
            false,
        ),
        (
            "an expiry as a local time, without offset",
            with_reason("").replace("2027-03-31", "2027-03-31T10:00:00"),
            false,
        ),
        (
            "every recommendation on every resource",
            with_reason("")
                .replace("\"r1\"", "\"*\"")
                .replace("\"/subscriptions/s1/*\"", "\"*\""),
            false,
        ),
        (
            "every recommendation under /*",
            with_reason("")
                .replace("\"r1\"", "\"*\"")
                .replace("\"/subscriptions/s1/*\"", "\"/*\""),
            false,
        ),
    ];
    for (what, text, valid) in cases {
        let json = config_json(&text).unwrap_or_else(|| panic!("{what} is no TOML: {text}"));
        assert_eq!(v.is_valid(&json), valid, "schema: {what}: {json}");
        assert_eq!(program_config_text(&text), valid, "program: {what}");
    }
    // The one structural difference JSON cannot express: a whole number written as a TOML
    // float where an integer is required. JSON Schema's `integer` is any number with no
    // fraction (1.0 too); the program reads TOML's types and refuses it (README "JSON
    // Schemas").
    let float_limit = "[gate.unhealthy]\nhigh = 1.0\n";
    assert!(v.is_valid(&config_json(float_limit).unwrap()));
    assert!(!program_config_text(float_limit));
}

/// Whether the program accepts a configuration file holding `text`.
fn program_config_text(text: &str) -> bool {
    let file = TempPath::new("securescore.toml");
    std::fs::write(&file.0, text).unwrap();
    program_accepts_config(&file.0)
}

#[test]
fn the_example_configuration_broken_in_one_place_fails() {
    let text = std::fs::read_to_string(root().join("examples/securescore.toml")).unwrap();
    let example = config_json(&text).unwrap();
    assert!(example["exemptions"].as_array().is_some_and(|e| e.len() >= 2));
    assert_each_breaks(
        &validator("config"),
        &example,
        &[
            ("an unknown section", |c| c["default"] = json!({})),
            ("an unknown default", |c| c["defaults"]["colour"] = json!(true)),
            ("an unknown gate rule", |c| c["gate"]["fail_under"] = json!(50)),
            ("an unknown key of an exemption", |c| {
                c["exemptions"][1]["owner"] = json!("me")
            }),
            ("a flag as text", |c| {
                c["defaults"]["include-preview"] = json!("false")
            }),
            ("a null weighting (TOML has no null)", |c| {
                c["defaults"]["weighting"] = Value::Null
            }),
            ("a percentage as text", |c| c["gate"]["fail-under"] = json!("50")),
            ("an exemption without reason", |c| {
                drop(c["exemptions"][0].as_object_mut().unwrap().remove("reason"))
            }),
            ("an expiry as a number", |c| {
                c["exemptions"][1]["expires"] = json!(20270331)
            }),
            ("a category of another word", |c| {
                c["exemptions"][0]["category"] = json!("waived")
            }),
            ("an exemption that is no table", |c| {
                c["exemptions"][0] = json!("x")
            }),
        ],
    );
}

/// The report of `assess -f json` with `args`, which ends with `code`.
fn report_of(args: &[&str], code: i32) -> Value {
    let mut all = vec!["assess", "-f", "json", "--as-of", "2026-11-22"];
    all.extend_from_slice(args);
    serde_json::from_str(&common::stdout_of(&all, code)).unwrap()
}

#[test]
fn reports_under_a_configuration_validate() {
    let v = validator("report");
    // Local exemptions over an Azure export: three in effect (the fourth ended the day
    // before `--as-of`, fixtures/config/azure-exemptions.toml).
    let exempted = report_of(
        &[
            "fixtures/azure/local-exemptions.json",
            "--config",
            "fixtures/config/azure-exemptions.toml",
        ],
        0,
    );
    assert_eq!(exempted["config"], "fixtures/config/azure-exemptions.toml");
    assert_eq!(exempted["local_exemptions"].as_array().map(Vec::len), Some(3));
    assert_valid(&v, &exempted, "local exemptions");
    // Two gate rules of the configuration fail (fixtures/config/two-failing-rules.toml).
    let gated = report_of(
        &[
            "examples/contoso.json",
            "--config",
            "fixtures/config/two-failing-rules.toml",
        ],
        1,
    );
    assert_eq!(gated["gate"]["rules"].as_array().map(Vec::len), Some(3));
    assert_valid(&v, &gated, "gate rules");
    assert_each_breaks(
        &v,
        &exempted,
        &[
            ("an entry numbered 0", |r| {
                r["local_exemptions"][0]["entry"] = json!(0)
            }),
            ("a category in capitals", |r| {
                r["local_exemptions"][0]["category"] = json!("Waiver")
            }),
            ("an expiry that is a time", |r| {
                r["local_exemptions"][0]["expires"] = json!("2027-03-31T00:00:00Z")
            }),
            ("no reason", |r| {
                drop(r["local_exemptions"][0].as_object_mut().unwrap().remove("reason"))
            }),
            ("an unknown key", |r| {
                r["local_exemptions"][0]["owner"] = json!("me")
            }),
            ("a configuration that is no name", |r| r["config"] = json!(1)),
        ],
    );
}
