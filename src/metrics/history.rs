//! Metrics over an order history: per-customer summaries, cohort
//! retention, RFM scores and segments, lapsed customers, and the
//! (frequency, recency, T) summary buy-till-you-die models use.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::MetricError;
use crate::calendar::local_date;
use crate::{Currency, MemberId, Money, Sku};

/// One order of a history: who, when, how much, which products.
///
/// # Example
///
/// ```
/// use loyalty::metrics::Order;
///
/// let order = Order::new("marta".parse()?, "2026-01-12T10:00:00Z".parse()?, "57.40 EUR".parse()?)
///     .with_products(["JKT-01".parse()?, "SOCK-3".parse()?]);
/// assert_eq!(order.products.len(), 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Order {
    /// The customer.
    pub customer: MemberId,
    /// When.
    pub at: DateTime<Utc>,
    /// What was paid.
    pub amount: Money,
    /// The products bought.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<Sku>,
}

impl Order {
    /// `customer` paid `amount` at `at`.
    pub fn new(customer: MemberId, at: DateTime<Utc>, amount: Money) -> Order {
        Order {
            customer,
            at,
            amount,
            products: Vec::new(),
        }
    }

    /// The products bought.
    pub fn with_products(mut self, products: impl IntoIterator<Item = Sku>) -> Order {
        self.products.extend(products);
        self
    }
}

/// Checks that every amount is in one currency and not negative; the
/// currency (none for an empty history).
fn currency_of(orders: &[Order]) -> Result<Option<Currency>, MetricError> {
    let Some(first) = orders.first().map(|o| o.amount.currency()) else {
        return Ok(None);
    };
    for order in orders {
        if order.amount.currency() != first {
            return Err(MetricError::MixedCurrencies {
                first,
                other: order.amount.currency(),
            });
        }
        if order.amount.is_negative() {
            return Err(MetricError::OutOfRange {
                what: "an order's amount",
                value: order.amount.amount(),
                rule: "zero or more",
            });
        }
    }
    Ok(Some(first))
}

/// One customer's history in figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CustomerSummary {
    /// The customer.
    pub customer: MemberId,
    /// Orders placed.
    pub orders: u64,
    /// Their value to date: everything paid.
    pub revenue: Money,
    /// The first purchase.
    pub first: DateTime<Utc>,
    /// The last purchase.
    pub last: DateTime<Utc>,
    /// Distinct products bought.
    pub products: u64,
}

/// Each customer's orders, revenue (value to date), first and last
/// purchase and distinct products, by customer id.
///
/// # Errors
///
/// [`MetricError::MixedCurrencies`] for a history in several currencies;
/// [`MetricError::OutOfRange`] for a negative amount.
///
/// # Example
///
/// ```
/// use loyalty::metrics::{customer_summaries, Order};
///
/// let orders = [
///     Order::new("ana".parse()?, "2026-01-05T10:00:00Z".parse()?, "20.00 EUR".parse()?),
///     Order::new("ana".parse()?, "2026-02-05T10:00:00Z".parse()?, "35.50 EUR".parse()?),
///     Order::new("ben".parse()?, "2026-01-20T10:00:00Z".parse()?, "80.00 EUR".parse()?),
/// ];
/// let summaries = customer_summaries(&orders)?;
/// assert_eq!(summaries[0].orders, 2);
/// assert_eq!(summaries[0].revenue.to_string(), "55.50 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn customer_summaries(orders: &[Order]) -> Result<Vec<CustomerSummary>, MetricError> {
    currency_of(orders)?;
    let mut by_customer: BTreeMap<&MemberId, (CustomerSummary, BTreeSet<&Sku>)> = BTreeMap::new();
    for order in orders {
        let (summary, products) = by_customer.entry(&order.customer).or_insert_with(|| {
            (
                CustomerSummary {
                    customer: order.customer.clone(),
                    orders: 0,
                    revenue: Money::zero(order.amount.currency()),
                    first: order.at,
                    last: order.at,
                    products: 0,
                },
                BTreeSet::new(),
            )
        });
        summary.orders = summary.orders.saturating_add(1);
        summary.revenue =
            summary
                .revenue
                .checked_add(order.amount)
                .map_err(|_| MetricError::Overflow {
                    metric: "customer revenue",
                })?;
        summary.first = summary.first.min(order.at);
        summary.last = summary.last.max(order.at);
        products.extend(order.products.iter());
    }
    Ok(by_customer
        .into_values()
        .map(|(mut summary, products)| {
            summary.products = products.len() as u64;
            summary
        })
        .collect())
}

