//! The rules of SPEC §1 and §1.1, in one place. Two hold for every scoring model (§7):
//! which recommendations may count ([`is_counted`]) and the effective status after
//! exemptions ([`effective_status`]). The rest is the classic model's arithmetic: a
//! resource's state in a control, a control's max (SPEC §3) and points in a scope, a
//! scope's points, pooled slots and computed weights, and what a scope's points are worth
//! in the overall score.
//! The classic model, `explain`'s per-scope figures and the cross-check call these; none
//! re-derives them. Pure functions, no I/O.

use super::options::{ScoreOptions, Weighting};
use super::{Cell, ScopeCounts};
use crate::model::{Assessment, Counts, Model, Recommendation, Status};

/// Step 1, the part every scoring model shares: an assessment of `rec` may count when
/// the recommendation is not custom and not preview (unless asked for). The classic
/// model also needs a control that holds it (SPEC §7).
pub fn is_counted(rec: &Recommendation, options: &ScoreOptions) -> bool {
    !rec.custom && (options.include_preview || !rec.preview)
}

/// Step 2: the status an assessment scores with: its exemption's effect on the
/// evaluation date, unless exemptions are ignored.
pub fn effective_status(model: &Model, a: &Assessment, options: &ScoreOptions) -> Status {
    match model.exemption(a) {
        Some(e) if !options.ignore_exemptions => e.apply(a.status(), options.as_of),
        _ => a.status(),
    }
}

/// Step 3: one resource's state in each control, folded over its counted assessments:
/// unhealthy beats healthy beats not applicable. Reused from resource to resource, so
/// that a resource costs only the controls it touches.
#[derive(Clone, Debug)]
pub struct ResourceStates {
    /// Per control: the worst status met so far (`None`: not assessed).
    states: Vec<Option<Status>>,
    /// The controls met, in the order met.
    touched: Vec<usize>,
}

impl ResourceStates {
    /// Empty states for `controls` controls.
    pub fn new(controls: usize) -> ResourceStates {
        ResourceStates {
            states: vec![None; controls],
            touched: Vec::new(),
        }
    }

    /// Folds a counted assessment of status `status` into control `c`.
    pub fn add(&mut self, c: usize, status: Status) {
        let slot = &mut self.states[c];
        if slot.is_none() {
            self.touched.push(c);
        }
        *slot = (*slot).max(Some(status));
    }

    /// The state of the resource in control `c` (`None`: no counted assessment).
    pub fn get(&self, c: usize) -> Option<Status> {
        self.states.get(c).copied().flatten()
    }

    /// True when no control was met.
    pub fn is_empty(&self) -> bool {
        self.touched.is_empty()
    }

    /// Calls `each(control, state)` for every control met, in the order met, and resets
    /// the states for the next resource.
    pub fn drain(&mut self, mut each: impl FnMut(usize, Status)) {
        for c in self.touched.drain(..) {
            if let Some(status) = self.states[c].take() {
                each(c, status);
            }
        }
    }

    /// Resets the states without reading them.
    pub fn clear(&mut self) {
        self.drain(|_, _| {});
    }
}

/// Steps 4–5: a control's current score in a scope, `max × H / (H + U)`; 0 when it does
/// not apply (`H + U = 0`).
pub fn control_current(max_score: f64, counts: Counts) -> f64 {
    if counts.applicable() > 0 {
        max_score * counts.healthy as f64 / counts.applicable() as f64
    } else {
        0.0
    }
}

/// Step 5: the points one more healthy resource is worth, `max / (H + U)`; `None` when
/// the control does not apply.
pub fn points_per_resource(max_score: f64, counts: Counts) -> Option<f64> {
    (counts.applicable() > 0).then(|| max_score / counts.applicable() as f64)
}

/// SPEC §3: control `c`'s max score in slot `slot` of `counts`. A count-level scope is
/// scored with the max it exported for the control (0 included), never another scope's
/// or the definition's; a scope scored from assessments, with the definition's (also
/// where no export names the control, or names no max). The pooled slot (`--weighting
/// pooled`) takes the largest max among its scopes where the control applies.
pub fn control_max(model: &Model, counts: &ScopeCounts, slot: usize, c: usize) -> f64 {
    counts.max_of(slot, c).unwrap_or_else(|| definition_max(model, c))
}

