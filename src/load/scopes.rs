//! Which scope each resource is scored in: its subscription (by its definition, else its
//! id), or the security connector it lies under, else the unnamed scope; plus the scopes
//! Azure's exported objects name. Scopes are sorted by id, the unnamed one last.

use crate::ids::{connector_of, subscription_of};
use crate::model::{ExportScope, Resources, Scope, Subscription};
use std::collections::{BTreeMap, HashMap};

/// The scopes of the inventory (sorted by key, the unnamed scope last, only when some
/// resource needs it) and each resource's scope index. `subscriptions` are the defined
/// subscriptions by folded id; `exported`, the scopes exported objects (and counts rows)
/// name; `unnamed`, whether counts rows name the unnamed scope.
pub(super) fn assign_scopes(
    resources: &Resources,
    subscriptions: &BTreeMap<String, Subscription>,
    exported: &[ExportScope],
    unnamed: bool,
) -> (Vec<Scope>, Vec<u32>) {
    let (resource_keys, distinct) = resource_scope_keys(resources);
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
    let all = distinct
        .iter()
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
    let needs_unnamed_too = unnamed;
    let unnamed = scopes.len() as u32;
    let mut needs_unnamed = needs_unnamed_too;
    let key_scope: Vec<u32> = distinct
        .iter()
        .map(|(key, _)| position.get(key.as_str()).copied().unwrap_or(unnamed))
        .collect();
    let resource_scope = resource_keys
        .iter()
        .map(|&k| match key_scope.get(k as usize) {
            Some(&scope) => scope,
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

/// Each resource's scope key, as an index into the distinct keys (`u32::MAX` for a
/// resource in no named scope), and the distinct keys (folded ids, as
/// `ids::scope_key` and `ids::path_scope_key` fold them) each with its byte-wise
/// smallest spelling. A key is folded into one buffer and looked up, not kept per
/// resource: a few scopes hold hundreds of thousands of resources.
fn resource_scope_keys(resources: &Resources) -> (Vec<u32>, Vec<(String, &str)>) {
    let mut distinct: Vec<(String, &str)> = Vec::new();
    let mut index: HashMap<String, u32> = HashMap::new();
    let mut folded = String::new();
    let keys = resources
        .iter()
        .map(|r| {
            let (key, spelling) = match (r.subscription(), connector_of(r.id)) {
                (Some(s), _) if s.contains('/') => (s.trim_start_matches('/'), s),
                (Some(s), _) => (s, s),
                (None, Some(c)) => (c.trim_start_matches('/'), c),
                (None, None) => match subscription_of(r.id) {
                    Some(s) => (s, s),
                    None => return u32::MAX,
                },
            };
            fold_into(&mut folded, key);
            match index.get(folded.as_str()) {
                Some(&k) => {
                    let shown = &mut distinct[k as usize].1;
                    if spelling < *shown {
                        *shown = spelling;
                    }
                    k
                }
                None => {
                    let k = distinct.len() as u32;
                    distinct.push((folded.clone(), spelling));
                    index.insert(folded.clone(), k);
                    k
                }
            }
        })
        .collect();
    (keys, distinct)
}

/// Sets `buf` to `text` lower-cased as `str::to_lowercase` does it.
fn fold_into(buf: &mut String, text: &str) {
    buf.clear();
    if text.is_ascii() {
        buf.push_str(text);
        buf.make_ascii_lowercase();
    } else {
        buf.push_str(&text.to_lowercase());
    }
}
