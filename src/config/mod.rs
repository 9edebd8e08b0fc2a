//! The configuration file (SPEC §9): where it is found (`--config PATH`, else
//! `securescore.toml` in the current directory when it exists, none under `--no-config`)
//! and what it holds, read with serde and `deny_unknown_fields`, so that a mistyped key or
//! a value of the wrong type is an input error naming the file, the line and column, and
//! the key.
//!
//! What it yields is plain data: the scoring defaults ([`ScoringDefaults`], merged under
//! the command line by [`merge`]), the gate rules as written ([`GateConfig`]) and the
//! local exemptions ([`LocalExemption`]). Applying them is the commands' and the policy
//! layer's business.

mod defaults;
mod exemptions;
mod gate;

pub use defaults::{merge, ScoringDefaults};
pub use exemptions::{LocalExemption, ResourcePattern};
pub use gate::{ControlGate, GateConfig, UnhealthyLimits};

use crate::diag::{Diagnostic, Origin};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_path_to_error::Segment;
use std::path::{Path, PathBuf};

/// The file looked for in the current directory when no `--config` is given.
pub const DEFAULT_FILE: &str = "securescore.toml";

/// Which configuration file a run reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigChoice {
    /// `--config PATH`: this file, which must exist.
    File(PathBuf),
    /// Neither option: [`DEFAULT_FILE`] in the current directory, when it exists.
    Discover,
    /// `--no-config`: none.
    Ignore,
}

/// A configuration file, read and checked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Config {
    /// The file as named on the command line (or [`DEFAULT_FILE`]): what the report's
    /// headline and its JSON `config` show.
    pub file: String,
    /// `[defaults]`.
    pub defaults: ScoringDefaults,
    /// `[gate]`, when the file has one.
    pub gate: Option<GateConfig>,
    /// `[[exemptions]]`, in the file's order.
    pub exemptions: Vec<LocalExemption>,
}

/// The file's shape: every key it may hold, and nothing else. Its JSON Schema is
/// `securescore schema config`'s.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfigIn {
    #[serde(default)]
    defaults: ScoringDefaults,
    #[serde(default)]
    gate: Option<GateConfig>,
    /// `[[exemptions]]`, in the file's order: the first that covers an assessment applies.
    #[serde(default)]
    #[schemars(with = "Vec<exemptions::ExemptionIn>")]
    exemptions: Vec<toml::Spanned<exemptions::ExemptionIn>>,
}

/// Reads the configuration `choice` names: `None` when there is none to read. A file
/// named by `--config` that cannot be read, one larger than `max_size` bytes or than
/// [`MAX_CONFIG_SIZE`], or one that is not a valid configuration is an error (exit 2).
pub fn load(choice: &ConfigChoice, max_size: u64) -> anyhow::Result<Option<Config>> {
    let path = match choice {
        ConfigChoice::Ignore => return Ok(None),
        ConfigChoice::File(path) => path.clone(),
        ConfigChoice::Discover => {
            let path = PathBuf::from(DEFAULT_FILE);
            if !path.exists() {
                return Ok(None);
            }
            path
        }
    };
    let file = path.display().to_string();
    let text = read(&path, &file, max_size)?;
    Ok(Some(parse(&text, &file).map_err(|d| anyhow::anyhow!("{d}"))?))
}

/// The most bytes a configuration file may hold (1 MiB; README "Configuration"): a
/// configuration is a few hundred bytes, and the cap stops a wrong path (`/dev/zero`, an
/// inventory) at once instead of reading it whole.
pub const MAX_CONFIG_SIZE: u64 = 1 << 20;

/// The text of the configuration file at `path` (called `file` in messages): at most
/// [`MAX_CONFIG_SIZE`] bytes, and at most `max_size` (`--max-input-size`) when smaller;
/// a larger file is refused after reading one byte more than the limit, whatever its
/// kind (a device or a pipe has no size to check first).
fn read(path: &Path, file: &str, max_size: u64) -> anyhow::Result<String> {
    use std::io::Read;
    let cannot = |e: std::io::Error| anyhow::anyhow!("{file}: cannot read the configuration file: {e}");
    let limit = max_size.min(MAX_CONFIG_SIZE);
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .map_err(cannot)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(cannot)?;
    if bytes.len() as u64 > limit {
        let what = if limit < MAX_CONFIG_SIZE {
            format!("--max-input-size {max_size}")
        } else {
            format!("{MAX_CONFIG_SIZE} bytes (1 MiB), the most a configuration file may hold")
        };
        anyhow::bail!("{file}: the configuration file is larger than {what}: is it the right file?");
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{file}: the configuration file is not UTF-8 text (invalid byte at offset {}): re-save it as UTF-8",
            e.utf8_error().valid_up_to()
        )
    })?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// Parses and checks a configuration's text (the file called `file`). An error is a
