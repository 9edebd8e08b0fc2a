//! Counts rows (SPEC §10) on their way into the model: what `securescore query` makes an
//! engine return, one object per row with `"securescore_counts": 1`. Each row is read
//! ([`CountsRowIn`], [`item_of`]) where it stands (a bare array, a Resource Graph result's
//! `data`, a JSON Lines line, a native document's `counts`), collected as read
//! ([`CountsCollected`]), and settled once the scopes and controls are known
//! ([`CountsCollected::settle`]): every row is checked against the others (repeats,
//! groups, what a scope's rows count) and against the rest of the inputs (assessments or
//! Azure's exported objects of the same scope, unknown controls), and the control rows,
//! summed over their groups, join Azure's exported control counts, which the classic
//! arithmetic already scores a count-level scope from (SPEC §3).

use super::azure::Count;
use super::native::{Extra, Id};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::json_schema;
use crate::model::{
    Assessment, Control, CountRow, CountRows, Counts, ExportScope, Exported, ExportedControl, Figures,
    Recommendation, Scope, WeightRow,
};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The key that makes an object a counts row.
pub const KEY: &str = "securescore_counts";

/// The version of counts rows this build reads (the value of [`KEY`]).
pub const VERSION: u64 = 1;

/// One counts row as written (SPEC §10): a control row, a recommendation row or a
/// weight row, told apart by which of `control`, `recommendation` and `resources` it has.
#[derive(Deserialize, JsonSchema)]
pub struct CountsRowIn {
    /// The version of the row's format: 1.
    #[serde(deserialize_with = "version")]
    #[schemars(schema_with = "version_schema")]
    pub securescore_counts: u64,
    /// The scope: a subscription id, a security connector id, or null for the unnamed
    /// scope. Required.
    #[serde(deserialize_with = "nullable_id")]
    #[schemars(schema_with = "nullable_id_schema")]
    pub scope: Option<String>,
    /// The group (a query written with `--group-by`): its id, or null for the resources
    /// without the key. Absent on rows that are not grouped.
    #[serde(default, deserialize_with = "present")]
    #[schemars(schema_with = "nullable_id_schema")]
    pub group: Option<Option<String>>,
    /// A control row's control id.
    #[serde(default, deserialize_with = "optional_id")]
    #[schemars(schema_with = "id_schema")]
    pub control: Option<String>,
    /// A recommendation row's recommendation id (`v1`, `pass-rate`).
    #[serde(default, deserialize_with = "optional_id")]
    #[schemars(schema_with = "id_schema")]
    pub recommendation: Option<String>,
    /// Distinct resources in each state.
    #[serde(default)]
    #[schemars(schema_with = "count_schema")]
    pub healthy: Option<Count>,
    #[serde(default)]
    #[schemars(schema_with = "count_schema")]
    pub unhealthy: Option<Count>,
    #[serde(default)]
    #[schemars(schema_with = "count_schema")]
    pub not_applicable: Option<Count>,
    /// A weight row's resources that weigh (SPEC §1.1).
    #[serde(default)]
    #[schemars(schema_with = "count_schema")]
    pub resources: Option<Count>,
    /// The row's keys as one string: Resource Graph pages only a result with an `id`
    /// column, so its counting query writes one. Not read otherwise.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    #[allow(dead_code)]
    pub id: Option<serde::de::IgnoredAny>,
    /// The table `az monitor log-analytics query` names on each row. Not read.
    #[serde(default, rename = "TableName")]
    #[schemars(with = "Option<String>")]
    #[allow(dead_code)]
    pub table_name: Option<serde::de::IgnoredAny>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

impl super::native::HasExtra for CountsRowIn {
    fn extra_keys(&self) -> Vec<(&str, String)> {
        self.extra.keys().map(|k| (k.as_str(), String::new())).collect()
    }
}

fn version<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    let Count(v) = Count::deserialize(d)?;
    if v == VERSION {
        Ok(v)
    } else {
        Err(de::Error::custom(format!(
            "counts rows of version {v}: this version of securescore reads version {VERSION} (write them \
             with its own securescore query)"
        )))
    }
}

/// A required id that may be null.
fn nullable_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Option::<Id>::deserialize(d)?.map(|id| id.0.into_owned()))
}

