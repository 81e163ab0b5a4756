//! The reward catalogue: what points buy, what a cart qualifies for, quotes.

use std::collections::BTreeMap;
use std::fmt;

use chrono::{DateTime, FixedOffset, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::cart::{CheckedCart, DiscountTarget};
use crate::earn::Frequency;
use crate::points::PointsNoun;
use crate::program::{ConfigRule, Problems};
use crate::{
    Cart, Category, Currency, Error, MemberId, Money, Name, Period, Points, RewardId, Rounding,
    Sku, TierId,
};

/// One entry of the `rewards` list of a
/// [`ProgramConfig`](crate::ProgramConfig).
///
/// The `kind` decides which fields apply:
///
/// | kind | needs | may have |
/// | --- | --- | --- |
/// | `percent_off` | `cost`, `percent` (0 < p ≤ 100) | `maximum_discount` |
/// | `fixed_amount_off` | `cost`, `amount` | |
/// | `free_shipping` | `cost` | `maximum_discount` |
/// | `free_product` | `cost`, `sku` | |
/// | `donation` | `cost`, `amount`, `cause` | |
/// | `points_as_cash` | `step_points`, `step_value` | `minimum_points`, `maximum_points` |
///
/// Every kind may also have `minimum_order`, `limit_total` (redemptions
/// per member, ever), `limit` (per member per calendar period),
/// `valid_from` and `valid_until`, `tiers` (only these tiers may redeem) and
/// `tier_costs` (a cheaper cost for chosen tiers). Percent off, fixed
/// amount off and points-as-cash may have `categories`: the discount then
/// applies to the lines of those categories only.
///
/// ```toml
/// [[rewards]]
/// id = "points-as-cash"
/// name = "Pay with points"
/// kind = "points_as_cash"
/// step_points = 100        # 100 points...
/// step_value = "1.00"      # ...are worth 1.00 EUR
/// minimum_points = 500
/// maximum_points = 5000
///
/// [[rewards]]
/// id = "free-tote"
/// name = "A tote bag on us"
/// kind = "free_product"
/// sku = "TOTE-01"
/// cost = 300
/// limit = { count = 1, per = "year" }
/// ```
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
/// assert_eq!(ten_percent.cost, Some(100));
/// let cash = RewardConfig::points_as_cash("cash", 100, Decimal::ONE).limits(500, 5000);
/// assert_eq!(cash.minimum_points, Some(500));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct RewardConfig {
    /// Unique id of the reward.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What it gives.
    pub kind: RewardType,
    /// Points it costs. At least 1. Not used by `points_as_cash`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<i64>,
    /// `percent_off`: the percentage taken off.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Decimal>,
    /// `fixed_amount_off`: the amount taken off; `donation`: the amount
    /// donated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    /// `percent_off`, `free_shipping`: the largest discount it gives.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_discount: Option<Decimal>,
    /// `free_product`: the product given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sku: Option<String>,
    /// `donation`: who receives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<String>,
    /// `points_as_cash`: points per step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_points: Option<i64>,
    /// `points_as_cash`: what a step is worth.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_value: Option<Decimal>,
    /// `points_as_cash`: the fewest points per redemption (a multiple of
    /// `step_points`; defaults to one step).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_points: Option<i64>,
    /// `points_as_cash`: the most points per redemption (a multiple of
    /// `step_points`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_points: Option<i64>,
    /// The smallest cart it applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_order: Option<Decimal>,
    /// The categories whose lines the discount applies to; all lines when
    /// empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Redemptions per member, ever (cancelled ones do not count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit_total: Option<u32>,
    /// Redemptions per member per calendar period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<Frequency>,
    /// When it becomes available (RFC 3339, or a date at local midnight).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_from: Option<String>,
    /// When it stops being available (not included).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub valid_until: Option<String>,
    /// Only members of these tiers may redeem it; everyone when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<String>,
    /// A cheaper cost for members of these tiers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tier_costs: BTreeMap<String, i64>,
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
    /// Shipping for free.
    FreeShipping,
    /// A product for free.
    FreeProduct,
    /// Points fund a donation to a cause.
    Donation,
    /// Points pay part of the order, in steps.
    PointsAsCash,
}

impl RewardType {
    fn name(self) -> &'static str {
        match self {
            RewardType::PercentOff => "percent_off",
            RewardType::FixedAmountOff => "fixed_amount_off",
            RewardType::FreeShipping => "free_shipping",
            RewardType::FreeProduct => "free_product",
            RewardType::Donation => "donation",
            RewardType::PointsAsCash => "points_as_cash",
        }
    }
}

/// The largest reward cost accepted.
const MAX_COST: i64 = 1_000_000_000_000;

impl RewardConfig {
    fn new(id: impl Into<String>, kind: RewardType, cost: Option<i64>) -> RewardConfig {
        RewardConfig {
            id: id.into(),
            name: None,
            kind,
            cost,
            percent: None,
            amount: None,
            maximum_discount: None,
            sku: None,
            cause: None,
            step_points: None,
            step_value: None,
            minimum_points: None,
            maximum_points: None,
            minimum_order: None,
            categories: Vec::new(),
            limit_total: None,
            limit: None,
            valid_from: None,
            valid_until: None,
            tiers: Vec::new(),
            tier_costs: BTreeMap::new(),
        }
    }

    /// `percent` off the cart for `cost` points.
    pub fn percent_off(id: impl Into<String>, cost: i64, percent: Decimal) -> RewardConfig {
        RewardConfig {
            percent: Some(percent),
            ..RewardConfig::new(id, RewardType::PercentOff, Some(cost))
        }
    }

