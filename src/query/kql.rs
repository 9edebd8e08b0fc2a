//! The KQL queries (Resource Graph over `securityresources`, Log Analytics over
//! `SecurityRecommendation`) that count what a [`QueryRequest`] asks for.
//!
//! Both queries are one chain of stages, one per step of SPEC §1 (read the assessments,
//! select the resources, group them, keep the counted assessments, apply exemptions,
//! fold each resource's state, count), each under a one-line comment. Log Analytics
//! writes each stage as a `let` and the literal tables as `datatable`s. Resource Graph
//! accepts neither `let` nor `datatable` (its documented KQL subset), so there the
//! stages follow each other in one pipeline and the literal tables are `dynamic`
//! literals looked up by recommendation.
//!
//! Resource ids compare as SPEC §1.3 says (Azure ids case-folded, without their leading
//! `/`), scopes are derived as `load/scopes.rs` does, statuses and exemptions read as
//! `load/azure.rs` reads them, and group keys are those of `groups.rs`: the counts equal
//! what `assess` computes from the same assessments, except where README "At scale" says
//! a source cannot tell.

use super::{ControlMember, QueryGroupBy, QueryRequest, RecommendationFacts, ScopeFilter, Source};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

/// Writes the KQL query for `request`, ending with a newline.
pub fn write(request: &QueryRequest, out: &mut dyn Write) -> anyhow::Result<()> {
    let dialect = match request.source {
        Source::ResourceGraph => Dialect::ResourceGraph,
        Source::LogAnalytics => Dialect::LogAnalytics,
        Source::Native => {
            anyhow::bail!("a KQL engine reads Resource Graph or Log Analytics, not native assessments")
        }
    };
    out.write_all(query(request, dialect).as_bytes())?;
    Ok(())
}

/// The two engines' ways of writing a chain of stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    /// One pipeline over `securityresources`; literals as `dynamic` values.
    ResourceGraph,
    /// A `let` per stage over `SecurityRecommendation`; literals as `datatable`s.
    LogAnalytics,
}

/// One step of the query: its `let` name (Log Analytics), what it does and its operators
/// (each written after a `|`).
struct Stage {
    name: &'static str,
    comment: String,
    ops: Vec<String>,
}

impl Stage {
    fn new(name: &'static str, comment: &str, ops: Vec<String>) -> Stage {
        Stage {
            name,
            comment: comment.to_string(),
            ops,
        }
    }
}

/// The value of a recommendation's state, ordered as SPEC §1 step 3 folds them:
/// unhealthy beats healthy beats not applicable.
const NOT_APPLICABLE: u8 = 0;
const HEALTHY: u8 = 1;
const UNHEALTHY: u8 = 2;

/// Matches a GUID (Azure's control and recommendation keys, compared in any case).
const GUID: &str = r#"@"^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$""#;

/// The part of an assessment id before `/providers/Microsoft.Security/assessments/`
/// (the last one): the assessed resource.
const ASSESSED: &str = r#"@"(?i)^(.+)/providers/microsoft\.security/assessments/""#;

/// The subscription of an Azure id (`ids::subscription_of`).
const SUBSCRIPTION: &str = r#"@"(?i)^/?subscriptions/([^/]+)""#;

/// The security connector an Azure id lies under (`ids::connector_of`).
const CONNECTOR: &str =
    r#"@"(?i)^(/?subscriptions/[^/]+.*?/providers/microsoft\.security/securityconnectors/[^/]+)""#;

/// An id under a management group (`load/azure.rs`, `scope_of_id`).
const MANAGEMENT_GROUP: &str = r#"@"(?i)^/*providers/microsoft\.management/managementgroups/[^/?]+""#;

