//! Named rounding strategies for fractional points and money.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::Points;

/// How a fractional quantity becomes a whole number of points, or an amount
/// of money becomes a whole number of minor units.
///
/// Rounding is never implicit: every place the crate rounds names the
/// strategy in the program configuration, and every receipt shows it. In
/// configuration files the variants are written in `snake_case`
/// (`"floor"`, `"half_even"`, ...).
///
/// | strategy | 57.40 | 57.50 | 58.50 | 57.60 |
/// | --- | --- | --- | --- | --- |
/// | `Floor` | 57 | 57 | 58 | 57 |
/// | `Ceiling` | 58 | 58 | 59 | 58 |
/// | `HalfUp` | 57 | 58 | 59 | 58 |
/// | `HalfDown` | 57 | 57 | 58 | 58 |
/// | `HalfEven` | 57 | 58 | 58 | 58 |
///
/// # Example
///
/// ```
/// use loyalty::Rounding;
/// use rust_decimal::Decimal;
///
/// let amount = Decimal::new(5750, 2); // 57.50
/// assert_eq!(Rounding::Floor.round(amount, 0), Decimal::new(57, 0));
/// assert_eq!(Rounding::HalfUp.round(amount, 0), Decimal::new(58, 0));
/// // Money is rounded to the currency's minor units the same way.
/// assert_eq!(Rounding::HalfEven.round(Decimal::new(5745, 3), 2), Decimal::new(574, 2));
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rounding {
    /// Toward negative infinity: 57.99 → 57. The default for earning, so a
    /// customer is never promised a point the order did not fully pay for.
    #[default]
    Floor,
    /// Toward positive infinity: 57.01 → 58.
    Ceiling,
    /// To the nearest, halves away from zero: 57.5 → 58.
    HalfUp,
    /// To the nearest, halves toward zero: 57.5 → 57.
    HalfDown,
    /// To the nearest, halves to the even neighbour (banker's rounding):
    /// 57.5 → 58, 58.5 → 58.
    HalfEven,
}

/// The quotient of a points division does not fit in [`Points`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct DivisionOverflow;

