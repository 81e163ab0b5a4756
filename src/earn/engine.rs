//! The earn computation: eligible parts of an order, multipliers, bonuses,
//! caps — every part explained.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{
    Cap, EarnLine, EarnLines, EarnRate, EarnSource, Earning, ItemRule, RoundingScope, Stacking,
};
use crate::cart::{DiscountTarget, allocate};
use crate::earn::{Birthday, CampaignEffect};
use crate::money::compare_decimals;
use crate::{Cart, CartError, Category, Error, Few, Line, Money, Points, Program, Rounding, Tier};

/// What the earn rules look at for one purchase.
pub(crate) struct PurchaseFacts<'a> {
    /// What the customer paid, not counting points.
    pub(crate) amount: Money,
    /// The order's detail, when the host sent it.
    pub(crate) cart: Option<&'a Cart>,
    /// The discounts paid with points (from linked redemptions) and what
    /// each applied to.
    pub(crate) discounts: &'a [(DiscountTarget, Money)],
    pub(crate) at: DateTime<Utc>,
    /// The member has no earlier order.
    pub(crate) first_purchase: bool,
    /// `at` falls in the member's birthday month.
    pub(crate) birthday_month: bool,
    /// Points the member earned so far in the current capped period.
    pub(crate) earned_in_period: Points,
    /// The member's available and pending points now.
    pub(crate) held: Points,
    /// The member's tier, whose multiplier applies.
    pub(crate) tier: Option<&'a crate::Tier>,
}

/// A part of the order that may earn: a line, shipping, tax, or the whole
/// amount when no detail was sent.
struct Part<'c> {
    line: Option<&'c Line>,
    amount: Decimal,
}

/// An order's earning parts: the whole amount when the host sent no cart
/// (held in place: the common purchase allocates no list), or the cart's
/// lines, shipping and tax.
enum Parts<'c> {
    Whole(Part<'c>),
    Cart(Vec<Part<'c>>),
}

impl<'c> Parts<'c> {
    fn iter(&self) -> std::slice::Iter<'_, Part<'c>> {
        match self {
            Parts::Whole(part) => std::slice::from_ref(part).iter(),
            Parts::Cart(parts) => parts.iter(),
        }
    }
}

/// A multiplier that may apply to parts.
#[derive(Clone)]
struct Multiplier<'p> {
    source: EarnSource,
    factor: Decimal,
    matcher: Matcher<'p>,
}

#[derive(Clone)]
enum Matcher<'p> {
    Rule(&'p ItemRule),
    /// Lines of these categories; every part when empty.
    Categories(&'p [Category]),
    All,
}

impl Matcher<'_> {
    fn matches(&self, part: &Part<'_>) -> bool {
        match self {
            Matcher::Rule(rule) => part.line.is_some_and(|l| rule.matches(l)),
            Matcher::Categories([]) | Matcher::All => true,
            Matcher::Categories(categories) => part.line.is_some_and(|l| l.in_any(categories)),
        }
    }
}

/// Running total of one part of the award.
#[derive(Clone, Default)]
struct Tally {
    numerator: Decimal,
    points: Points,
    on: Decimal,
    matched: bool,
}

/// What a purchase earns under `program`, explained part by part.
///
/// Most purchases earn at the base rate alone, or at the base rate and
/// the member's tier: those are worked out directly
/// ([`at_the_base_rate`]), every other one part by part
/// ([`earn_in_full`]).
pub(crate) fn earn_purchase(
    program: &Program,
    facts: &PurchaseFacts<'_>,
) -> Result<Earning, Error> {
    at_the_base_rate(program, facts).unwrap_or_else(|| earn_in_full(program, facts))
}

