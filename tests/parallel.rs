//! Reading JSON Lines on several threads with the fast scanner gives what the exact serde
//! path gives one line after another: the same model, the same report to the byte, the
//! same diagnostics with the same places. Random native inventories are cut into pieces
//! of every small size (so that the cut falls inside records, at a CR before a line
//! break, inside a byte-order mark and inside multi-byte characters) and read on one, two
//! and four threads; and an error half-way through a large input is placed where the
//! serde path places it.

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

use securescore::catalog::Catalog;
use securescore::date::Date;
use securescore::diag::{Diagnostic, Diagnostics, Level};
use securescore::evaluation::{evaluate, ReportExtras, ScoringRequest};
use securescore::ids::IdHasher;
use securescore::load::fast::{scan_lines, Line};
use securescore::load::source::InputSpec;
use securescore::load::{load, LoadOptions};
use securescore::render::{render, Document, Format, RenderOptions, Style};
use securescore::report::WarningOut;

/// The controls every inventory defines, on a line of its own (read by the serde path).
const CONTROLS: &str = r#"{"controls": [{"id": "c1", "max_score": 10, "recommendations": ["r0", "r1", "r2"]}, {"id": "c2", "max_score": 4, "recommendations": ["r3", "r4"]}]}"#;

/// A resource id: Azure ids in any case (one resource however spelt), some with
/// multi-byte characters, and ids of other clouds.
fn resource(rng: &mut Rng) -> String {
    let n = rng.below(6);
    let subscription = rng.pick(&["S1", "s1", "S2"]);
    match rng.below(4) {
        0 => format!("arn:aws:ec2:::instance/i-{n}"),
        1 => format!("/subscriptions/{subscription}/resourceGroups/rg/providers/Microsoft.Web/sites/café-{n}"),
        _ => format!("/subscriptions/{subscription}/resourceGroups/RG/providers/Microsoft.Compute/virtualMachines/vm-{n}"),
    }
}

/// JSON whitespace, often none.
fn blank(rng: &mut Rng) -> &'static str {
    rng.pick(&["", "", " ", "  ", "\t", " \t "])
}

/// A number fixed by a resource's identity (Azure ids are one resource in any case) and
/// a recommendation: an assessment repeated in another spelling must repeat its result,
/// or the inventory has a conflict.
fn pair_number(resource: &str, recommendation: &str) -> usize {
    let key = format!("{}|{recommendation}", resource.to_lowercase());
    key.bytes()
        .fold(7usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b)))
}

/// A status as the pair decides it, spelt in one of the ways the status is accepted.
fn status(rng: &mut Rng, pair: usize) -> &'static str {
    match pair % 3 {
        0 => rng.pick(&["healthy", "Healthy"]),
        1 => rng.pick(&["unhealthy", "UNHEALTHY"]),
        _ => rng.pick(&["not_applicable", "NotApplicable"]),
    }
}