    /// `amount` off the cart for `cost` points.
    pub fn fixed_amount_off(id: impl Into<String>, cost: i64, amount: Decimal) -> RewardConfig {
        RewardConfig {
            amount: Some(amount),
            ..RewardConfig::new(id, RewardType::FixedAmountOff, Some(cost))
        }
    }

    /// Free shipping for `cost` points.
    pub fn free_shipping(id: impl Into<String>, cost: i64) -> RewardConfig {
        RewardConfig::new(id, RewardType::FreeShipping, Some(cost))
    }

    /// One `sku` for free for `cost` points.
    pub fn free_product(id: impl Into<String>, cost: i64, sku: impl Into<String>) -> RewardConfig {
        RewardConfig {
            sku: Some(sku.into()),
            ..RewardConfig::new(id, RewardType::FreeProduct, Some(cost))
        }
    }

    /// `cost` points fund a donation of `amount` to `cause`.
    pub fn donation(
        id: impl Into<String>,
        cost: i64,
        amount: Decimal,
        cause: impl Into<String>,
    ) -> RewardConfig {
        RewardConfig {
            amount: Some(amount),
            cause: Some(cause.into()),
            ..RewardConfig::new(id, RewardType::Donation, Some(cost))
        }
    }

    /// Points pay for the order: every `step_points` points are worth
    /// `step_value`.
    pub fn points_as_cash(
        id: impl Into<String>,
        step_points: i64,
        step_value: Decimal,
    ) -> RewardConfig {
        RewardConfig {
            step_points: Some(step_points),
            step_value: Some(step_value),
            ..RewardConfig::new(id, RewardType::PointsAsCash, None)
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

    /// Caps the discount of a percent-off or free-shipping reward.
    pub fn maximum_discount(mut self, amount: Decimal) -> RewardConfig {
        self.maximum_discount = Some(amount);
        self
    }

    /// Sets the fewest and most points of a points-as-cash redemption.
    pub fn limits(mut self, minimum_points: i64, maximum_points: i64) -> RewardConfig {
        self.minimum_points = Some(minimum_points);
        self.maximum_points = Some(maximum_points);
        self
    }

    /// Applies the discount to lines of these categories only.
    pub fn categories<S: Into<String>>(
        mut self,
        categories: impl IntoIterator<Item = S>,
    ) -> RewardConfig {
        self.categories = categories.into_iter().map(Into::into).collect();
        self
    }

    /// At most `count` redemptions per member, ever.
    pub fn limit_total(mut self, count: u32) -> RewardConfig {
        self.limit_total = Some(count);
        self
    }

    /// At most `count` redemptions per member per calendar `per`.
    pub fn limit(mut self, count: u32, per: Period) -> RewardConfig {
        self.limit = Some(Frequency::new(count, per));
        self
    }

    /// Available from `from` until `until` (not included).
    pub fn valid(mut self, from: &str, until: &str) -> RewardConfig {
        self.valid_from = Some(from.to_owned());
        self.valid_until = Some(until.to_owned());
        self
    }

    /// Only members of these tiers may redeem it.
    pub fn tiers<S: Into<String>>(mut self, tiers: impl IntoIterator<Item = S>) -> RewardConfig {
        self.tiers = tiers.into_iter().map(Into::into).collect();
        self
    }

    /// Members of `tier` pay `cost` instead.
    pub fn tier_cost(mut self, tier: impl Into<String>, cost: i64) -> RewardConfig {
        self.tier_costs.insert(tier.into(), cost);
        self
    }

    pub(crate) fn validate(
        &self,
        path: &str,
        currency: Currency,
        offset: FixedOffset,
        problems: &mut Problems,
    ) -> Option<Reward> {
        let at = |field: &str| format!("{path}.{field}");
        let when = format!("kind = \"{}\"", self.kind.name());
        let money = |d: Decimal| Money::new(d, currency);
        let id = problems.id::<RewardId>(&at("id"), &self.id);
        let mut ok = true;
        let mut unused = |field: &str, absent: bool, problems: &mut Problems| {
            if !absent {
                problems.push(at(field), ConfigRule::NotUsed { when: when.clone() });
                ok = false;
            }
        };
        let kind = self.kind;
        let cash = kind == RewardType::PointsAsCash;
        unused(
            "percent",
            self.percent.is_none() || kind == RewardType::PercentOff,
            problems,
        );
        unused(
            "amount",
            self.amount.is_none()
                || matches!(kind, RewardType::FixedAmountOff | RewardType::Donation),
            problems,
        );
        unused(
            "maximum_discount",
            self.maximum_discount.is_none()
                || matches!(kind, RewardType::PercentOff | RewardType::FreeShipping),
            problems,
        );
        unused(
            "sku",
            self.sku.is_none() || kind == RewardType::FreeProduct,
            problems,
        );
        unused(
            "cause",
            self.cause.is_none() || kind == RewardType::Donation,
            problems,
        );
        for (field, absent) in [
            ("step_points", self.step_points.is_none()),
            ("step_value", self.step_value.is_none()),
            ("minimum_points", self.minimum_points.is_none()),
            ("maximum_points", self.maximum_points.is_none()),
        ] {
            unused(field, absent || cash, problems);
        }
        unused(
            "categories",
            self.categories.is_empty()
                || matches!(
                    kind,
                    RewardType::PercentOff | RewardType::FixedAmountOff | RewardType::PointsAsCash
                ),
            problems,
        );
        unused("cost", self.cost.is_none() || !cash, problems);
        unused("tier_costs", self.tier_costs.is_empty() || !cash, problems);

        let cost = if cash {
            None
        } else {
            problems
                .required(&at("cost"), self.cost, &when)
                .filter(|c| problems.range(&at("cost"), *c, 1, MAX_COST))
                .map(Points::new)
        };
        let required_money = |field: &str, value: Option<Decimal>, problems: &mut Problems| {
            problems
                .required(&at(field), value, &when)
                .filter(|v| problems.positive(&at(field), *v))
        };
        let cap = self
            .maximum_discount
            .filter(|m| problems.positive(&at("maximum_discount"), *m))
            .map(money);
        let cap_ok = self.maximum_discount.is_none() || cap.is_some();
        let reward_kind = match kind {
            RewardType::PercentOff => problems
                .required(&at("percent"), self.percent, &when)
                .filter(|p| {
                    let valid = *p > Decimal::ZERO && *p <= Decimal::ONE_HUNDRED;
                    if !valid {
                        problems.push(at("percent"), ConfigRule::PercentOutOfRange { value: *p });
                    }
                    valid
                })
                .map(|percent| RewardKind::PercentOff {
                    percent,
                    maximum_discount: cap,
                }),
            RewardType::FixedAmountOff => required_money("amount", self.amount, problems)
                .map(|a| RewardKind::FixedAmountOff { amount: money(a) }),
            RewardType::FreeShipping => Some(RewardKind::FreeShipping {
                maximum_discount: cap,
            }),
            RewardType::FreeProduct => problems
                .required(&at("sku"), self.sku.as_deref(), &when)
                .and_then(|s| problems.id::<Sku>(&at("sku"), s))
                .map(|sku| RewardKind::FreeProduct { sku }),
            RewardType::Donation => {
                let amount = required_money("amount", self.amount, problems);
                let cause = problems
                    .required(&at("cause"), self.cause.as_deref(), &when)
                    .filter(|c| {
                        let valid = !c.trim().is_empty();
                        if !valid {
                            problems.push(
                                at("cause"),
                                ConfigRule::InvalidId {
                                    problem: crate::IdProblem::Empty,
                                },
                            );
                        }
                        valid
                    });
                match (amount, cause) {
                    (Some(a), Some(c)) => Some(RewardKind::Donation {
                        amount: money(a),
                        cause: c.to_owned(),
                    }),
                    _ => None,
                }
            }
            RewardType::PointsAsCash => self.validate_cash(path, &when, currency, problems),
        };
        let minimum_ok = problems.non_negative(&at("minimum_order"), self.minimum_order);
        let categories = problems.ids::<Category>(&at("categories"), &self.categories);
        let limit_total_ok = self
            .limit_total
            .is_none_or(|n| problems.range(&at("limit_total"), i64::from(n), 1, 1_000_000));
        let limit_ok = self
            .limit
            .is_none_or(|l| l.validate(&at("limit"), problems));
        let valid_from = self
            .valid_from
            .as_deref()
            .map(|t| problems.time(&at("valid_from"), t, offset));
        let valid_until = self
            .valid_until
            .as_deref()
            .map(|t| problems.time(&at("valid_until"), t, offset));
        if let (Some(Some(from)), Some(Some(until))) = (valid_from, valid_until)
            && until <= from
        {
            problems.push(
                at("valid_until"),
                ConfigRule::NotAfter {
                    value: self.valid_until.clone().unwrap_or_default(),
                    other: "valid_from".to_owned(),
                    limit: self.valid_from.clone().unwrap_or_default(),
                },
            );
            ok = false;
        }
        let tiers = problems.ids::<TierId>(&at("tiers"), &self.tiers);
        let mut tier_costs = BTreeMap::new();
        for (tier, tier_cost) in &self.tier_costs {
            let key = at(&format!("tier_costs.{tier}"));
            let Some(tier_id) = problems.id::<TierId>(&key, tier) else {
                ok = false;
                continue;
            };
            if !self.tiers.is_empty() && !self.tiers.contains(tier) {
                problems.push(
                    key,
                    ConfigRule::NotListed {
                        key: tier.clone(),
                        list: at("tiers"),
                    },
                );
                ok = false;
                continue;
            }
            let most = self.cost.unwrap_or(MAX_COST);
            if problems.range(&key, *tier_cost, 1, most) {
                tier_costs.insert(tier_id, Points::new(*tier_cost));
            } else {
                ok = false;
            }
        }
        let (id, reward_kind, categories, tiers) = (id?, reward_kind?, categories?, tiers?);
        let (valid_from, valid_until) = (valid_from.unwrap_or(None), valid_until.unwrap_or(None));
        if !(ok && cap_ok && minimum_ok && limit_total_ok && limit_ok)
            || (self.valid_from.is_some() && valid_from.is_none())
            || (self.valid_until.is_some() && valid_until.is_none())
        {
            return None;
        }
        let cost = match (&reward_kind, cost) {
            (RewardKind::PointsAsCash { step_points, .. }, _) => *step_points,
            (_, Some(cost)) => cost,
            (_, None) => return None,
        };
        Some(Reward {
            name: Name::new(self.name.as_deref().unwrap_or(id.as_str())),
            id,
            currency,
            cost,
            kind: reward_kind,
            minimum_order: self.minimum_order.map(money),
            categories,
            limit_total: self.limit_total,
            limit: self.limit,
            valid_from,
            valid_until,
            tiers,
            tier_costs,
        })
    }

    fn validate_cash(
        &self,
        path: &str,
        when: &str,
        currency: Currency,
        problems: &mut Problems,
    ) -> Option<RewardKind> {
        let at = |field: &str| format!("{path}.{field}");
        let step = problems
            .required(&at("step_points"), self.step_points, when)
            .filter(|s| problems.range(&at("step_points"), *s, 1, MAX_COST))?;
        let value = problems
            .required(&at("step_value"), self.step_value, when)
            .filter(|v| problems.positive(&at("step_value"), *v))?;
        let multiple = |field: &str, v: i64, problems: &mut Problems| {
            if v.checked_rem(step) == Some(0) {
                problems.range(&at(field), v, step, MAX_COST)
            } else {
                problems.push(
                    at(field),
                    ConfigRule::NotAMultiple {
                        value: v,
                        other: "step_points".to_owned(),
                        step,
                    },
                );
                false
            }
        };
        let minimum = self.minimum_points.unwrap_or(step);
        if !multiple("minimum_points", minimum, problems) {
            return None;
        }
        let maximum = match self.maximum_points {
            None => None,
            Some(max) if max < minimum => {
                problems.push(
                    at("maximum_points"),
                    ConfigRule::BelowOther {
                        value: max,
                        other: "minimum_points".to_owned(),
                        limit: minimum,
                    },
                );
                return None;
            }
            Some(max) if multiple("maximum_points", max, problems) => Some(Points::new(max)),
            Some(_) => return None,
        };
        Some(RewardKind::PointsAsCash {
            step_points: Points::new(step),
            step_value: Money::new(value, currency),
            minimum_points: Points::new(minimum),
            maximum_points: maximum,
        })
    }
}

/// A validated reward of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Reward {
    id: RewardId,
    /// Held as a [`Name`], so that each quote's copy of it, one a reward,
    /// does not allocate.
    name: Name,
    currency: Currency,
    cost: Points,
    kind: RewardKind,
    minimum_order: Option<Money>,
    categories: Vec<Category>,
    limit_total: Option<u32>,
    limit: Option<Frequency>,
    valid_from: Option<DateTime<Utc>>,
    valid_until: Option<DateTime<Utc>>,
    tiers: Vec<TierId>,
    tier_costs: BTreeMap<TierId, Points>,
}

/// What a reward gives.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RewardKind {
    /// `percent` off the eligible lines, at most `maximum_discount`.
    PercentOff {
        /// The percentage, in (0, 100].
        percent: Decimal,
        /// The cap on the discount, if any.
        maximum_discount: Option<Money>,
    },
    /// `amount` off the eligible lines (never more than they cost).
    FixedAmountOff {
        /// The amount taken off.
        amount: Money,
    },
    /// The cart's shipping, at most `maximum_discount`.
    FreeShipping {
        /// The cap on the discount, if any.
        maximum_discount: Option<Money>,
    },
    /// One of `sku` for free: the cart must hold it.
    FreeProduct {
        /// The product.
        sku: Sku,
    },
    /// A donation of `amount` to `cause`; no discount.
    Donation {
        /// The amount donated.
        amount: Money,
        /// Who receives it.
        cause: String,
    },
    /// Points pay part of the cart: each `step_points` are worth
    /// `step_value`, between `minimum_points` and `maximum_points` per
    /// redemption.
    PointsAsCash {
        /// Points per step.
        step_points: Points,
        /// What a step is worth.
        step_value: Money,
        /// The fewest points per redemption.
        minimum_points: Points,
        /// The most points per redemption, if capped.
        maximum_points: Option<Points>,
    },
}

