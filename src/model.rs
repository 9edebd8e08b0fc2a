//! The inventory model: definitions (subscriptions, controls, recommendations, resources)
//! and assessments held compactly, keyed by interned resource and recommendation ids.
//!
//! Strings are stored once per resource and once per recommendation; an assessment is a
//! fixed 12-byte record. This module holds the types and the invariants a finished
//! [`Model`] keeps ([`Model::new`] derives what follows from its parts); the loader's
//! builder (`load::builder`) is what sorts, de-duplicates and scopes what the inputs say,
//! so nothing depends on the order of inputs.

use crate::date::Date;
use crate::diag::Origin;
use crate::ids::path_scope_key;
use std::collections::BTreeMap;

/// The status of one resource against one recommendation. The order is the one that
/// decides a resource's state in a control: unhealthy beats healthy beats not applicable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    NotApplicable = 0,
    Healthy = 1,
    Unhealthy = 2,
}

impl Status {
    /// The words a status is read from, each compared in any case with every `_` ignored
    /// ([`Status::parse`]).
    pub const WORDS: [(&'static str, Status); 3] = [
        ("healthy", Status::Healthy),
        ("unhealthy", Status::Unhealthy),
        ("notapplicable", Status::NotApplicable),
    ];

    /// Parses a status: case-insensitive, `_` ignored (`NotApplicable` = `not_applicable`).
    pub fn parse(text: &str) -> Option<Status> {
        // Compared without allocating: this runs once per assessment.
        let matches = |word: &str| {
            let mut letters = text.bytes().filter(|&b| b != b'_');
            word.bytes()
                .all(|w| letters.next().is_some_and(|b| b.to_ascii_lowercase() == w))
                && letters.next().is_none()
        };
        Status::WORDS
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
    /// Every severity's name, lowest first: what [`Severity::parse`] reads (in any case)
    /// and reports write.
    pub const NAMES: [&'static str; 4] = [
        Severity::Low.as_str(),
        Severity::Medium.as_str(),
        Severity::High.as_str(),
        Severity::Critical.as_str(),
    ];

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
    pub const fn as_str(self) -> &'static str {
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
    /// Every category's name: what [`ExemptionCategory::parse`] reads (in any case).
    pub const NAMES: [&'static str; 2] = [
        ExemptionCategory::Waiver.as_str(),
        ExemptionCategory::Mitigated.as_str(),
    ];

    /// Parses a category, case-insensitively.
    pub fn parse(text: &str) -> Option<ExemptionCategory> {
        match text.to_ascii_lowercase().as_str() {
            "waiver" => Some(ExemptionCategory::Waiver),
            "mitigated" => Some(ExemptionCategory::Mitigated),
            _ => None,
        }
    }

    /// The category's name in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            ExemptionCategory::Waiver => "waiver",
            ExemptionCategory::Mitigated => "mitigated",
        }
    }

    /// The JSON Schema of what [`ExemptionCategory::parse`] reads: a name in any case.
    pub fn read_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        crate::json_schema::any_case(&ExemptionCategory::NAMES, None)
    }

    /// The JSON Schema of a category as reports write it ([`ExemptionCategory::as_str`]).
    pub fn written_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({"type": "string", "enum": ExemptionCategory::NAMES})
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

/// One assessment: 12 bytes, whatever the length of the ids it names (an inventory
/// holds millions).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub resource: u32,
    pub recommendation: u32,
    /// The exemption ([`Assessment::exemption`]) above [`STATUS_BITS`] bits of status.
    exemption_status: u32,
}

/// The bits of [`Assessment`]'s packed field that hold the status.
const STATUS_BITS: u32 = 2;

impl Assessment {
    /// The most exemptions a model's assessments can name: 2^30 - 1 (each is named by
    /// an assessment, so an inventory with more would hold over 12 GB of assessments).
    pub const MAX_EXEMPTIONS: u32 = u32::MAX >> STATUS_BITS;

