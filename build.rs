//! Build script: the version `--version` shows, `SECURESCORE_VERSION`: the package's
//! version, followed by the commit it was built from when it is built from a git checkout
//! of this repository (`0.1.0 (1a2b3c4)`), else the version alone. Built from a tarball,
//! from a copy without `.git`, or where git is missing, nothing fails: git's absence is
//! the ordinary case of a published crate. No network is used.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    let root = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let shown = match commit(&root) {
        Some(commit) => format!("{version} ({commit})"),
        None => version,
    };
    println!("cargo:rustc-env=SECURESCORE_VERSION={shown}");
    // Without a rerun rule cargo would run this again on every change of any file.
    println!("cargo:rerun-if-changed=build.rs");
    for file in git_files_naming_head(&root) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

/// The output of `git ARGS` run in `root`, trimmed, when git runs and succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).current_dir(root).output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().to_string())
}

/// The short hash of the commit checked out, when `root` is the top of a git work tree
/// (not a folder inside some other repository, such as a vendored copy in a monorepo,
/// whose commit says nothing of this crate).
fn commit(root: &Path) -> Option<String> {
    let top = git(root, &["rev-parse", "--show-toplevel"])?;
    let same = match (Path::new(&top).canonicalize(), root.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    };
    if !same {
        return None;
    }
    let hash = git(root, &["rev-parse", "--short", "HEAD"])?;
    let plain = !hash.is_empty() && hash.bytes().all(|b| b.is_ascii_hexdigit());
    plain.then_some(hash)
}

/// The files whose change means another commit is checked out: `HEAD`, its log (which
/// every commit and checkout appends to, even when the branch's own file is created
/// anew beside packed refs), the branch it names and the packed refs, each where git
/// keeps it (in a linked work tree, not under the work tree's `.git`). Only those that
/// exist: a missing one would make cargo run this script on every build.
fn git_files_naming_head(root: &Path) -> Vec<PathBuf> {
    let mut names = vec![
        "HEAD".to_string(),
        "logs/HEAD".to_string(),
        "packed-refs".to_string(),
    ];
    if let Some(branch) = git(root, &["symbolic-ref", "-q", "HEAD"]) {
        names.push(branch);
    }
    names
        .iter()
        .filter_map(|name| git(root, &["rev-parse", "--git-path", name]))
        .map(|path| root.join(path))
        .filter(|path| path.exists())
        .collect()
}
