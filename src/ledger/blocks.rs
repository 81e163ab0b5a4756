//! A list that grows in blocks: where a member's records are held in the
//! order they were filed (see [`Keyed`](super::keyed::Keyed)).
//!
//! A `Vec` that doubles as it fills moves every record it holds each time
//! it doubles, into memory no one has touched yet: after a thousand
//! orders a member's next doubling copies 128 KB, and a ledger growing
//! past 10 M events spent about a sixth of a purchase's time on those
//! copies and the fresh pages they landed on. Its spare room also grows
//! with it, up to as much as it holds.
//!
//! [`Blocks`] starts from room for one record, then two, growing by a
//! half or a third at a time after that (1, 2, 4, 6, 8, 12, 16, 24, 32)
//! up to one block of
//! [`Blocks::PER_BLOCK`] records (as many as fit in 4 KB, rounded down
//! to a power of two: 64 of a member's orders, 3 KB with their
//! references held in 16 bytes each): a member with ten orders
//! holds room for twelve where the `Vec` held sixteen. The three moves
//! more than doubling over the first 32 records measured the same in the
//! earn benchmark. Past the first block, records go into blocks of that
//! size which never move once full: a full block is set aside as it is
//! and a new one started, and the block being filled is held in place,
//! as the `Vec` was, so that reading or filing the newest record follows
//! one pointer. The second to fourth blocks start with room for half a
//! block and grow by an eighth of a block at a time (see
//! [`GROWN_BLOCKS`]); from the fifth on, each is allocated whole, so each
//! record is written once and the spare room is less than a block.

use std::fmt;

/// Records in the order they were filed, in blocks of
/// [`PER_BLOCK`](Blocks::PER_BLOCK).
#[derive(Clone)]
pub(crate) struct Blocks<T> {
    /// The full blocks before the one being filled, oldest first, each of
    /// exactly `PER_BLOCK` records. Held in place, though most members
    /// never fill one: behind a pointer, counting the records (as every
    /// filing does) and reaching an old one each waited on one more cold
    /// read.
    full: Vec<Box<[T]>>,
    /// The block being filled: records from `full`'s end on, at most
    /// `PER_BLOCK` of them.
    tail: Vec<T>,
}

impl<T> Default for Blocks<T> {
    fn default() -> Blocks<T> {
        Blocks::new()
    }
}

impl<T> Blocks<T> {
    /// How many records a block holds: as many as fit in 4 KB (a power of
    /// two, at least one).
    pub(crate) const PER_BLOCK: usize = per_block(size_of::<T>());

    /// How much room a grown block (the second to the
    /// [`GROWN_BLOCKS`]-th) gains each time it fills: an eighth of a block
    /// (at least one record), from half a block on.
    const STEP: usize = Self::PER_BLOCK.div_ceil(8);

    /// No records.
    pub(crate) const fn new() -> Blocks<T> {
        Blocks {
            full: Vec::new(),
            tail: Vec::new(),
        }
    }

    /// The block holding position `at` and where in it.
    #[allow(clippy::arithmetic_side_effects, reason = "PER_BLOCK is at least one")]
    const fn place(at: usize) -> (usize, usize) {
        (at / Self::PER_BLOCK, at % Self::PER_BLOCK)
    }

    /// The full blocks.
    fn full(&self) -> &[Box<[T]>] {
        &self.full
    }

    /// How many records the full blocks hold.
    fn in_full(&self) -> usize {
        self.full().len().saturating_mul(Self::PER_BLOCK)
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.in_full().saturating_add(self.tail.len())
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.tail.is_empty() && self.full.is_empty()
    }

    /// The record at position `at`.
    pub(crate) fn get(&self, at: usize) -> Option<&T> {
        match at.checked_sub(self.in_full()) {
            Some(in_tail) => self.tail.get(in_tail),
            None => {
                let (block, within) = Self::place(at);
                self.full().get(block).and_then(|block| block.get(within))
            }
        }
    }

    /// The record at position `at`, to change.
    pub(crate) fn get_mut(&mut self, at: usize) -> Option<&mut T> {
        match at.checked_sub(self.in_full()) {
            Some(in_tail) => self.tail.get_mut(in_tail),
            None => {
                let (block, within) = Self::place(at);
                self.full
                    .get_mut(block)
                    .and_then(|block| block.get_mut(within))
            }
        }
    }

    /// The newest record.
    pub(crate) fn last(&self) -> Option<&T> {
        self.tail
            .last()
            .or_else(|| self.full().last().and_then(|block| block.last()))
    }

