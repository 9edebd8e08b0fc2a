//! securescore: Microsoft Defender for Cloud's classic secure score, computed offline from
//! JSON inventories.
//!
//! Data flows one way: inputs are loaded ([`load`]) into a compact [`model::Model`], scored
//! by the pure core ([`score`]), turned into a report value ([`report`]) and rendered
//! ([`render`]). [`run`] is the single entry point of the binary.

// A diagnostic is returned only when input is bad, never on the per-assessment path, so
// its size does not matter and boxing it would only add noise.
#![allow(clippy::result_large_err)]

pub mod catalog;
pub mod cli;
pub mod commands;
pub mod config;
pub mod crosscheck;
pub mod date;
pub mod diag;
pub mod diff;
pub mod digest;
pub mod evaluation;
pub mod explain;
pub mod findings;
pub mod gate;
pub mod groups;
pub mod history;
pub mod ids;
pub mod json_schema;
pub mod listing;
pub mod load;
pub mod local_exemptions;
pub mod model;
pub mod names;
pub mod outcome;
pub mod output;
pub mod plan;
pub mod query;
pub mod render;
pub mod report;
pub mod score;
pub mod select;
pub mod side_by_side;
pub mod text;
pub mod trend;
pub mod validation;

pub use outcome::{Outcome, UsageError};

/// Runs a parsed command line.
pub fn run(cli: cli::Cli) -> anyhow::Result<Outcome> {
    match &cli.command {
        cli::Command::Assess(args) => commands::assess::run(args),
        cli::Command::Diff(args) => commands::diff::run(args),
        cli::Command::Explain(args) => commands::explain::run(args),
        cli::Command::Plan(args) => commands::plan::run(args),
        cli::Command::Trend(args) => commands::trend::run(args),
        cli::Command::Validate(args) => commands::validate::run(args),
        cli::Command::Controls(args) => commands::controls::run(args),
        cli::Command::Completions(args) => commands::completions::run(args),
        cli::Command::Man(args) => commands::man::run(args),
        cli::Command::Schema(args) => commands::schema::run(args),
        cli::Command::Query(args) => commands::query::run(args),
    }
}
