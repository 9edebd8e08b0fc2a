//! The scoring models of SPEC §7 on a hand-computed inventory where they rank
//! differently: `fixtures/models/v1-vs-classic.json`.
//!
//! One subscription, four VMs (vm1–vm4), evaluated on 2026-11-22. Five recommendations:
//!
//! | id              | severity | points          | in controls                |
//! |-----------------|----------|-----------------|----------------------------|
//! | ports           | high     | 40 (default)    | mgmt-ports                 |
//! | disk-encryption | medium   | 20 (default)    | mgmt-ports, encrypt-data   |
//! | private-links   | low      | 30 (overridden) | encrypt-data               |
//! | mfa             | critical | 50 (default)    | none                       |
//! | endpoint        | medium   | 20 (default)    | mgmt-ports                 |
//!
//! Assessments (H healthy, U unhealthy, - not assessed), after exemptions:
//!
//! | rec             | vm1 | vm2                     | vm3 | vm4                   |
//! |-----------------|-----|-------------------------|-----|-----------------------|
//! | ports           | U   | H                       | H   | H                     |
//! | disk-encryption | H   | U, waiver to 2027 → NA  | U   | H                     |
//! | private-links   | U   | U                       | H   | U, mitigated → H      |
//! | mfa             | U   | H                       | -   | -                     |
//! | endpoint        | H   | H                       | -   | -                     |
//!
//! **classic** (controls; `mfa` is in no control and does not score):
//! - mgmt-ports (max 8; ports, disk-encryption, endpoint): vm1 U (ports), vm2 H (NA
//!   disk-encryption ignored), vm3 U (disk-encryption), vm4 H → H 2, U 2:
//!   current 8 × 2/4 = 4, potential 4.
//! - encrypt-data (max 4; disk-encryption, private-links): vm1 U, vm2 U (private-links),
//!   vm3 U (disk-encryption), vm4 H → H 1, U 3: current 4 × 1/4 = 1, potential 3.
//! - score 5 / 12 = 41.666…%; +Score mgmt-ports 100 × 4/12 = 33.333…, encrypt-data
//!   100 × 3/12 = 25 (sum 58.333… = 100 − 41.666…). Order: mgmt-ports, encrypt-data.
//!
//! **v1** (every counted recommendation, pooled; max = Σ points = 160):
//! - ports: H 3, U 1: 40 × 3/4 = 30, impact 10, +Score 100 × 10/160 = 6.25
//! - disk-encryption: H 2, U 1, NA 1: 20 × 2/3 = 13.333…, impact 6.666…, +Score 4.1666…
//! - private-links: H 2, U 2: 30 × 2/4 = 15, impact 15, +Score 9.375
//! - mfa: H 1, U 1: 50 × 1/2 = 25, impact 25, +Score 15.625
//! - endpoint: H 2, U 0: 20, impact 0, +Score 0
//! - current 30 + 13.333… + 15 + 25 + 20 = 103.333…, percentage 64.5833…%; the +Score
//!   column sums to 35.4166… = 100 − 64.5833….
//! - Order: mfa, private-links, ports, disk-encryption, endpoint. So v1 puts first a
//!   recommendation classic does not score at all, and ranks private-links (classic's
//!   second control) above ports (classic's first).
//!
//! **pass-rate**: endpoint passes (U 0); ports, disk-encryption, private-links and mfa
//! fail: 1 / 5 = 20%; each failing one +Score 100 / 5 = 20 (sum 80 = 100 − 20). Ties
//! broken by fewer unhealthy (private-links has 2, the others 1), then points (1 each
//! under pass-rate), then name: "Disk encryption…" < "MFA…" < "Management ports…" (byte
//! order: `F` < `a`). Order: disk-encryption, mfa, ports, private-links, endpoint.

use securescore::catalog::Catalog;
use securescore::date::Date;
use securescore::diag::Diagnostics;
use securescore::load::source::InputSpec;
use securescore::load::{load, LoadOptions};
use securescore::model::Model;
use securescore::score::recommendations::{self, RecommendationModel, RecommendationScore};
use securescore::score::{rank, score, ScoreOptions, ScoringModel, Weighting};

const FIXTURE: &str = "fixtures/models/v1-vs-classic.json";