/// A redemption's donation: how much, to whom.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct Donation {
    /// The amount donated.
    pub amount: Money,
    /// Who receives it.
    pub cause: String,
}

impl Reward {
    /// The reward's id.
    pub fn id(&self) -> &RewardId {
        &self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The points it costs; for points-as-cash, the points of one step.
    pub fn cost(&self) -> Points {
        self.cost
    }

    /// The points it costs a member of `tier`.
    pub fn cost_for(&self, tier: Option<&TierId>) -> Points {
        tier.and_then(|t| self.tier_costs.get(t))
            .copied()
            .unwrap_or(self.cost)
    }

    /// What it gives.
    pub fn kind(&self) -> &RewardKind {
        &self.kind
    }

    /// The smallest cart it applies to, if any.
    pub fn minimum_order(&self) -> Option<Money> {
        self.minimum_order
    }

    /// The categories its discount applies to; all lines when empty.
    pub fn categories(&self) -> &[Category] {
        &self.categories
    }

    /// The tiers that may redeem it; everyone when empty.
    pub fn tiers(&self) -> &[TierId] {
        &self.tiers
    }

    /// What the discount applies to, recorded with each redemption.
    pub(crate) fn target(&self) -> DiscountTarget {
        match &self.kind {
            RewardKind::FreeShipping { .. } => DiscountTarget::Shipping,
            RewardKind::FreeProduct { sku } => DiscountTarget::Product { sku: sku.clone() },
            RewardKind::Donation { .. } => DiscountTarget::Nothing,
            _ => DiscountTarget::Lines {
                categories: self.categories.clone(),
            },
        }
    }

    /// The value of the eligible lines: the lines of the reward's
    /// categories (all lines when it has none).
    fn eligible_value(&self, cart: &Cart, checked: &CheckedCart) -> Result<Decimal, Shortfall> {
        let out_of_range = || Shortfall::AmountOutOfRange {
            cart: checked.total,
        };
        if self.categories.is_empty() && !checked.lists(cart) {
            // Every line, each worth its net: their sum is the merchandise,
            // summed in the same order.
            return Ok(checked.merchandise.amount());
        }
        let mut matched = false;
        let mut total = Decimal::ZERO;
        for (i, line) in cart.lines.iter().enumerate() {
            if self.categories.is_empty() || line.in_any(&self.categories) {
                matched = true;
                let value = checked
                    .value_of(cart, i, line)
                    .map_err(|_| out_of_range())?;
                total = total.checked_add(value).ok_or_else(out_of_range)?;
            }
        }
        if matched {
            Ok(total)
        } else {
            Err(Shortfall::NoEligibleItems {
                categories: self.categories.clone(),
            })
        }
    }

    /// The discount this reward gives on `cart` (for points-as-cash, with
    /// `points`), rounded to the currency's minor units with `rounding`, or
    /// why the cart does not qualify. The member's points, limits and tier
    /// are not considered.
    ///
    /// # Errors
    ///
    /// The [`Shortfall`] that keeps the cart from qualifying.
    pub fn discount(
        &self,
        cart: &Cart,
        points: Option<Points>,
        rounding: Rounding,
    ) -> Result<Money, Shortfall> {
        let checked = cart
            .check_listing(false)
            .map_err(|error| Shortfall::InvalidCart { error })?;
        self.discount_on(cart, &checked, points, rounding)
    }

    fn discount_on(
        &self,
        cart: &Cart,
        checked: &CheckedCart,
        points: Option<Points>,
        rounding: Rounding,
    ) -> Result<Money, Shortfall> {
        let total = checked.total;
        if total.currency() != self.currency {
            return Err(Shortfall::WrongCurrency {
                expected: self.currency,
                actual: total.currency(),
            });
        }
        if let Some(minimum) = self.minimum_order
            && total.amount() < minimum.amount()
        {
            return Err(Shortfall::BelowMinimumOrder {
                minimum,
                actual: total,
            });
        }
        // Made only when a figure leaves the range.
        let out_of_range = || Shortfall::AmountOutOfRange { cart: total };
        let currency = self.currency;
        let capped = |d: Decimal, cap: Option<Money>| match cap {
            Some(c) => d.min(c.amount()),
            None => d,
        };
        let amount = match &self.kind {
            RewardKind::PercentOff {
                percent,
                maximum_discount,
            } => {
                let base = self.eligible_value(cart, checked)?;
                let raw = base
                    .checked_mul(*percent)
                    .and_then(|x| x.checked_div(Decimal::ONE_HUNDRED))
                    .ok_or_else(out_of_range)?;
                capped(
                    rounding.round(raw, currency.minor_units()),
                    *maximum_discount,
                )
            }
            RewardKind::FixedAmountOff { amount } => {
                amount.amount().min(self.eligible_value(cart, checked)?)
            }
            RewardKind::FreeShipping { maximum_discount } => {
                if checked.shipping.is_zero() {
                    return Err(Shortfall::NoShipping);
                }
                capped(checked.shipping, *maximum_discount)
            }
            RewardKind::FreeProduct { sku } => {
                let Some((i, line)) = cart
                    .lines
                    .iter()
                    .enumerate()
                    .find(|(_, l)| l.sku.as_ref() == Some(sku))
                else {
                    return Err(Shortfall::ProductNotInCart { sku: sku.clone() });
                };
                let value = checked
                    .value_of(cart, i, line)
                    .map_err(|_| out_of_range())?;
                line.unit_price.amount().min(value)
            }
            RewardKind::Donation { .. } => Decimal::ZERO,
            RewardKind::PointsAsCash {
                step_points,
                step_value,
                ..
            } => {
                let base = self.eligible_value(cart, checked)?;
                let points = points.unwrap_or(Points::ZERO);
                let steps = points.value().checked_div(step_points.value()).unwrap_or(0);
                let discount = step_value
                    .amount()
                    .checked_mul(Decimal::from(steps))
                    .ok_or_else(out_of_range)?;
                if discount > base {
                    return Err(Shortfall::ExceedsCart {
                        discount: Money::new(discount, currency),
                        eligible: Money::new(base, currency),
                    });
                }
                discount
            }
        };
        Ok(Money::new(amount, currency))
    }

    /// The most points a points-as-cash redemption can use on this cart
    /// with `available` points: whole steps, within the reward's range,
    /// never more than the eligible lines are worth.
    fn most_cash_points(
        &self,
        cart: &Cart,
        checked: &CheckedCart,
        available: Points,
    ) -> Option<Points> {
        let RewardKind::PointsAsCash {
            step_points,
            step_value,
            maximum_points,
            ..
        } = &self.kind
        else {
            return None;
        };
        let base = self.eligible_value(cart, checked).ok()?;
        let steps = base.checked_div(step_value.amount())?.trunc();
        let covering = i64::try_from(steps)
            .ok()?
            .checked_mul(step_points.value())?;
        let most = maximum_points.map_or(i64::MAX, |m| m.value());
        let points = available.value().min(covering).min(most).max(0);
        let step = step_points.value();
        Some(Points::new(points.checked_div(step)?.checked_mul(step)?))
    }
}

impl fmt::Display for Reward {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            RewardKind::PointsAsCash {
                step_points,
                step_value,
                ..
            } => write!(
                f,
                "{} ({} = {step_value})",
                self.name,
                PointsNoun(*step_points)
            ),
            _ => write!(f, "{} ({})", self.name, PointsNoun(self.cost)),
        }
    }
}

