//! `explain` and `plan` under the models whose rows are recommendations (SPEC §7), end to
//! end, against the figures computed by hand at the top of `tests/models.rs` for
//! `fixtures/models/v1-vs-classic.json` (one subscription, vm1–vm4), and for
//! `fixtures/models/v1-two-scopes.json`:
//!
//! - Production (prod): vm1, vm3; Development (dev): vm2. `r` (high, 40 points by
//!   default) healthy on vm1 and vm3, unhealthy on vm2; `q` (low, 5 points) unhealthy on
//!   vm1, healthy on vm2.
//! - v1 overall: r H 2 U 1 → 40 × 2/3 = 26.666…, impact 13.333…, +Score 100 × 13.333… /
//!   45 = 29.629…; q H 1 U 1 → 2.5; score 29.166… / 45 = 64.814…%.
//! - prod's own score: r 40 of 40, q 0 of 5 → 40 / 45 = 88.888…%; r has nothing to gain
//!   there. dev's own: r 0 of 40, q 5 of 5 → 5 / 45 = 11.111…%; r's impact there is 40,
//!   +Score 100 × 40 / 45 = 88.888… of dev's score. The scopes' points (45 + 45) are not
//!   the overall ones (45).
//! - pass-rate overall: r and q both fail → 0 / 2 = 0%; r +Score 100 / 2 = 50. prod: r
//!   passes, q fails → 1 of 2 = 50%; dev: r fails, q passes → 50%, r +50 of dev's score.

mod common;
use common::{assert_close, assert_exit, run, stdout_of};
use serde_json::Value;

const ONE: &str = "fixtures/models/v1-vs-classic.json";
const TWO: &str = "fixtures/models/v1-two-scopes.json";

fn json(args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["-f", "json", "--as-of", "2026-11-22"]);
    let out = run(&all);
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn last_segment(id: &Value) -> String {
    id.as_str().map_or("null".to_string(), |s| {
        s.rsplit('/').next().unwrap_or(s).to_string()
    })
}

