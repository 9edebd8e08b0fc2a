//! JUnit XML (SPEC §8), as Azure DevOps, GitLab, Jenkins and GitHub test reporters read
//! it, for `assess` and `diff`: a testsuite `gates` with one testcase per gate rule,
//! failed when the rule fails, and a testsuite `controls` with one testcase per
//! applicable control (under `v1` and `pass-rate`, `recommendations` with one per
//! applicable recommendation), failed when it has unhealthy resources. Text from inputs is
//! escaped by [`escape`]: XML's special characters as references, and the characters XML
//! 1.0 forbids (and, as on a terminal, every other control or bidirectional character)
//! as `\u{…}`, so the file is always well-formed and shows what the input held.

use super::Document;
use crate::diff::{Diff, DropGate};
use crate::report::{ControlOut, GateOut, GateRuleOut, RankedRecommendationOut, Report};
use crate::text::{fmt2, name_and_id, percent};
use std::fmt::Write as _;
use std::io::{self, Write};

/// Writes `doc` as a JUnit XML report.
pub fn render(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    let suites = match doc {
        Document::Report { report, .. } => report_suites(report),
        Document::Diff(d) => diff_suites(d),
        Document::Models(_)
        | Document::Explanation(_)
        | Document::Plan(_)
        | Document::Trend(_)
        | Document::Validation(_)
        | Document::Listing(_) => {
            return Err(io::Error::new(
                io::ErrorKind::Unsupported,
                format!("the JUnit format has no report for the {}", doc.name()),
            ))
        }
    };
    out.write_all(write_suites(&suites).as_bytes())
}

/// Text made safe for XML element content and quoted attribute values: the HTML page's
/// escaping ([`super::html::escape`]: `&`, `<`, `>`, `"` and `'` as references; every
/// control character, which covers the C0 ones XML 1.0 forbids and the tab, line feed and
/// carriage return an attribute would fold into spaces, and every bidirectional control
/// as `\u{…}`), and the noncharacters U+FFFE and U+FFFF, which XML 1.0 also forbids, as
/// `\u{…}`.
pub fn escape(text: &str) -> String {
    let escaped = super::html::escape(text);
    if !escaped.contains(['\u{FFFE}', '\u{FFFF}']) {
        return escaped;
    }
    escaped
        .replace('\u{FFFE}', "\\u{fffe}")
        .replace('\u{FFFF}', "\\u{ffff}")
}

/// One testsuite.
struct Suite {
    name: &'static str,
    /// `<property>` pairs: what the suite was judged on.
    properties: Vec<(&'static str, String)>,
    cases: Vec<Case>,
}

/// One testcase: passed when it has no failure.
struct Case {
    /// Plain text (escaped when written).
    name: String,
    failure: Option<Failure>,
    /// Plain text shown with a passed case (`<system-out>`).
    output: Option<String>,
}

/// Why a testcase failed.
struct Failure {
    /// The failure's kind (`type`).
    kind: &'static str,
    /// One line, plain text.
    message: String,
    /// More lines, plain text each.
    details: Vec<String>,
}

/// One gate rule's verdict, as the gates suite shows it.
struct GateCase<'a> {
    rule: &'a str,
    passed: bool,
    message: &'a str,
}

impl GateCase<'_> {
    fn case(&self) -> Case {
        Case {
            name: self.rule.to_string(),
            failure: (!self.passed).then(|| Failure {
                kind: "gate",
                message: self.message.to_string(),
                details: Vec::new(),
            }),
            output: self.passed.then(|| self.message.to_string()),
        }
    }
}

/// The verdicts of `assess`'s gate, one per rule.
fn report_gates(gate: Option<&GateOut>) -> Vec<GateCase<'_>> {
    gate_cases(gate.into_iter().flat_map(|g| &g.rules))
}

/// One testcase per rule verdict.
fn gate_cases<'a>(rules: impl Iterator<Item = &'a GateRuleOut>) -> Vec<GateCase<'a>> {
    rules
        .map(|r| GateCase {
            rule: &r.rule,
            passed: r.passed,
            message: &r.message,
        })
        .collect()
}

/// The verdicts of `diff`'s gate, one per rule.
fn diff_gates(gate: Option<&DropGate>) -> Vec<GateCase<'_>> {
    gate_cases(gate.into_iter().flat_map(|g| &g.rules))
}

/// The gates suite of a list of verdicts.
fn gates_suite(gates: &[GateCase]) -> Suite {
    Suite {
        name: "gates",
        properties: Vec::new(),
        cases: gates.iter().map(GateCase::case).collect(),
    }
}

