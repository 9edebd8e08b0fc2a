//! `explain` (SPEC §4, §5, §7): one control's arithmetic per scope, its recommendations,
//! the unhealthy resources and the exemptions in effect; under a model whose rows are
//! recommendations (`v1`, `pass-rate`), one recommendation's arithmetic under that model,
//! overall and in each scope's own score. Pure: a model, options and a score in, an
//! [`Explanation`] out.

use crate::model::{Model, Recommendation, Status};
use crate::report::{ControlOut, RankedRecommendationOut};
use crate::score::kernel;
use crate::score::recommendations::{Headline, RecommendationRow, RecommendationScore};
use crate::score::{Score, ScoreOptions, ScoringModel, WeightSource, Weighting};
use crate::select::Selection;
use crate::text::{compact, fmt2};
use serde::Serialize;

/// The explain schema identifier.
pub const SCHEMA: &str = "securescore.explain/v1";

/// Days ahead of `--as-of` in which an exemption's end is called out.
pub const EXPIRY_WINDOW_DAYS: i64 = 30;

/// Why a control or recommendation could not be found.
#[derive(Debug, PartialEq, Eq)]
pub enum FindError {
    /// Nothing matches: the closest ones' `"name" (id)`, at most three (perhaps none).
    NotFound(Vec<String>),
    /// Several match: their "name (id)".
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

/// One way of finding, in the order they are tried: the exact id, the id in another
/// case (Azure's ids are GUIDs, which compare in any case; several such are no answer),
/// then the name's ways.
#[derive(Clone, Copy)]
enum Tier {
    Id,
    IdAnyCase,
    Name(NameMatch),
}

const TIERS: [Tier; 6] = [
    Tier::Id,
    Tier::IdAnyCase,
    Tier::Name(NameMatch::Exact),
    Tier::Name(NameMatch::Prefix),
    Tier::Name(NameMatch::Words),
    Tier::Name(NameMatch::Substring),
];

/// Something a person names: its id and name.
struct Named<'a> {
    id: &'a str,
    name: Option<&'a str>,
}

impl Named<'_> {
    fn display(&self) -> &str {
        self.name.unwrap_or(self.id)
    }
}

/// What one tier finds among `items`: `None` to try the next, `Ok` one, `Err` several.
fn find_at(items: &[Named], tier: Tier, query: &str) -> Option<Result<usize, Vec<usize>>> {
    let found: Vec<usize> = (0..items.len())
        .filter(|&i| match tier {
            Tier::Id => items[i].id == query,
            Tier::IdAnyCase => items[i].id.eq_ignore_ascii_case(query),
            Tier::Name(how) => how.matches(items[i].display(), query),
        })
        .collect();
    match (found.as_slice(), tier) {
        ([], _) | ([_, _, ..], Tier::IdAnyCase) => None,
        // Ids are unique; the first is the one.
        ([first, ..], Tier::Id) | ([first], _) => Some(Ok(*first)),
        (_, _) => Some(Err(found)),
    }
}

/// The closest of `items` to a query that matched nothing, as `"name" (id)`.
fn closest(items: &[Named], query: &str) -> Vec<String> {
    let candidates: Vec<(&str, &str)> = items.iter().map(|x| (x.display(), x.id)).collect();
    crate::names::closest(query, &candidates)
        .into_iter()
        .map(|i| crate::text::quoted_name_and_id(items[i].name, items[i].id))
        .collect()
}

/// The "name (id)" of the `found` items, by id: recommendations are numbered in the
/// order the inputs name them, which must not show.
fn labels(items: &[Named], found: &[usize]) -> Vec<String> {
    let mut found = found.to_vec();
    found.sort_by(|&a, &b| items[a].id.cmp(items[b].id));
    found
        .iter()
        .map(|&i| crate::text::name_and_id(items[i].name, items[i].id))
        .collect()
}

fn controls_named(model: &Model) -> Vec<Named<'_>> {
    model
        .controls
        .iter()
        .map(|c| Named {
            id: &c.id,
            name: c.name.as_deref(),
        })
        .collect()
}

