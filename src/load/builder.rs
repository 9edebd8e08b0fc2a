//! The model builder: collects what every input says (definitions, Azure metadata,
//! assessments, exported objects), merges repeated definitions (`definitions`), and
//! [`ModelBuilder::finish`]es a [`Model`]: it sorts and de-duplicates the assessments,
//! settles which controls apply (inputs, else the catalog), assigns each resource its
//! scope and attaches Azure's exported objects, so nothing depends on the order of inputs.
//!
//! Reading on several threads: the builder itself stays on one thread, which adds the
//! records in input order, but the hashing of their ids can be done by the workers that
//! parse them. Take [`ModelBuilder::id_hasher`] once per load and clone it for the
//! workers ([`IdHasher`] is `Clone + Send + Sync`; only its clones hash alike); a worker
//! hashes each resource id with [`IdHasher::identity_hash`] and each recommendation id
//! with [`IdHasher::exact_hash`], and the builder's thread interns them with
//! [`ModelBuilder::resource_hashed`] and [`ModelBuilder::recommendation_hashed`] and adds
//! the record with [`ModelBuilder::add_assessment_indexed`]. A resource id spelled as
//! the one interned before it is answered by a byte comparison, before its hash is used.

use super::counts::{self, CountsCollected, CountsRowIn};
use super::definitions::{conflict, Definitions, RecommendationParts};
use super::exports::{mark_count_level, warn_max_differs, ExportedObjects};
use super::resources::ResourceTable;
use super::rows::{Row, Rows, Source};
use super::scopes::assign_scopes;
use crate::catalog::{Catalog, ControlDef, RecommendationIn};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::ids::{subscription_of, IdHasher};
use crate::model::{
    Assessment, Control, Exemption, Model, ModelParts, Recommendation, ResourceMeta, Resources, Status,
    Subscription,
};
use crate::text::quoted_name_and_id;
use hashbrown::HashTable;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::Hash;

/// Collects definitions and assessments from any number of inputs.
#[derive(Default)]
pub struct ModelBuilder {
    subscriptions: BTreeMap<String, (Subscription, Origin)>,
    /// The control definitions, filled from `definitions` when the model is finished.
    controls: BTreeMap<String, (ControlDef, Origin)>,
    /// What the inputs say of recommendations and controls, merged by precedence.
    definitions: Definitions,
    /// Indexes into `recommendations`, placed by [`IdHasher::exact_hash`] of their ids.
    recommendation_index: HashTable<u32>,
    recommendations: Vec<Recommendation>,
    resources: ResourceTable,
    exemption_index: hashbrown::HashMap<Exemption, u32>,
    exemptions: Vec<Exemption>,
    assessments: Rows,
    inputs: Vec<String>,
    control_refs: BTreeMap<String, ControlRef>,
    custom_controls: BTreeMap<String, Origin>,
    /// Azure's exported control objects and secure scores, as read.
    pub(crate) exports: ExportedObjects,
    /// Counts rows (SPEC §10), as read.
    counts: CountsCollected,
    incomplete: Vec<String>,
    scope_hints: HashMap<u32, String>,
    input_digests: Vec<String>,
}

/// A control named by an exported control object that carries no definition.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ControlRef {
    /// Every display name the objects give, sorted: the smallest names the control
    /// when no definition does.
    pub names: BTreeSet<String>,
    /// The largest max the objects give: the control's max where no export gives one
    /// (each count-level scope scores with its own, SPEC §3).
    pub max_score: Option<f64>,
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

impl ModelBuilder {
    /// Registers an input and returns its index, which its assessments are added with.
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

    /// A subscription (by its folded id) as messages show it: `name (id)` when an input
    /// names it, else the id.
    pub fn subscription_label(&self, key: &str) -> String {
        match self.subscriptions.get(key) {
            Some((s, _)) => crate::text::name_and_id(s.name.as_deref(), &s.id),
            None => key.to_string(),
        }
    }

