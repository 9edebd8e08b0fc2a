//! The scoring core (SPEC §1): a pure function from a model, options and a selection of
//! resources to per-scope, per-control and overall figures. No I/O. The arithmetic itself
//! is [`kernel`]'s; this module tallies the assessments and combines the scopes.

pub mod kernel;
mod options;

use crate::diag::Diagnostic;
use crate::model::{Model, Status};
use crate::select::Selection;
use crate::text::nano_units;
use kernel::ResourceStates;
use std::cmp::Ordering;

pub use options::{ScoreOptions, ScoringModel, WeightSource, Weighting};

pub use crate::model::Counts;

/// Counts per scope slot and control, kept only for the slots met.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScopeCounts {
    controls: usize,
    slots: std::collections::HashMap<usize, Vec<Counts>>,
}

impl ScopeCounts {
    fn new(controls: usize) -> ScopeCounts {
        ScopeCounts {
            controls,
            slots: std::collections::HashMap::new(),
        }
    }

    fn slot_mut(&mut self, slot: usize) -> &mut Vec<Counts> {
        let n = self.controls;
        self.slots
            .entry(slot)
            .or_insert_with(|| vec![Counts::default(); n])
    }

    /// The counts of control `c` in slot `slot` (zero where nothing was met).
    pub fn get(&self, slot: usize, c: usize) -> Counts {
        self.slots
            .get(&slot)
            .and_then(|v| v.get(c))
            .copied()
            .unwrap_or_default()
    }

    /// The counts of every control in slot `slot`.
    pub fn slot(&self, slot: usize) -> Vec<Counts> {
        self.slots
            .get(&slot)
            .cloned()
            .unwrap_or_else(|| vec![Counts::default(); self.controls])
    }
}

/// One scope's score.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeScore {
    /// Index into [`Model::scopes`]; `None` for the single pooled scope.
    pub scope: Option<u32>,
    pub current: f64,
    pub max: f64,
    /// `None` when no control with points applies.
    pub percentage: Option<f64>,
    pub weight: u64,
    /// Resources with a counted healthy or unhealthy assessment.
    pub resources: u64,
}

/// One control's figures, combined over scopes.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlScore {
    /// Index into [`Model::controls`].
    pub control: u32,
    pub applicable: bool,
    pub max_score: f64,
    pub current: f64,
    pub potential: f64,
    pub potential_percentage: f64,
    pub points_per_resource: Option<f64>,
    pub counts: Counts,
}

/// The whole result of scoring.
#[derive(Clone, Debug, PartialEq)]
pub struct Score {
    pub percentage: Option<f64>,
    /// Points, when exactly one scope has a defined percentage (0 when none has).
    pub current: Option<f64>,
    pub max: Option<f64>,
    pub resources: u64,
    /// Scopes with a defined percentage.
    pub defined_scopes: usize,
    /// Scopes met, in model order (by id, the unnamed scope last).
    pub scopes: Vec<ScopeScore>,
    /// In model order (by control id).
    pub controls: Vec<ControlScore>,
    /// Per recommendation: resources in each state within the selection.
    pub recommendations: Vec<Counts>,
    /// Per scope slot (the scope's index, or 0 when pooled) and control.
    pub scope_controls: ScopeCounts,
    /// Where the scope weights came from.
    pub weights: WeightSource,
    /// Some selected scope is scored from exported counts.
    pub count_level: bool,
    /// What the reader should know about how the figures were reached.
    pub warnings: Vec<Diagnostic>,
}

