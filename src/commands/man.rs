//! `securescore man`: the manual pages, generated from the command line's own
//! definition: the program's page (or one command's) on standard output, or every page
//! written into a folder, all or none (each file atomically).

use crate::cli::{man_pages, ManArgs};
use crate::{Outcome, UsageError};
use anyhow::Context;

/// Runs `man`.
pub fn run(args: &ManArgs) -> anyhow::Result<Outcome> {
    let pages = man_pages().context("cannot render the manual pages")?;
    if let Some(dir) = &args.dir {
        if !dir.is_dir() {
            return Err(UsageError(format!("{} is not a folder", dir.display())).into());
        }
        let paths: Vec<_> = pages.iter().map(|p| dir.join(&p.file_name)).collect();
        let outputs: Vec<_> = paths
            .iter()
            .zip(&pages)
            .map(|(path, page)| (Some(path.as_path()), page.roff.as_slice()))
            .collect();
        crate::output::emit_all(&outputs)?;
        return Ok(Outcome::Success);
    }
    let wanted = match &args.command {
        Some(command) => format!("securescore-{command}.1"),
        None => "securescore.1".to_string(),
    };
    let Some(page) = pages.iter().find(|p| p.file_name == wanted) else {
        let names: Vec<&str> = pages
            .iter()
            .filter_map(|p| p.file_name.strip_prefix("securescore-")?.strip_suffix(".1"))
            .collect();
        return Err(UsageError(format!(
            "no command {:?}: expected one of {}",
            args.command.as_deref().unwrap_or_default(),
            names.join(", ")
        ))
        .into());
    };
    crate::output::emit(None, &page.roff)?;
    Ok(Outcome::Success)
}
