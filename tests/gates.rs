//! Policy gates on `assess` (SPEC §9): every rule is checked, each failed rule is one
//! line on standard error and one entry of the JSON `gate.rules`, and `--max-drop`
//! measures the drop from a baseline report or from the last comparable run of a
//! history.
//!
//! The figures are those of `fixtures/worked-example.json`: 42 of 50 machines healthy
//! for the 6-point control, 50 of 50 for the 54-point one, so (6 × 42/50 + 54) / 60 =
//! 59.04 / 60 = 98.40%.

mod common;

use common::Scratch;

use serde_json::Value;
use std::path::{Path, PathBuf};

const WORKED: &str = "fixtures/worked-example.json";
const AS_OF: &str = "2026-11-22";

/// Runs `assess` on `inventory` with `args` and `-f json`: the exit code, the report and
/// the gate lines of standard error.
fn assess(inventory: &Path, args: &[&str]) -> (i32, Value, Vec<String>) {
    let out = common::securescore(["assess"])
        .arg(inventory)
        .args(["--as-of", AS_OF, "-f", "json"])
        .args(args)
        .output()
        .unwrap();
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let gate_lines = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("securescore: gate failed: "))
        .map(str::to_string)
        .collect();
    (out.status.code().unwrap_or(-1), report, gate_lines)
}

/// A baseline report at 100%: the worked example with every machine healthy
/// (6 + 54 of 60 points), as `assess -f json` writes it.
fn baseline_at_100(scratch: &Scratch) -> PathBuf {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(WORKED)).unwrap();
    let healthy = scratch.path("healthy.json");
    std::fs::write(&healthy, text.replace("\"unhealthy\"", "\"healthy\"")).unwrap();
    let report = scratch.path("baseline.json");
    let (code, written, _) = assess(&healthy, &[]);
    assert_eq!(code, 0);
    common::assert_close(&written["score"]["percentage"], 100.0);
    std::fs::write(&report, serde_json::to_string_pretty(&written).unwrap()).unwrap();
    report
}

fn worked() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(WORKED)
}

/// The rules of a report's gate as (rule, limit, actual, passed).
fn rules(report: &Value) -> Vec<(String, f64, Option<f64>, bool)> {
    report["gate"]["rules"]
        .as_array()
        .expect("gate.rules")
        .iter()
        .map(|r| {
            (
                r["rule"].as_str().unwrap().to_string(),
                r["limit"].as_f64().unwrap(),
                r["actual"].as_f64().map(|a| (a * 100.0).round() / 100.0),
                r["passed"].as_bool().unwrap(),
            )
        })
        .collect()
}

