//! The classic secure score (SPEC §1, §1.1): controls scored per scope, scopes combined
//! by their weights. Tallies each resource's state per control with [`kernel`]'s rules,
//! and estimates `plan`'s gains from the same per-scope counts.

use super::kernel::{self, ResourceStates};
use super::{
    defined_weight, Arithmetic, Cell, ControlInScope, ControlScore, Counts, Fix, GainEstimate, GainInputs,
    Overall, ScopeCounts, ScopeCountsBuilder, ScopeScore, Score, ScoreOptions, WeightSource, Weighting,
};
use crate::diag::Diagnostic;
use crate::groups::Group;
use crate::model::{Assessment, CountRows, ExportedControl, Model, Status};
use crate::select::Selection;
use std::collections::BTreeMap;

/// Defender for Cloud's classic secure score.
pub struct Classic;

impl Arithmetic for Classic {
    /// Counted when the kernel's rule allows it and a control holds it.
    fn is_counted(&self, model: &Model, r: usize, options: &ScoreOptions) -> bool {
        model
            .recommendations
            .get(r)
            .is_some_and(|rec| kernel::is_counted(rec, options))
            && !model.controls_of(r).is_empty()
    }

    fn score(&self, model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score {
        classic(model, options, selection)
    }

    fn score_groups(&self, model: &Model, options: &ScoreOptions, groups: &[Group]) -> Vec<Overall> {
        let counted = self.counted(model, options);
        let mut states = ResourceStates::new(model.controls.len());
        groups
            .iter()
            .map(|g| group_overall(model, options, &counted, &mut states, g))
            .collect()
    }

    fn control_in_scope(
        &self,
        model: &Model,
        score: &Score,
        scope: &ScopeScore,
        c: usize,
    ) -> Option<ControlInScope> {
        let max_score = kernel::control_max(model, &score.scope_controls, scope.slot(), c);
        let counts = score.scope_controls.get(scope.slot(), c);
        let applicable = counts.applicable() > 0;
        let current = kernel::control_current(max_score, counts);
        let potential = if applicable { max_score - current } else { 0.0 };
        let total_weight = score.total_weight;
        let share_of_overall = if applicable && scope.percentage.is_some() && total_weight > 0.0 {
            kernel::share_of_overall(
                kernel::scope_factor(scope.weight as f64, scope.max),
                potential,
                total_weight,
            )
        } else {
            0.0
        };
        Some(ControlInScope {
            counts,
            applicable,
            max: max_score,
            current,
            potential,
            points_per_resource: kernel::points_per_resource(max_score, counts),
            share_of_overall,
        })
    }

    fn gain_estimator<'a>(&self, inputs: GainInputs<'a>) -> GainEstimate<'a> {
        let estimator = GainEstimator::new(inputs);
        Box::new(move |resources, changes| estimator.gain(resources, changes))
    }

    fn heal(&self, fix: Fix, score: &mut Score) {
        heal(fix, score);
    }
}

