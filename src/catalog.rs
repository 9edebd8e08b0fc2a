//! The built-in catalog of Defender for Cloud controls, shipped inside the binary
//! (a 2021 snapshot of membership, with current names and max scores), and
//! [`ControlDef`], the shape in which both the catalog and the inputs define a control.
//!
//! The catalog's JSON is written in the native inventory format, so the catalog owns the
//! native shapes of a control ([`ControlIn`]) and a recommendation ([`RecommendationIn`]),
//! with the value checks they make while deserializing (non-empty ids, max scores,
//! severities; [`Text`], [`Id`], [`check_max_score`]) and their conversion into a
//! [`ControlDef`] and a [`Recommendation`]. The native loader (`load::native`) reads an
//! input's `controls[]` and `recommendations[]` with these same shapes; the catalog stays
//! below the loaders, which add error positions and unknown-key reporting.

use crate::json_schema;
use crate::model::{Recommendation, Severity};
use anyhow::Context;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The catalog's JSON, in the native inventory shape.
pub const CATALOG_JSON: &str = include_str!("../data/azure-controls.json");

/// A control as a definition gives it (the catalog's, or an input's), members named by
/// recommendation id; the loader resolves the ids when it finishes the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlDef {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub max_score: f64,
    pub recommendations: Vec<String>,
}

/// The built-in controls and what is known of their recommendations.
#[derive(Debug)]
pub struct Catalog {
    /// Controls in the catalog's order.
    pub controls: Vec<ControlDef>,
    recommendations: HashMap<String, Recommendation>,
}

/// The parts of the catalog's JSON that are read: two sections of a native document.
#[derive(Deserialize)]
struct CatalogFile {
    controls: Vec<ControlIn>,
    recommendations: Vec<RecommendationIn>,
}

impl Catalog {
    /// Parses the embedded catalog.
    pub fn builtin() -> anyhow::Result<Catalog> {
        Catalog::parse(CATALOG_JSON)
    }

    /// Parses a catalog in the embedded one's format (the fuzz targets use a cut of it).
    pub fn parse(json: &str) -> anyhow::Result<Catalog> {
        let file: CatalogFile =
            serde_json::from_str(json).context("the built-in control catalog does not parse")?;
        let recommendations = file
            .recommendations
            .into_iter()
            .map(|r| {
                let rec = Recommendation::from(r);
                (rec.id.clone(), rec)
            })
            .collect();
        Ok(Catalog {
            controls: file.controls.into_iter().map(ControlDef::from).collect(),
            recommendations,
        })
    }

    /// An empty catalog (for tests that define their own controls).
    pub fn empty() -> Catalog {
        Catalog {
            controls: Vec::new(),
            recommendations: HashMap::new(),
        }
    }

    /// What the catalog knows of a recommendation.
    pub fn recommendation(&self, id: &str) -> Option<&Recommendation> {
        self.recommendations.get(id)
    }
}

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

/// An id is a non-empty string.
impl JsonSchema for Id<'_> {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Id".into()
    }

    fn inline_schema() -> bool {
        true
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        json_schema::id(generator)
    }
}

impl Id<'_> {
    /// Deserializes a required, non-empty id into a `String` (for
    /// `#[serde(deserialize_with = "Id::owned")]`).
    pub fn owned<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
        Id::deserialize(d).map(|id| id.0.into_owned())
    }
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

/// What [`severity`] accepts: a severity in any case, or null.
fn severity_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema::or_null(json_schema::any_case(&Severity::NAMES, None))
}

/// The largest max score accepted: sums of many such controls stay far from overflow
/// (Defender's own controls are worth at most 10).
pub const MAX_SCORE_LIMIT: f64 = 1e9;

fn max_score<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    check_max_score(f64::deserialize(d)?).map_err(de::Error::custom)
}

/// A max score as given, or why it is not one. A subnormal max (below
/// [`f64::MIN_POSITIVE`]) is refused: shares of it lose their precision, so a control's
/// points would no longer add up to its max.
pub fn check_max_score(v: f64) -> Result<f64, String> {
    if (v == 0.0 || v.is_normal()) && (0.0..=MAX_SCORE_LIMIT).contains(&v) {
        // `-0` is 0.
        Ok(v + 0.0)
    } else {
        // A number written out in full can be 300 digits long (1e308, or a subnormal).
        let shown = crate::text::echoed(v);
        Err(format!(
            "max score {shown} is invalid: expected 0 or a number from {:e} to {MAX_SCORE_LIMIT:e}",
            f64::MIN_POSITIVE
        ))
    }
}

