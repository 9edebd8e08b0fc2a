//! `assess` under `--model v1` and `--model pass-rate` in every format (SPEC §7, §8), on
//! the hand-computed inventory `fixtures/models/v1-vs-classic.json`. Its arithmetic is
//! written out at the top of `tests/models.rs`; the figures these outputs must show,
//! rounded for display where they are text:
//!
//! **v1** (max 160): 103.333… of 160 = 64.5833…% → `64.58%`; without exemptions
//! disk-encryption is H 2 U 2 (20 × 2/4 = 10) and private-links H 1 U 3 (30 × 1/4 =
//! 7.5): 30 + 10 + 7.5 + 25 + 20 = 92.5 of 160 = 57.8125% → `57.81%`.
//!
//! | rank | id              | points      | current  | impact  | +Score              | U / H+U |
//! |------|-----------------|-------------|----------|---------|---------------------|---------|
//! | 1    | mfa             | 50 (default)| 25       | 25      | 15.625 → `+15.63%`  | 1 / 2   |
//! | 2    | private-links   | 30 (input)  | 15       | 15      | 9.375 → `+9.38%`    | 2 / 4   |
//! | 3    | ports           | 40 (default)| 30       | 10      | 6.25 → `+6.25%`     | 1 / 4   |
//! | 4    | disk-encryption | 20 (default)| 13.33…   | 6.66…   | 4.1666… → `+4.17%`  | 1 / 3   |
//! | 5    | endpoint        | 20 (default)| 20       | 0       | 0 → `+0.00%`        | 0 / 2   |
//!
//! **pass-rate**: 1 of 5 pass = `20.00%`; order disk-encryption, mfa, ports,
//! private-links (each impact 1, +Score 100 / 5 = `+20.00%`), then endpoint (0, `+0.00%`).
//!
//! Controls: mgmt-ports ("Secure management ports") holds ports, disk-encryption and
//! endpoint; encrypt-data ("Encrypt data") holds disk-encryption and private-links; mfa
//! is in none.

mod common;

use common::{assert_close, stdout_of};
use serde_json::Value;

const FIXTURE: &str = "fixtures/models/v1-vs-classic.json";
const AS_OF: &str = "2026-11-22";

/// `assess` of the fixture under `model` in `format`, with `extra` arguments.
fn assess(model: &str, format: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "assess", FIXTURE, "--as-of", AS_OF, "--model", model, "-f", format,
    ];
    args.extend_from_slice(extra);
    stdout_of(&args, 0)
}

/// The note on v1's default points, as every format words it (escaped in each).
const POINTS_NOTE: &str = "* points: securescore's default by severity (critical 50, high 40, medium 20, \
                           low 5, unknown 20); Microsoft never published its mapping; set `points` on a \
                           recommendation to override";

#[test]
fn the_v1_table_names_the_model_and_ranks_recommendations() {
    let text = assess("v1", "table", &[]);
    let expected = "\
Secure score (v1) 64.58%  (103.33 of 160.00 points)
4 resources assessed · 1 scope · as of 2026-11-22 · 57.81% without exemptions

────────────────────────────────────────────────────────────────────────────────
 #   Recommendation             Points   Current   Impact    +Score   Unhealthy
════════════════════════════════════════════════════════════════════════════════
 1   MFA should be enabled on   50.00*     25.00    25.00   +15.63%       1 / 2
     owner accounts
     critical · in no control
 2   Storage should use          30.00     15.00    15.00    +9.38%       2 / 4
     private links
     low · in Encrypt data
 3   Management ports should    40.00*     30.00    10.00    +6.25%       1 / 4
     be closed
     high · in Secure
     management ports
 4   Disk encryption should     20.00*     13.33     6.67    +4.17%       1 / 3
     be enabled
     medium · in Encrypt
     data, Secure management
     ports
 5   Endpoint protection        20.00*     20.00     0.00    +0.00%       0 / 2
     should be installed
     medium · in Secure
     management ports
────────────────────────────────────────────────────────────────────────────────
";
    assert!(text.starts_with(expected), "{text}");
    let rest = &text[expected.len()..];
    assert!(rest.starts_with(&format!("{POINTS_NOTE}\n")), "{rest}");
    // One scope: no scope table and no note on scopes; every row applies.
    assert!(!text.contains("Scope"), "{text}");
    assert!(!text.contains("Not applicable"), "{text}");
}

