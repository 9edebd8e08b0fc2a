#!/usr/bin/env python3
"""Generate examples/contoso.json, the demo inventory for securescore.

Contoso is a small company with two Azure subscriptions (contoso-prod and
contoso-dev) holding about forty resources. The file uses the native inventory
format (SPEC section 2) and has no `controls` section, so securescore scores it
against its built-in catalog of Defender for Cloud controls. Every
recommendation id below is an assessment key of that catalog, with the
catalog's own name and severity; descriptions and remediations are our own
short wording.

The output is deterministic (fixed seed, fixed iteration order). Run from
anywhere:

    python3 examples/make_contoso.py

Standard library only.
"""

import json
import os
import random

SEED = 7

PROD = "3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384"
DEV = "a84f0d26-91c7-4e3b-b5d2-6e0f8c4a1b97"

SUBSCRIPTIONS = [
    {"id": PROD, "name": "contoso-prod",
     "management_groups": ["contoso-root", "contoso-prod-mg"]},
    {"id": DEV, "name": "contoso-dev",
     "management_groups": ["contoso-root", "contoso-nonprod-mg"]},
]

# Recommendations used: (key, catalog name, catalog severity, description,
# remediation). The one marked in PREVIEW is flagged "preview": true.
RECOMMENDATIONS = [
    # --- virtual machines -------------------------------------------------
    ("4ab6e3c5-74dd-8b35-9ab9-f61b30875b27",
     "System updates should be installed on your machines", "high",
     "Missing security and critical updates leave known vulnerabilities open on the machine.",
     "Install the missing updates reported by the update assessment, then reboot if required."),
    ("e1145ab1-eb4f-43d8-911b-36ddf771d13f",
     "System updates should be installed on your machines (powered by Update Center)", "high",
     "Update Center found pending security or critical updates on the machine.",
     "Enable periodic assessment in Update Center and schedule a maintenance window that installs the pending updates."),
    ("d1db3318-01ff-16de-29eb-28b344515626",
     "Log Analytics agent should be installed on virtual machines", "high",
     "Without the agent, Defender for Cloud cannot collect update, configuration and endpoint protection data from the machine.",
     "Turn on auto provisioning, or install the Log Analytics (Azure Monitor) agent extension on the VM."),
    ("83f577bd-a1b6-b7e1-0891-12ca19d1e6df",
     "Install endpoint protection solution on virtual machines", "high",
     "No supported anti-malware solution was found on the virtual machine.",
     "Deploy Microsoft Defender for Endpoint (or another supported solution) to the VM."),
    ("37a3689a-818e-4a0e-82ac-b1392b9bb000",
     "Endpoint protection health issues on machines should be resolved", "medium",
     "The endpoint protection agent reports out-of-date signatures or disabled real-time protection.",
     "Update signatures, re-enable real-time protection and check the agent's health in the portal."),
    ("bc303248-3d14-44c2-96a0-55f5c326b5fe",
     "Management ports should be closed on your virtual machines", "medium",
     "RDP or SSH is reachable from the internet through the network security group.",
     "Remove the inbound allow rules for ports 22 and 3389, or restrict their source to a management subnet."),
    ("805651bc-6ecd-4c73-9b55-97a19d0582d0",
     "Management ports of virtual machines should be protected with just-in-time network access control", "high",
     "Management ports are permanently open instead of being opened on request for a limited time.",
     "Enable just-in-time VM access for the machine and request access only when needed."),
    ("483f12ed-ae23-447e-a2de-a67a10db4353",
     "Internet-facing virtual machines should be protected with network security groups", "high",
     "The VM has a public IP address but its NIC or subnet has no network security group.",
     "Associate a network security group that allows only the required inbound traffic."),
    ("a9341235-9389-42f0-a0bf-9bfb57960d44",
     "Non-internet-facing virtual machines should be protected with network security groups", "low",
     "The internal VM's NIC or subnet has no network security group limiting lateral movement.",
     "Associate a network security group with the subnet or NIC of the VM."),
    ("d57a4221-a804-52ca-3dea-768284f06bb7",
     "Virtual machines should encrypt temp disks, caches, and data flows between Compute and Storage resources", "high",
     "Temporary disks and disk caches are not encrypted.",
     "Enable encryption at host or Azure Disk Encryption on the VM."),
    ("ffff0522-1e88-47fc-8382-2a80ba848f5d",
     "Machines should have a vulnerability assessment solution", "medium",
     "No vulnerability scanner is deployed on the machine.",
     "Deploy the integrated vulnerability assessment solution from Defender for Servers."),
    ("1195afff-c881-495e-9bc5-1486211ae03f",
     "Machines should have vulnerability findings resolved", "low",
     "The vulnerability scanner reported findings that are still open on the machine.",
     "Patch or reconfigure the affected software, then rescan the machine."),
    ("35f45c95-27cf-4e52-891f-8390d1de5828",
     "Adaptive application controls for defining safe applications should be enabled on your machines", "high",
     "No application allowlist is enforced on the machine.",
     "Review the suggested application groups and apply adaptive application controls in audit mode."),
    ("22441184-2f7b-d4a0-e00b-4c5eaef4afc9",
     "Authentication to Linux machines should require SSH keys", "medium",
     "Password authentication is enabled for SSH on the Linux machine.",
     "Configure key-based authentication and set PasswordAuthentication to no."),
    ("1f655fb7-63ca-4980-91a3-56dbc2b715c6",
     "Vulnerabilities in security configuration on your Linux machines should be remediated (powered by Guest Configuration)", "low",
     "The Linux machine deviates from the Azure security baseline.",
     "Fix the failed baseline rules listed for the machine."),
    ("8c3d9ad0-3639-4686-9cd2-2b2ab2609bda",
     "Vulnerabilities in security configuration on your Windows machines should be remediated (powered by Guest Configuration)", "low",
     "The Windows machine deviates from the Azure security baseline.",
     "Fix the failed baseline rules listed for the machine, for example through Group Policy."),
    ("f2f595ec-5dc6-68b4-82ef-b63563e9c610",
     "Azure Backup should be enabled for virtual machines", "low",
     "The VM is not protected by a Recovery Services vault backup policy.",
     "Enable Azure Backup for the VM with a policy that matches its retention needs."),
    # --- storage accounts -------------------------------------------------
    ("1c5de8e1-f68d-6a17-e0d2-ec259c42768c",
     "Secure transfer to storage accounts should be enabled", "high",
     "The storage account accepts requests over plain HTTP.",
     "Set 'Secure transfer required' to Enabled on the storage account."),
    ("51fd8bb1-0db4-bbf1-7e2b-cfcba7eb66a6",
     "Storage account public access should be disallowed", "medium",
     "Anonymous public read access to blob containers is allowed.",
     "Set 'Allow Blob public access' to Disabled on the storage account."),
    ("ad4f3ff1-30eb-5042-16ed-27198f640b8d",
     "Storage accounts should restrict network access using virtual network rules", "medium",
     "The storage account accepts traffic from all networks.",
     "Set the default network action to Deny and add virtual network rules for the subnets that need access."),
    ("cdc78c07-02b0-4af0-1cb2-cb7c672a8b0a",
     "Storage account should use a private link connection", "medium",
     "The storage account has no private endpoint.",
     "Create a private endpoint for the storage account in the consuming virtual network."),
    ("ca98bba7-719e-48ee-e193-0b76766cdb07",
     "(Enable if required) Storage accounts should use customer-managed key (CMK) for encryption", "low",
     "Data is encrypted with Microsoft-managed keys only.",
     "If policy requires it, configure encryption with a key stored in Key Vault."),
    # --- SQL servers and databases -----------------------------------------
    ("94208a8b-16e8-4e5b-abbd-4e81c9d02bee",
     "Auditing on SQL server should be enabled", "low",
     "Database events on the server are not written to an audit log.",
     "Enable server-level auditing to a storage account or Log Analytics workspace."),
    ("620671b8-6661-273a-38ac-4574967750ec",
     "Audit retention for SQL servers should be set to at least 90 days", "low",
     "Audit logs are kept for less than 90 days.",
     "Set the audit retention of the server to 90 days or more."),
    ("1db4f204-cb5a-4c9c-9254-7556403ce51c",
     "SQL servers should have vulnerability assessment configured", "high",
     "SQL vulnerability assessment is not configured on the server.",
     "Enable Microsoft Defender for SQL and configure vulnerability assessment scans."),
    ("f0553104-cfdb-65e6-759c-002812e38500",
     "SQL servers should have an Azure Active Directory administrator provisioned", "high",
     "The server has no Microsoft Entra ID administrator, so only SQL logins can manage it.",
     "Provision a Microsoft Entra ID administrator (a group) for the server."),
    ("22e93e92-4a31-b4cd-d640-3ef908430aa6",
     "Public network access on Azure SQL Database should be disabled", "medium",
     "The logical server accepts connections from public networks.",
     "Disable public network access and connect through private endpoints."),
    ("651967bf-044e-4bde-8376-3e08e0600105",
     "Transparent Data Encryption on SQL databases should be enabled", "low",
     "The database files and backups are not encrypted at rest.",
     "Turn on Transparent Data Encryption for the database."),
    ("82e20e14-edc5-4373-bfc4-f13121257c37",
     "SQL databases should have vulnerability findings resolved", "high",
     "The last vulnerability assessment scan of the database reported open findings.",
     "Review the findings, apply the remediation scripts or set an approved baseline."),
    # --- key vaults -------------------------------------------------------
    ("78211c00-15a9-336e-17c4-0b48613dadf4",
     "Key vaults should have soft delete enabled", "high",
     "Deleted vaults and secrets cannot be recovered.",
     "Enable soft delete on the vault."),
    ("4ed62ae4-5072-f9e7-8d94-51c76c48159a",
     "Key vaults should have purge protection enabled", "medium",
     "Soft-deleted vaults and objects can be purged before the retention period ends.",
     "Enable purge protection on the vault (this cannot be undone)."),
    ("88bbc99c-e5af-ddd7-6105-6150b2bfa519",
     "Diagnostic logs in Key Vault should be enabled", "low",
     "Access to keys and secrets is not logged.",
     "Add a diagnostic setting that sends AuditEvent logs to Log Analytics."),
    ("52f7826a-ace7-3107-dd0d-4875853c1576",
     "Firewall should be enabled on Key Vault", "medium",
     "The vault is reachable from all networks.",
     "Enable the vault firewall and allow only the required virtual networks and IP ranges."),
    ("14257785-9437-97fa-11ae-898cfb24302b",
     "Key Vault secrets should have an expiration date", "high",
     "Some secrets in the vault never expire.",
     "Set an expiration date on every secret and rotate them before they expire."),
    # --- app services -----------------------------------------------------
    ("1b351b29-41ca-6df5-946c-c190a56be5fe",
     "Web Application should only be accessible over HTTPS", "medium",
     "The web app still serves requests over HTTP.",
     "Turn on 'HTTPS Only' in the app's TLS/SSL settings."),
    ("2a54c352-7ca4-4bae-ad46-47ecd9595bd2",
     "TLS should be updated to the latest version for web apps", "high",
     "The web app accepts TLS versions older than 1.2.",
     "Set the minimum TLS version of the app to 1.2."),
    ("19beaa2a-a126-b4dd-6d35-617f6cc83fca",
     "FTPS should be required in web apps", "high",
     "The web app allows unencrypted FTP deployments.",
     "Set FTP state to 'FTPS only' or 'Disabled'."),
    ("40394a2c-60fb-7cc5-1944-065772e94f05",
     "Diagnostic logs in App Service should be enabled", "medium",
     "HTTP and application logs of the app are not collected.",
     "Enable App Service logs and send them to a Log Analytics workspace."),
    ("4a3d7cd3-f17c-637a-1ffc-614a01dd03cf",
     "Managed identity should be used in web apps", "medium",
     "The web app authenticates to other services with stored credentials.",
     "Enable a system-assigned managed identity and grant it the roles it needs."),
    ("64b8637e-4e1d-76a9-0fc9-c1e487a97ed8",
     "Remote debugging should be turned off for Web Applications", "low",
     "Remote debugging opens extra inbound ports on the web app.",
     "Turn off remote debugging in the app's general settings."),
    ("df4d1739-47f0-60c7-1706-3731fea6ab03",
     "CORS should not allow every resource to access Web Applications", "low",
     "The CORS policy allows requests from any origin (*).",
     "List only the origins that need to call the app."),
    ("cb0acdc6-0846-fd48-debe-9905af151b6d",
     "Function App should only be accessible over HTTPS", "medium",
     "The function app still serves requests over HTTP.",
     "Turn on 'HTTPS Only' for the function app."),
    ("15be5f3c-e0a4-c0fa-fbff-8e50339b4b22",
     "TLS should be updated to the latest version for function apps", "high",
     "The function app accepts TLS versions older than 1.2.",
     "Set the minimum TLS version of the function app to 1.2."),
    ("972a6579-f38f-c0b9-1b4b-a5bbeba3ab5b",
     "FTPS should be required in function apps", "high",
     "The function app allows unencrypted FTP deployments.",
     "Set FTP state to 'FTPS only' or 'Disabled'."),
    ("23aa9cbe-c2fb-6a2f-6c97-885a6d48c4d1",
     "Managed identity should be used in function apps", "medium",
     "The function app authenticates to other services with stored credentials.",
     "Enable a managed identity for the function app."),
    ("093c685b-56dd-13a3-8ed5-887a001837a2",
     "Remote debugging should be turned off for Function App", "low",
     "Remote debugging opens extra inbound ports on the function app.",
     "Turn off remote debugging for the function app."),
    # --- subscriptions ----------------------------------------------------
    ("94290b00-4d0c-d7b4-7cea-064a9554e681",
     "MFA should be enabled on accounts with owner permissions on subscriptions", "high",
     "Some accounts with owner rights on the subscription sign in without multifactor authentication.",
     "Require MFA for these accounts with a Conditional Access policy."),
    ("57e98606-6b1e-6193-0e3d-fe621387c16b",
     "MFA should be enabled on accounts with write permissions on subscriptions", "high",
     "Some accounts with write rights on the subscription sign in without multifactor authentication.",
     "Require MFA for these accounts with a Conditional Access policy."),
    ("151e82c5-5341-a74b-1eb0-bc38d2c84bb5",
     "MFA should be enabled on accounts with read permissions on subscriptions", "high",
     "Some accounts with read rights on the subscription sign in without multifactor authentication.",
     "Extend the Conditional Access MFA policy to all users with access to the subscription."),
    ("6f90a6d6-d4d6-0794-0ec1-98fa77878c2e",
     "A maximum of 3 owners should be designated for subscriptions", "high",
     "More than three accounts hold the Owner role on the subscription.",
     "Remove unneeded Owner assignments; use Contributor or custom roles instead."),
    ("2c79b4af-f830-b61e-92b9-63dfa30f16e4",
     "There should be more than one owner assigned to subscriptions", "high",
     "A single owner is a single point of failure for administrative access.",
     "Assign a second owner (ideally a break-glass account or group)."),
    ("00c6d40b-e990-6acf-d4f3-471e747a27c4",
     "Deprecated accounts should be removed from subscriptions", "high",
     "Accounts blocked from signing in still hold role assignments.",
     "Remove the role assignments of the deprecated accounts."),
    ("e52064aa-6853-e252-a11e-dffc675689c2",
     "Deprecated accounts with owner permissions should be removed from subscriptions", "high",
     "Blocked accounts still hold the Owner role on the subscription.",
     "Remove the Owner assignments of the deprecated accounts."),
    ("c3b6ae71-f1f0-31b4-e6c1-d5951285d03d",
     "External accounts with owner permissions should be removed from subscriptions", "high",
     "Accounts from outside the tenant hold the Owner role.",
     "Remove the external owners or replace them with guest accounts under access reviews."),
    ("04e7147b-0deb-9796-2e5c-0336343ceb3d",
     "External accounts with write permissions should be removed from subscriptions", "high",
     "Accounts from outside the tenant hold write permissions.",
     "Remove the external accounts' write role assignments."),
    ("77758c9d-8a56-5f54-6ff7-69a762ca6004",
     "Subscriptions should have a contact email address for security issues", "low",
     "Microsoft has no security contact to notify about incidents in the subscription.",
     "Set a security contact email in Defender for Cloud's environment settings."),
    ("3869fbd7-5d90-84e4-37bd-d9a7f4ce9a24",
     "Email notification for high severity alerts should be enabled", "low",
     "High severity alerts are not sent by email.",
     "Turn on email notifications for alerts of high severity."),
    ("56a6e81f-7413-4f72-9a1b-aaeeaa87c872",
     "Microsoft Defender for Servers should be enabled", "high",
     "Virtual machines in the subscription are not covered by Defender for Servers.",
     "Enable the Defender for Servers plan on the subscription."),
    ("1be22853-8ed1-4005-9907-ddad64cb1417",
     "Microsoft Defender for Storage should be enabled", "high",
     "Storage accounts in the subscription are not covered by Defender for Storage.",
     "Enable the Defender for Storage plan on the subscription."),
    ("58d72d9d-0310-4792-9a3b-6dd111093cdb",
     "Microsoft Defender for Azure SQL Database servers should be enabled", "high",
     "SQL servers in the subscription are not covered by Defender for SQL.",
     "Enable the Defender for Azure SQL Databases plan on the subscription."),
    ("0876ef51-fee7-449d-ba1e-f2662c7e43c6",
     "Microsoft Defender for App Service should be enabled", "high",
     "App Service plans in the subscription are not covered by Defender for App Service.",
     "Enable the Defender for App Service plan on the subscription."),
    ("b1af52e4-e968-4e2b-b6d0-6736c9651f0a",
     "Microsoft Defender for Key Vault should be enabled", "high",
     "Key vaults in the subscription are not covered by Defender for Key Vault.",
     "Enable the Defender for Key Vault plan on the subscription."),
]

