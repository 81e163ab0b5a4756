//! A member's live lots, in consumption order: lots that expire by expiry
//! then lot id, lots that never expire in a queue by lot id.
//!
//! Under a program whose points never expire every purchase forms a lot,
//! and a member's lots are as many as their orders not yet spent. Held in
//! one ordered map, each new lot walked down the map's right edge, one
//! cold node per level, and took a map entry's room. Lots that never
//! expire come last in consumption order and among themselves by lot id,
//! the order in which they are formed: a new one goes at the back of the
//! queue, spending takes from the front, and both are found by binary
//! search when a refund restores or takes back points. The ledger
//! numbers a member's lots one after another, so they are held as a run:
//! the first lot's number, then each lot's points in 4 bytes, its number
//! read off its place (a lot taken whole between two others leaves a
//! hole). A lot numbered far from the run (a log written by hand) turns
//! them into a queue of 8-byte entries, each lot's number and points in
//! 32 bits each, and a lot whose do not fit (a lot holds what one order
//! earned) into 16-byte entries.
//!
//! Lots that expire a fixed time after earning are formed in expiry order
//! too, a member's events coming in time order: they go at the back of a
//! queue of their own, and expiring or spending takes from its front; a
//! spent lot a refund restores, the soonest to expire, goes back at the
//! front. That queue holds each lot in 20 bytes (its expiry, then its
//! number and points in 32 bits each) until one does not fit, and then in
//! 32. A lot keyed between two in the queue (a log written by hand,
//! expiry dates set on the events) goes into an ordered map beside it
//! instead of shifting the queue, and the two are read as one sequence.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::hash::{Hash, Hasher};
use std::ops::ControlFlow;

use chrono::{DateTime, Utc};

use super::account::LotKey;
use super::blocks::growth;
use crate::{LotId, Points};

/// Where in each of a member's queues of lots the lot after the one
/// [`Lots::get_near`] found last sits.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Near {
    expiring: usize,
    lasting: usize,
}

/// Every live lot of one member.
#[derive(Clone, Default)]
pub(crate) struct Lots {
    /// Lots with an expiry date, by expiry then lot id.
    expiring: Expiring,
    /// Lots that never expire, by lot id.
    lasting: Lasting,
}

/// The lots that never expire, by lot id. The ledger numbers a member's
/// lots one after another, so while they are held as a [`Run`], each
/// takes 4 bytes (its points) and its number is read off its place.
/// Lots that do not run so (numbered far apart or before the run, as in
/// a log written by hand, or past 32 bits) turn them all into a
/// [`Queue`] of numbered slots.
#[derive(Clone)]
enum Lasting {
    Run(Run),
    /// Boxed, rare as it is, so that the run's room is the whole enum's.
    Queue(Box<Queue<u64, (LotId, Points)>>),
}

/// Lots numbered one after another: the first's number, then each lot's
/// points in 32 bits, at its number's place after the first. A lot taken
/// whole between two held ones leaves a hole (zero points, which no lot
/// holds) where it was; holes at either end are dropped with it, so the
/// first and last slots always hold a lot.
#[derive(Default)]
struct Run {
    /// The number of the lot in the first slot.
    first: u32,
    /// How many slots are holes.
    holes: u32,
    points: VecDeque<u32>,
}

/// The most holes a lot formed past the run's end (or before its start)
/// leaves to stay in the run: a lot numbered further off turns the lots
/// into a [`Queue`]. Lots formed by the ledger come one after another;
/// lots numbered among others (an expiring lot's number between two
/// lasting ones) leave a hole or two.
const MOST_SKIPPED: u32 = 8;

/// A copy of a run has room for [`SPARE`] lots more, as a queue's has.
impl Clone for Run {
    fn clone(&self) -> Run {
        Run {
            first: self.first,
            holes: self.holes,
            points: copied(&self.points),
        }
    }
}

impl Default for Lasting {
    fn default() -> Lasting {
        Lasting::Run(Run::default())
    }
}

/// The lots with an expiry date, by expiry then lot id: those formed at
/// either end of that order in a queue, any other beside it in an ordered
/// map, each lot in one of them.
#[derive(Clone, Default)]
struct Expiring {
    /// Lots in key order.
    queue: Queue<Dated, (LotKey, Points)>,
    /// Lots formed between two of the queue's, when there are any: boxed,
    /// rare as they are, so that the map takes a word in every member's
    /// account.
    #[allow(clippy::box_collection)]
    stray: Option<Box<BTreeMap<LotKey, Points>>>,
}

impl Expiring {
    fn len(&self) -> usize {
        let stray = self.stray.as_deref().map_or(0, BTreeMap::len);
        self.queue.len().saturating_add(stray)
    }

    fn is_empty(&self) -> bool {
        // The map is dropped with its last lot.
        self.queue.len() == 0 && self.stray.is_none()
    }

    fn get(&self, key: &LotKey) -> Option<Points> {
        self.queue
            .get(*key)
            .or_else(|| self.stray.as_deref()?.get(key).copied())
    }

    /// Adds `points` to `key`, forming the lot when it is not held; says
    /// whether it was formed. Out of line: inlined, it took room in the
    /// folding of every event, lots that never expire or not.
    #[inline(never)]
    fn add(&mut self, key: LotKey, points: Points) -> bool {
        // With no map, a lot after every queued one is not held anywhere.
        if self.stray.is_none() && self.queue.push_last(key, points) {
            return true;
        }
        let at = self.queue.position(key);
        if let Err(i) = at {
            if let Some(stray) = self.stray.as_deref_mut()
                && let Some(held) = stray.get_mut(&key)
            {
                *held = held.saturating_add(points);
                return false;
            }
            // A lot formed after every lot in the queue, the common case,
            // or before them all, as a spent lot a refund restores, goes
            // into the queue; one between two of its lots, beside it.
            if i != 0 && i != self.queue.len() {
                self.stray.get_or_insert_default().insert(key, points);
                return true;
            }
        }
        self.queue.add_at(at, key, points)
    }

    /// Takes `points` from `key`, removing the lot once it holds none;
    /// gives what it holds after, or nothing when it is not held.
    fn take(&mut self, key: &LotKey, points: Points) -> Option<Points> {
        if let Some(after) = self.queue.take(*key, points) {
            return Some(after);
        }
        let stray = self.stray.as_deref_mut()?;
        let held = stray.get_mut(key)?;
        *held = held.saturating_sub(points);
        let after = *held;
        if !after.is_positive() {
            stray.remove(key);
            self.drop_empty_stray();
        }
        Some(after)
    }

    fn retain(&mut self, mut keep: impl FnMut(LotKey, Points) -> bool) {
        self.queue.retain(&mut keep);
        if let Some(stray) = self.stray.as_deref_mut() {
            stray.retain(|key, points| keep(*key, *points));
            self.drop_empty_stray();
        }
    }

    /// Drops the map beside the queue once it holds no lot, as
    /// [`is_empty`](Expiring::is_empty) counts on.
    fn drop_empty_stray(&mut self) {
        if self.stray.as_deref().is_some_and(BTreeMap::is_empty) {
            self.stray = None;
        }
    }

    fn first(&self) -> Option<LotKey> {
        let queued = self.queue.front();
        let stray = self.stray.as_deref().and_then(|stray| stray.keys().next());
        match (queued, stray) {
            (Some(queued), Some(stray)) => Some(queued.min(*stray)),
            (queued, stray) => queued.or(stray.copied()),
        }
    }