/// [`control_max`] of control `c` in a slot where it holds `cell`.
pub(crate) fn cell_max(model: &Model, cell: &Cell, c: usize) -> f64 {
    cell.max.map_or_else(|| definition_max(model, c), |(_, max)| max)
}

/// The max score control `c`'s definition gives it (0 for an index out of range).
fn definition_max(model: &Model, c: usize) -> f64 {
    model.controls.get(c).map_or(0.0, |control| control.max_score)
}

/// SPEC §3: the max a slot keeps for a control, once a scope where it applies (or not)
/// with max `max` is added to what it kept: the largest among the scopes where the
/// control applies (only `--weighting pooled` puts several scopes in one slot), and a max
/// where it applies beats one where it does not.
pub fn kept_max(kept: Option<(bool, f64)>, applies: bool, max: f64) -> Option<(bool, f64)> {
    // Lexicographic: where it applies first, then the larger max.
    match kept {
        Some(k) if (applies, max) > k => Some((applies, max)),
        None => Some((applies, max)),
        _ => kept,
    }
}

/// SPEC §3: the max a slot keeps for control `control`, once count-level counts of it
/// (`counts`, exported with max `max`; `None`: the definition's, as counts rows are) are
/// added to it, given what it kept (`kept`) and the counts met there so far (`before`).
/// Resources scored from assessments that share the (pooled) slot count at the
/// definition's max.
pub fn exported_max(
    model: &Model,
    kept: Option<(bool, f64)>,
    before: Counts,
    (control, counts, max): (u32, Counts, Option<f64>),
) -> Option<(bool, f64)> {
    let definition_max = model.controls.get(control as usize).map_or(0.0, |c| c.max_score);
    let kept = match kept {
        None if before != Counts::default() => kept_max(None, before.applicable() > 0, definition_max),
        _ => kept,
    };
    kept_max(kept, counts.applicable() > 0, max.unwrap_or(definition_max))
}

/// Step 6: a scope's current and max points in slot `slot` of `counts`: the sums over
/// its applicable controls, each at its max there ([`control_max`]), in control order.
/// Reads only the controls the slot met (the others add nothing).
pub fn scope_points(model: &Model, counts: &ScopeCounts, slot: usize) -> (f64, f64) {
    points_of(
        counts
            .controls_in(slot)
            .map(|(c, cell)| (cell.counts, cell_max(model, cell, c))),
    )
}

/// Step 6: a scope's current and max points from its controls' counts and maxima, given
/// in control order: the sums over the applicable ones (the others add nothing, so a
/// caller may leave them out).
pub fn points_of(controls: impl IntoIterator<Item = (Counts, f64)>) -> (f64, f64) {
    let (mut current, mut max) = (0.0, 0.0);
    for (counts, max_c) in controls {
        if counts.applicable() > 0 {
            current += control_current(max_c, counts);
            max += max_c;
        }
    }
    (current, max)
}

/// §1.1: the slot a scope's counts are kept under: the scope itself, or the one slot of
/// `--weighting pooled`, where every resource forms a single scope.
pub fn scope_slot(weighting: Weighting, scope: usize) -> usize {
    match weighting {
        Weighting::Pooled => 0,
        Weighting::Resources | Weighting::Equal => scope,
    }
}

/// §1.1: how many slots `scopes` scopes fill under `weighting`.
pub fn slot_count(weighting: Weighting, scopes: usize) -> usize {
    match weighting {
        Weighting::Pooled => 1,
        Weighting::Resources | Weighting::Equal => scopes,
    }
}

/// §1.1: the scope a slot stands for; `None` for the pooled slot.
pub fn slot_scope(weighting: Weighting, slot: usize) -> Option<u32> {
    match weighting {
        Weighting::Pooled => None,
        Weighting::Resources | Weighting::Equal => Some(slot as u32),
    }
}

