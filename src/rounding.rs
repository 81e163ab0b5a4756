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
    pub(crate) fn divide(
        self,
        numerator: Decimal,
        denominator: Decimal,
    ) -> Result<Points, DivisionOverflow> {
        if denominator <= Decimal::ZERO {
            return Err(DivisionOverflow);
        }
        let negative = numerator.is_sign_negative() && !numerator.is_zero();
        let magnitude = numerator.abs();
        // magnitude = whole × denominator + rest, with 0 <= rest < denominator.
        let rest = magnitude.checked_rem(denominator).ok_or(DivisionOverflow)?;
        let whole = magnitude
            .checked_sub(rest)
            .and_then(|exact| exact.checked_div(denominator))
            .ok_or(DivisionOverflow)?
            .trunc();
        let twice_rest = rest.checked_mul(Decimal::TWO).ok_or(DivisionOverflow)?;
        let odd = whole.checked_rem(Decimal::TWO).ok_or(DivisionOverflow)? != Decimal::ZERO;
        // Round the magnitude up or keep it; mirror the direction for negatives.
        let up = !rest.is_zero()
            && match self {
                Rounding::Floor => negative,
                Rounding::Ceiling => !negative,
                Rounding::HalfUp => twice_rest >= denominator,
                Rounding::HalfDown => twice_rest > denominator,
                Rounding::HalfEven => {
                    twice_rest > denominator || (twice_rest == denominator && odd)
                }
            };
        let rounded = if up {
            whole.checked_add(Decimal::ONE).ok_or(DivisionOverflow)?
        } else {
            whole
        };
        let value = i64::try_from(rounded).map_err(|_| DivisionOverflow)?;
        let signed = if negative {
            value.checked_neg().ok_or(DivisionOverflow)?
        } else {
            value
        };
        Ok(Points::new(signed))
    }
}

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

    #[test]
    fn out_of_range_quotients_are_errors() {
        assert!(Rounding::Floor.divide(Decimal::MAX, d("0.0001")).is_err());
        assert!(Rounding::Floor.divide(Decimal::ONE, Decimal::ZERO).is_err());
        assert!(Rounding::Floor.divide(d("1e19"), Decimal::ONE).is_err());
    }
}
