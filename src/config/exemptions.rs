//! `[[exemptions]]`: local exemptions as the file writes them (SPEC §9), checked, with
//! the line each entry starts on. Applying them to a model is `local_exemptions`'.

use crate::date::Date;
use crate::json_schema;
use crate::model::ExemptionCategory;
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Deserializer};
use toml::Spanned;

/// One `[[exemptions]]` entry as written: every key required.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    rename = "LocalExemption",
    description = "A local exemption (SPEC §9): the recommendation (\"*\": every one) on the resources of a \
                   pattern (an id, or a path prefix followed by /*; \"*\": every one, with a named \
                   recommendation), until a date (inclusive), for a reason. Every key is required.",
    transform = not_every_assessment
)]
pub(super) struct ExemptionIn {
    /// A recommendation's id, or "*" for every one.
    #[schemars(schema_with = "json_schema::not_blank")]
    recommendation: Spanned<String>,
    /// A resource id (Azure ids in any case), a path prefix followed by /*, or "*".
    #[schemars(schema_with = "json_schema::not_blank")]
    resource: Spanned<String>,
    /// waiver (the finding is accepted: not applicable) or mitigated (fixed by other
    /// means: healthy), in any case.
    #[serde(deserialize_with = "category")]
    #[schemars(schema_with = "ExemptionCategory::read_schema")]
    category: ExemptionCategory,
    /// The last day (UTC) it applies: a date, or an RFC 3339 time (its UTC date).
    #[serde(deserialize_with = "expires")]
    #[schemars(schema_with = "json_schema::date_or_time")]
    expires: Date,
    /// Why the finding is accepted.
    #[schemars(schema_with = "json_schema::not_blank")]
    reason: Spanned<String>,
}

/// The `resource` values that cover every resource.
const EVERY_RESOURCE: [&str; 2] = ["*", "/*"];

/// An entry's schema refuses what [`LocalExemption::check`] refuses across its keys:
/// recommendation `"*"` with a resource that is every resource.
fn not_every_assessment(schema: &mut Schema) {
    schema.insert(
        "not".to_string(),
        serde_json::json!({
            "properties": {
                "recommendation": {"const": "*"},
                "resource": {"enum": EVERY_RESOURCE}
            },
            "required": ["recommendation", "resource"]
        }),
    );
}

/// Which resources a local exemption covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResourcePattern {
    /// `"*"`: every resource (with one recommendation).
    Any,
    /// One resource, by id (Azure ids in any case, with or without the leading `/`).
    Exact(String),
    /// `"PREFIX/*"`: every resource below PREFIX on a path-segment boundary (not PREFIX
    /// itself).
    Under(String),
}

impl ResourcePattern {
    /// The pattern a `resource` value writes.
    fn parse(text: &str) -> ResourcePattern {
        if EVERY_RESOURCE.contains(&text) {
            return ResourcePattern::Any;
        }
        match text.strip_suffix("/*") {
            Some(prefix) => ResourcePattern::Under(prefix.to_string()),
            None => ResourcePattern::Exact(text.to_string()),
        }
    }

    /// Does the resource of id `id` fall under the pattern?
    pub fn matches(&self, id: &str) -> bool {
        match self {
            ResourcePattern::Any => true,
            ResourcePattern::Exact(p) => crate::ids::same_identity(id, p),
            ResourcePattern::Under(prefix) => crate::ids::strictly_under(id, prefix),
        }
    }
}

/// A local exemption: the recommendation (`None`: every one, `"*"`) on the resources of
/// a pattern, until a date (inclusive), for a reason.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalExemption {
    /// The recommendation's id; `None` for `"*"`.
    pub recommendation: Option<String>,
    pub resource: ResourcePattern,
    /// `resource` as written, for messages and reports.
    pub resource_text: String,
    pub category: ExemptionCategory,
    /// The last day (UTC) it applies.
    pub expires: Date,
    pub reason: String,
    /// Its number among the file's entries, from 1.
    pub entry: usize,
    /// The line its `[[exemptions]]` header is on.
    pub line: usize,
}

