//! The SQL queries (DuckDB and Spark SQL) that count what a [`QueryRequest`] asks for.
//!
//! One query, one CTE per step of SPEC §1, each with a comment: the literal tables
//! (control membership, preview and custom recommendations, the management groups'
//! subscriptions), the rows read and checked as securescore checks an input, the
//! effective status after exemptions (step 2), resource identity and scope (§1.3), one
//! assessment per resource and recommendation, the filters, the counted assessments
//! (step 1), each resource's state per control (step 3), the counts (step 4) and the
//! weights (§1.1). The final select returns the counts rows, their JSON keys as column
//! names, sorted.
//!
//! What differs between DuckDB and Spark SQL is in one place, `Dialect`: string
//! literals, quoted names, regular expressions, JSON, dates and raising an error. The
//! regular expressions are written without backslashes, which Spark's string literals
//! would read as escapes.

use super::{ControlMember, Engine, QueryGroupBy, QueryRequest, RecommendationFacts, ScopeFilter, Source};
use crate::date::Date;
use crate::score::ScoringModel;
use std::fmt::Write as _;
use std::io::Write;

/// Writes the SQL query for `request` (DuckDB or Spark SQL), ending with a newline.
pub fn write(request: &QueryRequest, out: &mut dyn Write) -> anyhow::Result<()> {
    let dialect = match request.engine {
        Engine::DuckDb => Dialect::DuckDb,
        Engine::Spark => Dialect::Spark,
        Engine::ResourceGraph | Engine::LogAnalytics => {
            anyhow::bail!("--engine {} is not a SQL engine", request.engine.as_str())
        }
    };
    if request.source == Source::LogAnalytics {
        anyhow::bail!("the log-analytics source is read by --engine log-analytics only");
    }
    out.write_all(query(request, dialect).as_bytes())?;
    Ok(())
}

/// The SQL dialect: everything that DuckDB and Spark SQL spell differently.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dialect {
    DuckDb,
    Spark,
}

impl Dialect {
    /// A string literal: DuckDB doubles a quote; Spark reads backslash escapes.
    fn string(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("'{}'", text.replace('\'', "''")),
            Dialect::Spark => format!("'{}'", text.replace('\\', "\\\\").replace('\'', "\\'")),
        }
    }

    /// A column name that is a reserved word (`group`).
    fn name(self, name: &str) -> String {
        match self {
            Dialect::DuckDb => format!("\"{name}\""),
            Dialect::Spark => format!("`{name}`"),
        }
    }

    /// True when `text` matches regular expression `pattern`.
    fn matches(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_matches({text}, '{pattern}')"),
            Dialect::Spark => format!("({text} RLIKE '{pattern}')"),
        }
    }

    /// The first group of `pattern` in `text`; null when it does not match or the group
    /// is empty.
    fn extract(self, text: &str, pattern: &str) -> String {
        self.extract_group(text, pattern, 1)
    }

    /// Group `group` of `pattern` in `text`; null when it does not match or is empty.
    fn extract_group(self, text: &str, pattern: &str, group: u32) -> String {
        format!("nullif(regexp_extract({text}, '{pattern}', {group}), '')")
    }

    /// `text` with every match of `pattern` replaced by its groups 1 and 2.
    fn keep_groups_1_2(self, text: &str, pattern: &str) -> String {
        match self {
            Dialect::DuckDb => format!("regexp_replace({text}, '{pattern}', '\\1\\2', 'g')"),
            Dialect::Spark => format!("regexp_replace({text}, '{pattern}', '$1$2')"),
        }
    }

    /// `text` with its first match of `pattern` (anchored) removed.
    fn strip(self, text: &str, pattern: &str) -> String {
        format!("regexp_replace({text}, '{pattern}', '')")
    }

    /// True when `text` starts with `prefix`.
    fn starts_with(self, text: &str, prefix: &str) -> String {
        match self {
            Dialect::DuckDb => format!("starts_with({text}, {prefix})"),
            Dialect::Spark => format!("startswith({text}, {prefix})"),
        }
    }

    /// Stops the query with `message` (a string expression).
    fn fail(self, message: &str) -> String {
        match self {
            Dialect::DuckDb => format!("error({message})"),
            Dialect::Spark => format!("raise_error({message})"),
        }
    }

    /// A column (a struct, a map, or JSON text in DuckDB) as JSON text.
    fn json(self, column: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST({column} AS JSON)"),
            Dialect::Spark => format!("to_json({column})"),
        }
    }

    /// A column that holds an object as JSON text (Resource Graph's `properties`: in
    /// Spark a string, since Spark cannot infer a struct whose keys differ only in case,
    /// as `Id` and `id` do; DuckDB takes JSON text, JSON or a struct).
    fn json_column(self, column: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST({column} AS JSON)"),
            Dialect::Spark => column.to_string(),
        }
    }

    /// The text at `path` (`$.a.b`) of JSON `doc`; null when absent, null or empty.
    fn json_text(self, doc: &str, path: &str) -> String {
        match self {
            Dialect::DuckDb => format!("nullif(json_extract_string({doc}, '{path}'), '')"),
            Dialect::Spark => format!("nullif(get_json_object({doc}, '{path}'), '')"),
        }
    }

    /// A `YYYY-MM-DD` text as a date (an invalid date stops the query).
    fn date(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST({text} AS DATE)"),
            Dialect::Spark => format!("to_date({text}, 'yyyy-MM-dd')"),
        }
    }

    /// An RFC 3339 time as an instant.
    fn instant(self, text: &str) -> String {
        match self {
            Dialect::DuckDb => format!("CAST({text} AS TIMESTAMPTZ)"),
            Dialect::Spark => format!("CAST({text} AS TIMESTAMP)"),
        }
    }

    /// The instant a day starts in UTC.
    fn midnight_utc(self, day: Date) -> String {
        match self {
            Dialect::DuckDb => format!("TIMESTAMPTZ '{day} 00:00:00+00'"),
            Dialect::Spark => format!("TIMESTAMP '{day} 00:00:00Z'"),
        }
    }

    /// An empty literal table of these columns (name and SQL type).
    fn empty_table(self, columns: &[(&str, &str)]) -> String {
        let cols: Vec<String> = columns
            .iter()
            .map(|(name, kind)| format!("CAST(NULL AS {kind}) AS {name}"))
            .collect();
        format!("SELECT {} WHERE 1 = 0", cols.join(", "))
    }
}

