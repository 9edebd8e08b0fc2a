//! The checks every fuzz target runs, in one place: a target (`fuzz_targets/<name>.rs`) is
//! one line calling one of the entry points below with the fuzzer's bytes.
//!
//! Each entry point runs the library as the commands compose it (load → evaluate → report
//! → render, as `commands/` does, in process and without writing files) and panics when an
//! invariant breaks, which is what the fuzzer reports as a crash:
//!
//! - nothing panics, and every run ends in one of the binary's exit classes (0 success,
//!   1 a gate failed, 2 not run), an input error naming its input;
//! - each control's current score plus its potential increase is its max, and the
//!   potential percentages add up to 100 − the score;
//! - the JSON and SARIF outputs parse, the HTML and JUnit outputs hold no element the
//!   inventory put there (inputs carry `<x-fuzz` markers, from the dictionaries), the
//!   table and JUnit outputs no control character but line breaks;
//! - the same input gives the same bytes twice, and in either order of its two halves.
//!
//! The main crate's test suite includes this file (`tests/fuzz_inputs.rs`) and runs every
//! seed and every input that once failed through it, so it is compiled and kept working
//! with the library, and a crash found by a campaign stays a regression test.

use securescore::catalog::{Catalog, CATALOG_JSON};
use securescore::commands::assess::control_details;
use securescore::date::Date;
use securescore::diag::{Diagnostics, Level};
use securescore::diff::{diff, Diff};
use securescore::evaluation::{evaluate, ExportedWeights, ReportExtras, ScoringRequest};
use securescore::explain::Explanation;
use securescore::findings::{findings, Findings};
use securescore::gate;
use securescore::groups::GroupBy;
use securescore::load::source::{decode, InputSpec};
use securescore::load::{load, LoadOptions, DEFAULT_PIECE_SIZE};
use securescore::model::Model;
use securescore::plan::{plan, Goal};
use securescore::render::{render, Document, Format, RenderOptions, Style};
use securescore::report::{Report, WarningOut};
use securescore::score::ScoringModel;
use securescore::select::Filters;
use securescore::Outcome;
use serde_json::Value;
use std::sync::OnceLock;

/// Every output format; each document is rendered in each.
const FORMATS: [Format; 7] = Format::ALL;

/// The marker the dictionaries put into inputs: an element of this name in HTML output
/// would be the inventory's markup, unescaped.
const MARKER: &str = "<x-fuzz";

/// `assess --fail-under` threshold, so that the gate's exit class 1 is reached too.
const FAIL_UNDER: f64 = 50.0;

/// Native inventory loading: load, score and the report's invariants.
pub fn native(data: &[u8]) {
    loading(data);
}

/// Azure shape loading (REST pages, Resource Graph rows, JSON Lines): the same checks as
/// [`native`]; the target differs in its seeds and dictionary.
pub fn azure(data: &[u8]) {
    loading(data);
}

/// The fast path against the exact one: the input read whole and as a pipe, with the
/// fast scanners on one thread and on two with tiny pieces, gives the same model and the
/// same diagnostics, in the same order with the same places and words, as the serde path
/// alone on one thread.
pub fn fast_native(data: &[u8]) {
    let name = format!("fuzz.{}", extension_of(data));
    let exact = LoadOptions {
        threads: 1,
        fast_scan: false,
        ..LoadOptions::default()
    };
    // Tiny pieces, of a size fixed by the input, cut lines anywhere.
    let piece_size = 1 + data.first().map_or(0, |&b| usize::from(b % 16));
    let fast = [(1, LoadOptions::default().piece_size), (2, piece_size), (3, 1)];
    let mut inputs = vec![InputSpec::Piped {
        name: name.clone(),
        bytes: data.to_vec(),
    }];
    if let Ok(text) = std::str::from_utf8(data) {
        inputs.push(spec(&name, text));
    }
    for input in inputs {
        let expected = loaded(&input, &exact);
        for (threads, piece_size) in fast {
            let options = LoadOptions {
                threads,
                piece_size,
                ..exact.clone()
            };
            let got = loaded(
                &input,
                &LoadOptions {
                    fast_scan: true,
                    ..options
                },
            );
            assert!(
                got == expected,
                "the fast path ({threads} threads, pieces of {piece_size} bytes) differs from the serde path: \
                 {got:?}\n{expected:?}"
            );
        }
    }
}

