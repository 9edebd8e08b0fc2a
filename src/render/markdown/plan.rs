//! The remediation plan in markdown: where it starts and what it aims at, one row per
//! step, then how it ends.

use super::{escape, write_table, Align};
use crate::plan::Plan;
use crate::text::{fmt2, percent};
use std::io::{self, Write};

/// Writes the plan.
pub fn write(plan: &Plan, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Remediation plan\n")?;
    writeln!(
        out,
        "{}Start {} · {} · as of {}",
        plan.model_named()
            .map_or(String::new(), |m| format!("Model {m} · ")),
        percent(plan.start_percentage),
        plan.goal(),
        escape(&plan.as_of)
    )?;
    if !plan.steps.is_empty() {
        // As in the table: points are on no single scale when several scopes combine.
        let points = plan.steps.iter().any(|s| s.gain_points.is_some());
        let mut columns = vec![
            ("#", Align::Right),
            ("Fix", Align::Left),
            ("Resources", Align::Right),
        ];
        if points {
            columns.push(("Points", Align::Right));
        }
        columns.extend([("Gain", Align::Right), ("Projected", Align::Right)]);
        let rows: Vec<Vec<String>> = plan
            .steps
            .iter()
            .map(|s| {
                let mut row = vec![
                    s.step.to_string(),
                    escape(&s.fix()),
                    s.resources.len().to_string(),
                ];
                if points {
                    row.push(s.gain_points.map_or("-".to_string(), |p| format!("+{}", fmt2(p))));
                }
                row.push(format!("+{}%", fmt2(s.gain_percentage)));
                row.push(percent(s.projected_percentage));
                row
            })
            .collect();
        writeln!(out)?;
        write_table(out, &columns, &rows)?;
    }
    writeln!(out, "\n{}", plan.verdict())?;
    if let Some(note) = crate::render::plan_points_note(plan) {
        writeln!(out, "\n{note}")?;
    }
    if !plan.steps.is_empty() {
        writeln!(out, "\nThe resources of each step are listed with --format json.")?;
    }
    Ok(())
}
