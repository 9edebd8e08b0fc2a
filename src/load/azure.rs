//! Azure's own exports (SPEC §3): ARM objects as `GET`, `az rest`, Resource Graph and
//! `az security` print them. Every object is read into one [`Fields`] record with
//! case-insensitive keys (Resource Graph writes `resourceDetails.Id`), whether its fields
//! sit under `properties` (REST, Resource Graph, newer `az`) or at the top level (older
//! `az`), and then mapped onto the model by its `type`.

use super::builder::ModelBuilder;
use super::definitions::{Rank, RecommendationParts};
use super::native::{check_max_score, Text};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ids::{connector_of, subscription_of};
use crate::model::{Counts, Exemption, ExemptionCategory, ExportScope, Figures, Severity, Status};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

/// Declares a record read from a JSON object whose keys match case-insensitively, every
/// field optional, unknown keys skipped without allocating.
macro_rules! azure_object {
    ($(#[$meta:meta])* $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty = $key:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Default)]
        pub struct $name<'a> {
            $($(#[$fmeta])* pub $field: Option<$ty>,)*
            marker: PhantomData<&'a ()>,
        }

        impl<'a> $name<'a> {
            /// The keys read, in the order they are matched (each in any case).
            #[allow(dead_code)]
            pub const KEYS: &'static [&'static str] = &[$($key),*];

            /// Fills the fields this record lacks from `other`.
            #[allow(dead_code)]
            fn fill_from(&mut self, other: $name<'a>) {
                $(if self.$field.is_none() {
                    self.$field = other.$field;
                })*
            }
        }

        impl<'de: 'a, 'a> Deserialize<'de> for $name<'a> {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct RecordVisitor<'a>(PhantomData<&'a ()>);
                impl<'de: 'a, 'a> Visitor<'de> for RecordVisitor<'a> {
                    type Value = $name<'a>;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                        /// The spelling each field was first given a value under: a second
                        /// key matching it (in any case) is a duplicate, not a value to drop.
                        /// Keeping the key moves it (no allocation of its own).
                        #[derive(Default)]
                        struct Seen<'k> {
                            $($field: Option<Text<'k>>,)*
                        }
                        let mut out = $name::default();
                        let mut seen = Seen::default();
                        while let Some(key) = map.next_key::<Text<'de>>()? {
                            $(if key.0.eq_ignore_ascii_case($key) {
                                // A null says nothing (`az` writes `"source": null` beside
                                // `"Source": "Azure"`): only two values are a conflict.
                                let value: Option<$ty> = map.next_value()?;
                                if value.is_some() {
                                    if let Some(first) = &seen.$field {
                                        return Err(duplicate_key(&first.0, &key.0));
                                    }
                                    seen.$field = Some(key);
                                    out.$field = value;
                                }
                                continue;
                            })*
                            map.next_value::<IgnoredAny>()?;
                        }
                        Ok(out)
                    }
                }
                d.deserialize_map(RecordVisitor(PhantomData))
            }
        }
    };
}

/// The error for a key read twice in one object (`properties` and `Properties`): whichever
/// came first would otherwise win, so the key order would decide the score.
fn duplicate_key<E: de::Error>(first: &str, second: &str) -> E {
    if first == second {
        E::custom(format_args!("duplicate key {second:?}: expected each key once"))
    } else {
        E::custom(format_args!(
            "duplicate key {second:?}, also written {first:?} (keys match in any case): expected each key once"
        ))
    }
}

azure_object! {
    /// Every field the loader reads from an ARM object, its `properties`, `metadata`,
    /// `score` or `definition`.
    Fields {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        kind: Text<'a> = "type",
        properties: Box<Fields<'a>> = "properties",
        display_name: Text<'a> = "displayName",
        resource_details: Details<'a> = "resourceDetails",
        status: StatusField<'a> = "status",
        metadata: Box<Fields<'a>> = "metadata",
        severity: Text<'a> = "severity",
        preview: bool = "preview",
        assessment_type: Text<'a> = "assessmentType",
        description: Text<'a> = "description",
        remediation: Text<'a> = "remediationDescription",
        score: Box<Fields<'a>> = "score",
        max: Float = "max",
        current: Float = "current",
        percentage: Float = "percentage",
        healthy: Count = "healthyResourceCount",
        unhealthy: Count = "unhealthyResourceCount",
        not_applicable: Count = "notApplicableResourceCount",
        weight: Count = "weight",
        definition: Box<Fields<'a>> = "definition",
        max_score: Float = "maxScore",
        source: Source<'a> = "source",
        source_type: Text<'a> = "sourceType",
        assessment_definitions: Vec<Link<'a>> = "assessmentDefinitions",
        subscription_id: Text<'a> = "subscriptionId",
    }
}

