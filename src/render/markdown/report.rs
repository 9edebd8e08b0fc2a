//! The assessment report in markdown: a headline with the score, the model and the
//! gate's verdict; the scopes; the ranked controls (`--top`); the groups; then a
//! `<details>` block with the full ranking, the local exemptions in effect and the
//! warnings.

use super::{count, escape, write_table, write_warnings, Align};
use crate::report::{ControlOut, GateOut, GroupOut, LocalExemptionOut, Report};
use crate::score::{WeightSource, Weighting};
use crate::text::{fmt2, hundredths, name_and_id, percent, UNNAMED_SCOPE};
use std::io::{self, Write};

/// Writes the report, the ranked table cut at `top` controls.
pub fn write(report: &Report, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    write_headline(report, out)?;
    write_scopes(report, out)?;
    let ranked: Vec<&ControlOut> = report
        .control_rows()
        .iter()
        .filter(|c| c.rank.is_some())
        .collect();
    write_ranked(&ranked, top, out)?;
    write_groups(report, out)?;
    write_details(report, &ranked, out)
}

/// The score as the title; the gate's verdict under it when a gate was asked for; then
/// the model and what the score was computed from.
fn write_headline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.score;
    writeln!(out, "## Secure score {}\n", percent(s.percentage))?;
    if let Some(g) = &report.gate {
        write_gate(g, out)?;
    }
    let mut facts = vec![format!("Model {}", report.model.as_str())];
    facts.push(match (s.percentage, s.current, s.max) {
        (None, _, _) => "no control with points applies to the selected resources".to_string(),
        (Some(_), Some(c), Some(m)) => format!("{} of {} points", fmt2(c), fmt2(m)),
        (Some(_), _, _) => format!("weighted mean of {} scopes by {}", s.scopes, weights(report)),
    });
    facts.push(format!("{} assessed", count(s.resources, "resource")));
    facts.push(count(report.scopes.len(), "scope"));
    facts.push(format!("as of {}", escape(&report.as_of)));
    if let (Some(raw), Some(p)) = (s.raw_percentage, s.percentage) {
        if hundredths(raw) != hundredths(p) {
            facts.push(format!("{}% without exemptions", fmt2(raw)));
        }
    }
    if let Some(file) = &report.config {
        facts.push(format!("config {}", escape(file)));
    }
    writeln!(out, "{}", facts.join(" · "))
}

/// The gate's verdict: with one rule, in one line (its message, which names the rule and
/// its limit); with several, a table of them.
fn write_gate(g: &GateOut, out: &mut dyn Write) -> io::Result<()> {
    let verdict = if g.passed {
        "✅ **Gate passed**"
    } else {
        "❌ **Gate FAILED**"
    };
    if let [one] = g.rules.as_slice() {
        return writeln!(out, "{verdict}: {}\n", escape(&one.message));
    }
    writeln!(out, "{verdict}\n")?;
    let rows: Vec<Vec<String>> = g
        .rules
        .iter()
        .map(|r| {
            vec![
                escape(&r.label()),
                if r.passed { "passed" } else { "**FAILED**" }.to_string(),
                escape(&r.message),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            ("Rule", Align::Left),
            ("Verdict", Align::Left),
            ("Reason", Align::Left),
        ],
        &rows,
    )?;
    writeln!(out)
}

/// What the scopes were weighted by, in words.
fn weights(report: &Report) -> &'static str {
    match (report.weights, report.weighting) {
        (WeightSource::Exported, _) => "exported secure score weights",
        (WeightSource::Computed, Weighting::Equal) => "equal weights",
        (WeightSource::Computed, w @ (Weighting::Resources | Weighting::Pooled)) => w.as_str(),
    }
}

/// Each scope met, with its score.
fn write_scopes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.scopes.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<String>> = report
        .scopes
        .iter()
        .map(|s| {
            vec![
                match &s.id {
                    Some(id) => escape(&name_and_id(s.name.as_deref(), id)),
                    None => UNNAMED_SCOPE.to_string(),
                },
                percent(s.percentage),
                format!("{} / {}", fmt2(s.current), fmt2(s.max)),
                s.weight.to_string(),
            ]
        })
        .collect();
    writeln!(out, "\n### Scopes\n")?;
    write_table(
        out,
        &[
            ("Scope", Align::Left),
            ("Score", Align::Right),
            ("Points", Align::Right),
            ("Weight", Align::Right),
        ],
        &rows,
    )
}

/// The columns of a table of ranked controls.
const CONTROL_COLUMNS: [(&str, Align); 7] = [
    ("#", Align::Right),
    ("Control", Align::Left),
    ("Max", Align::Right),
    ("Current", Align::Right),
    ("Potential", Align::Right),
    ("+Score", Align::Right),
    ("Unhealthy", Align::Right),
];

