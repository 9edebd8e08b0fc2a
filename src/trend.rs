//! `trend` (issue: score over time): the runs of a history with their change, a
//! sparkline, and the controls that moved most between the first and the last run.
//!
//! Runs recorded with different filters, weighting or model (two CI jobs recording
//! `--scope prod` and `--scope dev` into one history) are different series: their scores
//! are not on one line, so each series gets its own figures, and `--series` (or `--model`)
//! selects one. Under `v1` and `pass-rate` a series' moves are its recommendations'.
//! Pure: recorded runs in, a [`Trend`] out.

use crate::date::Date;
use crate::diag::Diagnostic;
use crate::history::{Recorded, RecordedFilters};
use crate::report::WarningOut;
use crate::text::nano_units;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The trend schema identifier.
pub const SCHEMA: &str = "securescore.trend/v1";

/// The sparkline's levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The name of the series recorded with `assess`'s defaults.
pub const NO_FILTER: &str = "no filter";

/// The weighting of a run that names none.
const DEFAULT_WEIGHTING: &str = "resources";

/// What the user asked of the trend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrendRequest {
    /// Only runs recorded on or after this date.
    pub since: Option<Date>,
    /// `--series`: one series, by its number or its key.
    pub series: Option<String>,
    /// `--model`: only the runs scored with this model (SPEC §7).
    pub model: Option<crate::score::ScoringModel>,
    /// `--threshold`: the gate line to draw instead of the recorded `--fail-under`.
    pub threshold: Option<f64>,
}

/// The score over time.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Trend {
    pub schema: &'static str,
    /// Only runs recorded on or after this date, when given.
    pub since: Option<String>,
    /// Every run shown and, when they form one series, its figures. When they form
    /// several, each run's change is against the run before in its own series, and the
    /// overall figures are empty (`first`, `last`, `change` null, no sparkline, no
    /// controls): they are given per series.
    #[serde(flatten)]
    pub timeline: Timeline,
    /// Each series shown, by number.
    pub series: Vec<Series>,
    /// Line numbers of the lines that are not valid snapshots.
    pub skipped: Vec<usize>,
    /// The history's warnings (`invalid-snapshot`, `mixed-series`), as on standard error.
    pub warnings: Vec<WarningOut>,
}

/// A history as read: where it is, its runs (in file order, with their line numbers),
/// and the warnings about its lines.
#[derive(Clone, Copy, Debug)]
pub struct History<'a> {
    pub path: &'a Path,
    pub runs: &'a [(usize, Recorded)],
    pub warnings: &'a [Diagnostic],
}

/// Runs in history order, and what they say together.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct Timeline {
    pub runs: Vec<Run>,
    /// One character per run, from ▁ (the lowest score shown) to █ (the highest); a space
    /// where the score is undefined.
    pub sparkline: String,
    pub first: Option<f64>,
    pub last: Option<f64>,
    /// Last minus first, over the runs with a defined score.
    pub change: Option<f64>,
    /// Every control of the first or last run, the largest move first (none in a series
    /// of a model whose rows are recommendations).
    pub controls: Vec<ControlMove>,
    /// In a series of `v1` or `pass-rate` runs: every recommendation of the first or last
    /// run, the largest move first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<Vec<ControlMove>>,
    /// The gate's threshold to draw: `--threshold`, else the `--fail-under` recorded with
    /// the latest run that had one.
    pub threshold: Option<f64>,
}

/// Runs shown in a text sparkline (the latest ones; JSON has them all).
pub const SPARK: usize = 60;

/// Said instead of an empty list of the controls that moved (table and HTML page alike).
pub const NOTHING_MOVED: &str = "No control's current score moved between the first and the last run.";

/// [`NOTHING_MOVED`] in a series whose rows are recommendations.
pub const NO_RECOMMENDATION_MOVED: &str =
    "No recommendation's current score moved between the first and the last run.";

