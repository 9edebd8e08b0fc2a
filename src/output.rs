//! Where output goes: standard output (a closed pipe ends the run quietly), or files
//! written all or none: each rendered to a temporary file in its own folder and synced,
//! and only once every one of them (and standard output) was written, renamed into place;
//! through a symbolic link, the link's target is the file replaced.

use anyhow::Context;
use std::ffi::OsString;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path`, or to standard output when `path` is `None` or `-`.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    emit_all(&[(path, bytes)])
}

/// Writes each `(path, bytes)` (`None` or `-`: standard output) as one transaction for
/// the files: every file is first written to a temporary file beside it; when one cannot
/// be, the temporary files are removed and nothing is written (so a CI job that stops with
/// exit 2 publishes no partial set of reports). Then standard output and devices (`-o
/// /dev/null`, a pipe), which cannot be taken back, are written, in the order given; last,
/// the files are renamed into place. A failure on standard output (other than a closed
/// pipe) also leaves no file. Should a rename fail after others succeeded (the folder
/// changed under the run), the files already renamed are removed too.
pub fn emit_all(outputs: &[(Option<&Path>, &[u8])]) -> anyhow::Result<()> {
    let mut staged = Vec::new();
    let result = write_all_staged(outputs, &mut staged);
    if result.is_err() {
        for s in &staged {
            let _ = fs::remove_file(&s.tmp);
        }
    }
    result
}

/// A file written to its temporary name, waiting to be renamed over `target`.
struct Staged {
    /// The temporary file, in the target's folder.
    tmp: PathBuf,
    /// The file it replaces (a symbolic link's target).
    target: PathBuf,
    /// The path as given, for messages.
    given: PathBuf,
}

/// Where one output goes.
enum Destination {
    Stdout,
    /// A device or a pipe, written in place: renaming over it would replace the node.
    InPlace(PathBuf),
    File {
        target: PathBuf,
        given: PathBuf,
    },
}

fn destination(path: Option<&Path>) -> anyhow::Result<Destination> {
    let Some(path) = path.filter(|p| *p != Path::new("-")) else {
        return Ok(Destination::Stdout);
    };
    let target = link_target(path).with_context(|| format!("cannot write {}", path.display()))?;
    match fs::metadata(&target) {
        Ok(m) if m.is_dir() => anyhow::bail!("cannot write {}: it is a folder", path.display()),
        Ok(m) if !m.is_file() => Ok(Destination::InPlace(path.to_path_buf())),
        _ => Ok(Destination::File {
            target,
            given: path.to_path_buf(),
        }),
    }
}

/// The three steps of [`emit_all`]; each temporary file created is pushed on `staged`
/// (and popped once renamed), so that the caller removes what is left on failure.
fn write_all_staged(outputs: &[(Option<&Path>, &[u8])], staged: &mut Vec<Staged>) -> anyhow::Result<()> {
    let mut streams = Vec::new();
    for (path, bytes) in outputs {
        match destination(*path)? {
            Destination::File { target, given } => staged.push(stage(&target, &given, bytes)?),
            other => streams.push((other, *bytes)),
        }
    }
    for (dest, bytes) in streams {
        match dest {
            Destination::InPlace(path) => fs::OpenOptions::new()
                .write(true)
                .open(&path)
                .and_then(|mut f| f.write_all(bytes))
                .with_context(|| format!("cannot write {}", path.display()))?,
            _ => write_stdout(bytes)?,
        }
    }
    commit(staged)
}

/// Renames every staged file into place, in order; on a failure, removes those renamed
/// already (the caller removes the temporary files left).
fn commit(staged: &mut Vec<Staged>) -> anyhow::Result<()> {
    let mut renamed: Vec<PathBuf> = Vec::new();
    while !staged.is_empty() {
        let next = &staged[0];
        if let Err(e) = fs::rename(&next.tmp, &next.target) {
            for done in &renamed {
                let _ = fs::remove_file(done);
            }
            let err = anyhow::Error::new(e).context(format!("cannot write {}", next.target.display()));
            return Err(through_link(err, &next.target, &next.given));
        }
        renamed.push(staged.remove(0).target);
    }
    Ok(())
}

