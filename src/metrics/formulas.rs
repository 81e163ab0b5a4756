//! The formulas over plain numbers.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::MetricError;

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// `numerator / denominator`, refusing a zero divisor and an overflow.
fn ratio(
    numerator: Decimal,
    denominator: Decimal,
    what: &'static str,
    metric: &'static str,
) -> Result<Decimal, MetricError> {
    if denominator.is_zero() {
        return Err(MetricError::ZeroDivisor { what, metric });
    }
    numerator
        .checked_div(denominator)
        .ok_or(MetricError::Overflow { metric })
}

/// `part / whole × 100`.
fn percent(
    part: Decimal,
    whole: Decimal,
    what: &'static str,
    metric: &'static str,
) -> Result<Decimal, MetricError> {
    let hundredfold = part
        .checked_mul(HUNDRED)
        .ok_or(MetricError::Overflow { metric })?;
    ratio(hundredfold, whole, what, metric)
}

/// `part / whole × 100` for counts.
pub(super) fn share_percent(
    part: u64,
    whole: u64,
    metric: &'static str,
) -> Result<Decimal, MetricError> {
    percent(
        Decimal::from(part),
        Decimal::from(whole),
        "the whole",
        metric,
    )
}

fn product(factors: &[Decimal], metric: &'static str) -> Result<Decimal, MetricError> {
    factors.iter().try_fold(Decimal::ONE, |acc, f| {
        acc.checked_mul(*f).ok_or(MetricError::Overflow { metric })
    })
}

fn non_negative(what: &'static str, value: Decimal) -> Result<Decimal, MetricError> {
    if value < Decimal::ZERO {
        Err(MetricError::OutOfRange {
            what,
            value,
            rule: "zero or more",
        })
    } else {
        Ok(value)
    }
}

/// `value` when it is a fraction from 0 to 1.
pub(super) fn fraction(what: &'static str, value: Decimal) -> Result<Decimal, MetricError> {
    if value < Decimal::ZERO || value > Decimal::ONE {
        Err(MetricError::OutOfRange {
            what,
            value,
            rule: "a fraction from 0 to 1",
        })
    } else {
        Ok(value)
    }
}

fn part_of(
    part_name: &'static str,
    part: u64,
    whole_name: &'static str,
    whole: u64,
) -> Result<(), MetricError> {
    if part > whole {
        Err(MetricError::PartAboveWhole {
            part_name,
            part,
            whole_name,
            whole,
        })
    } else {
        Ok(())
    }
}

/// Customer retention rate, in percent: `(E − N) / S × 100` — of the `S`
/// customers at the start of a period, the share still customers at its
/// end, where `E` counts customers at the end and `N` those new during the
/// period.
///
/// # Errors
///
/// [`MetricError::NoCustomersAtStart`] when `S = 0`;
/// [`MetricError::MoreNewThanAtEnd`] when `N > E`;
/// [`MetricError::MoreAtEndThanPossible`] when `E > S + N`.
///
/// # Example
///
/// 200 customers on 1 January, 40 new during the quarter, 210 on 31 March:
/// (210 − 40) / 200 × 100 = 85%.
///
/// ```
/// use loyalty::metrics::{retention_rate, MetricError};
/// use rust_decimal::Decimal;
///
/// assert_eq!(retention_rate(200, 210, 40)?, Decimal::from(85));
/// assert_eq!(retention_rate(0, 10, 10), Err(MetricError::NoCustomersAtStart));
/// assert_eq!(retention_rate(200, 30, 40), Err(MetricError::MoreNewThanAtEnd { new: 40, end: 30 }));
/// # Ok::<(), MetricError>(())
/// ```
pub fn retention_rate(start: u64, end: u64, new: u64) -> Result<Decimal, MetricError> {
    if start == 0 {
        return Err(MetricError::NoCustomersAtStart);
    }
    if new > end {
        return Err(MetricError::MoreNewThanAtEnd { new, end });
    }
    let total = u128::from(start).saturating_add(u128::from(new));
    if u128::from(end) > total {
        return Err(MetricError::MoreAtEndThanPossible {
            start,
            new,
            end,
            total,
        });
    }
    let retained = Decimal::from(end.saturating_sub(new));
    percent(
        retained,
        Decimal::from(start),
        "customers at the start",
        "retention rate",
    )
}