/// How the text formats name a timeline's rows: controls, or recommendations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RowWords {
    /// The column's header: `Control`.
    pub header: &'static str,
    /// The plural that starts a title: `Controls`.
    pub plural: &'static str,
    /// Said when none moved.
    pub nothing_moved: &'static str,
}

impl Timeline {
    /// The sparkline of the latest [`SPARK`] runs, after `…` when there are more: what the
    /// text formats show in one line.
    pub fn sparkline_tail(&self) -> String {
        let n = self.runs.len();
        if n <= SPARK {
            return self.sparkline.clone();
        }
        format!("…{}", sparkline(&self.runs[n - SPARK..]))
    }

    /// The controls (in a series of `v1` or `pass-rate` runs, the recommendations) whose
    /// current score moved (by at least 0.01 points, as shown), the largest move first:
    /// what the table and the HTML page list.
    pub fn moved_controls(&self) -> impl Iterator<Item = &ControlMove> {
        self.recommendations
            .as_deref()
            .unwrap_or(&self.controls)
            .iter()
            .filter(|c| crate::text::hundredths(c.change) != 0)
    }

    /// How the rows [`Timeline::moved_controls`] lists are named.
    pub fn row_words(&self) -> RowWords {
        match self.recommendations {
            Some(_) => RowWords {
                header: "Recommendation",
                plural: "Recommendations",
                nothing_moved: NO_RECOMMENDATION_MOVED,
            },
            None => RowWords {
                header: "Control",
                plural: "Controls",
                nothing_moved: NOTHING_MOVED,
            },
        }
    }
}

/// The runs recorded with one set of options: one line on a chart.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Series {
    /// Its place among every series of the history (not only those shown), by key; what
    /// `--series N` selects.
    pub number: usize,
    /// Model, weighting and filters in one string; what `--series KEY` selects.
    pub key: String,
    /// The options that differ from `assess`'s defaults, as `assess` takes them
    /// (`--scope ID`), or `no filter`.
    pub name: String,
    pub model: String,
    pub weighting: String,
    pub filters: RecordedFilters,
    #[serde(flatten)]
    pub timeline: Timeline,
}

/// One run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Run {
    /// Its line in the history.
    pub line: usize,
    pub recorded_at: String,
    pub as_of: String,
    pub label: Option<String>,
    pub percentage: Option<f64>,
    /// Against the run before in its series (`None` for the first, or when either is
    /// undefined).
    pub change: Option<f64>,
    /// The key of its series.
    pub series: String,
}

/// A control's current score in the first and the last run.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ControlMove {
    pub id: String,
    pub name: Option<String>,
    pub first: Option<f64>,
    pub last: Option<f64>,
    pub change: f64,
}

/// What tells series apart: the options a run was scored with.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct SeriesId {
    model: String,
    weighting: String,
    filters: RecordedFilters,
}

impl SeriesId {
    /// A run's series: absent fields are the defaults, and the filter lists are sorted,
    /// so the order options were given in does not matter.
    fn of(r: &Recorded) -> SeriesId {
        SeriesId::new(
            r.model_name(),
            r.weighting.as_deref().unwrap_or(DEFAULT_WEIGHTING),
            r.filters.clone().unwrap_or_default(),
        )
    }

    /// The series of runs scored under these options.
    fn new(model: &str, weighting: &str, mut filters: RecordedFilters) -> SeriesId {
        for list in [&mut filters.scope, &mut filters.management_group] {
            list.sort();
            list.dedup();
        }
        SeriesId {
            model: model.to_string(),
            weighting: weighting.to_string(),
            filters,
        }
    }

