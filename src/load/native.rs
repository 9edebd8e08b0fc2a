//! The native inventory format (SPEC §2): the typed shapes of its five sections, the
//! value checks (status, severity, exemption category, dates, max score) done while
//! deserializing, so that every message carries the JSON path of the bad value, and the
//! unknown keys each shape keeps for `validate` ([`HasExtra`]).

use super::builder::ResourceDef;
use crate::catalog::ControlDef;
use crate::date::Date;
use crate::model::{Exemption, ExemptionCategory, Recommendation, Severity, Status, Subscription};
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

/// The keys that make a JSON object a native document.
pub const SECTIONS: [&str; 5] = [
    "subscriptions",
    "controls",
    "recommendations",
    "resources",
    "assessments",
];

/// Keys present in an object but not part of its shape (listed as warnings by `validate`).
pub type Extra = BTreeMap<String, IgnoredAny>;

/// A string that borrows from the input when it holds no escapes.
#[derive(Debug, PartialEq)]
pub struct Text<'a>(pub Cow<'a, str>);

struct TextVisitor {
    non_empty: bool,
}

impl<'de> Visitor<'de> for TextVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.non_empty {
            "a non-empty string id"
        } else {
            "a string"
        })
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        self.check(v)?;
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        self.check(v)?;
        Ok(Cow::Owned(v.to_string()))
    }
}

impl TextVisitor {
    fn check<E: de::Error>(&self, v: &str) -> Result<(), E> {
        if self.non_empty && v.is_empty() {
            return Err(E::invalid_value(de::Unexpected::Str(v), self));
        }
        Ok(())
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor { non_empty: false }).map(Text)
    }
}

/// A required, non-empty id.
#[derive(Debug, PartialEq)]
pub struct Id<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Id<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(TextVisitor { non_empty: true }).map(Id)
    }
}

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

fn severity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
    match Option::<Text>::deserialize(d)? {
        None => Ok(None),
        Some(t) => Severity::parse(&t.0).map(Some).ok_or_else(|| {
            de::Error::custom(format!(
                "unknown severity {:?}: expected low, medium, high or critical",
                t.0
            ))
        }),
    }
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

fn id<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Id::deserialize(d).map(|id| id.0.into_owned())
}

/// The largest max score accepted: sums of many such controls stay far from overflow
/// (Defender's own controls are worth at most 10).
pub const MAX_SCORE_LIMIT: f64 = 1e9;

fn max_score<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    check_max_score(f64::deserialize(d)?).map_err(de::Error::custom)
}

/// A max score as given, or why it is not one.
pub fn check_max_score(v: f64) -> Result<f64, String> {
    if v.is_finite() && (0.0..=MAX_SCORE_LIMIT).contains(&v) {
        // `-0` is 0.
        Ok(v + 0.0)
    } else {
        Err(format!(
            "max score {v} is invalid: expected a finite number from 0 to {MAX_SCORE_LIMIT:e}"
        ))
    }
}

/// `subscriptions[]`.
#[derive(Deserialize)]
pub struct SubscriptionIn {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub management_groups: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `controls[]`.
#[derive(Deserialize)]
pub struct ControlIn {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(deserialize_with = "max_score")]
    pub max_score: f64,
    pub recommendations: Vec<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `recommendations[]`.
#[derive(Deserialize)]
pub struct RecommendationIn {
    #[serde(deserialize_with = "id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "severity")]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub preview: Option<bool>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `resources[]`.
#[derive(Deserialize)]
pub struct ResourceIn {
    #[serde(deserialize_with = "id")]
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

impl From<ControlIn> for ControlDef {
    fn from(c: ControlIn) -> ControlDef {
        ControlDef {
            id: c.id,
            name: c.name,
            description: c.description,
            max_score: c.max_score,
            recommendations: c.recommendations,
        }
    }
}

impl From<RecommendationIn> for Recommendation {
    fn from(r: RecommendationIn) -> Recommendation {
        Recommendation {
            id: r.id,
            name: r.name,
            severity: r.severity,
            description: r.description,
            remediation: r.remediation,
            preview: r.preview.unwrap_or(false),
            custom: false,
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
