//! The README's CI summary step, run as the README writes it (taken from README.md, so
//! the two cannot drift apart), with `bash -eo pipefail` as GitHub Actions runs a step,
//! on a report with a score, a report whose score is undefined, and no report at all
//! (the gate step could not run). It needs `jq`, which `.ci/run` installs when missing;
//! without it the test fails, never skips.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The shell script of the README's `Summary` step: the lines of its `run: |` block,
/// with the block's indentation removed.
fn summary_script() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let step = &readme[readme
        .find("      - name: Summary\n")
        .expect("the README's Summary step")..];
    let body = &step[step.find("run: |\n").expect("its run block") + "run: |\n".len()..];
    let body = &body[..body.find("```").expect("the end of the workflow")];
    body.lines()
        .map(|l| l.strip_prefix("          ").unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("securescore-readme-ci-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Writes `score.json` in `dir` as the README's gate step does (`--fail-under 70 -f json
/// -o score.json`), with `args`; returns the exit code.
fn gate(dir: &Path, args: &[&str]) -> i32 {
    let report = dir.join("score.json");
    let mut cmd = common::securescore(args);
    cmd.args(["--as-of", "2026-11-22", "--fail-under", "70", "-f", "json", "-o"])
        .arg(&report);
    cmd.output().unwrap().status.code().unwrap_or(-1)
}

/// Runs the summary step in `dir`; returns its exit code and the step summary written.
fn summary(dir: &Path) -> (i32, String) {
    assert!(
        which("jq"),
        "the README's CI test needs jq (apt-get install jq; .ci/run installs it)"
    );
    let file = dir.join("summary.md");
    let out = Command::new("bash")
        .args([
            "--noprofile",
            "--norc",
            "-eo",
            "pipefail",
            "-c",
            &summary_script(),
        ])
        .current_dir(dir)
        .env("GITHUB_STEP_SUMMARY", &file)
        .output()
        .expect("bash runs");
    let text = std::fs::read_to_string(&file).unwrap_or_default();
    (
        out.status.code().unwrap_or(-1),
        format!("{text}{}", String::from_utf8_lossy(&out.stderr)),
    )
}

fn which(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_defined_score_is_summarised_with_the_top_controls() {
    let dir = scratch("defined");
    // The worked example scores 98.40% (59.04 of 60 points), above the gate: exit 0.
    assert_eq!(gate(&dir, &["assess", "fixtures/worked-example.json"]), 0);
    let (code, text) = summary(&dir);
    assert_eq!(code, 0, "{text}");
    // 98.4 × 100 = 9840, / 100 = 98.4; Apply system updates gains 0.96 / 60 = 1.6 points,
    // the other ranked control ("Everything else", fully healthy) 0.
    assert_eq!(
        text,
        "Secure score: 98.4%\n- Apply system updates: +1.6 points\n- Everything else: +0 points\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_undefined_score_is_said_to_be_undefined() {
    let dir = scratch("undefined");
    // A filter that selects nothing: the score is undefined, and the gate fails (exit 1)
    // after writing the report.
    let args = [
        "assess",
        "fixtures/worked-example.json",
        "--scope",
        "arn:aws:nothing",
    ];
    assert_eq!(gate(&dir, &args), 1);
    let (code, text) = summary(&dir);
    assert_eq!(code, 0, "{text}");
    assert_eq!(text, "Secure score: undefined\n");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_missing_report_is_said_to_be_missing() {
    let dir = scratch("missing");
    // An input that does not exist: the gate step cannot run (exit 2) and writes nothing.
    assert_eq!(gate(&dir, &["assess", "fixtures/no-such-file.json"]), 2);
    assert!(!dir.join("score.json").exists());
    let (code, text) = summary(&dir);
    assert_eq!(code, 0, "{text}");
    assert_eq!(
        text,
        "Secure score: no report (the gate step could not run: see its log)\n"
    );
    let _ = std::fs::remove_dir_all(dir);
}