    /// `model=…,weighting=…` and each filter: `,scope=…`, `,management-group=…`,
    /// `,include-preview`, `,ignore-exemptions`.
    fn key(&self) -> String {
        let mut key = format!("model={},weighting={}", self.model, self.weighting);
        for s in &self.filters.scope {
            key.push_str(&format!(",scope={s}"));
        }
        for g in &self.filters.management_group {
            key.push_str(&format!(",management-group={g}"));
        }
        if self.filters.include_preview {
            key.push_str(",include-preview");
        }
        if self.filters.ignore_exemptions {
            key.push_str(",ignore-exemptions");
        }
        key
    }

    /// The options that differ from the defaults, as `assess` takes them.
    fn name(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        if self.model != crate::score::ScoringModel::Classic.as_str() {
            parts.push(format!("--model {}", self.model));
        }
        if self.weighting != DEFAULT_WEIGHTING {
            parts.push(format!("--weighting {}", self.weighting));
        }
        parts.extend(self.filters.scope.iter().map(|s| format!("--scope {s}")));
        parts.extend(
            self.filters
                .management_group
                .iter()
                .map(|g| format!("--management-group {g}")),
        );
        if self.filters.include_preview {
            parts.push("--include-preview".to_string());
        }
        if self.filters.ignore_exemptions {
            parts.push("--ignore-exemptions".to_string());
        }
        if parts.is_empty() {
            NO_FILTER.to_string()
        } else {
            parts.join(" ")
        }
    }
}

/// The last of `runs` (in history order) scored under the same model, weighting and
/// filters as given: what `assess --max-drop` compares with.
pub fn last_of_series<'r>(
    runs: &'r [(usize, Recorded)],
    model: &str,
    weighting: &str,
    filters: RecordedFilters,
) -> Option<&'r (usize, Recorded)> {
    let wanted = SeriesId::new(model, weighting, filters);
    runs.iter().rev().find(|(_, r)| SeriesId::of(r) == wanted)
}

/// The trend of a history as `request` asks; an error (the series there are) when
/// `--series` names none of the history's.
pub fn trend(history: &History, request: &TrendRequest) -> Result<Trend, String> {
    let every = series_ids(history.runs);
    let wanted = match request.series.as_deref() {
        Some(asked) => Some(find_series(&every, asked)?),
        None => None,
    };
    if let Some(model) = request.model {
        let named = |id: &SeriesId| id.model == model.as_str();
        if !every.iter().any(named) {
            return Err(no_run_of_model(&every, model));
        }
        if let Some(w) = wanted.as_ref().filter(|w| !named(w)) {
            return Err(format!(
                "--series {} is a series of the {} model, not of --model {model}",
                w.key(),
                w.model
            ));
        }
    }
    Ok(build(history, request, wanted.as_ref()))
}

/// The error for `--model MODEL` when no run of the history was scored with it.
fn no_run_of_model(every: &[SeriesId], model: crate::score::ScoringModel) -> String {
    let mut models: Vec<&str> = every.iter().map(|id| id.model.as_str()).collect();
    models.dedup();
    format!(
        "--model {model}: no run of this history was scored with it; it holds runs of {}",
        if models.is_empty() {
            "no model".to_string()
        } else {
            models.join(", ")
        }
    )
}

/// Every run of every series, with the gate's line at `threshold` when given (the
/// report's chart: nothing to select, so nothing to refuse).
pub fn whole(history: &History, threshold: Option<f64>) -> Trend {
    let request = TrendRequest {
        threshold,
        ..TrendRequest::default()
    };
    build(history, &request, None)
}

/// The distinct series of `runs`, sorted: their numbers are their places here, over the
/// whole history, so a number does not change with `--since`.
fn series_ids(runs: &[(usize, Recorded)]) -> Vec<SeriesId> {
    let mut every: Vec<SeriesId> = runs.iter().map(|(_, r)| SeriesId::of(r)).collect();
    every.sort();
    every.dedup();
    every
}