#[test]
fn the_pass_rate_table_has_no_points_and_no_note_on_them() {
    let text = assess("pass-rate", "table", &[]);
    let expected = "\
Secure score (pass-rate) 20.00%  (1 of 5 recommendations pass)
4 resources assessed · 1 scope · as of 2026-11-22

────────────────────────────────────────────────────────────────────────────────
 #   Recommendation                                Impact    +Score   Unhealthy
════════════════════════════════════════════════════════════════════════════════
 1   Disk encryption should be enabled               1.00   +20.00%       1 / 3
     medium · in Encrypt data, Secure management
     ports
 2   MFA should be enabled on owner accounts         1.00   +20.00%       1 / 2
     critical · in no control
 3   Management ports should be closed               1.00   +20.00%       1 / 4
     high · in Secure management ports
 4   Storage should use private links                1.00   +20.00%       2 / 4
     low · in Encrypt data
 5   Endpoint protection should be installed         0.00    +0.00%       0 / 2
     medium · in Secure management ports
────────────────────────────────────────────────────────────────────────────────
";
    assert!(text.starts_with(expected), "{text}");
    assert!(!text.contains("points:"), "{text}");
}

#[test]
fn classic_keeps_its_headline_and_controls() {
    // classic: 5 of 12 points = 41.666…% (tests/models.rs).
    let text = assess("classic", "table", &[]);
    assert!(
        text.starts_with("Secure score 41.67%  (5.00 of 12.00 points)\n"),
        "{text}"
    );
    assert!(text.contains(" Control "), "{text}");
    assert!(!text.contains("points:"), "{text}");
}

#[test]
fn top_cuts_the_recommendations_and_zero_shows_none() {
    let text = assess("v1", "table", &["--top", "2"]);
    assert!(text.contains(" 2   Storage should use"), "{text}");
    assert!(!text.contains(" 3   "), "{text}");
    assert!(
        text.contains("… and 3 more applicable recommendation(s) (drop --top to see all)\n"),
        "{text}"
    );
    assert!(text.contains(POINTS_NOTE), "{text}");
    let none = assess("v1", "table", &["--top", "0"]);
    assert!(
        none.contains("\n5 applicable recommendation(s) not shown (--top 0; drop --top to see them)\n"),
        "{none}"
    );
    assert!(!none.contains(POINTS_NOTE), "a note on no row: {none}");
}

#[test]
fn colour_marks_the_score_and_the_unhealthy_counts() {
    let text = assess("v1", "table", &["--color", "always"]);
    // 64.58% is from 50 to 80: yellow (33), bold.
    assert!(
        text.starts_with("Secure score (v1) \u{1b}[1;33m64.58%\u{1b}[0m  (103.33 of 160.00 points)\n"),
        "{text}"
    );
    // Red where resources are unhealthy (mfa: 1 / 2), green where none is (endpoint).
    assert!(text.contains("\u{1b}[38;5;9m1 / 2"), "{text}");
    assert!(text.contains("\u{1b}[38;5;10m0 / 2"), "{text}");
}