fn options() -> ScoreOptions {
    ScoreOptions {
        model: ScoringModel::Classic,
        as_of: Date::parse("2026-11-22").unwrap(),
        include_preview: false,
        ignore_exemptions: false,
        weighting: Weighting::Resources,
        allow_exported_weights: true,
    }
}

fn fixture() -> Model {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(FIXTURE);
    let text = std::fs::read_to_string(path).unwrap();
    let mut diags = Diagnostics::default();
    let inputs = [InputSpec::Text {
        name: FIXTURE.into(),
        text,
    }];
    let model = load(&inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    model
}

fn close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9, "{actual} != {expected}");
}

/// The ids of the ranked rows, in order, with their ranks.
fn order(model: &Model, s: &RecommendationScore) -> Vec<(Option<usize>, String)> {
    recommendations::rank(model, s)
        .into_iter()
        .map(|(n, i)| {
            (
                n,
                model.recommendations[s.rows[i].recommendation as usize]
                    .id
                    .clone(),
            )
        })
        .collect()
}

/// A row's (H, U, NA, points, max, current, potential, +Score) by recommendation id.
fn row(model: &Model, s: &RecommendationScore, id: &str) -> (u64, u64, u64, f64, f64, f64, f64, f64) {
    let r = s
        .rows
        .iter()
        .find(|r| model.recommendations[r.recommendation as usize].id == id)
        .unwrap();
    (
        r.counts.healthy,
        r.counts.unhealthy,
        r.counts.not_applicable,
        r.points,
        r.max,
        r.current,
        r.potential,
        r.potential_percentage,
    )
}

fn assert_row(
    actual: (u64, u64, u64, f64, f64, f64, f64, f64),
    expected: (u64, u64, u64, f64, f64, f64, f64, f64),
) {
    assert_eq!(
        (actual.0, actual.1, actual.2),
        (expected.0, expected.1, expected.2)
    );
    close(actual.3, expected.3);
    close(actual.4, expected.4);
    close(actual.5, expected.5);
    close(actual.6, expected.6);
    close(actual.7, expected.7);
}

#[test]
fn classic_scores_the_controls_as_written_out() {
    let model = fixture();
    let s = score(&model, &options(), None);
    close(s.percentage.unwrap(), 500.0 / 12.0);
    let ids: Vec<&str> = rank(&model, &s)
        .into_iter()
        .map(|(_, i)| model.controls[s.controls[i].control as usize].id.as_str())
        .collect();
    assert_eq!(ids, ["mgmt-ports", "encrypt-data"]);
    let by_id = |id: &str| {
        s.controls
            .iter()
            .find(|c| model.controls[c.control as usize].id == id)
            .unwrap()
    };
    let (ports, data) = (by_id("mgmt-ports"), by_id("encrypt-data"));
    assert_eq!((ports.counts.healthy, ports.counts.unhealthy), (2, 2));
    assert_eq!((data.counts.healthy, data.counts.unhealthy), (1, 3));
    close(ports.current, 4.0);
    close(data.current, 1.0);
    close(ports.potential_percentage, 100.0 * 4.0 / 12.0);
    close(data.potential_percentage, 25.0);
}

#[test]
fn v1_scores_the_recommendations_as_written_out() {
    let model = fixture();
    let s = recommendations::score(RecommendationModel::V1, &model, &options(), None);
    assert_row(row(&model, &s, "ports"), (3, 1, 0, 40.0, 40.0, 30.0, 10.0, 6.25));
    assert_row(
        row(&model, &s, "disk-encryption"),
        (
            2,
            1,
            1,
            20.0,
            20.0,
            40.0 / 3.0,
            20.0 / 3.0,
            100.0 * (20.0 / 3.0) / 160.0,
        ),
    );
    assert_row(
        row(&model, &s, "private-links"),
        (2, 2, 0, 30.0, 30.0, 15.0, 15.0, 9.375),
    );
    assert_row(row(&model, &s, "mfa"), (1, 1, 0, 50.0, 50.0, 25.0, 25.0, 15.625));
    assert_row(row(&model, &s, "endpoint"), (2, 0, 0, 20.0, 20.0, 20.0, 0.0, 0.0));
    close(s.headline.max, 160.0);
    close(s.headline.current, 310.0 / 3.0);
    close(s.headline.percentage.unwrap(), 100.0 * (310.0 / 3.0) / 160.0);
    assert_eq!(
        order(&model, &s),
        [
            (Some(1), "mfa".to_string()),
            (Some(2), "private-links".to_string()),
            (Some(3), "ports".to_string()),
            (Some(4), "disk-encryption".to_string()),
            (Some(5), "endpoint".to_string()),
        ]
    );
    // One subscription: its own v1 score is the overall one.
    assert_eq!(s.scopes.len(), 1);
    assert_eq!(s.scopes[0].headline, s.headline);
}