azure_object! {
    /// An assessment's `resourceDetails`, for any source (Azure, on-premises, AWS, GCP).
    Details {
        source: Text<'a> = "source",
        id: Text<'a> = "id",
        resource_id: Text<'a> = "ResourceId",
        azure_resource_id: Text<'a> = "AzureResourceId",
        aws_resource_id: Text<'a> = "AwsResourceId",
        gcp_resource_id: Text<'a> = "GcpResourceId",
        vmuuid: Text<'a> = "vmuuid",
        machine_name: Text<'a> = "machineName",
        workspace_id: Text<'a> = "workspaceId",
        server_name: Text<'a> = "serverName",
        database_name: Text<'a> = "databaseName",
        connector_id: Text<'a> = "connectorId",
    }
}

azure_object! {
    /// An assessment's `status`.
    StatusField {
        code: Text<'a> = "code",
        cause: Text<'a> = "cause",
    }
}

azure_object! {
    /// `assessmentDefinitions[]`: a link to a recommendation.
    Link {
        id: Text<'a> = "id",
    }
}

/// The largest count accepted: far above any real estate, and far from overflowing
/// when many are added up.
pub const COUNT_LIMIT: u64 = 1_000_000_000_000;

/// A count (of resources, or a weight): a non-negative integer, also when written `4.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Count(pub u64);

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct CountVisitor;
        impl Visitor<'_> for CountVisitor {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                write!(f, "a whole number from 0 to {COUNT_LIMIT}")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Count, E> {
                if v <= COUNT_LIMIT {
                    Ok(Count(v))
                } else {
                    Err(E::invalid_value(de::Unexpected::Unsigned(v), &self))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Count, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(E::invalid_value(de::Unexpected::Signed(v), &self)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Count, E> {
                if v.is_finite() && v >= 0.0 && v.fract() == 0.0 && v <= COUNT_LIMIT as f64 {
                    Ok(Count(v as u64))
                } else {
                    // Serde's own form, unless its digits would run long.
                    let echoed = crate::text::echoed(v);
                    let shown = format!("floating point `{echoed}`");
                    let unexpected = if echoed.contains('e') {
                        de::Unexpected::Other(&shown)
                    } else {
                        de::Unexpected::Float(v)
                    };
                    Err(E::invalid_value(unexpected, &self))
                }
            }
        }
        d.deserialize_any(CountVisitor)
    }
}

/// A number read from an export (a max score, a current score, a percentage): 0 or a
/// normal float. A subnormal one is refused, as for a native max score: shares of it lose
/// their precision, and dividing by it overflows.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Float(pub f64);

impl<'de> Deserialize<'de> for Float {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = f64::deserialize(d)?;
        if v == 0.0 || v.is_normal() {
            // `-0` is 0.
            Ok(Float(v + 0.0))
        } else {
            Err(de::Error::custom(format_args!(
                "number {v:e} is too close to 0: expected 0 or a number at least {:e} from it",
                f64::MIN_POSITIVE
            )))
        }
    }
}

/// `source`: a name (`resourceDetails.source`) or an object (`{"sourceType": …}`).
#[derive(Debug)]
pub enum Source<'a> {
    Name(Text<'a>),
    Object(Box<Fields<'a>>),
}

impl<'de: 'a, 'a> Deserialize<'de> for Source<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct SourceVisitor<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for SourceVisitor<'a> {
            type Value = Source<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an object with sourceType")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Source::Name(Text(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Source::Name(Text(Cow::Owned(v.to_string()))))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Fields::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|f| Source::Object(Box::new(f)))
            }
        }
        d.deserialize_any(SourceVisitor(PhantomData))
    }
}

impl<'a> Fields<'a> {
    /// The record with `properties` and `score` merged into the top level (the top
    /// level wins), and an embedded `definition` flattened the same way.
    pub fn flatten(mut self) -> Fields<'a> {
        if let Some(p) = self.properties.take() {
            self.fill_from(*p);
        }
        if let Some(s) = self.score.take() {
            self.fill_from(*s);
        }
        if let Some(d) = self.definition.take() {
            self.definition = Some(Box::new(d.flatten()));
        }
        self
    }

    fn text<'f>(field: &'f Option<Text<'a>>) -> Option<&'f str> {
        field.as_ref().map(|t| t.0.as_ref()).filter(|s| !s.is_empty())
    }

    /// The object's key: its `name`, else the last segment of its `id`.
    fn key(&self) -> Option<&str> {
        Self::text(&self.name).or_else(|| Self::text(&self.id).and_then(last_segment))
    }

    /// `source.sourceType` (or a flat `sourceType`).
    fn source_type(&self) -> Option<&str> {
        match &self.source {
            Some(Source::Object(o)) => Self::text(&o.source_type),
            Some(Source::Name(n)) => Some(n.0.as_ref()),
            None => None,
        }
        .or_else(|| Self::text(&self.source_type))
    }
}