impl Rounding {
    /// The name used in configuration files and explanations.
    pub const fn name(self) -> &'static str {
        match self {
            Rounding::Floor => "floor",
            Rounding::Ceiling => "ceiling",
            Rounding::HalfUp => "half_up",
            Rounding::HalfDown => "half_down",
            Rounding::HalfEven => "half_even",
        }
    }

    const fn strategy(self) -> RoundingStrategy {
        match self {
            Rounding::Floor => RoundingStrategy::ToNegativeInfinity,
            Rounding::Ceiling => RoundingStrategy::ToPositiveInfinity,
            Rounding::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfDown => RoundingStrategy::MidpointTowardZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }

    /// Rounds `value` to `decimal_places` places with this strategy.
    pub fn round(self, value: Decimal, decimal_places: u32) -> Decimal {
        value.round_dp_with_strategy(decimal_places, self.strategy())
    }

    /// `numerator / denominator` rounded to whole points, computed exactly.
    ///
    /// The quotient is found from the exact remainder rather than from a
    /// 28-digit approximation, so `floor(3 × 10 / 3)` is 10, never 9.
    /// `denominator` must be positive.
    ///
    /// Amounts of money and earn rates brought to a common scale are
    /// whole numbers well inside 95 bits, and are divided as such (with
    /// one machine division when both fit 64 bits); only figures beyond
    /// that go through `Decimal` arithmetic, which gives the same quotient
    /// in about four times the instructions.
    pub(crate) fn divide(
        self,
        numerator: Decimal,
        denominator: Decimal,
    ) -> Result<Points, DivisionOverflow> {
        if denominator.is_sign_negative() || denominator.is_zero() {
            return Err(DivisionOverflow);
        }
        let negative = numerator.is_sign_negative() && !numerator.is_zero();
        let quotient = match Quotient::of_integers(numerator, denominator) {
            Some(quotient) => quotient?,
            None => Quotient::of_decimals(numerator.abs(), denominator)?,
        };
        self.whole(quotient, negative)
    }

    /// `amount × times × factor / denominator` rounded to whole points:
    /// what [`divide`](Rounding::divide) gives for the product made in
    /// `Decimal` arithmetic, in that order, which is exact whenever each
    /// step fits 64 bits within `Decimal`'s 28 places. A purchase's
    /// amount times its rate's points (and a tier's factor less one)
    /// does, and is multiplied here as whole numbers: about 65
    /// instructions fewer a purchase than `Decimal` multiplication, and
    /// about 110 more for a tier's line. Any other product is made in
    /// `Decimal` arithmetic and divided, and one past its range is an
    /// error.
    pub(crate) fn divide_product(
        self,
        amount: Decimal,
        times: i64,
        factor: Decimal,
        denominator: Decimal,
    ) -> Result<Points, DivisionOverflow> {
        // Each step's two factors fit 64 bits, so their product fits 128
        // and the multiplication never saturates.
        let widened = |a: u64, b: u64| u128::from(a).saturating_mul(u128::from(b));
        if !amount.is_sign_negative()
            && !factor.is_sign_negative()
            && denominator.is_sign_positive()
            && !denominator.is_zero()
            && let Ok(mantissa) = u64::try_from(amount.mantissa().unsigned_abs())
            && let Ok(times) = u64::try_from(times)
            && let Ok(partial) = u64::try_from(widened(mantissa, times))
            && let Ok(factor_mantissa) = u64::try_from(factor.mantissa().unsigned_abs())
            && let product = widened(partial, factor_mantissa)
            && let Some(scale) = amount.scale().checked_add(factor.scale())
            && scale <= Decimal::MAX_SCALE
            && let Some((n, d)) = common_u64(
                product,
                scale,
                denominator.mantissa().unsigned_abs(),
                denominator.scale(),
            )
            && let Some(quotient) = Quotient::of_u64(n, d)
        {
            return self.whole(quotient?, false);
        }
        self.divide_decimal_product(amount, times, factor, denominator)
    }

    /// [`divide_product`](Rounding::divide_product) in `Decimal`
    /// arithmetic. Out of line, as the rare way it is: inlined, its
    /// multiplications made the whole-number way save and restore every
    /// register it used.
    #[cold]
    #[inline(never)]
    fn divide_decimal_product(
        self,
        amount: Decimal,
        times: i64,
        factor: Decimal,
        denominator: Decimal,
    ) -> Result<Points, DivisionOverflow> {
        let numerator = amount
            .checked_mul(Decimal::from(times))
            .and_then(|partial| partial.checked_mul(factor))
            .ok_or(DivisionOverflow)?;
        self.divide(numerator, denominator)
    }

    /// The quotient's magnitude rounded to whole points, negated when the
    /// numerator was `negative`.
    #[inline]
    fn whole(self, quotient: Quotient, negative: bool) -> Result<Points, DivisionOverflow> {
        // Round the magnitude up or keep it; mirror the direction for negatives.
        let up = quotient.rest != Rest::Zero
            && match self {
                Rounding::Floor => negative,
                Rounding::Ceiling => !negative,
                Rounding::HalfUp => quotient.rest != Rest::BelowHalf,
                Rounding::HalfDown => quotient.rest == Rest::AboveHalf,
                Rounding::HalfEven => {
                    quotient.rest == Rest::AboveHalf
                        || (quotient.rest == Rest::Half && quotient.whole % 2 != 0)
                }
            };
        let rounded = if up {
            quotient.whole.checked_add(1).ok_or(DivisionOverflow)?
        } else {
            quotient.whole
        };
        let signed = if negative {
            rounded.checked_neg().ok_or(DivisionOverflow)?
        } else {
            rounded
        };
        Ok(Points::new(signed))
    }
}