/// What a purchase earns when nothing but the base rate and the member's
/// tier can apply to it: an order sent without its cart (per-item rules
/// match a cart's lines, so they add nothing to it), of a positive amount
/// (or zero) that meets the minimum order, under a program without caps,
/// when no campaign applies (none runs at its time, or its minimum order
/// is not met), by a member for whom neither a birthday-month multiplier
/// nor a first-purchase bonus applies. `None` for any other purchase.
///
/// Its lines are the ones [`earn_in_full`] gives such a purchase, found
/// without the tallies and caps it has no use for: the base line, the
/// amount times the rate's points, divided by the rate's amount and
/// rounded by the program's rule; and when the member's tier multiplies
/// by other than one, the tier's line, the same numerator times the
/// factor less one, divided and rounded alike (one multiplier on one
/// part gives that extra however multipliers stack, and rounding by line
/// or over the order is the same for one part). A property test holds
/// the two ways to the same award, or the same error, for every program
/// and purchase.
fn at_the_base_rate(
    program: &Program,
    facts: &PurchaseFacts<'_>,
) -> Option<Result<Earning, Error>> {
    let rule = program.earn();
    let amount = facts.amount.amount();
    let bonuses = program.bonuses();
    let base_only = facts.cart.is_none()
        && !amount.is_sign_negative()
        && rule.limits().cap_nothing()
        && rule
            .minimum_order()
            .is_none_or(|minimum| amount >= minimum.amount())
        && !(facts.first_purchase && bonuses.first_purchase().is_some())
        && !(facts.birthday_month && matches!(bonuses.birthday(), Some(Birthday::Multiplier(_))))
        && (program.campaigns().is_empty() || no_campaign_applies(program, facts));
    if !base_only {
        return None;
    }
    let rate = rule.rate();
    let rounding = rule.rounding();
    let out_of_range = || Error::AmountOutOfRange {
        amount: facts.amount,
    };
    let points = rounding
        .divide_product(amount, rate.points.value(), Decimal::ONE, rate.per.amount())
        .map_err(|_| out_of_range());
    if let Some(tier) = facts.tier
        && compare_decimals(tier.multiplier(), Decimal::ONE).is_ne()
    {
        return Some(points.and_then(|base| by_the_tier(facts.amount, rate, rounding, base, tier)));
    }
    Some(points.map(|points| {
        Earning {
            points,
            lines: EarnLine::Base {
                eligible: facts.amount,
                rate,
                rounding,
                points,
            }
            .into(),
        }
    }))
}

/// The award of `amount` at `rate`, whose base line came to `base`
/// points, with the line `tier` adds: the amount times the rate's points
/// and the tier's factor less one, divided by the rate's amount and
/// rounded as the base line was.
fn by_the_tier(
    amount: Money,
    rate: EarnRate,
    rounding: Rounding,
    base: Points,
    tier: &Tier,
) -> Result<Earning, Error> {
    let out_of_range = || Error::AmountOutOfRange { amount };
    let factor = tier.multiplier();
    let less_one = factor.checked_sub(Decimal::ONE).ok_or_else(out_of_range)?;
    let points = rounding
        .divide_product(
            amount.amount(),
            rate.points.value(),
            less_one,
            rate.per.amount(),
        )
        .map_err(|_| out_of_range())?;
    let mut lines = EarnLines::from(EarnLine::Base {
        eligible: amount,
        rate,
        rounding,
        points: base,
    });
    lines.push(EarnLine::Multiplier {
        source: EarnSource::Tier {
            id: tier.id().clone(),
            name: tier.shared_name().clone(),
        },
        factor,
        on: amount,
        points,
    });
    Ok(Earning {
        points: base.checked_add(points)?,
        lines,
    })
}

/// Whether none of the program's campaigns applies to the purchase: none
/// runs at its time, or it does not meet the campaign's minimum order.
fn no_campaign_applies(program: &Program, facts: &PurchaseFacts<'_>) -> bool {
    let offset = program.utc_offset();
    !program
        .campaigns()
        .iter()
        .any(|c| c.applies(facts.at, offset, facts.amount))
}

