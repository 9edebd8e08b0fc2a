//! Loaders: turn input files into a [`Model`]. Each input holds one or more JSON values
//! (a document, concatenated documents, or JSON Lines); each value is classified by its
//! keys (SPEC §2) and streamed into a [`ModelBuilder`], one array element at a time, with
//! ids borrowed from the input where possible.

pub mod azure;
pub mod builder;
mod exports;
pub mod locate;
pub mod native;
pub mod pages;
mod resources;
mod scopes;
pub mod source;

use crate::catalog::Catalog;
use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::model::{Exemption, Model};
use azure::{AzureSink, Fields, Kind};
use builder::ModelBuilder;
use locate::{join_path, push_key, Locator};
use native::{
    AssessmentIn, AssessmentRow, ControlIn, Extra, RecommendationIn, ResourceIn, SubscriptionIn, SECTIONS,
};
use pages::{Page, PageForm};
use serde::de::{SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use source::InputSpec;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// Bare arrays may hold arrays (pages of pages), but not without end: deeper nesting is
/// an error rather than a stack overflow.
const MAX_ARRAY_DEPTH: usize = 8;

/// How to load.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// List keys that are not part of a recognised shape as warnings (`validate`).
    pub report_unknown_keys: bool,
    /// Compute each input's SHA-256 (for `--record`).
    pub digest_inputs: bool,
}

/// Loads every input into one model. Problems are collected in `diags`; the model is
/// only to be scored when no error was recorded.
pub fn load(
    inputs: &[InputSpec],
    catalog: &Catalog,
    options: &LoadOptions,
    diags: &mut Diagnostics,
) -> Model {
    let mut loader = Loader {
        builder: ModelBuilder::default(),
        diags,
        options,
        unknown_keys: BTreeMap::new(),
        pages: Vec::new(),
        ignored_scores: BTreeSet::new(),
        anonymous_rows: 0,
        unread_types: BTreeMap::new(),
    };
    for spec in inputs {
        loader.input(spec);
    }
    let Loader {
        mut builder,
        diags,
        unknown_keys,
        pages,
        ..
    } = loader;
    for (why, files) in pages::incomplete_exports(&pages) {
        let mut d = Diagnostic::warning(
            "incomplete-export",
            format!(
                "the export is incomplete: {why} ({}); page with --first/--skip-token or follow nextLink, and pass \
                 every page",
                files.join(", ")
            ),
        );
        d.file = files.first().cloned();
        diags.push(d);
        builder.mark_incomplete(format!("{why} ({})", files.join(", ")));
    }
    for ((file, path, key), (count, origin)) in unknown_keys {
        let times = if count > 1 {
            format!(" ({count} times)")
        } else {
            String::new()
        };
        let mut d = Diagnostic::warning(
            "unknown-key",
            format!(
                "unknown key {key:?}{times} is ignored (at {path}: not part of the native or Azure shapes)"
            ),
        )
        .at(origin);
        d.file = Some(file);
        diags.push(d);
    }
    builder.finish(catalog, diags)
}

struct Loader<'d> {
    builder: ModelBuilder,
    diags: &'d mut Diagnostics,
    options: &'d LoadOptions,
    /// (file, path pattern, key) → (times seen, first place).
    unknown_keys: BTreeMap<(String, String, String), (u64, Origin)>,
    /// Every ARM list page and Resource Graph result read, to tell a truncated export.
    pages: Vec<Page>,
    /// Secure score names other than `ascScore` already warned about.
    ignored_scores: BTreeSet<String>,
    /// Rows read without an id so far (each counts as a distinct row).
    anonymous_rows: u64,
    /// Objects of a type that is not read, per (input, type): only the first is an error
    /// of its own.
    unread_types: BTreeMap<(u16, Option<String>), (u64, Option<String>)>,
}

/// What the items of one page say about the listing.
#[derive(Default)]
struct PageItems {
    kind: Option<Kind>,
    subscriptions: BTreeSet<String>,
    rows: Vec<u64>,
}

/// What one Azure object is, for page bookkeeping.
struct ItemInfo {
    kind: Kind,
    subscription: Option<String>,
    id_hash: Option<u64>,
}

/// One input being read.
struct FileCtx<'a> {
    input: u16,
    locator: Locator<'a>,
}

/// True when the input is read one JSON value per line, so that a bad line does not hide
/// the rest: `.jsonl` and `.ndjson` files. Any other input is read as a stream of JSON
/// values, which takes JSON Lines as they come too.
fn is_json_lines(spec: &InputSpec) -> bool {
    matches!(spec.extension().as_deref(), Some("jsonl" | "ndjson"))
}