    /// Every lot, by key: the queue and the map merged. Inlined into
    /// [`Lots::iter`].
    #[inline]
    fn iter(&self) -> Merged<'_> {
        Merged {
            queued: self.queue.iter().peekable(),
            stray: self.stray.as_deref().map(|stray| stray.iter().peekable()),
        }
    }

    /// Calls `each` with every lot, by key, until it breaks: with no map
    /// beside the queue, as most members have, a walk over the queue's
    /// runs of slots.
    fn try_each<B>(
        &self,
        mut each: impl FnMut(LotKey, Points) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        if self.stray.is_none() {
            return self.queue.try_each(each);
        }
        for (key, points) in self.iter() {
            each(key, points)?;
        }
        ControlFlow::Continue(())
    }
}

/// The expiring lots in key order: the queue's, merged with the map's
/// when there is one. Read whenever something falls due (a tick's sweep
/// reads the first lots and what follows them): with no map, as most
/// members have, it reads the queue alone.
struct Merged<'a> {
    queued: std::iter::Peekable<Slots<'a, Dated, (LotKey, Points)>>,
    stray: Option<std::iter::Peekable<std::collections::btree_map::Iter<'a, LotKey, Points>>>,
}

impl Iterator for Merged<'_> {
    type Item = (LotKey, Points);

    fn next(&mut self) -> Option<(LotKey, Points)> {
        let Some(stray) = &mut self.stray else {
            return self.queued.next();
        };
        let from_stray = match (self.queued.peek(), stray.peek()) {
            (Some((next, _)), Some((other, _))) => *other < next,
            (queued, _) => queued.is_none(),
        };
        if from_stray {
            stray.next().map(|(key, points)| (*key, *points))
        } else {
            self.queued.next()
        }
    }
}

/// A [`Queue`]'s lots in key order.
enum Slots<'a, N, W> {
    Narrow(std::collections::vec_deque::Iter<'a, N>),
    Wide(std::collections::vec_deque::Iter<'a, W>),
}

impl<N: Slot, W: Slot<Key = N::Key>> Iterator for Slots<'_, N, W> {
    type Item = (N::Key, Points);

    fn next(&mut self) -> Option<(N::Key, Points)> {
        match self {
            Slots::Narrow(slots) => slots.next().map(|slot| (slot.key(), slot.points())),
            Slots::Wide(slots) => slots.next().map(|slot| (slot.key(), slot.points())),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Slots::Narrow(slots) => slots.size_hint(),
            Slots::Wide(slots) => slots.size_hint(),
        }
    }
}

/// One lot as a [`Queue`] holds it: its key and its points.
trait Slot: Copy {
    /// What orders the queue: a lot's id, or its expiry and id.
    type Key: Ord + Copy;
    /// The slot holding `points` in `key`, if they fit.
    fn holding(key: Self::Key, points: Points) -> Option<Self>;
    /// The lot's key.
    fn key(self) -> Self::Key;
    /// The points it holds.
    fn points(self) -> Points;
}

/// A slot that holds any lot: what a queue turns to when one does not fit
/// its narrow slots.
trait Wide: Slot {
    fn new(key: Self::Key, points: Points) -> Self;
}

/// A lasting lot's number above its points, 32 bits each.
impl Slot for u64 {
    type Key = LotId;

    fn holding(lot: LotId, points: Points) -> Option<u64> {
        let lot = u32::try_from(lot.number()).ok()?;
        let points = u32::try_from(points.value()).ok()?;
        Some(u64::from(lot) << 32 | u64::from(points))
    }

    fn key(self) -> LotId {
        LotId::new(self >> 32)
    }

    fn points(self) -> Points {
        Points::new(i64::from(self as u32))
    }
}

/// A lot as it is, in either queue.
impl<K: Ord + Copy> Slot for (K, Points) {
    type Key = K;

    fn holding(key: K, points: Points) -> Option<(K, Points)> {
        Some((key, points))
    }

    fn key(self) -> K {
        self.0
    }

    fn points(self) -> Points {
        self.1
    }
}

impl<K: Ord + Copy> Wide for (K, Points) {
    fn new(key: K, points: Points) -> (K, Points) {
        (key, points)
    }
}

/// An expiring lot in 20 bytes: its expiry, then its number and points in
/// 32 bits each (ordered as its key is: by expiry, then number).
#[derive(Clone, Copy)]
struct Dated {
    expires_at: DateTime<Utc>,
    lot: u32,
    points: u32,
}

impl Slot for Dated {
    type Key = LotKey;

    fn holding(key: LotKey, points: Points) -> Option<Dated> {
        Some(Dated {
            expires_at: key.expires_at()?,
            lot: u32::try_from(key.lot().number()).ok()?,
            points: u32::try_from(points.value()).ok()?,
        })
    }

    fn key(self) -> LotKey {
        LotKey::new(LotId::new(self.lot.into()), Some(self.expires_at))
    }

    fn points(self) -> Points {
        Points::new(self.points.into())
    }
}

/// Lots in key order, each in a narrow slot `N` while every lot fits one,
/// all in wide slots `W` once one does not.
enum Queue<N, W> {
    Narrow(VecDeque<N>),
    /// Boxed, rare as it is, so that the queue takes 32 bytes of every
    /// member's account, its kind told from the narrow queue's unused bits.
    #[allow(clippy::box_collection)]
    Wide(Box<VecDeque<W>>),
}

/// A queue is copied (as a decision copies a member's lots when time
/// brought something due) by copying its one or two runs of slots whole:
/// the slots are plain data (`Copy`), and `VecDeque`'s own `clone` is compiled
/// into a slot-by-slot loop or a copy of the runs depending on where it
/// is inlined (about 110 against 165 instructions for a member's sixteen
/// lots). The copy has room for [`SPARE`] slots more.
impl<N: Copy, W: Copy> Clone for Queue<N, W> {
    fn clone(&self) -> Queue<N, W> {
        match self {
            Queue::Narrow(queue) => Queue::Narrow(copied(queue)),
            Queue::Wide(queue) => Queue::Wide(Box::new(copied(queue))),
        }
    }
}

impl<N: Copy, W: Copy> Queue<N, W> {
    /// Makes this queue a copy of `source`, in the room it has: a spare
    /// copy a decision planned on before (see
    /// [`Wallet::copy_from`](super::account::Wallet::copy_from)) takes
    /// the next member's lots without allocating, while they fit.
    fn copy_from(&mut self, source: &Queue<N, W>) {
        match (self, source) {
            (Queue::Narrow(to), Queue::Narrow(from)) => copy_into(to, from),
            (Queue::Wide(to), Queue::Wide(from)) => copy_into(to, from),
            (to, from) => *to = from.clone(),
        }
    }
}

/// Makes room in `queue` for `more` slots when it has too little: room
/// for 4, then 8, then by half again or a third (12, 16, 24, 32, 48...),
/// as a member's records grow (see [`growth`]), where the queue would
/// double. A queue holds a slot a lot, and doubling left up to half of it
/// spare: at ten lots that expire, room for sixteen 20-byte slots where
/// this leaves twelve, 8 bytes a stored purchase. The run of lots that
/// never expire (4 bytes a lot, 1.6 bytes a purchase at stake) doubles:
/// grown this way too, its moves cost a plain purchase under the probe
/// about 37 instructions more, most of them `realloc`'s.
#[inline]
fn room_for<S>(queue: &mut VecDeque<S>, more: usize) {
    if queue.capacity().saturating_sub(queue.len()) < more {
        grow_room(queue, more);
    }
}