/// Churn rate, in percent: `(S + N − E) / (S + N) × 100` — of everyone who
/// was a customer during the period (the `S` at its start and the `N` new),
/// the share no longer a customer at its end (`E` customers). New
/// customers who left within the period count as lost.
///
/// # Errors
///
/// [`MetricError::NoCustomersAtStart`] when `S + N = 0`;
/// [`MetricError::MoreAtEndThanPossible`] when `E > S + N`.
///
/// # Example
///
/// 200 at the start, 40 new, 210 at the end: (200 + 40 − 210) / 240 × 100 =
/// 12.5%.
///
/// ```
/// use loyalty::metrics::churn_rate;
/// use rust_decimal::Decimal;
///
/// assert_eq!(churn_rate(200, 210, 40)?, Decimal::new(125, 1));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn churn_rate(start: u64, end: u64, new: u64) -> Result<Decimal, MetricError> {
    let total = u128::from(start).saturating_add(u128::from(new));
    if total == 0 {
        return Err(MetricError::NoCustomersAtStart);
    }
    if u128::from(end) > total {
        return Err(MetricError::MoreAtEndThanPossible {
            start,
            new,
            end,
            total,
        });
    }
    let total = Decimal::from(total);
    let lost = total
        .checked_sub(Decimal::from(end))
        .ok_or(MetricError::Overflow {
            metric: "churn rate",
        })?;
    percent(lost, total, "customers during the period", "churn rate")
}

/// The simpler churn rate, in percent: `lost / S × 100` — the customers
/// lost during the period over the `S` at its start, leaving new customers
/// out.
///
/// # Errors
///
/// [`MetricError::NoCustomersAtStart`] when `S = 0`;
/// [`MetricError::PartAboveWhole`] when more were lost than there were.
///
/// # Example
///
/// 200 customers at the start, 30 of them gone by the end: 15%.
///
/// ```
/// use loyalty::metrics::lost_rate;
/// use rust_decimal::Decimal;
///
/// assert_eq!(lost_rate(200, 30)?, Decimal::from(15));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn lost_rate(start: u64, lost: u64) -> Result<Decimal, MetricError> {
    if start == 0 {
        return Err(MetricError::NoCustomersAtStart);
    }
    part_of("customers lost", lost, "customers at the start", start)?;
    percent(
        Decimal::from(lost),
        Decimal::from(start),
        "customers at the start",
        "churn rate",
    )
}

/// Customer lifetime value, in the currency of `average_order_value`:
/// average order value × purchase frequency (orders per customer per unit
/// of time) × average lifespan (in the same unit of time).
///
/// # Errors
///
/// [`MetricError::OutOfRange`] for a negative input;
/// [`MetricError::Overflow`] for a result beyond [`Decimal`].
///
/// # Example
///
/// Orders of 60.00 EUR on average, 4 orders a year, customers staying 3
/// years: 60.00 × 4 × 3 = 720.00 EUR.
///
/// ```
/// use loyalty::metrics::lifetime_value;
/// use rust_decimal::Decimal;
///
/// let clv = lifetime_value(Decimal::new(6000, 2), Decimal::from(4), Decimal::from(3))?;
/// assert_eq!(clv, Decimal::new(72000, 2));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn lifetime_value(
    average_order_value: Decimal,
    purchase_frequency: Decimal,
    lifespan: Decimal,
) -> Result<Decimal, MetricError> {
    let factors = [
        non_negative("average order value", average_order_value)?,
        non_negative("purchase frequency", purchase_frequency)?,
        non_negative("lifespan", lifespan)?,
    ];
    product(&factors, "lifetime value")
}

