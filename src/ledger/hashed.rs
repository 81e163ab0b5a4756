//! A hashed index of positions: where the ledger's lists (accounts, a
//! member's orders) find an entry by its id in about one probe.
//!
//! Open addressing over a power-of-two table kept at most half full. An
//! entry is a hash's top 32 bits above the position plus one; zero is an
//! empty entry. A lookup probes at most [`MAX_PROBE`] entries from the
//! hash's low bits and hands back the positions whose tag matches, for the
//! caller to compare ids. The index does not trust its hash to be spread
//! evenly: an id it cannot place within `MAX_PROBE` entries, as ids chosen
//! to collide would be, is left out, and the owner finds it by another
//! way (an ordered index), so no choice of ids makes a lookup slower than
//! that way alone.

/// The most entries a lookup probes.
pub(crate) const MAX_PROBE: usize = 16;

/// Positions by hash.
#[derive(Debug, Clone, Default)]
pub(crate) struct Hashed {
    table: Vec<u64>,
}

impl Hashed {
    /// Whether an index of `len` positions is half full: before filing
    /// one more, it must [`grow`](Hashed::grow).
    pub(crate) fn is_half_full(&self, len: usize) -> bool {
        len >= self.table.len() / 2
    }

    /// Doubles the index (to `min` entries at first) and files again the
    /// positions `0, 1, ...` under `hashes`, handing `unplaced` each one
    /// whose probe sequence is full.
    pub(crate) fn grow(
        &mut self,
        min: usize,
        hashes: impl IntoIterator<Item = u64>,
        mut unplaced: impl FnMut(u32),
    ) {
        let size = self.table.len().saturating_mul(2).max(min);
        self.table = vec![0; size];
        for (hash, position) in hashes.into_iter().zip(0_u32..) {
            if !self.place(hash, position) {
                unplaced(position);
            }
        }
    }

    /// The positions filed under `hash`'s tag, in probe order: the
    /// entries up to the first empty one, at most [`MAX_PROBE`] of them.
    pub(crate) fn candidates(&self, hash: u64) -> impl Iterator<Item = usize> + '_ {
        let tag = hash >> 32;
        probe(hash, self.table.len())
            .map(|index| self.table.get(index).copied().unwrap_or(0))
            .take_while(|entry| *entry != 0)
            .filter(move |entry| entry >> 32 == tag)
            .map(|entry| {
                usize::try_from(entry & u64::from(u32::MAX))
                    .unwrap_or(0)
                    .wrapping_sub(1)
            })
    }

    /// Files `position` under `hash` at the first empty entry of its probe
    /// sequence; says whether there was one.
    pub(crate) fn place(&mut self, hash: u64, position: u32) -> bool {
        let entry = (hash >> 32) << 32 | u64::from(position).saturating_add(1);
        for index in probe(hash, self.table.len()) {
            if let Some(free) = self.table.get_mut(index)
                && *free == 0
            {
                *free = entry;
                return true;
            }
        }
        false
    }

    /// Every entry, to set by hand in tests.
    #[cfg(test)]
    pub(crate) fn entries_mut(&mut self) -> &mut [u64] {
        &mut self.table
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
        assert!(index.is_half_full(0));
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
        assert_eq!(Hashed::default().candidates(hash).count(), 0);
        assert!(!Hashed::default().place(hash, 0));
    }
}
