//! A member's journal: every balance movement, in order, for statements,
//! balances as of a past time and earn limits per period.
//!
//! Each entry is 40 bytes. The entry of a purchase, a redemption or a
//! refund names its record by position in the member's list of them
//! instead of holding a copy of the record's reference (the entry was 56
//! bytes with it, and every member's purchases wrote one); other entries
//! keep their reference in a list beside the entries. Entries read,
//! compare and hash as [`Posting`]s, so the ledger's fingerprint is
//! unchanged.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use super::account::{EntryKind, Posting};
use super::keyed::LazyKeyed;
use super::orders::Orders;
use crate::{Points, Reference};

/// Every balance movement of one member, in order.
#[derive(Debug, Clone, Default)]
pub(crate) struct Journal {
    entries: Vec<Entry>,
    /// The references of entries that do not name a record by position,
    /// allocated with the first: one pointer for a member who only buys,
    /// where the list itself would take three in every account.
    #[allow(clippy::box_collection)]
    references: Option<Box<Vec<Reference>>>,
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

/// A member's lists of records filed by reference that entries name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Orders,
    Redemptions,
    Refunds,
}

/// A list of records with their references, in the order filed: what an
/// entry's position indexes.
pub(crate) trait Filed {
    /// The reference of the record at `position`.
    fn reference_at(&self, position: usize) -> Option<&Reference>;
}

/// The reference at `position` of `filed`.
fn reference_in<V>(filed: &[(Reference, V)], position: usize) -> Option<&Reference> {
    filed.get(position).map(|(reference, _)| reference)
}

impl Filed for Orders {
    fn reference_at(&self, position: usize) -> Option<&Reference> {
        reference_in(self.filed(), position)
    }
}

impl<V> Filed for LazyKeyed<V> {
    fn reference_at(&self, position: usize) -> Option<&Reference> {
        reference_in(self.filed(), position)
    }
}

#[cfg(test)]
impl<V> Filed for Vec<(Reference, V)> {
    fn reference_at(&self, position: usize) -> Option<&Reference> {
        reference_in(self, position)
    }
}

/// The member's lists an entry's position may index, in the order of
/// [`List`]'s variants.
pub(crate) type Lists<'j> = [&'j dyn Filed; 3];

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
    /// When the latest entry was made: read by
    /// [`Account::warm`](super::account::Account::warm) for the line it
    /// sits on.
    pub(crate) fn latest_at(&self) -> Option<DateTime<Utc>> {
        self.entries.last().map(|entry| entry.at)
    }

    /// Appends `posting`. `filed` is the list and position of the record
    /// `posting` names, when the caller has found it there; the reference
    /// is then not kept a second time.
    pub(crate) fn push(&mut self, posting: Posting, filed: Option<(List, usize)>) {
        let listed = |references: &mut Option<Box<Vec<Reference>>>, reference| {
            let references = references.get_or_insert_default();
            let at = u32::try_from(references.len()).ok()?;
            references.push(reference);
            Some(Source::Listed(at))
        };
        let filed = filed.and_then(|(list, i)| Some((list, u32::try_from(i).ok()?)));
        let source = match (filed, posting.reference) {
            (_, None) => Some(Source::None),
            (Some((list, i)), Some(_)) => Some(Source::Filed(list, i)),
            (None, Some(reference)) => listed(&mut self.references, reference),
        };
        // Past 2^32 references a journal keeps no more of them: the
        // entry's movement still counts, its reference reads as none.
        self.entries.push(Entry {
            at: posting.at,
            kind: posting.kind,
            source: source.unwrap_or(Source::None),
            available: posting.available,
            pending: posting.pending,
        });
    }

    /// The entries, oldest first, reading references off `lists` (the
    /// member's own, which the entries' positions index).
    pub(crate) fn iter<'j>(
        &'j self,
        lists: Lists<'j>,
    ) -> impl DoubleEndedIterator<Item = PostingView<'j>> + ExactSizeIterator {
        self.entries.iter().map(move |e| PostingView {
            at: e.at,
            kind: e.kind,
            reference: match e.source {
                Source::None => None,
                Source::Filed(list, i) => {
                    let list = match list {
                        List::Orders => lists[0],
                        List::Redemptions => lists[1],
                        List::Refunds => lists[2],
                    };
                    usize::try_from(i).ok().and_then(|i| list.reference_at(i))
                }
                Source::Listed(i) => usize::try_from(i)
                    .ok()
                    .zip(self.references.as_deref())
                    .and_then(|(i, references)| references.get(i)),
            },
            available: e.available,
            pending: e.pending,
        })
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

