//! Where output goes: standard output (a closed pipe ends the run quietly), or a file
//! written atomically (a temporary file in the same folder, synced, then renamed).

use anyhow::Context;
use std::fs;
use std::io::{self, IsTerminal, Write};
use std::path::Path;

/// Writes `bytes` to `path`, or to standard output when `path` is `None` or `-`.
pub fn emit(path: Option<&Path>, bytes: &[u8]) -> anyhow::Result<()> {
    match path {
        Some(p) if p != Path::new("-") => write_atomically(p, bytes),
        _ => {
            let mut out = io::stdout().lock();
            match out.write_all(bytes).and_then(|_| out.flush()) {
                Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
                other => other.context("cannot write to standard output"),
            }
        }
    }
}

/// Writes one line of diagnostics to standard error; a closed standard error is ignored
/// (the exit code still tells the outcome).
pub fn diagnostic_line(line: &str) {
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{line}");
}

/// True when output goes to a terminal.
pub fn is_terminal(path: Option<&Path>) -> bool {
    path.is_none_or(|p| p == Path::new("-")) && io::stdout().is_terminal()
}

fn write_atomically(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    // Devices and pipes (`-o /dev/null`, a FIFO) are written in place: renaming over
    // them would replace the device node.
    if fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
        return fs::OpenOptions::new()
            .write(true)
            .open(path)
            .and_then(|mut f| f.write_all(bytes))
            .with_context(|| format!("cannot write {}", path.display()));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("cannot write {}: not a file path", path.display()))?;
    let (tmp, mut file) = create_temporary(dir, &name.to_string_lossy()).with_context(|| {
        format!(
            "cannot write {}: cannot create a temporary file beside it",
            path.display()
        )
    })?;
    let result = (|| -> io::Result<()> {
        // Keep the permissions of a file being replaced.
        if let Ok(meta) = fs::metadata(path) {
            file.set_permissions(meta.permissions())?;
        }
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
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
