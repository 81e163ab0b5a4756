//! What a member's orders and bonuses add to the tier metrics: each
//! contribution by when it was made, their total, and a running sum over
//! the current window.
//!
//! An order's contribution is read off its record (its amount, points and
//! refunds so far), so a purchase files nothing here but its key: the
//! contributions are numbered in the order they were filed, and a record
//! holds its number. Bonuses, which have no record of their own that
//! every kind keeps, are listed here with their numbers. Reading the
//! contributions in number order merges the two lists into the one
//! sequence that was filed.
//!
//! A tiered program asks for the metric over the member's window on every
//! purchase. Summing the window's contributions each time costs one step
//! per order in it, so a member's hundredth order of the year would cost a
//! hundred. The running sum answers the common question — the window that
//! holds the member's latest contribution, up to now — without a pass: it
//! is the same left fold the pass computes (each new contribution is added
//! to the end), so it agrees with the pass to the last digit, saturation
//! included. It is computed again when the window moves on to a new year,
//! and after a refund reduces a contribution inside it.
//!
//! A rolling window (the last so many days) moves on with every purchase.
//! Its running sum slides: the contributions that fell out of it are taken
//! off, a step for each of those rather than for each one still in it. A
//! difference equals the left fold only when no step of the fold lost
//! anything, so the sum slides while the contributions in it are
//! nonnegative, no step overflowed or rounded, and one with the widest
//! spend (whose scale the fold's result shows) stays in the window;
//! otherwise it is summed again from the contributions.

use std::hash::{Hash, Hasher};
use std::num::NonZeroU32;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use crate::tiers::Metric;

/// How many contributions of one member count, numbered from zero: two
/// billion orders and bonuses of one member (as many as order records
/// held in 31 bits when each held its key), past which nothing more
/// counts.
const MOST_KEYS: u32 = (1 << 31) - 1;

/// What one order or bonus adds to each qualifying metric.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub(crate) struct Contribution {
    pub(crate) spend: Decimal,
    pub(crate) points: i64,
    pub(crate) orders: i64,
}

impl Contribution {
    pub(crate) fn value(&self, metric: Metric) -> Decimal {
        match metric {
            Metric::Spend => self.spend,
            Metric::Points => Decimal::from(self.points),
            Metric::Orders => Decimal::from(self.orders),
        }
    }

    /// The same sums, down to the scale of the spend (`==` compares the
    /// spend's value alone).
    #[cfg(any(test, feature = "testing"))]
    fn identical(&self, other: &Contribution) -> bool {
        self == other && self.spend.serialize() == other.spend.serialize()
    }

    pub(crate) fn plus(self, other: Contribution) -> Contribution {
        Contribution {
            spend: self.spend.saturating_add(other.spend),
            points: self.points.saturating_add(other.points),
            orders: self.orders.saturating_add(other.orders),
        }
    }

    /// `self` less `other`. Taking off no spend leaves the spend as it
    /// was, to its scale (a decimal zero less zero reads as the second
    /// zero), so that a record's contribution reads the same once
    /// something happened to its order that took nothing off.
    pub(crate) fn minus(self, other: Contribution) -> Contribution {
        Contribution {
            spend: if other.spend.is_zero() {
                self.spend
            } else {
                self.spend.saturating_sub(other.spend)
            },
            points: self.points.saturating_sub(other.points),
            orders: self.orders.saturating_sub(other.orders),
        }
    }
}

/// Something filed with a contribution: a member's order record (with its
/// reference), or a bonus.
pub(crate) trait Contributes {
    /// A time as [`made_before`](Contributes::made_before) compares
    /// against it, prepared once for a search that compares many.
    type Bound;
    /// `at`, prepared.
    fn bound(at: DateTime<Utc>) -> Self::Bound;
    /// Whether it was made before the time `bound` was prepared from.
    fn made_before(&self, bound: &Self::Bound) -> bool;
    /// When it was made.
    fn at(&self) -> DateTime<Utc>;
    /// Its number among the member's contributions; none when it does not
    /// count (a membership fee).
    fn key(&self) -> Option<u32>;
    /// What it adds now, less what refunds took off.
    fn contribution(&self) -> Contribution;
}

/// What refers to a contribution contributes as it does.
impl<T: Contributes + ?Sized> Contributes for &T {
    type Bound = T::Bound;

    fn bound(at: DateTime<Utc>) -> T::Bound {
        T::bound(at)
    }

    fn made_before(&self, bound: &T::Bound) -> bool {
        T::made_before(self, bound)
    }

    fn at(&self) -> DateTime<Utc> {
        T::at(self)
    }

    fn key(&self) -> Option<u32> {
        T::key(self)
    }

    fn contribution(&self) -> Contribution {
        T::contribution(self)
    }
}

/// Records in the order they were filed, as the tier metrics read them: a
/// member's orders (read through [`Orders`](super::orders::Orders), each
/// record with its rare part), or records held as they are in a slice (a
/// member's bonuses).
pub(crate) trait Sequence {
    /// A time as the records compare against it (see
    /// [`Contributes::Bound`]).
    type Bound;

    /// A record, as read.
    type Item<'s>: Contributes<Bound = Self::Bound>
    where
        Self: 's;

    /// `at`, prepared as the records' [`Contributes::bound`] prepares it.
    fn bound(at: DateTime<Utc>) -> Self::Bound;

    /// The number of records.
    fn count(&self) -> usize;

    /// The records at positions `from` to `to` (not included).
    fn range(&self, from: usize, to: usize) -> impl DoubleEndedIterator<Item = Self::Item<'_>>;

