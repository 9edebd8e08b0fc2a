//! `plan` (SPEC §4, §5): an ordered remediation plan. Each round weighs every step that
//! fixes one recommendation on all its unhealthy resources (or, when none gains, all the
//! failing recommendations of one control together), takes the one that gains the most
//! percentage points per resource changed, applies it to the model and re-scores.
//!
//! Candidate gains are computed incrementally from per-scope, per-control counts; the
//! projected score after each step is a full re-score of the changed model, so it is
//! exactly what `assess` reports for the inventory with those fixes applied.

use crate::model::{Model, Status};
use crate::score::kernel::{self, ResourceStates};
use crate::score::{score, Counts, Score, ScoreOptions, Weighting};
use crate::select::Selection;
use crate::text::{nano_units, round2};
use serde::Serialize;
use std::cmp::Ordering;

/// The plan schema identifier.
pub const SCHEMA: &str = "securescore.plan/v1";

/// When the plan stops.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Goal {
    /// At this percentage (display rounding).
    Target(f64),
    /// After this many steps.
    Steps(usize),
}

/// An ordered remediation plan.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Plan {
    pub schema: &'static str,
    pub as_of: String,
    pub weighting: Weighting,
    pub start_percentage: Option<f64>,
    /// `None` with `--steps`.
    pub target: Option<f64>,
    /// `None` with `--steps`.
    pub reached: Option<bool>,
    /// The number of steps asked for with `--steps`.
    pub max_steps: Option<usize>,
    pub steps: Vec<Step>,
    /// True when the plan ended because no step gains anything.
    pub exhausted: bool,
}

/// One step: make every unhealthy (after exemptions) assessment of `recommendations` on
/// `resources` healthy.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Step {
    pub step: usize,
    /// The control, for a step that fixes all its failing recommendations together.
    pub control: Option<String>,
    /// Display name of what is fixed (the recommendation's or the control's).
    pub name: Option<String>,
    pub recommendations: Vec<String>,
    pub resources: Vec<String>,
    pub gain_percentage: f64,
    /// Points the scope gains, when one scope is scored (points of several scopes are
    /// not on one scale).
    pub gain_points: Option<f64>,
    pub projected_percentage: Option<f64>,
}

/// One candidate step of a round.
struct Candidate {
    /// Sort key of the tie-break on id.
    id: String,
    control: Option<u32>,
    /// Indexes into `model.assessments`.
    changes: Vec<usize>,
}

/// Per-round figures the incremental gain is computed from.
struct Base<'a> {
    model: &'a Model,
    options: &'a ScoreOptions,
    score: &'a Score,
    counted: Vec<bool>,
    effective: Vec<Status>,
    /// Per scope slot: (weight, max, is defined).
    slots: Vec<Option<(f64, f64)>>,
    total_weight: f64,
}

impl Base<'_> {
    fn slot_of(&self, resource: usize) -> usize {
        match self.options.weighting {
            Weighting::Pooled => 0,
            _ => self.model.resource_scope[resource] as usize,
        }
    }

    /// Percentage points the overall score gains when `changes` become healthy, and the
    /// resources they change.
    fn gain(&self, changes: &[usize]) -> (f64, Vec<u32>) {
        let model = self.model;
        let nc = model.controls.len();
        let mut resources: Vec<u32> = changes.iter().map(|&i| model.assessments[i].resource).collect();
        resources.sort_unstable();
        resources.dedup();
        let mut gained = 0.0;
        let mut before = ResourceStates::new(nc);
        let mut after = ResourceStates::new(nc);
        let mut healed: Vec<usize> = Vec::new();
        for &r in &resources {
            let slot = self.slot_of(r as usize);
            let Some((weight, max)) = self.slots.get(slot).copied().flatten() else {
                continue;
            };
            let (start, end) = (
                model.assessment_starts[r as usize] as usize,
                model.assessment_starts[r as usize + 1] as usize,
            );
            for i in start..end {
                let a = &model.assessments[i];
                if !self.counted[a.recommendation as usize] {
                    continue;
                }
                let now = self.effective[i];
                let fixed = if changes.binary_search(&i).is_ok() {
                    Status::Healthy
                } else {
                    now
                };
                for &c in &model.recommendation_controls[a.recommendation as usize] {
                    before.add(c as usize, now);
                    after.add(c as usize, fixed);
                }
            }
            // The controls in which the resource turns from unhealthy to healthy, summed
            // in control order so that the estimate does not depend on assessment order.
            before.drain(|c, was| {
                if was == Status::Unhealthy && after.get(c) == Some(Status::Healthy) {
                    healed.push(c);
                }
            });
            after.clear();
            healed.sort_unstable();
            for c in healed.drain(..) {
                let counts: Counts = self.score.scope_controls.get(slot, c);
                let current_gain =
                    kernel::points_per_resource(model.controls[c].max_score, counts).unwrap_or(0.0);
                gained += kernel::share_of_overall(
                    kernel::scope_factor(weight, max),
                    current_gain,
                    self.total_weight,
                );
            }
        }
        (gained, resources)
    }
}

fn effective_statuses(model: &Model, options: &ScoreOptions) -> Vec<Status> {
    model
        .assessments
        .iter()
        .map(|a| kernel::effective_status(model, a, options))
        .collect()
}

