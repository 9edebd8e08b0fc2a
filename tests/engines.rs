//! Counting on real engines (SPEC §10): the queries `securescore query` writes for DuckDB
//! and Apache Spark, run by those engines on a generated estate, give counts rows that
//! `assess` scores into the same report as the assessments themselves — for every model,
//! both sources (native assessments, Resource Graph rows), and each option the source can
//! honour (group-by, scope and management-group filters, preview, exemptions, as-of).
//!
//! `tests/engines/generate.py` writes the estate (native JSON Lines, Resource Graph rows,
//! the definitions); `tests/engines/harness.py` loads it into the engine and runs every
//! query in ONE Python process per engine, so that Spark's JVM starts once. The Python
//! with `duckdb` and `pyspark` (and, for Spark, `java` on the path) is the virtual
//! environment `.ci/run` makes in `target/ci-tools/venv` (or `ENGINES_PYTHON`); without
//! it the tests print a note and check nothing, unless `SECURESCORE_CI` is set, under
//! which a missing tool fails them.

mod common;

use common::{run, securescore, Scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The date the estate's exemptions expire around (before, on and after it).
const AS_OF: &str = "2026-11-22";
/// The day after: an exemption that expires on [`AS_OF`] has ended.
const DAY_AFTER: &str = "2026-11-23";
/// The seed of the generated estate.
const SEED: &str = "15";

const MODELS: [&str; 3] = ["classic", "v1", "pass-rate"];

/// The two shapes of table a SQL query reads (`--source`), with the table name each is
/// loaded under (`--table`; the native one the default) and the files it is generated
/// as: the rows the engine loads, and what `assess` reads of the same estate.
struct Source {
    name: &'static str,
    table: Option<&'static str>,
    rows: &'static str,
    assessments: &'static str,
}

const NATIVE: Source = Source {
    name: "native",
    table: None,
    rows: "native.jsonl",
    assessments: "native.jsonl",
};

/// Resource Graph rows as `az graph query` prints them, the wrapper included, for
/// `assess`; one a line for the engine.
const RESOURCE_GRAPH: Source = Source {
    name: "resource-graph",
    table: Some("securityresources"),
    rows: "resource-graph.jsonl",
    assessments: "resource-graph.json",
};

/// One run: a source, a model, the definitions file and the options given alike to
/// `query` and to both `assess` runs.
struct Case {
    source: &'static Source,
    model: &'static str,
    definitions: &'static str,
    options: Vec<String>,
}

impl Case {
    fn label(&self) -> String {
        format!(
            "{} --model {} {} {}",
            self.source.name,
            self.model,
            self.definitions,
            self.options.join(" ")
        )
    }
}

/// The options each source is run with, and the definitions file. `sub` is a
/// subscription of the estate (given in upper case: a GUID compares in any case). The
/// native source runs the first two on the default date (today) and the others as of
/// [`AS_OF`], plus one as of [`DAY_AFTER`]; a Resource Graph row carries no exemption
/// expiry, so `--as-of` is not given to that source (it is a usage error there).
fn option_sets(source: &Source, sub: &str) -> Vec<(&'static str, Vec<String>)> {
    let dated = source.name == "native";
    let mut sets: Vec<(&'static str, Vec<&str>)> = vec![
        ("definitions.json", vec![]),
        // Without the subscriptions' definitions: the scopes are named as the ids spell them.
        ("controls.json", vec![]),
        ("definitions.json", vec!["--group-by", "resource-group"]),
        ("definitions.json", vec!["--group-by", "type"]),
        ("definitions.json", vec!["--group-by", "subscription"]),
        ("definitions.json", vec!["--scope", sub]),
        ("definitions.json", vec!["--management-group", "corp"]),
        ("definitions.json", vec!["--include-preview"]),
        ("definitions.json", vec!["--ignore-exemptions"]),
        (
            "definitions.json",
            vec![
                "--scope",
                sub,
                "--group-by",
                "resource-group",
                "--include-preview",
            ],
        ),
    ];
    if dated {
        for (_, options) in sets.iter_mut().skip(2) {
            options.extend(["--as-of", AS_OF]);
        }
        sets.push(("definitions.json", vec!["--as-of", DAY_AFTER]));
        sets.push(("controls.json", vec!["--as-of", AS_OF, "--group-by", "type"]));
    }
    sets.into_iter()
        .map(|(defs, options)| (defs, options.into_iter().map(String::from).collect()))
        .collect()
}

fn cases(dir: &Path) -> Vec<Case> {
    let definitions: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("definitions.json")).unwrap()).unwrap();
    let sub = definitions["subscriptions"][1]["id"]
        .as_str()
        .unwrap()
        .to_uppercase();
    let mut cases = Vec::new();
    for source in [&NATIVE, &RESOURCE_GRAPH] {
        for model in MODELS {
            for (definitions, options) in option_sets(source, &sub) {
                cases.push(Case {
                    source,
                    model,
                    definitions,
                    options,
                });
            }
        }
    }
    cases
}

