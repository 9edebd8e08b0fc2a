//! The human-readable trend: each run with its score and change, a sparkline, and the
//! controls that moved most between the first and the last run.

use super::{align_right, new_table};
use crate::render::Style;
use crate::text::{fmt2, percent, signed, terminal_safe};
use crate::trend::Trend;
use std::io::{self, Write};

/// Controls listed in the table (JSON lists them all).
const MOVES: usize = 10;

/// Runs shown in the text sparkline (the latest ones; JSON has them all).
const SPARK: usize = 60;

fn sparkline_tail(t: &Trend) -> String {
    let n = t.runs.len();
    if n <= SPARK {
        return t.sparkline.clone();
    }
    format!("…{}", crate::trend::sparkline(&t.runs[n - SPARK..]))
}

/// Writes the trend as text.
pub fn write(t: &Trend, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if t.runs.is_empty() {
        return writeln!(
            out,
            "No run recorded{}.",
            t.since
                .as_deref()
                .map_or(String::new(), |d| format!(" since {d}"))
        );
    }
    writeln!(
        out,
        "Secure score over {} run{} · {} · {} → {}{}",
        t.runs.len(),
        if t.runs.len() == 1 { "" } else { "s" },
        sparkline_tail(t),
        percent(t.first),
        percent(t.last),
        t.change
            .map_or(String::new(), |c| format!(" ({} points)", signed(c)))
    )?;
    let mut table = new_table(style, &["#", "Recorded", "As of", "Label", "Score", "Change"]);
    for (i, r) in t.runs.iter().enumerate() {
        table.add_row(vec![
            (i + 1).to_string(),
            terminal_safe(&r.recorded_at).into_owned(),
            terminal_safe(&r.as_of).into_owned(),
            terminal_safe(r.label.as_deref().unwrap_or("")).into_owned(),
            percent(r.percentage),
            r.change.map_or(String::new(), signed),
        ]);
    }
    align_right(&mut table, &[0, 4, 5]);
    writeln!(out, "\n{table}")?;
    let moved: Vec<_> = t
        .controls
        .iter()
        .filter(|c| crate::text::hundredths(c.change) != 0)
        .take(MOVES)
        .collect();
    if moved.is_empty() {
        writeln!(
            out,
            "\nNo control's current score moved between the first and the last run."
        )?;
    } else {
        let mut table = new_table(style, &["Control", "First", "Last", "Change"]);
        for c in moved {
            let show = |v: Option<f64>| v.map_or("-".to_string(), fmt2);
            table.add_row(vec![
                terminal_safe(c.name.as_deref().unwrap_or(&c.id)).into_owned(),
                show(c.first),
                show(c.last),
                signed(c.change),
            ]);
        }
        align_right(&mut table, &[1, 2, 3]);
        writeln!(out, "\nControls that moved most, first → last run:\n{table}")?;
    }
    Ok(())
}
