//! The inventory model: definitions (subscriptions, controls, recommendations, resources)
//! and assessments held compactly, keyed by interned resource and recommendation ids.
//!
//! Strings are stored once per resource and once per recommendation; an assessment is a
//! fixed 16-byte record. Loaders fill a [`ModelBuilder`]; [`ModelBuilder::finish`] sorts
//! and de-duplicates the assessments and assigns each resource its scope, so nothing
//! depends on the order of inputs.

use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ids::{azure_id_body, connector_of, path_scope_key, scope_key, subscription_of};
use hashbrown::HashTable;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};

/// The status of one resource against one recommendation. The order is the one that
/// decides a resource's state in a control: unhealthy beats healthy beats not applicable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    NotApplicable = 0,
    Healthy = 1,
    Unhealthy = 2,
}

impl Status {
    /// Parses a status: case-insensitive, `_` ignored (`NotApplicable` = `not_applicable`).
    pub fn parse(text: &str) -> Option<Status> {
        // Compared without allocating: this runs once per assessment.
        let matches = |word: &str| {
            let mut letters = text.bytes().filter(|&b| b != b'_');
            word.bytes()
                .all(|w| letters.next().is_some_and(|b| b.to_ascii_lowercase() == w))
                && letters.next().is_none()
        };
        [
            ("healthy", Status::Healthy),
            ("unhealthy", Status::Unhealthy),
            ("notapplicable", Status::NotApplicable),
        ]
        .into_iter()
        .find_map(|(word, status)| matches(word).then_some(status))
    }

    /// The status's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotApplicable => "not_applicable",
            Status::Healthy => "healthy",
            Status::Unhealthy => "unhealthy",
        }
    }
}

/// A recommendation's severity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    /// Parses a severity, case-insensitively.
    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            "critical" => Some(Severity::Critical),
            _ => None,
        }
    }

    /// The severity's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

/// What an exemption does to a status while it is active.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExemptionCategory {
    /// Risk accepted: the assessment counts as not applicable.
    Waiver,
    /// Mitigated by other means: the assessment counts as healthy.
    Mitigated,
}

impl ExemptionCategory {
    /// Parses a category, case-insensitively.
    pub fn parse(text: &str) -> Option<ExemptionCategory> {
        match text.to_ascii_lowercase().as_str() {
            "waiver" => Some(ExemptionCategory::Waiver),
            "mitigated" => Some(ExemptionCategory::Mitigated),
            _ => None,
        }
    }

    /// The category's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ExemptionCategory::Waiver => "waiver",
            ExemptionCategory::Mitigated => "mitigated",
        }
    }
}

/// An exemption of one resource from one recommendation.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Exemption {
    pub category: ExemptionCategory,
    /// Last day (UTC, inclusive) on which it applies; `None` never expires.
    pub expires: Option<Date>,
    pub reason: Option<String>,
    /// The status under it is not known (Azure exports an exempt assessment as not
    /// applicable, hiding its own status): a change of the recorded status is then no
    /// change of the resource.
    pub hides_status: bool,
}

impl Exemption {
    /// True when the exemption applies on `as_of`.
    pub fn is_active(&self, as_of: Date) -> bool {
        self.expires.is_none_or(|last| as_of <= last)
    }

    /// The status an assessment of raw status `raw` has under this exemption on `as_of`.
    pub fn apply(&self, raw: Status, as_of: Date) -> Status {
        if raw == Status::NotApplicable || !self.is_active(as_of) {
            return raw;
        }
        match self.category {
            ExemptionCategory::Waiver => Status::NotApplicable,
            ExemptionCategory::Mitigated => Status::Healthy,
        }
    }
}

/// One assessment: 16 bytes, whatever the length of the ids it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub resource: u32,
    pub recommendation: u32,
    /// Index + 1 into [`Model::exemptions`]; 0 when there is none.
    pub exemption: u32,
    /// The input it came from, for messages.
    pub input: u16,
    pub status: Status,
}

/// Numbers of distinct resources in each state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub healthy: u64,
    pub unhealthy: u64,
    pub not_applicable: u64,
}

impl Counts {
    /// Counts one resource in `status`.
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Healthy => self.healthy += 1,
            Status::Unhealthy => self.unhealthy += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }

    /// Adds another set of counts.
    pub fn add_counts(&mut self, other: Counts) {
        // Saturating: exported counts are bounded when read, but sums of many must still
        // never wrap into a silently wrong score.
        self.healthy = self.healthy.saturating_add(other.healthy);
        self.unhealthy = self.unhealthy.saturating_add(other.unhealthy);
        self.not_applicable = self.not_applicable.saturating_add(other.not_applicable);
    }

    /// Healthy plus unhealthy: the resources a control applies to.
    pub fn applicable(&self) -> u64 {
        self.healthy.saturating_add(self.unhealthy)
    }
}

/// A subscription's definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Subscription {
    pub id: String,
    pub name: Option<String>,
    pub management_groups: Vec<String>,
}

/// A security control: a group of recommendations worth `max_score` points.
#[derive(Clone, Debug, PartialEq)]
pub struct Control {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub max_score: f64,
    /// Member recommendations (indexes into [`Model::recommendations`]), without repeats.
    pub members: Vec<u32>,
}

impl Control {
    /// The name to show: the name, else the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }
}

/// What is known of a recommendation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Recommendation {
    pub id: String,
    pub name: Option<String>,
    pub severity: Option<Severity>,
    pub description: Option<String>,
    pub remediation: Option<String>,
    pub preview: bool,
    /// A custom (not built-in) recommendation: never scores.
    pub custom: bool,
}

/// A resource: its id as first spelled, and metadata when the input gave some.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resource {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub subscription: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

/// A scope: a subscription (or connector), or the unnamed scope (`key: None`).
#[derive(Clone, Debug, PartialEq)]
pub struct Scope {
    /// The case-folded id, used to sort and compare.
    pub key: Option<String>,
    /// The id as defined, else its smallest spelling among the resources.
    pub id: Option<String>,
    pub name: Option<String>,
    pub management_groups: Vec<String>,
    /// Scored from exported per-control counts (SPEC §3): the scope has secure score
    /// control objects but no assessment.
    pub count_level: bool,
}

/// Figures Azure exported for a control or a secure score, kept for the cross-check.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    pub current: Option<f64>,
    pub max: Option<f64>,
    /// A fraction (0–1), as Azure writes it.
    pub percentage: Option<f64>,
}

/// Where an exported object sits: a subscription, or a management group (an aggregate).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExportScope {
    Subscription(String),
    /// A security connector, by its id.
    Connector(String),
    ManagementGroup(String),
}

impl ExportScope {
    /// The scope key under which models compare it (case-folded).
    pub fn key(&self) -> String {
        match self {
            ExportScope::Subscription(s) => s.to_lowercase(),
            ExportScope::Connector(c) => path_scope_key(c),
            ExportScope::ManagementGroup(g) => format!("{MANAGEMENT_GROUP_PREFIX}{}", g.to_lowercase()),
        }
    }

