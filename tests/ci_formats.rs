//! The CI formats (SPEC §8): JUnit XML parsed as XML, with the suites, testcases and
//! failures the inventory calls for; SARIF read back field by field and checked by a real
//! validator, Microsoft's SARIF Multitool (`validate`); both on an inventory whose names
//! hold markup, mentions, formulas, backticks and control characters
//! (`fixtures/ci-hostile-names.json`), which must come back as plain text.
//!
//! The Multitool comes from the npm registry (`@microsoft/sarif-multitool`), and so does
//! the SARIF 2.1.0 JSON Schema, which its package ships and which the `jsonschema`
//! validator from PyPI checks the same logs against. `.ci/run` installs both into
//! `target/ci-tools/` when missing and sets `SECURESCORE_CI`, under which a missing tool
//! fails its test; under a plain `cargo test` without them the validation prints a note
//! and checks nothing more. `SARIF_MULTITOOL`, `SARIF_SCHEMA` and `JSONSCHEMA_PYTHON`
//! name other copies.

mod common;

use common::{assert_close, run, stdout_of, triage_diff, Scratch};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Exemptions are judged on this date (the fixture's waiver runs to 2027-01-31).
const AS_OF: &str = "2026-11-22";

const HOSTILE: &str = "fixtures/ci-hostile-names.json";

/// The fixture's Azure ids, without the resource's name.
const VMS: &str =
    "/subscriptions/aaaaaaaa-0000-4000-8000-000000000001/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/";

/// A testsuite's testcases: (name, failure message) in document order.
fn cases(doc: &roxmltree::Document, suite: &str) -> Vec<(String, Option<String>)> {
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(suite))
        .unwrap_or_else(|| panic!("no testsuite {suite}"));
    suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|case| {
            let failure = case.children().find(|n| n.has_tag_name("failure"));
            (
                case.attribute("name").unwrap().to_string(),
                failure.map(|f| f.attribute("message").unwrap().to_string()),
            )
        })
        .collect()
}

fn suite_counts(doc: &roxmltree::Document, suite: &str) -> (usize, usize) {
    let node = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some(suite))
        .unwrap();
    let number = |a: &str| node.attribute(a).unwrap().parse::<usize>().unwrap();
    (number("tests"), number("failures"))
}

/// No raw control character but line breaks, and no element from the inventory.
fn assert_inert_xml(xml: &str) {
    let raw = xml.chars().find(|&c| c != '\n' && c.is_control());
    assert!(raw.is_none(), "raw {raw:?} in the XML");
    for markup in ["<script", "<b>", "<img"] {
        assert!(!xml.contains(markup), "{markup} in the XML");
    }
}

#[test]
fn junit_on_hostile_names_has_the_expected_suites_and_failures() {
    let xml = stdout_of(
        &[
            "assess",
            HOSTILE,
            "--as-of",
            AS_OF,
            "-f",
            "junit",
            "--fail-under",
            "70",
        ],
        1,
    );
    assert_inert_xml(&xml);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    // One gate rule and three applicable controls; the gate and two controls fail.
    assert_eq!(root.attribute("tests"), Some("4"));
    assert_eq!(root.attribute("failures"), Some("3"));
    // ctl-a (max 10): vm1 unhealthy, vm2 healthy, vm3 waived → 10 × 1/2 = 5 of 10.
    // ctl-b (max 5): vm1 unhealthy, vm2 healthy → 2.5 of 5. ctl-c (max 5): all healthy.
    // Score 100 × (5 + 2.5 + 5) / 20 = 62.5; ctl-a offers 100 × 5 / 20 = 25 points,
    // ctl-b 100 × 2.5 / 20 = 12.5.
    assert_eq!(
        cases(&doc, "gates"),
        [(
            "fail-under".to_string(),
            Some("secure score 62.50% is below fail-under 70".to_string())
        )]
    );
    assert_eq!(suite_counts(&doc, "gates"), (1, 1));
    assert_eq!(
        cases(&doc, "controls"),
        [
            (
                "Enable `MFA` | @team <script>alert('x')</script> (ctl-a)".to_string(),
                Some("1 of 2 resources unhealthy; +25.00% secure score on offer".to_string())
            ),
            (
                "=HYPERLINK(\"http://evil.example\",\"click\") (ctl-b)".to_string(),
                Some("1 of 2 resources unhealthy; +12.50% secure score on offer".to_string())
            ),
            ("Clean control (ctl-c)".to_string(), None),
        ]
    );
    assert_eq!(suite_counts(&doc, "controls"), (3, 2));
    // The failing recommendation's name keeps its markup as text and shows its controls.
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("unhealthy"))
        .unwrap();
    assert_eq!(
        failure.text(),
        Some(
            "1 of 2 resources unhealthy; +25.00% secure score on offer\n\
             MFA [link](1) <b>bold</b> & \\u{7}bell\\u{1b}[31m red (rec-a): 1 unhealthy resource(s)"
        )
    );
}

