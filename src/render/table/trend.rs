//! The human-readable trend: each run with its score and change, a sparkline, and the
//! controls that moved most between the first and the last run; one such block per
//! series when the history holds several.

use super::{align_right, new_table, row_moves, write_table};
use crate::render::Style;
use crate::text::{capitalised, fmt2, percent, signed, terminal_safe};
use crate::trend::{mixed_series, Timeline, Trend, NO_FILTER};
use std::io::{self, Write};

/// Controls listed in the table (JSON lists them all).
const MOVES: usize = 10;

/// Writes the trend as text.
pub fn write(t: &Trend, style: Style, out: &mut dyn Write) -> io::Result<()> {
    if t.timeline.runs.is_empty() {
        return writeln!(
            out,
            "No run recorded{}.",
            t.since
                .as_deref()
                .map_or(String::new(), |d| format!(" since {d}"))
        );
    }
    if let Some(why) = mixed_series(t) {
        writeln!(out, "{}", terminal_safe(&capitalised(&why)))?;
        for s in &t.series {
            writeln!(
                out,
                "\nSeries {}: {} (key {})",
                s.number,
                terminal_safe(&s.name),
                terminal_safe(&s.key)
            )?;
            write_timeline(&s.timeline, style, out)?;
        }
        return Ok(());
    }
    if let Some(one) = t.series.first().filter(|s| s.name != NO_FILTER) {
        writeln!(out, "Runs recorded with {}", terminal_safe(&one.name))?;
    }
    write_timeline(&t.timeline, style, out)
}

/// One series: the headline, the runs, and the controls that moved most.
fn write_timeline(t: &Timeline, style: Style, out: &mut dyn Write) -> io::Result<()> {
    writeln!(
        out,
        "Secure score over {} run{} · {} · {} → {}{}{}",
        t.runs.len(),
        if t.runs.len() == 1 { "" } else { "s" },
        t.sparkline_tail(),
        percent(t.first),
        percent(t.last),
        t.change
            .map_or(String::new(), |c| format!(" ({} points)", signed(c))),
        t.threshold
            .map_or(String::new(), |g| format!(" · gate --fail-under {}%", fmt2(g)))
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
    writeln!(out)?;
    write_table(out, &table)?;
    let words = t.row_words();
    let moved: Vec<_> = t.moved_controls().take(MOVES).collect();
    if moved.is_empty() {
        writeln!(out, "\n{}", words.nothing_moved)?;
    } else {
        let rows = moved
            .into_iter()
            .map(|c| (c.name.as_deref(), c.id.as_str(), c.first, c.last, c.change));
        writeln!(out, "\n{} that moved most, first → last run:", words.plural)?;
        write_table(out, &row_moves(style, [words.header, "First", "Last"], rows))?;
    }
    Ok(())
}