fn base<'a>(model: &'a Model, options: &'a ScoreOptions, score: &'a Score) -> Base<'a> {
    let counted = kernel::counted_recommendations(model, options);
    let slot_count = if options.weighting == Weighting::Pooled {
        1
    } else {
        model.scopes.len()
    };
    let mut slots = vec![None; slot_count];
    for s in &score.scopes {
        if s.percentage.is_some() {
            slots[s.scope.unwrap_or(0) as usize] = Some((s.weight as f64, s.max));
        }
    }
    let total_weight = slots.iter().flatten().map(|(w, _)| w).sum();
    Base {
        model,
        options,
        score,
        counted,
        effective: effective_statuses(model, options),
        slots,
        total_weight,
    }
}

/// This round's candidates: one per recommendation, or, when `by_control`, one per control.
fn candidates(b: &Base, selection: Option<&Selection>, by_control: bool) -> Vec<Candidate> {
    let model = b.model;
    let failing = |i: usize| {
        let a = &model.assessments[i];
        b.effective[i] == Status::Unhealthy
            && b.counted[a.recommendation as usize]
            && selection.is_none_or(|sel| sel.resource(a.resource as usize))
    };
    let mut by_key: std::collections::BTreeMap<u32, Vec<usize>> = std::collections::BTreeMap::new();
    for i in (0..model.assessments.len()).filter(|&i| failing(i)) {
        let rec = model.assessments[i].recommendation;
        if by_control {
            for &c in &model.recommendation_controls[rec as usize] {
                by_key.entry(c).or_default().push(i);
            }
        } else {
            by_key.entry(rec).or_default().push(i);
        }
    }
    by_key
        .into_iter()
        .map(|(key, changes)| Candidate {
            id: if by_control {
                model.controls[key as usize].id.clone()
            } else {
                model.recommendations[key as usize].id.clone()
            },
            control: by_control.then_some(key),
            changes,
        })
        .collect()
}

/// The best candidate that gains anything: most points per resource changed (ties: the
/// 1e-9 rule, then larger gain, then id).
fn best(b: &Base, candidates: Vec<Candidate>) -> Option<(Candidate, f64, Vec<u32>)> {
    candidates
        .into_iter()
        .filter_map(|c| {
            let (gain, resources) = b.gain(&c.changes);
            (nano_units(gain) > 0 && !resources.is_empty()).then_some((c, gain, resources))
        })
        .min_by(|(x, gx, rx), (y, gy, ry)| {
            let per = |g: f64, r: &Vec<u32>| nano_units(g / r.len() as f64);
            per(*gy, ry)
                .cmp(&per(*gx, rx))
                .then_with(|| nano_units(*gy).cmp(&nano_units(*gx)))
                .then_with(|| x.id.cmp(&y.id))
                .then(Ordering::Equal)
        })
}

fn reached(percentage: Option<f64>, target: f64) -> bool {
    percentage.is_some_and(|p| round2(p) >= target)
}

/// Plans remediation of `model`'s selected resources; the model is changed as the steps
/// are applied.
pub fn plan(model: &mut Model, options: &ScoreOptions, selection: Option<&Selection>, goal: Goal) -> Plan {
    let mut current = score(model, options, selection);
    let start_percentage = current.percentage;
    let mut steps: Vec<Step> = Vec::new();
    let mut exhausted = false;
    loop {
        match goal {
            Goal::Target(t) if reached(current.percentage, t) => break,
            Goal::Steps(n) if steps.len() >= n => break,
            _ => {}
        }
        let chosen = {
            let b = base(model, options, &current);
            let single = candidates(&b, selection, false);
            best(&b, single).or_else(|| best(&b, candidates(&b, selection, true)))
        };
        // The estimated gain only chose the step; the reported one is re-scored, so that
        // the gains add up to the projected score.
        let Some((candidate, _estimated, resources)) = chosen else {
            exhausted = true;
            break;
        };
        let mut recommendations: Vec<String> = candidate
            .changes
            .iter()
            .map(|&i| {
                model.recommendations[model.assessments[i].recommendation as usize]
                    .id
                    .clone()
            })
            .collect();
        recommendations.sort();
        recommendations.dedup();
        for &i in &candidate.changes {
            model.assessments[i].status = Status::Healthy;
        }
        let mut resource_ids: Vec<String> = resources
            .iter()
            .map(|&r| model.resources[r as usize].id.clone())
            .collect();
        resource_ids.sort();
        let name = match candidate.control {
            Some(c) => model.controls[c as usize].name.clone(),
            None => {
                let rec = model.assessments[candidate.changes[0]].recommendation;
                model.recommendations[rec as usize].name.clone()
            }
        };
        let before = (current.percentage, current.current);
        current = score(model, options, selection);
        steps.push(Step {
            step: steps.len() + 1,
            control: candidate.control.map(|c| model.controls[c as usize].id.clone()),
            name,
            recommendations,
            resources: resource_ids,
            gain_percentage: current.percentage.unwrap_or(0.0) - before.0.unwrap_or(0.0),
            gain_points: match (before.1, current.current, current.defined_scopes) {
                (Some(b), Some(a), 1) => Some(a - b),
                _ => None,
            },
            projected_percentage: current.percentage,
        });
    }
    let target = match goal {
        Goal::Target(t) => Some(t),
        Goal::Steps(_) => None,
    };
    Plan {
        schema: SCHEMA,
        as_of: options.as_of.to_string(),
        weighting: options.weighting,
        start_percentage,
        target,
        reached: target.map(|t| reached(current.percentage, t)),
        max_steps: match goal {
            Goal::Steps(n) => Some(n),
            Goal::Target(_) => None,
        },
        steps,
        exhausted,
    }
}
