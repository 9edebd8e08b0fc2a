//! `explain` (SPEC §4, §5): one control's arithmetic per scope, its recommendations, the
//! unhealthy resources and the exemptions in effect. Pure: a model, options and a score
//! in, an [`Explanation`] out.

use crate::model::{Model, Recommendation, Status};
use crate::report::ControlOut;
use crate::score::kernel;
use crate::score::{Score, ScoreOptions, WeightSource, Weighting};
use crate::select::Selection;
use crate::text::{compact, fmt2};
use serde::Serialize;

/// The explain schema identifier.
pub const SCHEMA: &str = "securescore.explain/v1";

/// Days ahead of `--as-of` in which an exemption's end is called out.
pub const EXPIRY_WINDOW_DAYS: i64 = 30;

/// Why a control could not be found.
#[derive(Debug, PartialEq, Eq)]
pub enum FindError {
    /// Nothing matches: the closest controls' `"name" (id)`, at most three (perhaps none).
    NotFound(Vec<String>),
    /// Several controls match: their "name (id)".
    Ambiguous(Vec<String>),
}

/// How a name may match the query, in the order they are tried (SPEC §4).
#[derive(Clone, Copy)]
enum NameMatch {
    Exact,
    Prefix,
    /// Every word of the query is a word of the name.
    Words,
    Substring,
}

impl NameMatch {
    fn matches(self, name: &str, query: &str) -> bool {
        match self {
            NameMatch::Exact => name.to_lowercase() == query.to_lowercase(),
            NameMatch::Prefix => name.to_lowercase().starts_with(&query.to_lowercase()),
            NameMatch::Words => crate::names::has_words(name, query),
            NameMatch::Substring => crate::names::contains(name, query),
        }
    }
}

/// Finds a control by exact id, then exact name, then a unique name prefix, then the
/// words of its name, then a part of its name (all but the first case-insensitive).
/// The first way that matches decides: one control is found, several are ambiguous.
pub fn find_control(model: &Model, query: &str) -> Result<usize, FindError> {
    if let Some(i) = model.controls.iter().position(|c| c.id == query) {
        return Ok(i);
    }
    // Azure's control ids are GUIDs, which compare in any case.
    let same_id: Vec<usize> = (0..model.controls.len())
        .filter(|&i| model.controls[i].id.eq_ignore_ascii_case(query))
        .collect();
    if let [one] = same_id.as_slice() {
        return Ok(*one);
    }
    let label = |i: usize| {
        let c = &model.controls[i];
        crate::text::name_and_id(c.name.as_deref(), &c.id)
    };
    for how in [
        NameMatch::Exact,
        NameMatch::Prefix,
        NameMatch::Words,
        NameMatch::Substring,
    ] {
        let found: Vec<usize> = (0..model.controls.len())
            .filter(|&i| how.matches(model.controls[i].display_name(), query))
            .collect();
        match found.as_slice() {
            [] => continue,
            [one] => return Ok(*one),
            many => return Err(FindError::Ambiguous(many.iter().map(|&i| label(i)).collect())),
        }
    }
    let candidates: Vec<(&str, &str)> = model
        .controls
        .iter()
        .map(|c| (c.display_name(), c.id.as_str()))
        .collect();
    Err(FindError::NotFound(
        crate::names::closest(query, &candidates)
            .into_iter()
            .map(|i| {
                let c = &model.controls[i];
                crate::text::quoted_name_and_id(c.name.as_deref(), &c.id)
            })
            .collect(),
    ))
}

/// Everything `explain` says about one control.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Explanation {
    pub schema: &'static str,
    pub as_of: String,
    pub weighting: Weighting,
    pub weights: WeightSource,
    /// The overall score the control's share is part of.
    pub overall_percentage: Option<f64>,
    /// The control as in the report.
    pub control: ControlOut,
    /// Its arithmetic in each scope met, sorted by id.
    pub scopes: Vec<ScopeShare>,
    /// Its member recommendations assessed in the selection.
    pub recommendations: Vec<RecommendationDetail>,
    /// The resources unhealthy in it, by scope then id.
    pub unhealthy: Vec<UnhealthyResource>,
    /// Exemptions in effect on its members, by resource then recommendation.
    pub exemptions: Vec<ExemptionInEffect>,
    /// `--ignore-exemptions`: the exemptions listed did not change the figures.
    pub exemptions_ignored: bool,
}

/// One scope's part of a control.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ScopeShare {
    pub id: Option<String>,
    pub name: Option<String>,
    pub weight: u64,
    /// The control's max in this scope where it applies, else 0 (as Azure exports it):
    /// a scope scored from exported counts has its own exported max (SPEC §3).
    pub max: f64,
    /// The scope's points: the max of its applicable controls.
    pub scope_max: f64,
    /// The scope's percentage.
    pub percentage: Option<f64>,
    pub applicable: bool,
    pub healthy_resources: u64,
    pub unhealthy_resources: u64,
    pub not_applicable_resources: u64,
    pub points_per_resource: Option<f64>,
    pub current_score: f64,
    pub potential_increase: f64,
    /// Points of the overall score gained if the control became healthy in this scope.
    pub potential_increase_percentage: f64,
}

