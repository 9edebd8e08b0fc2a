//! Exact output snapshots: every command, in every format it has, on every example and
//! fixture. They pin behaviour byte for byte (exit code, standard output, standard
//! error), so that a restructuring that changes any output fails here.
//!
//! The snapshots live in `tests/snapshots/`, one file per inventory (and one each for
//! `controls`, `diff`, `trend`, the scoring options, `assess_models`: `assess` under
//! `--model v1` and `pass-rate`, and `io`: history in the HTML page,
//! `--record`, `-o`, `--color always`, `NO_COLOR` and standard input; and `cli`: each
//! command's help, refused values, controls `explain` cannot find, `-o` for every
//! command). A run that writes
//! a file writes it to a fresh temporary path, shown as `<TMP>`, and its snapshot ends
//! with that file's bytes; the time `--record` stamps on a run shows as `<RECORDED_AT>`
//! (as written in the history, and as the HTML chart writes it).
//! They were taken from the build before the change they guard; what they hold is
//! checked for correctness by the other test files (hand-computed figures), not here.
//!
//! After an intended change of output, review the difference and rewrite them with
//! `UPDATE_SNAPSHOTS=1 cargo test --test snapshots`; `SECURESCORE_BIN=PATH` runs
//! another build of the binary, for both (to take them from the build before a change).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Exemptions are judged on this date, so that the snapshots do not age.
const AS_OF: &str = "2026-11-22";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Stands, in a run's arguments and in what it shows, for a fresh temporary file.
const TMP: &str = "<TMP>";

/// One run of the binary: its arguments, a file fed on standard input, and variables
/// set in its environment (`NO_COLOR` is removed unless set here).
#[derive(Default)]
struct Run {
    args: Vec<String>,
    stdin: Option<&'static str>,
    env: &'static [(&'static str, &'static str)],
}

impl From<Vec<String>> for Run {
    fn from(args: Vec<String>) -> Self {
        Run {
            args,
            ..Run::default()
        }
    }
}

/// A fresh path under the temporary directory, in a directory of its own that is
/// removed (with whatever is left in it) when this is dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("securescore-snapshot-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        TempFile(dir.join("file"))
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(self.0.parent().unwrap());
    }
}

/// `text` with every `from` replaced by `to`.
fn replace(text: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    if from.is_empty() {
        return text.to_vec();
    }
    let mut out = Vec::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with(from) {
            out.extend_from_slice(to);
            rest = &rest[from.len()..];
        } else {
            out.push(rest[0]);
            rest = &rest[1..];
        }
    }
    out
}

/// One run of the binary, as the snapshot shows it: the command, exit code, standard
/// output and error, then the temporary file's bytes when it has one. The temporary
/// path and the `recorded_at` of every snapshot in that file are replaced by
/// placeholders, and the commit `--version` names is left out, so that nothing shown
/// depends on where, when or from which commit it ran.
fn run(r: &Run) -> Vec<u8> {
    let tmp = r.args.iter().any(|a| a == TMP).then(TempFile::new);
    let tmp_path = tmp.as_ref().map(|t| t.0.to_str().unwrap().to_string());
    let args = r.args.iter().map(|a| match &tmp_path {
        Some(path) if a == TMP => path.clone(),
        _ => a.clone(),
    });
    let mut cmd = common::securescore(args);
    cmd.env_remove("NO_COLOR").envs(r.env.iter().copied());
    match r.stdin {
        Some(file) => cmd.stdin(std::fs::File::open(root().join(file)).unwrap()),
        None => cmd.stdin(Stdio::null()),
    };
    let out = cmd.output().unwrap();

    let env: String = r.env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    let stdin = r.stdin.map_or(String::new(), |f| format!(" < {f}"));
    let mut shown = format!(
        "==> {env}securescore {}{stdin}\nexit: {}\n--- stdout\n",
        r.args.join(" "),
        out.status.code().map_or("signal".to_string(), |c| c.to_string()),
    )
    .into_bytes();
    shown.extend(&out.stdout);
    shown.extend(b"--- stderr\n");
    shown.extend(&out.stderr);
    let mut shown = without_commit(&shown);
    let Some(path) = tmp_path else {
        return shown;
    };
    let written = std::fs::read(&path);
    shown.extend(format!("--- {TMP}{}\n", if written.is_ok() { "" } else { " (absent)" }).as_bytes());
    let written = written.unwrap_or_default();
    shown.extend(&written);
    let recorded_at = written
        .split(|&b| b == b'\n')
        .filter_map(|line| serde_json::from_slice::<serde_json::Value>(line).ok())
        .filter_map(|snapshot| snapshot["recorded_at"].as_str().map(str::to_string));
    let mut shown = replace(&shown, path.as_bytes(), TMP.as_bytes());
    for at in recorded_at {
        shown = replace(&shown, at.as_bytes(), b"<RECORDED_AT>");
        if let Some(readable) = chart_time(&at) {
            shown = replace(&shown, readable.as_bytes(), b"<RECORDED_AT>");
        }
    }
    shown
}

