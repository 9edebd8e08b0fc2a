//! `assess -f csv` (SPEC §8): read back by an RFC 4180 parser written here (not the
//! program's writer), every row carries the numbers of the JSON report's control rows
//! exactly, and text from inputs can neither run as a spreadsheet formula nor carry a
//! control character.

mod common;

use serde_json::value::RawValue;
use std::collections::BTreeMap;

const AS_OF: &str = "2026-11-22";

/// The report's field names, in the columns' order.
const HEADER: [&str; 13] = [
    "rank",
    "id",
    "name",
    "applicable",
    "max_score",
    "current_score",
    "potential_increase",
    "potential_increase_percentage",
    "points_per_resource",
    "healthy_resources",
    "unhealthy_resources",
    "not_applicable_resources",
    "members",
];

/// The records of an RFC 4180 text: fields split at commas, a field in double quotes may
/// hold commas, doubled quotes and line breaks; every record ends with CRLF (a bare LF or
/// CR outside quotes, or a missing final CRLF, fails the test).
fn parse(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut at_field_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => {
                    quoted = false;
                    assert!(
                        matches!(chars.peek(), Some(',') | Some('\r') | None),
                        "text after a closing quote in {text:?}"
                    );
                }
                c => field.push(c),
            }
            continue;
        }
        match c {
            '"' if at_field_start => {
                quoted = true;
                at_field_start = false;
            }
            '"' => panic!("a quote inside an unquoted field in {text:?}"),
            ',' => {
                record.push(std::mem::take(&mut field));
                at_field_start = true;
            }
            '\r' => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF in {text:?}");
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                at_field_start = true;
            }
            '\n' => panic!("a bare LF ends a record in {text:?}"),
            c => {
                field.push(c);
                at_field_start = false;
            }
        }
    }
    assert!(!quoted, "unterminated quote");
    assert!(
        field.is_empty() && record.is_empty(),
        "the last record has no CRLF"
    );
    records
}

/// The field names of a recommendation row (`--model v1` and `pass-rate`), in the
/// columns' order.
const RECOMMENDATION_HEADER: [&str; 18] = [
    "rank",
    "id",
    "name",
    "severity",
    "preview",
    "custom",
    "applicable",
    "max_score",
    "current_score",
    "potential_increase",
    "potential_increase_percentage",
    "points_per_resource",
    "points",
    "points_from",
    "healthy_resources",
    "unhealthy_resources",
    "not_applicable_resources",
    "controls",
];

/// `assess` of `files` in `format`, which must succeed.
fn assess(files: &[&str], format: &str) -> Vec<u8> {
    assess_with(files, format, &[])
}

/// `assess` of `files` in `format` with `extra` arguments, which must succeed.
fn assess_with(files: &[&str], format: &str, extra: &[&str]) -> Vec<u8> {
    let mut args = vec!["assess", "--as-of", AS_OF, "-f", format];
    args.extend(extra);
    args.extend(files);
    let out = common::run(&args);
    common::assert_exit(&out, 0);
    out.stdout
}

/// A JSON control row as written: each field's raw text, so that numbers are compared as
/// the report spells them (serde_json's own reading of a float may be one unit in the
/// last place off; Rust's `str::parse` is exact).
type RawRow = BTreeMap<String, Box<RawValue>>;

/// The CSV and the JSON report of the same inventory, row by row.
fn both(files: &[&str]) -> (Vec<Vec<String>>, Vec<RawRow>) {
    both_under(files, "classic")
}

/// The CSV and the JSON report of the same inventory under `model`, row by row: the
/// report's `controls` (classic) or `recommendations` (v1, pass-rate).
fn both_under(files: &[&str], model: &str) -> (Vec<Vec<String>>, Vec<RawRow>) {
    let extra = ["--model", model];
    let csv = String::from_utf8(assess_with(files, "csv", &extra)).expect("UTF-8");
    assert!(!csv.starts_with('\u{feff}'), "no byte order mark");
    let records = parse(&csv);
    let json = String::from_utf8(assess_with(files, "json", &extra)).unwrap();
    let report: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&json).unwrap();
    let (key, header): (&str, &[&str]) = match model {
        "classic" => ("controls", &HEADER),
        _ => ("recommendations", &RECOMMENDATION_HEADER),
    };
    let rows: Vec<RawRow> = serde_json::from_str(report[key].get()).unwrap();
    assert_eq!(records[0], header, "header");
    assert_eq!(records.len() - 1, rows.len(), "one row per {key}");
    (records[1..].to_vec(), rows)
}

