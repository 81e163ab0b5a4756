//! What a member's orders and bonuses add to the tier metrics: each
//! contribution by when it was made, their total, and a running sum over
//! the current calendar-year window.
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
//! and after a refund reduces a contribution inside it. Rolling windows
//! move with every purchase and are summed directly.

use std::hash::{Hash, Hasher};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::blocks::Sequence;
use crate::tiers::Metric;

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

    pub(crate) fn plus(self, other: Contribution) -> Contribution {
        Contribution {
            spend: self.spend.saturating_add(other.spend),
            points: self.points.saturating_add(other.points),
            orders: self.orders.saturating_add(other.orders),
        }
    }

    pub(crate) fn minus(self, other: Contribution) -> Contribution {
        Contribution {
            spend: self.spend.saturating_sub(other.spend),
            points: self.points.saturating_sub(other.points),
            orders: self.orders.saturating_sub(other.orders),
        }
    }
}

/// Something filed with a contribution: a member's order record (with its
/// reference), or a bonus.
pub(crate) trait Contributes {
    /// When it was made.
    fn at(&self) -> DateTime<Utc>;
    /// Its number among the member's contributions; none when it does not
    /// count (a membership fee).
    fn key(&self) -> Option<u32>;
    /// What it adds now, less what refunds took off.
    fn contribution(&self) -> Contribution;
}

/// A bonus's contribution: points, nothing else.
#[derive(Debug, Clone, Copy)]
struct Bonus {
    at: DateTime<Utc>,
    points: i64,
    key: u32,
}

impl Contributes for Bonus {
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

/// The records of `items` made from `start` (the first, when `None`)
/// until `end` (not included); a member's are in time order.
fn within<S: Sequence<Item: Contributes> + ?Sized>(
    items: &S,
    start: Option<DateTime<Utc>>,
    end: DateTime<Utc>,
) -> impl DoubleEndedIterator<Item = &S::Item> {
    let from = start.map_or(0, |s| items.partition_point(|x| x.at() < s));
    let to = items.partition_point(|x| x.at() < end);
    items.range(from, to)
}

/// The records of `items` made at `start` or later.
fn since<S: Sequence<Item: Contributes> + ?Sized>(
    items: &S,
    start: DateTime<Utc>,
) -> impl DoubleEndedIterator<Item = &S::Item> {
    items.from(items.partition_point(|x| x.at() < start))
}

/// An order or a bonus, as [`merged`] reads them: read for its time only
/// where it is asked for (an order's is unpacked from its record).
enum Merged<'a, A, B> {
    Order(&'a A),
    Bonus(&'a B),
}

impl<A: Contributes, B: Contributes> Merged<'_, A, B> {
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
/// filed (by key).
fn merged<'a, A: Contributes + 'a, B: Contributes + 'a>(
    orders: impl Iterator<Item = &'a A> + 'a,
    bonuses: impl Iterator<Item = &'a B> + 'a,
) -> impl Iterator<Item = Merged<'a, A, B>> + 'a {
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
            orders.next().map(|(_, x)| Merged::Order(x))
        } else {
            bonuses.next().map(|(_, x)| Merged::Bonus(x))
        }
    })
}

/// The left fold of `contributions` with [`Contribution::plus`].
fn fold(contributions: impl Iterator<Item = Contribution>) -> Contribution {
    contributions.fold(Contribution::default(), Contribution::plus)
}

/// The key of the first contribution among `items` made at `start` or
/// later.
fn first_key_from<S: Sequence<Item: Contributes> + ?Sized>(
    items: &S,
    start: DateTime<Utc>,
) -> Option<u32> {
    since(items, start).find_map(Contributes::key)
}

/// The last contribution among `items`: its key and when it was made.
fn last<S: Sequence<Item: Contributes> + ?Sized>(items: &S) -> Option<(u32, DateTime<Utc>)> {
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
    /// When it closes: once the latest contribution is made there or
    /// later, the window to track has moved on.
    end: DateTime<Utc>,
    /// The key of the first contribution made at `start` or later.
    from: u32,
    /// When the latest contribution was made.
    latest: DateTime<Utc>,
    /// The fold of the contributions keyed `from` and after.
    sum: Contribution,
}

/// Every contribution of a member, read in the order filed: what `==` and
/// the fingerprint go by. It compares and hashes as the list of
/// `(made at, contribution)` pairs it reads as.
pub(crate) struct Entries<'a, S: ?Sized> {
    orders: &'a S,
    qualifying: &'a Qualifying,
}

