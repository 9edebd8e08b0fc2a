//! `diff` (SPEC §4, §5): what changed between two inventories and why the score moved.
//!
//! Both inventories are mapped onto one universe of resources (by identity and scope, so
//! a resource that changed subscription is removed and added), recommendations, controls
//! and exemptions. The waterfall starts from BEFORE and applies each category of change
//! in a fixed order, re-scoring after each, so the steps add up to the total change.
//!
//! Every state is scored with the chosen model (SPEC §7): under `v1` and `pass-rate` the
//! waterfall explains that model's score, and the rows compared are recommendations
//! rather than controls.

use crate::ids::resource_key;
use crate::model::{Assessment, Control, Exemption, Model, ModelParts, Recommendation, Resources, Scope};
use crate::score::{score, ScoreOptions, ScoringModel, Weighting};
use crate::select::{select, Filters};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The diff schema identifier.
pub const SCHEMA: &str = "securescore.diff/v1";

/// What the text formats say under `v1` about the points its current scores are made of
/// (SPEC §7: Microsoft never published how severity mapped to points).
pub const V1_POINTS_NOTE: &str = "v1 points: a recommendation's own points, else securescore's default by \
     severity (critical 50, high 40, medium 20, low 5, unknown 20); Microsoft never published its mapping.";

/// A category of change: the waterfall's steps, in their fixed order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Cause {
    /// Assessments only BEFORE has.
    Removed,
    /// Assessments only AFTER has.
    Added,
    /// Raw statuses that became unhealthy.
    Regressed,
    /// Raw statuses that stopped being unhealthy.
    Fixed,
    /// Exemptions added, removed, changed, or ended between the two dates.
    Exemptions,
    /// Control definitions, recommendation flags and subscription definitions.
    Catalog,
}

impl Cause {
    /// The cause's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Removed => "removed",
            Cause::Added => "added",
            Cause::Regressed => "regressed",
            Cause::Fixed => "fixed",
            Cause::Exemptions => "exemptions",
            Cause::Catalog => "catalog",
        }
    }
}

crate::text::named!(Cause);

/// The result of a diff: the comparison, with its gate and warnings.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Diff {
    pub schema: &'static str,
    #[serde(flatten)]
    pub comparison: Comparison,
    /// `--max-drop`, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<DropGate>,
    /// Warnings about either input, each message naming its side.
    pub warnings: Vec<crate::report::WarningOut>,
}

/// What comparing two inventories found.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Comparison {
    /// The date AFTER's exemptions are judged on.
    pub as_of: String,
    /// The date BEFORE's exemptions are judged on.
    pub before_as_of: String,
    pub weighting: Weighting,
    /// The scoring model every state was scored with (SPEC §7).
    pub model: ScoringModel,
    pub before: Side,
    pub after: Side,
    /// After minus before (an undefined score counts as 0).
    pub change: f64,
    pub waterfall: Vec<WaterfallStep>,
    /// Under a model whose rows are controls (`classic`): current scores of every
    /// control on either side, largest drop first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<ControlChange>>,
    /// Under a model whose rows are recommendations (`v1`, `pass-rate`): current scores
    /// under the model of every recommendation that applies on either side, largest drop
    /// first (`None` on a side where it does not apply).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Vec<ControlChange>>,
}

impl Comparison {
    /// The rows compared, controls or recommendations as the model ranks them.
    pub fn rows(&self) -> &[ControlChange] {
        self.controls
            .as_deref()
            .or(self.recommendations.as_deref())
            .unwrap_or_default()
    }

    /// What a row is, in the singular: `control` or `recommendation`.
    pub fn row_kind(&self) -> &'static str {
        if self.model.ranks_recommendations() {
            "recommendation"
        } else {
            "control"
        }
    }

    /// The model's name as the text formats show it, when it is not `classic` (the
    /// default, which they leave unsaid as before models existed).
    pub fn model_shown(&self) -> Option<&'static str> {
        (self.model != ScoringModel::Classic).then(|| self.model.as_str())
    }
}

