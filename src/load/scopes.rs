//! Which scope each resource is scored in: its subscription (by its definition, else its
//! id), or the security connector it lies under, else the unnamed scope; plus the scopes
//! Azure's exported objects name. Scopes are sorted by id, the unnamed one last.

use crate::ids::{connector_of, path_scope_key, scope_key, subscription_of};
use crate::model::{ExportScope, Resource, Scope, Subscription};
use std::collections::{BTreeMap, HashMap};

/// The scopes of the inventory (sorted by key, the unnamed scope last, only when some
/// resource needs it) and each resource's scope index. `subscriptions` are the defined
/// subscriptions by folded id; `exported`, the scopes exported objects name.
pub(super) fn assign_scopes(
    resources: &[Resource],
    subscriptions: &BTreeMap<String, Subscription>,
    exported: &[ExportScope],
) -> (Vec<Scope>, Vec<u32>) {
    // Scope key (folded id) → first spelling, per resource.
    let keys: Vec<Option<(String, &str)>> = resources
        .iter()
        .map(|r| match (r.subscription.as_deref(), connector_of(&r.id)) {
            (Some(s), _) => Some((scope_key(s), s)),
            (None, Some(c)) => Some((path_scope_key(c), c)),
            (None, None) => subscription_of(&r.id).map(|s| (s.to_lowercase(), s)),
        })
        .collect();
    // A subscription spelled in several cases is shown in its byte-wise smallest spelling,
    // so the report does not depend on which input came first.
    let exported: Vec<(String, String, Option<&str>)> = exported
        .iter()
        .map(|e| match e {
            ExportScope::Subscription(s) | ExportScope::Connector(s) => (e.key(), s.clone(), None),
            ExportScope::ManagementGroup(g) => (e.key(), e.display_id(), Some(g.as_str())),
        })
        .collect();
    let mut spelled: BTreeMap<&str, &str> = BTreeMap::new();
    let all = keys
        .iter()
        .flatten()
        .map(|(k, s)| (k.as_str(), *s))
        .chain(exported.iter().map(|(k, s, _)| (k.as_str(), s.as_str())));
    for (key, spelling) in all {
        let shown = spelled.entry(key).or_insert(spelling);
        if spelling < *shown {
            *shown = spelling;
        }
    }
    let group_name = |key: &str| {
        exported
            .iter()
            .find(|(k, _, g)| k == key && g.is_some())
            .and_then(|(_, _, g)| g.map(str::to_string))
    };
    let mut scopes: Vec<Scope> = spelled
        .iter()
        .map(|(key, spelling)| {
            let def = subscriptions.get(*key);
            Scope {
                key: Some(key.to_string()),
                id: Some(def.map_or_else(|| spelling.to_string(), |d| d.id.clone())),
                name: def
                    .and_then(|d| d.name.clone())
                    .or_else(|| group_name(key))
                    .or_else(|| {
                        connector_of(spelling)
                            .and_then(|c| c.rsplit('/').next())
                            .map(str::to_string)
                    }),
                management_groups: def.map(|d| d.management_groups.clone()).unwrap_or_default(),
                count_level: false,
            }
        })
        .collect();
    let position: HashMap<&str, u32> = spelled.keys().enumerate().map(|(i, k)| (*k, i as u32)).collect();
    let unnamed = scopes.len() as u32;
    let mut needs_unnamed = false;
    let resource_scope = keys
        .iter()
        .map(|k| match k {
            Some((key, _)) => position.get(key.as_str()).copied().unwrap_or(unnamed),
            None => {
                needs_unnamed = true;
                unnamed
            }
        })
        .collect();
    if needs_unnamed {
        scopes.push(Scope {
            key: None,
            id: None,
            name: None,
            management_groups: Vec::new(),
            count_level: false,
        });
    }
    (scopes, resource_scope)
}
