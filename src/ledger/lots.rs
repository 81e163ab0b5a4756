//! A member's live lots, in consumption order: lots that expire by expiry
//! then lot id, lots that never expire in a queue by lot id.
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
//!
//! Lots that expire a fixed time after earning are formed in expiry order
//! too, a member's events coming in time order: they go at the back of a
//! queue of their own, and expiring or spending takes from its front; a
//! spent lot a refund restores, the soonest to expire, goes back at the
//! front. A lot keyed between two in the queue (a log written by hand,
//! expiry dates set on the events) goes into an ordered map beside it
//! instead of shifting the queue, and the two are read as one sequence.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};

use super::account::LotKey;
use crate::{LotId, Points};

/// Every live lot of one member.
#[derive(Clone, Default)]
pub(crate) struct Lots {
    /// Lots with an expiry date, by expiry then lot id.
    expiring: Expiring,
    /// Lots that never expire, by lot id.
    lasting: Lasting,
}

/// The lots with an expiry date, by expiry then lot id: those formed at
/// either end of that order in a queue, any other beside it in an ordered
/// map, each lot in one of them.
#[derive(Clone, Default)]
struct Expiring {
    /// Lots in key order.
    queue: VecDeque<(LotKey, Points)>,
    /// Lots formed between two of the queue's, when there are any: boxed,
    /// rare as they are, so that the map takes a word in every member's
    /// account.
    #[allow(clippy::box_collection)]
    stray: Option<Box<BTreeMap<LotKey, Points>>>,
}

impl Expiring {
    fn len(&self) -> usize {
        let stray = self.stray.as_deref().map_or(0, BTreeMap::len);
        self.queue.len().saturating_add(stray)
    }

    fn is_empty(&self) -> bool {
        // The map is dropped with its last lot.
        self.queue.is_empty() && self.stray.is_none()
    }

    /// Where `key` sits in the queue, or where it would go.
    fn position(&self, key: &LotKey) -> Result<usize, usize> {
        // A new lot, the common case, goes last without a search.
        match self.queue.back() {
            Some((last, _)) if last < key => Err(self.queue.len()),
            None => Err(0),
            _ => self.queue.binary_search_by(|(held, _)| held.cmp(key)),
        }
    }

    fn stray(&self, key: &LotKey) -> Option<Points> {
        self.stray.as_deref()?.get(key).copied()
    }

    fn get(&self, key: &LotKey) -> Option<Points> {
        match self.position(key) {
            Ok(i) => self.queue.get(i).map(|(_, points)| *points),
            Err(_) => self.stray(key),
        }
    }

    /// Adds `points` to `key`, forming the lot when it is not held; says
    /// whether it was formed.
    fn add(&mut self, key: LotKey, points: Points) -> bool {
        let at = self.position(&key);
        if let Ok(i) = at {
            if let Some((_, held)) = self.queue.get_mut(i) {
                *held = held.saturating_add(points);
            }
            return false;
        }
        if let Some(stray) = self.stray.as_deref_mut()
            && let Some(held) = stray.get_mut(&key)
        {
            *held = held.saturating_add(points);
            return false;
        }
        match at {
            // A lot formed after every lot in the queue, the common case,
            // or before them all, as a spent lot a refund restores.
            Err(i) if i == self.queue.len() => self.queue.push_back((key, points)),
            Err(0) => self.queue.push_front((key, points)),
            _ => {
                self.stray.get_or_insert_default().insert(key, points);
            }
        }
        true
    }

    /// Takes `points` from `key`, removing the lot once it holds none;
    /// gives what it holds after, or nothing when it is not held.
    fn take(&mut self, key: &LotKey, points: Points) -> Option<Points> {
        let left = |held: &mut Points| {
            *held = held.saturating_sub(points);
            *held
        };
        if let Ok(i) = self.position(key) {
            let after = left(&mut self.queue.get_mut(i)?.1);
            if !after.is_positive() {
                // Expiring and spending take the soonest first: most
                // removals are the front, which a queue removes without
                // shifting the rest.
                self.queue.remove(i);
            }
            return Some(after);
        }
        let stray = self.stray.as_deref_mut()?;
        let after = left(stray.get_mut(key)?);
        if !after.is_positive() {
            stray.remove(key);
            if stray.is_empty() {
                self.stray = None;
            }
        }
        Some(after)
    }

    fn retain(&mut self, mut keep: impl FnMut(LotKey, Points) -> bool) {
        self.queue.retain(|(key, points)| keep(*key, *points));
        if let Some(stray) = self.stray.as_deref_mut() {
            stray.retain(|key, points| keep(*key, *points));
            if stray.is_empty() {
                self.stray = None;
            }
        }
    }

    fn first(&self) -> Option<LotKey> {
        let queued = self.queue.front().map(|(key, _)| *key);
        let stray = self.stray.as_deref().and_then(|stray| stray.keys().next());
        match (queued, stray) {
            (Some(queued), Some(stray)) => Some(queued.min(*stray)),
            (queued, stray) => queued.or(stray.copied()),
        }
    }