#[test]
fn a_points_set_on_every_row_needs_no_note() {
    // Every recommendation with its own `points`: nothing is securescore's default.
    let mut inventory: Value = serde_json::from_str(
        &std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE)).unwrap(),
    )
    .unwrap();
    for r in inventory["recommendations"].as_array_mut().unwrap() {
        r["points"] = Value::from(10);
    }
    let dir = std::env::temp_dir().join(format!("securescore-model-outputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("points.json");
    std::fs::write(&path, inventory.to_string()).unwrap();
    let text = stdout_of(
        &[
            "assess",
            path.to_str().unwrap(),
            "--as-of",
            AS_OF,
            "--model",
            "v1",
        ],
        0,
    );
    let _ = std::fs::remove_dir_all(&dir);
    // 10 points each: mfa 5, private-links 5, ports 7.5, disk-encryption 6.666…,
    // endpoint 10 = 34.1666… of 50 = 68.333…%.
    assert!(
        text.starts_with("Secure score (v1) 68.33%  (34.17 of 50.00 points)\n"),
        "{text}"
    );
    assert!(!text.contains('*'), "{text}");
    assert!(!text.contains("points:"), "{text}");
}

#[test]
fn several_scopes_get_each_their_own_score_and_a_note() {
    let v1 = stdout_of(
        &[
            "assess",
            "examples/contoso.json",
            "--as-of",
            AS_OF,
            "--model",
            "v1",
        ],
        0,
    );
    assert!(v1.contains(" Scope "), "{v1}");
    assert!(!v1.contains("Weight"), "{v1}");
    assert!(
        v1.contains(
            "\nEach scope's v1 score counts only its own resources: the scopes' scores do not add up to \
             the overall one.\n"
        ),
        "{v1}"
    );
    let pass_rate = stdout_of(
        &[
            "assess",
            "examples/contoso.json",
            "--as-of",
            AS_OF,
            "--model",
            "pass-rate",
        ],
        0,
    );
    assert!(pass_rate.contains(" Passed"), "{pass_rate}");
    assert!(
        pass_rate.contains("Each scope's pass-rate score counts only"),
        "{pass_rate}"
    );
    let classic = stdout_of(&["assess", "examples/contoso.json", "--as-of", AS_OF], 0);
    assert!(classic.contains("Weight"), "{classic}");
    assert!(!classic.contains("Each scope's"), "{classic}");
}

#[test]
fn the_v1_markdown_has_the_rows_columns_and_note() {
    let md = assess("v1", "markdown", &[]);
    let expected_top = "\
## Secure score (v1) 64.58%

Model v1 · 103.33 of 160.00 points · 4 resources assessed · 1 scope · as of 2026-11-22 · 57.81% without exemptions

### Scopes

| Scope | Score | Points |
|---|--:|--:|
| prod (00000000-0000-0000-0000-0000000000a1) | 64.58% | 103.33 / 160.00 |

### Recommendations, most to gain first

| # | Recommendation | Severity | Points | Current | Impact | +Score | Unhealthy | Controls |
|--:|---|---|--:|--:|--:|--:|--:|---|
| 1 | MFA should be enabled on owner accounts | critical | 50.00\\* | 25.00 | 25.00 | +15.63% | 1 / 2 | - |
| 2 | Storage should use private links | low | 30.00 | 15.00 | 15.00 | +9.38% | 2 / 4 | Encrypt data |
| 3 | Management ports should be closed | high | 40.00\\* | 30.00 | 10.00 | +6.25% | 1 / 4 | Secure management ports |
| 4 | Disk encryption should be enabled | medium | 20.00\\* | 13.33 | 6.67 | +4.17% | 1 / 3 | Encrypt data, Secure management ports |
| 5 | Endpoint protection should be installed | medium | 20.00\\* | 20.00 | 0.00 | +0.00% | 0 / 2 | Secure management ports |

\\* points: securescore's default by severity (critical 50, high 40, medium 20, low 5, unknown 20); Microsoft never published its mapping; set \\`points\\` on a recommendation to override

<details>
<summary>Full ranking (5 recommendations) and warnings (";
    assert!(md.starts_with(expected_top), "{md}");
}

#[test]
fn the_pass_rate_markdown_has_no_points() {
    let md = assess("pass-rate", "markdown", &[]);
    assert!(md.starts_with(
        "## Secure score (pass-rate) 20.00%\n\nModel pass-rate · 1 of 5 recommendations pass · "
    ));
    assert!(md.contains(
        "| # | Recommendation | Severity | Impact | +Score | Unhealthy | Controls |\n|--:|---|---|--:|--:|--:|---|\n\
         | 1 | Disk encryption should be enabled | medium | 1.00 | +20.00% | 1 / 3 | Encrypt data, Secure management ports |\n"
    ), "{md}");
    assert!(!md.contains("points:"), "{md}");
}

#[test]
fn the_html_page_shows_the_recommendations_with_their_figures() {
    let html = assess("v1", "html", &[]);
    assert!(html.contains("<h1>Secure score (v1) 64.58%</h1>"), "{html}");
    assert!(html.contains("· model v1 (103.33 of 160.00 points) ·"), "{html}");
    assert!(!html.contains("id=\"controls\""), "{html}");
    // The first row: mfa, critical, 50 default points, 25 of 50 current (a half bar),
    // impact 25, +15.63%, 1 of 2 unhealthy, in no control.
    assert!(
        html.contains(
            "<tr class=\"applicable\"><td class=\"n\">1</td><td>MFA should be enabled on owner accounts<br>\
             <code>mfa</code></td><td>critical</td><td class=\"n\">50.00*</td><td><span class=\"bar\" \
             title=\"25.00 of 50.00\"><span style=\"width:50.0%\"></span></span> 25.00</td><td class=\"n\">25.00</td>\
             <td class=\"n\">+15.63%</td><td class=\"n\">1 / 2</td><td><span class=\"na\">none</span></td></tr>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<td>Encrypt data, Secure management ports</td>"),
        "{html}"
    );
    assert!(
        html.contains("id=\"points-note\">* points: securescore&#39;s default"),
        "{html}"
    );
    let pass_rate = assess("pass-rate", "html", &[]);
    assert!(
        pass_rate.contains("<h1>Secure score (pass-rate) 20.00%</h1>"),
        "{pass_rate}"
    );
    assert!(
        pass_rate.contains("model pass-rate (1 of 5 recommendations pass)"),
        "{pass_rate}"
    );
    assert!(!pass_rate.contains("points-note"), "{pass_rate}");
}

#[test]
fn the_csv_rows_are_the_json_recommendations_in_order() {
    let csv = assess("v1", "csv", &[]);
    let lines: Vec<&str> = csv.split("\r\n").collect();
    assert_eq!(
        lines[0],
        "rank,id,name,severity,preview,custom,applicable,max_score,current_score,potential_increase,\
         potential_increase_percentage,points_per_resource,points,points_from,healthy_resources,\
         unhealthy_resources,not_applicable_resources,controls"
    );
    // mfa: 50 points, 1 of 2 healthy: 25 current, 25 per assessed resource, 15.625%.
    assert_eq!(
        lines[1],
        "1,mfa,MFA should be enabled on owner accounts,critical,false,false,true,50.0,25.0,25.0,15.625,\
         25.0,50.0,severity,1,1,0,"
    );
    // private-links: its own 30 points, 2 of 4 healthy: 15, 7.5 per resource, 9.375%.
    assert_eq!(
        lines[2],
        "2,private-links,Storage should use private links,low,false,false,true,30.0,15.0,15.0,9.375,7.5,\
         30.0,input,2,2,0,encrypt-data"
    );
    // disk-encryption: two controls, by id, joined by `;`.
    assert!(lines[4].starts_with("4,disk-encryption,"), "{csv}");
    assert!(
        lines[4].ends_with(",severity,2,1,1,encrypt-data;mgmt-ports"),
        "{csv}"
    );
    assert_eq!(lines.len(), 7, "a header, five rows and the final CRLF: {csv}");
    // pass-rate: no points; each failing recommendation is 1 of 5, +20%.
    let csv = assess("pass-rate", "csv", &[]);
    let first = csv.split("\r\n").nth(1).unwrap();
    assert_eq!(
        first,
        "1,disk-encryption,Disk encryption should be enabled,medium,false,false,true,1.0,0.0,1.0,20.0,,,,\
         2,1,1,encrypt-data;mgmt-ports"
    );
}

#[test]
fn junit_has_a_testcase_per_applicable_recommendation() {
    let xml = assess("v1", "junit", &["--fail-under", "60"]);
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("recommendations"))
        .expect("a recommendations suite");
    assert!(
        !doc.descendants()
            .any(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("controls")),
        "{xml}"
    );
    assert_eq!(suite.attribute("tests"), Some("5"));
    assert_eq!(suite.attribute("failures"), Some("4"));
    let property = |name: &str| {
        suite
            .descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
            .and_then(|n| n.attribute("value"))
            .map(str::to_string)
    };
    assert_eq!(property("secure score").as_deref(), Some("64.58%"));
    assert_eq!(property("model").as_deref(), Some("v1"));
    let cases: Vec<(String, Option<String>, Option<String>)> = suite
        .children()
        .filter(|n| n.has_tag_name("testcase"))
        .map(|c| {
            let failure = c.children().find(|n| n.has_tag_name("failure"));
            (
                c.attribute("name").unwrap().to_string(),
                failure.map(|f| f.attribute("message").unwrap().to_string()),
                failure.and_then(|f| f.text()).map(str::to_string),
            )
        })
        .collect();
    let names: Vec<&str> = cases.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "MFA should be enabled on owner accounts (mfa)",
            "Storage should use private links (private-links)",
            "Management ports should be closed (ports)",
            "Disk encryption should be enabled (disk-encryption)",
            "Endpoint protection should be installed (endpoint)",
        ]
    );
    assert_eq!(
        cases[0].1.as_deref(),
        Some("1 of 2 resources unhealthy; +15.63% secure score on offer")
    );
    assert_eq!(
        cases[0].2.as_deref(),
        Some(
            "1 of 2 resources unhealthy; +15.63% secure score on offer\nseverity critical · 50.00 points \
             (securescore's default by severity; Microsoft never published its mapping) · in no control"
        )
    );
    assert!(
        cases[1]
            .2
            .as_deref()
            .unwrap()
            .ends_with("30.00 points (set by the input) · in Encrypt data"),
        "{xml}"
    );
    assert_eq!(cases[4].1, None, "endpoint has nothing unhealthy");
    // The gate suite is as under classic: 64.58% passes fail-under 60.
    let gate = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("gates"))
        .unwrap();
    assert_eq!(gate.attribute("tests"), Some("1"));
    assert_eq!(gate.attribute("failures"), Some("0"));
}

