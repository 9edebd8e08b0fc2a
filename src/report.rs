//! The assessment report (SPEC §5): the serialisable result of `assess`, built from a
//! [`Score`] and the model. Renderers read only this.

use crate::diag::Diagnostic;
use crate::json_schema;
use crate::model::{Counts, Model, Severity};
use crate::score::recommendations::{self, RecommendationModel, RecommendationScore};
use crate::score::{rank, Overall, Score, ScoreOptions, ScoringModel, WeightSource, Weighting};
use crate::select::Filters;
use crate::text::fmt2;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

/// The report's schema identifier.
pub const SCHEMA: &str = "securescore.report/v1";

/// The whole report of one `assess` run.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct Report {
    #[schemars(schema_with = "schema_id")]
    pub schema: &'static str,
    #[schemars(schema_with = "generator_name")]
    pub generator: String,
    /// The date exemptions were judged on.
    #[schemars(schema_with = "json_schema::date")]
    pub as_of: String,
    pub weighting: Weighting,
    pub weights: WeightSource,
    /// The scoring model (SPEC §7).
    pub model: ScoringModel,
    pub filters: FiltersOut,
    pub score: ScoreOut,
    pub scopes: Vec<ScopeOut>,
    /// The ranked controls, under a model whose rows are controls (`classic`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub controls: Option<Vec<ControlOut>>,
    /// The ranked recommendations, under a model whose rows are recommendations (`v1`,
    /// `pass-rate`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Vec<RankedRecommendationOut>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<GateOut>,
    /// With `--group-by`: each group's score, lowest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<GroupOut>>,
    /// The configuration file the run read (SPEC §9), when it read one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    /// The configuration's local exemptions in effect (active on `as_of`), in the file's
    /// order; present when the configuration has any and exemptions are not ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub local_exemptions: Option<Vec<LocalExemptionOut>>,
    pub warnings: Vec<WarningOut>,
}

/// A local exemption in effect (SPEC §9).
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct LocalExemptionOut {
    /// Its number among the configuration's `[[exemptions]]`, from 1.
    #[schemars(range(min = 1))]
    pub entry: usize,
    /// The line its entry starts on.
    #[schemars(range(min = 1))]
    pub line: usize,
    /// The recommendation's id, or `*` for every one.
    #[schemars(schema_with = "json_schema::id")]
    pub recommendation: String,
    /// The resource id, or a path prefix followed by `/*`, as written.
    #[schemars(schema_with = "json_schema::id")]
    pub resource: String,
    #[schemars(schema_with = "crate::model::ExemptionCategory::written_schema")]
    pub category: &'static str,
    /// The last day (UTC) it applies.
    #[schemars(schema_with = "json_schema::date")]
    pub expires: String,
    pub reason: String,
    /// The assessments of the inputs whose exemption it is (all of them, whatever the
    /// filters select).
    pub assessments: u64,
}

impl Report {
    /// The ranked controls; none under a model whose rows are recommendations.
    pub fn control_rows(&self) -> &[ControlOut] {
        self.controls.as_deref().unwrap_or_default()
    }

    /// The ranked recommendations; none under a model whose rows are controls.
    pub fn recommendation_rows(&self) -> &[RankedRecommendationOut] {
        self.recommendations.as_deref().unwrap_or_default()
    }
}

/// The local exemptions of `entries` in effect on `as_of`, with the assessments each
/// decides (`uses`).
pub fn local_exemption_rows(
    entries: &[crate::config::LocalExemption],
    uses: &crate::local_exemptions::Uses,
    as_of: crate::date::Date,
) -> Vec<LocalExemptionOut> {
    entries
        .iter()
        .enumerate()
        .filter(|(_, e)| crate::local_exemptions::is_active(e, as_of))
        .map(|(i, e)| LocalExemptionOut {
            entry: e.entry,
            line: e.line,
            recommendation: e.recommendation.clone().unwrap_or_else(|| "*".to_string()),
            resource: e.resource_text.clone(),
            category: e.category.as_str(),
            expires: e.expires.to_string(),
            reason: e.reason.clone(),
            assessments: uses.decided.get(i).copied().unwrap_or(0),
        })
        .collect()
}

/// One group's score (`--group-by`).
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct GroupOut {
    pub by: String,
    /// The group's key; `None` for the resources without one.
    pub id: Option<String>,
    pub score: ScoreOut,
}

