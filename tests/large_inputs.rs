//! Inputs large enough to expose work that grows faster than the input: a control naming
//! many recommendations and a megabyte name. These end-to-end runs show the outputs stay
//! right; the linear-growth checks themselves are the unit tests
//! `de_duplicating_members_grows_linearly` and `a_long_cell_is_laid_out_in_bounded_work`.

mod common;

use serde_json::{json, Value};

/// Control c1, named by a 1,000,000-character name, with `members` recommendations r0…
/// (each named twice), of which only r1 is assessed, healthy.
fn inventory(members: usize) -> String {
    let recs: Vec<String> = (0..members).chain(0..members).map(|i| format!("r{i}")).collect();
    json!({
        "controls": [{"id": "c1", "name": "N".repeat(1_000_000), "max_score": 10, "recommendations": recs}],
        "assessments": [{"resource": "res-a", "recommendation": "r1", "status": "healthy"}]
    })
    .to_string()
}

#[test]
fn a_control_with_many_members_and_a_megabyte_name_is_scored_and_shown() {
    let dir = std::env::temp_dir().join(format!("securescore-large-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("large.json");
    std::fs::write(&path, inventory(50_000)).unwrap();
    let file = path.to_str().unwrap();

    let table = common::run(&["assess", file]);
    common::assert_exit(&table, 0);
    let text = String::from_utf8(table.stdout).unwrap();
    // The name is cut to 400 characters and an ellipsis: ten lines of 40 in the column.
    assert_eq!(text.matches('N').count(), 400, "{text}");
    assert!(text.contains("N\n") && text.contains('…'), "{text}");

    let json_run = common::run(&["assess", file, "-f", "json"]);
    common::assert_exit(&json_run, 0);
    let report: Value = serde_json::from_slice(&json_run.stdout).unwrap();
    let c1 = common::control(&report, "c1");
    // JSON keeps the name whole; one healthy resource of 10 points is 100%.
    assert_eq!(c1["name"].as_str().map(str::len), Some(1_000_000));
    common::assert_close(&report["score"]["percentage"], 100.0);

    let validate = common::run(&["validate", file]);
    common::assert_exit(&validate, 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
