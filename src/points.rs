//! Whole loyalty points with checked arithmetic.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A whole number of loyalty points.
///
/// Points are an `i64`: negative values appear only as signed changes (a
/// debit, a clawback) or as a balance in debt under
/// [`NegativeBalance::Debt`](crate::NegativeBalance::Debt). Arithmetic is
/// checked: there are no operators that could wrap or panic, only
/// `checked_*` methods that return a [`PointsOverflow`] error.
///
/// # Example
///
/// ```
/// use loyalty::Points;
///
/// let earned = Points::new(57);
/// let total = earned.checked_add(Points::new(48))?;
/// assert_eq!(total, Points::new(105));
/// assert_eq!(total.to_string(), "105");
///
/// // Overflow is an error value, never a wrap or a panic.
/// assert!(Points::MAX.checked_add(Points::new(1)).is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Points(i64);

/// Points arithmetic left the range of `i64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("points overflow: {left} {op} {right} is out of range")]
#[non_exhaustive]
pub struct PointsOverflow {
    /// Left operand.
    pub left: i64,
    /// The operation: `+`, `-` or `×`.
    pub op: char,
    /// Right operand.
    pub right: i64,
}

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);
    /// The largest representable number of points.
    pub const MAX: Points = Points(i64::MAX);
    /// The smallest representable number of points.
    pub const MIN: Points = Points(i64::MIN);

    /// Points from a whole number.
    pub const fn new(value: i64) -> Points {
        Points(value)
    }

    /// The number of points as an `i64`.
    pub const fn value(self) -> i64 {
        self.0
    }

    /// Whether this is zero points.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whether this is more than zero points.
    pub const fn is_positive(self) -> bool {
        self.0 > 0
    }

    /// Whether this is less than zero points.
    pub const fn is_negative(self) -> bool {
        self.0 < 0
    }

    /// `self + rhs`.
    ///
    /// # Errors
    ///
    /// [`PointsOverflow`] when the sum leaves the range of `i64`.
    pub const fn checked_add(self, rhs: Points) -> Result<Points, PointsOverflow> {
        match self.0.checked_add(rhs.0) {
            Some(v) => Ok(Points(v)),
            None => Err(PointsOverflow {
                left: self.0,
                op: '+',
                right: rhs.0,
            }),
        }
    }

    /// `self + rhs`, held at [`Points::MAX`] or [`Points::MIN`] instead of
    /// overflowing: for summaries over many members, where one huge balance
    /// must not stop the others being reported.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::Points;
    ///
    /// assert_eq!(Points::new(40).saturating_add(Points::new(2)), Points::new(42));
    /// assert_eq!(Points::MAX.saturating_add(Points::new(452)), Points::MAX);
    /// ```
    pub const fn saturating_add(self, rhs: Points) -> Points {
        Points(self.0.saturating_add(rhs.0))
    }

    /// `self - rhs`, held at [`Points::MIN`] or [`Points::MAX`] instead of
    /// overflowing.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::Points;
    ///
    /// assert_eq!(Points::new(40).saturating_sub(Points::new(50)), Points::new(-10));
    /// assert_eq!(Points::MIN.saturating_sub(Points::new(452)), Points::MIN);
    /// assert_eq!(Points::MAX.saturating_sub(Points::new(-1)), Points::MAX);
    /// ```
    pub const fn saturating_sub(self, rhs: Points) -> Points {
        Points(self.0.saturating_sub(rhs.0))
    }

    /// `self - rhs`.
    ///
    /// # Errors
    ///
    /// [`PointsOverflow`] when the difference leaves the range of `i64`.
    pub const fn checked_sub(self, rhs: Points) -> Result<Points, PointsOverflow> {
        match self.0.checked_sub(rhs.0) {
            Some(v) => Ok(Points(v)),
            None => Err(PointsOverflow {
                left: self.0,
                op: '-',
                right: rhs.0,
            }),
        }
    }

    /// `self × factor`.
    ///
    /// # Errors
    ///
    /// [`PointsOverflow`] when the product leaves the range of `i64`.
    pub const fn checked_mul(self, factor: i64) -> Result<Points, PointsOverflow> {
        match self.0.checked_mul(factor) {
            Some(v) => Ok(Points(v)),
            None => Err(PointsOverflow {
                left: self.0,
                op: '×',
                right: factor,
            }),
        }
    }

    /// `-self`.
    ///
    /// # Errors
    ///
    /// [`PointsOverflow`] for [`Points::MIN`], whose negation is out of range.
    pub const fn checked_neg(self) -> Result<Points, PointsOverflow> {
        match self.0.checked_neg() {
            Some(v) => Ok(Points(v)),
            None => Err(PointsOverflow {
                left: 0,
                op: '-',
                right: self.0,
            }),
        }
    }

    /// The smaller of two amounts of points.
    pub fn min(self, other: Points) -> Points {
        Ord::min(self, other)
    }

    /// The larger of two amounts of points.
    pub fn max(self, other: Points) -> Points {
        Ord::max(self, other)
    }

    /// Adds every item, failing on the first overflow.
    ///
    /// # Errors
    ///
    /// [`PointsOverflow`] when a partial sum leaves the range of `i64`.
    ///
    /// # Example
    ///
    /// ```
    /// use loyalty::Points;
    ///
    /// let sum = Points::checked_sum([Points::new(57), Points::new(43)])?;
    /// assert_eq!(sum, Points::new(100));
    /// # Ok::<(), loyalty::PointsOverflow>(())
    /// ```
    pub fn checked_sum(items: impl IntoIterator<Item = Points>) -> Result<Points, PointsOverflow> {
        let mut sum = Points::ZERO;
        for points in items {
            sum = sum.checked_add(points)?;
        }
        Ok(sum)
    }
}

impl From<i64> for Points {
    fn from(value: i64) -> Self {
        Points(value)
    }
}

impl From<Points> for i64 {
    fn from(points: Points) -> Self {
        points.0
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// `"1 point"`, `"37 points"`: a count with its noun, for explanations.
pub(crate) struct PointsNoun(pub(crate) Points);

impl fmt::Display for PointsNoun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = if self.0.0 == 1 || self.0.0 == -1 {
            "point"
        } else {
            "points"
        };
        write!(f, "{} {noun}", self.0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_arithmetic_reports_the_operands() {
        let err = Points::new(i64::MAX - 1)
            .checked_add(Points::new(2))
            .unwrap_err();
        assert_eq!(err.left, i64::MAX - 1);
        assert_eq!(err.right, 2);
        assert_eq!(
            err.to_string(),
            "points overflow: 9223372036854775806 + 2 is out of range"
        );
        assert!(Points::MIN.checked_sub(Points::new(1)).is_err());
        assert!(Points::MIN.checked_neg().is_err());
        assert!(Points::new(i64::MAX / 2 + 1).checked_mul(2).is_err());
        assert_eq!(Points::new(-5).checked_neg(), Ok(Points::new(5)));
    }

    #[test]
    fn serialises_as_a_bare_number() {
        assert_eq!(serde_json::to_string(&Points::new(57)).unwrap(), "57");
        assert_eq!(
            serde_json::from_str::<Points>("-12").unwrap(),
            Points::new(-12)
        );
    }

    #[test]
    fn nouns_agree_with_the_count() {
        assert_eq!(PointsNoun(Points::new(1)).to_string(), "1 point");
        assert_eq!(PointsNoun(Points::new(37)).to_string(), "37 points");
    }
}
