//! `securescore query` (SPEC §10): the query that makes an engine count the assessments
//! where they live, so that only counts rows come back for `assess` to score.
//!
//! A [`QueryRequest`] is what the query must compute, free of any engine: the source
//! and table it reads, the scoring options it honours (model, preview, exemptions and
//! their date, filters, group-by) and the literal tables it embeds (control membership
//! and maxima, the recommendation facts a source does not carry per row), built from the
//! loaded definitions. [`QueryRequest::new`] refuses, as usage errors, the options a
//! source cannot honour. [`write()`] hands the request to the engine's writer: `sql` for
//! Spark and DuckDB, `kql` for Resource Graph and Log Analytics.

pub mod kql;
pub mod sql;

use crate::date::Date;
use crate::evaluation::ScoringRequest;
use crate::groups::GroupBy;
use crate::ids::azure_id_body;
use crate::model::Model;
use crate::outcome::UsageError;
use crate::score::ScoringModel;
use std::io::Write;

/// The engine a query is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// Azure Resource Graph: KQL over `securityresources`.
    ResourceGraph,
    /// Log Analytics: KQL over `SecurityRecommendation` (continuous export).
    LogAnalytics,
    /// Apache Spark SQL.
    Spark,
    /// DuckDB SQL.
    DuckDb,
}

impl Engine {
    /// The engine's name as `--engine` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::ResourceGraph => "resource-graph",
            Engine::LogAnalytics => "log-analytics",
            Engine::Spark => "spark",
            Engine::DuckDb => "duckdb",
        }
    }

    /// True for the SQL engines, which read a table the user names (`--source`,
    /// `--table`).
    pub fn is_sql(self) -> bool {
        matches!(self, Engine::Spark | Engine::DuckDb)
    }
}

/// What the table a query reads holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Native assessments (SPEC §2): columns `resource`, `recommendation`, `status`,
    /// `exemption` (a struct of `category`, `expires`). A SQL engine's default.
    Native,
    /// Resource Graph's `securityresources` rows (`id`, `type`, `subscriptionId`,
    /// `properties`); only `microsoft.security/assessments` rows are read. The
    /// resource-graph engine's source, and `--source resource-graph` of a SQL engine.
    ResourceGraph,
    /// Log Analytics' `SecurityRecommendation` table (continuous export); the
    /// log-analytics engine's source.
    LogAnalytics,
}

impl Source {
    /// The source's name in messages (`--source` spells the SQL ones so).
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Native => "native",
            Source::ResourceGraph => "resource-graph",
            Source::LogAnalytics => "log-analytics",
        }
    }

    /// True when the source carries an exemption's expiry, so `--as-of` can be honoured.
    pub fn has_exemption_expiry(self) -> bool {
        self == Source::Native
    }
}

/// The table a SQL query reads when `--table` is not given.
pub const DEFAULT_TABLE: &str = "assessments";

/// `--group-by` as a query honours it: every key partitions the resources, so a scope's
/// counts are the sums of its groups'.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueryGroupBy {
    /// The group is the scope (its id as the counts rows' `scope` spells it).
    Subscription,
    /// `/subscriptions/<sub>/resourcegroups/<name>`, lower-cased (`ids::resource_group_of`);
    /// null for an id without one.
    ResourceGroup,
    /// The resource type of the id (`ids::type_of_id`), the smallest spelling of the
    /// group's types compared case-folded; null for an id without one.
    Type,
}

impl QueryGroupBy {
    /// The key as `--group-by` spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            QueryGroupBy::Subscription => "subscription",
            QueryGroupBy::ResourceGroup => "resource-group",
            QueryGroupBy::Type => "type",
        }
    }
}

