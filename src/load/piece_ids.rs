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
    /// called when `id` is not spelt as the id numbered last. Ids are one when `same`
    /// says so, which `hash` must respect (ids that are the same hash alike): the builder
    /// keeps the first spelling of an id, which is the one numbered here.
    pub fn number(
        &mut self,
        id: &'a str,
        hash: impl FnOnce(&str) -> u64,
        same: impl Fn(&str, &str) -> bool,
    ) -> u32 {
        if let Some(last) = self.last.filter(|&i| self.id(i) == Some(id)) {
            return last;
        }
        let hash = hash(id);
        let ids = &self.ids;
        // Ids that are one hash alike: telling them apart by spelling would pile every
        // spelling of one id under one hash, and each new row would compare with all.
        let found = self
            .index
            .find(hash, |&i| ids.get(i as usize).is_some_and(|&(s, _)| same(s, id)));
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

    fn exact(a: &str, b: &str) -> bool {
        a == b
    }

    #[test]
    fn numbers_ids_exactly_in_the_order_first_met() {
        let mut ids = PieceIds::default();
        let named: Vec<u32> = ["a", "b", "a", "A", "b", "b", "cc", "a"]
            .iter()
            .map(|id| ids.number(id, hash, exact))
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
            let counting = |s: &str| {
                hashed += 1;
                hash(s)
            };
            ids.number(id, counting, exact);
        }
        assert_eq!(hashed, 3);
    }

    /// Ids that are one get one number, the first spelling's; numbering thousands of
    /// spellings of one id compares each with that one id, not with all before it.
    #[test]
    fn spellings_of_one_id_get_one_number_in_linear_work() {
        let spellings: Vec<String> = (0..10_000u32)
            .map(|n| {
                let id = "resource-id-of-some-length";
                let upper = |(i, c): (usize, char)| {
                    if n >> (i % 14) & 1 == 1 {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    }
                };
                id.chars().enumerate().map(upper).collect()
            })
            .collect();
        let compared = std::cell::Cell::new(0u64);
        let same = |a: &str, b: &str| {
            compared.set(compared.get() + 1);
            a.eq_ignore_ascii_case(b)
        };
        let folded_hash = |id: &str| hash(&id.to_ascii_lowercase());
        let mut ids = PieceIds::default();
        for s in &spellings {
            assert_eq!(ids.number(s, folded_hash, same), 0);
        }
        assert_eq!((ids.len(), ids.id(0)), (1, Some(spellings[0].as_str())));
        assert!(compared.get() <= spellings.len() as u64, "{}", compared.get());
    }

    #[test]
    fn maps_each_number_once_in_the_order_of_first_use() {
        let mut ids = PieceIds::default();
        for id in ["p", "q", "r"] {
            ids.number(id, hash, exact);
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
