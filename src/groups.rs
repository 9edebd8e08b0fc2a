//! Groups of resources (`assess --group-by KEY`, SPEC §1.3): which group each assessed
//! resource belongs to, as lists of members (and whole scopes) to score. A group's score
//! is the score the inventory would get if it held only that group's resources.
//!
//! A group lists its members rather than marking every resource and scope of the model,
//! so that many small groups (64k one-resource subscriptions) cost what their members
//! do, not groups × scopes.

use crate::ids::{resource_group_of, type_of_id};
use crate::model::Model;
use crate::select::Selection;
use std::collections::{BTreeMap, HashMap, HashSet};

/// What resources are grouped by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupBy {
    Subscription,
    ResourceGroup,
    ManagementGroup,
    Type,
    /// A tag, by name (compared case-insensitively; values exactly).
    Tag(String),
}

impl GroupBy {
    /// Parses `subscription`, `resource-group`, `management-group`, `type` or `tag:NAME`.
    pub fn parse(text: &str) -> Result<GroupBy, String> {
        match text {
            "subscription" => Ok(GroupBy::Subscription),
            "resource-group" => Ok(GroupBy::ResourceGroup),
            "management-group" => Ok(GroupBy::ManagementGroup),
            "type" => Ok(GroupBy::Type),
            _ => match text.strip_prefix("tag:") {
                Some(name) if !name.is_empty() => Ok(GroupBy::Tag(name.to_string())),
                _ => Err(format!(
                    "{text:?} is not a grouping: expected subscription, resource-group, management-group, type or tag:NAME"
                )),
            },
        }
    }

    /// The key as the command line spells it.
    pub fn name(&self) -> String {
        match self {
            GroupBy::Subscription => "subscription".to_string(),
            GroupBy::ResourceGroup => "resource-group".to_string(),
            GroupBy::ManagementGroup => "management-group".to_string(),
            GroupBy::Type => "type".to_string(),
            GroupBy::Tag(name) => format!("tag:{name}"),
        }
    }
}

/// One group: its id (`None` for the resources without the key) and what it selects.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: Option<String>,
    /// Its assessed resources (indexes into
    /// [`ModelParts::resources`](crate::model::ModelParts::resources)), ascending.
    pub members: Vec<u32>,
    /// The scopes it holds whole (indexes into
    /// [`ModelParts::scopes`](crate::model::ModelParts::scopes)), ascending: a
    /// subscription group's own scope, which may be scored from exported counts; or the
    /// scopes of counts rows it holds rows of.
    pub scopes: Vec<u32>,
    /// The groups of counts rows (indexes into
    /// [`CountRows::groups`](crate::model::CountRows::groups)) whose rows it holds in
    /// `scopes`, ascending; empty when it holds those scopes whole.
    pub count_groups: Vec<u32>,
}

/// The groups found, by folded key (`None`: the resources without one): the smallest
/// spelling, the members in order, and the groups of counts rows held.
type Found = BTreeMap<Option<String>, (String, Vec<u32>, Vec<u32>)>;

/// For each group of counts rows (by index), the scopes it has rows in, ascending.
type RowScopes = BTreeMap<u32, Vec<u32>>;

/// The group keys of resource `r`: (folded key, spelling); empty when it has none.
fn keys_of(model: &Model, by: &GroupBy, r: usize) -> Vec<(String, String)> {
    let Some(resource) = model.resources.get(r) else {
        return Vec::new();
    };
    let scope = model
        .resource_scope
        .get(r)
        .and_then(|&s| model.scopes.get(s as usize));
    match by {
        GroupBy::Subscription => scope
            .and_then(|s| Some((s.key.clone()?, s.id.clone()?)))
            .into_iter()
            .collect(),
        GroupBy::ResourceGroup => resource_group_of(resource.id)
            .map(|k| (k.clone(), k))
            .into_iter()
            .collect(),
        GroupBy::ManagementGroup => scope
            .map(|s| {
                s.management_groups
                    .iter()
                    .map(|g| (g.to_lowercase(), g.clone()))
                    .collect()
            })
            .unwrap_or_default(),
        GroupBy::Type => resource
            .kind()
            .map(str::to_string)
            .or_else(|| type_of_id(resource.id))
            .map(|t| (t.to_lowercase(), t))
            .into_iter()
            .collect(),
        GroupBy::Tag(name) => resource
            .tags()
            .and_then(|tags| {
                tags.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name) || k.to_lowercase() == name.to_lowercase())
            })
            .map(|(_, v)| (v.clone(), v.clone()))
            .into_iter()
            .collect(),
    }
}

