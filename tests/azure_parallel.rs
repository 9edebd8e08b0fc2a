//! Resource Graph results and ARM pages read on every core by the listing scanner
//! (`load/azure_scan.rs`, `load/azure_fast.rs`) give byte-identical reports and
//! diagnostics to the exact serde path, read on one thread: on random inventories,
//! pretty-printed and compact, with CRLF line ends, a byte-order mark, characters of
//! several bytes, rows of other types and rows only the exact path reads, cut into pieces
//! of every small size (so that a piece boundary falls at every kind of place); and an
//! error in the middle of a big result is placed where the exact path places it.

#[path = "common/rng.rs"]
mod rng;
use rng::Rng;

#[path = "../fuzz/src/lib.rs"]
#[allow(dead_code)]
mod harness;

use securescore::catalog::Catalog;
use securescore::diag::Diagnostics;
use securescore::load::source::InputSpec;
use securescore::load::{load, LoadOptions};

/// Recommendations: of built-in controls (as the fuzz harness's cut catalog keeps them,
/// one in upper case), and one of no control.
const KEYS: [&str; 5] = [
    "ffff0522-1e88-47fc-8382-2a80ba848f5d",
    "805651bc-6ecd-4c73-9b55-97a19d0582d0",
    "94290B00-4D0C-D7B4-7CEA-064A9554E681",
    "1f24d55a-df0f-4772-9090-4629c2d6bfff",
    "custom-recommendation",
];

/// Display names: plain, with escapes, with characters of two, three and four bytes.
const NAMES: [&str; 5] = [
    "Machines should be patched",
    r#"MFA should be enabled for the \"root\" account"#,
    "Chiffrement des donn\u{e9}es au repos",
    "\u{65e5}\u{672c}\u{8a9e} \u{1F512} lock",
    r"Slash \/ and tab \t escaped",
];

const SUBSCRIPTIONS: [&str; 3] = [
    "cd613e30-d8f1-4adf-91b7-584a2265b1f5",
    "1E2FEB89-414C-443C-9027-C4D1C386BBC4",
    "00000000-0000-0000-0000-000000000003",
];