/// The whole part of a magnitude divided by a positive denominator, and
/// where the rest falls.
struct Quotient {
    whole: i64,
    rest: Rest,
}

/// Where the rest of a division falls against half the denominator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rest {
    Zero,
    BelowHalf,
    Half,
    AboveHalf,
}

impl Rest {
    /// Where a rest below the denominator falls, from whether it is zero
    /// and how twice the rest compares with the denominator.
    fn of(rest_is_zero: bool, twice_rest: std::cmp::Ordering) -> Rest {
        match (rest_is_zero, twice_rest) {
            (true, _) => Rest::Zero,
            (false, std::cmp::Ordering::Less) => Rest::BelowHalf,
            (false, std::cmp::Ordering::Equal) => Rest::Half,
            (false, std::cmp::Ordering::Greater) => Rest::AboveHalf,
        }
    }
}

impl Quotient {
    /// `|numerator| / denominator` in whole numbers: both are scaled to
    /// their common number of decimal places, and when each is then below
    /// 2^95 (so that the rest, doubled, would fit a `Decimal` too), they
    /// are divided as integers. `None` beyond that, for `Decimal`
    /// arithmetic to answer.
    fn of_integers(
        numerator: Decimal,
        denominator: Decimal,
    ) -> Option<Result<Quotient, DivisionOverflow>> {
        const LIMIT: u128 = 1 << 95;
        let (n, d) = (
            numerator.mantissa().unsigned_abs(),
            denominator.mantissa().unsigned_abs(),
        );
        let (sn, sd) = (numerator.scale(), denominator.scale());
        // Orders and rates fit 64 bits, at the same scale or a few places
        // apart: one machine division gives the quotient and the rest,
        // where 128 bits call the runtime's division routine twice (14
        // instructions a purchase fewer), and the scaling takes a power
        // of ten from a table, where 128 bits multiply it out and check
        // each step (about 15 more).
        if let Some((n, d)) = common_u64(n, sn, d, sd) {
            return Quotient::of_u64(n, d);
        }
        let ten_to = |places: u32| 10_u128.checked_pow(places);
        let (n, d) = if sn >= sd {
            (n, d.checked_mul(ten_to(sn.checked_sub(sd)?)?)?)
        } else {
            (n.checked_mul(ten_to(sd.checked_sub(sn)?)?)?, d)
        };
        if n >= LIMIT || d >= LIMIT {
            return None;
        }
        let rest = n.checked_rem(d)?;
        let rest = Rest::of(rest == 0, rest.checked_mul(2)?.cmp(&d));
        let whole = i64::try_from(n.checked_div(d)?).map_err(|_| DivisionOverflow);
        Some(whole.map(|whole| Quotient { whole, rest }))
    }

    /// `n / d` in one machine division, `None` when `d` is zero.
    fn of_u64(n: u64, d: u64) -> Option<Result<Quotient, DivisionOverflow>> {
        let rest = n.checked_rem(d)?;
        let twice_rest = u128::from(rest).saturating_mul(2);
        let rest = Rest::of(rest == 0, twice_rest.cmp(&u128::from(d)));
        let whole = i64::try_from(n.checked_div(d)?).map_err(|_| DivisionOverflow);
        Some(whole.map(|whole| Quotient { whole, rest }))
    }

    /// `magnitude / denominator` in `Decimal` arithmetic, from the exact
    /// remainder: `magnitude = whole × denominator + rest`, with
    /// `0 <= rest < denominator`.
    fn of_decimals(magnitude: Decimal, denominator: Decimal) -> Result<Quotient, DivisionOverflow> {
        let rest = magnitude.checked_rem(denominator).ok_or(DivisionOverflow)?;
        let whole = magnitude
            .checked_sub(rest)
            .and_then(|exact| exact.checked_div(denominator))
            .ok_or(DivisionOverflow)?
            .trunc();
        let twice_rest = rest.checked_mul(Decimal::TWO).ok_or(DivisionOverflow)?;
        Ok(Quotient {
            whole: i64::try_from(whole).map_err(|_| DivisionOverflow)?,
            rest: Rest::of(rest.is_zero(), twice_rest.cmp(&denominator)),
        })
    }
}