/// The groups of the assessed resources that `base` keeps (all when `None`). A scope
/// scored from exported counts can be grouped by subscription only; one of counts rows
/// written with `--group-by` (SPEC §10), by the key its rows were grouped by too.
pub fn groups(model: &Model, by: &GroupBy, base: Option<&Selection>) -> Result<Vec<Group>, String> {
    let counts_only: Vec<usize> = (0..model.scopes.len())
        .filter(|&s| model.scopes[s].count_level && base.is_none_or(|b| b.scope(s)))
        .collect();
    let rows_grouped = |s: usize| model.counts.grouped(s as u32);
    if *by != GroupBy::Subscription {
        if let Some(&s) = counts_only.iter().find(|&&s| !rows_grouped(s)) {
            let (source, advice) = match model.count_level_source(s) {
                ("counts rows", _) => (
                    "counts rows written without --group-by",
                    format!("count again with `securescore query --group-by {}`", by.name()),
                ),
                (source, advice) => (source, advice.to_string()),
            };
            return Err(format!(
                "--group-by {} needs resource-level assessments, and {} is scored from {source} ({advice}, or \
                 group by subscription)",
                by.name(),
                model.scopes[s].label()
            ));
        }
        if !counts_only.is_empty() {
            check_row_groups(model, by)?;
        }
    }
    let mut assessed = vec![false; model.resources.len()];
    for a in &model.assessments {
        assessed[a.resource as usize] = true;
    }
    if *by == GroupBy::ManagementGroup && model.management_groups.is_empty() {
        return Err(
            "--group-by management-group needs an input that defines management groups \
                    (subscriptions[].management_groups); none does"
                .to_string(),
        );
    }
    // Folded key → (smallest spelling, members in order, counts-row groups); `None` for
    // the resources without one.
    let mut found: Found = BTreeMap::new();
    for r in (0..model.resources.len()).filter(|&r| assessed[r] && base.is_none_or(|b| b.resource(r))) {
        let keys = keys_of(model, by, r);
        if keys.is_empty() {
            found.entry(None).or_default().1.push(r as u32);
        }
        for (key, spelling) in keys {
            let entry = found
                .entry(Some(key))
                .or_insert_with(|| (spelling.clone(), Vec::new(), Vec::new()));
            if spelling < entry.0 {
                entry.0 = spelling;
            }
            entry.1.push(r as u32);
        }
    }
    let row_scopes = if *by == GroupBy::Subscription {
        RowScopes::new()
    } else {
        add_row_groups(model, &counts_only, &mut found)
    };
    // A subscription group holds its whole scope (which may be scored from counts): the
    // first scope of its key.
    let mut scope_of_key: HashMap<&str, u32> = HashMap::new();
    if *by == GroupBy::Subscription {
        for (s, scope) in model.scopes.iter().enumerate().rev() {
            if let Some(key) = &scope.key {
                scope_of_key.insert(key.as_str(), s as u32);
            }
        }
    }
    let mut out: Vec<Group> = found
        .into_iter()
        .map(|(key, (spelling, members, count_groups))| Group {
            scopes: if count_groups.is_empty() {
                key.as_deref()
                    .and_then(|k| scope_of_key.get(k))
                    .copied()
                    .into_iter()
                    .collect()
            } else {
                scopes_of(&row_scopes, &count_groups)
            },
            id: key.map(|_| spelling),
            members,
            count_groups,
        })
        .collect();
    if *by != GroupBy::Subscription {
        return Ok(out);
    }
    // Scopes scored from counts have no resources: each is a group of its own, unless a
    // group of its id holds it already.
    let mut ids: HashSet<Option<String>> = out
        .iter()
        .map(|g| g.id.as_deref().map(str::to_lowercase))
        .collect();
    for s in counts_only {
        let scope = &model.scopes[s];
        if ids.contains(&scope.key) {
            continue;
        }
        ids.insert(scope.id.as_deref().map(str::to_lowercase));
        out.push(Group {
            id: scope.id.clone(),
            members: Vec::new(),
            scopes: vec![s as u32],
            count_groups: Vec::new(),
        });
    }
    Ok(out)
}

