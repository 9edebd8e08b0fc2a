//! Ids interned per piece on a worker thread, so that the thread applying the pieces
//! looks each distinct id of a piece up once instead of once per row.
//!
//! A worker numbers the ids its piece's rows name from 0, in the order it first meets
//! them, spelt exactly as the input spells them; the applying thread maps each local
//! number to the builder's index the first time a row uses it ([`ToGlobal`]), so the
//! builder meets the ids in the order the rows name them, as a sequential reading does.

use hashbrown::HashTable;

/// The distinct ids of one piece, numbered in the order first met, with their hashes
/// (made by the builder's hasher, so that the builder can look them up without hashing).
#[derive(Debug, Default)]
pub struct PieceIds<'a> {
    ids: Vec<(&'a str, u64)>,
    index: HashTable<u32>,
    /// The id numbered last: rows often name the id of the row before.
    last: Option<u32>,
}

impl<'a> PieceIds<'a> {
    /// The number of `id`, numbering it when new; `hash` makes its hash, and is only
    /// called when `id` is not the id numbered last. Ids are told apart exactly (two
    /// spellings of one Azure resource get two numbers; the builder joins them).
    pub fn number(&mut self, id: &'a str, hash: impl FnOnce(&str) -> u64) -> u32 {
        if let Some(last) = self.last.filter(|&i| self.id(i) == Some(id)) {
            return last;
        }
        let hash = hash(id);
        let ids = &self.ids;
        let found = self
            .index
            .find(hash, |&i| ids.get(i as usize).is_some_and(|&(s, _)| s == id));
        let i = match found {
            Some(&i) => i,
            None => {
                let i = self.ids.len() as u32;
                self.ids.push((id, hash));
                let ids = &self.ids;
                self.index
                    .insert_unique(hash, i, |&j| ids.get(j as usize).map_or(0, |&(_, h)| h));
                i
            }
        };
        self.last = Some(i);
        i
    }

    /// The id numbered `i`.
    pub fn id(&self, i: u32) -> Option<&'a str> {
        self.ids.get(i as usize).map(|&(id, _)| id)
    }

    /// The id numbered `i` and its hash.
    pub fn get(&self, i: u32) -> Option<(&'a str, u64)> {
        self.ids.get(i as usize).copied()
    }

    /// How many distinct ids the piece names.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True when the piece names no id.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

/// A piece's local numbers mapped to the builder's indexes, each found on first use.
pub struct ToGlobal {
    global: Vec<u32>,
}

/// Marks a local number not yet mapped.
const UNMAPPED: u32 = u32::MAX;

impl ToGlobal {
    /// A mapping for the ids of `ids`, none mapped yet.
    pub fn new(ids: &PieceIds) -> ToGlobal {
        ToGlobal {
            global: vec![UNMAPPED; ids.len()],
        }
    }

    /// The builder's index of local number `local` of `ids`, asking `lookup` (with the id
    /// and its hash) the first time. `None` only for a number `ids` never gave.
    pub fn get(&mut self, ids: &PieceIds, local: u32, lookup: impl FnOnce(&str, u64) -> u32) -> Option<u32> {
        let slot = self.global.get_mut(local as usize)?;
        if *slot == UNMAPPED {
            let (id, hash) = ids.get(local)?;
            *slot = lookup(id, hash);
        }
        Some(*slot)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(id: &str) -> u64 {
        // Few distinct hashes, so that numbering must compare ids, not trust hashes.
        id.len() as u64 % 2
    }

    #[test]
    fn numbers_ids_exactly_in_the_order_first_met() {
        let mut ids = PieceIds::default();
        let named: Vec<u32> = ["a", "b", "a", "A", "b", "b", "cc", "a"]
            .iter()
            .map(|id| ids.number(id, hash))
            .collect();
        assert_eq!(named, [0, 1, 0, 2, 1, 1, 3, 0]);
        assert_eq!(ids.len(), 4);
        assert_eq!((ids.id(2), ids.get(3)), (Some("A"), Some(("cc", 0))));
        assert_eq!(ids.get(4), None);
    }

    #[test]
    fn the_id_numbered_last_is_not_hashed_again() {
        let mut ids = PieceIds::default();
        let mut hashed = 0;
        for id in ["x", "x", "x", "y", "x", "x"] {
            ids.number(id, |s| {
                hashed += 1;
                hash(s)
            });
        }
        assert_eq!(hashed, 3);
    }

    #[test]
    fn maps_each_number_once_in_the_order_of_first_use() {
        let mut ids = PieceIds::default();
        for id in ["p", "q", "r"] {
            ids.number(id, hash);
        }
        let mut to_global = ToGlobal::new(&ids);
        let mut asked = Vec::new();
        let got: Vec<Option<u32>> = [2, 0, 2, 2, 1, 0, 3]
            .iter()
            .map(|&local| {
                to_global.get(&ids, local, |id, _| {
                    asked.push(id.to_string());
                    100 + asked.len() as u32
                })
            })
            .collect();
        assert_eq!(
            got,
            [
                Some(101),
                Some(102),
                Some(101),
                Some(101),
                Some(103),
                Some(102),
                None
            ]
        );
        assert_eq!(asked, ["r", "p", "q"]);
    }
}