impl Diff {
    /// The diff document of a comparison, with its gate and warnings.
    pub fn new(
        comparison: Comparison,
        gate: Option<DropGate>,
        warnings: Vec<crate::report::WarningOut>,
    ) -> Diff {
        Diff {
            schema: SCHEMA,
            comparison,
            gate,
            warnings,
        }
    }
}

/// The `max-drop` gate's verdict (`--max-drop`, else the config file's `[gate]
/// max-drop`): the fields scripts read before gates had several rules, and `rules` in the
/// shape of `assess`'s gate (SPEC §9).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct DropGate {
    pub max_drop: f64,
    pub passed: bool,
    /// The verdict in one sentence: on failure, the gate line's text on standard error.
    pub reason: String,
    /// The rule's verdict as `assess` reports each of its rules: one `max-drop` entry.
    pub rules: Vec<crate::report::GateRuleOut>,
}

impl From<&crate::gate::Verdict> for DropGate {
    /// The diff's view of the `max-drop` verdict (the only rule `diff` checks).
    fn from(v: &crate::gate::Verdict) -> DropGate {
        debug_assert_eq!(v.rule, crate::gate::Rule::MaxDrop);
        DropGate {
            max_drop: v.limit,
            passed: v.passed,
            reason: v.message.clone(),
            rules: crate::report::GateOut::new(std::slice::from_ref(v)).rules,
        }
    }
}

/// One side's overall score.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Side {
    pub percentage: Option<f64>,
    pub resources: u64,
}

/// One category of change and what it did to the score.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct WaterfallStep {
    pub cause: Cause,
    pub change: f64,
    /// The resources it concerns, sorted.
    pub resources: Vec<String>,
    /// For `catalog` under `classic`: the controls whose max or membership changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<String>>,
    /// For `catalog` under `v1` and `pass-rate`: the recommendations whose definition
    /// changed what they score (points, severity, preview or custom flag).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Vec<String>>,
}

/// A row's (a control's, or under `v1` and `pass-rate` a recommendation's) current score
/// on both sides, and what AFTER still has to fix in it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ControlChange {
    pub id: String,
    pub name: Option<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub change: f64,
    /// AFTER's healthy resources in it.
    pub after_healthy_resources: u64,
    /// AFTER's unhealthy resources in it.
    pub after_unhealthy_resources: u64,
    /// Percentage points AFTER's score would gain with the control fully healthy.
    pub after_potential_increase_percentage: f64,
}

impl ControlChange {
    /// The control applies in AFTER: it has a healthy or unhealthy resource there.
    pub fn after_applicable(&self) -> bool {
        self.after_healthy_resources + self.after_unhealthy_resources > 0
    }
}

/// The status and exemption of one resource × recommendation on one side.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Cell {
    status: crate::model::Status,
    exemption: u32,
}

/// Assessments by (resource, recommendation), in universe indexes.
type Cells = BTreeMap<(u32, u32), Cell>;

/// A state's score: percentage, resources, and each row's current score by id (the
/// controls, or under a model whose rows are recommendations the recommendations that
/// apply).
struct Scored {
    percentage: Option<f64>,
    resources: u64,
    rows: BTreeMap<String, ControlFigures>,
}

/// What a state says of one row.
#[derive(Clone, Copy)]
struct ControlFigures {
    current: f64,
    counts: crate::model::Counts,
    potential_percentage: f64,
}

/// Both inventories on one set of indexes.
struct Universe {
    resources: Resources,
    resource_scope: Vec<u32>,
    scopes: Vec<Scope>,
    /// The same scopes as AFTER defines them (names, management groups), where it does.
    after_scopes: Vec<Scope>,
    /// As BEFORE defines them, where it does (else as AFTER does).
    recommendations: Vec<Recommendation>,
    /// As AFTER defines them, where it does (else as BEFORE does).
    after_recommendations: Vec<Recommendation>,
    exemptions: Vec<Exemption>,
    before_controls: Vec<Control>,
    after_controls: Vec<Control>,
    before: BTreeMap<(u32, u32), Cell>,
    after: BTreeMap<(u32, u32), Cell>,
    management_groups: Vec<String>,
}

