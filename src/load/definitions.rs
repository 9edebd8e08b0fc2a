//! What the inputs say of each recommendation and control, merged by precedence
//! (SPEC §2, §3 "Facts that differ between exports").
//!
//! Exports of different days describe one recommendation differently (Microsoft renames
//! recommendations, rewrites descriptions, changes severities), so a descriptive fact
//! (name, description, remediation, severity) is kept by [`Rank`], highest first: a native
//! entry (the user's overlay), an `assessmentMetadata` object, a control definition, an
//! assessment's inline `metadata`; within one rank the byte-wise smallest value, so the
//! result does not depend on input order. A difference between Azure sources is one
//! `metadata-differs` warning per recommendation or control, never an error; a native
//! entry that differs from an export is an overlay and says nothing.
//!
//! Scoring facts keep stricter rules: two native definitions of one id must be
//! identical; Azure sources that contradict each other on a recommendation's preview or
//! custom flag, or on a control's max score or membership, are an error, unless a native
//! entry decides (it wins). Azure repeats a recommendation's metadata in every
//! assessment, so merging costs a comparison per fact and nothing is kept per assessment:
//! per fact, the kept value and the best other one.
//!
//! Assessments exported without `metadata` cannot say which recommendations are preview:
//! [`Definitions::preview_unknown`] lists them for one `preview-unknown` warning.

use crate::catalog::{Catalog, ControlDef, RecommendationIn};
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::model::{Model, Recommendation, Severity};
use std::collections::BTreeMap;

/// Where a descriptive fact came from; the order is the precedence, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Rank {
    /// An assessment's inline `metadata` (or its own `displayName`).
    Inline,
    /// A secure score control definition (listed, or embedded with `$expand=definition`).
    ControlDefinition,
    /// An `assessmentMetadata` object.
    Metadata,
    /// A native `recommendations` or `controls` entry: the user's overlay.
    Native,
}

impl Rank {
    /// The source, for messages.
    fn describe(self) -> &'static str {
        match self {
            Rank::Inline => "inline metadata",
            Rank::ControlDefinition => "control definition",
            Rank::Metadata => "assessmentMetadata",
            Rank::Native => "native entry",
        }
    }
}

/// The precedence, as the warnings state it.
const PRECEDENCE: &str =
    "precedence: native entry, assessmentMetadata, control definition, inline metadata, \
                          then the byte-wise smallest value";

/// What an Azure object says of a recommendation; absent fields say nothing.
#[derive(Clone, Copy, Debug)]
pub struct RecommendationParts<'a> {
    /// Which kind of object says it.
    pub rank: Rank,
    /// The object carries metadata (an `assessmentMetadata` object, or an assessment
    /// with a `metadata` object): the recommendation's preview flag is known.
    pub described: bool,
    pub name: Option<&'a str>,
    pub severity: Option<Severity>,
    pub description: Option<&'a str>,
    pub remediation: Option<&'a str>,
    pub preview: Option<bool>,
    pub custom: Option<bool>,
}

/// A fact's value as the text it is compared (byte-wise) and shown by.
trait FactValue {
    fn text(&self) -> &str;
}

impl FactValue for String {
    fn text(&self) -> &str {
        self
    }
}

impl FactValue for Severity {
    fn text(&self) -> &str {
        self.as_str()
    }
}

/// True when `a` takes precedence over `b`: a higher rank, else a smaller value.
fn beats(a: (Rank, &str), b: (Rank, &str)) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 < b.1)
}

/// One descriptive fact as every source gave it: the value kept, and the best other
/// value (for the warning). Each distinct value counts with the highest rank it was
/// given, so the result is a function of the set of (rank, value) pairs, whatever
/// their order.
#[derive(Debug)]
struct Fact<T> {
    kept: Option<(Rank, T)>,
    other: Option<(Rank, T)>,
    /// A third distinct value was seen.
    more: bool,
}

impl<T> Default for Fact<T> {
    fn default() -> Self {
        Fact {
            kept: None,
            other: None,
            more: false,
        }
    }
}

impl<T: FactValue> Fact<T> {
    /// Adds a value given at `rank`; `make` builds it only when it must be stored.
    fn offer(&mut self, rank: Rank, text: &str, make: impl FnOnce() -> T) {
        let Some(kept) = &mut self.kept else {
            self.kept = Some((rank, make()));
            return;
        };
        // The common case: the export repeats the value already kept.
        if kept.1.text() == text {
            kept.0 = kept.0.max(rank);
            return;
        }
        if let Some(other) = &mut self.other {
            if other.1.text() == text {
                other.0 = other.0.max(rank);
                if beats((other.0, other.1.text()), (kept.0, kept.1.text())) {
                    std::mem::swap(kept, other);
                }
                return;
            }
        }
        let new = (rank, text);
        if beats(new, (kept.0, kept.1.text())) {
            let old = self.kept.replace((rank, make()));
            self.more |= std::mem::replace(&mut self.other, old).is_some();
        } else if self.other.as_ref().is_none_or(|o| beats(new, (o.0, o.1.text()))) {
            self.more |= self.other.replace((rank, make())).is_some();
        } else {
            self.more = true;
        }
    }

