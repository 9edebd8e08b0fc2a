//! SARIF 2.1.0 (SPEC §8), for `assess`: the log GitHub code scanning, Azure DevOps and
//! DefectDojo ingest. One run; the tool `securescore` with its version and one rule per
//! recommendation met; one result per unhealthy (resource, recommendation) pair after
//! exemptions, with the resource as a logical location (and, for GitHub, its id as the
//! physical location's URI), and one per exempt pair with a suppression; the scores and
//! the model that made them in the run's properties (under `v1`, each rule's points in
//! its properties).
//!
//! Results carry `partialFingerprints` made from the resource's case-folded identity and
//! the recommendation's id alone, so the same finding keeps its fingerprint from run to
//! run however the inputs are ordered or spelled. Text from inputs is JSON-escaped by
//! serde, and [`text`] also shows control and bidirectional characters as `\u{…}` and
//! escapes the square brackets SARIF would read as an embedded link.

use super::Document;
use crate::findings::{Finding, FindingRule, Findings};
use crate::model::Severity;
use crate::report::{GateOut, RankedRecommendationOut, Report, ScopeOut, ScoreOut};
use crate::score::ScoringModel;
use crate::text::{controls_escaped, name_and_id};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// Where the SARIF 2.1.0 schema is published (OASIS, errata 01, the final standard).
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The key of the fingerprint in `partialFingerprints`; a new way of computing it would
/// take a new version, so that old fingerprints are never compared with new ones.
const FINGERPRINT: &str = "securescore/resourceRecommendation/v1";

/// Writes `doc` as a SARIF log.
pub fn render(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    match doc {
        Document::Report {
            report,
            findings: Some(findings),
            ..
        } => write(&log(report, findings), out),
        Document::Report { findings: None, .. } => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the SARIF format lists the findings, which were not collected",
        )),
        Document::Models(_)
        | Document::Explanation(_)
        | Document::Plan(_)
        | Document::Diff(_)
        | Document::Trend(_)
        | Document::Validation(_)
        | Document::Listing(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("the SARIF format has no log for the {}", doc.name()),
        )),
    }
}

fn write<T: Serialize>(value: &T, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value).map_err(io::Error::other)?;
    out.write_all(b"\n")
}