/// Where `.ci/run` installs a tool, under `target/ci-tools/`.
fn ci_tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/ci-tools")
}

/// Skips (with a note) or, under CI, fails: `what` is missing.
#[track_caller]
fn missing(what: &str) -> Option<PathBuf> {
    assert!(
        std::env::var_os("SECURESCORE_CI").is_none(),
        "{what} (.ci/run installs it)"
    );
    eprintln!("note: engine test skipped: {what} (run .ci/run, or set ENGINES_PYTHON)");
    None
}

/// A Python that imports `module`: `ENGINES_PYTHON`, else the virtual environment of
/// `.ci/run`.
fn python_with(module: &str) -> Option<PathBuf> {
    let python = std::env::var_os("ENGINES_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| ci_tools().join("venv/bin/python"));
    let imports = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .output()
        .is_ok_and(|o| o.status.success());
    if imports {
        Some(python)
    } else {
        missing(&format!(
            "no Python with the {module} package at {}",
            python.display()
        ))
    }
}

/// The engine's Python, once its engine can run: Spark also needs a Java runtime.
fn engine_python(engine: &str) -> Option<PathBuf> {
    let python = python_with(if engine == "spark" { "pyspark" } else { "duckdb" })?;
    if engine == "spark" {
        let java = Command::new("java").arg("-version").output();
        if !java.is_ok_and(|o| o.status.success()) {
            return missing("no Java runtime (`java`) for Spark");
        }
    }
    Some(python)
}

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/engines")
        .join(name)
}

/// Runs `python` on `args`, failing the test with its standard error if it fails.
#[track_caller]
fn python_run(python: &Path, args: &[&std::ffi::OsStr]) {
    let out = Command::new(python).args(args).output().unwrap();
    assert!(
        out.status.success(),
        "{} {:?} failed:\n{}",
        python.display(),
        args,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Writes the estate into `dir`: the native and Resource Graph files, the definitions
/// with and without the subscriptions.
fn generate(python: &Path, dir: &Path) {
    python_run(
        python,
        &[
            script("generate.py").as_os_str(),
            "--seed".as_ref(),
            SEED.as_ref(),
            "--as-of".as_ref(),
            AS_OF.as_ref(),
            dir.as_os_str(),
        ],
    );
    let mut definitions: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("definitions.json")).unwrap()).unwrap();
    definitions.as_object_mut().unwrap().remove("subscriptions");
    std::fs::write(dir.join("controls.json"), definitions.to_string()).unwrap();
}

fn path_arg(p: &Path) -> String {
    p.to_str().unwrap().to_string()
}

/// `securescore query` for `case` on `engine`, into `out`.
fn write_query(engine: &str, case: &Case, dir: &Path, out: &Path) {
    let mut args = vec![
        "query".to_string(),
        "--engine".to_string(),
        engine.to_string(),
        "--source".to_string(),
        case.source.name.to_string(),
        "--model".to_string(),
        case.model.to_string(),
        path_arg(&dir.join(case.definitions)),
        "-o".to_string(),
        path_arg(out),
    ];
    if let Some(table) = case.source.table {
        args.extend(["--table".to_string(), table.to_string()]);
    }
    args.extend(case.options.iter().cloned());
    let result = securescore(&args).output().unwrap();
    assert!(
        result.status.success(),
        "query for {} failed:\n{}",
        case.label(),
        String::from_utf8_lossy(&result.stderr)
    );
}

