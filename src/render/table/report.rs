//! The human-readable report: a headline, the ranked triage table of controls (under
//! `v1` and `pass-rate`, of recommendations, with the note on default points), and the
//! rows that do not apply, readable at 80 columns.

use super::{align_right, new_table, paint, score_color, write_table, Grid};
use crate::render::Style;
use crate::report::{ControlOut, GateRuleOut, GroupOut, LocalExemptionOut, RankedRecommendationOut, Report};
use crate::score::{ScoringModel, WeightSource, Weighting};
use crate::text::{fmt2, terminal_safe};
use comfy_table::{Cell, Color};
use std::io::{self, Write};

fn headline(report: &Report, style: Style) -> String {
    let s = &report.score;
    let tag = crate::render::model_tag(report);
    let mut out = match s.percentage {
        Some(p) => {
            let pct = paint(
                &format!("{}%", fmt2(p)),
                &format!("1;{}", score_color(p)),
                style.color,
            );
            match (s.current, s.max) {
                (Some(c), Some(m)) if report.model == ScoringModel::PassRate => format!(
                    "Secure score{tag} {pct}  ({} of {} recommendations pass)",
                    c.round(),
                    m.round()
                ),
                (Some(c), Some(m)) => format!("Secure score{tag} {pct}  ({} of {} points)", fmt2(c), fmt2(m)),
                _ => format!(
                    "Secure score {pct}  (weighted mean of {} scopes, by {})",
                    s.scopes,
                    match (report.weights, report.weighting) {
                        (WeightSource::Exported, _) => "exported secure score weights",
                        (WeightSource::Computed, Weighting::Equal) => "equal weights",
                        (WeightSource::Computed, w @ (Weighting::Resources | Weighting::Pooled)) =>
                            w.as_str(),
                    }
                ),
            }
        }
        None if report.model.ranks_recommendations() => {
            format!("Secure score{tag} n/a  (no recommendation applies to the selected resources)")
        }
        None => "Secure score n/a  (no control with points applies to the selected resources)".to_string(),
    };
    let scopes_met = report.scopes.len();
    out.push_str(&format!(
        "\n{} resource{} assessed · {} scope{} · as of {}",
        s.resources,
        if s.resources == 1 { "" } else { "s" },
        scopes_met,
        if scopes_met == 1 { "" } else { "s" },
        report.as_of
    ));
    if let (Some(raw), Some(p)) = (s.raw_percentage, s.percentage) {
        if crate::text::hundredths(raw) != crate::text::hundredths(p) {
            out.push_str(&format!(" · {}% without exemptions", fmt2(raw)));
        }
    }
    if let Some(file) = &report.config {
        out.push_str(&format!(" · config {}", terminal_safe(file)));
    }
    if let Some(g) = &report.gate {
        // The verdicts belong at the top, where a reader of a long table looks first.
        for rule in &g.rules {
            out.push_str(&format!(
                "\n{} ({})",
                gate_verdict(rule, style),
                terminal_safe(&rule.message)
            ));
        }
    }
    out
}

/// `Gate --fail-under PCT: passed` or `…: FAILED` (one gate rule), coloured.
fn gate_verdict(rule: &GateRuleOut, style: Style) -> String {
    let verdict = if rule.passed {
        paint("passed", "32", style.color)
    } else {
        paint("FAILED", "1;31", style.color)
    };
    format!("Gate {}: {verdict}", terminal_safe(&rule.label()))
}

/// The scopes, when there are several: under `classic` with their weights; under a
/// model whose rows are recommendations each its own score (points under `v1`, passed
/// recommendations under `pass-rate`), which no weight combines.
fn scope_table(report: &Report, style: Style) -> Option<Grid> {
    if report.scopes.len() < 2 {
        return None;
    }
    let header: &[&str] = match report.model {
        ScoringModel::Classic => &["Scope", "Score", "Points", "Weight"],
        ScoringModel::V1 => &["Scope", "Score", "Points"],
        ScoringModel::PassRate => &["Scope", "Score", "Passed"],
    };
    let mut t = new_table(style, header);
    for s in &report.scopes {
        let label = match &s.id {
            Some(id) => terminal_safe(&crate::text::name_and_id(s.name.as_deref(), id)).into_owned(),
            None => crate::text::UNNAMED_SCOPE.to_string(),
        };
        let mut row = vec![
            label,
            s.percentage
                .map_or("n/a".to_string(), |p| format!("{}%", fmt2(p))),
        ];
        row.extend(crate::render::scope_points_cells(report.model, s));
        t.add_row(row);
    }
    align_right(&mut t, &[1, 2, 3]);
    Some(t)
}

