//! Records filed by reference: held in the order they were filed, each
//! with its reference, in [`Blocks`] that never move once full, and found
//! by reference through a hashed index of positions. A member's orders
//! and redemptions are held this way (each list with what few of its
//! records have kept beside it), and (through [`LazyKeyed`], allocated
//! with the first) their refunds, adjustments, transfers, rewarded
//! actions and membership references.
//!
//! A purchase or redemption asks for its reference before anything else
//! (the exactly-once check), and applying it asks and files it again. An
//! ordered map of references walked one node per level on cold memory,
//! its first node took some 400 bytes for a member's first record, and
//! filing into it moved the larger records of a node aside one by one.
//! The hashed index holds a member's first [`FEW`](super::hashed::FEW)
//! positions in place and past them finds most references in one probe
//! of a table that costs 4 to 8 bytes a record up to 2,048 records (16 to
//! 32 past them); filing appends to the list. A reference it cannot place within
//! [`MAX_PROBE`](super::hashed::MAX_PROBE) entries, as references chosen
//! to collide would be, goes into a small ordered map beside it instead,
//! so no choice of references makes a lookup slower than an ordered map.
//!
//! Each record's reference is held in 16 bytes beside it (a [`RefKey`]),
//! where a whole [`Reference`] takes 24: in the key itself when it is up
//! to 15 bytes, or up to 20 letters, digits, `-` and `_` packed six bits
//! a character; otherwise as its place in a text the list keeps beside
//! its records, allocated with the first such reference. A member's order
//! takes 48 bytes with its reference instead of 56, and a block of them
//! holds 64 orders in 3 KB. A lookup makes the key of the reference it is
//! asked for once and compares two words a record; filing one makes it
//! again.
//!
//! The records list by reference (for `==`, the fingerprint and `Debug`)
//! by sorting their positions when asked: they compare, hash and print
//! as the ordered map they replaced, whichever way each reference is
//! held.

use std::collections::BTreeMap;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::blocks::Blocks;
use super::hashed::Hashed;
use crate::Reference;
use crate::id::{Held, RefKey};

/// Records of type `V`, each filed under its own reference.
#[derive(Clone)]
pub(crate) struct Keyed<V> {
    /// The records with their references, in the order they were filed:
    /// each reference in 16 bytes (see [`RefKey`]), a long one's text in
    /// `beside`.
    records: Blocks<(RefKey, V)>,
    /// Each record's position in `records`, by hash: in place for the
    /// first few, then in a table at most half full.
    by_hash: Hashed,
    /// The text of references longer than a [`RefKey`] holds in place,
    /// and the positions of references the hashed index could not place,
    /// once there are any: behind a pointer, as both held in place would
    /// cost every member six words for what few have.
    beside: Option<Box<Beside>>,
}

/// What a [`Keyed`] list holds beside its records, once it holds any.
#[derive(Clone, Default)]
struct Beside {
    /// The positions of references the hashed index could not place.
    crowded: BTreeMap<Reference, u32>,
    /// The text of each reference longer than a [`RefKey`] holds in
    /// place, one after another, in the order filed.
    text: String,
}

impl<V> Default for Keyed<V> {
    fn default() -> Keyed<V> {
        Keyed::new()
    }
}

impl<V> Keyed<V> {
    /// No records.
    pub(crate) const fn new() -> Keyed<V> {
        Keyed {
            records: Blocks::new(),
            by_hash: Hashed::EMPTY,
            beside: None,
        }
    }

    /// The number of records.
    pub(crate) fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Where the record filed under `key`, whose quick hash is `hash`, is
    /// held: a reference of up to 15 bytes compared as the two words of
    /// its key (see [`find_longer`](Keyed::find_longer) for the others).
    /// Inlined into each lookup, as the comparison of whole references
    /// was.
    #[inline(always)]
    fn position_by(&self, hash: u64, key: &Reference) -> Option<usize> {
        let records = &self.records;
        let found = match RefKey::raw(key) {
            Some(raw) => self.by_hash.find(hash, |at| {
                records.get(at).is_some_and(|(held, _)| *held == raw)
            }),
            None => self.find_longer(hash, key),
        };
        found.or_else(|| {
            self.beside
                .as_deref()
                .and_then(|beside| beside.crowded.get(key))
                .and_then(|at| usize::try_from(*at).ok())
        })
    }

