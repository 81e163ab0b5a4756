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

use super::account::{More, Order, OrderMut, OrderRecord, Shapes};
use super::blocks::Blocks;
use super::keyed::Keyed;
use super::qualifying::{Contributes, Sequence};
use crate::id::RefKey;
use crate::{LotId, MemberId, Reference};
use chrono::{DateTime, Utc};

/// Every order of one member.
#[derive(Clone, Default)]
pub(crate) struct Orders {
    /// The records with their references, in the order they were placed.
    records: Keyed<OrderRecord>,
    /// The rare parts of the records that have one (see [`Order`]): the
    /// redemptions an order used, its cart, what happened after the sale,
    /// and figures its record cannot pack. A record says whether it has
    /// one (see [`OrderRecord::has_more`]).
    rare: RareParts<More>,
    /// Each record's lot number and key among the tier metrics'
    /// contributions, read off its position, and how the lots the orders
    /// formed are numbered, in the order placed.
    numbering: Numbering,
    /// The base rates the orders at the base rate alone share, and the
    /// rates and tiers the orders on a tier with a multiplier share, each
    /// held once; the records name them by place.
    shapes: Shapes,
}

/// The rare parts of a member's records, kept beside them: what few of a
/// list's records have (an order's cart and refunds, [`More`]; a
/// redemption's cancellation), by the record's position in its list,
/// rising. Kept beside the records rather than behind a pointer in each:
/// most records have none, and the 8 bytes of a pointer were a sixth of
/// an order's record and an eighth of a redemption's. A record says
/// whether it has one (a bit of one of its fields: see
/// [`OrderRecord::has_more`]), so that reading one without it does not
/// look here. Nothing is allocated until a record has a rare part; then
/// each costs its 16-byte entry here and its own allocation.
#[derive(Debug, Clone)]
pub(crate) struct RareParts<P>(Option<Box<Parts<P>>>);

impl<P> Default for RareParts<P> {
    fn default() -> RareParts<P> {
        RareParts(None)
    }
}

/// The rare parts, allocated.
#[derive(Debug, Clone)]
struct Parts<P> {
    /// Each part with its record's position, by position.
    by_position: Vec<(u32, Box<P>)>,
}

impl<P> Default for Parts<P> {
    fn default() -> Parts<P> {
        Parts {
            by_position: Vec::new(),
        }
    }
}

impl<P> RareParts<P> {
    /// The rare part of the record filed at position `at`: none, without
    /// looking, when the record says (`flagged`) it has none.
    #[inline]
    pub(crate) fn of(&self, flagged: bool, at: u32) -> Option<&P> {
        if flagged { self.get(at) } else { None }
    }

    /// The rare part of the record at position `at`.
    fn get(&self, at: u32) -> Option<&P> {
        let parts = &self.0.as_deref()?.by_position;
        // The newest record's first: a new record's part, and the last
        // record's, are the ones read most.
        if let Some((last, part)) = parts.last()
            && *last == at
        {
            return Some(part);
        }
        let i = parts
            .binary_search_by_key(&at, |(position, _)| *position)
            .ok()?;
        parts.get(i).map(|(_, part)| &**part)
    }

    /// The rare part of the record at position `at`, the one `make` makes
    /// filed for it if it had none (always there: the option is the
    /// list's reading of the place it was just found or filed at).
    pub(crate) fn get_or_insert_with(
        &mut self,
        at: u32,
        make: impl FnOnce() -> Box<P>,
    ) -> Option<&mut P> {
        let parts = &mut self.0.get_or_insert_default().by_position;
        // The newest record's first, as in `get`; a part for a record
        // after every other (the newest one's) goes at the end.
        let i = match parts.last() {
            Some((last, _)) if *last == at => parts.len().saturating_sub(1),
            Some((last, _)) if *last > at => {
                match parts.binary_search_by_key(&at, |(position, _)| *position) {
                    Ok(i) => i,
                    Err(i) => {
                        parts.insert(i, (at, make()));
                        i
                    }
                }
            }
            _ => {
                parts.push((at, make()));
                parts.len().saturating_sub(1)
            }
        };
        parts.get_mut(i).map(|(_, part)| &mut **part)
    }

    /// How many records have a rare part.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.as_deref().map_or(0, |parts| parts.by_position.len())
    }
}