    /// Files `record` after the others (see [`push_with`](Blocks::push_with)).
    #[cfg(test)]
    pub(crate) fn push(&mut self, record: T) {
        self.push_with(|| record);
    }

    /// Files the record `make` makes after the others, made where it is
    /// kept: a large record (a redemption's 320 bytes) is not moved by
    /// each call on its way there. The first block grows from room for
    /// one, as many members file a single record (a customer who buys
    /// once), by [`growth`]; a full
    /// block is set aside as it is, and the next starts with room for
    /// half a block and grows by [`STEP`](Blocks::STEP) up to the
    /// [`GROWN_BLOCKS`]-th block, whole after that.
    pub(crate) fn push_with(&mut self, make: impl FnOnce() -> T) {
        if self.tail.len() >= Self::PER_BLOCK {
            self.set_aside();
        } else if self.tail.len() == self.tail.capacity() {
            let len = self.tail.len();
            let step = if self.full.is_empty() {
                growth(len)
            } else {
                Self::STEP
            };
            let room = step.min(Self::PER_BLOCK.saturating_sub(len));
            regrow(&mut self.tail, len.saturating_add(room));
        }
        self.tail.push(make());
    }

    /// Sets the full block being filled aside, and starts the next: with
    /// room for half a block up to the [`GROWN_BLOCKS`]-th block, for a
    /// whole one after that. Out of line, as a step taken once a block.
    #[cold]
    #[inline(never)]
    fn set_aside(&mut self) {
        let room = if self.full.len().saturating_add(2) <= GROWN_BLOCKS {
            Self::PER_BLOCK.div_ceil(2)
        } else {
            Self::PER_BLOCK
        };
        let block = std::mem::replace(&mut self.tail, Vec::with_capacity(room));
        self.full.push(block.into_boxed_slice());
    }

    /// Every record, in the order filed.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone {
        self.full()
            .iter()
            .flat_map(|block| block.iter())
            .chain(self.tail.iter())
    }

    /// The records at positions `from` to `to` (not included) with their
    /// positions, in the order filed; what lies past the end is not there.
    /// Inlined: out of line, the iterator it gives cost the tier metrics'
    /// walk over a window about 170 instructions a purchase under a
    /// rolling ladder.
    #[inline]
    pub(crate) fn range_placed(
        &self,
        from: usize,
        to: usize,
    ) -> impl DoubleEndedIterator<Item = (usize, &T)> {
        let to = to.min(self.len());
        let from = from.min(to);
        let in_full = self.in_full();
        let first = Self::place(from).0;
        let blocks = self
            .full()
            .get(first..to.min(in_full).div_ceil(Self::PER_BLOCK))
            .unwrap_or_default();
        let full = blocks.iter().enumerate().flat_map(move |(i, block)| {
            let start = first.saturating_add(i).saturating_mul(Self::PER_BLOCK);
            let low = from.saturating_sub(start);
            let high = to.saturating_sub(start).min(Self::PER_BLOCK);
            placed(block.get(low..high), start.saturating_add(low))
        });
        let low = from.saturating_sub(in_full);
        let tail = placed(
            self.tail.get(low..to.saturating_sub(in_full)),
            in_full.saturating_add(low),
        );
        full.chain(tail)
    }

    /// The first position whose record does not satisfy `before` (given
    /// each record with its position), the records satisfying it all
    /// coming first, as `slice::partition_point`.
    pub(crate) fn partition_point_placed(
        &self,
        mut before: impl FnMut(usize, &T) -> bool,
    ) -> usize {
        // The full blocks whose last record satisfies it come first; the
        // point is in the next one, or in the tail when all of them do.
        let per_block = Self::PER_BLOCK;
        let full = self.full();
        let whole = search(full.len(), |b| {
            let last = b
                .saturating_add(1)
                .saturating_mul(per_block)
                .saturating_sub(1);
            full.get(b)
                .and_then(|block| block.last())
                .is_some_and(|record| before(last, record))
        });
        let (block, start): (&[T], usize) = match full.get(whole) {
            Some(block) => (block, whole.saturating_mul(per_block)),
            None => (&self.tail, self.in_full()),
        };
        let within = search(block.len(), |i| {
            block
                .get(i)
                .is_some_and(|record| before(start.saturating_add(i), record))
        });
        start.saturating_add(within)
    }
}