PREVIEW = {"e1145ab1-eb4f-43d8-911b-36ddf771d13f"}

# Recommendations assessed per kind of resource, with a base probability of
# being unhealthy (dev multiplies it, prod reduces it).
VM_RECS = [
    ("d1db3318-01ff-16de-29eb-28b344515626", 0.10),  # Log Analytics agent
    ("4ab6e3c5-74dd-8b35-9ab9-f61b30875b27", 0.30),  # system updates (needs agent)
    ("e1145ab1-eb4f-43d8-911b-36ddf771d13f", 0.45),  # updates, Update Center (preview)
    ("83f577bd-a1b6-b7e1-0891-12ca19d1e6df", 0.12),  # endpoint protection installed
    ("37a3689a-818e-4a0e-82ac-b1392b9bb000", 0.15),  # endpoint protection health (needs agent)
    ("bc303248-3d14-44c2-96a0-55f5c326b5fe", 0.20),  # management ports closed
    ("805651bc-6ecd-4c73-9b55-97a19d0582d0", 0.30),  # just-in-time access
    ("d57a4221-a804-52ca-3dea-768284f06bb7", 0.25),  # encrypt temp disks
    ("ffff0522-1e88-47fc-8382-2a80ba848f5d", 0.15),  # vulnerability assessment solution
    ("1195afff-c881-495e-9bc5-1486211ae03f", 0.30),  # vulnerability findings resolved
    ("35f45c95-27cf-4e52-891f-8390d1de5828", 0.40),  # adaptive application controls
    ("f2f595ec-5dc6-68b4-82ef-b63563e9c610", 0.30),  # Azure Backup
]
NEEDS_AGENT = {
    "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27",
    "37a3689a-818e-4a0e-82ac-b1392b9bb000",
    "1f655fb7-63ca-4980-91a3-56dbc2b715c6",
    "8c3d9ad0-3639-4686-9cd2-2b2ab2609bda",
}
STORAGE_RECS = [
    ("1c5de8e1-f68d-6a17-e0d2-ec259c42768c", 0.10),
    ("51fd8bb1-0db4-bbf1-7e2b-cfcba7eb66a6", 0.25),
    ("ad4f3ff1-30eb-5042-16ed-27198f640b8d", 0.35),
    ("cdc78c07-02b0-4af0-1cb2-cb7c672a8b0a", 0.45),
    ("ca98bba7-719e-48ee-e193-0b76766cdb07", 0.60),
]
SQL_SERVER_RECS = [
    ("94208a8b-16e8-4e5b-abbd-4e81c9d02bee", 0.20),
    ("620671b8-6661-273a-38ac-4574967750ec", 0.30),
    ("1db4f204-cb5a-4c9c-9254-7556403ce51c", 0.25),
    ("f0553104-cfdb-65e6-759c-002812e38500", 0.20),
    ("22e93e92-4a31-b4cd-d640-3ef908430aa6", 0.40),
]
SQL_DB_RECS = [
    ("651967bf-044e-4bde-8376-3e08e0600105", 0.05),
    ("82e20e14-edc5-4373-bfc4-f13121257c37", 0.40),
]
KEYVAULT_RECS = [
    ("78211c00-15a9-336e-17c4-0b48613dadf4", 0.05),
    ("4ed62ae4-5072-f9e7-8d94-51c76c48159a", 0.35),
    ("88bbc99c-e5af-ddd7-6105-6150b2bfa519", 0.30),
    ("52f7826a-ace7-3107-dd0d-4875853c1576", 0.35),
    ("14257785-9437-97fa-11ae-898cfb24302b", 0.40),
]
WEBAPP_RECS = [
    ("1b351b29-41ca-6df5-946c-c190a56be5fe", 0.10),
    ("2a54c352-7ca4-4bae-ad46-47ecd9595bd2", 0.15),
    ("19beaa2a-a126-b4dd-6d35-617f6cc83fca", 0.30),
    ("40394a2c-60fb-7cc5-1944-065772e94f05", 0.30),
    ("4a3d7cd3-f17c-637a-1ffc-614a01dd03cf", 0.35),
    ("64b8637e-4e1d-76a9-0fc9-c1e487a97ed8", 0.10),
    ("df4d1739-47f0-60c7-1706-3731fea6ab03", 0.20),
]
FUNCAPP_RECS = [
    ("cb0acdc6-0846-fd48-debe-9905af151b6d", 0.10),
    ("15be5f3c-e0a4-c0fa-fbff-8e50339b4b22", 0.15),
    ("972a6579-f38f-c0b9-1b4b-a5bbeba3ab5b", 0.30),
    ("23aa9cbe-c2fb-6a2f-6c97-885a6d48c4d1", 0.35),
    ("093c685b-56dd-13a3-8ed5-887a001837a2", 0.10),
]
SUBSCRIPTION_RECS = [
    ("94290b00-4d0c-d7b4-7cea-064a9554e681", 0.15),
    ("57e98606-6b1e-6193-0e3d-fe621387c16b", 0.35),
    ("151e82c5-5341-a74b-1eb0-bc38d2c84bb5", 0.45),
    ("6f90a6d6-d4d6-0794-0ec1-98fa77878c2e", 0.30),
    ("2c79b4af-f830-b61e-92b9-63dfa30f16e4", 0.05),
    ("00c6d40b-e990-6acf-d4f3-471e747a27c4", 0.30),
    ("e52064aa-6853-e252-a11e-dffc675689c2", 0.15),
    ("c3b6ae71-f1f0-31b4-e6c1-d5951285d03d", 0.15),
    ("04e7147b-0deb-9796-2e5c-0336343ceb3d", 0.30),
    ("77758c9d-8a56-5f54-6ff7-69a762ca6004", 0.10),
    ("3869fbd7-5d90-84e4-37bd-d9a7f4ce9a24", 0.20),
    ("56a6e81f-7413-4f72-9a1b-aaeeaa87c872", 0.20),
    ("1be22853-8ed1-4005-9907-ddad64cb1417", 0.25),
    ("58d72d9d-0310-4792-9a3b-6dd111093cdb", 0.25),
    ("0876ef51-fee7-449d-ba1e-f2662c7e43c6", 0.40),
    ("b1af52e4-e968-4e2b-b6d0-6736c9651f0a", 0.40),
]