    /// The value kept.
    fn value(&self) -> Option<&T> {
        self.kept.as_ref().map(|(_, v)| v)
    }

    /// What the warning says of this fact, when Azure sources gave different values and
    /// no native entry overrides them.
    fn difference(&self, fact: &str) -> Option<String> {
        let (kept, other) = (self.kept.as_ref()?, self.other.as_ref()?);
        if kept.0 == Rank::Native {
            return None;
        }
        Some(format!(
            "{fact} {:?} ({}) kept over {:?} ({}){}",
            shown(kept.1.text()),
            kept.0.describe(),
            shown(other.1.text()),
            other.0.describe(),
            if self.more { " and other values" } else { "" }
        ))
    }
}

/// A value as a warning shows it: long texts (descriptions) cut short.
fn shown(text: &str) -> String {
    const LIMIT: usize = 60;
    match text.char_indices().nth(LIMIT) {
        None => text.to_string(),
        Some((end, _)) => format!("{}…", &text[..end]),
    }
}

/// A scoring flag (preview, custom) as Azure objects state it: the first statement,
/// and the first that contradicts it.
#[derive(Debug, Default)]
struct Flag {
    first: Option<(bool, Origin)>,
    contradicted: Option<Box<(bool, Origin)>>,
}

impl Flag {
    fn state(&mut self, value: bool, at: &mut dyn FnMut() -> Origin) {
        match &self.first {
            None => self.first = Some((value, at())),
            Some((v, _)) if *v != value && self.contradicted.is_none() => {
                self.contradicted = Some(Box::new((value, at())));
            }
            Some(_) => {}
        }
    }

    /// The error for a contradiction; `label` names the recommendation.
    fn conflict(&self, label: &str, fact: &str, hint: &str) -> Option<Diagnostic> {
        let (now, at) = &**self.contradicted.as_ref()?;
        let (earlier, first) = self.first.as_ref()?;
        Some(
            Diagnostic::error(
                "conflicting-definition",
                format!(
                    "recommendation {label} has a different {fact} here ({now}) than at {first} ({earlier}); \
                     Azure exports of one recommendation must agree on it (are these exports from different \
                     days?){hint}"
                ),
            )
            .at(at.clone()),
        )
    }
}

/// Everything the inputs said of one recommendation.
#[derive(Debug, Default)]
struct RecommendationFacts {
    name: Fact<String>,
    description: Fact<String>,
    remediation: Fact<String>,
    severity: Fact<Severity>,
    preview: Flag,
    custom: Flag,
    /// The native definition, compared with any other (they must be identical).
    native: Option<(Recommendation, Origin)>,
    /// The preview flag a native entry states.
    native_preview: Option<bool>,
    /// Azure metadata described it: its preview flag is known.
    described: bool,
    /// An Azure assessment without metadata named it.
    bare: bool,
}

impl RecommendationFacts {
    /// Writes the facts kept into the recommendation.
    fn write(&self, rec: &mut Recommendation) {
        rec.name = self.name.value().cloned();
        rec.description = self.description.value().cloned();
        rec.remediation = self.remediation.value().cloned();
        rec.severity = self.severity.value().copied();
        rec.preview = self
            .native_preview
            .or(self.preview.first.as_ref().map(|(v, _)| *v))
            .unwrap_or(false);
        rec.custom = self.custom.first.as_ref().is_some_and(|(v, _)| *v);
        // Only a native entry gives points (SPEC §7), over any Azure export.
        rec.points = self.native.as_ref().and_then(|(native, _)| native.points);
    }