/// The records of `slice` (none when there is none), with their
/// positions from `start` on.
fn placed<T>(
    slice: Option<&[T]>,
    start: usize,
) -> impl DoubleEndedIterator<Item = (usize, &T)> + Clone {
    slice
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(move |(i, record)| (start.saturating_add(i), record))
}

/// The first of `0..len` that does not satisfy `before`, those satisfying
/// it all coming first: a binary search, as `slice::partition_point`'s.
fn search(len: usize, mut before: impl FnMut(usize) -> bool) -> usize {
    let (mut low, mut high) = (0, len);
    while low < high {
        let middle = low.midpoint(high);
        if before(middle) {
            low = middle.saturating_add(1);
        } else {
            high = middle;
        }
    }
    low
}

/// The last block that starts with room for half a block and grows by an
/// eighth of a block at a time ([`Blocks::STEP`]: 32, 40, 48, 56, then
/// 64 of a member's orders) rather than being allocated whole: the second
/// to this one do. A block allocated whole holds up to a block less one
/// record of spare room: at a hundred orders a member, two blocks of 64
/// held 28 empty slots, a quarter of the room, 9 bytes a stored purchase.
/// Grown by half again (32, 48, 64), as it was before the fifty-second
/// round, the second block held room for 48 there, 12 empty slots (576
/// bytes, 5.8 a stored purchase); grown by an eighth, room for 40, 4
/// empty. The finer steps cost each of these blocks two more allocations
/// and moves (four of up to 56 records, 2.6 KB, where there were two of
/// up to 48), every 64 orders. Past four blocks, the spare room of a
/// whole block is less than a fifth of what the member holds, and each
/// block is written once.
const GROWN_BLOCKS: usize = 4;

/// Moves `list`'s records into a new allocation with room for
/// `capacity`, and frees the old one: what `reserve_exact` does through
/// `realloc`, whose glibc version cannot grow a block in place when
/// another member's block follows it (the common case: members' lists
/// grow in turn), and then allocates from the arena directly, past the
/// small blocks the allocator keeps at hand for each thread. Callgrind:
/// a replay of 10 K members' nine purchases each took 42 instructions
/// fewer an event this way, a purchase over 10 K members 34 fewer.
fn regrow<T>(list: &mut Vec<T>, capacity: usize) {
    let mut grown = Vec::with_capacity(capacity);
    grown.append(list);
    *list = grown;
}

/// How much room to add to a first block holding `len` records, full:
/// 1, 2, 4, 6, 8, 12, 16, 24, 32... (half again from a power of two, then
/// on to the next), so that its spare room is at most a third of it where
/// doubling left up to half. Room for one first, where it was two before
/// the forty-ninth round: a member's first order takes 72 bytes of heap
/// instead of 128, for one more move of the list at the second.
pub(crate) fn growth(len: usize) -> usize {
    match len {
        0 | 1 => 1,
        len if len.is_power_of_two() && len >= 4 => len / 2,
        len => len
            .saturating_add(1)
            .next_power_of_two()
            .saturating_sub(len),
    }
}

/// How many records of `size` bytes fill 4 KB, rounded down to a power of
/// two (at least one).
#[allow(
    clippy::arithmetic_side_effects,
    reason = "a const fn: the divisor is at least one and the shift below the word's width"
)]
const fn per_block(size: usize) -> usize {
    let fit = 4096 / if size == 0 { 1 } else { size };
    if fit <= 1 {
        1
    } else {
        1 << (usize::BITS - 1 - fit.leading_zeros())
    }
}