/// The whole query.
fn query(request: &QueryRequest, dialect: Dialect) -> String {
    let mut text = header(request, dialect);
    let (table, mut stages) = match dialect {
        Dialect::ResourceGraph => ("securityresources", resource_graph_rows()),
        Dialect::LogAnalytics => ("SecurityRecommendation", log_analytics_rows()),
    };
    stages.push(identity());
    if dialect == Dialect::LogAnalytics {
        stages.push(Stage::new(
            "latest_rows",
            "Continuous export appends every change: the latest state of each resource × recommendation.",
            vec!["summarize arg_max(TimeGenerated, *) by resource_key, recommendation".to_string()],
        ));
    }
    if let Some(selection) = selection(request) {
        stages.push(selection);
    }
    if let Some(by) = request.group_by {
        let mut grouped = grouping(by);
        if by == QueryGroupBy::Type {
            // The group's id is the smallest spelling of its type among all its
            // selected resources (groups.rs), so it needs the rows read so far again.
            let so_far = source_so_far(dialect, table, &stages);
            grouped.ops.push(format!(
                "join kind=inner ({so_far}\n        | {}\n        | summarize group_id = min(type_spelling) by group_key) on group_key",
                grouping(by).ops.join("\n        | ")
            ));
            grouped.ops.push("project-away group_key1".to_string());
        }
        stages.push(grouped);
    }
    stages.push(counted(request, dialect));
    stages.push(effective(request));
    stages.push(states(request));
    stages.push(counts(request));
    stages.push(rows(request, dialect));
    text.push_str(&literals(request, dialect));
    text.push_str(&chain(dialect, table, &stages));
    text.push('\n');
    text
}

/// The opening comment: what the query returns and with which options.
fn header(request: &QueryRequest, dialect: Dialect) -> String {
    let (what, how) = match dialect {
        Dialect::ResourceGraph => (
            "Azure Resource Graph's securityresources table",
            "// Run it with az graph query -q @FILE --first 1000 (follow skip_token for more pages) and\n\
             // score the output with securescore assess -.\n\
             // Resource Graph accepts no let and no datatable: the steps follow each other in one\n\
             // pipeline, and the literal tables are dynamic values looked up by recommendation.\n",
        ),
        Dialect::LogAnalytics => (
            "the SecurityRecommendation table that Defender for Cloud's continuous export writes",
            "// Run it with az monitor log-analytics query -w WORKSPACE --analytics-query @FILE --timespan P8D\n\
             // (a time span that holds the export's last snapshot) and score the output with securescore assess -.\n",
        ),
    };
    let rows = if request.model.ranks_recommendations() {
        "recommendation rows (scope, recommendation, healthy, unhealthy, not_applicable) and weight rows (scope, resources)"
    } else {
        "control rows (scope, control, healthy, unhealthy, not_applicable) and weight rows (scope, resources)"
    };
    let mut options = vec![format!("--model {}", request.model.as_str())];
    if request.include_preview {
        options.push("--include-preview".to_string());
    }
    if request.ignore_exemptions {
        options.push("--ignore-exemptions".to_string());
    }
    if !request.scopes.is_empty() {
        options.push(format!(
            "--scope ({} value{})",
            request.scopes.len(),
            if request.scopes.len() == 1 { "" } else { "s" }
        ));
    }
    if request.subscriptions.is_some() {
        options.push("--management-group".to_string());
    }
    if let Some(by) = request.group_by {
        options.push(format!("--group-by {}", by.as_str()));
    }
    format!(
        "// securescore query (SPEC §10): counts of {what},\n\
         // as securescore_counts {rows}{grouped}.\n\
         // Options: {}.\n{how}",
        options.join(" "),
        grouped = if request.group_by.is_some() {
            ", each with its group"
        } else {
            ""
        },
    )
}

/// The literal tables, before the query (Log Analytics), or nothing: Resource Graph's
/// are written where they are looked up.
fn literals(request: &QueryRequest, dialect: Dialect) -> String {
    if dialect == Dialect::ResourceGraph {
        return String::new();
    }
    let mut text = String::new();
    if !request.model.ranks_recommendations() {
        text.push_str("// Control membership and maxima: one row per (control, member recommendation).\n");
        text.push_str("let controls = datatable(control: string, recommendation: string, max_score: real) [");
        for (i, m) in request.controls.iter().enumerate() {
            let _ = write!(
                text,
                "{}\n    {}, {}, {}",
                if i == 0 { "" } else { "," },
                string(&m.control),
                string(&m.recommendation),
                real(m.max)
            );
        }
        text.push_str("\n];\n");
        text.push_str(
            "// Each member recommendation once more under the control \"\": the weight of SPEC §1.1\n\
             // (the resources healthy or unhealthy in a counted assessment).\n\
             let membership = union controls, (controls | distinct recommendation | project control = \"\", recommendation, max_score = 0.0);\n",
        );
    }
    text.push_str(
        "// The recommendations the definitions say are preview or custom (the table carries neither).\n\
         let stated = datatable(recommendation: string, stated_preview: bool, stated_custom: bool) [",
    );
    for (i, f) in request.recommendations.iter().enumerate() {
        let _ = write!(
            text,
            "{}\n    {}, {}, {}",
            if i == 0 { "" } else { "," },
            string(&f.recommendation),
            f.preview,
            f.custom
        );
    }
    text.push_str("\n];\n");
    text
}