/// Finds a control by exact id, then exact name, then a unique name prefix, then the
/// words of its name, then a part of its name (all but the first case-insensitive).
/// The first way that matches decides: one control is found, several are ambiguous.
pub fn find_control(model: &Model, query: &str) -> Result<usize, FindError> {
    let controls = controls_named(model);
    for tier in TIERS {
        match find_at(&controls, tier, query) {
            None => continue,
            Some(Ok(one)) => return Ok(one),
            Some(Err(many)) => return Err(FindError::Ambiguous(labels(&controls, &many))),
        }
    }
    Err(FindError::NotFound(closest(&controls, query)))
}

/// Per recommendation (by index): whether the inputs assess it on some resource.
pub fn assessed(model: &Model) -> Vec<bool> {
    let mut assessed = vec![false; model.recommendations.len()];
    for a in model.assessments.iter() {
        if let Some(x) = assessed.get_mut(a.recommendation as usize) {
            *x = true;
        }
    }
    assessed
}

/// What a query names under a model whose rows are recommendations.
#[derive(Debug, PartialEq, Eq)]
pub enum Found {
    /// A recommendation, by index.
    Recommendation(usize),
    /// A control (by index), which these models do not rank.
    Control(usize),
}

/// Finds a recommendation the inputs assess the way [`find_control`] finds a control. At each way of
/// finding, recommendations come first; a control found where no recommendation is
/// (one only: several controls are no answer) is told apart, so that the caller can
/// say these models rank recommendations. A query that matches nothing is answered with
/// the closest recommendations.
pub fn find_recommendation(model: &Model, query: &str) -> Result<Found, FindError> {
    // Only those the inputs assess: a built-in catalog names hundreds more.
    let assessed = assessed(model);
    let index: Vec<usize> = (0..model.recommendations.len())
        .filter(|&r| assessed[r])
        .collect();
    let recommendations: Vec<Named> = index
        .iter()
        .map(|&r| Named {
            id: &model.recommendations[r].id,
            name: model.recommendations[r].name.as_deref(),
        })
        .collect();
    let controls = controls_named(model);
    for tier in TIERS {
        match find_at(&recommendations, tier, query) {
            Some(Ok(one)) => return Ok(Found::Recommendation(index[one])),
            Some(Err(many)) => return Err(FindError::Ambiguous(labels(&recommendations, &many))),
            None => {}
        }
        if let Some(Ok(c)) = find_at(&controls, tier, query) {
            return Ok(Found::Control(c));
        }
    }
    Err(FindError::NotFound(closest(&recommendations, query)))
}

/// Everything `explain` says about one control or, under a model whose rows are
/// recommendations, one recommendation.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Explanation {
    pub schema: &'static str,
    pub as_of: String,
    pub weighting: Weighting,
    pub weights: WeightSource,
    /// The scoring model the figures are computed under (SPEC §7).
    pub model: ScoringModel,
    /// The overall score the subject's share is part of.
    pub overall_percentage: Option<f64>,
    /// What is explained: `control`, `scopes`, `recommendations` under classic;
    /// `recommendation`, `score`, `scopes` under `v1` and `pass-rate`.
    #[serde(flatten)]
    pub subject: Subject,
    /// The resources unhealthy in it, by scope then id.
    pub unhealthy: Vec<UnhealthyResource>,
    /// Exemptions in effect on its recommendations, by resource then recommendation.
    pub exemptions: Vec<ExemptionInEffect>,
    /// `--ignore-exemptions`: the exemptions listed did not change the figures.
    pub exemptions_ignored: bool,
}

/// What `explain` explains.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(untagged)]
pub enum Subject {
    /// A control, under `classic`.
    Control(ControlExplained),
    /// A recommendation, under `v1` or `pass-rate`.
    Recommendation(RecommendationExplained),
}

/// A control's part of an explanation.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ControlExplained {
    /// The control as in the report.
    pub control: ControlOut,
    /// Its arithmetic in each scope met, sorted by id.
    pub scopes: Vec<ScopeShare>,
    /// Its member recommendations assessed in the selection.
    pub recommendations: Vec<RecommendationDetail>,
}