/// An optional id (absent or null: none).
fn optional_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    nullable_id(d)
}

/// A key that may be absent (`None`) or hold an id or null (`Some`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    nullable_id(d).map(Some)
}

fn version_schema(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({"const": VERSION})
}

fn nullable_id_schema(generator: &mut SchemaGenerator) -> Schema {
    json_schema::or_null(json_schema::id(generator))
}

fn id_schema(generator: &mut SchemaGenerator) -> Schema {
    json_schema::or_null(json_schema::id(generator))
}

fn count_schema(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": ["integer", "number", "null"],
        "minimum": 0,
        "maximum": super::azure::COUNT_LIMIT,
        "multipleOf": 1
    })
}

/// The keys of a counts row that hold counts.
const COUNT_KEYS: [&str; 5] = [KEY, "healthy", "unhealthy", "not_applicable", "resources"];

/// A row as `az monitor log-analytics query` prints it, made the row the query returned:
/// that command names each row's table (`TableName`) and writes every value with
/// Python's `str()`, so a count is text (`"5"`) and a null is `"None"`. `None` for a row
/// without a `TableName`, which is read as it stands.
pub(crate) fn from_log_analytics(raw: &str) -> Option<serde_json::Value> {
    let mut row: serde_json::Map<String, serde_json::Value> = serde_json::from_str(raw).ok()?;
    row.get("TableName")?;
    for (key, value) in row.iter_mut().filter(|(k, _)| k.as_str() != "TableName") {
        let serde_json::Value::String(text) = value else {
            continue;
        };
        if text == "None" {
            *value = serde_json::Value::Null;
        } else if COUNT_KEYS.contains(&key.as_str()) {
            let number = text.parse::<u64>().map(serde_json::Value::from).ok().or_else(|| {
                text.parse::<f64>()
                    .ok()
                    .and_then(serde_json::Number::from_f64)
                    .map(serde_json::Value::Number)
            });
            if let Some(number) = number {
                *value = number;
            }
        }
    }
    Some(serde_json::Value::Object(row))
}

/// The schema of a counts row as `az monitor log-analytics query` prints it
/// ([`from_log_analytics`]): every value text, a count's digits or `"None"`.
pub(crate) fn log_analytics_schema() -> Schema {
    let count = serde_json::json!({"type": "string", "pattern": "^(None|[0-9]+(\\.0*)?)$"});
    let text = serde_json::json!({"type": "string", "minLength": 1});
    let mut properties = serde_json::Map::new();
    for key in COUNT_KEYS {
        properties.insert(key.to_string(), count.clone());
    }
    for key in ["scope", "group", "control", "recommendation", "id", "TableName"] {
        properties.insert(key.to_string(), text.clone());
    }
    properties.insert(
        KEY.to_string(),
        serde_json::json!({"type": "string", "pattern": "^1(\\.0*)?$"}),
    );
    schemars::json_schema!({
        "type": "object",
        "required": [KEY, "scope", "TableName"],
        "properties": properties
    })
}

/// What one row counts.
#[derive(Clone, Debug, PartialEq)]
enum Item {
    Control(String, Counts),
    /// A recommendation (its index among the builder's) and its counts.
    Recommendation(u32, Counts),
    Weight(u64),
}

impl Item {
    /// The order rows of one scope and group are kept in, and what makes two rows the
    /// same row: weights, then controls by id, then recommendations.
    fn key(&self) -> (u8, &str, u32) {
        match self {
            Item::Weight(_) => (0, "", 0),
            Item::Control(id, _) => (1, id.as_str(), 0),
            Item::Recommendation(r, _) => (2, "", *r),
        }
    }
}

/// One row as read, with where it was read.
#[derive(Clone, Debug)]
struct RowIn {
    scope: Option<String>,
    group: Option<Option<String>>,
    item: Item,
    at: Origin,
    /// Its scope's index among the model's, once settled.
    scope_ix: u32,
    /// Its group's folded id (`None`: null or no group), once settled.
    group_key: Option<String>,
}

impl RowIn {
    /// What makes two rows the same row, and the order rows are kept in: scope, group
    /// (rows without one first), item.
    fn key(&self) -> (u32, bool, Option<&str>, (u8, &str, u32)) {
        (
            self.scope_ix,
            self.group.is_some(),
            self.group_key.as_deref(),
            self.item.key(),
        )
    }
}

