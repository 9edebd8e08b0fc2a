//! `plan` (SPEC §4, §5, §7): an ordered remediation plan. Each round weighs every step
//! that fixes one recommendation on all its unhealthy resources (or, under `classic`,
//! when none gains, all the failing recommendations of one control together), takes the
//! one that gains the most percentage points of the chosen model's score per resource
//! changed, applies it to the model and re-scores.
//!
//! Under `v1` and `pass-rate` every step is one recommendation: those models rank
//! recommendations and have no controls, and a recommendation's step always gains there
//! (its points, or its pass, are its own), so a whole control would only bundle steps
//! that the plan already weighs one by one.
//!
//! The one-recommendation steps wait in a priority queue: a step is estimated again only
//! when a step sharing one of its resources is applied, so a plan costs about the steps
//! times the log of their number, not their square. After each step the score is healed
//! by what the step changed ([`Arithmetic::heal`](crate::score::Arithmetic::heal)), which
//! gives to the last bit what a full re-score gives: the projected score is exactly what
//! `assess` reports for the inventory with those fixes applied. The tests hold the plan
//! to the straightforward greedy, which weighs every step afresh each round.

use crate::model::{Model, Status};
use crate::score::kernel;
use crate::score::{score, Fix, GainEstimate, GainInputs, Score, ScoreOptions, ScoringModel, Weighting};
use crate::select::Selection;
use crate::text::{fmt2, name_and_id, names_and_ids, nano_units, percent, round2};
use serde::Serialize;
use std::cmp::Reverse;

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
    /// The scoring model whose score the steps raise (SPEC §7).
    pub model: ScoringModel,
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
    /// Points the score gains, when its points are on one scale: under `classic` when
    /// one scope is scored (points of several scopes are not on one scale), always under
    /// `v1` (one pool), never under `pass-rate` (no points).
    pub gain_points: Option<f64>,
    pub projected_percentage: Option<f64>,
}

impl Plan {
    /// What the plan was asked for, in words: `target 80.00%` or `3 step(s) asked for`.
    pub fn goal(&self) -> String {
        match self.target {
            Some(t) => format!("target {}%", fmt2(t)),
            None => format!("{} step(s) asked for", self.max_steps.unwrap_or(self.steps.len())),
        }
    }

    /// The model's name for a headline, when it is not `classic` (SPEC §7: a headline
    /// names the model only then).
    pub fn model_named(&self) -> Option<&'static str> {
        (self.model != ScoringModel::Classic).then(|| self.model.as_str())
    }

    /// How the plan ends, in one sentence (no input text in it): the target reached or
    /// out of reach, or the score projected after the steps.
    pub fn verdict(&self) -> String {
        let last = self
            .steps
            .last()
            .map_or(self.start_percentage, |s| s.projected_percentage);
        let n = self.steps.len();
        let steps = if n == 1 { "step" } else { "steps" };
        match (self.target, self.reached) {
            (Some(t), Some(true)) if n == 0 => format!("The score already reaches the target {}%.", fmt2(t)),
            (Some(t), Some(true)) => format!(
                "Target {}% reached after {n} {steps} (projected {}).",
                fmt2(t),
                percent(last)
            ),
            (Some(t), _) => format!(
                "Target {}% is out of reach: after {n} {steps} nothing more can be gained (projected {}).",
                fmt2(t),
                percent(last)
            ),
            (None, _) if self.exhausted => format!(
                "Nothing more can be gained after {n} {steps} (projected {}).",
                percent(last)
            ),
            (None, _) => format!("Projected after {n} {steps}: {}.", percent(last)),
        }
    }
}

impl Step {
    /// What the step fixes, as plain text for a renderer to escape: the recommendation as
    /// `name (id)`, or every failing recommendation of a control.
    pub fn fix(&self) -> String {
        match &self.control {
            Some(c) => format!(
                "every failing recommendation of {}: {}",
                name_and_id(self.name.as_deref(), c),
                names_and_ids(&self.recommendations, &self.recommendation_names).join("; ")
            ),
            None => {
                let id = self.recommendations.first().map_or("", String::as_str);
                name_and_id(self.name.as_deref(), id)
            }
        }
    }
}

