//! A hashed index of positions: where the ledger's lists (accounts, a
//! member's orders) find an entry by its id in about one probe.
//!
//! The first [`FEW`] positions are held in place as 16-bit tags, one per
//! position, and a lookup compares them all: no table to allocate for the
//! member who places a handful of orders. Past them, open addressing over
//! a power-of-two table kept at most half full. An entry is a tag of the
//! hash above the position plus one; zero is an empty entry. Up to
//! [`NARROW`] entries (positions below 2^11) an entry takes 16 bits: four
//! bits of the hash just below those that start a lookup, above a 12-bit
//! position. Past that, an entry takes 64 bits, the hash's top 32 above a
//! 32-bit position. A lookup probes at most [`MAX_PROBE`] entries from the
//! one the hash's top bits name and hands back the positions whose tag
//! matches, for the caller to compare ids: in a table of 2^k entries, the
//! four bits tell apart the hashes that start at the same entry (three of
//! them in a table of 2^12), and past [`NARROW`] the tag's other 32 − k
//! bits do. A 64-bit entry's tag holds the bits that start its lookup, so
//! a table of them doubles from its entries alone: the owner's ids are
//! not read and hashed again. A 16-bit entry's does not, and a table of
//! them is filed again from the owner's hashes: a member's orders each
//! read once more and hashed from the key their list holds (see
//! `RefKey::quick_hash`), some 45 instructions an order at each doubling,
//! for half the room. Before the forty-ninth round an entry took 32
//! bits, the hash's top 16 above a 16-bit position, and a member's
//! hundred orders held a table of 1 KB where they hold one of 512 bytes.
//! The index does not trust its hash to be spread evenly: an id it cannot
//! place within `MAX_PROBE` entries, as ids chosen to collide would be, is
//! left out, and the owner finds it by another way (an ordered index), so
//! no choice of ids makes a lookup slower than that way alone.

use std::collections::BTreeMap;

/// The most entries a lookup probes.
pub(crate) const MAX_PROBE: usize = 16;

/// How many positions the index holds in place, before it has a table.
pub(crate) const FEW: usize = 11;

/// The most entries a table of 16-bit entries has: at most half full, its
/// positions stay below 2^11, and with one added fit 12 bits. A lookup
/// starts from the hash's top 12 bits at most, which leaves at least 3 of
/// the tag's 4 (bits 49 to 52) to tell apart the hashes that start at the
/// same entry. A member's orders stay in such a table up to 2,048 orders,
/// and the ledger's member index up to 2,048 members; past that, 64-bit
/// entries, whose 32-bit tags leave 32 − k bits in a table of 2^k.
const NARROW: usize = 1 << 12;

/// Positions by hash.
#[derive(Debug, Clone)]
pub(crate) enum Hashed {
    /// The first [`FEW`] positions, each as a 16-bit tag of its hash (the
    /// lowest bit set, so that zero is free) at its own index: a lookup
    /// compares them all, without a table to allocate or a pointer to
    /// follow. Most members place a handful of orders, and their index
    /// costs nothing beyond the room a table's pointer would take.
    Few([u16; FEW]),
    /// Open addressing, at most half full, in entries of 16 bits: up to
    /// [`NARROW`] of them.
    Narrow(Box<[u16]>),
    /// Open addressing, at most half full, in entries of 64 bits: past
    /// [`NARROW`] entries.
    Wide(Box<[u64]>),
}

/// How [`Hashed::grow`] filed the positions again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub(crate) enum Regrown {
    /// From the tags of the positions the index held: those the owner
    /// holds beside the index are not in it, and the owner keeps them
    /// with those handed now (or places them, where the larger table has
    /// room).
    FromTags,
    /// Every position, from the owner's hashes: those handed now are all
    /// the index leaves out.
    Afresh,
}

impl Default for Hashed {
    fn default() -> Hashed {
        Hashed::EMPTY
    }
}