/// Customers acquired in one month, and the share who bought in each month
/// after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Cohort {
    /// The first day of the month the cohort first bought in.
    pub month: NaiveDate,
    /// Customers in the cohort.
    pub customers: u64,
    /// For month k after acquisition (k = 0 the acquisition month, always
    /// 100), the percentage of the cohort who bought in it; up to the last
    /// month of the history.
    pub retained: Vec<Decimal>,
}

/// The first day of the month holding `day`.
fn month_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// Months from `from` to `to` (both first days of months).
fn months_between(from: NaiveDate, to: NaiveDate) -> usize {
    let months = i64::from(to.year())
        .saturating_sub(i64::from(from.year()))
        .saturating_mul(12)
        .saturating_add(i64::from(to.month()))
        .saturating_sub(i64::from(from.month()));
    usize::try_from(months).unwrap_or(0)
}

/// Cohort retention by acquisition month: customers grouped by the month
/// of their first purchase (in `offset`), and for each month k after it the
/// share of the cohort who purchased again in month k.
///
/// # Errors
///
/// As [`customer_summaries`].
///
/// # Example
///
/// ```
/// use loyalty::metrics::{cohort_retention, Order};
/// use rust_decimal::Decimal;
///
/// let order = |who: &str, at: &str| -> Result<Order, Box<dyn std::error::Error>> {
///     Ok(Order::new(who.parse()?, at.parse()?, "30.00 EUR".parse()?))
/// };
/// let orders = [
///     order("ana", "2026-01-05T10:00:00Z")?, order("ben", "2026-01-20T10:00:00Z")?,
///     order("ana", "2026-02-11T10:00:00Z")?, order("cleo", "2026-02-14T10:00:00Z")?,
///     order("ben", "2026-03-02T10:00:00Z")?, order("ana", "2026-03-09T10:00:00Z")?,
/// ];
/// let cohorts = cohort_retention(&orders, "+00:00".parse()?)?;
/// assert_eq!(cohorts[0].customers, 2); // January: ana and ben
/// assert_eq!(cohorts[0].retained, [Decimal::from(100), Decimal::from(50), Decimal::from(100)]);
/// assert_eq!(cohorts[1].retained, [Decimal::from(100), Decimal::ZERO]); // February: cleo
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn cohort_retention(orders: &[Order], offset: FixedOffset) -> Result<Vec<Cohort>, MetricError> {
    currency_of(orders)?;
    let mut first: BTreeMap<&MemberId, NaiveDate> = BTreeMap::new();
    for order in orders {
        let month = month_of(local_date(order.at, offset));
        first
            .entry(&order.customer)
            .and_modify(|m| *m = (*m).min(month))
            .or_insert(month);
    }
    let Some(last) = orders
        .iter()
        .map(|o| month_of(local_date(o.at, offset)))
        .max()
    else {
        return Ok(Vec::new());
    };
    // Customers who bought, per cohort and month offset.
    let mut bought: BTreeMap<(NaiveDate, usize), BTreeSet<&MemberId>> = BTreeMap::new();
    let mut sizes: BTreeMap<NaiveDate, u64> = BTreeMap::new();
    for month in first.values() {
        let size = sizes.entry(*month).or_default();
        *size = size.saturating_add(1);
    }
    for order in orders {
        if let Some(cohort) = first.get(&order.customer) {
            let k = months_between(*cohort, month_of(local_date(order.at, offset)));
            bought
                .entry((*cohort, k))
                .or_default()
                .insert(&order.customer);
        }
    }
    let mut cohorts = Vec::with_capacity(sizes.len());
    for (month, customers) in sizes {
        let span = months_between(month, last);
        let mut retained = Vec::with_capacity(span.saturating_add(1));
        for k in 0..=span {
            let buyers = bought.get(&(month, k)).map_or(0, BTreeSet::len) as u64;
            retained.push(super::formulas::share_percent(
                buyers,
                customers,
                "cohort retention",
            )?);
        }
        cohorts.push(Cohort {
            month,
            customers,
            retained,
        });
    }
    Ok(cohorts)
}