/// What [`check_max_score`] accepts: 0, or a normal number up to [`MAX_SCORE_LIMIT`].
fn max_score_schema(_: &mut SchemaGenerator) -> Schema {
    schemars::json_schema!({
        "type": "number",
        "minimum": 0,
        "maximum": MAX_SCORE_LIMIT,
        "not": {"exclusiveMinimum": 0, "exclusiveMaximum": f64::MIN_POSITIVE}
    })
}

/// The most points a recommendation is worth under the `v1` model (SPEC §7: "up to 50").
pub const MAX_POINTS: f64 = 50.0;

fn points<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    Option::<f64>::deserialize(d)?
        .map(check_points)
        .transpose()
        .map_err(de::Error::custom)
}

/// A recommendation's `points` as given, or why they are not points: a number above 0
/// and at most [`MAX_POINTS`], and normal: a subnormal one (below [`f64::MIN_POSITIVE`])
/// loses its precision in a row's share, so the row would score as if healthy.
pub fn check_points(v: f64) -> Result<f64, String> {
    if v.is_normal() && v > 0.0 && v <= MAX_POINTS {
        Ok(v)
    } else {
        let shown = crate::text::echoed(v);
        Err(format!(
            "invalid points {shown}: expected a number above 0 and at most {MAX_POINTS} \
             (not below {:e}, whose shares lose their precision)",
            f64::MIN_POSITIVE
        ))
    }
}

/// What [`check_points`] accepts, or null.
fn points_schema(_: &mut SchemaGenerator) -> Schema {
    json_schema::or_null(schemars::json_schema!({
        "type": "number",
        "minimum": f64::MIN_POSITIVE,
        "maximum": MAX_POINTS
    }))
}

/// `controls[]` of a native document (the catalog's, or an input's).
#[derive(Deserialize, JsonSchema)]
pub struct ControlIn {
    #[serde(deserialize_with = "Id::owned")]
    #[schemars(schema_with = "json_schema::id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(deserialize_with = "max_score")]
    #[schemars(schema_with = "max_score_schema")]
    pub max_score: f64,
    pub recommendations: Vec<String>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
}

/// `recommendations[]` of a native document (the catalog's, or an input's).
#[derive(Deserialize, JsonSchema)]
pub struct RecommendationIn {
    #[serde(deserialize_with = "Id::owned")]
    #[schemars(schema_with = "json_schema::id")]
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "severity")]
    #[schemars(schema_with = "severity_schema")]
    pub severity: Option<Severity>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub remediation: Option<String>,
    #[serde(default)]
    pub preview: Option<bool>,
    /// Its points under the `v1` model (SPEC §7), over the severity's default.
    #[serde(default, deserialize_with = "points")]
    #[schemars(schema_with = "points_schema")]
    pub points: Option<f64>,
    #[serde(flatten)]
    #[schemars(skip)]
    pub extra: Extra,
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
            points: r.points,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_scores_are_zero_or_normal_numbers_up_to_the_limit() {
        assert_eq!(check_max_score(0.0), Ok(0.0));
        assert!(check_max_score(-0.0).is_ok_and(|v| v.is_sign_positive()));
        assert_eq!(check_max_score(f64::MIN_POSITIVE), Ok(f64::MIN_POSITIVE));
        assert_eq!(check_max_score(MAX_SCORE_LIMIT), Ok(MAX_SCORE_LIMIT));
        let subnormal = check_max_score(5e-324).unwrap_err();
        assert!(
            subnormal.starts_with("max score 5e-324 is invalid"),
            "{subnormal}"
        );
        assert!(check_max_score(f64::MIN_POSITIVE / 2.0).is_err());
        assert!(check_max_score(MAX_SCORE_LIMIT * 1.5).is_err());
        assert!(check_max_score(-1.0).is_err());
    }

    #[test]
    fn builtin_catalog_has_the_documented_totals() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(c.controls.len(), 15);
        let total: f64 = c.controls.iter().map(|c| c.max_score).sum();
        assert_eq!(total, 58.0);
        let mfa = c
            .controls
            .iter()
            .find(|c| c.name.as_deref() == Some("Enable MFA"))
            .unwrap();
        assert_eq!(mfa.max_score, 10.0);
        assert_eq!(c.recommendations.len(), 556);
    }
}
