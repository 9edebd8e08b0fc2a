//! `plan` (SPEC §4, §5): an ordered remediation plan. Each round weighs every step that
//! fixes one recommendation on all its unhealthy resources (or, when none gains, all the
//! failing recommendations of one control together), takes the one that gains the most
//! percentage points per resource changed, applies it to the model and re-scores.
//!
//! Candidate gains are computed incrementally from per-scope, per-control counts; the
//! projected score after each step is a full re-score of the changed model, so it is
//! exactly what `assess` reports for the inventory with those fixes applied.

use crate::model::{Model, Status};
use crate::score::kernel;
use crate::score::{score, GainEstimate, GainInputs, Score, ScoreOptions, Weighting};
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
    /// The names of `recommendations`, in the same order (`null` where one has none).
    pub recommendation_names: Vec<Option<String>>,
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

/// Per-round facts the candidates and their estimated gains are computed from.
struct Base<'a> {
    model: &'a Model,
    counted: &'a [bool],
    effective: &'a [Status],
    /// The scoring model's estimate of a candidate's gain ([`Arithmetic::gain_estimator`](crate::score::Arithmetic::gain_estimator)).
    estimate: GainEstimate<'a>,
}

impl Base<'_> {
    /// Percentage points the overall score gains when `changes` become healthy, and the
    /// resources they change.
    fn gain(&self, changes: &[usize]) -> (f64, Vec<u32>) {
        let mut resources: Vec<u32> = changes
            .iter()
            .map(|&i| self.model.assessments[i].resource)
            .collect();
        resources.sort_unstable();
        resources.dedup();
        ((self.estimate)(&resources, changes), resources)
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
            for &c in model.controls_of(rec as usize) {
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

/// This round's step: the best single recommendation, else the best whole control.
fn choose(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    current: &Score,
) -> Option<(Candidate, f64, Vec<u32>)> {
    let arithmetic = options.model.arithmetic();
    let counted = arithmetic.counted(model, options);
    let effective: Vec<Status> = model
        .assessments
        .iter()
        .map(|a| kernel::effective_status(model, a, options))
        .collect();
    let b = Base {
        model,
        counted: &counted,
        effective: &effective,
        estimate: arithmetic.gain_estimator(GainInputs {
            model,
            options,
            score: current,
            counted: &counted,
            effective: &effective,
        }),
    };
    let single = candidates(&b, selection, false);
    best(&b, single).or_else(|| best(&b, candidates(&b, selection, true)))
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
            Goal::Target(_) | Goal::Steps(_) => {}
        }
        let chosen = choose(model, options, selection, &current);
        // The estimated gain only chose the step; the reported one is re-scored, so that
        // the gains add up to the projected score.
        let Some((candidate, _estimated, resources)) = chosen else {
            exhausted = true;
            break;
        };
        let mut fixed: Vec<u32> = candidate
            .changes
            .iter()
            .map(|&i| model.assessments[i].recommendation)
            .collect();
        fixed.sort_by(|&x, &y| {
            model.recommendations[x as usize]
                .id
                .cmp(&model.recommendations[y as usize].id)
        });
        fixed.dedup();
        let (recommendations, recommendation_names) = fixed
            .iter()
            .map(|&r| {
                let rec = &model.recommendations[r as usize];
                (rec.id.clone(), rec.name.clone())
            })
            .unzip();
        for &i in &candidate.changes {
            model.set_status(i, Status::Healthy);
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
            recommendation_names,
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