/// The 16-bit tag of `hash` in place: its top sixteen bits, the lowest of
/// them set so that it is never zero. Its top fifteen bits are the hash's
/// own, enough to start a lookup in a table of up to 2^15 entries (see
/// [`probe`]) and to give a 16-bit entry its tag ([`tag4`]).
fn tag16(hash: u64) -> u16 {
    u16::try_from(hash >> 48).unwrap_or(u16::MAX) | 1
}

/// The 4-bit tag of `hash` in a 16-bit entry: its bits 49 to 52, below
/// the top 11 that start a lookup in a table of up to 2^11 entries.
fn tag4(hash: u64) -> u16 {
    u16::try_from(hash >> 49 & 0xf).unwrap_or(0)
}

/// How many of a hash's top bits a tag of the index `index` holds as they
/// are: a table of up to 2^bits entries can be filed again from them.
/// None of them for a 16-bit entry, whose tag holds the bits below.
fn exact_bits(index: &Hashed) -> u32 {
    match index {
        Hashed::Few(_) => 15,
        Hashed::Narrow(_) => 0,
        Hashed::Wide(_) => 32,
    }
}

/// An entry of a table: a tag of a hash above a position plus one, zero
/// when empty.
trait Entry: Copy + Default + Eq {
    /// The entry filing `position` under `hash`, when the position fits.
    fn filing(hash: u64, position: u32) -> Option<Self>;
    /// Whether the entry is filed under `hash`'s tag.
    fn tagged(self, hash: u64) -> bool;
    /// The position the entry files.
    fn position(self) -> usize;
    /// The entry as 64 bits, to read ahead.
    fn word(self) -> u64;
}

/// The most a 16-bit entry's position plus one can be.
const NARROW_POSITIONS: u16 = 0xfff;

impl Entry for u16 {
    fn filing(hash: u64, position: u32) -> Option<u16> {
        let plus_one = u16::try_from(position.checked_add(1)?)
            .ok()
            .filter(|p| *p <= NARROW_POSITIONS)?;
        Some(tag4(hash) << 12 | plus_one)
    }

    fn tagged(self, hash: u64) -> bool {
        self >> 12 == tag4(hash)
    }

    fn position(self) -> usize {
        usize::from(self & NARROW_POSITIONS).wrapping_sub(1)
    }

    fn word(self) -> u64 {
        u64::from(self)
    }
}

impl Entry for u64 {
    fn filing(hash: u64, position: u32) -> Option<u64> {
        Some((hash >> 32) << 32 | u64::from(position.checked_add(1)?))
    }

    fn tagged(self, hash: u64) -> bool {
        self >> 32 == hash >> 32
    }

    fn position(self) -> usize {
        ((self & u64::from(u32::MAX)) as usize).wrapping_sub(1)
    }

    fn word(self) -> u64 {
        self
    }
}

impl Hashed {
    /// No positions.
    pub(crate) const EMPTY: Hashed = Hashed::Few([0; FEW]);

    /// Whether an index of `len` positions is half full: before filing
    /// one more, it must [`grow`](Hashed::grow).
    pub(crate) fn is_half_full(&self, len: usize) -> bool {
        match self {
            Hashed::Few(_) => len >= FEW,
            Hashed::Narrow(table) => len >= table.len() / 2,
            Hashed::Wide(table) => len >= table.len() / 2,
        }
    }