/// One `--scope` filter, as the query applies it to each resource id (SPEC §1.3; the
/// rule of `select.rs`, for resources known only by their assessments).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScopeFilter {
    /// A bare value (no `/`; a subscription's display name is replaced by its id): keeps
    /// the resource whose id is exactly `exact`, and every resource whose scope's key
    /// (its id lower-cased) or whose id's subscription (`ids::subscription_of`),
    /// lower-cased, is `key`.
    Bare { exact: String, key: String },
    /// An Azure path: keeps the resources whose Azure id body (without the leading `/`,
    /// lower-cased) is `body` or starts with `body` followed by `/`. `body` has no
    /// leading or trailing `/` and is lower-case.
    AzurePath { body: String },
    /// Any other path (not an Azure id): keeps the resources whose id, compared exactly,
    /// is `prefix` or starts with `prefix` followed by `/`. `prefix` has no trailing `/`.
    OtherPath { prefix: String },
}

impl ScopeFilter {
    /// The filter a `--scope` value means.
    pub fn new(value: &str) -> ScopeFilter {
        if !value.contains('/') {
            return ScopeFilter::Bare {
                exact: value.to_string(),
                key: value.to_lowercase(),
            };
        }
        match azure_id_body(value) {
            Some(body) => ScopeFilter::AzurePath {
                body: body.trim_end_matches('/').to_lowercase(),
            },
            None => ScopeFilter::OtherPath {
                prefix: value.trim_end_matches('/').to_string(),
            },
        }
    }
}

/// One row of the control table: recommendation `recommendation` is a member of control
/// `control`, worth `max` points.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlMember {
    pub control: String,
    pub recommendation: String,
    pub max: f64,
}

/// What the definitions say of a recommendation that changes whether it counts: only
/// recommendations that are preview or custom are listed (every other one counts).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecommendationFacts {
    pub recommendation: String,
    pub preview: bool,
    pub custom: bool,
}

/// What a query must compute: everything an engine's writer needs, and nothing of the
/// command line.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryRequest {
    /// `--engine`.
    pub engine: Engine,
    /// What the engine reads: `--source` for the SQL engines (default native), the
    /// engine's own table for the KQL ones.
    pub source: Source,
    /// The table or view a SQL engine reads (`--table`, default `assessments`): one or
    /// more identifiers of letters, digits and `_` joined by `.`. The KQL engines' is
    /// their source's own table (this field then holds [`DEFAULT_TABLE`], unused).
    pub table: String,
    /// `--model`: classic counts per control (control rows and weight rows); v1 and
    /// pass-rate per recommendation (recommendation rows only).
    pub model: ScoringModel,
    /// `--include-preview`: preview recommendations count.
    pub include_preview: bool,
    /// `--ignore-exemptions`: raw statuses count.
    pub ignore_exemptions: bool,
    /// The evaluation date exemptions are judged on (`--as-of`, else today in UTC),
    /// inclusive: an exemption that expires on it is active.
    pub as_of: Date,
    /// True when `--as-of` was given (on the command line or in `[defaults]`).
    pub as_of_given: bool,
    /// `--scope`, each value a filter; a union. Empty: no filter.
    pub scopes: Vec<ScopeFilter>,
    /// `--management-group`: the subscriptions (lower-cased ids, sorted) whose chain holds
    /// one of the groups; a resource is kept when its scope is one of them. `None`: no
    /// filter. Intersected with `scopes`.
    pub subscriptions: Option<Vec<String>>,
    /// `--group-by`: every row then carries a `group` column.
    pub group_by: Option<QueryGroupBy>,
    /// The control table: one row per (control, member recommendation), sorted by
    /// control then recommendation (the model's controls: the inputs', else the
    /// catalog's). Used by classic; v1 and pass-rate need no membership.
    pub controls: Vec<ControlMember>,
    /// The recommendations that are preview or custom, sorted by id: the native source
    /// carries no such fact per row (Azure sources carry them in each row's metadata,
    /// and this table adds to it).
    pub recommendations: Vec<RecommendationFacts>,
}

