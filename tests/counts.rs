//! Counts rows as input (SPEC §10): `assess` on the counts rows of `fixtures/counts`,
//! written by hand from the inventory beside them, gives the report `assess` gives on
//! that inventory, for every field count-level data carries, under every model, grouped
//! or not, filtered to a subscription or not, in every container the engines print.
//!
//! The inventory (`fixtures/counts/inventory.json`): subscriptions prod (A, `0a0a…`) and
//! dev (B, `0b0b…`); controls ctl-a (max 6: rec-1, rec-2), ctl-b (max 4: rec-2, rec-3),
//! ctl-c (max 3: rec-4); rec-5 is in no control. Effective statuses (H, U, NA):
//!
//! | resource (scope, resource group, type)         | rec-1 | rec-2 | rec-3        | rec-4 | rec-5 |
//! |------------------------------------------------|-------|-------|--------------|-------|-------|
//! | vm1 (A, web, Compute/virtualMachines)          | U     | H     |              |       | U     |
//! | vm2 (A, web, Compute/virtualMachines)          | H     | H     | NA           |       |       |
//! | sql1 (A, data, Sql/servers)                    |       | U     | H            | NA    |       |
//! | vm3 (B, web, compute/virtualMachines)          | H     |       | U waived: NA |       |       |
//! | sa1 (B, store, Storage/storageAccounts)        |       | NA    | H            | NA    |       |
//! | onprem-host-1 (B, no group, no type)           |       |       | H            |       |       |
//!
//! Classic control rows (a resource's state in a control: U if any U, else H if any H,
//! else NA; SPEC §1 step 3):
//! - A, ctl-a: vm1 U (rec-1), vm2 H, sql1 U → H 1, U 2, NA 0; ctl-b: vm1 H (rec-2), vm2 H
//!   (rec-2 H, rec-3 NA), sql1 U → H 2, U 1; ctl-c: sql1 NA → NA 1. Weight: vm1, vm2, sql1
//!   are healthy or unhealthy in a counted assessment → 3 (vm1's rec-5 is in no control).
//! - B, ctl-a: vm3 H, sa1 NA → H 1, NA 1; ctl-b: vm3 NA (rec-3 waived), sa1 H, host H →
//!   H 2, NA 1; ctl-c: sa1 NA → NA 1. Weight: vm3, sa1, host → 3.
//! - A: 6 × 1/3 + 4 × 2/3 = 2 + 2.666… = 4.666… of 10 → 46.666…%; B: 6 + 4 = 10 of 10 →
//!   100%; overall (3 × 46.666… + 3 × 100) / 6 = 73.333…%.
//!
//! Recommendation rows (v1, pass-rate: no control needed, rec-5 counts):
//! - A: rec-1 H 1 U 1; rec-2 H 2 U 1; rec-3 H 1 NA 1; rec-4 NA 1; rec-5 U 1; weight 3.
//! - B: rec-1 H 1; rec-2 NA 1; rec-3 H 2 NA 1; rec-4 NA 1; weight 3.
//! - v1 (points by severity: rec-1 high 40, rec-2 medium 20, rec-3 low 5, rec-4 critical
//!   50, rec-5 high 40), pooled: rec-1 40 × 2/3, rec-2 20 × 2/3, rec-3 5 × 3/3, rec-5 0 of
//!   40, rec-4 not applicable: (26.666… + 13.333… + 5 + 0) / (40 + 20 + 5 + 40) = 45 / 105
//!   = 42.857…%. pass-rate: rec-3 passes; rec-1, rec-2, rec-5 fail → 1 / 4 = 25%.
//!
//! Grouped rows (`--group-by resource-group`; `type` has the same members: web = the
//! virtual machines of each subscription, data = the SQL server, store = the storage
//! account, null = the host), each group's rows counted from its own resources as above:
//! - A/web (vm1, vm2): ctl-a H 1 U 1, ctl-b H 2, weight 2; rec-1 H 1 U 1, rec-2 H 2, rec-3
//!   NA 1, rec-5 U 1.
//! - A/data (sql1): ctl-a U 1, ctl-b U 1, ctl-c NA 1, weight 1; rec-2 U 1, rec-3 H 1,
//!   rec-4 NA 1.
//! - B/web (vm3): ctl-a H 1, ctl-b NA 1, weight 1; rec-1 H 1, rec-3 NA 1.
//! - B/store (sa1): ctl-a NA 1, ctl-b H 1, ctl-c NA 1, weight 1; rec-2 NA 1, rec-3 H 1,
//!   rec-4 NA 1.
//! - B/null (host): ctl-b H 1, weight 1; rec-3 H 1.
//!
//! Summed per scope they are the ungrouped rows above (A ctl-a: H 1+0, U 1+1; …). Under
//! `--group-by type`, B's virtual machine rows name the group `microsoft.compute/
//! virtualMachines`, as a query counting B alone would spell it: the reader folds it
//! into A's `Microsoft.Compute/virtualMachines`, the smallest spelling, as `assess`
//! shows the group.
//!
//! The fields count-level data does not carry, left out of the comparison and checked on
//! their own: `raw_percentage` (null: the rows hold effective states, not raw statuses),
//! each control's `recommendations` (empty: control rows count resources per control, not
//! per recommendation), and the warnings (the inventory's rec-5 `unscored-recommendation`
//! is about assessments the rows do not hold).