/// The configuration file parser: any text gives a configuration or one error that
/// names the file and a line of the text (never a panic), the same both times it is
/// read; a configuration read then runs as `assess` runs it on a small inventory (its
/// defaults under an empty command line, its local exemptions applied), with the
/// report's invariants, and every local exemption is either in effect, expired or
/// unused as its warnings say.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let parsed = securescore::config::parse(text, "fuzz.toml");
    assert!(
        parsed == securescore::config::parse(text, "fuzz.toml"),
        "the same configuration read twice differs"
    );
    let config = match parsed {
        Ok(config) => config,
        Err(d) => {
            assert_eq!(
                d.level,
                Level::Error,
                "a configuration error that is no error: {d}"
            );
            assert_eq!(
                d.file.as_deref(),
                Some("fuzz.toml"),
                "an error that names no file: {d}"
            );
            let lines = text.split('\n').count();
            assert!(
                d.line.is_some_and(|l| (1..=lines).contains(&l)),
                "an error at no line of the text: {d}"
            );
            return;
        }
    };
    // A configuration that asks for what cannot be scored (a weighting under a model that
    // weighs no scopes) is a usage error: nothing to check beyond its reading.
    let Ok(request) = securescore::config::merge(&Default::default(), &config.defaults) else {
        return;
    };
    let (mut model, mut diags) = load_with(&[spec("inventory.json", CONFIG_INVENTORY)], false);
    assert_eq!(diags.error_count(), 0, "the fixed inventory loads");
    let as_of = request.as_of();
    let uses = securescore::local_exemptions::apply(&mut model, &config.exemptions, as_of)
        .expect("a handful of exemptions fit");
    let warnings = securescore::local_exemptions::warnings(&config.exemptions, &uses, as_of, "fuzz.toml");
    let rows = securescore::report::local_exemption_rows(&config.exemptions, &uses, as_of);
    for (i, e) in config.exemptions.iter().enumerate() {
        let listed = rows.iter().any(|r| r.entry == e.entry);
        let label = format!("local exemption {} (", e.entry);
        let warned = warnings.iter().any(|w| w.message.starts_with(&label));
        assert!(
            listed != warned || (listed && warned && uses.covered[i] == 0),
            "local exemption {} is neither in effect nor warned of, or expired and in effect",
            e.entry
        );
        assert!(
            uses.decided[i] <= uses.covered[i],
            "an entry decides more than it covers"
        );
    }
    let Ok(evaluation) = evaluate(&model, &request, &mut diags) else {
        return;
    };
    let report = evaluation.report(
        &model,
        ReportExtras {
            local_exemptions: Some(rows),
            config: Some(config.file.clone()),
            ..ReportExtras::default()
        },
    );
    check_report(&report);
    let mut bytes = Vec::new();
    // SARIF shows each exempt finding, local exemptions too, as a suppressed result.
    let found = findings(&model, &evaluation.options, evaluation.selection.as_ref());
    every_format(&report_doc(&report, &[], Some(&found)), &mut bytes);
}

