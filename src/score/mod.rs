//! The scoring core (SPEC §1, §7): a pure function from a model, options and a selection
//! of resources to per-scope, per-control and overall figures, and the triage order. No
//! I/O. Each scoring model is an [`Arithmetic`] (the classic one in `classic`), built
//! from the shared rules of [`kernel`].

mod classic;
pub mod kernel;
mod options;

use crate::diag::Diagnostic;
use crate::groups::Group;
use crate::model::{Model, Status};
use crate::select::Selection;
use crate::text::nano_units;
use std::cmp::Ordering;

pub use options::{ScoreOptions, ScoringModel, WeightSource, Weighting};

pub use crate::model::Counts;

/// How [`ScopeCounts`] hashes its slots: a multiplication, not SipHash. Slots are the
/// model's own small indexes, not values an input chooses, and they are looked up for
/// every scope each time a control's figures are combined (for each step of a plan).
type SlotHash = std::hash::BuildHasherDefault<SlotHasher>;

/// See [`SlotHash`].
#[derive(Default)]
struct SlotHasher(u64);

impl std::hash::Hasher for SlotHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        // One round of FxHash: the odd constant spreads consecutive indexes over both the
        // low bits that pick a bucket and the high bits kept as its tag.
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// Counts per scope slot and control, kept only for the slots met, with the maxima
/// count-level scopes were exported with (SPEC §3).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScopeCounts {
    controls: usize,
    slots: std::collections::HashMap<usize, Vec<Counts>, SlotHash>,
    /// Per slot holding a count-level scope: each control's max there, with whether it
    /// applies (see [`kernel::kept_max`]); `None` where no export names the control.
    maxima: std::collections::HashMap<usize, Vec<Option<(bool, f64)>>, SlotHash>,
}

impl ScopeCounts {
    fn new(controls: usize) -> ScopeCounts {
        ScopeCounts {
            controls,
            slots: std::collections::HashMap::default(),
            maxima: std::collections::HashMap::default(),
        }
    }

    fn slot_mut(&mut self, slot: usize) -> &mut Vec<Counts> {
        let n = self.controls;
        self.slots
            .entry(slot)
            .or_insert_with(|| vec![Counts::default(); n])
    }

    /// Adds the exported counts `e` of a count-level scope to slot `slot`, with the max
    /// the slot then keeps for its control ([`kernel::exported_max`]).
    fn add_exported(&mut self, slot: usize, e: &crate::model::ExportedControl, model: &Model) {
        let c = e.control as usize;
        let before = self.get(slot, c);
        let n = self.controls;
        let maxima = self.maxima.entry(slot).or_insert_with(|| vec![None; n]);
        if let Some(kept) = maxima.get_mut(c) {
            *kept = kernel::exported_max(model, *kept, before, e);
        }
        if let Some(counts) = self.slot_mut(slot).get_mut(c) {
            counts.add_counts(e.counts);
        }
    }

    /// The max control `c` scores with in slot `slot`, when the slot holds a count-level
    /// scope that exports it (else the definition's: [`kernel::control_max`] says which).
    pub fn max_of(&self, slot: usize, c: usize) -> Option<f64> {
        self.maxima
            .get(&slot)
            .and_then(|v| v.get(c).copied().flatten())
            .map(|(_, max)| max)
    }

    /// The counts of control `c` in slot `slot` (zero where nothing was met).
    pub fn get(&self, slot: usize, c: usize) -> Counts {
        self.slots
            .get(&slot)
            .and_then(|v| v.get(c))
            .copied()
            .unwrap_or_default()
    }
}

/// One scope's score.
#[derive(Clone, Debug, PartialEq)]
pub struct ScopeScore {
    /// Index into [`ModelParts::scopes`](crate::model::ModelParts::scopes); `None` for
    /// the single pooled scope.
    pub scope: Option<u32>,
    /// The scope's points.
    pub current: f64,
    /// The points of its applicable controls.
    pub max: f64,
    /// `None` when no control with points applies.
    pub percentage: Option<f64>,
    /// Its weight in the overall score (computed, or Azure's exported one).
    pub weight: u64,
    /// Resources with a counted healthy or unhealthy assessment.
    pub resources: u64,
}