/// A resource id that is an Azure id: `subscriptions/` or `providers/` first, after an
/// optional `/`, in any case (`ids::azure_id_body`).
const AZURE_ID: &str = "(?i)^/?(subscriptions|providers)/";
/// The subscription an Azure id names (`ids::subscription_of`).
const SUBSCRIPTION: &str = "(?i)^/?subscriptions/([^/]+)";
/// The security connector an Azure id lies under, up to its name (`ids::connector_of`).
const CONNECTOR: &str = "(?i)^(.*?/providers/microsoft[.]security/securityconnectors/[^/]+)";
/// A resource group's subscription and name (`ids::resource_group_of`).
const RESOURCE_GROUP: &str = "(?i)^/?subscriptions/([^/]+)/resourcegroups/([^/]+)";
/// A GUID, which Azure names compare in any case (`ids::is_guid`).
const GUID: &str = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

/// One CTE: its name, its comment (one line or a few) and its body.
struct Cte {
    name: String,
    comment: String,
    body: String,
}

/// What the query is written from: the request and its dialect.
struct Writer<'r> {
    request: &'r QueryRequest,
    d: Dialect,
}

/// The whole query.
fn query(request: &QueryRequest, d: Dialect) -> String {
    let w = Writer { request, d };
    let mut ctes = w.literal_tables();
    ctes.extend(w.read());
    ctes.push(w.effective());
    ctes.extend(w.identified());
    ctes.push(w.assessments());
    ctes.push(w.selected());
    ctes.extend(w.names());
    if request.source == Source::ResourceGraph {
        ctes.push(w.recommendation_metadata());
    }
    ctes.push(w.counted());
    ctes.extend(w.counts());
    let mut sql = w.header();
    sql.push_str("WITH\n");
    let last = ctes.len().saturating_sub(1);
    for (i, cte) in ctes.iter().enumerate() {
        for line in cte.comment.lines() {
            let _ = writeln!(sql, "-- {line}");
        }
        let _ = writeln!(sql, "{} AS (", cte.name);
        for line in cte.body.lines() {
            let _ = writeln!(sql, "  {line}");
        }
        sql.push_str(if i == last { ")\n" } else { "),\n" });
    }
    sql.push_str(&w.final_select());
    sql
}