/// The inventory the `config` target applies configurations to: two subscriptions, an
/// Azure id in two spellings, another id, a data exemption, a preview recommendation.
const CONFIG_INVENTORY: &str = r#"{
  "subscriptions": [{"id": "s1", "name": "prod", "management_groups": ["corp"]}, {"id": "s2", "name": "dev"}],
  "controls": [{"id": "c1", "name": "Control one", "max_score": 6, "recommendations": ["r1", "r2"]},
               {"id": "c2", "name": "Enable MFA", "max_score": 4, "recommendations": ["r2", "r3"]}],
  "recommendations": [{"id": "r3", "preview": true, "severity": "high"}],
  "assessments": [
    {"resource": "/subscriptions/s1/resourceGroups/legacy/providers/p/vm1", "recommendation": "r1", "status": "unhealthy"},
    {"resource": "/SUBSCRIPTIONS/s1/resourcegroups/legacy/providers/p/vm2", "recommendation": "r2", "status": "healthy"},
    {"resource": "/subscriptions/s1/resourceGroups/app/providers/p/vm3", "recommendation": "r1", "status": "healthy",
     "exemption": {"category": "waiver", "expires": "2027-01-31"}},
    {"resource": "/subscriptions/s2/resourceGroups/app/providers/p/vm4", "recommendation": "r3", "status": "unhealthy"},
    {"resource": "arn:aws:s3:::bucket", "recommendation": "r2", "status": "unhealthy"}
  ]
}"#;

/// The model (its debug form shows every part) and the diagnostics, unsorted, of one
/// input loaded with `options`.
fn loaded(input: &InputSpec, options: &LoadOptions) -> (String, Vec<securescore::diag::Diagnostic>) {
    let mut diags = Diagnostics::default();
    // No catalog: what is compared is how the input is read, and the model's debug form
    // stays short.
    let model = load(
        std::slice::from_ref(input),
        &Catalog::empty(),
        options,
        &mut diags,
    );
    (format!("{model:?}"), diags.items().to_vec())
}

/// The Azure listing scanner against the exact serde path (`load/azure_fast.rs`): read
/// with the scanner, on one thread and on two with tiny pieces, the bytes give the same
/// report and the same diagnostics, to the byte, as read the exact way.
pub fn fast_azure(data: &[u8]) {
    let Some(text) = text_of(data) else { return };
    // Piece sizes from the input, so that the fuzzer moves the guessed boundaries too.
    let small = 1 + data.len() % 17;
    differential(text, &[(1, DEFAULT_PIECE_SIZE), (2, small), (2, 3 * small + 40)]);
}

/// Loads `text` (as a `.json` file) the exact way and with the fast scanners on, once per
/// `(threads, piece size)`, and panics unless every reading gives the exact one's bytes.
pub fn differential(text: &str, variants: &[(usize, usize)]) {
    let inputs = [spec("fuzz.json", text)];
    let exact = outcome_with(
        &inputs,
        &LoadOptions {
            fast_scan: false,
            threads: 1,
            ..LoadOptions::default()
        },
    );
    for &(threads, piece_size) in variants {
        let options = LoadOptions {
            fast_scan: true,
            threads,
            piece_size,
            ..LoadOptions::default()
        };
        let fast = outcome_with(&inputs, &options);
        assert!(
            fast == exact,
            "read fast ({threads} threads, pieces of {piece_size} bytes) and exactly, the outcome differs:\n{fast:#?}\n{exact:#?}"
        );
    }
}

/// Every diagnostic as printed, and `assess`'s JSON report (without its warnings, which
/// are among the diagnostics) when there was no error.
fn outcome_with(inputs: &[InputSpec], options: &LoadOptions) -> (Vec<String>, Option<String>) {
    let mut diags = Diagnostics::default();
    let model = load(inputs, catalog(), options, &mut diags);
    diags.sort_by_location(&model.inputs);
    let mut report = None;
    if diags.error_count() == 0 {
        let request = ScoringRequest {
            as_of: Date::parse("2026-11-22").ok(),
            ..ScoringRequest::default()
        };
        report = Some(match evaluate(&model, &request, &mut diags) {
            Ok(evaluation) => {
                let extras = ReportExtras::default();
                let report = evaluation.report(&model, extras);
                String::from_utf8_lossy(&rendered(Format::Json, &report_doc(&report, &[], None))).into_owned()
            }
            Err(e) => format!("{e:#}"),
        });
    }
    let mut shown: Vec<String> = diags.items().iter().map(|d| d.to_string()).collect();
    shown.push(format!(
        "{} errors, {} not kept",
        diags.error_count(),
        diags.dropped()
    ));
    (shown, report)
}