impl ScopeScore {
    /// The slot its counts are kept under in [`Score::scope_controls`]: the scope's
    /// index, or 0 for the pooled scope.
    pub fn slot(&self) -> usize {
        self.scope.map_or(0, |s| s as usize)
    }
}

/// The total weight of the scopes with a defined percentage (SPEC §1.1's `W`), summed
/// in scope order.
fn defined_weight(scopes: &[ScopeScore]) -> f64 {
    scopes
        .iter()
        .filter(|s| s.percentage.is_some())
        .map(|s| s.weight as f64)
        .sum()
}

/// One control's figures, combined over scopes (SPEC §1.1).
#[derive(Clone, Debug, PartialEq)]
pub struct ControlScore {
    /// Index into [`ModelParts::controls`](crate::model::ModelParts::controls).
    pub control: u32,
    /// Some scope has a healthy or unhealthy resource in it.
    pub applicable: bool,
    /// Its max combined over the scopes as its current score is (each scope's max is
    /// [`kernel::control_max`]): the mean of its maxima in the defined scopes where it
    /// applies, weighted by `k = weight / scope max`; 0 where it applies only in scopes
    /// without a defined score; the definition's where it applies nowhere.
    pub max_score: f64,
    /// The current score.
    pub current: f64,
    /// The potential increase, in points.
    pub potential: f64,
    /// Percentage points of the overall score it would add, fully healthy.
    pub potential_percentage: f64,
    /// Points per resource, when one scope is scored.
    pub points_per_resource: Option<f64>,
    /// Resources in each state, summed over scopes.
    pub counts: Counts,
}

/// A control's figures in one scope, as its scoring model computes them (what `explain`
/// shows scope by scope).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ControlInScope {
    /// Resources in each state in the scope.
    pub counts: Counts,
    /// Some resource of the scope is healthy or unhealthy in it.
    pub applicable: bool,
    /// Its max score in the scope ([`kernel::control_max`]).
    pub max: f64,
    /// Its current score in the scope.
    pub current: f64,
    /// Its potential increase in the scope, in points.
    pub potential: f64,
    /// Points per resource in the scope, when it applies.
    pub points_per_resource: Option<f64>,
    /// Percentage points of the overall score it would add if it became fully healthy
    /// in this scope.
    pub share_of_overall: f64,
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
    /// Their total weight (SPEC §1.1's `W`).
    pub total_weight: f64,
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

/// A score's overall figures: what a group's row shows (SPEC §1.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overall {
    pub percentage: Option<f64>,
    /// Points, when exactly one scope has a defined percentage (0 when none has).
    pub current: Option<f64>,
    pub max: Option<f64>,
    pub resources: u64,
    /// Scopes with a defined percentage.
    pub defined_scopes: usize,
    /// Some selected scope is scored from exported counts.
    pub count_level: bool,
}

impl Score {
    /// The overall figures.
    pub fn overall(&self) -> Overall {
        Overall {
            percentage: self.percentage,
            current: self.current,
            max: self.max,
            resources: self.resources,
            defined_scopes: self.defined_scopes,
            count_level: self.count_level,
        }
    }
}

/// The arithmetic of one scoring model (SPEC §7). [`ScoringModel::arithmetic`] is the one
/// place that picks an implementation; `assess`, groups, `diff` and `plan` score through
/// it, `explain` takes its per-scope figures from it, so no command can disagree with
/// another about a number. (The cross-check of Azure's exported figures is classic by
/// nature: Azure exports classic scores.)
// `Sync`: one implementation is shared as a `'static` value, ready for a parallel loader
// and scorer.
pub trait Arithmetic: Sync {
    /// Step 1 of SPEC §1 under this model: does an assessment of recommendation `r` count?
    fn is_counted(&self, model: &Model, r: usize, options: &ScoreOptions) -> bool;

