//! [`Few`]: a list that holds its first item in place.
//!
//! Most of the lists an event carries have one item: a plain purchase's
//! breakdown has one part, an expiry or a clawback draws from one lot.
//! Held in a `Vec`, each allocated a few bytes on the heap, and a tick
//! expiring thousands of members' lots spent much of its time allocating
//! and freeing them. Two items, and the longer lists the engine copies
//! from its plans (a redemption's draws), are held in one allocation the
//! list's clones share, so that a receipt's copy of its event's list (a
//! purchase on a tier with a multiplier has two parts) counts a reference
//! instead of allocating.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::marker::PhantomData;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

use serde::de::{SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A list that holds a single item in place, without allocating; two items
/// pushed, collected or read go into one shared allocation (an
/// `Arc<[T]>`), which clones of the list share instead of copying, as do
/// the longer lists the engine plans (a redemption's draws from many
/// lots); more pushed, collected or read, or a `Vec` converted with
/// `into()`, are held in a `Vec`. The type behind
/// [`EarnLines`] (an award's parts) and [`Draws`] (the lots an event draws
/// from).
///
/// It reads as a slice (`len`, indexing, `iter`, `first`, pattern matching
/// through [`as_slice`](Few::as_slice)), compares, hashes, prints with
/// `{:?}` and serialises exactly as a `Vec` of the same items, and is
/// built from one with `into()` or `collect()`. Changing a list of two
/// (`push`, [`as_mut_slice`](Few::as_mut_slice)) or taking its items by
/// value copies them out of their shared allocation, so those ask for
/// `T: Clone`.
///
/// [`EarnLines`]: crate::EarnLines
/// [`Draws`]: crate::Draws
///
/// # Example
///
/// ```
/// use loyalty::Few;
///
/// let mut few: Few<u32> = Few::new();
/// few.push(7);
/// assert_eq!(few.as_slice(), &[7]);
/// few.push(8);
/// assert_eq!(few.len(), 2);
/// assert_eq!(few, vec![7, 8]);
/// assert_eq!(serde_json::to_string(&few)?, "[7,8]");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone)]
pub struct Few<T>(Held<T>);

/// How the items are held.
#[derive(Clone)]
enum Held<T> {
    None,
    One(T),
    /// Two or more in one allocation, shared among the list's clones: an
    /// award's base line and its tier's multiplier, shared by the event
    /// and its receipt; a redemption's draws, shared by the event, its
    /// receipt and the account's record of it.
    Shared(Arc<[T]>),
    /// Three or more pushed, collected or read, or two or more converted
    /// from a `Vec`.
    Many(Vec<T>),
}

impl<T> Few<T> {
    /// No items.
    pub const fn new() -> Few<T> {
        Few(Held::None)
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.as_slice().len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }

    /// The items, as a slice.
    pub fn as_slice(&self) -> &[T] {
        match &self.0 {
            Held::None => &[],
            Held::One(item) => std::slice::from_ref(item),
            Held::Shared(items) => items,
            Held::Many(items) => items,
        }
    }

    /// The items `next` gives until it gives none, held as `collect`
    /// holds them (two in one shared allocation, more in a `Vec` made
    /// with room for the `expected` number, when that is more than
    /// three); the first error stops it. What collecting and reading a
    /// list go through.
    pub(crate) fn try_from_fn<E>(
        expected: usize,
        mut next: impl FnMut() -> Result<Option<T>, E>,
    ) -> Result<Few<T>, E> {
        let Some(first) = next()? else {
            return Ok(Few::new());
        };
        let Some(second) = next()? else {
            return Ok(Few(Held::One(first)));
        };
        let Some(third) = next()? else {
            return Ok(Few(Held::Shared(Arc::new([first, second]))));
        };
        let mut all = Vec::with_capacity(expected.max(3));
        all.extend([first, second, third]);
        while let Some(item) = next()? {
            all.push(item);
        }
        Ok(Few(Held::Many(all)))
    }
}

impl<T: Clone> Few<T> {
    /// The items, as a mutable slice: copied first when another clone of
    /// the list shares them.
    pub fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.0 {
            Held::None => &mut [],
            Held::One(item) => std::slice::from_mut(item),
            Held::Shared(items) => Arc::make_mut(items),
            Held::Many(items) => items,
        }
    }

    /// Adds an item at the end. A second item moves both into one shared
    /// allocation, a third copies them into a `Vec`.
    pub fn push(&mut self, item: T) {
        let grown = match std::mem::replace(&mut self.0, Held::None) {
            Held::None => Held::One(item),
            Held::One(first) => Held::Shared(Arc::new([first, item])),
            Held::Shared(two) => {
                let mut items = Vec::with_capacity(4);
                items.extend_from_slice(&two);
                items.push(item);
                Held::Many(items)
            }
            Held::Many(mut items) => {
                items.push(item);
                Held::Many(items)
            }
        };
        // What is replaced is the `None` put there above, which holds
        // nothing to drop: forgotten, so that no call to drop it is made
        // (the compiler did not always see it was empty, and called the
        // list's drop on every push).
        std::mem::forget(std::mem::replace(&mut self.0, grown));
    }

    /// The items, copied: what a list planned on the stack becomes. One
    /// item is held in place; two or more go into one shared allocation
    /// of their number, so that the copies a redemption's draws are
    /// handed to (its receipt, the account's record) count a reference
    /// instead of allocating and copying nine draws each. One copy of the
    /// slice, where collecting it takes its items one at a time (about
    /// 100 instructions more for nine draws).
    pub(crate) fn from_slice(items: &[T]) -> Few<T> {
        match items {
            [] => Few::new(),
            [item] => Few(Held::One(item.clone())),
            _ => Few(Held::Shared(Arc::from(items))),
        }
    }

    /// The items in one allocation that clones share: the list's own when
    /// it has one, or a copy (a single item, or a `Vec`'s items).
    pub(crate) fn shared(&self) -> Arc<[T]> {
        match &self.0 {
            Held::Shared(items) => Arc::clone(items),
            _ => Arc::from(self.as_slice()),
        }
    }

    /// The list of the items `shared` holds, sharing them.
    pub(crate) fn from_shared(items: Arc<[T]>) -> Few<T> {
        match &*items {
            [] => Few::new(),
            [item] => Few(Held::One(item.clone())),
            _ => Few(Held::Shared(items)),
        }
    }

    /// The items, as a `Vec` (two are copied out of their shared
    /// allocation).
    pub fn into_vec(self) -> Vec<T> {
        match self.0 {
            Held::None => Vec::new(),
            Held::One(item) => vec![item],
            Held::Shared(items) => items.to_vec(),
            Held::Many(items) => items,
        }
    }
}

