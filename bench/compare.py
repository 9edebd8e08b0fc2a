#!/usr/bin/env python3
"""Time securescore against its peers, round-robin on the same files; print one table.

bench/run.sh calls this once it has built the binary, installed DuckDB, generated the
inputs and checked the peers on a hand-computed inventory (bench/check_peers.py):

    compare.py --bin BIN [--compare-bin BIN] [--duckdb-python PY] [--runs N] [--lock FILE]
               [--stdin] [--native N FILE] [--graph N FILE] [--scale N FILE]...

For each workload (--native: N assessments as native JSON Lines; --graph: N Resource Graph
rows as `az graph query` prints them), RUNS rounds each run every tool once, in turn, on a
warm page cache: securescore (`assess FILE --as-of AS_OF -f json`), securescore reading the
file from a pipe on standard input (--stdin), another build (--compare-bin), DuckDB
(bench/duckdb_score.py), the plain Python script (bench/python_score.py) and `cat FILE`.
Each run goes through bench/peak_anon.py: wall time and peak anonymous (private) memory.
Then --scale files: securescore alone, round-robin, for its throughput at several sizes.

Printed on standard output, as Markdown: per workload and tool the median wall time, the
ratio to securescore (peer/securescore; for cat, securescore/cat), the largest peak private
memory and the score; then the scaling table and the spread of its throughputs. Every
scored run must give securescore's overall percentage to 2 decimals (rounded half away
from zero, as the report rounds): otherwise, or when a tool fails, exit 1 naming it.
"""
import argparse
import datetime
import decimal
import fcntl
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PEAK_ANON = os.path.join(HERE, "peak_anon.py")


class Failure(Exception):
    """A tool failed or disagreed: the message says which, on what."""


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--bin", required=True, help="the securescore binary measured")
    p.add_argument("--compare-bin", help="another securescore build, measured in the same rounds")
    p.add_argument("--duckdb-python", help="a Python interpreter with duckdb (no DuckDB rows without it)")
    p.add_argument("--python", default=sys.executable, help="the interpreter of the Python peer")
    p.add_argument("--duckdb-on", default="native graph", help="workloads DuckDB runs on")
    p.add_argument("--python-on", default="native graph", help="workloads the Python peer runs on")
    p.add_argument("--runs", type=int, default=3, help="rounds (default 3)")
    p.add_argument("--lock", help="take this flock(2) lock around each round")
    p.add_argument("--stdin", action="store_true", help="also time securescore reading a pipe")
    p.add_argument("--as-of", default="2026-11-22")
    p.add_argument("--commit", default="", help="the commit the binary was built from, for the header")
    p.add_argument("--native", nargs=2, metavar=("N", "FILE"), help="N native assessments, JSON Lines")
    p.add_argument("--graph", nargs=2, metavar=("N", "FILE"), help="N Resource Graph rows")
    p.add_argument("--scale", nargs=2, action="append", default=[], metavar=("N", "FILE"),
                   help="N native assessments for the scaling table (repeatable)")
    a = p.parse_args(argv)
    if a.runs < 1:
        p.error("--runs must be >= 1")
    return a


def count(n):
    """5000000 -> 5M, 500000 -> 500k."""
    n = int(n)
    for unit, size in (("M", 1_000_000), ("k", 1_000)):
        if n >= size and n % (size // 10) == 0:
            return ("%.1f" % (n / size)).rstrip("0").rstrip(".") + unit
    return str(n)


def size(path):
    n = os.path.getsize(path)
    return "%.2f GB" % (n / 1e9) if n >= 1e9 else "%.0f MB" % (n / 1e6)


def round2(x):
    """Half away from zero to 2 decimals, as securescore's tables and gates round."""
    return decimal.Decimal(repr(x)).quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)


class Tool:
    def __init__(self, name, argv, scored=True, pipe=None, ratio=None):
        self.name, self.argv, self.scored, self.pipe = name, argv, scored, pipe
        self.ratio = ratio  # how its ratio to securescore reads
        self.walls, self.anon, self.scores = [], 0.0, []