#[test]
fn pass_rate_scores_the_recommendations_as_written_out() {
    let model = fixture();
    let s = recommendations::score(RecommendationModel::PassRate, &model, &options(), None);
    assert_eq!(s.headline.current, 1.0);
    assert_eq!(s.headline.max, 5.0);
    close(s.headline.percentage.unwrap(), 20.0);
    for id in ["ports", "disk-encryption", "private-links", "mfa"] {
        let r = row(&model, &s, id);
        assert_eq!((r.4, r.5, r.6), (1.0, 0.0, 1.0), "{id}");
        close(r.7, 20.0);
    }
    assert_eq!(row(&model, &s, "endpoint").7, 0.0);
    assert_eq!(
        order(&model, &s),
        [
            (Some(1), "disk-encryption".to_string()),
            (Some(2), "mfa".to_string()),
            (Some(3), "ports".to_string()),
            (Some(4), "private-links".to_string()),
            (Some(5), "endpoint".to_string()),
        ]
    );
}

#[test]
fn without_exemptions_the_waived_and_mitigated_assessments_count_as_given() {
    let model = fixture();
    let opts = ScoreOptions {
        ignore_exemptions: true,
        ..options()
    };
    let s = recommendations::score(RecommendationModel::V1, &model, &opts, None);
    // disk-encryption: vm2 unhealthy again, H 2 U 2; private-links: vm4 unhealthy, H 1 U 3.
    assert_row(
        row(&model, &s, "disk-encryption"),
        (2, 2, 0, 20.0, 20.0, 10.0, 10.0, 6.25),
    );
    assert_row(
        row(&model, &s, "private-links"),
        (1, 3, 0, 30.0, 30.0, 7.5, 22.5, 14.0625),
    );
}

