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
//! search when a refund restores or takes back points. The queue holds
//! each lot in 8 bytes, its number and points 32 bits each, while every
//! lot's do fit (the ledger numbers a member's lots from one, and a lot
//! holds what one order earned); the first that does not turns the whole
//! queue into 16-byte entries.

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
    lasting: Lasting,
}

/// The lots that never expire, by lot id, each as a [`Slot`].
#[derive(Clone)]
enum Lasting {
    /// Each lot's number above its points, 32 bits each.
    Narrow(VecDeque<u64>),
    /// Each lot as it is, once one did not fit 32 bits.
    Wide(VecDeque<(LotId, Points)>),
}

impl Default for Lasting {
    fn default() -> Lasting {
        Lasting::Narrow(VecDeque::new())
    }
}

/// One lasting lot as the queue holds it.
trait Slot: Copy {
    /// The slot holding `points` in `lot`, if they fit.
    fn holding(lot: LotId, points: Points) -> Option<Self>;
    /// The lot's id.
    fn lot(self) -> LotId;
    /// The points it holds.
    fn points(self) -> Points;
}

impl Slot for u64 {
    fn holding(lot: LotId, points: Points) -> Option<u64> {
        let lot = u32::try_from(lot.number()).ok()?;
        let points = u32::try_from(points.value()).ok()?;
        Some(u64::from(lot) << 32 | u64::from(points))
    }

    fn lot(self) -> LotId {
        LotId::new(self >> 32)
    }

    fn points(self) -> Points {
        Points::new(i64::from(self as u32))
    }
}

impl Slot for (LotId, Points) {
    fn holding(lot: LotId, points: Points) -> Option<(LotId, Points)> {
        Some((lot, points))
    }

    fn lot(self) -> LotId {
        self.0
    }

    fn points(self) -> Points {
        self.1
    }
}

/// Where `lot` sits in `queue`, or where it would go.
fn position<S: Slot>(queue: &VecDeque<S>, lot: LotId) -> Result<usize, usize> {
    // A new lot, the common case, goes last without a search.
    match queue.back() {
        Some(last) if last.lot() < lot => Err(queue.len()),
        None => Err(0),
        _ => queue.binary_search_by_key(&lot, |slot| slot.lot()),
    }
}

/// Sets `lot`, which [`position`] found at `at` of `queue`, to hold
/// `points`, or inserts it where `at` says it would go; says whether the
/// points fit the queue's slots (when not, nothing changed).
fn put<S: Slot>(
    queue: &mut VecDeque<S>,
    at: Result<usize, usize>,
    lot: LotId,
    points: Points,
) -> bool {
    let Some(slot) = S::holding(lot, points) else {
        return false;
    };
    match at {
        Ok(i) => {
            if let Some(held) = queue.get_mut(i) {
                *held = slot;
            }
        }
        // A new lot, the common case: no room to make.
        Err(i) if i == queue.len() => queue.push_back(slot),
        Err(i) => queue.insert(i, slot),
    }
    true
}

impl Lasting {
    fn len(&self) -> usize {
        match self {
            Lasting::Narrow(queue) => queue.len(),
            Lasting::Wide(queue) => queue.len(),
        }
    }

    fn get(&self, lot: LotId) -> Option<Points> {
        fn get<S: Slot>(queue: &VecDeque<S>, lot: LotId) -> Option<Points> {
            let i = position(queue, lot).ok()?;
            queue.get(i).map(|slot| slot.points())
        }
        match self {
            Lasting::Narrow(queue) => get(queue, lot),
            Lasting::Wide(queue) => get(queue, lot),
        }
    }

    /// Adds `points` to `lot`, forming it when it is not held; says
    /// whether it was formed.
    fn add(&mut self, lot: LotId, points: Points) -> bool {
        /// In `queue`, if the sum fits its slots.
        fn add<S: Slot>(queue: &mut VecDeque<S>, lot: LotId, points: Points) -> Option<bool> {
            let at = position(queue, lot);
            let held = at.ok().and_then(|i| queue.get(i)).map(|slot| slot.points());
            let sum = held.map_or(points, |held| held.saturating_add(points));
            put(queue, at, lot, sum).then_some(held.is_none())
        }
        let added = match self {
            Lasting::Narrow(queue) => add(queue, lot, points),
            Lasting::Wide(queue) => add(queue, lot, points),
        };
        added.unwrap_or_else(|| self.widened(|wide| add(wide, lot, points).unwrap_or(false)))
    }

