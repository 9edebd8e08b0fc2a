//! Resource filters (`--scope`, `--management-group`, SPEC §1.3): which resources count.

use crate::model::{azure_id_body, Model};

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

    /// True when a filter reaches below subscription level (a resource group, a resource).
    pub fn below_subscription(&self) -> bool {
        self.scopes.iter().any(|s| {
            s.contains('/')
                && crate::model::subscription_of(s).is_none_or(|sub| !is_subscription_path(s, sub))
        })
    }
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

/// Which resources the filters keep (`None`: all), or a usage error.
pub fn select(model: &Model, filters: &Filters) -> Result<Option<Vec<bool>>, String> {
    if filters.is_empty() {
        return Ok(None);
    }
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
                || filters.scopes.iter().any(|f| {
                    if f.contains('/') {
                        under(&r.id, f)
                    } else {
                        r.id == *f || scope_key == Some(f.to_lowercase().as_str())
                    }
                });
            let in_group = groups.is_empty()
                || scope.is_some_and(|s| {
                    s.management_groups
                        .iter()
                        .any(|m| groups.contains(&m.to_lowercase()))
                });
            in_scope && in_group
        })
        .collect();
    Ok(Some(selected))
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
    fn knows_filters_below_subscription_level() {
        let f = |s: &str| Filters {
            scopes: vec![s.to_string()],
            management_groups: vec![],
        };
        assert!(!f("0b1f").below_subscription());
        assert!(!f("/subscriptions/0b1f").below_subscription());
        assert!(!f("/subscriptions/0b1f/").below_subscription());
        assert!(f("/subscriptions/0b1f/resourceGroups/web").below_subscription());
    }
}
