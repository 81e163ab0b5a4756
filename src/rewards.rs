//! The reward catalogue: what points buy, what a cart qualifies for, quotes.

use std::fmt;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::points::PointsNoun;
use crate::program::{ConfigRule, Problems};
use crate::{Currency, Error, MemberId, Money, Points, RewardId, Rounding};

/// One entry of the `rewards` list of a
/// [`ProgramConfig`](crate::ProgramConfig).
///
/// The `kind` decides which of the optional fields apply:
///
/// | kind | needs | may have |
/// | --- | --- | --- |
/// | `percent_off` | `percent` (0 < p ≤ 100) | `maximum_discount`, `minimum_order` |
/// | `fixed_amount_off` | `amount` (> 0) | `minimum_order` |
///
/// # Example
///
/// ```
/// use loyalty::RewardConfig;
/// use rust_decimal::Decimal;
///
/// let ten_percent = RewardConfig::percent_off("ten-percent-off", 100, Decimal::new(10, 0))
///     .name("10% off your next order")
///     .minimum_order(Decimal::new(50, 0))
///     .maximum_discount(Decimal::new(20, 0));
/// assert_eq!(ten_percent.cost, 100);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RewardConfig {
    /// Unique id of the reward.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Points it costs. At least 1.
    pub cost: i64,
    /// What it gives.
    pub kind: RewardType,
    /// `percent_off`: the percentage taken off the cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// `fixed_amount_off`: the amount taken off the cart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// `percent_off`: the largest discount it gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_discount: Option<Decimal>,
    /// The smallest cart it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_order: Option<Decimal>,
}

/// The kinds of reward a catalogue holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RewardType {
    /// A percentage off the cart.
    PercentOff,
    /// A fixed amount off the cart.
    FixedAmountOff,
}

impl RewardType {
    fn name(self) -> &'static str {
        match self {
            RewardType::PercentOff => "percent_off",
            RewardType::FixedAmountOff => "fixed_amount_off",
        }
    }
}

/// The longest reward cost accepted.
const MAX_COST: i64 = 1_000_000_000_000;

impl RewardConfig {
    /// A percent-off reward: `percent` off the cart for `cost` points.
    pub fn percent_off(id: impl Into<String>, cost: i64, percent: Decimal) -> RewardConfig {
        RewardConfig {
            id: id.into(),
            name: None,
            cost,
            kind: RewardType::PercentOff,
            percent: Some(percent),
            amount: None,
            maximum_discount: None,
            minimum_order: None,
        }
    }

    /// A fixed-amount-off reward: `amount` off the cart for `cost` points.
    pub fn fixed_amount_off(id: impl Into<String>, cost: i64, amount: Decimal) -> RewardConfig {
        RewardConfig {
            id: id.into(),
            name: None,
            cost,
            kind: RewardType::FixedAmountOff,
            percent: None,
            amount: Some(amount),
            maximum_discount: None,
            minimum_order: None,
        }
    }

    /// Sets the name shown to people.
    pub fn name(mut self, name: impl Into<String>) -> RewardConfig {
        self.name = Some(name.into());
        self
    }

    /// Sets the smallest cart the reward applies to.
    pub fn minimum_order(mut self, amount: Decimal) -> RewardConfig {
        self.minimum_order = Some(amount);
        self
    }

    /// Caps the discount of a percent-off reward.
    pub fn maximum_discount(mut self, amount: Decimal) -> RewardConfig {
        self.maximum_discount = Some(amount);
        self
    }