/// `text` with the version the binary shows (`--version`: the commit it was built
/// from, which every commit changes; see build.rs) replaced by the package's version alone.
fn without_commit(text: &[u8]) -> Vec<u8> {
    replace(
        text,
        env!("SECURESCORE_VERSION").as_bytes(),
        env!("CARGO_PKG_VERSION").as_bytes(),
    )
}

/// How the HTML chart writes a time `--record` stamped (`2026-12-01T14:07:13Z` →
/// `1 Dec 2026 14:07 UTC`), so that it too can be shown as a placeholder.
fn chart_time(at: &str) -> Option<String> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month: usize = at.get(5..7)?.parse().ok()?;
    let day: u32 = at.get(8..10)?.parse().ok()?;
    Some(format!(
        "{day} {} {} {} UTC",
        MONTHS.get(month.checked_sub(1)?)?,
        at.get(..4)?,
        at.get(11..16)?
    ))
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
/// each folder of Azure example exports or Azure fixtures as one inventory.
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
    for parent in ["examples/azure", "fixtures/azure"] {
        let mut folders: Vec<PathBuf> = std::fs::read_dir(root().join(parent))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_dir())
            .collect();
        folders.sort();
        for folder in folders {
            let dir = format!("{parent}/{}", folder.file_name().unwrap().to_string_lossy());
            out.push((dir.clone(), files_in(&dir, &["json"])));
        }
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