/// diagnostic located at the line and column of the offending key or value, with the
/// key's dotted path (`defaults.weighting`, `exemptions[2].expires`).
pub fn parse(text: &str, file: &str) -> Result<Config, Diagnostic> {
    let de = toml::Deserializer::parse(text).map_err(|e| toml_error(text, file, &e, None))?;
    let parsed: ConfigIn = serde_path_to_error::deserialize(de).map_err(|e| {
        let key = key_path(e.path());
        toml_error(text, file, e.inner(), Some(key))
    })?;
    let exemptions = parsed
        .exemptions
        .into_iter()
        .enumerate()
        .map(|(i, entry)| {
            let line = position(text, entry.span().start).0;
            LocalExemption::check(entry.into_inner(), i + 1, line)
                .map_err(|(key, offset, message)| invalid(file, text, offset, key, i, message))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Config {
        file: file.to_string(),
        defaults: parsed.defaults,
        gate: parsed.gate,
        exemptions,
    })
}

/// The diagnostic of an entry of `[[exemptions]]` (number `index`, from 0) whose `key`
/// holds a value that parses but makes no sense.
fn invalid(file: &str, text: &str, offset: usize, key: &str, index: usize, message: String) -> Diagnostic {
    let (line, column) = position(text, offset);
    Diagnostic::error("invalid-config", message).at(Origin {
        file: file.to_string(),
        line: Some(line),
        column: Some(column),
        path: Some(format!("exemptions[{index}].{key}")),
    })
}

/// A TOML error as a diagnostic at its place, naming the key: the one serde's path gives,
/// else (TOML's own errors, such as a duplicate key or an impossible date, name none) the
/// one the text defines where the error is ([`key_at`]).
fn toml_error(text: &str, file: &str, e: &toml::de::Error, key: Option<String>) -> Diagnostic {
    let (line, column) = e.span().map_or((None, None), |span| {
        let (l, c) = position(text, span.start);
        (Some(l), Some(c))
    });
    let key = key
        .filter(|k| !k.is_empty())
        .or_else(|| e.span().and_then(|span| key_at(text, span.start)));
    Diagnostic::error("invalid-config", e.message().trim_end().to_string()).at(Origin {
        file: file.to_string(),
        line,
        column,
        path: key,
    })
}

/// The dotted key defined on the line holding byte `offset` of `text`, as the text spells
/// it: the table header in effect (an array of tables with its entry's index, as serde's
/// paths write it: `exemptions[1]`), then the key before the line's `=`; a header line
/// names its table. `None` when the line defines nothing (a line of a multi-line value,
/// a malformed line) outside any table.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let line_number = position(text, offset).0;
    let mut table = String::new();
    let mut entries: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let mut lines = text.split('\n').take(line_number).peekable();
    while let Some(line) = lines.next() {
        let last = lines.peek().is_none();
        let line = line.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|rest| rest.split_once("]]")) {
            let name = name.0.trim();
            let count = entries.entry(name.to_string()).or_default();
            *count += 1;
            table = format!("{name}[{}]", *count - 1);
        } else if let Some(name) = line.strip_prefix('[').and_then(|rest| rest.split_once(']')) {
            table = name.0.trim().to_string();
        } else if last {
            let key = line.split_once('=').map(|(key, _)| unquoted(key.trim()));
            return match (key, table.is_empty()) {
                (Some(key), true) if !key.is_empty() => Some(key.to_string()),
                (Some(key), false) if !key.is_empty() => Some(format!("{table}.{key}")),
                _ => (!table.is_empty()).then_some(table),
            };
        }
    }
    (!table.is_empty()).then_some(table)
}

/// A key without the quotes around it (`"fail-under"` is `fail-under`).
fn unquoted(key: &str) -> &str {
    ['"', '\'']
        .iter()
        .find_map(|&q| key.strip_prefix(q).and_then(|k| k.strip_suffix(q)))
        .unwrap_or(key)
}

