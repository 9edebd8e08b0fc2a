//! The KQL queries of `securescore query` (SPEC §10), checked by Microsoft's Kusto language
//! service: every query written for a matrix of options (each model, preview, exemptions,
//! scope filters, management groups, each `--group-by` key, definitions with hostile ids)
//! is parsed and analysed against the declared schemas of Resource Graph's
//! `securityresources` and Log Analytics' `SecurityRecommendation`
//! (`tests/kusto/schema.json`, each table's source cited there), so that a syntax error, an
//! unknown column or function, or a type error fails the test; Resource Graph's queries
//! must also keep to the KQL subset Resource Graph documents (no `let`, no `datatable`,
//! its operators and join kinds). One hand-checked golden query per engine pins the bytes.
//!
//! The language service is the npm package `@kusto/language-service-next` 12.4.1, run by
//! `tests/kusto/validate.js` under Node.js. `.ci/run` installs it with
//!
//! ```text
//! npm install --prefix target/ci-tools --no-audit --no-fund --loglevel=error @kusto/language-service-next@12.4.1
//! ```
//!
//! and sets `SECURESCORE_CI`, under which a missing package fails the test; under a plain
//! `cargo test` without it the validation prints a note and checks nothing more.
//! `KUSTO_LANGUAGE_SERVICE` names another copy (the package's folder).

mod common;

use common::{run, Scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

const SCHEMA: &str = "tests/kusto/schema.json";
const VALIDATOR: &str = "tests/kusto/validate.js";
const DEFINITIONS: &str = "tests/kusto/definitions.json";

/// The two KQL engines, and whether their queries must keep to Resource Graph's subset.
const ENGINES: [(&str, bool); 2] = [("resource-graph", true), ("log-analytics", false)];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The language service's package folder, or `None` (with a note) when it is missing
/// outside CI; a failure under CI.
fn language_service() -> Option<PathBuf> {
    let installed = root().join("target/ci-tools/node_modules/@kusto/language-service-next");
    let path = std::env::var_os("KUSTO_LANGUAGE_SERVICE")
        .map(PathBuf::from)
        .unwrap_or(installed);
    let node = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if node && path.join("Kusto.Language.Bridge.min.js").is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("SECURESCORE_CI").is_none(),
        "the Kusto language service is not at {} or node is missing (.ci/run installs them)",
        path.display()
    );
    eprintln!(
        "note: KQL validation skipped: the Kusto language service is not at {} or node is missing \
         (run .ci/run, or set KUSTO_LANGUAGE_SERVICE)",
        path.display()
    );
    None
}

/// The validator's command for `files`.
fn validator(package: &Path, resource_graph: bool, files: &[PathBuf]) -> Command {
    let mut cmd = Command::new("node");
    cmd.arg(root().join(VALIDATOR))
        .arg(package)
        .arg(root().join(SCHEMA));
    if resource_graph {
        cmd.arg("--resource-graph");
    }
    cmd.args(files);
    cmd
}

