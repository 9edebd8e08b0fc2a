//! The built-in catalog of Defender for Cloud controls, shipped inside the binary
//! (a 2021 snapshot of membership, with current names and max scores).

use crate::load::native::{ControlIn, RecommendationIn};
use crate::model::{ControlDef, Recommendation};
use anyhow::Context;
use serde::Deserialize;
use std::collections::HashMap;

/// The catalog's JSON, in the native inventory shape.
pub const CATALOG_JSON: &str = include_str!("../data/azure-controls.json");

/// The built-in controls and what is known of their recommendations.
#[derive(Debug)]
pub struct Catalog {
    /// Controls in the catalog's order.
    pub controls: Vec<ControlDef>,
    recommendations: HashMap<String, Recommendation>,
}

#[derive(Deserialize)]
struct CatalogFile {
    controls: Vec<ControlIn>,
    recommendations: Vec<RecommendationIn>,
}

impl Catalog {
    /// Parses the embedded catalog.
    pub fn builtin() -> anyhow::Result<Catalog> {
        let file: CatalogFile =
            serde_json::from_str(CATALOG_JSON).context("the built-in control catalog does not parse")?;
        Ok(Catalog {
            controls: file.controls.into_iter().map(ControlDef::from).collect(),
            recommendations: file
                .recommendations
                .into_iter()
                .map(|r| (r.id.clone(), Recommendation::from(r)))
                .collect(),
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
