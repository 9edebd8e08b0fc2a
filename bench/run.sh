#!/usr/bin/env bash
# securescore against DuckDB, a plain Python script and `cat`, on the same files.
#
#   bench/run.sh                                # from anywhere; prints a Markdown table
#   BENCH_DIR=some/dir KEEP=1 bench/run.sh      # keep (and later reuse) the generated inputs
#   RUNS=1 SCALE_NS= PYTHON_ON=graph bench/run.sh   # a quick run
#
# Steps:
#  1. builds the release binary (cargo build --release; SECURESCORE_BIN=PATH measures that
#     binary instead);
#  2. generates with bench/gen_jsonl.py, when missing from $BENCH_DIR, the workloads:
#     assessments-$JSONL_N.jsonl (native JSON Lines, default 5,000,000 assessments),
#     arg-assessments-$ARG_N.json (the rows of `az graph query`, default 500,000), and
#     assessments-N.jsonl for each N of $SCALE_NS (default 1M, 5M and 10M; 10M is 2.3 GB);
#  3. installs DuckDB ($DUCKDB_SPEC) with pip into the virtual environment $VENV
#     (default bench/.venv) when it is missing there;
#  4. checks securescore, the DuckDB query and the Python script on a tiny inventory whose
#     score is computed by hand (bench/check_peers.py): a wrong peer stops the run;
#  5. runs, RUNS rounds (default 3), round-robin on a warm page cache: securescore
#     (`assess FILE --as-of 2026-11-22 -f json`), securescore reading the file from a pipe
#     (STDIN=0 to skip), COMPARE_BIN (another build, if given), DuckDB (bench/duckdb_score.py:
#     read_ndjson/read_json + bench/score.sql), the Python script (bench/python_score.py)
#     and `cat FILE`; then securescore alone on the scaling inputs (bench/compare.py);
#  6. prints per input and tool the median wall time, the ratio to securescore, the peak
#     private (anonymous) memory (bench/peak_anon.py; pages of the mapped input are not
#     private) and the score, then securescore's throughput at each size and the spread.
#     Exits 1 if a tool fails or if any tool's score differs from securescore's at 2 decimals.
#
# Environment:
#   BENCH_DIR    where the inputs are (default: a temporary directory, deleted at the end
#                unless KEEP=1); existing files of the right names are reused
#   JSONL_N, ARG_N   workload sizes (0 leaves that workload out); SEED (default 1)
#   SCALE_NS     sizes of the scaling row ("" leaves it out)
#   RUNS         rounds (default 3): medians over them, the largest peak memory
#   DUCKDB       0: no DuckDB (and no virtual environment); DUCKDB_ON, PYTHON_ON: the
#                workloads each peer runs on ("native", "graph"; defaults "native" and
#                "native graph": DuckDB's read_json takes minutes on one 1.4 GB document)
#   STDIN        1 (default): also time securescore reading a pipe on standard input
#   COMPARE_BIN  another securescore build measured in the same rounds (before/after)
#   SECURESCORE_BIN  measure this binary; no build
#   VENV, DUCKDB_SPEC  the virtual environment and the pip requirement for DuckDB
#   PYTHON       python3 (3.11 or later; runs the harness and the Python peer), CARGO
#   LOCK_FILE    take this flock(2) lock around the build and around each timed round, so
#                builds that take the same lock do not run during a measurement
#
# Linux only (/proc). To see where securescore's time goes, build with debug info and
# profile it on the same inputs:
#   cargo build --profile profiling   # target/profiling/securescore
#   perf record -g target/profiling/securescore assess "$BENCH_DIR"/assessments-5000000.jsonl -f json -o /dev/null
set -euo pipefail

die() {
    echo "bench: $*" >&2
    exit 2
}

if [[ -n "${BENCH_DIR:-}" && "$BENCH_DIR" != /* ]]; then
    BENCH_DIR=$PWD/$BENCH_DIR # relative to where the script was started
fi
for v in SECURESCORE_BIN COMPARE_BIN VENV LOCK_FILE; do
    if [[ -n "${!v:-}" && "${!v}" != /* && "${!v}" == */* ]]; then
        printf -v "$v" '%s' "$PWD/${!v}"
    fi
