//! A hashed index of positions: where the ledger's lists (accounts, a
//! member's orders) find an entry by its id in about one probe.
//!
//! The first [`FEW`] positions are held in place as 16-bit tags, one per
//! position, and a lookup compares them all: no table to allocate for the
//! member who places a handful of orders. Past them, open addressing over
//! a power-of-two table kept at most half full. An entry is a hash's top
//! 32 bits above the position plus one; zero is an empty entry. A lookup
//! probes at most [`MAX_PROBE`] entries from the hash's low bits and hands
//! back the positions whose tag matches, for the caller to compare ids.
//! The index does not trust its hash to be spread evenly: an id it cannot
//! place within `MAX_PROBE` entries, as ids chosen to collide would be, is
//! left out, and the owner finds it by another way (an ordered index), so
//! no choice of ids makes a lookup slower than that way alone.

/// The most entries a lookup probes.
pub(crate) const MAX_PROBE: usize = 16;

/// How many positions the index holds in place, before it has a table.
pub(crate) const FEW: usize = 11;

/// Positions by hash.
#[derive(Debug, Clone)]
pub(crate) enum Hashed {
    /// The first [`FEW`] positions, each as a 16-bit tag of its hash (the
    /// lowest bit set, so that zero is free) at its own index: a lookup
    /// compares them all, without a table to allocate or a pointer to
    /// follow. Most members place a handful of orders, and their index
    /// costs nothing beyond the room a table's pointer would take.
    Few([u16; FEW]),
    /// Open addressing, at most half full.
    Table(Box<[u64]>),
}

impl Default for Hashed {
    fn default() -> Hashed {
        Hashed::EMPTY
    }
}

/// The in-place tag of `hash`: never zero.
fn few_tag(hash: u64) -> u16 {
    u16::try_from(hash >> 48).unwrap_or(u16::MAX) | 1
}

impl Hashed {
    /// No positions.
    pub(crate) const EMPTY: Hashed = Hashed::Few([0; FEW]);

    /// Whether an index of `len` positions is half full: before filing
    /// one more, it must [`grow`](Hashed::grow).
    pub(crate) fn is_half_full(&self, len: usize) -> bool {
        match self {
            Hashed::Few(_) => len >= FEW,
            Hashed::Table(table) => len >= table.len() / 2,
        }
    }

    /// Moves the in-place tags to a table of 32 entries (room for twice
    /// [`FEW`]), or doubles the table, to at least `min` entries either
    /// way; files again the positions `0, 1, ...` under `hashes`, handing
    /// `unplaced` each one whose probe sequence is full.
    pub(crate) fn grow(
        &mut self,
        min: usize,
        hashes: impl IntoIterator<Item = u64>,
        mut unplaced: impl FnMut(u32),
    ) {
        let size = match self {
            Hashed::Few(_) => FEW.saturating_mul(2).saturating_add(1).next_power_of_two(),
            Hashed::Table(table) => table.len().saturating_mul(2),
        };
        *self = Hashed::Table(vec![0; size.max(min)].into_boxed_slice());
        for (hash, position) in hashes.into_iter().zip(0_u32..) {
            if !self.place(hash, position) {
                unplaced(position);
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
                let tag = few_tag(hash);
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
            Hashed::Table(table) => {
                let tag = hash >> 32;
                for index in probe(hash, table.len()) {
                    let entry = table.get(index).copied().unwrap_or(0);
                    if entry == 0 {
                        return None;
                    }
                    if entry >> 32 == tag {
                        let position = usize::try_from(entry & u64::from(u32::MAX))
                            .unwrap_or(0)
                            .wrapping_sub(1);
                        if is(position) {
                            return Some(position);
                        }
                    }
                }
                None
            }
        }
    }

    /// The entry a lookup of `hash` reads first in the table (zero when
    /// the positions are in place): read ahead of lookups, so that their
    /// cache misses are waited for together.
    pub(crate) fn first_entry(&self, hash: u64) -> u64 {
        match self {
            Hashed::Few(_) => 0,
            Hashed::Table(table) => probe(hash, table.len())
                .next()
                .and_then(|index| table.get(index).copied())
                .unwrap_or(0),
        }
    }

    /// The positions filed under `hash`'s tag: in place, every one whose
    /// tag matches; in the table, in probe order, the entries up to the
    /// first empty one, at most [`MAX_PROBE`] of them.
    #[cfg(test)]
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let (few, table): (&[u16], &[u64]) = match self {
            Hashed::Few(few) => (few, &[]),
            Hashed::Table(table) => (&[], table),
        };
        let tag = few_tag(hash);
        let in_place = few
            .iter()
            .take_while(|entry| **entry != 0)
            .zip(0_usize..)
            .filter(move |(entry, _)| **entry == tag)
            .map(|(_, position)| position);
        let tag = hash >> 32;
        let probed = probe(hash, table.len())
            .map(|index| table.get(index).copied().unwrap_or(0))
            .take_while(|entry| *entry != 0)
            .filter(move |entry| entry >> 32 == tag)
            .map(|entry| {
                usize::try_from(entry & u64::from(u32::MAX))
                    .unwrap_or(0)
                    .wrapping_sub(1)
            });
        in_place.chain(probed)
    }

