#!/usr/bin/env python3
"""A small estate of assessments for the engine tests (tests/engines.rs), deterministic
from a seed:

    generate.py --seed N --as-of YYYY-MM-DD OUT_DIR

writes into OUT_DIR

  * ``native.jsonl``: native assessments (SPEC §2), one a line: several subscriptions,
    an AWS ARN with no connector (the unnamed scope), Azure ids in mixed case and with and
    without the leading ``/`` (one resource however spelt), the subscription and resource
    groups themselves as resources, several resource groups and types, every status
    spelling, waiver and mitigated exemptions whose expiry lies before, on and after the
    as-of date (dates and RFC 3339 times with offsets that move the UTC date), and an
    identical duplicate of one assessment under another spelling of its resource;
  * ``resource-graph.jsonl``: the same estate as Resource Graph ``securityresources``
    rows (``type`` ``microsoft.security/assessments``), one a line, as an engine's table
    holds them: exemptions as ``status.cause`` ``Exempt`` (Azure exports no expiry), the
    AWS resource under a security connector (its scope), inline ``metadata`` on most rows
    (a preview recommendation, a custom one), GUID keys in upper case on some rows;
  * ``resource-graph.json``: those rows as ``az graph query`` prints them;
  * ``definitions.json``: the native ``controls``, ``recommendations`` and
    ``subscriptions`` (with ``management_groups``) both estates are scored with.

Only the standard library; only ``random.Random.random`` is drawn from, so the bytes
are the same on every Python 3.
"""

import argparse
import datetime
import json
import os
import random


def guid(rng):
    """A GUID drawn from `rng` (lower case)."""
    digits = "".join("0123456789abcdef"[int(rng.random() * 16)] for _ in range(32))
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-8{digits[17:20]}-{digits[20:]}"


def pick(rng, items):
    return items[int(rng.random() * len(items))]


def chance(rng, p):
    return rng.random() < p


# Controls: (name, max score, indices of member recommendations). Recommendation 7 is in
# two controls, 9 and 10 in none; control 4 is worth 0 points; recommendation 5 is in
# preview and 8 is custom (Resource Graph metadata only: the native format cannot say so).
CONTROLS = [
    ("Enable MFA", 10, [0, 1]),
    ("Apply system updates", 6, [2, 7]),
    ("Encrypt data in transit", 4, [3, 4, 7]),
    ("Preview and custom", 3, [5, 6, 8]),
    ("Worth nothing", 0, [11]),
]
RECOMMENDATIONS = 12
PREVIEW = {5}
CUSTOM = {8}
SEVERITIES = ["low", "medium", "high", "critical"]

TYPES = [
    ("Microsoft.Compute", "virtualMachines"),
    ("Microsoft.Storage", "storageAccounts"),
    ("Microsoft.KeyVault", "vaults"),
]


def spellings(rng, resource_id):
    """One spelling of an Azure id: as written, upper or lower case, without the `/`."""
    roll = rng.random()
    if roll < 0.55:
        return resource_id
    if roll < 0.7:
        return resource_id.upper()
    if roll < 0.85:
        return resource_id.lower()
    return resource_id[1:]


def estate(seed):
    """The subscriptions, recommendations, and resources (id, scope hint) of a seed."""
    rng = random.Random(seed)
    subscriptions = [guid(rng) for _ in range(3)]
    recommendations = [guid(rng) for _ in range(RECOMMENDATIONS)]
    resources = []
    for s, sub in enumerate(subscriptions):
        # The subscription is a resource of its own (type Microsoft.Resources/subscriptions).
        resources.append(f"/subscriptions/{sub}")
        for g in range(2 + s % 2):
            rg = f"/subscriptions/{sub}/resourceGroups/rg-{['web', 'data', 'ops'][g]}"
            if g == 0:
                resources.append(rg)
            for i in range(3 + int(rng.random() * 3)):
                namespace, kind = pick(rng, TYPES)
                # Two spellings of one type across resources: one type group.
                if chance(rng, 0.3):
                    namespace, kind = namespace.lower(), kind.lower()
                resources.append(f"{rg}/providers/{namespace}/{kind}/r{s}{g}{i}")
        # A child resource: its type has two segments.
        resources.append(
            f"/subscriptions/{sub}/resourceGroups/rg-web/providers/Microsoft.Sql/servers/sql{s}/databases/db{s}"
        )
    arns = [
        "arn:aws:ec2:us-east-1:123456789012:instance/i-0abc1234",
        "arn:aws:s3:::securescore-bucket",
    ]
    return rng, subscriptions, recommendations, resources, arns