/// Load → score → every document in every format: the report (with groups and the HTML
/// drill-downs), the plan, a diff of the input with itself and the validation report;
/// and the input's two halves in either order.
pub fn render_all(data: &[u8]) {
    let Some(text) = text_of(data) else { return };
    let extension = extension_of(data);
    let inputs = [spec(&format!("fuzz.{extension}"), text)];
    let first = pipeline(&inputs, Depth::Everything);
    assert!(first == pipeline(&inputs, Depth::Everything), "two runs differ");
    let (a, b) = halves(text);
    if !a.trim().is_empty() && !b.trim().is_empty() {
        let (a_name, b_name) = (format!("a.{extension}"), format!("b.{extension}"));
        let ab = [spec(&a_name, a), spec(&b_name, b)];
        let ba = [spec(&b_name, b), spec(&a_name, a)];
        let (one, two) = (pipeline(&ab, Depth::Report), pipeline(&ba, Depth::Report));
        assert_eq!(one.class, two.class, "the halves' order changes the exit class");
        assert!(one.scored == two.scored, "the halves' order changes the report");
    }
}

/// The checks of the loading targets: the assess pipeline on the bytes read whole and
/// read as a pipe, a few at a time, giving the same result (and bytes that are not UTF-8
/// an error); and `validate` agreeing with assess about whether there is an error.
fn loading(data: &[u8]) {
    let name = format!("fuzz.{}", extension_of(data));
    let pipe = InputSpec::Piped {
        name: name.clone(),
        bytes: data.to_vec(),
    };
    let piped = pipeline(&[pipe], Depth::Report);
    let Some(text) = text_of(data) else {
        assert_eq!(piped.class, 2, "bytes that are not UTF-8 were read from a pipe");
        return;
    };
    // Two runs from the same bytes, through both readers (the render target runs the
    // same reader twice, and compares every byte written).
    let inputs = [spec(&name, text)];
    let first = pipeline(&inputs, Depth::Report);
    assert_eq!(
        first.class, piped.class,
        "read whole and as a pipe, the exit class differs"
    );
    assert!(
        first.problems == piped.problems,
        "read whole and as a pipe, the problems differ: {:?} and {:?}",
        first.problems,
        piped.problems
    );
    assert!(
        first.scored == piped.scored,
        "read whole and as a pipe, the report differs"
    );
    let (model, diags) = load_with(&inputs, true);
    // Counts rows of recommendations are refused by the (classic) scoring, and by
    // `validate` under its model, not by loading.
    let mismatch = securescore::evaluation::check_row_model(&model, Default::default(), None).is_err();
    assert_eq!(
        diags.error_count() > 0 || mismatch,
        first.class == 2,
        "validate and assess disagree about an error"
    );
}

/// The extension an input is named with, so that both readers are fuzzed: JSON Lines
/// (`jsonl`) for an odd length, JSON documents (`json`) for an even one.
fn extension_of(data: &[u8]) -> &'static str {
    if data.len() % 2 == 1 {
        "jsonl"
    } else {
        "json"
    }
}

/// The input as text, when it is UTF-8; otherwise decoding it must fail with a message
/// (what any input that is not UTF-8 ends in), and there is nothing more to check.
fn text_of(data: &[u8]) -> Option<&str> {
    match std::str::from_utf8(data) {
        Ok(text) => Some(text),
        Err(_) => {
            let error = decode("fuzz.json", data, 2).err();
            assert!(
                error.is_some_and(|d| !d.message.is_empty()),
                "bytes that are not UTF-8 decoded"
            );
            None
        }
    }
}

