//! Resource ids interned by identity: Azure ids compare case-insensitively and with or
//! without a leading `/` (so `/subscriptions/S1/...` and `subscriptions/s1/...` are one
//! resource), other ids exactly. Each id string is stored once, as first spelled.
//! Identity and its hash are `ids`' ([`same_identity`], [`IdHasher`]).

use crate::diag::Origin;
use crate::ids::{same_identity, IdHasher};
use crate::model::Resources;
use hashbrown::HashTable;

/// Interns resource ids by their identity, storing each id string once.
///
/// Each id is hashed once ([`IdHasher::identity_hash`], possibly on another thread:
/// [`ResourceTable::intern_hashed`]) and its hash kept, so that growing the table moves
/// hashes instead of hashing every id again. A row that names the resource the previous
/// one named, byte for byte (the usual order of an export), is answered without a hash.
#[derive(Default)]
pub(super) struct ResourceTable {
    hasher: IdHasher,
    /// Indexes into `items`, placed by `hashes`.
    index: HashTable<u32>,
    /// The identity hash of each resource, by index.
    hashes: Vec<u64>,
    /// The resource interned last.
    last: Option<u32>,
    /// The resources, by index.
    pub(super) items: Resources,
    /// Where each defined resource (by index) was first defined, for conflict checks:
    /// few resources are defined, so not one entry per resource.
    pub(super) defined: hashbrown::HashMap<u32, Origin>,
}

impl ResourceTable {
    /// The hasher the table's hashes are made with.
    pub(super) fn hasher(&self) -> &IdHasher {
        &self.hasher
    }

    /// The index of a resource id, adding a bare resource for a new identity.
    pub(super) fn intern(&mut self, id: &str) -> u32 {
        if let Some(i) = self.repeat(id) {
            return i;
        }
        let hash = self.hasher.identity_hash(id);
        self.intern_hashed(id, hash)
    }

    /// [`ResourceTable::intern`] with the id's hash already made by
    /// [`ResourceTable::hasher`] (or a clone of it).
    pub(super) fn intern_hashed(&mut self, id: &str, hash: u64) -> u32 {
        if let Some(i) = self.repeat(id) {
            return i;
        }
        let items = &self.items;
        let found = self
            .index
            .find(hash, |&i| same_identity(items.id(i as usize), id));
        let i = match found {
            Some(&i) => i,
            None => self.push(id, hash),
        };
        self.last = Some(i);
        i
    }

    /// Frees the index once no id is to be interned any more (the model is being
    /// finished), before the next phase allocates.
    pub(super) fn drop_index(&mut self) {
        self.index = HashTable::new();
        self.hashes = Vec::new();
        self.last = None;
    }

    /// The last resource interned, when `id` is spelled as it was.
    fn repeat(&self, id: &str) -> Option<u32> {
        self.last.filter(|&i| self.items.id(i as usize) == id)
    }

    /// Adds a new identity.
    fn push(&mut self, id: &str, hash: u64) -> u32 {
        let i = self.items.len() as u32;
        self.items.push(id, None);
        self.hashes.push(hash);
        let hashes = &self.hashes;
        self.index.insert_unique(hash, i, |&j| hashes[j as usize]);
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
        let h = IdHasher::default();
        assert_eq!(
            h.identity_hash("/Subscriptions/AB/x"),
            h.identity_hash("subscriptions/ab/X")
        );
        let mut t = ResourceTable::default();
        let a = t.intern("/subscriptions/S1/resourceGroups/rg/providers/p/vm1");
        let b = t.intern("subscriptions/s1/resourcegroups/RG/providers/P/VM1");
        assert_eq!(a, b);
        assert_eq!(
            t.items.id(0),
            "/subscriptions/S1/resourceGroups/rg/providers/p/vm1"
        );
    }

    /// Ids hashed apart by a clone of the table's hasher (as worker threads do) intern
    /// as the table's own hashes do, through the table's growth, consecutive repeats
    /// included; a respelling finds the first spelling.
    #[test]
    fn ids_hashed_by_a_clone_intern_as_the_tables_own() {
        let mut t = ResourceTable::default();
        let worker = t.hasher().clone();
        let id = |n: u32| format!("/subscriptions/S/resourceGroups/RG/providers/p/vm{n}");
        for n in 0..5000 {
            let spelled = id(n);
            let i = t.intern_hashed(&spelled, worker.identity_hash(&spelled));
            assert_eq!(i, n);
            assert_eq!(t.intern(&spelled), n, "a repeat");
        }
        for n in (0..5000).rev() {
            let respelled = id(n).to_lowercase()[1..].to_string();
            assert_eq!(t.intern_hashed(&respelled, worker.identity_hash(&respelled)), n);
            assert_eq!(t.intern(&respelled), n);
        }
        assert_eq!(t.items.len(), 5000);
        assert_eq!(t.items.id(7), id(7));
        assert_eq!(t.intern("arn:aws:s3:::b"), 5000);
        assert_eq!(t.intern("ARN:aws:s3:::b"), 5001);
    }

    #[test]
    fn long_ids_hash_by_identity_across_chunk_boundaries() {
        let h = IdHasher::default();
        let long = format!("/subscriptions/s/{}", "Ab".repeat(200));
        assert_eq!(h.identity_hash(&long), h.identity_hash(&long.to_lowercase()));
    }
}