    /// The first position whose record does not satisfy `before`.
    fn partition_point(&self, before: impl FnMut(&Self::Item<'_>) -> bool) -> usize;

    /// The records from position `from` on.
    fn from(&self, from: usize) -> impl DoubleEndedIterator<Item = Self::Item<'_>> {
        self.range(from, self.count())
    }

    /// Every record.
    fn all(&self) -> impl DoubleEndedIterator<Item = Self::Item<'_>> {
        self.range(0, self.count())
    }
}

impl<T: Contributes> Sequence for [T] {
    type Bound = T::Bound;

    type Item<'s>
        = &'s T
    where
        T: 's;

    fn bound(at: DateTime<Utc>) -> T::Bound {
        T::bound(at)
    }

    fn count(&self) -> usize {
        self.len()
    }

    fn range(&self, from: usize, to: usize) -> impl DoubleEndedIterator<Item = &T> {
        let to = to.min(self.len());
        self.get(from.min(to)..to).unwrap_or_default().iter()
    }

    fn partition_point(&self, mut before: impl FnMut(&&T) -> bool) -> usize {
        <[T]>::partition_point(self, |record| before(&record))
    }
}

/// A bonus's contribution: points, nothing else.
#[derive(Debug, Clone, Copy)]
struct Bonus {
    at: DateTime<Utc>,
    points: i64,
    key: u32,
}

impl Contributes for Bonus {
    type Bound = DateTime<Utc>;

    fn bound(at: DateTime<Utc>) -> DateTime<Utc> {
        at
    }

    fn made_before(&self, bound: &DateTime<Utc>) -> bool {
        self.at < *bound
    }

    fn at(&self) -> DateTime<Utc> {
        self.at
    }

    fn key(&self) -> Option<u32> {
        Some(self.key)
    }

    fn contribution(&self) -> Contribution {
        Contribution {
            points: self.points,
            ..Contribution::default()
        }
    }
}

/// The position of the first of `items` made at `at` or later; a
/// member's are in time order.
fn position<S: Sequence + ?Sized>(items: &S, at: DateTime<Utc>) -> usize {
    let bound = S::bound(at);
    items.partition_point(|x| x.made_before(&bound))
}

/// The records of `items` made from `start` (the first, when `None`)
/// until `end` (not included).
fn within<S: Sequence + ?Sized>(
    items: &S,
    start: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
) -> impl DoubleEndedIterator<Item = S::Item<'_>> {
    let from = start.map_or(0, |s| position(items, s));
    items.range(from, position(items, end))
}

/// An order or a bonus, as [`merged`] reads them: read for its time only
/// where it is asked for (an order's is unpacked from its record).
enum Merged<A, B> {
    Order(A),
    Bonus(B),
}

impl<A: Contributes, B: Contributes> Merged<A, B> {
    fn at(&self) -> DateTime<Utc> {
        match self {
            Merged::Order(x) => x.at(),
            Merged::Bonus(x) => x.at(),
        }
    }

    fn contribution(&self) -> Contribution {
        match self {
            Merged::Order(x) => x.contribution(),
            Merged::Bonus(x) => x.contribution(),
        }
    }

    /// When it was made, and what it adds.
    fn entry(&self) -> (DateTime<Utc>, Contribution) {
        (self.at(), self.contribution())
    }
}

/// The contributions of `orders` and `bonuses` in the order they were
/// filed, with their keys.
fn merged<A: Contributes, B: Contributes>(
    orders: impl Iterator<Item = A>,
    bonuses: impl Iterator<Item = B>,
) -> impl Iterator<Item = (u32, Merged<A, B>)> {
    let mut orders = orders
        .filter_map(|x| x.key().map(|key| (key, x)))
        .peekable();
    let mut bonuses = bonuses
        .filter_map(|x| x.key().map(|key| (key, x)))
        .peekable();
    std::iter::from_fn(move || {
        let order_first = match (orders.peek(), bonuses.peek()) {
            (Some((a, _)), Some((b, _))) => a < b,
            (Some(_), None) => true,
            (None, _) => false,
        };
        if order_first {
            orders.next().map(|(key, x)| (key, Merged::Order(x)))
        } else {
            bonuses.next().map(|(key, x)| (key, Merged::Bonus(x)))
        }
    })
}

/// The left fold of `contributions` with [`Contribution::plus`].
fn fold(contributions: impl Iterator<Item = Contribution>) -> Contribution {
    contributions.fold(Contribution::default(), Contribution::plus)
}

/// A left fold of contributions in the order filed, as [`fold`] computes
/// it, which also knows whether contributions at its start can be taken
/// off it exactly: whether the difference is, to the last digit and the
/// scale, the fold of those left.
#[derive(Debug, Clone, Copy)]
struct Running {
    /// The fold so far.
    sum: Contribution,
    /// Whether every contribution folded is nonnegative and no step
    /// overflowed or rounded: then the fold of any of them that follow
    /// the first few is the sum less the fold of those few.
    exact: bool,
    /// The key of the latest contribution with spend whose scale is the
    /// widest among those with spend: while it is among the ones left,
    /// their fold has the sum's scale (adding to zero, or adding zero,
    /// keeps the other side's scale; otherwise the wider one is kept).
    /// Held as one more than the key, so that none takes no room of its
    /// own (the window's positions fit in what that leaves).
    widest: Option<NonZeroU32>,
}