def tools_for(a, shape, path):
    ss = lambda b: [b, "assess", path, "--as-of", a.as_of, "-f", "json"]  # noqa: E731
    tools = [Tool("securescore", ss(a.bin), ratio="base")]
    if a.stdin:
        tools.append(Tool("securescore, standard input (a pipe)", ss(a.bin)[:2] + ["-"] + ss(a.bin)[3:],
                          pipe=path, ratio="stdin/file"))
    if a.compare_bin:
        tools.append(Tool("securescore, COMPARE_BIN", ss(a.compare_bin), ratio="COMPARE_BIN/securescore"))
    if a.duckdb_python and shape in a.duckdb_on.split():
        read = "read_ndjson" if shape == "native" else "read_json"
        tools.append(Tool("DuckDB %s, %s + SQL (bench/score.sql)" % (duckdb_version(a.duckdb_python), read),
                          [a.duckdb_python, os.path.join(HERE, "duckdb_score.py"), path, a.as_of],
                          ratio="DuckDB/securescore"))
    if shape in a.python_on.split():
        how = "json.loads a line" if shape == "native" else "json.load"
        tools.append(Tool("Python %s, %s (bench/python_score.py)" % (platform.python_version(), how),
                          [a.python, os.path.join(HERE, "python_score.py"), path, a.as_of],
                          ratio="Python/securescore"))
    tools.append(Tool("`cat FILE > /dev/null`", ["cat", path], scored=False, ratio="securescore/cat"))
    return tools


def duckdb_version(python):
    done = subprocess.run([python, "-c", "import duckdb; print(duckdb.__version__)"],
                          capture_output=True, text=True)
    return done.stdout.strip() or "?"


class Lock:
    """flock(2) on a file around one round, so builds sharing the lock do not run meanwhile."""

    def __init__(self, path):
        self.path, self.fd = path, None

    def __enter__(self):
        if self.path:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                print("bench:   waiting for the lock %s" % self.path, file=sys.stderr)
                fcntl.flock(self.fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc):
        if self.fd is not None:
            os.close(self.fd)  # releases the lock
            self.fd = None


def run_once(tool, work):
    """Run the tool once through peak_anon.py: (wall s, peak anon MiB, percentage or None)."""
    report, out, err = (os.path.join(work, n) for n in ("report", "out", "err"))
    if os.path.exists(report):
        os.unlink(report)
    cmd = [sys.executable, PEAK_ANON, "--report", report, "--"] + tool.argv
    with open(out, "wb") as o, open(err, "wb") as e:
        if tool.pipe:
            feeder = subprocess.Popen(["cat", tool.pipe], stdout=subprocess.PIPE)
            subprocess.run(cmd, stdin=feeder.stdout, stdout=o, stderr=e)
            feeder.stdout.close()
            feeder.wait()
        else:
            subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=o, stderr=e)
    with open(report, encoding="utf-8") as f:
        fields = dict(kv.split("=", 1) for kv in f.readline().split(" cmd=")[0].split()[1:])
    if fields.get("exit") != "0":
        with open(err, encoding="utf-8", errors="replace") as f:
            tail = f.read()[-1500:].strip()
        raise Failure("%s exited %s: %s\n  (%s)" % (tool.name, fields.get("exit"), tail, " ".join(tool.argv)))
    percentage = None
    if tool.scored:
        with open(out, encoding="utf-8") as f:
            doc = json.load(f)
        percentage = doc["score"]["percentage"] if "score" in doc else doc["percentage"]
    return float(fields["wall_s"]), float(fields["rss_anon_mib"]), percentage


def warm(path):
    subprocess.run(["cat", path], stdout=subprocess.DEVNULL, check=True)


def rounds(a, tools, path, work, label):
    warm(path)
    for r in range(a.runs):
        with Lock(a.lock):
            for t in tools:
                wall, anon, pct = run_once(t, work)
                t.walls.append(wall)
                t.anon = max(t.anon, anon)
                if t.scored:
                    t.scores.append(pct)
                print("bench:   %s round %d/%d: %-40s %7.2f s %8.1f MiB%s" % (
                    label, r + 1, a.runs, t.name[:40], wall, anon,
                    "" if pct is None else "  score %.6f" % pct), file=sys.stderr)


def disagreements(tools, label):
    """Each scored run of every tool against securescore's first, to 2 decimals."""
    base = tools[0].scores[0]
    wrong = []
    for t in tools:
        for s in t.scores:
            same = s is not None and base is not None and (round2(s) == round2(base) or abs(s - base) < 1e-9)
            if not same and not (s is None and base is None):
                wrong.append("%s: %s scores %s, securescore %s" % (label, t.name, s, base))
    return wrong