    /// Reports contradicting scoring flags (those no native entry decides) and the
    /// facts that differ between Azure sources.
    fn report(&self, rec: &Recommendation, diags: &mut Diagnostics) {
        if self.native_preview.is_none() {
            let hint = "; a native recommendations entry stating \"preview\" decides";
            if let Some(d) = self.preview.conflict(&rec.quoted_label(), "preview flag", hint) {
                diags.push(d);
            }
        }
        if let Some(d) = self.custom.conflict(&rec.quoted_label(), "custom flag", "") {
            diags.push(d);
        }
        let differences: Vec<String> = [
            self.name.difference("name"),
            self.severity.difference("severity"),
            self.description.difference("description"),
            self.remediation.difference("remediation"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !differences.is_empty() {
            diags.push(differs(
                "recommendation",
                rec.name.as_deref(),
                &rec.id,
                &differences,
            ));
        }
    }
}

/// Everything the inputs said of one control.
#[derive(Debug, Default)]
struct ControlFacts {
    native: Option<(ControlDef, Origin)>,
    /// The first native definition refused for its max score (an error of its own), kept
    /// only so that a different definition of the id is still reported as a conflict.
    refused: Option<(ControlDef, Origin)>,
    /// The Azure definition kept: of those that disagree, the one with the largest max
    /// score, then the smallest membership, so the choice does not depend on input order.
    azure: Option<(ControlDef, Origin)>,
    /// Azure definitions that disagree on max score or membership, and the members
    /// named by any of them: an error when a member is assessed (a scope scored from
    /// assessments would score with a definition the exports do not agree on).
    contradiction: Option<Contradiction>,
    /// Each different Azure definition (max score and membership) with the first place
    /// it was read, by file name, line and column: where a contradiction is reported,
    /// whatever the order of the inputs (a copy read elsewhere counts too).
    azure_places: Vec<(f64, Vec<String>, Origin)>,
    name: Fact<String>,
    description: Fact<String>,
}

/// The control definitions the inputs give, by id, each with where it was read.
pub type ControlDefinitions = BTreeMap<String, (ControlDef, Origin)>;

/// Azure definitions of one control that disagree on its max score or membership.
#[derive(Debug)]
struct Contradiction {
    /// Where two different ones were read: the first by file name, line and column, and
    /// the first of another, so the message does not depend on which was read first
    /// (filled from [`ControlFacts::azure_places`] when judged).
    places: Vec<Origin>,
    /// Every max score given, sorted, without repeats.
    maxima: Vec<f64>,
    /// Every member any of them names, sorted, without repeats.
    members: Vec<String>,
    membership_differs: bool,
}

impl Contradiction {
    /// Notes a definition `def` that disagrees with the one `kept` so far.
    fn note(&mut self, kept: &ControlDef, def: &ControlDef) {
        self.membership_differs |= kept.recommendations != def.recommendations;
        self.maxima.push(def.max_score);
        self.maxima.sort_by(f64::total_cmp);
        self.maxima.dedup();
        self.members.extend(def.recommendations.iter().cloned());
        self.members.sort_unstable();
        self.members.dedup();
    }

    /// The error when a member is assessed, else the warning.
    fn diagnostic(&self, id: &str, name: Option<&str>, assessed: &dyn Fn(&str) -> bool) -> Diagnostic {
        let maxima = self
            .maxima
            .iter()
            .map(f64::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        let what = match (self.maxima.len() > 1, self.membership_differs) {
            (true, true) => format!("max scores {maxima} and different members"),
            (true, false) => format!("max scores {maxima}"),
            _ => "different members".to_string(),
        };
        let control = named(name, id);
        let at = self.places.first().cloned().unwrap_or_default();
        let other = self.places.get(1).cloned().unwrap_or_default();
        if let Some(member) = self.members.iter().find(|m| assessed(m)) {
            return Diagnostic::error(
                "conflicting-definition",
                format!(
                    "control {control} is defined with {what} by different exports (also at {other}), and \
                     recommendation {member:?} is assessed, so the score would depend on which one is used; \
                     export the definitions once (secureScoreControlDefinitions), or give a native controls \
                     entry, which overrides them"
                ),
            )
            .at(at);
        }
        let code = if self.maxima.len() > 1 {
            "max-differs"
        } else {
            "metadata-differs"
        };
        Diagnostic::warning(
            code,
            format!(
                "control {control} is defined with {what} by different exports (of different days?); no \
                 assessment is scored with it (scopes scored from exported counts take their own exported max), \
                 so this does not change the score; the definition shown is the one with the largest max, then the first membership in byte order"
            ),
        )
        .at(at)
    }
}

/// The error for a second, different definition of one id.
pub fn conflict(kind: &str, id: &str, first: &Origin, at: Origin) -> Diagnostic {
    Diagnostic::error(
        "conflicting-definition",
        format!(
            "{kind} {id:?} is defined twice with different contents (first at {first}); \
             definitions of one id must be identical"
        ),
    )
    .at(at)
}

/// The definitions of every recommendation (by the builder's index) and control (by id).
#[derive(Debug, Default)]
pub struct Definitions {
    recommendations: Vec<RecommendationFacts>,
    controls: BTreeMap<String, ControlFacts>,
}

impl Definitions {
    /// The facts of recommendation `i`, made on first use.
    fn facts(&mut self, i: u32) -> &mut RecommendationFacts {
        let i = i as usize;
        if i >= self.recommendations.len() {
            self.recommendations
                .resize_with(i + 1, RecommendationFacts::default);
        }
        &mut self.recommendations[i]
    }

    /// A native `recommendations` entry: an overlay over what Azure says; a second,
    /// different native definition of the id is an error.
    pub fn native_recommendation(
        &mut self,
        i: u32,
        rec: RecommendationIn,
        at: Origin,
    ) -> Result<(), Diagnostic> {
        let preview = rec.preview;
        let rec = Recommendation::from(rec);
        let facts = self.facts(i);
        match &facts.native {
            Some((existing, _)) if *existing == rec => {
                // Identical, but one may state `preview: false` where the other is silent.
                facts.native_preview = facts.native_preview.or(preview);
                return Ok(());
            }
            Some((_, first)) => return Err(conflict("recommendation", &rec.id, first, at)),
            None => {}
        }
        let rank = Rank::Native;
        for (fact, value) in [
            (&mut facts.name, &rec.name),
            (&mut facts.description, &rec.description),
            (&mut facts.remediation, &rec.remediation),
        ] {
            if let Some(v) = value {
                fact.offer(rank, v, || v.clone());
            }
        }
        if let Some(s) = rec.severity {
            facts.severity.offer(rank, s.as_str(), || s);
        }
        facts.native_preview = preview;
        facts.native = Some((rec, at));
        Ok(())
    }

    /// What an Azure object says of recommendation `i`. `at` is called only when a
    /// scoring flag is stated first, or contradicted.
    pub fn azure_recommendation(
        &mut self,
        i: u32,
        parts: &RecommendationParts,
        at: &mut dyn FnMut() -> Origin,
    ) {
        let facts = self.facts(i);
        if parts.described {
            facts.described = true;
        } else {
            facts.bare = true;
        }
        let rank = parts.rank;
        for (fact, value) in [
            (&mut facts.name, parts.name),
            (&mut facts.description, parts.description),
            (&mut facts.remediation, parts.remediation),
        ] {
            if let Some(v) = value {
                fact.offer(rank, v, || v.to_string());
            }
        }
        if let Some(s) = parts.severity {
            facts.severity.offer(rank, s.as_str(), || s);
        }
        if let Some(p) = parts.preview {
            facts.preview.state(p, at);
        }
        if let Some(c) = parts.custom {
            facts.custom.state(c, at);
        }
    }

    /// A native `controls` entry: an overlay over Azure's definition of the id (all of
    /// it, max score and membership included); a second, different native definition
    /// is an error.
    pub fn native_control(&mut self, mut def: ControlDef, at: Origin) -> Result<(), Diagnostic> {
        normalise(&mut def);
        let facts = self.controls.entry(def.id.clone()).or_default();
        match &facts.native {
            Some((existing, _)) if *existing == def => return Ok(()),
            Some((_, first)) => return Err(conflict("control", &def.id, first, at)),
            None => {}
        }
        let refused = native_conflict(&facts.refused, &def, &at);
        offer_control_names(facts, Rank::Native, &def);
        facts.native = Some((def, at));
        refused.map_or(Ok(()), Err)
    }

    /// A native `controls` entry refused for its max score (already an error): not a
    /// definition, but a different definition of its id, before or after it, is still a
    /// conflict, reported once.
    pub fn refused_native_control(&mut self, mut def: ControlDef, at: Origin) -> Result<(), Diagnostic> {
        normalise(&mut def);
        let facts = self.controls.entry(def.id.clone()).or_default();
        let found =
            native_conflict(&facts.native, &def, &at).or_else(|| native_conflict(&facts.refused, &def, &at));
        if facts.refused.is_none() {
            facts.refused = Some((def, at));
        }
        found.map_or(Ok(()), Err)
    }

    /// An Azure control definition. Names and descriptions merge by precedence; a
    /// different max score or membership than another Azure definition is noted, and
    /// judged when the model is finished ([`Definitions::take_controls`]).
    pub fn azure_control(&mut self, mut def: ControlDef, at: &mut dyn FnMut() -> Origin) {
        normalise(&mut def);
        let facts = self.controls.entry(def.id.clone()).or_default();
        offer_control_names(facts, Rank::ControlDefinition, &def);
        let here = at();
        match facts
            .azure_places
            .iter_mut()
            .find(|(max, members, _)| *max == def.max_score && *members == def.recommendations)
        {
            Some((_, _, first)) if earlier(&here, first) => first.clone_from(&here),
            Some(_) => {}
            None => facts
                .azure_places
                .push((def.max_score, def.recommendations.clone(), here.clone())),
        }
        let Some((kept, origin)) = &mut facts.azure else {
            facts.azure = Some((def, here));
            return;
        };
        if kept.max_score == def.max_score && kept.recommendations == def.recommendations {
            if earlier(&here, origin) {
                *origin = here;
            }
            return;
        }
        let contradiction = facts.contradiction.get_or_insert_with(|| Contradiction {
            places: Vec::new(),
            maxima: vec![kept.max_score],
            members: kept.recommendations.clone(),
            membership_differs: false,
        });
        contradiction.note(kept, &def);
        // Largest max first, then the smallest membership: independent of input order.
        let wins = def
            .max_score
            .total_cmp(&kept.max_score)
            .then_with(|| kept.recommendations.cmp(&def.recommendations))
            .is_gt();
        if wins {
            *kept = def;
            *origin = here;
        }
    }

    /// The control definitions the inputs give, by id: a native entry over Azure's,
    /// names and descriptions by precedence. Reports contradicting Azure definitions
    /// no native entry overrides, and one `metadata-differs` warning per control whose
    /// Azure definitions name or describe it differently.
    ///
    /// Azure definitions of different days that contradict each other on max score or
    /// membership are an error only when one of their members is `assessed`: only a
    /// scope scored from assessments scores with the definition. A scope scored from
    /// exported counts takes its own exported max (SPEC §3), so there they are a
    /// warning (`max-differs`, or `metadata-differs` for membership).
    /// Those warnings are returned with their control's id rather than pushed: the
    /// builder drops a definition's `max-differs` when the exported objects already
    /// said it (one warning per control).
    pub fn take_controls(
        &mut self,
        assessed: &dyn Fn(&str) -> bool,
        diags: &mut Diagnostics,
    ) -> (ControlDefinitions, Vec<(String, Diagnostic)>) {
        let mut out = BTreeMap::new();
        let mut differing = Vec::new();
        for (id, mut facts) in std::mem::take(&mut self.controls) {
            let name = facts.name.value().cloned();
            if let Some(c) = &mut facts.contradiction {
                facts
                    .azure_places
                    .sort_by(|a, b| place_order(&a.2).cmp(&place_order(&b.2)));
                c.places = facts.azure_places.iter().take(2).map(|p| p.2.clone()).collect();
            }
            if let (None, Some(c)) = (&facts.native, &facts.contradiction) {
                match c.diagnostic(&id, name.as_deref(), assessed) {
                    d if d.level == crate::diag::Level::Error => diags.push(d),
                    d => differing.push((id.clone(), d)),
                }
            }
            let Some((mut def, at)) = facts.native.or(facts.azure) else {
                continue;
            };
            def.name = name;
            def.description = facts.description.value().cloned();
            let differences: Vec<String> = [
                facts.name.difference("name"),
                facts.description.difference("description"),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !differences.is_empty() {
                diags.push(differs("control", def.name.as_deref(), &id, &differences));
            }
            out.insert(id, (def, at));
        }
        (out, differing)
    }

    /// Writes the merged facts into the recommendations (indexed as the builder
    /// interned them), filling what no input said from the catalog. Reports
    /// contradicting scoring flags and one `metadata-differs` warning per
    /// recommendation (in id order).
    pub fn finish_recommendations(
        &self,
        recommendations: &mut [Recommendation],
        catalog: &Catalog,
        diags: &mut Diagnostics,
    ) {
        for (i, rec) in recommendations.iter_mut().enumerate() {
            let facts = self.recommendations.get(i);
            if let Some(facts) = facts {
                facts.write(rec);
            }
            if facts.is_none_or(|f| f.native.is_none()) {
                // The catalog is below every input: it names what no input named.
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
        let mut order: Vec<usize> = (0..self.recommendations.len().min(recommendations.len())).collect();
        order.sort_unstable_by(|&a, &b| recommendations[a].id.cmp(&recommendations[b].id));
        for i in order {
            self.recommendations[i].report(&recommendations[i], diags);
        }
    }

    /// The recommendations whose preview flag is unknown: named by an Azure assessment
    /// without metadata, described by no Azure metadata, and with no native entry that
    /// states `preview` (the built-in catalog does not know preview flags).
    fn preview_unknown(&self) -> impl Iterator<Item = usize> + '_ {
        self.recommendations
            .iter()
            .enumerate()
            .filter(|(_, f)| f.bare && !f.described && f.native_preview.is_none())
            .map(|(i, _)| i)
    }

    /// One `preview-unknown` warning for the recommendations of scored controls whose
    /// preview flag is unknown: they score as generally available.
    pub fn warn_preview_unknown(&self, model: &Model, diags: &mut Diagnostics) {
        let unknown: Vec<usize> = self
            .preview_unknown()
            .filter(|&i| !model.controls_of(i).is_empty())
            .collect();
        let Some(&example) = unknown
            .iter()
            .min_by(|&&a, &&b| model.recommendations[a].id.cmp(&model.recommendations[b].id))
        else {
            return;
        };
        let mut is_unknown = vec![false; model.recommendations.len()];
        for &i in &unknown {
            is_unknown[i] = true;
        }
        let assessments = model
            .assessments
            .iter()
            .filter(|a| is_unknown[a.recommendation as usize])
            .count();
        let rec = &model.recommendations[example];
        diags.push(Diagnostic::warning(
            "preview-unknown",
            format!(
                "{} recommendation(s) of scored controls ({assessments} assessment(s)) were exported without \
                 metadata, so whether they are preview is unknown: they score as generally available \
                 (for example {}). For an exact score, export the metadata too: the assessments with \
                 $expand=metadata, or the assessment metadata listing (az rest --method get --url \
                 \"https://management.azure.com/providers/Microsoft.Security/assessmentMetadata?api-version=2021-06-01\" \
                 > metadata.json, or az security assessment-metadata list), and pass it as an input",
                unknown.len(),
                named(rec.name.as_deref(), &rec.id)
            ),
        ));
    }
}

/// Membership is a set: exports list it in no promised order.
/// The order places are reported in: file name, line, column.
fn place_order(o: &Origin) -> (&str, Option<usize>, Option<usize>) {
    (&o.file, o.line, o.column)
}

/// The conflict between `def`, read at `at`, and a different native definition `other`
/// of its id, reported at the later of the two places, whichever was read first.
fn native_conflict(
    other: &Option<(ControlDef, Origin)>,
    def: &ControlDef,
    at: &Origin,
) -> Option<Diagnostic> {
    let (_, there) = other.as_ref().filter(|(existing, _)| existing != def)?;
    Some(if earlier(there, at) {
        conflict("control", &def.id, there, at.clone())
    } else {
        conflict("control", &def.id, at, there.clone())
    })
}

/// Was `a` read before `b` in [`place_order`]?
fn earlier(a: &Origin, b: &Origin) -> bool {
    place_order(a) < place_order(b)
}

fn normalise(def: &mut ControlDef) {
    def.recommendations.sort_unstable();
    def.recommendations.dedup();
}

fn offer_control_names(facts: &mut ControlFacts, rank: Rank, def: &ControlDef) {
    if let Some(n) = &def.name {
        facts.name.offer(rank, n, || n.clone());
    }
    if let Some(d) = &def.description {
        facts.description.offer(rank, d, || d.clone());
    }
}

/// A recommendation or control as messages name it: its name, with the id.
fn named(name: Option<&str>, id: &str) -> String {
    match name {
        Some(n) => format!("{n:?} ({id})"),
        None => format!("{id:?}"),
    }
}

/// The `metadata-differs` warning of one recommendation or control.
fn differs(kind: &str, name: Option<&str>, id: &str, differences: &[String]) -> Diagnostic {
    Diagnostic::warning(
        "metadata-differs",
        format!(
            "{kind} {} differs between exports (of different days?): {} ({PRECEDENCE})",
            named(name, id),
            differences.join("; ")
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fact(offers: &[(Rank, &str)]) -> Fact<String> {
        let mut f = Fact::default();
        for &(rank, v) in offers {
            f.offer(rank, v, || v.to_string());
        }
        f
    }

    /// (kept, other, more).
    type Summary = (Option<(Rank, String)>, Option<(Rank, String)>, bool);

    fn summary(f: &Fact<String>) -> Summary {
        (f.kept.clone(), f.other.clone(), f.more)
    }

    #[test]
    fn facts_keep_the_highest_rank_then_the_smallest_value_in_any_order() {
        let offers = [
            (Rank::Inline, "b"),
            (Rank::Inline, "a"),
            (Rank::Metadata, "c"),
            (Rank::Inline, "c"),
            (Rank::Inline, "d"),
        ];
        let want = (
            Some((Rank::Metadata, "c".to_string())),
            Some((Rank::Inline, "a".to_string())),
            true,
        );
        // Every rotation and the reverse give the same result.
        for k in 0..offers.len() {
            let mut o = offers.to_vec();
            o.rotate_left(k);
            assert_eq!(summary(&fact(&o)), want, "{o:?}");
            o.reverse();
            assert_eq!(summary(&fact(&o)), want, "{o:?}");
        }
    }

    #[test]
    fn a_value_counts_with_the_highest_rank_it_was_given() {
        // "b" is inline first, then metadata: it beats the smaller inline "a".
        let f = fact(&[(Rank::Inline, "a"), (Rank::Inline, "b"), (Rank::Metadata, "b")]);
        assert_eq!(
            summary(&f),
            (
                Some((Rank::Metadata, "b".to_string())),
                Some((Rank::Inline, "a".to_string())),
                false
            )
        );
    }

    #[test]
    fn a_native_value_is_an_overlay_and_repeats_are_no_difference() {
        assert_eq!(
            fact(&[(Rank::Inline, "x"), (Rank::Inline, "x")]).difference("name"),
            None
        );
        assert_eq!(
            fact(&[(Rank::Native, "mine"), (Rank::Metadata, "azure")]).difference("name"),
            None
        );
        assert_eq!(
            fact(&[(Rank::Inline, "b"), (Rank::Inline, "a")])
                .difference("name")
                .as_deref(),
            Some("name \"a\" (inline metadata) kept over \"b\" (inline metadata)")
        );
    }

    #[test]
    fn long_values_are_cut_short_on_a_character_boundary() {
        let long = "é".repeat(70);
        assert_eq!(shown(&long), format!("{}…", "é".repeat(60)));
        assert_eq!(shown("short"), "short");
    }

    fn azure(rank: Rank, name: &str, preview: Option<bool>) -> RecommendationParts<'_> {
        RecommendationParts {
            rank,
            described: true,
            name: Some(name),
            severity: None,
            description: None,
            remediation: None,
            preview,
            custom: None,
        }
    }

    fn native(id: &str, name: Option<&str>, preview: Option<bool>) -> RecommendationIn {
        serde_json::from_value(serde_json::json!({"id": id, "name": name, "preview": preview})).unwrap()
    }

    fn finish(defs: &mut Definitions, ids: &[&str]) -> (Vec<Recommendation>, Vec<Diagnostic>) {
        let mut recs: Vec<Recommendation> = ids
            .iter()
            .map(|id| Recommendation {
                id: id.to_string(),
                ..Recommendation::default()
            })
            .collect();
        let mut diags = Diagnostics::default();
        defs.finish_recommendations(&mut recs, &Catalog::empty(), &mut diags);
        (recs, diags.items().to_vec())
    }

    #[test]
    fn a_native_entry_overrides_azure_names_and_preview_in_any_order() {
        for native_first in [true, false] {
            let mut defs = Definitions::default();
            let mut at = Origin::default;
            let add_native = |d: &mut Definitions| {
                d.native_recommendation(0, native("r", Some("Mine"), Some(false)), Origin::default())
            };
            if native_first {
                add_native(&mut defs).unwrap();
            }
            defs.azure_recommendation(0, &azure(Rank::Inline, "Old", Some(true)), &mut at);
            defs.azure_recommendation(0, &azure(Rank::Metadata, "New", Some(false)), &mut at);
            if !native_first {
                add_native(&mut defs).unwrap();
            }
            let (recs, diags) = finish(&mut defs, &["r"]);
            assert_eq!(recs[0].name.as_deref(), Some("Mine"));
            assert!(!recs[0].preview);
            // The Azure preview contradiction is decided by the native entry: no error,
            // and names under an overlay are no difference.
            assert!(diags.is_empty(), "{diags:?}");
        }
    }

    #[test]
    fn contradicting_azure_preview_flags_are_an_error_without_a_native_entry() {
        let mut defs = Definitions::default();
        let mut at = Origin::default;
        defs.azure_recommendation(0, &azure(Rank::Inline, "A", Some(true)), &mut at);
        defs.azure_recommendation(0, &azure(Rank::Inline, "B", Some(false)), &mut at);
        let (recs, diags) = finish(&mut defs, &["r"]);
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["conflicting-definition", "metadata-differs"]);
        assert!(
            diags[0].message.contains("different preview flag here (false)"),
            "{}",
            diags[0].message
        );
        assert_eq!(recs[0].name.as_deref(), Some("A"));
    }

    #[test]
    fn two_different_native_entries_are_an_error() {
        let mut defs = Definitions::default();
        defs.native_recommendation(0, native("r", Some("A"), None), Origin::default())
            .unwrap();
        defs.native_recommendation(0, native("r", Some("A"), Some(false)), Origin::default())
            .unwrap();
        let err = defs
            .native_recommendation(0, native("r", Some("B"), None), Origin::default())
            .unwrap_err();
        assert_eq!(err.code, "conflicting-definition");
    }

    #[test]
    fn the_preview_flag_is_unknown_only_without_any_metadata() {
        let mut defs = Definitions::default();
        let mut at = Origin::default;
        let bare = |name| RecommendationParts {
            described: false,
            ..azure(Rank::Inline, name, None)
        };
        // 0: bare only; 1: bare, then described by assessmentMetadata; 2: bare, with a
        // native entry stating preview; 3: bare, with a native entry that does not.
        for i in 0..4 {
            defs.azure_recommendation(i, &bare("x"), &mut at);
        }
        defs.azure_recommendation(1, &azure(Rank::Metadata, "x", None), &mut at);
        defs.native_recommendation(2, native("r2", None, Some(true)), Origin::default())
            .unwrap();
        defs.native_recommendation(3, native("r3", Some("y"), None), Origin::default())
            .unwrap();
        assert_eq!(defs.preview_unknown().collect::<Vec<_>>(), [0, 3]);
    }

    fn control(max: f64, name: &str, members: &[&str]) -> ControlDef {
        ControlDef {
            id: "c".to_string(),
            name: Some(name.to_string()),
            description: None,
            max_score: max,
            recommendations: members.iter().map(|m| m.to_string()).collect(),
        }
    }

    #[test]
    fn azure_control_definitions_differ_in_names_by_warning_and_in_max_by_error() {
        let mut defs = Definitions::default();
        let mut at = Origin::default;
        let assessed = |_: &str| true;
        defs.azure_control(control(6.0, "Old", &["a", "b"]), &mut at);
        defs.azure_control(control(6.0, "New", &["b", "a"]), &mut at);
        let mut diags = Diagnostics::default();
        let (controls, _) = defs.take_controls(&assessed, &mut diags);
        assert_eq!(controls["c"].0.name.as_deref(), Some("New"));
        let codes: Vec<&str> = diags.items().iter().map(|d| d.code).collect();
        assert_eq!(codes, ["metadata-differs"]);

        defs.azure_control(control(6.0, "A", &["a"]), &mut at);
        defs.azure_control(control(5.0, "A", &["a"]), &mut at);
        let mut diags = Diagnostics::default();
        defs.take_controls(&assessed, &mut diags);
        assert_eq!(diags.items()[0].code, "conflicting-definition");

        // A native entry overrides both, max included.
        defs.azure_control(control(6.0, "A", &["a"]), &mut at);
        defs.azure_control(control(5.0, "A", &["a"]), &mut at);
        defs.native_control(control(8.0, "Mine", &["z"]), Origin::default())
            .unwrap();
        let mut diags = Diagnostics::default();
        let (controls, _) = defs.take_controls(&assessed, &mut diags);
        assert!(diags.items().is_empty());
        assert_eq!(controls["c"].0, control(8.0, "Mine", &["z"]));
    }

    #[test]
    fn a_contradiction_is_reported_at_the_same_places_whatever_the_order() {
        let read = |file: &str, max: f64| {
            let origin = Origin {
                file: file.to_string(),
                ..Origin::default()
            };
            (control(max, "A", &["a"]), origin)
        };
        // b.json repeats a.json; c.json differs from both.
        let orders = [["a", "b", "c"], ["b", "c", "a"], ["c", "b", "a"], ["b", "a", "c"]];
        for order in orders {
            let mut defs = Definitions::default();
            for file in order {
                let (def, origin) = read(file, if file == "c" { 3.0 } else { 2.0 });
                defs.azure_control(def, &mut || origin.clone());
            }
            let mut diags = Diagnostics::default();
            let (controls, differing) = defs.take_controls(&|_: &str| false, &mut diags);
            assert_eq!(controls["c"].1.file, "c", "{order:?}");
            let d = &differing[0].1;
            assert_eq!(d.file.as_deref(), Some("a"), "{order:?}");
            // The error names the other definition, not the copy.
            let mut defs = Definitions::default();
            for file in order {
                let (def, origin) = read(file, if file == "c" { 3.0 } else { 2.0 });
                defs.azure_control(def, &mut || origin.clone());
            }
            let mut diags = Diagnostics::default();
            defs.take_controls(&|_: &str| true, &mut diags);
            let e = &diags.items()[0];
            assert_eq!((e.code, e.file.as_deref()), ("conflicting-definition", Some("a")));
            assert!(e.message.contains("also at c"), "{order:?}: {}", e.message);
        }
    }

    #[test]
    fn definitions_of_different_days_only_warn_when_no_member_is_assessed() {
        let only_b = |m: &str| m == "b";
        let orders = [[2.0, 0.0, 3.0], [0.0, 3.0, 2.0], [3.0, 2.0, 0.0]];
        for order in orders {
            let mut defs = Definitions::default();
            let mut at = Origin::default;
            for max in order {
                defs.azure_control(control(max, "A", &["a"]), &mut at);
            }
            let mut diags = Diagnostics::default();
            let (controls, differing) = defs.take_controls(&only_b, &mut diags);
            // Whatever the order, the largest max is kept and the values are listed.
            assert_eq!(controls["c"].0.max_score, 3.0);
            assert!(diags.items().is_empty());
            assert_eq!(differing.len(), 1);
            assert_eq!(
                (differing[0].0.as_str(), differing[0].1.code),
                ("c", "max-differs")
            );
            assert!(
                differing[0].1.message.contains("max scores 0, 2, 3"),
                "{}",
                differing[0].1.message
            );
        }
        // A member of either definition that is assessed makes it an error.
        let mut defs = Definitions::default();
        let mut at = Origin::default;
        defs.azure_control(control(2.0, "A", &["a"]), &mut at);
        defs.azure_control(control(2.0, "A", &["a", "b"]), &mut at);
        let mut diags = Diagnostics::default();
        defs.take_controls(&only_b, &mut diags);
        assert_eq!(diags.items()[0].code, "conflicting-definition");
        assert!(diags.items()[0].message.contains("different members"));
        // Membership alone, nothing assessed: metadata-differs.
        let mut defs = Definitions::default();
        defs.azure_control(control(2.0, "A", &["a"]), &mut at);
        defs.azure_control(control(2.0, "A", &["c"]), &mut at);
        let mut diags = Diagnostics::default();
        let (controls, differing) = defs.take_controls(&only_b, &mut diags);
        assert_eq!(differing[0].1.code, "metadata-differs");
        assert_eq!(controls["c"].0.recommendations, ["a"]);
    }
}