fn control_name(c: &ControlOut) -> String {
    terminal_safe(c.name.as_deref().unwrap_or(&c.id)).into_owned()
}

fn control_table(report: &Report, style: Style, top: Option<usize>) -> (Grid, usize) {
    let mut t = new_table(
        style,
        &[
            "#",
            "Control",
            "Max",
            "Current",
            "Potential",
            "+Score",
            "Unhealthy",
        ],
    );
    let ranked: Vec<&ControlOut> = report
        .control_rows()
        .iter()
        .filter(|c| c.rank.is_some())
        .collect();
    let shown = top.unwrap_or(ranked.len()).min(ranked.len());
    for c in &ranked[..shown] {
        let unhealthy = unhealthy_cell(c.unhealthy_resources, c.healthy_resources, style);
        t.add_row(vec![
            Cell::new(c.rank.map_or(String::new(), |r| r.to_string())),
            Cell::new(control_name(c)),
            Cell::new(fmt2(c.max_score)),
            Cell::new(fmt2(c.current_score)),
            Cell::new(fmt2(c.potential_increase)),
            Cell::new(format!("+{}%", fmt2(c.potential_increase_percentage))),
            unhealthy,
        ]);
    }
    align_right(&mut t, &[0, 2, 3, 4, 5, 6]);
    (t, ranked.len() - shown)
}

/// A recommendation's cell: its name (its id when it has none), then on a line of its
/// own its severity and the controls that hold it, by name (a column of their own would
/// not fit 80 columns beside the figures).
fn recommendation_cell(r: &RankedRecommendationOut) -> String {
    let controls = if r.control_names.is_empty() {
        "in no control".to_string()
    } else {
        let names: Vec<_> = r.control_names.iter().map(|n| terminal_safe(n)).collect();
        format!("in {}", names.join(", "))
    };
    format!(
        "{}\n{} · {controls}",
        terminal_safe(r.name.as_deref().unwrap_or(&r.id)),
        r.severity.unwrap_or("unknown severity")
    )
}

/// The ranked recommendations (`v1`, `pass-rate`), the first `top` of them, and how
/// many more apply: rank, recommendation (with its severity and controls), `v1`'s
/// points and current score, the impact, `+Score` and unhealthy of applicable resources.
fn recommendation_table(report: &Report, style: Style, top: Option<usize>) -> (Grid, usize) {
    let v1 = report.model == ScoringModel::V1;
    let header: &[&str] = if v1 {
        &[
            "#",
            "Recommendation",
            "Points",
            "Current",
            "Impact",
            "+Score",
            "Unhealthy",
        ]
    } else {
        &["#", "Recommendation", "Impact", "+Score", "Unhealthy"]
    };
    let mut t = new_table(style, header);
    let ranked: Vec<&RankedRecommendationOut> = report
        .recommendation_rows()
        .iter()
        .filter(|r| r.rank.is_some())
        .collect();
    let shown = top.unwrap_or(ranked.len()).min(ranked.len());
    for r in &ranked[..shown] {
        let mut row = vec![
            Cell::new(r.rank.map_or(String::new(), |n| n.to_string())),
            Cell::new(recommendation_cell(r)),
        ];
        if v1 {
            row.push(Cell::new(crate::render::points_cell(r)));
            row.push(Cell::new(fmt2(r.current_score)));
        }
        row.push(Cell::new(fmt2(r.potential_increase)));
        row.push(Cell::new(format!("+{}%", fmt2(r.potential_increase_percentage))));
        row.push(unhealthy_cell(r.unhealthy_resources, r.healthy_resources, style));
        t.add_row(row);
    }
    let numbers: Vec<usize> = (2..header.len()).chain([0]).collect();
    align_right(&mut t, &numbers);
    (t, ranked.len() - shown)
}

/// "unhealthy / applicable", red when any is unhealthy and green when none is (with
/// colour).
fn unhealthy_cell(unhealthy: u64, healthy: u64, style: Style) -> Cell {
    let cell = Cell::new(format!("{unhealthy} / {}", healthy + unhealthy));
    if !style.color {
        return cell;
    }
    cell.fg(if unhealthy > 0 { Color::Red } else { Color::Green })
}

/// A local exemption in effect, on one line (ids are long and never cut, so a table
/// would wrap them): where it is, what it does to which assessments, until when, and why.
fn local_exemption_line(e: &LocalExemptionOut) -> String {
    let done = if e.category == "waiver" {
        "waived"
    } else {
        "mitigated"
    };
    format!(
        "  line {}: {} on {} {done} until {} ({} assessment{}): {}",
        e.line,
        terminal_safe(&e.recommendation),
        terminal_safe(&e.resource),
        e.expires,
        e.assessments,
        if e.assessments == 1 { "" } else { "s" },
        terminal_safe(&e.reason)
    )
}

