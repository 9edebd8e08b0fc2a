//! The inventory model: definitions (subscriptions, controls, recommendations, resources)
//! and assessments held compactly, keyed by interned resource and recommendation ids.
//!
//! Strings are stored once per resource and once per recommendation; an assessment is a
//! fixed 16-byte record. Loaders fill a [`ModelBuilder`]; [`ModelBuilder::finish`] sorts
//! and de-duplicates the assessments and assigns each resource its scope, so nothing
//! depends on the order of inputs.

use crate::date::Date;
use crate::diag::{Diagnostic, Diagnostics, Origin};
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
}

/// A finished inventory, ready to score.
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
}

impl Model {
    /// The exemption of an assessment, if any.
    pub fn exemption(&self, a: &Assessment) -> Option<&Exemption> {
        (a.exemption as usize)
            .checked_sub(1)
            .and_then(|i| self.exemptions.get(i))
    }
}

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

/// The identity under which a resource id compares: Azure ids without the leading `/`
/// and case-folded, other ids exactly as written.
pub fn resource_key(id: &str) -> String {
    match azure_id_body(id) {
        Some(body) => body.to_lowercase(),
        None => id.to_string(),
    }
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
    pub fn define_control(&mut self, control: ControlDef, at: Origin) -> Result<(), Diagnostic> {
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
            None => {
                self.recommendations[i] = rec;
                self.recommendation_defined[i] = Some(at);
                Ok(())
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
    /// recommendation metadata from the catalog, and assigns scopes.
    pub fn finish(mut self, catalog: &crate::catalog::Catalog, diags: &mut Diagnostics) -> Model {
        self.assessments
            .sort_unstable_by_key(|a| (a.resource, a.recommendation, a.exemption, a.status, a.input));
        let assessments = self.dedupe_assessments(diags);

        let catalog_controls = self.controls.is_empty();
        let control_defs: Vec<ControlDef> = if catalog_controls {
            catalog.controls.clone()
        } else {
            std::mem::take(&mut self.controls)
                .into_values()
                .map(|(c, _)| c)
                .collect()
        };
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
                    rec.name.clone_from(&known.name);
                    rec.severity = known.severity;
                }
            }
        }
        let mut recommendation_controls = vec![Vec::new(); self.recommendations.len()];
        for (c, control) in controls.iter().enumerate() {
            for &m in &control.members {
                recommendation_controls[m as usize].push(c as u32);
            }
        }

        let subscriptions: BTreeMap<String, Subscription> =
            self.subscriptions.into_iter().map(|(k, (s, _))| (k, s)).collect();
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
        let resources = self.resources.items;
        let (scopes, resource_scope) = assign_scopes(&resources, &subscriptions);

        let model = Model {
            controls,
            recommendations: self.recommendations,
            recommendation_controls,
            resources,
            resource_scope,
            scopes,
            assessments,
            exemptions: self.exemptions,
            catalog_controls,
            management_groups,
            inputs: self.inputs,
        };
        warn_unscored(&model, diags);
        model
    }

    fn dedupe_assessments(&mut self, diags: &mut Diagnostics) -> Vec<Assessment> {
        let mut assessments = std::mem::take(&mut self.assessments);
        let mut repeats = 0u64;
        let mut first_repeat: Option<(u32, u32, u16)> = None;
        // In place: a second copy of tens of millions of records would double the peak.
        let mut kept = 0usize;
        for i in 0..assessments.len() {
            let a = assessments[i];
            if kept > 0 {
                let prev = assessments[kept - 1];
                if prev.resource == a.resource && prev.recommendation == a.recommendation {
                    if prev.status == a.status && prev.exemption == a.exemption {
                        repeats += 1;
                        first_repeat.get_or_insert((a.resource, a.recommendation, a.input));
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
        if let Some((res, rec, input)) = first_repeat {
            let mut d = Diagnostic::warning(
                "duplicate-assessment",
                format!(
                    "{repeats} assessment(s) repeated identically were kept once (the first: resource {:?}, recommendation {:?})",
                    self.resources.items[res as usize].id, self.recommendations[rec as usize].id
                ),
            );
            d.file = Some(self.input_name(input).to_string());
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
) -> (Vec<Scope>, Vec<u32>) {
    // Scope key (folded id) → first spelling, per resource.
    let keys: Vec<Option<(String, &str)>> = resources
        .iter()
        .map(|r| {
            r.subscription
                .as_deref()
                .or_else(|| subscription_of(&r.id))
                .map(|s| (s.to_lowercase(), s))
        })
        .collect();
    // A subscription spelled in several cases is shown in its byte-wise smallest spelling,
    // so the report does not depend on which input came first.
    let mut spelled: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, spelling) in keys.iter().flatten() {
        let shown = spelled.entry(key.as_str()).or_insert(spelling);
        if *spelling < *shown {
            *shown = spelling;
        }
    }
    let mut scopes: Vec<Scope> = spelled
        .iter()
        .map(|(key, spelling)| {
            let def = subscriptions.get(*key);
            Scope {
                key: Some(key.to_string()),
                id: Some(def.map_or_else(|| spelling.to_string(), |d| d.id.clone())),
                name: def.and_then(|d| d.name.clone()),
                management_groups: def.map(|d| d.management_groups.clone()).unwrap_or_default(),
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
    if model.catalog_controls && total > 0 && total_unscored * 20 > total {
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
    fn exemptions_follow_the_category_and_the_expiry_inclusively() {
        let day = |s| Date::parse(s).unwrap();
        let waiver = Exemption {
            category: ExemptionCategory::Waiver,
            expires: Some(day("2026-11-22")),
            reason: None,
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
}