/// 1-based line and column (in characters) of byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// The dotted path of a key as the user wrote it: serde's path without the segments
/// of the wrapper that records an entry's place in the file.
fn key_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } if key.starts_with("$__") => {}
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                if key
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
                {
                    out.push_str(key);
                } else {
                    out.push_str(&format!("{key:?}"));
                }
            }
            Segment::Unknown => {}
        }
    }
    out
}

/// Reads a date from a TOML date (`2027-03-31`) or a string (`"2027-03-31"`, or an RFC
/// 3339 time when `times` allows), so that either spelling works.
fn date_value<'de, D>(de: D, times: bool) -> Result<crate::date::Date, D::Error>
where
    D: serde::Deserializer<'de>,
{
    use serde::de::Error;
    let text = match toml::Value::deserialize(de)? {
        toml::Value::String(s) => s,
        toml::Value::Datetime(d) => d.to_string(),
        other => {
            return Err(D::Error::custom(format!(
                "invalid type: {}, expected a date (YYYY-MM-DD)",
                other.type_str()
            )))
        }
    };
    let parsed = if times {
        crate::date::Date::parse_date_or_time(&text)
    } else {
        crate::date::Date::parse(&text)
    };
    parsed.map_err(D::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::score::Weighting;

    fn error(text: &str) -> Diagnostic {
        parse(text, "securescore.toml").expect_err("an invalid configuration")
    }

    #[test]
    fn an_empty_file_is_an_empty_configuration() {
        let c = parse("", "c.toml").unwrap();
        assert_eq!(c.defaults, ScoringDefaults::default());
        assert_eq!(c.gate, None);
        assert!(c.exemptions.is_empty());
        assert_eq!(c.file, "c.toml");
    }

    #[test]
    fn defaults_are_read_in_their_long_forms() {
        let c = parse(
            "[defaults]\nweighting = \"equal\"\ninclude-preview = true\nignore-exemptions = false\n\
             as-of = 2026-11-22\nscope = [\"sub-a\"]\nmanagement-group = [\"corp\"]\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(
            c.defaults,
            ScoringDefaults {
                model: None,
                as_of: Date::from_ymd(2026, 11, 22),
                scope: Some(vec!["sub-a".to_string()]),
                management_group: Some(vec!["corp".to_string()]),
                weighting: Some(Weighting::Equal),
                include_preview: Some(true),
                ignore_exemptions: Some(false),
            }
        );
        // A date may be a string too.
        let c = parse("[defaults]\nas-of = \"2026-01-02\"\n", "c.toml").unwrap();
        assert_eq!(c.defaults.as_of, Date::from_ymd(2026, 1, 2));
    }

    #[test]
    fn a_mistyped_key_names_its_line_column_and_key() {
        let d = error("[defaults]\nweighting = \"equal\"\ninclude-preveiw = true\n");
        assert_eq!(
            (d.file.as_deref(), d.line, d.column),
            (Some("securescore.toml"), Some(3), Some(1))
        );
        assert_eq!(d.path.as_deref(), Some("defaults.include-preveiw"));
        assert!(
            d.message.contains("unknown field `include-preveiw`"),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("include-preview"),
            "the message lists the valid keys: {}",
            d.message
        );
        let shown = d.to_string();
        assert!(
            shown.starts_with("securescore.toml:3:1: defaults.include-preveiw: unknown field"),
            "{shown}"
        );
    }

    #[test]
    fn an_unknown_section_and_an_unknown_model_are_refused() {
        let d = error("\n[default]\nweighting = \"equal\"\n");
        assert_eq!((d.line, d.path.as_deref()), (Some(2), Some("default")));
        // Every model of SPEC §7 is read by the name it gives; any other spelling is refused.
        for (name, model) in [
            ("classic", crate::score::ScoringModel::Classic),
            ("v1", crate::score::ScoringModel::V1),
            ("pass-rate", crate::score::ScoringModel::PassRate),
        ] {
            let c = parse(&format!("[defaults]\nmodel = \"{name}\"\n"), "c.toml").unwrap();
            assert_eq!(c.defaults.model, Some(model));
        }
        for other in ["V1", "Classic", "pass_rate", "all"] {
            let d = error(&format!("[defaults]\n\nmodel = \"{other}\"\n"));
            assert_eq!(
                (d.line, d.path.as_deref()),
                (Some(3), Some("defaults.model")),
                "{other}"
            );
            let shown = d.to_string();
            assert!(
                shown.starts_with(&format!(
                    "securescore.toml:3:9: defaults.model: unknown model \"{other}\", expected one of classic, v1, pass-rate"
                )),
                "{shown}"
            );
            assert_eq!(
                shown.contains("is for the command line of assess"),
                other == "all",
                "{shown}"
            );
        }
    }

    #[test]
    fn a_value_of_the_wrong_type_names_its_place() {
        let d = error("[defaults]\ninclude-preview = \"yes\"\n");
        assert_eq!((d.line, d.column), (Some(2), Some(19)));
        assert_eq!(d.path.as_deref(), Some("defaults.include-preview"));
        assert!(d.message.contains("expected a boolean"), "{}", d.message);
        let d = error("[defaults]\nweighting = \"by-size\"\n");
        assert_eq!((d.line, d.path.as_deref()), (Some(2), Some("defaults.weighting")));
        assert!(d.message.contains("resources, equal, pooled"), "{}", d.message);
        let d = error("[defaults]\nas-of = \"tomorrow\"\n");
        assert_eq!((d.line, d.path.as_deref()), (Some(2), Some("defaults.as-of")));
        let d = error("[gate]\nfail-under = 170\n");
        assert_eq!((d.line, d.path.as_deref()), (Some(2), Some("gate.fail-under")));
        let d = error("[gate.unhealthy]\ncritical = -1\n");
        assert_eq!(
            (d.line, d.path.as_deref()),
            (Some(2), Some("gate.unhealthy.critical"))
        );
        let d = error("[gate.controls]\n\"Enable MFA\" = { min-percent = 80 }\n");
        assert_eq!(d.line, Some(2));
        assert_eq!(
            d.path.as_deref(),
            Some("gate.controls.\"Enable MFA\".min-percent")
        );
    }

    #[test]
    fn malformed_toml_names_its_place() {
        let d = error("[defaults]\nweighting = \n");
        assert_eq!((d.file.as_deref(), d.line), (Some("securescore.toml"), Some(2)));
        // TOML names no key; the line defines `weighting` under [defaults].
        assert_eq!(d.path.as_deref(), Some("defaults.weighting"));
    }

    #[test]
    fn toml_errors_that_name_no_key_are_given_the_key_of_their_line() {
        let place = |text: &str| {
            let d = error(text);
            (d.line, d.path.clone(), d.to_string())
        };
        // Line 3 defines fail-under of [gate] a second time (quoted the first time).
        let (line, path, shown) = place("[gate]\n\"fail-under\" = 50\n  fail-under = 50\n");
        assert_eq!((line, path.as_deref()), (Some(3), Some("gate.fail-under")));
        assert_eq!(shown, "securescore.toml:3:3: gate.fail-under: duplicate key");
        // An impossible date, in a table and in the second entry of an array of tables.
        let (line, path, shown) = place("# c\n[defaults]\nas-of = 2026-02-30\n");
        assert_eq!((line, path.as_deref()), (Some(3), Some("defaults.as-of")));
        assert!(
            shown.starts_with("securescore.toml:3:9: defaults.as-of: invalid date"),
            "{shown}"
        );
        let entry = "[[exemptions]]\nrecommendation = \"r\"\nresource = \"*\"\ncategory = \"waiver\"\nreason = \"x\"\n";
        let (line, path, _) = place(&format!(
            "{entry}expires = 2027-01-01\n{entry}expires = 2026-02-30\n"
        ));
        assert_eq!((line, path.as_deref()), (Some(12), Some("exemptions[1].expires")));
        // A table defined twice is named by its header; a dotted key as written.
        assert_eq!(place("[gate]\n[defaults]\n[gate]\n").1.as_deref(), Some("gate"));
        assert_eq!(place("a.b = 1\na.b = 2\n").1.as_deref(), Some("a.b"));
        // A line that defines no key names its table, or nothing outside one.
        assert_eq!(place("[gate]\nfail-under 50\n").1.as_deref(), Some("gate"));
        assert_eq!(place("fail-under 50\n").1, None);
    }

    #[test]
    fn the_gate_section_is_read_as_written() {
        let c = parse(
            "[gate]\nfail-under = 70\nmax-drop = 2.5\n[gate.controls]\n\"Enable MFA\" = { min-percentage = 80 }\n\
             [gate.unhealthy]\ncritical = 0\nhigh = 5\n",
            "c.toml",
        )
        .unwrap();
        let gate = c.gate.unwrap();
        assert_eq!(gate.fail_under, Some(70.0));
        assert_eq!(gate.max_drop, Some(2.5));
        assert_eq!(gate.controls.len(), 1);
        assert_eq!(gate.controls["Enable MFA"].min_percentage, 80.0);
        assert_eq!(
            gate.unhealthy,
            UnhealthyLimits {
                critical: Some(0),
                high: Some(5),
                medium: None,
                low: None
            }
        );
    }

    #[test]
    fn exemptions_are_read_with_their_lines() {
        let c = parse(
            "# local waivers\n\n[[exemptions]]\nrecommendation = \"r1\"\nresource = \"/subscriptions/S/resourceGroups/legacy/*\"\n\
             category = \"Waiver\"\nexpires = 2027-03-31\nreason = \"replaced in Q1\"\n\n[[exemptions]]\n\
             recommendation = \"*\"\nresource = \"vm-9\"\ncategory = \"mitigated\"\nexpires = \"2027-01-31T10:00:00+02:00\"\n\
             reason = \"a firewall\"\n",
            "c.toml",
        )
        .unwrap();
        let [first, second] = &c.exemptions[..] else {
            panic!("two entries: {:?}", c.exemptions)
        };
        assert_eq!((first.entry, first.line), (1, 3));
        assert_eq!(first.recommendation.as_deref(), Some("r1"));
        assert_eq!(
            first.resource,
            ResourcePattern::Under("/subscriptions/S/resourceGroups/legacy".to_string())
        );
        assert_eq!(first.category, crate::model::ExemptionCategory::Waiver);
        assert_eq!(first.expires, Date::from_ymd(2027, 3, 31).unwrap());
        assert_eq!((second.entry, second.line), (2, 10));
        assert_eq!(second.recommendation, None);
        assert_eq!(second.resource, ResourcePattern::Exact("vm-9".to_string()));
        // An RFC 3339 time is reduced to its date in UTC.
        assert_eq!(second.expires, Date::from_ymd(2027, 1, 31).unwrap());
    }

    #[test]
    fn an_exemption_needs_its_expiry_and_reason_and_a_known_category() {
        let entry = |body: &str| format!("\n[[exemptions]]\n{body}");
        let full =
            "recommendation = \"r1\"\nresource = \"vm1\"\ncategory = \"waiver\"\nexpires = 2027-03-31\n";
        let d = error(&entry(full));
        assert!(d.message.contains("missing field `reason`"), "{}", d.message);
        assert_eq!(d.line, Some(2));
        let d = error(&entry(&format!("{full}reason = \"  \"\n")));
        assert_eq!((d.line, d.column), (Some(7), Some(10)));
        assert_eq!(d.path.as_deref(), Some("exemptions[0].reason"));
        let d = error(&entry(
            &full.replace("expires = 2027-03-31\n", "reason = \"x\"\n"),
        ));
        assert!(d.message.contains("missing field `expires`"), "{}", d.message);
        let d = error(&entry(&format!(
            "{}reason = \"x\"\n",
            full.replace("waiver", "accepted")
        )));
        assert_eq!(
            (d.line, d.path.as_deref()),
            (Some(5), Some("exemptions[0].category"))
        );
        assert!(d.message.contains("waiver or mitigated"), "{}", d.message);
        let d = error(&entry(&format!("{full}reason = \"x\"\nowner = \"me\"\n")));
        assert_eq!(
            (d.line, d.path.as_deref()),
            (Some(8), Some("exemptions[0].owner"))
        );
        let everything = full.replace("\"r1\"", "\"*\"").replace("\"vm1\"", "\"*\"");
        let d = error(&entry(&format!("{everything}reason = \"x\"\n")));
        assert_eq!(
            (d.line, d.path.as_deref()),
            (Some(3), Some("exemptions[0].recommendation"))
        );
        assert!(d.message.contains("every assessment"), "{}", d.message);
    }

    #[test]
    fn positions_count_characters_from_one() {
        assert_eq!(position("ab\ncé d", 7), (2, 4));
        assert_eq!(position("", 0), (1, 1));
        assert_eq!(position("x", 99), (1, 2));
    }
}
