//! Property tests of the scoring invariants (SPEC §1) over random inventories, with and
//! without count-level scopes whose exported maxima differ (SPEC §3): current + potential
//! = max, 0 ≤ current ≤ max, potential percentages summing to 100 − score, and a report
//! that does not depend on the order of assessments or files. The same for the models
//! whose rows are recommendations, `v1` and `pass-rate` (SPEC §7); and, under every
//! model, `plan`'s projected scores are those of the inventory re-read with its fixes.

use proptest::prelude::*;
use securescore::catalog::Catalog;
use securescore::date::Date;
use securescore::diag::Diagnostics;
use securescore::load::source::InputSpec;
use securescore::load::{load, LoadOptions};
use securescore::model::Model;
use securescore::plan::{plan, Goal};
use securescore::report::{self, ReportInputs};
use securescore::score::recommendations::{self, RecommendationModel, RecommendationScore};
use securescore::score::{score, ScoreOptions, ScoringModel, Weighting};
use securescore::select::Filters;
use serde_json::{json, Value};

#[derive(Clone, Debug)]
struct Inventory {
    controls: Vec<(u8, Vec<usize>)>,
    preview: Vec<bool>,
    assessments: Vec<(usize, usize, u8, u8)>,
}

const RESOURCES: [&str; 7] = [
    "/subscriptions/s1/resourceGroups/a/providers/x/vm1",
    "/subscriptions/s1/resourceGroups/b/providers/x/vm2",
    "/subscriptions/S2/resourceGroups/a/providers/x/vm3",
    "/subscriptions/s2/resourceGroups/a/providers/x/vm4",
    "/subscriptions/s3/resourceGroups/c/providers/x/vm5",
    "arn:aws:ec2:us-east-1:1:instance/i-1",
    "on-prem-host",
];

fn inventory() -> impl Strategy<Value = Inventory> {
    let controls = prop::collection::vec((0u8..=12, prop::collection::vec(0usize..6, 1..4)), 1..6);
    let preview = prop::collection::vec(prop::bool::weighted(0.2), 6);
    let assessments = prop::collection::btree_map((0usize..7, 0usize..6), (0u8..3, 0u8..4), 0..30)
        .prop_map(|m| m.into_iter().map(|((r, c), (s, e))| (r, c, s, e)).collect());
    (controls, preview, assessments).prop_map(|(controls, preview, assessments)| Inventory {
        controls,
        preview,
        assessments,
    })
}

fn assessment_json(&(r, c, s, e): &(usize, usize, u8, u8)) -> Value {
    let status = ["healthy", "unhealthy", "not_applicable"][s as usize];
    let mut a = json!({"resource": RESOURCES[r], "recommendation": format!("rec{c}"), "status": status});
    match e {
        1 => a["exemption"] = json!({"category": "waiver", "expires": "2026-12-31"}),
        2 => a["exemption"] = json!({"category": "mitigated"}),
        3 => a["exemption"] = json!({"category": "waiver", "expires": "2026-01-01"}),
        _ => {}
    }
    a
}

