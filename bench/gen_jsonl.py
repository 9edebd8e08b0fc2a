#!/usr/bin/env python3
"""Generate large synthetic inputs for benchmarking securescore.

Default mode: a JSON Lines file of native assessments (SPEC §2), one
``{"resource": ..., "recommendation": ..., "status": ...}`` object per line.

``--azure-rows``: an Azure Resource Graph result exactly as ``az graph query``
prints it (``json.dumps(..., indent=2, sort_keys=True, ensure_ascii=False)``):
``{"count": N, "data": [...], "skip_token": null, "total_records": N}`` whose rows
look like ``securityresources | where type == "microsoft.security/assessments"``.

Both modes stream: memory stays flat whatever N is.  Output is deterministic for
a given --seed, --subscriptions and catalog.

Shape of the data:
  * resources are VMs, ``/subscriptions/<guid>/resourceGroups/rg-<n>/providers/
    Microsoft.Compute/virtualMachines/vm-<n>``, spread round-robin over K
    subscriptions, 25 VMs per resource group;
  * each resource is assessed against 8..12 (mean 10) distinct recommendation
    keys drawn from the catalog's control members, so about N/10 resources and
    every (resource, recommendation) pair is unique;
  * statuses ~70% healthy, ~25% unhealthy, ~5% not applicable; independently
    ~1% of the assessments carry an active waiver exemption (native mode:
    ``"exemption": {"category": "waiver", "expires": "2027-12-31"}``; Azure mode:
    ``status.code == "NotApplicable"`` with ``status.cause == "Exempt"``).

Python 3 standard library only.  Lines are built with string formatting from
per-key templates (json.dumps runs once per key, never per line).
"""

import argparse
import json
import os
import random
import sys
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
# The catalog the binary embeds (src/catalog.rs reads the same file).
DEFAULT_CATALOG = os.path.join(HERE, "..", "data", "azure-controls.json")

VMS_PER_RG = 25
KEYS_MIN, KEYS_MAX = 8, 12          # per resource; mean 10
P_HEALTHY, P_UNHEALTHY = 0.70, 0.25  # remainder: not applicable
P_EXEMPT = 0.01
FLUSH_EVERY = 20000                  # lines/rows per write()


def parse_args(argv):
    p = argparse.ArgumentParser(
        description="Generate synthetic securescore benchmark inputs (streams; stdlib only).")
    p.add_argument("--assessments", "-n", type=int, required=True, metavar="N",
                   help="number of assessments (JSONL lines, or Resource Graph rows)")
    p.add_argument("--out", "-o", required=True, metavar="FILE",
                   help="output file ('-' for stdout)")
    p.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    p.add_argument("--subscriptions", "-k", type=int, default=4, metavar="K",
                   help="number of subscriptions (default 4)")
    p.add_argument("--azure-rows", action="store_true",
                   help="write an `az graph query` result of microsoft.security/assessments rows")
    p.add_argument("--catalog", metavar="PATH",
                   help="control catalog JSON (default: the repo's data/azure-controls.json)")
    a = p.parse_args(argv)
    if a.assessments < 0:
        p.error("--assessments must be >= 0")
    if a.subscriptions < 1:
        p.error("--subscriptions must be >= 1")
    return a


def load_catalog(path):
    if path is None:
        if not os.path.exists(DEFAULT_CATALOG):
            sys.exit("gen_jsonl.py: cannot find data/azure-controls.json; pass --catalog PATH")
        path = DEFAULT_CATALOG
    with open(path, encoding="utf-8-sig") as f:
        cat = json.load(f)
    keys = sorted({k for c in cat["controls"] for k in c["recommendations"]})
    if len(keys) < KEYS_MAX:
        sys.exit("gen_jsonl.py: catalog has only %d control member keys" % len(keys))
    recs = {r["id"]: r for r in cat.get("recommendations", [])}
    return keys, recs