/// Writes `bytes` to standard output; a closed pipe is not an error.
fn write_stdout(bytes: &[u8]) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("cannot write to standard output"),
    }
}

/// Says that a write went through the link `given` when `target` is another file.
fn through_link(err: anyhow::Error, target: &Path, given: &Path) -> anyhow::Error {
    if target == given {
        err
    } else {
        err.context(format!("cannot write through the link {}", given.display()))
    }
}

/// Writes one line of diagnostics to standard error, through [`crate::text::log_safe`] so
/// that it cannot run as a CI log command; a closed standard error is ignored (the exit
/// code still tells the outcome).
pub fn diagnostic_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{}", crate::text::log_safe(line));
}

/// True when two paths name one file, however spelled: the same file (device and inode,
/// so through symbolic and hard links), else the same path once made absolute with links
/// resolved (a file not created yet: its folder's path and its name).
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    if let (Ok(x), Ok(y)) = (fs::metadata(a), fs::metadata(b)) {
        use std::os::unix::fs::MetadataExt;
        return x.dev() == y.dev() && x.ino() == y.ino();
    }
    match (resolved(a), resolved(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// `path` made absolute with links resolved; for a file that does not exist yet, its
/// folder's resolved path joined with its name.
fn resolved(path: &Path) -> Option<std::path::PathBuf> {
    fs::canonicalize(path).ok().or_else(|| {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(fs::canonicalize(dir).ok()?.join(path.file_name()?))
    })
}

/// Where standard input can be named as a file, so that [`same_file`] tells the file it is
/// redirected from (`< inventory.json`); `None` where no such name exists.
pub const STDIN_FILE: Option<&str> = if cfg!(unix) { Some("/dev/stdin") } else { None };

/// One `--report FORMAT=PATH`: the command's result in another format, written to a
/// file atomically beside what goes to standard output (or `-o`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReportFile {
    pub format: crate::render::Format,
    pub path: PathBuf,
}

/// Fails when a file the command writes (`output`, `-o`, and each `--report` path in
/// `reports`) is one of the files or folders the command reads (`reads`), however
/// spelled (each report given as its format and path): writing there would replace an input (an inventory, a history) with the
/// output; or when two of them are one file, where one write would replace the other.
/// Checked before anything is read or written.
pub fn refuse_overwriting<'p>(
    output: Option<&Path>,
    reports: &[(&str, &Path)],
    reads: impl IntoIterator<Item = &'p Path>,
) -> Result<(), crate::UsageError> {
    let writes: Vec<(String, &Path)> = output
        .filter(|p| *p != Path::new("-"))
        .map(|p| (format!("-o {}", p.display()), p))
        .into_iter()
        .chain(
            reports
                .iter()
                .map(|(format, p)| (format!("--report {format}={}", p.display()), *p)),
        )
        .collect();
    if writes.is_empty() {
        return Ok(());
    }
    for (i, (option, path)) in writes.iter().enumerate() {
        if let Some((other, _)) = writes[..i].iter().find(|(_, earlier)| same_file(path, earlier)) {
            return Err(crate::UsageError(format!(
                "{option} and {other} name the same file: give each output a path of its own"
            )));
        }
    }
    for read in reads {
        if let Some((option, _)) = writes.iter().find(|(_, path)| same_file(path, read)) {
            return Err(crate::UsageError(format!(
                "{option} would overwrite {}, which this command also uses: write the output to another path",
                if Some(read) == STDIN_FILE.map(Path::new) {
                    "the file standard input is redirected from".to_string()
                } else {
                    read.display().to_string()
                }
            )));
        }
    }
    Ok(())
}

/// True when output goes to a terminal.
pub fn is_terminal(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-")) && io::stdout().is_terminal()
}

