//! What a JSON object is, told by its keys alone (SPEC §2): the [`Shape`]s an input's
//! objects may have, recognised in a fixed order of precedence ([`shape_of`]), each with
//! the values that told it, which are what the code reading that shape takes.

use super::native::SECTIONS;
use serde::de::Visitor;
use serde::Deserialize;
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt;

/// The keys a native assessment standing alone has, all of them (matched exactly).
const ROW_KEYS: [&str; 3] = ["resource", "recommendation", "status"];

/// The keys that tell a Resource Graph result's `data` from any object's field.
const GRAPH_KEYS: [&str; 5] = [
    "count",
    "total_records",
    "totalRecords",
    "skip_token",
    "$skipToken",
];

/// An object's keys, each once, with their raw values.
pub(super) type ObjectKeys<'a> = BTreeMap<String, &'a RawValue>;

/// A test of an object's keys: the shape they are those of, with the values that told
/// it, or `None`.
type Recogniser = for<'a> fn(&ObjectKeys<'a>) -> Option<Shape<'a>>;

/// The shapes a JSON object in an input may have, each with the values its reader takes
/// (found while recognising it, so a reader never looks a key up again).
#[derive(Clone, Copy, Debug)]
pub(super) enum Shape<'a> {
    /// A document securescore itself wrote (a report, a history line, another command's
    /// JSON): a `schema` naming a `securescore.*` schema other than the control listing.
    OwnOutput {
        /// The schema, as given (a JSON string).
        schema: &'a RawValue,
    },
    /// A counts row (SPEC §10): `securescore_counts` (read from the object whole).
    CountsRow,
    /// A native inventory document: one or more of the [`SECTIONS`] (read key by key,
    /// other keys being unknown).
    NativeDocument,
    /// One native assessment standing alone (a JSON Lines row): `resource`,
    /// `recommendation` and `status` (read from the object whole).
    AssessmentRow,
    /// An ARM list page: an array under `value`, perhaps a `nextLink`.
    ArmPage {
        /// The items (an array).
        value: &'a RawValue,
        /// `nextLink`, as given (perhaps null or empty).
        next_link: Option<&'a RawValue>,
    },
    /// A Resource Graph result: `data` with a count or a skip token.
    GraphResult {
        /// The rows (whatever they are: rows that are no array are an error of their own).
        data: &'a RawValue,
        /// `total_records` (or `totalRecords`), as given.
        total: Option<&'a RawValue>,
        /// `skip_token` (or `$skipToken`), as given (perhaps null or empty).
        skip_token: Option<&'a RawValue>,
        /// `resultTruncated`, as given.
        truncated: Option<&'a RawValue>,
    },
    /// An Azure error response: `error`.
    ErrorResponse {
        /// The error's body.
        error: &'a RawValue,
    },
    /// One Azure object: a `type` or an `id` (read from the object whole).
    AzureObject,
}

/// Every shape's recogniser, in order of precedence: an object is the first shape whose
/// recogniser takes it. The order settles objects that two recognisers would take:
///
/// 1. securescore's own output ([`own_output`]): a report holds `controls` and a history
///    line `scopes`, which would otherwise read as a native document full of errors;
/// 2. a counts row ([`counts_row`]): `securescore_counts` says what it is, whatever else
///    it holds (its `recommendation` and `resources` are no section);
/// 3. a native document ([`native_document`]), whatever else it holds: native keys are
///    the user's own;
/// 4. a native assessment ([`assessment_row`]; its `resource` is no Azure key);
/// 5. an ARM page ([`arm_page`]), then 6. a Resource Graph result ([`graph_result`]):
///    listings hold Azure objects, so they are told apart before the objects they hold;
/// 7. an error response ([`error_response`]), which may carry an `id` or `type` of its
///    own but is no object;
/// 8. any other object with a `type` or an `id` ([`azure_object`]), read as one Azure
///    object (which may still be of no type that is read).
///
/// Native keys match exactly, Azure keys ignoring ASCII case (Resource Graph and older
/// `az` versions spell them differently).
const SHAPES: [Recogniser; 8] = [
    own_output,
    counts_row,
    native_document,
    assessment_row,
    arm_page,
    graph_result,
    error_response,
    azure_object,
];