/// The text split at the line break nearest its middle (the whole text and nothing when
/// it has none).
fn halves(text: &str) -> (&str, &str) {
    let mut middle = text.len() / 2;
    while !text.is_char_boundary(middle) {
        middle -= 1;
    }
    let before = text[..middle].rfind('\n');
    let after = text[middle..].find('\n').map(|i| i + middle);
    let at = match (before, after) {
        (Some(b), Some(a)) if middle - b <= a - middle => b,
        (_, Some(a)) => a,
        (Some(b), None) => b,
        (None, None) => text.len(),
    };
    text.split_at(at)
}

fn spec(name: &str, text: &str) -> InputSpec {
    InputSpec::Text {
        name: name.to_string(),
        text: text.to_string(),
    }
}

/// The built-in catalog with each control cut to its first [`MEMBERS`] recommendations,
/// parsed once. Every load merges the whole catalog into its model, which would take most
/// of a run's time (a millisecond per run for the command, four under the fuzzer's
/// instrumentation); every control is kept, and the code that merges is the same.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut full: Value = serde_json::from_str(CATALOG_JSON).expect("the built-in catalog parses");
        let mut kept = std::collections::BTreeSet::new();
        for control in full["controls"].as_array_mut().into_iter().flatten() {
            if let Some(members) = control["recommendations"].as_array_mut() {
                members.truncate(MEMBERS);
                kept.extend(members.iter().filter_map(Value::as_str).map(str::to_string));
            }
        }
        if let Some(recommendations) = full["recommendations"].as_array_mut() {
            recommendations.retain(|r| r["id"].as_str().is_some_and(|id| kept.contains(id)));
        }
        Catalog::parse(&full.to_string()).expect("the cut catalog parses")
    })
}

/// How many recommendations of each built-in control the fuzzed loads know.
const MEMBERS: usize = 3;

/// Loads as `commands::load_inputs` does, with `validate`'s options or `assess`'s.
fn load_with(inputs: &[InputSpec], validate: bool) -> (Model, Diagnostics) {
    let options = LoadOptions {
        report_unknown_keys: validate,
        ..LoadOptions::default()
    };
    let mut diags = Diagnostics::default();
    let model = load(inputs, catalog(), &options, &mut diags);
    diags.sort_by_location(&model.inputs);
    (model, diags)
}

/// How much of the library one run goes through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Depth {
    /// `assess`'s report, not rendered.
    Report,
    /// Every command's document in every format.
    Everything,
}

/// What one run gave: its exit class, the report without its warnings (which name the
/// inputs, so differ with their order), and every byte written.
#[derive(PartialEq)]
struct Run {
    class: u8,
    scored: Option<Report>,
    /// Every diagnostic's code and place.
    problems: Vec<(&'static str, Option<usize>, Option<usize>)>,
    bytes: Vec<Vec<u8>>,
}

/// The exit code `main.rs` gives a command's result.
fn exit_class(result: &anyhow::Result<Outcome>) -> u8 {
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::GateFailed(reasons)) => {
            assert!(!reasons.is_empty(), "a failed gate without a reason");
            1
        }
        Err(e) => {
            assert!(!format!("{e:#}").is_empty(), "an error without a message");
            2
        }
    }
}

/// Runs `assess` (and at [`Depth::Everything`] the other commands) on `inputs`, checking
/// every invariant on the way.
fn pipeline(inputs: &[InputSpec], depth: Depth) -> Run {
    let mut run = Run {
        class: 0,
        scored: None,
        problems: Vec::new(),
        bytes: Vec::new(),
    };
    let result = assess(inputs, depth, &mut run);
    run.class = exit_class(&result);
    if let Err(e) = result {
        run.bytes.push(format!("{e:#}").into_bytes());
    }
    run
}