/// What a purchase earns under `program`, worked out part by part: the
/// eligible parts of its cart, each multiplier that matches each part,
/// per-item and fixed bonuses, then the caps.
fn earn_in_full(program: &Program, facts: &PurchaseFacts<'_>) -> Result<Earning, Error> {
    let rule = program.earn();
    if let Some(minimum) = rule.minimum_order()
        && facts.amount.amount() < minimum.amount()
    {
        return Ok(Earning {
            points: Points::ZERO,
            lines: EarnLine::BelowMinimum {
                amount: facts.amount,
                minimum,
            }
            .into(),
        });
    }
    let out_of_range = || Error::AmountOutOfRange {
        amount: facts.amount,
    };
    let parts = eligible_parts(program, facts)?;
    let multipliers = multipliers(program, facts);
    let stacking = rule.stacking().unwrap_or(Stacking::Multiply);
    let rate = rule.rate();
    let per = rate.per.amount();
    let rate_points = Decimal::from(rate.points.value());
    let rounding = rule.rounding();
    let by_line = rule.rounding_scope() == RoundingScope::Line;

    let mut base = Tally::default();
    // A purchase meets a multiplier or two at most (its tier, a campaign):
    // these lists hold the first in place, so the common one allocates
    // nothing.
    let mut extra: Few<Tally> = multipliers.iter().map(|_| Tally::default()).collect();
    // The base tally's lines count once (`None`): their numerator is not
    // multiplied again by one.
    let add =
        |tally: &mut Tally, amount: Decimal, coefficient: Option<Decimal>| -> Result<(), Error> {
            let numerator = amount
                .checked_mul(rate_points)
                .and_then(|n| coefficient.map_or(Some(n), |c| n.checked_mul(c)))
                .ok_or_else(out_of_range)?;
            if by_line {
                let points = rounding
                    .divide(numerator, per)
                    .map_err(|_| out_of_range())?;
                tally.points = tally.points.checked_add(points)?;
            } else {
                tally.numerator = tally
                    .numerator
                    .checked_add(numerator)
                    .ok_or_else(out_of_range)?;
            }
            tally.on = tally.on.checked_add(amount).ok_or_else(out_of_range)?;
            tally.matched = true;
            Ok(())
        };
    for part in parts.iter() {
        add(&mut base, part.amount, None)?;
        if multipliers.is_empty() {
            continue;
        }
        let matched: Few<(usize, Decimal)> = multipliers
            .iter()
            .enumerate()
            .filter(|(_, m)| m.matcher.matches(part))
            .map(|(i, m)| (i, m.factor))
            .collect();
        for (i, coefficient) in coefficients(&matched, stacking).ok_or_else(out_of_range)? {
            if let Some(tally) = extra.get_mut(i) {
                add(tally, part.amount, Some(coefficient))?;
            }
        }
    }
    let settle = |tally: &Tally| -> Result<Points, Error> {
        if by_line {
            Ok(tally.points)
        } else {
            rounding
                .divide(tally.numerator, per)
                .map_err(|_| out_of_range())
        }
    };
    let currency = facts.amount.currency();
    let mut lines = EarnLines::from(EarnLine::Base {
        eligible: Money::new(base.on, currency),
        rate,
        rounding,
        points: settle(&base)?,
    });
    for (m, tally) in multipliers.iter().zip(&extra) {
        if tally.matched {
            lines.push(EarnLine::Multiplier {
                source: m.source.clone(),
                factor: m.factor,
                on: Money::new(tally.on, currency),
                points: settle(tally)?,
            });
        }
    }
    for r in rule.rules() {
        let Some(per_item) = r.bonus_per_item() else {
            continue;
        };
        let items = parts
            .iter()
            .filter_map(|p| p.line.filter(|l| r.matches(l)))
            .map(|l| u64::from(l.quantity))
            .fold(0_u64, u64::saturating_add);
        if items > 0 {
            let count = i64::try_from(items).map_err(|_| out_of_range())?;
            lines.push(EarnLine::ItemBonus {
                source: EarnSource::Rule {
                    id: r.id().clone(),
                    name: r.shared_name().clone(),
                },
                items,
                per_item,
                points: per_item.checked_mul(count)?,
            });
        }
    }
    if facts.first_purchase
        && let Some(points) = program.bonuses().first_purchase()
    {
        lines.push(EarnLine::Bonus {
            source: EarnSource::FirstPurchase,
            points,
        });
    }
    for c in program.campaigns() {
        let CampaignEffect::Bonus(points) = c.effect() else {
            continue;
        };
        let categories_met = c.categories().is_empty()
            || parts
                .iter()
                .any(|p| p.line.is_some_and(|l| l.in_any(c.categories())));
        if categories_met && c.applies(facts.at, program.utc_offset(), facts.amount) {
            lines.push(EarnLine::Bonus {
                source: EarnSource::Campaign {
                    id: c.id().clone(),
                    name: c.shared_name().clone(),
                },
                points,
            });
        }
    }
    capped(program, lines, true, facts.earned_in_period, facts.held)
}

/// What a bonus (sign-up, birthday, action) of `points` awards, after the
/// program's period and balance caps.
pub(crate) fn bonus_earning(
    program: &Program,
    source: EarnSource,
    points: Points,
    earned_in_period: Points,
    held: Points,
) -> Result<Earning, Error> {
    let lines = EarnLines::from(EarnLine::Bonus { source, points });
    capped(program, lines, false, earned_in_period, held)
}