/// §1.1: a scope's computed weight, given its resources that weigh.
pub fn computed_weight(weighting: Weighting, resources: u64) -> u64 {
    match weighting {
        Weighting::Equal => 1,
        Weighting::Resources | Weighting::Pooled => resources,
    }
}

/// Step 6: a scope's percentage; undefined when no control with points applies.
pub fn percentage(current: f64, max: f64) -> Option<f64> {
    (max > 0.0).then(|| 100.0 * current / max)
}

/// §1.1: `k_s = w_s / max_s`, the factor that turns a scope's points into its share of
/// the weighted mean.
pub fn scope_factor(weight: f64, scope_max: f64) -> f64 {
    weight / scope_max
}

/// §1.1: the percentage points of the overall score that `points` of a scope with factor
/// `k` are worth, when the defined scopes' weights total `total_weight`.
pub fn share_of_overall(k: f64, points: f64, total_weight: f64) -> f64 {
    100.0 * k * points / total_weight
}

/// §1.1: [`share_of_overall`] of `points` in a scope of weight `weight` and `scope_max`
/// points, computed as `100 · w · points / (max · W)`: the order of operations `plan`'s
/// gain estimate has always used, which rounds differently in the last bits.
pub fn points_in_overall(weight: f64, scope_max: f64, points: f64, total_weight: f64) -> f64 {
    100.0 * weight * points / (scope_max * total_weight)
}

/// §1.1: the weighted mean of the defined scopes' percentages, `(weight, percentage)`
/// each; undefined when there is none or their weights total 0.
pub fn weighted_mean(scopes: &[(f64, f64)]) -> Option<f64> {
    let total: f64 = scopes.iter().map(|(w, _)| w).sum();
    (!scopes.is_empty() && total > 0.0).then(|| scopes.iter().map(|(w, p)| w * p).sum::<f64>() / total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(healthy: u64, unhealthy: u64) -> Counts {
        Counts {
            healthy,
            unhealthy,
            not_applicable: 0,
        }
    }

    #[test]
    fn the_worked_example_of_the_spec() {
        // Max 6, 50 applicable of which 8 unhealthy: 0.12 per resource, current 5.04.
        let c = counts(42, 8);
        assert!((control_current(6.0, c) - 5.04).abs() < 1e-12);
        assert!((points_per_resource(6.0, c).unwrap() - 0.12).abs() < 1e-12);
        // In a 60-point scope of weight 1 (the only one), +0.96 points = +1.6%.
        let k = scope_factor(1.0, 60.0);
        assert!((share_of_overall(k, 6.0 - 5.04, 1.0) - 1.6).abs() < 1e-12);
    }

    #[test]
    fn a_control_that_applies_to_nothing_scores_nothing() {
        assert_eq!(control_current(6.0, counts(0, 0)), 0.0);
        assert_eq!(points_per_resource(6.0, counts(0, 0)), None);
        assert_eq!(percentage(0.0, 0.0), None);
    }

    #[test]
    fn a_resource_is_as_bad_as_its_worst_counted_assessment() {
        let mut s = ResourceStates::new(3);
        s.add(0, Status::Healthy);
        s.add(0, Status::Unhealthy);
        s.add(0, Status::NotApplicable);
        s.add(2, Status::NotApplicable);
        s.add(2, Status::Healthy);
        assert_eq!(s.get(0), Some(Status::Unhealthy));
        assert_eq!(s.get(1), None);
        let mut seen = Vec::new();
        s.drain(|c, st| seen.push((c, st)));
        assert_eq!(seen, vec![(0, Status::Unhealthy), (2, Status::Healthy)]);
        assert!(s.is_empty() && s.get(0).is_none());
    }

    #[test]
    fn the_mean_is_weighted_and_undefined_without_weight() {
        assert_eq!(weighted_mean(&[(1.0, 50.0), (3.0, 100.0)]), Some(87.5));
        assert_eq!(weighted_mean(&[]), None);
        assert_eq!(weighted_mean(&[(0.0, 50.0)]), None);
    }
}
