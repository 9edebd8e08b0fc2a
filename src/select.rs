//! Resource filters (`--scope`, `--management-group`, SPEC §1.3): which resources count.

use crate::ids::azure_id_body;
use crate::model::{Model, Scope};

/// The filters asked for on the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    /// Resource id prefixes (on a path-segment boundary) or bare subscription ids; a union.
    pub scopes: Vec<String>,
    /// Management group names; a union, intersected with `scopes`.
    pub management_groups: Vec<String>,
}

impl Filters {
    /// True when no filter is set.
    pub fn is_empty(&self) -> bool {
        self.scopes.is_empty() && self.management_groups.is_empty()
    }
}

/// True when a `--scope` value reaches below subscription level (a resource group, a
/// resource).
fn below_subscription(filter: &str) -> bool {
    filter.contains('/')
        && crate::ids::subscription_of(filter).is_none_or(|sub| !is_subscription_path(filter, sub))
}

fn is_subscription_path(path: &str, sub: &str) -> bool {
    let body = path.trim_start_matches('/').trim_end_matches('/');
    body.len() == "subscriptions/".len() + sub.len()
}

/// Does resource id `id` equal `filter` or lie under it on a path-segment boundary?
fn under(id: &str, filter: &str) -> bool {
    match (azure_id_body(id), azure_id_body(filter)) {
        (Some(id), Some(f)) => {
            let (id, f) = (id.to_lowercase(), f.trim_end_matches('/').to_lowercase());
            id == f || (id.starts_with(&f) && id.as_bytes().get(f.len()) == Some(&b'/'))
        }
        (None, None) => {
            let f = filter.trim_end_matches('/');
            id == f || (id.starts_with(f) && id.as_bytes().get(f.len()) == Some(&b'/'))
        }
        _ => false,
    }
}

/// What the filters keep: resources, and scopes (for scopes scored from exported counts,
/// which have no resources to filter).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selection {
    /// Per resource (index into [`ModelParts::resources`](crate::model::ModelParts::resources)).
    pub resources: Vec<bool>,
    /// Per scope (index into [`ModelParts::scopes`](crate::model::ModelParts::scopes)).
    pub scopes: Vec<bool>,
}

impl Selection {
    /// Is resource `r` kept?
    pub fn resource(&self, r: usize) -> bool {
        self.resources.get(r).copied().unwrap_or(false)
    }

    /// Is scope `s` kept (as a whole)?
    pub fn scope(&self, s: usize) -> bool {
        self.scopes.get(s).copied().unwrap_or(false)
    }
}

/// The path of a scope for `--scope` matching: `/subscriptions/<id>`, or the
/// management group's id.
fn scope_path(scope: &Scope) -> Option<String> {
    let id = scope.id.as_deref()?;
    Some(if id.contains('/') {
        id.to_string()
    } else {
        format!("/subscriptions/{id}")
    })
}

/// Which scopes (scored whole, from counts) the filters keep; a filter that reaches
/// inside a count-level scope is an error, since its resources are unknown.
fn select_scopes(model: &Model, filters: &Filters, groups: &[String]) -> Result<Vec<bool>, String> {
    let paths: Vec<Option<String>> = model.scopes.iter().map(scope_path).collect();
    model
        .scopes
        .iter()
        .zip(&paths)
        .enumerate()
        .map(|(s, (scope, path))| {
            let in_scope = filters.scopes.is_empty()
                || filters.scopes.iter().try_fold(false, |found, f| {
                    let f_path = filter_path(f);
                    let Some(path) = path else { return Ok(found) };
                    // A filter strictly inside a counts-only scope cannot be honoured,
                    // unless it names (or lies in) another scope there, such as a
                    // security connector under the subscription.
                    let inside = under(&f_path, path) && !under(path, &f_path);
                    let other_scope = paths
                        .iter()
                        .flatten()
                        .any(|q| q != path && under(q, path) && (under(&f_path, q) || under(q, &f_path)));
                    if scope.count_level && inside && !other_scope {
                        let (source, advice) = model.count_level_source(s);
                        return Err(format!(
                            "--scope {f} reaches inside {}, which is scored from {source}: a filter below \
                             subscription level needs resource-level assessments ({advice})",
                            crate::text::name_and_id(scope.name.as_deref(), path)
                        ));
                    }
                    Ok(found || under(path, &f_path))
                })?;
            let in_group = groups.is_empty()
                || scope
                    .management_groups
                    .iter()
                    .any(|m| groups.contains(&m.to_lowercase()));
            Ok(in_scope && in_group)
        })
        .collect()
}