impl Running {
    /// The fold of nothing. One that never `slides` (a window with fixed
    /// ends) skips the bookkeeping: it is taken as inexact from the start.
    fn new(slides: bool) -> Running {
        Running {
            sum: Contribution::default(),
            exact: slides,
            widest: None,
        }
    }

    /// The fold of `contributions` with their keys.
    fn of(contributions: impl Iterator<Item = (u32, Contribution)>, slides: bool) -> Running {
        let mut running = Running::new(slides);
        for (key, contribution) in contributions {
            running.add(key, contribution);
        }
        running
    }

    /// Folds in the contribution keyed `key`.
    fn add(&mut self, key: u32, c: Contribution) {
        /// A spend saturated at the upper bound, as its bytes (comparing
        /// them costs less than comparing decimals).
        const SATURATED: [u8; 16] = Decimal::MAX.serialize();
        let before = self.sum.spend;
        self.sum = self.sum.plus(c);
        if !self.exact {
            return;
        }
        let sum = &self.sum;
        // A saturated step ends at the bound (a sum that reaches it exactly
        // is taken for one too); a rounded one at a narrower scale.
        let whole =
            c.points >= 0 && c.orders >= 0 && sum.points != i64::MAX && sum.orders != i64::MAX;
        let spend = !c.spend.is_sign_negative()
            && (before.is_zero()
                || c.spend.is_zero()
                || (sum.spend.serialize() != SATURATED
                    && sum.spend.scale() == before.scale().max(c.spend.scale())));
        self.exact = whole && spend;
        if !c.spend.is_zero() && (before.is_zero() || c.spend.scale() >= before.scale()) {
            self.widest = key.checked_add(1).and_then(NonZeroU32::new);
        }
    }

    /// The fold of the contributions keyed `from` and after (of those
    /// before `filed`, the next key), when the ones before `from`, which
    /// fold to `gone`, can be taken off exactly.
    fn without(&self, gone: Contribution, from: u32, filed: u32) -> Option<Contribution> {
        if from >= filed {
            return Some(Contribution::default());
        }
        (self.exact && self.widest.is_some_and(|after| after.get() > from))
            .then(|| self.sum.minus(gone))
    }

    /// The same fold, to the scale of its spend and its exactness.
    #[cfg(any(test, feature = "testing"))]
    fn same(&self, other: &Running) -> bool {
        self.sum.identical(&other.sum) && self.exact == other.exact && self.widest == other.widest
    }
}

/// The window a running sum is kept over, for the latest contribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Span {
    /// A window with fixed ends (a calendar year): it holds the latest
    /// contribution until one is made at `end` or later.
    Fixed {
        /// When it opens.
        start: DateTime<Utc>,
        /// When it closes.
        end: DateTime<Utc>,
    },
    /// A window that moves on with every contribution (the last so many
    /// days): `start` is the earliest any window asked about after the
    /// latest contribution opens.
    Sliding {
        /// When the window opens.
        start: DateTime<Utc>,
    },
}

/// The last contribution among `items`: its key and when it was made.
fn last<S: Sequence + ?Sized>(items: &S) -> Option<(u32, DateTime<Utc>)> {
    items.all().rev().find_map(|x| x.key().map(|k| (k, x.at())))
}

/// A member's contributions to the tier metrics: the bonuses' (the
/// orders' are read off their records), their total, and the current
/// window's.
#[derive(Debug, Clone, Default)]
pub(crate) struct Qualifying {
    /// How many contributions were filed, orders and bonuses: the next
    /// one's key. Keys are 32 bits; past that a contribution does not
    /// count.
    filed: u32,
    /// Each bonus with its key and when it was made, in time order.
    bonuses: Vec<Bonus>,
    /// The fold of every contribution.
    total: Contribution,
    /// The running sum of the current window, once one is tracked: derived
    /// from the contributions, so it takes no part in `==` or the
    /// fingerprint.
    window: Option<Box<WindowSum>>,
}

/// The sum of the contributions made from `start` on: those keyed `from`
/// and after, folded in order.
#[derive(Debug, Clone, Copy)]
struct WindowSum {
    /// When the window opened.
    start: DateTime<Utc>,
    /// When it closes, for a window with fixed ends: once the latest
    /// contribution is made there or later, the window to track has moved
    /// on. None for a sliding window.
    end: Option<DateTime<Utc>>,
    /// The key of the first contribution made at `start` or later.
    from: u32,
    /// Where the first order record made at `start` or later sits among
    /// the member's records (their count, when none is), and the first
    /// such bonus among the bonuses: where a slide starts reading what
    /// fell out, without searching for it.
    at: Positions,
    /// When the latest contribution was made.
    latest: DateTime<Utc>,
    /// The fold of the contributions keyed `from` and after.
    running: Running,
}

/// Positions in a member's order records and in their bonuses, as a
/// window keeps them (in 32 bits: a window is not kept over a list
/// longer than that).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Positions {
    orders: u32,
    bonuses: u32,
}

/// A window's running sum moved on to a later start: the key of its first
/// contribution, where its first order and bonus sit, and its sum.
struct Slid {
    from: u32,
    at: Positions,
    sum: Contribution,
}

/// Every contribution of a member, read in the order filed: what `==` and
/// the fingerprint go by. It compares and hashes as the list of
/// `(made at, contribution)` pairs it reads as.
pub(crate) struct Entries<'a, S: ?Sized> {
    orders: &'a S,
    qualifying: &'a Qualifying,
}

impl<S: Sequence + ?Sized> Entries<'_, S> {
    fn iter(&self) -> impl Iterator<Item = (DateTime<Utc>, Contribution)> + '_ {
        merged(self.orders.all(), self.qualifying.bonuses.iter()).map(|(_, x)| x.entry())
    }
}