/// The exemption the pair decides, if any, with its keys in any order and spacing.
fn exemption(rng: &mut Rng, pair: usize) -> Option<String> {
    let fields: &[&str] = match (pair / 3) % 8 {
        0 => &[r#""category": "waiver""#],
        1 => &[
            r#""category": "Mitigated""#,
            r#""reason": "accepted ✓ — für jetzt""#,
        ],
        2 => &[
            r#""category": "WAIVER""#,
            r#""reason": null"#,
            r#""expires": "2026-01-31""#,
        ],
        3 => &[
            r#""expires": "2026-11-22T20:00:00-05:00""#,
            r#""category": "waiver""#,
            r#""reason": """#,
        ],
        4 => &[r#""category": "mitigated""#, r#""expires": null"#],
        5 => return rng.one_in(2).then(|| "null".to_string()),
        _ => return None,
    };
    Some(shuffled_object(
        rng,
        fields.iter().map(|f| f.to_string()).collect(),
    ))
}

/// `fields` in a random order, with random whitespace, as a JSON object.
fn shuffled_object(rng: &mut Rng, mut fields: Vec<String>) -> String {
    for i in (1..fields.len()).rev() {
        fields.swap(i, rng.below(i + 1));
    }
    let parts: Vec<String> = fields
        .into_iter()
        .map(|f| f.replacen(": ", &format!("{}:{}", blank(rng), blank(rng)), 1))
        .collect();
    format!(
        "{{{}{}{}}}",
        blank(rng),
        parts.join(&format!("{},{}", blank(rng), blank(rng))),
        blank(rng)
    )
}

/// The fields of an assessment of `resource` (written as `written`, which may hold
/// escapes), with the result its pair decides.
fn fields(rng: &mut Rng, resource: &str, written: &str) -> Vec<String> {
    let recommendation = format!("r{}", rng.below(6));
    let pair = pair_number(resource, &recommendation);
    let mut fields = vec![
        format!(r#""resource": "{written}""#),
        format!(r#""recommendation": "{recommendation}""#),
        format!(r#""status": "{}""#, status(rng, pair)),
    ];
    if let Some(exemption) = exemption(rng, pair) {
        fields.push(format!(r#""exemption": {exemption}"#));
    }
    fields
}

/// A native assessment the fast scanner reads.
fn fast_row(rng: &mut Rng) -> String {
    let id = resource(rng);
    let fields = fields(rng, &id, &id);
    shuffled_object(rng, fields)
}

/// A line the fast scanner leaves to the serde path that reads without an error.
fn slow_row(rng: &mut Rng) -> String {
    let id = resource(rng);
    let mut fields = fields(rng, &id, &id);
    match rng.below(5) {
        0 => {
            let n = rng.below(3);
            let id = format!("arn:aws:s3:::b/{n}");
            fields = self::fields(rng, &id, &format!(r"arn:aws:s3:::b\/{n}"));
        }
        1 => fields = self::fields(rng, "/subscriptions/S1/x/café", r"/subscriptions/S1/x/caf\u00e9"),
        2 => fields.push(r#""note": [1, {"a": null}]"#.to_string()),
        3 => {
            // A key the exemption's shape does not know, inside the exemption when there
            // is one.
            match fields.iter_mut().find(|f| f.starts_with(r#""exemption": {"#)) {
                Some(exemption) => *exemption = exemption.replacen('{', r#"{"by": "me", "#, 1),
                None => fields.push(r#""by": "me""#.to_string()),
            }
        }
        _ => return format!("[{}, {}]", fast_row(rng), fast_row(rng)),
    }
    shuffled_object(rng, fields)
}

/// A line with an error of its own.
fn bad_row(rng: &mut Rng) -> String {
    let recommendation = format!("r{}", rng.below(6));
    match rng.below(8) {
        0 => format!(r#"{{"resource": "x", "recommendation": "{recommendation}", "status": "good"}}"#),
        // A whole row, then more on its line.
        6 => format!(r#"{{"resource": "x", "recommendation": "{recommendation}", "status": "healthy"}} x"#),
        1 => format!(r#"{{"resource": "", "recommendation": "{recommendation}", "status": "healthy"}}"#),
        2 => format!(r#"{{"resource": "x", "recommendation": "{recommendation}", "status": "healthy""#),
        3 => format!(r#"{{"resource": "x", "recommendation": "{recommendation}"}}"#),
        4 => format!(
            r#"{{"resource": "x", "resource": "y", "recommendation": "{recommendation}", "status": "healthy"}}"#
        ),
        5 => format!(r#"{{"resource": "x", "recommendation": "{recommendation}", "status": 1}}"#),
        _ => format!(
            r#"{{"resource": "x", "recommendation": "{recommendation}", "status": "healthy", "exemption": {{"category": "waiver", "expires": "soon"}}}}"#
        ),
    }
}

/// A random native inventory as JSON Lines: mostly rows the scanner reads, some it
/// leaves to the serde path (and, when `errors`, some with errors), blank lines, CRLF
/// and LF line ends, byte-order marks at the start and before lines.
fn inventory(seed: u64, errors: bool) -> String {
    let mut rng = Rng(seed);
    let mut lines = vec![CONTROLS.to_string()];
    for _ in 0..30 + rng.below(30) {
        let line = match rng.below(12) {
            0 => slow_row(&mut rng),
            1 => rng.pick(&["", "  ", "\t \r"]).to_string(),
            2 if errors => bad_row(&mut rng),
            _ => fast_row(&mut rng),
        };
        let lead = if rng.one_in(15) {
            " \u{FEFF}"
        } else {
            blank(&mut rng)
        };
        lines.push(format!("{lead}{line}{}", blank(&mut rng)));
    }
    let at = rng.below(lines.len());
    lines.swap(0, at);
    let mut text = if rng.one_in(3) {
        "\u{FEFF}".to_string()
    } else {
        String::new()
    };
    for line in lines {
        text.push_str(&line);
        text.push_str(rng.pick(&["\n", "\n", "\r\n"]));
    }
    if rng.one_in(2) {
        text.pop();
    }
    text
}

/// What one load gives: the model (as its debug form, which shows every part), the
/// JSON report when there was no error, and every diagnostic.
#[derive(Debug, PartialEq)]
struct Loaded {
    model: String,
    report: Option<String>,
    diagnostics: Vec<Diagnostic>,
}

/// Loads `text` as JSON Lines with `options` and scores it as `assess -f json` does.
fn load_text(text: &str, options: &LoadOptions) -> Loaded {
    let inputs = [InputSpec::Text {
        name: "inventory.jsonl".to_string(),
        text: text.to_string(),
    }];
    let mut diags = Diagnostics::default();
    let model = load(&inputs, &Catalog::empty(), options, &mut diags);
    let report = (diags.error_count() == 0).then(|| {
        let request = ScoringRequest {
            as_of: Some(Date::parse("2026-11-22").unwrap()),
            ..ScoringRequest::default()
        };
        let evaluation = evaluate(&model, &request, &mut diags).unwrap();
        let extras = ReportExtras {
            warnings: diags.warnings().map(WarningOut::from).collect(),
            ..ReportExtras::default()
        };
        let report = evaluation.report(&model, extras);
        let options = RenderOptions {
            style: Style {
                color: false,
                width: 100,
            },
            top: None,
        };
        let mut out = Vec::new();
        let doc = Document::Report {
            report: &report,
            details: &[],
            trend: None,
            findings: None,
        };
        render(Format::Json, &doc, &options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    });
    Loaded {
        model: format!("{model:?}"),
        report,
        diagnostics: diags.items().to_vec(),
    }
}

/// The exact serde path, one line after another.
fn sequential() -> LoadOptions {
    LoadOptions {
        threads: 1,
        fast_scan: false,
        ..LoadOptions::default()
    }
}

fn fast(threads: usize, piece_size: usize) -> LoadOptions {
    LoadOptions {
        threads,
        fast_scan: true,
        piece_size,
        ..LoadOptions::default()
    }
}

/// How many lines of `text` the scanner reads, and how many it leaves to serde.
fn scanned(text: &str) -> (usize, usize) {
    let lines = scan_lines(
        text.strip_prefix('\u{FEFF}').unwrap_or(text),
        &IdHasher::default(),
    )
    .lines;
    let rows = lines.iter().filter(|l| matches!(l, Line::Row(..))).count();
    (rows, lines.len() - rows)
}

#[test]
fn random_inventories_read_in_pieces_on_threads_equal_the_serde_path() {
    let (mut reports, mut with_errors, mut rows, mut others) = (0, 0, 0, 0);
    for seed in 0..16 {
        let text = inventory(seed, seed % 2 == 1);
        let (r, o) = scanned(&text);
        (rows, others) = (rows + r, others + o);
        let expected = load_text(&text, &sequential());
        reports += usize::from(expected.report.is_some());
        with_errors += usize::from(
            expected
                .diagnostics
                .iter()
                .any(|d| d.level == Level::Error && d.code != "conflicting-assessment"),
        );
        for piece_size in 1..=64 {
            for threads in [1, 2, 4] {
                let got = load_text(&text, &fast(threads, piece_size));
                assert!(
                    got == expected,
                    "seed {seed}, {threads} threads, pieces of {piece_size} bytes:\n{text}\n{got:#?}\n{expected:#?}"
                );
            }
        }
    }
    // The comparisons are not vacuous: scored reports and errors were both compared, and
    // the scanner read most rows while leaving others to serde.
    assert!(
        reports >= 4,
        "{reports} inventories scored: {:?}",
        load_text(&inventory(0, false), &sequential()).diagnostics
    );
    assert!(with_errors >= 4, "{with_errors} inventories with problems");
    assert!(
        rows > 4 * others && others > 50,
        "{rows} rows scanned, {others} left"
    );
}

/// Pieces of many lines each: rows naming one id in several spellings, and lines left to
/// serde between rows, inside one piece, so that the numbering of a piece's ids and their
/// mapping to the builder's order are compared with the serde path too.
#[test]
fn random_inventories_read_in_pieces_of_many_lines_equal_the_serde_path() {
    for seed in 0..64 {
        let text = inventory(seed, seed % 2 == 1);
        let expected = load_text(&text, &sequential());
        for piece_size in [150, 400, 1000, 3000, 1 << 20] {
            for threads in [1, 2] {
                let got = load_text(&text, &fast(threads, piece_size));
                assert!(
                    got == expected,
                    "seed {seed}, {threads} threads, pieces of {piece_size} bytes:\n{text}\n{got:#?}\n{expected:#?}"
                );
            }
        }
    }
}

/// A CR and a byte-order mark cut from their line, and a character cut in its middle:
/// pieces of one byte on cut inside each of them.
#[test]
fn cuts_inside_a_crlf_a_bom_and_a_character_change_nothing() {
    let row = |id: &str| format!(r#"{{"resource": "{id}", "recommendation": "r1", "status": "healthy"}}"#);
    let text = format!(
        "{}\r\n\u{FEFF}{}\r\n \u{FEFF}{}\n\r\n{}",
        CONTROLS,
        row("é-1"),
        row("日本-2"),
        row("🦀-3")
    );
    assert_eq!(
        scanned(&text),
        (3, 1),
        "the controls go to serde, the CR line is blank"
    );
    let expected = load_text(&text, &sequential());
    assert!(expected.report.is_some(), "{:?}", expected.diagnostics);
    for piece_size in 1..=text.len() + 1 {
        for threads in [1, 2] {
            assert_eq!(
                load_text(&text, &fast(threads, piece_size)),
                expected,
                "{piece_size}"
            );
        }
    }
}

/// An error on line 50,000 of 100,000 is placed at the same file, line and column
/// whether the input is read on one thread by serde or on two by the scanner in pieces.
#[test]
fn an_error_half_way_through_a_big_input_keeps_its_place() {
    let mut text = String::new();
    for i in 1..=100_000 {
        if i == 50_000 {
            // Column 67 is the `x`: 66 characters come before it (`{"resource": "bad",`
            // is 19 with its space after, `"recommendation": "r1",` 23 and a space,
            // `"status": "healthy"` 19 and a space: 19 + 1 + 23 + 1 + 19 + 1 = 64, then
            // two spaces).
            text.push_str(r#"{"resource": "bad", "recommendation": "r1", "status": "healthy"   x}"#);
        } else {
            text.push_str(&format!(
                r#"{{"resource": "/subscriptions/s/vm-{}", "recommendation": "r{}", "status": "healthy"}}"#,
                i / 7,
                i % 7
            ));
        }
        text.push('\n');
    }
    let expected = load_text(&text, &sequential());
    let place = |l: &Loaded| {
        let d = &l.diagnostics[0];
        (d.code, d.file.clone(), d.line, d.column)
    };
    let errors = expected
        .diagnostics
        .iter()
        .filter(|d| d.level == Level::Error)
        .count();
    assert_eq!(errors, 1, "{:?}", expected.diagnostics);
    let known = (
        "malformed-json",
        Some("inventory.jsonl".to_string()),
        Some(50_000),
        Some(67),
    );
    assert_eq!(place(&expected), known);
    for (threads, piece_size) in [(2, 4096), (2, 1 << 20), (4, 100), (1, 4096)] {
        let got = load_text(&text, &fast(threads, piece_size));
        assert_eq!(place(&got), known, "{threads} threads, pieces of {piece_size}");
        assert!(got == expected, "{threads} threads, pieces of {piece_size}");
    }
}
