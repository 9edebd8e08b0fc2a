#!/usr/bin/env python3
"""Generate examples/azure/: one small Azure estate exported in every shape securescore reads.

Run from anywhere (standard library only, deterministic, no network):

    python3 examples/azure/make_azure.py

It writes, under examples/azure/:

    rest/       `az rest --method get --url ...` output: ARM list pages {"value": [...], "nextLink": ...}
    arg/        `az graph query -q ...` output: {"count", "data", "skip_token", "total_records"}
    arg-rows/   the same Resource Graph rows as bare arrays (`az graph query ... --query data`)
    az-flat/    `az security ...` output: bare arrays of SDK-flattened objects (camelCase, nulls kept)
    az-nested/  bare arrays of REST items with `properties` nested (`az rest ... --query value`)
    counts/     count-level data only: secure score controls ($expand=definition) + secure scores
    expected.json  the figures computed below by this script's own implementation of SPEC s1/s1.1
    README.md   which command produces each file

Every folder holds the whole estate and scores the same. README.md lists the commands.

THE ESTATE
==========

Tenant 5e0c1b7a-2d43-4f6e-9a81-c3b2d4e5f607, two subscriptions:

    contoso-prod  3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384  (westeurope)  10 resources, 32 assessments
    contoso-dev   a84f0d26-91c7-4e3b-b5d2-6e0f8c4a1b97  (northeurope)  6 resources, 17 assessments

Seven real built-in controls (id = Azure control name GUID; name and max from data/azure-controls.json;
the exported definitions list the members the catalog names, i.e. the keys still in Microsoft's
current reference pages: MFA 7, SMP 3, SYS 7, EAR 5, EDT 13, RUN 36, EEP 10 members):

    MFA  34a42fb3-e6db-409c-b56b-7b1db6b8aee0  Enable MFA                              max 10
    SMP  52901099-235c-4971-b9d5-a33fca3a936e  Secure management ports                 max  8
    SYS  61702b76-1fab-41f2-bcbc-50b7870dcf38  Apply system updates                    max  6
    EAR  8fd574ec-43cf-426e-a439-a67cbaf2d564  Enable encryption at rest               max  4
    EDT  0e55495e-034f-4abc-8293-767229250176  Encrypt data in transit                 max  4
    RUN  f9d5432b-8f7b-45e9-b90c-e214a30f6a02  Restrict unauthorized network access    max  4
    EEP  12136bd9-dc24-44f2-9587-7be3af6aac14  Enable endpoint protection              max  2
                                               (no member is assessed: never applicable)

Recommendations (real assessment keys; control membership from the catalog):

    94290b00 MFA owner permissions (MFA)        57e98606 MFA write permissions (MFA)
    483f12ed internet-facing VMs need NSG (SMP and RUN: the key that sits in two controls)
    bc303248 management ports closed (SMP)      805651bc just-in-time access (SMP)
    4ab6e3c5 system updates (SYS)               e1145ab1 system updates, Update Center (SYS) PREVIEW
    651967bf TDE on SQL databases (EAR)         d57a4221 VM temp disk/cache encryption (EAR)
    1c5de8e1 secure transfer to storage (EDT)   1b351b29 web app HTTPS only (EDT)
    2a54c352 latest TLS for web apps (EDT)      ad4f3ff1 storage network rules (RUN)
    7d1f3c52-... "data-classification tag" CUSTOM (assessmentType CustomPolicy, in no control)

Resources (ids /subscriptions/<sub>/resourceGroups/<rg>/providers/<type>/<name>):
    contoso-prod: rg-web-prod: vm-web-01, vm-web-02, vm-api-01 (Microsoft.Compute/virtualMachines),
                  app-contoso-web (Microsoft.Web/sites); rg-shared-prod: vm-jump-01, stcontosologs01;
                  rg-data-prod: stcontosoprod01 (Microsoft.Storage/storageAccounts),
                  sqldb-orders / sqldb-customers = Microsoft.Sql/servers/sql-contoso-prod/databases/orders|customers
    contoso-dev:  rg-dev: vm-dev-01, stcontosodev01, app-contoso-web-dev,
                  sqldb-orders-dev = Microsoft.Sql/servers/sql-contoso-dev/databases/orders-dev;
                  rg-build: vm-build-01
    plus each subscription itself (/subscriptions/<sub>), assessed by the two MFA recommendations.

Statuses: H healthy, U unhealthy, NA-P NotApplicable/OffByPolicy, NA-X NotApplicable/Exempt
(Azure's exempt resource: a waiver, scores as not applicable), pv = preview (not counted),
cu = custom (not counted). Assessments of bc303248, ad4f3ff1, 651967bf and 1c5de8e1 (policy-based
in Azure) spell the resource id in lower case, the others in the resource's own casing, so the
same resource must be matched case-insensitively across recommendations.

contoso-prod               94290b00 57e98606 483f12ed bc303248 805651bc 4ab6e3c5 e1145ab1 d57a4221 651967bf 1c5de8e1 1b351b29 2a54c352 ad4f3ff1 7d1f3c52
  /subscriptions/<prod>    H        H
  vm-web-01                                  H        H        U        H        U pv     U
  vm-web-02                                  H        H        H        U                 H
  vm-api-01                                  H        U        H        H                 H
  vm-jump-01                                 U        U        U        H                 NA-P
  stcontosoprod01                                                                                           H                          H        U cu
  stcontosologs01                                                                                           H                          U
  sqldb-orders                                                                                     H
  sqldb-customers                                                                                  U
  app-contoso-web                                                                                                    H        U

contoso-dev                94290b00 57e98606 483f12ed bc303248 805651bc 4ab6e3c5 e1145ab1 d57a4221 651967bf 1c5de8e1 1b351b29 2a54c352 ad4f3ff1 7d1f3c52
  /subscriptions/<dev>     H        U
  vm-dev-01                                  U        H        U        U
  vm-build-01                                H        H        H        H        H pv     NA-P
  stcontosodev01                                                                                            U                          U
  sqldb-orders-dev                                                                                 NA-X
  app-contoso-web-dev                                                                                                H        H

HAND CHECK (SPEC s1): per scope and control, a resource is U if any counted assessment is U,
else H if any is H, else NA; current = max*H/(H+U).

contoso-prod   control  max  H  U NA   current             exported current / percentage
               MFA       10  1  0  0   10*1/1  = 10         10.0 / 1.0
               SMP        8  1  3  0    8*1/4  =  2          2.0 / 0.25
               SYS        6  3  1  0    6*3/4  =  4.5        4.5 / 0.75   (vm-web-01's preview U ignored)
               EAR        4  3  2  1    4*3/5  =  2.4        2.4 / 0.6    (vm-jump-01 NA by policy)
               EDT        4  2  1  0    4*2/3  =  2.6667     2.67 / 0.6675
               RUN        4  4  2  0    4*4/6  =  2.6667     2.67 / 0.6675
               EEP        2  0  0  0   not applicable        0.0 / 0.0, score.max 0, weight 0
               scope: max 36, current 24.2333, percentage 100*24.2333/36 = 67.3148
               exported ascScore: current 24.24 (sum of rounded), max 36, percentage 0.6733, weight 32

contoso-dev    MFA       10  0  1  0    0                    0.0 / 0.0
               SMP        8  1  1  0    8*1/2  =  4          4.0 / 0.5
               SYS        6  1  1  0    6*1/2  =  3          3.0 / 0.5
               EAR        4  0  0  2   not applicable (orders-dev exempt, vm-build-01 off by policy)
               EDT        4  1  1  0    4*1/2  =  2          2.0 / 0.5
               RUN        4  1  2  0    4*1/3  =  1.3333     1.33 / 0.3325
               EEP        2  0  0  0   not applicable
               scope: max 32, current 10.3333, percentage 100*10.3333/32 = 32.2917
               exported ascScore: current 10.33, max 32, percentage 0.3228, weight 17

Overall (SPEC s1.1, exported ascScore weights 32 and 17, W = 49):
    (32*67.3148 + 17*32.2917) / 49 = (2154.0741 + 548.9583) / 49 = 55.1639
(With computed `resources` weights 10 and 5 instead: (10*67.3148 + 5*32.2917)/15 = 55.6404.)

Per control (k_s = w_s/max_s: k_prod = 32/36 = 0.888889, k_dev = 17/32 = 0.53125, sum 1.420139;
sums over the scopes where the control is applicable; potential % = 100*sum k_s*(max - current_s)/W):

    rank control current_score                                   potential_increase_percentage
    1    SMP  (0.888889*2 + 0.53125*4)/1.420139       = 2.7482   100*(0.888889*6 + 0.53125*4)/49      = 15.2211
    2    MFA  (0.888889*10 + 0.53125*0)/1.420139      = 6.2592   100*(0.888889*0 + 0.53125*10)/49     = 10.8418
    3    SYS  (0.888889*4.5 + 0.53125*3)/1.420139     = 3.9389   100*(0.888889*1.5 + 0.53125*3)/49    =  5.9736
    4    RUN  (0.888889*8/3 + 0.53125*4/3)/1.420139   = 2.1679   100*(0.888889*4/3 + 0.53125*8/3)/49  =  5.3099
    5    EDT  (0.888889*8/3 + 0.53125*2)/1.420139     = 2.4173   100*(0.888889*4/3 + 0.53125*2)/49    =  4.5871
    6    EAR  2.4 (applicable in contoso-prod only)            100*0.888889*1.6/49                  =  2.9025
    null EEP  not applicable anywhere: current 0, potential 0
    the potential percentages sum to 44.8361 = 100 - 55.1639

Resource counts (plain sums over scopes): MFA 1/1/0, SMP 2/4/0, SYS 4/2/0, EAR 3/2/3, EDT 3/2/0,
RUN 5/4/0, EEP 0/0/0 (H/U/NA). Distinct scored resources: 10 (prod) + 5 (dev) = 15.

The script asserts every number in this table against its own computation, so the docstring and
expected.json cannot drift apart.
"""