/// A named RFM segment, from the recency and frequency scores.
///
/// | recency \ frequency | 1 | 2–3 | 4–5 |
/// | --- | --- | --- | --- |
/// | 5 | new | potential loyalists | champions |
/// | 4 | promising | potential loyalists | champions |
/// | 3 | about to sleep (1–2), need attention (3) | | loyal |
/// | 2 | hibernating (1–2), at risk (3–4) | | can't lose (5) |
/// | 1 | lost (1–2), at risk (3–4) | | can't lose (5) |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Segment {
    /// Bought recently and often.
    Champions,
    /// Buy often, a while ago.
    Loyal,
    /// Recent, a few orders.
    PotentialLoyalists,
    /// Their first order was recent.
    New,
    /// Recent, one order.
    Promising,
    /// Middling recency and frequency.
    NeedAttention,
    /// Middling recency, few orders.
    AboutToSleep,
    /// Bought often, long ago.
    AtRisk,
    /// Bought the most, long ago.
    CannotLose,
    /// Few orders, long ago.
    Hibernating,
    /// Few orders, longest ago.
    Lost,
}

impl Segment {
    /// The segment for recency and frequency scores from 1 to 5.
    pub fn of(recency: u8, frequency: u8) -> Segment {
        let (r, f) = (recency.clamp(1, 5), frequency.clamp(1, 5));
        match r {
            4..=5 if f >= 4 => Segment::Champions,
            4..=5 if f >= 2 => Segment::PotentialLoyalists,
            5 => Segment::New,
            4 => Segment::Promising,
            3 if f >= 4 => Segment::Loyal,
            3 if f == 3 => Segment::NeedAttention,
            3 => Segment::AboutToSleep,
            _ if f == 5 => Segment::CannotLose,
            _ if f >= 3 => Segment::AtRisk,
            2 => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }

    /// The segment's name.
    pub fn name(self) -> &'static str {
        match self {
            Segment::Champions => "champions",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalists => "potential loyalists",
            Segment::New => "new",
            Segment::Promising => "promising",
            Segment::NeedAttention => "need attention",
            Segment::AboutToSleep => "about to sleep",
            Segment::AtRisk => "at risk",
            Segment::CannotLose => "can't lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One customer's RFM figures, quintile scores and segment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Rfm {
    /// The customer.
    pub customer: MemberId,
    /// Whole days since their last purchase.
    pub recency_days: i64,
    /// Orders.
    pub frequency: u64,
    /// Revenue.
    pub monetary: Money,
    /// Recency score, 5 for the most recent fifth of customers.
    pub r: u8,
    /// Frequency score, 5 for the most frequent fifth.
    pub f: u8,
    /// Monetary score, 5 for the highest-spending fifth.
    pub m: u8,
    /// The segment from `r` and `f`.
    pub segment: Segment,
}

/// Quintile scores 1 to 5 for `values`, higher values scoring higher;
/// equal values score the same (the score of the first of them in order).
fn quintiles<T: Ord + Copy>(values: &[T]) -> Vec<u8> {
    let mut sorted: Vec<T> = values.to_vec();
    sorted.sort_unstable();
    let n = sorted.len().max(1);
    values
        .iter()
        .map(|v| {
            let rank = sorted.partition_point(|x| x < v);
            let score = rank.saturating_mul(5).checked_div(n).unwrap_or(0);
            u8::try_from(score.saturating_add(1)).unwrap_or(5).min(5)
        })
        .collect()
}

/// RFM scores as of `as_of` (orders after it are left out): each
/// customer's recency (days since their last purchase), frequency (orders)
/// and monetary value (revenue), each scored 1 to 5 by quintile among the
/// customers, and their [`Segment`].
///
/// # Errors
///
/// As [`customer_summaries`].
///
/// # Example
///
/// ```
/// use loyalty::metrics::{rfm, Order, Segment};
///
/// let mut orders = Vec::new();
/// for (who, days_ago, count) in [("ana", 2, 9), ("ben", 5, 6), ("cleo", 40, 3), ("dan", 200, 1), ("eva", 300, 8)] {
///     for i in 0..count {
///         let at = chrono::DateTime::parse_from_rfc3339("2026-12-31T12:00:00Z")?.to_utc()
///             - chrono::Duration::days(days_ago + i * 30);
///         orders.push(Order::new(who.parse()?, at, "40.00 EUR".parse()?));
///     }
/// }
/// let scores = rfm(&orders, "2026-12-31T12:00:00Z".parse()?)?;
/// assert_eq!(scores[0].segment, Segment::Champions); // ana
/// assert_eq!((scores[3].r, scores[3].f), (2, 1));
/// assert_eq!(scores[3].segment, Segment::Hibernating); // dan: one order, long ago
/// assert_eq!(scores[4].segment, Segment::AtRisk);      // eva: often, but longest ago
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn rfm(orders: &[Order], as_of: DateTime<Utc>) -> Result<Vec<Rfm>, MetricError> {
    let seen: Vec<Order> = orders.iter().filter(|o| o.at <= as_of).cloned().collect();
    let summaries = customer_summaries(&seen)?;
    // More recent scores higher: score the negated age.
    let recency: Vec<i64> = summaries
        .iter()
        .map(|s| {
            as_of
                .signed_duration_since(s.last)
                .num_days()
                .saturating_neg()
        })
        .collect();
    let frequency: Vec<u64> = summaries.iter().map(|s| s.orders).collect();
    let monetary: Vec<Decimal> = summaries.iter().map(|s| s.revenue.amount()).collect();
    let (r, f, m) = (
        quintiles(&recency),
        quintiles(&frequency),
        quintiles(&monetary),
    );
    Ok(summaries
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let (r, f, m) = (
                r.get(i).copied().unwrap_or(1),
                f.get(i).copied().unwrap_or(1),
                m.get(i).copied().unwrap_or(1),
            );
            Rfm {
                recency_days: as_of.signed_duration_since(s.last).num_days(),
                frequency: s.orders,
                monetary: s.revenue,
                customer: s.customer,
                r,
                f,
                m,
                segment: Segment::of(r, f),
            }
        })
        .collect())
}