/// A testcase per applicable row of the report, in its ranking order: its controls, or
/// under `v1` and `pass-rate` its recommendations (a suite of that name).
fn report_suites(report: &Report) -> Vec<Suite> {
    let mut properties = vec![("secure score", percent(report.score.percentage))];
    if report.model.ranks_recommendations() {
        properties.push(("model", report.model.as_str().to_string()));
    }
    properties.push(("as of", report.as_of.clone()));
    let rows = if report.model.ranks_recommendations() {
        Suite {
            name: "recommendations",
            properties,
            cases: report
                .recommendation_rows()
                .iter()
                .filter(|r| r.applicable)
                .map(recommendation_case)
                .collect(),
        }
    } else {
        Suite {
            name: "controls",
            properties,
            cases: report
                .control_rows()
                .iter()
                .filter(|c| c.applicable)
                .map(control_case)
                .collect(),
        }
    };
    vec![gates_suite(&report_gates(report.gate.as_ref())), rows]
}

/// A recommendation's testcase: failed when it has unhealthy resources, the message
/// giving their number and the score on offer, the details its severity, its `v1`
/// points (and whether they are securescore's default) and the controls that hold it.
fn recommendation_case(r: &RankedRecommendationOut) -> Case {
    let name = name_and_id(r.name.as_deref(), &r.id);
    let applicable = r.healthy_resources + r.unhealthy_resources;
    let mut about = vec![format!("severity {}", r.severity.unwrap_or("unknown"))];
    if let Some(points) = r.points {
        about.push(match r.points_from {
            Some("input") => format!("{} points (set by the input)", fmt2(points)),
            _ => format!(
                "{} points (securescore's default by severity; Microsoft never published its mapping)",
                fmt2(points)
            ),
        });
    }
    about.push(if r.control_names.is_empty() {
        "in no control".to_string()
    } else {
        format!("in {}", r.control_names.join(", "))
    });
    let about = about.join(" · ");
    if r.unhealthy_resources == 0 {
        return Case {
            name,
            failure: None,
            output: Some(format!(
                "{applicable} healthy resource(s), nothing unhealthy; {about}"
            )),
        };
    }
    Case {
        name,
        failure: Some(Failure {
            kind: "unhealthy",
            message: unhealthy_message(r.unhealthy_resources, applicable, r.potential_increase_percentage),
            details: vec![about],
        }),
        output: None,
    }
}

/// A control's testcase: failed when it has unhealthy resources, the message giving
/// their number and the score on offer, the details each failing recommendation.
fn control_case(c: &ControlOut) -> Case {
    let name = name_and_id(c.name.as_deref(), &c.id);
    let applicable = c.healthy_resources + c.unhealthy_resources;
    if c.unhealthy_resources == 0 {
        return Case {
            name,
            failure: None,
            output: Some(format!("{applicable} healthy resource(s), nothing unhealthy")),
        };
    }
    let details = c
        .recommendations
        .iter()
        .filter(|r| r.unhealthy_resources > 0)
        .map(|r| {
            format!(
                "{}: {} unhealthy resource(s)",
                name_and_id(r.name.as_deref(), &r.id),
                r.unhealthy_resources
            )
        })
        .collect();
    Case {
        name,
        failure: Some(Failure {
            kind: "unhealthy",
            message: unhealthy_message(c.unhealthy_resources, applicable, c.potential_increase_percentage),
            details,
        }),
        output: None,
    }
}

/// "3 of 50 resources unhealthy; +1.60% secure score on offer".
fn unhealthy_message(unhealthy: u64, applicable: u64, on_offer: f64) -> String {
    format!(
        "{unhealthy} of {applicable} resources unhealthy; +{}% secure score on offer",
        fmt2(on_offer)
    )
}