import copy
import json
import os
import shutil
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "..", "..", "data", "azure-controls.json")
ARM = "https://management.azure.com"

TENANT = "5e0c1b7a-2d43-4f6e-9a81-c3b2d4e5f607"
PROD = "3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384"
DEV = "a84f0d26-91c7-4e3b-b5d2-6e0f8c4a1b97"
SUBSCRIPTIONS = [  # (id, name, location)
    (PROD, "contoso-prod", "westeurope"),
    (DEV, "contoso-dev", "northeurope"),
]
SUB_NAME = {s[0]: s[1] for s in SUBSCRIPTIONS}

# Exported ascScore weight per subscription: the number of assessments it holds (a plausible
# integer; Azure does not document the formula). Checked below against the estate.
ASC_WEIGHT = {PROD: 32, DEV: 17}

# ---------------------------------------------------------------------------------------------
# Controls: (short, id). Name, max and membership come from the catalog.
CONTROL_IDS = [
    ("MFA", "34a42fb3-e6db-409c-b56b-7b1db6b8aee0"),
    ("SMP", "52901099-235c-4971-b9d5-a33fca3a936e"),
    ("SYS", "61702b76-1fab-41f2-bcbc-50b7870dcf38"),
    ("EAR", "8fd574ec-43cf-426e-a439-a67cbaf2d564"),
    ("EDT", "0e55495e-034f-4abc-8293-767229250176"),
    ("RUN", "f9d5432b-8f7b-45e9-b90c-e214a30f6a02"),
    ("EEP", "12136bd9-dc24-44f2-9587-7be3af6aac14"),
]

# Recommendations: key -> metadata. Names and severities are the catalog's; descriptions and
# remediations are our own short wording. `lower`: Azure reports the resource id in lower case.
CUSTOM_KEY = "7d1f3c52-9a4e-4b80-b6d2-e53a0c91f4a8"
RECS = {
    "94290b00-4d0c-d7b4-7cea-064a9554e681": dict(
        category="IdentityAndAccess", threats=["accountBreach"],
        description="Subscription owners without multi-factor authentication are an easy way in for an attacker.",
        remediation="Require MFA for every account with owner permissions, for example with Conditional Access."),
    "57e98606-6b1e-6193-0e3d-fe621387c16b": dict(
        category="IdentityAndAccess", threats=["accountBreach"],
        description="Accounts that can write to the subscription sign in without multi-factor authentication.",
        remediation="Require MFA for every account with write permissions on the subscription."),
    "483f12ed-ae23-447e-a2de-a67a10db4353": dict(
        category="Networking", threats=["dataExfiltration"],
        description="The VM has a public IP address but no network security group on its NIC or subnet.",
        remediation="Associate a network security group that allows only the required inbound traffic."),
    "bc303248-3d14-44c2-96a0-55f5c326b5fe": dict(
        category="Networking", threats=["dataExfiltration"], lower=True,
        description="RDP or SSH is reachable from the internet through the network security group.",
        remediation="Remove inbound allow rules for ports 22 and 3389 or restrict their source."),
    "805651bc-6ecd-4c73-9b55-97a19d0582d0": dict(
        category="Networking", threats=["accountBreach"],
        description="Management ports stay open instead of being opened on request for a limited time.",
        remediation="Enable just-in-time VM access and request access only when needed."),
    "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27": dict(
        category="Compute", threats=["elevationOfPrivilege"],
        description="Security and critical updates are missing on the machine.",
        remediation="Install the missing updates, then restart the machine if required."),
    "e1145ab1-eb4f-43d8-911b-36ddf771d13f": dict(
        category="Compute", threats=["elevationOfPrivilege"], preview=True,
        description="Update Center found pending security or critical updates on the machine.",
        remediation="Enable periodic assessment in Update Center and schedule the pending updates."),
    "651967bf-044e-4bde-8376-3e08e0600105": dict(
        category="Data", threats=["dataSpillage"], lower=True,
        description="The database and its backups are stored without transparent data encryption.",
        remediation="Turn on transparent data encryption for the database."),
    "d57a4221-a804-52ca-3dea-768284f06bb7": dict(
        category="Compute", threats=["dataSpillage"],
        description="Temporary disks and disk caches of the VM are not encrypted.",
        remediation="Enable encryption at host or Azure Disk Encryption on the VM."),
    "1c5de8e1-f68d-6a17-e0d2-ec259c42768c": dict(
        category="Data", threats=["dataExfiltration"], lower=True,
        description="The storage account accepts requests over plain HTTP.",
        remediation="Set 'Secure transfer required' to Enabled on the storage account."),
    "1b351b29-41ca-6df5-946c-c190a56be5fe": dict(
        category="AppServices", threats=["dataExfiltration"],
        description="The web app accepts plain HTTP connections.",
        remediation="Turn on 'HTTPS only' in the web app's TLS/SSL settings."),
    "2a54c352-7ca4-4bae-ad46-47ecd9595bd2": dict(
        category="AppServices", threats=["dataExfiltration"],
        description="The web app still accepts TLS versions older than the latest supported one.",
        remediation="Set the minimum TLS version of the web app to the latest version."),
    "ad4f3ff1-30eb-5042-16ed-27198f640b8d": dict(
        category="Data", threats=["dataExfiltration"], lower=True,
        description="The storage account accepts traffic from all networks.",
        remediation="Set the default network action to Deny and add virtual network rules."),
    CUSTOM_KEY: dict(
        name="Storage accounts should carry a 'data-classification' tag", severity="Low",
        category="Data", threats=[], custom=True,
        description="Contoso policy: every storage account states the classification of its data.",
        remediation="Add the tag data-classification with one of public, internal, confidential."),
}

