//! The configuration file (SPEC §9) end to end: where it is found, its defaults under the
//! command line, and its local exemptions over an Azure export, with the figures they
//! give computed by hand.

mod common;

use common::{assert_close, assert_exit, control, run};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The export of `fixtures/azure/local-exemptions.json` (one subscription; control A,
/// max 6, holds r1; control B, max 4, holds r2):
///
/// | resource | group  | r1        | r2        |
/// |----------|--------|-----------|-----------|
/// | vm1      | legacy | unhealthy | healthy   |
/// | vm2      | legacy | unhealthy | healthy   |
/// | vm3      | app    | healthy   | unhealthy |
/// | vm4      | app    | unhealthy | healthy   |
const EXPORT: &str = "fixtures/azure/local-exemptions.json";
const CONFIG: &str = "fixtures/config/azure-exemptions.toml";

fn json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {out:?}"))
}

/// The JSON output of `args` under the configuration's exemptions, which must have
/// exited 0.
fn json_with_config(args: &[&str]) -> Value {
    let mut args = args.to_vec();
    args.extend(["--config", CONFIG, "-f", "json"]);
    let out = run(&args);
    assert_exit(&out, 0);
    json(&out)
}

#[test]
fn without_the_configuration_the_export_scores_as_exported() {
    // A: H 1 (vm3), U 3 → 6 × 1/4 = 1.5; B: H 3, U 1 (vm3) → 4 × 3/4 = 3;
    // (1.5 + 3) / 10 = 45%.
    let out = run(&[
        "assess",
        EXPORT,
        "--as-of",
        "2026-11-22",
        "--no-config",
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    let r = json(&out);
    assert_close(&r["score"]["percentage"], 45.0);
    assert!(
        r.get("config").is_none() && r.get("local_exemptions").is_none(),
        "{r}"
    );
}

#[test]
fn a_local_waiver_over_an_azure_export_changes_the_score_as_computed_by_hand() {
    let r = json_with_config(&["assess", EXPORT, "--as-of", "2026-11-22"]);
    // Entry 1 waives r1 under the legacy group (spelled in another case): vm1's and
    // vm2's r1 become not applicable, so A: H 1 (vm3), U 1 (vm4) → 6 × 1/2 = 3.
    let a = control(&r, "c-a");
    assert_eq!(
        (&a["healthy_resources"], &a["unhealthy_resources"]),
        (&1.into(), &1.into())
    );
    assert_eq!(a["not_applicable_resources"], 2);
    assert_close(&a["current_score"], 3.0);
    // Entry 2 (its last day) marks vm3's r2 mitigated, by its id without the leading /
    // and in another case: B: H 4, U 0 → 4.
    let b = control(&r, "c-b");
    assert_eq!(
        (&b["healthy_resources"], &b["unhealthy_resources"]),
        (&4.into(), &0.into())
    );
    assert_close(&b["current_score"], 4.0);
    // (3 + 4) / 10 = 70%; without any exemption, 45% as exported.
    assert_close(&r["score"]["percentage"], 70.0);
    assert_close(&r["score"]["raw_percentage"], 45.0);
    assert_eq!(r["config"], CONFIG);
}

#[test]
fn the_report_lists_the_local_exemptions_in_effect_and_warns_of_the_others() {
    let out = run(&[
        "assess",
        EXPORT,
        "--as-of",
        "2026-11-22",
        "--config",
        CONFIG,
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    let r = json(&out);
    let listed: Vec<(u64, u64, u64)> = r["local_exemptions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = |k: &str| e[k].as_u64().unwrap();
            (n("entry"), n("line"), n("assessments"))
        })
        .collect();
    // Entry 1 decides vm1's and vm2's r1, entry 2 vm3's r2; entry 3 has expired, so it
    // is not in effect; entry 4 is, but covers nothing.
    assert_eq!(listed, [(1, 4, 2), (2, 11, 1), (4, 25, 0)]);
    let first = &r["local_exemptions"][0];
    assert_eq!(first["recommendation"], "r1");
    assert_eq!(first["category"], "waiver");
    assert_eq!(first["expires"], "2027-03-31");
    assert_eq!(first["reason"], "the legacy resource group is retired in Q1");
    assert_eq!(r["local_exemptions"][1]["category"], "mitigated");
    let warnings: Vec<(&str, &str, &str)> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["file"] == CONFIG)
        .map(|w| {
            (
                w["code"].as_str().unwrap(),
                w["path"].as_str().unwrap(),
                w["message"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert_eq!((warnings[0].0, warnings[0].1), ("exemption-expired", "line 18"));
    assert!(
        warnings[0]
            .2
            .starts_with("local exemption 3 (\"r2\" on \"*\") ended 2026-11-21"),
        "{warnings:?}"
    );
    assert_eq!((warnings[1].0, warnings[1].1), ("exemption-unused", "line 25"));
    assert!(
        warnings[1]
            .2
            .starts_with("local exemption 4 (\"r9\" on \"*\") covers no assessment"),
        "{warnings:?}"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("warning: {CONFIG}:18: local exemption 3")),
        "{stderr}"
    );
}

#[test]
fn the_table_names_the_configuration_and_its_exemptions_in_effect() {
    let out = run(&["assess", EXPORT, "--as-of", "2026-11-22", "--config", CONFIG]);
    assert_exit(&out, 0);
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains(&format!(
            "as of 2026-11-22 · 45.00% without exemptions · config {CONFIG}"
        )),
        "{table}"
    );
    assert!(
        table.contains(&format!("Local exemptions in effect ({CONFIG}):")),
        "{table}"
    );
    assert!(
        table.contains(
            "\n  line 4: r1 on /subscriptions/5E1F0000-AAAA-4BBB-8CCC-000000000001/resourceGroups/LEGACY/* waived \
             until 2027-03-31 (2 assessments): the legacy resource group is retired in Q1\n"
        ),
        "{table}"
    );
    assert!(
        table.contains("\n  line 25: r9 on * waived until 2027-03-31 (0 assessments): "),
        "{table}"
    );
    assert!(
        table.contains("Warnings: 1 exemption-expired, 1 exemption-unused"),
        "{table}"
    );
}

/// The text of each cell of the HTML table with this `id`, row by row (header row
/// included), tags dropped and the five entities the page writes read back.
fn html_table(html: &str, id: &str) -> Vec<Vec<String>> {
    let start = html
        .find(&format!("<table id=\"{id}\">"))
        .unwrap_or_else(|| panic!("no table {id} in {html}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let text = |cell: &str| {
        let mut plain = String::new();
        let mut in_tag = false;
        for c in cell.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => plain.push(c),
                _ => {}
            }
        }
        plain
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    table
        .split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("</th>")
                .flat_map(|r| r.split("</td>"))
                .filter(|c| c.contains("<td") || c.contains("<th"))
                .map(text)
                .collect()
        })
        .collect()
}

/// The HTML report names the configuration in its headline and lists the local
/// exemptions in effect (SPEC §9) in a section of their own, each text escaped.
#[test]
fn the_html_report_names_the_configuration_and_lists_its_exemptions_in_effect() {
    let out = run(&[
        "assess",
        EXPORT,
        "--as-of",
        "2026-11-22",
        "--config",
        CONFIG,
        "-f",
        "html",
    ]);
    assert_exit(&out, 0);
    let html = String::from_utf8_lossy(&out.stdout);
    // The headline names the file, as the table's and the markdown's do.
    assert!(
        html.contains(&format!(
            "as of 2026-11-22 · weighting resources (computed weights) · config {CONFIG} · securescore "
        )),
        "{html}"
    );
    assert!(
        html.contains(&format!("<h2>Local exemptions in effect ({CONFIG})</h2>")),
        "{html}"
    );
    let rows = html_table(&html, "local-exemptions");
    assert_eq!(
        rows[0],
        [
            "Line",
            "Recommendation",
            "Resource",
            "Category",
            "Until",
            "Assessments",
            "Reason"
        ]
    );
    // Entries 1, 2 and 4 of the fixture are in effect on 2026-11-22 (entry 3, line 18,
    // ended on 2026-11-21): 1 starts on line 4 and covers vm1 and vm2, 2 starts on line 11
    // and covers VM3, 4 starts on line 25 and covers nothing.
    assert_eq!(
        rows[1..],
        [
            [
                "4",
                "r1",
                "/subscriptions/5E1F0000-AAAA-4BBB-8CCC-000000000001/resourceGroups/LEGACY/*",
                "waiver",
                "2027-03-31",
                "2",
                "the legacy resource group is retired in Q1"
            ],
            [
                "11",
                "r2",
                "subscriptions/5e1f0000-aaaa-4bbb-8ccc-000000000001/resourcegroups/app/providers/microsoft.compute/virtualmachines/VM3",
                "mitigated",
                "2026-11-22",
                "1",
                "a host firewall | @user <script> `x`"
            ],
            ["25", "r9", "*", "waiver", "2027-03-31", "0", "no such recommendation"],
        ]
    );
    // The reason's markup is text on the page: escaped in the section, never raw.
    assert!(
        html.contains("a host firewall | @user &lt;script&gt; `x`"),
        "{html}"
    );
    assert!(!html.contains("<script> `x`"), "{html}");
}

/// SPEC §9's own example configuration (`model = "classic"` included) is read, and its
/// gate decides the run: exit 1 on the example inventory, never 2.
#[test]
fn the_specifications_example_configuration_gates_a_run() {
    const SPEC_EXAMPLE: &str = "fixtures/config/spec-example.toml";
    let baseline =
        std::env::temp_dir().join(format!("securescore-spec-baseline-{}.json", std::process::id()));
    let inventory = "examples/contoso.json";
    let plain = common::securescore([
        "assess",
        inventory,
        "--as-of",
        "2026-11-22",
        "--no-config",
        "-f",
        "json",
        "-o",
    ])
    .arg(&baseline)
    .output()
    .unwrap();
    assert_exit(&plain, 0);
    let out = common::securescore([
        "assess",
        inventory,
        "--as-of",
        "2026-11-22",
        "--config",
        SPEC_EXAMPLE,
    ])
    .args(["-f", "json", "--baseline"])
    .arg(&baseline)
    .output()
    .unwrap();
    let plain: Value = serde_json::from_slice(&std::fs::read(&baseline).unwrap()).unwrap();
    let _ = std::fs::remove_file(&baseline);
    assert_exit(&out, 1);
    let report = json(&out);
    assert_eq!(report["config"], SPEC_EXAMPLE);
    // Its defaults are the built-in ones (the classic model, weighting by resources,
    // no preview): the score is the one scored without the file.
    assert_eq!(report["score"], plain["score"]);
    let rules: Vec<&str> = report["gate"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["rule"].as_str().unwrap())
        .collect();
    assert_eq!(
        rules,
        [
            "fail-under",
            "max-drop",
            "controls.34a42fb3-e6db-409c-b56b-7b1db6b8aee0",
            "unhealthy.critical",
            "unhealthy.high"
        ]
    );
    // The baseline is this very run without the file: no drop.
    assert_eq!(report["gate"]["rules"][1]["passed"], true);
    assert_eq!(report["gate"]["rules"][1]["actual"], 0.0);
    // The one exemption (line 20 of the fixture: its 3 lines of comment, a blank line,
    // then the example's line 16) names a subscription the inventory does not hold.
    let local = &report["local_exemptions"][0];
    assert_eq!(
        (local["line"].as_u64(), local["assessments"].as_u64()),
        (Some(20), Some(0))
    );
}

#[test]
fn local_exemptions_are_ignored_with_the_datas_own() {
    let r = json_with_config(&["assess", EXPORT, "--as-of", "2026-11-22", "--ignore-exemptions"]);
    assert_close(&r["score"]["percentage"], 45.0);
    assert!(r.get("local_exemptions").is_none(), "{r}");
}

#[test]
fn explain_plan_and_diff_apply_the_local_exemptions_too() {
    let e = json_with_config(&["explain", "c-a", EXPORT, "--as-of", "2026-11-22"]);
    assert_close(&e["control"]["current_score"], 3.0);
    let p = json_with_config(&["plan", EXPORT, "--as-of", "2026-11-22", "--steps", "1"]);
    assert_close(&p["start_percentage"], 70.0);
    // The same exemptions on both sides: nothing moves.
    let d = json_with_config(&["diff", EXPORT, EXPORT, "--as-of", "2026-11-22"]);
    assert_close(&d["before"]["percentage"], 70.0);
    assert_close(&d["change"], 0.0);
    // BEFORE judged on 2026-11-21, when entry 3 (r2 waived everywhere) still applied and
    // came first for vm1, vm2 and vm4 (entry 2 still decides vm3's r2): B: H 1 (vm3
    // mitigated), U 0 → 4; A as above → 3; 70% again. AFTER, on 2026-11-23, entry 2
    // has ended too: B: H 3, U 1 → 3, so (3 + 3) / 10 = 60%.
    let d = json_with_config(&[
        "diff",
        EXPORT,
        EXPORT,
        "--before-as-of",
        "2026-11-21",
        "--as-of",
        "2026-11-23",
    ]);
    assert_close(&d["before"]["percentage"], 70.0);
    assert_close(&d["after"]["percentage"], 60.0);
}

/// A fresh folder holding `securescore.toml` with `text`, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn with_config(name: &str, text: &str) -> Folder {
        let dir = std::env::temp_dir().join(format!("securescore-config-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("securescore.toml"), text).unwrap();
        Folder(dir)
    }

    /// `securescore` run in the folder, on the repository's `inventory`.
    fn run(&self, args: &[&str]) -> std::process::Output {
        common::securescore(args).current_dir(&self.0).output().unwrap()
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn inventory(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(name)
        .display()
        .to_string()
}

#[test]
fn the_current_directorys_securescore_toml_is_read_unless_no_config() {
    let folder = Folder::with_config("found", "[defaults]\nweighting = \"equal\"\nas-of = 2026-11-22\n");
    let contoso = inventory("examples/contoso.json");
    let out = folder.run(&["assess", &contoso, "-f", "json"]);
    assert_exit(&out, 0);
    let r = json(&out);
    assert_eq!(
        (&r["weighting"], &r["as_of"]),
        (&"equal".into(), &"2026-11-22".into())
    );
    assert_eq!(r["config"], "securescore.toml");
    let table = folder.run(&["assess", &contoso]);
    assert!(String::from_utf8_lossy(&table.stdout).contains(" · config securescore.toml\n"));
    // --no-config: the built-in defaults, and no config named.
    let out = folder.run(&[
        "assess",
        &contoso,
        "--no-config",
        "--as-of",
        "2026-11-22",
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    let r = json(&out);
    assert_eq!(r["weighting"], "resources");
    assert!(r.get("config").is_none(), "{r}");
}

#[test]
fn a_broken_securescore_toml_stops_the_run_unless_no_config() {
    let folder = Folder::with_config(
        "broken",
        "[defaults]\nweighting = \"equal\"\n\nscopes = [\"x\"]\n",
    );
    let contoso = inventory("examples/contoso.json");
    let out = folder.run(&["assess", &contoso]);
    assert_exit(&out, 2);
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .starts_with("securescore: error: securescore.toml:4:1: defaults.scopes: unknown field `scopes`"),
        "{stderr}"
    );
    let out = folder.run(&["assess", &contoso, "--no-config"]);
    assert_exit(&out, 0);
}

#[test]
fn the_example_configuration_reads_and_its_exemptions_apply_to_the_example() {
    let out = run(&[
        "assess",
        "examples/contoso.json",
        "--config",
        "examples/securescore.toml",
        "--as-of",
        "2026-11-22",
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    let r = json(&out);
    let in_effect = r["local_exemptions"].as_array().unwrap();
    assert_eq!(in_effect.len(), 2);
    assert!(
        in_effect.iter().all(|e| e["assessments"].as_u64() > Some(0)),
        "{r}"
    );
    let mine: Vec<&Value> = r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["file"] == "examples/securescore.toml")
        .collect();
    assert!(mine.is_empty(), "{mine:?}");
    assert!(r["score"]["percentage"].as_f64() > r["score"]["raw_percentage"].as_f64());
}

#[test]
fn the_readmes_configuration_sample_and_the_example_parse() {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let section = &readme[readme
        .find("\n## Configuration\n")
        .expect("the README has the section")..];
    let start = section.find("```toml\n").expect("a TOML sample") + "```toml\n".len();
    let sample = &section[start..start + section[start..].find("```").unwrap()];
    let config = securescore::config::parse(sample, "README.md").unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(config.exemptions.len(), 1);
    assert!(config.gate.is_some());
    let example =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/securescore.toml"))
            .unwrap();
    let config =
        securescore::config::parse(&example, "examples/securescore.toml").unwrap_or_else(|d| panic!("{d}"));
    assert_eq!(config.exemptions.len(), 2);
}

/// The percentage of `assess` over the Resource Graph example under a configuration that
/// waives recommendation `rec` everywhere, and the codes of its warnings.
fn arg_example_waiving(rec: &str) -> (f64, Vec<String>) {
    let folder = Folder::with_config(
        &format!("guid-{rec}"),
        &format!(
            "[[exemptions]]\nrecommendation = \"{rec}\"\nresource = \"*\"\ncategory = \"waiver\"\n\
             expires = 2030-01-01\nreason = \"MFA by another provider\"\n"
        ),
    );
    let mut args = vec!["assess".to_string()];
    for file in [
        "assessments-contoso-dev",
        "assessments-contoso-prod",
        "secure-score-controls",
        "secure-scores",
    ] {
        args.push(inventory(&format!("examples/azure/arg/{file}.json")));
    }
    args.extend(["--as-of", "2026-11-22", "-f", "json"].map(String::from));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = folder.run(&args);
    assert_exit(&out, 0);
    let r = json(&out);
    let codes = r["warnings"]
        .as_array()
        .map(|w| {
            w.iter()
                .map(|w| w["code"].as_str().unwrap().to_string())
                .collect()
        })
        .unwrap_or_default();
    (r["score"]["percentage"].as_f64().unwrap(), codes)
}

#[test]
fn a_local_exemption_names_a_recommendation_guid_in_any_case() {
    // Azure's export spells the GUID in lower case; the README says GUIDs compare in any
    // case. Waiving it in lower case moves the score (the scoring of the waiver is
    // checked by hand above, on the small export); in upper case it must do the same,
    // not warn that the entry covers nothing.
    let (lower, lower_codes) = arg_example_waiving("57e98606-6b1e-6193-0e3d-fe621387c16b");
    let (upper, upper_codes) = arg_example_waiving("57E98606-6B1E-6193-0E3D-FE621387C16B");
    let (none, _) = arg_example_waiving("00000000-0000-4000-8000-000000000000");
    assert!(lower > none + 1.0, "{lower} vs {none}");
    assert_eq!(upper, lower);
    assert!(
        !upper_codes.iter().any(|c| c == "exemption-unused"),
        "{upper_codes:?}"
    );
    assert_eq!(upper_codes, lower_codes);
}

#[test]
fn a_configuration_file_larger_than_1_mib_is_refused_without_reading_it_whole() {
    // 1 MiB = 1048576 bytes is the most a configuration may hold: a comment line of that
    // many bytes with its newline is one byte more.
    let big = format!("#{}\n", "x".repeat(1_048_575));
    assert_eq!(big.len(), 1_048_577);
    let folder = Folder::with_config("too-large", &big);
    let out = folder.run(&["assess", &inventory(EXPORT)]);
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("securescore.toml: the configuration file is larger than 1048576 bytes (1 MiB)"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
    // One byte less is read (a comment: an empty configuration).
    let folder = Folder::with_config("at-the-limit", &format!("#{}\n", "x".repeat(1_048_574)));
    assert_exit(&folder.run(&["assess", &inventory(EXPORT), "-q"]), 0);
    // A smaller --max-input-size is the limit then, and named.
    let folder = Folder::with_config("max-input-size", "[gate]\nfail-under = 10\n");
    let out = folder.run(&["assess", &inventory(EXPORT), "--max-input-size", "10"]);
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("larger than --max-input-size 10"),
        "{out:?}"
    );
}

/// A device without end ends the run at once (it used to be read until memory ran out).
#[cfg(unix)]
#[test]
fn an_endless_configuration_file_is_refused_at_the_limit() {
    let start = std::time::Instant::now();
    let out = run(&["assess", EXPORT, "--config", "/dev/zero"]);
    assert_exit(&out, 2);
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("/dev/zero: the configuration file is larger than 1048576 bytes"),
        "{out:?}"
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(30));
}

#[test]
fn a_duplicate_key_and_an_impossible_date_are_named_by_file_line_and_key() {
    for (name, text, expected) in [
        (
            "dupkey",
            "[gate]\nfail-under = 50\nfail-under = 50\n",
            "securescore.toml:3:1: gate.fail-under: duplicate key",
        ),
        (
            "baddate",
            "[defaults]\nas-of = 2026-02-30\n",
            "securescore.toml:2:9: defaults.as-of: invalid date",
        ),
    ] {
        let folder = Folder::with_config(name, text);
        let out = folder.run(&["assess", &inventory(EXPORT)]);
        assert_exit(&out, 2);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// `[defaults] model = "v1"` scores with v1 (fixtures/models/v1-vs-classic.json, arithmetic
/// in tests/models.rs: 103.333…/160 = 64.5833…%), the command line's `--model` wins, a
/// weighting beside v1 is refused naming the file, and `schema config` lists the three
/// models.
#[test]
fn the_configurations_default_model_scores_and_a_weighting_beside_v1_is_refused() {
    let inventory = "fixtures/models/v1-vs-classic.json";
    let out = run(&[
        "assess",
        inventory,
        "--config",
        "fixtures/config/model-v1.toml",
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    let r = json(&out);
    assert_eq!(r["model"], "v1");
    assert_close(&r["score"]["percentage"], 100.0 * (310.0 / 3.0) / 160.0);
    let out = run(&[
        "assess",
        inventory,
        "--config",
        "fixtures/config/model-v1.toml",
        "--model",
        "pass-rate",
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    let r = json(&out);
    assert_eq!(r["model"], "pass-rate");
    // endpoint alone passes of five: 1/5.
    assert_close(&r["score"]["percentage"], 20.0);
    let out = run(&[
        "assess",
        inventory,
        "--config",
        "fixtures/config/model-v1-weighting.toml",
    ]);
    assert_exit(&out, 2);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("model-v1-weighting.toml: [defaults] sets model = \"v1\" and weighting = \"equal\""),
        "{stderr}"
    );
    // The command line's classic takes the weighting of the file again.
    let out = run(&[
        "assess",
        inventory,
        "--config",
        "fixtures/config/model-v1-weighting.toml",
        "--model",
        "classic",
        "--as-of",
        "2026-11-22",
        "-f",
        "json",
    ]);
    assert_exit(&out, 0);
    assert_eq!(json(&out)["weighting"], "equal");
    let out = run(&["schema", "config"]);
    assert_exit(&out, 0);
    let schema = json(&out);
    assert_eq!(
        schema["$defs"]["ScoringModel"]["enum"],
        serde_json::json!(["classic", "v1", "pass-rate"])
    );
}