    /// An assessment of `resource` against `recommendation`; `exemption` as
    /// [`Assessment::exemption`] gives it (at most [`Assessment::MAX_EXEMPTIONS`]; a
    /// larger one is cut to its low bits).
    pub fn new(resource: u32, recommendation: u32, status: Status, exemption: u32) -> Assessment {
        Assessment {
            resource,
            recommendation,
            exemption_status: exemption << STATUS_BITS | status as u32,
        }
    }

    /// The raw status, as the input gave it.
    pub fn status(&self) -> Status {
        match self.exemption_status & ((1 << STATUS_BITS) - 1) {
            0 => Status::NotApplicable,
            1 => Status::Healthy,
            _ => Status::Unhealthy,
        }
    }

    /// Sets the raw status.
    pub fn set_status(&mut self, status: Status) {
        *self = Assessment::new(self.resource, self.recommendation, status, self.exemption());
    }

    /// Index + 1 into [`ModelParts::exemptions`](crate::model::ModelParts::exemptions);
    /// 0 when there is none.
    pub fn exemption(&self) -> u32 {
        self.exemption_status >> STATUS_BITS
    }
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

    /// Moves one resource counted unhealthy to healthy (a fix; nothing when none is
    /// counted unhealthy).
    pub fn heal(&mut self) {
        if self.unhealthy > 0 {
            self.unhealthy -= 1;
            self.healthy += 1;
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
    /// Member recommendations (indexes into [`ModelParts::recommendations`](crate::model::ModelParts::recommendations)), without repeats.
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
    /// The points a native entry gives it under the `v1` model (SPEC §7: above 0, at
    /// most [`MAX_POINTS`](crate::catalog::MAX_POINTS)); `None`: its severity's default.
    pub points: Option<f64>,
}

impl Recommendation {
    /// The name to show: the name, else the id.
    pub fn display_name(&self) -> &str {
        self.name.as_deref().unwrap_or(&self.id)
    }

    /// For messages: `"name" (id)`, or the quoted id when it has no name.
    pub fn quoted_label(&self) -> String {
        crate::text::quoted_name_and_id(self.name.as_deref(), &self.id)
    }
}

/// The resources of a model, by index: each id as first spelled, and metadata where a
/// definition gives some. The ids are stored end to end in one string (an inventory
/// holds hundreds of thousands, most only assessed: an allocation each would cost a
/// sixth more), so a resource is read as a [`Resource`] view.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Resources {
    ids: String,
    /// Where each resource's id ends in `ids`.
    ends: Vec<usize>,
    meta: Vec<Option<Box<ResourceMeta>>>,
}

/// One resource of [`Resources`]: its id, and metadata when an input gave some.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Resource<'a> {
    pub id: &'a str,
    /// What a resource definition says of it; `None` when nothing does.
    pub meta: Option<&'a ResourceMeta>,
}

/// The metadata a resource definition gives (SPEC §2 `resources`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResourceMeta {
    pub name: Option<String>,
    pub kind: Option<String>,
    pub subscription: Option<String>,
    pub tags: Option<BTreeMap<String, String>>,
}

impl<'a> Resource<'a> {
    /// Its display name, when a definition gives one.
    pub fn name(&self) -> Option<&'a str> {
        self.meta?.name.as_deref()
    }

    /// Its resource type, when a definition gives one.
    pub fn kind(&self) -> Option<&'a str> {
        self.meta?.kind.as_deref()
    }

    /// The subscription (or scope) a definition gives it.
    pub fn subscription(&self) -> Option<&'a str> {
        self.meta?.subscription.as_deref()
    }

    /// Its tags, when a definition gives them.
    pub fn tags(&self) -> Option<&'a BTreeMap<String, String>> {
        self.meta?.tags.as_ref()
    }
}

impl Resources {
    /// How many resources there are.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Adds a resource (its index is the previous [`Resources::len`]).
    pub fn push(&mut self, id: &str, meta: Option<Box<ResourceMeta>>) {
        self.ids.push_str(id);
        self.ends.push(self.ids.len());
        self.meta.push(meta);
    }