/// The stages written out: a `let` each (Log Analytics, the last one the query's result)
/// or one pipeline (Resource Graph).
fn chain(dialect: Dialect, table: &str, stages: &[Stage]) -> String {
    let mut text = String::new();
    match dialect {
        Dialect::ResourceGraph => {
            text.push_str(table);
            for stage in stages {
                let _ = write!(text, "\n// {}", stage.comment);
                for op in &stage.ops {
                    let _ = write!(text, "\n| {op}");
                }
            }
        }
        Dialect::LogAnalytics => {
            let mut previous = table;
            for (i, stage) in stages.iter().enumerate() {
                let last = i + 1 == stages.len();
                let _ = writeln!(text, "// {}", stage.comment);
                if !last {
                    let _ = write!(text, "let {} = ", stage.name);
                }
                text.push_str(previous);
                for op in &stage.ops {
                    let _ = write!(text, "\n    | {op}");
                }
                text.push_str(if last { "" } else { ";\n" });
                previous = stage.name;
            }
        }
    }
    text
}

/// What the stages so far read, for a join that needs them again: the last `let`'s name
/// (Log Analytics), or the whole pipeline so far (Resource Graph, which has no `let`).
fn source_so_far(dialect: Dialect, table: &str, stages: &[Stage]) -> String {
    match (dialect, stages.last()) {
        (Dialect::LogAnalytics, Some(stage)) => stage.name.to_string(),
        (Dialect::LogAnalytics, None) => table.to_string(),
        (Dialect::ResourceGraph, _) => {
            let mut text = table.to_string();
            for op in stages.iter().flat_map(|s| &s.ops) {
                let _ = write!(text, "\n        | {op}");
            }
            text
        }
    }
}

/// Resource Graph's assessment rows: each one's resource, recommendation, raw status,
/// exemption, preview and custom flags (SPEC §3, as `load/azure.rs` reads them).
fn resource_graph_rows() -> Vec<Stage> {
    vec![Stage::new(
        "assessments",
        "The assessment rows: resource (resourceDetails in the spellings Azure writes, else the assessment id), recommendation, status, exemption, preview and custom flags (SPEC §3).",
        vec![
            "where type =~ \"microsoft.security/assessments\"".to_string(),
            "extend details = properties.resourceDetails, metadata = properties.metadata".to_string(),
            format!(
                "extend machine_name = coalesce({}), workspace = coalesce({}), server = coalesce({}), database = coalesce({})",
                details(&["machineName", "MachineName"]),
                details(&["workspaceId", "WorkspaceId"]),
                details(&["serverName", "ServerName"]),
                details(&["databaseName", "DatabaseName"]),
            ),
            format!(
                "extend machine = coalesce({}, iff(isempty(machine_name), \"\", iff(isempty(workspace), machine_name, \
                 strcat(trim_end(\"/+\", workspace), \"/machines/\", machine_name))))",
                details(&["vmuuid", "vmUuid", "VmUuid"])
            ),
            "extend machine = iff(isempty(machine) or (isempty(server) and isempty(database)), machine, \
             strcat(machine, \"/sqlServers/\", server, \"/databases/\", database))"
                .to_string(),
            format!(
                "extend resource = coalesce({}, machine, extract({ASSESSED}, 1, id))",
                details(&[
                    "id",
                    "Id",
                    "resourceId",
                    "ResourceId",
                    "azureResourceId",
                    "AzureResourceId",
                    "awsResourceId",
                    "AwsResourceId",
                    "gcpResourceId",
                    "GcpResourceId"
                ])
            ),
            "extend key = coalesce(name, extract(@\"([^/]+)/*$\", 1, id))".to_string(),
            "extend code = tostring(properties.status.code), exempt = tostring(properties.status.cause) =~ \"Exempt\", \
             assessment_type = tostring(metadata.assessmentType)"
                .to_string(),
            "extend preview = tobool(metadata.preview) == true, \
             custom = isnotempty(assessment_type) and not(assessment_type contains \"builtin\")"
                .to_string(),
            // The scope of a resource whose id names no subscription (`scope_hint`): the
            // assessment's connector, its connectorId, its workspace's subscription, the
            // assessment's subscription (not under a management group), else the row's.
            format!(
                "extend hint = iff(isnotempty(extract({SUBSCRIPTION}, 1, resource)), \"\", coalesce(extract({CONNECTOR}, 1, id), {}, \
                 extract({SUBSCRIPTION}, 1, workspace), iff(id matches regex {MANAGEMENT_GROUP}, \"\", \
                 coalesce(extract({SUBSCRIPTION}, 1, id), subscriptionId))))",
                details(&["connectorId", "ConnectorId"])
            ),
        ],
    )]
}

