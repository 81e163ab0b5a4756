//! Earning: what a purchase, a sign-up, a birthday or an action is worth in
//! points, and the explanation of every figure.

mod bonus;
mod campaign;
mod engine;
mod lines;

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

pub use bonus::{
    ActionConfig, ActionFrequency, ActionRule, Birthday, BirthdayConfig, BirthdayMode, BonusConfig,
    Bonuses, Frequency,
};
pub use campaign::{Campaign, CampaignConfig, CampaignEffect};
pub(crate) use engine::{PurchaseFacts, bonus_earning, earn_purchase};
pub(crate) use lines::read_breakdown;
pub use lines::{EarnLines, EarnLinesIntoIter};

use crate::calendar::Period;
use crate::points::PointsNoun;
use crate::program::Problems;
use crate::{ActionId, Category, Currency, Money, Name, Points, Rounding, RuleId, Sku, TierId};

/// The largest number of points any one bonus, cap or limit may state.
pub(crate) const MAX_BONUS: i64 = 1_000_000_000_000;

/// The largest `earn.points` value accepted; keeps every product of points
/// and amounts far from overflow.
const MAX_POINTS_PER: i64 = 1_000_000;

/// The `[earn]` section of a [`ProgramConfig`](crate::ProgramConfig): points
/// per amount spent, what is eligible, multipliers and bonuses per item,
/// limits.
///
/// `points` points are earned per `per` of the program's currency, rounded
/// with `rounding`: "1 point per 1.00 EUR" is `points = 1, per = "1.00"`,
/// "5 points per 1.00" is `points = 5`, "1 point per 10.00" is
/// `per = "10.00"`. Orders below `minimum_order` earn nothing, bonuses
/// included.
///
/// ```toml
/// [earn]
/// points = 1
/// per = "1.00"
/// rounding = "floor"
/// rounding_scope = "order"     # or "line": round each line on its own
/// stacking = "multiply"        # when several multipliers meet: "multiply", "add", "highest"
///
/// [earn.exclude]
/// shipping = true
/// tax = true
/// gift_cards = true            # the part paid with gift cards
/// categories = ["gift-cards"]
/// skus = ["DONATION-1"]
///
/// [[earn.rules]]
/// id = "shoes"
/// name = "Shoes"
/// categories = ["shoes"]
/// multiplier = "1.5"           # and/or bonus_per_item = 10
///
/// [earn.limits]
/// maximum_per_order = 1000
/// maximum_per_period = { points = 5000, per = "month" }
/// maximum_balance = 100000
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EarnConfig {
    /// Points earned per `per` spent. At least 1. Defaults to 1.
    #[serde(default = "one")]
    pub points: i64,
    /// The amount that earns `points`, in the program's currency. Above
    /// zero. Defaults to 1.
    #[serde(default = "one_unit")]
    pub per: Decimal,
    /// How fractional points are rounded. Defaults to `floor`.
    #[serde(default)]
    pub rounding: Rounding,
    /// Whether each part of an award is rounded over the whole order
    /// (`order`, the default) or line by line (`line`).
    #[serde(default)]
    pub rounding_scope: RoundingScope,
    /// The smallest order that earns points, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_order: Option<Decimal>,
    /// What does not earn.
    #[serde(default)]
    pub exclude: ExcludeConfig,
    /// Multipliers and bonuses per item, by category or SKU.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<EarnRuleConfig>,
    /// How multipliers combine when several apply to a line. Required as
    /// soon as two multipliers are configured (rules, campaigns, the
    /// birthday month): never implicit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stacking: Option<Stacking>,
    /// Caps on earning.
    #[serde(default)]
    pub limits: LimitsConfig,
}

fn one() -> i64 {
    1
}

fn one_unit() -> Decimal {
    Decimal::ONE
}

impl Default for EarnConfig {
    fn default() -> Self {
        EarnConfig {
            points: one(),
            per: one_unit(),
            rounding: Rounding::default(),
            rounding_scope: RoundingScope::default(),
            minimum_order: None,
            exclude: ExcludeConfig::default(),
            rules: Vec::new(),
            stacking: None,
            limits: LimitsConfig::default(),
        }
    }
}

