//! A member's pending lots: points waiting for their order's confirmation
//! or the end of their pending period, by lot.
//!
//! Held in one list sorted by lot, not an ordered map: a member holds a
//! few pending lots at a time, each new one numbered past every lot
//! before it (so it goes at the end), and the one settled or confirmed is
//! usually the oldest or the newest (looked at first). A map's first node
//! took about 800 bytes for the first pending lot; the list takes room
//! for one, then doubles, and takes a word less in every account than a
//! double-ended queue would. A lot leaving from the front moves the few
//! behind it. Other lots are found by binary search.

use super::account::PendingLot;
use super::event::LotId;

/// Pending lots, sorted by lot, each lot once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct PendingLots {
    lots: Vec<(LotId, PendingLot)>,
}

impl PendingLots {
    /// Where `lot` is, or where it would go.
    fn search(&self, lot: LotId) -> Result<usize, usize> {
        // The oldest lot first, the one a sweep settles next, then the
        // newest: a lot just added is the one most often looked at again
        // (its order confirmed at once), and a new one goes past it.
        if let Some((first, _)) = self.lots.first()
            && *first == lot
        {
            return Ok(0);
        }
        match self.lots.last() {
            Some((last, _)) if *last == lot => Ok(self.lots.len().saturating_sub(1)),
            Some((last, _)) if *last < lot => Err(self.lots.len()),
            _ => self.lots.binary_search_by_key(&lot, |(id, _)| *id),
        }
    }

    /// The pending lot `lot`.
    pub(crate) fn get(&self, lot: &LotId) -> Option<&PendingLot> {
        let at = self.search(*lot).ok()?;
        self.lots.get(at).map(|(_, p)| p)
    }

    /// The pending lot `lot`, to change.
    pub(crate) fn get_mut(&mut self, lot: &LotId) -> Option<&mut PendingLot> {
        let at = self.search(*lot).ok()?;
        self.lots.get_mut(at).map(|(_, p)| p)
    }

    /// Whether `lot` is pending.
    pub(crate) fn contains_key(&self, lot: &LotId) -> bool {
        self.search(*lot).is_ok()
    }

    /// Files `pending` as `lot`, replacing what `lot` held (callers check
    /// first that it held nothing). The first lot gets room for one.
    pub(crate) fn insert(&mut self, lot: LotId, pending: PendingLot) {
        match self.search(lot) {
            Ok(at) => {
                if let Some(slot) = self.lots.get_mut(at) {
                    slot.1 = pending;
                }
            }
            Err(at) => {
                if self.lots.capacity() == 0 {
                    self.lots.reserve_exact(1);
                }
                if at < self.lots.len() {
                    self.lots.insert(at, (lot, pending));
                } else {
                    self.lots.push((lot, pending));
                }
            }
        }
    }

    /// Takes `lot` out, if it is pending. The room stays: a member whose
    /// orders wait for confirmation one after another refills it with
    /// their next order, without allocating again.
    pub(crate) fn remove(&mut self, lot: &LotId) -> Option<PendingLot> {
        let at = self.search(*lot).ok()?;
        if at < self.lots.len() {
            Some(self.lots.remove(at).1)
        } else {
            None
        }
    }

    /// Whether no lot is pending.
    pub(crate) fn is_empty(&self) -> bool {
        self.lots.is_empty()
    }

    /// The pending lots, by lot.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&LotId, &PendingLot)> + '_ {
        self.lots.iter().map(|(lot, p)| (lot, p))
    }

    /// The pending lots' figures, by lot.
    pub(crate) fn values(&self) -> impl Iterator<Item = &PendingLot> + '_ {
        self.lots.iter().map(|(_, p)| p)
    }

    /// Makes these pending lots a copy of `source`'s, in the room they
    /// have (see [`Wallet::copy_from`](super::account::Wallet::copy_from)).
    pub(crate) fn copy_from(&mut self, source: &PendingLots) {
        self.lots.clone_from(&source.lots);
    }

    /// The first pending lot.
    pub(crate) fn first_key_value(&self) -> Option<(&LotId, &PendingLot)> {
        self.lots.first().map(|(lot, p)| (lot, p))
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;
    use crate::{Points, Reference};

    fn lot(order: &str, points: i64) -> PendingLot {
        PendingLot {
            order: order.parse::<Reference>().expect("a reference"),
            points: Points::new(points),
            available_at: None,
            expires_at: None,
        }
    }

    #[test]
    fn pending_lots_take_three_words_of_an_account_and_64_bytes_a_lot() {
        // As the ordered map they replaced took in the account.
        assert_eq!(std::mem::size_of::<PendingLots>(), 24);
        assert_eq!(std::mem::size_of::<(LotId, PendingLot)>(), 64);
        // 544 before a member's orders numbered their lots and tier keys
        // by position (see `Numbering`), 16 bytes an account for the 8
        // each of their records gave up.
        assert_eq!(std::mem::size_of::<super::super::Account>(), 560);
    }

    #[test]
    fn the_first_pending_lot_takes_room_for_one_and_keeps_it() {
        let mut pending = PendingLots::default();
        assert_eq!(pending.lots.capacity(), 0);
        pending.insert(LotId::new(3), lot("ORD-1", 57));
        assert_eq!(pending.lots.capacity(), 1);
        assert_eq!(pending.remove(&LotId::new(3)), Some(lot("ORD-1", 57)));
        assert!(pending.is_empty());
        pending.insert(LotId::new(4), lot("ORD-2", 12));
        assert_eq!(pending.lots.capacity(), 1);
        assert_eq!(
            pending.first_key_value(),
            Some((&LotId::new(4), &lot("ORD-2", 12)))
        );
    }

    #[derive(Debug, Clone)]
    enum Step {
        Insert(u64, i64),
        Remove(u64),
        Change(u64, i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0u64..24, 1i64..1_000).prop_map(|(l, p)| Step::Insert(l, p)),
            (0u64..24).prop_map(Step::Remove),
            (0u64..24, 1i64..1_000).prop_map(|(l, p)| Step::Change(l, p)),
        ]
    }

    proptest! {
        /// Whatever lots come and go, in whatever order, the list answers
        /// every question as the ordered map it replaced would.
        #[test]
        fn pending_lots_answer_as_an_ordered_map(steps in prop::collection::vec(step(), 0..60)) {
            let mut list = PendingLots::default();
            let mut map: BTreeMap<LotId, PendingLot> = BTreeMap::new();
            for s in steps {
                match s {
                    Step::Insert(l, p) => {
                        let order = format!("ORD-{l}");
                        list.insert(LotId::new(l), lot(&order, p));
                        map.insert(LotId::new(l), lot(&order, p));
                    }
                    Step::Remove(l) => {
                        prop_assert_eq!(list.remove(&LotId::new(l)), map.remove(&LotId::new(l)));
                    }
                    Step::Change(l, p) => {
                        if let Some(held) = list.get_mut(&LotId::new(l)) {
                            held.points = Points::new(p);
                        }
                        if let Some(held) = map.get_mut(&LotId::new(l)) {
                            held.points = Points::new(p);
                        }
                    }
                }
                prop_assert_eq!(list.is_empty(), map.is_empty());
                prop_assert!(list.iter().eq(map.iter()));
                prop_assert!(list.values().eq(map.values()));
                prop_assert_eq!(list.first_key_value(), map.first_key_value());
                for l in 0..24 {
                    let id = LotId::new(l);
                    prop_assert_eq!(list.get(&id), map.get(&id));
                    prop_assert_eq!(list.contains_key(&id), map.contains_key(&id));
                }
            }
        }
    }
}
