//! `assess --model all` as text: each model's headline score, then each model's top rows
//! in adjacent columns, then what their tops have in common.

use super::{align_right, new_table, paint, score_color, write_table, Grid};
use crate::render::Style;
use crate::report::Report;
use crate::score::ScoringModel;
use crate::side_by_side::{shared, top_rows, SideBySide, TopRow, DEFAULT_TOP};
use crate::text::{fmt2, percent, terminal_safe};
use std::io::{self, Write};

/// What a model's rows are and whose score it is, in a few words.
fn describe(model: ScoringModel) -> &'static str {
    match model {
        ScoringModel::Classic => "Defender for Cloud: controls",
        ScoringModel::V1 => "Defender 2018-2020: points",
        ScoringModel::PassRate => "Security Hub: passing",
    }
}

/// The headline table: one line per model.
fn headline_table(view: &SideBySide, style: Style) -> Grid {
    let mut t = new_table(style, &["Model", "Score", "Of", "Scored by"]);
    for r in &view.reports {
        let score = match r.score.percentage {
            Some(p) => paint(&format!("{}%", fmt2(p)), score_color(p), style.color),
            None => "n/a".to_string(),
        };
        let points = match (r.model, r.score.current, r.score.max) {
            (ScoringModel::PassRate, Some(c), Some(m)) => format!("{c} / {m} pass"),
            (_, Some(c), Some(m)) => format!("{} / {}", fmt2(c), fmt2(m)),
            _ => "-".to_string(),
        };
        let mut scored_by = describe(r.model).to_string();
        if r.model.weighs_scopes() && r.weighting != crate::score::Weighting::Resources {
            scored_by.push_str(&format!(", {} weighting", r.weighting.as_str()));
        }
        t.add_row(vec![r.model.as_str().to_string(), score, points, scored_by]);
    }
    align_right(&mut t, &[1, 2]);
    t
}

/// With `--group-by`: each group's score under each model, in the first report's group
/// order (lowest classic score first).
fn group_table(view: &SideBySide, style: Style) -> Option<Grid> {
    let first = view.reports.first()?.groups.as_ref()?;
    let by = first.first().map_or(String::new(), |g| g.by.clone());
    let header: Vec<String> = std::iter::once(format!("Group ({by})"))
        .chain(view.reports.iter().map(|r| r.model.as_str().to_string()))
        .collect();
    let header_refs: Vec<&str> = header.iter().map(String::as_str).collect();
    let mut t = new_table(style, &header_refs);
    for g in first {
        let mut cells = vec![g
            .id
            .as_deref()
            .map_or("(none)".to_string(), |id| terminal_safe(id).into_owned())];
        for r in &view.reports {
            let same = r.groups.iter().flatten().find(|o| o.id == g.id);
            cells.push(percent(same.and_then(|o| o.score.percentage)));
        }
        t.add_row(cells);
    }
    let columns: Vec<usize> = (1..=view.reports.len()).collect();
    align_right(&mut t, &columns);
    Some(t)
}

/// A top row as a cell: its name (or id).
fn row_name(row: &TopRow) -> String {
    terminal_safe(row.name.as_deref().unwrap_or(&row.id)).into_owned()
}

/// Each model's top `n` rows side by side: rank, then a name and +Score per model.
fn top_table(tops: &[(ScoringModel, Vec<TopRow>)], n: usize, style: Style) -> Grid {
    let headers: Vec<String> = std::iter::once("#".to_string())
        .chain(
            tops.iter()
                .flat_map(|(m, _)| [m.as_str().to_string(), "+Score".to_string()]),
        )
        .collect();
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    let mut t = new_table(style, &header_refs);
    for i in 0..n {
        let mut cells = vec![(i + 1).to_string()];
        for (_, rows) in tops {
            match rows.get(i) {
                Some(r) => cells.extend([row_name(r), format!("+{}%", fmt2(r.gain))]),
                None => cells.extend([String::new(), String::new()]),
            }
        }
        t.add_row(cells);
    }
    let gains: Vec<usize> = (0..tops.len()).map(|k| 2 + 2 * k).collect();
    align_right(&mut t, &[&[0][..], &gains].concat());
    t
}

