#!/usr/bin/env python3
"""Check the benchmark's peers on a tiny inventory whose score was computed by hand.

    python3 bench/check_peers.py SECURESCORE_BIN [DUCKDB_PYTHON]

bench/run.sh runs this before timing anything: securescore, bench/duckdb_score.py (with
DUCKDB_PYTHON, the interpreter that has duckdb; skipped when not given) and
bench/python_score.py must all give the hand-computed percentage, 170/3, on the same
inventory written twice: as native JSON Lines and as an `az graph query` result. Exit 0
when all agree, 1 (naming the tool, the shape and both numbers) when one does not.

The inventory (controls, members and maxima from the catalog securescore embeds;
evaluation date 2026-11-22):

  P = 483f12ed-…  member of "Secure management ports" (SMP, max 8) and
                  "Restrict unauthorized network access" (RUNA, max 4)
  Q = bc303248-…  member of SMP only
  R = 4ab6e3c5-…  member of "Apply system updates" (ASU, max 6) only
  Z = 400a6682-…  member of "Implement security best practices" (max 0) only
  X = 00000000-…  member of no control: never scores, never weighs

  #   sub  resource  rec  status          exemption                     effective
  1   S1   vm1       P    healthy                                       healthy
  2   S1   VM1       Q    unhealthy       (same resource: ids fold case) unhealthy
  3   S1   vm2       P    unhealthy       waiver until 2027-01-31       not applicable
  4   S1   vm2       R    unhealthy       waiver until 2026-11-21 (UTC) unhealthy (expired)
  5   S1   vm3       R    healthy                                       healthy
  6   S1   vm3       Q    unhealthy       mitigated until 2026-11-22    healthy (last day counts)
  7   S1   vm3       P    not_applicable                                not applicable
  8   S1   vm7       X    unhealthy                                     (no control)
  9   S1   vm9       R    not_applicable                                not applicable
  10  S2   vm4       P    NotApplicable   mitigated, no expiry          not applicable (stays)
  11  S2   vm4       R    healthy                                       healthy
  12  S2   vm5       R    Unhealthy                                     unhealthy
  13  S2   vm5       Z    healthy                                       healthy
  14  S2   vm8       P    unhealthy       waiver, no expiry             not applicable
  15  S3   vm6       Z    unhealthy                                     unhealthy

  S1: SMP  vm1 U (P healthy, Q unhealthy), vm2 NA, vm3 H (Q healthy, P NA) -> 8 x 1/2 = 4
      RUNA vm1 H, vm2 NA, vm3 NA                                           -> 4 x 1/1 = 4
      ASU  vm2 U, vm3 H, vm9 NA                                            -> 6 x 1/2 = 3
      11 of 18 points = 61.11%; weight 3 (vm1, vm2, vm3; not vm7, not vm9)
  S2: SMP and RUNA: vm4 NA, vm8 NA -> not applicable, no points
      ASU  vm4 H, vm5 U -> 6 x 1/2 = 3; best practices applicable with max 0
      3 of 6 points = 50%; weight 2 (vm4, vm5; not vm8)
  S3: only a max-0 control applies: 0 of 0 points, no percentage, left out of the mean
  overall = (3 x 1100/18 + 2 x 50) / (3 + 2) = (550/3 + 100) / 5 = 170/3 = 56.666…%

  (Under `equal` weighting it would be 55.56; counting the expired waiver 77.78 for S1;
  not folding case 4 resources in S1; letting not applicable beat healthy 0 points for SMP
  in S1; weighing vm7, vm8 or vm9 a weight of 4 or 3.)

The Resource Graph copy carries the same effective statuses the way Azure exports them (an
active waiver is NotApplicable with cause Exempt; an expired one and a mitigation show the
status they lead to) plus two rows that must not score: a preview recommendation
(805651bc-…, SMP, unhealthy on vm5) and a custom one (e1145ab1-…, ASU, unhealthy on vm4);
either counted would change S2.
"""
import json
import math
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = 170 / 3
AS_OF = "2026-11-22"

P, Q, R = "483f12ed-ae23-447e-a2de-a67a10db4353", "bc303248-3d14-44c2-96a0-55f5c326b5fe", "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27"
Z, X = "400a6682-992c-4726-9549-629fbc3b988f", "00000000-0000-0000-0000-00000000abcd"
PREVIEW, CUSTOM = "805651bc-6ecd-4c73-9b55-97a19d0582d0", "e1145ab1-eb4f-43d8-911b-36ddf771d13f"
SUBS = {"S1": "11111111-1111-1111-1111-111111111111", "S2": "22222222-2222-2222-2222-222222222222",
        "S3": "33333333-3333-3333-3333-333333333333"}


def rid(sub, vm):
    rg = "RG" if vm.isupper() else "rg"
    return f"/subscriptions/{SUBS[sub]}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}"