/// Adds up `lines` and applies the caps, each as its own negative line.
fn capped(
    program: &Program,
    mut lines: EarnLines,
    per_order: bool,
    earned_in_period: Points,
    held: Points,
) -> Result<Earning, Error> {
    let mut total = Points::checked_sum(lines.iter().map(EarnLine::points))?;
    let limits = program.earn().limits();
    let mut cut = |cap: super::Cap, limit: Points, allowance: Points, total: &mut Points| {
        let allowance = allowance.max(Points::ZERO);
        if *total > allowance {
            let points = allowance.checked_sub(*total)?;
            lines.push(EarnLine::Capped { cap, limit, points });
            *total = allowance;
        }
        Ok::<(), crate::PointsOverflow>(())
    };
    if per_order && let Some(limit) = limits.per_order {
        cut(Cap::PerOrder, limit, limit, &mut total)?;
    }
    if let Some((limit, period)) = limits.per_period {
        cut(
            Cap::PerPeriod { period },
            limit,
            limit.checked_sub(earned_in_period)?,
            &mut total,
        )?;
    }
    if let Some(limit) = limits.balance {
        cut(Cap::Balance, limit, limit.checked_sub(held)?, &mut total)?;
    }
    Ok(Earning {
        points: total,
        lines,
    })
}

/// The multipliers that can apply to this purchase, in explanation order:
/// rules, then running campaigns, then the birthday month, then the tier.
fn multipliers<'p>(program: &'p Program, facts: &PurchaseFacts<'_>) -> Few<Multiplier<'p>> {
    let mut out = Few::new();
    for r in program.earn().rules() {
        if let Some(factor) = r.multiplier() {
            out.push(Multiplier {
                source: EarnSource::Rule {
                    id: r.id().clone(),
                    name: r.shared_name().clone(),
                },
                factor,
                matcher: Matcher::Rule(r),
            });
        }
    }
    for c in program.campaigns() {
        if let CampaignEffect::Multiplier(factor) = c.effect()
            && c.applies(facts.at, program.utc_offset(), facts.amount)
        {
            out.push(Multiplier {
                source: EarnSource::Campaign {
                    id: c.id().clone(),
                    name: c.shared_name().clone(),
                },
                factor,
                matcher: Matcher::Categories(c.categories()),
            });
        }
    }
    if facts.birthday_month
        && let Some(Birthday::Multiplier(factor)) = program.bonuses().birthday()
    {
        out.push(Multiplier {
            source: EarnSource::BirthdayMonth,
            factor,
            matcher: Matcher::All,
        });
    }
    if let Some(tier) = facts.tier
        && compare_decimals(tier.multiplier(), Decimal::ONE).is_ne()
    {
        out.push(Multiplier {
            source: EarnSource::Tier {
                id: tier.id().clone(),
                name: tier.shared_name().clone(),
            },
            factor: tier.multiplier(),
            matcher: Matcher::All,
        });
    }
    out
}

/// The extra each matched multiplier gives, as a multiple of the base, under
/// `stacking`: multiply gives the j-th `Π(earlier) × (m_j − 1)`, add gives
/// `m_j − 1`, highest gives `m − 1` to the first highest only.
fn coefficients(matched: &[(usize, Decimal)], stacking: Stacking) -> Option<Few<(usize, Decimal)>> {
    let minus_one = |m: Decimal| m.checked_sub(Decimal::ONE);
    match stacking {
        Stacking::Multiply => {
            let mut running = Decimal::ONE;
            let mut out = Few::new();
            for (i, m) in matched {
                out.push((*i, running.checked_mul(minus_one(*m)?)?));
                running = running.checked_mul(*m)?;
            }
            Some(out)
        }
        Stacking::Add => matched
            .iter()
            .map(|(i, m)| Some((*i, minus_one(*m)?)))
            .collect(),
        Stacking::Highest => {
            let best = matched
                .iter()
                .fold(None::<(usize, Decimal)>, |best, (i, m)| match best {
                    Some((_, b)) if b >= *m => best,
                    _ => Some((*i, *m)),
                });
            Some(
                best.into_iter()
                    .map(|(i, m)| Some((i, minus_one(m)?)))
                    .collect::<Option<Few<_>>>()?,
            )
        }
    }
}