/// Maps a side's indexes into the universe being built.
struct Builder {
    resources: HashMap<(String, Option<String>), u32>,
    scopes: BTreeMap<Option<String>, Scope>,
    after_scopes: BTreeMap<Option<String>, Scope>,
    recommendations: HashMap<String, u32>,
    exemptions: HashMap<Exemption, u32>,
    u: Universe,
    resource_scope_keys: Vec<Option<String>>,
}

impl Builder {
    fn new() -> Builder {
        Builder {
            resources: HashMap::new(),
            scopes: BTreeMap::new(),
            after_scopes: BTreeMap::new(),
            recommendations: HashMap::new(),
            exemptions: HashMap::new(),
            u: Universe {
                resources: Resources::default(),
                resource_scope: Vec::new(),
                scopes: Vec::new(),
                after_scopes: Vec::new(),
                recommendations: Vec::new(),
                after_recommendations: Vec::new(),
                exemptions: Vec::new(),
                before_controls: Vec::new(),
                after_controls: Vec::new(),
                before: BTreeMap::new(),
                after: BTreeMap::new(),
                management_groups: Vec::new(),
            },
            resource_scope_keys: Vec::new(),
        }
    }

    fn recommendation(&mut self, rec: &Recommendation) -> u32 {
        if let Some(&i) = self.recommendations.get(&rec.id) {
            return i;
        }
        let i = self.u.recommendations.len() as u32;
        self.u.recommendations.push(rec.clone());
        self.u.after_recommendations.push(rec.clone());
        self.recommendations.insert(rec.id.clone(), i);
        i
    }

    fn controls(&mut self, model: &Model, recs: &[u32]) -> Vec<Control> {
        model
            .controls
            .iter()
            .map(|c| {
                let mut members: Vec<u32> = c.members.iter().map(|&m| recs[m as usize]).collect();
                members.sort_unstable();
                Control { members, ..c.clone() }
            })
            .collect()
    }

    /// Adds one side; `after` says which.
    fn side(&mut self, model: &Model, after: bool) {
        let recs: Vec<u32> = model
            .recommendations
            .iter()
            .map(|r| self.recommendation(r))
            .collect();
        if after {
            for (r, &u) in model.recommendations.iter().zip(&recs) {
                self.u.after_recommendations[u as usize] = r.clone();
            }
        }
        let resources: Vec<u32> = model
            .resources
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let scope = model.scopes.get(model.resource_scope[i] as usize);
                let scope_key = scope.and_then(|s| s.key.clone());
                if let Some(s) = scope {
                    self.scopes.entry(scope_key.clone()).or_insert_with(|| s.clone());
                    if after {
                        self.after_scopes.insert(scope_key.clone(), s.clone());
                    }
                }
                let key = (resource_key(r.id), scope_key.clone());
                let next = self.u.resources.len() as u32;
                *self.resources.entry(key).or_insert_with(|| {
                    self.u.resources.push(r.id, r.meta.cloned().map(Box::new));
                    self.resource_scope_keys.push(scope_key);
                    next
                })
            })
            .collect();
        let exemptions: Vec<u32> = model
            .exemptions
            .iter()
            .map(|e| {
                let next = self.u.exemptions.len() as u32 + 1;
                *self.exemptions.entry(e.clone()).or_insert_with(|| {
                    self.u.exemptions.push(e.clone());
                    next
                })
            })
            .collect();
        let cells: BTreeMap<(u32, u32), Cell> = model
            .assessments
            .iter()
            .map(|a| {
                let exemption = (a.exemption() as usize)
                    .checked_sub(1)
                    .map_or(0, |i| exemptions[i]);
                (
                    (resources[a.resource as usize], recs[a.recommendation as usize]),
                    Cell {
                        status: a.status(),
                        exemption,
                    },
                )
            })
            .collect();
        let controls = self.controls(model, &recs);
        for g in &model.management_groups {
            if !self.u.management_groups.iter().any(|m| m.eq_ignore_ascii_case(g)) {
                self.u.management_groups.push(g.clone());
            }
        }
        if after {
            self.u.after = cells;
            self.u.after_controls = controls;
        } else {
            self.u.before = cells;
            self.u.before_controls = controls;
        }
    }

    fn finish(mut self) -> Universe {
        // Scopes sorted by key, the unnamed scope last.
        let mut keys: Vec<Option<String>> = self.scopes.keys().cloned().collect();
        keys.sort_by(|a, b| (a.is_none(), a).cmp(&(b.is_none(), b)));
        let position: HashMap<Option<String>, u32> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i as u32))
            .collect();
        self.u.after_scopes = keys
            .iter()
            .filter_map(|k| self.after_scopes.get(k).or_else(|| self.scopes.get(k)).cloned())
            .collect();
        self.u.scopes = keys.iter().filter_map(|k| self.scopes.remove(k)).collect();
        self.u.resource_scope = self
            .resource_scope_keys
            .iter()
            .map(|k| position.get(k).copied().unwrap_or(0))
            .collect();
        self.u.management_groups.sort();
        self.u
    }
}