    /// The id to show.
    pub fn display_id(&self) -> String {
        match self {
            ExportScope::Subscription(s) | ExportScope::Connector(s) => s.clone(),
            ExportScope::ManagementGroup(g) => {
                format!("/providers/Microsoft.Management/managementGroups/{g}")
            }
        }
    }
}

/// The key prefix of a management group used as a scope.
const MANAGEMENT_GROUP_PREFIX: &str = "providers/microsoft.management/managementgroups/";

/// An exported secure score control object (`…/secureScores/ascScore/secureScoreControls/<id>`).
#[derive(Clone, Debug, PartialEq)]
pub struct ExportedControl {
    /// Index into [`Model::scopes`], or for an aggregate, into [`Model::aggregate_scopes`].
    pub scope: u32,
    /// Index into [`Model::controls`].
    pub control: u32,
    pub counts: Counts,
    pub figures: Figures,
    pub at: Origin,
}

/// An exported secure score object (`ascScore`) of one scope.
#[derive(Clone, Debug, PartialEq)]
pub struct ExportedScore {
    /// As in [`ExportedControl::scope`].
    pub scope: u32,
    pub weight: Option<u64>,
    pub figures: Figures,
    pub at: Origin,
}

/// What Azure exported besides assessments: per-scope control objects and secure scores,
/// and the management-group aggregates.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Exported {
    /// Sorted by scope, then control; one per pair.
    pub controls: Vec<ExportedControl>,
    /// Sorted by scope; one per scope.
    pub scores: Vec<ExportedScore>,
    /// Management-group objects that are aggregates, not scopes (their `scope` indexes
    /// [`Model::aggregate_scopes`]).
    pub aggregate_controls: Vec<ExportedControl>,
    pub aggregate_scores: Vec<ExportedScore>,
}

/// A finished inventory, ready to score. Built by [`Model::new`], which derives
/// `recommendation_controls` and `assessment_starts` from the other fields.
#[derive(Debug, Default)]
pub struct Model {
    /// Controls sorted by id.
    pub controls: Vec<Control>,
    pub recommendations: Vec<Recommendation>,
    /// For each recommendation, the controls (indexes into `controls`) it belongs to.
    pub recommendation_controls: Vec<Vec<u32>>,
    pub resources: Vec<Resource>,
    /// For each resource, its scope (index into `scopes`).
    pub resource_scope: Vec<u32>,
    /// Scopes sorted by id, the unnamed scope last.
    pub scopes: Vec<Scope>,
    /// Sorted by resource, then recommendation; one per pair.
    pub assessments: Vec<Assessment>,
    pub exemptions: Vec<Exemption>,
    /// True when the controls are the built-in catalog (no input named any control).
    pub catalog_controls: bool,
    /// Every management group name the inputs define, first spelling, sorted.
    pub management_groups: Vec<String>,
    /// Display names of the inputs, indexed by [`Assessment::input`].
    pub inputs: Vec<String>,
    /// Azure's exported control objects and secure scores.
    pub exported: Exported,
    /// Management groups whose exported objects are aggregates (display ids).
    pub aggregate_scopes: Vec<String>,
    /// Why the export is incomplete (truncated pages), if it is: fails every gate.
    pub incomplete: Vec<String>,
    /// True when some control's membership came from the built-in catalog.
    pub catalog_membership: bool,
    /// Where each resource's assessments start in `assessments` (one entry per resource,
    /// and one more); empty until [`Model::index_assessments`].
    pub assessment_starts: Vec<u32>,
    /// The SHA-256 (hex) of each input, when asked for.
    pub input_digests: Vec<String>,
}

/// What a [`Model`] is made of: every field of the model except the two that
/// [`Model::new`] derives (`recommendation_controls` and `assessment_starts`). Fields
/// mean what the model's fields of the same name mean; those a caller has no use for
/// may be left at their defaults (`..ModelParts::default()`).
#[derive(Debug, Default)]
pub struct ModelParts {
    /// Sorted by id: [`ExportedControl::control`] and scoring index into this order.
    pub controls: Vec<Control>,
    /// Every recommendation an assessment or a control member names.
    pub recommendations: Vec<Recommendation>,
    pub resources: Vec<Resource>,
    /// One scope index per resource.
    pub resource_scope: Vec<u32>,
    pub scopes: Vec<Scope>,
    /// Sorted by resource, then recommendation; one per pair.
    pub assessments: Vec<Assessment>,
    pub exemptions: Vec<Exemption>,
    pub catalog_controls: bool,
    pub management_groups: Vec<String>,
    pub inputs: Vec<String>,
    pub exported: Exported,
    pub aggregate_scopes: Vec<String>,
    pub incomplete: Vec<String>,
    pub catalog_membership: bool,
    pub input_digests: Vec<String>,
}

impl Model {
    /// Assembles a model from its parts and derives the rest:
    ///
    /// - `recommendation_controls`, from the controls' members: for each recommendation,
    ///   the controls it belongs to, in the controls' order;
    /// - `assessment_starts`, the per-resource index into the assessments.
    ///
    /// It sorts nothing: the caller supplies controls sorted by id (other parts, such as
    /// the exported objects, already index them), assessments sorted by resource then
    /// recommendation with one per pair, control members and assessments that index
    /// into `recommendations` and `resources`, and one `resource_scope` per resource.
    pub fn new(parts: ModelParts) -> Model {
        let ModelParts {
            controls,
            recommendations,
            resources,
            resource_scope,
            scopes,
            assessments,
            exemptions,
            catalog_controls,
            management_groups,
            inputs,
            exported,
            aggregate_scopes,
            incomplete,
            catalog_membership,
            input_digests,
        } = parts;
        debug_assert!(
            controls.windows(2).all(|w| w[0].id <= w[1].id),
            "controls sorted by id"
        );
        debug_assert!(
            assessments
                .windows(2)
                .all(|w| (w[0].resource, w[0].recommendation) < (w[1].resource, w[1].recommendation)),
            "assessments sorted, one per (resource, recommendation)"
        );
        let recommendation_controls = recommendation_controls(&controls, recommendations.len());
        let mut model = Model {
            controls,
            recommendations,
            recommendation_controls,
            resources,
            resource_scope,
            scopes,
            assessments,
            exemptions,
            catalog_controls,
            management_groups,
            inputs,
            exported,
            aggregate_scopes,
            incomplete,
            catalog_membership,
            assessment_starts: Vec::new(),
            input_digests,
        };
        model.index_assessments();
        model
    }

    /// SHA-256 over the inputs' digests, sorted (each hex digest followed by a newline),
    /// so that the same inputs in any order give the same digest.
    pub fn inputs_digest(&self) -> String {
        crate::digest::of_set(&self.input_digests)
    }

