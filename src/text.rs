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
/// controls, DEL, and the Unicode bidirectional formatting characters.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Text taken from an inventory, made safe to print on a terminal: every control or
/// bidirectional character is shown as a `\u{…}` escape.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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

/// A change with display rounding and its sign (`+0.00` for no change).
pub fn signed(x: f64) -> String {
    if hundredths(x) >= 0 {
        format!("+{}", fmt2(x))
    } else {
        fmt2(x)
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