/// Which definitions a state scores with: the controls, recommendation flags and
/// subscription definitions (names, management groups) of BEFORE or of AFTER.
#[derive(Clone, Copy, PartialEq)]
enum Catalog {
    Before,
    After,
}

impl Universe {
    /// The model of one state: these assessments, scored with this catalog.
    fn model(&self, cells: &BTreeMap<(u32, u32), Cell>, catalog: Catalog) -> Model {
        let mut controls = match catalog {
            Catalog::Before => self.before_controls.clone(),
            Catalog::After => self.after_controls.clone(),
        };
        controls.sort_by(|a, b| a.id.cmp(&b.id));
        let recommendations = match catalog {
            Catalog::Before => self.recommendations.clone(),
            Catalog::After => self.after_recommendations.clone(),
        };
        let assessments = cells
            .iter()
            .map(|(&(resource, recommendation), cell)| {
                Assessment::new(resource, recommendation, cell.status, cell.exemption)
            })
            .collect();
        Model::new(ModelParts {
            controls,
            recommendations,
            resources: self.resources.clone(),
            resource_scope: self.resource_scope.clone(),
            scopes: match catalog {
                Catalog::Before => self.scopes.clone(),
                Catalog::After => self.after_scopes.clone(),
            },
            assessments,
            exemptions: self.exemptions.clone(),
            management_groups: self.management_groups.clone(),
            ..ModelParts::default()
        })
    }
}

/// The percentage of a state (an undefined score counts as 0 in the arithmetic), its
/// resources, and its rows' current scores by id, all under `options.model`.
fn evaluate(model: &Model, options: &ScoreOptions, filters: &Filters) -> Result<Scored, String> {
    let selection = select(model, filters)?;
    let s = score(model, options, selection.as_ref());
    let rows = match &s.by_recommendation {
        Some(by) => by
            .rows
            .iter()
            .filter(|r| r.applicable)
            .map(|r| {
                let figures = ControlFigures {
                    current: r.current,
                    counts: r.counts,
                    potential_percentage: r.potential_percentage,
                };
                (
                    model.recommendations[r.recommendation as usize].id.clone(),
                    figures,
                )
            })
            .collect(),
        None => model
            .controls
            .iter()
            .zip(&s.controls)
            .map(|(c, cs)| {
                let figures = ControlFigures {
                    current: cs.current,
                    counts: cs.counts,
                    potential_percentage: cs.potential_percentage,
                };
                (c.id.clone(), figures)
            })
            .collect(),
    };
    Ok(Scored {
        percentage: s.percentage,
        resources: s.resources,
        rows,
    })
}

/// One state of the waterfall: the inventory after applying one more cause of change.
struct Stage {
    cause: Cause,
    cells: Cells,
    /// Whose definitions it is scored with.
    catalog: Catalog,
    /// Whose date its exemptions are judged on.
    date: DateOf,
    /// The resources the cause concerns.
    resources: BTreeSet<u32>,
    /// For [`Cause::Catalog`]: the controls whose max or membership changed (classic).
    controls: Option<Vec<String>>,
    /// For [`Cause::Catalog`]: the recommendations whose definition changed what they
    /// score (`v1`, `pass-rate`).
    recommendations: Option<Vec<String>>,
}