/// A row's control, recommendation or weight, checked: what it counts, or why it
/// cannot be read. `recommendation` interns a recommendation id.
fn item_of(row: &CountsRowIn, recommendation: impl FnOnce(&str) -> u32) -> Result<Item, String> {
    const ONE_OF: &str = "expected a control row (control, healthy, unhealthy, not_applicable), a \
                          recommendation row (recommendation and the same counts) or a weight row (resources)";
    let counts = |what: &str| -> Result<Counts, String> {
        let missing: Vec<&str> = [
            ("healthy", row.healthy.is_none()),
            ("unhealthy", row.unhealthy.is_none()),
            ("not_applicable", row.not_applicable.is_none()),
        ]
        .into_iter()
        .filter_map(|(k, absent)| absent.then_some(k))
        .collect();
        if !missing.is_empty() {
            return Err(format!(
                "a counts row of {what} without {}: expected healthy, unhealthy and not_applicable",
                missing.join(", ")
            ));
        }
        let n = |c: &Option<Count>| c.as_ref().map_or(0, |c| c.0);
        Ok(Counts {
            healthy: n(&row.healthy),
            unhealthy: n(&row.unhealthy),
            not_applicable: n(&row.not_applicable),
        })
    };
    match (&row.control, &row.recommendation, &row.resources) {
        (Some(c), None, None) => Ok(Item::Control(
            c.clone(),
            counts(&format!("control {}", crate::text::quoted_name_and_id(None, c)))?,
        )),
        (None, Some(r), None) => {
            let counts = counts(&format!(
                "recommendation {}",
                crate::text::quoted_name_and_id(None, r)
            ))?;
            Ok(Item::Recommendation(recommendation(r), counts))
        }
        (None, None, Some(w)) => {
            let given: Vec<&str> = [
                ("healthy", row.healthy.is_some()),
                ("unhealthy", row.unhealthy.is_some()),
                ("not_applicable", row.not_applicable.is_some()),
            ]
            .into_iter()
            .filter_map(|(k, given)| given.then_some(k))
            .collect();
            if given.is_empty() {
                Ok(Item::Weight(w.0))
            } else {
                Err(format!(
                    "a weight row (resources) with {}: {ONE_OF}",
                    given.join(", ")
                ))
            }
        }
        (None, None, None) => Err(format!(
            "a counts row with none of control, recommendation, resources: {ONE_OF}"
        )),
        _ => {
            let given: Vec<&str> = [
                ("control", row.control.is_some()),
                ("recommendation", row.recommendation.is_some()),
                ("resources", row.resources.is_some()),
            ]
            .into_iter()
            .filter_map(|(k, given)| given.then_some(k))
            .collect();
            Err(format!("a counts row with {}: {ONE_OF}", given.join(" and ")))
        }
    }
}

/// The scope an exported object of a scope id names: a connector's path, else a
/// subscription.
fn export_scope(id: &str) -> ExportScope {
    if id.contains('/') {
        ExportScope::Connector(id.to_string())
    } else {
        ExportScope::Subscription(id.to_string())
    }
}

/// The folded key a scope id compares under (`None`: the unnamed scope).
fn scope_key(id: Option<&str>) -> Option<String> {
    id.map(|s| export_scope(s).key())
}

/// The key a group id compares under: group ids are case-folded ids (resource groups,
/// types, subscriptions), as `assess --group-by` folds them.
fn group_key(id: Option<&str>) -> Option<String> {
    id.map(str::to_lowercase)
}

/// Counts rows as read, settled when the model is finished.
#[derive(Default)]
pub(crate) struct CountsCollected {
    rows: Vec<RowIn>,
}

/// What a settled scope index is looked up from.
type ScopeIndex = BTreeMap<Option<String>, u32>;

impl CountsCollected {
    /// Reads one row: an error message when it cannot be read (the caller places it).
    pub(crate) fn add(
        &mut self,
        row: &CountsRowIn,
        at: Origin,
        recommendation: impl FnOnce(&str) -> u32,
    ) -> Result<(), String> {
        let item = item_of(row, recommendation)?;
        self.rows.push(RowIn {
            scope: row.scope.clone(),
            group: row.group.clone(),
            item,
            at,
            scope_ix: u32::MAX,
            group_key: None,
        });
        Ok(())
    }