    /// Where in the hashed index the record filed under `key`, longer
    /// than 15 bytes, is held: compared as the words of its key when it
    /// packs, as text otherwise. Out of line, as the way few lookups take.
    #[inline(never)]
    fn find_longer(&self, hash: u64, key: &Reference) -> Option<usize> {
        let records = &self.records;
        match RefKey::packed(key) {
            Some(packed) => self.by_hash.find(hash, |at| {
                records.get(at).is_some_and(|(held, _)| *held == packed)
            }),
            None => self.by_hash.find(hash, |at| {
                records
                    .get(at)
                    .is_some_and(|(held, _)| self.is_long(*held, key))
            }),
        }
    }

    /// The text of the long references, one after another.
    fn text(&self) -> &str {
        self.beside.as_deref().map_or("", |beside| &beside.text)
    }

    /// Whether `held` holds `key`, a reference longer than a key holds in
    /// place.
    #[cold]
    fn is_long(&self, held: RefKey, key: &Reference) -> bool {
        match held.held() {
            Held::InPlace => false,
            Held::Long { at, len } => {
                self.text().get(at..at.saturating_add(len)) == Some(key.as_str())
            }
        }
    }

    /// The reference `held` holds (read from the list's text when it is
    /// long).
    pub(crate) fn reference(&self, held: RefKey) -> Reference {
        held.reference(self.text())
    }

    /// The reference of the record at position `at` of
    /// [`filed`](Keyed::filed).
    pub(crate) fn reference_at(&self, at: usize) -> Option<Reference> {
        self.records.get(at).map(|(held, _)| self.reference(*held))
    }

    /// Whether the record at position `at` of [`filed`](Keyed::filed) is
    /// filed under `key`.
    pub(crate) fn holds_at(&self, at: usize, key: &Reference) -> bool {
        self.records
            .get(at)
            .is_some_and(|(held, _)| match RefKey::in_place(key) {
                Some(short) => *held == short,
                None => self.is_long(*held, key),
            })
    }

    /// `key` as the records hold it: in place, or its text added to the
    /// list's (none when the text cannot say where it starts in 32
    /// bits).
    fn hold(&mut self, key: &Reference) -> Option<RefKey> {
        RefKey::raw(key).or_else(|| self.hold_longer(key))
    }

    /// `key`, longer than 15 bytes, as the records hold it: packed, or
    /// its text added to the list's.
    #[cold]
    #[inline(never)]
    fn hold_longer(&mut self, key: &Reference) -> Option<RefKey> {
        if let Some(packed) = RefKey::packed(key) {
            return Some(packed);
        }
        let text = &mut self.beside.get_or_insert_default().text;
        let adding = key.as_str();
        let held = RefKey::long(text.len(), adding.len())?;
        // Grown by half again, not doubled: the text is a few bytes of
        // every such record, and doubling left it up to half spare.
        if text.capacity().saturating_sub(text.len()) < adding.len() {
            text.reserve_exact(adding.len().max(text.len() / 2));
        }
        text.push_str(adding);
        Some(held)
    }

    /// The record filed under `key`.
    pub(crate) fn get(&self, key: &Reference) -> Option<&V> {
        self.get_hashed(key.quick_hash(), key)
    }

    /// Where in [`filed`](Keyed::filed) the record filed under `key` is
    /// held.
    pub(crate) fn position(&self, key: &Reference) -> Option<usize> {
        self.position_by(key.quick_hash(), key)
    }