/// The filters the report was computed under.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct FiltersOut {
    pub scope: Vec<String>,
    pub management_group: Vec<String>,
    pub include_preview: bool,
    pub ignore_exemptions: bool,
}

/// The overall score.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct ScoreOut {
    pub percentage: Option<f64>,
    pub current: Option<f64>,
    pub max: Option<f64>,
    /// The percentage with every exemption ignored.
    pub raw_percentage: Option<f64>,
    pub resources: u64,
    pub scopes: usize,
}

impl ScoreOut {
    /// The overall figures of a score.
    pub fn new(score: &Score, raw_percentage: Option<f64>) -> ScoreOut {
        ScoreOut::of(&score.overall(), raw_percentage)
    }

    /// The overall figures of a score, given alone (a group's).
    pub fn of(overall: &Overall, raw_percentage: Option<f64>) -> ScoreOut {
        ScoreOut {
            percentage: overall.percentage,
            current: overall.current,
            max: overall.max,
            raw_percentage,
            resources: overall.resources,
            scopes: overall.defined_scopes,
        }
    }
}

/// The report's `schema`: [`SCHEMA`].
fn schema_id(_: &mut SchemaGenerator) -> Schema {
    json_schema::constant(SCHEMA)
}

/// The program and its version, as [`build`] names it (`securescore 0.1.0`).
fn generator_name(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "string", "pattern": "^securescore [0-9]"})
}

/// A recommendation's severity as reports write it, or null when none is known.
fn severity(_: &mut SchemaGenerator) -> Schema {
    json_schema::or_null(schemars::json_schema!({"type": "string", "enum": Severity::NAMES}))
}

/// Groups listed lowest percentage first, undefined last, ties by id (the group without
/// a key last among them).
pub fn sort_groups(groups: &mut [GroupOut]) {
    groups.sort_by(|a, b| {
        let pct = |g: &GroupOut| g.score.percentage.map(crate::text::nano_units);
        match (pct(a), pct(b)) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
        .then_with(|| match (&a.id, &b.id) {
            (Some(x), Some(y)) => x.cmp(y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        })
    });
}

/// One scope's score.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct ScopeOut {
    pub id: Option<String>,
    pub name: Option<String>,
    pub percentage: Option<f64>,
    pub current: f64,
    pub max: f64,
    pub weight: u64,
}

/// One control's row.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct ControlOut {
    pub rank: Option<usize>,
    pub id: String,
    pub name: Option<String>,
    pub applicable: bool,
    pub max_score: f64,
    pub current_score: f64,
    pub potential_increase: f64,
    pub potential_increase_percentage: f64,
    pub points_per_resource: Option<f64>,
    pub healthy_resources: u64,
    pub unhealthy_resources: u64,
    pub not_applicable_resources: u64,
    pub members: usize,
    pub recommendations: Vec<RecommendationOut>,
}

/// One recommendation's row under a model whose rows are recommendations (SPEC §7): the
/// fields of a control's row that keep a meaning, with its severity, `v1` points and the
/// controls it belongs to.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct RankedRecommendationOut {
    pub rank: Option<usize>,
    pub id: String,
    pub name: Option<String>,
    #[schemars(schema_with = "severity")]
    pub severity: Option<&'static str>,
    pub preview: bool,
    pub custom: bool,
    pub applicable: bool,
    /// `v1`: its points when it applies, else 0; `pass-rate`: 1 when it applies.
    pub max_score: f64,
    pub current_score: f64,
    pub potential_increase: f64,
    pub potential_increase_percentage: f64,
    /// `v1`: points per assessed resource, when it applies.
    pub points_per_resource: Option<f64>,
    /// `v1`: its points, whether or not it applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub points: Option<f64>,
    /// `v1`: where its points come from: `input` (a `points` field) or `severity`
    /// (securescore's default for its severity; Microsoft never published the mapping).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "points_from")]
    pub points_from: Option<&'static str>,
    pub healthy_resources: u64,
    pub unhealthy_resources: u64,
    pub not_applicable_resources: u64,
    /// The ids of the controls that hold it, by id.
    pub controls: Vec<String>,
    /// The names of the same controls (each its id when it has none), by name: what the
    /// human-readable formats show (Azure's control ids are GUIDs). Not in the JSON,
    /// which names controls by id.
    #[serde(skip)]
    #[schemars(skip)]
    pub control_names: Vec<String>,
}