    pub(crate) fn validate(
        &self,
        path: &str,
        currency: Currency,
        problems: &mut Problems,
    ) -> Option<Reward> {
        let id = match RewardId::new(self.id.clone()) {
            Ok(id) => Some(id),
            Err(e) => {
                problems.push(
                    format!("{path}.id"),
                    ConfigRule::InvalidId { problem: e.problem },
                );
                None
            }
        };
        let cost_ok = problems.range(&format!("{path}.cost"), self.cost, 1, MAX_COST);
        let minimum_ok =
            problems.non_negative(&format!("{path}.minimum_order"), self.minimum_order);
        let when = format!("kind = \"{}\"", self.kind.name());
        let money = |d: Decimal| Money::new(d, currency);
        let kind = match self.kind {
            RewardType::PercentOff => {
                let amount_ok = problems.unused(&format!("{path}.amount"), &self.amount, &when);
                let percent_path = format!("{path}.percent");
                let percent = problems
                    .required(&percent_path, self.percent, &when)
                    .filter(|p| {
                        let ok = *p > Decimal::ZERO && *p <= Decimal::ONE_HUNDRED;
                        if !ok {
                            problems.push(
                                percent_path.as_str(),
                                ConfigRule::PercentOutOfRange { value: *p },
                            );
                        }
                        ok
                    });
                let cap_ok = self
                    .maximum_discount
                    .is_none_or(|cap| problems.positive(&format!("{path}.maximum_discount"), cap));
                match percent {
                    Some(percent) if amount_ok && cap_ok => Some(RewardKind::PercentOff {
                        percent,
                        maximum_discount: self.maximum_discount.map(money),
                    }),
                    _ => None,
                }
            }
            RewardType::FixedAmountOff => {
                let percent_ok = problems.unused(&format!("{path}.percent"), &self.percent, &when);
                let cap_ok = problems.unused(
                    &format!("{path}.maximum_discount"),
                    &self.maximum_discount,
                    &when,
                );
                let amount_path = format!("{path}.amount");
                let amount = problems
                    .required(&amount_path, self.amount, &when)
                    .filter(|a| problems.positive(&amount_path, *a));
                match amount {
                    Some(amount) if percent_ok && cap_ok => Some(RewardKind::FixedAmountOff {
                        amount: money(amount),
                    }),
                    _ => None,
                }
            }
        };
        match (id, kind) {
            (Some(id), Some(kind)) if cost_ok && minimum_ok => Some(Reward {
                name: self.name.clone().unwrap_or_else(|| id.to_string()),
                id,
                currency,
                cost: Points::new(self.cost),
                kind,
                minimum_order: self.minimum_order.map(money),
            }),
            _ => None,
        }
    }
}

/// A validated reward of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reward {
    id: RewardId,
    currency: Currency,
    name: String,
    cost: Points,
    kind: RewardKind,
    minimum_order: Option<Money>,
}

/// What a reward gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RewardKind {
    /// `percent` off the cart, at most `maximum_discount`.
    PercentOff {
        /// The percentage, in (0, 100].
        percent: Decimal,
        /// The cap on the discount, if any.
        maximum_discount: Option<Money>,
    },
    /// `amount` off the cart (never more than the cart).
    FixedAmountOff {
        /// The amount taken off.
        amount: Money,
    },
}

impl Reward {
    /// The reward's id.
    pub fn id(&self) -> &RewardId {
        &self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The points it costs.
    pub fn cost(&self) -> Points {
        self.cost
    }

    /// What it gives.
    pub fn kind(&self) -> RewardKind {
        self.kind
    }

    /// The smallest cart it applies to, if any.
    pub fn minimum_order(&self) -> Option<Money> {
        self.minimum_order
    }

    /// The discount this reward gives on `cart`, rounded to the currency's
    /// minor units with `rounding`, or why the cart does not qualify
    /// (points are not considered).
    ///
    /// # Errors
    ///
    /// [`Shortfall::WrongCurrency`] or [`Shortfall::BelowMinimumOrder`];
    /// [`Shortfall::AmountOutOfRange`] when the discount cannot be computed.
    pub fn discount(&self, cart: &Cart, rounding: Rounding) -> Result<Money, Shortfall> {
        let total = cart.total;
        if total.currency() != self.currency {
            return Err(Shortfall::WrongCurrency {
                expected: self.currency,
                actual: total.currency(),
            });
        }
        let minimum = self.minimum_order;
        if let Some(minimum) = minimum
            && total.amount() < minimum.amount()
        {
            return Err(Shortfall::BelowMinimumOrder {
                minimum,
                actual: total,
            });
        }
        let out_of_range = Shortfall::AmountOutOfRange { cart: total };
        match self.kind {
            RewardKind::PercentOff {
                percent,
                maximum_discount,
            } => {
                let raw = total
                    .amount()
                    .checked_mul(percent)
                    .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or(out_of_range)?;
                let rounded = rounding.round(raw, total.currency().minor_units());
                let capped = match maximum_discount {
                    Some(cap) => rounded.min(cap.amount()),
                    None => rounded,
                };
                Ok(Money::new(capped, total.currency()))
            }
            RewardKind::FixedAmountOff { amount } => Ok(Money::new(
                amount.amount().min(total.amount()),
                total.currency(),
            )),
        }
    }
}

impl fmt::Display for Reward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, PointsNoun(self.cost))
    }
}