/// A `--scope` value as a path: a bare subscription id means `/subscriptions/<id>`.
fn filter_path(f: &str) -> String {
    if f.contains('/') {
        f.to_string()
    } else {
        format!("/subscriptions/{f}")
    }
}

/// True when a `--scope` filter reaches below the scopes (a resource group or a
/// resource, not a subscription or a security connector as a whole): each scope's
/// figures then change, so Azure's exported weights and figures no longer apply.
pub fn below_scopes(model: &Model, filters: &Filters) -> bool {
    let paths: Vec<String> = model.scopes.iter().filter_map(scope_path).collect();
    filters.scopes.iter().any(|f| {
        let f_path = filter_path(f);
        below_subscription(f) && !paths.iter().any(|p| under(p, &f_path))
    })
}

/// Does `--scope` value `f` keep the resource with id `id`, in the scope of key
/// `scope_key`? A bare value is a resource id, a subscription id, or the key of the
/// resource's scope.
fn keeps_resource(id: &str, scope_key: Option<&str>, f: &str) -> bool {
    if f.contains('/') {
        under(id, f)
    } else {
        id == f || scope_key == Some(f.to_lowercase().as_str()) || under(id, &format!("/subscriptions/{f}"))
    }
}

/// Is `f` (a value with no `/`) the id of a scope?
fn is_scope_id(model: &Model, f: &str) -> bool {
    let folded = f.to_lowercase();
    model
        .scopes
        .iter()
        .any(|s| s.key.as_deref() == Some(folded.as_str()))
}

/// The scopes whose display name is `f`, compared case-insensitively.
fn named(model: &Model, f: &str) -> Vec<usize> {
    let folded = f.to_lowercase();
    (0..model.scopes.len())
        .filter(|&i| {
            let s = &model.scopes[i];
            s.id.is_some() && s.name.as_ref().is_some_and(|n| n.to_lowercase() == folded)
        })
        .collect()
}

/// The filters in the inputs' own spelling: each `--scope` value that names a scope by
/// its display name (case-insensitive; a value with no `/` that is no scope's id)
/// replaced by that scope's id, a scope's id (or its path, `/subscriptions/<id>`, with
/// or without a trailing `/`) given in another case by the id (the path) as the inputs
/// spell it, and a management group by its first spelling. So one selection is
/// recorded one way, however it was typed (`trend` tells series apart by their filters).
/// A name several scopes share is a usage error: the id tells them apart.
pub fn resolve_names(model: &Model, filters: &Filters) -> Result<Filters, String> {
    let mut resolved = filters.clone();
    for g in resolved.management_groups.iter_mut() {
        if let Some(known) = model
            .management_groups
            .iter()
            .find(|k| k.to_lowercase() == g.to_lowercase())
        {
            g.clone_from(known);
        }
    }
    for f in resolved.scopes.iter_mut() {
        if f.contains('/') {
            // A scope's own path (any case, with or without its slashes) as the inputs
            // spell it; any other path is kept as given.
            let folded = |p: &str| azure_id_body(p).map(|b| b.trim_end_matches('/').to_lowercase());
            if let Some(given) = folded(f) {
                let same = |p: &String| folded(p).as_deref() == Some(given.as_str());
                if let Some(path) = model.scopes.iter().filter_map(scope_path).find(same) {
                    *f = path;
                }
            }
            continue;
        }
        let folded = f.to_lowercase();
        if let Some(scope) = model
            .scopes
            .iter()
            .find(|s| s.key.as_deref() == Some(folded.as_str()))
        {
            if let Some(id) = &scope.id {
                f.clone_from(id);
            }
            continue;
        }
        let labels =
            |found: &[usize]| -> Vec<String> { found.iter().map(|&i| model.scopes[i].label()).collect() };
        match named(model, f).as_slice() {
            [] => {}
            [one] => {
                if let Some(id) = &model.scopes[*one].id {
                    *f = id.clone();
                }
            }
            many => {
                return Err(format!(
                    "--scope {f:?} is the name of several subscriptions: {}; give the id of one",
                    labels(many).join("; ")
                ))
            }
        }
    }
    Ok(resolved)
}

