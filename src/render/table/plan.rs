//! The human-readable remediation plan: one row per step, then whether the target is
//! reached.

use super::{align_right, new_table, write_table};
use crate::plan::Plan;
use crate::render::Style;
use crate::text::{fmt2, name_and_id, names_and_ids, percent, terminal_safe};
use std::io::{self, Write};

/// Writes the plan as text.
pub fn write(plan: &Plan, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let goal = match plan.target {
        Some(t) => format!("target {}%", fmt2(t)),
        None => format!("{} step(s) asked for", plan.max_steps.unwrap_or(plan.steps.len())),
    };
    writeln!(
        out,
        "Remediation plan · start {} · {goal} · as of {}",
        percent(plan.start_percentage),
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
            let what = match &s.control {
                Some(c) => format!(
                    "every failing recommendation of {}: {}",
                    name_and_id(s.name.as_deref(), c),
                    names_and_ids(&s.recommendations, &s.recommendation_names).join("; ")
                ),
                None => {
                    let id = s.recommendations.first().map_or("", String::as_str);
                    name_and_id(s.name.as_deref(), id)
                }
            };
            let mut row = vec![
                s.step.to_string(),
                terminal_safe(&what).into_owned(),
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
    let last = plan
        .steps
        .last()
        .map_or(plan.start_percentage, |s| s.projected_percentage);
    let n = plan.steps.len();
    let verdict = match (plan.target, plan.reached) {
        (Some(t), Some(true)) if n == 0 => format!("\nThe score already reaches the target {}%.", fmt2(t)),
        (Some(t), Some(true)) => format!(
            "\nTarget {}% reached after {n} step{} (projected {}).",
            fmt2(t),
            if n == 1 { "" } else { "s" },
            percent(last)
        ),
        (Some(t), _) => format!(
            "\nTarget {}% is out of reach: after {n} step{} nothing more can be gained (projected {}).",
            fmt2(t),
            if n == 1 { "" } else { "s" },
            percent(last)
        ),
        (None, _) if plan.exhausted => format!(
            "\nNothing more can be gained after {n} step{} (projected {}).",
            if n == 1 { "" } else { "s" },
            percent(last)
        ),
        (None, _) => format!(
            "\nProjected after {n} step{}: {}.",
            if n == 1 { "" } else { "s" },
            percent(last)
        ),
    };
    writeln!(out, "{verdict}")?;
    if !plan.steps.is_empty() {
        writeln!(out, "(The resources of each step are listed with --format json.)")?;
    }
    Ok(())
}
