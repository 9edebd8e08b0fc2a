#!/usr/bin/env python3
"""Generate a native inventory of many small subscriptions, for `assess --group-by`.

N subscriptions, each holding one virtual machine assessed against A
recommendations (default 3), spread over C controls (default 6) defined in the
inventory itself; statuses cycle through healthy, unhealthy and not applicable so
that the groups score differently.  Deterministic; Python 3 standard library only.

    python3 bench/gen_groups.py --subscriptions 65536 --out subs-64k.json
    /usr/bin/time -v target/release/securescore assess subs-64k.json \
        --as-of 2026-11-22 --group-by subscription -f json -o /dev/null
"""

import argparse
import json
import sys

STATUSES = ("healthy", "unhealthy", "healthy", "notapplicable", "unhealthy")


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--subscriptions", "-n", type=int, required=True, metavar="N")
    p.add_argument("--assessments", "-a", type=int, default=3, metavar="A",
                   help="assessments per resource (default 3)")
    p.add_argument("--controls", "-c", type=int, default=6, metavar="C",
                   help="controls (default 6); recommendation i belongs to control i mod C")
    p.add_argument("--out", "-o", required=True, metavar="FILE", help="output file ('-' for stdout)")
    args = p.parse_args(argv)
    n, a, c = args.subscriptions, args.assessments, max(1, args.controls)
    recs = max(a, 2 * c)
    controls = [
        {"id": f"ctl-{k:03}", "name": f"Control {k}", "max_score": 1 + k % 7,
         "recommendations": [f"rec-{i:03}" for i in range(recs) if i % c == k]}
        for k in range(c)
    ]
    out = sys.stdout if args.out == "-" else open(args.out, "w", encoding="utf-8")
    with out:
        out.write('{"controls":' + json.dumps(controls, separators=(",", ":")) + ',"assessments":[')
        sep = ""
        for s in range(n):
            vm = (f"/subscriptions/{s:08x}-0000-4000-8000-000000000000/resourceGroups/rg"
                  f"/providers/Microsoft.Compute/virtualMachines/vm{s}")
            for j in range(a):
                rec = (s + j * 7) % recs
                status = STATUSES[(s * 3 + j) % len(STATUSES)]
                out.write(f'{sep}{{"resource":"{vm}","recommendation":"rec-{rec:03}","status":"{status}"}}')
                sep = ","
        out.write("]}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
