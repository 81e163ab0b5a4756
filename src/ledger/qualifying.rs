//! What a member's orders and bonuses add to the tier metrics: each
//! contribution by when it was made, their total, and a running sum over
//! the current calendar-year window.
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

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

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

/// The left fold of `entries` with [`Contribution::plus`].
fn fold(entries: &[(DateTime<Utc>, Contribution)]) -> Contribution {
    entries
        .iter()
        .fold(Contribution::default(), |sum, (_, c)| sum.plus(*c))
}

/// A member's contributions to the tier metrics.
#[derive(Debug, Clone, Default)]
pub(crate) struct Qualifying {
    /// Each contribution with when it was made, in time order.
    entries: Vec<(DateTime<Utc>, Contribution)>,
    /// The fold of every entry.
    total: Contribution,
    /// The running sum of the current window, once one is tracked: derived
    /// from `entries`, so it takes no part in `==` or the fingerprint.
    window: Option<Box<WindowSum>>,
}

/// The sum of the contributions made from `start` on: the entries from
/// `from` to the end, folded in order.
#[derive(Debug, Clone, Copy)]
struct WindowSum {
    /// When the window opened.
    start: DateTime<Utc>,
    /// When it closes: once the latest entry is made there or later, the
    /// window to track has moved on.
    end: DateTime<Utc>,
    /// The first entry made at `start` or later.
    from: usize,
    /// When the latest entry was made.
    latest: DateTime<Utc>,
    /// The fold of the entries from `from` on.
    sum: Contribution,
}

impl Qualifying {
    /// Every contribution, in time order.
    pub(crate) fn entries(&self) -> &[(DateTime<Utc>, Contribution)] {
        &self.entries
    }

    /// The sum of every contribution.
    pub(crate) fn total(&self) -> Contribution {
        self.total
    }

    /// Files a contribution made at `at` (never before the last one: a
    /// member's events come in time order), and says where.
    pub(crate) fn push(&mut self, at: DateTime<Utc>, contribution: Contribution) -> usize {
        self.entries.push((at, contribution));
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
        self.entries.len().saturating_sub(1)
    }

    /// Takes `lost` off the contribution filed at `key` (a refund).
    pub(crate) fn reduce(&mut self, key: usize, lost: Contribution) {
        if let Some((_, c)) = self.entries.get_mut(key) {
            *c = c.minus(lost);
        }
        self.total = self.total.minus(lost);
        if self.window.as_deref().is_some_and(|w| key >= w.from) {
            self.window = None;
        }
    }

    /// What the contributions made from `start` (the first, when `None`)
    /// until `end` (not included) add up to. `settled` is when the member's
    /// last event happened: nothing is filed after it.
    pub(crate) fn between(
        &self,
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
        let from = start.map_or(0, |s| self.entries.partition_point(|(at, _)| *at < s));
        let to = self.entries.partition_point(|(at, _)| *at < end);
        fold(self.entries.get(from..to).unwrap_or_default())
    }

    /// Keeps a running sum of the window `window` gives for the latest
    /// entry — its start and end, for a window with a fixed end (a
    /// calendar year); nothing for other windows. The window is summed
    /// once when it moves on, then kept by [`push`](Qualifying::push).
    pub(crate) fn track(
        &mut self,
        window: impl FnOnce(DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) {
        let Some(&(latest, _)) = self.entries.last() else {
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
                let from = self.entries.partition_point(|(at, _)| *at < start);
                Box::new(WindowSum {
                    start,
                    end,
                    from,
                    latest,
                    sum: fold(self.entries.get(from..).unwrap_or_default()),
                })
            });
    }

