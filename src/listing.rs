//! The control catalog listing of `securescore controls`: the built-in controls, most
//! points first, with their members. Rendered by `render` like any other document.

use crate::catalog::Catalog;
use serde::Serialize;

/// The built-in catalog as listed.
#[derive(Debug, Serialize)]
pub struct CatalogListing<'a> {
    /// The JSON schema identifier, `securescore.controls/v1`.
    pub schema: &'static str,
    /// The sum of every control's max score.
    pub total_max_score: f64,
    /// The controls, most points first, then by name.
    pub controls: Vec<ListedControl<'a>>,
}

/// One control of the listing.
#[derive(Debug, Serialize)]
pub struct ListedControl<'a> {
    /// The control's id.
    pub id: &'a str,
    /// Its display name, when the catalog has one.
    pub name: Option<&'a str>,
    /// Its max score.
    pub max_score: f64,
    /// How many recommendations belong to it.
    pub members: usize,
    /// The ids of those recommendations.
    pub recommendations: &'a [String],
}

/// The listing of `catalog`'s controls.
pub fn listing(catalog: &Catalog) -> CatalogListing<'_> {
    let mut controls: Vec<ListedControl> = catalog
        .controls
        .iter()
        .map(|c| ListedControl {
            id: &c.id,
            name: c.name.as_deref(),
            max_score: c.max_score,
            members: c.recommendations.len(),
            recommendations: &c.recommendations,
        })
        .collect();
    controls.sort_by(|a, b| {
        b.max_score
            .total_cmp(&a.max_score)
            .then_with(|| a.name.cmp(&b.name))
    });
    CatalogListing {
        schema: "securescore.controls/v1",
        total_max_score: controls.iter().map(|c| c.max_score).sum(),
        controls,
    }
}