    /// Indexes where each resource's assessments start (they are sorted by resource).
    /// [`Model::new`] does this; it is public only for a model built field by field.
    pub fn index_assessments(&mut self) {
        let mut starts = vec![0u32; self.resources.len() + 1];
        for a in &self.assessments {
            if let Some(n) = starts.get_mut(a.resource as usize + 1) {
                *n += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        self.assessment_starts = starts;
    }

    /// The assessments of resource `r`, when the model is indexed.
    pub fn assessments_of(&self, r: usize) -> Option<&[Assessment]> {
        let (start, end) = (
            *self.assessment_starts.get(r)?,
            *self.assessment_starts.get(r + 1)?,
        );
        self.assessments.get(start as usize..end as usize)
    }

    /// The exported secure score of scope `s`, if any.
    pub fn exported_score(&self, s: u32) -> Option<&ExportedScore> {
        self.exported
            .scores
            .binary_search_by_key(&s, |e| e.scope)
            .ok()
            .map(|i| &self.exported.scores[i])
    }

    /// The exemption of an assessment, if any.
    pub fn exemption(&self, a: &Assessment) -> Option<&Exemption> {
        (a.exemption as usize)
            .checked_sub(1)
            .and_then(|i| self.exemptions.get(i))
    }
}

/// For each of `recommendations` recommendations, the controls (indexes, ascending) that
/// list it as a member.
fn recommendation_controls(controls: &[Control], recommendations: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); recommendations];
    for (c, control) in controls.iter().enumerate() {
        for &m in &control.members {
            debug_assert!(
                (m as usize) < recommendations,
                "a member is a known recommendation"
            );
            if let Some(list) = out.get_mut(m as usize) {
                list.push(c as u32);
            }
        }
    }
    out
}

/// Interns resource ids by their identity, storing each id string once.
#[derive(Default)]
struct ResourceTable {
    index: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    items: Vec<Resource>,
    /// The metadata definition of each resource, for conflict checks.
    defined: Vec<Option<Origin>>,
}

fn hash_identity(hasher: &hashbrown::DefaultHashBuilder, id: &str) -> u64 {
    let mut h = hasher.build_hasher();
    match azure_id_body(id) {
        Some(body) => {
            // Hash the case-folded UTF-8 in fixed 128-byte chunks, so that equal
            // identities hash alike whichever path folds them.
            let mut buf = [0u8; 128];
            if body.is_ascii() {
                for chunk in body.as_bytes().chunks(buf.len()) {
                    let part = &mut buf[..chunk.len()];
                    part.copy_from_slice(chunk);
                    part.make_ascii_lowercase();
                    h.write(part);
                }
                if body.is_empty() {
                    h.write(&[]);
                }
            } else {
                let mut len = 0;
                for c in body.chars().flat_map(char::to_lowercase) {
                    let mut tmp = [0u8; 4];
                    let bytes = c.encode_utf8(&mut tmp).as_bytes();
                    if len + bytes.len() > buf.len() {
                        h.write(&buf[..len]);
                        len = 0;
                    }
                    buf[len..len + bytes.len()].copy_from_slice(bytes);
                    len += bytes.len();
                }
                if len > 0 || body.is_empty() {
                    h.write(&buf[..len]);
                }
            }
            h.write_u8(1);
        }
        None => {
            h.write(id.as_bytes());
            h.write_u8(0);
        }
    }
    h.finish()
}

fn same_identity(a: &str, b: &str) -> bool {
    match (azure_id_body(a), azure_id_body(b)) {
        (Some(x), Some(y)) if x.is_ascii() && y.is_ascii() => x.eq_ignore_ascii_case(y),
        (Some(x), Some(y)) => x
            .chars()
            .flat_map(char::to_lowercase)
            .eq(y.chars().flat_map(char::to_lowercase)),
        (None, None) => a == b,
        _ => false,
    }
}

impl ResourceTable {
    fn intern(&mut self, id: &str) -> u32 {
        let hash = hash_identity(&self.hasher, id);
        let items = &self.items;
        if let Some(&i) = self
            .index
            .find(hash, |&i| same_identity(&items[i as usize].id, id))
        {
            return i;
        }
        let i = self.items.len() as u32;
        self.items.push(Resource {
            id: id.to_string(),
            ..Resource::default()
        });
        self.defined.push(None);
        let (items, hasher) = (&self.items, &self.hasher);
        self.index
            .insert_unique(hash, i, |&j| hash_identity(hasher, &items[j as usize].id));
        i
    }
}

/// Collects definitions and assessments from any number of inputs.
#[derive(Default)]
pub struct ModelBuilder {
    subscriptions: BTreeMap<String, (Subscription, Origin)>,
    controls: BTreeMap<String, (ControlDef, Origin)>,
    recommendation_index: HashMap<String, u32>,
    recommendations: Vec<Recommendation>,
    recommendation_defined: Vec<Option<Origin>>,
    resources: ResourceTable,
    exemption_index: HashMap<Exemption, u32>,
    exemptions: Vec<Exemption>,
    assessments: Vec<Assessment>,
    inputs: Vec<String>,
    /// Which optional facts an Azure object gave for each recommendation (see
    /// [`ModelBuilder::merge_recommendation`]): `KNOWN_PREVIEW`, `KNOWN_CUSTOM`.
    recommendation_known: Vec<u8>,
    /// Where Azure metadata first described each recommendation.
    recommendation_described: Vec<Option<Origin>>,
    control_refs: BTreeMap<String, ControlRef>,
    custom_controls: BTreeMap<String, Origin>,
    exported_controls: Vec<(ExportScope, String, Counts, Figures, Origin)>,
    exported_scores: Vec<(ExportScope, Option<u64>, Figures, Origin)>,
    incomplete: Vec<String>,
    scope_hints: HashMap<u32, String>,
    input_digests: Vec<String>,
}

const KNOWN_PREVIEW: u8 = 1;
const KNOWN_CUSTOM: u8 = 2;

/// What an Azure object says of a recommendation; absent fields say nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct RecommendationParts<'a> {
    pub name: Option<&'a str>,
    pub severity: Option<Severity>,
    pub description: Option<&'a str>,
    pub remediation: Option<&'a str>,
    pub preview: Option<bool>,
    pub custom: Option<bool>,
}

/// A control named by an exported control object that carries no definition.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlRef {
    pub name: Option<String>,
    pub max_score: Option<f64>,
    /// Exported objects gave two different non-zero maxima.
    pub conflicting_max: bool,
}

/// A control as an input defines it, members named by recommendation id.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlDef {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub max_score: f64,
    pub recommendations: Vec<String>,
}

/// The metadata a resource definition gives.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceDef {
    pub id: String,
    pub name: Option<String>,
    pub kind: Option<String>,
    pub subscription: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

fn conflict(kind: &str, id: &str, first: &Origin, at: Origin) -> Diagnostic {
    Diagnostic::error(
        "conflicting-definition",
        format!(
            "{kind} {id:?} is defined twice with different contents (first at {first}); \
             definitions of one id must be identical"
        ),
    )
    .at(at)
}

