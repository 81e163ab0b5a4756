//! The due index: each member with something due (a lot expiring, pending
//! points maturing, an inactivity deadline, a tier review, a renewal),
//! filed under when, so that `tick` visits only the members due by its
//! time.
//!
//! Most times are filed in order. An inactivity deadline is the time of
//! the member's latest purchase plus the program's period, so every
//! purchase under that policy moves its member from somewhere in the
//! index to its back. An ordered set paid twice for that move: a search
//! for the old entry, and a walk down the set's right edge to file the new
//! one, comparing every key of every node on the way (28% of such a
//! purchase's instructions). Here a time later than every other is queued
//! at the back, and one a little earlier (members' commands dated a
//! little out of order) among the queue's last few entries; a member
//! leaving an entry marks it gone, found at the front at once (as `tick`
//! leaves them) or by a binary search, and gone entries are dropped from
//! either end of the queue when they get there and swept out of the
//! middle when they are half of it. A time filed further out of order
//! goes into an ordered set beside the queue; listing merges the two.
//!
//! The index lists, compares, hashes and prints as the ordered set of
//! `(time, member)` it replaced: by time, and by member id at the same
//! time.

use std::cmp::Ordering;
use std::collections::{BTreeSet, VecDeque, btree_set, vec_deque};
use std::fmt;
use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use crate::MemberId;

/// How many of the queue's last entries a time filed a little out of
/// order may be placed before, rather than beside the queue.
const NEAR_BACK: usize = 8;

/// How many gone entries the queue keeps in its middle before sweeping
/// them out (once they are half of it); a few under test, so that the
/// property test sweeps.
const KEEP_GONE: usize = if cfg!(test) { 4 } else { 64 };

/// Members filed under the time something falls due for them, each
/// member at most once.
#[derive(Clone, Default)]
pub(crate) struct DueIndex {
    /// Entries filed in order, each later (or at the same time, by a
    /// greater member id) than the one before: the front and the back are
    /// never gone.
    queue: VecDeque<Filed>,
    /// How many entries of `queue` are gone.
    gone: usize,
    /// Entries filed earlier than the queue's last few.
    stray: BTreeSet<(DateTime<Utc>, MemberId)>,
}

/// An entry of the queue.
#[derive(Clone)]
struct Filed {
    at: DateTime<Utc>,
    member: MemberId,
    /// Whether the member has left it (been filed elsewhere or not at all
    /// since).
    gone: bool,
}

impl Filed {
    fn key(&self) -> (DateTime<Utc>, &MemberId) {
        (self.at, &self.member)
    }
}

impl DueIndex {
    /// How many members are filed.
    pub(crate) fn len(&self) -> usize {
        self.queue
            .len()
            .saturating_sub(self.gone)
            .saturating_add(self.stray.len())
    }

    /// The earliest time filed.
    pub(crate) fn first(&self) -> Option<DateTime<Utc>> {
        let queued = self.queue.front().map(|filed| filed.at);
        let stray = self.stray.first().map(|(at, _)| *at);
        match (queued, stray) {
            (Some(queued), Some(stray)) => Some(queued.min(stray)),
            (queued, stray) => queued.or(stray),
        }
    }

    /// Files `member` under `at`. The member must not be filed already.
    /// A time later than the back of the queue goes there; one a little
    /// earlier (commands of different members dated a little out of
    /// order) among the queue's last [`NEAR_BACK`] entries; any other
    /// beside the queue. Under a time the member left an entry of, that
    /// entry is taken back.
    pub(crate) fn insert(&mut self, at: DateTime<Utc>, member: &MemberId) {
        let key = (at, member);
        let len = self.queue.len();
        let mut place = len;
        while let Some(i) = place.checked_sub(1) {
            let Some(before) = self.queue.get_mut(i) else {
                break;
            };
            match before.key().cmp(&key) {
                Ordering::Less => break,
                Ordering::Equal => {
                    if before.gone {
                        before.gone = false;
                        self.gone = self.gone.saturating_sub(1);
                    }
                    return;
                }
                Ordering::Greater if len.saturating_sub(i) > NEAR_BACK => {
                    self.stray.insert((at, member.clone()));
                    return;
                }
                Ordering::Greater => place = i,
            }
        }
        let filed = Filed {
            at,
            member: member.clone(),
            gone: false,
        };
        if place == len {
            self.queue.push_back(filed);
        } else {
            self.queue.insert(place, filed);
        }
    }

    /// Takes `member` out from under `at`, where they were filed.
    pub(crate) fn remove(&mut self, at: DateTime<Utc>, member: &MemberId) {
        let key = (at, member);
        let position = match self.queue.front() {
            Some(first) if first.key() == key => Some(0),
            Some(first) if first.key() < key => self
                .queue
                .binary_search_by(|filed| filed.key().cmp(&key))
                .ok(),
            _ => None,
        };
        // A gone entry under the same time was left before, and the
        // member filed again out of order.
        match position
            .and_then(|i| self.queue.get_mut(i))
            .filter(|filed| !filed.gone)
        {
            Some(filed) => {
                filed.gone = true;
                self.gone = self.gone.saturating_add(1);
                self.tidy();
            }
            None => {
                self.stray.remove(&(at, member.clone()));
            }
        }
    }

