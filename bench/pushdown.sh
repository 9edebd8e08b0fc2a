#!/usr/bin/env bash
# What the counting queries of `securescore query` save (README "At scale"): the rows and
# bytes DuckDB's and Spark's counts return against the assessment export, and the time each
# engine takes to count it beside `securescore assess` on the whole export.
#
#   bench/pushdown.sh                          # 5M assessments, 3 rounds; prints Markdown
#   BENCH_DIR=some/dir KEEP=1 RUNS=1 bench/pushdown.sh
#
# Steps: builds the release binary (SECURESCORE_BIN=PATH measures that binary instead);
# generates assessments-$JSONL_N.jsonl with bench/gen_jsonl.py when missing from $BENCH_DIR
# (the workload of bench/run.sh, reused from there); installs DuckDB and PySpark
# ($DUCKDB_SPEC, $PYSPARK_SPEC) into the virtual environment $VENV (default bench/.venv)
# when missing; needs Java 17 or later for Spark (Debian: default-jre-headless); then runs
# bench/pushdown.py, which exits 1 when a report scored from an engine's counts differs
# from the one scored from the assessments.
#
# Environment: BENCH_DIR, KEEP, JSONL_N (default 5000000), SEED (1), RUNS (3),
# AS_OF (2026-11-22), ENGINES ("duckdb spark"), VENV, DUCKDB_SPEC, PYSPARK_SPEC, PYTHON,
# CARGO, SECURESCORE_BIN, SPARK_DRIVER_MEMORY (6g).
set -euo pipefail

die() {
    echo "pushdown: $*" >&2
    exit 2
}

if [[ -n "${BENCH_DIR:-}" && "$BENCH_DIR" != /* ]]; then BENCH_DIR=$PWD/$BENCH_DIR; fi
for v in SECURESCORE_BIN VENV; do
    if [[ -n "${!v:-}" && "${!v}" != /* && "${!v}" == */* ]]; then printf -v "$v" '%s' "$PWD/${!v}"; fi
done
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
CARGO=${CARGO:-cargo}
JSONL_N=${JSONL_N:-5000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
AS_OF=${AS_OF:-2026-11-22}
ENGINES=${ENGINES:-duckdb spark}
VENV=${VENV:-$PWD/bench/.venv}
DUCKDB_SPEC=${DUCKDB_SPEC:-duckdb>=2.0,<2.1}
PYSPARK_SPEC=${PYSPARK_SPEC:-pyspark>=4.0,<5}

if [[ -n "${SECURESCORE_BIN:-}" ]]; then
    BIN=$SECURESCORE_BIN
else
    echo "pushdown: cargo build --release" >&2
    "$CARGO" build --release
    BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/securescore
fi
[[ -x "$BIN" ]] || die "$BIN is not an executable"
if [[ " $ENGINES " == *" spark "* ]]; then
    command -v java >/dev/null || die "Spark needs Java 17 or later (Debian: apt-get install default-jre-headless); ENGINES=duckdb runs without Spark"
fi

if [[ -z "${BENCH_DIR:-}" ]]; then
    BENCH_DIR=$(mktemp -d -t securescore-pushdown.XXXXXX)
    if [[ "${KEEP:-0}" != 1 ]]; then trap 'rm -rf -- "$BENCH_DIR"' EXIT; fi
fi
mkdir -p -- "$BENCH_DIR"
export_file=$BENCH_DIR/assessments-$JSONL_N.jsonl
if [[ ! -s "$export_file" ]]; then
    echo "pushdown: generating $export_file" >&2
    "$PYTHON" bench/gen_jsonl.py --seed "$SEED" --out "$export_file" --assessments "$JSONL_N"
fi

if ! "$VENV/bin/python" -c 'import duckdb, pyspark' 2>/dev/null; then
    echo "pushdown: installing $DUCKDB_SPEC and $PYSPARK_SPEC into $VENV" >&2
    [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV" || die "cannot create a virtual environment in $VENV"
    "$VENV/bin/pip" install --quiet "$DUCKDB_SPEC" "$PYSPARK_SPEC" || die "pip could not install DuckDB and PySpark into $VENV"
fi

# shellcheck disable=SC2086 # ENGINES is a list of words
"$VENV/bin/python" bench/pushdown.py --bin "$BIN" --input "$export_file" --as-of "$AS_OF" --runs "$RUNS" --engines $ENGINES