/// A customer to win back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lapsed {
    /// The customer.
    pub customer: MemberId,
    /// Their last purchase.
    pub last_purchase: DateTime<Utc>,
    /// Whole days since.
    pub days_since: i64,
    /// Orders placed.
    pub orders: u64,
    /// Their value to date.
    pub revenue: Money,
}

/// Lapsed customers for a win-back campaign: those with no purchase in the
/// `days` days before `as_of` (orders after it left out), most valuable
/// first (ties by customer id).
///
/// # Errors
///
/// As [`customer_summaries`].
///
/// # Example
///
/// ```
/// use loyalty::metrics::{lapsed, Order};
///
/// let orders = [
///     Order::new("ana".parse()?, "2026-01-05T10:00:00Z".parse()?, "20.00 EUR".parse()?),
///     Order::new("ben".parse()?, "2026-02-01T10:00:00Z".parse()?, "90.00 EUR".parse()?),
///     Order::new("cleo".parse()?, "2026-06-01T10:00:00Z".parse()?, "50.00 EUR".parse()?),
/// ];
/// let win_back = lapsed(&orders, "2026-06-30T00:00:00Z".parse()?, 90)?;
/// let names: Vec<&str> = win_back.iter().map(|l| l.customer.as_str()).collect();
/// assert_eq!(names, ["ben", "ana"]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn lapsed(
    orders: &[Order],
    as_of: DateTime<Utc>,
    days: u32,
) -> Result<Vec<Lapsed>, MetricError> {
    let seen: Vec<Order> = orders.iter().filter(|o| o.at <= as_of).cloned().collect();
    let cutoff = as_of
        .checked_sub_days(chrono::Days::new(u64::from(days)))
        .ok_or(MetricError::OutOfRange {
            what: "days",
            value: Decimal::from(days),
            rule: "within the calendar from as_of",
        })?;
    let mut out: Vec<Lapsed> = customer_summaries(&seen)?
        .into_iter()
        .filter(|s| s.last < cutoff)
        .map(|s| Lapsed {
            days_since: as_of.signed_duration_since(s.last).num_days(),
            last_purchase: s.last,
            orders: s.orders,
            revenue: s.revenue,
            customer: s.customer,
        })
        .collect();
    out.sort_by(|a, b| {
        b.revenue
            .amount()
            .cmp(&a.revenue.amount())
            .then_with(|| a.customer.cmp(&b.customer))
    });
    Ok(out)
}

/// The unit of time a repeat-purchase summary is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum TimeUnit {
    /// Days.
    Days,
    /// Weeks of seven days.
    Weeks,
}

impl RepeatSummary {
    /// A summary from its figures (for data summarised elsewhere).
    pub fn new(
        customer: MemberId,
        frequency: u32,
        recency: f64,
        t: f64,
        unit: TimeUnit,
    ) -> RepeatSummary {
        RepeatSummary {
            customer,
            frequency,
            recency,
            t,
            spend: None,
            unit,
        }
    }

    /// Sets the mean repeat spend.
    pub fn with_spend(mut self, spend: Decimal) -> RepeatSummary {
        self.spend = Some(spend);
        self
    }
}