/// Every number of every row is the JSON's, spelled the same and read as the same `f64`;
/// `null` is an empty field; booleans are the JSON's words; text fields are the JSON's
/// where nothing needed escaping.
fn assert_rows_match(files: &[&str]) {
    assert_rows_match_under(files, "classic");
}

/// [`assert_rows_match`] under `model`. A field the JSON row leaves out (`points` under
/// pass-rate) is empty, as `null` is; a list (a recommendation's `controls`) is its
/// items joined by `;`.
fn assert_rows_match_under(files: &[&str], model: &str) {
    let (rows, controls) = both_under(files, model);
    let header: &[&str] = if model == "classic" {
        &HEADER
    } else {
        &RECOMMENDATION_HEADER
    };
    for (row, c) in rows.iter().zip(&controls) {
        assert_eq!(row.len(), header.len());
        for (field, &name) in row.iter().zip(header) {
            let raw = c.get(name).map_or("null", |v| v.get());
            if raw.starts_with('[') {
                let items: Vec<String> = serde_json::from_str(raw).unwrap();
                let joined = items.join(";");
                if !joined.starts_with(['=', '+', '-', '@']) {
                    assert_eq!(field, &joined, "{name} of {}", c["id"].get());
                }
                continue;
            }
            let at = format!("{name} of {}", c["id"].get());
            match raw {
                "null" => assert_eq!(field, "", "{at}"),
                "true" | "false" => assert_eq!(field, raw, "{at}"),
                text if text.starts_with('"') => {
                    let s: String = serde_json::from_str(text).unwrap();
                    let plain = s.chars().all(|ch| !ch.is_control()) && !s.starts_with(['=', '+', '-', '@']);
                    if plain {
                        assert_eq!(field, &s, "{at}");
                    }
                }
                number => {
                    assert_eq!(field, number, "{at}");
                    let read: f64 = field.parse().unwrap_or_else(|_| panic!("{at}: {field:?}"));
                    assert_eq!(read, number.parse::<f64>().unwrap(), "{at}");
                }
            }
        }
    }
}

#[test]
fn every_number_of_the_examples_equals_the_json_reports() {
    assert_rows_match(&["examples/contoso.json"]);
    assert_rows_match(&["fixtures/worked-example.json"]);
    assert_rows_match(&["fixtures/markup-names.json"]);
    for files in common::azure_example_exports() {
        let files: Vec<&str> = files.iter().map(String::as_str).collect();
        assert_rows_match(&files);
    }
}

#[test]
fn every_number_of_the_v1_and_pass_rate_rows_equals_the_json_reports() {
    for model in ["v1", "pass-rate"] {
        assert_rows_match_under(&["examples/contoso.json"], model);
        assert_rows_match_under(&["fixtures/models/v1-vs-classic.json"], model);
        assert_rows_match_under(&["fixtures/markup-names.json"], model);
        for files in common::azure_example_exports() {
            let files: Vec<&str> = files.iter().map(String::as_str).collect();
            assert_rows_match_under(&files, model);
        }
    }
}

#[test]
fn recommendation_names_and_controls_cannot_run_as_formulas_under_v1() {
    let (rows, _) = both_under(&["fixtures/markup-names.json"], "v1");
    let field = |id: &str, i: usize| -> String {
        rows.iter()
            .find(|r| r[1] == id)
            .unwrap_or_else(|| panic!("no row {id}"))[i]
            .clone()
    };
    assert_eq!(field("rec-a", 2), "'=1+1 | <b>bold</b>");
    assert_eq!(field("rec-b", 2), "'-2+3 \\| escaped pipe");
    assert_eq!(field("rec-d", 2), "'\\u{9}Tab first");
    assert_eq!(field("rec-z", 2), "'@everyone <script>x</script>");
    // Only the recommendations assessed are rows: rec-e, assessed nowhere, is not one.
    assert!(rows.iter().all(|r| r[1] != "rec-e"));
    for row in &rows {
        for f in row {
            assert!(!f.starts_with(['=', '+', '@', '\t', '\r']), "{f:?}");
            assert!(!f.chars().any(char::is_control), "{f:?}");
            if f.starts_with('-') {
                f.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{f:?} is text starting with -"));
            }
        }
    }
}