/// An Azure name as the model compares it: Azure names compare case-insensitively, the
/// model's ids exactly, so GUIDs (control and recommendation keys) are lower-cased.
fn azure_name(name: &str) -> Cow<'_, str> {
    if crate::ids::is_guid(name) && name.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

fn last_segment(id: &str) -> Option<&str> {
    id.trim_end_matches('/')
        .rsplit('/')
        .next()
        .filter(|s| !s.is_empty())
}

/// The kinds of Azure object read (SPEC §3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Assessment,
    Metadata,
    ControlDefinition,
    ScoreControl,
    SecureScore,
    /// Counts rows (SPEC §10) in a Resource Graph result or bare listing: no Azure type,
    /// told by their key and read by the loader itself (`load::counts`), never by
    /// [`AzureSink::add`]; a kind of its own so that their pages are checked for
    /// truncation like any other.
    CountsRow,
}

impl Kind {
    /// What the kind is called in messages.
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Assessment => "assessments",
            Kind::Metadata => "assessment metadata",
            Kind::ControlDefinition => "secure score control definitions",
            Kind::ScoreControl => "secure score controls",
            Kind::SecureScore => "secure scores",
            Kind::CountsRow => "counts rows",
        }
    }
}

const TYPES: [(&str, Kind); 5] = [
    ("Microsoft.Security/assessments", Kind::Assessment),
    ("Microsoft.Security/assessmentMetadata", Kind::Metadata),
    (
        "Microsoft.Security/secureScoreControlDefinitions",
        Kind::ControlDefinition,
    ),
    (
        "Microsoft.Security/secureScores/secureScoreControls",
        Kind::ScoreControl,
    ),
    ("Microsoft.Security/secureScores", Kind::SecureScore),
];

/// Finds `needle` in `hay` ignoring ASCII case; the byte offset of the last match.
fn rfind_ignore_case(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    (0..=h.len().checked_sub(n.len())?)
        .rev()
        .find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// The kind an id names, for objects without a `type` (a Resource Graph projection).
fn kind_from_id(id: &str) -> Option<Kind> {
    let marker = "/providers/Microsoft.Security/";
    let at = rfind_ignore_case(id, marker)?;
    let segments: Vec<&str> = id[at + marker.len()..].split('/').collect();
    let is = |i: usize, name: &str| segments.get(i).is_some_and(|s| s.eq_ignore_ascii_case(name));
    match segments.len() {
        2 if is(0, "assessments") => Some(Kind::Assessment),
        2 if is(0, "assessmentMetadata") => Some(Kind::Metadata),
        2 if is(0, "secureScoreControlDefinitions") => Some(Kind::ControlDefinition),
        2 if is(0, "secureScores") => Some(Kind::SecureScore),
        4 if is(0, "secureScores") && is(2, "secureScoreControls") => Some(Kind::ScoreControl),
        _ => None,
    }
}

/// The kind of an object, or the `type` it has when that is not one the tool reads
/// (`None` when it has no type and its id names no kind either).
pub fn kind_of(fields: &Fields) -> Result<Kind, Option<String>> {
    match Fields::text(&fields.kind) {
        Some(t) => TYPES
            .iter()
            .find(|(name, _)| t.eq_ignore_ascii_case(name))
            .map(|&(_, k)| k)
            .ok_or_else(|| Some(t.to_string())),
        None => Fields::text(&fields.id).and_then(kind_from_id).ok_or(None),
    }
}

/// The scope an exported object belongs to, from its id (or Resource Graph's
/// `subscriptionId` column).
fn export_scope(fields: &Fields) -> Option<ExportScope> {
    Fields::text(&fields.id)
        .and_then(scope_of_id)
        .or_else(|| Fields::text(&fields.subscription_id).map(|s| ExportScope::Subscription(s.to_string())))
}

/// The scope an Azure id (or the path of a listing URL) lies in: a management group, a
/// security connector, or a subscription.
pub fn scope_of_id(id: &str) -> Option<ExportScope> {
    let body = id.trim_start_matches('/');
    let prefix = "providers/Microsoft.Management/managementGroups/";
    if body.len() > prefix.len()
        && body.is_char_boundary(prefix.len())
        && body[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        let group = body[prefix.len()..].split(['/', '?']).next().unwrap_or("");
        if !group.is_empty() {
            return Some(ExportScope::ManagementGroup(group.to_string()));
        }
    }
    if let Some(connector) = connector_of(id) {
        return Some(ExportScope::Connector(connector.to_string()));
    }
    subscription_of(id).map(|sub| ExportScope::Subscription(sub.to_string()))
}

/// The subscription a `nextLink` lists (folded), `""` for a listing of a management
/// group or the tenant, or `None` when the link is not an ARM URL.
pub fn listing_scope(next_link: &str) -> Option<String> {
    let after_scheme = next_link.split_once("://").map_or(next_link, |(_, rest)| rest);
    let path = &after_scheme[after_scheme.find('/')?..];
    let path = path.split('?').next().unwrap_or(path);
    Some(subscription_of(path).map(str::to_lowercase).unwrap_or_default())
}

/// The subscription an object's id lies in (folded), for matching pages to listings.
pub fn subscription_key(fields: &Fields) -> Option<String> {
    Fields::text(&fields.id)
        .and_then(subscription_of)
        .map(str::to_lowercase)
}

/// A hash of an object's id (case-folded), to count distinct rows of paged results.
pub fn id_hash(fields: &Fields) -> Option<u64> {
    let id = Fields::text(&fields.id)?;
    // FNV-1a: stable, and enough to tell rows apart.
    Some(id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    }))
}