impl LocalExemption {
    /// Checks what serde cannot: no blank id, pattern or reason, and not every
    /// assessment at once. On failure: the key at fault, the byte offset of its value,
    /// and why.
    pub(super) fn check(
        entry: ExemptionIn,
        number: usize,
        line: usize,
    ) -> Result<LocalExemption, (&'static str, usize, String)> {
        let blank = |key: &'static str, value: &Spanned<String>, what: &str| {
            if value.get_ref().trim().is_empty() {
                Err((key, value.span().start, format!("{key} is blank: {what}")))
            } else {
                Ok(())
            }
        };
        blank(
            "recommendation",
            &entry.recommendation,
            "give a recommendation's id, or \"*\" with a resource",
        )?;
        blank(
            "resource",
            &entry.resource,
            "give a resource id, or a path prefix followed by /*",
        )?;
        blank(
            "reason",
            &entry.reason,
            "say why the finding is accepted (a local exemption needs a reason)",
        )?;
        let resource = ResourcePattern::parse(entry.resource.get_ref());
        let recommendation = entry.recommendation.get_ref();
        if recommendation == "*" && resource == ResourcePattern::Any {
            return Err((
                "recommendation",
                entry.recommendation.span().start,
                "recommendation \"*\" with resource \"*\" would exempt every assessment: name a recommendation or \
                 a resource"
                    .to_string(),
            ));
        }
        Ok(LocalExemption {
            recommendation: (recommendation != "*").then(|| recommendation.clone()),
            resource,
            resource_text: entry.resource.into_inner(),
            category: entry.category,
            expires: entry.expires,
            reason: entry.reason.into_inner(),
            entry: number,
            line,
        })
    }

    /// The entry as messages name it: `local exemption 2 ("r1" on "/subscriptions/…/*")`
    /// (a message located at its line).
    pub fn label(&self) -> String {
        format!(
            "local exemption {} ({:?} on {:?})",
            self.entry,
            self.recommendation.as_deref().unwrap_or("*"),
            self.resource_text
        )
    }
}

/// `waiver` or `mitigated`, in any case (as the data's own categories).
fn category<'de, D: Deserializer<'de>>(de: D) -> Result<ExemptionCategory, D::Error> {
    let text = String::deserialize(de)?;
    ExemptionCategory::parse(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "unknown exemption category {text:?}, expected waiver or mitigated"
        ))
    })
}

/// A date or an RFC 3339 time (its UTC date), as the data's own `expires`.
fn expires<'de, D: Deserializer<'de>>(de: D) -> Result<Date, D::Error> {
    super::date_value(de, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_match_ids_prefixes_and_everything() {
        let sub = "/subscriptions/0B1F/resourceGroups/Legacy";
        let under = ResourcePattern::parse(&format!("{sub}/*"));
        assert!(under.matches("/subscriptions/0b1f/resourcegroups/legacy/providers/x/vm1"));
        assert!(under.matches("subscriptions/0b1f/resourceGroups/legacy/providers/x/vm1"));
        // Not the prefix itself, nor a sibling that only starts alike.
        assert!(!under.matches(sub));
        assert!(!under.matches("/subscriptions/0b1f/resourceGroups/legacy-2/providers/x/vm1"));
        let exact = ResourcePattern::parse("/subscriptions/0b1f/resourceGroups/legacy/providers/x/VM1");
        assert!(exact.matches("/subscriptions/0B1F/resourcegroups/legacy/providers/x/vm1"));
        assert!(!exact.matches("/subscriptions/0b1f/resourceGroups/legacy/providers/x/vm2"));
        // Other ids compare exactly.
        let arn = ResourcePattern::parse("arn:aws:s3:::Bucket");
        assert!(arn.matches("arn:aws:s3:::Bucket"));
        assert!(!arn.matches("arn:aws:s3:::bucket"));
        let custom = ResourcePattern::parse("hosts/*");
        assert!(custom.matches("hosts/web-1"));
        assert!(!custom.matches("Hosts/web-1"));
        assert_eq!(ResourcePattern::parse("*"), ResourcePattern::Any);
        assert_eq!(ResourcePattern::parse("/*"), ResourcePattern::Any);
        assert!(ResourcePattern::Any.matches("anything"));
    }
}