impl Explanation {
    /// How the scopes combine into the control's figures, when it applies (said after
    /// the arithmetic of each of several scopes).
    pub fn combined(&self) -> Option<String> {
        let c = &self.control;
        c.applicable.then(|| {
            format!(
                "Combined (each scope weighted by its weight / points): current {} of {}; +{} points = +{}% of the overall score",
                fmt2(c.current_score),
                compact(c.max_score),
                fmt2(c.potential_increase),
                fmt2(c.potential_increase_percentage)
            )
        })
    }
}

impl ScopeShare {
    /// The arithmetic of one scope (or of the only one):
    /// `max 6 / 50 applicable resources = 0.12 per resource; 42 healthy → 5.04; 8 unhealthy → +0.96 points = +1.60% of the overall score`.
    pub fn arithmetic(&self) -> String {
        if !self.applicable {
            return format!(
                "not applicable: no resource is healthy or unhealthy in it ({} not applicable), so it adds nothing to the max",
                self.not_applicable_resources
            );
        }
        let applicable = self.healthy_resources + self.unhealthy_resources;
        format!(
            "max {} / {applicable} applicable resource{} = {} per resource; {} healthy → {}; {} unhealthy → +{} points = +{}% of the overall score",
            compact(self.max),
            if applicable == 1 { "" } else { "s" },
            compact(self.points_per_resource.unwrap_or(0.0)),
            self.healthy_resources,
            fmt2(self.current_score),
            self.unhealthy_resources,
            fmt2(self.potential_increase),
            fmt2(self.potential_increase_percentage),
        )
    }
}

/// A member recommendation, with what to do about it.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecommendationDetail {
    pub id: String,
    pub name: Option<String>,
    pub severity: Option<&'static str>,
    pub preview: bool,
    pub custom: bool,
    /// Counts in the score (not preview unless asked for, not custom).
    pub counted: bool,
    pub healthy_resources: u64,
    pub unhealthy_resources: u64,
    pub not_applicable_resources: u64,
    pub description: Option<String>,
    pub remediation: Option<String>,
}

/// A resource unhealthy in the control.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct UnhealthyResource {
    pub resource: String,
    pub name: Option<String>,
    pub scope: Option<String>,
    /// The display name of `scope`, when known.
    pub scope_name: Option<String>,
    /// The member recommendations it fails, by id.
    pub recommendations: Vec<String>,
    /// Their names, in the same order (`null` where a recommendation has none).
    pub recommendation_names: Vec<Option<String>>,
}

impl UnhealthyResource {
    /// The recommendations it fails as `name (id)`, for a reader.
    pub fn recommendation_labels(&self) -> Vec<String> {
        crate::text::names_and_ids(&self.recommendations, &self.recommendation_names)
    }

    /// Its scope as `name (id)`; `None` for the unnamed scope.
    pub fn scope_label(&self) -> Option<String> {
        let id = self.scope.as_deref()?;
        Some(crate::text::name_and_id(self.scope_name.as_deref(), id))
    }
}

/// An exemption in effect on `as_of`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ExemptionInEffect {
    pub resource: String,
    pub recommendation: String,
    /// The recommendation's name, when known.
    pub recommendation_name: Option<String>,
    pub category: &'static str,
    pub expires: Option<String>,
    pub reason: Option<String>,
    /// It ends within [`EXPIRY_WINDOW_DAYS`] days of `as_of`.
    pub expiring_soon: bool,
}

/// What `explain` needs besides the model.
pub struct ExplainInputs<'a> {
    pub options: &'a ScoreOptions,
    pub selection: Option<&'a Selection>,
    pub score: &'a Score,
    pub control: ControlOut,
    pub weights: WeightSource,
}

/// Explains control `c` (an index into `model.controls`).
pub fn explain(model: &Model, c: usize, inputs: ExplainInputs) -> Explanation {
    let options = inputs.options;
    let score = inputs.score;
    let recommendations = recommendation_details(model, c, score, options);
    let counted: Vec<u32> = model.controls[c]
        .members
        .iter()
        .copied()
        .filter(|&m| is_counted(model, m as usize, options))
        .collect();
    let (unhealthy, exemptions) = resources_of(model, c, &counted, options, inputs.selection);
    Explanation {
        schema: SCHEMA,
        as_of: options.as_of.to_string(),
        weighting: options.weighting,
        weights: inputs.weights,
        overall_percentage: score.percentage,
        control: inputs.control,
        scopes: scope_shares(model, c, score, options),
        recommendations,
        unhealthy,
        exemptions,
        exemptions_ignored: options.ignore_exemptions,
    }
}

