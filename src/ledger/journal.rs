//! A member's journal: every balance movement, in order, for statements,
//! balances as of a past time and earn limits per period.
//!
//! A purchase's entry (the one entry every member's purchases write) is
//! the order's position alone: its time, points and reference are read
//! off the order's record, which is never changed in those. The lines
//! are held as runs: a run of purchases at consecutive positions of the
//! orders is two numbers, its first position and its length, so a member
//! who only buys holds one run however many orders they place, in place
//! in the journal, and a purchase's entry takes no memory of its own. Any
//! other entry is held in full beside the runs, 40 bytes, naming its
//! record by position in the member's list of them (a redemption, a
//! refund, an adjustment) or keeping its reference in a list of its own. Entries read,
//! compare and hash as [`Posting`]s, so the ledger's fingerprint does not
//! depend on how they are held.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use super::account::{EntryKind, Posting};
use super::keyed::LazyKeyed;
use super::orders::Orders;
use crate::{Points, Reference};

/// Every balance movement of one member, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    /// The newest run of lines; empty when there are none.
    last: Run,
    /// The runs before it and the entries held in full, with their
    /// references, allocated with the first of either: one pointer for a
    /// member who only buys.
    held: Option<Box<Held>>,
}

/// One entry, as the journal reads it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Line {
    /// The earning of the order at this position of the member's orders,
    /// read off its record.
    Earned(u32),
    /// The next entry held in full: the `n`th line of this kind is the
    /// `n`th entry of [`Held::entries`].
    Held,
}

/// Lines in a row: purchases at consecutive positions of the orders from
/// `start` on, or, when `start` is [`HELD`], entries held in full.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Run {
    start: u32,
    count: u32,
}

/// How many lines `run` holds.
fn count(run: Run) -> usize {
    usize::try_from(run.count).unwrap_or(usize::MAX)
}

/// What a [`Run`] of entries held in full starts at: no order is filed at
/// position `u32::MAX`.
const HELD: u32 = u32::MAX;

impl Run {
    /// The run's lines, from either end.
    fn lines(self) -> impl DoubleEndedIterator<Item = Line> {
        (0..self.count).map(move |i| match self.start {
            HELD => Line::Held,
            start => Line::Earned(start.saturating_add(i)),
        })
    }

    /// A run of `line` alone.
    fn of(line: Line) -> Run {
        let start = match line {
            Line::Earned(position) => position,
            Line::Held => HELD,
        };
        Run { start, count: 1 }
    }

    /// The run with `line` after its lines, if `line` continues it.
    fn then(self, line: Line) -> Option<Run> {
        let continues = match line {
            Line::Earned(position) => {
                self.start != HELD && self.start.checked_add(self.count) == Some(position)
            }
            Line::Held => self.start == HELD,
        };
        let count = self.count.checked_add(1)?;
        continues.then_some(Run { count, ..self })
    }
}

/// The entries a journal holds in full, and the runs before the newest.
#[derive(Debug, Clone, Default)]
struct Held {
    /// The runs before [`Journal::last`], oldest first.
    runs: Vec<Run>,
    /// How many lines those runs hold: kept as they are set aside, so
    /// that counting a journal's entries (which reading it does, as a
    /// purchase under a per-period earn limit does) is not a walk over
    /// every run.
    earlier: usize,
    entries: Vec<Entry>,
    /// The references of entries that do not name a record by position.
    references: Vec<Reference>,
}

/// One balance movement, its reference named rather than held.
#[derive(Debug, Clone, Copy)]
struct Entry {
    at: DateTime<Utc>,
    kind: EntryKind,
    source: Source,
    available: Points,
    pending: Points,
}

/// Where an entry's reference is.
#[derive(Debug, Clone, Copy)]
enum Source {
    /// It has none (an expiry).
    None,
    /// The reference of the record at this position of the member's list.
    Filed(List, u32),
    /// At this position of the journal's list of references.
    Listed(u32),
}

/// What a purchase's journal entry says, read off its order's record: the
/// time, and the points available and pending.
pub(crate) type Earning = (DateTime<Utc>, Points, Points);

/// A member's lists of records filed by reference that entries name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Orders,
    Redemptions,
    Refunds,
    Adjustments,
}

/// A list of records with their references, in the order filed: what an
/// entry's position indexes.
pub(crate) trait Filed {
    /// The reference of the record at `position`.
    fn reference_at(&self, position: usize) -> Option<&Reference>;