#[test]
fn junit_without_a_gate_has_an_empty_gates_suite() {
    let xml = stdout_of(&["assess", HOSTILE, "--as-of", AS_OF, "-f", "junit"], 0);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(suite_counts(&doc, "gates"), (0, 0));
    assert_eq!(suite_counts(&doc, "controls"), (3, 2));
}

/// Every applicable control of the JSON report is one testcase, failed exactly when it
/// has unhealthy resources, with the JSON's count: on the demo estate (with a gate that
/// passes) and on the inventory of hostile names the CSV tests share
/// (`fixtures/markup-names.json`).
#[test]
fn junit_matches_the_json_report() {
    let gates = junit_matches_json("examples/contoso.json", &["--fail-under", "10"]);
    assert_eq!(gates, [("fail-under".to_string(), None)]);
    let gates = junit_matches_json("fixtures/markup-names.json", &[]);
    assert!(gates.is_empty());
}

/// Checks the controls suite of `inventory` against its JSON report; the gates suite's
/// cases.
fn junit_matches_json(inventory: &str, gate: &[&str]) -> Vec<(String, Option<String>)> {
    let json: Value = serde_json::from_str(&stdout_of(
        &["assess", inventory, "--as-of", AS_OF, "-f", "json"],
        0,
    ))
    .unwrap();
    let mut args = vec!["assess", inventory, "--as-of", AS_OF, "-f", "junit"];
    args.extend_from_slice(gate);
    let xml = stdout_of(&args, 0);
    assert_inert_xml(&xml);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let applicable: Vec<&Value> = json["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["applicable"] == true)
        .collect();
    let got = cases(&doc, "controls");
    assert_eq!(got.len(), applicable.len());
    for ((name, failure), control) in got.iter().zip(&applicable) {
        assert!(
            name.ends_with(&format!("({})", control["id"].as_str().unwrap())),
            "{name}"
        );
        let unhealthy = control["unhealthy_resources"].as_u64().unwrap();
        let applicable = unhealthy + control["healthy_resources"].as_u64().unwrap();
        match failure {
            Some(message) => assert!(
                unhealthy > 0
                    && message.starts_with(&format!("{unhealthy} of {applicable} resources unhealthy; +")),
                "{message}"
            ),
            None => assert_eq!(unhealthy, 0, "{name} passes with unhealthy resources"),
        }
    }
    cases(&doc, "gates")
}

/// Under `--model v1` the hostile names are recommendations' testcases: rec-a (critical,
/// 50 points): vm1 unhealthy, vm2 healthy, vm3 waived → 50 × 1/2 = 25; rec-b (medium,
/// 20): vm1 unhealthy, vm2 healthy → 10; rec-c (low, 5): healthy → 5. Score 40 of 75 =
/// 53.33…%, below 70; rec-a offers 100 × 25 / 75 = 33.33…%, rec-b 100 × 10 / 75 =
/// 13.33…%.
#[test]
fn junit_on_hostile_names_under_v1_has_a_testcase_per_recommendation() {
    let xml = stdout_of(
        &[
            "assess",
            HOSTILE,
            "--as-of",
            AS_OF,
            "-f",
            "junit",
            "--model",
            "v1",
            "--fail-under",
            "70",
        ],
        1,
    );
    assert_inert_xml(&xml);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    assert_eq!(suite_counts(&doc, "gates"), (1, 1));
    assert_eq!(
        cases(&doc, "recommendations"),
        [
            (
                "MFA [link](1) <b>bold</b> & \\u{7}bell\\u{1b}[31m red (rec-a)".to_string(),
                Some("1 of 2 resources unhealthy; +33.33% secure score on offer".to_string())
            ),
            (
                "=HYPERLINK(\"x\") (rec-b)".to_string(),
                Some("1 of 2 resources unhealthy; +13.33% secure score on offer".to_string())
            ),
            ("Plain (rec-c)".to_string(), None),
        ]
    );
    assert_eq!(suite_counts(&doc, "recommendations"), (3, 2));
    // The failure names its controls as text, markup and all.
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure") && n.attribute("type") == Some("unhealthy"))
        .unwrap();
    assert_eq!(
        failure.text(),
        Some(
            "1 of 2 resources unhealthy; +33.33% secure score on offer\n\
             severity critical · 50.00 points (securescore's default by severity; Microsoft never \
             published its mapping) · in Enable `MFA` | @team <script>alert('x')</script>"
        )
    );
}

/// Under `v1` and `pass-rate`, every applicable recommendation of the JSON report is one
/// testcase, failed exactly when it has unhealthy resources, with the JSON's count.
#[test]
fn junit_under_v1_and_pass_rate_matches_the_json_report() {
    for model in ["v1", "pass-rate"] {
        for inventory in ["examples/contoso.json", "fixtures/markup-names.json", HOSTILE] {
            let args = ["assess", inventory, "--as-of", AS_OF, "--model", model, "-f"];
            let json: Value = serde_json::from_str(&stdout_of(&[&args[..], &["json"]].concat(), 0)).unwrap();
            let xml = stdout_of(&[&args[..], &["junit"]].concat(), 0);
            assert_inert_xml(&xml);
            let doc = roxmltree::Document::parse(&xml).unwrap();
            let applicable: Vec<&Value> = json["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| r["applicable"] == true)
                .collect();
            let got = cases(&doc, "recommendations");
            assert_eq!(got.len(), applicable.len(), "{model} {inventory}");
            for ((name, failure), r) in got.iter().zip(&applicable) {
                assert!(
                    name.ends_with(&format!("({})", r["id"].as_str().unwrap())),
                    "{name}"
                );
                let unhealthy = r["unhealthy_resources"].as_u64().unwrap();
                let total = unhealthy + r["healthy_resources"].as_u64().unwrap();
                match failure {
                    Some(message) => assert!(
                        message.starts_with(&format!("{unhealthy} of {total} resources unhealthy; +")),
                        "{message}"
                    ),
                    None => assert_eq!(unhealthy, 0, "{name} passes with unhealthy resources"),
                }
            }
        }
    }
}

#[test]
fn junit_for_diff_has_the_max_drop_rule_and_after_s_controls() {
    let json: Value = serde_json::from_str(&triage_diff("json", &["--max-drop", "0"], 1)).unwrap();
    let xml = triage_diff("junit", &["--max-drop", "0"], 1);
    assert_inert_xml(&xml);
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let gates = cases(&doc, "gates");
    assert_eq!(gates.len(), 1);
    assert_eq!(gates[0].0, "max-drop");
    assert_eq!(gates[0].1.as_deref(), json["gate"]["reason"].as_str());
    // The controls that apply in AFTER, each failed when AFTER has unhealthy resources.
    let controls = json["controls"].as_array().unwrap();
    let expected: Vec<(&str, bool)> = controls
        .iter()
        .filter(|c| {
            c["after_healthy_resources"].as_u64().unwrap() + c["after_unhealthy_resources"].as_u64().unwrap()
                > 0
        })
        .map(|c| {
            (
                c["id"].as_str().unwrap(),
                c["after_unhealthy_resources"].as_u64().unwrap() > 0,
            )
        })
        .collect();
    let got = cases(&doc, "controls");
    assert!(!expected.is_empty());
    assert_eq!(got.len(), expected.len());
    for ((name, failure), (id, failed)) in got.iter().zip(&expected) {
        assert!(name.ends_with(&format!("({id})")), "{name}");
        assert_eq!(failure.is_some(), *failed, "{name}");
    }
}

fn sarif(args: &[&str]) -> Value {
    let mut all = vec!["assess", "--as-of", AS_OF, "-f", "sarif"];
    all.extend_from_slice(args);
    serde_json::from_str(&stdout_of(&all, 0)).expect("SARIF is JSON")
}

#[test]
fn sarif_on_hostile_names_lists_rules_results_and_suppressions() {
    let log = sarif(&[HOSTILE]);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(log["runs"].as_array().unwrap().len(), 1);
    assert_eq!(run["tool"]["driver"]["name"], "securescore");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    // 100 × 12.5 / 20, as in the JUnit test.
    assert_close(&run["properties"]["score"]["percentage"], 62.5);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rec-a", "rec-b", "rec-c"]);
    let a = &rules[0];
    assert_eq!(a["properties"]["security-severity"], "9.5");
    assert_eq!(rules[1]["properties"]["security-severity"], "5.5");
    assert_eq!(rules[2]["properties"]["security-severity"], "3.0");
    assert_eq!(
        a["properties"]["tags"],
        serde_json::json!(["security", "Enable `MFA` | @team <script>alert('x')</script>"])
    );
    // Brackets escaped (no embedded link), controls shown, never raw.
    assert_eq!(
        a["shortDescription"]["text"],
        "MFA \\[link\\](1) <b>bold</b> & \\u{7}bell\\u{1b}\\[31m red"
    );
    assert_eq!(
        a["help"]["text"],
        "Run `az ad` | @admin <img src=x onerror=alert(1)>\\u{a}line2\\u{0}nul"
    );
    assert_eq!(rules[1]["help"]["text"], "+cmd|' /C calc'!A0");
    let results = run["results"].as_array().unwrap();
    let summary: Vec<(&str, &str, &str, bool)> = results
        .iter()
        .map(|r| {
            let location = &r["locations"][0]["logicalLocations"][0];
            assert_eq!(location["kind"], "resource");
            (
                r["ruleId"].as_str().unwrap(),
                r["level"].as_str().unwrap(),
                location["fullyQualifiedName"].as_str().unwrap(),
                r.get("suppressions").is_some(),
            )
        })
        .collect();
    let vm = |name: &str| format!("{VMS}{name}");
    let (vm1, vm3) = (vm("vm1"), vm("vm3"));
    // vm1 fails rec-a (critical: error) and rec-b (medium: warning); vm3's rec-a is
    // waived; vm2 is healthy throughout.
    assert_eq!(
        summary,
        [
            ("rec-a", "error", vm1.as_str(), false),
            ("rec-a", "error", vm3.as_str(), true),
            ("rec-b", "warning", vm1.as_str(), false),
        ]
    );
    assert_eq!(results[0]["ruleIndex"], 0);
    assert_eq!(results[2]["ruleIndex"], 1);
    assert_eq!(
        results[1]["suppressions"],
        serde_json::json!([{
            "kind": "external",
            "status": "accepted",
            "justification": "waiver, expires 2027-01-31",
            "properties": {"reason": "accepted <script> @sec | `x`"}
        }])
    );
    assert_eq!(
        results[0]["locations"][0]["logicalLocations"][0]["name"],
        "vm1 <script>alert(1)</script> @user"
    );
}

/// Under `v1` the log names the model, and each rule its points (from severity: rec-a
/// critical 50, rec-b medium 20, rec-c low 5); the findings are the same pairs as under
/// classic, and the texts are as escaped.
#[test]
fn sarif_on_hostile_names_under_v1_names_the_model_and_points() {
    let classic = sarif(&[HOSTILE]);
    let log = sarif(&[HOSTILE, "--model", "v1"]);
    let run = &log["runs"][0];
    assert_eq!(run["properties"]["model"], "v1");
    assert!(run["properties"].get("weighting").is_none());
    // 40 of 75 points, as in the JUnit test.
    assert_close(&run["properties"]["score"]["percentage"], 100.0 * 40.0 / 75.0);
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let points: Vec<(&str, f64, &str)> = rules
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["properties"]["points"].as_f64().unwrap(),
                r["properties"]["points-from"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        points,
        [
            ("rec-a", 50.0, "severity"),
            ("rec-b", 20.0, "severity"),
            ("rec-c", 5.0, "severity")
        ]
    );
    assert_eq!(
        rules[0]["shortDescription"]["text"],
        "MFA \\[link\\](1) <b>bold</b> & \\u{7}bell\\u{1b}\\[31m red"
    );
    assert_eq!(run["results"], classic["runs"][0]["results"]);
}

/// The fingerprint of a finding depends on the resource's identity and the
/// recommendation alone: the same inventory with its assessments reversed and its Azure
/// ids in upper case (the same resources) gives the same fingerprints.
#[test]
fn sarif_fingerprints_do_not_depend_on_order_or_case() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(HOSTILE)).unwrap();
    let mut inventory: Value = serde_json::from_str(&text).unwrap();
    let assessments = inventory["assessments"].as_array_mut().unwrap();
    assessments.reverse();
    for a in assessments.iter_mut() {
        let id = a["resource"].as_str().unwrap().to_uppercase();
        a["resource"] = Value::String(id);
    }
    let scratch = Scratch::new("sarif-fingerprints");
    let variant = scratch.0.join("variant.json");
    std::fs::write(&variant, serde_json::to_vec(&inventory).unwrap()).unwrap();
    let fingerprints = |log: &Value| -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = log["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let prints = r["partialFingerprints"].as_object().unwrap();
                assert_eq!(prints.len(), 1);
                (
                    r["ruleId"].as_str().unwrap().to_string(),
                    prints.values().next().unwrap().as_str().unwrap().to_string(),
                )
            })
            .collect();
        out.sort();
        out
    };
    let original = fingerprints(&sarif(&[HOSTILE]));
    let reordered = fingerprints(&sarif(&[variant.to_str().unwrap()]));
    assert_eq!(original.len(), 3);
    assert_eq!(original, reordered);
    // Two results of one rule on different resources differ.
    assert_ne!(original[0].1, original[1].1);
}