/// `tostring(details.KEY)` for each spelling of a `resourceDetails` key (KQL reads a
/// dynamic value's keys in their own case; Azure writes them in these).
fn details(keys: &[&str]) -> String {
    let fields: Vec<String> = keys.iter().map(|k| format!("tostring(details.{k})")).collect();
    fields.join(", ")
}

/// Log Analytics' rows of continuous export: each one's resource, recommendation, raw
/// status and exemption; the table carries no preview or custom flag.
fn log_analytics_rows() -> Vec<Stage> {
    vec![Stage::new(
        "assessments",
        "The exported rows: resource (AssessedResourceId, else the assessment id), recommendation (the assessment key), status and exemption (Properties.status.cause Exempt).",
        vec![
            format!("extend resource = coalesce(AssessedResourceId, extract({ASSESSED}, 1, RecommendationId))"),
            "extend assessment_key = extract(@\"([^/]+)/*$\", 1, RecommendationId)".to_string(),
            format!(
                "extend key = case(assessment_key matches regex {GUID}, assessment_key, RecommendationName matches regex {GUID}, RecommendationName, coalesce(assessment_key, RecommendationName))"
            ),
            "extend code = RecommendationState, exempt = tostring(Properties.status.cause) =~ \"Exempt\", preview = false, custom = false".to_string(),
            format!(
                "extend hint = iff(isnotempty(extract({SUBSCRIPTION}, 1, resource)), \"\", coalesce(extract({CONNECTOR}, 1, RecommendationId), extract({SUBSCRIPTION}, 1, RecommendationId)))"
            ),
        ],
    )]
}

/// The rest of SPEC §3 and §1.3 every source shares: the recommendation id as the model
/// keeps it, the status as a state, the resource's identity and its scope.
fn identity() -> Stage {
    Stage::new(
        "identified",
        "Each resource's identity (an Azure id case-folded without its leading /, any other id as written) and scope (its security connector, else subscription, else the scope its assessment names; none: the unnamed scope).",
        vec![
            format!("extend recommendation = iff(key matches regex {GUID}, tolower(key), key)"),
            "extend code = tolower(strcat_array(split(code, \"_\"), \"\"))".to_string(),
            format!(
                "extend raw = case(code == \"unhealthy\", {UNHEALTHY}, code == \"healthy\", {HEALTHY}, code == \"notapplicable\", \
                 iff(exempt, {UNHEALTHY}, {NOT_APPLICABLE}), int(null))"
            ),
            "where isnotempty(resource) and isnotempty(recommendation)".to_string(),
            "extend body = iff(resource startswith \"/\", substring(resource, 1), resource)".to_string(),
            "extend azure = body startswith \"subscriptions/\" or body startswith \"providers/\"".to_string(),
            "extend resource_key = iff(azure, tolower(body), resource)".to_string(),
            format!("extend id_subscription = extract({SUBSCRIPTION}, 1, resource)"),
            format!(
                "extend scope_id = coalesce(hint, iff(isempty(id_subscription), \"\", extract({CONNECTOR}, 1, resource)), id_subscription)"
            ),
            "extend scope_key = iff(scope_id contains \"/\", tolower(trim_start(\"/+\", scope_id)), tolower(scope_id))".to_string(),
        ],
    )
}

/// SPEC §1.3's filters as one `where`, or `None` without filters.
fn selection(request: &QueryRequest) -> Option<Stage> {
    let mut conditions = Vec::new();
    if !request.scopes.is_empty() {
        let any: Vec<String> = request.scopes.iter().map(scope_condition).collect();
        conditions.push(format!("({})", any.join(" or ")));
    }
    if let Some(subscriptions) = &request.subscriptions {
        conditions.push(if subscriptions.is_empty() {
            "false".to_string()
        } else {
            let keys: Vec<String> = subscriptions.iter().map(|s| string(s)).collect();
            format!("scope_key in ({})", keys.join(", "))
        });
    }
    (!conditions.is_empty()).then(|| {
        Stage::new(
            "selected",
            "The selected resources (--scope: at or under a value, a union; --management-group: its subscriptions).",
            vec![format!("where {}", conditions.join(" and "))],
        )
    })
}

