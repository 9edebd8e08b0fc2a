//! Groups of resources (`assess --group-by KEY`, SPEC §1.3): which group each assessed
//! resource belongs to, as selections to score. A group's score is the score the
//! inventory would get if it held only that group's resources.

use crate::ids::{resource_group_of, type_of_id};
use crate::model::Model;
use crate::select::Selection;
use std::collections::BTreeMap;

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
#[derive(Clone, Debug, PartialEq)]
pub struct Group {
    pub id: Option<String>,
    pub selection: Selection,
}

/// The group keys of resource `r`: (folded key, spelling); empty when it has none.
fn keys_of(model: &Model, by: &GroupBy, r: usize) -> Vec<(String, String)> {
    let resource = &model.resources[r];
    let scope = model
        .resource_scope
        .get(r)
        .and_then(|&s| model.scopes.get(s as usize));
    match by {
        GroupBy::Subscription => scope
            .and_then(|s| Some((s.key.clone()?, s.id.clone()?)))
            .into_iter()
            .collect(),
        GroupBy::ResourceGroup => resource_group_of(&resource.id)
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
            .kind
            .clone()
            .or_else(|| type_of_id(&resource.id))
            .map(|t| (t.to_lowercase(), t))
            .into_iter()
            .collect(),
        GroupBy::Tag(name) => resource
            .tags
            .as_ref()
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
    let mut out: Vec<Group> = found
        .into_iter()
        .map(|(key, (spelling, members))| {
            // A subscription group holds its whole scope (which may be scored from counts).
            let mut scopes = vec![false; model.scopes.len()];
            if *by == GroupBy::Subscription {
                if let Some(s) = model
                    .scopes
                    .iter()
                    .position(|sc| sc.key.is_some() && sc.key == key)
                {
                    scopes[s] = true;
                }
            }
            Group {
                id: key.map(|_| spelling),
                selection: Selection {
                    resources: Vec::new(),
                    scopes,
                    members: Some(members),
                },
            }
        })
        .collect();
    // Scopes scored from counts have no resources: each is a group of its own.
    for s in counts_only {
        let scope = &model.scopes[s];
        if out
            .iter()
            .any(|g| g.id.as_deref().map(str::to_lowercase) == scope.key)
        {
            continue;
        }
        let mut scopes = vec![false; model.scopes.len()];
        scopes[s] = true;
        out.push(Group {
            id: scope.id.clone(),
            selection: Selection {
                resources: Vec::new(),
                scopes,
                members: Some(Vec::new()),
            },
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