    /// What the entry of the purchase at `position` says, for the orders;
    /// nothing for any other list.
    fn earning_at(&self, _position: usize) -> Option<Earning> {
        None
    }

    /// Whether the entry of the purchase at `position` says `earning`, as
    /// [`earning_at`](Filed::earning_at) would read it.
    fn earning_is(&self, position: usize, earning: &Earning) -> bool {
        self.earning_at(position).as_ref() == Some(earning)
    }
}

impl Filed for Orders {
    fn reference_at(&self, position: usize) -> Option<&Reference> {
        self.filed().get(position).map(|(reference, _)| reference)
    }

    fn earning_at(&self, position: usize) -> Option<Earning> {
        self.filed()
            .get(position)
            .map(|(_, record)| record.earning())
    }

    fn earning_is(&self, position: usize, earning: &Earning) -> bool {
        self.filed()
            .get(position)
            .is_some_and(|(_, record)| record.earning_is(earning))
    }
}

impl<V> Filed for LazyKeyed<V> {
    fn reference_at(&self, position: usize) -> Option<&Reference> {
        self.filed_at(position).map(|(reference, _)| reference)
    }
}

#[cfg(test)]
impl<V> Filed for Vec<(Reference, V)> {
    fn reference_at(&self, position: usize) -> Option<&Reference> {
        self.get(position).map(|(reference, _)| reference)
    }
}

/// The member's lists an entry's position may index, in the order of
/// [`List`]'s variants.
pub(crate) type Lists<'j> = [&'j dyn Filed; 4];

/// A journal entry as read: a [`Posting`] with its reference borrowed.
/// Fields in the order of [`Posting`]'s, so both hash alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct PostingView<'j> {
    pub(crate) at: DateTime<Utc>,
    pub(crate) kind: EntryKind,
    pub(crate) reference: Option<&'j Reference>,
    pub(crate) available: Points,
    pub(crate) pending: Points,
}

impl Posting {
    /// The posting, read as a journal entry is.
    pub(crate) fn view(&self) -> PostingView<'_> {
        PostingView {
            at: self.at,
            kind: self.kind,
            reference: self.reference.as_ref(),
            available: self.available,
            pending: self.pending,
        }
    }
}

impl Journal {
    /// The newest line: read by
    /// [`Account::warm`](super::account::Account::warm) for the memory it
    /// sits on.
    pub(crate) fn latest(&self) -> Option<u32> {
        self.last.lines().next_back().map(|line| match line {
            Line::Earned(position) => position,
            Line::Held => HELD,
        })
    }