/// Which side's date a state is judged on.
#[derive(Clone, Copy, PartialEq)]
enum DateOf {
    Before,
    After,
}

/// What the cells of one side say about exemptions, by universe index.
struct Exemptions<'u> {
    u: &'u Universe,
}

impl Exemptions<'_> {
    fn of(&self, cell: &Cell) -> Option<&Exemption> {
        (cell.exemption as usize)
            .checked_sub(1)
            .and_then(|i| self.u.exemptions.get(i))
    }

    /// The exemption hides the status under it (an Azure export's exempt assessment).
    fn hides(&self, cell: &Cell) -> bool {
        self.of(cell).is_some_and(|e| e.hides_status)
    }

    /// The exemption is active on `day`.
    fn active(&self, cell: &Cell, day: crate::date::Date) -> bool {
        self.of(cell).is_some_and(|e| e.is_active(day))
    }
}

/// Removed: drops what only BEFORE has.
fn removed(u: &Universe, cells: &mut Cells) -> BTreeSet<u32> {
    let mut touched = BTreeSet::new();
    cells.retain(|k, _| {
        let kept = u.after.contains_key(k);
        if !kept {
            touched.insert(k.0);
        }
        kept
    });
    touched
}

/// Added: adds what only AFTER has, with its exemption as AFTER's date judges it (until
/// the exemptions step the date is BEFORE's).
fn added(u: &Universe, cells: &mut Cells, as_of: crate::date::Date) -> BTreeSet<u32> {
    let ex = Exemptions { u };
    let mut touched = BTreeSet::new();
    for (k, cell) in &u.after {
        if !u.before.contains_key(k) {
            let mut added = *cell;
            if !ex.active(cell, as_of) {
                added.exemption = 0;
            }
            cells.insert(*k, added);
            touched.insert(k.0);
        }
    }
    touched
}

/// Regressed (`regressed`) or fixed: raw status changes of what both have. A status
/// hidden by an Azure exemption is no status at all: it changes with the exemption.
fn status_changes(u: &Universe, cells: &mut Cells, regressed: bool) -> BTreeSet<u32> {
    let ex = Exemptions { u };
    let mut touched = BTreeSet::new();
    for (k, now) in &u.after {
        let Some(was) = u.before.get(k) else { continue };
        if ex.hides(was) || ex.hides(now) {
            continue;
        }
        let becomes_unhealthy = now.status == crate::model::Status::Unhealthy;
        if was.status != now.status && becomes_unhealthy == regressed {
            if let Some(cell) = cells.get_mut(k) {
                cell.status = now.status;
            }
            touched.insert(k.0);
        }
    }
    touched
}

/// Exemptions added, removed, changed, or ended between the two dates; an added
/// assessment takes its exemption back (it changes nothing now).
fn exemption_changes(
    u: &Universe,
    cells: &mut Cells,
    before_as_of: crate::date::Date,
    as_of: crate::date::Date,
) -> BTreeSet<u32> {
    let ex = Exemptions { u };
    let mut touched = BTreeSet::new();
    for (k, now) in &u.after {
        let Some(was) = u.before.get(k) else {
            if let Some(cell) = cells.get_mut(k) {
                *cell = *now;
            }
            continue;
        };
        let changed =
            was.exemption != now.exemption || (ex.hides(was) || ex.hides(now)) && was.status != now.status;
        let ended = ex.active(was, before_as_of) != ex.active(now, as_of);
        if changed || ended {
            if let Some(cell) = cells.get_mut(k) {
                *cell = *now;
            }
            touched.insert(k.0);
        }
    }
    touched
}