impl<S: Sequence + ?Sized> PartialEq for Entries<'_, S> {
    fn eq(&self, other: &Self) -> bool {
        self.qualifying.filed == other.qualifying.filed && self.iter().eq(other.iter())
    }
}

/// As a slice of the pairs: its length, then each pair.
impl<S: Sequence + ?Sized> Hash for Entries<'_, S> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_usize(self.iter().count());
        for entry in self.iter() {
            entry.hash(state);
        }
    }
}

impl Qualifying {
    /// Every contribution, `orders` being the member's order records in
    /// the order filed.
    pub(crate) fn entries<'a, S: Sequence + ?Sized>(&'a self, orders: &'a S) -> Entries<'a, S> {
        Entries {
            orders,
            qualifying: self,
        }
    }

    /// When the latest contribution in the tracked window was made, if
    /// one is tracked: read by
    /// [`Account::warm`](super::account::Account::warm) for the line it
    /// sits on.
    pub(crate) fn window_latest(&self) -> Option<DateTime<Utc>> {
        self.window.as_deref().map(|window| window.latest)
    }

    /// The sum of every contribution.
    pub(crate) fn total(&self) -> Contribution {
        self.total
    }

    /// Files an order's contribution made at `at` (never before the last
    /// one: a member's events come in time order), and gives its key for
    /// its record to hold; none past two billion contributions ([`MOST_KEYS`]), which do
    /// not count.
    pub(crate) fn file_order(
        &mut self,
        at: DateTime<Utc>,
        contribution: Contribution,
    ) -> Option<u32> {
        let key = self.next_key()?;
        self.add(key, at, contribution);
        Some(key)
    }

    /// The key of the next contribution filed, counted as filed: none
    /// past [`MOST_KEYS`], which do not count.
    fn next_key(&mut self) -> Option<u32> {
        let key = self.filed;
        if key >= MOST_KEYS {
            return None;
        }
        self.filed = key.checked_add(1)?;
        Some(key)
    }

    /// Files a bonus of `points` made at `at`.
    pub(crate) fn file_bonus(&mut self, at: DateTime<Utc>, points: i64) {
        let Some(key) = self.next_key() else {
            return;
        };
        let bonus = Bonus { at, points, key };
        // Room for one first: most members' only bonus is the sign-up's
        // (a list's first room is four otherwise).
        if self.bonuses.capacity() == 0 {
            self.bonuses.reserve_exact(1);
        }
        self.bonuses.push(bonus);
        self.add(key, at, bonus.contribution());
    }

    /// Adds the contribution just filed as `key` to the total and the
    /// window.
    fn add(&mut self, key: u32, at: DateTime<Utc>, contribution: Contribution) {
        self.total = self.total.plus(contribution);
        if let Some(window) = self.window.as_deref_mut() {
            if at >= window.start {
                window.running.add(key, contribution);
                window.latest = at;
            } else {
                // Out of order after all: the window is summed again when
                // next tracked.
                self.window = None;
            }
        }
    }

    /// A refund took `lost` off the contribution keyed `key`: its record
    /// reads as reduced already.
    pub(crate) fn reduce(&mut self, key: u32, lost: Contribution) {
        self.total = self.total.minus(lost);
        if self.window.as_deref().is_some_and(|w| key >= w.from) {
            self.window = None;
        }
    }

    /// What the contributions made from `start` (the first, when `None`)
    /// until `end` (not included) add up to, `orders` being the member's
    /// order records. `settled` is when the member's last event happened:
    /// nothing is filed after it.
    pub(crate) fn between<S: Sequence + ?Sized>(
        &self,
        orders: &S,
        start: Option<DateTime<Utc>>,
        end: DateTime<Utc>,
        settled: DateTime<Utc>,
    ) -> Contribution {
        if start.is_none() && end > settled {
            return self.total;
        }
        if let Some(window) = self.window.as_deref()
            && let Some(start) = start
            && window.latest < end
        {
            if start == window.start {
                return window.running.sum;
            }
            if let Some(slid) = self.slid(window, orders, start) {
                return slid.sum;
            }
        }
        fold(
            merged(
                within(orders, start, end),
                within(self.bonuses.as_slice(), start, end),
            )
            .map(|(_, x)| x.contribution()),
        )
    }

    /// `window`'s running sum moved on to `start` (later than its own),
    /// when none fell out (any sum, exact or not, then holds the same
    /// ones) or those that did can be taken off exactly. A step for each
    /// that fell out, read from where the window's first order and bonus
    /// sit.
    fn slid<S: Sequence + ?Sized>(
        &self,
        window: &WindowSum,
        orders: &S,
        start: DateTime<Utc>,
    ) -> Option<Slid> {
        if start == window.start {
            return Some(Slid {
                from: window.from,
                at: window.at,
                sum: window.running.sum,
            });
        }
        if start < window.start {
            return None;
        }
        // What fell out, the orders' and the bonuses' apart: they are
        // nonnegative and their fold did not round when it is taken off,
        // so the order they are added in makes no difference.
        let mut gone = Contribution::default();
        let mut from = window.from;
        let mut at = window.at;
        let order_bound = S::bound(start);
        for x in orders
            .from(usize::try_from(at.orders).ok()?)
            .take_while(|x| x.made_before(&order_bound))
        {
            at.orders = at.orders.checked_add(1)?;
            if x.key().is_some() {
                gone = gone.plus(x.contribution());
                from = from.checked_add(1)?;
            }
        }
        for x in self
            .bonuses
            .get(usize::try_from(at.bonuses).ok()?..)?
            .iter()
            .take_while(|x| x.made_before(&start))
        {
            at.bonuses = at.bonuses.checked_add(1)?;
            gone = gone.plus(x.contribution());
            from = from.checked_add(1)?;
        }
        let sum = if from == window.from {
            // Nothing fell out: the same contributions.
            window.running.sum
        } else if !window.running.exact {
            // Something fell out of a sum it cannot be taken off.
            return None;
        } else {
            window.running.without(gone, from, self.filed)?
        };
        Some(Slid { from, at, sum })
    }

