//! The scoring core (SPEC §1, §7): a pure function from a model, options and a selection
//! of resources to per-scope, per-control and overall figures, and the triage order. No
//! I/O. Each scoring model is an [`Arithmetic`] (the classic one in `classic`), built
//! from the shared rules of [`kernel`].

mod classic;
pub mod kernel;
mod options;
pub mod recommendations;

use crate::diag::Diagnostic;
use crate::groups::Group;
use crate::model::{Model, Status};
use crate::select::Selection;
use crate::text::nano_units;
use std::cmp::Ordering;

pub use options::{ScoreOptions, ScoringModel, WeightSource, Weighting};

pub use crate::model::Counts;

/// How [`ScopeCounts`] hashes its cells while a tally builds it: a multiplication, not
/// SipHash. Keys are the model's own small indexes, not values an input chooses, and one
/// is looked up for every control each resource meets.
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

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// One control in one scope slot: its counts, and the max a count-level scope exported
/// it with ([`kernel::exported_max`]; `None`: the definition's).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Cell {
    pub(crate) counts: Counts,
    pub(crate) max: Option<(bool, f64)>,
}

impl Cell {
    /// Adds the exported counts `e` of a count-level scope, with the max the cell then
    /// keeps for its control ([`kernel::exported_max`]).
    pub(crate) fn add_exported(&mut self, e: &crate::model::ExportedControl, model: &Model) {
        self.add_count_level((e.control, e.counts, e.figures.max), model);
    }

    /// Adds count-level counts of a control (control, counts, the max they were exported
    /// with; `None`: the definition's, as for counts rows).
    pub(crate) fn add_count_level(&mut self, counted: (u32, Counts, Option<f64>), model: &Model) {
        self.max = kernel::exported_max(model, self.max, self.counts, counted);
        self.counts.add_counts(counted.1);
    }
}

/// A [`Cell`] with the slot and control it belongs to.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Placed {
    slot: u32,
    control: u32,
    cell: Cell,
}

/// Counts per scope slot and control, with the maxima count-level scopes were exported
/// with (SPEC §3), kept only for the (slot, control) pairs met: a scope costs the controls
/// it meets, not all of them (8,000 one-control subscriptions once took 3 GB). Cells are
/// sorted by slot then control, so a slot's controls are read in control order, and each
/// control lists its cells in slot order: every sum runs in the order a dense table gave.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScopeCounts {
    /// Sorted by (slot, control).
    cells: Vec<Placed>,
    /// Where each slot's cells start in `cells`, one more entry than slots.
    slot_start: Vec<usize>,
    /// Where each control's positions start in `by_control`, one more than controls.
    control_start: Vec<usize>,
    /// Positions in `cells`, by control and then slot.
    by_control: Vec<usize>,
}

/// [`ScopeCounts`] being tallied: cells in a hash map, resources coming in any slot order.
#[derive(Default)]
struct ScopeCountsBuilder {
    cells: std::collections::HashMap<(u32, u32), Cell, SlotHash>,
}

impl ScopeCountsBuilder {
    /// The cell of control `c` in slot `slot`.
    fn cell(&mut self, slot: usize, c: usize) -> &mut Cell {
        self.cells.entry((slot as u32, c as u32)).or_default()
    }

    /// The counts sorted and indexed, for `slots` slots and `controls` controls.
    fn finish(self, slots: usize, controls: usize) -> ScopeCounts {
        let mut cells: Vec<Placed> = self
            .cells
            .into_iter()
            .map(|((slot, control), cell)| Placed { slot, control, cell })
            .collect();
        cells.sort_unstable_by_key(|p| (p.slot, p.control));
        let slot_start = starts(cells.iter().map(|p| p.slot as usize), slots);
        let control_start = starts(cells.iter().map(|p| p.control as usize), controls);
        // A counting sort by control, stable, so each control's cells stay in slot order.
        let mut next = control_start.clone();
        let mut by_control = vec![0usize; cells.len()];
        for (i, p) in cells.iter().enumerate() {
            if let Some(at) = next.get_mut(p.control as usize) {
                if let Some(slot) = by_control.get_mut(*at) {
                    *slot = i;
                }
                *at += 1;
            }
        }
        ScopeCounts {
            cells,
            slot_start,
            control_start,
            by_control,
        }
    }
}