impl ModelBuilder {
    /// Registers an input and returns its index for [`Assessment::input`].
    pub fn add_input(&mut self, name: &str) -> u16 {
        self.inputs.push(name.to_string());
        (self.inputs.len() - 1).min(u16::MAX as usize) as u16
    }

    /// Records the SHA-256 (hex) of an input's bytes.
    pub fn add_digest(&mut self, digest: String) {
        self.input_digests.push(digest);
    }

    /// How many inputs were registered.
    pub fn input_count(&self) -> usize {
        self.inputs.len()
    }

    /// The display name of input `i`.
    pub fn input_name(&self, i: u16) -> &str {
        self.inputs.get(i as usize).map(String::as_str).unwrap_or("?")
    }

    /// The index of a recommendation id, creating an empty record for a new one.
    pub fn recommendation(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.recommendation_index.get(id) {
            return i;
        }
        let i = self.recommendations.len() as u32;
        self.recommendations.push(Recommendation {
            id: id.to_string(),
            ..Recommendation::default()
        });
        self.recommendation_defined.push(None);
        self.recommendation_known.push(0);
        self.recommendation_described.push(None);
        self.recommendation_index.insert(id.to_string(), i);
        i
    }

    /// The index of a resource id (Azure ids case-insensitively).
    pub fn resource(&mut self, id: &str) -> u32 {
        self.resources.intern(id)
    }

    /// Adds a subscription definition; a different one for the same id is an error.
    pub fn define_subscription(&mut self, sub: Subscription, at: Origin) -> Result<(), Diagnostic> {
        let key = sub.id.to_lowercase();
        match self.subscriptions.get(&key) {
            Some((existing, _)) if *existing == sub => Ok(()),
            Some((_, first)) => Err(conflict("subscription", &sub.id, first, at)),
            None => {
                self.subscriptions.insert(key, (sub, at));
                Ok(())
            }
        }
    }

    /// Adds a control definition; a different one for the same id is an error.
    pub fn define_control(&mut self, mut control: ControlDef, at: Origin) -> Result<(), Diagnostic> {
        // Membership is a set: exports list it in no promised order.
        control.recommendations.sort_unstable();
        control.recommendations.dedup();
        match self.controls.get(&control.id) {
            Some((existing, _)) if *existing == control => Ok(()),
            Some((_, first)) => Err(conflict("control", &control.id, first, at)),
            None => {
                self.controls.insert(control.id.clone(), (control, at));
                Ok(())
            }
        }
    }

    /// Adds a recommendation definition; a different one for the same id is an error.
    pub fn define_recommendation(&mut self, rec: Recommendation, at: Origin) -> Result<(), Diagnostic> {
        let i = self.recommendation(&rec.id) as usize;
        match &self.recommendation_defined[i] {
            Some(_) if self.recommendations[i] == rec => Ok(()),
            Some(first) => Err(conflict("recommendation", &rec.id, first, at)),
            None if !self.agrees_with_azure(i, &rec) => {
                let first = self.recommendation_described[i].clone().unwrap_or_default();
                Err(conflict("recommendation", &rec.id, &first, at))
            }
            None => {
                self.recommendations[i] = rec;
                self.recommendation_defined[i] = Some(at);
                Ok(())
            }
        }
    }

    fn agrees_with_azure(&self, i: usize, rec: &Recommendation) -> bool {
        let known = &self.recommendations[i];
        let flags = self.recommendation_known[i];
        let same = |a: &Option<String>, b: &Option<String>| a.is_none() || a == b;
        same(&known.name, &rec.name)
            && (known.severity.is_none() || known.severity == rec.severity)
            && same(&known.description, &rec.description)
            && same(&known.remediation, &rec.remediation)
            && (flags & KNOWN_PREVIEW == 0 || known.preview == rec.preview)
            && (flags & KNOWN_CUSTOM == 0 || known.custom == rec.custom)
    }

