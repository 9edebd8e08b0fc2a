//! CLI contract tests: every `tests/cases/*.case` file runs the binary once and checks its
//! exit code and output; and the README's sample error output is the real one.
//!
//! A case file holds `key: value` lines:
//! - `args:` the command line after `securescore` (whitespace-separated; `'…'` quotes);
//! - `stdin:` a file piped to standard input (default: empty input);
//! - `exit:` the expected exit code;
//! - `stdout:` / `stderr:` a text that must appear (repeatable);
//! - `!stdout:` / `!stderr:` a text that must not appear (repeatable);
//! - `stdout-empty` / `stderr-empty`: nothing at all on that stream;
//! - `stdout-no-trailing-space`: no line of standard output ends in a space;
//! - `env:` `NAME=value` set for the run (repeatable);
//! - `scratch:` FILE… (repeatable): run in a fresh temporary folder holding copies of these
//!   files of the repository, at the same relative paths, so a case about writing (`-o`
//!   onto an input) can never damage the repository's fixtures, even against a binary that
//!   writes where it should not; `stdin:` is then read from that folder too;
//! - `tty:` COLUMNS: run on a pseudo-terminal that reports COLUMNS columns (through
//!   util-linux `script`, which every Debian system has); standard output and standard
//!   error then both arrive on `stdout:`, and standard input is the terminal.
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
    tty: Option<u16>,
    scratch: Vec<String>,
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
        tty: None,
        scratch: Vec::new(),
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
            "scratch" => case.scratch.extend(value.split_whitespace().map(str::to_string)),
            "tty" => case.tty = Some(value.parse().unwrap_or_else(|_| panic!("{name}: bad tty"))),
            "stdout"
            | "stderr"
            | "!stdout"
            | "!stderr"
            | "stdout-empty"
            | "stderr-empty"
            | "stdout-no-trailing-space" => case
                .checks
                .push((key.to_string(), value.replace("<ESC>", "\x1b"))),
            other => panic!("{name}: unknown key {other:?}"),
        }
    }
    assert!(case.exit >= 0, "{name}: no exit code");
    assert!(!case.args.is_empty(), "{name}: no args");
    assert!(
        case.tty.is_none() || case.stdin.is_none(),
        "{name}: a tty case reads the terminal"
    );
    case
}

/// `text` quoted for a POSIX shell.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The case's command: the binary, or under `tty` the binary run by `script` on a
/// pseudo-terminal of that many columns (`-onlcr`: lines end in `\n`, as on a pipe).
fn command(case: &Case) -> std::process::Command {
    let Some(columns) = case.tty else {
        return common::securescore(&case.args);
    };
    let mut line = format!("stty cols {columns} rows 24 -onlcr && exec");
    for word in std::iter::once(common::binary().to_string_lossy().into_owned()).chain(case.args.clone()) {
        line.push(' ');
        line.push_str(&shell_quote(&word));
    }
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &line, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("SHELL", "/bin/sh")
        .env_remove("COLUMNS");
    cmd
}

/// A temporary folder holding copies of `files` (paths relative to the repository, kept),
/// removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str, files: &[String]) -> Scratch {
        let dir = std::env::temp_dir().join(format!("securescore-case-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for f in files {
            let to = dir.join(f);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(Path::new(env!("CARGO_MANIFEST_DIR")).join(f), &to)
                .unwrap_or_else(|e| panic!("{name}: cannot copy {f}: {e}"));
        }
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_case(path: &Path) -> Result<(), String> {
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let case = parse(&std::fs::read_to_string(path).unwrap(), &name);
    let scratch = (!case.scratch.is_empty()).then(|| Scratch::new(&name, &case.scratch));
    let root = match &scratch {
        Some(s) => s.0.clone(),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf(),
    };
    let mut cmd = command(&case);
    cmd.current_dir(&root);
    cmd.env_remove("NO_COLOR")
        .env_remove("TERM")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in &case.env {
        cmd.env(k, v);
    }
    match &case.stdin {
        Some(f) => cmd.stdin(std::fs::File::open(root.join(f)).unwrap()),
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
            "stdout-no-trailing-space" => !stdout.lines().any(|l| l.ends_with(' ')),
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

/// The README's sample of error messages is the real output, byte for byte: the command
/// on its `$` line is run, and its standard output then standard error (as a terminal
/// shows them, the summary line last) must be the lines that follow, up to the fence.
#[test]
fn readme_error_sample_is_the_real_output() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let command = "$ securescore validate fixtures/errors/bad-values.json\n";
    let start = readme.find(command).expect("the README shows the sample") + command.len();
    let shown = &readme[start..start + readme[start..].find("```").unwrap()];
    let out = common::securescore(["validate", "fixtures/errors/bad-values.json"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let real = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(shown, real);
}