#[test]
fn the_worked_example_reads_back_as_computed_by_hand() {
    let (rows, _) = both(&["fixtures/worked-example.json"]);
    let row = rows.iter().find(|r| r[1] == "system-updates").unwrap();
    // max 6, 50 applicable resources of which 8 unhealthy: 6 × 42 / 50 = 5.04 current,
    // 0.12 per resource; in 60 points 0.96 points are 1.6% (SPEC §1.3's example).
    let num = |i: usize| row[i].parse::<f64>().unwrap();
    assert_eq!(row[0], "1");
    assert_eq!(row[3], "true");
    assert_eq!(num(4), 6.0);
    assert!((num(5) - 5.04).abs() < 1e-12);
    assert!((num(6) - 0.96).abs() < 1e-12);
    assert!((num(7) - 1.6).abs() < 1e-12);
    assert!((num(8) - 0.12).abs() < 1e-12);
    assert_eq!(&row[9..], ["42", "8", "0", "1"]);
}

#[test]
fn names_cannot_run_as_formulas_nor_carry_control_characters() {
    let (rows, _) = both(&["fixtures/markup-names.json"]);
    let field = |id: &str, i: usize| -> String {
        rows.iter()
            .find(|r| r[1] == id)
            .unwrap_or_else(|| panic!("no row {id}"))[i]
            .clone()
    };
    assert_eq!(
        field("ctl-formula", 2),
        "'=HYPERLINK(\"http://evil.example\",\"click\")"
    );
    assert_eq!(field("ctl-mention", 2), "'@user please look | `rm -rf /` *now*");
    assert_eq!(
        field("ctl-control", 2),
        "\\u{1b}[31mred\\u{1b}[0m\\u{9}tab\\u{d}\\u{a}new line \\u{202e}evil"
    );
    // The id of the control that does not apply starts with `-`; its name with `+`.
    let idle = rows.iter().find(|r| r[2].starts_with("'+cmd")).unwrap();
    assert_eq!(idle[1], "'-ctl-idle");
    assert_eq!(idle[2], "'+cmd|' /C calc'!A0");
    assert_eq!(idle[0], "", "no rank");
    assert_eq!(idle[3], "false");
    // Markup means nothing in CSV: it is kept as it is.
    assert!(field("ctl-markup", 2).starts_with("# Heading [link](http://evil.example) <img"));
    // No cell starts with a formula character, and none holds a control character.
    for row in &rows {
        for f in row {
            assert!(!f.starts_with(['=', '+', '@', '\t', '\r']), "{f:?}");
            assert!(!f.chars().any(char::is_control), "{f:?}");
            if f.starts_with('-') {
                f.parse::<f64>()
                    .unwrap_or_else(|_| panic!("{f:?} is text starting with -"));
            }
        }
    }
}

#[test]
fn the_raw_csv_quotes_what_holds_quotes_and_commas() {
    let csv = String::from_utf8(assess(&["fixtures/markup-names.json"], "csv")).unwrap();
    assert!(
        csv.contains("\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\""),
        "{csv}"
    );
    assert!(csv.ends_with("\r\n"));
}

#[test]
fn csv_is_only_for_assess() {
    for args in [
        &["explain", "Enable MFA", "examples/contoso.json", "-f", "csv"][..],
        &["plan", "examples/contoso.json", "--steps", "1", "-f", "csv"],
        &["trend", "fixtures/history/runs.jsonl", "-f", "csv"],
        &["controls", "-f", "csv"],
    ] {
        let out = common::run(args);
        common::assert_exit(&out, 2);
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'csv'"));
    }
}
