//! When each custom action was rewarded (the times an action's
//! frequency counts), and which rewards a member redeemed and how many
//! of each redemption stand (a reward's uses are read off the
//! redemptions' records; see [`RewardsUsed`]).
//!
//! Held in one list, not an ordered map: a member redeems a few of the
//! catalogue's rewards and does a few kinds of action, and a map's first
//! node took about 540 bytes (room for eleven keys and their lists) for
//! the first. The list takes room for one key, 48 bytes, then doubles.
//! Keys stay where they were first filed, so a redemption's record names
//! its reward by its place in the list (4 bytes where the id took 24);
//! they are found by walking the list, which holds a few.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use crate::RewardId;

/// The rewards a member redeemed, each where it was first filed, with
/// how many of its redemptions stand (cancelled ones taken off).
///
/// A redemption's record names its reward by its place here (4 bytes
/// where the id takes 24), and keeps its own time: a usage limit counts
/// the records of the reward's uses, newest first, back to the limit's
/// period (see `RewardUses` in the account), or reads the count here
/// for a limit in all. The times used to be kept here as well, 12 bytes
/// a redemption in a list per reward, doubling as it grew.
#[derive(Debug, Clone, Default)]
pub(crate) struct RewardsUsed {
    by: Vec<(RewardId, u32)>,
}

impl RewardsUsed {
    /// No reward redeemed yet.
    pub(crate) const fn new() -> RewardsUsed {
        RewardsUsed { by: Vec::new() }
    }

    /// Where `reward` was filed, if it has been.
    pub(crate) fn place(&self, reward: &RewardId) -> Option<usize> {
        self.by.iter().position(|(r, _)| r == reward)
    }

    /// The reward filed at `place`.
    pub(crate) fn key(&self, place: usize) -> Option<&RewardId> {
        self.by.get(place).map(|(reward, _)| reward)
    }

    /// How many of the redemptions of `reward` stand.
    pub(crate) fn count(&self, reward: &RewardId) -> u32 {
        self.by
            .iter()
            .find(|(r, _)| r == reward)
            .map_or(0, |(_, count)| *count)
    }

    /// Counts a redemption of `reward` and says where the reward is
    /// filed. A new reward goes at the end; the first gets room for one.
    pub(crate) fn redeemed(&mut self, reward: &RewardId) -> usize {
        if let Some(found) = self.place(reward) {
            if let Some((_, count)) = self.by.get_mut(found) {
                *count = count.saturating_add(1);
            }
            return found;
        }
        if self.by.capacity() == 0 {
            self.by.reserve_exact(1);
        }
        let place = self.by.len();
        self.by.push((reward.clone(), 1));
        place
    }

    /// Takes a cancelled redemption of the reward filed at `place` off
    /// its count.
    pub(crate) fn cancelled(&mut self, place: usize) {
        if let Some((_, count)) = self.by.get_mut(place) {
            *count = count.saturating_sub(1);
        }
    }

    /// Every reward, where it was filed.
    pub(crate) fn rewards(&self) -> impl Iterator<Item = &RewardId> {
        self.by.iter().map(|(reward, _)| reward)
    }
}

/// Times by key, each key's oldest first; each key once, where it was
/// first filed.
///
/// Compares and hashes as the ordered map it replaced did (the same
/// pairs in key order, after the same length), whatever order the keys
/// were filed in, so the ledger's fingerprint did not change with it.
#[derive(Debug, Clone)]
pub(crate) struct TimesBy<K> {
    by: Vec<(K, Vec<DateTime<Utc>>)>,
}

impl<K: Ord + Clone> TimesBy<K> {
    /// No times yet.
    pub(crate) const fn new() -> TimesBy<K> {
        TimesBy { by: Vec::new() }
    }

    /// Where `key` was filed, if it has been.
    pub(crate) fn place(&self, key: &K) -> Option<usize> {
        self.by.iter().position(|(k, _)| k == key)
    }

    /// The key filed at `place`.
    #[cfg(test)]
    fn key(&self, place: usize) -> Option<&K> {
        self.by.get(place).map(|(key, _)| key)
    }

    /// The times of `key`, oldest first (none for a key never seen).
    pub(crate) fn of(&self, key: &K) -> &[DateTime<Utc>] {
        self.place(key)
            .and_then(|at| self.by.get(at))
            .map_or(&[], |(_, times)| times.as_slice())
    }

    /// The times of `key`, to change, if it has been seen.
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self, key: &K) -> Option<&mut Vec<DateTime<Utc>>> {
        let at = self.place(key)?;
        self.by.get_mut(at).map(|(_, times)| times)
    }

    /// Adds `at` to `key`'s times, after those there (times come in
    /// order), and says where the key is filed. A new key goes at the
    /// end; the first gets room for one.
    pub(crate) fn push(&mut self, key: &K, at: DateTime<Utc>) -> usize {
        if let Some(found) = self.place(key) {
            if let Some((_, times)) = self.by.get_mut(found) {
                times.push(at);
            }
            return found;
        }
        if self.by.capacity() == 0 {
            self.by.reserve_exact(1);
        }
        // Room for four times, as a list's first push makes.
        let mut times = Vec::with_capacity(4);
        times.push(at);
        let place = self.by.len();
        self.by.push((key.clone(), times));
        place
    }

    /// The keys with their times, in key order: what comparing and
    /// hashing a list of two keys or more read (most hold one or none).
    fn sorted(&self) -> Vec<&(K, Vec<DateTime<Utc>>)> {
        let mut sorted: Vec<_> = self.by.iter().collect();
        sorted.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        sorted
    }
}