/// Customer lifetime value as gross profit: [`lifetime_value`] × gross
/// margin, the margin a fraction from 0 to 1 (0.40 for 40%).
///
/// # Errors
///
/// As [`lifetime_value`], and [`MetricError::OutOfRange`] for a margin
/// outside 0 to 1.
///
/// # Example
///
/// 720.00 EUR of revenue at a 40% margin: 288.00 EUR.
///
/// ```
/// use loyalty::metrics::lifetime_value_with_margin;
/// use rust_decimal::Decimal;
///
/// let clv = lifetime_value_with_margin(
///     Decimal::new(6000, 2), Decimal::from(4), Decimal::from(3), Decimal::new(40, 2))?;
/// assert_eq!(clv, Decimal::new(28800, 2));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn lifetime_value_with_margin(
    average_order_value: Decimal,
    purchase_frequency: Decimal,
    lifespan: Decimal,
    margin: Decimal,
) -> Result<Decimal, MetricError> {
    fraction("gross margin", margin)?;
    let revenue = lifetime_value(average_order_value, purchase_frequency, lifespan)?;
    product(&[revenue, margin], "lifetime value")
}

/// Customer lifetime value with retention and discounting, in the currency
/// of `margin`: `m × r / (1 + d − r)` — `m` the margin a customer brings
/// per period, `r` the share of customers retained from one period to the
/// next, `d` the discount rate per period (fractions: 0.80 for 80%).
///
/// # Errors
///
/// [`MetricError::OutOfRange`] for a negative margin or discount rate, a
/// retention rate outside 0 to 1, or a retention rate of 1 without a
/// discount (the sum does not converge).
///
/// # Example
///
/// 100.00 EUR margin a year, 80% retained each year, a 10% discount rate:
/// 100 × 0.8 / (1 + 0.1 − 0.8) = 266.67 EUR.
///
/// ```
/// use loyalty::metrics::discounted_lifetime_value;
/// use rust_decimal::Decimal;
///
/// let clv = discounted_lifetime_value(Decimal::from(100), Decimal::new(80, 2), Decimal::new(10, 2))?;
/// assert_eq!(clv.round_dp(2), Decimal::new(26667, 2));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn discounted_lifetime_value(
    margin: Decimal,
    retention: Decimal,
    discount: Decimal,
) -> Result<Decimal, MetricError> {
    non_negative("margin per period", margin)?;
    non_negative("discount rate", discount)?;
    fraction("retention rate", retention)?;
    let metric = "discounted lifetime value";
    let denominator = Decimal::ONE
        .checked_add(discount)
        .and_then(|x| x.checked_sub(retention))
        .ok_or(MetricError::Overflow { metric })?;
    if denominator.is_zero() {
        return Err(MetricError::OutOfRange {
            what: "retention rate",
            value: retention,
            rule: "below 1 when the discount rate is 0",
        });
    }
    ratio(
        product(&[margin, retention], metric)?,
        denominator,
        "1 + d − r",
        metric,
    )
}

/// A Net Promoter Score with its breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NetPromoterScore {
    /// Answers of 9 or 10.
    pub promoters: u64,
    /// Answers of 7 or 8.
    pub passives: u64,
    /// Answers of 0 to 6.
    pub detractors: u64,
    /// % promoters − % detractors, from −100 to 100.
    pub score: Decimal,
}

