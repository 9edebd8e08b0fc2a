//! Complexity of `assess --group-by` (64k one-resource subscriptions took 3 GB and 14 s
//! when each group was scored over the whole model). The bytes allocated while grouping
//! n subscriptions, and 2n, are counted exactly by a global allocator that counts on the
//! threads that ask it to: doubling the input about doubles them. Bytes stand for the work
//! too: the quadratic version spent its time clearing per-group arrays as long as the
//! model's scopes and recommendations.

use securescore::date::Date;
use securescore::diag::Diagnostics;
use securescore::evaluation::{evaluate, ScoringRequest};
use securescore::groups::GroupBy;
use securescore::model::{Assessment, Control, Model, ModelParts, Recommendation, Status};

#[path = "common/counting.rs"]
mod counting;

use counting::{bytes_allocated, one_resource_each, subscriptions_of, Counting};

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// `n` subscriptions, each holding one resource assessed against 3 of 12
/// recommendations in 6 controls (as `bench/gen_groups.py` makes them).
fn subscriptions(n: usize) -> Model {
    let controls = (0..6)
        .map(|c| Control {
            id: format!("ctl-{c}"),
            name: None,
            description: None,
            max_score: (1 + c) as f64,
            members: vec![c as u32, c as u32 + 6],
        })
        .collect();
    let statuses = [Status::Healthy, Status::Unhealthy, Status::NotApplicable];
    let mut assessments = Vec::new();
    for s in 0..n {
        let mut recs: Vec<u32> = (0..3).map(|j| ((s + j * 7) % 12) as u32).collect();
        recs.sort_unstable();
        for (j, rec) in recs.into_iter().enumerate() {
            assessments.push(Assessment::new(s as u32, rec, statuses[(s + j) % 3], 0));
        }
    }
    Model::new(ModelParts {
        controls,
        recommendations: (0..12)
            .map(|r| Recommendation {
                id: format!("rec-{r:02}"),
                ..Recommendation::default()
            })
            .collect(),
        resources: one_resource_each(n),
        resource_scope: (0..n as u32).collect(),
        scopes: subscriptions_of(n),
        assessments,
        ..ModelParts::default()
    })
}

/// The bytes allocated while scoring `n` subscriptions grouped by subscription.
fn grouping_bytes(n: usize) -> u64 {
    let model = subscriptions(n);
    let request = ScoringRequest {
        as_of: Date::from_ymd(2026, 11, 22),
        ..ScoringRequest::default()
    };
    let evaluation = evaluate(&model, &request, &mut Diagnostics::default()).unwrap();
    let (groups, bytes) = bytes_allocated(|| evaluation.group_scores(&model, &GroupBy::Subscription));
    assert_eq!(groups.map(|g| g.len()), Ok(n), "one group per subscription");
    bytes
}

/// Doubling the subscriptions about doubles the bytes (n = 1,000 → 2,000): each group
/// costs what its members do. Scoring each group over the whole model allocated arrays
/// of every scope for every group, about 20 bytes × n per group, and quadrupled them.
#[test]
fn grouping_many_subscriptions_grows_linearly() {
    let (small, large) = (grouping_bytes(1_000), grouping_bytes(2_000));
    assert!(small >= 1_000 * 16, "every group is allocated: {small}");
    assert!(large * 10 < small * 25, "{small} → {large} bytes: not linear");
}