/// One `--scope` value as a condition on a row (`select.rs`).
fn scope_condition(filter: &ScopeFilter) -> String {
    match filter {
        ScopeFilter::Bare { exact, key } => format!(
            "resource == {} or scope_key == {k} or tolower(id_subscription) == {k}",
            string(exact),
            k = string(key)
        ),
        ScopeFilter::AzurePath { body } => format!(
            "resource_key == {} or resource_key startswith_cs {}",
            string(body),
            string(&format!("{body}/"))
        ),
        ScopeFilter::OtherPath { prefix } => format!(
            "resource_key == {} or resource_key startswith_cs {}",
            string(prefix),
            string(&format!("{prefix}/"))
        ),
    }
}

/// Each row's group key (folded) and spelling (`groups.rs`, `keys_of`); empty for a
/// resource without the key.
fn grouping(by: QueryGroupBy) -> Stage {
    let ops = match by {
        QueryGroupBy::Subscription => vec!["extend group_key = scope_key, group_id = scope_id".to_string()],
        QueryGroupBy::ResourceGroup => vec![
            "extend group_key = iff(azure, extract(@\"^(subscriptions/[^/]+/resourcegroups/[^/]+)\", 1, resource_key), \"\")"
                .to_string(),
            "extend group_key = iff(isempty(group_key), \"\", strcat(\"/\", group_key))".to_string(),
            "extend group_id = group_key".to_string(),
        ],
        QueryGroupBy::Type => vec![
            // `ids::type_of_id`: the namespace and every type segment after the last
            // `/providers/`; a subscription's and a resource group's own types.
            "extend trimmed = trim_end(\"/+\", body)".to_string(),
            "extend after = extract(@\"(?i)^.*/providers/(.*)$\", 1, trimmed)".to_string(),
            "extend slashes = countof(after, \"/\")".to_string(),
            "extend type_spelling = case(not(azure), \"\", \
             trimmed matches regex @\"(?i)/providers/\", iff(slashes >= 2 and slashes % 2 == 0 and not(after startswith \"/\"), \
             strcat(extract(@\"^([^/]*)\", 1, after), replace_regex(substring(after, indexof(after, \"/\")), @\"/([^/]*)/[^/]*\", @\"/\\1\")), \"\"), \
             tolower(trimmed) matches regex @\"^subscriptions/[^/]*$\", \"Microsoft.Resources/subscriptions\", \
             tolower(trimmed) matches regex @\"^subscriptions/[^/]*/resourcegroups/[^/]*$\", \"Microsoft.Resources/resourceGroups\", \"\")".to_string(),
            "extend group_key = tolower(type_spelling)".to_string(),
        ],
    };
    Stage::new(
        "grouped",
        &format!("Each resource's group (--group-by {}).", by.as_str()),
        ops,
    )
}

