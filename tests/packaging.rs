//! Shell and packaging conventions: `--version` names the package's version (and the
//! commit, when built from git), `completions` writes scripts that the shells load and
//! that complete the commands, `man` writes the manual pages.

mod common;

use common::{assert_exit, run, Scratch};
use std::path::Path;
use std::process::Command;

const COMMANDS: [&str; 11] = [
    "assess",
    "explain",
    "plan",
    "diff",
    "trend",
    "validate",
    "controls",
    "completions",
    "man",
    "schema",
    "query",
];

fn stdout(args: &[&str]) -> String {
    let out = run(args);
    assert_exit(&out, 0);
    String::from_utf8(out.stdout).unwrap()
}

/// The short hash of the commit checked out, when the crate's folder is the top of a git
/// work tree (what `build.rs` asks git).
fn git_commit() -> Option<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        let out = Command::new("git").args(args).current_dir(root).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != root.canonicalize().ok()? {
        return None;
    }
    git(&["rev-parse", "--short", "HEAD"])
}

#[test]
fn version_is_the_package_version_then_the_commit_when_built_from_git() {
    let shown = stdout(&["--version"]);
    let plain = format!("securescore {}", env!("CARGO_PKG_VERSION"));
    assert!(shown.starts_with(&plain), "{shown:?}");
    // The binary built with these tests read the same checkout (another one, given by
    // SECURESCORE_BIN, may have been built from any commit).
    if std::env::var_os("SECURESCORE_BIN").is_some() {
        return;
    }
    match git_commit() {
        Some(commit) => assert_eq!(shown, format!("{plain} ({commit})\n")),
        None => assert_eq!(shown, format!("{plain}\n")),
    }
    assert_eq!(stdout(&["-V"]), shown);
}

/// Runs `script` in bash with `SECURESCORE` naming the binary.
fn bash(script: &str) -> std::process::Output {
    Command::new("bash")
        .args(["--norc", "--noprofile", "-c", script])
        .env("SECURESCORE", common::binary())
        .output()
        .expect("bash runs")
}