/// With exemptions ignored, the waived finding is an unsuppressed result.
#[test]
fn sarif_with_exemptions_ignored_suppresses_nothing() {
    let log = sarif(&[HOSTILE, "--ignore-exemptions"]);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r.get("suppressions").is_none()));
}

/// A tool `.ci/run` installs under `target/ci-tools/` (or `variable` names): its path,
/// or `None` (with a note) when it is missing outside CI; a failure under CI.
fn ci_tool(variable: &str, installed: &str, what: &str) -> Option<PathBuf> {
    let installed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/ci-tools")
        .join(installed);
    let path = std::env::var_os(variable).map(PathBuf::from).unwrap_or(installed);
    if path.is_file() {
        return Some(path);
    }
    assert!(
        std::env::var_os("SECURESCORE_CI").is_none(),
        "{what} is not at {} (.ci/run installs it)",
        path.display()
    );
    eprintln!(
        "note: SARIF validation skipped: {what} is not at {} (run .ci/run, or set {variable})",
        path.display()
    );
    None
}

/// Microsoft's SARIF Multitool, from the npm registry.
fn multitool() -> Option<PathBuf> {
    ci_tool(
        "SARIF_MULTITOOL",
        "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool",
        "the SARIF Multitool",
    )
}

/// The SARIF 2.1.0 JSON Schema the Multitool's npm package ships.
fn sarif_schema() -> Option<PathBuf> {
    ci_tool(
        "SARIF_SCHEMA",
        "node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json",
        "the SARIF 2.1.0 schema",
    )
}