/// SPEC §1 step 1: the counted assessments: neither custom nor preview (unless
/// `--include-preview`), and, under classic, of a recommendation a control holds, once
/// per control (and once under the weight's control "").
fn counted(request: &QueryRequest, dialect: Dialect) -> Stage {
    let mut ops = match dialect {
        Dialect::ResourceGraph => vec![
            format!("extend stated = {}[recommendation]", stated_literal(&request.recommendations)),
            "extend preview = iff(isnull(stated), preview, tobool(stated[0])), custom = iff(isnull(stated), custom, tobool(stated[1]))"
                .to_string(),
        ],
        Dialect::LogAnalytics => vec![
            "join kind=leftouter stated on recommendation".to_string(),
            "extend preview = iff(isnull(stated_preview), preview, stated_preview), custom = iff(isnull(stated_custom), custom, stated_custom)"
                .to_string(),
        ],
    };
    // A status other than healthy, unhealthy or not applicable counts nowhere (`assess`
    // refuses such an assessment).
    ops.push(if request.include_preview {
        "where isnotnull(raw) and not(custom)".to_string()
    } else {
        "where isnotnull(raw) and not(custom) and not(preview)".to_string()
    });
    let classic = !request.model.ranks_recommendations();
    if classic {
        match dialect {
            Dialect::ResourceGraph => {
                ops.push(format!(
                    "extend member = {}[recommendation]",
                    membership_literal(&request.controls)
                ));
                ops.push("where array_length(member) > 0".to_string());
                ops.push("mv-expand member = array_concat(member, dynamic([[\"\", 0.0]]))".to_string());
                ops.push("extend control = tostring(member[0])".to_string());
            }
            Dialect::LogAnalytics => {
                ops.push("join kind=inner membership on recommendation".to_string());
            }
        }
    } else {
        // The weight counts the resources of every counted recommendation, whatever
        // control holds it (the rule of `score/recommendations.rs`).
        ops.push("mv-expand recommendation = pack_array(recommendation, \"\") to typeof(string)".to_string());
    }
    let comment = if classic {
        "Step 1: the counted assessments: neither custom nor preview (unless --include-preview), of a recommendation a control holds; once per control, and once under the control \"\" that stands for the weight (SPEC §1.1)."
    } else {
        "Step 1: the counted assessments: neither custom nor preview (unless --include-preview); a control need not hold the recommendation (SPEC §7); each once more under the recommendation \"\" that stands for the weight (SPEC §1.1)."
    };
    Stage::new("counted", comment, ops)
}

/// SPEC §1 step 2: the state an assessment scores with.
fn effective(request: &QueryRequest) -> Stage {
    if request.ignore_exemptions {
        Stage::new(
            "effective",
            "Step 2: exemptions ignored (--ignore-exemptions): the raw status (an exempt assessment exported as not applicable counts unhealthy).",
            vec!["extend state = raw".to_string()],
        )
    } else {
        Stage::new(
            "effective",
            "Step 2: an exempt assessment (status.cause Exempt, a waiver in force) is not applicable; 0 not applicable, 1 healthy, 2 unhealthy.",
            vec![format!("extend state = iff(exempt, {NOT_APPLICABLE}, raw)")],
        )
    }
}

/// The columns a scope's (and group's) rows are keyed by.
fn keys(request: &QueryRequest) -> &'static str {
    if request.group_by.is_some() {
        "scope_key, group_key"
    } else {
        "scope_key"
    }
}

/// The spellings carried along the keys: the smallest, as `assess` shows them.
fn spellings(request: &QueryRequest) -> &'static str {
    if request.group_by.is_some() {
        "scope_id = min(scope_id), group_id = min(group_id)"
    } else {
        "scope_id = min(scope_id)"
    }
}

/// The counted item a row is about: a control (classic) or a recommendation.
fn item(request: &QueryRequest) -> &'static str {
    if request.model.ranks_recommendations() {
        "recommendation"
    } else {
        "control"
    }
}

/// SPEC §1 step 3: each resource's state per control (unhealthy beats healthy beats not
/// applicable); per recommendation under v1 and pass-rate.
fn states(request: &QueryRequest) -> Stage {
    let comment = if request.model.ranks_recommendations() {
        "Step 3: each resource's state per recommendation: its worst (2 unhealthy, 1 healthy, 0 not applicable)."
    } else {
        "Step 3: each resource's state per control: unhealthy if any counted assessment is, else healthy if any is, else not applicable."
    };
    Stage::new(
        "states",
        comment,
        vec![format!(
            "summarize state = max(state), {} by {}, {}, resource_key",
            spellings(request),
            keys(request),
            item(request)
        )],
    )
}

/// SPEC §1 step 4: the distinct resources in each state.
fn counts(request: &QueryRequest) -> Stage {
    let comment = if request.model.ranks_recommendations() {
        "Step 4: per scope (and group) and recommendation, the distinct resources in each state."
    } else {
        "Step 4: per scope (and group) and control, the distinct resources in each state; under the control \"\", the resources that weigh are those healthy or unhealthy."
    };
    Stage::new(
        "counts",
        comment,
        vec![format!(
            "summarize healthy = countif(state == {HEALTHY}), unhealthy = countif(state == {UNHEALTHY}), \
             not_applicable = countif(state == {NOT_APPLICABLE}), {} by {}, {}",
            spellings(request),
            keys(request),
            item(request)
        )],
    )
}

