//! Azure's own exports (SPEC §3) checked end to end against hand-computed values: each
//! test runs the binary on fixtures in `fixtures/azure/` and compares the JSON report.

mod common;
use common::{assert_close, control, run};
use serde_json::Value;

fn report_with_exit(args: &[&str], exit: i32) -> Value {
    let mut all = vec!["assess"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-f", "json"]);
    let out = run(&all);
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn report(args: &[&str]) -> Value {
    report_with_exit(args, 0)
}

/// The `.json` files of a folder (relative to the crate), sorted.
fn json_files(dir: &str) -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| format!("{dir}/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|f| f.ends_with(".json"))
        .collect();
    files.sort();
    files
}

fn warning_codes(r: &Value) -> Vec<String> {
    r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap().to_string())
        .collect()
}

const FEATURES: [&str; 3] = [
    "fixtures/azure/features-page1.json",
    "fixtures/azure/features-page2.json",
    "fixtures/azure/features-definitions.json",
];

/// Subscription 0b1f…, controls A (max 6: r1, r2, r4 preview) and B (max 4: r2, r3,
/// r5 custom); r2 is in both.
///   vm1: r1 H, r2 H (keys in odd case), r3 H → A healthy, B healthy
///   vm2: r1 U, r2 H, r3 H          → A unhealthy, B healthy
///   vm3: r1 H, r2 Exempt, r3 U     → A healthy (r2 waived), B unhealthy
///   vm4: r4 U (preview), r5 U (custom), r1 H → A healthy; not in B
/// A: 3 H, 1 U → 6 × 3/4 = 4.5;  B: 2 H, 1 U → 4 × 2/3 = 2.667
/// Score (4.5 + 8/3) / 10 = 71.667%. Without exemptions vm3 fails r2 in A:
/// A 2 H, 2 U → 3; (3 + 8/3) / 10 = 56.667%.
#[test]
fn rest_pages_score_with_exempt_preview_custom_and_shared_recommendations() {
    let r = report(&FEATURES);
    assert_close(&r["score"]["percentage"], (4.5 + 8.0 / 3.0) * 10.0);
    assert_close(&r["score"]["raw_percentage"], (3.0 + 8.0 / 3.0) * 10.0);
    assert_close(&r["score"]["max"], 10.0);
    assert_eq!(r["score"]["resources"], 4);
    assert_eq!(r["weights"], "computed");
    let a = control(&r, "c-a");
    assert_eq!(a["name"], "Control A");
    assert_eq!(a["rank"], 1);
    assert_close(&a["current_score"], 4.5);
    assert_close(&a["potential_increase_percentage"], 15.0);
    assert_eq!(
        (a["healthy_resources"].as_u64(), a["unhealthy_resources"].as_u64()),
        (Some(3), Some(1))
    );
    let b = control(&r, "c-b");
    assert_close(&b["current_score"], 8.0 / 3.0);
    assert_close(&b["potential_increase_percentage"], (4.0 - 8.0 / 3.0) * 10.0);
    assert_eq!(
        (b["healthy_resources"].as_u64(), b["unhealthy_resources"].as_u64()),
        (Some(2), Some(1))
    );
    // The custom control is left out, with a warning; its member r5 is flagged custom.
    assert!(r["controls"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["id"] != "c-custom"));
    assert!(warning_codes(&r).contains(&"custom-control".to_string()));
    let recs = |c: &Value| -> Vec<(String, bool, bool)> {
        c["recommendations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                (
                    x["id"].as_str().unwrap().to_string(),
                    x["preview"].as_bool().unwrap(),
                    x["custom"].as_bool().unwrap(),
                )
            })
            .collect()
    };
    assert!(recs(a).contains(&("r4".to_string(), true, false)));
    assert!(recs(b).contains(&("r5".to_string(), false, true)));
    let r2 = a["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == "r2")
        .unwrap();
    assert_eq!(r2["name"], "Rec two (in both controls)");
    assert_eq!(r2["severity"], "medium");
    assert_eq!(r2["not_applicable_resources"], 1);
}

#[test]
fn preview_and_exemption_options_apply_to_azure_assessments() {
    // With preview: vm4 fails r4 in A → A 2 H, 2 U → 3.
    let r = report(&[FEATURES[0], FEATURES[1], FEATURES[2], "--include-preview"]);
    assert_close(&control(&r, "c-a")["current_score"], 3.0);
    // Ignoring exemptions: the exempt r2 on vm3 counts unhealthy (its raw status is unknown).
    let r = report(&[FEATURES[0], FEATURES[1], FEATURES[2], "--ignore-exemptions"]);
    assert_close(&r["score"]["percentage"], (3.0 + 8.0 / 3.0) * 10.0);
}

#[test]
fn pages_that_all_carry_a_next_link_are_an_incomplete_export() {
    let r = report_with_exit(&[FEATURES[0], FEATURES[2], "--fail-under", "1"], 1);
    assert!(warning_codes(&r).contains(&"incomplete-export".to_string()));
    assert_eq!(r["gate"]["passed"], false);
    let r = report(&FEATURES);
    assert!(!warning_codes(&r).contains(&"incomplete-export".to_string()));
}

#[test]
fn a_truncated_resource_graph_result_fails_any_gate() {
    let out = run(&[
        "assess",
        "fixtures/azure/arg-truncated.json",
        FEATURES[2],
        "--fail-under",
        "0",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the export is incomplete: Resource Graph returned 2 of 5 assessments"),
        "{stderr}"
    );
    assert!(stderr.contains("fail-under 0 cannot pass"), "{stderr}");
}

/// One control (max 4) with 5 healthy and 1 unhealthy in two subscriptions, from counts:
/// 4 × 5/6 = 3.333 → Azure exports 3.33 and 3.33 / 4 = 0.8325. The first subscription
/// says so; the second says 3.0 and 0.75, which is a cross-check warning.
#[test]
fn cross_check_accepts_azure_rounding_and_reports_a_difference() {
    let r = report(&["fixtures/azure/rounding.json"]);
    assert_close(&r["score"]["percentage"], 100.0 * 5.0 / 6.0);
    assert_eq!(r["score"]["raw_percentage"], Value::Null);
    let checks: Vec<&Value> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "cross-check")
        .collect();
    assert_eq!(checks.len(), 1, "{checks:?}");
    let message = checks[0]["message"].as_str().unwrap();
    assert!(
        message.contains("7a2c4f10-9d2b-4e6a-8f00-222222222222"),
        "{message}"
    );
    assert!(
        message.contains("exported current 3 (recomputed 3.33)"),
        "{message}"
    );
    // Counts-only scopes weigh approximately (healthy + unhealthy over controls).
    assert!(warning_codes(&r).contains(&"approximate-weight".to_string()));
    assert_eq!(r["scopes"][0]["weight"], 6);
}

