//! The human-readable explanation of one control: its arithmetic in words and numbers,
//! then its recommendations, unhealthy resources and exemptions.

use super::{align_right, new_table, write_table};
use crate::explain::{Explanation, ScopeShare, EXPIRY_WINDOW_DAYS};
use crate::render::Style;
use crate::score::Weighting;
use crate::text::{compact, fmt2, name_and_id, terminal_safe};
use std::io::{self, Write};

fn scope_label(share: &ScopeShare, weighting: Weighting) -> String {
    match &share.id {
        Some(id) => terminal_safe(&name_and_id(share.name.as_deref(), id)).into_owned(),
        _ if weighting == Weighting::Pooled => "all resources (pooled)".to_string(),
        _ => crate::text::UNNAMED_SCOPE.to_string(),
    }
}

fn headline(e: &Explanation) -> String {
    let c = &e.control;
    let name = terminal_safe(&name_and_id(c.name.as_deref(), &c.id)).into_owned();
    let rank = c.rank.map_or("not ranked".to_string(), |r| format!("rank {r}"));
    let overall = e
        .overall_percentage
        .map_or("n/a".to_string(), |p| format!("{}%", fmt2(p)));
    format!(
        "{name} · {rank} · max {} · overall score {overall} · as of {}",
        compact(c.max_score),
        e.as_of
    )
}

/// Writes the explanation as text.
pub fn write(e: &Explanation, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", headline(e))?;
    match e.scopes.as_slice() {
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
            if let Some(combined) = e.combined() {
                writeln!(out, "{combined}")?;
            }
        }
    }
    write_recommendations(e, style, out)?;
    write_unhealthy(e, out)?;
    write_exemptions(e, out)
}

fn write_recommendations(e: &Explanation, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if e.recommendations.is_empty() {
        return writeln!(out, "\nNo member recommendation is assessed in the selection.");
    }
    let mut t = new_table(
        style,
        &["Recommendation", "Severity", "Healthy", "Unhealthy", "N/A"],
    );
    for r in &e.recommendations {
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
    for r in e.recommendations.iter().filter(|r| r.unhealthy_resources > 0) {
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
        writeln!(
            out,
            "  {} fails {}",
            terminal_safe(&name_and_id(u.name.as_deref(), &u.resource)),
            terminal_safe(&u.recommendation_labels().join("; "))
        )?;
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