/// The numbers of a member's orders that their records do not hold: the
/// number of the lot each order formed (when its record holds the lot,
/// see [`Order::lot`]) and each order's key among the tier metrics'
/// contributions (when it counts, see [`Order::key`]). The ledger numbers
/// both one after another, so that from one order to the next both
/// usually go up by one, as the order's position does: each is held as
/// the position plus an offset, the same for a run of orders. A lot or a
/// contribution that is not an order's (an adjustment, a bonus between
/// two orders), an order that forms no lot or does not count, starts a
/// new run at the next order whose number it moves; the first order sets
/// the first run, so a sign-up bonus before it starts none. The runs hold
/// a member's first, and most members' only, run in place; earlier ones
/// are allocated when a second one starts. Until the fifty-first round
/// each record held the two numbers, 4 bytes each: a fifth of its 40.
#[derive(Debug, Clone, Default)]
struct Numbering {
    /// The newest run.
    newest: Run,
    /// How the lots the orders formed are numbered, in the order placed,
    /// whether held here or in full.
    formed: Formed,
    /// The runs before it, by their first position.
    earlier: Option<Box<Runs>>,
}

/// Runs of orders numbered alike, by their first position.
#[derive(Debug, Clone, Default)]
struct Runs(Vec<Run>);

/// Orders numbered alike: from the order at `from` on, each order's lot
/// is numbered its position plus `lot` and its key its position plus
/// `key`, both wrapping at 2^32.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Run {
    from: u32,
    lot: u32,
    key: u32,
}

/// What [`Numbering`] says of one order: its lot's number, which counts
/// only when its record holds a lot (see [`Order::lot`]), and its key,
/// which counts only when the order does (see [`Order::key`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Numbers {
    pub(crate) lot: u32,
    pub(crate) key: u32,
}

impl Numbering {
    /// The numbers of the order at `position`.
    #[inline]
    fn of(&self, position: u32) -> Numbers {
        let run = if position >= self.newest.from {
            self.newest
        } else {
            self.earlier_run(position)
        };
        Numbers {
            lot: position.wrapping_add(run.lot),
            key: position.wrapping_add(run.key),
        }
    }

    /// The run before the newest that holds the order at `position`.
    #[cold]
    fn earlier_run(&self, position: u32) -> Run {
        let Some(runs) = self.earlier.as_deref() else {
            return Run::default();
        };
        let after = runs.0.partition_point(|run| run.from <= position);
        after
            .checked_sub(1)
            .and_then(|i| runs.0.get(i))
            .copied()
            .unwrap_or_default()
    }

    /// Numbers the lot of the newest order, at `position`, `lot`.
    #[inline]
    fn set_lot(&mut self, position: u32, lot: u32) {
        self.set(position, lot, |run| &mut run.lot);
    }

    /// Numbers the key of the newest order, at `position`, `key`.
    #[inline]
    fn set_key(&mut self, position: u32, key: u32) {
        self.set(position, key, |run| &mut run.key);
    }

    /// Gives the newest order, at `position`, `number` as the run's
    /// `offset` names it: in the newest run when it follows on, in a new
    /// run from `position` otherwise.
    #[inline]
    fn set(&mut self, position: u32, number: u32, offset: impl Fn(&mut Run) -> &mut u32) {
        let wanted = number.wrapping_sub(position);
        if *offset(&mut self.newest) != wanted {
            *offset(self.start(position)) = wanted;
        }
    }

    /// The newest run, started at `position` (that of the newest order)
    /// unless it starts there already: the orders before it keep the
    /// numbers they had.
    #[cold]
    fn start(&mut self, position: u32) -> &mut Run {
        if self.newest.from != position {
            let earlier = self.earlier.get_or_insert_default();
            earlier.0.push(self.newest);
            self.newest.from = position;
        }
        &mut self.newest
    }

    /// How many runs there are (for tests).
    #[cfg(test)]
    fn runs(&self) -> usize {
        self.earlier
            .as_deref()
            .map_or(1, |runs| runs.0.len().saturating_add(1))
    }
}

/// How the lots a member's orders formed are numbered, taken in the order
/// the orders were placed: in 4 bytes, as [`Formed::read`] reads it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Formed(u32);

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
            u32::MAX => Numbered::Mixed,
            last => Numbered::Rising(LotId::new(last as u64)),
        }
    }

    /// After an order that formed `lot`, if it formed one. A lot numbered
    /// zero or from `u32::MAX` on (only a hand-written log has those: four
    /// billion lots of one member are more than the ledger numbers) makes
    /// the numbering mixed: looking for lots among every order is right
    /// for any numbering.
    fn then(self, lot: Option<LotId>) -> Formed {
        let Some(lot) = lot else { return self };
        let Some(number) = u32::try_from(lot.number())
            .ok()
            .filter(|number| !matches!(*number, 0 | u32::MAX))
        else {
            return Formed(u32::MAX);
        };
        match self.read() {
            Numbered::Nothing => Formed(number),
            Numbered::Rising(last) if last < lot => Formed(number),
            Numbered::Rising(_) | Numbered::Mixed => Formed(u32::MAX),
        }
    }
}