/// The classic secure score (SPEC §1, §1.1).
fn classic(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score {
    let tally = tally(model, options, selection);
    let mut scopes: Vec<ScopeScore> = (0..tally.scope_count)
        .filter(|&s| tally.scope_met[s])
        .map(|s| {
            let points = kernel::scope_points(model, &tally.per_scope, s);
            scope_score(options, s, points, tally.scope_resources[s])
        })
        .collect();
    let (weights, warnings) = settle_weights(model, options, &mut scopes);
    let mut result = combine(model, tally, scopes);
    result.weights = weights;
    result.warnings = warnings;
    result
}

/// The score of the scope in slot `slot`, of `(current, max)` points and `resources`
/// resources that weigh, before [`settle_weights`].
fn scope_score(
    options: &ScoreOptions,
    slot: usize,
    (current, max): (f64, f64),
    resources: u64,
) -> ScopeScore {
    ScopeScore {
        scope: kernel::slot_scope(options.weighting, slot),
        current,
        max,
        percentage: kernel::percentage(current, max),
        weight: kernel::computed_weight(options.weighting, resources),
        resources,
    }
}

/// Replaces computed weights by exported ones when every scope with a defined score has
/// one (SPEC §1.1, an exported 0 counting as 1); says so, or why not, in warnings.
fn settle_weights(
    model: &Model,
    options: &ScoreOptions,
    scopes: &mut [ScopeScore],
) -> (WeightSource, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    // Exported weights stand for resources: other weightings keep their own.
    match options.weighting {
        Weighting::Resources => {}
        Weighting::Equal | Weighting::Pooled => return (WeightSource::Computed, warnings),
    }
    let exported = |s: &ScopeScore| {
        s.scope
            .and_then(|i| model.exported_score(i))
            .and_then(|e| e.weight)
            .map(|w| w.max(1))
    };
    let scope_id = |s: &ScopeScore| {
        s.scope
            .and_then(|i| model.scopes.get(i as usize))
            .map_or_else(|| crate::text::UNNAMED_SCOPE.to_string(), |sc| sc.label())
    };
    let defined: Vec<&ScopeScore> = scopes.iter().filter(|s| s.percentage.is_some()).collect();
    let missing: Vec<String> = defined
        .iter()
        .filter(|s| exported(s).is_none())
        .map(|s| scope_id(s))
        .collect();
    let any_exported = scopes.iter().any(|s| exported(s).is_some());
    if any_exported && !defined.is_empty() && missing.is_empty() && options.allow_exported_weights {
        for s in scopes.iter_mut() {
            if let Some(w) = exported(s) {
                s.weight = w;
            }
        }
        return (WeightSource::Exported, warnings);
    }
    if any_exported && defined.len() > 1 {
        let why = if options.allow_exported_weights {
            format!(
                "no secure score (ascScore) was exported for {}",
                missing.join(", ")
            )
        } else {
            "a filter below subscription level changes what each scope holds".to_string()
        };
        warnings.push(Diagnostic::warning(
            "exported-weights-ignored",
            format!("the exported secure score weights are not used, because {why}: every scope weighs by its resources"),
        ));
    }
    for s in scopes.iter().filter(|s| s.percentage.is_some()) {
        // Counts rows with a weight row weigh exactly (SPEC §10).
        let count_level = s.scope.is_some_and(|i| {
            model.scopes.get(i as usize).is_some_and(|sc| sc.count_level)
                && model.counts.weight(i, None).is_none()
        });
        if count_level && defined.len() > 1 {
            let source = s
                .scope
                .map_or("exported counts", |i| model.count_level_source(i as usize).0);
            warnings.push(Diagnostic::warning(
                "approximate-weight",
                format!(
                    "scope {} is scored from {source} and its weight is approximate: {} (healthy plus \
                     unhealthy resources summed over controls, which counts a resource once per control)",
                    scope_id(s),
                    s.weight
                ),
            ));
        }
    }
    (WeightSource::Computed, warnings)
}

/// Per-scope, per-control counts of resource states.
struct Tally {
    scope_count: usize,
    scope_met: Vec<bool>,
    scope_resources: Vec<u64>,
    /// Per scope slot met, the counts of each control it meets (kept sparse: a filter
    /// that keeps a few resources among thousands of subscriptions touches only a few,
    /// and a subscription costs only its own controls).
    per_scope: ScopeCounts,
    recommendations: Vec<Counts>,
    resources: u64,
    count_level: bool,
}

fn tally(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Tally {
    let nc = model.controls.len();
    let scope_count = kernel::slot_count(options.weighting, model.scopes.len());
    let counted = Classic.counted(model, options);
    let mut t = Tally {
        scope_count,
        scope_met: vec![false; scope_count],
        scope_resources: vec![0; scope_count],
        per_scope: ScopeCounts::default(),
        recommendations: vec![Counts::default(); model.recommendations.len()],
        resources: 0,
        count_level: false,
    };
    let mut cells = ScopeCountsBuilder::default();
    let mut states = ResourceStates::new(nc);
    for group in model.assessments.chunk_by(|a, b| a.resource == b.resource) {
        let resource = group[0].resource as usize;
        if selection.is_some_and(|sel| !sel.resource(resource)) {
            continue;
        }
        let scope = kernel::scope_slot(options.weighting, model.resource_scope[resource] as usize);
        t.scope_met[scope] = true;
        let recommendations = &mut t.recommendations;
        let counts_for_weight = fold_resource(model, options, &counted, group, &mut states, |r, status| {
            recommendations[r].add(status)
        });
        states.drain(|c, status| cells.cell(scope, c).counts.add(status));
        if counts_for_weight {
            t.scope_resources[scope] += 1;
            t.resources += 1;
        }
    }
    tally_counts(model, options, selection, &mut t, &mut cells);
    t.per_scope = cells.finish(scope_count, nc);
    t
}

/// Step 3 for one resource: folds its `assessments` into `states` (each counted one
/// into the controls that hold it), calling `each(recommendation, status)` for every
/// assessment with its effective status. True when some counted assessment is healthy or
/// unhealthy: the resource then weighs in its scope.
fn fold_resource(
    model: &Model,
    options: &ScoreOptions,
    counted: &[bool],
    assessments: &[Assessment],
    states: &mut ResourceStates,
    mut each: impl FnMut(usize, Status),
) -> bool {
    let mut counts_for_weight = false;
    for a in assessments {
        let status = kernel::effective_status(model, a, options);
        each(a.recommendation as usize, status);
        if !counted[a.recommendation as usize] {
            continue;
        }
        counts_for_weight |= status != Status::NotApplicable;
        for &c in model.controls_of(a.recommendation as usize) {
            states.add(c as usize, status);
        }
    }
    counts_for_weight
}

/// Adds the scopes scored from exported counts (SPEC §3), each control at the max the
/// scope exported it with. Their resources are not known: they weigh what their weight
/// rows say (counts rows, SPEC §10), else healthy plus unhealthy summed over controls.
fn tally_counts(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    t: &mut Tally,
    cells: &mut ScopeCountsBuilder,
) {
    for scope_controls in model.exported.controls.chunk_by(|a, b| a.scope == b.scope) {
        let s = scope_controls[0].scope;
        if !model.scopes[s as usize].count_level || selection.is_some_and(|sel| !sel.scope(s as usize)) {
            continue;
        }
        let slot = kernel::scope_slot(options.weighting, s as usize);
        let mut applicable = 0u64;
        for e in scope_controls {
            cells.cell(slot, e.control as usize).add_exported(e, model);
            applicable = applicable.saturating_add(e.counts.applicable());
        }
        let weight = model.counts.weight(s, None).unwrap_or(applicable);
        t.count_level = true;
        t.scope_met[slot] = true;
        t.scope_resources[slot] += weight;
        t.resources += weight;
    }
}

/// The exported control counts of scope `s` (they are sorted by scope).
fn exported_controls_of(model: &Model, s: u32) -> &[ExportedControl] {
    let controls = &model.exported.controls;
    let start = controls.partition_point(|e| e.scope < s);
    let end = start + controls[start..].partition_point(|e| e.scope == s);
    &controls[start..end]
}

/// A group's overall figures (SPEC §1.3): [`classic`]'s for a selection of exactly the
/// group's members and scopes, step for step, but reading only the group's assessments
/// and exported counts and keeping only the slots and controls it meets, so that the
/// work grows with the group, not with the model's scopes, recommendations or controls.
fn group_overall(
    model: &Model,
    options: &ScoreOptions,
    counted: &[bool],
    states: &mut ResourceStates,
    group: &Group,
) -> Overall {
    // (slot, control) → cell, and slot → resources that weigh, in slot then control
    // order: the order the figures are summed in.
    let mut cells: BTreeMap<(usize, usize), Cell> = BTreeMap::new();
    let mut slots: BTreeMap<usize, u64> = BTreeMap::new();
    let (mut resources, mut count_level) = (0u64, false);
    for &r in &group.members {
        let assessments = model.assessments_of(r as usize).unwrap_or_default();
        if assessments.is_empty() {
            continue;
        }
        let slot = kernel::scope_slot(options.weighting, model.resource_scope[r as usize] as usize);
        let weighs = fold_resource(model, options, counted, assessments, states, |_, _| {});
        states.drain(|c, status| cells.entry((slot, c)).or_default().counts.add(status));
        *slots.entry(slot).or_default() += u64::from(weighs);
        resources += u64::from(weighs);
    }
    for &s in group.scopes.iter().filter(|&&s| {
        model
            .scopes
            .get(s as usize)
            .is_some_and(|scope| scope.count_level)
    }) {
        let slot = kernel::scope_slot(options.weighting, s as usize);
        let (mut applicable, mut met) = (0u64, false);
        let mut add = |control: u32, counted| {
            cells
                .entry((slot, control as usize))
                .or_default()
                .add_count_level(counted, model);
            met = true;
        };
        let weight = if group.count_groups.is_empty() {
            for e in exported_controls_of(model, s) {
                add(e.control, (e.control, e.counts, e.figures.max));
                applicable = applicable.saturating_add(e.counts.applicable());
            }
            model.counts.weight(s, None)
        } else {
            let rows = group
                .count_groups
                .iter()
                .flat_map(|&g| CountRows::of_group(&model.counts.controls, s, Some(g)));
            for r in rows {
                add(r.item, (r.item, r.counts, None));
                applicable = applicable.saturating_add(r.counts.applicable());
            }
            group
                .count_groups
                .iter()
                .filter_map(|&g| model.counts.weight(s, Some(g)))
                .reduce(u64::saturating_add)
        };
        if met {
            let weight = weight.unwrap_or(applicable);
            count_level = true;
            *slots.entry(slot).or_default() += weight;
            resources += weight;
        }
    }
    let mut scopes: Vec<ScopeScore> = slots
        .iter()
        .map(|(&slot, &resources)| {
            let controls = cells
                .range((slot, 0)..=(slot, usize::MAX))
                .map(|(&(_, c), cell)| (cell.counts, kernel::cell_max(model, cell, c)));
            scope_score(options, slot, kernel::points_of(controls), resources)
        })
        .collect();
    settle_weights(model, options, &mut scopes);
    let defined: Vec<&ScopeScore> = scopes.iter().filter(|s| s.percentage.is_some()).collect();
    overall(&defined, resources, count_level)
}

/// Combines per-scope figures into the overall score (SPEC §1.1).
fn combine(model: &Model, tally: Tally, scopes: Vec<ScopeScore>) -> Score {
    let defined: Vec<&ScopeScore> = scopes.iter().filter(|s| s.percentage.is_some()).collect();
    let total_weight = defined_weight(&scopes);
    let controls = (0..model.controls.len())
        .map(|c| combine_control(model, &tally.per_scope, &scopes, defined.len(), total_weight, c))
        .collect();
    let Overall {
        percentage,
        current,
        max,
        ..
    } = overall(&defined, tally.resources, tally.count_level);
    Score {
        percentage,
        current,
        max,
        resources: tally.resources,
        defined_scopes: defined.len(),
        total_weight,
        controls,
        scopes,
        recommendations: tally.recommendations,
        scope_controls: tally.per_scope,
        weights: WeightSource::Computed,
        count_level: tally.count_level,
        warnings: Vec::new(),
        by_recommendation: None,
    }
}

/// The overall figures of the scopes with a defined score (SPEC §1.1): their weighted
/// mean, and their points when there is one; with the `resources` that weigh and
/// whether a scope is scored from exported counts, as the tally found them.
fn overall(defined: &[&ScopeScore], resources: u64, count_level: bool) -> Overall {
    let percentage = kernel::weighted_mean(
        &defined
            .iter()
            .map(|s| (s.weight as f64, s.percentage.unwrap_or(0.0)))
            .collect::<Vec<_>>(),
    );
    let (current, max) = match defined {
        [] => (Some(0.0), Some(0.0)),
        [one] => (Some(one.current), Some(one.max)),
        _ => (None, None),
    };
    Overall {
        percentage,
        current,
        max,
        resources,
        defined_scopes: defined.len(),
        count_level,
    }
}

/// [`Arithmetic::heal`]: the counts of what the fix changes are moved from unhealthy to
/// healthy, and the figures that read them are computed again as [`classic`] computes
/// them, so that they come out the same to the last bit.
fn heal(fix: Fix, score: &mut Score) {
    let Fix {
        model,
        options,
        counted,
        effective,
        resources,
        changes,
    } = fix;
    for &i in changes {
        score.recommendations[model.assessments[i].recommendation as usize].heal();
    }
    let nc = model.controls.len();
    let (mut before, mut after) = (ResourceStates::new(nc), ResourceStates::new(nc));
    let mut healed = Vec::new();
    let mut slots: Vec<usize> = Vec::new();
    let mut controls: Vec<usize> = Vec::new();
    for &r in resources {
        let slot = kernel::scope_slot(options.weighting, model.resource_scope[r as usize] as usize);
        healed_controls(
            (model, counted, effective),
            r,
            changes,
            (&mut before, &mut after),
            &mut healed,
        );
        if !healed.is_empty() {
            slots.push(slot);
        }
        for c in healed.drain(..) {
            score.scope_controls.heal(slot, c);
            controls.push(c);
        }
    }
    slots.sort_unstable();
    slots.dedup();
    for slot in slots {
        if let Ok(at) = score.scopes.binary_search_by_key(&slot, ScopeScore::slot) {
            let (current, max) = kernel::scope_points(model, &score.scope_controls, slot);
            let scope = &mut score.scopes[at];
            scope.current = current;
            scope.percentage = kernel::percentage(current, max);
        }
    }
    let defined: Vec<&ScopeScore> = score.scopes.iter().filter(|s| s.percentage.is_some()).collect();
    controls.sort_unstable();
    controls.dedup();
    for c in controls {
        score.controls[c] = combine_control(
            model,
            &score.scope_controls,
            &score.scopes,
            defined.len(),
            score.total_weight,
            c,
        );
    }
    let Overall {
        percentage,
        current,
        max,
        ..
    } = overall(&defined, score.resources, score.count_level);
    (score.percentage, score.current, score.max) = (percentage, current, max);
}

/// The controls, ascending, in which resource `r` turns from unhealthy to healthy when
/// the assessments at `changes` (sorted) become healthy, its counted assessments having
/// the `effective` statuses, into `healed`; `states` are scratch space (before, after).
fn healed_controls(
    (model, counted, effective): (&Model, &[bool], &[Status]),
    r: u32,
    changes: &[usize],
    (before, after): (&mut ResourceStates, &mut ResourceStates),
    healed: &mut Vec<usize>,
) {
    for i in model.assessment_range(r as usize) {
        let a = &model.assessments[i];
        if !counted[a.recommendation as usize] {
            continue;
        }
        let now = effective[i];
        let fixed = if changes.binary_search(&i).is_ok() {
            Status::Healthy
        } else {
            now
        };
        for &c in model.controls_of(a.recommendation as usize) {
            before.add(c as usize, now);
            after.add(c as usize, fixed);
        }
    }
    // Sorted in control order, so that what is summed over them does not depend on the
    // order of the assessments.
    before.drain(|c, was| {
        if was == Status::Unhealthy && after.get(c) == Some(Status::Healthy) {
            healed.push(c);
        }
    });
    after.clear();
    healed.sort_unstable();
}

/// Control `c`'s figures combined over the scopes (SPEC §1.1): each defined scope where
/// it applies counts with its factor `k = weight / scope max` and the control's max
/// there, so that current + potential = max and 0 ≤ current ≤ max however the maxima
/// differ between scopes (see [`ControlScore::max_score`]). `scopes` are in slot order,
/// `defined` of them with a defined score; only the slots where the control was met are
/// read, in slot order, so that the sums run as over every scope.
fn combine_control(
    model: &Model,
    per_scope: &ScopeCounts,
    scopes: &[ScopeScore],
    defined: usize,
    total_weight: f64,
    c: usize,
) -> ControlScore {
    let mut counts = Counts::default();
    let (mut weighted_current, mut weighted_potential, mut weighted_max, mut weight_sum) =
        (0.0, 0.0, 0.0, 0.0);
    let mut single: Option<(f64, f64, Counts)> = None;
    // The max shared by every scope where it applies, if they agree: then the combined
    // max is exactly that, not a mean that could differ from it in the last bits.
    let mut shared_max: Option<Option<f64>> = None;
    for (slot, cell) in per_scope.slots_of(c) {
        let Ok(at) = scopes.binary_search_by_key(&slot, ScopeScore::slot) else {
            continue;
        };
        let (s, cs) = (&scopes[at], cell.counts);
        counts.add_counts(cs);
        if s.percentage.is_none() || cs.applicable() == 0 {
            continue;
        }
        let max = kernel::cell_max(model, cell, c);
        let current = kernel::control_current(max, cs);
        let k = kernel::scope_factor(s.weight as f64, s.max);
        weighted_current += k * current;
        weighted_potential += k * (max - current);
        weighted_max += k * max;
        weight_sum += k;
        single = Some((max, current, cs));
        shared_max = Some(match shared_max {
            None => Some(max),
            Some(kept) => kept.filter(|&m| m == max),
        });
    }
    let in_defined = weight_sum > 0.0;
    let (max_score, current) = match (defined, single) {
        (1, Some((max, current, _))) => (max, current),
        _ if in_defined => (
            shared_max.flatten().unwrap_or(weighted_max / weight_sum),
            weighted_current / weight_sum,
        ),
        // Where it applies, no scope has a defined score: every applicable control is worth 0 there.
        _ if counts.applicable() > 0 => (0.0, 0.0),
        _ => (
            model.controls.get(c).map_or(0.0, |control| control.max_score),
            0.0,
        ),
    };
    ControlScore {
        control: c as u32,
        applicable: counts.applicable() > 0,
        max_score,
        current,
        potential: if in_defined { max_score - current } else { 0.0 },
        potential_percentage: if in_defined {
            // Each scope's potential is weighted by its factor k.
            kernel::share_of_overall(1.0, weighted_potential, total_weight)
        } else {
            0.0
        },
        points_per_resource: match (defined, single) {
            (1, Some((max, _, counts))) => kernel::points_per_resource(max, counts),
            _ => None,
        },
        counts,
    }
}

/// The per-round figures `plan`'s gain estimate is computed from.
struct GainEstimator<'a> {
    inputs: GainInputs<'a>,
    /// Per scope slot with a defined score: (weight, max).
    slots: Vec<Option<(f64, f64)>>,
    total_weight: f64,
}

impl<'a> GainEstimator<'a> {
    fn new(inputs: GainInputs<'a>) -> GainEstimator<'a> {
        let (model, options) = (inputs.model, inputs.options);
        let slot_count = kernel::slot_count(options.weighting, model.scopes.len());
        let mut slots = vec![None; slot_count];
        for s in &inputs.score.scopes {
            if s.percentage.is_some() {
                slots[s.slot()] = Some((s.weight as f64, s.max));
            }
        }
        let total_weight = inputs.score.total_weight;
        GainEstimator {
            inputs,
            slots,
            total_weight,
        }
    }

    /// Percentage points the overall score gains when `changes` become healthy: for each
    /// control in which one of `resources` turns from unhealthy to healthy, one more
    /// healthy resource's points, weighted as its scope is.
    fn gain(&self, resources: &[u32], changes: &[usize]) -> f64 {
        let GainInputs {
            model,
            options,
            score,
            counted,
            effective,
        } = self.inputs;
        let nc = model.controls.len();
        let mut gained = 0.0;
        let (mut before, mut after) = (ResourceStates::new(nc), ResourceStates::new(nc));
        let mut healed: Vec<usize> = Vec::new();
        for &r in resources {
            let slot = kernel::scope_slot(options.weighting, model.resource_scope[r as usize] as usize);
            let Some((weight, max)) = self.slots.get(slot).copied().flatten() else {
                continue;
            };
            healed_controls(
                (model, counted, effective),
                r,
                changes,
                (&mut before, &mut after),
                &mut healed,
            );
            for c in healed.drain(..) {
                let counts: Counts = score.scope_controls.get(slot, c);
                let control_max = kernel::control_max(model, &score.scope_controls, slot, c);
                let one_more = kernel::points_per_resource(control_max, counts).unwrap_or(0.0);
                gained += kernel::points_in_overall(weight, max, one_more, self.total_weight);
            }
        }
        gained
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::model::{
        Control, Exemption, ExemptionCategory, ExportedScore, Figures, ModelParts, Recommendation, Scope,
    };
    use proptest::prelude::*;

    /// A resource: its scope (among those scored from assessments), and its assessments:
    /// (recommendation, status, exemption kind).
    type ResourceSketch = (usize, Vec<(usize, u8, u8)>);

    /// Exported counts of one control in one scope: healthy, unhealthy, not applicable,
    /// max kind.
    type ExportSketch = Option<(u64, u64, u64, u8)>;

    /// A random inventory, described by small numbers.
    #[derive(Clone, Debug)]
    struct Sketch {
        /// Per scope: count-level, exported weight.
        scopes: Vec<(bool, Option<u64>)>,
        /// Per recommendation: preview, custom.
        recommendations: Vec<(bool, bool)>,
        /// Per control: its max (an index into `MAXIMA`), its members.
        controls: Vec<(usize, Vec<usize>)>,
        resources: Vec<ResourceSketch>,
        /// Per scope and control, kept for the count-level scopes.
        exported: Vec<Vec<ExportSketch>>,
        /// Groups: members and whole scopes, as index sets.
        groups: Vec<(Vec<usize>, Vec<usize>)>,
        /// Weighting, exported weights allowed, exemptions ignored, preview included.
        options: (u8, bool, bool, bool),
    }

    const MAXIMA: [f64; 5] = [0.0, 1.0, 2.5, 6.0, 10.0];

    fn sketch() -> impl Strategy<Value = Sketch> {
        let scopes = prop::collection::vec((prop::bool::weighted(0.35), prop::option::of(0u64..4)), 1..5);
        let recommendations =
            prop::collection::vec((prop::bool::weighted(0.2), prop::bool::weighted(0.15)), 1..6);
        let controls = prop::collection::vec((0usize..5, prop::collection::btree_set(0usize..6, 0..4)), 1..5);
        let assessments = prop::collection::btree_map(0usize..6, (0u8..3, 0u8..4), 0..5);
        let resources = prop::collection::vec((0usize..5, assessments), 0..10);
        let exported = prop::collection::vec(
            prop::collection::vec(prop::option::of((0u64..4, 0u64..4, 0u64..3, 0u8..4)), 5),
            5,
        );
        let groups = prop::collection::vec(
            (
                prop::collection::btree_set(0usize..10, 0..6),
                prop::collection::btree_set(0usize..5, 0..3),
            ),
            1..5,
        );
        let options = (0u8..3, any::<bool>(), any::<bool>(), any::<bool>());
        (
            scopes,
            recommendations,
            controls,
            resources,
            exported,
            groups,
            options,
        )
            .prop_map(
                |(scopes, recommendations, controls, resources, exported, groups, options)| Sketch {
                    scopes,
                    recommendations,
                    controls: controls
                        .into_iter()
                        .map(|(m, s)| (m, s.into_iter().collect()))
                        .collect(),
                    resources: resources
                        .into_iter()
                        .map(|(s, a)| (s, a.into_iter().map(|(r, (st, e))| (r, st, e)).collect()))
                        .collect(),
                    exported,
                    groups: groups
                        .into_iter()
                        .map(|(m, s)| (m.into_iter().collect(), s.into_iter().collect()))
                        .collect(),
                    options,
                },
            )
    }

    /// The model, groups and options a sketch describes (out-of-range indexes dropped).
    fn build(sk: &Sketch) -> (Model, Vec<Group>, ScoreOptions) {
        let n_recs = sk.recommendations.len();
        let assessed: Vec<usize> = (0..sk.scopes.len()).filter(|&s| !sk.scopes[s].0).collect();
        // Resources lie in scopes scored from assessments: none when there is none.
        let resources: &[ResourceSketch] = if assessed.is_empty() { &[] } else { &sk.resources };
        let mut exemptions = Vec::new();
        let mut assessments = Vec::new();
        for (r, (_, list)) in resources.iter().enumerate() {
            for &(rec, status, kind) in list.iter().filter(|a| a.0 < n_recs) {
                let exemption = match kind {
                    1 => Some((ExemptionCategory::Waiver, Date::from_ymd(2026, 12, 31))),
                    2 => Some((ExemptionCategory::Mitigated, None)),
                    3 => Some((ExemptionCategory::Waiver, Date::from_ymd(2026, 1, 1))),
                    _ => None,
                };
                let index = exemption.map_or(0, |(category, expires)| {
                    exemptions.push(Exemption {
                        category,
                        expires,
                        reason: None,
                        hides_status: false,
                    });
                    exemptions.len() as u32
                });
                assessments.push(Assessment::new(
                    r as u32,
                    rec as u32,
                    [Status::Healthy, Status::Unhealthy, Status::NotApplicable][status as usize],
                    index,
                ));
            }
        }
        let mut controls_out = Vec::new();
        let mut exported_controls = Vec::new();
        let count_level = (0..sk.scopes.len()).filter(|&s| sk.scopes[s].0);
        for s in count_level {
            for (c, e) in sk.exported[s].iter().enumerate().take(sk.controls.len()) {
                if let Some((h, u, na, max)) = *e {
                    exported_controls.push(ExportedControl {
                        scope: s as u32,
                        control: c as u32,
                        counts: Counts {
                            healthy: h,
                            unhealthy: u,
                            not_applicable: na,
                        },
                        figures: Figures {
                            max: [None, Some(0.0), Some(3.0), Some(8.0)][max as usize],
                            ..Figures::default()
                        },
                        at: Default::default(),
                    });
                }
            }
        }
        for (c, (max, members)) in sk.controls.iter().enumerate() {
            controls_out.push(Control {
                id: format!("c{c}"),
                name: None,
                description: None,
                max_score: MAXIMA[*max],
                members: members
                    .iter()
                    .filter(|&&m| m < n_recs)
                    .map(|&m| m as u32)
                    .collect(),
            });
        }
        let scores = sk
            .scopes
            .iter()
            .enumerate()
            .filter_map(|(s, (_, weight))| {
                weight.map(|w| ExportedScore {
                    scope: s as u32,
                    weight: Some(w),
                    figures: Figures::default(),
                    at: Default::default(),
                })
            })
            .collect();
        let parts = ModelParts {
            controls: controls_out,
            recommendations: sk
                .recommendations
                .iter()
                .enumerate()
                .map(|(i, &(preview, custom))| Recommendation {
                    id: format!("r{i}"),
                    preview,
                    custom,
                    ..Recommendation::default()
                })
                .collect(),
            resources: (0..resources.len()).map(|r| format!("res{r}")).collect(),
            resource_scope: resources
                .iter()
                .map(|(s, _)| assessed[s % assessed.len()] as u32)
                .collect(),
            scopes: (0..sk.scopes.len())
                .map(|s| Scope {
                    key: Some(format!("s{s}")),
                    id: Some(format!("S{s}")),
                    name: None,
                    management_groups: Vec::new(),
                    count_level: sk.scopes[s].0,
                })
                .collect(),
            assessments,
            exemptions,
            exported: crate::model::Exported {
                controls: exported_controls,
                scores,
                ..Default::default()
            },
            ..ModelParts::default()
        };
        let model = Model::new(parts);
        let groups = sk
            .groups
            .iter()
            .map(|(members, scopes)| Group {
                id: None,
                members: members
                    .iter()
                    .filter(|&&r| r < model.resources.len())
                    .map(|&r| r as u32)
                    .collect(),
                scopes: scopes
                    .iter()
                    .filter(|&&s| s < model.scopes.len())
                    .map(|&s| s as u32)
                    .collect(),
                count_groups: Vec::new(),
            })
            .collect();
        let (weighting, allow_exported_weights, ignore_exemptions, include_preview) = sk.options;
        let options = ScoreOptions {
            model: crate::score::ScoringModel::Classic,
            as_of: Date::from_ymd(2026, 6, 1).unwrap_or_else(Date::today_utc),
            include_preview,
            ignore_exemptions,
            weighting: [Weighting::Resources, Weighting::Equal, Weighting::Pooled][weighting as usize],
            allow_exported_weights,
        };
        (model, groups, options)
    }

    /// The straightforward figures of a group: the model scored with a selection that
    /// keeps exactly the group's members and scopes.
    fn scored_alone(model: &Model, options: &ScoreOptions, group: &Group) -> Overall {
        let mut selection = Selection {
            resources: vec![false; model.resources.len()],
            scopes: vec![false; model.scopes.len()],
        };
        for &r in &group.members {
            selection.resources[r as usize] = true;
        }
        for &s in &group.scopes {
            selection.scopes[s as usize] = true;
        }
        classic(model, options, Some(&selection)).overall()
    }

    /// The figures as bits, so that equal means the same bytes out.
    fn bits(o: &Overall) -> (Option<u64>, Option<u64>, Option<u64>, u64, usize, bool) {
        (
            o.percentage.map(f64::to_bits),
            o.current.map(f64::to_bits),
            o.max.map(f64::to_bits),
            o.resources,
            o.defined_scopes,
            o.count_level,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// SPEC §1.3: each group's figures, computed from the group's own members and
        /// scopes, are exactly those of the model scored with only the group selected,
        /// under every weighting, with count-level scopes and exported weights or not.
        #[test]
        fn a_group_scores_as_the_model_restricted_to_it(sk in sketch()) {
            let (model, groups, options) = build(&sk);
            let got = Classic.score_groups(&model, &options, &groups);
            prop_assert_eq!(got.len(), groups.len());
            for (g, figures) in groups.iter().zip(&got) {
                let expected = scored_alone(&model, &options, g);
                prop_assert_eq!(bits(figures), bits(&expected), "{:?}: {:?} against {:?}", g, figures, expected);
            }
        }
    }
}