    /// Moves the in-place tags to a table of 32 entries (room for twice
    /// [`FEW`]), or doubles the table, to at least `min` entries either
    /// way (16-bit entries up to [`NARROW`] of them, 64-bit past it), and
    /// files its positions again, handing `unplaced` each one whose probe
    /// sequence is full.
    ///
    /// A lookup starts from the hash's top bits. When the tags hold
    /// enough of them for the new table (in place, and in 64-bit entries),
    /// the positions held are filed again from their tags, without
    /// `hashes`, and the positions the owner holds beside the index are
    /// still its to keep or to [`place`](Hashed::place)
    /// ([`Regrown::FromTags`]). Otherwise (from 16-bit entries, whose tags
    /// hold the bits below) the positions `0, 1, ...` are filed again
    /// under `hashes`, and `unplaced` names every one the new table
    /// cannot place ([`Regrown::Afresh`]).
    pub(crate) fn grow(
        &mut self,
        min: usize,
        hashes: impl IntoIterator<Item = u64>,
        mut unplaced: impl FnMut(u32),
    ) -> Regrown {
        let size = match self {
            Hashed::Few(_) => FEW.saturating_mul(2).saturating_add(1).next_power_of_two(),
            Hashed::Narrow(table) => table.len().saturating_mul(2),
            Hashed::Wide(table) => table.len().saturating_mul(2),
        }
        .max(min)
        .next_power_of_two();
        let from_tags = size.trailing_zeros() <= exact_bits(self);
        let (grown, regrown) = if size <= NARROW {
            let mut table = vec![0; size].into_boxed_slice();
            let regrown = match &*self {
                Hashed::Few(few) if from_tags => {
                    for (tag, position) in few.iter().zip(0_u32..) {
                        let hash = u64::from(*tag) << 48;
                        if *tag != 0 && !place_in(&mut table, hash, position) {
                            unplaced(position);
                        }
                    }
                    Regrown::FromTags
                }
                _ => file_afresh(&mut table, hashes, unplaced),
            };
            (Hashed::Narrow(table), regrown)
        } else {
            let mut table = vec![0; size].into_boxed_slice();
            let regrown = match &*self {
                Hashed::Wide(old) if from_tags => {
                    refile(old, &mut table, unplaced);
                    Regrown::FromTags
                }
                _ => file_afresh(&mut table, hashes, unplaced),
            };
            (Hashed::Wide(table), regrown)
        };
        *self = grown;
        regrown
    }

    /// Settles what an owner holds beside the index (`beside`, each id's
    /// position) after [`grow`](Hashed::grow), which handed it
    /// `unplaced`: grown afresh, those are all the index leaves out;
    /// grown from the tags, they join the ids held beside it before,
    /// which go back into the larger table where it has room now (`hash`
    /// gives an id's quick hash). The one rule for every owner: an id is
    /// found in the index or beside it, never both.
    pub(crate) fn settle_beside<K: Ord>(
        &mut self,
        regrown: Regrown,
        beside: &mut BTreeMap<K, u32>,
        unplaced: BTreeMap<K, u32>,
        hash: impl Fn(&K) -> u64,
    ) {
        match regrown {
            Regrown::Afresh => *beside = unplaced,
            Regrown::FromTags => {
                beside.retain(|id, at| !self.place(hash(id), *at));
                beside.extend(unplaced);
            }
        }
    }

    /// The first of the positions filed under `hash`'s tag that `is`
    /// accepts: what `candidates(hash).find(is)` gives, without an
    /// iterator's machinery on the hot path. In place, the eleven tags are
    /// compared into a bit mask at once, and only the positions whose tag
    /// matches are offered.
    // Kept out of line: inlined into every lookup it made a purchase, a
    // redemption and a refund each about 1% more instructions.
    #[inline(never)]
    pub(crate) fn find(&self, hash: u64, mut is: impl FnMut(usize) -> bool) -> Option<usize> {
        match self {
            Hashed::Few(few) => {
                let tag = tag16(hash);
                let mut matching = few.iter().rev().fold(0_u16, |mask, entry| {
                    mask.wrapping_shl(1) | u16::from(*entry == tag)
                });
                while matching != 0 {
                    let position = usize::try_from(matching.trailing_zeros()).unwrap_or(FEW);
                    if is(position) {
                        return Some(position);
                    }
                    matching &= matching.wrapping_sub(1);
                }
                None
            }
            Hashed::Narrow(table) => find_in(table, hash, is),
            Hashed::Wide(table) => find_in(table, hash, is),
        }
    }

    /// The entry a lookup of `hash` reads first in the table (zero when
    /// the positions are in place): read ahead of lookups, so that their
    /// cache misses are waited for together.
    pub(crate) fn first_entry(&self, hash: u64) -> u64 {
        fn first<E: Entry>(table: &[E], hash: u64) -> u64 {
            probe(hash, table.len())
                .next()
                .and_then(|index| table.get(index))
                .map_or(0, |entry| entry.word())
        }
        match self {
            Hashed::Few(_) => 0,
            Hashed::Narrow(table) => first(table, hash),
            Hashed::Wide(table) => first(table, hash),
        }
    }

