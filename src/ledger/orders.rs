//! A member's orders: the records in one `Vec` in the order they were
//! placed, each with its reference, found by reference through a hashed
//! index of positions.
//!
//! A purchase asks for its reference before anything else (the
//! exactly-once check), and applying it asks and files it again. An
//! ordered map of references walked one node per level on cold memory,
//! and its first node took some 400 bytes for a member's first order. The
//! hashed index holds a member's first [`FEW`](super::hashed::FEW) orders
//! in place, in the account itself, and past them finds most references
//! in one probe of a table that costs 16 to 32 bytes an order. A
//! reference it cannot place within
//! [`MAX_PROBE`](super::hashed::MAX_PROBE) entries, as references chosen
//! to collide would be, goes into a small ordered map beside it instead,
//! so no choice of references makes a lookup slower than an ordered map.
//! The orders list by reference (for `==`, the fingerprint and `Debug`)
//! by sorting their positions when asked.
//!
//! The orders also say which order's points formed each lot (an expiry
//! marks the points it takes as lapsed on their order). That was a list
//! beside the orders, one entry per purchase, growing with them; it is
//! read off the records instead, by binary search while the lots rise
//! with the orders, as lots numbered by the ledger do.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::account::OrderRecord;
use super::hashed::Hashed;
use crate::{LotId, Reference};

/// Every order of one member.
#[derive(Clone, Default)]
pub(crate) struct Orders {
    /// The records with their references, in the order they were placed.
    records: Vec<(Reference, OrderRecord)>,
    /// Each order's position in `records`, by hash: in place for the
    /// first few, then in a table at most half full.
    by_hash: Hashed,
    /// The positions of references the hashed index could not place, once
    /// there are any: behind a pointer, as an empty map held in place
    /// would cost every member three words for what almost none has.
    #[allow(clippy::box_collection)]
    crowded: Option<Box<BTreeMap<Reference, u32>>>,
    /// How the lots the orders formed are numbered, in the order placed.
    formed: Formed,
}

/// How the lots a member's orders formed are numbered, taken in the order
/// the orders were placed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum Formed {
    /// No order has formed a lot.
    #[default]
    Nothing,
    /// Each lot is numbered above the one before; the last is this one.
    /// The ledger numbers lots in order, so this is what it records.
    Rising(LotId),
    /// Some lot is not numbered above the one before, as in an event log
    /// written by hand: each lot is looked for among every order.
    Mixed,
}

impl Orders {
    /// The number of orders.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Where the order recorded under `order` is held.
    fn position(&self, order: &Reference) -> Option<usize> {
        self.position_by(order.quick_hash(), order)
    }

    /// Where the order recorded under `order`, whose quick hash is `hash`,
    /// is held.
    fn position_by(&self, hash: u64, order: &Reference) -> Option<usize> {
        let found = self.by_hash.find(hash, |at| {
            self.records.get(at).is_some_and(|(r, _)| r == order)
        });
        found.or_else(|| {
            self.crowded
                .as_deref()
                .and_then(|crowded| crowded.get(order))
                .and_then(|at| usize::try_from(*at).ok())
        })
    }

    /// The order recorded under `order`.
    pub(crate) fn get(&self, order: &Reference) -> Option<&OrderRecord> {
        self.position(order)
            .and_then(|at| self.records.get(at))
            .map(|(_, record)| record)
    }

    /// The order recorded under `order`, to change.
    pub(crate) fn get_mut(&mut self, order: &Reference) -> Option<&mut OrderRecord> {
        self.position(order)
            .and_then(|at| self.records.get_mut(at))
            .map(|(_, record)| record)
    }

    /// Whether an order is recorded under `order`.
    pub(crate) fn contains_key(&self, order: &Reference) -> bool {
        self.position(order).is_some()
    }

    /// Records a new order. An order already recorded under the reference
    /// is kept as it was: an account refuses a purchase whose reference it
    /// knows before it changes anything, so that does not happen; nor do
    /// four billion orders of one member, which are not recorded either.
    pub(crate) fn insert(&mut self, order: Reference, record: OrderRecord) {
        let hash = order.quick_hash();
        if self.position_by(hash, &order).is_none() {
            self.insert_new(order, hash, record);
        }
    }

    /// Whether an order is recorded under `order`, whose quick hash is
    /// `hash`: for a caller that goes on to [`insert_new`](Orders::insert_new)
    /// without hashing the reference again.
    pub(crate) fn contains_hashed(&self, hash: u64, order: &Reference) -> bool {
        self.position_by(hash, order).is_some()
    }