/// `assess -f json` of `input` with the case's definitions, model and options, and
/// `extra` (options of `assess` alone).
fn assess(case: &Case, dir: &Path, input: &Path, extra: &[&str]) -> Value {
    let mut args = vec![
        "assess".to_string(),
        "-f".to_string(),
        "json".to_string(),
        path_arg(input),
        path_arg(&dir.join(case.definitions)),
        "--model".to_string(),
        case.model.to_string(),
    ];
    args.extend(case.options.iter().cloned());
    args.extend(extra.iter().map(|e| e.to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run(&args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "assess {} of {} failed:\n{}",
        case.label(),
        input.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Warning codes that only one of the two reports can carry, by the nature of its data.
/// Every other warning must be the same in both.
const WARNINGS_OF_ASSESSMENTS: [&str; 5] = [
    // Facts of individual assessments, which the engine counts without reporting them:
    // an identical duplicate (the engine counts distinct resources, so it counts once
    // too), exemptions that ended or apply to nothing scored, Resource Graph rows of
    // other types (the query reads only assessments).
    "duplicate-assessment",
    "exemption-expired",
    "exemption-unused",
    "ignored-type",
    // Assessments of a recommendation in no control: the classic query counts only
    // members of a control, so their rows never reach the counts.
    "unscored-recommendation",
];

/// Warnings that only the report of counts carries: the options the query already
/// applied, which `assess` says do not apply to counts rows.
const WARNINGS_OF_COUNTS: [&str; 1] = ["option-not-applicable"];

/// The report without what count-level data cannot carry, each removal with its reason.
fn comparable(case: &Case, mut report: Value) -> Value {
    let doc = report.as_object_mut().unwrap();
    // A type group is named by the smallest spelling of its type: `assess` takes it from
    // each resource's first spelling (input order), the query from every row, so the two
    // differ in case when a resource is spelt several ways. Compared case-folded.
    if case.options.iter().any(|o| o == "type") {
        for group in doc["groups"].as_array_mut().unwrap() {
            if let Some(id) = group["id"].as_str() {
                group["id"] = id.to_lowercase().into();
            }
        }
    }
    // Scored from raw statuses, which the counts (effective statuses) do not keep:
    // null for count-level data (SPEC §3).
    doc["score"]["raw_percentage"] = Value::Null;
    if let Some(groups) = doc.get_mut("groups").and_then(Value::as_array_mut) {
        for group in groups {
            group["score"]["raw_percentage"] = Value::Null;
        }
    }
    // A classic control's members with their own counts: the counts rows are per
    // control, not per recommendation (count-level controls list none).
    if let Some(controls) = doc.get_mut("controls").and_then(Value::as_array_mut) {
        for control in controls {
            control["recommendations"] = Value::Array(Vec::new());
        }
    }
    if let Some(warnings) = doc.get_mut("warnings").and_then(Value::as_array_mut) {
        warnings.retain(|w| {
            let code = w["code"].as_str().unwrap_or("");
            !WARNINGS_OF_ASSESSMENTS.contains(&code) && !WARNINGS_OF_COUNTS.contains(&code)
        });
        // A warning's file is the input it was read in: another file on each side.
        for w in warnings.iter_mut() {
            w["file"] = Value::Null;
        }
    }
    report
}

/// The first place where two JSON values differ, as a path and both values.
fn first_difference(a: &Value, b: &Value, path: &str) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            keys.into_iter().find_map(|k| {
                first_difference(
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                    &format!("{path}.{k}"),
                )
                .or_else(|| {
                    (x.contains_key(k) != y.contains_key(k))
                        .then(|| format!("{path}.{k}: present on one side only"))
                })
            })
        }
        (Value::Array(x), Value::Array(y)) => x
            .iter()
            .zip(y)
            .enumerate()
            .find_map(|(i, (p, q))| first_difference(p, q, &format!("{path}[{i}]")))
            .or_else(|| {
                (x.len() != y.len()).then(|| format!("{path}: {} elements against {}", x.len(), y.len()))
            }),
        _ => (a != b).then(|| format!("{path}: {a} from the assessments, {b} from the counts")),
    }
}

/// The `--weighting` options `assess` scores a case's counts under (the query has none:
/// `assess` weighs the scopes): every one under classic, none under v1 and pass-rate,
/// whose score is not a mean over scopes.
fn weightings(case: &Case) -> &'static [&'static [&'static str]] {
    if case.model == "classic" {
        &[&[], &["--weighting", "equal"], &["--weighting", "pooled"]]
    } else {
        &[&[]]
    }
}

/// The counts rows of a file, each checked for what every row of SPEC §10 has.
fn counts_rows(path: &Path) -> Vec<Value> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).unwrap();
            assert_eq!(row["securescore_counts"], 1, "{}: {line}", path.display());
            row
        })
        .collect()
}