/// Calls `each(index, element)` for every element of a JSON array, without collecting them.
fn for_each_element<'a>(
    raw: &'a RawValue,
    each: impl FnMut(usize, &'a RawValue),
) -> Result<(), serde_json::Error> {
    struct Elements<F>(F);
    impl<'de, F: FnMut(usize, &'de RawValue)> Visitor<'de> for Elements<F> {
        type Value = ();
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an array")
        }
        fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
            let mut i = 0;
            while let Some(el) = seq.next_element::<&'de RawValue>()? {
                (self.0)(i, el);
                i += 1;
            }
            Ok(())
        }
    }
    let mut de = serde_json::Deserializer::from_str(raw.get());
    serde::Deserializer::deserialize_seq(&mut de, Elements(each))
}

/// An object's keys and raw values, in order, repeats included.
struct Keys<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Keys<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = Keys<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    out.push(entry);
                }
                Ok(Keys(out))
            }
        }
        d.deserialize_map(KeysVisitor)
    }
}

impl<'a> Keys<'a> {
    /// The keys as a map, or the first key that appears twice (a repeated section
    /// would otherwise silently replace the first).
    fn unique(self) -> Result<BTreeMap<String, &'a RawValue>, String> {
        let mut map = BTreeMap::new();
        for (k, v) in self.0 {
            if map.contains_key(&k) {
                return Err(k);
            }
            map.insert(k, v);
        }
        Ok(map)
    }
}

/// The value of the first key matching one of `names`, ignoring ASCII case.
fn find_key<'a>(keys: &BTreeMap<String, &'a RawValue>, names: &[&str]) -> Option<&'a RawValue> {
    keys.iter()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| *v)
}

/// True for a value that is neither null nor an empty string (a nextLink, a skip token).
fn is_set(raw: &RawValue) -> bool {
    !matches!(raw.get(), "null" | "\"\"" | "false")
}

fn join_key(path: &str, key: &str) -> String {
    let mut at = path.to_string();
    push_key(&mut at, key);
    at
}

/// What a JSON value is, for messages.
fn json_kind(raw: &RawValue) -> &'static str {
    match raw.get().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        Some(b'"') => "a string",
        Some(b't' | b'f') => "a boolean",
        Some(b'n') => "null",
        _ => "a number",
    }
}