impl Writer<'_> {
    fn lit(&self, text: &str) -> String {
        self.d.string(text)
    }

    fn classic(&self) -> bool {
        self.request.model == ScoringModel::Classic
    }

    fn grouped(&self) -> bool {
        self.request.group_by.is_some()
    }

    /// The comment lines that open the query: what it is for and how it was asked for.
    fn header(&self) -> String {
        let r = self.request;
        let mut h = String::new();
        let _ = writeln!(
            h,
            "-- securescore query: counts rows for `securescore assess` (SPEC §10), {}.",
            match self.d {
                Dialect::DuckDb => "DuckDB",
                Dialect::Spark => "Spark SQL",
            }
        );
        let _ = writeln!(
            h,
            "-- Source: {} rows of table {}. Model: {}.",
            r.source.as_str(),
            r.table,
            r.model
        );
        let exemptions = if r.ignore_exemptions {
            "ignored".to_string()
        } else if r.source.has_exemption_expiry() {
            format!("judged on {}", r.as_of)
        } else {
            "as the source shows them in force".to_string()
        };
        let _ = writeln!(
            h,
            "-- Preview recommendations: {}. Exemptions: {exemptions}.",
            if r.include_preview {
                "counted"
            } else {
                "not counted"
            }
        );
        let scopes: Vec<String> = r.scopes.iter().map(describe_scope).collect();
        let _ = writeln!(
            h,
            "-- Filters: {}. Group by: {}.",
            if scopes.is_empty() && r.subscriptions.is_none() {
                "none".to_string()
            } else {
                let mut parts = Vec::new();
                if !scopes.is_empty() {
                    parts.push(format!("--scope {}", scopes.join(", ")));
                }
                if r.subscriptions.is_some() {
                    parts.push("--management-group (its subscriptions below)".to_string());
                }
                parts.join("; ")
            },
            r.group_by.map_or("none", QueryGroupBy::as_str)
        );
        h
    }

    /// The literal tables: control membership (classic), the preview and custom
    /// recommendations, and the management groups' subscriptions.
    fn literal_tables(&self) -> Vec<Cte> {
        let mut ctes = Vec::new();
        if self.classic() {
            ctes.push(Cte {
                name: "control_members".to_string(),
                comment: "Control membership and max score (points), one row per control and member \
                          recommendation:\nthe definitions given to securescore query, else its built-in \
                          catalog."
                    .to_string(),
                body: self.values(
                    &[
                        ("control", "STRING"),
                        ("recommendation", "STRING"),
                        ("max_score", "DOUBLE"),
                    ],
                    self.request.controls.iter().map(|m| self.member_row(m)).collect(),
                ),
            });
        }
        ctes.push(Cte {
            name: "recommendation_facts".to_string(),
            comment: "The recommendations the definitions call preview or custom (every other one is \
                      neither)."
                .to_string(),
            body: self.values(
                &[
                    ("recommendation", "STRING"),
                    ("preview", "BOOLEAN"),
                    ("custom", "BOOLEAN"),
                ],
                self.request
                    .recommendations
                    .iter()
                    .map(|f| self.fact_row(f))
                    .collect(),
            ),
        });
        if let Some(subs) = &self.request.subscriptions {
            ctes.push(Cte {
                name: "management_group_subscriptions".to_string(),
                comment: "The subscriptions under the management groups of --management-group \
                          (lower-cased ids)."
                    .to_string(),
                body: self.values(
                    &[("scope_key", "STRING")],
                    subs.iter().map(|s| vec![self.lit(s)]).collect(),
                ),
            });
        }
        ctes
    }

    fn member_row(&self, m: &ControlMember) -> Vec<String> {
        vec![
            self.lit(&m.control),
            self.lit(&m.recommendation),
            format!("{:?}", m.max),
        ]
    }

    fn fact_row(&self, f: &RecommendationFacts) -> Vec<String> {
        vec![
            self.lit(&f.recommendation),
            f.preview.to_string(),
            f.custom.to_string(),
        ]
    }

    /// A literal table: `VALUES` rows, or an empty typed select when there are none.
    fn values(&self, columns: &[(&str, &str)], rows: Vec<Vec<String>>) -> String {
        if rows.is_empty() {
            return self.d.empty_table(columns);
        }
        let names: Vec<&str> = columns.iter().map(|(n, _)| *n).collect();
        let mut body = String::from("SELECT * FROM (VALUES\n");
        let last = rows.len() - 1;
        for (i, row) in rows.iter().enumerate() {
            let _ = writeln!(body, "  ({}){}", row.join(", "), if i == last { "" } else { "," });
        }
        let _ = write!(body, ") AS t ({})", names.join(", "));
        body
    }

    /// The rows read from the table, each checked as securescore checks an input.
    fn read(&self) -> Vec<Cte> {
        match self.request.source {
            Source::ResourceGraph => self.read_resource_graph(),
            Source::Native | Source::LogAnalytics => self.read_native(),
        }
    }

    /// A status word (column `column`) as its rank: not applicable 0, healthy 1,
    /// unhealthy 2 (the order of SPEC §1 step 3); any other word stops the query.
    fn status_rank(&self, column: &str) -> String {
        format!(
            "CASE lower(replace({column}, '_', ''))\n    WHEN 'notapplicable' THEN 0 WHEN 'healthy' THEN 1 WHEN 'unhealthy' THEN 2\n    ELSE {} END",
            self.d.fail(&format!(
                "'securescore: resource ' || resource || ' against ' || recommendation || ' has status ' || coalesce({column}, 'null') || ', expected healthy, unhealthy or not_applicable'"
            ))
        )
    }

    /// Column `column`, required: empty or null stops the query with `message`.
    fn required(&self, column: &str, message: &str) -> String {
        format!(
            "CASE WHEN {column} IS NULL OR {column} = '' THEN {} ELSE {column} END",
            self.d.fail(&self.lit(&format!("securescore: {message}")))
        )
    }

    /// Native assessments (SPEC §2): the table's columns, then checked.
    fn read_native(&self) -> Vec<Cte> {
        let d = self.d;
        let r = self.request;
        // As text: DuckDB's JSON reader types a column of GUIDs (Azure's recommendation
        // keys) as UUID, which compares with no text.
        let mut raw: Vec<String> = ["resource", "recommendation", "status"]
            .iter()
            .map(|c| format!("CAST({c} AS STRING) AS {c}"))
            .collect();
        let mut checked = vec![
            format!(
                "{} AS resource",
                self.required("resource", "an assessment has no resource")
            ),
            format!(
                "{} AS recommendation",
                self.required("recommendation", "an assessment has no recommendation")
            ),
            format!("{} AS raw_status", self.status_rank("status")),
        ];
        if !r.ignore_exemptions {
            let ex = d.json("exemption");
            raw.push(format!("{ex} IS NOT NULL AS exempted"));
            for key in ["category", "expires", "reason"] {
                raw.push(format!(
                    "{} AS exemption_{key}",
                    d.json_text(&ex, &format!("$.{key}"))
                ));
            }
            checked.push(format!(
                "CASE WHEN NOT exempted THEN NULL\n    WHEN lower(exemption_category) IN ('waiver', 'mitigated') THEN lower(exemption_category)\n    ELSE {} END AS category",
                d.fail(
                    "'securescore: the exemption of resource ' || resource || ' against ' || recommendation || ' has category ' || coalesce(exemption_category, 'null') || ', expected waiver or mitigated'"
                )
            ));
            checked.push("trim(exemption_expires) AS expires".to_string());
            checked.push("exemption_reason AS reason".to_string());
        }
        vec![
            Cte {
                name: "table_rows".to_string(),
                comment: format!(
                    "The native assessments of table {} (SPEC §2){}.",
                    r.table,
                    if r.ignore_exemptions { "" } else { ", each exemption's fields" }
                ),
                body: format!("SELECT\n  {}\nFROM {}", indent_list(&raw), r.table),
            },
            Cte {
                name: "rows_read".to_string(),
                comment: format!(
                    "Each checked as securescore checks an input: ids required, the status in any case with `_`\nignored{}.",
                    if r.ignore_exemptions {
                        ""
                    } else {
                        ", an exemption's category waiver or mitigated in any case"
                    }
                ),
                body: format!("SELECT\n  {}\nFROM table_rows", indent_list(&checked)),
            },
        ]
    }

    /// Resource Graph rows of `securityresources` (SPEC §3), read as `assess` reads them.
    fn read_resource_graph(&self) -> Vec<Cte> {
        let d = self.d;
        let r = self.request;
        // Resource Graph spells the keys inside `resourceDetails`, `status` and
        // `metadata` in PascalCase (`Id`, `Source`), the REST API in camelCase: both
        // are read.
        let field = |path: &str, column: &str| {
            let (object, key) = path.split_once('.').unwrap_or(("", path));
            let pascal = format!(
                "{}{}",
                key.get(..1).unwrap_or("").to_ascii_uppercase(),
                key.get(1..).unwrap_or("")
            );
            format!(
                "coalesce({}, {}) AS {column}",
                d.json_text("props", &format!("$.{object}.{key}")),
                d.json_text("props", &format!("$.{object}.{pascal}"))
            )
        };
        let fields: Vec<String> = [
            ("resourceDetails.id", "details_id"),
            ("resourceDetails.resourceId", "details_resource_id"),
            ("resourceDetails.azureResourceId", "details_azure_resource_id"),
            ("resourceDetails.awsResourceId", "details_aws_resource_id"),
            ("resourceDetails.gcpResourceId", "details_gcp_resource_id"),
            ("resourceDetails.vmuuid", "vmuuid"),
            ("resourceDetails.machineName", "machine_name"),
            ("resourceDetails.workspaceId", "workspace_id"),
            ("resourceDetails.serverName", "server_name"),
            ("resourceDetails.databaseName", "database_name"),
            ("resourceDetails.connectorId", "connector_id"),
            ("status.code", "code"),
            ("status.cause", "cause"),
            ("metadata.preview", "preview_text"),
            ("metadata.assessmentType", "assessment_type"),
        ]
        .iter()
        .map(|(path, column)| field(path, column))
        .chain([
            "assessment_id".to_string(),
            "assessment_key".to_string(),
            "subscription_column".to_string(),
        ])
        .collect();
        let table_rows = Cte {
            name: "table_rows".to_string(),
            comment: format!(
                "The assessment rows of table {} (type microsoft.security/assessments in any case): the\n\
                 assessment's key (its name, else its id's last segment) and properties as JSON (SPEC §3).",
                r.table
            ),
            body: format!(
                "SELECT CAST(id AS STRING) AS assessment_id,\n  coalesce(nullif(CAST(name AS STRING), ''), {}) AS assessment_key,\n  {} AS props,\n  nullif(CAST(subscriptionId AS STRING), '') AS subscription_column\nFROM {}\nWHERE lower(type) = 'microsoft.security/assessments'",
                // As text: DuckDB's JSON reader types a column of GUIDs as UUID.
                d.extract("regexp_replace(CAST(id AS STRING), '/+$', '')", "([^/]*)$"),
                d.json_column("properties"),
                r.table
            ),
        };
        let rows_json = Cte {
            name: "rows_json".to_string(),
            comment: "The properties assess reads, each a column.".to_string(),
            body: format!("SELECT\n  {}\nFROM table_rows", indent_list(&fields)),
        };
        let machine = "coalesce(vmuuid, CASE WHEN workspace_id IS NULL THEN machine_name\n      ELSE regexp_replace(workspace_id, '/+$', '') || '/machines/' || machine_name END)";
        let rows_resource = Cte {
            name: "rows_resource".to_string(),
            comment: "The recommendation (the assessment's key, a GUID lower-cased) and the resource: resourceDetails'\n\
                      id, else the machine (vmuuid, else machineName in its workspace; a SQL database on it a\n\
                      resource of its own), else the assessment id's parent."
                .to_string(),
            body: format!(
                "SELECT *,\n  CASE WHEN {guid} THEN lower(assessment_key) ELSE assessment_key END AS found_recommendation,\n  coalesce(details_id, details_resource_id, details_azure_resource_id, details_aws_resource_id, details_gcp_resource_id,\n    CASE WHEN server_name IS NULL AND database_name IS NULL THEN machine\n      ELSE machine || '/sqlServers/' || coalesce(server_name, '') || '/databases/' || coalesce(database_name, '') END,\n    {parent}) AS found_resource\nFROM (\n  SELECT *,\n    {machine} AS machine\n  FROM rows_json\n) m",
                guid = d.matches("assessment_key", GUID),
                parent = d.extract("assessment_id", "(?i)^(.+)/providers/microsoft[.]security/assessments/"),
            ),
        };
        let rows_read = Cte {
            name: "rows_read".to_string(),
            comment: "Each checked as securescore checks an input: a recommendation and a resource required,\n\
                      status.code in any case with `_` ignored; status.cause Exempt; preview; custom when\n\
                      assessmentType is given and is not built in."
                .to_string(),
            body: format!(
                "SELECT *,\n  {} AS code_rank,\n  coalesce(lower(cause) = 'exempt', false) AS exempt,\n  lower(preview_text) AS preview,\n  CASE WHEN assessment_type IS NULL THEN NULL WHEN lower(assessment_type) LIKE '%builtin%' THEN 'false' ELSE 'true' END AS custom\nFROM (\n  SELECT *,\n    {} AS recommendation,\n    {} AS resource\n  FROM rows_resource\n) c",
                self.status_rank("code"),
                self.required("found_recommendation", "an assessment has no name and no id"),
                self.required(
                    "found_resource",
                    "an assessment names no resource: expected properties.resourceDetails.id (or ResourceId, AzureResourceId, AwsResourceId, GcpResourceId, vmuuid, machineName) or an assessment id under the resource"
                ),
            ),
        };
        vec![table_rows, rows_json, rows_resource, rows_read]
    }

    /// Step 2: the effective status, and what tells repeats of an assessment apart.
    fn effective(&self) -> Cte {
        let r = self.request;
        let d = self.d;
        let (comment, body) = match r.source {
            Source::ResourceGraph => {
                let status = if r.ignore_exemptions {
                    "CASE WHEN exempt AND code_rank = 0 THEN 2 ELSE code_rank END"
                } else {
                    "CASE WHEN exempt THEN 0 ELSE code_rank END"
                };
                (
                    format!(
                        "Step 2 (SPEC §1): {}",
                        if r.ignore_exemptions {
                            "--ignore-exemptions: the raw status (an exempt one whose status Azure hides is\nunhealthy)."
                        } else {
                            "an exempt assessment is not applicable (a waiver that does not expire)."
                        }
                    ),
                    format!(
                        "SELECT *,\n  {status} AS status,\n  CAST(code_rank AS STRING) || CASE WHEN exempt THEN ':exempt' ELSE '' END AS fingerprint\nFROM rows_read"
                    ),
                )
            }
            Source::Native | Source::LogAnalytics if r.ignore_exemptions => (
                "Step 2 (SPEC §1): --ignore-exemptions, the raw status.".to_string(),
                "SELECT *,\n  raw_status AS status,\n  CAST(raw_status AS STRING) AS fingerprint\nFROM rows_read"
                    .to_string(),
            ),
            Source::Native | Source::LogAnalytics => {
                // An expiry that does not parse stops the query (DuckDB's casts do so
                // themselves, Spark's return null unless ANSI mode is on).
                let checked = |parsed: String| {
                    format!(
                        "CASE WHEN {parsed} IS NULL THEN {}\n        ELSE {parsed} END",
                        d.fail(
                            "'securescore: the exemption of resource ' || resource || ' against ' || recommendation || ' expires ' || expires || ', expected a date (YYYY-MM-DD) or an RFC 3339 time'"
                        )
                    )
                };
                let active = format!(
                    "CASE WHEN category IS NULL THEN NULL\n      WHEN expires IS NULL THEN true\n      WHEN length(expires) = 10 THEN {} >= DATE '{}'\n      ELSE {} >= {} END",
                    checked(d.date("expires")),
                    r.as_of,
                    checked(d.instant("expires")),
                    d.midnight_utc(r.as_of)
                );
                (
                    format!(
                        "Step 2 (SPEC §1): an exemption in force on {} (its expiry inclusive, a time compared as\n\
                         its UTC date; none: never expires) makes a waiver not applicable and a mitigated\n\
                         assessment healthy; a not-applicable assessment stays so.",
                        r.as_of
                    ),
                    format!(
                        "SELECT *,\n  CASE WHEN active AND raw_status > 0 THEN CASE category WHEN 'waiver' THEN 0 ELSE 1 END\n    ELSE raw_status END AS status,\n  CAST(raw_status AS STRING) || ':' || coalesce(category, '') || ':'\n    || CASE WHEN active THEN 'active' ELSE '' END || ':' || coalesce('=' || reason, '') AS fingerprint\nFROM (\n  SELECT *,\n    {active} AS active\n  FROM rows_read\n) x"
                    ),
                )
            }
        };
        Cte {
            name: "effective".to_string(),
            comment,
            body,
        }
    }

    /// Resource identity, scope and group key (SPEC §1.3).
    fn identified(&self) -> Vec<Cte> {
        let d = self.d;
        let r = self.request;
        let mut ctes = vec![Cte {
            name: "located".to_string(),
            comment: "Resource identity (SPEC §1.3): an Azure id (subscriptions/ or providers/ first, with or\n\
                      without the leading /) compares case-folded without its leading /, any other id exactly.\n\
                      The subscription and the security connector the id names."
                .to_string(),
            body: format!(
                "SELECT *,\n  CASE WHEN azure THEN lower({body}) ELSE resource END AS resource_key,\n  CASE WHEN subscription IS NULL THEN NULL ELSE {connector} END AS connector\nFROM (\n  SELECT *,\n    {azure} AS azure,\n    {sub} AS subscription\n  FROM effective\n) i",
                azure = d.matches("resource", AZURE_ID),
                body = d.strip("resource", "^/"),
                sub = d.extract("resource", SUBSCRIPTION),
                connector = d.extract("resource", CONNECTOR),
            ),
        }];
        let mut from = "located".to_string();
        if r.group_by == Some(QueryGroupBy::Type) {
            ctes.push(self.type_parts());
            from = "type_parts".to_string();
        }
        let spelling = if r.source == Source::ResourceGraph {
            ctes.push(self.hints());
            from = format!("{from} l\n    LEFT JOIN resource_hints h ON h.hint_resource = l.resource_key");
            "CASE WHEN subscription IS NULL THEN hint ELSE coalesce(connector, subscription) END"
        } else {
            "coalesce(connector, subscription)"
        };
        let mut cols = vec![
            "*".to_string(),
            format!("lower({}) AS scope_key", d.strip("scope_spelling", "^/+")),
            "lower(subscription) AS subscription_key".to_string(),
        ];
        match r.group_by {
            Some(QueryGroupBy::ResourceGroup) => cols.push(format!(
                "CASE WHEN {m} THEN '/subscriptions/' || lower({s}) || '/resourcegroups/' || lower({g}) END AS group_spelling",
                m = d.matches("resource", RESOURCE_GROUP),
                s = d.extract_group("resource", RESOURCE_GROUP, 1),
                g = d.extract_group("resource", RESOURCE_GROUP, 2),
            )),
            Some(QueryGroupBy::Type) => cols.push(format!(
                "CASE WHEN NOT azure THEN NULL\n    WHEN {has_provider} THEN\n      CASE WHEN type_namespace IS NOT NULL AND type_pairs IS NOT NULL\n        AND (length(type_pairs) - length(replace(type_pairs, '/', ''))) % 2 = 1\n        THEN type_namespace || '/' || {types} END\n    WHEN {sub_only} THEN 'Microsoft.Resources/subscriptions'\n    WHEN {rg_only} THEN 'Microsoft.Resources/resourceGroups'\n  END AS group_spelling",
                has_provider = d.matches("id_body", "(?i)/providers/"),
                types = d.keep_groups_1_2("type_pairs", "([^/]*)/[^/]*(/?)"),
                sub_only = d.matches("id_body", "(?i)^subscriptions/[^/]*$"),
                rg_only = d.matches("id_body", "(?i)^subscriptions/[^/]*/resourcegroups/[^/]*$"),
            )),
            Some(QueryGroupBy::Subscription) | None => {}
        }
        let comment = format!(
            "The scope (SPEC §1.3): the security connector the id lies under, else its subscription{},\n\
             else the unnamed scope (null); compared case-folded without a leading /.{}",
            if r.source == Source::ResourceGraph {
                ",\nelse (an id outside any subscription) the connector or subscription its assessments name"
            } else {
                ""
            },
            match r.group_by {
                Some(QueryGroupBy::ResourceGroup) => {
                    "\nThe group: the resource group, /subscriptions/<id>/resourcegroups/<name> lower-cased."
                }
                Some(QueryGroupBy::Type) => {
                    "\nThe group: the type, the provider namespace and every type segment after the id's last\n\
                     /providers/ (Microsoft.Resources/subscriptions or /resourceGroups for those ids)."
                }
                _ => "",
            }
        );
        ctes.push(Cte {
            name: "identified".to_string(),
            comment,
            body: format!(
                "SELECT\n  {}\nFROM (\n  SELECT *,\n    {spelling} AS scope_spelling\n  FROM {from}\n) s",
                indent_list(&cols)
            ),
        });
        ctes
    }

    /// The parts of an Azure id its type is read from (`ids::type_of_id`).
    fn type_parts(&self) -> Cte {
        let d = self.d;
        Cte {
            name: "type_parts".to_string(),
            comment: "The parts of an Azure id its type is read from: what follows its last /providers/, the\n\
                      namespace there and the name and type pairs after it."
                .to_string(),
            body: format!(
                "SELECT *,\n  {} AS type_namespace,\n  {} AS type_pairs\nFROM (\n  SELECT *,\n    {} AS provider_path\n  FROM (\n    SELECT *,\n      CASE WHEN azure THEN {} END AS id_body\n    FROM located\n  ) b\n) p",
                d.extract("provider_path", "^([^/]+)/"),
                d.extract("provider_path", "^[^/]+/(.*)$"),
                d.extract("id_body", "(?i)^.*/providers/(.*)$"),
                d.strip(&d.strip("resource", "^/"), "/+$"),
            ),
        }
    }

    /// The scope an Azure assessment names for a resource whose id names no
    /// subscription (`load::azure::scope_hint`): per resource, the smallest.
    fn hints(&self) -> Cte {
        let d = self.d;
        let id_sub = d.extract("assessment_id", SUBSCRIPTION);
        Cte {
            name: "resource_hints".to_string(),
            comment: "A resource whose id names no subscription (AWS, GCP, on-premises) is scored in the\n\
                      security connector its assessment lies under, else its connectorId, else the\n\
                      subscription of its workspace or of its assessment (its id, else its subscriptionId; none\n\
                      for an assessment of a management group): the smallest per resource."
                .to_string(),
            body: format!(
                "SELECT resource_key AS hint_resource,\n  min(CASE WHEN subscription IS NULL THEN coalesce(\n    CASE WHEN {id_sub} IS NOT NULL THEN {connector} END,\n    connector_id,\n    {workspace_sub},\n    CASE WHEN NOT {mg} THEN coalesce({id_sub}, subscription_column) END) END) AS hint\nFROM located\nGROUP BY resource_key",
                connector = d.extract("assessment_id", CONNECTOR),
                workspace_sub = d.extract("workspace_id", SUBSCRIPTION),
                mg = d.matches(
                    "coalesce(assessment_id, '')",
                    "(?i)^/?providers/microsoft[.]management/managementgroups/[^/?]+"
                ),
            ),
        }
    }

    /// One assessment per resource and recommendation.
    fn assessments(&self) -> Cte {
        let d = self.d;
        let group = match self.request.group_by {
            Some(QueryGroupBy::ResourceGroup | QueryGroupBy::Type) => {
                ", min(group_spelling) AS group_spelling"
            }
            _ => "",
        };
        Cte {
            name: "assessments".to_string(),
            comment: "One assessment per resource and recommendation (SPEC §2): repeats must agree.".to_string(),
            body: format!(
                "SELECT resource_key, recommendation, min(scope_key) AS scope_key, min(subscription_key) AS subscription_key{group},\n  CASE WHEN min(fingerprint) <> max(fingerprint) THEN {}\n    ELSE max(status) END AS status\nFROM identified\nGROUP BY resource_key, recommendation",
                d.fail(
                    "'securescore: resource ' || min(resource) || ' is assessed twice against recommendation ' || recommendation || ' with different results'"
                )
            ),
        }
    }

    /// The filters (`--scope`, `--management-group`) and the group key.
    fn selected(&self) -> Cte {
        let r = self.request;
        let mut conditions = Vec::new();
        if !r.scopes.is_empty() {
            let any: Vec<String> = r.scopes.iter().map(|f| self.scope_condition(f)).collect();
            conditions.push(format!("({})", any.join("\n    OR ")));
        }
        if r.subscriptions.is_some() {
            conditions
                .push("scope_key IN (SELECT scope_key FROM management_group_subscriptions)".to_string());
        }
        let group_key = match r.group_by {
            None => "",
            Some(QueryGroupBy::Subscription) => ",\n  scope_key AS group_key",
            Some(QueryGroupBy::ResourceGroup | QueryGroupBy::Type) => {
                ",\n  lower(group_spelling) AS group_key"
            }
        };
        let comment = if conditions.is_empty() {
            "The selected resources: no filter, every resource.".to_string()
        } else {
            "The selected resources (SPEC §1.3): --scope keeps an id at or under a path (on a segment\n\
             boundary) or a subscription; --management-group keeps its subscriptions' resources."
                .to_string()
        };
        let filter = if conditions.is_empty() {
            String::new()
        } else {
            format!("\nWHERE {}", conditions.join("\n  AND "))
        };
        Cte {
            name: "selected".to_string(),
            comment,
            body: format!("SELECT *{group_key}\nFROM assessments{filter}"),
        }
    }

    /// One `--scope` filter as a condition on a row of `assessments`.
    fn scope_condition(&self, f: &ScopeFilter) -> String {
        let d = self.d;
        match f {
            ScopeFilter::Bare { exact, key } => format!(
                "resource_key = {} OR scope_key = {k} OR subscription_key = {k}",
                self.lit(exact),
                k = self.lit(key)
            ),
            ScopeFilter::AzurePath { body } => format!(
                "resource_key = {b} OR {}",
                d.starts_with("resource_key", &self.lit(&format!("{body}/"))),
                b = self.lit(body)
            ),
            ScopeFilter::OtherPath { prefix } => format!(
                "resource_key = {p} OR {}",
                d.starts_with("resource_key", &self.lit(&format!("{prefix}/"))),
                p = self.lit(prefix)
            ),
        }
    }

    /// How scopes and groups are shown: their smallest spelling.
    fn names(&self) -> Vec<Cte> {
        let mut ctes = vec![Cte {
            name: "scope_names".to_string(),
            comment: "Each scope as shown: its smallest spelling among the table's resources.".to_string(),
            body: "SELECT scope_key, min(scope_spelling) AS scope\nFROM identified\nGROUP BY scope_key"
                .to_string(),
        }];
        if matches!(
            self.request.group_by,
            Some(QueryGroupBy::ResourceGroup | QueryGroupBy::Type)
        ) {
            ctes.push(Cte {
                name: "group_names".to_string(),
                comment: "Each group as shown: its smallest spelling among the selected resources."
                    .to_string(),
                body:
                    "SELECT group_key, min(group_spelling) AS group_name\nFROM selected\nGROUP BY group_key"
                        .to_string(),
            });
        }
        ctes
    }

    /// Step 1: the counted assessments.
    fn counted(&self) -> Cte {
        let r = self.request;
        let mut facts = Vec::new();
        let (preview, custom) = if r.source == Source::ResourceGraph {
            facts.push(
                "LEFT JOIN recommendation_metadata m ON m.recommendation = a.recommendation".to_string(),
            );
            (
                "coalesce(f.preview, false) OR m.preview",
                "coalesce(f.custom, false) OR m.custom",
            )
        } else {
            ("coalesce(f.preview, false)", "coalesce(f.custom, false)")
        };
        let mut conditions = vec![format!("NOT ({custom})")];
        if !r.include_preview {
            conditions.push(format!("NOT ({preview})"));
        }
        let (join, control) = if self.classic() {
            (
                "JOIN control_members c ON c.recommendation = a.recommendation\n",
                ", c.control",
            )
        } else {
            ("", "")
        };
        let preview_rule = if r.include_preview {
            "not custom (--include-preview: preview ones count)"
        } else {
            "not custom, not preview"
        };
        Cte {
            name: "counted".to_string(),
            comment: if self.classic() {
                format!(
                    "Step 1 (SPEC §1): the counted assessments, one row per control that holds their\n\
                     recommendation: {preview_rule}, of a selected resource."
                )
            } else {
                format!(
                    "Step 1 (SPEC §1): the counted assessments: {preview_rule}, of a selected\n\
                     resource; no control needed (SPEC §7)."
                )
            },
            body: format!(
                "SELECT a.*{control}\nFROM selected a\n{join}LEFT JOIN recommendation_facts f ON f.recommendation = a.recommendation\n{}WHERE {}",
                facts.iter().map(|f| format!("{f}\n")).collect::<String>(),
                conditions.join("\n  AND ")
            ),
        }
    }

    /// Steps 3 and 4 (and the weights): the counts per scope (and group).
    fn counts(&self) -> Vec<Cte> {
        let g = if self.grouped() { ", group_key" } else { "" };
        let tally = |unit: &str| {
            format!(
                "count(CASE WHEN {unit} = 1 THEN 1 END) AS healthy,\n  count(CASE WHEN {unit} = 2 THEN 1 END) AS unhealthy,\n  count(CASE WHEN {unit} = 0 THEN 1 END) AS not_applicable"
            )
        };
        let mut ctes = Vec::new();
        if self.classic() {
            ctes.push(Cte {
                name: "states".to_string(),
                comment: "Step 3: each resource's state in each control: unhealthy if any counted assessment is,\n\
                          else healthy if any is, else not applicable."
                    .to_string(),
                body: format!(
                    "SELECT scope_key{g}, control, resource_key, max(status) AS state\nFROM counted\nGROUP BY scope_key{g}, control, resource_key"
                ),
            });
            ctes.push(Cte {
                name: "control_counts".to_string(),
                comment: "Step 4: per scope and control, the distinct resources in each state.".to_string(),
                body: format!(
                    "SELECT scope_key{g}, control,\n  {}\nFROM states\nGROUP BY scope_key{g}, control",
                    tally("state")
                ),
            });
        } else {
            ctes.push(Cte {
                name: "recommendation_counts".to_string(),
                comment: format!(
                    "Steps 3 and 4 ({} counts per recommendation, SPEC §7): per scope and recommendation, the\ndistinct resources in each state (one assessment per resource).",
                    self.request.model
                ),
                body: format!(
                    "SELECT scope_key{g}, recommendation,\n  {}\nFROM counted\nGROUP BY scope_key{g}, recommendation",
                    tally("status")
                ),
            });
        }
        ctes.push(Cte {
            name: "weights".to_string(),
            comment: format!(
                "The weight of each scope (SPEC §1.1): its resources healthy or unhealthy in at least one\ncounted assessment{}.",
                if self.classic() {
                    ""
                } else {
                    " (of any counted recommendation, in a control or not)"
                }
            ),
            body: format!(
                "SELECT scope_key{g}, count(DISTINCT CASE WHEN status > 0 THEN resource_key END) AS resources\nFROM counted\nGROUP BY scope_key{g}"
            ),
        });
        ctes
    }

    /// Resource Graph rows: what their metadata says of each recommendation.
    fn recommendation_metadata(&self) -> Cte {
        let d = self.d;
        let flag = |name: &str| {
            format!(
                "CASE WHEN min({name}) <> max({name}) THEN {}\n    ELSE coalesce(max({name}) = 'true', false) END AS {name}",
                d.fail(&format!(
                    "'securescore: recommendation ' || recommendation || ' is {} in some assessments and not in others'",
                    name
                ))
            )
        };
        Cte {
            name: "recommendation_metadata".to_string(),
            comment:
                "What the rows' metadata say of each recommendation (preview; custom when assessmentType\n\
                      is not built in): assessments of one recommendation must agree."
                    .to_string(),
            body: format!(
                "SELECT recommendation,\n  {},\n  {}\nFROM rows_read\nGROUP BY recommendation",
                flag("preview"),
                flag("custom")
            ),
        }
    }

    /// The counts rows, sorted by scope, group, then weight row first, then id.
    fn final_select(&self) -> String {
        let d = self.d;
        let group_name = d.name("group");
        let scope = "n.scope AS scope";
        let group_col = match self.request.group_by {
            None => String::new(),
            Some(QueryGroupBy::Subscription) => format!(", gn.scope AS {group_name}"),
            Some(_) => format!(", gn.group_name AS {group_name}"),
        };
        let joins = |alias: &str| {
            let mut j = format!("JOIN scope_names n ON n.scope_key IS NOT DISTINCT FROM {alias}.scope_key");
            match self.request.group_by {
                None => {}
                Some(QueryGroupBy::Subscription) => {
                    j.push_str(&format!(
                        "\nJOIN scope_names gn ON gn.scope_key IS NOT DISTINCT FROM {alias}.group_key"
                    ));
                }
                Some(_) => j.push_str(&format!(
                    "\nJOIN group_names gn ON gn.group_key IS NOT DISTINCT FROM {alias}.group_key"
                )),
            }
            j
        };
        let order_group = if self.grouped() {
            format!(", {group_name} NULLS LAST")
        } else {
            String::new()
        };
        let mut sql = String::from("-- The counts rows (SPEC §10), sorted.\n");
        // Each counts row (a control's or a recommendation's), then each weight row.
        let (item, counts) = if self.classic() {
            ("control", "control_counts")
        } else {
            ("recommendation", "recommendation_counts")
        };
        let _ = write!(
            sql,
            "SELECT 1 AS securescore_counts, {scope}{group_col}, c.{item} AS {item},\n  c.healthy AS healthy, c.unhealthy AS unhealthy, c.not_applicable AS not_applicable,\n  CAST(NULL AS BIGINT) AS resources\nFROM {counts} c\n{}\nUNION ALL\nSELECT 1 AS securescore_counts, {scope}{group_col}, CAST(NULL AS STRING) AS {item},\n  CAST(NULL AS BIGINT) AS healthy, CAST(NULL AS BIGINT) AS unhealthy, CAST(NULL AS BIGINT) AS not_applicable,\n  w.resources AS resources\nFROM weights w\n{}\nORDER BY scope NULLS LAST{order_group}, {item} NULLS FIRST;\n",
            joins("c"),
            joins("w")
        );
        sql
    }
}

