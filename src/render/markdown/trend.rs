//! The trend in markdown: the score over the runs (with the sparkline), each run, and
//! the controls that moved most; one section per series when the history holds several.

use super::{count, escape, write_table, Align};
use crate::text::{capitalised, fmt2, percent, signed};
use crate::trend::{mixed_series, Timeline, Trend, NO_FILTER};
use std::io::{self, Write};

/// Controls listed (JSON lists them all), as in the table.
const MOVES: usize = 10;

/// Writes the trend.
pub fn write(t: &Trend, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "## Secure score over time\n")?;
    if t.timeline.runs.is_empty() {
        let since = t
            .since
            .as_deref()
            .map_or(String::new(), |d| format!(" since {}", escape(d)));
        return writeln!(out, "No run recorded{since}.");
    }
    if let Some(why) = mixed_series(t) {
        writeln!(out, "{}", escape(&capitalised(&why)))?;
        for s in &t.series {
            writeln!(
                out,
                "\n### Series {}: {}\n\nKey: {}\n",
                s.number,
                escape(&s.name),
                escape(&s.key)
            )?;
            write_timeline(&s.timeline, "####", out)?;
        }
        return Ok(());
    }
    if let Some(one) = t.series.first().filter(|s| s.name != NO_FILTER) {
        writeln!(out, "Runs recorded with {}\n", escape(&one.name))?;
    }
    write_timeline(&t.timeline, "###", out)
}

/// One series: its summary, its runs, and the controls that moved most; `heading` is
/// the markdown of its sections' headings.
fn write_timeline(t: &Timeline, heading: &str, out: &mut dyn Write) -> io::Result<()> {
    let mut facts = vec![count(t.runs.len(), "run")];
    let spark = t.sparkline_tail();
    if !spark.trim().is_empty() {
        facts.push(spark);
    }
    let change = t
        .change
        .map_or(String::new(), |c| format!(" ({} points)", signed(c)));
    facts.push(format!("{} → {}{change}", percent(t.first), percent(t.last)));
    if let Some(g) = t.threshold {
        facts.push(format!("gate --fail-under {}%", fmt2(g)));
    }
    writeln!(out, "{}", facts.join(" · "))?;
    let rows: Vec<Vec<String>> = t
        .runs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            vec![
                (i + 1).to_string(),
                escape(&r.recorded_at),
                escape(&r.as_of),
                escape(r.label.as_deref().unwrap_or("")),
                percent(r.percentage),
                r.change.map_or(String::new(), signed),
            ]
        })
        .collect();
    writeln!(out, "\n{heading} Runs\n")?;
    write_table(
        out,
        &[
            ("#", Align::Right),
            ("Recorded", Align::Left),
            ("As of", Align::Left),
            ("Label", Align::Left),
            ("Score", Align::Right),
            ("Change", Align::Right),
        ],
        &rows,
    )?;
    let words = t.row_words();
    writeln!(
        out,
        "\n{heading} {} that moved most, first → last run\n",
        words.plural
    )?;
    let show = |v: Option<f64>| v.map_or("-".to_string(), fmt2);
    let moves: Vec<Vec<String>> = t
        .moved_controls()
        .take(MOVES)
        .map(|c| {
            vec![
                escape(c.name.as_deref().unwrap_or(&c.id)),
                show(c.first),
                show(c.last),
                signed(c.change),
            ]
        })
        .collect();
    if moves.is_empty() {
        return writeln!(out, "{}", words.nothing_moved);
    }
    write_table(
        out,
        &[
            (words.header, Align::Left),
            ("First", Align::Right),
            ("Last", Align::Right),
            ("Change", Align::Right),
        ],
        &moves,
    )
}
