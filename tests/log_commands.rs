//! Names that are CI log commands (SPEC §6: an inventory cannot drive the terminal, and in
//! CI the job's log is the terminal). Azure Pipelines' agent runs `##vso[` anywhere in a
//! line, in any case; GitHub Actions' runner runs `##[` anywhere and `::` at the start of
//! a line once trimmed, and a wrapped table cell can start a line with any part of a name.
//! `fixtures/log-command-names.json` names subscriptions, controls, recommendations (one
//! in no control, so that a warning names it) and resources like that; no line any
//! command prints, on standard output or standard error, in tables narrow enough to wrap
//! every name, may hold a command. The files written for CI (markdown, CSV, JUnit,
//! SARIF) are not logs and keep the names as they are.

mod common;

use common::securescore;
use std::path::PathBuf;

const NAMES: &str = "fixtures/log-command-names.json";

/// The fixture's names hold every command once: the test checks that they are there.
const RAW: [&str; 4] = [
    "##vso[task.prependpath]/tmp/evil",
    "##vso[task.setvariable variable=X]false",
    "Hardening of everything ::warning::pwned",
    "##[error]rec-b",
];

/// Runs `args` with the table `columns` wide; returns standard output and standard error,
/// the run having ended with `code`.
fn output(args: &[&str], columns: &str, code: i32) -> (String, String) {
    let out = securescore(args).env("COLUMNS", columns).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
    (String::from_utf8(out.stdout).unwrap(), stderr)
}

/// Asserts no line of `text` would run as a log command: no `##vso[` (any case) and no
/// `##[` anywhere, and no `::` at the start once spaces and the table's border
/// characters are trimmed; no `::` anywhere either, since wrapping decides where lines
/// start.
#[track_caller]
fn assert_no_log_command(what: &str, text: &str) {
    for line in text.lines() {
        let lower = line.to_lowercase();
        assert!(!lower.contains("##vso["), "{what}: {line}");
        assert!(!line.contains("##["), "{what}: {line}");
        let start = line.trim_start_matches(|c: char| c.is_whitespace() || "│┃║|─━═┼╪+".contains(c));
        assert!(!start.starts_with("::"), "{what}: {line}");
        assert!(!line.contains("::"), "{what}: {line}");
    }
}

/// Checks both streams of a run, and that it printed something to check.
#[track_caller]
fn check(args: &[&str], columns: &str, code: i32) -> (String, String) {
    let (stdout, stderr) = output(args, columns, code);
    assert!(!stdout.is_empty(), "{args:?} printed nothing");
    assert_no_log_command(&format!("{args:?} stdout"), &stdout);
    assert_no_log_command(&format!("{args:?} stderr"), &stderr);
    (stdout, stderr)
}

/// An empty folder of this test's own.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("securescore-log-commands-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_fixture_holds_every_command() {
    let text = std::fs::read_to_string(NAMES).unwrap();
    for raw in RAW {
        assert!(text.contains(raw), "{raw}");
    }
}

#[test]
fn assess_tables_and_diagnostics_hold_no_log_command() {
    for columns in ["60", "80", "200"] {
        // The gate fails (16.67% < 90): the gate line and the warning of the
        // recommendation in no control go to standard error.
        let (stdout, stderr) = check(&["assess", NAMES, "--fail-under", "90"], columns, 1);
        // The names are still shown, escaped where they would be commands.
        assert!(
            stderr.contains("##vso\\u{5b}task.prependpath]/tmp/evil"),
            "{stderr}"
        );
        assert!(stdout.contains("##vso\\u{5b}task.setvariable"), "{stdout}");
        assert!(stdout.contains(":\\u{3a}warning:\\u{3a}pwned"), "{stdout}");
        check(
            &["assess", NAMES, "--group-by", "subscription", "--top", "10"],
            columns,
            0,
        );
    }
}

#[test]
fn explain_plan_validate_tables_hold_no_log_command() {
    for columns in ["60", "200"] {
        check(&["explain", "ctl-hard", NAMES], columns, 0);
        check(&["explain", "::set-output name=x::y", NAMES], columns, 0);
        check(&["plan", "--target", "90", NAMES], columns, 0);
        check(&["plan", "--steps", "5", NAMES], columns, 0);
        check(&["validate", NAMES], columns, 0);
    }
}

#[test]
fn diff_and_trend_tables_hold_no_log_command() {
    let dir = scratch("diff");
    let after = dir.join("after.json");
    let text = std::fs::read_to_string(NAMES).unwrap();
    std::fs::write(&after, text.replace("\"healthy\"", "\"unhealthy\"")).unwrap();
    let after = after.to_str().unwrap();
    let history = dir.join("history.jsonl");
    let history = history.to_str().unwrap();
    for (file, label) in [(NAMES, "##vso[build.addbuildtag]x"), (after, "::notice::y")] {
        output(
            &["assess", file, "--record", history, "--label", label, "-q"],
            "80",
            0,
        );
    }
    for columns in ["60", "200"] {
        check(&["diff", NAMES, after], columns, 0);
        check(&["trend", history], columns, 0);
    }
}

#[test]
fn files_for_ci_keep_the_names_as_they_are() {
    let dir = scratch("files");
    let path = |ext: &str| dir.join(format!("score.{ext}"));
    let mut args = vec!["assess".to_string(), NAMES.to_string(), "-q".to_string()];
    for (format, ext) in [
        ("markdown", "md"),
        ("csv", "csv"),
        ("junit", "xml"),
        ("sarif", "sarif"),
    ] {
        args.push("--report".into());
        args.push(format!("{format}={}", path(ext).display()));
    }
    let out = securescore(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for ext in ["md", "csv", "xml", "sarif"] {
        let text = std::fs::read_to_string(path(ext)).unwrap();
        assert!(
            !text.contains("\\u{5b}") && !text.contains("\\u{3a}"),
            "{ext}: {text}"
        );
    }
    // CSV and SARIF carry names as they are (only their own quoting applies).
    for (ext, raw) in [
        ("csv", "Hardening of everything ::warning::pwned"),
        (
            "csv",
            "##[group]Grouped ##VsO[task.complete result=Succeeded]done",
        ),
        ("sarif", "Hardening of everything ::warning::pwned"),
        ("sarif", "##vso[task.setvariable variable=X]false"),
    ] {
        let text = std::fs::read_to_string(path(ext)).unwrap();
        assert!(text.contains(raw), "{ext}: {raw}");
    }
}