/// One candidate step of a round.
struct Candidate {
    /// Sort key of the tie-break on id.
    id: String,
    control: Option<u32>,
    /// Indexes into `model.assessments`, ascending.
    changes: Vec<usize>,
}

/// Per-round facts the candidates and their estimated gains are computed from.
struct Base<'a> {
    model: &'a Model,
    counted: &'a [bool],
    effective: &'a [Status],
    selection: Option<&'a Selection>,
    /// What the scoring model's estimate of a candidate's gain reads.
    inputs: GainInputs<'a>,
    /// The estimate ([`Arithmetic::gain_estimator`](crate::score::Arithmetic::gain_estimator)),
    /// made when first needed: a round that estimates nothing does not pay for it.
    estimate: std::cell::OnceCell<GainEstimate<'a>>,
}

impl<'a> Base<'a> {
    fn new(
        model: &'a Model,
        options: &'a ScoreOptions,
        selection: Option<&'a Selection>,
        state: &'a State,
        current: &'a Score,
    ) -> Base<'a> {
        Base {
            model,
            counted: &state.counted,
            effective: &state.effective,
            selection,
            inputs: GainInputs {
                model,
                options,
                score: current,
                counted: &state.counted,
                effective: &state.effective,
            },
            estimate: std::cell::OnceCell::new(),
        }
    }

    /// Whether assessment `i` is one a step can fix: unhealthy after exemptions, of a
    /// counted recommendation, on a selected resource.
    fn failing(&self, i: usize) -> bool {
        let a = &self.model.assessments[i];
        self.effective[i] == Status::Unhealthy
            && self.counted[a.recommendation as usize]
            && self.selection.is_none_or(|sel| sel.resource(a.resource as usize))
    }

    /// The resources `changes` change, ascending.
    fn resources(&self, changes: &[usize]) -> Vec<u32> {
        let mut resources: Vec<u32> = changes
            .iter()
            .map(|&i| self.model.assessments[i].resource)
            .collect();
        resources.sort_unstable();
        resources.dedup();
        resources
    }

    /// Percentage points the overall score gains when `changes` become healthy, and the
    /// resources they change.
    fn gain(&self, changes: &[usize]) -> (f64, Vec<u32>) {
        let resources = self.resources(changes);
        #[cfg(test)]
        work::count(|w| w.weighed += resources.len() as u64);
        let estimate = self.estimate.get_or_init(|| {
            let inputs = self.inputs;
            inputs.options.model.arithmetic().gain_estimator(inputs)
        });
        (estimate(&resources, changes), resources)
    }

    /// The ranking of a step gaining `gain` on `resources`, when it gains anything.
    fn rank(gain: f64, resources: &[u32], id_order: usize) -> Option<Rank> {
        (nano_units(gain) > 0 && !resources.is_empty()).then(|| Rank {
            per_resource: nano_units(gain / resources.len() as f64),
            gain: nano_units(gain),
            id_order: Reverse(id_order),
        })
    }
}

/// How good a step is, best greatest: most points per resource changed (the 1e-9 rule),
/// then the larger gain, then the smaller id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Rank {
    per_resource: i128,
    gain: i128,
    /// The candidate's place in id order.
    id_order: Reverse<usize>,
}

/// Whether a round may fall back on whole-control steps: only under a model whose rows
/// are controls (see the module's documentation).
fn whole_control_steps(options: &ScoreOptions) -> bool {
    !options.model.ranks_recommendations()
}

/// The best whole-control step of the round, under a model that has them.
fn best_control(b: &Base) -> Option<(Candidate, Vec<u32>)> {
    whole_control_steps(b.inputs.options)
        .then(|| best(b, candidates(b, true)))
        .flatten()
}

