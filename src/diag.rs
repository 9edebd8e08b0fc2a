//! Diagnostics: input errors and warnings, each with where it was found.

use serde::Serialize;
use std::fmt;

/// Where something was read: the input, and a line and column or a JSON path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub path: Option<String>,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(path) = &self.path {
            write!(f, " ({path})")?;
        }
        Ok(())
    }
}

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

/// One problem found in the inputs (or, for warnings, in how they can be scored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub level: Level,
    /// A stable identifier of the kind of problem.
    pub code: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub path: Option<String>,
}

impl Diagnostic {
    /// An error with no location yet.
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Error,
            code,
            message: message.into(),
            file: None,
            line: None,
            column: None,
            path: None,
        }
    }

    /// A warning with no location yet.
    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            level: Level::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// The same diagnostic, located at `origin`.
    pub fn at(mut self, origin: Origin) -> Diagnostic {
        self.file = Some(origin.file);
        self.line = origin.line;
        self.column = origin.column;
        self.path = origin.path;
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut located = false;
        if let Some(file) = &self.file {
            write!(f, "{file}")?;
            if let Some(line) = self.line {
                write!(f, ":{line}")?;
                if let Some(col) = self.column {
                    write!(f, ":{col}")?;
                }
            }
            located = true;
        }
        if let Some(path) = &self.path {
            write!(f, "{}{path}", if located { ": " } else { "" })?;
            located = true;
        }
        if located {
            write!(f, ": ")?;
        }
        write!(f, "{}", self.message)
    }
}

/// The most errors kept in memory; later ones are only counted.
const MAX_KEPT: usize = 1000;

/// How far a run's diagnostics went at one moment ([`Diagnostics::mark`]).
#[derive(Clone, Copy, Debug)]
pub struct DiagnosticsMark {
    items: usize,
    errors: usize,
    dropped: usize,
}

/// Every diagnostic of a run, in the order found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    errors: usize,
    dropped: usize,
}

impl Diagnostics {
    /// Records a diagnostic.
    pub fn push(&mut self, d: Diagnostic) {
        if d.level == Level::Error {
            self.errors += 1;
        }
        if self.items.len() < MAX_KEPT {
            self.items.push(d);
        } else {
            self.dropped += 1;
        }
    }

    /// A mark of how far the diagnostics go now, to [`Diagnostics::roll_back`] to.
    pub fn mark(&self) -> DiagnosticsMark {
        DiagnosticsMark {
            items: self.items.len(),
            errors: self.errors,
            dropped: self.dropped,
        }
    }

    /// Withdraws every diagnostic recorded after `mark` (the loader reading its inputs
    /// again the exact way when a fast scanner's guess proved wrong part-way).
    pub fn roll_back(&mut self, mark: DiagnosticsMark) {
        self.items.truncate(mark.items);
        self.errors = mark.errors;
        self.dropped = mark.dropped;
    }

    /// The number of errors, including those not kept.
    pub fn error_count(&self) -> usize {
        self.errors
    }

    /// How many diagnostics were counted but not kept.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// The kept diagnostics.
    pub fn items(&self) -> &[Diagnostic] {
        &self.items
    }

    /// Orders the diagnostics by input (in `inputs` order), then line and column; those
    /// without a place keep their order, after the located ones.
    pub fn sort_by_location(&mut self, inputs: &[String]) {
        self.items.sort_by_key(|d| {
            let file = d.file.as_ref().map_or(usize::MAX, |f| {
                inputs.iter().position(|i| i == f).unwrap_or(usize::MAX)
            });
            (file, d.line.unwrap_or(usize::MAX), d.column.unwrap_or(0))
        });
    }

    /// Withdraws the warnings of `code`: what they warn of turned out not to matter
    /// (errors are never withdrawn).
    pub fn withdraw_warnings(&mut self, code: &str) {
        self.items.retain(|d| d.level == Level::Error || d.code != code);
    }

    /// Makes every kept warning an error (`--strict`); returns how many there were.
    pub fn escalate_warnings(&mut self) -> usize {
        let mut escalated = 0;
        for d in self.items.iter_mut().filter(|d| d.level == Level::Warning) {
            d.level = Level::Error;
            escalated += 1;
        }
        self.errors += escalated;
        escalated
    }

    /// The kept warnings.
    pub fn warnings(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter().filter(|d| d.level == Level::Warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the warnings of the code go; an error of the same code and other warnings stay.
    #[test]
    fn withdrawing_warnings_keeps_errors_and_other_codes() {
        let mut diags = Diagnostics::default();
        diags.push(Diagnostic::warning("a", "first"));
        diags.push(Diagnostic::error("a", "second"));
        diags.push(Diagnostic::warning("b", "third"));
        diags.withdraw_warnings("a");
        let left: Vec<&str> = diags.items().iter().map(|d| d.message.as_str()).collect();
        assert_eq!(left, ["second", "third"]);
        assert_eq!(diags.error_count(), 1);
    }
}