    /// Adds what an Azure object says of a recommendation, fact by fact: Azure repeats a
    /// recommendation's metadata in every assessment, so repeats merge, and only a fact
    /// that contradicts an earlier one is an error. `at` is called only when needed.
    pub fn merge_recommendation(
        &mut self,
        id: &str,
        parts: RecommendationParts,
        at: impl FnOnce() -> Origin,
    ) -> Result<(), Diagnostic> {
        let i = self.recommendation(id) as usize;
        let full = self.recommendation_defined[i].is_some();
        let flags = self.recommendation_known[i];
        let rec = &mut self.recommendations[i];
        // The first fact that contradicts an earlier one: (fact, earlier, now).
        let mut conflicting: Option<(&str, String, String)> = None;
        let mut changed = false;
        let mut text =
            |fact: &'static str, slot: &mut Option<String>, new: Option<&str>| match (slot.as_deref(), new) {
                (Some(old), Some(new)) if old != new => {
                    conflicting.get_or_insert((fact, format!("{old:?}"), format!("{new:?}")));
                }
                (None, Some(new)) => {
                    *slot = Some(new.to_string());
                    changed = true;
                }
                _ => {}
            };
        text("name", &mut rec.name, parts.name);
        text("description", &mut rec.description, parts.description);
        text("remediation", &mut rec.remediation, parts.remediation);
        match (rec.severity, parts.severity) {
            (Some(old), Some(new)) if old != new => {
                conflicting.get_or_insert(("severity", old.as_str().to_string(), new.as_str().to_string()));
            }
            (None, Some(new)) => {
                rec.severity = Some(new);
                changed = true;
            }
            _ => {}
        }
        let mut new_flags = flags;
        for (fact, value, slot, bit) in [
            ("preview flag", parts.preview, &mut rec.preview, KNOWN_PREVIEW),
            ("custom flag", parts.custom, &mut rec.custom, KNOWN_CUSTOM),
        ] {
            let Some(v) = value else { continue };
            if full || flags & bit != 0 {
                if *slot != v {
                    conflicting.get_or_insert((fact, slot.to_string(), v.to_string()));
                }
            } else {
                *slot = v;
                new_flags |= bit;
                changed = true;
            }
        }
        self.recommendation_known[i] = new_flags;
        if let Some((fact, earlier, now)) = conflicting {
            let first = self.recommendation_defined[i]
                .clone()
                .or_else(|| self.recommendation_described[i].clone())
                .unwrap_or_default();
            return Err(Diagnostic::error(
                "conflicting-definition",
                format!(
                    "recommendation {id:?} has a different {fact} here ({now}) than at {first} ({earlier}); \
                     what the inputs say of one recommendation must agree (are these exports from different days?)"
                ),
            )
            .at(at()));
        }
        if changed && self.recommendation_described[i].is_none() {
            self.recommendation_described[i] = Some(at());
        }
        Ok(())
    }

    /// Notes a control named by an exported control object; its definition comes from
    /// another input, else from the built-in catalog, else from the object itself.
    ///
    /// Objects disagree where the control applies to nothing (exported with max 0), so
    /// the largest max is kept, and the smallest name: neither depends on input order.
    pub fn reference_control(&mut self, id: &str, name: Option<&str>, max_score: Option<f64>) {
        let r = self.control_refs.entry(id.to_string()).or_insert(ControlRef {
            name: None,
            max_score: None,
            conflicting_max: false,
        });
        if let Some(n) = name {
            if r.name.as_deref().is_none_or(|old| n < old) {
                r.name = Some(n.to_string());
            }
        }
        if let Some(m) = max_score {
            // Two different maxima where the control applies contradict each other.
            if m > 0.0 && r.max_score.is_some_and(|old| old > 0.0 && old != m) {
                r.conflicting_max = true;
            }
            if r.max_score.is_none_or(|old| m > old) {
                r.max_score = Some(m);
            }
        }
    }

    /// Notes a custom control definition: it does not score, and neither do the exported
    /// objects of that control.
    /// True the first time the id is seen.
    pub fn custom_control(&mut self, id: &str, at: Origin) -> bool {
        if self.custom_controls.contains_key(id) {
            return false;
        }
        self.custom_controls.insert(id.to_string(), at);
        true
    }

    /// Adds an exported secure score control object of one scope.
    pub fn add_exported_control(
        &mut self,
        scope: ExportScope,
        control: &str,
        counts: Counts,
        figures: Figures,
        at: Origin,
    ) {
        self.exported_controls
            .push((scope, control.to_string(), counts, figures, at));
    }

    /// Adds an exported secure score (`ascScore`) of one scope.
    pub fn add_exported_score(
        &mut self,
        scope: ExportScope,
        weight: Option<u64>,
        figures: Figures,
        at: Origin,
    ) {
        self.exported_scores.push((scope, weight, figures, at));
    }

    /// Records that the export is incomplete, and why.
    pub fn mark_incomplete(&mut self, why: String) {
        self.incomplete.push(why);
    }

    /// Gives a resource whose id names no subscription the scope it was exported under
    /// (an AWS or GCP connector), used unless its definition names a subscription.
    pub fn resource_scope_hint(&mut self, resource: u32, scope: &str) {
        match self.scope_hints.get_mut(&resource) {
            // The smallest, so that the order of inputs does not matter.
            Some(existing) if scope < existing.as_str() => *existing = scope.to_string(),
            Some(_) => {}
            None => {
                self.scope_hints.insert(resource, scope.to_string());
            }
        }
    }

    /// Adds a resource's metadata; different metadata for the same resource is an error.
    pub fn define_resource(&mut self, def: ResourceDef, at: Origin) -> Result<(), Diagnostic> {
        let i = self.resources.intern(&def.id) as usize;
        let item = &mut self.resources.items[i];
        let candidate = Resource {
            id: item.id.clone(),
            name: def.name,
            kind: def.kind,
            subscription: def.subscription,
            tags: def.tags,
        };
        match &self.resources.defined[i] {
            Some(_) if *item == candidate => Ok(()),
            Some(first) => Err(conflict("resource", &def.id, first, at)),
            None => {
                *item = candidate;
                self.resources.defined[i] = Some(at);
                Ok(())
            }
        }
    }

    /// Adds one assessment. Repeats are resolved in [`ModelBuilder::finish`].
    pub fn add_assessment(
        &mut self,
        resource: &str,
        recommendation: &str,
        status: Status,
        exemption: Option<Exemption>,
        input: u16,
    ) {
        let resource = self.resource(resource);
        self.add_assessment_of(resource, recommendation, status, exemption, input);
    }

    /// [`ModelBuilder::add_assessment`] for a resource already interned.
    pub fn add_assessment_of(
        &mut self,
        resource: u32,
        recommendation: &str,
        status: Status,
        exemption: Option<Exemption>,
        input: u16,
    ) {
        let recommendation = self.recommendation(recommendation);
        let exemption = match exemption {
            None => 0,
            Some(e) => match self.exemption_index.get(&e) {
                Some(&i) => i,
                None => {
                    self.exemptions.push(e.clone());
                    let i = self.exemptions.len() as u32;
                    self.exemption_index.insert(e, i);
                    i
                }
            },
        };
        self.assessments.push(Assessment {
            resource,
            recommendation,
            exemption,
            input,
            status,
        });
    }

    /// Sorts and de-duplicates the assessments, settles which controls apply, fills
    /// recommendation metadata from the catalog, assigns scopes, and attaches Azure's
    /// exported objects to their scopes and controls.
    pub fn finish(mut self, catalog: &crate::catalog::Catalog, diags: &mut Diagnostics) -> Model {
        self.assessments
            .sort_unstable_by_key(|a| (a.resource, a.recommendation, a.exemption, a.status, a.input));
        let assessments = self.dedupe_assessments(diags);

        let (control_defs, catalog_controls, catalog_membership) = self.settle_controls(catalog, diags);
        let mut controls: Vec<Control> = control_defs
            .into_iter()
            .map(|def| {
                let mut members: Vec<u32> = Vec::with_capacity(def.recommendations.len());
                for r in &def.recommendations {
                    let i = self.recommendation(r);
                    if !members.contains(&i) {
                        members.push(i);
                    }
                }
                Control {
                    id: def.id,
                    name: def.name,
                    description: def.description,
                    max_score: def.max_score,
                    members,
                }
            })
            .collect();
        controls.sort_by(|a, b| a.id.cmp(&b.id));

        for (i, rec) in self.recommendations.iter_mut().enumerate() {
            if self.recommendation_defined[i].is_none() {
                if let Some(known) = catalog.recommendation(&rec.id) {
                    if rec.name.is_none() {
                        rec.name.clone_from(&known.name);
                    }
                    if rec.severity.is_none() {
                        rec.severity = known.severity;
                    }
                }
            }
        }

        let subscriptions: BTreeMap<String, Subscription> = std::mem::take(&mut self.subscriptions)
            .into_iter()
            .map(|(k, (s, _))| (k, s))
            .collect();
        let mut management_groups: Vec<String> = Vec::new();
        for g in subscriptions.values().flat_map(|s| &s.management_groups) {
            if !management_groups
                .iter()
                .any(|known| known.eq_ignore_ascii_case(g) || known.to_lowercase() == g.to_lowercase())
            {
                management_groups.push(g.clone());
            }
        }
        management_groups.sort();

        let exports = self.take_exports(&controls, !assessments.is_empty(), diags);
        let mut resources = std::mem::take(&mut self.resources.items);
        for (&i, scope) in &self.scope_hints {
            if let Some(r) = resources.get_mut(i as usize) {
                if r.subscription.is_none() && subscription_of(&r.id).is_none() {
                    r.subscription = Some(scope.clone());
                }
            }
        }
        let (mut scopes, resource_scope) = assign_scopes(&resources, &subscriptions, &exports.scopes);
        let exported = exports.attach(&scopes, &controls, diags);
        mark_count_level(&mut scopes, &resource_scope, &assessments, &exported);

        let model = Model::new(ModelParts {
            controls,
            recommendations: std::mem::take(&mut self.recommendations),
            resources,
            resource_scope,
            scopes,
            assessments,
            exemptions: std::mem::take(&mut self.exemptions),
            catalog_controls,
            management_groups,
            inputs: std::mem::take(&mut self.inputs),
            exported,
            aggregate_scopes: exports.aggregates.iter().map(|a| a.display_id()).collect(),
            incomplete: std::mem::take(&mut self.incomplete),
            catalog_membership,
            input_digests: std::mem::take(&mut self.input_digests),
        });
        warn_unscored(&model, diags);
        model
    }

    /// The control definitions to score with: those the inputs define; for controls
    /// known only by id, the catalog's (else what the exported object says); when no
    /// input names any control, the whole catalog. Also says whether the controls are
    /// the whole catalog, and whether any membership came from it.
    fn settle_controls(
        &mut self,
        catalog: &crate::catalog::Catalog,
        diags: &mut Diagnostics,
    ) -> (Vec<ControlDef>, bool, bool) {
        let mut defs: BTreeMap<String, ControlDef> = std::mem::take(&mut self.controls)
            .into_iter()
            .map(|(id, (def, _))| (id, def))
            .collect();
        let mut from_catalog = false;
        for (id, r) in std::mem::take(&mut self.control_refs) {
            if defs.contains_key(&id) || self.custom_controls.contains_key(&id) {
                continue;
            }
            let def = match catalog.controls.iter().find(|c| c.id.eq_ignore_ascii_case(&id)) {
                Some(known) => {
                    from_catalog = true;
                    ControlDef {
                        id: id.clone(),
                        ..known.clone()
                    }
                }
                None if r.conflicting_max => {
                    diags.push(Diagnostic::error(
                        "conflicting-definition",
                        format!(
                            "control {id:?} is defined by no input and is not in the built-in catalog, and its exported \
                             objects give different max scores where it applies; export the control definitions \
                             (secureScoreControlDefinitions)"
                        ),
                    ));
                    continue;
                }
                None => {
                    diags.push(Diagnostic::warning(
                        "unknown-control",
                        format!(
                            "control {id:?} ({}) is defined by no input and is not in the built-in catalog: it scores \
                             from exported counts only, with the exported max score {}; export the control \
                             definitions (secureScoreControlDefinitions) to map assessments to it",
                            r.name.as_deref().unwrap_or("no name"),
                            r.max_score.map_or("(none, so 0)".to_string(), |m| m.to_string())
                        ),
                    ));
                    ControlDef {
                        id: id.clone(),
                        name: r.name,
                        description: None,
                        max_score: r.max_score.unwrap_or(0.0),
                        recommendations: Vec::new(),
                    }
                }
            };
            defs.insert(id, def);
        }
        if defs.is_empty() {
            return (catalog.controls.clone(), true, true);
        }
        (defs.into_values().collect(), false, from_catalog)
    }

    /// Takes the exported objects, deciding whether management-group objects are
    /// aggregates or (when they are the only data) scopes of their own.
    fn take_exports(
        &mut self,
        controls: &[Control],
        has_assessments: bool,
        diags: &mut Diagnostics,
    ) -> Exports {
        let is_sub = |s: &ExportScope| !matches!(s, ExportScope::ManagementGroup(_));
        let has_subscription_data = has_assessments
            || self.exported_controls.iter().any(|e| is_sub(&e.0))
            || self.exported_scores.iter().any(|e| is_sub(&e.0));
        let groups: BTreeMap<String, ExportScope> = self
            .exported_controls
            .iter()
            .map(|e| &e.0)
            .chain(self.exported_scores.iter().map(|e| &e.0))
            .filter(|s| !is_sub(s))
            .map(|s| (s.key(), s.clone()))
            .collect();
        // Management groups are scored as scopes only from their control objects.
        let groups_as_scopes = !has_subscription_data
            && self
                .exported_controls
                .iter()
                .any(|e| matches!(e.0, ExportScope::ManagementGroup(_)));
        if groups_as_scopes {
            diags.push(Diagnostic::warning(
                "management-group-as-scope",
                format!(
                    "only management-group objects were given ({}): each group is scored as one scope from its \
                     exported counts, which only approximates Defender's weighted mean of its subscriptions",
                    groups.values().map(ExportScope::display_id).collect::<Vec<_>>().join(", ")
                ),
            ));
        }
        let mut scopes: Vec<ExportScope> = self
            .exported_controls
            .iter()
            .map(|e| &e.0)
            .chain(self.exported_scores.iter().map(|e| &e.0))
            .filter(|s| is_sub(s) || groups_as_scopes)
            .cloned()
            .collect();
        scopes.sort();
        scopes.dedup();
        let custom = &self.custom_controls;
        let controls_out = std::mem::take(&mut self.exported_controls)
            .into_iter()
            .filter(|e| !custom.contains_key(&e.1))
            .filter_map(|(scope, id, counts, figures, at)| {
                let control = controls.binary_search_by(|c| c.id.as_str().cmp(&id)).ok()? as u32;
                Some((scope, control, counts, figures, at))
            })
            .collect();
        Exports {
            scopes,
            aggregates: if groups_as_scopes {
                Vec::new()
            } else {
                groups.into_values().collect()
            },
            controls: controls_out,
            scores: std::mem::take(&mut self.exported_scores),
        }
    }

    fn dedupe_assessments(&mut self, diags: &mut Diagnostics) -> Vec<Assessment> {
        let mut assessments = std::mem::take(&mut self.assessments);
        let mut repeats = 0u64;
        // The repeat named in the warning: the smallest (resource, recommendation) by id,
        // so the message does not depend on input order.
        let mut example: Option<(u32, u32, u16, u16)> = None;
        // In place: a second copy of tens of millions of records would double the peak.
        let mut kept = 0usize;
        for i in 0..assessments.len() {
            let a = assessments[i];
            if kept > 0 {
                let prev = assessments[kept - 1];
                if prev.resource == a.resource && prev.recommendation == a.recommendation {
                    if prev.status == a.status && prev.exemption == a.exemption {
                        repeats += 1;
                        let key = |r: u32, c: u32| {
                            (
                                self.resources.items[r as usize].id.to_lowercase(),
                                self.recommendations[c as usize].id.as_str(),
                            )
                        };
                        if example.is_none_or(|(r, c, _, _)| key(a.resource, a.recommendation) < key(r, c)) {
                            example = Some((a.resource, a.recommendation, prev.input, a.input));
                        }
                    } else {
                        diags.push(self.conflicting(&prev, &a));
                    }
                    continue;
                }
            }
            assessments[kept] = a;
            kept += 1;
        }
        assessments.truncate(kept);
        assessments.shrink_to_fit();
        if let Some((res, rec, a, b)) = example {
            let mut files = [self.input_name(a), self.input_name(b)];
            files.sort_unstable();
            let mut d = Diagnostic::warning(
                "duplicate-assessment",
                format!(
                    "{repeats} assessment(s) repeated identically were kept once (for example: resource {:?}, \
                     recommendation {:?})",
                    self.resources.items[res as usize].id, self.recommendations[rec as usize].id
                ),
            );
            d.file = Some(files[0].to_string());
            diags.push(d);
        }
        assessments
    }

    fn conflicting(&self, prev: &Assessment, a: &Assessment) -> Diagnostic {
        let mut d = Diagnostic::error(
            "conflicting-assessment",
            format!(
                "resource {:?} is assessed twice against recommendation {:?} with different results \
                 ({} in {}, {} in {}); an assessment must appear once, or repeat identically",
                self.resources.items[a.resource as usize].id,
                self.recommendations[a.recommendation as usize].id,
                describe(prev, &self.exemptions),
                self.input_name(prev.input),
                describe(a, &self.exemptions),
                self.input_name(a.input),
            ),
        );
        d.file = Some(self.input_name(a.input).to_string());
        d
    }
}