/// Grows `queue`'s room for `more` slots (see [`room_for`]). Out of line,
/// as the rare step it is.
#[cold]
#[inline(never)]
fn grow_room<S>(queue: &mut VecDeque<S>, more: usize) {
    let len = queue.len();
    let needed = len.saturating_add(more);
    let mut room = len.max(4);
    while room < needed {
        let step = if room < 8 { room } else { growth(room) };
        room = room.saturating_add(step.max(1));
    }
    regrow(queue, room);
}

/// Moves `queue`'s slots into a new allocation with room for `room`, and
/// frees the old one, as a member's blocks of records grow (see
/// `blocks::regrow`): `reserve_exact` and `push_back` grow a queue
/// through `realloc`, which cannot grow it in place when another
/// member's list follows it (members' lists grow in turn) and then takes
/// its new room from the arena, past the small blocks the allocator
/// keeps at hand for each thread. Callgrind: a purchase under points
/// that expire a year after earning about 30 instructions fewer, one
/// under points that never expire about 20.
fn regrow<S>(queue: &mut VecDeque<S>, room: usize) {
    let mut grown = VecDeque::with_capacity(room);
    grown.append(queue);
    *queue = grown;
}

/// Makes `to` a copy of `from`, one or two runs of slots copied whole, in
/// the room `to` has, grown to room for [`SPARE`] slots more when it has
/// too little; an empty `from` leaves `to` empty without growing it, as a
/// program whose points never expire holds its expiring lots' queue
/// empty.
#[inline(always)]
fn copy_into<S: Copy>(to: &mut VecDeque<S>, from: &VecDeque<S>) {
    to.clear();
    if from.is_empty() {
        return;
    }
    let (front, back) = from.as_slices();
    to.reserve(from.len().saturating_add(SPARE));
    to.extend(front);
    to.extend(back);
}

/// How many slots more than it holds a copy of a queue has room for. A
/// decision copies a member's lots to plan on when time brought something
/// due, and its events then add a lot or two (a settlement's, a bonus's):
/// a copy with room for exactly its slots grew at the first, moving every
/// slot again (under points pending a day, a purchase that settles the
/// member's previous order spent about 300 instructions on that growth).
const SPARE: usize = 4;

/// A copy of `queue`, with room for its slots and [`SPARE`] more (see
/// [`copy_into`]); an empty queue's copy allocates nothing.
fn copied<S: Copy>(queue: &VecDeque<S>) -> VecDeque<S> {
    let mut copy = VecDeque::new();
    copy_into(&mut copy, queue);
    copy
}

impl<N, W> Default for Queue<N, W> {
    fn default() -> Queue<N, W> {
        Queue::Narrow(VecDeque::new())
    }
}

/// Where the lot keyed `key` sits in `queue`, or where it would go.
/// Always inlined: called apart (as the compiler chose for some builds),
/// a redemption or a refund took about 25 instructions more.
#[inline(always)]
fn position<S: Slot>(queue: &VecDeque<S>, key: S::Key) -> Result<usize, usize> {
    // A new lot, the common case, goes last without a search; spending
    // takes from the first, also found without one.
    match (queue.front(), queue.back()) {
        (_, Some(last)) if last.key() < key => Err(queue.len()),
        (None, _) => Err(0),
        (Some(first), _) if first.key() == key => Ok(0),
        _ => queue.binary_search_by(|slot| slot.key().cmp(&key)),
    }
}

/// Sets the lot keyed `key`, which [`position`] found at `at` of `queue`,
/// to hold `points`, or inserts it where `at` says it would go; says
/// whether the points fit the queue's slots (when not, nothing changed).
fn put<S: Slot>(
    queue: &mut VecDeque<S>,
    at: Result<usize, usize>,
    key: S::Key,
    points: Points,
) -> bool {
    let Some(slot) = S::holding(key, points) else {
        return false;
    };
    match at {
        Ok(i) => {
            if let Some(held) = queue.get_mut(i) {
                *held = slot;
            }
        }
        // A new lot, the common case: no room to make.
        Err(i) if i == queue.len() => {
            room_for(queue, 1);
            queue.push_back(slot);
        }
        Err(i) => {
            room_for(queue, 1);
            queue.insert(i, slot);
        }
    }
    true
}

/// Adds `points` to the lot keyed `key`, which [`position`] found at `at`
/// of `queue`, forming it there when it is not held: whether it was
/// formed, or nothing when the sum does not fit the queue's slots (nothing
/// changed then).
fn add<S: Slot>(
    queue: &mut VecDeque<S>,
    at: Result<usize, usize>,
    key: S::Key,
    points: Points,
) -> Option<bool> {
    let held = at.ok().and_then(|i| queue.get(i)).map(|slot| slot.points());
    let sum = held.map_or(points, |held| held.saturating_add(points));
    put(queue, at, key, sum).then_some(held.is_none())
}

/// Takes `points` from the lot keyed `key` in `queue`, removing it once it
/// holds none: what it holds after, as an error when that does not fit the
/// queue's slots (nothing changed then), or nothing when it is not held.
fn take<S: Slot>(
    queue: &mut VecDeque<S>,
    key: S::Key,
    points: Points,
) -> Option<Result<Points, Points>> {
    let at = position(queue, key);
    let i = at.ok()?;
    let left = queue.get(i)?.points().saturating_sub(points);
    if !left.is_positive() {
        // Spending and expiring take the oldest first: most removals are
        // the front, which a queue removes without shifting the rest (and
        // without `remove`'s arithmetic for a place in the middle).
        if i == 0 {
            queue.pop_front();
        } else {
            queue.remove(i);
        }
    } else if !put(queue, at, key, left) {
        return Some(Err(left));
    }
    Some(Ok(left))
}

/// `$body` with `$list` bound to the list of slots `$queue` holds, narrow
/// or wide.
macro_rules! each {
    ($queue:expr, $list:ident => $body:expr) => {
        match $queue {
            Queue::Narrow($list) => $body,
            Queue::Wide($list) => $body,
        }
    };
}

impl<N: Slot, W: Wide<Key = N::Key>> Queue<N, W> {
    fn len(&self) -> usize {
        each!(self, list => list.len())
    }

    /// Where the lot keyed `key` sits, or where it would go.
    fn position(&self, key: N::Key) -> Result<usize, usize> {
        each!(self, list => position(list, key))
    }

    fn get(&self, key: N::Key) -> Option<Points> {
        each!(self, list => {
            let i = position(list, key).ok()?;
            list.get(i).map(|slot| slot.points())
        })
    }

    /// The points the lot keyed `key` holds, looked for at `near` before
    /// it is searched for; `near` is then set just after it.
    #[inline(always)]
    fn get_near(&self, key: N::Key, near: &mut usize) -> Option<Points> {
        each!(self, list => {
            let i = match list.get(*near) {
                Some(slot) if slot.key() == key => *near,
                _ => position(list, key).ok()?,
            };
            let points = list.get(i)?.points();
            *near = i.saturating_add(1);
            Some(points)
        })
    }

    /// Adds `points` to the lot keyed `key`, which
    /// [`position`](Queue::position) found at `at`, forming it there when
    /// it is not held; says whether it was formed.
    fn add_at(&mut self, at: Result<usize, usize>, key: N::Key, points: Points) -> bool {
        match each!(self, list => add(list, at, key, points)) {
            Some(formed) => formed,
            None => self.widened().add_at(at, key, points),
        }
    }

    /// Adds `points` to the lot keyed `key`, forming it when it is not
    /// held; says whether it was formed.
    fn add(&mut self, key: N::Key, points: Points) -> bool {
        self.push_last(key, points) || self.add_at(self.position(key), key, points)
    }

