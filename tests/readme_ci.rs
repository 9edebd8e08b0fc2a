//! README "In CI" and the ready-made pipelines of `examples/ci/` it links (GitHub Actions,
//! Azure Pipelines, GitLab CI): every file parses as YAML and is linked from the README;
//! every shell line of a pipeline that runs securescore is one of the README's lines, and
//! every line of the README's commands is in every pipeline; and each pipeline's shell
//! steps run as its CI system runs them (bash, in order, a failed step skipping the later
//! steps that do not always run), in a scratch folder holding `inventory/`, with
//! `securescore` (the binary under test), `cargo` and `curl` (recording stubs) on `PATH`,
//! on a gate that passes, one that fails and one that cannot run. The files its
//! publishing steps upload must then exist and be what they claim (JUnit as XML, SARIF
//! 2.1.0, markdown, HTML, the JSON report), and its summary (GitHub's step summary, Azure's
//! uploaded summary, GitLab's merge request note) must be the markdown report, or say that
//! there is none. Only bash is needed.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use yaml_rust2::{Yaml, YamlLoader};

/// What a summary says when the gate step wrote no report.
const NO_REPORT: &str = "Secure score: no report (the gate step could not run: see the job log)\n";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The README's "In CI" section, up to its "Gates" subsection.
fn readme_ci_section() -> String {
    let readme = read(&root().join("README.md"));
    let start = readme
        .find("\n## In CI\n")
        .expect("README has an \"In CI\" section");
    let section = &readme[start + 1..];
    let end = section
        .find("\n### ")
        .or_else(|| section.find("\n## "))
        .unwrap_or(section.len());
    section[..end].to_string()
}

/// The logical lines of a shell script: each physical line trimmed, a line ending in `\`
/// joined with the next by one space; blank lines and comments left out.
fn logical_lines(script: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut current = String::new();
    for line in script.lines() {
        let line = line.trim();
        if current.is_empty() && (line.is_empty() || line.starts_with('#')) {
            continue;
        }
        match line.strip_suffix('\\') {
            Some(head) => {
                current.push_str(head.trim_end());
                current.push(' ');
            }
            None => {
                current.push_str(line);
                lines.push(std::mem::take(&mut current));
            }
        }
    }
    assert!(
        current.is_empty(),
        "a script ends in a line continuation:\n{script}"
    );
    lines
}

/// Whether a logical line runs (or installs) securescore: the word `securescore` stands in it.
fn runs_securescore(line: &str) -> bool {
    line.split_whitespace().any(|w| w == "securescore")
}

/// The logical lines of the `sh` code blocks of `markdown`.
fn sh_block_lines(markdown: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut rest = markdown;
    while let Some(start) = rest.find("```sh\n") {
        let body = &rest[start + "```sh\n".len()..];
        let end = body.find("```").expect("a closed code block");
        lines.extend(logical_lines(&body[..end]));
        rest = &body[end + 3..];
    }
    lines
}

// ---------------------------------------------------------------------------------------
// The pipelines, as each CI system reads them

/// When a step runs.
#[derive(Debug, Clone, PartialEq)]
enum When {
    /// Only while every earlier step succeeded (each system's default).
    OnSuccess,
    /// Whether earlier steps failed or not.
    Always,
    /// Always, and only when this file exists (GitHub's `hashFiles('FILE') != ''`).
    AlwaysIfFile(String),
    /// Always, and only when an earlier step set this Azure variable to `true`.
    AlwaysIfVariable(String),
}

/// One step of a pipeline.
#[derive(Debug)]
struct Step {
    name: String,
    when: When,
    /// The shell script of a step that runs one, and the shell's options.
    script: Option<(String, &'static [&'static str])>,
    /// The files a publishing step uploads (relative to the working folder).
    publishes: Vec<String>,
    /// Whether the publishing step only warns when a file is missing (else it fails).
    tolerates_missing: bool,
}

/// A pipeline: its variables and its steps, in order.
#[derive(Debug)]
struct Pipeline {
    file: String,
    env: BTreeMap<String, String>,
    steps: Vec<Step>,
}

