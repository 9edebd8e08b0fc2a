//! The HTML report in a real browser: headless Chromium driven through ChromeDriver's
//! WebDriver API (JSON over HTTP, with a small client below). The page must load with no
//! console error and no network request, show one table row per control, open a
//! drill-down in place, and run nothing from an inventory whose names carry markup. A
//! screenshot is written to a temporary file for review.
//!
//! The browser and its driver are found as `.ci/run` finds them: `CHROME` and
//! `CHROMEDRIVER` when set, else `chromium` (or `chromium-browser`, `google-chrome`) and
//! `chromedriver` on `PATH`. The test fails, never skips, when they cannot be found or
//! started: `.ci/run` installs Debian's `chromium` and `chromium-driver` when missing.

mod common;

use serde_json::{json, Value};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The browsers looked for on `PATH`, in this order, when `CHROME` is not set.
const BROWSERS: &[&str] = &["chromium", "chromium-browser", "google-chrome"];

/// The executable named by the environment variable `var` when it is set and not
/// empty, else the first of `names` found as an executable file in a folder of `path`
/// (a `PATH`-style list); `None` when there is none.
fn find_program(var: Option<OsString>, names: &[&str], path: Option<OsString>) -> Option<PathBuf> {
    if let Some(v) = var.filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(v));
    }
    let dirs: Vec<PathBuf> = path
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    names.iter().find_map(|name| {
        dirs.iter()
            .map(|d| d.join(name))
            .find(|candidate| is_executable(candidate))
    })
}

fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// The browser and its driver, or a failure saying how to provide them.
fn programs() -> (PathBuf, PathBuf) {
    let path = std::env::var_os("PATH");
    let chrome = find_program(std::env::var_os("CHROME"), BROWSERS, path.clone());
    let driver = find_program(std::env::var_os("CHROMEDRIVER"), &["chromedriver"], path);
    match (chrome, driver) {
        (Some(c), Some(d)) => (c, d),
        (c, d) => panic!(
            "the browser test needs Chromium and ChromeDriver (found: browser {c:?}, driver {d:?}): put \
             chromium and chromedriver on PATH, or set CHROME and CHROMEDRIVER to them; .ci/run installs \
             Debian's (apt-get install chromium chromium-driver)"
        ),
    }
}

/// ChromeDriver, stopped when dropped, and the browser it starts.
struct Driver {
    child: Child,
    port: u16,
    browser: PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.1 request to ChromeDriver; the response body as JSON.
fn request(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    );
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    stream.write_all(payload.as_bytes()).map_err(|e| e.to_string())?;
    // Read the head, then exactly the body it announces: the server may keep the
    // connection open.
    let mut raw = Vec::new();
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(i) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("the connection closed before the response head".to_string());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let headers = String::from_utf8_lossy(&raw[..head_end]).to_ascii_lowercase();
    let length = headers
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = headers.contains("transfer-encoding: chunked");
    loop {
        let have = raw.len() - head_end;
        let done = match length {
            Some(n) => have >= n,
            None if chunked => raw.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&raw[head_end..]).into_owned();
    let body = if chunked { dechunk(&text) } else { text };
    let value: Value = serde_json::from_str(&body).map_err(|e| format!("{e}: {body}"))?;
    if value["value"]["error"].is_string() {
        return Err(format!("{method} {path}: {}", value["value"]));
    }
    Ok(value["value"].clone())
}

fn dechunk(body: &str) -> String {
    let mut out = String::new();
    let mut rest = body;
    while let Some((size, tail)) = rest.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || tail.len() < n {
            break;
        }
        out.push_str(&tail[..n]);
        rest = tail[n..].trim_start_matches("\r\n");
    }
    out
}

fn start_driver() -> Driver {
    let (browser, chromedriver) = programs();
    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver did not start");
    let driver = Driver { child, port, browser };
    let deadline = Instant::now() + Duration::from_secs(20);
    while request(port, "GET", "/status", None).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not answer within 20 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    driver
}

