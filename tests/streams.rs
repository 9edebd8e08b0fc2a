//! Streams (standard input, pipes, devices) are checked on their first bytes and read a
//! document at a time, with the same results as the same bytes in a file; and every input
//! is refused past `--max-input-size`.

mod common;

use common::{assert_exit, run, securescore};
use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

/// A fresh folder for one test's files.
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("securescore-streams-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `securescore` with `args` and `stdin` as its standard input.
fn run_with_stdin(args: &[&str], stdin: &[u8]) -> Output {
    run_fed(args, stdin, b"").0
}

/// The problems `validate -f json` lists, without the input's name (the one difference
/// between a file and standard input).
fn problems(out: &Output) -> Vec<Value> {
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!("{e}: {}", String::from_utf8_lossy(&out.stderr));
    });
    let mut problems = report["problems"].as_array().unwrap().clone();
    for p in &mut problems {
        p["file"] = Value::Null;
    }
    problems
}

/// Runs `securescore` with `args`, feeding its standard input `start` and then, unless
/// it is empty, `fill` without end until the program stops reading (EPIPE): its output,
/// and the bytes written. The writer is a thread, so a program that stops reading early
/// cannot block the test; one that never stopped would keep the test running.
fn run_fed(args: &[&str], start: &[u8], fill: &[u8]) -> (Output, u64) {
    let mut child = securescore(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let (start, fill) = (start.to_vec(), fill.repeat(8192 / fill.len().max(1)));
    let writer = std::thread::spawn(move || {
        let mut written: u64 = 0;
        if pipe.write_all(&start).is_ok() {
            written += start.len() as u64;
            while !fill.is_empty() && pipe.write_all(&fill).is_ok() {
                written += fill.len() as u64;
            }
        }
        written
    });
    let out = child.wait_with_output().unwrap();
    (out, writer.join().unwrap())
}

/// The problems of a run that failed (exit 2), after checking that the first has `code`
/// and is placed at `line`:`column`.
fn first_problem_at(out: &Output, code: &str, line: u64, column: u64) -> Vec<Value> {
    assert_exit(out, 2);
    let found = problems(out);
    assert_eq!(found[0]["code"], code);
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(line), Some(column))
    );
    found
}

