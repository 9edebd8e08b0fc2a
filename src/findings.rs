//! Findings (SPEC §8, SARIF): every unhealthy (resource, recommendation) pair of the
//! selection after exemptions, each exempt one with its exemption, and the
//! recommendations they belong to, in an order that depends on no input's order. Pure: a
//! model, options and a selection in, [`Findings`] out. Only the formats that list
//! findings one by one ask for them ([`crate::render::Format::shows_findings`]).

use crate::ids::resource_key;
use crate::model::{Exemption, Model, Severity, Status};
use crate::score::{kernel, ScoreOptions};
use crate::select::Selection;

/// The findings of one evaluation.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Findings {
    /// Every recommendation met (assessed in the selection and not a preview one, unless
    /// previews are scored), by id.
    pub recommendations: Vec<FindingRule>,
    /// Every unhealthy or exempt pair, by recommendation id, then resource identity.
    pub results: Vec<Finding>,
}

/// A recommendation met, as the findings name it.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingRule {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub remediation: Option<String>,
    pub severity: Option<Severity>,
    /// The display names of the controls that hold it, sorted, without repeats.
    pub controls: Vec<String>,
}

/// One unhealthy (resource, recommendation) pair, or one an exemption hides.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Index into [`Findings::recommendations`].
    pub rule: usize,
    /// The resource's id as first spelled.
    pub resource: String,
    /// The resource's identity: its id case-folded where ids compare so
    /// ([`resource_key`]), which does not change from run to run.
    pub resource_key: String,
    /// The resource's display name, when a definition gives one.
    pub resource_name: Option<String>,
    /// The exemption in effect that keeps it from counting as unhealthy, if any.
    pub exemption: Option<FindingExemption>,
}

/// An exemption in effect on a finding.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingExemption {
    pub category: &'static str,
    /// Its last day, `None` when it never expires.
    pub expires: Option<String>,
    pub reason: Option<String>,
}

impl FindingExemption {
    fn of(e: &Exemption) -> FindingExemption {
        FindingExemption {
            category: e.category.as_str(),
            expires: e.expires.map(|d| d.to_string()),
            reason: e.reason.clone(),
        }
    }
}

/// The findings of the selected resources under `options`: an assessment whose
/// effective status is unhealthy is one, and so is one whose active exemption turned an
/// unhealthy status (or one the export hides) into another. Preview recommendations
/// count only under `--include-preview`; custom ones and those no control holds are
/// findings too (they do not score, but they are unhealthy all the same).
pub fn findings(model: &Model, options: &ScoreOptions, selection: Option<&Selection>) -> Findings {
    // Per recommendation index: its position among the rules, once met.
    let mut met: Vec<Option<usize>> = vec![None; model.recommendations.len()];
    let mut rules: Vec<usize> = Vec::new();
    let mut pairs: Vec<(usize, usize, Option<FindingExemption>)> = Vec::new();
    for a in model.assessments.iter() {
        let (r, m) = (a.resource as usize, a.recommendation as usize);
        if selection.is_some_and(|s| !s.resource(r)) {
            continue;
        }
        let Some(rec) = model.recommendations.get(m) else {
            continue;
        };
        if rec.preview && !options.include_preview {
            continue;
        }
        if met[m].is_none() {
            met[m] = Some(rules.len());
            rules.push(m);
        }
        let exempted = model
            .exemption(a)
            .filter(|e| !options.ignore_exemptions && e.is_active(options.as_of))
            .filter(|e| a.status() == Status::Unhealthy || e.hides_status);
        if kernel::effective_status(model, a, options) == Status::Unhealthy {
            pairs.push((m, r, None));
        } else if let Some(e) = exempted {
            pairs.push((m, r, Some(FindingExemption::of(e))));
        }
    }
    rules.sort_by(|&x, &y| model.recommendations[x].id.cmp(&model.recommendations[y].id));
    for (i, &m) in rules.iter().enumerate() {
        met[m] = Some(i);
    }
    let mut results: Vec<Finding> = pairs
        .into_iter()
        .map(|(m, r, exemption)| {
            let resource = model.resources.get(r);
            let id = resource.map_or("", |x| x.id);
            Finding {
                rule: met[m].unwrap_or(0),
                resource: id.to_string(),
                resource_key: resource_key(id),
                resource_name: resource.and_then(|x| x.name()).map(str::to_string),
                exemption,
            }
        })
        .collect();
    results
        .sort_by(|a, b| (a.rule, &a.resource_key, &a.resource).cmp(&(b.rule, &b.resource_key, &b.resource)));
    Findings {
        recommendations: rules.into_iter().map(|m| rule_of(model, m)).collect(),
        results,
    }
}