# Environment factor applied to the base probability of being unhealthy.
RISK = {PROD: 0.6, DEV: 1.1}

# (subscription, resource group, name, os, internet facing, owner)
VMS = [
    (PROD, "rg-web-prod", "vm-web-prod-01", "linux", True, "web-team"),
    (PROD, "rg-web-prod", "vm-web-prod-02", "linux", True, "web-team"),
    (PROD, "rg-web-prod", "vm-web-prod-03", "linux", True, "web-team"),
    (PROD, "rg-data-prod", "vm-etl-prod-01", "linux", False, "data-team"),
    (PROD, "rg-data-prod", "vm-etl-prod-02", "linux", False, "data-team"),
    (PROD, "rg-platform-prod", "vm-dc-prod-01", "windows", False, "platform"),
    (PROD, "rg-platform-prod", "vm-dc-prod-02", "windows", False, "platform"),
    (PROD, "rg-platform-prod", "vm-jump-prod-01", "windows", True, "platform"),
    (DEV, "rg-web-dev", "vm-web-dev-01", "linux", True, "web-team"),
    (DEV, "rg-data-dev", "vm-etl-dev-01", "linux", False, "data-team"),
    (DEV, "rg-platform-dev", "vm-build-dev-01", "linux", True, "platform"),
    (DEV, "rg-platform-dev", "vm-build-dev-02", "windows", False, "platform"),
    (DEV, "rg-sandbox-dev", "vm-sandbox-01", "windows", True, "web-team"),
    (DEV, "rg-sandbox-dev", "vm-sandbox-02", "linux", True, "data-team"),
]
STORAGE = [
    (PROD, "rg-web-prod", "stcontosowebprod", "web-team"),
    (PROD, "rg-data-prod", "stcontosolakeprod", "data-team"),
    (PROD, "rg-platform-prod", "stcontosodiagprod", "platform"),
    (DEV, "rg-data-dev", "stcontosolakedev", "data-team"),
    (DEV, "rg-sandbox-dev", "stcontososandbox", "web-team"),
]
SQL_SERVERS = [
    (PROD, "rg-data-prod", "sql-contoso-prod", "data-team", ["orders", "customers"]),
    (DEV, "rg-data-dev", "sql-contoso-dev", "data-team", ["orders"]),
]
KEYVAULTS = [
    (PROD, "rg-web-prod", "kv-contoso-web-prod", "web-team"),
    (PROD, "rg-data-prod", "kv-contoso-data-prod", "data-team"),
    (PROD, "rg-platform-prod", "kv-contoso-plat-prod", "platform"),
    (DEV, "rg-web-dev", "kv-contoso-web-dev", "web-team"),
    (DEV, "rg-data-dev", "kv-contoso-data-dev", "data-team"),
]
# (subscription, resource group, name, owner, is function app)
SITES = [
    (PROD, "rg-web-prod", "app-contoso-shop-prod", "web-team", False),
    (PROD, "rg-web-prod", "app-contoso-api-prod", "web-team", False),
    (PROD, "rg-web-prod", "func-contoso-orders-prod", "web-team", True),
    (DEV, "rg-web-dev", "app-contoso-shop-dev", "web-team", False),
    (DEV, "rg-web-dev", "app-contoso-api-dev", "web-team", False),
    (DEV, "rg-web-dev", "func-contoso-orders-dev", "web-team", True),
]