/// The waterfall's states, one per cause, in order; the catalog's changes are those that
/// move `model`'s score.
fn stages(
    u: &Universe,
    model: ScoringModel,
    as_of: crate::date::Date,
    before_as_of: crate::date::Date,
) -> Vec<Stage> {
    let mut cells: Cells = u.before.clone();
    let mut out = Vec::new();
    let mut stage = |cause, cells: &Cells, resources, date| {
        out.push(Stage {
            cause,
            cells: cells.clone(),
            catalog: Catalog::Before,
            date,
            resources,
            controls: None,
            recommendations: None,
        })
    };
    let r = removed(u, &mut cells);
    stage(Cause::Removed, &cells, r, DateOf::Before);
    let r = added(u, &mut cells, as_of);
    stage(Cause::Added, &cells, r, DateOf::Before);
    let r = status_changes(u, &mut cells, true);
    stage(Cause::Regressed, &cells, r, DateOf::Before);
    let r = status_changes(u, &mut cells, false);
    stage(Cause::Fixed, &cells, r, DateOf::Before);
    let r = exemption_changes(u, &mut cells, before_as_of, as_of);
    stage(Cause::Exemptions, &cells, r, DateOf::After);
    // The catalog: control max and membership (classic), recommendation flags and points
    // (v1), subscription definitions.
    let changed_recs = changed_recommendations(u, model);
    let resources = cells
        .keys()
        .filter(|(_, rec)| changed_recs.contains(rec))
        .map(|&(r, _)| r)
        .collect();
    let (controls, recommendations) = if model.ranks_recommendations() {
        let mut ids: Vec<String> = changed_recs
            .iter()
            .map(|&r| u.recommendations[r as usize].id.clone())
            .collect();
        ids.sort();
        (None, Some(ids))
    } else {
        (Some(catalog_changes(u).into_iter().collect()), None)
    };
    out.push(Stage {
        cause: Cause::Catalog,
        cells,
        catalog: Catalog::After,
        date: DateOf::After,
        resources,
        controls,
        recommendations,
    });
    out
}

/// Diffs two inventories (both resource-level) under the same options and filters.
/// BEFORE's exemptions are judged on `before_as_of`, AFTER's on `options.as_of`; the
/// switch happens at the `exemptions` step, so exemptions that ended in between show there.
pub fn diff(
    before: &Model,
    after: &Model,
    options: &ScoreOptions,
    before_as_of: crate::date::Date,
    filters: &Filters,
) -> Result<Comparison, String> {
    let mut b = Builder::new();
    b.side(before, false);
    b.side(after, true);
    let u = b.finish();
    let before_options = ScoreOptions {
        as_of: before_as_of,
        ..options.clone()
    };
    let start = evaluate(&u.model(&u.before, Catalog::Before), &before_options, filters)?;
    let mut previous = start.percentage.unwrap_or(0.0);
    let mut waterfall = Vec::new();
    let mut end = None;
    for stage in stages(&u, options.model, options.as_of, before_as_of) {
        let day = match stage.date {
            DateOf::Before => &before_options,
            DateOf::After => options,
        };
        let scored = evaluate(&u.model(&stage.cells, stage.catalog), day, filters)?;
        let now = scored.percentage.unwrap_or(0.0);
        let mut resources: Vec<String> = stage
            .resources
            .iter()
            .map(|&r| u.resources.id(r as usize).to_string())
            .collect();
        resources.sort();
        resources.dedup();
        waterfall.push(WaterfallStep {
            cause: stage.cause,
            change: now - previous,
            resources,
            controls: stage.controls,
            recommendations: stage.recommendations,
        });
        previous = now;
        end = Some(scored);
    }
    let finish = end.ok_or("the waterfall has no step")?;
    // The total is the steps' sum, added in order, so that the steps add up to it exactly
    // (it equals after minus before to within float rounding).
    let change = waterfall.iter().map(|s| s.change).sum();
    Ok(Comparison {
        as_of: options.as_of.to_string(),
        before_as_of: before_as_of.to_string(),
        weighting: options.weighting,
        model: options.model,
        before: Side {
            percentage: start.percentage,
            resources: start.resources,
        },
        after: Side {
            percentage: finish.percentage,
            resources: finish.resources,
        },
        change,
        waterfall,
        controls: (!options.model.ranks_recommendations()).then(|| control_changes(&u, &start, &finish)),
        recommendations: options
            .model
            .ranks_recommendations()
            .then(|| recommendation_changes(&u, &start, &finish)),
    })
}