/// What the findings say of recommendation `m`.
fn rule_of(model: &Model, m: usize) -> FindingRule {
    let rec = &model.recommendations[m];
    let mut controls: Vec<String> = model
        .controls_of(m)
        .iter()
        .filter_map(|&c| model.controls.get(c as usize))
        .map(|c| c.display_name().to_string())
        .collect();
    controls.sort();
    controls.dedup();
    FindingRule {
        id: rec.id.clone(),
        name: rec.name.clone(),
        description: rec.description.clone(),
        remediation: rec.remediation.clone(),
        severity: rec.severity,
        controls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::date::Date;
    use crate::score::{ScoringModel, Weighting};
    use serde_json::{json, Value};

    fn model_of(doc: &Value) -> Model {
        crate::load::model_of_text(&doc.to_string(), &Catalog::empty())
    }

    fn options(ignore_exemptions: bool, include_preview: bool) -> ScoreOptions {
        ScoreOptions {
            model: ScoringModel::Classic,
            as_of: Date::parse("2026-11-22").unwrap(),
            include_preview,
            ignore_exemptions,
            weighting: Weighting::Resources,
            allow_exported_weights: true,
        }
    }

    /// Every kind of assessment once: unhealthy, healthy, waived, mitigated, waived but
    /// expired, waived while healthy, unhealthy on a preview recommendation and on one no
    /// control holds.
    fn inventory() -> Model {
        let a = |resource: &str, rec: &str, status: &str| json!({"resource": resource, "recommendation": rec, "status": status});
        let exempt = |resource: &str, category: &str, expires: &str| {
            json!({"resource": resource, "recommendation": "r1", "status": "unhealthy",
                   "exemption": {"category": category, "expires": expires, "reason": "why"}})
        };
        model_of(&json!({
            "controls": [{"id": "c", "name": "Control", "max_score": 4, "recommendations": ["r1", "r2", "rp"]}],
            "recommendations": [
                {"id": "r1", "name": "One", "severity": "high", "remediation": "fix it"},
                {"id": "r2", "severity": "low"},
                {"id": "rp", "preview": true},
                {"id": "rc", "name": "In no control"}
            ],
            "assessments": [
                a("B", "r1", "unhealthy"), a("A", "r1", "unhealthy"), a("C", "r1", "healthy"),
                exempt("W", "waiver", "2026-12-31"), exempt("M", "mitigated", "2026-12-31"),
                exempt("E", "waiver", "2026-01-31"),
                {"resource": "H", "recommendation": "r2", "status": "healthy",
                 "exemption": {"category": "waiver"}},
                a("A", "rp", "unhealthy"), a("A", "rc", "unhealthy")
            ]
        }))
    }

    fn summary(f: &Findings) -> Vec<(String, String, Option<&'static str>)> {
        f.results
            .iter()
            .map(|x| {
                (
                    f.recommendations[x.rule].id.clone(),
                    x.resource.clone(),
                    x.exemption.as_ref().map(|e| e.category),
                )
            })
            .collect()
    }

    fn row(
        rec: &str,
        resource: &str,
        exemption: Option<&'static str>,
    ) -> (String, String, Option<&'static str>) {
        (rec.to_string(), resource.to_string(), exemption)
    }

    #[test]
    fn unhealthy_and_exempt_pairs_by_recommendation_then_resource() {
        let model = inventory();
        let f = findings(&model, &options(false, false), None);
        let ids: Vec<&str> = f.recommendations.iter().map(|r| r.id.as_str()).collect();
        // The preview recommendation is left out; the one in no control does not score,
        // but its unhealthy pair is a finding all the same.
        assert_eq!(ids, ["r1", "r2", "rc"]);
        assert_eq!(f.recommendations[0].controls, ["Control"]);
        assert_eq!(f.recommendations[0].remediation.as_deref(), Some("fix it"));
        assert!(f.recommendations[2].controls.is_empty());
        // E's waiver ended on 2026-01-31, so E is plainly unhealthy; H's waiver hides
        // nothing (H is healthy); C is healthy.
        assert_eq!(
            summary(&f),
            [
                row("r1", "A", None),
                row("r1", "B", None),
                row("r1", "E", None),
                row("r1", "M", Some("mitigated")),
                row("r1", "W", Some("waiver")),
                row("rc", "A", None),
            ]
        );
        let waived = &f.results[4].exemption;
        assert_eq!(
            waived.as_ref().and_then(|e| e.expires.as_deref()),
            Some("2026-12-31")
        );
        assert_eq!(waived.as_ref().and_then(|e| e.reason.as_deref()), Some("why"));
    }

    #[test]
    fn ignored_exemptions_suppress_nothing_and_previews_count_when_asked() {
        let model = inventory();
        let f = findings(&model, &options(true, true), None);
        assert_eq!(
            summary(&f),
            [
                row("r1", "A", None),
                row("r1", "B", None),
                row("r1", "E", None),
                row("r1", "M", None),
                row("r1", "W", None),
                row("rc", "A", None),
                row("rp", "A", None),
            ]
        );
    }
}