/// Exported objects on their way into the model.
struct Exports {
    /// Exported scopes that are scopes (subscriptions; management groups when they are
    /// the only data).
    scopes: Vec<ExportScope>,
    /// Management groups whose objects are aggregates.
    aggregates: Vec<ExportScope>,
    controls: Vec<(ExportScope, u32, Counts, Figures, Origin)>,
    scores: Vec<(ExportScope, Option<u64>, Figures, Origin)>,
}

impl Exports {
    /// Resolves every object's scope to an index, sorts, and merges identical repeats;
    /// different figures for one scope (and control) are an error.
    fn attach(&self, scopes: &[Scope], controls: &[Control], diags: &mut Diagnostics) -> Exported {
        let scope_index = |s: &ExportScope| -> Option<(bool, u32)> {
            let key = s.key();
            if let Some(i) = self.aggregates.iter().position(|a| a.key() == key) {
                return Some((true, i as u32));
            }
            scopes
                .binary_search_by(|sc| {
                    sc.key
                        .as_deref()
                        .map_or(std::cmp::Ordering::Greater, |k| k.cmp(&key))
                })
                .ok()
                .map(|i| (false, i as u32))
        };
        let mut out = Exported::default();
        for (scope, control, counts, figures, at) in &self.controls {
            if let Some((aggregate, i)) = scope_index(scope) {
                let e = ExportedControl {
                    scope: i,
                    control: *control,
                    counts: *counts,
                    figures: *figures,
                    at: at.clone(),
                };
                if aggregate {
                    out.aggregate_controls.push(e);
                } else {
                    out.controls.push(e);
                }
            }
        }
        for (scope, weight, figures, at) in &self.scores {
            if let Some((aggregate, i)) = scope_index(scope) {
                let e = ExportedScore {
                    scope: i,
                    weight: *weight,
                    figures: *figures,
                    at: at.clone(),
                };
                if aggregate {
                    out.aggregate_scores.push(e);
                } else {
                    out.scores.push(e);
                }
            }
        }
        let same_control =
            |a: &ExportedControl, b: &ExportedControl| a.counts == b.counts && a.figures == b.figures;
        let same_score =
            |a: &ExportedScore, b: &ExportedScore| a.weight == b.weight && a.figures == b.figures;
        let scope_name = |aggregate: bool, i: u32| -> String {
            if aggregate {
                self.aggregates.get(i as usize).map(ExportScope::display_id)
            } else {
                scopes.get(i as usize).and_then(|s| s.id.clone())
            }
            .unwrap_or_default()
        };
        for (aggregate, list) in [(false, &mut out.controls), (true, &mut out.aggregate_controls)] {
            list.sort_by_key(|e| (e.scope, e.control));
            merge_repeats(
                list,
                |e| (e.scope, e.control),
                same_control,
                |a, b| {
                    format!(
                        "the secure score control {:?} of {} is exported twice with different figures ({} here, {} at {})",
                        controls.get(b.control as usize).map_or("?", |c| c.id.as_str()),
                        scope_name(aggregate, b.scope),
                        describe_figures(&b.counts, &b.figures),
                        describe_figures(&a.counts, &a.figures),
                        a.at
                    )
                },
                diags,
            );
        }
        for (aggregate, list) in [(false, &mut out.scores), (true, &mut out.aggregate_scores)] {
            list.sort_by_key(|e| e.scope);
            merge_repeats(
                list,
                |e| e.scope,
                same_score,
                |a, b| {
                    format!(
                        "the secure score of {} is exported twice with different figures (weight {} and {} here, \
                         weight {} and {} at {})",
                        scope_name(aggregate, b.scope),
                        b.weight.map_or("none".to_string(), |w| w.to_string()),
                        describe_figures(&Counts::default(), &b.figures),
                        a.weight.map_or("none".to_string(), |w| w.to_string()),
                        describe_figures(&Counts::default(), &a.figures),
                        a.at
                    )
                },
                diags,
            );
        }
        out
    }
}