/// Net Promoter Score from answers on the 0–10 scale ("how likely are you
/// to recommend us?"): promoters answer 9–10, passives 7–8, detractors
/// 0–6; the score is % promoters − % detractors, from −100 to 100.
///
/// # Errors
///
/// [`MetricError::Empty`] without answers; [`MetricError::ScoreOutOfScale`]
/// for an answer above 10.
///
/// # Example
///
/// Ten answers: five promoters, three passives, two detractors: 50% − 20%
/// = 30.
///
/// ```
/// use loyalty::metrics::net_promoter_score;
/// use rust_decimal::Decimal;
///
/// let nps = net_promoter_score(&[10, 9, 9, 10, 9, 8, 7, 8, 3, 6])?;
/// assert_eq!((nps.promoters, nps.passives, nps.detractors), (5, 3, 2));
/// assert_eq!(nps.score, Decimal::from(30));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn net_promoter_score(answers: &[u8]) -> Result<NetPromoterScore, MetricError> {
    if answers.is_empty() {
        return Err(MetricError::Empty {
            what: "answers",
            metric: "Net Promoter Score",
        });
    }
    let (mut promoters, mut passives, mut detractors) = (0_u64, 0_u64, 0_u64);
    for (index, score) in answers.iter().copied().enumerate() {
        match score {
            9..=10 => promoters = promoters.saturating_add(1),
            7..=8 => passives = passives.saturating_add(1),
            0..=6 => detractors = detractors.saturating_add(1),
            _ => {
                return Err(MetricError::ScoreOutOfScale {
                    index,
                    score,
                    min: 0,
                    max: 10,
                });
            }
        }
    }
    let total = Decimal::from(answers.len());
    let metric = "Net Promoter Score";
    let difference = Decimal::from(promoters)
        .checked_sub(Decimal::from(detractors))
        .ok_or(MetricError::Overflow { metric })?;
    Ok(NetPromoterScore {
        promoters,
        passives,
        detractors,
        score: percent(difference, total, "answers", metric)?,
    })
}

/// A customer loyalty index: each respondent's mean and the population's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LoyaltyIndex {
    /// Each respondent's mean of their three answers, from 1 to 6.
    pub respondents: Vec<Decimal>,
    /// The mean over respondents, from 1 to 6.
    pub mean: Decimal,
}

/// Customer loyalty index from three answers per respondent on a 6-point
/// scale (1 to 6): how likely they are to recommend us, to buy again, and
/// to try other products. Each respondent's index is the mean of their
/// three answers; the population's is the mean of those.
///
/// # Errors
///
/// [`MetricError::Empty`] without respondents;
/// [`MetricError::ScoreOutOfScale`] for an answer outside 1 to 6.
///
/// # Example
///
/// ```
/// use loyalty::metrics::loyalty_index;
/// use rust_decimal::Decimal;
///
/// let index = loyalty_index(&[[6, 5, 4], [3, 3, 3]])?;
/// assert_eq!(index.respondents, [Decimal::from(5), Decimal::from(3)]);
/// assert_eq!(index.mean, Decimal::from(4));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn loyalty_index(answers: &[[u8; 3]]) -> Result<LoyaltyIndex, MetricError> {
    let metric = "customer loyalty index";
    if answers.is_empty() {
        return Err(MetricError::Empty {
            what: "respondents",
            metric,
        });
    }
    let mut respondents = Vec::with_capacity(answers.len());
    for (r, three) in answers.iter().enumerate() {
        let mut sum = 0_u32;
        for (q, score) in three.iter().copied().enumerate() {
            if !(1..=6).contains(&score) {
                return Err(MetricError::ScoreOutOfScale {
                    index: r.saturating_mul(3).saturating_add(q),
                    score,
                    min: 1,
                    max: 6,
                });
            }
            sum = sum.saturating_add(u32::from(score));
        }
        respondents.push(ratio(
            Decimal::from(sum),
            Decimal::from(3),
            "answers",
            metric,
        )?);
    }
    let total = respondents
        .iter()
        .try_fold(Decimal::ZERO, |acc, x| acc.checked_add(*x))
        .ok_or(MetricError::Overflow { metric })?;
    let mean = ratio(
        total,
        Decimal::from(respondents.len()),
        "respondents",
        metric,
    )?;
    Ok(LoyaltyIndex { respondents, mean })
}

/// Upsell ratio: customers who bought more than one product / customers
/// who bought exactly one. Above 1, more customers buy several products
/// than one.
///
/// # Errors
///
/// [`MetricError::ZeroDivisor`] when no customer bought exactly one
/// product.
///
/// # Example
///
/// ```
/// use loyalty::metrics::upsell_ratio;
/// use rust_decimal::Decimal;
///
/// assert_eq!(upsell_ratio(150, 600)?, Decimal::new(25, 2));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn upsell_ratio(several_products: u64, one_product: u64) -> Result<Decimal, MetricError> {
    ratio(
        Decimal::from(several_products),
        Decimal::from(one_product),
        "customers who bought exactly one product",
        "upsell ratio",
    )
}