impl<S: Sequence<Item: Contributes> + ?Sized> Entries<'_, S> {
    fn iter(&self) -> impl Iterator<Item = (DateTime<Utc>, Contribution)> + '_ {
        merged(self.orders.all(), self.qualifying.bonuses.iter()).map(|x| x.entry())
    }
}

impl<S: Sequence<Item: Contributes> + ?Sized> PartialEq for Entries<'_, S> {
    fn eq(&self, other: &Self) -> bool {
        self.qualifying.filed == other.qualifying.filed && self.iter().eq(other.iter())
    }
}

/// As a slice of the pairs: its length, then each pair.
impl<S: Sequence<Item: Contributes> + ?Sized> Hash for Entries<'_, S> {
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
    pub(crate) fn entries<'a, S: Sequence<Item: Contributes> + ?Sized>(
        &'a self,
        orders: &'a S,
    ) -> Entries<'a, S> {
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
    /// its record to hold; none past four billion contributions, which do
    /// not count.
    pub(crate) fn file_order(
        &mut self,
        at: DateTime<Utc>,
        contribution: Contribution,
    ) -> Option<u32> {
        let key = self.filed;
        self.filed = self.filed.checked_add(1)?;
        self.add(at, contribution);
        Some(key)
    }

    /// Files a bonus of `points` made at `at`.
    pub(crate) fn file_bonus(&mut self, at: DateTime<Utc>, points: i64) {
        let key = self.filed;
        let Some(next) = self.filed.checked_add(1) else {
            return;
        };
        self.filed = next;
        let bonus = Bonus { at, points, key };
        self.bonuses.push(bonus);
        self.add(at, bonus.contribution());
    }

    /// Adds a contribution just filed to the total and the window.
    fn add(&mut self, at: DateTime<Utc>, contribution: Contribution) {
        self.total = self.total.plus(contribution);
        if let Some(window) = self.window.as_deref_mut() {
            if at >= window.start {
                window.sum = window.sum.plus(contribution);
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
    pub(crate) fn between<S: Sequence<Item: Contributes> + ?Sized>(
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
            && start == Some(window.start)
            && window.latest < end
        {
            return window.sum;
        }
        fold(
            merged(
                within(orders, start, end),
                within(self.bonuses.as_slice(), start, end),
            )
            .map(|x| x.contribution()),
        )
    }

    /// The key of the latest contribution and when it was made.
    fn latest<S: Sequence<Item: Contributes> + ?Sized>(
        &self,
        orders: &S,
    ) -> Option<(u32, DateTime<Utc>)> {
        match (last(orders), last(self.bonuses.as_slice())) {
            (Some(order), Some(bonus)) => Some(if order.0 > bonus.0 { order } else { bonus }),
            (order, bonus) => order.or(bonus),
        }
    }

    /// Keeps a running sum of the window `window` gives for the latest
    /// contribution — its start and end, for a window with a fixed end (a
    /// calendar year); nothing for other windows. The window is summed
    /// once when it moves on, then kept as contributions are filed.
    pub(crate) fn track<S: Sequence<Item: Contributes> + ?Sized>(
        &mut self,
        orders: &S,
        window: impl FnOnce(DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) {
        let Some((_, latest)) = self.latest(orders) else {
            return;
        };
        if self
            .window
            .as_deref()
            .is_some_and(|w| w.start <= latest && latest < w.end)
        {
            return;
        }
        self.window = window(latest)
            .filter(|(start, end)| *start <= latest && latest < *end)
            .map(|(start, end)| {
                let from = match (
                    first_key_from(orders, start),
                    first_key_from(self.bonuses.as_slice(), start),
                ) {
                    (Some(a), Some(b)) => a.min(b),
                    (a, b) => a.or(b).unwrap_or(self.filed),
                };
                Box::new(WindowSum {
                    start,
                    end,
                    from,
                    latest,
                    sum: fold(
                        merged(since(orders, start), since(self.bonuses.as_slice(), start))
                            .map(|x| x.contribution()),
                    ),
                })
            });
    }

    /// When the tracked window holding the instant just before `end`
    /// opened, if the window tracked holds it: what the program's window
    /// start for `end` is, without the calendar (the window was computed
    /// under the program as it is, since changing the program forgets
    /// it).
    pub(crate) fn tracked_start(&self, end: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.window
            .as_deref()
            .filter(|w| w.start < end && end <= w.end)
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
    pub(crate) fn window_agrees<S: Sequence<Item: Contributes> + ?Sized>(
        &self,
        orders: &S,
    ) -> bool {
        self.window.as_deref().is_none_or(|w| {
            let entries = || {
                merged(orders.all(), self.bonuses.iter())
                    .map(|x| x.entry())
                    .enumerate()
            };
            let from = entries()
                .find(|(_, (at, _))| *at >= w.start)
                .map_or(self.filed, |(i, _)| u32::try_from(i).unwrap_or(u32::MAX));
            w.from == from
                && self.latest(orders).is_some_and(|(_, at)| at == w.latest)
                && w.sum
                    == fold(
                        entries()
                            .filter(|(i, _)| u32::try_from(*i).is_ok_and(|i| i >= from))
                            .map(|(_, (_, contribution))| contribution),
                    )
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
        orders: super::super::blocks::Blocks<Order>,
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
            self.q.track(&self.orders, hundred_days);
        }

        fn between(
            &self,
            start: Option<DateTime<Utc>>,
            end: DateTime<Utc>,
            settled: i64,
        ) -> Contribution {
            self.q.between(&self.orders, start, end, at(settled))
        }

        /// Every contribution in the order filed.
        fn entries(&self) -> Vec<(DateTime<Utc>, Contribution)> {
            self.q.entries(&self.orders).iter().collect()
        }
    }

    /// Windows of 100 days: day 0 to 100, 100 to 200, and so on.
    fn hundred_days(latest: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let day = (latest - at(0)).num_days();
        let start = day - day.rem_euclid(100);
        Some((at(start), at(start + 100)))
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
        assert!(m.q.window_agrees(&m.orders));
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
        assert!(m.q.window_agrees(&m.orders));
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
        assert!(m.q.window_agrees(&m.orders));
        assert_eq!(
            m.between(Some(at(0)), at(4), 3),
            fold(m.entries().into_iter().map(|(_, c)| c))
        );
    }

    proptest! {
        /// Whatever the orders, fees, bonuses, refunds and tracking, the
        /// running sum is the direct fold, every window reads as the direct
        /// fold, and the contributions read in the order filed are those a
        /// list of them would hold.
        #[test]
        fn the_running_sum_is_the_direct_fold(
            steps in prop::collection::vec(
                (0_i64..40, -10_000_i64..1_000_000, 0_u8..5),
                1..60,
            ),
            query in 0_i64..40,
        ) {
            let mut m = Member::default();
            let mut list: Vec<(DateTime<Utc>, Contribution)> = Vec::new();
            let mut day = 0;
            for (gap, cents, kind) in steps {
                day += gap;
                match kind {
                    0 if !m.orders.is_empty() => {
                        let order = (cents.unsigned_abs() as usize) % m.orders.len();
                        let lost = spent(cents.abs() / 2);
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
                        m.order(day, spent(cents));
                        list.push((at(day), spent(cents)));
                    }
                }
                m.track();
                prop_assert!(m.q.window_agrees(&m.orders));
            }
            prop_assert_eq!(&m.entries(), &list);
            // They compare and hash as the list does.
            prop_assert!(m.q.entries(&m.orders) == m.q.entries(&m.orders));
            let hash = |value: &dyn Fn(&mut crate::siphash::SipHasher24)| {
                let mut hasher = crate::siphash::SipHasher24::new(1, 2);
                value(&mut hasher);
                hasher.finish()
            };
            prop_assert_eq!(
                hash(&|h| m.q.entries(&m.orders).hash(h)),
                hash(&|h| list.hash(h))
            );
            prop_assert_eq!(m.q.total(), fold(list.iter().map(|(_, c)| *c)));
            let end = at(day) + TimeDelta::nanoseconds(1);
            let start = hundred_days(at(day)).map(|(s, _)| s);
            let from = list.partition_point(|(t, _)| Some(*t) < start);
            prop_assert_eq!(
                m.between(start, end, day),
                fold(list.get(from..).unwrap_or_default().iter().map(|(_, c)| *c))
            );
            let other = Some(at(day.saturating_sub(query)));
            let from = list.partition_point(|(t, _)| Some(*t) < other);
            prop_assert_eq!(
                m.between(other, end, day),
                fold(list.get(from..).unwrap_or_default().iter().map(|(_, c)| *c))
            );
        }
    }
}
