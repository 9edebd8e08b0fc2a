//! `assess --model all` (SPEC §7): one selection scored under every scoring model, so
//! that a team sees at once where the models agree and where they rank differently. The
//! document holds one whole report per model; the views (each model's top rows, what
//! their tops share) are read from them.

use crate::report::Report;
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::Serialize;

/// The side-by-side document's schema identifier.
pub const SCHEMA: &str = "securescore.models/v1";

/// How many rows of each model the view shows without `--top`.
pub const DEFAULT_TOP: usize = 5;

/// Every model's report of one selection, classic first.
#[derive(Clone, Debug, Serialize, JsonSchema, PartialEq)]
pub struct SideBySide {
    #[schemars(schema_with = "schema_id")]
    pub schema: &'static str,
    /// One report per model (`classic`, `v1`, `pass-rate`), each as `assess -f json`
    /// writes it under that model.
    pub reports: Vec<Report>,
}

/// The side-by-side document's `schema`: [`SCHEMA`].
fn schema_id(_: &mut SchemaGenerator) -> Schema {
    crate::json_schema::constant(SCHEMA)
}

/// One of a model's top rows: a control (classic) or a recommendation.
#[derive(Clone, Debug, PartialEq)]
pub struct TopRow {
    pub rank: usize,
    pub id: String,
    pub name: Option<String>,
    /// Percentage points of the model's score it would add.
    pub gain: f64,
    /// The recommendations it stands for: a control's assessed members, else itself.
    pub recommendations: Vec<String>,
}

impl SideBySide {
    /// The document of `reports`, one per model.
    pub fn new(reports: Vec<Report>) -> SideBySide {
        SideBySide {
            schema: SCHEMA,
            reports,
        }
    }

    /// The report of the model named `name`, when it is one of them.
    pub fn report(&self, name: &str) -> Option<&Report> {
        self.reports.iter().find(|r| r.model.as_str() == name)
    }
}

/// The first `n` ranked rows of `report`, in rank order.
pub fn top_rows(report: &Report, n: usize) -> Vec<TopRow> {
    let controls = report.control_rows().iter().filter_map(|c| {
        Some(TopRow {
            rank: c.rank?,
            id: c.id.clone(),
            name: c.name.clone(),
            gain: c.potential_increase_percentage,
            recommendations: c.recommendations.iter().map(|r| r.id.clone()).collect(),
        })
    });
    let recommendations = report.recommendation_rows().iter().filter_map(|r| {
        Some(TopRow {
            rank: r.rank?,
            id: r.id.clone(),
            name: r.name.clone(),
            gain: r.potential_increase_percentage,
            recommendations: vec![r.id.clone()],
        })
    });
    let mut rows: Vec<TopRow> = controls.chain(recommendations).collect();
    rows.sort_by_key(|r| r.rank);
    rows.truncate(n);
    rows
}

/// The recommendations two tops have in common, by id: those `a`'s rows stand for that
/// `b`'s rows stand for too.
pub fn shared(a: &[TopRow], b: &[TopRow]) -> Vec<String> {
    let in_b: std::collections::BTreeSet<&str> = b
        .iter()
        .flat_map(|r| r.recommendations.iter().map(String::as_str))
        .collect();
    let mut common: Vec<String> = a
        .iter()
        .flat_map(|r| r.recommendations.iter())
        .filter(|id| in_b.contains(id.as_str()))
        .cloned()
        .collect();
    common.sort();
    common.dedup();
    common
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(rank: usize, id: &str, recommendations: &[&str]) -> TopRow {
        TopRow {
            rank,
            id: id.to_string(),
            name: None,
            gain: 1.0,
            recommendations: recommendations.iter().map(|s| s.to_string()).collect(),
        }
    }

    #[test]
    fn shared_recommendations_are_those_both_tops_stand_for_once_each_by_id() {
        let classic = [row(1, "c1", &["b", "a"]), row(2, "c2", &["a", "z"])];
        let v1 = [row(1, "a", &["a"]), row(2, "q", &["q"]), row(3, "z", &["z"])];
        assert_eq!(shared(&v1, &classic), ["a", "z"]);
        assert_eq!(shared(&classic, &v1), ["a", "z"]);
        assert!(shared(&v1, &[]).is_empty());
    }
}
