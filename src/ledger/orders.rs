//! A member's orders: the records in the order they were placed, each
//! with its reference, found by reference through a hashed index of
//! positions (see [`Keyed`]).
//!
//! The orders also say which order's points formed each lot (an expiry
//! marks the points it takes as lapsed on their order). That was a list
//! beside the orders, one entry per purchase, growing with them; it is
//! read off the records instead, by binary search while the lots rise
//! with the orders, as lots numbered by the ledger do.

use std::fmt;
use std::hash::{Hash, Hasher};

use super::account::{OrderRecord, Shapes};
use super::blocks::Blocks;
use super::keyed::Keyed;
use crate::id::RefKey;
use crate::{LotId, MemberId, Reference};

/// Every order of one member.
#[derive(Clone, Default)]
pub(crate) struct Orders {
    /// The records with their references, in the order they were placed.
    records: Keyed<OrderRecord>,
    /// How the lots the orders formed are numbered, in the order placed.
    formed: Formed,
    /// The base rates the orders at the base rate alone share, and the
    /// rates and tiers the orders on a tier with a multiplier share, each
    /// held once; the records name them by place.
    shapes: Shapes,
}

/// How the lots a member's orders formed are numbered, taken in the order
/// the orders were placed: in one word, as [`Formed::read`] reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Formed(u64);

/// What [`Formed`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Numbered {
    /// No order has formed a lot.
    Nothing,
    /// Each lot is numbered above the one before; the last is this one.
    /// The ledger numbers lots in order, from one, so this is what it
    /// records.
    Rising(LotId),
    /// Some lot is not numbered above the one before, as in an event log
    /// written by hand: each lot is looked for among every order.
    Mixed,
}

impl Formed {
    /// What the word says: zero for nothing, all ones for mixed, any
    /// other number the last lot of a rising run.
    const fn read(self) -> Numbered {
        match self.0 {
            0 => Numbered::Nothing,
            u64::MAX => Numbered::Mixed,
            last => Numbered::Rising(LotId::new(last)),
        }
    }

    /// After an order that formed `lot`, if it formed one. A lot numbered
    /// zero or `u64::MAX` (only a hand-written log has those) makes the
    /// numbering mixed: looking for lots among every order is right for
    /// any numbering.
    fn then(self, lot: Option<LotId>) -> Formed {
        let Some(lot) = lot else { return self };
        if matches!(lot.number(), 0 | u64::MAX) {
            return Formed(u64::MAX);
        }
        match self.read() {
            Numbered::Nothing => Formed(lot.number()),
            Numbered::Rising(last) if last < lot => Formed(lot.number()),
            Numbered::Rising(_) | Numbered::Mixed => Formed(u64::MAX),
        }
    }
}

impl Orders {
    /// Every order with its reference as held (see
    /// [`reference_at`](Orders::reference_at)), in the order placed.
    pub(crate) fn filed(&self) -> &Blocks<(RefKey, OrderRecord)> {
        self.records.filed()
    }

    /// The reference of the order at position `at` of
    /// [`filed`](Orders::filed).
    pub(crate) fn reference_at(&self, at: usize) -> Option<Reference> {
        self.records.reference_at(at)
    }

    /// The number of orders.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// The base rates and tier shapes the records name by place: what
    /// reads a record's lines and figures.
    pub(crate) fn shapes(&self) -> &Shapes {
        &self.shapes
    }

    /// The order recorded under `order`.
    pub(crate) fn get(&self, order: &Reference) -> Option<&OrderRecord> {
        self.records.get(order)
    }

    /// The order recorded under `order`, whose quick hash is `hash`: for
    /// a caller that hands the hash on.
    pub(crate) fn get_hashed(&self, hash: u64, order: &Reference) -> Option<&OrderRecord> {
        self.records.get_hashed(hash, order)
    }

    /// Where in [`filed`](Orders::filed) the order recorded under `order`
    /// is held, with its record: for a caller that goes on to change it
    /// (see [`filed_mut`](Orders::filed_mut)).
    pub(crate) fn find(&self, order: &Reference) -> Option<(usize, &OrderRecord)> {
        let at = self.records.position(order)?;
        self.filed().get(at).map(|(_, record)| (at, record))
    }

    /// As [`find`](Orders::find), looking first at position `at`, where
    /// the caller found the order before: the reference is compared there,
    /// not hashed and looked up.
    pub(crate) fn find_from(
        &self,
        at: Option<usize>,
        order: &Reference,
    ) -> Option<(usize, &OrderRecord)> {
        let held = at
            .filter(|at| self.records.holds_at(*at, order))
            .and_then(|at| self.filed().get(at).map(|(_, record)| (at, record)));
        held.or_else(|| self.find(order))
    }