#[test]
fn sarif_names_the_model_and_each_rule_s_points() {
    let log: Value = serde_json::from_str(&assess("v1", "sarif", &[])).unwrap();
    let run = &log["runs"][0];
    assert_eq!(run["properties"]["model"], "v1");
    assert!(
        run["properties"].get("weighting").is_none(),
        "v1 weighs no scopes"
    );
    assert_close(
        &run["properties"]["score"]["percentage"],
        100.0 * (310.0 / 3.0) / 160.0,
    );
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let rule = |id: &str| rules.iter().find(|r| r["id"] == id).unwrap();
    // mfa is in no control: only the `security` tag, its default 50 points.
    assert_eq!(rule("mfa")["properties"]["tags"], serde_json::json!(["security"]));
    assert_eq!(rule("mfa")["properties"]["points"], 50.0);
    assert_eq!(rule("mfa")["properties"]["points-from"], "severity");
    assert_eq!(rule("private-links")["properties"]["points"], 30.0);
    assert_eq!(rule("private-links")["properties"]["points-from"], "input");
    // One result per unhealthy pair, and the two exempt pairs suppressed: mfa vm1, ports
    // vm1, disk-encryption vm3 (and vm2 waived), private-links vm1 and vm2 (and vm4
    // mitigated).
    let results = run["results"].as_array().unwrap();
    let open = results.iter().filter(|r| r.get("suppressions").is_none()).count();
    assert_eq!((results.len(), open), (7, 5));
    // pass-rate has no points, and classic names its model too.
    let log: Value = serde_json::from_str(&assess("pass-rate", "sarif", &[])).unwrap();
    assert_eq!(log["runs"][0]["properties"]["model"], "pass-rate");
    assert!(log["runs"][0]["tool"]["driver"]["rules"][0]["properties"]
        .get("points")
        .is_none());
    let log: Value = serde_json::from_str(&assess("classic", "sarif", &[])).unwrap();
    assert_eq!(log["runs"][0]["properties"]["model"], "classic");
    assert_eq!(log["runs"][0]["properties"]["weighting"], "resources");
}