/// Where each of `n` keys starts in a list ordered by `keys` (counted per key, then
/// summed): `n + 1` positions, the last the list's length. Keys of `n` or more are left out.
fn starts(keys: impl Iterator<Item = usize>, n: usize) -> Vec<usize> {
    let mut start = vec![0usize; n + 1];
    for k in keys {
        if let Some(count) = start.get_mut(k + 1) {
            *count += 1;
        }
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    start
}

impl ScopeCounts {
    /// The cells of slot `slot`, by control.
    fn slot_cells(&self, slot: usize) -> &[Placed] {
        match (self.slot_start.get(slot), self.slot_start.get(slot + 1)) {
            (Some(&from), Some(&to)) => self.cells.get(from..to).unwrap_or_default(),
            _ => &[],
        }
    }

    /// The position in `cells` of control `c` in slot `slot`, when it was met there.
    fn position(&self, slot: usize, c: usize) -> Option<usize> {
        let from = self.slot_start.get(slot).copied()?;
        self.slot_cells(slot)
            .binary_search_by_key(&c, |p| p.control as usize)
            .ok()
            .map(|i| from + i)
    }

    /// The cell of control `c` in slot `slot`, when it was met there.
    fn cell(&self, slot: usize, c: usize) -> Option<&Cell> {
        self.position(slot, c)
            .and_then(|i| self.cells.get(i))
            .map(|p| &p.cell)
    }

    /// The max control `c` scores with in slot `slot`, when the slot holds a count-level
    /// scope that exports it (else the definition's: [`kernel::control_max`] says which).
    pub fn max_of(&self, slot: usize, c: usize) -> Option<f64> {
        self.cell(slot, c).and_then(|cell| cell.max).map(|(_, max)| max)
    }

    /// The counts of control `c` in slot `slot` (zero where nothing was met).
    pub fn get(&self, slot: usize, c: usize) -> Counts {
        self.cell(slot, c).map(|cell| cell.counts).unwrap_or_default()
    }

    /// Control `c` in slot `slot` turns one resource from unhealthy to healthy.
    fn heal(&mut self, slot: usize, c: usize) {
        if let Some(p) = self.position(slot, c).and_then(|i| self.cells.get_mut(i)) {
            p.cell.counts.heal();
        }
    }

    /// The controls met in slot `slot`, in control order: (control, cell).
    pub(crate) fn controls_in(&self, slot: usize) -> impl Iterator<Item = (usize, &Cell)> {
        self.slot_cells(slot)
            .iter()
            .map(|p| (p.control as usize, &p.cell))
    }

    /// The slots where control `c` was met, in slot order: (slot, cell).
    pub(crate) fn slots_of(&self, c: usize) -> impl Iterator<Item = (usize, &Cell)> {
        let range = match (self.control_start.get(c), self.control_start.get(c + 1)) {
            (Some(&from), Some(&to)) => self.by_control.get(from..to).unwrap_or_default(),
            _ => &[],
        };
        range
            .iter()
            .filter_map(|&i| self.cells.get(i))
            .map(|p| (p.slot as usize, &p.cell))
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
    /// Points: classic gives them when exactly one scope has a defined percentage (0 when
    /// none has); a model whose rows are recommendations always (its sums, one pool).
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
    /// Under a model whose rows are recommendations (SPEC §7): its rows, each scope's own
    /// score and what heals them; `None` under classic.
    pub by_recommendation: Option<recommendations::RecommendationScore>,
}

/// A score's overall figures: what a group's row shows (SPEC §1.3).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Overall {
    pub percentage: Option<f64>,
    /// Points, as [`Score::current`] gives them.
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
    /// `None` under a model without controls (its rows are recommendations).
    fn control_in_scope(
        &self,
        model: &Model,
        score: &Score,
        scope: &ScopeScore,
        c: usize,
    ) -> Option<ControlInScope>;

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
            ScoringModel::V1 => &recommendations::PerRecommendation(recommendations::RecommendationModel::V1),
            ScoringModel::PassRate => {
                &recommendations::PerRecommendation(recommendations::RecommendationModel::PassRate)
            }
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
    numbered(applicable, other)
}

/// A triage order from its two parts: the ranked rows (in order, numbered from 1), then
/// the rows that do not apply (unranked).
pub(crate) fn numbered(ranked: Vec<usize>, unranked: Vec<usize>) -> Vec<(Option<usize>, usize)> {
    ranked
        .into_iter()
        .enumerate()
        .map(|(r, i)| (Some(r + 1), i))
        .chain(unranked.into_iter().map(|i| (None, i)))
        .collect()
}