/// Why a reward is not available to a member on a cart.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "snake_case")]
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
    /// The reward is not available yet.
    #[error("available from {}", .from.format("%Y-%m-%d %H:%M UTC"))]
    NotYetAvailable {
        /// When it becomes available.
        from: DateTime<Utc>,
    },
    /// The reward is no longer available.
    #[error("ended {}", .until.format("%Y-%m-%d %H:%M UTC"))]
    NoLongerAvailable {
        /// When it stopped being available.
        until: DateTime<Utc>,
    },
    /// Only members of some tiers may redeem it.
    #[error("for {} members only", tier_list(.tiers))]
    TierRequired {
        /// The tiers that may redeem it.
        tiers: Vec<TierId>,
    },
    /// The member used up the reward's limit.
    #[error("limit of {limit} {} reached", match .period { Some(p) => format!("per {p}"), None => "in total".to_owned() })]
    LimitReached {
        /// The limit.
        limit: u32,
        /// Its period; `None` for a limit in total.
        period: Option<Period>,
    },
    /// The cart holds no line the reward applies to.
    #[error("no item in {}", category_list(.categories))]
    NoEligibleItems {
        /// The reward's categories.
        categories: Vec<Category>,
    },
    /// The free product is not in the cart.
    #[error("add {sku} to the cart")]
    ProductNotInCart {
        /// The product.
        sku: Sku,
    },
    /// The cart has no shipping to take off.
    #[error("no shipping to take off")]
    NoShipping,
    /// Points-as-cash worth more than the eligible lines.
    #[error("{discount} of points exceeds the {eligible} they can pay for")]
    ExceedsCart {
        /// The discount the points would give.
        discount: Money,
        /// What the eligible lines are worth.
        eligible: Money,
    },
    /// The smallest points-as-cash redemption is worth more than the cart.
    #[error("the cart is too small for the smallest redemption of {minimum}")]
    CartTooSmall {
        /// The discount of the fewest points allowed.
        minimum: Money,
    },
    /// The cart is inconsistent.
    #[error("invalid cart: {error}")]
    InvalidCart {
        /// What is wrong with it.
        error: crate::CartError,
    },
}