#[test]
fn cross_checks_are_listed_by_validate_and_skipped_for_other_computations() {
    let out = run(&["validate", "fixtures/azure/rounding.json"]);
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("warning: fixtures/azure/rounding.json:"),
        "{stdout}"
    );
    assert!(
        stdout.contains("exported current 3 (recomputed 3.33)"),
        "{stdout}"
    );
    let r = report(&["fixtures/azure/rounding.json", "--as-of", "2026-01-01"]);
    assert!(!warning_codes(&r).contains(&"cross-check".to_string()));
    assert!(warning_codes(&r).contains(&"option-not-applicable".to_string()));
}

#[test]
fn counts_only_scopes_refuse_filters_below_subscription() {
    let out = run(&[
        "assess",
        "fixtures/azure/rounding.json",
        "--scope",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourceGroups/rg-app",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs resource-level assessments"));
    // A whole subscription is fine.
    let r = report(&[
        "fixtures/azure/rounding.json",
        "--scope",
        "0b1f6471-1bf0-4dda-aec3-111111111111",
    ]);
    assert_eq!(r["scopes"].as_array().unwrap().len(), 1);
    assert_close(&r["score"]["current"], 4.0 * 5.0 / 6.0);
}

/// value[1] repeats value[0] exactly: merged. value[2] changes the max: with nothing
/// scored by the definition, a `max-differs` warning; once a member (r1) is assessed, an
/// error naming both places.
#[test]
fn definitions_repeated_identically_merge_and_different_ones_are_an_error() {
    let r = report(&["fixtures/azure/conflicting-definitions.json"]);
    assert!(warning_codes(&r).contains(&"max-differs".to_string()), "{r}");
    let out = run(&[
        "assess",
        "fixtures/azure/conflicting-definitions.json",
        "fixtures/azure/conflicting-definitions-assessed.jsonl",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "conflicting-definitions.json:3:3: value[0]: control \"Control A\" (c-a) is defined with max scores 5, 6 \
             by different exports (also at fixtures/azure/conflicting-definitions.json:49:3 (value[2]))"
        ) && stderr.contains("recommendation \"r1\" is assessed"),
        "{stderr}"
    );
    assert!(!stderr.contains("value[1]"), "{stderr}");
}

/// Three virtual machines: a type that is not read, so one `ignored-type` warning at the
/// first, with the count, and nothing else to score (SPEC §3 "Other types").
#[test]
fn another_type_is_skipped_with_one_warning_naming_the_type_count_and_file() {
    let r = report(&["fixtures/azure/other-type.json"]);
    assert_eq!(warning_codes(&r), ["ignored-type", "no-data"]);
    let w = &r["warnings"][0];
    assert_eq!(w["file"], "fixtures/azure/other-type.json");
    assert_eq!(w["path"], "value[0]");
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .starts_with("3 objects of type \"Microsoft.Compute/virtualMachines\" skipped"),
        "{w}"
    );
    assert!(r["score"]["percentage"].is_null());
}

/// The warnings of a report with this code.
fn warnings_with_code<'a>(r: &'a Value, code: &str) -> Vec<&'a str> {
    r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == code)
        .map(|w| w["message"].as_str().unwrap())
        .collect()
}

/// A recommendation row of a report, by control and recommendation id.
fn recommendation<'a>(r: &'a Value, control_id: &str, id: &str) -> &'a Value {
    control(r, control_id)["recommendations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == id)
        .unwrap_or_else(|| panic!("no recommendation {id} in {control_id}"))
}

/// Real keys, so the built-in catalog scores them: Apply system updates (max 6) holds
/// SYSTEM_UPDATES; Enable endpoint protection (max 2) holds ENDPOINT and ENDPOINT_2.
const APPLY_SYSTEM_UPDATES: &str = "61702b76-1fab-41f2-bcbc-50b7870dcf38";
const ENABLE_ENDPOINT_PROTECTION: &str = "12136bd9-dc24-44f2-9587-7be3af6aac14";
const SYSTEM_UPDATES: &str = "4ab6e3c5-74dd-8b35-9ab9-f61b30875b27";
const ENDPOINT: &str = "83f577bd-a1b6-b7e1-0891-12ca19d1e6df";
const ENDPOINT_2: &str = "4fb67663-9ab9-475d-b026-8c544cced439";

/// The same recommendation named two ways by two assessments of one export: a warning,
/// not an error; the byte-wise smaller name is kept ("…protection" < "…protection solution").
/// Both machines are healthy in Enable endpoint protection (max 2): 2 of 2 points, 100%.
#[test]
fn exports_that_name_a_recommendation_differently_warn_and_keep_one_name() {
    let r = report(&["fixtures/azure/metadata-conflict.json"]);
    assert_close(&r["score"]["percentage"], 100.0);
    assert_eq!(warning_codes(&r), ["metadata-differs"]);
    let message = warnings_with_code(&r, "metadata-differs")[0];
    assert!(
        message.starts_with(&format!(
            "recommendation \"Install endpoint protection\" ({ENDPOINT}) differs between exports"
        )),
        "{message}"
    );
    assert!(
        message.contains(
            "name \"Install endpoint protection\" (inline metadata) kept over \"Install endpoint protection solution\" \
             (inline metadata)"
        ),
        "{message}"
    );
    assert_eq!(
        recommendation(&r, ENABLE_ENDPOINT_PROTECTION, ENDPOINT)["name"],
        "Install endpoint protection"
    );
}