# Exemptions: (resource name, recommendation key) -> exemption object.
EXEMPTIONS = {
    ("vm-build-dev-01", "d57a4221-a804-52ca-3dea-768284f06bb7"): {
        "category": "waiver",
        "reason": "The build agent's VM size does not support encryption at host; "
                  "it moves to a supported size with the 2027 H1 runner rebuild.",
        "expires": "2027-06-30",
    },
    ("stcontosowebprod", "51fd8bb1-0db4-bbf1-7e2b-cfcba7eb66a6"): {
        "category": "mitigated",
        "reason": "An Azure Policy deny assignment blocks anonymous access on every "
                  "container; the account-level flag stays on for a legacy CDN origin.",
    },
    ("contoso-dev", "04e7147b-0deb-9796-2e5c-0336343ceb3d"): {
        "category": "waiver",
        "reason": "Fabrikam contractor for the data migration project; access was "
                  "to be removed when the project closed.",
        "expires": "2026-01-31",
    },
}

# Statuses forced for the exempted pairs so that each exemption matters, and
# for the identity story: prod enforces MFA through Conditional Access; dev
# still has contributors (a legacy deployment account) signing in without it.
FORCED = {key: "unhealthy" for key in EXEMPTIONS}
FORCED.update({
    ("contoso-prod", "94290b00-4d0c-d7b4-7cea-064a9554e681"): "healthy",
    ("contoso-prod", "57e98606-6b1e-6193-0e3d-fe621387c16b"): "healthy",
    ("contoso-dev", "94290b00-4d0c-d7b4-7cea-064a9554e681"): "healthy",
    ("contoso-dev", "57e98606-6b1e-6193-0e3d-fe621387c16b"): "unhealthy",
})