# Resources: short -> (subscription, resource group or None, provider type, name path)
RESOURCES = {
    "prod-sub": (PROD, None, None, None),
    "vm-web-01": (PROD, "rg-web-prod", "Microsoft.Compute/virtualMachines", "vm-web-01"),
    "vm-web-02": (PROD, "rg-web-prod", "Microsoft.Compute/virtualMachines", "vm-web-02"),
    "vm-api-01": (PROD, "rg-web-prod", "Microsoft.Compute/virtualMachines", "vm-api-01"),
    "vm-jump-01": (PROD, "rg-shared-prod", "Microsoft.Compute/virtualMachines", "vm-jump-01"),
    "stcontosoprod01": (PROD, "rg-data-prod", "Microsoft.Storage/storageAccounts", "stcontosoprod01"),
    "stcontosologs01": (PROD, "rg-shared-prod", "Microsoft.Storage/storageAccounts", "stcontosologs01"),
    "sqldb-orders": (PROD, "rg-data-prod", "Microsoft.Sql/servers", "sql-contoso-prod/databases/orders"),
    "sqldb-customers": (PROD, "rg-data-prod", "Microsoft.Sql/servers", "sql-contoso-prod/databases/customers"),
    "app-contoso-web": (PROD, "rg-web-prod", "Microsoft.Web/sites", "app-contoso-web"),
    "dev-sub": (DEV, None, None, None),
    "vm-dev-01": (DEV, "rg-dev", "Microsoft.Compute/virtualMachines", "vm-dev-01"),
    "vm-build-01": (DEV, "rg-build", "Microsoft.Compute/virtualMachines", "vm-build-01"),
    "stcontosodev01": (DEV, "rg-dev", "Microsoft.Storage/storageAccounts", "stcontosodev01"),
    "sqldb-orders-dev": (DEV, "rg-dev", "Microsoft.Sql/servers", "sql-contoso-dev/databases/orders-dev"),
    "app-contoso-web-dev": (DEV, "rg-dev", "Microsoft.Web/sites", "app-contoso-web-dev"),
}

K = {k[:8]: k for k in RECS}  # short key prefix -> full key
# Assessments: (resource short, key prefix, status). Status: H, U, NA-P (off by policy), NA-X (exempt).
ASSESSMENTS = [
    ("prod-sub", "94290b00", "H"), ("prod-sub", "57e98606", "H"),
    ("vm-web-01", "483f12ed", "H"), ("vm-web-01", "bc303248", "H"), ("vm-web-01", "805651bc", "U"),
    ("vm-web-01", "4ab6e3c5", "H"), ("vm-web-01", "e1145ab1", "U"), ("vm-web-01", "d57a4221", "U"),
    ("vm-web-02", "483f12ed", "H"), ("vm-web-02", "bc303248", "H"), ("vm-web-02", "805651bc", "H"),
    ("vm-web-02", "4ab6e3c5", "U"), ("vm-web-02", "d57a4221", "H"),
    ("vm-api-01", "483f12ed", "H"), ("vm-api-01", "bc303248", "U"), ("vm-api-01", "805651bc", "H"),
    ("vm-api-01", "4ab6e3c5", "H"), ("vm-api-01", "d57a4221", "H"),
    ("vm-jump-01", "483f12ed", "U"), ("vm-jump-01", "bc303248", "U"), ("vm-jump-01", "805651bc", "U"),
    ("vm-jump-01", "4ab6e3c5", "H"), ("vm-jump-01", "d57a4221", "NA-P"),
    ("stcontosoprod01", "1c5de8e1", "H"), ("stcontosoprod01", "ad4f3ff1", "H"),
    ("stcontosoprod01", CUSTOM_KEY[:8], "U"),
    ("stcontosologs01", "1c5de8e1", "H"), ("stcontosologs01", "ad4f3ff1", "U"),
    ("sqldb-orders", "651967bf", "H"), ("sqldb-customers", "651967bf", "U"),
    ("app-contoso-web", "1b351b29", "H"), ("app-contoso-web", "2a54c352", "U"),
    ("dev-sub", "94290b00", "H"), ("dev-sub", "57e98606", "U"),
    ("vm-dev-01", "483f12ed", "U"), ("vm-dev-01", "bc303248", "H"), ("vm-dev-01", "805651bc", "U"),
    ("vm-dev-01", "4ab6e3c5", "U"),
    ("vm-build-01", "483f12ed", "H"), ("vm-build-01", "bc303248", "H"), ("vm-build-01", "805651bc", "H"),
    ("vm-build-01", "4ab6e3c5", "H"), ("vm-build-01", "e1145ab1", "H"), ("vm-build-01", "d57a4221", "NA-P"),
    ("stcontosodev01", "1c5de8e1", "U"), ("stcontosodev01", "ad4f3ff1", "U"),
    ("sqldb-orders-dev", "651967bf", "NA-X"),
    ("app-contoso-web-dev", "1b351b29", "H"), ("app-contoso-web-dev", "2a54c352", "H"),
]

# The hand-check table of the docstring: (scope, control) -> (H, U, NA, exported current, exported pct)
HAND = {
    (PROD, "MFA"): (1, 0, 0, "10.0", "1.0"), (PROD, "SMP"): (1, 3, 0, "2.0", "0.25"),
    (PROD, "SYS"): (3, 1, 0, "4.5", "0.75"), (PROD, "EAR"): (3, 2, 1, "2.4", "0.6"),
    (PROD, "EDT"): (2, 1, 0, "2.67", "0.6675"), (PROD, "RUN"): (4, 2, 0, "2.67", "0.6675"),
    (PROD, "EEP"): (0, 0, 0, "0.0", "0.0"),
    (DEV, "MFA"): (0, 1, 0, "0.0", "0.0"), (DEV, "SMP"): (1, 1, 0, "4.0", "0.5"),
    (DEV, "SYS"): (1, 1, 0, "3.0", "0.5"), (DEV, "EAR"): (0, 0, 2, "0.0", "0.0"),
    (DEV, "EDT"): (1, 1, 0, "2.0", "0.5"), (DEV, "RUN"): (1, 2, 0, "1.33", "0.3325"),
    (DEV, "EEP"): (0, 0, 0, "0.0", "0.0"),
}
HAND_SCOPE = {PROD: (36, "24.24", "0.6733", 67.3148), DEV: (32, "10.33", "0.3228", 32.2917)}
HAND_OVERALL = 55.1639
HAND_CONTROLS = {  # short -> (current_score, potential_increase_percentage)
    "MFA": (6.2592, 10.8418), "SMP": (2.7482, 15.2211), "SYS": (3.9389, 5.9736),
    "EAR": (2.4, 2.9025), "EDT": (2.4173, 4.5871), "RUN": (2.1679, 5.3099), "EEP": (0.0, 0.0),
}


# ---------------------------------------------------------------------------------------------
# Estate model

def load_catalog():
    with open(CATALOG, encoding="utf-8") as f:
        cat = json.load(f)
    controls = {c["id"]: c for c in cat["controls"]}
    recs = {r["id"]: r for r in cat["recommendations"]}
    return controls, recs


CAT_CONTROLS, CAT_RECS = load_catalog()
CONTROLS = []  # list of dicts: short, id, name, max, members (catalog order)
for short, cid in CONTROL_IDS:
    c = CAT_CONTROLS[cid]
    # The exported definitions list the members that the catalog names (keys still in Microsoft's
    # current reference pages): a realistic subset that keeps the files small. Every assessed key
    # is among them, so the catalog's full 2021 membership would give the same score.
    CONTROLS.append(dict(short=short, id=cid, name=c["name"], max=c["max_score"],
                         members=[k for k in c["recommendations"] if "name" in CAT_RECS[k]]))
CONTROL_BY_SHORT = {c["short"]: c for c in CONTROLS}

for key, meta in RECS.items():
    if not meta.get("custom"):
        meta["name"] = CAT_RECS[key]["name"]
        meta["severity"] = CAT_RECS[key]["severity"].capitalize()
        # every control that has this key in the catalog must be exported, else Azure's
        # own figures would include a control this estate does not show
        owners = [c["id"] for c in CAT_CONTROLS.values() if key in c["recommendations"]]
        assert owners and all(o in dict((b, a) for a, b in CONTROL_IDS) for o in owners), key
    else:
        assert all(key not in c["recommendations"] for c in CAT_CONTROLS.values())


def resource_id(short):
    sub, rg, rtype, name = RESOURCES[short]
    if rg is None:
        return "/subscriptions/" + sub
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub, rg, rtype, name)