    /// Where in [`filed`](Keyed::filed) the record filed under `key`,
    /// whose quick hash is `hash`, is held.
    pub(crate) fn position_hashed(&self, hash: u64, key: &Reference) -> Option<usize> {
        self.position_by(hash, key)
    }

    /// The record filed under `key`, whose quick hash is `hash`: for a
    /// caller that hands the hash on.
    pub(crate) fn get_hashed(&self, hash: u64, key: &Reference) -> Option<&V> {
        self.position_by(hash, key)
            .and_then(|at| self.records.get(at))
            .map(|(_, record)| record)
    }

    /// The record filed under `key`, to change.
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self, key: &Reference) -> Option<&mut V> {
        self.position_by(key.quick_hash(), key)
            .and_then(|at| self.records.get_mut(at))
            .map(|(_, record)| record)
    }

    /// Whether a record is filed under `key`.
    pub(crate) fn contains_key(&self, key: &Reference) -> bool {
        self.contains_hashed(key.quick_hash(), key)
    }

    /// Whether a record is filed under `key`, whose quick hash is `hash`:
    /// for a caller that goes on to [`insert_new`](Keyed::insert_new)
    /// without hashing the reference again.
    pub(crate) fn contains_hashed(&self, hash: u64, key: &Reference) -> bool {
        self.position_by(hash, key).is_some()
    }

    /// Files a record under `key`, unless one is filed there already (that
    /// one is kept as it was); says whether it was filed. An account
    /// refuses an event whose reference it knows before it changes
    /// anything, so it files only references it does not hold.
    pub(crate) fn insert(&mut self, key: Reference, record: V) -> bool {
        let hash = key.quick_hash();
        !self.contains_hashed(hash, &key) && self.insert_new(&key, hash, || record).is_some()
    }

    /// Files the record `make` makes under `key`, whose quick hash is
    /// `hash`, that the caller has just found not filed (with
    /// [`contains_hashed`](Keyed::contains_hashed)): the reference is not
    /// looked up a second time, and the record is made where it is kept
    /// (see [`Blocks::push_with`]). Says where in [`filed`](Keyed::filed)
    /// it was filed, if it was: four billion records under one member
    /// are not. Inlined: left to itself, the compiler kept it apart from
    /// the filing of an order in some builds, at some 10 instructions a
    /// purchase and an event replayed.
    #[inline]
    pub(crate) fn insert_new(
        &mut self,
        key: &Reference,
        hash: u64,
        make: impl FnOnce() -> V,
    ) -> Option<usize> {
        let position = self.records.len();
        let at = u32::try_from(position).ok().filter(|at| *at != u32::MAX)?;
        let held = self.hold(key)?;
        if self.by_hash.is_half_full(position) {
            self.grow();
        }
        if !self.by_hash.place(hash, at) {
            let beside = self.beside.get_or_insert_default();
            beside.crowded.insert(key.clone(), at);
        }
        self.records.push_with(|| (held, make()));
        Some(position)
    }

    /// Every record with its reference as held (see
    /// [`reference`](Keyed::reference)), in the order they were filed.
    pub(crate) fn filed(&self) -> &Blocks<(RefKey, V)> {
        &self.records
    }

    /// The record at position `at` of [`filed`](Keyed::filed), to change.
    pub(crate) fn filed_mut(&mut self, at: usize) -> Option<&mut V> {
        self.records.get_mut(at).map(|(_, record)| record)
    }

    /// Moves the hashed index to a table, or doubles it, and files the
    /// records it held again (into a table of 16-bit entries, under each
    /// record's key hashed again as it is held), those it cannot place
    /// beside it. Kept out
    /// of line, as the rare step it is: inlined, it moved the compiler's
    /// choices of what to inline on the path of every purchase.
    #[cold]
    #[inline(never)]
    fn grow(&mut self) {
        let mut unplaced = BTreeMap::new();
        let records = &self.records;
        let text = self.beside.as_deref().map_or("", |beside| &beside.text);
        let hashes = records.iter().map(|(held, _)| held.quick_hash(text));
        let regrown = self.by_hash.grow(0, hashes, |at| {
            if let Some((held, _)) = usize::try_from(at).ok().and_then(|i| records.get(i)) {
                unplaced.insert(held.reference(text), at);
            }
        });
        // A lookup that misses the index (every new reference's) asks the
        // ordered map beside it (an empty one reads no node); the box
        // goes once it holds neither references nor text.
        let crowded = self
            .beside
            .as_deref()
            .is_some_and(|b| !b.crowded.is_empty());
        if crowded || !unplaced.is_empty() {
            let beside = self.beside.get_or_insert_default();
            self.by_hash.settle_beside(
                regrown,
                &mut beside.crowded,
                unplaced,
                Reference::quick_hash,
            );
            if beside.crowded.is_empty() && beside.text.is_empty() {
                self.beside = None;
            }
        }
    }

    /// How many records are filed beside the hashed index.
    #[cfg(test)]
    pub(crate) fn crowded(&self) -> usize {
        self.beside
            .as_deref()
            .map_or(0, |beside| beside.crowded.len())
    }

    /// Every record with its reference, by reference.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Reference, &V)> {
        self.iter_placed().map(|(key, _, record)| (key, record))
    }

    /// Every record with its reference and its position in
    /// [`filed`](Keyed::filed), by reference.
    pub(crate) fn iter_placed(&self) -> impl Iterator<Item = (Reference, usize, &V)> {
        let mut sorted: Vec<(Reference, usize, &V)> = self
            .records
            .iter()
            .enumerate()
            .map(|(at, (held, record))| (self.reference(*held), at, record))
            .collect();
        sorted.sort_unstable_by(|(a, _, _), (b, _, _)| a.cmp(b));
        sorted.into_iter()
    }

    /// Whether the same references hold records `same` finds alike (each
    /// given with its position), whatever the order they were filed in:
    /// `==`, for records read through something beside them.
    pub(crate) fn eq_by(
        &self,
        other: &Keyed<V>,
        mut same: impl FnMut(usize, &V, usize, &V) -> bool,
    ) -> bool {
        self.len() == other.len()
            && self.iter_placed().zip(other.iter_placed()).all(
                |((key, at, record), (other_key, other_at, other_record))| {
                    key == other_key && same(at, record, other_at, other_record)
                },
            )
    }

    /// Hashes as a map from reference to record (its length, then each
    /// reference and record by reference), each record as `hash` hashes
    /// it, given its reference and position: the fingerprint, for records
    /// read through something beside them.
    pub(crate) fn hash_by<H: Hasher>(
        &self,
        state: &mut H,
        mut hash: impl FnMut(&Reference, usize, &V, &mut H),
    ) {
        state.write_usize(self.len());
        for (key, at, record) in self.iter_placed() {
            key.hash(state);
            hash(&key, at, record, state);
        }
    }
}

