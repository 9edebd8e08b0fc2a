//! `-o PATH`: the report replaces the file atomically, keeps its permissions, and leaves
//! no temporary file behind; a PATH the command reads is refused.

mod common;

use common::Scratch;

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

/// `-o` naming a file the command reads, however spelled (another spelling, a symbolic
/// link, a hard link, a file inside diff's folder, trend's history, --record's history),
/// is refused with exit 2 before anything is read or written: the input keeps its bytes.
#[test]
fn output_naming_an_input_is_refused_and_the_input_is_untouched() {
    let scratch = Scratch::new("output-is-input");
    let dir = &scratch.0;
    let inventory =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worked-example.json"))
            .unwrap();
    std::fs::write(dir.join("inv.json"), &inventory).unwrap();
    std::os::unix::fs::symlink("inv.json", dir.join("link.json")).unwrap();
    std::fs::hard_link(dir.join("inv.json"), dir.join("hard.json")).unwrap();
    std::fs::create_dir(dir.join("before")).unwrap();
    std::fs::write(dir.join("before/a.json"), &inventory).unwrap();
    std::fs::write(dir.join("history.jsonl"), "").unwrap();
    let cases: [&[&str]; 9] = [
        &["assess", "inv.json", "-o", "inv.json"],
        &["assess", "inv.json", "-o", "./before/../inv.json"],
        &["assess", "inv.json", "-o", "link.json"],
        &["assess", "link.json", "-o", "hard.json"],
        &["assess", "inv.json", "--record", "new.jsonl", "-o", "new.jsonl"],
        &["validate", "inv.json", "-f", "json", "-o", "inv.json"],
        &["diff", "before", "inv.json", "-o", "before/a.json"],
        &["diff", "before", "inv.json", "-o", "before"],
        &["trend", "history.jsonl", "-o", "history.jsonl"],
    ];
    for args in cases {
        let out = common::securescore(args).current_dir(dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("which this command also uses"),
            "{args:?}: {stderr}"
        );
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(
            std::fs::read(dir.join("inv.json")).unwrap(),
            inventory,
            "{args:?}"
        );
        assert_eq!(
            std::fs::read(dir.join("before/a.json")).unwrap(),
            inventory,
            "{args:?}"
        );
        assert!(
            std::fs::read(dir.join("history.jsonl")).unwrap().is_empty(),
            "{args:?}"
        );
        assert!(!dir.join("new.jsonl").exists(), "{args:?}: recorded");
    }
    // Another path is written as usual.
    let out = common::securescore(["assess", "inv.json", "-o", "report.txt"])
        .current_dir(dir)
        .output()
        .unwrap();
    common::assert_exit(&out, 0);
    assert!(dir.join("report.txt").exists());
}