/// Figures as a message shows them.
fn describe_figures(counts: &Counts, f: &Figures) -> String {
    let show = |v: Option<f64>| v.map_or("none".to_string(), |x| x.to_string());
    let mut out = format!(
        "current {}, max {}, percentage {}",
        show(f.current),
        show(f.max),
        show(f.percentage)
    );
    if *counts != Counts::default() {
        out.push_str(&format!(
            ", {} healthy, {} unhealthy, {} not applicable",
            counts.healthy, counts.unhealthy, counts.not_applicable
        ));
    }
    out
}

/// Drops repeats (same key) of a sorted list; a repeat that differs is an error, whose
/// message `conflict(first, repeat)` gives.
fn merge_repeats<T: HasOrigin, K: PartialEq>(
    list: &mut Vec<T>,
    key: impl Fn(&T) -> K,
    same: impl Fn(&T, &T) -> bool,
    conflict: impl Fn(&T, &T) -> String,
    diags: &mut Diagnostics,
) {
    let mut kept: Vec<T> = Vec::with_capacity(list.len());
    for item in list.drain(..) {
        if let Some(prev) = kept.last() {
            if key(prev) == key(&item) {
                if !same(prev, &item) {
                    diags.push(
                        Diagnostic::error("conflicting-definition", conflict(prev, &item))
                            .at(item.origin().clone()),
                    );
                }
                continue;
            }
        }
        kept.push(item);
    }
    *list = kept;
}

/// Exported objects know where they were read.
trait HasOrigin {
    fn origin(&self) -> &Origin;
}

impl HasOrigin for ExportedControl {
    fn origin(&self) -> &Origin {
        &self.at
    }
}

impl HasOrigin for ExportedScore {
    fn origin(&self) -> &Origin {
        &self.at
    }
}

