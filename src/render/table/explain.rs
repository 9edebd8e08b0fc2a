//! The human-readable explanation of one control: its arithmetic in words and numbers,
//! then its recommendations, unhealthy resources and exemptions; or, under `v1` and
//! `pass-rate`, of one recommendation: where its points come from, its arithmetic
//! overall and in each scope's own score.

use super::{align_right, new_table, write_table};
use crate::explain::{
    ControlExplained, Explanation, RecommendationExplained, RecommendationInScope, ScopeShare, Subject,
    EXPIRY_WINDOW_DAYS, SCOPES_DO_NOT_ADD_UP,
};
use crate::render::Style;
use crate::score::Weighting;
use crate::text::{compact, fmt2, name_and_id, names_and_ids, terminal_safe};
use std::io::{self, Write};

fn scope_label(share: &ScopeShare, weighting: Weighting) -> String {
    match &share.id {
        Some(id) => terminal_safe(&name_and_id(share.name.as_deref(), id)).into_owned(),
        _ if weighting == Weighting::Pooled => "all resources (pooled)".to_string(),
        _ => crate::text::UNNAMED_SCOPE.to_string(),
    }
}

fn overall(e: &Explanation) -> String {
    e.overall_percentage
        .map_or("n/a".to_string(), |p| format!("{}%", fmt2(p)))
}

fn headline(e: &Explanation, c: &ControlExplained) -> String {
    let c = &c.control;
    let name = terminal_safe(&name_and_id(c.name.as_deref(), &c.id)).into_owned();
    let rank = c.rank.map_or("not ranked".to_string(), |r| format!("rank {r}"));
    format!(
        "{name} · {rank} · max {} · overall score {} · as of {}",
        compact(c.max_score),
        overall(e),
        e.as_of
    )
}

/// Writes the explanation as text.
pub fn write(e: &Explanation, style: Style, out: &mut dyn Write) -> io::Result<()> {
    match &e.subject {
        Subject::Control(c) => write_control(e, c, style, out)?,
        Subject::Recommendation(r) => write_recommendation(e, r, out)?,
    }
    write_unhealthy(e, out)?;
    write_exemptions(e, out)
}

fn write_control(e: &Explanation, c: &ControlExplained, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", headline(e, c))?;
    match c.scopes.as_slice() {
        [] => writeln!(out, "\nNo selected resource is assessed.")?,
        [only] => writeln!(out, "\n{}", only.arithmetic())?,
        many => {
            writeln!(
                out,
                "\nIn each scope (weight, points of its applicable controls):"
            )?;
            for s in many {
                writeln!(
                    out,
                    "- {}, weight {}, {} points: {}",
                    scope_label(s, e.weighting),
                    s.weight,
                    compact(s.scope_max),
                    s.arithmetic()
                )?;
            }
            if let Some(combined) = c.combined() {
                writeln!(out, "{combined}")?;
            }
        }
    }
    write_recommendations(c, style, out)
}

/// A recommendation under `v1` or `pass-rate`: the headline (naming the model), where
/// its points come from, its arithmetic and the score it is part of, the controls that
/// hold it, each scope's own figures when there are several, and how to fix it.
fn write_recommendation(e: &Explanation, r: &RecommendationExplained, out: &mut dyn Write) -> io::Result<()> {
    let row = &r.recommendation.row;
    let name = terminal_safe(&name_and_id(row.name.as_deref(), &row.id)).into_owned();
    let rank = row.rank.map_or("not ranked".to_string(), |n| format!("rank {n}"));
    writeln!(
        out,
        "{name} · model {} · {rank} · {} · overall score {} · as of {}",
        e.model.as_str(),
        row.severity.unwrap_or("no severity"),
        overall(e),
        e.as_of
    )?;
    writeln!(out)?;
    if let Some(points) = r.points_source() {
        writeln!(out, "Points: {points}.")?;
    }
    writeln!(out, "{}.", crate::text::capitalised(&r.arithmetic(e.model)))?;
    writeln!(out, "The {} score: {}.", e.model.as_str(), r.total(e.model))?;
    writeln!(out, "{}", controls_line(r))?;
    if r.scopes.len() > 1 {
        writeln!(out, "\nIn each scope's own score ({SCOPES_DO_NOT_ADD_UP}):")?;
        for s in &r.scopes {
            writeln!(
                out,
                "- {}, {} resource{}, own score {}: {}",
                in_scope_label(s),
                s.weight,
                if s.weight == 1 { "" } else { "s" },
                s.score.in_words(e.model),
                s.arithmetic(e.model, row.points.unwrap_or(0.0))
            )?;
        }
    }
    if let (Some(fix), true) = (&r.recommendation.remediation, row.unhealthy_resources > 0) {
        writeln!(out, "\nTo fix it: {}", terminal_safe(fix))?;
    }
    Ok(())
}

