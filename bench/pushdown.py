#!/usr/bin/env python3
"""What pushing the counting down to an engine saves (README "At scale"): bench/pushdown.sh runs it.

    python bench/pushdown.py --bin BIN --input FILE.jsonl --as-of DATE [--runs N] [--engines duckdb spark]

For one native JSON Lines export of assessments it measures, on the same machine and in the
same run:

  * the export: its rows and bytes;
  * for each engine, the counting query `securescore query --engine E --as-of DATE` prints,
    run by the engine over the export (DuckDB reads it with read_ndjson, the ids declared as text; Spark, in local mode
    with every core, with spark.read.json and the native assessment schema given, as a data
    lake table would declare it): the wall time from reading to the last counts row, and the
    rows and bytes it returns (JSON Lines, as `assess` reads them);
  * `securescore assess` on the whole export, and on the counts each engine returned.

It exits 1 when a report scored from an engine's counts differs from the one scored from
the assessments (score, every control), so the figures it prints are of a correct count.
Needs the `duckdb` and `pyspark` packages (and Java for Spark) in the Python that runs it.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


def query(bin_, engine, as_of):
    text = run([bin_, "query", "--engine", engine, "--as-of", as_of]).stdout.decode()
    # Both engines take one statement without its terminator.
    return text.strip().rstrip(";")


def count_rows(path):
    with open(path, "rb") as f:
        return sum(1 for _ in f)


def duckdb_count(export, sql, out):
    import duckdb

    con = duckdb.connect()
    t0 = time.perf_counter()
    # The ids as text (README "At scale"): detection would type GUIDs as UUID.
    con.execute(
        f"CREATE VIEW assessments AS SELECT * FROM read_ndjson('{export}', columns = {{"
        "'resource': 'VARCHAR', 'recommendation': 'VARCHAR', 'status': 'VARCHAR', "
        "'exemption': 'STRUCT(category VARCHAR, expires VARCHAR, reason VARCHAR)'})"
    )
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT JSON)")
    elapsed = time.perf_counter() - t0
    con.close()
    return elapsed


class Spark:
    """One local Spark session for every round (the JVM starts once, outside the timings)."""

    def __init__(self):
        from pyspark.sql import SparkSession

        self.session = (
            SparkSession.builder.master("local[*]")
            .appName("securescore-pushdown")
            .config("spark.driver.memory", os.environ.get("SPARK_DRIVER_MEMORY", "6g"))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate()
        )
        self.session.sparkContext.setLogLevel("ERROR")

    def count(self, export, sql, out):
        from pyspark.sql.types import StringType, StructField, StructType

        schema = StructType(
            [
                StructField("resource", StringType()),
                StructField("recommendation", StringType()),
                StructField("status", StringType()),
                StructField(
                    "exemption",
                    StructType(
                        [
                            StructField("category", StringType()),
                            StructField("expires", StringType()),
                            StructField("reason", StringType()),
                        ]
                    ),
                ),
            ]
        )
        t0 = time.perf_counter()
        self.session.read.schema(schema).json(export).createOrReplaceTempView("assessments")
        rows = self.session.sql(sql).collect()
        elapsed = time.perf_counter() - t0
        # Collected whole (a few rows), written with their nulls: `"group": null` matters.
        with open(out, "w") as f:
            for row in rows:
                f.write(json.dumps(row.asDict(), separators=(",", ":")) + "\n")
        return elapsed

    def stop(self):
        self.session.stop()


def assess(bin_, path, as_of):
    t0 = time.perf_counter()
    out = run([bin_, "assess", path, "--as-of", as_of, "-f", "json"]).stdout
    return time.perf_counter() - t0, json.loads(out)


def scored(report):
    """What a report scored from counts must share with one scored from assessments."""
    rows = report.get("controls") or report.get("recommendations") or []
    return report["score"]["percentage"], [
        (r["id"], r["current_score"], r["potential_increase_percentage"]) for r in rows
    ]


def human(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1000 or unit == "GB":
            return f"{n:.1f} {unit}" if unit != "B" else f"{n} B"
        n /= 1000
    return f"{n} B"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bin", required=True)
    p.add_argument("--input", required=True)
    p.add_argument("--as-of", required=True)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--engines", nargs="*", default=["duckdb", "spark"])
    a = p.parse_args()
    export = os.path.abspath(a.input)
    export_rows, export_bytes = count_rows(export), os.path.getsize(export)

    times = {"securescore assess (assessments)": []}
    counts = {}
    spark = Spark() if "spark" in a.engines else None
    with tempfile.TemporaryDirectory() as tmp:
        sql = {e: query(a.bin, e, a.as_of) for e in a.engines}
        for r in range(a.runs):
            t, full = assess(a.bin, export, a.as_of)
            times["securescore assess (assessments)"].append(t)
            for e in a.engines:
                out = os.path.join(tmp, f"{e}.jsonl")
                if os.path.exists(out):
                    os.remove(out)
                t = duckdb_count(export, sql[e], out) if e == "duckdb" else spark.count(export, sql[e], out)
                times.setdefault(f"{e}: count", []).append(t)
                t, from_counts = assess(a.bin, out, a.as_of)
                times.setdefault(f"securescore assess ({e} counts)", []).append(t)
                if scored(from_counts) != scored(full):
                    print(f"pushdown: the report scored from {e}'s counts differs from the one scored from the assessments", file=sys.stderr)
                    sys.exit(1)
                counts[e] = (count_rows(out), os.path.getsize(out), from_counts["score"]["percentage"])
            print(f"pushdown: round {r + 1} of {a.runs} done", file=sys.stderr)
    if spark:
        spark.stop()

    print(f"Export: {export_rows:,} assessments, {human(export_bytes)} ({os.path.basename(export)}); "
          f"score {full['score']['percentage']:.4f}% from the assessments and from every engine's counts.\n")
    print("| returned by | rows | bytes | rows / export | bytes / export |")
    print("|---|---:|---:|---:|---:|")
    print(f"| the export | {export_rows:,} | {human(export_bytes)} | 1 | 1 |")
    for e, (rows, size, _) in counts.items():
        print(f"| {e} counting query | {rows:,} | {human(size)} | 1/{export_rows / rows:,.0f} | 1/{export_bytes / size:,.0f} |")
    print(f"\n| step (median of {a.runs}) | wall time |")
    print("|---|---:|")
    for name, ts in times.items():
        print(f"| {name} | {statistics.median(ts):.2f} s |")


if __name__ == "__main__":
    main()