/// The trend of a history from `request.since` on, of the `wanted` series only when
/// given.
fn build(history: &History, request: &TrendRequest, wanted: Option<&SeriesId>) -> Trend {
    let runs = history.runs;
    let ids: Vec<SeriesId> = runs.iter().map(|(_, r)| SeriesId::of(r)).collect();
    let every = series_ids(runs);
    let since = request.since;
    let mut grouped: BTreeMap<&SeriesId, Vec<&(usize, Recorded)>> = BTreeMap::new();
    for (run, id) in runs.iter().zip(&ids) {
        let recent =
            since.is_none_or(|day| Date::parse_date_or_time(&run.1.recorded_at).is_ok_and(|d| d >= day));
        let of_model = request.model.is_none_or(|m| id.model == m.as_str());
        if recent && of_model && wanted.is_none_or(|w| w == id) {
            grouped.entry(id).or_default().push(run);
        }
    }
    let series: Vec<Series> = grouped
        .into_iter()
        .map(|(id, kept)| Series {
            number: every.iter().position(|e| e == id).map_or(0, |i| i + 1),
            key: id.key(),
            name: id.name(),
            model: id.model.clone(),
            weighting: id.weighting.clone(),
            filters: id.filters.clone(),
            timeline: timeline(&kept, id, request.threshold),
        })
        .collect();
    let timeline = match series.as_slice() {
        [] => Timeline::default(),
        [one] => one.timeline.clone(),
        several => interleaved(several),
    };
    let mut out = Trend {
        schema: SCHEMA,
        since: since.map(|d| d.to_string()),
        timeline,
        series,
        skipped: history.warnings.iter().filter_map(|w| w.line).collect(),
        warnings: Vec::new(),
    };
    let mixed = mixed_series_warning(&out, history.path);
    out.warnings = history
        .warnings
        .iter()
        .chain(&mixed)
        .map(WarningOut::from)
        .collect();
    out
}

/// The series `asked` names: its number, or its key exactly.
fn find_series(every: &[SeriesId], asked: &str) -> Result<SeriesId, String> {
    let by_number = asked
        .trim()
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_sub(1))
        .and_then(|i| every.get(i));
    if let Some(id) = by_number.or_else(|| every.iter().find(|id| id.key() == asked)) {
        return Ok(id.clone());
    }
    let known: Vec<String> = every
        .iter()
        .enumerate()
        .map(|(i, id)| format!("{} = {} ({})", i + 1, id.key(), id.name()))
        .collect();
    Err(format!(
        "--series {asked:?} names no series of this history; it holds: {}",
        known.join("; ")
    ))
}

/// The runs of several series in history order, each with its change within its own
/// series, and no overall figure.
fn interleaved(series: &[Series]) -> Timeline {
    let mut runs: Vec<Run> = series
        .iter()
        .flat_map(|s| s.timeline.runs.iter().cloned())
        .collect();
    runs.sort_by_key(|r| r.line);
    Timeline {
        runs,
        ..Timeline::default()
    }
}

/// The timeline of one series' runs (in history order).
fn timeline(kept: &[&(usize, Recorded)], id: &SeriesId, threshold: Option<f64>) -> Timeline {
    let key = id.key();
    let mut out_runs = Vec::with_capacity(kept.len());
    let mut previous: Option<Option<f64>> = None;
    for (line, r) in kept {
        let p = r.score.percentage;
        let change = match (previous, p) {
            (Some(Some(before)), Some(now)) => Some(now - before),
            _ => None,
        };
        out_runs.push(Run {
            line: *line,
            recorded_at: r.recorded_at.clone(),
            as_of: r.as_of.clone(),
            label: r.label.clone(),
            percentage: p,
            change,
            series: key.clone(),
        });
        previous = Some(p);
    }
    // The first and last runs with a defined score: an undefined run (a filter that kept
    // nothing) says nothing about how the estate moved.
    let defined: Vec<&Recorded> = kept
        .iter()
        .map(|(_, r)| r)
        .filter(|r| r.score.percentage.is_some())
        .collect();
    let (first_run, last_run) = (defined.first().copied(), defined.last().copied());
    // The series' rows are its model's: recommendations under v1 and pass-rate.
    let by_recommendation = id.model != crate::score::ScoringModel::Classic.as_str();
    let first = first_run.and_then(|r| r.score.percentage);
    let last = last_run.and_then(|r| r.score.percentage);
    let recorded_gate = kept.iter().rev().find_map(|(_, r)| {
        r.gate
            .as_ref()
            .and_then(|g| g.fail_under)
            .filter(|t| (0.0..=100.0).contains(t))
    });
    Timeline {
        sparkline: sparkline(&out_runs),
        change: first.zip(last).map(|(f, l)| l - f),
        first,
        last,
        controls: if by_recommendation {
            Vec::new()
        } else {
            moves(first_run, last_run)
        },
        recommendations: by_recommendation.then(|| moves(first_run, last_run)),
        runs: out_runs,
        threshold: threshold.or(recorded_gate),
    }
}

