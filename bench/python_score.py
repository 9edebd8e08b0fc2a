#!/usr/bin/env python3
"""The classic secure score (SPEC §1), the obvious way: the script a user would write instead.

    python3 bench/python_score.py FILE [AS_OF]    # prints {"percentage": ...}

FILE is native JSON Lines (*.jsonl) or an `az graph query` result of assessment rows.
Control membership and maxima: the catalog securescore embeds. Standard library only.
"""
import datetime, json, os, sys
from collections import defaultdict

path, as_of = sys.argv[1], datetime.date.fromisoformat(sys.argv[2] if len(sys.argv) > 2 else "2026-11-22")
catalog = json.load(open(os.path.join(os.path.dirname(__file__), "..", "data", "azure-controls.json"), encoding="utf-8-sig"))
max_score = {c["id"]: c["max_score"] for c in catalog["controls"]}
controls_of = defaultdict(list)  # recommendation -> the controls it belongs to
for c in catalog["controls"]:
    for r in c["recommendations"]:
        controls_of[r].append(c["id"])

def active(e):  # an exemption counts until its `expires` day (UTC) inclusive, or forever
    t = e.get("expires") and datetime.datetime.fromisoformat(e["expires"])
    return not t or (t.astimezone(datetime.timezone.utc) if t.tzinfo else t).date() >= as_of

def assessments():  # (resource, recommendation, effective status: healthy | unhealthy | notapplicable)
    with open(path, encoding="utf-8-sig") as f:
        if path.endswith(".jsonl"):
            for a in map(json.loads, filter(str.strip, f)):
                s, e = a["status"].lower().replace("_", ""), a.get("exemption")
                if e and s != "notapplicable" and active(e):
                    s = {"waiver": "notapplicable", "mitigated": "healthy"}[e["category"].lower()]
                yield a["resource"], a["recommendation"], s
        else:
            for row in json.load(f)["data"]:
                p = row["properties"]
                m = p.get("metadata") or {}
                if row["type"].lower() == "microsoft.security/assessments" and not m.get("preview") \
                        and "builtin" in m.get("assessmentType", "BuiltIn").lower():  # custom ones do not score
                    yield p["resourceDetails"]["Id"], row["name"], p["status"]["code"].lower().replace("_", "")

worst = defaultdict(dict)  # (scope, control) -> resource -> 2 unhealthy, 1 healthy, 0 not applicable
for resource, rec, status in assessments():
    rid = resource.lower()  # Azure ids compare case-insensitively
    parts = rid.lstrip("/").split("/")
    scope = parts[1] if parts[0] == "subscriptions" and len(parts) > 1 else None
    for c in controls_of.get(rec, ()):
        states = worst[scope, c]
        states[rid] = max(states.get(rid, 0), {"unhealthy": 2, "healthy": 1}.get(status, 0))

current, maximum, weighing = defaultdict(float), defaultdict(float), defaultdict(set)
for (scope, c), states in worst.items():
    h, u = sum(v == 1 for v in states.values()), sum(v == 2 for v in states.values())
    if h + u:  # applicable: max × H / (H + U)
        current[scope] += max_score[c] * h / (h + u)
        maximum[scope] += max_score[c]
        weighing[scope].update(r for r, v in states.items() if v)
scored = [s for s in maximum if maximum[s] > 0]  # a scope with no points is undefined
total = sum(len(weighing[s]) for s in scored)
pct = sum(len(weighing[s]) * 100 * current[s] / maximum[s] for s in scored) / total if total else None
print(json.dumps({"percentage": pct}))
