//! `diff`, `--record`, `trend` and the gates under the scoring models of SPEC §7, end to
//! end, against figures computed by hand.
//!
//! `fixtures/models/v1-vs-classic.json` (BEFORE; its arithmetic is at the top of
//! `tests/models.rs`) and `fixtures/models/v1-vs-classic-after.json` (AFTER), both on
//! 2026-11-22. AFTER differs by one change of each cause:
//!
//! | cause      | change                                              |
//! |------------|-----------------------------------------------------|
//! | removed    | private-links on vm4 (unhealthy, mitigated → H)     |
//! | added      | mfa on vm3, unhealthy                               |
//! | regressed  | endpoint on vm2, healthy → unhealthy                |
//! | fixed      | ports on vm1, unhealthy → healthy                   |
//! | exemptions | disk-encryption on vm2 loses its waiver (→ U)       |
//! | catalog    | private-links' points 30 → 10                       |
//!
//! **v1** (max 160 until the catalog step; BEFORE current 103.333…, 64.5833…%):
//! - removed: private-links H 1, U 2: 30 × 1/3 = 10 (was 15): current 98.333…,
//!   61.458333…%, change −3.125.
//! - added: mfa H 1, U 2: 50 × 1/3 = 16.666… (was 25): current 90, 56.25%,
//!   change −5.208333… (= −125/24).
//! - regressed: endpoint H 1, U 1: 10 (was 20): current 80, 50%, change −6.25.
//! - fixed: ports H 4: 40 (was 30): current 90, 56.25%, change +6.25.
//! - exemptions: disk-encryption H 2, U 2: 10 (was 13.333…): current 86.666…,
//!   54.1666…%, change −2.083333… (= −25/12).
//! - catalog: private-links 10 × 1/3 = 3.333… (was 10), max 160 − 30 + 10 = 140:
//!   current 80, 80/140 = 57.142857…% (= 400/7), change 400/7 − 650/12 = 125/42.
//! - total 400/7 − 775/12 = −625/84 = −7.440476…; the steps add up to it.
//! - AFTER directly: ports 40, disk-encryption 10, private-links 3.333…, mfa 16.666…,
//!   endpoint 10 = 80 of 40 + 20 + 10 + 50 + 20 = 140. ✓
//! - Rows (current scores), largest drop first: private-links 15 → 3.333… (−11.666…),
//!   endpoint 20 → 10 (−10), mfa 25 → 16.666… (−8.333…), disk-encryption 13.333… → 10
//!   (−3.333…), ports 30 → 40 (+10).
//! - Resources: removed vm4, added vm3, regressed vm2, fixed vm1, exemptions vm2,
//!   catalog the private-links assessments left: vm1, vm2, vm3.
//!
//! **pass-rate** (BEFORE: endpoint alone passes, 1/5 = 20%): removed 0 (private-links
//! still fails), added 0 (mfa still fails), regressed −20 (endpoint fails: 0/5), fixed +20
//! (ports passes: 1/5), exemptions 0, catalog 0 (points do not count): AFTER 20%, change
//! 0. Rows: endpoint 1 → 0, ports 0 → 1, the others 0 → 0.

mod common;
use common::{assert_close, assert_exit, run};
use serde_json::Value;

const BEFORE: &str = "fixtures/models/v1-vs-classic.json";
const AFTER: &str = "fixtures/models/v1-vs-classic-after.json";