    /// Forms the lot keyed `key` at the back when it comes after every
    /// other and the queue's slots are narrow and hold it, as nearly every
    /// purchase's lot does, without the search and the cases of
    /// [`add_at`](Queue::add_at); says whether it did (nothing changed
    /// when not).
    fn push_last(&mut self, key: N::Key, points: Points) -> bool {
        if let Queue::Narrow(list) = self
            && list.back().is_none_or(|last| last.key() < key)
            && let Some(slot) = N::holding(key, points)
        {
            room_for(list, 1);
            list.push_back(slot);
            return true;
        }
        false
    }

    /// Takes `points` from the lot keyed `key`, removing it once it holds
    /// none; gives what it holds after, or nothing when it is not held.
    fn take(&mut self, key: N::Key, points: Points) -> Option<Points> {
        let taken = each!(self, list => take(list, key, points))?;
        // Taking fewer points than none (never drawn) can leave more than
        // the narrow slots hold.
        Some(taken.unwrap_or_else(|left| {
            let wide = self.widened();
            each!(wide, list => put(list, position(list, key), key, left));
            left
        }))
    }

    /// The queue turned to wide slots (the lots at the same places), if it
    /// was narrow: for a lot the narrow slots cannot hold. Out of line,
    /// rare as it is, so that the common paths stay short where they are
    /// inlined.
    #[cold]
    #[inline(never)]
    fn widened(&mut self) -> &mut Queue<N, W> {
        if let Queue::Narrow(narrow) = self {
            let wide = narrow
                .iter()
                .map(|slot| W::new(slot.key(), slot.points()))
                .collect();
            *self = Queue::Wide(Box::new(wide));
        }
        self
    }

    fn retain(&mut self, mut keep: impl FnMut(N::Key, Points) -> bool) {
        each!(self, list => list.retain(|slot| keep(slot.key(), slot.points())))
    }

    fn front(&self) -> Option<N::Key> {
        each!(self, list => list.front().map(|slot| slot.key()))
    }

    fn back_points(&self) -> Option<Points> {
        each!(self, list => list.back().map(|slot| slot.points()))
    }

    /// Every lot, by key.
    fn iter(&self) -> Slots<'_, N, W> {
        match self {
            Queue::Narrow(queue) => Slots::Narrow(queue.iter()),
            Queue::Wide(queue) => Slots::Wide(queue.iter()),
        }
    }

    /// Calls `each` with every lot, by key, until it breaks: a loop over
    /// each of the queue's one or two runs of slots, where
    /// [`iter`](Queue::iter) takes the slots one call at a time through
    /// the match on the queue's width. (The loops are written out rather
    /// than left to the queue iterator's `try_fold`, which the compiler
    /// inlined or not depending on code elsewhere in the crate.)
    fn try_each<B>(
        &self,
        mut each: impl FnMut(N::Key, Points) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        fn runs<S: Slot, B>(
            (front, back): (&[S], &[S]),
            each: &mut impl FnMut(S::Key, Points) -> ControlFlow<B>,
        ) -> ControlFlow<B> {
            for slot in front {
                each(slot.key(), slot.points())?;
            }
            for slot in back {
                each(slot.key(), slot.points())?;
            }
            ControlFlow::Continue(())
        }
        match self {
            Queue::Narrow(queue) => runs(queue.as_slices(), &mut each),
            Queue::Wide(queue) => runs(queue.as_slices(), &mut each),
        }
    }
}

impl Run {
    fn len(&self) -> usize {
        self.points.len().saturating_sub(self.holes as usize)
    }

    /// The slot of the lot numbered `lot`, whether it holds the lot or
    /// not, or nothing when the number is before the first slot's or
    /// past 32 bits.
    #[inline(always)]
    fn place(&self, lot: LotId) -> Option<usize> {
        let lot = u32::try_from(lot.number()).ok()?;
        lot.checked_sub(self.first).map(|at| at as usize)
    }

    /// The points the lot numbered `lot` holds.
    #[inline(always)]
    fn get(&self, lot: LotId) -> Option<Points> {
        let held = *self.points.get(self.place(lot)?)?;
        (held != 0).then(|| Points::new(held.into()))
    }

    /// Adds `points` to the lot numbered `lot`, forming it when it is not
    /// held: whether it was formed, or nothing when the lot or the sum
    /// does not run with the others (nothing changed then).
    #[inline(always)]
    fn add(&mut self, lot: LotId, points: Points) -> Option<bool> {
        let number = u32::try_from(lot.number()).ok()?;
        let at = match number.checked_sub(self.first) {
            Some(at) if !self.points.is_empty() => at,
            _ => return self.form_first(number, points),
        };
        match self.points.get_mut(at as usize) {
            Some(held) => {
                let sum = i64::from(*held).checked_add(points.value())?;
                let sum = u32::try_from(sum).ok().filter(|sum| *sum != 0)?;
                let formed = *held == 0;
                *held = sum;
                if formed {
                    self.holes = self.holes.saturating_sub(1);
                }
                Some(formed)
            }
            None => {
                let slot = u32::try_from(points.value()).ok().filter(|p| *p != 0)?;
                // The next number, as nearly every purchase's lot is.
                if at as usize != self.points.len() {
                    self.skip_to(at)?;
                }
                if self.points.len() == self.points.capacity() {
                    self.double();
                }
                self.points.push_back(slot);
                Some(true)
            }
        }
    }

    /// Doubles the run's room (to four slots at first), as `push_back`
    /// would, without `realloc` (see [`regrow`]). Out of line, as the
    /// rare step it is.
    #[cold]
    #[inline(never)]
    fn double(&mut self) {
        let room = self.points.capacity().saturating_mul(2).max(4);
        regrow(&mut self.points, room);
    }

    /// Holes up to the slot `at`, past the last, when they are few.
    #[cold]
    #[inline(never)]
    fn skip_to(&mut self, at: u32) -> Option<()> {
        let skipped = (at as usize).saturating_sub(self.points.len());
        let skipped = u32::try_from(skipped).ok().filter(|s| *s <= MOST_SKIPPED)?;
        self.holes = self.holes.checked_add(skipped)?;
        self.points.extend(std::iter::repeat_n(0, skipped as usize));
        Some(())
    }

    /// Forms the lot numbered `number` in an empty run, or before the
    /// first lot of one, as a spent lot a refund restores: with the holes
    /// between it and the first, when they are few.
    #[cold]
    #[inline(never)]
    fn form_first(&mut self, number: u32, points: Points) -> Option<bool> {
        let slot = u32::try_from(points.value()).ok().filter(|p| *p != 0)?;
        if self.points.is_empty() {
            self.first = number;
            self.holes = 0;
            self.points.push_back(slot);
            return Some(true);
        }
        let skipped = self.first.checked_sub(number)?.checked_sub(1)?;
        if skipped > MOST_SKIPPED {
            return None;
        }
        self.holes = self.holes.checked_add(skipped)?;
        for _ in 0..skipped {
            self.points.push_front(0);
        }
        self.points.push_front(slot);
        self.first = number;
        Some(true)
    }

    /// Takes `points` from the lot numbered `lot`, removing it once it
    /// holds none: what it holds after, as an error when that does not
    /// fit a slot (nothing changed then), or nothing when it is not held.
    fn take(&mut self, lot: LotId, points: Points) -> Option<Result<Points, Points>> {
        let at = self.place(lot)?;
        let held = self.points.get_mut(at).filter(|held| **held != 0)?;
        let left = Points::new(i64::from(*held)).saturating_sub(points);
        if left.is_positive() {
            match u32::try_from(left.value()) {
                Ok(slot) => *held = slot,
                Err(_) => return Some(Err(left)),
            }
        } else {
            // A hole, dropped at once at either end (spending takes the
            // oldest first, from the front).
            *held = 0;
            self.holes = self.holes.saturating_add(1);
            self.trim();
        }
        Some(Ok(left))
    }