/// A Python with the `jsonschema` package from PyPI (`.ci/run` makes a virtual
/// environment for it).
fn jsonschema_python() -> Option<PathBuf> {
    ci_tool("JSONSCHEMA_PYTHON", "venv/bin/python", "a Python with jsonschema")
}

/// Writes the SARIF logs of the examples and fixtures into `dir`: each run's arguments
/// and file.
fn sarif_logs(dir: &Path) -> Vec<(String, PathBuf)> {
    let inputs: [&[&str]; 10] = [
        &[HOSTILE],
        &[HOSTILE, "--model", "v1"],
        &["fixtures/models/v1-vs-classic.json", "--model", "pass-rate"],
        &[HOSTILE, "--ignore-exemptions"],
        &["examples/contoso.json", "--fail-under", "90"],
        &["fixtures/exemptions.json"],
        &["fixtures/names.json"],
        &[
            "examples/azure/arg/assessments-contoso-dev.json",
            "examples/azure/arg/assessments-contoso-prod.json",
            "examples/azure/arg/secure-score-controls.json",
            "examples/azure/arg/secure-scores.json",
        ],
        &["fixtures/azure/features-page2.json"],
        &["fixtures/markup-names.json"],
    ];
    let mut logs = Vec::new();
    for (i, args) in inputs.iter().enumerate() {
        let mut all = vec!["assess", "--as-of", AS_OF, "-f", "sarif"];
        all.extend_from_slice(args);
        let out = run(&all);
        assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}");
        let log = dir.join(format!("log-{i}.sarif"));
        std::fs::write(&log, &out.stdout).unwrap();
        logs.push((args.join(" "), log));
    }
    logs
}