fn diff_json(model: &str) -> Value {
    let out = run(&[
        "diff",
        BEFORE,
        AFTER,
        "--as-of",
        "2026-11-22",
        "--model",
        model,
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).unwrap()
}

fn vm(id: &Value) -> String {
    id.as_str().unwrap().rsplit('/').next().unwrap().to_string()
}

#[test]
fn diff_under_v1_explains_the_v1_score_cause_by_cause() {
    let d = diff_json("v1");
    assert_eq!(d["model"], "v1");
    assert!(d.get("controls").is_none(), "v1 has no controls: {d}");
    // mfa is in no control and scores under v1: no unscored-recommendation warning.
    assert_eq!(d["warnings"], serde_json::json!([]));
    assert_close(&d["before"]["percentage"], 100.0 * (310.0 / 3.0) / 160.0);
    assert_close(&d["after"]["percentage"], 400.0 / 7.0);
    assert_close(&d["change"], -625.0 / 84.0);
    let expected: [(&str, f64, &[&str]); 6] = [
        ("removed", -3.125, &["vm4"]),
        ("added", -125.0 / 24.0, &["vm3"]),
        ("regressed", -6.25, &["vm2"]),
        ("fixed", 6.25, &["vm1"]),
        ("exemptions", -25.0 / 12.0, &["vm2"]),
        ("catalog", 125.0 / 42.0, &["vm1", "vm2", "vm3"]),
    ];
    let steps = d["waterfall"].as_array().unwrap();
    assert_eq!(steps.len(), expected.len());
    let mut sum = 0.0;
    for (s, (cause, change, resources)) in steps.iter().zip(expected) {
        assert_eq!(s["cause"], cause);
        assert_close(&s["change"], change);
        let got: Vec<String> = s["resources"].as_array().unwrap().iter().map(vm).collect();
        assert_eq!(got, resources, "{cause}");
        sum += s["change"].as_f64().unwrap();
    }
    // The steps add up to the change exactly (it is their sum, in order).
    assert_eq!(sum, d["change"].as_f64().unwrap());
    let catalog = &steps[5];
    assert_eq!(catalog["recommendations"], serde_json::json!(["private-links"]));
    assert!(catalog.get("controls").is_none());
    let rows: Vec<(String, f64, f64, f64)> = d["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["before"].as_f64().unwrap(),
                r["after"].as_f64().unwrap(),
                r["change"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("private-links", 15.0, 10.0 / 3.0, -35.0 / 3.0),
        ("endpoint", 20.0, 10.0, -10.0),
        ("mfa", 25.0, 50.0 / 3.0, -25.0 / 3.0),
        ("disk-encryption", 40.0 / 3.0, 10.0, -10.0 / 3.0),
        ("ports", 30.0, 40.0, 10.0),
    ];
    assert_eq!(rows.len(), expected.len(), "{rows:?}");
    for ((id, b, a, c), (eid, eb, ea, ec)) in rows.iter().zip(expected) {
        assert_eq!(id, eid);
        for (x, y) in [(b, eb), (a, ea), (c, ec)] {
            assert!((x - y).abs() < 1e-9, "{id}: {rows:?}");
        }
    }
}

#[test]
fn diff_under_pass_rate_counts_passing_recommendations() {
    let d = diff_json("pass-rate");
    assert_eq!(d["model"], "pass-rate");
    assert_close(&d["before"]["percentage"], 20.0);
    assert_close(&d["after"]["percentage"], 20.0);
    assert_close(&d["change"], 0.0);
    let changes: Vec<f64> = d["waterfall"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["change"].as_f64().unwrap())
        .collect();
    assert_eq!(changes, [0.0, 0.0, -20.0, 20.0, 0.0, 0.0]);
    // Points do not count under pass-rate: the catalog changed nothing it scores.
    assert_eq!(d["waterfall"][5]["recommendations"], serde_json::json!([]));
    let moved: Vec<(&str, f64, f64)> = d["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["change"] != 0.0)
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["before"].as_f64().unwrap(),
                r["after"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(moved, [("endpoint", 1.0, 0.0), ("ports", 0.0, 1.0)]);
}

#[test]
fn diff_under_classic_names_its_model_and_keeps_its_controls() {
    let d = diff_json("classic");
    assert_eq!(d["model"], "classic");
    assert!(d.get("recommendations").is_none());
    assert_eq!(d["controls"].as_array().unwrap().len(), 2);
    // Points are no catalog change under classic.
    assert_eq!(d["waterfall"][5]["controls"], serde_json::json!([]));
    assert_eq!(d["waterfall"][5]["resources"], serde_json::json!([]));
}

#[test]
fn every_diff_format_names_a_model_other_than_classic() {
    let text = |model: &str, format: &str| {
        let out = run(&[
            "diff",
            BEFORE,
            AFTER,
            "--as-of",
            "2026-11-22",
            "--model",
            model,
            "-f",
            format,
        ]);
        assert_exit(&out, 0);
        String::from_utf8(out.stdout).unwrap()
    };
    let table = text("v1", "table");
    assert!(
        table.starts_with("Secure score 64.58% → 57.14%  (-7.44 points) · as of 2026-11-22 · model v1\n"),
        "{table}"
    );
    assert!(table.contains("Microsoft never published its mapping"), "{table}");
    assert!(table.contains(" Recommendation "), "{table}");
    let markdown = text("pass-rate", "markdown");
    assert!(markdown.contains("· model pass-rate\n"), "{markdown}");
    assert!(markdown.contains("### Recommendations that moved"), "{markdown}");
    assert!(!markdown.contains("never published"), "no v1 points: {markdown}");
    let junit = text("v1", "junit");
    assert!(
        junit.contains(r#"<property name="model" value="v1"/>"#),
        "{junit}"
    );
    assert!(junit.contains(r#"<testsuite name="recommendations""#), "{junit}");
    let classic = text("classic", "table");
    assert!(
        classic.contains("· weights computed\n") && !classic.contains("model"),
        "{classic}"
    );
}

/// `--record` under v1 writes its model and its recommendations (by id, with their v1
/// figures: tests/models.rs), no control; a classic run recorded after it is another
/// series, and trend never joins the two.
#[test]
fn a_recorded_run_carries_its_model_and_trend_keeps_models_apart() {
    let dir = std::env::temp_dir().join(format!("securescore-model-series-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let history = dir.join("history.jsonl");
    let history = history.to_str().unwrap();
    for (model, inventory) in [("v1", BEFORE), ("classic", BEFORE), ("v1", AFTER)] {
        let out = run(&[
            "assess",
            inventory,
            "--as-of",
            "2026-11-22",
            "--model",
            model,
            "-q",
            "--record",
            history,
        ]);
        assert_exit(&out, 0);
    }
    let lines: Vec<Value> = std::fs::read_to_string(history)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let models: Vec<&str> = lines.iter().map(|l| l["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["v1", "classic", "v1"]);
    assert_eq!(lines[0]["controls"], serde_json::json!([]));
    let recs: Vec<(&str, f64, f64)> = lines[0]["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap(),
                r["max_score"].as_f64().unwrap(),
                r["current_score"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("disk-encryption", 20.0, 40.0 / 3.0),
        ("endpoint", 20.0, 20.0),
        ("mfa", 50.0, 25.0),
        ("ports", 40.0, 30.0),
        ("private-links", 30.0, 15.0),
    ];
    assert_eq!(recs.len(), expected.len());
    for ((id, max, current), (eid, emax, ecurrent)) in recs.iter().zip(expected) {
        assert_eq!(*id, eid);
        assert!(
            (max - emax).abs() < 1e-9 && (current - ecurrent).abs() < 1e-9,
            "{recs:?}"
        );
    }
    assert!(lines[1].get("recommendations").is_none());
    assert_eq!(lines[1]["controls"].as_array().unwrap().len(), 2);
    let out = run(&["trend", history, "-f", "json"]);
    assert_exit(&out, 0);
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let series: Vec<(&str, usize)> = t["series"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["model"].as_str().unwrap(), s["runs"].as_array().unwrap().len()))
        .collect();
    assert_eq!(series, [("classic", 1), ("v1", 2)]);
    assert_eq!(t["warnings"][0]["code"], "mixed-series");
    // The v1 series: 64.5833…% → 400/7 %, its moves the recommendations'.
    let v1 = &t["series"][1];
    assert_close(&v1["change"], 400.0 / 7.0 - 100.0 * (310.0 / 3.0) / 160.0);
    assert_eq!(v1["controls"], serde_json::json!([]));
    assert_eq!(v1["recommendations"][0]["id"], "private-links");
    let _ = std::fs::remove_dir_all(&dir);
}