/// Whether an award's parts are rounded over the order or line by line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RoundingScope {
    /// Each part (base, each multiplier) is rounded once, over the order.
    #[default]
    Order,
    /// Each part is rounded on each line, then added up.
    Line,
}

/// How multipliers combine when several apply to the same line. Worked for
/// ×2 and ×1.5 on a 10-point line:
///
/// | policy | factor | points |
/// | --- | --- | --- |
/// | `multiply` | 2 × 1.5 = 3 | 30 |
/// | `add` | 1 + (2 − 1) + (1.5 − 1) = 2.5 | 25 |
/// | `highest` | 2 | 20 |
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Stacking {
    /// The factors multiply.
    Multiply,
    /// The extra parts add up: 1 + Σ (factor − 1).
    Add,
    /// Only the highest factor counts.
    Highest,
}

/// What does not earn points. The part of an order paid with points never
/// earns, whatever this says.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct ExcludeConfig {
    /// Shipping does not earn.
    #[serde(default)]
    pub shipping: bool,
    /// Tax does not earn.
    #[serde(default)]
    pub tax: bool,
    /// The part paid with gift cards does not earn.
    #[serde(default)]
    pub gift_cards: bool,
    /// Lines of these categories do not earn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Lines of these SKUs do not earn.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
}

/// A multiplier and/or a bonus per item for lines of chosen categories or
/// SKUs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EarnRuleConfig {
    /// Unique id, used in receipts.
    pub id: String,
    /// A name for people; defaults to the id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Lines of any of these categories match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub categories: Vec<String>,
    /// Lines of any of these SKUs match.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skus: Vec<String>,
    /// Multiplies the points of matching lines (1 to 100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub multiplier: Option<Decimal>,
    /// Points per matching item (per unit of quantity).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bonus_per_item: Option<i64>,
}

impl EarnRuleConfig {
    /// A rule for lines of `categories`; give it a multiplier or a bonus.
    pub fn categories<S: Into<String>>(
        id: impl Into<String>,
        categories: impl IntoIterator<Item = S>,
    ) -> EarnRuleConfig {
        EarnRuleConfig {
            id: id.into(),
            name: None,
            categories: categories.into_iter().map(Into::into).collect(),
            skus: Vec::new(),
            multiplier: None,
            bonus_per_item: None,
        }
    }

    /// A rule for lines of `skus`; give it a multiplier or a bonus.
    pub fn skus<S: Into<String>>(
        id: impl Into<String>,
        skus: impl IntoIterator<Item = S>,
    ) -> EarnRuleConfig {
        EarnRuleConfig {
            skus: skus.into_iter().map(Into::into).collect(),
            ..EarnRuleConfig::categories(id, Vec::<String>::new())
        }
    }

    /// Sets the name shown to people.
    pub fn name(mut self, name: impl Into<String>) -> EarnRuleConfig {
        self.name = Some(name.into());
        self
    }

    /// Multiplies the points of matching lines.
    pub fn multiplier(mut self, multiplier: Decimal) -> EarnRuleConfig {
        self.multiplier = Some(multiplier);
        self
    }

    /// Adds points per matching item.
    pub fn bonus_per_item(mut self, points: i64) -> EarnRuleConfig {
        self.bonus_per_item = Some(points);
        self
    }
}

/// Caps on earning.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct LimitsConfig {
    /// At most this many points per order, bonuses included.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_per_order: Option<i64>,
    /// At most this many points per member per calendar period, from
    /// purchases and bonuses, counted when awarded: a later clawback does
    /// not give the allowance back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_per_period: Option<PeriodCap>,
    /// Earning stops once available and pending points reach this.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_balance: Option<i64>,
}

/// At most `points` per calendar `per`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct PeriodCap {
    /// The points.
    pub points: i64,
    /// The period.
    pub per: Period,
}

impl PeriodCap {
    /// At most `points` per `per`.
    pub fn new(points: i64, per: Period) -> PeriodCap {
        PeriodCap { points, per }
    }
}

