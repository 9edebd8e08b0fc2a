//! Azure objects of the types that are not read (SPEC §3 "Other types"): a Resource Graph
//! `securityresources` result without a `type` filter, or a folder of `az rest` listings,
//! also holds sub-assessments, governance assignments, pricings, regulatory compliance,
//! alerts and more. Each such object is skipped and counted, and each type is one
//! `ignored-type` warning naming it, the count and where the first one is.

use super::azure::{self, Fields};
use super::native::Text;
use super::shape::{find_key, Keys};
use crate::diag::{Diagnostic, Origin};
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// The objects of each type that is not read, by type folded to lower case (Resource
/// Graph writes types in lower case, ARM in camel case).
#[derive(Default)]
pub(super) struct IgnoredTypes(BTreeMap<String, Tally>);

/// The objects of one type skipped so far.
struct Tally {
    /// The byte-wise smallest spelling met, so the message does not depend on input order.
    spelling: String,
    count: u64,
    /// Where the first one (in input order) is.
    first: Origin,
}

impl IgnoredTypes {
    /// Counts one object of `type_name`; `first` says where it is, and is asked only for
    /// the first object of its type (finding a place costs a scan of the input).
    pub(super) fn count(&mut self, type_name: &str, first: impl FnOnce() -> Origin) {
        let folded = type_name.to_ascii_lowercase();
        match self.0.get_mut(&folded) {
            Some(tally) => {
                tally.count += 1;
                if type_name < tally.spelling.as_str() {
                    tally.spelling = type_name.to_string();
                }
            }
            None => {
                let tally = Tally {
                    spelling: type_name.to_string(),
                    count: 1,
                    first: first(),
                };
                self.0.insert(folded, tally);
            }
        }
    }

    /// One `ignored-type` warning per type, in type order, each at its first object.
    pub(super) fn warnings(self) -> impl Iterator<Item = Diagnostic> {
        self.0.into_values().map(|t| {
            let objects = if t.count == 1 {
                "1 object".to_string()
            } else {
                format!("{} objects", t.count)
            };
            Diagnostic::warning(
                "ignored-type",
                format!(
                    "{objects} of type {:?} skipped (the first is here): only the Microsoft.Security types \
                     assessments, assessmentMetadata, secureScoreControlDefinitions, secureScores and \
                     secureScores/secureScoreControls are read",
                    crate::text::controls_escaped(&t.spelling)
                ),
            )
            .at(t.first)
        })
    }
}

/// The type of an object that is not read: its `type` (`found`, as [`azure::kind_of`]
/// gave it), else the type its id names (a Resource Graph projection without a `type`
/// column). `None` when it has neither: an object of no recognisable shape.
pub(super) fn unread_type(found: Option<String>, fields: &Fields) -> Option<String> {
    found.or_else(|| {
        let id = fields.id.as_ref()?;
        crate::ids::type_of_id(&id.0)
    })
}

/// The `type` and `id` of an object whose fields do not read as those of the types read
/// (an object of another type may hold anything under a key the loader knows, such as an
/// alert's `status` string): enough to tell whether it is skipped. `None` when it has
/// neither as a string.
pub(super) fn head(raw: &RawValue) -> Option<Fields<'_>> {
    let keys: Keys = serde_json::from_str(raw.get()).ok()?;
    let keys = keys.unique().ok()?;
    let text = |name: &str| {
        let value = find_key(&keys, &[name])?;
        serde_json::from_str::<Cow<str>>(value.get()).ok().map(Text)
    };
    let mut fields = Fields::default();
    fields.kind = text("type");
    fields.id = text("id");
    (fields.kind.is_some() || fields.id.is_some()).then_some(fields)
}

/// True when `fields` (as [`head`] gives them) are those of an object of a type that is
/// not read, so that its other fields do not matter.
pub(super) fn is_unread(fields: &Fields) -> bool {
    match azure::kind_of(fields) {
        Ok(_) => false,
        Err(found) => unread_type(found, fields).is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(file: &str) -> Origin {
        Origin {
            file: file.to_string(),
            line: Some(1),
            column: Some(1),
            path: None,
        }
    }

    #[test]
    fn each_type_is_one_warning_with_its_count_first_place_and_smallest_spelling() {
        let mut ignored = IgnoredTypes::default();
        ignored.count("microsoft.security/pricings", || origin("a.json"));
        ignored.count("Microsoft.Security/pricings", || panic!("asked again"));
        ignored.count("Microsoft.Security/alerts", || origin("b.json"));
        let warnings: Vec<Diagnostic> = ignored.warnings().collect();
        assert_eq!(warnings.len(), 2);
        assert!(warnings.iter().all(|w| w.code == "ignored-type"));
        assert!(warnings[0]
            .message
            .starts_with("1 object of type \"Microsoft.Security/alerts\""));
        assert_eq!(warnings[0].file.as_deref(), Some("b.json"));
        assert!(warnings[1]
            .message
            .starts_with("2 objects of type \"Microsoft.Security/pricings\""));
        assert_eq!(warnings[1].file.as_deref(), Some("a.json"));
    }

    fn raw(json: &str) -> &RawValue {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn a_type_or_an_id_naming_one_tells_an_object_that_is_not_read() {
        let alert =
            raw(r#"{"type": "Microsoft.Security/locations/alerts", "properties": {"status": "Active"}}"#);
        assert!(head(alert).is_some_and(|f| is_unread(&f)));
        let sub =
            raw(r#"{"id": "/subscriptions/s/providers/Microsoft.Security/assessments/k/subAssessments/x"}"#);
        assert!(head(sub).is_some_and(|f| is_unread(&f)));
        // A type that is read is not skipped, whatever its fields.
        let assessment = raw(r#"{"TYPE": "microsoft.security/assessments", "status": 1}"#);
        assert!(head(assessment).is_some_and(|f| !is_unread(&f)));
        // No type, and an id that names none: nothing to skip it by.
        assert!(head(raw(r#"{"id": "x"}"#)).is_some_and(|f| !is_unread(&f)));
        assert!(head(raw(r#"{"kind": "x"}"#)).is_none());
    }
}
