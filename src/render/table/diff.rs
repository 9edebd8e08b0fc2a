//! The human-readable diff: the score on both sides, the waterfall of causes, the
//! controls (under `v1` and `pass-rate` the recommendations) that moved, and the
//! resources behind each cause.

use super::{align_right, new_table, row_moves, write_table};
use crate::diff::Diff;
use crate::render::Style;
use crate::text::{fmt2, hundredths, percent, signed, terminal_safe};
use std::io::{self, Write};

/// Resources listed per cause in the table (JSON lists them all).
const LISTED: usize = 20;

/// Writes the diff as text.
pub fn write(diff: &Diff, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let d = &diff.comparison;
    let dates = if d.before_as_of == d.as_of {
        format!("as of {}", d.as_of)
    } else {
        format!("as of {} → {}", d.before_as_of, d.as_of)
    };
    // Only classic weighs scopes; another model is named instead.
    let how = match d.model_shown() {
        Some(model) => format!("model {model}"),
        None => "weights computed".to_string(),
    };
    writeln!(
        out,
        "Secure score {} → {}  ({} points) · {dates} · {how}",
        percent(d.before.percentage),
        percent(d.after.percentage),
        signed(d.change),
    )?;
    if d.model == crate::score::ScoringModel::V1 {
        writeln!(out, "{}", crate::diff::V1_POINTS_NOTE)?;
    }
    let mut t = new_table(style, &["Cause", "Change", "Resources"]);
    for step in &d.waterfall {
        t.add_row(vec![
            step.cause.to_string(),
            signed(step.change),
            step.resources.len().to_string(),
        ]);
    }
    t.add_row(vec!["total".to_string(), signed(d.change), String::new()]);
    align_right(&mut t, &[1, 2]);
    writeln!(out)?;
    write_table(out, &t)?;
    // Rows that moved, and those one side lacks (added or removed by the catalog).
    let moved: Vec<_> = d
        .rows()
        .iter()
        .filter(|c| hundredths(c.change) != 0 || c.before.is_none() || c.after.is_none())
        .collect();
    if moved.is_empty() {
        writeln!(out, "\nNo {}'s current score moved.", d.row_kind())?;
    } else {
        let rows = moved
            .into_iter()
            .map(|c| (c.name.as_deref(), c.id.as_str(), c.before, c.after, c.change));
        let header = if d.model.ranks_recommendations() {
            "Recommendation"
        } else {
            "Control"
        };
        writeln!(out)?;
        write_table(out, &row_moves(style, [header, "Before", "After"], rows))?;
    }
    for step in d.waterfall.iter().filter(|s| !s.resources.is_empty()) {
        writeln!(out, "\n{} ({}):", step.cause, step.resources.len())?;
        for r in step.resources.iter().take(LISTED) {
            writeln!(out, "  {}", terminal_safe(r))?;
        }
        if step.resources.len() > LISTED {
            writeln!(
                out,
                "  … and {} more (all in --format json)",
                step.resources.len() - LISTED
            )?;
        }
        if let Some(controls) = step.controls.as_ref().filter(|c| !c.is_empty()) {
            writeln!(out, "  controls changed: {}", terminal_safe(&controls.join(", ")))?;
        }
        if let Some(recs) = step.recommendations.as_ref().filter(|r| !r.is_empty()) {
            writeln!(
                out,
                "  recommendations changed: {}",
                terminal_safe(&recs.join(", "))
            )?;
        }
    }
    if let Some(g) = &diff.gate {
        writeln!(
            out,
            "\nGate max-drop {}: {}",
            fmt2(g.max_drop),
            if g.passed { "passed" } else { "FAILED" }
        )?;
    }
    Ok(())
}