/// Ids of the controls whose max or membership differ between the sides (or that only
/// one side has).
fn catalog_changes(u: &Universe) -> BTreeSet<String> {
    let by_id = |controls: &[Control]| -> BTreeMap<String, (u64, Vec<u32>)> {
        controls
            .iter()
            .map(|c| (c.id.clone(), (c.max_score.to_bits(), c.members.clone())))
            .collect()
    };
    let (before, after) = (by_id(&u.before_controls), by_id(&u.after_controls));
    before
        .keys()
        .chain(after.keys())
        .filter(|id| before.get(*id) != after.get(*id))
        .cloned()
        .collect()
}

/// Recommendations the catalog change concerns under `model`: those whose preview or
/// custom flag changed (whether they count), and under `classic` those that joined or left
/// a control, under `v1` those whose points changed (their own, or their severity's
/// default). (Under `classic` a control whose max changed moves every one of its
/// resources; it is listed among the changed controls instead.)
fn changed_recommendations(u: &Universe, model: ScoringModel) -> BTreeSet<u32> {
    fn memberships(controls: &[Control]) -> BTreeMap<u32, BTreeSet<&str>> {
        let mut out: BTreeMap<u32, BTreeSet<&str>> = BTreeMap::new();
        for c in controls {
            for &m in &c.members {
                out.entry(m).or_default().insert(c.id.as_str());
            }
        }
        out
    }
    let (before, after) = (memberships(&u.before_controls), memberships(&u.after_controls));
    let points = |r: &Recommendation| {
        r.points
            .unwrap_or_else(|| crate::score::recommendations::default_points(r.severity))
            .to_bits()
    };
    (0..u.recommendations.len() as u32)
        .filter(|&i| {
            let (was, now) = (
                &u.recommendations[i as usize],
                &u.after_recommendations[i as usize],
            );
            let flags = (was.preview, was.custom) != (now.preview, now.custom);
            flags
                || match model {
                    ScoringModel::Classic => before.get(&i) != after.get(&i),
                    ScoringModel::V1 => points(was) != points(now),
                    ScoringModel::PassRate => false,
                }
        })
        .collect()
}

/// Every control of either side, by id, with its name (AFTER's where both name it).
fn control_changes(u: &Universe, before: &Scored, after: &Scored) -> Vec<ControlChange> {
    let names: BTreeMap<&str, Option<String>> = u
        .before_controls
        .iter()
        .chain(&u.after_controls)
        .map(|c| (c.id.as_str(), c.name.clone()))
        .collect();
    row_changes(names, before, after)
}

/// Every recommendation that applies on either side, by id, with its name (AFTER's where
/// both name it).
fn recommendation_changes(u: &Universe, before: &Scored, after: &Scored) -> Vec<ControlChange> {
    let names: BTreeMap<&str, Option<String>> = u
        .recommendations
        .iter()
        .chain(&u.after_recommendations)
        .filter(|r| before.rows.contains_key(&r.id) || after.rows.contains_key(&r.id))
        .map(|r| (r.id.as_str(), r.name.clone()))
        .collect();
    row_changes(names, before, after)
}

/// The rows `names` lists with their current scores on both sides, the largest drop
/// first, ties by id.
fn row_changes(names: BTreeMap<&str, Option<String>>, before: &Scored, after: &Scored) -> Vec<ControlChange> {
    let (before, after) = (&before.rows, &after.rows);
    let mut out: Vec<ControlChange> = names
        .into_iter()
        .map(|(id, name)| {
            let (b, a) = (before.get(id).map(|f| f.current), after.get(id));
            let counts = a.map(|f| f.counts).unwrap_or_default();
            ControlChange {
                id: id.to_string(),
                name,
                before: b,
                after: a.map(|f| f.current),
                change: a.map_or(0.0, |f| f.current) - b.unwrap_or(0.0),
                after_healthy_resources: counts.healthy,
                after_unhealthy_resources: counts.unhealthy,
                after_potential_increase_percentage: a.map_or(0.0, |f| f.potential_percentage),
            }
        })
        .collect();
    out.sort_by(|x, y| {
        crate::text::nano_units(x.change)
            .cmp(&crate::text::nano_units(y.change))
            .then_with(|| x.id.cmp(&y.id))
    });
    out
}