/// `-o` onto a symbolic link writes through it: the link stays a link, its target (in
/// another folder, through a chain of links, or not created yet) is replaced atomically
/// with its permissions kept, and no temporary file is left in either folder.
#[test]
fn output_onto_a_symbolic_link_writes_through_it() {
    let scratch = Scratch::new("output-symlink");
    let dir = &scratch.0;
    std::fs::create_dir(dir.join("reports")).unwrap();
    let target = dir.join("reports/2026-11-22.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("reports/2026-11-22.json", dir.join("latest.json")).unwrap();
    std::os::unix::fs::symlink("latest.json", dir.join("chain.json")).unwrap();
    std::os::unix::fs::symlink("reports/not-yet.json", dir.join("dangling.json")).unwrap();
    let inventory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worked-example.json");
    let run = |output: &str| {
        let out = common::securescore(["assess", "--as-of", "2026-11-22", "-f", "json", "-o", output])
            .arg(&inventory)
            .current_dir(dir)
            .output()
            .unwrap();
        common::assert_exit(&out, 0);
    };
    let score = |path: &std::path::Path| {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
        v["score"]["percentage"].clone()
    };
    for (link, written) in [
        ("latest.json", target.clone()),
        ("chain.json", target.clone()),
        ("dangling.json", dir.join("reports/not-yet.json")),
    ] {
        std::fs::write(&target, "old").unwrap();
        run(link);
        let meta = std::fs::symlink_metadata(dir.join(link)).unwrap();
        assert!(meta.file_type().is_symlink(), "{link} was replaced");
        assert_eq!(score(&written), 98.4, "{link}");
    }
    let mode = std::fs::metadata(&target).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names = |d: &std::path::Path| {
        let mut n: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    assert_eq!(
        names(dir),
        ["chain.json", "dangling.json", "latest.json", "reports"]
    );
    assert_eq!(names(&dir.join("reports")), ["2026-11-22.json", "not-yet.json"]);
}

/// `--report FORMAT=PATH`, repeated: each file holds exactly what `-f FORMAT` prints for
/// the same run, beside the `-f` output on standard output (or `-o`), for assess (table
/// on standard output, JSON and HTML reports), diff and explain; under `--quiet` the
/// reports are still written; and no temporary file is left.
#[test]
fn each_report_is_what_its_format_prints() {
    let scratch = Scratch::new("reports");
    let dir = &scratch.0;
    let printed = |args: &[&str], format: &str| {
        let out = common::securescore(args).args(["-f", format]).output().unwrap();
        common::assert_exit(&out, 0);
        out.stdout
    };
    let cases: [(&[&str], &str, [&str; 2]); 3] = [
        (
            &[
                "assess",
                "fixtures/worked-example.json",
                "--as-of",
                "2026-11-22",
                "--fail-under",
                "50",
            ],
            "table",
            ["json", "html"],
        ),
        (
            &[
                "diff",
                "fixtures/triage/diff-before.json",
                "fixtures/triage/diff-after.json",
                "--as-of",
                "2026-11-22",
            ],
            "json",
            ["table", "json"],
        ),
        (
            &[
                "explain",
                "system-updates",
                "fixtures/worked-example.json",
                "--as-of",
                "2026-11-22",
            ],
            "table",
            ["json", "table"],
        ),
    ];
    for (args, stdout_format, [first, second]) in cases {
        let (a, b) = (dir.join(format!("a.{first}")), dir.join(format!("b.{second}")));
        let out = common::securescore(args)
            .args(["-f", stdout_format, "--report"])
            .arg(format!("{first}={}", a.display()))
            .arg("--report")
            .arg(format!("{second}={}", b.display()))
            .output()
            .unwrap();
        common::assert_exit(&out, 0);
        assert_eq!(out.stdout, printed(args, stdout_format), "{args:?}");
        assert_eq!(
            std::fs::read(&a).unwrap(),
            printed(args, first),
            "{args:?} {first}"
        );
        assert_eq!(
            std::fs::read(&b).unwrap(),
            printed(args, second),
            "{args:?} {second}"
        );
        // Quiet: nothing on standard output, the reports all the same.
        std::fs::remove_file(&a).unwrap();
        let quiet = common::securescore(args)
            .args(["-q", "--report"])
            .arg(format!("{first}={}", a.display()))
            .output()
            .unwrap();
        common::assert_exit(&quiet, 0);
        assert!(quiet.stdout.is_empty());
        assert_eq!(std::fs::read(&a).unwrap(), printed(args, first), "{args:?} quiet");
        std::fs::remove_file(&a).unwrap();
        std::fs::remove_file(&b).unwrap();
    }
    let left: Vec<_> = std::fs::read_dir(dir).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

/// A report that cannot be written as asked is refused with exit 2 before anything is
/// read or written: a format the command does not offer (named), two reports or a report
/// and `-o` on one file, a report onto an input, and `--report` without `=`.
#[test]
fn reports_that_cannot_be_written_are_refused() {
    let scratch = Scratch::new("reports-refused");
    let dir = &scratch.0;
    let inventory =
        std::fs::read(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/worked-example.json"))
            .unwrap();
    std::fs::write(dir.join("inv.json"), &inventory).unwrap();
    let cases: [(&[&str], &str); 7] = [
        (
            &["explain", "system-updates", "inv.json", "--report", "html=x.html"],
            "--report html=x.html: this command does not write \"html\"; its formats are table, json",
        ),
        (
            &["assess", "inv.json", "--report", "yaml=x.yaml"],
            "this command does not write \"yaml\"; its formats are table, json, html",
        ),
        (
            &[
                "assess",
                "inv.json",
                "--report",
                "json=x.json",
                "--report",
                "html=./x.json",
            ],
            "--report html=./x.json and --report json=x.json name the same file",
        ),
        (
            &["assess", "inv.json", "-o", "x.json", "--report", "json=x.json"],
            "--report json=x.json and -o x.json name the same file",
        ),
        (
            &["assess", "inv.json", "--report", "json=inv.json"],
            "--report json=inv.json would overwrite inv.json",
        ),
        (
            &["controls", "--report", "json=x.json", "--report", "table=x.json"],
            "name the same file",
        ),
        (&["assess", "inv.json", "--report", "json"], "is not FORMAT=PATH"),
    ];
    for (args, expected) in cases {
        let out = common::securescore(args).current_dir(dir).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert_eq!(std::fs::read(dir.join("inv.json")).unwrap(), inventory);
        let names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["inv.json"], "{args:?}");
    }
}

/// The files of one run are written all or none: when one `--report` (or `-o`) cannot be
/// written (its folder missing, a folder in its place) or standard output fails, the run
/// exits 2 and writes no file at all, leaves an earlier file as it was and no temporary
/// file behind; a run where every output can be written writes them all.
#[test]
fn reports_are_written_all_or_none() {
    let scratch = Scratch::new("reports-all-or-none");
    let dir = &scratch.0;
    let inventory = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/contoso.json");
    std::fs::create_dir(dir.join("a-folder")).unwrap();
    let listing = || {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    };
    let run = |args: &[&str], stdout: std::process::Stdio| {
        common::securescore(["assess"])
            .arg(&inventory)
            .args(args)
            .current_dir(dir)
            .stdout(stdout)
            .output()
            .unwrap()
    };
    let failing: [&[&str]; 4] = [
        // The reviewer's case: the failing report between two that could be written.
        &[
            "--report",
            "json=ok1.json",
            "--report",
            "markdown=missing/x.md",
            "--report",
            "csv=ok2.csv",
        ],
        // The failing one first, and last (as -o).
        &[
            "--report",
            "markdown=missing/x.md",
            "--report",
            "json=ok1.json",
            "--report",
            "csv=ok2.csv",
        ],
        &[
            "--report",
            "json=ok1.json",
            "--report",
            "csv=ok2.csv",
            "-o",
            "missing/x.txt",
        ],
        // A folder where a report should go.
        &[
            "--report",
            "json=ok1.json",
            "--report",
            "csv=ok2.csv",
            "--report",
            "html=a-folder",
        ],
    ];
    for args in failing {
        let out = run(args, std::process::Stdio::piped());
        common::assert_exit(&out, 2);
        assert_eq!(listing(), ["a-folder"], "{args:?}");
        assert!(std::fs::read_dir(dir.join("a-folder")).unwrap().next().is_none());
    }
    // An earlier report stays as it was when the run writes nothing.
    std::fs::write(dir.join("ok1.json"), "old").unwrap();
    let out = run(failing[0], std::process::Stdio::piped());
    common::assert_exit(&out, 2);
    assert_eq!(listing(), ["a-folder", "ok1.json"]);
    assert_eq!(std::fs::read_to_string(dir.join("ok1.json")).unwrap(), "old");
    // Standard output that cannot be written (a full device): no file either.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = run(
        &["--report", "json=ok1.json", "--report", "csv=ok2.csv"],
        full.into(),
    );
    common::assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("cannot write to standard output"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(listing(), ["a-folder", "ok1.json"]);
    assert_eq!(std::fs::read_to_string(dir.join("ok1.json")).unwrap(), "old");
    // Every output writable: all written, the table on standard output.
    let out = run(
        &[
            "--report",
            "json=ok1.json",
            "--report",
            "markdown=ok.md",
            "--report",
            "csv=ok2.csv",
        ],
        std::process::Stdio::piped(),
    );
    common::assert_exit(&out, 0);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Secure score"));
    assert_eq!(listing(), ["a-folder", "ok.md", "ok1.json", "ok2.csv"]);
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("ok1.json")).unwrap()).unwrap();
    assert_eq!(json["schema"], "securescore.report/v1");
    assert!(std::fs::read_to_string(dir.join("ok.md"))
        .unwrap()
        .starts_with('#'));
    assert!(!std::fs::read_to_string(dir.join("ok2.csv")).unwrap().is_empty());
}
