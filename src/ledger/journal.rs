//! A member's journal: every balance movement, in order, for statements,
//! balances as of a past time and earn limits per period.
//!
//! A purchase's entry (the one entry every member's purchases write) is
//! the order's position alone: its time, points and reference are read
//! off the order's record, which is never changed in those. So is the
//! entry of an order's pending points becoming spendable, on the order's
//! confirmation (which the record keeps) or at the time they were set to
//! settle (which the record holds as well). The lines are
//! held as runs: a run of purchases at consecutive positions of the
//! orders is two numbers, its first position and its length, so a member
//! who only buys holds one run however many orders they place, in place
//! in the journal, and a purchase's entry takes no memory of its own. A
//! run of settlements of consecutive orders is held the same way, and so
//! is a run of orders each followed by its own settlement (the member who
//! orders again only after the last order was confirmed, or after its
//! points settled). A redemption's entry and an adjustment's are read
//! off their records the same way, by position in the member's list of
//! them, a run of consecutive ones held as two numbers, and so is the
//! sign-up bonus's, off the bonus the account keeps. Any other entry
//! is held in full beside the runs, 40 bytes, naming its record by
//! position in the member's list of them (a refund, a cancelled
//! redemption) or keeping its reference in a list of its own.
//! Entries read, compare and hash as [`PostingView`]s, the postings
//! pushed with their references as kept, so the ledger's fingerprint
//! does not depend on how they are held.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};

use super::account::{EntryKind, Label, Order, Posting};
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
    /// The pending points of the order at this position becoming
    /// spendable, on its confirmation or at their set time: read off its
    /// record.
    Settled(u32),
    /// The redemption at this position of the member's redemptions,
    /// read off its record.
    Redeemed(u32),
    /// The adjustment at this position of the member's adjustments, read
    /// off its record.
    Adjusted(u32),
    /// The member's sign-up bonus (the only one, at position 0), read off
    /// the bonus the account keeps.
    SignUp(u32),
    /// The next entry held in full: the `n`th line of this kind is the
    /// `n`th entry of [`Held::entries`].
    Held,
}

/// What a [`Run`]'s lines are: its number is what the run's
/// [`packed`](Run::packed) count holds above [`KIND_SHIFT`], and its
/// place in [`KINDS`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
enum Kind {
    /// Purchases at consecutive positions of the orders.
    Earned = 0,
    /// Settlements of orders at consecutive positions.
    Settled = 1,
    /// Purchases at consecutive positions, each followed by its
    /// settlement: the `2k`th line is the purchase at `start + k`, the
    /// next its settlement.
    Paired = 2,
    /// Entries held in full.
    Held = 3,
    /// Redemptions at consecutive positions of the member's redemptions.
    Redeemed = 4,
    /// Adjustments at consecutive positions of the member's adjustments.
    Adjusted = 5,
    /// The sign-up bonus.
    SignUp = 6,
    /// The sign-up bonus (at position 0), then purchases at consecutive
    /// positions from `start`: the run of a member who joined with a
    /// bonus and then bought, so that their journal allocates nothing.
    Joined = 7,
}

/// The kinds, each at its number.
const KINDS: [Kind; 8] = [
    Kind::Earned,
    Kind::Settled,
    Kind::Paired,
    Kind::Held,
    Kind::Redeemed,
    Kind::Adjusted,
    Kind::SignUp,
    Kind::Joined,
];

/// Lines in a row, of one [`Kind`], from position `start` of their list
/// on. The kind sits in the three high bits of `packed` and the number of
/// lines in the others, so a run takes 8 bytes; a run full at
/// [`MOST`] lines is followed by another.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Run {
    start: u32,
    packed: u32,
}

/// The most lines one run holds.
const MOST: u32 = (1 << KIND_SHIFT) - 1;

/// Where a run's kind starts in [`Run::packed`].
const KIND_SHIFT: u32 = 29;

impl Run {
    fn new(kind: Kind, start: u32, count: u32) -> Run {
        Run {
            start,
            packed: ((kind as u32) << KIND_SHIFT) | (count & MOST),
        }
    }

    fn kind(self) -> Kind {
        let number = usize::try_from(self.packed >> KIND_SHIFT).unwrap_or(usize::MAX);
        KINDS.get(number).copied().unwrap_or(Kind::Joined)
    }

    /// How many lines the run holds.
    fn count(self) -> u32 {
        self.packed & MOST
    }

    /// The run's `i`th line.
    fn line(self, i: u32) -> Line {
        match self.kind() {
            Kind::Earned => Line::Earned(self.start.saturating_add(i)),
            Kind::Settled => Line::Settled(self.start.saturating_add(i)),
            Kind::Paired if i.is_multiple_of(2) => Line::Earned(self.start.saturating_add(i / 2)),
            Kind::Paired => Line::Settled(self.start.saturating_add(i / 2)),
            Kind::Held => Line::Held,
            Kind::Redeemed => Line::Redeemed(self.start.saturating_add(i)),
            Kind::Adjusted => Line::Adjusted(self.start.saturating_add(i)),
            Kind::SignUp => Line::SignUp(self.start.saturating_add(i)),
            Kind::Joined => match i.checked_sub(1) {
                None => Line::SignUp(0),
                Some(after) => Line::Earned(self.start.saturating_add(after)),
            },
        }
    }

