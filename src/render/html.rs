//! Self-contained HTML pages: the assessment report (a score gauge, the ranked control
//! table with bars and a drill-down per control, or under `v1` and `pass-rate` the
//! ranked recommendations with their figures; group scores, the trend chart) and the
//! trend page. Nothing is fetched over the network: styles are inline, charts are inline
//! SVG, there is no script to run, and a Content-Security-Policy forbids any. Every text
//! from an inventory is escaped for where it goes: element text and attribute values by
//! [`escape`], the data embedded for scripts by [`script_json`].

use super::Document;
use crate::date::Instant;
use crate::explain::Explanation;
use crate::render::time_axis::{full_label, TimeAxis};
use crate::report::{ControlOut, GateOut, GateRuleOut, Report};
use crate::score::ScoringModel;
use crate::text::{capitalised, controls_escaped, fmt2, hundredths, percent, signed};
use crate::trend::{mixed_series, Run, Series, Timeline, Trend, NO_FILTER};
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{self, Write};

/// Unhealthy resources listed per control in the page.
const LISTED: usize = 200;

/// Text made safe for HTML element content and for double-quoted attribute values.
/// Control and bidirectional characters are shown as `\u{…}`, as on a terminal, so a
/// name cannot reorder or hide what the page shows.
pub fn escape(text: &str) -> String {
    let visible = controls_escaped(text);
    let mut out = String::with_capacity(visible.len());
    for c in visible.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// JSON for a `<script type="application/json">` element: nothing in it can end the
/// element or open a comment (`<`, `>`, `&` and the JavaScript line separators escaped).
pub fn script_json<T: Serialize>(value: &T) -> String {
    let text = serde_json::to_string(value).unwrap_or_else(|_| "null".to_string());
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

const STYLE: &str = "
body{font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2330}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem}h3{font-size:1rem;margin:1.25rem 0 .5rem}
.meta{color:#5b6475;margin:0 0 1.5rem}.head{display:flex;gap:2rem;align-items:center}
table{border-collapse:collapse;width:100%}th,td{padding:.35rem .5rem;border-bottom:1px solid #e3e6ec;text-align:left;vertical-align:top}
th{font-weight:600;color:#3c4557;background:#f6f7f9}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.bar{background:#e9ecf1;border-radius:3px;height:.6rem;width:8rem;display:inline-block;vertical-align:middle}
.bar span{display:block;height:100%;border-radius:3px;background:#2f7d4f}
summary{cursor:pointer;font-weight:500}details .drill{margin:.5rem 0 .25rem 1rem;font-size:.9rem}
.drill table{margin:.25rem 0 .75rem}.drill li{margin:.1rem 0}code{font-size:.85em;word-break:break-all}
.na{color:#7a8292}.id{white-space:nowrap}.warn{background:#fff6e0;border:1px solid #f0d48a;padding:.5rem .75rem;border-radius:4px}
.good{color:#2f7d4f}.fair{color:#a86b00}.poor{color:#b3261e}
.gate{font-size:1.05rem;padding:.5rem .75rem;border-radius:4px;margin:0}.gate.passed{background:#e7f4ec;border:1px solid #2f7d4f;color:#1f5535}
.gate.failed{background:#fdeceb;border:2px solid #b3261e;color:#8c1d18}
svg.trend{display:block;height:auto}.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.25rem 1.25rem;font-size:.9rem}
.swatch{display:inline-block;width:.9rem;height:.3rem;margin-right:.4rem;vertical-align:middle;border-radius:2px}
.swatch.dashed{height:0;border-top:2px dashed #b3261e;border-radius:0}.legend .threshold{color:#8c1d18}
";

fn level(p: f64) -> &'static str {
    if p >= 80.0 {
        "good"
    } else if p >= 50.0 {
        "fair"
    } else {
        "poor"
    }
}

fn page_start(out: &mut String, title: &str) {
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n\
         <link rel=\"icon\" href=\"data:,\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        escape(title)
    );
}

/// A circular gauge of a percentage (or "n/a").
fn gauge(percentage: Option<f64>) -> String {
    let (r, stroke) = (52.0, 12.0);
    let circumference = 2.0 * std::f64::consts::PI * r;
    let (filled, label, class) = match percentage {
        Some(p) => (
            circumference * p.clamp(0.0, 100.0) / 100.0,
            format!("{}%", fmt2(p)),
            level(p),
        ),
        None => (0.0, "n/a".to_string(), "na"),
    };
    format!(
        "<svg class=\"gauge {class}\" width=\"140\" height=\"140\" viewBox=\"0 0 140 140\" role=\"img\" aria-label=\"secure score {label}\">\
         <circle cx=\"70\" cy=\"70\" r=\"{r}\" fill=\"none\" stroke=\"#e9ecf1\" stroke-width=\"{stroke}\"/>\
         <circle cx=\"70\" cy=\"70\" r=\"{r}\" fill=\"none\" stroke=\"currentColor\" stroke-width=\"{stroke}\" \
         stroke-dasharray=\"{filled:.2} {circumference:.2}\" transform=\"rotate(-90 70 70)\"/>\
         <text x=\"70\" y=\"77\" text-anchor=\"middle\" font-size=\"19\" font-weight=\"600\" fill=\"#1d2330\">{label}</text></svg>"
    )
}

/// The chart's frame in viewBox units; the SVG is as wide as the page and keeps this
/// ratio.
const CHART: Frame = Frame {
    width: 800.0,
    height: 240.0,
    left: 48.0,
    right: 784.0,
    top: 14.0,
    bottom: 204.0,
};

/// Ticks on the time axis, at most.
const TIME_TICKS: usize = 6;

/// The series' colours, in series order (then again from the first).
const SERIES_COLOURS: [&str; 6] = ["#2f6fd0", "#c2410c", "#2f7d4f", "#7c3aed", "#0e7490", "#be185d"];

/// The gate's line.
const THRESHOLD_COLOUR: &str = "#b3261e";

/// A chart's size and the box its data is drawn in.
struct Frame {
    width: f64,
    height: f64,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Frame {
    /// The height of percentage `p` (0–100).
    fn y(&self, p: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * p.clamp(0.0, 100.0) / 100.0
    }
}

fn series_colour(i: usize) -> &'static str {
    SERIES_COLOURS[i % SERIES_COLOURS.len()]
}

/// A line chart of the score over time, one line per series, 0–100 % on the y axis and
/// the runs placed by their recorded time; the gate's line dashed where a threshold is
/// known; then a legend of the series (when there are several) and of the gate's lines.
pub fn trend_chart(trend: &Trend) -> String {
    let f = &CHART;
    let mut svg = format!(
        "<svg class=\"trend\" width=\"100%\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"secure score over time\">",
        f.width, f.height
    );
    for tick in [0.0, 25.0, 50.0, 75.0, 100.0] {
        let _ = write!(
            svg,
            "<line x1=\"{}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e6ec\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"11\" fill=\"#5b6475\" text-anchor=\"end\">{tick}%</text>",
            f.left,
            f.right,
            f.left - 6.0,
            f.y(tick) + 4.0,
            y = f.y(tick)
        );
    }
    let axis = TimeAxis::new(trend.timeline.runs.iter().filter_map(run_time), f.left, f.right);
    if let Some(axis) = &axis {
        time_ticks(&mut svg, axis);
    }
    thresholds(&mut svg, trend);
    if let Some(axis) = &axis {
        let several = trend.series.len() > 1;
        for (i, series) in trend.series.iter().enumerate() {
            series_line(&mut svg, axis, series, series_colour(i), several);
        }
    }
    svg.push_str("</svg>");
    svg.push_str(&legend(trend));
    svg
}

/// A run's place on the time axis.
fn run_time(r: &Run) -> Option<Instant> {
    Instant::parse(&r.recorded_at).ok()
}

/// One series' line and its runs as points, each with a tooltip (time, as-of date,
/// label, score, and with `several` series, which one).
fn series_line(svg: &mut String, axis: &TimeAxis, series: &Series, colour: &str, several: bool) {
    let f = &CHART;
    let mut points: Vec<(Instant, &Run, f64)> = series
        .timeline
        .runs
        .iter()
        .filter_map(|r| Some((run_time(r)?, r, r.percentage?)))
        .collect();
    // By time, so that a clock that went back on one runner does not fold the line.
    points.sort_by_key(|(t, r, _)| (*t, r.line));
    if points.len() > 1 {
        let line: Vec<String> = points
            .iter()
            .map(|(t, _, p)| format!("{:.1},{:.1}", axis.x(*t), f.y(*p)))
            .collect();
        let _ = write!(
            svg,
            "<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{}\"/>",
            line.join(" ")
        );
    }
    let whose = if several {
        format!(" · series {}", series.number)
    } else {
        String::new()
    };
    for (t, r, p) in &points {
        let _ = write!(
            svg,
            "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3.5\" fill=\"{colour}\"><title>{} (as of {}){}{whose}: {}%</title></circle>",
            axis.x(*t),
            f.y(*p),
            escape(&full_label(*t)),
            escape(&r.as_of),
            r.label.as_deref().map_or(String::new(), |l| format!(" {}", escape(l))),
            fmt2(*p)
        );
    }
}

/// The time axis's ticks and their readable labels, anchored so that none leaves the
/// chart at either end.
fn time_ticks(svg: &mut String, axis: &TimeAxis) {
    let f = &CHART;
    for tick in axis.ticks(TIME_TICKS) {
        let anchor = if tick.x < f.left + 50.0 {
            "start"
        } else if tick.x > f.right - 50.0 {
            "end"
        } else {
            "middle"
        };
        let _ = write!(
            svg,
            "<line x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{}\" y2=\"{}\" stroke=\"#c5cad3\"/>\
             <text x=\"{x:.1}\" y=\"{}\" font-size=\"11\" fill=\"#5b6475\" text-anchor=\"{anchor}\">{}</text>",
            f.bottom,
            f.bottom + 5.0,
            f.bottom + 20.0,
            escape(&tick.label),
            x = tick.x
        );
    }
}

/// Each distinct threshold of the series shown (display-rounded), with the numbers of
/// the series it is the gate of, lowest first.
fn threshold_values(trend: &Trend) -> BTreeMap<i128, Vec<usize>> {
    let mut by_value: BTreeMap<i128, Vec<usize>> = BTreeMap::new();
    for s in &trend.series {
        if let Some(t) = s.timeline.threshold {
            by_value.entry(hundredths(t)).or_default().push(s.number);
        }
    }
    by_value
}

/// What a threshold's line is: `gate --fail-under 70.00%`, and with several series, whose
/// gate it is unless it is every series'.
fn threshold_label(trend: &Trend, value: i128, numbers: &[usize]) -> String {
    let whose = if numbers.len() < trend.series.len() {
        let list: Vec<String> = numbers.iter().map(usize::to_string).collect();
        format!(" (series {})", list.join(", "))
    } else {
        String::new()
    };
    format!("gate --fail-under {}%{whose}", fmt2(value as f64 / 100.0))
}

/// The gate's line at each threshold, dashed, under the data; its label is in the legend
/// (so that it never hides a run) and in its tooltip.
fn thresholds(svg: &mut String, trend: &Trend) {
    let f = &CHART;
    for (value, numbers) in threshold_values(trend) {
        let _ = write!(
            svg,
            "<line class=\"threshold\" x1=\"{}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"{THRESHOLD_COLOUR}\" \
             stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>{}</title></line>",
            f.left,
            f.right,
            threshold_label(trend, value, &numbers),
            y = f.y(value as f64 / 100.0)
        );
    }
}

/// The `mixed-series` warning as a note on the page, when the trend shows several
/// series.
fn mixed_series_note(t: &Trend) -> String {
    mixed_series(t).map_or(String::new(), |why| {
        format!(
            "<p class=\"warn\" id=\"mixed-series\">{}</p>",
            escape(&capitalised(&why))
        )
    })
}

/// Which colour is which series (when there are several), and what the dashed lines are.
fn legend(trend: &Trend) -> String {
    let mut items: Vec<String> = Vec::new();
    if trend.series.len() > 1 {
        for (i, s) in trend.series.iter().enumerate() {
            items.push(format!(
                "<li><span class=\"swatch\" style=\"background:{}\"></span>Series {}: {}</li>",
                series_colour(i),
                s.number,
                escape(&s.name)
            ));
        }
    }
    for (value, numbers) in threshold_values(trend) {
        items.push(format!(
            "<li class=\"threshold\"><span class=\"swatch dashed\"></span>{}</li>",
            threshold_label(trend, value, &numbers)
        ));
    }
    if items.is_empty() {
        return String::new();
    }
    format!("<ul class=\"legend\">{}</ul>", items.concat())
}

fn control_name(c: &ControlOut) -> String {
    escape(c.name.as_deref().unwrap_or(&c.id))
}

fn drill_down(out: &mut String, e: &Explanation) {
    out.push_str("<div class=\"drill\">");
    if e.member_recommendations().is_empty() {
        out.push_str("<p class=\"na\">No member recommendation is assessed.</p>");
    } else {
        out.push_str(
            "<table><thead><tr><th>Recommendation</th><th>Severity</th><th class=\"n\">Healthy</th>\
             <th class=\"n\">Unhealthy</th><th class=\"n\">N/A</th></tr></thead><tbody>",
        );
        for r in e.member_recommendations() {
            let flag = if r.custom {
                " <span class=\"na\">(custom: not scored)</span>"
            } else if r.preview && !r.counted {
                " <span class=\"na\">(preview: not scored)</span>"
            } else {
                ""
            };
            let _ = write!(
                out,
                "<tr><td>{}{flag}<br><code>{}</code>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                escape(r.name.as_deref().unwrap_or(&r.id)),
                escape(&r.id),
                r.remediation
                    .as_deref()
                    .map_or(String::new(), |fix| format!("<br>To fix: {}", escape(fix))),
                escape(r.severity.unwrap_or("-")),
                r.healthy_resources,
                r.unhealthy_resources,
                r.not_applicable_resources
            );
        }
        out.push_str("</tbody></table>");
    }
    // Scopes scored from exported counts say how many resources are unhealthy, not which.
    let unlisted = e.unhealthy_resources().saturating_sub(e.unhealthy.len() as u64);
    if e.unhealthy.is_empty() && unlisted == 0 {
        out.push_str("<p class=\"na\">No unhealthy resource.</p>");
    } else if e.unhealthy.is_empty() {
        let _ = write!(
            out,
            "<p class=\"na\">{unlisted} unhealthy resource(s), counted by exported secure score controls, \
             which do not name them (export the assessments to list them).</p>"
        );
    } else {
        let _ = write!(out, "<p>Unhealthy resources ({}):</p><ul>", e.unhealthy.len());
        for u in e.unhealthy.iter().take(LISTED) {
            let _ = write!(
                out,
                "<li>{}<code>{}</code>{} — fails {}</li>",
                u.name
                    .as_deref()
                    .map_or(String::new(), |n| format!("{} ", escape(n))),
                escape(&u.resource),
                u.scope_label().map_or(String::new(), |s| format!(
                    " <span class=\"na\">in {}</span>",
                    escape(&s)
                )),
                escape(&u.recommendation_labels().join("; "))
            );
        }
        if e.unhealthy.len() > LISTED {
            let _ = write!(
                out,
                "<li>… and {} more (all with --format json)</li>",
                e.unhealthy.len() - LISTED
            );
        }
        out.push_str("</ul>");
        if unlisted > 0 {
            let _ = write!(
                out,
                "<p class=\"na\">{unlisted} more, counted by exported secure score controls, which do not \
                 name them.</p>"
            );
        }
    }
    out.push_str("</div>");
}

/// Writes `doc` as one self-contained page.
pub fn render(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    match doc {
        Document::Report {
            report,
            details,
            trend,
            ..
        } => write_report(report, details, *trend, out),
        Document::Trend(t) => write_trend(t, out),
        // No page for these yet: the command line offers them as table and JSON only.
        Document::Models(_)
        | Document::Explanation(_)
        | Document::Plan(_)
        | Document::Diff(_)
        | Document::Validation(_)
        | Document::Listing(_) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!("the HTML format has no page for the {}", doc.name()),
        )),
    }
}

/// Writes the assessment report as one self-contained page. `details` holds the
/// explanation of each control in `report.controls` order (for the drill-downs).
fn write_report(
    report: &Report,
    details: &[Explanation],
    trend: Option<&Trend>,
    out: &mut dyn Write,
) -> io::Result<()> {
    let mut html = String::new();
    page_start(&mut html, "Secure score report");
    report_headline(&mut html, report);
    report_scopes(&mut html, report);
    if report.model.ranks_recommendations() {
        report_recommendations(&mut html, report);
    } else {
        report_controls(&mut html, report, details);
    }
    report_groups(&mut html, report);
    report_local_exemptions(&mut html, report);
    report_trend(&mut html, trend);
    report_warnings(&mut html, report);
    page_end(&mut html, "securescore-report", report);
    out.write_all(html.as_bytes())
}

/// The gauge and the headline: the score, what it was computed from, and the gate's
/// verdict when one was asked for.
fn report_headline(html: &mut String, report: &Report) {
    let s = &report.score;
    let _ = write!(
        html,
        "<div class=\"head\">{}<div><h1>Secure score{} {}</h1><p class=\"meta\">{} resources assessed · {} scope(s) · as of {} · {}{} · {}</p>{}</div></div>",
        gauge(s.percentage),
        crate::render::model_tag(report),
        s.percentage.map_or("n/a".to_string(), |p| format!("{}%", fmt2(p))),
        s.resources,
        report.scopes.len(),
        escape(&report.as_of),
        scored_by(report),
        report
            .config
            .as_deref()
            .map_or(String::new(), |file| format!(" · config {}", escape(file))),
        escape(&report.generator),
        report.gate.as_ref().map_or(String::new(), gate_banner)
    );
}

/// How the score was computed: the weighting of scopes (`classic`), or the model and
/// what its score is made of (`v1`: points; `pass-rate`: passing recommendations).
fn scored_by(report: &Report) -> String {
    let s = &report.score;
    match (report.model, s.current, s.max) {
        (ScoringModel::Classic, _, _) => {
            format!("weighting {} ({} weights)", report.weighting, report.weights)
        }
        (ScoringModel::V1, Some(c), Some(m)) => format!("model v1 ({} of {} points)", fmt2(c), fmt2(m)),
        (ScoringModel::PassRate, Some(c), Some(m)) => format!(
            "model pass-rate ({} of {} recommendations pass)",
            c.round(),
            m.round()
        ),
        (model, _, _) => format!("model {}", model.as_str()),
    }
}

/// The gates' verdict as a banner: passed or failed, and each rule with its limit and
/// its reason (on failure, the text of its gate line on standard error); one rule on one
/// line, several as a list.
fn gate_banner(g: &GateOut) -> String {
    let (class, verdict) = if g.passed {
        ("passed", "Gate passed")
    } else {
        ("failed", "Gate FAILED")
    };
    let rule = |r: &GateRuleOut| format!("{} · {}", escape(&r.label()), escape(&r.message));
    match g.rules.as_slice() {
        [one] => format!(
            "<p id=\"gate\" class=\"gate {class}\" role=\"status\"><strong>{verdict}</strong> · {}</p>",
            rule(one)
        ),
        rules => {
            let items: String = rules
                .iter()
                .map(|r| {
                    format!(
                        "<li>{} · {}</li>",
                        if r.passed {
                            "passed"
                        } else {
                            "<strong>FAILED</strong>"
                        },
                        rule(r)
                    )
                })
                .collect();
            format!(
                "<div id=\"gate\" class=\"gate {class}\" role=\"status\"><strong>{verdict}</strong><ul>{items}</ul></div>"
            )
        }
    }
}

/// Each scope's score, when there is more than one: under `classic` with its weight;
/// under a model whose rows are recommendations, its own score (points under `v1`,
/// passed recommendations under `pass-rate`), which no weight combines, and a note.
fn report_scopes(html: &mut String, report: &Report) {
    if report.scopes.len() <= 1 {
        return;
    }
    let last = match report.model {
        ScoringModel::Classic => "<th class=\"n\">Points</th><th class=\"n\">Weight</th>",
        ScoringModel::V1 => "<th class=\"n\">Points</th>",
        ScoringModel::PassRate => "<th class=\"n\">Passed</th>",
    };
    let _ = write!(
        html,
        "<h2>Scopes</h2><table id=\"scopes\"><thead><tr><th>Scope</th><th class=\"n\">Score</th>\
         {last}</tr></thead><tbody>"
    );
    for sc in &report.scopes {
        let figures = match report.model {
            ScoringModel::Classic => format!(
                "<td class=\"n\">{} / {}</td><td class=\"n\">{}</td>",
                fmt2(sc.current),
                fmt2(sc.max),
                sc.weight
            ),
            ScoringModel::V1 => format!("<td class=\"n\">{} / {}</td>", fmt2(sc.current), fmt2(sc.max)),
            ScoringModel::PassRate => {
                format!("<td class=\"n\">{} / {}</td>", sc.current.round(), sc.max.round())
            }
        };
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td>{figures}</tr>",
            // The id is kept whole (a GUID must not wrap at its hyphens on a narrow page).
            match (&sc.name, &sc.id) {
                (Some(n), Some(id)) => format!("{} <span class=\"id\">({})</span>", escape(n), escape(id)),
                (None, Some(id)) => format!("<span class=\"id\">{}</span>", escape(id)),
                _ => escape(crate::text::UNNAMED_SCOPE),
            },
            sc.percentage
                .map_or("n/a".to_string(), |p| format!("{}%", fmt2(p))),
        );
    }
    html.push_str("</tbody></table>");
    if let Some(note) = crate::render::scopes_note(report) {
        let _ = write!(html, "<p class=\"na\" id=\"scopes-note\">{}</p>", escape(&note));
    }
}

/// A bar of `current` out of `max`, then `current`.
fn score_bar(current: f64, max: f64) -> String {
    let share = if max > 0.0 { 100.0 * current / max } else { 0.0 };
    format!(
        "<span class=\"bar\" title=\"{} of {}\"><span style=\"width:{:.1}%\"></span></span> {}",
        fmt2(current),
        fmt2(max),
        share.clamp(0.0, 100.0),
        fmt2(current)
    )
}

/// The ranked recommendations (`v1`, `pass-rate`): each with its severity, under `v1`
/// its points and a bar of its current score, its impact, `+Score`, unhealthy of
/// applicable resources and the controls that hold it; then the note on default points
/// and the recommendations that do not apply. No drill-down: a recommendation's rows are
/// its figures.
fn report_recommendations(html: &mut String, report: &Report) {
    let v1 = report.model == ScoringModel::V1;
    let _ = write!(
        html,
        "<h2>Recommendations, most to gain first</h2><table id=\"recommendations\"><thead><tr>\
         <th class=\"n\">#</th><th>Recommendation</th><th>Severity</th>{}<th class=\"n\">Impact</th>\
         <th class=\"n\">+Score</th><th class=\"n\">Unhealthy</th><th>Controls</th></tr></thead><tbody>",
        if v1 {
            "<th class=\"n\">Points</th><th>Current</th>"
        } else {
            ""
        }
    );
    for r in report.recommendation_rows().iter().filter(|r| r.rank.is_some()) {
        let points = if v1 {
            format!(
                "<td class=\"n\">{}</td><td>{}</td>",
                escape(&crate::render::points_cell(r)),
                score_bar(r.current_score, r.max_score)
            )
        } else {
            String::new()
        };
        let controls: Vec<String> = r.control_names.iter().map(|n| escape(n)).collect();
        let _ = write!(
            html,
            "<tr class=\"applicable\"><td class=\"n\">{}</td><td>{}<br><code>{}</code></td><td>{}</td>{points}\
             <td class=\"n\">{}</td><td class=\"n\">+{}%</td><td class=\"n\">{} / {}</td><td>{}</td></tr>",
            r.rank.map_or(String::new(), |n| n.to_string()),
            escape(r.name.as_deref().unwrap_or(&r.id)),
            escape(&r.id),
            escape(r.severity.unwrap_or("-")),
            fmt2(r.potential_increase),
            fmt2(r.potential_increase_percentage),
            r.unhealthy_resources,
            r.healthy_resources + r.unhealthy_resources,
            if controls.is_empty() {
                "<span class=\"na\">none</span>".to_string()
            } else {
                controls.join(", ")
            }
        );
    }
    html.push_str("</tbody></table>");
    if let Some(note) = crate::render::points_note(report) {
        let _ = write!(html, "<p class=\"na\" id=\"points-note\">{}</p>", escape(&note));
    }
    let idle =
        crate::render::not_applicable_recommendations(report, |r| escape(r.name.as_deref().unwrap_or(&r.id)));
    if let Some(line) = idle {
        let _ = write!(html, "<p class=\"na\" id=\"not-applicable\">{line}</p>");
    }
}

/// The ranked controls, each with a bar of its current score and its drill-down.
fn report_controls(html: &mut String, report: &Report, details: &[Explanation]) {
    html.push_str(
        "<h2>Controls, most to gain first</h2><table id=\"controls\"><thead><tr><th class=\"n\">#</th>\
         <th>Control (click for details)</th><th class=\"n\">Max</th><th>Current</th><th class=\"n\">Potential</th>\
         <th class=\"n\">+Score</th><th class=\"n\">Unhealthy</th></tr></thead><tbody>",
    );
    for (c, detail) in report.control_rows().iter().zip(details) {
        let _ = write!(
            html,
            "<tr class=\"{}\"><td class=\"n\">{}</td><td><details><summary>{}</summary>",
            if c.applicable { "applicable" } else { "na" },
            c.rank.map_or(String::new(), |r| r.to_string()),
            control_name(c)
        );
        drill_down(html, detail);
        let _ = write!(
            html,
            "</details></td><td class=\"n\">{}</td><td>{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">+{}%</td><td class=\"n\">{} / {}</td></tr>",
            fmt2(c.max_score),
            score_bar(c.current_score, c.max_score),
            fmt2(c.potential_increase),
            fmt2(c.potential_increase_percentage),
            c.unhealthy_resources,
            c.healthy_resources + c.unhealthy_resources
        );
    }
    html.push_str("</tbody></table>");
}

/// Each group's score (`--group-by`).
fn report_groups(html: &mut String, report: &Report) {
    let Some(groups) = &report.groups else {
        return;
    };
    let by = groups.first().map_or(String::new(), |g| g.by.clone());
    let _ = write!(
        html,
        "<h2>Groups by {}</h2><table id=\"groups\"><thead><tr><th>Group</th><th class=\"n\">Score</th><th class=\"n\">Resources</th></tr></thead><tbody>",
        escape(&by)
    );
    for g in groups {
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            g.id.as_deref().map_or("(none)".to_string(), escape),
            g.score
                .percentage
                .map_or("n/a".to_string(), |p| format!("{}%", fmt2(p))),
            g.score.resources
        );
    }
    html.push_str("</tbody></table>");
}

/// The configuration's exemptions in effect (SPEC §9), with the line each starts on;
/// nothing when there is none.
fn report_local_exemptions(html: &mut String, report: &Report) {
    let Some(rows) = report.local_exemptions.as_ref().filter(|rows| !rows.is_empty()) else {
        return;
    };
    let _ = write!(
        html,
        "<h2>Local exemptions in effect ({})</h2><table id=\"local-exemptions\"><thead><tr>\
         <th class=\"n\">Line</th><th>Recommendation</th><th>Resource</th><th>Category</th><th>Until</th>\
         <th class=\"n\">Assessments</th><th>Reason</th></tr></thead><tbody>",
        escape(report.config.as_deref().unwrap_or_default())
    );
    for e in rows {
        let _ = write!(
            html,
            "<tr><td class=\"n\">{}</td><td class=\"id\">{}</td><td class=\"id\">{}</td><td>{}</td><td>{}</td>\
             <td class=\"n\">{}</td><td>{}</td></tr>",
            e.line,
            escape(&e.recommendation),
            escape(&e.resource),
            escape(e.category),
            escape(&e.expires),
            e.assessments,
            escape(&e.reason)
        );
    }
    html.push_str("</tbody></table>");
}

/// The score over time (`--history`), when given, with a word when the history holds
/// several series.
fn report_trend(html: &mut String, trend: Option<&Trend>) {
    if let Some(t) = trend {
        html.push_str("<h2>Score over time</h2>");
        html.push_str(&trend_chart(t));
        html.push_str(&mixed_series_note(t));
    }
}

/// The report's warnings, each with its place.
fn report_warnings(html: &mut String, report: &Report) {
    if report.warnings.is_empty() {
        return;
    }
    html.push_str("<h2>Warnings</h2><div class=\"warn\"><ul>");
    for w in &report.warnings {
        let place = match (&w.file, &w.path) {
            (Some(f), Some(p)) => format!(" {f}:{p}:"),
            (Some(f), None) => format!(" {f}:"),
            _ => String::new(),
        };
        let _ = write!(
            html,
            "<li><code>{}</code>{} {}</li>",
            escape(w.code),
            escape(&place),
            escape(&w.message)
        );
    }
    html.push_str("</ul></div>");
}

/// The end of a page: `value` embedded as JSON in a script element with this `id` (data
/// for readers and tools, never run), then the closing tags.
fn page_end<T: Serialize>(html: &mut String, id: &str, value: &T) {
    let _ = write!(
        html,
        "<script type=\"application/json\" id=\"{id}\">{}</script>\n</body>\n</html>\n",
        script_json(value)
    );
}

/// Writes the trend as one self-contained page: the chart, then the runs and the
/// controls that moved most (per series, when there are several).
fn write_trend(trend: &Trend, out: &mut dyn Write) -> io::Result<()> {
    let mut html = String::new();
    page_start(&mut html, "Secure score over time");
    let since = trend
        .since
        .as_deref()
        .map_or(String::new(), |d| format!(" since {}", escape(d)));
    let _ = match trend.series.as_slice() {
        [one] if one.name != NO_FILTER => write!(
            html,
            "<h1>Secure score over time</h1><p class=\"meta\">{} run(s){since} · {} → {} · recorded with {}</p>",
            trend.timeline.runs.len(),
            percent(trend.timeline.first),
            percent(trend.timeline.last),
            escape(&one.name)
        ),
        [] | [_] => write!(
            html,
            "<h1>Secure score over time</h1><p class=\"meta\">{} run(s){since} · {} → {}</p>",
            trend.timeline.runs.len(),
            percent(trend.timeline.first),
            percent(trend.timeline.last)
        ),
        several => write!(
            html,
            "<h1>Secure score over time</h1><p class=\"meta\">{} run(s){since} in {} series</p>",
            trend.timeline.runs.len(),
            several.len()
        ),
    };
    html.push_str(&trend_chart(trend));
    if !trend.skipped.is_empty() {
        let lines: Vec<String> = trend.skipped.iter().map(|l| l.to_string()).collect();
        let _ = write!(
            html,
            "<p class=\"warn\">{} line(s) of the history are not valid snapshots and were skipped: line {}.</p>",
            trend.skipped.len(),
            lines.join(", ")
        );
    }
    if trend.series.len() > 1 {
        html.push_str(&mixed_series_note(trend));
        for s in &trend.series {
            let t = &s.timeline;
            let _ = write!(
                html,
                "<h2 id=\"series-{n}\">Series {n}: {}</h2><p class=\"meta\">{} run(s) · {} → {} · key <code>{}</code></p>",
                escape(&s.name),
                t.runs.len(),
                percent(t.first),
                percent(t.last),
                escape(&s.key),
                n = s.number
            );
            runs_table(&mut html, &format!("runs-{}", s.number), &t.runs);
            let _ = write!(html, "<h3>{} that moved most</h3>", t.row_words().plural);
            moves_table(&mut html, &format!("moves-{}", s.number), t);
        }
    } else {
        html.push_str("<h2>Runs</h2>");
        runs_table(&mut html, "runs", &trend.timeline.runs);
        let _ = write!(
            html,
            "<h2>{} that moved most</h2>",
            trend.timeline.row_words().plural
        );
        moves_table(&mut html, "moves", &trend.timeline);
    }
    page_end(&mut html, "securescore-trend", trend);
    out.write_all(html.as_bytes())
}

/// The runs, each with its score and its change against the run before in its series.
fn runs_table(html: &mut String, id: &str, runs: &[Run]) {
    let _ = write!(
        html,
        "<table id=\"{id}\"><thead><tr><th>Recorded</th><th>As of</th><th>Label</th>\
         <th class=\"n\">Score</th><th class=\"n\">Change</th></tr></thead><tbody>"
    );
    for r in runs {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(&r.recorded_at),
            escape(&r.as_of),
            escape(r.label.as_deref().unwrap_or("")),
            percent(r.percentage),
            r.change.map_or(String::new(), signed)
        );
    }
    html.push_str("</tbody></table>");
}

/// The controls whose current score moved between the first and the last run.
fn moves_table(html: &mut String, id: &str, t: &Timeline) {
    let words = t.row_words();
    if t.moved_controls().next().is_none() {
        // A sentence, not a table of headers only (as in the text table).
        let _ = write!(html, "<p id=\"{id}\" class=\"na\">{}</p>", words.nothing_moved);
        return;
    }
    let _ = write!(
        html,
        "<table id=\"{id}\"><thead><tr><th>{}</th>\
         <th class=\"n\">First</th><th class=\"n\">Last</th><th class=\"n\">Change</th></tr></thead><tbody>",
        words.header
    );
    for c in t.moved_controls().take(20) {
        let show = |v: Option<f64>| v.map_or("-".to_string(), fmt2);
        let _ = write!(
            html,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            escape(c.name.as_deref().unwrap_or(&c.id)),
            show(c.first),
            show(c.last),
            signed(c.change)
        );
    }
    html.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_document_without_a_page_is_unsupported() {
        let listing = crate::listing::CatalogListing {
            schema: "securescore.controls/v1",
            total_max_score: 0.0,
            controls: Vec::new(),
        };
        let mut out = Vec::new();
        let err = render(&Document::Listing(&listing), &mut out).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::Unsupported);
        assert!(err.to_string().contains("control catalog"));
        assert!(out.is_empty());
    }

    #[test]
    fn text_and_attributes_are_escaped() {
        assert_eq!(
            escape("<script>\"x' & \u{1b}\u{80}\u{202e}"),
            "&lt;script&gt;&quot;x&#39; &amp; \\u{1b}\\u{80}\\u{202e}"
        );
    }

    #[test]
    fn embedded_json_cannot_close_its_element() {
        let s = script_json(&"</script><!-- \u{2028}&");
        assert!(!s.contains('<') && !s.contains('>') && !s.contains('&'));
        assert!(s.contains("\\u003c/script\\u003e"));
        let back: String = serde_json::from_str(&s).unwrap();
        assert_eq!(back, "</script><!-- \u{2028}&");
    }
}
