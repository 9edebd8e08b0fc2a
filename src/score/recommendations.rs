//! The scoring models whose rows are recommendations (SPEC §7): `v1`, Defender's original
//! per-recommendation secure score, and `pass-rate`, Security Hub's share of passing
//! checks. Pure functions over a [`Model`]: the counted-assessment rule and exemptions are
//! the kernel's (§1 steps 1–2), except that a recommendation counts whether or not a
//! control holds it; the resources are pooled over the selection (a resource counts once
//! per recommendation, whatever its scope). No I/O.
//!
//! Scopes scored from exported control counts (SPEC §3) hold no assessments, so they add
//! nothing here: neither model can be computed from control counts. Scopes of counts rows
//! of recommendations (SPEC §10) are: their rows are each recommendation's counts in the
//! scope (and group), added as the assessments' would be.

use super::kernel;
use super::options::ScoreOptions;
use super::{Arithmetic, ControlInScope, Fix, GainEstimate, GainInputs, Overall, ScopeScore, Score};
use crate::diag::Diagnostic;
use crate::groups::Group;
use crate::model::{CountRows, Counts, Model, RowKind, Severity, Status};
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
    /// Every counted recommendation assessed in the selection, by id (the order its
    /// figures are summed in).
    pub rows: Vec<RecommendationRow>,
    /// The scopes with a selected, assessed resource, in model order.
    pub scopes: Vec<ScopeHeadline>,
    /// Distinct resources with a counted healthy or unhealthy assessment, overall.
    pub resources: u64,
    /// The same, per scope (by scope index).
    pub scope_resources: BTreeMap<u32, u64>,
    /// Some scope was scored from counts rows.
    pub count_level: bool,
    /// Per (scope, place of the recommendation in id order): its counts in the scope, so
    /// that a fix heals a scope's headline without counting again.
    per_scope: BTreeMap<(u32, u32), Counts>,
    /// Each recommendation's place among the recommendations in id order.
    place: Vec<u32>,
    /// The recommendations in id order.
    by_id: Vec<u32>,
}

/// Recommendation `r` counts under these models: the kernel's rule alone, a control
/// need not hold it (SPEC §7).
pub fn is_counted(model: &Model, r: usize, options: &ScoreOptions) -> bool {
    model
        .recommendations
        .get(r)
        .is_some_and(|rec| kernel::is_counted(rec, options))
}

/// What [`tally`] counts.
struct Tally {
    /// Per recommendation (by index): distinct resources in each state, pooled.
    pooled: Vec<Counts>,
    /// Per (scope, place of the recommendation in id order).
    per_scope: BTreeMap<(u32, u32), Counts>,
    /// Resources with a counted healthy or unhealthy assessment.
    resources: u64,
    /// The same per scope.
    scope_resources: BTreeMap<u32, u64>,
    /// Counts rows were added.
    count_level: bool,
}

/// Distinct resources in each state per recommendation, pooled over the selection and per
/// scope: each (resource, recommendation) pair is one assessment, so counting assessments
/// counts distinct resources. Assessments are sorted by resource, so a resource's are
/// read together.
fn tally(
    model: &Model,
    options: &ScoreOptions,
    selection: Option<&Selection>,
    counted: &[bool],
    place: &[u32],
) -> Tally {
    let mut t = Tally {
        pooled: vec![Counts::default(); model.recommendations.len()],
        per_scope: BTreeMap::new(),
        resources: 0,
        scope_resources: BTreeMap::new(),
        count_level: false,
    };
    let mut last_assessed: Option<u32> = None;
    for a in model.assessments.iter() {
        let (resource, r) = (a.resource as usize, a.recommendation as usize);
        if !counted.get(r).copied().unwrap_or(false) || selection.is_some_and(|sel| !sel.resource(resource)) {
            continue;
        }
        let status = kernel::effective_status(model, a, options);
        if let Some(c) = t.pooled.get_mut(r) {
            c.add(status);
        }
        let scope = model.resource_scope.get(resource).copied().unwrap_or(0);
        let at = place.get(r).copied().unwrap_or(u32::MAX);
        t.per_scope.entry((scope, at)).or_default().add(status);
        if status != Status::NotApplicable && last_assessed != Some(a.resource) {
            last_assessed = Some(a.resource);
            t.resources += 1;
            *t.scope_resources.entry(scope).or_default() += 1;
        }
    }
    tally_rows(model, selection, place, &mut t);
    t
}