/// Repeat-purchase rate (rate of return), in percent: customers who bought
/// more than once / customers who bought × 100.
///
/// # Errors
///
/// [`MetricError::ZeroDivisor`] without customers;
/// [`MetricError::PartAboveWhole`] when more returned than bought.
///
/// # Example
///
/// ```
/// use loyalty::metrics::repeat_purchase_rate;
/// use rust_decimal::Decimal;
///
/// assert_eq!(repeat_purchase_rate(300, 1200)?, Decimal::from(25));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn repeat_purchase_rate(returning: u64, customers: u64) -> Result<Decimal, MetricError> {
    part_of("returning customers", returning, "customers", customers)?;
    percent(
        Decimal::from(returning),
        Decimal::from(customers),
        "customers",
        "repeat-purchase rate",
    )
}

/// Purchase frequency: orders / customers, over the same period.
///
/// # Errors
///
/// [`MetricError::ZeroDivisor`] without customers.
///
/// # Example
///
/// ```
/// use loyalty::metrics::purchase_frequency;
/// use rust_decimal::Decimal;
///
/// assert_eq!(purchase_frequency(3000, 1200)?, Decimal::new(25, 1));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn purchase_frequency(orders: u64, customers: u64) -> Result<Decimal, MetricError> {
    ratio(
        Decimal::from(orders),
        Decimal::from(customers),
        "customers",
        "purchase frequency",
    )
}

/// Average order value, in the currency of `revenue`: revenue / orders.
///
/// # Errors
///
/// [`MetricError::ZeroDivisor`] without orders; [`MetricError::OutOfRange`]
/// for negative revenue.
///
/// # Example
///
/// ```
/// use loyalty::metrics::average_order_value;
/// use rust_decimal::Decimal;
///
/// assert_eq!(average_order_value(Decimal::new(18000000, 2), 3000)?, Decimal::from(60));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn average_order_value(revenue: Decimal, orders: u64) -> Result<Decimal, MetricError> {
    ratio(
        non_negative("revenue", revenue)?,
        Decimal::from(orders),
        "orders",
        "average order value",
    )
}

/// Customer acquisition cost, in the currency of `spend`: sales and
/// marketing spend / new customers won with it.
///
/// # Errors
///
/// [`MetricError::ZeroDivisor`] without new customers;
/// [`MetricError::OutOfRange`] for a negative spend.
///
/// # Example
///
/// ```
/// use loyalty::metrics::acquisition_cost;
/// use rust_decimal::Decimal;
///
/// assert_eq!(acquisition_cost(Decimal::from(5000), 200)?, Decimal::from(25));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn acquisition_cost(spend: Decimal, new_customers: u64) -> Result<Decimal, MetricError> {
    ratio(
        non_negative("spend", spend)?,
        Decimal::from(new_customers),
        "new customers",
        "customer acquisition cost",
    )
}

/// Conversion rate, in percent: visitors who bought / visitors × 100.
///
/// # Errors
///
/// [`MetricError::ZeroDivisor`] without visitors;
/// [`MetricError::PartAboveWhole`] when more bought than visited.
///
/// # Example
///
/// ```
/// use loyalty::metrics::conversion_rate;
/// use rust_decimal::Decimal;
///
/// assert_eq!(conversion_rate(45, 1500)?, Decimal::from(3));
/// # Ok::<(), loyalty::metrics::MetricError>(())
/// ```
pub fn conversion_rate(conversions: u64, visitors: u64) -> Result<Decimal, MetricError> {
    part_of("conversions", conversions, "visitors", visitors)?;
    percent(
        Decimal::from(conversions),
        Decimal::from(visitors),
        "visitors",
        "conversion rate",
    )
}