def assessed_id(short, key):
    """The resource id as Azure spells it in this assessment."""
    rid = resource_id(short)
    return rid.lower() if RECS[key].get("lower") else rid


def assessment_id(short, key):
    return assessed_id(short, key) + "/providers/Microsoft.Security/assessments/" + key


def resource_group(short):
    return RESOURCES[short][1]


ESTATE = []  # dicts: sub, res (short), key, status, id, rid (as spelt), idx
for i, (res, kp, st) in enumerate(ASSESSMENTS):
    key = K[kp]
    ESTATE.append(dict(sub=RESOURCES[res][0], res=res, key=key, status=st, idx=i,
                       id=assessment_id(res, key), rid=assessed_id(res, key)))
assert len({(a["res"], a["key"]) for a in ESTATE}) == len(ESTATE)
for sub in ASC_WEIGHT:  # the exported weight is the number of assessments of the subscription
    assert ASC_WEIGHT[sub] == sum(1 for a in ESTATE if a["sub"] == sub), sub


# ---------------------------------------------------------------------------------------------
# Independent scoring (SPEC s1, s1.1), exact arithmetic with fractions

def counted(a, include_preview=False):
    meta = RECS[a["key"]]
    if meta.get("custom"):
        return False
    if meta.get("preview") and not include_preview:
        return False
    return True


def raw_state(a, ignore_exemptions=False):
    st = a["status"]
    if st == "H":
        return "healthy"
    if st == "U":
        return "unhealthy"
    if st == "NA-X" and ignore_exemptions:
        return "unhealthy"  # SPEC s3: an Exempt assessment's raw status is unknown: counts unhealthy
    return "not_applicable"


def scope_controls(sub, include_preview=False, ignore_exemptions=False):
    """-> {control short: dict(H, U, NA, current Fraction or None, max)}"""
    out = {}
    for c in CONTROLS:
        states = {}
        for a in ESTATE:
            if a["sub"] != sub or a["key"] not in c["members"] or not counted(a, include_preview):
                continue
            r = a["res"]  # resources are matched by identity, whatever the spelling
            s = raw_state(a, ignore_exemptions)
            prev = states.get(r, "not_applicable")
            if "unhealthy" in (prev, s):
                states[r] = "unhealthy"
            elif "healthy" in (prev, s):
                states[r] = "healthy"
            else:
                states[r] = "not_applicable"
        h = sum(1 for v in states.values() if v == "healthy")
        u = sum(1 for v in states.values() if v == "unhealthy")
        na = sum(1 for v in states.values() if v == "not_applicable")
        cur = Fraction(c["max"] * h, h + u) if h + u else None
        out[c["short"]] = dict(H=h, U=u, NA=na, current=cur, max=c["max"])
    return out


def scored_resources(sub, include_preview=False, ignore_exemptions=False):
    res = set()
    for a in ESTATE:
        if a["sub"] != sub or not counted(a, include_preview):
            continue
        if not any(a["key"] in c["members"] for c in CONTROLS):
            continue
        if raw_state(a, ignore_exemptions) in ("healthy", "unhealthy"):
            res.add(a["res"])
    return res


def score(weights=None, include_preview=False, ignore_exemptions=False):
    """weights: {sub: int} (exported) or None = computed `resources` weighting."""
    scopes = []
    for sub, name, _loc in sorted(SUBSCRIPTIONS):
        ctl = scope_controls(sub, include_preview, ignore_exemptions)
        app = [v for v in ctl.values() if v["current"] is not None]
        smax = sum(v["max"] for v in app)
        scur = sum((v["current"] for v in app), Fraction(0))
        w = weights[sub] if weights else len(scored_resources(sub, include_preview, ignore_exemptions))
        w = w or 1  # an exported 0 counts as 1
        pct = Fraction(100) * scur / smax if smax else None
        scopes.append(dict(id=sub, name=name, controls=ctl, max=smax, current=scur, weight=w, pct=pct))
    defined = [s for s in scopes if s["pct"] is not None]
    W = sum(s["weight"] for s in defined)
    overall = sum((s["weight"] * s["pct"] for s in defined), Fraction(0)) / W
    controls = []
    for c in CONTROLS:
        sh = c["short"]
        app = [s for s in defined if s["controls"][sh]["current"] is not None]
        ks = {s["id"]: Fraction(s["weight"]) / s["max"] for s in app}
        if app:
            cur = sum(ks[s["id"]] * s["controls"][sh]["current"] for s in app) / sum(ks.values())
            potp = Fraction(100) * sum(ks[s["id"]] * (c["max"] - s["controls"][sh]["current"])
                                       for s in app) / W
        else:
            cur, potp = Fraction(0), Fraction(0)
        controls.append(dict(
            id=c["id"], name=c["name"], short=sh, applicable=bool(app), max_score=c["max"],
            current_score=cur, potential_increase=(c["max"] - cur) if app else Fraction(0),
            potential_increase_percentage=potp,
            healthy_resources=sum(s["controls"][sh]["H"] for s in scopes),
            unhealthy_resources=sum(s["controls"][sh]["U"] for s in scopes),
            not_applicable_resources=sum(s["controls"][sh]["NA"] for s in scopes)))
    # the potential-increase percentages sum to 100 - percentage
    assert sum(c["potential_increase_percentage"] for c in controls) == 100 - overall
    # triage order (SPEC s1.2)
    app = [c for c in controls if c["applicable"]]
    app.sort(key=lambda c: (-round(c["potential_increase_percentage"] * 10**9), -c["max_score"],
                            c["name"].encode(), c["id"]))
    nap = sorted((c for c in controls if not c["applicable"]), key=lambda c: (c["name"].encode(), c["id"]))
    for i, c in enumerate(app):
        c["rank"] = i + 1
    for c in nap:
        c["rank"] = None
    resources = sum(len(scored_resources(s["id"], include_preview, ignore_exemptions)) for s in scopes)
    return dict(scopes=scopes, overall=overall, controls=app + nap, resources=resources, W=W)


# ---------------------------------------------------------------------------------------------
# Azure's own rounding of the exported figures (half away from zero; no ties allowed, so that
# half-even gives the same)

def round_half_away(x, digits):
    x = Fraction(x)
    scaled = x * 10**digits
    floor = scaled.numerator // scaled.denominator
    frac = scaled - floor
    assert frac != Fraction(1, 2), "exported figure on a rounding tie: %s" % x
    q = floor + (1 if frac > Fraction(1, 2) else 0)
    return Fraction(q, 10**digits)


def fnum(x):
    """Fraction -> float, as Azure prints doubles (4.0, 0.6675)."""
    return float(x)


def exported(sub):
    """-> (controls {short: dict}, ascScore dict), Azure's figures for one subscription."""
    ctl = scope_controls(sub)
    out = {}
    total_cur, total_max = Fraction(0), 0
    for c in CONTROLS:
        v = ctl[c["short"]]
        if v["current"] is None:
            # a control with no healthy or unhealthy resource: score.max 0, weight 0 (real Azure)
            out[c["short"]] = dict(H=v["H"], U=v["U"], NA=v["NA"], max=0, current=0.0,
                                   percentage=0.0, weight=0)
            continue
        cur = round_half_away(v["current"], 2)
        pct = round_half_away(cur / c["max"], 4)
        out[c["short"]] = dict(H=v["H"], U=v["U"], NA=v["NA"], max=c["max"], current=fnum(cur),
                               percentage=fnum(pct), weight=v["H"] + v["U"])
        total_cur += cur
        total_max += c["max"]
    asc = dict(max=total_max, current=fnum(total_cur),
               percentage=fnum(round_half_away(total_cur / total_max, 4)), weight=ASC_WEIGHT[sub])
    return out, asc


EXPORTED = {sub: exported(sub) for sub, _n, _l in SUBSCRIPTIONS}


# ---------------------------------------------------------------------------------------------
# Object builders, REST shape (properties nested)