/// The order's parts that earn, each with the amount it earns on: what was
/// paid for it, less its share of the discounts paid with points and, when
/// the program excludes them, of the gift-card payment.
fn eligible_parts<'c>(program: &Program, facts: &PurchaseFacts<'c>) -> Result<Parts<'c>, Error> {
    let Some(cart) = facts.cart else {
        return Ok(Parts::Whole(Part {
            line: None,
            amount: facts.amount.amount(),
        }));
    };
    let checked = cart.check()?;
    program.check_currency(&checked.total)?;
    let currency = checked.currency;
    let cart_error = |_| Error::InvalidCart(CartError::Overflow);
    let mut points_discount = Decimal::ZERO;
    let mut scale = currency.minor_units();
    for (_, d) in facts.discounts {
        program.check_currency(d)?;
        points_discount = points_discount
            .checked_add(d.amount())
            .ok_or(CartError::Overflow)
            .map_err(cart_error)?;
        scale = scale.max(d.amount().scale());
    }
    let expected = checked
        .total
        .amount()
        .checked_sub(points_discount)
        .ok_or(CartError::Overflow)
        .map_err(cart_error)?;
    if expected != facts.amount.amount() {
        return Err(Error::CartMismatch {
            amount: facts.amount,
            cart_total: checked.total,
            points_discount: Money::new(points_discount, currency),
        });
    }
    if checked.gift_card > facts.amount.amount() {
        return Err(Error::InvalidCart(CartError::GiftCardExceedsTotal {
            gift_card: Money::new(checked.gift_card, currency),
            total: facts.amount,
        }));
    }

    // Amounts by part: the lines, then shipping, then tax.
    let lines = cart.lines.len();
    let shipping = lines;
    let tax = lines.saturating_add(1);
    let mut amounts: Vec<Decimal> = checked.lines.clone();
    amounts.push(checked.shipping);
    amounts.push(checked.tax);
    let everything: Vec<usize> = (0..amounts.len()).collect();
    for (target, discount) in facts.discounts {
        let targets: Vec<usize> = match target {
            DiscountTarget::Nothing => continue,
            DiscountTarget::Shipping => vec![shipping],
            DiscountTarget::Lines { categories } if categories.is_empty() => (0..lines).collect(),
            DiscountTarget::Lines { categories } => cart
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.in_any(categories))
                .map(|(i, _)| i)
                .collect(),
            DiscountTarget::Product { sku } => cart
                .lines
                .iter()
                .enumerate()
                .filter(|(_, l)| l.sku.as_ref() == Some(sku))
                .map(|(i, _)| i)
                .collect(),
        };
        let room = total_of(&amounts, &targets)?;
        let targets = if targets.is_empty() || room < discount.amount() {
            &everything
        } else {
            &targets
        };
        reduce(&mut amounts, targets, discount.amount(), scale)?;
    }
    let exclude = program.earn().exclusions();
    if exclude.gift_cards && !checked.gift_card.is_zero() {
        reduce(&mut amounts, &everything, checked.gift_card, scale)?;
    }
    let mut parts = Vec::with_capacity(amounts.len());
    for (i, amount) in amounts.into_iter().enumerate() {
        let line = cart.lines.get(i);
        let eligible = match line {
            Some(l) => !exclude.excludes(l),
            None if i == shipping => !exclude.shipping,
            None if i == tax => !exclude.tax,
            None => false,
        };
        if eligible {
            parts.push(Part { line, amount });
        }
    }
    Ok(Parts::Cart(parts))
}

fn total_of(amounts: &[Decimal], targets: &[usize]) -> Result<Decimal, Error> {
    targets
        .iter()
        .filter_map(|i| amounts.get(*i))
        .try_fold(Decimal::ZERO, |a, b| a.checked_add(*b))
        .ok_or(Error::InvalidCart(CartError::Overflow))
}

