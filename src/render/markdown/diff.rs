//! The diff in markdown: before → after as the title, the gate's verdict, the waterfall
//! of causes, the controls (under `v1` and `pass-rate` the recommendations) that moved,
//! then a `<details>` block with the resources
//! behind each cause and the warnings.

use super::{count, escape, write_table, write_warnings, Align};
use crate::diff::Diff;
use crate::text::{fmt2, hundredths, percent, signed};
use std::io::{self, Write};

/// Resources listed per cause (JSON lists them all), as in the table.
const LISTED: usize = 20;

/// Writes the diff.
pub fn write(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let d = &diff.comparison;
    writeln!(
        out,
        "## Secure score {} → {} ({} points)\n",
        percent(d.before.percentage),
        percent(d.after.percentage),
        signed(d.change)
    )?;
    if let Some(g) = &diff.gate {
        let verdict = if g.passed {
            "✅ **Gate passed**"
        } else {
            "❌ **Gate FAILED**"
        };
        writeln!(
            out,
            "{verdict}: max-drop {}, change {} points\n",
            fmt2(g.max_drop),
            signed(d.change)
        )?;
    }
    let dates = if d.before_as_of == d.as_of {
        format!("as of {}", escape(&d.as_of))
    } else {
        format!("as of {} → {}", escape(&d.before_as_of), escape(&d.as_of))
    };
    // Only classic weighs scopes; another model is named instead.
    let how = match d.model_shown() {
        Some(model) => format!("model {model}"),
        None => format!("weighting {} · weights computed", d.weighting),
    };
    writeln!(
        out,
        "{} → {} assessed · {dates} · {how}",
        d.before.resources,
        count(d.after.resources, "resource"),
    )?;
    if d.model == crate::score::ScoringModel::V1 {
        writeln!(out, "\n{}", escape(crate::diff::V1_POINTS_NOTE))?;
    }
    write_waterfall(diff, out)?;
    write_moves(diff, out)?;
    write_details(diff, out)
}

/// Each cause's change, in the waterfall's order, and the total.
fn write_waterfall(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let d = &diff.comparison;
    let mut rows: Vec<Vec<String>> = d
        .waterfall
        .iter()
        .map(|step| {
            vec![
                step.cause.to_string(),
                signed(step.change),
                step.resources.len().to_string(),
            ]
        })
        .collect();
    rows.push(vec![
        "**total**".to_string(),
        format!("**{}**", signed(d.change)),
        String::new(),
    ]);
    writeln!(out, "\n### Why it moved\n")?;
    write_table(
        out,
        &[
            ("Cause", Align::Left),
            ("Change", Align::Right),
            ("Resources", Align::Right),
        ],
        &rows,
    )
}

/// The rows (controls or recommendations) whose current score moved, and those one side
/// lacks.
fn write_moves(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let kind = diff.comparison.row_kind();
    let (title, header) = if diff.comparison.model.ranks_recommendations() {
        ("Recommendations", "Recommendation")
    } else {
        ("Controls", "Control")
    };
    writeln!(out, "\n### {title} that moved\n")?;
    let show = |v: Option<f64>| v.map_or("-".to_string(), fmt2);
    let rows: Vec<Vec<String>> = diff
        .comparison
        .rows()
        .iter()
        .filter(|c| hundredths(c.change) != 0 || c.before.is_none() || c.after.is_none())
        .map(|c| {
            vec![
                escape(c.name.as_deref().unwrap_or(&c.id)),
                show(c.before),
                show(c.after),
                signed(c.change),
            ]
        })
        .collect();
    if rows.is_empty() {
        return writeln!(out, "No {kind}'s current score moved.");
    }
    write_table(
        out,
        &[
            (header, Align::Left),
            ("Before", Align::Right),
            ("After", Align::Right),
            ("Change", Align::Right),
        ],
        &rows,
    )
}

/// The resources behind each cause (the first [`LISTED`]) and the controls the catalog
/// changed, then the warnings, folded.
fn write_details(diff: &Diff, out: &mut dyn Write) -> io::Result<()> {
    let d = &diff.comparison;
    let changed: usize = d.waterfall.iter().map(|s| s.resources.len()).sum();
    writeln!(
        out,
        "\n<details>\n<summary>Resources behind each cause ({changed}) and warnings ({})</summary>\n",
        diff.warnings.len()
    )?;
    writeln!(out, "#### Resources\n")?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    for step in &d.waterfall {
        let cause = step.cause.to_string();
        rows.extend(
            step.resources
                .iter()
                .take(LISTED)
                .map(|r| vec![cause.clone(), escape(r)]),
        );
        if step.resources.len() > LISTED {
            rows.push(vec![
                cause.clone(),
                format!(
                    "… and {} more (all in --format json)",
                    step.resources.len() - LISTED
                ),
            ]);
        }
        if let Some(controls) = step.controls.as_ref().filter(|c| !c.is_empty()) {
            let names: Vec<String> = controls.iter().map(|c| escape(c)).collect();
            rows.push(vec![
                cause.clone(),
                format!("controls changed: {}", names.join(", ")),
            ]);
        }
        if let Some(recs) = step.recommendations.as_ref().filter(|r| !r.is_empty()) {
            let ids: Vec<String> = recs.iter().map(|r| escape(r)).collect();
            rows.push(vec![
                cause,
                format!("recommendations changed: {}", ids.join(", ")),
            ]);
        }
    }
    if rows.is_empty() {
        writeln!(out, "No resource changed.")?;
    } else {
        write_table(out, &[("Cause", Align::Left), ("Resource", Align::Left)], &rows)?;
    }
    writeln!(out, "\n#### Warnings\n")?;
    write_warnings(out, &diff.warnings)?;
    writeln!(out, "\n</details>")
}