#[test]
fn a_recommendation_assessed_only_as_not_applicable_is_listed_as_idle_controls_are() {
    let inventory = serde_json::json!({
        "controls": [{"id": "c", "name": "C", "max_score": 4, "recommendations": ["on", "off"]}],
        "recommendations": [
            {"id": "on", "name": "Applies", "severity": "high"},
            {"id": "off", "name": "Idle `one` <b>", "severity": "low"}
        ],
        "assessments": [
            {"resource": "/subscriptions/s/resourceGroups/g/providers/x/y/vm1", "recommendation": "on", "status": "healthy"},
            {"resource": "/subscriptions/s/resourceGroups/g/providers/x/y/vm1", "recommendation": "off", "status": "notApplicable"}
        ]
    });
    let dir = std::env::temp_dir().join(format!("securescore-model-idle-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("idle.json");
    std::fs::write(&path, inventory.to_string()).unwrap();
    let run = |format: &str| {
        stdout_of(
            &[
                "assess",
                path.to_str().unwrap(),
                "--as-of",
                AS_OF,
                "--model",
                "v1",
                "-f",
                format,
            ],
            0,
        )
    };
    let (table, md, html) = (run("table"), run("markdown"), run("html"));
    let _ = std::fs::remove_dir_all(&dir);
    // "on": 40 points, healthy: 40 of 40 = 100%; "off" applies to nothing.
    assert!(
        table.starts_with("Secure score (v1) 100.00%  (40.00 of 40.00 points)\n"),
        "{table}"
    );
    assert!(
        table.contains("\nNot applicable (no assessed resource): Idle `one` <b>\n"),
        "{table}"
    );
    assert!(
        md.contains("\nNot applicable (no assessed resource): Idle \\`one\\` &lt;b&gt;\n"),
        "{md}"
    );
    assert!(
        html.contains(
            "id=\"not-applicable\">Not applicable (no assessed resource): Idle `one` &lt;b&gt;</p>"
        ),
        "{html}"
    );
}