    /// The hasher that [`ModelBuilder::resource_hashed`] and
    /// [`ModelBuilder::recommendation_hashed`] expect hashes from. Clone it once per load
    /// for worker threads: clones hash alike, other hashers do not.
    pub fn id_hasher(&self) -> &IdHasher {
        self.resources.hasher()
    }

    /// The index of a recommendation id, creating an empty record for a new one.
    pub fn recommendation(&mut self, id: &str) -> u32 {
        let hash = self.id_hasher().exact_hash(id);
        self.recommendation_hashed(id, hash)
    }

    /// [`ModelBuilder::recommendation`] with the id's hash already made by
    /// [`IdHasher::exact_hash`] of [`ModelBuilder::id_hasher`].
    pub fn recommendation_hashed(&mut self, id: &str, hash: u64) -> u32 {
        if let Some(i) = find_recommendation(&self.recommendation_index, &self.recommendations, id, hash) {
            return i;
        }
        let i = self.recommendations.len() as u32;
        self.recommendations.push(Recommendation {
            id: id.to_string(),
            ..Recommendation::default()
        });
        // Few recommendations (hundreds): their hashes are made again when the table grows.
        let (recommendations, hasher) = (&self.recommendations, self.resources.hasher());
        self.recommendation_index
            .insert_unique(hash, i, |&j| hasher.exact_hash(&recommendations[j as usize].id));
        i
    }

    /// The index of a resource id (Azure ids case-insensitively).
    pub fn resource(&mut self, id: &str) -> u32 {
        self.resources.intern(id)
    }

