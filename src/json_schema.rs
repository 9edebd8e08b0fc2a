//! JSON Schemas (draft 2020-12) of what securescore reads and writes (`securescore
//! schema`): how a document's schema is generated from the Rust types that read or write
//! it (`schemars` derives, so a schema cannot drift from the program), and the schemas of
//! values whose Rust type says less than the program checks: non-empty ids, words matched
//! in any case, dates and times, fixed strings, digests.
//!
//! Each type that a schema covers derives or implements [`JsonSchema`] beside its serde
//! derive; a field whose deserializer checks more than its type names the schema of what
//! it accepts here with `#[schemars(schema_with = "…")]`.

use schemars::generate::SchemaSettings;
use schemars::transform::RecursiveTransform;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::Value;

/// Which side of the program a schema describes: what it reads (serde's deserializing:
/// optional fields may be missing), what it reads from TOML (the same, as a TOML file
/// converted to JSON: TOML has no null, a key left out is the `None`), or what it writes
/// (serializing: every field it always writes is required).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contract {
    Reads,
    ReadsToml,
    Writes,
}

/// The whole schema document of `T`, as the program reads or writes it: `$schema` draft
/// 2020-12, `title` and `description` as given, the named parts under `$defs`.
/// What the program writes has no keys but those its types name, so a written
/// document's objects allow no others; what it reads may have more where its types
/// allow them (`deny_unknown_fields` allows none).
pub fn document<T: JsonSchema>(contract: Contract, title: &str, description: &str) -> Value {
    let settings = SchemaSettings::draft2020_12();
    let settings = match contract {
        Contract::Reads => settings.for_deserialize(),
        Contract::ReadsToml => settings
            .for_deserialize()
            .with_transform(RecursiveTransform(no_null)),
        Contract::Writes => settings
            .for_serialize()
            .with_transform(RecursiveTransform(closed)),
    };
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.insert("title".to_string(), title.into());
    schema.insert("description".to_string(), description.into());
    schema.to_value()
}

/// `schema` without the `null` that an `Option` adds to it (as a type, or as its
/// default).
fn no_null(schema: &mut Schema) {
    if schema.get("default") == Some(&Value::Null) {
        schema.remove("default");
    }
    if let Some(Value::Array(types)) = schema.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = &types[..] {
            let only = only.clone();
            schema.insert("type".to_string(), only);
        }
    }
    let null = serde_json::json!({"type": "null"});
    if let Some(Value::Array(any)) = schema.get_mut("anyOf") {
        any.retain(|s| *s != null);
        if let [only] = &any[..] {
            let only = only.clone();
            schema.remove("anyOf");
            if let (Some(object), Value::Object(only)) = (schema.as_object_mut(), only) {
                object.extend(only);
            }
        }
    }
}

/// `schema` with no keys but those it lists, when it lists some.
fn closed(schema: &mut Schema) {
    if schema.get("properties").is_some() && schema.get("additionalProperties").is_none() {
        schema.insert("additionalProperties".to_string(), false.into());
    }
}

/// A required id: a non-empty string.
pub fn id(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "minLength": 1})
}

/// `schema`, or `null`.
pub fn or_null(schema: Schema) -> Schema {
    json_schema!({"anyOf": [schema, {"type": "null"}]})
}

/// One of `words`, in any ASCII case, with any number of `ignored` characters anywhere
/// (as the program's parsers compare them: `NotApplicable` and `not_applicable` are one
/// status).
pub fn any_case(words: &[&str], ignored: Option<char>) -> Schema {
    json_schema!({"type": "string", "pattern": any_case_pattern(words, ignored)})
}

/// The regular expression of [`any_case`] (ECMA-262, as JSON Schema's `pattern` is: no
/// inline flags, so each letter is a class of its two cases).
fn any_case_pattern(words: &[&str], ignored: Option<char>) -> String {
    let skip = ignored.map(|c| format!("{}*", escape(c))).unwrap_or_default();
    let alternatives: Vec<String> = words
        .iter()
        .map(|word| {
            word.chars()
                .map(|c| {
                    let one = if c.is_ascii_alphabetic() {
                        format!("[{}{}]", c.to_ascii_lowercase(), c.to_ascii_uppercase())
                    } else {
                        escape(c)
                    };
                    format!("{one}{skip}")
                })
                .collect()
        })
        .collect();
    format!("^{skip}(?:{})$", alternatives.join("|"))
}

/// `c` as a regular expression that matches it alone.
fn escape(c: char) -> String {
    if c.is_ascii_alphanumeric() || c == '_' {
        c.to_string()
    } else {
        format!("\\u{:04x}", c as u32)
    }
}

/// The characters `str::trim` removes around a value (Unicode's White_Space), as the
/// contents of a regular expression's class. Not `\s`: ECMA-262's has U+FEFF and lacks
/// U+0085, and other engines' differ again.
const SPACE: &str = r"\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000";

/// `YYYY-MM-DD` (ASCII digits: `\d` is any decimal digit to some engines).
const DATE: &str = r"[0-9]{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])";

/// An RFC 3339 time after its date: `THH:MM:SS[.frac](Z|±HH:MM)` (`t` or a space for `T`,
/// `z` for `Z`, and a leap second, as RFC 3339 allows).
const TIME: &str = r"[Tt ](?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)(?:\.[0-9]+)?(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])";