impl Orders {
    /// Every order's record with its reference as held (see
    /// [`reference_at`](Orders::reference_at)), in the order placed: what
    /// the record holds in place, without its rare part (see
    /// [`at`](Orders::at) for the order).
    pub(crate) fn filed(&self) -> &Blocks<(RefKey, OrderRecord)> {
        self.records.filed()
    }

    /// `record`, filed at position `at`, read with its rare part and its
    /// numbers.
    #[inline]
    fn view<'a>(&'a self, at: usize, record: &'a OrderRecord) -> Order<'a> {
        // No record is filed past 2^32 orders.
        let at = u32::try_from(at).unwrap_or(u32::MAX);
        let more = self.rare.of(record.has_more(), at);
        Order::new(record, more, self.numbering.of(at))
    }

    /// The order at position `at` of [`filed`](Orders::filed).
    #[inline]
    pub(crate) fn at(&self, at: usize) -> Option<Order<'_>> {
        self.filed()
            .get(at)
            .map(|(_, record)| self.view(at, record))
    }

    /// Every order with its reference as held, in the order placed.
    pub(crate) fn placed(&self) -> impl DoubleEndedIterator<Item = (RefKey, Order<'_>)> {
        self.filed()
            .range_placed(0, self.len())
            .map(|(at, (held, record))| (*held, self.view(at, record)))
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
    pub(crate) fn get(&self, order: &Reference) -> Option<Order<'_>> {
        self.get_hashed(order.quick_hash(), order)
    }

    /// The order recorded under `order`, whose quick hash is `hash`: for
    /// a caller that hands the hash on.
    pub(crate) fn get_hashed(&self, hash: u64, order: &Reference) -> Option<Order<'_>> {
        self.records
            .position_hashed(hash, order)
            .and_then(|at| self.at(at))
    }

    /// Where in [`filed`](Orders::filed) the order recorded under `order`
    /// is held, with the order: for a caller that goes on to change it
    /// (see [`filed_mut`](Orders::filed_mut)).
    pub(crate) fn find(&self, order: &Reference) -> Option<(usize, Order<'_>)> {
        let at = self.records.position(order)?;
        self.at(at).map(|found| (at, found))
    }

    /// As [`find`](Orders::find), looking first at position `at`, where
    /// the caller found the order before: the reference is compared there,
    /// not hashed and looked up.
    pub(crate) fn find_from(
        &self,
        at: Option<usize>,
        order: &Reference,
    ) -> Option<(usize, Order<'_>)> {
        let held = at
            .filter(|at| self.records.holds_at(*at, order))
            .and_then(|at| self.at(at).map(|found| (at, found)));
        held.or_else(|| self.find(order))
    }

    /// How many of the orders have a rare part (for tests).
    #[cfg(test)]
    pub(crate) fn rare_len(&self) -> usize {
        self.rare.len()
    }

    /// The record at position `at` of [`filed`](Orders::filed), to change
    /// what it holds in place (for tests).
    #[cfg(test)]
    pub(crate) fn record_mut(&mut self, at: usize) -> Option<&mut OrderRecord> {
        self.records.filed_mut(at)
    }

    /// Files the newest order, at position `at` of
    /// [`filed`](Orders::filed), under `key` among the tier metrics'
    /// contributions, or as not counting toward them: a record counts
    /// from when it is filed until it is said not to.
    #[inline]
    pub(crate) fn set_key(&mut self, at: usize, key: Option<u32>) {
        match (u32::try_from(at), key) {
            (Ok(position), Some(key)) => self.numbering.set_key(position, key),
            _ => self.uncount(at),
        }
    }

    /// Says the order at position `at` does not count toward the tier
    /// metrics. Out of line: a membership fee is the only order that does
    /// not.
    #[cold]
    #[inline(never)]
    fn uncount(&mut self, at: usize) {
        if let Some(record) = self.records.filed_mut(at) {
            record.set_counts(false);
        }
    }

    /// The order at position `at` of [`filed`](Orders::filed), to change.
    pub(crate) fn filed_mut(&mut self, at: usize) -> Option<OrderMut<'_>> {
        let position = u32::try_from(at).ok()?;
        let numbers = self.numbering.of(position);
        let record = self.records.filed_mut(at)?;
        Some(OrderMut::new(record, &mut self.rare, position, numbers))
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
        make: impl FnOnce(&mut Shapes) -> (OrderRecord, Option<Box<More>>, Option<u32>),
    ) {
        let hash = order.quick_hash();
        if !self.records.contains_hashed(hash, &order)
            && let Some(at) = self.insert_new(&order, hash, make)
        {
            // Not filed among the tier metrics' contributions.
            self.set_key(at, None);
        }
    }

    /// Whether an order is recorded under `order`, whose quick hash is
    /// `hash`: for a caller that goes on to [`insert_new`](Orders::insert_new)
    /// without hashing the reference again.
    #[inline]
    pub(crate) fn contains_hashed(&self, hash: u64, order: &Reference) -> bool {
        self.records.contains_hashed(hash, order)
    }

    /// Records the order `make` makes (among these orders' shapes), with
    /// its rare part if it has one, under `order`, whose quick hash is
    /// `hash`, that the caller has just found not recorded (with
    /// [`contains_hashed`](Orders::contains_hashed)): the reference is not
    /// looked up a second time, and the record is made where it is kept.
    /// Says where in [`filed`](Orders::filed) it was recorded, if it was.
    pub(crate) fn insert_new(
        &mut self,
        order: &Reference,
        hash: u64,
        make: impl FnOnce(&mut Shapes) -> (OrderRecord, Option<Box<More>>, Option<u32>),
    ) -> Option<usize> {
        let shapes = &mut self.shapes;
        let mut more = None;
        let mut lot = None;
        let position = self.records.insert_new(order, hash, || {
            let (record, rare, numbered) = make(shapes);
            lot = numbered;
            more = rare;
            record
        })?;
        let formed = match (lot, &more) {
            (Some(lot), _) => {
                if let Ok(at) = u32::try_from(position) {
                    self.numbering.set_lot(at, lot);
                }
                Some(LotId::new(u64::from(lot)))
            }
            (None, Some(more)) => more.lot_in_full(),
            (None, None) => None,
        };
        if let Some(more) = more {
            self.file_rare(position, more);
        }
        self.numbering.formed = self.numbering.formed.then(formed);
        Some(position)
    }

    /// Files `more`, the rare part of the order just filed at `position`,
    /// after every other. Out of line: most orders have none.
    #[cold]
    #[inline(never)]
    fn file_rare(&mut self, position: usize, more: Box<More>) {
        if let Ok(at) = u32::try_from(position) {
            let _ = self.rare.get_or_insert_with(at, || more);
        }
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
    pub(crate) fn of_lot_mut(&mut self, lot: LotId) -> Option<OrderMut<'_>> {
        self.lot_position(lot).and_then(|at| self.filed_mut(at))
    }

    /// Where the order whose points formed `lot` is held.
    fn lot_position(&self, lot: LotId) -> Option<usize> {
        let lot_at = |at: usize| self.at(at).and_then(Order::lot);
        match self.numbering.formed.read() {
            Numbered::Nothing => None,
            Numbered::Mixed => self
                .placed()
                .rev()
                .position(|(_, order)| order.lot() == Some(lot))
                .and_then(|back| self.len().checked_sub(back.saturating_add(1))),
            Numbered::Rising(_) => {
                // Binary search over the orders that formed a lot; one
                // that formed none is passed over to the next that did.
                let (mut low, mut high) = (0, self.len());
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
        for (order, record) in self.placed() {
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

/// The tier metrics read each order's contribution off its record, with
/// its rare part.
impl Sequence for Orders {
    type Bound = <Order<'static> as Contributes>::Bound;

    type Item<'s> = Order<'s>;

    fn bound(at: DateTime<Utc>) -> Self::Bound {
        Order::bound(at)
    }

    fn count(&self) -> usize {
        self.len()
    }

    fn range(&self, from: usize, to: usize) -> impl DoubleEndedIterator<Item = Order<'_>> {
        self.filed()
            .range_placed(from, to)
            .map(|(at, (_, record))| self.view(at, record))
    }

    fn partition_point(&self, mut before: impl FnMut(&Order<'_>) -> bool) -> usize {
        self.filed()
            .partition_point_placed(|at, (_, record)| before(&self.view(at, record)))
    }
}

/// Orders are equal when the same references hold records that say the
/// same, whatever the order they were placed in (which lot each formed is
/// read off them) and however each member's rates and tier shapes are
/// numbered.
impl PartialEq for Orders {
    fn eq(&self, other: &Orders) -> bool {
        self.records
            .eq_by(&other.records, |at, record, other_at, other_record| {
                self.view(at, record).figures(&self.shapes, None)
                    == other
                        .view(other_at, other_record)
                        .figures(&other.shapes, None)
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
        self.records.hash_by(state, |order, at, record, state| {
            self.view(at, record)
                .figures(&self.shapes, Some((member, order)))
                .hash(state);
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
        f.debug_map()
            .entries(
                self.records
                    .iter_placed()
                    .map(|(order, at, record)| (order, self.view(at, record))),
            )
            .finish()?;
        if !self.shapes.is_empty() {
            write!(f, " under {:?}", self.shapes)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::{Just, Strategy};

    #[test]
    fn orders_numbered_one_after_another_take_one_run() {
        // A sign-up bonus took lot 1 and key 0: each order's lot is its
        // position plus two, its key its position plus one.
        let mut numbering = Numbering::default();
        for position in 0..100 {
            numbering.set_lot(position, position + 2);
            numbering.set_key(position, position + 1);
        }
        assert_eq!(numbering.runs(), 1);
        assert!(numbering.earlier.is_none());
        assert_eq!(numbering.of(57), Numbers { lot: 59, key: 58 });
        // An adjustment's lot before order 100, and a membership fee at
        // 101 (no lot, no key): two runs more.
        numbering.set_lot(100, 103);
        numbering.set_key(100, 101);
        numbering.set_lot(102, 104);
        numbering.set_key(102, 102);
        assert_eq!(numbering.runs(), 3);
        assert_eq!(numbering.of(99), Numbers { lot: 101, key: 100 });
        assert_eq!(numbering.of(100), Numbers { lot: 103, key: 101 });
        assert_eq!(numbering.of(102), Numbers { lot: 104, key: 102 });
        assert_eq!(numbering.of(0), Numbers { lot: 2, key: 1 });
    }

    proptest::proptest! {
        /// Every order reads back the lot and the key it was numbered,
        /// whatever the numbers (a log written by hand numbers lots as it
        /// likes), and orders numbered one after another share a run.
        #[test]
        fn each_order_reads_back_its_numbers(
            orders in proptest::collection::vec(
                (
                    proptest::option::of(proptest::prop_oneof![
                        Just(None),
                        proptest::num::u32::ANY.prop_map(Some),
                    ]),
                    proptest::option::of(proptest::prop_oneof![
                        Just(None),
                        proptest::num::u32::ANY.prop_map(Some),
                    ]),
                ),
                0..200,
            ),
        ) {
            let mut numbering = Numbering::default();
            let (mut lot, mut key) = (1_u32, 0_u32);
            let mut held = Vec::new();
            for (position, (lot_given, key_given)) in (0_u32..).zip(&orders) {
                // None: none numbered; Some(None): the next number;
                // Some(Some(n)): n.
                let lot_now = lot_given.map(|n| n.unwrap_or(lot));
                let key_now = key_given.map(|n| n.unwrap_or(key));
                if let Some(n) = lot_now {
                    numbering.set_lot(position, n);
                    lot = n.wrapping_add(1);
                }
                if let Some(n) = key_now {
                    numbering.set_key(position, n);
                    key = n.wrapping_add(1);
                }
                held.push((lot_now, key_now));
            }
            for (position, (lot_now, key_now)) in (0_u32..).zip(&held) {
                let read = numbering.of(position);
                if let Some(n) = lot_now {
                    proptest::prop_assert_eq!(read.lot, *n);
                }
                if let Some(n) = key_now {
                    proptest::prop_assert_eq!(read.key, *n);
                }
            }
            // A run starts only where a number does not follow on (past
            // the first, which starts numbered as nothing was).
            let breaks = held
                .iter()
                .zip(0_u32..)
                .filter(|((lot_now, key_now), position)| {
                    let before = position.checked_sub(1).map(|p| numbering.of(p));
                    let follows = |now: Option<u32>, was: Option<u32>| {
                        now.is_none_or(|n| was.is_some_and(|w| n == w.wrapping_add(1)))
                    };
                    !(follows(*lot_now, before.map(|b| b.lot)) && follows(*key_now, before.map(|b| b.key)))
                })
                .count();
            proptest::prop_assert!(numbering.runs() <= breaks.saturating_add(1));
        }
    }

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
        // The two numbers the word keeps for itself make it mixed, as do
        // lots numbered past them.
        assert_eq!(Formed::default().then(lot(0)).read(), Numbered::Mixed);
        assert_eq!(rising.then(lot(u32::MAX.into())).read(), Numbered::Mixed);
        assert_eq!(rising.then(lot(u64::MAX)).read(), Numbered::Mixed);
        assert_eq!(
            rising.then(lot(u64::from(u32::MAX) - 1)).read(),
            Numbered::Rising(LotId::new(u64::from(u32::MAX) - 1))
        );
        assert_eq!(size_of::<Formed>(), 4);
        assert_eq!(size_of::<Numbering>(), 24);
    }
}