impl QueryRequest {
    /// The request for `engine` under `scoring`, over the definitions of `model`.
    /// `source` and `table` are the `--source` and `--table` given (SQL engines only);
    /// `group_by` the `--group-by`. A usage error names what the engine or its source
    /// cannot honour.
    pub fn new(
        engine: Engine,
        source: Option<Source>,
        table: Option<&str>,
        scoring: &ScoringRequest,
        group_by: Option<&GroupBy>,
        model: &Model,
    ) -> Result<QueryRequest, UsageError> {
        let source = source_of(engine, source, table)?;
        let table = match table {
            Some(t) => checked_table(t)?,
            None => DEFAULT_TABLE.to_string(),
        };
        if scoring.as_of.is_some() && !source.has_exemption_expiry() {
            return Err(UsageError(format!(
                "--as-of cannot be honoured by the {} source: it carries no exemption expiry \
                 (Azure shows only exemptions in force); leave --as-of out to count them as they stand",
                source.as_str()
            )));
        }
        let group_by = group_by.map(query_group_by).transpose()?;
        let filters = crate::select::resolve_names(model, &scoring.filters).map_err(UsageError)?;
        let scopes = filters
            .scopes
            .iter()
            .map(|s| {
                checked_scope(s)?;
                Ok(ScopeFilter::new(&subscription_named(model, s)?))
            })
            .collect::<Result<Vec<_>, UsageError>>()?;
        let subscriptions = management_group_subscriptions(model, &filters)?;
        Ok(QueryRequest {
            engine,
            source,
            table,
            model: scoring.model,
            include_preview: scoring.include_preview,
            ignore_exemptions: scoring.ignore_exemptions,
            as_of: scoring.as_of(),
            as_of_given: scoring.as_of.is_some(),
            scopes,
            subscriptions,
            group_by,
            controls: control_table(model),
            recommendations: recommendation_facts(model),
        })
    }
}

/// The source `engine` reads: `--source` (and `--table`) for a SQL engine, refused for a
/// KQL engine, which reads its own table.
fn source_of(engine: Engine, source: Option<Source>, table: Option<&str>) -> Result<Source, UsageError> {
    if engine.is_sql() {
        return Ok(source.unwrap_or(Source::Native));
    }
    let refuse = |option: &str| {
        Err(UsageError(format!(
            "{option} applies to --engine spark and duckdb only: --engine {} reads its own table",
            engine.as_str()
        )))
    };
    if source.is_some() {
        return refuse("--source");
    }
    if table.is_some() {
        return refuse("--table");
    }
    Ok(match engine {
        Engine::LogAnalytics => Source::LogAnalytics,
        _ => Source::ResourceGraph,
    })
}