/// Equal when the same references hold equal records, whatever the order
/// they were filed in.
impl<V: PartialEq> PartialEq for Keyed<V> {
    fn eq(&self, other: &Keyed<V>) -> bool {
        self.eq_by(other, |_, record, _, other_record| record == other_record)
    }
}

impl<V: Eq> Eq for Keyed<V> {}

/// As a map from reference to record hashes (its length, then each
/// reference and record by reference): the ledger's fingerprint does not
/// depend on how the records are held.
impl<V: Hash> Hash for Keyed<V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.hash_by(state, |_, _, record, state| record.hash(state));
    }
}

impl<V: fmt::Debug> fmt::Debug for Keyed<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

/// Records filed by reference that most members never have (refunds,
/// adjustments, transfers, rewarded actions, membership references): nothing allocated until the first, then a [`Keyed`] list
/// behind one pointer. They compare, hash and print as that list does,
/// none allocated reading as empty.
#[derive(Clone)]
pub(crate) struct LazyKeyed<V>(Option<Box<Keyed<V>>>);

impl<V> Default for LazyKeyed<V> {
    fn default() -> LazyKeyed<V> {
        LazyKeyed::new()
    }
}

impl<V> LazyKeyed<V> {
    /// No records, nothing allocated.
    pub(crate) const fn new() -> LazyKeyed<V> {
        LazyKeyed(None)
    }