/// `diff`: the gate, and a testcase per control (under `v1` and `pass-rate` per
/// recommendation) applicable in AFTER.
fn diff_suites(d: &Diff) -> Vec<Suite> {
    let cases = d
        .comparison
        .rows()
        .iter()
        .filter(|c| c.after_applicable())
        .map(|c| {
            let name = name_and_id(c.name.as_deref(), &c.id);
            let failed = c.after_unhealthy_resources > 0;
            Case {
                name,
                failure: failed.then(|| Failure {
                    kind: "unhealthy",
                    message: unhealthy_message(
                        c.after_unhealthy_resources,
                        c.after_healthy_resources + c.after_unhealthy_resources,
                        c.after_potential_increase_percentage,
                    ),
                    details: vec![change_line(c.before, c.after, c.change)],
                }),
                output: (!failed).then(|| change_line(c.before, c.after, c.change)),
            }
        })
        .collect();
    let mut properties = vec![
        ("secure score before", percent(d.comparison.before.percentage)),
        ("secure score after", percent(d.comparison.after.percentage)),
        ("as of", d.comparison.as_of.clone()),
    ];
    if let Some(model) = d.comparison.model_shown() {
        properties.push(("model", model.to_string()));
    }
    let rows = Suite {
        name: if d.comparison.model.ranks_recommendations() {
            "recommendations"
        } else {
            "controls"
        },
        properties,
        cases,
    };
    vec![gates_suite(&diff_gates(d.gate.as_ref())), rows]
}

/// "current score 4.00 → 5.00 (+1.00)".
fn change_line(before: Option<f64>, after: Option<f64>, change: f64) -> String {
    let shown = |x: Option<f64>| x.map_or("n/a".to_string(), fmt2);
    format!(
        "current score {} → {} ({})",
        shown(before),
        shown(after),
        crate::text::signed(change)
    )
}

/// The whole document: the XML declaration, `<testsuites>` with the totals, and each
/// suite. No time or host attributes: the same input gives the same bytes.
fn write_suites(suites: &[Suite]) -> String {
    let tests: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(failures_of).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"securescore\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">"
    );
    for suite in suites {
        write_suite(&mut out, suite);
    }
    out.push_str("</testsuites>\n");
    out
}

fn failures_of(suite: &Suite) -> usize {
    suite.cases.iter().filter(|c| c.failure.is_some()).count()
}

fn write_suite(out: &mut String, suite: &Suite) {
    let _ = write!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"0\"",
        suite.name,
        suite.cases.len(),
        failures_of(suite)
    );
    if suite.cases.is_empty() && suite.properties.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if !suite.properties.is_empty() {
        out.push_str("    <properties>\n");
        for (name, value) in &suite.properties {
            let _ = writeln!(
                out,
                "      <property name=\"{}\" value=\"{}\"/>",
                escape(name),
                escape(value)
            );
        }
        out.push_str("    </properties>\n");
    }
    for case in &suite.cases {
        write_case(out, suite.name, case);
    }
    out.push_str("  </testsuite>\n");
}

fn write_case(out: &mut String, suite: &str, case: &Case) {
    let _ = write!(
        out,
        "    <testcase classname=\"securescore.{suite}\" name=\"{}\"",
        escape(&case.name)
    );
    match (&case.failure, &case.output) {
        (Some(f), _) => {
            let _ = writeln!(
                out,
                ">\n      <failure type=\"{}\" message=\"{}\">{}</failure>\n    </testcase>",
                f.kind,
                escape(&f.message),
                std::iter::once(&f.message)
                    .chain(&f.details)
                    .map(|line| escape(line))
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
        (None, Some(text)) => {
            let _ = writeln!(
                out,
                ">\n      <system-out>{}</system-out>\n    </testcase>",
                escape(text)
            );
        }
        (None, None) => out.push_str("/>\n"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_leaves_no_markup_and_no_forbidden_character() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        // NUL, ESC, a tab, a line feed, DEL, a bidirectional override, U+FFFE, U+FFFF.
        assert_eq!(
            escape("a\0b\u{1b}c\td\ne\u{7f}f\u{202e}g\u{fffe}h\u{ffff}"),
            "a\\u{0}b\\u{1b}c\\u{9}d\\u{a}e\\u{7f}f\\u{202e}g\\u{fffe}h\\u{ffff}"
        );
        assert_eq!(
            escape("=HYPERLINK(\"x\") `@user` | a"),
            "=HYPERLINK(&quot;x&quot;) `@user` | a"
        );
    }

    #[test]
    fn unhealthy_message_rounds_for_display() {
        // Shown with two decimals, as the table's +Score.
        assert_eq!(
            unhealthy_message(3, 50, 1.6),
            "3 of 50 resources unhealthy; +1.60% secure score on offer"
        );
    }

    #[test]
    fn a_suite_without_cases_closes_itself() {
        let suites = [Suite {
            name: "gates",
            properties: Vec::new(),
            cases: Vec::new(),
        }];
        assert_eq!(
            write_suites(&suites),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"securescore\" tests=\"0\" failures=\"0\" errors=\"0\">\n  \
             <testsuite name=\"gates\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"/>\n\
             </testsuites>\n"
        );
    }
}