/// What the customer is about to buy, as far as rewards are concerned.
///
/// # Example
///
/// ```
/// use loyalty::Cart;
///
/// let cart = Cart::new("80.00 EUR".parse()?);
/// assert_eq!(cart.total().to_string(), "80.00 EUR");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Cart {
    /// The cart's total before any reward.
    pub total: Money,
}

impl Cart {
    /// A cart worth `total`.
    pub fn new(total: Money) -> Cart {
        Cart { total }
    }

    /// The cart's total before any reward.
    pub fn total(&self) -> Money {
        self.total
    }
}

/// Why a reward is not available for a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Shortfall {
    /// The member has too few available points.
    #[error("needs {} more {}", deficit(*available, *required), noun(deficit(*available, *required)))]
    InsufficientPoints {
        /// Points available now.
        available: Points,
        /// Points the reward costs.
        required: Points,
    },
    /// The cart is below the reward's minimum order.
    #[error("order below {minimum}")]
    BelowMinimumOrder {
        /// The reward's minimum order.
        minimum: Money,
        /// The cart's total.
        actual: Money,
    },
    /// The cart is in another currency than the program.
    #[error("cart in {actual}, rewards are in {expected}")]
    WrongCurrency {
        /// The program's currency.
        expected: Currency,
        /// The cart's currency.
        actual: Currency,
    },
    /// The discount cannot be computed for a cart this large.
    #[error("cart total {cart} is out of range")]
    AmountOutOfRange {
        /// The cart's total.
        cart: Money,
    },
}

fn deficit(available: Points, required: Points) -> i64 {
    required.value().saturating_sub(available.value())
}

fn noun(count: i64) -> &'static str {
    if count == 1 { "point" } else { "points" }
}

impl From<Shortfall> for Error {
    fn from(shortfall: Shortfall) -> Self {
        match shortfall {
            Shortfall::InsufficientPoints {
                available,
                required,
            } => Error::InsufficientPoints {
                available,
                required,
            },
            Shortfall::BelowMinimumOrder { minimum, actual } => {
                Error::BelowMinimumOrder { minimum, actual }
            }
            Shortfall::WrongCurrency { expected, actual } => {
                Error::WrongCurrency { expected, actual }
            }
            Shortfall::AmountOutOfRange { cart } => Error::AmountOutOfRange { amount: cart },
        }
    }
}

/// The rewards a member can and cannot have on a cart: the read-only answer
/// to "what can I get?" at checkout.
///
/// # Example
///
/// ```
/// use loyalty::{Cart, Enroll, Ledger, Program, Purchase};
///
/// let program: Program = serde_json::from_str(r#"{"currency": "EUR",
///     "rewards": [{"id": "ten-percent-off", "name": "10% off", "cost": 100,
///                  "kind": "percent_off", "percent": "10"}]}"#)?;
/// let mut ledger = Ledger::new(program);
/// let at = "2026-01-12T10:00:00Z".parse()?;
/// ledger.execute(Enroll::new("marta".parse()?, at))?;
/// ledger.execute(Purchase::new("marta".parse()?, "ORD-1".parse()?, "57.40 EUR".parse()?, at))?;
///
/// let quote = ledger.quote(&"marta".parse()?, &Cart::new("80.00 EUR".parse()?), at)?;
/// let option = &quote.options[0];
/// assert!(!option.is_available());
/// assert_eq!(option.discount.unwrap().to_string(), "8.00 EUR");
/// assert_eq!(option.shortfalls[0].to_string(), "needs 43 more points");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Quote {
    /// The member quoted.
    pub member: MemberId,
    /// The time of the quote.
    pub at: DateTime<Utc>,
    /// The member's points available at `at`.
    pub available: Points,
    /// The cart's total.
    pub cart: Money,
    /// Every reward of the catalogue, in catalogue order.
    pub options: Vec<RewardOption>,
}

impl Quote {
    /// The rewards the member can have on this cart now.
    pub fn available(&self) -> impl Iterator<Item = &RewardOption> {
        self.options.iter().filter(|o| o.is_available())
    }
}

/// One reward in a [`Quote`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RewardOption {
    /// The reward.
    pub reward: RewardId,
    /// Its name.
    pub name: String,
    /// The points it costs.
    pub cost: Points,
    /// The discount it would give on the cart, when the cart qualifies.
    pub discount: Option<Money>,
    /// Why the member cannot have it now; empty when available.
    pub shortfalls: Vec<Shortfall>,
}