/// One row, as a JSON object written compactly (the document is re-indented later);
/// with `errors`, some rows are errors of the exact path.
fn row(rng: &mut Rng, i: usize, errors: bool) -> String {
    let sub = rng.pick(&SUBSCRIPTIONS);
    let k = rng.below(KEYS.len());
    let key = KEYS[k];
    let resource = format!(
        "/subscriptions/{sub}/resourceGroups/rg-{}/providers/Microsoft.Compute/virtualMachines/vm-{}",
        rng.below(4),
        rng.below(40)
    );
    let id = format!("{resource}/providers/Microsoft.Security/assessments/{key}");
    let code = rng.pick(&["Healthy", "Unhealthy", "NotApplicable", "Unhealthy"]);
    let cause = if rng.percent(15) { "Exempt" } else { "" };
    // Most rows of a recommendation repeat its metadata; some differ from the others.
    let varies = rng.percent(4);
    let name = if varies { rng.pick(&NAMES) } else { NAMES[k] };
    let severity = ["Low", "High", "Medium"][if varies { rng.below(3) } else { k % 3 }];
    let description = if rng.percent(3) {
        format!("A description that differs {}", rng.below(3))
    } else {
        format!("Reduce the attack surface of {key}")
    };
    let metadata = format!(
        r#"{{"assessmentType":"BuiltIn","categories":["Compute"],"description":"{description}","displayName":"{name}","severity":"{severity}","threats":[],"userImpact":"Low"}}"#
    );
    let details = match rng.below(10) {
        0 => format!(
            r#"{{"source":"OnPremise","machineName":"m-{}","workspaceId":"/subscriptions/{sub}/resourceGroups/r/providers/Microsoft.OperationalInsights/workspaces/w"}}"#,
            rng.below(5)
        ),
        1 => r#"{"Source":"Aws","AwsResourceId":"arn:aws:s3:::bucket","ConnectorId":"conn-1"}"#.to_string(),
        _ => {
            format!(r#"{{"Id":"{resource}","ResourceId":"{resource}","ResourceName":"vm","Source":"Azure"}}"#)
        }
    };
    let mut props = format!(
        r#"{{"additionalData":{{}},"displayName":"{name}","links":{{"azurePortal":"portal.azure.com/#blade/x/{i}"}},"metadata":{metadata},"resourceDetails":{details},"status":{{"cause":"{cause}","code":"{code}","description":"","firstEvaluationDate":"2024-11-02T17:05:44.9021118Z"}},"statusPerInitiative":[{{"assessmentStatus":{{"cause":"","code":"Healthy"}},"policyInitiativeName":"ASC Default"}}]}}"#
    );
    let mut extra = String::new();
    match rng.below(if errors { 60 } else { 30 }) {
        // An escaped key that spells one read.
        0 => extra = r#","na\u006de":"escaped-name""#.to_string(),
        // Deep but valid nesting where nothing is read.
        1 => extra = r#","tags":{"a":[[[{"b":[1,-0.5e+3,true,false,null]}]]]}"#.to_string(),
        // A field read given twice, once null.
        2 => extra = r#","Type":null"#.to_string(),
        // A key twice in different cases: an error of the exact path.
        30 => extra = format!(r#","Name":"{key}""#),
        // No status: an error.
        31 => props = props.replace(r#""status":{"#, r#""state":{"#),
        // A value of an unexpected type.
        32 => extra = r#","subscriptionId":42"#.to_string(),
        // A status code that is none.
        33 => props = props.replace(code, "healthy-ish"),
        _ => {}
    }
    let kind = match rng.below(40) {
        0 => "Microsoft.Security/pricings",
        1 => "microsoft.security/assessmentmetadata",
        _ => "microsoft.security/assessments",
    };
    format!(
        r#"{{"extendedLocation":null,"id":"{id}","identity":null,"kind":"","name":"{key}","plan":null,"properties":{props},"subscriptionId":"{sub}","tags":null,"type":"{kind}"{extra}}}"#
    )
}

/// How a document is written.
#[derive(Clone, Copy, Debug)]
struct Layout {
    pretty: bool,
    crlf: bool,
    bom: bool,
    graph: bool,
    errors: bool,
}

/// A listing of `rows` random rows, laid out as `layout` says.
fn document(rng: &mut Rng, rows: usize, layout: Layout) -> String {
    let rows: Vec<String> = (0..rows).map(|i| row(rng, i, layout.errors)).collect();
    let body = format!("[{}]", rows.join(","));
    let compact = if layout.graph {
        format!(
            r#"{{"count":{n},"data":{body},"skip_token":null,"total_records":{n}}}"#,
            n = rows.len()
        )
    } else {
        format!(r#"{{"value":{body},"nextLink":null}}"#)
    };
    let mut text = if layout.pretty {
        let value: serde_json::Value = serde_json::from_str(&compact).unwrap();
        serde_json::to_string_pretty(&value).unwrap()
    } else {
        compact
    };
    if layout.crlf {
        text = text.replace('\n', "\r\n");
    }
    if layout.bom {
        text.insert(0, '\u{FEFF}');
    }
    text.push('\n');
    text
}

/// Every (threads, piece size) the documents are read with.
fn variants() -> Vec<(usize, usize)> {
    let mut v = Vec::new();
    for threads in [1, 2, 4] {
        for size in [1, 2, 3, 5, 8, 13, 40, 97, 300, 1000, 4096] {
            v.push((threads, size));
        }
    }
    v
}

#[test]
fn random_listings_read_in_parallel_give_the_exact_bytes() {
    let mut rng = Rng(20_261_201);
    for case in 0..24 {
        let layout = Layout {
            pretty: case % 2 == 0,
            crlf: case % 3 == 1,
            bom: case % 4 == 3,
            graph: case % 5 != 4,
            errors: case % 6 == 5,
        };
        let rows = 1 + rng.below(60);
        let text = document(&mut rng, rows, layout);
        let caught = std::panic::catch_unwind(|| harness::differential(&text, &variants()));
        assert!(caught.is_ok(), "case {case} ({layout:?}) differs:\n{text}");
    }
}

/// A multi-byte character right where a piece would be cut, for every cut.
#[test]
fn a_character_of_several_bytes_at_every_split() {
    let mut rng = Rng(7);
    let layout = Layout {
        pretty: true,
        crlf: false,
        bom: false,
        graph: true,
        errors: false,
    };
    let text = document(&mut rng, 30, layout).replace("rg-", "r\u{e9}\u{1F512}-");
    let variants: Vec<(usize, usize)> = (1..=64).map(|size| (2, size)).collect();
    harness::differential(&text, &variants);
}

/// Several documents in one file (pages concatenated, one with a byte-order mark): the
/// boundaries guessed in one may fall in the next.
#[test]
fn concatenated_pages_read_in_parallel_give_the_exact_bytes() {
    let mut rng = Rng(11);
    let mut text = String::new();
    for (i, graph) in [true, false, true].into_iter().enumerate() {
        let layout = Layout {
            pretty: i != 1,
            crlf: false,
            bom: i == 2,
            graph,
            errors: false,
        };
        text.push_str(&document(&mut rng, 25, layout));
    }
    harness::differential(&text, &variants());
}

/// Documents the scanner must leave to the exact path, or give back to it part-way:
/// keys after the array that change the document's shape, a syntax error after it.
#[test]
fn documents_that_prove_otherwise_are_read_exactly() {
    let mut rng = Rng(3);
    let rows = document(
        &mut rng,
        4,
        Layout {
            pretty: false,
            crlf: false,
            bom: false,
            graph: false,
            errors: false,
        },
    );
    let body = &rows[rows.find('[').unwrap()..rows.rfind(']').unwrap() + 1];
    for text in [
        format!(r#"{{"count": 4, "data": {body}, "type": "x"}}"#),
        format!(r#"{{"count": 4, "data": {body}, "Count": 5}}"#),
        format!(r#"{{"count": 4, "data": {body}, "count": 5}}"#),
        format!(r#"{{"count": 4, "data": {body}, "total_records": -1}}"#),
        format!(r#"{{"count": 4, "data": {body}, "total_records": 4"#),
        // A syntax error right after the array (a fuzzer's find).
        format!(r#"{{"value": {body}]}}"#),
        format!(r#"{{"value": {body}, "data": []}}"#),
        format!(
            r#"{{"value": {body}, "nextLink": "https://management.azure.com/subscriptions/s/x?skip=1"}}"#
        ),
        format!(r#"{{"count": 4, "data": {body}, "skip_token": "abc"}}"#),
        format!(r#"{{"data": {body}, "count": 4}}"#),
        format!(
            r#"{{"count": 4, "data": {}}}"#,
            body.replacen("\"Healthy\"", "Healthy", 1)
        ),
        format!(r#"{{"count": 4, "data": {}}}"#, body.replacen(":", ":\u{1}", 1)),
    ] {
        harness::differential(&text, &variants());
    }
}

/// The error's (line, column) when `text` is loaded with `options`.
fn first_error(text: &str, options: &LoadOptions) -> (String, Option<usize>, Option<usize>) {
    let spec = InputSpec::Text {
        name: "big.json".to_string(),
        text: text.to_string(),
    };
    let mut diags = Diagnostics::default();
    load(&[spec], &Catalog::empty(), options, &mut diags);
    let d = &diags.items()[0];
    (d.code.to_string(), d.line, d.column)
}

#[test]
fn an_error_in_the_middle_of_a_big_result_is_placed_as_read_exactly() {
    // 30,000 rows of 11 lines each after a header of 3 lines ("{", "count", "data": [),
    // pretty-printed.
    let rows = 30_000;
    let mut text = format!("{{\n  \"count\": {rows},\n  \"data\": [\n");
    for i in 0..rows {
        let code = if i == 20_000 { "Healthy" } else { "\"Healthy\"" };
        text.push_str(&format!(
            "    {{\n      \"id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-{i}/providers/Microsoft.Security/assessments/k\",\n      \"name\": \"k\",\n      \"type\": \"microsoft.security/assessments\",\n      \"properties\": {{\n        \"resourceDetails\": {{\"Id\": \"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-{i}\"}},\n        \"status\": {{\n          \"code\": {code}\n        }}\n      }}\n    }}{}\n",
            if i + 1 < rows { "," } else { "" }
        ));
    }
    text.push_str("  ],\n  \"total_records\": 30000\n}\n");
    // Row 20,000 (counting from 0) starts on line 3 + 20,000 × 11 + 1 = 220,004; its
    // `"code": Healthy` is the row's 8th line, 220,011, where `Healthy` starts after 10
    // spaces and `"code": ` (8 bytes): column 19.
    let expected = ("malformed-json".to_string(), Some(220_011), Some(19));
    let exact = LoadOptions {
        fast_scan: false,
        threads: 1,
        ..LoadOptions::default()
    };
    assert_eq!(first_error(&text, &exact), expected);
    for (threads, piece_size) in [(1, 1 << 20), (2, 1 << 16), (4, 4096), (2, 333)] {
        let fast = LoadOptions {
            threads,
            piece_size,
            ..LoadOptions::default()
        };
        assert_eq!(
            first_error(&text, &fast),
            expected,
            "{threads} threads, pieces of {piece_size}"
        );
    }
}