NATIVE_STATUSES = [
    "Healthy",
    "healthy",
    "HEALTHY",
    "Unhealthy",
    "UNHEALTHY",
    "unhealthy",
    "NotApplicable",
    "not_applicable",
    "Not_Applicable",
]


def expiries(as_of):
    """Expiry spellings around `as_of`: before, on, after; times whose offset moves the
    UTC date across the as-of date either way; none."""
    day = datetime.date.fromisoformat(as_of)
    d = lambda n: (day + datetime.timedelta(days=n)).isoformat()
    return [
        d(-30),
        d(-1),
        d(0),
        d(1),
        d(365),
        f"{d(0)}T23:30:00-02:00",  # UTC: the day after: still active the day after
        f"{d(0)}T01:00:00+05:00",  # UTC: the day before: expired on the as-of date
        f"{d(0)}T12:00:00Z",
        f"{d(-1)}T23:59:59.999Z",
        None,
    ]


def native_rows(rng, recommendations, resources, arns, as_of):
    rows = []
    for resource in resources + arns:
        # Each resource is assessed against 4 to 9 distinct recommendations.
        chosen = sorted({int(rng.random() * RECOMMENDATIONS) for _ in range(4 + int(rng.random() * 6))})
        for r in chosen:
            status = pick(rng, NATIVE_STATUSES)
            spelt = resource if resource.startswith("arn:") else spellings(rng, resource)
            row = {"resource": spelt, "recommendation": recommendations[r], "status": status}
            if chance(rng, 0.25):
                row["exemption"] = {"category": pick(rng, ["waiver", "Waiver", "mitigated", "MITIGATED"])}
                expires = pick(rng, expiries(as_of))
                if expires is not None:
                    row["exemption"]["expires"] = expires
                if chance(rng, 0.5):
                    row["exemption"]["reason"] = "accepted by the owner"
            rows.append(row)
    # One identical duplicate under another spelling of its resource: kept once.
    first = rows[3]
    if first["resource"].startswith("/"):
        rows.append(dict(first, resource=first["resource"].swapcase()))
    return rows


def definitions(subscriptions, recommendations):
    chains = [["root", "corp"], ["root", "corp", "prod"], ["root", "sandbox"]]
    return {
        "subscriptions": [
            {"id": sub, "name": f"sub-{i}", "management_groups": chains[i]}
            for i, sub in enumerate(subscriptions)
        ],
        "controls": [
            {
                "id": f"control-{i}",
                "name": name,
                "max_score": max_score,
                "recommendations": [recommendations[r] for r in members],
            }
            for i, (name, max_score, members) in enumerate(CONTROLS)
        ],
        "recommendations": [
            {
                "id": rec,
                "name": f"Recommendation {r}",
                "severity": SEVERITIES[r % 4],
                **({"preview": True} if r in PREVIEW else {}),
            }
            for r, rec in enumerate(recommendations)
        ],
    }


GRAPH_STATUSES = ["Healthy", "Unhealthy", "NotApplicable", "healthy", "UNHEALTHY", "not_applicable"]