/// Where a recommendation's `v1` points come from.
fn points_from(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"type": "string", "enum": ["input", "severity"]})
}

/// A member recommendation assessed in the selection.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct RecommendationOut {
    pub id: String,
    pub name: Option<String>,
    #[schemars(schema_with = "severity")]
    pub severity: Option<&'static str>,
    pub preview: bool,
    pub custom: bool,
    pub healthy_resources: u64,
    pub unhealthy_resources: u64,
    pub not_applicable_resources: u64,
}

/// The gates' verdict (SPEC §9): passed when every rule passed, and each rule's verdict.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct GateOut {
    /// The `fail-under` limit, when that rule is set (as reports before the other rules
    /// had it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_under: Option<f64>,
    pub passed: bool,
    pub rules: Vec<GateRuleOut>,
}

/// One gate rule's verdict.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct GateRuleOut {
    /// `fail-under`, `max-drop`, `controls.ID` or `unhealthy.SEVERITY`.
    pub rule: String,
    pub limit: f64,
    /// The figure held against the limit; `null` when undefined.
    pub actual: Option<f64>,
    pub passed: bool,
    /// The verdict in one sentence: on failure, its gate line's text on standard error.
    pub message: String,
}

impl GateRuleOut {
    /// The rule and its limit as a reader knows them: `fail-under 70.00`,
    /// `max-drop 2.00`, `controls.ID ≥ 80.00%`, `unhealthy.critical ≤ 0` (the rule's
    /// name, whether the command line or a config file set it).
    pub fn label(&self) -> String {
        let limit = fmt2(self.limit);
        match self.rule.as_str() {
            "fail-under" | "max-drop" => format!("{} {limit}", self.rule),
            r if r.starts_with("controls.") => format!("{r} ≥ {limit}%"),
            r => format!("{r} ≤ {}", self.limit),
        }
    }
}

impl GateOut {
    /// The report's view of the verdicts of every rule checked.
    pub fn new(verdicts: &[crate::gate::Verdict]) -> GateOut {
        GateOut {
            fail_under: verdicts
                .iter()
                .find(|v| v.rule == crate::gate::Rule::FailUnder)
                .map(|v| v.limit),
            passed: verdicts.iter().all(|v| v.passed),
            rules: verdicts
                .iter()
                .map(|v| GateRuleOut {
                    rule: v.rule.name(),
                    limit: v.limit,
                    actual: v.actual,
                    passed: v.passed,
                    message: v.message.clone(),
                })
                .collect(),
        }
    }
}

/// A warning, as scripts see it.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct WarningOut {
    #[schemars(schema_with = "json_schema::code")]
    pub code: &'static str,
    pub message: String,
    pub file: Option<String>,
    pub path: Option<String>,
}

impl From<&Diagnostic> for WarningOut {
    fn from(d: &Diagnostic) -> WarningOut {
        let path = match (&d.path, d.line) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(line)) => Some(format!("line {line}")),
            _ => None,
        };
        WarningOut {
            code: d.code,
            message: d.message.clone(),
            file: d.file.clone(),
            path,
        }
    }
}

/// Everything a report is built from besides the score.
pub struct ReportInputs<'a> {
    pub model: &'a Model,
    pub options: &'a ScoreOptions,
    pub filters: &'a Filters,
    pub raw_percentage: Option<f64>,
    pub warnings: Vec<WarningOut>,
    pub gate: Option<GateOut>,
    pub groups: Option<Vec<GroupOut>>,
    pub config: Option<String>,
    pub local_exemptions: Option<Vec<LocalExemptionOut>>,
}

/// Builds the report of a score, whole: nothing is added to it afterwards.
pub fn build(score: &Score, inputs: ReportInputs) -> Report {
    let model = inputs.model;
    Report {
        schema: SCHEMA,
        generator: format!("securescore {}", env!("CARGO_PKG_VERSION")),
        as_of: inputs.options.as_of.to_string(),
        weighting: inputs.options.weighting,
        weights: score.weights,
        model: inputs.options.model,
        filters: FiltersOut {
            scope: inputs.filters.scopes.clone(),
            management_group: inputs.filters.management_groups.clone(),
            include_preview: inputs.options.include_preview,
            ignore_exemptions: inputs.options.ignore_exemptions,
        },
        score: ScoreOut::new(score, inputs.raw_percentage),
        scopes: scope_rows(model, score),
        controls: score
            .by_recommendation
            .is_none()
            .then(|| control_rows(model, score)),
        recommendations: score
            .by_recommendation
            .as_ref()
            .map(|rs| ranked_recommendation_rows(model, rs)),
        gate: inputs.gate,
        groups: inputs.groups,
        config: inputs.config,
        local_exemptions: inputs.local_exemptions,
        warnings: inputs.warnings,
    }
}