/// A journal read with its member's lists: compares and hashes as the
/// list of [`Posting`]s it holds (its length, then each entry).
pub(crate) struct Read<'j> {
    journal: &'j Journal,
    lists: Lists<'j>,
}

impl PartialEq for Read<'_> {
    fn eq(&self, other: &Read<'_>) -> bool {
        self.journal.entries.len() == other.journal.entries.len()
            && self
                .journal
                .iter(self.lists)
                .eq(other.journal.iter(other.lists))
    }
}

impl Hash for Read<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        // As a slice hashes: its length, then its elements.
        state.write_usize(self.journal.entries.len());
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
        /// own list.
        #[test]
        fn a_journal_reads_as_the_postings_pushed(
            steps in proptest::collection::vec(
                (0_u8..5, proptest::bool::ANY, -50_i64..50, -50_i64..50, 0_i64..1_000),
                0..40,
            ),
        ) {
            let mut filed: [Vec<(Reference, ())>; 3] = Default::default();
            let mut journal = Journal::default();
            let mut postings: Vec<Posting> = Vec::new();
            let start = chrono::DateTime::<Utc>::UNIX_EPOCH;
            for (n, (source, by_position, available, pending, seconds)) in steps.iter().enumerate() {
                let (posting_reference, position) = match source {
                    0 => (None, None),
                    1..=3 => {
                        let (list, at) = match source {
                            1 => (List::Orders, 0),
                            2 => (List::Redemptions, 1),
                            _ => (List::Refunds, 2),
                        };
                        let filed_here = reference(&format!("F-{n}"));
                        filed[at].push((filed_here.clone(), ()));
                        let position = by_position.then(|| (list, filed[at].len() - 1));
                        (Some(filed_here), position)
                    }
                    _ => (Some(reference(&format!("R-{n}"))), None),
                };
                let posting = Posting {
                    at: start + chrono::TimeDelta::seconds(*seconds),
                    kind: EntryKind::Earned,
                    reference: posting_reference,
                    available: Points::new(*available),
                    pending: Points::new(*pending),
                };
                postings.push(posting.clone());
                journal.push(posting, position);
            }
            let lists: Lists<'_> = [&filed[0], &filed[1], &filed[2]];
            let read: Vec<PostingView<'_>> = journal.iter(lists).collect();
            let pushed: Vec<PostingView<'_>> = postings.iter().map(Posting::view).collect();
            proptest::prop_assert_eq!(&read, &pushed);
            proptest::prop_assert_eq!(fingerprint(&journal.read(lists)), fingerprint(&postings));
            proptest::prop_assert!(journal.read(lists) == journal.read(lists));
            let mut longer = journal.clone();
            longer.push(postings.first().cloned().unwrap_or(Posting {
                at: start,
                kind: EntryKind::Expired,
                reference: None,
                available: Points::ZERO,
                pending: Points::ZERO,
            }), None);
            proptest::prop_assert!(journal.read(lists) != longer.read(lists));
        }
    }

    #[test]
    fn an_entry_takes_40_bytes_and_a_journal_32() {
        assert_eq!(std::mem::size_of::<Entry>(), 40);
        assert_eq!(std::mem::size_of::<Journal>(), 32);
    }
}