def eval_dates(a):
    """Fixed first-evaluation and status-change times (2021-06-01 status fields)."""
    i = a["idx"]
    first = "2025-%02d-%02dT%02d:%02d:%02d.%07dZ" % (3 + i % 6, 1 + (i * 7) % 27, (i * 5) % 24,
                                                    (i * 13) % 60, (i * 29) % 60, (i * 7919) % 10**7)
    change = "2025-11-%02dT%02d:%02d:%02d.%07dZ" % (1 + (i * 11) % 20, (i * 3) % 24, (i * 17) % 60,
                                                  (i * 31) % 60, (i * 104729) % 10**7)
    return first, change


def rest_status(a, dates=True):
    st = a["status"]
    if st == "H":
        s = {"code": "Healthy"}
    elif st == "U":
        s = {"code": "Unhealthy"}
    elif st == "NA-P":
        s = {"code": "NotApplicable", "cause": "OffByPolicy",
             "description": "The effective policy for the assessment was evaluated to off - use "
                            "Microsoft.Authorization/policyAssignments to turn this assessment on"}
    else:  # NA-X: the exact description Azure writes for an exempt resource is not documented
        s = {"code": "NotApplicable", "cause": "Exempt", "description": "Exempt"}
    if dates:
        first, change = eval_dates(a)
        s["firstEvaluationDate"] = first
        s["statusChangeDate"] = change
    return s


def rest_metadata(key):
    m = RECS[key]
    d = {"displayName": m["name"], "description": m["description"],
         "remediationDescription": m["remediation"], "categories": [m["category"]],
         "severity": m["severity"], "threats": list(m["threats"])}
    if m.get("preview"):
        d["preview"] = True
    d["assessmentType"] = "CustomPolicy" if m.get("custom") else "BuiltIn"
    return d


def rest_assessment(a):
    rd = {"Source": "Azure", "Id": a["rid"]}
    return {
        "id": a["id"],
        "name": a["key"],
        "type": "Microsoft.Security/assessments",
        "properties": {
            "resourceDetails": rd,
            "displayName": RECS[a["key"]]["name"],
            "status": rest_status(a),
            "metadata": rest_metadata(a["key"]),
        },
    }


def definition_id(cid):
    return "/providers/Microsoft.Security/secureScoreControlDefinitions/" + cid


def metadata_id(key):
    return "/providers/Microsoft.Security/assessmentMetadata/" + key


def rest_definition(c):
    return {
        "id": definition_id(c["id"]),
        "name": c["id"],
        "type": "Microsoft.Security/secureScoreControlDefinitions",
        "properties": {
            "source": {"sourceType": "BuiltIn"},
            "displayName": c["name"],
            "maxScore": c["max"],
            "assessmentDefinitions": [{"id": metadata_id(k)} for k in c["members"]],
        },
    }


def control_id(sub, cid):
    return "/subscriptions/%s/providers/Microsoft.Security/secureScores/ascScore/secureScoreControls/%s" % (sub, cid)


def secure_score_id(sub):
    return "/subscriptions/%s/providers/Microsoft.Security/secureScores/ascScore" % sub


def rest_control(sub, c, expand=False):
    e = EXPORTED[sub][0][c["short"]]
    props = {
        "displayName": c["name"],
        "healthyResourceCount": e["H"],
        "unhealthyResourceCount": e["U"],
        "notApplicableResourceCount": e["NA"],
        "score": {"max": e["max"], "current": e["current"], "percentage": e["percentage"]},
    }
    if expand:
        props["definition"] = rest_definition(c)
    props["weight"] = e["weight"]
    return {"id": control_id(sub, c["id"]), "name": c["id"],
            "type": "Microsoft.Security/secureScores/secureScoreControls", "properties": props}


def rest_secure_score(sub):
    asc = EXPORTED[sub][1]
    return {"id": secure_score_id(sub), "name": "ascScore", "type": "Microsoft.Security/secureScores",
            "properties": {"displayName": "ASC score",
                           "score": {"max": asc["max"], "current": asc["current"],
                                     "percentage": asc["percentage"]},
                           "weight": asc["weight"]}}


def sub_assessments(sub):
    return sorted((a for a in ESTATE if a["sub"] == sub), key=lambda a: a["id"])


def sub_controls(sub, expand=False):
    return [rest_control(sub, c, expand) for c in sorted(CONTROLS, key=lambda c: c["id"])]


def sorted_definitions():
    return [rest_definition(c) for c in sorted(CONTROLS, key=lambda c: c["id"])]


# ---------------------------------------------------------------------------------------------
# Resource Graph rows

def arg_row(obj, sub, rg, extra_props=None):
    props = copy.deepcopy(obj["properties"])
    if extra_props:
        props.update(extra_props)
    return {
        "id": obj["id"],
        "name": obj["name"],
        "type": obj["type"].lower(),
        "tenantId": TENANT,
        "kind": "",
        "location": "",
        "resourceGroup": rg.lower() if rg else "",
        "subscriptionId": sub,
        "managedBy": "",
        "sku": None,
        "plan": None,
        "properties": props,
        "tags": None,
        "identity": None,
        "zones": None,
        "extendedLocation": None,
    }


def arg_assessment_rows():
    rows = [arg_row(rest_assessment(a), a["sub"], resource_group(a["res"])) for a in ESTATE]
    return sorted(rows, key=lambda r: r["id"])


def arg_assessment_rows_of(sub):
    return [r for r in arg_assessment_rows() if r["subscriptionId"] == sub]


def arg_control_rows():
    rows = []
    for sub, _n, _l in SUBSCRIPTIONS:
        for obj in sub_controls(sub, expand=True):
            rows.append(arg_row(obj, sub, None, {"environment": "Azure"}))
    return sorted(rows, key=lambda r: r["id"])


def arg_score_rows():
    rows = [arg_row(rest_secure_score(sub), sub, None, {"environment": "Azure"})
            for sub, _n, _l in SUBSCRIPTIONS]
    return sorted(rows, key=lambda r: r["id"])


def arg_result(rows):
    return {"count": len(rows), "data": rows, "skip_token": None, "total_records": len(rows)}


# ---------------------------------------------------------------------------------------------
# `az security ...` (SDK-flattened, azure-cli todict: camelCase, None printed as null,
# additional_properties merged into the parent, `resourceGroup` added by the CLI's transform)

def az_add_resource_group(obj):
    """azure-cli's _add_resource_group: adds resourceGroup to dicts whose id has a literal
    `/resourceGroups/` 4th segment (case-sensitive), recursively."""
    if isinstance(obj, list):
        for x in obj:
            az_add_resource_group(x)
    elif isinstance(obj, dict):
        if "resourcegroup" not in [k.lower() for k in obj]:
            rid = obj.get("id")
            if isinstance(rid, str):
                parts = rid.split("/")
                if len(parts) > 4 and parts[3] == "resourceGroups":
                    obj["resourceGroup"] = parts[4]
        for k in list(obj):
            az_add_resource_group(obj[k])
    return obj


def az_flat_assessment(a):
    # `az security assessment list` calls the list API without $expand: metadata is null.
    # The service sends resourceDetails as {"Source", "Id"}; the SDK's discriminator is `source`,
    # so it falls back to the base class (source None) and keeps Source/Id as additional
    # properties, which azure-cli merges back into the dict.
    st = rest_status(a, dates=False)
    return {
        "id": a["id"],
        "name": a["key"],
        "type": "Microsoft.Security/assessments",
        "resourceDetails": {"source": None, "Source": "Azure", "Id": a["rid"]},
        "displayName": RECS[a["key"]]["name"],
        "status": {"code": st["code"], "cause": st.get("cause"), "description": st.get("description")},
        "additionalData": None,
        "links": None,
        "metadata": None,
        "partnersData": None,
    }


def az_flat_metadata(key):
    m = rest_metadata(key)
    return {
        "id": metadata_id(key),
        "name": key,
        "type": "Microsoft.Security/assessmentMetadata",
        "displayName": m["displayName"],
        "policyDefinitionId": None,
        "description": m["description"],
        "remediationDescription": m["remediationDescription"],
        "categories": m["categories"],
        "severity": m["severity"],
        "userImpact": None,
        "implementationEffort": None,
        "threats": m["threats"],
        "preview": m.get("preview"),
        "assessmentType": m["assessmentType"],
        "partnerData": None,
    }