mod common;

use common::{assert_close, assert_exit, run};
use serde_json::Value;

const DEFINITIONS: &str = "fixtures/counts/definitions.json";
const INVENTORY: &str = "fixtures/counts/inventory.json";
const A: &str = "0a0a0a0a-0000-4000-8000-00000000000a";

/// The JSON report of `assess` on `inputs` with `options` (no `--as-of`, which counts
/// rows cannot honour: the inventory's only exemption never expires, and both runs of a
/// comparison are made the same day).
#[track_caller]
fn report(inputs: &[&str], options: &[&str]) -> Value {
    let mut args = vec!["assess", "-f", "json"];
    args.extend(options);
    args.extend(inputs);
    let out = run(&args);
    assert_exit(&out, 0);
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A report without the fields count-level data does not carry (see the module's
/// documentation), after checking that the counts report has them empty.
fn comparable(mut r: Value, from_counts: bool) -> Value {
    let o = r.as_object_mut().unwrap();
    o.remove("warnings");
    let drop_raw = |score: &mut Value| {
        let raw = score.as_object_mut().unwrap().remove("raw_percentage");
        if from_counts {
            assert_eq!(raw, Some(Value::Null));
        }
    };
    drop_raw(&mut o["score"]);
    if let Some(groups) = o.get_mut("groups").and_then(Value::as_array_mut) {
        for g in groups {
            drop_raw(&mut g["score"]);
        }
    }
    if let Some(controls) = o.get_mut("controls").and_then(Value::as_array_mut) {
        for c in controls {
            let members = c.as_object_mut().unwrap().remove("recommendations");
            if from_counts {
                assert_eq!(members, Some(Value::Array(Vec::new())));
            }
        }
    }
    r
}

/// Asserts that `assess` on the counts `rows` (beside the definitions) gives the report
/// it gives on the inventory, with `options`; returns the counts report.
#[track_caller]
fn assert_same_report(rows: &[&str], options: &[&str]) -> Value {
    let mut inputs = vec![DEFINITIONS];
    inputs.extend(rows);
    let counted = report(&inputs, options);
    let assessed = report(&[INVENTORY], options);
    assert_eq!(
        comparable(counted.clone(), true),
        comparable(assessed, false),
        "{rows:?} {options:?}"
    );
    counted
}

#[test]
fn classic_control_rows_score_as_the_inventory_in_every_container() {
    for rows in [
        "fixtures/counts/classic.jsonl",
        "fixtures/counts/classic-array.json",
        "fixtures/counts/classic-graph.json",
        "fixtures/counts/classic-graph-pages.json",
    ] {
        let r = assert_same_report(&[rows], &[]);
        // (3 × 46.666… + 3 × 100) / 6, exact weights: no approximate-weight warning.
        assert_close(&r["score"]["percentage"], 220.0 / 3.0);
        assert_eq!(r["weights"], "computed");
        assert_eq!(r["scopes"][0]["weight"], 3);
        assert_eq!(r["warnings"], Value::Array(Vec::new()), "{rows}");
    }
    // Rows in a native document beside the definitions: `{"counts": […]}`.
    let alone = report(&["fixtures/counts/classic-with-definitions.json"], &[]);
    let beside = report(&[DEFINITIONS, "fixtures/counts/classic.jsonl"], &[]);
    assert_eq!(alone, beside);
}

#[test]
fn recommendation_rows_score_as_the_inventory_under_v1_and_pass_rate() {
    for rows in [
        "fixtures/counts/v1.jsonl",
        "fixtures/counts/v1-array.json",
        "fixtures/counts/v1-graph.json",
    ] {
        let v1 = assert_same_report(&[rows], &["--model", "v1"]);
        // 45 / 105.
        assert_close(&v1["score"]["percentage"], 100.0 * 45.0 / 105.0);
        assert_eq!(v1["score"]["resources"], 6);
        let pass_rate = assert_same_report(&[rows], &["--model", "pass-rate"]);
        // 1 passing of 4.
        assert_close(&pass_rate["score"]["percentage"], 25.0);
    }
    let alone = report(&["fixtures/counts/v1-with-definitions.json"], &["--model", "v1"]);
    let beside = report(&[DEFINITIONS, "fixtures/counts/v1.jsonl"], &["--model", "v1"]);
    assert_eq!(alone, beside);
}

#[test]
fn grouped_rows_score_each_group_as_the_inventory() {
    for (model, prefix) in [("classic", "classic"), ("v1", "v1"), ("pass-rate", "v1")] {
        for key in ["resource-group", "type"] {
            let rows = format!("fixtures/counts/{prefix}-by-{key}.jsonl");
            let r = assert_same_report(&[&rows], &["--model", model, "--group-by", key]);
            assert_eq!(
                r["groups"].as_array().map(Vec::len),
                Some(5 - usize::from(key == "type")),
                "{rows}"
            );
        }
    }
    // Under type, B's `microsoft.compute/virtualMachines` rows join A's: one group of
    // vm1, vm2, vm3, shown in its smallest spelling. Classic: A's part scores
    // 6 × 1/2 + 4 × 2/2 = 7 of 10 (70%), B's 6 × 1/1 = 6 of 6 (ctl-b not applicable,
    // 100%), weights 2 and 1: (2 × 70 + 1 × 100) / 3 = 80%.
    let r = report(
        &[DEFINITIONS, "fixtures/counts/classic-by-type.jsonl"],
        &["--group-by", "type"],
    );
    let vms = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "Microsoft.Compute/virtualMachines")
        .expect("the virtual machines' group");
    assert_close(&vms["score"]["percentage"], 80.0);
    assert_eq!(vms["score"]["resources"], 3);
}

#[test]
fn grouped_rows_without_group_by_or_by_subscription_are_their_groups_summed() {
    for (model, prefix) in [("classic", "classic"), ("v1", "v1"), ("pass-rate", "v1")] {
        for key in ["resource-group", "type"] {
            let rows = format!("fixtures/counts/{prefix}-by-{key}.jsonl");
            assert_same_report(&[&rows], &["--model", model]);
            assert_same_report(&[&rows], &["--model", model, "--group-by", "subscription"]);
        }
    }
}

#[test]
fn a_subscription_filter_selects_the_rows_of_its_scope() {
    for (model, prefix) in [("classic", "classic"), ("v1", "v1"), ("pass-rate", "v1")] {
        for rows in [
            format!("fixtures/counts/{prefix}.jsonl"),
            format!("fixtures/counts/{prefix}-by-resource-group.jsonl"),
        ] {
            let r = assert_same_report(&[&rows], &["--model", model, "--scope", A]);
            assert_eq!(r["scopes"].as_array().map(Vec::len), Some(1));
            let grouped = ["--model", model, "--scope", A, "--group-by", "resource-group"];
            if rows.contains("by-") {
                // A's two resource groups only.
                let r = assert_same_report(&[&rows], &grouped);
                assert_eq!(r["groups"].as_array().map(Vec::len), Some(2));
            }
        }
    }
    // Classic, A alone: 4.666… of 10.
    let r = report(&[DEFINITIONS, "fixtures/counts/classic.jsonl"], &["--scope", A]);
    assert_close(&r["score"]["percentage"], 140.0 / 3.0);
}

#[test]
fn every_weighting_scores_rows_as_the_inventory() {
    // equal: (46.666… + 100) / 2 = 73.333… too; pooled: one scope of all six resources,
    // ctl-a H 2 U 2 → 3, ctl-b H 4 U 1 → 3.2, of 10 → 62%.
    for weighting in ["equal", "pooled"] {
        assert_same_report(&["fixtures/counts/classic.jsonl"], &["--weighting", weighting]);
        assert_same_report(
            &["fixtures/counts/classic-by-type.jsonl"],
            &["--weighting", weighting, "--group-by", "type"],
        );
    }
    let r = report(
        &[DEFINITIONS, "fixtures/counts/classic.jsonl"],
        &["--weighting", "pooled"],
    );
    assert_close(&r["score"]["percentage"], 62.0);
}

#[test]
fn rows_without_weight_rows_weigh_approximately_with_a_warning() {
    // The truncated result lacks B's weight row: B weighs its controls' healthy plus
    // unhealthy resources, 1 (ctl-a H 1; its other rows are on the missing page).
    let out = run(&[
        "assess",
        "-f",
        "json",
        DEFINITIONS,
        "fixtures/counts/classic-graph-truncated.json",
    ]);
    assert_exit(&out, 0);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert_eq!(codes, ["incomplete-export", "approximate-weight"]);
    assert_eq!(r["scopes"][1]["weight"], 1);
}

#[test]
fn the_unnamed_scope_and_a_connector_are_scopes_of_rows_too() {
    // fixtures/counts/scopes-inventory.json: host-x (rec-1 H) and host-y (rec-1 U, rec-3
    // H) in no subscription, the unnamed scope (`"scope": null`); instance i-1 of the AWS
    // connector aws1 (rec-2 U), scoped by the connector's id. Unnamed: ctl-a H 1 U 1 →
    // 6 × 1/2 = 3, ctl-b H 1 → 4, 7 of 10, weight 2; connector: ctl-a U 1, ctl-b U 1 →
    // 0 of 10, weight 1; overall (2 × 70 + 1 × 0) / 3 = 46.666…%.
    let counted = report(&[DEFINITIONS, "fixtures/counts/scopes.jsonl"], &[]);
    let assessed = report(&["fixtures/counts/scopes-inventory.json"], &[]);
    assert_eq!(comparable(counted.clone(), true), comparable(assessed, false));
    assert_close(&counted["score"]["percentage"], 140.0 / 3.0);
    // Scopes by id, the unnamed scope last.
    assert_eq!(counted["scopes"][1]["id"], Value::Null);
    assert_eq!(counted["scopes"][1]["weight"], 2);
}

#[test]
fn rows_as_the_kql_engines_print_them_score_as_the_inventory() {
    // Resource Graph: every row has every column (null where it does not apply) and an
    // `id`, its keys; the same eight rows as classic.jsonl.
    let rows = "fixtures/counts/classic-resource-graph.json";
    let r = assert_same_report(&[rows], &[]);
    assert_eq!(r["warnings"], Value::Array(Vec::new()));
    let out = run(&["validate", DEFINITIONS, rows]);
    assert_exit(&out, 0);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("0 warning(s)"), "{text}");
    // Log Analytics: a bare array as `az monitor log-analytics query` prints it, each row
    // with its `TableName` and every value as Python's str() writes it (counts as text,
    // null as "None"); the same eight classic rows.
    let r = assert_same_report(&["fixtures/counts/classic-log-analytics.json"], &[]);
    assert_eq!(r["warnings"], Value::Array(Vec::new()));
    // v1's rows carry no weight row, so the score is exact (45 / 105) but the resources
    // are approximate: A's
    // healthy plus unhealthy summed over recommendations, 2 + 3 + 1 + 1 = 7, and B's
    // 1 + 2 = 3, where the inventory has 3 and 3 resources.
    let counted = report(
        &[DEFINITIONS, "fixtures/counts/v1-log-analytics.json"],
        &["--model", "v1"],
    );
    let assessed = report(&[INVENTORY], &["--model", "v1"]);
    assert_eq!(counted["score"]["percentage"], assessed["score"]["percentage"]);
    assert_eq!(counted["recommendations"], assessed["recommendations"]);
    assert_close(&counted["score"]["percentage"], 100.0 * 45.0 / 105.0);
    assert_eq!(counted["score"]["resources"], 10);
    assert_eq!(assessed["score"]["resources"], 6);
    let warnings: Vec<&str> = counted["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["code"].as_str())
        .collect();
    assert_eq!(warnings, ["approximate-weight", "approximate-weight"]);
}
