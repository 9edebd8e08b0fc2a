//! JSON output: any serialisable result, pretty-printed, with a final newline.

use serde::Serialize;
use std::io::{self, Write};

/// Writes `value` as pretty-printed JSON followed by a newline.
pub fn write<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}
