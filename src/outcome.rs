//! How a command ends: done (every gate passed), done with failed gates, or not run
//! because the command line cannot run as given. A leaf: the gates and the policy layer
//! produce these, the binary maps them to exit codes.

use std::fmt;

/// How a command that ran ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done, and every gate passed.
    Success,
    /// Done, but gates failed, for the reasons given (one per failed rule).
    GateFailed(Vec<String>),
}

/// A command line that cannot run as given (exit code 2, like an invalid input).
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}