/// One ranked control as a row of [`CONTROL_COLUMNS`].
fn control_row(c: &ControlOut) -> Vec<String> {
    vec![
        c.rank.map_or(String::new(), |r| r.to_string()),
        escape(c.name.as_deref().unwrap_or(&c.id)),
        fmt2(c.max_score),
        fmt2(c.current_score),
        fmt2(c.potential_increase),
        format!("+{}%", fmt2(c.potential_increase_percentage)),
        format!(
            "{} / {}",
            c.unhealthy_resources,
            c.healthy_resources + c.unhealthy_resources
        ),
    ]
}

/// The ranked controls, the first `top` of them, and how many more there are.
fn write_ranked(ranked: &[&ControlOut], top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Controls, most to gain first\n")?;
    if ranked.is_empty() {
        return writeln!(out, "No control applies to the selected resources.");
    }
    let shown = top.unwrap_or(ranked.len()).min(ranked.len());
    let hidden = ranked.len() - shown;
    if shown == 0 {
        return writeln!(
            out,
            "{} not shown here (--top 0): see the full ranking below.",
            count(hidden, "applicable control")
        );
    }
    let rows: Vec<Vec<String>> = ranked[..shown].iter().map(|c| control_row(c)).collect();
    write_table(out, &CONTROL_COLUMNS, &rows)?;
    if hidden > 0 {
        writeln!(
            out,
            "\n… and {} more (the full ranking is below).",
            count(hidden, "applicable control")
        )?;
    }
    Ok(())
}

/// Each group's score (`--group-by`).
fn write_groups(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let Some(groups) = &report.groups else {
        return Ok(());
    };
    let by = groups.first().map_or(String::new(), |g| escape(&g.by));
    writeln!(out, "\n### Groups by {by}\n")?;
    if groups.is_empty() {
        return writeln!(out, "No group: no assessed resource is selected.");
    }
    let rows: Vec<Vec<String>> = groups.iter().map(group_row).collect();
    write_table(
        out,
        &[
            ("Group", Align::Left),
            ("Score", Align::Right),
            ("Resources", Align::Right),
            ("Scopes", Align::Right),
        ],
        &rows,
    )
}

fn group_row(g: &GroupOut) -> Vec<String> {
    vec![
        g.id.as_deref().map_or("(none)".to_string(), escape),
        percent(g.score.percentage),
        g.score.resources.to_string(),
        g.score.scopes.to_string(),
    ]
}

/// The full ranking, the controls that do not apply, the local exemptions in effect and
/// the warnings, folded.
fn write_details(report: &Report, ranked: &[&ControlOut], out: &mut dyn Write) -> io::Result<()> {
    let local = report.local_exemptions.as_deref().unwrap_or_default();
    let local_count = if local.is_empty() {
        String::new()
    } else {
        format!(", {}", count(local.len(), "local exemption"))
    };
    writeln!(
        out,
        "\n<details>\n<summary>Full ranking ({}){local_count} and warnings ({})</summary>\n",
        count(report.control_rows().len(), "control"),
        report.warnings.len()
    )?;
    writeln!(out, "#### Full ranking\n")?;
    if ranked.is_empty() {
        writeln!(out, "No control applies to the selected resources.")?;
    } else {
        let rows: Vec<Vec<String>> = ranked.iter().map(|c| control_row(c)).collect();
        write_table(out, &CONTROL_COLUMNS, &rows)?;
    }
    crate::render::write_not_applicable(report, |c| escape(c.name.as_deref().unwrap_or(&c.id)), out)?;
    write_local_exemptions(report.config.as_deref().unwrap_or_default(), local, out)?;
    writeln!(out, "\n#### Warnings\n")?;
    write_warnings(out, &report.warnings)?;
    writeln!(out, "\n</details>")
}

/// The configuration's exemptions in effect, with the line each starts on; nothing when
/// there is none.
fn write_local_exemptions(file: &str, rows: &[LocalExemptionOut], out: &mut dyn Write) -> io::Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n#### Local exemptions in effect ({})\n", escape(file))?;
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|e| {
            vec![
                e.line.to_string(),
                escape(&e.recommendation),
                escape(&e.resource),
                e.category.to_string(),
                escape(&e.expires),
                e.assessments.to_string(),
                escape(&e.reason),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            ("Line", Align::Right),
            ("Recommendation", Align::Left),
            ("Resource", Align::Left),
            ("Category", Align::Left),
            ("Until", Align::Left),
            ("Assessments", Align::Right),
            ("Reason", Align::Left),
        ],
        &rows,
    )
}
