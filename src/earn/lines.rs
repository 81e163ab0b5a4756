//! [`EarnLines`]: the parts of an award, the first held in place.

use super::EarnLine;
use crate::few::{Few, FewIntoIter};

/// The parts of an award, in order: what [`Earning::lines`](super::Earning)
/// and the events' breakdowns hold.
///
/// Most awards have one part (the base rate on the whole order, or one
/// bonus), and it is held in place: recording a plain purchase, and the
/// receipt's copy of its explanation, allocate nothing for it. A second
/// part moves them all into a list.
///
/// A [`Few`]: it reads as a slice (`len`, indexing, `iter`, `first`,
/// pattern matching through [`as_slice`](Few::as_slice)), compares,
/// hashes, prints with `{:?}` and serialises exactly as a `Vec<EarnLine>`
/// of the same parts, and is built from one with `into()` or `collect()`.
///
/// # Example
///
/// ```
/// use loyalty::{EarnLine, EarnLines, EarnSource, Points};
///
/// let mut lines = EarnLines::new();
/// lines.push(EarnLine::Bonus { source: EarnSource::SignUp, points: Points::new(50) });
/// lines.push(EarnLine::Bonus { source: EarnSource::FirstPurchase, points: Points::new(25) });
///
/// assert_eq!(lines.len(), 2);
/// assert_eq!(lines[1].points(), Points::new(25));
/// let total: i64 = lines.iter().map(|l| l.points().value()).sum();
/// assert_eq!(total, 75);
/// assert_eq!(serde_json::to_string(&lines)?, serde_json::to_string(&lines.to_vec())?);
/// # Ok::<(), serde_json::Error>(())
/// ```
pub type EarnLines = Few<EarnLine>;

/// The parts of [`EarnLines`], by value: what its `into_iter` gives.
pub type EarnLinesIntoIter = FewIntoIter<EarnLine>;