impl<T> Default for Few<T> {
    fn default() -> Few<T> {
        Few::new()
    }
}

impl<T> Deref for Few<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T: Clone> DerefMut for Few<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        self.as_mut_slice()
    }
}

impl<T> AsRef<[T]> for Few<T> {
    fn as_ref(&self) -> &[T] {
        self.as_slice()
    }
}

impl<T> From<T> for Few<T> {
    fn from(item: T) -> Few<T> {
        Few(Held::One(item))
    }
}

/// Two or more items stay in the `Vec`, without copying.
impl<T> From<Vec<T>> for Few<T> {
    fn from(mut items: Vec<T>) -> Few<T> {
        if items.len() > 1 {
            return Few(Held::Many(items));
        }
        match items.pop() {
            Some(item) => Few(Held::One(item)),
            None => Few(Held::None),
        }
    }
}

impl<T: Clone> From<Few<T>> for Vec<T> {
    fn from(few: Few<T>) -> Vec<T> {
        few.into_vec()
    }
}

/// Two items go into one shared allocation, more into a `Vec`.
impl<T> FromIterator<T> for Few<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Few<T> {
        let mut items = iter.into_iter();
        let expected = items.size_hint().0;
        let Ok(few) =
            Few::try_from_fn(expected, || Ok::<_, std::convert::Infallible>(items.next()));
        few
    }
}

impl<T: Clone> Extend<T> for Few<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, iter: I) {
        for item in iter {
            self.push(item);
        }
    }
}

impl<'a, T> IntoIterator for &'a Few<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.as_slice().iter()
    }
}

/// Two items are copied out of their shared allocation.
impl<T: Clone> IntoIterator for Few<T> {
    type Item = T;
    type IntoIter = FewIntoIter<T>;