    /// The runs, oldest first.
    fn runs(&self) -> impl DoubleEndedIterator<Item = Run> + '_ {
        let earlier = self.held.as_deref().map_or(&[][..], |held| &held.runs);
        earlier.iter().copied().chain(Some(self.last))
    }

    /// The number of entries.
    fn len(&self) -> usize {
        let earlier = self.held.as_deref().map_or(0, |held| held.earlier);
        count(self.last).saturating_add(earlier)
    }

    /// Appends `line` to the runs.
    fn line(&mut self, line: Line) {
        if self.last.count == 0 {
            self.last = Run::of(line);
        } else if let Some(run) = self.last.then(line) {
            self.last = run;
        } else {
            let held = self.held.get_or_insert_default();
            held.earlier = held.earlier.saturating_add(count(self.last));
            held.runs.push(self.last);
            self.last = Run::of(line);
        }
    }

    /// Appends `posting`. `filed` is the list and position of the record
    /// `posting` names, when the caller has found it there: the reference
    /// is then not kept a second time, and a purchase's entry that says
    /// what its record in `orders` says is kept as the record's position
    /// alone.
    pub(crate) fn push(
        &mut self,
        posting: Posting,
        filed: Option<(List, usize)>,
        orders: &impl Filed,
    ) {
        let filed = filed.and_then(|(list, i)| Some((list, u32::try_from(i).ok()?)));
        if let (EntryKind::Earned, Some((List::Orders, i))) = (posting.kind, filed)
            && i != HELD
            && orders.earning_is(index(i), &(posting.at, posting.available, posting.pending))
        {
            self.line(Line::Earned(i));
            return;
        }
        let held = self.held.get_or_insert_default();
        let listed = |references: &mut Vec<Reference>, reference| {
            let at = u32::try_from(references.len()).ok()?;
            references.push(reference);
            Some(Source::Listed(at))
        };
        let source = match (filed, posting.reference) {
            (_, None) => Some(Source::None),
            (Some((list, i)), Some(_)) => Some(Source::Filed(list, i)),
            (None, Some(reference)) => listed(&mut held.references, reference),
        };
        // Past 2^32 references a journal keeps no more of them: the
        // entry's movement still counts, its reference reads as none.
        held.entries.push(Entry {
            at: posting.at,
            kind: posting.kind,
            source: source.unwrap_or(Source::None),
            available: posting.available,
            pending: posting.pending,
        });
        self.line(Line::Held);
    }

    /// Appends the entry of a purchase whose order was just filed at
    /// `position` of `orders`, its record made from the event that gave
    /// `posting`: kept as the position alone, as [`push`](Journal::push)
    /// keeps it, without reading the record back. A record gives back the
    /// event it was made from (its time, and the points its lot made
    /// available or left pending: an event with both is refused before it
    /// is filed), and the posting is read off the same event, so the
    /// record says what the posting says; builds with debug assertions
    /// check it. A position past 32 bits is held in full, as `push` holds
    /// it.
    pub(crate) fn push_purchase(&mut self, posting: Posting, position: usize, orders: &impl Filed) {
        debug_assert!(
            orders.earning_is(position, &(posting.at, posting.available, posting.pending)),
            "a purchase's record says what its posting says"
        );
        match u32::try_from(position) {
            Ok(i) if i != HELD && posting.kind == EntryKind::Earned => self.line(Line::Earned(i)),
            _ => self.push(posting, Some((List::Orders, position)), orders),
        }
    }

    /// The entries, oldest first, reading references and purchases off
    /// `lists` (the member's own, which the entries' positions index).
    pub(crate) fn iter<'j>(
        &'j self,
        lists: Lists<'j>,
    ) -> impl DoubleEndedIterator<Item = PostingView<'j>> + ExactSizeIterator {
        let held = self.held.as_deref();
        Entries {
            lines: self.runs().flat_map(Run::lines),
            left: self.len(),
            held: held.map_or(&[][..], |held| held.entries.as_slice()).iter(),
            journal: self,
            lists,
        }
    }

    /// The entry a line stands for: a purchase read off its order, or
    /// an entry held in full. A purchase's order is never removed nor
    /// changed in what its entry reads, so it is always there.
    fn view<'j>(&'j self, line: Seen<'j>, lists: Lists<'j>) -> Option<PostingView<'j>> {
        let [orders, redemptions, refunds, adjustments] = lists;
        Some(match line {
            Seen::Earned(position) => {
                let position = index(position);
                let (at, available, pending) = orders.earning_at(position)?;
                PostingView {
                    at,
                    kind: EntryKind::Earned,
                    reference: orders.reference_at(position),
                    available,
                    pending,
                }
            }
            Seen::Held(e) => PostingView {
                at: e.at,
                kind: e.kind,
                reference: match e.source {
                    Source::None => None,
                    Source::Filed(list, i) => {
                        let list = match list {
                            List::Orders => orders,
                            List::Redemptions => redemptions,
                            List::Refunds => refunds,
                            List::Adjustments => adjustments,
                        };
                        list.reference_at(index(i))
                    }
                    Source::Listed(i) => self
                        .held
                        .as_deref()
                        .and_then(|held| held.references.get(index(i))),
                },
                available: e.available,
                pending: e.pending,
            },
        })
    }

    /// How many entries are held in full (the rest are read off orders).
    #[cfg(test)]
    pub(crate) fn held_in_full(&self) -> usize {
        self.held.as_deref().map_or(0, |held| held.entries.len())
    }

    /// The entries with the records they name: what accounts compare
    /// and hash by.
    pub(crate) fn read<'j>(&'j self, lists: Lists<'j>) -> Read<'j> {
        Read {
            journal: self,
            lists,
        }
    }
}

/// A position held in 32 bits, to index with (past the end on a target
/// whose `usize` is narrower, which finds nothing).
fn index(position: u32) -> usize {
    usize::try_from(position).unwrap_or(usize::MAX)
}

/// A line being read, with its entry when it is held in full (a held
/// line and its entry are always pushed together).
enum Seen<'j> {
    Earned(u32),
    Held(&'j Entry),
}