/// A validated multiplier or per-item bonus rule.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ItemRule {
    pub(crate) id: RuleId,
    pub(crate) name: Name,
    pub(crate) categories: Vec<Category>,
    pub(crate) skus: Vec<Sku>,
    pub(crate) multiplier: Option<Decimal>,
    pub(crate) bonus_per_item: Option<Points>,
}

impl ItemRule {
    /// The rule's id.
    pub fn id(&self) -> &RuleId {
        &self.id
    }

    /// The name shown to people.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The name, to copy into an award's source without allocating.
    pub(crate) fn shared_name(&self) -> &Name {
        &self.name
    }

    /// Its multiplier, if any.
    pub fn multiplier(&self) -> Option<Decimal> {
        self.multiplier
    }

    /// Its points per item, if any.
    pub fn bonus_per_item(&self) -> Option<Points> {
        self.bonus_per_item
    }

    /// Whether `line` matches (by SKU or category).
    pub fn matches(&self, line: &crate::Line) -> bool {
        line.sku.as_ref().is_some_and(|s| self.skus.contains(s)) || line.in_any(&self.categories)
    }
}

/// What does not earn, validated.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Exclusions {
    /// Shipping does not earn.
    pub shipping: bool,
    /// Tax does not earn.
    pub tax: bool,
    /// The part paid with gift cards does not earn.
    pub gift_cards: bool,
    /// Lines of these categories do not earn.
    pub categories: Vec<Category>,
    /// Lines of these SKUs do not earn.
    pub skus: Vec<Sku>,
}

impl Exclusions {
    /// Whether `line` is excluded.
    pub fn excludes(&self, line: &crate::Line) -> bool {
        line.sku.as_ref().is_some_and(|s| self.skus.contains(s)) || line.in_any(&self.categories)
    }
}

/// Caps on earning, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub struct Limits {
    /// Points per order.
    pub per_order: Option<Points>,
    /// Points per member per calendar period.
    pub per_period: Option<(Points, Period)>,
    /// The balance (available + pending) earning stops at.
    pub balance: Option<Points>,
}

impl Limits {
    /// Whether these limits cap nothing: no points per order, per period
    /// or balance limit.
    pub(crate) fn cap_nothing(&self) -> bool {
        self.per_order.is_none() && self.per_period.is_none() && self.balance.is_none()
    }
}

impl EarnConfig {
    pub(crate) fn validate(&self, currency: Currency, problems: &mut Problems) -> Option<EarnRule> {
        let points_ok = problems.range("earn.points", self.points, 1, MAX_POINTS_PER);
        let per_ok = problems.positive("earn.per", self.per);
        let minimum_ok = problems.non_negative("earn.minimum_order", self.minimum_order);
        let categories =
            problems.ids::<Category>("earn.exclude.categories", &self.exclude.categories);
        let skus = problems.ids::<Sku>("earn.exclude.skus", &self.exclude.skus);
        let mut rules = Vec::with_capacity(self.rules.len());
        let mut rules_ok = true;
        for (i, r) in self.rules.iter().enumerate() {
            match r.validate(&format!("earn.rules[{i}]"), problems) {
                Some(rule) => rules.push(rule),
                None => rules_ok = false,
            }
        }
        problems.unique("earn.rules", self.rules.iter().map(|r| r.id.as_str()));
        let limits = self.limits.validate(problems);
        let (categories, skus, limits) = (categories?, skus?, limits?);
        (points_ok && per_ok && minimum_ok && rules_ok).then(|| EarnRule {
            rate: EarnRate {
                points: Points::new(self.points),
                per: Money::new(self.per, currency),
            },
            rounding: self.rounding,
            scope: self.rounding_scope,
            minimum_order: self.minimum_order.map(|m| Money::new(m, currency)),
            exclude: Exclusions {
                shipping: self.exclude.shipping,
                tax: self.exclude.tax,
                gift_cards: self.exclude.gift_cards,
                categories,
                skus,
            },
            rules,
            stacking: self.stacking,
            limits,
        })
    }
}

