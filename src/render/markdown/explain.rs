//! The explanation of one control in markdown: its arithmetic, then its recommendations
//! (with what to do about the failing ones), unhealthy resources and exemptions; or,
//! under `v1` and `pass-rate`, of one recommendation: its points, its arithmetic overall
//! and in each scope's own score, and what to do about it.

use super::{count, escape, write_table, Align};
use crate::explain::{
    ControlExplained, Explanation, RecommendationExplained, ScopeShare, Subject, EXPIRY_WINDOW_DAYS,
    SCOPES_DO_NOT_ADD_UP,
};
use crate::score::Weighting;
use crate::text::{capitalised, compact, name_and_id, names_and_ids, percent, UNNAMED_SCOPE};
use std::io::{self, Write};

/// Unhealthy resources listed (JSON lists them all): a comment stays readable.
const LISTED: usize = 100;

/// Writes the explanation.
pub fn write(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    match &e.subject {
        Subject::Control(c) => {
            let row = &c.control;
            writeln!(out, "## {}\n", escape(&name_and_id(row.name.as_deref(), &row.id)))?;
            writeln!(
                out,
                "{} · max {} · overall score {} · as of {}",
                row.rank.map_or("Not ranked".to_string(), |r| format!("Rank {r}")),
                compact(row.max_score),
                percent(e.overall_percentage),
                escape(&e.as_of)
            )?;
            write_arithmetic(e, c, out)?;
            write_recommendations(c, out)?;
        }
        Subject::Recommendation(r) => write_recommendation(e, r, out)?,
    }
    write_unhealthy(e, out)?;
    write_exemptions(e, out)
}

/// A recommendation under `v1` or `pass-rate`: the headline (naming the model), its
/// arithmetic, each scope's own figures when there are several, and how to fix it.
fn write_recommendation(e: &Explanation, r: &RecommendationExplained, out: &mut dyn Write) -> io::Result<()> {
    let row = &r.recommendation.row;
    let model = e.model;
    writeln!(out, "## {}\n", escape(&name_and_id(row.name.as_deref(), &row.id)))?;
    writeln!(
        out,
        "Model {} · {} · {} · overall score {} · as of {}",
        model.as_str(),
        row.rank.map_or("Not ranked".to_string(), |n| format!("Rank {n}")),
        row.severity.unwrap_or("no severity"),
        percent(e.overall_percentage),
        escape(&e.as_of)
    )?;
    writeln!(out, "\n### Arithmetic\n")?;
    if let Some(points) = r.points_source() {
        writeln!(out, "- Points: {points}.")?;
    }
    writeln!(out, "- {}.", capitalised(&r.arithmetic(model)))?;
    writeln!(out, "- The {} score: {}.", model.as_str(), r.total(model))?;
    if row.controls.is_empty() {
        writeln!(out, "- In no control.")?;
    } else {
        let labels = names_and_ids(&row.controls, &r.recommendation.control_names);
        writeln!(out, "- In control(s): {}.", escape(&labels.join("; ")))?;
    }
    if r.scopes.len() > 1 {
        writeln!(out, "\nIn each scope's own score ({SCOPES_DO_NOT_ADD_UP}):\n")?;
        let rows: Vec<Vec<String>> = r
            .scopes
            .iter()
            .map(|s| {
                vec![
                    s.id.as_deref().map_or(UNNAMED_SCOPE.to_string(), |id| {
                        escape(&name_and_id(s.name.as_deref(), id))
                    }),
                    s.weight.to_string(),
                    s.score.in_words(model),
                    s.arithmetic(model, row.points.unwrap_or(0.0)),
                ]
            })
            .collect();
        write_table(
            out,
            &[
                ("Scope", Align::Left),
                ("Resources", Align::Right),
                ("Own score", Align::Left),
                ("Arithmetic", Align::Left),
            ],
            &rows,
        )?;
    }
    if let (Some(fix), true) = (&r.recommendation.remediation, row.unhealthy_resources > 0) {
        writeln!(out, "\nTo fix it: {}", escape(fix))?;
    }
    Ok(())
}

/// The scope's label: `name (id)`, the pooled scope, or the unnamed one.
fn scope_label(share: &ScopeShare, weighting: Weighting) -> String {
    match &share.id {
        Some(id) => escape(&name_and_id(share.name.as_deref(), id)),
        _ if weighting == Weighting::Pooled => "all resources (pooled)".to_string(),
        _ => UNNAMED_SCOPE.to_string(),
    }
}