#[test]
fn bash_loads_the_completion_script_without_error() {
    let out = bash(r#"source <("$SECURESCORE" completions bash) && complete -p securescore"#);
    assert_exit(&out, 0);
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let registered = String::from_utf8(out.stdout).unwrap();
    assert!(
        registered.starts_with("complete ") && registered.trim_end().ends_with(" securescore"),
        "{registered}"
    );
}

/// The words bash offers after `securescore` and the words of `line`, the last one being
/// completed (`COMP_WORDS` as bash's programmable completion fills it).
fn bash_completes(line: &[&str]) -> Vec<String> {
    let words: Vec<String> = line.iter().map(|w| format!("'{w}'")).collect();
    let script = format!(
        r#"source <("$SECURESCORE" completions bash) || exit 1
COMP_WORDS=(securescore {words}); COMP_CWORD={n}; COMP_LINE="${{COMP_WORDS[*]}}"; COMP_POINT=${{#COMP_LINE}}
fn=$(complete -p securescore | sed -E 's/.* -F ([^ ]+) .*/\1/')
"$fn" securescore "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
printf '%s\n' "${{COMPREPLY[@]}}""#,
        words = words.join(" "),
        n = line.len(),
    );
    let out = bash(&script);
    assert_exit(&out, 0);
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn bash_completes_commands_options_and_values() {
    let commands = bash_completes(&[""]);
    for command in COMMANDS {
        assert!(commands.iter().any(|c| c == command), "{command} in {commands:?}");
    }
    assert_eq!(bash_completes(&["comp"]), ["completions"]);
    assert_eq!(bash_completes(&["sch"]), ["schema"]);
    let options = bash_completes(&["assess", "--fail"]);
    assert_eq!(options, ["--fail-under"]);
    // The values, then the options (`-h`, `--help`).
    let mut shells = bash_completes(&["completions", ""]);
    shells.retain(|w| !w.starts_with('-'));
    shells.sort();
    assert_eq!(shells, ["bash", "fish", "powershell", "zsh"]);
    let mut documents = bash_completes(&["schema", ""]);
    documents.retain(|w| !w.starts_with('-'));
    documents.sort();
    assert_eq!(documents, ["config", "inventory", "report", "snapshot"]);
    let mut formats = bash_completes(&["assess", "--format", ""]);
    formats.sort();
    assert!(formats.contains(&"json".to_string()), "{formats:?}");
}

#[test]
fn every_shell_gets_a_script_naming_every_command() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = stdout(&["completions", shell]);
        for command in COMMANDS {
            assert!(script.contains(command), "{shell}: {command}");
        }
        assert!(script.contains("--fail-under"), "{shell}");
    }
    let out = run(&["completions", "tcsh"]);
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("possible values: bash, zsh, fish, powershell"));
}

#[test]
fn man_prints_the_program_page_listing_every_command() {
    let page = stdout(&["man"]);
    assert!(page.contains(".TH securescore 1"), "{page}");
    for command in COMMANDS {
        assert!(page.contains(&format!("securescore\\-{command}(1)")), "{command}");
    }
    // The same bytes every time: no date.
    assert_eq!(stdout(&["man"]), page);
}

#[test]
fn man_prints_one_commands_page_with_its_options() {
    let page = stdout(&["man", "assess"]);
    let title = format!(
        ".TH securescore-assess 1  \"securescore {}",
        env!("CARGO_PKG_VERSION")
    );
    assert!(page.contains(&title), "{page}");
    assert!(!page.contains("\\-V"), "{page}");
    assert!(page.contains("fail\\-under"), "{page}");
    let out = run(&["man", "nosuch"]);
    assert_exit(&out, 2);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no command \"nosuch\": expected one of assess, explain"),
        "{err}"
    );
}

#[test]
fn man_dir_writes_every_page() {
    let dir = Scratch::new("man");
    let out = run(&["man", "--dir", dir.0.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(out.stdout.is_empty());
    let mut written: Vec<String> = std::fs::read_dir(&dir.0)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    written.sort();
    let mut expected: Vec<String> = COMMANDS.iter().map(|c| format!("securescore-{c}.1")).collect();
    expected.push("securescore.1".to_string());
    expected.sort();
    assert_eq!(written, expected);
    let assess = std::fs::read_to_string(dir.0.join("securescore-assess.1")).unwrap();
    assert_eq!(assess, stdout(&["man", "assess"]));
    // ASCII, so that a formatter run without a character-set preprocessor (groff
    // without -k, some mandoc set-ups) reads every page without a warning.
    for name in &written {
        let page = std::fs::read_to_string(dir.0.join(name)).unwrap();
        assert!(
            page.is_ascii(),
            "{name}: {:?}",
            page.chars().find(|c| !c.is_ascii())
        );
    }
    let missing = dir.0.join("missing");
    let out = run(&["man", "--dir", missing.to_str().unwrap()]);
    assert_exit(&out, 2);
}

/// `man` itself reads the pages without a warning, where it is installed.
#[test]
fn man_pages_render_without_warnings_where_man_is_installed() {
    let dir = Scratch::new("man-render");
    assert_exit(&run(&["man", "--dir", dir.0.to_str().unwrap()]), 0);
    let Ok(check) = Command::new("groff").arg("--version").output() else {
        eprintln!("note: groff is not installed; the pages were not rendered");
        return;
    };
    if !check.status.success() {
        return;
    }
    for entry in std::fs::read_dir(&dir.0).unwrap() {
        let path = entry.unwrap().path();
        let out = Command::new("groff")
            .args(["-k", "-man", "-Tutf8", "-ww", "-z"])
            .arg(&path)
            .output()
            .unwrap();
        assert_exit(&out, 0);
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{}", path.display());
    }
}