fn assess(inputs: &[InputSpec], depth: Depth, run: &mut Run) -> anyhow::Result<Outcome> {
    let (mut model, mut diags) = load_with(inputs, false);
    if depth == Depth::Everything {
        let validation = securescore::validation::report(&model, &diags);
        every_format(&Document::Validation(&validation), &mut run.bytes);
    }
    run.problems = problems(&diags);
    if diags.error_count() > 0 {
        for d in diags.items().iter().filter(|d| d.level == Level::Error) {
            assert!(d.file.is_some(), "an input error that names no input: {d}");
            run.bytes.push(d.to_string().into_bytes());
        }
        anyhow::bail!("{} input error(s)", diags.error_count());
    }
    let request = ScoringRequest {
        as_of: Some(Date::parse("2026-11-22").map_err(anyhow::Error::msg)?),
        ..ScoringRequest::default()
    };
    let evaluation = evaluate(&model, &request, &mut diags)?;
    run.problems = problems(&diags);
    let groups = evaluation.group_scores(&model, &GroupBy::Subscription).ok();
    for g in groups.iter().flatten() {
        check_percentage(g.score.percentage);
    }
    let verdict = gate::fail_under(FAIL_UNDER, evaluation.score.percentage, &model.incomplete);
    let report = evaluation.report(
        &model,
        ReportExtras {
            warnings: diags.warnings().map(WarningOut::from).collect(),
            gate: Some(securescore::report::GateOut::new(std::slice::from_ref(&verdict))),
            groups,
            ..ReportExtras::default()
        },
    );
    check_report(&report);
    check_recommendation_models(&model, &request, depth, &mut run.bytes)?;
    run.scored = Some(Report {
        warnings: Vec::new(),
        ..report.clone()
    });
    match depth {
        Depth::Report => {}
        Depth::Everything => {
            let details = control_details(&model, &evaluation, &report);
            let found = findings(&model, &evaluation.options, evaluation.selection.as_ref());
            every_format(&report_doc(&report, &details, Some(&found)), &mut run.bytes);
            for explanation in &details {
                every_format(&Document::Explanation(explanation), &mut run.bytes);
            }
            let options = request.options(ExportedWeights::Ignored);
            let comparison = diff(&model, &model, &options, options.as_of, &Filters::default());
            if let Ok(comparison) = comparison {
                assert!(comparison.change == 0.0, "an inventory differs from itself");
                let same = Diff::new(comparison, None, Vec::new());
                every_format(&Document::Diff(&same), &mut run.bytes);
            }
            if evaluation.require_resource_level(&model, "plan").is_ok() {
                for goal in [Goal::Steps(3), Goal::Target(100.0)] {
                    let selection = evaluation.selection.as_ref();
                    let steps = plan(&mut model, &evaluation.options, selection, goal);
                    every_format(&Document::Plan(&steps), &mut run.bytes);
                }
            }
        }
    }
    Ok(gate::outcome([&verdict]))
}

/// Every diagnostic's code and place.
fn problems(diags: &Diagnostics) -> Vec<(&'static str, Option<usize>, Option<usize>)> {
    diags.items().iter().map(|d| (d.code, d.line, d.column)).collect()
}

fn report_doc<'a>(
    report: &'a Report,
    details: &'a [Explanation],
    findings: Option<&'a Findings>,
) -> Document<'a> {
    Document::Report {
        report,
        details,
        trend: None,
        findings,
    }
}

/// Renders `doc` in every format, checking each output, and keeps the bytes.
fn every_format(doc: &Document, bytes: &mut Vec<Vec<u8>>) {
    for format in FORMATS {
        bytes.push(rendered(format, doc));
    }
}