def az_flat_definition(c):
    return {
        "id": definition_id(c["id"]),
        "name": c["id"],
        "type": "Microsoft.Security/secureScoreControlDefinitions",
        "displayName": c["name"],
        "description": None,
        "maxScore": c["max"],
        "source": {"sourceType": "BuiltIn"},
        "assessmentDefinitions": [{"id": metadata_id(k)} for k in c["members"]],
    }


def az_flat_control(sub, c):
    e = EXPORTED[sub][0][c["short"]]
    return {
        "id": control_id(sub, c["id"]),
        "name": c["id"],
        "type": "Microsoft.Security/secureScores/secureScoreControls",
        "displayName": c["name"],
        "healthyResourceCount": e["H"],
        "unhealthyResourceCount": e["U"],
        "notApplicableResourceCount": e["NA"],
        "weight": e["weight"],
        "definition": None,
        "max": e["max"],
        "current": e["current"],
        "percentage": e["percentage"],
    }


def az_flat_secure_score(sub):
    asc = EXPORTED[sub][1]
    return {"id": secure_score_id(sub), "name": "ascScore", "type": "Microsoft.Security/secureScores",
            "displayName": "ASC score", "weight": asc["weight"], "max": asc["max"],
            "current": asc["current"], "percentage": asc["percentage"]}


# ---------------------------------------------------------------------------------------------
# Writing

def url_assessments(sub):
    return "%s/subscriptions/%s/providers/Microsoft.Security/assessments?api-version=2021-06-01&$expand=metadata" % (ARM, sub)


def url_controls(sub, expand=False):
    u = "%s/subscriptions/%s/providers/Microsoft.Security/secureScores/ascScore/secureScoreControls?api-version=2020-01-01" % (ARM, sub)
    return u + ("&$expand=definition" if expand else "")


def url_scores(sub):
    return "%s/subscriptions/%s/providers/Microsoft.Security/secureScores?api-version=2020-01-01" % (ARM, sub)


URL_DEFINITIONS = "%s/providers/Microsoft.Security/secureScoreControlDefinitions?api-version=2020-01-01" % ARM
SKIP_TOKEN = "eyJJZCI6IjNjOWU1YTcxLXBhZ2UtMiIsIlBhZ2VTaXplIjoxNn0%3D"
PAGE1 = 16  # contoso-prod's assessments come in two pages: 16 + 16

ASSESSMENT_QUERY = "securityresources | where type == 'microsoft.security/assessments' | order by id asc"
CONTROL_QUERY = "securityresources | where type == 'microsoft.security/securescores/securescorecontrols' | order by id asc"
SCORE_QUERY = "securityresources | where type == 'microsoft.security/securescores' | order by id asc"

WRITTEN = []