/// Items of a select list, one a line.
fn indent_list(items: &[String]) -> String {
    items.join(",\n  ")
}

/// A scope filter for the query's header comment.
fn describe_scope(f: &ScopeFilter) -> String {
    match f {
        ScopeFilter::Bare { exact, .. } => format!("{exact:?}"),
        ScopeFilter::AzurePath { body } => format!("{:?}", format!("/{body}")),
        ScopeFilter::OtherPath { prefix } => format!("{prefix:?}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::ScoringRequest;
    use crate::query::tests::{model_of, request, DEFS};

    fn sql(engine: Engine, scoring: &ScoringRequest, group_by: Option<QueryGroupBy>) -> String {
        let model = model_of(&[DEFS]);
        let mut r = request(engine, scoring, &model).unwrap();
        r.group_by = group_by;
        let mut out = Vec::new();
        write(&r, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn string_literals_escape_as_each_dialect_reads_them() {
        assert_eq!(Dialect::DuckDb.string(r"o'b\x"), r"'o''b\x'");
        assert_eq!(Dialect::Spark.string(r"o'b\x"), r"'o\'b\\x'");
        assert_eq!(Dialect::DuckDb.name("group"), "\"group\"");
        assert_eq!(Dialect::Spark.name("group"), "`group`");
    }

    #[test]
    fn the_same_request_writes_the_same_bytes_ending_with_a_newline() {
        let scoring = ScoringRequest {
            as_of: crate::date::Date::from_ymd(2026, 11, 22),
            ..ScoringRequest::default()
        };
        for engine in [Engine::DuckDb, Engine::Spark] {
            let a = sql(engine, &scoring, Some(QueryGroupBy::Type));
            assert_eq!(a, sql(engine, &scoring, Some(QueryGroupBy::Type)));
            assert!(a.ends_with(";\n"));
            // The definitions in another order give the same query.
            let reordered = DEFS.replace(
                r#"{"id": "c2", "max_score": 4, "recommendations": ["r3", "r1"]},
            {"id": "c1", "max_score": 6, "recommendations": ["r2", "r1"]}"#,
                r#"{"id": "c1", "max_score": 6, "recommendations": ["r1", "r2"]},
            {"id": "c2", "max_score": 4, "recommendations": ["r1", "r3"]}"#,
            );
            assert_ne!(reordered, DEFS);
            let model = model_of(&[&reordered]);
            let mut r = request(engine, &scoring, &model).unwrap();
            r.group_by = Some(QueryGroupBy::Type);
            let mut out = Vec::new();
            write(&r, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), a);
        }
    }

    #[test]
    fn columns_of_ids_are_read_as_text_whatever_type_the_engine_gave_them() {
        // DuckDB's JSON reader types a column of GUIDs as UUID: `nullif(x, '')` on it
        // fails with "Could not convert string '' to UUID", and Azure's keys are GUIDs.
        let model = model_of(&[DEFS]);
        for engine in [Engine::DuckDb, Engine::Spark] {
            let native = sql(engine, &ScoringRequest::default(), None);
            for column in ["resource", "recommendation", "status"] {
                assert!(
                    native.contains(&format!("CAST({column} AS STRING) AS {column}")),
                    "{column}"
                );
            }
            let mut r = request(engine, &ScoringRequest::default(), &model).unwrap();
            r.source = Source::ResourceGraph;
            let mut out = Vec::new();
            write(&r, &mut out).unwrap();
            let graph = String::from_utf8(out).unwrap();
            for column in ["id", "name", "subscriptionId"] {
                assert!(graph.contains(&format!("CAST({column} AS STRING)")), "{column}");
            }
        }
    }

    #[test]
    fn the_model_decides_the_rows() {
        let classic = sql(Engine::DuckDb, &ScoringRequest::default(), None);
        assert!(classic.contains("control_members AS ("));
        assert!(classic.contains("AS resources\nFROM weights w"));
        assert!(
            !classic.contains("\"group\""),
            "no group column without --group-by"
        );
        let v1 = ScoringRequest {
            model: ScoringModel::V1,
            ..ScoringRequest::default()
        };
        let v1 = sql(Engine::Spark, &v1, Some(QueryGroupBy::Subscription));
        assert!(!v1.contains("control_members"), "v1 needs no membership");
        // Its weight rows count every counted recommendation's resources, from `counted`
        // itself, which joins no control.
        assert!(v1.contains("AS resources\n  FROM counted\n  GROUP BY scope_key, group_key"));
        assert!(v1.contains("CAST(NULL AS STRING) AS recommendation,"));
        assert!(v1.contains("AS resources\nFROM weights w"));
        assert!(v1.contains("AS `group`, c.recommendation AS recommendation"));
    }

    #[test]
    fn exemptions_are_read_only_when_they_count() {
        let ignored = ScoringRequest {
            ignore_exemptions: true,
            ..ScoringRequest::default()
        };
        // The table needs no exemption column then.
        let text = sql(Engine::DuckDb, &ignored, None);
        assert!(
            !text.contains("(exemption") && !text.contains("exemption_"),
            "{text}"
        );
        let judged = ScoringRequest {
            as_of: crate::date::Date::from_ymd(2027, 1, 31),
            ..ScoringRequest::default()
        };
        let text = sql(Engine::Spark, &judged, None);
        assert!(text.contains(">= DATE '2027-01-31'"));
        assert!(text.contains(">= TIMESTAMP '2027-01-31 00:00:00Z'"));
    }

    #[test]
    fn an_empty_literal_table_is_a_typed_select() {
        let model = model_of(&[r#"{"controls": [{"id": "c", "max_score": 1, "recommendations": ["r"]}]}"#]);
        let r = request(Engine::Spark, &ScoringRequest::default(), &model).unwrap();
        assert!(r.recommendations.is_empty());
        let mut out = Vec::new();
        write(&r, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(
            "recommendation_facts AS (\n  SELECT CAST(NULL AS STRING) AS recommendation, CAST(NULL AS BOOLEAN) AS preview, \
             CAST(NULL AS BOOLEAN) AS custom WHERE 1 = 0\n)"
        ));
    }

    #[test]
    fn no_backslash_in_a_pattern() {
        // Spark's string literals read backslashes as escapes: the patterns avoid them.
        for p in [AZURE_ID, SUBSCRIPTION, CONNECTOR, RESOURCE_GROUP, GUID] {
            assert!(!p.contains('\\') && !p.contains('\''), "{p}");
        }
    }
}
