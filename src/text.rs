//! Display helpers shared by every renderer: terminal-safe text and display rounding.

use std::borrow::Cow;

/// How the unnamed scope (resources of no subscription or connector) is shown.
pub const UNNAMED_SCOPE: &str = "(no subscription)";

/// Shows and serialises a type by its `as_str()` name, so that the name is spelled once.
macro_rules! named {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use named;

/// True for characters that could drive a terminal or reorder what it shows: C0 and C1
/// controls, DEL, the Unicode bidirectional formatting characters, and the line and
/// paragraph separators (U+2028, U+2029), which break a line as `\n` and NEL (a C1
/// control) do.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// True when the `[` that follows `before` would open a CI runner's log command:
/// Azure Pipelines runs `##vso[` anywhere in a line (in any case), GitHub Actions `##[`.
fn opens_log_command(before: &str) -> bool {
    let b = before.as_bytes();
    b.ends_with(b"##") || (b.len() >= 5 && b[b.len() - 5..].eq_ignore_ascii_case(b"##vso"))
}

/// True when the character `c` at byte `i` of `text` would let a CI runner read its line
/// as a command: the `[` of a log-command opener ([`opens_log_command`]), or a `:` right
/// after another (GitHub Actions runs a line that starts with `::` once trimmed, and a
/// wrapped table cell can start a line anywhere in its text, so no `::` is left).
fn log_command_at(text: &str, i: usize, c: char) -> bool {
    match c {
        '[' => opens_log_command(&text[..i]),
        ':' => text[..i].ends_with(':'),
        _ => false,
    }
}

/// `text` with each character for which `escape(text, byte index, char)` holds shown as a
/// `\u{…}` escape; borrowed as it is when there is none, the common case.
fn escape_where(text: &str, escape: impl Fn(&str, usize, char) -> bool) -> Cow<'_, str> {
    if !text.char_indices().any(|(i, c)| escape(text, i, c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (i, c) in text.char_indices() {
        if escape(text, i, c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text taken from an inventory, made safe to print on a terminal or in a CI job's log
/// (in CI, the log is the terminal): every control or bidirectional character is shown
/// as a `\u{…}` escape, and so are the characters that would make a CI runner read a
/// line as a command: the `[` of `##[` and `##vso[` (any case) as `\u{5b}`, and each `:`
/// that follows a `:` as `\u{3a}`. Text with none of them is returned as it is.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    escape_where(text, |t, i, c| is_unsafe(c) || log_command_at(t, i, c))
}

/// Text taken from an inventory with its control and bidirectional characters shown as
/// `\u{…}` escapes, and nothing else changed: for files (markdown, SARIF, HTML, CSV) and
/// for the messages of diagnostics, which are printed through [`terminal_safe`] but also
/// land in files, where the escapes of CI log commands would only be noise.
pub fn controls_escaped(text: &str) -> Cow<'_, str> {
    escape_where(text, |_, _, c| is_unsafe(c))
}

/// Lines already made for a terminal (line breaks and colours kept), with the CI log
/// commands [`terminal_safe`] escapes escaped the same way: the last guard of what goes
/// to standard output and standard error, for text that was put together after each
/// piece was escaped. Text escaped by [`terminal_safe`] comes back unchanged.
pub fn log_safe(text: &str) -> Cow<'_, str> {
    escape_where(text, log_command_at)
}

/// A name worth showing beside `id`: not empty and not the id itself.
fn distinct_name<'a>(name: Option<&'a str>, id: &str) -> Option<&'a str> {
    name.filter(|n| !n.is_empty() && *n != id)
}

/// How a thing with an id and perhaps a display name is shown: `name (id)`, so that a
/// reader sees the name and can still copy the id; the id alone when there is no name
/// (or the name is the id). Plain text: a renderer escapes it for its medium.
pub fn name_and_id(name: Option<&str>, id: &str) -> String {
    match distinct_name(name, id) {
        Some(n) => format!("{n} ({id})"),
        None => id.to_string(),
    }
}

