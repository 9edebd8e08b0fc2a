#!/usr/bin/env python3
"""Runs counting queries (`securescore query`) in a real engine, for tests/engines.rs:

    harness.py --engine duckdb|spark MANIFEST.json

The manifest names the tables to load and the queries to run:

    {"tables":  [{"name": "assessments", "source": "native", "path": "native.jsonl"}, ...],
     "queries": [{"sql": "q1.sql", "out": "q1.jsonl"}, ...]}

Each table is loaded once from its JSON Lines file, as the README's table of `query`
options says to read it:

  * native assessments (SPEC §2): as Spark's ``spark.read.json`` reads them, each column
    typed by what it holds; in DuckDB with the columns ``resource``, ``recommendation``,
    ``status`` declared as text and ``exemption`` as a struct of text, because
    ``read_json_auto`` types a column of GUIDs (recommendation ids) as UUID, which keeps
    no letter case: an upper-case key would no longer match its definition;
  * Resource Graph's ``securityresources`` rows: with the columns ``id``, ``name``,
    ``type``, ``subscriptionId`` declared as text and ``properties`` as JSON (DuckDB) or
    its JSON text (Spark, which cannot hold in one struct the keys Resource Graph writes
    in two cases, ``Id`` and ``id``).

DuckDB: a table of an in-memory database, each query run with ``execute`` and its rows
written as JSON (integers as integers; a DECIMAL that is whole as an integer, as DuckDB's
own JSON writer does). Spark: one local session (the JVM starts once for every query),
each table a temporary view, each result written by Spark's own JSON writer with
``ignoreNullFields`` false (a ``"group": null`` must reach securescore).

Every query runs even when one fails; a failure is printed on standard error on one line
starting ``harness:``, with the query's file, and the exit code is then 1.
"""

import argparse
import decimal
import glob
import json
import os
import shutil
import sys

# The columns of `securityresources` rows a query reads, declared (text; `properties`
# JSON in DuckDB, its JSON text in Spark).
GRAPH_COLUMNS = ["id", "name", "type", "subscriptionId", "properties"]


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class DuckDB:
    def __init__(self):
        import duckdb

        self.con = duckdb.connect()

    def load(self, name, source, path):
        if source == "native":
            exemption = "STRUCT(category VARCHAR, expires VARCHAR, reason VARCHAR)"
            reader = (
                "read_json(?, columns = {'resource': 'VARCHAR', 'recommendation': 'VARCHAR', "
                f"'status': 'VARCHAR', 'exemption': '{exemption}'}})"
            )
        else:
            columns = ", ".join(f"'{c}': 'VARCHAR'" for c in GRAPH_COLUMNS if c != "properties")
            reader = f"read_json(?, columns = {{{columns}, 'properties': 'JSON'}})"
        self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM {reader}', [path])

    def run(self, sql, out):
        cursor = self.con.execute(sql)
        names = [d[0] for d in cursor.description]
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            for row in cursor.fetchall():
                f.write(json.dumps(dict(zip(names, map(plain, row))), separators=(",", ":")) + "\n")

    def stop(self):
        self.con.close()


def plain(value):
    """A value as JSON writes it: a whole DECIMAL (a sum of integers) as an integer."""
    if isinstance(value, decimal.Decimal):
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    return value


class Spark:
    def __init__(self):
        from pyspark.sql import SparkSession

        self.session = (
            SparkSession.builder.master("local[2]")
            .appName("securescore-engines")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            # A few hundred rows: one partition per shuffle, not the default 200.
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")

    def load(self, name, source, path):
        from pyspark.sql.types import StringType, StructField, StructType

        reader = self.session.read
        if source != "native":
            reader = reader.schema(StructType([StructField(c, StringType()) for c in GRAPH_COLUMNS]))
        reader.json(path).createOrReplaceTempView(name)

    def run(self, sql, out):
        folder = out + ".parts"
        frame = self.session.sql(sql)
        frame.coalesce(1).write.mode("overwrite").option("ignoreNullFields", "false").json(folder)
        with open(out, "wb") as f:
            for part in sorted(glob.glob(os.path.join(folder, "part-*"))):
                with open(part, "rb") as p:
                    f.write(p.read())
        shutil.rmtree(folder)

    def stop(self):
        self.session.stop()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--engine", choices=["duckdb", "spark"], required=True)
    p.add_argument("manifest")
    a = p.parse_args()
    manifest = json.loads(read_text(a.manifest))
    engine = DuckDB() if a.engine == "duckdb" else Spark()
    failed = 0
    try:
        for table in manifest["tables"]:
            engine.load(table["name"], table["source"], table["path"])
        for query in manifest["queries"]:
            try:
                engine.run(read_text(query["sql"]), query["out"])
            except Exception as e:  # every query runs; the test names the failing ones
                failed += 1
                # One line per failure: the engine's own log (Spark's) is noise beside it.
                message = " ".join(str(e).split())[:400]
                print(f"harness: {query['sql']} failed in {a.engine}: {type(e).__name__}: {message}", file=sys.stderr)
    finally:
        engine.stop()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
