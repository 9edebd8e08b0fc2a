//! Property tests of the triage commands over random inventories (issue 4):
//! - a plan's projected score after every step is what scoring the inventory with those
//!   fixes applied gives, and `--target 100` reaches 100% whenever the score is defined;
//! - a diff's waterfall steps add up to the total change, and an inventory diffed with
//!   itself shows no change at all.

use proptest::prelude::*;
use securescore::catalog::Catalog;
use securescore::date::Date;
use securescore::diag::Diagnostics;
use securescore::diff::diff;
use securescore::load::source::InputSpec;
use securescore::load::{load, LoadOptions};
use securescore::model::Model;
use securescore::plan::{plan, Goal};
use securescore::score::{score, ScoreOptions, ScoringModel, Weighting};
use securescore::select::Filters;
use serde_json::{json, Value};

const RESOURCES: [&str; 6] = [
    "/subscriptions/s1/resourceGroups/a/providers/x/vm1",
    "/subscriptions/s1/resourceGroups/b/providers/x/vm2",
    "/subscriptions/s2/resourceGroups/a/providers/x/vm3",
    "/subscriptions/s2/resourceGroups/a/providers/x/vm4",
    "arn:aws:ec2:us-east-1:1:instance/i-1",
    "on-prem-host",
];

/// Controls (max in halves, member recommendations), preview flags, and assessments
/// (resource, recommendation, status, exemption kind).
type Inventory = (Vec<(u8, Vec<usize>)>, Vec<bool>, Vec<(usize, usize, u8, u8)>);

fn inventory() -> impl Strategy<Value = Inventory> {
    (
        prop::collection::vec((0u8..=12, prop::collection::vec(0usize..5, 1..4)), 1..5),
        prop::collection::vec(prop::bool::weighted(0.2), 5),
        prop::collection::btree_map((0usize..6, 0usize..5), (0u8..3, 0u8..4), 0..24)
            .prop_map(|m| m.into_iter().map(|((r, c), (s, e))| (r, c, s, e)).collect()),
    )
}

fn status_name(s: u8) -> &'static str {
    ["healthy", "unhealthy", "not_applicable"][s as usize]
}

fn document(inv: &Inventory) -> Value {
    let (controls, preview, assessments) = inv;
    json!({
        "controls": controls.iter().enumerate().map(|(i, (max, recs))| json!({
            "id": format!("ctl{i}"), "max_score": *max as f64 / 2.0,
            "recommendations": recs.iter().map(|r| format!("rec{r}")).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "recommendations": preview.iter().enumerate()
            .map(|(i, p)| json!({"id": format!("rec{i}"), "preview": p})).collect::<Vec<_>>(),
        "assessments": assessments.iter().map(|&(r, c, s, e)| {
            let mut a = json!({"resource": RESOURCES[r], "recommendation": format!("rec{c}"), "status": status_name(s)});
            match e {
                1 => a["exemption"] = json!({"category": "waiver", "expires": "2026-12-31"}),
                2 => a["exemption"] = json!({"category": "mitigated"}),
                3 => a["exemption"] = json!({"category": "waiver", "expires": "2026-01-01"}),
                _ => {}
            }
            a
        }).collect::<Vec<_>>(),
    })
}

fn model_of(doc: &Value) -> Model {
    let mut diags = Diagnostics::default();
    let input = InputSpec::Text {
        name: "inventory.json".into(),
        text: doc.to_string(),
    };
    let model = load(&[input], &Catalog::empty(), &LoadOptions::default(), &mut diags);
    assert_eq!(diags.error_count(), 0, "{:?}", diags.items());
    model
}

fn options() -> ScoreOptions {
    weighted(0)
}

/// The options under the `w`-th weighting (resources, equal, pooled).
fn weighted(w: usize) -> ScoreOptions {
    ScoreOptions {
        model: ScoringModel::Classic,
        as_of: Date::parse("2026-11-22").unwrap(),
        include_preview: false,
        ignore_exemptions: false,
        weighting: [Weighting::Resources, Weighting::Equal, Weighting::Pooled][w % 3],
        allow_exported_weights: true,
    }
}

/// Unhealthy after exemptions on 2026-11-22: no exemption, or the expired waiver.
fn unhealthy_after_exemptions(s: u8, e: u8) -> bool {
    s == 1 && (e == 0 || e == 3)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    #[test]
    fn plan_projections_are_what_assess_gives_with_the_fixes_applied(inv in inventory(), w in 0usize..3) {
        let doc = document(&inv);
        let mut model = model_of(&doc);
        let opts = weighted(w);
        let p = plan(&mut model, &opts, None, Goal::Target(100.0));
        let mut fixed = inv.clone();
        for step in &p.steps {
            // Apply the step to the inventory itself, as a user would.
            for a in fixed.2.iter_mut() {
                let (r, c, s, e) = *a;
                if step.recommendations.contains(&format!("rec{c}"))
                    && step.resources.iter().any(|id| id == RESOURCES[r])
                    && unhealthy_after_exemptions(s, e)
                {
                    a.2 = 0;
                }
            }
            let rescored = score(&model_of(&document(&fixed)), &opts, None).percentage;
            match (rescored, step.projected_percentage) {
                (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-9, "step {}: {x} vs {y}", step.step),
                (x, y) => prop_assert_eq!(x, y),
            }
            prop_assert!(step.gain_percentage > 0.0);
        }
        // Every unhealthy assessment is fixable, so a defined score reaches 100%.
        if p.start_percentage.is_some() {
            prop_assert_eq!(p.reached, Some(true));
            let last = p.steps.last().map_or(p.start_percentage, |s| s.projected_percentage);
            prop_assert!((last.unwrap() - 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn diff_waterfall_adds_up_to_the_total_change(before in inventory(), after in inventory(), w in 0usize..3) {
        let opts = weighted(w);
        let d = diff(&model_of(&document(&before)), &model_of(&document(&after)), &opts, opts.as_of, &Filters::default()).unwrap();
        prop_assert_eq!(d.waterfall.len(), 6);
        // Added in order, the steps give the total exactly.
        let sum: f64 = d.waterfall.iter().map(|s| s.change).sum();
        prop_assert_eq!(sum, d.change);
        let expected = d.after.percentage.unwrap_or(0.0) - d.before.percentage.unwrap_or(0.0);
        prop_assert!((d.change - expected).abs() < 1e-9, "change {} vs after - before {expected}", d.change);
        // The last state is AFTER itself.
        let after_score = score(&model_of(&document(&after)), &opts, None).percentage;
        match (after_score, d.after.percentage) {
            (Some(x), Some(y)) => prop_assert!((x - y).abs() < 1e-9),
            (x, y) => prop_assert_eq!(x, y),
        }
    }

    #[test]
    fn an_inventory_diffed_with_itself_is_empty(inv in inventory()) {
        let model = model_of(&document(&inv));
        let d = diff(&model, &model_of(&document(&inv)), &options(), options().as_of, &Filters::default()).unwrap();
        prop_assert_eq!(d.change, 0.0);
        for step in &d.waterfall {
            prop_assert_eq!(step.change, 0.0, "{}", step.cause);
            prop_assert!(step.resources.is_empty(), "{}: {:?}", step.cause, step.resources);
        }
        for c in d.rows() {
            prop_assert_eq!(c.change, 0.0);
        }
    }
}