    /// Drops the holes at either end, so that the first and last slots
    /// hold lots.
    fn trim(&mut self) {
        while self.points.front() == Some(&0) {
            self.points.pop_front();
            self.first = self.first.saturating_add(1);
            self.holes = self.holes.saturating_sub(1);
        }
        while self.points.back() == Some(&0) {
            self.points.pop_back();
            self.holes = self.holes.saturating_sub(1);
        }
    }

    fn retain(&mut self, mut keep: impl FnMut(LotId, Points) -> bool) {
        let first = u64::from(self.first);
        let mut dropped = 0_u32;
        for (at, held) in (0_u64..).zip(self.points.iter_mut()) {
            if *held != 0
                && !keep(
                    LotId::new(first.saturating_add(at)),
                    Points::new((*held).into()),
                )
            {
                *held = 0;
                dropped = dropped.saturating_add(1);
            }
        }
        self.holes = self.holes.saturating_add(dropped);
        self.trim();
    }

    /// Every lot, by number.
    fn iter(&self) -> RunLots<'_> {
        RunLots {
            number: u64::from(self.first),
            slots: self.points.iter(),
        }
    }

    /// Calls `each` with every lot, by number, until it breaks: a loop
    /// over each of the run's one or two runs of slots, where stepping
    /// [`iter`](Run::iter) took a redemption (whose draws are planned in
    /// such a walk) about 20 instructions more.
    fn try_each<B>(&self, mut each: impl FnMut(LotId, Points) -> ControlFlow<B>) -> ControlFlow<B> {
        let (front, back) = self.points.as_slices();
        let mut number = u64::from(self.first);
        for held in front.iter().chain(back) {
            if *held != 0 {
                each(LotId::new(number), Points::new((*held).into()))?;
            }
            number = number.saturating_add(1);
        }
        ControlFlow::Continue(())
    }

    /// The same lots as a queue of numbered slots: for a lot the run
    /// cannot hold. Out of line, rare as it is.
    #[cold]
    #[inline(never)]
    fn queued(&self) -> Box<Queue<u64, (LotId, Points)>> {
        let mut queue = Box::<Queue<u64, (LotId, Points)>>::default();
        for (lot, points) in self.iter() {
            queue.add(lot, points);
        }
        queue
    }
}

/// A [`Run`]'s lots, by number: its slots with their numbers, holes
/// passed over.
struct RunLots<'a> {
    /// The number of the next slot's lot.
    number: u64,
    slots: std::collections::vec_deque::Iter<'a, u32>,
}

impl Iterator for RunLots<'_> {
    type Item = (LotId, Points);

    fn next(&mut self) -> Option<(LotId, Points)> {
        loop {
            let held = *self.slots.next()?;
            let number = self.number;
            self.number = number.saturating_add(1);
            if held != 0 {
                return Some((LotId::new(number), Points::new(held.into())));
            }
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        // The run's last slot holds a lot; any before it may be holes.
        let slots = self.slots.len();
        (usize::from(slots > 0), Some(slots))
    }
}

/// The lots that never expire, by number, however they are held.
enum LastingLots<'a> {
    Run(RunLots<'a>),
    Queue(Slots<'a, u64, (LotId, Points)>),
}

/// Read after the lots that expire, which the walks of a tick (an
/// expiry's sweep, what falls due next) mostly stop among: the step is
/// out of line, so that it takes no room where those walks are inlined.
impl Iterator for LastingLots<'_> {
    type Item = (LotId, Points);

    #[inline(never)]
    fn next(&mut self) -> Option<(LotId, Points)> {
        match self {
            LastingLots::Run(lots) => lots.next(),
            LastingLots::Queue(lots) => lots.next(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            LastingLots::Run(lots) => lots.size_hint(),
            LastingLots::Queue(lots) => lots.size_hint(),
        }
    }
}

impl Lasting {
    #[inline(always)]
    fn len(&self) -> usize {
        match self {
            Lasting::Run(run) => run.len(),
            Lasting::Queue(queue) => queue.len(),
        }
    }

    fn get(&self, lot: LotId) -> Option<Points> {
        match self {
            Lasting::Run(run) => run.get(lot),
            Lasting::Queue(queue) => queue.get(lot),
        }
    }

    #[inline(always)]
    fn get_near(&self, lot: LotId, near: &mut usize) -> Option<Points> {
        match self {
            Lasting::Run(run) => run.get(lot),
            Lasting::Queue(queue) => queue.get_near(lot, near),
        }
    }

    #[inline(always)]
    fn add(&mut self, lot: LotId, points: Points) -> bool {
        match self {
            Lasting::Run(run) => match run.add(lot, points) {
                Some(formed) => formed,
                None => {
                    let mut queue = run.queued();
                    let formed = queue.add(lot, points);
                    *self = Lasting::Queue(queue);
                    formed
                }
            },
            Lasting::Queue(queue) => queue.add(lot, points),
        }
    }

    fn take(&mut self, lot: LotId, points: Points) -> Option<Points> {
        match self {
            Lasting::Run(run) => match run.take(lot, points)? {
                Ok(left) => Some(left),
                // Taking fewer points than none (never drawn) can leave
                // more than a slot holds.
                Err(_) => {
                    let mut queue = run.queued();
                    let left = queue.take(lot, points);
                    *self = Lasting::Queue(queue);
                    left
                }
            },
            Lasting::Queue(queue) => queue.take(lot, points),
        }
    }

    fn retain(&mut self, keep: impl FnMut(LotId, Points) -> bool) {
        match self {
            Lasting::Run(run) => run.retain(keep),
            Lasting::Queue(queue) => queue.retain(keep),
        }
    }

    fn front(&self) -> Option<LotId> {
        match self {
            Lasting::Run(run) => (!run.points.is_empty()).then(|| LotId::new(run.first.into())),
            Lasting::Queue(queue) => queue.front(),
        }
    }

    fn back_points(&self) -> Option<Points> {
        match self {
            Lasting::Run(run) => run.points.back().map(|held| Points::new((*held).into())),
            Lasting::Queue(queue) => queue.back_points(),
        }
    }

    #[inline]
    fn iter(&self) -> LastingLots<'_> {
        match self {
            Lasting::Run(run) => LastingLots::Run(run.iter()),
            Lasting::Queue(queue) => LastingLots::Queue(queue.iter()),
        }
    }

    fn try_each<B>(&self, each: impl FnMut(LotId, Points) -> ControlFlow<B>) -> ControlFlow<B> {
        match self {
            Lasting::Run(run) => run.try_each(each),
            Lasting::Queue(queue) => queue.try_each(each),
        }
    }

    fn copy_from(&mut self, source: &Lasting) {
        match (self, source) {
            (Lasting::Run(to), Lasting::Run(from)) => {
                to.first = from.first;
                to.holes = from.holes;
                copy_into(&mut to.points, &from.points);
            }
            (Lasting::Queue(to), Lasting::Queue(from)) => to.copy_from(from),
            (to, from) => *to = from.clone(),
        }
    }
}

impl Lots {
    /// Makes these lots a copy of `source`'s, in the room they have (see
    /// [`Wallet::copy_from`](super::account::Wallet::copy_from)).
    pub(crate) fn copy_from(&mut self, source: &Lots) {
        self.expiring.queue.copy_from(&source.expiring.queue);
        self.expiring.stray.clone_from(&source.expiring.stray);
        self.lasting.copy_from(&source.lasting);
    }

