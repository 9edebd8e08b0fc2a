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
    /// subscription group's own scope, which may be scored from exported counts.
    pub scopes: Vec<u32>,
}

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
/// scored from exported counts can be grouped by subscription only.
pub fn groups(model: &Model, by: &GroupBy, base: Option<&Selection>) -> Result<Vec<Group>, String> {
    let counts_only: Vec<usize> = (0..model.scopes.len())
        .filter(|&s| model.scopes[s].count_level && base.is_none_or(|b| b.scope(s)))
        .collect();
    if !counts_only.is_empty() && *by != GroupBy::Subscription {
        return Err(format!(
            "--group-by {} needs resource-level assessments, and {} is scored from exported counts \
             (export Microsoft.Security/assessments for it, or group by subscription)",
            by.name(),
            model.scopes[counts_only[0]].label()
        ));
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
    // Folded key → (smallest spelling, members in order); `None` for the resources
    // without one.
    let mut found: BTreeMap<Option<String>, (String, Vec<u32>)> = BTreeMap::new();
    for r in (0..model.resources.len()).filter(|&r| assessed[r] && base.is_none_or(|b| b.resource(r))) {
        let keys = keys_of(model, by, r);
        if keys.is_empty() {
            found.entry(None).or_default().1.push(r as u32);
        }
        for (key, spelling) in keys {
            let entry = found
                .entry(Some(key))
                .or_insert_with(|| (spelling.clone(), Vec::new()));
            if spelling < entry.0 {
                entry.0 = spelling;
            }
            entry.1.push(r as u32);
        }
    }
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
        .map(|(key, (spelling, members))| Group {
            scopes: key
                .as_deref()
                .and_then(|k| scope_of_key.get(k))
                .copied()
                .into_iter()
                .collect(),
            id: key.map(|_| spelling),
            members,
        })
        .collect();
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
        });
    }
    Ok(out)
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