/// Maps Azure objects onto a model builder.
pub struct AzureSink<'b> {
    pub builder: &'b mut ModelBuilder,
    pub diags: &'b mut Diagnostics,
    /// Secure score names other than `ascScore` already warned about.
    pub ignored_scores: &'b mut std::collections::BTreeSet<String>,
}

fn invalid(code: &'static str, message: String, at: Origin) -> Diagnostic {
    Diagnostic::error(code, message).at(at)
}

impl AzureSink<'_> {
    /// Adds one Azure object (already flattened) of kind `kind`. `at` says where it was
    /// read; it is only called when a message or a definition needs it.
    pub fn add(
        &mut self,
        kind: Kind,
        fields: Fields,
        input: u16,
        at: &mut dyn FnMut() -> Origin,
    ) -> Result<(), Diagnostic> {
        match kind {
            Kind::Assessment => self.assessment(fields, input, at),
            Kind::Metadata => self.metadata(&fields, at),
            Kind::ControlDefinition => self.control_definition(&fields, at).map(|_| ()),
            Kind::ScoreControl => self.score_control(fields, at),
            Kind::SecureScore => self.secure_score(&fields, at),
            // Read before any Azure field is looked at (`Loader::azure_element`).
            Kind::CountsRow => Ok(()),
        }
    }

    fn key<'f>(
        fields: &'f Fields,
        what: &str,
        at: &mut dyn FnMut() -> Origin,
    ) -> Result<&'f str, Diagnostic> {
        fields.key().ok_or_else(|| {
            invalid(
                "missing-field",
                format!("{what} has no name and no id: expected its key in \"name\""),
                at(),
            )
        })
    }

    fn assessment(
        &mut self,
        fields: Fields,
        input: u16,
        at: &mut dyn FnMut() -> Origin,
    ) -> Result<(), Diagnostic> {
        let facts = assessment_facts(&fields, at)?;
        let metadata = fields.metadata.as_deref();
        let parts = recommendation_parts(metadata, Fields::text(&fields.display_name), at)?;
        self.builder.merge_recommendation(&facts.key, &parts, at);
        add_assessment(self.builder, facts, None, input);
        Ok(())
    }

    fn metadata(&mut self, fields: &Fields, at: &mut dyn FnMut() -> Origin) -> Result<(), Diagnostic> {
        let key = Self::key(fields, "an assessment metadata object", at)?;
        let key = &*azure_name(key);
        let parts = RecommendationParts {
            rank: Rank::Metadata,
            ..recommendation_parts(Some(fields), None, at)?
        };
        self.builder.merge_recommendation(key, &parts, at);
        Ok(())
    }

    /// Defines a control from a definition; `None` when it is custom (not scored).
    fn control_definition(
        &mut self,
        fields: &Fields,
        at: &mut dyn FnMut() -> Origin,
    ) -> Result<Option<String>, Diagnostic> {
        let id = azure_name(Self::key(fields, "a control definition", at)?).into_owned();
        let label = crate::text::quoted_name_and_id(Fields::text(&fields.display_name), &id);
        if fields
            .source_type()
            .is_some_and(|s| s.eq_ignore_ascii_case("Custom"))
        {
            let origin = at();
            if self.builder.custom_control(&id, origin.clone()) {
                self.diags.push(
                    Diagnostic::warning(
                        "custom-control",
                        format!("control {label} is a custom control: it does not score"),
                    )
                    .at(origin),
                );
            }
            return Ok(None);
        }
        let max = fields.max_score.map(|m| m.0).ok_or_else(|| {
            invalid(
                "missing-field",
                format!("control definition {label} has no maxScore"),
                at(),
            )
        })?;
        let max_score = check_max_score(max).map_err(|m| invalid("invalid-value", m, at()))?;
        let members = fields.assessment_definitions.as_ref().ok_or_else(|| {
            invalid(
                "missing-field",
                format!("control definition {label} has no assessmentDefinitions: expected the list of its recommendations"),
                at(),
            )
        })?;
        let recommendations = members
            .iter()
            .filter_map(|l| {
                Fields::text(&l.id)
                    .and_then(last_segment)
                    .map(|k| azure_name(k).into_owned())
            })
            .collect();
        let def = crate::catalog::ControlDef {
            id: id.clone(),
            name: Fields::text(&fields.display_name).map(str::to_string),
            description: Fields::text(&fields.description).map(str::to_string),
            max_score,
            recommendations,
        };
        self.builder.define_azure_control(def, at);
        Ok(Some(id))
    }

    fn score_control(&mut self, fields: Fields, at: &mut dyn FnMut() -> Origin) -> Result<(), Diagnostic> {
        let id = azure_name(Self::key(&fields, "a secure score control", at)?).into_owned();
        let label = crate::text::quoted_name_and_id(Fields::text(&fields.display_name), &id);
        let scope = export_scope(&fields).ok_or_else(|| {
            invalid(
                "missing-field",
                format!(
                    "secure score control {label} has no id under a subscription or management group, so its scope is unknown"
                ),
                at(),
            )
        })?;
        match fields.definition.as_deref() {
            Some(def) => {
                if self.control_definition(def, at)?.is_none() {
                    return Ok(());
                }
            }
            None => {
                let max = match fields.max.map(|m| m.0) {
                    Some(m) => Some(
                        check_max_score(m)
                            .map_err(|m| invalid("invalid-value", format!("score.max: {m}"), at()))?,
                    ),
                    None => None,
                };
                self.builder
                    .reference_control(&id, Fields::text(&fields.display_name), max)
            }
        }
        let count = |v: Option<u64>, name: &str, at: &mut dyn FnMut() -> Origin| {
            v.ok_or_else(|| {
                invalid(
                    "missing-field",
                    format!("secure score control {label} has no {name}: expected the count of resources"),
                    at(),
                )
            })
        };
        let counts = Counts {
            healthy: count(fields.healthy.map(|c| c.0), "healthyResourceCount", at)?,
            unhealthy: count(fields.unhealthy.map(|c| c.0), "unhealthyResourceCount", at)?,
            not_applicable: count(
                fields.not_applicable.map(|c| c.0),
                "notApplicableResourceCount",
                at,
            )?,
        };
        self.builder
            .exports
            .add_control(scope, &id, counts, figures(&fields), at());
        Ok(())
    }

    fn secure_score(&mut self, fields: &Fields, at: &mut dyn FnMut() -> Origin) -> Result<(), Diagnostic> {
        let name = Self::key(fields, "a secure score", at)?;
        if !name.eq_ignore_ascii_case("ascScore") {
            if self.ignored_scores.insert(name.to_string()) {
                self.diags.push(
                    Diagnostic::warning(
                        "ignored-secure-score",
                        format!("secure score {name:?} is ignored: only ascScore (Defender's secure score) is read"),
                    )
                    .at(at()),
                );
            }
            return Ok(());
        }
        let scope = export_scope(fields).ok_or_else(|| {
            invalid(
                "missing-field",
                "secure score ascScore has no id under a subscription or management group, so its scope is unknown"
                    .to_string(),
                at(),
            )
        })?;
        self.builder
            .exports
            .add_score(scope, fields.weight.map(|w| w.0), figures(fields), at());
        Ok(())
    }
}