/// Adds the groups of the counts rows of `scopes` (grouped rows, as checked) to `found`,
/// by their folded ids: a group of resources and a group of rows with one id are one.
/// Returns the scopes each group of rows has rows in.
fn add_row_groups(model: &Model, scopes: &[usize], found: &mut Found) -> RowScopes {
    let rows = &model.counts;
    let mut row_scopes = RowScopes::new();
    for &s in scopes {
        let of = |list| crate::model::CountRows::of_scope(list, s as u32);
        for g in of(&rows.controls)
            .iter()
            .chain(of(&rows.recommendations))
            .filter_map(|r| r.group)
        {
            let in_scopes = row_scopes.entry(g).or_default();
            if in_scopes.last() != Some(&(s as u32)) {
                in_scopes.push(s as u32);
            }
        }
    }
    for &g in row_scopes.keys() {
        let Some(id) = rows.groups.get(g as usize) else {
            continue;
        };
        let key = id.as_deref().map(str::to_lowercase);
        let shown = id.clone().unwrap_or_default();
        let entry = found
            .entry(key)
            .or_insert_with(|| (shown.clone(), Vec::new(), Vec::new()));
        if shown < entry.0 {
            entry.0 = shown;
        }
        entry.2.push(g);
    }
    row_scopes
}

/// The scopes the groups of rows `groups` have rows in, ascending, each once.
fn scopes_of(row_scopes: &RowScopes, groups: &[u32]) -> Vec<u32> {
    let mut scopes: Vec<u32> = groups
        .iter()
        .filter_map(|g| row_scopes.get(g))
        .flatten()
        .copied()
        .collect();
    scopes.sort_unstable();
    scopes.dedup();
    scopes
}

/// Counts rows carry their group's id, not the key they were grouped by: a key whose ids
/// cannot be those the rows carry (a resource group is `/subscriptions/…/resourcegroups/…`,
/// a type is no path) is a usage error, and tags and management groups, which no counting
/// query groups by, too.
fn check_row_groups(model: &Model, by: &GroupBy) -> Result<(), String> {
    let fits = |id: &str| match by {
        GroupBy::ResourceGroup => resource_group_of(id).is_some_and(|k| k == id.to_lowercase()),
        _ => !id.starts_with('/') && id.contains('/'),
    };
    if matches!(by, GroupBy::ManagementGroup | GroupBy::Tag(_)) {
        return Err(format!(
            "--group-by {} needs resource-level assessments: counts rows are grouped by subscription, resource \
             group or type only",
            by.name()
        ));
    }
    match model.counts.groups.iter().flatten().find(|id| !fits(id)) {
        None => Ok(()),
        Some(id) => Err(format!(
            "--group-by {} cannot regroup the counts rows, whose groups are those of another key (group {}): \
             group by the key the query was written with, or write the query again with \
             `securescore query --group-by {}`",
            by.name(),
            crate::text::quoted_name_and_id(None, id),
            by.name()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_parse_and_name_themselves() {
        assert_eq!(GroupBy::parse("tag:Team"), Ok(GroupBy::Tag("Team".to_string())));
        assert_eq!(
            GroupBy::parse("resource-group").map(|g| g.name()),
            Ok("resource-group".to_string())
        );
        assert!(GroupBy::parse("tag:").is_err());
        assert!(GroupBy::parse("owner").is_err());
    }
}
