//! A member's orders: the records in one `Vec` in the order they were
//! placed, found by reference through an ordered index of positions.
//!
//! An ordered map of the records themselves would shift whole records
//! (over 160 bytes each) to make room for every order whose reference does
//! not sort last (random or mixed-width references: most of them), and
//! split and copy them as it grows; the index shifts a reference and a
//! position instead, and a record is written once.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::account::OrderRecord;
use crate::Reference;

/// Every order of one member.
#[derive(Clone, Default)]
pub(crate) struct Orders {
    /// The records, in the order they were placed.
    records: Vec<OrderRecord>,
    /// Each order's position in `records`, by reference.
    by_reference: BTreeMap<Reference, usize>,
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

    /// The order recorded under `order`.
    pub(crate) fn get(&self, order: &Reference) -> Option<&OrderRecord> {
        self.by_reference
            .get(order)
            .and_then(|at| self.records.get(*at))
    }

    /// The order recorded under `order`, to change.
    pub(crate) fn get_mut(&mut self, order: &Reference) -> Option<&mut OrderRecord> {
        self.by_reference
            .get(order)
            .and_then(|at| self.records.get_mut(*at))
    }

    /// Whether an order is recorded under `order`.
    pub(crate) fn contains_key(&self, order: &Reference) -> bool {
        self.by_reference.contains_key(order)
    }

    /// Records a new order. An order already recorded under the reference
    /// is kept as it was: an account refuses a purchase whose reference it
    /// knows before it changes anything, so that does not happen.
    pub(crate) fn insert(&mut self, order: Reference, record: OrderRecord) {
        if let Entry::Vacant(place) = self.by_reference.entry(order) {
            place.insert(self.records.len());
            if self.records.len() == self.records.capacity() {
                // Half again, from two: most members place a handful of
                // orders, and a doubled list would hold as much room
                // again as it holds records.
                self.records.reserve_exact((self.records.len() / 2).max(2));
            }
            self.records.push(record);
        }
    }

    /// Every order with its reference, by reference.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&Reference, &OrderRecord)> {
        self.by_reference
            .iter()
            .filter_map(|(order, at)| self.records.get(*at).map(|record| (order, record)))
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