/// Takes `amount` off the `targets`, in proportion to what they hold.
fn reduce(
    amounts: &mut [Decimal],
    targets: &[usize],
    amount: Decimal,
    scale: u32,
) -> Result<(), Error> {
    // Nothing to take: every share would be zero, and a zero taken off
    // leaves each amount as it was, scale and all.
    if amount.is_zero() {
        return Ok(());
    }
    let overflow = || Error::InvalidCart(CartError::Overflow);
    let weights: Vec<Decimal> = targets
        .iter()
        .map(|i| amounts.get(*i).copied().unwrap_or_default())
        .collect();
    let shares = allocate(amount, &weights, scale).ok_or_else(overflow)?;
    for (i, share) in targets.iter().zip(shares) {
        if let Some(a) = amounts.get_mut(*i) {
            *a = a.checked_sub(share).ok_or_else(overflow)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn stacking_policies_give_the_documented_factors() {
        let matched = [(0, d("2")), (1, d("1.5"))];
        let total = |s| {
            coefficients(&matched, s)
                .unwrap()
                .iter()
                .fold(Decimal::ONE, |a, (_, c)| a + c)
        };
        assert_eq!(total(Stacking::Multiply), d("3"));
        assert_eq!(total(Stacking::Add), d("2.5"));
        assert_eq!(total(Stacking::Highest), d("2"));
        assert_eq!(
            coefficients(&matched, Stacking::Highest).unwrap(),
            [(0, d("1"))]
        );
    }

    /// A program's parts, as a merchant would write them, under a Bronze /
    /// Silver / Gold ladder by calendar-year spend whose Silver multiplies
    /// by one. The default is one point per euro, rounded down,
    /// multipliers stacking by multiplying, Gold multiplying by 1.5, and
    /// nothing else: name the parts a test changes.
    #[derive(Clone, Copy)]
    struct Parts<'a> {
        /// The earn rule's rate and rounding fields, as written in it.
        earn: &'a str,
        /// How multipliers stack.
        stacking: &'a str,
        /// The earn rule's minimum order.
        minimum: Option<&'a str>,
        /// One per-item rule.
        item_rule: Option<&'a str>,
        /// One campaign.
        campaign: Option<&'a str>,
        /// The earn rule's limits.
        limits: Option<&'a str>,
        /// The bonuses' fields, as written in them.
        bonuses: &'a str,
        /// Gold's multiplier.
        gold: &'a str,
    }

    impl Default for Parts<'_> {
        fn default() -> Self {
            Parts {
                earn: r#""points": 1, "per": "1.00""#,
                stacking: "multiply",
                minimum: None,
                item_rule: None,
                campaign: None,
                limits: None,
                bonuses: "",
                gold: "1.5",
            }
        }
    }

    impl Parts<'_> {
        /// The program, or why its configuration does not parse (the
        /// property test draws some that do not).
        fn program(self) -> Result<Program, serde_json::Error> {
            let Parts {
                earn,
                stacking,
                bonuses,
                gold,
                ..
            } = self;
            let minimum = self
                .minimum
                .map_or(String::new(), |m| format!(r#", "minimum_order": "{m}""#));
            let rules = self
                .item_rule
                .map_or(String::new(), |r| format!(r#", "rules": [{r}]"#));
            let limits = self
                .limits
                .map_or(String::new(), |l| format!(r#", "limits": {l}"#));
            let campaigns = self
                .campaign
                .map_or(String::new(), |c| format!(r#", "campaigns": [{c}]"#));
            serde_json::from_str(&format!(
                r#"{{"currency": "EUR",
                    "earn": {{{earn}, "stacking": "{stacking}"{minimum}{rules}{limits}}},
                    "bonuses": {{{bonuses}}}{campaigns},
                    "tiers": {{"metric": "spend", "window": "calendar_year",
                              "levels": [{{"id": "bronze", "threshold": "0"}},
                                         {{"id": "silver", "threshold": "500", "multiplier": "1.00"}},
                                         {{"id": "gold", "threshold": "1000", "multiplier": "{gold}"}}]}}}}"#
            ))
        }
    }

    fn facts<'a>(amount: &str) -> PurchaseFacts<'a> {
        PurchaseFacts {
            amount: amount.parse().unwrap(),
            cart: None,
            discounts: &[],
            at: "2026-06-13T12:00:00Z".parse().unwrap(),
            first_purchase: false,
            birthday_month: false,
            earned_in_period: Points::ZERO,
            held: Points::ZERO,
            tier: None,
        }
    }

    #[test]
    fn a_purchase_at_the_base_rate_and_its_tier_is_worked_out_directly() {
        let plain = Parts::default().program().unwrap();
        let tiers = plain.tiers().unwrap().levels();
        let mut buy = facts("57.40 EUR");
        let direct = at_the_base_rate(&plain, &buy).unwrap().unwrap();
        assert_eq!(
            direct.to_string(),
            "57 = floor(57.40 EUR × 1 point per 1.00 EUR)"
        );
        assert_eq!(direct, earn_in_full(&plain, &buy).unwrap());
        // A tier that multiplies by one adds nothing; a first purchase
        // and a birthday month under a program without their bonuses
        // neither.
        buy.tier = tiers.get(1);
        buy.first_purchase = true;
        buy.birthday_month = true;
        assert_eq!(at_the_base_rate(&plain, &buy), Some(Ok(direct)));
        // Gold multiplies by 1.5: its line is worked out directly too.
        buy.tier = tiers.get(2);
        let gold = at_the_base_rate(&plain, &buy).unwrap().unwrap();
        assert_eq!(
            gold.to_string(),
            "85 = 57 base (floor(57.40 EUR × 1 point per 1.00 EUR)) + 28 gold ×1.5 on 57.40 EUR"
        );
        assert_eq!(gold, earn_in_full(&plain, &buy).unwrap());
        // Points past what a balance holds are refused alike, whether the
        // base line or the two lines' sum overflows.
        let double = Parts {
            stacking: "add",
            gold: "2",
            ..Parts::default()
        }
        .program()
        .unwrap();
        let mut huge = facts("6000000000000000000.00 EUR");
        huge.tier = double.tiers().unwrap().levels().get(2);
        let refused = at_the_base_rate(&double, &huge).unwrap();
        assert!(
            matches!(refused, Err(Error::PointsOverflow(_))),
            "{refused:?}"
        );
        assert_eq!(refused, earn_in_full(&double, &huge));
        huge.amount = "60000000000000000000.00 EUR".parse().unwrap();
        let refused = at_the_base_rate(&double, &huge).unwrap();
        assert!(
            matches!(refused, Err(Error::AmountOutOfRange { .. })),
            "{refused:?}"
        );
        assert_eq!(refused, earn_in_full(&double, &huge));
        // A campaign applies only when it runs: Saturday's double points
        // send a Saturday's purchase the full way, and leave the Monday
        // after's to the direct one.
        let saturdays = Parts {
            campaign: Some(
                r#"{"id": "saturdays", "starts_at": "2026-01-01", "ends_at": "2027-01-01",
                    "days": ["saturday"], "multiplier": "2"}"#,
            ),
            ..Parts::default()
        }
        .program()
        .unwrap();
        let saturday = facts("57.40 EUR");
        assert!(at_the_base_rate(&saturdays, &saturday).is_none());
        let monday = PurchaseFacts {
            at: "2026-06-15T09:30:00Z".parse().unwrap(),
            ..facts("57.40 EUR")
        };
        let direct = at_the_base_rate(&saturdays, &monday).unwrap();
        assert_eq!(direct, earn_in_full(&saturdays, &monday));
        assert_eq!(
            direct.unwrap().to_string(),
            "57 = floor(57.40 EUR × 1 point per 1.00 EUR)"
        );
        // Per-item rules match a cart's lines: an order sent without its
        // cart earns at the base rate alone.
        let shoes = Parts {
            item_rule: Some(r#"{"id": "shoes", "categories": ["shoes"], "multiplier": "2"}"#),
            ..Parts::default()
        }
        .program()
        .unwrap();
        let plain_order = facts("57.40 EUR");
        assert_eq!(
            at_the_base_rate(&shoes, &plain_order).unwrap(),
            earn_in_full(&shoes, &plain_order)
        );
    }

    #[test]
    fn anything_beyond_the_base_rate_is_worked_out_in_full() {
        let programs = [
            Parts {
                minimum: Some("60.00"),
                ..Parts::default()
            },
            Parts {
                campaign: Some(
                    r#"{"id": "june", "starts_at": "2026-06-01", "ends_at": "2026-07-01",
                        "bonus": 10}"#,
                ),
                ..Parts::default()
            },
        ]
        .map(Parts::program);
        let capped = [
            r#"{"maximum_per_order": 500}"#,
            r#"{"maximum_per_period": {"points": 5000, "per": "month"}}"#,
            r#"{"maximum_balance": 5000}"#,
        ]
        .map(|limits| {
            Parts {
                limits: Some(limits),
                ..Parts::default()
            }
            .program()
        });
        for program in programs.into_iter().chain(capped) {
            let program = program.unwrap();
            assert!(at_the_base_rate(&program, &facts("57.40 EUR")).is_none());
        }
        let bonuses = Parts {
            bonuses: r#""first_purchase": 50, "birthday": {"mode": "multiplier", "multiplier": "2"}"#,
            ..Parts::default()
        }
        .program()
        .unwrap();
        let mut first = facts("57.40 EUR");
        assert!(at_the_base_rate(&bonuses, &first).is_some());
        first.first_purchase = true;
        assert!(at_the_base_rate(&bonuses, &first).is_none());
        let mut birthday = facts("57.40 EUR");
        birthday.birthday_month = true;
        assert!(at_the_base_rate(&bonuses, &birthday).is_none());
        // A negative amount, and zero written with a minus sign, are
        // worked out in full.
        let refund_like = facts("-57.40 EUR");
        assert!(at_the_base_rate(&bonuses, &refund_like).is_none());
        let mut minus_zero = Decimal::new(0, 2);
        minus_zero.set_sign_negative(true);
        let nothing = PurchaseFacts {
            amount: Money::new(minus_zero, bonuses.currency()),
            ..facts("0.00 EUR")
        };
        assert!(at_the_base_rate(&bonuses, &nothing).is_none());
        assert_eq!(
            earn_purchase(&bonuses, &nothing),
            earn_in_full(&bonuses, &nothing)
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1024))]
        /// Whatever the program and the purchase, the award (or the
        /// error) is the one worked out part by part: where the direct
        /// way answers, it answers alike, and it answers nothing it
        /// should leave to the full one.
        #[test]
        fn the_direct_award_is_the_award_in_full(
            rate in (1_i64..=1000, proptest::sample::select(vec![
                "1", "1.00", "10.00", "0.50", "2.5", "0.001", "7.77", "100",
            ])),
            rounding in proptest::sample::select(vec![
                "floor", "ceiling", "half_up", "half_down", "half_even",
            ]),
            by_line in proptest::bool::ANY,
            stacking in proptest::sample::select(vec!["multiply", "add", "highest"]),
            gold in proptest::sample::select(vec!["1.5", "1.25", "2", "3.333", "100", "1.0000001"]),
            minimum in proptest::option::weighted(0.2, proptest::sample::select(vec!["0", "10.00", "57.40", "60"])),
            item_rule in proptest::option::weighted(0.2, proptest::sample::select(vec![
                r#"{"id": "shoes", "categories": ["shoes"], "multiplier": "2"}"#,
                r#"{"id": "socks", "skus": ["SOCK"], "bonus_per_item": 5}"#,
                r#"{"id": "shirts", "categories": ["shirts"], "skus": ["TEE"], "multiplier": "3"}"#,
            ])),
            campaign in proptest::option::weighted(0.4, proptest::sample::select(vec![
                r#"{"id": "june", "starts_at": "2026-06-01", "ends_at": "2026-07-01", "multiplier": "2"}"#,
                r#"{"id": "later", "starts_at": "2027-06-01", "ends_at": "2027-07-01", "bonus": 10}"#,
                r#"{"id": "saturdays", "starts_at": "2026-01-01", "ends_at": "2027-01-01",
                    "days": ["saturday"], "multiplier": "2"}"#,
                r#"{"id": "big-orders", "starts_at": "2026-01-01", "ends_at": "2027-01-01",
                    "minimum_order": "50.00", "bonus": 10}"#,
                r#"{"id": "shoe-week", "starts_at": "2026-06-08", "ends_at": "2026-06-15",
                    "categories": ["shoes"], "multiplier": "3"}"#,
            ])),
            limits in proptest::option::weighted(0.2, proptest::sample::select(vec![
                r#"{"maximum_per_order": 100}"#,
                r#"{"maximum_per_period": {"points": 150, "per": "month"}}"#,
                r#"{"maximum_balance": 1000}"#,
            ])),
            bonuses in proptest::sample::select(vec![
                "",
                "",
                "",
                r#""first_purchase": 50"#,
                r#""birthday": {"mode": "multiplier", "multiplier": "2"}"#,
                r#""birthday": {"mode": "grant", "points": 200}"#,
            ]),
            amount in (proptest::num::i128::ANY, 0_u32..=28, proptest::bool::ANY),
            first_purchase in proptest::bool::ANY,
            birthday_month in proptest::bool::ANY,
            tier in proptest::option::of(0_usize..3),
            // A Saturday, the Monday after, and a Saturday in August.
            at in proptest::sample::select(vec![
                "2026-06-13T12:00:00Z", "2026-06-15T09:30:00Z", "2026-08-01T23:59:59Z",
            ]),
            earned_in_period in 0_i64..2000,
            held in 0_i64..2000,
        ) {
            let earn = format!(
                r#""points": {}, "per": "{}", "rounding": "{rounding}", "rounding_scope": "{}""#,
                rate.0,
                rate.1,
                if by_line { "line" } else { "order" },
            );
            let program = Parts {
                earn: &earn,
                stacking,
                minimum,
                item_rule,
                campaign,
                limits,
                bonuses,
                gold,
            }
            .program();
            let Ok(program) = program else {
                return Ok(());
            };
            // Half the amounts are ordinary orders, the others any figure
            // a `Decimal` holds, past every overflow.
            let (mantissa, scale, ordinary) = amount;
            let (mantissa, scale) = if ordinary {
                (mantissa % 100_000_000, scale % 4)
            } else {
                (mantissa >> 32, scale)
            };
            let Ok(amount) = Decimal::try_from_i128_with_scale(mantissa, scale) else {
                return Ok(());
            };
            let levels = program.tiers().map_or(&[][..], |t| t.levels());
            let facts = PurchaseFacts {
                amount: Money::new(amount, program.currency()),
                first_purchase,
                birthday_month,
                earned_in_period: Points::new(earned_in_period),
                held: Points::new(held),
                tier: tier.and_then(|t| levels.get(t)),
                at: at.parse().unwrap(),
                ..facts("0.00 EUR")
            };
            let direct = earn_purchase(&program, &facts);
            let in_full = earn_in_full(&program, &facts);
            // Alike to the figures' scales, as the event writes them.
            proptest::prop_assert_eq!(format!("{direct:?}"), format!("{in_full:?}"));
            proptest::prop_assert_eq!(direct, in_full);
        }
    }
}