def write(rel, value):
    path = os.path.join(HERE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = json.dumps(value, indent=2, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    WRITTEN.append((rel, len(text.encode("utf-8"))))


def write_rest():
    for sub, name, _l in SUBSCRIPTIONS:
        items = [rest_assessment(a) for a in sub_assessments(sub)]
        if sub == PROD:
            nxt = url_assessments(sub) + "&$skipToken=" + SKIP_TOKEN
            write("rest/assessments-%s-page1.json" % name, {"value": items[:PAGE1], "nextLink": nxt})
            write("rest/assessments-%s-page2.json" % name, {"value": items[PAGE1:], "nextLink": None})
        else:
            write("rest/assessments-%s.json" % name, {"value": items})
        write("rest/secure-score-controls-%s.json" % name, {"value": sub_controls(sub)})
        write("rest/secure-scores-%s.json" % name, {"value": [rest_secure_score(sub)]})
    write("rest/secure-score-control-definitions.json", {"value": sorted_definitions()})


def write_arg():
    # assessments: one query per subscription (--subscriptions), to keep each file small
    files = [("assessments-%s.json" % name, arg_assessment_rows_of(sub)) for sub, name, _l in SUBSCRIPTIONS]
    files += [("secure-score-controls.json", arg_control_rows()),
              ("secure-scores.json", arg_score_rows())]
    for rel, rows in files:
        write("arg/" + rel, arg_result(rows))
        write("arg-rows/" + rel, rows)


def write_az_flat():
    builtin = sorted(k for k in RECS if not RECS[k].get("custom"))
    for sub, name, _l in SUBSCRIPTIONS:
        write("az-flat/assessments-%s.json" % name,
              az_add_resource_group([az_flat_assessment(a) for a in sub_assessments(sub)]))
        keys = builtin + ([CUSTOM_KEY] if any(a["key"] == CUSTOM_KEY and a["sub"] == sub for a in ESTATE) else [])
        write("az-flat/assessment-metadata-%s.json" % name,
              az_add_resource_group([az_flat_metadata(k) for k in sorted(keys)]))
        write("az-flat/secure-score-controls-%s.json" % name,
              az_add_resource_group([az_flat_control(sub, c) for c in sorted(CONTROLS, key=lambda c: c["id"])]))
        write("az-flat/secure-scores-%s.json" % name, az_add_resource_group([az_flat_secure_score(sub)]))
    write("az-flat/secure-score-control-definitions.json",
          az_add_resource_group([az_flat_definition(c) for c in sorted(CONTROLS, key=lambda c: c["id"])]))


def write_az_nested():
    for sub, name, _l in SUBSCRIPTIONS:
        items = [rest_assessment(a) for a in sub_assessments(sub)]
        if sub == PROD:
            write("az-nested/assessments-%s-page1.json" % name, items[:PAGE1])
            write("az-nested/assessments-%s-page2.json" % name, items[PAGE1:])
        else:
            write("az-nested/assessments-%s.json" % name, items)
        write("az-nested/secure-score-controls-%s.json" % name, sub_controls(sub, expand=True))
        write("az-nested/secure-scores-%s.json" % name, [rest_secure_score(sub)])


def write_counts():
    for sub, name, _l in SUBSCRIPTIONS:
        write("counts/secure-score-controls-%s.json" % name, {"value": sub_controls(sub, expand=True)})
        write("counts/secure-scores-%s.json" % name, {"value": [rest_secure_score(sub)]})


def num(x):
    return None if x is None else float(x)


def q(url):
    return "'" + url + "'"


def readme(main):
    prod, dev = main["scopes"]
    lines = [
        "# Azure export examples",
        "",
        "One small estate (Contoso: subscriptions `contoso-prod` %s and `contoso-dev` %s, 16 "
        "resources, 49 assessments, 7 built-in controls) exported in every shape `securescore` reads "
        "(SPEC section 3). Every folder holds the whole estate and gives the same score:" % (PROD, DEV),
        "",
        "| | percentage | weight (exported ascScore) |",
        "|---|---|---|",
        "| overall | %.4f | |" % float(main["overall"]),
        "| contoso-prod | %.4f (%.4f of %d points) | %d |" % (float(prod["pct"]), float(prod["current"]), prod["max"], prod["weight"]),
        "| contoso-dev | %.4f (%.4f of %d points) | %d |" % (float(dev["pct"]), float(dev["current"]), dev["max"], dev["weight"]),
        "",
        "All files are generated by `python3 examples/azure/make_azure.py` (standard library only, "
        "deterministic). Its docstring has the estate table and the arithmetic for a hand check; "
        "`expected.json` has every figure (unrounded) plus the `--include-preview`, "
        "`--ignore-exemptions` and computed-weight variants. The subscription, tenant and resource "
        "names are made up; control ids, recommendation keys, names, severities and max scores are "
        "real (from `data/azure-controls.json`).",
        "",
        "What the estate exercises: a recommendation in two controls (483f12ed, Secure management ports "
        "and Restrict unauthorized network access); a preview recommendation (e1145ab1, "
        "`metadata.preview: true`, unhealthy on vm-web-01, not counted); a custom one (7d1f3c52, "
        "`assessmentType: CustomPolicy`, in no control); an exempt resource (orders-dev: "
        "`status.code NotApplicable`, `cause Exempt`); NotApplicable by policy (`cause OffByPolicy`); "
        "subscription-level assessments (`resourceDetails` Id `/subscriptions/<sub>`); a control not "
        "applicable in one subscription (Enable encryption at rest in contoso-dev) and one applicable "
        "nowhere (Enable endpoint protection); the same resource spelt in upper/lower case by different "
        "recommendations (policy-based ones report lower-case ids); exported weights (32, 17) that "
        "differ from the computed resource weights (10, 5).",
        "",
        "Commands below use `<prod>` = %s and `<dev>` = %s; each subscription's file comes from the "
        "same command with its id. Single quotes keep the shell off `$expand`." % (PROD, DEV),
        "",
        "## rest/ — `az rest` (ARM list pages `{\"value\": [...], \"nextLink\": ...}`)",
        "",
        "| file | command |",
        "|---|---|",
        "| assessments-contoso-prod-page1.json | `az rest --method get --url %s` (has a `nextLink`) |" % q(url_assessments("<prod>")),
        "| assessments-contoso-prod-page2.json | `az rest --method get --url '<nextLink of page 1>'` (`\"nextLink\": null`) |",
        "| assessments-contoso-dev.json | same URL with `<dev>` (one page, no `nextLink`) |",
        "| secure-score-controls-contoso-*.json | `az rest --method get --url %s` |" % q(url_controls("<sub>")),
        "| secure-scores-contoso-*.json | `az rest --method get --url %s` |" % q(url_scores("<sub>")),
        "| secure-score-control-definitions.json | `az rest --method get --url %s` |" % q(URL_DEFINITIONS),
        "",
        "## arg/ — `az graph query` (`{\"count\", \"data\", \"skip_token\", \"total_records\"}`)",
        "",
        "| file | command |",
        "|---|---|",
        "| assessments-contoso-prod.json | `az graph query -q \"%s\" --subscriptions <prod> --first 1000` |" % ASSESSMENT_QUERY.replace("|", "\\|"),
        "| assessments-contoso-dev.json | the same with `--subscriptions <dev>` |",
        "| secure-score-controls.json | `az graph query -q \"%s\" --subscriptions <prod> <dev> --first 1000` |" % CONTROL_QUERY.replace("|", "\\|"),
        "| secure-scores.json | `az graph query -q \"%s\" --subscriptions <prod> <dev> --first 1000` |" % SCORE_QUERY.replace("|", "\\|"),
        "",
        "## arg-rows/ — the same rows as bare arrays",
        "",
        "Each file is the `arg/` command with `--query data` added.",
        "",
        "## az-flat/ — `az security` (SDK objects flattened to camelCase, bare arrays)",
        "",
        "| file | command |",
        "|---|---|",
        "| assessments-contoso-*.json | `az security assessment list --subscription <sub>` |",
        "| assessment-metadata-contoso-*.json | `az security assessment-metadata list --subscription <sub>` |",
        "| secure-score-controls-contoso-*.json | `az security secure-score-controls list --subscription <sub>` |",
        "| secure-scores-contoso-*.json | `az security secure-scores list --subscription <sub>` |",
        "| secure-score-control-definitions.json | `az security secure-score-control-definitions list` |",
        "",
        "`az security assessment list` does not expand metadata (`\"metadata\": null`), so the preview and "
        "custom flags come from the assessment-metadata files; `az security secure-score-controls list` "
        "does not expand definitions (`\"definition\": null`), so membership comes from the definitions "
        "file. Absent values print as `null`. azure-cli adds `resourceGroup` to objects whose `id` has a "
        "`/resourceGroups/` segment.",
        "",
        "## az-nested/ — REST items as bare arrays",
        "",
        "No `az security` command prints nested `properties` (they all flatten); `az rest ... --query value` "
        "prints exactly this:",
        "",
        "| file | command |",
        "|---|---|",
        "| assessments-contoso-prod-page1.json | `az rest --method get --url %s --query value` |" % q(url_assessments("<prod>")),
        "| assessments-contoso-prod-page2.json | `az rest --method get --url '<nextLink>' --query value`, the link taken from page 1 fetched without `--query` (which drops it) |",
        "| assessments-contoso-dev.json | the page-1 command with `<dev>` |",
        "| secure-score-controls-contoso-*.json | `az rest --method get --url %s --query value` (definitions nested) |" % q(url_controls("<sub>", expand=True)),
        "| secure-scores-contoso-*.json | `az rest --method get --url %s --query value` |" % q(url_scores("<sub>")),
        "",
        "## counts/ — count-level data only (no assessments)",
        "",
        "| file | command |",
        "|---|---|",
        "| secure-score-controls-contoso-*.json | `az rest --method get --url %s` |" % q(url_controls("<sub>", expand=True)),
        "| secure-scores-contoso-*.json | `az rest --method get --url %s` |" % q(url_scores("<sub>")),
        "",
        "The counts are the per-subscription resource counts of the assessments above, so the score is "
        "the same; `score.resources`, `raw_percentage` and the option variants need assessments.",
        "",
        "## Trimmed and inferred parts",
        "",
        "- Real definition and metadata lists hold every control and recommendation of the tenant; these "
        "hold the 7 controls and 14 recommendations of the estate. The definitions list the members that "
        "Microsoft's current reference pages still name (a subset of the catalog's 2021 membership that "
        "holds every assessed key).",
        "- Live REST and Resource Graph send `resourceDetails` as `{\"Source\", \"Id\"}` (recorded "
        "responses), not the swagger's `{\"source\", \"id\"}`. In `az security assessment list` the SDK "
        "cannot read that discriminator and keeps the keys as additional properties, hence "
        "`{\"source\": null, \"Source\": \"Azure\", \"Id\": ...}` (inferred from the SDK and azure-cli "
        "code, not captured).",
        "- A control with no healthy or unhealthy resource is exported with `score.max` 0 and `weight` 0 "
        "(as in recorded responses), not with its definition's `maxScore`. Real definitions have no "
        "`description`.",
        "- The exact `status.description` Azure writes for an exempt resource is not documented; `cause: "
        "Exempt` is what counts. Resource Graph's `location` for security rows is left empty.",
        "- The ascScore `weight` Azure exports is not documented; here it is the subscription's number "
        "of assessments (32, 17).",
        "",
    ]
    return "\n".join(lines)


def expected_json():
    main = score(weights=ASC_WEIGHT)
    computed = score(weights=None)
    preview = score(weights=ASC_WEIGHT, include_preview=True)
    raw = score(weights=ASC_WEIGHT, ignore_exemptions=True)

    def scopes_of(r):
        return [dict(id=s["id"], name=s["name"], percentage=num(s["pct"]), current=num(s["current"]),
                     max=float(s["max"]), weight=s["weight"]) for s in r["scopes"]]

    def variant(r, note):
        return dict(note=note, percentage=num(r["overall"]), scopes=scopes_of(r))

    controls = []
    for c in main["controls"]:
        controls.append(dict(
            rank=c["rank"], id=c["id"], name=c["name"], applicable=c["applicable"],
            max_score=float(c["max_score"]), members=len(CONTROL_BY_SHORT[c["short"]]["members"]),
            current_score=num(c["current_score"]),
            potential_increase=num(c["potential_increase"]),
            potential_increase_percentage=num(c["potential_increase_percentage"]),
            healthy_resources=c["healthy_resources"], unhealthy_resources=c["unhealthy_resources"],
            not_applicable_resources=c["not_applicable_resources"]))
    per_scope = []
    for s in main["scopes"]:
        ctl = []
        for c in CONTROLS:
            v = s["controls"][c["short"]]
            e = EXPORTED[s["id"]][0][c["short"]]
            ctl.append(dict(id=c["id"], name=c["name"], max_score=float(c["max"]),
                            applicable=v["current"] is not None,
                            healthy_resources=v["H"], unhealthy_resources=v["U"],
                            not_applicable_resources=v["NA"], current_score=num(v["current"] or 0),
                            exported={"score": {"max": e["max"], "current": e["current"],
                                                "percentage": e["percentage"]}, "weight": e["weight"]}))
        asc = EXPORTED[s["id"]][1]
        per_scope.append(dict(id=s["id"], name=s["name"], controls=ctl,
                              exported_secure_score={"score": {"max": asc["max"], "current": asc["current"],
                                                               "percentage": asc["percentage"]},
                                                     "weight": asc["weight"]}))
    return main, computed, preview, raw, {
        "about": "Expected securescore figures for every folder of examples/azure (each holds the same "
                 "estate). Computed by make_azure.py's own implementation of SPEC s1/s1.1, not by "
                 "securescore. Numbers are unrounded; compare with a tolerance of 1e-9.",
        "folders": ["rest", "arg", "arg-rows", "az-flat", "az-nested", "counts"],
        "weighting": "resources",
        "weights": "exported",
        "score": {
            "percentage": num(main["overall"]),
            "current": None,
            "max": None,
            "raw_percentage": num(raw["overall"]),
            "resources": main["resources"],
            "scopes": len(main["scopes"]),
        },
        "scopes": scopes_of(main),
        "controls": controls,
        "per_scope": per_scope,
        "variants": {
            "computed_weights": dict(
                variant(computed, "weights computed with --weighting resources (what the assessment "
                                  "folders give if the secure score files are left out)"),
                weights={s["id"]: s["weight"] for s in computed["scopes"]}),
            "include_preview": variant(preview, "--include-preview (exported weights): vm-web-01 becomes "
                                                "unhealthy in Apply system updates; not for counts/"),
            "ignore_exemptions": variant(raw, "--ignore-exemptions (exported weights) = raw_percentage: "
                                              "orders-dev counts unhealthy, so Enable encryption at rest "
                                              "applies in contoso-dev with 0 of 4; not for counts/"),
        },
        "notes": [
            "counts/ has no assessments: score.resources and raw_percentage are not defined there "
            "(SPEC s3 count-level data); every other figure is the same.",
            "Exported control objects of a not-applicable control carry score.max 0 and weight 0, as "
            "real Azure does, not the definition's maxScore.",
            "The custom recommendation " + CUSTOM_KEY + " is in no control and does not score.",
        ],
    }


MATRIX_KEYS = ["94290b00", "57e98606", "483f12ed", "bc303248", "805651bc", "4ab6e3c5", "e1145ab1",
               "d57a4221", "651967bf", "1c5de8e1", "1b351b29", "2a54c352", "ad4f3ff1", CUSTOM_KEY[:8]]


def matrix():
    """The assessment table of the docstring, rebuilt from ASSESSMENTS."""
    label = {"H": "H", "U": "U", "NA-P": "NA-P", "NA-X": "NA-X"}
    lines = []
    for sub, name, _l in SUBSCRIPTIONS:
        lines.append("%-26s" % name + "".join(" %-8s" % k for k in MATRIX_KEYS).rstrip())
        for res, (rsub, _rg, _t, rname) in RESOURCES.items():
            if rsub != sub:
                continue
            cells = []
            for kp in MATRIX_KEYS:
                st = [a for a in ESTATE if a["res"] == res and a["key"][:8] == kp]
                if not st:
                    cells.append("")
                    continue
                a = st[0]
                tag = label[a["status"]]
                if RECS[a["key"]].get("preview"):
                    tag += " pv"
                if RECS[a["key"]].get("custom"):
                    tag += " cu"
                cells.append(tag)
            title = "/subscriptions/<%s>" % name.split("-")[1] if rname is None else res
            lines.append(("  %-24s" % title + "".join(" %-8s" % c for c in cells)).rstrip())
        lines.append("")
    return "\n".join(lines)


def check(main, computed):
    assert matrix() in __doc__, "docstring assessment table out of date:\n" + matrix()
    # docstring hand table
    for (sub, sh), (h, u, na, cur, pct) in HAND.items():
        v = main["scopes"][[s["id"] for s in main["scopes"]].index(sub)]["controls"][sh]
        e = EXPORTED[sub][0][sh]
        assert (v["H"], v["U"], v["NA"]) == (h, u, na), (sub, sh, v)
        assert (repr(e["current"]), repr(e["percentage"])) == (cur, pct), (sub, sh, e)
    for s in main["scopes"]:
        mx, cur, pct, p = HAND_SCOPE[s["id"]]
        asc = EXPORTED[s["id"]][1]
        assert (asc["max"], repr(asc["current"]), repr(asc["percentage"])) == (mx, cur, pct), asc
        assert s["max"] == mx and abs(float(s["pct"]) - p) < 5e-5, s
    assert abs(float(main["overall"]) - HAND_OVERALL) < 5e-5, float(main["overall"])
    for c in main["controls"]:
        cur, potp = HAND_CONTROLS[c["short"]]
        assert abs(float(c["current_score"]) - cur) < 5e-5, (c["short"], float(c["current_score"]))
        assert abs(float(c["potential_increase_percentage"]) - potp) < 5e-5, \
            (c["short"], float(c["potential_increase_percentage"]))
    assert main["resources"] == 15
    sums = {c["short"]: (c["healthy_resources"], c["unhealthy_resources"], c["not_applicable_resources"])
            for c in main["controls"]}
    assert sums == {"MFA": (1, 1, 0), "SMP": (2, 4, 0), "SYS": (4, 2, 0), "EAR": (3, 2, 3),
                    "EDT": (3, 2, 0), "RUN": (5, 4, 0), "EEP": (0, 0, 0)}, sums
    # the exported weights differ from the computed ones, so the two give different overall scores
    assert [s["weight"] for s in computed["scopes"]] == [10, 5]
    assert computed["overall"] != main["overall"]


def read_folder(folder):
    """Minimal independent reader: -> (assessments {(rid lower, key): code/cause}, control counts)."""
    assessments, counts = {}, {}
    for fn in sorted(os.listdir(os.path.join(HERE, folder))):
        with open(os.path.join(HERE, folder, fn), encoding="utf-8") as f:
            doc = json.load(f)
        if isinstance(doc, dict):
            items = doc.get("value", doc.get("data"))
        else:
            items = doc
        for it in items:
            props = it.get("properties", it)
            t = it["type"].lower()
            if t == "microsoft.security/assessments":
                rd = {k.lower(): v for k, v in props["resourceDetails"].items() if v is not None}
                st = props["status"]
                assessments[(rd["id"].lower(), it["name"])] = (st["code"], st.get("cause"))
            elif t == "microsoft.security/securescores/securescorecontrols":
                sub = it["id"].split("/")[2]
                counts[(sub, it["name"])] = (props["healthyResourceCount"], props["unhealthyResourceCount"],
                                             props["notApplicableResourceCount"])
    return assessments, counts


def check_folders():
    want = {(a["rid"].lower(), a["key"]): rest_status(a, dates=False) for a in ESTATE}
    want = {k: (v["code"], v.get("cause")) for k, v in want.items()}
    want_counts = {(sub, c["id"]): tuple(EXPORTED[sub][0][c["short"]][x] for x in ("H", "U", "NA"))
                   for sub, _n, _l in SUBSCRIPTIONS for c in CONTROLS}
    for folder in ("rest", "arg", "arg-rows", "az-flat", "az-nested", "counts"):
        got, counts = read_folder(folder)
        if folder != "counts":
            assert got == want, folder
        assert counts == want_counts, folder
    for rel, size in WRITTEN:
        assert size < 60 * 1024, (rel, size)


def main():
    for d in ("rest", "arg", "arg-rows", "az-flat", "az-nested", "counts"):
        shutil.rmtree(os.path.join(HERE, d), ignore_errors=True)
    write_rest()
    write_arg()
    write_az_flat()
    write_az_nested()
    write_counts()
    main_r, computed, _p, _r, doc = expected_json()
    check(main_r, computed)
    write("expected.json", doc)
    check_folders()
    text = readme(main_r)
    with open(os.path.join(HERE, "README.md"), "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    WRITTEN.append(("README.md", len(text.encode("utf-8"))))
    for rel, size in WRITTEN:
        print("%-55s %6d bytes" % (rel, size))
    print("overall %.4f%%  " % float(main_r["overall"]) +
          "  ".join("%s %.4f%%" % (s["name"], float(s["pct"])) for s in main_r["scopes"]))


if __name__ == "__main__":
    main()
