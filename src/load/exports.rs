//! Azure's exported objects (secure score control objects and secure scores) on their way
//! into the model: collected as read ([`ExportedObjects`]), settled once the controls are
//! known ([`ExportedObjects::settle`]: which scopes they name, and whether management-group
//! objects are aggregates or scopes), then attached to the model's scopes with identical
//! repeats merged ([`Exports::attach`]); a control exported with different maxima in
//! different scopes is said once ([`warn_max_differs`]).

use crate::diag::{Diagnostic, Diagnostics, Origin};
use crate::model::{
    Assessment, Control, Counts, ExportScope, Exported, ExportedControl, ExportedScore, Figures, Scope,
};
use std::collections::BTreeMap;

/// Exported objects as read, their controls still named by id.
#[derive(Default)]
pub(crate) struct ExportedObjects {
    controls: Vec<(ExportScope, String, Counts, Figures, Origin)>,
    scores: Vec<(ExportScope, Option<u64>, Figures, Origin)>,
}

impl ExportedObjects {
    /// Adds an exported secure score control object of one scope.
    pub(crate) fn add_control(
        &mut self,
        scope: ExportScope,
        control: &str,
        counts: Counts,
        figures: Figures,
        at: Origin,
    ) {
        self.controls
            .push((scope, control.to_string(), counts, figures, at));
    }

    /// Adds an exported secure score (`ascScore`) of one scope.
    pub(crate) fn add_score(
        &mut self,
        scope: ExportScope,
        weight: Option<u64>,
        figures: Figures,
        at: Origin,
    ) {
        self.scores.push((scope, weight, figures, at));
    }

    /// Settles the objects once the controls are known: decides whether management-group
    /// objects are aggregates or (when they are the only data) scopes of their own, and
    /// resolves each control object's control, dropping those of custom controls
    /// (`custom`), which do not score.
    pub(super) fn settle(
        self,
        controls: &[Control],
        custom: &BTreeMap<String, Origin>,
        has_assessments: bool,
        diags: &mut Diagnostics,
    ) -> Exports {
        let is_sub = |s: &ExportScope| !matches!(s, ExportScope::ManagementGroup(_));
        let has_subscription_data = has_assessments
            || self.controls.iter().any(|e| is_sub(&e.0))
            || self.scores.iter().any(|e| is_sub(&e.0));
        let groups: BTreeMap<String, ExportScope> = self
            .controls
            .iter()
            .map(|e| &e.0)
            .chain(self.scores.iter().map(|e| &e.0))
            .filter(|s| !is_sub(s))
            .map(|s| (s.key(), s.clone()))
            .collect();
        // Management groups are scored as scopes only from their control objects.
        let groups_as_scopes = !has_subscription_data
            && self
                .controls
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
            .controls
            .iter()
            .map(|e| &e.0)
            .chain(self.scores.iter().map(|e| &e.0))
            .filter(|s| is_sub(s) || groups_as_scopes)
            .cloned()
            .collect();
        scopes.sort();
        scopes.dedup();
        let controls_out = self
            .controls
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
            scores: self.scores,
        }
    }
}

/// Exported objects settled, on their way into the model.
pub(super) struct Exports {
    /// Exported scopes that are scopes (subscriptions; management groups when they are
    /// the only data).
    pub(super) scopes: Vec<ExportScope>,
    /// Management groups whose objects are aggregates.
    pub(super) aggregates: Vec<ExportScope>,
    controls: Vec<(ExportScope, u32, Counts, Figures, Origin)>,
    scores: Vec<(ExportScope, Option<u64>, Figures, Origin)>,
}

impl Exports {
    /// Resolves every object's scope to an index, sorts, and merges identical repeats;
    /// different figures for one scope (and control) are an error.
    pub(super) fn attach(&self, scopes: &[Scope], controls: &[Control], diags: &mut Diagnostics) -> Exported {
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
                scopes.get(i as usize).map(Scope::label)
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
                        "the secure score control {} of {} is exported twice with different figures ({} here, {} at {})",
                        controls.get(b.control as usize).map_or_else(
                            || "?".to_string(),
                            |c| crate::text::quoted_name_and_id(c.name.as_deref(), &c.id)
                        ),
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
    let show = |v: Option<f64>| v.map_or("none".to_string(), crate::text::echoed);
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
pub(super) fn mark_count_level(
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

/// Scopes a message lists for one value before it says how many more there are.
const LISTED_SCOPES: usize = 5;

/// One `max-differs` warning for each control whose exported objects give different
/// maxima in the scopes where the export says it applies (SPEC §3): Microsoft changes
/// a control's max over time, and a count-level scope scores with its own. Objects
/// where the control applies to nothing are left out: Azure exports those with max 0.
/// Returns the ids of the controls it warned of.
pub(super) fn warn_max_differs(
    exported: &Exported,
    scopes: &[Scope],
    controls: &[Control],
    diags: &mut Diagnostics,
) -> Vec<String> {
    let mut warned = Vec::new();
    let mut maxima: BTreeMap<u32, Vec<(f64, u32)>> = BTreeMap::new();
    for e in &exported.controls {
        if let (Some(max), true) = (e.figures.max, e.counts.applicable() > 0) {
            maxima.entry(e.control).or_default().push((max, e.scope));
        }
    }
    for (c, mut found) in maxima {
        found.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if found.first().map(|f| f.0) == found.last().map(|f| f.0) {
            continue;
        }
        let Some(control) = controls.get(c as usize) else {
            continue;
        };
        let values: Vec<String> = found
            .chunk_by(|a, b| a.0 == b.0)
            .map(|same| {
                let mut names: Vec<String> = same
                    .iter()
                    .take(LISTED_SCOPES)
                    .map(|&(_, s)| scopes.get(s as usize).map_or_else(String::new, Scope::label))
                    .collect();
                if same.len() > LISTED_SCOPES {
                    names.push(format!("{} more", same.len() - LISTED_SCOPES));
                }
                format!("{} in {}", same[0].0, names.join(", "))
            })
            .collect();
        // Which max a scope scored from assessments takes is said only when there is one.
        let from_assessments = if scopes.iter().any(|s| !s.count_level) {
            format!(
                ", a scope scored from assessments the control definition's ({})",
                control.max_score
            )
        } else {
            String::new()
        };
        diags.push(Diagnostic::warning(
            "max-differs",
            format!(
                "control {} is exported with different max scores where it applies: {}; a scope scored from \
                 exported counts uses its own{from_assessments}",
                crate::text::quoted_name_and_id(control.name.as_deref(), &control.id),
                values.join("; "),
            ),
        ));
        warned.push(control.id.clone());
    }
    warned
}