/// Warnings of the Multitool that these logs cannot avoid: SARIF2005, no `informationUri`
/// (securescore names no home page), and SARIF2017, no `region` in a physical location
/// (a cloud resource has no lines: the location is there for GitHub, which needs one).
const UNAVOIDABLE: [&str; 2] = ["SARIF2005", "SARIF2017"];

/// Every SARIF log securescore writes for the examples and fixtures passes the
/// Multitool's `validate`: its schema checks and its own rules, with no error and no
/// warning but the [`UNAVOIDABLE`] ones.
#[test]
fn sarif_passes_the_sarif_multitool() {
    let Some(tool) = multitool() else {
        return;
    };
    let scratch = Scratch::new("sarif-multitool");
    for (args, log) in sarif_logs(&scratch.0) {
        let report = log.with_extension("validation.sarif");
        let status = std::process::Command::new(&tool)
            .arg("validate")
            .arg(&log)
            .arg("--output")
            .arg(&report)
            .args(["--log", "ForceOverwrite", "--quiet"])
            .stdout(std::process::Stdio::null())
            .status()
            .expect("the Multitool runs");
        assert!(status.success(), "the Multitool failed on {args}");
        let validation: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
        let run = &validation["runs"][0];
        assert_eq!(
            run["invocations"][0]["executionSuccessful"], true,
            "the Multitool did not finish on {args}"
        );
        let problems: Vec<String> = run["results"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|p| p["level"] == "error" || !UNAVOIDABLE.contains(&p["ruleId"].as_str().unwrap_or("")))
            .map(|p| format!("{} {} {}", p["level"], p["ruleId"], p["message"]))
            .collect();
        assert!(problems.is_empty(), "{args}: {problems:#?}");
    }
}