/// The controls that hold a recommendation, in one line.
fn controls_line(r: &RecommendationExplained) -> String {
    let row = &r.recommendation.row;
    if row.controls.is_empty() {
        return "In no control.".to_string();
    }
    let labels = names_and_ids(&row.controls, &r.recommendation.control_names);
    format!("In control(s): {}.", terminal_safe(&labels.join("; ")))
}

fn in_scope_label(s: &RecommendationInScope) -> String {
    match &s.id {
        Some(id) => terminal_safe(&name_and_id(s.name.as_deref(), id)).into_owned(),
        None => crate::text::UNNAMED_SCOPE.to_string(),
    }
}

fn write_recommendations(c: &ControlExplained, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if c.recommendations.is_empty() {
        return writeln!(out, "\nNo member recommendation is assessed in the selection.");
    }
    let mut t = new_table(
        style,
        &["Recommendation", "Severity", "Healthy", "Unhealthy", "N/A"],
    );
    for r in &c.recommendations {
        let mut label = terminal_safe(&name_and_id(r.name.as_deref(), &r.id)).into_owned();
        if r.custom {
            label.push_str(" [custom: not scored]");
        } else if r.preview {
            label.push_str(if r.counted {
                " [preview]"
            } else {
                " [preview: not scored]"
            });
        }
        t.add_row(vec![
            label,
            r.severity.unwrap_or("-").to_string(),
            r.healthy_resources.to_string(),
            r.unhealthy_resources.to_string(),
            r.not_applicable_resources.to_string(),
        ]);
    }
    align_right(&mut t, &[2, 3, 4]);
    writeln!(out)?;
    write_table(out, &t)?;
    for r in c.recommendations.iter().filter(|r| r.unhealthy_resources > 0) {
        if let Some(fix) = &r.remediation {
            writeln!(
                out,
                "To fix {}: {}",
                terminal_safe(r.name.as_deref().unwrap_or(&r.id)),
                terminal_safe(fix)
            )?;
        }
    }
    Ok(())
}

fn write_unhealthy(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    if e.unhealthy.is_empty() {
        return writeln!(out, "\nNo unhealthy resource.");
    }
    writeln!(out, "\nUnhealthy resources ({}), by scope:", e.unhealthy.len())?;
    let mut scope: Option<Option<&String>> = None;
    for u in &e.unhealthy {
        if scope != Some(u.scope.as_ref()) {
            scope = Some(u.scope.as_ref());
            let label = u
                .scope_label()
                .unwrap_or_else(|| crate::text::UNNAMED_SCOPE.to_string());
            writeln!(out, "{}", terminal_safe(&label))?;
        }
        let resource = terminal_safe(&name_and_id(u.name.as_deref(), &u.resource)).into_owned();
        // A recommendation's resources all fail that one recommendation.
        match &e.subject {
            Subject::Control(_) => writeln!(
                out,
                "  {resource} fails {}",
                terminal_safe(&u.recommendation_labels().join("; "))
            )?,
            Subject::Recommendation(_) => writeln!(out, "  {resource}")?,
        }
    }
    Ok(())
}

fn write_exemptions(e: &Explanation, out: &mut dyn Write) -> io::Result<()> {
    if e.exemptions.is_empty() {
        return writeln!(out, "\nNo exemption in effect.");
    }
    let soon = e.exemptions.iter().filter(|x| x.expiring_soon).count();
    let ignored = if e.exemptions_ignored {
        "; ignored by --ignore-exemptions"
    } else {
        ""
    };
    writeln!(
        out,
        "\nExemptions in effect ({}; {soon} ending within {EXPIRY_WINDOW_DAYS} days of {}{ignored}):",
        e.exemptions.len(),
        e.as_of
    )?;
    for x in &e.exemptions {
        let until = match (&x.expires, x.expiring_soon) {
            (Some(d), true) => format!("until {d}, soon"),
            (Some(d), false) => format!("until {d}"),
            (None, _) => "no end".to_string(),
        };
        writeln!(
            out,
            "  {} × {}: {} ({until})",
            terminal_safe(&x.resource),
            terminal_safe(&name_and_id(x.recommendation_name.as_deref(), &x.recommendation)),
            x.category
        )?;
    }
    Ok(())
}