    /// Records a new order under `order`, whose quick hash is `hash`, that
    /// the caller has just found not recorded (with
    /// [`contains_hashed`](Orders::contains_hashed)): the reference is not
    /// looked up a second time.
    pub(crate) fn insert_new(&mut self, order: Reference, hash: u64, record: OrderRecord) {
        let Ok(at) = u32::try_from(self.records.len()) else {
            return;
        };
        if at == u32::MAX {
            return;
        }
        if self.records.len() == self.records.capacity() {
            // Doubled, from two: growing by half moved a member's
            // records five times over their first ten orders, and the
            // moves cost more than the room saved; a first order still
            // takes room for two, as most members place one or two.
            self.records.reserve_exact(self.records.len().max(2));
        }
        if self.by_hash.is_half_full(self.records.len()) {
            self.grow();
        }
        if !self.by_hash.place(hash, at) {
            self.crowded
                .get_or_insert_default()
                .insert(order.clone(), at);
        }
        self.formed = match (self.formed, record.lot()) {
            (formed, None) => formed,
            (Formed::Nothing, Some(lot)) => Formed::Rising(lot),
            (Formed::Rising(last), Some(lot)) if last < lot => Formed::Rising(lot),
            (Formed::Rising(_) | Formed::Mixed, Some(_)) => Formed::Mixed,
        };
        self.records.push((order, record));
    }

    /// The order whose points formed `lot`: the last one placed, should
    /// several name it.
    #[cfg(test)]
    pub(crate) fn of_lot(&self, lot: LotId) -> Option<&Reference> {
        self.lot_position(lot)
            .and_then(|at| self.records.get(at))
            .map(|(order, _)| order)
    }

    /// The record of the order whose points formed `lot` (the last one
    /// placed, should several name it), to change: found by position,
    /// without asking for its reference again.
    pub(crate) fn of_lot_mut(&mut self, lot: LotId) -> Option<&mut OrderRecord> {
        self.lot_position(lot)
            .and_then(|at| self.records.get_mut(at))
            .map(|(_, record)| record)
    }

    /// Where the order whose points formed `lot` is held.
    fn lot_position(&self, lot: LotId) -> Option<usize> {
        let lot_at = |at: usize| self.records.get(at).and_then(|(_, r)| r.lot());
        match self.formed {
            Formed::Nothing => None,
            Formed::Mixed => self
                .records
                .iter()
                .rposition(|(_, record)| record.lot() == Some(lot)),
            Formed::Rising(_) => {
                // Binary search over the orders that formed a lot; one
                // that formed none is passed over to the next that did.
                let (mut low, mut high) = (0, self.records.len());
                let mut found = None;
                while low < high {
                    let middle = low.midpoint(high);
                    let next = (middle..high).find_map(|at| lot_at(at).map(|l| (at, l)));
                    match next {
                        None => high = middle,
                        Some((at, formed)) if formed < lot => low = at.saturating_add(1),
                        Some((at, formed)) if formed == lot => {
                            found = Some(at);
                            break;
                        }
                        Some(_) => high = middle,
                    }
                }
                found
            }
        }
    }

    /// Every lot an order formed with that order, by lot, the last order
    /// placed for a lot several name: as the ledger's list of them was
    /// kept, for `==` and the fingerprint.
    pub(crate) fn lots_formed(&self) -> Vec<(LotId, &Reference)> {
        let mut formed: Vec<(LotId, &Reference)> = Vec::new();
        for (order, record) in &self.records {
            let Some(lot) = record.lot() else { continue };
            if formed.last().is_none_or(|(last, _)| *last < lot) {
                formed.push((lot, order));
                continue;
            }
            match formed.binary_search_by_key(&lot, |(l, _)| *l) {
                Ok(i) => {
                    if let Some(entry) = formed.get_mut(i) {
                        entry.1 = order;
                    }
                }
                Err(i) => formed.insert(i, (lot, order)),
            }
        }
        formed
    }

    /// Moves the hashed index to a table, or doubles it, and files every
    /// order again, those it cannot place beside it.
    fn grow(&mut self) {
        let mut crowded: Option<Box<BTreeMap<Reference, u32>>> = None;
        let records = &self.records;
        let hashes = records.iter().map(|(order, _)| order.quick_hash());
        self.by_hash.grow(0, hashes, |at| {
            if let Some((order, _)) = usize::try_from(at).ok().and_then(|i| records.get(i)) {
                crowded.get_or_insert_default().insert(order.clone(), at);
            }
        });
        self.crowded = crowded;
    }

    /// How many orders are filed beside the hashed index.
    #[cfg(test)]
    pub(crate) fn crowded(&self) -> usize {
        self.crowded.as_deref().map_or(0, BTreeMap::len)
    }

    /// Every order with its reference, by reference.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Reference, &OrderRecord)> {
        let mut sorted: Vec<&(Reference, OrderRecord)> = self.records.iter().collect();
        sorted.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        sorted.into_iter().map(|(order, record)| (order, record))
    }
}

/// Orders are equal when the same references hold equal records, whatever
/// the order they were placed in.
impl PartialEq for Orders {
    fn eq(&self, other: &Orders) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for Orders {}

/// As a map from reference to record hashes: the ledger's fingerprint does
/// not depend on how orders are held.
impl Hash for Orders {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for (order, record) in self.iter() {
            order.hash(state);
            record.hash(state);
        }
    }
}

impl fmt::Debug for Orders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}