/// A recommendation's part of an explanation, under `v1` or `pass-rate`.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecommendationExplained {
    /// The recommendation as in the report, with what to do about it.
    pub recommendation: RecommendationAsExplained,
    /// The overall score under the model.
    pub score: ModelScore,
    /// Its figures in each scope's own score (only the scope's resources count), in
    /// model order. The scopes' scores do not add up to the overall one.
    pub scopes: Vec<RecommendationInScope>,
}

/// The report's row of a recommendation, with its description, remediation and the
/// names of its controls.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecommendationAsExplained {
    #[serde(flatten)]
    pub row: RankedRecommendationOut,
    /// The names of `controls`, in the same order (`null` where one has none).
    pub control_names: Vec<Option<String>>,
    pub description: Option<String>,
    pub remediation: Option<String>,
}

/// A score under `v1` or `pass-rate`, overall or for one scope.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct ModelScore {
    /// `100 × current / max`; `None` when max is 0.
    pub percentage: Option<f64>,
    /// `v1`: the sum of the recommendations' current points; `pass-rate`: the passed.
    pub current: f64,
    /// `v1`: the sum of the applicable recommendations' points; `pass-rate`: passed +
    /// failed.
    pub max: f64,
    /// Recommendations that apply (a resource is healthy or unhealthy in them).
    pub applicable_recommendations: u64,
}

/// A recommendation's figures in one scope's own score.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct RecommendationInScope {
    pub id: Option<String>,
    pub name: Option<String>,
    /// The scope's resources with a counted healthy or unhealthy assessment.
    pub weight: u64,
    /// The scope's own score.
    pub score: ModelScore,
    pub applicable: bool,
    pub healthy_resources: u64,
    pub unhealthy_resources: u64,
    pub not_applicable_resources: u64,
    /// What it adds to the scope's max: its points (1 under `pass-rate`) where it
    /// applies, else 0.
    pub max_score: f64,
    pub current_score: f64,
    pub potential_increase: f64,
    /// Points of the scope's own score it would add, fully healthy there.
    pub potential_increase_percentage: f64,
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

/// Said wherever scopes' own scores under `v1` or `pass-rate` are listed (SPEC §7).
pub const SCOPES_DO_NOT_ADD_UP: &str =
    "each scope's own score uses only its resources; the scopes' scores do not add up to the overall one";

impl ControlExplained {
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

impl Explanation {
    /// The member recommendations a control's explanation lists; none for a
    /// recommendation's.
    pub fn member_recommendations(&self) -> &[RecommendationDetail] {
        match &self.subject {
            Subject::Control(c) => &c.recommendations,
            Subject::Recommendation(_) => &[],
        }
    }

    /// The unhealthy resources the subject's figures count (scopes scored from exported
    /// counts count some that `unhealthy` cannot list).
    pub fn unhealthy_resources(&self) -> u64 {
        match &self.subject {
            Subject::Control(c) => c.control.unhealthy_resources,
            Subject::Recommendation(r) => r.recommendation.row.unhealthy_resources,
        }
    }
}

impl RecommendationExplained {
    /// Its `v1` points and where they come from (`50, securescore's default for critical
    /// severity (…)`): its `points` input, or
    /// securescore's default for its severity, which Microsoft never published (SPEC §7).
    pub fn points_source(&self) -> Option<String> {
        let row = &self.recommendation.row;
        let points = compact(row.points?);
        Some(match (row.points_from, row.severity) {
            (Some("input"), _) => format!("{points}, from its points field"),
            (_, Some(severity)) => format!(
                "{points}, securescore's default for {severity} severity (Microsoft never published how severity maps to points; a points field overrides it)"
            ),
            (_, None) => format!(
                "{points}, securescore's default for a recommendation without a severity (Microsoft never published how severity maps to points; a points field overrides it)"
            ),
        })
    }

    /// Its arithmetic in the overall score, under `model`.
    pub fn arithmetic(&self, model: ScoringModel) -> String {
        let row = &self.recommendation.row;
        let counts = (
            row.healthy_resources,
            row.unhealthy_resources,
            row.not_applicable_resources,
        );
        let figures = Figures {
            counts,
            points: row.points.unwrap_or(0.0),
            current: row.current_score,
            potential: row.potential_increase,
            percentage: row.potential_increase_percentage,
        };
        figures.arithmetic(model, &self.score, "the overall score")
    }