done
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
CARGO=${CARGO:-cargo}
JSONL_N=${JSONL_N:-5000000}
ARG_N=${ARG_N:-500000}
SCALE_NS=${SCALE_NS-1000000 5000000 10000000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
DUCKDB=${DUCKDB:-1}
DUCKDB_ON=${DUCKDB_ON:-native}
PYTHON_ON=${PYTHON_ON:-native graph}
STDIN=${STDIN:-1}
VENV=${VENV:-$PWD/bench/.venv}
DUCKDB_SPEC=${DUCKDB_SPEC:-duckdb>=2.0,<2.1}
LOCK_FILE=${LOCK_FILE:-}

command -v "$PYTHON" >/dev/null || die "$PYTHON not found: the harness, the generator and the Python peer need Python 3.11 or later (set PYTHON)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
    die "$PYTHON is $("$PYTHON" -V 2>&1); Python 3.11 or later is needed (set PYTHON)"
[[ -r /proc/self/status ]] || die "peak memory is read from /proc: Linux only"

locked() { # CMD...: under LOCK_FILE when set
    if [[ -n "$LOCK_FILE" ]]; then flock "$LOCK_FILE" "$@"; else "$@"; fi
}

# 1. The binary.
COMMIT=
if [[ -n "${SECURESCORE_BIN:-}" ]]; then
    BIN=$SECURESCORE_BIN
else
    echo "bench: cargo build --release" >&2
    locked "$CARGO" build --release
    BIN=${CARGO_TARGET_DIR:-$PWD/target}/release/securescore
    # The last commit that changed what the binary is built from (not bench/ or docs).
    COMMIT=$(git log -1 --format=%h -- src Cargo.toml Cargo.lock data 2>/dev/null || true)
    if [[ -n "$COMMIT" ]] && ! git diff --quiet HEAD -- src Cargo.toml Cargo.lock data 2>/dev/null; then
        COMMIT="$COMMIT + uncommitted changes"
    fi
fi
[[ -x "$BIN" ]] || die "$BIN is not an executable"

# 2. The inputs.
if [[ -z "${BENCH_DIR:-}" ]]; then
    BENCH_DIR=$(mktemp -d -t securescore-bench.XXXXXX)
    if [[ "${KEEP:-0}" != 1 ]]; then
        trap 'rm -rf -- "$BENCH_DIR"' EXIT
    else
        trap 'echo "bench: inputs kept; rerun with BENCH_DIR=$BENCH_DIR" >&2' EXIT
    fi
fi
mkdir -p -- "$BENCH_DIR"
echo "bench: inputs in $BENCH_DIR" >&2

gen() { # FILE ARGS...
    local file=$1
    shift
    if [[ -s "$file" ]]; then
        echo "bench: reusing $file" >&2
        return
    fi
    echo "bench: generating $file" >&2
    local t0=$SECONDS
    "$PYTHON" bench/gen_jsonl.py --seed "$SEED" --out "$file" "$@"
    echo "bench:   done in $((SECONDS - t0)) s" >&2
}
args=(--bin "$BIN" --runs "$RUNS" --python "$PYTHON" --python-on "$PYTHON_ON" --duckdb-on "$DUCKDB_ON")
if ((JSONL_N > 0)); then
    gen "$BENCH_DIR/assessments-$JSONL_N.jsonl" --assessments "$JSONL_N"
    args+=(--native "$JSONL_N" "$BENCH_DIR/assessments-$JSONL_N.jsonl")
fi
if ((ARG_N > 0)); then
    gen "$BENCH_DIR/arg-assessments-$ARG_N.json" --assessments "$ARG_N" --azure-rows
    args+=(--graph "$ARG_N" "$BENCH_DIR/arg-assessments-$ARG_N.json")
fi
for n in $SCALE_NS; do
    gen "$BENCH_DIR/assessments-$n.jsonl" --assessments "$n"
    args+=(--scale "$n" "$BENCH_DIR/assessments-$n.jsonl")
done

# 3. DuckDB, in a virtual environment of its own.
DUCKDB_PYTHON=
if [[ "$DUCKDB" != 0 ]]; then
    DUCKDB_PYTHON=$VENV/bin/python
    if ! "$DUCKDB_PYTHON" -c 'import duckdb' 2>/dev/null; then
        echo "bench: installing $DUCKDB_SPEC into $VENV" >&2
        [[ -x "$DUCKDB_PYTHON" ]] || "$PYTHON" -m venv "$VENV" ||
            die "cannot create a virtual environment in $VENV (on Debian/Ubuntu: apt-get install python3-venv); DUCKDB=0 runs without DuckDB"
        "$VENV/bin/pip" install --quiet "$DUCKDB_SPEC" ||
            die "pip could not install $DUCKDB_SPEC into $VENV; DUCKDB=0 runs without DuckDB"
    fi
    args+=(--duckdb-python "$DUCKDB_PYTHON")
fi

# 4. The peers on a hand-computed inventory.
"$PYTHON" bench/check_peers.py "$BIN" ${DUCKDB_PYTHON:+"$DUCKDB_PYTHON"} ||
    die "a tool does not give the hand-computed score of the tiny inventory (above); not timing it"

# 5.–6. The rounds and the table.
[[ -n "${COMPARE_BIN:-}" ]] && args+=(--compare-bin "$COMPARE_BIN")
[[ "$STDIN" != 0 ]] && args+=(--stdin)
[[ -n "$LOCK_FILE" ]] && args+=(--lock "$LOCK_FILE")
[[ -n "$COMMIT" ]] && args+=(--commit "$COMMIT")
"$PYTHON" bench/compare.py "${args[@]}"