    /// The run's lines, from either end.
    fn lines(self) -> impl DoubleEndedIterator<Item = Line> {
        (0..self.count()).map(move |i| self.line(i))
    }

    /// A run of `line` alone.
    fn of(line: Line) -> Run {
        match line {
            Line::Earned(position) => Run::new(Kind::Earned, position, 1),
            Line::Settled(position) => Run::new(Kind::Settled, position, 1),
            Line::Redeemed(position) => Run::new(Kind::Redeemed, position, 1),
            Line::Adjusted(position) => Run::new(Kind::Adjusted, position, 1),
            Line::SignUp(position) => Run::new(Kind::SignUp, position, 1),
            Line::Held => Run::new(Kind::Held, 0, 1),
        }
    }

    /// The run with `line` after its lines, if `line` continues it: the
    /// line it would read next, the settlement of a lone purchase (which
    /// makes the run one of pairs), or a purchase after the sign-up bonus
    /// (which makes it a joiner's).
    fn then(self, line: Line) -> Option<Run> {
        // The purchase after a run of purchases (kind bits 0, not full):
        // every member's purchases take this way first.
        if let Line::Earned(position) = line
            && self.packed < MOST
            && self.start.checked_add(self.packed) == Some(position)
        {
            return Some(Run {
                packed: self.packed.saturating_add(1),
                ..self
            });
        }
        let count = self.count();
        if count >= MOST {
            return None;
        }
        let kind = match (self.kind(), line) {
            (Kind::Earned, Line::Settled(position)) if count == 1 && position == self.start => {
                Kind::Paired
            }
            (Kind::SignUp, Line::Earned(position)) if count == 1 && self.start == 0 => {
                return Some(Run::new(Kind::Joined, position, 2));
            }
            (kind, line) if self.line(count) == line => kind,
            _ => return None,
        };
        Some(Run::new(kind, self.start, count.saturating_add(1)))
    }

    /// When `line` settles the last purchase of a run of purchases (a
    /// joiner's included): the run without it, and the purchase with its
    /// settlement, which starts a run of pairs.
    fn split_off_pair(self, line: Line) -> Option<(Run, Run)> {
        let before = self.count().checked_sub(1)?;
        let Line::Earned(last) = self.line(before) else {
            return None;
        };
        let purchases = matches!(self.kind(), Kind::Earned | Kind::Joined);
        (purchases && before > 0 && line == Line::Settled(last)).then(|| {
            (
                Run::new(self.kind(), self.start, before),
                Run::new(Kind::Paired, last, 2),
            )
        })
    }
}

/// How many lines `run` holds.
fn count(run: Run) -> usize {
    usize::try_from(run.count()).unwrap_or(usize::MAX)
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
/// time, and the points available and pending. A settlement's entry says
/// the same three, read off the record too.
pub(crate) type Earning = (DateTime<Utc>, Points, Points);

/// A member's lists of records filed by reference that entries name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum List {
    Orders,
    Redemptions,
    Refunds,
    Adjustments,
    /// The sign-up bonus, one at most.
    SignUp,
}

/// A list of records with their references, in the order filed: what an
/// entry's position indexes.
pub(crate) trait Filed {
    /// The reference of the record at `position`.
    fn reference_at(&self, position: usize) -> Option<Reference>;

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

    /// What the entry of the pending points of the order at `position`
    /// becoming spendable says, when its record knows (see
    /// [`Order::settlement`](super::account::Order::settlement));
    /// nothing for any other list.
    fn settlement_at(&self, _position: usize) -> Option<Earning> {
        None
    }

    /// Whether the entry of the pending points of the order at `position`
    /// becoming spendable says `settlement`, as
    /// [`settlement_at`](Filed::settlement_at) would read it.
    fn settlement_is(&self, position: usize, settlement: &Earning) -> bool {
        self.settlement_at(position).as_ref() == Some(settlement)
    }

    /// The one entry the record at `position` gives back, its kind and
    /// what it says, for a list whose records keep it (see [`Entered`]).
    fn entry_at(&self, _position: usize) -> Option<(EntryKind, Earning)> {
        None
    }

    /// Whether the entry the record at `position` gives back is of `kind`
    /// and says `says`, as [`entry_at`](Filed::entry_at) would read it.
    fn entry_is(&self, position: usize, kind: EntryKind, says: &Earning) -> bool {
        self.entry_at(position) == Some((kind, *says))
    }
}

/// A record that gives back the one journal entry its event wrote: what
/// it keeps of that never changes once filed, so the journal reads the
/// entry off it (see [`Filed::entry_at`]).
pub(crate) trait Entered {
    /// The entry's kind and what it says, when the record keeps them.
    fn entry(&self) -> Option<(EntryKind, Earning)> {
        None
    }

