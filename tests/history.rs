//! The score history (`assess --record`, `trend`): concurrent appends, a crash in the
//! middle of an append, and lines from older and newer versions.

mod common;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

fn securescore(args: &[&str]) -> Output {
    common::securescore(args).output().unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("securescore-history-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("history.jsonl");
    let _ = std::fs::remove_file(&file);
    file
}

fn record(history: &Path, label: &str) -> Output {
    securescore(&[
        "assess",
        "fixtures/worked-example.json",
        "--as-of",
        "2026-11-22",
        "--record",
        history.to_str().unwrap(),
        "--label",
        label,
        "-q",
    ])
}

/// Every line of the file, parsed (`None` for a line that is not JSON).
fn lines(history: &Path) -> Vec<Option<Value>> {
    std::fs::read_to_string(history)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[test]
fn eight_processes_appending_at_once_lose_no_line() {
    let history = scratch("concurrent");
    let writers: Vec<_> = (0..8)
        .map(|w| {
            let history = history.clone();
            std::thread::spawn(move || {
                for i in 0..100 {
                    let out = record(&history, &format!("w{w}-{i}"));
                    common::assert_exit(&out, 0);
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let all = lines(&history);
    assert_eq!(all.len(), 800);
    let mut labels: Vec<String> = all
        .iter()
        .map(|l| {
            let l = l.as_ref().expect("every line is a whole snapshot");
            assert_eq!(l["schema"], "securescore.snapshot/v1");
            l["label"].as_str().unwrap().to_string()
        })
        .collect();
    labels.sort();
    labels.dedup();
    assert_eq!(labels.len(), 800, "every append is there once");
}

/// A crash in the middle of an append leaves a torn last line: it is skipped with a
/// warning naming its line, every earlier snapshot still reads, and the next append
/// starts on a fresh line.
#[test]
fn a_torn_line_from_a_crash_is_skipped_and_the_next_append_starts_fresh() {
    let history = scratch("torn");
    for i in 0..3 {
        assert_eq!(record(&history, &format!("run{i}")).status.code(), Some(0));
    }
    // What a process killed in the middle of its write leaves behind.
    let whole = std::fs::read_to_string(&history).unwrap();
    let first = whole.lines().next().unwrap();
    let mut torn = whole.clone();
    torn.push_str(&first[..first.len() / 2]);
    std::fs::write(&history, torn).unwrap();
    assert_eq!(record(&history, "after-crash").status.code(), Some(0));
    let all = lines(&history);
    assert_eq!(all.len(), 5);
    assert!(all[3].is_none(), "the torn line stays as it was");
    assert_eq!(all[4].as_ref().unwrap()["label"], "after-crash");
    let out = securescore(&["trend", history.to_str().unwrap(), "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["runs"].as_array().unwrap().len(), 4);
    assert_eq!(t["skipped"], serde_json::json!([4]));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 4 is not a valid snapshot"));
}

/// A process killed in the middle of its append: here, while it waits for the lock
/// another writer holds. Nothing of it reaches the file, every earlier snapshot stays, and
/// the next append works. (A write cut short leaves a torn line: see the test above.)
#[test]
fn a_process_killed_while_appending_loses_no_earlier_snapshot() {
    let history = scratch("killed");
    for i in 0..3 {
        assert_eq!(record(&history, &format!("kept{i}")).status.code(), Some(0));
    }
    let holder = std::fs::OpenOptions::new().append(true).open(&history).unwrap();
    holder.lock().unwrap();
    let mut child = common::securescore([
        "assess",
        "fixtures/worked-example.json",
        "--record",
        history.to_str().unwrap(),
        "--label",
        "killed",
        "-q",
    ])
    .current_dir(env!("CARGO_MANIFEST_DIR"))
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    // Scoring takes milliseconds; then the process waits for the lock, which the kernel
    // lists in /proc/locks as a blocked request (`->`) of its pid.
    let pid = child.id().to_string();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let locks = std::fs::read_to_string("/proc/locks").unwrap_or_default();
        let waiting = locks
            .lines()
            .any(|l| l.contains("->") && l.split_whitespace().any(|w| w == pid));
        if waiting {
            break;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the writer ended instead of waiting for the lock"
        );
        assert!(
            std::time::Instant::now() < deadline,
            "the writer never waited for the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    drop(holder);
    let all = lines(&history);
    assert_eq!(all.len(), 3);
    let labels: Vec<&str> = all
        .iter()
        .map(|l| l.as_ref().unwrap()["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["kept0", "kept1", "kept2"]);
    assert_eq!(record(&history, "next").status.code(), Some(0));
    assert_eq!(lines(&history).len(), 4);
    let out = securescore(&["trend", history.to_str().unwrap(), "-f", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}

/// A run that fails records nothing, so a retried job does not record twice.
#[test]
fn a_failed_run_records_nothing() {
    let history = scratch("failed");
    let h = history.to_str().unwrap();
    let out = securescore(&["assess", "fixtures/errors/malformed.json", "--record", h, "-q"]);
    assert_eq!(out.status.code(), Some(2));
    let out = securescore(&[
        "assess",
        "fixtures/worked-example.json",
        "--record",
        h,
        "-o",
        "/nonexistent-directory/report.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!history.exists());
    // A failed gate is still a score: it is recorded.
    let out = securescore(&[
        "assess",
        "fixtures/worked-example.json",
        "--record",
        h,
        "--fail-under",
        "99",
        "-q",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(lines(&history).len(), 1);
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}

/// Lines written by an older version (fewer fields) and a newer one (an unknown extra
/// field, a later schema minor) read alike; a line of another kind is skipped.
#[test]
fn trend_reads_lines_of_older_and_newer_versions() {
    let history = scratch("versions");
    let older = r#"{"schema":"securescore.snapshot/v1","recorded_at":"2026-10-01T08:00:00Z","as_of":"2026-10-01","score":{"percentage":50.0},"controls":[{"id":"c1","current_score":2.0}]}"#;
    let newer = r#"{"schema":"securescore.snapshot/v1","recorded_at":"2026-11-01T08:00:00Z","as_of":"2026-11-01","label":"nightly","score":{"percentage":62.5,"risk":{"level":"high"}},"controls":[{"id":"c1","name":"Control one","current_score":3.0,"max_score":4.0,"trend_hint":"up"}],"inputs_digest":"ab","extra_field_from_the_future":[1,2,3]}"#;
    let other = r#"{"schema":"securescore.report/v1","score":{"percentage":10}}"#;
    std::fs::write(&history, format!("{older}\n{newer}\n{other}\n")).unwrap();
    let out = securescore(&["trend", history.to_str().unwrap(), "-f", "json"]);
    common::assert_exit(&out, 0);
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    let runs = t["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 2);
    assert_eq!(runs[1]["change"], 12.5);
    assert_eq!(t["change"], 12.5);
    assert_eq!(t["controls"][0]["id"], "c1");
    assert_eq!(t["controls"][0]["change"], 1.0);
    assert_eq!(t["skipped"], serde_json::json!([3]));
    let since = securescore(&[
        "trend",
        history.to_str().unwrap(),
        "--since",
        "2026-10-15",
        "-f",
        "json",
    ]);
    let t: Value = serde_json::from_slice(&since.stdout).unwrap();
    assert_eq!(t["runs"].as_array().unwrap().len(), 1);
}

/// A snapshot holds what SPEC §5 lists, with the inputs' digest independent of their
/// order.
#[test]
fn a_snapshot_holds_the_run_and_a_digest_of_its_inputs() {
    let history = scratch("snapshot");
    let h = history.to_str().unwrap();
    // An input error records nothing.
    let out = securescore(&["assess", "fixtures/errors/malformed.json", "--record", h, "-q"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!history.exists());
    for files in [
        ["fixtures/worked-example.json", "fixtures/ties.json"],
        ["fixtures/ties.json", "fixtures/worked-example.json"],
    ] {
        let out = securescore(&[
            "assess",
            files[0],
            files[1],
            "--record",
            h,
            "-q",
            "--as-of",
            "2026-11-22",
        ]);
        common::assert_exit(&out, 0);
    }
    let all = lines(&history);
    let (a, b) = (all[0].as_ref().unwrap(), all[1].as_ref().unwrap());
    for key in [
        "schema",
        "recorded_at",
        "as_of",
        "label",
        "weighting",
        "filters",
        "score",
        "scopes",
        "controls",
        "inputs_digest",
    ] {
        assert!(a.get(key).is_some(), "{key}");
    }
    assert_eq!(a["inputs_digest"], b["inputs_digest"]);
    assert_eq!(a["inputs_digest"].as_str().unwrap().len(), 64);
    assert_eq!(a["score"], b["score"]);
}

/// A crash during the very first append leaves a file with one torn line and no newline:
/// it is still a history (the torn line is skipped), and recording goes on.
#[test]
fn a_history_whose_only_line_is_torn_still_records_and_reads() {
    let history = scratch("torn-first");
    std::fs::write(
        &history,
        r#"{"schema":"securescore.snapshot/v1","recorded_at":"2026-11-"#,
    )
    .unwrap();
    assert_eq!(record(&history, "after").status.code(), Some(0));
    let out = securescore(&["trend", history.to_str().unwrap(), "-f", "json"]);
    common::assert_exit(&out, 0);
    let t: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(t["runs"].as_array().unwrap().len(), 1);
    assert_eq!(t["skipped"], serde_json::json!([1]));
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}

/// --record into a file that is not a history (an inventory given by mistake) is refused
/// and leaves it untouched; trend on such a file is an error.
#[test]
fn recording_into_another_kind_of_file_is_refused() {
    let history = scratch("not-history");
    let inventory = history.with_file_name("inventory.json");
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worked-example.json"),
        &inventory,
    )
    .unwrap();
    let before = std::fs::read(&inventory).unwrap();
    let out = record(&inventory, "x");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not a history written by assess --record"));
    assert_eq!(std::fs::read(&inventory).unwrap(), before);
    let out = securescore(&["trend", inventory.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}

/// --record into an existing file with no newline that is not a torn snapshot line (a
/// minified inventory as json.dump writes it, a one-line text, a binary) is refused with
/// exit 2, the file untouched; trend on such a file is an error, not an empty history.
/// (A torn first snapshot line still records: see the test above.)
#[test]
fn recording_into_a_one_line_file_that_is_not_a_history_is_refused() {
    let history = scratch("one-line");
    let inventory: Value = serde_json::from_slice(
        &std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worked-example.json")).unwrap(),
    )
    .unwrap();
    let minified = serde_json::to_vec(&inventory).unwrap();
    assert!(!minified.contains(&b'\n'));
    let cases: [(&str, &[u8]); 4] = [
        ("minified.json", &minified),
        ("note.txt", b"just one line of text"),
        ("binary.bin", b"\x7fELF\x02\x01\x01\x00\x00\x00{\"schema\""),
        (
            "other-schema.jsonl",
            br#"{"schema":"securescore.report/v1","score":{}}"#,
        ),
    ];
    for (name, bytes) in cases {
        let file = history.with_file_name(name);
        std::fs::write(&file, bytes).unwrap();
        let out = record(&file, "x");
        common::assert_exit(&out, 2);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not a history written by assess --record"),
            "{name}"
        );
        assert_eq!(std::fs::read(&file).unwrap(), bytes, "{name}");
        let out = securescore(&["trend", file.to_str().unwrap()]);
        common::assert_exit(&out, 2);
    }
    // An empty file is a history with no run yet.
    std::fs::write(&history, "").unwrap();
    common::assert_exit(&record(&history, "first"), 0);
    assert_eq!(lines(&history).len(), 1);
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}

/// Recording into the history the HTML report charts: the chart includes this run.
#[test]
fn the_report_charts_the_run_it_records() {
    let history = scratch("same-file");
    let page = history.with_file_name("report.html");
    for expected in [1, 2] {
        let out = securescore(&[
            "assess",
            "fixtures/worked-example.json",
            "-f",
            "html",
            "--record",
            history.to_str().unwrap(),
            "--history",
            history.to_str().unwrap(),
            "-o",
            page.to_str().unwrap(),
        ]);
        common::assert_exit(&out, 0);
        let html = std::fs::read_to_string(&page).unwrap();
        // The gauge draws two circles; each run is one more.
        assert_eq!(html.matches("<circle cx=").count() - 2, expected);
        assert_eq!(lines(&history).len(), expected);
    }
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}

/// A run's `--fail-under` is recorded with it and becomes the trend's threshold; a run
/// recorded with another filter starts a series of its own, with a `mixed-series` warning.
#[test]
fn the_gate_and_the_filters_are_recorded_and_tell_series_apart() {
    let history = scratch("series");
    let h = history.to_str().unwrap();
    let base = [
        "assess",
        "fixtures/worked-example.json",
        "--as-of",
        "2026-11-22",
        "--record",
        h,
        "-q",
    ];
    // 98.40% is not below 90: the gate passes, and is recorded all the same.
    let gated = securescore(&[&base[..], &["--fail-under", "90"]].concat());
    assert_eq!(gated.status.code(), Some(0));
    assert_eq!(securescore(&base).status.code(), Some(0));
    let written = lines(&history);
    let gate = &written[0].as_ref().unwrap()["gate"];
    assert_eq!(gate["fail_under"], 90.0);
    assert_eq!(gate["passed"], true);
    assert_eq!(
        gate["rules"][0]["message"],
        "secure score 98.40% is not below fail-under 90"
    );
    assert_eq!(gate["rules"].as_array().map(Vec::len), Some(1));
    assert!(written[1].as_ref().unwrap().get("gate").is_none());
    let trend = |extra: &[&str]| -> (Value, String) {
        let out = securescore(&[&["trend", h, "-f", "json"][..], extra].concat());
        common::assert_exit(&out, 0);
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        (serde_json::from_slice(&out.stdout).unwrap(), stderr)
    };
    // The latest run with a gate gives the line; --threshold replaces it.
    let (t, stderr) = trend(&[]);
    assert_eq!(t["threshold"], 90.0);
    assert_eq!(t["series"].as_array().unwrap().len(), 1);
    assert!(stderr.is_empty(), "{stderr}");
    assert_eq!(trend(&["--threshold", "95"]).0["threshold"], 95.0);
    // The same estate under --scope is another series: two, and a warning.
    let scoped = ["--scope", "0b1f6471-1bf0-4dda-aec3-cb9272f09590"];
    assert_eq!(
        securescore(&[&base[..], &scoped[..]].concat()).status.code(),
        Some(0)
    );
    let (t, stderr) = trend(&[]);
    let series = t["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[1]["name"], "--scope 0b1f6471-1bf0-4dda-aec3-cb9272f09590");
    assert_eq!(series[1]["runs"].as_array().unwrap().len(), 1);
    assert_eq!(t["warnings"][0]["code"], "mixed-series");
    assert!(stderr.contains("the history holds 2 series"), "{stderr}");
    assert_eq!(t["change"], Value::Null);
    let (one, stderr) = trend(&["--series", "1"]);
    assert_eq!(one["runs"].as_array().unwrap().len(), 2);
    assert_eq!(one["change"], 0.0);
    assert!(stderr.is_empty(), "{stderr}");
    // The same subscription by its display name, or by its id in capitals, is the same
    // selection: it is recorded by its id as the inputs spell it, so it joins series 2.
    for spelling in ["PROD", "0B1F6471-1BF0-4DDA-AEC3-CB9272F09590"] {
        let run = securescore(&[&base[..], &["--scope", spelling][..]].concat());
        common::assert_exit(&run, 0);
    }
    let (t, _) = trend(&[]);
    let series = t["series"].as_array().unwrap();
    assert_eq!(series.len(), 2);
    assert_eq!(series[1]["runs"].as_array().unwrap().len(), 3);
    let _ = std::fs::remove_dir_all(history.parent().unwrap());
}