/// The counts rows (SPEC §10), sorted: each key a column, null where the row has none.
/// Resource Graph pages a result only when it has an `id` column (else it cuts it at
/// 1000 rows and says `resultTruncated`), so its rows carry one: their keys.
fn rows(request: &QueryRequest, dialect: Dialect) -> Stage {
    let item = item(request);
    let nullable = |column: &str| format!("iff(isempty({column}), dynamic(null), pack_array({column})[0])");
    let mut ops = Vec::new();
    let mut sort = vec!["scope_key asc".to_string()];
    if request.group_by.is_some() {
        sort.push("group_key asc".to_string());
    }
    sort.push(format!("{item} asc"));
    ops.push(format!("sort by {}", sort.join(", ")));
    let mut columns = vec![
        "securescore_counts = 1".to_string(),
        format!("scope = {}", nullable("scope_id")),
    ];
    if request.group_by.is_some() {
        columns.push(format!("['group'] = {}", nullable("group_id")));
    }
    if dialect == Dialect::ResourceGraph {
        columns.push(format!("id = tostring(pack_array({}, {item}))", keys(request)));
    }
    ops.push(format!("extend weight = {item} == \"\""));
    ops.push("extend resources = iff(weight, healthy + unhealthy, long(null))".to_string());
    columns.push(format!("{item} = {}", nullable(item)));
    for c in ["healthy", "unhealthy", "not_applicable"] {
        columns.push(format!("{c} = iff(weight, long(null), {c})"));
    }
    columns.push("resources".to_string());
    ops.push(format!("project {}", columns.join(", ")));
    let comment = format!(
        "The {item} rows and, for the {item} \"\", the weight row (resources), by scope (and group) and {item}."
    );
    Stage::new("rows", &comment, ops)
}

/// Resource Graph's membership literal: each member recommendation and its controls with
/// their maxima, `{"rec": [["control", max], …]}`, sorted.
fn membership_literal(controls: &[ControlMember]) -> String {
    let mut by_recommendation: BTreeMap<&str, Vec<&ControlMember>> = BTreeMap::new();
    for m in controls {
        by_recommendation.entry(&m.recommendation).or_default().push(m);
    }
    let entries: Vec<String> = by_recommendation
        .iter()
        .map(|(rec, members)| {
            let list: Vec<String> = members
                .iter()
                .map(|m| format!("[{}, {}]", string(&m.control), real(m.max)))
                .collect();
            format!("\n    {}: [{}]", string(rec), list.join(", "))
        })
        .collect();
    format!("dynamic({{{}\n  }})", entries.join(","))
}

/// Resource Graph's literal of the recommendations the definitions say are preview or
/// custom: `{"rec": [preview, custom]}`.
fn stated_literal(facts: &[RecommendationFacts]) -> String {
    let entries: Vec<String> = facts
        .iter()
        .map(|f| {
            format!(
                "\n    {}: [{}, {}]",
                string(&f.recommendation),
                f.preview,
                f.custom
            )
        })
        .collect();
    format!("dynamic({{{}\n  }})", entries.join(","))
}