/// The `mixed-series` warning about the history at `path`, when the trend shows
/// several series.
pub fn mixed_series_warning(t: &Trend, path: &Path) -> Option<Diagnostic> {
    mixed_series(t).map(|message| {
        let mut d = Diagnostic::warning("mixed-series", message);
        d.file = Some(path.display().to_string());
        d
    })
}

/// The `mixed-series` warning's text when the trend shows several series, else `None`.
pub fn mixed_series(t: &Trend) -> Option<String> {
    if t.series.len() < 2 {
        return None;
    }
    let each: Vec<String> = t
        .series
        .iter()
        .map(|s| format!("{} = {}", s.number, s.name))
        .collect();
    // --model selects too when the series differ by model.
    let models = t.series.iter().any(|s| s.model != t.series[0].model);
    Some(format!(
        "the history holds {} series (runs recorded with different filters, weighting or model), \
         which are not one line: each is shown on its own ({}); select one with --series NUMBER{} or --series KEY",
        t.series.len(),
        each.join(", "),
        if models { ", --model MODEL" } else { "" }
    ))
}

/// One character per run, from ▁ (the lowest display-rounded score of `runs`) to █ (the
/// highest); a space where the score is undefined.
pub fn sparkline(runs: &[Run]) -> String {
    let shown = |r: &Run| r.percentage.map(crate::text::round2);
    let defined: Vec<f64> = runs.iter().filter_map(shown).collect();
    let lo = defined.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = defined.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    runs.iter()
        .map(|r| match shown(r) {
            None => ' ',
            Some(_) if hi - lo < 1e-9 => LEVELS[3],
            Some(p) => {
                let level = ((p - lo) / (hi - lo) * (LEVELS.len() - 1) as f64).round() as usize;
                LEVELS[level.min(LEVELS.len() - 1)]
            }
        })
        .collect()
}

