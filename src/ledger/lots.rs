//! A member's live lots, in consumption order: lots that expire in an
//! ordered map by expiry, lots that never expire in a queue by lot id.
//!
//! Under a program whose points never expire every purchase forms a lot,
//! and a member's lots are as many as their orders not yet spent. Held in
//! one ordered map, each new lot walked down the map's right edge, one
//! cold node per level, and took a map entry's room. Lots that never
//! expire come last in consumption order and among themselves by lot id,
//! the order in which they are formed: a new one goes at the back of the
//! queue, spending takes from the front, and both are found by binary
//! search when a refund restores or takes back points.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};

use super::account::LotKey;
use crate::{LotId, Points};

/// Every live lot of one member.
#[derive(Clone, Default)]
pub(crate) struct Lots {
    /// Lots with an expiry date, by expiry then lot id.
    expiring: BTreeMap<LotKey, Points>,
    /// Lots that never expire, by lot id.
    lasting: VecDeque<(LotId, Points)>,
}

impl Lots {
    /// The number of lots.
    pub(crate) fn len(&self) -> usize {
        self.expiring.len().saturating_add(self.lasting.len())
    }

    /// The points of the newest lot that never expires: read by
    /// [`Account::warm`](super::account::Account::warm) for the line it
    /// sits on.
    pub(crate) fn newest_lasting(&self) -> Option<Points> {
        self.lasting.back().map(|(_, points)| *points)
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.expiring.is_empty() && self.lasting.is_empty()
    }

    /// Where `lot` sits among the lasting lots, or where it would go.
    fn lasting_at(&self, lot: LotId) -> Result<usize, usize> {
        // A new lot, the common case, goes last without a search.
        match self.lasting.back() {
            Some((last, _)) if *last < lot => Err(self.lasting.len()),
            None => Err(0),
            _ => self.lasting.binary_search_by_key(&lot, |(l, _)| *l),
        }
    }

    /// The points `key` holds.
    pub(crate) fn get(&self, key: &LotKey) -> Option<Points> {
        if key.expires_at().is_some() {
            return self.expiring.get(key).copied();
        }
        let i = self.lasting_at(key.lot()).ok()?;
        self.lasting.get(i).map(|(_, points)| *points)
    }

    /// The points `key` holds, to change.
    pub(crate) fn get_mut(&mut self, key: &LotKey) -> Option<&mut Points> {
        if key.expires_at().is_some() {
            return self.expiring.get_mut(key);
        }
        let i = self.lasting_at(key.lot()).ok()?;
        self.lasting.get_mut(i).map(|(_, points)| points)
    }

    /// Adds `points` to `key`, forming the lot when it holds none; says
    /// whether it was formed.
    pub(crate) fn add(&mut self, key: LotKey, points: Points) -> bool {
        let add =
            |held: &mut Points| *held = Points::new(held.value().saturating_add(points.value()));
        if key.expires_at().is_some() {
            return match self.expiring.entry(key) {
                std::collections::btree_map::Entry::Vacant(lot) => {
                    lot.insert(points);
                    true
                }
                std::collections::btree_map::Entry::Occupied(mut lot) => {
                    add(lot.get_mut());
                    false
                }
            };
        }
        match self.lasting_at(key.lot()) {
            Ok(i) => {
                if let Some((_, held)) = self.lasting.get_mut(i) {
                    add(held);
                }
                false
            }
            Err(i) if i == self.lasting.len() => {
                // A new lot, the common case: no room to make.
                self.lasting.push_back((key.lot(), points));
                true
            }
            Err(i) => {
                self.lasting.insert(i, (key.lot(), points));
                true
            }
        }
    }

    /// Removes `key`.
    pub(crate) fn remove(&mut self, key: &LotKey) {
        if key.expires_at().is_some() {
            self.expiring.remove(key);
        } else if let Ok(i) = self.lasting_at(key.lot()) {
            // Spending takes the oldest first: most removals are the
            // front, which a queue removes without shifting the rest.
            self.lasting.remove(i);
        }
    }

