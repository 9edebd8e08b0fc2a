//! Scoring rules (SPEC §1) checked end to end against hand-computed values: each test runs
//! `securescore assess -f json` on a fixture and compares the report's numbers.

mod common;
use common::{assert_close, control};
use serde_json::Value;

fn report(args: &[&str]) -> Value {
    let out = common::securescore(["assess"])
        .args(args)
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.code() == Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn worked_example_matches_the_spec() {
    let r = report(&["fixtures/worked-example.json", "--as-of", "2026-11-22"]);
    let c = control(&r, "system-updates");
    assert_close(&c["points_per_resource"], 0.12);
    assert_close(&c["current_score"], 5.04);
    assert_close(&c["potential_increase"], 0.96);
    assert_close(&c["potential_increase_percentage"], 1.6);
    assert_eq!(c["rank"], 1);
    assert_close(&r["score"]["max"], 60.0);
    assert_close(&r["score"]["percentage"], 98.4);
}

#[test]
fn a_resource_scores_only_when_healthy_in_all_recommendations() {
    // c1 = {r1, r2, r5 (preview)}: res-a r1 healthy + r2 unhealthy → unhealthy; res-b healthy
    // in both → healthy; res-c all not applicable → NA. 10 × 1/2 = 5.
    // c2 = {r2, r3}: res-a U, res-b H (r3 NA), res-c NA, res-d H → 5 × 2/3.
    // c3 has no assessment: not applicable, adds nothing to the max (15, not 22).
    let r = report(&["fixtures/multi-rec.json", "--as-of", "2026-11-22"]);
    let c1 = control(&r, "c1");
    assert_eq!(
        (
            &c1["healthy_resources"],
            &c1["unhealthy_resources"],
            &c1["not_applicable_resources"]
        ),
        (&Value::from(1), &Value::from(1), &Value::from(1))
    );
    assert_close(&c1["current_score"], 5.0);
    assert_close(&c1["potential_increase_percentage"], 100.0 * 5.0 / 15.0);
    let c2 = control(&r, "c2");
    assert_eq!(c2["healthy_resources"], 2);
    assert_eq!(c2["not_applicable_resources"], 1);
    assert_close(&c2["current_score"], 10.0 / 3.0);
    assert_close(&c2["potential_increase_percentage"], 100.0 * (5.0 / 3.0) / 15.0);
    let c3 = control(&r, "c3");
    assert_eq!(c3["applicable"], false);
    assert_eq!(c3["rank"], Value::Null);
    assert_eq!(c3["points_per_resource"], Value::Null);
    assert_close(&r["score"]["max"], 15.0);
    assert_close(&r["score"]["percentage"], 100.0 * (5.0 + 10.0 / 3.0) / 15.0);
    // res-c has only not-applicable assessments: it does not weigh.
    assert_eq!(r["score"]["resources"], 3);
    // The preview recommendation is listed, flagged, though it does not score.
    let recs = c1["recommendations"].as_array().unwrap();
    let preview = recs.iter().find(|x| x["id"] == "r5").unwrap();
    assert_eq!(preview["preview"], true);
    assert_eq!(preview["unhealthy_resources"], 1);
    assert_eq!(c1["members"], 3);
}

#[test]
fn include_preview_scores_preview_recommendations() {
    // With r5 counted, res-b is unhealthy in c1 too: c1 = 0 of 10; c2 unchanged.
    let r = report(&[
        "fixtures/multi-rec.json",
        "--as-of",
        "2026-11-22",
        "--include-preview",
    ]);
    assert_close(&control(&r, "c1")["current_score"], 0.0);
    assert_eq!(control(&r, "c1")["unhealthy_resources"], 2);
    assert_close(&r["score"]["percentage"], 100.0 * (10.0 / 3.0) / 15.0);
}

#[test]
fn exemptions_by_category_and_expiry() {
    // As of 2026-11-22: r1 waiver (until 2026-12-31) → NA; r2 mitigated → healthy; r3
    // waiver expired → unhealthy; r4 unhealthy; r5 NA stays NA under mitigated; r6 waiver
    // until 2026-11-22T23:00-05:00 = 2026-11-23 UTC → NA. H=1, U=2: 4 × 1/3.
    let r = report(&["fixtures/exemptions.json", "--as-of", "2026-11-22"]);
    let x = control(&r, "x");
    assert_eq!(
        (
            &x["healthy_resources"],
            &x["unhealthy_resources"],
            &x["not_applicable_resources"]
        ),
        (&Value::from(1), &Value::from(2), &Value::from(3))
    );
    assert_close(&r["score"]["percentage"], 100.0 / 3.0);
    assert_close(&r["score"]["raw_percentage"], 0.0);
    // 2026-11-23 is still the r6 waiver's last day (UTC).
    let r = report(&["fixtures/exemptions.json", "--as-of", "2026-11-23"]);
    assert_close(&r["score"]["percentage"], 100.0 / 3.0);
    // 2026-11-24: the r6 waiver has expired: H=1, U=3.
    let r = report(&["fixtures/exemptions.json", "--as-of", "2026-11-24"]);
    assert_close(&r["score"]["percentage"], 25.0);
    // 2027-01-01: r1's waiver has expired too: H=1, U=4.
    let r = report(&["fixtures/exemptions.json", "--as-of", "2027-01-01"]);
    assert_close(&r["score"]["percentage"], 20.0);
    // Raw statuses: all five assessed resources unhealthy or NA, none healthy.
    let r = report(&[
        "fixtures/exemptions.json",
        "--as-of",
        "2026-11-22",
        "--ignore-exemptions",
    ]);
    assert_close(&r["score"]["percentage"], 0.0);
    assert_eq!(control(&r, "x")["unhealthy_resources"], 5);
}

#[test]
fn three_subscriptions_weighted_by_resources() {
    // alpha: A 10×2/3, B 10 → 83.33% (3 resources); bravo: 0% (1); charlie: A 10, B n/a → 100% (2).
    let r = report(&["fixtures/three-subscriptions.json"]);
    assert_close(
        &r["score"]["percentage"],
        (3.0 * 250.0 / 3.0 + 0.0 + 2.0 * 100.0) / 6.0,
    );
    assert_eq!(r["score"]["current"], Value::Null);
    assert_eq!(r["score"]["scopes"], 3);
    let weights: Vec<u64> = r["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["weight"].as_u64().unwrap())
        .collect();
    assert_eq!(weights, [3, 1, 2]);
    // k = w/max: alpha 3/20, bravo 1/20, charlie 2/10.
    let a = control(&r, "ctl-a");
    assert_close(&a["current_score"], (0.15 * 20.0 / 3.0 + 0.0 + 0.2 * 10.0) / 0.4);
    assert_close(
        &a["potential_increase_percentage"],
        100.0 * (0.15 * 10.0 / 3.0 + 0.05 * 10.0) / 6.0,
    );
    let b = control(&r, "ctl-b");
    assert_close(&b["current_score"], 7.5);
    assert_close(&b["potential_increase_percentage"], 100.0 * 0.05 * 10.0 / 6.0);
    assert_eq!(b["points_per_resource"], Value::Null);
    assert_eq!(a["rank"], 1);
}

#[test]
fn three_subscriptions_weighted_equally_and_pooled() {
    let r = report(&["fixtures/three-subscriptions.json", "--weighting", "equal"]);
    assert_close(&r["score"]["percentage"], (250.0 / 3.0 + 0.0 + 100.0) / 3.0);
    assert_eq!(r["weighting"], "equal");
    // Pooled: A has H=4, U=2 → 10×4/6; B has H=3, U=1 → 7.5; of 20 points.
    let r = report(&["fixtures/three-subscriptions.json", "--weighting", "pooled"]);
    assert_close(&r["score"]["percentage"], 100.0 * (40.0 / 6.0 + 7.5) / 20.0);
    let scopes = r["scopes"].as_array().unwrap();
    assert_eq!(scopes.len(), 1);
    assert_eq!(scopes[0]["id"], Value::Null);
    assert_close(&r["score"]["max"], 20.0);
    assert_close(&control(&r, "ctl-a")["points_per_resource"], 10.0 / 6.0);
}

#[test]
fn scope_filters_respect_segment_boundaries() {
    // rg1 holds vm1 (A healthy) and vm2 (A unhealthy), not rg1-staging's vm3: A 5, B 10.
    let r = report(&[
        "fixtures/three-subscriptions.json",
        "--scope",
        "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/RG1",
    ]);
    assert_close(&r["score"]["percentage"], 75.0);
    assert_eq!(r["score"]["resources"], 2);
    // A bare subscription GUID; two --scope flags are a union.
    let r = report(&[
        "fixtures/three-subscriptions.json",
        "--scope",
        "22222222-2222-2222-2222-222222222222",
        "--scope",
        "33333333-3333-3333-3333-333333333333",
    ]);
    assert_close(&r["score"]["percentage"], (0.0 + 2.0 * 100.0) / 3.0);
}

#[test]
fn management_group_filter_keeps_its_subscriptions() {
    // mg-a holds alpha and charlie: (3 × 83.33 + 2 × 100) / 5.
    let r = report(&["fixtures/three-subscriptions.json", "--management-group", "MG-A"]);
    assert_close(&r["score"]["percentage"], 90.0);
    // Intersected with --scope: only charlie.
    let r = report(&[
        "fixtures/three-subscriptions.json",
        "--management-group",
        "mg-a",
        "--scope",
        "33333333-3333-3333-3333-333333333333",
    ]);
    assert_close(&r["score"]["percentage"], 100.0);
}

#[test]
fn ranking_breaks_ties_by_max_then_name_then_puts_idle_controls_last() {
    // Alpha, Bravo and Charlie each leave 4 of 18 points: 22.22%. Charlie has the larger
    // max; Alpha and Bravo tie on max and go by name. Delta and Echo gain nothing (Delta's
    // max is larger). Yankee and Zulu have no assessment.
    let r = report(&["fixtures/ties.json", "--as-of", "2026-11-22"]);
    let order: Vec<(&str, &Value)> = r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), &c["rank"]))
        .collect();
    let names: Vec<&str> = order.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        ["Charlie", "Alpha", "Bravo", "Delta", "Echo", "Yankee", "Zulu"]
    );
    assert_eq!(*order[4].1, 5);
    assert_eq!(*order[5].1, Value::Null);
    assert_close(&r["score"]["percentage"], 100.0 * 6.0 / 18.0);
}

#[test]
fn the_demo_inventory_scores_as_computed_independently() {
    // Figures from an independent implementation of SPEC §1 (a Python check, not this tool).
    let r = report(&["examples/contoso.json", "--as-of", "2026-11-22"]);
    assert_close(&r["score"]["percentage"], 8841515.0 / 136752.0);
    let scopes = r["scopes"].as_array().unwrap();
    assert_close(&scopes[0]["percentage"], 270335.0 / 3696.0);
    assert_close(&scopes[1]["percentage"], 4495.0 / 84.0);
    let r = report(&[
        "examples/contoso.json",
        "--as-of",
        "2026-11-22",
        "--ignore-exemptions",
    ]);
    assert!((r["score"]["percentage"].as_f64().unwrap() - 64.095176461).abs() < 1e-8);
}