/// What the tops share, as sentences: the recommendations both recommendation models
/// put in their top, and those of v1's top that classic's top controls hold.
fn agreement(tops: &[(ScoringModel, Vec<TopRow>)], n: usize) -> Vec<String> {
    let top = |m: ScoringModel| {
        tops.iter()
            .find(|(k, _)| *k == m)
            .map(|(_, rows)| rows.as_slice())
    };
    let mut lines = Vec::new();
    if let (Some(v1), Some(pass)) = (top(ScoringModel::V1), top(ScoringModel::PassRate)) {
        let both = shared(v1, pass);
        lines.push(format!(
            "v1 and pass-rate share {} of their top {n} recommendations{}",
            both.len(),
            listed(&both)
        ));
    }
    if let (Some(v1), Some(classic)) = (top(ScoringModel::V1), top(ScoringModel::Classic)) {
        let held = shared(v1, classic);
        lines.push(format!(
            "classic's top {n} controls hold {} of v1's top {n} recommendations{}",
            held.len(),
            listed(&held)
        ));
    }
    lines
}

/// `: a, b` for a non-empty list of ids, else nothing.
fn listed(ids: &[String]) -> String {
    if ids.is_empty() {
        String::new()
    } else {
        let safe: Vec<String> = ids.iter().map(|id| terminal_safe(id).into_owned()).collect();
        format!(": {}", safe.join(", "))
    }
}

/// The line saying v1's points are securescore's default where any of its rows uses it.
fn points_note(v1: Option<&Report>) -> Option<&'static str> {
    let defaulted = v1?
        .recommendation_rows()
        .iter()
        .any(|r| r.points_from == Some("severity"));
    defaulted.then_some(
        "v1 points by severity are securescore's default (critical 50, high 40, medium 20, low 5, \
         unknown 20): Microsoft never published its mapping; a recommendation's `points` overrides it.",
    )
}

/// Writes the side-by-side view.
pub fn write(view: &SideBySide, style: Style, top: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    let n = top.unwrap_or(DEFAULT_TOP);
    let first = view.reports.first();
    writeln!(out, "Secure score under each model")?;
    if let Some(r) = first {
        let scopes = r.scopes.len();
        writeln!(
            out,
            "{} resource{} assessed · {} scope{} · as of {}",
            r.score.resources,
            if r.score.resources == 1 { "" } else { "s" },
            scopes,
            if scopes == 1 { "" } else { "s" },
            r.as_of
        )?;
    }
    writeln!(out)?;
    write_table(out, &headline_table(view, style))?;
    if let Some(t) = group_table(view, style) {
        writeln!(out)?;
        write_table(out, &t)?;
    }
    let tops: Vec<(ScoringModel, Vec<TopRow>)> =
        view.reports.iter().map(|r| (r.model, top_rows(r, n))).collect();
    let shown = tops.iter().map(|(_, rows)| rows.len()).max().unwrap_or(0);
    if shown == 0 {
        let why = if n == 0 {
            "--top 0: no ranked row is shown."
        } else {
            "No model has a ranked row in the selection."
        };
        writeln!(out, "\n{why}")?;
        return Ok(());
    }
    writeln!(
        out,
        "\nTop {n} of each model: classic ranks controls, v1 and pass-rate rank\n\
         recommendations; +Score is what each would add to its model's score."
    )?;
    write_table(out, &top_table(&tops, shown, style))?;
    writeln!(out)?;
    for line in agreement(&tops, n) {
        writeln!(out, "{line}.")?;
    }
    if let Some(note) = points_note(view.report("v1")) {
        writeln!(out, "{note}")?;
    }
    Ok(())
}