    /// The overall score under `model`, in one sentence.
    pub fn total(&self, model: ScoringModel) -> String {
        self.score.in_words(model)
    }
}

impl ModelScore {
    /// The score in words: `103.333 of 160 points over 5 applicable recommendations =
    /// 64.58%` (`v1`) or `1 of 5 applicable recommendations pass = 20.00%` (`pass-rate`).
    pub fn in_words(&self, model: ScoringModel) -> String {
        let n = self.applicable_recommendations;
        let recs = if n == 1 {
            "recommendation"
        } else {
            "recommendations"
        };
        let pct = crate::text::percent(self.percentage);
        match model {
            ScoringModel::PassRate => {
                format!("{} of {n} applicable {recs} pass = {pct}", compact(self.current))
            }
            ScoringModel::V1 | ScoringModel::Classic => format!(
                "{} of {} points over {n} applicable {recs} = {pct}",
                compact(self.current),
                compact(self.max)
            ),
        }
    }
}

impl RecommendationInScope {
    /// Its arithmetic in the scope's own score, under `model`.
    pub fn arithmetic(&self, model: ScoringModel, points: f64) -> String {
        let figures = Figures {
            counts: (
                self.healthy_resources,
                self.unhealthy_resources,
                self.not_applicable_resources,
            ),
            points,
            current: self.current_score,
            potential: self.potential_increase,
            percentage: self.potential_increase_percentage,
        };
        figures.arithmetic(model, &self.score, "the scope's own score")
    }
}

/// A recommendation's figures in a score, for the sentence that shows their arithmetic.
struct Figures {
    /// Healthy, unhealthy, not applicable.
    counts: (u64, u64, u64),
    points: f64,
    current: f64,
    potential: f64,
    percentage: f64,
}

impl Figures {
    /// `1 healthy, 1 unhealthy (0 not applicable): current = 50 × 1 / (1 + 1) = 25;
    /// impact = 50 − 25 = 25; +Score = 100 × 25 / 160 = +15.63% of the overall score`
    /// (`v1`), or whether it passes and what fixing it adds (`pass-rate`).
    fn arithmetic(&self, model: ScoringModel, score: &ModelScore, of: &str) -> String {
        let (h, u, na) = self.counts;
        if h + u == 0 {
            return format!(
                "not applicable: no resource is healthy or unhealthy in it ({na} not applicable), so {}",
                match model {
                    ScoringModel::PassRate => "it neither passes nor fails",
                    ScoringModel::V1 | ScoringModel::Classic => "its points are not in the max",
                }
            );
        }
        match model {
            ScoringModel::PassRate if u == 0 => {
                format!("passes: {h} healthy, no unhealthy ({na} not applicable); nothing to gain")
            }
            ScoringModel::PassRate => {
                let passed = compact(score.current);
                let failed = compact(score.max - score.current);
                format!(
                    "fails: {h} healthy, {u} unhealthy ({na} not applicable); fixing it makes it pass: +Score = 100 / ({passed} passed + {failed} failed) = +{}% of {of}",
                    fmt2(self.percentage)
                )
            }
            ScoringModel::V1 | ScoringModel::Classic => {
                let p = compact(self.points);
                format!(
                    "{h} healthy, {u} unhealthy ({na} not applicable): current = {p} × {h} / ({h} + {u}) = {}; impact = {p} − {} = {}; +Score = 100 × {} / {} = +{}% of {of}",
                    compact(self.current),
                    compact(self.current),
                    compact(self.potential),
                    compact(self.potential),
                    compact(score.max),
                    fmt2(self.percentage)
                )
            }
        }
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
    let members = &model.controls[c].members;
    let counted: Vec<u32> = members
        .iter()
        .copied()
        .filter(|&m| is_counted(model, m as usize, options))
        .collect();
    let (unhealthy, exemptions) = resources_of(model, members, &counted, options, inputs.selection);
    Explanation {
        schema: SCHEMA,
        as_of: options.as_of.to_string(),
        weighting: options.weighting,
        weights: inputs.weights,
        model: options.model,
        overall_percentage: score.percentage,
        subject: Subject::Control(ControlExplained {
            control: inputs.control,
            scopes: scope_shares(model, c, score, options),
            recommendations,
        }),
        unhealthy,
        exemptions,
        exemptions_ignored: options.ignore_exemptions,
    }
}

/// What `explain` needs besides the model, for a recommendation.
pub struct RecommendationInputs<'a> {
    pub options: &'a ScoreOptions,
    pub selection: Option<&'a Selection>,
    /// A score under `v1` or `pass-rate` (with its recommendation rows).
    pub score: &'a Score,
    /// The recommendation's row in the report.
    pub row: RankedRecommendationOut,
    pub weights: WeightSource,
}

/// Explains recommendation `r` (an index into `model.recommendations`) under the model
/// of `inputs.score`, whose rows are recommendations.
pub fn explain_recommendation(model: &Model, r: usize, inputs: RecommendationInputs) -> Explanation {
    let options = inputs.options;
    let score = inputs.score;
    let rec = &model.recommendations[r];
    let counted: Vec<u32> = if is_counted(model, r, options) {
        vec![r as u32]
    } else {
        Vec::new()
    };
    let (unhealthy, exemptions) = resources_of(model, &[r as u32], &counted, options, inputs.selection);
    let control_names = inputs
        .row
        .controls
        .iter()
        .map(|id| {
            model
                .controls
                .iter()
                .find(|c| &c.id == id)
                .and_then(|c| c.name.clone())
        })
        .collect();
    let (overall, scopes) = match &score.by_recommendation {
        Some(rs) => (
            model_score(rs.headline, &rs.rows),
            recommendation_in_scopes(model, r, score, rs),
        ),
        None => (
            ModelScore {
                percentage: score.percentage,
                current: score.current.unwrap_or(0.0),
                max: score.max.unwrap_or(0.0),
                applicable_recommendations: 0,
            },
            Vec::new(),
        ),
    };
    Explanation {
        schema: SCHEMA,
        as_of: options.as_of.to_string(),
        weighting: options.weighting,
        weights: inputs.weights,
        model: options.model,
        overall_percentage: score.percentage,
        subject: Subject::Recommendation(RecommendationExplained {
            recommendation: RecommendationAsExplained {
                row: inputs.row,
                control_names,
                description: rec.description.clone(),
                remediation: rec.remediation.clone(),
            },
            score: overall,
            scopes,
        }),
        unhealthy,
        exemptions,
        exemptions_ignored: options.ignore_exemptions,
    }
}

/// A score's figures from its headline and rows.
fn model_score(headline: Headline, rows: &[RecommendationRow]) -> ModelScore {
    ModelScore {
        percentage: headline.percentage,
        current: headline.current,
        max: headline.max,
        applicable_recommendations: rows.iter().filter(|row| row.applicable).count() as u64,
    }
}

/// Recommendation `r`'s figures in each scope's own score, in the order of the score's
/// scopes.
fn recommendation_in_scopes(
    model: &Model,
    r: usize,
    score: &Score,
    rs: &RecommendationScore,
) -> Vec<RecommendationInScope> {
    rs.scopes
        .iter()
        .map(|sh| {
            let rows = rs.scope_rows(model, sh.scope);
            let mine = rows.iter().find(|row| row.recommendation as usize == r);
            let scope = model.scopes.get(sh.scope as usize);
            let weight = score
                .scopes
                .iter()
                .find(|s| s.scope == Some(sh.scope))
                .map_or(0, |s| s.weight);
            let counts = mine.map(|row| row.counts).unwrap_or_default();
            RecommendationInScope {
                id: scope.and_then(|sc| sc.id.clone()),
                name: scope.and_then(|sc| sc.name.clone()),
                weight,
                score: model_score(sh.headline, &rows),
                applicable: mine.is_some_and(|row| row.applicable),
                healthy_resources: counts.healthy,
                unhealthy_resources: counts.unhealthy,
                not_applicable_resources: counts.not_applicable,
                max_score: mine.map_or(0.0, |row| row.max),
                current_score: mine.map_or(0.0, |row| row.current),
                potential_increase: mine.map_or(0.0, |row| row.potential),
                potential_increase_percentage: mine.map_or(0.0, |row| {
                    crate::score::recommendations::plus_score(row, sh.headline.max)
                }),
            }
        })
        .collect()
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

/// The unhealthy resources of a control's `members` (or of one recommendation), failing
/// one of those `counted`, and the exemptions in effect on them, in the selection.
fn resources_of(
    model: &Model,
    members: &[u32],
    counted: &[u32],
    options: &ScoreOptions,
    selection: Option<&Selection>,
) -> (Vec<UnhealthyResource>, Vec<ExemptionInEffect>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// Two controls and three recommendations (the ids listed out of order, as inputs
    /// may); `unassessed` is defined but assessed nowhere.
    fn model() -> Model {
        let doc = serde_json::json!({
            "controls": [
                {"id": "c-mfa", "name": "Enable MFA", "max_score": 10, "recommendations": ["r-owner", "r-write"]},
                {"id": "c-ports", "name": "Secure ports", "max_score": 8, "recommendations": ["r-ports"]},
            ],
            "recommendations": [
                {"id": "r-write", "name": "MFA should be enabled for writers"},
                {"id": "r-owner", "name": "MFA should be enabled for owners"},
                {"id": "r-ports", "name": "Close management ports"},
                {"id": "unassessed", "name": "Unassessed ports"},
            ],
            "assessments": [
                {"resource": "vm1", "recommendation": "r-write", "status": "healthy"},
                {"resource": "vm1", "recommendation": "r-owner", "status": "unhealthy"},
                {"resource": "vm1", "recommendation": "r-ports", "status": "unhealthy"},
            ],
        });
        crate::load::model_of_text(&doc.to_string(), &Catalog::empty())
    }

    fn found(model: &Model, query: &str) -> Result<String, FindError> {
        find_recommendation(model, query).map(|f| match f {
            Found::Recommendation(r) => model.recommendations[r].id.clone(),
            Found::Control(c) => format!("control {}", model.controls[c].id),
        })
    }

    #[test]
    fn recommendations_are_found_as_controls_are() {
        let m = model();
        assert_eq!(found(&m, "r-ports"), Ok("r-ports".to_string()));
        assert_eq!(found(&m, "R-PORTS"), Ok("r-ports".to_string()));
        assert_eq!(found(&m, "close management"), Ok("r-ports".to_string()));
        assert_eq!(found(&m, "owners mfa"), Ok("r-owner".to_string()));
        // Several by words: listed by id, whatever the order of the inputs.
        assert_eq!(
            found(&m, "mfa"),
            Err(FindError::Ambiguous(vec![
                "MFA should be enabled for owners (r-owner)".to_string(),
                "MFA should be enabled for writers (r-write)".to_string(),
            ]))
        );
        // Only what the inputs assess: "ports" is then one recommendation's word.
        assert_eq!(found(&m, "ports"), Ok("r-ports".to_string()));
        assert_eq!(
            found(&m, "mfx"),
            Err(FindError::NotFound(vec![
                "\"MFA should be enabled for owners\" (r-owner)".to_string(),
                "\"MFA should be enabled for writers\" (r-write)".to_string(),
            ]))
        );
    }

    /// A control is told apart where it matches better than any recommendation: its id or
    /// exact name before a recommendation's words.
    #[test]
    fn a_control_matching_first_is_told_apart() {
        let m = model();
        assert_eq!(found(&m, "c-mfa"), Ok("control c-mfa".to_string()));
        assert_eq!(found(&m, "enable mfa"), Ok("control c-mfa".to_string()));
        assert_eq!(found(&m, "secure"), Ok("control c-ports".to_string()));
        // The recommendations' names hold "enabled", not "enable": the control's prefix.
        assert_eq!(found(&m, "Enable"), Ok("control c-mfa".to_string()));
        // Under classic a recommendation's id finds no control (the nearest is named).
        assert_eq!(
            find_control(&m, "r-ports"),
            Err(FindError::NotFound(
                vec!["\"Secure ports\" (c-ports)".to_string()]
            ))
        );
    }
}
