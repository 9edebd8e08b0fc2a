//! Azure resource ids: what an id says of itself (its subscription, connector, resource
//! group and type) and the case-folded keys under which ids and scopes compare.
//!
//! A leaf module: it imports nothing from the crate, so the model, the loaders and the
//! commands can all use it.

/// The part of an Azure resource id after an optional leading `/`, when the id is an
/// Azure id (compared case-insensitively); `None` for any other id.
pub fn azure_id_body(id: &str) -> Option<&str> {
    let body = id.strip_prefix('/').unwrap_or(id);
    let is_azure = ["subscriptions/", "providers/"].iter().any(|prefix| {
        body.len() >= prefix.len()
            && body.is_char_boundary(prefix.len())
            && body[..prefix.len()].eq_ignore_ascii_case(prefix)
    });
    is_azure.then_some(body)
}

/// The subscription of an Azure id: `/subscriptions/<id>` followed by `/` or the end.
pub fn subscription_of(id: &str) -> Option<&str> {
    let body = azure_id_body(id)?;
    let prefix = body.get(.."subscriptions/".len())?;
    if !prefix.eq_ignore_ascii_case("subscriptions/") {
        return None;
    }
    let rest = &body["subscriptions/".len()..];
    let sub = rest.split('/').next().unwrap_or("");
    (!sub.is_empty()).then_some(sub)
}

/// The security connector (an AWS or GCP account or project connected to Defender) an
/// Azure id lies under: `/subscriptions/…/providers/Microsoft.Security/securityConnectors/<name>`.
/// Defender scores each connector as a scope of its own.
pub fn connector_of(id: &str) -> Option<&str> {
    let marker = "/providers/microsoft.security/securityconnectors/";
    subscription_of(id)?;
    let bytes = id.as_bytes();
    let at = (0..bytes.len().checked_sub(marker.len())?)
        .find(|&i| bytes[i..i + marker.len()].eq_ignore_ascii_case(marker.as_bytes()))?;
    let rest = &id[at + marker.len()..];
    let name_len = rest.find('/').unwrap_or(rest.len());
    (name_len > 0).then(|| &id[..at + marker.len() + name_len])
}

/// The folded key of a scope named by a path (a connector).
pub fn path_scope_key(path: &str) -> String {
    path.trim_start_matches('/').to_lowercase()
}

/// The folded key of a scope given by name: a subscription id, or a connector's path.
pub fn scope_key(scope: &str) -> String {
    if scope.contains('/') {
        path_scope_key(scope)
    } else {
        scope.to_lowercase()
    }
}

/// The identity under which a resource id compares: Azure ids without the leading `/`
/// and case-folded, other ids exactly as written.
pub fn resource_key(id: &str) -> String {
    match azure_id_body(id) {
        Some(body) => body.to_lowercase(),
        None => id.to_string(),
    }
}

/// The resource group of an Azure id, as `/subscriptions/<id>/resourcegroups/<name>`
/// (case-folded).
pub fn resource_group_of(id: &str) -> Option<String> {
    let body = azure_id_body(id)?;
    let mut segments = body.split('/');
    let (s, sub, rg, name) = (
        segments.next()?,
        segments.next()?,
        segments.next()?,
        segments.next()?,
    );
    (s.eq_ignore_ascii_case("subscriptions")
        && rg.eq_ignore_ascii_case("resourceGroups")
        && !sub.is_empty()
        && !name.is_empty())
    .then(|| {
        format!(
            "/subscriptions/{}/resourcegroups/{}",
            sub.to_lowercase(),
            name.to_lowercase()
        )
    })
}

/// The resource type an ARM id names: the provider namespace and every type segment
/// after the last `/providers/` (`Microsoft.Sql/servers/databases`).
pub fn type_of_id(id: &str) -> Option<String> {
    let body = azure_id_body(id)?.trim_end_matches('/');
    let lower = body.to_ascii_lowercase();
    let Some(at) = lower.rfind("/providers/") else {
        // A subscription or resource group has no provider segment.
        let segments = lower.split('/').count();
        return match (lower.starts_with("subscriptions/"), segments) {
            (true, 2) => Some("Microsoft.Resources/subscriptions".to_string()),
            (true, 4) if lower.split('/').nth(2) == Some("resourcegroups") => {
                Some("Microsoft.Resources/resourceGroups".to_string())
            }
            _ => None,
        };
    };
    let rest: Vec<&str> = body[at + "/providers/".len()..].split('/').collect();
    let (namespace, pairs) = rest.split_first()?;
    let types: Vec<&str> = pairs.iter().step_by(2).copied().collect();
    (!namespace.is_empty() && !types.is_empty() && pairs.len() % 2 == 0)
        .then(|| format!("{namespace}/{}", types.join("/")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subscription_is_taken_from_the_id_at_a_segment_boundary() {
        assert_eq!(
            subscription_of("/subscriptions/abc/resourceGroups/x"),
            Some("abc")
        );
        assert_eq!(subscription_of("subscriptions/abc"), Some("abc"));
        assert_eq!(subscription_of("/SUBSCRIPTIONS/abc/"), Some("abc"));
        assert_eq!(subscription_of("/subscriptionsabc"), None);
        assert_eq!(
            subscription_of("/providers/Microsoft.Management/managementGroups/mg"),
            None
        );
        assert_eq!(subscription_of("arn:aws:ec2:us-east-1:123:instance/i-1"), None);
    }

    #[test]
    fn resource_groups_and_types_come_from_arm_ids() {
        let vm = "/subscriptions/S1/resourceGroups/Web/providers/Microsoft.Compute/virtualMachines/vm1";
        assert_eq!(
            resource_group_of(vm).as_deref(),
            Some("/subscriptions/s1/resourcegroups/web")
        );
        assert_eq!(resource_group_of("/subscriptions/S1"), None);
        assert_eq!(
            type_of_id(vm).as_deref(),
            Some("Microsoft.Compute/virtualMachines")
        );
        assert_eq!(
            type_of_id("/subscriptions/s/resourceGroups/r/providers/Microsoft.Sql/servers/s1/databases/db1")
                .as_deref(),
            Some("Microsoft.Sql/servers/databases")
        );
        assert_eq!(type_of_id("arn:aws:s3:::bucket"), None);
        assert_eq!(
            type_of_id("/subscriptions/S1").as_deref(),
            Some("Microsoft.Resources/subscriptions")
        );
        assert_eq!(
            type_of_id("/subscriptions/S1/resourceGroups/web").as_deref(),
            Some("Microsoft.Resources/resourceGroups")
        );
    }
}
