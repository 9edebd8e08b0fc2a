//! The human-readable control catalog: one row per control, then the totals.

use super::{align_right, new_table, write_table};
use crate::listing::CatalogListing;
use crate::render::Style;
use crate::text::{fmt2, terminal_safe};
use std::io::{self, Write};

/// Writes the catalog listing as text.
pub fn write(listing: &CatalogListing, style: Style, out: &mut dyn Write) -> io::Result<()> {
    let mut t = new_table(style, &["Control", "Max", "Members", "Id"]);
    for c in &listing.controls {
        t.add_row(vec![
            terminal_safe(c.name.unwrap_or(c.id)).into_owned(),
            fmt2(c.max_score),
            c.members.to_string(),
            c.id.to_string(),
        ]);
    }
    align_right(&mut t, &[1, 2]);
    write_table(out, &t)?;
    writeln!(
        out,
        "{} built-in controls, {} points in all (membership: a 2021 snapshot of Defender for Cloud)",
        listing.controls.len(),
        fmt2(listing.total_max_score)
    )
}
