//! Complexity of scoring many subscriptions that each meet a control of their own (8,000
//! one-resource subscriptions and 8,000 controls took 3 GB and 9 s when every scope kept
//! an array of every control; 16,000 took 12 GB). The bytes allocated while scoring n
//! subscriptions and n controls, and 2n, are counted by a global allocator that counts
//! on the threads that ask it to: doubling the input about doubles them. Bytes stand for
//! the work too: the quadratic version filled and summed scopes × controls cells.

use securescore::date::Date;
use securescore::model::{Assessment, Control, Model, ModelParts, Recommendation, Status};
use securescore::score::{score, ScoreOptions, ScoringModel, Weighting};

#[path = "common/counting.rs"]
mod counting;

use counting::{bytes_allocated, one_resource_each, subscriptions_of, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `n` subscriptions, each holding one resource assessed (healthy, or unhealthy every
/// third) against the one recommendation of a control of its own.
fn one_control_each(n: usize) -> Model {
    let statuses = [Status::Unhealthy, Status::Healthy, Status::Healthy];
    Model::new(ModelParts {
        controls: (0..n)
            .map(|c| Control {
                id: format!("ctl-{c:06}"),
                name: None,
                description: None,
                max_score: (1 + c % 7) as f64,
                members: vec![c as u32],
            })
            .collect(),
        recommendations: (0..n)
            .map(|r| Recommendation {
                id: format!("rec-{r:06}"),
                ..Recommendation::default()
            })
            .collect(),
        resources: one_resource_each(n),
        resource_scope: (0..n as u32).collect(),
        scopes: subscriptions_of(n),
        assessments: (0..n)
            .map(|s| Assessment::new(s as u32, s as u32, statuses[s % 3], 0))
            .collect(),
        ..ModelParts::default()
    })
}

/// The bytes allocated while scoring `n` subscriptions and `n` controls.
fn scoring_bytes(n: usize) -> u64 {
    let model = one_control_each(n);
    let options = ScoreOptions {
        model: ScoringModel::Classic,
        as_of: Date::from_ymd(2026, 11, 22).expect("a valid date"),
        include_preview: false,
        ignore_exemptions: false,
        weighting: Weighting::Resources,
        allow_exported_weights: true,
    };
    let (result, bytes) = bytes_allocated(|| score(&model, &options, None));
    assert_eq!((result.scopes.len(), result.controls.len()), (n, n));
    // Each subscription is its control at 100% or 0%: 2 in 3 are healthy.
    let healthy = (0..n).filter(|s| s % 3 != 0).count();
    assert_eq!(result.percentage, Some(100.0 * healthy as f64 / n as f64));
    bytes
}

/// Doubling the subscriptions and controls about doubles the bytes (n = 1,000 → 2,000).
/// A full array of counts per scope, 24 bytes × n for each of n scopes, quadrupled them.
#[test]
fn scoring_many_subscriptions_and_controls_grows_linearly() {
    let (small, large) = (scoring_bytes(1_000), scoring_bytes(2_000));
    assert!(
        small >= 1_000 * 24,
        "every scope and control is allocated: {small}"
    );
    assert!(large * 10 < small * 25, "{small} → {large} bytes: not linear");
}