/// A journal's entries being read, from either end: the lines, how many
/// are left, and the entries held in full not yet read, which the held
/// lines take in turn.
struct Entries<'j, L> {
    lines: L,
    left: usize,
    held: std::slice::Iter<'j, Entry>,
    journal: &'j Journal,
    lists: Lists<'j>,
}

impl<'j, L: DoubleEndedIterator<Item = Line>> Iterator for Entries<'j, L> {
    type Item = PostingView<'j>;

    fn next(&mut self) -> Option<PostingView<'j>> {
        let seen = match self.lines.next()? {
            Line::Earned(position) => Seen::Earned(position),
            Line::Held => Seen::Held(self.held.next()?),
        };
        self.left = self.left.saturating_sub(1);
        self.journal.view(seen, self.lists)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<L: DoubleEndedIterator<Item = Line>> DoubleEndedIterator for Entries<'_, L> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let seen = match self.lines.next_back()? {
            Line::Earned(position) => Seen::Earned(position),
            Line::Held => Seen::Held(self.held.next_back()?),
        };
        self.left = self.left.saturating_sub(1);
        self.journal.view(seen, self.lists)
    }
}

impl<L: DoubleEndedIterator<Item = Line>> ExactSizeIterator for Entries<'_, L> {}

/// A journal read with its member's lists: compares and hashes as the
/// list of [`Posting`]s it holds (its length, then each entry).
pub(crate) struct Read<'j> {
    journal: &'j Journal,
    lists: Lists<'j>,
}

impl PartialEq for Read<'_> {
    fn eq(&self, other: &Read<'_>) -> bool {
        self.journal.len() == other.journal.len()
            && self
                .journal
                .iter(self.lists)
                .eq(other.journal.iter(other.lists))
    }
}