    /// The number of records.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.0.as_deref().map_or(0, Keyed::len)
    }

    /// The record filed under `key`.
    pub(crate) fn get(&self, key: &Reference) -> Option<&V> {
        self.0.as_deref()?.get(key)
    }

    /// The record filed under `key`, whose quick hash is `hash`.
    pub(crate) fn get_hashed(&self, hash: u64, key: &Reference) -> Option<&V> {
        self.0.as_deref()?.get_hashed(hash, key)
    }

    /// The record filed under `key`, to change.
    #[cfg(test)]
    pub(crate) fn get_mut(&mut self, key: &Reference) -> Option<&mut V> {
        self.0.as_deref_mut()?.get_mut(key)
    }

    /// Whether a record is filed under `key`.
    pub(crate) fn contains_key(&self, key: &Reference) -> bool {
        self.0.as_deref().is_some_and(|k| k.contains_key(key))
    }

    /// Whether a record is filed under `key`, whose quick hash is `hash`.
    pub(crate) fn contains_hashed(&self, hash: u64, key: &Reference) -> bool {
        self.0
            .as_deref()
            .is_some_and(|k| k.contains_hashed(hash, key))
    }

    /// As [`Keyed::insert`], allocating the list with the first record.
    pub(crate) fn insert(&mut self, key: Reference, record: V) -> bool {
        self.0.get_or_insert_default().insert(key, record)
    }

    /// As [`Keyed::insert_new`], allocating the list with the first record.
    pub(crate) fn insert_new(
        &mut self,
        key: &Reference,
        hash: u64,
        make: impl FnOnce() -> V,
    ) -> Option<usize> {
        self.0.get_or_insert_default().insert_new(key, hash, make)
    }

    /// Every record with its reference, by reference.
    #[cfg(test)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (Reference, &V)> {
        self.0.as_deref().into_iter().flat_map(Keyed::iter)
    }

    /// The record at position `at` of [`Keyed::filed`], none allocated
    /// reading as empty.
    pub(crate) fn filed_at(&self, at: usize) -> Option<&V> {
        self.0
            .as_deref()
            .and_then(|k| k.filed().get(at))
            .map(|(_, record)| record)
    }

    /// The reference of the record at position `at` of [`Keyed::filed`].
    pub(crate) fn reference_at(&self, at: usize) -> Option<Reference> {
        self.0.as_deref()?.reference_at(at)
    }
}

impl<V> LazyKeyed<V> {
    /// Compares as [`Keyed::eq_by`] does, none allocated reading as an
    /// empty list.
    pub(crate) fn eq_by(&self, other: &LazyKeyed<V>, mut same: impl FnMut(&V, &V) -> bool) -> bool {
        match (self.0.as_deref(), other.0.as_deref()) {
            (Some(a), Some(b)) => a.eq_by(b, |_, x, _, y| same(x, y)),
            (Some(records), None) | (None, Some(records)) => records.is_empty(),
            (None, None) => true,
        }
    }
}

/// As the lists compare, none allocated reading as an empty one.
impl<V: PartialEq> PartialEq for LazyKeyed<V> {
    fn eq(&self, other: &LazyKeyed<V>) -> bool {
        self.eq_by(other, V::eq)
    }
}

impl<V: Eq> Eq for LazyKeyed<V> {}

/// As the list would hash, an empty one when none is allocated.
impl<V: Hash> Hash for LazyKeyed<V> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.hash_by(state, |_, record, state| record.hash(state));
    }
}