/// `az security assessment list` prints no metadata (`"metadata": null`), so whether a
/// recommendation is preview is unknown: all three score as generally available.
///   vm1: SYSTEM_UPDATES H, ENDPOINT H, ENDPOINT_2 U;  vm2: SYSTEM_UPDATES U, ENDPOINT H
///   Apply system updates: 1 H, 1 U → 6 × 1/2 = 3
///   Enable endpoint protection: vm1 U (ENDPOINT_2), vm2 H → 2 × 1/2 = 1
///   (3 + 1) / (6 + 2) = 50%
#[test]
fn assessments_without_metadata_score_as_generally_available_with_one_warning() {
    let r = report(&["fixtures/azure/no-metadata.json"]);
    assert_close(&r["score"]["percentage"], 50.0);
    assert_close(&control(&r, ENABLE_ENDPOINT_PROTECTION)["current_score"], 1.0);
    assert_eq!(warning_codes(&r), ["preview-unknown"]);
    let message = warnings_with_code(&r, "preview-unknown")[0];
    for part in [
        "3 recommendation(s) of scored controls (5 assessment(s)) were exported without metadata",
        "$expand=metadata",
        "az rest --method get --url \"https://management.azure.com/providers/Microsoft.Security/assessmentMetadata?api-version=2021-06-01\"",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
}

/// The metadata listing (`az security assessment-metadata list`) covers SYSTEM_UPDATES
/// and says ENDPOINT_2 is preview, so it no longer counts:
///   Enable endpoint protection: vm1 H (ENDPOINT), vm2 H → 2 × 2/2 = 2
///   (3 + 2) / 8 = 62.5%; ENDPOINT alone stays unknown (2 assessments).
/// A native entry that states ENDPOINT's `preview` makes it known: no warning, same score.
#[test]
fn a_metadata_listing_or_a_native_entry_tells_which_recommendations_are_preview() {
    let r = report(&[
        "fixtures/azure/no-metadata.json",
        "fixtures/azure/no-metadata-listing.json",
    ]);
    assert_close(&r["score"]["percentage"], 62.5);
    assert_eq!(
        recommendation(&r, ENABLE_ENDPOINT_PROTECTION, ENDPOINT_2)["preview"],
        true
    );
    assert_eq!(warning_codes(&r), ["preview-unknown"]);
    let message = warnings_with_code(&r, "preview-unknown")[0];
    assert!(
        message.starts_with("1 recommendation(s) of scored controls (2 assessment(s))"),
        "{message}"
    );
    assert!(message.contains(ENDPOINT), "{message}");

    let r = report(&[
        "fixtures/azure/no-metadata.json",
        "fixtures/azure/no-metadata-listing.json",
        "fixtures/azure/no-metadata-overlay.json",
    ]);
    assert_close(&r["score"]["percentage"], 62.5);
    assert_eq!(warning_codes(&r), Vec::<String>::new());
}

const DAYS: [&str; 2] = [
    "fixtures/azure/day-2020-prod.json",
    "fixtures/azure/day-2021-dev.json",
];

/// Two subscriptions exported a year apart (REST, `$expand=metadata`): 2020 and 2021
/// describe SYSTEM_UPDATES differently and ENDPOINT by another name, severity and
/// description; 2021 has ENDPOINT_2 as preview.
///   prod (2020): vm-p1 SYSTEM_UPDATES U, ENDPOINT H; vm-p2 SYSTEM_UPDATES H, ENDPOINT H
///     Apply system updates 6 × 1/2 = 3, Enable endpoint protection 2 × 2/2 = 2 → 5/8 = 62.5%, weight 2
///   dev (2021): vm-d1 SYSTEM_UPDATES H, ENDPOINT H, ENDPOINT_2 U (preview, not counted)
///     6 + 2 = 8/8 = 100%, weight 1
///   (2 × 62.5 + 1 × 100) / 3 = 75%
/// One warning per recommendation that differs (not one per assessment), the same in
/// either order of the files.
#[test]
fn exports_of_different_days_merge_their_metadata_with_one_warning_each() {
    let r = report(&DAYS);
    assert_close(&r["score"]["percentage"], 75.0);
    assert_eq!(warning_codes(&r), ["metadata-differs", "metadata-differs"]);
    // Within inline metadata the byte-wise smallest value: "Endpoint…" < "Install…", "high" < "medium".
    let endpoint = recommendation(&r, ENABLE_ENDPOINT_PROTECTION, ENDPOINT);
    assert_eq!(
        endpoint["name"],
        "Endpoint protection should be installed on your virtual machines"
    );
    assert_eq!(endpoint["severity"], "high");
    // In recommendation id order: SYSTEM_UPDATES (4ab6…) before ENDPOINT (83f5…).
    let messages = warnings_with_code(&r, "metadata-differs");
    assert!(
        messages[1].starts_with(&format!(
            "recommendation \"Endpoint protection should be installed on your virtual machines\" ({ENDPOINT})"
        )),
        "{messages:?}"
    );
    for part in [
        "name \"Endpoint protection should be installed on your virtual mach…\" (inline metadata) kept over \
         \"Install endpoint protection solution on virtual machines\" (inline metadata)",
        "severity \"high\" (inline metadata) kept over \"medium\" (inline metadata)",
        "description ",
    ] {
        assert!(messages[1].contains(part), "{part:?} not in {}", messages[1]);
    }
    assert!(
        messages[0].contains(SYSTEM_UPDATES)
            && messages[0].contains("description ")
            && !messages[0].contains("name "),
        "{}",
        messages[0]
    );

    let forward = run(&["assess", DAYS[0], DAYS[1], "-f", "json", "--as-of", "2026-11-22"]);
    let backward = run(&["assess", DAYS[1], DAYS[0], "-f", "json", "--as-of", "2026-11-22"]);
    assert_eq!(forward.stdout, backward.stdout);
    assert_eq!(forward.stderr, backward.stderr);
}

/// An assessmentMetadata object outranks inline metadata: its name, severity and
/// description are kept (a warning names the source). The score is that of the two
/// exports alone (75%): names do not score.
#[test]
fn an_assessment_metadata_object_outranks_inline_metadata() {
    let r = report(&[DAYS[0], DAYS[1], "fixtures/azure/metadata-listing.json"]);
    assert_close(&r["score"]["percentage"], 75.0);
    let endpoint = recommendation(&r, ENABLE_ENDPOINT_PROTECTION, ENDPOINT);
    assert_eq!(
        endpoint["name"],
        "Endpoint protection should be installed on virtual machines"
    );
    assert_eq!(endpoint["severity"], "high");
    assert_eq!(warning_codes(&r), ["metadata-differs", "metadata-differs"]);
    let message = warnings_with_code(&r, "metadata-differs")[1];
    assert!(
        message.contains(
            "name \"Endpoint protection should be installed on virtual machines\" (assessmentMetadata) kept over \
             \"Endpoint protection should be installed on your virtual mach…\" (inline metadata) and other values"
        ),
        "{message}"
    );
}

/// A native document over the exports is the user's overlay: it renames the control
/// and sets its max to 4, renames ENDPOINT (severity critical), and says ENDPOINT_2 is
/// not preview (2021's metadata says it is): no conflict, and no warning for them.
///   prod: Apply system updates 3, Enable endpoint protection 4 × 2/2 = 4 → 7/10 = 70%, weight 2
///   dev: 6, vm-d1 now unhealthy in endpoint protection (ENDPOINT_2) → 0 → 6/10 = 60%, weight 1
///   (2 × 70 + 60) / 3 = 66.667%
/// Without the overlay the definitions give the 75% of the exports alone.
#[test]
fn a_native_overlay_renames_and_decides_preview_without_a_conflict() {
    let defs = "fixtures/azure/day-definitions.json";
    let r = report(&[DAYS[0], DAYS[1], defs]);
    assert_close(&r["score"]["percentage"], 75.0);
    assert_eq!(
        control(&r, ENABLE_ENDPOINT_PROTECTION)["name"],
        "Enable endpoint protection"
    );

    let r = report(&[DAYS[0], DAYS[1], defs, "fixtures/azure/overlay.json"]);
    assert_close(&r["score"]["percentage"], 200.0 / 3.0);
    let ep = control(&r, ENABLE_ENDPOINT_PROTECTION);
    assert_eq!(ep["name"], "Endpoint protection (ours)");
    assert_close(&ep["max_score"], 4.0);
    let endpoint = recommendation(&r, ENABLE_ENDPOINT_PROTECTION, ENDPOINT);
    assert_eq!(endpoint["name"], "Endpoint protection on our virtual machines");
    assert_eq!(endpoint["severity"], "critical");
    assert_eq!(
        recommendation(&r, ENABLE_ENDPOINT_PROTECTION, ENDPOINT_2)["preview"],
        false
    );
    assert_close(&control(&r, APPLY_SYSTEM_UPDATES)["max_score"], 6.0);
    // The overlay leaves ENDPOINT's description to the exports, which still differ.
    assert_eq!(warning_codes(&r), ["metadata-differs", "metadata-differs"]);
    for message in warnings_with_code(&r, "metadata-differs") {
        assert!(!message.contains("name \""), "{message}");
        assert!(!message.contains("severity"), "{message}");
    }
}

/// The example estate, exported in every shape (`examples/azure/<shape>/`), gives the
/// figures `examples/azure/expected.json` holds. Those were computed by the generator's
/// own implementation of SPEC §1 (`examples/azure/make_azure.py`), not by securescore.
#[test]
fn every_shape_of_the_example_estate_gives_the_expected_report() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/azure");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(root.join("expected.json")).unwrap()).unwrap();
    let folders = expected["folders"].as_array().unwrap();
    assert_eq!(folders.len(), 6);
    for folder in folders {
        let folder = folder.as_str().unwrap();
        let files = json_files(&format!("examples/azure/{folder}"));
        let args: Vec<&str> = files.iter().map(String::as_str).collect();
        let r = report(&args);
        let context = format!("shape {folder}");
        assert_eq!(r["weights"], expected["weights"], "{context}");
        assert_close(
            &r["score"]["percentage"],
            expected["score"]["percentage"].as_f64().unwrap(),
        );
        let counts_only = folder == "counts";
        if counts_only {
            assert_eq!(r["score"]["raw_percentage"], Value::Null, "{context}");
        } else {
            assert_close(
                &r["score"]["raw_percentage"],
                expected["score"]["raw_percentage"].as_f64().unwrap(),
            );
        }
        assert!(
            !warning_codes(&r).contains(&"cross-check".to_string()),
            "{context}: {}",
            r["warnings"]
        );
        let scopes = r["scopes"].as_array().unwrap();
        let want_scopes = expected["scopes"].as_array().unwrap();
        assert_eq!(scopes.len(), want_scopes.len(), "{context}");
        for (got, want) in scopes.iter().zip(want_scopes) {
            assert_eq!(got["id"], want["id"], "{context}");
            assert_eq!(got["weight"], want["weight"], "{context}");
            for key in ["percentage", "current", "max"] {
                assert_close(&got[key], want[key].as_f64().unwrap());
            }
        }
        // Counts-only scopes count a resource once per control (SPEC §3).
        assert_eq!(
            r["score"]["resources"],
            if counts_only { 33 } else { 15 },
            "{context}"
        );
        let mut codes = warning_codes(&r);
        codes.sort();
        codes.dedup();
        let want_codes: Vec<String> = if counts_only {
            vec![]
        } else {
            // The custom recommendation is in no control.
            vec!["unscored-recommendation".to_string()]
        };
        assert_eq!(codes, want_codes, "{context}: {}", r["warnings"]);
        let controls = r["controls"].as_array().unwrap();
        let want_controls = expected["controls"].as_array().unwrap();
        assert_eq!(controls.len(), want_controls.len(), "{context}");
        for (got, want) in controls.iter().zip(want_controls) {
            for key in [
                "rank",
                "id",
                "applicable",
                "healthy_resources",
                "unhealthy_resources",
                "not_applicable_resources",
            ] {
                assert_eq!(got[key], want[key], "{context}: control {} {key}", want["id"]);
            }
            for key in [
                "max_score",
                "current_score",
                "potential_increase",
                "potential_increase_percentage",
            ] {
                assert_close(&got[key], want[key].as_f64().unwrap());
            }
        }
    }
}