/// Ids with their names beside them (lists in the same order, as documents carry them),
/// each as [`name_and_id`].
pub fn names_and_ids(ids: &[String], names: &[Option<String>]) -> Vec<String> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| name_and_id(names.get(i).and_then(Option::as_deref), id))
        .collect()
}

/// Like [`name_and_id`], for prose (warnings, errors): the name quoted, `"name" (id)`, or `"id"`, so
/// that a name of several words stands apart from the sentence around it. Quoting
/// escapes control characters, so the text is also safe on a terminal.
pub fn quoted_name_and_id(name: Option<&str>, id: &str) -> String {
    match distinct_name(name, id) {
        Some(n) => format!("{n:?} ({})", controls_escaped(id)),
        None => format!("{id:?}"),
    }
}

/// `x` as an integer number of billionths: the unit in which the scoring rules compare
/// percentages for ties (SPEC §1.2), which also absorbs binary floating-point noise.
pub fn nano_units(x: f64) -> i128 {
    (x * 1e9).round() as i128
}

/// `x` rounded half away from zero to a whole number of hundredths.
pub fn hundredths(x: f64) -> i128 {
    let n = nano_units(x);
    let q = n.saturating_abs().saturating_add(5_000_000) / 10_000_000;
    if n < 0 {
        -q
    } else {
        q
    }
}

/// `x` with display rounding (half away from zero, 2 decimals), as a number.
pub fn round2(x: f64) -> f64 {
    hundredths(x) as f64 / 100.0
}

/// `x` with display rounding, formatted with exactly two decimals.
pub fn fmt2(x: f64) -> String {
    let h = hundredths(x);
    let sign = if h < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", h.abs() / 100, h.abs() % 100)
}

/// A percentage with display rounding and a `%`, or `n/a` when undefined.
pub fn percent(p: Option<f64>) -> String {
    p.map_or("n/a".to_string(), |p| format!("{}%", fmt2(p)))
}

/// `text` with its first letter in upper case: a diagnostic's message as a sentence.
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// A change with display rounding and its sign (`+0.00` for no change).
pub fn signed(x: f64) -> String {
    if hundredths(x) >= 0 {
        format!("+{}", fmt2(x))
    } else {
        fmt2(x)
    }
}

/// A number taken from an input, for a message: as Rust writes it when that is short
/// (`-1`, `2.5`), in scientific notation when its digits would run long (a max score of
/// 1e308 is `1e308`, not 309 digits; `5e-324`, not 324 zeros).
pub fn echoed(x: f64) -> String {
    let plain = x.to_string();
    if plain.len() > 20 {
        format!("{x:e}")
    } else {
        plain
    }
}