/// The shape of an object with these keys, with the values that told it, or `None` when
/// it has none of them.
pub(super) fn shape_of<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    SHAPES.iter().find_map(|recognise| recognise(keys))
}

/// The schemas securescore writes start with this.
pub(super) const OWN_SCHEMA_PREFIX: &str = "securescore.";

/// The control listing (`securescore controls -f json`) is control definitions, read as
/// a native document: a catalog can be exported, edited and passed back.
pub(super) const LISTING_SCHEMA_PREFIX: &str = "securescore.controls/";

/// securescore's own output: a `schema` (exactly so spelled) that is a string naming a
/// `securescore.*` schema, other than the control listing's.
fn own_output<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    let schema = *keys.get("schema")?;
    let name = serde_json::from_str::<&str>(schema.get()).ok()?;
    (name.starts_with(OWN_SCHEMA_PREFIX) && !name.starts_with(LISTING_SCHEMA_PREFIX))
        .then_some(Shape::OwnOutput { schema })
}

/// A counts row: `securescore_counts` (exactly so spelled).
fn counts_row<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    keys.contains_key(super::counts::KEY).then_some(Shape::CountsRow)
}

/// True when an object with these keys is a counts row.
pub(super) fn is_counts_row(keys: &ObjectKeys) -> bool {
    counts_row(keys).is_some()
}

/// A native document: any of the [`SECTIONS`].
fn native_document<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    SECTIONS
        .iter()
        .any(|s| keys.contains_key(*s))
        .then_some(Shape::NativeDocument)
}

/// A native assessment standing alone: all of the [`ROW_KEYS`].
fn assessment_row<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    ROW_KEYS
        .iter()
        .all(|k| keys.contains_key(*k))
        .then_some(Shape::AssessmentRow)
}

/// An ARM page: a `value` that is an array.
fn arm_page<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    let value = find_key(keys, &["value"]).filter(|v| v.get().starts_with('['))?;
    Some(Shape::ArmPage {
        value,
        next_link: find_key(keys, &["nextLink"]),
    })
}

/// A Resource Graph result: a `data` (whatever it holds), when a count or skip token
/// ([`GRAPH_KEYS`]) says it is one.
fn graph_result<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    find_key(keys, &GRAPH_KEYS)?;
    let data = find_key(keys, &["data"])?;
    Some(Shape::GraphResult {
        data,
        total: find_key(keys, &["total_records", "totalRecords"]),
        skip_token: find_key(keys, &["skip_token", "$skipToken"]),
        truncated: find_key(keys, &["resultTruncated"]),
    })
}

/// An Azure error response: an `error`.
fn error_response<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    find_key(keys, &["error"]).map(|error| Shape::ErrorResponse { error })
}

/// One Azure object: a `type` or an `id`.
fn azure_object<'a>(keys: &ObjectKeys<'a>) -> Option<Shape<'a>> {
    (find_key(keys, &["type"]).is_some() || find_key(keys, &["id"]).is_some()).then_some(Shape::AzureObject)
}

/// The Azure keys that tell a shape, each matched in any case: two spellings of one of
/// them in an object would leave the key order to decide which is read.
const SHAPE_KEYS: [&str; 12] = [
    "value",
    "nextLink",
    "data",
    "count",
    "total_records",
    "totalRecords",
    "skip_token",
    "$skipToken",
    "resultTruncated",
    "error",
    "type",
    "id",
];

/// Two keys of the object that spell one of the [`SHAPE_KEYS`] in different cases (the
/// first two, in key order), or `None`. A key whose value is null says nothing, so it
/// conflicts with none.
pub(super) fn case_twins<'k>(keys: &'k ObjectKeys) -> Option<(&'k str, &'k str)> {
    SHAPE_KEYS.iter().find_map(|name| {
        let mut spellings = keys
            .iter()
            .filter(|(k, v)| k.eq_ignore_ascii_case(name) && v.get() != "null")
            .map(|(k, _)| k);
        Some((spellings.next()?.as_str(), spellings.next()?.as_str()))
    })
}