/// One row per scope met, in model order.
fn scope_rows(model: &Model, score: &Score) -> Vec<ScopeOut> {
    score
        .scopes
        .iter()
        .map(|s| {
            let scope = s.scope.and_then(|i| model.scopes.get(i as usize));
            ScopeOut {
                id: scope.and_then(|sc| sc.id.clone()),
                name: scope.and_then(|sc| sc.name.clone()),
                percentage: s.percentage,
                current: s.current,
                max: s.max,
                weight: s.weight,
            }
        })
        .collect()
}

/// One row per control, in the triage order (SPEC §1.2).
fn control_rows(model: &Model, score: &Score) -> Vec<ControlOut> {
    rank(model, score)
        .into_iter()
        .map(|(rank, i)| {
            let cs = &score.controls[i];
            let control = &model.controls[cs.control as usize];
            ControlOut {
                rank,
                id: control.id.clone(),
                name: control.name.clone(),
                applicable: cs.applicable,
                max_score: cs.max_score,
                current_score: cs.current,
                potential_increase: cs.potential,
                potential_increase_percentage: cs.potential_percentage,
                points_per_resource: cs.points_per_resource,
                healthy_resources: cs.counts.healthy,
                unhealthy_resources: cs.counts.unhealthy,
                not_applicable_resources: cs.counts.not_applicable,
                members: control.members.len(),
                recommendations: recommendation_rows(model, score, &control.members),
            }
        })
        .collect()
}

/// One row per counted recommendation, in the triage order of SPEC §7.
fn ranked_recommendation_rows(model: &Model, rs: &RecommendationScore) -> Vec<RankedRecommendationOut> {
    let v1 = rs.model == RecommendationModel::V1;
    recommendations::rank(model, rs)
        .into_iter()
        .map(|(rank, i)| {
            let row = &rs.rows[i];
            let r = row.recommendation as usize;
            let rec = &model.recommendations[r];
            let mut held: Vec<&crate::model::Control> = model
                .controls_of(r)
                .iter()
                .map(|&c| &model.controls[c as usize])
                .collect();
            held.sort_by(|a, b| a.id.cmp(&b.id));
            let controls = held.iter().map(|c| c.id.clone()).collect();
            let mut control_names: Vec<String> = held.iter().map(|c| c.display_name().to_string()).collect();
            control_names.sort();
            RankedRecommendationOut {
                rank,
                id: rec.id.clone(),
                name: rec.name.clone(),
                severity: rec.severity.map(|s| s.as_str()),
                preview: rec.preview,
                custom: rec.custom,
                applicable: row.applicable,
                max_score: row.max,
                current_score: row.current,
                potential_increase: row.potential,
                potential_increase_percentage: row.potential_percentage,
                points_per_resource: if v1 {
                    crate::score::kernel::points_per_resource(row.points, row.counts)
                } else {
                    None
                },
                points: v1.then_some(row.points),
                points_from: v1.then_some(if rec.points.is_some() { "input" } else { "severity" }),
                healthy_resources: row.counts.healthy,
                unhealthy_resources: row.counts.unhealthy,
                not_applicable_resources: row.counts.not_applicable,
                controls,
                control_names,
            }
        })
        .collect()
}

/// The members of a control assessed in the selection (index and counts), most
/// unhealthy resources first, ties by id.
pub fn assessed_members(model: &Model, score: &Score, members: &[u32]) -> Vec<(usize, Counts)> {
    let mut out: Vec<(usize, Counts)> = members
        .iter()
        .map(|&m| (m as usize, score.recommendations[m as usize]))
        .filter(|(_, counts)| counts.applicable() + counts.not_applicable > 0)
        .collect();
    out.sort_by(|(a, x), (b, y)| {
        y.unhealthy
            .cmp(&x.unhealthy)
            .then_with(|| model.recommendations[*a].id.cmp(&model.recommendations[*b].id))
    });
    out
}