    /// [`ModelBuilder::resource`] with the id's hash already made by
    /// [`IdHasher::identity_hash`] of [`ModelBuilder::id_hasher`].
    pub fn resource_hashed(&mut self, id: &str, hash: u64) -> u32 {
        self.resources.intern_hashed(id, hash)
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

    /// Adds a native control definition: an overlay over Azure's definition of the id;
    /// a different native one for the same id is an error.
    pub fn define_control(&mut self, control: ControlDef, at: Origin) -> Result<(), Diagnostic> {
        self.definitions.native_control(control, at)
    }

    /// Notes a native control definition refused for its max score, so that a different
    /// definition of its id is still reported as a conflict.
    pub fn refuse_control(&mut self, control: ControlDef, at: Origin) -> Result<(), Diagnostic> {
        self.definitions.refused_native_control(control, at)
    }

    /// Adds an Azure control definition: names and descriptions merge by precedence; a
    /// different max score or membership than another Azure definition is an error when
    /// the model is finished, unless a native entry overrides the control.
    pub fn define_azure_control(&mut self, control: ControlDef, at: &mut dyn FnMut() -> Origin) {
        self.definitions.azure_control(control, at);
    }

    /// Adds a native recommendation definition: an overlay over what Azure says of it;
    /// a different native one for the same id is an error.
    pub fn define_recommendation(&mut self, rec: RecommendationIn, at: Origin) -> Result<(), Diagnostic> {
        let i = self.recommendation(&rec.id);
        self.definitions.native_recommendation(i, rec, at)
    }

    /// Adds what an Azure object says of a recommendation, fact by fact: Azure repeats a
    /// recommendation's metadata in every assessment, so repeats merge, and facts that
    /// differ are settled by precedence when the model is finished. `at` is called only
    /// when needed.
    pub fn merge_recommendation(
        &mut self,
        id: &str,
        parts: &RecommendationParts,
        at: &mut dyn FnMut() -> Origin,
    ) {
        let i = self.recommendation(id);
        self.definitions.azure_recommendation(i, parts, at);
    }

    /// Notes a control named by an exported control object; its definition comes from
    /// another input, else from the built-in catalog, else from the object itself.
    ///
    /// Objects of different scopes (and days) give different maxima and names: each
    /// count-level scope scores with its own max, the largest max stands for the
    /// control elsewhere, and the smallest name names it; none depends on input order.
    pub fn reference_control(&mut self, id: &str, name: Option<&str>, max_score: Option<f64>) {
        let r = self.control_refs.entry(id.to_string()).or_default();
        if let Some(n) = name {
            if !r.names.contains(n) {
                r.names.insert(n.to_string());
            }
        }
        if let Some(m) = max_score {
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
        let i = self.resources.intern(&def.id);
        let meta = ResourceMeta {
            name: def.name,
            kind: def.kind,
            subscription: def.subscription,
            tags: def.tags,
        };
        // A definition of the id alone holds no metadata.
        let meta = (meta != ResourceMeta::default()).then(|| Box::new(meta));
        let Some(item) = self.resources.items.meta_mut(i as usize) else {
            return Ok(());
        };
        match self.resources.defined.get(&i) {
            Some(_) if *item == meta => Ok(()),
            Some(first) => Err(conflict("resource", &def.id, first, at)),
            None => {
                *item = meta;
                self.resources.defined.insert(i, at);
                Ok(())
            }
        }
    }

    /// Adds one counts row (SPEC §10), or says why it cannot be read. Repeats and the
    /// rows' agreement with everything else are settled in [`ModelBuilder::finish`].
    pub fn add_counts_row(&mut self, row: &CountsRowIn, at: Origin) -> Result<(), Diagnostic> {
        let recommendation = row.recommendation.as_deref().map(|r| self.recommendation(r));
        self.counts
            .add(row, at.clone(), |_| recommendation.unwrap_or(0))
            .map_err(|message| Diagnostic::error("bad-counts", message).at(at))
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
        self.add_assessment_indexed(resource, recommendation, status, exemption, input);
    }

    /// [`ModelBuilder::add_assessment`] for a resource and a recommendation already
    /// interned ([`ModelBuilder::resource_hashed`], [`ModelBuilder::recommendation_hashed`]).
    pub fn add_assessment_indexed(
        &mut self,
        resource: u32,
        recommendation: u32,
        status: Status,
        exemption: Option<Exemption>,
        input: u16,
    ) {
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
        self.assessments
            .push(resource, recommendation, status, Source { exemption, input });
    }

    /// Sorts and de-duplicates the assessments, settles which controls apply, fills
    /// recommendation metadata from the catalog, assigns scopes, and attaches Azure's
    /// exported objects to their scopes and controls.
    pub fn finish(mut self, catalog: &Catalog, diags: &mut Diagnostics) -> Model {
        self.resources.drop_index();
        self.assessments.sort();
        let assessed_recommendations = std::cell::OnceCell::new();
        let (index, recommendations) = (&self.recommendation_index, &self.recommendations);
        let hasher = self.resources.hasher();
        let assessed = |id: &str| {
            let assessed = assessed_recommendations.get_or_init(|| {
                let mut seen = vec![false; recommendations.len()];
                for a in self.assessments.rows() {
                    seen[a.recommendation() as usize] = true;
                }
                seen
            });
            find_recommendation(index, recommendations, id, hasher.exact_hash(id))
                .is_some_and(|r| assessed.get(r as usize).copied().unwrap_or(false))
        };
        let (controls, differing_definitions) = self.definitions.take_controls(&assessed, diags);
        self.controls = controls;
        let (control_defs, catalog_controls, catalog_membership) = self.settle_controls(catalog, diags);
        let controls = self.resolve_controls(control_defs);
        self.definitions
            .finish_recommendations(&mut self.recommendations, catalog, diags);
        // After the inputs and the catalog have named the recommendations, so that
        // repeats and conflicts are reported by name.
        let assessments = self.dedupe_assessments(diags);

        let subscriptions: BTreeMap<String, Subscription> = std::mem::take(&mut self.subscriptions)
            .into_iter()
            .map(|(k, (s, _))| (k, s))
            .collect();
        let management_groups = management_groups_of(&subscriptions);

        let exports = std::mem::take(&mut self.exports).settle(
            &controls,
            &self.custom_controls,
            !assessments.is_empty(),
            diags,
        );
        let resources = self.take_resources();
        let (count_scopes, unnamed) = self.counts.scopes();
        let mut named = exports.scopes.clone();
        named.extend(count_scopes);
        named.sort();
        named.dedup();
        let (mut scopes, resource_scope) = assign_scopes(&resources, &subscriptions, &named, unnamed);
        let mut exported = exports.attach(&scopes, &controls, diags);
        let known = counts::Known {
            scopes: &scopes,
            controls: &controls,
            recommendations: &self.recommendations,
            resource_scope: &resource_scope,
            assessments: &assessments,
        };
        let count_rows = std::mem::take(&mut self.counts).settle(known, &mut exported, diags);
        mark_count_level(&mut scopes, &resource_scope, &assessments, &exported);
        counts::mark_count_level(&mut scopes, &count_rows);
        let warned = warn_max_differs(&exported, &scopes, &controls, diags);
        for (id, d) in differing_definitions {
            if d.code != "max-differs" || !warned.contains(&id) {
                diags.push(d);
            }
        }

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
            subscriptions: subscriptions.into_values().collect(),
            inputs: std::mem::take(&mut self.inputs),
            exported,
            counts: count_rows,
            aggregate_scopes: exports.aggregates.iter().map(|a| a.display_id()).collect(),
            incomplete: std::mem::take(&mut self.incomplete),
            catalog_membership,
            input_digests: std::mem::take(&mut self.input_digests),
        });
        warn_unscored(&model, diags);
        self.definitions.warn_preview_unknown(&model, diags);
        model
    }