/// Text from an input, for a SARIF message or description: control and bidirectional
/// characters as `\u{…}` (as on a terminal), and `[` and `]` escaped with a backslash,
/// so that no input text becomes an embedded link (SARIF §3.11.6; a backslash before
/// anything else is literal).
pub fn text(input: &str) -> String {
    let visible = controls_escaped(input);
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        if matches!(c, '[' | ']') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A resource id as a relative URI reference (RFC 3986), for a physical location: without
/// its leading `/` (SARIF tools take a leading slash for a mistake, SARIF1004), every byte
/// but the unreserved characters, `/`, `@` and the sub-delimiters percent-encoded, `:`
/// too (so that no id reads as a scheme), and a `/` left at the start (so that none reads
/// as a host). An Azure id keeps its spelling: `subscriptions/…/virtualMachines/vm1`.
pub fn uri_reference(id: &str) -> String {
    let path = id.strip_prefix('/').unwrap_or(id);
    let mut out = String::with_capacity(path.len());
    for (i, b) in path.bytes().enumerate() {
        let kept = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=@/".contains(&b);
        if kept && !(i == 0 && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SARIF level of a severity: error for critical and high, warning for medium, note
/// for low and unknown.
pub fn level(severity: Option<Severity>) -> &'static str {
    match severity {
        Some(Severity::Critical | Severity::High) => "error",
        Some(Severity::Medium) => "warning",
        Some(Severity::Low) | None => "note",
    }
}

/// The `security-severity` GitHub ranks alerts by (a CVSS-like score, as text): critical
/// 9.5, high 8.0, medium 5.5, low 3.0; none for an unknown severity.
pub fn security_severity(severity: Option<Severity>) -> Option<&'static str> {
    match severity? {
        Severity::Critical => Some("9.5"),
        Severity::High => Some("8.0"),
        Severity::Medium => Some("5.5"),
        Severity::Low => Some("3.0"),
    }
}

/// A finding's fingerprint: SHA-256 (hex) of the resource's case-folded identity and the
/// recommendation's id, each preceded by its length in bytes (so that no two pairs give
/// the same bytes, whatever the ids hold).
pub fn fingerprint(resource_key: &str, recommendation: &str) -> String {
    let mut bytes = Vec::with_capacity(resource_key.len() + recommendation.len() + 24);
    for part in [resource_key, recommendation] {
        bytes.extend_from_slice(&(part.len() as u64).to_be_bytes());
        bytes.extend_from_slice(part.as_bytes());
    }
    crate::digest::sha256_hex(&bytes)
}

#[derive(Serialize)]
struct Log<'a> {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run<'a>; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run<'a> {
    tool: Tool,
    results: Vec<ResultOut>,
    properties: RunProperties<'a>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<RuleOut>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RuleOut {
    id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    short_description: Message,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Message>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Message>,
    default_configuration: Configuration,
    properties: RuleProperties,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

impl Message {
    fn of(input: &str) -> Message {
        Message { text: text(input) }
    }
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct RuleProperties {
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    severity: Option<&'static str>,
    /// `security` (GitHub files the alerts as security alerts), then the controls.
    tags: Vec<String>,
    /// `v1`: the recommendation's points, when it counts.
    #[serde(skip_serializing_if = "Option::is_none")]
    points: Option<f64>,
    /// `v1`: where its points come from: `input`, or `severity` (securescore's default;
    /// Microsoft never published the mapping).
    #[serde(rename = "points-from", skip_serializing_if = "Option::is_none")]
    points_from: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultOut {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
    logical_locations: [LogicalLocation; 1],
}

/// GitHub code scanning takes only results with a physical location: the resource's id
/// as a URI reference ([`uri_reference`]) stands for the "file" (a cloud resource is
/// none, so there is no region either).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LogicalLocation {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    fully_qualified_name: String,
    kind: &'static str,
}

#[derive(Serialize)]
struct Suppression {
    kind: &'static str,
    status: &'static str,
    justification: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    properties: Option<SuppressionProperties>,
}

#[derive(Serialize)]
struct SuppressionProperties {
    reason: String,
}

/// The run's properties: the report's figures, unrounded, as its JSON has them, and the
/// model that made them (`weighting` only where it applies, `classic`).
#[derive(Serialize)]
struct RunProperties<'a> {
    as_of: &'a str,
    model: ScoringModel,
    #[serde(skip_serializing_if = "Option::is_none")]
    weighting: Option<crate::score::Weighting>,
    /// `v1`, when a rule's points are securescore's default: what those are.
    #[serde(rename = "default-points", skip_serializing_if = "Option::is_none")]
    default_points: Option<String>,
    score: &'a ScoreOut,
    scopes: &'a [ScopeOut],
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a GateOut>,
}

fn log<'a>(report: &'a Report, findings: &Findings) -> Log<'a> {
    let version = env!("CARGO_PKG_VERSION");
    // Under `v1` and `pass-rate`, each counted recommendation's row, for its points; a
    // finding of one that does not count (custom) has none.
    let rows: BTreeMap<&str, &RankedRecommendationOut> = report
        .recommendation_rows()
        .iter()
        .map(|r| (r.id.as_str(), r))
        .collect();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "securescore",
                    version,
                    semantic_version: version,
                    rules: findings
                        .recommendations
                        .iter()
                        .map(|r| rule(r, rows.get(r.id.as_str()).copied()))
                        .collect(),
                },
            },
            results: findings
                .results
                .iter()
                .filter_map(|f| Some(result(f, findings.recommendations.get(f.rule)?)))
                .collect(),
            properties: RunProperties {
                as_of: &report.as_of,
                model: report.model,
                weighting: report.model.weighs_scopes().then_some(report.weighting),
                default_points: rows
                    .values()
                    .any(|r| r.points_from == Some("severity"))
                    .then(crate::render::default_points_text),
                score: &report.score,
                scopes: &report.scopes,
                gate: report.gate.as_ref(),
            },
        }],
    }
}