    /// The key of the latest contribution and when it was made.
    fn latest<S: Sequence + ?Sized>(&self, orders: &S) -> Option<(u32, DateTime<Utc>)> {
        match (last(orders), last(self.bonuses.as_slice())) {
            (Some(order), Some(bonus)) => Some(if order.0 > bonus.0 { order } else { bonus }),
            (order, bonus) => order.or(bonus),
        }
    }

    /// Keeps a running sum of the window `span` gives for the latest
    /// contribution (none for a lifetime window). A window with fixed ends
    /// is summed once when it moves on, then kept as contributions are
    /// filed; a sliding one slides, or is summed again when the
    /// contributions that fell out cannot be taken off exactly.
    pub(crate) fn track<S: Sequence + ?Sized>(
        &mut self,
        orders: &S,
        span: impl FnOnce(DateTime<Utc>) -> Option<Span>,
    ) {
        // A window kept knows when the latest contribution was made (each
        // is added to it as it is filed); without one, the lists' last.
        let latest = match self.window.as_deref() {
            Some(window) => window.latest,
            None => match self.latest(orders) {
                Some((_, latest)) => latest,
                None => return,
            },
        };
        if self
            .window
            .as_deref()
            .is_some_and(|w| w.end.is_some_and(|end| w.start <= latest && latest < end))
        {
            return;
        }
        let (start, end) = match span(latest) {
            Some(Span::Fixed { start, end }) if start <= latest && latest < end => {
                (start, Some(end))
            }
            Some(Span::Sliding { start }) => {
                if let Some(window) = self.window.as_deref()
                    && window.end.is_none()
                    && let Some(slid) = self.slid(window, orders, start)
                    && let Some(window) = self.window.as_deref_mut()
                {
                    window.start = start;
                    window.from = slid.from;
                    window.at = slid.at;
                    window.running.sum = slid.sum;
                    return;
                }
                (start, None)
            }
            _ => {
                self.window = None;
                return;
            }
        };
        let (first_order, first_bonus) = (
            position(orders, start),
            position(self.bonuses.as_slice(), start),
        );
        let (Ok(orders_at), Ok(bonuses_at)) =
            (u32::try_from(first_order), u32::try_from(first_bonus))
        else {
            self.window = None;
            return;
        };
        let mut from = None;
        let running = Running::of(
            merged(
                orders.from(first_order),
                self.bonuses.iter().skip(first_bonus),
            )
            .map(|(key, x)| {
                from.get_or_insert(key);
                (key, x.contribution())
            }),
            end.is_none(),
        );
        self.window = Some(Box::new(WindowSum {
            start,
            end,
            from: from.unwrap_or(self.filed),
            at: Positions {
                orders: orders_at,
                bonuses: bonuses_at,
            },
            latest,
            running,
        }));
    }

    /// When the tracked window holding the instant just before `end`
    /// opened, if the window tracked holds it: what the program's window
    /// start for `end` is, without the calendar (the window was computed
    /// under the program as it is, since changing the program forgets
    /// it).
    pub(crate) fn tracked_start(&self, end: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.window
            .as_deref()
            .filter(|w| w.end.is_some_and(|close| w.start < end && end <= close))
            .map(|w| w.start)
    }

    /// Forgets the tracked window: the program that gave it changed.
    pub(crate) fn forget_window(&mut self) {
        self.window = None;
    }