    /// Drops gone entries from the ends of the queue, and from its middle
    /// when they are more than half of it.
    fn tidy(&mut self) {
        while self.queue.front().is_some_and(|filed| filed.gone) {
            self.queue.pop_front();
            self.gone = self.gone.saturating_sub(1);
        }
        while self.queue.back().is_some_and(|filed| filed.gone) {
            self.queue.pop_back();
            self.gone = self.gone.saturating_sub(1);
        }
        if self.gone > KEEP_GONE && self.gone > self.queue.len() / 2 {
            self.queue.retain(|filed| !filed.gone);
            self.gone = 0;
        }
    }

    /// Every member filed, by time and by member id at the same time.
    pub(crate) fn iter(&self) -> Iter<'_> {
        let mut queue = self.queue.iter();
        let mut stray = self.stray.iter();
        Iter {
            next_queued: queue.next(),
            queue,
            next_stray: stray.next(),
            stray,
        }
    }
}

/// The entries of a [`DueIndex`] in order: the queue's and the ordered
/// set's, merged.
#[derive(Clone)]
pub(crate) struct Iter<'a> {
    queue: vec_deque::Iter<'a, Filed>,
    /// The queue's next entry that is not gone.
    next_queued: Option<&'a Filed>,
    stray: btree_set::Iter<'a, (DateTime<Utc>, MemberId)>,
    next_stray: Option<&'a (DateTime<Utc>, MemberId)>,
}

impl<'a> Iterator for Iter<'a> {
    type Item = (DateTime<Utc>, &'a MemberId);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        let queued_first = match (self.next_queued, self.next_stray) {
            (Some(queued), Some((at, member))) => queued.key() < (*at, member),
            (queued, _) => queued.is_some(),
        };
        if queued_first {
            let queued = self.next_queued?;
            self.next_queued = self.queue.by_ref().find(|filed| !filed.gone);
            Some(queued.key())
        } else {
            let (at, member) = self.next_stray?;
            self.next_stray = self.stray.next();
            Some((*at, member))
        }
    }
}

impl PartialEq for DueIndex {
    fn eq(&self, other: &DueIndex) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for DueIndex {}

/// Hashed as the ordered set it replaced: the number of entries, then each
/// `(time, member)` in order.
impl Hash for DueIndex {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for entry in self.iter() {
            entry.hash(state);
        }
    }
}