    /// The scopes the rows name, for the model's scopes, and whether one is the unnamed
    /// scope.
    pub(crate) fn scopes(&self) -> (Vec<ExportScope>, bool) {
        let mut named: Vec<ExportScope> = self
            .rows
            .iter()
            .filter_map(|r| r.scope.as_deref().map(export_scope))
            .collect();
        named.sort();
        named.dedup();
        (named, self.rows.iter().any(|r| r.scope.is_none()))
    }

    /// Settles the rows once scopes and controls are known: checks them (each problem an
    /// error or warning in `diags`), marks their scopes count-level, and adds the control
    /// rows, summed over their groups, to `exported`'s control counts (no figures: each
    /// control scores at its definition's max).
    pub(crate) fn settle(self, known: Known, exported: &mut Exported, diags: &mut Diagnostics) -> CountRows {
        if self.rows.is_empty() {
            return CountRows::default();
        }
        let index: ScopeIndex = known
            .scopes
            .iter()
            .enumerate()
            .map(|(i, s)| (s.key.clone(), i as u32))
            .collect();
        let mut rows = self.rows;
        for r in rows.iter_mut() {
            r.scope_ix = index
                .get(&scope_key(r.scope.as_deref()))
                .copied()
                .unwrap_or(u32::MAX);
            r.group_key = group_key(flat(&r.group));
        }
        // Repeats side by side, in the order read (the sort is stable).
        rows.sort_by(|a, b| a.key().cmp(&b.key()));
        let rows = merge_repeats(rows, known.recommendations, diags);
        check_scopes(&rows, &known, exported, diags);
        let groups = groups_of(&rows);
        let group_index: BTreeMap<&Option<String>, u32> =
            groups.keys().enumerate().map(|(i, k)| (k, i as u32)).collect();
        let group_of = |r: &RowIn| -> Option<u32> {
            r.group.as_ref()?;
            group_index.get(&r.group_key).copied()
        };
        let mut out = CountRows {
            groups: groups.values().cloned().collect(),
            ..CountRows::default()
        };
        // The place of each control row's first row, for the summed counts.
        let mut first_at: BTreeMap<(u32, u32), &Origin> = BTreeMap::new();
        for r in &rows {
            let (scope, group) = (r.scope_ix, group_of(r));
            match &r.item {
                Item::Weight(w) => out.weights.push(WeightRow {
                    scope,
                    group,
                    resources: *w,
                }),
                Item::Control(id, counts) => match known.controls.binary_search_by(|c| c.id.as_str().cmp(id))
                {
                    Ok(c) => {
                        first_at.entry((scope, c as u32)).or_insert(&r.at);
                        out.controls.push(CountRow {
                            scope,
                            group,
                            item: c as u32,
                            counts: *counts,
                        });
                    }
                    Err(_) => diags.push(unknown_control(id, r.at.clone())),
                },
                Item::Recommendation(rec, counts) => out.recommendations.push(CountRow {
                    scope,
                    group,
                    item: *rec,
                    counts: *counts,
                }),
            }
        }
        let by_item =
            |a: &CountRow, b: &CountRow| (a.scope, a.group, a.item).cmp(&(b.scope, b.group, b.item));
        out.controls.sort_by(by_item);
        out.recommendations.sort_by(by_item);
        out.weights.sort_by_key(|w| (w.scope, w.group));
        check_weights(&out, &rows, known.scopes, diags);
        add_to_exported(&out, &first_at, exported);
        out
    }
}

/// What the model being finished knows when the rows are settled.
pub(crate) struct Known<'a> {
    /// Sorted by key, the unnamed scope last.
    pub(crate) scopes: &'a [Scope],
    /// Sorted by id.
    pub(crate) controls: &'a [Control],
    pub(crate) recommendations: &'a [Recommendation],
    pub(crate) resource_scope: &'a [u32],
    pub(crate) assessments: &'a [Assessment],
}

/// `Some(Some(id))` → `Some(id)`; a group's id (`None`: null, or no group).
fn flat(group: &Option<Option<String>>) -> Option<&str> {
    group.as_ref().and_then(|g| g.as_deref())
}

