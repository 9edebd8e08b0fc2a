//! The SQL queries (DuckDB and Spark SQL) that count what a [`QueryRequest`] asks for.

use super::QueryRequest;
use std::io::Write;

/// Writes the SQL query for `request`.
pub fn write(request: &QueryRequest, _out: &mut dyn Write) -> anyhow::Result<()> {
    anyhow::bail!("--engine {}: not yet written", request.engine.as_str())
}
