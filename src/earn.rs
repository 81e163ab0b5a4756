//! Earning: how a purchase turns into points, and the explanation of it.

use std::fmt;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::points::PointsNoun;
use crate::program::Problems;
use crate::{Currency, Error, Money, Points, Rounding};

/// The `[earn]` section of a [`ProgramConfig`](crate::ProgramConfig):
/// points per amount spent.
///
/// `points` points are earned per `per` of the program's currency, rounded
/// with `rounding`: "1 point per 1.00 EUR" is `points = 1, per = "1.00"`,
/// "5 points per 1.00" is `points = 5`, "1 point per 10.00" is
/// `per = "10.00"`. Orders below `minimum_order` earn nothing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
    /// The smallest order that earns points, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum_order: Option<Decimal>,
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
            minimum_order: None,
        }
    }
}

/// The longest `earn.points` value accepted; keeps every product of points
/// and amounts far from overflow.
const MAX_POINTS_PER: i64 = 1_000_000;

impl EarnConfig {
    pub(crate) fn validate(&self, currency: Currency, problems: &mut Problems) -> Option<EarnRule> {
        let points_ok = problems.range("earn.points", self.points, 1, MAX_POINTS_PER);
        let per_ok = problems.positive("earn.per", self.per);
        let minimum_ok = problems.non_negative("earn.minimum_order", self.minimum_order);
        (points_ok && per_ok && minimum_ok).then(|| EarnRule {
            rate: EarnRate {
                points: Points::new(self.points),
                per: Money::new(self.per, currency),
            },
            rounding: self.rounding,
            minimum_order: self.minimum_order.map(|m| Money::new(m, currency)),
        })
    }
}

/// Points per amount: "1 point per 1.00 EUR".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct EarnRate {
    /// Points earned per `per`.
    pub points: Points,
    /// The amount that earns `points`.
    pub per: Money,
}

impl fmt::Display for EarnRate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} per {}", PointsNoun(self.points), self.per)
    }
}

/// The validated earn rule of a [`Program`](crate::Program).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarnRule {
    rate: EarnRate,
    rounding: Rounding,
    minimum_order: Option<Money>,
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

    /// The smallest order that earns points, if any.
    pub fn minimum_order(&self) -> Option<Money> {
        self.minimum_order
    }

    /// What an order of `amount` earns, with its explanation.
    ///
    /// `amount` must be in the program's currency and not negative; the
    /// ledger checks both before it calls this.
    ///
    /// # Errors
    ///
    /// [`Error::PointsOverflow`] when the points do not fit in an `i64`.
    pub(crate) fn earn(&self, amount: Money) -> Result<Earning, Error> {
        if let Some(minimum) = self.minimum_order
            && amount.amount() < minimum.amount()
        {
            return Ok(Earning {
                points: Points::ZERO,
                lines: vec![EarnLine::BelowMinimum { amount, minimum }],
            });
        }
        let overflow = || Error::AmountOutOfRange { amount };
        let scaled = amount
            .amount()
            .checked_mul(Decimal::from(self.rate.points.value()))
            .ok_or_else(overflow)?;
        let points = self
            .rounding
            .divide(scaled, self.rate.per.amount())
            .map_err(|_| overflow())?;
        Ok(Earning {
            points,
            lines: vec![EarnLine::Base {
                eligible: amount,
                rate: self.rate,
                rounding: self.rounding,
                points,
            }],
        })
    }
}

/// What a purchase earned and why: the total and one line per rule that
/// contributed.
///
/// Its `Display` is the sentence a support agent reads out:
/// `57 = floor(57.40 EUR × 1 point per 1.00 EUR)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Earning {
    /// The points earned.
    pub points: Points,
    /// How each part was computed.
    pub lines: Vec<EarnLine>,
}

/// One part of an [`Earning`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum EarnLine {
    /// The base rate applied to the eligible amount.
    Base {
        /// The amount that earned points.
        eligible: Money,
        /// The rate applied.
        rate: EarnRate,
        /// The rounding applied.
        rounding: Rounding,
        /// The points this line gives.
        points: Points,
    },
    /// The order was below the minimum that earns points.
    BelowMinimum {
        /// The order amount.
        amount: Money,
        /// The minimum order that earns.
        minimum: Money,
    },
}

impl EarnLine {
    /// The points this line contributes.
    pub fn points(&self) -> Points {
        match self {
            EarnLine::Base { points, .. } => *points,
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
            EarnLine::BelowMinimum { amount, minimum } => {
                write!(f, "{amount} is below the {minimum} minimum order to earn")
            }
        }
    }
}

impl fmt::Display for Earning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.lines.as_slice() {
            [] => write!(f, "{}", self.points),
            [line @ EarnLine::BelowMinimum { .. }] => write!(f, "{}: {line}", self.points),
            [line] => write!(f, "{} = {line}", self.points),
            lines => {
                write!(f, "{} = ", self.points)?;
                for (i, line) in lines.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" + ")?;
                    }
                    write!(f, "{} ({line})", line.points())?;
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(points: i64, per: &str, rounding: Rounding, minimum: Option<&str>) -> EarnRule {
        let config = EarnConfig {
            points,
            per: per.parse().unwrap(),
            rounding,
            minimum_order: minimum.map(|m| m.parse().unwrap()),
        };
        config
            .validate(Currency::EUR, &mut Problems::default())
            .unwrap()
    }

    fn eur(s: &str) -> Money {
        Money::new(s.parse().unwrap(), Currency::EUR)
    }

    #[test]
    fn the_seed_rate_explains_itself() {
        let earning = rule(1, "1.00", Rounding::Floor, None)
            .earn(eur("57.40"))
            .unwrap();
        assert_eq!(earning.points, Points::new(57));
        assert_eq!(
            earning.to_string(),
            "57 = floor(57.40 EUR × 1 point per 1.00 EUR)"
        );
    }

    #[test]
    fn other_rates_and_roundings() {
        let five = rule(5, "1.00", Rounding::Floor, None);
        assert_eq!(five.earn(eur("57.40")).unwrap().points, Points::new(287));
        let tenth = rule(1, "10.00", Rounding::Floor, None);
        let e = tenth.earn(eur("57.40")).unwrap();
        assert_eq!(e.points, Points::new(5));
        assert_eq!(
            e.to_string(),
            "5 = floor(57.40 EUR × 1 point per 10.00 EUR)"
        );
        let half_up = rule(1, "1.00", Rounding::HalfUp, None);
        assert_eq!(half_up.earn(eur("57.50")).unwrap().points, Points::new(58));
    }

    #[test]
    fn orders_below_the_minimum_earn_nothing_and_say_why() {
        let r = rule(1, "1.00", Rounding::Floor, Some("10.00"));
        let e = r.earn(eur("9.99")).unwrap();
        assert_eq!(e.points, Points::ZERO);
        assert_eq!(
            e.to_string(),
            "0: 9.99 EUR is below the 10.00 EUR minimum order to earn"
        );
        assert_eq!(r.earn(eur("10.00")).unwrap().points, Points::new(10));
    }

    #[test]
    fn huge_amounts_are_errors_not_panics() {
        let r = rule(1_000_000, "0.01", Rounding::Floor, None);
        assert!(matches!(
            r.earn(Money::new(Decimal::MAX, Currency::EUR)),
            Err(Error::AmountOutOfRange { .. })
        ));
    }
}
