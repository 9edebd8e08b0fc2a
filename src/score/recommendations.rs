//! The scoring models whose rows are recommendations (SPEC §7): `v1`, Defender's original
//! per-recommendation secure score, and `pass-rate`, Security Hub's share of passing
//! checks. Pure functions over a [`Model`]: the counted-assessment rule and exemptions are
//! the kernel's (§1 steps 1–2), except that a recommendation counts whether or not a
//! control holds it; the resources are pooled over the selection (a resource counts once
//! per recommendation, whatever its scope). No I/O.
//!
//! Scopes scored from exported control counts (SPEC §3) hold no assessments, so they add
//! nothing here: neither model can be computed from control counts.

use super::kernel;
use super::options::ScoreOptions;
use crate::model::{Counts, Model, Severity};
use crate::select::Selection;
use crate::text::nano_units;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// A scoring model whose rows are recommendations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecommendationModel {
    /// Points per recommendation, `max_r × H_r / (H_r + U_r)`, summed.
    V1,
    /// Passed recommendations over passed plus failed, unweighted.
    PassRate,
}

/// securescore's own default points for a severity (SPEC §7: Microsoft never published
/// the mapping, only "up to 50"): critical 50, high 40, medium 20, low 5, unknown 20.
pub fn default_points(severity: Option<Severity>) -> f64 {
    match severity {
        Some(Severity::Critical) => 50.0,
        Some(Severity::High) => 40.0,
        Some(Severity::Medium) | None => 20.0,
        Some(Severity::Low) => 5.0,
    }
}

/// Recommendation `r`'s `v1` points: its `points`, else its severity's default.
pub fn points(model: &Model, r: usize) -> f64 {
    model.recommendations.get(r).map_or(0.0, |rec| {
        rec.points.unwrap_or_else(|| default_points(rec.severity))
    })
}

/// One recommendation's figures under a model.
#[derive(Clone, Debug, PartialEq)]
pub struct RecommendationRow {
    /// Index into [`ModelParts::recommendations`](crate::model::ModelParts::recommendations).
    pub recommendation: u32,
    /// Distinct resources in each state over the selection, after exemptions.
    pub counts: Counts,
    /// `H_r + U_r > 0`.
    pub applicable: bool,
    /// Its `v1` points (whether or not it applies); 1 under `pass-rate`.
    pub points: f64,
    /// What it adds to the score's max: its points when it applies, else 0.
    pub max: f64,
    /// `v1`: `max_r × H_r / (H_r + U_r)`; `pass-rate`: 1 when it passes, else 0.
    pub current: f64,
    /// `max − current` (recommendation impact).
    pub potential: f64,
    /// Percentage points of the score it would add, fully healthy.
    pub potential_percentage: f64,
}

/// A score's headline under a recommendation model, overall or for one scope.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Headline {
    /// `v1`: Σ `current_r`; `pass-rate`: passed.
    pub current: f64,
    /// `v1`: Σ `max_r` over the applicable; `pass-rate`: passed + failed.
    pub max: f64,
    /// `100 × current / max`; `None` when max is 0.
    pub percentage: Option<f64>,
}

/// One scope's own score: only its resources count (scopes' scores do not add up to the
/// overall one).
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeHeadline {
    /// Index into [`ModelParts::scopes`](crate::model::ModelParts::scopes).
    pub scope: u32,
    pub headline: Headline,
}

/// The whole result of scoring with a recommendation model.
#[derive(Clone, Debug, PartialEq)]
pub struct RecommendationScore {
    pub model: RecommendationModel,
    pub headline: Headline,
    /// Every counted recommendation, by id (the order its figures are summed in).
    pub rows: Vec<RecommendationRow>,
    /// The scopes with a selected, assessed resource, in model order.
    pub scopes: Vec<ScopeHeadline>,
}

/// Recommendation `r` counts under these models: the kernel's rule alone, a control
/// need not hold it (SPEC §7).
pub fn is_counted(model: &Model, r: usize, options: &ScoreOptions) -> bool {
    model
        .recommendations
        .get(r)
        .is_some_and(|rec| kernel::is_counted(rec, options))
}

/// Distinct resources in each state per recommendation, pooled over the selection, and
/// per scope (scope, place of the recommendation in `by_id`) → counts: each (resource,
/// recommendation) pair is one assessment, so counting assessments counts distinct
/// resources.
fn tally(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    counted: &[bool],
    place: &[u32],
) -> (Vec<Counts>, BTreeMap<(u32, u32), Counts>) {
    let mut pooled = vec![Counts::default(); model.recommendations.len()];
    let mut per_scope: BTreeMap<(u32, u32), Counts> = BTreeMap::new();
    for a in model.assessments.iter() {
        let (resource, r) = (a.resource as usize, a.recommendation as usize);
        if !counted.get(r).copied().unwrap_or(false) || selection.is_some_and(|sel| !sel.resource(resource)) {
            continue;
        }
        let status = kernel::effective_status(model, a, options);
        if let Some(c) = pooled.get_mut(r) {
            c.add(status);
        }
        let scope = model.resource_scope.get(resource).copied().unwrap_or(0);
        let at = place.get(r).copied().unwrap_or(u32::MAX);
        per_scope.entry((scope, at)).or_default().add(status);
    }
    (pooled, per_scope)
}