/// The Python that checks logs against a JSON Schema: every error, then exit 1.
const VALIDATE_PY: &str = r#"
import json, sys
import jsonschema
with open(sys.argv[1], encoding="utf-8-sig") as f:
    schema = json.load(f)
validator = jsonschema.validators.validator_for(schema)(schema)
failed = False
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        log = json.load(f)
    for error in validator.iter_errors(log):
        failed = True
        print(f"{path}: {error.json_path}: {error.message}")
sys.exit(1 if failed else 0)
"#;

/// The same logs against the SARIF 2.1.0 JSON Schema (shipped in the Multitool's npm
/// package) with the `jsonschema` validator from PyPI, which checks what the Multitool
/// does not (every enumeration: levels, kinds, suppression kinds).
#[test]
fn sarif_passes_the_sarif_2_1_0_json_schema() {
    let (Some(schema), Some(python)) = (sarif_schema(), jsonschema_python()) else {
        return;
    };
    let scratch = Scratch::new("sarif-schema");
    let logs = sarif_logs(&scratch.0);
    // The checker catches a wrong level, so a pass means something.
    let broken = scratch.0.join("broken.sarif");
    let text = std::fs::read_to_string(&logs[0].1).unwrap();
    std::fs::write(
        &broken,
        text.replacen("\"level\": \"error\"", "\"level\": \"fatal\"", 1),
    )
    .unwrap();
    let check = |paths: &[&Path]| {
        std::process::Command::new(&python)
            .args(["-c", VALIDATE_PY])
            .arg(&schema)
            .args(paths)
            .output()
            .expect("Python runs")
    };
    let refused = check(&[broken.as_path()]);
    assert!(
        !refused.status.success() && String::from_utf8_lossy(&refused.stdout).contains("fatal"),
        "a wrong level passed the schema: {refused:?}"
    );
    let paths: Vec<&Path> = logs.iter().map(|(_, p)| p.as_path()).collect();
    let out = check(&paths);
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
