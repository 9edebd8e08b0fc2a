//! The time axis of the trend chart: where a run's time falls on the x axis
//! (proportionally to time, so a week without runs shows as a gap), and ticks at round
//! times with readable labels (`14:00`, `22 Nov`, `Nov 2026`, `2027`) instead of raw
//! RFC 3339 timestamps. Pure and deterministic: all in UTC, from the runs' times only.

use crate::date::{Date, Instant};

const DAY: i64 = 86_400;

/// 1970-01-05, the first Monday of the epoch: weeks start on Mondays.
const FIRST_MONDAY: i64 = 4;

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A tick spacing: a fixed number of seconds (minutes to weeks), or of calendar months
/// or years (whose length varies).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Seconds(i64),
    Months(u32),
    Years(i64),
}

/// The spacings tried, finest first; the first that gives few enough ticks is used.
const STEPS: [Step; 20] = [
    Step::Seconds(60),
    Step::Seconds(5 * 60),
    Step::Seconds(15 * 60),
    Step::Seconds(30 * 60),
    Step::Seconds(3600),
    Step::Seconds(3 * 3600),
    Step::Seconds(6 * 3600),
    Step::Seconds(12 * 3600),
    Step::Seconds(DAY),
    Step::Seconds(2 * DAY),
    Step::Seconds(7 * DAY),
    Step::Seconds(14 * DAY),
    Step::Months(1),
    Step::Months(3),
    Step::Months(6),
    Step::Years(1),
    Step::Years(5),
    Step::Years(10),
    Step::Years(50),
    Step::Years(100),
];

/// A labelled tick.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    pub x: f64,
    pub label: String,
}

/// The x axis from the earliest to the latest time, drawn from `left` to `right`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeAxis {
    start: i64,
    end: i64,
    left: f64,
    right: f64,
}

impl TimeAxis {
    /// The axis spanning `times`, or `None` when there is none.
    pub fn new(times: impl IntoIterator<Item = Instant>, left: f64, right: f64) -> Option<TimeAxis> {
        let seconds: Vec<i64> = times.into_iter().map(Instant::seconds).collect();
        let start = seconds.iter().copied().min()?;
        let end = seconds.iter().copied().max()?;
        Some(TimeAxis {
            start,
            end,
            left,
            right,
        })
    }

    /// Where `t` falls: in proportion to its time between the earliest and the latest
    /// (the middle when they are one instant).
    pub fn x(&self, t: Instant) -> f64 {
        if self.end == self.start {
            return (self.left + self.right) / 2.0;
        }
        let share = (t.seconds() - self.start) as f64 / (self.end - self.start) as f64;
        self.left + (self.right - self.left) * share
    }

    /// At most `most` ticks at round times within the span, the finest spacing that
    /// allows it; when none falls within (runs seconds apart), or the runs are one
    /// instant (whether or not it is a round minute, so one run is always labelled
    /// alike), the earliest time, labelled in full.
    pub fn ticks(&self, most: usize) -> Vec<Tick> {
        let times = STEPS
            .iter()
            .map(|&step| (step, tick_times(self.start, self.end, step, most + 1)))
            .find(|(_, times)| times.len() <= most.max(1));
        let spans_time = self.end > self.start;
        let Some((step, times)) = times.filter(|(_, times)| spans_time && !times.is_empty()) else {
            let start = Instant::from_seconds(self.start);
            return vec![Tick {
                x: self.x(start),
                label: full_label(start),
            }];
        };
        let mut previous: Option<Instant> = None;
        times
            .into_iter()
            .map(|t| {
                let tick = Tick {
                    x: self.x(t),
                    label: tick_label(t, step, previous),
                };
                previous = Some(t);
                tick
            })
            .collect()
    }
}