    /// Whether the entry is of `kind` and says `says`, as
    /// [`entry`](Entered::entry) would read it: a record that packs what
    /// it keeps compares without unpacking.
    fn entry_is(&self, kind: EntryKind, says: &Earning) -> bool {
        self.entry() == Some((kind, *says))
    }
}

/// A list none of whose records the journal reads an entry off.
struct Unread;

impl Filed for Unread {
    fn reference_at(&self, _position: usize) -> Option<Reference> {
        None
    }
}

impl Filed for Orders {
    #[inline]
    fn reference_at(&self, position: usize) -> Option<Reference> {
        Orders::reference_at(self, position)
    }

    #[inline]
    fn earning_at(&self, position: usize) -> Option<Earning> {
        self.at(position).map(Order::earning)
    }

    #[inline]
    fn earning_is(&self, position: usize, earning: &Earning) -> bool {
        self.at(position)
            .is_some_and(|order| order.earning_is(earning))
    }

    #[inline]
    fn settlement_at(&self, position: usize) -> Option<Earning> {
        self.at(position).and_then(Order::settlement)
    }

    #[inline]
    fn settlement_is(&self, position: usize, settlement: &Earning) -> bool {
        self.at(position)
            .is_some_and(|order| order.settlement_is(settlement))
    }
}

impl<V: Entered> Filed for LazyKeyed<V> {
    fn reference_at(&self, position: usize) -> Option<Reference> {
        LazyKeyed::reference_at(self, position)
    }

    fn entry_at(&self, position: usize) -> Option<(EntryKind, Earning)> {
        self.filed_at(position).and_then(|record| record.entry())
    }

    fn entry_is(&self, position: usize, kind: EntryKind, says: &Earning) -> bool {
        self.filed_at(position)
            .is_some_and(|record| record.entry_is(kind, says))
    }
}

/// The member's lists an entry's position may index, in the order of
/// [`List`]'s variants.
pub(crate) type Lists<'j> = [&'j dyn Filed; 5];

/// A journal entry as read: a [`Posting`]'s figures with its reference
/// as the journal keeps it (a birthday bonus's or a referral reward's
/// label made). Its fields are in the order of a [`Posting`]'s, as they
/// were when a posting held its reference and the two hashed alike: the
/// ledger's fingerprint reads the journal this way.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PostingView {
    pub(crate) at: DateTime<Utc>,
    pub(crate) kind: EntryKind,
    pub(crate) reference: Option<Reference>,
    pub(crate) available: Points,
    pub(crate) pending: Points,
}

impl Posting<'_> {
    /// The posting, read as a journal entry is.
    pub(crate) fn view(&self) -> PostingView {
        PostingView {
            at: self.at,
            kind: self.kind,
            reference: self.reference.reference(),
            available: self.available,
            pending: self.pending,
        }
    }
}