impl Loader<'_> {
    fn input(&mut self, spec: &InputSpec) {
        self.read_input(spec);
        let name = spec.display_name();
        let input = (self.builder.input_count() - 1) as u16;
        let repeats: Vec<(Option<String>, u64)> = self
            .unread_types
            .iter()
            .filter(|((i, _), (n, _))| *i == input && *n > 1)
            .map(|(_, (n, spelled))| (spelled.clone(), *n))
            .collect();
        for (kind, n) in repeats {
            let what = kind.map_or("objects with no type".to_string(), |t| {
                format!("objects of type {t:?}")
            });
            let mut d = Diagnostic::error(
                "unrecognised-shape",
                format!("… and {} more {what} in this input (listed once above)", n - 1),
            );
            d.file = Some(name.clone());
            self.diags.push(d);
        }
    }

    fn read_input(&mut self, spec: &InputSpec) {
        let name = spec.display_name();
        let input = self.builder.add_input(&name);
        let bytes = match source::read(spec) {
            Ok(b) => b,
            Err(d) => return self.diags.push(d),
        };
        if self.options.digest_inputs {
            self.builder.add_digest(crate::digest::sha256_hex(&bytes));
        }
        let text = match source::decode(&name, &bytes) {
            Ok(t) => t,
            Err(d) => return self.diags.push(d),
        };
        let mut file = FileCtx {
            input,
            locator: Locator::new(&name, text),
        };
        if is_json_lines(spec) {
            for line in text.split('\n') {
                let line = line.strip_suffix('\r').unwrap_or(line);
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<&RawValue>(line) {
                    Ok(raw) => self.value(&mut file, raw, String::new(), 0),
                    Err(e) => {
                        let d = file.locator.json_error(line, String::new(), &e);
                        self.diags.push(d);
                    }
                }
            }
        } else {
            for item in serde_json::Deserializer::from_str(text).into_iter::<&RawValue>() {
                match item {
                    Ok(raw) => self.value(&mut file, raw, String::new(), 0),
                    Err(e) => {
                        let d = file.locator.json_error(text, String::new(), &e);
                        self.diags.push(d);
                        break;
                    }
                }
            }
        }
    }

    /// One JSON value at the top level of an input (or an element of a bare array).
    fn value<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String, depth: usize) {
        if depth > MAX_ARRAY_DEPTH {
            let d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "arrays nested more than {MAX_ARRAY_DEPTH} deep: expected objects (or an array of them)"
                ),
            )
            .at(file.locator.origin(raw.get(), path));
            return self.diags.push(d);
        }
        match raw.get().as_bytes().first() {
            Some(b'{') => self.object(file, raw, path),
            Some(b'[') => {
                let result = for_each_element(raw, |i, el| {
                    self.value(file, el, format!("{path}[{i}]"), depth + 1)
                });
                if let Err(e) = result {
                    let d = file.locator.json_error(raw.get(), path, &e);
                    self.diags.push(d);
                }
            }
            _ => {
                let d = Diagnostic::error(
                    "unrecognised-shape",
                    format!(
                        "a value of no recognised shape: expected a JSON object (a native document or an assessment) \
                         or an array of them, found {}",
                        json_kind(raw)
                    ),
                )
                .at(file.locator.origin(raw.get(), path));
                self.diags.push(d);
            }
        }
    }

    fn object<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) {
        if !self.options.report_unknown_keys {
            if let Ok(row) = serde_json::from_str::<AssessmentRow>(raw.get()) {
                let exemption = row.exemption.map(Exemption::from);
                self.builder.add_assessment(
                    &row.resource.0,
                    &row.recommendation.0,
                    row.status,
                    exemption,
                    file.input,
                );
                return;
            }
        }
        let keys: Keys<'a> = match serde_json::from_str(raw.get()) {
            Ok(k) => k,
            Err(e) => return self.diags.push(file.locator.json_error(raw.get(), path, &e)),
        };
        let keys = match keys.unique() {
            Ok(k) => k,
            Err(repeated) => {
                let d = Diagnostic::error(
                    "malformed-json",
                    format!("key {repeated:?} appears twice in one object: expected each key once"),
                )
                .at(file.locator.origin(raw.get(), path));
                return self.diags.push(d);
            }
        };
        if SECTIONS.iter().any(|s| keys.contains_key(*s)) {
            for (key, value) in &keys {
                let mut at = path.clone();
                push_key(&mut at, key);
                match key.as_str() {
                    "subscriptions" => self.section(file, value, at, Self::subscription),
                    "controls" => self.section(file, value, at, Self::control),
                    "recommendations" => self.section(file, value, at, Self::recommendation),
                    "resources" => self.section(file, value, at, Self::resource),
                    "assessments" => self.section(file, value, at, Self::assessment),
                    _ => self.unknown_key(file, value, &path, key),
                }
            }
        } else if ["resource", "recommendation", "status"]
            .iter()
            .all(|k| keys.contains_key(*k))
        {
            if let Some((a, origin)) = self.element::<AssessmentIn>(file, raw, path) {
                self.assessment(file, a, origin);
            }
        } else if let Some(value) = find_key(&keys, &["value"]).filter(|v| v.get().starts_with('[')) {
            let next_link = find_key(&keys, &["nextLink"]).filter(|v| is_set(v)).map(|v| {
                serde_json::from_str::<&str>(v.get())
                    .ok()
                    .and_then(azure::listing_scope)
            });
            let items = self.azure_items(file, value, join_key(&path, "value"));
            self.pages.push(Page {
                file: file.locator.name().to_string(),
                kind: items.kind,
                form: PageForm::Arm {
                    next_link,
                    subscriptions: items.subscriptions,
                },
            });
        } else if let (Some(data), true) = (
            find_key(&keys, &["data"]),
            find_key(
                &keys,
                &[
                    "count",
                    "total_records",
                    "totalRecords",
                    "skip_token",
                    "$skipToken",
                ],
            )
            .is_some(),
        ) {
            if !data.get().starts_with('[') {
                let d = Diagnostic::error(
                    "unrecognised-shape",
                    format!(
                        "a Resource Graph result whose data is {}: expected an array of rows (run az graph query \
                         with the default object output, not a table)",
                        json_kind(data)
                    ),
                )
                .at(file.locator.origin(data.get(), join_key(&path, "data")));
                return self.diags.push(d);
            }
            let items = self.azure_items(file, data, join_key(&path, "data"));
            let total = find_key(&keys, &["total_records", "totalRecords"])
                .and_then(|v| serde_json::from_str::<u64>(v.get()).ok());
            let truncated = find_key(&keys, &["resultTruncated"])
                .is_some_and(|v| matches!(v.get(), "true" | "\"true\"" | "\"True\""));
            self.pages.push(Page {
                file: file.locator.name().to_string(),
                kind: items.kind,
                form: PageForm::Graph {
                    total,
                    skip_token: find_key(&keys, &["skip_token", "$skipToken"]).is_some_and(is_set),
                    truncated,
                    rows: items.rows,
                },
            });
        } else if let Some(error) = find_key(&keys, &["error"]) {
            let d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "an Azure error response, not an export: {}",
                    crate::text::terminal_safe(&error.get().chars().take(300).collect::<String>())
                ),
            )
            .at(file.locator.origin(raw.get(), path));
            self.diags.push(d);
        } else if find_key(&keys, &["type"]).is_some() || find_key(&keys, &["id"]).is_some() {
            self.azure_item(file, raw, path);
        } else {
            let names: Vec<&str> = keys.keys().map(String::as_str).collect();
            let d = Diagnostic::error(
                "unrecognised-shape",
                format!(
                    "a value of no recognised shape (keys: {}): expected a native document (with subscriptions, \
                     controls, recommendations, resources or assessments), an assessment (resource, \
                     recommendation, status), or an Azure export (an object with a type, an ARM page with \
                     value, a Resource Graph result with data)",
                    if names.is_empty() { "none".to_string() } else { names.join(", ") }
                ),
            )
            .at(file.locator.origin(raw.get(), path));
            self.diags.push(d);
        }
    }

    /// Reads the items of an ARM page or Resource Graph result.
    fn azure_items<'a>(&mut self, file: &mut FileCtx<'a>, raw: &'a RawValue, path: String) -> PageItems {
        let mut page = PageItems::default();
        let result = for_each_element(raw, |i, el| {
            let at = format!("{path}[{i}]");
            if !el.get().starts_with('{') {
                let d = Diagnostic::error(
                    "unrecognised-shape",
                    format!(
                        "an item of an Azure listing is {}: expected an Azure object",
                        json_kind(el)
                    ),
                )
                .at(file.locator.origin(el.get(), at));
                return self.diags.push(d);
            }
            let Some(item) = self.azure_item(file, el, at) else {
                return;
            };
            page.kind.get_or_insert(item.kind);
            if let Some(sub) = item.subscription {
                if !page.subscriptions.contains(&sub) {
                    page.subscriptions.insert(sub);
                }
            }
            self.anonymous_rows += 1;
            page.rows
                .push(item.id_hash.unwrap_or(u64::MAX - self.anonymous_rows));
        });
        if let Err(e) = result {
            let d = file.locator.json_error(raw.get(), path, &e);
            self.diags.push(d);
        }
        page
    }

    /// Reads one Azure object into the model; says what it is when it has a known kind.
    fn azure_item<'a>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: String,
    ) -> Option<ItemInfo> {
        let fields = match self.parse::<Fields>(file, raw, &path) {
            Some(f) => f.flatten(),
            None => return None,
        };
        let kind = match azure::kind_of(&fields) {
            Ok(k) => k,
            Err(found) => {
                // One error per input and type: a page of a thousand virtual machines is
                // one mistake, not a thousand.
                let tally = self
                    .unread_types
                    .entry((file.input, found.as_deref().map(str::to_ascii_lowercase)))
                    .or_insert((0, found.clone()));
                tally.0 += 1;
                if tally.0 > 1 {
                    return None;
                }
                let what = match found {
                    Some(t) => format!("an Azure object of type {t:?}, which is not read"),
                    None => "an object with no type whose id names no Defender for Cloud object".to_string(),
                };
                let d = Diagnostic::error(
                    "unrecognised-shape",
                    format!(
                        "{what}: expected a type of Microsoft.Security/assessments, assessmentMetadata, \
                         secureScoreControlDefinitions, secureScores or secureScores/secureScoreControls"
                    ),
                )
                .at(file.locator.origin(raw.get(), path));
                self.diags.push(d);
                return None;
            }
        };
        let info = ItemInfo {
            kind,
            subscription: azure::subscription_key(&fields),
            id_hash: azure::id_hash(&fields),
        };
        let mut sink = AzureSink {
            builder: &mut self.builder,
            diags: self.diags,
            ignored_scores: &mut self.ignored_scores,
        };
        let locator = &mut file.locator;
        let mut at = || locator.origin(raw.get(), path.clone());
        if let Err(d) = sink.add(kind, fields, file.input, &mut at) {
            self.diags.push(d);
        }
        Some(info)
    }

    /// Streams the elements of one native section into `handle`.
    fn section<'a, T: Deserialize<'a> + HasExtra>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: String,
        handle: fn(&mut Self, &mut FileCtx<'a>, T, Origin),
    ) {
        if raw.get() == "null" {
            return;
        }
        if !raw.get().starts_with('[') {
            let d = Diagnostic::error(
                "wrong-type",
                format!("expected an array, found {}", json_kind(raw)),
            )
            .at(file.locator.origin(raw.get(), path));
            return self.diags.push(d);
        }
        let result = for_each_element(raw, |i, el| {
            if let Some((item, origin)) = self.element::<T>(file, el, format!("{path}[{i}]")) {
                handle(self, file, item, origin);
            }
        });
        if let Err(e) = result {
            let d = file.locator.json_error(raw.get(), path, &e);
            self.diags.push(d);
        }
    }

    /// Deserializes one element, recording any error with its path and position. Unknown
    /// keys are tallied for `validate`.
    fn element<'a, T: Deserialize<'a> + HasExtra>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: String,
    ) -> Option<(T, Origin)> {
        match self.parse::<T>(file, raw, &path) {
            Some(item) => {
                let origin = file.locator.origin(raw.get(), path);
                if self.options.report_unknown_keys {
                    for (key, at) in item.extra_keys() {
                        let mut full = origin.path.clone().unwrap_or_default();
                        if !at.is_empty() {
                            push_key(&mut full, &at);
                        }
                        self.tally_unknown(file, &origin, &full, key);
                    }
                }
                Some((item, origin))
            }
            None => None,
        }
    }

    /// Deserializes one value, recording any error with its JSON path and position. The
    /// path is tracked only on failure: tracking costs an allocation per key.
    fn parse<'a, T: Deserialize<'a>>(
        &mut self,
        file: &mut FileCtx<'a>,
        raw: &'a RawValue,
        path: &str,
    ) -> Option<T> {
        if let Ok(item) = serde_json::from_str::<T>(raw.get()) {
            return Some(item);
        }
        let mut de = serde_json::Deserializer::from_str(raw.get());
        let (full, error) = match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(item) => return Some(item),
            Err(e) => (join_path(path, e.path()), e.into_inner()),
        };
        let d = file.locator.json_error(raw.get(), full, &error);
        self.diags.push(d);
        None
    }

    fn unknown_key<'a>(&mut self, file: &mut FileCtx<'a>, value: &'a RawValue, path: &str, key: &str) {
        if self.options.report_unknown_keys {
            let origin = file.locator.origin(value.get(), path.to_string());
            self.tally_unknown(file, &origin, path, key);
        }
    }

    fn tally_unknown(&mut self, file: &FileCtx, origin: &Origin, path: &str, key: &str) {
        // Group repeated keys by path pattern (indexes dropped) so a stream of a million
        // rows with one extra key gives one warning.
        let pattern: String = {
            let mut out = String::new();
            let mut in_index = false;
            for c in path.chars() {
                match c {
                    '[' => {
                        in_index = true;
                        out.push_str("[]");
                    }
                    ']' => in_index = false,
                    _ if !in_index => out.push(c),
                    _ => {}
                }
            }
            if out.is_empty() {
                "the top level".to_string()
            } else {
                out
            }
        };
        let entry = self
            .unknown_keys
            .entry((file.locator.name().to_string(), pattern, key.to_string()))
            .or_insert_with(|| (0, origin.clone()));
        entry.0 += 1;
    }

    fn report(&mut self, result: Result<(), Diagnostic>) {
        if let Err(d) = result {
            self.diags.push(d);
        }
    }

    fn subscription(&mut self, _: &mut FileCtx, s: SubscriptionIn, at: Origin) {
        let r = self.builder.define_subscription(s.into(), at);
        self.report(r);
    }

    fn control(&mut self, _: &mut FileCtx, c: ControlIn, at: Origin) {
        let r = self.builder.define_control(c.into(), at);
        self.report(r);
    }

    fn recommendation(&mut self, _: &mut FileCtx, r: RecommendationIn, at: Origin) {
        let r = self.builder.define_recommendation(r.into(), at);
        self.report(r);
    }

    fn resource(&mut self, _: &mut FileCtx, r: ResourceIn, at: Origin) {
        let r = self.builder.define_resource(r.into(), at);
        self.report(r);
    }

    fn assessment(&mut self, file: &mut FileCtx, a: AssessmentIn, _: Origin) {
        let exemption = a.exemption.map(Exemption::from);
        self.builder.add_assessment(
            &a.resource.0,
            &a.recommendation.0,
            a.status,
            exemption,
            file.input,
        );
    }
}

/// Shapes that keep the keys they do not know, so `validate` can list them.
trait HasExtra {
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