/// The exit code and output of a finished validator.
fn outcome(out: std::process::Output) -> (i32, String) {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// Runs the validator on `files`: its exit code and output.
fn validate(package: &Path, resource_graph: bool, files: &[PathBuf]) -> (i32, String) {
    outcome(
        validator(package, resource_graph, files)
            .output()
            .expect("node runs"),
    )
}

/// Definitions whose ids hold what could end a KQL string, a line or a comment, and
/// characters outside ASCII; one of their recommendations is preview.
fn hostile_definitions(dir: &Path) -> PathBuf {
    let ids = [
        "ctl \"quoted\" \\ back",
        "rec\nnew // line",
        "rec | where true",
        "rec'single",
        "rec\u{7}bell",
        "rec\u{2028}separator",
        "rec é 漢",
    ];
    let doc = serde_json::json!({
        "controls": [
            {"id": ids[0], "max_score": 1e9, "recommendations": &ids[1..]},
            {"id": "c\n// x", "max_score": 0.1, "recommendations": [ids[1]]}
        ],
        "recommendations": [{"id": ids[2], "preview": true}]
    });
    let path = dir.join("hostile.json");
    std::fs::write(&path, doc.to_string()).unwrap();
    path
}

/// The option sets the matrix crosses with each engine, model and `--group-by`: each
/// filter kind, preview, exemptions, definitions from inputs (else the built-in catalog).
fn option_sets(hostile: &str) -> Vec<Vec<String>> {
    let sets: [&[&str]; 9] = [
        &[],
        &["--include-preview"],
        &["--ignore-exemptions"],
        &[DEFINITIONS, "--scope", "11111111-1111-1111-1111-111111111111"],
        &[
            DEFINITIONS,
            "--scope",
            "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/Web",
            "--scope",
            "arn:aws:ec2:us-east-1:123456789012:instance",
        ],
        &[DEFINITIONS, "--management-group", "mg-a"],
        &[
            DEFINITIONS,
            "--management-group",
            "MG-B",
            "--scope",
            "alpha",
            "--include-preview",
        ],
        &[DEFINITIONS, "--ignore-exemptions", "--include-preview"],
        &[
            hostile,
            "--scope",
            "/subscriptions/22222222-2222-2222-2222-222222222222/",
        ],
    ];
    sets.iter()
        .map(|s| s.iter().map(|a| a.to_string()).collect())
        .collect()
}

/// Every query of the matrix, written into `dir`: (engine, the arguments, its file). Each
/// model with each grouping, and each option set with each model (the grouping taking
/// its turn), for both engines.
fn matrix(dir: &Path) -> Vec<(&'static str, String, PathBuf)> {
    let hostile = hostile_definitions(dir);
    let sets = option_sets(hostile.to_str().unwrap());
    let models = ["classic", "v1", "pass-rate"];
    let groupings = [None, Some("subscription"), Some("resource-group"), Some("type")];
    // The built-in catalog's literal tables take the language service a second each: the
    // option sets give them, the crossing of models and groupings uses small definitions.
    let small = [DEFINITIONS.to_string()];
    let mut combinations: Vec<(&str, Option<&str>, &[String])> = Vec::new();
    for model in models {
        for group_by in groupings {
            combinations.push((model, group_by, &small));
        }
    }
    for (i, options) in sets.iter().enumerate() {
        for (j, model) in models.into_iter().enumerate() {
            combinations.push((model, groupings[(i + j) % groupings.len()], options));
        }
    }
    let mut queries = Vec::new();
    for (engine, _) in ENGINES {
        for &(model, group_by, options) in &combinations {
            let mut args = vec![
                "query".to_string(),
                "--no-config".to_string(),
                "--engine".to_string(),
                engine.to_string(),
                "--model".to_string(),
                model.to_string(),
            ];
            if let Some(key) = group_by {
                args.extend(["--group-by".to_string(), key.to_string()]);
            }
            args.extend(options.iter().cloned());
            let refs: Vec<&str> = args.iter().map(String::as_str).collect();
            let out = run(&refs);
            let shown = args.join(" ");
            assert_eq!(
                out.status.code(),
                Some(0),
                "{shown}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            assert!(out.stdout.ends_with(b"\n"), "{shown}: no final newline");
            let file = dir.join(format!("q{}.kql", queries.len()));
            std::fs::write(&file, &out.stdout).unwrap();
            queries.push((engine, shown, file));
        }
    }
    queries
}

/// Every query of the matrix is clean under the Kusto language service (no error, and no
/// warning either), and Resource Graph's keep to its KQL subset.
#[test]
fn every_kql_query_is_clean_under_the_kusto_language_service() {
    let scratch = Scratch::new("kusto-matrix");
    let queries = matrix(&scratch.0);
    // 2 engines × (3 models × 4 groupings + 9 option sets × 3 models).
    assert_eq!(queries.len(), 78);
    let Some(package) = language_service() else {
        return;
    };
    // One validator per engine, both at once: the language service takes a while to
    // analyse the catalog's literal tables.
    let running: Vec<(&str, std::process::Child)> = ENGINES
        .iter()
        .map(|&(engine, resource_graph)| {
            let files: Vec<PathBuf> = queries
                .iter()
                .filter(|(e, _, _)| *e == engine)
                .map(|(_, _, f)| f.clone())
                .collect();
            let child = validator(&package, resource_graph, &files)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("node runs");
            (engine, child)
        })
        .collect();
    for (engine, child) in running {
        let (code, output) = outcome(child.wait_with_output().expect("node runs"));
        let named: Vec<String> = output
            .lines()
            .map(|line| {
                let file = line.split(':').next().unwrap_or("");
                let args = queries
                    .iter()
                    .find(|(_, _, f)| f.to_str() == Some(file))
                    .map_or("", |(_, a, _)| a.as_str());
                format!("{line}\n    (securescore {args})")
            })
            .collect();
        assert_eq!(code, 0, "{engine}:\n{}", named.join("\n"));
        assert!(output.is_empty(), "{engine}: diagnostics:\n{}", named.join("\n"));
    }
}

/// The validator fails a query that names a column the table lacks, one with a syntax
/// error and one that uses what Resource Graph does not run; each error names its line.
#[test]
fn the_validator_fails_on_a_wrong_column_a_syntax_error_and_outside_resource_graph() {
    let Some(package) = language_service() else {
        return;
    };
    let scratch = Scratch::new("kusto-failing");
    let query = |engine: &str| {
        let out = run(&["query", "--no-config", "--engine", engine, DEFINITIONS]);
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let graph = query("resource-graph");
    let logs = query("log-analytics");
    let write = |name: &str, text: String| {
        let path = scratch.0.join(name);
        std::fs::write(&path, text).unwrap();
        path
    };
    let cases = [
        // securityresources has `properties`, not `property`.
        (
            true,
            write(
                "column.kql",
                graph.replacen("properties.status.code", "property.status.code", 1),
            ),
            "'property' does not refer to any known column",
        ),
        // SecurityRecommendation has RecommendationState, not Status.
        (
            false,
            write(
                "la-column.kql",
                logs.replacen("code = RecommendationState", "code = Status", 1),
            ),
            "'Status' does not refer to any known column",
        ),
        // A pipe with no operator.
        (
            true,
            write("syntax.kql", graph.replacen("| where type", "| | where type", 1)),
            "Error",
        ),
        // Log Analytics' query uses let and datatable, which Resource Graph does not run.
        (
            true,
            write("let.kql", logs.clone()),
            "Resource Graph runs no LetStatement",
        ),
        (
            true,
            write("datatable.kql", logs.clone()),
            "Resource Graph has no datatable",
        ),
    ];
    for (resource_graph, file, expected) in cases {
        let (code, output) = validate(&package, resource_graph, std::slice::from_ref(&file));
        assert_eq!(code, 1, "{}: {output}", file.display());
        assert!(output.contains(expected), "{}: {output}", file.display());
        assert!(
            output.contains(&format!("{}:", file.display())),
            "{}: the error names no place: {output}",
            file.display()
        );
    }
    // The unchanged queries pass, so the failures above are the edits'.
    let clean = [
        (true, write("graph.kql", graph)),
        (false, write("logs.kql", logs)),
    ];
    for (resource_graph, file) in clean {
        assert_eq!(validate(&package, resource_graph, &[file]).0, 0);
    }
}

/// The golden query of each engine (read and checked by hand: see the comments in
/// `tests/kusto/golden/`): classic, grouped by resource group, over the definitions of
/// `tests/kusto/definitions.json` (two controls sharing a recommendation, one preview
/// recommendation), a subscription and a resource group of another selected. The bytes are pinned;
/// a change must be checked by hand again (`UPDATE_GOLDEN=1` rewrites them).
#[test]
fn each_engine_writes_its_golden_query() {
    for (engine, _) in ENGINES {
        let out = run(&[
            "query",
            "--no-config",
            "--engine",
            engine,
            DEFINITIONS,
            "--scope",
            "11111111-1111-1111-1111-111111111111",
            "--scope",
            "/subscriptions/22222222-2222-2222-2222-222222222222/resourceGroups/Web/",
            "--group-by",
            "resource-group",
        ]);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let golden = root().join(format!("tests/kusto/golden/{engine}.kql"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, &out.stdout).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            expected,
            "{engine}: the query differs from {}",
            golden.display()
        );
    }
}
