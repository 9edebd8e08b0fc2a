//! The fuzz targets' checks (`fuzz/src/lib.rs`, README "Fuzzing") on every seed of
//! `fuzz/seeds/<target>/` and every input a campaign once found failing
//! (`fuzz/regressions/<target>/`): the harness stays compiled and working with the library,
//! and each crash found stays a regression test here, without a nightly toolchain.

#[path = "../fuzz/src/lib.rs"]
mod harness;

use std::path::Path;

/// Runs `check` on every file of `fuzz/seeds/<target>` and `fuzz/regressions/<target>`,
/// naming the file that fails; returns how many seeds there were.
fn each_input(target: &str, check: fn(&[u8])) -> usize {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut seeds = 0;
    for kind in ["seeds", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        files.sort();
        for file in files {
            let data = std::fs::read(&file).unwrap();
            let caught = std::panic::catch_unwind(|| check(&data));
            assert!(
                caught.is_ok(),
                "{} fails the {target} target's checks",
                file.display()
            );
            seeds += usize::from(kind == "seeds");
        }
    }
    seeds
}

#[test]
fn native_seeds_and_regressions_pass() {
    assert!(each_input("native", harness::native) >= 40);
}

#[test]
fn fast_native_seeds_and_regressions_pass() {
    assert!(each_input("fast_native", harness::fast_native) >= 10);
}

#[test]
fn azure_seeds_and_regressions_pass() {
    assert!(each_input("azure", harness::azure) >= 40);
}

#[test]
fn render_seeds_and_regressions_pass() {
    assert!(each_input("render", harness::render_all) >= 10);
}

#[test]
fn fast_azure_seeds_and_regressions_pass() {
    assert!(each_input("fast_azure", harness::fast_azure) >= 40);
}

#[test]
fn config_seeds_and_regressions_pass() {
    assert!(each_input("config", harness::config) >= 8);
}