/// What a row counts, as a message names it.
fn describe(item: &Item, recommendations: &[Recommendation]) -> String {
    match item {
        Item::Weight(_) => "the weight row".to_string(),
        Item::Control(id, _) => format!("the row of control {}", crate::text::quoted_name_and_id(None, id)),
        Item::Recommendation(r, _) => format!(
            "the row of recommendation {}",
            recommendations.get(*r as usize).map_or_else(
                || "?".to_string(),
                |rec| crate::text::quoted_name_and_id(None, &rec.id)
            )
        ),
    }
}

/// Where a row is, as a message names it: its scope and group.
fn place(r: &RowIn) -> String {
    let scope = r.scope.as_deref().map_or_else(
        || "the unnamed scope".to_string(),
        |s| format!("scope {}", crate::text::quoted_name_and_id(None, s)),
    );
    match &r.group {
        None => scope,
        Some(None) => format!("{scope}, group null"),
        Some(Some(g)) => format!("{scope}, group {}", crate::text::quoted_name_and_id(None, g)),
    }
}

/// Drops repeated rows (the same scope, group and item): identical ones are kept once
/// with one warning, different ones are an error each.
fn merge_repeats(
    rows: Vec<RowIn>,
    recommendations: &[Recommendation],
    diags: &mut Diagnostics,
) -> Vec<RowIn> {
    let same_key = |a: &RowIn, b: &RowIn| a.key() == b.key();
    let mut kept: Vec<RowIn> = Vec::with_capacity(rows.len());
    let (mut repeats, mut example): (usize, Option<String>) = (0, None);
    for r in rows {
        if let Some(prev) = kept.last() {
            if same_key(prev, &r) {
                if prev.item == r.item {
                    repeats += 1;
                    example.get_or_insert_with(|| {
                        format!(
                            "{} of {}, at {}",
                            describe(&r.item, recommendations),
                            place(&r),
                            r.at
                        )
                    });
                } else {
                    diags.push(
                        Diagnostic::error(
                            "conflicting-counts",
                            format!(
                                "{} of {} is given twice with different counts ({} here, {} at {}): a counts row must \
                                 appear once, or repeat identically",
                                describe(&r.item, recommendations),
                                place(&r),
                                figures(&r.item),
                                figures(&prev.item),
                                prev.at
                            ),
                        )
                        .at(r.at.clone()),
                    );
                }
                continue;
            }
        }
        kept.push(r);
    }
    if let Some(example) = example {
        diags.push(Diagnostic::warning(
            "duplicate-assessment",
            format!("{repeats} counts row(s) repeated identically were kept once (for example: {example})"),
        ));
    }
    kept
}

/// A row's numbers, as a message shows them.
fn figures(item: &Item) -> String {
    match item {
        Item::Weight(w) => format!("{w} resources"),
        Item::Control(_, c) | Item::Recommendation(_, c) => format!(
            "{} healthy, {} unhealthy, {} not applicable",
            c.healthy, c.unhealthy, c.not_applicable
        ),
    }
}