/// The member recommendations assessed in the selection, most unhealthy first.
fn recommendation_rows(model: &Model, score: &Score, members: &[u32]) -> Vec<RecommendationOut> {
    assessed_members(model, score, members)
        .into_iter()
        .map(|(m, counts)| {
            let rec = &model.recommendations[m];
            RecommendationOut {
                id: rec.id.clone(),
                name: rec.name.clone(),
                severity: rec.severity.map(|s| s.as_str()),
                preview: rec.preview,
                custom: rec.custom,
                healthy_resources: counts.healthy,
                unhealthy_resources: counts.unhealthy,
                not_applicable_resources: counts.not_applicable,
            }
        })
        .collect()
}

/// What `--baseline` reads of a report written by `assess -f json`: lenient, so reports of
/// older and newer versions (more fields) still read.
#[derive(serde::Deserialize)]
struct EarlierReport {
    schema: String,
    /// Absent in reports written before models: `classic`.
    #[serde(default)]
    model: Option<String>,
    score: EarlierScore,
    #[serde(default)]
    warnings: Vec<EarlierWarning>,
}

#[derive(serde::Deserialize)]
struct EarlierScore {
    percentage: Option<f64>,
}

#[derive(serde::Deserialize)]
struct EarlierWarning {
    code: String,
}

/// The score of an earlier JSON report (`assess --baseline REPORT.json`), for
/// `max-drop`; refused past `limit` bytes (`--max-input-size`). An error names the file
/// and, for a value it cannot read, its line and column or field.
///
/// A report of another scoring model than `model` (one without `model` is `classic`) is
/// refused with a usage error naming both: a drop is measured within one model.
pub fn read_baseline(
    path: &std::path::Path,
    limit: u64,
    model: ScoringModel,
) -> anyhow::Result<crate::gate::Baseline> {
    use std::io::Read;
    let cannot = |e: &dyn std::fmt::Display| {
        anyhow::anyhow!("cannot read the baseline report {}: {e}", path.display())
    };
    let file = std::fs::File::open(path).map_err(|e| cannot(&e))?;
    let size = file.metadata().map_err(|e| cannot(&e))?.len();
    if size > limit {
        return Err(cannot(&crate::load::source::TooLarge::Whole { size, limit }));
    }
    let mut text = String::new();
    crate::load::source::Limited::new(file, limit)
        .read_to_string(&mut text)
        .map_err(|e| cannot(&e))?;
    let not_a_report = |why: &dyn std::fmt::Display| {
        anyhow::anyhow!(
            "{} is not a JSON report written by assess -f json: {why}",
            path.display()
        )
    };
    #[derive(serde::Deserialize)]
    struct Schema {
        schema: String,
    }
    // `assess --model all` writes one report per model: name the one to give instead.
    if let Ok(s) = serde_json::from_str::<Schema>(&text) {
        if s.schema == crate::side_by_side::SCHEMA {
            return Err(not_a_report(&format!(
                "it holds one report per model (assess --model all); give the report of the model \
                 this run scores with ({model}), written by assess --model {model} -f json"
            )));
        }
    }
    let earlier: EarlierReport = serde_json::from_str(&text).map_err(|e| not_a_report(&e))?;
    if earlier.schema != SCHEMA && !earlier.schema.starts_with(&format!("{SCHEMA}.")) {
        return Err(not_a_report(&format!(
            "its schema is {:?}, not {SCHEMA}",
            earlier.schema
        )));
    }
    if earlier
        .score
        .percentage
        .is_some_and(|p| !(0.0..=100.0).contains(&p))
    {
        return Err(not_a_report(&"score.percentage is not from 0 to 100"));
    }
    let earlier_model = earlier.model.as_deref().unwrap_or(ScoringModel::Classic.as_str());
    if earlier_model != model.as_str() {
        return Err(crate::UsageError(format!(
            "the baseline report {} was scored with the {earlier_model} model and this run with {model}: \
             max-drop compares scores of one model; give a baseline written with --model {model}, \
             or score this run with --model {earlier_model}",
            path.display()
        ))
        .into());
    }
    Ok(crate::gate::Baseline {
        percentage: earlier.score.percentage,
        source: format!("the baseline report {}", path.display()),
        incomplete: earlier.warnings.iter().any(|w| w.code == "incomplete-export"),
    })
}