/// `n` at scale `sn` and `d` at scale `sd` brought to their common scale,
/// when both fit 64 bits there.
#[inline]
fn common_u64(n: u128, sn: u32, d: u128, sd: u32) -> Option<(u64, u64)> {
    let (n, d) = (u64::try_from(n).ok()?, u64::try_from(d).ok()?);
    if sn >= sd {
        Some((n, d.checked_mul(ten_to(sn.checked_sub(sd)?)?)?))
    } else {
        Some((n.checked_mul(ten_to(sd.checked_sub(sn)?)?)?, d))
    }
}

/// Ten to the `places`, when a `u64` holds it (up to 19 places).
pub(crate) fn ten_to(places: u32) -> Option<u64> {
    POWERS_OF_TEN.get(usize::try_from(places).ok()?).copied()
}

/// 10^0 to 10^19, every power of ten a `u64` holds.
const POWERS_OF_TEN: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

impl fmt::Display for Rounding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn div(r: Rounding, n: &str, den: &str) -> i64 {
        r.divide(d(n), d(den)).unwrap().value()
    }

    #[test]
    fn the_documented_table_holds() {
        let rows = [
            ("57.40", [57, 58, 57, 57, 57]),
            ("57.50", [57, 58, 58, 57, 58]),
            ("58.50", [58, 59, 59, 58, 58]),
            ("57.60", [57, 58, 58, 58, 58]),
        ];
        let modes = [
            Rounding::Floor,
            Rounding::Ceiling,
            Rounding::HalfUp,
            Rounding::HalfDown,
            Rounding::HalfEven,
        ];
        for (value, expected) in rows {
            for (mode, want) in modes.iter().zip(expected) {
                assert_eq!(div(*mode, value, "1"), want, "{mode} {value}");
                assert_eq!(
                    mode.round(d(value), 0),
                    Decimal::from(want),
                    "{mode} {value}"
                );
            }
        }
    }

    #[test]
    fn division_is_exact_where_decimal_division_is_not() {
        // 10/3 × 3 as a 28-digit decimal is 9.999…; the exact quotient is 10.
        assert_eq!(div(Rounding::Floor, "10", "1"), 10);
        assert_eq!(div(Rounding::Floor, "30", "3"), 10);
        assert_eq!(div(Rounding::Floor, "57.40", "10.00"), 5);
        assert_eq!(div(Rounding::Ceiling, "57.40", "10.00"), 6);
        assert_eq!(div(Rounding::HalfEven, "25", "10"), 2);
        assert_eq!(div(Rounding::HalfEven, "35", "10"), 4);
        assert_eq!(div(Rounding::Floor, "72", "3"), 24);
    }

    #[test]
    fn negative_numerators_round_in_the_named_direction() {
        assert_eq!(div(Rounding::Floor, "-57.40", "1"), -58);
        assert_eq!(div(Rounding::Ceiling, "-57.40", "1"), -57);
        assert_eq!(div(Rounding::HalfUp, "-57.50", "1"), -58);
        assert_eq!(div(Rounding::HalfDown, "-57.50", "1"), -57);
    }

    proptest::proptest! {
        /// Whole-number division gives the quotient and rest `Decimal`
        /// arithmetic gives, for every figure it takes on: amounts of
        /// money, rates, fractions and magnitudes past `i64`.
        #[test]
        fn whole_number_division_agrees_with_decimal_division(
            n in proptest::num::i128::ANY,
            n_scale in 0_u32..=28,
            d in 1_i128..(1 << 96),
            d_scale in 0_u32..=28,
            small in proptest::bool::ANY,
        ) {
            // Half the cases in the range orders and rates live in.
            let (n, d) = if small { (n % 10_000_000, d % 100_000 + 1) } else { (n >> 32, d) };
            let (Ok(numerator), Ok(denominator)) = (
                Decimal::try_from_i128_with_scale(n, n_scale),
                Decimal::try_from_i128_with_scale(d, d_scale),
            ) else {
                return Ok(());
            };
            let Some(integers) = Quotient::of_integers(numerator, denominator) else {
                return Ok(());
            };
            let decimals = Quotient::of_decimals(numerator.abs(), denominator);
            proptest::prop_assert_eq!(
                integers.map(|q| (q.whole, q.rest)),
                decimals.map(|q| (q.whole, q.rest))
            );
        }
    }

    proptest::proptest! {
        /// A product divided gives what dividing the `Decimal` product
        /// gives, or the same refusal: for amounts, rates and factors as
        /// a shop's are, at scales apart, negative, zero, past 64 bits,
        /// past `Decimal`'s range and past its 28 places.
        #[test]
        fn a_product_divided_is_the_decimal_product_divided(
            amount in proptest::prop_oneof![
                0_i128..100_000_000,
                -1_000_000_i128..0,
                (1_i128 << 60)..(1_i128 << 70),
                (1_i128 << 94)..(1_i128 << 96),
            ],
            amount_scale in 0_u32..=28,
            times in proptest::prop_oneof![1_i64..=10, -10_i64..=0, proptest::num::i64::ANY],
            factor in proptest::prop_oneof![-100_i128..300, (1_i128 << 60)..(1_i128 << 70)],
            factor_scale in 0_u32..=28,
            per in proptest::prop_oneof![1_i128..10_000, 0_i128..=0, -100_i128..0, (1_i128 << 64)..(1_i128 << 66)],
            per_scale in 0_u32..=28,
            rounding in proptest::sample::select(vec![
                Rounding::Floor,
                Rounding::Ceiling,
                Rounding::HalfUp,
                Rounding::HalfDown,
                Rounding::HalfEven,
            ]),
            shop in proptest::bool::ANY,
        ) {
            // Half the cases as a shop's: an amount of up to a million at
            // two places or so, a rate of a few points per up to a hundred.
            // and a factor of one, or a tier's less one (0.25, 0.5).
            let (amount, amount_scale, times, per, per_scale) = if shop {
                (amount.rem_euclid(100_000_000), amount_scale % 4, times.rem_euclid(11), per.rem_euclid(10_000).max(1), per_scale % 4)
            } else {
                (amount, amount_scale, times, per, per_scale)
            };
            let (factor, factor_scale) = match (shop, factor % 3) {
                (true, 0) => (1, 0),
                (true, _) => (factor.rem_euclid(100), factor_scale % 3),
                (false, _) => (factor, factor_scale),
            };
            let (Ok(amount), Ok(per), Ok(factor)) = (
                Decimal::try_from_i128_with_scale(amount, amount_scale),
                Decimal::try_from_i128_with_scale(per, per_scale),
                Decimal::try_from_i128_with_scale(factor, factor_scale),
            ) else {
                return Ok(());
            };
            let expected = amount
                .checked_mul(Decimal::from(times))
                .and_then(|partial| partial.checked_mul(factor))
                .ok_or(DivisionOverflow)
                .and_then(|numerator| rounding.divide(numerator, per));
            proptest::prop_assert_eq!(rounding.divide_product(amount, times, factor, per), expected);
        }
    }

    proptest::proptest! {
        /// Figures on either side of 64 bits at their common scale give
        /// the quotient and rest `Decimal` arithmetic gives: the 64-bit
        /// division below, the 128-bit one above, a doubled rest past 64
        /// bits in either.
        #[test]
        fn division_agrees_on_either_side_of_sixty_four_bits(
            n in (u64::MAX as u128 - (1 << 20))..(u64::MAX as u128 + (1 << 20)),
            d in proptest::prop_oneof![
                1_u128..1000,
                (u64::MAX as u128 - 1000)..(u64::MAX as u128 + 1000),
                (1_u128 << 63)..(1 << 64),
            ],
            scale in 0_u32..=4,
        ) {
            let numerator = Decimal::from_i128_with_scale(n as i128, scale);
            let denominator = Decimal::from_i128_with_scale(d as i128, scale);
            let integers = Quotient::of_integers(numerator, denominator);
            let decimals = Quotient::of_decimals(numerator, denominator);
            proptest::prop_assert!(integers.is_some());
            proptest::prop_assert_eq!(
                integers.map(|q| q.map(|q| (q.whole, q.rest))),
                Some(decimals.map(|q| (q.whole, q.rest)))
            );
        }
    }

    /// Products the whole-number path leaves to `Decimal` arithmetic: a
    /// negative factor (a tier's multiplier below one), a negative
    /// amount, and places past 28, which `Decimal` multiplication rounds
    /// away (a product of 10^-30 is none at all, so rounding up gives
    /// nothing, where the exact product would give a point).
    #[test]
    fn products_the_whole_numbers_cannot_make_exactly_are_made_as_decimals() {
        let cases = [
            ("10.00", 1, "-0.5", "1.00", -5),
            ("-10.00", 3, "0.5", "1.00", -15),
            (
                "0.00000000000000000001",
                1,
                "0.0000000001",
                "0.000000000001",
                0,
            ),
            ("57.40", 2, "0.25", "1.00", 29),
        ];
        for (amount, times, factor, per, ceiling) in cases {
            let (amount, factor, per) = (d(amount), d(factor), d(per));
            for rounding in [
                Rounding::Floor,
                Rounding::Ceiling,
                Rounding::HalfUp,
                Rounding::HalfDown,
                Rounding::HalfEven,
            ] {
                let product = amount
                    .checked_mul(Decimal::from(times))
                    .and_then(|partial| partial.checked_mul(factor))
                    .unwrap();
                assert_eq!(
                    rounding.divide_product(amount, times, factor, per),
                    rounding.divide(product, per),
                    "{rounding} of {amount} x {times} x {factor} / {per}"
                );
            }
            let points = Rounding::Ceiling.divide_product(amount, times, factor, per);
            assert_eq!(points, Ok(Points::new(ceiling)));
        }
    }

    #[test]
    fn figures_past_whole_number_division_go_through_decimals() {
        // 2^95 and more at their common scale: Decimal arithmetic answers.
        let big = Decimal::from_i128_with_scale(1 << 95, 0);
        assert!(Quotient::of_integers(big, Decimal::ONE).is_none());
        assert!(
            Quotient::of_integers(Decimal::ONE, Decimal::new(1, 28) * Decimal::from(1_000_000))
                .is_some()
        );
        assert!(Quotient::of_integers(Decimal::MAX, Decimal::new(1, 28)).is_none());
        assert_eq!(
            div(Rounding::Floor, "39614081257132168796771975168", "1e20"),
            396_140_812
        );
        assert_eq!(
            div(
                Rounding::HalfEven,
                "0.0000000000000000000000000005",
                "0.000000000000000000000000001"
            ),
            0
        );
        assert_eq!(
            div(
                Rounding::HalfUp,
                "0.0000000000000000000000000005",
                "0.000000000000000000000000001"
            ),
            1
        );
    }

    #[test]
    fn out_of_range_quotients_are_errors() {
        assert!(Rounding::Floor.divide(Decimal::MAX, d("0.0001")).is_err());
        assert!(Rounding::Floor.divide(Decimal::ONE, Decimal::ZERO).is_err());
        assert!(Rounding::Floor.divide(d("1e19"), Decimal::ONE).is_err());
    }
}