    /// The id of resource `r`; empty when there is no such resource.
    pub fn id(&self, r: usize) -> &str {
        let start = r.checked_sub(1).map_or(Some(0), |p| self.ends.get(p).copied());
        match (start, self.ends.get(r)) {
            (Some(start), Some(&end)) => self.ids.get(start..end).unwrap_or(""),
            _ => "",
        }
    }

    /// Resource `r`, if there is one.
    pub fn get(&self, r: usize) -> Option<Resource<'_>> {
        let meta = self.meta.get(r)?;
        Some(Resource {
            id: self.id(r),
            meta: meta.as_deref(),
        })
    }

    /// The metadata of resource `r`, to set.
    pub fn meta_mut(&mut self, r: usize) -> Option<&mut Option<Box<ResourceMeta>>> {
        self.meta.get_mut(r)
    }

    /// Every resource, by index.
    pub fn iter(&self) -> impl Iterator<Item = Resource<'_>> {
        (0..self.len()).filter_map(|r| self.get(r))
    }
}

impl<S: AsRef<str>> FromIterator<S> for Resources {
    /// Resources known only by their ids.
    fn from_iter<I: IntoIterator<Item = S>>(ids: I) -> Resources {
        let mut resources = Resources::default();
        for id in ids {
            resources.push(id.as_ref(), None);
        }
        resources
    }
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

impl Scope {
    /// How the scope is shown: `name (id)`, its id, or the unnamed scope's label.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => crate::text::name_and_id(self.name.as_deref(), id),
            None => crate::text::UNNAMED_SCOPE.to_string(),
        }
    }
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
    /// Index into [`ModelParts::scopes`](crate::model::ModelParts::scopes), or for an aggregate, into [`ModelParts::aggregate_scopes`](crate::model::ModelParts::aggregate_scopes).
    pub scope: u32,
    /// Index into [`ModelParts::controls`](crate::model::ModelParts::controls).
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
    /// [`ModelParts::aggregate_scopes`](crate::model::ModelParts::aggregate_scopes)).
    pub aggregate_controls: Vec<ExportedControl>,
    pub aggregate_scores: Vec<ExportedScore>,
}

/// Counts rows (SPEC §10): what a counting query returned, read as count-level data
/// (SPEC §3). Every row's scope is scored from counts; each (scope, group, control or
/// recommendation) and each (scope, group) weight is here once.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CountRows {
    /// The groups grouped rows name (`--group-by` of the query), each as shown (its
    /// smallest spelling; `None`: the resources without the key), sorted by their folded
    /// ids, `None` first; empty when the rows are not grouped.
    pub groups: Vec<Option<String>>,
    /// Control rows, sorted by (scope, group, item); `item` indexes
    /// [`ModelParts::controls`].
    pub controls: Vec<CountRow>,
    /// Recommendation rows (`v1`, `pass-rate`), sorted by (scope, group, item); `item`
    /// indexes [`ModelParts::recommendations`].
    pub recommendations: Vec<CountRow>,
    /// Weight rows, sorted by (scope, group).
    pub weights: Vec<WeightRow>,
}

/// One control or recommendation row of [`CountRows`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CountRow {
    /// Index into [`ModelParts::scopes`].
    pub scope: u32,
    /// Index into [`CountRows::groups`]; `None` on a row that is not grouped.
    pub group: Option<u32>,
    /// The control or recommendation.
    pub item: u32,
    pub counts: Counts,
}

/// One weight row of [`CountRows`]: the resources that weigh in a scope (and group).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WeightRow {
    /// As in [`CountRow::scope`].
    pub scope: u32,
    /// As in [`CountRow::group`].
    pub group: Option<u32>,
    pub resources: u64,
}

/// What a scope's counts rows count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// Control rows: written for `--model classic`.
    Controls,
    /// Recommendation rows: written for `--model v1` or `pass-rate`.
    Recommendations,
}