def rand_guid(rng):
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def resources(rng, n, subs):
    """Yield (index, subscription, resource_group, vm_name, resource_id, key_list)
    until exactly n assessments have been handed out."""
    remaining = n
    i = 0
    k_subs = len(subs)
    keys = KEYS
    sample = rng.sample
    randint = rng.randint
    while remaining > 0:
        k = randint(KEYS_MIN, KEYS_MAX)
        if k > remaining:
            k = remaining
        remaining -= k
        sub = subs[i % k_subs]
        rg = "rg-%d" % (i // VMS_PER_RG)
        vm = "vm-%d" % i
        rid = "/subscriptions/%s/resourceGroups/%s/providers/Microsoft.Compute/virtualMachines/%s" % (
            sub, rg, vm)
        yield sub, rg, vm, rid, sample(keys, k)
        i += 1


def open_out(path):
    if path == "-":
        return open(sys.stdout.fileno(), "w", encoding="utf-8", newline="\n",
                    buffering=1 << 20, closefd=False)
    return open(path, "w", encoding="utf-8", newline="\n", buffering=1 << 20)


# --------------------------------------------------------------------------- native

def write_native(out, rng, n, subs):
    status_suffix = []
    for st in ("healthy", "unhealthy", "not_applicable"):
        status_suffix.append((
            '", "status": "%s"}\n' % st,
            '", "status": "%s", "exemption": {"category": "waiver", "expires": "2027-12-31"}}\n' % st,
        ))
    h, hu = P_HEALTHY, P_HEALTHY + P_UNHEALTHY
    rnd = rng.random
    buf = []
    append = buf.append
    for _sub, _rg, _vm, rid, keys in resources(rng, n, subs):
        prefix = '{"resource": "' + rid + '", "recommendation": "'
        for key in keys:
            r = rnd()
            s = status_suffix[0 if r < h else (1 if r < hu else 2)]
            append(prefix + key + s[1 if rnd() < P_EXEMPT else 0])
        if len(buf) >= FLUSH_EVERY:
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))


# --------------------------------------------------------------------------- Azure Resource Graph

SEV = {"low": "Low", "medium": "Medium", "high": "High", "critical": "High"}
CATEGORIES = ("Compute", "Data", "Networking", "IdentityAndAccess", "AppServices", "IoT", "Container")
THREATS = ("accountBreach", "dataExfiltration", "dataSpillage", "maliciousInsider",
           "elevationOfPrivilege", "threatResistance", "missingCoverage", "denialOfService")
IMPACT = ("Low", "Moderate", "High")

# status variants: index 0..3
STATUS_VARIANTS = (
    ("Healthy", "", ""),
    ("Unhealthy", "", ""),
    ("NotApplicable", "OffByPolicy", "This recommendation is disabled by a policy assignment"),
    ("NotApplicable", "Exempt", "Exempt: waiver (risk accepted) until 2027-12-31"),
)
EVAL_DATES = (("2025-03-14T09:21:07.4471230Z", "2026-11-18T02:40:51.1187732Z"),
              ("2024-11-02T17:05:44.9021118Z", "2026-10-29T11:13:26.6675310Z"))

# Sentinels replaced by %(...)s fields after json.dumps.
S_RID, S_SUB, S_RG, S_VM = "@@RID@@", "@@SUB@@", "@@RG@@", "@@VM@@"


def key_meta(rng, key, rec):
    name = rec.get("name") or ("Security recommendation %s should be remediated" % key[:8])
    sev = SEV.get(str(rec.get("severity", "")).lower()) or rng.choice(("Low", "Medium", "High"))
    return {
        "displayName": name,
        "assessmentType": "BuiltIn",
        "severity": sev,
        "policyDefinitionId": "/providers/Microsoft.Authorization/policyDefinitions/" + rand_guid(rng),
        "description": "%s, to reduce the attack surface of the resource." % name,
        "remediationDescription": "Select the unhealthy resources and apply the fix.",
        "categories": [rng.choice(CATEGORIES)],
        "userImpact": rng.choice(IMPACT),
        "implementationEffort": rng.choice(IMPACT),
        "threats": sorted(rng.sample(THREATS, 2)),
    }