impl<T: fmt::Debug> fmt::Debug for Blocks<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_fills_about_four_kilobytes() {
        assert_eq!(per_block(0), 4096);
        assert_eq!(per_block(1), 4096);
        assert_eq!(per_block(128), 32);
        assert_eq!(per_block(129), 16);
        assert_eq!(per_block(4096), 1);
        assert_eq!(per_block(10_000), 1);
        assert_eq!(Blocks::<[u8; 100]>::PER_BLOCK, 32);
    }

    #[test]
    fn the_first_blocks_grow_and_later_ones_are_allocated_whole() {
        let mut blocks: Blocks<[u8; 128]> = Blocks::new();
        let mut room = Vec::new();
        for n in 0..200_u8 {
            blocks.push([n; 128]);
            if room.last() != Some(&(blocks.full().len(), blocks.tail.capacity())) {
                room.push((blocks.full().len(), blocks.tail.capacity()));
            }
        }
        // The first block from room for one, then two, then by a half or
        // a third; the second to fourth from half a block, by an eighth
        // of a block; the fifth on whole.
        let first = [1, 2, 4, 6, 8, 12, 16, 24, 32].map(|room| (0, room));
        let grown = |full| [16, 20, 24, 28, 32].map(|room| (full, room));
        let whole = [4, 5, 6].map(|full| (full, 32));
        let expected: Vec<(usize, usize)> =
            [&first[..], &grown(1), &grown(2), &grown(3), &whole].concat();
        assert_eq!(room, expected);
        assert_eq!(blocks.full().len(), 6);
        assert!(blocks.full().iter().all(|block| block.len() == 32));
        assert_eq!(blocks.tail.len(), 8);
        assert_eq!(GROWN_BLOCKS, 4);
    }

    proptest::proptest! {
        /// Blocks read as the `Vec` of the same records: by position, to
        /// change, newest, in order either way, by range and by partition
        /// point, whatever the block size and however the list was copied
        /// on the way.
        #[test]
        fn blocks_read_as_a_vec(
            records in proptest::collection::vec(0_u16..1000, 0..300),
            copied_at in proptest::collection::vec(0_usize..300, 0..3),
            ranges in proptest::collection::vec((0_usize..320, 0_usize..320), 0..12),
            point in 0_u16..1000,
        ) {
            // Records of 512 bytes, eight to a block, and of two.
            let mut big: Blocks<(u16, [u8; 510])> = Blocks::new();
            let mut small: Blocks<u16> = Blocks::new();
            let mut model: Vec<u16> = Vec::new();
            for (at, record) in records.iter().enumerate() {
                if copied_at.contains(&at) {
                    // A copy's blocks are exactly as long as they hold.
                    big = big.clone();
                    small = small.clone();
                }
                big.push((*record, [0; 510]));
                small.push(*record);
                model.push(*record);
            }
            let mut sorted = model.clone();
            sorted.sort_unstable();
            let mut sorted_big: Blocks<(u16, [u8; 510])> = Blocks::new();
            for record in &sorted {
                sorted_big.push((*record, [0; 510]));
            }
            proptest::prop_assert_eq!(Blocks::<(u16, [u8; 510])>::PER_BLOCK, 8);
            proptest::prop_assert_eq!(big.len(), model.len());
            proptest::prop_assert_eq!(big.is_empty(), model.is_empty());
            proptest::prop_assert_eq!(big.last().map(|r| r.0), model.last().copied());
            proptest::prop_assert!(big.iter().map(|r| r.0).eq(model.iter().copied()));
            proptest::prop_assert!(big.iter().rev().map(|r| r.0).eq(model.iter().rev().copied()));
            proptest::prop_assert!(small.iter().eq(model.iter()));
            proptest::prop_assert_eq!(format!("{small:?}"), format!("{model:?}"));
            for at in 0..=model.len() + 9 {
                proptest::prop_assert_eq!(big.get(at).map(|r| r.0), model.get(at).copied());
            }
            for (from, to) in &ranges {
                let to_in = (*to).min(model.len());
                let from_in = (*from).min(to_in);
                let expected: Vec<(usize, u16)> = (from_in..to_in).zip(model.get(from_in..to_in).unwrap_or_default().iter().copied()).collect();
                let read: Vec<(usize, u16)> = big.range_placed(*from, *to).map(|(at, r)| (at, r.0)).collect();
                proptest::prop_assert_eq!(&read, &expected);
                let backwards: Vec<(usize, u16)> = big.range_placed(*from, *to).rev().map(|(at, r)| (at, r.0)).collect();
                proptest::prop_assert!(backwards.iter().eq(expected.iter().rev()));
            }
            let mut positions = Vec::new();
            let placed_point = sorted_big.partition_point_placed(|at, r| {
                positions.push((at, r.0));
                r.0 < point
            });
            proptest::prop_assert_eq!(placed_point, sorted.partition_point(|r| *r < point));
            for (at, r) in positions {
                proptest::prop_assert_eq!(sorted.get(at).copied(), Some(r), "read at its place");
            }
            for at in 0..model.len() {
                if let Some(r) = big.get_mut(at) {
                    r.0 = r.0.wrapping_add(1);
                }
            }
            proptest::prop_assert!(big.iter().map(|r| r.0).eq(model.iter().map(|r| r.wrapping_add(1))));
            proptest::prop_assert!(big.get_mut(model.len()).is_none());
        }
    }
}