impl CountRows {
    /// True when no counts row was read.
    pub fn is_empty(&self) -> bool {
        self.controls.is_empty() && self.recommendations.is_empty() && self.weights.is_empty()
    }

    /// True when scope `s`'s rows carry a `group` (a query written with `--group-by`).
    pub fn grouped(&self, s: u32) -> bool {
        let first = |rows: &[CountRow]| Self::of_scope(rows, s).first().map(|r| r.group.is_some());
        let start = self.weights.partition_point(|w| w.scope < s);
        let weight = self
            .weights
            .get(start)
            .filter(|w| w.scope == s)
            .map(|w| w.group.is_some());
        first(&self.controls)
            .or_else(|| first(&self.recommendations))
            .or(weight)
            .unwrap_or(false)
    }

    /// The rows of scope `s` in `rows` (sorted by scope).
    pub fn of_scope(rows: &[CountRow], s: u32) -> &[CountRow] {
        let start = rows.partition_point(|r| r.scope < s);
        let end = start + rows[start..].partition_point(|r| r.scope == s);
        &rows[start..end]
    }

    /// The rows of scope `s` and group `group` in `rows` (sorted by scope, then group).
    pub fn of_group(rows: &[CountRow], s: u32, group: Option<u32>) -> &[CountRow] {
        let start = rows.partition_point(|r| (r.scope, r.group) < (s, group));
        let end = start + rows[start..].partition_point(|r| (r.scope, r.group) == (s, group));
        &rows[start..end]
    }

    /// What scope `s`'s rows count; `None` when it has none (or weight rows only).
    pub fn kind_of(&self, s: u32) -> Option<RowKind> {
        if !Self::of_scope(&self.controls, s).is_empty() {
            Some(RowKind::Controls)
        } else if !Self::of_scope(&self.recommendations, s).is_empty() {
            Some(RowKind::Recommendations)
        } else {
            None
        }
    }

    /// The weight of scope `s` (only group `group`'s when given): the sum of its weight
    /// rows; `None` when it has none (its weight is then approximate, SPEC §3).
    pub fn weight(&self, s: u32, group: Option<u32>) -> Option<u64> {
        // Sorted by (scope, group): one group's row is found, not searched for.
        let start = match group {
            None => self.weights.partition_point(|w| w.scope < s),
            Some(g) => self
                .weights
                .partition_point(|w| (w.scope, w.group) < (s, Some(g))),
        };
        let rows = self.weights[start..]
            .iter()
            .take_while(|w| w.scope == s && group.is_none_or(|g| w.group == Some(g)));
        rows.fold(None, |sum: Option<u64>, w| {
            Some(sum.unwrap_or(0).saturating_add(w.resources))
        })
    }
}

/// What a [`Model`] is made of: the inventory as the loader settled it. [`Model::new`]
/// adds the indexes derived from it.
#[derive(Debug, Default)]
pub struct ModelParts {
    /// Controls sorted by id: [`ExportedControl::control`] and scoring index into this
    /// order.
    pub controls: Vec<Control>,
    /// Every recommendation an assessment or a control member names.
    pub recommendations: Vec<Recommendation>,
    pub resources: Resources,
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
    /// The subscriptions the inputs define, by folded id (what a query filters by
    /// management group with, when no resource names them).
    pub subscriptions: Vec<Subscription>,
    /// Display names of the inputs, in the order they were read.
    pub inputs: Vec<String>,
    /// Azure's exported control objects and secure scores; the control rows of
    /// [`ModelParts::counts`] summed over their groups are among the controls (with no
    /// figures: each scores at its definition's max).
    pub exported: Exported,
    /// Counts rows (SPEC §10).
    pub counts: CountRows,
    /// Management groups whose exported objects are aggregates (display ids).
    pub aggregate_scopes: Vec<String>,
    /// Why the export is incomplete (truncated pages), if it is: fails every gate.
    pub incomplete: Vec<String>,
    /// True when some control's membership came from the built-in catalog.
    pub catalog_membership: bool,
    /// The SHA-256 (hex) of each input, when asked for.
    pub input_digests: Vec<String>,
}

