//! `securescore controls`: the built-in control catalog.

use super::{emit, style};
use crate::catalog::Catalog;
use crate::cli::{ControlsArgs, TextFormat};
use crate::render::{self, table};
use crate::text::{fmt2, terminal_safe};
use crate::Outcome;
use serde::Serialize;

#[derive(Serialize)]
struct CatalogOut<'a> {
    schema: &'static str,
    total_max_score: f64,
    controls: Vec<ControlOut<'a>>,
}

#[derive(Serialize)]
struct ControlOut<'a> {
    id: &'a str,
    name: Option<&'a str>,
    max_score: f64,
    members: usize,
    recommendations: &'a [String],
}

/// Runs `controls`.
pub fn run(args: &ControlsArgs) -> anyhow::Result<Outcome> {
    let catalog = Catalog::builtin()?;
    let mut controls: Vec<ControlOut> = catalog
        .controls
        .iter()
        .map(|c| ControlOut {
            id: &c.id,
            name: c.name.as_deref(),
            max_score: c.max_score,
            members: c.recommendations.len(),
            recommendations: &c.recommendations,
        })
        .collect();
    controls.sort_by(|a, b| {
        b.max_score
            .total_cmp(&a.max_score)
            .then_with(|| a.name.cmp(&b.name))
    });
    let out = CatalogOut {
        schema: "securescore.controls/v1",
        total_max_score: controls.iter().map(|c| c.max_score).sum(),
        controls,
    };
    let style = style(&args.output);
    emit(&args.output, |buf| match args.format {
        TextFormat::Json => render::json::write(&out, buf),
        TextFormat::Table => {
            let mut t = table::new_table(style, &["Control", "Max", "Members", "Id"]);
            for c in &out.controls {
                t.add_row(vec![
                    terminal_safe(c.name.unwrap_or(c.id)).into_owned(),
                    fmt2(c.max_score),
                    c.members.to_string(),
                    c.id.to_string(),
                ]);
            }
            table::align_right(&mut t, &[1, 2]);
            use std::io::Write;
            writeln!(buf, "{t}")?;
            writeln!(
                buf,
                "{} built-in controls, {} points in all (membership: a 2021 snapshot of Defender for Cloud)",
                out.controls.len(),
                fmt2(out.total_max_score)
            )
        }
    })?;
    Ok(Outcome::Success)
}