    /// The positions filed under `hash`'s tag: in place, every one whose
    /// tag matches; in the table, in probe order, the entries up to the
    /// first empty one, at most [`MAX_PROBE`] of them.
    #[cfg(test)]
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = usize> {
        fn probed<E: Entry>(table: &[E], hash: u64) -> Vec<usize> {
            probe(hash, table.len())
                .map(|index| table.get(index).copied().unwrap_or_default())
                .take_while(|entry| *entry != E::default())
                .filter(|entry| entry.tagged(hash))
                .map(Entry::position)
                .collect()
        }
        match self {
            Hashed::Few(few) => {
                let tag = tag16(hash);
                few.iter()
                    .take_while(|entry| **entry != 0)
                    .zip(0_usize..)
                    .filter(|(entry, _)| **entry == tag)
                    .map(|(_, position)| position)
                    .collect()
            }
            Hashed::Narrow(table) => probed(table, hash),
            Hashed::Wide(table) => probed(table, hash),
        }
        .into_iter()
    }

    /// Files `position` under `hash`: in place at its own index, or in the
    /// table at the first empty entry of its probe sequence; says whether
    /// there was room.
    pub(crate) fn place(&mut self, hash: u64, position: u32) -> bool {
        match self {
            Hashed::Few(few) => {
                let free = usize::try_from(position)
                    .ok()
                    .and_then(|at| few.get_mut(at))
                    .filter(|entry| **entry == 0);
                free.map(|entry| *entry = tag16(hash)).is_some()
            }
            Hashed::Narrow(table) => place_in(table, hash, position),
            Hashed::Wide(table) => place_in(table, hash, position),
        }
    }

    /// Sets every entry of the table by hand, in tests: to `position`
    /// filed under `hash` where `entry` gives them, to empty where it
    /// gives none. Nothing in place.
    #[cfg(test)]
    pub(crate) fn set_entries(&mut self, entry: impl Fn(usize) -> Option<(u64, u32)>) {
        fn set<E: Entry>(table: &mut [E], entry: impl Fn(usize) -> Option<(u64, u32)>) {
            for (index, slot) in table.iter_mut().enumerate() {
                *slot = entry(index)
                    .and_then(|(hash, position)| E::filing(hash, position))
                    .unwrap_or_default();
            }
        }
        match self {
            Hashed::Few(_) => {}
            Hashed::Narrow(table) => set(table, entry),
            Hashed::Wide(table) => set(table, entry),
        }
    }
}

/// Files every entry of the table `old` as it is in the larger `new`,
/// from where its tag starts a lookup (its top 32 bits, the hash's),
/// handing `unplaced` the position of each one whose probe sequence is
/// full.
fn refile(old: &[u64], new: &mut [u64], mut unplaced: impl FnMut(u32)) {
    for entry in old.iter().filter(|entry| **entry != 0) {
        if !place_entry_in(new, *entry >> 32 << 32, *entry) {
            unplaced(u32::try_from(entry.position()).unwrap_or(u32::MAX));
        }
    }
}

/// Files the positions `0, 1, ...` in a new table under `hashes`,
/// handing `unplaced` each one whose probe sequence is full.
fn file_afresh<E: Entry>(
    table: &mut [E],
    hashes: impl IntoIterator<Item = u64>,
    mut unplaced: impl FnMut(u32),
) -> Regrown {
    for (hash, position) in hashes.into_iter().zip(0_u32..) {
        if !place_in(table, hash, position) {
            unplaced(position);
        }
    }
    Regrown::Afresh
}

