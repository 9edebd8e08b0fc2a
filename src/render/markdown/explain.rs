//! The explanation of one control in markdown: its arithmetic, then its recommendations
//! (with what to do about the failing ones), unhealthy resources and exemptions.

use super::{count, escape, write_table, Align};
use crate::explain::{Explanation, ScopeShare, EXPIRY_WINDOW_DAYS};
use crate::score::Weighting;
use crate::text::{compact, name_and_id, percent, UNNAMED_SCOPE};
use std::io::{self, Write};

/// Unhealthy resources listed (JSON lists them all): a comment stays readable.
const LISTED: usize = 100;

/// Writes the explanation.
pub fn write(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    let c = &e.control;
    writeln!(out, "## {}\n", escape(&name_and_id(c.name.as_deref(), &c.id)))?;
    writeln!(
        out,
        "{} · max {} · overall score {} · as of {}",
        c.rank.map_or("Not ranked".to_string(), |r| format!("Rank {r}")),
        compact(c.max_score),
        percent(e.overall_percentage),
        escape(&e.as_of)
    )?;
    write_arithmetic(e, out)?;
    write_recommendations(e, out)?;
    write_unhealthy(e, out)?;
    write_exemptions(e, out)
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
fn write_arithmetic(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Arithmetic\n")?;
    match e.scopes.as_slice() {
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
            match e.combined() {
                Some(combined) => writeln!(out, "\n{combined}."),
                None => Ok(()),
            }
        }
    }
}

/// The member recommendations assessed, then how to fix each failing one.
fn write_recommendations(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "\n### Recommendations\n")?;
    if e.recommendations.is_empty() {
        return writeln!(out, "No member recommendation is assessed in the selection.");
    }
    let rows: Vec<Vec<String>> = e
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
    let fixes: Vec<String> = e
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
    let rows: Vec<Vec<String>> = e
        .unhealthy
        .iter()
        .take(LISTED)
        .map(|u| {
            vec![
                escape(&name_and_id(u.name.as_deref(), &u.resource)),
                u.scope_label()
                    .map_or(UNNAMED_SCOPE.to_string(), |label| escape(&label)),
                escape(&u.recommendation_labels().join("; ")),
            ]
        })
        .collect();
    write_table(
        out,
        &[
            ("Resource", Align::Left),
            ("Scope", Align::Left),
            ("Fails", Align::Left),
        ],
        &rows,
    )?;
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
