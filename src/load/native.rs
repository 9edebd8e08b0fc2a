//! The native inventory format (SPEC §2): the typed shapes of its five sections, the
//! value checks (status, severity, exemption category, dates, max score) done while
//! deserializing, so that every message carries the JSON path of the bad value, and the
//! unknown keys each shape keeps for `validate` ([`HasExtra`]).
//!
//! The catalog's JSON is a native document, so the shapes of `controls[]` and
//! `recommendations[]` ([`ControlIn`], [`RecommendationIn`]), with the string, id,
//! severity and max score checks ([`Text`], [`Id`], [`check_max_score`]), are defined in
//! [`crate::catalog`] and used here as they are (the loader sits above the catalog).

use super::builder::ResourceDef;
use crate::date::Date;
use crate::json_schema;
use crate::model::{Exemption, ExemptionCategory, Status, Subscription};
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::collections::BTreeMap;

pub use crate::catalog::{check_max_score, ControlIn, Extra, Id, RecommendationIn, Text, MAX_SCORE_LIMIT};

/// The keys that make a JSON object a native document.
pub const SECTIONS: [&str; 6] = [
    "subscriptions",
    "controls",
    "recommendations",
    "resources",
    "assessments",
    "counts",
];

/// Deserializes a string and converts it with `parse`, or fails naming what was expected.
fn parse_with<'de, D, T>(d: D, parse: impl FnOnce(&str) -> Option<T>, expected: &str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    let text = Text::deserialize(d)?;
    parse(&text.0)
        .ok_or_else(|| de::Error::custom(format!("unknown value {:?}: expected {expected}", text.0)))
}

fn status<'de, D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
    parse_with(d, Status::parse, "healthy, unhealthy or not_applicable")
}

fn category<'de, D: Deserializer<'de>>(d: D) -> Result<ExemptionCategory, D::Error> {
    parse_with(d, ExemptionCategory::parse, "waiver or mitigated")
}

fn expiry<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
    match Option::<Text>::deserialize(d)? {
        None => Ok(None),
        Some(t) => Date::parse_date_or_time(&t.0)
            .map(Some)
            .map_err(de::Error::custom),
    }
}

/// What [`status`] accepts.
fn status_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema::any_case(&Status::WORDS.map(|(word, _)| word), Some('_'))
}

/// What [`expiry`] accepts.
fn expiry_schema(generator: &mut SchemaGenerator) -> Schema {
    json_schema::or_null(json_schema::date_or_time(generator))
}

/// `subscriptions[]`.
#[derive(Deserialize, JsonSchema)]
pub struct SubscriptionIn {
    #[serde(deserialize_with = "Id::owned")]
    #[schemars(schema_with = "json_schema::id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub management_groups: Option<Vec<String>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// `resources[]`.
#[derive(Deserialize, JsonSchema)]
pub struct ResourceIn {
    #[serde(deserialize_with = "Id::owned")]
    #[schemars(schema_with = "json_schema::id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, rename = "type")]
    pub kind: Option<String>,
    #[serde(default)]
    pub subscription: Option<String>,
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// An assessment's `exemption`.
#[derive(Deserialize, JsonSchema)]
pub struct ExemptionIn {
    #[serde(deserialize_with = "category")]
    #[schemars(schema_with = "ExemptionCategory::read_schema")]
    pub category: ExemptionCategory,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "expiry")]
    #[schemars(schema_with = "expiry_schema")]
    pub expires: Option<Date>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// `assessments[]`, or one assessment standing alone (a JSON Lines row).
#[derive(Deserialize, JsonSchema)]
pub struct AssessmentIn<'a> {
    #[serde(borrow)]
    pub resource: Id<'a>,
    #[serde(borrow)]
    pub recommendation: Id<'a>,
    #[serde(deserialize_with = "status")]
    #[schemars(schema_with = "status_schema")]
    pub status: Status,
    #[serde(default)]
    pub exemption: Option<ExemptionIn>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// The common JSON Lines row with no other keys: parsed without buffering, borrowing
/// its ids from the input. Anything else, and every row under `validate` (which lists
/// unknown keys inside exemptions too), goes through [`AssessmentIn`].
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentRow<'a> {
    #[serde(borrow)]
    pub resource: Id<'a>,
    #[serde(borrow)]
    pub recommendation: Id<'a>,
    #[serde(deserialize_with = "status")]
    pub status: Status,
    #[serde(default)]
    pub exemption: Option<ExemptionIn>,
}

impl From<SubscriptionIn> for Subscription {
    fn from(s: SubscriptionIn) -> Subscription {
        Subscription {
            id: s.id,
            name: s.name,
            management_groups: s.management_groups.unwrap_or_default(),
        }
    }
}

impl From<ResourceIn> for ResourceDef {
    fn from(r: ResourceIn) -> ResourceDef {
        ResourceDef {
            id: r.id,
            name: r.name,
            kind: r.kind,
            subscription: r.subscription,
            tags: r.tags,
        }
    }
}