#[test]
fn points_outside_zero_to_fifty_are_an_input_error() {
    // 5e-324 and 1e-320 are subnormal: a row's share of them loses its precision.
    for points in ["0", "-1", "50.5", "1e308", "5e-324", "1e-320"] {
        let text = format!(r#"{{"recommendations": [{{"id": "r", "points": {points}}}]}}"#);
        let mut diags = Diagnostics::default();
        let inputs = [InputSpec::Text {
            name: "points.json".into(),
            text,
        }];
        load(&inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
        assert_eq!(diags.error_count(), 1, "{points}: {:?}", diags.items());
        let message = format!("{:?}", diags.items());
        assert!(message.contains("points"), "{message}");
    }
}

#[test]
fn default_points_follow_the_documented_table() {
    use securescore::model::Severity;
    assert_eq!(recommendations::default_points(Some(Severity::Critical)), 50.0);
    assert_eq!(recommendations::default_points(Some(Severity::High)), 40.0);
    assert_eq!(recommendations::default_points(Some(Severity::Medium)), 20.0);
    assert_eq!(recommendations::default_points(Some(Severity::Low)), 5.0);
    assert_eq!(recommendations::default_points(None), 20.0);
}

/// Two subscriptions: `r` (high, 40 points) on vm1 and vm3 (prod, healthy) and vm2 (dev,
/// unhealthy); `q` (low, 5 points) on vm1 (unhealthy) and vm2 (healthy).
///
/// - overall, pooled: r H 2 U 1 → 40 × 2/3 = 26.666…; q H 1 U 1 → 2.5; 29.166… / 45 =
///   64.814…%
/// - prod alone: r 40 of 40, q 0 of 5 → 40 / 45 = 88.888…%
/// - dev alone: r 0 of 40, q 5 of 5 → 5 / 45 = 11.111…%
///
/// The scopes' points (45) do not add up to the overall ones (29.166…), nor is the
/// overall percentage their mean weighted by resources ((2 × 88.888… + 11.111…) / 3 =
/// 62.962…%). A selection of dev's resources scores as dev's own score.
const TWO_SCOPES: &str = r#"{
  "subscriptions": [{"id": "prod"}, {"id": "dev"}],
  "recommendations": [{"id": "r", "severity": "high"}, {"id": "q", "severity": "low"}],
  "resources": [{"id": "vm1", "subscription": "prod"}, {"id": "vm2", "subscription": "dev"},
                {"id": "vm3", "subscription": "prod"}],
  "assessments": [
    {"resource": "vm1", "recommendation": "r", "status": "healthy"},
    {"resource": "vm3", "recommendation": "r", "status": "healthy"},
    {"resource": "vm2", "recommendation": "r", "status": "unhealthy"},
    {"resource": "vm1", "recommendation": "q", "status": "unhealthy"},
    {"resource": "vm2", "recommendation": "q", "status": "healthy"}
  ]
}"#;

#[test]
fn each_scope_has_its_own_v1_score_and_they_do_not_add_up() {
    let mut diags = Diagnostics::default();
    let inputs = [InputSpec::Text {
        name: "two-scopes.json".into(),
        text: TWO_SCOPES.into(),
    }];
    let model = load(&inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    let s = recommendations::score(RecommendationModel::V1, &model, &options(), None);
    close(s.headline.current, 80.0 / 3.0 + 2.5);
    close(s.headline.max, 45.0);
    close(s.headline.percentage.unwrap(), 100.0 * (80.0 / 3.0 + 2.5) / 45.0);
    let scope = |id: &str| {
        s.scopes
            .iter()
            .find(|sc| model.scopes[sc.scope as usize].id.as_deref() == Some(id))
            .unwrap()
            .headline
    };
    close(scope("prod").percentage.unwrap(), 100.0 * 40.0 / 45.0);
    close(scope("dev").percentage.unwrap(), 100.0 * 5.0 / 45.0);
    // dev's resources alone score as dev's own score.
    let dev = model
        .scopes
        .iter()
        .position(|sc| sc.id.as_deref() == Some("dev"))
        .unwrap();
    let selection = securescore::select::Selection {
        resources: (0..model.resources.len())
            .map(|r| model.resource_scope[r] as usize == dev)
            .collect(),
        scopes: (0..model.scopes.len()).map(|sc| sc == dev).collect(),
    };
    let alone = recommendations::score(RecommendationModel::V1, &model, &options(), Some(&selection));
    assert_eq!(alone.headline, scope("dev"));
    assert_eq!(alone.scopes.len(), 1);
}

#[test]
fn points_overlay_an_azure_export() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let azure = "examples/azure/rest/assessments-contoso-dev.json";
    let mfa = "57e98606-6b1e-6193-0e3d-fe621387c16b";
    let inputs = [
        InputSpec::Text {
            name: azure.into(),
            text: std::fs::read_to_string(root.join(azure)).unwrap(),
        },
        InputSpec::Text {
            name: "points.json".into(),
            text: format!(r#"{{"recommendations": [{{"id": "{mfa}", "points": 12.5}}]}}"#),
        },
    ];
    let mut diags = Diagnostics::default();
    let model = load(&inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    let i = model.recommendations.iter().position(|r| r.id == mfa).unwrap();
    let rec = &model.recommendations[i];
    // The overlay gives the points; the export still names it.
    assert_eq!(rec.points, Some(12.5));
    assert_eq!(
        rec.name.as_deref(),
        Some("MFA should be enabled on accounts with write permissions on subscriptions")
    );
    assert_eq!(recommendations::points(&model, i), 12.5);
    let s = recommendations::score(RecommendationModel::V1, &model, &options(), None);
    let row = s.rows.iter().find(|r| r.recommendation as usize == i).unwrap();
    assert_eq!(row.points, 12.5);
}

/// Ties on +Score go to more points, then the name; a recommendation that applies to no
/// resource comes last, unranked; a preview one is not a row unless asked for.
#[test]
fn v1_ties_go_to_more_points_and_rows_that_do_not_apply_come_last() {
    let text = r#"{
      "recommendations": [
        {"id": "low", "name": "Alpha", "severity": "low"},
        {"id": "high", "name": "Zulu", "severity": "high"},
        {"id": "none", "name": "Applies to nothing", "severity": "critical"},
        {"id": "new", "name": "Preview", "severity": "critical", "preview": true}
      ],
      "assessments": [
        {"resource": "vm1", "recommendation": "low", "status": "healthy"},
        {"resource": "vm1", "recommendation": "high", "status": "healthy"},
        {"resource": "vm1", "recommendation": "none", "status": "not_applicable"},
        {"resource": "vm1", "recommendation": "new", "status": "unhealthy"}
      ]
    }"#;
    let mut diags = Diagnostics::default();
    let inputs = [InputSpec::Text {
        name: "ties.json".into(),
        text: text.into(),
    }];
    let model = load(&inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    let s = recommendations::score(RecommendationModel::V1, &model, &options(), None);
    assert_eq!(
        order(&model, &s),
        [
            (Some(1), "high".to_string()),
            (Some(2), "low".to_string()),
            (None, "none".to_string()),
        ]
    );
    assert_eq!(s.headline.percentage, Some(100.0));
    let with_preview = ScoreOptions {
        include_preview: true,
        ..options()
    };
    let s = recommendations::score(RecommendationModel::V1, &model, &with_preview, None);
    assert_eq!(order(&model, &s)[0], (Some(1), "new".to_string()));
    close(s.headline.percentage.unwrap(), 100.0 * 45.0 / 95.0);
}

/// Runs the program in the repository's folder; (exit code, standard output, standard error).
fn securescore(args: &[&str]) -> (Option<i32>, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_securescore"))
        .args(args)
        .arg("--no-config")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The JSON `assess` writes with `args` on the fixture, evaluated on 2026-11-22.
fn json_of(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["assess", FIXTURE, "--as-of", "2026-11-22", "-f", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = securescore(&all);
    assert_eq!(code, Some(0), "{stderr}");
    serde_json::from_str(&stdout).unwrap()
}

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

/// The v1 report names its model and lists the recommendations as written out at the
/// top of this file, with their points and where those come from, and no controls.
#[test]
fn the_v1_report_lists_ranked_recommendations_with_their_points_and_controls() {
    let r = json_of(&["--model", "v1"]);
    assert_eq!(r["model"], "v1");
    assert!(r.get("controls").is_none(), "{r}");
    close(num(&r["score"]["current"]), 310.0 / 3.0);
    close(num(&r["score"]["max"]), 160.0);
    close(num(&r["score"]["percentage"]), 100.0 * (310.0 / 3.0) / 160.0);
    let rows = r["recommendations"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["mfa", "private-links", "ports", "disk-encryption", "endpoint"]
    );
    let by_id = |id: &str| rows.iter().find(|x| x["id"] == id).unwrap();
    let mfa = by_id("mfa");
    assert_eq!(
        (mfa["rank"].as_u64(), mfa["points_from"].as_str()),
        (Some(1), Some("severity"))
    );
    assert_eq!(mfa["severity"], "critical");
    close(num(&mfa["points"]), 50.0);
    close(num(&mfa["current_score"]), 25.0);
    close(num(&mfa["potential_increase"]), 25.0);
    close(num(&mfa["potential_increase_percentage"]), 15.625);
    close(num(&mfa["points_per_resource"]), 25.0);
    assert_eq!(mfa["controls"], serde_json::json!([]));
    let links = by_id("private-links");
    assert_eq!(links["points_from"], "input");
    close(num(&links["points"]), 30.0);
    let disk = by_id("disk-encryption");
    assert_eq!(
        disk["controls"],
        serde_json::json!(["encrypt-data", "mgmt-ports"])
    );
    assert_eq!(
        (
            disk["healthy_resources"].as_u64(),
            disk["unhealthy_resources"].as_u64(),
            disk["not_applicable_resources"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    // The potential percentages add up to 100 − score.
    let sum: f64 = rows
        .iter()
        .map(|x| num(&x["potential_increase_percentage"]))
        .sum();
    close(sum, 100.0 - num(&r["score"]["percentage"]));
    // mfa is in no control: that warning is classic's only.
    let codes: Vec<&str> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert!(!codes.contains(&"unscored-recommendation"), "{codes:?}");
}

/// Pass-rate has no points: rows carry neither `points` nor `points_from`.
#[test]
fn the_pass_rate_report_counts_passing_recommendations() {
    let r = json_of(&["--model", "pass-rate"]);
    assert_eq!(r["model"], "pass-rate");
    assert_eq!((num(&r["score"]["current"]), num(&r["score"]["max"])), (1.0, 5.0));
    close(num(&r["score"]["percentage"]), 20.0);
    let rows = r["recommendations"].as_array().unwrap();
    let ids: Vec<&str> = rows.iter().map(|x| x["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["disk-encryption", "mfa", "ports", "private-links", "endpoint"]
    );
    assert!(rows
        .iter()
        .all(|x| x.get("points").is_none() && x.get("points_from").is_none()));
    assert!(rows.iter().all(|x| x["points_per_resource"].is_null()));
}

/// The classic report keeps its controls and names its model.
#[test]
fn the_classic_report_names_its_model_and_keeps_its_controls() {
    let r = json_of(&[]);
    assert_eq!(r["model"], "classic");
    assert!(r.get("recommendations").is_none());
    close(num(&r["score"]["percentage"]), 500.0 / 12.0);
    assert_eq!(r["controls"][0]["id"], "mgmt-ports");
}

/// `--model all`: one report per model, classic first, each the report that model alone
/// gives (its warnings its own).
#[test]
fn all_models_side_by_side_are_the_three_reports() {
    let all = json_of(&["--model", "all"]);
    assert_eq!(all["schema"], "securescore.models/v1");
    let reports = all["reports"].as_array().unwrap();
    let models: Vec<&str> = reports.iter().map(|r| r["model"].as_str().unwrap()).collect();
    assert_eq!(models, ["classic", "v1", "pass-rate"]);
    for (report, model) in reports.iter().zip(["classic", "v1", "pass-rate"]) {
        assert_eq!(report, &json_of(&["--model", model]), "{model}");
    }
}

/// v1 under `--group-by subscription`: each group's score is its scope's own (the
/// TWO_SCOPES arithmetic above: prod 88.88…%, dev 11.11…%), lowest first.
#[test]
fn v1_groups_score_each_subscription_on_its_own() {
    let dir = std::env::temp_dir().join(format!("securescore-models-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two-scopes.json");
    std::fs::write(&path, TWO_SCOPES).unwrap();
    let path = path.to_string_lossy().into_owned();
    let (code, stdout, stderr) = securescore(&[
        "assess",
        &path,
        "--model",
        "v1",
        "--group-by",
        "subscription",
        "-f",
        "json",
        "--as-of",
        "2026-11-22",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let groups = r["groups"].as_array().unwrap();
    let got: Vec<(&str, f64)> = groups
        .iter()
        .map(|g| (g["id"].as_str().unwrap(), num(&g["score"]["percentage"])))
        .collect();
    assert_eq!(got.len(), 2);
    assert_eq!((got[0].0, got[1].0), ("dev", "prod"));
    close(got[0].1, 100.0 * 5.0 / 45.0);
    close(got[1].1, 100.0 * 40.0 / 45.0);
    // The report's scope rows are the same scopes' own scores; the overall is the pool.
    let scopes: Vec<f64> = r["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| num(&s["percentage"]))
        .collect();
    assert_eq!(scopes.len(), 2);
    close(num(&r["score"]["percentage"]), 100.0 * (80.0 / 3.0 + 2.5) / 45.0);
    std::fs::remove_dir_all(&dir).ok();
}

/// Scopes scored from exported control counts hold no assessments: v1 cannot score them,
/// and says so.
#[test]
fn count_level_data_under_v1_is_left_out_with_a_warning() {
    let (code, stdout, stderr) = securescore(&[
        "assess",
        "fixtures/azure/rounding.json",
        "--model",
        "v1",
        "-f",
        "json",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(r["score"]["percentage"].is_null(), "{r}");
    assert!(stderr.contains("--model v1 scores recommendations"), "{stderr}");
    assert!(stderr.contains("hold only exported control counts"), "{stderr}");
}

/// Only recommendations assessed in the selection are rows: an Azure export scored with
/// the built-in catalog (hundreds of recommendations) lists those its assessments name.
#[test]
fn only_assessed_recommendations_are_rows() {
    let dir = "examples/azure/rest";
    let mut args = vec!["assess".to_string()];
    let mut files: Vec<String> =
        std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
            .unwrap()
            .map(|e| format!("{dir}/{}", e.unwrap().file_name().to_string_lossy()))
            .collect();
    files.sort();
    args.extend(files);
    args.extend(["--model", "v1", "-f", "json"].map(String::from));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let (code, stdout, stderr) = securescore(&refs);
    assert_eq!(code, Some(0), "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = r["recommendations"].as_array().unwrap();
    assert!(!rows.is_empty());
    for row in rows {
        let assessed: u64 = [
            "healthy_resources",
            "unhealthy_resources",
            "not_applicable_resources",
        ]
        .iter()
        .map(|k| row[*k].as_u64().unwrap())
        .sum();
        assert!(assessed > 0, "{row}");
    }
    // The export names no control membership that v1 would use: no stale-catalog warning.
    assert!(
        !stderr.contains("stale-catalog") && !stderr.contains("control definitions"),
        "{stderr}"
    );
}

/// `points` for an id no input assesses (here the fixture's `mfa` in capitals: ids
/// compare exactly) change nothing, and v1 says so; classic, which has no points, does not.
#[test]
fn points_for_a_recommendation_nothing_assesses_are_a_warning_under_v1() {
    let dir = std::env::temp_dir().join(format!("securescore-points-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let overlay = dir.join("points.json");
    std::fs::write(&overlay, r#"{"recommendations": [{"id": "MFA", "points": 10}]}"#).unwrap();
    let overlay = overlay.to_string_lossy().into_owned();
    let run = |model: &str| {
        securescore(&[
            "assess",
            FIXTURE,
            &overlay,
            "--as-of",
            "2026-11-22",
            "--model",
            model,
        ])
    };
    let (code, _, stderr) = run("v1");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(
        stderr.contains("points are given for recommendation \"MFA\""),
        "{stderr}"
    );
    assert!(stderr.contains("which no input assesses"), "{stderr}");
    let (_, _, classic) = run("classic");
    assert!(!classic.contains("points are given"), "{classic}");
    // The fixture's own mfa keeps its default 50 points: the score is unchanged.
    let (_, stdout, _) = securescore(&[
        "assess",
        FIXTURE,
        &overlay,
        "--as-of",
        "2026-11-22",
        "--model",
        "v1",
        "-f",
        "json",
    ]);
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    close(num(&r["score"]["percentage"]), 100.0 * (310.0 / 3.0) / 160.0);
    std::fs::remove_dir_all(&dir).ok();
}

/// A configuration's `[gate]` is not applied by `--model all` (it compares the models):
/// a warning says so, the run succeeds, and the reports carry no gate.
#[test]
fn all_models_leave_a_configured_gate_unapplied_with_a_warning() {
    let dir = std::env::temp_dir().join(format!("securescore-all-gate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("gate.toml");
    std::fs::write(&config, "[gate]\nfail-under = 99\n").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_securescore"))
        .args([
            "assess",
            FIXTURE,
            "--as-of",
            "2026-11-22",
            "--model",
            "all",
            "-f",
            "json",
            "--config",
        ])
        .arg(&config)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("is not applied with --model all"), "{stderr}");
    let all: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for r in all["reports"].as_array().unwrap() {
        assert!(r.get("gate").is_none(), "{r}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// Under v1 the counts-only subscription is left out, so grouping below subscription
/// level goes ahead on the subscription that has assessments (classic refuses it).
#[test]
fn v1_groups_below_subscriptions_when_one_holds_only_counts() {
    let mut args: Vec<&str> = vec![
        "assess",
        "examples/azure/counts/secure-score-controls-contoso-dev.json",
        "examples/azure/counts/secure-scores-contoso-dev.json",
        "examples/azure/rest/assessments-contoso-prod-page1.json",
        "examples/azure/rest/assessments-contoso-prod-page2.json",
        "--group-by",
        "type",
        "-f",
        "json",
    ];
    let (code, _, stderr) = securescore(&args);
    assert_eq!(code, Some(2), "classic refuses: {stderr}");
    args.extend(["--model", "v1"]);
    let (code, stdout, stderr) = securescore(&args);
    assert_eq!(code, Some(0), "{stderr}");
    let r: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let groups = r["groups"].as_array().unwrap();
    assert!(!groups.is_empty());
    // Every group's resources are prod's, scored from their assessments.
    let total: u64 = groups
        .iter()
        .map(|g| g["score"]["resources"].as_u64().unwrap())
        .sum();
    assert_eq!(total, r["score"]["resources"].as_u64().unwrap());
    assert!(stderr.contains("hold only exported control counts"), "{stderr}");
}