    fn into_iter(self) -> FewIntoIter<T> {
        FewIntoIter(match self.0 {
            Held::None => Owned::One(None.into_iter()),
            Held::One(item) => Owned::One(Some(item).into_iter()),
            // The iterator owns its items: the shared list is let go here.
            #[allow(clippy::unnecessary_to_owned)]
            Held::Shared(items) => Owned::Many(items.to_vec().into_iter()),
            Held::Many(items) => Owned::Many(items.into_iter()),
        })
    }
}

/// The items of a [`Few`], by value: what its `into_iter` gives.
#[derive(Debug, Clone)]
pub struct FewIntoIter<T>(Owned<T>);

#[derive(Debug, Clone)]
enum Owned<T> {
    One(std::option::IntoIter<T>),
    Many(std::vec::IntoIter<T>),
}

impl<T> Iterator for FewIntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        match &mut self.0 {
            Owned::One(item) => item.next(),
            Owned::Many(items) => items.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match &self.0 {
            Owned::One(item) => item.size_hint(),
            Owned::Many(items) => items.size_hint(),
        }
    }
}

impl<T> DoubleEndedIterator for FewIntoIter<T> {
    fn next_back(&mut self) -> Option<T> {
        match &mut self.0 {
            Owned::One(item) => item.next_back(),
            Owned::Many(items) => items.next_back(),
        }
    }
}

impl<T> ExactSizeIterator for FewIntoIter<T> {}

impl<T> std::iter::FusedIterator for FewIntoIter<T> {}

impl<T: fmt::Debug> fmt::Debug for Few<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_slice(), f)
    }
}

/// Lists compare as the slices they read as: how the items are held is
/// not part of what they say.
impl<T: PartialEq> PartialEq for Few<T> {
    fn eq(&self, other: &Few<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: Eq> Eq for Few<T> {}

impl<T: PartialEq> PartialEq<[T]> for Few<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq> PartialEq<Vec<T>> for Few<T> {
    fn eq(&self, other: &Vec<T>) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T; N]> for Few<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// Hashes as the slice (its length, then each item), as a `Vec` of the
/// same items does: the ledger's fingerprint does not depend on how the
/// items are held.
impl<T: Hash> Hash for Few<T> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_slice().hash(state);
    }
}

impl<T: Serialize> Serialize for Few<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.as_slice())
    }
}