    /// The order recorded under `order`, to change (for tests: the
    /// ledger changes an order it found by position, with
    /// [`filed_mut`](Orders::filed_mut)).
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self, order: &Reference) -> Option<&mut OrderRecord> {
        self.records.get_mut(order)
    }

    /// The order at position `at` of [`filed`](Orders::filed), to change.
    pub(crate) fn filed_mut(&mut self, at: usize) -> Option<&mut OrderRecord> {
        self.records.filed_mut(at)
    }

    /// Whether an order is recorded under `order`.
    pub(crate) fn contains_key(&self, order: &Reference) -> bool {
        self.records.contains_key(order)
    }

    /// Records a new order (for tests), made by `make` among these orders'
    /// rates and tier shapes. An order already recorded under the reference
    /// is kept as it was: an account refuses a purchase whose reference it
    /// knows before it changes anything, so that does not happen; nor do
    /// four billion orders of one member, which are not recorded either.
    #[cfg(test)]
    pub(crate) fn insert(
        &mut self,
        order: Reference,
        make: impl FnOnce(&mut Shapes) -> OrderRecord,
    ) {
        let hash = order.quick_hash();
        if !self.records.contains_hashed(hash, &order) {
            let _ = self.insert_new(&order, hash, make);
        }
    }

    /// Whether an order is recorded under `order`, whose quick hash is
    /// `hash`: for a caller that goes on to [`insert_new`](Orders::insert_new)
    /// without hashing the reference again.
    #[inline]
    pub(crate) fn contains_hashed(&self, hash: u64, order: &Reference) -> bool {
        self.records.contains_hashed(hash, order)
    }

    /// Records the order `make` makes (among these orders' shapes)
    /// under `order`, whose quick hash is `hash`, that the caller has just
    /// found not recorded (with [`contains_hashed`](Orders::contains_hashed)):
    /// the reference is not looked up a second time, and the record is
    /// made where it is kept. Says where in [`filed`](Orders::filed) it
    /// was recorded, if it was.
    pub(crate) fn insert_new(
        &mut self,
        order: &Reference,
        hash: u64,
        make: impl FnOnce(&mut Shapes) -> OrderRecord,
    ) -> Option<usize> {
        let shapes = &mut self.shapes;
        let position = self.records.insert_new(order, hash, || make(shapes))?;
        let lot = self
            .records
            .filed()
            .last()
            .and_then(|(_, record)| record.lot());
        self.formed = self.formed.then(lot);
        Some(position)
    }

    /// The order whose points formed `lot`: the last one placed, should
    /// several name it.
    #[cfg(test)]
    pub(crate) fn of_lot(&self, lot: LotId) -> Option<Reference> {
        self.lot_position(lot)
            .and_then(|at| self.records.reference_at(at))
    }

    /// The record of the order whose points formed `lot` (the last one
    /// placed, should several name it), to change: found by position,
    /// without asking for its reference again.
    pub(crate) fn of_lot_mut(&mut self, lot: LotId) -> Option<&mut OrderRecord> {
        self.lot_position(lot)
            .and_then(|at| self.records.filed_mut(at))
    }

    /// Where the order whose points formed `lot` is held.
    fn lot_position(&self, lot: LotId) -> Option<usize> {
        let records = self.records.filed();
        let lot_at = |at: usize| records.get(at).and_then(|(_, r)| r.lot());
        match self.formed.read() {
            Numbered::Nothing => None,
            Numbered::Mixed => records
                .iter()
                .rev()
                .position(|(_, record)| record.lot() == Some(lot))
                .and_then(|back| records.len().checked_sub(back.saturating_add(1))),
            Numbered::Rising(_) => {
                // Binary search over the orders that formed a lot; one
                // that formed none is passed over to the next that did.
                let (mut low, mut high) = (0, records.len());
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
    pub(crate) fn lots_formed(&self) -> Vec<(LotId, Reference)> {
        let mut formed: Vec<(LotId, RefKey)> = Vec::new();
        for (order, record) in self.records.filed().iter() {
            let order = *order;
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
            .into_iter()
            .map(|(lot, order)| (lot, self.records.reference(order)))
            .collect()
    }
}

/// Orders are equal when the same references hold records that say the
/// same, whatever the order they were placed in (which lot each formed is
/// read off them) and however each member's rates and tier shapes are
/// numbered.
impl PartialEq for Orders {
    fn eq(&self, other: &Orders) -> bool {
        self.records.eq_by(&other.records, |record, other_record| {
            record.figures(&self.shapes, None) == other_record.figures(&other.shapes, None)
        })
    }
}

impl Eq for Orders {}

impl Orders {
    /// Hashes `member`'s orders as a map from reference to what each
    /// record says (its length, then each reference and record by
    /// reference), a confirmation as the event it records: the ledger's
    /// fingerprint does not depend on how orders are held.
    pub(crate) fn hash_for<H: Hasher>(&self, member: &MemberId, state: &mut H) {
        self.records.hash_by(state, |order, record, state| {
            record
                .figures(&self.shapes, Some((member, order)))
                .hash(state)
        });
    }
}

/// A member's orders as the account's fingerprint reads them (see
/// [`Orders::hash_for`]), equal as the orders are.
#[derive(PartialEq)]
pub(crate) struct OrdersOf<'a> {
    pub(crate) member: &'a MemberId,
    pub(crate) orders: &'a Orders,
}

impl Hash for OrdersOf<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.orders.hash_for(self.member, state);
    }
}

impl fmt::Debug for Orders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.records.iter()).finish()?;
        if !self.shapes.is_empty() {
            write!(f, " under {:?}", self.shapes)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lots_numbered_in_one_word_read_as_rising_until_one_is_not() {
        let lot = |n: u64| Some(LotId::new(n));
        let rising = Formed::default()
            .then(None)
            .then(lot(1))
            .then(None)
            .then(lot(7));
        assert_eq!(rising.read(), Numbered::Rising(LotId::new(7)));
        assert_eq!(Formed::default().read(), Numbered::Nothing);
        assert_eq!(rising.then(lot(7)).read(), Numbered::Mixed);
        assert_eq!(rising.then(lot(3)).read(), Numbered::Mixed);
        assert_eq!(rising.then(lot(3)).then(lot(9)).read(), Numbered::Mixed);
        // The two numbers the word keeps for itself make it mixed.
        assert_eq!(Formed::default().then(lot(0)).read(), Numbered::Mixed);
        assert_eq!(rising.then(lot(u64::MAX)).read(), Numbered::Mixed);
        assert_eq!(size_of::<Formed>(), 8);
    }
}