def arm_id(sub, rg, rtype, name):
    return "/subscriptions/%s/resourceGroups/%s/providers/%s/%s" % (sub, rg, rtype, name)


def main():
    rng = random.Random(SEED)
    resources = []
    assessments = []

    def resource(rid, name, rtype, sub, tags):
        resources.append({"id": rid, "name": name, "type": rtype,
                          "subscription": sub, "tags": tags})

    def tags(owner, sub):
        env = "prod" if sub == PROD else "dev"
        return {"owner": owner, "environment": env,
                "cost-center": "cc-%s-%s" % (owner.split("-")[0], env)}

    def assess(rid, name, sub, key, p, status=None):
        if status is None:
            status = FORCED.get((name, key))
        if status is None:
            status = "unhealthy" if rng.random() < min(0.9, p * RISK[sub]) else "healthy"
        a = {"resource": rid, "recommendation": key, "status": status}
        if (name, key) in EXEMPTIONS:
            a["exemption"] = dict(EXEMPTIONS[(name, key)])
        assessments.append(a)
        return status

    # Subscriptions as resources (subscription-level recommendations).
    for sub in SUBSCRIPTIONS:
        rid = "/subscriptions/%s" % sub["id"]
        resources.append({"id": rid, "name": sub["name"],
                          "type": "Microsoft.Resources/subscriptions",
                          "subscription": sub["id"],
                          "tags": {"owner": "platform",
                                   "environment": sub["name"].split("-")[1]}})
        for key, p in SUBSCRIPTION_RECS:
            assess(rid, sub["name"], sub["id"], key, p)

    for sub, rg, name, os_, public, owner in VMS:
        rtype = "Microsoft.Compute/virtualMachines"
        rid = arm_id(sub, rg, rtype, name)
        t = tags(owner, sub)
        t["os"] = os_
        resource(rid, name, rtype, sub, t)
        agent = "healthy"
        for key, p in VM_RECS:
            if key in NEEDS_AGENT and agent != "healthy":
                continue  # no agent, no data: Defender does not assess these
            status = assess(rid, name, sub, key, p)
            if key == "d1db3318-01ff-16de-29eb-28b344515626":
                agent = status
        # Network exposure: one of the two NSG recommendations applies.
        nsg_public = "483f12ed-ae23-447e-a2de-a67a10db4353"
        nsg_private = "a9341235-9389-42f0-a0bf-9bfb57960d44"
        if public:
            assess(rid, name, sub, nsg_public, 0.15)
            assess(rid, name, sub, nsg_private, 0, "not_applicable")
        else:
            assess(rid, name, sub, nsg_public, 0, "not_applicable")
            assess(rid, name, sub, nsg_private, 0.25)
        # OS-specific checks.
        ssh = "22441184-2f7b-d4a0-e00b-4c5eaef4afc9"
        if os_ == "linux":
            assess(rid, name, sub, ssh, 0.20)
            baseline = "1f655fb7-63ca-4980-91a3-56dbc2b715c6"
        else:
            assess(rid, name, sub, ssh, 0, "not_applicable")
            baseline = "8c3d9ad0-3639-4686-9cd2-2b2ab2609bda"
        if agent == "healthy":
            assess(rid, name, sub, baseline, 0.45)

    for sub, rg, name, owner in STORAGE:
        rtype = "Microsoft.Storage/storageAccounts"
        rid = arm_id(sub, rg, rtype, name)
        resource(rid, name, rtype, sub, tags(owner, sub))
        for key, p in STORAGE_RECS:
            assess(rid, name, sub, key, p)

    for sub, rg, name, owner, dbs in SQL_SERVERS:
        rtype = "Microsoft.Sql/servers"
        rid = arm_id(sub, rg, rtype, name)
        resource(rid, name, rtype, sub, tags(owner, sub))
        for key, p in SQL_SERVER_RECS:
            assess(rid, name, sub, key, p)
        for db in dbs:
            dbid = "%s/databases/%s" % (rid, db)
            resource(dbid, db, "Microsoft.Sql/servers/databases", sub, tags(owner, sub))
            for key, p in SQL_DB_RECS:
                assess(dbid, db, sub, key, p)

    for sub, rg, name, owner in KEYVAULTS:
        rtype = "Microsoft.KeyVault/vaults"
        rid = arm_id(sub, rg, rtype, name)
        resource(rid, name, rtype, sub, tags(owner, sub))
        for key, p in KEYVAULT_RECS:
            assess(rid, name, sub, key, p)

    for sub, rg, name, owner, func in SITES:
        rtype = "Microsoft.Web/sites"
        rid = arm_id(sub, rg, rtype, name)
        t = tags(owner, sub)
        t["kind"] = "functionapp" if func else "app"
        resource(rid, name, rtype, sub, t)
        for key, p in (FUNCAPP_RECS if func else WEBAPP_RECS):
            assess(rid, name, sub, key, p)

    recommendations = []
    for key, name, severity, description, remediation in RECOMMENDATIONS:
        recommendations.append({
            "id": key, "name": name, "severity": severity,
            "description": description, "remediation": remediation,
            "preview": key in PREVIEW,
        })

    doc = {
        "subscriptions": SUBSCRIPTIONS,
        "recommendations": recommendations,
        "resources": resources,
        "assessments": assessments,
    }
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "contoso.json")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print("wrote %s: %d resources, %d assessments"
          % (os.path.basename(out), len(resources), len(assessments)))


if __name__ == "__main__":
    main()