    /// The controls to score with, sorted by id, their members resolved to
    /// recommendation indexes (a member no input mentions gets an empty record).
    fn resolve_controls(&mut self, defs: Vec<ControlDef>) -> Vec<Control> {
        let mut controls: Vec<Control> = defs
            .into_iter()
            .map(|def| {
                let members = self.member_indexes(&def.recommendations);
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
        controls
    }

    /// The recommendation indexes of a control's members, in the order first named, each
    /// once. A set of those seen keeps this linear: a control may name millions.
    fn member_indexes(&mut self, recommendations: &[String]) -> Vec<u32> {
        let indexes: Vec<u32> = recommendations.iter().map(|r| self.recommendation(r)).collect();
        first_occurrences(indexes)
    }

    /// The resources, those whose id names no subscription given the scope they were
    /// exported under (unless their definition names a subscription).
    fn take_resources(&mut self) -> Resources {
        let mut resources = std::mem::take(&mut self.resources.items);
        for (&i, scope) in &self.scope_hints {
            let unscoped = resources
                .get(i as usize)
                .is_some_and(|r| r.subscription().is_none() && subscription_of(r.id).is_none());
            if let (true, Some(meta)) = (unscoped, resources.meta_mut(i as usize)) {
                meta.get_or_insert_default().subscription = Some(scope.clone());
            }
        }
        resources
    }

    /// The control definitions to score with: those the inputs define; for controls
    /// known only by id, the catalog's (else what the exported object says), named by
    /// the exported objects when they give a name; when no input names any control, the
    /// whole catalog. Also says whether the controls are the whole catalog, and whether
    /// any membership came from it.
    fn settle_controls(
        &mut self,
        catalog: &Catalog,
        diags: &mut Diagnostics,
    ) -> (Vec<ControlDef>, bool, bool) {
        let mut defs: BTreeMap<String, ControlDef> = std::mem::take(&mut self.controls)
            .into_iter()
            .map(|(id, (def, _))| (id, def))
            .collect();
        let mut from_catalog = false;
        for (id, r) in std::mem::take(&mut self.control_refs) {
            if self.custom_controls.contains_key(&id) {
                continue;
            }
            // Count-level controls are named by their export when no definition names them.
            let exported_name = r.names.first().cloned();
            if let Some(def) = defs.get_mut(&id) {
                if def.name.is_none() && exported_name.is_some() {
                    def.name = exported_name;
                    warn_exported_names(&id, &r.names, diags);
                }
                continue;
            }
            warn_exported_names(&id, &r.names, diags);
            let def = match catalog.controls.iter().find(|c| c.id.eq_ignore_ascii_case(&id)) {
                Some(known) => {
                    from_catalog = true;
                    ControlDef {
                        id: id.clone(),
                        name: exported_name.or_else(|| known.name.clone()),
                        ..known.clone()
                    }
                }
                None => {
                    diags.push(Diagnostic::warning(
                        "unknown-control",
                        format!(
                            "control {} is defined by no input and is not in the built-in catalog: it scores \
                             from exported counts only, each scope with the max score it exported; export the control \
                             definitions (secureScoreControlDefinitions) to map assessments to it",
                            quoted_name_and_id(exported_name.as_deref(), &id),
                        ),
                    ));
                    ControlDef {
                        id: id.clone(),
                        name: exported_name,
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

    fn dedupe_assessments(&mut self, diags: &mut Diagnostics) -> Vec<Assessment> {
        let mut rows = std::mem::take(&mut self.assessments);
        if rows.overflowed() {
            diags.push(Diagnostic::error(
                "too-many-exemptions",
                format!(
                    "the inputs name more than {} different exemptions (with the inputs they come from): too many \
                     to score",
                    Assessment::MAX_EXEMPTIONS
                ),
            ));
        }
        let mut repeats = 0u64;
        // The repeat named in the warning: the smallest (resource, recommendation) by id,
        // so the message does not depend on input order.
        let mut example: Option<(u32, u32, u16, u16)> = None;
        let key = |r: u32, c: u32| {
            (
                self.resources.items.id(r as usize).to_lowercase(),
                self.recommendations[c as usize].id.as_str(),
            )
        };
        rows.retain(|rows, prev, a| {
            let Some(prev) =
                prev.filter(|p| (p.resource(), p.recommendation()) == (a.resource(), a.recommendation()))
            else {
                return true;
            };
            let (was, is) = (rows.source(prev), rows.source(a));
            if prev.status() == a.status() && was.exemption == is.exemption {
                repeats += 1;
                if example.is_none_or(|(r, c, _, _)| key(a.resource(), a.recommendation()) < key(r, c)) {
                    example = Some((a.resource(), a.recommendation(), was.input, is.input));
                }
            } else {
                diags.push(self.conflicting((prev, was), (a, is)));
            }
            false
        });
        if let Some((res, rec, a, b)) = example {
            let mut files = [self.input_name(a), self.input_name(b)];
            files.sort_unstable();
            let mut d = Diagnostic::warning(
                "duplicate-assessment",
                format!(
                    "{repeats} assessment(s) repeated identically were kept once (for example: resource {:?}, \
                     recommendation {})",
                    self.resources.items.id(res as usize),
                    self.recommendations[rec as usize].quoted_label()
                ),
            );
            d.file = Some(files[0].to_string());
            diags.push(d);
        }
        rows.into_assessments()
    }

    fn conflicting(&self, (prev, was): (&Row, Source), (a, is): (&Row, Source)) -> Diagnostic {
        let mut d = Diagnostic::error(
            "conflicting-assessment",
            format!(
                "resource {:?} is assessed twice against recommendation {} with different results \
                 ({} in {}, {} in {}); an assessment must appear once, or repeat identically",
                self.resources.items.id(a.resource() as usize),
                self.recommendations[a.recommendation() as usize].quoted_label(),
                describe(prev.status(), was.exemption, &self.exemptions),
                self.input_name(was.input),
                describe(a.status(), is.exemption, &self.exemptions),
                self.input_name(is.input),
            ),
        );
        d.file = Some(self.input_name(is.input).to_string());
        d
    }
}

/// An assessment's result (its status and exemption, index + 1), for messages.
fn describe(status: Status, exemption: u32, exemptions: &[Exemption]) -> String {
    match (exemption as usize)
        .checked_sub(1)
        .and_then(|i| exemptions.get(i))
    {
        None => status.as_str().to_string(),
        Some(e) => format!("{} with a {} exemption", status.as_str(), e.category.as_str()),
    }
}

/// The index of recommendation `id` (of hash `hash`, [`IdHasher::exact_hash`]) in
/// `recommendations`, when `index` knows it.
fn find_recommendation(
    index: &HashTable<u32>,
    recommendations: &[Recommendation],
    id: &str,
    hash: u64,
) -> Option<u32> {
    index
        .find(hash, |&i| recommendations[i as usize].id == id)
        .copied()
}

/// Warns when exported control objects name control `id` differently (exports of
/// different days): the byte-wise smallest name, `names`' first, is used, as the other
/// `metadata-differs` warnings (`load::definitions`) say.
fn warn_exported_names(id: &str, names: &BTreeSet<String>, diags: &mut Diagnostics) {
    let mut names = names.iter();
    let (Some(kept), Some(other)) = (names.next(), names.next()) else {
        return;
    };
    diags.push(Diagnostic::warning(
        "metadata-differs",
        format!(
            "control {} differs between exports (of different days?): name {kept:?} (secure score control) kept \
             over {other:?} (secure score control){} (precedence: a control definition's name, then the byte-wise \
             smallest value)",
            quoted_name_and_id(Some(kept), id),
            if names.next().is_some() { " and other values" } else { "" }
        ),
    ));
}

/// Management group names of the defined subscriptions: the first spelling of each
/// (compared case-insensitively), sorted.
fn management_groups_of(subscriptions: &BTreeMap<String, Subscription>) -> Vec<String> {
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
    management_groups
}

/// Warns of assessments that score in no control (one warning per recommendation, in id
/// order), and of a built-in catalog that leaves many unscored.
fn warn_unscored(model: &Model, diags: &mut Diagnostics) {
    let mut unscored: BTreeMap<u32, u64> = BTreeMap::new();
    for a in &model.assessments {
        if model.controls_of(a.recommendation as usize).is_empty() {
            *unscored.entry(a.recommendation).or_default() += 1;
        }
    }
    let total_unscored: u64 = unscored.values().sum();
    // In recommendation id order: the index is the order the inputs named them in.
    let mut unscored: Vec<(u32, u64)> = unscored.into_iter().collect();
    unscored.sort_unstable_by(|a, b| {
        model.recommendations[a.0 as usize]
            .id
            .cmp(&model.recommendations[b.0 as usize].id)
    });
    for (rec, n) in &unscored {
        diags.push(Diagnostic::warning(
            "unscored-recommendation",
            format!(
                "{n} assessment(s) of recommendation {} belong to no control and do not score",
                model.recommendations[*rec as usize].quoted_label()
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

/// `items` in order with each value's later repeats left out: one hash-set look-up per
/// item, so linear (a control may name millions of members).
fn first_occurrences<T: Hash + Eq + Copy>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut seen = HashSet::new();
    items.into_iter().filter(|&x| seen.insert(x)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Counts, ExportScope, Figures};
    use std::hash::Hasher;

    /// Control c-x, in no catalog, exported by two subscriptions under two names and two
    /// maxima: named by the smallest name (with a `metadata-differs` warning), worth the
    /// largest max where no export gives one, and no error.
    #[test]
    fn a_control_known_only_from_exports_takes_their_smallest_name_and_largest_max() {
        let mut b = ModelBuilder::default();
        for (sub, name, max) in [("s2", "Zeta name", 4.0), ("s1", "Alpha name", 6.0)] {
            b.reference_control("c-x", Some(name), Some(max));
            let counts = Counts {
                healthy: 1,
                unhealthy: 1,
                not_applicable: 0,
            };
            let figures = Figures {
                max: Some(max),
                ..Figures::default()
            };
            b.exports.add_control(
                ExportScope::Subscription(sub.to_string()),
                "c-x",
                counts,
                figures,
                Origin::default(),
            );
        }
        let mut diags = Diagnostics::default();
        let model = b.finish(&Catalog::empty(), &mut diags);
        assert_eq!(diags.error_count(), 0);
        assert_eq!(model.controls[0].name.as_deref(), Some("Alpha name"));
        assert_eq!(model.controls[0].max_score, 6.0);
        let codes: Vec<&str> = diags.items().iter().map(|d| d.code).collect();
        assert_eq!(codes, ["metadata-differs", "unknown-control", "max-differs"]);
        assert!(diags.items()[0]
            .message
            .contains("name \"Alpha name\" (secure score control) kept over \"Zeta name\""));
        assert!(diags.items()[2].message.contains("4 in s2; 6 in s1"));
    }

    /// Assessments of recommendations in no control, named by the inputs in either
    /// order: one warning each, in recommendation id order both times.
    #[test]
    fn unscored_recommendations_are_warned_of_in_id_order_whatever_the_input_order() {
        for order in [["zzz", "aaa"], ["aaa", "zzz"]] {
            let mut b = ModelBuilder::default();
            let input = b.add_input("a.json");
            for (n, rec) in order.iter().enumerate() {
                b.add_assessment(
                    &format!("/subscriptions/s/vm{n}"),
                    rec,
                    Status::Healthy,
                    None,
                    input,
                );
            }
            let mut diags = Diagnostics::default();
            b.finish(&Catalog::empty(), &mut diags);
            let unscored: Vec<&str> = diags
                .items()
                .iter()
                .filter(|d| d.code == "unscored-recommendation")
                .map(|d| d.message.as_str())
                .collect();
            assert_eq!(unscored.len(), 2, "{unscored:?}");
            assert!(
                unscored[0].contains("\"aaa\"") && unscored[1].contains("\"zzz\""),
                "{unscored:?}"
            );
        }
    }

    /// Counts every hash and equality test made on it, the operations a de-duplication does.
    #[derive(Clone, Copy)]
    struct Counted(u32);

    thread_local! {
        static OPS: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    impl PartialEq for Counted {
        fn eq(&self, other: &Self) -> bool {
            OPS.with(|c| c.set(c.get() + 1));
            self.0 == other.0
        }
    }

    impl Eq for Counted {}

    impl Hash for Counted {
        fn hash<H: Hasher>(&self, state: &mut H) {
            OPS.with(|c| c.set(c.get() + 1));
            self.0.hash(state);
        }
    }

    /// The operations `first_occurrences` makes on `n` distinct members, each named twice.
    fn dedup_ops(n: u32) -> u64 {
        OPS.with(|c| c.set(0));
        let items = (0..n).chain(0..n).map(Counted);
        let kept = first_occurrences(items);
        assert_eq!(kept.len(), n as usize);
        assert!(kept.iter().zip(0..n).all(|(k, i)| k.0 == i), "first order kept");
        OPS.with(|c| c.get())
    }

    /// Complexity of control membership (a control with 10^6 members took a minute when
    /// each member was looked for in the list kept so far). Counted operations rather than
    /// time, so the test is exact and immune to a busy machine: doubling the members about
    /// doubles the hashes and comparisons (a list search would quadruple them: n = 20,000
    /// gives some 2 × 10^8 comparisons against about 4 × 10^4 + 2 × 10^4 here).
    #[test]
    fn de_duplicating_members_grows_linearly() {
        let (small, large) = (dedup_ops(20_000), dedup_ops(40_000));
        assert!(small >= 40_000, "every item is hashed: {small}");
        assert!(
            large * 10 < small * 25,
            "{small} → {large} operations: not linear"
        );
    }
}