/// Whether an assessment of recommendation `r` counts under the options' scoring model.
fn is_counted(model: &Model, r: usize, options: &ScoreOptions) -> bool {
    options.model.arithmetic().is_counted(model, r, options)
}

/// The control's figures in each scope met, as the scoring model computes them.
fn scope_shares(model: &Model, c: usize, score: &Score, options: &ScoreOptions) -> Vec<ScopeShare> {
    let arithmetic = options.model.arithmetic();
    score
        .scopes
        .iter()
        .filter_map(|s| {
            let figures = arithmetic.control_in_scope(model, score, s, c)?;
            let scope = s.scope.and_then(|i| model.scopes.get(i as usize));
            Some(ScopeShare {
                id: scope.and_then(|sc| sc.id.clone()),
                name: scope.and_then(|sc| sc.name.clone()),
                weight: s.weight,
                max: if figures.applicable { figures.max } else { 0.0 },
                scope_max: s.max,
                percentage: s.percentage,
                applicable: figures.applicable,
                healthy_resources: figures.counts.healthy,
                unhealthy_resources: figures.counts.unhealthy,
                not_applicable_resources: figures.counts.not_applicable,
                points_per_resource: figures.points_per_resource,
                current_score: figures.current,
                potential_increase: figures.potential,
                potential_increase_percentage: figures.share_of_overall,
            })
        })
        .collect()
}

fn recommendation_details(
    model: &Model,
    c: usize,
    score: &Score,
    options: &ScoreOptions,
) -> Vec<RecommendationDetail> {
    crate::report::assessed_members(model, score, &model.controls[c].members)
        .into_iter()
        .map(|(m, counts)| {
            let rec = &model.recommendations[m];
            RecommendationDetail {
                id: rec.id.clone(),
                name: rec.name.clone(),
                severity: rec.severity.map(|s| s.as_str()),
                preview: rec.preview,
                custom: rec.custom,
                counted: is_counted(model, m, options),
                healthy_resources: counts.healthy,
                unhealthy_resources: counts.unhealthy,
                not_applicable_resources: counts.not_applicable,
                description: rec.description.clone(),
                remediation: rec.remediation.clone(),
            }
        })
        .collect()
}

/// The unhealthy resources of control `c` (failing one of its `counted` members) and the
/// exemptions in effect on its members, in the selection.
fn resources_of(
    model: &Model,
    c: usize,
    counted: &[u32],
    options: &ScoreOptions,
    selection: Option<&Selection>,
) -> (Vec<UnhealthyResource>, Vec<ExemptionInEffect>) {
    let members = &model.controls[c].members;
    let soon = options.as_of.add_days(EXPIRY_WINDOW_DAYS);
    let mut unhealthy = Vec::new();
    let mut exemptions = Vec::new();
    for group in model.assessments.chunk_by(|a, b| a.resource == b.resource) {
        let r = group[0].resource as usize;
        if selection.is_some_and(|sel| !sel.resource(r)) {
            continue;
        }
        let mut failing: Vec<&Recommendation> = Vec::new();
        for a in group.iter().filter(|a| members.contains(&a.recommendation)) {
            let rec = &model.recommendations[a.recommendation as usize];
            let exemption = model.exemption(a);
            let status = kernel::effective_status(model, a, options);
            if status == Status::Unhealthy && counted.contains(&a.recommendation) {
                failing.push(rec);
            }
            if let Some(e) = exemption.filter(|e| e.is_active(options.as_of)) {
                exemptions.push(ExemptionInEffect {
                    resource: model.resources.id(r).to_string(),
                    recommendation: rec.id.clone(),
                    recommendation_name: rec.name.clone(),
                    category: e.category.as_str(),
                    expires: e.expires.map(|d| d.to_string()),
                    reason: e.reason.clone(),
                    expiring_soon: e.expires.is_some_and(|d| d <= soon),
                });
            }
        }
        if !failing.is_empty() {
            failing.sort_by(|x, y| x.id.cmp(&y.id));
            let (id, name) = model.resources.get(r).map_or(("", None), |x| (x.id, x.name()));
            let scope = model
                .resource_scope
                .get(r)
                .and_then(|&s| model.scopes.get(s as usize));
            unhealthy.push(UnhealthyResource {
                resource: id.to_string(),
                name: name.map(str::to_string),
                scope: scope.and_then(|s| s.id.clone()),
                scope_name: scope.and_then(|s| s.name.clone()),
                recommendations: failing.iter().map(|rec| rec.id.clone()).collect(),
                recommendation_names: failing.iter().map(|rec| rec.name.clone()).collect(),
            });
        }
    }
    unhealthy.sort_by(|a, b| {
        // By scope (the unnamed scope last), then id.
        (a.scope.is_none(), &a.scope, &a.resource).cmp(&(b.scope.is_none(), &b.scope, &b.resource))
    });
    exemptions.sort_by(|a, b| (&a.resource, &a.recommendation).cmp(&(&b.resource, &b.recommendation)));
    (unhealthy, exemptions)
}