/// What makes an object of this shape unreadable as a whole, or `None`: the key of
/// another shape beside it (an ARM page's `value` with a Resource Graph result's `data`,
/// or with an Azure object's `type`), which would be ignored in silence, or a count of
/// rows that is no whole number from 0. With the key it is about (as spelt) and the
/// message.
pub(super) fn problem(shape: &Shape, keys: &ObjectKeys) -> Option<(String, String)> {
    const OBJECT: [(&str, &str); 3] = [
        ("type", "an Azure object's type"),
        ("properties", "an Azure object's properties"),
        ("error", "an error response's error"),
    ];
    let (this, others): (&str, &[(&str, &str)]) = match shape {
        Shape::ArmPage { .. } => (
            "an ARM page (value, an array)",
            &[
                ("data", "a Resource Graph result's data"),
                OBJECT[0],
                OBJECT[1],
                OBJECT[2],
            ],
        ),
        Shape::GraphResult { .. } => (
            "a Resource Graph result (data with a count or skip token)",
            &OBJECT,
        ),
        _ => return None,
    };
    if let Some((key, what)) = others
        .iter()
        .find_map(|(name, what)| Some((find_name(keys, name)?, what)))
    {
        return Some((
            String::new(),
            format!("an object that is both {this} and {what} ({key}): expected one shape per object, so that no part of it is left unread"),
        ));
    }
    if let Shape::GraphResult { .. } = shape {
        for name in ["count", "total_records", "totalRecords"] {
            let Some(key) = find_name(keys, name) else {
                continue;
            };
            let raw = keys[key].get();
            if raw != "null" && serde_json::from_str::<super::azure::Count>(raw).is_err() {
                return Some((
                    key.to_string(),
                    format!("the Resource Graph result's {key} is {raw}: expected the number of rows, a whole number from 0"),
                ));
            }
        }
    }
    None
}

/// The key of the object matching `name`, ignoring ASCII case.
fn find_name<'k>(keys: &'k ObjectKeys, name: &str) -> Option<&'k str> {
    keys.keys()
        .find(|k| k.eq_ignore_ascii_case(name))
        .map(String::as_str)
}

/// The value of the first key matching one of `names`, ignoring ASCII case.
pub(super) fn find_key<'a>(keys: &ObjectKeys<'a>, names: &[&str]) -> Option<&'a RawValue> {
    keys.iter()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| *v)
}

/// True for a value that is set: not null, not an empty string, not `false` (a nextLink,
/// a skip token).
pub(super) fn is_set(raw: &RawValue) -> bool {
    !matches!(raw.get(), "null" | "\"\"" | "false")
}

/// An object's keys and raw values, in order, repeats included.
pub(super) struct Keys<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Keys<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeysVisitor;
        impl<'de> Visitor<'de> for KeysVisitor {
            type Value = Keys<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Keys<'de>, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, &'de RawValue>()? {
                    out.push(entry);
                }
                Ok(Keys(out))
            }
        }
        d.deserialize_map(KeysVisitor)
    }
}

impl<'a> Keys<'a> {
    /// An object's keys and values as a scanner read them, in order.
    pub(super) fn from_entries(entries: Vec<(String, &'a RawValue)>) -> Keys<'a> {
        Keys(entries)
    }

    /// The keys' names, in order.
    pub(super) fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(k, _)| k.as_str()).collect()
    }

