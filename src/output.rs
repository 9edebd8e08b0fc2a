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
    let tmp = dir.join(format!(".{}.{}.tmp", name.to_string_lossy(), std::process::id()));
    let result = (|| -> io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}
