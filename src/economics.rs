//! A program's headline economics: what a point is worth and what share of
//! spend comes back, before the program goes live.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::earn::{EarnRate, PurchaseFacts, earn_purchase};
use crate::rewards::RewardKind;
use crate::{Cart, Error, Money, Points, Program, RewardId};

/// What a program gives back: points per currency unit, the value of a point
/// at each reward, and the share of spend that comes back as reward value,
/// at best and for a typical basket.
///
/// The basket earns at the program's earn rules (rates, exclusions, rules,
/// per-order caps), without campaigns or member bonuses, which depend on the
/// day and the member.
///
/// # Example
///
/// ```
/// use loyalty::{Cart, Program};
/// use rust_decimal::Decimal;
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
///     "rewards": [
///         {"id": "ten-percent-off", "cost": 100, "kind": "percent_off", "percent": "10"},
///         {"id": "five-off", "cost": 60, "kind": "fixed_amount_off", "amount": "5.00"}
///     ]}"#)?;
/// let economics = program.economics(&Cart::new("80.00 EUR".parse()?))?;
///
/// // 1 point per euro; on an 80.00 EUR basket 10% off is 8.00 EUR for 100
/// // points: 0.08 EUR a point, 8% of spend back.
/// assert_eq!(economics.points_per_unit, Decimal::ONE);
/// let ten = &economics.rewards[0];
/// assert_eq!(ten.point_value_on_basket, Some(Decimal::new(8, 2)));
/// assert_eq!(ten.rate_on_basket, Some(Decimal::new(8, 0)));
/// // A percentage without a cap is worth more on bigger carts: no best.
/// assert_eq!(ten.best_point_value, None);
/// // 5.00 EUR for 60 points is the best a point can do: 8.33% back.
/// assert_eq!(economics.best_rate.map(|r| r.round_dp(2)), Some(Decimal::new(833, 2)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Economics {
    /// The base earn rate.
    pub rate: EarnRate,
    /// Points earned per unit of the currency at the base rate.
    pub points_per_unit: Decimal,
    /// The basket described.
    pub basket: Money,
    /// What the basket earns.
    pub basket_points: Points,
    /// Each reward, in catalogue order.
    pub rewards: Vec<RewardEconomics>,
    /// The most a customer can get back, as a percentage of spend, over
    /// the rewards whose value per point is bounded.
    pub best_rate: Option<Decimal>,
    /// What a customer buying this basket gets back at the best reward for
    /// it, as a percentage of spend.
    pub basket_rate: Option<Decimal>,
}

/// One reward's economics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RewardEconomics {
    /// The reward.
    pub reward: RewardId,
    /// Its name.
    pub name: String,
    /// The points it costs (for points-as-cash: one step).
    pub cost: Points,
    /// What it is worth on the basket (a discount, or a donation), when the
    /// basket qualifies.
    pub value_on_basket: Option<Money>,
    /// What one point is worth at it, on the basket.
    pub point_value_on_basket: Option<Decimal>,
    /// The most one point can be worth at it on any cart; `None` when the
    /// value grows with the cart (a percentage without a cap, a product or
    /// shipping whose price the program does not know).
    pub best_point_value: Option<Decimal>,
    /// Percentage of spend that comes back, on the basket.
    pub rate_on_basket: Option<Decimal>,
    /// Percentage of spend that comes back at best.
    pub best_rate: Option<Decimal>,
}

impl Program {
    /// The program's headline economics for `basket`, a typical cart the
    /// caller describes.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidCart`] or [`Error::WrongCurrency`] for a basket that
    /// cannot be priced.
    pub fn economics(&self, basket: &Cart) -> Result<Economics, Error> {
        let total = basket.total()?;
        self.check_currency(&total)?;
        let facts = PurchaseFacts {
            amount: total,
            cart: Some(basket),
            discounts: &[],
            at: DateTime::<Utc>::MIN_UTC,
            first_purchase: false,
            birthday_month: false,
            earned_in_period: Points::ZERO,
            held: Points::ZERO,
            tier: None,
        };
        let basket_points = earn_purchase(self, &facts)?.points;
        let points_per_unit = self.earn().rate().per_unit();
        let basket_per_unit = Decimal::from(basket_points.value())
            .checked_div(total.amount())
            .unwrap_or(Decimal::ZERO);
        let percent = |per_unit: Decimal, value: Decimal| {
            per_unit
                .checked_mul(value)
                .and_then(|v| v.checked_mul(Decimal::ONE_HUNDRED))
        };
        let rounding = self.discount_rounding();
        let rewards: Vec<RewardEconomics> = self
            .rewards()
            .iter()
            .map(|r| {
                let cost = r.cost();
                let per_point = |m: Money| m.amount().checked_div(Decimal::from(cost.value()));
                let (value_on_basket, best) = match r.kind() {
                    RewardKind::Donation { amount, .. } => (Some(*amount), Some(*amount)),
                    kind => {
                        let chosen =
                            matches!(kind, RewardKind::PointsAsCash { .. }).then_some(cost);
                        let on_basket = r.discount(basket, chosen, rounding).ok();
                        let best = match kind {
                            RewardKind::PercentOff {
                                maximum_discount, ..
                            }
                            | RewardKind::FreeShipping { maximum_discount } => *maximum_discount,
                            RewardKind::FixedAmountOff { amount } => Some(*amount),
                            RewardKind::PointsAsCash { step_value, .. } => Some(*step_value),
                            _ => None,
                        };
                        (on_basket, best)
                    }
                };
                let point_value_on_basket = value_on_basket.and_then(per_point);
                let best_point_value = best.and_then(per_point);
                RewardEconomics {
                    reward: r.id().clone(),
                    name: r.name().to_owned(),
                    cost,
                    value_on_basket,
                    point_value_on_basket,
                    best_point_value,
                    rate_on_basket: point_value_on_basket.and_then(|v| percent(basket_per_unit, v)),
                    best_rate: best_point_value.and_then(|v| percent(points_per_unit, v)),
                }
            })
            .collect();
        Ok(Economics {
            rate: self.earn().rate(),
            points_per_unit,
            basket: total,
            basket_points,
            best_rate: rewards.iter().filter_map(|r| r.best_rate).max(),
            basket_rate: rewards.iter().filter_map(|r| r.rate_on_basket).max(),
            rewards,
        })
    }
}

fn pct(value: Decimal) -> String {
    format!("{}%", value.round_dp(2).normalize())
}

fn worth(value: Decimal) -> String {
    value.round_dp(4).normalize().to_string()
}

impl fmt::Display for Economics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "earning {}, a {} basket earns {} points",
            self.rate, self.basket, self.basket_points
        )?;
        for r in &self.rewards {
            write!(f, "  {}: ", r.name)?;
            match (r.point_value_on_basket, r.rate_on_basket) {
                (Some(v), Some(p)) => write!(
                    f,
                    "a point is worth {} on the basket ({} back)",
                    worth(v),
                    pct(p)
                )?,
                _ => f.write_str("not for this basket")?,
            }
            match (r.best_point_value, r.best_rate) {
                (Some(v), Some(p)) => {
                    writeln!(f, "; at best {} a point ({} back)", worth(v), pct(p))?
                }
                _ => writeln!(f, "; worth more on bigger carts")?,
            }
        }
        match self.basket_rate {
            Some(p) => write!(f, "  back on this basket: {}", pct(p))?,
            None => write!(f, "  nothing back on this basket")?,
        }
        match self.best_rate {
            Some(p) => write!(f, "; at best: {}", pct(p)),
            None => Ok(()),
        }
    }
}
