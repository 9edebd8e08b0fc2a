//! The classic secure score (SPEC §1, §1.1): controls scored per scope, scopes combined
//! by their weights. Tallies each resource's state per control with [`kernel`]'s rules,
//! and estimates `plan`'s gains from the same per-scope counts.

use super::kernel::{self, ResourceStates};
use super::{
    defined_weight, Arithmetic, ControlInScope, ControlScore, Counts, Fix, GainEstimate, GainInputs,
    ScopeCounts, ScopeScore, Score, ScoreOptions, WeightSource, Weighting,
};
use crate::diag::Diagnostic;
use crate::model::{Model, Status};
use crate::select::Selection;

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

    fn control_in_scope(&self, model: &Model, score: &Score, scope: &ScopeScore, c: usize) -> ControlInScope {
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
        ControlInScope {
            counts,
            applicable,
            max: max_score,
            current,
            potential,
            points_per_resource: kernel::points_per_resource(max_score, counts),
            share_of_overall,
        }
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
            let (current, max) = kernel::scope_points(model, &tally.per_scope, s);
            let resources = tally.scope_resources[s];
            ScopeScore {
                scope: kernel::slot_scope(options.weighting, s),
                current,
                max,
                percentage: kernel::percentage(current, max),
                weight: kernel::computed_weight(options.weighting, resources),
                resources,
            }
        })
        .collect();
    let (weights, warnings) = settle_weights(model, options, &mut scopes);
    let mut result = combine(model, tally, scopes);
    result.weights = weights;
    result.warnings = warnings;
    result
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
        let count_level = s
            .scope
            .and_then(|i| model.scopes.get(i as usize))
            .is_some_and(|sc| sc.count_level);
        if count_level && defined.len() > 1 {
            warnings.push(Diagnostic::warning(
                "approximate-weight",
                format!(
                    "scope {} is scored from exported counts and its weight is approximate: {} (healthy plus \
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
    /// Per scope slot met, the counts of each control (slots are kept sparse: a group of
    /// a few resources among thousands of subscriptions touches only a few).
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
        per_scope: ScopeCounts::new(nc),
        recommendations: vec![Counts::default(); model.recommendations.len()],
        resources: 0,
        count_level: false,
    };
    let mut states = ResourceStates::new(nc);
    // A selection that lists its members reads only their assessments.
    let by_member: Option<Vec<&[crate::model::Assessment]>> = selection
        .and_then(|sel| sel.members.as_ref())
        .and_then(|members| {
            members
                .iter()
                .map(|&r| model.assessments_of(r as usize))
                .collect()
        });
    let groups: Box<dyn Iterator<Item = &[crate::model::Assessment]>> = match by_member {
        Some(lists) => Box::new(lists.into_iter().filter(|g| !g.is_empty())),
        None => Box::new(model.assessments.chunk_by(|a, b| a.resource == b.resource)),
    };
    for group in groups {
        let resource = group[0].resource as usize;
        if selection.is_some_and(|sel| !sel.resource(resource)) {
            continue;
        }
        let scope = kernel::scope_slot(options.weighting, model.resource_scope[resource] as usize);
        t.scope_met[scope] = true;
        let mut counts_for_weight = false;
        for a in group {
            let status = kernel::effective_status(model, a, options);
            t.recommendations[a.recommendation as usize].add(status);
            if !counted[a.recommendation as usize] {
                continue;
            }
            counts_for_weight |= status != Status::NotApplicable;
            for &c in model.controls_of(a.recommendation as usize) {
                states.add(c as usize, status);
            }
        }
        if !states.is_empty() {
            let slot = t.per_scope.slot_mut(scope);
            states.drain(|c, status| slot[c].add(status));
        }
        if counts_for_weight {
            t.scope_resources[scope] += 1;
            t.resources += 1;
        }
    }
    tally_counts(model, options, selection, &mut t);
    t
}

/// Adds the scopes scored from exported counts (SPEC §3), each control at the max the
/// scope exported it with. Their resources are not known: they count as healthy plus
/// unhealthy summed over controls.
fn tally_counts(model: &Model, options: &ScoreOptions, selection: Option<&Selection>, t: &mut Tally) {
    for e in &model.exported.controls {
        let s = e.scope as usize;
        if !model.scopes[s].count_level || selection.is_some_and(|sel| !sel.scope(s)) {
            continue;
        }
        let slot = kernel::scope_slot(options.weighting, s);
        let c = e.control as usize;
        let definition_max = model.controls.get(c).map_or(0.0, |control| control.max_score);
        let before = t.per_scope.get(slot, c);
        if t.per_scope.max_of(slot, c).is_none() && before != Counts::default() {
            // Resources scored from assessments share the pooled slot, at the definition's max.
            t.per_scope
                .note_max(slot, c, before.applicable() > 0, definition_max);
        }
        t.per_scope.note_max(
            slot,
            c,
            e.counts.applicable() > 0,
            e.figures.max.unwrap_or(definition_max),
        );
        t.count_level = true;
        t.scope_met[slot] = true;
        t.per_scope.slot_mut(slot)[c].add_counts(e.counts);
        t.scope_resources[slot] += e.counts.applicable();
        t.resources += e.counts.applicable();
    }
}

/// Combines per-scope figures into the overall score (SPEC §1.1).
fn combine(model: &Model, tally: Tally, scopes: Vec<ScopeScore>) -> Score {
    let defined: Vec<&ScopeScore> = scopes.iter().filter(|s| s.percentage.is_some()).collect();
    let total_weight = defined_weight(&scopes);
    let controls = (0..model.controls.len())
        .map(|c| combine_control(model, &tally.per_scope, &scopes, &defined, total_weight, c))
        .collect();
    let Overall {
        percentage,
        current,
        max,
    } = overall(&defined);
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
    }
}

/// The overall figures of a score.
struct Overall {
    percentage: Option<f64>,
    current: Option<f64>,
    max: Option<f64>,
}

/// The overall figures of the scopes with a defined score (SPEC §1.1): their weighted
/// mean, and their points when there is one.
fn overall(defined: &[&ScopeScore]) -> Overall {
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
        let counts = score.scope_controls.slot_mut(slot);
        for c in healed.drain(..) {
            counts[c].heal();
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
            &defined,
            score.total_weight,
            c,
        );
    }
    let Overall {
        percentage,
        current,
        max,
    } = overall(&defined);
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
/// differ between scopes (see [`ControlScore::max_score`]).
fn combine_control(
    model: &Model,
    per_scope: &ScopeCounts,
    scopes: &[ScopeScore],
    defined: &[&ScopeScore],
    total_weight: f64,
    c: usize,
) -> ControlScore {
    let mut counts = Counts::default();
    for s in scopes {
        counts.add_counts(per_scope.get(s.slot(), c));
    }
    let (mut weighted_current, mut weighted_potential, mut weighted_max, mut weight_sum) =
        (0.0, 0.0, 0.0, 0.0);
    let mut single: Option<(f64, f64, Counts)> = None;
    // The max shared by every scope where it applies, if they agree: then the combined
    // max is exactly that, not a mean that could differ from it in the last bits.
    let mut shared_max: Option<Option<f64>> = None;
    for s in defined {
        let cs = per_scope.get(s.slot(), c);
        if cs.applicable() == 0 {
            continue;
        }
        let max = kernel::control_max(model, per_scope, s.slot(), c);
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
    let (max_score, current) = match (defined.len(), single) {
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
        points_per_resource: match (defined.len(), single) {
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