impl RewardOption {
    /// Whether the member can redeem it on this cart now.
    pub fn is_available(&self) -> bool {
        self.shortfalls.is_empty()
    }
}

impl fmt::Display for RewardOption {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name, PointsNoun(self.cost))?;
        if let Some(discount) = self.discount {
            write!(f, ": {discount} off")?;
        }
        if self.shortfalls.is_empty() {
            f.write_str(" — available")
        } else {
            f.write_str(" — not available: ")?;
            for (i, s) in self.shortfalls.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                write!(f, "{s}")?;
            }
            Ok(())
        }
    }
}

impl fmt::Display for Quote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "quote for {} on a {} cart with {} available:",
            self.member,
            self.cart,
            PointsNoun(self.available)
        )?;
        for option in &self.options {
            write!(f, "\n  {option}")?;
        }
        Ok(())
    }
}

/// Prices `reward` for `cart` with `available` points: the discount (when
/// the cart qualifies) and every reason it cannot be redeemed.
pub(crate) fn price(
    reward: &Reward,
    cart: &Cart,
    available: Points,
    rounding: Rounding,
) -> RewardOption {
    let mut shortfalls = Vec::new();
    let discount = match reward.discount(cart, rounding) {
        Ok(d) => Some(d),
        Err(s) => {
            shortfalls.push(s);
            None
        }
    };
    if available < reward.cost {
        shortfalls.push(Shortfall::InsufficientPoints {
            available,
            required: reward.cost,
        });
    }
    RewardOption {
        reward: reward.id.clone(),
        name: reward.name.clone(),
        cost: reward.cost,
        discount,
        shortfalls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reward(config: RewardConfig) -> Reward {
        let mut problems = Problems::default();
        config
            .validate("rewards[0]", Currency::EUR, &mut problems)
            .unwrap()
    }

    fn cart(s: &str) -> Cart {
        Cart::new(s.parse().unwrap())
    }

    #[test]
    fn percent_off_rounds_and_caps() {
        let r = reward(RewardConfig::percent_off("p", 100, Decimal::new(10, 0)));
        assert_eq!(
            r.discount(&cart("57.45 EUR"), Rounding::HalfUp)
                .unwrap()
                .to_string(),
            "5.75 EUR"
        );
        assert_eq!(
            r.discount(&cart("57.45 EUR"), Rounding::HalfEven)
                .unwrap()
                .to_string(),
            "5.74 EUR"
        );
        let capped = reward(
            RewardConfig::percent_off("p", 100, Decimal::new(10, 0))
                .maximum_discount(Decimal::new(20, 0)),
        );
        assert_eq!(
            capped
                .discount(&cart("500.00 EUR"), Rounding::HalfUp)
                .unwrap()
                .to_string(),
            "20.00 EUR"
        );
    }

    #[test]
    fn fixed_amount_never_exceeds_the_cart() {
        let r = reward(RewardConfig::fixed_amount_off(
            "f",
            500,
            Decimal::new(15, 0),
        ));
        assert_eq!(
            r.discount(&cart("12.00 EUR"), Rounding::HalfUp)
                .unwrap()
                .to_string(),
            "12.00 EUR"
        );
    }

    #[test]
    fn minimum_order_and_currency_are_checked() {
        let r = reward(
            RewardConfig::percent_off("p", 100, Decimal::new(10, 0))
                .minimum_order(Decimal::new(50, 0)),
        );
        let s = r
            .discount(&cart("49.99 EUR"), Rounding::HalfUp)
            .unwrap_err();
        assert_eq!(s.to_string(), "order below 50.00 EUR");
        let s = r
            .discount(&cart("60.00 USD"), Rounding::HalfUp)
            .unwrap_err();
        assert_eq!(s.to_string(), "cart in USD, rewards are in EUR");
    }

    #[test]
    fn shortfalls_read_like_the_checkout() {
        let s = Shortfall::InsufficientPoints {
            available: Points::new(63),
            required: Points::new(100),
        };
        assert_eq!(s.to_string(), "needs 37 more points");
        let one = Shortfall::InsufficientPoints {
            available: Points::new(99),
            required: Points::new(100),
        };
        assert_eq!(one.to_string(), "needs 1 more point");
    }
}
