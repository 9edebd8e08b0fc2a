//! The built-in catalog of Defender for Cloud controls, shipped inside the binary
//! (a 2021 snapshot of membership, with current names and max scores), and
//! [`ControlDef`], the shape in which both the catalog and the inputs define a control.
//!
//! The catalog reads its embedded JSON with its own serde shapes: it is trusted data in
//! the native inventory's shape, so it needs none of the loader's value checks or error
//! positions, and the catalog stays below the loaders.

use crate::model::{Recommendation, Severity};
use anyhow::Context;
use serde::Deserialize;
use std::collections::HashMap;

/// The catalog's JSON, in the native inventory shape.
pub const CATALOG_JSON: &str = include_str!("../data/azure-controls.json");

/// A control as a definition gives it (the catalog's, or an input's), members named by
/// recommendation id; the loader resolves the ids when it finishes the model.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlDef {
    pub id: String,
    pub name: Option<String>,
    pub description: Option<String>,
    pub max_score: f64,
    pub recommendations: Vec<String>,
}

/// The built-in controls and what is known of their recommendations.
#[derive(Debug)]
pub struct Catalog {
    /// Controls in the catalog's order.
    pub controls: Vec<ControlDef>,
    recommendations: HashMap<String, Recommendation>,
}

/// The parts of the catalog's JSON that are read.
#[derive(Deserialize)]
struct CatalogFile {
    controls: Vec<CatalogControl>,
    recommendations: Vec<CatalogRecommendation>,
}

/// `controls[]` of the catalog.
#[derive(Deserialize)]
struct CatalogControl {
    id: String,
    name: Option<String>,
    description: Option<String>,
    max_score: f64,
    recommendations: Vec<String>,
}

/// `recommendations[]` of the catalog.
#[derive(Deserialize)]
struct CatalogRecommendation {
    id: String,
    name: Option<String>,
    severity: Option<String>,
}

impl From<CatalogControl> for ControlDef {
    fn from(c: CatalogControl) -> ControlDef {
        ControlDef {
            id: c.id,
            name: c.name,
            description: c.description,
            max_score: c.max_score,
            recommendations: c.recommendations,
        }
    }
}

impl CatalogRecommendation {
    fn into_recommendation(self) -> anyhow::Result<Recommendation> {
        let severity = match &self.severity {
            None => None,
            Some(s) => Some(Severity::parse(s).with_context(|| {
                format!(
                    "the built-in control catalog gives recommendation {:?} an unknown severity {s:?}",
                    self.id
                )
            })?),
        };
        Ok(Recommendation {
            id: self.id,
            name: self.name,
            severity,
            ..Recommendation::default()
        })
    }
}

impl Catalog {
    /// Parses the embedded catalog.
    pub fn builtin() -> anyhow::Result<Catalog> {
        let file: CatalogFile =
            serde_json::from_str(CATALOG_JSON).context("the built-in control catalog does not parse")?;
        let recommendations = file
            .recommendations
            .into_iter()
            .map(|r| r.into_recommendation().map(|rec| (rec.id.clone(), rec)))
            .collect::<anyhow::Result<_>>()?;
        Ok(Catalog {
            controls: file.controls.into_iter().map(ControlDef::from).collect(),
            recommendations,
        })
    }

    /// An empty catalog (for tests that define their own controls).
    pub fn empty() -> Catalog {
        Catalog {
            controls: Vec::new(),
            recommendations: HashMap::new(),
        }
    }

    /// What the catalog knows of a recommendation.
    pub fn recommendation(&self, id: &str) -> Option<&Recommendation> {
        self.recommendations.get(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_catalog_has_the_documented_totals() {
        let c = Catalog::builtin().unwrap();
        assert_eq!(c.controls.len(), 15);
        let total: f64 = c.controls.iter().map(|c| c.max_score).sum();
        assert_eq!(total, 58.0);
        let mfa = c
            .controls
            .iter()
            .find(|c| c.name.as_deref() == Some("Enable MFA"))
            .unwrap();
        assert_eq!(mfa.max_score, 10.0);
        assert_eq!(c.recommendations.len(), 556);
    }
}
