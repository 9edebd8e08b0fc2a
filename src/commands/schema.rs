//! `securescore schema`: the JSON Schema (draft 2020-12) of a document the program
//! reads or writes, generated from the types that read or write it.

use crate::cli::{SchemaArgs, SchemaDocument};
use crate::json_schema::{document, Contract};
use crate::Outcome;

/// The schema of `which`, as a JSON value.
pub fn schema(which: SchemaDocument) -> serde_json::Value {
    match which {
        SchemaDocument::Inventory => document::<crate::load::native::Inventory>(
            Contract::Reads,
            "securescore native inventory",
            "One JSON value of a native inventory (SPEC §2): a document with any of subscriptions, \
             controls, recommendations, resources and assessments; one assessment standing alone \
             (a line of JSON Lines); or an array of them. Other keys are allowed (validate lists \
             them). Azure's exports are read as Azure writes them and are not described here.",
        ),
        SchemaDocument::Report => document::<crate::report::Report>(
            Contract::Writes,
            "securescore report (securescore.report/v1)",
            "The report of `securescore assess --format json`.",
        ),
        SchemaDocument::Snapshot => document::<crate::history::Snapshot>(
            Contract::Writes,
            "securescore history line (securescore.snapshot/v1)",
            "One line of a history file, as `securescore assess --record` appends it.",
        ),
        SchemaDocument::Config => document::<crate::config::ConfigIn>(
            Contract::ReadsToml,
            "securescore configuration (securescore.toml)",
            "The configuration file (SPEC §9): scoring defaults, the policy gate and local \
             exemptions. It describes the TOML file as JSON: a table is an object, and a TOML \
             date or time is a string (a date may be written either way).",
        ),
    }
}

/// Runs `schema`.
pub fn run(args: &SchemaArgs) -> anyhow::Result<Outcome> {
    let mut text = serde_json::to_string_pretty(&schema(args.document))?;
    text.push('\n');
    crate::output::emit(None, text.as_bytes())?;
    Ok(Outcome::Success)
}
