//! The cross-check of Azure's exported figures (SPEC §3): every exported control score
//! and secure score is compared with Azure's own rounding of the recomputed value (each
//! control at its max in the scope, [`kernel::control_max`]), and management-group
//! scores with the overall score. Pure: a model and a score in,
//! warnings out.

use crate::diag::Diagnostic;
use crate::model::{Counts, ExportedControl, ExportedScore, Model};
use crate::score::{kernel, Score};
use crate::text::fmt2;

/// How far apart two figures that are meant to be equal may lie (float noise only).
const EPSILON: f64 = 1e-6;

/// Points by which a management group's exported score may differ from the overall one.
const AGGREGATE_TOLERANCE: f64 = 0.01;

/// `x` rounded to `digits` decimals half to even and half away from zero, the two
/// roundings Azure's figures are accepted under. A tie is recognised within float noise
/// (`3.335` is stored as 3.33499…).
fn roundings(x: f64, digits: i32) -> [f64; 2] {
    let scale = 10f64.powi(digits);
    let m = x * scale;
    let floor = m.floor();
    let frac = m - floor;
    let tie = (frac - 0.5).abs() < 1e-7;
    let away = if tie {
        if m >= 0.0 {
            floor + 1.0
        } else {
            floor
        }
    } else {
        m.round()
    };
    let even = if tie {
        if floor % 2.0 == 0.0 {
            floor
        } else {
            floor + 1.0
        }
    } else {
        m.round()
    };
    [even / scale, away / scale]
}

fn matches_any(value: f64, candidates: &[f64]) -> bool {
    candidates.iter().any(|c| (value - c).abs() <= EPSILON)
}

/// Azure's exported percentage (a fraction to 4 decimals) of a rounded current.
fn percentages(rounded_currents: &[f64], max: f64) -> Vec<f64> {
    if max <= 0.0 {
        return vec![0.0];
    }
    rounded_currents
        .iter()
        .flat_map(|c| roundings(c / max, 4))
        .collect()
}

/// Checks every exported figure of the scopes `score` met. `score` must be a per-scope
/// (not pooled) score of the default computation; `filtered` says whether filters
/// narrowed it, which rules out comparing management-group aggregates with it.
pub fn check(model: &Model, score: &Score, filtered: bool) -> Vec<Diagnostic> {
    let met: Vec<bool> = {
        let mut met = vec![false; model.scopes.len()];
        for s in &score.scopes {
            if let Some(i) = s.scope {
                met[i as usize] = true;
            }
        }
        met
    };
    let mut out = Vec::new();
    for e in &model.exported.controls {
        if met.get(e.scope as usize).copied().unwrap_or(false) {
            out.extend(check_control(model, score, e));
        }
    }
    for e in &model.exported.scores {
        if met.get(e.scope as usize).copied().unwrap_or(false) {
            out.extend(check_secure_score(model, score, e));
        }
    }
    if !filtered {
        for e in &model.exported.aggregate_scores {
            out.extend(check_aggregate(model, score, e));
        }
    }
    out
}

fn counts_of(score: &Score, scope: u32, control: u32) -> Counts {
    score.scope_controls.get(scope as usize, control as usize)
}

fn scope_name(model: &Model, scope: u32) -> String {
    model
        .scopes
        .get(scope as usize)
        .map_or_else(|| crate::text::UNNAMED_SCOPE.to_string(), |s| s.label())
}

/// One line per figure that differs: "current 3 (recomputed 3.33)".
fn differences(found: &[(&str, Option<f64>, bool, String)]) -> Vec<String> {
    found
        .iter()
        .filter_map(|(name, value, ok, expected)| match value {
            Some(v) if !ok => Some(format!(
                "{name} {} (recomputed {expected})",
                crate::text::echoed(*v)
            )),
            _ => None,
        })
        .collect()
}