impl TimeUnit {
    /// Days in one unit.
    pub fn days(self) -> f64 {
        match self {
            TimeUnit::Days => 1.0,
            TimeUnit::Weeks => 7.0,
        }
    }
}

/// One customer's (frequency, recency, T) and mean repeat spend: the
/// summary buy-till-you-die models (BG/NBD, Gamma-Gamma) are fitted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RepeatSummary {
    /// The customer.
    pub customer: MemberId,
    /// Repeat purchase days: distinct purchase days − 1.
    pub frequency: u32,
    /// Last purchase day − first purchase day, in the unit.
    pub recency: f64,
    /// End of observation − first purchase day, in the unit.
    pub t: f64,
    /// The mean of the repeat days' totals (the first day left out); none
    /// without repeat days.
    pub spend: Option<Decimal>,
    /// The unit of `recency` and `t`.
    pub unit: TimeUnit,
}

/// Each customer's (frequency, recency, T) and mean repeat spend over the
/// orders up to the last day `end` (in `offset`), with the standard
/// conventions: purchases on the same day are merged into one;
/// frequency = distinct purchase days − 1; recency = last purchase day −
/// first purchase day; T = `end` − first purchase day; spend = the mean of
/// the repeat days' totals. Customers whose first purchase is after `end`
/// are left out.
///
/// # Errors
///
/// As [`customer_summaries`].
///
/// # Example
///
/// ```
/// use loyalty::metrics::{repeat_summaries, Order, TimeUnit};
/// use rust_decimal::Decimal;
///
/// let order = |at: &str, amount: &str| -> Result<Order, Box<dyn std::error::Error>> {
///     Ok(Order::new("c1".parse()?, at.parse()?, amount.parse()?))
/// };
/// let orders = [
///     order("1997-01-01T00:00:00Z", "29.33 USD")?,
///     order("1997-01-18T00:00:00Z", "29.73 USD")?,
///     order("1997-08-02T00:00:00Z", "14.96 USD")?,
///     order("1997-12-12T00:00:00Z", "26.48 USD")?, // after the end
/// ];
/// let end = chrono::NaiveDate::from_ymd_opt(1997, 9, 30).expect("a date");
/// let s = &repeat_summaries(&orders, end, "+00:00".parse()?, TimeUnit::Weeks)?[0];
/// assert_eq!(s.frequency, 2);
/// assert_eq!(format!("{:.2} {:.2}", s.recency, s.t), "30.43 38.86");
/// assert_eq!(s.spend, Some(Decimal::new(22345, 3)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn repeat_summaries(
    orders: &[Order],
    end: NaiveDate,
    offset: FixedOffset,
    unit: TimeUnit,
) -> Result<Vec<RepeatSummary>, MetricError> {
    currency_of(orders)?;
    let mut days: BTreeMap<&MemberId, BTreeMap<NaiveDate, Decimal>> = BTreeMap::new();
    for order in orders {
        let day = local_date(order.at, offset);
        if day > end {
            continue;
        }
        let total = days
            .entry(&order.customer)
            .or_default()
            .entry(day)
            .or_insert(Decimal::ZERO);
        *total = total
            .checked_add(order.amount.amount())
            .ok_or(MetricError::Overflow {
                metric: "repeat summary",
            })?;
    }
    let per_unit = unit.days();
    let mut out = Vec::with_capacity(days.len());
    for (customer, by_day) in days {
        let (Some((first, _)), Some((last, _))) =
            (by_day.first_key_value(), by_day.last_key_value())
        else {
            continue;
        };
        let repeat: Vec<Decimal> = by_day.values().skip(1).copied().collect();
        let spend = if repeat.is_empty() {
            None
        } else {
            let sum = repeat
                .iter()
                .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
                .ok_or(MetricError::Overflow {
                    metric: "repeat spend",
                })?;
            Some(
                sum.checked_div(Decimal::from(repeat.len()))
                    .ok_or(MetricError::Overflow {
                        metric: "repeat spend",
                    })?,
            )
        };
        #[allow(clippy::cast_precision_loss)] // day counts are far below 2^52
        let span = |from: NaiveDate, to: NaiveDate| {
            to.signed_duration_since(from).num_days() as f64 / per_unit
        };
        out.push(RepeatSummary {
            customer: customer.clone(),
            frequency: u32::try_from(by_day.len().saturating_sub(1)).unwrap_or(u32::MAX),
            recency: span(*first, *last),
            t: span(*first, end),
            spend,
            unit,
        });
    }
    Ok(out)
}