fn deficit(available: Points, required: Points) -> i64 {
    required.value().saturating_sub(available.value())
}

fn noun(count: i64) -> &'static str {
    if count == 1 { "point" } else { "points" }
}

fn tier_list(tiers: &[TierId]) -> String {
    tiers
        .iter()
        .map(TierId::as_str)
        .collect::<Vec<_>>()
        .join(" or ")
}

fn category_list(categories: &[Category]) -> String {
    categories
        .iter()
        .map(Category::as_str)
        .collect::<Vec<_>>()
        .join(" or ")
}

impl Shortfall {
    /// The refusal a redemption meets for this shortfall.
    pub(crate) fn into_error(self, reward: &RewardId) -> Error {
        match self {
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
            Shortfall::InvalidCart { error } => Error::InvalidCart(error),
            reason => Error::RewardUnavailable {
                reward: reward.clone(),
                reason,
            },
        }
    }
}

/// A member's redemptions of one reward (cancellations left out), as its
/// usage limits count them: read only for a reward with a limit.
pub(crate) trait Uses {
    /// How many in all.
    fn total(&self) -> usize;
    /// How many at `since` or later.
    fn since(&self, since: DateTime<Utc>) -> usize;
}

/// The times of the uses, in any order.
impl Uses for [DateTime<Utc>] {
    fn total(&self) -> usize {
        self.len()
    }