fn moves(first: Option<&Recorded>, last: Option<&Recorded>) -> Vec<ControlMove> {
    // Id → (name, first current score, last current score).
    type Ends<'a> = (Option<&'a str>, Option<f64>, Option<f64>);
    let mut by_id: BTreeMap<&str, Ends> = BTreeMap::new();
    for c in first.map_or(&[][..], Recorded::rows) {
        by_id.insert(&c.id, (c.name.as_deref(), Some(c.current_score), None));
    }
    for c in last.map_or(&[][..], Recorded::rows) {
        let entry = by_id.entry(&c.id).or_insert((None, None, None));
        entry.0 = c.name.as_deref().or(entry.0);
        entry.2 = Some(c.current_score);
    }
    let mut out: Vec<ControlMove> = by_id
        .into_iter()
        .map(|(id, (name, f, l))| ControlMove {
            id: id.to_string(),
            name: name.map(str::to_string),
            first: f,
            last: l,
            change: l.unwrap_or(0.0) - f.unwrap_or(0.0),
        })
        .collect();
    out.sort_by(|a, b| {
        nano_units(b.change.abs())
            .cmp(&nano_units(a.change.abs()))
            .then_with(|| a.id.cmp(&b.id))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::{RecordedGate, RecordedScore, SnapshotControl};

    fn run(at: &str, p: Option<f64>, mfa: f64) -> Recorded {
        Recorded {
            schema: "securescore.snapshot/v1".to_string(),
            recorded_at: at.to_string(),
            as_of: at[..10].to_string(),
            label: None,
            model: None,
            weighting: None,
            filters: None,
            score: RecordedScore { percentage: p },
            controls: vec![SnapshotControl {
                id: "mfa".to_string(),
                name: Some("Enable MFA".to_string()),
                max_score: 10.0,
                current_score: mfa,
                healthy_resources: 0,
                unhealthy_resources: 0,
            }],
            recommendations: Vec::new(),
            gate: None,
        }
    }

    /// A run scored with `model`, its one row (a control under classic, else a
    /// recommendation) at `current`.
    fn of_model(at: &str, p: f64, model: &str, current: f64) -> Recorded {
        let base = run(at, Some(p), current);
        let (controls, recommendations) = if model == "classic" {
            (base.controls.clone(), Vec::new())
        } else {
            (Vec::new(), base.controls.clone())
        };
        Recorded {
            model: Some(model.to_string()),
            controls,
            recommendations,
            ..base
        }
    }

    #[test]
    fn runs_of_two_models_are_two_series_and_model_selects_one() {
        // A line without a model is classic: one series with the line that says so.
        let runs = vec![
            (1, run("2026-11-01T00:00:00Z", Some(40.0), 4.0)),
            (2, of_model("2026-11-02T00:00:00Z", 64.0, "v1", 30.0)),
            (3, of_model("2026-11-03T00:00:00Z", 42.0, "classic", 5.0)),
            (4, of_model("2026-11-04T00:00:00Z", 57.0, "v1", 40.0)),
        ];
        let t = all(&runs);
        let keys: Vec<&str> = t.series.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "model=classic,weighting=resources",
                "model=v1,weighting=resources"
            ]
        );
        // No line through two models: each run's change is within its own model's runs.
        let changes: Vec<Option<f64>> = t.timeline.runs.iter().map(|r| r.change).collect();
        assert_eq!(changes, [None, None, Some(2.0), Some(-7.0)]);
        assert_eq!(t.timeline.change, None);
        let warning = mixed_series(&t).unwrap();
        assert!(warning.contains("--model MODEL"), "{warning}");
        // The classic series moves its controls; the v1 series its recommendations.
        let (classic, v1) = (&t.series[0].timeline, &t.series[1].timeline);
        assert_eq!(
            (classic.controls.len(), classic.recommendations.as_ref()),
            (1, None)
        );
        assert!(v1.controls.is_empty());
        assert_eq!(v1.recommendations.as_ref().map(|m| m[0].change), Some(10.0));
        assert_eq!(v1.row_words().header, "Recommendation");
        // --model v1 selects its series alone: one line, no warning.
        let request = TrendRequest {
            model: Some(crate::score::ScoringModel::V1),
            ..TrendRequest::default()
        };
        let one = trend(&history(&runs), &request).unwrap();
        assert_eq!(one.series.len(), 1);
        assert_eq!((one.timeline.first, one.timeline.last), (Some(64.0), Some(57.0)));
        assert!(mixed_series(&one).is_none());
        // A model no run has is refused, naming those there are.
        let request = TrendRequest {
            model: Some(crate::score::ScoringModel::PassRate),
            ..TrendRequest::default()
        };
        let err = trend(&history(&runs), &request).unwrap_err();
        assert!(err.contains("it holds runs of classic, v1"), "{err}");
        // The last run of the same series is what max-drop compares with.
        let last = last_of_series(&runs, "v1", "resources", RecordedFilters::default());
        assert_eq!(last.map(|(line, _)| *line), Some(4));
        let last = last_of_series(&runs, "classic", "resources", RecordedFilters::default());
        assert_eq!(last.map(|(line, _)| *line), Some(3));
    }

    fn scoped(at: &str, p: f64, scope: &str) -> Recorded {
        Recorded {
            filters: Some(RecordedFilters {
                scope: vec![scope.to_string()],
                ..RecordedFilters::default()
            }),
            weighting: Some("resources".to_string()),
            ..run(at, Some(p), 0.0)
        }
    }

    fn history(runs: &[(usize, Recorded)]) -> History<'_> {
        History {
            path: Path::new("history.jsonl"),
            runs,
            warnings: &[],
        }
    }

    fn all(runs: &[(usize, Recorded)]) -> Trend {
        trend(&history(runs), &TrendRequest::default()).unwrap()
    }

    #[test]
    fn runs_change_and_the_sparkline_spans_lowest_to_highest() {
        let runs = vec![
            (1, run("2026-11-01T00:00:00Z", Some(50.0), 5.0)),
            (2, run("2026-11-02T00:00:00Z", Some(75.0), 7.5)),
            (4, run("2026-11-03T00:00:00Z", None, 7.5)),
            (5, run("2026-11-04T00:00:00Z", Some(62.5), 8.0)),
        ];
        let torn = [Diagnostic {
            line: Some(3),
            ..Diagnostic::warning("invalid-snapshot", "line 3 is torn")
        }];
        let read = History {
            warnings: &torn,
            ..history(&runs)
        };
        let t = trend(&read, &TrendRequest::default()).unwrap();
        assert_eq!(t.timeline.sparkline, "▁█ ▅");
        assert_eq!(t.timeline.runs[1].change, Some(25.0));
        assert_eq!(t.timeline.runs[3].change, None);
        assert_eq!(t.timeline.change, Some(12.5));
        assert_eq!(t.timeline.controls[0].change, 3.0);
        assert_eq!(t.skipped, vec![3]);
        assert_eq!(t.warnings.len(), 1);
        assert_eq!(t.series.len(), 1);
        assert_eq!(t.series[0].key, "model=classic,weighting=resources");
        assert_eq!(t.series[0].name, "no filter");
        assert_eq!(mixed_series(&t), None);
        let request = TrendRequest {
            since: Date::parse("2026-11-02").ok(),
            ..TrendRequest::default()
        };
        let since = trend(&history(&runs), &request).unwrap();
        assert_eq!(since.timeline.runs.len(), 3);
        assert_eq!(since.timeline.first, Some(75.0));
    }

    #[test]
    fn runs_recorded_with_different_filters_are_separate_series() {
        // Two jobs alternate: prod 80, dev 40, prod 82, dev 41. One line through them
        // would saw-tooth by ±40; each series moves by +2 and +1.
        let runs = vec![
            (1, scoped("2026-11-01T00:00:00Z", 80.0, "prod")),
            (2, scoped("2026-11-01T00:01:00Z", 40.0, "dev")),
            (3, scoped("2026-11-02T00:00:00Z", 82.0, "prod")),
            (4, scoped("2026-11-02T00:01:00Z", 41.0, "dev")),
        ];
        let t = all(&runs);
        // Numbered by key: "…,scope=dev" sorts before "…,scope=prod".
        let keys: Vec<&str> = t.series.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "model=classic,weighting=resources,scope=dev",
                "model=classic,weighting=resources,scope=prod"
            ]
        );
        assert_eq!(t.series[0].name, "--scope dev");
        assert_eq!(t.series[0].timeline.change, Some(1.0));
        assert_eq!(t.series[1].timeline.change, Some(2.0));
        // Every run is listed in history order, changed against its own series.
        let changes: Vec<Option<f64>> = t.timeline.runs.iter().map(|r| r.change).collect();
        assert_eq!(changes, [None, None, Some(2.0), Some(1.0)]);
        assert_eq!((t.timeline.first, t.timeline.change), (None, None));
        assert!(t.timeline.sparkline.is_empty() && t.timeline.controls.is_empty());
        let warning = mixed_series(&t).unwrap();
        assert!(warning.contains("2 series") && warning.contains("1 = --scope dev, 2 = --scope prod"));
        assert!(warning.contains("--series"));
        let codes: Vec<&str> = t.warnings.iter().map(|w| w.code).collect();
        assert_eq!(codes, ["mixed-series"]);
        assert_eq!(t.warnings[0].file.as_deref(), Some("history.jsonl"));
    }

    #[test]
    fn series_selects_one_by_number_or_key() {
        let runs = vec![
            (1, scoped("2026-11-01T00:00:00Z", 80.0, "prod")),
            (2, scoped("2026-11-01T00:01:00Z", 40.0, "dev")),
            (3, scoped("2026-11-02T00:00:00Z", 82.0, "prod")),
        ];
        let pick = |asked: &str| {
            let request = TrendRequest {
                series: Some(asked.to_string()),
                ..TrendRequest::default()
            };
            trend(&history(&runs), &request)
        };
        let prod = pick("2").unwrap();
        assert_eq!(prod.timeline.runs.len(), 2);
        assert_eq!(prod.timeline.change, Some(2.0));
        assert_eq!(mixed_series(&prod), None);
        assert!(prod.warnings.is_empty());
        assert_eq!(
            pick("model=classic,weighting=resources,scope=prod").unwrap(),
            prod
        );
        let err = pick("3").unwrap_err();
        assert!(
            err.contains("1 = model=classic,weighting=resources,scope=dev (--scope dev)"),
            "{err}"
        );
        assert!(pick("0").is_err() && pick("scope=prod").is_err());
    }

    #[test]
    fn absent_fields_are_the_defaults_and_filter_order_does_not_matter() {
        let mut explicit = run("2026-11-02T00:00:00Z", Some(60.0), 0.0);
        explicit.model = Some("classic".to_string());
        explicit.weighting = Some("resources".to_string());
        explicit.filters = Some(RecordedFilters::default());
        let mut ab = scoped("2026-11-03T00:00:00Z", 50.0, "b");
        ab.filters.as_mut().unwrap().scope.insert(0, "a".to_string());
        let mut ba = scoped("2026-11-04T00:00:00Z", 50.0, "a");
        ba.filters.as_mut().unwrap().scope.push("b".to_string());
        let runs = vec![
            (1, run("2026-11-01T00:00:00Z", Some(50.0), 0.0)),
            (2, explicit),
            (3, ab),
            (4, ba),
        ];
        let t = all(&runs);
        assert_eq!(t.series.len(), 2);
        assert_eq!(t.series[0].timeline.runs.len(), 2);
        assert_eq!(t.series[1].name, "--scope a --scope b");
        assert_eq!(t.series[1].timeline.runs.len(), 2);
    }

    #[test]
    fn the_threshold_is_asked_or_the_latest_recorded_gate() {
        let gated = |at: &str, limit: f64| Recorded {
            gate: Some(RecordedGate {
                fail_under: Some(limit),
            }),
            ..run(at, Some(70.0), 0.0)
        };
        let runs = vec![
            (1, gated("2026-11-01T00:00:00Z", 60.0)),
            (2, gated("2026-11-02T00:00:00Z", 65.0)),
            (3, run("2026-11-03T00:00:00Z", Some(70.0), 0.0)),
        ];
        assert_eq!(all(&runs).timeline.threshold, Some(65.0));
        let asked = TrendRequest {
            threshold: Some(75.0),
            ..TrendRequest::default()
        };
        assert_eq!(
            trend(&history(&runs), &asked).unwrap().timeline.threshold,
            Some(75.0)
        );
        assert_eq!(all(&runs[2..]).timeline.threshold, None);
    }
}