    /// Whether the running sum, when kept, is the fold of the entries it
    /// covers: what the property run checks after every command.
    #[cfg(any(test, feature = "testing"))]
    pub(crate) fn window_agrees(&self) -> bool {
        self.window.as_deref().is_none_or(|w| {
            let from = self.entries.partition_point(|(at, _)| *at < w.start);
            w.from == from
                && self.entries.last().is_some_and(|(at, _)| *at == w.latest)
                && w.sum == fold(self.entries.get(from..).unwrap_or_default())
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

    /// Windows of 100 days: day 0 to 100, 100 to 200, and so on.
    fn hundred_days(latest: DateTime<Utc>) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let day = (latest - at(0)).num_days();
        let start = day - day.rem_euclid(100);
        Some((at(start), at(start + 100)))
    }

    #[test]
    fn the_running_sum_answers_the_window_up_to_now() {
        let mut q = Qualifying::default();
        for (day, cents) in [(10, 1_000), (120, 2_550), (130, 4_000)] {
            q.push(at(day), spent(cents));
            q.track(hundred_days);
        }
        let sum = q.between(Some(at(100)), at(131), at(130));
        assert_eq!(sum.spend, Decimal::new(6_550, 2));
        assert_eq!(sum.orders, 2);
        assert!(q.window.as_deref().is_some_and(|w| w.from == 1));
        // A refund inside the window drops the running sum until tracked.
        q.reduce(2, spent(1_500));
        assert!(q.window.is_none());
        assert_eq!(
            q.between(Some(at(100)), at(131), at(130)).spend,
            Decimal::new(5_050, 2)
        );
        q.track(hundred_days);
        assert!(q.window_agrees());
        assert_eq!(
            q.between(Some(at(100)), at(131), at(130)).spend,
            Decimal::new(5_050, 2)
        );
    }

    #[test]
    fn a_window_that_ends_before_the_latest_entry_is_summed_directly() {
        let mut q = Qualifying::default();
        for day in [10, 20, 30] {
            q.push(at(day), spent(100));
            q.track(hundred_days);
        }
        assert_eq!(q.between(Some(at(0)), at(25), at(30)).orders, 2);
        assert_eq!(q.between(None, at(25), at(30)).orders, 2);
        assert_eq!(q.between(None, at(31), at(30)).orders, 3);
    }

    #[test]
    fn saturated_sums_agree_with_the_direct_fold() {
        let mut q = Qualifying::default();
        let huge = Contribution {
            spend: Decimal::MAX,
            points: i64::MAX,
            orders: 1,
        };
        q.push(at(1), huge);
        q.track(hundred_days);
        q.push(at(2), huge);
        q.push(at(3), spent(-500));
        assert!(q.window_agrees());
        assert_eq!(q.between(Some(at(0)), at(4), at(3)), fold(q.entries()),);
    }

    proptest! {
        /// Whatever the entries, refunds and tracking, the running sum is
        /// the direct fold, and every window reads as the direct fold.
        #[test]
        fn the_running_sum_is_the_direct_fold(
            steps in prop::collection::vec((0_i64..40, -10_000_i64..1_000_000, any::<bool>()), 1..60),
            query in 0_i64..40,
        ) {
            let mut q = Qualifying::default();
            let mut day = 0;
            for (gap, cents, refund) in steps {
                day += gap;
                if refund && !q.entries().is_empty() {
                    let key = (cents.unsigned_abs() as usize) % q.entries().len();
                    q.reduce(key, spent(cents.abs() / 2));
                } else {
                    q.push(at(day), spent(cents));
                }
                q.track(hundred_days);
                prop_assert!(q.window_agrees());
            }
            let end = at(day) + TimeDelta::nanoseconds(1);
            let start = hundred_days(at(day)).map(|(s, _)| s);
            let from = q.entries().partition_point(|(t, _)| Some(*t) < start);
            prop_assert_eq!(q.between(start, end, at(day)), fold(q.entries().get(from..).unwrap_or_default()));
            let other = Some(at(day.saturating_sub(query)));
            let from = q.entries().partition_point(|(t, _)| Some(*t) < other);
            prop_assert_eq!(q.between(other, end, at(day)), fold(q.entries().get(from..).unwrap_or_default()));
        }
    }
}