/// The runs of one inventory (`path`: its file or folder): assess (table, json, html,
/// markdown, csv, junit, sarif), explain, plan (table, json, markdown), validate, and a
/// diff against the demo estate (table, json, markdown).
fn inventory_runs(path: &str, files: &[String]) -> Vec<Vec<String>> {
    let with_files = |mut args: Vec<String>| {
        args.extend(files.iter().cloned());
        args
    };
    let mut runs = Vec::new();
    for format in ["table", "json", "html", "markdown", "csv", "junit", "sarif"] {
        runs.push(with_files(strings(&["assess", "--as-of", AS_OF, "-f", format])));
    }
    let control = control_to_explain(files);
    for format in ["table", "json", "markdown"] {
        let mut args = strings(&["explain"]);
        args.push(control.clone());
        args.extend(strings(&["--as-of", AS_OF, "-f", format]));
        runs.push(with_files(args));
    }
    for format in ["table", "json", "markdown"] {
        runs.push(with_files(strings(&[
            "plan", "--steps", "3", "--as-of", AS_OF, "-f", format,
        ])));
    }
    for format in ["table", "json"] {
        runs.push(with_files(strings(&["validate", "-f", format])));
    }
    for format in ["table", "json", "markdown"] {
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
    let variants: [&[&str]; 16] = [
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
        &[
            "--fail-under",
            "60",
            "--max-drop",
            "1",
            "--history",
            "fixtures/gates/history.jsonl",
        ],
        &["--config", "examples/securescore.toml"],
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
    // The gate's verdict in the page's and the markdown's headline and as a JUnit
    // testcase, failed and passed.
    for threshold in ["90", "10"] {
        for format in ["html", "markdown", "junit"] {
            runs.push(strings(&[
                "assess",
                demo,
                "-f",
                format,
                "--as-of",
                AS_OF,
                "--fail-under",
                threshold,
            ]));
        }
    }
    // Several gate rules, one passed and one failed, listed in the page's and the
    // markdown's headline.
    for format in ["html", "markdown"] {
        runs.push(strings(&[
            "assess",
            demo,
            "-f",
            format,
            "--as-of",
            AS_OF,
            "--fail-under",
            "60",
            "--max-drop",
            "1",
            "--baseline",
            "fixtures/gates/baseline.json",
        ]));
    }
    // The markdown's ranked table cut by --top (the details keep every control), and
    // its groups.
    for extra in [
        &["--top", "3"][..],
        &["--top", "0"],
        &["--group-by", "subscription"],
    ] {
        let mut args = strings(&["assess", demo, "-f", "markdown", "--as-of", AS_OF]);
        args.extend(strings(extra));
        runs.push(args);
    }
    runs.push(strings(&[
        "explain",
        "Enable MFA",
        demo,
        "--weighting",
        "equal",
        "--as-of",
        AS_OF,
        "-f",
        "markdown",
    ]));
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
    let more: [&[&str]; 7] = [
        &["assess", demo, "--include-preview", "--ignore-exemptions"],
        &["assess", demo, "--management-group", "contoso-prod-mg"],
        &["assess", demo, "--group-by", "management-group"],
        &["assess", demo, "--management-group", "no-such-group"],
        &["plan", demo, "--steps", "3", "--weighting", "equal"],
        &["plan", demo, "--steps", "3", "--weighting", "pooled"],
        &["explain", "Enable MFA", demo, "--weighting", "equal"],
    ];
    for args in more {
        for format in ["table", "json"] {
            let mut args = strings(args);
            args.extend(strings(&["--as-of", AS_OF, "-f", format]));
            runs.push(args);
        }
    }
    runs
}

/// `assess` under the models whose rows are recommendations (`v1`, `pass-rate`): every
/// format on the hand-computed models fixture, and the table and markdown on the demo
/// estate (two scopes, the catalog's recommendations) and on hostile names.
fn assess_model_runs() -> Vec<Vec<String>> {
    let mut runs = Vec::new();
    for model in ["v1", "pass-rate"] {
        for format in ["table", "json", "html", "markdown", "csv", "junit", "sarif"] {
            runs.push(strings(&[
                "assess",
                "fixtures/models/v1-vs-classic.json",
                "--as-of",
                AS_OF,
                "--model",
                model,
                "-f",
                format,
            ]));
        }
        for inventory in ["examples/contoso.json", "fixtures/markup-names.json"] {
            for format in ["table", "markdown"] {
                runs.push(strings(&[
                    "assess", inventory, "--as-of", AS_OF, "--model", model, "-f", format,
                ]));
            }
        }
    }
    runs
}

/// Pairs of inventories to compare.
fn diff_runs() -> Vec<Vec<String>> {
    let pairs: [(&str, &str, &[&str]); 10] = [
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
        (
            "fixtures/triage/exempt-before.json",
            "fixtures/triage/exempt-after.json",
            &["--before-as-of", "2026-11-01"],
        ),
        (
            "fixtures/triage/diff-before.json",
            "fixtures/triage/diff-after.json",
            &["-q", "--max-drop", "0"],
        ),
        (
            "fixtures/models/v1-vs-classic.json",
            "fixtures/models/v1-vs-classic-after.json",
            &["--model", "v1"],
        ),
        (
            "fixtures/models/v1-vs-classic.json",
            "fixtures/models/v1-vs-classic-after.json",
            &["--model", "pass-rate"],
        ),
    ];
    let mut runs = Vec::new();
    for (before, after, extra) in pairs {
        for format in ["table", "json", "markdown", "junit"] {
            let mut args = strings(&["diff", before, after, "--as-of", AS_OF, "-f", format]);
            args.extend(strings(extra));
            runs.push(args);
        }
    }
    runs
}

/// Input and output beyond a report on standard output: the history in the HTML page
/// (one with a torn line too), recording a run, writing to a file, colour (and
/// `NO_COLOR`), and standard input.
fn io_runs() -> Vec<Run> {
    let demo = "examples/contoso.json";
    let history = "fixtures/history/runs.jsonl";
    let mut runs: Vec<Run> = Vec::new();
    let files: [&[&str]; 6] = [
        &["--history", history],
        &["--history", "fixtures/history/torn.jsonl"],
        &["--record", TMP],
        &["--record", TMP, "--label", "weekly"],
        &["--record", TMP, "--history", TMP],
        &["-o", TMP],
    ];
    for extra in files {
        for format in ["table", "json", "html"] {
            let mut args = strings(&["assess", demo, "--as-of", AS_OF, "-f", format]);
            args.extend(strings(extra));
            runs.push(args.into());
        }
    }
    let coloured: [&[&str]; 6] = [
        &["assess", demo, "--as-of", AS_OF],
        &["explain", "Enable MFA", demo, "--as-of", AS_OF],
        &["plan", demo, "--steps", "2", "--as-of", AS_OF],
        &[
            "diff",
            "fixtures/triage/diff-before.json",
            "fixtures/triage/diff-after.json",
            "--as-of",
            AS_OF,
        ],
        &["trend", history],
        &["controls"],
    ];
    for args in coloured {
        let mut args = strings(args);
        args.extend(strings(&["--color", "always"]));
        runs.push(args.into());
    }
    runs.push(Run {
        args: strings(&["assess", demo, "--as-of", AS_OF, "--color", "always"]),
        env: &[("NO_COLOR", "1")],
        ..Run::default()
    });
    let fed: [(&[&str], &'static str); 4] = [
        (&["assess", "-", "--as-of", AS_OF], demo),
        (&["assess", "--as-of", AS_OF], demo),
        (
            &["diff", "-", demo, "--as-of", AS_OF],
            "fixtures/triage/plan.json",
        ),
        (&["validate", "-"], "fixtures/errors/malformed.json"),
    ];
    for (args, stdin) in fed {
        for format in ["table", "json"] {
            let mut args = strings(args);
            args.extend(strings(&["-f", format]));
            runs.push(Run {
                args,
                stdin: Some(stdin),
                ..Run::default()
            });
        }
    }
    runs
}

/// What clap and the commands say about the command line itself: each command's help,
/// values a command does not offer, controls `explain` cannot find, `-o` for every
/// command, and options that need another.
fn cli_runs() -> Vec<Run> {
    let demo = "examples/contoso.json";
    let history = "fixtures/history/runs.jsonl";
    let pair = [
        "fixtures/triage/diff-before.json",
        "fixtures/triage/diff-after.json",
    ];
    let mut runs: Vec<Run> = vec![strings(&["--help"]).into(), strings(&["--version"]).into()];
    for command in [
        "assess", "explain", "plan", "diff", "trend", "validate", "controls",
    ] {
        runs.push(strings(&[command, "--help"]).into());
    }
    let refused: [&[&str]; 10] = [
        &["assess", demo, "-f", "xml"],
        &["assess", demo, "--weighting", "bogus"],
        &["explain", "Enable MFA", demo, "-f", "html"],
        &["plan", demo, "--steps", "1", "-f", "html"],
        &["diff", pair[0], pair[1], "-f", "html"],
        &["validate", demo, "-f", "html"],
        &["controls", "-f", "html"],
        &["trend", history, "-f", "csv"],
        &["assess", demo, "--label", "weekly"],
        &["plan", demo],
    ];
    let unfound: [&[&str]; 2] = [
        &["explain", "No such control", demo, "--as-of", AS_OF],
        &["explain", "Enable", demo, "--as-of", AS_OF],
    ];
    let written: [&[&str]; 6] = [
        &["explain", "Enable MFA", demo, "--as-of", AS_OF, "-o", TMP],
        &["plan", demo, "--steps", "2", "--as-of", AS_OF, "-o", TMP],
        &["diff", pair[0], pair[1], "--as-of", AS_OF, "-o", TMP],
        &["validate", demo, "-o", TMP],
        &["controls", "-o", TMP],
        &["trend", history, "-o", TMP],
    ];
    for args in refused.iter().chain(&unfound).chain(&written) {
        runs.push(strings(args).into());
    }
    runs
}

/// `explain` and `plan` under the models whose rows are recommendations (SPEC §7), on
/// the hand-computed fixtures of `tests/models.rs` and `tests/models_triage.rs`: a
/// recommendation explained and a plan in every format they have, and the usage errors
/// (a control named under `v1`, nothing found).
fn model_triage_runs() -> Vec<Vec<String>> {
    let one = "fixtures/models/v1-vs-classic.json";
    let two = "fixtures/models/v1-two-scopes.json";
    let mut runs = Vec::new();
    for format in ["table", "json", "markdown"] {
        for (model, file, query) in [
            ("v1", one, "mfa"),
            ("pass-rate", one, "disk encryption"),
            ("v1", two, "remote"),
            ("pass-rate", two, "r"),
        ] {
            runs.push(strings(&[
                "explain", query, file, "--model", model, "--as-of", AS_OF, "-f", format,
            ]));
        }
        for model in ["v1", "pass-rate"] {
            runs.push(strings(&[
                "plan", one, "--steps", "5", "--model", model, "--as-of", AS_OF, "-f", format,
            ]));
        }
    }
    runs.push(strings(&[
        "plan", two, "--target", "90", "--model", "v1", "--as-of", AS_OF,
    ]));
    for query in ["mgmt-ports", "Encrypt data", "no such thing", "mfx"] {
        runs.push(strings(&[
            "explain", query, one, "--model", "v1", "--as-of", AS_OF,
        ]));
    }
    runs
}

/// Every snapshot file's name and the runs it holds.
fn suites() -> BTreeMap<String, Vec<Run>> {
    let runs = |args: Vec<Vec<String>>| args.into_iter().map(Run::from).collect::<Vec<_>>();
    let mut out = BTreeMap::new();
    for (name, files) in inventories() {
        out.insert(name.replace('/', "__"), runs(inventory_runs(&name, &files)));
    }
    out.insert("options".to_string(), runs(option_runs()));
    out.insert("assess_models".to_string(), runs(assess_model_runs()));
    out.insert("diff".to_string(), runs(diff_runs()));
    out.insert("io".to_string(), io_runs());
    out.insert("cli".to_string(), cli_runs());
    out.insert("models-triage".to_string(), runs(model_triage_runs()));
    let history = "fixtures/history/runs.jsonl";
    // Two CI jobs, --scope prod (with a gate) and --scope dev, recording into one history.
    let two = "fixtures/history/two-series.jsonl";
    let selections: [&[&str]; 5] = [
        &["trend", two, "--series", "2"],
        &[
            "trend",
            two,
            "--series",
            "model=classic,weighting=resources,scope=11111111-1111-1111-1111-111111111111",
            "-f",
            "html",
        ],
        &["trend", two, "--series", "3"],
        &[
            "trend",
            two,
            "--since",
            "2026-11-03",
            "--threshold",
            "60",
            "-f",
            "html",
        ],
        &[
            "assess",
            "fixtures/triage/diff-after.json",
            "--as-of",
            AS_OF,
            "--fail-under",
            "60",
            "-f",
            "html",
            "--history",
            two,
        ],
    ];
    out.insert(
        "trend".to_string(),
        runs(
            ["table", "json", "html", "markdown"]
                .iter()
                .flat_map(|f| {
                    [
                        strings(&["trend", history, "-f", f]),
                        strings(&["trend", two, "-f", f]),
                    ]
                })
                .chain([strings(&["trend", history, "--since", "2026-12-02"])])
                .chain(selections.iter().map(|args| strings(args)))
                .collect(),
        ),
    );
    out.insert("model-series".to_string(), model_series_runs());
    out.insert("query_sql".to_string(), runs(query_sql_runs()));
    out.insert(
        "controls".to_string(),
        runs(
            ["table", "json"]
                .iter()
                .map(|f| strings(&["controls", "-f", f]))
                .collect(),
        ),
    );
    out
}

/// `query` for the SQL engines: one query each, read line by line when taken. What the
/// DuckDB one returns on `fixtures/query/assessments.jsonl` is
/// `fixtures/query/expected-counts.jsonl`, worked by hand: in `…/resourcegroups/web`,
/// vm1 is unhealthy in system-updates (missing-updates) and healthy in encryption
/// (os-eol), vm2's waiver expires on the evaluation day, so it is still in force: not
/// applicable; weight 1 (vm1). In `…/data`, st1 is not applicable (the o'brien-tls
/// recommendation is preview): weight 0. vm3's exemption ends 2026-11-22T01:00Z, in force
/// on 2026-11-22: healthy in both controls, weight 1. The ARN is in the unnamed scope.
fn query_sql_runs() -> Vec<Vec<String>> {
    let defs = "fixtures/query/definitions.json";
    vec![
        strings(&[
            "query",
            "--engine",
            "duckdb",
            defs,
            "--no-config",
            "--as-of",
            AS_OF,
            "--group-by",
            "resource-group",
        ]),
        strings(&[
            "query",
            "--engine",
            "spark",
            "--source",
            "resource-graph",
            defs,
            "--no-config",
            "--model",
            "v1",
            "--management-group",
            "corp",
            "--scope",
            "/subscriptions/0b1f0000-0000-4000-8000-000000000001/resourceGroups/web",
            "--group-by",
            "type",
        ]),
    ]
}

/// A history of three models (`fixtures/history/models.jsonl`) in every trend format,
/// whole and with `--model v1`, and a run recorded under each model that has no controls.
fn model_series_runs() -> Vec<Run> {
    let history = "fixtures/history/models.jsonl";
    let mut runs: Vec<Run> = Vec::new();
    for format in ["table", "json", "markdown", "html"] {
        runs.push(strings(&["trend", history, "-f", format]).into());
        runs.push(strings(&["trend", history, "--model", "v1", "-f", format]).into());
    }
    for model in ["v1", "pass-rate"] {
        let args = [
            "assess",
            "fixtures/models/v1-vs-classic.json",
            "--as-of",
            AS_OF,
            "--model",
            model,
            "-q",
            "--record",
            TMP,
        ];
        runs.push(strings(&args).into());
    }
    runs
}

/// The first line where two outputs differ (compared as bytes, shown lossily), for the
/// failure message.
fn first_difference(expected: &[u8], actual: &[u8]) -> String {
    let (mut e, mut a) = (expected.split(|&b| b == b'\n'), actual.split(|&b| b == b'\n'));
    let lossy = |line: Option<&[u8]>| line.map(|l| String::from_utf8_lossy(l).into_owned());
    let mut n = 1;
    loop {
        let (x, y) = (e.next(), a.next());
        if x != y || x.is_none() {
            return format!("line {n}:\n  expected {:?}\n  actual   {:?}", lossy(x), lossy(y));
        }
        n += 1;
    }
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
        let actual: Vec<u8> = runs.iter().flat_map(run).collect();
        let path = dir.join(format!("{name}.snap"));
        if update {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &actual).unwrap();
            continue;
        }
        match std::fs::read(&path) {
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