/// Runs every case on `engine` and compares the reports; then checks that the
/// comparison can fail: a counts file with one count changed scores differently.
fn engine_scores_as_assess(engine: &str) {
    let Some(python) = engine_python(engine) else {
        return;
    };
    let scratch = Scratch::new(&format!("engines-{engine}"));
    let dir = &scratch.0;
    generate(&python, dir);
    let cases = cases(dir);
    let mut queries = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let sql = dir.join(format!("q{i}.sql"));
        write_query(engine, case, dir, &sql);
        queries.push(serde_json::json!({"sql": sql, "out": dir.join(format!("q{i}.jsonl"))}));
    }
    let tables: Vec<Value> = [&NATIVE, &RESOURCE_GRAPH]
        .iter()
        .map(|s| {
            serde_json::json!({
                "name": s.table.unwrap_or("assessments"),
                "source": s.name,
                "path": dir.join(s.rows),
            })
        })
        .collect();
    let manifest = dir.join("manifest.json");
    std::fs::write(
        &manifest,
        serde_json::json!({"tables": tables, "queries": queries}).to_string(),
    )
    .unwrap();
    let started = std::time::Instant::now();
    // Run in the scratch folder: whatever an engine leaves behind goes with it.
    let harness = Command::new(&python)
        .current_dir(dir)
        .arg(script("harness.py"))
        .args(["--engine", engine])
        .arg(&manifest)
        .output()
        .unwrap();
    eprintln!(
        "note: {engine} ran {} queries in {:.1} s",
        cases.len(),
        started.elapsed().as_secs_f64()
    );
    // The harness's own lines: an engine's log (Spark's) is long and says the same.
    let harness_errors: String = String::from_utf8_lossy(&harness.stderr)
        .lines()
        .filter(|l| l.starts_with("harness:"))
        .map(|l| format!("{l}\n"))
        .collect();

    let mut failures = Vec::new();
    for (i, case) in cases.iter().enumerate() {
        let counts = dir.join(format!("q{i}.jsonl"));
        if !counts.is_file() {
            failures.push(format!("{}: the engine did not run q{i}.sql", case.label()));
            continue;
        }
        let rows = counts_rows(&counts);
        assert!(!rows.is_empty(), "{}: no counts rows", case.label());
        let grouped = case.options.iter().any(|o| o == "--group-by");
        assert!(
            rows.iter().all(|r| r.get("group").is_some() == grouped),
            "{}: `group` on every row exactly when grouped",
            case.label()
        );
        for extra in weightings(case) {
            let expected = comparable(case, assess(case, dir, &dir.join(case.source.assessments), extra));
            let actual = comparable(case, assess(case, dir, &counts, extra));
            if let Some(difference) = first_difference(&expected, &actual, "") {
                failures.push(format!(
                    "{} {} (q{i}): {difference}",
                    case.label(),
                    extra.join(" ")
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{engine}: {} of {} cases differ:\n{}\n{harness_errors}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    assert!(
        harness.status.success(),
        "the harness failed:\n{harness_errors}{}",
        String::from_utf8_lossy(&harness.stderr)
    );

    // The comparison sees a change: one more healthy resource in the first control row
    // of the first classic case changes the report.
    let counts = dir.join("q0.jsonl");
    let mut rows = counts_rows(&counts);
    let row = rows
        .iter_mut()
        .find(|r| r["control"].is_string())
        .expect("a control row");
    row["healthy"] = (row["healthy"].as_u64().unwrap() + 1).into();
    let altered = dir.join("altered.jsonl");
    let lines: Vec<String> = rows.iter().map(Value::to_string).collect();
    std::fs::write(&altered, lines.join("\n") + "\n").unwrap();
    let case = &cases[0];
    assert_eq!(case.model, "classic");
    let expected = comparable(case, assess(case, dir, &dir.join(case.source.assessments), &[]));
    let altered = comparable(case, assess(case, dir, &altered, &[]));
    assert!(first_difference(&expected, &altered, "").is_some());
}

#[test]
fn duckdb_counts_score_as_the_assessments() {
    engine_scores_as_assess("duckdb");
}

#[test]
fn spark_counts_score_as_the_assessments() {
    engine_scores_as_assess("spark");
}