    /// Files `position` under `hash`: in place at its own index, or in the
    /// table at the first empty entry of its probe sequence; says whether
    /// there was room.
    pub(crate) fn place(&mut self, hash: u64, position: u32) -> bool {
        let table = match self {
            Hashed::Few(few) => {
                let free = usize::try_from(position)
                    .ok()
                    .and_then(|at| few.get_mut(at))
                    .filter(|entry| **entry == 0);
                return free.map(|entry| *entry = few_tag(hash)).is_some();
            }
            Hashed::Table(table) => table,
        };
        let entry = (hash >> 32) << 32 | u64::from(position).saturating_add(1);
        for index in probe(hash, table.len()) {
            if let Some(free) = table.get_mut(index)
                && *free == 0
            {
                *free = entry;
                return true;
            }
        }
        false
    }

    /// Every entry of the table, to set by hand in tests; none in place.
    #[cfg(test)]
    pub(crate) fn entries_mut(&mut self) -> &mut [u64] {
        match self {
            Hashed::Few(_) => &mut [],
            Hashed::Table(table) => table,
        }
    }
}

/// The entries `hash`'s probe sequence visits in a table of `size`
/// entries (a power of two): from the hash's low bits on, at most
/// [`MAX_PROBE`] of them.
fn probe(hash: u64, size: usize) -> impl Iterator<Item = usize> {
    let mask = size.wrapping_sub(1);
    // The low bits start the sequence; the high 32 are the entry's tag.
    let start = usize::try_from(hash & u64::try_from(mask).unwrap_or(u64::MAX)).unwrap_or(0);
    (0..MAX_PROBE.min(size)).map(move |step| start.wrapping_add(step) & mask)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_come_back_under_their_tag_and_a_full_sequence_refuses() {
        let mut index = Hashed::default();
        index.grow(32, [], |_| unreachable!("nothing to file"));
        assert!(!index.is_half_full(15) && index.is_half_full(16));
        // Seventeen hashes with the same start and tag: sixteen fit.
        let hash = 0xabcd_0000_0000_0005_u64;
        for position in 0..16 {
            assert!(index.place(hash, position));
        }
        assert!(!index.place(hash, 16));
        assert!(index.candidates(hash).eq(0..16));
        // Another tag from the same start sees none of them.
        assert_eq!(index.candidates(0x1234_0000_0000_0005).count(), 0);
        // An empty sequence ends at once.
        assert_eq!(index.candidates(0xabcd_0000_0000_0015).count(), 0);
        let mut empty = Hashed::default();
        empty.grow(4, [], |_| unreachable!("nothing to file"));
        assert_eq!(empty.candidates(hash).count(), 0);
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
        // as many.
        index.grow(4, (0..FEW as u64).map(hash), |_| unreachable!("room"));
        assert!(matches!(&index, Hashed::Table(t) if t.len() == 32));
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
        ) {
            // Few distinct hashes, spread to the top bits, so tags collide.
            let spread = |h: u64| h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
            let mut index = Hashed::default();
            for (position, h) in (0_u32..).zip(&hashes) {
                if index.is_half_full(position as usize) {
                    let placed = hashes.iter().take(position as usize).map(|h| spread(*h));
                    index.grow(position as usize, placed, |_| {});
                }
                index.place(spread(*h), position);
            }
            let is = |at: usize| accepted.get(at).copied().unwrap_or(false);
            let hash = spread(wanted);
            let first = index.candidates(hash).find(|at| is(*at));
            proptest::prop_assert_eq!(index.find(hash, is), first);
        }
    }

    #[test]
    fn an_index_takes_the_room_of_a_list() {
        assert_eq!(std::mem::size_of::<Hashed>(), 24);
    }
}