    /// Every lot, by key: the queue and the map merged.
    fn iter(&self) -> impl Iterator<Item = (LotKey, Points)> + '_ {
        let mut queued = self.queue.iter().copied().peekable();
        let mut stray = self
            .stray
            .as_deref()
            .into_iter()
            .flatten()
            .map(|(key, points)| (*key, *points))
            .peekable();
        std::iter::from_fn(move || match (queued.peek(), stray.peek()) {
            (Some((next, _)), Some((other, _))) if other < next => stray.next(),
            (Some(_), _) => queued.next(),
            (None, _) => stray.next(),
        })
    }
}

/// The lots that never expire, by lot id, each as a [`Slot`].
#[derive(Clone)]
enum Lasting {
    /// Each lot's number above its points, 32 bits each.
    Narrow(VecDeque<u64>),
    /// Each lot as it is, once one did not fit 32 bits. Boxed, rare as it
    /// is, so that the queue takes 32 bytes of every member's account,
    /// its tag held in the narrow queue's unused bits.
    #[allow(clippy::box_collection)]
    Wide(Box<VecDeque<(LotId, Points)>>),
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
            let left = held.saturating_sub(points);
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
            narrow => Box::new(narrow.iter().collect()),
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
            Lasting::Wide(queue) => (None, Some(&**queue)),
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
            return self.expiring.get(key);
        }
        self.lasting.get(key.lot())
    }

    /// Adds `points` to `key`, forming the lot when it holds none; says
    /// whether it was formed.
    pub(crate) fn add(&mut self, key: LotKey, points: Points) -> bool {
        if key.expires_at().is_some() {
            return self.expiring.add(key, points);
        }
        self.lasting.add(key.lot(), points)
    }

    /// Takes `points` from `key`, removing the lot once it holds none;
    /// gives what it holds after, or nothing when it held none.
    pub(crate) fn take(&mut self, key: &LotKey, points: Points) -> Option<Points> {
        if key.expires_at().is_some() {
            return self.expiring.take(key, points);
        }
        self.lasting.take(key.lot(), points)
    }

    /// Keeps the lots `keep` says to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(LotKey, Points) -> bool) {
        self.expiring.retain(&mut keep);
        self.lasting
            .retain(|lot, points| keep(LotKey::new(lot, None), points));
    }

    /// The first lot in consumption order.
    pub(crate) fn first(&self) -> Option<LotKey> {
        self.expiring
            .first()
            .or_else(|| self.lasting.front().map(|lot| LotKey::new(lot, None)))
    }

    /// Every lot with the points it holds, in consumption order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (LotKey, Points)> + '_ {
        self.expiring.iter().chain(
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

/// Lots compare as the ordered map of lots they replaced: by what each
/// kind holds in order, whichever way it is held (expiring lots in the
/// queue or beside it, lasting lots in either width of slot).
impl PartialEq for Lots {
    fn eq(&self, other: &Lots) -> bool {
        self.expiring.len() == other.expiring.len()
            && self.expiring.iter().eq(other.expiring.iter())
            && self.lasting.iter().eq(other.lasting.iter())
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
        // The wide queue is boxed: the kind of queue costs no room.
        assert_eq!(size_of::<Lasting>(), size_of::<VecDeque<u64>>());
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

    #[test]
    fn expiring_lots_formed_out_of_order_are_held_beside_the_queue_and_read_in_order() {
        let mut lots = Lots::default();
        let ten = Points::new(10);
        assert!(lots.add(key(5, Some(5)), ten));
        // Sooner than every queued lot: at the queue's front.
        assert!(lots.add(key(1, Some(1)), ten));
        // Between two queued lots: beside the queue.
        assert!(lots.add(key(3, Some(3)), ten));
        assert_eq!(lots.expiring.queue.len(), 2);
        assert_eq!(lots.expiring.stray.as_deref().map(BTreeMap::len), Some(1));
        let order = |lots: &Lots| {
            lots.iter()
                .map(|(k, _)| k.lot().number())
                .collect::<Vec<_>>()
        };
        assert_eq!(order(&lots), [1, 3, 5]);
        assert_eq!(lots.take(&key(1, Some(1)), ten), Some(Points::ZERO));
        assert_eq!(lots.first(), Some(key(3, Some(3))));
        // The queue's last lot spent, the lot beside it is past the
        // queue's end and is still the one added to.
        assert_eq!(lots.take(&key(5, Some(5)), ten), Some(Points::ZERO));
        assert!(!lots.add(key(3, Some(3)), ten));
        assert_eq!(lots.get(&key(3, Some(3))), Some(Points::new(20)));
        assert_eq!(lots.len(), 1);
        assert!(lots.add(key(4, Some(4)), ten));
        assert_eq!(order(&lots), [3, 4]);
        // The map goes with its last lot.
        assert_eq!(
            lots.take(&key(3, Some(3)), Points::new(20)),
            Some(Points::ZERO)
        );
        assert!(lots.expiring.stray.is_none());
        assert_eq!(lots.take(&key(4, Some(4)), ten), Some(Points::ZERO));
        assert!(lots.is_empty());
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