fn check_control(model: &Model, score: &Score, e: &ExportedControl) -> Option<Diagnostic> {
    let control = model.controls.get(e.control as usize)?;
    let counts = counts_of(score, e.scope, e.control);
    let max = kernel::control_max(model, &score.scope_controls, e.scope as usize, e.control as usize);
    let exact = kernel::control_current(max, counts);
    let currents = roundings(exact, 2);
    // A control that applies to nothing is exported with max 0.
    let maxes: Vec<f64> = if counts.applicable() > 0 {
        vec![max]
    } else {
        vec![max, 0.0]
    };
    let pcts = percentages(&currents, max);
    let f = &e.figures;
    let diffs = differences(&[
        (
            "current",
            f.current,
            f.current.is_none_or(|v| matches_any(v, &currents)),
            fmt2(currents[1]),
        ),
        (
            "max",
            f.max,
            f.max.is_none_or(|v| matches_any(v, &maxes)),
            max.to_string(),
        ),
        (
            "percentage",
            f.percentage,
            f.percentage.is_none_or(|v| matches_any(v, &pcts)),
            format!("{}", pcts.last().copied().unwrap_or(0.0)),
        ),
    ]);
    // Counts are compared too where they were recomputed from assessments: a partial
    // export with the same proportions would otherwise pass.
    let count_level = model.scopes.get(e.scope as usize).is_some_and(|s| s.count_level);
    let counts_differ =
        !count_level && (e.counts.healthy, e.counts.unhealthy) != (counts.healthy, counts.unhealthy);
    let exported_counts = if counts_differ {
        format!(
            "; the export counts {} healthy, {} unhealthy",
            e.counts.healthy, e.counts.unhealthy
        )
    } else {
        String::new()
    };
    if diffs.is_empty() && !counts_differ {
        return None;
    }
    let diffs = if diffs.is_empty() {
        vec!["the same score".to_string()]
    } else {
        diffs
    };
    Some(
        Diagnostic::warning(
            "cross-check",
            format!(
                "control {} in {}: exported {} — recomputed from {} healthy and {} unhealthy resources of max {}{}",
                crate::text::quoted_name_and_id(control.name.as_deref(), &control.id),
                scope_name(model, e.scope),
                diffs.join(", "),
                counts.healthy,
                counts.unhealthy,
                max,
                exported_counts
            ),
        )
        .at(e.at.clone()),
    )
}

fn check_secure_score(model: &Model, score: &Score, e: &ExportedScore) -> Option<Diagnostic> {
    let (mut even, mut away, mut max) = (0.0, 0.0, 0.0);
    for c in 0..model.controls.len() {
        let counts = counts_of(score, e.scope, c as u32);
        if counts.applicable() == 0 {
            continue;
        }
        let control_max = kernel::control_max(model, &score.scope_controls, e.scope as usize, c);
        let [e2, a2] = roundings(kernel::control_current(control_max, counts), 2);
        even += e2;
        away += a2;
        max += control_max;
    }
    let currents = [even, away];
    let current_ok = |v: f64| v >= even.min(away) - EPSILON && v <= even.max(away) + EPSILON;
    let pcts = percentages(&currents, max);
    let f = &e.figures;
    let diffs = differences(&[
        ("current", f.current, f.current.is_none_or(current_ok), fmt2(away)),
        (
            "max",
            f.max,
            f.max.is_none_or(|v| matches_any(v, &[max])),
            max.to_string(),
        ),
        (
            "percentage",
            f.percentage,
            f.percentage.is_none_or(|v| matches_any(v, &pcts)),
            format!("{}", pcts.last().copied().unwrap_or(0.0)),
        ),
    ]);
    (!diffs.is_empty()).then(|| {
        Diagnostic::warning(
            "cross-check",
            format!(
                "secure score of {}: exported {} — recomputed as the sum of the rounded current scores of its applicable controls",
                scope_name(model, e.scope),
                diffs.join(", ")
            ),
        )
        .at(e.at.clone())
    })
}

fn check_aggregate(model: &Model, score: &Score, e: &ExportedScore) -> Option<Diagnostic> {
    let exported = e.figures.percentage.map(|p| 100.0 * p)?;
    // Nothing to compare with (the `no-data` or filter warnings say why).
    let recomputed = Some(score.percentage?);
    let agrees = recomputed.is_some_and(|r| (r - exported).abs() <= AGGREGATE_TOLERANCE + EPSILON);
    (!agrees).then(|| {
        Diagnostic::warning(
            "cross-check",
            format!(
                "management group {}: exported secure score {}% differs from the recomputed overall {} by more than \
                 {AGGREGATE_TOLERANCE} points (are all its subscriptions in the inputs?)",
                model
                    .aggregate_scopes
                    .get(e.scope as usize)
                    .map_or("?", String::as_str),
                fmt2(exported),
                recomputed.map_or("n/a".to_string(), |r| format!("{}%", fmt2(r)))
            ),
        )
        .at(e.at.clone())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_ties_both_ways_and_others_alike() {
        assert_eq!(roundings(3.335, 2), [3.34, 3.34]);
        assert_eq!(roundings(0.125, 2), [0.12, 0.13]);
        assert_eq!(roundings(0.135, 2), [0.14, 0.14]);
        assert_eq!(roundings(3.3333, 2), [3.33, 3.33]);
        assert_eq!(roundings(0.8325, 4), [0.8325, 0.8325]);
    }

    #[test]
    fn the_issue_example_matches_and_the_wrong_current_does_not() {
        // 5 healthy, 1 unhealthy, max 4: 3.333… → 3.33; 3.33 / 4 = 0.8325.
        let currents = roundings(4.0 * 5.0 / 6.0, 2);
        assert!(matches_any(3.33, &currents));
        assert!(!matches_any(3.0, &currents));
        assert!(matches_any(0.8325, &percentages(&currents, 4.0)));
    }
}