/// `x` in few characters for prose: whole numbers without decimals, others to six
/// significant digits without trailing zeros (`6`, `0.12`, `1.42857`).
pub fn compact(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let magnitude = x.abs().log10().floor() as i32;
    let decimals = (5 - magnitude).clamp(0, 15) as usize;
    let text = format!("{x:.decimals$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_terminal_controls_and_bidi() {
        assert_eq!(terminal_safe("plain"), "plain");
        assert_eq!(terminal_safe("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(terminal_safe("x\u{202E}y"), "x\\u{202e}y");
        assert_eq!(terminal_safe("tab\there\n"), "tab\\u{9}here\\u{a}");
        assert_eq!(terminal_safe("del\u{7f}c1\u{9b}"), "del\\u{7f}c1\\u{9b}");
        // The line and paragraph separators, as NEL (U+0085), which is a C1 control.
        assert_eq!(
            terminal_safe("a\u{2028}b\u{2029}c\u{85}"),
            "a\\u{2028}b\\u{2029}c\\u{85}"
        );
    }

    #[test]
    fn ci_log_commands_are_neutralised() {
        // Azure Pipelines: `##vso[` anywhere, in any case; GitHub Actions: `##[` anywhere.
        assert_eq!(
            terminal_safe("x ##vso[task.prependpath]/tmp/evil"),
            "x ##vso\\u{5b}task.prependpath]/tmp/evil"
        );
        assert_eq!(
            terminal_safe("##VsO[task.complete]"),
            "##VsO\\u{5b}task.complete]"
        );
        assert_eq!(terminal_safe("a ##[error]b"), "a ##\\u{5b}error]b");
        // GitHub Actions: `::` at a line's start; a wrapped cell can start a line anywhere,
        // so every second colon is escaped, in a run of them too.
        assert_eq!(
            terminal_safe("Hardening ::warning::pwned"),
            "Hardening :\\u{3a}warning:\\u{3a}pwned"
        );
        assert_eq!(terminal_safe(":::"), ":\\u{3a}\\u{3a}");
        // Escaping again changes nothing: no escape forms a new opener.
        let once = terminal_safe("##vso[ ::x\u{1b}[1m ##[");
        assert_eq!(terminal_safe(&once), once);
        assert_eq!(log_safe(&once), once);
        // The last guard keeps line breaks and colours, and escapes what pieces formed.
        assert_eq!(log_safe("\x1b[1m##\n::x\n"), "\x1b[1m##\n:\\u{3a}x\n");
        assert_eq!(log_safe(&format!("{}[x", "a ##")), "a ##\\u{5b}x");
        // Ordinary text, single colons, `#` and `[` elsewhere are left as they are.
        for plain in [
            "plain",
            "a: b",
            "C:\\x",
            "#1 [draft]",
            "# [x]",
            "vso[",
            "##v[",
            "é: ü",
        ] {
            assert!(matches!(terminal_safe(plain), Cow::Borrowed(_)), "{plain}");
        }
    }

    #[test]
    fn names_come_first_with_the_id_in_parentheses() {
        assert_eq!(name_and_id(Some("Enable MFA"), "34a4"), "Enable MFA (34a4)");
        assert_eq!(name_and_id(None, "34a4"), "34a4");
        assert_eq!(name_and_id(Some("34a4"), "34a4"), "34a4");
        assert_eq!(name_and_id(Some(""), "34a4"), "34a4");
        assert_eq!(
            quoted_name_and_id(Some("Enable MFA"), "34a4"),
            "\"Enable MFA\" (34a4)"
        );
        assert_eq!(quoted_name_and_id(None, "34a4"), "\"34a4\"");
        assert_eq!(
            quoted_name_and_id(Some("a\u{1b}b"), "i\u{1b}d"),
            "\"a\\u{1b}b\" (i\\u{1b}d)"
        );
    }

    #[test]
    fn numbers_from_inputs_are_echoed_short() {
        assert_eq!(echoed(-1.0), "-1");
        assert_eq!(echoed(2.5), "2.5");
        assert_eq!(echoed(1e9), "1000000000");
        // 1e308 would be 309 digits, 1e20 is 21; the smallest subnormal 5e-324 would be
        // "0." and 323 zeros before its 5.
        assert_eq!(echoed(1e308), "1e308");
        assert_eq!(echoed(-1e20), "-1e20");
        assert_eq!(echoed(1.5e30), "1.5e30");
        assert_eq!(echoed(5e-324), "5e-324");
        assert_eq!(echoed(f64::INFINITY), "inf");
    }

    #[test]
    fn display_rounding_is_half_away_from_zero() {
        assert_eq!(fmt2(5.04), "5.04");
        assert_eq!(fmt2(0.125), "0.13");
        assert_eq!(fmt2(-0.125), "-0.13");
        // 2.675 is stored as 2.67499999…; computed as 107/40 it must still show 2.68.
        assert_eq!(fmt2(107.0 / 40.0), "2.68");
        assert_eq!(fmt2(1.6), "1.60");
        assert_eq!(fmt2(-0.001), "0.00");
        assert_eq!(round2(69.995), 70.0);
    }
}