/// A date, `YYYY-MM-DD`, as the program writes it. (A pattern cannot tell that a month
/// has no 30 February; the program refuses that date where it reads one.)
pub fn date(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^{DATE}$")})
}

/// A date, with the whitespace around it that the program trims: what `--as-of` and a
/// configuration's `as-of` may be.
pub fn date_trimmed(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^[{SPACE}]*{DATE}[{SPACE}]*$")})
}

/// A date or an RFC 3339 time (reduced to its UTC date), with the whitespace around it
/// that the program trims: what an exemption's `expires` may be.
pub fn date_or_time(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^[{SPACE}]*{DATE}(?:{TIME})?[{SPACE}]*$")})
}

/// A string that is not blank: one character at least that `str::trim` would keep (a
/// reason, a pattern).
pub fn not_blank(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("[^{SPACE}]")})
}

/// An RFC 3339 time in UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`, as the program writes
/// it.
pub fn utc_time(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^{DATE}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:(?:[0-5][0-9]|60)Z$")})
}

/// A SHA-256 digest in lower-case hex.
pub fn sha256_hex(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": "^[0-9a-f]{64}$"})
}

/// Exactly the string `value` (a document's `schema` identifier).
pub fn constant(value: &str) -> Schema {
    json_schema!({"type": "string", "const": value})
}

/// A stable code (a warning's): lower-case words joined by `-`.
pub fn code(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": "^[a-z0-9]+(?:-[a-z0-9]+)*$"})
}

/// Implements [`JsonSchema`] for a type serialised by its name (`crate::text::named!`):
/// the enumeration of its variants' names. The match that lists them is exhaustive, so
/// a new variant stops the build until it is listed here too.
macro_rules! named_schema {
    ($t:ident { $($variant:ident),+ $(,)? }) => {
        impl schemars::JsonSchema for $t {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($t).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // Never called: it only proves that every variant is listed below.
                let _exhaustive = |v: $t| match v {
                    $($t::$variant)|+ => (),
                };
                let names = [$($t::$variant.as_str()),+];
                schemars::json_schema!({"type": "string", "enum": names})
            }
        }
    };
}
pub(crate) use named_schema;

#[cfg(test)]
mod tests {
    use super::*;

    /// Whether a string is valid against `schema`, as the JSON Schema validator the tests
    /// use judges it (the schema compiled once).
    fn matcher(schema: &Schema) -> impl Fn(&str) -> bool {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("pattern.json", schema.as_value().clone())
            .unwrap();
        let index = compiler.compile("pattern.json", &mut schemas).unwrap();
        move |text| schemas.validate(&Value::String(text.to_string()), index).is_ok()
    }

    /// Whether the string `text` is valid against `schema`.
    fn matches(schema: &Schema, text: &str) -> bool {
        matcher(schema)(text)
    }

    #[test]
    fn words_match_in_any_case_with_ignored_characters_anywhere() {
        let status = any_case(&["healthy", "notapplicable"], Some('_'));
        for ok in [
            "healthy",
            "HEALTHY",
            "not_applicable",
            "NotApplicable",
            "_n_o_t_applicable_",
        ] {
            assert!(matches(&status, ok), "{ok}");
        }
        for bad in [
            "",
            "healthy ",
            "unhealthy",
            "notapplicabl",
            "not-applicable",
            "healthyhealthy",
        ] {
            assert!(!matches(&status, bad), "{bad}");
        }
        let low = any_case(&["low"], None);
        assert!(matches(&low, "lOW"));
        assert!(!matches(&low, "l_ow"));
    }

    #[test]
    fn space_is_what_trim_removes() {
        let mut g = SchemaGenerator::default();
        let blank = not_blank(&mut g);
        let kept = matcher(&blank);
        // Every character of the Basic Multilingual Plane (White_Space has none beyond).
        for c in (0..=0xffff).filter_map(char::from_u32) {
            let text = c.to_string();
            assert_eq!(kept(&text), !text.trim().is_empty(), "U+{:04X}", c as u32);
        }
        assert!(matches(&blank, " \t x "));
        assert!(!matches(&blank, ""));
        assert!(!matches(&blank, " \u{85}\u{3000}"));
    }

    #[test]
    fn dates_and_times_match_the_forms_the_program_reads() {
        let mut g = SchemaGenerator::default();
        let expires = date_or_time(&mut g);
        for ok in [
            "2027-01-31",
            " 2027-01-31 ",
            "2027-01-31T00:00:00Z",
            "2027-01-31t23:59:60.5+01:00",
        ] {
            assert!(matches(&expires, ok), "{ok}");
        }
        for bad in [
            "2027-1-31",
            "2027-13-01",
            "2027-01-31T24:00:00Z",
            "2027-01-31T00:00:00",
            "soon",
        ] {
            assert!(!matches(&expires, bad), "{bad}");
        }
        let as_of = date_trimmed(&mut g);
        assert!(matches(&as_of, "\u{2003}2027-01-31\n"));
        assert!(!matches(&as_of, "2027-01-31T00:00:00Z"));
        assert!(!matches(&as_of, "\u{feff}2027-01-31"));
        assert!(!matches(&as_of, "\u{0662}027-01-31"), "an Arabic-Indic digit");
        let written = utc_time(&mut g);
        assert!(matches(&written, "2026-12-01T14:07:13Z"));
        assert!(!matches(&written, "2026-12-01T14:07:13+00:00"));
        assert!(!matches(&date(&mut g), "2026-12-01T14:07:13Z"));
    }
}