/// A browser session, deleted when dropped.
struct Session<'d> {
    driver: &'d Driver,
    id: String,
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = request(self.driver.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

impl Session<'_> {
    fn new<'d>(driver: &'d Driver, profile: &Path) -> Session<'d> {
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:loggingPrefs": {"browser": "ALL"},
            "goog:chromeOptions": {
                "binary": driver.browser,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--no-first-run", "--disable-background-networking", "--disable-component-update",
                         "--disable-sync", "--disable-quic", "--window-size=1280,900",
                         format!("--user-data-dir={}", profile.display())]
            }
        }}});
        let v = request(driver.port, "POST", "/session", Some(&caps)).expect("the browser did not start");
        let id = v["sessionId"].as_str().expect("no session id").to_string();
        Session { driver, id }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        request(
            self.driver.port,
            method,
            &format!("/session/{}{path}", self.id),
            body,
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    fn open(&self, file: &Path) {
        self.call(
            "POST",
            "/url",
            Some(&json!({"url": format!("file://{}", file.display())})),
        );
    }

    fn script(&self, code: &str) -> Value {
        self.call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": code, "args": []})),
        )
    }

    /// Console messages the page logged at error level.
    fn console_errors(&self) -> Vec<String> {
        let logs = self.call("POST", "/se/log", Some(&json!({"type": "browser"})));
        logs.as_array()
            .map(|a| {
                a.iter()
                    .filter(|m| m["level"] == "SEVERE")
                    .map(|m| m["message"].to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

fn securescore(args: &[&str]) {
    let out = common::securescore(args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A folder of this test's own (tests run in parallel in one process).
fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("securescore-browser-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| -> Option<u32> {
        match c {
            b'A'..=b'Z' => Some((c - b'A') as u32),
            b'a'..=b'z' => Some((c - b'a' + 26) as u32),
            b'0'..=b'9' => Some((c - b'0' + 52) as u32),
            b'+' => Some(62),
            b'/' => Some(63),
            _ => None,
        }
    };
    let digits: Vec<u32> = text.bytes().filter_map(value).collect();
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    for chunk in digits.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, d)| n | d << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..chunk.len()]);
    }
    out
}

#[test]
fn the_html_report_works_in_a_real_browser() {
    let dir = scratch("report");
    let report = dir.join("report.html");
    let history = dir.join("history.jsonl");
    for day in ["2026-11-20", "2026-11-21", "2026-11-22"] {
        securescore(&[
            "assess",
            "examples/contoso.json",
            "--as-of",
            day,
            "--record",
            history.to_str().unwrap(),
            "-q",
        ]);
    }
    securescore(&[
        "assess",
        "examples/contoso.json",
        "--as-of",
        "2026-11-22",
        "-f",
        "html",
        "--group-by",
        "subscription",
        "--history",
        history.to_str().unwrap(),
        "--fail-under",
        "50",
        "-o",
        report.to_str().unwrap(),
    ]);
    let size = std::fs::metadata(&report).unwrap().len();
    assert!(size < 1_000_000, "the example's report is {size} bytes");
    let controls = {
        let out = common::securescore([
            "assess",
            "examples/contoso.json",
            "--as-of",
            "2026-11-22",
            "-f",
            "json",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
        let r: Value = serde_json::from_slice(&out.stdout).unwrap();
        r["controls"].as_array().unwrap().len()
    };

    let driver = start_driver();
    let session = Session::new(&driver, &dir.join("profile"));
    session.open(&report);
    assert_eq!(session.script("return document.readyState"), "complete");
    assert_eq!(session.console_errors(), Vec::<String>::new());
    // Nothing was asked of the network: the page is its only resource.
    assert_eq!(
        session.script("return performance.getEntriesByType('resource').length"),
        0
    );
    assert_eq!(
        session.script("return document.querySelectorAll('#controls > tbody > tr').length"),
        controls
    );
    assert_eq!(
        session.script("return document.querySelectorAll('#groups > tbody > tr').length"),
        2
    );
    assert_eq!(
        session.script("return document.querySelectorAll('svg.trend circle').length"),
        3
    );
    // The gate's verdict is in the headline (64.65% is not below 50), and its threshold
    // is a line on the chart.
    assert_eq!(
        session.script("return document.querySelector('.head #gate.passed strong').textContent"),
        "Gate passed"
    );
    assert_eq!(
        session.script("return document.querySelectorAll('svg.trend line.threshold').length"),
        1
    );
    // The chart is as wide as the page's tables, at any window width.
    let same_width = "const w = s => document.querySelector(s).getBoundingClientRect().width; \
                      return Math.abs(w('svg.trend') - w('#controls')) < 1 && w('svg.trend') > 0";
    assert_eq!(session.script(same_width), true);
    session.call(
        "POST",
        "/window/rect",
        Some(&json!({"width": 700, "height": 900})),
    );
    assert_eq!(session.script(same_width), true);
    session.call(
        "POST",
        "/window/rect",
        Some(&json!({"width": 1280, "height": 900})),
    );
    // A drill-down opens in place on a click.
    let summary = session.call(
        "POST",
        "/element",
        Some(&json!({"using": "css selector", "value": "#controls details > summary"})),
    );
    let element = summary
        .as_object()
        .and_then(|o| o.values().next())
        .and_then(Value::as_str)
        .expect("no summary element")
        .to_string();
    assert_eq!(
        session.script("return document.querySelector('#controls details').open"),
        false
    );
    session.call("POST", &format!("/element/{element}/click"), Some(&json!({})));
    assert_eq!(
        session.script("return document.querySelector('#controls details').open"),
        true
    );
    assert_eq!(
        session.script("return document.querySelector('#controls details .drill').offsetHeight > 0"),
        true
    );
    let shot = session.call("GET", "/screenshot", None);
    let png = dir.join("report.png");
    std::fs::write(&png, base64_decode(shot.as_str().unwrap())).unwrap();
    eprintln!("screenshot of the report: {}", png.display());
    assert!(std::fs::metadata(&png).unwrap().len() > 10_000);

    // A history of two series (--scope 1111… and --scope 2222…, alternately): two lines,
    // a legend, the warning, and runs placed by their time.
    let mixed = dir.join("mixed.html");
    securescore(&[
        "trend",
        "fixtures/history/two-series.jsonl",
        "-f",
        "html",
        "-o",
        mixed.to_str().unwrap(),
    ]);
    session.open(&mixed);
    assert_eq!(session.console_errors(), Vec::<String>::new());
    assert_eq!(
        session.script("return document.querySelectorAll('svg.trend polyline').length"),
        2
    );
    // Two series and the gate recorded with the first.
    assert_eq!(
        session.script("return document.querySelectorAll('.legend li').length"),
        3
    );
    assert_eq!(
        session.script("return document.getElementById('mixed-series') !== null"),
        true
    );
    // Series 1 ran on 2, 3 and 10 Nov at 06:00: the second run is 1 day of 8 along, so
    // (x2 − x1) / (x3 − x1) = 1 / 8 = 0.125 (evenly spaced it would be 0.5).
    let share = session.script(
        "const x = [...document.querySelectorAll('svg.trend circle')].slice(0, 3).map(c => +c.getAttribute('cx')); \
         return (x[1] - x[0]) / (x[2] - x[0])",
    );
    let share = share.as_f64().unwrap();
    assert!((share - 0.125).abs() < 0.001, "{share}");
    // Tick labels are dates, never RFC 3339 timestamps.
    let ticks =
        session.script("return [...document.querySelectorAll('svg.trend text')].map(t => t.textContent)");
    let ticks: Vec<&str> = ticks
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(ticks.contains(&"3 Nov 2026"), "{ticks:?}");
    assert!(
        ticks.iter().all(|t| !t.contains('T') && !t.ends_with('Z')),
        "{ticks:?}"
    );
    let shot = session.call("GET", "/screenshot", None);
    let png = dir.join("mixed.png");
    std::fs::write(&png, base64_decode(shot.as_str().unwrap())).unwrap();
    eprintln!("screenshot of a trend of two series: {}", png.display());
    drop(session);
    drop(driver);
    let _ = std::fs::remove_dir_all(dir.join("profile"));
}

#[test]
fn markup_in_an_inventory_runs_nothing() {
    let dir = scratch("markup");
    let evil = dir.join("evil.json");
    let name = "<script>window.__pwned=1;alert(1)</script>";
    let attr = "\"onmouseover=\"window.__pwned=2\" x=\"";
    let inventory = json!({
        "subscriptions": [{"id": "0b1f6471-1bf0-4dda-aec3-cb9272f09590", "name": name}],
        "controls": [{"id": "c1", "name": name, "max_score": 5, "recommendations": ["r1"]},
                     {"id": "c2", "name": attr, "max_score": 5, "recommendations": ["r2"]}],
        "recommendations": [{"id": "r1", "name": attr, "remediation": "<img src=x onerror=window.__pwned=3>"},
                            {"id": "r2", "name": "</script><script>window.__pwned=4</script>\u{2028}"}],
        "resources": [{"id": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/g/providers/x/y/<b>vm</b>",
                       "tags": {"team": "<svg onload=window.__pwned=5>"}}],
        "assessments": [
            {"resource": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/g/providers/x/y/<b>vm</b>", "recommendation": "r1", "status": "unhealthy"},
            {"resource": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/g/providers/x/y/<b>vm</b>", "recommendation": "r2", "status": "healthy"},
            {"resource": "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590/resourceGroups/g/providers/x/y/<b>vm</b>", "recommendation": "<i>r3</i>", "status": "healthy"}
        ]
    });
    std::fs::write(&evil, inventory.to_string()).unwrap();
    let report = dir.join("evil.html");
    securescore(&[
        "assess",
        evil.to_str().unwrap(),
        "-f",
        "html",
        "--group-by",
        "tag:team",
        "-o",
        report.to_str().unwrap(),
    ]);
    let driver = start_driver();
    let session = Session::new(&driver, &dir.join("profile-evil"));
    session.open(&report);
    // An alert would make every later command fail with "unexpected alert open".
    assert_eq!(session.script("return window.__pwned === undefined"), true);
    // Hovering and opening every drill-down runs nothing either.
    session.script("document.querySelectorAll('details').forEach(d => d.open = true); return 0");
    session.script(
        "document.querySelectorAll('*').forEach(el => ['mouseover', 'mouseenter', 'click', 'focus']\
         .forEach(t => el.dispatchEvent(new MouseEvent(t, {bubbles: true})))); return 0",
    );
    assert_eq!(session.script("return window.__pwned === undefined"), true);
    // Every text is shown as text, in its place: names, remediation, resource ids, tags,
    // warnings (the unscored recommendation `<i>r3</i>`).
    session.script("document.querySelectorAll('details').forEach(d => d.open = true); return 0");
    let text = session.script("return document.body.innerText");
    let text = text.as_str().unwrap();
    for shown in [
        name,
        attr,
        "<img src=x onerror=window.__pwned=3>",
        "/providers/x/y/<b>vm</b>",
        "<svg onload=window.__pwned=5>",
        "<i>r3</i>",
        "</script><script>window.__pwned=4</script>",
    ] {
        assert!(text.contains(shown), "{shown:?} is not shown as text in:\n{text}");
    }
    assert_eq!(
        session.script("return document.querySelectorAll('img, b, i, svg:not(.gauge)').length"),
        0
    );
    // The embedded data reads back as the report, hostile names included.
    let data = session.script("return JSON.parse(document.getElementById('securescore-report').textContent)");
    let names: Vec<&str> = data["controls"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(names.contains(&name) && names.contains(&attr), "{names:?}");
    assert_eq!(session.console_errors(), Vec::<String>::new());

    // The same inventory under v1: the rows are recommendations, their controls listed
    // by name, every text still text.
    let v1 = dir.join("evil-v1.html");
    securescore(&[
        "assess",
        evil.to_str().unwrap(),
        "--model",
        "v1",
        "-f",
        "html",
        "-o",
        v1.to_str().unwrap(),
    ]);
    session.open(&v1);
    session.script(
        "document.querySelectorAll('*').forEach(el => ['mouseover', 'mouseenter', 'click', 'focus']\
         .forEach(t => el.dispatchEvent(new MouseEvent(t, {bubbles: true})))); return 0",
    );
    assert_eq!(session.script("return window.__pwned === undefined"), true);
    let text = session.script("return document.body.innerText");
    let text = text.as_str().unwrap();
    for shown in [
        name,
        attr,
        "</script><script>window.__pwned=4</script>",
        "<i>r3</i>",
    ] {
        assert!(text.contains(shown), "{shown:?} is not shown as text in:\n{text}");
    }
    assert_eq!(
        session.script("return document.querySelectorAll('#recommendations > tbody > tr').length"),
        3
    );
    assert_eq!(
        session.script("return document.querySelectorAll('img, b, i, svg:not(.gauge)').length"),
        0
    );
    assert_eq!(session.console_errors(), Vec::<String>::new());

    // The trend page, with a label that carries markup.
    let history = dir.join("evil-history.jsonl");
    let label = "<script>window.__pwned=6</script>\"onmouseover=\"x";
    for _ in 0..2 {
        securescore(&[
            "assess",
            evil.to_str().unwrap(),
            "--record",
            history.to_str().unwrap(),
            "--label",
            label,
            "-q",
        ]);
    }
    let trend = dir.join("trend.html");
    securescore(&[
        "trend",
        history.to_str().unwrap(),
        "-f",
        "html",
        "-o",
        trend.to_str().unwrap(),
    ]);
    session.open(&trend);
    assert_eq!(session.script("return window.__pwned === undefined"), true);
    let text = session.script("return document.body.innerText");
    assert!(text.as_str().unwrap().contains(label));
    assert_eq!(
        session.script("return document.querySelectorAll('#runs > tbody > tr').length"),
        2
    );
    assert_eq!(
        session.script("return document.querySelectorAll('script:not([type]), b, i, img').length"),
        0
    );
    let data = session.script("return JSON.parse(document.getElementById('securescore-trend').textContent)");
    assert_eq!(data["runs"][0]["label"], label);
    assert_eq!(session.console_errors(), Vec::<String>::new());
    drop(session);
    drop(driver);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn programs_are_found_through_the_environment_then_path() {
    let dir = scratch("find-program");
    let (a, b) = (dir.join("a"), dir.join("b"));
    for d in [&a, &b] {
        std::fs::create_dir_all(d).unwrap();
    }
    let make = |p: PathBuf, mode: u32| {
        use std::os::unix::fs::PermissionsExt;
        std::fs::write(&p, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode)).unwrap();
        p
    };
    make(a.join("chromium"), 0o644);
    let chromium = make(b.join("chromium"), 0o755);
    let chrome = make(a.join("google-chrome"), 0o755);
    let path = std::env::join_paths([&a, &b]).ok();
    // Names in order, each in PATH's order: a/chromium is not executable, so b/chromium,
    // before the google-chrome of an earlier folder.
    assert_eq!(find_program(None, BROWSERS, path.clone()), Some(chromium.clone()));
    assert_eq!(find_program(None, &["google-chrome"], path.clone()), Some(chrome));
    // The variable wins when set and not empty.
    assert_eq!(
        find_program(Some("/opt/chrome/chrome".into()), BROWSERS, path.clone()),
        Some(PathBuf::from("/opt/chrome/chrome"))
    );
    assert_eq!(
        find_program(Some("".into()), BROWSERS, path.clone()),
        Some(chromium)
    );
    // Nothing anywhere: none.
    assert_eq!(find_program(None, &["chromedriver"], path), None);
    assert_eq!(find_program(None, BROWSERS, None), None);
    let _ = std::fs::remove_dir_all(dir);
}
