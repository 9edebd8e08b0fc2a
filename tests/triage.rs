//! explain, plan, diff and --group-by (issue 4) end to end, against values computed by
//! hand in `fixtures/triage/*-expected.md` (exact fractions, with the arithmetic).

mod common;
use common::{assert_close, run};
use serde_json::{json, Value};

fn json(args: &[&str], exit: i32) -> Value {
    let mut all = args.to_vec();
    all.extend_from_slice(&["-f", "json", "--as-of", "2026-11-22"]);
    let out = run(&all);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn last_segment(id: &Value) -> String {
    id.as_str().map_or("null".to_string(), |s| {
        s.rsplit('/').next().unwrap_or(s).to_string()
    })
}

const VM: &str = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/web/providers/Microsoft.Compute/virtualMachines/vm0";

#[test]
fn explain_prints_the_worked_example_arithmetic() {
    let out = run(&[
        "explain",
        "system-updates",
        "fixtures/worked-example.json",
        "--as-of",
        "2026-11-22",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "max 6 / 50 applicable resources = 0.12 per resource; 42 healthy → 5.04; 8 unhealthy → +0.96 points = +1.60% of the overall score"
        ),
        "{text}"
    );
    let e = json(&["explain", "apply system", "fixtures/worked-example.json"], 0);
    assert_eq!(e["schema"], "securescore.explain/v1");
    assert_eq!(e["control"]["id"], "system-updates");
    assert_eq!(e["control"]["rank"], 1);
    assert_close(&e["control"]["potential_increase_percentage"], 1.6);
    let scope = &e["scopes"][0];
    assert_eq!(
        (scope["weight"].as_u64(), scope["healthy_resources"].as_u64()),
        (Some(50), Some(42))
    );
    assert_close(&scope["max"], 6.0);
    assert_close(&scope["scope_max"], 60.0);
    assert_close(&scope["points_per_resource"], 0.12);
    assert_close(&scope["current_score"], 5.04);
    assert_close(&scope["potential_increase"], 0.96);
    let unhealthy: Vec<&str> = e["unhealthy"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["resource"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (1..=8).map(|i| format!("{VM}{i}")).collect();
    assert_eq!(unhealthy, expected);
    assert!(e["unhealthy"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["recommendations"] == serde_json::json!(["missing-updates"])));
    assert_eq!(e["exemptions"], serde_json::json!([]));
}

/// fixtures/exemptions.json, control x = {e1}: on 2026-11-22 the exemptions of r1
/// (waiver to 2026-12-31), r2 and r5 (mitigated, no end) and r6 (waiver to
/// 2026-11-22T23:00-05:00, that is 2026-11-23 UTC) are in effect; r3's ended 2026-01-31.
/// Within 30 days (to 2026-12-22) only r6's ends. On 2026-12-05 r6's has ended and r1's
/// ends within 30 days.
#[test]
fn explain_lists_exemptions_in_effect_and_those_ending_soon() {
    let listed = |as_of: &str| -> Vec<(String, String, Option<String>, bool)> {
        let out = run(&[
            "explain",
            "x",
            "fixtures/exemptions.json",
            "-f",
            "json",
            "--as-of",
            as_of,
        ]);
        assert_eq!(out.status.code(), Some(0));
        let e: Value = serde_json::from_slice(&out.stdout).unwrap();
        e["exemptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["resource"].as_str().unwrap().to_string(),
                    x["category"].as_str().unwrap().to_string(),
                    x["expires"].as_str().map(str::to_string),
                    x["expiring_soon"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    let s = |v: &str| v.to_string();
    assert_eq!(
        listed("2026-11-22"),
        vec![
            (s("r1"), s("waiver"), Some(s("2026-12-31")), false),
            (s("r2"), s("mitigated"), None, false),
            (s("r5"), s("mitigated"), None, false),
            (s("r6"), s("waiver"), Some(s("2026-11-23")), true),
        ]
    );
    assert_eq!(
        listed("2026-12-05"),
        vec![
            (s("r1"), s("waiver"), Some(s("2026-12-31")), true),
            (s("r2"), s("mitigated"), None, false),
            (s("r5"), s("mitigated"), None, false),
        ]
    );
}

#[test]
fn explain_names_the_candidates_of_an_ambiguous_prefix() {
    let out = run(&["explain", "enable", "examples/contoso.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("matches several controls"), "{stderr}");
    assert!(
        stderr.contains("Enable MFA (34a42fb3-e6db-409c-b56b-7b1db6b8aee0)"),
        "{stderr}"
    );
    let out = run(&["explain", "no such control", "examples/contoso.json"]);
    assert_eq!(out.status.code(), Some(2));
}

/// fixtures/triage/plan-expected.md: start 1180/21; rec-mfa (tie with rec-enc per
/// resource, larger gain wins), rec-enc, rec-updates, then the whole control ctl-net.
#[test]
fn plan_follows_the_hand_computed_steps() {
    let p = json(&["plan", "fixtures/triage/plan.json", "--target", "100"], 0);
    assert_eq!(p["schema"], "securescore.plan/v1");
    assert_close(&p["start_percentage"], 1180.0 / 21.0);
    assert_eq!(p["reached"], true);
    let steps = p["steps"].as_array().unwrap();
    let expected = [
        (
            None,
            vec!["rec-mfa"],
            vec!["vm1", "vm2"],
            100.0 / 7.0,
            1480.0 / 21.0,
        ),
        (None, vec!["rec-enc"], vec!["vm1"], 50.0 / 7.0, 1630.0 / 21.0),
        (
            None,
            vec!["rec-updates"],
            vec!["vm1", "vm2", "vm3"],
            90.0 / 7.0,
            1900.0 / 21.0,
        ),
        (
            Some("ctl-net"),
            vec!["rec-jit", "rec-nsg"],
            vec!["vm5", "vm6"],
            200.0 / 21.0,
            100.0,
        ),
    ];
    assert_eq!(steps.len(), expected.len());
    for (s, (control, recs, resources, gain, projected)) in steps.iter().zip(expected) {
        assert_eq!(s["control"].as_str(), control);
        assert_eq!(s["recommendations"], serde_json::json!(recs));
        let got: Vec<String> = s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(last_segment)
            .collect();
        assert_eq!(got, resources);
        assert_close(&s["gain_percentage"], gain);
        assert_close(&s["projected_percentage"], projected);
    }
    let p = json(&["plan", "fixtures/triage/plan.json", "--target", "80"], 0);
    assert_eq!(p["steps"].as_array().unwrap().len(), 3);
    assert_eq!(p["reached"], true);
    let p = json(&["plan", "fixtures/triage/plan.json", "--target", "50"], 0);
    assert_eq!(
        (p["steps"].as_array().unwrap().len(), &p["reached"]),
        (0, &Value::Bool(true))
    );
    let p = json(&["plan", "fixtures/triage/plan.json", "--steps", "2"], 0);
    assert_eq!(p["steps"].as_array().unwrap().len(), 2);
    assert_eq!((&p["target"], &p["reached"]), (&Value::Null, &Value::Null));
}

#[test]
fn plan_says_when_the_target_is_out_of_reach() {
    // A filter that keeps nothing leaves no score to raise.
    let args = [
        "plan",
        "examples/contoso.json",
        "--scope",
        "/subscriptions/none",
        "--target",
        "90",
        "--as-of",
        "2026-11-22",
    ];
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Target 90.00% is out of reach: after 0 steps nothing more can be gained"),
        "{text}"
    );
    let p = json(&args[..6], 0);
    assert_eq!(
        (&p["reached"], p["steps"].as_array().unwrap().len()),
        (&Value::Bool(false), 0)
    );
    let out = run(&["plan", "fixtures/multi-rec.json"]);
    assert_eq!(out.status.code(), Some(2), "--target or --steps is required");
}

/// fixtures/triage/diff-expected.md: 185/3 → 1300/27, every category present.
#[test]
fn diff_attributes_the_change_to_each_cause() {
    let d = json(
        &[
            "diff",
            "fixtures/triage/diff-before.json",
            "fixtures/triage/diff-after.json",
        ],
        0,
    );
    assert_eq!(d["schema"], "securescore.diff/v1");
    assert_close(&d["before"]["percentage"], 185.0 / 3.0);
    assert_close(&d["after"]["percentage"], 1300.0 / 27.0);
    assert_close(&d["change"], -365.0 / 27.0);
    let expected: [(&str, f64, &[&str]); 6] = [
        ("removed", 65.0 / 24.0, &["vm3", "vm4", "db-replica"]),
        ("added", -185.0 / 24.0, &["vm6", "db-replica"]),
        ("regressed", -25.0 / 3.0, &["vm5"]),
        ("fixed", 5.0, &["vm2", "vm4"]),
        ("exemptions", -5.0 / 12.0, &["vm1", "vm5"]),
        ("catalog", -515.0 / 108.0, &["vm1"]),
    ];
    let steps = d["waterfall"].as_array().unwrap();
    assert_eq!(steps.len(), 6);
    for (s, (cause, change, resources)) in steps.iter().zip(expected) {
        assert_eq!(s["cause"], cause);
        assert_close(&s["change"], change);
        let got: Vec<String> = s["resources"]
            .as_array()
            .unwrap()
            .iter()
            .map(last_segment)
            .collect();
        assert_eq!(got, resources, "{cause}");
    }
    let controls: Vec<(String, f64, f64)> = d["controls"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                c["before"].as_f64().unwrap(),
                c["after"].as_f64().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("ctl-data", 8.0 / 3.0, 0.0),
        ("ctl-updates", 5.0, 4.0),
        ("ctl-network", 14.0 / 3.0, 14.0 / 3.0),
    ];
    assert_eq!(controls.len(), 3);
    for ((id, b, a), (eid, eb, ea)) in controls.iter().zip(expected) {
        assert_eq!(id, eid);
        assert!((b - eb).abs() < 1e-9 && (a - ea).abs() < 1e-9, "{id}: {b} → {a}");
    }
}

#[test]
fn diff_gates_on_the_drop_and_reads_directories() {
    let before = "fixtures/triage/diff-before.json";
    let after = "fixtures/triage/diff-after.json";
    let out = run(&["diff", before, after, "--as-of", "2026-11-22", "--max-drop", "13"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("fell by 13.52 points, more than max-drop 13"));
    let out = run(&["diff", before, after, "--as-of", "2026-11-22", "--max-drop", "14"]);
    assert_eq!(out.status.code(), Some(0));
    // A directory side: examples/azure/rest against itself changes nothing.
    let d = json(&["diff", "examples/azure/rest", "examples/azure/rest"], 0);
    assert_eq!(d["change"], 0.0);
    assert!(d["waterfall"]
        .as_array()
        .unwrap()
        .iter()
        .all(|s| s["resources"] == serde_json::json!([])));
}

/// diff's gate: the config file's `[gate] max-drop` applies (fixtures/config/max-drop.toml:
/// 2 points), `--max-drop` replaces it, and the JSON gate keeps `max_drop`, `passed` and
/// `reason` and lists the rule in `rules` as assess does. The score falls from 185/3 to
/// 1300/27: 365/27 = 13.52 points.
#[test]
fn diff_applies_the_configs_max_drop_and_lists_it_in_rules() {
    let sides = [
        "diff",
        "fixtures/triage/diff-before.json",
        "fixtures/triage/diff-after.json",
    ];
    let with = |extra: &[&str], exit: i32| {
        let mut args = sides.to_vec();
        args.extend_from_slice(&["--config", "fixtures/config/max-drop.toml"]);
        args.extend_from_slice(extra);
        json(&args, exit)
    };
    let d = with(&[], 1);
    let gate = &d["gate"];
    assert_eq!(gate["max_drop"], 2.0);
    assert_eq!(gate["passed"], false);
    let rules = gate["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 1);
    let rule = &rules[0];
    assert_eq!(rule["rule"], "max-drop");
    assert_eq!(rule["limit"], 2.0);
    assert_close(&rule["actual"], 365.0 / 27.0);
    assert_eq!(rule["passed"], false);
    assert_eq!(rule["message"], gate["reason"]);
    assert!(rule["message"].as_str().unwrap().contains("fell by 13.52 points"));
    // The command line's limit replaces the config's: 13.52 ≤ 14 passes.
    let d = with(&["--max-drop", "14"], 0);
    assert_eq!(
        (&d["gate"]["max_drop"], &d["gate"]["passed"]),
        (&json!(14.0), &json!(true))
    );
    assert_eq!(d["gate"]["rules"][0]["limit"], 14.0);
    // The rules about one evaluation (fail-under 90, unhealthy.high 0 here) are assess's:
    // diff checks none of them and has no gate.
    let mut args = sides.to_vec();
    args.extend_from_slice(&["--config", "fixtures/config/two-failing-rules.toml"]);
    let d = json(&args, 0);
    assert!(d.get("gate").is_none(), "{}", d["gate"]);
}

fn groups(key: &str) -> Vec<(Option<String>, Option<f64>)> {
    let r = json(&["assess", "fixtures/triage/groups.json", "--group-by", key], 0);
    r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            assert_eq!(g["by"], key);
            (
                g["id"].as_str().map(str::to_string),
                g["score"]["percentage"].as_f64(),
            )
        })
        .collect()
}

#[track_caller]
fn assert_groups(key: &str, expected: &[(Option<&str>, Option<f64>)]) {
    let got = groups(key);
    assert_eq!(got.len(), expected.len(), "{key}: {got:?}");
    for ((id, pct), (eid, epct)) in got.iter().zip(expected) {
        assert_eq!(id.as_deref(), *eid, "{key}");
        match (pct, epct) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{key} {id:?}: {x} vs {y}"),
            (x, y) => assert_eq!(x, y, "{key} {id:?}"),
        }
    }
}

/// fixtures/triage/groups-expected.md.
#[test]
fn groups_score_as_their_resources_alone() {
    // `web` spans two subscriptions: (2 × 50 + 1 × 100) / 3, weighted within the group.
    assert_groups(
        "tag:team",
        &[
            (Some("data"), Some(0.0)),
            (Some("Web"), Some(100.0 / 3.0)),
            (None, Some(400.0 / 9.0)),
            (Some("web"), Some(200.0 / 3.0)),
            (Some("ops"), None),
        ],
    );
    assert_groups(
        "subscription",
        &[
            (Some("11111111-1111-1111-1111-111111111111"), Some(350.0 / 9.0)),
            (Some("22222222-2222-2222-2222-222222222222"), Some(200.0 / 3.0)),
        ],
    );
    assert_groups(
        "resource-group",
        &[
            (None, Some(0.0)),
            (
                Some("/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/data"),
                Some(50.0),
            ),
            (
                Some("/subscriptions/11111111-1111-1111-1111-111111111111/resourcegroups/web"),
                Some(50.0),
            ),
            (
                Some("/subscriptions/22222222-2222-2222-2222-222222222222/resourcegroups/batch"),
                Some(200.0 / 3.0),
            ),
            (
                Some("/subscriptions/22222222-2222-2222-2222-222222222222/resourcegroups/web"),
                Some(200.0 / 3.0),
            ),
            (
                Some("/subscriptions/22222222-2222-2222-2222-222222222222/resourcegroups/ops"),
                None,
            ),
        ],
    );
    assert_groups(
        "type",
        &[
            (Some("Microsoft.Resources/subscriptions"), Some(0.0)),
            (Some("Microsoft.Sql/servers/databases"), Some(0.0)),
            (Some("Microsoft.Web/sites"), Some(100.0 / 3.0)),
            (Some("Microsoft.Compute/virtualMachines"), Some(200.0 / 3.0)),
            (Some("Microsoft.Storage/storageAccounts"), Some(100.0)),
            (Some("Microsoft.KeyVault/vaults"), None),
        ],
    );
    assert_groups(
        "management-group",
        &[
            (Some("corp"), Some(350.0 / 9.0)),
            (Some("root"), Some(1775.0 / 36.0)),
            (Some("online"), Some(200.0 / 3.0)),
        ],
    );
}

#[test]
fn resource_level_commands_refuse_counts_only_scopes() {
    for args in [
        vec!["explain", "Rounded control", "fixtures/azure/rounding.json"],
        vec!["plan", "fixtures/azure/rounding.json", "--target", "90"],
        vec!["assess", "fixtures/azure/rounding.json", "--group-by", "type"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("needs resource-level assessments"),
            "{args:?}"
        );
    }
    let out = run(&[
        "diff",
        "fixtures/azure/rounding.json",
        "fixtures/azure/rounding.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    // Grouping counts-only data by subscription works: each subscription is a group.
    let r = json(
        &[
            "assess",
            "fixtures/azure/rounding.json",
            "--group-by",
            "subscription",
        ],
        0,
    );
    assert_eq!(r["groups"].as_array().unwrap().len(), 2);
}

/// Subscription 2 moves from management group a to b (nothing else changes): under
/// `--management-group a` AFTER holds only subscription 1 (vm1 healthy: 100%), as
/// `assess` of AFTER says; BEFORE holds both (50%). The move is a definition change, so
/// it shows in the catalog step.
#[test]
fn diff_scores_after_with_afters_own_subscription_definitions() {
    let d = json(
        &[
            "diff",
            "fixtures/triage/mg-before.json",
            "fixtures/triage/mg-after.json",
            "--management-group",
            "a",
        ],
        0,
    );
    assert_close(&d["before"]["percentage"], 50.0);
    assert_close(&d["after"]["percentage"], 100.0);
    assert_close(&d["waterfall"][5]["change"], 50.0);
}

#[test]
fn diff_gate_fails_on_an_undefined_score_or_an_incomplete_export() {
    let out = run(&[
        "diff",
        "fixtures/azure/features-page1.json",
        "fixtures/azure/features-page1.json",
        "--max-drop",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("an export is incomplete, so max-drop 5 cannot pass")
    );
    let out = run(&[
        "diff",
        "examples/contoso.json",
        "examples/contoso.json",
        "--scope",
        "/subscriptions/none",
        "--max-drop",
        "5",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a secure score is undefined"));
    let d = json(
        &[
            "diff",
            "examples/contoso.json",
            "examples/contoso.json",
            "--max-drop",
            "5",
        ],
        0,
    );
    // The same inventory on both sides: nothing fell.
    assert_eq!(
        d["gate"],
        serde_json::json!({"max_drop": 5.0, "passed": true, "reason": "secure score did not fall (max-drop 5)",
                           "rules": [{"rule": "max-drop", "limit": 5.0, "actual": 0.0, "passed": true,
                                      "message": "secure score did not fall (max-drop 5)"}]})
    );
}

/// vm2 fails r1, then is exempt in Azure (`NotApplicable`, cause `Exempt`): its status
/// under the exemption is not exported, so this is an exemption, not a regression:
/// 50% → 100%, all in the exemptions step.
#[test]
fn diff_counts_an_azure_exemption_as_an_exemption_not_a_regression() {
    let d = json(
        &[
            "diff",
            "fixtures/triage/exempt-before.json",
            "fixtures/triage/exempt-after.json",
        ],
        0,
    );
    let steps = d["waterfall"].as_array().unwrap();
    assert_eq!(steps[2]["resources"], serde_json::json!([]));
    assert_eq!(steps[4]["cause"], "exemptions");
    assert_close(&steps[4]["change"], 50.0);
    assert_eq!(steps[4]["resources"].as_array().unwrap().len(), 1);
}

/// fixtures/exemptions.json judged on two dates: r3's waiver (to 2026-01-31) is in
/// effect on 2026-01-15 and has ended by 2026-11-22, so it shows in the exemptions step,
/// and each side scores as `assess` does on its own date.
#[test]
fn diff_shows_exemptions_that_ended_between_the_two_dates() {
    let d = json(
        &[
            "diff",
            "fixtures/exemptions.json",
            "fixtures/exemptions.json",
            "--before-as-of",
            "2026-01-15",
        ],
        0,
    );
    let assess_on = |day: &str| {
        let out = run(&["assess", "fixtures/exemptions.json", "--as-of", day, "-f", "json"]);
        serde_json::from_slice::<Value>(&out.stdout).unwrap()["score"]["percentage"]
            .as_f64()
            .unwrap()
    };
    assert_close(&d["before"]["percentage"], assess_on("2026-01-15"));
    assert_close(&d["after"]["percentage"], assess_on("2026-11-22"));
    assert_eq!(d["waterfall"][4]["resources"], serde_json::json!(["r3"]));
    assert_eq!(d["before_as_of"], "2026-01-15");
}

#[test]
fn diff_reads_one_side_from_standard_input() {
    let file =
        std::fs::File::open(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.json"))
            .unwrap();
    let out = common::securescore(["diff", "-", "examples/contoso.json", "-f", "json"])
        .stdin(file)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    let d: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(d["change"], 0.0);
}

/// A group below subscription level is scored with computed weights, as the same
/// resources under --scope are (SPEC §1.1, §1.3): the estate's two web apps.
#[test]
fn a_group_scores_as_the_same_resources_under_a_filter() {
    let mut files: Vec<String> =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/azure/rest"))
            .unwrap()
            .map(|e| format!("examples/azure/rest/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
    files.sort();
    let mut grouped: Vec<&str> = vec!["assess"];
    grouped.extend(files.iter().map(String::as_str));
    grouped.extend(["--group-by", "type"]);
    let r = json(&grouped, 0);
    let sites = r["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == "Microsoft.Web/sites")
        .unwrap()["score"]["percentage"]
        .clone();
    let mut filtered: Vec<&str> = vec!["assess"];
    filtered.extend(files.iter().map(String::as_str));
    for id in [
        "/subscriptions/3c9e5a71-2f4b-4d8e-a6c0-7b15e9d2f384/resourceGroups/rg-web-prod/providers/Microsoft.Web/sites/app-contoso-web",
        "/subscriptions/a84f0d26-91c7-4e3b-b5d2-6e0f8c4a1b97/resourceGroups/rg-dev/providers/Microsoft.Web/sites/app-contoso-web-dev",
    ] {
        filtered.extend(["--scope", id]);
    }
    let f = json(&filtered, 0);
    assert_eq!(f["weights"], "computed");
    assert_close(&sites, f["score"]["percentage"].as_f64().unwrap());
}

/// BEFORE on 2026-11-01: vm1 waived (to 2026-11-10), vm2 healthy → 100%. AFTER adds vm3,
/// unhealthy, mitigated only to 2026-11-10. On 2026-11-22 vm3's exemption has ended, so it
/// arrives unhealthy: added → 1 of 2 healthy = 50% (−50); then vm1's waiver ends between
/// the dates: 1 of 3 = 33.33% (−16.67), in the exemptions step.
#[test]
fn an_added_assessment_arrives_with_its_exemption_as_afters_date_judges_it() {
    let d = json(
        &[
            "diff",
            "fixtures/triage/added-exempt-before.json",
            "fixtures/triage/added-exempt-after.json",
            "--before-as-of",
            "2026-11-01",
        ],
        0,
    );
    assert_close(&d["waterfall"][1]["change"], -50.0);
    assert_close(&d["waterfall"][4]["change"], -50.0 / 3.0);
    assert_eq!(d["waterfall"][4]["resources"].as_array().unwrap().len(), 1);
    assert_close(&d["after"]["percentage"], 100.0 / 3.0);
}

#[test]
fn diff_reads_directories_whatever_the_case_of_the_extension() {
    let dir = std::env::temp_dir().join(format!("securescore-diff-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worked-example.json"),
        dir.join("INVENTORY.JSON"),
    )
    .unwrap();
    std::fs::write(dir.join(".hidden.json"), "not json").unwrap();
    std::fs::write(dir.join("notes.txt"), "not an inventory").unwrap();
    let d = json(
        &["diff", dir.to_str().unwrap(), "fixtures/worked-example.json"],
        0,
    );
    assert_eq!(d["change"], 0.0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_resolves_a_subscription_renamed_between_the_sides_once() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("fixtures/triage/diff-after.json")).unwrap();
    let mut after: Value = serde_json::from_str(&text).unwrap();
    after["subscriptions"][0]["name"] = "production".into();
    let path = std::env::temp_dir().join(format!("securescore-renamed-{}.json", std::process::id()));
    std::fs::write(&path, after.to_string()).unwrap();
    let (before, after) = ("fixtures/triage/diff-before.json", path.to_str().unwrap());
    // Either name selects the subscription on both sides, as its id does.
    let by_id = json(
        &[
            "diff",
            before,
            after,
            "--scope",
            "11111111-1111-1111-1111-111111111111",
        ],
        0,
    );
    for name in ["prod", "PRODUCTION"] {
        let d = json(&["diff", before, after, "--scope", name], 0);
        assert_eq!(d["before"], by_id["before"], "{name}");
        assert_eq!(d["after"], by_id["after"], "{name}");
        assert!(d["after"]["resources"].as_u64().unwrap() > 0);
    }
    // A name neither side knows is warned of, as assess does.
    let out = run(&["diff", before, after, "--scope", "nope"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scope \"nope\" is no subscription's id"));
    let _ = std::fs::remove_file(&path);
}