    /// The number of lots.
    pub(crate) fn len(&self) -> usize {
        self.expiring.len().saturating_add(self.lasting.len())
    }

    /// The points of the newest lot that never expires: read by
    /// [`Account::warm`](super::account::Account::warm) for the line it
    /// sits on.
    pub(crate) fn newest_lasting(&self) -> Option<Points> {
        self.lasting.back_points()
    }

    /// Whether there are none.
    pub(crate) fn is_empty(&self) -> bool {
        self.expiring.is_empty() && self.lasting.len() == 0
    }

    /// The points `key` holds.
    pub(crate) fn get(&self, key: &LotKey) -> Option<Points> {
        if key.expires_at().is_some() {
            return self.expiring.get(key);
        }
        self.lasting.get(key.lot())
    }

    /// The points `key` holds, looked for first just after the lot
    /// `near` says was found last, where the next of a list of lots in
    /// consumption order sits (an event's draws): without a search when
    /// it is there.
    pub(crate) fn get_near(&self, key: &LotKey, near: &mut Near) -> Option<Points> {
        if key.expires_at().is_some() {
            return self
                .expiring
                .queue
                .get_near(*key, &mut near.expiring)
                .or_else(|| self.expiring.stray.as_deref()?.get(key).copied());
        }
        self.lasting.get_near(key.lot(), &mut near.lasting)
    }

    /// Adds `points` to `key`, forming the lot when it holds none; says
    /// whether it was formed. Inlined into the fold of a purchase, where
    /// the compiler left it apart in some builds (19 instructions a
    /// purchase under points that expire).
    #[inline]
    pub(crate) fn add(&mut self, key: LotKey, points: Points) -> bool {
        if key.expires_at().is_some() {
            return self.expiring.add(key, points);
        }
        self.lasting.add(key.lot(), points)
    }

    /// Takes `points` from `key`, removing the lot once it holds none;
    /// gives what it holds after, or nothing when it held none.
    pub(crate) fn take(&mut self, key: &LotKey, points: Points) -> Option<Points> {
        if key.expires_at().is_some() {
            return self.expiring.take(key, points);
        }
        self.lasting.take(key.lot(), points)
    }

    /// Keeps the lots `keep` says to.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(LotKey, Points) -> bool) {
        self.expiring.retain(&mut keep);
        self.lasting
            .retain(|lot, points| keep(LotKey::new(lot, None), points));
    }

    /// The first lot in consumption order.
    pub(crate) fn first(&self) -> Option<LotKey> {
        self.expiring
            .first()
            .or_else(|| self.lasting.front().map(|lot| LotKey::new(lot, None)))
    }

    /// Every lot with the points it holds, in consumption order. Always
    /// inlined, with the two lists' own (`Expiring::iter`,
    /// `Lasting::iter`): called apart, as the compiler chose for some
    /// builds, a tick that expires a due member's lot took about 35
    /// instructions more.
    #[inline(always)]
    pub(crate) fn iter(&self) -> impl Iterator<Item = (LotKey, Points)> + '_ {
        self.expiring.iter().chain(
            self.lasting
                .iter()
                .map(|(lot, points)| (LotKey::new(lot, None), points)),
        )
    }

    /// Calls `each` with every lot and the points it holds, in
    /// consumption order, until it breaks: what [`iter`](Lots::iter)
    /// reads, walked without an iterator's call per lot.
    pub(crate) fn try_each<B>(
        &self,
        mut each: impl FnMut(LotKey, Points) -> ControlFlow<B>,
    ) -> ControlFlow<B> {
        self.expiring.try_each(&mut each)?;
        self.lasting
            .try_each(|lot, points| each(LotKey::new(lot, None), points))
    }

    /// Every lot's points, in consumption order.
    pub(crate) fn values(&self) -> impl Iterator<Item = Points> + '_ {
        self.iter().map(|(_, points)| points)
    }
}

/// Lots compare as the ordered map of lots they replaced: by what each
/// kind holds in order, whichever way it is held (expiring lots in the
/// queue or beside it, lasting lots in either width of slot).
impl PartialEq for Lots {
    fn eq(&self, other: &Lots) -> bool {
        self.expiring.len() == other.expiring.len()
            && self.expiring.iter().eq(other.expiring.iter())
            && self.lasting.iter().eq(other.lasting.iter())
    }
}

impl Eq for Lots {}

/// Hashes as the ordered map of lots it replaced (its length, then each
/// lot and its points in consumption order), so the ledger's fingerprint
/// does not depend on how lots are held.
impl Hash for Lots {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.len());
        for (key, points) in self.iter() {
            (&key, &points).hash(state);
        }
    }
}

impl fmt::Debug for Lots {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{DateTime, TimeDelta, Utc};
    use proptest::prelude::*;
    use std::hash::BuildHasher;

    fn key(lot: u64, expires_day: Option<i64>) -> LotKey {
        LotKey::new(
            LotId::new(lot),
            expires_day.map(|d| DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(d)),
        )
    }

    #[test]
    fn a_queue_is_copied_whole_when_its_slots_wrap_around() {
        let mut slots: VecDeque<u64> = VecDeque::with_capacity(4);
        slots.extend([1, 2, 3, 4]);
        slots.pop_front();
        slots.pop_front();
        slots.extend([5, 6]);
        assert!(!slots.as_slices().1.is_empty(), "the slots wrap around");
        let narrow: Queue<u64, u64> = Queue::Narrow(slots.clone());
        let wide: Queue<u64, u64> = Queue::Wide(Box::new(slots));
        for queue in [narrow.clone(), wide.clone()] {
            let copy = match queue {
                Queue::Narrow(copy) => copy,
                Queue::Wide(copy) => *copy,
            };
            assert_eq!(copy, [3, 4, 5, 6]);
        }
    }

    fn hash_of<T: Hash>(value: &T) -> u64 {
        std::hash::BuildHasherDefault::<std::hash::DefaultHasher>::default().hash_one(value)
    }

