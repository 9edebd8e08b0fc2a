//! `trend` (issue: score over time): the runs of a history with their change, a
//! sparkline, and the controls that moved most between the first and the last run.
//! Pure: recorded runs in, a [`Trend`] out.

use crate::date::Date;
use crate::history::Recorded;
use crate::text::nano_units;
use serde::Serialize;
use std::collections::BTreeMap;

/// The trend schema identifier.
pub const SCHEMA: &str = "securescore.trend/v1";

/// The sparkline's levels, lowest first.
const LEVELS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The score over time.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Trend {
    pub schema: &'static str,
    /// Only runs recorded on or after this date, when given.
    pub since: Option<String>,
    pub runs: Vec<Run>,
    /// One character per run, from ▁ (the lowest score shown) to █ (the highest); a space
    /// where the score is undefined.
    pub sparkline: String,
    pub first: Option<f64>,
    pub last: Option<f64>,
    /// Last minus first, over the runs with a defined score.
    pub change: Option<f64>,
    /// Every control of the first or last run, the largest move first.
    pub controls: Vec<ControlMove>,
    /// Line numbers of the lines that are not valid snapshots.
    pub skipped: Vec<usize>,
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
    /// Against the run before (`None` for the first, or when either is undefined).
    pub change: Option<f64>,
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

/// The trend of `runs` (in history order), from `since` on.
pub fn trend(runs: &[(usize, Recorded)], since: Option<Date>, skipped: Vec<usize>) -> Trend {
    let kept: Vec<&(usize, Recorded)> = runs
        .iter()
        .filter(|(_, r)| {
            since.is_none_or(|day| Date::parse_date_or_time(&r.recorded_at).is_ok_and(|d| d >= day))
        })
        .collect();
    let mut out_runs = Vec::with_capacity(kept.len());
    let mut previous: Option<Option<f64>> = None;
    for (line, r) in &kept {
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
        });
        previous = Some(p);
    }
    // The first and last runs with a defined score: an undefined run (a filter that kept
    // nothing) says nothing about how the estate moved.
    let defined: Vec<&&(usize, Recorded)> = kept
        .iter()
        .filter(|(_, r)| r.score.percentage.is_some())
        .collect();
    let (first_run, last_run) = (defined.first().map(|(_, r)| r), defined.last().map(|(_, r)| r));
    let first = first_run.and_then(|r| r.score.percentage);
    let last = last_run.and_then(|r| r.score.percentage);
    Trend {
        schema: SCHEMA,
        since: since.map(|d| d.to_string()),
        sparkline: sparkline(&out_runs),
        change: first.zip(last).map(|(f, l)| l - f),
        first,
        last,
        controls: moves(first_run, last_run),
        runs: out_runs,
        skipped,
    }
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
    for c in first.map_or(&[][..], |r| &r.controls) {
        by_id.insert(&c.id, (c.name.as_deref(), Some(c.current_score), None));
    }
    for c in last.map_or(&[][..], |r| &r.controls) {
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
    use crate::history::{RecordedScore, SnapshotControl};

    fn run(at: &str, p: Option<f64>, mfa: f64) -> Recorded {
        Recorded {
            schema: "securescore.snapshot/v1".to_string(),
            recorded_at: at.to_string(),
            as_of: at[..10].to_string(),
            label: None,
            score: RecordedScore { percentage: p },
            controls: vec![SnapshotControl {
                id: "mfa".to_string(),
                name: Some("Enable MFA".to_string()),
                max_score: 10.0,
                current_score: mfa,
                healthy_resources: 0,
                unhealthy_resources: 0,
            }],
        }
    }

    #[test]
    fn runs_change_and_the_sparkline_spans_lowest_to_highest() {
        let runs = vec![
            (1, run("2026-11-01T00:00:00Z", Some(50.0), 5.0)),
            (2, run("2026-11-02T00:00:00Z", Some(75.0), 7.5)),
            (4, run("2026-11-03T00:00:00Z", None, 7.5)),
            (5, run("2026-11-04T00:00:00Z", Some(62.5), 8.0)),
        ];
        let t = trend(&runs, None, vec![3]);
        assert_eq!(t.sparkline, "▁█ ▅");
        assert_eq!(t.runs[1].change, Some(25.0));
        assert_eq!(t.runs[3].change, None);
        assert_eq!(t.change, Some(12.5));
        assert_eq!(t.controls[0].change, 3.0);
        assert_eq!(t.skipped, vec![3]);
        let since = trend(&runs, Date::parse("2026-11-02").ok(), vec![]);
        assert_eq!(since.runs.len(), 3);
        assert_eq!(since.first, Some(75.0));
    }
}
