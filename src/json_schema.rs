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
/// optional fields may be missing) or what it writes (serializing: every field it always
/// writes is required).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Contract {
    Reads,
    Writes,
}

/// The whole schema document of `T`, as the program reads or writes it: `$schema` draft
/// 2020-12, `title` and `description` as given, the named parts under `$defs`.
/// What the program writes has no keys but those its types name, so a written
/// document's objects allow no others; what it reads may have more (`validate` lists
/// them).
pub fn document<T: JsonSchema>(contract: Contract, title: &str, description: &str) -> Value {
    let settings = SchemaSettings::draft2020_12();
    let settings = match contract {
        Contract::Reads => settings.for_deserialize(),
        Contract::Writes => settings
            .for_serialize()
            .with_transform(RecursiveTransform(closed)),
    };
    let mut schema = settings.into_generator().into_root_schema_for::<T>();
    schema.insert("title".to_string(), title.into());
    schema.insert("description".to_string(), description.into());
    schema.to_value()
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
/// status), and with the whitespace around it that a parser trims when `trimmed`.
pub fn any_case(words: &[&str], ignored: Option<char>, trimmed: bool) -> Schema {
    json_schema!({"type": "string", "pattern": any_case_pattern(words, ignored, trimmed)})
}

/// The regular expression of [`any_case`] (ECMA-262, as JSON Schema's `pattern` is: no
/// inline flags, so each letter is a class of its two cases).
fn any_case_pattern(words: &[&str], ignored: Option<char>, trimmed: bool) -> String {
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
    let space = if trimmed { "\\s*" } else { "" };
    format!("^{space}{skip}(?:{}){space}$", alternatives.join("|"))
}

/// `c` as a regular expression that matches it alone.
fn escape(c: char) -> String {
    if c.is_ascii_alphanumeric() || c == '_' {
        c.to_string()
    } else {
        format!("\\u{:04x}", c as u32)
    }
}

/// `YYYY-MM-DD`.
const DATE: &str = r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])";

/// An RFC 3339 time after its date: `THH:MM:SS[.frac](Z|±HH:MM)` (`t` or a space for `T`,
/// `z` for `Z`, and a leap second, as RFC 3339 allows).
const TIME: &str =
    r"[Tt ](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|60)(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)";

/// A date, `YYYY-MM-DD`, as the program writes it. (A pattern cannot tell that a month
/// has no 30 February; the program refuses that date where it reads one.)
pub fn date(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^{DATE}$")})
}

/// A date or an RFC 3339 time (reduced to its UTC date), with the whitespace around it
/// that the program trims: what an exemption's `expires` may be.
pub fn date_or_time(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^\\s*{DATE}(?:{TIME})?\\s*$")})
}

/// An RFC 3339 time in UTC to the second, `YYYY-MM-DDTHH:MM:SSZ`, as the program writes
/// it.
pub fn utc_time(_: &mut SchemaGenerator) -> Schema {
    json_schema!({"type": "string", "pattern": format!("^{DATE}T(?:[01]\\d|2[0-3]):[0-5]\\d:(?:[0-5]\\d|60)Z$")})
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

    /// Whether the string `text` is valid against `schema`, as the JSON Schema validator
    /// the tests use judges it.
    fn matches(schema: &Schema, text: &str) -> bool {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler
            .add_resource("pattern.json", schema.as_value().clone())
            .unwrap();
        let index = compiler.compile("pattern.json", &mut schemas).unwrap();
        schemas.validate(&Value::String(text.to_string()), index).is_ok()
    }

    #[test]
    fn words_match_in_any_case_with_ignored_characters_anywhere() {
        let status = any_case(&["healthy", "notapplicable"], Some('_'), false);
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
        let trimmed = any_case(&["low"], None, true);
        assert!(matches(&trimmed, " Low\t"));
        assert!(!matches(&trimmed, "l_ow"));
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
        let written = utc_time(&mut g);
        assert!(matches(&written, "2026-12-01T14:07:13Z"));
        assert!(!matches(&written, "2026-12-01T14:07:13+00:00"));
        assert!(!matches(&date(&mut g), "2026-12-01T14:07:13Z"));
    }
}