/// What an assessment says of its resource, beside what it says of its recommendation:
/// everything but its `metadata`, read without touching the model, so that a scanner
/// on another thread can read it too (the listing scanner, `load/azure_scan.rs`).
#[derive(Debug)]
pub struct AssessmentFacts<'f> {
    /// The recommendation's key, as the model compares it.
    pub key: Cow<'f, str>,
    pub resource: Cow<'f, str>,
    pub status: Status,
    pub exemption: Option<Exemption>,
    /// The scope of a resource whose id names no subscription (its security connector,
    /// else the subscription of its workspace or of the assessment).
    pub scope_hint: Option<String>,
}

/// An assessment's [`AssessmentFacts`], or the error that refuses it.
pub fn assessment_facts<'f>(
    fields: &'f Fields,
    at: &mut dyn FnMut() -> Origin,
) -> Result<AssessmentFacts<'f>, Diagnostic> {
    let key = AzureSink::key(fields, "an assessment", at)?;
    let key = azure_name(key);
    let resource = resource_of(fields).ok_or_else(|| {
        invalid(
            "missing-field",
            format!(
                "assessment {key:?} names no resource: expected properties.resourceDetails.id (or ResourceId, \
                 AzureResourceId, AwsResourceId, GcpResourceId, vmuuid, machineName) or an assessment id \
                 under the resource"
            ),
            at(),
        )
    })?;
    let code = fields
        .status
        .as_ref()
        .and_then(|s| Fields::text(&s.code))
        .ok_or_else(|| {
            invalid(
                "missing-field",
                format!(
                    "assessment {key:?} has no status.code: expected Healthy, Unhealthy or NotApplicable"
                ),
                at(),
            )
        })?;
    let status = Status::parse(code).ok_or_else(|| {
        invalid(
            "invalid-value",
            format!(
                "assessment {key:?} has status.code {code:?}: expected Healthy, Unhealthy or NotApplicable"
            ),
            at(),
        )
    })?;
    let exempt = fields
        .status
        .as_ref()
        .and_then(|s| Fields::text(&s.cause))
        .is_some_and(|c| c.eq_ignore_ascii_case("Exempt"));
    // Azure exports an exempt assessment as not applicable, hiding its own status:
    // scored as a waiver, and as unhealthy when exemptions are ignored.
    let (status, exemption) = if exempt {
        (
            if status == Status::NotApplicable {
                Status::Unhealthy
            } else {
                status
            },
            Some(Exemption {
                category: ExemptionCategory::Waiver,
                expires: None,
                reason: Some("exempt in Defender for Cloud (status.cause Exempt)".to_string()),
                hides_status: status == Status::NotApplicable,
            }),
        )
    } else {
        (status, None)
    };
    let scope_hint = scope_hint(fields, &resource);
    Ok(AssessmentFacts {
        key,
        resource,
        status,
        exemption,
        scope_hint,
    })
}