#[test]
fn two_failed_rules_are_two_lines_and_two_failed_entries() {
    let scratch = Scratch::new("gates-two-rules");
    let baseline = baseline_at_100(&scratch);
    let (code, report, lines) = assess(
        &worked(),
        &[
            "--fail-under",
            "99",
            "--max-drop",
            "1",
            "--baseline",
            baseline.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1);
    // 98.40 < 99; 100 − 98.4 = 1.6 points fallen, more than 1.
    assert_eq!(
        lines,
        vec![
            "securescore: gate failed: secure score 98.40% is below fail-under 99".to_string(),
            format!(
                "securescore: gate failed: secure score fell by 1.60 points since the baseline report {}, more than max-drop 1",
                baseline.display()
            ),
        ]
    );
    assert_eq!(report["gate"]["passed"], false);
    assert_eq!(report["gate"]["fail_under"], 99.0);
    assert_eq!(
        rules(&report),
        vec![
            ("fail-under".to_string(), 99.0, Some(98.4), false),
            ("max-drop".to_string(), 1.0, Some(1.6), false),
        ]
    );
    for rule in report["gate"]["rules"].as_array().unwrap() {
        let message = rule["message"].as_str().unwrap();
        assert!(lines.iter().any(|l| l.ends_with(message)), "{message}");
    }
}

#[test]
fn max_drop_against_a_baseline_report_allows_the_limit() {
    let scratch = Scratch::new("gates-baseline-pass");
    let baseline = baseline_at_100(&scratch);
    // 1.6 points fallen, within 2; no --fail-under, so no fail_under field.
    let (code, report, lines) = assess(
        &worked(),
        &["--max-drop", "2", "--baseline", baseline.to_str().unwrap()],
    );
    assert_eq!(code, 0);
    assert!(lines.is_empty(), "{lines:?}");
    assert_eq!(report["gate"]["passed"], true);
    assert!(report["gate"].get("fail_under").is_none());
    assert_eq!(
        rules(&report),
        vec![("max-drop".to_string(), 2.0, Some(1.6), true)]
    );
}

#[test]
fn max_drop_against_a_history_takes_its_last_run_scored_the_same_way() {
    let history = "fixtures/gates/history.jsonl";
    // Lines 1 and 2 are unfiltered by resources (100, then 99.5), line 3 by equal weights
    // (50), line 4 filtered to the subscription (10). Unfiltered: the last is line 2,
    // 99.5 − 98.4 = 1.1 points fallen, more than 1.
    let (code, report, lines) = assess(&worked(), &["--max-drop", "1", "--history", history]);
    assert_eq!(code, 1);
    assert_eq!(
        lines,
        vec![format!(
            "securescore: gate failed: secure score fell by 1.10 points since the run recorded at \
             2026-11-02T09:00:00Z (line 2 of {history}), more than max-drop 1"
        )]
    );
    assert_eq!(
        rules(&report),
        vec![("max-drop".to_string(), 1.0, Some(1.1), false)]
    );
    // The same drop is within 1.1.
    let (code, _, _) = assess(&worked(), &["--max-drop", "1.1", "--history", history]);
    assert_eq!(code, 0);
    // By equal weights (the one subscription scores 98.4 all the same): line 3, 50, a rise.
    let (code, report, _) = assess(
        &worked(),
        &["--max-drop", "0", "--history", history, "--weighting", "equal"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        rules(&report),
        vec![("max-drop".to_string(), 0.0, Some(-48.4), true)]
    );
    // Filtered to the subscription (by its name, resolved to its id as recorded): line 4.
    let (code, report, _) = assess(
        &worked(),
        &["--max-drop", "0", "--history", history, "--scope", "prod"],
    );
    assert_eq!(code, 0);
    assert_eq!(
        rules(&report),
        vec![("max-drop".to_string(), 0.0, Some(-88.4), true)]
    );
    // With preview scored no run is comparable: nothing to measure, the rule passes.
    let (code, report, _) = assess(
        &worked(),
        &["--max-drop", "0", "--history", history, "--include-preview"],
    );
    assert_eq!(code, 0);
    assert_eq!(rules(&report), vec![("max-drop".to_string(), 0.0, None, true)]);
}

#[test]
fn a_first_run_recording_into_the_history_it_compares_with_passes() {
    let scratch = Scratch::new("gates-first-run");
    let history = scratch.path("history.jsonl");
    let h = history.to_str().unwrap();
    let (code, report, _) = assess(&worked(), &["--max-drop", "0", "--history", h, "--record", h]);
    assert_eq!(code, 0);
    assert_eq!(rules(&report), vec![("max-drop".to_string(), 0.0, None, true)]);
    // The second run compares with the first: the same score, no drop.
    let (code, report, _) = assess(&worked(), &["--max-drop", "0", "--history", h, "--record", h]);
    assert_eq!(code, 0);
    assert_eq!(
        rules(&report),
        vec![("max-drop".to_string(), 0.0, Some(0.0), true)]
    );
}

/// A filter that selects nothing gives an undefined score, which fails every rule
/// (SPEC §1.3, §4): a control minimum of 0 and a limit of 0 critical pairs, which nothing
/// selected would otherwise meet (the control does not apply; 0 pairs counted), fail too,
/// each with its own gate line and a failed entry saying the score is undefined.
#[test]
fn an_undefined_score_fails_the_control_and_unhealthy_rules() {
    let scratch = Scratch::new("gates-undefined");
    let config = scratch.path("gate.toml");
    std::fs::write(
        &config,
        "[gate.unhealthy]\ncritical = 0\n[gate.controls]\n\"Enable MFA\" = { min-percentage = 0 }\n",
    )
    .unwrap();
    let contoso = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.json");
    let (code, report, lines) = assess(
        &contoso,
        &[
            "--config",
            config.to_str().unwrap(),
            // A subscription the demo estate does not hold.
            "--scope",
            "/subscriptions/00000000-0000-0000-0000-000000000000",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(report["gate"]["passed"], false);
    let rules = report["gate"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert_eq!(lines.len(), 2, "{lines:?}");
    for rule in rules {
        assert_eq!(rule["passed"], false, "{rule}");
        let message = rule["message"].as_str().unwrap();
        assert!(message.starts_with("secure score is undefined"), "{message}");
        assert!(lines.iter().any(|l| l.ends_with(message)), "{message}");
    }
    assert!(rules[0]["rule"].as_str().unwrap().starts_with("controls."));
    assert_eq!(rules[1]["rule"], "unhealthy.critical");
}