/// GitHub Actions runs `run:` with `bash --noprofile --norc -eo pipefail {0}`.
const GITHUB_BASH: &[&str] = &["--noprofile", "--norc", "-eo", "pipefail"];
/// Azure's `bash:` step runs its script with `bash --noprofile --norc`, without `-e`: the
/// step's result is the script's last command's.
const AZURE_BASH: &[&str] = &["--noprofile", "--norc"];
/// GitLab's runner runs the job's `script` (then `after_script`) in a bash with
/// `set -eo pipefail`, stopping at the first command that fails.
const GITLAB_BASH: &[&str] = &["-eo", "pipefail"];

fn text(y: &Yaml, what: &str) -> String {
    y.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string: {y:?}"))
        .to_string()
}

fn variables(y: &Yaml) -> BTreeMap<String, String> {
    y.as_hash()
        .map(|h| {
            h.iter()
                .map(|(k, v)| (text(k, "a variable's name"), text(v, "a variable's value")))
                .collect()
        })
        .unwrap_or_default()
}

fn github(file: &str, doc: &Yaml) -> Pipeline {
    let jobs = doc["jobs"].as_hash().expect("jobs");
    assert_eq!(jobs.len(), 1, "{file}: one job");
    let job = jobs.values().next().unwrap();
    let mut env = variables(&doc["env"]);
    env.extend(variables(&job["env"]));
    let steps = job["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .map(github_step)
        .collect();
    Pipeline {
        file: file.into(),
        env,
        steps,
    }
}

fn github_step(step: &Yaml) -> Step {
    let name = step["name"]
        .as_str()
        .or(step["uses"].as_str())
        .unwrap_or("run")
        .to_string();
    let when = match step["if"].as_str() {
        None => When::OnSuccess,
        Some("always()") => When::Always,
        Some(cond) => {
            let file = cond
                .strip_prefix("always() && hashFiles('")
                .and_then(|c| c.strip_suffix("') != ''"))
                .unwrap_or_else(|| panic!("a condition this test does not know: {cond}"));
            When::AlwaysIfFile(file.into())
        }
    };
    let uses = step["uses"].as_str().unwrap_or("");
    let with = &step["with"];
    let (publishes, tolerates_missing) = if uses.starts_with("github/codeql-action/upload-sarif@") {
        (vec![text(&with["sarif_file"], "sarif_file")], false)
    } else if uses.starts_with("actions/upload-artifact@") {
        let paths = logical_lines(&text(&with["path"], "path"));
        // upload-artifact only warns about a missing file unless told to fail.
        (paths, with["if-no-files-found"].as_str() != Some("error"))
    } else {
        (Vec::new(), true)
    };
    let script = step["run"].as_str().map(|s| (s.to_string(), GITHUB_BASH));
    assert!(
        script.is_some() || uses.starts_with("actions/checkout@") || !publishes.is_empty(),
        "a step this test does not know: {step:?}"
    );
    Step {
        name,
        when,
        script,
        publishes,
        tolerates_missing,
    }
}

fn azure(file: &str, doc: &Yaml) -> Pipeline {
    let env = variables(&doc["variables"]);
    let steps = doc["steps"]
        .as_vec()
        .expect("steps")
        .iter()
        .map(azure_step)
        .collect();
    Pipeline {
        file: file.into(),
        env,
        steps,
    }
}

fn azure_step(step: &Yaml) -> Step {
    let name = step["displayName"].as_str().unwrap_or("checkout").to_string();
    let when = match step["condition"].as_str() {
        None => When::OnSuccess,
        Some("always()") => When::Always,
        Some(cond) => {
            let var = cond
                .strip_prefix("and(always(), eq(variables.")
                .and_then(|c| c.strip_suffix(", 'true'))"))
                .unwrap_or_else(|| panic!("a condition this test does not know: {cond}"));
            When::AlwaysIfVariable(var.into())
        }
    };
    let task = step["task"].as_str().unwrap_or("");
    let inputs = &step["inputs"];
    let (publishes, tolerates_missing) = if task == "PublishTestResults@2" {
        assert_eq!(inputs["testResultsFormat"].as_str(), Some("JUnit"));
        // A missing results file is a warning unless failTaskOnMissingResultsFile is set.
        let tolerates = inputs["failTaskOnMissingResultsFile"].as_bool() != Some(true);
        (
            vec![text(&inputs["testResultsFiles"], "testResultsFiles")],
            tolerates,
        )
    } else if task == "PublishPipelineArtifact@1" {
        let target = text(&inputs["targetPath"], "targetPath");
        let relative = target
            .strip_prefix("$(System.DefaultWorkingDirectory)/")
            .unwrap_or(&target);
        (vec![relative.to_string()], false)
    } else {
        (Vec::new(), true)
    };
    let script = step["bash"].as_str().map(|s| (s.to_string(), AZURE_BASH));
    assert!(
        script.is_some() || step["checkout"].as_str().is_some() || !publishes.is_empty(),
        "a step this test does not know: {step:?}"
    );
    Step {
        name,
        when,
        script,
        publishes,
        tolerates_missing,
    }
}

fn gitlab(file: &str, doc: &Yaml) -> Pipeline {
    let jobs = doc.as_hash().expect("a mapping of jobs");
    assert_eq!(jobs.len(), 1, "{file}: one job");
    let job = jobs.values().next().unwrap();
    let env = variables(&job["variables"]);
    let script = |key: &str| -> String {
        match &job[key] {
            Yaml::Array(items) => items.iter().map(|i| text(i, key)).collect::<Vec<_>>().join("\n"),
            other => text(other, key),
        }
    };
    let artifacts = &job["artifacts"];
    let artifacts_when = match artifacts["when"].as_str() {
        Some("always") => When::Always,
        other => panic!("{file}: artifacts should be uploaded whatever the gate says, not {other:?}"),
    };
    let mut publishes: Vec<String> = artifacts["paths"]
        .as_vec()
        .expect("artifacts:paths")
        .iter()
        .map(|p| text(p, "path"))
        .collect();
    publishes.push(text(&artifacts["reports"]["junit"], "artifacts:reports:junit"));
    let steps = vec![
        Step {
            name: "script".into(),
            when: When::OnSuccess,
            script: Some((script("script"), GITLAB_BASH)),
            publishes: Vec::new(),
            tolerates_missing: true,
        },
        // after_script runs whatever script did.
        Step {
            name: "after_script".into(),
            when: When::Always,
            script: Some((script("after_script"), GITLAB_BASH)),
            publishes: Vec::new(),
            tolerates_missing: true,
        },
        // The runner uploads artifacts last, warning about a path that matches nothing.
        Step {
            name: "artifacts".into(),
            when: artifacts_when,
            script: None,
            publishes,
            tolerates_missing: true,
        },
    ];
    Pipeline {
        file: file.into(),
        env,
        steps,
    }
}

/// Every file of `examples/ci/`, parsed, by name.
fn pipelines() -> Vec<Pipeline> {
    let dir = root().join("examples/ci");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("examples/ci")
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["azure-pipelines.yml", "github-actions.yml", "gitlab-ci.yml"]
    );
    names
        .iter()
        .map(|name| {
            let source = read(&dir.join(name));
            let docs = YamlLoader::load_from_str(&source)
                .unwrap_or_else(|e| panic!("examples/ci/{name} is not YAML: {e}"));
            assert_eq!(docs.len(), 1, "examples/ci/{name}: one YAML document");
            let file = format!("examples/ci/{name}");
            match name.as_str() {
                "github-actions.yml" => github(&file, &docs[0]),
                "azure-pipelines.yml" => azure(&file, &docs[0]),
                _ => gitlab(&file, &docs[0]),
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Running a pipeline

/// A scratch folder: `work/` (the checkout, holding `inventory/` with `inventories`),
/// `bin/` (the stubs), `tmp/`.
fn scratch(test: &str, inventories: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("securescore-readme-ci-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["work/inventory", "bin", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    for inventory in inventories {
        let from = root().join(inventory);
        std::fs::copy(&from, dir.join("work/inventory").join(from.file_name().unwrap())).unwrap();
    }
    std::os::unix::fs::symlink(common::binary(), dir.join("bin/securescore")).unwrap();
    // `cargo install` is recorded, not run: securescore is already on PATH.
    stub(&dir, "cargo", r#"printf '%s\n' "$@" > "$STUBS/cargo.args""#);
    // `curl` records its arguments and the body of a `--data-urlencode body@FILE`.
    stub(
        &dir,
        "curl",
        r#"printf '%s\n' "$@" >> "$STUBS/curl.args"
for a; do case "$a" in body@*) cat "${a#body@}" >> "$STUBS/curl.body";; esac; done"#,
    );
    dir
}

fn stub(dir: &Path, name: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("bin").join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// What a pipeline's run left.
#[derive(Debug)]
struct Run {
    /// The exit code of the step that runs `securescore assess`.
    gate: i32,
    /// The summary it wrote: GitHub's step summary, Azure's uploaded summaries, the notes
    /// GitLab's API received, one after the other.
    summary: String,
    /// Each file a publishing step that ran uploads: whether it exists, and whether the
    /// step only warns when it does not.
    published: Vec<(String, bool, bool)>,
}

const NOTES_URL: &str = "https://gitlab.example.com/api/v4/projects/42/merge_requests/7/notes";

fn run(p: &Pipeline, dir: &Path) -> Run {
    let work = dir.join("work");
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let github_summary = dir.join("tmp/step-summary.md");
    let mut failed = false;
    let mut azure_variables = BTreeMap::new();
    let mut gate = None;
    let mut summary = String::new();
    let mut published = Vec::new();
    for step in &p.steps {
        let runs = match &step.when {
            When::OnSuccess => !failed,
            When::Always => true,
            When::AlwaysIfFile(file) => work.join(file).exists(),
            When::AlwaysIfVariable(var) => azure_variables.get(var).is_some_and(|v| v == "true"),
        };
        if !runs {
            continue;
        }
        published.extend(
            step.publishes
                .iter()
                .map(|f| (f.clone(), work.join(f).exists(), step.tolerates_missing)),
        );
        let Some((script, options)) = &step.script else {
            continue;
        };
        let out = Command::new("bash")
            .args(*options)
            .args(["-c", script])
            .current_dir(&work)
            .envs(&p.env)
            .env("PATH", &path)
            .env("STUBS", dir.join("tmp"))
            .env("GITHUB_STEP_SUMMARY", &github_summary)
            .env("AGENT_TEMPDIRECTORY", dir.join("tmp"))
            .env("CI_MERGE_REQUEST_IID", "7")
            .env("CI_API_V4_URL", "https://gitlab.example.com/api/v4")
            .env("CI_PROJECT_ID", "42")
            .env("SECURESCORE_NOTE_TOKEN", "glpat-test-token")
            .env_remove("COLUMNS")
            .output()
            .expect("bash runs");
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout);
        for line in stdout.lines() {
            if let Some(file) = line.strip_prefix("##vso[task.uploadsummary]") {
                summary.push_str(&read(Path::new(file)));
            } else if let Some(set) = line.strip_prefix("##vso[task.setvariable variable=") {
                let (name, value) = set.split_once(']').expect("a variable's value");
                azure_variables.insert(name.to_string(), value.to_string());
            }
        }
        if script.contains("securescore assess") {
            gate = Some(code);
        } else {
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(code, 0, "{}: step {} failed:\n{stderr}", p.file, step.name);
        }
        failed |= code != 0;
    }
    for file in [github_summary, dir.join("tmp/curl.body")] {
        summary.push_str(&std::fs::read_to_string(file).unwrap_or_default());
    }
    if let Ok(args) = std::fs::read_to_string(dir.join("tmp/curl.args")) {
        // The note goes to the merge request's notes, with the token.
        assert!(args.lines().any(|a| a == NOTES_URL), "{args}");
        assert!(
            args.lines().any(|a| a == "PRIVATE-TOKEN: glpat-test-token"),
            "{args}"
        );
    }
    // Whatever else it did, the install step asked cargo for the pipeline's securescore.
    let url = p
        .env
        .get("SECURESCORE_GIT")
        .unwrap_or_else(|| panic!("{}: SECURESCORE_GIT", p.file));
    assert_eq!(
        read(&dir.join("tmp/cargo.args")),
        format!("install\n--locked\n--git\n{url}\nsecurescore\n"),
        "{}",
        p.file
    );
    Run {
        gate: gate.unwrap_or_else(|| panic!("{}: no gate step ran", p.file)),
        summary,
        published,
    }
}

/// Asserts that `file`, in `work`, is what its extension claims, and agrees with the
/// gate's exit code `gate`.
fn assert_report(work: &Path, file: &str, gate: i32) {
    let path = work.join(file);
    let content = read(&path);
    let gate_failed = gate == 1;
    if file.ends_with(".sarif") {
        let sarif: serde_json::Value = serde_json::from_str(&content).expect("SARIF is JSON");
        assert_eq!(sarif["version"], "2.1.0", "{file}");
        assert_eq!(
            sarif["runs"][0]["tool"]["driver"]["name"], "securescore",
            "{file}"
        );
    } else if file.ends_with(".xml") {
        let xml = roxmltree::Document::parse(&content).expect("JUnit is XML");
        assert_eq!(xml.root_element().tag_name().name(), "testsuites", "{file}");
        let gates = xml
            .descendants()
            .find(|n| n.has_tag_name("testsuite") && n.attribute("name") == Some("gates"))
            .expect("a gates testsuite");
        // The one gate rule, --fail-under 70, is a failed testcase exactly when the gate failed.
        assert_eq!(gates.attribute("tests"), Some("1"), "{file}");
        assert_eq!(
            gates.attribute("failures"),
            Some(if gate_failed { "1" } else { "0" }),
            "{file}"
        );
    } else if file.ends_with(".md") {
        assert!(content.starts_with("## Secure score "), "{file}: {content}");
        let verdict = if gate_failed {
            "**Gate FAILED**"
        } else {
            "**Gate passed**"
        };
        assert!(content.contains(verdict), "{file}: {content}");
    } else if file.ends_with(".html") {
        assert!(content.starts_with("<!DOCTYPE html>"), "{file}");
        assert!(content.trim_end().ends_with("</html>"), "{file}");
    } else if file.ends_with(".json") {
        let report: serde_json::Value = serde_json::from_str(&content).expect("the report is JSON");
        assert_eq!(report["gate"]["passed"], !gate_failed, "{file}");
    } else {
        panic!("{file}: a report this test does not know");
    }
}

/// Runs every pipeline on `inventories`, in a folder that holds `stale` files already;
/// returns each pipeline's file, run and folder.
fn run_all(test: &str, inventories: &[&str], stale: &[&str]) -> Vec<(String, Run, PathBuf)> {
    pipelines()
        .iter()
        .map(|p| {
            let name = p.file.trim_start_matches("examples/ci/").trim_end_matches(".yml");
            let dir = scratch(&format!("{test}-{name}"), inventories);
            for file in stale {
                std::fs::write(dir.join("work").join(file), "from an earlier run").unwrap();
            }
            let run = run(p, &dir);
            (p.file.clone(), run, dir)
        })
        .collect()
}

/// Asserts a run where the gate wrote its reports: each file published exists and is what
/// it claims, and the summary is the markdown report.
fn assert_reports_published(file: &str, run: &Run, dir: &Path, gate: i32) {
    assert_eq!(run.gate, gate, "{file}");
    let work = dir.join("work");
    assert!(!run.published.is_empty(), "{file}: nothing published");
    for (published, exists, _) in &run.published {
        assert!(exists, "{file}: {published} is published but was not written");
        assert_report(&work, published, gate);
    }
    // What README "In CI" says each publishes: the HTML report everywhere, SARIF to
    // GitHub's code scanning, JUnit to Azure's and GitLab's test results.
    let required: &[&str] = match file {
        "examples/ci/github-actions.yml" => &["html", "sarif"],
        _ => &["html", "xml"],
    };
    for kind in required {
        assert!(
            run.published
                .iter()
                .any(|(f, ..)| f.ends_with(&format!(".{kind}"))),
            "{file}: publishes no .{kind} ({:?})",
            run.published
        );
    }
    assert_eq!(
        run.summary,
        read(&work.join("score.md")),
        "{file}: the summary is the markdown report"
    );
}

// ---------------------------------------------------------------------------------------
// The tests

#[test]
fn every_pipeline_is_linked_from_the_readme_and_every_link_resolves() {
    let section = readme_ci_section();
    for p in pipelines() {
        assert!(
            section.contains(&format!("]({})", p.file)),
            "README \"In CI\" links no {}",
            p.file
        );
    }
    for (i, _) in section.match_indices("](examples/ci/") {
        let link = &section[i + 2..];
        let link = &link[..link.find(')').unwrap()];
        assert!(
            root().join(link).is_file(),
            "README links {link}, which does not exist"
        );
    }
}

#[test]
fn every_securescore_line_of_a_pipeline_is_the_readmes_and_the_readmes_are_in_every_pipeline() {
    let readme = sh_block_lines(&readme_ci_section());
    assert!(
        readme.iter().filter(|l| runs_securescore(l)).count() >= 2,
        "README \"In CI\" shows the install and gate commands: {readme:?}"
    );
    for p in pipelines() {
        let lines: Vec<String> = p
            .steps
            .iter()
            .filter_map(|s| s.script.as_ref())
            .flat_map(|(script, _)| logical_lines(script))
            .collect();
        for line in lines.iter().filter(|l| runs_securescore(l)) {
            assert!(
                readme.contains(line),
                "{}: `{line}` is not a line of README \"In CI\"",
                p.file
            );
        }
        for line in &readme {
            assert!(lines.contains(line), "{}: lacks README's `{line}`", p.file);
        }
    }
}

#[test]
fn a_gate_that_passes_publishes_every_report() {
    // The worked example scores 98.40% (59.04 of 60 points: README "How the score is
    // computed"), above 70: exit 0; it has no exemption, so the date does not matter.
    for (file, run, dir) in run_all("pass", &["fixtures/worked-example.json"], &[]) {
        assert_reports_published(&file, &run, &dir, 0);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_gate_that_fails_still_publishes_every_report() {
    // The demo estate scores about 65% (64.65% on the README's date), below 70: exit 1,
    // and the steps after the gate still publish what it wrote.
    for (file, run, dir) in run_all("fail", &["examples/contoso.json"], &[]) {
        assert_reports_published(&file, &run, &dir, 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}

#[test]
fn a_gate_that_cannot_run_says_so_and_publishes_nothing_stale() {
    // Reports left by an earlier run in a reused folder: the gate step removes them first.
    let stale = [
        "score.json",
        "score.md",
        "score.junit.xml",
        "score.sarif",
        "score.html",
    ];
    for (file, run, dir) in run_all("missing", &[], &stale) {
        // No inventory: `inventory/*.json` stays a pattern, no such file, exit 2, and no
        // report.
        assert_eq!(run.gate, 2, "{file}");
        for report in stale {
            assert!(
                !dir.join("work").join(report).exists(),
                "{file}: {report} is left"
            );
        }
        assert_eq!(run.summary, NO_REPORT, "{file}");
        // The steps that publish a report either do not run or only warn.
        for (published, exists, tolerates_missing) in &run.published {
            assert!(
                !exists && *tolerates_missing,
                "{file}: {published} would fail its step"
            );
        }
        let _ = std::fs::remove_dir_all(dir);
    }
}