impl<V> LazyKeyed<V> {
    /// Hashes as [`Keyed::hash_by`] does, as an empty list when none is
    /// allocated.
    pub(crate) fn hash_by<H: Hasher>(
        &self,
        state: &mut H,
        mut hash: impl FnMut(&Reference, &V, &mut H),
    ) {
        let hash = |key: &Reference, _, record: &V, state: &mut H| hash(key, record, state);
        match self.0.as_deref() {
            Some(records) => records.hash_by(state, hash),
            None => Keyed::<V>::new().hash_by(state, hash),
        }
    }
}

impl<V: fmt::Debug> fmt::Debug for LazyKeyed<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.as_deref() {
            Some(records) => records.fmt(f),
            None => f.debug_map().finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(text: &str) -> Reference {
        Reference::new(text).unwrap_or_else(|_| unreachable!("a valid reference"))
    }

    /// The fingerprint's hasher over `value`.
    fn fingerprint(value: &impl Hash) -> u64 {
        let mut hasher = crate::siphash::SipHasher24::new(1, 2);
        value.hash(&mut hasher);
        hasher.finish()
    }

    #[test]
    fn records_compare_and_hash_by_reference_whatever_order_they_were_filed_in() {
        let references = ["ORD-2", "ORD-10", "A-1", "ORD-1"].map(reference);
        let mut filed = Keyed::default();
        let mut reversed = Keyed::default();
        for (key, n) in references.iter().zip(1_i64..) {
            assert!(filed.insert(key.clone(), n));
        }
        let numbered: Vec<(&Reference, i64)> = references.iter().zip(1_i64..).collect();
        for (key, n) in numbered.into_iter().rev() {
            assert!(reversed.insert(key.clone(), n));
        }
        assert_eq!(filed, reversed);
        assert_eq!(fingerprint(&filed), fingerprint(&reversed));
        let listed: Vec<String> = filed.iter().map(|(r, _)| r.into()).collect();
        assert_eq!(listed, ["A-1", "ORD-1", "ORD-10", "ORD-2"]);
        let in_filing_order: Vec<String> = filed
            .filed()
            .iter()
            .map(|(r, _)| filed.reference(*r).into())
            .collect();
        assert_eq!(in_filing_order, ["ORD-2", "ORD-10", "A-1", "ORD-1"]);
        assert_eq!(format!("{filed:?}"), format!("{reversed:?}"));

        // A reference already filed keeps its record.
        let first = reference("ORD-2");
        assert!(!filed.insert(first.clone(), 99));
        assert_eq!(filed.len(), 4);
        assert_eq!(filed.get(&first), Some(&1));
        if let Some(n) = filed.get_mut(&first) {
            *n = 9;
        }
        assert_eq!(filed.get(&first), Some(&9));
        assert_eq!(filed.filed_mut(1).map(|n| *n), Some(2));
        assert!(filed.filed_mut(4).is_none());
        assert!(!filed.contains_key(&reference("never-filed")));
    }

    #[test]
    fn empty_records_hash_as_an_empty_map() {
        let empty: Keyed<i64> = Keyed::default();
        assert!(empty.is_empty());
        assert_eq!(
            fingerprint(&empty),
            fingerprint(&BTreeMap::<Reference, i64>::new())
        );
        let lazy: LazyKeyed<i64> = LazyKeyed::default();
        assert_eq!(fingerprint(&lazy), fingerprint(&empty));
        assert_eq!(format!("{lazy:?}"), "{}");
    }