/// A scope with exported control objects and no assessment is scored from the counts.
fn mark_count_level(
    scopes: &mut [Scope],
    resource_scope: &[u32],
    assessments: &[Assessment],
    exported: &Exported,
) {
    let mut assessed = vec![false; scopes.len()];
    for a in assessments {
        if let Some(&s) = resource_scope.get(a.resource as usize) {
            if let Some(flag) = assessed.get_mut(s as usize) {
                *flag = true;
            }
        }
    }
    for e in &exported.controls {
        let s = e.scope as usize;
        if !assessed[s] {
            scopes[s].count_level = true;
        }
    }
}

fn describe(a: &Assessment, exemptions: &[Exemption]) -> String {
    match (a.exemption as usize)
        .checked_sub(1)
        .and_then(|i| exemptions.get(i))
    {
        None => a.status.as_str().to_string(),
        Some(e) => format!("{} with a {} exemption", a.status.as_str(), e.category.as_str()),
    }
}

fn assign_scopes(
    resources: &[Resource],
    subscriptions: &BTreeMap<String, Subscription>,
    exported: &[ExportScope],
) -> (Vec<Scope>, Vec<u32>) {
    // Scope key (folded id) → first spelling, per resource.
    let keys: Vec<Option<(String, &str)>> = resources
        .iter()
        .map(|r| match (r.subscription.as_deref(), connector_of(&r.id)) {
            (Some(s), _) => Some((scope_key(s), s)),
            (None, Some(c)) => Some((path_scope_key(c), c)),
            (None, None) => subscription_of(&r.id).map(|s| (s.to_lowercase(), s)),
        })
        .collect();
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
    let all = keys
        .iter()
        .flatten()
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
    let unnamed = scopes.len() as u32;
    let mut needs_unnamed = false;
    let resource_scope = keys
        .iter()
        .map(|k| match k {
            Some((key, _)) => position.get(key.as_str()).copied().unwrap_or(unnamed),
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

fn warn_unscored(model: &Model, diags: &mut Diagnostics) {
    let mut unscored: BTreeMap<u32, u64> = BTreeMap::new();
    for a in &model.assessments {
        if model.recommendation_controls[a.recommendation as usize].is_empty() {
            *unscored.entry(a.recommendation).or_default() += 1;
        }
    }
    let total_unscored: u64 = unscored.values().sum();
    for (rec, n) in &unscored {
        diags.push(Diagnostic::warning(
            "unscored-recommendation",
            format!(
                "{n} assessment(s) of recommendation {:?} belong to no control and do not score",
                model.recommendations[*rec as usize].id
            ),
        ));
    }
    let total = model.assessments.len() as u64;
    if model.catalog_membership && total > 0 && total_unscored * 20 > total {
        diags.push(Diagnostic::warning(
            "stale-catalog",
            format!(
                "{total_unscored} of {total} assessments ({:.1}%) match no control of the built-in catalog, \
                 a 2021 snapshot of Defender's control membership; export your control definitions \
                 (Microsoft.Security/secureScoreControlDefinitions) and pass them as an input for exact scores",
                100.0 * total_unscored as f64 / total as f64
            ),
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_ids_compare_case_insensitively_with_or_without_slash() {
        assert!(same_identity(
            "/subscriptions/AB/resourceGroups/x",
            "subscriptions/ab/resourcegroups/X"
        ));
        assert!(!same_identity("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        assert!(!same_identity("/subscriptions/a", "/subscriptions/b"));
        let h = hashbrown::DefaultHashBuilder::default();
        assert_eq!(
            hash_identity(&h, "/Subscriptions/AB/x"),
            hash_identity(&h, "subscriptions/ab/X")
        );
        let mut t = ResourceTable::default();
        let a = t.intern("/subscriptions/S1/resourceGroups/rg/providers/p/vm1");
        let b = t.intern("subscriptions/s1/resourcegroups/RG/providers/P/VM1");
        assert_eq!(a, b);
        assert_eq!(
            t.items[0].id,
            "/subscriptions/S1/resourceGroups/rg/providers/p/vm1"
        );
    }

    #[test]
    fn long_ids_hash_by_identity_across_chunk_boundaries() {
        let h = hashbrown::DefaultHashBuilder::default();
        let long = format!("/subscriptions/s/{}", "Ab".repeat(200));
        assert_eq!(hash_identity(&h, &long), hash_identity(&h, &long.to_lowercase()));
    }

    #[test]
    fn exemptions_follow_the_category_and_the_expiry_inclusively() {
        let day = |s| Date::parse(s).unwrap();
        let waiver = Exemption {
            category: ExemptionCategory::Waiver,
            expires: Some(day("2026-11-22")),
            reason: None,
            hides_status: false,
        };
        assert_eq!(
            waiver.apply(Status::Unhealthy, day("2026-11-22")),
            Status::NotApplicable
        );
        assert_eq!(
            waiver.apply(Status::Unhealthy, day("2026-11-23")),
            Status::Unhealthy
        );
        let mitigated = Exemption {
            category: ExemptionCategory::Mitigated,
            expires: None,
            reason: None,
            hides_status: false,
        };
        assert_eq!(
            mitigated.apply(Status::Unhealthy, day("2099-01-01")),
            Status::Healthy
        );
        assert_eq!(
            mitigated.apply(Status::NotApplicable, day("2099-01-01")),
            Status::NotApplicable
        );
    }

    #[test]
    fn statuses_parse_loosely() {
        assert_eq!(Status::parse("NotApplicable"), Some(Status::NotApplicable));
        assert_eq!(Status::parse("not_applicable"), Some(Status::NotApplicable));
        assert_eq!(Status::parse("UNHEALTHY"), Some(Status::Unhealthy));
        assert_eq!(Status::parse("broken"), None);
    }

    #[test]
    fn a_new_model_knows_each_recommendations_controls_and_each_resources_assessments() {
        let control = |id: &str, members: Vec<u32>| Control {
            id: id.to_string(),
            name: None,
            description: None,
            max_score: 1.0,
            members,
        };
        let assessment = |resource, recommendation| Assessment {
            resource,
            recommendation,
            exemption: 0,
            input: 0,
            status: Status::Healthy,
        };
        let model = Model::new(ModelParts {
            controls: vec![control("a", vec![1]), control("b", vec![0, 1])],
            recommendations: vec![Recommendation::default(); 3],
            resources: vec![Resource::default(); 3],
            resource_scope: vec![0; 3],
            assessments: vec![assessment(0, 0), assessment(0, 1), assessment(2, 2)],
            ..ModelParts::default()
        });
        assert_eq!(model.recommendation_controls, vec![vec![1], vec![0, 1], vec![]]);
        assert_eq!(model.assessments_of(0).map(<[_]>::len), Some(2));
        assert_eq!(model.assessments_of(1).map(<[_]>::len), Some(0));
        assert_eq!(model.assessments_of(2).map(|a| a[0].recommendation), Some(2));
        assert_eq!(model.assessments_of(3), None);
    }
}
