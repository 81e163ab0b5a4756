//! When each of a member's rewards was redeemed, or each custom action
//! rewarded: the times a usage limit or an action's frequency counts.
//!
//! Held in one list sorted by key, not an ordered map: a member redeems
//! a few of the catalogue's rewards and does a few kinds of action, and
//! a map's first node took about 540 bytes (room for eleven keys and
//! their lists) for the first. The list takes room for one key, 48
//! bytes, then doubles. Keys are found by binary search.

use chrono::{DateTime, Utc};

/// Times by key, each key's oldest first; each key once, in order.
///
/// Compares and hashes as the ordered map it replaced did (the same
/// pairs in the same order, after the same length), so the ledger's
/// fingerprint did not change with it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct TimesBy<K> {
    by: Vec<(K, Vec<DateTime<Utc>>)>,
}

impl<K: Ord + Clone> TimesBy<K> {
    /// No times yet.
    pub(crate) const fn new() -> TimesBy<K> {
        TimesBy { by: Vec::new() }
    }

    /// Where `key` is, or where it would go.
    fn search(&self, key: &K) -> Result<usize, usize> {
        self.by.binary_search_by(|(k, _)| k.cmp(key))
    }

    /// The times of `key`, oldest first (none for a key never seen).
    pub(crate) fn of(&self, key: &K) -> &[DateTime<Utc>] {
        self.search(key)
            .ok()
            .and_then(|at| self.by.get(at))
            .map_or(&[], |(_, times)| times.as_slice())
    }

    /// The times of `key`, to change, if it has been seen.
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut Vec<DateTime<Utc>>> {
        let at = self.search(key).ok()?;
        self.by.get_mut(at).map(|(_, times)| times)
    }

    /// Adds `at` to `key`'s times, after those there (times come in
    /// order). The first key gets room for one.
    pub(crate) fn push(&mut self, key: &K, at: DateTime<Utc>) {
        match self.search(key) {
            Ok(found) => {
                if let Some((_, times)) = self.by.get_mut(found) {
                    times.push(at);
                }
            }
            Err(place) => {
                if self.by.capacity() == 0 {
                    self.by.reserve_exact(1);
                }
                // Room for four times, as a list's first push makes.
                let mut times = Vec::with_capacity(4);
                times.push(at);
                self.by.insert(place, (key.clone(), times));
            }
        }
    }
}

impl<K: Ord + Clone> Default for TimesBy<K> {
    fn default() -> TimesBy<K> {
        TimesBy::new()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::hash::{Hash, Hasher};

    use chrono::TimeDelta;
    use proptest::prelude::*;

    use super::*;
    use crate::RewardId;

    fn reward(n: u8) -> RewardId {
        format!("reward-{n}").parse().expect("a reward id")
    }

    fn fingerprint(value: &impl Hash) -> u64 {
        let mut hasher = crate::siphash::SipHasher24::new(1, 2);
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn the_first_key_takes_room_for_one() {
        assert_eq!(std::mem::size_of::<TimesBy<RewardId>>(), 24);
        assert_eq!(std::mem::size_of::<(RewardId, Vec<DateTime<Utc>>)>(), 48);
        let mut times = TimesBy::new();
        let at = DateTime::<Utc>::UNIX_EPOCH;
        times.push(&reward(1), at);
        times.push(&reward(1), at);
        assert_eq!(times.by.capacity(), 1);
        assert_eq!(times.of(&reward(1)), [at, at]);
        assert!(times.of(&reward(2)).is_empty());
    }

    proptest! {
        /// Whatever keys come, in whatever order, with times removed
        /// here and there, the list reads, compares and hashes as the
        /// ordered map it replaced.
        #[test]
        fn times_by_key_answer_as_an_ordered_map(
            steps in prop::collection::vec((0_u8..6, proptest::bool::weighted(0.2)), 0..40),
        ) {
            let mut list = TimesBy::new();
            let mut map: BTreeMap<RewardId, Vec<DateTime<Utc>>> = BTreeMap::new();
            for (i, (key, remove)) in steps.into_iter().enumerate() {
                let key = reward(key);
                let at = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::minutes(i as i64);
                if remove {
                    if let Some(times) = list.get_mut(&key) {
                        times.pop();
                    }
                    if let Some(times) = map.get_mut(&key) {
                        times.pop();
                    }
                } else {
                    list.push(&key, at);
                    map.entry(key.clone()).or_default().push(at);
                }
                for k in 0..6 {
                    let k = reward(k);
                    prop_assert_eq!(list.of(&k), map.get(&k).map_or(&[][..], Vec::as_slice));
                }
                prop_assert_eq!(fingerprint(&list), fingerprint(&map));
            }
        }
    }
}