/// `doc` in `format`, checked: JSON parses, HTML holds no element from the input, the
/// table and markdown no terminal control character (markdown no element from the input
/// either), CSV none in a record, each ended by CRLF.
fn rendered(format: Format, doc: &Document) -> Vec<u8> {
    let options = RenderOptions {
        style: Style {
            color: false,
            width: 100,
        },
        top: None,
    };
    let mut out = Vec::new();
    if let Err(e) = render(format, doc, &options, &mut out) {
        assert!(
            e.kind() == std::io::ErrorKind::Unsupported,
            "rendering failed: {e}"
        );
        return out;
    }
    match format {
        Format::Json | Format::Sarif => {
            let parsed = serde_json::from_slice::<Value>(&out);
            assert!(parsed.is_ok(), "the {format:?} output does not parse: {parsed:?}");
        }
        Format::Junit => {
            let xml = String::from_utf8_lossy(&out).to_ascii_lowercase();
            assert!(
                !xml.contains(MARKER),
                "the JUnit output holds an element from the input"
            );
            let raw = xml.chars().find(|&c| c != '\n' && unsafe_on_a_terminal(c));
            assert!(raw.is_none(), "the JUnit output holds {raw:?}");
        }
        Format::Html => {
            let html = String::from_utf8_lossy(&out).to_ascii_lowercase();
            assert!(
                !html.contains(MARKER),
                "the HTML output holds an element from the input"
            );
        }
        Format::Table => {
            let text = String::from_utf8_lossy(&out);
            let raw = text.chars().find(|&c| c != '\n' && unsafe_on_a_terminal(c));
            assert!(raw.is_none(), "the table output holds {raw:?}");
        }
        Format::Markdown => {
            let text = String::from_utf8_lossy(&out);
            assert!(
                !text.to_ascii_lowercase().contains(MARKER),
                "the markdown output holds an element from the input"
            );
            let raw = text.chars().find(|&c| c != '\n' && unsafe_on_a_terminal(c));
            assert!(raw.is_none(), "the markdown output holds {raw:?}");
        }
        Format::Csv => {
            let text = String::from_utf8_lossy(&out);
            assert!(text.ends_with("\r\n"), "a CSV record without its CRLF");
            for record in text.split_terminator("\r\n") {
                let raw = record.chars().find(|&c| unsafe_on_a_terminal(c));
                assert!(raw.is_none(), "a CSV record holds {raw:?}");
            }
        }
    }
    out
}

/// A character that could drive a terminal or reorder what it shows (what
/// `text::terminal_safe` escapes).
fn unsafe_on_a_terminal(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// A percentage is absent or within 0..=100.
fn check_percentage(p: Option<f64>) {
    if let Some(p) = p {
        assert!(
            (-1e-9..=100.0 + 1e-9).contains(&p),
            "percentage {p} outside 0..=100"
        );
    }
}

/// The report of each model whose rows are recommendations (SPEC §7) holds its
/// invariants too, and every format writes it.
fn check_recommendation_models(
    model: &Model,
    request: &ScoringRequest,
    depth: Depth,
    bytes: &mut Vec<Vec<u8>>,
) -> anyhow::Result<()> {
    for which in [ScoringModel::V1, ScoringModel::PassRate] {
        let request = ScoringRequest {
            model: which,
            ..request.clone()
        };
        let evaluation = evaluate(model, &request, &mut Diagnostics::default())?;
        if let Ok(groups) = evaluation.group_scores(model, &GroupBy::Subscription) {
            for g in &groups {
                check_percentage(g.score.percentage);
            }
        }
        let report = evaluation.report(model, ReportExtras::default());
        check_report(&report);
        if depth == Depth::Everything {
            let found = findings(model, &evaluation.options, evaluation.selection.as_ref());
            every_format(&report_doc(&report, &[], Some(&found)), bytes);
        }
    }
    Ok(())
}

/// One control's figures, as the report gives them.
struct Figures<'a> {
    id: &'a str,
    applicable: bool,
    max: f64,
    current: f64,
    potential: f64,
    share: f64,
}

/// The report's figures agree (see [`check_figures`]).
fn check_report(report: &Report) {
    let controls = report.control_rows().iter().map(|c| Figures {
        id: &c.id,
        applicable: c.applicable,
        max: c.max_score,
        current: c.current_score,
        potential: c.potential_increase,
        share: c.potential_increase_percentage,
    });
    let recommendations = report.recommendation_rows().iter().map(|r| Figures {
        id: &r.id,
        applicable: r.applicable,
        max: r.max_score,
        current: r.current_score,
        potential: r.potential_increase,
        share: r.potential_increase_percentage,
    });
    check_figures(report.score.percentage, controls.chain(recommendations));
}