    /// Scores the selected resources and scopes (everything when `selection` is `None`).
    fn score(&self, model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score;

    /// Each group's overall figures (SPEC §1.3): those [`Arithmetic::score`] gives for a
    /// selection of exactly the group's members and scopes, reached in work that grows
    /// with the group and not with the model, so that many small groups together cost
    /// about what one score does.
    fn score_groups(&self, model: &Model, options: &ScoreOptions, groups: &[Group]) -> Vec<Overall>;

    /// `plan`'s estimator for the state `inputs` describes: the percentage points the
    /// overall score gains when the assessments at `changes` (sorted positions in
    /// `model.assessments`, all of resources `resources`) become healthy. It only ranks
    /// candidate steps; the gains a plan reports are re-scored ([`Arithmetic::heal`]).
    ///
    /// `plan` keeps its steps in a queue and estimates a step again only when a fix
    /// changes an assessment of one of its resources in a control of one of its
    /// recommendations: an estimate must read nothing else that a fix changes (the
    /// classic one reads those assessments, to know in which controls a resource turns
    /// healthy, and the counts' totals, the weights and the maxima, which a fix keeps).
    fn gain_estimator<'a>(&self, inputs: GainInputs<'a>) -> GainEstimate<'a>;

    /// Makes `score` (of `fix.model` as `fix` describes it) the score of the model once
    /// the fix is made, as [`Arithmetic::score`] would compute it to the last bit, at the
    /// cost of what the fix changes rather than of the whole inventory: `plan` applies
    /// its steps through it.
    fn heal(&self, fix: Fix, score: &mut Score);

    /// Control `c`'s figures in scope `scope` of `score` (a scope `score` holds).
    fn control_in_scope(&self, model: &Model, score: &Score, scope: &ScopeScore, c: usize) -> ControlInScope;

    /// [`Arithmetic::is_counted`] for every recommendation, by index.
    fn counted(&self, model: &Model, options: &ScoreOptions) -> Vec<bool> {
        (0..model.recommendations.len())
            .map(|r| self.is_counted(model, r, options))
            .collect()
    }
}

/// A fix [`Arithmetic::heal`] applies to a score: assessments that are unhealthy (after
/// exemptions) on selected resources become healthy.
#[derive(Clone, Copy)]
pub struct Fix<'a> {
    /// The model before the fix.
    pub model: &'a Model,
    /// The options it is scored with.
    pub options: &'a ScoreOptions,
    /// [`Arithmetic::counted`], by recommendation.
    pub counted: &'a [bool],
    /// Each assessment's effective status before the fix.
    pub effective: &'a [Status],
    /// The resources of `changes`, ascending, each once.
    pub resources: &'a [u32],
    /// The positions in `model.assessments` of the assessments fixed, ascending: each
    /// of a counted recommendation, unhealthy in `effective`, on a selected resource.
    pub changes: &'a [usize],
}

/// `plan`'s gain estimate: `(resources, changes)` to percentage points.
pub type GainEstimate<'a> = Box<dyn Fn(&[u32], &[usize]) -> f64 + 'a>;

/// What [`Arithmetic::gain_estimator`] reads: a model, its score, and per-assessment
/// facts computed once per planning round.
#[derive(Clone, Copy)]
pub struct GainInputs<'a> {
    /// The model as the round starts.
    pub model: &'a Model,
    /// The options it is scored with.
    pub options: &'a ScoreOptions,
    /// Its score.
    pub score: &'a Score,
    /// [`Arithmetic::counted`], by recommendation.
    pub counted: &'a [bool],
    /// Each assessment's effective status ([`kernel::effective_status`]).
    pub effective: &'a [Status],
}

impl ScoringModel {
    /// The model's arithmetic: the one branch on the scoring model.
    pub fn arithmetic(self) -> &'static dyn Arithmetic {
        match self {
            ScoringModel::Classic => &classic::Classic,
        }
    }
}

/// Scores the model. `selection`, when given, says which resources and scopes count.
pub fn score(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score {
    options.model.arithmetic().score(model, options, selection)
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