impl Journal {
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
        if self.last.count() == 0 {
            self.last = Run::of(line);
        } else if let Some(run) = self.last.then(line) {
            self.last = run;
        } else {
            let (before, newest) = self
                .last
                .split_off_pair(line)
                .unwrap_or((self.last, Run::of(line)));
            let held = self.held.get_or_insert_default();
            held.earlier = held.earlier.saturating_add(count(before));
            held.runs.push(before);
            self.last = newest;
        }
    }

    /// As [`push_reading`](Journal::push_reading), with the member's
    /// lists at hand (for tests).
    #[cfg(test)]
    pub(crate) fn push(
        &mut self,
        posting: Posting,
        filed: Option<(List, usize)>,
        lists: Lists<'_>,
    ) {
        let [orders, ..] = lists;
        self.push_reading(posting, filed, orders, || lists);
    }

    /// Appends `posting`. `filed` is the list and position of the record
    /// `posting` names, when the caller has found it there: the reference
    /// is then not kept a second time, and an entry that says what its
    /// record says (a purchase's or an order's settlement's in `orders`;
    /// a redemption's, an adjustment's or the sign-up bonus's in the
    /// member's lists, which `lists` makes only for such an entry, as
    /// most name the orders) is kept as the record's position alone.
    pub(crate) fn push_reading<'l>(
        &mut self,
        posting: Posting,
        filed: Option<(List, usize)>,
        orders: &(impl Filed + ?Sized),
        lists: impl FnOnce() -> Lists<'l>,
    ) {
        let filed = filed.and_then(|(list, i)| Some((list, u32::try_from(i).ok()?)));
        if let Some((list, i)) = filed {
            let says = (posting.at, posting.available, posting.pending);
            let kept = |list: &dyn Filed| list.entry_is(index(i), posting.kind, &says);
            let line = match (list, posting.kind) {
                (List::Orders, EntryKind::Earned) if orders.earning_is(index(i), &says) => {
                    Some(Line::Earned(i))
                }
                (List::Orders, EntryKind::Settled) if orders.settlement_is(index(i), &says) => {
                    Some(Line::Settled(i))
                }
                (List::Orders, _) => None,
                (list, _) => {
                    let [_, redemptions, _, adjustments, sign_up] = lists();
                    match list {
                        List::Redemptions if kept(redemptions) => Some(Line::Redeemed(i)),
                        List::Adjustments if kept(adjustments) => Some(Line::Adjusted(i)),
                        List::SignUp if kept(sign_up) => Some(Line::SignUp(i)),
                        _ => None,
                    }
                }
            };
            if let Some(line) = line {
                self.line(line);
                return;
            }
        }
        let held = self.held.get_or_insert_default();
        let listed = |references: &mut Vec<Reference>, reference| {
            let at = u32::try_from(references.len()).ok()?;
            references.push(reference);
            Some(Source::Listed(at))
        };
        let source = match (filed, posting.reference) {
            (_, Label::None) => Some(Source::None),
            (Some((list, i)), Label::Named(_)) => Some(Source::Filed(list, i)),
            // A label is made to be kept (or found not to be a valid
            // reference, and then kept as none).
            (filed, label) => match (filed, label.reference()) {
                (_, None) => Some(Source::None),
                (Some((list, i)), Some(_)) => Some(Source::Filed(list, i)),
                (None, Some(reference)) => listed(&mut held.references, reference),
            },
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
    /// `posting`: kept as the position alone, as
    /// [`push_reading`](Journal::push_reading) keeps it, without reading
    /// the record back. A record gives back the event it was made from
    /// (its time, and the points its lot made available or left pending:
    /// an event with both is refused before it is filed), and the posting
    /// is read off the same event, so the record says what the posting
    /// says; builds with debug assertions check it. A position past 32
    /// bits is held in full, as `push_reading` holds it.
    pub(crate) fn push_purchase(&mut self, posting: Posting, position: usize, orders: &impl Filed) {
        debug_assert!(
            orders.earning_is(position, &(posting.at, posting.available, posting.pending)),
            "a purchase's record says what its posting says"
        );
        match u32::try_from(position) {
            Ok(i) if posting.kind == EntryKind::Earned => self.line(Line::Earned(i)),
            _ => self.push_purchase_in_full(posting, position, orders),
        }
    }

    /// A purchase's entry [`push_purchase`](Journal::push_purchase) does
    /// not keep as a position: out of its way, which every purchase takes.
    #[cold]
    #[inline(never)]
    fn push_purchase_in_full(&mut self, posting: Posting, position: usize, orders: &impl Filed) {
        // An entry naming the orders reads no other list.
        self.push_reading(posting, Some((List::Orders, position)), orders, || {
            [&Unread, &Unread, &Unread, &Unread, &Unread]
        });
    }

    /// The entries, oldest first, reading references and purchases off
    /// `lists` (the member's own, which the entries' positions index).
    pub(crate) fn iter<'j>(
        &'j self,
        lists: Lists<'j>,
    ) -> impl DoubleEndedIterator<Item = PostingView> + ExactSizeIterator {
        self.entries(lists, true)
    }

    /// The entries as [`iter`](Journal::iter) reads them, without their
    /// references (each `None`): for a read that sums what the entries
    /// moved, which need not make a [`Reference`] of each record's key.
    pub(crate) fn figures<'j>(
        &'j self,
        lists: Lists<'j>,
    ) -> impl DoubleEndedIterator<Item = PostingView> + ExactSizeIterator {
        self.entries(lists, false)
    }

    /// The entries, with their references when `named`.
    fn entries<'j>(
        &'j self,
        lists: Lists<'j>,
        named: bool,
    ) -> impl DoubleEndedIterator<Item = PostingView> + ExactSizeIterator {
        let held = self.held.as_deref();
        Entries {
            lines: self.runs().flat_map(Run::lines),
            left: self.len(),
            held: held.map_or(&[][..], |held| held.entries.as_slice()).iter(),
            journal: self,
            lists,
            named,
        }
    }

    /// The entry a line stands for: a purchase or a settlement read off
    /// its order, a redemption or an adjustment read off its record, or
    /// an entry held in full. A record is never removed nor changed in
    /// what its entries read, so it is always there.
    fn view<'j>(&'j self, line: Seen<'j>, lists: Lists<'j>, named: bool) -> Option<PostingView> {
        let [orders, redemptions, refunds, adjustments, sign_up] = lists;
        Some(match line {
            Seen::Filed(kind, position) => {
                let position = index(position);
                let list = match kind {
                    EntryKind::Redeemed => redemptions,
                    EntryKind::Adjusted => adjustments,
                    EntryKind::Bonus => sign_up,
                    _ => orders,
                };
                let (at, available, pending) = match kind {
                    EntryKind::Earned => orders.earning_at(position)?,
                    EntryKind::Settled => orders.settlement_at(position)?,
                    _ => list.entry_at(position).filter(|(k, _)| *k == kind)?.1,
                };
                PostingView {
                    at,
                    kind,
                    reference: named.then(|| list.reference_at(position)).flatten(),
                    available,
                    pending,
                }
            }
            Seen::Held(e) => PostingView {
                at: e.at,
                kind: e.kind,
                reference: match e.source {
                    _ if !named => None,
                    Source::None => None,
                    Source::Filed(list, i) => {
                        let list = match list {
                            List::Orders => orders,
                            List::Redemptions => redemptions,
                            List::Refunds => refunds,
                            List::Adjustments => adjustments,
                            List::SignUp => sign_up,
                        };
                        list.reference_at(index(i))
                    }
                    Source::Listed(i) => self
                        .held
                        .as_deref()
                        .and_then(|held| held.references.get(index(i)))
                        .cloned(),
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

    /// Whether the journal allocated its part beside the newest run.
    #[cfg(test)]
    pub(crate) fn allocated(&self) -> bool {
        self.held.is_some()
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
/// line and its entry are always pushed together): otherwise the kind of
/// entry read off the order at a position.
enum Seen<'j> {
    Filed(EntryKind, u32),
    Held(&'j Entry),
}

impl<'j> Seen<'j> {
    /// What `line` reads, taking its entry from `held` for a held line.
    fn of(line: Line, held: impl FnOnce() -> Option<&'j Entry>) -> Option<Seen<'j>> {
        Some(match line {
            Line::Earned(position) => Seen::Filed(EntryKind::Earned, position),
            Line::Settled(position) => Seen::Filed(EntryKind::Settled, position),
            Line::Redeemed(position) => Seen::Filed(EntryKind::Redeemed, position),
            Line::Adjusted(position) => Seen::Filed(EntryKind::Adjusted, position),
            Line::SignUp(position) => Seen::Filed(EntryKind::Bonus, position),
            Line::Held => Seen::Held(held()?),
        })
    }
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
    /// Whether each entry is read with its reference.
    named: bool,
}

impl<'j, L: DoubleEndedIterator<Item = Line>> Iterator for Entries<'j, L> {
    type Item = PostingView;

    fn next(&mut self) -> Option<PostingView> {
        let seen = Seen::of(self.lines.next()?, || self.held.next())?;
        self.left = self.left.saturating_sub(1);
        self.journal.view(seen, self.lists, self.named)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl<L: DoubleEndedIterator<Item = Line>> DoubleEndedIterator for Entries<'_, L> {
    fn next_back(&mut self) -> Option<Self::Item> {
        let seen = Seen::of(self.lines.next_back()?, || self.held.next_back())?;
        self.left = self.left.saturating_sub(1);
        self.journal.view(seen, self.lists, self.named)
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
        /// own list, whether a purchase was pushed as any entry or as a
        /// fresh order's (without reading its record back), and whether
        /// an order's confirmation, a redemption, an adjustment or a
        /// sign-up bonus (first, when the member joined with one) says
        /// what its record keeps.
        #[test]
        fn a_journal_reads_as_the_postings_pushed(
            joined in proptest::bool::ANY,
            steps in proptest::collection::vec(
                (0_u8..12, proptest::bool::ANY, -50_i64..50, -50_i64..50, 0_i64..1_000),
                0..40,
            ),
        ) {
            let mut filed: [Kept; 4] = Default::default();
            let mut bought = Bought::default();
            let mut journal = Journal::default();
            // What was pushed, read as the journal reads it.
            let mut pushed: Vec<PostingView> = Vec::new();
            // How many entries are held in full: all but those saying
            // what their record keeps, found by position.
            let mut in_full = 0;
            let start = chrono::DateTime::<Utc>::UNIX_EPOCH;
            let bonus = (start, Points::new(20), Points::ZERO);
            let sign_up = Kept(
                joined.then(|| (reference("sign-up"), Some((EntryKind::Bonus, bonus)))).into_iter().collect(),
            );
            let signed_up = reference("sign-up");
            if joined {
                let posting = Posting {
                    at: start,
                    kind: EntryKind::Bonus,
                    reference: Label::Named(&signed_up),
                    available: bonus.1,
                    pending: bonus.2,
                };
                pushed.push(posting.view());
                journal.push(posting, Some((List::SignUp, 0)), [&bought, &Unread, &Unread, &Unread, &sign_up]);
            }
            for (n, (source, by_position, available, pending, seconds)) in steps.iter().enumerate() {
                let at = start + chrono::TimeDelta::seconds(*seconds);
                let (available, pending) = (Points::new(*available), Points::new(*pending));
                let mut kind = EntryKind::Earned;
                let mut read_off = false;
                let (posting_reference, position) = match source {
                    0 => (None, None),
                    // A purchase: its entry says what its order's record
                    // says, unless it is not found by position.
                    5 | 6 => {
                        let order = reference(&format!("O-{n}"));
                        let earning = (*source == 5).then_some((at, available, pending));
                        bought.0.push((order.clone(), earning, None));
                        read_off = *source == 5 && *by_position;
                        (Some(order), by_position.then(|| (List::Orders, bought.0.len() - 1)))
                    }
                    // An order without an entry of its own.
                    7 => {
                        bought.0.push((reference(&format!("O-{n}")), None, None));
                        continue;
                    }
                    // The confirmation of the newest order, or of the
                    // oldest not yet confirmed: its record keeps what its
                    // entry says, unless the order was confirmed before
                    // (its entry is then held in full).
                    10 | 11 => {
                        let confirmed = match source {
                            10 => bought.0.len().checked_sub(1),
                            _ => bought.0.iter().position(|(_, _, settled)| settled.is_none()),
                        };
                        let Some(i) = confirmed else { continue };
                        let settlement = (at, available, pending);
                        let (order, _, settled) = &mut bought.0[i];
                        let settled = *settled.get_or_insert(settlement);
                        read_off = settled == settlement;
                        kind = EntryKind::Settled;
                        (Some(order.clone()), Some((List::Orders, i)))
                    }
                    // A record of another kind: a redemption's or an
                    // adjustment's keeps its entry, unless it is one of the
                    // records made to keep none (a third of them); a
                    // refund's keeps none.
                    1..=4 => {
                        let (list, slot) = match source {
                            1 => (List::Orders, 0),
                            2 => (List::Redemptions, 1),
                            3 => (List::Refunds, 2),
                            _ => (List::Adjustments, 3),
                        };
                        let filed_here = reference(&format!("F-{n}"));
                        kind = match source {
                            2 => EntryKind::Redeemed,
                            4 => EntryKind::Adjusted,
                            _ => EntryKind::Earned,
                        };
                        let keeps = matches!(source, 2 | 4) && seconds % 3 != 0;
                        let position = if slot == 0 {
                            bought.0.push((filed_here.clone(), None, None));
                            by_position.then(|| (list, bought.0.len() - 1))
                        } else {
                            let entry = keeps.then_some((kind, (at, available, pending)));
                            filed[slot].0.push((filed_here.clone(), entry));
                            by_position.then(|| (list, filed[slot].0.len() - 1))
                        };
                        read_off = keeps && *by_position;
                        (Some(filed_here), position)
                    }
                    _ => (Some(reference(&format!("R-{n}"))), None),
                };
                if !read_off {
                    in_full += 1;
                }
                let posting = Posting {
                    at,
                    kind,
                    reference: posting_reference.as_ref().map_or(Label::None, Label::Named),
                    available,
                    pending,
                };
                pushed.push(posting.view());
                match (source, position) {
                    // A purchase whose record says what its posting says,
                    // as a fresh order's does: pushed as applying pushes it.
                    (5, Some((List::Orders, i))) => journal.push_purchase(posting, i, &bought),
                    _ => journal.push(posting, position, [&bought, &filed[1], &filed[2], &filed[3], &sign_up]),
                }
            }
            let lists: Lists<'_> = [&bought, &filed[1], &filed[2], &filed[3], &sign_up];
            proptest::prop_assert_eq!(journal.held_in_full(), in_full);
            proptest::prop_assert_eq!(journal.iter(lists).len(), pushed.len());
            let read: Vec<PostingView> = journal.iter(lists).collect();
            proptest::prop_assert_eq!(&read, &pushed);
            let mut backwards: Vec<PostingView> = journal.iter(lists).rev().collect();
            backwards.reverse();
            proptest::prop_assert_eq!(&backwards, &pushed);
            // Read without references, each entry says the same figures.
            let unnamed: Vec<PostingView> = pushed
                .iter()
                .map(|p| PostingView { reference: None, ..p.clone() })
                .collect();
            proptest::prop_assert_eq!(journal.figures(lists).len(), pushed.len());
            let figures: Vec<PostingView> = journal.figures(lists).collect();
            proptest::prop_assert_eq!(&figures, &unnamed);
            let mut figures_back: Vec<PostingView> = journal.figures(lists).rev().collect();
            figures_back.reverse();
            proptest::prop_assert_eq!(&figures_back, &unnamed);
            proptest::prop_assert_eq!(fingerprint(&journal.read(lists)), fingerprint(&pushed));
            proptest::prop_assert!(journal.read(lists) == journal.read(lists));
            let mut longer = journal.clone();
            let again = pushed.first().map_or(Posting {
                at: start,
                kind: EntryKind::Expired,
                reference: Label::None,
                available: Points::ZERO,
                pending: Points::ZERO,
            }, |first| Posting {
                at: first.at,
                kind: first.kind,
                reference: first.reference.as_ref().map_or(Label::None, Label::Named),
                available: first.available,
                pending: first.pending,
            });
            longer.push(again, None, lists);
            proptest::prop_assert!(journal.read(lists) != longer.read(lists));
        }
    }

    /// A member's redemptions, refunds or adjustments for the tests: each
    /// with the entry its record keeps, when it keeps one.
    #[derive(Default)]
    struct Kept(Vec<(Reference, Option<(EntryKind, Earning)>)>);

    impl Filed for Kept {
        fn reference_at(&self, position: usize) -> Option<Reference> {
            self.0.get(position).map(|(reference, _)| reference.clone())
        }

        fn entry_at(&self, position: usize) -> Option<(EntryKind, Earning)> {
            self.0.get(position).and_then(|(_, entry)| *entry)
        }
    }

    /// A member's orders for the tests: each with its purchase's entry
    /// and its confirmation's, when it has them.
    #[derive(Default)]
    struct Bought(Vec<(Reference, Option<Earning>, Option<Earning>)>);

    impl Filed for Bought {
        fn reference_at(&self, position: usize) -> Option<Reference> {
            self.0
                .get(position)
                .map(|(reference, ..)| reference.clone())
        }

        fn earning_at(&self, position: usize) -> Option<Earning> {
            self.0.get(position).and_then(|(_, earning, _)| *earning)
        }

        fn settlement_at(&self, position: usize) -> Option<Earning> {
            self.0.get(position).and_then(|(.., settled)| *settled)
        }
    }

    /// Pushes, for `bought`, the purchase of a new order at `at` and says
    /// where it was filed.
    fn buy(journal: &mut Journal, bought: &mut Bought, at: i64) -> usize {
        let at = chrono::DateTime::<Utc>::UNIX_EPOCH + chrono::TimeDelta::seconds(at);
        let earning = (at, Points::ZERO, Points::new(57));
        let position = bought.0.len();
        let order = reference(&format!("O-{position}"));
        bought.0.push((order.clone(), Some(earning), None));
        let posting = Posting {
            at,
            kind: EntryKind::Earned,
            reference: Label::Named(&order),
            available: earning.1,
            pending: earning.2,
        };
        journal.push_purchase(posting, position, bought);
        position
    }

    /// Pushes, for `bought`, the confirmation of the order at `position`
    /// a day after it, which made its pending points spendable.
    fn confirm(journal: &mut Journal, bought: &mut Bought, position: usize) {
        let (order, Some((at, _, pending)), _) = bought.0[position].clone() else {
            unreachable!("a purchase with its entry")
        };
        let settlement = (
            at + chrono::TimeDelta::days(1),
            pending,
            Points::new(-pending.value()),
        );
        bought.0[position].2 = Some(settlement);
        let posting = Posting {
            at: settlement.0,
            kind: EntryKind::Settled,
            reference: Label::Named(&order),
            available: settlement.1,
            pending: settlement.2,
        };
        journal.push(posting, Some((List::Orders, position)), lists(bought));
    }

    /// A member's lists with `bought` for orders and nothing else.
    fn lists(bought: &Bought) -> Lists<'_> {
        [bought, &Unread, &Unread, &Unread, &Unread]
    }

    /// The journal's runs, oldest first, as their kind, start and count.
    fn runs(journal: &Journal) -> Vec<(Kind, u32, u32)> {
        journal
            .runs()
            .map(|run| (run.kind(), run.start, run.count()))
            .collect()
    }

    #[test]
    fn a_member_whose_every_order_is_confirmed_before_the_next_holds_one_run_in_place() {
        let mut bought = Bought::default();
        let mut journal = Journal::default();
        for n in 0..1_000 {
            let i = buy(&mut journal, &mut bought, n * 86_400 * 7);
            confirm(&mut journal, &mut bought, i);
        }
        assert!(journal.held.is_none(), "nothing allocated");
        assert_eq!(runs(&journal), [(Kind::Paired, 0, 2_000)]);
        let lists: Lists<'_> = [&bought, &bought, &bought, &bought, &bought];
        let read: Vec<_> = journal.iter(lists).collect();
        assert_eq!(read.len(), 2_000);
        assert_eq!(read[1_999].kind, EntryKind::Settled);
        assert_eq!(
            read[1_999].reference.as_ref().map(Reference::as_str),
            Some("O-999")
        );
        assert_eq!(read[1_999].available, Points::new(57));
        assert_eq!(read[1_998].kind, EntryKind::Earned);
        assert_eq!(read[1_998].pending, Points::new(57));
    }

    #[test]
    fn confirmations_in_other_orders_are_held_as_runs_of_positions() {
        let mut bought = Bought::default();
        let mut journal = Journal::default();
        // Three orders, then their three confirmations.
        for n in 0..3 {
            buy(&mut journal, &mut bought, n);
        }
        for i in 0..3 {
            confirm(&mut journal, &mut bought, i);
        }
        // Two more orders, the newest confirmed at once, then another.
        buy(&mut journal, &mut bought, 10);
        let newest = buy(&mut journal, &mut bought, 11);
        confirm(&mut journal, &mut bought, newest);
        buy(&mut journal, &mut bought, 12);
        // A confirmation out of turn.
        confirm(&mut journal, &mut bought, 3);
        assert_eq!(
            runs(&journal),
            [
                (Kind::Earned, 0, 3),
                (Kind::Settled, 0, 3),
                (Kind::Earned, 3, 1),
                (Kind::Paired, 4, 3),
                (Kind::Settled, 3, 1),
            ]
        );
        assert_eq!(journal.held_in_full(), 0);
        // A second confirmation of an order is not what its record keeps:
        // it is held in full.
        let first = reference("O-0");
        let posting = Posting {
            at: chrono::DateTime::<Utc>::UNIX_EPOCH,
            kind: EntryKind::Settled,
            reference: Label::Named(&first),
            available: Points::new(1),
            pending: Points::new(-1),
        };
        journal.push(posting, Some((List::Orders, 0)), lists(&bought));
        assert_eq!(journal.held_in_full(), 1);
        assert_eq!(runs(&journal).last(), Some(&(Kind::Held, 0, 1)));
    }

    #[test]
    fn a_joiners_sign_up_bonus_and_purchases_are_one_run() {
        let start = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let bonus = (start, Points::new(20), Points::ZERO);
        let sign_up = Kept(vec![(
            reference("sign-up"),
            Some((EntryKind::Bonus, bonus)),
        )]);
        let mut bought = Bought::default();
        let mut journal = Journal::default();
        let signed_up = reference("sign-up");
        let joined = Posting {
            at: start,
            kind: EntryKind::Bonus,
            reference: Label::Named(&signed_up),
            available: bonus.1,
            pending: bonus.2,
        };
        journal.push(
            joined,
            Some((List::SignUp, 0)),
            [&bought, &Unread, &Unread, &Unread, &sign_up],
        );
        for n in 0..3 {
            buy(&mut journal, &mut bought, n);
        }
        assert!(journal.held.is_none(), "nothing allocated");
        assert_eq!(runs(&journal), [(Kind::Joined, 0, 4)]);
        // The newest order confirmed: its purchase leaves the joiner's
        // run to start a run of pairs.
        confirm(&mut journal, &mut bought, 2);
        assert_eq!(runs(&journal), [(Kind::Joined, 0, 3), (Kind::Paired, 2, 2)]);
        assert_eq!(journal.held_in_full(), 0);
        let read: Vec<_> = journal
            .iter([&bought, &Unread, &Unread, &Unread, &sign_up])
            .map(|p| (p.kind, p.available.value(), p.reference.map(String::from)))
            .collect();
        assert_eq!(
            read,
            [
                (EntryKind::Bonus, 20, Some("sign-up")),
                (EntryKind::Earned, 0, Some("O-0")),
                (EntryKind::Earned, 0, Some("O-1")),
                (EntryKind::Earned, 0, Some("O-2")),
                (EntryKind::Settled, 57, Some("O-2")),
            ]
            .map(|(kind, points, reference)| (
                kind,
                points,
                reference.map(String::from)
            ))
        );
    }

    #[test]
    fn each_kind_sits_at_its_number_and_reads_back() {
        for (number, kind) in KINDS.into_iter().enumerate() {
            assert_eq!(kind as usize, number);
            let run = Run::new(kind, 9, MOST);
            assert_eq!((run.kind(), run.start, run.count()), (kind, 9, MOST));
        }
    }

    #[test]
    fn a_full_run_is_followed_by_another() {
        let full = Run::new(Kind::Earned, 7, MOST);
        assert_eq!(full.count(), MOST);
        assert_eq!(full.kind(), Kind::Earned);
        assert_eq!(full.then(Line::Earned(7 + MOST)), None);
        let held = Run::new(Kind::Held, 0, MOST - 1);
        assert_eq!(held.then(Line::Held).map(Run::count), Some(MOST));
        assert_eq!(held.then(Line::Earned(0)), None);
    }

    #[test]
    fn a_member_who_only_buys_holds_one_run_in_place() {
        let start = chrono::DateTime::<Utc>::UNIX_EPOCH;
        let mut bought = Bought::default();
        let mut journal = Journal::default();
        for n in 0..1_000_u32 {
            let at = start + chrono::TimeDelta::seconds(i64::from(n));
            let earning = (at, Points::new(57), Points::ZERO);
            bought
                .0
                .push((reference(&format!("O-{n}")), Some(earning), None));
            let order = reference(&format!("O-{n}"));
            let posting = Posting {
                at,
                kind: EntryKind::Earned,
                reference: Label::Named(&order),
                available: earning.1,
                pending: earning.2,
            };
            journal.push(posting, Some((List::Orders, n as usize)), lists(&bought));
        }
        assert!(journal.held.is_none(), "nothing allocated");
        assert_eq!(runs(&journal), [(Kind::Earned, 0, 1_000)]);
        let lists: Lists<'_> = [&bought, &bought, &bought, &bought, &bought];
        assert_eq!(journal.iter(lists).len(), 1_000);
        assert_eq!(
            journal
                .iter(lists)
                .nth(998)
                .map(|p| p.reference.map(String::from)),
            Some(Some("O-998".to_owned()))
        );
    }

    #[test]
    fn a_run_takes_8_bytes_an_entry_held_in_full_40_and_a_journal_16() {
        assert_eq!(std::mem::size_of::<Run>(), 8);
        assert_eq!(std::mem::size_of::<Entry>(), 40);
        assert_eq!(std::mem::size_of::<Journal>(), 16);
    }
}