impl EarnRuleConfig {
    fn validate(&self, path: &str, problems: &mut Problems) -> Option<ItemRule> {
        let id = problems.id::<RuleId>(&format!("{path}.id"), &self.id);
        let categories = problems.ids::<Category>(&format!("{path}.categories"), &self.categories);
        let skus = problems.ids::<Sku>(&format!("{path}.skus"), &self.skus);
        if self.categories.is_empty() && self.skus.is_empty() {
            problems.push(
                format!("{path}.categories"),
                crate::ConfigRule::Required {
                    when: "skus is empty".to_owned(),
                },
            );
            return None;
        }
        if self.multiplier.is_none() && self.bonus_per_item.is_none() {
            problems.push(
                format!("{path}.multiplier"),
                crate::ConfigRule::Required {
                    when: "bonus_per_item is absent".to_owned(),
                },
            );
            return None;
        }
        let multiplier_ok = self
            .multiplier
            .is_none_or(|m| problems.multiplier(&format!("{path}.multiplier"), m));
        let bonus_ok = self.bonus_per_item.is_none_or(|b| {
            problems.range(&format!("{path}.bonus_per_item"), b, 1, MAX_POINTS_PER)
        });
        let (id, categories, skus) = (id?, categories?, skus?);
        (multiplier_ok && bonus_ok).then(|| ItemRule {
            name: Name::new(self.name.as_deref().unwrap_or(id.as_str())),
            id,
            categories,
            skus,
            multiplier: self.multiplier,
            bonus_per_item: self.bonus_per_item.map(Points::new),
        })
    }
}

impl LimitsConfig {
    fn validate(&self, problems: &mut Problems) -> Option<Limits> {
        let mut ok = true;
        let mut cap = |path: &str, value: Option<i64>, problems: &mut Problems| {
            value.and_then(|v| {
                let valid = problems.range(path, v, 1, MAX_BONUS);
                ok &= valid;
                valid.then_some(Points::new(v))
            })
        };
        let per_order = cap(
            "earn.limits.maximum_per_order",
            self.maximum_per_order,
            problems,
        );
        let per_period = self.maximum_per_period.and_then(|p| {
            cap(
                "earn.limits.maximum_per_period.points",
                Some(p.points),
                problems,
            )
            .map(|points| (points, p.per))
        });
        let balance = cap(
            "earn.limits.maximum_balance",
            self.maximum_balance,
            problems,
        );
        ok.then_some(Limits {
            per_order,
            per_period,
            balance,
        })
    }
}

/// Points per amount: "1 point per 1.00 EUR".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EarnRate {
    /// Points earned per `per`.
    pub points: Points,
    /// The amount that earns `points`.
    pub per: Money,
}

impl EarnRate {
    /// Points per one unit of the currency, such as `1` for "1 point per
    /// 1.00 EUR" or `0.1` for "1 point per 10.00 EUR".
    pub fn per_unit(&self) -> Decimal {
        Decimal::from(self.points.value())
            .checked_div(self.per.amount())
            .unwrap_or(Decimal::ZERO)
    }
}

impl fmt::Display for EarnRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", PointsNoun(self.points), self.per)
    }
}

/// The validated earn rule of a [`Program`](crate::Program).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct EarnRule {
    rate: EarnRate,
    rounding: Rounding,
    scope: RoundingScope,
    minimum_order: Option<Money>,
    exclude: Exclusions,
    rules: Vec<ItemRule>,
    stacking: Option<Stacking>,
    limits: Limits,
}

impl EarnRule {
    /// Points per amount.
    pub fn rate(&self) -> EarnRate {
        self.rate
    }

    /// How fractional points are rounded.
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    /// Whether parts are rounded over the order or line by line.
    pub fn rounding_scope(&self) -> RoundingScope {
        self.scope
    }

    /// The smallest order that earns points, if any.
    pub fn minimum_order(&self) -> Option<Money> {
        self.minimum_order
    }

    /// What does not earn.
    pub fn exclusions(&self) -> &Exclusions {
        &self.exclude
    }

    /// Multiplier and per-item bonus rules, in configuration order.
    pub fn rules(&self) -> &[ItemRule] {
        &self.rules
    }

    /// How multipliers combine; `None` when at most one is configured.
    pub fn stacking(&self) -> Option<Stacking> {
        self.stacking
    }