/// The width of a table when neither `COLUMNS` nor a terminal says otherwise.
pub const DEFAULT_WIDTH: u16 = 80;

/// What the environment says about where human-readable output goes: read once by
/// [`Terminal::detect`], then judged by pure methods (so the rules are unit-tested).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terminal {
    /// Output goes to a terminal.
    pub is_terminal: bool,
    /// The terminal's own width, as it reports it (`Some(0)` happens: `script`, `docker
    /// -t` without a size, some CI runners); `None` when not a terminal or unknown.
    pub reported_columns: Option<u16>,
    /// `COLUMNS`, as set.
    pub columns: Option<OsString>,
    /// `NO_COLOR`, as set.
    pub no_color: Option<OsString>,
    /// `TERM`, as set.
    pub term: Option<OsString>,
}

impl Terminal {
    /// Reads the environment for output to `path` (`None` or `-`: standard output).
    pub fn detect(path: Option<&Path>) -> Terminal {
        let is_terminal = is_terminal(path);
        Terminal {
            is_terminal,
            // comfy-table asks the terminal (through crossterm) only when standard
            // output is one: the same answer the table would use on its own.
            reported_columns: if is_terminal {
                comfy_table::Table::new().width()
            } else {
                None
            },
            columns: std::env::var_os("COLUMNS"),
            no_color: std::env::var_os("NO_COLOR"),
            term: std::env::var_os("TERM"),
        }
    }

    /// The table width: `COLUMNS` when it is a positive integer (as `ls` and most tools
    /// read it, terminal or not), else the terminal's width when it reports one above 0,
    /// else [`DEFAULT_WIDTH`], so piped output is the same everywhere.
    pub fn width(&self) -> u16 {
        let columns = self
            .columns
            .as_ref()
            .and_then(|c| c.to_str())
            .and_then(|c| c.trim().parse::<u16>().ok())
            .filter(|&c| c > 0);
        let reported = self.reported_columns.filter(|&c| c > 0 && self.is_terminal);
        columns.or(reported).unwrap_or(DEFAULT_WIDTH)
    }

    /// Whether `--color auto` colours: on a terminal, unless `NO_COLOR` is set to a
    /// non-empty value (no-color.org: an empty one does not count) or `TERM` is `dumb`
    /// (a terminal that shows escape codes as text).
    pub fn auto_color(&self) -> bool {
        let no_color = self.no_color.as_ref().is_some_and(|v| !v.is_empty());
        let dumb = self.term.as_ref().is_some_and(|t| t == "dumb");
        self.is_terminal && !no_color && !dumb
    }
}

/// How many symbolic links [`link_target`] follows before giving up (as Linux does).
const MAX_LINKS: usize = 40;

/// The file a path names once its symbolic links are followed: `path` itself when it is
/// not a link (or does not exist), else the link's target, followed again, even when that
/// target does not exist yet (as a shell's `>` creates it). Only the last component is
/// resolved: the folders on the way are the system's to follow.
fn link_target(path: &Path) -> io::Result<std::path::PathBuf> {
    let mut current = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = fs::read_link(&current)?;
                current = match current.parent() {
                    Some(dir) if target.is_relative() => dir.join(target),
                    _ => target,
                };
            }
            _ => return Ok(current),
        }
    }
    Err(io::Error::other(format!(
        "more than {MAX_LINKS} symbolic links to follow"
    )))
}

