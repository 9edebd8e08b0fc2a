//! Helpers the end-to-end test files share: running the binary and comparing figures.
#![allow(dead_code)]

use serde_json::Value;
use std::process::{Command, Output};

/// Runs `securescore` with `args` from the crate's root.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_securescore"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
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
