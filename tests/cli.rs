//! CLI contract tests: every `tests/cases/*.case` file runs the binary once and checks its
//! exit code and output.
//!
//! A case file holds `key: value` lines:
//! - `args:` the command line after `securescore` (whitespace-separated; `'…'` quotes);
//! - `stdin:` a file piped to standard input (default: empty input);
//! - `exit:` the expected exit code;
//! - `stdout:` / `stderr:` a text that must appear (repeatable);
//! - `!stdout:` / `!stderr:` a text that must not appear (repeatable);
//! - `stdout-empty` / `stderr-empty`: nothing at all on that stream;
//! - `env:` `NAME=value` set for the run (repeatable).
//!
//! `#` starts a comment line; `<ESC>` in a value stands for the escape character.

mod common;

use std::path::Path;
use std::process::Stdio;

struct Case {
    args: Vec<String>,
    stdin: Option<String>,
    exit: i32,
    env: Vec<(String, String)>,
    checks: Vec<(String, String)>,
}

fn split_args(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

fn parse(text: &str, name: &str) -> Case {
    let mut case = Case {
        args: Vec::new(),
        stdin: None,
        exit: -1,
        env: Vec::new(),
        checks: Vec::new(),
    };
    for line in text.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (key, value) = match line.split_once(": ") {
            Some((k, v)) => (k, v),
            None => (line.trim_end_matches(':'), ""),
        };
        match key {
            "args" => case.args = split_args(value),
            "stdin" => case.stdin = Some(value.to_string()),
            "exit" => case.exit = value.parse().unwrap_or_else(|_| panic!("{name}: bad exit")),
            "env" => {
                let (k, v) = value.split_once('=').unwrap_or_else(|| panic!("{name}: bad env"));
                case.env.push((k.to_string(), v.to_string()));
            }
            "stdout" | "stderr" | "!stdout" | "!stderr" | "stdout-empty" | "stderr-empty" => case
                .checks
                .push((key.to_string(), value.replace("<ESC>", "\x1b"))),
            other => panic!("{name}: unknown key {other:?}"),
        }
    }
    assert!(case.exit >= 0, "{name}: no exit code");
    assert!(!case.args.is_empty(), "{name}: no args");
    case
}

fn run_case(path: &Path) -> Result<(), String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let case = parse(&std::fs::read_to_string(path).unwrap(), &name);
    let root = env!("CARGO_MANIFEST_DIR");
    let mut cmd = common::securescore(&case.args);
    cmd.env_remove("NO_COLOR")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    match &case.stdin {
        Some(f) => cmd.stdin(std::fs::File::open(Path::new(root).join(f)).unwrap()),
        None => cmd.stdin(Stdio::null()),
    };
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut problems = Vec::new();
    if out.status.code() != Some(case.exit) {
        problems.push(format!("exit {:?}, expected {}", out.status.code(), case.exit));
    }
    for (kind, text) in &case.checks {
        let ok = match kind.as_str() {
            "stdout" => stdout.contains(text.as_str()),
            "stderr" => stderr.contains(text.as_str()),
            "!stdout" => !stdout.contains(text.as_str()),
            "!stderr" => !stderr.contains(text.as_str()),
            "stdout-empty" => stdout.is_empty(),
            _ => stderr.is_empty(),
        };
        if !ok {
            problems.push(format!("{kind} {text:?} failed"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{name}: {}\n--- stdout\n{stdout}--- stderr\n{stderr}",
            problems.join("; ")
        ))
    }
}

#[test]
fn cli_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 20,
        "expected the case files, found {}",
        paths.len()
    );
    let failures: Vec<String> = paths.iter().filter_map(|p| run_case(p).err()).collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