/// The arithmetic: a sentence for one scope, a table of the scopes and how they combine
/// for several.
fn write_arithmetic(e: &Explanation, c: &ControlExplained, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Arithmetic\n")?;
    match c.scopes.as_slice() {
        [] => writeln!(out, "No selected resource is assessed."),
        [only] => writeln!(
            out,
            "In {}: {}.",
            scope_label(only, e.weighting),
            only.arithmetic()
        ),
        many => {
            let rows: Vec<Vec<String>> = many
                .iter()
                .map(|s| {
                    vec![
                        scope_label(s, e.weighting),
                        s.weight.to_string(),
                        compact(s.scope_max),
                        s.arithmetic(),
                    ]
                })
                .collect();
            write_table(
                out,
                &[
                    ("Scope", Align::Left),
                    ("Weight", Align::Right),
                    ("Points", Align::Right),
                    ("Arithmetic", Align::Left),
                ],
                &rows,
            )?;
            match c.combined() {
                Some(combined) => writeln!(out, "\n{combined}."),
                None => Ok(()),
            }
        }
    }
}

/// The member recommendations assessed, then how to fix each failing one.
fn write_recommendations(c: &ControlExplained, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Recommendations\n")?;
    if c.recommendations.is_empty() {
        return writeln!(out, "No member recommendation is assessed in the selection.");
    }
    let rows: Vec<Vec<String>> = c
        .recommendations
        .iter()
        .map(|r| {
            let flag = if r.custom {
                " (custom: not scored)"
            } else if r.preview && r.counted {
                " (preview)"
            } else if r.preview {
                " (preview: not scored)"
            } else {
                ""
            };
            vec![
                format!("{}{flag}", escape(&name_and_id(r.name.as_deref(), &r.id))),
                r.severity.unwrap_or("-").to_string(),
                r.healthy_resources.to_string(),
                r.unhealthy_resources.to_string(),
                r.not_applicable_resources.to_string(),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            ("Recommendation", Align::Left),
            ("Severity", Align::Left),
            ("Healthy", Align::Right),
            ("Unhealthy", Align::Right),
            ("N/A", Align::Right),
        ],
        &rows,
    )?;
    let fixes: Vec<String> = c
        .recommendations
        .iter()
        .filter(|r| r.unhealthy_resources > 0)
        .filter_map(|r| {
            let fix = r.remediation.as_deref()?;
            Some(format!(
                "- To fix {}: {}",
                escape(r.name.as_deref().unwrap_or(&r.id)),
                escape(fix)
            ))
        })
        .collect();
    if !fixes.is_empty() {
        writeln!(out, "\n{}", fixes.join("\n"))?;
    }
    Ok(())
}

/// The resources unhealthy in the control (the first [`LISTED`]), by scope.
fn write_unhealthy(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Unhealthy resources ({})\n", e.unhealthy.len())?;
    if e.unhealthy.is_empty() {
        return writeln!(out, "No unhealthy resource.");
    }
    // A recommendation's resources all fail that one recommendation: no "Fails" column.
    let fails = matches!(e.subject, Subject::Control(_));
    let rows: Vec<Vec<String>> = e
        .unhealthy
        .iter()
        .take(LISTED)
        .map(|u| {
            let mut row = vec![
                escape(&name_and_id(u.name.as_deref(), &u.resource)),
                u.scope_label()
                    .map_or(UNNAMED_SCOPE.to_string(), |label| escape(&label)),
            ];
            if fails {
                row.push(escape(&u.recommendation_labels().join("; ")));
            }
            row
        })
        .collect();
    let columns = [
        ("Resource", Align::Left),
        ("Scope", Align::Left),
        ("Fails", Align::Left),
    ];
    write_table(out, &columns[..if fails { 3 } else { 2 }], &rows)?;
    if e.unhealthy.len() > LISTED {
        writeln!(
            out,
            "\n… and {} more (all in --format json).",
            count(e.unhealthy.len() - LISTED, "resource")
        )?;
    }
    Ok(())
}

/// The exemptions in effect on the control's members.
fn write_exemptions(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Exemptions in effect ({})\n", e.exemptions.len())?;
    if e.exemptions.is_empty() {
        return writeln!(out, "No exemption in effect.");
    }
    let soon = e.exemptions.iter().filter(|x| x.expiring_soon).count();
    writeln!(
        out,
        "{soon} ending within {EXPIRY_WINDOW_DAYS} days of {}{}.\n",
        escape(&e.as_of),
        if e.exemptions_ignored {
            "; ignored by --ignore-exemptions"
        } else {
            ""
        }
    )?;
    let rows: Vec<Vec<String>> = e
        .exemptions
        .iter()
        .map(|x| {
            let until = match (&x.expires, x.expiring_soon) {
                (Some(d), true) => format!("{}, soon", escape(d)),
                (Some(d), false) => escape(d),
                (None, _) => "no end".to_string(),
            };
            vec![
                escape(&x.resource),
                escape(&name_and_id(x.recommendation_name.as_deref(), &x.recommendation)),
                x.category.to_string(),
                until,
                escape(x.reason.as_deref().unwrap_or("")),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            ("Resource", Align::Left),
            ("Recommendation", Align::Left),
            ("Category", Align::Left),
            ("Until", Align::Left),
            ("Reason", Align::Left),
        ],
        &rows,
    )
}