/// Per applicable control current + potential = max (when the score is defined), an
/// inapplicable one has neither, and the potential percentages add up to 100 − score.
fn check_figures<'a>(percentage: Option<f64>, controls: impl Iterator<Item = Figures<'a>>) {
    check_percentage(percentage);
    let mut potential_sum = 0.0;
    for c in controls {
        let Figures {
            id,
            max,
            current,
            potential,
            share,
            ..
        } = c;
        let tolerance = 1e-9 * max.abs().max(1.0);
        assert!(
            current >= -tolerance && current <= max + tolerance,
            "{id}: current {current} outside 0..={max}"
        );
        if c.applicable && percentage.is_some() {
            assert!(
                (current + potential - max).abs() <= tolerance,
                "{id}: {current} + {potential} != {max}"
            );
        } else if !c.applicable {
            assert!(
                current == 0.0 && potential == 0.0 && share == 0.0,
                "{id}: inapplicable but scored"
            );
        }
        assert!(share >= -1e-9, "{id}: potential percentage {share}");
        potential_sum += share;
    }
    let expected = percentage.map_or(0.0, |p| 100.0 - p);
    assert!(
        (potential_sum - expected).abs() <= 1e-6,
        "potential percentages sum to {potential_sum}, not {expected}"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_split_at_the_line_break_nearest_the_middle() {
        assert_eq!(halves("ab\ncdef\ngh\n"), ("ab\ncdef", "\ngh\n"));
        assert_eq!(halves("{\"a\": 1}"), ("{\"a\": 1}", ""));
        // The middle inside a character of several bytes (a fuzzer's find).
        assert_eq!(halves("\u{feff}\n"), ("\u{feff}", "\n"));
    }

    #[test]
    fn bytes_that_are_not_utf8_are_refused_before_loading() {
        assert!(text_of(b"{\"a\": \"\xff\"}").is_none());
        assert!(text_of(b"\xff\xfe{\0}\0").is_none());
        assert_eq!(text_of(b"{}"), Some("{}"));
    }

    #[test]
    fn a_pipe_read_a_few_bytes_at_a_time_gives_what_the_whole_text_gives() {
        let inventory = r#"{"controls": [{"id": "c", "max_score": 6, "recommendations": ["r"]}],
            "assessments": [{"resource": "/subscriptions/s/x", "recommendation": "r", "status": "healthy"},
                            {"resource": "/subscriptions/s/y", "recommendation": "r", "status": "unhealthy"}]}"#;
        let pipe = InputSpec::Piped {
            name: "p.json".to_string(),
            bytes: inventory.as_bytes().to_vec(),
        };
        let piped = pipeline(&[pipe], Depth::Report);
        let whole = pipeline(&[spec("p.json", inventory)], Depth::Report);
        // One of two resources healthy: 100 × 3 / 6 = 50%, which passes --fail-under 50.
        let percentage = |run: &Run| run.scored.as_ref().and_then(|r| r.score.percentage);
        assert_eq!((piped.class, percentage(&piped)), (0, Some(50.0)));
        assert!(piped == whole);
        let broken = InputSpec::Piped {
            name: "p.json".to_string(),
            bytes: b"{\"assessments\": [\"\xff\"]}".to_vec(),
        };
        assert_eq!(pipeline(&[broken], Depth::Report).class, 2);
    }

    #[test]
    fn report_figures_that_disagree_are_caught() {
        let check = |current: f64, share: f64| {
            let control = Figures {
                id: "c",
                applicable: true,
                max: 6.0,
                current,
                potential: 0.96,
                share,
            };
            check_figures(Some(84.0), std::iter::once(control));
        };
        // 5.04 + 0.96 = 6 and 100 − 84 = 16: consistent.
        check(5.04, 16.0);
        let caught = |current, share| std::panic::catch_unwind(|| check(current, share)).is_err();
        assert!(caught(5.0, 16.0), "current + potential != max");
        assert!(caught(5.04, 15.0), "potentials sum to 15, not 16");
    }
}