impl Hash for Read<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As a slice hashes: its length, then its elements.
        state.write_usize(self.journal.len());
        for entry in self.journal.iter(self.lists) {
            entry.hash(state);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fingerprint(value: &impl Hash) -> u64 {
        let mut hasher = crate::siphash::SipHasher24::new(1, 2);
        value.hash(&mut hasher);
        hasher.finish()
    }

    fn reference(text: &str) -> Reference {
        let Ok(reference) = Reference::new(text) else {
            unreachable!("a valid reference")
        };
        reference
    }

    proptest::proptest! {
        /// A journal reads, compares and hashes as the list of postings
        /// pushed into it, whether their references were named by a
        /// position in one of the member's lists or kept in the journal's
        /// own list, and whether a purchase was pushed as any entry or as
        /// a fresh order's (without reading its record back).
        #[test]
        fn a_journal_reads_as_the_postings_pushed(
            steps in proptest::collection::vec(
                (0_u8..10, proptest::bool::ANY, -50_i64..50, -50_i64..50, 0_i64..1_000),
                0..40,
            ),
        ) {
            let mut filed: [Vec<(Reference, ())>; 4] = Default::default();
            let mut bought = Bought::default();
            let mut journal = Journal::default();
            let mut postings: Vec<Posting> = Vec::new();
            let start = chrono::DateTime::<Utc>::UNIX_EPOCH;
            for (n, (source, by_position, available, pending, seconds)) in steps.iter().enumerate() {
                let at = start + chrono::TimeDelta::seconds(*seconds);
                let (available, pending) = (Points::new(*available), Points::new(*pending));
                let (posting_reference, position) = match source {
                    0 => (None, None),
                    // A purchase: its entry says what its order's record
                    // says, unless it is not found by position.
                    5 | 6 => {
                        let order = reference(&format!("O-{n}"));
                        let earning = (*source == 5).then_some((at, available, pending));
                        bought.0.push((order.clone(), earning));
                        (Some(order), by_position.then(|| (List::Orders, bought.0.len() - 1)))
                    }
                    // An order without an entry of its own.
                    7 => {
                        bought.0.push((reference(&format!("O-{n}")), None));
                        continue;
                    }
                    1..=4 => {
                        let (list, at) = match source {
                            1 => (List::Orders, 0),
                            2 => (List::Redemptions, 1),
                            3 => (List::Refunds, 2),
                            _ => (List::Adjustments, 3),
                        };
                        let filed_here = reference(&format!("F-{n}"));
                        let position = if at == 0 {
                            bought.0.push((filed_here.clone(), None));
                            by_position.then(|| (list, bought.0.len() - 1))
                        } else {
                            filed[at].push((filed_here.clone(), ()));
                            by_position.then(|| (list, filed[at].len() - 1))
                        };
                        (Some(filed_here), position)
                    }
                    _ => (Some(reference(&format!("R-{n}"))), None),
                };
                let posting = Posting {
                    at,
                    kind: EntryKind::Earned,
                    reference: posting_reference,
                    available,
                    pending,
                };
                postings.push(posting.clone());
                match (source, position) {
                    // A purchase whose record says what its posting says,
                    // as a fresh order's does: pushed as applying pushes it.
                    (5, Some((List::Orders, i))) => journal.push_purchase(posting, i, &bought),
                    _ => journal.push(posting, position, &bought),
                }
            }
            let lists: Lists<'_> = [&bought, &filed[1], &filed[2], &filed[3]];
            // Only purchases found by position and saying what their
            // record says are held as runs; every other entry in full.
            let in_full = steps
                .iter()
                .filter(|(source, by_position, ..)| !matches!((source, by_position), (5, true) | (7, _)))
                .count();
            proptest::prop_assert_eq!(journal.held_in_full(), in_full);
            proptest::prop_assert_eq!(journal.iter(lists).len(), postings.len());
            let read: Vec<PostingView<'_>> = journal.iter(lists).collect();
            let pushed: Vec<PostingView<'_>> = postings.iter().map(Posting::view).collect();
            proptest::prop_assert_eq!(&read, &pushed);
            let mut backwards: Vec<PostingView<'_>> = journal.iter(lists).rev().collect();
            backwards.reverse();
            proptest::prop_assert_eq!(&backwards, &pushed);
            proptest::prop_assert_eq!(fingerprint(&journal.read(lists)), fingerprint(&postings));
            proptest::prop_assert!(journal.read(lists) == journal.read(lists));
            let mut longer = journal.clone();
            longer.push(postings.first().cloned().unwrap_or(Posting {
                at: start,
                kind: EntryKind::Expired,
                reference: None,
                available: Points::ZERO,
                pending: Points::ZERO,
            }), None, &bought);
            proptest::prop_assert!(journal.read(lists) != longer.read(lists));
        }
    }

    /// A member's orders for the tests: each with its purchase's entry,
    /// when it has one.
    #[derive(Default)]
    struct Bought(Vec<(Reference, Option<Earning>)>);

    impl Filed for Bought {
        fn reference_at(&self, position: usize) -> Option<&Reference> {
            self.0.get(position).map(|(reference, _)| reference)
        }

        fn earning_at(&self, position: usize) -> Option<Earning> {
            self.0.get(position).and_then(|(_, earning)| *earning)
        }
    }

    #[test]
    fn a_member_who_only_buys_holds_one_run_in_place() {
        let start = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let mut bought = Bought::default();
        let mut journal = Journal::default();
        assert_eq!(journal.latest(), None);
        for n in 0..1_000_u32 {
            let at = start + chrono::TimeDelta::seconds(i64::from(n));
            let earning = (at, Points::new(57), Points::ZERO);
            bought.0.push((reference(&format!("O-{n}")), Some(earning)));
            let posting = Posting {
                at,
                kind: EntryKind::Earned,
                reference: Some(reference(&format!("O-{n}"))),
                available: earning.1,
                pending: earning.2,
            };
            journal.push(posting, Some((List::Orders, n as usize)), &bought);
        }
        assert!(journal.held.is_none(), "nothing allocated");
        assert_eq!(
            journal.last,
            Run {
                start: 0,
                count: 1_000
            }
        );
        assert_eq!(journal.latest(), Some(999));
        let lists: Lists<'_> = [&bought, &bought, &bought, &bought];
        assert_eq!(journal.iter(lists).len(), 1_000);
        assert_eq!(
            journal
                .iter(lists)
                .nth(998)
                .map(|p| p.reference.map(Reference::as_str)),
            Some(Some("O-998"))
        );
    }

    #[test]
    fn a_run_takes_8_bytes_an_entry_held_in_full_40_and_a_journal_16() {
        assert_eq!(std::mem::size_of::<Run>(), 8);
        assert_eq!(std::mem::size_of::<Entry>(), 40);
        assert_eq!(std::mem::size_of::<Journal>(), 16);
    }
}