fn definitions(inv: &Inventory) -> Value {
    json!({
        "controls": inv.controls.iter().enumerate().map(|(i, (max, recs))| json!({
            "id": format!("ctl{i}"), "name": format!("Control {}", i % 3),
            "max_score": *max as f64 / 2.0,
            "recommendations": recs.iter().map(|r| format!("rec{r}")).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "recommendations": inv.preview.iter().enumerate().map(|(i, p)| json!({"id": format!("rec{i}"), "preview": p})).collect::<Vec<_>>(),
    })
}

/// The inventory as one document, or as a definitions file plus JSON Lines files holding
/// the assessments in the given order, split at `split`.
fn inputs(inv: &Inventory, order: &[usize], split: Option<usize>) -> Vec<InputSpec> {
    let rows: Vec<Value> = order
        .iter()
        .map(|&i| assessment_json(&inv.assessments[i]))
        .collect();
    match split {
        None => {
            let mut doc = definitions(inv);
            doc["assessments"] = Value::Array(rows);
            vec![InputSpec::Text {
                name: "inventory.json".into(),
                text: doc.to_string(),
            }]
        }
        Some(at) => {
            let at = at.min(rows.len());
            let lines = |name: &str, part: &[Value]| {
                // An empty input is an error, so an empty part is left out.
                (!part.is_empty()).then(|| InputSpec::Text {
                    name: name.into(),
                    text: part.iter().map(|v| v.to_string() + "\n").collect(),
                })
            };
            let defs = InputSpec::Text {
                name: "defs.json".into(),
                text: definitions(inv).to_string(),
            };
            [
                lines("b.jsonl", &rows[at..]),
                Some(defs),
                lines("a.jsonl", &rows[..at]),
            ]
            .into_iter()
            .flatten()
            .collect()
        }
    }
}

fn options(weighting: Weighting) -> ScoreOptions {
    ScoreOptions {
        model: ScoringModel::Classic,
        as_of: Date::parse("2026-11-22").unwrap(),
        include_preview: false,
        ignore_exemptions: false,
        weighting,
        allow_exported_weights: true,
    }
}

fn report_json(inputs: &[InputSpec], weighting: Weighting) -> Value {
    let mut diags = Diagnostics::default();
    let model = load(inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    let opts = options(weighting);
    let s = score(&model, &opts, None);
    let r = report::build(
        &s,
        ReportInputs {
            model: &model,
            options: &opts,
            filters: &Filters::default(),
            raw_percentage: None,
            warnings: Vec::new(),
            gate: None,
            groups: None,
            config: None,
            local_exemptions: None,
        },
    );
    serde_json::to_value(&r).unwrap()
}

const WEIGHTINGS: [Weighting; 3] = [Weighting::Resources, Weighting::Equal, Weighting::Pooled];

/// A report's control figures agree with each other and with the score: current +
/// potential = max, 0 ≤ current ≤ max, potential percentages summing to 100 − score.
fn check_consistent(r: &Value) -> Result<(), TestCaseError> {
    let mut potential_sum = 0.0;
    for c in r["controls"].as_array().unwrap() {
        let max = c["max_score"].as_f64().unwrap();
        let current = c["current_score"].as_f64().unwrap();
        let potential = c["potential_increase"].as_f64().unwrap();
        prop_assert!(
            current >= -1e-12 && current <= max + 1e-9,
            "current {current} outside 0..={max}"
        );
        if c["applicable"] == true && r["score"]["percentage"].is_number() {
            prop_assert!(
                (current + potential - max).abs() < 1e-9,
                "{current} + {potential} != {max}"
            );
        } else if c["applicable"] == false {
            prop_assert_eq!(current, 0.0);
            prop_assert_eq!(potential, 0.0);
        }
        potential_sum += c["potential_increase_percentage"].as_f64().unwrap();
    }
    match r["score"]["percentage"].as_f64() {
        Some(p) => {
            prop_assert!((0.0..=100.0 + 1e-9).contains(&p));
            prop_assert!(
                (potential_sum - (100.0 - p)).abs() < 1e-9,
                "Σ potential {potential_sum} vs 100 - {p}"
            );
        }
        None => prop_assert!(potential_sum.abs() < 1e-12),
    }
    Ok(())
}

/// Count-level subscriptions: per subscription (c1–c3, holding no assessed resource), per control, an exported secure
/// score control object (max in halves, 0 included; healthy, unhealthy and not
/// applicable counts) or none; and whether the subscription exports an ascScore weight.
type Exports = Vec<(Vec<Option<(u8, u8, u8, u8)>>, Option<u8>)>;

fn exports() -> impl Strategy<Value = Exports> {
    let object = prop::option::weighted(0.8, (0u8..=12, 0u8..4, 0u8..4, 0u8..3));
    prop::collection::vec((prop::collection::vec(object, 5), prop::option::of(0u8..6)), 1..4)
}

/// The exports as one `az rest` listing of secure score controls and one of secure scores.
fn exports_json(exports: &Exports, controls: usize) -> Vec<InputSpec> {
    let mut objects = Vec::new();
    let mut scores = Vec::new();
    for (s, (per_control, weight)) in exports.iter().enumerate() {
        let sub = format!(
            "/subscriptions/c{}/providers/Microsoft.Security/secureScores/ascScore",
            s + 1
        );
        for (c, object) in per_control.iter().take(controls).enumerate() {
            if let Some((max, h, u, na)) = object {
                objects.push(json!({
                    "id": format!("{sub}/secureScoreControls/ctl{c}"), "name": format!("ctl{c}"),
                    "type": "Microsoft.Security/secureScores/secureScoreControls",
                    "properties": {"healthyResourceCount": h, "unhealthyResourceCount": u,
                                   "notApplicableResourceCount": na, "score": {"max": *max as f64 / 2.0}},
                }));
            }
        }
        if let Some(w) = weight {
            scores.push(
                json!({"id": sub, "name": "ascScore", "type": "Microsoft.Security/secureScores",
                               "properties": {"weight": w}}),
            );
        }
    }
    [("controls.json", objects), ("scores.json", scores)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(name, v)| InputSpec::Text {
            name: name.into(),
            text: json!({ "value": v }).to_string(),
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn control_figures_are_consistent(inv in inventory()) {
        let order: Vec<usize> = (0..inv.assessments.len()).collect();
        for weighting in WEIGHTINGS {
            check_consistent(&report_json(&inputs(&inv, &order, None), weighting))?;
        }
    }

    /// The same invariants when count-level scopes score with their own exported maxima,
    /// which differ from each other and from the definitions of the scopes scored from
    /// assessments beside them.
    #[test]
    fn control_figures_are_consistent_under_differing_maxima(inv in inventory(), exports in exports()) {
        let order: Vec<usize> = (0..inv.assessments.len()).collect();
        let mut all = inputs(&inv, &order, None);
        all.extend(exports_json(&exports, inv.controls.len()));
        for weighting in WEIGHTINGS {
            let r = report_json(&all, weighting);
            check_consistent(&r)?;
            // A mean of the maxima where it applies: never above the largest of them.
            for c in r["controls"].as_array().unwrap() {
                let i: usize = c["id"].as_str().unwrap()["ctl".len()..].parse().unwrap();
                let largest = exports
                    .iter()
                    .filter_map(|(objects, _)| objects.get(i).copied().flatten().map(|o| o.0))
                    .chain([inv.controls[i].0])
                    .max()
                    .unwrap_or(0) as f64 / 2.0;
                let max = c["max_score"].as_f64().unwrap();
                prop_assert!(max <= largest + 1e-9, "{}: max {max} above {largest}", c["id"]);
            }
        }
    }

    #[test]
    fn report_does_not_depend_on_input_order(inv in inventory(), seed in any::<u64>(), split in 0usize..30) {
        let n = inv.assessments.len();
        let order: Vec<usize> = (0..n).collect();
        // A deterministic shuffle from the seed.
        let mut shuffled = order.clone();
        let mut x = seed | 1;
        for i in (1..n).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        for weighting in WEIGHTINGS {
            let one = report_json(&inputs(&inv, &order, None), weighting);
            let many = report_json(&inputs(&inv, &shuffled, Some(split)), weighting);
            prop_assert_eq!(one.to_string(), many.to_string());
        }
    }
}

/// Per recommendation (rec0–rec5): a severity (or none) and `points` (or none), in halves.
type RecommendationMeta = Vec<(Option<u8>, Option<u8>)>;

fn recommendation_meta() -> impl Strategy<Value = RecommendationMeta> {
    prop::collection::vec(
        (prop::option::of(0u8..4), prop::option::weighted(0.4, 1u8..=100)),
        6,
    )
}

/// `inputs` with each recommendation's severity and points added to its definition.
fn with_meta(inputs: Vec<InputSpec>, meta: &RecommendationMeta) -> Vec<InputSpec> {
    inputs
        .into_iter()
        .map(|spec| match spec {
            InputSpec::Text { name, text } if name == "inventory.json" || name == "defs.json" => {
                let mut doc: Value = serde_json::from_str(&text).unwrap();
                for (i, rec) in doc["recommendations"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .enumerate()
                {
                    let (severity, points) = meta[i];
                    if let Some(s) = severity {
                        rec["severity"] = json!(["low", "medium", "high", "critical"][s as usize]);
                    }
                    if let Some(p) = points {
                        rec["points"] = json!(p as f64 / 2.0);
                    }
                }
                InputSpec::Text {
                    name,
                    text: doc.to_string(),
                }
            }
            other => other,
        })
        .collect()
}

const RECOMMENDATION_MODELS: [RecommendationModel; 2] =
    [RecommendationModel::V1, RecommendationModel::PassRate];

fn load_model(inputs: &[InputSpec]) -> Model {
    let mut diags = Diagnostics::default();
    let model = load(inputs, &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    model
}

/// A recommendation model's rows agree with each other and with the score: current +
/// potential = max, 0 ≤ current ≤ max, potential percentages summing to 100 − score (each
/// `100 / (passed + failed)` under pass-rate), and every scope's own score within 0–100.
fn check_rows(s: &RecommendationScore) -> Result<(), TestCaseError> {
    let mut potential_sum = 0.0;
    let tested = s.rows.iter().filter(|r| r.applicable).count() as f64;
    for r in &s.rows {
        prop_assert!(r.points > 0.0 && r.points <= 50.0, "points {}", r.points);
        prop_assert!(
            r.current >= 0.0 && r.current <= r.max + 1e-9,
            "current {} outside 0..={}",
            r.current,
            r.max
        );
        prop_assert!((r.current + r.potential - r.max).abs() < 1e-9);
        if r.applicable {
            prop_assert_eq!(r.max, r.points);
        } else {
            prop_assert_eq!(
                (r.max, r.current, r.potential, r.potential_percentage),
                (0.0, 0.0, 0.0, 0.0)
            );
        }
        if s.model == RecommendationModel::PassRate && r.counts.unhealthy > 0 {
            prop_assert!((r.potential_percentage - 100.0 / tested).abs() < 1e-9);
        }
        potential_sum += r.potential_percentage;
    }
    match s.headline.percentage {
        Some(p) => {
            prop_assert!((0.0..=100.0 + 1e-9).contains(&p));
            prop_assert!(
                (potential_sum - (100.0 - p)).abs() < 1e-9,
                "Σ potential {potential_sum} vs 100 - {p}"
            );
        }
        None => prop_assert!(potential_sum == 0.0 && s.headline.max == 0.0),
    }
    for scope in &s.scopes {
        if let Some(p) = scope.headline.percentage {
            prop_assert!((0.0..=100.0 + 1e-9).contains(&p), "scope {p}");
        }
    }
    Ok(())
}

/// What a recommendation model's score says, named by ids rather than indexes: the
/// headline, the ranked rows and each scope's own score, every number to the bit.
fn shown(model: &Model, s: &RecommendationScore) -> String {
    let rows: Vec<String> = recommendations::rank(model, s)
        .into_iter()
        .map(|(rank, i)| {
            let r = &s.rows[i];
            format!(
                "{rank:?} {} {:?} {:?} {:?} {:?} {:?} {:?}",
                model.recommendations[r.recommendation as usize].id,
                r.counts,
                r.points,
                r.max,
                r.current,
                r.potential,
                r.potential_percentage
            )
        })
        .collect();
    let scopes: Vec<String> = s
        .scopes
        .iter()
        .map(|sc| format!("{} {:?}", model.scopes[sc.scope as usize].label(), sc.headline))
        .collect();
    format!("{:?}\n{}\n{}", s.headline, rows.join("\n"), scopes.join("\n"))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn recommendation_rows_are_consistent(inv in inventory(), meta in recommendation_meta(), preview in any::<bool>()) {
        let order: Vec<usize> = (0..inv.assessments.len()).collect();
        let model = load_model(&with_meta(inputs(&inv, &order, None), &meta));
        let opts = ScoreOptions { include_preview: preview, ..options(Weighting::Resources) };
        for which in RECOMMENDATION_MODELS {
            check_rows(&recommendations::score(which, &model, &opts, None))?;
        }
    }

    #[test]
    fn recommendation_scores_do_not_depend_on_input_order(
        inv in inventory(),
        meta in recommendation_meta(),
        seed in any::<u64>(),
        split in 0usize..30,
    ) {
        let n = inv.assessments.len();
        let order: Vec<usize> = (0..n).collect();
        let mut shuffled = order.clone();
        let mut x = seed | 1;
        for i in (1..n).rev() {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            shuffled.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let one = load_model(&with_meta(inputs(&inv, &order, None), &meta));
        let many = load_model(&with_meta(inputs(&inv, &shuffled, Some(split)), &meta));
        let opts = options(Weighting::Resources);
        for which in RECOMMENDATION_MODELS {
            prop_assert_eq!(
                shown(&one, &recommendations::score(which, &one, &opts, None)),
                shown(&many, &recommendations::score(which, &many, &opts, None))
            );
        }
    }
}

/// The selection of exactly a group's members and whole scopes.
fn group_selection(model: &Model, g: &securescore::groups::Group) -> securescore::select::Selection {
    let mut resources = vec![false; model.resources.len()];
    for &m in &g.members {
        resources[m as usize] = true;
    }
    let mut scopes = vec![false; model.scopes.len()];
    for &s in &g.scopes {
        scopes[s as usize] = true;
    }
    for &m in &g.members {
        scopes[model.resource_scope[m as usize] as usize] = true;
    }
    securescore::select::Selection { resources, scopes }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Under v1 and pass-rate a group's figures, read from its members alone, are those of
    /// scoring a selection of exactly its members (SPEC §1.3), grouped by subscription or
    /// by type; and the `Score` every command reads agrees with the recommendation rows.
    #[test]
    fn recommendation_model_groups_score_as_their_selection(inv in inventory(), meta in recommendation_meta()) {
        let order: Vec<usize> = (0..inv.assessments.len()).collect();
        let model = load_model(&with_meta(inputs(&inv, &order, None), &meta));
        for which in [ScoringModel::V1, ScoringModel::PassRate] {
            let opts = ScoreOptions { model: which, ..options(Weighting::Resources) };
            let whole = score(&model, &opts, None);
            let rows = whole.by_recommendation.as_ref().unwrap();
            prop_assert_eq!(whole.percentage, rows.headline.percentage);
            prop_assert!(whole.controls.is_empty());
            for by in [securescore::groups::GroupBy::Subscription, securescore::groups::GroupBy::Type] {
                let groups = securescore::groups::groups(&model, &by, None).unwrap();
                let overall = which.arithmetic().score_groups(&model, &opts, &groups);
                for (g, o) in groups.iter().zip(&overall) {
                    let alone = score(&model, &opts, Some(&group_selection(&model, g))).overall();
                    prop_assert_eq!(o.percentage, alone.percentage, "{:?} {:?}", which, g.id);
                    prop_assert_eq!(o.current, alone.current);
                    prop_assert_eq!(o.max, alone.max);
                    prop_assert_eq!(o.resources, alone.resources);
                }
            }
        }
    }
}

/// Unhealthy after exemptions on 2026-11-22 ([`assessment_json`]'s kinds): no
/// exemption, or the waiver that ended on 2026-01-01.
fn unhealthy_after_exemptions(status: u8, exemption: u8) -> bool {
    status == 1 && (exemption == 0 || exemption == 3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(100))]

    /// Under each model, the plan to 100%: after each step, its projected percentage is
    /// the score of the inventory re-read with the fixes of every step so far applied to
    /// the assessments as written (to the last bit: the plan heals its score in the
    /// order a full score sums), every gain is positive, and the projection rises.
    #[test]
    fn plan_projections_are_the_re_scored_inventory_under_each_model(
        inv in inventory(),
        meta in recommendation_meta(),
        preview in any::<bool>(),
    ) {
        let order: Vec<usize> = (0..inv.assessments.len()).collect();
        for model in ScoringModel::ALL {
            let opts = ScoreOptions { model, include_preview: preview, ..options(Weighting::Resources) };
            let mut planned = load_model(&with_meta(inputs(&inv, &order, None), &meta));
            let p = plan(&mut planned, &opts, None, Goal::Target(100.0));
            let mut fixed = inv.clone();
            let mut last = p.start_percentage;
            for step in &p.steps {
                for a in fixed.assessments.iter_mut() {
                    let (r, c, s, e) = *a;
                    if step.recommendations.contains(&format!("rec{c}"))
                        && step.resources.iter().any(|id| id == RESOURCES[r])
                        && unhealthy_after_exemptions(s, e)
                    {
                        a.2 = 0;
                    }
                }
                let rescored = score(&load_model(&with_meta(inputs(&fixed, &order, None), &meta)), &opts, None);
                prop_assert_eq!(
                    rescored.percentage, step.projected_percentage,
                    "{} step {}", model.as_str(), step.step
                );
                prop_assert!(step.gain_percentage > 0.0, "{} step {}: gain {}", model.as_str(), step.step, step.gain_percentage);
                prop_assert!(
                    step.projected_percentage > last,
                    "{} step {}: {:?} after {:?}", model.as_str(), step.step, step.projected_percentage, last
                );
                if model.ranks_recommendations() {
                    prop_assert_eq!(&step.control, &None, "one recommendation a step");
                    prop_assert_eq!(step.recommendations.len(), 1);
                }
                last = step.projected_percentage;
            }
            // Every failing assessment can be fixed, so a defined score reaches 100%.
            if p.start_percentage.is_some() {
                prop_assert_eq!(p.reached, Some(true), "{}", model.as_str());
            }
        }
    }
}