/// Adds an assessment to the model, once its recommendation is merged; `hashes` are
/// those of its resource and recommendation ids when a worker made them
/// ([`crate::ids::IdHasher::identity_hash`], [`crate::ids::IdHasher::exact_hash`] of
/// [`ModelBuilder::id_hasher`]).
pub fn add_assessment(
    builder: &mut ModelBuilder,
    facts: AssessmentFacts,
    hashes: Option<(u64, u64)>,
    input: u16,
) {
    let r = match hashes {
        Some((resource, _)) => builder.resource_hashed(&facts.resource, resource),
        None => builder.resource(&facts.resource),
    };
    if let Some(scope) = &facts.scope_hint {
        builder.resource_scope_hint(r, scope);
    }
    let recommendation = match hashes {
        Some((_, key)) => builder.recommendation_hashed(&facts.key, key),
        None => builder.recommendation(&facts.key),
    };
    builder.add_assessment_indexed(r, recommendation, facts.status, facts.exemption, input);
}

fn figures(fields: &Fields) -> Figures {
    Figures {
        current: fields.current.map(|v| v.0),
        max: fields.max.map(|v| v.0),
        percentage: fields.percentage.map(|v| v.0),
    }
}

/// What an assessment's `metadata` and `displayName` say of a recommendation (an
/// assessment metadata object is read as the `metadata`, and re-ranked by the caller).
fn recommendation_parts<'f>(
    metadata: Option<&'f Fields>,
    display_name: Option<&'f str>,
    at: &mut dyn FnMut() -> Origin,
) -> Result<RecommendationParts<'f>, Diagnostic> {
    let Some(m) = metadata else {
        return Ok(RecommendationParts {
            rank: Rank::Inline,
            described: false,
            name: display_name,
            severity: None,
            description: None,
            remediation: None,
            preview: None,
            custom: None,
        });
    };
    let severity = match Fields::text(&m.severity) {
        None => None,
        Some(s) => Some(Severity::parse(s).ok_or_else(|| {
            invalid(
                "invalid-value",
                format!("metadata.severity {s:?} is unknown: expected Low, Medium, High or Critical"),
                at(),
            )
        })?),
    };
    Ok(RecommendationParts {
        rank: Rank::Inline,
        described: true,
        name: Fields::text(&m.display_name).or(display_name),
        severity,
        description: Fields::text(&m.description),
        remediation: Fields::text(&m.remediation),
        preview: m.preview,
        // Microsoft's own queries treat BuiltInPolicy and ManualBuiltInPolicy as built in too.
        custom: Fields::text(&m.assessment_type).map(|t| !t.to_ascii_lowercase().contains("builtin")),
    })
}

