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
use crate::model::{Exemption, ExemptionCategory, Status, Subscription};
use serde::de::{self, Deserializer};
use serde::Deserialize;
use std::collections::BTreeMap;

pub use crate::catalog::{check_max_score, ControlIn, Extra, Id, RecommendationIn, Text, MAX_SCORE_LIMIT};

/// The keys that make a JSON object a native document.
pub const SECTIONS: [&str; 5] = [
    "subscriptions",
    "controls",
    "recommendations",
    "resources",
    "assessments",
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

/// `subscriptions[]`.
#[derive(Deserialize)]
pub struct SubscriptionIn {
    #[serde(deserialize_with = "Id::owned")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub management_groups: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `resources[]`.
#[derive(Deserialize)]
pub struct ResourceIn {
    #[serde(deserialize_with = "Id::owned")]
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
    pub extra: Extra,
}

/// An assessment's `exemption`.
#[derive(Deserialize)]
pub struct ExemptionIn {
    #[serde(deserialize_with = "category")]
    pub category: ExemptionCategory,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default, deserialize_with = "expiry")]
    pub expires: Option<Date>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `assessments[]`, or one assessment standing alone (a JSON Lines row).
#[derive(Deserialize)]
pub struct AssessmentIn<'a> {
    #[serde(borrow)]
    pub resource: Id<'a>,
    #[serde(borrow)]
    pub recommendation: Id<'a>,
    #[serde(deserialize_with = "status")]
    pub status: Status,
    #[serde(default)]
    pub exemption: Option<ExemptionIn>,
    #[serde(flatten)]
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
