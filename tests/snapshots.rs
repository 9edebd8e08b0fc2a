//! Exact output snapshots: every command, in every format it has, on every example and
//! fixture. They pin behaviour byte for byte (exit code, standard output, standard
//! error), so that a restructuring that changes any output fails here.
//!
//! The snapshots live in `tests/snapshots/`, one file per inventory (and one each for
//! `controls`, `diff`, `trend` and the scoring options). They were taken from the build
//! before the change they guard; what they hold is checked for correctness by the other
//! test files (hand-computed figures), not here.
//!
//! After an intended change of output, review the difference and rewrite them with
//! `UPDATE_SNAPSHOTS=1 cargo test --test snapshots`; `SECURESCORE_BIN=PATH` runs
//! another build of the binary against them.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// Exemptions are judged on this date, so that the snapshots do not age.
const AS_OF: &str = "2026-11-22";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// One run of the binary, as the snapshot shows it.
fn run(args: &[String]) -> String {
    let out = common::securescore(args)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    format!(
        "==> securescore {}\nexit: {}\n--- stdout\n{}--- stderr\n{}",
        args.join(" "),
        out.status.code().map_or("signal".to_string(), |c| c.to_string()),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Files in `dir` (relative to the root) with one of `extensions`, sorted.
fn files_in(dir: &str, extensions: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .filter(|p| p.extension().is_some_and(|e| extensions.iter().any(|x| e == *x)))
        .map(|p| format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    out.sort();
    out
}

/// Every inventory, named by its path: each fixture file alone, the demo estate, and
/// each folder of Azure example exports as one inventory.
fn inventories() -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for dir in ["fixtures", "fixtures/azure", "fixtures/errors", "fixtures/triage"] {
        for f in files_in(dir, &["json", "jsonl"]) {
            out.push((f.clone(), vec![f]));
        }
    }
    out.push((
        "examples/contoso.json".to_string(),
        vec!["examples/contoso.json".to_string()],
    ));
    let mut folders: Vec<PathBuf> = std::fs::read_dir(root().join("examples/azure"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    for folder in folders {
        let dir = format!("examples/azure/{}", folder.file_name().unwrap().to_string_lossy());
        out.push((dir.clone(), files_in(&dir, &["json"])));
    }
    out
}

/// The id of the control `assess` ranks first, to explain (the first control when none
/// applies; a name no inventory has when the inventory does not load).
fn control_to_explain(files: &[String]) -> String {
    let mut args = strings(&["assess", "--as-of", AS_OF, "-f", "json"]);
    args.extend(files.iter().cloned());
    let out = common::securescore(&args).stdin(Stdio::null()).output().unwrap();
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(r) => r,
        Err(_) => return "Enable MFA".to_string(),
    };
    report["controls"]
        .as_array()
        .and_then(|c| c.first())
        .and_then(|c| c["id"].as_str())
        .unwrap_or("Enable MFA")
        .to_string()
}

/// The runs of one inventory (`path`: its file or folder): assess (table, json, html),
/// explain, plan, validate, and a diff against the demo estate (table, json).
fn inventory_runs(path: &str, files: &[String]) -> Vec<Vec<String>> {
    let with_files = |mut args: Vec<String>| {
        args.extend(files.iter().cloned());
        args
    };
    let mut runs = Vec::new();
    for format in ["table", "json", "html"] {
        runs.push(with_files(strings(&["assess", "--as-of", AS_OF, "-f", format])));
    }
    let control = control_to_explain(files);
    for format in ["table", "json"] {
        let mut args = strings(&["explain"]);
        args.push(control.clone());
        args.extend(strings(&["--as-of", AS_OF, "-f", format]));
        runs.push(with_files(args));
    }
    for format in ["table", "json"] {
        runs.push(with_files(strings(&[
            "plan", "--steps", "3", "--as-of", AS_OF, "-f", format,
        ])));
    }
    for format in ["table", "json"] {
        runs.push(with_files(strings(&["validate", "-f", format])));
    }
    for format in ["table", "json"] {
        runs.push(strings(&[
            "diff",
            path,
            "examples/contoso.json",
            "--as-of",
            AS_OF,
            "-f",
            format,
        ]));
    }
    runs
}

/// The scoring and output options, on the demo estate.
fn option_runs() -> Vec<Vec<String>> {
    let demo = "examples/contoso.json";
    let variants: [&[&str]; 14] = [
        &["--weighting", "equal"],
        &["--weighting", "pooled"],
        &["--include-preview"],
        &["--ignore-exemptions"],
        &["--as-of", "2027-01-15"],
        &["--top", "3"],
        &["--fail-under", "90"],
        &["--fail-under", "10"],
        &["--group-by", "subscription"],
        &["--group-by", "resource-group"],
        &["--group-by", "type"],
        &["--group-by", "tag:environment"],
        &["--scope", "3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384"],
        &["-q", "--fail-under", "90"],
    ];
    let mut runs = Vec::new();
    for v in variants {
        for format in ["table", "json"] {
            let mut args = strings(&["assess", demo, "-f", format]);
            if !v.contains(&"--as-of") {
                args.extend(strings(&["--as-of", AS_OF]));
            }
            args.extend(strings(v));
            runs.push(args);
        }
    }
    for format in ["table", "json"] {
        runs.push(strings(&[
            "plan", demo, "--target", "80", "--as-of", AS_OF, "-f", format,
        ]));
        runs.push(strings(&[
            "explain",
            "Enable MFA",
            demo,
            "--weighting",
            "pooled",
            "--as-of",
            AS_OF,
            "-f",
            format,
        ]));
    }
    runs
}

/// Pairs of inventories to compare.
fn diff_runs() -> Vec<Vec<String>> {
    let pairs: [(&str, &str, &[&str]); 6] = [
        (
            "fixtures/triage/diff-before.json",
            "fixtures/triage/diff-after.json",
            &[],
        ),
        (
            "fixtures/triage/diff-before.json",
            "fixtures/triage/diff-after.json",
            &["--max-drop", "1"],
        ),
        (
            "fixtures/triage/exempt-before.json",
            "fixtures/triage/exempt-after.json",
            &[],
        ),
        (
            "fixtures/triage/added-exempt-before.json",
            "fixtures/triage/added-exempt-after.json",
            &[],
        ),
        (
            "fixtures/triage/mg-before.json",
            "fixtures/triage/mg-after.json",
            &[],
        ),
        ("fixtures/triage/plan.json", "examples/contoso.json", &[]),
    ];
    let mut runs = Vec::new();
    for (before, after, extra) in pairs {
        for format in ["table", "json"] {
            let mut args = strings(&["diff", before, after, "--as-of", AS_OF, "-f", format]);
            args.extend(strings(extra));
            runs.push(args);
        }
    }
    runs
}

/// Every snapshot file's name and the runs it holds.
fn suites() -> BTreeMap<String, Vec<Vec<String>>> {
    let mut out = BTreeMap::new();
    for (name, files) in inventories() {
        out.insert(name.replace('/', "__"), inventory_runs(&name, &files));
    }
    out.insert("options".to_string(), option_runs());
    out.insert("diff".to_string(), diff_runs());
    let history = "fixtures/history/runs.jsonl";
    out.insert(
        "trend".to_string(),
        ["table", "json", "html"]
            .iter()
            .map(|f| strings(&["trend", history, "-f", f]))
            .chain([strings(&["trend", history, "--since", "2026-12-02"])])
            .collect(),
    );
    out.insert(
        "controls".to_string(),
        ["table", "json"]
            .iter()
            .map(|f| strings(&["controls", "-f", f]))
            .collect(),
    );
    out
}

/// The first line where two texts differ, for the failure message.
fn first_difference(expected: &str, actual: &str) -> String {
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for n in 1.. {
        match (e.next(), a.next()) {
            (None, None) => break,
            (x, y) if x == y => continue,
            (x, y) => return format!("line {n}:\n  expected {x:?}\n  actual   {y:?}"),
        }
    }
    "(same lines, different line endings)".to_string()
}

#[test]
fn every_output_matches_its_snapshot() {
    let dir = root().join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let suites = suites();
    assert!(
        suites.len() > 40,
        "expected every fixture, found {}",
        suites.len()
    );
    let mut failures = Vec::new();
    for (name, runs) in &suites {
        let actual: String = runs.iter().map(|args| run(args)).collect();
        let path = dir.join(format!("{name}.snap"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == actual => {}
            Ok(expected) => failures.push(format!("{name}: {}", first_difference(&expected, &actual))),
            Err(_) => failures.push(format!("{name}: no snapshot {}", path.display())),
        }
    }
    // A snapshot no suite writes any more is stale.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().to_string();
        if !suites.contains_key(&stem) {
            if update {
                std::fs::remove_file(&path).unwrap();
            } else {
                failures.push(format!("{}: no suite writes it", path.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} snapshot(s) differ (review, then UPDATE_SNAPSHOTS=1 cargo test --test snapshots):\n{}",
        failures.len(),
        failures.join("\n")
    );
}