impl fmt::Debug for DueIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash_of(value: &impl Hash) -> u64 {
        let mut hasher = crate::siphash::SipHasher24::new(3, 4);
        value.hash(&mut hasher);
        hasher.finish()
    }

    fn time(seconds: i64) -> DateTime<Utc> {
        DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::seconds(seconds)
    }

    #[test]
    fn times_in_order_are_queued_and_others_go_beside_the_queue()
    -> Result<(), Box<dyn std::error::Error>> {
        let (ana, bo, cy, dan): (MemberId, MemberId, MemberId, MemberId) =
            ("ana".parse()?, "bo".parse()?, "cy".parse()?, "dan".parse()?);
        let mut index = DueIndex::default();
        index.insert(time(10), &ana);
        index.insert(time(20), &bo);
        // A little earlier than the back (two members' commands dated a
        // little out of order): among the last entries of the queue.
        index.insert(time(15), &cy);
        assert_eq!((index.queue.len(), index.stray.len()), (3, 0));
        assert_eq!(index.first(), Some(time(10)));
        let listed: Vec<_> = index.iter().collect();
        assert_eq!(listed, [(time(10), &ana), (time(15), &cy), (time(20), &bo)]);
        // Cy leaves the middle and is filed again under the same time: the
        // gone entry is taken back.
        index.remove(time(15), &cy);
        assert_eq!((index.queue.len(), index.gone, index.len()), (3, 1, 2));
        index.insert(time(15), &cy);
        assert_eq!((index.queue.len(), index.gone, index.len()), (3, 0, 3));

        // Ana's purchase moves her deadline to the back: her old entry at
        // the front is dropped, not marked.
        index.remove(time(10), &ana);
        index.insert(time(30), &ana);
        assert_eq!((index.queue.len(), index.gone), (3, 0));
        assert_eq!(index.first(), Some(time(15)));
        // Cy's moves to the back too, from the front.
        index.remove(time(15), &cy);
        index.insert(time(40), &cy);
        // Ana's leaves the middle of the queue: marked gone, and skipped
        // in the listing.
        index.remove(time(30), &ana);
        index.insert(time(50), &ana);
        assert_eq!((index.queue.len(), index.gone), (4, 1));
        let listed: Vec<_> = index.iter().collect();
        assert_eq!(listed, [(time(20), &bo), (time(40), &cy), (time(50), &ana)]);
        // Bo leaves the front (as a tick leaves it): the gone entry behind
        // him goes with him.
        index.remove(time(20), &bo);
        assert_eq!((index.queue.len(), index.gone), (2, 0));
        assert_eq!(index.first(), Some(time(40)));

        // Earlier than the queue's last few entries: beside the queue.
        let later = (0..NEAR_BACK)
            .map(|i| format!("later-{i}").parse())
            .collect::<Result<Vec<MemberId>, _>>()?;
        for (i, member) in (100..).zip(&later) {
            index.insert(time(i), member);
        }
        // Earlier than all of the last few: placed before them.
        let eve: MemberId = "eve".parse()?;
        index.insert(time(60), &eve);
        assert_eq!((index.queue.len(), index.stray.len()), (3 + NEAR_BACK, 0));
        // Earlier than one more: beside the queue.
        index.insert(time(45), &dan);
        assert_eq!((index.queue.len(), index.stray.len()), (3 + NEAR_BACK, 1));
        let listed: Vec<_> = index.iter().take(4).collect();
        assert_eq!(
            listed,
            [
                (time(40), &cy),
                (time(45), &dan),
                (time(50), &ana),
                (time(60), &eve)
            ]
        );
        assert_eq!(index.len(), 4 + NEAR_BACK);
        index.remove(time(45), &dan);
        assert_eq!((index.stray.len(), index.len()), (0, 3 + NEAR_BACK));
        Ok(())
    }

    #[test]
    fn a_queued_entry_takes_forty_bytes() {
        // The time (12 bytes), the member's id (held in place up to 22
        // bytes) and whether it is gone.
        assert_eq!(std::mem::size_of::<Filed>(), 40);
    }

    #[test]
    fn gone_entries_are_swept_out_when_they_are_half_the_queue()
    -> Result<(), Box<dyn std::error::Error>> {
        let first: MemberId = "first".parse()?;
        let last: MemberId = "last".parse()?;
        let mut index = DueIndex::default();
        index.insert(time(0), &first);
        let members = (0..200)
            .map(|i| format!("m-{i:03}").parse())
            .collect::<Result<Vec<MemberId>, _>>()?;
        for (i, member) in (1..).zip(&members) {
            index.insert(time(i), member);
        }
        index.insert(time(1000), &last);
        for (i, member) in (1..).zip(&members) {
            index.remove(time(i), member);
            // Never more gone than live but for the few kept.
            assert!(index.gone <= KEEP_GONE.max(index.queue.len() / 2));
        }
        assert_eq!(index.len(), 2);
        assert!(index.queue.len() <= 2 + KEEP_GONE);
        let listed: Vec<_> = index.iter().collect();
        assert_eq!(listed, [(time(0), &first), (time(1000), &last)]);
        Ok(())
    }

    proptest::proptest! {
        /// The index behaves as the ordered set of `(time, member)` it
        /// replaced: it lists, counts, compares, hashes and prints the same
        /// after every change, whatever order the times come in, with
        /// members leaving from the front, the back and the middle, and
        /// filed again under times they were filed under before.
        #[test]
        fn the_due_index_behaves_as_an_ordered_set(
            changes in proptest::collection::vec((0_usize..12, proptest::option::of(0_i64..40)), 1..300),
        ) {
            let members = (0..12)
                .map(|i| format!("m-{i}").parse())
                .collect::<Result<Vec<MemberId>, _>>()
                .map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            let mut index = DueIndex::default();
            let mut model = BTreeSet::new();
            let mut filed: Vec<Option<DateTime<Utc>>> = vec![None; members.len()];
            // Times drift later as they do in a real program, with some
            // out of order.
            for (step, (who, due)) in (0_i64..).zip(changes) {
                let (Some(member), Some(current)) = (members.get(who), filed.get_mut(who)) else {
                    continue;
                };
                let new = due.map(|d| time(step / 4 + d));
                if let Some(old) = current.take() {
                    index.remove(old, member);
                    model.remove(&(old, member.clone()));
                }
                if let Some(new) = new {
                    index.insert(new, member);
                    model.insert((new, member.clone()));
                }
                *current = new;
                proptest::prop_assert_eq!(index.len(), model.len());
                proptest::prop_assert!(index.iter().eq(model.iter().map(|(at, m)| (*at, m))));
                proptest::prop_assert_eq!(index.first(), model.first().map(|(at, _)| *at));
                proptest::prop_assert_eq!(hash_of(&index), hash_of(&model));
                proptest::prop_assert_eq!(format!("{index:?}"), format!("{model:?}"));
                proptest::prop_assert!(index.queue.front().is_none_or(|f| !f.gone));
                proptest::prop_assert!(index.queue.back().is_none_or(|f| !f.gone));
            }
            let mut rebuilt = DueIndex::default();
            for (at, member) in &model {
                rebuilt.insert(*at, member);
            }
            proptest::prop_assert!(rebuilt == index);
        }
    }
}