/// The codes of the problems `validate -f json` lists.
fn codes(out: &Output) -> Vec<String> {
    problems(out)
        .iter()
        .map(|p| p["code"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn dev_zero_as_a_file_is_refused_as_binary_on_its_first_bytes() {
    // /dev/zero never ends: only a check of its first bytes lets this test finish.
    let out = run(&["validate", "-f", "json", "/dev/zero"]);
    assert_exit(&out, 2);
    assert_eq!(codes(&out), ["binary-input"]);
    let out = run(&["assess", "/dev/zero"]);
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("/dev/zero: the input is binary"));
}

/// The start of an inventory and then blanks without end: the reader stops at the limit.
#[test]
fn an_endless_pipe_is_stopped_at_the_limit() {
    let (out, written) = run_fed(
        &["validate", "-f", "json", "--max-input-size", "1M"],
        b"{\"assessments\":[",
        b" ",
    );
    assert_exit(&out, 2);
    assert_eq!(codes(&out), ["input-too-large"]);
    let message = problems(&out)[0]["message"].as_str().unwrap().to_string();
    assert!(
        message.contains("--max-input-size 1 MiB (1048576 bytes)"),
        "{message}"
    );
    assert!(message.contains("such as 2M"), "{message}");
    // It read past 1 MiB, and not much further: what was written is what it read plus
    // what the pipe held (at most 1 MiB on Linux) and one last write.
    assert!(written > 1 << 20, "{written}");
    assert!(written < 3 << 20, "{written}");
}

#[test]
fn a_file_larger_than_the_limit_is_refused_before_it_is_read() {
    let dir = scratch("limit");
    let file = dir.join("inventory.json");
    // 2000 bytes: `{"assessments": [` (17), 1980 blanks, `]}` (2), and a newline.
    let text = format!("{{\"assessments\": [{}]}}\n", " ".repeat(1980));
    assert_eq!(text.len(), 2000);
    std::fs::write(&file, &text).unwrap();
    let path = file.to_str().unwrap();
    let out = run(&["validate", "-f", "json", "--max-input-size", "1K", path]);
    assert_exit(&out, 2);
    assert_eq!(codes(&out), ["input-too-large"]);
    let message = problems(&out)[0]["message"].as_str().unwrap().to_string();
    assert_eq!(
        message,
        "the input is 2000 bytes, more than --max-input-size 1 KiB (1024 bytes): pass --max-input-size 2K (or \
         more) to read it"
    );
    // Exactly the limit is read (the file scores nothing, which validate reports as a
    // warning, not an error), and so is the same from standard input.
    let out = run(&["validate", "-f", "json", "--max-input-size", "2000", path]);
    assert!(!codes(&out).contains(&"input-too-large".to_string()));
    let out = run_with_stdin(
        &["validate", "-f", "json", "--max-input-size", "2000"],
        text.as_bytes(),
    );
    assert!(!codes(&out).contains(&"input-too-large".to_string()));
    let out = run_with_stdin(
        &["validate", "-f", "json", "--max-input-size", "1999"],
        text.as_bytes(),
    );
    assert_eq!(codes(&out), ["input-too-large"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_size_that_is_not_one_is_a_usage_error() {
    for bad in ["0", "1.5G", "ten", "64 parsecs", "-1", "99999999T"] {
        let option = format!("--max-input-size={bad}");
        let out = run(&["assess", &option, "examples/contoso.json"]);
        assert_exit(&out, 2);
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("is not a size"),
            "{bad}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The pages of an example export, each with a byte-order mark if `bom`, concatenated as
/// `cat page-*.json` would give them.
fn concatenated(dir: &Path, bom: bool) -> Vec<u8> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for f in files {
        if bom {
            out.extend_from_slice(b"\xEF\xBB\xBF");
        }
        out.extend_from_slice(&std::fs::read(f).unwrap());
    }
    out
}

#[test]
fn standard_input_reads_as_the_same_bytes_in_a_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = vec![(
        "contoso".to_string(),
        std::fs::read(root.join("examples/contoso.json")).unwrap(),
    )];
    for shape in ["rest", "az-flat", "az-nested", "arg", "arg-rows", "counts"] {
        let dir = root.join("examples/azure").join(shape);
        inputs.push((shape.to_string(), concatenated(&dir, false)));
        inputs.push((format!("{shape}-bom"), concatenated(&dir, true)));
    }
    let dir = scratch("same");
    for (name, bytes) in inputs {
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, &bytes).unwrap();
        let args = ["assess", "-f", "json", "--as-of", "2026-11-22"];
        let from_file = run(&[&args[..], &[file.to_str().unwrap()]].concat());
        let from_stdin = run_with_stdin(&args, &bytes);
        assert_exit(&from_file, 0);
        assert_eq!(from_stdin.status.code(), Some(0), "{name}");
        assert!(from_file.stdout.len() > 1000, "{name}: a report");
        assert!(
            from_file.stdout == from_stdin.stdout,
            "{name}: the reports differ"
        );
        assert_eq!(from_file.stderr, from_stdin.stderr, "{name}");
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn an_error_in_the_third_document_of_a_stream_is_placed_as_in_a_file() {
    // Three documents, the second and third after a byte-order mark; the third starts
    // on line 4 and has `tru` for a value on line 5.
    let third = "{\"assessments\": [\n  {\"resource\": \"r\", \"recommendation\": \"a\", \"status\": tru}]}";
    let bytes = [
        &b"{\"assessments\": []}\n"[..],
        b"\xEF\xBB\xBF[{\"resource\": \"r\", \"recommendation\": \"a\", \"status\": \"healthy\"}]\r\n",
        b"\n",
        b"\xEF\xBB\xBF  ",
        third.as_bytes(),
    ]
    .concat();
    let dir = scratch("third");
    let file = dir.join("pages.json");
    std::fs::write(&file, &bytes).unwrap();
    let from_file = run(&["validate", "-f", "json", file.to_str().unwrap()]);
    let from_stdin = run_with_stdin(&["validate", "-f", "json"], &bytes);
    let from_pipe_path = run_with_stdin(&["validate", "-f", "json", "/dev/stdin"], &bytes);
    // Line 4 holds the mark, two blanks and `{"assessments": [` ; line 5 is
    // `  {"resource": "r", "recommendation": "a", "status": tru}]}`, whose `}` after `tru`
    // stops the parser: 2 blanks, `{"resource": "r", "recommendation": "a", "status": `
    // (51 bytes) and `tru` come before it, so it is column 2 + 51 + 3 + 1 = 57.
    let expected = first_problem_at(&from_file, "malformed-json", 5, 57);
    assert_eq!(problems(&from_stdin), expected);
    assert_eq!(problems(&from_pipe_path), expected);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn json_lines_on_standard_input_keep_their_line_numbers() {
    // A `.jsonl` name read through a pipe (`/dev/stdin` is not a regular file): line 3
    // has status "broken", placed just after the value, as for any value: 51 bytes of
    // `{"resource": "r", "recommendation": "a", "status": ` and 8 of `"broken"` before
    // it, column 60; the line after it is still read.
    let lines = b"\xEF\xBB\xBF{\"resource\": \"r\", \"recommendation\": \"a\", \"status\": \"healthy\"}\r\n\n{\"resource\": \"r\", \"recommendation\": \"a\", \"status\": \"broken\"}\n{\"resource\": \"s\", \"recommendation\": \"a\", \"status\": \"unhealthy\"}\n";
    let dir = scratch("lines");
    let file = dir.join("rows.jsonl");
    std::fs::write(&file, lines).unwrap();
    let link = dir.join("stdin.jsonl");
    std::os::unix::fs::symlink("/dev/stdin", &link).unwrap();
    let from_file = run(&["validate", "-f", "json", file.to_str().unwrap()]);
    let from_pipe = run_with_stdin(&["validate", "-f", "json", link.to_str().unwrap()], lines);
    let expected = first_problem_at(&from_file, "invalid-value", 3, 60);
    assert_eq!(problems(&from_pipe), expected);
    let report: Value = serde_json::from_slice(&from_pipe.stdout).unwrap();
    assert_eq!(report["errors"], 1);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_stream_that_does_not_start_like_an_inventory_ends_at_once() {
    // `yes` never ends; its first character says it is no inventory.
    let (out, _) = run_fed(&["validate", "-f", "json"], b"", b"y\n");
    assert_exit(&out, 2);
    let found = problems(&out);
    assert_eq!(found[0]["code"], "not-an-inventory");
    assert_eq!(
        (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
        (Some(1), Some(1))
    );
    // The same check on a file.
    let out = run_with_stdin(&["validate", "-f", "json"], b"\n  42\n");
    assert_eq!(problems(&out)[0]["code"], "not-an-inventory");
    assert_eq!(problems(&out)[0]["line"].as_u64(), Some(2));
}

/// Feeds `start`, then `fill` without end, to `validate -f json --max-input-size 4M` on
/// standard input, until it stops reading.
fn validate_endless(start: &[u8], fill: u8) -> Output {
    run_fed(
        &["validate", "-f", "json", "--max-input-size", "4M"],
        start,
        &[fill],
    )
    .0
}

#[test]
fn a_first_value_that_never_ends_is_refused_on_its_first_character() {
    // A word, a number or a string with no end: no delimiter ever ends the value, so only
    // a check of the first bytes (not of the first document, read whole) refuses them
    // before the size limit does.
    for (start, fill, place) in [
        (&b""[..], b'a', (1, 1)),
        (b"  \n 1", b'1', (2, 2)),
        (b"\xEF\xBB\xBF\"", b'a', (1, 1)),
        // After a mark and blanks, as in a file; columns count bytes after the mark.
        (b"\n\xEF\xBB\xBF \ttrue", b'e', (2, 6)),
    ] {
        let out = validate_endless(start, fill);
        assert_exit(&out, 2);
        let found = problems(&out);
        assert_eq!(found[0]["code"], "not-an-inventory", "{start:?}: {found:?}");
        assert_eq!(
            (found[0]["line"].as_u64(), found[0]["column"].as_u64()),
            (Some(place.0), Some(place.1)),
            "{start:?}"
        );
    }
}

#[test]
fn a_recorded_digest_is_the_same_from_standard_input() {
    let dir = scratch("digest");
    let bytes = concatenated(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/azure/rest"),
        true,
    );
    let file = dir.join("pages.json");
    std::fs::write(&file, &bytes).unwrap();
    let (a, b) = (dir.join("a.jsonl"), dir.join("b.jsonl"));
    let base = ["assess", "-q", "--as-of", "2026-11-22", "--record"];
    assert_exit(
        &run(&[&base[..], &[a.to_str().unwrap(), file.to_str().unwrap()]].concat()),
        0,
    );
    assert_exit(
        &run_with_stdin(&[&base[..], &[b.to_str().unwrap()]].concat(), &bytes),
        0,
    );
    let digest = |p: &Path| {
        let line: Value = serde_json::from_str(std::fs::read_to_string(p).unwrap().trim()).unwrap();
        line["inputs_digest"].as_str().unwrap().to_string()
    };
    assert_eq!(digest(&a), digest(&b));
    assert_eq!(digest(&a).len(), 64);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_history_is_refused_past_the_limit_and_on_binary_bytes() {
    let out = run(&["trend", "/dev/zero"]);
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a history"));
    let out = run(&["trend", "--max-input-size", "1K", "fixtures/history/runs.jsonl"]);
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("more than --max-input-size 1 KiB"), "{stderr}");
    // A stream of lines that are no snapshots ends at its first line.
    let (out, _) = run_fed(&["trend", "/dev/stdin"], b"", b"y\n");
    assert_exit(&out, 2);
    assert!(String::from_utf8_lossy(&out.stderr).contains("holds no snapshot"));
}

#[test]
fn a_history_whose_first_line_never_ends_is_refused_on_its_first_character() {
    // No newline ever comes: only a look at the line's first character (a snapshot line
    // is a JSON object) refuses it before the size limit does.
    let (out, _) = run_fed(&["trend", "--max-input-size", "4M", "/dev/stdin"], b"\n \t", b"a");
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("holds no snapshot"), "{stderr}");
}
