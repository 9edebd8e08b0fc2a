//! What a JSON object is, told by its keys alone (SPEC §2): the [`Shape`]s an input's
//! objects may have, recognised in a fixed order of precedence ([`shape_of`]), and the
//! key lookups the recognisers share with the code that reads each shape.

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

/// A test of an object's keys: true when they are those of a shape.
type Recogniser = fn(&ObjectKeys<'_>) -> bool;

/// The shapes a JSON object in an input may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// A native inventory document: one or more of the [`SECTIONS`].
    NativeDocument,
    /// One native assessment standing alone (a JSON Lines row): `resource`,
    /// `recommendation` and `status`.
    AssessmentRow,
    /// An ARM list page: an array under `value`, perhaps a `nextLink`.
    ArmPage,
    /// A Resource Graph result: `data` with a count or a skip token.
    GraphResult,
    /// An Azure error response: `error`.
    ErrorResponse,
    /// One Azure object: a `type` or an `id`.
    AzureObject,
}

/// Every shape with the test its keys pass, in order of precedence: an object is the
/// first shape whose test it passes. The order settles objects that pass two tests:
///
/// 1. a native document, whatever else it holds: native keys are the user's own;
/// 2. a native assessment (its `resource` is no Azure key);
/// 3. an ARM page, then 4. a Resource Graph result: listings hold Azure objects, so they
///    are told apart before the objects they hold;
/// 5. an error response, which may carry an `id` or `type` of its own but is no object;
/// 6. any other object with a `type` or an `id`, read as one Azure object (which may
///    still be of no type that is read).
///
/// Native keys match exactly, Azure keys ignoring ASCII case (Resource Graph and older
/// `az` versions spell them differently).
const SHAPES: [(Shape, Recogniser); 6] = [
    (Shape::NativeDocument, |keys| {
        SECTIONS.iter().any(|s| keys.contains_key(*s))
    }),
    (Shape::AssessmentRow, |keys| {
        ROW_KEYS.iter().all(|k| keys.contains_key(*k))
    }),
    (Shape::ArmPage, |keys| arm_page_items(keys).is_some()),
    (Shape::GraphResult, |keys| graph_data(keys).is_some()),
    (Shape::ErrorResponse, |keys| error_body(keys).is_some()),
    (Shape::AzureObject, |keys| {
        find_key(keys, &["type"]).is_some() || find_key(keys, &["id"]).is_some()
    }),
];

/// The shape of an object with these keys, or `None` when it has none of them.
pub(super) fn shape_of(keys: &ObjectKeys<'_>) -> Option<Shape> {
    SHAPES
        .iter()
        .find(|(_, recognises)| recognises(keys))
        .map(|&(shape, _)| shape)
}

/// The items of an ARM page: its `value`, when that is an array.
pub(super) fn arm_page_items<'a>(keys: &ObjectKeys<'a>) -> Option<&'a RawValue> {
    find_key(keys, &["value"]).filter(|v| v.get().starts_with('['))
}

/// The rows of a Resource Graph result: its `data` (whatever it holds: rows that are no
/// array are an error of their own), when a count or skip token says it is one.
pub(super) fn graph_data<'a>(keys: &ObjectKeys<'a>) -> Option<&'a RawValue> {
    find_key(keys, &GRAPH_KEYS).and(find_key(keys, &["data"]))
}

/// The `error` of an Azure error response.
pub(super) fn error_body<'a>(keys: &ObjectKeys<'a>) -> Option<&'a RawValue> {
    find_key(keys, &["error"])
}

/// The value of the first key matching one of `names`, ignoring ASCII case.
pub(super) fn find_key<'a>(keys: &ObjectKeys<'a>, names: &[&str]) -> Option<&'a RawValue> {
    keys.iter()
        .find(|(k, _)| names.iter().any(|n| k.eq_ignore_ascii_case(n)))
        .map(|(_, v)| *v)
}

/// True for a value that is neither null nor an empty string (a nextLink, a skip token).
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

    fn shape(json: &str) -> Option<Shape> {
        let keys: Keys = serde_json::from_str(json).unwrap();
        shape_of(&keys.unique().unwrap())
    }

    #[test]
    fn each_shape_is_told_by_its_keys() {
        assert_eq!(shape(r#"{"controls": []}"#), Some(Shape::NativeDocument));
        assert_eq!(
            shape(r#"{"resource": "r", "recommendation": "c", "status": "healthy"}"#),
            Some(Shape::AssessmentRow)
        );
        assert_eq!(shape(r#"{"Value": [], "nextLink": null}"#), Some(Shape::ArmPage));
        assert_eq!(
            shape(r#"{"data": [], "totalRecords": 0}"#),
            Some(Shape::GraphResult)
        );
        assert_eq!(shape(r#"{"error": {"code": "x"}}"#), Some(Shape::ErrorResponse));
        assert_eq!(shape(r#"{"ID": "/subscriptions/s"}"#), Some(Shape::AzureObject));
        assert_eq!(shape(r#"{"name": "x"}"#), None);
        assert_eq!(shape("{}"), None);
    }

    #[test]
    fn shapes_take_precedence_in_order() {
        assert_eq!(
            shape(
                r#"{"assessments": [], "resource": "r", "recommendation": "c", "status": "x", "value": []}"#
            ),
            Some(Shape::NativeDocument)
        );
        assert_eq!(
            shape(r#"{"value": [], "data": [], "count": 1, "error": {}}"#),
            Some(Shape::ArmPage)
        );
        // A `value` that is no array makes no page.
        assert_eq!(
            shape(r#"{"value": {}, "data": [], "count": 1}"#),
            Some(Shape::GraphResult)
        );
        // `data` alone is an object's field, not a result.
        assert_eq!(shape(r#"{"data": [], "id": "x"}"#), Some(Shape::AzureObject));
        assert_eq!(
            shape(r#"{"error": {}, "id": "x", "type": "t"}"#),
            Some(Shape::ErrorResponse)
        );
        // Native keys match exactly, Azure keys in any case.
        assert_eq!(
            shape(r#"{"Controls": [], "Type": "t"}"#),
            Some(Shape::AzureObject)
        );
    }
}