/// Checks each scope's rows against each other and the rest of the inputs: all grouped
/// or none; control rows or recommendation rows, not both; no assessment and no Azure
/// secure score object of the same scope.
fn check_scopes(rows: &[RowIn], known: &Known, exported: &Exported, diags: &mut Diagnostics) {
    let mut assessed = vec![false; known.scopes.len()];
    for a in known.assessments {
        if let Some(flag) = known
            .resource_scope
            .get(a.resource as usize)
            .and_then(|&s| assessed.get_mut(s as usize))
        {
            *flag = true;
        }
    }
    // The first Azure secure score object of each scope.
    let mut exported_at: BTreeMap<u32, &Origin> = BTreeMap::new();
    let objects = exported.controls.iter().map(|e| (e.scope, &e.at));
    for (scope, at) in objects.chain(exported.scores.iter().map(|e| (e.scope, &e.at))) {
        exported_at.entry(scope).or_insert(at);
    }
    for scope_rows in rows.chunk_by(|a, b| a.scope_ix == b.scope_ix) {
        let first = &scope_rows[0];
        let s = first.scope_ix;
        let label = known
            .scopes
            .get(s as usize)
            .map_or_else(String::new, Scope::label);
        if assessed.get(s as usize).copied().unwrap_or(false) {
            diags.push(
                Diagnostic::error(
                    "counts-and-assessments",
                    format!(
                        "scope {label} has both counts rows and assessments: a scope is scored from one or the other; \
                         pass the counts the query returned or the assessments, not both"
                    ),
                )
                .at(first.at.clone()),
            );
        }
        if let Some(at) = exported_at.get(&s) {
            diags.push(
                Diagnostic::error(
                    "counts-and-exports",
                    format!(
                        "scope {label} has both counts rows and Azure secure score objects (at {at}): a counts-row scope is \
                         scored from its rows alone; pass one or the other"
                    ),
                )
                .at(first.at.clone()),
            );
        }
        if let Some(other) = scope_rows
            .iter()
            .find(|r| r.group.is_some() != first.group.is_some())
        {
            let (with, without) = if first.group.is_some() {
                (first, other)
            } else {
                (other, first)
            };
            diags.push(
                Diagnostic::error(
                    "mixed-counts",
                    format!(
                        "scope {label} has counts rows with a group (at {}) and without one (here): expected the rows of \
                         one query, all written with --group-by or all without",
                        with.at
                    ),
                )
                .at(without.at.clone()),
            );
        }
        let control = scope_rows.iter().find(|r| matches!(r.item, Item::Control(..)));
        let recommendation = scope_rows
            .iter()
            .find(|r| matches!(r.item, Item::Recommendation(..)));
        if let (Some(c), Some(r)) = (control, recommendation) {
            diags.push(
                Diagnostic::error(
                    "mixed-counts",
                    format!(
                        "scope {label} has control rows (at {}) and recommendation rows (here): expected the rows of one \
                         query, written for --model classic (control rows) or for v1 or pass-rate (recommendation rows)",
                        c.at
                    ),
                )
                .at(r.at.clone()),
            );
        }
    }
}

/// The groups the rows name, by folded id (`None`: the resources without the key), each
/// shown in its smallest spelling.
fn groups_of(rows: &[RowIn]) -> BTreeMap<Option<String>, Option<String>> {
    let mut groups: BTreeMap<Option<String>, Option<String>> = BTreeMap::new();
    for r in rows {
        let Some(g) = &r.group else { continue };
        let shown = groups.entry(group_key(g.as_deref())).or_insert_with(|| g.clone());
        if g < shown {
            *shown = g.clone();
        }
    }
    groups
}

/// A weight row that some groups of a scope have and others do not: the scope's weight
/// would be part exact and part approximate.
fn check_weights(out: &CountRows, rows: &[RowIn], scopes: &[Scope], diags: &mut Diagnostics) {
    let weighed: std::collections::BTreeSet<(u32, Option<u32>)> =
        out.weights.iter().map(|w| (w.scope, w.group)).collect();
    let weighed_scopes: std::collections::BTreeSet<u32> = out.weights.iter().map(|w| w.scope).collect();
    let counted = out.controls.iter().chain(&out.recommendations);
    let mut missing: Vec<(u32, Option<u32>)> = counted
        .filter(|r| weighed_scopes.contains(&r.scope) && !weighed.contains(&(r.scope, r.group)))
        .map(|r| (r.scope, r.group))
        .collect();
    missing.sort_unstable();
    missing.dedup();
    for (s, g) in missing {
        let group = g
            .and_then(|g| out.groups.get(g as usize))
            .and_then(|id| id.as_deref())
            .map_or_else(
                || "null".to_string(),
                |id| crate::text::quoted_name_and_id(None, id),
            );
        let start = rows.partition_point(|r| r.scope_ix < s);
        let at = rows.get(start).filter(|r| r.scope_ix == s).map(|r| r.at.clone());
        let mut d = Diagnostic::error(
            "missing-weight",
            format!(
                "scope {} has weight rows for some groups but none for group {group}: expected a weight row for every \
                 group with counts, as the query writes them",
                scopes.get(s as usize).map_or_else(String::new, Scope::label)
            ),
        );
        if let Some(at) = at {
            d = d.at(at);
        }
        diags.push(d);
    }
}