    #[test]
    fn lazy_records_allocate_with_the_first_and_read_as_the_list() {
        let mut lazy: LazyKeyed<i64> = LazyKeyed::new();
        let mut listed: Keyed<i64> = Keyed::new();
        assert!(lazy.0.is_none());
        assert_eq!(lazy.get(&reference("A-1")), None);
        assert!(!lazy.contains_key(&reference("A-1")));
        assert!(lazy.get_mut(&reference("A-1")).is_none());
        assert!(lazy.0.is_none(), "reading allocates nothing");
        for (key, n) in [("B-2", 2), ("A-1", 1), ("C-3", 3)] {
            let key = reference(key);
            let hash = key.quick_hash();
            assert!(!lazy.contains_hashed(hash, &key));
            assert!(lazy.insert_new(&key, hash, || n).is_some());
            assert!(listed.insert(key, n));
        }
        assert!(
            !lazy.insert(reference("A-1"), 9),
            "a known reference keeps its record"
        );
        assert_eq!(lazy.len(), 3);
        assert_eq!(lazy.get(&reference("A-1")), Some(&1));
        if let Some(n) = lazy.get_mut(&reference("C-3")) {
            *n = 30;
        }
        if let Some(n) = listed.get_mut(&reference("C-3")) {
            *n = 30;
        }
        assert!(lazy.iter().eq(listed.iter()));
        assert_eq!(fingerprint(&lazy), fingerprint(&listed));
        assert_eq!(format!("{lazy:?}"), format!("{listed:?}"));
        let mut other: LazyKeyed<i64> = LazyKeyed::new();
        for (key, n) in [("C-3", 30), ("A-1", 1), ("B-2", 2)] {
            other.insert(reference(key), n);
        }
        assert!(lazy == other);
        assert!(LazyKeyed::<i64>::new() != other);
    }

    #[test]
    fn long_references_are_held_as_text_beside_the_records() {
        // Fifteen bytes are held in the key as text, twenty letters,
        // digits, '-' and '_' packed; past that, the text is held once,
        // beside the records, and the key says where.
        let texts = [
            "ORD-2026-00001",
            "ORD-2026-000001",
            "ORD-2026-0000001",
            "pi_3MtwBwLkdIwHu7ix28a3tqPa",
            "ORD/2026/0000002",
            "ORD-2026-00000000003",
        ];
        let mut records = Keyed::default();
        for (text, n) in texts.iter().zip(0_i64..) {
            assert!(records.insert(reference(text), n));
        }
        assert_eq!(
            records.text(),
            "pi_3MtwBwLkdIwHu7ix28a3tqPaORD/2026/0000002"
        );
        for (text, n) in texts.iter().zip(0_i64..) {
            let key = reference(text);
            assert_eq!(records.get(&key), Some(&n), "{text}");
            let at = usize::try_from(n).unwrap();
            assert_eq!(records.reference_at(at), Some(key.clone()));
            assert!(records.holds_at(at, &key));
            for other in ["ORD-2026-0000003", "ORD/2026/0000003", "ORD-1"] {
                assert!(!records.holds_at(at, &reference(other)));
            }
        }
        // A reference sharing another's start is not that one, however
        // each is held.
        for stranger in [
            "ORD-2026-000000",
            "ORD-2026-00000011",
            "ORD/2026/000000",
            "ORD/2026/00000022",
            "pi_3MtwBwLkdIwHu7ix28a3tqP",
        ] {
            assert!(!records.contains_key(&reference(stranger)), "{stranger}");
        }
        assert!(!records.insert(reference("ORD/2026/0000002"), 9));
        assert_eq!(records.text().len(), 43, "a known reference adds no text");
        assert_eq!(records.reference_at(6), None);
        // The text grows by half again, not by doubling.
        for n in 0..94 {
            records.insert(reference(&format!("ORD/2026/{n:09}")), n);
        }
        let text = &records.beside.as_deref().unwrap().text;
        assert_eq!(text.len(), 43 + 94 * 18);
        assert!(text.capacity() <= text.len() * 3 / 2, "{}", text.capacity());
    }