/// The rule of a recommendation met, with its `v1` points from its report row when it
/// has one.
fn rule(r: &FindingRule, row: Option<&RankedRecommendationOut>) -> RuleOut {
    let mut tags = vec!["security".to_string()];
    tags.extend(r.controls.iter().map(|c| text(c)).filter(|c| c != "security"));
    tags.dedup();
    RuleOut {
        id: text(&r.id),
        name: r.name.as_deref().map(text),
        short_description: Message::of(r.name.as_deref().unwrap_or(&r.id)),
        full_description: r.description.as_deref().map(Message::of),
        help: r.remediation.as_deref().map(Message::of),
        default_configuration: Configuration {
            level: level(r.severity),
        },
        properties: RuleProperties {
            security_severity: security_severity(r.severity),
            severity: r.severity.map(Severity::as_str),
            tags,
            points: row.and_then(|row| row.points),
            points_from: row.and_then(|row| row.points_from),
        },
    }
}

fn result(f: &Finding, r: &FindingRule) -> ResultOut {
    let resource = name_and_id(f.resource_name.as_deref(), &f.resource);
    let recommendation = name_and_id(r.name.as_deref(), &r.id);
    let message = match &f.exemption {
        None => format!("{resource} is unhealthy against {recommendation}"),
        Some(e) => format!("{resource} is exempt ({}) from {recommendation}", e.category),
    };
    let suppressions = f
        .exemption
        .iter()
        .map(|e| Suppression {
            kind: "external",
            status: "accepted",
            justification: match &e.expires {
                Some(day) => format!("{}, expires {day}", e.category),
                None => format!("{}, never expires", e.category),
            },
            properties: e
                .reason
                .as_deref()
                .map(|reason| SuppressionProperties { reason: text(reason) }),
        })
        .collect();
    ResultOut {
        rule_id: text(&r.id),
        rule_index: f.rule,
        level: level(r.severity),
        message: Message::of(&message),
        locations: [Location {
            physical_location: PhysicalLocation {
                artifact_location: ArtifactLocation {
                    uri: uri_reference(&f.resource),
                },
            },
            logical_locations: [LogicalLocation {
                name: f.resource_name.as_deref().map(text),
                fully_qualified_name: text(&f.resource),
                kind: "resource",
            }],
        }],
        partial_fingerprints: BTreeMap::from([(FINGERPRINT, fingerprint(&f.resource_key, &r.id))]),
        suppressions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_security_severities_follow_the_severity() {
        let all = [
            (Some(Severity::Critical), "error", Some("9.5")),
            (Some(Severity::High), "error", Some("8.0")),
            (Some(Severity::Medium), "warning", Some("5.5")),
            (Some(Severity::Low), "note", Some("3.0")),
            (None, "note", None),
        ];
        for (severity, expected_level, expected_score) in all {
            assert_eq!(level(severity), expected_level);
            assert_eq!(security_severity(severity), expected_score);
        }
    }

    #[test]
    fn text_shows_controls_and_makes_no_link() {
        assert_eq!(text("[x](1) a\\b\u{1b}[2J"), "\\[x\\](1) a\\b\\u{1b}\\[2J");
    }

    #[test]
    fn a_uri_reference_keeps_azure_ids_and_encodes_the_rest() {
        let azure =
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-1_a.b~";
        assert_eq!(uri_reference(azure), &azure[1..]);
        assert_eq!(
            uri_reference("arn:aws:s3:::b/k y?#[é]|<x>%"),
            "arn%3Aaws%3As3%3A%3A%3Ab/k%20y%3F%23%5B%C3%A9%5D%7C%3Cx%3E%25"
        );
        assert_eq!(uri_reference("//host/x"), "%2Fhost/x");
    }

    #[test]
    fn a_fingerprint_depends_on_both_parts_and_where_they_meet() {
        // sha256 of (len 1, "a", len 1, "b") differs from (len 2, "ab", len 0, "").
        assert_ne!(fingerprint("a", "b"), fingerprint("ab", ""));
        assert_ne!(fingerprint("a", "b"), fingerprint("b", "a"));
        assert_eq!(fingerprint("a", "b"), fingerprint("a", "b"));
        assert_eq!(fingerprint("a", "b").len(), 64);
    }
}