    /// Takes `points` from `lot`, removing it once it holds none; gives
    /// what it holds after, or nothing when it is not held.
    fn take(&mut self, lot: LotId, points: Points) -> Option<Points> {
        /// In `queue`: what the lot holds after, as an error when that
        /// does not fit its slots (nothing changed then).
        fn take<S: Slot>(
            queue: &mut VecDeque<S>,
            lot: LotId,
            points: Points,
        ) -> Option<Result<Points, Points>> {
            let at = position(queue, lot);
            let i = at.ok()?;
            let held = queue.get(i)?.points();
            let left = Points::new(held.value().saturating_sub(points.value()));
            if !left.is_positive() {
                // Spending takes the oldest first: most removals are the
                // front, which a queue removes without shifting the rest.
                queue.remove(i);
            } else if !put(queue, at, lot, left) {
                return Some(Err(left));
            }
            Some(Ok(left))
        }
        let taken = match self {
            Lasting::Narrow(queue) => take(queue, lot, points),
            Lasting::Wide(queue) => take(queue, lot, points),
        }?;
        // Taking fewer points than none (never drawn) can leave more
        // than the narrow slots hold.
        Some(taken.unwrap_or_else(|left| {
            self.widened(|wide| put(wide, position(wide, lot), lot, left));
            left
        }))
    }

    /// Turns the queue to 16-byte entries (if it was narrow) and hands it
    /// to `then`: for a lot the narrow slots cannot hold.
    fn widened<R>(&mut self, then: impl FnOnce(&mut VecDeque<(LotId, Points)>) -> R) -> R {
        let mut wide = match std::mem::take(self) {
            Lasting::Wide(queue) => queue,
            narrow => narrow.iter().collect(),
        };
        let result = then(&mut wide);
        *self = Lasting::Wide(wide);
        result
    }

    fn retain(&mut self, mut keep: impl FnMut(LotId, Points) -> bool) {
        match self {
            Lasting::Narrow(queue) => queue.retain(|slot| keep(slot.lot(), slot.points())),
            Lasting::Wide(queue) => queue.retain(|slot| keep(slot.lot(), slot.points())),
        }
    }

    fn front(&self) -> Option<LotId> {
        match self {
            Lasting::Narrow(queue) => queue.front().map(|slot| slot.lot()),
            Lasting::Wide(queue) => queue.front().map(|slot| slot.lot()),
        }
    }

    fn back_points(&self) -> Option<Points> {
        match self {
            Lasting::Narrow(queue) => queue.back().map(|slot| slot.points()),
            Lasting::Wide(queue) => queue.back().map(|slot| slot.points()),
        }
    }

    /// Every lot, by lot id.
    fn iter(&self) -> impl Iterator<Item = (LotId, Points)> + '_ {
        let (narrow, wide) = match self {
            Lasting::Narrow(queue) => (Some(queue), None),
            Lasting::Wide(queue) => (None, Some(queue)),
        };
        let narrow = narrow
            .into_iter()
            .flatten()
            .map(|slot| (slot.lot(), slot.points()));
        narrow.chain(wide.into_iter().flatten().copied())
    }
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
        self.lasting.back_points()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.expiring.is_empty() && self.lasting.len() == 0
    }

    /// The points `key` holds.
    pub(crate) fn get(&self, key: &LotKey) -> Option<Points> {
        if key.expires_at().is_some() {
            return self.expiring.get(key).copied();
        }
        self.lasting.get(key.lot())
    }

    /// Adds `points` to `key`, forming the lot when it holds none; says
    /// whether it was formed.
    pub(crate) fn add(&mut self, key: LotKey, points: Points) -> bool {
        if key.expires_at().is_some() {
            return match self.expiring.entry(key) {
                std::collections::btree_map::Entry::Vacant(lot) => {
                    lot.insert(points);
                    true
                }
                std::collections::btree_map::Entry::Occupied(mut lot) => {
                    *lot.get_mut() = lot.get().saturating_add(points);
                    false
                }
            };
        }
        self.lasting.add(key.lot(), points)
    }

    /// Takes `points` from `key`, removing the lot once it holds none;
    /// gives what it holds after, or nothing when it held none.
    pub(crate) fn take(&mut self, key: &LotKey, points: Points) -> Option<Points> {
        let left = |held: Points| Points::new(held.value().saturating_sub(points.value()));
        if key.expires_at().is_some() {
            let held = self.expiring.get_mut(key)?;
            *held = left(*held);
            let after = *held;
            if !after.is_positive() {
                self.expiring.remove(key);
            }
            return Some(after);
        }
        self.lasting.take(key.lot(), points)
    }

    /// Keeps the lots `keep` says to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(LotKey, Points) -> bool) {
        self.expiring.retain(|key, points| keep(*key, *points));
        self.lasting
            .retain(|lot, points| keep(LotKey::new(lot, None), points));
    }

    /// The first lot in consumption order.
    pub(crate) fn first(&self) -> Option<LotKey> {
        self.expiring
            .keys()
            .next()
            .copied()
            .or_else(|| self.lasting.front().map(|lot| LotKey::new(lot, None)))
    }

    /// Every lot with the points it holds, in consumption order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (LotKey, Points)> + '_ {
        self.expiring
            .iter()
            .map(|(key, points)| (*key, *points))
            .chain(
                self.lasting
                    .iter()
                    .map(|(lot, points)| (LotKey::new(lot, None), points)),
            )
    }

    /// Every lot's points, in consumption order.
    pub(crate) fn values(&self) -> impl Iterator<Item = Points> + '_ {
        self.iter().map(|(_, points)| points)
    }
}

