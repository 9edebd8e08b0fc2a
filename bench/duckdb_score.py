#!/usr/bin/env python3
"""The classic secure score (SPEC §1) of one input, computed by DuckDB: the SQL peer in bench/run.sh.

    python bench/duckdb_score.py FILE [AS_OF]    # prints {"percentage": ...}

FILE is native JSON Lines (*.jsonl), read with read_ndjson, or an `az graph query` result of
assessment rows (anything else), read with read_json and its `data` array unnested. This
script only says where the rows and the catalog come from (DuckDB reads both files itself,
on every core); the scoring is bench/score.sql. Needs the `duckdb` Python package
(bench/run.sh installs it into a virtual environment).
"""
import json
import os
import sys

import duckdb

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "..", "data", "azure-controls.json")


def literal(text):
    return "'" + text.replace("'", "''") + "'"


# The control catalog securescore embeds: one row a control member.
MEMBERS = f"""
CREATE TABLE members AS
SELECT c.id AS control, c.max_score, unnest(c.recommendations) AS recommendation
FROM (SELECT unnest(controls) AS c
      FROM read_json({literal(CATALOG)}, maximum_object_size = 100000000,
                     columns = {{controls: 'STRUCT(id VARCHAR, max_score DOUBLE, recommendations VARCHAR[])[]'}}))
"""

# Native JSON Lines: one assessment a line (SPEC §2); only the fields that score are read.
NATIVE = """
CREATE VIEW assessments AS
SELECT resource, recommendation,
       replace(lower(status), '_', '') AS status,
       exemption.category AS exemption_category,
       exemption.expires AS exemption_expires
FROM read_ndjson({path}, columns = {{resource: 'VARCHAR', recommendation: 'VARCHAR', status: 'VARCHAR',
                                     exemption: 'STRUCT(category VARCHAR, expires VARCHAR)'}})
"""

# An `az graph query` result: {"count", "data": [rows], ...} in one JSON document (SPEC §3).
# status.cause Exempt is an active waiver; preview and custom (not built-in) recommendations
# do not score.
RESOURCE_GRAPH = """
CREATE VIEW assessments AS
SELECT r.properties.resourceDetails.Id AS resource,
       r.name AS recommendation,
       replace(lower(r.properties.status.code), '_', '') AS status,
       CASE WHEN r.properties.status.cause = 'Exempt' THEN 'waiver' END AS exemption_category,
       NULL AS exemption_expires
FROM (SELECT unnest(data) AS r
      FROM read_json({path}, maximum_object_size = 4000000000,
                     columns = {{data: 'STRUCT(type VARCHAR, name VARCHAR, properties STRUCT(
                         resourceDetails STRUCT(Id VARCHAR),
                         status STRUCT(code VARCHAR, cause VARCHAR),
                         metadata STRUCT(assessmentType VARCHAR, preview BOOLEAN)))[]'}}))
WHERE lower(r.type) = 'microsoft.security/assessments'
  AND NOT coalesce(r.properties.metadata.preview, false)
  AND contains(lower(coalesce(r.properties.metadata.assessmentType, 'BuiltIn')), 'builtin')
"""


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: duckdb_score.py FILE [AS_OF]")
    path, as_of = sys.argv[1], sys.argv[2] if len(sys.argv) == 3 else "2026-11-22"
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    con.execute(f"SET VARIABLE as_of = DATE {literal(as_of)}")
    con.execute(MEMBERS)
    shape = NATIVE if path.endswith(".jsonl") else RESOURCE_GRAPH
    con.execute(shape.format(path=literal(path)))
    with open(os.path.join(HERE, "score.sql"), encoding="utf-8") as f:
        (percentage,) = con.execute(f.read()).fetchone()
    print(json.dumps({"percentage": percentage}))


if __name__ == "__main__":
    main()