    /// Caps on earning.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// How many multipliers the rules configure.
    pub(crate) fn multiplier_count(&self) -> usize {
        self.rules.iter().filter(|r| r.multiplier.is_some()).count()
    }
}

/// What an award earned and why: the total and one line per part.
///
/// Its `Display` is the sentence a support agent reads out when asked "why
/// did I get 85 points?":
/// `85 = 57 base (floor(57.40 EUR × 1 point per 1.00 EUR)) + 28 Shoes ×1.5 on 57.40 EUR`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Earning {
    /// The points earned.
    pub points: Points,
    /// How each part was computed; the parts add up to `points`.
    pub lines: EarnLines,
}

/// Where an award's part comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EarnSource {
    /// A multiplier or per-item rule of the program.
    Rule {
        /// The rule's id.
        id: RuleId,
        /// Its name.
        name: Name,
    },
    /// A campaign.
    Campaign {
        /// The campaign's id.
        id: RuleId,
        /// Its name.
        name: Name,
    },
    /// The member's birthday month.
    BirthdayMonth,
    /// The member's first order.
    FirstPurchase,
    /// Joining the program.
    SignUp,
    /// The member's birthday.
    Birthday,
    /// A custom action.
    Action {
        /// The action's id.
        id: ActionId,
        /// Its name.
        name: Name,
    },
    /// The member's tier.
    Tier {
        /// The tier's id.
        id: TierId,
        /// Its name.
        name: Name,
    },
}

impl fmt::Display for EarnSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EarnSource::Rule { name, .. }
            | EarnSource::Campaign { name, .. }
            | EarnSource::Action { name, .. }
            | EarnSource::Tier { name, .. } => f.write_str(name),
            EarnSource::BirthdayMonth => f.write_str("birthday month"),
            EarnSource::FirstPurchase => f.write_str("first purchase"),
            EarnSource::SignUp => f.write_str("sign-up"),
            EarnSource::Birthday => f.write_str("birthday"),
        }
    }
}

/// A cap that cut an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "cap", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Cap {
    /// Points per order.
    PerOrder,
    /// Points per member per calendar period.
    PerPeriod {
        /// The period.
        period: Period,
    },
    /// The maximum balance.
    Balance,
}

/// One part of an [`Earning`].
///
/// Explanation lines are read tolerantly (unknown fields are ignored): they
/// carry no balance, and the sources and caps they name are flattened into
/// them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EarnLine {
    /// The base rate on the eligible amount.
    Base {
        /// The amount that earned points.
        eligible: Money,
        /// The rate applied.
        rate: EarnRate,
        /// The rounding applied.
        rounding: Rounding,
        /// The points this part gives.
        points: Points,
    },
    /// The extra points a multiplier gives.
    Multiplier {
        /// Where the multiplier comes from.
        #[serde(flatten)]
        source: EarnSource,
        /// The multiplier.
        factor: Decimal,
        /// The eligible amount it applied to.
        on: Money,
        /// The extra points.
        points: Points,
    },
    /// Points per matching item.
    ItemBonus {
        /// The rule.
        #[serde(flatten)]
        source: EarnSource,
        /// Matching items.
        items: u64,
        /// Points per item.
        per_item: Points,
        /// The points this part gives.
        points: Points,
    },
    /// A fixed bonus: first purchase, a campaign's bonus, sign-up,
    /// birthday, an action.
    Bonus {
        /// Where it comes from.
        #[serde(flatten)]
        source: EarnSource,
        /// The points.
        points: Points,
    },
    /// The order was below the minimum that earns points.
    BelowMinimum {
        /// The order amount.
        amount: Money,
        /// The minimum order that earns.
        minimum: Money,
    },
    /// A limit cut the award (negative points).
    Capped {
        /// Which limit.
        #[serde(flatten)]
        cap: Cap,
        /// The limit's points.
        limit: Points,
        /// The points cut (negative).
        points: Points,
    },
}

impl EarnLine {
    /// The points this part contributes.
    pub fn points(&self) -> Points {
        match self {
            EarnLine::Base { points, .. }
            | EarnLine::Multiplier { points, .. }
            | EarnLine::ItemBonus { points, .. }
            | EarnLine::Bonus { points, .. }
            | EarnLine::Capped { points, .. } => *points,
            EarnLine::BelowMinimum { .. } => Points::ZERO,
        }
    }
}