/// This round's candidates: one per recommendation, or, when `by_control`, one per control.
fn candidates(b: &Base, by_control: bool) -> Vec<Candidate> {
    let model = b.model;
    let mut by_key: std::collections::BTreeMap<u32, Vec<usize>> = std::collections::BTreeMap::new();
    for i in (0..model.assessments.len()).filter(|&i| b.failing(i)) {
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

/// Each candidate's place in id order (ties, which distinct keys do not have, by position).
fn id_order(candidates: &[Candidate]) -> Vec<usize> {
    let mut by_id: Vec<usize> = (0..candidates.len()).collect();
    by_id.sort_by(|&x, &y| candidates[x].id.cmp(&candidates[y].id).then(x.cmp(&y)));
    let mut order = vec![0; candidates.len()];
    for (place, &k) in by_id.iter().enumerate() {
        order[k] = place;
    }
    order
}

/// The best of `candidates` that gains anything ([`Rank`]), with the resources it changes.
fn best(b: &Base, candidates: Vec<Candidate>) -> Option<(Candidate, Vec<u32>)> {
    let order = id_order(&candidates);
    candidates
        .into_iter()
        .zip(order)
        .filter_map(|(c, place)| {
            let (gain, resources) = b.gain(&c.changes);
            Base::rank(gain, &resources, place).map(|rank| (rank, c, resources))
        })
        .max_by_key(|(rank, _, _)| *rank)
        .map(|(_, c, resources)| (c, resources))
}

/// What the plan keeps from round to round: the facts the candidates are read from.
struct State {
    /// [`Arithmetic::counted`](crate::score::Arithmetic::counted), which fixes do not change.
    counted: Vec<bool>,
    /// Each assessment's effective status, kept up to date as steps are applied.
    effective: Vec<Status>,
}

/// The one-recommendation steps, best first, kept up to date from round to round.
///
/// A step's estimated gain reads, of what a fix changes, only the assessments of the
/// resources it changes in its recommendations' controls (the contract of
/// [`Arithmetic::gain_estimator`](crate::score::Arithmetic::gain_estimator)), so applying
/// a step changes only the gains of the recommendations still failing on one of its
/// resources that share a control with it: those are re-estimated and pushed again, and
/// the entries they replace are recognised by their version and dropped when they come to
/// the top. A round so costs the steps that share a resource and a control with the last
/// one, not every step.
struct Singles {
    /// Per recommendation: its failing assessments (ascending), empty once fixed.
    changes: Vec<Vec<usize>>,
    /// Per recommendation: its place in id order.
    id_order: Vec<usize>,
    /// Per recommendation: the version of its latest entry in `heap`.
    version: Vec<u32>,
    heap: std::collections::BinaryHeap<(Rank, u32, u32)>,
}

impl Singles {
    /// Every recommendation's step, estimated once.
    fn new(b: &Base) -> Singles {
        let n = b.model.recommendations.len();
        let mut by_id: Vec<usize> = (0..n).collect();
        by_id.sort_by(|&x, &y| {
            b.model.recommendations[x]
                .id
                .cmp(&b.model.recommendations[y].id)
                .then(x.cmp(&y))
        });
        let mut id_order = vec![0; n];
        for (place, &r) in by_id.iter().enumerate() {
            id_order[r] = place;
        }
        let mut singles = Singles {
            changes: vec![Vec::new(); n],
            id_order,
            version: vec![0; n],
            heap: std::collections::BinaryHeap::new(),
        };
        for i in (0..b.model.assessments.len()).filter(|&i| b.failing(i)) {
            singles.changes[b.model.assessments[i].recommendation as usize].push(i);
        }
        for r in 0..n {
            singles.estimate(b, r);
        }
        singles
    }

    /// (Re-)estimates recommendation `r`'s step, superseding its earlier entry.
    fn estimate(&mut self, b: &Base, r: usize) {
        self.version[r] = self.version[r].wrapping_add(1);
        if self.changes[r].is_empty() {
            return;
        }
        let (gain, resources) = b.gain(&self.changes[r]);
        if let Some(rank) = Base::rank(gain, &resources, self.id_order[r]) {
            self.heap.push((rank, r as u32, self.version[r]));
        }
    }

    /// Takes the best step that gains anything, with the resources it changes.
    fn take_best(&mut self, b: &Base) -> Option<(Candidate, Vec<u32>)> {
        while let Some((_, r, version)) = self.heap.pop() {
            #[cfg(test)]
            work::count(|w| w.pops += 1);
            let r = r as usize;
            if version != self.version[r] || self.changes[r].is_empty() {
                continue;
            }
            let changes = std::mem::take(&mut self.changes[r]);
            let resources = b.resources(&changes);
            let candidate = Candidate {
                id: b.model.recommendations[r].id.clone(),
                control: None,
                changes,
            };
            return Some((candidate, resources));
        }
        None
    }

    /// Records that `changes` (on `resources`) were fixed, `b` describing the model
    /// after: the steps of their recommendations lose them (and are gone, as a step fixes
    /// every failing assessment of its recommendations), and those of the recommendations
    /// still failing on `resources` in a control the fix changed are re-estimated.
    fn applied(&mut self, b: &Base, changes: &[usize], resources: &[u32]) {
        let mut fixed: Vec<usize> = changes
            .iter()
            .map(|&i| b.model.assessments[i].recommendation as usize)
            .collect();
        fixed.sort_unstable();
        fixed.dedup();
        for &r in &fixed {
            self.changes[r].retain(|&i| b.failing(i));
        }
        let mut controls: Vec<u32> = fixed
            .iter()
            .flat_map(|&r| b.model.controls_of(r))
            .copied()
            .collect();
        controls.sort_unstable();
        controls.dedup();
        let shares_a_control = |r: usize| {
            b.model
                .controls_of(r)
                .iter()
                .any(|c| controls.binary_search(c).is_ok())
        };
        let mut touched: Vec<usize> = resources
            .iter()
            .flat_map(|&x| b.model.assessment_range(x as usize))
            .filter(|&i| b.failing(i))
            .map(|i| b.model.assessments[i].recommendation as usize)
            .filter(|&r| shares_a_control(r))
            .chain(fixed)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        for r in touched {
            self.estimate(b, r);
        }
    }
}

/// Counts of the planner's work, for the tests of its complexity.
#[cfg(test)]
mod work {
    use std::cell::Cell;

    /// Work done by the current thread's plans.
    #[derive(Clone, Copy, Debug, Default)]
    pub struct Work {
        /// Resources weighed by gain estimates, summed over the estimates.
        pub weighed: u64,
        /// Entries taken off the queue of steps.
        pub pops: u64,
    }

    thread_local! {
        static WORK: Cell<Work> = Cell::new(Work::default());
    }

    pub fn count(f: impl FnOnce(&mut Work)) {
        WORK.with(|w| {
            let mut now = w.get();
            f(&mut now);
            w.set(now);
        });
    }

    /// The work counted since the last call, and starts again from zero.
    pub fn take() -> Work {
        WORK.with(|w| w.replace(Work::default()))
    }
}

impl State {
    /// The facts of `model` as it is.
    fn of(model: &Model, options: &ScoreOptions) -> State {
        State {
            counted: options.model.arithmetic().counted(model, options),
            effective: model
                .assessments
                .iter()
                .map(|a| kernel::effective_status(model, a, options))
                .collect(),
        }
    }

    /// Makes the assessments at `changes` healthy in `model`, and their effective
    /// statuses what they now are.
    fn fix(&mut self, model: &mut Model, options: &ScoreOptions, changes: &[usize]) {
        for &i in changes {
            model.set_status(i, Status::Healthy);
            self.effective[i] = kernel::effective_status(model, &model.assessments[i], options);
        }
    }
}

/// How each round's step is chosen (the plan keeps its queue; the tests' oracle
/// weighs every candidate afresh).
trait Chooser {
    /// Re-scores the whole model after each step rather than only what the step changes.
    const RESCORES_WHOLE: bool;

    /// This round's step, with the resources it changes: the best single
    /// recommendation, else (under `classic`) the best whole control; `None` when
    /// nothing gains.
    fn choose(&mut self, b: &Base) -> Option<(Candidate, Vec<u32>)>;

    /// Told that `changes` on `resources` were fixed; `b` describes the model after.
    fn applied(&mut self, b: &Base, changes: &[usize], resources: &[u32]);
}

impl Chooser for Singles {
    const RESCORES_WHOLE: bool = false;

    fn choose(&mut self, b: &Base) -> Option<(Candidate, Vec<u32>)> {
        // A control's step is weighed only when no single one gains: that happens at most
        // once per control, which its step leaves with nothing failing.
        self.take_best(b).or_else(|| best_control(b))
    }

    fn applied(&mut self, b: &Base, changes: &[usize], resources: &[u32]) {
        Singles::applied(self, b, changes, resources);
    }
}

/// The recommendations `changes` fix, by id, with their names.
fn fixed_recommendations(model: &Model, changes: &[usize]) -> (Vec<String>, Vec<Option<String>>) {
    let mut fixed: Vec<u32> = changes
        .iter()
        .map(|&i| model.assessments[i].recommendation)
        .collect();
    fixed.sort_by(|&x, &y| {
        model.recommendations[x as usize]
            .id
            .cmp(&model.recommendations[y as usize].id)
    });
    fixed.dedup();
    fixed
        .iter()
        .map(|&r| {
            let rec = &model.recommendations[r as usize];
            (rec.id.clone(), rec.name.clone())
        })
        .unzip()
}

/// The points a step gained, from the score's points before (`before`) and after it,
/// where they are on one scale (see [`Step::gain_points`]).
fn gain_points(model: ScoringModel, before: Option<f64>, after: &Score) -> Option<f64> {
    let one_scale = match model {
        ScoringModel::Classic => after.defined_scopes == 1,
        ScoringModel::V1 => true,
        ScoringModel::PassRate => false,
    };
    match (before, after.current) {
        (Some(b), Some(a)) if one_scale => Some(a - b),
        _ => None,
    }
}

fn reached(percentage: Option<f64>, target: f64) -> bool {
    percentage.is_some_and(|p| round2(p) >= target)
}

/// Plans remediation of `model`'s selected resources; the model is changed as the steps
/// are applied.
pub fn plan(model: &mut Model, options: &ScoreOptions, selection: Option<&Selection>, goal: Goal) -> Plan {
    plan_with(model, options, selection, goal, Singles::new)
}

/// [`plan`], with the steps chosen by the chooser `start` makes from the first round's facts.
fn plan_with<C: Chooser>(
    model: &mut Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    goal: Goal,
    start: impl FnOnce(&Base) -> C,
) -> Plan {
    let mut current = score(model, options, selection);
    let mut state = State::of(model, options);
    let mut chooser = start(&Base::new(model, options, selection, &state, &current));
    let start_percentage = current.percentage;
    let mut steps: Vec<Step> = Vec::new();
    let mut exhausted = false;
    loop {
        match goal {
            Goal::Target(t) if reached(current.percentage, t) => break,
            Goal::Steps(n) if steps.len() >= n => break,
            Goal::Target(_) | Goal::Steps(_) => {}
        }
        let chosen = chooser.choose(&Base::new(model, options, selection, &state, &current));
        // The estimated gain only chose the step; the reported one is re-scored, so that
        // the gains add up to the projected score.
        let Some((candidate, resources)) = chosen else {
            exhausted = true;
            break;
        };
        let (recommendations, recommendation_names) = fixed_recommendations(model, &candidate.changes);
        let mut resource_ids: Vec<String> = resources
            .iter()
            .map(|&r| model.resources.id(r as usize).to_string())
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
        if C::RESCORES_WHOLE {
            state.fix(model, options, &candidate.changes);
            current = score(model, options, selection);
        } else {
            let fix = Fix {
                model,
                options,
                counted: &state.counted,
                effective: &state.effective,
                resources: &resources,
                changes: &candidate.changes,
            };
            options.model.arithmetic().heal(fix, &mut current);
            state.fix(model, options, &candidate.changes);
        }
        chooser.applied(
            &Base::new(model, options, selection, &state, &current),
            &candidate.changes,
            &resources,
        );
        steps.push(Step {
            step: steps.len() + 1,
            control: candidate.control.map(|c| model.controls[c as usize].id.clone()),
            name,
            recommendations,
            recommendation_names,
            resources: resource_ids,
            gain_percentage: current.percentage.unwrap_or(0.0) - before.0.unwrap_or(0.0),
            gain_points: gain_points(options.model, before.1, &current),
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
        model: options.model,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::date::Date;
    use crate::score::ScoringModel;
    use proptest::prelude::*;
    use serde_json::{json, Value};
    use std::cmp::Ordering;

    /// The straightforward greedy the plan was first written as: every round weighs every
    /// candidate afresh, from statuses and a score computed afresh, and re-scores the
    /// whole model after the step.
    struct Exhaustive {
        options: ScoreOptions,
    }

    impl Exhaustive {
        /// The best candidate that gains anything, by the rule as first written: most
        /// points per resource changed (the 1e-9 rule), then larger gain, then id.
        fn best(b: &Base, candidates: Vec<Candidate>) -> Option<(Candidate, Vec<u32>)> {
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
                .map(|(c, _, resources)| (c, resources))
        }
    }

    impl Chooser for Exhaustive {
        const RESCORES_WHOLE: bool = true;

        fn choose(&mut self, b: &Base) -> Option<(Candidate, Vec<u32>)> {
            let options = &self.options;
            let state = State::of(b.model, options);
            let current = score(b.model, options, b.selection);
            let b = Base::new(b.model, options, b.selection, &state, &current);
            Exhaustive::best(&b, candidates(&b, false)).or_else(|| {
                whole_control_steps(options)
                    .then(|| Exhaustive::best(&b, candidates(&b, true)))
                    .flatten()
            })
        }

        fn applied(&mut self, _: &Base, _: &[usize], _: &[u32]) {}
    }

    fn exhaustive_plan(
        model: &mut Model,
        options: &ScoreOptions,
        selection: Option<&Selection>,
        goal: Goal,
    ) -> Plan {
        plan_with(model, options, selection, goal, |_| Exhaustive {
            options: options.clone(),
        })
    }

    fn model_of(doc: &Value) -> Model {
        crate::load::model_of_text(&doc.to_string(), &Catalog::empty())
    }

    fn options(weighting: usize) -> ScoreOptions {
        modelled(ScoringModel::Classic, weighting)
    }

    /// The options of `model` (the weighting matters only under classic).
    fn modelled(model: ScoringModel, weighting: usize) -> ScoreOptions {
        ScoreOptions {
            model,
            as_of: Date::parse("2026-11-22").unwrap(),
            include_preview: false,
            ignore_exemptions: false,
            weighting: [Weighting::Resources, Weighting::Equal, Weighting::Pooled][weighting % 3],
            allow_exported_weights: true,
        }
    }

    /// A resource in one of three subscriptions.
    fn resource(r: usize) -> String {
        format!("/subscriptions/s{}/resourceGroups/g/providers/x/vm{r}", r % 3)
    }

    /// Controls (max in halves, member recommendations), preview flags, and assessments
    /// (resource, recommendation, status, exemption kind).
    type Inventory = (Vec<(u8, Vec<usize>)>, Vec<bool>, Vec<(usize, usize, u8, u8)>);

    fn inventory() -> impl Strategy<Value = Inventory> {
        (
            prop::collection::vec((0u8..=12, prop::collection::vec(0usize..8, 1..4)), 1..6),
            prop::collection::vec(prop::bool::weighted(0.15), 8),
            prop::collection::btree_map((0usize..9, 0usize..8), (0u8..3, 0u8..3), 0..40)
                .prop_map(|m| m.into_iter().map(|((r, c), (s, e))| (r, c, s, e)).collect()),
        )
    }

    fn document(inv: &Inventory) -> Value {
        let (controls, preview, assessments) = inv;
        json!({
            "controls": controls.iter().enumerate().map(|(i, (max, recs))| json!({
                "id": format!("ctl{i}"), "max_score": *max as f64 / 2.0,
                "recommendations": recs.iter().map(|r| format!("rec{r}")).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            // Severities and points vary with the id, so that v1's points differ.
            "recommendations": preview.iter().enumerate()
                .map(|(i, p)| {
                    let severity = ["low", "medium", "high", "critical"][i % 4];
                    let mut rec = json!({"id": format!("rec{i}"), "preview": p, "severity": severity});
                    if i % 3 == 2 {
                        rec["points"] = json!(7.5);
                    }
                    rec
                }).collect::<Vec<_>>(),
            "assessments": assessments.iter().map(|&(r, c, s, e)| {
                let status = ["healthy", "unhealthy", "not_applicable"][s as usize];
                let mut a = json!({"resource": resource(r), "recommendation": format!("rec{c}"), "status": status});
                match e {
                    1 => a["exemption"] = json!({"category": "waiver", "expires": "2026-12-31"}),
                    2 => a["exemption"] = json!({"category": "mitigated", "expires": "2026-01-01"}),
                    _ => {}
                }
                a
            }).collect::<Vec<_>>(),
        })
    }

    /// A selection of the resources `kept` marks (by index, cycling).
    fn selection(model: &Model, kept: &[bool]) -> Selection {
        let resources: Vec<bool> = (0..model.resources.len())
            .map(|r| kept.get(r % kept.len().max(1)).copied().unwrap_or(true))
            .collect();
        Selection {
            resources,
            scopes: vec![true; model.scopes.len()],
        }
    }

    fn goal() -> impl Strategy<Value = Goal> {
        prop_oneof![
            (0u32..=100).prop_map(|t| Goal::Target(t as f64)),
            (0usize..8).prop_map(Goal::Steps),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The plan kept in a queue, re-scored by what each step changes, is the plan
        /// of the straightforward greedy, to the last bit of every figure.
        #[test]
        fn the_queued_plan_is_the_exhaustive_greedy_plan(
            inv in inventory(),
            w in 0usize..3,
            m in 0usize..3,
            goal in goal(),
            kept in prop::option::of(prop::collection::vec(prop::bool::weighted(0.7), 1..5)),
        ) {
            let mut model = model_of(&document(&inv));
            let opts = modelled(ScoringModel::ALL[m], w);
            let sel = kept.map(|kept| selection(&model, &kept));
            let mut oracle_model = model_of(&document(&inv));
            let queued = plan(&mut model, &opts, sel.as_ref(), goal);
            let exhaustive = exhaustive_plan(&mut oracle_model, &opts, sel.as_ref(), goal);
            prop_assert_eq!(&queued, &exhaustive);
            prop_assert_eq!(&model.assessments, &oracle_model.assessments);
        }

        /// Healing a score with a fix gives, to the last bit, the score of the fixed
        /// model: what `assess` reports, every figure of it.
        #[test]
        fn a_healed_score_is_the_score_of_the_fixed_model(
            inv in inventory(),
            w in 0usize..3,
            m in 0usize..3,
            rec in 0usize..8,
            kept in prop::option::of(prop::collection::vec(prop::bool::weighted(0.7), 1..5)),
        ) {
            let mut model = model_of(&document(&inv));
            let opts = modelled(ScoringModel::ALL[m], w);
            let sel = kept.map(|kept| selection(&model, &kept));
            let mut state = State::of(&model, &opts);
            let mut current = score(&model, &opts, sel.as_ref());
            let b = Base::new(&model, &opts, sel.as_ref(), &state, &current);
            let Some(fixed) = candidates(&b, false).into_iter().find(|c| c.id == format!("rec{rec}")) else {
                return Ok(());
            };
            let resources = b.resources(&fixed.changes);
            drop(b);
            let fix = Fix {
                model: &model,
                options: &opts,
                counted: &state.counted,
                effective: &state.effective,
                resources: &resources,
                changes: &fixed.changes,
            };
            opts.model.arithmetic().heal(fix, &mut current);
            state.fix(&mut model, &opts, &fixed.changes);
            prop_assert_eq!(current, score(&model, &opts, sel.as_ref()));
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        /// The gain a model estimates for a step is the gain a full re-score of the fixed
        /// model gives (to the 1e-9 the plan ranks by): under v1 a fixed resource of `r`
        /// adds `points_r / (H_r + U_r)` of `max`, under pass-rate a step that fixes every
        /// unhealthy resource of `r` adds `100 / (passed + failed)`.
        #[test]
        fn the_estimated_gain_is_the_re_scored_gain(
            inv in inventory(),
            w in 0usize..3,
            m in 0usize..3,
            kept in prop::option::of(prop::collection::vec(prop::bool::weighted(0.7), 1..5)),
        ) {
            let model = model_of(&document(&inv));
            let opts = modelled(ScoringModel::ALL[m], w);
            let sel = kept.map(|kept| selection(&model, &kept));
            let state = State::of(&model, &opts);
            let current = score(&model, &opts, sel.as_ref());
            let b = Base::new(&model, &opts, sel.as_ref(), &state, &current);
            for c in candidates(&b, false) {
                let (estimate, _) = b.gain(&c.changes);
                let mut fixed = model_of(&document(&inv));
                let mut after = State::of(&fixed, &opts);
                after.fix(&mut fixed, &opts, &c.changes);
                let rescored = score(&fixed, &opts, sel.as_ref()).percentage.unwrap_or(0.0)
                    - current.percentage.unwrap_or(0.0);
                prop_assert!(
                    (estimate - rescored).abs() < 1e-9,
                    "{}: estimated {estimate}, re-scored {rescored}",
                    c.id
                );
            }
        }
    }

    /// `n` recommendations in four controls, each unhealthy on a resource of its own and
    /// healthy on the next one: `n` one-resource steps (the inventory that took 15 s
    /// for n = 8,000 when every round weighed every step). With `everywhere`, one more
    /// recommendation, in a control of its own, is unhealthy on every resource.
    fn one_resource_steps(n: usize, everywhere: bool) -> Model {
        let controls = 4;
        let vm = |i: usize| format!("/subscriptions/s/resourceGroups/g/providers/x/vm{i}");
        let mut doc = json!({
            "controls": (0..controls).map(|c| json!({
                "id": format!("ctl{c}"), "max_score": 2 + 2 * c,
                "recommendations": (0..n).filter(|i| i % controls == c).map(|i| format!("rec{i}")).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "assessments": (0..n).flat_map(|i| [
                json!({"resource": vm(i), "recommendation": format!("rec{i}"), "status": "unhealthy"}),
                json!({"resource": vm((i + 1) % n), "recommendation": format!("rec{i}"), "status": "healthy"}),
            ]).collect::<Vec<_>>(),
        });
        if everywhere {
            let all = json!({"id": "ctl-all", "max_score": 1, "recommendations": ["rec-all"]});
            doc["controls"].as_array_mut().unwrap().push(all);
            doc["assessments"].as_array_mut().unwrap().extend(
                (0..n)
                    .map(|i| json!({"resource": vm(i), "recommendation": "rec-all", "status": "unhealthy"})),
            );
        }
        model_of(&doc)
    }

    /// The resources weighed and the queue entries taken by a plan to 100% of
    /// [`one_resource_steps`].
    fn plan_work(
        n: usize,
        everywhere: bool,
        planner: fn(&mut Model, &ScoreOptions, Option<&Selection>, Goal) -> Plan,
    ) -> u64 {
        let mut model = one_resource_steps(n, everywhere);
        work::take();
        let p = planner(&mut model, &options(0), None, Goal::Target(100.0));
        let w = work::take();
        assert_eq!(
            p.steps.len(),
            n + everywhere as usize,
            "every recommendation is a step"
        );
        assert_eq!(p.reached, Some(true));
        w.weighed + w.pops
    }

    /// Complexity of `plan` in its steps (8,000 one-resource steps took 15 s when every
    /// round estimated every remaining step: n²/2 estimates). Counted operations rather
    /// than time: each step is estimated once and taken off the queue once, so doubling
    /// the steps doubles the work (n = 1,000 → 2,000 here); the exhaustive greedy
    /// quadruples it (about 5 × 10^5 → 2 × 10^6 resources weighed).
    #[test]
    fn planning_grows_linearly_with_the_steps() {
        let (small, large) = (plan_work(1_000, false, plan), plan_work(2_000, false, plan));
        assert!(small >= 2_000, "every step is estimated and taken: {small}");
        assert!(
            large * 10 < small * 25,
            "{small} → {large} operations: not linear"
        );
    }

    /// A step that shares every resource with the others, but no control, is not estimated
    /// again as they are taken: estimating it weighs all n resources, so doing so after
    /// each step would make the work grow with n².
    #[test]
    fn a_step_on_every_resource_is_estimated_again_only_for_its_controls() {
        let (small, large) = (plan_work(1_000, true, plan), plan_work(2_000, true, plan));
        assert!(small >= 3_000, "every step is estimated and taken: {small}");
        assert!(
            large * 10 < small * 25,
            "{small} → {large} operations: not linear"
        );
    }
}