/// Adds the counts rows of recommendations of the selected scopes (SPEC §10), as the
/// query counted them: each scope weighs its weight rows, else (approximately) its
/// healthy plus unhealthy resources summed over recommendations.
fn tally_rows(model: &Model, selection: Option<&Selection>, place: &[u32], t: &mut Tally) {
    let rows = &model.counts.recommendations;
    for scope_rows in rows.chunk_by(|a, b| a.scope == b.scope) {
        let s = scope_rows[0].scope;
        if selection.is_some_and(|sel| !sel.scope(s as usize)) {
            continue;
        }
        let mut applicable = 0u64;
        for r in scope_rows {
            if let Some(c) = t.pooled.get_mut(r.item as usize) {
                c.add_counts(r.counts);
            }
            let at = place.get(r.item as usize).copied().unwrap_or(u32::MAX);
            t.per_scope.entry((s, at)).or_default().add_counts(r.counts);
            applicable = applicable.saturating_add(r.counts.applicable());
        }
        let weight = model.counts.weight(s, None).unwrap_or(applicable);
        t.resources += weight;
        *t.scope_resources.entry(s).or_default() += weight;
        t.count_level = true;
    }
}

/// Whether a recommendation was assessed in the selection (healthy, unhealthy or not
/// applicable): only those are rows, not every recommendation a catalog defines.
fn assessed(counts: Counts) -> bool {
    counts.applicable() + counts.not_applicable > 0
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

/// A row's +Score in a score of `max`: `v1`: `100 × potential_r / max`; `pass-rate`:
/// `100 / (passed + failed)` when it fails; 0 when it does not apply.
pub fn plus_score(row: &RecommendationRow, max: f64) -> f64 {
    if row.applicable {
        100.0 * row.potential / max
    } else {
        0.0
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

/// The recommendations in id order, and each one's place in that order: recommendations
/// are numbered as the inputs named them, and every sum runs in id order instead, so that
/// the score does not depend on the order of inputs.
fn id_order(model: &Model) -> (Vec<u32>, Vec<u32>) {
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
    (by_id, place)
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
    let (by_id, place) = id_order(model);
    let t = tally(model, options, selection, &counted, &place);
    let mut s = RecommendationScore {
        model: which,
        headline: Headline {
            current: 0.0,
            max: 0.0,
            percentage: None,
        },
        rows: Vec::new(),
        scopes: Vec::new(),
        resources: t.resources,
        scope_resources: t.scope_resources,
        count_level: t.count_level,
        per_scope: t.per_scope,
        place,
        by_id,
    };
    let pooled = t.pooled;
    // A recommendation counts rows report was counted by the query, under the options
    // it was written with (preview, custom): its rows are not judged again.
    let mut in_rows = vec![false; model.recommendations.len()];
    for row in &model.counts.recommendations {
        if let Some(flag) = in_rows.get_mut(row.item as usize) {
            *flag = true;
        }
    }
    s.rows = s
        .by_id
        .iter()
        .map(|&r| r as usize)
        .filter(|&r| (counted[r] || in_rows[r]) && assessed(pooled[r]))
        .map(|r| row(which, r as u32, pooled[r], points(model, r)))
        .collect();
    s.sum_rows();
    let scopes: Vec<u32> = s.scope_keys().collect();
    s.scopes = scopes
        .into_iter()
        .map(|scope| ScopeHeadline {
            scope,
            headline: s.scope_headline(model, scope),
        })
        .collect();
    s
}

impl RecommendationScore {
    /// The headline and each row's +Score from the rows (in id order).
    fn sum_rows(&mut self) {
        self.headline = headline(&self.rows);
        let max = self.headline.max;
        for r in self.rows.iter_mut() {
            r.potential_percentage = plus_score(r, max);
        }
    }

    /// The scopes met, ascending, each once.
    fn scope_keys(&self) -> impl Iterator<Item = u32> + '_ {
        let mut scopes: Vec<u32> = self.per_scope.keys().map(|&(scope, _)| scope).collect();
        scopes.dedup();
        scopes.into_iter()
    }

    /// The rows of scope `scope`'s own score, in id order.
    pub fn scope_rows(&self, model: &Model, scope: u32) -> Vec<RecommendationRow> {
        self.per_scope
            .range((scope, 0)..=(scope, u32::MAX))
            .map(|(&(_, at), &counts)| {
                let r = self.by_id.get(at as usize).copied().unwrap_or(0);
                row(self.model, r, counts, points(model, r as usize))
            })
            .collect()
    }

    /// Scope `scope`'s own score: only its resources count.
    fn scope_headline(&self, model: &Model, scope: u32) -> Headline {
        headline(&self.scope_rows(model, scope))
    }

    /// The row of recommendation `r` (an index into the model's recommendations), when it
    /// is counted.
    pub fn row_of(&self, r: usize) -> Option<&RecommendationRow> {
        let at = self.place.get(r)?;
        let i = self
            .rows
            .binary_search_by_key(at, |row| {
                self.place
                    .get(row.recommendation as usize)
                    .copied()
                    .unwrap_or(u32::MAX)
            })
            .ok()?;
        self.rows.get(i)
    }

    /// Applies a fix: each assessment at `changes` (all unhealthy, counted and selected)
    /// turns healthy; the rows, headline and touched scopes are summed again in the
    /// order a full score sums them, so they are what it gives to the last bit.
    fn heal(&mut self, model: &Model, changes: &[usize]) {
        let mut touched: Vec<u32> = Vec::new();
        for &i in changes {
            let Some(a) = model.assessments.get(i) else {
                continue;
            };
            let r = a.recommendation as usize;
            let Some(&at) = self.place.get(r) else { continue };
            let scope = model
                .resource_scope
                .get(a.resource as usize)
                .copied()
                .unwrap_or(0);
            if let Some(c) = self.per_scope.get_mut(&(scope, at)) {
                c.heal();
            }
            if let Ok(k) = self.rows.binary_search_by_key(&at, |row| {
                self.place
                    .get(row.recommendation as usize)
                    .copied()
                    .unwrap_or(u32::MAX)
            }) {
                let old = &self.rows[k];
                let mut counts = old.counts;
                counts.heal();
                self.rows[k] = row(
                    self.model,
                    old.recommendation,
                    counts,
                    points(model, old.recommendation as usize),
                );
            }
            touched.push(scope);
        }
        self.sum_rows();
        touched.sort_unstable();
        touched.dedup();
        for scope in touched {
            let h = self.scope_headline(model, scope);
            if let Some(sh) = self.scopes.iter_mut().find(|s| s.scope == scope) {
                sh.headline = h;
            }
        }
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
    super::numbered(applicable, other)
}

/// The [`Arithmetic`] of a model whose rows are recommendations.
pub(super) struct PerRecommendation(pub(super) RecommendationModel);

impl Arithmetic for PerRecommendation {
    fn is_counted(&self, model: &Model, r: usize, options: &ScoreOptions) -> bool {
        is_counted(model, r, options)
    }

    fn score(&self, model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Score {
        let mut result = as_score(model, score(self.0, model, options, selection));
        result.warnings = counts_only_warning(self.0, model, selection)
            .into_iter()
            .collect();
        result.warnings.extend(unweighed_rows(model, selection));
        if self.0 == RecommendationModel::V1 {
            result.warnings.extend(unused_points(model));
        }
        result
    }

    fn score_groups(&self, model: &Model, options: &ScoreOptions, groups: &[Group]) -> Vec<Overall> {
        let counted = self.counted(model, options);
        groups
            .iter()
            .map(|g| group_overall(self.0, model, options, &counted, g))
            .collect()
    }

    fn gain_estimator<'a>(&self, inputs: GainInputs<'a>) -> GainEstimate<'a> {
        let which = self.0;
        Box::new(move |_resources, changes| gain(which, inputs, changes))
    }

    fn heal(&self, fix: Fix, score: &mut Score) {
        if let Some(mut rs) = score.by_recommendation.take() {
            rs.heal(fix.model, fix.changes);
            let warnings = std::mem::take(&mut score.warnings);
            *score = as_score(fix.model, rs);
            score.warnings = warnings;
        }
    }

    fn control_in_scope(&self, _: &Model, _: &Score, _: &ScopeScore, _: usize) -> Option<ControlInScope> {
        // These models have no controls: `explain` takes a recommendation under them.
        None
    }
}

/// A recommendation score as the [`Score`] every command reads: the headline, each
/// scope's own score (weighted by its resources, which only `explain` and the report's
/// scope rows show: the overall score is one pool), no controls.
fn as_score(model: &Model, rs: RecommendationScore) -> Score {
    let scopes: Vec<ScopeScore> = rs
        .scopes
        .iter()
        .map(|s| {
            let resources = rs.scope_resources.get(&s.scope).copied().unwrap_or(0);
            ScopeScore {
                scope: Some(s.scope),
                current: s.headline.current,
                max: s.headline.max,
                percentage: s.headline.percentage,
                weight: resources,
                resources,
            }
        })
        .collect();
    let defined: Vec<&ScopeScore> = scopes.iter().filter(|s| s.percentage.is_some()).collect();
    let mut recommendations = vec![Counts::default(); model.recommendations.len()];
    for row in &rs.rows {
        if let Some(c) = recommendations.get_mut(row.recommendation as usize) {
            *c = row.counts;
        }
    }
    Score {
        percentage: rs.headline.percentage,
        current: Some(rs.headline.current),
        max: Some(rs.headline.max),
        resources: rs.resources,
        defined_scopes: defined.len(),
        total_weight: defined.iter().map(|s| s.weight as f64).sum(),
        scopes,
        controls: Vec::new(),
        recommendations,
        scope_controls: super::ScopeCounts::default(),
        weights: super::WeightSource::Computed,
        count_level: rs.count_level,
        warnings: Vec::new(),
        by_recommendation: Some(rs),
    }
}

/// The warning that scopes of the selection hold only exported control counts, which
/// these models cannot score (SPEC §3, §7): they are left out.
fn counts_only_warning(
    which: RecommendationModel,
    model: &Model,
    selection: Option<&Selection>,
) -> Option<Diagnostic> {
    let left_out: Vec<String> = model
        .scopes
        .iter()
        .enumerate()
        .filter(|(i, s)| s.count_level && selection.is_none_or(|sel| sel.scope(*i)))
        .filter(|(i, _)| model.counts.kind_of(*i as u32) != Some(RowKind::Recommendations))
        .map(|(_, s)| s.label())
        .collect();
    let first = left_out.first()?;
    let name = match which {
        RecommendationModel::V1 => "v1",
        RecommendationModel::PassRate => "pass-rate",
    };
    Some(Diagnostic::warning(
        "option-not-applicable",
        format!(
            "--model {name} scores recommendations, and {} scope(s) hold only exported control counts ({first}{}): they are left out of the score",
            left_out.len(),
            if left_out.len() > 1 { ", …" } else { "" }
        ),
    ))
}

/// A warning for each selected scope of recommendation rows without a weight row (SPEC
/// §10): the score is exact (one pool of recommendations), but the resources it counts
/// there are healthy plus unhealthy summed over recommendations, which counts a resource
/// once per recommendation.
fn unweighed_rows(model: &Model, selection: Option<&Selection>) -> Vec<Diagnostic> {
    let rows = &model.counts.recommendations;
    rows.chunk_by(|a, b| a.scope == b.scope)
        .map(|scope_rows| scope_rows[0].scope)
        .filter(|&s| selection.is_none_or(|sel| sel.scope(s as usize)) && model.counts.weight(s, None).is_none())
        .map(|s| {
            let applicable = CountRows::of_scope(rows, s)
                .iter()
                .fold(0u64, |sum, r| sum.saturating_add(r.counts.applicable()));
            Diagnostic::warning(
                "approximate-weight",
                format!(
                    "scope {} is scored from counts rows without a weight row: the score is exact, but its resources \
                     are approximate, {applicable} (healthy plus unhealthy resources summed over recommendations, which \
                     counts a resource once per recommendation)",
                    model.scopes.get(s as usize).map_or_else(String::new, |sc| sc.label())
                ),
            )
        })
        .collect()
}

/// A warning for each recommendation given `points` that no input assesses: most likely
/// its id is spelt otherwise than the assessments spell it (ids compare exactly), and the
/// points change nothing.
fn unused_points(model: &Model) -> Vec<Diagnostic> {
    if model.recommendations.iter().all(|r| r.points.is_none()) {
        return Vec::new();
    }
    let mut assessed = vec![false; model.recommendations.len()];
    let rows = model.counts.recommendations.iter().map(|r| r.item);
    for r in model.assessments.iter().map(|a| a.recommendation).chain(rows) {
        if let Some(seen) = assessed.get_mut(r as usize) {
            *seen = true;
        }
    }
    let mut unused: Vec<&crate::model::Recommendation> = model
        .recommendations
        .iter()
        .zip(&assessed)
        .filter(|(r, seen)| r.points.is_some() && !**seen)
        .map(|(r, _)| r)
        .collect();
    unused.sort_by(|a, b| a.id.cmp(&b.id));
    unused
        .into_iter()
        .map(|r| {
            Diagnostic::warning(
                "unused-points",
                format!(
                    "points are given for recommendation {}, which no input assesses: they change nothing \
                     (is its id spelt as the assessments spell it? ids compare exactly)",
                    r.quoted_label()
                ),
            )
        })
        .collect()
}

/// A group's overall figures from its members' assessments alone (SPEC §1.3): work that
/// grows with the group, not with the model.
fn group_overall(
    which: RecommendationModel,
    model: &Model,
    options: &ScoreOptions,
    counted: &[bool],
    g: &Group,
) -> Overall {
    let mut by_rec: BTreeMap<&str, (u32, Counts)> = BTreeMap::new();
    let (mut resources, mut scopes) = (0u64, Vec::new());
    for &m in &g.members {
        let mut assessed = false;
        for a in model.assessments_of(m as usize).unwrap_or_default() {
            let r = a.recommendation as usize;
            if !counted.get(r).copied().unwrap_or(false) {
                continue;
            }
            let status = kernel::effective_status(model, a, options);
            assessed |= status != Status::NotApplicable;
            let id = model.recommendations.get(r).map_or("", |rec| rec.id.as_str());
            by_rec
                .entry(id)
                .or_insert((r as u32, Counts::default()))
                .1
                .add(status);
        }
        if assessed {
            resources += 1;
            scopes.push(model.resource_scope.get(m as usize).copied().unwrap_or(0));
        }
    }
    let mut count_level = false;
    for &s in &g.scopes {
        let all = &model.counts.recommendations;
        let rows: Vec<&crate::model::CountRow> = if g.count_groups.is_empty() {
            CountRows::of_scope(all, s).iter().collect()
        } else {
            g.count_groups
                .iter()
                .flat_map(|&x| CountRows::of_group(all, s, Some(x)))
                .collect()
        };
        let (mut applicable, mut met) = (0u64, false);
        for r in rows {
            let id = model
                .recommendations
                .get(r.item as usize)
                .map_or("", |rec| rec.id.as_str());
            by_rec
                .entry(id)
                .or_insert((r.item, Counts::default()))
                .1
                .add_counts(r.counts);
            applicable = applicable.saturating_add(r.counts.applicable());
            met = true;
        }
        if !met {
            continue;
        }
        let weight = if g.count_groups.is_empty() {
            model.counts.weight(s, None)
        } else {
            g.count_groups
                .iter()
                .filter_map(|&x| model.counts.weight(s, Some(x)))
                .reduce(u64::saturating_add)
        };
        resources += weight.unwrap_or(applicable);
        count_level = true;
        if applicable > 0 {
            scopes.push(s);
        }
    }
    let rows: Vec<RecommendationRow> = by_rec
        .into_values()
        .map(|(r, counts)| row(which, r, counts, points(model, r as usize)))
        .collect();
    let h = headline(&rows);
    scopes.sort_unstable();
    scopes.dedup();
    Overall {
        percentage: h.percentage,
        current: Some(h.current),
        max: Some(h.max),
        resources,
        defined_scopes: if h.percentage.is_some() { scopes.len() } else { 0 },
        count_level,
    }
}

/// `plan`'s estimate: the percentage points the score gains when the assessments at
/// `changes` become healthy. Under `v1` each fixed resource of `r` adds
/// `max_r / (H_r + U_r)`, which no fix changes; under `pass-rate` a recommendation whose
/// every unhealthy resource is fixed adds `100 / (passed + failed)`.
fn gain(which: RecommendationModel, inputs: GainInputs, changes: &[usize]) -> f64 {
    let Some(rs) = inputs.score.by_recommendation.as_ref() else {
        return 0.0;
    };
    let max = rs.headline.max;
    if max <= 0.0 {
        return 0.0;
    }
    let mut fixed: BTreeMap<u32, u64> = BTreeMap::new();
    for &i in changes {
        if let Some(a) = inputs.model.assessments.get(i) {
            *fixed.entry(a.recommendation).or_default() += 1;
        }
    }
    let mut points_gained = 0.0;
    for (r, k) in fixed {
        let Some(row) = rs.row_of(r as usize) else {
            continue;
        };
        let assessed = row.counts.applicable();
        points_gained += match which {
            RecommendationModel::V1 if assessed > 0 => {
                row.points * k.min(row.counts.unhealthy) as f64 / assessed as f64
            }
            RecommendationModel::PassRate if row.counts.unhealthy > 0 && k >= row.counts.unhealthy => 1.0,
            _ => 0.0,
        };
    }
    100.0 * points_gained / max
}