def graph_rows(rng, subscriptions, recommendations, resources, arns):
    """Resource Graph rows of the same estate (other statuses drawn, same resources and
    recommendations)."""
    rows = []
    connector = (
        f"/subscriptions/{subscriptions[0]}/resourceGroups/rg-connectors/providers/"
        "Microsoft.Security/securityConnectors/aws-account"
    )
    for resource in resources + arns:
        chosen = sorted({int(rng.random() * RECOMMENDATIONS) for _ in range(4 + int(rng.random() * 6))})
        for r in chosen:
            key = recommendations[r]
            if chance(rng, 0.2):
                key = key.upper()
            if resource.startswith("arn:"):
                # AWS through a connector: the assessment lies under it, which is its scope.
                entity = resource.replace(":", "-").replace("/", "-")
                assessment_id = f"{connector}/securityEntityData/{entity}/providers/Microsoft.Security/assessments/{key}"
                details = {"Source": "Aws", "Id": resource}
                subscription = subscriptions[0]
            else:
                spelt = spellings(rng, resource)
                base = spelt if spelt.startswith("/") else "/" + spelt
                assessment_id = f"{base}/providers/Microsoft.Security/assessments/{key}"
                details = {"Source": "Azure", "Id": spelt}
                subscription = resource.split("/")[2]
            status = {"code": pick(rng, GRAPH_STATUSES)}
            roll = rng.random()
            if roll < 0.1:
                # Exempt in Defender: Azure writes it not applicable.
                status = {"code": "NotApplicable", "cause": "Exempt", "description": "Exempt"}
            elif roll < 0.15 and status["code"].lower().startswith("not"):
                status["cause"] = "OffByPolicy"
            properties = {
                "resourceDetails": details,
                "displayName": f"Recommendation {r}",
                "status": status,
            }
            # Metadata on every row of a preview or custom recommendation (as Resource
            # Graph writes it), and missing on a few rows of the others.
            if r in PREVIEW or r in CUSTOM or not chance(rng, 0.15):
                properties["metadata"] = {
                    "displayName": f"Recommendation {r}",
                    "severity": SEVERITIES[r % 4].capitalize(),
                    "assessmentType": "CustomPolicy" if r in CUSTOM else pick(rng, ["BuiltIn", "BuiltInPolicy"]),
                    **({"preview": True} if r in PREVIEW else {}),
                }
            rows.append(
                {
                    "id": assessment_id,
                    "name": key,
                    "type": pick(rng, ["microsoft.security/assessments", "Microsoft.Security/assessments"]),
                    "subscriptionId": subscription,
                    "properties": properties,
                }
            )
    # A row of another type that securityresources holds beside assessments, not read: a
    # sub-assessment, named by a GUID as every row here is (so that an engine that
    # detects GUIDs types the `name` column as one).
    parent = rows[0]["id"]
    finding = guid(rng)
    rows.append(
        {
            "id": f"{parent}/subAssessments/{finding}",
            "name": finding,
            "type": "microsoft.security/assessments/subassessments",
            "subscriptionId": subscriptions[0],
            "properties": {"status": {"code": "Unhealthy"}, "displayName": "A finding"},
        }
    )
    return rows


def write_lines(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(row, separators=(",", ":")) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=15)
    p.add_argument("--as-of", required=True, help="the date the exemptions' expiries lie around")
    p.add_argument("out", help="the folder to write into")
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng, subscriptions, recommendations, resources, arns = estate(a.seed)
    write_lines(os.path.join(a.out, "native.jsonl"), native_rows(rng, recommendations, resources, arns, a.as_of))
    graph = graph_rows(rng, subscriptions, recommendations, resources, arns)
    write_lines(os.path.join(a.out, "resource-graph.jsonl"), graph)
    with open(os.path.join(a.out, "resource-graph.json"), "w", encoding="utf-8", newline="\n") as f:
        wrapper = {"count": len(graph), "data": graph, "skip_token": None, "total_records": len(graph)}
        json.dump(wrapper, f, indent=2)
        f.write("\n")
    with open(os.path.join(a.out, "definitions.json"), "w", encoding="utf-8", newline="\n") as f:
        json.dump(definitions(subscriptions, recommendations), f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