/// [`Hashed::find`] in a table.
fn find_in<E: Entry>(table: &[E], hash: u64, mut is: impl FnMut(usize) -> bool) -> Option<usize> {
    for index in probe(hash, table.len()) {
        let entry = table.get(index).copied().unwrap_or_default();
        if entry == E::default() {
            return None;
        }
        if entry.tagged(hash) && is(entry.position()) {
            return Some(entry.position());
        }
    }
    None
}

/// [`Hashed::place`] in a table.
fn place_in<E: Entry>(table: &mut [E], hash: u64, position: u32) -> bool {
    E::filing(hash, position).is_some_and(|entry| place_entry_in(table, hash, entry))
}

/// Files `entry` in a table at the first empty entry of `hash`'s probe
/// sequence; says whether there was room.
fn place_entry_in<E: Entry>(table: &mut [E], hash: u64, entry: E) -> bool {
    for index in probe(hash, table.len()) {
        if let Some(free) = table.get_mut(index)
            && *free == E::default()
        {
            *free = entry;
            return true;
        }
    }
    false
}

/// The entries `hash`'s probe sequence visits in a table of `size`
/// entries (a power of two): from the entry its top bits name on, at most
/// [`MAX_PROBE`] of them.
fn probe(hash: u64, size: usize) -> impl Iterator<Item = usize> {
    let mask = size.wrapping_sub(1);
    // The top bits start the sequence, and are the tag's: a table can be
    // doubled from its entries' tags, without the owner's ids.
    // (Shifted in two steps, so that a table of one entry starts at 0.)
    let start = (hash >> 1).wrapping_shr(63_u32.saturating_sub(size.trailing_zeros()));
    let start = usize::try_from(start).unwrap_or(0);
    (0..MAX_PROBE.min(size)).map(move |step| start.wrapping_add(step) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_back_under_their_tag_and_a_full_sequence_refuses() {
        // In each table, a hash that starts where 0xabcd... does (the same
        // top 5 bits of 32 entries', top 17 of 2^17's) with another tag
        // (bits 49 to 52 of 32 entries', the top 32 of 2^17's).
        for (size, same_start) in [
            (32, 0xabc1_0000_0000_0005),
            (2 * NARROW, 0xabcd_1234_0000_0005),
        ] {
            let mut index = Hashed::default();
            let _ = index.grow(size, [], |_| unreachable!("nothing to file"));
            assert!(!index.is_half_full(size / 2 - 1) && index.is_half_full(size / 2));
            // Seventeen hashes with the same start and tag: sixteen fit.
            let hash = 0xabcd_0000_0000_0005_u64;
            for position in 0..16 {
                assert!(index.place(hash, position));
            }
            assert!(!index.place(hash, 16));
            assert!(index.candidates(hash).eq(0..16));
            assert_eq!(index.find(hash, |at| at == 7), Some(7));
            // Another tag from the same start sees none of them.
            assert_eq!(index.candidates(same_start).count(), 0);
            // An empty sequence ends at once.
            assert_eq!(index.candidates(0x2bcd_0000_0000_0005).count(), 0);
            let mut empty = Hashed::default();
            let _ = empty.grow(4, [], |_| unreachable!("nothing to file"));
            assert_eq!(empty.candidates(hash).count(), 0);
        }
    }

    #[test]
    fn tables_take_16_bit_entries_up_to_4096_of_them_then_64() {
        let mut index = Hashed::default();
        let _ = index.grow(NARROW, [], |_| unreachable!("nothing to file"));
        assert!(matches!(&index, Hashed::Narrow(t) if t.len() == NARROW));
        // A 16-bit entry tags with the hash's bits 49 to 52: hashes that
        // start at the same entry (the top 12 bits of 4,096 entries') and
        // share them come back for the owner to tell apart; one that
        // starts there with another tag does not.
        assert!(index.place(0xabcd_1111_0000_0007, 0));
        assert!(index.candidates(0xabcd_2222_0000_0007).eq([0]));
        assert_eq!(index.candidates(0xabc9_1111_0000_0007).count(), 0);
        assert_eq!(std::mem::size_of_val(&index), 24);
        assert!(matches!(&index, Hashed::Narrow(t) if std::mem::size_of_val(&**t) == 2 * NARROW));
        // Positions past 12 bits with one added do not fit one (a table
        // half full of 4,096 entries never holds them).
        assert!(!index.place(0x1234_0000_0000_0009, 4_095));
        assert!(index.place(0x1234_0000_0000_0009, 4_094));
        assert!(index.candidates(0x1234_0000_0000_0009).eq([4_094]));
        // Doubled, the table takes 64-bit entries and the top 32 bits tag:
        // filed again from the hashes the owner hands.
        let regrown = index.grow(0, [0xabcd_1111_0000_0007], |_| unreachable!("room"));
        assert_eq!(regrown, Regrown::Afresh);
        assert!(matches!(&index, Hashed::Wide(t) if t.len() == 2 * NARROW));
        assert!(index.candidates(0xabcd_1111_0000_0007).eq([0]));
        assert_eq!(index.candidates(0xabcd_2222_0000_0007).count(), 0);
        assert!(index.place(0x1234_0000_0000_0009, 1 << 20));
        assert!(index.candidates(0x1234_0000_0000_0009).eq([1 << 20]));
        assert!(!index.place(0x1234_0000_0000_0009, u32::MAX));
        assert_eq!(
            index.first_entry(0x1234_0000_0000_0009),
            0x1234_0000_0010_0001
        );
    }

    #[test]
    fn the_first_few_positions_are_held_in_place_then_move_to_a_table() {
        let hash = |n: u64| n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut index = Hashed::default();
        assert_eq!(index.candidates(hash(0)).count(), 0);
        for n in 0..FEW {
            assert!(!index.is_half_full(n));
            assert!(index.place(hash(n as u64), n as u32));
        }
        assert!(index.is_half_full(FEW));
        // A position past the room in place, or one already taken, is
        // refused.
        assert!(!index.place(hash(99), FEW as u32));
        assert!(!index.place(hash(99), 0));
        for n in 0..FEW {
            assert!(index.candidates(hash(n as u64)).any(|at| at == n));
        }
        // Hashes that share their top sixteen bits share a tag: both come
        // back, for the owner to tell apart.
        let mut twins = Hashed::default();
        assert!(twins.place(0xabcd_0000_0000_0001, 0));
        assert!(twins.place(0xabcd_0000_0000_0002, 1));
        assert!(twins.candidates(0xabcd_ffff_ffff_ffff).eq([0, 1]));
        assert_eq!(twins.candidates(0x1234_0000_0000_0001).count(), 0);
        // Growing moves every position to a table big enough for twice
        // as many, from the tags held in place.
        let regrown = index.grow(4, [], |_| unreachable!("room"));
        assert_eq!(regrown, Regrown::FromTags);
        assert!(matches!(&index, Hashed::Narrow(t) if t.len() == 32));
        assert!(!index.is_half_full(FEW) && index.is_half_full(16));
        for n in 0..FEW {
            assert!(index.candidates(hash(n as u64)).eq([n]));
        }
    }

    proptest::proptest! {
        /// `find` gives the first candidate its test accepts, in place
        /// and in a table, whatever the tags and whichever positions the
        /// owner accepts.
        #[test]
        fn find_gives_the_first_candidate_accepted(
            hashes in proptest::collection::vec(0_u64..8, 0..24),
            accepted in proptest::collection::vec(proptest::bool::ANY, 24),
            wanted in 0_u64..8,
            wide in proptest::bool::ANY,
        ) {
            // Few distinct hashes, spread to the top bits, so tags collide.
            let spread = |h: u64| h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut index = Hashed::default();
            if wide {
                let _ = index.grow(2 * NARROW, [], |_| {});
            }
            for (position, h) in (0_u32..).zip(&hashes) {
                if index.is_half_full(position as usize) {
                    let placed = hashes.iter().take(position as usize).map(|h| spread(*h));
                    let _ = index.grow(position as usize, placed, |_| {});
                }
                index.place(spread(*h), position);
            }
            let is = |at: usize| accepted.get(at).copied().unwrap_or(false);
            let hash = spread(wanted);
            let first = index.candidates(hash).find(|at| is(*at));
            proptest::prop_assert_eq!(index.find(hash, is), first);
        }
    }

    /// Files `hashes` at positions `0, 1, ...` as an owner does, growing
    /// the index when half full: the positions it holds beside the index
    /// (in order), and how each growth filed them again.
    fn file_as_an_owner(index: &mut Hashed, hashes: &[u64]) -> (BTreeMap<u32, u32>, Vec<Regrown>) {
        // Each position is its own id here.
        let hash_of = |position: &u32| hashes[*position as usize];
        let mut beside = BTreeMap::new();
        let mut growths = Vec::new();
        for (position, hash) in (0_u32..).zip(hashes) {
            if index.is_half_full(position as usize) {
                let held = hashes.iter().take(position as usize).copied();
                let mut unplaced = BTreeMap::new();
                let regrown = index.grow(0, held, |at| {
                    unplaced.insert(at, at);
                });
                index.settle_beside(regrown, &mut beside, unplaced, hash_of);
                growths.push(regrown);
            }
            if !index.place(*hash, position) {
                beside.insert(position, position);
            }
        }
        (beside, growths)
    }

    /// Every position is found under its hash in the index or held beside
    /// it, never both.
    fn each_found_once(index: &Hashed, hashes: &[u64], beside: &BTreeMap<u32, u32>) -> bool {
        (0_u32..).zip(hashes).all(|(position, hash)| {
            let listed = index.candidates(*hash).any(|at| at == position as usize);
            listed != beside.contains_key(&position)
        })
    }

    #[test]
    fn tables_of_16_bit_entries_grow_from_the_hashes_and_of_64_bit_from_their_tags() {
        // 40,000 spread hashes: in place, then a table of 32 entries from
        // the tags held in place, tables of 64 to 4,096 16-bit entries and
        // 8,192 64-bit entries from the hashes (a 16-bit entry's tag holds
        // none of the bits that start a lookup), then from the 64-bit
        // entries' tags up to 2^17 entries.
        let hashes: Vec<u64> = (1..=40_000_u64)
            .map(|n| n.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ n.rotate_left(29))
            .collect();
        let mut index = Hashed::default();
        let (beside, growths) = file_as_an_owner(&mut index, &hashes);
        let mut expected = vec![Regrown::FromTags];
        expected.extend([Regrown::Afresh; 8]);
        expected.extend([Regrown::FromTags; 4]);
        assert_eq!(growths, expected);
        assert!(matches!(&index, Hashed::Wide(t) if t.len() == 1 << 17));
        assert!(each_found_once(&index, &hashes, &beside));
        // Wider, from the 64-bit tags: the owner's hashes are not read.
        let regrown = index.grow(4 * NARROW, [], |_| unreachable!("room"));
        assert_eq!(regrown, Regrown::FromTags);
        assert!(each_found_once(&index, &hashes, &beside));
    }

    proptest::proptest! {
        /// Grown from its tags or from the owner's hashes, the index finds
        /// every position it holds under its own hash, and the owner holds
        /// the rest beside it: for hashes spread evenly and for hashes
        /// that share their top bits (the same start in every table up
        /// to 2^k entries) and so crowd each other out.
        #[test]
        fn growing_keeps_every_position_found_or_held_beside(
            seeds in proptest::collection::vec(proptest::num::u64::ANY, 0..300),
            shared_top in 0_u32..12,
        ) {
            let hashes: Vec<u64> = seeds
                .iter()
                .map(|seed| seed.checked_shr(shared_top).unwrap_or(0))
                .collect();
            let mut index = Hashed::default();
            let (beside, _) = file_as_an_owner(&mut index, &hashes);
            proptest::prop_assert!(each_found_once(&index, &hashes, &beside));
            if shared_top == 0 {
                proptest::prop_assert!(beside.len() <= hashes.len() / 8);
            }
        }
    }

    #[test]
    fn an_index_takes_the_room_of_a_list() {
        assert_eq!(std::mem::size_of::<Hashed>(), 24);
    }
}