/// How many items to make room for when a list being read says it holds
/// `hint`: no more than a mebibyte's worth, as the length written in the
/// input is not to be trusted.
pub(crate) fn cautious<T>(hint: Option<usize>) -> usize {
    const MEBIBYTE: usize = 1 << 20;
    let most = MEBIBYTE
        .checked_div(std::mem::size_of::<T>())
        .unwrap_or(MEBIBYTE);
    hint.unwrap_or(0).min(most)
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Few<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Few<T>, D::Error> {
        struct Items<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Few<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list")
            }

            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Few<T>, A::Error> {
                Few::try_from_fn(cautious::<T>(seq.size_hint()), || seq.next_element())
            }
        }

        deserializer.deserialize_seq(Items(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{EarnLine, EarnSource, LotDraw, LotId, Points};
    use proptest::prelude::*;
    use std::hash::BuildHasher;

    fn bonus(points: i64) -> EarnLine {
        EarnLine::Bonus {
            source: EarnSource::SignUp,
            points: Points::new(points),
        }
    }

    #[test]
    fn a_list_being_read_makes_room_for_no_more_than_a_mebibyte() {
        assert_eq!(cautious::<u64>(None), 0);
        assert_eq!(cautious::<u64>(Some(5)), 5);
        // A length written in the input is not trusted past 1 MiB.
        assert_eq!(cautious::<u64>(Some(usize::MAX)), 131_072);
        assert_eq!(cautious::<()>(Some(usize::MAX)), 1 << 20);
        // A list made with room for what it expects holds its items as
        // one grown would.
        let mut items = [7_u32, 8, 9, 10].into_iter();
        let Ok(few) = Few::try_from_fn(4, || Ok::<_, std::convert::Infallible>(items.next()));
        assert_eq!(few, vec![7, 8, 9, 10]);
    }

    fn hash_of<T: Hash + ?Sized>(value: &T) -> u64 {
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(value)
    }

    /// Whatever is pushed, collected or converted, the items read, compare,
    /// hash, print and serialise as the `Vec` they replaced.
    fn behaves_as_a_vec<T>(list: &[T], split: usize) -> Result<(), TestCaseError>
    where
        T: Clone + PartialEq + Hash + fmt::Debug + Serialize + for<'de> Deserialize<'de>,
    {
        let vec = list.to_vec();
        let mut pushed = Few::new();
        for item in list {
            pushed.push(item.clone());
        }
        let (head, tail) = list.split_at(split.min(list.len()));
        let mut extended: Few<T> = head.iter().cloned().collect();
        extended.extend(tail.iter().cloned());
        for few in [pushed, extended, Few::from(vec.clone())] {
            prop_assert_eq!(few.as_slice(), list);
            prop_assert_eq!(&few, &vec);
            prop_assert_eq!((few.len(), few.is_empty()), (vec.len(), vec.is_empty()));
            prop_assert_eq!(hash_of(&few), hash_of(&vec));
            prop_assert_eq!(format!("{few:?}"), format!("{vec:?}"));
            let json = serde_json::to_string(&few).unwrap_or_default();
            prop_assert_eq!(&json, &serde_json::to_string(&vec).unwrap_or_default());
            let read: Few<T> = serde_json::from_str(&json).unwrap_or_default();
            prop_assert_eq!(&read, &few);
            prop_assert_eq!((&few).into_iter().count(), vec.len());
            prop_assert_eq!(few.clone().into_iter().rev().count(), vec.len());
            prop_assert_eq!(few.clone().into_vec(), vec.clone());
            prop_assert_eq!(Vec::from(few.clone()), vec.clone());
            prop_assert_eq!(few.into_iter().collect::<Vec<_>>(), vec.clone());
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn earning_parts_behave_as_the_vec_they_replaced(
            points in proptest::collection::vec(0_i64..100, 0..5),
            split in 0_usize..5,
        ) {
            let parts: Vec<EarnLine> = points.into_iter().map(bonus).collect();
            behaves_as_a_vec(&parts, split)?;
        }

        #[test]
        fn draws_behave_as_the_vec_they_replaced(
            draws in proptest::collection::vec(
                (1_u64..6, proptest::option::of(0_i64..1_000_000), 1_i64..100),
                0..5,
            ),
            split in 0_usize..5,
        ) {
            let draws: Vec<LotDraw> = draws
                .into_iter()
                .map(|(lot, expires, points)| {
                    let expires_at = expires.and_then(|s| chrono::DateTime::from_timestamp(s, 0));
                    LotDraw::new(LotId::new(lot), expires_at, Points::new(points))
                })
                .collect();
            behaves_as_a_vec(&draws, split)?;
        }
    }

    #[test]
    fn one_item_is_held_in_place_a_second_shares_them_and_a_third_lists_them() {
        let mut lines = Few::from(bonus(1));
        assert!(matches!(lines.0, Held::One(_)));
        lines.push(bonus(2));
        assert!(matches!(&lines.0, Held::Shared(v) if v.len() == 2));
        lines[0] = bonus(5);
        assert_eq!(lines.first().map(EarnLine::points), Some(Points::new(5)));
        lines.push(bonus(3));
        assert!(matches!(&lines.0, Held::Many(v) if v.len() == 3));
        let collected: Few<u8> = (0..3).collect();
        assert!(matches!(&collected.0, Held::Many(v) if v.len() == 3));
        assert!(matches!(Few::<u8>::from(vec![1, 2]).0, Held::Many(_)));
        assert!(matches!(
            Few::<EarnLine>::from(vec![bonus(1)]).0,
            Held::One(_)
        ));
        assert!(matches!(Few::<EarnLine>::from(Vec::new()).0, Held::None));
        let read: Few<u8> = serde_json::from_str("[3]").unwrap_or_default();
        assert!(matches!(read.0, Held::One(3)));
    }

    /// A receipt's copy of its event's two award lines shares them; a
    /// clone that changes copies them first, and the other keeps its own.
    #[test]
    fn clones_of_a_pair_share_it_until_one_changes() {
        let mut lines: Few<EarnLine> = [bonus(1), bonus(2)].into_iter().collect();
        let copy = lines.clone();
        let shared = |a: &Few<EarnLine>, b: &Few<EarnLine>| matches!((&a.0, &b.0), (Held::Shared(a), Held::Shared(b)) if Arc::ptr_eq(a, b));
        assert!(shared(&lines, &copy));
        lines[0] = bonus(5);
        assert!(!shared(&lines, &copy));
        assert_eq!(copy, [bonus(1), bonus(2)]);
        assert_eq!(lines, [bonus(5), bonus(2)]);

        let again = lines.clone();
        lines.push(bonus(3));
        assert_eq!(again, [bonus(5), bonus(2)]);
        assert_eq!(lines, [bonus(5), bonus(2), bonus(3)]);
        assert_eq!(again.clone().into_vec(), vec![bonus(5), bonus(2)]);
        assert_eq!(again.len(), 2);

        // Read from JSON, two items take one allocation as `collect`'s do.
        let read: Few<u8> = serde_json::from_str("[3, 4]").unwrap_or_default();
        assert!(matches!(&read.0, Held::Shared(items) if **items == [3, 4]));
    }

    /// A list copied from a slice (a redemption's draws, planned on the
    /// stack) holds one item in place and two or more in one allocation
    /// its clones share; it reads, compares and serialises as the same
    /// items collected, and changing a clone leaves the others alone.
    #[test]
    fn a_list_from_a_slice_is_shared_by_its_clones() {
        for n in [0_u32, 1, 2, 3, 9, 40] {
            let items: Vec<u32> = (1..=n).collect();
            let copied = Few::from_slice(&items);
            let collected: Few<u32> = items.iter().copied().collect();
            match (n, &copied.0) {
                (0, Held::None) | (1, Held::One(_)) => {}
                (_, Held::Shared(held)) if n >= 2 => assert_eq!(held.len(), items.len()),
                _ => panic!("{n} items are not held as expected"),
            }
            assert_eq!(copied, items);
            assert_eq!(copied, collected);
            assert_eq!(copied.len(), items.len());
            let as_json = |few: &Few<u32>| serde_json::to_string(few).unwrap_or_default();
            assert_eq!(as_json(&copied), as_json(&collected));

            let mut changed = copied.clone();
            if n >= 2 {
                assert!(matches!(
                    (&copied.0, &changed.0),
                    (Held::Shared(a), Held::Shared(b)) if Arc::ptr_eq(a, b)
                ));
            }
            changed.push(0);
            if let Some(first) = changed.first_mut() {
                *first = 99;
            }
            assert_eq!(copied, items, "{n} items: the original is unchanged");
            assert_eq!(changed.len(), items.len() + 1);
        }
    }

    /// The allocation a list's items are handed on in (a redemption's
    /// record keeps its draws so) is the list's own when it shares one,
    /// a copy otherwise; the list made back from it reads the same and
    /// holds no more than one item in place.
    #[test]
    fn a_shared_allocation_hands_the_items_on() {
        for n in [0_u32, 1, 2, 3, 9] {
            let items: Vec<u32> = (1..=n).collect();
            for list in [Few::from_slice(&items), Few::from(items.clone())] {
                let shared = list.shared();
                assert_eq!(&shared[..], &items[..]);
                if let Held::Shared(own) = &list.0 {
                    assert!(Arc::ptr_eq(own, &shared), "{n} items: not copied");
                }
                let back = Few::from_shared(Arc::clone(&shared));
                assert_eq!(back, items);
                match (n, &back.0) {
                    (0, Held::None) | (1, Held::One(_)) => {}
                    (_, Held::Shared(held)) if n >= 2 => assert!(Arc::ptr_eq(held, &shared)),
                    _ => panic!("{n} items are not held as expected"),
                }
            }
        }
    }

    #[test]
    fn what_is_not_a_list_is_refused() {
        let error = serde_json::from_str::<Few<EarnLine>>(r#"{"rule": "bonus"}"#)
            .err()
            .map(|e| e.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|e| e.contains("expected a list")),
            "{error:?}"
        );
        assert!(serde_json::from_str::<Few<LotDraw>>(r#"[{"lot": 1}]"#).is_err());
    }
}