/// A row's figures from its counts and `v1` points.
fn row(which: RecommendationModel, recommendation: u32, counts: Counts, points: f64) -> RecommendationRow {
    let applicable = counts.applicable() > 0;
    let (max, current) = match (which, applicable) {
        (_, false) => (0.0, 0.0),
        (RecommendationModel::V1, true) => (points, kernel::control_current(points, counts)),
        (RecommendationModel::PassRate, true) => (1.0, if counts.unhealthy == 0 { 1.0 } else { 0.0 }),
    };
    RecommendationRow {
        recommendation,
        counts,
        applicable,
        points: match which {
            RecommendationModel::V1 => points,
            RecommendationModel::PassRate => 1.0,
        },
        max,
        current,
        potential: max - current,
        potential_percentage: 0.0,
    }
}

/// The headline of rows (in recommendation order): the sums of current and max.
fn headline<'a>(rows: impl IntoIterator<Item = &'a RecommendationRow>) -> Headline {
    let (mut current, mut max) = (0.0, 0.0);
    for r in rows.into_iter().filter(|r| r.applicable) {
        current += r.current;
        max += r.max;
    }
    Headline {
        current,
        max,
        percentage: kernel::percentage(current, max),
    }
}

/// Scores the selected resources (everything when `selection` is `None`) with `which`.
pub fn score(
    which: RecommendationModel,
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
) -> RecommendationScore {
    let counted: Vec<bool> = (0..model.recommendations.len())
        .map(|r| is_counted(model, r, options))
        .collect();
    // Recommendations are numbered as the inputs named them: every sum runs in id
    // order instead, so that the score does not depend on the order of inputs.
    let mut by_id: Vec<u32> = (0..model.recommendations.len() as u32).collect();
    by_id.sort_unstable_by(|&a, &b| {
        model.recommendations[a as usize]
            .id
            .cmp(&model.recommendations[b as usize].id)
    });
    let mut place = vec![0u32; by_id.len()];
    for (at, &r) in by_id.iter().enumerate() {
        place[r as usize] = at as u32;
    }
    let (pooled, per_scope) = tally(model, options, selection, &counted, &place);
    let mut rows: Vec<RecommendationRow> = by_id
        .iter()
        .map(|&r| r as usize)
        .filter(|&r| counted[r])
        .map(|r| row(which, r as u32, pooled[r], points(model, r)))
        .collect();
    let overall = headline(&rows);
    for r in rows.iter_mut().filter(|r| r.applicable) {
        // v1: 100 × potential_r / max; pass-rate: 100 / (passed + failed) when it fails.
        r.potential_percentage = 100.0 * r.potential / overall.max;
    }
    let mut scopes: Vec<ScopeHeadline> = Vec::new();
    let mut scope_rows: Vec<RecommendationRow> = Vec::new();
    let mut entries = per_scope.into_iter().peekable();
    while let Some(((scope, at), counts)) = entries.next() {
        let r = by_id.get(at as usize).copied().unwrap_or(0);
        scope_rows.push(row(which, r, counts, points(model, r as usize)));
        if entries.peek().is_none_or(|((next, _), _)| *next != scope) {
            scopes.push(ScopeHeadline {
                scope,
                headline: headline(&scope_rows),
            });
            scope_rows.clear();
        }
    }
    RecommendationScore {
        model: which,
        headline: overall,
        rows,
        scopes,
    }
}

/// The triage order of SPEC §7: indexes into `score.rows`, each with its rank (`None`
/// for rows that do not apply, listed last by name then id). Applicable rows by
/// `potential_percentage` descending (equal to 9 decimals: a tie), then, under
/// `pass-rate`, fewer unhealthy resources first, then points descending, then name (byte
/// order), then id.
pub fn rank(model: &Model, score: &RecommendationScore) -> Vec<(Option<usize>, usize)> {
    let rec = |i: usize| &model.recommendations[score.rows[i].recommendation as usize];
    let by_name = |a: usize, b: usize| -> Ordering {
        rec(a)
            .display_name()
            .as_bytes()
            .cmp(rec(b).display_name().as_bytes())
            .then_with(|| rec(a).id.cmp(&rec(b).id))
    };
    let (mut applicable, mut other): (Vec<usize>, Vec<usize>) =
        (0..score.rows.len()).partition(|&i| score.rows[i].applicable);
    applicable.sort_by(|&a, &b| {
        let (x, y) = (&score.rows[a], &score.rows[b]);
        let fewer_unhealthy = match score.model {
            RecommendationModel::PassRate => x.counts.unhealthy.cmp(&y.counts.unhealthy),
            RecommendationModel::V1 => Ordering::Equal,
        };
        nano_units(y.potential_percentage)
            .cmp(&nano_units(x.potential_percentage))
            .then(fewer_unhealthy)
            .then_with(|| y.points.total_cmp(&x.points))
            .then_with(|| by_name(a, b))
    });
    other.sort_by(|&a, &b| by_name(a, b));
    applicable
        .into_iter()
        .enumerate()
        .map(|(n, i)| (Some(n + 1), i))
        .chain(other.into_iter().map(|i| (None, i)))
        .collect()
}