    #[test]
    fn references_the_hashed_index_cannot_place_are_found_beside_it() {
        // Forty references whose hashes share their top eight bits: each
        // starts its probe sequence at the same entry of every index up
        // to 256 entries, so past the sixteenth they cannot be placed.
        let crowd: Vec<Reference> = (0_u32..)
            .filter_map(|n| Reference::new(format!("C-{n}")).ok())
            .filter(|r| r.quick_hash() >> 56 == 0)
            .take(40)
            .collect();
        let mut records = Keyed::default();
        for (key, n) in crowd.iter().zip(0_i64..) {
            assert!(records.insert(key.clone(), n));
            // Every record filed so far is found, and it is its own.
            for (earlier, m) in crowd.iter().zip(0_i64..).take_while(|(_, m)| *m <= n) {
                assert_eq!(records.get(earlier), Some(&m));
            }
        }
        assert_eq!(records.len(), 40);
        assert_eq!(records.crowded(), 24);
        assert!(!records.contains_key(&reference("never-filed")));
        // A stranger from the same crowd is not found either.
        let stranger = (0_u32..)
            .filter_map(|n| Reference::new(format!("S-{n}")).ok())
            .find(|r| r.quick_hash() >> 56 == 0);
        assert!(stranger.is_some_and(|s| !records.contains_key(&s)));
        // They list by reference, as the ordered map did.
        let mut sorted = crowd.clone();
        sorted.sort();
        assert!(records.iter().map(|(r, _)| r).eq(sorted));
        // Four thousand more double the table to 16,384 entries, where the
        // crowd's hashes start at 64 entries, not one: each doubling files
        // again the references held beside the table where it now has
        // room (up to 4,096 entries from every record's key hashed again,
        // past them from the tags and the references held beside).
        let more: Vec<Reference> = (0..4_100).map(|n| reference(&format!("D-{n}"))).collect();
        for (key, n) in more.iter().zip(40_i64..) {
            assert!(records.insert(key.clone(), n));
        }
        assert_eq!(records.crowded(), 0);
        assert!(records.beside.is_none(), "nothing left beside");
        for (key, n) in crowd.iter().chain(&more).zip(0_i64..) {
            assert_eq!(records.get(key), Some(&n));
        }
    }

    proptest::proptest! {
        /// Records behave as the ordered map they replaced: each reference
        /// finds the record filed first under it, the others find nothing,
        /// they list by reference, and they compare, fingerprint and print
        /// as that map does, whatever order they were filed in.
        #[test]
        fn records_behave_as_an_ordered_map(
            filed in proptest::collection::vec("[A-C0-9-]{1,4}|[a-c]{14,17}|[a-c.]{16,18}|[a-c]{21,24}", 0..120),
            asked in proptest::collection::vec("[A-C0-9-]{1,5}|[a-c]{15,17}", 0..20),
        ) {
            let mut records = Keyed::default();
            let mut model: BTreeMap<Reference, i64> = BTreeMap::new();
            for (text, n) in filed.iter().zip(0_i64..) {
                let Ok(key) = Reference::new(text.as_str()) else { continue };
                let new = !model.contains_key(&key);
                proptest::prop_assert_eq!(records.insert(key.clone(), n), new);
                model.entry(key).or_insert(n);
            }
            proptest::prop_assert_eq!(records.len(), model.len());
            proptest::prop_assert_eq!(records.is_empty(), model.is_empty());
            for (key, n) in &model {
                proptest::prop_assert_eq!(records.get(key), Some(n));
            }
            for text in &asked {
                let Ok(key) = Reference::new(text.as_str()) else { continue };
                proptest::prop_assert_eq!(records.contains_key(&key), model.contains_key(&key));
            }
            proptest::prop_assert!(records.iter().eq(model.iter().map(|(r, n)| (r.clone(), n))));
            proptest::prop_assert_eq!(fingerprint(&records), fingerprint(&model));
            proptest::prop_assert_eq!(format!("{records:?}"), format!("{model:?}"));

            // The same records filed last first.
            let mut reversed = Keyed::default();
            for (key, n) in model.iter().rev() {
                reversed.insert(key.clone(), *n);
            }
            proptest::prop_assert!(records == reversed);
            proptest::prop_assert_eq!(fingerprint(&records), fingerprint(&reversed));
        }
    }
}