/// Writes `bytes` to a new temporary file beside `target` (the file `given` names, through
/// a symbolic link: the link stays, its target is replaced, so `-o latest.json` pointing at
/// a dated report updates that report), with the permissions of the file it will replace,
/// synced; removes it again on failure.
fn stage(target: &Path, given: &Path, bytes: &[u8]) -> anyhow::Result<Staged> {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .with_context(|| format!("cannot write {}: not a file path", given.display()))?;
    let created = create_temporary(dir, &name.to_string_lossy()).with_context(|| {
        format!(
            "cannot write {}: cannot create a temporary file beside it",
            target.display()
        )
    });
    let (tmp, mut file) = created.map_err(|e| through_link(e, target, given))?;
    let result = (|| -> io::Result<()> {
        // Keep the permissions of a file being replaced.
        if let Ok(meta) = fs::metadata(target) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()
    })();
    match result {
        Ok(()) => Ok(Staged {
            tmp,
            target: target.to_path_buf(),
            given: given.to_path_buf(),
        }),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            let err = anyhow::Error::new(e).context(format!("cannot write {}", target.display()));
            Err(through_link(err, target, given))
        }
    }
}

/// Creates a new temporary file in `dir` under an unpredictable name, never opening an
/// existing file or following a link planted under that name.
fn create_temporary(dir: &Path, base: &str) -> io::Result<(std::path::PathBuf, fs::File)> {
    use std::hash::{BuildHasher, Hasher};
    let mut last = io::Error::other("no attempt");
    for attempt in 0..16u32 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u32(attempt);
        h.write_u32(std::process::id());
        if let Ok(t) = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            h.write_u128(t.as_nanos());
        }
        let tmp = dir.join(format!(".{base}.{:016x}.tmp", h.finish()));
        match fs::OpenOptions::new().write(true).create_new(true).open(&tmp) {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terminal(columns: Option<&str>, reported: Option<u16>) -> Terminal {
        Terminal {
            is_terminal: reported.is_some(),
            reported_columns: reported,
            columns: columns.map(OsString::from),
            ..Terminal::default()
        }
    }

    #[test]
    fn width_takes_columns_then_a_reported_width_above_zero_then_80() {
        // A terminal that reports 0 columns is not a 0-column table.
        assert_eq!(terminal(None, Some(0)).width(), 80);
        assert_eq!(terminal(None, Some(132)).width(), 132);
        assert_eq!(terminal(None, None).width(), 80);
        // COLUMNS wins, on a terminal or not, when it is a positive integer.
        assert_eq!(terminal(Some("100"), Some(0)).width(), 100);
        assert_eq!(terminal(Some("100"), Some(132)).width(), 100);
        assert_eq!(terminal(Some("60"), None).width(), 60);
        // Anything else is ignored.
        for bad in ["0", "-5", "", "wide", "1e3", "70000"] {
            assert_eq!(terminal(Some(bad), Some(0)).width(), 80, "COLUMNS={bad:?}");
            assert_eq!(terminal(Some(bad), Some(90)).width(), 90, "COLUMNS={bad:?}");
        }
    }

    /// A loop of links is an error, not a hang; a plain path is its own target.
    #[cfg(unix)]
    #[test]
    fn link_target_follows_links_and_stops_on_a_loop() {
        let dir = std::env::temp_dir().join(format!("securescore-link-target-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink("b", dir.join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.join("b")).unwrap();
        std::os::unix::fs::symlink("sub/c", dir.join("to-c")).unwrap();
        assert!(link_target(&dir.join("a")).is_err());
        assert_eq!(link_target(&dir.join("to-c")).unwrap(), dir.join("sub/c"));
        assert_eq!(link_target(&dir.join("plain")).unwrap(), dir.join("plain"));
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn auto_colour_needs_a_terminal_without_no_color_or_a_dumb_term() {
        let tty = |no_color: Option<&str>, term: Option<&str>| Terminal {
            is_terminal: true,
            no_color: no_color.map(OsString::from),
            term: term.map(OsString::from),
            ..Terminal::default()
        };
        assert!(tty(None, Some("xterm-256color")).auto_color());
        // An empty NO_COLOR does not count (no-color.org).
        assert!(tty(Some(""), None).auto_color());
        assert!(!tty(Some("1"), None).auto_color());
        assert!(!tty(None, Some("dumb")).auto_color());
        assert!(!Terminal::default().auto_color());
    }
}