impl<K: Ord + Clone> Default for TimesBy<K> {
    fn default() -> TimesBy<K> {
        TimesBy::new()
    }
}

/// Equal when the same keys hold the same times, whatever order the
/// keys were filed in.
impl<K: Ord + Clone> PartialEq for TimesBy<K> {
    fn eq(&self, other: &TimesBy<K>) -> bool {
        self.by.len() == other.by.len()
            && match (self.by.as_slice(), other.by.as_slice()) {
                ([], []) => true,
                ([a], [b]) => a == b,
                _ => self.sorted() == other.sorted(),
            }
    }
}

impl<K: Ord + Clone> Eq for TimesBy<K> {}

/// As the ordered map hashed: its length, then each key and its times in
/// key order.
impl<K: Ord + Clone + Hash> Hash for TimesBy<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        if self.by.len() <= 1 {
            self.by.hash(state);
        } else {
            self.sorted().hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

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
    fn rewards_stay_where_first_filed_and_count_their_standing_uses() {
        assert_eq!(std::mem::size_of::<(RewardId, u32)>(), 32);
        let mut used = RewardsUsed::new();
        assert_eq!(used.redeemed(&reward(2)), 0);
        assert_eq!(used.by.capacity(), 1, "room for one first");
        assert_eq!(used.redeemed(&reward(1)), 1);
        assert_eq!(used.redeemed(&reward(2)), 0);
        assert_eq!((used.count(&reward(2)), used.count(&reward(1))), (2, 1));
        used.cancelled(0);
        used.cancelled(1);
        used.cancelled(1);
        used.cancelled(7);
        assert_eq!((used.count(&reward(2)), used.count(&reward(1))), (1, 0));
        assert_eq!(used.count(&reward(3)), 0);
        // A reward whose uses were all cancelled keeps its place.
        assert_eq!(used.place(&reward(1)), Some(1));
        assert_eq!(used.key(1), Some(&reward(1)));
        assert_eq!(used.rewards().collect::<Vec<_>>(), [&reward(2), &reward(1)]);
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

    #[test]
    fn lists_compare_by_key_whatever_order_their_keys_were_filed_in() {
        let (at, later) = (
            DateTime::<Utc>::UNIX_EPOCH,
            DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(1),
        );
        let filed = |pairs: &[(u8, DateTime<Utc>)]| {
            let mut list = TimesBy::new();
            for (key, at) in pairs {
                list.push(&reward(*key), *at);
            }
            list
        };
        let in_turn = filed(&[(1, at), (2, later)]);
        assert_eq!(in_turn, filed(&[(2, later), (1, at)]));
        assert_eq!(
            fingerprint(&in_turn),
            fingerprint(&filed(&[(2, later), (1, at)]))
        );
        for other in [
            filed(&[(2, at), (1, later)]),
            filed(&[(1, at)]),
            filed(&[(1, at), (2, later), (3, later)]),
            filed(&[(1, at), (2, later), (2, later)]),
        ] {
            assert_ne!(in_turn, other);
            assert_ne!(fingerprint(&in_turn), fingerprint(&other));
        }
        assert_ne!(filed(&[(1, at)]), filed(&[(2, at)]));
        assert_eq!(filed(&[]), TimesBy::new());
    }

    proptest! {
        /// Whatever keys come, in whatever order, with times removed
        /// here and there, the list reads, compares and hashes as the
        /// ordered map it replaced, equal to the list filed in key order,
        /// and each key stays where it was first filed.
        #[test]
        fn times_by_key_answer_as_an_ordered_map(
            steps in prop::collection::vec((0_u8..6, proptest::bool::weighted(0.2)), 0..40),
        ) {
            let mut list = TimesBy::new();
            let mut map: BTreeMap<RewardId, Vec<DateTime<Utc>>> = BTreeMap::new();
            let mut first_filed: Vec<RewardId> = Vec::new();
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
                    let place = list.push(&key, at);
                    if !first_filed.contains(&key) {
                        first_filed.push(key.clone());
                    }
                    prop_assert_eq!(first_filed.get(place), Some(&key));
                    map.entry(key.clone()).or_default().push(at);
                }
                for (place, key) in first_filed.iter().enumerate() {
                    prop_assert_eq!(list.place(key), Some(place));
                    prop_assert_eq!(list.key(place), Some(key));
                }
                let in_key_order = TimesBy {
                    by: map.iter().map(|(k, times)| (k.clone(), times.clone())).collect(),
                };
                prop_assert_eq!(&list, &in_key_order);
                prop_assert_eq!(fingerprint(&list), fingerprint(&in_key_order));
                for k in 0..6 {
                    let k = reward(k);
                    prop_assert_eq!(list.of(&k), map.get(&k).map_or(&[][..], Vec::as_slice));
                }
                prop_assert_eq!(fingerprint(&list), fingerprint(&map));
            }
        }
    }
}