/// A finished inventory, ready to score: its parts (read through `Deref`, so
/// `model.controls` is the parts' controls) and the indexes [`Model::new`] derives from
/// them. The indexes are private, so no model exists without them.
#[derive(Debug)]
pub struct Model {
    parts: ModelParts,
    /// For each recommendation, the controls (indexes into `controls`) it belongs to.
    recommendation_controls: Vec<Vec<u32>>,
    /// Where each resource's assessments start in `assessments` (one entry per resource,
    /// and one more).
    assessment_starts: Vec<u32>,
}

impl std::ops::Deref for Model {
    type Target = ModelParts;

    fn deref(&self) -> &ModelParts {
        &self.parts
    }
}

impl Model {
    /// Assembles a model from its parts and derives its indexes: for each
    /// recommendation, the controls it belongs to (in the controls' order), and where
    /// each resource's assessments start.
    ///
    /// It sorts nothing: the caller supplies controls sorted by id (other parts, such as
    /// the exported objects, already index them), assessments sorted by resource then
    /// recommendation with one per pair, control members and assessments that index
    /// into `recommendations` and `resources`, and one `resource_scope` per resource.
    /// Only the loader's builder and `diff` call it, both with parts they sorted; the
    /// order is checked in debug builds (tests), not in release builds, where it would
    /// cost a pass over tens of millions of assessments.
    pub fn new(parts: ModelParts) -> Model {
        debug_assert!(
            parts.controls.windows(2).all(|w| w[0].id <= w[1].id),
            "controls sorted by id"
        );
        debug_assert!(
            parts
                .assessments
                .windows(2)
                .all(|w| (w[0].resource, w[0].recommendation) < (w[1].resource, w[1].recommendation)),
            "assessments sorted, one per (resource, recommendation)"
        );
        Model {
            recommendation_controls: recommendation_controls(&parts.controls, parts.recommendations.len()),
            assessment_starts: assessment_starts(&parts.assessments, parts.resources.len()),
            parts,
        }
    }

    /// SHA-256 over the inputs' digests, sorted (each hex digest followed by a newline),
    /// so that the same inputs in any order give the same digest.
    pub fn inputs_digest(&self) -> String {
        crate::digest::of_set(&self.input_digests)
    }

    /// The controls (indexes into `controls`, ascending) recommendation `r` belongs to.
    pub fn controls_of(&self, r: usize) -> &[u32] {
        self.recommendation_controls.get(r).map_or(&[], Vec::as_slice)
    }

    /// The positions in `assessments` of resource `r`'s assessments.
    pub fn assessment_range(&self, r: usize) -> std::ops::Range<usize> {
        match (self.assessment_starts.get(r), self.assessment_starts.get(r + 1)) {
            (Some(&start), Some(&end)) => start as usize..end as usize,
            _ => 0..0,
        }
    }

    /// The assessments of resource `r`; `None` when there is no such resource.
    pub fn assessments_of(&self, r: usize) -> Option<&[Assessment]> {
        self.assessment_starts.get(r + 1)?;
        self.assessments.get(self.assessment_range(r))
    }

    /// Sets the raw status of assessment `i` (a plan's projected fix); the order of the
    /// assessments, and so every index, stays as it is.
    pub fn set_status(&mut self, i: usize, status: Status) {
        if let Some(a) = self.parts.assessments.get_mut(i) {
            a.set_status(status);
        }
    }

    /// Adds an exemption that assessments may then be given ([`Model::exempt`]), and
    /// returns its number for them; `None` when the model already holds as many
    /// exemptions as an assessment can name ([`Assessment::MAX_EXEMPTIONS`]).
    pub fn add_exemption(&mut self, exemption: Exemption) -> Option<u32> {
        let n = u32::try_from(self.parts.exemptions.len() + 1)
            .ok()
            .filter(|&n| n <= Assessment::MAX_EXEMPTIONS)?;
        self.parts.exemptions.push(exemption);
        Some(n)
    }