/// explain mfa under v1: 50 points by default for critical (no `points`), H 1 U 1:
/// current 50 × 1/2 = 25, impact 25, +Score 100 × 25 / 160 = 15.625; the score 310/3
/// of 160 points over 5 applicable recommendations.
#[test]
fn explain_mfa_under_v1_shows_its_arithmetic() {
    let e = json(&["explain", "mfa", ONE, "--model", "v1"]);
    assert_eq!(e["schema"], "securescore.explain/v1");
    assert_eq!(e["model"], "v1");
    assert!(e.get("control").is_none(), "a recommendation, not a control");
    let r = &e["recommendation"];
    assert_eq!((r["id"].as_str(), r["rank"].as_u64()), (Some("mfa"), Some(1)));
    assert_eq!(r["points_from"], "severity");
    assert_close(&r["points"], 50.0);
    assert_eq!(
        (
            &r["healthy_resources"],
            &r["unhealthy_resources"],
            &r["not_applicable_resources"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(0))
    );
    assert_close(&r["current_score"], 25.0);
    assert_close(&r["potential_increase"], 25.0);
    assert_close(&r["potential_increase_percentage"], 15.625);
    assert_eq!(r["controls"], serde_json::json!([]));
    assert_close(&e["score"]["max"], 160.0);
    assert_close(&e["score"]["current"], 310.0 / 3.0);
    assert_close(&e["score"]["percentage"], 100.0 * (310.0 / 3.0) / 160.0);
    assert_eq!(e["score"]["applicable_recommendations"], 5);
    assert_close(&e["overall_percentage"], 100.0 * (310.0 / 3.0) / 160.0);
    // vm1 fails it; nothing exempts it.
    let unhealthy: Vec<String> = e["unhealthy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| last_segment(&u["resource"]))
        .collect();
    assert_eq!(unhealthy, ["vm1"]);
    assert_eq!(e["exemptions"], serde_json::json!([]));

    let text = stdout_of(
        &["explain", "mfa", ONE, "--model", "v1", "--as-of", "2026-11-22"],
        0,
    );
    assert!(text.starts_with("MFA should be enabled on owner accounts (mfa) · model v1 · rank 1 · critical · overall score 64.58%"), "{text}");
    assert!(text.contains("Points: 50, securescore's default for critical severity (Microsoft never published how severity maps to points"), "{text}");
    assert!(text.contains("1 healthy, 1 unhealthy (0 not applicable): current = 50 × 1 / (1 + 1) = 25; impact = 50 − 25 = 25; +Score = 100 × 25 / 160 = +15.63% of the overall score."), "{text}");
    assert!(
        text.contains("The v1 score: 103.333 of 160 points over 5 applicable recommendations = 64.58%."),
        "{text}"
    );
}

/// private-links under v1: 30 points from its `points` field (low's default would be 5);
/// H 2 U 2 (vm4's mitigation makes it healthy, and is listed): current 15, impact 15,
/// +Score 9.375; it is in encrypt-data.
#[test]
fn explain_under_v1_says_where_input_points_come_from_and_lists_exemptions() {
    let e = json(&["explain", "private links", ONE, "--model", "v1"]);
    let r = &e["recommendation"];
    assert_eq!(r["id"], "private-links");
    assert_eq!(r["points_from"], "input");
    assert_close(&r["points"], 30.0);
    assert_close(&r["current_score"], 15.0);
    assert_close(&r["potential_increase_percentage"], 9.375);
    assert_eq!(r["controls"], serde_json::json!(["encrypt-data"]));
    assert_eq!(r["control_names"], serde_json::json!(["Encrypt data"]));
    let exemptions = e["exemptions"].as_array().unwrap();
    assert_eq!(exemptions.len(), 1);
    assert_eq!(last_segment(&exemptions[0]["resource"]), "vm4");
    assert_eq!(exemptions[0]["category"], "mitigated");
    let text = stdout_of(
        &[
            "explain",
            "private-links",
            ONE,
            "--model",
            "v1",
            "--as-of",
            "2026-11-22",
        ],
        0,
    );
    assert!(text.contains("Points: 30, from its points field."), "{text}");
    assert!(
        text.contains("In control(s): Encrypt data (encrypt-data)."),
        "{text}"
    );
}

/// disk-encryption under pass-rate: it fails (vm3; vm2's waiver makes vm2 not
/// applicable): 1 passed (endpoint), 4 failed → +Score 100 / 5 = 20.
#[test]
fn explain_under_pass_rate_shows_passed_and_failed() {
    let e = json(&["explain", "disk-encryption", ONE, "--model", "pass-rate"]);
    assert_eq!(e["model"], "pass-rate");
    let r = &e["recommendation"];
    assert_eq!(
        (
            &r["healthy_resources"],
            &r["unhealthy_resources"],
            &r["not_applicable_resources"]
        ),
        (&Value::from(2), &Value::from(1), &Value::from(1))
    );
    assert!(r.get("points").is_none(), "pass-rate uses no points");
    assert_close(&r["potential_increase_percentage"], 20.0);
    assert_close(&e["score"]["current"], 1.0);
    assert_close(&e["score"]["max"], 5.0);
    assert_close(&e["overall_percentage"], 20.0);
    let text = stdout_of(
        &[
            "explain",
            "disk-encryption",
            ONE,
            "--model",
            "pass-rate",
            "--as-of",
            "2026-11-22",
        ],
        0,
    );
    assert!(text.contains("Fails: 2 healthy, 1 unhealthy (1 not applicable); fixing it makes it pass: +Score = 100 / (1 passed + 4 failed) = +20.00% of the overall score."), "{text}");
    assert!(
        text.contains("The pass-rate score: 1 of 5 applicable recommendations pass = 20.00%."),
        "{text}"
    );
    // endpoint passes: nothing to gain.
    let text = stdout_of(
        &[
            "explain",
            "endpoint",
            ONE,
            "--model",
            "pass-rate",
            "--as-of",
            "2026-11-22",
        ],
        0,
    );
    assert!(
        text.contains("Passes: 2 healthy, no unhealthy (0 not applicable); nothing to gain."),
        "{text}"
    );
}

/// Each scope's own score, and `r`'s figures in it (the arithmetic at the top).
#[test]
fn explain_shows_each_scopes_own_score() {
    let e = json(&["explain", "r", TWO, "--model", "v1"]);
    assert_close(&e["overall_percentage"], 100.0 * (80.0 / 3.0 + 2.5) / 45.0);
    assert_close(
        &e["recommendation"]["potential_increase_percentage"],
        100.0 * (40.0 / 3.0) / 45.0,
    );
    let scopes = e["scopes"].as_array().unwrap();
    let ids: Vec<&str> = scopes.iter().map(|s| s["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["dev", "prod"], "in model order: by id");
    let (dev, prod) = (&scopes[0], &scopes[1]);
    assert_close(&dev["score"]["percentage"], 100.0 * 5.0 / 45.0);
    assert_close(&dev["score"]["max"], 45.0);
    assert_eq!(dev["weight"], 1);
    assert_close(&dev["current_score"], 0.0);
    assert_close(&dev["potential_increase"], 40.0);
    assert_close(&dev["potential_increase_percentage"], 100.0 * 40.0 / 45.0);
    assert_close(&prod["score"]["percentage"], 100.0 * 40.0 / 45.0);
    assert_eq!(prod["weight"], 2);
    assert_close(&prod["current_score"], 40.0);
    assert_close(&prod["potential_increase_percentage"], 0.0);

    let e = json(&["explain", "r", TWO, "--model", "pass-rate"]);
    assert_close(&e["overall_percentage"], 0.0);
    assert_close(&e["recommendation"]["potential_increase_percentage"], 50.0);
    let scopes = e["scopes"].as_array().unwrap();
    assert_close(&scopes[0]["score"]["percentage"], 50.0);
    assert_close(&scopes[0]["potential_increase_percentage"], 50.0);
    assert_close(&scopes[1]["score"]["percentage"], 50.0);
    assert_close(&scopes[1]["potential_increase_percentage"], 0.0);

    for format in ["table", "markdown"] {
        let text = stdout_of(
            &[
                "explain",
                "r",
                TWO,
                "--model",
                "v1",
                "--as-of",
                "2026-11-22",
                "-f",
                format,
            ],
            0,
        );
        assert!(
            text.contains("the scopes' scores do not add up to the overall one"),
            "{format}: {text}"
        );
        assert!(
            text.contains("+Score = 100 × 40 / 45 = +88.89% of the scope's own score"),
            "{format}: {text}"
        );
        assert!(
            text.contains("To fix it: Close port 3389 to the internet."),
            "{format}: {text}"
        );
    }
}

/// Under classic, explain still takes a control, and its JSON names the model.
#[test]
fn explain_under_classic_keeps_the_control() {
    let e = json(&["explain", "mgmt-ports", ONE]);
    assert_eq!(e["model"], "classic");
    assert_eq!(e["control"]["id"], "mgmt-ports");
    assert!(e.get("recommendation").is_none());
    // 8 × 2/4 = 4 (tests/models.rs).
    assert_close(&e["control"]["current_score"], 4.0);
}

/// A control under v1 is a usage error that lists its recommendations the inputs assess,
/// by id; one only preview or custom is not scored, and says why.
#[test]
fn a_control_under_v1_lists_its_recommendations() {
    let out = run(&[
        "explain",
        "Encrypt data",
        ONE,
        "--model",
        "v1",
        "--as-of",
        "2026-11-22",
    ]);
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).lines().last().unwrap(),
        "securescore: usage: \"Encrypt data\" (encrypt-data) is a control, and --model v1 ranks recommendations, not controls; explain one of its recommendations: \"Disk encryption should be enabled\" (disk-encryption) or \"Storage should use private links\" (private-links)"
    );
}

/// plan under v1 picks by gain per resource changed: mfa 15.625 on 1 resource, ports
/// 6.25 on 1, private-links 9.375 on 2 (4.6875 each), disk-encryption 100 × (20/3) /
/// 160 = 4.1666… on 1 (v1's own ranking by +Score puts private-links before ports).
/// Projected: (310/3 + 25) / 160, + 10, + 15, + 20/3 → 100%.
#[test]
fn plan_under_v1_ranks_by_gain_per_resource() {
    let p = json(&["plan", ONE, "--model", "v1", "--steps", "5"]);
    assert_eq!(p["model"], "v1");
    assert_close(&p["start_percentage"], 100.0 * (310.0 / 3.0) / 160.0);
    let steps = p["steps"].as_array().unwrap();
    let expected = [
        ("mfa", vec!["vm1"], 25.0, 15.625),
        ("ports", vec!["vm1"], 10.0, 6.25),
        ("private-links", vec!["vm1", "vm2"], 15.0, 9.375),
        (
            "disk-encryption",
            vec!["vm3"],
            20.0 / 3.0,
            100.0 * (20.0 / 3.0) / 160.0,
        ),
    ];
    assert_eq!(steps.len(), expected.len(), "nothing more to gain after 4");
    let mut current = 310.0 / 3.0;
    for (s, (id, resources, points, gain)) in steps.iter().zip(expected) {
        assert_eq!(s["control"], Value::Null, "no whole-control step under v1");
        assert_eq!(s["recommendations"], serde_json::json!([id]));
        let got: Vec<String> = s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(last_segment)
            .collect();
        assert_eq!(got, resources);
        current += points;
        assert_close(&s["gain_points"], points);
        assert_close(&s["gain_percentage"], gain);
        assert_close(&s["projected_percentage"], 100.0 * current / 160.0);
    }
    assert_close(&steps[3]["projected_percentage"], 100.0);
    assert_eq!(p["exhausted"], true);
    let text = stdout_of(
        &[
            "plan",
            ONE,
            "--model",
            "v1",
            "--steps",
            "1",
            "--as-of",
            "2026-11-22",
        ],
        0,
    );
    assert!(
        text.starts_with("Remediation plan · model v1 · start 64.58%"),
        "{text}"
    );
}

/// plan under pass-rate: each failing recommendation fixed adds 100 / 5 = 20; per
/// resource disk-encryption, mfa and ports tie at 20 (then by id), private-links (2
/// resources) 10 comes last. No points.
#[test]
fn plan_under_pass_rate_fixes_one_recommendation_a_step() {
    let p = json(&["plan", ONE, "--model", "pass-rate", "--target", "100"]);
    assert_eq!(p["model"], "pass-rate");
    assert_eq!(p["reached"], true);
    let ids: Vec<&str> = p["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["recommendations"][0].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["disk-encryption", "mfa", "ports", "private-links"]);
    for (i, s) in p["steps"].as_array().unwrap().iter().enumerate() {
        assert_close(&s["gain_percentage"], 20.0);
        assert_close(&s["projected_percentage"], 20.0 * (i as f64 + 2.0));
        assert_eq!(s["gain_points"], Value::Null);
    }
    // The classic plan of the same inventory names no model in its headline.
    let text = stdout_of(&["plan", ONE, "--steps", "1", "--as-of", "2026-11-22"], 0);
    assert!(text.starts_with("Remediation plan · start 41.67%"), "{text}");
    let markdown = stdout_of(
        &[
            "plan",
            ONE,
            "--model",
            "pass-rate",
            "--steps",
            "1",
            "--as-of",
            "2026-11-22",
            "-f",
            "markdown",
        ],
        0,
    );
    assert!(
        markdown.contains("\nModel pass-rate · Start 20.00% · 1 step(s) asked for"),
        "{markdown}"
    );
}