/// The round times of `step` from `start` to `end`, stopping once there are `limit`.
fn tick_times(start: i64, end: i64, step: Step, limit: usize) -> Vec<Instant> {
    let mut out = Vec::new();
    let mut push = |seconds: i64| {
        if (start..=end).contains(&seconds) && out.len() < limit {
            out.push(Instant::from_seconds(seconds));
        }
        seconds <= end && out.len() < limit
    };
    match step {
        Step::Seconds(s) => {
            // Weeks are counted from a Monday; shorter steps divide a day, so they are
            // round times of day.
            let origin = if s % (7 * DAY) == 0 { FIRST_MONDAY * DAY } else { 0 };
            let mut t = origin + (start - origin).div_euclid(s) * s;
            while push(t) {
                t += s;
            }
        }
        Step::Months(n) => {
            let (mut year, month, _) = Instant::from_seconds(start).date().ymd();
            // The first month of the year that is a multiple of the step, at or before
            // `start`'s month.
            let mut month = (month - 1) / n * n + 1;
            while let Some(day) = Date::from_ymd(year, month, 1) {
                if !push(day_seconds(day)) {
                    break;
                }
                month += n;
                if month > 12 {
                    month -= 12;
                    year += 1;
                }
            }
        }
        Step::Years(n) => {
            let (first, _, _) = Instant::from_seconds(start).date().ymd();
            let mut year = first.div_euclid(n) * n;
            while let Some(day) = Date::from_ymd(year, 1, 1) {
                if !push(day_seconds(day)) {
                    break;
                }
                year += n;
            }
        }
    }
    out
}

fn day_seconds(day: Date) -> i64 {
    Instant::midnight(day).seconds()
}

/// A tick's label: as fine as its step, with the day (or year) only where it changes
/// from the previous tick's, so a run of labels reads `22 Nov 2026`, `23 Nov`, … .
fn tick_label(t: Instant, step: Step, previous: Option<Instant>) -> String {
    let date = t.date();
    let (year, month, day) = date.ymd();
    let month_name = MONTHS[(month as usize - 1) % 12];
    let new_year = previous.is_none_or(|p| p.date().ymd().0 != year);
    let with_year = |text: String| if new_year { format!("{text} {year}") } else { text };
    match step {
        Step::Seconds(s) if s < DAY => {
            let (h, m) = t.hour_minute();
            let new_day = previous.is_none_or(|p| p.date() != date);
            if new_day {
                format!("{} {h:02}:{m:02}", with_year(format!("{day} {month_name}")))
            } else {
                format!("{h:02}:{m:02}")
            }
        }
        Step::Seconds(_) => with_year(format!("{day} {month_name}")),
        Step::Months(_) => with_year(month_name.to_string()),
        Step::Years(_) => year.to_string(),
    }
}