    /// Keeps the lots `keep` says to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(LotKey, Points) -> bool) {
        self.expiring.retain(|key, points| keep(*key, *points));
        self.lasting
            .retain(|(lot, points)| keep(LotKey::new(*lot, None), *points));
    }

    /// The first lot in consumption order.
    pub(crate) fn first(&self) -> Option<LotKey> {
        self.expiring
            .keys()
            .next()
            .copied()
            .or_else(|| self.lasting.front().map(|(lot, _)| LotKey::new(*lot, None)))
    }

    /// Every lot with the points it holds, in consumption order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (LotKey, Points)> + '_ {
        self.expiring
            .iter()
            .map(|(key, points)| (*key, *points))
            .chain(
                self.lasting
                    .iter()
                    .map(|(lot, points)| (LotKey::new(*lot, None), *points)),
            )
    }

    /// Every lot's points, in consumption order.
    pub(crate) fn values(&self) -> impl Iterator<Item = Points> + '_ {
        self.iter().map(|(_, points)| points)
    }
}

/// Lots compare as the ordered map of lots they replaced: each kind is
/// held one way only, so comparing each kind compares the whole.
impl PartialEq for Lots {
    fn eq(&self, other: &Lots) -> bool {
        self.expiring == other.expiring && self.lasting == other.lasting
    }
}

impl Eq for Lots {}

/// Hashes as the ordered map of lots it replaced (its length, then each
/// lot and its points in consumption order), so the ledger's fingerprint
/// does not depend on how lots are held.
impl Hash for Lots {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for (key, points) in self.iter() {
            (&key, &points).hash(state);
        }
    }
}

impl fmt::Debug for Lots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta, Utc};
    use proptest::prelude::*;
    use std::hash::BuildHasher;

    fn key(lot: u64, expires_day: Option<i64>) -> LotKey {
        LotKey::new(
            LotId::new(lot),
            expires_day.map(|d| DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(d)),
        )
    }

    fn hash_of<T: Hash>(value: &T) -> u64 {
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(value)
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u64, Option<i64>, i64),
        Take(usize, i64),
        Retain(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0_u64..40, prop::option::of(0_i64..5), 1_i64..100)
                .prop_map(|(lot, day, points)| Op::Add(lot, day, points)),
            2 => (0_usize..50, 1_i64..100).prop_map(|(at, points)| Op::Take(at, points)),
            1 => (0_i64..6).prop_map(Op::Retain),
        ]
    }

    proptest! {
        /// Whatever lots are formed, spent and dropped, the lots read,
        /// compare and hash as the ordered map they replaced.
        #[test]
        fn lots_behave_as_the_ordered_map(ops in prop::collection::vec(op(), 0..80)) {
            let mut lots = Lots::default();
            let mut map: BTreeMap<LotKey, Points> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Add(lot, day, points) => {
                        let k = key(lot, day);
                        let formed = lots.add(k, Points::new(points));
                        let held = map.entry(k).or_insert(Points::ZERO);
                        prop_assert_eq!(formed, held.is_zero());
                        *held = Points::new(held.value() + points);
                    }
                    Op::Take(at, points) => {
                        let Some(k) = map.keys().nth(at % map.len().max(1)).copied() else {
                            continue;
                        };
                        let held = lots.get_mut(&k).map(|p| {
                            *p = Points::new(p.value().saturating_sub(points));
                            *p
                        });
                        let expected = map.get_mut(&k).map(|p| {
                            *p = Points::new(p.value().saturating_sub(points));
                            *p
                        });
                        prop_assert_eq!(held, expected);
                        if expected.is_some_and(|p| !p.is_positive()) {
                            lots.remove(&k);
                            map.remove(&k);
                        }
                    }
                    Op::Retain(day) => {
                        let live = |k: &LotKey| k.expires_at().is_none_or(|t| t > DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(day));
                        lots.retain(|k, _| live(&k));
                        map.retain(|k, _| live(k));
                    }
                }
                let listed: Vec<(LotKey, Points)> = lots.iter().collect();
                let expected: Vec<(LotKey, Points)> = map.iter().map(|(k, p)| (*k, *p)).collect();
                prop_assert_eq!(&listed, &expected);
                prop_assert_eq!(lots.len(), map.len());
                prop_assert_eq!(lots.is_empty(), map.is_empty());
                prop_assert_eq!(lots.first(), map.keys().next().copied());
                prop_assert_eq!(hash_of(&lots), hash_of(&map));
                for (k, p) in &map {
                    prop_assert_eq!(lots.get(k), Some(*p));
                }
                prop_assert_eq!(lots.get(&key(99, None)), None);
                prop_assert_eq!(lots.get(&key(99, Some(1))), None);
            }
        }
    }
}
