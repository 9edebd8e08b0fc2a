//! Helpers the end-to-end test files share: running the binary and comparing figures.
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// The binary under test: `SECURESCORE_BIN` when set (to compare another build, such as
/// the one the snapshots were taken with), else the one cargo built.
pub fn binary() -> std::path::PathBuf {
    std::env::var_os("SECURESCORE_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_securescore").into())
}

/// A `securescore` command run from the crate's root, with `args`. Every test spawns the
/// binary through here. `COLUMNS` is removed, so a width exported by the shell the tests
/// run in does not change the tables.
pub fn securescore<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(binary());
    cmd.args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("COLUMNS");
    cmd
}

/// Runs `securescore` with `args` from the crate's root.
pub fn run(args: &[&str]) -> Output {
    securescore(args).output().unwrap()
}

/// Asserts a JSON number equals `expected` to 1e-9.
#[track_caller]
pub fn assert_close(actual: &Value, expected: f64) {
    assert!(
        actual.as_f64().is_some_and(|a| (a - expected).abs() < 1e-9),
        "got {actual}, expected {expected}"
    );
}

/// The control of a report with this id.
pub fn control<'a>(r: &'a Value, id: &str) -> &'a Value {
    r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .unwrap_or_else(|| panic!("no control {id}"))
}

/// Asserts a run ended with exit code `code`, showing its standard error if not.
#[track_caller]
pub fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// What a run with `args` printed on standard output, the run having ended with exit
/// code `code`.
#[track_caller]
pub fn stdout_of(args: &[&str], code: i32) -> String {
    let out = run(args);
    assert_exit(&out, code);
    String::from_utf8(out.stdout).expect("UTF-8 on standard output")
}

/// `diff` of the triage fixtures, BEFORE and AFTER, as of 2026-11-22 in `format`, with
/// the `extra` arguments: what it printed, the run having ended with `code`.
#[track_caller]
pub fn triage_diff(format: &str, extra: &[&str], code: i32) -> String {
    let mut args = vec![
        "diff",
        "fixtures/triage/diff-before.json",
        "fixtures/triage/diff-after.json",
        "--as-of",
        "2026-11-22",
        "-f",
        format,
    ];
    args.extend(extra);
    stdout_of(&args, code)
}

/// The JSON files of each folder of `examples/azure` (one export of the example estate
/// per folder), as absolute paths: folders in name order, each folder's files too.
pub fn azure_example_exports() -> Vec<Vec<String>> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/azure");
    let mut folders: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    folders.sort();
    let exports: Vec<Vec<String>> = folders
        .iter()
        .map(|folder| {
            let mut files: Vec<String> = std::fs::read_dir(folder)
                .unwrap()
                .map(|e| e.unwrap().path().to_string_lossy().into_owned())
                .filter(|p| p.ends_with(".json"))
                .collect();
            files.sort();
            files
        })
        .collect();
    assert!(exports.len() >= 5, "the Azure examples");
    exports
}

/// A fresh folder under the temporary directory for one test's files
/// (`securescore-NAME-PID`), removed when dropped, but kept when the test fails, to be
/// looked at.
pub struct Scratch(pub std::path::PathBuf);

impl Scratch {
    pub fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("securescore-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// The path of `name` in the folder.
    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}