/// A KQL string literal of `text`: double-quoted, `\` and `"` escaped, control characters
/// as `\uXXXX`, so that no input can end the literal or the line.
fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() || c == '\u{2028}' || c == '\u{2029}' => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A KQL real literal: always with a decimal point or an exponent.
fn real(value: f64) -> String {
    let text = format!("{value:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::query::{Engine, DEFAULT_TABLE};
    use crate::score::ScoringModel;

    /// Ids that could end a string, a line or a comment.
    const HOSTILE: [&str; 4] = ["c \"q\" \\", "r\n// x", "r\u{2028}y", "r | where true"];

    fn request(engine: Engine, model: ScoringModel, group_by: Option<QueryGroupBy>) -> QueryRequest {
        let member = |control: &str, recommendation: &str, max: f64| ControlMember {
            control: control.to_string(),
            recommendation: recommendation.to_string(),
            max,
        };
        QueryRequest {
            engine,
            source: match engine {
                Engine::LogAnalytics => Source::LogAnalytics,
                _ => Source::ResourceGraph,
            },
            table: DEFAULT_TABLE.to_string(),
            model,
            include_preview: false,
            ignore_exemptions: false,
            as_of: Date::from_ymd(2026, 1, 1).unwrap(),
            as_of_given: false,
            scopes: vec![
                ScopeFilter::new(HOSTILE[1]),
                ScopeFilter::new("/subscriptions/S/resourceGroups/RG/"),
            ],
            subscriptions: Some(vec!["s1".to_string()]),
            group_by,
            controls: vec![
                member(HOSTILE[0], HOSTILE[1], 6.0),
                member(HOSTILE[0], HOSTILE[3], 6.0),
                member("c2", HOSTILE[1], 0.5),
            ],
            recommendations: vec![RecommendationFacts {
                recommendation: HOSTILE[2].to_string(),
                preview: true,
                custom: false,
            }],
        }
    }

    fn text(request: &QueryRequest) -> String {
        let mut out = Vec::new();
        write(request, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn strings_escape_what_could_end_them_or_the_line() {
        assert_eq!(string("plain é"), "\"plain é\"");
        assert_eq!(string("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(string("a\nb\u{7}c\u{2028}"), r#""a\u000ab\u0007c\u2028""#);
        assert_eq!(real(6.0), "6.0");
        assert_eq!(real(4.5), "4.5");
        assert_eq!(real(1e9), "1000000000.0");
    }

    /// Every engine, model and grouping: the query ends with one newline, no input text
    /// reaches a comment or starts a line, every id is written as a string literal, and
    /// Resource Graph's has neither `let` nor `datatable`.
    #[test]
    fn input_text_stays_inside_string_literals() {
        for engine in [Engine::ResourceGraph, Engine::LogAnalytics] {
            for model in ScoringModel::ALL {
                for group_by in [
                    None,
                    Some(QueryGroupBy::Subscription),
                    Some(QueryGroupBy::ResourceGroup),
                    Some(QueryGroupBy::Type),
                ] {
                    let q = text(&request(engine, model, group_by));
                    assert!(
                        q.ends_with(")\n") || q.ends_with("resources\n") || q.ends_with("not_applicable\n"),
                        "{q}"
                    );
                    assert!(!q.ends_with("\n\n"));
                    for line in q.lines() {
                        assert!(
                            !line.starts_with("// x") && !line.contains('\u{2028}'),
                            "{engine:?} {model:?}: {line}"
                        );
                        if line.trim_start().starts_with("//") {
                            assert!(!line.contains("where true") && !line.contains("\"q\""), "{line}");
                        }
                    }
                    if !model.ranks_recommendations() {
                        assert!(q.contains(r#""c \"q\" \\""#), "{q}");
                        assert!(q.contains(r#""r\u000a// x""#), "{q}");
                    }
                    assert!(q.contains(r#""r\u2028y""#), "{q}");
                    if engine == Engine::ResourceGraph {
                        assert!(
                            !q.contains("datatable(") && !q.lines().any(|l| l.starts_with("let ")),
                            "{q}"
                        );
                    } else {
                        assert!(q.contains("let stated = datatable("), "{q}");
                    }
                }
            }
        }
    }

    /// Classic counts per control with a weight row (the control ""); v1 and pass-rate
    /// per recommendation, with no membership, and a weight row (the recommendation "")
    /// over every counted assessment.
    #[test]
    fn classic_counts_controls_and_weights_and_the_others_recommendations() {
        for engine in [Engine::ResourceGraph, Engine::LogAnalytics] {
            let classic = text(&request(engine, ScoringModel::Classic, None));
            assert!(classic.contains("by scope_key, control, resource_key"));
            assert!(classic.contains("resources = iff(weight, healthy + unhealthy, long(null))"));
            assert!(!classic.contains("['group']"));
            let v1 = text(&request(engine, ScoringModel::V1, Some(QueryGroupBy::Type)));
            assert!(v1.contains("by scope_key, group_key, recommendation, resource_key"));
            assert!(v1.contains("['group'] = "));
            assert!(!v1.contains("member =") && !v1.contains("membership"));
            assert!(
                v1.contains("mv-expand recommendation = pack_array(recommendation, \"\") to typeof(string)")
            );
            assert!(v1.contains("resources = iff(weight, healthy + unhealthy, long(null))"));
        }
    }

    /// The literal tables do not depend on the order the request lists them in.
    #[test]
    fn the_same_request_in_another_order_writes_the_same_bytes() {
        for engine in [Engine::ResourceGraph, Engine::LogAnalytics] {
            let a = request(engine, ScoringModel::Classic, Some(QueryGroupBy::ResourceGroup));
            let mut b = a.clone();
            b.controls
                .sort_by(|x, y| (&x.control, &x.recommendation).cmp(&(&y.control, &y.recommendation)));
            assert_eq!(text(&a), text(&b));
            assert_eq!(text(&a), text(&a.clone()));
        }
    }
}