fn group_table(groups: &[GroupOut], style: Style) -> Grid {
    let by = groups.first().map_or(String::new(), |g| g.by.clone());
    let header = format!("Group ({by})");
    let mut t = new_table(style, &[header.as_str(), "Score", "Resources", "Scopes"]);
    for g in groups {
        t.add_row(vec![
            g.id.as_deref()
                .map_or("(none)".to_string(), |id| terminal_safe(id).into_owned()),
            g.score
                .percentage
                .map_or("n/a".to_string(), |p| format!("{}%", fmt2(p))),
            g.score.resources.to_string(),
            g.score.scopes.to_string(),
        ]);
    }
    align_right(&mut t, &[1, 2, 3]);
    t
}

/// The ranked controls (`classic`), then those that do not apply.
fn write_controls(report: &Report, style: Style, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let (table, hidden) = control_table(report, style, top);
    let applicable = report.control_rows().iter().filter(|c| c.rank.is_some()).count();
    write_ranked(&table, applicable, hidden, "control", out)?;
    crate::render::write_not_applicable(report, control_name, out)
}

/// The ranked recommendations (`v1`, `pass-rate`), the note on default points, then
/// those that do not apply.
fn write_recommendations(
    report: &Report,
    style: Style,
    top: Option<usize>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (table, hidden) = recommendation_table(report, style, top);
    let applicable = report
        .recommendation_rows()
        .iter()
        .filter(|r| r.rank.is_some())
        .count();
    write_ranked(&table, applicable, hidden, "recommendation", out)?;
    if hidden < applicable {
        if let Some(note) = crate::render::points_note(report) {
            writeln!(out, "{note}")?;
        }
    }
    let idle = crate::render::not_applicable_recommendations(report, |r| {
        terminal_safe(r.name.as_deref().unwrap_or(&r.id)).into_owned()
    });
    match idle {
        Some(line) => writeln!(out, "\n{line}"),
        None => Ok(()),
    }
}

/// The ranked table of `applicable` rows (`what`: control or recommendation), `hidden`
/// of them cut by `--top`; a sentence instead when none applies or none is shown.
fn write_ranked(
    table: &Grid,
    applicable: usize,
    hidden: usize,
    what: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    if applicable == 0 {
        writeln!(out, "\nNo {what} applies to the selected resources.")?;
    } else if hidden == applicable {
        // `--top 0`: a table of headers alone says nothing.
        writeln!(
            out,
            "\n{hidden} applicable {what}(s) not shown (--top 0; drop --top to see them)"
        )?;
    } else {
        writeln!(out)?;
        write_table(out, table)?;
        if hidden > 0 {
            writeln!(
                out,
                "… and {hidden} more applicable {what}(s) (drop --top to see all)"
            )?;
        }
    }
    Ok(())
}

/// Writes the report as text.
pub fn write(report: &Report, style: Style, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", headline(report, style))?;
    if let Some(t) = scope_table(report, style) {
        writeln!(out)?;
        write_table(out, &t)?;
        if let Some(note) = crate::render::scopes_note(report) {
            writeln!(out, "{note}")?;
        }
    }
    if report.model.ranks_recommendations() {
        write_recommendations(report, style, top, out)?;
    } else {
        write_controls(report, style, top, out)?;
    }
    match &report.groups {
        Some(groups) if groups.is_empty() => writeln!(out, "\nNo group: no assessed resource is selected.")?,
        Some(groups) => {
            writeln!(out)?;
            write_table(out, &group_table(groups, style))?;
        }
        None => {}
    }
    if let Some(rows) = report.local_exemptions.as_ref().filter(|rows| !rows.is_empty()) {
        let file = report.config.as_deref().map(terminal_safe).unwrap_or_default();
        writeln!(out, "\nLocal exemptions in effect ({file}):")?;
        for e in rows {
            writeln!(out, "{}", local_exemption_line(e))?;
        }
    }
    if !report.warnings.is_empty() {
        let mut codes: Vec<(&str, usize)> = Vec::new();
        for w in &report.warnings {
            match codes.iter_mut().find(|(c, _)| *c == w.code) {
                Some((_, n)) => *n += 1,
                None => codes.push((w.code, 1)),
            }
        }
        codes.sort();
        let list: Vec<String> = codes.iter().map(|(c, n)| format!("{n} {c}")).collect();
        writeln!(
            out,
            "\nWarnings: {} (listed on standard error and in --format json)",
            list.join(", ")
        )?;
    }
    if let Some(g) = &report.gate {
        writeln!(out)?;
        for rule in &g.rules {
            writeln!(out, "{}", gate_verdict(rule, style))?;
        }
    }
    Ok(())
}