    /// Gives assessment `i` the exemption numbered `exemption` (as
    /// [`Model::add_exemption`] returned it), in place of any it had (a local exemption
    /// of the configuration file); its status and place stay as they are.
    pub fn exempt(&mut self, i: usize, exemption: u32) {
        if let Some(a) = self.parts.assessments.get_mut(i) {
            *a = Assessment::new(a.resource, a.recommendation, a.status(), exemption);
        }
    }

    /// What count-level scope `s` is scored from, as messages name it, and how to give
    /// its assessments instead: counts rows (SPEC §10) or Azure's exported counts (§3).
    pub fn count_level_source(&self, s: usize) -> (&'static str, &'static str) {
        let rows = self.counts.kind_of(s as u32).is_some() || self.counts.weight(s as u32, None).is_some();
        if rows {
            ("counts rows", "pass its assessments instead of counts rows")
        } else {
            ("exported counts", "export Microsoft.Security/assessments for it")
        }
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
        (a.exemption() as usize)
            .checked_sub(1)
            .and_then(|i| self.exemptions.get(i))
    }
}

/// Where each of `resources` resources' assessments start in `assessments` (sorted by
/// resource), and one more entry for the end.
fn assessment_starts(assessments: &[Assessment], resources: usize) -> Vec<u32> {
    let mut starts = vec![0u32; resources + 1];
    for a in assessments {
        if let Some(n) = starts.get_mut(a.resource as usize + 1) {
            *n += 1;
        }
    }
    for i in 1..starts.len() {
        starts[i] += starts[i - 1];
    }
    starts
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_names_a_schema_lists_are_the_ones_parsed() {
        for name in Severity::NAMES {
            let severity = Severity::parse(&name.to_uppercase());
            assert_eq!(severity.map(Severity::as_str), Some(name));
        }
        for name in ExemptionCategory::NAMES {
            let category = ExemptionCategory::parse(&name.to_uppercase());
            assert_eq!(category.map(ExemptionCategory::as_str), Some(name));
        }
        for (word, status) in Status::WORDS {
            assert_eq!(Status::parse(word), Some(status));
        }
        assert_eq!(Status::parse("Not_Applicable"), Some(Status::NotApplicable));
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

    /// Ids stored end to end read back one by one, with their metadata; an index past
    /// the end reads as nothing.
    #[test]
    fn resources_read_back_their_ids_and_metadata() {
        let mut resources: Resources = ["/subscriptions/s/a", "", "b"].into_iter().collect();
        let meta = ResourceMeta {
            name: Some("vm".to_string()),
            ..ResourceMeta::default()
        };
        resources.push("é/c", Some(Box::new(meta)));
        let ids: Vec<&str> = resources.iter().map(|r| r.id).collect();
        assert_eq!(ids, ["/subscriptions/s/a", "", "b", "é/c"]);
        assert_eq!(resources.get(3).and_then(|r| r.name()), Some("vm"));
        assert_eq!(resources.get(2).and_then(|r| r.name()), None);
        assert_eq!((resources.id(4), resources.get(4)), ("", None));
        if let Some(meta) = resources.meta_mut(0) {
            meta.get_or_insert_default().subscription = Some("s".to_string());
        }
        assert_eq!(resources.get(0).and_then(|r| r.subscription()), Some("s"));
        assert_eq!(resources.len(), 4);
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
        let assessment =
            |resource, recommendation| Assessment::new(resource, recommendation, Status::Healthy, 0);
        let model = Model::new(ModelParts {
            controls: vec![control("a", vec![1]), control("b", vec![0, 1])],
            recommendations: vec![Recommendation::default(); 3],
            resources: ["a", "b", "c"].into_iter().collect(),
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
