#!/usr/bin/env bash
# Throughput / memory benchmark of `securescore assess` on large inputs.
#
#   bench/run.sh                      # from the repo root (or anywhere)
#   BENCH_DIR=some/dir bench/run.sh   # reuse (or keep) the generated inputs there
#
# Builds the release binary, generates (if missing) in $BENCH_DIR:
#   assessments-$JSONL_N.jsonl   native JSON Lines assessments (default 5,000,000)
#   arg-assessments-$ARG_N.json  an `az graph query` result of assessment rows (default 500,000; 0 skips it)
# then, for each input, times a baseline `wc -l FILE` and
#   securescore assess FILE --as-of 2026-11-22 -f json -o /dev/null
# through bench/peak_anon.py, and prints: input, size, baseline time, securescore
# time, ratio to the baseline, peak anonymous memory (RssAnon; pages of a
# memory-mapped input do not count) and, for reference, peak RSS (VmHWM).
#
# Environment: BENCH_DIR (default: a fresh temporary directory, deleted at the
# end unless KEEP=1), JSONL_N, ARG_N, SEED (default 1), RUNS (default 1; the best
# time and the largest peak of RUNS runs are reported), PYTHON (default python3),
# CARGO (default cargo), COMPARE_BIN (another build of securescore, e.g. one built
# from an earlier commit: measured on each input right after this one, on the same warm
# page cache, and shown in a row of its own). Linux only (/proc).
#
# To see where the time goes, build with debug info (the release profile has none) and
# profile that binary on the same inputs:
#   cargo build --profile profiling   # target/profiling/securescore
#   perf record -g target/profiling/securescore assess "$BENCH_DIR"/assessments-*.jsonl -f json -o /dev/null
set -euo pipefail

if [[ -n "${BENCH_DIR:-}" && "$BENCH_DIR" != /* ]]; then
    BENCH_DIR=$PWD/$BENCH_DIR # relative to where the script was started
fi
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
CARGO=${CARGO:-cargo}
JSONL_N=${JSONL_N:-5000000}
ARG_N=${ARG_N:-500000} # 0: no Resource Graph input
SEED=${SEED:-1}
RUNS=${RUNS:-1}
AS_OF=2026-11-22

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

echo "bench: cargo build --release" >&2
"$CARGO" build --release
BIN=${CARGO_TARGET_DIR:-target}/release/securescore
[[ -x "$BIN" ]] || { echo "bench: $BIN not found after the build" >&2; exit 2; }

JSONL=$BENCH_DIR/assessments-$JSONL_N.jsonl
ARG=$BENCH_DIR/arg-assessments-$ARG_N.json

gen() { # FILE ARGS...
    local file=$1; shift
    if [[ -s "$file" ]]; then
        echo "bench: reusing $file" >&2
        return
    fi
    echo "bench: generating $file" >&2
    local t0=$SECONDS
    "$PYTHON" bench/gen_jsonl.py --seed "$SEED" --out "$file" "$@"
    echo "bench:   done in $((SECONDS - t0)) s" >&2
}
gen "$JSONL" --assessments "$JSONL_N"
INPUTS=("$JSONL")
if ((ARG_N > 0)); then
    gen "$ARG" --assessments "$ARG_N" --azure-rows
    INPUTS+=("$ARG")
fi

REPORT=$BENCH_DIR/peak_anon.report

# measure OUT_PREFIX CMD... : runs CMD RUNS times through peak_anon.py and sets
# ${OUT_PREFIX}_wall (best), ${OUT_PREFIX}_anon, ${OUT_PREFIX}_hwm (largest), ${OUT_PREFIX}_rc.
measure() {
    local prefix=$1; shift
    local i best="" anon=0 hwm=0 rc=0 line wall a h e
    for ((i = 0; i < RUNS; i++)); do
        : >"$REPORT"
        "$PYTHON" bench/peak_anon.py --report "$REPORT" -- "$@" >/dev/null || true
        line=$(head -n 1 "$REPORT")
        wall=$(sed -n 's/.* wall_s=\([0-9.]*\).*/\1/p' <<<"$line")
        a=$(sed -n 's/.* rss_anon_mib=\([0-9.]*\).*/\1/p' <<<"$line")
        h=$(sed -n 's/.* vm_hwm_mib=\([0-9.]*\).*/\1/p' <<<"$line")
        e=$(sed -n 's/.* exit=\([0-9]*\).*/\1/p' <<<"$line")
        [[ -n "$wall" ]] || { wall=0; e=${e:-255}; }
        if [[ -z "$best" ]] || awk -v x="$wall" -v y="$best" 'BEGIN { exit !(x < y) }'; then
            best=$wall
        fi
        anon=$(awk -v x="$a" -v y="$anon" 'BEGIN { print (x > y ? x : y) }')
        hwm=$(awk -v x="$h" -v y="$hwm" 'BEGIN { print (x > y ? x : y) }')
        [[ "$e" == 0 ]] || rc=$e
    done
    printf -v "${prefix}_wall" '%s' "$best"
    printf -v "${prefix}_anon" '%s' "$anon"
    printf -v "${prefix}_hwm" '%s' "$hwm"
    printf -v "${prefix}_rc" '%s' "$rc"
}

human_size() {
    awk -v b="$1" 'BEGIN {
        split("B KB MB GB TB", u, " "); i = 1
        while (b >= 1000 && i < 5) { b /= 1000; i++ }
        printf(i == 1 ? "%d %s" : "%.2f %s", b, u[i]) }'
}

rows=()
status=0
for file in "${INPUTS[@]}"; do
    name=$(basename -- "$file")
    echo "bench: $name" >&2
    cat -- "$file" >/dev/null # warm the page cache so both commands read from memory
    measure base wc -l "$file"
    size=$(human_size "$(stat -c %s -- "$file")")
    bins=("$BIN")
    [[ -n "${COMPARE_BIN:-}" ]] && bins+=("$COMPARE_BIN")
    for bin in "${bins[@]}"; do
        measure ss "$bin" assess "$file" --as-of "$AS_OF" -f json -o /dev/null
        ratio=$(awk -v s="$ss_wall" -v b="$base_wall" 'BEGIN { if (b > 0) printf("%.1fx", s / b); else print "-" }')
        ss_time="$ss_wall s"
        if [[ "$ss_rc" != 0 ]]; then
            ss_time="$ss_time (exit $ss_rc)"
            status=1
        fi
        label=$name
        [[ "$bin" == "$BIN" ]] || label="$name (COMPARE_BIN)"
        rows+=("$label|$size|$base_wall s|$ss_time|$ratio|$ss_anon|$ss_hwm")
    done
done

rm -f -- "$REPORT"

echo
fmt='%-46s %10s %10s %18s %7s %14s %10s\n'
printf "$fmt" input size "wc -l" securescore ratio "peak anon MiB" "VmHWM MiB"
for r in "${rows[@]}"; do
    IFS='|' read -r c1 c2 c3 c4 c5 c6 c7 <<<"$r"
    printf "$fmt" "$c1" "$c2" "$c3" "$c4" "$c5" "$c6" "$c7"
done
exit "$status"