/// The `--scope` values that name nothing in the inputs: a value with no `/` that is no
/// scope's id or display name and keeps no resource (a path is not checked: it may
/// rightly select nothing today). Each comes with the closest scopes, `"name" (id)`,
/// for a "did you mean".
pub fn unknown_scopes(model: &Model, filters: &Filters) -> Vec<(String, Vec<String>)> {
    let candidates: Vec<(&str, &str)> = model
        .scopes
        .iter()
        .filter_map(|s| {
            let id = s.id.as_deref()?;
            Some((s.name.as_deref().unwrap_or(id), id))
        })
        .collect();
    filters
        .scopes
        .iter()
        .filter(|f| !f.contains('/') && !is_scope_id(model, f) && named(model, f).is_empty())
        .filter(|f| {
            !model.resources.iter().enumerate().any(|(i, r)| {
                let scope = model.scopes.get(model.resource_scope[i] as usize);
                keeps_resource(r.id, scope.and_then(|s| s.key.as_deref()), f)
            })
        })
        .map(|f| {
            let near = crate::names::closest(f, &candidates)
                .into_iter()
                .map(|i| crate::text::quoted_name_and_id(Some(candidates[i].0), candidates[i].1))
                .collect();
            (f.clone(), near)
        })
        .collect()
}

/// Which resources and scopes the filters keep (`None`: all), or a usage error.
pub fn select(model: &Model, filters: &Filters) -> Result<Option<Selection>, String> {
    if filters.is_empty() {
        return Ok(None);
    }
    let filters = &resolve_names(model, filters)?;
    let groups: Vec<String> = filters
        .management_groups
        .iter()
        .map(|g| g.to_lowercase())
        .collect();
    if !groups.is_empty() {
        if model.management_groups.is_empty() {
            return Err(
                "--management-group needs an input that defines management groups \
                        (subscriptions[].management_groups); none does"
                    .to_string(),
            );
        }
        for (g, given) in groups.iter().zip(&filters.management_groups) {
            if !model
                .management_groups
                .iter()
                .any(|known| known.to_lowercase() == *g)
            {
                return Err(format!(
                    "unknown management group {given:?}; the inputs define: {}",
                    model.management_groups.join(", ")
                ));
            }
        }
    }
    let selected = model
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let scope = model.scopes.get(model.resource_scope[i] as usize);
            let scope_key = scope.and_then(|s| s.key.as_deref());
            let in_scope = filters.scopes.is_empty()
                || filters.scopes.iter().any(|f| keeps_resource(r.id, scope_key, f));
            let in_group = groups.is_empty()
                || scope.is_some_and(|s| {
                    s.management_groups
                        .iter()
                        .any(|m| groups.contains(&m.to_lowercase()))
                });
            in_scope && in_group
        })
        .collect();
    Ok(Some(Selection {
        resources: selected,
        scopes: select_scopes(model, filters, &groups)?,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_matches_on_segment_boundaries() {
        let vm = "/subscriptions/S/resourceGroups/web/providers/x/vm1";
        assert!(under(vm, "/subscriptions/s/resourcegroups/WEB"));
        assert!(under(vm, "subscriptions/S/resourceGroups/web/"));
        assert!(!under(vm, "/subscriptions/S/resourceGroups/we"));
        assert!(!under(
            "/subscriptions/S/resourceGroups/web-staging/x",
            "/subscriptions/S/resourceGroups/web"
        ));
        assert!(under(vm, vm));
        assert!(!under("arn:aws:iam::1:role/Admin", "arn:aws:iam::1:role/admin"));
        assert!(under("arn:aws:iam::1:role/Admin/x", "arn:aws:iam::1:role/Admin"));
    }

    #[test]
    fn a_scope_path_is_recorded_as_the_inputs_spell_it() {
        let model = Model::new(crate::model::ModelParts {
            scopes: vec![Scope {
                key: Some("0b1f".to_string()),
                id: Some("0B1F".to_string()),
                name: Some("prod".to_string()),
                management_groups: Vec::new(),
                count_level: false,
            }],
            ..Default::default()
        });
        let filters = Filters {
            scopes: [
                "/SUBSCRIPTIONS/0b1f/",
                "subscriptions/0B1F",
                "/subscriptions/0b1f/resourceGroups/Web/",
            ]
            .map(String::from)
            .to_vec(),
            management_groups: Vec::new(),
        };
        assert_eq!(
            resolve_names(&model, &filters).unwrap().scopes,
            [
                "/subscriptions/0B1F",
                "/subscriptions/0B1F",
                "/subscriptions/0b1f/resourceGroups/Web/"
            ]
        );
    }

    #[test]
    fn knows_filters_below_subscription_level() {
        assert!(!below_subscription("0b1f"));
        assert!(!below_subscription("/subscriptions/0b1f"));
        assert!(!below_subscription("/subscriptions/0b1f/"));
        assert!(below_subscription("/subscriptions/0b1f/resourceGroups/web"));
    }
}