def fmt_s(x):
    return "%.2f s" % x if x < 100 else "%.0f s" % x


def ratio_cell(t, base):
    med = statistics.median(t.walls)
    if t.ratio == "base":
        return "—"
    if t.ratio == "securescore/cat":
        return "securescore/cat **%.0f×**" % (base / med) if med > 0 else "—"
    return "%s **%.2f×**" % (t.ratio, med / base)


def workload_rows(label, tools):
    base = statistics.median(tools[0].walls)
    rows = []
    for i, t in enumerate(tools):
        score = "%.2f" % t.scores[0] if t.scores and t.scores[0] is not None else "—"
        rows.append("| %s | %s | %s | %s | %.0f MiB | %s |" % (
            label if i == 0 else "", t.name, fmt_s(statistics.median(t.walls)), ratio_cell(t, base),
            t.anon, score))
    return rows


def header(a):
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            cpu = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "?")
    except OSError:
        pass
    version = subprocess.run([a.bin, "--version"], capture_output=True, text=True).stdout.strip()
    commit = " (commit %s)" % a.commit if a.commit else ""
    return ("%s%s, %s, %d cores (%s), %s UTC; median of %d round%s, warm page cache, --as-of %s" % (
        version, commit, platform.system(), os.cpu_count() or 0, cpu,
        datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M"),
        a.runs, "" if a.runs == 1 else "s", a.as_of))


def main(argv=None):
    a = parse_args(sys.argv[1:] if argv is None else argv)
    workloads = []
    if a.native:
        workloads.append(("native", a.native))
    if a.graph:
        workloads.append(("graph", a.graph))
    out = [header(a), ""]
    problems = []
    with tempfile.TemporaryDirectory(prefix="securescore-bench.") as work:
        try:
            if workloads:
                out += ["| input | tool | median | ratio | peak private | score |",
                        "|---|---|---:|---|---:|---:|"]
            for shape, (n, path) in workloads:
                what = ("%s native assessments, JSON Lines" if shape == "native"
                        else "%s Resource Graph rows (`az graph query`)") % count(n)
                label = "%s, %s" % (what, size(path))
                print("bench: %s: %s" % (label, path), file=sys.stderr)
                tools = tools_for(a, shape, path)
                rounds(a, tools, path, work, count(n) + " " + shape)
                out += workload_rows(label, tools)
                problems += disagreements(tools, label)
            if a.scale:
                out += ["", "Scaling, native JSON Lines, securescore alone:", "",
                        "| assessments | size | median | throughput | assessments/s | peak private |",
                        "|---:|---:|---:|---:|---:|---:|"]
                scale = [(int(n), p, Tool(count(n), [a.bin, "assess", p, "--as-of", a.as_of, "-f", "json"]))
                         for n, p in a.scale]
                print("bench: scaling: %s" % ", ".join(count(n) for n, _, _ in scale), file=sys.stderr)
                for _, p, _ in scale:
                    warm(p)
                for r in range(a.runs):
                    with Lock(a.lock):
                        for n, p, t in scale:
                            wall, anon, _ = run_once(t, work)
                            t.walls.append(wall)
                            t.anon = max(t.anon, anon)
                            print("bench:   scaling round %d/%d: %-6s %7.2f s %8.1f MiB" % (
                                r + 1, a.runs, t.name, wall, anon), file=sys.stderr)
                rates = []
                for n, p, t in scale:
                    med = statistics.median(t.walls)
                    rates.append(os.path.getsize(p) / 1e6 / med)
                    out.append("| %s | %s | %s | %.0f MB/s | %.2fM/s | %.0f MiB |" % (
                        t.name, size(p), fmt_s(med), rates[-1], n / med / 1e6, t.anon))
                if len(rates) > 1:
                    out += ["", "Throughput spread: %.1f%% (fastest over slowest − 1)"
                            % (100 * (max(rates) / min(rates) - 1))]
        except Failure as e:
            print("\n".join(out), flush=True)
            print("bench: FAILED: %s" % e, file=sys.stderr)
            return 1
    print("\n".join(out), flush=True)
    if problems:
        print("bench: FAILED: the tools disagree on the score:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if workloads:
        print("bench: every tool gave securescore's score (2 decimals)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