    /// The keys as a map, or the first key that appears twice (a repeated section
    /// would otherwise silently replace the first).
    pub(super) fn unique(self) -> Result<ObjectKeys<'a>, String> {
        let mut map = BTreeMap::new();
        for (k, v) in self.0 {
            if map.contains_key(&k) {
                return Err(k);
            }
            map.insert(k, v);
        }
        Ok(map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(json: &'static str) -> Option<Shape<'static>> {
        let keys: Keys = serde_json::from_str(json).unwrap();
        shape_of(&keys.unique().unwrap())
    }

    /// The shape's name, for comparing.
    fn kind(json: &'static str) -> Option<&'static str> {
        shape(json).map(|s| match s {
            Shape::OwnOutput { .. } => "OwnOutput",
            Shape::CountsRow => "CountsRow",
            Shape::NativeDocument => "NativeDocument",
            Shape::AssessmentRow => "AssessmentRow",
            Shape::ArmPage { .. } => "ArmPage",
            Shape::GraphResult { .. } => "GraphResult",
            Shape::ErrorResponse { .. } => "ErrorResponse",
            Shape::AzureObject => "AzureObject",
        })
    }

    fn text(raw: Option<&RawValue>) -> Option<&str> {
        raw.map(RawValue::get)
    }

    #[test]
    fn each_shape_is_told_by_its_keys() {
        assert_eq!(kind(r#"{"controls": []}"#), Some("NativeDocument"));
        assert_eq!(kind(r#"{"counts": []}"#), Some("NativeDocument"));
        assert_eq!(
            kind(
                r#"{"securescore_counts": 1, "scope": "s", "recommendation": "r", "resources": 1, "type": "t"}"#
            ),
            Some("CountsRow")
        );
        assert_eq!(
            kind(r#"{"resource": "r", "recommendation": "c", "status": "healthy"}"#),
            Some("AssessmentRow")
        );
        assert_eq!(kind(r#"{"Value": [], "nextLink": null}"#), Some("ArmPage"));
        assert_eq!(kind(r#"{"data": [], "totalRecords": 0}"#), Some("GraphResult"));
        assert_eq!(kind(r#"{"error": {"code": "x"}}"#), Some("ErrorResponse"));
        assert_eq!(kind(r#"{"ID": "/subscriptions/s"}"#), Some("AzureObject"));
        assert_eq!(
            kind(r#"{"schema": "securescore.report/v1", "controls": []}"#),
            Some("OwnOutput")
        );
        assert_eq!(kind(r#"{"name": "x"}"#), None);
        assert_eq!(kind("{}"), None);
    }

    #[test]
    fn shapes_take_precedence_in_order() {
        assert_eq!(
            kind(
                r#"{"assessments": [], "resource": "r", "recommendation": "c", "status": "x", "value": []}"#
            ),
            Some("NativeDocument")
        );
        assert_eq!(
            kind(r#"{"value": [], "data": [], "count": 1, "error": {}}"#),
            Some("ArmPage")
        );
        // A `value` that is no array makes no page.
        assert_eq!(
            kind(r#"{"value": {}, "data": [], "count": 1}"#),
            Some("GraphResult")
        );
        // `data` alone is an object's field, not a result.
        assert_eq!(kind(r#"{"data": [], "id": "x"}"#), Some("AzureObject"));
        assert_eq!(
            kind(r#"{"error": {}, "id": "x", "type": "t"}"#),
            Some("ErrorResponse")
        );
        // Only a securescore schema is securescore's output; the control listing is
        // control definitions.
        assert_eq!(
            kind(r#"{"schema": "securescore.controls/v1", "controls": []}"#),
            Some("NativeDocument")
        );
        assert_eq!(
            kind(r#"{"schema": "https://example.com/inventory", "controls": []}"#),
            Some("NativeDocument")
        );
        assert_eq!(kind(r#"{"schema": 1, "controls": []}"#), Some("NativeDocument"));
        assert_eq!(
            kind(r#"{"schema": "securescore.snapshot/v1", "scopes": [], "score": {}}"#),
            Some("OwnOutput")
        );
        // Native keys match exactly, Azure keys in any case.
        assert_eq!(kind(r#"{"Controls": [], "Type": "t"}"#), Some("AzureObject"));
    }

    /// The problem `problem` finds in an object, if any: (key, message).
    fn problem_of(json: &'static str) -> Option<(String, String)> {
        let keys = serde_json::from_str::<Keys>(json).unwrap().unique().unwrap();
        problem(&shape_of(&keys)?, &keys)
    }

    #[test]
    fn two_shapes_in_one_object_and_bad_counts_are_problems() {
        let (key, m) = problem_of(r#"{"value": [], "Data": []}"#).unwrap();
        assert!(key.is_empty());
        assert!(
            m.contains("ARM page") && m.contains("Resource Graph result's data (Data)"),
            "{m}"
        );
        let (_, m) = problem_of(r#"{"value": [], "type": "t", "properties": {}}"#).unwrap();
        assert!(m.contains("an Azure object's type (type)"), "{m}");
        let (_, m) = problem_of(r#"{"data": [], "count": 1, "error": {}}"#).unwrap();
        assert!(m.contains("Resource Graph result") && m.contains("error"), "{m}");
        assert_eq!(problem_of(r#"{"data": [], "count": -1}"#).unwrap().0, "count");
        assert_eq!(
            problem_of(r#"{"data": [], "totalRecords": -3, "$skipToken": "t"}"#)
                .unwrap()
                .0,
            "totalRecords"
        );
        assert_eq!(
            problem_of(r#"{"data": [], "count": 1, "total_records": "many"}"#)
                .unwrap()
                .0,
            "total_records"
        );
        // Sound objects, and shapes with nothing to mix.
        assert_eq!(problem_of(r#"{"value": [], "nextLink": null}"#), None);
        assert_eq!(
            problem_of(r#"{"data": [], "count": 2, "total_records": 4.0, "skip_token": null}"#),
            None
        );
        assert_eq!(
            problem_of(r#"{"data": [], "count": null, "skip_token": "t"}"#),
            None
        );
        assert_eq!(problem_of(r#"{"id": "x", "type": "t", "data": []}"#), None);
    }

    #[test]
    fn shape_keys_spelt_twice_are_found() {
        let keys = |json: &'static str| serde_json::from_str::<Keys>(json).unwrap().unique().unwrap();
        assert_eq!(
            case_twins(&keys(r#"{"value": [], "Value": []}"#)),
            Some(("Value", "value"))
        );
        assert_eq!(
            case_twins(&keys(r#"{"ID": "a", "type": "t", "id": "b"}"#)),
            Some(("ID", "id"))
        );
        assert_eq!(
            case_twins(&keys(
                r#"{"value": [], "nextLink": null, "Properties": 1, "properties": 2}"#
            )),
            None
        );
        assert_eq!(
            case_twins(&keys(r#"{"value": [], "NextLink": null, "nextLink": "x"}"#)),
            None
        );
    }

    #[test]
    fn shapes_carry_the_values_that_told_them() {
        match shape(r#"{"Value": [1], "NEXTLINK": "https://x"}"#) {
            Some(Shape::ArmPage { value, next_link }) => {
                assert_eq!(value.get(), "[1]");
                assert_eq!(text(next_link), Some(r#""https://x""#));
            }
            other => panic!("not a page: {other:?}"),
        }
        match shape(r#"{"value": []}"#) {
            Some(Shape::ArmPage { next_link, .. }) => assert!(next_link.is_none()),
            other => panic!("not a page: {other:?}"),
        }
        match shape(
            r#"{"data": {}, "count": 1, "totalRecords": 7, "$skipToken": "t", "resultTruncated": "true"}"#,
        ) {
            Some(Shape::GraphResult {
                data,
                total,
                skip_token,
                truncated,
            }) => {
                assert_eq!(data.get(), "{}");
                assert_eq!(text(total), Some("7"));
                assert_eq!(text(skip_token), Some(r#""t""#));
                assert_eq!(text(truncated), Some(r#""true""#));
            }
            other => panic!("not a result: {other:?}"),
        }
        match shape(r#"{"Error": {"code": "x"}}"#) {
            Some(Shape::ErrorResponse { error }) => assert_eq!(error.get(), r#"{"code": "x"}"#),
            other => panic!("not an error: {other:?}"),
        }
    }
}