    /// Whether the running sum, when kept, is the fold of the
    /// contributions it covers: what the property run checks after every
    /// command.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn window_agrees<S: Sequence + ?Sized>(&self, orders: &S) -> bool {
        self.window.as_deref().is_none_or(|w| {
            let entries = || merged(orders.all(), self.bonuses.iter());
            let from = entries()
                .find(|(_, x)| x.at() >= w.start)
                .map_or(self.filed, |(key, _)| key);
            let running = Running::of(
                entries()
                    .filter(|(key, _)| *key >= from)
                    .map(|(key, x)| (key, x.contribution())),
                w.end.is_none(),
            );
            // The direct fold, to the scale of the spend.
            let folded = fold(
                entries()
                    .filter(|(key, _)| *key >= from)
                    .map(|(_, x)| x.contribution()),
            );
            let at = Positions {
                orders: u32::try_from(position(orders, w.start)).unwrap_or(u32::MAX),
                bonuses: u32::try_from(position(self.bonuses.as_slice(), w.start))
                    .unwrap_or(u32::MAX),
            };
            w.from == from
                && w.at == at
                && self.latest(orders).is_some_and(|(_, at)| at == w.latest)
                && w.running.same(&running)
                && running.sum.identical(&folded)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;
    use proptest::prelude::*;

    fn at(day: i64) -> DateTime<Utc> {
        DateTime::UNIX_EPOCH + TimeDelta::days(day)
    }

    fn spent(cents: i64) -> Contribution {
        Contribution {
            spend: Decimal::new(cents, 2),
            points: cents / 100,
            orders: 1,
        }
    }

    /// An order record as far as the tier metrics go.
    #[derive(Debug, Clone, Copy)]
    struct Order {
        at: DateTime<Utc>,
        key: Option<u32>,
        contribution: Contribution,
    }

    impl Contributes for Order {
        type Bound = DateTime<Utc>;
        fn bound(at: DateTime<Utc>) -> DateTime<Utc> {
            at
        }
        fn made_before(&self, bound: &DateTime<Utc>) -> bool {
            self.at < *bound
        }
        fn at(&self) -> DateTime<Utc> {
            self.at
        }
        fn key(&self) -> Option<u32> {
            self.key
        }
        fn contribution(&self) -> Contribution {
            self.contribution
        }
    }

    /// A member's contributions with the order records they read.
    #[derive(Default)]
    struct Member {
        q: Qualifying,
        orders: Vec<Order>,
    }

    impl Member {
        fn order(&mut self, day: i64, contribution: Contribution) {
            let key = self.q.file_order(at(day), contribution);
            self.orders.push(Order {
                at: at(day),
                key,
                contribution,
            });
        }

        /// A membership fee: filed among the orders, not counted.
        fn fee(&mut self, day: i64) {
            self.orders.push(Order {
                at: at(day),
                key: None,
                contribution: spent(999),
            });
        }

        fn refund(&mut self, order: usize, lost: Contribution) {
            if let Some(o) = self.orders.get_mut(order)
                && let Some(key) = o.key
            {
                o.contribution = o.contribution.minus(lost);
                self.q.reduce(key, lost);
            }
        }

        fn track(&mut self) {
            self.q.track(self.orders.as_slice(), hundred_days);
        }

        fn slide(&mut self) {
            self.q.track(self.orders.as_slice(), thirty_days);
        }

        /// Orders on the days given, the 30 days' sum slid after each and
        /// checked against the direct one.
        fn orders_sliding(&mut self, orders: impl IntoIterator<Item = (i64, Contribution)>) {
            for (day, contribution) in orders {
                self.order(day, contribution);
                self.slide();
                assert!(self.q.window_agrees(self.orders.as_slice()));
            }
        }

        fn between(
            &self,
            start: Option<DateTime<Utc>>,
            end: DateTime<Utc>,
            settled: i64,
        ) -> Contribution {
            self.q
                .between(self.orders.as_slice(), start, end, at(settled))
        }

        /// Every contribution in the order filed.
        fn entries(&self) -> Vec<(DateTime<Utc>, Contribution)> {
            self.q.entries(self.orders.as_slice()).iter().collect()
        }
    }

    /// Windows of 100 days: day 0 to 100, 100 to 200, and so on.
    fn hundred_days(latest: DateTime<Utc>) -> Option<Span> {
        let day = (latest - at(0)).num_days();
        let start = day - day.rem_euclid(100);
        Some(Span::Fixed {
            start: at(start),
            end: at(start + 100),
        })
    }

    /// The 30 days up to the instant after the latest contribution.
    fn thirty_days(latest: DateTime<Utc>) -> Option<Span> {
        Some(Span::Sliding {
            start: rolling(latest + TimeDelta::nanoseconds(1)),
        })
    }

    /// When the 30 days up to `end` open.
    fn rolling(end: DateTime<Utc>) -> DateTime<Utc> {
        end - TimeDelta::days(30)
    }

    /// A spend of `mantissa` at `scale`, with `counted` points and orders.
    fn spending(mantissa: i64, scale: u32, counted: i64) -> Contribution {
        Contribution {
            spend: Decimal::new(mantissa, scale),
            points: counted,
            orders: counted,
        }
    }

    /// A member's contributions are keyed in 31 bits (as many as order
    /// records held when each held its key): the last contribution that
    /// counts takes the last of them, and any after it (an order or a
    /// bonus) counts for nothing, its contribution not added.
    #[test]
    fn contributions_past_the_keys_a_record_holds_do_not_count() {
        let mut m = Member::default();
        m.q.filed = MOST_KEYS - 1;
        assert_eq!(m.q.file_order(at(1), spent(1_000)), Some(MOST_KEYS - 1));
        let counted = m.q.total();
        assert_eq!(counted.spend, Decimal::new(1_000, 2));
        assert_eq!(m.q.file_order(at(2), spent(2_000)), None);
        m.q.file_bonus(at(3), 50);
        assert_eq!(m.q.total(), counted);
        assert_eq!(m.q.filed, MOST_KEYS);
        assert!(m.q.bonuses.is_empty());
        assert_eq!(MOST_KEYS, (1 << 31) - 1);
    }

    #[test]
    fn the_running_sum_answers_the_window_up_to_now() {
        let mut m = Member::default();
        for (day, cents) in [(10, 1_000), (120, 2_550), (130, 4_000)] {
            m.order(day, spent(cents));
            m.track();
        }
        let sum = m.between(Some(at(100)), at(131), 130);
        assert_eq!(sum.spend, Decimal::new(6_550, 2));
        assert_eq!(sum.orders, 2);
        assert!(m.q.window.as_deref().is_some_and(|w| w.from == 1));
        // A refund inside the window drops the running sum until tracked.
        m.refund(2, spent(1_500));
        assert!(m.q.window.is_none());
        assert_eq!(
            m.between(Some(at(100)), at(131), 130).spend,
            Decimal::new(5_050, 2)
        );
        m.track();
        assert!(m.q.window_agrees(m.orders.as_slice()));
        assert_eq!(
            m.between(Some(at(100)), at(131), 130).spend,
            Decimal::new(5_050, 2)
        );
    }

    #[test]
    fn a_window_that_ends_before_the_latest_entry_is_summed_directly() {
        let mut m = Member::default();
        for day in [10, 20, 30] {
            m.order(day, spent(100));
            m.track();
        }
        assert_eq!(m.between(Some(at(0)), at(25), 30).orders, 2);
        assert_eq!(m.between(None, at(25), 30).orders, 2);
        assert_eq!(m.between(None, at(31), 30).orders, 3);
    }

    #[test]
    fn bonuses_and_orders_read_in_the_order_filed_and_fees_do_not_count() {
        let mut m = Member::default();
        m.q.file_bonus(at(1), 50);
        m.order(2, spent(1_000));
        m.fee(2);
        m.q.file_bonus(at(3), 25);
        m.order(4, spent(2_000));
        m.track();
        let points: Vec<i64> = m.entries().iter().map(|(_, c)| c.points).collect();
        assert_eq!(points, [50, 10, 25, 20]);
        assert_eq!(m.q.total().points, 105);
        assert_eq!(m.q.total().orders, 2);
        assert_eq!(m.between(Some(at(2)), at(4), 4).points, 35);
        assert!(m.q.window_agrees(m.orders.as_slice()));
    }

    /// The spend of the 30 days up to the instant after `day`.
    fn last_thirty_days(m: &Member, day: i64) -> String {
        let end = at(day) + TimeDelta::nanoseconds(1);
        m.between(Some(rolling(end)), end, day).spend.to_string()
    }

    #[test]
    fn taking_off_nothing_keeps_the_spend_to_its_scale() {
        let free = Contribution {
            spend: Decimal::new(0, 2),
            points: 0,
            orders: 1,
        };
        assert!(free.minus(Contribution::default()).identical(&free));
        assert_eq!(free.minus(spent(100)).spend.to_string(), "-1.00");
    }

    #[test]
    fn a_sliding_sum_takes_off_what_fell_out_of_the_window() {
        let mut m = Member::default();
        m.orders_sliding(
            [(0, 1_000), (10, 2_000), (20, 3_000), (35, 4_000)]
                .map(|(day, cents)| (day, spent(cents))),
        );
        // Day 0 fell out at day 35; day 10 is still in.
        let window = m.q.window.as_deref().copied();
        assert!(window.is_some_and(|w| w.from == 1 && w.running.exact && w.end.is_none()));
        // It slid: the latest of the widest spends is still in it.
        assert_eq!(window.and_then(|w| w.running.widest), NonZeroU32::new(4));
        assert_eq!(last_thirty_days(&m, 35), "90.00");
        // Asked about a later day before anything is filed then: what fell
        // out by then is taken off the sum.
        assert_eq!(last_thirty_days(&m, 45), "70.00");
        assert_eq!(last_thirty_days(&m, 70), "0");
    }

    #[test]
    fn a_sliding_sum_keeps_the_scale_the_fold_gives() {
        let mut m = Member::default();
        // 1.005 + 2.50 + 3.5 = 7.005; without the first, 2.50 + 3.5 = 6.00,
        // where 7.005 - 1.005 would read 6.000.
        m.orders_sliding([
            (0, spending(1_005, 3, 1)),
            (10, spending(250, 2, 1)),
            (20, spending(35, 1, 1)),
        ]);
        assert_eq!(last_thirty_days(&m, 20), "7.005");
        assert_eq!(last_thirty_days(&m, 35), "6.00");
        m.q.file_bonus(at(36), 5);
        m.slide();
        assert!(m.q.window_agrees(m.orders.as_slice()));
        assert_eq!(last_thirty_days(&m, 36), "6.00");
        // Once no spend is left in the window, the fold of bonuses alone.
        assert_eq!(
            m.between(Some(at(21)), at(37), 36).spend.serialize(),
            Decimal::ZERO.serialize()
        );
    }

    #[test]
    fn a_negative_contribution_makes_the_sliding_sum_fold_again() {
        let mut m = Member::default();
        let exact = |m: &Member| m.q.window.as_deref().is_some_and(|w| w.running.exact);
        m.orders_sliding(
            [(0, 1_000), (10, 2_000), (20, -500)].map(|(day, cents)| (day, spent(cents))),
        );
        assert!(!exact(&m));
        assert_eq!(last_thirty_days(&m, 20), "25.00");
        // Nothing fell out by the next day: the sum answers as it is.
        assert_eq!(last_thirty_days(&m, 21), "25.00");
        assert_eq!(last_thirty_days(&m, 35), "15.00");
        m.orders_sliding([(45, spent(100))]);
        assert!(!exact(&m));
        assert_eq!(last_thirty_days(&m, 45), "-4.00");
        // The negative one fell out: summed again, and exact.
        m.orders_sliding([(60, spent(200))]);
        assert!(exact(&m));
        assert_eq!(last_thirty_days(&m, 60), "3.00");
    }

    #[test]
    fn a_spend_that_cancels_out_makes_the_sliding_sum_fold_again() {
        let mut m = Member::default();
        // Without the first, 1.0 - 1.0 + 2 folds to 2: adding to zero
        // keeps the other side's scale. 7.0 - 5 would read 2.0.
        m.orders_sliding([
            (0, spending(5, 0, 0)),
            (10, spending(10, 1, 0)),
            (11, spending(-10, 1, 0)),
            (12, spending(2, 0, 0)),
        ]);
        assert_eq!(last_thirty_days(&m, 12), "7.0");
        assert_eq!(last_thirty_days(&m, 35), "2");
    }

    #[test]
    fn a_rounded_step_makes_the_sliding_sum_fold_again() {
        let mut m = Member::default();
        let big = |mantissa| Contribution {
            spend: Decimal::from_i128_with_scale(mantissa, 1),
            points: 1,
            orders: 1,
        };
        // Their sum needs more than 96 bits at one decimal: it rounds to
        // a whole number, which less the first is not the second.
        let (first, second) = (
            50_000_000_000_000_000_000_000_000_001,
            50_000_000_000_000_000_000_000_000_000,
        );
        m.orders_sliding([(0, big(first)), (10, big(second))]);
        assert_eq!(last_thirty_days(&m, 10), "10000000000000000000000000000");
        assert_eq!(last_thirty_days(&m, 35), "5000000000000000000000000000.0");
    }

    #[test]
    fn saturated_sums_agree_with_the_direct_fold() {
        let mut m = Member::default();
        let huge = Contribution {
            spend: Decimal::MAX,
            points: i64::MAX,
            orders: 1,
        };
        m.order(1, huge);
        m.track();
        m.order(2, huge);
        m.order(3, spent(-500));
        assert!(m.q.window_agrees(m.orders.as_slice()));
        assert_eq!(
            m.between(Some(at(0)), at(4), 3),
            fold(m.entries().into_iter().map(|(_, c)| c))
        );
    }

    #[test]
    fn a_window_keeps_where_it_starts_in_the_room_it_had() {
        // The positions of its first order and bonus take the 8 bytes the
        // latest widest spend's key no longer pads out: 88 bytes, one
        // 96-byte heap chunk a tiered member.
        assert_eq!(std::mem::size_of::<WindowSum>(), 88);
    }

    proptest! {
        /// Whatever the orders, fees, bonuses, refunds and tracking, the
        /// running sum is the direct fold, every window reads as the direct
        /// fold, and the contributions read in the order filed are those a
        /// list of them would hold.
        #[test]
        fn the_running_sum_is_the_direct_fold(
            steps in prop::collection::vec(
                (
                    0_i64..40,
                    prop_oneof![Just(0_i64), -10_000_i64..1_000_000],
                    0_u32..4,
                    0_u8..5,
                ),
                1..60,
            ),
            sliding in any::<bool>(),
            query in 0_i64..40,
            ahead in 0_i64..40,
        ) {
            let mut m = Member::default();
            let mut list: Vec<(DateTime<Utc>, Contribution)> = Vec::new();
            let mut day = 0;
            // An order's spend at one of several scales.
            let spent = |cents: i64, scale: u32| Contribution {
                spend: Decimal::new(cents, scale),
                ..spent(cents)
            };
            let fold_from = |list: &[(DateTime<Utc>, Contribution)], start, end| {
                fold(
                    list.iter()
                        .filter(|(t, _)| Some(*t) >= start && *t < end)
                        .map(|(_, c)| *c),
                )
            };
            for (gap, cents, scale, kind) in steps {
                day += gap;
                match kind {
                    0 if !m.orders.is_empty() => {
                        let order = (cents.unsigned_abs() as usize) % m.orders.len();
                        let lost = spent(cents.abs() / 2, scale);
                        if let Some(key) = m.orders.get(order).and_then(|o| o.key)
                            && let Some((_, c)) = list.get_mut(key as usize)
                        {
                            *c = c.minus(lost);
                        }
                        m.refund(order, lost);
                    }
                    1 => {
                        m.q.file_bonus(at(day), cents / 100);
                        list.push((at(day), Contribution { points: cents / 100, ..Contribution::default() }));
                    }
                    2 => m.fee(day),
                    _ => {
                        m.order(day, spent(cents, scale));
                        list.push((at(day), spent(cents, scale)));
                    }
                }
                if sliding {
                    m.slide();
                } else {
                    m.track();
                }
                prop_assert!(m.q.window_agrees(m.orders.as_slice()));
            }
            prop_assert_eq!(&m.entries(), &list);
            // They compare and hash as the list does.
            prop_assert!(m.q.entries(m.orders.as_slice()) == m.q.entries(m.orders.as_slice()));
            let hash = |value: &dyn Fn(&mut crate::siphash::SipHasher24)| {
                let mut hasher = crate::siphash::SipHasher24::new(1, 2);
                value(&mut hasher);
                hasher.finish()
            };
            prop_assert_eq!(
                hash(&|h| m.q.entries(m.orders.as_slice()).hash(h)),
                hash(&|h| list.hash(h))
            );
            prop_assert_eq!(m.q.total(), fold(list.iter().map(|(_, c)| *c)));
            let end = at(day) + TimeDelta::nanoseconds(1);
            let start = match (hundred_days(at(day)), sliding) {
                (_, true) => Some(rolling(end)),
                (Some(Span::Fixed { start, .. }), false) => Some(start),
                _ => None,
            };
            // The window tracked, one that opens at another day, and the
            // sliding window a purchase `ahead` days later asks about.
            let later = at(day + ahead) + TimeDelta::nanoseconds(1);
            for (start, end) in [
                (start, end),
                (Some(at(day.saturating_sub(query))), end),
                (Some(rolling(later)), later),
            ] {
                let sum = m.between(start, end, day);
                let expected = fold_from(&list, start, end);
                prop_assert!(sum.identical(&expected), "{:?} for {:?}", sum, expected);
            }
        }
    }
}