/// Five assessments of r1 (in control A, max 6) from other sources:
///   AWS i-0abc U, i-0def H (connector aws-connector-1) → 50%, weight 2
///   GCP vm-g H (connector gcp-connector-1)              → 100%, weight 1
///   on-premises srv-01 by VM UUID U (workspace in 0b1f…), srv-02 by name H → 50%, weight 2
/// Overall (2 × 50 + 1 × 100 + 2 × 50) / 5 = 60%.
#[test]
fn aws_gcp_and_on_premises_resources_find_their_scopes() {
    let r = report(&["fixtures/azure/sources.json"]);
    assert_close(&r["score"]["percentage"], 60.0);
    let scopes: Vec<(String, f64, u64)> = r["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().to_string(),
                s["percentage"].as_f64().unwrap(),
                s["weight"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        scopes,
        vec![
            ("0b1f6471-1bf0-4dda-aec3-111111111111".to_string(), 50.0, 2),
            ("aws-connector-1".to_string(), 50.0, 2),
            ("gcp-connector-1".to_string(), 100.0, 1),
        ]
    );
}

#[test]
fn management_group_objects_are_a_scope_only_when_alone() {
    // Alone: the group is scored from its counts, 6 × 3/4 = 4.5 of 6.
    let r = report(&["fixtures/azure/management-group-only.json"]);
    assert_close(&r["score"]["percentage"], 75.0);
    assert_eq!(r["scopes"][0]["name"], "contoso-root");
    assert!(warning_codes(&r).contains(&"management-group-as-scope".to_string()));
    // Beside subscriptions: an aggregate that cross-checks the overall score (55.16%).
    let with = |extra: &str| {
        let mut files = json_files("examples/azure/counts");
        files.push(extra.to_string());
        report(&files.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let agrees = with("fixtures/azure/management-group-agrees.json");
    assert_eq!(agrees["scopes"].as_array().unwrap().len(), 2);
    assert!(
        !warning_codes(&agrees).contains(&"cross-check".to_string()),
        "{}",
        agrees["warnings"]
    );
    let differs = with("fixtures/azure/management-group-differs.json");
    let message = differs["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "cross-check")
        .map(|w| w["message"].as_str().unwrap().to_string())
        .unwrap();
    assert!(
        message.contains("exported secure score 60.12% differs from the recomputed overall 55.16%"),
        "{message}"
    );
}

#[test]
fn the_resource_graph_rest_spelling_of_a_truncated_result_is_incomplete() {
    let r = report(&[
        "fixtures/azure/arg-rest-truncated.json",
        "fixtures/azure/sources.json",
    ]);
    let w = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "incomplete-export")
        .unwrap();
    assert!(w["message"]
        .as_str()
        .unwrap()
        .contains("Resource Graph returned 1 of 3 assessments"));
}

#[test]
fn a_page_of_unrecognisable_items_is_an_error() {
    let out = run(&["assess", "fixtures/azure/no-recognisable-items.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "no-recognisable-items.json:3:3: value[0]: an object of no recognised shape (keys: kind, location)"
        ),
        "{stderr}"
    );
}

#[test]
fn pages_concatenated_on_standard_input_read_like_separate_files() {
    use std::io::Write;
    let mut stdin = Vec::new();
    for f in FEATURES {
        stdin.extend(std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(f)).unwrap());
    }
    let mut child = common::securescore(["assess", "-f", "json"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    common::assert_exit(&out, 0);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_close(&r["score"]["percentage"], (4.5 + 8.0 / 3.0) * 10.0);
    assert!(!warning_codes(&r).contains(&"incomplete-export".to_string()));
}

/// The variants `expected.json` holds, on the REST export: without the secure score
/// files the weights are computed; with `--include-preview` and `--ignore-exemptions` the
/// exported weights stay.
#[test]
fn the_example_estate_variants_match_the_expected_figures() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/azure");
    let expected: Value =
        serde_json::from_slice(&std::fs::read(root.join("expected.json")).unwrap()).unwrap();
    let variants = &expected["variants"];
    let rest = json_files("examples/azure/rest");
    let without_scores: Vec<&str> = rest
        .iter()
        .map(String::as_str)
        .filter(|f| !f.contains("secure-scores"))
        .collect();
    let r = report(&without_scores);
    assert_eq!(r["weights"], "computed");
    assert_close(
        &r["score"]["percentage"],
        variants["computed_weights"]["percentage"].as_f64().unwrap(),
    );
    for (i, s) in variants["computed_weights"]["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
    {
        assert_eq!(r["scopes"][i]["weight"], s["weight"]);
    }
    let all: Vec<&str> = rest.iter().map(String::as_str).collect();
    for (flag, variant) in [
        ("--include-preview", "include_preview"),
        ("--ignore-exemptions", "ignore_exemptions"),
    ] {
        let mut args = all.clone();
        args.push(flag);
        let r = report(&args);
        assert_eq!(r["weights"], "exported", "{flag}");
        assert_close(
            &r["score"]["percentage"],
            variants[variant]["percentage"].as_f64().unwrap(),
        );
        // Defender's own figures are not those of another computation: no cross-check.
        assert!(!warning_codes(&r).contains(&"cross-check".to_string()), "{flag}");
    }
}

#[test]
fn counts_beyond_any_real_estate_are_an_error() {
    let out = run(&["assess", "fixtures/azure/huge-count.json"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "value[0].properties.healthyResourceCount: invalid value: integer `18446744073709551615`"
        ),
        "{stderr}"
    );
}

/// Prod's assessments are complete (page 2 has no nextLink); dev's first page has a
/// nextLink and its second page is missing: prod's last page does not end dev's listing.
#[test]
fn a_missing_page_of_one_subscription_is_found_beside_a_complete_one() {
    let mut files: Vec<String> = json_files("examples/azure/rest")
        .into_iter()
        .filter(|f| !f.contains("assessments-contoso-dev"))
        .collect();
    files.push("fixtures/azure/dev-assessments-page1-only.json".to_string());
    files.extend(["--fail-under".to_string(), "0".to_string()]);
    let r = report_with_exit(&files.iter().map(String::as_str).collect::<Vec<_>>(), 1);
    let w = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "incomplete-export")
        .unwrap();
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .contains("every ARM page of assessments of subscription a84f0d26-91c7-4e3b-b5d2-6e0f8c4a1b97"),
        "{w}"
    );
    assert_eq!(w["file"], "fixtures/azure/dev-assessments-page1-only.json");
}

/// Control c-x is in no catalog: applicable in 7a2c… (max 4, 1 healthy of 2 → 50%), and
/// exported with max 0 where it applies to nothing. Either order gives max 4 and 50%.
#[test]
fn a_control_known_only_from_exports_does_not_depend_on_input_order() {
    let a = "fixtures/azure/unknown-control-na.json";
    let b = "fixtures/azure/unknown-control-applies.json";
    for args in [[a, b], [b, a]] {
        let r = report(&args);
        assert_close(&r["score"]["percentage"], 50.0);
        assert_close(&control(&r, "c-x")["max_score"], 4.0);
        assert!(warning_codes(&r).contains(&"unknown-control".to_string()));
    }
    let out = run(&["assess", "fixtures/azure/unknown-control-negative-max.json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("score.max: max score -5 is invalid"));
}

/// A security connector (an AWS account) is a scope of its own beside its hosting
/// subscription: 50% (weight 2) and 75% (weight 4) → (100 + 300) / 6 = 66.67%.
#[test]
fn security_connectors_are_scopes_of_their_own() {
    let r = report(&["fixtures/azure/connector.json"]);
    assert_close(&r["score"]["percentage"], 400.0 / 6.0);
    assert_eq!(r["weights"], "exported");
    assert_eq!(r["scopes"].as_array().unwrap().len(), 2);
    assert_eq!(r["scopes"][1]["name"], "aws-prod");
    assert_close(&r["scopes"][1]["percentage"], 75.0);
}

/// Azure names compare case-insensitively: control objects named in upper case join
/// their lower-case definitions, and give prod's expected 67.31%.
#[test]
fn control_names_match_their_definitions_in_any_case() {
    let r = report(&[
        "fixtures/azure/upper-case-control-names.json",
        "examples/azure/rest/secure-score-control-definitions.json",
    ]);
    let expected: Value =
        serde_json::from_slice(&std::fs::read("examples/azure/expected.json").unwrap_or_default())
            .unwrap_or_default();
    let prod = expected["scopes"][0]["percentage"].as_f64().unwrap_or(f64::NAN);
    assert_close(&r["score"]["percentage"], prod);
    assert_eq!(r["controls"].as_array().unwrap().len(), 7);
}

/// Three rows over pages of one row (total 3): page 0 given twice instead of page 1 is
/// incomplete (2 distinct rows); all pages and a final empty page are complete.
#[test]
fn resource_graph_pages_count_distinct_rows_and_may_end_empty() {
    let p = |n: &str| format!("fixtures/azure/arg-page{n}.json");
    let (p0, p1, p2, p3) = (p("0"), p("1"), p("2"), p("3-empty"));
    let r = report_with_exit(&[&p0, &p0, &p2, &p3, "--fail-under", "0"], 1);
    let w = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "incomplete-export")
        .unwrap();
    assert!(
        w["message"]
            .as_str()
            .unwrap()
            .contains("Resource Graph returned 2 of 3 assessments"),
        "{w}"
    );
    let r = report(&[&p0, &p1, &p2, &p3]);
    assert!(
        !warning_codes(&r).contains(&"incomplete-export".to_string()),
        "{}",
        r["warnings"]
    );
}

/// AWS users (ARNs) assessed under the connector aws-prod, with no `ConnectorId`: they
/// belong to the connector's scope, whose exported objects they then cross-check. The
/// connector from assessments: 3 healthy, 1 unhealthy of Enable MFA (max 10) → 75%,
/// exported weight 4; the subscription from counts: 50%, weight 2 → 66.67%.
#[test]
fn assessments_under_a_security_connector_join_its_scope() {
    let r = report(&[
        "fixtures/azure/connector.json",
        "fixtures/azure/connector-assessments.json",
    ]);
    assert_close(&r["score"]["percentage"], 400.0 / 6.0);
    assert_eq!(r["weights"], "exported");
    assert_eq!(r["scopes"].as_array().unwrap().len(), 2);
    assert_eq!(r["scopes"][1]["name"], "aws-prod");
    assert!(r["warnings"].as_array().unwrap().is_empty(), "{}", r["warnings"]);
    // A --scope naming the connector selects it whole, beside a counts-only subscription.
    let r = report(&[
        "fixtures/azure/connector.json",
        "--scope",
        "/subscriptions/0b1f6471-1bf0-4dda-aec3-111111111111/resourcegroups/rg-sec/providers/microsoft.security/securityconnectors/aws-prod",
    ]);
    assert_close(&r["score"]["percentage"], 75.0);
    assert_eq!(r["weights"], "exported");
}

#[test]
fn an_empty_page_neither_hides_a_missing_page_nor_counts_as_one() {
    // `{"value": []}` (an empty subscription's export) does not end dev's listing.
    let r = report_with_exit(
        &[
            "fixtures/azure/dev-assessments-page1-only.json",
            "fixtures/azure/empty-page.json",
            "--fail-under",
            "0",
        ],
        1,
    );
    assert!(warning_codes(&r).contains(&"incomplete-export".to_string()));
    // An empty page with a nextLink between prod's two pages is part of a complete listing.
    let r = report(&[
        "examples/azure/rest/assessments-contoso-prod-page1.json",
        "fixtures/azure/empty-middle-page.json",
        "examples/azure/rest/assessments-contoso-prod-page2.json",
        "--fail-under",
        "0",
    ]);
    assert!(
        !warning_codes(&r).contains(&"incomplete-export".to_string()),
        "{}",
        r["warnings"]
    );
}

/// Control c-x is in no catalog and no definition: 0b1f… exports it at max 6 (1 healthy
/// of 2 → 3 of 6, 50%), 7a2c… at max 4 (→ 2 of 4, 50%). Each scope scores with its own
/// max, so both are 50% and so is the mean (computed weights 2 and 2). Combined max, with
/// k = weight / scope max: (2/6 · 6 + 2/4 · 4) / (2/6 + 2/4) = 4 / (5/6) = 4.8.
#[test]
fn an_unknown_control_with_two_maxima_scores_each_scope_with_its_own() {
    let r = report(&["fixtures/azure/unknown-control-two-maxima.json"]);
    assert_close(&r["score"]["percentage"], 50.0);
    assert_close(&r["scopes"][0]["max"], 6.0);
    assert_close(&r["scopes"][1]["max"], 4.0);
    let c = control(&r, "c-x");
    assert_close(&c["max_score"], 4.8);
    assert_close(&c["current_score"], 2.4);
    assert_eq!(
        warning_codes(&r),
        [
            "unknown-control",
            "max-differs",
            "approximate-weight",
            "approximate-weight"
        ]
    );
}

const MAXIMA: [&str; 4] = [
    "fixtures/azure/per-scope-maxima/2020-controls.json",
    "fixtures/azure/per-scope-maxima/2020-scores.json",
    "fixtures/azure/per-scope-maxima/2021-controls.json",
    "fixtures/azure/per-scope-maxima/2021-scores.json",
];

/// Two subscriptions exported a year apart (`az rest` listings of secureScoreControls
/// and secureScores, no definitions), their maxima differing from each other and from
/// the catalog's (endpoint protection 2, MFA 10, system updates 6, vulnerabilities 6,
/// network access 4):
///
/// | control | 5d3c… (2020, weight 8) | 9e8d… (2021, weight 4) |
/// |---|---|---|
/// | endpoint protection | max 2, 3 H 1 U → 1.5 | max 0, 2 H 2 U → 0 (applies, adds nothing) |
/// | MFA | max 10, 1 H 1 U → 5 | max 8, 3 H 1 U → 6 |
/// | system updates | max 6, 2 H 2 U → 3 | max 6, 1 H 2 U → 2 |
/// | vulnerabilities | not applicable (max 0) | max 5, 4 H 1 U → 4 |
/// | network access | max 4, 1 H 3 U → 1 | not applicable (max 0) |
/// | scope | 10.5 / 22 = 47.7273% | 12 / 19 = 63.1579% |
///
/// Overall, by the exported weights: (8 · 1050/22 + 4 · 1200/19) / 12 = 132600 / 2508
/// = 52.8708%. With the catalog's maxima 9e8d… would be (1 + 7.5 + 2 + 4.8) / 24 =
/// 63.75% and the overall 53.0682%. The exports are self-consistent (each ascScore is the
/// sum of its rounded control scores: 10.5 / 22 = 0.4773, 12 / 19 = 0.6316), so no
/// `cross-check` warning fires; endpoint protection (2 and 0) and MFA (10 and 8) differ where they
/// apply: two `max-differs`; vulnerabilities and network access differ only where they
/// do not apply, and system updates not at all.
#[test]
fn count_level_scopes_score_with_their_own_exported_maxima() {
    let r = report(&MAXIMA);
    assert_close(&r["score"]["percentage"], 132600.0 / 2508.0);
    assert_eq!(r["weights"], "exported");
    let (a, b) = (&r["scopes"][0], &r["scopes"][1]);
    assert_eq!(a["id"], "5d3c8e21-7a44-4f0b-9c1e-2b6f8a0d1111");
    assert_close(&a["current"], 10.5);
    assert_close(&a["max"], 22.0);
    assert_close(&b["current"], 12.0);
    assert_close(&b["max"], 19.0);
    assert_close(&b["percentage"], 1200.0 / 19.0);
    assert_eq!(warning_codes(&r), ["max-differs", "max-differs"]);
    let messages: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["message"].as_str().unwrap())
        .collect();
    assert!(
        messages[0].contains("\"Enable endpoint protection\"")
            && messages[0].contains(
                "0 in 9e8d7c6b-5a49-4382-b1c0-d9e8f7a62222; 2 in 5d3c8e21-7a44-4f0b-9c1e-2b6f8a0d1111"
            ),
        "{}",
        messages[0]
    );
    assert!(
        messages[1].contains(
            "8 in 9e8d7c6b-5a49-4382-b1c0-d9e8f7a62222; 10 in 5d3c8e21-7a44-4f0b-9c1e-2b6f8a0d1111"
        ),
        "{}",
        messages[1]
    );
    // No scope is scored from assessments, so the warning does not speak of one.
    assert!(
        messages.iter().all(|m| !m.contains("scored from assessments")),
        "{messages:?}"
    );
    // Endpoint protection combined, k = weight / scope max: k(5d3c) = 8/22 = 4/11,
    // k(9e8d) = 4/19, Σk = 120/209. Max (4/11 · 2 + 4/19 · 0) / Σk = 19/15; current
    // (4/11 · 1.5) / Σk = 0.95; potential 19/15 − 0.95 = 19/60; +Score 100 · (4/11 ·
    // 0.5) / 12 = 1.5152 points.
    let ep = control(&r, "12136bd9-dc24-44f2-9587-7be3af6aac14");
    assert_close(&ep["max_score"], 19.0 / 15.0);
    assert_close(&ep["current_score"], 0.95);
    assert_close(&ep["potential_increase"], 19.0 / 60.0);
    assert_close(&ep["potential_increase_percentage"], 100.0 / 66.0);
    // MFA: (4/11 · 10 + 4/19 · 8) / Σk = (760 + 352) / 120 = 9.2667.
    assert_close(
        &control(&r, "34a42fb3-e6db-409c-b56b-7b1db6b8aee0")["max_score"],
        1112.0 / 120.0,
    );
    // Vulnerabilities applies only in 9e8d…, at its exported 5, not the catalog's 6.
    assert_close(
        &control(&r, "05daab2e-f074-4601-ac10-aadf5c9c50f6")["max_score"],
        5.0,
    );
    // Named by the exports, not by the catalog ("Apply system updates").
    assert_eq!(
        control(&r, "61702b76-1fab-41f2-bcbc-50b7870dcf38")["name"],
        "Apply system updates on your machines"
    );
}

/// The 2021 subscription alone scores with its own maxima: 12 / 19 = 63.1579%;
/// endpoint protection applies there at max 0: it adds nothing.
#[test]
fn one_count_level_scope_alone_keeps_its_own_maxima() {
    let mut args = MAXIMA.to_vec();
    args.extend(["--scope", "9e8d7c6b-5a49-4382-b1c0-d9e8f7a62222"]);
    let r = report(&args);
    assert_close(&r["score"]["percentage"], 1200.0 / 19.0);
    assert_close(&r["score"]["max"], 19.0);
    let ep = control(&r, "12136bd9-dc24-44f2-9587-7be3af6aac14");
    assert_eq!(ep["applicable"], true);
    assert_close(&ep["max_score"], 0.0);
    assert_close(&ep["current_score"], 0.0);
    assert_close(&ep["potential_increase_percentage"], 0.0);
    assert_eq!(warning_codes(&r), ["max-differs", "max-differs"]);
}

/// `--weighting pooled`: one scope, each control at the largest max among the scopes
/// where it applies: endpoint protection 2 (5 H 3 U → 1.25), MFA 10 (4 H 2 U → 20/3),
/// system updates 6 (3 H 4 U → 18/7), vulnerabilities 5 (4 H 1 U → 4), network access
/// 4 (1 H 3 U → 1); 100 · (1.25 + 20/3 + 18/7 + 4 + 1) / 27 = 57.3633%.
#[test]
fn pooled_takes_the_largest_max_where_a_control_applies() {
    let mut args = MAXIMA.to_vec();
    args.extend(["--weighting", "pooled"]);
    let r = report(&args);
    assert_close(
        &r["score"]["percentage"],
        100.0 * (1.25 + 20.0 / 3.0 + 18.0 / 7.0 + 4.0 + 1.0) / 27.0,
    );
    assert_close(
        &control(&r, "12136bd9-dc24-44f2-9587-7be3af6aac14")["max_score"],
        2.0,
    );
}

const MIXED: &str = "fixtures/azure/securityresources-mixed.json";

/// Runs `assess -f json` (with `args`) on `stdin`, expecting exit code `exit`.
fn report_from_stdin(stdin: &[u8], args: &[&str], exit: i32) -> Value {
    use std::io::Write;
    let mut all = vec!["assess", "-f", "json"];
    all.extend_from_slice(args);
    let mut child = common::securescore(all)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(exit),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The `ignored-type` warnings of a report, as (type, count): the message starts
/// `<count> object(s) of type "<type>"`.
fn ignored_types(r: &Value) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "ignored-type")
        .map(|w| {
            let message = w["message"].as_str().unwrap();
            let count = message.split(' ').next().unwrap().parse().unwrap();
            (message.split('"').nth(1).unwrap().to_string(), count)
        })
        .collect();
    out.sort();
    out
}

/// The 18 rows of the mixed dump: 9 assessments and 9 objects of other types.
fn mixed_rows() -> Vec<Value> {
    let text = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(MIXED)).unwrap();
    let dump: Value = serde_json::from_slice(&text).unwrap();
    dump["data"].as_array().unwrap().clone()
}

