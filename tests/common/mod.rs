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