/// `--table`: identifiers of ASCII letters, digits and `_` (not starting with a digit),
/// joined by `.` (`lake.security.assessments`), written into the query as they are.
fn checked_table(table: &str) -> Result<String, UsageError> {
    let identifier = |part: &str| {
        part.bytes().next().is_some_and(|b| !b.is_ascii_digit())
            && part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    if table.split('.').all(identifier) {
        Ok(table.to_string())
    } else {
        Err(UsageError(format!(
            "--table {table:?} is not a table name: identifiers of letters, digits and _ joined by . \
             (create a view with a plain name for anything else)"
        )))
    }
}

/// `--group-by` as the query honours it: the keys every source carries per row.
fn query_group_by(by: &GroupBy) -> Result<QueryGroupBy, UsageError> {
    match by {
        GroupBy::Subscription => Ok(QueryGroupBy::Subscription),
        GroupBy::ResourceGroup => Ok(QueryGroupBy::ResourceGroup),
        GroupBy::Type => Ok(QueryGroupBy::Type),
        GroupBy::ManagementGroup | GroupBy::Tag(_) => Err(UsageError(format!(
            "--group-by {} cannot be honoured by a query: no source table carries {} per assessment; \
             group by subscription, resource-group or type, or score the assessments with assess",
            by.name(),
            if *by == GroupBy::ManagementGroup {
                "the management-group chain"
            } else {
                "the resources' tags"
            }
        ))),
    }
}

/// A `--scope` value a query can honour: a management group's path is above the
/// subscriptions, which `--management-group` selects.
fn checked_scope(value: &str) -> Result<(), UsageError> {
    let body = azure_id_body(value).map(str::to_ascii_lowercase);
    if body.is_some_and(|b| b.starts_with("providers/microsoft.management/managementgroups")) {
        return Err(UsageError(format!(
            "--scope {value}: a query filters at subscription level or below; select a management group \
             with --management-group NAME (and subscriptions that name it in the inputs)"
        )));
    }
    Ok(())
}

/// The subscriptions `--management-group` keeps (lower-cased ids, sorted), from the
/// inputs' subscription definitions; `None` without the option. An unknown group, or no
/// input that defines management groups, is the usage error `select` gives.
fn management_group_subscriptions(
    model: &Model,
    filters: &crate::select::Filters,
) -> Result<Option<Vec<String>>, UsageError> {
    if filters.management_groups.is_empty() {
        return Ok(None);
    }
    let groups_only = crate::select::Filters {
        scopes: Vec::new(),
        management_groups: filters.management_groups.clone(),
    };
    // Checks the names as `assess` does.
    crate::select::select(model, &groups_only).map_err(UsageError)?;
    let wanted: Vec<String> = filters
        .management_groups
        .iter()
        .map(|g| g.to_lowercase())
        .collect();
    let mut keys: Vec<String> = model
        .subscriptions
        .iter()
        .filter(|s| {
            s.management_groups
                .iter()
                .any(|m| wanted.contains(&m.to_lowercase()))
        })
        .map(|s| crate::ids::scope_key(&s.id))
        .collect();
    keys.sort();
    keys.dedup();
    Ok(Some(keys))
}

/// A `--scope` value with no `/` that names a defined subscription by its display name
/// (case-insensitive) and is no subscription's id, replaced by that subscription's id,
/// as `assess` reads it; a name several subscriptions share is a usage error.
fn subscription_named(model: &Model, value: &str) -> Result<String, UsageError> {
    let folded = value.to_lowercase();
    if value.contains('/') || model.subscriptions.iter().any(|s| s.id.to_lowercase() == folded) {
        return Ok(value.to_string());
    }
    let named: Vec<&crate::model::Subscription> = model
        .subscriptions
        .iter()
        .filter(|s| s.name.as_ref().is_some_and(|n| n.to_lowercase() == folded))
        .collect();
    match named.as_slice() {
        [] => Ok(value.to_string()),
        [one] => Ok(one.id.clone()),
        many => Err(UsageError(format!(
            "--scope {value:?} is the name of several subscriptions: {}; give the id of one",
            many.iter()
                .map(|s| crate::text::name_and_id(s.name.as_deref(), &s.id))
                .collect::<Vec<_>>()
                .join("; ")
        ))),
    }
}

/// The control table of `model`: one row per (control, member), sorted.
fn control_table(model: &Model) -> Vec<ControlMember> {
    let mut rows: Vec<ControlMember> = model
        .controls
        .iter()
        .flat_map(|c| {
            c.members.iter().filter_map(|&r| {
                model.recommendations.get(r as usize).map(|rec| ControlMember {
                    control: c.id.clone(),
                    recommendation: rec.id.clone(),
                    max: c.max_score,
                })
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        (a.control.as_str(), a.recommendation.as_str()).cmp(&(b.control.as_str(), b.recommendation.as_str()))
    });
    rows.dedup();
    rows
}

/// The preview and custom recommendations of `model`, sorted by id.
fn recommendation_facts(model: &Model) -> Vec<RecommendationFacts> {
    let mut rows: Vec<RecommendationFacts> = model
        .recommendations
        .iter()
        .filter(|r| r.preview || r.custom)
        .map(|r| RecommendationFacts {
            recommendation: r.id.clone(),
            preview: r.preview,
            custom: r.custom,
        })
        .collect();
    rows.sort_by(|a, b| a.recommendation.cmp(&b.recommendation));
    rows.dedup();
    rows
}

/// Writes the query `request` asks for, ending with a newline.
pub fn write(request: &QueryRequest, out: &mut dyn Write) -> anyhow::Result<()> {
    match request.engine {
        Engine::Spark | Engine::DuckDb => sql::write(request, out),
        Engine::ResourceGraph | Engine::LogAnalytics => kql::write(request, out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::diag::Diagnostics;
    use crate::load::source::InputSpec;
    use crate::load::{load, LoadOptions};
    use crate::select::Filters;

    /// The model of these definition documents (one input each), on the built-in catalog.
    pub(crate) fn model_of(docs: &[&str]) -> Model {
        let inputs: Vec<InputSpec> = docs
            .iter()
            .enumerate()
            .map(|(i, text)| InputSpec::Text {
                name: format!("defs{i}.json"),
                text: text.to_string(),
            })
            .collect();
        let mut diags = Diagnostics::default();
        let model = load(
            &inputs,
            &Catalog::builtin().unwrap(),
            &LoadOptions::default(),
            &mut diags,
        );
        assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
        model
    }

    pub(crate) const DEFS: &str = r#"{
        "subscriptions": [
            {"id": "0B1F-1", "name": "prod", "management_groups": ["root", "Corp"]},
            {"id": "0b1f-2", "name": "lab", "management_groups": ["root"]},
            {"id": "0b1f-3", "name": "lab", "management_groups": ["other"]}
        ],
        "controls": [
            {"id": "c2", "max_score": 4, "recommendations": ["r3", "r1"]},
            {"id": "c1", "max_score": 6, "recommendations": ["r2", "r1"]}
        ],
        "recommendations": [{"id": "r3", "preview": true}, {"id": "r2", "preview": false}]
    }"#;

    pub(crate) fn request(
        engine: Engine,
        scoring: &ScoringRequest,
        model: &Model,
    ) -> Result<QueryRequest, UsageError> {
        QueryRequest::new(engine, None, None, scoring, None, model)
    }

    #[test]
    fn literal_tables_are_sorted_by_id_whatever_the_inputs_order() {
        let model = model_of(&[DEFS]);
        let r = request(Engine::DuckDb, &ScoringRequest::default(), &model).unwrap();
        let rows: Vec<(&str, &str, f64)> = r
            .controls
            .iter()
            .map(|m| (m.control.as_str(), m.recommendation.as_str(), m.max))
            .collect();
        assert_eq!(
            rows,
            [
                ("c1", "r1", 6.0),
                ("c1", "r2", 6.0),
                ("c2", "r1", 4.0),
                ("c2", "r3", 4.0)
            ]
        );
        // Only r3 is preview; r2 states `preview: false`, which needs no row.
        assert_eq!(
            r.recommendations,
            [RecommendationFacts {
                recommendation: "r3".to_string(),
                preview: true,
                custom: false
            }]
        );
        assert_eq!(r.table, "assessments");
        assert_eq!(r.source, Source::Native);
    }

    #[test]
    fn without_definitions_the_catalog_is_the_control_table() {
        let model = model_of(&[]);
        let r = request(Engine::Spark, &ScoringRequest::default(), &model).unwrap();
        let catalog = Catalog::builtin().unwrap();
        let members: usize = catalog.controls.iter().map(|c| c.recommendations.len()).sum();
        assert_eq!(r.controls.len(), members);
        assert!(r
            .controls
            .windows(2)
            .all(|w| (&w[0].control, &w[0].recommendation) < (&w[1].control, &w[1].recommendation)));
    }

    #[test]
    fn kql_engines_read_their_own_table() {
        let model = model_of(&[]);
        let scoring = ScoringRequest::default();
        let err = QueryRequest::new(
            Engine::LogAnalytics,
            Some(Source::Native),
            None,
            &scoring,
            None,
            &model,
        )
        .unwrap_err();
        assert!(
            err.0
                .starts_with("--source applies to --engine spark and duckdb only"),
            "{err}"
        );
        let err =
            QueryRequest::new(Engine::ResourceGraph, None, Some("t"), &scoring, None, &model).unwrap_err();
        assert!(err.0.starts_with("--table applies"), "{err}");
        let r = request(Engine::LogAnalytics, &scoring, &model).unwrap();
        assert_eq!(r.source, Source::LogAnalytics);
        let r = request(Engine::ResourceGraph, &scoring, &model).unwrap();
        assert_eq!(r.source, Source::ResourceGraph);
    }

    #[test]
    fn as_of_needs_a_source_with_exemption_expiry() {
        let model = model_of(&[]);
        let scoring = ScoringRequest {
            as_of: Date::from_ymd(2026, 12, 1),
            ..ScoringRequest::default()
        };
        for (engine, source) in [
            (Engine::DuckDb, Some(Source::ResourceGraph)),
            (Engine::ResourceGraph, None),
            (Engine::LogAnalytics, None),
        ] {
            let err = QueryRequest::new(engine, source, None, &scoring, None, &model).unwrap_err();
            assert!(err.0.starts_with("--as-of cannot be honoured by the"), "{err}");
        }
        let r = QueryRequest::new(Engine::Spark, Some(Source::Native), None, &scoring, None, &model).unwrap();
        assert!(r.as_of_given);
        assert_eq!(r.as_of.to_string(), "2026-12-01");
    }

    #[test]
    fn only_groupings_every_source_carries() {
        let model = model_of(&[DEFS]);
        let scoring = ScoringRequest::default();
        for (by, ok) in [
            (GroupBy::Subscription, Some(QueryGroupBy::Subscription)),
            (GroupBy::ResourceGroup, Some(QueryGroupBy::ResourceGroup)),
            (GroupBy::Type, Some(QueryGroupBy::Type)),
            (GroupBy::ManagementGroup, None),
            (GroupBy::Tag("owner".to_string()), None),
        ] {
            let r = QueryRequest::new(Engine::DuckDb, None, None, &scoring, Some(&by), &model);
            match ok {
                Some(g) => assert_eq!(r.unwrap().group_by, Some(g)),
                None => assert!(
                    r.unwrap_err().0.contains("cannot be honoured by a query"),
                    "{by:?}"
                ),
            }
        }
    }

    #[test]
    fn table_names_are_identifiers_joined_by_dots() {
        for good in ["assessments", "lake.security.assessments_2026", "_x"] {
            assert_eq!(checked_table(good).unwrap(), good);
        }
        for bad in ["", "a b", "a;drop", "1x", "a..b", "a.", "\"a\"", "a-b"] {
            assert!(checked_table(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn scope_filters_say_how_an_id_is_compared() {
        assert_eq!(
            ScopeFilter::new("0B1F-1"),
            ScopeFilter::Bare {
                exact: "0B1F-1".to_string(),
                key: "0b1f-1".to_string()
            }
        );
        assert_eq!(
            ScopeFilter::new("/SUBSCRIPTIONS/S/resourceGroups/Web/"),
            ScopeFilter::AzurePath {
                body: "subscriptions/s/resourcegroups/web".to_string()
            }
        );
        assert_eq!(
            ScopeFilter::new("arn:aws:iam::1:role/Admin/"),
            ScopeFilter::OtherPath {
                prefix: "arn:aws:iam::1:role/Admin".to_string()
            }
        );
        assert!(checked_scope("/providers/Microsoft.Management/managementGroups/corp").is_err());
    }

    #[test]
    fn names_and_management_groups_come_from_the_subscription_definitions() {
        let model = model_of(&[DEFS]);
        let scoring = |scopes: &[&str], groups: &[&str]| ScoringRequest {
            filters: Filters {
                scopes: scopes.iter().map(|s| s.to_string()).collect(),
                management_groups: groups.iter().map(|s| s.to_string()).collect(),
            },
            ..ScoringRequest::default()
        };
        let r = request(Engine::DuckDb, &scoring(&["PROD"], &["corp"]), &model).unwrap();
        assert_eq!(
            r.scopes,
            [ScopeFilter::Bare {
                exact: "0B1F-1".to_string(),
                key: "0b1f-1".to_string()
            }]
        );
        assert_eq!(r.subscriptions, Some(vec!["0b1f-1".to_string()]));
        let r = request(Engine::DuckDb, &scoring(&[], &["ROOT"]), &model).unwrap();
        assert_eq!(
            r.subscriptions,
            Some(vec!["0b1f-1".to_string(), "0b1f-2".to_string()])
        );
        let err = request(Engine::DuckDb, &scoring(&["lab"], &[]), &model).unwrap_err();
        assert!(err.0.contains("is the name of several subscriptions"), "{err}");
        let err = request(Engine::DuckDb, &scoring(&[], &["nowhere"]), &model).unwrap_err();
        assert!(err.0.contains("unknown management group"), "{err}");
    }
}