/// Adds the control rows, summed over their groups, to the exported control counts (in
/// their order: by scope, then control), each placed where its first row was read
/// (`first_at`).
fn add_to_exported(out: &CountRows, first_at: &BTreeMap<(u32, u32), &Origin>, exported: &mut Exported) {
    let mut sums: BTreeMap<(u32, u32), Counts> = BTreeMap::new();
    for r in &out.controls {
        sums.entry((r.scope, r.item)).or_default().add_counts(r.counts);
    }
    for ((scope, control), counts) in sums {
        exported.controls.push(ExportedControl {
            scope,
            control,
            counts,
            figures: Figures::default(),
            at: first_at
                .get(&(scope, control))
                .map(|&at| at.clone())
                .unwrap_or_default(),
        });
    }
    exported.controls.sort_by_key(|e| (e.scope, e.control));
}

/// A control row naming a control no definition gives.
fn unknown_control(id: &str, at: Origin) -> Diagnostic {
    Diagnostic::error(
        "unknown-control",
        format!(
            "a counts row names control {}, which is not among the controls scored (those the inputs define, else \
             the built-in catalog's): pass the control definitions the query was written with (securescore query \
             embeds those it was given)",
            crate::text::quoted_name_and_id(None, id)
        ),
    )
    .at(at)
}

/// Marks every scope with counts rows count-level.
pub(crate) fn mark_count_level(scopes: &mut [Scope], counts: &CountRows) {
    let rows = counts
        .controls
        .iter()
        .chain(&counts.recommendations)
        .map(|r| r.scope)
        .chain(counts.weights.iter().map(|w| w.scope));
    for s in rows {
        if let Some(scope) = scopes.get_mut(s as usize) {
            scope.count_level = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(json: &str) -> Result<Item, String> {
        let row: CountsRowIn = serde_json::from_str(json).map_err(|e| e.to_string())?;
        item_of(&row, |_| 7)
    }

    #[test]
    fn rows_are_told_by_what_they_count() {
        let counts = Counts {
            healthy: 2,
            unhealthy: 1,
            not_applicable: 0,
        };
        assert_eq!(
            item(
                r#"{"securescore_counts": 1, "scope": "s", "control": "c", "healthy": 2, "unhealthy": 1.0, "not_applicable": 0}"#
            ),
            Ok(Item::Control("c".to_string(), counts))
        );
        assert_eq!(
            item(
                r#"{"securescore_counts": 1.0, "scope": null, "group": null, "recommendation": "r", "healthy": 2, "unhealthy": 1, "not_applicable": 0}"#
            ),
            Ok(Item::Recommendation(7, counts))
        );
        assert_eq!(
            item(r#"{"securescore_counts": 1, "scope": "s", "resources": 5}"#),
            Ok(Item::Weight(5))
        );
    }

    #[test]
    fn bad_rows_say_what_was_expected() {
        let e = item(r#"{"securescore_counts": 2, "scope": "s", "resources": 5}"#).unwrap_err();
        assert!(e.contains("version 2"), "{e}");
        let e = item(r#"{"securescore_counts": 1, "resources": 5}"#).unwrap_err();
        assert!(e.contains("missing field `scope`"), "{e}");
        let e = item(r#"{"securescore_counts": 1, "scope": "s", "resources": 5.5}"#).unwrap_err();
        assert!(e.contains("5.5"), "{e}");
        let e = item(r#"{"securescore_counts": 1, "scope": "s", "resources": -1}"#).unwrap_err();
        assert!(e.contains("-1"), "{e}");
        let e = item(r#"{"securescore_counts": 1, "scope": "s", "control": "c", "healthy": 1}"#).unwrap_err();
        assert!(e.contains("without unhealthy, not_applicable"), "{e}");
        let e =
            item(r#"{"securescore_counts": 1, "scope": "s", "control": "c", "resources": 1}"#).unwrap_err();
        assert!(e.contains("with control and resources"), "{e}");
        let e = item(r#"{"securescore_counts": 1, "scope": "s", "resources": 1, "healthy": 1}"#).unwrap_err();
        assert!(e.contains("weight row (resources) with healthy"), "{e}");
        let e = item(r#"{"securescore_counts": 1, "scope": "s"}"#).unwrap_err();
        assert!(e.contains("none of control, recommendation, resources"), "{e}");
    }
}