impl fmt::Display for EarnLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EarnLine::Base {
                eligible,
                rate,
                rounding,
                ..
            } => write!(f, "{rounding}({eligible} × {rate})"),
            EarnLine::Multiplier {
                source, factor, on, ..
            } => write!(f, "{source} ×{} on {on}", factor.normalize()),
            EarnLine::ItemBonus {
                source,
                items,
                per_item,
                ..
            } => write!(f, "{source}: {items} × {per_item}"),
            EarnLine::Bonus { source, .. } => write!(f, "{source}"),
            EarnLine::BelowMinimum { amount, minimum } => {
                write!(f, "{amount} is below the {minimum} minimum order to earn")
            }
            EarnLine::Capped { cap, limit, .. } => match cap {
                Cap::PerOrder => write!(f, "capped at {limit} points per order"),
                Cap::PerPeriod { period } => write!(f, "capped at {limit} points per {period}"),
                Cap::Balance => write!(f, "capped at the {limit}-point maximum balance"),
            },
        }
    }
}

impl fmt::Display for Earning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lines.as_slice() {
            [] => write!(f, "{}", self.points),
            [line @ EarnLine::BelowMinimum { .. }] => write!(f, "{}: {line}", self.points),
            [line @ EarnLine::Base { .. }] => write!(f, "{} = {line}", self.points),
            [line @ EarnLine::Bonus { .. }] => write!(f, "{} for {line}", self.points),
            lines => {
                write!(f, "{} =", self.points)?;
                for (i, line) in lines.iter().enumerate() {
                    let points = line.points().value();
                    let sign = match (i, points < 0) {
                        (0, false) => "",
                        (0, true) => " −",
                        (_, false) => " +",
                        (_, true) => " −",
                    };
                    let magnitude = points.saturating_abs();
                    match line {
                        EarnLine::Base { .. } => write!(f, "{sign} {magnitude} base ({line})")?,
                        _ => write!(f, "{sign} {magnitude} {line}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur(s: &str) -> Money {
        Money::new(s.parse().unwrap(), Currency::EUR)
    }

    #[test]
    fn explanations_list_each_part() {
        let rate = EarnRate {
            points: Points::new(1),
            per: eur("1.00"),
        };
        let earning = Earning {
            points: Points::new(85),
            lines: vec![
                EarnLine::Base {
                    eligible: eur("57.40"),
                    rate,
                    rounding: Rounding::Floor,
                    points: Points::new(57),
                },
                EarnLine::Multiplier {
                    source: EarnSource::Rule {
                        id: "shoes".parse().unwrap(),
                        name: "Shoes".into(),
                    },
                    factor: "1.50".parse().unwrap(),
                    on: eur("57.40"),
                    points: Points::new(28),
                },
                EarnLine::Bonus {
                    source: EarnSource::FirstPurchase,
                    points: Points::new(50),
                },
                EarnLine::Capped {
                    cap: Cap::PerOrder,
                    limit: Points::new(85),
                    points: Points::new(-50),
                },
            ]
            .into(),
        };
        assert_eq!(
            earning.to_string(),
            "85 = 57 base (floor(57.40 EUR × 1 point per 1.00 EUR)) + 28 Shoes ×1.5 on 57.40 EUR \
             + 50 first purchase − 50 capped at 85 points per order"
        );
        let json = serde_json::to_string(&earning.lines[1]).unwrap();
        assert_eq!(
            json,
            r#"{"rule":"multiplier","source":"rule","id":"shoes","name":"Shoes","factor":"1.50","on":"57.40 EUR","points":28}"#
        );
        assert_eq!(
            serde_json::from_str::<EarnLine>(&json).unwrap(),
            earning.lines[1]
        );
    }

    #[test]
    fn a_rate_per_currency_unit() {
        let rate = EarnRate {
            points: Points::new(1),
            per: eur("10.00"),
        };
        assert_eq!(rate.per_unit(), "0.1".parse().unwrap());
    }
}