/// A time in full, to the minute: `22 Nov 2026 14:07 UTC`.
pub fn full_label(t: Instant) -> String {
    let (year, month, day) = t.date().ymd();
    let (h, m) = t.hour_minute();
    format!(
        "{day} {} {year} {h:02}:{m:02} UTC",
        MONTHS[(month as usize - 1) % 12]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        Instant::parse(text).unwrap()
    }

    fn labels(axis: &TimeAxis, most: usize) -> Vec<String> {
        axis.ticks(most).into_iter().map(|t| t.label).collect()
    }

    #[test]
    fn runs_fall_in_proportion_to_their_time() {
        // Runs on days 0, 1 and 4 of an axis from 0 to 400: 1 day of 4 is 100, not the
        // 200 that evenly spaced points would give.
        let times = [
            at("2026-11-01T00:00:00Z"),
            at("2026-11-02T00:00:00Z"),
            at("2026-11-05T00:00:00Z"),
        ];
        let axis = TimeAxis::new(times, 0.0, 400.0).unwrap();
        let xs: Vec<f64> = times.iter().map(|&t| axis.x(t)).collect();
        assert_eq!(xs, [0.0, 100.0, 400.0]);
        // Six hours are a quarter of a day: 100 / 4 = 25 after the first run.
        assert_eq!(axis.x(at("2026-11-01T06:00:00Z")), 25.0);
        // An offset is the same instant: 01:00+01:00 is midnight UTC.
        assert_eq!(axis.x(at("2026-11-02T01:00:00+01:00")), 100.0);
        // One instant (every run in the same second) sits in the middle.
        let one = TimeAxis::new([times[0], times[0]], 40.0, 240.0).unwrap();
        assert_eq!(one.x(times[0]), 140.0);
        assert_eq!(TimeAxis::new([], 0.0, 1.0), None);
    }

    #[test]
    fn ticks_are_round_days_with_the_year_once() {
        // 1 Nov 14:07 to 5 Nov 09:00: midnights of 2, 3, 4 and 5 Nov fit in 4 ticks.
        let axis = TimeAxis::new([at("2026-11-01T14:07:13Z"), at("2026-11-05T09:00:00Z")], 0.0, 1.0).unwrap();
        assert_eq!(labels(&axis, 6), ["2 Nov 2026", "3 Nov", "4 Nov", "5 Nov"]);
        // At most 2: every other midnight, counted from 1970-01-01: 1 Nov 2026 is day
        // 20_758 (even, but before the first run), so 3 and 5 Nov (20_760, 20_762).
        assert_eq!(labels(&axis, 2), ["3 Nov 2026", "5 Nov"]);
        let ticks = axis.ticks(6);
        // 2 Nov 00:00 is 9 h 52 min 47 s = 35_567 s after the start of a span of
        // 3 days 18 h 52 min 47 s = 327_167 s.
        assert!((ticks[0].x - 35_567.0 / 327_167.0).abs() < 1e-12);
    }

    #[test]
    fn tick_labels_follow_the_span() {
        let span =
            |a: &str, b: &str, most: usize| labels(&TimeAxis::new([at(a), at(b)], 0.0, 1.0).unwrap(), most);
        // Hours, with the day where it changes.
        assert_eq!(
            span("2026-12-31T19:30:00Z", "2027-01-01T02:10:00Z", 4),
            ["31 Dec 2026 21:00", "1 Jan 2027 00:00"]
        );
        // Weeks start on Mondays: 2, 9 and 16 Nov 2026 are Mondays.
        assert_eq!(
            span("2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z", 3),
            ["2 Nov 2026", "9 Nov", "16 Nov"]
        );
        // Months, with the year at its first month and when it changes.
        assert_eq!(
            span("2026-10-15T00:00:00Z", "2027-02-15T00:00:00Z", 6),
            ["Nov 2026", "Dec", "Jan 2027", "Feb"]
        );
        // Quarters start in January, April, July and October.
        assert_eq!(
            span("2026-02-01T00:00:00Z", "2027-02-01T00:00:00Z", 4),
            ["Apr 2026", "Jul", "Oct", "Jan 2027"]
        );
        // Years.
        assert_eq!(
            span("2021-06-01T00:00:00Z", "2026-06-01T00:00:00Z", 6),
            ["2022", "2023", "2024", "2025", "2026"]
        );
        // Runs seconds apart: no round minute between them, so the first time in full.
        assert_eq!(
            span("2026-11-22T14:07:13Z", "2026-11-22T14:07:14Z", 6),
            ["22 Nov 2026 14:07 UTC"]
        );
        // One instant is labelled in full whether or not it is a round minute (a single
        // run recorded at 14:07:00 read "22 Nov 2026 14:07", at 14:07:13 "… 14:07 UTC").
        assert_eq!(
            span("2026-11-22T14:07:00Z", "2026-11-22T14:07:00Z", 6),
            ["22 Nov 2026 14:07 UTC"]
        );
        assert_eq!(
            span("2026-11-22T00:00:00Z", "2026-11-22T00:00:00Z", 6),
            ["22 Nov 2026 00:00 UTC"]
        );
    }
}
