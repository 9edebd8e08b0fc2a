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
//! - documents broken in one place each fail, so no schema accepts everything.

mod common;

use common::{assert_exit, run};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Stdio;

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

const SECTIONS: [&str; 5] = [
    "subscriptions",
    "controls",
    "recommendations",
    "resources",
    "assessments",
];

/// Whether the program reads `v` as native (SPEC §2): an object with a section, or with
/// an assessment's three keys (or an array holding one), that is none of securescore's
/// own outputs (a history line has `controls` too).
fn is_native(v: &Value) -> bool {
    let own = |s: &str| s.starts_with("securescore.") && !s.starts_with("securescore.controls/");
    match v {
        Value::Array(items) => items.iter().any(is_native),
        Value::Object(o) if o.get("schema").and_then(Value::as_str).is_some_and(own) => false,
        Value::Object(o) => {
            SECTIONS.iter().any(|s| o.contains_key(*s))
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
    for document in ["inventory", "report", "snapshot"] {
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
    for document in ["inventory", "report", "snapshot"] {
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
const WHOLE_INPUT_ERRORS: [&str; 3] = [
    // Two lines assess one pair differently.
    "conflicting-assessments.jsonl",
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