    fn since(&self, since: DateTime<Utc>) -> usize {
        self.iter().filter(|t| **t >= since).count()
    }
}

/// The member's standing for a reward: what limits, tiers and points allow.
pub(crate) struct Standing<'a> {
    /// Points available now.
    pub(crate) available: Points,
    pub(crate) at: DateTime<Utc>,
    pub(crate) offset: FixedOffset,
    /// The member's redemptions of this reward before (cancellations
    /// left out), as its usage limits count them.
    pub(crate) uses: &'a dyn Uses,
    /// The member's tier.
    pub(crate) tier: Option<&'a TierId>,
    /// Points chosen for a points-as-cash redemption.
    pub(crate) points: Option<Points>,
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RewardOption {
    /// The reward.
    pub reward: RewardId,
    /// Its name: the program's text, copied without allocating (it reads
    /// as a `str`, compares with one, and is written as a string).
    pub name: Name,
    /// The points it takes: its cost for this member, or for points-as-cash
    /// the most points usable on this cart.
    pub cost: Points,
    /// The discount it would give on the cart, when the cart qualifies.
    pub discount: Option<Money>,
    /// The donation it would make, for a donation reward.
    pub donation: Option<Donation>,
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
        if let Some(d) = &self.donation {
            write!(f, ": donates {} to {}", d.amount, d.cause)?;
        } else if let Some(discount) = self.discount {
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

/// Prices `reward` for `cart` and the member's `standing`: the discount
/// (when the cart qualifies), the points it takes, and every reason it
/// cannot be redeemed.
pub(crate) fn price(
    reward: &Reward,
    cart: &Cart,
    checked: &CheckedCart,
    standing: &Standing<'_>,
    rounding: Rounding,
) -> RewardOption {
    let priced = assess(reward, cart, checked, standing, rounding);
    RewardOption {
        reward: reward.id.clone(),
        name: reward.name.clone(),
        cost: priced.cost,
        discount: priced.discount,
        donation: priced.donation,
        shortfalls: priced.shortfalls,
    }
}

/// What [`price`] says of a reward, without the reward's id and name: all
/// a redemption reads, so it copies no name.
pub(crate) struct Priced {
    /// As [`RewardOption::cost`].
    pub(crate) cost: Points,
    /// As [`RewardOption::discount`].
    pub(crate) discount: Option<Money>,
    /// As [`RewardOption::donation`].
    pub(crate) donation: Option<Donation>,
    /// As [`RewardOption::shortfalls`].
    pub(crate) shortfalls: Vec<Shortfall>,
}

/// [`price`] without the reward's id and name.
pub(crate) fn assess(
    reward: &Reward,
    cart: &Cart,
    checked: &CheckedCart,
    standing: &Standing<'_>,
    rounding: Rounding,
) -> Priced {
    let mut shortfalls = Vec::new();
    if let Some(from) = reward.valid_from
        && standing.at < from
    {
        shortfalls.push(Shortfall::NotYetAvailable { from });
    }
    if let Some(until) = reward.valid_until
        && standing.at >= until
    {
        shortfalls.push(Shortfall::NoLongerAvailable { until });
    }
    if !reward.tiers.is_empty() && !standing.tier.is_some_and(|t| reward.tiers.contains(t)) {
        shortfalls.push(Shortfall::TierRequired {
            tiers: reward.tiers.clone(),
        });
    }
    if let Some(limit) = reward.limit_total
        && standing.uses.total() >= usize::try_from(limit).unwrap_or(usize::MAX)
    {
        shortfalls.push(Shortfall::LimitReached {
            limit,
            period: None,
        });
    }
    if let Some(frequency) = reward.limit {
        let since = frequency.per.start(standing.at, standing.offset);
        let recent = match since {
            Some(since) => standing.uses.since(since),
            None => standing.uses.total(),
        };
        if recent >= usize::try_from(frequency.count).unwrap_or(usize::MAX) {
            shortfalls.push(Shortfall::LimitReached {
                limit: frequency.count,
                period: Some(frequency.per),
            });
        }
    }
    let (cost, points) = match &reward.kind {
        RewardKind::PointsAsCash { minimum_points, .. } => {
            let most = reward
                .most_cash_points(cart, checked, standing.available)
                .unwrap_or(Points::ZERO);
            let chosen = standing.points.unwrap_or(most);
            if standing.available < *minimum_points {
                shortfalls.push(Shortfall::InsufficientPoints {
                    available: standing.available,
                    required: *minimum_points,
                });
            } else if standing.points.is_none() && most < *minimum_points {
                let minimum = reward
                    .discount_on(cart, checked, Some(*minimum_points), rounding)
                    .err()
                    .and_then(|s| match s {
                        Shortfall::ExceedsCart { discount, .. } => Some(discount),
                        _ => None,
                    });
                if let Some(minimum) = minimum {
                    shortfalls.push(Shortfall::CartTooSmall { minimum });
                }
            }
            (chosen, Some(chosen))
        }
        _ => (reward.cost_for(standing.tier), None),
    };
    let discount = match reward.discount_on(cart, checked, points, rounding) {
        Ok(d) => Some(d),
        Err(s) => {
            if !shortfalls
                .iter()
                .any(|x| matches!(x, Shortfall::CartTooSmall { .. }))
            {
                shortfalls.push(s);
            }
            None
        }
    };
    if !matches!(reward.kind, RewardKind::PointsAsCash { .. }) && standing.available < cost {
        shortfalls.push(Shortfall::InsufficientPoints {
            available: standing.available,
            required: cost,
        });
    }
    let donation = match &reward.kind {
        RewardKind::Donation { amount, cause } => Some(Donation {
            amount: *amount,
            cause: cause.clone(),
        }),
        _ => None,
    };
    Priced {
        cost,
        discount,
        donation,
        shortfalls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Line;

    fn reward(config: RewardConfig) -> Reward {
        let mut problems = Problems::default();
        let offset = FixedOffset::east_opt(0).unwrap();
        config
            .validate("rewards[0]", Currency::EUR, offset, &mut problems)
            .unwrap()
    }

    fn eur(s: &str) -> Money {
        s.parse().unwrap()
    }

    fn cart(s: &str) -> Cart {
        Cart::new(eur(s))
    }

    #[test]
    fn percent_off_rounds_and_caps() {
        let r = reward(RewardConfig::percent_off("p", 100, Decimal::new(10, 0)));
        let d = |c: &Cart, rounding| r.discount(c, None, rounding).unwrap().to_string();
        assert_eq!(d(&cart("57.45 EUR"), Rounding::HalfUp), "5.75 EUR");
        assert_eq!(d(&cart("57.45 EUR"), Rounding::HalfEven), "5.74 EUR");
        let capped = reward(
            RewardConfig::percent_off("p", 100, Decimal::new(10, 0))
                .maximum_discount(Decimal::new(20, 0)),
        );
        assert_eq!(
            capped
                .discount(&cart("500.00 EUR"), None, Rounding::HalfUp)
                .unwrap()
                .to_string(),
            "20.00 EUR"
        );
    }

    #[test]
    fn a_category_reward_discounts_its_lines_only() {
        let r = reward(
            RewardConfig::percent_off("shoes", 100, Decimal::new(20, 0)).categories(["shoes"]),
        );
        let c = Cart::of([
            Line::new("BOOT".parse().unwrap(), 1, eur("80.00 EUR"))
                .category("shoes".parse().unwrap()),
            Line::new("HAT".parse().unwrap(), 1, eur("20.00 EUR")),
        ]);
        assert_eq!(
            r.discount(&c, None, Rounding::HalfUp).unwrap(),
            eur("16.00 EUR")
        );
        let none = Cart::of([Line::new("HAT".parse().unwrap(), 1, eur("20.00 EUR"))]);
        assert_eq!(
            r.discount(&none, None, Rounding::HalfUp)
                .unwrap_err()
                .to_string(),
            "no item in shoes"
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
            r.discount(&cart("12.00 EUR"), None, Rounding::HalfUp)
                .unwrap(),
            eur("12.00 EUR")
        );
    }

    #[test]
    fn free_shipping_and_free_products_need_something_to_take_off() {
        let shipping = reward(RewardConfig::free_shipping("s", 150));
        assert_eq!(
            shipping
                .discount(
                    &cart("30.00 EUR").shipping(eur("4.95 EUR")),
                    None,
                    Rounding::HalfUp
                )
                .unwrap(),
            eur("4.95 EUR")
        );
        assert_eq!(
            shipping
                .discount(&cart("30.00 EUR"), None, Rounding::HalfUp)
                .unwrap_err(),
            Shortfall::NoShipping
        );
        let tote = reward(RewardConfig::free_product("t", 300, "TOTE"));
        let with = Cart::of([Line::new("TOTE".parse().unwrap(), 2, eur("12.00 EUR"))]);
        assert_eq!(
            tote.discount(&with, None, Rounding::HalfUp).unwrap(),
            eur("12.00 EUR")
        );
        assert_eq!(
            tote.discount(&cart("30.00 EUR"), None, Rounding::HalfUp)
                .unwrap_err()
                .to_string(),
            "add TOTE to the cart"
        );
    }

    #[test]
    fn minimum_order_and_currency_are_checked() {
        let r = reward(
            RewardConfig::percent_off("p", 100, Decimal::new(10, 0))
                .minimum_order(Decimal::new(50, 0)),
        );
        let s = r
            .discount(&cart("49.99 EUR"), None, Rounding::HalfUp)
            .unwrap_err();
        assert_eq!(s.to_string(), "order below 50.00 EUR");
        let s = r
            .discount(&cart("60.00 USD"), None, Rounding::HalfUp)
            .unwrap_err();
        assert_eq!(s.to_string(), "cart in USD, rewards are in EUR");
    }

    #[test]
    fn points_as_cash_pays_in_whole_steps() {
        let r = reward(RewardConfig::points_as_cash("cash", 100, Decimal::ONE).limits(500, 5000));
        let c = cart("23.50 EUR");
        let checked = c.check().unwrap();
        assert_eq!(
            r.most_cash_points(&c, &checked, Points::new(10_000)),
            Some(Points::new(2300))
        );
        assert_eq!(
            r.most_cash_points(&c, &checked, Points::new(1_250)),
            Some(Points::new(1200))
        );
        assert_eq!(
            r.discount(&c, Some(Points::new(700)), Rounding::HalfUp)
                .unwrap(),
            eur("7.00 EUR")
        );
        assert_eq!(
            r.discount(&c, Some(Points::new(2400)), Rounding::HalfUp)
                .unwrap_err()
                .to_string(),
            "24.00 EUR of points exceeds the 23.50 EUR they can pay for"
        );
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
        let limit = Shortfall::LimitReached {
            limit: 1,
            period: Some(Period::Month),
        };
        assert_eq!(limit.to_string(), "limit of 1 per month reached");
        let tier = Shortfall::TierRequired {
            tiers: vec!["gold".parse().unwrap(), "platinum".parse().unwrap()],
        };
        assert_eq!(tier.to_string(), "for gold or platinum members only");
    }

    proptest::proptest! {
        /// A redemption and a quote check the cart without listing its
        /// lines' values when no order discount is spread over them: every
        /// reward prices such a cart as the full check does, to the cent
        /// and the scale, or refuses it with the same shortfall.
        #[test]
        fn a_cart_prices_the_same_with_or_without_its_lines_listed(
            lines in proptest::collection::vec(
                (
                    0i64..100_000,
                    0u32..4,
                    1u32..4,
                    proptest::bool::ANY,
                    proptest::option::of(0i64..500),
                ),
                0..5,
            ),
            shipping in proptest::option::of(0i64..2_000),
            // A zero of some scale is as good as no discount: often drawn.
            discount in proptest::option::of(
                (proptest::prop_oneof![proptest::strategy::Just(0i64), 0i64..3_000], 0u32..3),
            ),
            points in 0i64..2_000,
        ) {
            let mut cart = Cart::of(lines.iter().enumerate().map(
                |(i, (units, scale, quantity, shoes, off))| {
                    let price = Money::new(Decimal::new(*units, *scale), Currency::EUR);
                    let line = Line::new(format!("SKU-{i}").parse().unwrap(), *quantity, price);
                    let line = match off {
                        Some(off) => {
                            line.discount(Money::new(Decimal::new(*off, 2), Currency::EUR))
                        }
                        None => line,
                    };
                    if *shoes { line.category("shoes".parse().unwrap()) } else { line }
                },
            ));
            if let Some(cents) = shipping {
                cart = cart.shipping(Money::new(Decimal::new(cents, 2), Currency::EUR));
            }
            if let Some((units, scale)) = discount {
                cart = cart.discount(Money::new(Decimal::new(units, scale), Currency::EUR));
            }
            let rewards = [
                RewardConfig::percent_off("p", 100, Decimal::new(10, 0)),
                RewardConfig::percent_off("s", 100, Decimal::new(15, 0)).categories(["shoes"]),
                RewardConfig::fixed_amount_off("f", 100, Decimal::new(25, 0)),
                RewardConfig::free_product("g", 100, "SKU-1"),
                RewardConfig::points_as_cash("c", 100, Decimal::new(1, 0)),
            ];
            let (Ok(listed), Ok(unlisted)) = (cart.check(), cart.check_listing(false)) else {
                proptest::prop_assert_eq!(cart.check().err(), cart.check_listing(false).err());
                return Ok(());
            };
            proptest::prop_assert_eq!(listed.total.to_string(), unlisted.total.to_string());
            proptest::prop_assert_eq!(
                listed.merchandise.to_string(),
                unlisted.merchandise.to_string()
            );
            for config in rewards {
                let r = reward(config);
                let priced = |checked: &CheckedCart| {
                    r.discount_on(&cart, checked, Some(Points::new(points)), Rounding::HalfUp)
                        .map(|m| m.to_string())
                };
                proptest::prop_assert_eq!(priced(&listed), priced(&unlisted));
                proptest::prop_assert_eq!(
                    r.most_cash_points(&cart, &listed, Points::new(points)),
                    r.most_cash_points(&cart, &unlisted, Points::new(points))
                );
            }
        }
    }
}