/// The resource an assessment is about (SPEC §3).
fn resource_of<'f>(fields: &'f Fields) -> Option<Cow<'f, str>> {
    if let Some(d) = &fields.resource_details {
        let named = [
            &d.id,
            &d.resource_id,
            &d.azure_resource_id,
            &d.aws_resource_id,
            &d.gcp_resource_id,
        ]
        .into_iter()
        .find_map(Fields::text);
        if let Some(id) = named {
            return Some(Cow::Borrowed(id));
        }
        let machine = Fields::text(&d.vmuuid).map(Cow::Borrowed).or_else(|| {
            let name = Fields::text(&d.machine_name)?;
            Some(match Fields::text(&d.workspace_id) {
                Some(ws) => Cow::Owned(format!("{}/machines/{name}", ws.trim_end_matches('/'))),
                None => Cow::Borrowed(name),
            })
        });
        if let Some(machine) = machine {
            // A SQL database on a machine is a resource of its own.
            return Some(
                match (Fields::text(&d.server_name), Fields::text(&d.database_name)) {
                    (None, None) => machine,
                    (server, database) => Cow::Owned(format!(
                        "{machine}/sqlServers/{}/databases/{}",
                        server.unwrap_or(""),
                        database.unwrap_or("")
                    )),
                },
            );
        }
    }
    let id = Fields::text(&fields.id)?;
    let at = rfind_ignore_case(id, "/providers/Microsoft.Security/assessments/")?;
    (at > 0).then(|| Cow::Borrowed(&id[..at]))
}