impl From<ExemptionIn> for Exemption {
    fn from(e: ExemptionIn) -> Exemption {
        Exemption {
            category: e.category,
            expires: e.expires,
            reason: e.reason,
            hides_status: false,
        }
    }
}

/// The sections of a native document, for its schema ([`Inventory`]): each of the
/// [`SECTIONS`], an array of the shape the loader reads its elements with, or null.
/// Never built (the loader reads a document key by key); a test checks that it names
/// the [`SECTIONS`] exactly.
#[derive(JsonSchema)]
#[allow(dead_code)]
struct NativeDocument<'a> {
    subscriptions: Option<Vec<SubscriptionIn>>,
    controls: Option<Vec<ControlIn>>,
    recommendations: Option<Vec<RecommendationIn>>,
    resources: Option<Vec<ResourceIn>>,
    assessments: Option<Vec<AssessmentIn<'a>>>,
    counts: Option<Vec<super::counts::CountsRowIn>>,
}

/// One JSON value of a native input, as the loader tells it (`load::shape`): an object
/// with `securescore_counts` is a counts row (SPEC §10); one with any of the
/// [`SECTIONS`] is a document; any other object must be one assessment
/// standing alone; an array holds such values. An object whose `schema` names one of
/// securescore's own outputs (other than the control listing, which reads as control
/// definitions) is refused whatever else it holds.
struct NativeValue;

impl JsonSchema for NativeValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NativeValue".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let any_section: Vec<serde_json::Value> = SECTIONS
            .iter()
            .map(|section| serde_json::json!({"required": [section]}))
            .collect();
        let pattern = |prefix: &str| format!("^{}", prefix.replace('.', "\\."));
        schemars::json_schema!({
            "anyOf": [
                {"type": "array", "items": generator.subschema_for::<NativeValue>()},
                {
                    "type": "object",
                    "not": {
                        "required": ["schema"],
                        "properties": {"schema": {
                            "type": "string",
                            "pattern": pattern(super::shape::OWN_SCHEMA_PREFIX),
                            "not": {"pattern": pattern(super::shape::LISTING_SCHEMA_PREFIX)}
                        }}
                    },
                    "if": {"required": [super::counts::KEY]},
                    "then": {
                        "if": {"required": ["TableName"]},
                        "then": super::counts::log_analytics_schema(),
                        "else": generator.subschema_for::<super::counts::CountsRowIn>()
                    },
                    "else": {
                        "if": {"anyOf": any_section},
                        "then": generator.subschema_for::<NativeDocument>(),
                        "else": generator.subschema_for::<AssessmentIn>()
                    }
                }
            ]
        })
    }
}

/// The native inventory format (SPEC §2), one JSON value of an input (a document, or a
/// line of JSON Lines): the root of `securescore schema inventory`. Unknown keys are
/// allowed, as the loader allows them (`validate` lists them). What only the whole of
/// the inputs tells (an id defined twice differently, an assessment repeated with
/// another status) and Azure's exports (SPEC §3) are beyond it.
pub struct Inventory;

impl JsonSchema for Inventory {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Inventory".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        generator.subschema_for::<NativeValue>()
    }
}

/// Shapes that keep the keys they do not know, so `validate` can list them.
pub trait HasExtra {
    /// (key, path relative to the element) of every unknown key.
    fn extra_keys(&self) -> Vec<(&str, String)>;
}

fn keys_of<'e>(extra: &'e Extra, at: &str) -> impl Iterator<Item = (&'e str, String)> + 'e {
    let at = at.to_string();
    extra.keys().map(move |k| (k.as_str(), at.clone()))
}

macro_rules! has_extra {
    ($($t:ty),*) => {$(
        impl HasExtra for $t {
            fn extra_keys(&self) -> Vec<(&str, String)> {
                keys_of(&self.extra, "").collect()
            }
        }
    )*};
}
has_extra!(SubscriptionIn, ControlIn, RecommendationIn, ResourceIn);

impl HasExtra for AssessmentIn<'_> {
    fn extra_keys(&self) -> Vec<(&str, String)> {
        let mut keys: Vec<(&str, String)> = keys_of(&self.extra, "").collect();
        if let Some(e) = &self.exemption {
            keys.extend(keys_of(&e.extra, "exemption"));
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_schema_of_a_document_names_the_sections_the_loader_reads() {
        let schema = schemars::schema_for!(NativeDocument);
        let mut names: Vec<&str> = schema
            .get("properties")
            .and_then(|p| p.as_object())
            .map(|p| p.keys().map(String::as_str).collect())
            .unwrap_or_default();
        names.sort_unstable();
        let mut sections = SECTIONS;
        sections.sort_unstable();
        assert_eq!(names, sections);
    }
}
