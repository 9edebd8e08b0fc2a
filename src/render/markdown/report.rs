//! The assessment report in markdown: a headline with the score, the model and the
//! gate's verdict; the scopes; the ranked controls, or under `v1` and `pass-rate` the
//! ranked recommendations (`--top`); the groups; then a
//! `<details>` block with the full ranking, the local exemptions in effect and the
//! warnings.

use super::{count, escape, write_table, write_warnings, Align};
use crate::report::{ControlOut, GateOut, GroupOut, LocalExemptionOut, RankedRecommendationOut, Report};
use crate::score::{ScoringModel, WeightSource, Weighting};
use crate::text::{fmt2, hundredths, name_and_id, percent, UNNAMED_SCOPE};
use std::io::{self, Write};

/// Writes the report, the ranked table cut at `top` rows.
pub fn write(report: &Report, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    write_headline(report, out)?;
    write_scopes(report, out)?;
    let ranked = Ranked::of(report);
    write_ranked(&ranked, top, out)?;
    if !ranked.rows.is_empty() && top != Some(0) {
        write_points_note(report, out)?;
    }
    write_groups(report, out)?;
    write_details(report, &ranked, out)
}

/// The ranked rows of the report's model as table rows: its controls (`classic`) or its
/// recommendations (`v1`, `pass-rate`), applicable ones only, in rank order.
struct Ranked {
    /// What a row is, in the singular: `control` or `recommendation`.
    what: &'static str,
    columns: Vec<(&'static str, Align)>,
    rows: Vec<Vec<String>>,
    /// Every row of the report, ranked or not (the details' summary counts them).
    all: usize,
}

impl Ranked {
    fn of(report: &Report) -> Ranked {
        if !report.model.ranks_recommendations() {
            return Ranked {
                what: "control",
                columns: CONTROL_COLUMNS.to_vec(),
                rows: report
                    .control_rows()
                    .iter()
                    .filter(|c| c.rank.is_some())
                    .map(control_row)
                    .collect(),
                all: report.control_rows().len(),
            };
        }
        let v1 = report.model == ScoringModel::V1;
        let columns = RECOMMENDATION_COLUMNS
            .iter()
            .filter(|(name, _)| v1 || !V1_ONLY.contains(name))
            .copied()
            .collect();
        Ranked {
            what: "recommendation",
            columns,
            rows: report
                .recommendation_rows()
                .iter()
                .filter(|r| r.rank.is_some())
                .map(|r| recommendation_row(r, v1))
                .collect(),
            all: report.recommendation_rows().len(),
        }
    }
}

/// The score as the title; the gate's verdict under it when a gate was asked for; then
/// the model and what the score was computed from.
fn write_headline(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let s = &report.score;
    writeln!(
        out,
        "## Secure score{} {}\n",
        crate::render::model_tag(report),
        percent(s.percentage)
    )?;
    if let Some(g) = &report.gate {
        write_gate(g, out)?;
    }
    let mut facts = vec![format!("Model {}", report.model.as_str())];
    let pass_rate = report.model == ScoringModel::PassRate;
    facts.push(match (s.percentage, s.current, s.max) {
        (None, _, _) if report.model.ranks_recommendations() => {
            "no recommendation applies to the selected resources".to_string()
        }
        (None, _, _) => "no control with points applies to the selected resources".to_string(),
        (Some(_), Some(c), Some(m)) if pass_rate => {
            format!("{} of {} recommendations pass", c.round(), m.round())
        }
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

/// Each scope met, with its score: under `classic` with its weight; under a model whose
/// rows are recommendations, its own score (points under `v1`, passed recommendations
/// under `pass-rate`), which no weight combines, and a note when there are several.
fn write_scopes(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    if report.scopes.is_empty() {
        return Ok(());
    }
    let rows: Vec<Vec<String>> = report
        .scopes
        .iter()
        .map(|s| {
            let mut row = vec![
                match &s.id {
                    Some(id) => escape(&name_and_id(s.name.as_deref(), id)),
                    None => UNNAMED_SCOPE.to_string(),
                },
                percent(s.percentage),
            ];
            row.extend(crate::render::scope_points_cells(report.model, s));
            row
        })
        .collect();
    writeln!(out, "\n### Scopes\n")?;
    let columns: &[(&str, Align)] = match report.model {
        ScoringModel::Classic => &[
            ("Scope", Align::Left),
            ("Score", Align::Right),
            ("Points", Align::Right),
            ("Weight", Align::Right),
        ],
        ScoringModel::V1 => &[
            ("Scope", Align::Left),
            ("Score", Align::Right),
            ("Points", Align::Right),
        ],
        ScoringModel::PassRate => &[
            ("Scope", Align::Left),
            ("Score", Align::Right),
            ("Passed", Align::Right),
        ],
    };
    write_table(out, columns, &rows)?;
    match crate::render::scopes_note(report) {
        Some(note) => writeln!(out, "\n{}", escape(&note)),
        None => Ok(()),
    }
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

/// The columns of a table of ranked recommendations (`v1` and `pass-rate`; `pass-rate`
/// has no points, [`V1_ONLY`]).
const RECOMMENDATION_COLUMNS: [(&str, Align); 9] = [
    ("#", Align::Right),
    ("Recommendation", Align::Left),
    ("Severity", Align::Left),
    ("Points", Align::Right),
    ("Current", Align::Right),
    ("Impact", Align::Right),
    ("+Score", Align::Right),
    ("Unhealthy", Align::Right),
    ("Controls", Align::Left),
];

/// The columns of [`RECOMMENDATION_COLUMNS`] only `v1` has.
const V1_ONLY: [&str; 2] = ["Points", "Current"];

/// One ranked recommendation as a row of [`RECOMMENDATION_COLUMNS`] (without
/// [`V1_ONLY`]'s unless `v1`); its controls by name.
fn recommendation_row(r: &RankedRecommendationOut, v1: bool) -> Vec<String> {
    let mut row = vec![
        r.rank.map_or(String::new(), |n| n.to_string()),
        escape(r.name.as_deref().unwrap_or(&r.id)),
        r.severity.unwrap_or("-").to_string(),
    ];
    if v1 {
        row.push(escape(&crate::render::points_cell(r)));
        row.push(fmt2(r.current_score));
    }
    row.push(fmt2(r.potential_increase));
    row.push(format!("+{}%", fmt2(r.potential_increase_percentage)));
    row.push(format!(
        "{} / {}",
        r.unhealthy_resources,
        r.healthy_resources + r.unhealthy_resources
    ));
    let controls: Vec<String> = r.control_names.iter().map(|n| escape(n)).collect();
    row.push(if controls.is_empty() {
        "-".to_string()
    } else {
        controls.join(", ")
    });
    row
}

/// The note on `v1`'s default points under the ranked table, when a row shown has them.
fn write_points_note(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    match crate::render::points_note(report) {
        Some(note) => writeln!(out, "\n{}", escape(&note)),
        None => Ok(()),
    }
}

/// The ranked rows, the first `top` of them, and how many more there are.
fn write_ranked(ranked: &Ranked, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let what = ranked.what;
    let heading = if what == "control" {
        "Controls"
    } else {
        "Recommendations"
    };
    writeln!(out, "\n### {heading}, most to gain first\n")?;
    let rows = &ranked.rows;
    if rows.is_empty() {
        return writeln!(out, "No {what} applies to the selected resources.");
    }
    let shown = top.unwrap_or(rows.len()).min(rows.len());
    let hidden = rows.len() - shown;
    let applicable = format!("applicable {what}");
    if shown == 0 {
        return writeln!(
            out,
            "{} not shown here (--top 0): see the full ranking below.",
            count(hidden, &applicable)
        );
    }
    write_table(out, &ranked.columns, &rows[..shown])?;
    if hidden > 0 {
        writeln!(
            out,
            "\n… and {} more (the full ranking is below).",
            count(hidden, &applicable)
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

/// The full ranking, the rows that do not apply, the local exemptions in effect and
/// the warnings, folded.
fn write_details(report: &Report, ranked: &Ranked, out: &mut dyn Write) -> io::Result<()> {
    let local = report.local_exemptions.as_deref().unwrap_or_default();
    let local_count = if local.is_empty() {
        String::new()
    } else {
        format!(", {}", count(local.len(), "local exemption"))
    };
    writeln!(
        out,
        "\n<details>\n<summary>Full ranking ({}){local_count} and warnings ({})</summary>\n",
        count(ranked.all, ranked.what),
        report.warnings.len()
    )?;
    writeln!(out, "#### Full ranking\n")?;
    if ranked.rows.is_empty() {
        writeln!(out, "No {} applies to the selected resources.", ranked.what)?;
    } else {
        write_table(out, &ranked.columns, &ranked.rows)?;
    }
    crate::render::write_not_applicable(report, |c| escape(c.name.as_deref().unwrap_or(&c.id)), out)?;
    let idle =
        crate::render::not_applicable_recommendations(report, |r| escape(r.name.as_deref().unwrap_or(&r.id)));
    if let Some(line) = idle {
        writeln!(out, "\n{line}")?;
    }
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
