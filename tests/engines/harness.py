#!/usr/bin/env python3
"""Runs counting queries (`securescore query`) in a real engine, for tests/engines.rs:

    harness.py --engine duckdb|spark MANIFEST.json

The manifest names the tables to load and the queries to run:

    {"tables":  [{"name": "assessments", "source": "native", "path": "native.jsonl"}, ...],
     "queries": [{"sql": "q1.sql", "out": "q1.jsonl"}, ...]}

Each table is loaded once from its JSON Lines file, as a user's table would hold it:

  * in DuckDB, what ``read_ndjson`` makes of the file, as ``CREATE TABLE t AS SELECT *
    FROM read_ndjson('file')`` does: columns typed by what they hold (a column of GUIDs
    is a UUID, ``exemption`` a struct, ``expires`` text when dates and times mix),
    Resource Graph's ``properties`` a struct of the keys the rows hold;
  * in Spark, the schema declared, as a data lake table declares it: native assessments
    (SPEC §2) as the strings ``resource``, ``recommendation``, ``status`` and the struct
    ``exemption`` of the strings ``category``, ``expires``, ``reason``; Resource Graph's
    ``securityresources`` rows as the strings ``id``, ``name``, ``type``,
    ``subscriptionId`` and ``properties`` (the object's JSON text: Spark cannot infer one
    struct from keys that differ only in case, as Resource Graph's ``Id`` and ``id``
    do).

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

NATIVE_COLUMNS = [
    ("resource", "string"),
    ("recommendation", "string"),
    ("status", "string"),
    ("exemption", [("category", "string"), ("expires", "string"), ("reason", "string")]),
]

# Spark's schema of `securityresources` rows: `properties` as its JSON text (Spark cannot
# infer one struct from keys that differ only in case, as `Id` and `id` of Resource
# Graph's `resourceDetails` do).
GRAPH_COLUMNS = [
    ("id", "string"),
    ("name", "string"),
    ("type", "string"),
    ("subscriptionId", "string"),
    ("properties", "string"),
]


def read_text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class DuckDB:
    def __init__(self):
        import duckdb

        self.con = duckdb.connect()

    def load(self, name, source, path):
        self.con.execute(f'CREATE TABLE "{name}" AS SELECT * FROM read_ndjson(?)', [path])

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

    @staticmethod
    def _type(t):
        from pyspark.sql.types import StringType, StructField, StructType

        if t == "string":
            return StringType()
        return StructType([StructField(name, Spark._type(sub)) for name, sub in t])

    def load(self, name, source, path):
        columns = NATIVE_COLUMNS if source == "native" else GRAPH_COLUMNS
        self.session.read.schema(self._type(columns)).json(path).createOrReplaceTempView(name)

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