    #[derive(Debug, Clone)]
    enum Op {
        Add(u64, Option<i64>, i64),
        /// A lasting lot numbered this far after the newest lasting lot
        /// held, below 91 (numbered lots run one after another as the
        /// ledger forms them, with holes a few apart, or too far off for
        /// a run; 99 is never held).
        AddNext(i64, i64),
        Take(usize, i64),
        Retain(i64),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            4 => (0_u64..40, prop::option::of(0_i64..5), 1_i64..100)
                .prop_map(|(lot, day, points)| Op::Add(lot, day, points)),
            // Lots and points past 32 bits, which a lasting lot's narrow
            // slot does not hold.
            1 => (
                prop_oneof![0_u64..40, (1_u64 << 32)..(1_u64 << 32) + 3],
                prop::option::of(0_i64..5),
                prop_oneof![1_i64..100, (1_i64 << 32) - 50..(1_i64 << 32) + 50],
            )
                .prop_map(|(lot, day, points)| Op::Add(lot, day, points)),
            4 => (-12_i64..12, 1_i64..100).prop_map(|(after, points)| Op::AddNext(after, points)),
            2 => (0_usize..50, 1_i64..100).prop_map(|(at, points)| Op::Take(at, points)),
            1 => (0_i64..6).prop_map(Op::Retain),
        ]
    }

    #[test]
    fn lasting_lots_take_4_bytes_in_a_run_until_one_does_not_fit_and_compare_either_way() {
        let mut narrow = Lots::default();
        let mut wide = Lots::default();
        for lot in 1..=5 {
            assert!(narrow.add(key(lot, None), Points::new(10)));
            assert!(wide.add(key(lot, None), Points::new(10)));
        }
        assert_eq!(held_as(&narrow), "run");
        // The queue is boxed: a run's room is the whole of it.
        assert_eq!(size_of::<Lasting>(), size_of::<Run>());
        assert_eq!(size_of::<Run>(), size_of::<VecDeque<u32>>() + 8);
        // The wide queues are boxed: the kind of queue costs no room.
        assert_eq!(
            size_of::<Queue<u64, (LotId, Points)>>(),
            size_of::<VecDeque<u64>>()
        );
        assert_eq!(
            size_of::<Queue<Dated, (LotKey, Points)>>(),
            size_of::<VecDeque<u64>>()
        );
        assert_eq!(size_of::<Dated>(), 20);
        // A lot past 32 bits of points turns the queue wide; spent back
        // under, it stays wide and still compares and hashes the same.
        assert!(!wide.add(key(3, None), Points::new(u32::MAX.into())));
        assert_eq!(held_as(&wide), "wide");
        assert_eq!(
            wide.get(&key(3, None)),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
        assert_ne!(narrow, wide);
        assert_eq!(
            wide.take(&key(3, None), Points::new(u32::MAX.into())),
            Some(Points::new(10))
        );
        assert_eq!(narrow, wide);
        assert_eq!(hash_of(&narrow), hash_of(&wide));
        assert_eq!(narrow.newest_lasting(), Some(Points::new(10)));
        // Taking all a lot holds removes it.
        assert_eq!(
            narrow.take(&key(1, None), Points::new(25)),
            Some(Points::new(-15))
        );
        assert_eq!(narrow.get(&key(1, None)), None);
        assert_eq!(narrow.take(&key(1, None), Points::new(1)), None);
        assert_eq!(narrow.first(), Some(key(2, None)));
        // Taking a negative number of points gives them: past 32 bits,
        // the queue turns wide.
        assert_eq!(
            narrow.take(&key(2, None), Points::new(-i64::from(u32::MAX))),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
        assert_eq!(held_as(&narrow), "wide");
        assert_eq!(
            narrow.get(&key(2, None)),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
    }

    /// How the lots that never expire are held.
    fn held_as(lots: &Lots) -> &'static str {
        match &lots.lasting {
            Lasting::Run(_) => "run",
            Lasting::Queue(queue) => match **queue {
                Queue::Narrow(_) => "narrow",
                Queue::Wide(_) => "wide",
            },
        }
    }

    /// A member's lots that expire, formed one after another, are held
    /// in room for four, then eight, then grown by half again or a third
    /// (12, 16, 24) where a queue doubles; lots formed between two others
    /// make room the same way. The run of lots that never expire doubles.
    #[test]
    fn expiring_lots_grow_their_room_by_half_again() {
        let mut lots = Lots::default();
        let mut room = (Vec::new(), Vec::new());
        for n in 1..=20 {
            lots.add(key(n, None), Points::new(10));
            lots.add(key(n, Some(400 + 2 * n as i64)), Points::new(10));
            let Lasting::Run(run) = &lots.lasting else {
                unreachable!("lots formed one after another stay a run")
            };
            let Queue::Narrow(dated) = &lots.expiring.queue else {
                unreachable!("narrow slots hold these lots")
            };
            for (seen, capacity) in [
                (&mut room.0, run.points.capacity()),
                (&mut room.1, dated.capacity()),
            ] {
                if seen.last() != Some(&capacity) {
                    seen.push(capacity);
                }
            }
        }
        assert_eq!(room.0, [4, 8, 16, 32]);
        assert_eq!(room.1, [4, 8, 12, 16, 24]);
        // A lot expiring between two others, its slot not taken: filed in
        // the queue's order, room made for it.
        let Queue::Narrow(dated) = &lots.expiring.queue else {
            unreachable!("narrow slots hold these lots")
        };
        assert_eq!((dated.len(), dated.capacity()), (20, 24));
        let mut queue: VecDeque<Dated> = VecDeque::new();
        for n in [1, 2, 3, 5] {
            let at = position(&queue, key(n, Some(n as i64)));
            assert!(put(&mut queue, at, key(n, Some(n as i64)), Points::new(1)));
        }
        let at = position(&queue, key(4, Some(4)));
        assert_eq!(at, Err(3));
        assert!(put(&mut queue, at, key(4, Some(4)), Points::new(1)));
        assert_eq!(queue.capacity(), 8);
        let numbers: Vec<u32> = queue.iter().map(|slot| slot.lot).collect();
        assert_eq!(numbers, [1, 2, 3, 4, 5]);
    }

    #[test]
    fn lots_numbered_one_after_another_stay_a_run_with_holes_where_lots_went() {
        let mut lots = Lots::default();
        let ten = Points::new(10);
        let numbers = |lots: &Lots| {
            lots.iter()
                .map(|(k, _)| k.lot().number())
                .collect::<Vec<_>>()
        };
        for lot in 3..=7 {
            assert!(lots.add(key(lot, None), ten));
        }
        // A lot taken whole between two others leaves a hole, which a
        // lot formed there again fills.
        assert_eq!(lots.take(&key(5, None), ten), Some(Points::ZERO));
        assert_eq!(numbers(&lots), [3, 4, 6, 7]);
        assert_eq!(lots.len(), 4);
        assert_eq!(lots.get(&key(5, None)), None);
        assert_eq!(lots.take(&key(5, None), ten), None);
        assert!(lots.add(key(5, None), ten));
        assert!(!lots.add(key(5, None), ten));
        assert_eq!(lots.get(&key(5, None)), Some(Points::new(20)));
        // Spending from the front moves the first number on, past any
        // holes behind it.
        assert_eq!(lots.take(&key(4, None), ten), Some(Points::ZERO));
        assert_eq!(
            lots.take(&key(3, None), Points::new(4)),
            Some(Points::new(6))
        );
        assert_eq!(lots.take(&key(3, None), Points::new(6)), Some(Points::ZERO));
        assert_eq!(lots.first(), Some(key(5, None)));
        assert_eq!(numbers(&lots), [5, 6, 7]);
        // A lot a few numbers on, or a few before the first (a spent lot
        // a refund restores), stays in the run.
        assert!(lots.add(key(10, None), ten));
        assert!(lots.add(key(2, None), ten));
        assert_eq!(numbers(&lots), [2, 5, 6, 7, 10]);
        assert_eq!(held_as(&lots), "run");
        // Dropping the last lots drops the holes before them.
        lots.retain(|k, _| k.lot().number() < 7);
        assert_eq!(numbers(&lots), [2, 5, 6]);
        assert_eq!(lots.newest_lasting(), Some(ten));
        let copy = lots.clone();
        let mut spare = Lots::default();
        spare.copy_from(&lots);
        assert_eq!(held_as(&copy), "run");
        assert_eq!((&copy, hash_of(&copy)), (&lots, hash_of(&lots)));
        assert_eq!((&spare, hash_of(&spare)), (&lots, hash_of(&lots)));
        // A lot numbered far off turns them into a queue, which holds,
        // compares and hashes the same lots.
        assert!(lots.add(key(40, None), ten));
        assert_eq!(held_as(&lots), "narrow");
        assert_eq!(numbers(&lots), [2, 5, 6, 40]);
        let mut run = copy.clone();
        assert!(run.add(key(11, None), ten));
        assert!(lots.take(&key(40, None), ten).is_some());
        assert!(run.take(&key(11, None), ten).is_some());
        assert_eq!((&run, hash_of(&run)), (&lots, hash_of(&lots)));
        spare.copy_from(&lots);
        assert_eq!((held_as(&spare), &spare), ("narrow", &lots));
        // So does one numbered far before the first, and emptied, a run
        // starts again wherever its next lot is numbered.
        let mut early = copy.clone();
        assert!(early.add(key(1, None), ten));
        assert_eq!(held_as(&early), "run");
        early.retain(|_, _| false);
        assert!(early.is_empty());
        assert!(early.add(key(1_000, None), ten));
        assert!(early.add(key(1_001, None), ten));
        assert_eq!(
            (held_as(&early), numbers(&early)),
            ("run", vec![1_000, 1_001])
        );
        assert!(early.add(key(900, None), ten));
        assert_eq!(held_as(&early), "narrow");
    }

    #[test]
    fn expiring_lots_formed_out_of_order_are_held_beside_the_queue_and_read_in_order() {
        let mut lots = Lots::default();
        let ten = Points::new(10);
        assert!(lots.add(key(5, Some(5)), ten));
        // Sooner than every queued lot: at the queue's front.
        assert!(lots.add(key(1, Some(1)), ten));
        // Between two queued lots: beside the queue.
        assert!(lots.add(key(3, Some(3)), ten));
        assert_eq!(lots.expiring.queue.len(), 2);
        assert_eq!(lots.expiring.stray.as_deref().map(BTreeMap::len), Some(1));
        let order = |lots: &Lots| {
            lots.iter()
                .map(|(k, _)| k.lot().number())
                .collect::<Vec<_>>()
        };
        assert_eq!(order(&lots), [1, 3, 5]);
        assert_eq!(lots.take(&key(1, Some(1)), ten), Some(Points::ZERO));
        assert_eq!(lots.first(), Some(key(3, Some(3))));
        // The queue's last lot spent, the lot beside it is past the
        // queue's end and is still the one added to.
        assert_eq!(lots.take(&key(5, Some(5)), ten), Some(Points::ZERO));
        assert!(!lots.add(key(3, Some(3)), ten));
        assert_eq!(lots.get(&key(3, Some(3))), Some(Points::new(20)));
        assert_eq!(lots.len(), 1);
        assert!(lots.add(key(4, Some(4)), ten));
        assert_eq!(order(&lots), [3, 4]);
        // The map goes with its last lot.
        assert_eq!(
            lots.take(&key(3, Some(3)), Points::new(20)),
            Some(Points::ZERO)
        );
        assert!(lots.expiring.stray.is_none());
        assert_eq!(lots.take(&key(4, Some(4)), ten), Some(Points::ZERO));
        assert!(lots.is_empty());
        // A lot past 32 bits of points turns the expiring queue wide, and
        // it keeps its lots in order.
        assert!(lots.add(key(2, Some(2)), ten));
        assert!(lots.add(key(9, Some(9)), ten));
        assert!(!lots.add(key(2, Some(2)), Points::new(u32::MAX.into())));
        assert!(matches!(lots.expiring.queue, Queue::Wide(_)));
        assert_eq!(order(&lots), [2, 9]);
        assert_eq!(
            lots.get(&key(2, Some(2))),
            Some(Points::new(i64::from(u32::MAX) + 10))
        );
    }

    proptest! {
        /// Whatever lots are formed, spent and dropped, the lots read,
        /// compare and hash as the ordered map they replaced.
        #[test]
        fn lots_behave_as_the_ordered_map(ops in prop::collection::vec(op(), 0..80)) {
            let mut lots = Lots::default();
            let mut map: BTreeMap<LotKey, Points> = BTreeMap::new();
            for op in ops {
                match op {
                    Op::Add(lot, day, points) => {
                        let k = key(lot, day);
                        let formed = lots.add(k, Points::new(points));
                        let held = map.entry(k).or_insert(Points::ZERO);
                        prop_assert_eq!(formed, held.is_zero());
                        *held = Points::new(held.value() + points);
                    }
                    Op::AddNext(after, points) => {
                        let newest = map.keys().filter(|k| k.expires_at().is_none()).map(|k| k.lot().number()).max();
                        let lot = newest.unwrap_or(20).saturating_add_signed(after).min(90);
                        let k = key(lot, None);
                        let formed = lots.add(k, Points::new(points));
                        let held = map.entry(k).or_insert(Points::ZERO);
                        prop_assert_eq!(formed, held.is_zero());
                        *held = Points::new(held.value() + points);
                    }
                    Op::Take(at, points) => {
                        let Some(k) = map.keys().nth(at % map.len().max(1)).copied() else {
                            continue;
                        };
                        let held = lots.take(&k, Points::new(points));
                        let expected = map.get_mut(&k).map(|p| {
                            *p = Points::new(p.value().saturating_sub(points));
                            *p
                        });
                        prop_assert_eq!(held, expected);
                        if expected.is_some_and(|p| !p.is_positive()) {
                            map.remove(&k);
                        }
                    }
                    Op::Retain(day) => {
                        let live = |k: &LotKey| k.expires_at().is_none_or(|t| t > DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(day));
                        lots.retain(|k, _| live(&k));
                        map.retain(|k, _| live(k));
                    }
                }
                let listed: Vec<(LotKey, Points)> = lots.iter().collect();
                let expected: Vec<(LotKey, Points)> = map.iter().map(|(k, p)| (*k, *p)).collect();
                prop_assert_eq!(&listed, &expected);
                // Walked without an iterator, the same lots in the same
                // order, and no further than where the walk breaks.
                let mut walked = Vec::new();
                let whole = lots.try_each(|k, p| {
                    walked.push((k, p));
                    ControlFlow::<()>::Continue(())
                });
                prop_assert!(whole.is_continue());
                prop_assert_eq!(&walked, &expected);
                let stop = expected.len() / 2;
                let mut seen = 0;
                let broke = lots.try_each(|k, p| {
                    seen += 1;
                    if seen > stop { ControlFlow::Break((k, p)) } else { ControlFlow::Continue(()) }
                });
                prop_assert_eq!(broke.break_value(), expected.get(stop).copied());
                prop_assert_eq!(lots.len(), map.len());
                prop_assert_eq!(lots.is_empty(), map.is_empty());
                // The lasting lots' walk says truly how many are left at
                // every step, holes or not.
                let mut lasting = lots.lasting.iter();
                let mut left = lots.lasting.len();
                loop {
                    let (low, high) = lasting.size_hint();
                    prop_assert!(low <= left && high.is_none_or(|high| left <= high), "{} {:?} {}", low, high, left);
                    if lasting.next().is_none() {
                        prop_assert_eq!(left, 0);
                        break;
                    }
                    left -= 1;
                }
                prop_assert_eq!(lots.first(), map.keys().next().copied());
                prop_assert_eq!(hash_of(&lots), hash_of(&map));
                for (k, p) in &map {
                    prop_assert_eq!(lots.get(k), Some(*p));
                }
                prop_assert_eq!(lots.get(&key(99, None)), None);
                prop_assert_eq!(lots.get(&key(99, Some(1))), None);
                // Read near the last one found, as an event's draws are:
                // in consumption order with lots not held between them,
                // then backwards.
                let mut near = Near::default();
                for (k, p) in map.iter().chain(map.iter().rev()) {
                    prop_assert_eq!(lots.get_near(k, &mut near), Some(*p));
                    prop_assert_eq!(lots.get_near(&key(99, None), &mut near), None);
                    prop_assert_eq!(lots.get_near(&key(99, Some(1)), &mut near), None);
                }
            }
        }
    }
}