/// One Resource Graph page of `rows`, of a result of `total` rows.
fn graph_page(rows: &[Value], total: usize, skip_token: Option<&str>) -> Vec<u8> {
    let page = serde_json::json!({
        "count": rows.len(), "data": rows, "skip_token": skip_token, "total_records": total,
    });
    serde_json::to_vec(&page).unwrap()
}

/// A Resource Graph `securityresources` result without a `type` filter (SPEC §3 "Other
/// types"), 18 rows of subscription 6f1c…, scored against the built-in catalog:
///   Enable MFA (max 10): the subscription passes 94290b00 but fails 57e98606
///     → 0 H, 1 U → 0
///   Secure management ports (max 8): 805651bc vm1 H, vm2 U, vm3 H → 8 × 2/3 = 16/3
///   Apply system updates (max 6): 4ab6e3c5 vm1 U, vm2 H, vm3 H, vm4 not applicable
///     → 6 × 2/3 = 4
///   Score (0 + 16/3 + 4) / (10 + 8 + 6) = (28/3) / 24 = 38.888…%; 4 resources count
///   (vm4 is only not applicable).
/// The 9 other rows are skipped, one warning per type with its count: 3 sub-assessments
/// (whose `status.code` would otherwise read as assessments of vm1 and vm3), 2 governance
/// assignments, 2 pricings, 1 regulatory compliance standard, 1 alert (whose `Status`
/// is a string, which the assessment reader would refuse). Its `total_records` counts
/// them too, so the result is complete.
#[test]
fn a_mixed_securityresources_dump_scores_its_assessments_and_skips_each_other_type_once() {
    let r = report(&[MIXED, "--fail-under", "0"]);
    assert_close(&r["score"]["percentage"], 28.0 / 3.0 / 24.0 * 100.0);
    assert_close(&r["score"]["current"], 28.0 / 3.0);
    assert_close(&r["score"]["max"], 24.0);
    assert_eq!(r["score"]["resources"], 4);
    assert_eq!(r["gate"]["passed"], true);
    assert_eq!(warning_codes(&r), ["ignored-type"; 5]);
    assert_eq!(
        ignored_types(&r),
        [
            (
                "microsoft.security/assessments/governanceassignments".to_string(),
                2
            ),
            ("microsoft.security/assessments/subassessments".to_string(), 3),
            ("microsoft.security/locations/alerts".to_string(), 1),
            ("microsoft.security/pricings".to_string(), 2),
            ("microsoft.security/regulatorycompliancestandards".to_string(), 1),
        ]
    );
    // Each warning names the file and the first object of its type.
    let subs = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["message"].as_str().unwrap().contains("subassessments"))
        .unwrap();
    assert_eq!(
        (subs["file"].as_str(), subs["path"].as_str()),
        (Some(MIXED), Some("data[1]"))
    );
    // Under --strict the warnings are errors: exit 2, no report.
    let out = run(&["assess", MIXED, "--strict", "-f", "json"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("5 warning(s), each an error under --strict"),
        "{stderr}"
    );
}