# (sub, vm, rec, native status, native exemption, Azure code, Azure cause): the table above.
ROWS = [
    ("S1", "vm1", P, "healthy", None, "Healthy", ""),
    ("S1", "VM1", Q, "unhealthy", None, "Unhealthy", ""),
    ("S1", "vm2", P, "unhealthy", {"category": "waiver", "expires": "2027-01-31"}, "NotApplicable", "Exempt"),
    ("S1", "vm2", R, "unhealthy", {"category": "Waiver", "expires": "2026-11-21T23:59:59Z"}, "Unhealthy", ""),
    ("S1", "vm3", R, "healthy", None, "Healthy", ""),
    ("S1", "vm3", Q, "unhealthy", {"category": "mitigated", "expires": "2026-11-22"}, "Healthy", ""),
    ("S1", "vm3", P, "not_applicable", None, "NotApplicable", ""),
    ("S1", "vm7", X, "unhealthy", None, "Unhealthy", ""),
    ("S1", "vm9", R, "not_applicable", None, "NotApplicable", ""),
    ("S2", "vm4", P, "NotApplicable", {"category": "mitigated"}, "NotApplicable", "OffByPolicy"),
    ("S2", "vm4", R, "healthy", None, "Healthy", ""),
    ("S2", "vm5", R, "Unhealthy", None, "Unhealthy", ""),
    ("S2", "vm5", Z, "healthy", None, "Healthy", ""),
    ("S2", "vm8", P, "unhealthy", {"category": "waiver"}, "NotApplicable", "Exempt"),
    ("S3", "vm6", Z, "unhealthy", None, "Unhealthy", ""),
]


def native_lines():
    for sub, vm, rec, status, exemption, _code, _cause in ROWS:
        a = {"resource": rid(sub, vm), "recommendation": rec, "status": status}
        if exemption:
            a["exemption"] = exemption
        yield json.dumps(a) + "\n"


def graph_row(sub, vm, rec, code, cause, metadata):
    return {"id": rid(sub, vm) + "/providers/Microsoft.Security/assessments/" + rec, "name": rec,
            "type": "microsoft.security/assessments", "subscriptionId": SUBS[sub],
            "properties": {"resourceDetails": {"Source": "Azure", "Id": rid(sub, vm)},
                           "status": {"code": code, "cause": cause}, "metadata": metadata}}


def graph_result():
    builtin = {"assessmentType": "BuiltIn", "severity": "Medium"}
    rows = [graph_row(sub, vm, rec, code, cause, builtin) for sub, vm, rec, _s, _e, code, cause in ROWS]
    rows.append(graph_row("S2", "vm5", PREVIEW, "Unhealthy", "", dict(builtin, preview=True)))
    rows.append(graph_row("S2", "vm4", CUSTOM, "Unhealthy", "", {"assessmentType": "CustomerManaged"}))
    return {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}


def percentage(cmd):
    """Run cmd; the `percentage` of the JSON it prints (securescore: score.percentage)."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError("exit %d: %s" % (done.returncode, done.stderr.strip()[-2000:]))
    doc = json.loads(done.stdout)
    return doc["score"]["percentage"] if "score" in doc else doc["percentage"]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit("usage: check_peers.py SECURESCORE_BIN [DUCKDB_PYTHON]")
    tools = [("securescore", lambda f: [sys.argv[1], "assess", f, "--as-of", AS_OF, "-f", "json"]),
             ("Python", lambda f: [sys.executable, os.path.join(HERE, "python_score.py"), f, AS_OF])]
    if len(sys.argv) == 3:
        tools.append(("DuckDB", lambda f: [sys.argv[2], os.path.join(HERE, "duckdb_score.py"), f, AS_OF]))
    failures = 0
    with tempfile.TemporaryDirectory(prefix="securescore-peers.") as tmp:
        native, graph = os.path.join(tmp, "tiny.jsonl"), os.path.join(tmp, "tiny-graph.json")
        with open(native, "w", encoding="utf-8") as f:
            f.writelines(native_lines())
        with open(graph, "w", encoding="utf-8") as f:
            json.dump(graph_result(), f, indent=2)
        for name, cmd in tools:
            for shape, path in (("JSON Lines", native), ("Resource Graph", graph)):
                try:
                    got = percentage(cmd(path))
                except (RuntimeError, ValueError, KeyError, OSError) as e:
                    print(f"check_peers: {name} on the tiny {shape} inventory failed: {e}", file=sys.stderr)
                    failures += 1
                    continue
                if got is None or not math.isclose(got, EXPECTED, rel_tol=0, abs_tol=1e-9):
                    print(f"check_peers: {name} scores the tiny {shape} inventory {got}, "
                          f"by hand it is 170/3 = {EXPECTED}", file=sys.stderr)
                    failures += 1
    if failures:
        return 1
    print("check_peers: %s agree with the hand-computed 170/3 = %.4f%% on both shapes"
          % (", ".join(n for n, _ in tools), EXPECTED), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
