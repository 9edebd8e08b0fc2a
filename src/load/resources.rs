//! Resource ids interned by identity: Azure ids compare case-insensitively and with or
//! without a leading `/` (so `/subscriptions/S1/...` and `subscriptions/s1/...` are one
//! resource), other ids exactly. Each id string is stored once, as first spelled.

use crate::diag::Origin;
use crate::ids::azure_id_body;
use crate::model::Resource;
use hashbrown::HashTable;
use std::hash::{BuildHasher, Hasher};

/// Interns resource ids by their identity, storing each id string once.
#[derive(Default)]
pub(super) struct ResourceTable {
    index: HashTable<u32>,
    hasher: hashbrown::DefaultHashBuilder,
    /// The resources, by index.
    pub(super) items: Vec<Resource>,
    /// The metadata definition of each resource, for conflict checks.
    pub(super) defined: Vec<Option<Origin>>,
}

/// A hash of an id's identity: equal for ids that [`same_identity`] deems the same.
fn hash_identity(hasher: &hashbrown::DefaultHashBuilder, id: &str) -> u64 {
    let mut h = hasher.build_hasher();
    match azure_id_body(id) {
        Some(body) => {
            // Hash the case-folded UTF-8 in fixed 128-byte chunks, so that equal
            // identities hash alike whichever path folds them.
            let mut buf = [0u8; 128];
            if body.is_ascii() {
                for chunk in body.as_bytes().chunks(buf.len()) {
                    let part = &mut buf[..chunk.len()];
                    part.copy_from_slice(chunk);
                    part.make_ascii_lowercase();
                    h.write(part);
                }
                if body.is_empty() {
                    h.write(&[]);
                }
            } else {
                let mut len = 0;
                for c in body.chars().flat_map(char::to_lowercase) {
                    let mut tmp = [0u8; 4];
                    let bytes = c.encode_utf8(&mut tmp).as_bytes();
                    if len + bytes.len() > buf.len() {
                        h.write(&buf[..len]);
                        len = 0;
                    }
                    buf[len..len + bytes.len()].copy_from_slice(bytes);
                    len += bytes.len();
                }
                if len > 0 || body.is_empty() {
                    h.write(&buf[..len]);
                }
            }
            h.write_u8(1);
        }
        None => {
            h.write(id.as_bytes());
            h.write_u8(0);
        }
    }
    h.finish()
}

/// True when two ids name one resource.
fn same_identity(a: &str, b: &str) -> bool {
    match (azure_id_body(a), azure_id_body(b)) {
        (Some(x), Some(y)) if x.is_ascii() && y.is_ascii() => x.eq_ignore_ascii_case(y),
        (Some(x), Some(y)) => x
            .chars()
            .flat_map(char::to_lowercase)
            .eq(y.chars().flat_map(char::to_lowercase)),
        (None, None) => a == b,
        _ => false,
    }
}

impl ResourceTable {
    /// The index of a resource id, adding a bare resource for a new identity.
    pub(super) fn intern(&mut self, id: &str) -> u32 {
        let hash = hash_identity(&self.hasher, id);
        let items = &self.items;
        if let Some(&i) = self
            .index
            .find(hash, |&i| same_identity(&items[i as usize].id, id))
        {
            return i;
        }
        let i = self.items.len() as u32;
        self.items.push(Resource {
            id: id.to_string(),
            ..Resource::default()
        });
        self.defined.push(None);
        let (items, hasher) = (&self.items, &self.hasher);
        self.index
            .insert_unique(hash, i, |&j| hash_identity(hasher, &items[j as usize].id));
        i
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn azure_ids_compare_case_insensitively_with_or_without_slash() {
        assert!(same_identity(
            "/subscriptions/AB/resourceGroups/x",
            "subscriptions/ab/resourcegroups/X"
        ));
        assert!(!same_identity("arn:aws:s3:::Bucket", "arn:aws:s3:::bucket"));
        assert!(!same_identity("/subscriptions/a", "/subscriptions/b"));
        let h = hashbrown::DefaultHashBuilder::default();
        assert_eq!(
            hash_identity(&h, "/Subscriptions/AB/x"),
            hash_identity(&h, "subscriptions/ab/X")
        );
        let mut t = ResourceTable::default();
        let a = t.intern("/subscriptions/S1/resourceGroups/rg/providers/p/vm1");
        let b = t.intern("subscriptions/s1/resourcegroups/RG/providers/P/VM1");
        assert_eq!(a, b);
        assert_eq!(
            t.items[0].id,
            "/subscriptions/S1/resourceGroups/rg/providers/p/vm1"
        );
    }

    #[test]
    fn long_ids_hash_by_identity_across_chunk_boundaries() {
        let h = hashbrown::DefaultHashBuilder::default();
        let long = format!("/subscriptions/s/{}", "Ab".repeat(200));
        assert_eq!(hash_identity(&h, &long), hash_identity(&h, &long.to_lowercase()));
    }
}
