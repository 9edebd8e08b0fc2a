//! `-o PATH`: the report replaces the file atomically, keeps its permissions, and leaves
//! no temporary file behind.

mod common;

use std::os::unix::fs::PermissionsExt;

#[test]
fn output_file_is_replaced_atomically_with_its_permissions() {
    let dir = std::env::temp_dir().join(format!("securescore-output-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let target = dir.join("report.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o600)).unwrap();
    let status = common::securescore([
        "assess",
        "fixtures/worked-example.json",
        "--as-of",
        "2026-11-22",
        "-f",
        "json",
        "-o",
    ])
    .arg(&target)
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .status()
    .unwrap();
    assert_eq!(status.code(), Some(0));
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).unwrap()).unwrap();
    assert_eq!(written["score"]["percentage"], 98.4);
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "{leftovers:?}");
    std::fs::remove_dir_all(&dir).unwrap();
}
