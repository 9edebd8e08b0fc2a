//! The human-readable remediation plan: one row per step, then whether the target is
//! reached.

use super::{align_right, new_table, write_table};
use crate::plan::Plan;
use crate::render::Style;
use crate::text::{fmt2, percent, terminal_safe};
use std::io::{self, Write};

/// Writes the plan as text.
pub fn write(plan: &Plan, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Remediation plan{} · start {} · {} · as of {}",
        plan.model_named()
            .map_or(String::new(), |m| format!(" · model {m}")),
        percent(plan.start_percentage),
        plan.goal(),
        plan.as_of
    )?;
    if !plan.steps.is_empty() {
        // Points are on no single scale when several scopes combine: then the column
        // would hold only dashes, and its room goes to the headers and the names.
        let points = plan.steps.iter().any(|s| s.gain_points.is_some());
        let header: &[&str] = if points {
            &["#", "Fix", "Resources", "Points", "Gain", "Projected"]
        } else {
            &["#", "Fix", "Resources", "Gain", "Projected"]
        };
        let mut t = new_table(style, header);
        for s in &plan.steps {
            let mut row = vec![
                s.step.to_string(),
                terminal_safe(&s.fix()).into_owned(),
                s.resources.len().to_string(),
            ];
            if points {
                row.push(s.gain_points.map_or("-".to_string(), |p| format!("+{}", fmt2(p))));
            }
            row.push(format!("+{}%", fmt2(s.gain_percentage)));
            row.push(percent(s.projected_percentage));
            t.add_row(row);
        }
        let numeric: Vec<usize> = std::iter::once(0).chain(2..header.len()).collect();
        align_right(&mut t, &numeric);
        writeln!(out)?;
        write_table(out, &t)?;
    }
    writeln!(out, "\n{}", plan.verdict())?;
    if let Some(note) = crate::render::plan_points_note(plan) {
        writeln!(out, "{note}")?;
    }
    if !plan.steps.is_empty() {
        writeln!(out, "(The resources of each step are listed with --format json.)")?;
    }
    Ok(())
}