def row_templates(rng, keys, recs, tenant):
    """For each key, 4 %-format templates (one per status variant) of one row as az
    prints it inside the data array (indented by 4 spaces, no trailing comma)."""
    out = {}
    for key in keys:
        meta = key_meta(rng, key, recs.get(key, {}))
        first, changed = rng.choice(EVAL_DATES)
        variants = []
        for code, cause, desc in STATUS_VARIANTS:
            row = {
                "id": S_RID + "/providers/Microsoft.Security/assessments/" + key,
                "name": key,
                "type": "microsoft.security/assessments",
                "tenantId": tenant,
                "kind": "",
                "location": "",
                "resourceGroup": S_RG,
                "subscriptionId": S_SUB,
                "managedBy": "",
                "sku": None,
                "plan": None,
                "tags": None,
                "identity": None,
                "zones": None,
                "extendedLocation": None,
                "properties": {
                    "resourceDetails": {
                        "Source": "Azure",
                        "Id": S_RID,
                        "ResourceId": S_RID,
                        "ResourceName": S_VM,
                        "ResourceProvider": "microsoft.compute",
                        "ResourceType": "virtualmachines",
                    },
                    "displayName": meta["displayName"],
                    "status": {
                        "code": code,
                        "cause": cause,
                        "description": desc,
                        "firstEvaluationDate": first,
                        "statusChangeDate": changed,
                    },
                    "additionalData": {},
                    "metadata": meta,
                    "links": {
                        "azurePortal": "portal.azure.com/#blade/Microsoft_Azure_Security/"
                                       "RecommendationsBlade/assessmentKey/%s/showSecurityCenterCommandBar/false"
                                       % key,
                    },
                    "statusPerInitiative": [{
                        "policyInitiativeName": "ASC Default",
                        "assessmentStatus": {"code": code, "cause": cause},
                    }],
                },
            }
            text = json.dumps(row, ensure_ascii=False, indent=2, sort_keys=True,
                              separators=(",", ": "))
            text = "\n".join("    " + line for line in text.split("\n"))
            text = (text.replace("%", "%%")
                    .replace(S_RID, "%(rid)s").replace(S_SUB, "%(sub)s")
                    .replace(S_RG, "%(rg)s").replace(S_VM, "%(vm)s"))
            variants.append(text)
        out[key] = variants
    return out


def write_azure(out, rng, n, subs, recs):
    tenant = rand_guid(rng)
    templates = row_templates(rng, KEYS, recs, tenant)
    out.write('{\n  "count": %d,\n  "data": [' % n)
    if n == 0:
        out.write("],\n")
    else:
        out.write("\n")
    h, hu = P_HEALTHY, P_HEALTHY + P_UNHEALTHY
    rnd = rng.random
    buf = []
    append = buf.append
    sep = ""
    for sub, rg, vm, rid, keys in resources(rng, n, subs):
        fields = {"rid": rid, "sub": sub, "rg": rg, "vm": vm}
        for key in keys:
            if rnd() < P_EXEMPT:
                v = 3
            else:
                r = rnd()
                v = 0 if r < h else (1 if r < hu else 2)
            append(sep)
            append(templates[key][v] % fields)
            sep = ",\n"
        if len(buf) >= 8000:  # ~4000 rows, ~11 MB
            out.write("".join(buf))
            buf.clear()
    out.write("".join(buf))
    if n:
        out.write("\n  ],\n")
    out.write('  "skip_token": null,\n  "total_records": %d\n}\n' % n)


def main(argv=None):
    global KEYS
    a = parse_args(sys.argv[1:] if argv is None else argv)
    KEYS, recs = load_catalog(a.catalog)
    rng = random.Random(a.seed)
    subs = [rand_guid(rng) for _ in range(a.subscriptions)]
    tmp = a.out if a.out == "-" else a.out + ".part"
    out = open_out(tmp)
    try:
        if a.azure_rows:
            write_azure(out, rng, a.assessments, subs, recs)
        else:
            write_native(out, rng, a.assessments, subs)
    except BaseException:
        out.close()
        if tmp != "-":
            os.unlink(tmp)
        raise
    out.close()
    if tmp != "-":
        os.replace(tmp, a.out)


KEYS = ()

if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:
        sys.exit(1)