/// Scores the model. `selection`, when given, says which resources and scopes count.
pub fn score(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score {
    match options.model {
        ScoringModel::Classic => classic(model, options, selection),
    }
}

/// The classic secure score (SPEC §1, §1.1).
fn classic(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score {
    let tally = tally(model, options, selection);
    let mut scopes: Vec<ScopeScore> = (0..tally.scope_count)
        .filter(|&s| tally.scope_met[s])
        .map(|s| {
            let (current, max) = kernel::scope_points(model, &tally.per_scope.slot(s));
            let resources = tally.scope_resources[s];
            ScopeScore {
                scope: (options.weighting != Weighting::Pooled).then_some(s as u32),
                current,
                max,
                percentage: kernel::percentage(current, max),
                weight: if options.weighting == Weighting::Equal {
                    1
                } else {
                    resources
                },
                resources,
            }
        })
        .collect();
    let (weights, warnings) = settle_weights(model, options, &mut scopes);
    let mut result = combine(model, options, tally, scopes);
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
    if options.weighting != Weighting::Resources {
        return (WeightSource::Computed, warnings);
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
            .and_then(|sc| sc.id.clone())
            .unwrap_or_else(|| "(no subscription)".to_string())
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
    /// `[scope * controls + control]`.
    /// Per scope slot met, the counts of each control (slots are kept sparse: a group of
    /// a few resources among thousands of subscriptions touches only a few).
    per_scope: ScopeCounts,
    recommendations: Vec<Counts>,
    resources: u64,
    count_level: bool,
}

fn tally(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Tally {
    let nc = model.controls.len();
    let scope_count = if options.weighting == Weighting::Pooled {
        1
    } else {
        model.scopes.len()
    };
    let counted = kernel::counted_recommendations(model, options);
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
        let scope = if options.weighting == Weighting::Pooled {
            0
        } else {
            model.resource_scope[resource] as usize
        };
        t.scope_met[scope] = true;
        let mut counts_for_weight = false;
        for a in group {
            let status = kernel::effective_status(model, a, options);
            t.recommendations[a.recommendation as usize].add(status);
            if !counted[a.recommendation as usize] {
                continue;
            }
            counts_for_weight |= status != Status::NotApplicable;
            for &c in &model.recommendation_controls[a.recommendation as usize] {
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

/// Adds the scopes scored from exported counts (SPEC §3). Their resources are not known:
/// they count as healthy plus unhealthy summed over controls.
fn tally_counts(model: &Model, options: &ScoreOptions, selection: Option<&Selection>, t: &mut Tally) {
    for e in &model.exported.controls {
        let s = e.scope as usize;
        if !model.scopes[s].count_level || selection.is_some_and(|sel| !sel.scope(s)) {
            continue;
        }
        let slot = if options.weighting == Weighting::Pooled {
            0
        } else {
            s
        };
        t.count_level = true;
        t.scope_met[slot] = true;
        t.per_scope.slot_mut(slot)[e.control as usize].add_counts(e.counts);
        t.scope_resources[slot] += e.counts.applicable();
        t.resources += e.counts.applicable();
    }
}

/// Combines per-scope figures into the overall score (SPEC §1.1).
fn combine(model: &Model, options: &ScoreOptions, tally: Tally, scopes: Vec<ScopeScore>) -> Score {
    let defined: Vec<&ScopeScore> = scopes.iter().filter(|s| s.percentage.is_some()).collect();
    let total_weight: f64 = defined.iter().map(|s| s.weight as f64).sum();
    let percentage = kernel::weighted_mean(
        &defined
            .iter()
            .map(|s| (s.weight as f64, s.percentage.unwrap_or(0.0)))
            .collect::<Vec<_>>(),
    );
    let scope_slot = |s: &ScopeScore| match options.weighting {
        Weighting::Pooled => 0,
        _ => s.scope.unwrap_or(0) as usize,
    };
    let controls = model
        .controls
        .iter()
        .enumerate()
        .map(|(c, control)| {
            let mut counts = Counts::default();
            for s in &scopes {
                counts.add_counts(tally.per_scope.get(scope_slot(s), c));
            }
            let (mut weighted_current, mut weight_sum, mut weighted_potential) = (0.0, 0.0, 0.0);
            let mut single: Option<(f64, Counts)> = None;
            for s in &defined {
                let cs = tally.per_scope.get(scope_slot(s), c);
                if cs.applicable() == 0 {
                    continue;
                }
                let current = kernel::control_current(control.max_score, cs);
                let k = kernel::scope_factor(s.weight as f64, s.max);
                weighted_current += k * current;
                weighted_potential += k * (control.max_score - current);
                weight_sum += k;
                single = Some((current, cs));
            }
            let in_defined = weight_sum > 0.0;
            let current = match (defined.len(), single) {
                (1, Some((current, _))) => current,
                _ if in_defined => weighted_current / weight_sum,
                _ => 0.0,
            };
            ControlScore {
                control: c as u32,
                applicable: counts.applicable() > 0,
                max_score: control.max_score,
                current,
                potential: if in_defined {
                    control.max_score - current
                } else {
                    0.0
                },
                potential_percentage: if in_defined {
                    kernel::share_of_overall(1.0, weighted_potential, total_weight)
                } else {
                    0.0
                },
                points_per_resource: match (defined.len(), single) {
                    (1, Some((_, counts))) => kernel::points_per_resource(control.max_score, counts),
                    _ => None,
                },
                counts,
            }
        })
        .collect();
    let (current, max) = match defined.as_slice() {
        [] => (Some(0.0), Some(0.0)),
        [one] => (Some(one.current), Some(one.max)),
        _ => (None, None),
    };
    Score {
        percentage,
        current,
        max,
        resources: tally.resources,
        defined_scopes: defined.len(),
        controls,
        scopes,
        recommendations: tally.recommendations,
        scope_controls: tally.per_scope,
        weights: WeightSource::Computed,
        count_level: tally.count_level,
        warnings: Vec::new(),
    }
}

/// The triage order (SPEC §1.2): indexes into `score.controls`, each with its rank
/// (`None` for controls that do not apply).
pub fn rank(model: &Model, score: &Score) -> Vec<(Option<usize>, usize)> {
    let name = |i: usize| model.controls[score.controls[i].control as usize].display_name();
    let id = |i: usize| model.controls[score.controls[i].control as usize].id.as_str();
    let (mut applicable, mut other): (Vec<usize>, Vec<usize>) =
        (0..score.controls.len()).partition(|&i| score.controls[i].applicable);
    applicable.sort_by(|&a, &b| {
        let (x, y) = (&score.controls[a], &score.controls[b]);
        nano_units(y.potential_percentage)
            .cmp(&nano_units(x.potential_percentage))
            .then_with(|| y.max_score.total_cmp(&x.max_score))
            .then_with(|| name(a).as_bytes().cmp(name(b).as_bytes()))
            .then_with(|| id(a).cmp(id(b)))
    });
    other.sort_by(|&a, &b| -> Ordering {
        name(a)
            .as_bytes()
            .cmp(name(b).as_bytes())
            .then_with(|| id(a).cmp(id(b)))
    });
    applicable
        .into_iter()
        .enumerate()
        .map(|(r, i)| (Some(r + 1), i))
        .chain(other.into_iter().map(|i| (None, i)))
        .collect()
}