/// The same dump in pages: rows of other types count towards `total_records` like any
/// row, whether a page mixes types or holds only skipped ones; a missing page is still
/// an incomplete export; a result of skipped types alone is not checked.
#[test]
fn pages_of_a_mixed_dump_count_the_skipped_rows() {
    let rows = mixed_rows();
    let expected = 28.0 / 3.0 / 24.0 * 100.0;
    // Two mixed pages, the first with a skip token: complete.
    let mut stdin = graph_page(&rows[..9], 18, Some("token"));
    stdin.extend(graph_page(&rows[9..], 18, None));
    let r = report_from_stdin(&stdin, &["--fail-under", "0"], 0);
    assert_close(&r["score"]["percentage"], expected);
    assert_eq!(warning_codes(&r), ["ignored-type"; 5]);
    // The assessments on one page, the other types on the next: complete.
    let (read, skipped): (Vec<Value>, Vec<Value>) = rows
        .iter()
        .cloned()
        .partition(|row| row["type"] == "microsoft.security/assessments");
    assert_eq!((read.len(), skipped.len()), (9, 9));
    let mut stdin = graph_page(&read, 18, Some("token"));
    stdin.extend(graph_page(&skipped, 18, None));
    let r = report_from_stdin(&stdin, &["--fail-under", "0"], 0);
    assert_close(&r["score"]["percentage"], expected);
    assert_eq!(warning_codes(&r), ["ignored-type"; 5]);
    // The first mixed page alone: 9 of 18 rows, incomplete, and the gate fails.
    let r = report_from_stdin(
        &graph_page(&rows[..9], 18, Some("token")),
        &["--fail-under", "0"],
        1,
    );
    assert!(warning_codes(&r).contains(&"incomplete-export".to_string()));
    let incomplete = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "incomplete-export")
        .unwrap();
    assert!(incomplete["message"]
        .as_str()
        .unwrap()
        .contains("Resource Graph returned 9 of 18 records"));
    // A first page of skipped types alone, beside the complete dump: nothing read from
    // it, so its missing pages do not matter.
    let mut stdin = std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(MIXED)).unwrap();
    stdin.extend(graph_page(&skipped[..4], 50, Some("token")));
    let r = report_from_stdin(&stdin, &["--fail-under", "0"], 0);
    assert_close(&r["score"]["percentage"], expected);
    assert!(!warning_codes(&r).contains(&"incomplete-export".to_string()));
}
const MAXIMA_EXPANDED: [&str; 4] = [
    "fixtures/azure/per-scope-maxima-expanded/2020-controls.json",
    "fixtures/azure/per-scope-maxima-expanded/2020-scores.json",
    "fixtures/azure/per-scope-maxima-expanded/2021-controls.json",
    "fixtures/azure/per-scope-maxima-expanded/2021-scores.json",
];