/// The scope of a resource whose id names no subscription: the security connector the
/// assessment lies under, else its `connectorId` (AWS, GCP), else the subscription of its
/// workspace or of the assessment.
fn scope_hint(fields: &Fields, resource: &str) -> Option<String> {
    if subscription_of(resource).is_some() {
        return None;
    }
    let exported = export_scope(fields);
    if let Some(ExportScope::Connector(c)) = &exported {
        return Some(c.clone());
    }
    let d = fields.resource_details.as_ref();
    d.and_then(|d| Fields::text(&d.connector_id))
        .map(str::to_string)
        .or_else(|| {
            d.and_then(|d| Fields::text(&d.workspace_id))
                .and_then(subscription_of)
                .map(str::to_string)
        })
        .or(match exported {
            Some(ExportScope::Subscription(s)) => Some(s),
            _ => None,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Fields<'_> {
        serde_json::from_str::<Fields>(json).unwrap().flatten()
    }

    #[test]
    fn keys_match_case_insensitively_and_properties_merge() {
        let f = parse(
            r#"{"ID": "/subscriptions/s/providers/Microsoft.Security/assessments/k", "Type": "microsoft.security/assessments",
                "properties": {"resourceDetails": {"Source": "Azure", "Id": "/subscriptions/s/rg"}, "Status": {"Code": "Healthy"}}}"#,
        );
        assert_eq!(kind_of(&f), Ok(Kind::Assessment));
        assert_eq!(f.key(), Some("k"));
        assert_eq!(resource_of(&f).as_deref(), Some("/subscriptions/s/rg"));
    }

    #[test]
    fn kinds_come_from_the_id_when_there_is_no_type() {
        assert_eq!(
            kind_from_id(
                "/subscriptions/s/providers/Microsoft.Security/secureScores/ascScore/secureScoreControls/c"
            ),
            Some(Kind::ScoreControl)
        );
        assert_eq!(
            kind_from_id("/subscriptions/s/providers/microsoft.security/securescores/ascScore"),
            Some(Kind::SecureScore)
        );
        assert_eq!(
            kind_from_id("/subscriptions/s/providers/Microsoft.Compute/vm/x"),
            None
        );
        let f = parse(r#"{"type": "Microsoft.Compute/virtualMachines"}"#);
        assert_eq!(
            kind_of(&f),
            Err(Some("Microsoft.Compute/virtualMachines".to_string()))
        );
        assert_eq!(kind_of(&parse(r#"{"location": "x"}"#)), Err(None));
    }

    #[test]
    fn resources_fall_back_through_the_documented_fields() {
        let on_prem = parse(
            r#"{"properties": {"resourceDetails": {"source": "OnPremise", "machineName": "m1",
                "workspaceId": "/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w"}}}"#,
        );
        assert_eq!(
            resource_of(&on_prem).as_deref(),
            Some("/subscriptions/s/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w/machines/m1")
        );
        let uuid =
            parse(r#"{"resourceDetails": {"source": "OnPremise", "vmuuid": "u-1", "machineName": "m1"}}"#);
        assert_eq!(resource_of(&uuid).as_deref(), Some("u-1"));
        let aws = parse(
            r#"{"resourceDetails": {"Source": "Aws", "AwsResourceId": "arn:aws:s3:::b", "ConnectorId": "conn-1"}}"#,
        );
        assert_eq!(resource_of(&aws).as_deref(), Some("arn:aws:s3:::b"));
        assert_eq!(scope_hint(&aws, "arn:aws:s3:::b").as_deref(), Some("conn-1"));
        let by_id = parse(r#"{"id": "/subscriptions/s/rg/x/providers/Microsoft.Security/assessments/k"}"#);
        assert_eq!(resource_of(&by_id).as_deref(), Some("/subscriptions/s/rg/x"));
    }

    #[test]
    fn security_connector_objects_are_scopes_of_their_own() {
        let f = parse(
            r#"{"id": "/subscriptions/s/resourcegroups/rg/providers/microsoft.security/securityconnectors/aws1/providers/Microsoft.Security/secureScores/ascScore"}"#,
        );
        assert_eq!(
            export_scope(&f),
            Some(ExportScope::Connector(
                "/subscriptions/s/resourcegroups/rg/providers/microsoft.security/securityconnectors/aws1"
                    .to_string()
            ))
        );
    }

    #[test]
    fn management_group_ids_are_aggregates() {
        let f = parse(
            r#"{"id": "/providers/Microsoft.Management/managementGroups/corp/providers/Microsoft.Security/secureScores/ascScore"}"#,
        );
        assert_eq!(
            export_scope(&f),
            Some(ExportScope::ManagementGroup("corp".to_string()))
        );
    }

    #[test]
    fn a_key_read_twice_in_any_case_is_an_error_naming_both_spellings() {
        let err = |json: &str| serde_json::from_str::<Fields>(json).unwrap_err().to_string();
        let e = err(r#"{"properties": {}, "Properties": {"status": {"code": "Healthy"}}}"#);
        assert!(
            e.starts_with(r#"duplicate key "Properties", also written "properties""#),
            "{e}"
        );
        let e = err(r#"{"resourceDetails": {"Id": "/a", "id": "/b"}}"#);
        assert!(e.starts_with(r#"duplicate key "id", also written "Id""#), "{e}");
        // The same spelling twice too; but a null beside a value is no conflict (`az`
        // writes `"source": null, "Source": "Azure"`).
        assert!(
            serde_json::from_str::<Fields>(r#"{"status": null, "STATUS": {"code": "Healthy"}}"#)
                .is_ok_and(|f| f.status.is_some())
        );
        let e = err(r#"{"name": "a", "name": "b"}"#);
        assert!(
            e.starts_with(r#"duplicate key "name": expected each key once"#),
            "{e}"
        );
        // Unknown keys are not read, so their repeats do not matter; the same key in two
        // objects is no repeat.
        assert!(serde_json::from_str::<Fields>(
            r#"{"x": 1, "X": 2, "properties": {"name": "a"}, "name": "b"}"#
        )
        .is_ok());
    }

    #[test]
    fn subnormal_figures_are_refused_and_zero_is_kept() {
        for json in [
            r#"{"maxScore": 5e-324}"#,
            r#"{"score": {"max": 1e-310}}"#,
            r#"{"current": -4e-320}"#,
            r#"{"percentage": 2e-308}"#,
        ] {
            let err = serde_json::from_str::<Fields>(json).unwrap_err().to_string();
            assert!(err.contains("is too close to 0"), "{json}: {err}");
        }
        let f = parse(r#"{"max": 0, "current": -0.0, "percentage": 2.3e-308}"#);
        assert_eq!(figures(&f).max, Some(0.0));
        assert!(figures(&f).current.is_some_and(f64::is_sign_positive));
        assert_eq!(figures(&f).percentage, Some(2.3e-308));
    }

    #[test]
    fn flat_and_nested_scores_read_alike() {
        let flat = parse(r#"{"max": 10, "current": 3.33, "percentage": 0.333}"#);
        let nested = parse(r#"{"properties": {"score": {"max": 10, "current": 3.33, "percentage": 0.333}}}"#);
        assert_eq!(figures(&flat), figures(&nested));
        assert_eq!(figures(&flat).current, Some(3.33));
    }
}