/// Lots compare as the ordered map of lots they replaced: each kind is
/// held one way only, so comparing each kind compares the whole (lasting
/// lots by what they hold, whichever slots hold them).
impl PartialEq for Lots {
    fn eq(&self, other: &Lots) -> bool {
        self.expiring == other.expiring && self.lasting.iter().eq(other.lasting.iter())
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
            // Lots and points past 32 bits, which a lasting lot's narrow
            // slot does not hold.
            1 => (
                prop_oneof![0_u64..40, (1_u64 << 32)..(1_u64 << 32) + 3],
                prop::option::of(0_i64..5),
                prop_oneof![1_i64..100, (1_i64 << 32) - 50..(1_i64 << 32) + 50],
            )
                .prop_map(|(lot, day, points)| Op::Add(lot, day, points)),
            2 => (0_usize..50, 1_i64..100).prop_map(|(at, points)| Op::Take(at, points)),
            1 => (0_i64..6).prop_map(Op::Retain),
        ]
    }

    #[test]
    fn lasting_lots_take_8_bytes_until_one_does_not_fit_and_compare_either_way() {
        let mut narrow = Lots::default();
        let mut wide = Lots::default();
        for lot in 1..=5 {
            assert!(narrow.add(key(lot, None), Points::new(10)));
            assert!(wide.add(key(lot, None), Points::new(10)));
        }
        assert!(matches!(narrow.lasting, Lasting::Narrow(_)));
        // A lot past 32 bits of points turns the queue wide; spent back
        // under, it stays wide and still compares and hashes the same.
        assert!(!wide.add(key(3, None), Points::new(u32::MAX.into())));
        assert!(matches!(wide.lasting, Lasting::Wide(_)));
        assert_eq!(
            wide.get(&key(3, None)),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
        assert_ne!(narrow, wide);
        assert_eq!(
            wide.take(&key(3, None), Points::new(u32::MAX.into())),
            Some(Points::new(10))
        );
        assert_eq!(narrow, wide);
        assert_eq!(hash_of(&narrow), hash_of(&wide));
        assert_eq!(narrow.newest_lasting(), Some(Points::new(10)));
        // Taking all a lot holds removes it.
        assert_eq!(
            narrow.take(&key(1, None), Points::new(25)),
            Some(Points::new(-15))
        );
        assert_eq!(narrow.get(&key(1, None)), None);
        assert_eq!(narrow.take(&key(1, None), Points::new(1)), None);
        assert_eq!(narrow.first(), Some(key(2, None)));
        // Taking a negative number of points gives them: past 32 bits,
        // the queue turns wide.
        assert_eq!(
            narrow.take(&key(2, None), Points::new(-i64::from(u32::MAX))),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
        assert!(matches!(narrow.lasting, Lasting::Wide(_)));
        assert_eq!(
            narrow.get(&key(2, None)),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
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
                        let held = lots.take(&k, Points::new(points));
                        let expected = map.get_mut(&k).map(|p| {
                            *p = Points::new(p.value().saturating_sub(points));
                            *p
                        });
                        prop_assert_eq!(held, expected);
                        if expected.is_some_and(|p| !p.is_positive()) {
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