/// The same two exports taken with `$expand=definition`: each control object carries the
/// definition of its day, so the definitions differ too (MFA at 10 and 8, endpoint
/// protection at 2 and 0, system updates with one member fewer in 2020). No assessment
/// scores with a definition, so the score is the one without them, 132600 / 2508, and
/// each control's maxima are said once: two `max-differs` (the exported figures' warning
/// covers the definitions') and one `metadata-differs` for the membership.
#[test]
fn definitions_of_different_days_do_not_stop_count_level_scopes() {
    let r = report(&MAXIMA_EXPANDED);
    assert_close(&r["score"]["percentage"], 132600.0 / 2508.0);
    let mut codes = warning_codes(&r);
    codes.sort();
    assert_eq!(codes, ["max-differs", "max-differs", "metadata-differs"]);
    // Input order does not change the report.
    let mut reversed = MAXIMA_EXPANDED.to_vec();
    reversed.reverse();
    assert_eq!(report(&reversed), r);
}

/// Once an assessment of one of the disagreeing definitions' members is scored, which
/// definition holds matters: an error naming the control, exit 2.
#[test]
fn definitions_of_different_days_are_an_error_once_a_member_is_assessed() {
    let mut args = vec!["assess"];
    args.extend(MAXIMA_EXPANDED);
    args.push("fixtures/azure/mfa-assessment.json");
    let out = run(&args);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: ")
            && stderr.contains(
                "\"Enable MFA\" (34a42fb3-e6db-409c-b56b-7b1db6b8aee0) is defined with max scores 8, 10"
            )
            && stderr.contains("\"94290b00-4d0c-d7b4-7cea-064a9554e681\" is assessed"),
        "{stderr}"
    );
}

/// A number too close to 0 to divide by (a subnormal one) is an input error naming its
/// JSON path, whether it is a control's max or one of Defender's figures.
#[test]
fn subnormal_numbers_in_exports_are_an_error() {
    for (file, path) in [
        (
            "fixtures/azure/subnormal-max.json",
            "value[0].properties.score.max",
        ),
        (
            "fixtures/azure/subnormal-percentage.json",
            "value[0].properties.score.percentage",
        ),
    ] {
        let out = run(&["assess", file]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{path}: number ")) && stderr.contains("is too close to 0"),
            "{stderr}"
        );
    }
}
